//! RBAC grants that give away more than a workload needs: bindings to `cluster-admin`, and
//! wildcards in the rules of Roles and ClusterRoles.

pub mod cluster_admin_binding;
pub mod rbac_wildcard;

use crate::object::Object;

pub(crate) const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// A Role, ClusterRole, RoleBinding or ClusterRoleBinding of the RBAC API group.
pub(crate) fn is_rbac(object: &Object<'_>, kinds: &[&str]) -> bool {
    object.group == RBAC_GROUP && kinds.contains(&object.kind)
}

/// Kubernetes' own RBAC objects (the bootstrap policy, as in a cluster dump): not the user's to fix.
pub(crate) fn is_bootstrap_policy(object: &Object<'_>) -> bool {
    object
        .metadata()
        .and_then(|m| m.get("labels"))
        .and_then(|l| l.get_str("kubernetes.io/bootstrapping"))
        == Some("rbac-defaults")
}
