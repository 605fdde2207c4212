#![doc = include_str!("../../../rules/hpa-target-missing.md")]

use serde::{Deserialize, Serialize};

use super::{Completeness, MAX_NEAR_MISSES, name_span, similar_names};
use crate::diagnostic::Severity;
use crate::index::Index;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};

pub static META: RuleMeta = RuleMeta {
    id: "hpa-target-missing",
    category: Category::Correctness,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A HorizontalPodAutoscaler scales a workload the set does not define",
    lesson: "Seed 000 (2021-01-30): a cluster under load needs the scaling it was promised; an autoscaler whose target does not exist scales nothing and reports only an event nobody reads.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// Report even when the set holds no object of the target's kind in the namespace.
    pub assume_complete_set: bool,
}

pub struct HpaTargetMissing {
    settings: Settings,
}

pub fn new(settings: Settings) -> HpaTargetMissing {
    HpaTargetMissing { settings }
}

impl Rule for HpaTargetMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, index: &Index<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        let completeness = Completeness {
            assume_complete: self.settings.assume_complete_set,
        };
        for hpa in index.of_kind("HorizontalPodAutoscaler") {
            if hpa.group != "autoscaling" {
                continue;
            }
            let Some(target) = hpa.spec().and_then(|s| s.get("scaleTargetRef")) else {
                continue;
            };
            let (Some(kind), Some(name_entry)) = (target.get_str("kind"), target.entry("name"))
            else {
                continue;
            };
            let Some(name) = name_entry.value.as_str() else {
                continue;
            };
            let namespace = index.namespace_of(hpa);
            if index.lookup(kind, namespace, name).next().is_some() {
                continue;
            }
            if !completeness.covers(index, kind, namespace, |_| true) {
                continue;
            }
            let mut reported = sink
                .report(
                    hpa,
                    name_entry.head_span(),
                    format!(
                        "{} scales {kind} \"{name}\", which the set does not define in namespace \"{namespace}\"",
                        hpa.display_name()
                    ),
                )
                .label(format!("no {kind} of this name: the autoscaler scales nothing"));
            // The same name under another kind (`kind: Deployment` for a StatefulSet), then
            // similar names of the same kind.
            let mut near: Vec<(&Object<'_>, String)> = index
                .in_namespace(namespace)
                .filter(|o| o.name == Some(name) && o.kind != kind && is_scalable(o))
                .map(|o| {
                    (
                        o,
                        format!(
                            "{} has this name: is `kind: {kind}` wrong?",
                            o.display_name()
                        ),
                    )
                })
                .collect();
            near.extend(
                similar_names(index, kind, Some(namespace), name, hpa.doc.file)
                    .into_iter()
                    .map(|o| (o, format!("{} has a similar name", o.display_name()))),
            );
            let help = match near.first() {
                Some((o, _)) if o.name == Some(name) => {
                    format!("set `kind: {}` in `scaleTargetRef`", o.kind)
                }
                Some((o, _)) => format!(
                    "set `name: {}` in `scaleTargetRef`, or add the {kind}",
                    o.name.unwrap_or_default()
                ),
                None => format!(
                    "point `scaleTargetRef` at a workload of the set, or add {kind} \"{name}\""
                ),
            };
            for (object, message) in near.into_iter().take(MAX_NEAR_MISSES) {
                reported = reported.secondary(object.doc.file, name_span(object), message);
            }
            reported.help(help);
        }
    }
}

/// Kinds an autoscaler can scale (with a `scale` subresource) among those of the set.
fn is_scalable(object: &Object<'_>) -> bool {
    crate::rules::availability::is_replicated(object)
}
