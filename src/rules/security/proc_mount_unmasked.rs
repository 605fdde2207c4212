#![doc = include_str!("../../../rules/proc-mount-unmasked.md")]

use serde::{Deserialize, Serialize};

use super::pod_of;
use crate::diagnostic::Severity;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};

pub static META: RuleMeta = RuleMeta {
    id: "proc-mount-unmasked",
    category: Category::Security,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A container sets `procMount: Unmasked`, exposing the parts of /proc that runtimes hide",
    lesson: "Practice (Polaris `procMount` by default, kube-linter `unsafe-proc-mount`, Pod Security Standards baseline): the masked /proc paths reveal and control kernel state of the node.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {}

pub struct ProcMountUnmasked;

pub fn new(_settings: Settings) -> ProcMountUnmasked {
    ProcMountUnmasked
}

impl Rule for ProcMountUnmasked {
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
            let Some(found) = container
                .proc_mount()
                .found()
                .filter(|f| f.value.trim() == "Unmasked")
            else {
                continue;
            };
            sink.report(
                object,
                found.entry.head_span(),
                format!("{} mounts /proc unmasked", container.describe()),
            )
            .label("/proc/kcore, /proc/sys, /proc/sysrq-trigger and the other masked paths become visible")
            .help("remove `procMount` (or set `procMount: Default`); only nested container runtimes need `Unmasked`, together with a user namespace (`hostUsers: false`)");
        }
    }
}
