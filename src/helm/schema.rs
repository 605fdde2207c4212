//! `values.schema.json`: the coalesced values of a chart (and of each subchart, under its name)
//! checked against the chart's JSON Schema, as Helm does before rendering. Each violation points
//! at the values node that supplied the offending value, when there is one.

use crate::helm::coalesce::Prepared;
use crate::helm::render::{Problem, ProblemKind};
use crate::helm::value::{Kind, Map, Value};
use crate::source::SourceMap;

/// How many violations are reported per schema.
const MAX_ERRORS: usize = 50;

/// A value as JSON (float64 numbers with no fraction written as integers, as Go's JSON does).
pub fn to_json(value: &Value) -> serde_json::Value {
    match &value.kind {
        Kind::Nil | Kind::Native(_) => serde_json::Value::Null,
        Kind::Bool(b) => serde_json::Value::Bool(*b),
        Kind::Int(i) => serde_json::Value::from(*i),
        Kind::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 9.0e15 {
                serde_json::Value::from(*f as i64)
            } else {
                serde_json::Number::from_f64(*f)
                    .map(serde_json::Value::Number)
                    .unwrap_or(serde_json::Value::Null)
            }
        }
        Kind::Str(s) => serde_json::Value::String(s.to_string()),
        Kind::List(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        Kind::Map(map) => {
            serde_json::Value::Object(map.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

/// The value at a JSON pointer (`/a/0/b`) in `values`.
fn at_pointer<'a>(values: &'a Map, pointer: &str) -> Option<&'a Value> {
    let mut parts = pointer
        .split('/')
        .skip(1)
        .map(|p| p.replace("~1", "/").replace("~0", "~"));
    let first = parts.next()?;
    let mut current = values.get(&first)?;
    for part in parts {
        current = match &current.kind {
            Kind::Map(m) => m.get(&part)?,
            Kind::List(l) => l.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}

/// Checks `values` against the schemas of `chart` and its subcharts.
pub fn validate(chart: &Prepared, values: &Map, sources: &SourceMap) -> Vec<Problem> {
    let mut problems = Vec::new();
    validate_at(chart, values, sources, &mut problems, 0);
    problems
}

fn validate_at(
    chart: &Prepared,
    values: &Map,
    sources: &SourceMap,
    problems: &mut Vec<Problem>,
    depth: usize,
) {
    if depth > 32 {
        return;
    }
    if let Some(file) = &chart.chart.schema {
        let shown = chart.chart.display_name(&file.name);
        match serde_json::from_slice::<serde_json::Value>(&file.data) {
            Err(e) => problems.push(Problem {
                at: None,
                message: format!("{shown} is not valid JSON: {e}"),
                kind: ProblemKind::Values,
            }),
            Ok(schema) => match jsonschema::validator_for(&schema) {
                Err(e) => problems.push(Problem {
                    at: None,
                    message: format!("{shown} is not a valid JSON Schema: {e}"),
                    kind: ProblemKind::Values,
                }),
                Ok(validator) => {
                    let instance = to_json(&Value::map(values.clone()));
                    for error in validator.iter_errors(&instance).take(MAX_ERRORS) {
                        let pointer = error.instance_path().to_string();
                        let at = at_pointer(values, &pointer)
                            .and_then(|v| v.origin)
                            .filter(|o| (o.file.0 as usize) < sources.len())
                            .map(|o| (o.file, o.span));
                        let path = if pointer.is_empty() {
                            "(root)".to_string()
                        } else {
                            pointer.clone()
                        };
                        problems.push(Problem {
                            at,
                            message: format!(
                                "values don't meet the specifications of the schema of chart {}: at {path}: {error}",
                                chart.name
                            ),
                            kind: ProblemKind::Values,
                        });
                    }
                }
            },
        }
    }
    for sub in &chart.deps {
        if let Some(Value {
            kind: Kind::Map(m), ..
        }) = values.get(&sub.name)
        {
            validate_at(sub, m, sources, problems, depth + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helm::chart::{ChartFile, load_files};

    #[test]
    fn violations_point_at_the_values_node() {
        let chart = load_files(
            vec![
                ChartFile { name: "Chart.yaml".into(), data: b"name: a\nversion: 1.0.0\n"[..].into() },
                ChartFile { name: "values.yaml".into(), data: b"replicas: two\nport: 80\n"[..].into() },
                ChartFile {
                    name: "values.schema.json".into(),
                    data: br#"{"type":"object","properties":{"replicas":{"type":"integer"},"port":{"type":"integer"}}}"#[..].into(),
                },
            ],
            "a",
            0,
        )
        .unwrap();
        let mut sources = SourceMap::default();
        let prepared = crate::helm::coalesce::prepare(&chart, &mut sources).unwrap();
        let values =
            crate::helm::coalesce::coalesce_values(&prepared, Map::new(), &mut Vec::new()).unwrap();
        let problems = validate(&prepared, &values, &sources);
        assert_eq!(problems.len(), 1, "{problems:?}");
        let (file, span) = problems[0].at.unwrap();
        assert_eq!(sources.get(file).slice(span), "replicas: two");
        assert!(
            problems[0].message.contains("/replicas"),
            "{}",
            problems[0].message
        );
    }
}
