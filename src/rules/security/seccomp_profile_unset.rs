#![doc = include_str!("../../../rules/seccomp-profile-unset.md")]

use serde::{Deserialize, Serialize};

use super::{entry_text, pod_of, report_found};
use crate::diagnostic::Severity;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::view::security::{Found, SECCOMP_ANNOTATIONS_REMOVED, SeccompKind};

pub static META: RuleMeta = RuleMeta {
    id: "seccomp-profile-unset",
    category: Category::Security,
    default_severity: Severity::Warning,
    default_enabled: false,
    summary: "A container runs without a seccomp profile (none set, or `Unconfined`)",
    lesson: "Practice (kube-score `container-seccomp-profile` and Polaris `linuxHardening`, Checkov CKV_K8S_31, Pod Security Standards restricted): without a profile every system call reaches the node's kernel, so a kernel bug is a way out of the container.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {}

pub struct SeccompProfileUnset;

pub fn new(_settings: Settings) -> SeccompProfileUnset {
    SeccompProfileUnset
}

const HELP: &str = "set the runtime's default profile for the whole pod:\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault";

impl Rule for SeccompProfileUnset {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object<'_>, ctx: &Context, sink: &mut Sink<'_>) {
        let Some(pod) = pod_of(object) else {
            return;
        };
        if pod.windows {
            return;
        }
        let honour_annotations = ctx.kube_version < SECCOMP_ANNOTATIONS_REMOVED;
        for container in pod.containers() {
            let who = container.describe();
            let setting = container.seccomp(honour_annotations);
            match setting.effective {
                Some(profile)
                    if matches!(
                        profile.kind,
                        SeccompKind::RuntimeDefault | SeccompKind::Localhost
                    ) => {}
                Some(profile) => {
                    // Point at `type: Unconfined` rather than at the `seccompProfile:` key.
                    let entry = profile
                        .entry
                        .value
                        .entry("type")
                        .filter(|_| !profile.annotation)
                        .unwrap_or(profile.entry);
                    let found = Found {
                        value: (),
                        entry,
                        level: profile.level,
                    };
                    let (message, label) = if profile.kind == SeccompKind::Unconfined {
                        (
                            format!("{who} runs without a seccomp profile (`Unconfined`)"),
                            "`Unconfined` turns system-call filtering off",
                        )
                    } else {
                        (
                            format!("{who} has no valid seccomp profile"),
                            "the profile's `type` must be RuntimeDefault, Localhost or Unconfined",
                        )
                    };
                    report_found(sink, object, &container, &found, message, label).help(HELP);
                }
                None => {
                    let reported = sink
                        .report(
                            object,
                            container.missing_span(),
                            format!("{who} has no seccomp profile"),
                        )
                        .label(
                            container.missing_label("every system call reaches the node's kernel"),
                        )
                        .help(HELP);
                    if let Some(annotation) = setting.ignored_annotation {
                        reported.secondary(
                            object.doc.file,
                            annotation.entry.head_span(),
                            format!(
                                "`{}` is ignored: Kubernetes 1.27 removed the seccomp annotations (target {})",
                                entry_text(annotation.entry)
                                    .split(':')
                                    .next()
                                    .unwrap_or_default(),
                                ctx.kube_version
                            ),
                        );
                    }
                }
            }
        }
    }
}
