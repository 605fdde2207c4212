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

#[cfg(test)]
mod tests {
    use crate::rules::availability::run_rule;

    #[test]
    fn allowed_subjects_are_configurable() {
        use super::cluster_admin_binding as rule;
        let binding = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: ops\nsubjects:\n  - kind: Group\n    name: ops\nroleRef:\n  kind: ClusterRole\n  name: cluster-admin\n";
        let default = Box::new(rule::new(Default::default()));
        assert_eq!(run_rule(default, &[("a.yaml", binding)]).len(), 1);
        let allowed = Box::new(rule::new(rule::Settings {
            allowed_subjects: vec!["Group/ops".to_string()],
        }));
        assert!(run_rule(allowed, &[("a.yaml", binding)]).is_empty());
    }

    #[test]
    fn wildcard_fields_are_configurable() {
        use super::rbac_wildcard as rule;
        let role = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: r\nrules:\n  - apiGroups: [\"*\"]\n    resources: [deployments]\n    verbs: [get]\n  - nonResourceURLs: [\"*\"]\n    verbs: [get]\n";
        let default = Box::new(rule::new(Default::default()));
        assert_eq!(
            run_rule(default, &[("a.yaml", role)]),
            [
                "a.yaml:6: rule 1 of ClusterRole/r allows verbs get on resources deployments in any API group"
            ]
        );
        let urls = Box::new(rule::new(rule::Settings {
            fields: vec!["nonResourceURLs".to_string()],
        }));
        assert_eq!(
            run_rule(urls, &[("a.yaml", role)]),
            ["a.yaml:9: rule 2 of ClusterRole/r allows verbs get on any non-resource URL"]
        );
    }
}
