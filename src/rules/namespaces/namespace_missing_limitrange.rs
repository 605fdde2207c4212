#![doc = include_str!("../../../rules/namespace-missing-limitrange.md")]

use serde::{Deserialize, Serialize};

use super::{SYSTEM_NAMESPACES, report, scopes};
use crate::diagnostic::Severity;
use crate::index::Index;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::view::limitrange::{Bound, container_default};

pub static META: RuleMeta = RuleMeta {
    id: "namespace-missing-limitrange",
    category: Category::Reliability,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A namespace of the set has no LimitRange that gives containers memory defaults",
    lesson: "Seed 002 (NU.nl, 2019): the namespace had no LimitRange, so a chart that shipped `resources: {}` ran ElastAlert with no memory limit and it OOM-killed its nodes; a namespace default would have capped it.",
};

const HELP: &str = "add a LimitRange to the namespace, e.g.
  apiVersion: v1
  kind: LimitRange
  metadata:
    name: container-defaults
    namespace: <namespace>
  spec:
    limits:
    - type: Container
      default:
        memory: 512Mi
      defaultRequest:
        memory: 256Mi
        cpu: 100m";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// Resources the LimitRange must give containers a default for (`memory`, `cpu`).
    pub required_defaults: Vec<String>,
    /// Namespaces never reported.
    pub ignore_namespaces: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            required_defaults: vec!["memory".to_string()],
            ignore_namespaces: SYSTEM_NAMESPACES.iter().map(|s| s.to_string()).collect(),
        }
    }
}

pub struct NamespaceMissingLimitRange {
    settings: Settings,
}

pub fn new(settings: Settings) -> NamespaceMissingLimitRange {
    NamespaceMissingLimitRange { settings }
}

impl Rule for NamespaceMissingLimitRange {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, index: &Index<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        for scope in scopes(index, &self.settings.ignore_namespaces) {
            let missing: Vec<&str> = self
                .settings
                .required_defaults
                .iter()
                .map(String::as_str)
                .filter(|resource| {
                    // Any container default for the resource counts: the per-container rules say
                    // precisely which of limit and request remain unset.
                    container_default(index, scope.name, resource, Bound::Limit).is_none()
                        && container_default(index, scope.name, resource, Bound::Request).is_none()
                })
                .collect();
            if missing.is_empty() {
                continue;
            }
            let what = missing.join(" and ");
            let existing: Vec<_> = index
                .in_namespace(scope.name)
                .filter(|o| o.kind == "LimitRange" && o.group.is_empty())
                .collect();
            let message = if existing.is_empty() {
                format!(
                    "namespace `{}` has no LimitRange, so containers that set no {what} get no default",
                    scope.name
                )
            } else {
                format!(
                    "no LimitRange in namespace `{}` gives containers a {what} default",
                    scope.name
                )
            };
            let label = if existing.is_empty() {
                "no LimitRange in the set for this namespace"
            } else {
                "no container default here"
            };
            let Some(mut reported) = report(
                sink,
                &scope,
                message,
                label,
                &HELP.replace("<namespace>", scope.name),
            ) else {
                continue;
            };
            // Point at the LimitRanges that exist but default nothing useful.
            for lr in existing {
                let span = lr
                    .root
                    .entry("spec")
                    .map_or_else(|| lr.anchor_span(), |e| e.key.span());
                reported = reported.secondary(
                    lr.doc.file,
                    span,
                    format!(
                        "LimitRange \"{}\" has no {what} in `default`, `defaultRequest`, `max` or `min` of a `type: Container` item",
                        lr.name.unwrap_or("")
                    ),
                );
            }
        }
    }
}
