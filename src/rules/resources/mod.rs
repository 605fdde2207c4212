//! Container resource rules: requests and limits for memory and CPU.
//!
//! The four rules share one walk, because they ask the same question of the same fields and must
//! point at the same places: the container's `name:` when `resources` is missing, `resources` when
//! it is empty or lacks the sub-map, the sub-map when it lacks the resource, and the value when it
//! is empty.
//!
//! They run over the whole set because a LimitRange in the workload's namespace may default the
//! missing value (`view::limitrange` says exactly which LimitRange fields do).

pub mod container_missing_cpu_limit;
pub mod container_missing_cpu_request;
pub mod container_missing_memory_limit;
pub mod container_missing_memory_request;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Severity;
use crate::index::Index;
use crate::quantity::Quantity;
use crate::rules::Sink;
use crate::source::Span;
use crate::view::ContainerKind;
use crate::view::limitrange::{self, Bound};
use crate::yaml::{EntryRef, NodeRef};

/// What to do when a LimitRange in the namespace defaults the missing value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LimitRangeDefaults {
    /// Report at `info`, with a label on the LimitRange field that supplies the value.
    #[default]
    Downgrade,
    /// Do not report: the LimitRange is the policy.
    Accept,
    /// Report as if there were no LimitRange.
    Ignore,
}

/// Settings shared by the four resource rules.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// Do not check init containers (they run before the app containers, one at a time).
    pub skip_init_containers: bool,
    /// When a LimitRange in the workload's namespace defaults the value: `downgrade`, `accept`, `ignore`.
    pub limit_range_defaults: LimitRangeDefaults,
}

fn field(bound: Bound) -> &'static str {
    match bound {
        Bound::Limit => "limits",
        Bound::Request => "requests",
    }
}

fn noun(bound: Bound) -> &'static str {
    match bound {
        Bound::Limit => "limit",
        Bound::Request => "request",
    }
}

/// A resource value counts as set when it is a quantity Kubernetes parses: `512MB` is rejected by
/// the API server, so it is no limit (and `schema-type-mismatch` says why).
fn set_value(map: Option<NodeRef<'_>>, resource: &str) -> bool {
    map.and_then(|m| m.get(resource))
        .and_then(|v| v.as_str())
        .is_some_and(|s| !s.trim().is_empty() && Quantity::from_manifest(s).is_ok())
}

/// Reports every container of every workload whose `resources.<bound>.<resource>` is not set.
/// A request falls back to the limit, as Kubernetes defaults it.
pub(crate) fn check(
    index: &Index<'_>,
    sink: &mut Sink<'_>,
    settings: &Settings,
    resource: &str,
    bound: Bound,
    help: &str,
) {
    for (object, pod) in index.workloads() {
        let default = match settings.limit_range_defaults {
            LimitRangeDefaults::Ignore => None,
            _ => limitrange::container_default(index, index.namespace_of(object), resource, bound),
        };
        if default.is_some() && settings.limit_range_defaults == LimitRangeDefaults::Accept {
            continue;
        }
        for container in pod.containers() {
            if settings.skip_init_containers && container.kind == ContainerKind::Init {
                continue;
            }
            let Some((span, label)) =
                missing(container.node, container.anchor_span(), resource, bound)
            else {
                continue;
            };
            let what = format!("{} has no {resource} {}", container.describe(), noun(bound));
            match &default {
                None => {
                    sink.report(object, span, what).label(label).help(help);
                }
                Some(source) => {
                    let name = source.limit_range.name.unwrap_or("(unnamed)");
                    sink.report(
                        object,
                        span,
                        format!("{what}; LimitRange \"{name}\" defaults it to {}", source.value()),
                    )
                    .severity(Severity::Info)
                    .label(label)
                    .secondary(
                        source.limit_range.doc.file,
                        source.span(),
                        format!("`{}.{resource}` of this LimitRange applies", source.field),
                    )
                    .help(format!(
                        "the namespace default keeps the node safe, but it is not sized for this container; {help}"
                    ));
                }
            }
        }
    }
}

/// Where the value is missing and what to say there; `None` when it is set.
fn missing(
    container: NodeRef<'_>,
    anchor: Span,
    resource: &str,
    bound: Bound,
) -> Option<(Span, String)> {
    let Some(resources) = container.entry("resources") else {
        return Some((anchor, "`resources` is not set".to_string()));
    };
    if resources.value.is_empty_value() {
        return Some((resources.head_span(), "`resources` is empty".to_string()));
    }
    if !resources.value.is_map() {
        // Not a mapping: the API server rejects the object; schema validation reports it.
        return None;
    }
    let limits = resources.value.get("limits");
    let own = resources.value.entry(field(bound));
    if set_value(own.map(|e| e.value), resource)
        || (bound == Bound::Request && set_value(limits, resource))
    {
        return None;
    }
    Some(missing_at(resources, own, field(bound), resource))
}

/// The nearest existing node to point at, and what is missing there.
fn missing_at(
    resources: EntryRef<'_>,
    own: Option<EntryRef<'_>>,
    field: &str,
    resource: &str,
) -> (Span, String) {
    match own {
        None => (
            resources.key.span(),
            format!("`resources` has no `{field}`"),
        ),
        Some(own) if own.value.is_empty_value() || !own.value.is_map() => {
            (own.head_span(), format!("`{field}` is empty"))
        }
        Some(own) => match own.value.entry(resource) {
            Some(value) => match value.value.as_str().filter(|s| !s.trim().is_empty()) {
                Some(text) => (
                    value.value.span(),
                    format!("`{text}` is not a quantity Kubernetes can read"),
                ),
                None => (value.head_span(), format!("`{resource}` is empty")),
            },
            None => (own.key.span(), format!("`{field}` has no `{resource}`")),
        },
    }
}
