//! `.kpolicy.yaml`: rule selection, severities and settings, the default namespace and the node
//! pools of the target cluster. Parsed with serde-saphyr (the same parser as manifests) so errors
//! come with a line and column; unknown keys are errors.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostic::Severity;
use crate::source::Span;

pub const FILE_NAMES: [&str; 2] = [".kpolicy.yaml", ".kpolicy.yml"];

/// The configuration file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Config {
    /// Namespace for objects without `metadata.namespace` (default `default`).
    pub default_namespace: Option<String>,
    /// Target Kubernetes version for version-aware rules (`--kube-version` overrides it).
    pub kube_version: Option<crate::kube_version::KubeVersion>,
    /// Per rule id: `enabled`, `severity`, and the rule's own settings.
    #[serde(default)]
    pub rules: BTreeMap<String, RuleConfig>,
    /// The node pools of the target cluster, for placement and capacity rules.
    #[serde(default)]
    pub node_pools: Vec<serde_saphyr::Spanned<NodePoolSpec>>,
    /// Findings to drop, for objects nobody can edit (third-party charts); each needs a reason.
    #[serde(default)]
    pub ignores: Vec<serde_saphyr::Spanned<IgnoreSpec>>,
    /// Rules that no suppression can silence (annotations, comments or `ignores`).
    #[serde(default)]
    pub enforce: Vec<String>,
    /// Helm charts to render with given values (a values matrix: one lint per render).
    #[serde(default)]
    pub helm: Vec<HelmChartConfig>,
}

/// How one chart is rendered for linting; paths are relative to the configuration file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HelmChartConfig {
    /// The chart directory or `.tgz`.
    pub chart: String,
    /// `.Release.Name` (default `release-name`).
    pub release_name: Option<String>,
    /// Values files for every render, in order.
    #[serde(default)]
    pub values: Vec<String>,
    /// `--set` expressions for every render.
    #[serde(default)]
    pub set: Vec<String>,
    /// `--set-string` expressions for every render.
    #[serde(default)]
    pub set_string: Vec<String>,
    /// The renders to lint, each labelled by its name; none means one render with the above.
    #[serde(default)]
    pub renders: Vec<HelmRenderConfig>,
}

/// One entry of a values matrix: values files and `--set`s added after the chart's.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HelmRenderConfig {
    /// Shown with every finding of this render (`prod`, `staging`).
    pub name: String,
    #[serde(default)]
    pub values: Vec<String>,
    #[serde(default)]
    pub set: Vec<String>,
    #[serde(default)]
    pub set_string: Vec<String>,
}

/// A config-level suppression: every given field must match (globs for names and paths).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IgnoreSpec {
    /// Rule ids or categories (`all` for every rule).
    pub rules: Vec<String>,
    pub kind: Option<String>,
    /// Glob over the namespace the object lands in.
    pub namespace: Option<String>,
    /// Glob over `metadata.name`.
    pub name: Option<String>,
    /// Glob over the file path as displayed (relative to where kpolicy runs).
    pub path: Option<String>,
    /// Why: required, and shown by `unused-suppression` when the entry matches nothing.
    pub reason: String,
}

/// One rule's entry: `enabled` and `severity` are the engine's, everything else is the rule's settings.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleConfig {
    pub enabled: Option<bool>,
    pub severity: Option<Severity>,
    #[serde(flatten)]
    pub settings: serde_json::Map<String, serde_json::Value>,
}

/// What a node pool is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum PoolPurpose {
    /// Dedicated to ops tooling: monitoring, logging, CI/CD.
    Ops,
    /// Serves customer traffic.
    Customer,
    /// Anything may run there.
    #[default]
    General,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaintSpec {
    pub key: String,
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default = "default_effect")]
    pub effect: String,
}

fn default_effect() -> String {
    "NoSchedule".to_string()
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Allocatable {
    /// Per node, as a Kubernetes quantity (`3920m`, `4`).
    pub cpu: Option<String>,
    /// Per node, as a Kubernetes quantity (`15Gi`).
    pub memory: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NodePoolSpec {
    pub name: String,
    #[serde(default)]
    pub purpose: PoolPurpose,
    /// Labels every node of the pool carries (`node-pool: ops`).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Taints on the pool's nodes.
    #[serde(default)]
    pub taints: Vec<TaintSpec>,
    /// Number of nodes.
    pub nodes: Option<u32>,
    /// Allocatable resources of one node.
    #[serde(default)]
    pub allocatable: Allocatable,
}

/// A node pool with where it was declared, for findings about the pool itself.
#[derive(Debug, Clone)]
pub struct NodePool {
    pub spec: NodePoolSpec,
    /// The pool's entry in the configuration file.
    pub span: Span,
}

/// A configuration read from a file, ready for a run.
#[derive(Debug)]
pub struct LoadedConfig {
    pub path: PathBuf,
    pub text: String,
    pub config: Config,
    pub node_pools: Vec<NodePool>,
    /// The `ignores` entries with the line each starts on.
    pub ignores: Vec<(IgnoreSpec, Span)>,
}

impl LoadedConfig {
    /// Reads and parses `path`; the error is ready to print (`path: line:col: message`).
    pub fn read(path: &Path) -> Result<LoadedConfig, String> {
        let shown = crate::source::display_path(path);
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{shown}: {}", crate::discover::io_message(&e)))?;
        let (config, node_pools) = parse(&text).map_err(|e| format!("{shown}: {e}"))?;
        let ignores = config
            .ignores
            .iter()
            .map(|spanned| {
                (
                    spanned.value.clone(),
                    first_line_span(&text, &spanned.referenced),
                )
            })
            .collect();
        Ok(LoadedConfig {
            path: path.to_path_buf(),
            text,
            config,
            node_pools,
            ignores,
        })
    }
}

/// Finds the configuration: the given file, or `.kpolicy.yaml` / `.kpolicy.yml` in `start` or
/// the nearest ancestor that has one.
pub fn find(start: &Path) -> Option<PathBuf> {
    start.ancestors().find_map(|dir| {
        FILE_NAMES
            .iter()
            .map(|name| dir.join(name))
            .find(|path| path.is_file())
    })
}

/// The first line of a list item (`- name: ops`) from where serde-saphyr says its mapping starts:
/// findings about the entry point there, not at the whole block.
fn first_line_span(text: &str, location: &serde_saphyr::Location) -> Span {
    let start = (location.span().byte_offset().unwrap_or(0) as usize).min(text.len());
    let line_end = text[start..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| start + i);
    // Not the trailing comment, nor the blanks before it.
    let line = &text[start..line_end];
    let content = line.find(" #").map_or(line, |i| &line[..i]).trim_end();
    Span::new(start, start + content.len())
}

/// Parses a configuration text; the error names the line and column.
pub fn parse(text: &str) -> Result<(Config, Vec<NodePool>), String> {
    if text.trim().is_empty() {
        return Ok((Config::default(), Vec::new()));
    }
    let config: Config = serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
    let pools = config
        .node_pools
        .iter()
        .map(|spanned| NodePool {
            spec: spanned.value.clone(),
            span: first_line_span(text, &spanned.referenced),
        })
        .collect();
    Ok((config, pools))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube_version::KubeVersion;

    #[test]
    fn kube_version_keeps_trailing_zeros() {
        for (text, minor) in [
            ("kubeVersion: 1.30\n", 30),
            ("kubeVersion: \"1.22\"\n", 22),
            ("kubeVersion: v1.3\n", 3),
        ] {
            let (config, _) = parse(text).unwrap();
            assert_eq!(
                config.kube_version,
                Some(KubeVersion::new(1, minor)),
                "{text}"
            );
        }
    }

    #[test]
    fn node_pools_keep_their_spans() {
        let text = "nodePools:\n  - name: ops\n    purpose: ops\n    labels: {node-pool: ops}\n";
        let (_, pools) = parse(text).unwrap();
        assert_eq!(pools.len(), 1);
        assert_eq!(pools[0].spec.purpose, PoolPurpose::Ops);
        assert_eq!(&text[pools[0].span.range()], "name: ops");
    }
}
