//! Availability and blast radius: how many replicas a workload runs (after autoscalers), whether
//! a disruption budget protects them or blocks every drain, whether they spread over nodes, whether
//! traffic waits for readiness, and whether node-critical components outrank ordinary pods.
//!
//! The rules share three questions answered here:
//!
//! - which workloads keep a pod count in `spec.replicas` ([`is_replicated`]);
//! - how many pods a workload runs at the least ([`Scaling::replicas`]): its `replicas` (default 1),
//!   or the minimum of a HorizontalPodAutoscaler or KEDA ScaledObject that targets it, since the
//!   autoscaler then owns `replicas`;
//! - which workloads run for good, so probes matter ([`is_long_running`]).

pub mod critical_daemonset_missing_priority_class;
pub mod missing_liveness_probe;
pub mod missing_pdb;
pub mod missing_readiness_probe;
pub mod missing_topology_spread;
pub mod pdb_blocks_eviction;
pub mod workload_single_replica;

use std::collections::HashMap;

use crate::index::Index;
use crate::object::Object;
use crate::rules::yaml_scalar;
use crate::source::{FileId, Span};
use crate::view::selector::{LabelSelector, Labels, pod_template_labels};
use crate::yaml::{EntryRef, NodeRef};

/// Kinds whose pod count is `spec.replicas` (default 1).
pub(crate) fn is_replicated(object: &Object<'_>) -> bool {
    matches!(
        (object.group, object.kind),
        ("apps" | "extensions", "Deployment" | "ReplicaSet")
            | ("apps", "StatefulSet")
            | ("", "ReplicationController")
            | ("argoproj.io", "Rollout")
            | ("apps.kruise.io", "CloneSet" | "StatefulSet")
    )
}

/// An object a controller manages (`metadata.ownerReferences` with `controller: true`), such as
/// the ReplicaSet of a Deployment or the Pod of a ReplicaSet in a cluster dump: its owner is what
/// to fix, and what the rules look at.
pub(crate) fn owned_by_controller(object: &Object<'_>) -> bool {
    object
        .metadata()
        .and_then(|m| m.get("ownerReferences"))
        .into_iter()
        .flat_map(|refs| refs.items())
        .any(|r| r.get_str("controller") == Some("true"))
}

/// Workloads whose pods run until replaced: everything replicated, DaemonSets, and bare Pods that
/// restart (`restartPolicy: Always`, the default) and are not Helm hooks (`helm test` pods).
/// Jobs and CronJobs run to completion; Knative injects its own readiness probe.
pub(crate) fn is_long_running(object: &Object<'_>) -> bool {
    if is_replicated(object) {
        return true;
    }
    match (object.group, object.kind) {
        ("apps" | "extensions" | "apps.kruise.io", "DaemonSet") => true,
        ("", "Pod") => {
            let restarts = object
                .spec()
                .and_then(|s| s.get_str("restartPolicy"))
                .is_none_or(|p| p == "Always");
            let hook = object
                .metadata()
                .and_then(|m| m.get("annotations"))
                .and_then(|a| a.get("helm.sh/hook"))
                .is_some();
            restarts && !hook
        }
        _ => false,
    }
}

/// A whole number as Kubernetes reads an int field (quoted digits accepted, as Helm output often has).
pub(crate) fn int_value(node: NodeRef<'_>) -> Option<u32> {
    node.scalar()?.trim().parse().ok()
}

/// Where to point at a workload as a whole when a field is missing: its `spec:` key, else `kind:`.
pub(crate) fn spec_key_span(object: &Object<'_>) -> Span {
    match object.root.entry("spec") {
        Some(spec) => spec.head_span(),
        None => object.anchor_span(),
    }
}

/// "1 replica", "3 replicas".
pub(crate) fn replicas_noun(count: u32) -> String {
    if count == 1 {
        "1 replica".to_string()
    } else {
        format!("{count} replicas")
    }
}

/// A HorizontalPodAutoscaler or KEDA ScaledObject and its minimum.
pub(crate) struct Autoscaler<'a> {
    pub object: &'a Object<'a>,
    /// `minReplicas` (HPA) or `minReplicaCount` (KEDA), when written.
    pub min_entry: Option<EntryRef<'a>>,
    /// The minimum after defaulting (1 for an HPA, 0 for KEDA); `None` when not a number.
    pub min: Option<u32>,
    /// The field's name, for messages.
    pub field: &'static str,
}

impl<'a> Autoscaler<'a> {
    fn read(object: &'a Object<'a>) -> Option<(&'a str, &'a str, Autoscaler<'a>)> {
        let (field, default, default_kind) = match (object.group, object.kind) {
            ("autoscaling", "HorizontalPodAutoscaler") => ("minReplicas", 1, None),
            ("keda.sh", "ScaledObject") => ("minReplicaCount", 0, Some("Deployment")),
            _ => return None,
        };
        let spec = object.spec()?;
        let target = spec.get("scaleTargetRef")?;
        let name = target.get_str("name")?;
        let kind = target.get_str("kind").or(default_kind)?;
        let min_entry = spec.entry(field);
        let min = match min_entry {
            Some(entry) if !entry.value.is_null() => int_value(entry.value),
            _ => Some(default),
        };
        Some((
            kind,
            name,
            Autoscaler {
                object,
                min_entry,
                min,
                field,
            },
        ))
    }

    /// Where to point at the minimum: the field, else the autoscaler's `spec:` key.
    pub fn min_span(&self) -> Span {
        match self.min_entry {
            Some(entry) => entry.head_span(),
            None => spec_key_span(self.object),
        }
    }

    pub fn describe_min(&self) -> String {
        let min = self.min.unwrap_or_default();
        match self.min_entry {
            Some(_) => format!(
                "{} keeps at least {} (`{}: {min}`)",
                self.object.display_name(),
                replicas_noun(min),
                self.field
            ),
            None => format!(
                "{} keeps at least {} (`{}` is not set)",
                self.object.display_name(),
                replicas_noun(min),
                self.field
            ),
        }
    }
}

/// Where a workload's pod count comes from.
pub(crate) enum ReplicaSource<'s, 'a> {
    /// `spec.replicas` as written.
    Field(EntryRef<'a>),
    /// `spec.replicas` is not set: Kubernetes runs 1.
    Default,
    /// An autoscaler targets the workload and owns its pod count.
    Autoscaler(&'s Autoscaler<'a>),
}

/// The least number of pods a workload runs.
pub(crate) struct Replicas<'s, 'a> {
    pub count: u32,
    pub source: ReplicaSource<'s, 'a>,
}

impl Replicas<'_, '_> {
    /// A place and text for a secondary label: "Deployment/web runs 3 replicas".
    pub fn site(&self, workload: &Object<'_>) -> (FileId, Span, String) {
        let name = workload.display_name();
        match &self.source {
            ReplicaSource::Field(entry) => (
                workload.doc.file,
                entry.head_span(),
                format!("{name} runs {}", replicas_noun(self.count)),
            ),
            ReplicaSource::Default => (
                workload.doc.file,
                spec_key_span(workload),
                format!("{name} runs 1 replica (`replicas` is not set)"),
            ),
            ReplicaSource::Autoscaler(autoscaler) => (
                autoscaler.object.doc.file,
                autoscaler.min_span(),
                format!("{} for {name}", autoscaler.describe_min()),
            ),
        }
    }
}

/// The autoscalers of a run by the workload they target, and the pod counts they imply.
pub(crate) struct Scaling<'a> {
    /// (namespace, kind, name) → autoscalers, in input order.
    by_target: HashMap<(&'a str, &'a str, &'a str), Vec<Autoscaler<'a>>>,
}

impl<'a> Scaling<'a> {
    pub fn new(index: &Index<'a>) -> Scaling<'a> {
        let mut by_target: HashMap<_, Vec<Autoscaler<'a>>> = HashMap::new();
        for kind in ["HorizontalPodAutoscaler", "ScaledObject"] {
            for object in index.of_kind(kind) {
                if let Some((target_kind, name, autoscaler)) = Autoscaler::read(object) {
                    by_target
                        .entry((index.namespace_of(object), target_kind, name))
                        .or_default()
                        .push(autoscaler);
                }
            }
        }
        Scaling { by_target }
    }

    /// The first autoscaler that targets `workload` (same namespace, kind and name).
    pub fn autoscaler<'s>(
        &'s self,
        index: &Index<'a>,
        workload: &Object<'a>,
    ) -> Option<&'s Autoscaler<'a>> {
        let name = workload.name?;
        self.by_target
            .get(&(index.namespace_of(workload), workload.kind, name))
            .and_then(|v| v.first())
    }

    /// The least number of pods `workload` runs; `None` when it keeps no replica count or the
    /// count is not a number (a template left unrendered).
    pub fn replicas<'s>(
        &'s self,
        index: &Index<'a>,
        workload: &Object<'a>,
    ) -> Option<Replicas<'s, 'a>> {
        if !is_replicated(workload) {
            return None;
        }
        if let Some(autoscaler) = self.autoscaler(index, workload) {
            return Some(Replicas {
                count: autoscaler.min?,
                source: ReplicaSource::Autoscaler(autoscaler),
            });
        }
        match workload.spec().and_then(|s| s.entry("replicas")) {
            Some(entry) if !entry.value.is_null() => Some(Replicas {
                count: int_value(entry.value)?,
                source: ReplicaSource::Field(entry),
            }),
            _ => Some(Replicas {
                count: 1,
                source: ReplicaSource::Default,
            }),
        }
    }
}

/// The PodDisruptionBudgets of a run (`policy/v1` and `policy/v1beta1`) with their selectors.
pub(crate) fn disruption_budgets<'a>(
    index: &Index<'a>,
) -> Vec<(&'a Object<'a>, LabelSelector<'a>)> {
    index
        .of_kind("PodDisruptionBudget")
        .filter(|o| o.group == "policy")
        .map(|o| (o, LabelSelector::of_pdb(o)))
        .collect()
}

/// The core Services in `workload`'s namespace whose selectors pick its pods, those of the
/// workload's own file first (a run over many unrelated sets may repeat a Service elsewhere).
pub(crate) fn services_selecting<'a>(
    index: &Index<'a>,
    workload: &Object<'a>,
) -> Vec<&'a Object<'a>> {
    let Some(labels) = pod_template_labels(workload) else {
        return Vec::new();
    };
    let mut services: Vec<&'a Object<'a>> = index
        .in_namespace(index.namespace_of(workload))
        .filter(|o| o.kind == "Service" && o.group.is_empty())
        .filter(|service| {
            LabelSelector::from_map(service.spec().and_then(|s| s.get("selector"))).matches(&labels)
        })
        .collect();
    services.sort_by_key(|s| s.doc.file != workload.doc.file);
    services
}

/// Whether one of `service`'s ports sends traffic to a port `container` declares (by
/// `targetPort` number or name, `port` when `targetPort` is not set).
pub(crate) fn service_targets(
    service: &Object<'_>,
    container: &crate::view::Container<'_>,
) -> bool {
    let Some(ports) = container.node.get("ports") else {
        return false;
    };
    let declared: Vec<(Option<&str>, Option<u32>)> = ports
        .items()
        .map(|p| {
            (
                p.get_str("name"),
                p.get("containerPort").and_then(int_value),
            )
        })
        .collect();
    service
        .spec()
        .and_then(|s| s.get("ports"))
        .into_iter()
        .flat_map(|l| l.items())
        .filter_map(|p| p.get("targetPort").or_else(|| p.get("port")))
        .filter_map(|target| target.as_str())
        .any(|target| match target.trim().parse::<u32>() {
            Ok(number) => declared.iter().any(|(_, n)| *n == Some(number)),
            Err(_) => declared
                .iter()
                .any(|(name, _)| *name == Some(target.trim())),
        })
}

/// The labels a new selector for `workload`'s pods should use: the workload's own
/// `spec.selector.matchLabels` (stable across versions), else its pod template labels.
pub(crate) fn identity_labels<'a>(workload: &Object<'a>) -> Labels<'a> {
    let own = Labels::from_node(
        workload
            .spec()
            .and_then(|s| s.get("selector"))
            .and_then(|s| s.get("matchLabels")),
    );
    if own.is_empty() {
        pod_template_labels(workload).unwrap_or_default()
    } else {
        own
    }
}

/// `key: value` lines of a `matchLabels` block for a help snippet, indented by `indent` spaces.
pub(crate) fn match_labels_yaml(labels: &Labels<'_>, indent: usize) -> String {
    let pad = " ".repeat(indent);
    if labels.is_empty() {
        return format!("{pad}app: my-workload  # the pods carry no labels yet");
    }
    labels
        .iter()
        .map(|(key, value)| format!("{pad}{key}: {}", yaml_scalar(value)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A probe snippet for a help text, aimed at the container's first declared port (else at
/// `fallback`, a Service's target port): an HTTP check when the port is named for HTTP, a TCP
/// check otherwise, and a command when there is no port at all.
pub(crate) fn probe_example(
    field: &str,
    container: &crate::view::Container<'_>,
    fallback: Option<String>,
) -> String {
    let declared = container
        .node
        .get("ports")
        .and_then(|ports| ports.items().next())
        .and_then(|port| {
            port.get_str("name").map(str::to_string).or_else(|| {
                port.get("containerPort")
                    .and_then(int_value)
                    .map(|p| p.to_string())
            })
        });
    match declared.or(fallback) {
        Some(port) if port.contains("http") => format!(
            "  {field}:\n    httpGet:\n      path: /healthz\n      port: {port}\n    periodSeconds: 10"
        ),
        Some(port) => {
            format!("  {field}:\n    tcpSocket:\n      port: {port}\n    periodSeconds: 10")
        }
        None => format!(
            "  {field}:\n    exec:\n      command: [\"/bin/health-check\"]\n    periodSeconds: 10"
        ),
    }
}

/// The port a Service sends traffic to: its first port's `targetPort`, else its `port`.
pub(crate) fn service_target_port(service: &Object<'_>) -> Option<String> {
    let port = service.spec()?.get("ports")?.items().next()?;
    port.get("targetPort")
        .or_else(|| port.get("port"))
        .and_then(|p| p.as_str())
        .map(str::to_string)
}

/// Runs one rule with non-default settings over in-memory files; the fixtures cover the defaults.
#[cfg(test)]
pub(crate) fn run_rule(rule: Box<dyn crate::rules::Rule>, files: &[(&str, &str)]) -> Vec<String> {
    let active = [crate::engine::ActiveRule {
        rule,
        severity: crate::diagnostic::Severity::Warning,
    }];
    let texts = files
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect();
    let report = crate::engine::lint_texts(texts, &crate::engine::Options::default(), &active);
    report
        .diagnostics
        .iter()
        .map(|d| {
            let source = report.sources.get(d.file);
            format!(
                "{}:{}: {}",
                source.name,
                source.line_col(d.span.start as usize).line,
                d.message
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const WEB: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: web:1\n";

    #[test]
    fn single_replica_minimum_is_configurable() {
        let rule =
            workload_single_replica::new(workload_single_replica::Settings { min_replicas: 3 });
        assert_eq!(
            run_rule(Box::new(rule), &[("a.yaml", WEB)]),
            ["a.yaml:6: Deployment/web runs only 2 replicas, fewer than 3"]
        );
    }

    #[test]
    fn missing_pdb_can_wait_for_a_set_with_budgets() {
        let strict = || {
            Box::new(missing_pdb::new(missing_pdb::Settings {
                only_when_set_has_pdbs: true,
            }))
        };
        assert!(run_rule(strict(), &[("a.yaml", WEB)]).is_empty());
        let other = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: db\nspec:\n  maxUnavailable: 1\n  selector:\n    matchLabels: {app: db}\n";
        assert_eq!(
            run_rule(strict(), &[("a.yaml", WEB), ("b.yaml", other)]),
            [
                "a.yaml:6: Deployment/web runs 2 replicas but no PodDisruptionBudget selects its pods"
            ]
        );
    }

    #[test]
    fn readiness_can_require_a_service() {
        let with_port = WEB.replace(
            "          image: web:1\n",
            "          image: web:1\n          ports: [{containerPort: 80}]\n",
        );
        let rule = || {
            Box::new(missing_readiness_probe::new(
                missing_readiness_probe::Settings {
                    require_service: true,
                },
            ))
        };
        assert!(run_rule(rule(), &[("a.yaml", &with_port)]).is_empty());
        let service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n";
        assert_eq!(
            run_rule(rule(), &[("a.yaml", &with_port), ("b.yaml", service)]),
            ["a.yaml:14: container \"web\" has no readiness probe"]
        );
    }

    #[test]
    fn topology_keys_are_configurable() {
        let spread = WEB.replace(
            "      containers:\n",
            "      topologySpreadConstraints:\n        - {maxSkew: 1, topologyKey: topology.kubernetes.io/region, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}\n      containers:\n",
        );
        let default = Box::new(missing_topology_spread::new(Default::default()));
        assert_eq!(run_rule(default, &[("a.yaml", &spread)]).len(), 1);
        let regions = Box::new(missing_topology_spread::new(
            missing_topology_spread::Settings {
                topology_keys: vec!["topology.kubernetes.io/region".to_string()],
            },
        ));
        assert!(run_rule(regions, &[("a.yaml", &spread)]).is_empty());
    }

    #[test]
    fn critical_classes_can_be_extended() {
        let proxy = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: kube-proxy\nspec:\n  template:\n    spec:\n      priorityClassName: platform-critical\n      containers:\n        - name: kube-proxy\n          image: registry.k8s.io/kube-proxy:v1.29.2\n";
        use critical_daemonset_missing_priority_class as rule;
        assert_eq!(
            run_rule(
                Box::new(rule::new(Default::default())),
                &[("a.yaml", proxy)]
            )
            .len(),
            1
        );
        let extended = rule::new(rule::Settings {
            also_accept: vec!["platform-critical".to_string()],
        });
        assert!(run_rule(Box::new(extended), &[("a.yaml", proxy)]).is_empty());
    }

    #[test]
    fn odd_values_never_panic() {
        let odd = [
            "apiVersion: apps/v1\nkind: Deployment\nspec: [1, 2]\n",
            "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: {a: 1}\n  template: {spec: {containers: [{name: x, ports: 7, readinessProbe: []}]}}\n",
            "apiVersion: policy/v1\nkind: PodDisruptionBudget\nspec:\n  minAvailable: 99999999999999999999%\n  selector: {matchLabels: {app: [x]}}\n",
            "apiVersion: policy/v1\nkind: PodDisruptionBudget\nspec:\n  minAvailable: 4294967295\n  selector: {}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec: {replicas: 4294967295, template: {spec: {containers: []}}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\nspec: {replicas: 4294967295, template: {spec: {containers: []}}}\n",
            "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nspec: {scaleTargetRef: [x], minReplicas: -1}\n",
            "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: \"*\"}\nspec: {template: {spec: {priorityClassName: [x], containers: [{image: \":@\"}, {image: 7}]}}}\n",
        ];
        for entry in crate::rules::registry() {
            for text in odd {
                let rule = (entry.build)(&serde_json::Value::Null).unwrap();
                run_rule(rule, &[("odd.yaml", text)]);
            }
        }
    }
}
