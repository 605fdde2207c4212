#![doc = include_str!("../../../rules/secret-in-env-literal.md")]

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::{glob, pod_of};
use crate::diagnostic::Severity;
use std::collections::BTreeSet;

use crate::index::Index;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::view::security::PodSecurity;

pub static META: RuleMeta = RuleMeta {
    id: "secret-in-env-literal",
    category: Category::Security,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "An environment variable named like a secret (PASSWORD, TOKEN, SECRET, API_KEY…) holds a literal value in the manifest",
    lesson: "Practice (kube-linter `env-var-secret` and Polaris `sensitiveContainerEnvVar` by default, Checkov CKV_K8S_35): a secret written into a manifest is in the repository, in every rendered chart and CI log, and readable by anyone who may read the workload.",
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct Data {
    words: Vec<String>,
    key_qualifiers: Vec<String>,
    names: Vec<String>,
    not_secret_last_words: Vec<String>,
    not_secret_names: Vec<String>,
}

static DATA_TABLE: LazyLock<Data> = LazyLock::new(|| {
    crate::rules::data::read::<Data>(
        "secret-env-names",
        crate::rules::data::json!("secret-env-names"),
    )
});

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// More names to treat as secrets (`*` matches any run of characters, case-insensitive).
    pub extra_names: Vec<String>,
    /// Names never reported (same patterns), e.g. `*_PUBLIC_KEY`.
    pub allowed_names: Vec<String>,
}

pub struct SecretInEnvLiteral {
    settings: Settings,
}

pub fn new(settings: Settings) -> SecretInEnvLiteral {
    SecretInEnvLiteral { settings }
}

/// The words of an environment variable name, upper case.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower && !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        word.push(c.to_ascii_uppercase());
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// Whether the data table calls `name` a secret's name.
pub(crate) fn sensitive_name(name: &str) -> bool {
    let data = &*DATA_TABLE;
    let upper = name.trim().to_ascii_uppercase();
    if data.not_secret_names.contains(&upper) {
        return false;
    }
    if data.names.iter().any(|p| glob(p, &upper)) {
        return true;
    }
    let words = words(name);
    let Some(last) = words.last() else {
        return false;
    };
    if data.not_secret_last_words.contains(last) {
        return false;
    }
    let key =
        last == "KEY" && words.len() >= 2 && data.key_qualifiers.contains(&words[words.len() - 2]);
    key || words.iter().any(|w| data.words.contains(w))
}

/// Values that carry no secret: empty, booleans, references to other variables (`$(VAR)`),
/// unrendered template placeholders, file paths.
fn harmless_value(value: &str) -> bool {
    let v = value.trim();
    v.is_empty()
        || matches!(
            v.to_ascii_lowercase().as_str(),
            "true"
                | "false"
                | "yes"
                | "no"
                | "on"
                | "off"
                | "enabled"
                | "disabled"
                | "none"
                | "null"
        )
        || (v.starts_with("$(") && v.ends_with(')'))
        || v.contains("{{")
        || v.contains("${")
        || (v.starts_with('/') && !v.contains(char::is_whitespace))
}

fn private_key(value: &str) -> bool {
    value.contains("-BEGIN") && value.contains("PRIVATE KEY-")
}

impl Rule for SecretInEnvLiteral {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_set(&self, index: &Index<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        for object in index.objects() {
            self.check_workload(index, object, sink);
        }
    }
}

/// The names of the Secrets a pod spec refers to: volumes, projected sources, `envFrom`,
/// `secretKeyRef`, image pull secrets. A variable whose value is one of them names a Secret
/// (`WEBHOOK_SECRET: webhook-server-cert`) rather than holding one.
fn referenced_secrets<'a>(pod: &PodSecurity<'a>) -> BTreeSet<&'a str> {
    let spec = pod.spec.node;
    let mut names = BTreeSet::new();
    for volume in spec.get("volumes").into_iter().flat_map(|v| v.items()) {
        names.extend(
            volume
                .path(&["secret", "secretName"])
                .and_then(|n| n.as_str()),
        );
        for source in volume
            .path(&["projected", "sources"])
            .into_iter()
            .flat_map(|s| s.items())
        {
            names.extend(source.path(&["secret", "name"]).and_then(|n| n.as_str()));
        }
    }
    for secret in spec
        .get("imagePullSecrets")
        .into_iter()
        .flat_map(|s| s.items())
    {
        names.extend(secret.get_str("name"));
    }
    for container in pod.spec.all_containers() {
        for from in container
            .node
            .get("envFrom")
            .into_iter()
            .flat_map(|e| e.items())
        {
            names.extend(from.path(&["secretRef", "name"]).and_then(|n| n.as_str()));
        }
        for var in container
            .node
            .get("env")
            .into_iter()
            .flat_map(|e| e.items())
        {
            names.extend(
                var.path(&["valueFrom", "secretKeyRef", "name"])
                    .and_then(|n| n.as_str()),
            );
        }
    }
    names
}

impl SecretInEnvLiteral {
    fn check_workload(&self, index: &Index<'_>, object: &Object<'_>, sink: &mut Sink<'_>) {
        let Some(pod) = pod_of(object) else {
            return;
        };
        let referenced = referenced_secrets(&pod);
        let namespace = index.namespace_of(object);
        let names_a_secret = |value: &str| {
            let value = value.trim();
            referenced.contains(value) || index.lookup("Secret", namespace, value).next().is_some()
        };
        for container in pod.spec.all_containers() {
            let env = container.node.get("env");
            for var in env.into_iter().flat_map(|e| e.items()) {
                let Some(name) = var.get_str("name") else {
                    continue;
                };
                let Some(entry) = var.entry("value") else {
                    continue;
                };
                let Some(value) = entry.value.as_str() else {
                    continue;
                };
                if self.settings.allowed_names.iter().any(|p| glob(p, name)) {
                    continue;
                }
                let label = if private_key(value) {
                    "a private key, written into the manifest"
                } else if (sensitive_name(name)
                    || self.settings.extra_names.iter().any(|p| glob(p, name)))
                    && !harmless_value(value)
                    && !names_a_secret(value)
                {
                    "a literal value: whoever reads the manifest or the pod spec reads the secret"
                } else {
                    continue;
                };
                let key = name.to_ascii_lowercase().replace('_', "-");
                sink.report(
                    object,
                    entry.head_span(),
                    format!(
                        "{} sets {name} to a literal value",
                        container.describe()
                    ),
                )
                .label(label)
                .help(format!(
                    "keep the value in a Secret and reference it:\n  - name: {name}\n    valueFrom:\n      secretKeyRef:\n        name: <secret>\n        key: {key}"
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_parses_in_upper_case() {
        let data = &*DATA_TABLE;
        for w in data
            .words
            .iter()
            .chain(&data.key_qualifiers)
            .chain(&data.names)
            .chain(&data.not_secret_last_words)
            .chain(&data.not_secret_names)
        {
            assert_eq!(w, &w.to_ascii_uppercase());
        }
    }

    #[test]
    fn names() {
        for yes in [
            "DB_PASSWORD",
            "password",
            "my_password",
            "dbPassword",
            "AWS_SECRET_ACCESS_KEY",
            "GITHUB_TOKEN",
            "API_KEY",
            "STRIPE_SECRET_KEY",
            "AZURE_STORAGE_ACCOUNT_KEY",
            "AZURE_BATCH_KEY",
            "OCI_CLI_KEY_CONTENT",
            "CLIENT_SECRET",
            "MYSQL_ROOT_PWD",
            "x-api-key",
        ] {
            assert!(sensitive_name(yes), "{yes}");
        }
        for no in [
            "PASSWORD_FILE",
            "DB_PASSWORD_PATH",
            "TOKEN_TTL",
            "SECRET_NAME",
            "AWS_ACCESS_KEY_ID",
            "TLS_KEY_FILE",
            "PWD",
            "CACHE_KEY",
            "ROUTING_KEY",
            "KEY",
            "LOG_LEVEL",
            "SECRETS_DIR",
            "TOKEN_URL",
            "PASSWORD_MIN_LENGTH",
        ] {
            assert!(!sensitive_name(no), "{no}");
        }
    }

    #[test]
    fn values() {
        for harmless in [
            "",
            "true",
            "False",
            "$(OTHER)",
            "{{ .Values.x }}",
            "${PASS}",
            "/etc/secret/token",
        ] {
            assert!(harmless_value(harmless), "{harmless}");
        }
        for secret in ["hunter2", "changeme", "xxx", "a b/c"] {
            assert!(!harmless_value(secret), "{secret}");
        }
        assert!(private_key("-----BEGIN RSA PRIVATE KEY-----\nabc"));
    }
}
