#![doc = include_str!("../../../rules/service-account-token-automounted.md")]

use serde::{Deserialize, Serialize};

use super::{pod_of, service_account};
use crate::diagnostic::Severity;
use crate::index::Index;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::view::security::bool_value;

pub static META: RuleMeta = RuleMeta {
    id: "service-account-token-automounted",
    category: Category::Security,
    default_severity: Severity::Warning,
    default_enabled: false,
    summary: "A pod with its own service account gets the account's API token mounted, and neither the pod nor the account turns that off",
    lesson: "Practice (Polaris `automountServiceAccountToken` by default, Checkov CKV_K8S_38): a mounted token lets whoever controls a container call the Kubernetes API with the account's permissions; pods that never call the API should not carry one.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {}

pub struct ServiceAccountTokenAutomounted;

pub fn new(_settings: Settings) -> ServiceAccountTokenAutomounted {
    ServiceAccountTokenAutomounted
}

const HELP: &str = "if the pod never calls the Kubernetes API, turn the token off in the pod spec (or in the ServiceAccount):\n  spec:\n    automountServiceAccountToken: false";

impl Rule for ServiceAccountTokenAutomounted {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, index: &Index<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        for object in index.objects() {
            let Some(pod) = pod_of(object) else {
                continue;
            };
            // Pods of the `default` account are `default-service-account-used`'s.
            let Some((name, account_entry)) =
                service_account(&pod).filter(|(n, _)| *n != "default")
            else {
                continue;
            };
            let who = object.display_name();
            let pod_automount = pod.spec.node.entry("automountServiceAccountToken");
            match pod_automount.map(|e| (e, bool_value(e.value))) {
                Some((_, Some(false) | None)) => continue,
                Some((entry, Some(true))) => {
                    sink.report(
                        object,
                        entry.head_span(),
                        format!("{who} mounts the API token of service account \"{name}\""),
                    )
                    .label("the token is mounted into every container")
                    .help(HELP);
                    continue;
                }
                None => {}
            }
            let accounts = super::service_accounts(index, object, name);
            let account_setting = accounts.iter().find_map(|sa| {
                sa.root
                    .entry("automountServiceAccountToken")
                    .map(|e| (sa, e, bool_value(e.value)))
            });
            let mut reported = match account_setting {
                Some((_, _, Some(false) | None)) => continue,
                Some((sa, entry, Some(true))) => sink
                    .report(
                        object,
                        account_entry.head_span(),
                        format!("{who} mounts the API token of service account \"{name}\""),
                    )
                    .label("the pod spec does not set `automountServiceAccountToken`")
                    .secondary(
                        sa.doc.file,
                        entry.head_span(),
                        "the ServiceAccount mounts its token into every pod",
                    ),
                None => sink
                    .report(
                        object,
                        account_entry.head_span(),
                        format!("{who} mounts the API token of service account \"{name}\""),
                    )
                    .label(if accounts.is_empty() {
                        "the pod spec does not set `automountServiceAccountToken: false` (the ServiceAccount is not in the set)"
                    } else {
                        "neither the pod spec nor the ServiceAccount sets `automountServiceAccountToken: false`"
                    }),
            };
            if account_setting.is_none()
                && let Some(sa) = accounts.first()
            {
                reported = reported.secondary(
                    sa.doc.file,
                    super::name_span(sa),
                    "this ServiceAccount leaves token mounting on",
                );
            }
            reported.help(HELP);
        }
    }
}
