#![doc = include_str!("../../../rules/critical-daemonset-missing-priority-class.md")]

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Severity;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::view::{ContainerKind, pod_spec};

pub static META: RuleMeta = RuleMeta {
    id: "critical-daemonset-missing-priority-class",
    category: Category::Reliability,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A node-critical component (CNI, kube-proxy, CSI node plugin, log or metrics agent, cluster DNS) runs without a critical priority class",
    lesson: "Seed 001 (2023-04-09): after node reboots the Multus/Calico CNI pods did not come back, so no pod on those nodes got an IP address and the failure spread to every node; components every other pod depends on must outrank them for scheduling and must not be evicted under node pressure.",
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Data {
    components: Vec<Component>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Level {
    /// `system-node-critical`.
    Node,
    /// `system-cluster-critical` or `system-node-critical`.
    Cluster,
    /// Any priority class.
    Any,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Component {
    /// Names the entry in the data file (checked unique by a test).
    #[allow(dead_code)]
    id: String,
    what: String,
    reason: String,
    level: Level,
    kinds: Vec<String>,
    #[serde(default)]
    images: Vec<String>,
    #[serde(default)]
    names: Vec<String>,
}

static COMPONENTS: LazyLock<Vec<Component>> = LazyLock::new(|| {
    crate::rules::data::read::<Data>(
        "critical-workloads",
        crate::rules::data::json!("critical-workloads"),
    )
    .components
});

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// Priority class names that are enough for every component (your own classes, when their
    /// value is high enough to preempt ordinary pods).
    pub also_accept: Vec<String>,
}

pub struct CriticalDaemonsetMissingPriorityClass {
    settings: Settings,
}

pub fn new(settings: Settings) -> CriticalDaemonsetMissingPriorityClass {
    CriticalDaemonsetMissingPriorityClass { settings }
}

/// `*` matches any run of characters (slashes included); everything else matches itself.
fn glob(pattern: &str, text: &str) -> bool {
    crate::rules::star_match(pattern, text)
}

/// The repository of an image reference: registry and path, without tag or digest.
fn repository(image: &str) -> &str {
    let image = image.split('@').next().unwrap_or(image);
    match image.rfind(':') {
        Some(colon) if !image[colon..].contains('/') => &image[..colon],
        _ => image,
    }
}

/// A pattern matches the whole repository or its trailing path segments.
fn image_matches(pattern: &str, repo: &str) -> bool {
    glob(pattern, repo) || glob(&format!("*/{pattern}"), repo)
}

fn identify<'c>(object: &Object<'_>) -> Option<&'c Component> {
    let pod = pod_spec(object)?;
    let repos: Vec<&str> = pod
        .all_containers()
        .filter(|c| c.kind == ContainerKind::Container)
        .filter_map(|c| c.node.get_str("image"))
        .map(|image| repository(image.trim()))
        .collect();
    COMPONENTS.iter().find(|component| {
        component.kinds.iter().any(|k| k == object.kind)
            && (component
                .images
                .iter()
                .any(|p| repos.iter().any(|repo| image_matches(p, repo)))
                || object
                    .name
                    .is_some_and(|name| component.names.iter().any(|p| glob(p, name))))
    })
}

impl Rule for CriticalDaemonsetMissingPriorityClass {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        if !matches!(object.group, "apps" | "extensions") {
            return;
        }
        let Some(component) = identify(object) else {
            return;
        };
        let Some(pod) = pod_spec(object) else {
            return;
        };
        let class_entry = pod.node.entry("priorityClassName");
        let class = class_entry
            .and_then(|e| e.value.as_str())
            .map(str::trim)
            .filter(|c| !c.is_empty());
        let accepted = |class: &str| {
            self.settings.also_accept.iter().any(|a| a == class)
                || match component.level {
                    Level::Node => class == "system-node-critical",
                    Level::Cluster => {
                        class == "system-cluster-critical" || class == "system-node-critical"
                    }
                    Level::Any => true,
                }
        };
        if class.is_some_and(accepted) {
            return;
        }
        let wanted = match component.level {
            Level::Node | Level::Any => "system-node-critical",
            Level::Cluster => "system-cluster-critical",
        };
        let name = object.display_name();
        let help = match component.level {
            Level::Any => format!(
                "{}.\nGive it a priority class above ordinary workloads, e.g.\n  priorityClassName: {wanted}\n(or a class of your own with a high value)",
                component.reason
            ),
            _ => format!(
                "{}.\nSet in the pod spec:\n  priorityClassName: {wanted}",
                component.reason
            ),
        };
        match (class_entry, class) {
            (Some(entry), Some(class)) => {
                sink.report(
                    object,
                    entry.head_span(),
                    format!(
                        "{name} runs {} with priority class `{class}`, not `{wanted}`",
                        component.what
                    ),
                )
                .label(if class.starts_with("system-") {
                    format!("`{class}` ranks below `{wanted}`, so those pods can preempt it")
                } else {
                    format!(
                        "`{class}` is a user-defined class: below the system classes, and evicted under node pressure"
                    )
                })
                .help(help);
            }
            (Some(entry), None) => {
                sink.report(
                    object,
                    entry.head_span(),
                    format!("{name} runs {} without a priority class", component.what),
                )
                .label("`priorityClassName` is empty")
                .help(help);
            }
            (None, _) => {
                let span = pod
                    .entry
                    .map_or_else(|| object.anchor_span(), |e| e.head_span());
                sink.report(
                    object,
                    span,
                    format!("{name} runs {} without a priority class", component.what),
                )
                .label("no `priorityClassName`: its pods rank with every other pod")
                .help(help);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_parses_with_unique_ids() {
        assert!(COMPONENTS.len() >= 15);
        let mut ids: Vec<&str> = COMPONENTS.iter().map(|c| c.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), COMPONENTS.len());
        for c in COMPONENTS.iter() {
            assert!(!c.images.is_empty() || !c.names.is_empty(), "{}", c.id);
            assert!(!c.reason.is_empty() && !c.what.is_empty() && !c.kinds.is_empty());
        }
    }

    #[test]
    fn globs() {
        assert!(glob("calico-node", "calico-node"));
        assert!(!glob("calico-node", "calico-node-x"));
        assert!(glob("*-calico-node", "rel-calico-node"));
        assert!(glob("kube-flannel*", "kube-flannel-ds-amd64"));
        assert!(glob("*csi*node*", "ebs-csi-node"));
        assert!(!glob("*csi*node*", "ebs-csi-controller"));
        assert!(glob("*", ""));
        assert!(glob("a*a", "aa"));
        assert!(!glob("a*a", "a"));
    }

    #[test]
    fn images() {
        assert_eq!(
            repository("docker.io/calico/node:v3.25.0"),
            "docker.io/calico/node"
        );
        assert_eq!(
            repository("localhost:5000/calico/node"),
            "localhost:5000/calico/node"
        );
        assert_eq!(
            repository("quay.io/cilium/cilium:v1.14@sha256:abc"),
            "quay.io/cilium/cilium"
        );
        assert!(image_matches("calico/node", "docker.io/calico/node"));
        assert!(image_matches("calico/node", "calico/node"));
        assert!(!image_matches(
            "calico/node",
            "docker.io/calico/node-driver-registrar"
        ));
        assert!(!image_matches(
            "kube-proxy",
            "quay.io/brancz/kube-rbac-proxy"
        ));
        assert!(image_matches("kube-proxy", "registry.k8s.io/kube-proxy"));
        assert!(image_matches(
            "*driver-registrar",
            "registry.k8s.io/sig-storage/csi-node-driver-registrar"
        ));
        assert!(image_matches("coredns", "k8s.gcr.io/coredns"));
        assert!(image_matches(
            "amazon-k8s-cni",
            "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni"
        ));
    }
}
