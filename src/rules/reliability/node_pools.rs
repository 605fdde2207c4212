//! What the node-pool rules share: which workloads are ops tooling (from `rules/data/ops-tooling.yaml`),
//! which label keys and taints name a pool and which pools are for ops (`rules/data/node-pools.yaml`),
//! and the pools declared in the configuration seen as node labels and taints.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::config::{NodePool, PoolPurpose};
use crate::object::Object;
use crate::view::placement::{
    LabelState, NodeLabels, Placement, PlacementSite, PoolKeys, Taint, placement_site,
};
use crate::view::{ContainerKind, PodSpec};

/// What an ops tool is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OpsCategory {
    Monitoring,
    Logging,
    Alerting,
    CiCd,
    ServiceMesh,
    Gitops,
    /// Added by the rule's settings.
    Configured,
}

impl OpsCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            OpsCategory::Monitoring => "monitoring",
            OpsCategory::Logging => "logging",
            OpsCategory::Alerting => "alerting",
            OpsCategory::CiCd => "CI/CD",
            OpsCategory::ServiceMesh => "service mesh",
            OpsCategory::Gitops => "GitOps",
            OpsCategory::Configured => "configured as ops tooling",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImagePattern {
    pattern: String,
    category: OpsCategory,
    #[serde(default)]
    sidecar: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NamePattern {
    pattern: String,
    category: OpsCategory,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelPattern {
    key: String,
    category: OpsCategory,
    values: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KindEntry {
    group: String,
    kind: String,
    category: OpsCategory,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Infrastructure {
    namespaces: Vec<String>,
    images: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OpsData {
    images: Vec<ImagePattern>,
    namespaces: Vec<NamePattern>,
    labels: Vec<LabelPattern>,
    kinds: Vec<KindEntry>,
    infrastructure: Infrastructure,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct PoolData {
    pool_label_keys: Vec<String>,
    dedicated_taint_keys: Vec<String>,
    ops_taint_keys: Vec<String>,
    ops_pool_names: Vec<String>,
}

static OPS: LazyLock<OpsData> = LazyLock::new(|| {
    crate::rules::data::read("ops-tooling", crate::rules::data::json!("ops-tooling"))
});

static POOLS: LazyLock<PoolData> = LazyLock::new(|| {
    crate::rules::data::read("node-pools", crate::rules::data::json!("node-pools"))
});

/// Settings shared by the rules that tell ops tooling from customer workloads.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct PoolSettings {
    /// More image patterns that mark ops tooling (globs, as in `rules/data/ops-tooling.yaml`).
    pub extra_image_patterns: Vec<String>,
    /// More namespaces (globs) whose workloads are ops tooling.
    pub extra_namespaces: Vec<String>,
    /// More `key=value` labels that mark ops tooling.
    pub extra_labels: Vec<String>,
    /// Image patterns that never mark ops tooling, checked before the others.
    pub not_ops_images: Vec<String>,
    /// More node label keys that name a pool (a trailing `*` makes a prefix).
    pub pool_label_keys: Vec<String>,
    /// More taint keys whose value names a dedicated pool.
    pub dedicated_taint_keys: Vec<String>,
    /// More pool names that mean "for ops tooling".
    pub ops_pool_names: Vec<String>,
}

/// `*` matches any run of characters (also `/`); everything else matches itself.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

/// The repository path of an image reference, lower-cased, without scheme (`ko://`), registry,
/// tag and digest: `quay.io/prometheus/prometheus:v3.1` → `prometheus/prometheus`.
pub fn image_repository(image: &str) -> String {
    let image = image.trim();
    let image = image.split_once("://").map_or(image, |(_, rest)| rest);
    let image = image.split('@').next().unwrap_or("");
    let mut parts: Vec<&str> = image.split('/').collect();
    if parts.len() > 1 {
        let first = parts[0];
        if first.contains('.') || first.contains(':') || first == "localhost" {
            parts.remove(0);
        }
    }
    if let Some(last) = parts.last_mut()
        && let Some((name, _tag)) = last.split_once(':')
    {
        *last = name;
    }
    parts.join("/").to_ascii_lowercase()
}

/// A pattern without `/` matches the last path component; one with `/` the trailing components.
/// The pattern is lower-case (the [`Classifier`] lowers its patterns once), like the repository.
fn image_matches(pattern: &str, repository: &str) -> bool {
    if !pattern.contains('/') {
        let last = repository.rsplit('/').next().unwrap_or(repository);
        return glob_match(pattern, last);
    }
    if glob_match(pattern, repository) {
        return true;
    }
    repository
        .match_indices('/')
        .any(|(i, _)| glob_match(pattern, &repository[i + 1..]))
}

/// Image patterns in order of precedence, lower-case, with the literal ones (no `*`) also keyed by
/// their text: the first pattern that matches a repository is found with a lookup per path suffix
/// and a try of each `*` pattern, not a try of each of the table's patterns in turn.
struct ImagePatterns<T> {
    /// `(pattern, what it says)`, first match wins.
    all: Vec<(String, T)>,
    /// A literal pattern → its first position in `all`.
    literal: HashMap<String, usize>,
    /// Positions in `all` of the patterns with a `*`, ascending.
    globs: Vec<usize>,
}

impl<T> ImagePatterns<T> {
    fn new(all: Vec<(String, T)>) -> ImagePatterns<T> {
        let mut literal = HashMap::new();
        let mut globs = Vec::new();
        for (at, (pattern, _)) in all.iter().enumerate() {
            if pattern.contains('*') {
                globs.push(at);
            } else {
                literal.entry(pattern.clone()).or_insert(at);
            }
        }
        ImagePatterns {
            all,
            literal,
            globs,
        }
    }

    /// The first pattern that [`image_matches`] `repository`.
    fn first(&self, repository: &str) -> Option<&T> {
        // A literal pattern matches when it equals the repository or one of its trailing path
        // components runs (the last component alone, for a pattern without `/`).
        let mut best = self.literal.get(repository).copied();
        for (i, _) in repository.match_indices('/') {
            if let Some(&at) = self.literal.get(&repository[i + 1..]) {
                best = Some(best.map_or(at, |b| b.min(at)));
            }
        }
        let glob = self
            .globs
            .iter()
            .take_while(|&&at| best.is_none_or(|b| at < b))
            .find(|&&at| image_matches(&self.all[at].0, repository));
        let at = glob.copied().or(best)?;
        Some(&self.all[at].1)
    }
}

/// Whether a pool name means "for ops tooling": equal to a listed name, or containing one as a
/// word between `-`, `_` or `.`. The listed names are lower-case.
fn is_ops_name(names: &[String], name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    names
        .iter()
        .any(|n| name == *n || name.split(['-', '_', '.']).any(|word| word == n))
}

/// Why a workload counts as ops tooling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpsReason {
    /// `image "grafana/grafana:10.4"`, `namespace "monitoring"`, `label app.kubernetes.io/part-of=kube-prometheus`.
    pub what: String,
    pub category: OpsCategory,
}

impl OpsReason {
    /// `image "grafana/grafana:10.4", monitoring`.
    pub fn describe(&self) -> String {
        match self.category {
            OpsCategory::Configured => format!("{}, configured", self.what),
            category => format!("{}, {}", self.what, category.as_str()),
        }
    }
}

/// What a workload is, for the node-pool rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    Ops(OpsReason),
    /// Cluster infrastructure (kube-system, CNI, CSI, cert-manager…): neither side.
    Infrastructure,
    Customer,
}

/// Classifies workloads and reads pools, with the data tables and the rule's settings merged.
pub struct Classifier {
    /// Image patterns, lower-cased once here (they are matched against every container).
    /// What a matching image says: its category, and whether it is a sidecar.
    images: ImagePatterns<(OpsCategory, bool)>,
    not_ops_images: ImagePatterns<()>,
    infrastructure_images: ImagePatterns<()>,
    namespaces: Vec<(String, OpsCategory)>,
    labels: Vec<(String, String, OpsCategory)>,
    pub pool_keys: PoolKeys,
    dedicated_taint_keys: PoolKeys,
    ops_taint_keys: Vec<String>,
    ops_pool_names: Vec<String>,
}

impl Classifier {
    pub fn new(settings: &PoolSettings) -> Classifier {
        let ops = &*OPS;
        let pools = &*POOLS;
        let mut images: Vec<(String, (OpsCategory, bool))> = settings
            .extra_image_patterns
            .iter()
            .map(|p| (p.to_ascii_lowercase(), (OpsCategory::Configured, false)))
            .collect();
        images.extend(
            ops.images
                .iter()
                .map(|i| (i.pattern.to_ascii_lowercase(), (i.category, i.sidecar))),
        );
        let lower = |patterns: &[String]| -> Vec<String> {
            patterns.iter().map(|p| p.to_ascii_lowercase()).collect()
        };
        let patterns = |patterns: &[String]| {
            ImagePatterns::new(
                patterns
                    .iter()
                    .map(|p| (p.to_ascii_lowercase(), ()))
                    .collect(),
            )
        };
        let mut namespaces: Vec<(String, OpsCategory)> = settings
            .extra_namespaces
            .iter()
            .map(|n| (n.clone(), OpsCategory::Configured))
            .collect();
        namespaces.extend(
            ops.namespaces
                .iter()
                .map(|n| (n.pattern.clone(), n.category)),
        );
        let mut labels: Vec<(String, String, OpsCategory)> = settings
            .extra_labels
            .iter()
            .filter_map(|kv| {
                let (k, v) = kv.split_once('=')?;
                Some((
                    k.trim().to_string(),
                    v.trim().to_string(),
                    OpsCategory::Configured,
                ))
            })
            .collect();
        for label in &ops.labels {
            for value in &label.values {
                labels.push((label.key.clone(), value.clone(), label.category));
            }
        }
        let pool_keys = PoolKeys::from_patterns(
            pools
                .pool_label_keys
                .iter()
                .chain(&settings.pool_label_keys)
                .map(String::as_str),
        );
        let dedicated_taint_keys = PoolKeys::from_patterns(
            pools
                .dedicated_taint_keys
                .iter()
                .chain(&settings.dedicated_taint_keys)
                .map(String::as_str),
        );
        let mut ops_pool_names = lower(&pools.ops_pool_names);
        ops_pool_names.extend(lower(&settings.ops_pool_names));
        Classifier {
            images: ImagePatterns::new(images),
            not_ops_images: patterns(&settings.not_ops_images),
            infrastructure_images: patterns(&ops.infrastructure.images),
            namespaces,
            labels,
            pool_keys,
            dedicated_taint_keys,
            ops_taint_keys: pools.ops_taint_keys.clone(),
            ops_pool_names,
        }
    }

    /// Pool keys including those of the declared pools.
    pub fn pool_keys_with(&self, pools: &[NodePool]) -> PoolKeys {
        let mut keys = self.pool_keys.clone();
        for pool in pools {
            for key in pool.spec.labels.keys() {
                keys.add_exact(key);
            }
        }
        keys
    }

    /// The first pattern that matches `image`: (category, sidecar).
    fn image_category(&self, image: &str) -> Option<(OpsCategory, bool)> {
        let repository = image_repository(image);
        if repository.is_empty() || self.not_ops_images.first(&repository).is_some() {
            return None;
        }
        self.images.first(&repository).copied()
    }

    fn ops_by_image(&self, object: &Object<'_>, pod: &PodSpec<'_>) -> Option<OpsReason> {
        let mut images: Vec<&str> = Vec::new();
        // A Prometheus resource names its main image in `spec.image`.
        if let Some(image) = pod.node.get_str("image")
            && placement_site(object).is_some()
            && crate::view::pod_spec(object).is_none()
        {
            images.push(image);
        }
        images.extend(
            pod.containers()
                .filter(|c| c.kind == ContainerKind::Container)
                .filter_map(|c| c.node.get_str("image")),
        );
        for (position, image) in images.iter().enumerate() {
            if let Some((category, sidecar)) = self.image_category(image)
                && (!sidecar || position == 0)
            {
                return Some(OpsReason {
                    what: format!("image \"{}\"", image.trim()),
                    category,
                });
            }
        }
        None
    }

    fn ops_by_kind(&self, object: &Object<'_>) -> Option<OpsReason> {
        OPS.kinds
            .iter()
            .find(|k| k.group == object.group && k.kind == object.kind)
            .map(|k| OpsReason {
                what: format!("kind {}", object.kind),
                category: k.category,
            })
    }

    fn ops_by_label(&self, object: &Object<'_>) -> Option<OpsReason> {
        let label_maps = [
            object.metadata().and_then(|m| m.get("labels")),
            object
                .root
                .path(&["spec", "template", "metadata", "labels"]),
            object.root.path(&[
                "spec",
                "jobTemplate",
                "spec",
                "template",
                "metadata",
                "labels",
            ]),
            object.root.path(&["spec", "podMetadata", "labels"]),
        ];
        for map in label_maps.into_iter().flatten() {
            for (key, value, category) in &self.labels {
                if map.get_str(key).is_some_and(|v| v == value) {
                    return Some(OpsReason {
                        what: format!("label {key}={value}"),
                        category: *category,
                    });
                }
            }
        }
        None
    }

    fn ops_by_namespace(&self, namespace: &str) -> Option<OpsReason> {
        self.namespaces
            .iter()
            .find(|(pattern, _)| glob_match(pattern, namespace))
            .map(|(_, category)| OpsReason {
                what: format!("namespace \"{namespace}\""),
                category: *category,
            })
    }

    fn is_infrastructure(&self, pod: &PodSpec<'_>, namespace: &str) -> bool {
        let ops = &*OPS;
        if ops
            .infrastructure
            .namespaces
            .iter()
            .any(|n| glob_match(n, namespace))
        {
            return true;
        }
        let first = pod
            .containers()
            .find(|c| c.kind == ContainerKind::Container)
            .and_then(|c| c.node.get_str("image"));
        first.is_some_and(|image| {
            let repository = image_repository(image);
            self.infrastructure_images.first(&repository).is_some()
        })
    }

    /// Ops tooling by image, kind or labels; then infrastructure; then ops tooling by namespace.
    pub fn role(&self, object: &Object<'_>, site: &PlacementSite<'_>, namespace: &str) -> Role {
        if let Some(reason) = self
            .ops_by_image(object, &site.pod)
            .or_else(|| self.ops_by_kind(object))
            .or_else(|| self.ops_by_label(object))
        {
            return Role::Ops(reason);
        }
        if self.is_infrastructure(&site.pod, namespace) {
            return Role::Infrastructure;
        }
        match self.ops_by_namespace(namespace) {
            Some(reason) => Role::Ops(reason),
            None => Role::Customer,
        }
    }

    /// Whether a pool name (label value, role suffix, taint value) means an ops pool.
    pub fn is_ops_pool_name(&self, name: &str) -> bool {
        is_ops_name(&self.ops_pool_names, name)
    }

    /// For a toleration that names a taint key (and maybe a value): the ops pool it lets the pod
    /// onto, as `key=value` text, when the taint marks one.
    pub fn ops_taint(&self, key: &str, value: Option<&str>) -> Option<String> {
        if self.ops_taint_keys.iter().any(|k| k == key) {
            return Some(match value {
                Some(v) if !v.is_empty() => format!("{key}={v}"),
                _ => key.to_string(),
            });
        }
        let (_, from_key) = self.dedicated_taint_keys.classify(key)?;
        let name = from_key.or(value)?;
        self.is_ops_pool_name(name).then(|| match value {
            Some(v) if !v.is_empty() => format!("{key}={v}"),
            _ => key.to_string(),
        })
    }
}

/// Kinds whose pods run on every node that admits them.
pub fn is_daemon_set(object: &Object<'_>) -> bool {
    object.kind == "DaemonSet" && matches!(object.group, "apps" | "extensions" | "apps.kruise.io")
}

/// Long-running workloads that can stand as "the customer workload" sharing a pool.
pub fn is_long_running(object: &Object<'_>) -> bool {
    !matches!(object.kind, "DaemonSet" | "Job" | "CronJob" | "PodTemplate")
}

/// `Deployment "shop"`, for messages.
pub fn describe(object: &Object<'_>) -> String {
    match object.name {
        Some(name) => format!("{} \"{}\"", object.kind, name),
        None => object.kind.to_string(),
    }
}

/// A declared pool as node labels: its labels are known, other pool label keys are known to be
/// absent (a pool is named by its own labels), anything else is unknown.
pub struct PoolLabels<'p> {
    pub pool: &'p NodePool,
    pub keys: &'p PoolKeys,
}

impl NodeLabels for PoolLabels<'_> {
    fn label(&self, key: &str) -> LabelState<'_> {
        match self.pool.spec.labels.get(key) {
            Some(value) => LabelState::Value(value),
            None if self.keys.contains(key) => LabelState::Absent,
            None => LabelState::Unknown,
        }
    }
}

/// The taints of a declared pool.
pub fn pool_taints(pool: &NodePool) -> Vec<Taint<'_>> {
    pool.spec
        .taints
        .iter()
        .map(|t| Taint {
            key: &t.key,
            value: t.value.as_deref().unwrap_or(""),
            effect: &t.effect,
        })
        .collect()
}

/// Whether pods with this placement may run on `pool`: its labels admit them (or may) and they
/// tolerate its hard taints.
pub fn may_run_on(placement: &Placement<'_>, pool: &NodePool, keys: &PoolKeys) -> bool {
    placement.admits(&PoolLabels { pool, keys }).possible()
        && placement.tolerates_all(&pool_taints(pool))
}

/// The span of the selection that chooses `pool` (a `nodeSelector` entry or a requirement on
/// one of the pool's labels, with a value the pool has).
pub fn selection_of(
    placement: &Placement<'_>,
    pool: &NodePool,
    keys: &PoolKeys,
) -> Option<crate::source::Span> {
    placement.pool_selections(keys).into_iter().find_map(|s| {
        // An exact key: the value names the pool; a role-style key: the key itself does.
        let matches =
            pool.spec.labels.iter().any(|(k, v)| {
                k == s.key && (s.pool_key != s.key || s.values.contains(&v.as_str()))
            });
        matches.then_some(s.span)
    })
}

/// The purpose of a pool, for messages.
pub fn purpose_name(purpose: PoolPurpose) -> &'static str {
    match purpose {
        PoolPurpose::Ops => "ops",
        PoolPurpose::Customer => "customer",
        PoolPurpose::General => "general",
    }
}

/// Help text for pinning an ops workload, using a declared ops pool when there is one.
pub fn pin_help(pools: &[NodePool]) -> String {
    let ops_pool = pools.iter().find(|p| p.spec.purpose == PoolPurpose::Ops);
    let (label, taint) = match ops_pool {
        Some(pool) => (
            pool.spec
                .labels
                .iter()
                .next()
                .map(|(k, v)| (k.clone(), v.clone())),
            pool.spec.taints.first().cloned(),
        ),
        None => (None, None),
    };
    let (key, value) = label.unwrap_or_else(|| ("node-pool".to_string(), "ops".to_string()));
    let mut help = format!(
        "pin it to a dedicated ops pool with a nodeSelector (or required node affinity), and give that pool a taint the pods tolerate, e.g.\n  nodeSelector:\n    {key}: {value}\n  tolerations:\n"
    );
    match taint {
        Some(t) => {
            help.push_str(&format!("    - key: {}\n", t.key));
            match &t.value {
                Some(v) => help.push_str(&format!("      value: {v}\n")),
                None => help.push_str("      operator: Exists\n"),
            }
            help.push_str(&format!("      effect: {}", t.effect));
        }
        None => help.push_str("    - key: dedicated\n      value: ops\n      effect: NoSchedule"),
    }
    help
}

/// A workload of the set with what the node-pool rules need to know of it.
pub struct Workload<'a> {
    pub object: &'a Object<'a>,
    pub site: PlacementSite<'a>,
    pub placement: Placement<'a>,
    pub role: Role,
}

impl Workload<'_> {
    /// Whether a preferred (soft) node affinity names a pool.
    pub fn preferred_pool(&self, keys: &PoolKeys) -> bool {
        self.placement
            .preferred
            .iter()
            .any(|p| p.term.expressions.iter().any(|r| keys.contains(r.key)))
    }
}

/// Every workload of the set, classified.
pub fn workloads<'a>(
    index: &crate::index::Index<'a>,
    classifier: &Classifier,
) -> Vec<Workload<'a>> {
    index
        .objects()
        .iter()
        .filter_map(|object| {
            let site = placement_site(object)?;
            let namespace = index.namespace_of(object);
            Some(Workload {
                object,
                site,
                placement: site.placement(),
                role: classifier.role(object, &site, namespace),
            })
        })
        .collect()
}

/// Sorted by kind, namespace and name, for stable choices among several candidates.
pub fn sort_key<'a>(object: &Object<'a>) -> (&'a str, &'a str, &'a str) {
    (
        object.kind,
        object.namespace.unwrap_or(""),
        object.name.unwrap_or(""),
    )
}

/// Map from a pool's index to the workloads that may run there.
pub type PoolMembers = BTreeMap<usize, Vec<usize>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexed_image_patterns_find_the_first_match() {
        let table: Vec<(String, usize)> = OPS
            .images
            .iter()
            .map(|i| i.pattern.to_ascii_lowercase())
            .chain(["*/prometheus".to_string(), "prometheus".to_string()])
            .enumerate()
            .map(|(at, p)| (p, at))
            .collect();
        let patterns = ImagePatterns::new(table.clone());
        let mut repositories: Vec<String> =
            table.iter().map(|(p, _)| p.replace('*', "x")).collect();
        repositories.extend(
            [
                "prometheus/prometheus",
                "bitnami/grafana",
                "grafana/grafana",
                "library/nginx",
                "a/b/c/fluent-bit",
                "nginx",
                "",
                "x/",
            ]
            .map(String::from),
        );
        for repository in &repositories {
            let linear = table
                .iter()
                .find(|(p, _)| image_matches(p, repository))
                .map(|(_, at)| at);
            assert_eq!(patterns.first(repository), linear, "{repository}");
        }
    }

    #[test]
    fn data_files_parse() {
        assert!(OPS.images.len() > 50);
        assert!(!OPS.namespaces.is_empty());
        assert!(!OPS.labels.is_empty());
        assert!(!OPS.kinds.is_empty());
        assert!(POOLS.pool_label_keys.iter().any(|k| k == "node-pool"));
        assert!(!POOLS.ops_pool_names.is_empty());
        for image in &OPS.images {
            assert_eq!(image.pattern, image.pattern.to_ascii_lowercase());
        }
    }

    #[test]
    fn globs() {
        assert!(glob_match("prometheus", "prometheus"));
        assert!(!glob_match("prometheus", "prometheus-adapter"));
        assert!(glob_match("*-exporter", "node-exporter"));
        assert!(glob_match("*csi*", "ebs-csi-driver"));
        assert!(glob_match("a*b*c", "axxbyyc"));
        assert!(!glob_match("a*b*c", "axxbyy"));
        assert!(glob_match("*", ""));
        assert!(glob_match("tektoncd/*", "tektoncd/pipeline/cmd/controller"));
    }

    #[test]
    fn image_repositories() {
        assert_eq!(
            image_repository("quay.io/prometheus/prometheus:v3.1"),
            "prometheus/prometheus"
        );
        assert_eq!(image_repository("grafana/grafana:10.4"), "grafana/grafana");
        assert_eq!(image_repository("nginx"), "nginx");
        assert_eq!(image_repository("localhost:5000/app:1"), "app");
        assert_eq!(
            image_repository("registry:5000/team/app@sha256:abc"),
            "team/app"
        );
        assert_eq!(
            image_repository("ko://github.com/tektoncd/pipeline/cmd/webhook"),
            "tektoncd/pipeline/cmd/webhook"
        );
        assert_eq!(
            image_repository("Jertel/ElastAlert2:2"),
            "jertel/elastalert2"
        );
    }

    #[test]
    fn image_patterns() {
        let c = Classifier::new(&PoolSettings::default());
        let cat = |i: &str| c.image_category(i);
        assert_eq!(
            cat("grafana/grafana:10.4"),
            Some((OpsCategory::Monitoring, false))
        );
        assert_eq!(
            cat("jertel/elastalert2:2.19.0"),
            Some((OpsCategory::Alerting, false))
        );
        assert_eq!(
            cat("quay.io/prometheus/node-exporter:v1"),
            Some((OpsCategory::Monitoring, false))
        );
        assert_eq!(
            cat("bitnami/postgres-exporter:0.15"),
            Some((OpsCategory::Monitoring, true))
        );
        assert_eq!(
            cat("gcr.io/tekton-releases/github.com/tektoncd/pipeline/cmd/controller:v0.50"),
            Some((OpsCategory::CiCd, false))
        );
        assert_eq!(
            cat("gcr.io/datadoghq/agent:7"),
            Some((OpsCategory::Monitoring, false))
        );
        assert_eq!(
            cat("quay.io/argoproj/argocd:v2.10"),
            Some((OpsCategory::Gitops, false))
        );
        assert_eq!(
            cat("docker.io/istio/pilot:1.20"),
            Some((OpsCategory::ServiceMesh, false))
        );
        assert_eq!(cat("docker.io/istio/proxyv2:1.20"), None);
        assert_eq!(cat("nginx:1.25"), None);
        assert_eq!(cat("registry.example.com/shop:4.2.0"), None);
        assert_eq!(cat("quay.io/brancz/kube-rbac-proxy:v0.18"), None);
        assert_eq!(cat("postgres:16"), None);
        let configured = Classifier::new(&PoolSettings {
            extra_image_patterns: vec!["registry.example.com/*".into(), "shop".into()],
            not_ops_images: vec!["grafana".into()],
            ..PoolSettings::default()
        });
        assert_eq!(
            configured.image_category("registry.example.com/shop:4"),
            Some((OpsCategory::Configured, false))
        );
        assert_eq!(configured.image_category("grafana/grafana:10"), None);
    }

    #[test]
    fn settings_add_to_the_data() {
        let settings: PoolSettings = serde_json::from_value(serde_json::json!({
            "extra-namespaces": ["platform-*"],
            "extra-labels": ["team=platform"],
            "pool-label-keys": ["example.com/pool", "example.com/role-*"],
            "dedicated-taint-keys": ["example.com/dedicated"],
            "ops-pool-names": ["observability-2"],
        }))
        .unwrap();
        let c = Classifier::new(&settings);
        assert_eq!(
            c.ops_by_namespace("platform-tools").map(|r| r.category),
            Some(OpsCategory::Configured)
        );
        assert!(c.ops_by_namespace("shop").is_none());
        assert!(c.pool_keys.contains("example.com/pool"));
        assert!(c.pool_keys.contains("example.com/role-infra"));
        assert!(c.pool_keys.contains("node-pool"));
        assert!(c.is_ops_pool_name("observability-2"));
        assert_eq!(
            c.ops_taint("example.com/dedicated", Some("ops")).as_deref(),
            Some("example.com/dedicated=ops")
        );
        assert_eq!(
            c.labels.first().map(|(k, v, _)| (k.as_str(), v.as_str())),
            Some(("team", "platform"))
        );
        let unknown: Result<PoolSettings, _> =
            serde_json::from_value(serde_json::json!({"extra-images": []}));
        assert!(unknown.is_err());
    }

    #[test]
    fn pool_names() {
        let c = Classifier::new(&PoolSettings::default());
        assert!(c.is_ops_pool_name("ops"));
        assert!(c.is_ops_pool_name("prod-monitoring"));
        assert!(c.is_ops_pool_name("Tools_1"));
        assert!(!c.is_ops_pool_name("apps"));
        assert!(!c.is_ops_pool_name("shopping"));
        assert!(!c.is_ops_pool_name("topsoil"));
        assert_eq!(
            c.ops_taint("dedicated", Some("monitoring")).as_deref(),
            Some("dedicated=monitoring")
        );
        assert_eq!(c.ops_taint("dedicated", Some("gpu")), None);
        assert_eq!(c.ops_taint("dedicated", None), None);
        assert_eq!(
            c.ops_taint("node-role.kubernetes.io/infra", None)
                .as_deref(),
            Some("node-role.kubernetes.io/infra")
        );
        assert_eq!(
            c.ops_taint("CriticalAddonsOnly", Some("true")).as_deref(),
            Some("CriticalAddonsOnly=true")
        );
        assert_eq!(c.ops_taint("spot", Some("ops")), None);
    }
}
