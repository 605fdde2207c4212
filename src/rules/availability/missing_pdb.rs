#![doc = include_str!("../../../rules/missing-pdb.md")]

use serde::{Deserialize, Serialize};

use super::{
    ReplicaSource, Scaling, disruption_budgets, identity_labels, match_labels_yaml,
    owned_by_controller, replicas_noun,
};
use crate::diagnostic::Severity;
use crate::index::Index;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::view::selector::{LabelSelector, pod_template_labels};

pub static META: RuleMeta = RuleMeta {
    id: "missing-pdb",
    category: Category::Reliability,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A replicated workload has no PodDisruptionBudget, so a node drain may evict all of its pods at once",
    lesson: "Seed 003 (LKE Canada, 2024): duplicating critical components only helps if maintenance cannot take every copy down together; a PodDisruptionBudget is what makes drains and upgrades respect the replicas.",
};

/// How many PodDisruptionBudgets of the namespace that select other pods are shown as near misses.
const MAX_NEAR_MISSES: usize = 3;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// Only report when the linted set contains at least one PodDisruptionBudget (for
    /// repositories whose budgets are managed somewhere else).
    pub only_when_set_has_pdbs: bool,
}

pub struct MissingPdb {
    settings: Settings,
}

pub fn new(settings: Settings) -> MissingPdb {
    MissingPdb { settings }
}

impl Rule for MissingPdb {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, index: &Index<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        let budgets = disruption_budgets(index);
        if self.settings.only_when_set_has_pdbs && budgets.is_empty() {
            return;
        }
        let scaling = Scaling::new(index);
        for workload in index.objects() {
            if owned_by_controller(workload) {
                continue;
            }
            let Some(replicas) = scaling.replicas(index, workload) else {
                continue;
            };
            // One replica is `workload-single-replica`'s finding; a budget cannot help it.
            if replicas.count < 2 {
                continue;
            }
            let Some(labels) = pod_template_labels(workload) else {
                continue;
            };
            let namespace = index.namespace_of(workload);
            let in_namespace: Vec<_> = budgets
                .iter()
                .filter(|(pdb, _)| index.namespace_of(pdb) == namespace)
                .collect();
            if in_namespace
                .iter()
                .any(|(_, selector)| selector.matches(&labels))
            {
                continue;
            }
            let name = workload.display_name();
            let message = format!(
                "{name} runs {} but no PodDisruptionBudget selects its pods",
                replicas_noun(replicas.count)
            );
            let mut reported = match &replicas.source {
                ReplicaSource::Field(entry) => sink
                    .report(workload, entry.head_span(), message)
                    .label("a drain may evict all of these at once"),
                _ => {
                    let (file, span, text) = replicas.site(workload);
                    sink.report(workload, workload.anchor_span(), message)
                        .label("a drain may evict all of its pods at once")
                        .secondary(file, span, text)
                }
            };
            // Near misses: budgets that look at the same label keys as these pods carry (a typo
            // in a value, an extra `version` label), or that select nothing from the same file.
            let mut near: Vec<_> = in_namespace
                .iter()
                .filter(|(pdb, selector)| {
                    let same_file = pdb.doc.file == workload.doc.file;
                    if selector.is_nothing() {
                        return same_file;
                    }
                    selector
                        .requirements()
                        .iter()
                        .any(|r| labels.get(r.key).is_some())
                })
                .collect();
            near.sort_by_key(|(pdb, _)| pdb.doc.file != workload.doc.file);
            for (pdb, selector) in near.into_iter().take(MAX_NEAR_MISSES) {
                let span = pdb
                    .spec()
                    .and_then(|s| s.entry("selector"))
                    .map_or_else(|| pdb.anchor_span(), |e| e.head_span());
                reported = reported.secondary(pdb.doc.file, span, near_miss(pdb, selector));
            }
            reported.help(help(workload));
        }
    }
}

/// A PodDisruptionBudget for the workload, selecting what its own selector selects.
fn help(workload: &crate::object::Object<'_>) -> String {
    let mut text = String::from(
        "add a PodDisruptionBudget that lets one pod go at a time, e.g.\n  apiVersion: policy/v1\n  kind: PodDisruptionBudget\n  metadata:\n",
    );
    text.push_str(&format!(
        "    name: {}\n",
        workload.name.unwrap_or("my-workload")
    ));
    if let Some(namespace) = workload.namespace {
        text.push_str(&format!("    namespace: {namespace}\n"));
    }
    text.push_str("  spec:\n    maxUnavailable: 1\n    selector:\n      matchLabels:\n");
    text.push_str(&match_labels_yaml(&identity_labels(workload), 8));
    text
}

/// Why a budget of the namespace does not select the workload's pods.
fn near_miss(pdb: &crate::object::Object<'_>, selector: &LabelSelector<'_>) -> String {
    let name = pdb.display_name();
    if !selector.is_nothing() {
        return format!("{name} selects {}, not these pods", selector.describe());
    }
    let empty = selector
        .node
        .is_some_and(|n| n.is_map() && n.is_empty_value());
    if empty {
        format!("{name} selects no pod: in policy/v1beta1 an empty selector selects nothing")
    } else {
        format!("{name} selects no pod: its selector is missing or invalid")
    }
}
