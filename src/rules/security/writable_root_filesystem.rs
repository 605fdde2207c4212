#![doc = include_str!("../../../rules/writable-root-filesystem.md")]

use serde::{Deserialize, Serialize};

use super::{note_misplaced, pod_of};
use crate::diagnostic::Severity;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::view::security::Setting;

pub static META: RuleMeta = RuleMeta {
    id: "writable-root-filesystem",
    category: Category::Security,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A container's root filesystem is writable (`readOnlyRootFilesystem` is not true)",
    lesson: "Practice (kube-linter, kube-score, Polaris, Checkov flag it by default): an intruder who can write to the image's filesystem can drop tools and change binaries or configuration that the process reads later.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// Do not check init containers (short-lived setup steps that often write).
    pub skip_init_containers: bool,
}

pub struct WritableRootFilesystem {
    settings: Settings,
}

pub fn new(settings: Settings) -> WritableRootFilesystem {
    WritableRootFilesystem { settings }
}

const HELP: &str = "set `readOnlyRootFilesystem: true` and mount an `emptyDir` where the process must write, e.g.\n  securityContext:\n    readOnlyRootFilesystem: true\n  volumeMounts:\n    - name: tmp\n      mountPath: /tmp";

impl Rule for WritableRootFilesystem {
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
            if self.settings.skip_init_containers
                && container.container.kind == crate::view::ContainerKind::Init
            {
                continue;
            }
            let who = container.describe();
            match container.read_only_root_filesystem() {
                Setting::Set(found) if found.value => {}
                Setting::Invalid(_) => {}
                Setting::Set(found) => {
                    sink.report(
                        object,
                        found.entry.head_span(),
                        format!("{who} has a writable root filesystem"),
                    )
                    .label("the image's files can be changed at run time")
                    .help(HELP);
                }
                Setting::Unset => {
                    let reported = sink
                        .report(
                            object,
                            container.missing_span(),
                            format!("{who} has a writable root filesystem"),
                        )
                        .label(container.missing_label("the root filesystem is writable"))
                        .help(HELP);
                    note_misplaced(reported, object, &container, "readOnlyRootFilesystem");
                }
            }
        }
    }
}
