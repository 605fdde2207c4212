#![doc = include_str!("../../../rules/host-ipc-enabled.md")]

use serde::{Deserialize, Serialize};

use super::pod_of;
use crate::diagnostic::Severity;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};

pub static META: RuleMeta = RuleMeta {
    id: "host-ipc-enabled",
    category: Category::Security,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A pod uses the node's IPC namespace (`hostIPC: true`)",
    lesson: "Practice (kube-linter, Polaris, Checkov flag it by default): a host-IPC pod can read and write the shared memory and message queues of every process on the node.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {}

pub struct HostIpcEnabled;

pub fn new(_settings: Settings) -> HostIpcEnabled {
    HostIpcEnabled
}

impl Rule for HostIpcEnabled {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        let Some(entry) = pod_of(object).and_then(|pod| pod.enabled("hostIPC")) else {
            return;
        };
        sink.report(
            object,
            entry.head_span(),
            format!("{} uses the node's IPC namespace", object.display_name()),
        )
        .label("shared memory and message queues of every process on the node are reachable")
        .help("remove `hostIPC: true`; containers of one pod already share an IPC namespace");
    }
}
