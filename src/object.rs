//! Kubernetes objects found in parsed documents: group/version/kind, name, namespace.

use crate::source::Span;
use crate::yaml::{Document, NodeRef};

/// How deep `*List` kinds are flattened (a List inside a List is legal, deeper nesting is not seen).
const MAX_LIST_DEPTH: u32 = 4;

/// One Kubernetes object: a mapping with `apiVersion` and `kind`.
#[derive(Clone, Copy, Debug)]
pub struct Object<'a> {
    pub doc: &'a Document,
    /// The object's mapping.
    pub root: NodeRef<'a>,
    pub api_version: &'a str,
    /// `apps` for `apps/v1`; empty for the core group (`v1`).
    pub group: &'a str,
    pub version: &'a str,
    pub kind: &'a str,
    pub name: Option<&'a str>,
    /// `metadata.namespace` as written; see [`Object::namespace_or`].
    pub namespace: Option<&'a str>,
    /// The `metadata` mapping, found once (rules read it for nearly every object).
    metadata: Option<NodeRef<'a>>,
}

impl<'a> Object<'a> {
    /// Reads an object from a mapping; `None` when `apiVersion` or `kind` is missing or not a string.
    pub fn from_node(doc: &'a Document, root: NodeRef<'a>) -> Option<Object<'a>> {
        if !root.is_map() {
            return None;
        }
        let api_version = root.get_str("apiVersion")?;
        let kind = root.get_str("kind")?;
        let (group, version) = match api_version.rsplit_once('/') {
            Some((group, version)) => (group, version),
            None => ("", api_version),
        };
        let metadata = root.get("metadata");
        let name = metadata.and_then(|m| m.get_str("name"));
        let namespace = metadata.and_then(|m| m.get_str("namespace"));
        Some(Object {
            doc,
            root,
            api_version,
            group,
            version,
            kind,
            name,
            namespace,
            metadata,
        })
    }

    /// The namespace the object lands in when applied: its own, or the run's default.
    pub fn namespace_or<'d>(&self, default: &'d str) -> &'d str
    where
        'a: 'd,
    {
        self.namespace.unwrap_or(default)
    }

    pub fn metadata(&self) -> Option<NodeRef<'a>> {
        self.metadata
    }

    pub fn spec(&self) -> Option<NodeRef<'a>> {
        self.root.get("spec")
    }

    /// Where to point when the object as a whole is at fault: its `kind:` entry, or its start.
    pub fn anchor_span(&self) -> Span {
        match self.root.entry("kind") {
            Some(entry) => entry.head_span(),
            None => self.root.span(),
        }
    }

    /// `Deployment/web` or `Deployment/ns/web`, for messages.
    pub fn display_name(&self) -> String {
        match (self.namespace, self.name) {
            (Some(ns), Some(name)) => format!("{}/{}/{}", self.kind, ns, name),
            (None, Some(name)) => format!("{}/{}", self.kind, name),
            _ => self.kind.to_string(),
        }
    }
}

/// All objects of a document, with `*List` kinds replaced by their items.
pub fn objects_of(doc: &Document) -> Vec<Object<'_>> {
    let mut out = Vec::new();
    if let Some(root) = doc.root() {
        collect(doc, root, &mut out, 0);
    }
    out
}

fn collect<'a>(doc: &'a Document, node: NodeRef<'a>, out: &mut Vec<Object<'a>>, depth: u32) {
    let Some(object) = Object::from_node(doc, node) else {
        return;
    };
    let is_list = object.kind.ends_with("List")
        && depth < MAX_LIST_DEPTH
        && object
            .root
            .get("items")
            .is_some_and(|items| items.is_seq() || items.is_null());
    if is_list {
        if let Some(items) = object.root.get("items") {
            for item in items.items() {
                collect(doc, item, out, depth + 1);
            }
        }
    } else {
        out.push(object);
    }
}
