#![doc = include_str!("../../../rules/missing-readiness-probe.md")]

use serde::{Deserialize, Serialize};

use super::{
    is_long_running, owned_by_controller, probe_example, service_target_port, service_targets,
    services_selecting,
};
use crate::diagnostic::Severity;
use crate::index::Index;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::view::{Container, ContainerKind, pod_spec};

pub static META: RuleMeta = RuleMeta {
    id: "missing-readiness-probe",
    category: Category::Reliability,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A container that serves traffic has no readiness probe, so it gets requests before it can answer them",
    lesson: "Seed 001 (2023-04-09): after the reboot, pods came up without working networking and still counted as running; only a readiness probe keeps such a pod out of its Service and stops a rollout from replacing healthy pods with broken ones.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// Only report pods that a Service of the linted set selects (kube-score's behaviour);
    /// by default a container that declares `ports` is reported too.
    pub require_service: bool,
}

pub struct MissingReadinessProbe {
    settings: Settings,
}

pub fn new(settings: Settings) -> MissingReadinessProbe {
    MissingReadinessProbe { settings }
}

fn declares_ports(container: &Container<'_>) -> bool {
    container
        .node
        .get("ports")
        .is_some_and(|ports| ports.items().next().is_some())
}

impl Rule for MissingReadinessProbe {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, index: &Index<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        for workload in index.objects() {
            if !is_long_running(workload) || owned_by_controller(workload) {
                continue;
            }
            let Some(pod) = pod_spec(workload) else {
                continue;
            };
            let containers: Vec<Container<'_>> = pod
                .all_containers()
                .filter(|c| c.kind == ContainerKind::Container)
                .collect();
            let missing: Vec<&Container<'_>> = containers
                .iter()
                .filter(|c| {
                    c.node
                        .get("readinessProbe")
                        .is_none_or(|p| p.is_empty_value() || !p.is_map())
                })
                .collect();
            if missing.is_empty() {
                continue;
            }
            let services = services_selecting(index, workload);
            if self.settings.require_service && services.is_empty() {
                continue;
            }
            let single = containers.len() == 1;
            for container in missing {
                // The Service that sends this container traffic: one that targets one of its
                // ports, or any, when the pod has only this container.
                let service = services
                    .iter()
                    .copied()
                    .find(|s| service_targets(s, container))
                    .or_else(|| services.first().copied().filter(|_| single));
                if service.is_none() && !declares_ports(container) {
                    continue;
                }
                let message = format!("{} has no readiness probe", container.describe());
                let mut reported = match container.node.entry("readinessProbe") {
                    Some(entry) => sink
                        .report(workload, entry.head_span(), message)
                        .label("`readinessProbe` is empty"),
                    None => sink
                        .report(workload, container.anchor_span(), message)
                        .label(if service.is_some() {
                            "gets Service traffic as soon as it starts"
                        } else {
                            "declares ports but no `readinessProbe`"
                        }),
                };
                if let Some(service) = service {
                    let span = service
                        .spec()
                        .and_then(|s| s.entry("selector"))
                        .map_or_else(|| service.anchor_span(), |e| e.head_span());
                    reported = reported.secondary(
                        service.doc.file,
                        span,
                        format!("{} sends traffic to these pods", service.display_name()),
                    );
                }
                reported.help(format!(
                    "add a probe that passes only when the container can serve requests, e.g.\n{}",
                    probe_example(
                        "readinessProbe",
                        container,
                        service.and_then(service_target_port)
                    )
                ));
            }
        }
    }
}
