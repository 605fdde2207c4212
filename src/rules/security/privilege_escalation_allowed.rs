#![doc = include_str!("../../../rules/privilege-escalation-allowed.md")]

use serde::{Deserialize, Serialize};

use super::{note_misplaced, pod_of};
use crate::diagnostic::Severity;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::view::security::Escalation;

pub static META: RuleMeta = RuleMeta {
    id: "privilege-escalation-allowed",
    category: Category::Security,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A container does not set `allowPrivilegeEscalation: false`, so a setuid binary in it can gain root",
    lesson: "Practice (kube-linter, Polaris, Checkov flag it by default): without `no_new_privs`, an attacker who gets a shell in the container can use a setuid binary or file capability to become root inside it, one step from the node.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {}

pub struct PrivilegeEscalationAllowed;

pub fn new(_settings: Settings) -> PrivilegeEscalationAllowed {
    PrivilegeEscalationAllowed
}

const HELP: &str = "set `allowPrivilegeEscalation: false` in the container's `securityContext`:\n  securityContext:\n    allowPrivilegeEscalation: false";

impl Rule for PrivilegeEscalationAllowed {
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
            match container.escalation() {
                Escalation::Denied(_) | Escalation::Invalid(_) => {}
                Escalation::Privileged(entry) => {
                    sink.report(
                        object,
                        entry.head_span(),
                        format!("{who} can escalate privileges: it is privileged"),
                    )
                    .label("a privileged container can always gain privileges, whatever `allowPrivilegeEscalation` says")
                    .help(format!("remove `privileged: true`, then {HELP}"));
                }
                Escalation::SysAdmin(cap) => {
                    sink.report(
                        object,
                        cap.node.span(),
                        format!("{who} can escalate privileges: it adds CAP_SYS_ADMIN"),
                    )
                    .label("with CAP_SYS_ADMIN, `allowPrivilegeEscalation: false` is not allowed")
                    .help(format!(
                        "remove SYS_ADMIN from `capabilities.add`, then {HELP}"
                    ));
                }
                Escalation::Allowed(entry) => {
                    sink.report(
                        object,
                        entry.head_span(),
                        format!("{who} allows privilege escalation"),
                    )
                    .label("setuid binaries and file capabilities can raise privileges")
                    .help(HELP);
                }
                Escalation::Unset => {
                    let reported = sink
                        .report(
                            object,
                            container.missing_span(),
                            format!("{who} does not set `allowPrivilegeEscalation: false`"),
                        )
                        .label(container.missing_label("privilege escalation is allowed"))
                        .help(HELP);
                    note_misplaced(reported, object, &container, "allowPrivilegeEscalation");
                }
            }
        }
    }
}
