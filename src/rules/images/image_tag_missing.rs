#![doc = include_str!("../../../rules/image-tag-missing.md")]

use super::container_images;
use crate::diagnostic::Severity;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};

pub use super::Settings;

pub static META: RuleMeta = RuleMeta {
    id: "image-tag-missing",
    category: Category::Reliability,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A container image has no tag, so Kubernetes pulls `latest`",
    lesson: "Seed 004 (BloomRemit, 2021): the outage ended by moving to a known version; an image without a tag is `latest` in disguise, and nobody can tell which version runs.",
};

pub struct ImageTagMissing {
    settings: Settings,
}

pub fn new(settings: Settings) -> ImageTagMissing {
    ImageTagMissing { settings }
}

impl Rule for ImageTagMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        for item in container_images(object) {
            let image = &item.image;
            if image.tag.is_some() || image.digest.is_some() || self.settings.ignores(image) {
                continue;
            }
            sink.report(
                object,
                item.whole(),
                format!("{} has no tag, so the node pulls `latest`", item.describe()),
            )
            .label("no tag: this means `:latest`")
            .help(format!(
                "pin a version, e.g. `{}:1.2.3`, or a digest (`{}@sha256:…`)",
                image.name(),
                image.name()
            ));
        }
    }
}
