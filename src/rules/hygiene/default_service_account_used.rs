#![doc = include_str!("../../../rules/default-service-account-used.md")]

use serde::{Deserialize, Serialize};

use super::{pod_of, service_account};
use crate::diagnostic::Severity;
use crate::index::Index;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::view::security::bool_value;

pub static META: RuleMeta = RuleMeta {
    id: "default-service-account-used",
    category: Category::Security,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A pod runs as its namespace's `default` service account with its token mounted",
    lesson: "Practice (kube-linter `default-service-account`, Polaris `automountServiceAccountToken`, Checkov CKV_K8S_38/41): every pod of the namespace that names no account shares `default`, so a permission granted to one of them is granted to all, and each carries the token to use it.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {}

pub struct DefaultServiceAccountUsed;

pub fn new(_settings: Settings) -> DefaultServiceAccountUsed {
    DefaultServiceAccountUsed
}

impl Rule for DefaultServiceAccountUsed {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, index: &Index<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        for object in index.objects() {
            let Some(pod) = pod_of(object) else {
                continue;
            };
            let account = service_account(&pod);
            if account.is_some_and(|(name, _)| name != "default") {
                continue;
            }
            let pod_automount = pod.spec.node.entry("automountServiceAccountToken");
            match pod_automount.and_then(|e| bool_value(e.value)) {
                Some(false) => continue,
                Some(true) => {}
                None => {
                    // The namespace's `default` account, when the set defines it, may turn the token off.
                    let off = super::service_accounts(index, object, "default")
                        .first()
                        .and_then(|sa| sa.root.get("automountServiceAccountToken"))
                        .and_then(bool_value)
                        == Some(false);
                    if off {
                        continue;
                    }
                }
            }
            let message = format!(
                "{} runs as the namespace's `default` service account",
                object.display_name()
            );
            let reported = match account {
                Some((_, entry)) => sink
                    .report(object, entry.head_span(), message)
                    .label("shared by every pod of the namespace that names no account"),
                None => {
                    let span = pod
                        .spec
                        .entry
                        .map_or_else(|| object.anchor_span(), |e| e.head_span());
                    sink.report(object, span, message)
                        .label("no `serviceAccountName`, so the pods get `default` and its token")
                }
            };
            let reported = match pod_automount.filter(|e| bool_value(e.value) == Some(true)) {
                Some(entry) => reported.secondary(
                    object.doc.file,
                    entry.head_span(),
                    "the token is mounted into every container",
                ),
                None => reported,
            };
            reported.help("give the workload its own ServiceAccount (`serviceAccountName: <name>`), or, if it never calls the Kubernetes API, turn the token off:\n  spec:\n    automountServiceAccountToken: false");
        }
    }
}
