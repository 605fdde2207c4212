#![doc = include_str!("../../../rules/missing-topology-spread.md")]

use serde::{Deserialize, Serialize};

use super::{Scaling, identity_labels, match_labels_yaml, owned_by_controller, replicas_noun};
use crate::diagnostic::Severity;
use crate::index::Index;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::view::pod_spec;
use crate::view::selector::{LabelSelector, Labels, pod_template_labels};
use crate::yaml::NodeRef;

pub static META: RuleMeta = RuleMeta {
    id: "missing-topology-spread",
    category: Category::Reliability,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A replicated workload neither spreads its pods over nodes or zones nor keeps them apart, so one node can hold every replica",
    lesson: "Seed 001 (2023-04-09): one node's CPU pressure throttled everything on it, and rebooting nodes took down whatever they hosted; replicas only survive that when they sit on different nodes.",
};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// Topology keys that count as spreading (nodes and zones).
    pub topology_keys: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            topology_keys: [
                "kubernetes.io/hostname",
                "topology.kubernetes.io/zone",
                "failure-domain.beta.kubernetes.io/zone",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

pub struct MissingTopologySpread {
    settings: Settings,
}

pub fn new(settings: Settings) -> MissingTopologySpread {
    MissingTopologySpread { settings }
}

/// What the pod spec has that comes close.
#[derive(Default)]
struct Found {
    /// Some anti-affinity term or spread constraint exists, but on other keys or other pods.
    other_terms: bool,
}

impl MissingTopologySpread {
    fn counts(&self, term: NodeRef<'_>, labels: &Labels<'_>, found: &mut Found) -> bool {
        let key = term.get_str("topologyKey");
        let selector = LabelSelector::from_node(term.get("labelSelector"));
        if key.is_some_and(|k| self.settings.topology_keys.iter().any(|t| t == k))
            && selector.matches(labels)
        {
            return true;
        }
        found.other_terms = true;
        false
    }

    fn spreads(&self, pod: NodeRef<'_>, labels: &Labels<'_>, found: &mut Found) -> bool {
        let anti = pod.path(&["affinity", "podAntiAffinity"]);
        let required = anti
            .and_then(|a| a.get("requiredDuringSchedulingIgnoredDuringExecution"))
            .into_iter()
            .flat_map(|l| l.items());
        let preferred = anti
            .and_then(|a| a.get("preferredDuringSchedulingIgnoredDuringExecution"))
            .into_iter()
            .flat_map(|l| l.items())
            .filter_map(|w| w.get("podAffinityTerm"));
        let spread = pod
            .get("topologySpreadConstraints")
            .into_iter()
            .flat_map(|l| l.items());
        let mut any = false;
        for term in required.chain(preferred).chain(spread) {
            if term.is_map() && self.counts(term, labels, found) {
                any = true;
            }
        }
        any
    }
}

impl Rule for MissingTopologySpread {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, index: &Index<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        let scaling = Scaling::new(index);
        for workload in index.objects() {
            if owned_by_controller(workload) {
                continue;
            }
            let Some(replicas) = scaling.replicas(index, workload) else {
                continue;
            };
            if replicas.count < 2 {
                continue;
            }
            let (Some(pod), Some(labels)) = (pod_spec(workload), pod_template_labels(workload))
            else {
                continue;
            };
            let mut found = Found::default();
            if self.spreads(pod.node, &labels, &mut found) {
                continue;
            }
            let span = match pod.entry {
                Some(entry) => entry.head_span(),
                None => workload.anchor_span(),
            };
            let label = if found.other_terms {
                "its anti-affinity and spread rules do not keep these pods on different nodes or zones"
            } else {
                "no `affinity.podAntiAffinity` or `topologySpreadConstraints`"
            };
            let (file, site, text) = replicas.site(workload);
            sink.report(
                workload,
                span,
                format!(
                    "{} runs {} that may all land on one node",
                    workload.display_name(),
                    replicas_noun(replicas.count)
                ),
            )
            .label(label)
            .secondary(file, site, text)
            .help(help(workload));
        }
    }
}

fn help(workload: &crate::object::Object<'_>) -> String {
    let mut text = String::from(
        "spread the pods over nodes (and zones, with `topology.kubernetes.io/zone`), e.g.\n  topologySpreadConstraints:\n    - maxSkew: 1\n      topologyKey: kubernetes.io/hostname\n      whenUnsatisfiable: ScheduleAnyway\n      labelSelector:\n        matchLabels:\n",
    );
    text.push_str(&match_labels_yaml(&identity_labels(workload), 10));
    text
}
