//! Security context rules: what a pod and its containers may do on their node.
//!
//! Every rule reads the combined settings of `view::security` (container over pod), checks
//! containers, init containers and ephemeral containers alike, and skips objects a controller
//! owns (the Pods of a ReplicaSet in a cluster dump: their owner is what to fix). Linux-only
//! settings are not checked on Windows pods.
//!
//! A setting that is wrong is pointed at where it is written. When it is written in the pod's
//! `securityContext`, the finding stays on the container it applies to (its `securityContext:`
//! key, else its `name:`) and a second label points at the pod-level value.

pub mod container_runs_as_root;
pub mod dangerous_capability_added;
pub mod host_ipc_enabled;
pub mod host_network_enabled;
pub mod host_pid_enabled;
pub mod host_port_set;
pub mod net_raw_not_dropped;
pub mod privilege_escalation_allowed;
pub mod privileged_container;
pub mod proc_mount_unmasked;
pub mod seccomp_profile_unset;
pub mod sensitive_host_path_mount;
pub mod writable_host_path_mount;
pub mod writable_root_filesystem;

use crate::object::Object;
use crate::rules::availability::owned_by_controller;
use crate::rules::{Reported, Sink};
use crate::view::security::{ContainerSecurity, Found, Level, PodSecurity};
use crate::yaml::EntryRef;

/// The pod of a workload the security rules look at: any object with a pod spec, unless a
/// controller owns it or it is tool configuration (`config.kubernetes.io/local-config`).
pub(crate) fn pod_of<'a>(object: &Object<'a>) -> Option<PodSecurity<'a>> {
    if owned_by_controller(object) || crate::view::scope::is_local_config(object) {
        return None;
    }
    PodSecurity::of(object)
}

/// The text of an entry as written on its line (`runAsUser: 0`), for labels.
pub(crate) fn entry_text(entry: EntryRef<'_>) -> String {
    let text = &entry.key.doc.text()[entry.head_span().range()];
    text.trim().to_string()
}

/// Reports a setting that is wrong where it is written: at the value for a container-level
/// setting (with `label`), or at the container for a pod-level one, with a second label on the
/// pod's value.
pub(crate) fn report_found<'s, T>(
    sink: &'s mut Sink<'_>,
    object: &Object<'_>,
    container: &ContainerSecurity<'_>,
    found: &Found<'_, T>,
    message: String,
    label: &str,
) -> Reported<'s> {
    match found.level {
        Level::Container => sink
            .report(object, found.entry.head_span(), message)
            .label(label),
        Level::Pod => {
            let text = entry_text(found.entry);
            sink.report(object, container.missing_span(), message)
                .label(format!(
                    "inherits `{text}` from the pod's `securityContext`"
                ))
                .secondary(
                    object.doc.file,
                    found.entry.head_span(),
                    format!("{label}; it applies to every container that does not set its own"),
                )
        }
    }
}

/// Adds a label on a container-only field written in the pod's `securityContext`, where
/// Kubernetes ignores it.
pub(crate) fn note_misplaced<'s>(
    reported: Reported<'s>,
    object: &Object<'_>,
    container: &ContainerSecurity<'_>,
    key: &str,
) -> Reported<'s> {
    match container.misplaced(key) {
        Some(entry) => reported.secondary(
            object.doc.file,
            entry.head_span(),
            format!("`{key}` is not a pod-level field: Kubernetes ignores it here"),
        ),
        None => reported,
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::availability::run_rule;

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  ownerReferences:\n    - {kind: ReplicaSet, name: rs, controller: true}\nspec:\n  containers:\n    - name: a\n      securityContext: {privileged: true}\n";

    const DS: &str = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n      securityContext: {runAsUser: 1000, runAsGroup: 0}\n      initContainers:\n        - name: init\n      containers:\n        - name: a\n          securityContext: {readOnlyRootFilesystem: true}\n          volumeMounts: [{name: sock, mountPath: /s}]\n      volumes:\n        - name: sock\n          hostPath: {path: /var/run/docker.sock/}\n";

    #[test]
    fn settings() {
        use super::*;
        let run = |rule: Box<dyn crate::rules::Rule>| run_rule(rule, &[("a.yaml", DS)]).len();
        assert_eq!(
            run(Box::new(writable_root_filesystem::new(Default::default()))),
            1
        );
        assert_eq!(
            run(Box::new(writable_root_filesystem::new(
                writable_root_filesystem::Settings {
                    skip_init_containers: true
                }
            ))),
            0
        );
        assert_eq!(
            run(Box::new(container_runs_as_root::new(Default::default()))),
            2
        );
        assert_eq!(
            run(Box::new(container_runs_as_root::new(
                container_runs_as_root::Settings {
                    allow_root_group: true
                }
            ))),
            0
        );
        assert_eq!(
            run(Box::new(sensitive_host_path_mount::new(Default::default()))),
            1
        );
        assert_eq!(
            run(Box::new(sensitive_host_path_mount::new(
                sensitive_host_path_mount::Settings {
                    allowed_paths: vec!["/var/run//docker.sock".into()]
                }
            ))),
            0
        );
        assert_eq!(
            run(Box::new(writable_host_path_mount::new(Default::default()))),
            1
        );
        assert_eq!(
            run(Box::new(writable_host_path_mount::new(
                writable_host_path_mount::Settings {
                    allowed_paths: vec!["/var/run/docker.sock".into()]
                }
            ))),
            0
        );
    }

    #[test]
    fn owned_objects_are_skipped() {
        let rule = super::privileged_container::new(Default::default());
        assert!(run_rule(Box::new(rule), &[("a.yaml", POD)]).is_empty());
    }
}
