#![doc = include_str!("../../../rules/image-tag-latest.md")]

use super::container_images;
use crate::diagnostic::Severity;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};

pub use super::Settings;

pub static META: RuleMeta = RuleMeta {
    id: "image-tag-latest",
    category: Category::Reliability,
    default_severity: Severity::Warning,
    default_enabled: true,
    summary: "A container image uses the `latest` tag, so what runs changes with every push",
    lesson: "Seed 004 (BloomRemit, 2021): nobody had changed anything, yet the cluster broke, and the fix was a known version; a `latest` tag hides which version runs and changes it on the next pull.",
};

pub struct ImageTagLatest {
    settings: Settings,
}

pub fn new(settings: Settings) -> ImageTagLatest {
    ImageTagLatest { settings }
}

impl Rule for ImageTagLatest {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        for item in container_images(object) {
            let image = &item.image;
            let (Some(tag), None) = (image.tag(), image.digest()) else {
                continue;
            };
            if !tag.eq_ignore_ascii_case("latest") || self.settings.ignores(image) {
                continue;
            }
            let span = item.span(image.tag_with_colon().unwrap_or(0..image.text.len()));
            sink.report(
                object,
                span,
                format!(
                    "{} runs whatever `latest` points to when the node pulls it",
                    item.describe()
                ),
            )
            .label("`latest` moves with every release")
            .help(format!(
                "pin a version, e.g. `{}:1.2.3`, or a digest (`{}@sha256:…`), so every node runs the same build and a rollback is possible",
                image.name(),
                image.name()
            ));
        }
    }
}
