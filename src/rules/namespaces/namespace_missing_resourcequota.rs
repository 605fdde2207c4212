#![doc = include_str!("../../../rules/namespace-missing-resourcequota.md")]

use serde::{Deserialize, Serialize};

use super::{SYSTEM_NAMESPACES, report, scopes};
use crate::diagnostic::Severity;
use crate::index::Index;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};

pub static META: RuleMeta = RuleMeta {
    id: "namespace-missing-resourcequota",
    category: Category::Reliability,
    default_severity: Severity::Warning,
    default_enabled: false,
    summary: "A namespace of the set has no ResourceQuota capping what its workloads may request in total",
    lesson: "Seeds 002 and 000: one namespace's workloads grew until the nodes they shared ran out of memory; a quota bounds a namespace's total requests and limits, so one team's runaway cannot starve the rest (off by default: quotas are a multi-tenant policy).",
};

const HELP: &str = "add a ResourceQuota to the namespace, e.g.
  apiVersion: v1
  kind: ResourceQuota
  metadata:
    name: compute
    namespace: <namespace>
  spec:
    hard:
      requests.cpu: \"8\"
      requests.memory: 16Gi
      limits.memory: 32Gi";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// Namespaces never reported.
    pub ignore_namespaces: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            ignore_namespaces: SYSTEM_NAMESPACES.iter().map(|s| s.to_string()).collect(),
        }
    }
}

pub struct NamespaceMissingResourceQuota {
    settings: Settings,
}

pub fn new(settings: Settings) -> NamespaceMissingResourceQuota {
    NamespaceMissingResourceQuota { settings }
}

impl Rule for NamespaceMissingResourceQuota {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, index: &Index<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        for scope in scopes(index, &self.settings.ignore_namespaces) {
            let has_quota = index.in_namespace(scope.name).any(|o| {
                o.kind == "ResourceQuota"
                    && o.group.is_empty()
                    && o.root
                        .path(&["spec", "hard"])
                        .is_some_and(|h| !h.is_empty_value())
            });
            if !has_quota {
                let message = format!(
                    "namespace `{}` has no ResourceQuota with `spec.hard` limits",
                    scope.name
                );
                report(
                    sink,
                    &scope,
                    message,
                    "no ResourceQuota in the set for this namespace",
                    &HELP.replace("<namespace>", scope.name),
                );
            }
        }
    }
}
