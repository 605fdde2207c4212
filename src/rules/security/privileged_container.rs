#![doc = include_str!("../../../rules/privileged-container.md")]

use serde::{Deserialize, Serialize};

use super::pod_of;
use crate::diagnostic::Severity;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};

pub static META: RuleMeta = RuleMeta {
    id: "privileged-container",
    category: Category::Security,
    default_severity: Severity::Error,
    default_enabled: true,
    summary: "A container runs privileged: it has every capability and the node's devices, so it controls the node",
    lesson: "Practice (kube-linter, kube-score, Polaris, Checkov all flag it by default): a privileged container is root on the node, so one compromised pod becomes a compromised node and everything scheduled on it.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {}

pub struct PrivilegedContainer;

pub fn new(_settings: Settings) -> PrivilegedContainer {
    PrivilegedContainer
}

impl Rule for PrivilegedContainer {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        let Some(pod) = pod_of(object) else {
            return;
        };
        if pod.windows {
            return;
        }
        for container in pod.containers() {
            let Some(found) = container.privileged().found().filter(|f| f.value) else {
                continue;
            };
            sink.report(
                object,
                found.entry.head_span(),
                format!("{} runs privileged", container.describe()),
            )
            .label("every capability, every device of the node, no seccomp or AppArmor confinement")
            .help(
                "remove `privileged: true`; if the container needs one kernel feature, add just that capability, e.g.\n  securityContext:\n    capabilities:\n      drop: [ALL]\n      add: [NET_BIND_SERVICE]",
            );
        }
    }
}
