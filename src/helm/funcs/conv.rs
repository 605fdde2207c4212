//! Sprig's conversions (`atoi int int64 float64 toDecimal toString toStrings`), its loose
//! coercions shared by the other families (`strval`, spf13/cast's `ToInt64`/`ToFloat64`), the
//! defaults family (`default empty coalesce all any ternary`) and the reflection family
//! (`typeOf typeIs typeIsLike kindOf kindIs deepEqual deepCopy`).

use super::super::value::{Kind, Value};
use super::{Result, arg_str, arity, arity_min, gofmt};

/// Sprig's `strval`: strings as they are, everything else as `fmt`'s `%v`.
pub fn strval(v: &Value) -> String {
    match &v.kind {
        Kind::Str(s) => s.to_string(),
        _ => gofmt::display(v),
    }
}

/// Sprig's `strslice`: a list's non-nil items as strings; a non-list as a one-item list; nil as
/// an empty list.
pub fn strslice(v: &Value) -> Vec<String> {
    match &v.kind {
        Kind::List(l) => l.iter().filter(|x| !x.is_nil()).map(strval).collect(),
        Kind::Nil => Vec::new(),
        _ => vec![strval(v)],
    }
}

/// Go's `int64(f)` for a float64 as amd64 computes it (out of range and NaN give the minimum).
pub fn float_to_int(f: f64) -> i64 {
    if f.is_nan() || !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f) {
        i64::MIN
    } else {
        f.trunc() as i64
    }
}

/// spf13/cast's `trimZeroDecimal`: `"10.00"` → `"10"`.
fn trim_zero_decimal(s: &str) -> &str {
    let b = s.as_bytes();
    let mut found_zero = false;
    for i in (1..=b.len()).rev() {
        match b[i - 1] {
            b'.' => {
                if found_zero {
                    return &s[..i - 1];
                }
            }
            b'0' => found_zero = true,
            _ => return s,
        }
    }
    s
}

/// Go's `strconv.ParseInt(s, 0, 64)`: sign, `0x`/`0o`/`0b`/leading-`0` octal prefixes,
/// underscores only after a prefix.
pub fn parse_int_base0(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    let lower = body.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(r) = lower.strip_prefix("0x") {
        (16, r.to_string(), true)
    } else if let Some(r) = lower.strip_prefix("0o") {
        (8, r.to_string(), true)
    } else if let Some(r) = lower.strip_prefix("0b") {
        (2, r.to_string(), true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string(), true)
    } else {
        (10, lower, false)
    };
    let digits = if prefixed {
        // Underscores must separate digits.
        if digits.starts_with('_') && radix != 8 || digits.ends_with('_') || digits.contains("__") {
            return None;
        }
        digits.replace('_', "")
    } else {
        if digits.contains('_') {
            return None;
        }
        digits
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let mag = u64::from_str_radix(&digits, radix).ok()?;
    if neg {
        if mag > 1 << 63 {
            None
        } else {
            Some((mag as i64).wrapping_neg())
        }
    } else {
        i64::try_from(mag).ok()
    }
}

/// spf13/cast's `ToInt64` as Sprig uses it (errors become 0).
pub fn to_int64(v: &Value) -> i64 {
    match &v.kind {
        Kind::Int(i) => *i,
        Kind::Float(f) => float_to_int(*f),
        Kind::Bool(b) => i64::from(*b),
        Kind::Str(s) => parse_int_base0(trim_zero_decimal(s)).unwrap_or(0),
        _ => 0,
    }
}

/// spf13/cast's `ToFloat64` as Sprig uses it (errors become 0).
pub fn to_float64(v: &Value) -> f64 {
    match &v.kind {
        Kind::Int(i) => *i as f64,
        Kind::Float(f) => *f,
        Kind::Bool(b) => f64::from(u8::from(*b)),
        Kind::Str(s) => parse_go_float(s).unwrap_or(0.0),
        _ => 0.0,
    }
}

/// Go's `strconv.ParseFloat(s, 64)` for decimal input (hexadecimal floats are not accepted).
pub fn parse_go_float(s: &str) -> Option<f64> {
    let t = s.replace('_', "");
    if t.is_empty() || t.contains(' ') {
        return None;
    }
    let lower = t.to_ascii_lowercase();
    let body = lower.trim_start_matches(['+', '-']);
    if matches!(body, "inf" | "infinity" | "nan") {
        return t.parse::<f64>().ok();
    }
    if !body
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | '+' | '-'))
    {
        return None;
    }
    t.parse::<f64>().ok()
}

pub fn atoi(args: &[Value]) -> Result {
    arity("atoi", args, 1)?;
    let s = arg_str(args, 0)?;
    // strconv.Atoi: base 10, optional sign; out of range clamps; other errors give 0.
    let t = s.strip_prefix('+').unwrap_or(s);
    let n = if !t.is_empty()
        && t.trim_start_matches('-')
            .chars()
            .all(|c| c.is_ascii_digit())
        && t.matches('-').count() <= 1
        && (!t.contains('-') || t.starts_with('-'))
        && t != "-"
    {
        t.parse::<i64>().unwrap_or(if t.starts_with('-') {
            i64::MIN
        } else {
            i64::MAX
        })
    } else {
        0
    };
    Ok(Value::int(n).with_origin(args[0].origin))
}

pub fn int(args: &[Value]) -> Result {
    arity("int", args, 1)?;
    Ok(Value::int(to_int64(&args[0])).with_origin(args[0].origin))
}

pub fn int64(args: &[Value]) -> Result {
    arity("int64", args, 1)?;
    Ok(Value::int(to_int64(&args[0])).with_origin(args[0].origin))
}

pub fn float64(args: &[Value]) -> Result {
    arity("float64", args, 1)?;
    Ok(Value::float(to_float64(&args[0])).with_origin(args[0].origin))
}

/// `toDecimal`: the operand's text read as an octal number (`toDecimal "0777"` is 511).
pub fn to_decimal(args: &[Value]) -> Result {
    arity("toDecimal", args, 1)?;
    let s = strval(&args[0]);
    let t = s.strip_prefix('+').unwrap_or(&s);
    let (neg, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t),
    };
    let n = if !digits.is_empty() && digits.chars().all(|c| ('0'..='7').contains(&c)) {
        match i64::from_str_radix(digits, 8) {
            Ok(v) if neg => -v,
            Ok(v) => v,
            Err(_) => 0,
        }
    } else {
        0
    };
    Ok(Value::int(n).with_origin(args[0].origin))
}

pub fn to_string(args: &[Value]) -> Result {
    arity("toString", args, 1)?;
    Ok(Value::str(strval(&args[0])).with_origin(args[0].origin))
}

pub fn to_strings(args: &[Value]) -> Result {
    arity("toStrings", args, 1)?;
    let items = match &args[0].kind {
        Kind::List(l) => l
            .iter()
            .filter(|x| !x.is_nil())
            .map(|x| Value::str(strval(x)).with_origin(x.origin))
            .collect(),
        Kind::Nil => Vec::new(),
        _ => vec![Value::str(strval(&args[0])).with_origin(args[0].origin)],
    };
    Ok(Value::list(items))
}

/// Sprig's `empty`: Go's falsiness (nil, false, 0, "", empty list or map).
pub fn is_empty(v: &Value) -> bool {
    !v.truthy()
}

pub fn default(args: &[Value]) -> Result {
    arity_min("default", args, 1)?;
    // `default d` with no given value, or an empty given value, yields d.
    match args.get(1) {
        Some(given) if !is_empty(given) => Ok(given.clone()),
        _ => Ok(args[0].clone()),
    }
}

pub fn empty(args: &[Value]) -> Result {
    arity("empty", args, 1)?;
    Ok(Value::bool(is_empty(&args[0])))
}

pub fn coalesce(args: &[Value]) -> Result {
    Ok(args
        .iter()
        .find(|v| !is_empty(v))
        .cloned()
        .unwrap_or(Value::NIL))
}

pub fn all(args: &[Value]) -> Result {
    Ok(Value::bool(args.iter().all(|v| !is_empty(v))))
}

pub fn any(args: &[Value]) -> Result {
    Ok(Value::bool(args.iter().any(|v| !is_empty(v))))
}

pub fn ternary(args: &[Value]) -> Result {
    arity("ternary", args, 3)?;
    let cond = match &args[2].kind {
        Kind::Bool(b) => *b,
        Kind::Nil => return Err("invalid value; expected bool".to_string()),
        _ => {
            return Err(format!(
                "wrong type for value; expected bool; got {}",
                gofmt::type_name(&args[2])
            ));
        }
    };
    Ok(if cond {
        args[0].clone()
    } else {
        args[1].clone()
    })
}

/// Go's `reflect.Kind` name of a value.
pub fn kind_name(v: &Value) -> &'static str {
    match &v.kind {
        Kind::Nil => "invalid",
        Kind::Bool(_) => "bool",
        Kind::Int(_) => "int",
        Kind::Float(_) => "float64",
        Kind::Str(_) => "string",
        Kind::List(_) => "slice",
        Kind::Map(_) => "map",
        // Pointers (`*semver.Version`, Helm's objects) or struct values (`time.Time`).
        Kind::Native(n) if n.type_name().starts_with('*') => "ptr",
        Kind::Native(_) => "struct",
    }
}

pub fn type_of(args: &[Value]) -> Result {
    arity("typeOf", args, 1)?;
    Ok(Value::str(gofmt::type_name(&args[0])))
}

pub fn type_is(args: &[Value]) -> Result {
    arity("typeIs", args, 2)?;
    let target = arg_str(args, 0)?;
    Ok(Value::bool(target == gofmt::type_name(&args[1])))
}

pub fn type_is_like(args: &[Value]) -> Result {
    arity("typeIsLike", args, 2)?;
    let target = arg_str(args, 0)?;
    let t = gofmt::type_name(&args[1]);
    Ok(Value::bool(target == t || format!("*{target}") == t))
}

pub fn kind_of(args: &[Value]) -> Result {
    arity("kindOf", args, 1)?;
    Ok(Value::str(kind_name(&args[0])))
}

pub fn kind_is(args: &[Value]) -> Result {
    arity("kindIs", args, 2)?;
    let target = arg_str(args, 0)?;
    Ok(Value::bool(target == kind_name(&args[1])))
}

/// Go's `reflect.DeepEqual` on template values (types must match: `1` and `1.0` differ).
pub fn deep_equal_values(a: &Value, b: &Value) -> bool {
    match (&a.kind, &b.kind) {
        (Kind::Nil, Kind::Nil) => true,
        (Kind::Bool(x), Kind::Bool(y)) => x == y,
        (Kind::Int(x), Kind::Int(y)) => x == y,
        (Kind::Float(x), Kind::Float(y)) => x == y,
        (Kind::Str(x), Kind::Str(y)) => x == y,
        (Kind::List(x), Kind::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| deep_equal_values(p, q))
        }
        (Kind::Map(x), Kind::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|((k1, v1), (k2, v2))| k1 == k2 && deep_equal_values(v1, v2))
        }
        (Kind::Native(x), Kind::Native(y)) => {
            std::ptr::addr_eq(std::sync::Arc::as_ptr(x), std::sync::Arc::as_ptr(y))
        }
        _ => false,
    }
}

pub fn deep_equal(args: &[Value]) -> Result {
    arity("deepEqual", args, 2)?;
    Ok(Value::bool(deep_equal_values(&args[0], &args[1])))
}

/// `deepCopy`: values are immutable and shared, so a copy is the value itself.
pub fn deep_copy(args: &[Value]) -> Result {
    arity("deepCopy", args, 1)?;
    Ok(args[0].clone())
}

pub fn must_deep_copy(args: &[Value]) -> Result {
    arity("mustDeepCopy", args, 1)?;
    if args[0].is_nil() {
        return Err(super::call_err("mustDeepCopy", "deepCopy: cannot copy nil"));
    }
    Ok(args[0].clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casts() {
        assert_eq!(to_int64(&Value::str("0x10")), 16);
        assert_eq!(to_int64(&Value::str("010")), 8);
        assert_eq!(to_int64(&Value::str("12.00")), 12);
        assert_eq!(to_int64(&Value::str("12.5")), 0);
        assert_eq!(to_int64(&Value::str("-7")), -7);
        assert_eq!(to_int64(&Value::float(3.9)), 3);
        assert_eq!(to_int64(&Value::bool(true)), 1);
        assert_eq!(to_float64(&Value::str("1.5")), 1.5);
        assert_eq!(to_float64(&Value::str("x")), 0.0);
        let a = |s: &str| match atoi(&[Value::str(s)]).unwrap().kind {
            Kind::Int(i) => i,
            _ => panic!(),
        };
        assert_eq!(a("42"), 42);
        assert_eq!(a("-3"), -3);
        assert_eq!(a("0x1"), 0);
        assert_eq!(a("4 2"), 0);
        assert_eq!(strval(&Value::NIL), "<nil>");
        assert_eq!(strval(&Value::float(1.0)), "1");
    }

    #[test]
    fn defaults_keep_origin_of_returned_value() {
        let o = crate::helm::value::Origin {
            file: crate::source::FileId(0),
            span: crate::source::Span::default(),
        };
        let given = Value::str("x").with_origin(Some(o));
        let r = default(&[Value::str("d"), given.clone()]).unwrap();
        assert_eq!(r.origin, Some(o));
        let r = default(&[Value::str("d"), Value::str("")]).unwrap();
        assert_eq!(r.as_str(), Some("d"));
        assert_eq!(r.origin, None);
        let r = coalesce(&[Value::NIL, Value::int(0), given]).unwrap();
        assert_eq!(r.origin, Some(o));
        assert!(ternary(&[Value::int(1), Value::int(2), Value::str("x")]).is_err());
    }
}
