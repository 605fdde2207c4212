//! Image tag rules: images that run whatever a registry serves today (`latest`, no tag, a
//! channel tag such as `stable`), and images not pinned by digest.
//!
//! The four rules share one walk over every container of every workload (containers, init and
//! ephemeral containers) and one image parser (`view::image`), which keeps the byte range of the
//! tag so a finding underlines just `:latest`. Values that are not images yet (an unrendered
//! `{{ .Values.image }}`, `$(IMAGE)`, `ko://…`, `REPLACE_ME`) and invalid references are never
//! reported. An image pinned by digest runs the same bytes whatever its tag says, so no tag rule
//! reports it.

pub mod image_not_pinned_by_digest;
pub mod image_tag_floating;
pub mod image_tag_latest;
pub mod image_tag_missing;

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::object::Object;
use crate::source::Span;
use crate::view::image::{Image, ImageRef, sub_span};
use crate::view::{Container, pod_spec};
use crate::yaml::NodeRef;

/// Settings shared by the image rules.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// Images not to report: a repository as written or fully qualified
    /// (`docker.io/library/nginx`), or a prefix ending in `*` (`registry.example.com/dev/*`).
    pub ignore_images: Vec<String>,
}

impl Settings {
    pub(crate) fn ignores(&self, image: &ImageRef<'_>) -> bool {
        let full = image.repository();
        self.ignore_images
            .iter()
            .any(|pattern| match pattern.strip_suffix('*') {
                Some(prefix) => image.name().starts_with(prefix) || full.starts_with(prefix),
                None => image.name() == pattern || &full == pattern,
            })
    }
}

/// A container's `image:` value, parsed.
pub(crate) struct ContainerImage<'a> {
    pub container: Container<'a>,
    /// The value node (for spans).
    pub node: NodeRef<'a>,
    pub image: ImageRef<'a>,
}

impl ContainerImage<'_> {
    /// The span of a part of the reference (a range into `image.text`), or the whole value when
    /// the text is not verbatim in the file.
    pub fn span(&self, part: std::ops::Range<usize>) -> Span {
        sub_span(self.node, self.image.text, part)
    }

    pub fn whole(&self) -> Span {
        self.span(0..self.image.text.len())
    }

    /// `container "web" image "nginx:latest"`.
    pub fn describe(&self) -> String {
        format!(
            "{} image \"{}\"",
            self.container.describe(),
            self.image.text
        )
    }
}

/// Every container of `object` with an image reference (placeholders and invalid values left out).
pub(crate) fn container_images<'a>(object: &Object<'a>) -> Vec<ContainerImage<'a>> {
    let Some(pod) = pod_spec(object) else {
        return Vec::new();
    };
    pod.all_containers()
        .filter_map(|container| {
            let node = container.node.get("image")?;
            let Image::Ref(image) = Image::parse(node.as_str()?) else {
                return None;
            };
            Some(ContainerImage {
                container,
                node,
                image,
            })
        })
        .collect()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FloatingTags {
    channels: Vec<String>,
    variants: Vec<String>,
}

static FLOATING: LazyLock<FloatingTags> = LazyLock::new(|| {
    crate::rules::data::read("floating-tags", crate::rules::data::json!("floating-tags"))
});

/// True when every part of `tag` is a channel or variant word (`stable`, `mainline-alpine`), at
/// least one of them a channel or the tag a bare variant (`alpine`). `extra` adds channel words.
pub(crate) fn is_floating(tag: &str, extra: &[String]) -> bool {
    let lower = tag.to_ascii_lowercase();
    let data = &*FLOATING;
    let is_channel = |word: &str| {
        data.channels.iter().any(|c| c == word)
            || extra.iter().any(|c| c.eq_ignore_ascii_case(word))
    };
    let is_variant = |word: &str| data.variants.iter().any(|v| v == word);
    let words: Vec<&str> = lower.split(['-', '_', '.']).collect();
    !words.is_empty()
        && words
            .iter()
            .all(|w| !w.is_empty() && (is_channel(w) || is_variant(w)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floating_tag_data_parses() {
        assert!(FLOATING.channels.iter().any(|c| c == "stable"));
        for list in [&FLOATING.channels, &FLOATING.variants] {
            let mut sorted = list.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(
                &sorted, list,
                "rules/data/floating-tags.yaml: keep lists sorted, once"
            );
        }
    }

    #[test]
    fn floating_tags() {
        for tag in [
            "stable",
            "lts",
            "main",
            "master",
            "edge",
            "nightly",
            "alpine",
            "stable-alpine",
            "mainline-alpine",
            "latest-ubuntu",
            "LTS",
        ] {
            assert!(is_floating(tag, &[]), "{tag}");
        }
        for tag in [
            "1.25-alpine",
            "v3.7",
            "stable-20240101",
            "sha-abc",
            "3.19",
            "prod",
        ] {
            assert!(!is_floating(tag, &[]), "{tag}");
        }
        assert!(is_floating("prod", &["prod".to_string()]));
    }
}
