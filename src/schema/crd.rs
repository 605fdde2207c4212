//! Schemas of custom resources, from the CustomResourceDefinitions of the linted set: each served
//! version's `openAPIV3Schema` (`apiextensions.k8s.io/v1`), or the CRD-wide `validation` schema
//! (`v1beta1`), compiled into [`Node`]s that borrow from the CRD's document. A schema is compiled
//! as the objects checked against it reach its parts: a node's children are [`Kind::Lazy`] until a
//! walk visits them (a CRD's schema has thousands of nodes; its resources use a few dozen).
//!
//! Kubernetes' structural-schema rules decide what an unknown field is: under
//! `x-kubernetes-preserve-unknown-fields: true` anything goes; otherwise a field the schema does
//! not list is pruned (or rejected with strict field validation), `additionalProperties` gives the
//! values of a map, `x-kubernetes-int-or-string` allows both, `x-kubernetes-embedded-resource`
//! allows `apiVersion`, `kind` and `metadata`, and `nullable` allows null. `apiVersion`, `kind`
//! and `metadata` are always allowed at the root (the API server validates `metadata` itself).
//! A `v1beta1` CRD keeps unknown fields unless `preserveUnknownFields: false`.

use std::collections::HashMap;

use super::{Additional, IntFormat, Kind, Node, NodeIx, Object, Prop, Schema, StrFormat};
use crate::index::Index;
use crate::object::Object as KObject;
use crate::yaml::{EntryRef, NodeRef};

/// How deep a CRD schema may nest before the rest is taken as "anything".
const MAX_SCHEMA_DEPTH: u32 = 64;

/// How many compiled schema nodes one object's walk may use; beyond, it stops descending. Aliases
/// are followed, so a crafted CRD could otherwise make the compiled parts exponential in its size;
/// a real resource uses a few hundred. Counted per walk, whichever walk compiled the part, so the
/// findings do not depend on which thread got there first.
pub const MAX_SCHEMA_NODES: usize = 200_000;

/// The start of the OpenAPI pattern Kubernetes' own CRDs (and controller-gen) give quantities.
const QUANTITY_PATTERN: &str = r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))";

/// One compiled schema of a custom resource version: its root node and the root's children (which
/// compile on first use).
pub struct CrdSchema<'a> {
    pub nodes: Vec<Node<'a>>,
    pub root: NodeIx,
}

/// A part of a CRD's schema not compiled yet (see [`Kind::Lazy`]).
#[derive(Debug, Clone)]
pub struct Lazy<'a> {
    source: NodeRef<'a>,
    depth: u32,
    keep_unknown: bool,
    /// The items of a list with `x-kubernetes-preserve-unknown-fields`: the API server keeps
    /// unknown fields of its items too (its pruning skips one level down through arrays).
    open: bool,
    compiled: std::sync::OnceLock<(Vec<Node<'a>>, NodeIx)>,
}

impl<'a> Lazy<'a> {
    /// The node and its children, as an arena and the node's index in it; compiled on first use,
    /// once, whichever thread asks first.
    pub fn compiled(&self) -> (&[Node<'a>], NodeIx) {
        let (nodes, root) = self.compiled.get_or_init(|| {
            let mut compiler = Compiler {
                nodes: Vec::new(),
                keep_unknown: self.keep_unknown,
            };
            let root = compiler.compile(self.source, self.depth, false);
            if self.open
                && let Some(Kind::Object(object)) =
                    compiler.nodes.get_mut(root as usize).map(|n| &mut n.kind)
            {
                object.additional = Additional::Open;
            }
            (compiler.nodes, root)
        });
        (nodes, *root)
    }
}

impl<'a> CrdSchema<'a> {
    pub fn schema(&self) -> Schema<'_, 'a> {
        Schema {
            nodes: &self.nodes,
            defs: &[],
            names: &[],
        }
    }
}

fn is_true(node: Option<NodeRef<'_>>) -> bool {
    node.and_then(|n| n.as_str())
        .is_some_and(|s| matches!(s, "true" | "True" | "TRUE"))
}

struct Compiler<'a> {
    nodes: Vec<Node<'a>>,
    /// The CRD keeps every unknown field (`v1beta1` default, `preserveUnknownFields: true`).
    keep_unknown: bool,
}

impl<'a> Compiler<'a> {
    fn push(&mut self, node: Node<'a>) -> NodeIx {
        self.nodes.push(node);
        (self.nodes.len() - 1) as NodeIx
    }

    fn any(&mut self) -> NodeIx {
        self.push(Node::new(Kind::Any))
    }

    /// A child schema, compiled when a walk first reaches it.
    fn lazy(&mut self, s: NodeRef<'a>, depth: u32, open: bool) -> NodeIx {
        if depth > MAX_SCHEMA_DEPTH || !s.is_map() {
            return self.any();
        }
        self.push(Node::new(Kind::Lazy(Box::new(Lazy {
            source: s,
            depth,
            keep_unknown: self.keep_unknown,
            open,
            compiled: std::sync::OnceLock::new(),
        }))))
    }

    /// Schema node `s`, its children left to compile on first use.
    fn compile(&mut self, s: NodeRef<'a>, depth: u32, root: bool) -> NodeIx {
        if depth > MAX_SCHEMA_DEPTH || !s.is_map() {
            return self.any();
        }
        let f = Fields::of(s);
        let preserve = is_true(f.preserve);
        let embedded = is_true(f.embedded);
        let nullable = is_true(f.nullable);
        let enumeration = f.enumeration.filter(|e| e.is_seq()).and_then(|e| {
            let values: Option<Vec<&'a str>> = e
                .items()
                .filter(|v| !v.is_null())
                .map(|v| v.scalar())
                .collect();
            values
        });
        let ty = f.ty.and_then(|t| t.as_str());
        let format = f.format.and_then(|t| t.as_str());
        let properties = f.properties.filter(|p| p.is_map());
        let quantity_pattern = f
            .pattern
            .and_then(|p| p.as_str())
            .is_some_and(|p| p.starts_with(QUANTITY_PATTERN));
        let kind = if is_true(f.int_or_string) {
            if quantity_pattern {
                Kind::Quantity { pattern: true }
            } else {
                Kind::IntOrString
            }
        } else {
            match ty {
                Some("string") => Kind::String(if format == Some("byte") {
                    StrFormat::Byte
                } else if quantity_pattern {
                    StrFormat::Quantity
                } else {
                    StrFormat::Plain
                }),
                Some("integer") => Kind::Integer(match format {
                    Some("int32") => IntFormat::Int32,
                    Some("int64") => IntFormat::Int64,
                    _ => IntFormat::Any,
                }),
                Some("number") => Kind::Number,
                Some("boolean") => Kind::Boolean,
                Some("array") => {
                    let items = match f.items {
                        Some(items) => self.lazy(items, depth + 1, preserve),
                        None => self.any(),
                    };
                    Kind::Array(items)
                }
                Some("object") => self.object(&f, properties, preserve, embedded, depth, root),
                None if properties.is_some() || root => {
                    self.object(&f, properties, preserve, embedded, depth, root)
                }
                _ => Kind::Any,
            }
        };
        self.push(Node {
            kind,
            nullable,
            enumeration,
        })
    }

    fn object(
        &mut self,
        f: &Fields<'a>,
        properties: Option<NodeRef<'a>>,
        preserve: bool,
        embedded: bool,
        depth: u32,
        root: bool,
    ) -> Kind<'a> {
        let additional = if preserve || self.keep_unknown {
            Additional::Open
        } else {
            match f.additional {
                Some(a) if a.is_map() => Additional::Schema(self.lazy(a, depth + 1, false)),
                Some(a) if is_true(Some(a)) => Additional::Open,
                _ => Additional::Closed,
            }
        };
        let required: Vec<&'a str> = f
            .required
            .map(|r| r.items().filter_map(|i| i.as_str()).collect())
            .unwrap_or_default();
        let mut props = Vec::new();
        for entry in properties.map(|p| p.entries()).unwrap_or_default() {
            let Some(name) = entry.key.as_str() else {
                continue;
            };
            // The API server validates an embedded object's metadata itself.
            if (root || embedded) && name == "metadata" {
                continue;
            }
            let node = self.lazy(entry.value, depth + 1, false);
            props.push(Prop {
                name,
                node,
                required: required.contains(&name),
            });
        }
        props.sort_by(|a, b| a.name.cmp(b.name));
        props.dedup_by(|a, b| a.name == b.name);
        if props.is_empty()
            && let Additional::Schema(values) = additional
            && !root
            && !embedded
        {
            return Kind::Map(values);
        }
        Kind::Object(Object {
            props,
            additional,
            embedded: embedded || root,
            title: None,
        })
    }
}

/// The lengths of the keywords [`Fields::of`] reads.
const KEYWORD_LENGTHS: [usize; 10] = [4, 5, 6, 7, 8, 10, 20, 26, 30, 36];

/// The keywords of one schema node the compiler reads, found in one pass over its entries
/// (schemas are large: one lookup per keyword was the most expensive part of compiling them).
#[derive(Default)]
struct Fields<'a> {
    preserve: Option<NodeRef<'a>>,
    embedded: Option<NodeRef<'a>>,
    int_or_string: Option<NodeRef<'a>>,
    nullable: Option<NodeRef<'a>>,
    enumeration: Option<NodeRef<'a>>,
    ty: Option<NodeRef<'a>>,
    format: Option<NodeRef<'a>>,
    pattern: Option<NodeRef<'a>>,
    properties: Option<NodeRef<'a>>,
    items: Option<NodeRef<'a>>,
    additional: Option<NodeRef<'a>>,
    required: Option<NodeRef<'a>>,
}

impl<'a> Fields<'a> {
    fn of(s: NodeRef<'a>) -> Fields<'a> {
        let mut f = Fields::default();
        // Entries as written, the later of duplicate keys winning, unless a merge key (`<<`)
        // brings entries from elsewhere.
        let mut entries: Vec<EntryRef<'a>> = s.raw_entries().collect();
        if entries.iter().any(|e| e.is_merge()) {
            entries = s.entries();
        }
        for entry in entries {
            // Most keys of a schema (`description`, `x-kubernetes-validations`…) are not read
            // here: their length alone rules them out, without reading their text.
            if !entry
                .key
                .scalar_len()
                .is_some_and(|n| KEYWORD_LENGTHS.contains(&n))
            {
                continue;
            }
            let slot = match entry.key.scalar() {
                Some("x-kubernetes-preserve-unknown-fields") => &mut f.preserve,
                Some("x-kubernetes-embedded-resource") => &mut f.embedded,
                Some("x-kubernetes-int-or-string") => &mut f.int_or_string,
                Some("nullable") => &mut f.nullable,
                Some("enum") => &mut f.enumeration,
                Some("type") => &mut f.ty,
                Some("format") => &mut f.format,
                Some("pattern") => &mut f.pattern,
                Some("properties") => &mut f.properties,
                Some("items") => &mut f.items,
                Some("additionalProperties") => &mut f.additional,
                Some("required") => &mut f.required,
                _ => continue,
            };
            *slot = Some(entry.value);
        }
        f
    }
}

/// Compiles one `openAPIV3Schema`.
pub fn compile<'a>(schema: NodeRef<'a>, keep_unknown: bool) -> CrdSchema<'a> {
    let mut compiler = Compiler {
        nodes: Vec::new(),
        keep_unknown,
    };
    let root = compiler.compile(schema, 0, true);
    CrdSchema {
        nodes: compiler.nodes,
        root,
    }
}

/// The source text of a schema and the column it starts at, when these alone decide what it
/// compiles to: its document has no aliases (which could point outside the schema). Equal texts
/// at equal columns give equal schemas.
pub fn schema_text<'a>(schema: NodeRef<'a>) -> Option<(usize, &'a str)> {
    let doc = schema.doc;
    if doc
        .nodes
        .iter()
        .any(|n| matches!(n.kind, crate::yaml::NodeKind::Alias(_)))
    {
        return None;
    }
    let range = schema.span().range();
    let before = doc.text().get(..range.start)?;
    let column = range.start - before.rfind('\n').map_or(0, |i| i + 1);
    Some((column, doc.text().get(range)?))
}

/// A served version of a custom resource and where its schema is.
#[derive(Clone, Copy)]
pub struct Served<'a> {
    pub crd: &'a KObject<'a>,
    /// `None` when the version has no schema (v1beta1 without `validation`).
    pub schema: Option<NodeRef<'a>>,
    pub keep_unknown: bool,
}

/// The custom resource kinds the set's CRDs define: (group, version, kind) → every CRD of the set
/// that serves it, in set order (a set may hold several releases of one operator's CRDs).
pub fn served<'a>(index: &Index<'a>) -> HashMap<(&'a str, &'a str, &'a str), Vec<Served<'a>>> {
    let mut out = HashMap::new();
    for crd in index.of_kind("CustomResourceDefinition") {
        if crd.group != "apiextensions.k8s.io" {
            continue;
        }
        let Some(spec) = crd.spec() else { continue };
        let (Some(group), Some(kind)) = (
            spec.get_str("group"),
            spec.get("names").and_then(|n| n.get_str("kind")),
        ) else {
            continue;
        };
        let v1beta1 = crd.version == "v1beta1";
        let preserve = spec.get("preserveUnknownFields");
        // v1beta1 defaults to keeping unknown fields; v1 prunes them.
        let keep_unknown = if v1beta1 {
            !preserve
                .and_then(|p| p.as_str())
                .is_some_and(|p| matches!(p, "false" | "False" | "FALSE"))
        } else {
            is_true(preserve)
        };
        let shared = spec
            .get("validation")
            .and_then(|v| v.get("openAPIV3Schema"));
        let mut add = |version: &'a str, schema: Option<NodeRef<'a>>| {
            out.entry((group, version, kind))
                .or_insert_with(Vec::new)
                .push(Served {
                    crd,
                    schema,
                    keep_unknown,
                });
        };
        let versions: Vec<NodeRef<'a>> = spec
            .get("versions")
            .map(|v| v.items().collect())
            .unwrap_or_default();
        if versions.is_empty()
            && let Some(version) = spec.get_str("version")
        {
            add(version, shared);
        }
        for v in versions {
            let Some(name) = v.get_str("name") else {
                continue;
            };
            let served = v
                .get("served")
                .and_then(|s| s.as_str())
                .is_none_or(|s| !matches!(s, "false" | "False" | "FALSE"));
            if !served {
                continue;
            }
            let schema = v
                .get("schema")
                .and_then(|s| s.get("openAPIV3Schema"))
                .or(shared);
            add(name, schema);
        }
    }
    out
}
