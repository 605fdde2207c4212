#![doc = include_str!("../../../rules/cluster-admin-binding.md")]

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{is_bootstrap_policy, is_rbac};
use crate::diagnostic::Severity;
use crate::index::Index;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::source::Span;
use crate::yaml::NodeRef;

pub static META: RuleMeta = RuleMeta {
    id: "cluster-admin-binding",
    category: Category::Security,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A binding grants the `cluster-admin` ClusterRole, full control of the cluster (or of a namespace)",
    lesson: "Seed 002 (NU.nl, 2019): ops tooling shared everything with customer workloads, so one failing tool took the rest with it; a tool bound to cluster-admin shares the whole cluster's fate the same way, since one compromised or buggy pod can change anything.",
};

/// How many subjects get a label of their own.
const MAX_SUBJECTS: usize = 3;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// Subjects that may hold cluster-admin, as `Kind/name` (`Group/system:masters`, `User/admin`)
    /// or `ServiceAccount/namespace/name`. A binding whose subjects are all listed is not reported.
    pub allowed_subjects: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            // Kubernetes' own binding of cluster-admin: the group of the admin kubeconfig.
            allowed_subjects: vec!["Group/system:masters".to_string()],
        }
    }
}

pub struct ClusterAdminBinding {
    settings: Settings,
}

pub fn new(settings: Settings) -> ClusterAdminBinding {
    ClusterAdminBinding { settings }
}

/// A subject as `Kind/name` or `ServiceAccount/namespace/name`.
fn subject_key(subject: NodeRef<'_>, default_namespace: &str) -> Option<String> {
    let kind = subject.get_str("kind")?;
    let name = subject.get_str("name")?;
    Some(if kind == "ServiceAccount" {
        let namespace = subject.get_str("namespace").unwrap_or(default_namespace);
        format!("{kind}/{namespace}/{name}")
    } else {
        format!("{kind}/{name}")
    })
}

impl Rule for ClusterAdminBinding {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, index: &Index<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        // The ClusterRoles that grant everything, by name (cluster-scoped: any namespace written
        // on them is ignored), each with the rule that does; read once, not once per binding.
        let mut cluster_roles: HashMap<&str, Vec<(&Object<'_>, Span)>> = HashMap::new();
        for role in index
            .of_kind("ClusterRole")
            .filter(|r| is_rbac(r, &["ClusterRole"]))
        {
            if let Some(name) = role.name
                && let Some(rule) = grants_everything(role)
            {
                cluster_roles.entry(name).or_default().push((role, rule));
            }
        }
        for binding in index
            .objects()
            .iter()
            .filter(|o| is_rbac(o, &["ClusterRoleBinding", "RoleBinding"]))
        {
            self.check(index, &cluster_roles, binding, sink);
        }
    }
}

impl ClusterAdminBinding {
    fn check(
        &self,
        index: &Index<'_>,
        cluster_roles: &HashMap<&str, Vec<(&Object<'_>, Span)>>,
        binding: &Object<'_>,
        sink: &mut Sink<'_>,
    ) {
        if is_bootstrap_policy(binding) {
            return;
        }
        let Some(role_ref) = binding.root.get("roleRef") else {
            return;
        };
        let (Some(kind), Some(name_entry)) = (role_ref.get_str("kind"), role_ref.entry("name"))
        else {
            return;
        };
        let Some(role_name) = name_entry.value.as_str() else {
            return;
        };
        let namespace = index.namespace_of(binding);
        // `cluster-admin` itself, or a role of the set that grants the same: every verb on every
        // resource of every group.
        let equivalent = match kind {
            "ClusterRole" if role_name == "cluster-admin" => None,
            "ClusterRole" => match cluster_roles.get(role_name).and_then(|r| r.first()) {
                Some(&found) => Some(found),
                None => return,
            },
            "Role" => match index
                .lookup("Role", namespace, role_name)
                .filter(|r| is_rbac(r, &["Role"]))
                .find_map(|r| Some((r, grants_everything(r)?)))
            {
                Some(found) => Some(found),
                None => return,
            },
            _ => return,
        };
        let subjects: Vec<(NodeRef<'_>, String)> = binding
            .root
            .get("subjects")
            .into_iter()
            .flat_map(|s| s.items())
            .filter_map(|s| Some((s, subject_key(s, namespace)?)))
            .filter(|(_, key)| !self.settings.allowed_subjects.contains(key))
            .collect();
        if subjects.is_empty() {
            return;
        }
        let scope = if binding.kind == "ClusterRoleBinding" {
            "the whole cluster".to_string()
        } else {
            format!("namespace \"{namespace}\"")
        };
        let who = describe_subjects(&subjects);
        let grant = if equivalent.is_some() {
            "full control"
        } else {
            "cluster-admin"
        };
        let mut reported = match equivalent {
            None => sink
                .report(
                    binding,
                    name_entry.head_span(),
                    format!(
                        "{} grants cluster-admin to {who}: full control of {scope}",
                        binding.display_name()
                    ),
                )
                .label("every verb on every resource"),
            Some((role, rule)) => sink
                .report(
                    binding,
                    name_entry.head_span(),
                    format!(
                        "{} grants {kind} \"{role_name}\" to {who}; it allows every verb on every resource, as cluster-admin does: full control of {scope}",
                        binding.display_name()
                    ),
                )
                .label("cluster-admin under another name")
                .secondary(
                    role.doc.file,
                    rule,
                    format!("{} allows every verb on every resource here", role.display_name()),
                ),
        };
        for (subject, key) in subjects.iter().take(MAX_SUBJECTS) {
            let span = subject
                .entry("name")
                .map_or_else(|| subject.span(), |e| e.head_span());
            reported = reported.secondary(
                binding.doc.file,
                span,
                format!("{} gets {grant}", display_subject(key)),
            );
        }
        reported.help(
            "bind a ClusterRole (or a namespaced Role) that lists only the resources and verbs the subject needs; if full control is intended, add the subject to `allowed-subjects` or suppress with a reason",
        );
    }
}

/// The verbs that, with `*` resources in `*` groups, amount to cluster-admin.
const ALL_VERBS: [&str; 7] = [
    "get", "list", "watch", "create", "update", "patch", "delete",
];

/// Where a role of the set (not Kubernetes' own bootstrap policy, as in a dump) allows every verb (`*`, or all of [`ALL_VERBS`]) on `*` resources in `*` groups:
/// the first such rule's head line.
fn grants_everything(role: &Object<'_>) -> Option<Span> {
    if is_bootstrap_policy(role) {
        return None;
    }
    let has = |rule: NodeRef<'_>, field: &str, value: &str| {
        rule.get(field)
            .into_iter()
            .flat_map(|l| l.items())
            .any(|i| i.as_str() == Some(value))
    };
    role.root
        .get("rules")
        .into_iter()
        .flat_map(|r| r.items())
        .find(|rule| {
            has(*rule, "apiGroups", "*")
                && has(*rule, "resources", "*")
                && (has(*rule, "verbs", "*") || ALL_VERBS.iter().all(|v| has(*rule, "verbs", v)))
        })
        .map(|rule| {
            let entry = rule.raw_entries().next();
            entry.map_or_else(|| rule.span(), |e| e.head_span())
        })
}

/// `ServiceAccount kube-system/tiller`, `Group "ops" and 2 more`.
fn describe_subjects(subjects: &[(NodeRef<'_>, String)]) -> String {
    let first = subjects
        .first()
        .map(|(_, key)| display_subject(key))
        .unwrap_or_default();
    match subjects.len() {
        0 | 1 => first,
        2 => format!("{first} and 1 other subject"),
        n => format!("{first} and {} other subjects", n - 1),
    }
}

/// `ServiceAccount "kube-system/tiller"` for the key `ServiceAccount/kube-system/tiller`.
fn display_subject(key: &str) -> String {
    match key.split_once('/') {
        Some((kind, rest)) => format!("{kind} \"{rest}\""),
        None => key.to_string(),
    }
}
