#![doc = include_str!("../../../rules/workload-single-replica.md")]

use serde::{Deserialize, Serialize};

use super::{ReplicaSource, Scaling, owned_by_controller, replicas_noun, spec_key_span};
use crate::diagnostic::Severity;
use crate::index::Index;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};

pub static META: RuleMeta = RuleMeta {
    id: "workload-single-replica",
    category: Category::Reliability,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A Deployment or StatefulSet runs a single replica, so one node drain, crash or eviction is an outage",
    lesson: "Seed 003 (LKE Canada, 2024): every control-plane connection went through one NodeBalancer, and when it misbehaved leader elections failed cluster-wide; the lesson was to duplicate critical infrastructure so no single instance is a point of failure.",
};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// The fewest replicas a workload should run (after autoscalers).
    pub min_replicas: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { min_replicas: 2 }
    }
}

pub struct WorkloadSingleReplica {
    settings: Settings,
}

pub fn new(settings: Settings) -> WorkloadSingleReplica {
    WorkloadSingleReplica { settings }
}

impl Rule for WorkloadSingleReplica {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, index: &Index<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        let min = self.settings.min_replicas.max(1);
        let scaling = Scaling::new(index);
        // An autoscaler is reported once, even when the set repeats the workload it scales.
        let mut autoscalers_seen = std::collections::HashSet::new();
        for workload in index.objects() {
            if owned_by_controller(workload) {
                continue;
            }
            let Some(replicas) = scaling.replicas(index, workload) else {
                continue;
            };
            // `replicas: 0` (or an autoscaler that may scale to zero) is a deliberate choice.
            if replicas.count == 0 || replicas.count >= min {
                continue;
            }
            let name = workload.display_name();
            let message = if replicas.count == 1 {
                format!("{name} runs a single replica")
            } else {
                format!(
                    "{name} runs only {}, fewer than {min}",
                    replicas_noun(replicas.count)
                )
            };
            match replicas.source {
                ReplicaSource::Field(entry) => {
                    sink.report(workload, entry.head_span(), message)
                        .label(if replicas.count == 1 {
                            "one pod: down whenever it restarts or moves to another node".to_string()
                        } else {
                            format!("{}, fewer than {min}", replicas_noun(replicas.count))
                        })
                        .help(format!(
                            "run at least {min} replicas so a node drain, crash or eviction leaves one serving:\n  replicas: {min}"
                        ));
                }
                ReplicaSource::Default => {
                    sink.report(workload, spec_key_span(workload), message)
                        .label("`replicas` is not set, so Kubernetes runs 1")
                        .help(format!(
                            "set `spec.replicas` so a node drain, crash or eviction leaves one serving:\n  spec:\n    replicas: {min}"
                        ));
                }
                ReplicaSource::Autoscaler(autoscaler) => {
                    if !autoscalers_seen.insert(std::ptr::from_ref(autoscaler)) {
                        continue;
                    }
                    let label = match autoscaler.min_entry {
                        Some(_) => format!(
                            "the autoscaler may scale {name} down to {}",
                            replicas_noun(replicas.count)
                        ),
                        None => format!(
                            "`{}` is not set, so it may scale down to {}",
                            autoscaler.field,
                            replicas_noun(replicas.count)
                        ),
                    };
                    sink.report(
                        autoscaler.object,
                        autoscaler.min_span(),
                        format!(
                            "{message} when {} scales it to its minimum",
                            autoscaler.object.display_name()
                        ),
                    )
                    .label(label)
                    .secondary(
                        workload.doc.file,
                        spec_key_span(workload),
                        format!("{name}, scaled by {}", autoscaler.object.display_name()),
                    )
                    .help(format!(
                        "keep at least {min} replicas when idle:\n  {}: {min}",
                        autoscaler.field
                    ));
                }
            }
        }
    }
}
