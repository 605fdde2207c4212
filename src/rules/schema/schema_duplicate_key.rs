#![doc = include_str!("../../../rules/schema-duplicate-key.md")]

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Severity;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::yaml::{NodeKind, NodeRef};

pub static META: RuleMeta = RuleMeta {
    id: "schema-duplicate-key",
    category: Category::Correctness,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A mapping sets the same key twice, so the API server keeps the last value and silently drops the first",
    lesson: "Seed 002 (NU.nl 2019): a second `resources:` key lower in a container (often from a merge or a template) silently replaces the limits written above it, and the container runs without them.",
};

/// How deep the walk goes (real objects nest about 20 levels).
const MAX_DEPTH: u32 = 64;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {}

pub struct SchemaDuplicateKey;

pub fn new(_settings: Settings) -> SchemaDuplicateKey {
    SchemaDuplicateKey
}

impl Rule for SchemaDuplicateKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        walk(object, object.root, sink, 0);
    }
}

fn walk(object: &Object<'_>, node: NodeRef<'_>, sink: &mut Sink<'_>, depth: u32) {
    // Aliases are checked where their anchor is defined, not at every use.
    if depth > MAX_DEPTH || node.id != node.site {
        return;
    }
    match node.kind() {
        NodeKind::Map(_) => {
            let entries: Vec<_> = node.raw_entries().collect();
            // Small mappings are compared pairwise; large ones (a ConfigMap's data) through the
            // last position of each key.
            let last: Option<HashMap<&str, usize>> = (entries.len() > 16).then(|| {
                entries
                    .iter()
                    .enumerate()
                    .filter_map(|(i, e)| e.key.scalar().map(|k| (k, i)))
                    .collect()
            });
            for (i, entry) in entries.iter().enumerate() {
                let Some(key) = entry.key.scalar() else {
                    continue;
                };
                let repeated = match &last {
                    Some(last) => last.get(key).is_some_and(|&j| j > i),
                    None => entries[i + 1..].iter().any(|e| e.key.scalar() == Some(key)),
                };
                if repeated && !entry.is_merge() {
                    let later = entries[i + 1..]
                        .iter()
                        .find(|e| e.key.scalar() == Some(key) && !e.is_merge());
                    if let Some(later) = later {
                        let line = object
                            .doc
                            .source
                            .line_col(later.key.span().start as usize)
                            .line;
                        sink.report(
                            object,
                            entry.key.span(),
                            format!(
                                "`{key}` is set again on line {line}; the API server keeps the last value and drops this one"
                            ),
                        )
                        .label("this value is dropped")
                        .secondary(object.doc.file, later.key.span(), "this one wins")
                        .help(format!(
                            "keep one `{key}:` entry, with everything it should hold"
                        ));
                    }
                }
                walk(object, entry.value, sink, depth + 1);
            }
        }
        NodeKind::Seq(_) => {
            for item in node.items() {
                walk(object, item, sink, depth + 1);
            }
        }
        _ => {}
    }
}
