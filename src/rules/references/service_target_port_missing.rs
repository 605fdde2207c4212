#![doc = include_str!("../../../rules/service-target-port-missing.md")]

use serde::{Deserialize, Serialize};

use super::service_selects_no_pods::service_selector;
use super::{MAX_NEAR_MISSES, PodGroup, Pods, int_value};
use crate::diagnostic::Severity;
use crate::index::Index;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::source::Span;
use crate::view::pod_spec;
use crate::yaml::NodeRef;

pub static META: RuleMeta = RuleMeta {
    id: "service-target-port-missing",
    category: Category::Correctness,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A Service sends traffic to a target port that no container of the pods it selects declares",
    lesson: "Seed 000 (2021-01-30): the load balancer reported every backend down while the pods ran; a Service port that leads to no container port fails the same way, with healthy pods and no traffic.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// Also report a numeric target port when the selected containers declare no ports at all
    /// (a process may listen on a port it does not declare, so this is off by default).
    pub require_declared_ports: bool,
}

pub struct ServiceTargetPortMissing {
    settings: Settings,
}

pub fn new(settings: Settings) -> ServiceTargetPortMissing {
    ServiceTargetPortMissing { settings }
}

/// A port a container declares.
#[derive(Clone)]
struct Declared<'a> {
    name: Option<&'a str>,
    number: Option<u32>,
}

/// The ports the containers of a workload declare (init containers too: a sidecar declared as a
/// restartable init container serves traffic), and where they are written.
#[derive(Clone)]
struct WorkloadPorts<'s, 'a> {
    group: &'s PodGroup<'a>,
    ports: Vec<Declared<'a>>,
    /// The first `ports:` entry, or the first container's anchor when none declares ports.
    span: Option<Span>,
}

fn workload_ports<'s, 'a>(group: &'s PodGroup<'a>) -> WorkloadPorts<'s, 'a> {
    let mut ports = Vec::new();
    let mut span = None;
    let mut first_container = None;
    if let Some(pod) = pod_spec(group.workload) {
        for container in pod.containers() {
            first_container.get_or_insert_with(|| container.anchor_span());
            let Some(entry) = container.node.entry("ports") else {
                continue;
            };
            let before = ports.len();
            ports.extend(entry.value.items().map(|p| Declared {
                name: p.get_str("name"),
                number: p.get("containerPort").and_then(int_value),
            }));
            if ports.len() > before {
                span.get_or_insert_with(|| entry.key.span());
            }
        }
    }
    WorkloadPorts {
        group,
        ports,
        span: span.or(first_container),
    }
}

impl WorkloadPorts<'_, '_> {
    /// `80 (http), 9090`, or `no ports`.
    fn describe(&self) -> String {
        if self.ports.is_empty() {
            return "no container ports".to_string();
        }
        let list: Vec<String> = self
            .ports
            .iter()
            .map(|p| match (p.number, p.name) {
                (Some(n), Some(name)) => format!("{n} ({name})"),
                (Some(n), None) => n.to_string(),
                (None, Some(name)) => format!("? ({name})"),
                (None, None) => "?".to_string(),
            })
            .collect();
        format!("container ports {}", list.join(", "))
    }
}

/// A Service port's target as Kubernetes reads it.
#[derive(Clone, Copy)]
enum Target<'a> {
    Number(u32),
    Name(&'a str),
}

fn target(node: NodeRef<'_>) -> Option<Target<'_>> {
    let text = node.as_str()?.trim();
    match text.parse::<u32>() {
        Ok(number) => Some(Target::Number(number)),
        Err(_) if !text.is_empty() => Some(Target::Name(text)),
        Err(_) => None,
    }
}

impl Rule for ServiceTargetPortMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, index: &Index<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        let pods = Pods::new(index);
        // A workload many Services select has its ports read once.
        let mut ports_of: std::collections::HashMap<usize, WorkloadPorts<'_, '_>> =
            std::collections::HashMap::new();
        for service in index.of_kind("Service") {
            let Some(selector) = service_selector(service) else {
                continue;
            };
            let namespace = index.namespace_of(service);
            let mut selected: Vec<WorkloadPorts<'_, '_>> = pods
                .selected(namespace, &selector)
                .map(|group| {
                    ports_of
                        .entry(std::ptr::from_ref(group) as usize)
                        .or_insert_with(|| workload_ports(group))
                        .clone()
                })
                .collect();
            // No selected pods is `service-selects-no-pods`'s finding.
            if selected.is_empty() {
                continue;
            }
            selected.sort_by_key(|w| w.group.workload.doc.file != service.doc.file);
            let Some(ports) = service.spec().and_then(|s| s.get("ports")) else {
                continue;
            };
            for port in ports.items() {
                let (entry, field) = match port.entry("targetPort") {
                    Some(entry) if !entry.value.is_null() => (entry, "targetPort"),
                    _ => match port.entry("port") {
                        Some(entry) => (entry, "port"),
                        None => continue,
                    },
                };
                let Some(wanted) = target(entry.value) else {
                    continue;
                };
                let found = selected.iter().any(|w| {
                    w.ports.iter().any(|p| match wanted {
                        Target::Number(n) => p.number == Some(n),
                        Target::Name(name) => p.name == Some(name),
                    })
                });
                if found {
                    continue;
                }
                let declares_any = selected.iter().any(|w| !w.ports.is_empty());
                if let Target::Number(_) = wanted
                    && !declares_any
                    && !self.settings.require_declared_ports
                {
                    continue;
                }
                let port_name = match (port.get_str("name"), port.get("port").and_then(int_value)) {
                    (Some(name), _) => format!("port \"{name}\""),
                    (None, Some(number)) => format!("port {number}"),
                    (None, None) => "a port".to_string(),
                };
                let sends = if field == "port" {
                    "has no `targetPort`, so it sends traffic to"
                } else {
                    "sends traffic to"
                };
                let (message, label) = match wanted {
                    Target::Number(n) => (
                        format!(
                            "{} {port_name} {sends} container port {n}, which none of the selected pods declares",
                            service.display_name()
                        ),
                        format!("no selected container declares `containerPort: {n}`"),
                    ),
                    Target::Name(name) => (
                        format!(
                            "{} {port_name} {sends} the container port named \"{name}\", which none of the selected pods declares",
                            service.display_name()
                        ),
                        format!(
                            "no selected container has a port named \"{name}\": the Service gets no endpoints for this port"
                        ),
                    ),
                };
                let mut reported = sink
                    .report(service, entry.head_span(), message)
                    .label(label);
                for workload in selected.iter().take(MAX_NEAR_MISSES) {
                    if let Some(span) = workload.span {
                        reported = reported.secondary(
                            workload.group.workload.doc.file,
                            span,
                            format!(
                                "{} declares {}",
                                workload.group.workload.display_name(),
                                workload.describe()
                            ),
                        );
                    }
                }
                let example = selected.iter().flat_map(|w| w.ports.iter()).find_map(|p| {
                    p.name
                        .map(str::to_string)
                        .or_else(|| p.number.map(|n| n.to_string()))
                });
                let help = match (wanted, example) {
                    (_, Some(example)) => format!(
                        "point `targetPort` at a port the containers declare, e.g. `targetPort: {example}`, or declare the port in the container"
                    ),
                    (Target::Name(name), None) => format!(
                        "declare the port in the container, e.g.\n  ports:\n    - name: {name}\n      containerPort: 8080"
                    ),
                    (Target::Number(n), None) => format!(
                        "declare the port in the container, e.g.\n  ports:\n    - containerPort: {n}"
                    ),
                };
                reported.help(help);
            }
        }
    }
}
