//! Container image references (`registry:5000/team/app:1.2.3@sha256:…`) and their tag versions.
//!
//! The parser keeps the byte range of every part, so a finding can underline just the `:latest`
//! of an image. It follows the grammar of the reference implementation (distribution/reference)
//! where it matters to rules, and is lenient elsewhere: anything that is not an image a registry
//! could serve (a Helm or Kustomize placeholder, a `ko://` import path, an empty string) is
//! classified rather than rejected, so no rule raises a false alarm on it.
//!
//! Tag versions are read leniently: `v1.7.9`, `1.7`, `1.7.9-alpine` (a variant, not a
//! pre-release), `v1.0.0-beta.1` (a pre-release). Tags that are not versions (`latest`,
//! `sha-abc123`, a bare commit hash) cannot be ordered, and [`TagVersion::parse`] says why.

use std::cmp::Ordering;
use std::ops::Range;

use crate::source::Span;
use crate::yaml::{NodeRef, ScalarStyle};

/// The registry an image without one is pulled from.
pub const DEFAULT_REGISTRY: &str = "docker.io";

/// A parsed image reference. Ranges are byte offsets into [`ImageRef::text`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// The reference as written (surrounding whitespace removed).
    pub text: &'a str,
    /// `registry.example.com:5000`, when the first path component names a registry.
    pub registry: Option<Range<usize>>,
    /// `team/app`: the path inside the registry.
    pub path: Range<usize>,
    /// `1.2.3` (without the colon).
    pub tag: Option<Range<usize>>,
    /// `sha256:…` (without the `@`).
    pub digest: Option<Range<usize>>,
}

/// What an `image:` value is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Image<'a> {
    /// A reference a registry can serve.
    Ref(ImageRef<'a>),
    /// Filled in later by a tool: `ko://github.com/…` (ko), `{{ .Values.image }}` (an unrendered
    /// template), `$(IMAGE)` / `${IMAGE}` (variable substitution), `REPLACE_ME`, `<image>`, and Go
    /// import paths (`github.com/org/repo/cmd/app`, resolved by ko).
    Placeholder,
    /// Empty or not a valid reference; the API server or a schema rule reports it.
    Invalid,
}

impl<'a> Image<'a> {
    /// Classifies and parses an `image:` value.
    pub fn parse(value: &'a str) -> Image<'a> {
        let text = value.trim();
        if text.is_empty() {
            return Image::Invalid;
        }
        if is_placeholder(text) {
            return Image::Placeholder;
        }
        match ImageRef::parse(text) {
            // A Go import path that ko resolves (`ko resolve` accepted them without `ko://`
            // before 2020): code hosts serve no images.
            Some(image) if image.registry().is_some_and(|r| GO_HOSTS.contains(&r)) => {
                Image::Placeholder
            }
            Some(image) => Image::Ref(image),
            None => Image::Invalid,
        }
    }
}

/// Hosts of Go import paths, which no container registry answers to.
const GO_HOSTS: [&str; 8] = [
    "github.com",
    "gitlab.com",
    "bitbucket.org",
    "golang.org",
    "k8s.io",
    "sigs.k8s.io",
    "knative.dev",
    "gopkg.in",
];

/// Templated, substituted or tool-resolved values: never an image as written.
fn is_placeholder(text: &str) -> bool {
    const MARKERS: [&str; 6] = ["{{", "}}", "$(", "${", "://", "%{"];
    if MARKERS.iter().any(|m| text.contains(m))
        || text.starts_with('<')
        || text.starts_with('$')
        || text.chars().any(char::is_whitespace)
    {
        return true;
    }
    // Repository paths are lowercase; `REPLACE_ME`, `IMAGE`, `MY_IMAGE:TAG` are placeholders.
    let name = text.split(['@', ':']).next().unwrap_or(text);
    name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

fn is_path_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-' | '/')
}

fn is_tag(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && s.len() <= 128
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fn is_digest(s: &str) -> bool {
    let Some((algorithm, hex)) = s.split_once(':') else {
        return false;
    };
    !algorithm.is_empty()
        && algorithm.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '+' | '.' | '_' | '-')
        })
        && hex.len() >= 32
        && hex.chars().all(|c| c.is_ascii_hexdigit())
}

fn is_registry(component: &str) -> bool {
    component.contains(['.', ':']) || component == "localhost"
}

impl<'a> ImageRef<'a> {
    /// Parses a reference; `None` when it is not one.
    pub fn parse(text: &'a str) -> Option<ImageRef<'a>> {
        let (name_tag, digest) = match text.split_once('@') {
            Some((name, digest)) => {
                if !is_digest(digest) {
                    return None;
                }
                (name, Some(name.len() + 1..text.len()))
            }
            None => (text, None),
        };
        let last_slash = name_tag.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name_tag[last_slash..].rfind(':') {
            Some(i) => {
                let colon = last_slash + i;
                if !is_tag(&name_tag[colon + 1..]) {
                    return None;
                }
                (&name_tag[..colon], Some(colon + 1..name_tag.len()))
            }
            None => (name_tag, None),
        };
        let (registry, path) = match name.split_once('/') {
            Some((first, _)) if is_registry(first) => {
                (Some(0..first.len()), first.len() + 1..name.len())
            }
            _ => (None, 0..name.len()),
        };
        if let Some(registry) = &registry {
            let host = &text[registry.clone()];
            let valid = host.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']' | '_')
            });
            if !valid {
                return None;
            }
        }
        let path_text = &text[path.clone()];
        if path_text.is_empty()
            || !path_text.chars().all(is_path_char)
            || path_text.split('/').any(|c| {
                c.is_empty()
                    || !c.starts_with(|ch: char| ch.is_ascii_alphanumeric())
                    || !c.ends_with(|ch: char| ch.is_ascii_alphanumeric())
            })
        {
            return None;
        }
        Some(ImageRef {
            text,
            registry,
            path,
            tag,
            digest,
        })
    }

    pub fn registry(&self) -> Option<&'a str> {
        self.registry.clone().map(|r| &self.text[r])
    }

    pub fn path(&self) -> &'a str {
        &self.text[self.path.clone()]
    }

    pub fn tag(&self) -> Option<&'a str> {
        self.tag.clone().map(|r| &self.text[r])
    }

    pub fn digest(&self) -> Option<&'a str> {
        self.digest.clone().map(|r| &self.text[r])
    }

    /// Registry and path without tag or digest: `quay.io/org/app`, or `traefik` as written.
    pub fn name(&self) -> &'a str {
        &self.text[..self.path.end]
    }

    /// The fully qualified repository: `traefik` is `docker.io/library/traefik`,
    /// `traefik/whoami` is `docker.io/traefik/whoami`; `index.docker.io` and
    /// `registry-1.docker.io` are `docker.io`.
    pub fn repository(&self) -> String {
        let registry = match self.registry() {
            None | Some("index.docker.io" | "registry-1.docker.io" | "docker.io") => {
                DEFAULT_REGISTRY
            }
            Some(other) => other,
        };
        let path = self.path();
        if registry == DEFAULT_REGISTRY && !path.contains('/') {
            format!("{registry}/library/{path}")
        } else {
            format!("{registry}/{path}")
        }
    }

    /// The range to underline for the tag, including its colon (`:latest`).
    pub fn tag_with_colon(&self) -> Option<Range<usize>> {
        self.tag.clone().map(|r| r.start - 1..r.end)
    }
}

/// Where the text of a scalar starts in its file, when it appears there verbatim: a plain
/// scalar, or a quoted one without escapes. `None` for an alias (the text is elsewhere), block
/// scalars, and scalars whose escapes or folding changed the text.
pub fn scalar_text_start(node: NodeRef<'_>) -> Option<usize> {
    if node.id != node.site {
        return None;
    }
    let span = node.span();
    let value = node.scalar()?;
    let source = node.doc.text();
    let (start, end) = (span.start as usize, span.end as usize);
    if source.get(start..end) == Some(value) {
        return Some(start);
    }
    match node.style()? {
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted if end >= start + 2 => {
            (source.get(start + 1..end - 1) == Some(value)).then_some(start + 1)
        }
        _ => None,
    }
}

/// An `image:` value node with the span of a part of it: the part when the text is verbatim in
/// the file, else the whole value.
pub fn sub_span(node: NodeRef<'_>, text: &str, part: Range<usize>) -> Span {
    match scalar_text_start(node) {
        Some(start) => {
            // `text` is the trimmed value: find where it starts inside the scalar.
            let offset = node
                .scalar()
                .and_then(|value| value.find(text))
                .unwrap_or(0);
            Span::new(start + offset + part.start, start + offset + part.end)
        }
        None => node.span(),
    }
}

/// A version read from an image tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    /// `[1, 7, 9]` for `v1.7.9`; `[1, 7]` for `1.7`.
    pub numbers: Vec<u64>,
    /// `beta.1` for `v1.0.0-beta.1`.
    pub pre: Option<String>,
    /// `alpine` for `1.7.9-alpine`: a build of the same version, ignored when ordering.
    pub variant: Option<String>,
}

/// What a tag says about the version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TagVersion {
    Version(Version),
    /// Not a version; the reason is ready for a message ("`latest` is not a version").
    Unorderable(String),
}

/// Words that start a pre-release suffix (`-rc.1`, `-beta2`); anything else after a `-` is a
/// variant (`-alpine`, `-debian-12-r1`, `-ubi`).
const PRE_RELEASE: [&str; 8] = [
    "alpha", "beta", "rc", "pre", "preview", "dev", "snapshot", "canary",
];

fn is_pre_release(segment: &str) -> bool {
    let lower = segment.to_ascii_lowercase();
    PRE_RELEASE.iter().any(|word| {
        lower.strip_prefix(word).is_some_and(|rest| {
            rest.is_empty()
                || rest
                    .trim_start_matches(['.', '_'])
                    .chars()
                    .all(|c| c.is_ascii_digit())
        })
    })
}

impl TagVersion {
    /// Reads a tag: an optional `v`, one to four dot-separated numbers, then an optional
    /// `-pre-release` and/or `-variant`, and `+build` metadata (ignored).
    pub fn parse(tag: &str) -> TagVersion {
        let not = |why: &str| TagVersion::Unorderable(format!("`{tag}` {why}"));
        let body = tag.strip_prefix(['v', 'V']).unwrap_or(tag);
        let body = body.split_once('+').map_or(body, |(b, _)| b);
        let core_end = body
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(body.len());
        let (core, rest) = body.split_at(core_end);
        if core.is_empty() || !core.starts_with(|c: char| c.is_ascii_digit()) {
            return not("is not a version");
        }
        let core = core.strip_suffix('.').unwrap_or(core);
        let parts: Vec<&str> = core.split('.').collect();
        if parts.len() > 4 || parts.iter().any(|p| p.is_empty()) {
            return not("is not a version");
        }
        let mut numbers = Vec::with_capacity(parts.len());
        for part in parts {
            // Leading zeros are fine in dates (`v20220916`) but too long a number is a hash.
            if part.len() > 12 {
                return not("is not a version");
            }
            numbers.push(part.parse::<u64>().unwrap_or(u64::MAX));
        }
        let (mut pre, mut variant) = (None, None);
        if !rest.is_empty() {
            let rest = match rest.strip_prefix(['-', '_']) {
                Some(rest) => rest,
                // `1.0rc1`: a pre-release glued to the number; anything else glued on (`3a4f5e`)
                // means the tag is a hash or a name that starts with digits.
                None if is_pre_release(rest) => rest,
                None => return not("is not a version (it looks like a hash or a name)"),
            };
            if rest.is_empty() {
                return not("is not a version");
            }
            // The pre-release is the first segment and any `.N` parts after it (`beta.1`).
            let mut segments = rest.split('-');
            let first = segments.next().unwrap_or_default();
            let head = first.split('.').next().unwrap_or_default();
            if is_pre_release(head) || is_pre_release(first) {
                pre = Some(first.to_string());
                let remaining: Vec<&str> = segments.collect();
                if !remaining.is_empty() {
                    variant = Some(remaining.join("-"));
                }
            } else {
                variant = Some(rest.to_string());
            }
        }
        TagVersion::Version(Version {
            numbers,
            pre,
            variant,
        })
    }

    pub fn version(&self) -> Option<&Version> {
        match self {
            TagVersion::Version(v) => Some(v),
            TagVersion::Unorderable(_) => None,
        }
    }
}

impl Version {
    /// Parses a plain version (`1.7.30`, `v1.0.0-beta.1`), as written in data files.
    pub fn parse(text: &str) -> Option<Version> {
        match TagVersion::parse(text) {
            TagVersion::Version(v) => Some(v),
            TagVersion::Unorderable(_) => None,
        }
    }

    /// Orders two versions; the variant is ignored. A version with fewer numbers is a tag that
    /// moves with its line (`1.7` is whatever the newest 1.7 release is), so its missing numbers
    /// count as higher than any: `1.7` > `1.7.30`, but `1.7` < `1.8.0`.
    pub fn compare(&self, other: &Version) -> Ordering {
        let len = self.numbers.len().max(other.numbers.len());
        for i in 0..len {
            let a = self.numbers.get(i).copied().unwrap_or(u64::MAX);
            let b = other.numbers.get(i).copied().unwrap_or(u64::MAX);
            match a.cmp(&b) {
                Ordering::Equal => {}
                unequal => return unequal,
            }
        }
        match (&self.pre, &other.pre) {
            (None, None) => Ordering::Equal,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(a), Some(b)) => compare_pre(a, b),
        }
    }

    /// True when this version is at least `floor` (see [`Version::compare`]).
    pub fn at_least(&self, floor: &Version) -> bool {
        self.compare(floor) != Ordering::Less
    }

    /// `1.7.9`, `1.0.0-beta.1` (no `v`, no variant).
    pub fn display(&self) -> String {
        let numbers: Vec<String> = self.numbers.iter().map(u64::to_string).collect();
        match &self.pre {
            Some(pre) => format!("{}-{pre}", numbers.join(".")),
            None => numbers.join("."),
        }
    }
}

/// Semver-style pre-release order: dot-separated identifiers, numbers numerically, and the
/// number glued to a word (`rc2`, `beta10`) compared as a number too.
fn compare_pre(a: &str, b: &str) -> Ordering {
    fn split(id: &str) -> (String, Option<u64>) {
        let digits = id.len() - id.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let (word, number) = id.split_at(id.len() - digits);
        (word.to_ascii_lowercase(), number.parse().ok())
    }
    let mut left = a.split('.');
    let mut right = b.split('.');
    loop {
        match (left.next(), right.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let ordering = split(x).cmp(&split(y));
                if ordering != Ordering::Equal {
                    return ordering;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> (Option<&str>, &str, Option<&str>, Option<&str>) {
        match Image::parse(text) {
            Image::Ref(r) => (r.registry(), r.path(), r.tag(), r.digest()),
            other => panic!("{text}: {other:?}"),
        }
    }

    const DIGEST: &str = "sha256:0851b34f69f69352bf168e6ccf30e1e20714a264ab1ecd1933e4d8c0fc3215c6";

    #[test]
    fn parses_references() {
        assert_eq!(parts("nginx"), (None, "nginx", None, None));
        assert_eq!(
            parts("nginx:1.19-alpine"),
            (None, "nginx", Some("1.19-alpine"), None)
        );
        assert_eq!(
            parts("traefik/traefik:latest"),
            (None, "traefik/traefik", Some("latest"), None)
        );
        assert_eq!(
            parts("registry.example.com:5000/team/app:1.2.3"),
            (
                Some("registry.example.com:5000"),
                "team/app",
                Some("1.2.3"),
                None
            )
        );
        assert_eq!(
            parts("localhost:5000/app"),
            (Some("localhost:5000"), "app", None, None)
        );
        assert_eq!(
            parts("localhost/app:v1"),
            (Some("localhost"), "app", Some("v1"), None)
        );
        let with_digest = format!("k8s.gcr.io/ingress-nginx/controller:v1.0.0@{DIGEST}");
        assert_eq!(
            parts(&with_digest),
            (
                Some("k8s.gcr.io"),
                "ingress-nginx/controller",
                Some("v1.0.0"),
                Some(DIGEST)
            )
        );
        let digest_only = format!("mirror.gcr.io/alpine@{DIGEST}");
        assert_eq!(
            parts(&digest_only),
            (Some("mirror.gcr.io"), "alpine", None, Some(DIGEST))
        );
        // A port but no tag: the colon belongs to the registry.
        assert_eq!(
            parts("registry:5000/app"),
            (Some("registry:5000"), "app", None, None)
        );
    }

    #[test]
    fn classifies_placeholders_and_invalid_values() {
        for text in [
            "ko://github.com/tektoncd/pipeline/cmd/controller",
            "{{ .Values.image }}",
            "{{ .Values.image.repository }}:{{ .Values.image.tag }}",
            "$(IMAGE)",
            "${IMAGE}",
            "REPLACE_ME",
            "IMAGE",
            "MY_IMAGE:TAG",
            "<your-image>",
            "repo/app:%{TAG}",
            "github.com/tektoncd/pipeline/cmd/controller",
            "knative.dev/serving/cmd/activator",
        ] {
            assert_eq!(Image::parse(text), Image::Placeholder, "{text}");
        }
        for text in [
            "",
            "  ",
            "Nginx/App:1",
            "nginx:",
            "nginx:-bad",
            "nginx@sha256:abc",
            "/nginx",
            "nginx//x",
        ] {
            assert_eq!(Image::parse(text), Image::Invalid, "{text:?}");
        }
    }

    #[test]
    fn normalizes_repositories() {
        let repo = |t: &str| match Image::parse(t) {
            Image::Ref(r) => r.repository(),
            other => panic!("{other:?}"),
        };
        assert_eq!(repo("traefik:1.7"), "docker.io/library/traefik");
        assert_eq!(repo("traefik/traefik"), "docker.io/traefik/traefik");
        assert_eq!(repo("docker.io/traefik"), "docker.io/library/traefik");
        assert_eq!(
            repo("index.docker.io/library/traefik"),
            "docker.io/library/traefik"
        );
        assert_eq!(
            repo("quay.io/kubernetes-ingress-controller/nginx-ingress-controller:0.24.1"),
            "quay.io/kubernetes-ingress-controller/nginx-ingress-controller"
        );
    }

    fn version(tag: &str) -> Version {
        match TagVersion::parse(tag) {
            TagVersion::Version(v) => v,
            TagVersion::Unorderable(why) => panic!("{tag}: {why}"),
        }
    }

    #[test]
    fn reads_tag_versions() {
        assert_eq!(version("v1.7.9").numbers, [1, 7, 9]);
        let alpine = version("1.7.9-alpine");
        assert_eq!(alpine.numbers, [1, 7, 9]);
        assert_eq!(alpine.pre, None);
        assert_eq!(alpine.variant.as_deref(), Some("alpine"));
        assert_eq!(version("1.7").numbers, [1, 7]);
        let beta = version("v1.0.0-beta.1");
        assert_eq!(beta.pre.as_deref(), Some("beta.1"));
        assert_eq!(beta.variant, None);
        let bitnami = version("1.13.1-debian-12-r1");
        assert_eq!(bitnami.variant.as_deref(), Some("debian-12-r1"));
        let rc_alpine = version("2.0.0-rc1-alpine");
        assert_eq!(rc_alpine.pre.as_deref(), Some("rc1"));
        assert_eq!(rc_alpine.variant.as_deref(), Some("alpine"));
        assert_eq!(version("1.0rc1").pre.as_deref(), Some("rc1"));
        assert_eq!(version("v20220916-gd32f8c343").numbers, [20220916]);
        assert_eq!(version("1.2.3+build.5").numbers, [1, 2, 3]);
        for tag in [
            "latest",
            "sha-abc123",
            "main",
            "3a4f5e1",
            "stable",
            "v",
            "1..2",
            "1.2.3.4.5",
            "1234567890abcdef",
        ] {
            assert!(
                matches!(TagVersion::parse(tag), TagVersion::Unorderable(_)),
                "{tag}"
            );
        }
        match TagVersion::parse("sha-abc") {
            TagVersion::Unorderable(why) => assert_eq!(why, "`sha-abc` is not a version"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn orders_versions() {
        let lt = |a: &str, b: &str| version(a).compare(&version(b)) == Ordering::Less;
        assert!(lt("1.7.9", "1.7.30"));
        assert!(lt("v1.7.9", "1.7.10"));
        assert!(lt("1.0.0-beta.1", "1.0.0"));
        assert!(lt("1.0.0-beta.2", "1.0.0-beta.10"));
        assert!(lt("1.0.0-alpha", "1.0.0-beta"));
        assert!(lt("1.0.0-rc2", "1.0.0-rc10"));
        assert!(lt("0.49.3", "1.0.0"));
        // A moving minor tag is the newest release of its line.
        assert!(lt("1.7.30", "1.7"));
        assert!(lt("1.7", "1.8.0"));
        assert!(lt("1", "2.0"));
        // Variants do not change the order.
        assert_eq!(
            version("1.7.9-alpine").compare(&version("1.7.9")),
            Ordering::Equal
        );
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        fn arb_version() -> impl Strategy<Value = (Vec<u64>, Option<String>)> {
            (
                prop::collection::vec(0u64..1000, 1..=4),
                prop::option::of(prop_oneof![
                    Just("alpha".to_string()),
                    Just("beta.1".to_string()),
                    Just("beta.2".to_string()),
                    Just("rc1".to_string()),
                    Just("rc.10".to_string()),
                ]),
            )
        }

        fn text((numbers, pre): &(Vec<u64>, Option<String>)) -> String {
            let core: Vec<String> = numbers.iter().map(u64::to_string).collect();
            match pre {
                Some(pre) => format!("{}-{pre}", core.join(".")),
                None => core.join("."),
            }
        }

        proptest! {
            #[test]
            fn parse_never_panics(s in "\\PC{0,40}") {
                let _ = Image::parse(&s);
                let _ = TagVersion::parse(&s);
            }

            #[test]
            fn written_versions_read_back(v in arb_version()) {
                let tag = text(&v);
                let parsed = Version::parse(&tag).expect("a written version parses");
                prop_assert_eq!(&parsed.numbers, &v.0);
                prop_assert_eq!(&parsed.pre, &v.1);
                prop_assert_eq!(parsed.display(), tag.clone());
                // `v` prefixes and variants change nothing in the order.
                let variant = Version::parse(&format!("v{tag}-alpine")).expect("parses");
                prop_assert_eq!(variant.compare(&parsed), Ordering::Equal);
            }

            #[test]
            fn order_is_total_and_antisymmetric(a in arb_version(), b in arb_version(), c in arb_version()) {
                let (a, b, c) = (
                    Version::parse(&text(&a)).unwrap(),
                    Version::parse(&text(&b)).unwrap(),
                    Version::parse(&text(&c)).unwrap(),
                );
                prop_assert_eq!(a.compare(&b), b.compare(&a).reverse());
                if a.compare(&b) != Ordering::Greater && b.compare(&c) != Ordering::Greater {
                    prop_assert!(a.compare(&c) != Ordering::Greater);
                }
            }

            #[test]
            fn parts_cover_the_reference(
                registry in prop::option::of("[a-z]{1,8}\\.[a-z]{2,3}(:[0-9]{2,5})?"),
                path in "[a-z0-9]{1,6}(/[a-z0-9]{1,6}){0,2}",
                tag in prop::option::of("[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}"),
                digest in prop::option::of("[0-9a-f]{64}"),
            ) {
                let mut text = String::new();
                if let Some(r) = &registry { text.push_str(r); text.push('/'); }
                text.push_str(&path);
                if let Some(t) = &tag { text.push(':'); text.push_str(t); }
                if let Some(d) = &digest { text.push_str("@sha256:"); text.push_str(d); }
                let Image::Ref(image) = Image::parse(&text) else {
                    return Err(TestCaseError::fail(format!("{text} did not parse")));
                };
                prop_assert_eq!(image.registry(), registry.as_deref());
                prop_assert_eq!(image.path(), path.as_str());
                prop_assert_eq!(image.tag(), tag.as_deref());
                prop_assert_eq!(image.digest().map(|d| d.trim_start_matches("sha256:").to_string()), digest.clone());
                if let Some(range) = image.tag_with_colon() {
                    prop_assert!(text[range].starts_with(':'));
                }
            }
        }
    }
}
