//! The JSON Schema of `.kpolicy.yaml`, generated from the configuration types with schemars, with
//! the `rules:` section spelled out from the rule registry (every id with its settings, every
//! category), so editors complete and check rule ids and settings too.

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::{Map, Value, json};

use super::Config;
use crate::rules::{Category, registry};

/// Where the schema is committed in the repository (a test keeps it in step with the types).
pub const SCHEMA_PATH: &str = "schema/kpolicy.schema.json";

/// Where editors fetch it from (`# yaml-language-server: $schema=…`).
pub const SCHEMA_URL: &str =
    "https://raw.githubusercontent.com/kpolicy/kpolicy/main/schema/kpolicy.schema.json";

/// A severity as written in the configuration.
#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum SeverityName {
    Error,
    Warning,
    Info,
}

/// A rule category as written in the configuration.
#[derive(JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[allow(dead_code)]
pub enum CategoryName {
    Correctness,
    Reliability,
    Security,
    BestPractice,
    Style,
    Nursery,
}

/// `kubeVersion`: a quoted minor version.
pub(super) fn kube_version_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": ["string", "number", "null"],
        "pattern": "^[vV]?1\\.[0-9]{1,2}(\\..*)?$",
        "description": "Target Kubernetes version for version-aware rules, e.g. 1.30 (--kube-version overrides it).",
        "examples": ["1.30"]
    })
}

/// The JSON type of a setting, from its default value.
fn setting_schema(default: &Value) -> Value {
    let mut schema = match default {
        Value::Bool(_) => json!({"type": "boolean"}),
        Value::Number(n) if n.is_f64() => json!({"type": "number"}),
        Value::Number(_) => json!({"type": "integer"}),
        Value::String(_) => json!({"type": "string"}),
        Value::Array(items) => match items.first() {
            Some(first) => {
                let mut item = setting_schema(first);
                if let Some(o) = item.as_object_mut() {
                    o.remove("default");
                }
                json!({"type": "array", "items": item})
            }
            None => json!({"type": "array"}),
        },
        Value::Object(_) => json!({"type": "object"}),
        Value::Null => json!({}),
    };
    if let Some(o) = schema.as_object_mut() {
        o.insert("default".into(), default.clone());
    }
    schema
}

fn switches() -> Map<String, Value> {
    let mut properties = Map::new();
    properties.insert(
        "enabled".into(),
        json!({"type": "boolean", "description": "Turn it on or off."}),
    );
    properties.insert(
        "severity".into(),
        json!({"$ref": "#/$defs/SeverityName", "description": "Report at this severity instead of the default."}),
    );
    properties
}

/// The schema of `.kpolicy.yaml`.
pub fn schema() -> Value {
    let mut root = SchemaGenerator::default()
        .into_root_schema_for::<Config>()
        .to_value();
    let mut rules = Map::new();
    for entry in registry() {
        let mut properties = switches();
        if let Value::Object(settings) = (entry.default_settings)() {
            for (name, default) in settings {
                properties.insert(name, setting_schema(&default));
            }
        }
        rules.insert(
            entry.meta.id.to_string(),
            json!({
                "type": "object",
                "description": entry.meta.summary,
                "properties": properties,
                "additionalProperties": false,
            }),
        );
    }
    for category in Category::ALL.iter().map(|c| c.as_str()).chain(["all"]) {
        rules.insert(
            category.to_string(),
            json!({
                "type": "object",
                "description": format!("Every rule of `{category}`: an entry for a rule overrides it."),
                "properties": switches(),
                "additionalProperties": false,
            }),
        );
    }
    if let Some(slot) = root.pointer_mut("/properties/rules") {
        *slot = json!({
            "type": "object",
            "description": "Per rule id or category: `enabled`, `severity`, and a rule's own settings. A custom rule's id takes `enabled` and `severity`.",
            "properties": rules,
            "additionalProperties": {
                "type": "object",
                "properties": switches(),
                "additionalProperties": false,
            },
            "default": {},
        });
    }
    if let Some(defs) = root.pointer_mut("/$defs").and_then(Value::as_object_mut) {
        defs.remove("RuleConfig");
    }
    root
}

/// The schema as committed: pretty JSON with a final newline.
pub fn schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&schema()).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The schema's categories are the engine's.
    #[test]
    fn category_names_match_the_engine() {
        let schema = schema();
        let names: Vec<&str> = schema
            .pointer("/$defs/CategoryName/enum")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let engine: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(names, engine);
    }
}
