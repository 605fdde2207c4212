#![doc = include_str!("../../../rules/image-tag-floating.md")]

use serde::{Deserialize, Serialize};

use super::{container_images, is_floating};
use crate::diagnostic::Severity;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};

pub static META: RuleMeta = RuleMeta {
    id: "image-tag-floating",
    category: Category::Reliability,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A container image uses a channel tag such as `stable`, `lts` or `main` that moves between releases",
    lesson: "Seed 004 (BloomRemit, 2021): the outage ended by moving to a known version; a channel tag changes the version under a running cluster without any change to its manifests.",
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// More channel words (`prod`, `blue`), added to `rules/data/floating-tags.yaml`.
    pub extra_floating_tags: Vec<String>,
    /// Images not to report (see `image-tag-latest`).
    pub ignore_images: Vec<String>,
}

pub struct ImageTagFloating {
    settings: Settings,
    ignore: super::Settings,
}

pub fn new(settings: Settings) -> ImageTagFloating {
    ImageTagFloating {
        ignore: super::Settings {
            ignore_images: settings.ignore_images.clone(),
        },
        settings,
    }
}

impl Rule for ImageTagFloating {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        for item in container_images(object) {
            let image = &item.image;
            let (Some(tag), None, Some(range)) = (image.tag(), image.digest(), image.tag.clone())
            else {
                continue;
            };
            if tag.eq_ignore_ascii_case("latest")
                || !is_floating(tag, &self.settings.extra_floating_tags)
                || self.ignore.ignores(image)
            {
                continue;
            }
            sink.report(
                object,
                item.span(range),
                format!(
                    "{} uses `{tag}`, a tag that moves to each new release",
                    item.describe()
                ),
            )
            .label(format!("`{tag}` names no release"))
            .help(format!(
                "pin the release the channel points to today, e.g. `{}:1.2.3`, or a digest (`{}@sha256:…`)",
                image.name(),
                image.name()
            ));
        }
    }
}
