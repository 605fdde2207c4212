//! Where an object lives: in a namespace, in the cluster as a whole, or nowhere in the cluster
//! (a tool's own configuration that happens to have `apiVersion` and `kind`).
//!
//! Rules about namespaces and object identity need both answers: a ClusterRole is never "in the
//! `default` namespace", and a `kustomization.yaml` or a Flux `HelmRelease` is not a workload
//! whose duplicates or namespace matter to the cluster the way a Deployment's do.

use crate::object::Object;

/// API groups whose objects configure a tool (kustomize, kpt, Flux, Helm controllers, kubeadm,
/// kind, the kubelet…) rather than describe what runs in the cluster.
const LOCAL_GROUPS: &[&str] = &[
    "kustomize.config.k8s.io",
    "config.kubernetes.io",
    "kpt.dev",
    "fn.kpt.dev",
    "builtin",
    "helm.toolkit.fluxcd.io",
    "kustomize.toolkit.fluxcd.io",
    "source.toolkit.fluxcd.io",
    "kubeadm.k8s.io",
    "audit.k8s.io",
    "kind.x-k8s.io",
    "k3d.io",
    "ctlptl.dev",
    "clusterctl.cluster.x-k8s.io",
    "skaffold",
];

/// Groups by suffix: `kubelet.config.k8s.io`, `kubeproxy.config.k8s.io`,
/// `kubescheduler.config.k8s.io`, `apiserver.config.k8s.io`…
const LOCAL_GROUP_SUFFIXES: &[&str] = &[".config.k8s.io"];

/// The annotation kpt and kustomize use for objects that configure the tool and are never applied.
const LOCAL_CONFIG_ANNOTATION: &str = "config.kubernetes.io/local-config";

/// An object that is not applied to the cluster as it is: a Kustomization or Component, a kpt
/// ResourceList or function config, a Flux Kustomization or HelmRelease (the controller renders
/// and applies what they point at), a kubeadm, kind or kubelet configuration, a kubeconfig
/// (`v1` `Config`), or any object annotated `config.kubernetes.io/local-config: "true"`.
pub fn is_local_config(object: &Object<'_>) -> bool {
    if LOCAL_GROUPS.contains(&object.group)
        || LOCAL_GROUP_SUFFIXES
            .iter()
            .any(|suffix| object.group.ends_with(suffix))
    {
        return true;
    }
    if object.group.is_empty() && object.kind == "Config" {
        return true;
    }
    object
        .metadata()
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.get_str(LOCAL_CONFIG_ANNOTATION))
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// Kinds of the built-in API and common add-ons that are cluster-scoped.
const CLUSTER_SCOPED: &[&str] = &[
    "APIService",
    "CertificateSigningRequest",
    "ComponentStatus",
    "CSIDriver",
    "CSINode",
    "CustomResourceDefinition",
    "DeviceClass",
    "FlowSchema",
    "GatewayClass",
    "IngressClass",
    "IPAddress",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PodSecurityPolicy",
    "PriorityClass",
    "PriorityLevelConfiguration",
    "RuntimeClass",
    "SecurityContextConstraints",
    "ServiceCIDR",
    "StorageClass",
    "StorageVersionMigration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
    "VolumeSnapshotClass",
];

/// Whether objects of this kind are cluster-scoped: the built-in ones above, and kinds named
/// `Cluster<Something>` (ClusterRole, ClusterRoleBinding, cert-manager's ClusterIssuer, Kyverno's
/// ClusterPolicy, Tekton's ClusterTask…), except OLM's namespaced ClusterServiceVersion. Cluster
/// API's `Cluster` is namespaced and does not match.
pub fn is_cluster_scoped(object: &Object<'_>) -> bool {
    let kind = object.kind;
    if CLUSTER_SCOPED.contains(&kind) {
        return true;
    }
    kind.strip_prefix("Cluster")
        .and_then(|rest| rest.chars().next())
        .is_some_and(|c| c.is_ascii_uppercase())
        && kind != "ClusterServiceVersion"
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::object::objects_of;
    use crate::source::{FileId, Origin, SourceFile};
    use crate::yaml::parse_file;

    fn check(text: &str) -> (bool, bool) {
        let source = Arc::new(SourceFile::new(Origin::Stdin, text.to_string()));
        let parsed = parse_file(FileId(0), &source);
        let objects = objects_of(&parsed.documents[0]);
        (is_local_config(&objects[0]), is_cluster_scoped(&objects[0]))
    }

    #[test]
    fn local_config() {
        assert_eq!(
            check("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"),
            (true, false)
        );
        assert!(check("apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n").0);
        assert!(check("apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\n").0);
        assert!(check("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n").0);
        assert!(check("apiVersion: v1\nkind: Config\n").0);
        assert!(
            check(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  annotations:\n    config.kubernetes.io/local-config: \"true\"\n"
            )
            .0
        );
        assert!(!check("apiVersion: v1\nkind: ConfigMap\n").0);
        assert!(!check("apiVersion: apps/v1\nkind: Deployment\n").0);
    }

    #[test]
    fn cluster_scoped() {
        assert!(check("apiVersion: v1\nkind: Namespace\n").1);
        assert!(check("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n").1);
        assert!(check("apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\n").1);
        assert!(!check("apiVersion: cluster.x-k8s.io/v1beta1\nkind: Cluster\n").1);
        assert!(
            !check("apiVersion: operators.coreos.com/v1alpha1\nkind: ClusterServiceVersion\n").1
        );
        assert!(!check("apiVersion: v1\nkind: Service\n").1);
    }
}
