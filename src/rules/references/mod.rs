//! References between objects of the set: a Service and the pods it selects, the ports it sends
//! traffic to, an Ingress and its Services, an autoscaler and its workload, a budget or a network
//! policy and its pods, a workload and its ServiceAccount, a RoleBinding and its Role.
//!
//! # The set is not the cluster
//!
//! A run sees the manifests it is given, not the cluster they are applied to: the Deployment a
//! Service selects may come from another chart, the Role of a binding from a cluster-wide bundle.
//! Every rule here therefore follows one policy, [`Completeness`]:
//!
//! - A reference that cannot work anywhere is always reported (a PodDisruptionBudget with no
//!   selector, a ClusterRoleBinding whose `roleRef` names a `Role`).
//! - A reference to something the set lacks is reported only when the set holds at least one object
//!   of the related kind in the same namespace (for cluster-scoped kinds: anywhere): then the set
//!   evidently ships that kind for the namespace, and the missing one is most likely a typo or a
//!   forgotten file rather than something managed elsewhere.
//! - The setting `assume-complete-set: true` (every rule here has it) treats the set as the whole
//!   namespace and reports regardless.
//!
//! Objects Kubernetes creates by itself are never missing: the `default` ServiceAccount and the
//! built-in ClusterRoles (`cluster-admin`, `admin`, `edit`, `view`, `system:*`,
//! `rules/data/builtin-cluster-roles.yaml`).

pub mod hpa_target_missing;
pub mod ingress_backend_missing;
pub mod network_policy_selects_nothing;
pub mod pdb_selects_nothing;
pub mod role_binding_role_missing;
pub mod service_account_missing;
pub mod service_selects_no_pods;
pub mod service_target_port_missing;

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::index::Index;
use crate::object::Object;
use crate::rules::Reported;
use crate::rules::yaml_scalar;
use crate::source::Span;
use crate::view::pod_spec;
use crate::view::selector::{LabelSelector, Labels, Operator, Requirement};
use crate::yaml::{EntryRef, NodeRef};

/// How many near misses (related objects that almost match) are shown as secondary labels.
pub(crate) const MAX_NEAR_MISSES: usize = 3;

/// Whether the set may be taken to hold every object of a related kind in a namespace.
pub(crate) struct Completeness {
    /// `assume-complete-set: true`: the set is the whole namespace.
    pub assume_complete: bool,
}

impl Completeness {
    /// Whether a missing object of `kind` in `namespace` is worth reporting: the setting asks for
    /// it, or the set holds other objects of that kind there (`test` picks which ones count).
    pub fn covers<'a>(
        &self,
        index: &Index<'a>,
        kind: &str,
        namespace: &str,
        test: impl Fn(&Object<'a>) -> bool,
    ) -> bool {
        self.assume_complete
            || index
                .of_kind(kind)
                .any(|o| index.namespace_of(o) == namespace && test(o))
    }
}

/// The pods of one workload of the set: the workload and its pod template labels.
pub(crate) struct PodGroup<'a> {
    pub workload: &'a Object<'a>,
    pub labels: Labels<'a>,
    /// `metadata.labels` of the pod template, as an entry (to point at).
    pub labels_entry: Option<EntryRef<'a>>,
}

impl PodGroup<'_> {
    /// Whether `selector` selects these pods, counting the labels their controller adds.
    pub fn selected_by(&self, selector: &LabelSelector<'_>) -> bool {
        !selector.is_nothing() && selector.requirements().iter().all(|r| satisfied(r, self))
    }
}

/// A label that a workload's controller adds to every pod it creates, beyond the template's.
enum Implicit<'a> {
    /// Some value nobody can know from the manifests (a hash, a uid).
    Any,
    /// A value of this shape.
    Matches(Box<dyn Fn(&str) -> bool + 'a>),
}

/// Every label key some controller adds to the pods it creates ([`implicit`] knows no other).
const IMPLICIT_KEYS: [&str; 11] = [
    "statefulset.kubernetes.io/pod-name",
    "apps.kubernetes.io/pod-index",
    "controller-revision-hash",
    "pod-template-generation",
    "pod-template-hash",
    "rollouts-pod-template-hash",
    "job-name",
    "batch.kubernetes.io/job-name",
    "controller-uid",
    "batch.kubernetes.io/controller-uid",
    "batch.kubernetes.io/job-completion-index",
];

/// The value a controller gives `key` on the pods of `workload`, when it sets that label.
fn implicit<'a>(workload: &Object<'a>, key: &str) -> Option<Implicit<'a>> {
    if !IMPLICIT_KEYS.contains(&key) {
        return None;
    }
    let name = workload.name.unwrap_or_default();
    let digits = |v: &str| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit());
    Some(match (workload.kind, key) {
        ("StatefulSet", "statefulset.kubernetes.io/pod-name") => {
            Implicit::Matches(Box::new(move |v: &str| {
                v.strip_prefix(name)
                    .and_then(|rest| rest.strip_prefix('-'))
                    .is_some_and(|i| !i.is_empty() && i.bytes().all(|b| b.is_ascii_digit()))
            }))
        }
        ("StatefulSet", "apps.kubernetes.io/pod-index") => Implicit::Matches(Box::new(digits)),
        ("StatefulSet" | "DaemonSet", "controller-revision-hash") => Implicit::Any,
        ("DaemonSet", "pod-template-generation") => Implicit::Any,
        ("Deployment" | "ReplicaSet" | "CloneSet", "pod-template-hash") => Implicit::Any,
        ("Rollout", "rollouts-pod-template-hash") => Implicit::Any,
        ("Job", "job-name" | "batch.kubernetes.io/job-name") => {
            Implicit::Matches(Box::new(move |v: &str| v == name))
        }
        ("CronJob", "job-name" | "batch.kubernetes.io/job-name") => {
            Implicit::Matches(Box::new(move |v: &str| {
                v.strip_prefix(name)
                    .is_some_and(|rest| rest.starts_with('-'))
            }))
        }
        ("Job" | "CronJob", "controller-uid" | "batch.kubernetes.io/controller-uid") => {
            Implicit::Any
        }
        ("Job" | "CronJob", "batch.kubernetes.io/job-completion-index") => {
            Implicit::Matches(Box::new(digits))
        }
        _ => return None,
    })
}

/// Every workload of the set by namespace, with its pod labels, in input order.
pub(crate) struct Pods<'a> {
    by_namespace: HashMap<&'a str, NamespacePods<'a>>,
}

#[derive(Default)]
struct NamespacePods<'a> {
    groups: Vec<PodGroup<'a>>,
    /// `(key, value)` of a template label → the groups that carry it, in input order.
    by_label: HashMap<(&'a str, &'a str), Vec<usize>>,
}

impl<'a> Pods<'a> {
    pub fn new(index: &Index<'a>) -> Pods<'a> {
        let mut by_namespace: HashMap<&'a str, NamespacePods<'a>> = HashMap::new();
        for (workload, _) in index.workloads() {
            let labels_entry = pod_labels_entry(workload);
            let pods = by_namespace
                .entry(index.namespace_of(workload))
                .or_default();
            let group = PodGroup {
                workload,
                labels: Labels::from_node(labels_entry.map(|e| e.value)),
                labels_entry,
            };
            let position = pods.groups.len();
            for label in group.labels.iter() {
                let positions = pods.by_label.entry(label).or_default();
                // A label written twice lists the group once.
                if positions.last() != Some(&position) {
                    positions.push(position);
                }
            }
            pods.groups.push(group);
        }
        Pods { by_namespace }
    }

    /// The workloads of `namespace`.
    pub fn in_namespace(&self, namespace: &str) -> &[PodGroup<'a>] {
        self.by_namespace
            .get(namespace)
            .map_or(&[], |p| p.groups.as_slice())
    }

    /// The workloads of `namespace` whose pods `selector` selects, in input order. A requirement
    /// `key = value` on a label no controller adds can only hold for templates that carry the
    /// label, so those are the only candidates (a set with a thousand Services and workloads in
    /// one namespace otherwise tests every pair).
    pub fn selected<'s: 'q, 'q>(
        &'s self,
        namespace: &str,
        selector: &'q LabelSelector<'a>,
    ) -> impl Iterator<Item = &'s PodGroup<'a>> + 'q {
        let pods = self.by_namespace.get(namespace);
        let groups = pods.map_or(&[][..], |p| p.groups.as_slice());
        let narrowed = selector.requirements().iter().find_map(|r| {
            let [value] = r.values[..] else { return None };
            (r.operator == Operator::In && !IMPLICIT_KEYS.contains(&r.key))
                .then(|| pods.and_then(|p| p.by_label.get(&(r.key, value))))
        });
        let candidates: Box<dyn Iterator<Item = &'s PodGroup<'a>> + 'q> = match narrowed {
            Some(positions) => Box::new(positions.into_iter().flatten().map(move |&i| &groups[i])),
            None => Box::new(groups.iter()),
        };
        candidates.filter(move |g| g.selected_by(selector))
    }
}

/// The `labels:` entry of a workload's pod template (a Pod's own `metadata.labels`).
pub(crate) fn pod_labels_entry<'a>(object: &Object<'a>) -> Option<EntryRef<'a>> {
    pod_spec(object)?;
    let metadata: &[&str] = match (object.group, object.kind) {
        ("", "Pod") => &["metadata"],
        ("", "PodTemplate") => &["template", "metadata"],
        ("batch", "CronJob") => &["spec", "jobTemplate", "spec", "template", "metadata"],
        _ => &["spec", "template", "metadata"],
    };
    object.root.path(metadata)?.entry("labels")
}

/// Whether one requirement holds for a workload's pods: their template labels, and the labels their
/// controller adds (a StatefulSet's `statefulset.kubernetes.io/pod-name`, a Deployment's
/// `pod-template-hash`), which take precedence as the controller sets them last.
fn satisfied(requirement: &Requirement<'_>, group: &PodGroup<'_>) -> bool {
    match implicit(group.workload, requirement.key) {
        Some(Implicit::Any) => !matches!(requirement.operator, Operator::DoesNotExist),
        Some(Implicit::Matches(test)) => match requirement.operator {
            Operator::In => requirement.values.iter().any(|v| test(v)),
            Operator::NotIn | Operator::Exists => true,
            Operator::DoesNotExist => false,
        },
        None => satisfied_by_labels(requirement, &group.labels),
    }
}

/// Whether one requirement holds for a plain label map (the selector view keeps this private).
fn satisfied_by_labels(requirement: &Requirement<'_>, labels: &Labels<'_>) -> bool {
    let value = labels.get(requirement.key);
    match requirement.operator {
        Operator::In => value.is_some_and(|v| requirement.values.contains(&v)),
        Operator::NotIn => value.is_none_or(|v| !requirement.values.contains(&v)),
        Operator::Exists => value.is_some(),
        Operator::DoesNotExist => value.is_none(),
    }
}

/// A workload whose pods a selector almost selects.
pub(crate) struct NearMiss<'s, 'a> {
    pub group: &'s PodGroup<'a>,
    /// Where the pods differ: the label that fails, else the `labels:` key, else the workload.
    pub span: Span,
    pub message: String,
}

/// The workloads of a namespace closest to `selector`: those carrying one of its label keys and
/// meeting at least one of its requirements or carrying a value close to a wanted one (a typo),
/// most requirements met first, those of `file` first.
pub(crate) fn near_misses<'s, 'a>(
    groups: &'s [PodGroup<'a>],
    selector: &LabelSelector<'a>,
    file: crate::source::FileId,
) -> Vec<NearMiss<'s, 'a>> {
    let requirements = selector.requirements();
    let mut scored: Vec<(usize, &'s PodGroup<'a>)> = groups
        .iter()
        .filter_map(|group| {
            let shared = requirements
                .iter()
                .filter(|r| group.labels.get(r.key).is_some())
                .count();
            let met = requirements.iter().filter(|r| satisfied(r, group)).count();
            // A value that looks like the wanted one (`web` for `wbe`) counts as half a match.
            let close = requirements.iter().any(|r| {
                r.operator == Operator::In
                    && group
                        .labels
                        .get(r.key)
                        .is_some_and(|v| r.values.iter().any(|w| similar(w, v)))
            });
            let near = shared > 0 && met < requirements.len() && (met > 0 || close);
            near.then_some((met * 2 + usize::from(close) + shared, group))
        })
        .collect();
    scored
        .sort_by_key(|(score, group)| (std::cmp::Reverse(*score), group.workload.doc.file != file));
    scored
        .into_iter()
        .take(MAX_NEAR_MISSES)
        .filter_map(|(_, group)| {
            let failing = requirements.iter().find(|r| !satisfied(r, group))?;
            Some(describe_miss(group, failing))
        })
        .collect()
}

fn describe_miss<'s, 'a>(group: &'s PodGroup<'a>, failing: &Requirement<'_>) -> NearMiss<'s, 'a> {
    let name = group.workload.display_name();
    let entry = group
        .labels_entry
        .and_then(|labels| labels.value.entry(failing.key));
    let wanted = match failing.operator {
        Operator::In if failing.values.len() == 1 => format!("`{}`", failing.values[0]),
        Operator::In => format!("one of {}", failing.values.join(", ")),
        Operator::NotIn => format!("none of {}", failing.values.join(", ")),
        Operator::Exists => "the label".to_string(),
        Operator::DoesNotExist => "no such label".to_string(),
    };
    match (entry, group.labels.get(failing.key)) {
        (Some(entry), Some(value)) => NearMiss {
            group,
            span: entry.head_span(),
            message: format!(
                "{name}'s pods carry `{}: {value}`, the selector wants {wanted}",
                failing.key
            ),
        },
        _ => NearMiss {
            group,
            span: group
                .labels_entry
                .map_or_else(|| group.workload.anchor_span(), |e| e.key.span()),
            message: format!("{name}'s pods have no `{}` label", failing.key),
        },
    }
}

/// The selector's own keys with the values `labels` carries, as `key: value` lines indented by
/// `indent`: what the selector would be to select those pods. `None` when they share no key.
pub(crate) fn suggested_selector(
    selector: &LabelSelector<'_>,
    labels: &Labels<'_>,
    indent: usize,
) -> Option<String> {
    let pad = " ".repeat(indent);
    let mut seen = std::collections::HashSet::new();
    let lines: Vec<String> = selector
        .requirements()
        .iter()
        .filter(|r| seen.insert(r.key))
        .filter_map(|r| {
            let value = labels.get(r.key)?;
            Some(format!(
                "{pad}{}: {}",
                yaml_scalar(r.key),
                yaml_scalar(value)
            ))
        })
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// Adds the near misses of `selector` among `groups` to a finding.
pub(crate) fn with_near_misses<'r>(
    mut reported: Reported<'r>,
    groups: &[PodGroup<'_>],
    selector: &LabelSelector<'_>,
    file: crate::source::FileId,
) -> Reported<'r> {
    for miss in near_misses(groups, selector, file) {
        reported = reported.secondary(miss.group.workload.doc.file, miss.span, miss.message);
    }
    reported
}

/// The entry for `key` in `node`, as a span: the key and a one-line value.
pub(crate) fn entry_span(node: Option<NodeRef<'_>>, key: &str) -> Option<Span> {
    node?.entry(key).map(|e| e.head_span())
}

/// Where to point at an object's `spec:` key (else its `kind:`).
pub(crate) fn spec_span(object: &Object<'_>) -> Span {
    object
        .root
        .entry("spec")
        .map_or_else(|| object.anchor_span(), |e| e.head_span())
}

/// Where to point at an object's name: its `metadata.name` entry, else its `kind:`.
pub(crate) fn name_span(object: &Object<'_>) -> Span {
    entry_span(object.metadata(), "name").unwrap_or_else(|| object.anchor_span())
}

/// Edit distance between two short names, in characters: insertions, deletions, substitutions
/// and transpositions of neighbours (`wbe` is one edit from `web`).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // d[i][j]: distance between a[..i] and b[..j] (optimal string alignment).
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// Whether `candidate` looks like a misspelling of `wanted` (or the other way round): a small edit
/// distance, or one name inside the other (`web` and `web-api`, a Helm release prefix).
pub(crate) fn similar(wanted: &str, candidate: &str) -> bool {
    if wanted == candidate {
        return false;
    }
    let limit = (wanted.chars().count().max(candidate.chars().count()) / 4).clamp(1, 3);
    if distance(wanted, candidate) <= limit {
        return true;
    }
    let shorter = wanted.len().min(candidate.len());
    shorter >= 3 && (wanted.contains(candidate) || candidate.contains(wanted))
}

/// Objects of `kind` in `namespace` whose names look like `wanted`, closest first, those of `file`
/// first among equals, at most [`MAX_NEAR_MISSES`].
pub(crate) fn similar_names<'a>(
    index: &Index<'a>,
    kind: &str,
    namespace: Option<&str>,
    wanted: &str,
    file: crate::source::FileId,
) -> Vec<&'a Object<'a>> {
    let mut found: Vec<(usize, &'a Object<'a>)> = index
        .of_kind(kind)
        .filter(|o| namespace.is_none_or(|ns| index.namespace_of(o) == ns))
        .filter_map(|o| {
            let name = o.name?;
            similar(wanted, name).then(|| (distance(wanted, name), o))
        })
        .collect();
    found.sort_by_key(|(d, o)| (*d, o.doc.file != file));
    let mut seen = std::collections::HashSet::new();
    found
        .into_iter()
        .filter(|(_, o)| seen.insert(o.name))
        .take(MAX_NEAR_MISSES)
        .map(|(_, o)| o)
        .collect()
}

/// A whole number as Kubernetes reads an int field (quoted digits accepted, as Helm output often has).
pub(crate) fn int_value(node: NodeRef<'_>) -> Option<u32> {
    node.scalar()?.trim().parse().ok()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PodOperators {
    operators: Vec<PodOperator>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PodOperator {
    group: String,
    kinds: Vec<String>,
    #[serde(default)]
    services: Vec<String>,
}

static OPERATORS: LazyLock<PodOperators> = LazyLock::new(|| {
    crate::rules::data::read("pod-operators", crate::rules::data::json!("pod-operators"))
});

/// The operator entry for a custom resource whose operator creates pods.
fn pod_operator(object: &Object<'_>) -> Option<&'static PodOperator> {
    OPERATORS
        .operators
        .iter()
        .find(|o| o.group == object.group && o.kinds.iter().any(|k| k == object.kind))
}

/// A custom resource: its API group is not one of Kubernetes' own (those have no dot, or end in
/// `.k8s.io`).
fn is_custom_resource(object: &Object<'_>) -> bool {
    object.group.contains('.') && !object.group.ends_with(".k8s.io")
}

/// A custom resource of `namespace` whose operator may create the pods `selector` wants: the
/// selector's label keys carry its API group as their prefix, or it is of a kind listed in
/// `rules/data/pod-operators.yaml` and its name is one of the selector's values or its labels (or
/// `spec.podMetadata.labels`) meet the whole selector.
pub(crate) fn operator_owning_pods<'a>(
    index: &Index<'a>,
    namespace: &str,
    selector: &LabelSelector<'_>,
) -> Option<&'a Object<'a>> {
    let requirements = selector.requirements();
    let meets = |labels: Option<NodeRef<'_>>| {
        let labels = Labels::from_node(labels);
        !labels.is_empty() && requirements.iter().all(|r| satisfied_by_labels(r, &labels))
    };
    index
        .in_namespace(namespace)
        .filter(|o| is_custom_resource(o))
        .find(|o| {
            let domain = requirements.iter().any(|r| {
                r.key.split_once('/').is_some_and(|(prefix, _)| {
                    prefix == o.group || o.group.ends_with(&format!(".{prefix}"))
                })
            });
            domain
                || pod_operator(o).is_some_and(|_| {
                    o.name
                        .is_some_and(|name| requirements.iter().any(|r| r.values.contains(&name)))
                        || meets(o.metadata().and_then(|m| m.get("labels")))
                        || meets(o.spec().and_then(|s| s.path(&["podMetadata", "labels"])))
                })
        })
}

/// A custom resource of `namespace` whose operator creates the Service `name`: a listed fixed name,
/// or `<resource name>-…` for a resource of a listed kind.
pub(crate) fn operator_owning_service<'a>(
    index: &Index<'a>,
    namespace: &str,
    name: &str,
) -> Option<&'a Object<'a>> {
    index.in_namespace(namespace).find(|o| {
        pod_operator(o).is_some_and(|operator| {
            operator.services.iter().any(|s| s == name)
                || o.name.is_some_and(|own| {
                    name.strip_prefix(own)
                        .is_some_and(|rest| rest.starts_with('-'))
                })
        })
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BuiltinClusterRoles {
    names: Vec<String>,
    prefixes: Vec<String>,
    roles: std::collections::BTreeMap<String, Vec<String>>,
}

static BUILTIN: LazyLock<BuiltinClusterRoles> = LazyLock::new(|| {
    crate::rules::data::read(
        "builtin-cluster-roles",
        crate::rules::data::json!("builtin-cluster-roles"),
    )
});

/// A ClusterRole every cluster has (`cluster-admin`, `view`, `system:…`).
pub(crate) fn is_builtin_cluster_role(name: &str) -> bool {
    BUILTIN.names.iter().any(|n| n == name) || BUILTIN.prefixes.iter().any(|p| name.starts_with(p))
}

/// "1 workload", "3 workloads".
pub(crate) fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A Role Kubernetes creates in `namespace` by itself (`extension-apiserver-authentication-reader`).
pub(crate) fn is_builtin_role(namespace: &str, name: &str) -> bool {
    BUILTIN
        .roles
        .get(namespace)
        .is_some_and(|names| names.iter().any(|n| n == name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_operators_parse() {
        assert!(!OPERATORS.operators.is_empty());
        assert!(
            OPERATORS
                .operators
                .iter()
                .all(|o| o.group.contains('.') && !o.kinds.is_empty())
        );
    }

    #[test]
    fn builtin_cluster_roles_parse() {
        assert!(is_builtin_role(
            "kube-system",
            "extension-apiserver-authentication-reader"
        ));
        assert!(!is_builtin_role(
            "default",
            "extension-apiserver-authentication-reader"
        ));
        assert!(is_builtin_cluster_role("cluster-admin"));
        assert!(is_builtin_cluster_role("system:auth-delegator"));
        assert!(is_builtin_cluster_role("view"));
        assert!(!is_builtin_cluster_role("my-operator"));
    }

    #[test]
    fn similar_names() {
        assert!(similar("web", "wbe"));
        assert!(similar("web", "web-api"));
        assert!(similar("checkout", "check-out"));
        assert!(similar("release-web", "web"));
        assert!(!similar("web", "web"));
        assert!(!similar("api", "db"));
        assert!(!similar("ab", "xy"));
        assert!(similar("web", "wbe"));
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("web", "wbe"), 1);
        assert_eq!(distance("", "ab"), 2);
    }
}

#[cfg(test)]
mod settings_tests {
    use crate::rules::availability::run_rule;

    const SERVICE: &str = "apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  selector:\n    app: api\n  ports:\n    - port: 80\n      targetPort: 8080\n";
    const WORKER: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  template:\n    metadata:\n      labels:\n        app: api\n    spec:\n      containers:\n        - name: api\n          image: api:1\n";

    #[test]
    fn assume_complete_set_reports_without_related_objects() {
        use super::service_selects_no_pods as rule;
        let lenient = Box::new(rule::new(rule::Settings::default()));
        assert!(run_rule(lenient, &[("a.yaml", SERVICE)]).is_empty());
        let strict = Box::new(rule::new(rule::Settings {
            assume_complete_set: true,
        }));
        assert_eq!(
            run_rule(strict, &[("a.yaml", SERVICE)]),
            [
                "a.yaml:7: Service/shop/api selects app=api, but no pod of the set carries these labels"
            ]
        );
        use super::ingress_backend_missing as ingress;
        let text = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\nspec:\n  defaultBackend:\n    service:\n      name: web\n      port:\n        number: 80\n";
        assert!(
            run_rule(
                Box::new(ingress::new(Default::default())),
                &[("a.yaml", text)]
            )
            .is_empty()
        );
        let strict = ingress::new(ingress::Settings {
            assume_complete_set: true,
        });
        assert_eq!(run_rule(Box::new(strict), &[("a.yaml", text)]).len(), 1);
    }

    #[test]
    fn numeric_targets_need_declared_ports_unless_asked() {
        use super::service_target_port_missing as rule;
        let default = Box::new(rule::new(Default::default()));
        assert!(run_rule(default, &[("a.yaml", SERVICE), ("b.yaml", WORKER)]).is_empty());
        let strict = Box::new(rule::new(rule::Settings {
            require_declared_ports: true,
        }));
        assert_eq!(
            run_rule(strict, &[("a.yaml", SERVICE), ("b.yaml", WORKER)]),
            [
                "a.yaml:11: Service/shop/api port 80 sends traffic to container port 8080, which none of the selected pods declares"
            ]
        );
    }

    #[test]
    fn peers_can_be_left_alone() {
        use super::network_policy_selects_nothing as rule;
        let policy = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  podSelector: {}\n  ingress:\n    - from:\n        - podSelector:\n            matchLabels: {app: frontend}\n";
        let default = Box::new(rule::new(Default::default()));
        assert_eq!(
            run_rule(default, &[("a.yaml", policy), ("b.yaml", WORKER)]).len(),
            1
        );
        let no_peers = Box::new(rule::new(rule::Settings {
            assume_complete_set: false,
            check_peers: false,
        }));
        assert!(run_rule(no_peers, &[("a.yaml", policy), ("b.yaml", WORKER)]).is_empty());
    }

    #[test]
    fn odd_shapes_never_panic() {
        let odd = [
            "apiVersion: v1\nkind: Service\nspec: {selector: [a], ports: {a: 1}}\n",
            "apiVersion: v1\nkind: Service\nspec: {selector: {app: [x]}, ports: [{targetPort: {a: 1}}, 7, {port: -1}]}\n",
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nspec: {defaultBackend: {service: [x]}, rules: [{http: {paths: [{backend: {service: {name: [x], port: {number: {a: 1}}}}}, 3]}}, x]}\n",
            "apiVersion: extensions/v1beta1\nkind: Ingress\nspec: {backend: {serviceName: x, servicePort: ''}}\n",
            "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nspec: {scaleTargetRef: {kind: [x], name: {a: b}}}\n",
            "apiVersion: policy/v1\nkind: PodDisruptionBudget\nspec: {selector: [x]}\n",
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nspec: {podSelector: 7, ingress: [{from: {a: b}}, {from: [7, {podSelector: [x]}]}], egress: x}\n",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nroleRef: [x]\nsubjects: {a: b}\n",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nroleRef: {kind: ClusterRole, name: cluster-admin}\nsubjects: [7, {kind: [x]}, {kind: ServiceAccount, name: x}]\n",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nrules: [7, {verbs: \"*\"}, {verbs: [[x], \"*\"], resources: {a: b}}]\n",
            "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec: {template: {metadata: {labels: [x]}, spec: {serviceAccountName: [x], containers: [{ports: {a: 1}}]}}}\n",
        ];
        for entry in crate::rules::registry() {
            for text in odd {
                let rule = (entry.build)(&serde_json::Value::Null).unwrap();
                run_rule(rule, &[("odd.yaml", text), ("other.yaml", odd[0])]);
            }
        }
    }
}
