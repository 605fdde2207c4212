//! Templates the values switch off. A chart's default values often leave a workload out
//! (`{{ if .Values.elasticsearch.host }}` around the whole Deployment, with `host: ""`), yet what
//! that workload would run with (`resources: {}`) is decided by the chart now. Such a template is
//! rendered again with the keys of its top-level `if` set, and only its documents are linted; each
//! finding says which keys were set.

use crate::helm::render::ChartRender;
use crate::helm::value::{Kind, Value};
use crate::helm::values::path_value;

/// A template that renders nothing, and the values keys whose being set would render it.
#[derive(Clone, Debug)]
pub struct SwitchedOff {
    pub template: String,
    /// Dotted paths under `.Values` with the value each is set to.
    pub keys: Vec<(String, Value)>,
}

/// The keys of a template's leading `{{ if … }}` when it is a conjunction of plain
/// `.Values.a.b` references (`and` of them, parenthesised or not); `None` for anything else.
pub fn guard_keys(text: &str) -> Option<Vec<String>> {
    let mut rest = text.trim_start();
    // Leading template comments.
    while let Some(after) = rest
        .strip_prefix("{{/*")
        .or_else(|| rest.strip_prefix("{{- /*"))
    {
        let end = after.find("*/")?;
        let after = &after[end + 2..];
        let close = after.find("}}")?;
        rest = after[close + 2..].trim_start();
    }
    let inner = rest.strip_prefix("{{")?;
    let close = inner.find("}}")?;
    let action = inner[..close]
        .trim_start_matches('-')
        .trim_end_matches('-')
        .trim();
    let condition = action.strip_prefix("if ")?.trim();
    let mut keys = Vec::new();
    for token in condition.split(|c: char| c.is_whitespace() || c == '(' || c == ')') {
        match token {
            "" | "and" => {}
            t => {
                let path = t
                    .strip_prefix("$.Values.")
                    .or_else(|| t.strip_prefix(".Values."))?;
                if path.is_empty()
                    || !path
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
                {
                    return None;
                }
                keys.push(path.to_string());
            }
        }
    }
    (!keys.is_empty()).then_some(keys)
}

/// The value that makes a falsy key truthy, keeping its type; `None` when there is no obvious one
/// (an empty map or list).
fn truthy_like(current: Option<&Value>, key: &str) -> Option<Value> {
    let last = key.rsplit('.').next().unwrap_or(key);
    match current.map(|v| &v.kind) {
        None | Some(Kind::Nil) | Some(Kind::Bool(false)) => Some(Value::bool(true)),
        Some(Kind::Str(s)) if s.is_empty() => Some(Value::str(last)),
        Some(Kind::Int(0)) => Some(Value::int(1)),
        Some(Kind::Float(f)) if *f == 0.0 => Some(Value::float(1.0)),
        _ => None,
    }
}

/// The top chart's templates that rendered nothing because their leading `if` on values keys
/// is false.
pub fn switched_off(render: &ChartRender) -> Vec<SwitchedOff> {
    let prefix = format!("{}/templates/", render.chart_name);
    let mut out = Vec::new();
    for template in &render.templates {
        let Some(rest) = template.name.strip_prefix(&prefix) else {
            continue;
        };
        let base = rest.rsplit('/').next().unwrap_or(rest);
        if base.starts_with('_')
            || base == "NOTES.txt"
            || rest.starts_with("tests/")
            || !template.rendered.text.trim().is_empty()
        {
            continue;
        }
        let source = &render.sources.get(template.file).text;
        let Some(keys) = guard_keys(source) else {
            continue;
        };
        let mut set = Vec::new();
        for key in &keys {
            let current = path_value(&render.values, key);
            if current.is_some_and(Value::truthy) {
                continue;
            }
            match truthy_like(current, key) {
                Some(v) => set.push((key.clone(), v)),
                None => {
                    set.clear();
                    break;
                }
            }
        }
        if !set.is_empty() {
            out.push(SwitchedOff {
                template: template.name.clone(),
                keys: set,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_simple_guards_only() {
        assert_eq!(
            guard_keys("{{ if .Values.elasticsearch.host }}\nkind: A\n{{ end }}"),
            Some(vec!["elasticsearch.host".to_string()])
        );
        assert_eq!(
            guard_keys("{{- if and .Values.rbac.create (.Values.psp.enabled) -}}\n"),
            Some(vec!["rbac.create".to_string(), "psp.enabled".to_string()])
        );
        assert_eq!(guard_keys("{{- if not .Values.x }}"), None);
        assert_eq!(guard_keys("{{- if eq .Values.kind \"a\" }}"), None);
        assert_eq!(guard_keys("kind: A\n{{ if .Values.x }}"), None);
        assert_eq!(
            guard_keys("{{/* c */}}\n{{- if $.Values.x }}"),
            Some(vec!["x".to_string()])
        );
    }
}
