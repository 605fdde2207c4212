#![doc = include_str!("../../../rules/schema-duplicate-key.md")]

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Severity;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::yaml::{Entry, NodeId, NodeKind, NodeRef};

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

/// Mappings up to this many entries are checked pairwise, larger ones through a hash map.
const SMALL: usize = 16;

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
        let doc = object.doc;
        if doc.root == Some(object.root.site) {
            // The object is its whole document (all but the items of a `List`): every mapping of
            // the document's arena is one of its mappings, each stored once however many aliases
            // point at it, so a pass over the arena sees each mapping once, in memory order.
            for (i, node) in doc.nodes.iter().enumerate() {
                if let NodeKind::Map(entries) = &node.kind {
                    check_map(object, NodeRef::new(doc, NodeId(i as u32)), entries, sink);
                }
            }
        } else {
            walk(object, object.root, sink, 0);
        }
    }
}

/// The mappings of an item of a `List`, from the item down.
fn walk(object: &Object<'_>, node: NodeRef<'_>, sink: &mut Sink<'_>, depth: u32) {
    // Aliases are checked where their anchor is defined, not at every use.
    if depth > MAX_DEPTH || node.id != node.site {
        return;
    }
    match node.kind() {
        NodeKind::Map(entries) => {
            check_map(object, node, entries, sink);
            for entry in entries {
                walk(object, NodeRef::new(node.doc, entry.value), sink, depth + 1);
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

/// Reports the keys of `map` that appear again later in it.
fn check_map(object: &Object<'_>, map: NodeRef<'_>, entries: &[Entry], sink: &mut Sink<'_>) {
    let doc = map.doc;
    if entries.len() < 2 {
        return;
    }
    let key = |i: usize| NodeRef::new(doc, entries[i].key).scalar();
    if entries.len() <= SMALL {
        // Small mappings (nearly all) compare their keys pairwise: first by length, which the
        // node knows without reading the text, then the texts of keys of equal length.
        let mut lengths = [None; SMALL];
        for (slot, entry) in lengths.iter_mut().zip(entries) {
            *slot = NodeRef::new(doc, entry.key).scalar_len();
        }
        let lengths = &lengths[..entries.len()];
        for (i, first) in lengths.iter().enumerate() {
            let Some(first) = first else { continue };
            let mut same_length = (i + 1..entries.len()).filter(|&j| lengths[j] == Some(*first));
            if let Some(j) = same_length.next()
                && let Some(text) = key(i)
                && std::iter::once(j)
                    .chain(same_length)
                    .any(|j| key(j) == Some(text))
            {
                report(object, map, i, text, sink);
            }
        }
    } else {
        // Large ones (a ConfigMap's data) through the last position of each key.
        let mut last: HashMap<&str, usize> = HashMap::with_capacity(entries.len());
        for i in 0..entries.len() {
            if let Some(k) = key(i) {
                last.insert(k, i);
            }
        }
        for i in 0..entries.len() {
            if let Some(k) = key(i)
                && last.get(k).is_some_and(|&j| j > i)
            {
                report(object, map, i, k, sink);
            }
        }
    }
}

/// Reports entry `i` of `map`, whose key `key` appears again later, unless the repeat is a merge
/// key (`<<`), whose entries yield to explicit ones.
fn report(object: &Object<'_>, map: NodeRef<'_>, i: usize, key: &str, sink: &mut Sink<'_>) {
    let entries: Vec<_> = map.raw_entries().collect();
    let entry = &entries[i];
    if entry.is_merge() {
        return;
    }
    let Some(later) = entries[i + 1..]
        .iter()
        .find(|e| e.key.scalar() == Some(key) && !e.is_merge())
    else {
        return;
    };
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
