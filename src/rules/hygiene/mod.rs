//! Hygiene rules: secrets written into manifests, service-account identity and tokens, where
//! objects land, image pull policy, selectors that the API server rejects, objects defined twice.
//!
//! Tool configuration that happens to look like an object (a `kustomization.yaml`, a Flux
//! HelmRelease, a kubelet configuration) is never reported: `view::scope::is_local_config`.

pub mod default_service_account_used;
pub mod duplicate_object;
pub mod image_pull_policy_not_always;
pub mod object_in_default_namespace;
pub mod secret_in_env_literal;
pub mod selector_mismatch;
pub mod service_account_token_automounted;

use crate::object::Object;
use crate::rules::availability::owned_by_controller;
use crate::view::scope::is_local_config;
use crate::view::security::PodSecurity;
use crate::yaml::EntryRef;

/// The pod of a workload the hygiene rules look at.
pub(crate) fn pod_of<'a>(object: &Object<'a>) -> Option<PodSecurity<'a>> {
    if owned_by_controller(object) || is_local_config(object) {
        return None;
    }
    PodSecurity::of(object)
}

/// The service account a pod runs as: `serviceAccountName`, else the deprecated `serviceAccount`;
/// `None` when neither names one (the pod gets `default`).
pub(crate) fn service_account<'a>(pod: &PodSecurity<'a>) -> Option<(&'a str, EntryRef<'a>)> {
    ["serviceAccountName", "serviceAccount"]
        .iter()
        .filter_map(|key| pod.spec.node.entry(key))
        .find_map(|entry| {
            let name = entry.value.as_str()?.trim();
            (!name.is_empty()).then_some((name, entry))
        })
}

/// The ServiceAccounts named `name` in `object`'s namespace, those of `object`'s own file first
/// (a set may repeat an account; the one next to the workload is the one meant).
pub(crate) fn service_accounts<'a>(
    index: &crate::index::Index<'a>,
    object: &Object<'a>,
    name: &str,
) -> Vec<&'a Object<'a>> {
    let mut accounts: Vec<&'a Object<'a>> = index
        .lookup("ServiceAccount", index.namespace_of(object), name)
        .collect();
    accounts.sort_by_key(|sa| sa.doc.file != object.doc.file);
    accounts
}

/// Where to point at an object by name: its `metadata.name` entry, else its `kind:`.
pub(crate) fn name_span(object: &Object<'_>) -> crate::source::Span {
    object
        .metadata()
        .and_then(|m| m.entry("name"))
        .map_or_else(|| object.anchor_span(), |e| e.head_span())
}

/// `*` matches any run of characters; everything else matches itself (case-insensitive).
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    crate::rules::star_match(&pattern.to_ascii_uppercase(), &text.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::glob;
    use crate::rules::availability::run_rule;

    /// The security context and hygiene rules (issue 5, part A).
    const RULES: &[&str] = &[
        "privileged-container",
        "privilege-escalation-allowed",
        "container-runs-as-root",
        "writable-root-filesystem",
        "dangerous-capability-added",
        "net-raw-not-dropped",
        "seccomp-profile-unset",
        "host-network-enabled",
        "host-pid-enabled",
        "host-ipc-enabled",
        "host-port-set",
        "sensitive-host-path-mount",
        "writable-host-path-mount",
        "proc-mount-unmasked",
        "secret-in-env-literal",
        "default-service-account-used",
        "service-account-token-automounted",
        "object-in-default-namespace",
        "image-pull-policy-not-always",
        "selector-mismatch",
        "duplicate-object",
    ];

    #[test]
    fn settings() {
        use super::*;
        let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: x\nspec:\n  containers:\n    - name: a\n      image: r/a@sha256:abc\n      env:\n        - {name: APP_DSN, value: \"postgres://u:p@db/x\"}\n        - {name: SSH_PUBLIC_KEY, value: \"ssh-ed25519 AAAA\"}\n        - {name: SECRET_TOKEN, value: x}\n";
        let run = |rule: Box<dyn crate::rules::Rule>| run_rule(rule, &[("a.yaml", pod)]).len();
        assert_eq!(
            run(Box::new(secret_in_env_literal::new(Default::default()))),
            1
        );
        assert_eq!(
            run(Box::new(secret_in_env_literal::new(
                secret_in_env_literal::Settings {
                    extra_names: vec!["*_dsn".into()],
                    allowed_names: vec!["SECRET_*".into()],
                }
            ))),
            1
        );
        assert_eq!(
            run(Box::new(image_pull_policy_not_always::new(
                Default::default()
            ))),
            1
        );
        assert_eq!(
            run(Box::new(image_pull_policy_not_always::new(
                image_pull_policy_not_always::Settings {
                    ignore_digests: true
                }
            ))),
            0
        );
    }

    #[test]
    fn tool_configuration_is_ignored_quietly_by_every_rule() {
        let text = include_str!("../../../testdata/rules/duplicate-object/pass-local-config.yaml");
        for id in RULES {
            let entry = crate::rules::find(id).expect(id);
            let rule = (entry.build)(&serde_json::Value::Null).unwrap();
            let found = run_rule(rule, &[("local.yaml", text)]);
            assert!(found.is_empty(), "{id}: {found:?}");
        }
    }

    #[test]
    fn globs() {
        assert!(glob("*_KEY", "stripe_key"));
        assert!(glob("APP_*_TOKEN", "APP_X_TOKEN"));
        assert!(!glob("APP_*_TOKEN", "APP_TOKEN_X"));
        assert!(glob("EXACT", "exact"));
        assert!(!glob("EXACT", "EXACTLY"));
        assert!(glob("*", ""));
        assert!(!glob("A*A", "A"));
    }
}
