#![doc = include_str!("../../../rules/rbac-wildcard.md")]

use serde::{Deserialize, Serialize};

use super::{is_bootstrap_policy, is_rbac};
use crate::diagnostic::Severity;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::yaml::NodeRef;

pub static META: RuleMeta = RuleMeta {
    id: "rbac-wildcard",
    category: Category::Security,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A Role or ClusterRole rule uses `*` in its verbs, resources or API groups",
    lesson: "Seed 002 (NU.nl, 2019): ops tooling and customer workloads shared what they should not, so one fault spread; a wildcard grant shares every present and future resource type with whoever holds the role.",
};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// Which fields of a rule are checked: `verbs`, `resources`, `apiGroups`, `nonResourceURLs`.
    pub fields: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            fields: ["verbs", "resources", "apiGroups"]
                .map(str::to_string)
                .to_vec(),
        }
    }
}

pub struct RbacWildcard {
    settings: Settings,
}

pub fn new(settings: Settings) -> RbacWildcard {
    RbacWildcard { settings }
}

/// The items of a rule's list field, as (node, text).
fn items<'a>(rule: NodeRef<'a>, field: &str) -> Vec<(NodeRef<'a>, &'a str)> {
    rule.get(field)
        .into_iter()
        .flat_map(|list| list.items())
        .filter_map(|item| Some((item, item.as_str()?)))
        .collect()
}

/// `any verb`, `verbs get, list`: one field of a rule for a message.
fn describe(items: &[(NodeRef<'_>, &str)], any: &str, some: &str) -> String {
    if items.iter().any(|(_, text)| *text == "*") {
        return any.to_string();
    }
    let list: Vec<&str> = items
        .iter()
        .map(|(_, text)| {
            if text.is_empty() {
                "\"\" (core)"
            } else {
                *text
            }
        })
        .collect();
    if list.is_empty() {
        return format!("no {some}");
    }
    format!("{some} {}", list.join(", "))
}

impl Rule for RbacWildcard {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        if !is_rbac(object, &["Role", "ClusterRole"]) || is_bootstrap_policy(object) {
            return;
        }
        let rules: Vec<NodeRef<'_>> = object
            .root
            .get("rules")
            .into_iter()
            .flat_map(|r| r.items())
            .filter(|r| r.is_map())
            .collect();
        let several = rules.len() > 1;
        let non_resource = self.settings.fields.iter().any(|f| f == "nonResourceURLs");
        for (i, rule) in rules.into_iter().enumerate() {
            // A rule about non-resource URLs only (`/metrics`), when those are not checked.
            if !non_resource
                && rule.get("resources").is_none()
                && rule.get("nonResourceURLs").is_some()
            {
                continue;
            }
            let wildcards: Vec<(&str, NodeRef<'_>, &str)> =
                ["verbs", "resources", "apiGroups", "nonResourceURLs"]
                    .into_iter()
                    .filter(|f| self.settings.fields.iter().any(|s| s == f))
                    .flat_map(|field| {
                        items(rule, field)
                            .into_iter()
                            .filter(|(_, text)| text.contains('*'))
                            .map(move |(node, text)| (field, node, text))
                    })
                    .collect();
            let Some(&(field, first, text)) = wildcards.first() else {
                continue;
            };
            let verbs = describe(&items(rule, "verbs"), "any verb", "verbs");
            let what = if rule.get("nonResourceURLs").is_some() && rule.get("resources").is_none() {
                describe(
                    &items(rule, "nonResourceURLs"),
                    "any non-resource URL",
                    "URLs",
                )
            } else {
                let resources = describe(&items(rule, "resources"), "any resource", "resources");
                let groups = describe(&items(rule, "apiGroups"), "any API group", "API groups");
                format!("{resources} in {groups}")
            };
            let which = if several {
                format!("rule {} of ", i + 1)
            } else {
                String::new()
            };
            let mut reported = sink
                .report(
                    object,
                    first.span(),
                    format!("{which}{} allows {verbs} on {what}", object.display_name()),
                )
                .label(wildcard_label(field, text));
            for (field, node, text) in wildcards.iter().skip(1) {
                reported = reported.secondary(
                    object.doc.file,
                    node.span(),
                    format!("`{text}` in `{field}` too"),
                );
            }
            reported.help(format!(
                "list the {field} the role needs instead of `{text}`, e.g. `{}`",
                match field {
                    "verbs" => "verbs: [get, list, watch]",
                    "resources" => "resources: [configmaps, secrets]",
                    "apiGroups" => "apiGroups: [\"\", apps]",
                    _ => "nonResourceURLs: [/metrics]",
                }
            ));
        }
    }
}

/// What one wildcard item grants, for the label under it.
fn wildcard_label(field: &str, text: &str) -> String {
    match (field, text) {
        ("verbs", "*") => "every verb, also `escalate`, `bind` and `impersonate`".to_string(),
        ("resources", "*") => {
            "every resource, also those that custom resource definitions add later".to_string()
        }
        ("apiGroups", "*") => "every API group, also those added later".to_string(),
        ("nonResourceURLs", "*") => "every non-resource URL".to_string(),
        ("resources", text) if text.ends_with("/*") => {
            let base = text.trim_end_matches("/*");
            if base == "pods" {
                "every subresource of pods, `pods/exec` and `pods/attach` included".to_string()
            } else {
                format!("every subresource of `{base}`, also those added later")
            }
        }
        ("resources", text) if text.starts_with("*/") => format!(
            "the `{}` subresource of every resource, also of those added later",
            text.trim_start_matches("*/")
        ),
        (_, text) => format!("`{text}` matches every name of this pattern, also those added later"),
    }
}
