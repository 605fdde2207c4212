//! Encodings, digests and JSON: `b64enc b64dec b32enc b32dec sha1sum sha256sum sha512sum
//! adler32sum`, Helm's `toJson mustToJson fromJson fromJsonArray` and Sprig's `toPrettyJson
//! toRawJson mustToPrettyJson mustToRawJson mustFromJson`.
//!
//! JSON output is Go's `encoding/json`: sorted keys, `<`, `>`, `&` escaped as `\u003c`… (except
//! the `Raw` variants), floats in Go's JSON notation (`1e+21`, `1e-7`, `100000`). JSON input is
//! parsed with `serde_json`; every number becomes a float64 as in Go. Parse error messages are
//! serde_json's, not Go's.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use base64::Engine as _;
use sha1::Digest as _;

use super::super::value::{Kind, Value};
use super::{Result, arg_str, arity, call_err, gofmt};

fn string_out(s: String, args: &[Value]) -> Result {
    Ok(Value::str(s).with_origin(args.last().and_then(|v| v.origin)))
}

const B64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireCanonical),
);

pub fn b64enc(args: &[Value]) -> Result {
    arity("b64enc", args, 1)?;
    string_out(B64.encode(arg_str(args, 0)?), args)
}

/// `b64dec`: the decoded text, or Go's error message as the result (Sprig returns it, no error).
pub fn b64dec(args: &[Value]) -> Result {
    arity("b64dec", args, 1)?;
    let s = arg_str(args, 0)?;
    // Go's decoder skips \r and \n.
    let clean: String = s.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    let r = match B64.decode(clean.as_bytes()) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) => {
            let at = match e {
                base64::DecodeError::InvalidByte(i, _) => i,
                base64::DecodeError::InvalidLastSymbol { offset, .. } => offset,
                base64::DecodeError::InvalidLength(n) => n / 4 * 4,
                base64::DecodeError::InvalidPadding => clean.len() / 4 * 4,
            };
            format!("illegal base64 data at input byte {at}")
        }
    };
    string_out(r, args)
}

pub fn b32enc(args: &[Value]) -> Result {
    arity("b32enc", args, 1)?;
    string_out(
        data_encoding::BASE32.encode(arg_str(args, 0)?.as_bytes()),
        args,
    )
}

pub fn b32dec(args: &[Value]) -> Result {
    arity("b32dec", args, 1)?;
    let s = arg_str(args, 0)?;
    let clean: String = s.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    let r = match data_encoding::BASE32.decode(clean.as_bytes()) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) => format!("illegal base32 data at input byte {}", e.position),
    };
    string_out(r, args)
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

pub fn sha1sum(args: &[Value]) -> Result {
    arity("sha1sum", args, 1)?;
    string_out(hex(&sha1::Sha1::digest(arg_str(args, 0)?.as_bytes())), args)
}

pub fn sha256sum(args: &[Value]) -> Result {
    arity("sha256sum", args, 1)?;
    string_out(
        hex(&sha2::Sha256::digest(arg_str(args, 0)?.as_bytes())),
        args,
    )
}

pub fn sha512sum(args: &[Value]) -> Result {
    arity("sha512sum", args, 1)?;
    string_out(
        hex(&sha2::Sha512::digest(arg_str(args, 0)?.as_bytes())),
        args,
    )
}

/// Adler-32 (RFC 1950) in decimal, as Sprig prints it.
pub fn adler32sum(args: &[Value]) -> Result {
    arity("adler32sum", args, 1)?;
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in arg_str(args, 0)?.as_bytes() {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    string_out(((b << 16) | a).to_string(), args)
}

// ---------------------------------------------------------------------------------------------
// JSON.

/// Go's `encoding/json` float notation.
pub fn json_float(f: f64) -> std::result::Result<String, String> {
    if !f.is_finite() {
        return Err(format!(
            "json: unsupported value: {}",
            gofmt::format_float(f, 'g', None)
        ));
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let mut s = gofmt::format_float(f, 'e', None);
        // Go shortens a two-digit negative exponent: e-09 → e-9.
        if let Some(p) = s.find("e-0") {
            s.replace_range(p + 2..p + 3, "");
        }
        Ok(s)
    } else {
        Ok(gofmt::format_float(f, 'f', None))
    }
}

/// Go's JSON string escaping (`html`: escape `<`, `>`, `&`).
pub fn json_string(out: &mut String, s: &str, html: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' if html => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Go's `json.Marshal` (`indent`: `MarshalIndent(v, "", "  ")`).
pub fn to_json_string(v: &Value, html: bool, indent: bool) -> std::result::Result<String, String> {
    let mut out = String::new();
    write_json(&mut out, v, html, indent, 0)?;
    Ok(out)
}

fn newline(out: &mut String, indent: bool, level: usize) {
    if indent {
        out.push('\n');
        for _ in 0..level {
            out.push_str("  ");
        }
    }
}

fn write_json(
    out: &mut String,
    v: &Value,
    html: bool,
    indent: bool,
    level: usize,
) -> std::result::Result<(), String> {
    if level > 1000 {
        return Err("json: nesting too deep".to_string());
    }
    match &v.kind {
        Kind::Nil => out.push_str("null"),
        Kind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Kind::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Kind::Float(f) => out.push_str(&json_float(*f)?),
        Kind::Str(s) => json_string(out, s, html),
        Kind::List(l) => {
            if l.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, x) in l.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, level + 1);
                write_json(out, x, html, indent, level + 1)?;
            }
            newline(out, indent, level);
            out.push(']');
        }
        Kind::Map(m) => {
            if m.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, level + 1);
                json_string(out, k, html);
                out.push(':');
                if indent {
                    out.push(' ');
                }
                write_json(out, x, html, indent, level + 1)?;
            }
            newline(out, indent, level);
            out.push('}');
        }
        Kind::Native(n) => match n.to_data() {
            Some(d) if !matches!(d.kind, Kind::Native(_)) => {
                write_json(out, &d, html, indent, level + 1)?
            }
            _ => json_string(out, &n.display(), html),
        },
    }
    Ok(())
}

/// A parsed JSON or YAML document as a template value (numbers as float64, as Go decodes them).
pub fn from_serde(v: &serde_json::Value, depth: usize) -> Value {
    if depth > 1000 {
        return Value::NIL;
    }
    match v {
        serde_json::Value::Null => Value::NIL,
        serde_json::Value::Bool(b) => Value::bool(*b),
        serde_json::Value::Number(n) => Value::float(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(s) => Value::str(s.as_str()),
        serde_json::Value::Array(a) => {
            Value::list(a.iter().map(|x| from_serde(x, depth + 1)).collect())
        }
        serde_json::Value::Object(o) => Value::map(
            o.iter()
                .map(|(k, x)| (k.clone(), from_serde(x, depth + 1)))
                .collect(),
        ),
    }
}

fn parse_json(s: &str) -> std::result::Result<serde_json::Value, String> {
    serde_json::from_str::<serde_json::Value>(s).map_err(|e| {
        if e.is_eof() {
            return "unexpected end of JSON input".to_string();
        }
        let msg = e.to_string();
        // serde_json's "expected value at line L column C" is Go's "invalid character".
        if msg.starts_with("expected value") || msg.starts_with("expected ident") {
            let line = s.lines().nth(e.line().saturating_sub(1)).unwrap_or("");
            if let Some(c) = line.chars().nth(e.column().saturating_sub(1)) {
                return format!(
                    "invalid character {} looking for beginning of value",
                    quote_char(c)
                );
            }
        }
        msg
    })
}

/// Go's `quoteChar` for JSON syntax errors: `'x'`, `'\''`, `'"'`.
fn quote_char(c: char) -> String {
    match c {
        '\'' => "'\\''".to_string(),
        '"' => "'\"'".to_string(),
        c => format!("'{c}'"),
    }
}

fn go_json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "bool",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

/// Helm's `toJson`: "" when the value cannot be encoded.
pub fn to_json(args: &[Value]) -> Result {
    arity("toJson", args, 1)?;
    string_out(
        to_json_string(&args[0], true, false).unwrap_or_default(),
        args,
    )
}

pub fn must_to_json(args: &[Value]) -> Result {
    arity("mustToJson", args, 1)?;
    let s = to_json_string(&args[0], true, false).map_err(|e| call_err("mustToJson", &e))?;
    string_out(s, args)
}

pub fn to_pretty_json(args: &[Value]) -> Result {
    arity("toPrettyJson", args, 1)?;
    string_out(
        to_json_string(&args[0], true, true).unwrap_or_default(),
        args,
    )
}

pub fn must_to_pretty_json(args: &[Value]) -> Result {
    arity("mustToPrettyJson", args, 1)?;
    let s = to_json_string(&args[0], true, true).map_err(|e| call_err("mustToPrettyJson", &e))?;
    string_out(s, args)
}

pub fn to_raw_json(args: &[Value]) -> Result {
    arity("toRawJson", args, 1)?;
    match to_json_string(&args[0], false, false) {
        Ok(s) => string_out(s, args),
        // Sprig's toRawJson panics on an encoding error.
        Err(e) => Err(call_err("toRawJson", &e)),
    }
}

pub fn must_to_raw_json(args: &[Value]) -> Result {
    arity("mustToRawJson", args, 1)?;
    let s = to_json_string(&args[0], false, false).map_err(|e| call_err("mustToRawJson", &e))?;
    string_out(s, args)
}

fn error_map(msg: String) -> Value {
    let mut m = BTreeMap::new();
    m.insert("Error".to_string(), Value::str(msg));
    Value::map(m)
}

/// Helm's `fromJson`: a map; on error a map with the message under `Error`.
pub fn from_json(args: &[Value]) -> Result {
    arity("fromJson", args, 1)?;
    let s = arg_str(args, 0)?;
    Ok(match parse_json(s) {
        Ok(serde_json::Value::Object(o)) => from_serde(&serde_json::Value::Object(o), 0),
        Ok(serde_json::Value::Null) => Value::map(BTreeMap::new()),
        Ok(other) => error_map(format!(
            "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            go_json_type(&other)
        )),
        Err(e) => error_map(e),
    })
}

/// Helm's `fromJsonArray`: a list; on error a list holding the message.
pub fn from_json_array(args: &[Value]) -> Result {
    arity("fromJsonArray", args, 1)?;
    let s = arg_str(args, 0)?;
    Ok(match parse_json(s) {
        Ok(serde_json::Value::Array(a)) => from_serde(&serde_json::Value::Array(a), 0),
        Ok(serde_json::Value::Null) => Value::list(Vec::new()),
        Ok(other) => Value::list(vec![Value::str(format!(
            "json: cannot unmarshal {} into Go value of type []interface {{}}",
            go_json_type(&other)
        ))]),
        Err(e) => Value::list(vec![Value::str(e)]),
    })
}

/// Sprig's `mustFromJson`: any JSON value, or an error.
pub fn must_from_json(args: &[Value]) -> Result {
    arity("mustFromJson", args, 1)?;
    let s = arg_str(args, 0)?;
    let v = parse_json(s).map_err(|e| call_err("mustFromJson", &e))?;
    Ok(from_serde(&v, 0))
}

#[cfg(test)]
#[allow(clippy::cloned_ref_to_slice_refs)]
mod tests {
    use super::*;

    fn call(f: super::super::Func, args: &[Value]) -> String {
        match f(args) {
            Ok(v) => gofmt::display(&v),
            Err(e) => format!("ERR {e}"),
        }
    }
    fn s(x: &str) -> Value {
        Value::str(x)
    }

    #[test]
    fn encodings() {
        assert_eq!(call(b64enc, &[s("hello")]), "aGVsbG8=");
        assert_eq!(call(b64dec, &[s("aGVsbG8=")]), "hello");
        assert!(call(b64dec, &[s("a!")]).starts_with("illegal base64 data at input byte"));
        assert_eq!(call(b32enc, &[s("hello")]), "NBSWY3DP");
        assert_eq!(call(b32dec, &[s("NBSWY3DP")]), "hello");
        assert_eq!(
            call(sha1sum, &[s("a")]),
            "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8"
        );
        assert_eq!(
            call(sha256sum, &[s("a")]),
            "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
        );
        assert_eq!(call(adler32sum, &[s("Wikipedia")]), "300286872");
    }

    #[test]
    fn json() {
        let mut m = BTreeMap::new();
        m.insert(
            "b".to_string(),
            Value::list(vec![Value::int(1), Value::float(1.5), Value::NIL]),
        );
        m.insert("a".to_string(), s("<x&y>"));
        m.insert("f".to_string(), Value::float(1e21));
        m.insert("g".to_string(), Value::float(1e-7));
        m.insert("h".to_string(), Value::float(1e6));
        let v = Value::map(m);
        assert_eq!(
            call(to_json, &[v.clone()]),
            r#"{"a":"\u003cx\u0026y\u003e","b":[1,1.5,null],"f":1e+21,"g":1e-7,"h":1000000}"#
        );
        assert_eq!(
            call(to_raw_json, &[v.clone()]),
            r#"{"a":"<x&y>","b":[1,1.5,null],"f":1e+21,"g":1e-7,"h":1000000}"#
        );
        assert_eq!(
            call(
                to_pretty_json,
                &[Value::map(BTreeMap::from([(
                    "k".to_string(),
                    Value::list(vec![Value::int(1)])
                )]))]
            ),
            "{\n  \"k\": [\n    1\n  ]\n}"
        );
        assert_eq!(call(to_json, &[Value::float(f64::NAN)]), "");
        assert!(call(must_to_json, &[Value::float(f64::NAN)]).starts_with("ERR"));
        assert_eq!(
            call(from_json, &[s(r#"{"a":1,"b":[true,"x"]}"#)]),
            "map[a:1 b:[true x]]"
        );
        assert_eq!(
            call(from_json, &[s("[1]")]),
            "map[Error:json: cannot unmarshal array into Go value of type map[string]interface {}]"
        );
        assert_eq!(call(from_json_array, &[s("[1,2]")]), "[1 2]");
        assert_eq!(call(must_from_json, &[s("\"x\"")]), "x");
        assert!(call(must_from_json, &[s("{")]).starts_with("ERR"));
    }
}
