//! Container resource rules: requests and limits for memory and CPU.
//!
//! The four rules share one walk, because they ask the same question of the same fields and must
//! point at the same places: the container's `name:` when `resources` is missing, `resources` when
//! it is empty or lacks the sub-map, the sub-map when it lacks the resource, and the value when it
//! is empty.

pub mod container_missing_cpu_limit;
pub mod container_missing_cpu_request;
pub mod container_missing_memory_limit;
pub mod container_missing_memory_request;

use serde::{Deserialize, Serialize};

use crate::object::Object;
use crate::rules::Sink;
use crate::view::{ContainerKind, pod_spec};
use crate::yaml::{EntryRef, NodeRef};

/// Settings shared by the four resource rules.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// Do not check init containers (they run before the app containers, one at a time).
    pub skip_init_containers: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bound {
    Limit,
    Request,
}

impl Bound {
    fn field(self) -> &'static str {
        match self {
            Bound::Limit => "limits",
            Bound::Request => "requests",
        }
    }
    fn noun(self) -> &'static str {
        match self {
            Bound::Limit => "limit",
            Bound::Request => "request",
        }
    }
}

/// A resource value counts as set when it is a non-empty scalar.
fn set_value(map: Option<NodeRef<'_>>, resource: &str) -> bool {
    map.and_then(|m| m.get(resource))
        .and_then(|v| v.scalar().filter(|_| !v.is_null()))
        .is_some_and(|s| !s.trim().is_empty())
}

/// Reports every container of `object` whose `resources.<bound>.<resource>` is not set.
/// A request falls back to the limit, as Kubernetes defaults it.
pub(crate) fn check(
    object: &Object<'_>,
    sink: &mut Sink<'_>,
    settings: &Settings,
    resource: &str,
    bound: Bound,
    help: &str,
) {
    let Some(pod) = pod_spec(object) else {
        return;
    };
    for container in pod.containers() {
        if settings.skip_init_containers && container.kind == ContainerKind::Init {
            continue;
        }
        let what = format!(
            "{} has no {resource} {}",
            container.describe(),
            bound.noun()
        );
        let Some(resources) = container.node.entry("resources") else {
            sink.report(object, container.anchor_span(), what)
                .label("`resources` is not set")
                .help(help);
            continue;
        };
        if resources.value.is_empty_value() {
            sink.report(object, resources.head_span(), what)
                .label("`resources` is empty")
                .help(help);
            continue;
        }
        if !resources.value.is_map() {
            // Not a mapping: the API server rejects the object; schema validation reports it.
            continue;
        }
        let limits = resources.value.get("limits");
        let own = resources.value.entry(bound.field());
        if set_value(own.map(|e| e.value), resource)
            || (bound == Bound::Request && set_value(limits, resource))
        {
            continue;
        }
        let (span, label) = missing_at(resources, own, bound.field(), resource);
        sink.report(object, span, what).label(label).help(help);
    }
}

/// The nearest existing node to point at, and what is missing there.
fn missing_at(
    resources: EntryRef<'_>,
    own: Option<EntryRef<'_>>,
    field: &str,
    resource: &str,
) -> (crate::source::Span, String) {
    match own {
        None => (
            resources.key.span(),
            format!("`resources` has no `{field}`"),
        ),
        Some(own) if own.value.is_empty_value() || !own.value.is_map() => {
            (own.head_span(), format!("`{field}` is empty"))
        }
        Some(own) => match own.value.entry(resource) {
            Some(value) => (value.head_span(), format!("`{resource}` is empty")),
            None => (own.key.span(), format!("`{field}` has no `{resource}`")),
        },
    }
}
