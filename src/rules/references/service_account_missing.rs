#![doc = include_str!("../../../rules/service-account-missing.md")]

use serde::{Deserialize, Serialize};

use super::{Completeness, name_span, similar_names};
use crate::diagnostic::Severity;
use crate::index::Index;
use crate::rules::availability::owned_by_controller;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};

pub static META: RuleMeta = RuleMeta {
    id: "service-account-missing",
    category: Category::Correctness,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A workload runs as a ServiceAccount that the set does not define, while it defines others in that namespace",
    lesson: "Seed 004 (BloomRemit, 2021): a rollout that cannot create its pods takes the service down as surely as a crash; pods naming a missing ServiceAccount are refused by the API server and never start.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// Report even when the set defines no ServiceAccount in the workload's namespace.
    pub assume_complete_set: bool,
}

pub struct ServiceAccountMissing {
    settings: Settings,
}

pub fn new(settings: Settings) -> ServiceAccountMissing {
    ServiceAccountMissing { settings }
}

impl Rule for ServiceAccountMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, index: &Index<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        let completeness = Completeness {
            assume_complete: self.settings.assume_complete_set,
        };
        for (workload, pod) in index.workloads() {
            if owned_by_controller(workload) {
                continue;
            }
            // `serviceAccountName`, else the deprecated `serviceAccount` it replaced.
            let Some(entry) = pod
                .node
                .entry("serviceAccountName")
                .filter(|e| !e.value.is_null())
                .or_else(|| pod.node.entry("serviceAccount"))
            else {
                continue;
            };
            let Some(account) = entry.value.as_str().filter(|a| !a.is_empty()) else {
                continue;
            };
            // Every namespace gets `default` from the ServiceAccount controller.
            if account == "default" {
                continue;
            }
            let namespace = index.namespace_of(workload);
            if index
                .lookup("ServiceAccount", namespace, account)
                .any(|o| o.group.is_empty())
            {
                continue;
            }
            if !completeness.covers(index, "ServiceAccount", namespace, |o| o.group.is_empty()) {
                continue;
            }
            let mut reported = sink
                .report(
                    workload,
                    entry.head_span(),
                    format!(
                        "{} runs as ServiceAccount \"{account}\", which the set does not define in namespace \"{namespace}\"",
                        workload.display_name()
                    ),
                )
                .label("the API server refuses pods whose ServiceAccount does not exist");
            let near = similar_names(
                index,
                "ServiceAccount",
                Some(namespace),
                account,
                workload.doc.file,
            );
            for account in &near {
                reported = reported.secondary(
                    account.doc.file,
                    name_span(account),
                    format!("{} has a similar name", account.display_name()),
                );
            }
            let help = match near.first().and_then(|a| a.name) {
                Some(name) => format!(
                    "use the ServiceAccount the set defines, e.g. `serviceAccountName: {name}`, or add the ServiceAccount"
                ),
                None => format!(
                    "add the ServiceAccount, e.g.\n  apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: {account}\n    namespace: {namespace}"
                ),
            };
            reported.help(help);
        }
    }
}
