#![doc = include_str!("../../../rules/network-policy-selects-nothing.md")]

use serde::{Deserialize, Serialize};

use super::{Pods, with_near_misses};
use crate::diagnostic::Severity;
use crate::index::Index;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::view::selector::LabelSelector;
use crate::yaml::EntryRef;

pub static META: RuleMeta = RuleMeta {
    id: "network-policy-selects-nothing",
    category: Category::Correctness,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A NetworkPolicy's pod selector (or a peer's pod selector) matches no pod of the set",
    lesson: "Seed 001 (2023-04-09): a networking failure spread because nothing contained it; a NetworkPolicy that selects no pod contains nothing either, while the manifests suggest the traffic is locked down.",
};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// Report even when the set holds no workload in the policy's namespace.
    pub assume_complete_set: bool,
    /// Also check the `podSelector` of `from` / `to` peers that have no `namespaceSelector`
    /// (they select pods of the policy's own namespace).
    pub check_peers: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            assume_complete_set: false,
            check_peers: true,
        }
    }
}

pub struct NetworkPolicySelectsNothing {
    settings: Settings,
}

pub fn new(settings: Settings) -> NetworkPolicySelectsNothing {
    NetworkPolicySelectsNothing { settings }
}

/// The `podSelector` entries of a policy's peers that select pods of its own namespace.
fn peer_selectors<'a>(spec: crate::yaml::NodeRef<'a>) -> Vec<(&'static str, EntryRef<'a>)> {
    let mut out = Vec::new();
    for (rules, peers, what) in [
        ("ingress", "from", "ingress source"),
        ("egress", "to", "egress destination"),
    ] {
        for rule in spec.get(rules).into_iter().flat_map(|r| r.items()) {
            for peer in rule.get(peers).into_iter().flat_map(|p| p.items()) {
                if peer.get("namespaceSelector").is_some() {
                    continue;
                }
                if let Some(entry) = peer.entry("podSelector") {
                    out.push((what, entry));
                }
            }
        }
    }
    out
}

impl Rule for NetworkPolicySelectsNothing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, index: &Index<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        let pods = Pods::new(index);
        for policy in index.of_kind("NetworkPolicy") {
            if !matches!(policy.group, "networking.k8s.io" | "extensions") {
                continue;
            }
            let Some(spec) = policy.spec() else {
                continue;
            };
            let namespace = index.namespace_of(policy);
            let groups = pods.in_namespace(namespace);
            if groups.is_empty() && !self.settings.assume_complete_set {
                continue;
            }
            let name = policy.display_name();
            let mut selectors: Vec<(Option<&'static str>, EntryRef<'_>)> = Vec::new();
            // A missing or null `podSelector` reads as `{}` (the field is not a pointer): every pod.
            if let Some(entry) = spec.entry("podSelector") {
                selectors.push((None, entry));
            }
            if self.settings.check_peers {
                selectors.extend(
                    peer_selectors(spec)
                        .into_iter()
                        .map(|(what, entry)| (Some(what), entry)),
                );
            }
            for (peer, entry) in selectors {
                if entry.value.is_null() {
                    continue;
                }
                let selector = LabelSelector::from_node(Some(entry.value));
                // `{}` selects every pod; an invalid selector is the API server's to reject.
                if selector.is_nothing() || selector.matches_everything() {
                    continue;
                }
                if groups.iter().any(|g| g.selected_by(&selector)) {
                    continue;
                }
                // Pods an operator creates from a custom resource of the namespace are not in the set.
                if super::operator_owning_pods(index, namespace, &selector).is_some() {
                    continue;
                }
                let (message, label) = match peer {
                    None => (
                        format!(
                            "{name} applies to pods with {}, but no pod of the set carries these labels",
                            selector.describe()
                        ),
                        "the policy isolates nothing".to_string(),
                    ),
                    Some(what) => (
                        format!(
                            "{name} allows an {what} with {}, but no pod of the set in namespace \"{namespace}\" carries these labels",
                            selector.describe()
                        ),
                        "this peer matches no pod".to_string(),
                    ),
                };
                let reported = sink.report(policy, entry.head_span(), message).label(label);
                with_near_misses(reported, groups, &selector, policy.doc.file).help(
                    "make the selector match the `metadata.labels` of a workload's pod template; `podSelector: {}` selects every pod of the namespace",
                );
            }
        }
    }
}
