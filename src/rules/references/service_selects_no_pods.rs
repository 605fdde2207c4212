#![doc = include_str!("../../../rules/service-selects-no-pods.md")]

use serde::{Deserialize, Serialize};

use super::{Completeness, Pods, near_misses, spec_span, suggested_selector};
use crate::diagnostic::Severity;
use crate::index::Index;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::view::selector::LabelSelector;

pub static META: RuleMeta = RuleMeta {
    id: "service-selects-no-pods",
    category: Category::Correctness,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A Service's selector matches the pods of no workload in the set, so it has no endpoints",
    lesson: "Seed 003 (LKE Canada, 2024): traffic that all depends on one path fails silently when that path points nowhere; a Service whose selector matches no pod answers every connection with a refusal while looking healthy in the manifests.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// Report even when the set holds no workload in the Service's namespace (the set is the
    /// whole namespace).
    pub assume_complete_set: bool,
}

pub struct ServiceSelectsNoPods {
    settings: Settings,
}

pub fn new(settings: Settings) -> ServiceSelectsNoPods {
    ServiceSelectsNoPods { settings }
}

/// A core Service that selects pods: not `ExternalName`, with a non-empty selector.
pub(crate) fn service_selector<'a>(service: &Object<'a>) -> Option<LabelSelector<'a>> {
    if service.kind != "Service" || !service.group.is_empty() {
        return None;
    }
    let spec = service.spec()?;
    if spec.get_str("type") == Some("ExternalName") {
        return None;
    }
    let selector = LabelSelector::from_map(spec.get("selector"));
    (!selector.is_nothing()).then_some(selector)
}

impl Rule for ServiceSelectsNoPods {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, index: &Index<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        let pods = Pods::new(index);
        let completeness = Completeness {
            assume_complete: self.settings.assume_complete_set,
        };
        for service in index.of_kind("Service") {
            let Some(selector) = service_selector(service) else {
                continue;
            };
            let namespace = index.namespace_of(service);
            let groups = pods.in_namespace(namespace);
            if groups.is_empty() && !completeness.assume_complete {
                continue;
            }
            if groups.iter().any(|g| g.selected_by(&selector)) {
                continue;
            }
            // Pods an operator creates from a custom resource of the namespace are not in the set.
            if super::operator_owning_pods(index, namespace, &selector).is_some() {
                continue;
            }
            let span = service
                .spec()
                .and_then(|s| s.entry("selector"))
                .map_or_else(|| spec_span(service), |e| e.head_span());
            let misses = near_misses(groups, &selector, service.doc.file);
            let mut reported = sink
                .report(
                    service,
                    span,
                    format!(
                        "{} selects {}, but no pod of the set carries these labels",
                        service.display_name(),
                        selector.describe()
                    ),
                )
                .label(format!(
                    "{} in namespace \"{namespace}\", none selected",
                    super::count(groups.len(), "workload")
                ));
            let help = match misses
                .first()
                .and_then(|m| suggested_selector(&selector, &m.group.labels, 4).map(|s| (m, s)))
            {
                Some((miss, suggestion)) => format!(
                    "make the selector and the pod labels agree; to select {}'s pods:\n  selector:\n{suggestion}",
                    miss.group.workload.display_name(),
                ),
                None => "make the selector match the `metadata.labels` of a workload's pod template, or remove the selector to manage the Service's endpoints by hand".to_string(),
            };
            for miss in misses {
                reported =
                    reported.secondary(miss.group.workload.doc.file, miss.span, miss.message);
            }
            reported.help(help);
        }
    }
}
