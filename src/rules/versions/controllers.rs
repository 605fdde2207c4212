//! The ingress controller table (`rules/data/ingress-controllers.yaml`): which images are ingress
//! controllers, and what a release of each can serve at a target Kubernetes release.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Severity;
use crate::kube_version::KubeVersion;
use crate::view::image::Version;

/// Releases that cannot work, always or on some Kubernetes releases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Break {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below: Option<String>,
    /// Broken on this Kubernetes release and later (an API the controller needs is gone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_from: Option<KubeVersion>,
    /// Broken on Kubernetes releases before this one (an API it needs is missing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_below: Option<KubeVersion>,
    pub reason: String,
}

/// A row of a published support matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SupportRow {
    pub from: String,
    pub below: String,
    pub kube_min: KubeVersion,
    pub kube_max: KubeVersion,
    /// The newest release of the row, to suggest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct EndOfLife {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below: Option<String>,
    pub since: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Floor {
    pub version: String,
    pub reason: String,
}

/// One ingress controller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Controller {
    pub name: String,
    /// Fully qualified repositories (`docker.io/library/traefik`); a trailing `*` is a prefix.
    pub images: Vec<String>,
    /// Repositories that receive no new releases (an old registry); the help suggests `image`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub frozen_images: Vec<String>,
    /// Where new releases are published, suggested in place of a frozen repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// How `image` spells versions in tags (`v` for `v1.15.1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub breaks: Vec<Break>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub support: Vec<SupportRow>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub end_of_life: Vec<EndOfLife>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<Floor>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    controllers: Vec<Controller>,
}

pub static BUILTIN: LazyLock<Vec<Controller>> = LazyLock::new(|| {
    crate::rules::data::read::<File>(
        "ingress-controllers",
        crate::rules::data::json!("ingress-controllers"),
    )
    .controllers
});

/// The built-in controllers with the configured ones on top (same name: replaced).
pub fn table(extra: &[Controller]) -> Vec<Controller> {
    let mut out = BUILTIN.clone();
    for controller in extra {
        match out.iter_mut().find(|c| c.name == controller.name) {
            Some(existing) => *existing = controller.clone(),
            None => out.push(controller.clone()),
        }
    }
    out
}

fn matches_any(patterns: &[String], repository: &str) -> bool {
    patterns
        .iter()
        .any(|pattern| match pattern.strip_suffix('*') {
            Some(prefix) => repository.starts_with(prefix),
            None => repository == pattern,
        })
}

/// The controller whose image lists hold `repository` (fully qualified).
pub fn find<'t>(table: &'t [Controller], repository: &str) -> Option<&'t Controller> {
    table
        .iter()
        .find(|c| matches_any(&c.images, repository) || matches_any(&c.frozen_images, repository))
}

fn parse(text: &str) -> Version {
    // Data is checked by a test; an unparsable bound matches nothing rather than panicking.
    Version::parse(text).unwrap_or(Version {
        numbers: vec![u64::MAX],
        pre: None,
        variant: None,
    })
}

/// `from <= version < below`, each bound optional. A moving tag (`1.7`) counts as the newest
/// release of its line (see [`Version::compare`]).
fn in_range(version: &Version, from: Option<&str>, below: Option<&str>) -> bool {
    from.is_none_or(|f| version.at_least(&parse(f)))
        && below.is_none_or(|b| !version.at_least(&parse(b)))
}

/// Why a release does not fit the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// Cannot work (an API it needs is gone or missing, or a known-bad release).
    Break,
    /// Outside the published support matrix.
    Unsupported,
    /// Past end of life.
    EndOfLife,
    /// Older than the oldest release that gets fixes.
    BelowFloor,
}

/// One reason a release does not fit the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub severity: Severity,
    pub text: String,
}

impl Controller {
    /// The repository to suggest instead of `repository`, when that one gets no new releases.
    pub fn moved_to(&self, repository: &str) -> Option<&str> {
        if matches_any(&self.frozen_images, repository) {
            self.image.as_deref()
        } else {
            None
        }
    }

    /// Everything wrong with `version` at `target`, worst first.
    pub fn problems(&self, version: &Version, shown: &str, target: KubeVersion) -> Vec<Problem> {
        let name = &self.name;
        let mut out = Vec::new();
        for b in &self.breaks {
            if !in_range(version, b.from.as_deref(), b.below.as_deref()) {
                continue;
            }
            let text = match (b.kube_from, b.kube_below) {
                (Some(k), _) if target >= k => {
                    format!(
                        "{name} {shown} cannot serve Kubernetes {target}: {}",
                        b.reason
                    )
                }
                (_, Some(k)) if target < k => {
                    format!(
                        "{name} {shown} cannot run on Kubernetes {target}: {}",
                        b.reason
                    )
                }
                (None, None) => format!("{name} {shown} is a known-bad release: {}", b.reason),
                _ => continue,
            };
            out.push(Problem {
                kind: ProblemKind::Break,
                severity: Severity::Error,
                text,
            });
        }
        if let Some(row) = self
            .support
            .iter()
            .find(|r| in_range(version, Some(&r.from), Some(&r.below)))
            && (target < row.kube_min || target > row.kube_max)
        {
            out.push(Problem {
                kind: ProblemKind::Unsupported,
                severity: Severity::Warning,
                text: format!(
                    "{name} {shown} is not supported on Kubernetes {target}: its project tests it on {} to {}",
                    row.kube_min, row.kube_max
                ),
            });
        }
        for eol in &self.end_of_life {
            if in_range(version, eol.from.as_deref(), eol.below.as_deref()) {
                out.push(Problem {
                    kind: ProblemKind::EndOfLife,
                    severity: Severity::Warning,
                    text: format!(
                        "{name} {shown} is past end of life since {}: {}",
                        eol.since, eol.reason
                    ),
                });
            }
        }
        if let Some(floor) = &self.floor
            && !version.at_least(&parse(&floor.version))
            // An end-of-life line already says it more precisely.
            && !out.iter().any(|p| p.kind == ProblemKind::EndOfLife)
        {
            out.push(Problem {
                kind: ProblemKind::BelowFloor,
                severity: Severity::Warning,
                text: format!(
                    "{name} {shown} is older than {}, the oldest release that gets fixes: {}",
                    floor.version, floor.reason
                ),
            });
        }
        out.sort_by_key(|p| std::cmp::Reverse(p.severity));
        out
    }

    fn broken_at(&self, version: &Version, target: KubeVersion) -> bool {
        self.breaks.iter().any(|b| {
            in_range(version, b.from.as_deref(), b.below.as_deref())
                && match (b.kube_from, b.kube_below) {
                    (Some(k), _) if target >= k => true,
                    (_, Some(k)) if target < k => true,
                    (None, None) => true,
                    _ => false,
                }
        })
    }

    /// The release to move to for `target`, and why that one.
    pub fn recommendation(&self, target: KubeVersion) -> Option<(String, String)> {
        // The newest support row that covers the target.
        let row = self
            .support
            .iter()
            .filter(|r| r.kube_min <= target && target <= r.kube_max)
            .max_by(|a, b| parse(&a.from).compare(&parse(&b.from)));
        if let Some(row) = row {
            let why = format!("the newest release tested on Kubernetes {target}");
            return Some(match &row.last {
                Some(last) => (last.clone(), why),
                None => {
                    let from = parse(&row.from);
                    let line: Vec<String> =
                        from.numbers.iter().take(2).map(u64::to_string).collect();
                    (format!("the newest {} release", line.join(".")), why)
                }
            });
        }
        if let Some(latest) = &self.latest
            && !self.broken_at(&parse(latest), target)
        {
            let why = if self.support.is_empty() {
                "the newest release".to_string()
            } else {
                format!("the newest release; no release is listed as tested on Kubernetes {target}")
            };
            return Some((latest.clone(), why));
        }
        // No latest known: the first release past every break that applies at the target.
        let below = self
            .breaks
            .iter()
            .filter(|b| match (b.kube_from, b.kube_below) {
                (Some(k), _) => target >= k,
                (_, Some(k)) => target < k,
                (None, None) => true,
            })
            .filter_map(|b| b.below.as_deref())
            .max_by(|a, b| parse(a).compare(&parse(b)))?;
        Some((
            format!("{below} or later"),
            format!("releases from {below} on can serve Kubernetes {target}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::image::TagVersion;

    fn v(tag: &str) -> Version {
        match TagVersion::parse(tag) {
            TagVersion::Version(v) => v,
            TagVersion::Unorderable(why) => panic!("{why}"),
        }
    }

    fn k(minor: u32) -> KubeVersion {
        KubeVersion::new(1, minor)
    }

    fn controller(name: &str) -> Controller {
        BUILTIN.iter().find(|c| c.name == name).unwrap().clone()
    }

    #[test]
    fn embedded_table_parses_and_its_versions_are_versions() {
        let table = &*BUILTIN;
        assert!(table.len() >= 10);
        let mut names = std::collections::BTreeSet::new();
        let mut images = std::collections::BTreeSet::new();
        for c in table {
            assert!(names.insert(c.name.clone()), "{} listed twice", c.name);
            if !c.frozen_images.is_empty() {
                assert!(
                    c.image.as_ref().is_some_and(|i| c.images.contains(i)),
                    "{}",
                    c.name
                );
            }
            for image in c.images.iter().chain(&c.frozen_images) {
                assert!(images.insert(image.clone()), "{image} listed twice");
                assert!(
                    image.contains('/') && image == &image.to_lowercase(),
                    "{image}"
                );
            }
            let mut versions: Vec<&str> = Vec::new();
            versions.extend(c.latest.as_deref());
            for b in &c.breaks {
                versions.extend(b.from.as_deref());
                versions.extend(b.below.as_deref());
                assert!(!b.reason.is_empty());
            }
            for r in &c.support {
                versions.extend([r.from.as_str(), r.below.as_str()]);
                versions.extend(r.last.as_deref());
                assert!(r.kube_min <= r.kube_max, "{}: {r:?}", c.name);
                if let Some(last) = &r.last {
                    assert!(
                        in_range(&v(last), Some(&r.from), Some(&r.below)),
                        "{}: last {last} outside its row",
                        c.name
                    );
                }
            }
            for e in &c.end_of_life {
                versions.extend(e.from.as_deref());
                versions.extend(e.below.as_deref());
            }
            versions.extend(c.floor.as_ref().map(|f| f.version.as_str()));
            for text in versions {
                assert!(Version::parse(text).is_some(), "{}: `{text}`", c.name);
            }
            // Support rows are sorted and do not overlap.
            for pair in c.support.windows(2) {
                assert!(
                    !v(&pair[1].from).compare(&v(&pair[0].below)).is_lt(),
                    "{}: rows {:?} and {:?} overlap or are out of order",
                    c.name,
                    pair[0].from,
                    pair[1].from
                );
            }
        }
    }

    #[test]
    fn traefik_verdicts() {
        let traefik = controller("Traefik");
        let worst = |tag: &str, target| {
            traefik
                .problems(&v(tag), tag, k(target))
                .first()
                .map(|p| p.severity)
        };
        // Seed 004: 1.7.9 is known bad at any target, and cannot serve 1.22.
        assert_eq!(worst("1.7.9", 21), Some(Severity::Error));
        assert_eq!(worst("1.7.9", 22), Some(Severity::Error));
        let problems = traefik.problems(&v("1.7.9"), "1.7.9", k(22));
        assert!(problems[0].text.contains("cannot serve Kubernetes 1.22"));
        assert!(problems.iter().any(|p| p.text.contains("known-bad")));
        // 1.7.30 fixed the parsing, but 1.x still reads extensions/v1beta1 Ingress.
        assert_eq!(worst("v1.7.30", 21), Some(Severity::Warning));
        assert_eq!(worst("v1.7.30", 22), Some(Severity::Error));
        assert_eq!(worst("1.7", 21), Some(Severity::Warning));
        assert_eq!(worst("2.4.13", 22), Some(Severity::Error));
        assert_eq!(worst("2.5.0", 22), Some(Severity::Warning));
        assert_eq!(worst("v3.6.4", 35), Some(Severity::Warning));
        assert_eq!(worst("v3.7", 35), None);
        assert_eq!(worst("3.7.9-alpine", 35), None);
        assert_eq!(worst("v3.7.9", 18), Some(Severity::Error));
        assert_eq!(
            traefik.recommendation(k(22)).map(|r| r.0),
            Some("3.7.9".to_string())
        );
    }

    #[test]
    fn ingress_nginx_verdicts_and_recommendations() {
        let nginx = controller("ingress-nginx");
        let worst = |tag: &str, target| {
            nginx
                .problems(&v(tag), tag, k(target))
                .first()
                .map(|p| p.severity)
        };
        assert_eq!(worst("0.49.3", 21), Some(Severity::Warning));
        assert_eq!(worst("0.49.3", 22), Some(Severity::Error));
        assert_eq!(worst("0.24.1", 22), Some(Severity::Error));
        assert_eq!(worst("v1.0.0", 22), Some(Severity::Warning));
        assert_eq!(worst("v1.15.1", 35), Some(Severity::Warning));
        let current = nginx.problems(&v("v1.15.1"), "v1.15.1", k(35));
        assert_eq!(current.len(), 1, "{current:?}");
        assert!(current[0].text.contains("retired"));
        let old = nginx.problems(&v("v1.9.6"), "v1.9.6", k(35));
        assert!(old[0].text.contains("tests it on 1.25 to 1.29"), "{old:?}");
        assert_eq!(nginx.recommendation(k(22)).unwrap().0, "1.4.0");
        assert_eq!(nginx.recommendation(k(35)).unwrap().0, "1.15.1");
        assert_eq!(nginx.recommendation(k(37)).unwrap().0, "1.15.1");
    }

    #[test]
    fn recommendation_without_latest_names_the_first_fixed_release() {
        let f5 = controller("NGINX Ingress Controller (F5 NGINX)");
        assert_eq!(f5.recommendation(k(22)).unwrap().0, "2.0.0 or later");
        let problems = f5.problems(&v("1.12.0"), "1.12.0", k(22));
        assert_eq!(problems[0].severity, Severity::Error);
    }

    #[test]
    fn lookups_and_overrides() {
        let table = table(&[Controller {
            name: "Traefik".into(),
            images: vec!["registry.example.com/mirror/traefik".into()],
            frozen_images: Vec::new(),
            image: None,
            tag_prefix: None,
            latest: None,
            breaks: Vec::new(),
            support: Vec::new(),
            end_of_life: Vec::new(),
            floor: None,
        }]);
        assert!(find(&table, "docker.io/library/traefik").is_none());
        assert_eq!(
            find(&table, "registry.example.com/mirror/traefik").map(|c| c.name.as_str()),
            Some("Traefik")
        );
        assert_eq!(
            find(&table, "registry.k8s.io/ingress-nginx/controller").map(|c| c.name.as_str()),
            Some("ingress-nginx")
        );
    }
}
