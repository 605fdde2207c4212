//! Span-tree nodes as CEL values, read the way Kubernetes reads YAML: mappings become maps
//! (merge keys expanded, the last duplicate winning), sequences lists, plain scalars null, bool,
//! int or float when they look like one (YAML 1.2 core schema), everything else a string.
//! Strings borrow from the source text. Depth and size are bounded, so an alias bomb converts
//! to nulls past the budget instead of exhausting memory.

use std::collections::HashMap;

use cel::common::types::{
    CelBool, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString, CelUInt,
};
use cel::common::value::Val;

use crate::yaml::{NodeKind, NodeRef, ScalarStyle};

/// Nesting deeper than this converts to null (real manifests stay far below it).
const MAX_DEPTH: u32 = 64;
/// Nodes converted per object at most (aliases count each time they expand).
const MAX_NODES: u32 = 200_000;

/// The node as a CEL value.
pub fn to_val<'a>(node: NodeRef<'a>) -> Box<dyn Val + 'a> {
    let mut budget = MAX_NODES;
    convert(node, 0, &mut budget)
}

fn convert<'a>(node: NodeRef<'a>, depth: u32, budget: &mut u32) -> Box<dyn Val + 'a> {
    if depth > MAX_DEPTH || *budget == 0 {
        return Box::new(CelNull);
    }
    *budget -= 1;
    match node.kind() {
        NodeKind::Map(_) => {
            let mut map: HashMap<CelMapKey<'a>, Box<dyn Val + 'a>> = HashMap::new();
            for entry in node.entries() {
                let Some(key) = entry.key.scalar() else {
                    continue;
                };
                map.insert(
                    CelMapKey::from(key),
                    convert(entry.value, depth + 1, budget),
                );
            }
            Box::new(CelMap::from(map))
        }
        NodeKind::Seq(_) => {
            let items: Vec<Box<dyn Val + 'a>> = node
                .items()
                .map(|item| convert(item, depth + 1, budget))
                .collect();
            Box::new(CelList::from(items))
        }
        NodeKind::Alias(None) => Box::new(CelNull),
        NodeKind::Alias(Some(_)) | NodeKind::Scalar { .. } => scalar(node),
    }
}

fn scalar<'a>(node: NodeRef<'a>) -> Box<dyn Val + 'a> {
    let Some(text) = node.scalar() else {
        return Box::new(CelNull);
    };
    let tag = node.node().tag.as_deref();
    if node.style() != Some(ScalarStyle::Plain) || tag.is_some_and(|t| t.ends_with(":str")) {
        return Box::new(CelString::from(text));
    }
    match plain(text) {
        Plain::Null => Box::new(CelNull),
        Plain::Bool(b) => Box::new(CelBool::from(b)),
        Plain::Int(i) => Box::new(CelInt::from(i)),
        Plain::UInt(u) => Box::new(CelUInt::from(u)),
        Plain::Float(f) => Box::new(CelDouble::from(f)),
        Plain::Str => Box::new(CelString::from(text)),
    }
}

#[derive(Debug, PartialEq)]
enum Plain {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str,
}

/// How a plain scalar resolves in the YAML 1.2 core schema.
fn plain(text: &str) -> Plain {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Plain::Null,
        "true" | "True" | "TRUE" => return Plain::Bool(true),
        "false" | "False" | "FALSE" => return Plain::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Plain::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Plain::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Plain::Float(f64::NAN),
        _ => {}
    }
    let (sign, digits) = match text.strip_prefix(['-', '+']) {
        Some(rest) => (&text[..1], rest),
        None => ("", text),
    };
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        let signed = format!("{}{digits}", if sign == "-" { "-" } else { "" });
        return match signed.parse::<i64>() {
            Ok(i) => Plain::Int(i),
            Err(_) => match digits.parse::<u64>() {
                Ok(u) if sign != "-" => Plain::UInt(u),
                _ => signed.parse::<f64>().map_or(Plain::Str, Plain::Float),
            },
        };
    }
    if sign.is_empty() {
        if let Some(hex) = text.strip_prefix("0x") {
            return i64::from_str_radix(hex, 16).map_or(Plain::Str, Plain::Int);
        }
        if let Some(oct) = text.strip_prefix("0o") {
            return i64::from_str_radix(oct, 8).map_or(Plain::Str, Plain::Int);
        }
    }
    if is_float(digits) {
        return text.parse::<f64>().map_or(Plain::Str, Plain::Float);
    }
    Plain::Str
}

/// `[0-9]*(\.[0-9]*)?([eE][-+]?[0-9]+)?` with at least one digit before the exponent.
fn is_float(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(int)
        && frac.is_none_or(digits)
        && (int.len() + frac.map_or(0, str::len)) > 0
        && (frac.is_some() || exponent.is_some());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_scalars_resolve_like_the_core_schema() {
        assert_eq!(plain("3"), Plain::Int(3));
        assert_eq!(plain("-3"), Plain::Int(-3));
        assert_eq!(plain("0x1F"), Plain::Int(31));
        assert_eq!(plain("1.5"), Plain::Float(1.5));
        assert_eq!(plain("1e3"), Plain::Float(1000.0));
        assert_eq!(plain("true"), Plain::Bool(true));
        assert_eq!(plain("~"), Plain::Null);
        assert_eq!(plain("100m"), Plain::Str);
        assert_eq!(plain("1.2.3"), Plain::Str);
        assert_eq!(plain("."), Plain::Str);
        assert_eq!(plain("-"), Plain::Str);
        assert_eq!(plain("yes"), Plain::Str);
        assert_eq!(plain("18446744073709551615"), Plain::UInt(u64::MAX));
    }
}
