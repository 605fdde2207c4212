#![doc = include_str!("../../../rules/pdb-blocks-eviction.md")]

use serde::{Deserialize, Serialize};

use super::{
    ReplicaSource, Replicas, Scaling, disruption_budgets, owned_by_controller, replicas_noun,
};
use crate::diagnostic::Severity;
use crate::index::Index;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::view::selector::pod_template_labels;
use crate::yaml::NodeRef;

pub static META: RuleMeta = RuleMeta {
    id: "pdb-blocks-eviction",
    category: Category::Reliability,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A PodDisruptionBudget allows no pod to be evicted, so node drains and upgrades hang",
    lesson: "Seed 001 (2023-04-09): recovering a cluster meant rebooting and upgrading node after node; a budget that never allows an eviction turns every such drain into a stuck node or a forced deletion that ignores the budget altogether.",
};

/// How many selected workloads are shown as secondary labels.
const MAX_WORKLOADS: usize = 3;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {}

pub struct PdbBlocksEviction;

pub fn new(_settings: Settings) -> PdbBlocksEviction {
    PdbBlocksEviction
}

/// `minAvailable` / `maxUnavailable` as written: a count or a percentage.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Amount {
    Count(u32),
    Percent(f64),
}

fn amount(node: NodeRef<'_>) -> Option<Amount> {
    let text = node.scalar()?.trim();
    match text.strip_suffix('%') {
        Some(percent) => percent
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|p| p.is_finite() && *p >= 0.0)
            .map(Amount::Percent),
        None => text.parse().ok().map(Amount::Count),
    }
}

impl Rule for PdbBlocksEviction {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, index: &Index<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        let scaling = Scaling::new(index);
        for (pdb, selector) in disruption_budgets(index) {
            let Some(spec) = pdb.spec() else {
                continue;
            };
            let name = pdb.display_name();
            // The workloads whose pods the budget counts, with their pod counts.
            let namespace = index.namespace_of(pdb);
            // A workload the set repeats (same kind and name) is one object in the cluster: keep
            // the copy from the budget's own file, else the first.
            let mut workloads: Vec<&Object<'_>> = index
                .in_namespace(namespace)
                .filter(|w| !owned_by_controller(w))
                .filter(|w| pod_template_labels(w).is_some_and(|labels| selector.matches(&labels)))
                .collect();
            workloads.sort_by_key(|w| w.doc.file != pdb.doc.file);
            let mut seen = std::collections::HashSet::new();
            workloads.retain(|w| seen.insert((w.kind, w.name)));
            let selected: Vec<(&Object<'_>, Option<Replicas<'_, '_>>)> = workloads
                .into_iter()
                .map(|w| (w, scaling.replicas(index, w)))
                .collect();

            if let Some(entry) = spec.entry("maxUnavailable") {
                let zero = matches!(
                    amount(entry.value),
                    Some(Amount::Count(0)) | Some(Amount::Percent(0.0))
                );
                if zero {
                    let mut reported = sink
                        .report(
                            pdb,
                            entry.head_span(),
                            format!("{name} allows no pod to be evicted"),
                        )
                        .label("no pod may ever be unavailable, so every drain waits forever")
                        .help("allow one pod at a time to be evicted:\n  maxUnavailable: 1");
                    for (workload, replicas) in selected.iter().take(MAX_WORKLOADS) {
                        if let Some(replicas) = replicas {
                            let (file, span, text) = replicas.site(workload);
                            reported = reported.secondary(file, span, text);
                        }
                    }
                }
                // `minAvailable` and `maxUnavailable` together are rejected by the API server.
                continue;
            }

            let Some(entry) = spec.entry("minAvailable") else {
                continue;
            };
            let Some(min) = amount(entry.value) else {
                continue;
            };
            let label = match min {
                Amount::Percent(p) if p >= 100.0 => {
                    "every pod must stay available, so none can be evicted".to_string()
                }
                _ => {
                    // A budget that selects nothing is another rule's finding; pods of a kind
                    // with no fixed count (DaemonSet, Job) make the total unknown.
                    if selected.is_empty() || selected.iter().any(|(_, r)| r.is_none()) {
                        continue;
                    }
                    let total: u32 = selected
                        .iter()
                        .filter_map(|(_, r)| r.as_ref())
                        .fold(0u32, |sum, r| sum.saturating_add(r.count));
                    // Scaled to zero: nothing to evict.
                    if total == 0 {
                        continue;
                    }
                    let required = match min {
                        Amount::Count(n) => n,
                        // The disruption controller rounds a percentage of `minAvailable` up.
                        Amount::Percent(p) => (p * f64::from(total) / 100.0).ceil() as u32,
                    };
                    if required == 0 || required < total {
                        continue;
                    }
                    let written = entry.value.scalar().unwrap_or_default().trim();
                    let autoscaled = selected.iter().any(|(_, r)| {
                        matches!(
                            r.as_ref().map(|r| &r.source),
                            Some(ReplicaSource::Autoscaler(_))
                        )
                    });
                    let when = if autoscaled {
                        " when the autoscaler is at its minimum"
                    } else {
                        ""
                    };
                    if selected.len() == 1 {
                        format!(
                            "`minAvailable: {written}` with {} leaves none to evict{when}",
                            replicas_noun(total)
                        )
                    } else {
                        format!(
                            "`minAvailable: {written}` with {total} pods in {} workloads leaves none to evict{when}",
                            selected.len()
                        )
                    }
                }
            };
            let mut reported = sink
                .report(
                    pdb,
                    entry.head_span(),
                    format!("{name} allows no pod to be evicted"),
                )
                .label(label)
                .help(match min {
                    Amount::Count(_) => "let one pod go at a time whatever the replica count:\n  maxUnavailable: 1\n(or run more replicas than `minAvailable`)",
                    Amount::Percent(_) => "let one pod go at a time whatever the replica count:\n  maxUnavailable: 1\n(or lower the percentage)",
                });
            for (workload, replicas) in selected.iter().take(MAX_WORKLOADS) {
                if let Some(replicas) = replicas {
                    let (file, span, text) = replicas.site(workload);
                    reported = reported.secondary(file, span, text);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts() {
        let parse = |text: &str| {
            let source = std::sync::Arc::new(crate::source::SourceFile::new(
                crate::source::Origin::Stdin,
                format!("v: {text}\n"),
            ));
            let parsed = crate::yaml::parse_file(crate::source::FileId(0), &source);
            amount(parsed.documents[0].root().unwrap().get("v").unwrap())
        };
        assert_eq!(parse("0"), Some(Amount::Count(0)));
        assert_eq!(parse("\"0%\""), Some(Amount::Percent(0.0)));
        assert_eq!(parse("100%"), Some(Amount::Percent(100.0)));
        assert_eq!(parse("'2'"), Some(Amount::Count(2)));
        assert_eq!(parse("-1"), None);
        assert_eq!(parse("x%"), None);
        assert_eq!(parse("{}"), None);
    }
}
