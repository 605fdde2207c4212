//! Helm values with provenance: values files read through the crate's own span tree into
//! [`Value`]s whose [`Origin`] is the node that supplied them, merged the way Helm merges them.
//!
//! Helm reads YAML with go-yaml v2 semantics (YAML 1.1 booleans such as `yes`/`on`, `0755` octal,
//! `0x1F`, underscores in numbers) and sends values files through JSON, so every number of a
//! values file is a float64 by the time a template sees it. `--set` integers stay int64.

use std::sync::Arc;

use crate::helm::value::{Kind, Map, Origin, Value};
use crate::source::{FileId, SourceFile, Span};
use crate::yaml::{NodeKind, NodeRef, ScalarStyle, parse_file};

/// How many value nodes one values file may expand to (aliases are copied into the tree, so a
/// "billion laughs" file must stop somewhere).
const MAX_NODES: usize = 2_000_000;
/// How deep a values tree may nest.
const MAX_DEPTH: usize = 256;

/// A values file that cannot be used, with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

/// How numbers come out of a YAML file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Numbers {
    /// Values files: YAML → JSON → `interface{}`, every number a float64.
    Json,
    /// Chart.yaml and other typed reads: integers stay integers.
    Typed,
}

/// Parses a values file: every document is read and merged over the previous ones (as Helm's
/// chart loader does). An empty file is an empty map.
pub fn parse_values(file: FileId, source: &Arc<SourceFile>) -> Result<Map, Problem> {
    parse_yaml_map(file, source, Numbers::Json)
}

/// Parses every document of `source` into maps and merges them in order.
pub fn parse_yaml_map(
    file: FileId,
    source: &Arc<SourceFile>,
    numbers: Numbers,
) -> Result<Map, Problem> {
    let parsed = parse_file(file, source);
    if let Some(error) = parsed.errors.first() {
        return Err(Problem {
            file,
            span: error.span,
            message: format!("invalid YAML: {}", error.message),
        });
    }
    let mut out = Map::new();
    for doc in &parsed.documents {
        let Some(root) = doc.root() else { continue };
        let mut budget = MAX_NODES;
        let value =
            convert(root, None, numbers, 0, &mut budget).map_err(|(span, message)| Problem {
                file,
                span,
                message,
            })?;
        match value.kind {
            Kind::Nil => {}
            Kind::Map(map) => out = merge_maps(out, Arc::unwrap_or_clone(map)),
            _ => {
                return Err(Problem {
                    file,
                    span: root.span(),
                    message: "a values file must be a mapping of keys to values".to_string(),
                });
            }
        }
    }
    Ok(out)
}

/// Every document of a YAML stream as a value (a document without content is nil).
pub fn parse_documents(
    file: FileId,
    source: &Arc<SourceFile>,
    numbers: Numbers,
) -> Result<Vec<Value>, Problem> {
    let parsed = parse_file(file, source);
    if let Some(error) = parsed.errors.first() {
        return Err(Problem {
            file,
            span: error.span,
            message: format!("invalid YAML: {}", error.message),
        });
    }
    let mut out = Vec::new();
    for doc in &parsed.documents {
        let Some(root) = doc.root() else {
            out.push(Value::NIL);
            continue;
        };
        let mut budget = MAX_NODES;
        out.push(
            convert(root, None, numbers, 0, &mut budget).map_err(|(span, message)| Problem {
                file,
                span,
                message,
            })?,
        );
    }
    Ok(out)
}

type ConvertError = (Span, String);

fn origin_of(node: &NodeRef<'_>, span: Span) -> Option<Origin> {
    Some(Origin {
        file: node.file(),
        span,
    })
}

/// Converts a node; `entry_span` is the `key: value` span when the node is a mapping value.
fn convert(
    node: NodeRef<'_>,
    entry_span: Option<Span>,
    numbers: Numbers,
    depth: usize,
    budget: &mut usize,
) -> Result<Value, ConvertError> {
    if depth > MAX_DEPTH {
        return Err((node.span(), "values nest too deeply".to_string()));
    }
    if *budget == 0 {
        return Err((
            node.span(),
            "values expand to too many nodes (aliases?)".to_string(),
        ));
    }
    *budget -= 1;
    let origin = origin_of(&node, entry_span.unwrap_or_else(|| node.span()));
    let kind = match node.kind() {
        NodeKind::Map(_) => {
            let mut map = Map::new();
            for entry in node.entries() {
                let key = map_key(&entry.key)?;
                let value = convert(entry.value, Some(entry.span()), numbers, depth + 1, budget)?;
                map.insert(key, value);
            }
            Kind::Map(Arc::new(map))
        }
        NodeKind::Seq(_) => {
            let mut items = Vec::new();
            for item in node.items() {
                items.push(convert(item, None, numbers, depth + 1, budget)?);
            }
            Kind::List(Arc::new(items))
        }
        NodeKind::Alias(None) => Kind::Nil,
        NodeKind::Alias(Some(_)) => Kind::Nil,
        NodeKind::Scalar { .. } => scalar_kind(&node, numbers)?,
    };
    Ok(Value { kind, origin })
}

/// A resolved YAML scalar before the JSON step.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
}

fn scalar_kind(node: &NodeRef<'_>, numbers: Numbers) -> Result<Kind, ConvertError> {
    let text = node.scalar().unwrap_or("");
    let style = node.style().unwrap_or(ScalarStyle::Plain);
    let tag = node.node().tag.as_deref();
    let resolved = resolve_tagged(text, style, tag).map_err(|m| (node.span(), m))?;
    Ok(match resolved {
        Scalar::Null => Kind::Nil,
        Scalar::Bool(b) => Kind::Bool(b),
        Scalar::Str(s) => Kind::Str(s.into()),
        Scalar::Int(i) => match numbers {
            Numbers::Json => Kind::Float(i as f64),
            Numbers::Typed => Kind::Int(i),
        },
        Scalar::Uint(u) => match numbers {
            Numbers::Json => Kind::Float(u as f64),
            Numbers::Typed => Kind::Float(u as f64),
        },
        Scalar::Float(f) => {
            if !f.is_finite() && numbers == Numbers::Json {
                let shown = if f.is_nan() {
                    "NaN"
                } else if f > 0.0 {
                    "+Inf"
                } else {
                    "-Inf"
                };
                return Err((
                    node.span(),
                    format!("error converting YAML to JSON: json: unsupported value: {shown}"),
                ));
            }
            Kind::Float(f)
        }
    })
}

/// Resolves a scalar with its style and tag as go-yaml v2 does.
pub fn resolve_tagged(text: &str, style: ScalarStyle, tag: Option<&str>) -> Result<Scalar, String> {
    let short = tag.map(|t| t.rsplit(':').next().unwrap_or(t));
    match short {
        Some("str") => return Ok(Scalar::Str(text.to_string())),
        Some("binary") => {
            return decode_base64(text)
                .map(Scalar::Str)
                .ok_or_else(|| format!("!!binary value is not valid base64: {text:?}"));
        }
        Some("null") => return Ok(Scalar::Null),
        Some(t @ ("int" | "float" | "bool")) => {
            let resolved = resolve_plain(text);
            let ok = matches!(
                (&resolved, t),
                (Scalar::Int(_) | Scalar::Uint(_), "int")
                    | (Scalar::Int(_) | Scalar::Uint(_) | Scalar::Float(_), "float")
                    | (Scalar::Bool(_), "bool")
            );
            if !ok {
                return Err(format!("cannot decode {text:?} as !!{t}"));
            }
            return Ok(match (resolved, t) {
                (Scalar::Int(i), "float") => Scalar::Float(i as f64),
                (Scalar::Uint(u), "float") => Scalar::Float(u as f64),
                (other, _) => other,
            });
        }
        _ => {}
    }
    if style != ScalarStyle::Plain {
        return Ok(Scalar::Str(text.to_string()));
    }
    Ok(resolve_plain(text))
}

/// Resolves a plain scalar with YAML 1.1 rules as go-yaml v2 applies them.
pub fn resolve_plain(text: &str) -> Scalar {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Scalar::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Scalar::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Scalar::Bool(false);
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Scalar::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Scalar::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Scalar::Float(f64::NAN),
        _ => {}
    }
    let first = text.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return Scalar::Str(text.to_string());
    }
    let plain: String = text.chars().filter(|&c| c != '_').collect();
    if let Some(i) = go_parse_int(&plain) {
        return Scalar::Int(i);
    }
    if let Some(u) = go_parse_uint(&plain) {
        return Scalar::Uint(u);
    }
    if is_yaml_float(&plain)
        && let Ok(f) = plain.parse::<f64>()
        && f.is_finite()
    {
        return Scalar::Float(f);
    }
    Scalar::Str(text.to_string())
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// The digits and radix of Go's `strconv.ParseInt(s, 0, 64)` prefixes (sign already removed).
fn radix_digits(s: &str) -> Option<(u32, &str)> {
    let lower = |p: &str| s.len() > 2 && s[..2].eq_ignore_ascii_case(p);
    if lower("0x") {
        Some((16, &s[2..]))
    } else if lower("0o") {
        Some((8, &s[2..]))
    } else if lower("0b") {
        Some((2, &s[2..]))
    } else if s.len() > 1 && s.starts_with('0') {
        Some((8, &s[1..]))
    } else if s.is_empty() {
        None
    } else {
        Some((10, s))
    }
}

fn parse_magnitude(s: &str) -> Option<u128> {
    let (radix, digits) = radix_digits(s)?;
    if digits.is_empty() {
        return None;
    }
    let mut n: u128 = 0;
    for c in digits.chars() {
        let d = c.to_digit(radix)?;
        n = n.checked_mul(radix as u128)?.checked_add(d as u128)?;
        if n > u64::MAX as u128 + 1 {
            return None;
        }
    }
    Some(n)
}

/// Go's `strconv.ParseInt(s, 0, 64)`.
pub fn go_parse_int(s: &str) -> Option<i64> {
    let (negative, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let n = parse_magnitude(rest)?;
    if negative {
        if n <= i64::MAX as u128 + 1 {
            Some((-(n as i128)) as i64)
        } else {
            None
        }
    } else if n <= i64::MAX as u128 {
        Some(n as i64)
    } else {
        None
    }
}

/// Go's `strconv.ParseUint(s, 0, 64)` (no sign).
fn go_parse_uint(s: &str) -> Option<u64> {
    if s.starts_with(['+', '-']) {
        return None;
    }
    let n = parse_magnitude(s)?;
    u64::try_from(n).ok()
}

/// A mapping key as JSON sees it (sigs.k8s.io/yaml turns non-string keys into strings).
fn map_key(key: &NodeRef<'_>) -> Result<String, ConvertError> {
    let Some(text) = key.scalar() else {
        return Err((
            key.span(),
            "a mapping key must be a scalar in a values file".to_string(),
        ));
    };
    let style = key.style().unwrap_or(ScalarStyle::Plain);
    let resolved =
        resolve_tagged(text, style, key.node().tag.as_deref()).map_err(|m| (key.span(), m))?;
    Ok(match resolved {
        Scalar::Null => "null".to_string(),
        Scalar::Bool(b) => b.to_string(),
        Scalar::Int(i) => i.to_string(),
        Scalar::Uint(u) => u.to_string(),
        Scalar::Float(f) => format_float32_g(f),
        Scalar::Str(s) => s,
    })
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)`: how sigs.k8s.io/yaml writes a float where a
/// string is expected (`appVersion: 1.10` becomes `"1.1"`).
pub fn format_float32_g(f: f64) -> String {
    let f = f as f32;
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    // Shortest digits that round-trip as f32, then %g layout: exponent when < -4 or >= precision.
    let shortest = format!("{f:e}"); // e.g. "1.2345678e7"
    let (mantissa, exp) = shortest.split_once('e').unwrap_or((&shortest, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if negative { "-" } else { "" };
    // With the shortest precision Go decides with a precision of 6.
    if !(-4..6).contains(&exp) {
        let mut out = String::from(sign);
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.abs()));
        return out;
    }
    let mut out = String::from(sign);
    if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let int_len = (exp + 1) as usize;
        if digits.len() <= int_len {
            out.push_str(&digits);
            for _ in digits.len()..int_len {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..int_len]);
            out.push('.');
            out.push_str(&digits[int_len..]);
        }
    }
    out
}

fn decode_base64(text: &str) -> Option<String> {
    let mut bits: u32 = 0;
    let mut nbits = 0;
    let mut out = Vec::new();
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return None,
        };
        bits = (bits << 6) | v as u32;
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push((bits >> nbits) as u8);
            bits &= (1 << nbits) - 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Helm's `mergeMaps`: maps merge recursively, anything else in `b` replaces (nil included).
pub fn merge_maps(mut a: Map, b: Map) -> Map {
    for (key, value) in b {
        if let Kind::Map(bm) = &value.kind
            && let Some(existing) = a.get(&key)
            && let Kind::Map(am) = &existing.kind
        {
            let merged = merge_maps((**am).clone(), (**bm).clone());
            let origin = value.origin.or(existing.origin);
            a.insert(key, Value::map(merged).with_origin(origin));
            continue;
        }
        a.insert(key, value);
    }
    a
}

/// A map value's entries for in-place edits (copy-on-write).
pub fn map_mut(value: &mut Value) -> Option<&mut Map> {
    match &mut value.kind {
        Kind::Map(map) => Some(Arc::make_mut(map)),
        _ => None,
    }
}

pub fn is_table(value: &Value) -> bool {
    matches!(value.kind, Kind::Map(_))
}

/// Looks up a dotted path (`a.b.c`) in a map, as Helm's `Values.PathValue` does for conditions:
/// the last element may be any value, the ones before must be maps.
pub fn path_value<'a>(map: &'a Map, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.').peekable();
    let mut current = map;
    while let Some(part) = parts.next() {
        let value = current.get(part)?;
        if parts.peek().is_none() {
            return Some(value);
        }
        current = value.as_map()?;
    }
    None
}

/// Looks up a dotted path that must end at a map (`Values.Table`).
pub fn table<'a>(map: &'a Map, path: &str) -> Option<&'a Map> {
    let mut current = map;
    for part in path.split('.').filter(|p| !p.is_empty()) {
        current = current.get(part)?.as_map()?;
    }
    Some(current)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Origin as SourceOrigin;

    fn values(text: &str) -> Map {
        let source = Arc::new(SourceFile::new(
            SourceOrigin::Path("values.yaml".into()),
            text.to_string(),
        ));
        parse_values(FileId(0), &source).unwrap()
    }

    fn shown(value: &Value) -> String {
        match &value.kind {
            Kind::Nil => "nil".into(),
            Kind::Bool(b) => format!("bool {b}"),
            Kind::Int(i) => format!("int {i}"),
            Kind::Float(f) => format!("float {f}"),
            Kind::Str(s) => format!("str {s}"),
            Kind::List(l) => format!("list {}", l.len()),
            Kind::Map(m) => format!("map {}", m.len()),
            Kind::Native(_) => "native".into(),
        }
    }

    #[test]
    fn scalars_resolve_as_helm_reads_them() {
        // Expectations observed with the Helm SDK (v4.2.3) rendering `printf "%T %v"`.
        let map = values(
            "a: y\nb: yes\nd: off\nf: 0755\ng: 0x1F\nh: 1_000\ni: .5\nj: 1e3\nk: +12\nl: 1.0\n\
             r: \"0755\"\ns: 0o17\nbb: 09\ncc: 3e\nmm: -0x1F\nnn: 1e400\nx: 2001-12-14\nz: 1:20\n\
             aa: !!str 12\nll: !!binary aGVsbG8=\ny: 0b101\nm: ~\n",
        );
        let expect = [
            ("a", "bool true"),
            ("b", "bool true"),
            ("d", "bool false"),
            ("f", "float 493"),
            ("g", "float 31"),
            ("h", "float 1000"),
            ("i", "float 0.5"),
            ("j", "float 1000"),
            ("k", "float 12"),
            ("l", "float 1"),
            ("r", "str 0755"),
            ("s", "float 15"),
            ("bb", "float 9"),
            ("cc", "str 3e"),
            ("mm", "float -31"),
            ("nn", "str 1e400"),
            ("x", "str 2001-12-14"),
            ("z", "str 1:20"),
            ("aa", "str 12"),
            ("ll", "str hello"),
            ("m", "nil"),
        ];
        for (key, want) in expect {
            assert_eq!(shown(&map[key]), want, "{key}");
        }
        // `y` as a key is the boolean true.
        assert_eq!(shown(&map["true"]), "float 5");
    }

    #[test]
    fn origins_are_entries_and_items() {
        let text = "image:\n  tag: 1.2\nresources: {}\nlist:\n  - a\n";
        let map = values(text);
        let span = |v: &Value| &text[v.origin.unwrap().span.range()];
        assert_eq!(span(&map["resources"]), "resources: {}");
        assert_eq!(span(map["image"].get("tag").unwrap()), "tag: 1.2");
        assert_eq!(span(&map["list"].as_list().unwrap()[0]), "a");
    }

    #[test]
    fn infinity_is_an_error_and_documents_merge() {
        let source = Arc::new(SourceFile::new(
            SourceOrigin::Stdin,
            "a: .inf\n".to_string(),
        ));
        let err = parse_values(FileId(0), &source).unwrap_err();
        assert!(err.message.contains("+Inf"), "{}", err.message);
        let map = values("a: {x: 1}\n---\na: {y: 2}\nb: 3\n");
        assert_eq!(map["a"].as_map().unwrap().len(), 2);
    }

    #[test]
    fn float32_formatting_matches_go() {
        for (f, want) in [
            (1.1, "1.1"),
            (1.0, "1"),
            (0.5, "0.5"),
            (12345678.0, "1.2345678e+07"),
            (100.0, "100"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
        ] {
            assert_eq!(format_float32_g(f), want, "{f}");
        }
    }

    #[test]
    fn alias_bombs_stop() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
                p = i - 1
            ));
        }
        let source = Arc::new(SourceFile::new(SourceOrigin::Stdin, text));
        let err = parse_values(FileId(0), &source).unwrap_err();
        assert!(err.message.contains("too many"), "{}", err.message);
    }
}
