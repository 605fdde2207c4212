#![doc = include_str!("../../../rules/role-binding-role-missing.md")]

use serde::{Deserialize, Serialize};

use super::{MAX_NEAR_MISSES, is_builtin_cluster_role, is_builtin_role, name_span, similar_names};
use crate::diagnostic::Severity;
use crate::index::Index;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};

pub static META: RuleMeta = RuleMeta {
    id: "role-binding-role-missing",
    category: Category::Correctness,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A RoleBinding or ClusterRoleBinding refers to a Role or ClusterRole that the set does not define",
    lesson: "Seed 003 (LKE Canada, 2024): controllers that lose their API access fail their leader elections and stop working; a binding to a role that does not exist grants nothing, and the controller discovers it with its first forbidden request.",
};

const RBAC: &str = "rbac.authorization.k8s.io";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// Report even when the set defines no role of the referenced kind (in the binding's
    /// namespace, for a Role).
    pub assume_complete_set: bool,
}

pub struct RoleBindingRoleMissing {
    settings: Settings,
}

pub fn new(settings: Settings) -> RoleBindingRoleMissing {
    RoleBindingRoleMissing { settings }
}

fn is_rbac(object: &Object<'_>) -> bool {
    object.group == RBAC
}

impl Rule for RoleBindingRoleMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, index: &Index<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        for binding_kind in ["RoleBinding", "ClusterRoleBinding"] {
            for binding in index.of_kind(binding_kind).filter(|b| is_rbac(b)) {
                self.check(index, binding, sink);
            }
        }
    }
}

impl RoleBindingRoleMissing {
    fn check<'a>(&self, index: &Index<'a>, binding: &'a Object<'a>, sink: &mut Sink<'_>) {
        let Some(role_ref) = binding.root.get("roleRef") else {
            return;
        };
        let (Some(kind_entry), Some(name_entry)) = (role_ref.entry("kind"), role_ref.entry("name"))
        else {
            return;
        };
        let (Some(kind), Some(name)) = (kind_entry.value.as_str(), name_entry.value.as_str())
        else {
            return;
        };
        let namespace = index.namespace_of(binding);
        let cluster_binding = binding.kind == "ClusterRoleBinding";
        let found = match kind {
            "ClusterRole" => {
                if is_builtin_cluster_role(name) {
                    return;
                }
                index
                    .of_kind("ClusterRole")
                    .any(|r| is_rbac(r) && r.name == Some(name))
            }
            "Role" if cluster_binding => {
                sink.report(
                    binding,
                    kind_entry.head_span(),
                    format!(
                        "{} refers to Role \"{name}\", but a ClusterRoleBinding can only refer to a ClusterRole",
                        binding.display_name()
                    ),
                )
                .label("the API server rejects this binding")
                .help("use `kind: ClusterRole`, or bind the Role with a RoleBinding in its namespace");
                return;
            }
            "Role" if is_builtin_role(namespace, name) => return,
            "Role" => index.lookup("Role", namespace, name).any(is_rbac),
            _ => return,
        };
        if found {
            return;
        }
        let covered = self.settings.assume_complete_set
            || index.of_kind(kind).any(|r| {
                is_rbac(r) && (kind == "ClusterRole" || index.namespace_of(r) == namespace)
            });
        if !covered {
            return;
        }
        let where_ = if kind == "Role" {
            format!(" in namespace \"{namespace}\"")
        } else {
            String::new()
        };
        let mut reported = sink
            .report(
                binding,
                name_entry.head_span(),
                format!(
                    "{} refers to {kind} \"{name}\", which the set does not define{where_}",
                    binding.display_name()
                ),
            )
            .label("the binding grants nothing");
        // The other kind under the same name (the usual mix-up), then similar names.
        // (A ClusterRoleBinding cannot use a Role, so a Role is no alternative for it.)
        let other = if kind == "Role" {
            "ClusterRole"
        } else {
            "Role"
        };
        let other_fits = other == "ClusterRole" || !cluster_binding;
        let mut near: Vec<(&Object<'_>, String)> = index
            .of_kind(other)
            .filter(|r| other_fits && is_rbac(r) && r.name == Some(name))
            .filter(|r| other == "ClusterRole" || index.namespace_of(r) == namespace)
            .map(|r| {
                (
                    r,
                    format!(
                        "{} has this name: is `kind: {kind}` wrong?",
                        r.display_name()
                    ),
                )
            })
            .collect();
        let scope = (kind == "Role").then_some(namespace);
        near.extend(
            similar_names(index, kind, scope, name, binding.doc.file)
                .into_iter()
                .map(|r| (r, format!("{} has a similar name", r.display_name()))),
        );
        let help = match near.first() {
            Some((r, _)) if r.name == Some(name) => {
                format!("set `kind: {}` in `roleRef`", r.kind)
            }
            Some((r, _)) => format!(
                "refer to the {kind} the set defines, e.g. `name: {}`, or add the {kind}",
                r.name.unwrap_or_default()
            ),
            None => format!("add the {kind} \"{name}\" to the set, or fix `roleRef`"),
        };
        for (role, message) in near.into_iter().take(MAX_NEAR_MISSES) {
            reported = reported.secondary(role.doc.file, name_span(role), message);
        }
        reported.help(help);
    }
}
