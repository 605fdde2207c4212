//! The built-in kinds of Kubernetes 1.25 to 1.37: `rules/data/kubernetes-schemas.txt`, generated
//! by `cargo xtask schemas` from the OpenAPI-derived JSON schemas of the PyPI package
//! kubernetes-validate (format: `xtask/src/gen_schemas.rs`), plus `rules/data/schema-enums.yaml`,
//! the fields whose values the API server checks against a fixed list (the published OpenAPI v2
//! documents carry no `enum` for them). Parsed once, on first use, so runs without schema rules
//! pay nothing.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use serde::Deserialize;

use super::{Additional, IntFormat, Kind, Node, NodeIx, Object, Prop, Schema, StrFormat};
use crate::kube_version::KubeVersion;

const TABLE: &str = include_str!("../../rules/data/kubernetes-schemas.txt");

pub struct Builtin {
    /// Kubernetes minors, ascending (`25` for 1.25).
    pub minors: Vec<u32>,
    names: Vec<&'static str>,
    nodes: Vec<Node<'static>>,
    /// Per version: definition name index → node.
    defs: Vec<Vec<Option<NodeIx>>>,
    /// (group, version, kind) → (root node: a ref to the definition, versions mask).
    kinds: HashMap<(&'static str, &'static str, &'static str), (NodeIx, u64, u32)>,
    /// A ref to `ObjectMeta`, for the `metadata` of custom resources.
    object_meta: Option<NodeIx>,
}

const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EnumEntry {
    definition: String,
    field: String,
    /// The values apply to the items of a list field.
    #[serde(default)]
    items: bool,
    values: Vec<String>,
}

static ENUM_VALUES: LazyLock<Vec<EnumEntry>> = LazyLock::new(|| {
    crate::rules::data::read("schema-enums", crate::rules::data::json!("schema-enums"))
});

static BUILTIN: LazyLock<Builtin> = LazyLock::new(|| {
    let mut builtin =
        parse(TABLE).unwrap_or_else(|e| panic!("rules/data/kubernetes-schemas.txt: {e}"));
    apply_enums(&mut builtin, &ENUM_VALUES);
    builtin
});

/// The embedded table, parsed on first use.
pub fn builtin() -> &'static Builtin {
    &BUILTIN
}

/// `s` split at each space. The table has about 60,000 short fields; `str::split` with a
/// `char` pattern sets up a `memchr` search per field, which made it a third of the start-up
/// instructions of a small lint.
fn words(s: &str) -> impl Iterator<Item = &str> {
    let bytes = s.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        if start > bytes.len() {
            return None;
        }
        let end = bytes[start..]
            .iter()
            .position(|&b| b == b' ')
            .map_or(bytes.len(), |p| start + p);
        let word = &s[start..end];
        start = end + 1;
        Some(word)
    })
}

/// `s` split at the first `sep` (an ASCII byte), like `str::split_once`.
fn split_at_byte(s: &str, sep: u8) -> Option<(&str, &str)> {
    let i = s.as_bytes().iter().position(|&b| b == sep)?;
    Some((&s[..i], &s[i + 1..]))
}

fn parse_node(spec: &str, names: &[&'static str]) -> Result<Node<'static>, String> {
    let mut parts = words(spec);
    let head = parts.next().unwrap_or_default();
    let (tag, format) = split_at_byte(head, b':').unwrap_or((head, ""));
    let (tag, nullable) = match tag.strip_suffix('?') {
        Some(t) => (t, true),
        None => (tag, false),
    };
    let mut arg = || -> Result<NodeIx, String> {
        parts
            .next()
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| format!("`{spec}`: missing index"))
    };
    let kind = match tag {
        "any" => Kind::Any,
        "str" => Kind::String(if format == "byte" {
            StrFormat::Byte
        } else {
            StrFormat::Plain
        }),
        "int" => Kind::Integer(match format {
            "int32" => IntFormat::Int32,
            "int64" => IntFormat::Int64,
            _ => IntFormat::Any,
        }),
        "num" => Kind::Number,
        "bool" => Kind::Boolean,
        "qty" => Kind::Quantity { pattern: false },
        "ios" => Kind::IntOrString,
        "arr" => Kind::Array(arg()?),
        "map" => Kind::Map(arg()?),
        "ref" => Kind::Ref(arg()?),
        "obj" => {
            let additional = match parts.next() {
                Some("-") => Additional::Closed,
                Some(n) => Additional::Schema(n.parse().map_err(|_| format!("`{spec}`"))?),
                None => return Err(format!("`{spec}`: missing additional")),
            };
            let mut props = Vec::new();
            for p in parts {
                let (name, node) = split_at_byte(p, b'=').ok_or_else(|| format!("`{spec}`"))?;
                let (name, required) = match name.strip_prefix('!') {
                    Some(n) => (n, true),
                    None => (name, false),
                };
                let name: usize = name.parse().map_err(|_| format!("`{spec}`"))?;
                props.push(Prop {
                    name: names
                        .get(name)
                        .copied()
                        .ok_or_else(|| format!("`{spec}`: no string {name}"))?,
                    node: node.parse().map_err(|_| format!("`{spec}`"))?,
                    required,
                });
            }
            props.sort_by(|a, b| a.name.cmp(b.name));
            Kind::Object(Object {
                props,
                additional,
                embedded: false,
                title: None,
            })
        }
        other => return Err(format!("unknown node tag `{other}`")),
    };
    Ok(Node {
        kind,
        nullable,
        enumeration: None,
    })
}

fn parse(text: &'static str) -> Result<Builtin, String> {
    let mut minors = Vec::new();
    let mut names: Vec<&'static str> = Vec::new();
    let mut nodes = Vec::new();
    let mut defs = Vec::new();
    let mut kinds = HashMap::new();
    for line in text.lines() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let (tag, rest) = split_at_byte(line, b' ').unwrap_or((line, ""));
        match tag {
            "versions" => {
                for v in words(rest) {
                    let minor = v
                        .strip_prefix("1.")
                        .and_then(|m| m.parse().ok())
                        .ok_or_else(|| format!("odd version {v}"))?;
                    minors.push(minor);
                }
            }
            "s" => names.push(rest),
            "n" => {
                let node = parse_node(rest, &names)?;
                nodes.push(node);
            }
            "d" => {
                let mut parts = words(rest);
                let version = parts.next().unwrap_or_default();
                if Some(version.to_string()) != minors.get(defs.len()).map(|m| format!("1.{m}")) {
                    return Err(format!("definitions of {version} out of order"));
                }
                let mut table = vec![None; names.len()];
                for pair in parts {
                    let (name, node) =
                        split_at_byte(pair, b':').ok_or_else(|| format!("`{pair}`"))?;
                    let name: usize = name.parse().map_err(|_| format!("`{pair}`"))?;
                    let node: NodeIx = node.parse().map_err(|_| format!("`{pair}`"))?;
                    *table.get_mut(name).ok_or_else(|| format!("`{pair}`"))? = Some(node);
                }
                defs.push(table);
            }
            "k" => {
                let parts: Vec<&'static str> = words(rest).collect();
                let [group, version, kind, name, mask] = parts[..] else {
                    return Err(format!("`{line}`"));
                };
                let group = if group == "-" { "" } else { group };
                let name: u32 = name.parse().map_err(|_| format!("`{line}`"))?;
                let mask = u64::from_str_radix(mask, 16).map_err(|_| format!("`{line}`"))?;
                nodes.push(Node::new(Kind::Ref(name)));
                kinds.insert(
                    (group, version, kind),
                    ((nodes.len() - 1) as NodeIx, mask, name),
                );
            }
            other => return Err(format!("unknown line tag `{other}`")),
        }
    }
    let count = nodes.len() as NodeIx;
    let in_range = |ix: NodeIx| ix < count;
    for node in &nodes {
        let ok = match &node.kind {
            Kind::Array(i) | Kind::Map(i) => in_range(*i),
            Kind::Ref(name) => (*name as usize) < names.len(),
            Kind::Object(o) => {
                o.props.iter().all(|p| in_range(p.node))
                    && match o.additional {
                        Additional::Schema(i) => in_range(i),
                        _ => true,
                    }
            }
            _ => true,
        };
        if !ok {
            return Err("a node points past the table".to_string());
        }
    }
    if defs.len() != minors.len() || defs.iter().flatten().flatten().any(|&i| !in_range(i)) {
        return Err("definitions do not match the versions".to_string());
    }
    let object_meta = names.iter().position(|n| *n == OBJECT_META).map(|name| {
        nodes.push(Node::new(Kind::Ref(name as u32)));
        (nodes.len() - 1) as NodeIx
    });
    Ok(Builtin {
        minors,
        names,
        nodes,
        defs,
        kinds,
        object_meta,
    })
}

/// Gives the enum table's fields their allowed values, in every version that has the field.
/// Definitions with the same shape share a node (`LabelSelectorRequirement` and
/// `NodeSelectorRequirement`), so each definition given an enum gets its own copy first.
fn apply_enums(builtin: &mut Builtin, entries: &[EnumEntry]) {
    // (definition name, shared node) → the definition's own copy.
    let mut copies: HashMap<(usize, NodeIx), NodeIx> = HashMap::new();
    let mut done = HashSet::new();
    for entry in entries {
        let Some(name) = builtin.names.iter().position(|n| *n == entry.definition) else {
            continue;
        };
        let values: Vec<&'static str> = entry
            .values
            .iter()
            .map(|v| &*Box::leak(v.clone().into_boxed_str()))
            .collect();
        for version in 0..builtin.defs.len() {
            let Some(shared) = builtin.defs[version][name] else {
                continue;
            };
            let def = match copies.get(&(name, shared)) {
                Some(&copy) => copy,
                None => {
                    let copy = builtin.nodes[shared as usize].clone();
                    builtin.nodes.push(copy);
                    let copy = (builtin.nodes.len() - 1) as NodeIx;
                    copies.insert((name, shared), copy);
                    copy
                }
            };
            builtin.defs[version][name] = Some(def);
            if !done.insert((def, entry.field.clone())) {
                continue;
            }
            let Some(Kind::Object(object)) = builtin.nodes.get(def as usize).map(|n| &n.kind)
            else {
                continue;
            };
            let Some(prop) = object.prop(&entry.field).copied() else {
                continue;
            };
            let target = if entry.items {
                match builtin.nodes[prop.node as usize].kind {
                    Kind::Array(items) => Some(items),
                    _ => None,
                }
            } else {
                Some(prop.node)
            };
            let Some(target) = target else { continue };
            let mut with_enum = builtin.nodes[target as usize].clone();
            with_enum.enumeration = Some(values.clone());
            builtin.nodes.push(with_enum);
            let mut new_ix = (builtin.nodes.len() - 1) as NodeIx;
            if entry.items {
                let mut array = builtin.nodes[prop.node as usize].clone();
                array.kind = Kind::Array(new_ix);
                builtin.nodes.push(array);
                new_ix = (builtin.nodes.len() - 1) as NodeIx;
            }
            if let Kind::Object(object) = &mut builtin.nodes[def as usize].kind
                && let Ok(i) = object
                    .props
                    .binary_search_by(|p| p.name.cmp(entry.field.as_str()))
            {
                object.props[i].node = new_ix;
            }
        }
    }
}

impl Builtin {
    /// The index of the schema version used for `kube`: its own minor, or the nearest one the
    /// table has (1.25 for older targets, 1.37 for newer ones).
    pub fn version_index(&self, kube: KubeVersion) -> usize {
        self.minors
            .iter()
            .rposition(|&m| m <= kube.minor)
            .unwrap_or(0)
    }

    /// The Kubernetes minor the schemas for `kube` come from.
    pub fn schema_minor(&self, kube: KubeVersion) -> u32 {
        self.minors
            .get(self.version_index(kube))
            .copied()
            .unwrap_or(kube.minor)
    }

    /// The schema and root node of a built-in kind in `kube`'s release, if it serves the kind.
    pub fn lookup(
        &self,
        group: &str,
        version: &str,
        kind: &str,
        kube: KubeVersion,
    ) -> Option<(Schema<'_, 'static>, NodeIx)> {
        let &(root, mask, _) = self.kinds.get(&(group, version, kind))?;
        let v = self.version_index(kube);
        if mask & (1 << v) == 0 {
            return None;
        }
        Some((
            Schema {
                nodes: &self.nodes,
                defs: &self.defs[v],
                names: &self.names,
            },
            root,
        ))
    }

    /// The schema of `ObjectMeta` in `kube`'s release, for the `metadata` of custom resources.
    pub fn object_meta(&self, kube: KubeVersion) -> Option<(Schema<'_, 'static>, NodeIx)> {
        let root = self.object_meta?;
        Some((
            Schema {
                nodes: &self.nodes,
                defs: &self.defs[self.version_index(kube)],
                names: &self.names,
            },
            root,
        ))
    }

    /// True when some supported release serves the kind (so it is not a custom resource).
    pub fn is_builtin_kind(&self, group: &str, version: &str, kind: &str) -> bool {
        self.kinds.contains_key(&(group, version, kind))
    }

    /// True when the API group belongs to Kubernetes itself (no CRD can define its kinds).
    pub fn is_builtin_group(&self, group: &str) -> bool {
        self.kinds.keys().any(|(g, _, _)| *g == group)
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }
}

/// Parses the built-in schemas now rather than at their first use. The CLI runs this on a
/// thread of its own at start-up, beside reading the configuration and the inputs: the table is
/// the largest embedded data (a few milliseconds to parse), and a small run would otherwise
/// wait for it on its one busy core. Whoever comes first parses it; the other waits.
pub fn warm_up() {
    LazyLock::force(&BUILTIN);
    LazyLock::force(&ENUM_VALUES);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_table_parses_and_serves_the_common_kinds() {
        let b = builtin();
        assert_eq!(b.minors.first(), Some(&25));
        assert!(b.minors.len() >= 13);
        for minor in [25, 30, 35, 37] {
            let kube = KubeVersion::new(1, minor);
            for (group, version, kind) in [
                ("apps", "v1", "Deployment"),
                ("", "v1", "Pod"),
                ("", "v1", "Service"),
                ("networking.k8s.io", "v1", "Ingress"),
                ("apiextensions.k8s.io", "v1", "CustomResourceDefinition"),
            ] {
                assert!(
                    b.lookup(group, version, kind, kube).is_some(),
                    "{group}/{version} {kind} in 1.{minor}"
                );
            }
        }
        // Removed in 1.25: not served by any table version.
        assert!(
            b.lookup(
                "policy",
                "v1beta1",
                "PodSecurityPolicy",
                KubeVersion::new(1, 35)
            )
            .is_none()
        );
        // FlowSchema v1beta2 was served until 1.28.
        assert!(
            b.lookup(
                "flowcontrol.apiserver.k8s.io",
                "v1beta2",
                "FlowSchema",
                KubeVersion::new(1, 26)
            )
            .is_some()
        );
        assert!(
            b.lookup(
                "flowcontrol.apiserver.k8s.io",
                "v1beta2",
                "FlowSchema",
                KubeVersion::new(1, 35)
            )
            .is_none()
        );
    }

    #[test]
    fn versions_clamp_to_the_table() {
        let b = builtin();
        assert_eq!(b.schema_minor(KubeVersion::new(1, 20)), 25);
        assert_eq!(b.schema_minor(KubeVersion::new(1, 35)), 35);
        assert_eq!(b.schema_minor(KubeVersion::new(1, 99)), 37);
    }

    #[test]
    fn every_enum_entry_names_a_real_field() {
        let b = builtin();
        for entry in ENUM_VALUES.iter() {
            let name = b
                .names
                .iter()
                .position(|n| *n == entry.definition)
                .unwrap_or_else(|| panic!("no definition {}", entry.definition));
            let found = b.defs.iter().filter_map(|d| d[name]).any(|def| {
                matches!(&b.nodes[def as usize].kind, Kind::Object(o)
                    if o.prop(&entry.field).is_some_and(|p| b.nodes[p.node as usize].enumeration.is_some()
                        || matches!(b.nodes[p.node as usize].kind, Kind::Array(i) if b.nodes[i as usize].enumeration.is_some())))
            });
            assert!(found, "{}.{} got no enum", entry.definition, entry.field);
        }
    }
}

#[cfg(test)]
mod enum_tests {
    use super::*;

    fn allowed(definition: &str, field: &str) -> Vec<&'static str> {
        let b = builtin();
        let v = b.version_index(KubeVersion::DEFAULT);
        let name = b.names.iter().position(|n| *n == definition).unwrap();
        let def = b.defs[v][name].unwrap();
        let Kind::Object(object) = &b.nodes[def as usize].kind else {
            panic!("{definition} is not an object");
        };
        let prop = object.prop(field).unwrap();
        b.nodes[prop.node as usize].enumeration.clone().unwrap()
    }

    #[test]
    fn definitions_of_the_same_shape_keep_their_own_values() {
        // Both are {key, operator, values}: one node until the enum table tells them apart.
        assert!(
            !allowed(
                "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement",
                "operator"
            )
            .contains(&"Gt")
        );
        assert!(allowed("io.k8s.api.core.v1.NodeSelectorRequirement", "operator").contains(&"Gt"));
    }
}
