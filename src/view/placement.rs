//! Where a pod may run: its `nodeSelector`, node affinity and tolerations, read from a pod spec
//! (or from the spec of a Prometheus-operator resource, which carries the same fields), and the
//! scheduling questions rules ask of them: does the pod admit a node with these labels, does it
//! tolerate these taints, which node pool does it pick.
//!
//! Node affinity is evaluated as the scheduler does: `nodeSelectorTerms` are ORed, the
//! requirements of one term are ANDed, an empty term matches nothing. Since a manifest set does
//! not say what labels the nodes carry, evaluation is three-valued: a label the caller does not
//! know makes a requirement [`Tri::Maybe`].

use std::collections::{BTreeMap, BTreeSet};

use crate::object::Object;
use crate::source::Span;
use crate::view::{PodSpec, pod_spec};
use crate::yaml::{EntryRef, NodeRef};

/// Three-valued truth: whether a pod is admitted when only some node labels are known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tri {
    No,
    Maybe,
    Yes,
}

impl Tri {
    fn and(self, other: Tri) -> Tri {
        self.min(other)
    }
    fn or(self, other: Tri) -> Tri {
        self.max(other)
    }
    pub fn possible(self) -> bool {
        self != Tri::No
    }
}

/// What is known of a node label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelState<'l> {
    Value(&'l str),
    /// The node surely lacks the label.
    Absent,
    Unknown,
}

/// The labels of a node (or of every node of a pool), as far as they are known.
pub trait NodeLabels {
    fn label(&self, key: &str) -> LabelState<'_>;
}

/// Labels known completely: a key not in the map is absent.
impl NodeLabels for BTreeMap<String, String> {
    fn label(&self, key: &str) -> LabelState<'_> {
        match self.get(key) {
            Some(value) => LabelState::Value(value),
            None => LabelState::Absent,
        }
    }
}

/// A `nodeSelector` entry.
#[derive(Clone, Copy, Debug)]
pub struct LabelEquals<'a> {
    pub key: &'a str,
    pub value: &'a str,
    pub entry: EntryRef<'a>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
    Gt,
    Lt,
    /// Anything else: the API server rejects it; it matches nothing.
    Other,
}

impl Operator {
    fn parse(text: Option<&str>) -> Operator {
        match text {
            Some("In") => Operator::In,
            Some("NotIn") => Operator::NotIn,
            Some("Exists") => Operator::Exists,
            Some("DoesNotExist") => Operator::DoesNotExist,
            Some("Gt") => Operator::Gt,
            Some("Lt") => Operator::Lt,
            _ => Operator::Other,
        }
    }
}

/// One `matchExpressions` (or `matchFields`) item.
#[derive(Clone, Debug)]
pub struct Requirement<'a> {
    pub node: NodeRef<'a>,
    pub key: &'a str,
    pub operator: Operator,
    /// The scalar items of `values`.
    pub values: Vec<NodeRef<'a>>,
}

impl<'a> Requirement<'a> {
    fn read(node: NodeRef<'a>) -> Option<Requirement<'a>> {
        let key = node.get_str("key")?;
        Some(Requirement {
            node,
            key,
            operator: Operator::parse(node.get_str("operator")),
            values: node
                .get("values")
                .into_iter()
                .flat_map(|v| v.items())
                .filter(|v| v.scalar().is_some())
                .collect(),
        })
    }

    pub fn value_strs(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.values.iter().filter_map(|v| v.scalar())
    }

    /// Where to point: the `key:` entry of the item.
    pub fn span(&self) -> Span {
        self.node
            .entry("key")
            .map_or_else(|| self.node.span(), |e| e.head_span())
    }

    fn eval(&self, state: LabelState<'_>) -> Tri {
        let yes = |b: bool| if b { Tri::Yes } else { Tri::No };
        match (self.operator, state) {
            (Operator::Other, _) => Tri::No,
            (_, LabelState::Unknown) => Tri::Maybe,
            (Operator::In, LabelState::Value(v)) => yes(self.value_strs().any(|x| x == v)),
            (Operator::In, LabelState::Absent) => Tri::No,
            (Operator::NotIn, LabelState::Value(v)) => yes(!self.value_strs().any(|x| x == v)),
            (Operator::NotIn, LabelState::Absent) => Tri::Yes,
            (Operator::Exists, LabelState::Value(_)) => Tri::Yes,
            (Operator::Exists, LabelState::Absent) => Tri::No,
            (Operator::DoesNotExist, LabelState::Value(_)) => Tri::No,
            (Operator::DoesNotExist, LabelState::Absent) => Tri::Yes,
            (Operator::Gt | Operator::Lt, LabelState::Absent) => Tri::No,
            (op @ (Operator::Gt | Operator::Lt), LabelState::Value(v)) => {
                let bound = self
                    .value_strs()
                    .next()
                    .and_then(|s| s.trim().parse::<i64>().ok());
                match (v.trim().parse::<i64>().ok(), bound) {
                    (Some(v), Some(bound)) => yes(if op == Operator::Gt {
                        v > bound
                    } else {
                        v < bound
                    }),
                    _ => Tri::No,
                }
            }
        }
    }
}

/// A node selector term: its requirements are ANDed.
#[derive(Clone, Debug)]
pub struct Term<'a> {
    pub node: NodeRef<'a>,
    pub expressions: Vec<Requirement<'a>>,
    pub fields: Vec<Requirement<'a>>,
}

impl<'a> Term<'a> {
    fn read(node: NodeRef<'a>) -> Term<'a> {
        let list = |field: &str| -> Vec<Requirement<'a>> {
            node.get(field)
                .into_iter()
                .flat_map(|l| l.items())
                .filter_map(Requirement::read)
                .collect()
        };
        Term {
            node,
            expressions: list("matchExpressions"),
            fields: list("matchFields"),
        }
    }

    /// An empty term matches no node.
    pub fn is_empty(&self) -> bool {
        self.expressions.is_empty() && self.fields.is_empty()
    }

    fn eval(&self, labels: &dyn NodeLabels) -> Tri {
        if self.is_empty() {
            return Tri::No;
        }
        let mut result = Tri::Yes;
        for requirement in &self.expressions {
            result = result.and(requirement.eval(labels.label(requirement.key)));
        }
        // Field selectors name nodes (`metadata.name`), which a pool does not pin down.
        for requirement in &self.fields {
            result = result.and(if requirement.operator == Operator::Other {
                Tri::No
            } else {
                Tri::Maybe
            });
        }
        result
    }
}

/// A `preferredDuringSchedulingIgnoredDuringExecution` item: a wish, never a constraint.
#[derive(Clone, Debug)]
pub struct Preferred<'a> {
    pub weight: Option<i64>,
    pub term: Term<'a>,
}

/// One toleration.
#[derive(Clone, Copy, Debug)]
pub struct Toleration<'a> {
    pub node: NodeRef<'a>,
    pub key: Option<&'a str>,
    pub operator: Option<&'a str>,
    pub value: Option<&'a str>,
    pub effect: Option<&'a str>,
}

/// A node taint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Taint<'t> {
    pub key: &'t str,
    /// `""` when the taint has no value.
    pub value: &'t str,
    pub effect: &'t str,
}

impl Taint<'_> {
    /// `NoSchedule` and `NoExecute` keep pods off; `PreferNoSchedule` only discourages.
    pub fn is_hard(&self) -> bool {
        matches!(self.effect, "NoSchedule" | "NoExecute")
    }
}

impl<'a> Toleration<'a> {
    fn read(node: NodeRef<'a>) -> Option<Toleration<'a>> {
        if !node.is_map() {
            return None;
        }
        let text = |key: &str| node.get(key).and_then(|v| v.as_str());
        Some(Toleration {
            node,
            key: text("key"),
            operator: text("operator"),
            value: text("value"),
            effect: text("effect"),
        })
    }

    /// `ToleratesTaint` of k8s.io/api: an empty effect matches every effect, an empty key every
    /// key; `Exists` ignores the value, `Equal` (the default) compares it.
    pub fn tolerates(&self, taint: &Taint<'_>) -> bool {
        if let Some(effect) = self.effect.filter(|e| !e.is_empty())
            && effect != taint.effect
        {
            return false;
        }
        if let Some(key) = self.key.filter(|k| !k.is_empty())
            && key != taint.key
        {
            return false;
        }
        match self.operator.unwrap_or("") {
            "" | "Equal" => self.value.unwrap_or("") == taint.value,
            "Exists" => true,
            _ => false,
        }
    }

    /// `operator: Exists` with no key: tolerates every taint.
    pub fn tolerates_everything(&self) -> bool {
        self.key.is_none_or(str::is_empty)
            && self.operator == Some("Exists")
            && self.effect.is_none_or(str::is_empty)
    }

    /// Where to point: the `key:` entry, else the first line of the item.
    pub fn span(&self) -> Span {
        for field in ["key", "operator", "value", "effect"] {
            if let Some(entry) = self.node.entry(field) {
                return entry.head_span();
            }
        }
        self.node.span()
    }
}

/// The placement fields of a pod.
#[derive(Clone, Debug)]
pub struct Placement<'a> {
    /// The mapping that holds them: a pod spec, or a Prometheus resource's `spec`.
    pub node: NodeRef<'a>,
    pub node_selector: Vec<LabelEquals<'a>>,
    /// `nodeSelector:` itself, when present.
    pub node_selector_entry: Option<EntryRef<'a>>,
    /// `requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`, when set.
    pub required: Option<Vec<Term<'a>>>,
    pub preferred: Vec<Preferred<'a>>,
    pub tolerations: Vec<Toleration<'a>>,
    /// `nodeName:` pins the pod to one node and bypasses the scheduler.
    pub node_name: Option<EntryRef<'a>>,
}

impl<'a> Placement<'a> {
    /// Reads the placement fields of a pod-spec-like mapping.
    pub fn of(node: NodeRef<'a>) -> Placement<'a> {
        let node_selector_entry = node.entry("nodeSelector");
        let node_selector = node_selector_entry
            .map(|e| e.value.entries())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|entry| {
                Some(LabelEquals {
                    key: entry.key.scalar()?,
                    value: entry.value.scalar()?,
                    entry,
                })
            })
            .collect();
        let node_affinity = node.path(&["affinity", "nodeAffinity"]);
        let required = node_affinity
            .and_then(|a| a.get("requiredDuringSchedulingIgnoredDuringExecution"))
            .and_then(|r| r.get("nodeSelectorTerms"))
            .filter(|t| t.is_seq())
            .map(|terms| {
                terms
                    .items()
                    .filter(|t| t.is_map())
                    .map(Term::read)
                    .collect()
            });
        let preferred = node_affinity
            .and_then(|a| a.get("preferredDuringSchedulingIgnoredDuringExecution"))
            .into_iter()
            .flat_map(|p| p.items())
            .filter_map(|item| {
                let preference = item.get("preference").filter(|p| p.is_map())?;
                Some(Preferred {
                    weight: item.get_str("weight").and_then(|w| w.trim().parse().ok()),
                    term: Term::read(preference),
                })
            })
            .collect();
        let tolerations = node
            .get("tolerations")
            .into_iter()
            .flat_map(|t| t.items())
            .filter_map(Toleration::read)
            .collect();
        Placement {
            node,
            node_selector,
            node_selector_entry,
            required,
            preferred,
            tolerations,
            node_name: node
                .entry("nodeName")
                .filter(|e| e.value.as_str().is_some_and(|s| !s.is_empty())),
        }
    }

    /// True when nothing restricts the nodes (preferences and tolerations aside).
    pub fn is_unconstrained(&self) -> bool {
        self.node_selector.is_empty() && self.required.is_none() && self.node_name.is_none()
    }

    /// Whether the pod may be scheduled on a node with these labels (taints aside).
    pub fn admits(&self, labels: &dyn NodeLabels) -> Tri {
        let mut result = Tri::Yes;
        for selector in &self.node_selector {
            result = result.and(match labels.label(selector.key) {
                LabelState::Value(v) if v == selector.value => Tri::Yes,
                LabelState::Value(_) | LabelState::Absent => Tri::No,
                LabelState::Unknown => Tri::Maybe,
            });
        }
        if let Some(terms) = &self.required {
            // An empty list fails validation; read it as no constraint.
            if !terms.is_empty() {
                let any = terms
                    .iter()
                    .fold(Tri::No, |acc, term| acc.or(term.eval(labels)));
                result = result.and(any);
            }
        }
        if self.node_name.is_some() {
            result = result.and(Tri::Maybe);
        }
        result
    }

    /// The toleration that tolerates `taint`, if any.
    pub fn toleration_for(&self, taint: &Taint<'_>) -> Option<&Toleration<'a>> {
        self.tolerations.iter().find(|t| t.tolerates(taint))
    }

    /// Whether every hard (`NoSchedule`, `NoExecute`) taint is tolerated.
    pub fn tolerates_all(&self, taints: &[Taint<'_>]) -> bool {
        taints
            .iter()
            .filter(|t| t.is_hard())
            .all(|t| self.toleration_for(t).is_some())
    }

    /// Whether every node the pod may run on carries `key=value`: the `nodeSelector` says so,
    /// or every required term has `key In [value]`.
    pub fn requires_label(&self, key: &str, value: &str) -> bool {
        if self
            .node_selector
            .iter()
            .any(|s| s.key == key && s.value == value)
        {
            return true;
        }
        match &self.required {
            Some(terms) if !terms.is_empty() => terms.iter().all(|term| {
                term.expressions.iter().any(|r| {
                    r.key == key
                        && r.operator == Operator::In
                        && r.value_strs().next().is_some()
                        && r.value_strs().all(|v| v == value)
                })
            }),
            _ => false,
        }
    }

    /// Whether the placement pins the pod to nodes with the given labels (a pool): one of them is
    /// required, so every node it may run on carries it.
    pub fn pins_to(&self, labels: &BTreeMap<String, String>) -> bool {
        labels.iter().any(|(k, v)| self.requires_label(k, v))
    }

    /// Every positive choice of a node pool: `nodeSelector` entries and `In` / `Exists`
    /// requirements of required terms on a pool label key, in document order.
    pub fn pool_selections(&self, keys: &PoolKeys) -> Vec<PoolSelection<'a>> {
        let mut out = Vec::new();
        for selector in &self.node_selector {
            if let Some((pool_key, from_key)) = keys.classify(selector.key) {
                out.push(PoolSelection {
                    key: selector.key,
                    pool_key,
                    values: match from_key {
                        Some(name) => vec![name],
                        None => vec![selector.value],
                    },
                    span: selector.entry.head_span(),
                    required: true,
                });
            }
        }
        for term in self.required.iter().flatten() {
            for requirement in &term.expressions {
                let Some((pool_key, from_key)) = keys.classify(requirement.key) else {
                    continue;
                };
                let values: Vec<&'a str> = match (requirement.operator, from_key) {
                    (Operator::In | Operator::Exists, Some(name)) => vec![name],
                    (Operator::In, None) => requirement.value_strs().collect(),
                    _ => continue,
                };
                out.push(PoolSelection {
                    key: requirement.key,
                    pool_key,
                    values,
                    span: requirement.span(),
                    required: true,
                });
            }
        }
        out
    }

    /// Whether the pod is kept to some node pool: a `nodeSelector` on a pool label key, or a
    /// required affinity whose every term chooses a pool.
    pub fn selects_pool(&self, keys: &PoolKeys) -> bool {
        if self
            .node_selector
            .iter()
            .any(|s| keys.classify(s.key).is_some())
        {
            return true;
        }
        match &self.required {
            Some(terms) if !terms.is_empty() => terms.iter().all(|term| {
                term.expressions.iter().any(|r| {
                    matches!(r.operator, Operator::In | Operator::Exists)
                        && keys.classify(r.key).is_some()
                })
            }),
            _ => false,
        }
    }

    /// The pools it selects: pool key (a prefix key such as `node-role.kubernetes.io/` for
    /// role labels) → the pool names it allows.
    pub fn selected_pools(&self, keys: &PoolKeys) -> BTreeMap<&'a str, BTreeSet<&'a str>> {
        let mut out: BTreeMap<&'a str, BTreeSet<&'a str>> = BTreeMap::new();
        for selection in self.pool_selections(keys) {
            out.entry(selection.pool_key)
                .or_default()
                .extend(selection.values.iter().copied());
        }
        out
    }
}

/// One positive choice of a pool.
#[derive(Clone, Debug)]
pub struct PoolSelection<'a> {
    /// The label key as written (`node-pool`, `node-role.kubernetes.io/infra`).
    pub key: &'a str,
    /// The pool key it counts under: the key itself, or the prefix of a role-style key.
    pub pool_key: &'a str,
    /// Pool names: the label values, or for a role-style key the part after the prefix.
    pub values: Vec<&'a str>,
    /// The `nodeSelector` entry or the requirement's `key:` entry.
    pub span: Span,
    pub required: bool,
}

/// The label keys that name a node pool: exact keys (`node-pool`) and prefixes whose remainder
/// is the pool (`node-role.kubernetes.io/infra`).
#[derive(Clone, Debug, Default)]
pub struct PoolKeys {
    pub exact: Vec<String>,
    pub prefixes: Vec<String>,
}

impl PoolKeys {
    /// From keys as configured: a trailing `*` makes a prefix.
    pub fn from_patterns<'s>(patterns: impl IntoIterator<Item = &'s str>) -> PoolKeys {
        let mut keys = PoolKeys::default();
        for pattern in patterns {
            match pattern.strip_suffix('*') {
                Some(prefix) => keys.prefixes.push(prefix.to_string()),
                None => keys.exact.push(pattern.to_string()),
            }
        }
        keys
    }

    pub fn add_exact(&mut self, key: &str) {
        if !self.exact.iter().any(|k| k == key) {
            self.exact.push(key.to_string());
        }
    }

    /// Whether `key` names a pool: `(pool key, pool name from the key itself)`.
    pub fn classify<'k>(&self, key: &'k str) -> Option<(&'k str, Option<&'k str>)> {
        if self.exact.iter().any(|k| k == key) {
            return Some((key, None));
        }
        for prefix in &self.prefixes {
            if let Some(rest) = key.strip_prefix(prefix.as_str())
                && !rest.is_empty()
            {
                return Some((&key[..prefix.len()], Some(rest)));
            }
        }
        None
    }

    pub fn contains(&self, key: &str) -> bool {
        self.classify(key).is_some()
    }
}

/// Where the placement fields of an object sit, and the entry to point at for the object's pods.
#[derive(Clone, Copy, Debug)]
pub struct PlacementSite<'a> {
    /// A pod spec, or a pod-spec-like mapping (`spec` of a Prometheus resource): it has
    /// `containers`, `nodeSelector`, `affinity` and `tolerations`.
    pub pod: PodSpec<'a>,
}

impl<'a> PlacementSite<'a> {
    pub fn placement(&self) -> Placement<'a> {
        Placement::of(self.pod.node)
    }

    /// The key to point at for the pods as a whole: the pod spec's `spec:`.
    pub fn anchor_span(&self) -> Span {
        match self.pod.entry {
            Some(entry) => entry.key.span(),
            None => self.pod.node.span(),
        }
    }
}

/// Prometheus-operator resources whose `spec` carries the pod's placement and containers.
fn is_operator_pod_resource(group: &str, kind: &str) -> bool {
    group == "monitoring.coreos.com"
        && matches!(
            kind,
            "Prometheus" | "PrometheusAgent" | "Alertmanager" | "ThanosRuler"
        )
}

/// The placement site of a workload: its pod spec, or the `spec` of a Prometheus, Alertmanager,
/// ThanosRuler or PrometheusAgent resource.
pub fn placement_site<'a>(object: &Object<'a>) -> Option<PlacementSite<'a>> {
    if let Some(pod) = pod_spec(object) {
        return Some(PlacementSite { pod });
    }
    if is_operator_pod_resource(object.group, object.kind) {
        let entry = object.root.entry("spec")?;
        if entry.value.is_map() {
            return Some(PlacementSite {
                pod: PodSpec {
                    node: entry.value,
                    entry: Some(entry),
                },
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, SourceFile};
    use crate::yaml::parse_file;
    use std::sync::Arc;

    fn with_placement(yaml: &str, check: impl FnOnce(&Placement<'_>)) {
        let file = Arc::new(SourceFile::new(
            crate::source::Origin::Path("t.yaml".into()),
            yaml.to_string(),
        ));
        let parsed = parse_file(FileId(0), &file);
        let doc = &parsed.documents[0];
        let root = doc.root().unwrap();
        check(&Placement::of(root));
    }

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// Labels with some keys unknown.
    struct Partial(BTreeMap<String, String>, Vec<&'static str>);
    impl NodeLabels for Partial {
        fn label(&self, key: &str) -> LabelState<'_> {
            match self.0.get(key) {
                Some(v) => LabelState::Value(v),
                None if self.1.contains(&key) => LabelState::Absent,
                None => LabelState::Unknown,
            }
        }
    }

    fn keys() -> PoolKeys {
        PoolKeys::from_patterns(["node-pool", "agentpool", "node-role.kubernetes.io/*"])
    }

    #[test]
    fn node_selector_admits_and_pins() {
        with_placement(
            "nodeSelector:\n  node-pool: ops\n  kubernetes.io/os: linux\n",
            |p| {
                let ops = labels(&[("node-pool", "ops"), ("kubernetes.io/os", "linux")]);
                let apps = labels(&[("node-pool", "apps"), ("kubernetes.io/os", "linux")]);
                assert_eq!(p.admits(&ops), Tri::Yes);
                assert_eq!(p.admits(&apps), Tri::No);
                let partial = Partial(labels(&[("node-pool", "ops")]), vec![]);
                assert_eq!(p.admits(&partial), Tri::Maybe);
                assert!(p.pins_to(&labels(&[("node-pool", "ops")])));
                assert!(!p.pins_to(&labels(&[("node-pool", "apps")])));
                assert!(p.selects_pool(&keys()));
                let pools = p.selected_pools(&keys());
                assert_eq!(pools.len(), 1);
                assert_eq!(
                    pools["node-pool"].iter().copied().collect::<Vec<_>>(),
                    ["ops"]
                );
                assert!(!p.is_unconstrained());
            },
        );
    }

    #[test]
    fn required_terms_are_ored_and_requirements_anded() {
        let yaml = "\
affinity:
  nodeAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms:
        - matchExpressions:
            - {key: node-pool, operator: In, values: [ops, tools]}
            - {key: spot, operator: DoesNotExist}
        - matchExpressions:
            - {key: node-role.kubernetes.io/infra, operator: Exists}
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 10
        preference:
          matchExpressions:
            - {key: node-pool, operator: In, values: [apps]}
";
        with_placement(yaml, |p| {
            assert_eq!(p.admits(&labels(&[("node-pool", "ops")])), Tri::Yes);
            assert_eq!(p.admits(&labels(&[("node-pool", "tools")])), Tri::Yes);
            assert_eq!(
                p.admits(&labels(&[("node-pool", "ops"), ("spot", "true")])),
                Tri::No
            );
            assert_eq!(p.admits(&labels(&[("node-pool", "apps")])), Tri::No);
            assert_eq!(
                p.admits(&labels(&[("node-role.kubernetes.io/infra", "")])),
                Tri::Yes
            );
            // Preferred terms are kept apart and never restrict.
            assert_eq!(p.preferred.len(), 1);
            assert_eq!(p.preferred[0].weight, Some(10));
            assert!(p.selects_pool(&keys()));
            let pools = p.selected_pools(&keys());
            assert_eq!(
                pools["node-pool"].iter().copied().collect::<Vec<_>>(),
                ["ops", "tools"]
            );
            assert_eq!(
                pools["node-role.kubernetes.io/"]
                    .iter()
                    .copied()
                    .collect::<Vec<_>>(),
                ["infra"]
            );
            // Two values: not pinned to either alone.
            assert!(!p.requires_label("node-pool", "ops"));
        });
    }

    #[test]
    fn a_term_without_a_pool_choice_leaves_the_pod_free() {
        let yaml = "\
affinity:
  nodeAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms:
        - matchExpressions:
            - {key: node-pool, operator: In, values: [ops]}
        - matchExpressions:
            - {key: kubernetes.io/arch, operator: In, values: [amd64]}
";
        with_placement(yaml, |p| {
            assert!(!p.selects_pool(&keys()));
            assert!(!p.requires_label("node-pool", "ops"));
            assert_eq!(p.admits(&labels(&[("node-pool", "apps")])), Tri::No);
            let partial = Partial(labels(&[("node-pool", "apps")]), vec![]);
            assert_eq!(p.admits(&partial), Tri::Maybe);
        });
    }

    #[test]
    fn operators() {
        let yaml = "\
affinity:
  nodeAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms:
        - matchExpressions:
            - {key: node-pool, operator: NotIn, values: [apps]}
            - {key: cores, operator: Gt, values: ['4']}
            - {key: gpu, operator: DoesNotExist}
          matchFields:
            - {key: metadata.name, operator: In, values: [node-1]}
";
        with_placement(yaml, |p| {
            let good = labels(&[("node-pool", "ops"), ("cores", "8")]);
            // matchFields name nodes: never more than Maybe.
            assert_eq!(p.admits(&good), Tri::Maybe);
            assert_eq!(
                p.admits(&labels(&[("node-pool", "ops"), ("cores", "2")])),
                Tri::No
            );
            assert_eq!(
                p.admits(&labels(&[("node-pool", "apps"), ("cores", "8")])),
                Tri::No
            );
            assert_eq!(
                p.admits(&labels(&[
                    ("node-pool", "ops"),
                    ("cores", "8"),
                    ("gpu", "1")
                ])),
                Tri::No
            );
            // NotIn is no positive pool choice.
            assert!(!p.selects_pool(&keys()));
        });
    }

    #[test]
    fn empty_terms_match_nothing() {
        let yaml = "\
affinity:
  nodeAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms:
        - {}
";
        with_placement(yaml, |p| {
            assert_eq!(p.admits(&labels(&[])), Tri::No);
        });
        with_placement("containers: []\n", |p| {
            assert_eq!(p.admits(&labels(&[])), Tri::Yes);
            assert!(p.is_unconstrained());
            assert!(!p.selects_pool(&keys()));
        });
    }

    #[test]
    fn tolerations() {
        let yaml = "\
tolerations:
  - key: dedicated
    operator: Equal
    value: ops
    effect: NoSchedule
  - key: spot
    operator: Exists
  - key: CriticalAddonsOnly
    value: 'true'
";
        with_placement(yaml, |p| {
            let ops = Taint {
                key: "dedicated",
                value: "ops",
                effect: "NoSchedule",
            };
            let ops_execute = Taint {
                effect: "NoExecute",
                ..ops
            };
            let other = Taint {
                key: "dedicated",
                value: "gpu",
                effect: "NoSchedule",
            };
            let spot = Taint {
                key: "spot",
                value: "true",
                effect: "NoExecute",
            };
            let critical = Taint {
                key: "CriticalAddonsOnly",
                value: "true",
                effect: "NoSchedule",
            };
            assert!(p.toleration_for(&ops).is_some());
            assert!(p.toleration_for(&ops_execute).is_none());
            assert!(p.toleration_for(&other).is_none());
            assert!(p.toleration_for(&spot).is_some());
            assert!(p.toleration_for(&critical).is_some());
            assert!(p.tolerates_all(&[ops, spot]));
            assert!(!p.tolerates_all(&[ops, other]));
            let soft = Taint {
                effect: "PreferNoSchedule",
                ..other
            };
            assert!(p.tolerates_all(&[ops, soft]));
            assert!(!p.tolerations.iter().any(|t| t.tolerates_everything()));
        });
        with_placement("tolerations:\n  - operator: Exists\n", |p| {
            let any = Taint {
                key: "dedicated",
                value: "ops",
                effect: "NoExecute",
            };
            assert!(p.toleration_for(&any).is_some());
            assert!(p.tolerations[0].tolerates_everything());
        });
        with_placement(
            "tolerations:\n  - key: dedicated\n    operator: Lt\n",
            |p| {
                let t = Taint {
                    key: "dedicated",
                    value: "",
                    effect: "NoSchedule",
                };
                assert!(p.toleration_for(&t).is_none());
            },
        );
    }

    #[test]
    fn odd_shapes_are_skipped() {
        with_placement(
            "nodeSelector: [a]\naffinity: 3\ntolerations: {a: b}\nnodeName: ''\n",
            |p| {
                assert!(p.is_unconstrained());
                assert!(p.tolerations.is_empty());
                assert_eq!(p.admits(&labels(&[])), Tri::Yes);
            },
        );
        with_placement("nodeName: node-1\n", |p| {
            assert!(!p.is_unconstrained());
            assert_eq!(p.admits(&labels(&[])), Tri::Maybe);
        });
    }

    #[test]
    fn pool_keys() {
        let k = keys();
        assert_eq!(k.classify("node-pool"), Some(("node-pool", None)));
        assert_eq!(
            k.classify("node-role.kubernetes.io/infra"),
            Some(("node-role.kubernetes.io/", Some("infra")))
        );
        assert_eq!(k.classify("node-role.kubernetes.io/"), None);
        assert_eq!(k.classify("kubernetes.io/os"), None);
    }
}
