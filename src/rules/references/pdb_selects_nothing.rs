#![doc = include_str!("../../../rules/pdb-selects-nothing.md")]

use serde::{Deserialize, Serialize};

use super::{Pods, spec_span, with_near_misses};
use crate::diagnostic::Severity;
use crate::index::Index;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::view::selector::LabelSelector;

pub static META: RuleMeta = RuleMeta {
    id: "pdb-selects-nothing",
    category: Category::Correctness,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A PodDisruptionBudget selects no pod, so it protects nothing",
    lesson: "Seed 003 (LKE Canada, 2024): duplicated components only survive maintenance if a budget stops drains from taking every copy at once; a budget whose selector matches nothing looks like that protection and gives none.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// Report even when the set holds no workload in the budget's namespace.
    pub assume_complete_set: bool,
}

pub struct PdbSelectsNothing {
    settings: Settings,
}

pub fn new(settings: Settings) -> PdbSelectsNothing {
    PdbSelectsNothing { settings }
}

impl Rule for PdbSelectsNothing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, index: &Index<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        let pods = Pods::new(index);
        for pdb in index.of_kind("PodDisruptionBudget") {
            if pdb.group != "policy" {
                continue;
            }
            let selector = LabelSelector::of_pdb(pdb);
            let entry = pdb.spec().and_then(|s| s.entry("selector"));
            let span = entry.map_or_else(|| spec_span(pdb), |e| e.head_span());
            let name = pdb.display_name();
            if selector.is_nothing() {
                // Selects nothing in any cluster: always reported. An invalid selector is the
                // API server's (and the schema rules') to reject.
                let (message, help) = match entry.map(|e| e.value) {
                    None => (
                        format!("{name} has no selector, so it selects no pod"),
                        "add `spec.selector.matchLabels` with the labels of the pods to protect",
                    ),
                    Some(value) if value.is_null() => (
                        format!("{name} has a null selector, so it selects no pod"),
                        "add `matchLabels` with the labels of the pods to protect",
                    ),
                    Some(value) if value.is_map() && value.is_empty_value() => (
                        format!(
                            "{name} has an empty selector, which selects no pod in policy/v1beta1"
                        ),
                        "add `matchLabels`, or move to `apiVersion: policy/v1`, where `{}` selects every pod of the namespace",
                    ),
                    Some(_) => continue,
                };
                sink.report(pdb, span, message)
                    .label("the budget protects nothing")
                    .help(help);
                continue;
            }
            let namespace = index.namespace_of(pdb);
            let groups = pods.in_namespace(namespace);
            if groups.is_empty() && !self.settings.assume_complete_set {
                continue;
            }
            if groups.iter().any(|g| g.selected_by(&selector)) {
                continue;
            }
            // Pods an operator creates from a custom resource of the namespace are not in the set.
            if super::operator_owning_pods(index, namespace, &selector).is_some() {
                continue;
            }
            let reported = sink
                .report(
                    pdb,
                    span,
                    format!(
                        "{name} selects {}, but no pod of the set carries these labels",
                        selector.describe()
                    ),
                )
                .label(format!(
                    "{} in namespace \"{namespace}\", none selected",
                    super::count(groups.len(), "workload")
                ));
            with_near_misses(reported, groups, &selector, pdb.doc.file)
                .help("make `spec.selector` match the `metadata.labels` of the pod template of the workload to protect");
        }
    }
}
