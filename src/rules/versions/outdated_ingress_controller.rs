#![doc = include_str!("../../../rules/outdated-ingress-controller.md")]

use serde::{Deserialize, Serialize};

use super::controllers::{self, Controller, Problem, ProblemKind};
use crate::diagnostic::Severity;
use crate::kube_version::KubeVersion;
use crate::object::Object;
use crate::rules::images::{container_images, is_floating};
use crate::rules::{Category, Context, Rule, RuleMeta, Sink};
use crate::view::image::{ImageRef, TagVersion, Version};

pub static META: RuleMeta = RuleMeta {
    id: "outdated-ingress-controller",
    category: Category::Reliability,
    default_severity: Severity::Error,
    default_enabled: true,
    summary: "An ingress controller release cannot serve the target Kubernetes version, or no longer gets fixes",
    lesson: "Seed 004 (BloomRemit, 2021): Traefik 1.7.9 could not parse the cluster's API objects and every site went down for hours; moving to 1.7.30 fixed it.",
};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// Controllers added to `rules/data/ingress-controllers.yaml`; one with the same `name`
    /// replaces the built-in entry.
    pub extra_controllers: Vec<Controller>,
    /// Report, at info severity, a controller whose tag is not a version (`sha-3f2a1c`), since
    /// the rule cannot judge it. `latest`, channel tags and missing tags are left to the
    /// image-tag rules.
    pub report_unversioned: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            extra_controllers: Vec::new(),
            report_unversioned: true,
        }
    }
}

pub struct OutdatedIngressController {
    table: Vec<Controller>,
    report_unversioned: bool,
}

pub fn new(settings: Settings) -> OutdatedIngressController {
    OutdatedIngressController {
        table: controllers::table(&settings.extra_controllers),
        report_unversioned: settings.report_unversioned,
    }
}

impl Rule for OutdatedIngressController {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object<'_>, ctx: &Context, sink: &mut Sink<'_>) {
        let target = ctx.kube_version;
        for item in container_images(object) {
            let image = &item.image;
            let Some(controller) = controllers::find(&self.table, &image.repository()) else {
                continue;
            };
            let (Some(tag), Some(range)) = (image.tag(), image.tag.clone()) else {
                // No tag (image-tag-missing) or a digest only: nothing to compare.
                continue;
            };
            let span = item.span(range);
            let version = match TagVersion::parse(tag) {
                TagVersion::Version(version) => version,
                TagVersion::Unorderable(why) => {
                    if self.report_unversioned && !is_floating(tag, &[]) {
                        sink.report(
                            object,
                            span,
                            format!(
                                "{}: cannot tell whether {} `{tag}` can serve Kubernetes {target}: {why}",
                                item.container.describe(),
                                controller.name
                            ),
                        )
                        .severity(Severity::Info)
                        .label("not a version")
                        .help("use the release tag the image was built from, so the version can be checked");
                    }
                    continue;
                }
            };
            let problems = controller.problems(&version, tag, target);
            let Some((first, rest)) = problems.split_first() else {
                continue;
            };
            let mut text = help(controller, image, tag, &version, &problems, target);
            for problem in rest {
                text.push_str("\nalso: ");
                text.push_str(&problem.text);
            }
            let label = match first.severity {
                Severity::Error => format!("{} {tag} cannot work here", controller.name),
                _ => format!("{} {tag}", controller.name),
            };
            let reported = sink
                .report(
                    object,
                    span,
                    format!("{}: {}", item.container.describe(), first.text),
                )
                .label(label)
                .help(text);
            if first.severity != Severity::Error {
                reported.severity(first.severity);
            }
        }
    }
}

/// What to do: the release to move to, written as an image reference when it can be.
fn help(
    controller: &Controller,
    image: &ImageRef<'_>,
    tag: &str,
    version: &Version,
    problems: &[Problem],
    target: KubeVersion,
) -> String {
    let name = &controller.name;
    let Some((release, why)) = controller.recommendation(target) else {
        return format!("no known {name} release fits Kubernetes {target}");
    };
    let Some(recommended) = Version::parse(&release).filter(|_| !release.contains(' ')) else {
        return format!("move to {name} {release}: {why}");
    };
    // Moving "down" only helps when this release cannot serve the target at all.
    let must_move = problems
        .iter()
        .any(|p| matches!(p.kind, ProblemKind::Break | ProblemKind::Unsupported));
    if !recommended.compare(version).is_gt() && !must_move {
        return format!("{tag} is already the newest {name} release; the fix is to replace it");
    }
    let repository = image.repository();
    let mut notes = Vec::new();
    let (target_image, prefix) = match controller.moved_to(&repository) {
        Some(canonical) => {
            notes.push(format!("`{}` gets no new releases", image.name()));
            (
                canonical.to_string(),
                controller.tag_prefix.clone().unwrap_or_default(),
            )
        }
        None => {
            let prefix = if tag.starts_with(['v', 'V']) { "v" } else { "" };
            (image.name().to_string(), prefix.to_string())
        }
    };
    if image.digest.is_some() {
        notes.push("update the digest too".to_string());
    }
    let reference = match &version.variant {
        Some(variant) => {
            notes.push(format!(
                "use the {release} build of your `{variant}` variant"
            ));
            format!("{target_image}:{prefix}{release}-…")
        }
        None => format!("{target_image}:{prefix}{release}"),
    };
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join("; "))
    };
    format!("move to `{reference}`, {why}{notes}")
}
