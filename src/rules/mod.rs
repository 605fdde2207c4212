//! The rule engine's contract and the registry of built-in rules.
//!
//! A rule is a pure function from an object (phase one, in parallel) or from the whole set's
//! index (phase two) to diagnostics. Rules never read files, print, or touch global state.
//! Each rule lives in its own file, `src/rules/<category>/<rule_id>.rs`, and its user
//! documentation in `rules/<rule-id>.md`, embedded here so `kpolicy explain` and the docs agree.

pub mod availability;
pub(crate) mod data;
pub mod hygiene;
pub mod images;
pub mod namespaces;
pub mod rbac;
pub mod references;
pub mod reliability;
pub mod resources;
pub mod schema;
pub mod security;
pub mod suppression;
pub mod syntax;
pub mod versions;

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Severity};
use crate::index::Index;
use crate::object::Object;
use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// The input is not what Kubernetes can read.
    Correctness,
    /// Misconfiguration that takes workloads or nodes down.
    Reliability,
    Security,
    BestPractice,
    Style,
    /// New rules that may still change.
    Nursery,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::Correctness,
        Category::Reliability,
        Category::Security,
        Category::BestPractice,
        Category::Style,
        Category::Nursery,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Correctness => "correctness",
            Category::Reliability => "reliability",
            Category::Security => "security",
            Category::BestPractice => "best-practice",
            Category::Style => "style",
            Category::Nursery => "nursery",
        }
    }
}

/// What a rule declares about itself.
#[derive(Debug, Serialize)]
pub struct RuleMeta {
    /// Kebab-case, saying what is wrong: `container-missing-memory-limit`.
    pub id: &'static str,
    pub category: Category,
    pub default_severity: Severity,
    pub default_enabled: bool,
    pub summary: &'static str,
    /// The incident or practice behind the rule, in one sentence.
    pub lesson: &'static str,
}

/// Run-wide facts a rule may read.
#[derive(Debug, Clone)]
pub struct Context {
    /// Namespace for objects without `metadata.namespace`.
    pub default_namespace: String,
    /// Node pools declared in the configuration (empty without one).
    pub node_pools: Vec<crate::config::NodePool>,
    /// The configuration file, when findings point into it (node pools).
    pub config_file: Option<crate::source::FileId>,
    /// The Kubernetes version the manifests target.
    pub kube_version: crate::kube_version::KubeVersion,
}

impl Default for Context {
    fn default() -> Self {
        Context {
            default_namespace: "default".to_string(),
            node_pools: Vec::new(),
            config_file: None,
            kube_version: crate::kube_version::KubeVersion::DEFAULT,
        }
    }
}

/// Collects a rule's findings; the engine fills in the configured severity.
pub struct Sink<'r> {
    meta: &'static RuleMeta,
    severity: Severity,
    out: &'r mut Vec<Diagnostic>,
}

impl<'r> Sink<'r> {
    pub fn new(
        meta: &'static RuleMeta,
        severity: Severity,
        out: &'r mut Vec<Diagnostic>,
    ) -> Sink<'r> {
        Sink {
            meta,
            severity,
            out,
        }
    }

    /// Records a finding on `object` at `span`; chain `.label()`, `.help()`, `.secondary()` on the result.
    pub fn report(
        &mut self,
        object: &Object<'_>,
        span: Span,
        message: impl Into<String>,
    ) -> Reported<'_> {
        let diagnostic =
            Diagnostic::new(self.meta.id, self.severity, object.doc.file, span, message)
                .with_object(object);
        self.out.push(diagnostic);
        Reported(self.out.last_mut().expect("just pushed"))
    }
}

impl Sink<'_> {
    /// Records a finding that is not about one object (a node pool in the configuration file).
    pub fn report_at(
        &mut self,
        file: crate::source::FileId,
        span: Span,
        message: impl Into<String>,
    ) -> Reported<'_> {
        self.out.push(Diagnostic::new(
            self.meta.id,
            self.severity,
            file,
            span,
            message,
        ));
        Reported(self.out.last_mut().expect("just pushed"))
    }
}

/// A finding just recorded, to add to.
pub struct Reported<'s>(&'s mut Diagnostic);

impl Reported<'_> {
    /// Text under the primary span.
    pub fn label(self, label: impl Into<String>) -> Self {
        self.0.label = Some(label.into());
        self
    }

    pub fn help(self, help: impl Into<String>) -> Self {
        self.0.help = Some(help.into());
        self
    }

    /// Another span with its own message.
    pub fn secondary(
        self,
        file: crate::source::FileId,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        self.0.labels.push(crate::diagnostic::Label {
            file,
            span,
            message: message.into(),
        });
        self
    }

    /// Overrides the configured severity (e.g. lowered when a LimitRange defaults the field).
    pub fn severity(self, severity: Severity) -> Self {
        self.0.severity = severity;
        self
    }
}

pub trait Rule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;

    /// Phase one: one object at a time, in parallel.
    fn check_object(&self, _object: &Object<'_>, _ctx: &Context, _sink: &mut Sink<'_>) {}

    /// Before this rule's phase two, for work that several rules share through [`Index::memo`]
    /// and that is worth spreading over the thread pool. The engine calls it for one preparing
    /// rule after another (see [`Rule::prepares_set`]) while the other rules' `check_set` run, and
    /// runs the preparing rules' `check_set` afterwards: no caller can be waiting on the memo
    /// while its `init` uses the pool.
    fn prepare_set(&self, _index: &Index<'_>, _ctx: &Context) {}

    /// Whether [`Rule::prepare_set`] does work that this rule's `check_set` reads.
    fn prepares_set(&self) -> bool {
        false
    }

    /// Phase two: the whole set, through the read-only index.
    fn check_set(&self, _index: &Index<'_>, _ctx: &Context, _sink: &mut Sink<'_>) {}
}

/// A registered rule: its metadata, its documentation and how to build it from settings.
pub struct RuleEntry {
    pub meta: &'static RuleMeta,
    /// `rules/<id>.md`.
    pub doc: &'static str,
    /// Builds the rule from its settings (a JSON object; `null` for the defaults).
    pub build: fn(&serde_json::Value) -> Result<Box<dyn Rule>, String>,
    /// The default settings, as JSON, for `kpolicy rules --format json` and the docs.
    pub default_settings: fn() -> serde_json::Value,
}

/// Declares a rule's registry entry from its module (which holds `META`, `Settings` and the rule type).
macro_rules! entry {
    ($module:path, $doc:literal) => {{
        use $module as m;
        RuleEntry {
            meta: &m::META,
            doc: include_str!(concat!("../../rules/", $doc, ".md")),
            build: |settings| {
                let settings: m::Settings = if settings.is_null() {
                    m::Settings::default()
                } else {
                    serde_json::from_value(settings.clone()).map_err(|e| e.to_string())?
                };
                Ok(Box::new(m::new(settings)))
            },
            default_settings: || serde_json::to_value(m::Settings::default()).unwrap_or_default(),
        }
    }};
}

/// Every built-in rule, sorted by id.
pub fn registry() -> &'static [RuleEntry] {
    static REGISTRY: std::sync::OnceLock<Vec<RuleEntry>> = std::sync::OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut rules = vec![
            entry!(syntax::yaml_syntax, "yaml-syntax"),
            entry!(syntax::helm_render_error, "helm-render-error"),
            entry!(suppression::unused_suppression, "unused-suppression"),
            entry!(suppression::invalid_suppression, "invalid-suppression"),
            entry!(versions::deprecated_api_version, "deprecated-api-version"),
            entry!(versions::removed_api_version, "removed-api-version"),
            entry!(
                versions::outdated_ingress_controller,
                "outdated-ingress-controller"
            ),
            entry!(images::image_tag_latest, "image-tag-latest"),
            entry!(images::image_tag_missing, "image-tag-missing"),
            entry!(images::image_tag_floating, "image-tag-floating"),
            entry!(
                images::image_not_pinned_by_digest,
                "image-not-pinned-by-digest"
            ),
            entry!(
                namespaces::namespace_missing_limitrange,
                "namespace-missing-limitrange"
            ),
            entry!(
                namespaces::namespace_missing_resourcequota,
                "namespace-missing-resourcequota"
            ),
            entry!(
                resources::container_missing_memory_limit,
                "container-missing-memory-limit"
            ),
            entry!(
                resources::container_missing_memory_request,
                "container-missing-memory-request"
            ),
            entry!(
                resources::container_missing_cpu_request,
                "container-missing-cpu-request"
            ),
            entry!(
                resources::container_missing_cpu_limit,
                "container-missing-cpu-limit"
            ),
            entry!(
                availability::workload_single_replica,
                "workload-single-replica"
            ),
            entry!(availability::missing_pdb, "missing-pdb"),
            entry!(availability::pdb_blocks_eviction, "pdb-blocks-eviction"),
            entry!(
                availability::missing_topology_spread,
                "missing-topology-spread"
            ),
            entry!(
                availability::critical_daemonset_missing_priority_class,
                "critical-daemonset-missing-priority-class"
            ),
            entry!(
                availability::missing_readiness_probe,
                "missing-readiness-probe"
            ),
            entry!(
                availability::missing_liveness_probe,
                "missing-liveness-probe"
            ),
            entry!(
                reliability::ops_workload_shares_node_pool,
                "ops-workload-shares-node-pool"
            ),
            entry!(
                reliability::customer_workload_on_ops_pool,
                "customer-workload-on-ops-pool"
            ),
            entry!(
                reliability::container_overcommit_ratio,
                "container-overcommit-ratio"
            ),
            entry!(
                reliability::node_pool_over_committed,
                "node-pool-over-committed"
            ),
            entry!(
                references::service_selects_no_pods,
                "service-selects-no-pods"
            ),
            entry!(
                references::service_target_port_missing,
                "service-target-port-missing"
            ),
            entry!(
                references::ingress_backend_missing,
                "ingress-backend-missing"
            ),
            entry!(references::hpa_target_missing, "hpa-target-missing"),
            entry!(references::pdb_selects_nothing, "pdb-selects-nothing"),
            entry!(
                references::network_policy_selects_nothing,
                "network-policy-selects-nothing"
            ),
            entry!(
                references::service_account_missing,
                "service-account-missing"
            ),
            entry!(
                references::role_binding_role_missing,
                "role-binding-role-missing"
            ),
            entry!(rbac::cluster_admin_binding, "cluster-admin-binding"),
            entry!(rbac::rbac_wildcard, "rbac-wildcard"),
            entry!(security::privileged_container, "privileged-container"),
            entry!(
                security::privilege_escalation_allowed,
                "privilege-escalation-allowed"
            ),
            entry!(security::container_runs_as_root, "container-runs-as-root"),
            entry!(
                security::writable_root_filesystem,
                "writable-root-filesystem"
            ),
            entry!(
                security::dangerous_capability_added,
                "dangerous-capability-added"
            ),
            entry!(security::net_raw_not_dropped, "net-raw-not-dropped"),
            entry!(security::seccomp_profile_unset, "seccomp-profile-unset"),
            entry!(security::host_network_enabled, "host-network-enabled"),
            entry!(security::host_pid_enabled, "host-pid-enabled"),
            entry!(security::host_ipc_enabled, "host-ipc-enabled"),
            entry!(security::host_port_set, "host-port-set"),
            entry!(
                security::sensitive_host_path_mount,
                "sensitive-host-path-mount"
            ),
            entry!(
                security::writable_host_path_mount,
                "writable-host-path-mount"
            ),
            entry!(security::proc_mount_unmasked, "proc-mount-unmasked"),
            entry!(hygiene::secret_in_env_literal, "secret-in-env-literal"),
            entry!(
                hygiene::default_service_account_used,
                "default-service-account-used"
            ),
            entry!(
                hygiene::service_account_token_automounted,
                "service-account-token-automounted"
            ),
            entry!(
                hygiene::object_in_default_namespace,
                "object-in-default-namespace"
            ),
            entry!(
                hygiene::image_pull_policy_not_always,
                "image-pull-policy-not-always"
            ),
            entry!(hygiene::selector_mismatch, "selector-mismatch"),
            entry!(hygiene::duplicate_object, "duplicate-object"),
            entry!(schema::schema_unknown_field, "schema-unknown-field"),
            entry!(schema::schema_type_mismatch, "schema-type-mismatch"),
            entry!(
                schema::schema_missing_required_field,
                "schema-missing-required-field"
            ),
            entry!(schema::schema_invalid_enum, "schema-invalid-enum"),
            entry!(schema::schema_duplicate_key, "schema-duplicate-key"),
        ];
        rules.sort_by_key(|r| r.meta.id);
        rules
    })
}

pub fn find(id: &str) -> Option<&'static RuleEntry> {
    registry().iter().find(|r| r.meta.id == id)
}

/// A string as a plain YAML scalar, quoted when it would read as something else.
pub(crate) fn yaml_scalar(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        && value.parse::<f64>().is_err()
        && !matches!(
            value.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null" | "~"
        );
    if plain {
        value.to_string()
    } else {
        format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// Matches `text` against a pattern where `*` stands for any run of characters (slashes
/// included) and everything else for itself; for the name and image patterns of data tables.
pub(crate) fn star_match(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

thread_local! {
    static OBJECT_GENERATION: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    static NEXT_GENERATION: std::cell::Cell<u64> = const { std::cell::Cell::new(1) };
}

/// The engine calls this before running phase one's rules on one object (and [`end_object`]
/// after): rules may then share work on that object through thread-local caches keyed by
/// [`object_generation`], which is unique per object visit on a thread, and 0 outside such a visit.
pub fn begin_object() {
    let next = NEXT_GENERATION.with(|n| {
        let g = n.get();
        n.set(g.wrapping_add(1).max(1));
        g
    });
    OBJECT_GENERATION.with(|g| g.set(next));
}

/// Ends the visit [`begin_object`] started.
pub fn end_object() {
    OBJECT_GENERATION.with(|g| g.set(0));
}

/// The current object visit on this thread (0: none, so nothing may be shared).
pub fn object_generation() -> u64 {
    OBJECT_GENERATION.with(|g| g.get())
}
