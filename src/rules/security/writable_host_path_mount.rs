#![doc = include_str!("../../../rules/writable-host-path-mount.md")]

use serde::{Deserialize, Serialize};

use super::pod_of;
use super::sensitive_host_path_mount::normalize;
use crate::diagnostic::Severity;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::view::security::Setting;

pub static META: RuleMeta = RuleMeta {
    id: "writable-host-path-mount",
    category: Category::Security,
    default_severity: Severity::Warning,
    default_enabled: false,
    summary: "A container mounts a hostPath volume without `readOnly: true`",
    lesson: "Practice (kube-linter `writable-host-mount`, Polaris `hostPathSet`): what a container writes to the node outlives the pod and is read by the node's own services and by the next pods scheduled there.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// Node paths that may be mounted writable (compared after normalising), e.g. a log agent's
    /// position database directory.
    pub allowed_paths: Vec<String>,
}

pub struct WritableHostPathMount {
    allowed: Vec<String>,
}

pub fn new(settings: Settings) -> WritableHostPathMount {
    WritableHostPathMount {
        allowed: settings
            .allowed_paths
            .iter()
            .map(|p| normalize(p))
            .collect(),
    }
}

impl Rule for WritableHostPathMount {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        let Some(pod) = pod_of(object) else {
            return;
        };
        for volume in pod.host_path_volumes() {
            let Some(name) = volume.name else {
                continue;
            };
            if self.allowed.contains(&normalize(volume.path)) {
                continue;
            }
            for mount in pod.mounts_of(name) {
                let message = format!(
                    "{} mounts hostPath volume \"{name}\" ({}) writable",
                    mount.container.describe(),
                    volume.path
                );
                let reported = match mount.read_only() {
                    Setting::Set(found) if found.value => continue,
                    Setting::Invalid(_) => continue,
                    Setting::Set(found) => sink
                        .report(object, found.entry.head_span(), message)
                        .label("`readOnly: false`"),
                    Setting::Unset => sink
                        .report(object, mount.anchor_span(), message)
                        .label("no `readOnly: true` on this mount"),
                };
                reported
                    .secondary(
                        object.doc.file,
                        volume.path_entry.head_span(),
                        "a path of the node",
                    )
                    .help("add `readOnly: true` to the mount if the container only reads the path");
            }
        }
    }
}
