#![doc = include_str!("../../../rules/host-port-set.md")]

use serde::{Deserialize, Serialize};

use super::pod_of;
use crate::diagnostic::Severity;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::view::security::int_value;

pub static META: RuleMeta = RuleMeta {
    id: "host-port-set",
    category: Category::Security,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A container binds a port of the node (`hostPort`)",
    lesson: "Practice (Polaris `hostPortSet` by default, Checkov CKV_K8S_26): a host port is reachable on the node's address, outside Services and NetworkPolicies, and only one such pod fits on each node.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {}

pub struct HostPortSet;

pub fn new(_settings: Settings) -> HostPortSet {
    HostPortSet
}

impl Rule for HostPortSet {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        let Some(pod) = pod_of(object) else {
            return;
        };
        // With the host network every container port is a port of the node;
        // `host-network-enabled` reports the pod once.
        if pod.enabled("hostNetwork").is_some() {
            return;
        }
        for container in pod.containers() {
            let ports = container.container.node.get("ports");
            for port in ports.into_iter().flat_map(|p| p.items()) {
                let Some(entry) = port.entry("hostPort") else {
                    continue;
                };
                let Some(number) = int_value(entry.value).filter(|n| *n != 0) else {
                    continue;
                };
                sink.report(
                    object,
                    entry.head_span(),
                    format!(
                        "{} binds port {number} of the node",
                        container.describe()
                    ),
                )
                .label("reachable on the node's address, past Services and NetworkPolicies; one such pod per node")
                .help("remove `hostPort` and reach the container through a Service (type NodePort or LoadBalancer if it must be reached from outside)");
            }
        }
    }
}
