//! A stand-in for `crate::helm::funcs` until that module is on this branch: Go's `%v` printing
//! and the few built-ins the engine's own tests use. Replaced by `funcs::lookup` and
//! `funcs::gofmt::display` when they land.

use crate::helm::value::{Kind, Value};

pub(crate) type Func = fn(&[Value]) -> Result<Value, String>;

pub(crate) fn lookup(name: &str) -> Option<Func> {
    Some(match name {
        "not" => |a: &[Value]| {
            arity("not", a, 1)?;
            Ok(Value::bool(!a[0].truthy()))
        },
        "eq" => |a: &[Value]| {
            if a.len() < 2 {
                return Err(format!(
                    "wrong number of args for eq: want at least 1 got {}",
                    a.len()
                ));
            }
            Ok(Value::bool(a[1..].iter().any(|b| same(&a[0], b))))
        },
        "ne" => |a: &[Value]| {
            arity("ne", a, 2)?;
            Ok(Value::bool(!same(&a[0], &a[1])))
        },
        "len" => |a: &[Value]| {
            arity("len", a, 1)?;
            match &a[0].kind {
                Kind::Str(s) => Ok(Value::int(s.len() as i64)),
                Kind::List(l) => Ok(Value::int(l.len() as i64)),
                Kind::Map(m) => Ok(Value::int(m.len() as i64)),
                _ => Err("error calling len: len of type".into()),
            }
        },
        "index" => |a: &[Value]| {
            let mut v = a.first().cloned().unwrap_or(Value::NIL);
            for k in a.iter().skip(1) {
                v = match (&v.kind, &k.kind) {
                    (Kind::Map(m), Kind::Str(s)) => m.get(&**s).cloned().unwrap_or(Value::NIL),
                    (Kind::List(l), Kind::Int(i)) => usize::try_from(*i)
                        .ok()
                        .and_then(|i| l.get(i).cloned())
                        .ok_or_else(|| format!("error calling index: index out of range: {i}"))?,
                    _ => return Err("error calling index: cannot index".into()),
                };
            }
            Ok(v)
        },
        "print" => |a: &[Value]| {
            let mut s = String::new();
            for (i, v) in a.iter().enumerate() {
                let is_str = |v: &Value| matches!(v.kind, Kind::Str(_));
                if i > 0 && !is_str(v) && !is_str(&a[i - 1]) {
                    s.push(' ');
                }
                s.push_str(&display(v));
            }
            Ok(Value::str(s))
        },
        "printf" => |a: &[Value]| {
            let Some(Kind::Str(f)) = a.first().map(|v| &v.kind) else {
                return Err("printf: format".into());
            };
            let mut out = String::new();
            let mut args = a[1..].iter();
            let mut chars = f.chars();
            while let Some(c) = chars.next() {
                if c != '%' {
                    out.push(c);
                    continue;
                }
                match chars.next() {
                    Some('%') => out.push('%'),
                    Some('q') => out.push_str(&format!(
                        "{:?}",
                        display(args.next().unwrap_or(&Value::NIL))
                    )),
                    Some(_) => out.push_str(&display(args.next().unwrap_or(&Value::NIL))),
                    None => out.push_str("%!(NOVERB)"),
                }
            }
            Ok(Value::str(out))
        },
        "list" => |a: &[Value]| Ok(Value::list(a.to_vec())),
        "rest" => |a: &[Value]| {
            arity("rest", a, 1)?;
            match &a[0].kind {
                Kind::List(l) => Ok(Value::list(l.iter().skip(1).cloned().collect())),
                _ => Err("error calling rest: not a list".into()),
            }
        },
        "gt" => |a: &[Value]| {
            arity("gt", a, 2)?;
            match (&a[0].kind, &a[1].kind) {
                (Kind::Int(x), Kind::Int(y)) => Ok(Value::bool(x > y)),
                _ => Err("error calling gt: incompatible types for comparison".into()),
            }
        },
        "dict" => |a: &[Value]| {
            let mut m = crate::helm::value::Map::new();
            for p in a.chunks(2) {
                let k = match &p[0].kind {
                    Kind::Str(s) => s.to_string(),
                    _ => display(&p[0]),
                };
                m.insert(k, p.get(1).cloned().unwrap_or(Value::str("")));
            }
            Ok(Value::map(m))
        },
        "default" => |a: &[Value]| {
            arity("default", a, 2)?;
            Ok(if a[1].truthy() {
                a[1].clone()
            } else {
                a[0].clone()
            })
        },
        "upper" => |a: &[Value]| {
            arity("upper", a, 1)?;
            Ok(Value::str(display(&a[0]).to_uppercase()).with_origin(a[0].origin))
        },
        "quote" => |a: &[Value]| {
            let parts: Vec<String> = a
                .iter()
                .filter(|v| !v.is_nil())
                .map(|v| format!("{:?}", display(v)))
                .collect();
            Ok(Value::str(parts.join(" ")).with_origin(a.last().and_then(|v| v.origin)))
        },
        "nindent" => |a: &[Value]| {
            arity("nindent", a, 2)?;
            let Kind::Int(n) = a[0].kind else {
                return Err("wrong type for value; expected int".into());
            };
            let pad = " ".repeat(n.clamp(0, 1000) as usize);
            let s = display(&a[1]);
            Ok(
                Value::str(format!("\n{pad}{}", s.replace('\n', &format!("\n{pad}"))))
                    .with_origin(a[1].origin),
            )
        },
        "set" => |a: &[Value]| {
            arity("set", a, 3)?;
            let (Kind::Map(m), Kind::Str(k)) = (&a[0].kind, &a[1].kind) else {
                return Err("wrong type for value; expected map[string]interface {}".into());
            };
            let mut m = (**m).clone();
            m.insert(k.to_string(), a[2].clone());
            Ok(Value::map(m).with_origin(a[0].origin))
        },
        _ => return None,
    })
}

fn arity(name: &str, a: &[Value], n: usize) -> Result<(), String> {
    if a.len() != n {
        return Err(format!(
            "wrong number of args for {name}: want {n} got {}",
            a.len()
        ));
    }
    Ok(())
}

fn same(a: &Value, b: &Value) -> bool {
    match (&a.kind, &b.kind) {
        (Kind::Nil, Kind::Nil) => true,
        (Kind::Bool(x), Kind::Bool(y)) => x == y,
        (Kind::Int(x), Kind::Int(y)) => x == y,
        (Kind::Float(x), Kind::Float(y)) => x == y,
        (Kind::Str(x), Kind::Str(y)) => x == y,
        _ => false,
    }
}

/// Go's `fmt.Sprint` of one value (`%v`).
pub(crate) fn display(v: &Value) -> String {
    let mut s = String::new();
    write_value(&mut s, v);
    s
}

fn write_value(s: &mut String, v: &Value) {
    match &v.kind {
        Kind::Nil => s.push_str("<nil>"),
        Kind::Bool(b) => s.push_str(if *b { "true" } else { "false" }),
        Kind::Int(i) => s.push_str(&i.to_string()),
        Kind::Float(x) => s.push_str(&go_float(*x)),
        Kind::Str(t) => s.push_str(t),
        Kind::List(l) => {
            s.push('[');
            for (i, e) in l.iter().enumerate() {
                if i > 0 {
                    s.push(' ');
                }
                write_value(s, e);
            }
            s.push(']');
        }
        Kind::Map(m) => {
            s.push_str("map[");
            for (i, (k, e)) in m.iter().enumerate() {
                if i > 0 {
                    s.push(' ');
                }
                s.push_str(k);
                s.push(':');
                write_value(s, e);
            }
            s.push(']');
        }
        Kind::Native(n) => s.push_str(&n.display()),
    }
}

/// `strconv.FormatFloat(x, 'g', -1, 64)`: shortest digits, exponent when it is < -4 or >= 6 (Go's shortest `%g`).
fn go_float(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if x == 0.0 {
        return if x.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let e = format!("{x:e}");
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mant}e{sign}{:02}", exp.abs());
    }
    format!("{x}")
}
