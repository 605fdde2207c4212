#![doc = include_str!("../../../rules/image-not-pinned-by-digest.md")]

use super::container_images;
use crate::diagnostic::Severity;
use crate::object::Object;
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};

pub use super::Settings;

pub static META: RuleMeta = RuleMeta {
    id: "image-not-pinned-by-digest",
    category: Category::Security,
    default_severity: Severity::Warning,
    default_enabled: false,
    summary: "A container image is referenced by tag only, not by digest",
    lesson: "Practice (supply chain): a tag can be moved or re-pushed, a digest cannot; pinning by digest makes every node run the bytes that were reviewed.",
};

pub struct ImageNotPinnedByDigest {
    settings: Settings,
}

pub fn new(settings: Settings) -> ImageNotPinnedByDigest {
    ImageNotPinnedByDigest { settings }
}

impl Rule for ImageNotPinnedByDigest {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object<'_>, _ctx: &Context, sink: &mut Sink<'_>) {
        for item in container_images(object) {
            let image = &item.image;
            if image.digest.is_some() || self.settings.ignores(image) {
                continue;
            }
            let span = match image.tag.clone() {
                Some(range) => item.span(range),
                None => item.whole(),
            };
            let reference = match image.tag() {
                Some(tag) => format!("{}:{tag}", image.name()),
                None => image.name().to_string(),
            };
            sink.report(
                object,
                span,
                format!("{} is not pinned by digest", item.describe()),
            )
            .label(if image.tag.is_some() {
                "a tag can be moved to other bytes"
            } else {
                "no digest (and no tag)"
            })
            .help(format!(
                "append the digest the tag points to today: `{reference}@sha256:<digest>` (`crane digest {reference}` or `docker buildx imagetools inspect {reference}` prints it)"
            ));
        }
    }
}
