#![doc = include_str!("../../../rules/net-raw-not-dropped.md")]

use serde::{Deserialize, Serialize};

use super::pod_of;
use crate::diagnostic::Severity;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};

pub static META: RuleMeta = RuleMeta {
    id: "net-raw-not-dropped",
    category: Category::Security,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A container keeps the NET_RAW capability: it does not drop NET_RAW (or ALL)",
    lesson: "Practice (kube-linter `drop-net-raw-capability` by default, Polaris, Checkov CKV_K8S_28): NET_RAW is granted by default and lets a process forge packets, spoof ARP and DNS answers to its neighbours on the node; almost no application needs it.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {}

pub struct NetRawNotDropped;

pub fn new(_settings: Settings) -> NetRawNotDropped {
    NetRawNotDropped
}

const HELP: &str =
    "drop it, or every capability:\n  securityContext:\n    capabilities:\n      drop: [ALL]";

impl Rule for NetRawNotDropped {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        let Some(pod) = pod_of(object) else {
            return;
        };
        if pod.windows {
            return;
        }
        for container in pod.containers() {
            // A privileged container has every capability whatever it drops; `privileged-container` reports it.
            if container.privileged().value() == Some(true) {
                continue;
            }
            let who = container.describe();
            let drop = container.capabilities("drop");
            if drop.iter().any(|c| c.name == "NET_RAW") {
                continue;
            }
            // Runtimes apply `drop: [ALL]` first, then `add`, then the other drops.
            if let Some(cap) = container
                .capabilities("add")
                .into_iter()
                .find(|c| c.name == "NET_RAW" || c.name == "ALL")
            {
                sink.report(object, cap.node.span(), format!("{who} adds NET_RAW"))
                    .label(if cap.name == "ALL" {
                        "ALL includes NET_RAW"
                    } else {
                        "raw sockets: forged packets, ARP and DNS spoofing"
                    })
                    .help(format!("remove {} from `capabilities.add`", cap.name));
                continue;
            }
            if drop.iter().any(|c| c.name == "ALL") {
                continue;
            }
            let message = format!("{who} does not drop NET_RAW");
            let capabilities = container.capabilities_entry();
            let drop_entry = capabilities.and_then(|c| c.value.entry("drop"));
            let reported = match (capabilities, drop_entry) {
                (_, Some(entry)) => sink
                    .report(object, entry.head_span(), message)
                    .label("`drop` lists neither NET_RAW nor ALL"),
                (Some(entry), None) => sink
                    .report(object, entry.head_span(), message)
                    .label("`capabilities` has no `drop`"),
                (None, None) => sink
                    .report(object, container.missing_span(), message)
                    .label(container.missing_label("the runtime's default NET_RAW stays")),
            };
            reported.help(HELP);
        }
    }
}
