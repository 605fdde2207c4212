//! The pure built-in functions of Go's `text/template`: `print printf println len index not eq ne
//! lt le gt ge html js urlquery` (`slice` is Sprig's, which shadows Go's in Helm; see `lists`).

use super::super::value::{Kind, Value};
use super::gofmt;
use super::{Result, arity, arity_min, call_err, type_name};
use std::fmt::Write as _;

pub fn print(args: &[Value]) -> Result {
    Ok(Value::str(gofmt::sprint(args)).with_origin(last_origin(args)))
}

pub fn println(args: &[Value]) -> Result {
    Ok(Value::str(gofmt::sprintln(args)).with_origin(last_origin(args)))
}

pub fn printf(args: &[Value]) -> Result {
    arity_min("printf", args, 1)?;
    let format = super::arg_str(args, 0)?;
    let rest = &args[1..];
    Ok(Value::str(gofmt::sprintf(format, rest)).with_origin(last_origin(rest)))
}

/// The origin of the last argument: in a pipeline that is the piped value.
fn last_origin(args: &[Value]) -> Option<super::super::value::Origin> {
    args.last().and_then(|a| a.origin)
}

pub fn len(args: &[Value]) -> Result {
    arity("len", args, 1)?;
    let n = match &args[0].kind {
        Kind::Str(s) => s.len(),
        Kind::List(l) => l.len(),
        Kind::Map(m) => m.len(),
        Kind::Nil => return Err(call_err("len", "len of nil pointer")),
        _ => {
            return Err(call_err(
                "len",
                &format!("len of type {}", type_name(&args[0])),
            ));
        }
    };
    Ok(Value::int(n as i64))
}

pub fn not(args: &[Value]) -> Result {
    arity("not", args, 1)?;
    Ok(Value::bool(!args[0].truthy()))
}

/// `index x 1 "key" …`: lists and strings by integer, maps by string; a missing map key gives nil.
pub fn index(args: &[Value]) -> Result {
    arity_min("index", args, 1)?;
    let mut item = args[0].clone();
    if item.is_nil() {
        return Err(call_err("index", "index of untyped nil"));
    }
    for idx in &args[1..] {
        item = match &item.kind {
            Kind::Nil => return Err(call_err("index", "index of nil pointer")),
            Kind::List(l) => {
                let i = index_arg(idx, l.len())?;
                match l.get(i) {
                    Some(v) => v.clone(),
                    None => return Err(call_err("index", &format!("index out of range: {i}"))),
                }
            }
            Kind::Str(s) => {
                let i = index_arg(idx, s.len())?;
                match s.as_bytes().get(i) {
                    Some(b) => Value::int(i64::from(*b)),
                    None => return Err(call_err("index", &format!("index out of range: {i}"))),
                }
            }
            Kind::Map(m) => match &idx.kind {
                Kind::Str(k) => m.get(&**k).cloned().unwrap_or(Value::NIL),
                Kind::Nil => {
                    return Err(call_err("index", "value is nil; should be of type string"));
                }
                _ => {
                    return Err(call_err(
                        "index",
                        &format!("value has type {}; should be string", type_name(idx)),
                    ));
                }
            },
            _ => {
                return Err(call_err(
                    "index",
                    &format!("can't index item of type {}", type_name(&item)),
                ));
            }
        };
    }
    Ok(item)
}

/// Go's `indexArg`: an integer in `0..len`.
fn index_arg(idx: &Value, len: usize) -> std::result::Result<usize, String> {
    let x = match &idx.kind {
        Kind::Int(i) => *i,
        Kind::Nil => return Err(call_err("index", "cannot index slice/array with nil")),
        _ => {
            return Err(call_err(
                "index",
                &format!("cannot index slice/array with type {}", type_name(idx)),
            ));
        }
    };
    if x < 0 || x as u64 >= len as u64 {
        return Err(call_err("index", &format!("index out of range: {x}")));
    }
    Ok(x as usize)
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Basic {
    Invalid,
    Bool,
    Int,
    Float,
    Str,
}

fn basic(v: &Value) -> Basic {
    match v.kind {
        Kind::Bool(_) => Basic::Bool,
        Kind::Int(_) => Basic::Int,
        Kind::Float(_) => Basic::Float,
        Kind::Str(_) => Basic::Str,
        _ => Basic::Invalid,
    }
}

const BAD_COMPARISON: &str = "incompatible types for comparison";
const BAD_COMPARISON_TYPE: &str = "invalid type for comparison";

/// Go's `eq arg1 arg2 …`: true when arg1 equals any of the others.
pub fn eq(args: &[Value]) -> Result {
    arity_min("eq", args, 1)?;
    Ok(Value::bool(eq_values("eq", &args[0], &args[1..])?))
}

fn eq_values(name: &str, a: &Value, others: &[Value]) -> std::result::Result<bool, String> {
    if others.is_empty() {
        return Err(call_err(name, "missing argument for comparison"));
    }
    let k1 = basic(a);
    for b in others {
        let k2 = basic(b);
        let truth = if k1 != k2 {
            if !a.is_nil() && !b.is_nil() {
                return Err(call_err(
                    name,
                    &format!("{BAD_COMPARISON}: {} and {}", type_name(a), type_name(b)),
                ));
            }
            false
        } else {
            match (&a.kind, &b.kind) {
                (Kind::Bool(x), Kind::Bool(y)) => x == y,
                (Kind::Int(x), Kind::Int(y)) => x == y,
                (Kind::Float(x), Kind::Float(y)) => x == y,
                (Kind::Str(x), Kind::Str(y)) => x == y,
                (Kind::Nil, Kind::Nil) => true,
                (Kind::Nil, _) | (_, Kind::Nil) => false,
                (Kind::List(_), Kind::List(_)) | (Kind::Map(_), Kind::Map(_)) => {
                    return Err(call_err(
                        name,
                        &format!(
                            "non-comparable type {}: {}",
                            gofmt::display(b),
                            type_name(b)
                        ),
                    ));
                }
                (Kind::Native(x), Kind::Native(y)) => {
                    // Go compares struct pointers by identity.
                    std::ptr::addr_eq(std::sync::Arc::as_ptr(x), std::sync::Arc::as_ptr(y))
                }
                _ => {
                    return Err(call_err(
                        name,
                        &format!(
                            "non-comparable types {}: {}, {}: {}",
                            gofmt::display(a),
                            type_name(a),
                            type_name(b),
                            gofmt::display(b)
                        ),
                    ));
                }
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

pub fn ne(args: &[Value]) -> Result {
    arity("ne", args, 2)?;
    Ok(Value::bool(!eq_values("ne", &args[0], &args[1..])?))
}

fn less(name: &str, a: &Value, b: &Value) -> std::result::Result<bool, String> {
    let (k1, k2) = (basic(a), basic(b));
    if k1 == Basic::Invalid || k2 == Basic::Invalid {
        return Err(call_err(name, BAD_COMPARISON_TYPE));
    }
    if k1 != k2 {
        return Err(call_err(
            name,
            &format!("{BAD_COMPARISON}: {} and {}", type_name(a), type_name(b)),
        ));
    }
    Ok(match (&a.kind, &b.kind) {
        (Kind::Int(x), Kind::Int(y)) => x < y,
        (Kind::Float(x), Kind::Float(y)) => x < y,
        (Kind::Str(x), Kind::Str(y)) => x.as_bytes() < y.as_bytes(),
        _ => return Err(call_err(name, BAD_COMPARISON_TYPE)),
    })
}

pub fn lt(args: &[Value]) -> Result {
    arity("lt", args, 2)?;
    Ok(Value::bool(less("lt", &args[0], &args[1])?))
}

pub fn le(args: &[Value]) -> Result {
    arity("le", args, 2)?;
    let l = less("le", &args[0], &args[1])?;
    Ok(Value::bool(l || eq_values("le", &args[0], &args[1..])?))
}

pub fn gt(args: &[Value]) -> Result {
    arity("gt", args, 2)?;
    let l = less("gt", &args[0], &args[1])?;
    Ok(Value::bool(!(l || eq_values("gt", &args[0], &args[1..])?)))
}

pub fn ge(args: &[Value]) -> Result {
    arity("ge", args, 2)?;
    Ok(Value::bool(!less("ge", &args[0], &args[1])?))
}

/// The text the escapers work on: a single string argument as is, else `fmt.Sprint(args…)`.
fn escaper_input(args: &[Value]) -> String {
    if let [v] = args
        && let Kind::Str(s) = &v.kind
    {
        return s.to_string();
    }
    gofmt::sprint(args)
}

pub fn html(args: &[Value]) -> Result {
    let s = escaper_input(args);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    Ok(Value::str(out).with_origin(last_origin(args)))
}

pub fn js(args: &[Value]) -> Result {
    let s = escaper_input(args);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c if c.is_ascii() => out.push(c),
            c if gofmt::is_print(c) => out.push(c),
            c => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
        }
    }
    Ok(Value::str(out).with_origin(last_origin(args)))
}

pub fn urlquery(args: &[Value]) -> Result {
    let s = escaper_input(args);
    Ok(Value::str(query_escape(&s)).with_origin(last_origin(args)))
}

/// Go's `url.QueryEscape`.
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::str(x)
    }
    fn i(x: i64) -> Value {
        Value::int(x)
    }

    #[test]
    fn comparisons() {
        assert!(eq(&[i(1), i(2), i(1)]).unwrap().truthy());
        assert!(!eq(&[s("a"), s("b")]).unwrap().truthy());
        assert!(!eq(&[Value::NIL, s("b")]).unwrap().truthy());
        assert!(eq(&[Value::NIL, Value::NIL]).unwrap().truthy());
        assert_eq!(
            eq(&[i(1), Value::float(1.0)]).unwrap_err(),
            "error calling eq: incompatible types for comparison: int and float64"
        );
        assert!(lt(&[i(1), i(2)]).unwrap().truthy());
        assert!(ge(&[s("b"), s("a")]).unwrap().truthy());
        assert!(le(&[i(2), i(2)]).unwrap().truthy());
        assert!(!gt(&[i(2), i(2)]).unwrap().truthy());
        assert_eq!(
            lt(&[Value::NIL, i(1)]).unwrap_err(),
            "error calling lt: invalid type for comparison"
        );
        assert!(ne(&[s("a"), s("b")]).unwrap().truthy());
    }

    #[test]
    fn indexing() {
        let l = Value::list(vec![s("a"), s("b")]);
        assert_eq!(index(&[l.clone(), i(1)]).unwrap().as_str(), Some("b"));
        assert_eq!(
            index(&[l.clone(), i(3)]).unwrap_err(),
            "error calling index: index out of range: 3"
        );
        let mut m = std::collections::BTreeMap::new();
        m.insert("k".to_string(), l);
        let m = Value::map(m);
        assert_eq!(
            index(&[m.clone(), s("k"), i(0)]).unwrap().as_str(),
            Some("a")
        );
        assert!(index(&[m.clone(), s("zz")]).unwrap().is_nil());
        assert_eq!(
            index(&[m, s("zz"), i(0)]).unwrap_err(),
            "error calling index: index of nil pointer"
        );
        assert_eq!(
            index(&[Value::NIL, i(0)]).unwrap_err(),
            "error calling index: index of untyped nil"
        );
    }

    #[test]
    fn escapers_and_len() {
        assert_eq!(
            html(&[s("<a href=\"x\">'&'</a>")]).unwrap().as_str(),
            Some("&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        );
        assert_eq!(
            js(&[s("a'b\"<=>\n")]).unwrap().as_str(),
            Some("a\\'b\\\"\\u003C\\u003D\\u003E\\u000A")
        );
        assert_eq!(
            urlquery(&[s("a b&c=d/é")]).unwrap().as_str(),
            Some("a+b%26c%3Dd%2F%C3%A9")
        );
        assert_eq!(len(&[s("héllo")]).unwrap().kind_int(), Some(6));
        assert!(len(&[i(1)]).is_err());
        assert!(!not(&[s("x")]).unwrap().truthy());
    }

    impl Value {
        fn kind_int(&self) -> Option<i64> {
            match self.kind {
                Kind::Int(i) => Some(i),
                _ => None,
            }
        }
    }
}
