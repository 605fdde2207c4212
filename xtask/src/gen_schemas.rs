//! Turns the JSON schemas that the PyPI package `kubernetes-validate` ships (one directory per
//! Kubernetes minor, `v1.NN.0-local/_definitions.json`, derived from each release's OpenAPI
//! document) into `rules/data/kubernetes-schemas.txt`, the compact table kpolicy embeds.
//!
//! Only what validation needs is kept: types, formats that matter (`int32`, `int64`, `byte`),
//! properties, `required`, map value types and which kinds each definition serves. Descriptions
//! go. Every schema node is interned once across all versions (hash-consing), and references
//! stay by definition name, resolved per version at run time, so a definition that did not
//! change between releases is stored once.
//!
//! The format is line-based text (see `src/schema/builtin.rs` for the reader):
//!
//! ```text
//! versions 1.25 1.26 …                 the Kubernetes minors, in order (bit i of a mask = i-th)
//! s <text>                             string table (definition and property names), index = order
//! n <node>                             node table, index = order; children come first
//! d <version> <name>:<node> …          the definitions of one version
//! k <group> <version> <kind> <name> <mask>   a kind, its definition and the versions serving it
//! ```
//!
//! Nodes: `any`, `str`, `str:byte`, `int`, `int:int32`, `int:int64`, `num`, `bool`, `qty`
//! (a resource quantity), `ios` (int or string), `arr N`, `map N`, `ref S`, and
//! `obj A P…` where A is `-` (no other keys) or a node for the other keys' values, and each P is
//! `S=N` (or `!S=N` when required). A `?` after the tag means `null` is allowed.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

/// The definitions that are not what their JSON schema says: quantities and int-or-strings are
/// `oneOf` in the schema, and their values are parsed further by the API server.
const QUANTITY: &str = "io.k8s.apimachinery.pkg.api.resource.Quantity";
const INT_OR_STRING: &str = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";

#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Node {
    Any,
    Str(Option<&'static str>, bool),
    Int(Option<&'static str>, bool),
    Num(bool),
    Bool(bool),
    Qty,
    IntOrString,
    Arr(usize, bool),
    Map(usize, bool),
    Obj {
        additional: Option<usize>,
        props: Vec<(usize, usize, bool)>,
        nullable: bool,
    },
    Ref(usize),
}

struct Builder {
    strings: BTreeMap<String, usize>,
    nodes: Vec<Node>,
    interned: HashMap<Node, usize>,
}

impl Builder {
    fn intern(&mut self, node: Node) -> usize {
        if let Some(&i) = self.interned.get(&node) {
            return i;
        }
        self.nodes.push(node.clone());
        self.interned.insert(node, self.nodes.len() - 1);
        self.nodes.len() - 1
    }

    fn string(&self, s: &str) -> Result<usize, String> {
        self.strings
            .get(s)
            .copied()
            .ok_or_else(|| format!("string `{s}` was not collected"))
    }

    fn compile(&mut self, schema: &Value) -> Result<usize, String> {
        let obj = schema
            .as_object()
            .ok_or_else(|| format!("schema is not an object: {schema}"))?;
        if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
            let name = ref_name(r)?;
            if name == QUANTITY {
                return Ok(self.intern(Node::Qty));
            }
            if name == INT_OR_STRING {
                return Ok(self.intern(Node::IntOrString));
            }
            let s = self.string(name)?;
            return Ok(self.intern(Node::Ref(s)));
        }
        let (ty, nullable) = match obj.get("type") {
            None => (None, true),
            Some(Value::String(t)) => (Some(t.as_str()), false),
            Some(Value::Array(ts)) => {
                let nullable = ts.iter().any(|t| t == "null");
                let mut non_null = ts.iter().filter_map(Value::as_str).filter(|t| *t != "null");
                let ty = non_null.next();
                if non_null.next().is_some() {
                    return Err(format!("several types: {schema}"));
                }
                (ty, nullable)
            }
            Some(other) => return Err(format!("odd type {other}")),
        };
        let format = obj.get("format").and_then(Value::as_str);
        let node = match ty {
            None => {
                if obj.contains_key("oneOf") || obj.contains_key("anyOf") {
                    return Err(format!("unexpected oneOf/anyOf: {schema}"));
                }
                Node::Any
            }
            Some("string") => Node::Str(
                match format {
                    Some("byte") => Some("byte"),
                    _ => None,
                },
                nullable,
            ),
            Some("integer") => Node::Int(
                match format {
                    Some("int32") => Some("int32"),
                    Some("int64") => Some("int64"),
                    _ => None,
                },
                nullable,
            ),
            Some("number") => Node::Num(nullable),
            Some("boolean") => Node::Bool(nullable),
            Some("array") => {
                let items = match obj.get("items") {
                    Some(items) => self.compile(items)?,
                    None => self.intern(Node::Any),
                };
                Node::Arr(items, nullable)
            }
            Some("object") => {
                let additional = match obj.get("additionalProperties") {
                    Some(v @ Value::Object(_)) => Some(self.compile(v)?),
                    Some(Value::Bool(false)) | None => None,
                    Some(Value::Bool(true)) => Some(self.intern(Node::Any)),
                    Some(other) => return Err(format!("odd additionalProperties {other}")),
                };
                match obj.get("properties").and_then(Value::as_object) {
                    None => {
                        // No properties: a map of values, or any object at all.
                        let values = match additional {
                            Some(a) => a,
                            None => self.intern(Node::Any),
                        };
                        Node::Map(values, nullable)
                    }
                    Some(properties) => {
                        let required: BTreeSet<&str> = obj
                            .get("required")
                            .and_then(Value::as_array)
                            .map(|r| r.iter().filter_map(Value::as_str).collect())
                            .unwrap_or_default();
                        let mut props = Vec::new();
                        // In name order whatever the map's order (serde_json's `preserve_order`).
                        let mut sorted: Vec<(&String, &Value)> = properties.iter().collect();
                        sorted.sort_by_key(|(name, _)| *name);
                        for (name, schema) in sorted {
                            let n = self.compile(schema)?;
                            props.push((self.string(name)?, n, required.contains(name.as_str())));
                        }
                        props.sort();
                        Node::Obj {
                            additional,
                            props,
                            nullable,
                        }
                    }
                }
            }
            Some(other) => return Err(format!("unknown type {other}")),
        };
        Ok(self.intern(node))
    }
}

fn ref_name(r: &str) -> Result<&str, String> {
    r.rsplit_once("$defs/")
        .map(|(_, name)| name)
        .ok_or_else(|| format!("unexpected $ref {r}"))
}

/// Names used as strings: every definition and every property name, recursively.
fn collect_strings(schema: &Value, out: &mut BTreeSet<String>) {
    match schema {
        Value::Object(obj) => {
            if let Some(Value::Object(props)) = obj.get("properties") {
                for (name, schema) in props {
                    out.insert(name.clone());
                    collect_strings(schema, out);
                }
            }
            for key in ["items", "additionalProperties"] {
                if let Some(v) = obj.get(key) {
                    collect_strings(v, out);
                }
            }
            if let Some(Value::String(r)) = obj.get("$ref")
                && let Ok(name) = ref_name(r)
            {
                out.insert(name.to_string());
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

/// The version directories of the source (`v1.25.0-local`, …), as (`1.25`, path), in order.
fn versions(source: &Path) -> Result<Vec<(u32, std::path::PathBuf)>, String> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(source).map_err(|e| format!("{}: {e}", source.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| e.to_string())?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix("v1.") else {
            continue;
        };
        let Some(minor) = rest.strip_suffix(".0-local") else {
            continue;
        };
        let minor: u32 = minor
            .parse()
            .map_err(|_| format!("odd version directory {name}"))?;
        out.push((minor, entry.path()));
    }
    out.sort();
    if out.is_empty() {
        return Err(format!(
            "{}: no v1.NN.0-local directories (expected kubernetes_validate/kubernetes-json-schema)",
            source.display()
        ));
    }
    Ok(out)
}

/// The table for the directories under `source` (`…/kubernetes_validate/kubernetes-json-schema`).
pub fn generate(source: &Path) -> Result<String, String> {
    let mut all: Vec<(u32, serde_json::Map<String, Value>)> = Vec::new();
    for (minor, dir) in versions(source)? {
        let path = dir.join("_definitions.json");
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let value: Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let Some(Value::Object(defs)) = value.get("$defs") else {
            return Err(format!("{}: no $defs", path.display()));
        };
        all.push((minor, defs.clone()));
    }

    let mut strings = BTreeSet::new();
    for (_, defs) in &all {
        for (name, schema) in defs {
            strings.insert(name.clone());
            collect_strings(schema, &mut strings);
        }
    }
    let mut builder = Builder {
        strings: strings
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i))
            .collect(),
        nodes: Vec::new(),
        interned: HashMap::new(),
    };

    // (group, version, kind) → (definition, mask of Kubernetes versions).
    let mut kinds: BTreeMap<(String, String, String), (String, u64)> = BTreeMap::new();
    let mut per_version: Vec<(u32, Vec<(usize, usize)>)> = Vec::new();
    for (bit, (minor, defs)) in all.iter().enumerate() {
        let mut table = Vec::new();
        let mut sorted: Vec<(&String, &Value)> = defs.iter().collect();
        sorted.sort_by_key(|(name, _)| *name);
        for (name, schema) in sorted {
            if name == QUANTITY || name == INT_OR_STRING {
                continue;
            }
            let node = builder
                .compile(schema)
                .map_err(|e| format!("1.{minor} {name}: {e}"))?;
            table.push((builder.string(name)?, node));
            if let Some(Value::Array(gvks)) = schema.get("x-kubernetes-group-version-kind") {
                for gvk in gvks {
                    let field = |k: &str| gvk.get(k).and_then(Value::as_str).unwrap_or_default();
                    let key = (
                        field("group").to_string(),
                        field("version").to_string(),
                        field("kind").to_string(),
                    );
                    let entry = kinds.entry(key).or_insert_with(|| (name.clone(), 0));
                    if entry.0 != *name {
                        // The same kind from two definitions (the meta/v1 `WatchEvent`, `DeleteOptions`
                        // listed under every group): keep the first, by name order.
                        continue;
                    }
                    entry.1 |= 1 << bit;
                }
            }
        }
        table.sort();
        per_version.push((*minor, table));
    }

    let mut out = String::new();
    out.push_str(
        "# Built-in Kubernetes schemas for kpolicy, generated by `cargo xtask schemas` from the PyPI\n\
         # package kubernetes-validate 1.37.0 (its JSON schemas, derived from each release's OpenAPI\n\
         # document). Do not edit; the format is described in xtask/src/gen_schemas.rs.\n",
    );
    out.push_str("versions");
    for (minor, _) in &per_version {
        let _ = write!(out, " 1.{minor}");
    }
    out.push('\n');
    for s in &strings {
        if s.contains(char::is_whitespace) || s.is_empty() {
            return Err(format!("name with white space: {s:?}"));
        }
        let _ = writeln!(out, "s {s}");
    }
    for node in &builder.nodes {
        let q = |nullable: bool| if nullable { "?" } else { "" };
        let _ = match node {
            Node::Any => writeln!(out, "n any"),
            Node::Str(format, nullable) => match format {
                Some(f) => writeln!(out, "n str{}:{f}", q(*nullable)),
                None => writeln!(out, "n str{}", q(*nullable)),
            },
            Node::Int(format, nullable) => match format {
                Some(f) => writeln!(out, "n int{}:{f}", q(*nullable)),
                None => writeln!(out, "n int{}", q(*nullable)),
            },
            Node::Num(nullable) => writeln!(out, "n num{}", q(*nullable)),
            Node::Bool(nullable) => writeln!(out, "n bool{}", q(*nullable)),
            Node::Qty => writeln!(out, "n qty?"),
            Node::IntOrString => writeln!(out, "n ios?"),
            Node::Arr(items, nullable) => writeln!(out, "n arr{} {items}", q(*nullable)),
            Node::Map(values, nullable) => writeln!(out, "n map{} {values}", q(*nullable)),
            Node::Ref(name) => writeln!(out, "n ref {name}"),
            Node::Obj {
                additional,
                props,
                nullable,
            } => {
                let _ = write!(out, "n obj{} ", q(*nullable));
                match additional {
                    Some(a) => {
                        let _ = write!(out, "{a}");
                    }
                    None => out.push('-'),
                }
                for (name, node, required) in props {
                    let _ = write!(out, " {}{name}={node}", if *required { "!" } else { "" });
                }
                writeln!(out)
            }
        };
    }
    for (minor, table) in &per_version {
        let _ = write!(out, "d 1.{minor}");
        for (name, node) in table {
            let _ = write!(out, " {name}:{node}");
        }
        out.push('\n');
    }
    for ((group, version, kind), (name, mask)) in &kinds {
        let group = if group.is_empty() { "-" } else { group };
        let _ = writeln!(
            out,
            "k {group} {version} {kind} {} {mask:x}",
            builder.string(name)?
        );
    }
    Ok(out)
}
