#![doc = include_str!("../../../rules/container-runs-as-root.md")]

use serde::{Deserialize, Serialize};

use super::{pod_of, report_found};
use crate::diagnostic::Severity;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::view::security::{Found, Setting};

pub static META: RuleMeta = RuleMeta {
    id: "container-runs-as-root",
    category: Category::Security,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A container runs as root, or may: neither `runAsNonRoot: true` nor a non-zero `runAsUser` applies to it",
    lesson: "Practice (kube-linter, Polaris, Checkov flag it by default): root in a container is root on the node's kernel, so a container escape or a writable host mount gives the attacker the node.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// Do not report `runAsGroup: 0` (OpenShift-style images that rely on the root group).
    pub allow_root_group: bool,
}

pub struct ContainerRunsAsRoot {
    settings: Settings,
}

pub fn new(settings: Settings) -> ContainerRunsAsRoot {
    ContainerRunsAsRoot { settings }
}

const HELP: &str = "run as a non-root user, in the container's or the pod's `securityContext`:\n  securityContext:\n    runAsNonRoot: true\n    runAsUser: 10001";

impl Rule for ContainerRunsAsRoot {
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
            let who = container.describe();
            let user = container.run_as_user();
            let non_root = container.run_as_non_root();
            if user.is_invalid() || non_root.is_invalid() {
                continue;
            }
            match user {
                Setting::Set(found @ Found { value: 0, .. }) => {
                    let label = if non_root.value() == Some(true) {
                        "user 0 is root; with `runAsNonRoot: true` the kubelet refuses to start it"
                    } else {
                        "user 0 is root"
                    };
                    report_found(
                        sink,
                        object,
                        &container,
                        &found,
                        format!("{who} runs as root (`runAsUser: 0`)"),
                        label,
                    )
                    .help(HELP);
                    continue;
                }
                Setting::Set(_) => {}
                _ => match non_root {
                    Setting::Set(Found { value: true, .. }) => {}
                    Setting::Set(found) => {
                        report_found(
                            sink,
                            object,
                            &container,
                            &found,
                            format!("{who} may run as root: `runAsNonRoot` is false and no `runAsUser` is set"),
                            "the image's user applies, and it is often root",
                        )
                        .help(HELP);
                        continue;
                    }
                    _ => {
                        sink.report(
                            object,
                            container.missing_span(),
                            format!("{who} may run as root: neither `runAsNonRoot: true` nor a non-zero `runAsUser` applies"),
                        )
                        .label(container.missing_label("the image's user applies, and it is often root"))
                        .help(HELP);
                        continue;
                    }
                },
            }
            if self.settings.allow_root_group {
                continue;
            }
            if let Some(found) = container.run_as_group().found().filter(|f| f.value == 0) {
                report_found(
                    sink,
                    object,
                    &container,
                    &found,
                    format!("{who} runs with the root group (`runAsGroup: 0`)"),
                    "group 0 can read and write every file the root group owns",
                )
                .help("use a non-zero group, e.g.\n  securityContext:\n    runAsGroup: 10001\n(or set `allow-root-group: true` for images built for the root group)");
            }
        }
    }
}
