#![doc = include_str!("../../../rules/host-pid-enabled.md")]

use serde::{Deserialize, Serialize};

use super::pod_of;
use crate::diagnostic::Severity;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};

pub static META: RuleMeta = RuleMeta {
    id: "host-pid-enabled",
    category: Category::Security,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A pod uses the node's process namespace (`hostPID: true`)",
    lesson: "Practice (kube-linter, Polaris, Checkov flag it by default): a host-PID pod sees every process of the node, with their command lines and environment, and as root can signal or trace them.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {}

pub struct HostPidEnabled;

pub fn new(_settings: Settings) -> HostPidEnabled {
    HostPidEnabled
}

impl Rule for HostPidEnabled {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        let Some(entry) = pod_of(object).and_then(|pod| pod.enabled("hostPID")) else {
            return;
        };
        sink.report(
            object,
            entry.head_span(),
            format!("{} uses the node's process namespace", object.display_name()),
        )
        .label("the pods see every process of the node, their arguments and environment")
        .help("remove `hostPID: true`; to share processes between the pod's own containers, use `shareProcessNamespace: true`");
    }
}
