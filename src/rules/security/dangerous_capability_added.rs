#![doc = include_str!("../../../rules/dangerous-capability-added.md")]

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::pod_of;
use crate::diagnostic::Severity;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::view::security::canonical_capability;

pub static META: RuleMeta = RuleMeta {
    id: "dangerous-capability-added",
    category: Category::Security,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A container adds a Linux capability that reaches beyond the container (SYS_ADMIN, NET_ADMIN, ALL, SYS_PTRACE, SYS_MODULE, BPF…)",
    lesson: "Practice (Polaris `dangerousCapabilities`, Checkov CKV_K8S_25/39): capabilities such as SYS_ADMIN or SYS_MODULE act on the node's kernel, so a process that gets them can leave the container.",
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Data {
    capabilities: Vec<Dangerous>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Dangerous {
    name: String,
    what: String,
}

static DANGEROUS: LazyLock<Vec<Dangerous>> = LazyLock::new(|| {
    crate::rules::data::read::<Data>(
        "dangerous-capabilities",
        crate::rules::data::json!("dangerous-capabilities"),
    )
    .capabilities
});

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// Capabilities never reported (e.g. `NET_ADMIN` for a CNI or service-mesh init container).
    pub allowed: Vec<String>,
    /// Report every added capability that is not in `allowed`, not only the dangerous ones
    /// (Checkov CKV_K8S_25).
    pub report_any_added: bool,
}

pub struct DangerousCapabilityAdded {
    allowed: Vec<String>,
    report_any_added: bool,
}

pub fn new(settings: Settings) -> DangerousCapabilityAdded {
    DangerousCapabilityAdded {
        allowed: settings
            .allowed
            .iter()
            .map(|c| canonical_capability(c))
            .collect(),
        report_any_added: settings.report_any_added,
    }
}

impl Rule for DangerousCapabilityAdded {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        let Some(pod) = pod_of(object) else {
            return;
        };
        if pod.windows {
            return;
        }
        for container in pod.containers() {
            for cap in container.capabilities("add") {
                if self.allowed.contains(&cap.name) {
                    continue;
                }
                let dangerous = DANGEROUS.iter().find(|d| d.name == cap.name);
                let label = match dangerous {
                    Some(d) => d.what.clone(),
                    None if self.report_any_added => {
                        "every added capability widens what a compromised process can do"
                            .to_string()
                    }
                    None => continue,
                };
                sink.report(
                    object,
                    cap.node.span(),
                    format!("{} adds capability {}", container.describe(), cap.name),
                )
                .label(label)
                .help(if cap.name == "ALL" {
                    "replace ALL with the few capabilities the container needs, e.g.\n  capabilities:\n    drop: [ALL]\n    add: [NET_BIND_SERVICE]".to_string()
                } else {
                    format!(
                        "remove {} from `capabilities.add`; if the container truly needs it, drop every other capability and suppress this finding with the reason:\n  capabilities:\n    drop: [ALL]\n    add: [{}]",
                        cap.name, cap.name
                    )
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::availability::run_rule;

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      securityContext:\n        capabilities:\n          add: [NET_ADMIN, CHOWN]\n";

    #[test]
    fn data_parses_with_canonical_unique_names() {
        let mut seen = std::collections::BTreeSet::new();
        for d in DANGEROUS.iter() {
            assert_eq!(canonical_capability(&d.name), d.name);
            assert!(seen.insert(d.name.as_str()), "{} twice", d.name);
        }
        assert!(seen.contains("SYS_ADMIN") && seen.contains("ALL"));
    }

    #[test]
    fn settings_allow_and_report_any() {
        let default = run_rule(Box::new(new(Settings::default())), &[("a.yaml", POD)]);
        assert_eq!(
            default,
            ["a.yaml:10: container \"a\" adds capability NET_ADMIN"]
        );
        let allowed = Settings {
            allowed: vec!["cap_net_admin".into()],
            ..Settings::default()
        };
        assert!(run_rule(Box::new(new(allowed)), &[("a.yaml", POD)]).is_empty());
        let any = Settings {
            report_any_added: true,
            ..Settings::default()
        };
        assert_eq!(run_rule(Box::new(new(any)), &[("a.yaml", POD)]).len(), 2);
    }
}
