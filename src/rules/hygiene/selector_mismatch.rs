#![doc = include_str!("../../../rules/selector-mismatch.md")]

use serde::{Deserialize, Serialize};

use crate::diagnostic::Severity;
use crate::object::Object;
use crate::rules::availability::owned_by_controller;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::source::Span;
use crate::view::selector::{LabelSelector, Labels, pod_template_labels_node};
use crate::yaml::NodeRef;

pub static META: RuleMeta = RuleMeta {
    id: "selector-mismatch",
    category: Category::Correctness,
    default_severity: Severity::Error,
    default_enabled: true,
    summary: "A workload's `spec.selector` does not match its own pod template's labels, so the API server rejects it",
    lesson: "Practice (kube-linter `mismatching-selector` by default, kube-score, Polaris `metadataAndInstanceMismatched`): the API server refuses such a Deployment, StatefulSet, DaemonSet, ReplicaSet or Job, so the release fails at apply time instead of in review.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {}

pub struct SelectorMismatch;

pub fn new(_settings: Settings) -> SelectorMismatch {
    SelectorMismatch
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `metav1.LabelSelector`, required (apps/v1).
    Required,
    /// `metav1.LabelSelector`; a missing one defaults to the template's labels.
    Defaulted,
    /// A plain map (ReplicationController); missing or empty defaults to the template's labels.
    Map,
}

fn shape(object: &Object<'_>) -> Option<Shape> {
    match (object.group, object.kind) {
        ("apps", "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet") => {
            Some(if object.version == "v1" {
                Shape::Required
            } else {
                Shape::Defaulted
            })
        }
        ("extensions", "Deployment" | "ReplicaSet" | "DaemonSet") | ("batch", "Job") => {
            Some(Shape::Defaulted)
        }
        ("", "ReplicationController") => Some(Shape::Map),
        _ => None,
    }
}

/// The first part of the selector that the labels fail, with what to say about it.
fn failing(selector: NodeRef<'_>, shape: Shape, labels: &Labels<'_>) -> Option<(Span, String)> {
    let match_labels = if shape == Shape::Map {
        Some(selector)
    } else {
        selector.get("matchLabels")
    };
    for entry in match_labels.into_iter().flat_map(|m| m.entries()) {
        let (Some(key), value) = (entry.key.scalar(), entry.value.as_str().unwrap_or_default())
        else {
            continue;
        };
        let got = labels.get(key);
        if got != Some(value) {
            let why = match got {
                Some(other) => format!("the template has `{key}: {other}`"),
                None => format!("the template has no `{key}` label"),
            };
            return Some((entry.head_span(), why));
        }
    }
    if shape == Shape::Map {
        return None;
    }
    for item in selector
        .get("matchExpressions")
        .into_iter()
        .flat_map(|e| e.items())
    {
        let Some(key) = item.get_str("key") else {
            continue;
        };
        let values: Vec<&str> = item
            .get("values")
            .into_iter()
            .flat_map(|v| v.items())
            .filter_map(|v| v.scalar())
            .collect();
        let got = labels.get(key);
        let holds = match item.get_str("operator") {
            Some("In") => got.is_some_and(|g| values.contains(&g)),
            Some("NotIn") => got.is_none_or(|g| !values.contains(&g)),
            Some("Exists") => got.is_some(),
            Some("DoesNotExist") => got.is_none(),
            _ => true,
        };
        if !holds {
            let span = item
                .entry("key")
                .map_or_else(|| item.span(), |e| e.head_span());
            let why = match got {
                Some(other) => format!("the template has `{key}: {other}`"),
                None => format!("the template has no `{key}` label"),
            };
            return Some((span, why));
        }
    }
    None
}

impl Rule for SelectorMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        let Some(shape) = shape(object) else {
            return;
        };
        if owned_by_controller(object) {
            return;
        }
        let Some(selector_entry) = object.spec().and_then(|s| s.entry("selector")) else {
            return;
        };
        let selector = selector_entry.value;
        if selector.is_null() || !selector.is_map() {
            return;
        }
        let labels_node = pod_template_labels_node(object);
        let labels = Labels::from_node(labels_node);
        let parsed = if shape == Shape::Map {
            LabelSelector::from_map(Some(selector))
        } else {
            LabelSelector::from_node(Some(selector))
        };
        let who = object.display_name();
        let template_span = || -> (Span, String) {
            match object
                .root
                .path(&["spec", "template", "metadata"])
                .and_then(|m| m.entry("labels"))
            {
                Some(entry) if !labels.is_empty() => (
                    entry.key.span(),
                    format!(
                        "the pod template's labels: {}",
                        labels
                            .iter()
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
                _ => {
                    let span = object
                        .root
                        .path(&["spec"])
                        .and_then(|s| s.entry("template"))
                        .map_or_else(|| object.anchor_span(), |e| e.key.span());
                    (span, "the pod template has no labels".to_string())
                }
            }
        };
        if shape != Shape::Map && parsed.matches_everything() {
            if shape == Shape::Required {
                let (span, text) = template_span();
                sink.report(
                    object,
                    selector_entry.head_span(),
                    format!("{who} has an empty selector"),
                )
                .label("the API server rejects an empty selector for this kind")
                .secondary(object.doc.file, span, text)
                .help(help(&labels));
            }
            return;
        }
        if parsed.is_nothing() {
            // Invalid (or an empty plain map, which defaults to the template's labels).
            return;
        }
        if parsed.matches(&labels) {
            return;
        }
        let Some((span, why)) = failing(selector, shape, &labels) else {
            return;
        };
        let (template, text) = template_span();
        sink.report(
            object,
            span,
            format!("{who}'s selector does not match its pod template"),
        )
        .label(format!("{why}; the API server rejects the object"))
        .secondary(object.doc.file, template, text)
        .help(help(&labels));
    }
}

fn help(labels: &Labels<'_>) -> String {
    if labels.is_empty() {
        "give the pod template labels and select them:\n  selector:\n    matchLabels:\n      app: <name>\n  template:\n    metadata:\n      labels:\n        app: <name>".to_string()
    } else {
        "select labels the pod template carries (the selector of an existing workload cannot change: rename the workload or delete and recreate it if you change it)".to_string()
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::availability::run_rule;

    #[test]
    fn expressions_and_replication_controllers() {
        let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  selector:\n    matchExpressions:\n      - {key: tier, operator: In, values: [be]}\n  template:\n    metadata:\n      labels: {tier: fe}\n    spec:\n      containers: [{name: a}]\n---\napiVersion: v1\nkind: ReplicationController\nmetadata:\n  name: rc\nspec:\n  selector: {app: x}\n  template:\n    metadata:\n      labels: {app: y}\n    spec:\n      containers: [{name: a}]\n---\napiVersion: v1\nkind: ReplicationController\nmetadata:\n  name: rc-default\nspec:\n  template:\n    metadata:\n      labels: {app: y}\n    spec:\n      containers: [{name: a}]\n";
        let found = run_rule(
            Box::new(super::new(Default::default())),
            &[("a.yaml", deployment)],
        );
        assert_eq!(
            found,
            [
                "a.yaml:8: Deployment/d's selector does not match its pod template",
                "a.yaml:20: ReplicationController/rc's selector does not match its pod template",
            ]
        );
    }
}
