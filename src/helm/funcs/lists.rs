//! Sprig's list and dict functions.
//!
//! Go's `keys` and `values` return map order, which Go randomises; here they follow the sorted
//! key order (charts that care pipe `keys` through `sortAlpha`, which gives the same result).
//! `set`, `unset`, `merge*` return the updated map; see the module doc of `funcs` on mutation.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::super::value::{Kind, Map, Value};
use super::conv::{deep_equal_values, is_empty, kind_name, strval, to_int64};
use super::{MAX_ITEMS, Result, arg_int, arg_str, arity, arity_min, call_err, type_name};

/// The items of a list argument, or Sprig's "Cannot … on type K" error (nil panics in Go).
fn list_arg<'a>(name: &str, what: &str, v: &'a Value) -> std::result::Result<&'a [Value], String> {
    match &v.kind {
        Kind::List(l) => Ok(l),
        Kind::Nil => Err(call_err(
            name,
            "runtime error: invalid memory address or nil pointer dereference",
        )),
        _ => Err(call_err(name, &format!("{what} {}", kind_name(v)))),
    }
}

/// A `map[string]interface{}` parameter (nil is an empty map).
fn map_arg(args: &[Value], i: usize) -> std::result::Result<Arc<Map>, String> {
    match args.get(i).map(|v| &v.kind) {
        Some(Kind::Map(m)) => Ok(m.clone()),
        Some(Kind::Nil) | None => Ok(Arc::new(Map::new())),
        Some(_) => Err(format!(
            "wrong type for value; expected map[string]interface {{}}; got {}",
            type_name(&args[i])
        )),
    }
}

pub fn list(args: &[Value]) -> Result {
    Ok(Value::list(args.to_vec()))
}

fn first_impl(name: &'static str, args: &[Value]) -> Result {
    arity(name, args, 1)?;
    let l = list_arg(name, "Cannot find first on type", &args[0])?;
    Ok(l.first().cloned().unwrap_or(Value::NIL))
}

pub fn first(args: &[Value]) -> Result {
    first_impl("first", args)
}
pub fn must_first(args: &[Value]) -> Result {
    first_impl("mustFirst", args)
}

fn last_impl(name: &'static str, args: &[Value]) -> Result {
    arity(name, args, 1)?;
    let l = list_arg(name, "Cannot find last on type", &args[0])?;
    Ok(l.last().cloned().unwrap_or(Value::NIL))
}

pub fn last(args: &[Value]) -> Result {
    last_impl("last", args)
}
pub fn must_last(args: &[Value]) -> Result {
    last_impl("mustLast", args)
}

fn rest_impl(name: &'static str, args: &[Value]) -> Result {
    arity(name, args, 1)?;
    let l = list_arg(name, "Cannot find rest on type", &args[0])?;
    if l.is_empty() {
        return Ok(Value::list(Vec::new()));
    }
    Ok(Value::list(l[1..].to_vec()))
}

pub fn rest(args: &[Value]) -> Result {
    rest_impl("rest", args)
}
pub fn must_rest(args: &[Value]) -> Result {
    rest_impl("mustRest", args)
}

fn initial_impl(name: &'static str, args: &[Value]) -> Result {
    arity(name, args, 1)?;
    let l = list_arg(name, "Cannot find initial on type", &args[0])?;
    if l.is_empty() {
        return Ok(Value::list(Vec::new()));
    }
    Ok(Value::list(l[..l.len() - 1].to_vec()))
}

pub fn initial(args: &[Value]) -> Result {
    initial_impl("initial", args)
}
pub fn must_initial(args: &[Value]) -> Result {
    initial_impl("mustInitial", args)
}

fn push_impl(name: &'static str, args: &[Value]) -> Result {
    arity(name, args, 2)?;
    let l = list_arg(name, "Cannot push on type", &args[0])?;
    if l.len() >= MAX_ITEMS {
        return Err(call_err(name, "list too long"));
    }
    let mut v = l.to_vec();
    v.push(args[1].clone());
    Ok(Value::list(v))
}

pub fn append(args: &[Value]) -> Result {
    push_impl("append", args)
}
pub fn push(args: &[Value]) -> Result {
    push_impl("push", args)
}
pub fn must_append(args: &[Value]) -> Result {
    push_impl("mustAppend", args)
}
pub fn must_push(args: &[Value]) -> Result {
    push_impl("mustPush", args)
}

fn prepend_impl(name: &'static str, args: &[Value]) -> Result {
    arity(name, args, 2)?;
    let l = list_arg(name, "Cannot prepend on type", &args[0])?;
    if l.len() >= MAX_ITEMS {
        return Err(call_err(name, "list too long"));
    }
    let mut v = Vec::with_capacity(l.len() + 1);
    v.push(args[1].clone());
    v.extend_from_slice(l);
    Ok(Value::list(v))
}

pub fn prepend(args: &[Value]) -> Result {
    prepend_impl("prepend", args)
}
pub fn must_prepend(args: &[Value]) -> Result {
    prepend_impl("mustPrepend", args)
}

fn chunk_impl(name: &'static str, args: &[Value]) -> Result {
    arity(name, args, 2)?;
    let size = arg_int(args, 0)?;
    let l = list_arg(name, "Cannot chunk type", &args[1])?;
    if size <= 0 {
        return Err(call_err(name, "runtime error: makeslice: len out of range"));
    }
    let chunks = l
        .chunks(size as usize)
        .map(|c| Value::list(c.to_vec()))
        .collect();
    Ok(Value::list(chunks))
}

pub fn chunk(args: &[Value]) -> Result {
    chunk_impl("chunk", args)
}
pub fn must_chunk(args: &[Value]) -> Result {
    chunk_impl("mustChunk", args)
}

pub fn concat(args: &[Value]) -> Result {
    let mut v = Vec::new();
    for a in args {
        match &a.kind {
            Kind::List(l) => {
                if v.len() + l.len() > MAX_ITEMS {
                    return Err(call_err("concat", "list too long"));
                }
                v.extend_from_slice(l)
            }
            Kind::Nil => {
                return Err(call_err(
                    "concat",
                    "runtime error: invalid memory address or nil pointer dereference",
                ));
            }
            _ => {
                return Err(call_err(
                    "concat",
                    &format!("Cannot concat type {} as list", kind_name(a)),
                ));
            }
        }
    }
    Ok(Value::list(v))
}

fn reverse_impl(name: &'static str, args: &[Value]) -> Result {
    arity(name, args, 1)?;
    let l = list_arg(name, "Cannot find reverse on type", &args[0])?;
    Ok(Value::list(l.iter().rev().cloned().collect()))
}

pub fn reverse(args: &[Value]) -> Result {
    reverse_impl("reverse", args)
}
pub fn must_reverse(args: &[Value]) -> Result {
    reverse_impl("mustReverse", args)
}

fn compact_impl(name: &'static str, args: &[Value]) -> Result {
    arity(name, args, 1)?;
    let l = list_arg(name, "Cannot compact on type", &args[0])?;
    Ok(Value::list(
        l.iter().filter(|v| !is_empty(v)).cloned().collect(),
    ))
}

pub fn compact(args: &[Value]) -> Result {
    compact_impl("compact", args)
}
pub fn must_compact(args: &[Value]) -> Result {
    compact_impl("mustCompact", args)
}

fn uniq_impl(name: &'static str, args: &[Value]) -> Result {
    arity(name, args, 1)?;
    let l = list_arg(name, "Cannot find uniq on type", &args[0])?;
    let mut out: Vec<Value> = Vec::new();
    for v in l {
        if !out.iter().any(|o| deep_equal_values(o, v)) {
            out.push(v.clone());
        }
    }
    Ok(Value::list(out))
}

pub fn uniq(args: &[Value]) -> Result {
    uniq_impl("uniq", args)
}
pub fn must_uniq(args: &[Value]) -> Result {
    uniq_impl("mustUniq", args)
}

fn without_impl(name: &'static str, args: &[Value]) -> Result {
    arity_min(name, args, 1)?;
    let l = list_arg(name, "Cannot find without on type", &args[0])?;
    let omit = &args[1..];
    Ok(Value::list(
        l.iter()
            .filter(|v| !omit.iter().any(|o| deep_equal_values(o, v)))
            .cloned()
            .collect(),
    ))
}

pub fn without(args: &[Value]) -> Result {
    without_impl("without", args)
}
pub fn must_without(args: &[Value]) -> Result {
    without_impl("mustWithout", args)
}

fn has_impl(name: &'static str, args: &[Value]) -> Result {
    arity(name, args, 2)?;
    if args[1].is_nil() {
        return Ok(Value::bool(false));
    }
    let l = list_arg(name, "Cannot find has on type", &args[1])?;
    Ok(Value::bool(
        l.iter().any(|v| deep_equal_values(v, &args[0])),
    ))
}

pub fn has(args: &[Value]) -> Result {
    has_impl("has", args)
}
pub fn must_has(args: &[Value]) -> Result {
    has_impl("mustHas", args)
}

/// Sprig's `slice list [start [end]]` (it replaces Go's built-in `slice` in Helm).
fn slice_impl(name: &'static str, args: &[Value]) -> Result {
    arity_min(name, args, 1)?;
    let l = match &args[0].kind {
        Kind::List(l) => l,
        Kind::Nil => {
            return Err(call_err(
                name,
                "runtime error: invalid memory address or nil pointer dereference",
            ));
        }
        _ => {
            return Err(call_err(
                name,
                &format!(
                    "list should be type of slice or array but {}",
                    kind_name(&args[0])
                ),
            ));
        }
    };
    if l.is_empty() {
        return Ok(Value::NIL);
    }
    let start = args.get(1).map(to_int64).unwrap_or(0);
    let end = if args.len() < 3 {
        l.len() as i64
    } else {
        to_int64(&args[2])
    };
    if start < 0 || end < start || end as u64 > l.len() as u64 {
        return Err(call_err(name, "reflect: slice index out of range"));
    }
    Ok(Value::list(l[start as usize..end as usize].to_vec()))
}

pub fn slice(args: &[Value]) -> Result {
    slice_impl("slice", args)
}
pub fn must_slice(args: &[Value]) -> Result {
    slice_impl("mustSlice", args)
}

// ---------------------------------------------------------------------------------------------
// Dicts.

/// `dict k1 v1 k2 v2 …`: keys as strings; a missing last value is "".
pub fn dict(args: &[Value]) -> Result {
    let mut m = BTreeMap::new();
    for pair in args.chunks(2) {
        let key = strval(&pair[0]);
        let val = pair.get(1).cloned().unwrap_or_else(|| Value::str(""));
        m.insert(key, val);
    }
    Ok(Value::map(m))
}

/// `get d key`: the value, or "" when missing.
pub fn get(args: &[Value]) -> Result {
    arity("get", args, 2)?;
    let m = map_arg(args, 0)?;
    let k = arg_str(args, 1)?;
    Ok(m.get(k).cloned().unwrap_or_else(|| Value::str("")))
}

/// `set d key value`: the map with the key set (Go changes `d` itself).
pub fn set(args: &[Value]) -> Result {
    arity("set", args, 3)?;
    let mut m = map_arg(args, 0)?;
    let k = arg_str(args, 1)?;
    Arc::make_mut(&mut m).insert(k.to_string(), args[2].clone());
    Ok(Value::new(Kind::Map(m)).with_origin(args[0].origin))
}

/// `unset d key`: the map without the key (Go changes `d` itself).
pub fn unset(args: &[Value]) -> Result {
    arity("unset", args, 2)?;
    let mut m = map_arg(args, 0)?;
    let k = arg_str(args, 1)?;
    if m.contains_key(k) {
        Arc::make_mut(&mut m).remove(k);
    }
    Ok(Value::new(Kind::Map(m)).with_origin(args[0].origin))
}

pub fn has_key(args: &[Value]) -> Result {
    arity("hasKey", args, 2)?;
    let m = map_arg(args, 0)?;
    let k = arg_str(args, 1)?;
    Ok(Value::bool(m.contains_key(k)))
}

/// `pluck key d1 d2 …`: the key's value from each dict that has it.
pub fn pluck(args: &[Value]) -> Result {
    arity_min("pluck", args, 1)?;
    let k = arg_str(args, 0)?;
    let mut out = Vec::new();
    for i in 1..args.len() {
        let m = map_arg(args, i)?;
        if let Some(v) = m.get(k) {
            out.push(v.clone());
        }
    }
    Ok(Value::list(out))
}

/// `keys d1 d2 …`: the keys of each dict (sorted per dict), concatenated.
pub fn keys(args: &[Value]) -> Result {
    let mut out = Vec::new();
    for i in 0..args.len() {
        let m = map_arg(args, i)?;
        out.extend(m.keys().map(|k| Value::str(k.as_str())));
    }
    Ok(Value::list(out))
}

/// `values d`: the values in sorted key order.
pub fn values(args: &[Value]) -> Result {
    arity("values", args, 1)?;
    let m = map_arg(args, 0)?;
    Ok(Value::list(m.values().cloned().collect()))
}

fn string_args(args: &[Value]) -> std::result::Result<Vec<&str>, String> {
    (0..args.len()).map(|i| arg_str(args, i)).collect()
}

pub fn pick(args: &[Value]) -> Result {
    arity_min("pick", args, 1)?;
    let m = map_arg(args, 0)?;
    let ks = string_args(&args[1..])?;
    let out: Map = m
        .iter()
        .filter(|(k, _)| ks.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(Value::map(out))
}

pub fn omit(args: &[Value]) -> Result {
    arity_min("omit", args, 1)?;
    let m = map_arg(args, 0)?;
    let ks = string_args(&args[1..])?;
    let out: Map = m
        .iter()
        .filter(|(k, _)| !ks.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(Value::map(out))
}

/// `dig k1 k2 … default d`: walks nested dicts; the default when a key is missing.
pub fn dig(args: &[Value]) -> Result {
    if args.len() < 3 {
        return Err(call_err("dig", "dig needs at least three arguments"));
    }
    let n = args.len();
    let dict = &args[n - 1];
    let default = &args[n - 2];
    let mut keys = Vec::with_capacity(n - 2);
    for k in &args[..n - 2] {
        match &k.kind {
            Kind::Str(s) => keys.push(s.clone()),
            _ => {
                return Err(call_err(
                    "dig",
                    &format!(
                        "interface conversion: interface {{}} is {}, not string",
                        type_name(k)
                    ),
                ));
            }
        }
    }
    let mut cur = match &dict.kind {
        Kind::Map(m) => m.clone(),
        _ => {
            return Err(call_err(
                "dig",
                &format!(
                    "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                    if dict.is_nil() {
                        "nil".to_string()
                    } else {
                        type_name(dict)
                    }
                ),
            ));
        }
    };
    for (i, k) in keys.iter().enumerate() {
        let Some(step) = cur.get(&**k) else {
            return Ok(default.clone());
        };
        if i + 1 == keys.len() {
            return Ok(step.clone());
        }
        cur = match &step.kind {
            Kind::Map(m) => m.clone(),
            _ => {
                return Err(call_err(
                    "dig",
                    &format!(
                        "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                        if step.is_nil() {
                            "nil".to_string()
                        } else {
                            type_name(step)
                        }
                    ),
                ));
            }
        };
    }
    Ok(default.clone())
}

/// mergo's deep merge of `src` into `dst` (`overwrite`: `WithOverride`).
fn merge_into(dst: &mut Map, src: &Map, overwrite: bool, depth: usize) {
    if depth > 100 {
        return;
    }
    for (k, sv) in src {
        let dv = dst.get(k);
        if sv.is_nil() {
            if overwrite {
                dst.insert(k.clone(), sv.clone());
            }
            continue;
        }
        match (&sv.kind, dv.map(|d| &d.kind)) {
            (Kind::Map(sm), Some(Kind::Map(dm))) => {
                if dm.is_empty() {
                    dst.insert(k.clone(), sv.clone());
                } else {
                    let mut merged = (**dm).clone();
                    merge_into(&mut merged, sm, overwrite, depth + 1);
                    let origin = dv.and_then(|d| d.origin);
                    dst.insert(k.clone(), Value::map(merged).with_origin(origin));
                }
                continue;
            }
            (Kind::List(_), Some(_)) if !is_empty(dv.unwrap_or(&Value::NIL)) => {
                if overwrite {
                    dst.insert(k.clone(), sv.clone());
                }
                continue;
            }
            _ => {}
        }
        let dst_empty = dv.is_none_or(is_empty);
        if overwrite || dst_empty {
            dst.insert(k.clone(), sv.clone());
        }
    }
}

fn merge_impl(name: &'static str, args: &[Value], overwrite: bool) -> Result {
    arity_min(name, args, 1)?;
    let mut dst = map_arg(args, 0)?;
    for i in 1..args.len() {
        let src = map_arg(args, i)?;
        merge_into(Arc::make_mut(&mut dst), &src, overwrite, 0);
    }
    Ok(Value::new(Kind::Map(dst)).with_origin(args[0].origin))
}

pub fn merge(args: &[Value]) -> Result {
    merge_impl("merge", args, false)
}
pub fn must_merge(args: &[Value]) -> Result {
    merge_impl("mustMerge", args, false)
}
pub fn merge_overwrite(args: &[Value]) -> Result {
    merge_impl("mergeOverwrite", args, true)
}
pub fn must_merge_overwrite(args: &[Value]) -> Result {
    merge_impl("mustMergeOverwrite", args, true)
}

#[cfg(test)]
#[allow(clippy::cloned_ref_to_slice_refs)]
mod tests {
    use super::super::gofmt::display;
    use super::*;

    fn call(f: super::super::Func, args: &[Value]) -> String {
        match f(args) {
            Ok(v) => display(&v),
            Err(e) => format!("ERR {e}"),
        }
    }
    fn s(x: &str) -> Value {
        Value::str(x)
    }
    fn i(x: i64) -> Value {
        Value::int(x)
    }
    fn l(v: Vec<Value>) -> Value {
        Value::list(v)
    }
    fn d(pairs: &[(&str, Value)]) -> Value {
        Value::map(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn lists() {
        let abc = l(vec![s("a"), s("b"), s("c")]);
        assert_eq!(call(first, &[abc.clone()]), "a");
        assert_eq!(call(last, &[abc.clone()]), "c");
        assert_eq!(call(rest, &[abc.clone()]), "[b c]");
        assert_eq!(call(initial, &[abc.clone()]), "[a b]");
        assert_eq!(call(first, &[l(vec![])]), "<nil>");
        assert_eq!(call(append, &[abc.clone(), s("d")]), "[a b c d]");
        assert_eq!(call(prepend, &[abc.clone(), s("z")]), "[z a b c]");
        assert_eq!(call(reverse, &[abc.clone()]), "[c b a]");
        assert_eq!(call(chunk, &[i(2), abc.clone()]), "[[a b] [c]]");
        assert_eq!(call(concat, &[abc.clone(), l(vec![i(1)])]), "[a b c 1]");
        assert_eq!(call(uniq, &[l(vec![i(1), i(1), s("1")])]), "[1 1]");
        assert_eq!(call(without, &[abc.clone(), s("b")]), "[a c]");
        assert_eq!(call(has, &[s("b"), abc.clone()]), "true");
        assert_eq!(
            call(compact, &[l(vec![s(""), i(0), s("x"), Value::NIL])]),
            "[x]"
        );
        assert_eq!(call(slice, &[abc.clone(), i(1)]), "[b c]");
        assert_eq!(call(slice, &[abc.clone(), i(1), i(2)]), "[b]");
        assert!(call(slice, &[abc.clone(), i(1), i(5)]).starts_with("ERR"));
        assert_eq!(
            call(first, &[s("x")]),
            "ERR error calling first: Cannot find first on type string"
        );
        assert_eq!(
            call(push, &[i(1), s("x")]),
            "ERR error calling push: Cannot push on type int"
        );
    }

    #[test]
    fn dicts() {
        let m = d(&[("a", i(1)), ("b", d(&[("c", s("x"))]))]);
        assert_eq!(call(dict, &[s("k"), i(1), s("odd")]), "map[k:1 odd:]");
        assert_eq!(call(get, &[m.clone(), s("a")]), "1");
        assert_eq!(call(get, &[m.clone(), s("zz")]), "");
        assert_eq!(
            call(set, &[m.clone(), s("z"), i(9)]),
            "map[a:1 b:map[c:x] z:9]"
        );
        assert_eq!(call(unset, &[m.clone(), s("a")]), "map[b:map[c:x]]");
        assert_eq!(call(has_key, &[m.clone(), s("b")]), "true");
        assert_eq!(call(keys, &[m.clone()]), "[a b]");
        assert_eq!(call(values, &[m.clone()]), "[1 map[c:x]]");
        assert_eq!(call(pick, &[m.clone(), s("a")]), "map[a:1]");
        assert_eq!(call(omit, &[m.clone(), s("a")]), "map[b:map[c:x]]");
        assert_eq!(
            call(pluck, &[s("a"), m.clone(), d(&[("a", i(2))])]),
            "[1 2]"
        );
        assert_eq!(call(dig, &[s("b"), s("c"), s("def"), m.clone()]), "x");
        assert_eq!(call(dig, &[s("b"), s("q"), s("def"), m.clone()]), "def");
        let dst = d(&[("a", i(0)), ("keep", s("k")), ("n", d(&[("x", i(1))]))]);
        let src = d(&[
            ("a", i(5)),
            ("keep", s("other")),
            ("n", d(&[("y", i(2)), ("x", i(9))])),
            ("new", Value::bool(true)),
        ]);
        assert_eq!(
            call(merge, &[dst.clone(), src.clone()]),
            "map[a:5 keep:k n:map[x:1 y:2] new:true]"
        );
        assert_eq!(
            call(merge_overwrite, &[dst, src]),
            "map[a:5 keep:other n:map[x:9 y:2] new:true]"
        );
    }
}
