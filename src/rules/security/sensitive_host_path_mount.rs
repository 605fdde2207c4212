#![doc = include_str!("../../../rules/sensitive-host-path-mount.md")]

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::pod_of;
use crate::diagnostic::Severity;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};

pub static META: RuleMeta = RuleMeta {
    id: "sensitive-host-path-mount",
    category: Category::Security,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A hostPath volume mounts a sensitive path of the node (/, /etc, /proc, the container runtime's socket, the kubelet's state…)",
    lesson: "Seed 001 (2023-04-09) showed how one node's trouble spread to every service on it; a pod that mounts the container runtime socket or the node's root filesystem can take its node outright, and with it every pod scheduled there (practice: kube-linter `sensitive-host-mounts` and `docker-sock`, Checkov CKV_K8S_27).",
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Data {
    paths: Vec<Sensitive>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Match {
    Exact,
    Tree,
    TreeAndParents,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sensitive {
    path: String,
    #[serde(rename = "match")]
    matching: Match,
    what: String,
}

static SENSITIVE: LazyLock<Vec<Sensitive>> = LazyLock::new(|| {
    crate::rules::data::read::<Data>(
        "sensitive-host-paths",
        crate::rules::data::json!("sensitive-host-paths"),
    )
    .paths
});

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// Node paths never reported (compared after normalising), e.g. `/var/run/docker.sock` for a
    /// CI runner you accept.
    pub allowed_paths: Vec<String>,
}

pub struct SensitiveHostPathMount {
    allowed: Vec<String>,
}

pub fn new(settings: Settings) -> SensitiveHostPathMount {
    SensitiveHostPathMount {
        allowed: settings
            .allowed_paths
            .iter()
            .map(|p| normalize(p))
            .collect(),
    }
}

/// `/var//run/./docker.sock/` → `/var/run/docker.sock`.
pub(crate) fn normalize(path: &str) -> String {
    let parts: Vec<&str> = path
        .trim()
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    format!("/{}", parts.join("/"))
}

/// `below` is `above` or a path under it.
fn is_within(below: &str, above: &str) -> bool {
    above == "/"
        || below == above
        || below
            .strip_prefix(above)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// What makes `path` sensitive: the entry it is (or lies under), else the entry it contains.
fn sensitive(path: &str) -> Option<(&'static Sensitive, bool)> {
    let entries: &'static [Sensitive] = &SENSITIVE;
    entries
        .iter()
        .find(|s| match s.matching {
            Match::Exact => path == s.path,
            Match::Tree | Match::TreeAndParents => is_within(path, &s.path),
        })
        .map(|s| (s, false))
        .or_else(|| {
            entries
                .iter()
                .find(|s| s.matching == Match::TreeAndParents && is_within(&s.path, path))
                .map(|s| (s, true))
        })
}

impl Rule for SensitiveHostPathMount {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        let Some(pod) = pod_of(object) else {
            return;
        };
        for volume in pod.host_path_volumes() {
            let path = normalize(volume.path);
            if self.allowed.contains(&path) {
                continue;
            }
            let Some((entry, contains)) = sensitive(&path) else {
                continue;
            };
            let Some(name) = volume.name else {
                continue;
            };
            let mounts = pod.mounts_of(name);
            if mounts.is_empty() {
                continue;
            }
            let mut containers: Vec<String> =
                mounts.iter().map(|m| m.container.describe()).collect();
            containers.dedup();
            let what = if contains {
                format!("{path}, which contains {} ({})", entry.path, entry.what)
            } else {
                format!("{path} ({})", entry.what)
            };
            let mut reported = sink
                .report(
                    object,
                    volume.path_entry.head_span(),
                    format!(
                        "hostPath volume \"{name}\" mounts {what} into {}",
                        containers.join(", ")
                    ),
                )
                .label("a compromised container here can take over the node")
                .help("mount only the file or directory the container needs (read-only), or get the data another way (a Secret, a projected token, the Kubernetes API); a node agent that truly needs it belongs on a dedicated node pool, with this finding suppressed and the reason given");
            for mount in &mounts {
                let read_only = mount.read_only().value() == Some(true);
                reported = reported.secondary(
                    object.doc.file,
                    mount.anchor_span(),
                    format!(
                        "mounted {}in {}{}",
                        if read_only { "read-only " } else { "" },
                        mount.container.describe(),
                        mount
                            .mount_path()
                            .map(|p| format!(" at {p}"))
                            .unwrap_or_default()
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_parses_and_paths_are_normal() {
        assert!(!SENSITIVE.is_empty());
        for s in SENSITIVE.iter() {
            assert_eq!(normalize(&s.path), s.path);
        }
    }

    #[test]
    fn matching() {
        let what = |p: &str| sensitive(&normalize(p)).map(|(s, parent)| (s.path.as_str(), parent));
        assert_eq!(what("/"), Some(("/", false)));
        assert_eq!(what("/etc/"), Some(("/etc", false)));
        assert_eq!(what("/etc/ssl/certs"), None);
        assert_eq!(
            what("/var/run/docker.sock"),
            Some(("/var/run/docker.sock", false))
        );
        assert_eq!(what("/var/run"), Some(("/var/run/docker.sock", true)));
        assert_eq!(
            what("/run/containerd"),
            Some(("/run/containerd/containerd.sock", true))
        );
        assert_eq!(what("/var"), Some(("/var", false)));
        assert_eq!(
            what("/var/lib/kubelet/pods/x"),
            Some(("/var/lib/kubelet/pods", false))
        );
        assert_eq!(what("/var/lib/kubelet/plugins"), None);
        assert_eq!(what("/var/log"), None);
        assert_eq!(
            what("/etc/kubernetes/pki"),
            Some(("/etc/kubernetes", false))
        );
        assert_eq!(what("/etcd"), None);
    }
}
