#![doc = include_str!("../../../rules/missing-liveness-probe.md")]

use serde::{Deserialize, Serialize};

use super::{is_long_running, owned_by_controller, probe_example};
use crate::diagnostic::Severity;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::view::{ContainerKind, pod_spec};

pub static META: RuleMeta = RuleMeta {
    id: "missing-liveness-probe",
    category: Category::Reliability,
    default_severity: Severity::Info,
    default_enabled: false,
    summary: "A long-running container has no liveness probe, so a hung process is never restarted (off by default)",
    lesson: "Practice (kube-linter no-liveness-probe, off by default; Polaris livenessProbeMissing): a deadlocked process keeps its pod Running forever without one, but a probe that checks dependencies restarts every replica at once when a shared dependency fails, so the rule is opt-in.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {}

pub struct MissingLivenessProbe;

pub fn new(_settings: Settings) -> MissingLivenessProbe {
    MissingLivenessProbe
}

impl Rule for MissingLivenessProbe {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        if !is_long_running(object) || owned_by_controller(object) {
            return;
        }
        let Some(pod) = pod_spec(object) else {
            return;
        };
        for container in pod
            .all_containers()
            .filter(|c| c.kind == ContainerKind::Container)
        {
            let message = format!("{} has no liveness probe", container.describe());
            let reported = match container.node.entry("livenessProbe") {
                Some(entry) if entry.value.is_map() && !entry.value.is_empty_value() => continue,
                Some(entry) => sink
                    .report(object, entry.head_span(), message)
                    .label("`livenessProbe` is empty"),
                None => sink
                    .report(object, container.anchor_span(), message)
                    .label("a hung process here is never restarted"),
            };
            reported.help(format!(
                "add a probe that checks only this process (not databases or other services it calls), e.g.\n{}",
                probe_example("livenessProbe", &container, None)
            ));
        }
    }
}
