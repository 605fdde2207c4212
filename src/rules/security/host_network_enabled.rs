#![doc = include_str!("../../../rules/host-network-enabled.md")]

use serde::{Deserialize, Serialize};

use super::pod_of;
use crate::diagnostic::Severity;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};

pub static META: RuleMeta = RuleMeta {
    id: "host-network-enabled",
    category: Category::Security,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A pod uses the node's network namespace (`hostNetwork: true`)",
    lesson: "Practice (kube-linter, Polaris, Checkov flag it by default): a host-network pod sees every interface of the node, can bind its ports and sniff its traffic, and NetworkPolicies do not apply to it.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {}

pub struct HostNetworkEnabled;

pub fn new(_settings: Settings) -> HostNetworkEnabled {
    HostNetworkEnabled
}

impl Rule for HostNetworkEnabled {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        let Some(entry) = pod_of(object).and_then(|pod| pod.enabled("hostNetwork")) else {
            return;
        };
        sink.report(
            object,
            entry.head_span(),
            format!("{} uses the node's network namespace", object.display_name()),
        )
        .label("the pods see every interface of the node and NetworkPolicies do not apply to them")
        .help("remove `hostNetwork: true` and expose the port through a Service; only node agents (CNI, kube-proxy, node-local DNS) need the host network");
    }
}
