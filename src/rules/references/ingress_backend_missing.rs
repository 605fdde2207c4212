#![doc = include_str!("../../../rules/ingress-backend-missing.md")]

use serde::{Deserialize, Serialize};

use super::{Completeness, int_value, name_span, similar_names};
use crate::diagnostic::Severity;
use crate::index::Index;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::yaml::{EntryRef, NodeRef};

pub static META: RuleMeta = RuleMeta {
    id: "ingress-backend-missing",
    category: Category::Correctness,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "An Ingress routes to a Service the set does not define, or to a port that Service does not expose",
    lesson: "Seed 004 (BloomRemit, 2021): when the ingress layer cannot route, every site behind it is down at once; a backend that names a missing Service or port is a route that fails on the first request.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// Report a missing Service even when the set defines no Service in the Ingress's namespace.
    pub assume_complete_set: bool,
}

pub struct IngressBackendMissing {
    settings: Settings,
}

pub fn new(settings: Settings) -> IngressBackendMissing {
    IngressBackendMissing { settings }
}

#[derive(Clone, Copy)]
enum Port<'a> {
    Number(u32),
    Name(&'a str),
}

/// One backend of an Ingress, in either shape: `service: {name, port: {number | name}}`
/// (networking.k8s.io/v1) or `serviceName` / `servicePort` (v1beta1, extensions).
struct Backend<'a> {
    /// `name: web` or `serviceName: web`.
    service: EntryRef<'a>,
    name: &'a str,
    /// `number: 80`, `name: http` or `servicePort: 80`, and what it says.
    port: Option<(EntryRef<'a>, Port<'a>)>,
}

fn port_of(entry: EntryRef<'_>) -> Option<(EntryRef<'_>, Port<'_>)> {
    let text = entry.value.as_str()?.trim();
    let port = match text.parse::<u32>() {
        Ok(n) => Port::Number(n),
        Err(_) if !text.is_empty() => Port::Name(text),
        Err(_) => return None,
    };
    Some((entry, port))
}

fn backend(node: NodeRef<'_>) -> Option<Backend<'_>> {
    if let Some(service) = node.get("service").filter(|s| s.is_map()) {
        let entry = service.entry("name")?;
        let port = service.get("port").and_then(|p| {
            p.entry("number")
                .filter(|e| !e.value.is_null())
                .or_else(|| p.entry("name"))
                .and_then(port_of)
        });
        return Some(Backend {
            service: entry,
            name: entry.value.as_str()?,
            port,
        });
    }
    let entry = node.entry("serviceName")?;
    Some(Backend {
        service: entry,
        name: entry.value.as_str()?,
        port: node.entry("servicePort").and_then(port_of),
    })
}

/// Every backend of an Ingress: the default one, then each path's.
fn backends<'a>(ingress: &Object<'a>) -> Vec<Backend<'a>> {
    let Some(spec) = ingress.spec() else {
        return Vec::new();
    };
    let mut nodes: Vec<NodeRef<'a>> = Vec::new();
    nodes.extend(spec.get("defaultBackend"));
    nodes.extend(spec.get("backend"));
    for rule in spec.get("rules").into_iter().flat_map(|r| r.items()) {
        let paths = rule.get("http").and_then(|h| h.get("paths"));
        for path in paths.into_iter().flat_map(|p| p.items()) {
            nodes.extend(path.get("backend"));
        }
    }
    nodes.into_iter().filter_map(backend).collect()
}

/// AWS Load Balancer Controller actions: `servicePort: use-annotation` names an action in the
/// annotation `alb.ingress.kubernetes.io/actions.<serviceName>`, not a Service.
fn is_annotation_action(ingress: &Object<'_>, backend: &Backend<'_>) -> bool {
    if matches!(backend.port, Some((_, Port::Name("use-annotation")))) {
        return true;
    }
    let key = format!("alb.ingress.kubernetes.io/actions.{}", backend.name);
    ingress
        .metadata()
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.get(&key))
        .is_some()
}

/// `80 (http), 443 (https)` for a Service's ports.
fn describe_ports(ports: NodeRef<'_>) -> String {
    let list: Vec<String> = ports
        .items()
        .map(|p| {
            let number = p.get("port").and_then(int_value);
            match (number, p.get_str("name")) {
                (Some(n), Some(name)) => format!("{n} ({name})"),
                (Some(n), None) => n.to_string(),
                (None, Some(name)) => format!("? ({name})"),
                (None, None) => "?".to_string(),
            }
        })
        .collect();
    if list.is_empty() {
        "no ports".to_string()
    } else {
        list.join(", ")
    }
}

impl Rule for IngressBackendMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, index: &Index<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        let completeness = Completeness {
            assume_complete: self.settings.assume_complete_set,
        };
        for ingress in index.of_kind("Ingress") {
            if !matches!(ingress.group, "networking.k8s.io" | "extensions") {
                continue;
            }
            let namespace = index.namespace_of(ingress);
            for backend in backends(ingress) {
                if is_annotation_action(ingress, &backend) {
                    continue;
                }
                let mut services: Vec<&Object<'_>> = index
                    .lookup("Service", namespace, backend.name)
                    .filter(|s| s.group.is_empty())
                    .collect();
                services.sort_by_key(|s| s.doc.file != ingress.doc.file);
                if services.is_empty() {
                    if !completeness.covers(index, "Service", namespace, |s| s.group.is_empty()) {
                        continue;
                    }
                    // A Service an operator creates for a custom resource (ECK's `<name>-es-http`).
                    if super::operator_owning_service(index, namespace, backend.name).is_some() {
                        continue;
                    }
                    let mut reported = sink
                        .report(
                            ingress,
                            backend.service.head_span(),
                            format!(
                                "{} routes to Service \"{}\", which the set does not define in namespace \"{namespace}\"",
                                ingress.display_name(),
                                backend.name
                            ),
                        )
                        .label("no such Service: requests on this path get 503");
                    let near = similar_names(
                        index,
                        "Service",
                        Some(namespace),
                        backend.name,
                        ingress.doc.file,
                    );
                    for service in &near {
                        reported = reported.secondary(
                            service.doc.file,
                            name_span(service),
                            format!("{} has a similar name", service.display_name()),
                        );
                    }
                    let help = match near.first().and_then(|s| s.name) {
                        Some(name) => format!(
                            "name the Service the set defines, e.g. `{}: {name}`, or add the Service",
                            backend.service.key.scalar().unwrap_or("name")
                        ),
                        None => format!(
                            "add a Service named \"{}\" in namespace \"{namespace}\", or fix the name",
                            backend.name
                        ),
                    };
                    reported.help(help);
                    continue;
                }
                let Some((port_entry, port)) = backend.port else {
                    continue;
                };
                // A Service without a port list (ExternalName) cannot be checked.
                let with_ports: Vec<(&Object<'_>, NodeRef<'_>)> = services
                    .iter()
                    .filter_map(|s| Some((*s, s.spec()?.get("ports")?)))
                    .filter(|(_, p)| p.is_seq())
                    .collect();
                let Some(&(service, ports)) = with_ports.first() else {
                    continue;
                };
                let exposed = with_ports.iter().any(|(_, ports)| {
                    ports.items().any(|p| match port {
                        Port::Number(n) => p.get("port").and_then(int_value) == Some(n),
                        Port::Name(name) => p.get_str("name") == Some(name),
                    })
                });
                if exposed {
                    continue;
                }
                let (what, example) = match port {
                    Port::Number(n) => (
                        format!("port {n}"),
                        ports
                            .items()
                            .find_map(|p| p.get("port").and_then(int_value))
                            .map(|n| {
                                format!("{}: {n}", port_entry.key.scalar().unwrap_or("number"))
                            }),
                    ),
                    Port::Name(name) => (
                        format!("the port named \"{name}\""),
                        ports
                            .items()
                            .find_map(|p| p.get_str("name"))
                            .map(|n| format!("{}: {n}", port_entry.key.scalar().unwrap_or("name"))),
                    ),
                };
                let ports_span = service
                    .spec()
                    .and_then(|s| s.entry("ports"))
                    .map_or_else(|| name_span(service), |e| e.key.span());
                let reported = sink
                    .report(
                        ingress,
                        port_entry.head_span(),
                        format!(
                            "{} routes to {what} of {}, which the Service does not expose",
                            ingress.display_name(),
                            service.display_name()
                        ),
                    )
                    .label("no such Service port")
                    .secondary(
                        service.doc.file,
                        ports_span,
                        format!(
                            "{} exposes {}",
                            service.display_name(),
                            describe_ports(ports)
                        ),
                    );
                match example {
                    Some(example) => reported.help(format!(
                        "use a port the Service exposes, e.g. `{example}`, or add the port to the Service"
                    )),
                    None => reported.help("add the port to the Service's `spec.ports`"),
                };
            }
        }
    }
}
