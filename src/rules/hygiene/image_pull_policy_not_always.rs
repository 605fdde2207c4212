#![doc = include_str!("../../../rules/image-pull-policy-not-always.md")]

use serde::{Deserialize, Serialize};

use super::pod_of;
use crate::diagnostic::Severity;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};

pub static META: RuleMeta = RuleMeta {
    id: "image-pull-policy-not-always",
    category: Category::BestPractice,
    default_severity: Severity::Warning,
    default_enabled: false,
    summary: "A container's `imagePullPolicy` is not `Always` (written, or defaulted from the image's tag)",
    lesson: "Practice (kube-score `container-image-pull-policy` and Polaris `pullPolicyNotAlways` by default, Checkov CKV_K8S_15): with a cached image the kubelet neither checks the pod's pull credentials nor notices a moved tag.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// Do not report images pinned by digest (`image@sha256:…`): their content cannot change.
    pub ignore_digests: bool,
}

pub struct ImagePullPolicyNotAlways {
    settings: Settings,
}

pub fn new(settings: Settings) -> ImagePullPolicyNotAlways {
    ImagePullPolicyNotAlways { settings }
}

/// The tag and whether a digest pins the image: `("1.2", false)` for `repo/app:1.2`.
fn tag_and_digest(image: &str) -> (Option<&str>, bool) {
    let (name, digest) = match image.split_once('@') {
        Some((name, _)) => (name, true),
        None => (image, false),
    };
    let last = name.rsplit('/').next().unwrap_or(name);
    (last.split_once(':').map(|(_, tag)| tag), digest)
}

const HELP: &str = "set `imagePullPolicy: Always`; the registry then checks every pull, and a cached layer still makes it cheap";

impl Rule for ImagePullPolicyNotAlways {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        let Some(pod) = pod_of(object) else {
            return;
        };
        for container in pod.spec.all_containers() {
            let Some(image) = container.node.get_str("image").map(str::trim) else {
                continue;
            };
            let (tag, digest) = tag_and_digest(image);
            if digest && self.settings.ignore_digests {
                continue;
            }
            let who = container.describe();
            match container.node.entry("imagePullPolicy") {
                Some(entry) if entry.value.as_str().is_some() => {
                    let policy = entry.value.as_str().unwrap_or_default().trim();
                    if policy == "Always" {
                        continue;
                    }
                    sink.report(
                        object,
                        entry.head_span(),
                        format!("{who} pulls its image with `{policy}`"),
                    )
                    .label("a cached image is used without checking the pod's pull credentials")
                    .help(HELP);
                }
                _ => {
                    // Kubernetes defaults to Always for `:latest` and untagged images, IfNotPresent otherwise.
                    if !digest && tag.is_none_or(|t| t == "latest") {
                        continue;
                    }
                    sink.report(
                        object,
                        container.anchor_span(),
                        format!("{who} pulls its image with `IfNotPresent`"),
                    )
                    .label(format!(
                        "no `imagePullPolicy`: Kubernetes uses IfNotPresent for `{image}`"
                    ))
                    .help(HELP);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::tag_and_digest;

    #[test]
    fn tags() {
        assert_eq!(tag_and_digest("nginx"), (None, false));
        assert_eq!(tag_and_digest("nginx:1.2"), (Some("1.2"), false));
        assert_eq!(tag_and_digest("localhost:5000/app"), (None, false));
        assert_eq!(tag_and_digest("localhost:5000/app:v1"), (Some("v1"), false));
        assert_eq!(tag_and_digest("app@sha256:abc"), (None, true));
        assert_eq!(tag_and_digest("app:1@sha256:abc"), (Some("1"), true));
    }
}
