#![doc = include_str!("../../../rules/container-overcommit-ratio.md")]

use serde::{Deserialize, Serialize};

use crate::diagnostic::Severity;
use crate::object::Object;
use crate::quantity::Quantity;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::view::{ContainerKind, pod_spec};
use crate::yaml::EntryRef;

pub static META: RuleMeta = RuleMeta {
    id: "container-overcommit-ratio",
    category: Category::Reliability,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A container's memory limit is far above its request, so the scheduler packs its node for much less than it may use",
    lesson: "Seed 000 (2021): nodes were over-scheduled until memory pressure broke the load balancer in front of them; the scheduler places pods by their requests, so requests far below real use over-pack nodes.",
};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// Largest allowed memory limit / request ratio; `null` turns the memory check off.
    pub memory_ratio: Option<f64>,
    /// Largest allowed CPU limit / request ratio; `null` (the default) turns the CPU check off.
    pub cpu_ratio: Option<f64>,
    /// Do not check init containers.
    pub skip_init_containers: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            memory_ratio: Some(2.0),
            cpu_ratio: None,
            skip_init_containers: false,
        }
    }
}

pub struct ContainerOvercommitRatio {
    settings: Settings,
}

pub fn new(settings: Settings) -> ContainerOvercommitRatio {
    ContainerOvercommitRatio { settings }
}

/// A resource value as written, and parsed; `None` when absent, empty or not a quantity.
fn value<'a>(
    map: Option<crate::yaml::NodeRef<'a>>,
    resource: &str,
) -> Option<(EntryRef<'a>, &'a str, Quantity)> {
    let entry = map?.entry(resource)?;
    let text = entry.value.as_str()?;
    let quantity = Quantity::from_manifest(text).ok()?;
    (!quantity.is_negative()).then_some((entry, text.trim(), quantity))
}

fn format_ratio(ratio: f64) -> String {
    let text = format!("{ratio:.1}");
    text.strip_suffix(".0").map_or(text.clone(), str::to_string)
}

impl Rule for ContainerOvercommitRatio {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        let Some(pod) = pod_spec(object) else {
            return;
        };
        for container in pod.containers() {
            if self.settings.skip_init_containers && container.kind == ContainerKind::Init {
                continue;
            }
            let Some(resources_entry) = container.node.entry("resources") else {
                continue;
            };
            let resources = resources_entry.value;
            // Where the container's own text says it: a `resources:` inherited through a merge
            // key (`<<: *base`) or given by an alias (`resources: *shared`) is written elsewhere,
            // shared with other containers; point at the container (or its alias) then.
            let inherited = !contains(container.node.span(), resources_entry.key.span());
            let aliased = resources.site != resources.id;
            let requests = resources.get("requests");
            let limits = resources.get("limits");
            for (resource, ratio) in [
                ("memory", self.settings.memory_ratio),
                ("cpu", self.settings.cpu_ratio),
            ] {
                let Some(ratio) = ratio.filter(|r| r.is_finite() && *r >= 1.0) else {
                    continue;
                };
                let (
                    Some((limit_entry, limit_text, limit)),
                    Some((request_entry, request_text, request)),
                ) = (value(limits, resource), value(requests, resource))
                else {
                    continue;
                };
                let factor_millis = (ratio * 1000.0).round() as u64;
                if !limit.exceeds_times(request, factor_millis) {
                    continue;
                }
                let message = match limit.ratio(request) {
                    Some(actual) => format!(
                        "{}: {resource} limit {limit_text} is {}× its request {request_text} (at most {}× allowed)",
                        container.describe(),
                        format_ratio(actual),
                        format_ratio(ratio)
                    ),
                    None => format!(
                        "{}: {resource} request is {request_text}, so nothing is reserved for a limit of {limit_text}",
                        container.describe()
                    ),
                };
                let suggested = suggest(resource, limit, factor_millis);
                let (span, label) = if inherited {
                    (
                        container.anchor_span(),
                        format!("inherits a {resource} limit of {limit_text} through a merge key"),
                    )
                } else if aliased {
                    (
                        resources_entry.head_span(),
                        format!("an alias: may use up to {limit_text}"),
                    )
                } else {
                    (
                        limit_entry.head_span(),
                        format!("may use up to {limit_text}"),
                    )
                };
                sink.report(object, span, message)
                    .label(label)
                    .secondary(
                        object.doc.file,
                        request_entry.head_span(),
                        format!("the scheduler reserves only {request_text}"),
                    )
                    .help(format!(
                        "raise the request to what the container really uses (or lower the limit), so nodes are not packed for less than their pods take; within {}× of the limit means at least\n  requests:\n    {resource}: {suggested}",
                        format_ratio(ratio)
                    ));
            }
        }
    }
}

/// The smallest request within `factor_millis` / 1000 of `limit`, rounded up to a round value:
/// whole mebibytes (gibibytes when exact) for memory, millicores for CPU.
fn suggest(resource: &str, limit: Quantity, factor_millis: u64) -> String {
    let factor = i128::from(factor_millis.max(1));
    if resource == "memory" {
        const MI: i128 = 1 << 20;
        let bytes = div_ceil(limit.as_bytes().saturating_mul(1000), factor);
        let mebibytes = div_ceil(bytes, MI);
        if mebibytes % 1024 == 0 {
            format!("{}Gi", mebibytes / 1024)
        } else {
            format!("{mebibytes}Mi")
        }
    } else {
        Quantity::from_millis(div_ceil(limit.as_millis().saturating_mul(1000), factor))
            .display_cpu()
    }
}

fn contains(outer: crate::source::Span, inner: crate::source::Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

fn div_ceil(value: i128, by: i128) -> i128 {
    if by == 0 {
        return value;
    }
    let q = value / by;
    if value % by != 0 && value > 0 {
        q + 1
    } else {
        q
    }
}
