//! `.kpolicy.yaml`: rule selection, severities and settings, the default namespace and the node
//! pools of the target cluster. Parsed with serde-saphyr (the same parser as manifests) so errors
//! come with a line and column; unknown keys are errors.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Deserialize;

use crate::diagnostic::Severity;
use crate::source::Span;

mod check;
mod init;
mod paths;
mod schema;

pub use check::{CONFIG_ERROR, ConfigError, Problem, did_you_mean};
use check::{Seg, Tree, check_enforce, check_rules, parse_config, parse_rule_file};
pub use init::STARTER;
pub use paths::PathFilter;
use schema::kube_version_schema;
pub use schema::{CategoryName, SCHEMA_PATH, SCHEMA_URL, SeverityName, schema, schema_text};

pub const FILE_NAMES: [&str; 2] = [".kpolicy.yaml", ".kpolicy.yml"];

/// The configuration file as written.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[schemars(title = "kpolicy configuration (.kpolicy.yaml)")]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Config {
    /// Namespace for objects without `metadata.namespace` (default `default`).
    pub default_namespace: Option<String>,
    /// Target Kubernetes version for version-aware rules (`--kube-version` overrides it).
    #[schemars(schema_with = "kube_version_schema")]
    pub kube_version: Option<crate::kube_version::KubeVersion>,
    /// Per rule id: `enabled`, `severity`, and the rule's own settings.
    #[serde(default)]
    pub rules: BTreeMap<String, RuleConfig>,
    /// The node pools of the target cluster, for placement and capacity rules.
    #[serde(default)]
    #[schemars(with = "Vec<NodePoolSpec>")]
    pub node_pools: Vec<serde_saphyr::Spanned<NodePoolSpec>>,
    /// Findings to drop, for objects nobody can edit (third-party charts); each needs a reason.
    #[serde(default)]
    #[schemars(with = "Vec<IgnoreSpec>")]
    pub ignores: Vec<serde_saphyr::Spanned<IgnoreSpec>>,
    /// Rules that no suppression can silence (annotations, comments or `ignores`).
    #[serde(default)]
    pub enforce: Vec<String>,
    /// Lowest severity that makes the exit status 1 (`--fail-on` overrides it; default `warning`).
    #[schemars(with = "Option<SeverityName>")]
    pub fail_on: Option<Severity>,
    /// Globs of files to lint, relative to this file's directory: when set, other files found in
    /// a directory walk or named on the command line are skipped (stdin is always linted).
    #[serde(default)]
    pub include: Vec<String>,
    /// Globs of files and directories to skip, relative to this file's directory; also applies to
    /// files named on the command line (so pre-commit honours it).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Rules of your own: a match on kind, namespace and labels, and a CEL expression that must
    /// hold (docs/custom-rules.md).
    #[serde(default)]
    pub custom_rules: Vec<crate::custom::CustomRuleSpec>,
    /// Files with more custom rules (each a mapping with a `customRules:` list), relative to this
    /// file's directory.
    #[serde(default)]
    pub custom_rule_files: Vec<String>,
    /// Helm charts to render with given values (a values matrix: one lint per render).
    #[serde(default)]
    pub helm: Vec<HelmChartConfig>,
}

/// How one chart is rendered for linting; paths are relative to the configuration file.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, Deserialize, JsonSchema)]
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
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RuleConfig {
    /// Turn the rule (or every rule of the category) on or off.
    pub enabled: Option<bool>,
    /// Report at this severity instead of the rule's default.
    #[schemars(with = "Option<SeverityName>")]
    pub severity: Option<Severity>,
    #[serde(flatten)]
    pub settings: serde_json::Map<String, serde_json::Value>,
}

/// What a node pool is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default, JsonSchema)]
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

/// A taint on every node of a pool.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
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

/// Allocatable resources of one node of a pool.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Allocatable {
    /// Per node, as a Kubernetes quantity (`3920m`, `4`).
    pub cpu: Option<String>,
    /// Per node, as a Kubernetes quantity (`15Gi`).
    pub memory: Option<String>,
}

/// A node pool of the target cluster.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
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
    /// The custom rules of the file and of the files it names, compiled.
    pub custom_rules: Vec<std::sync::Arc<crate::custom::CustomRule>>,
    /// `include` / `exclude`, compiled, relative to the configuration's directory.
    pub paths: PathFilter,
}

impl LoadedConfig {
    /// Reads, parses and checks `path`: unknown keys, rule ids and settings, custom rules. The
    /// error holds every problem found, each with its place in the file.
    pub fn read(path: &Path) -> Result<LoadedConfig, ConfigError> {
        let shown = crate::source::display_path(path);
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError::message(format!("{shown}: {}", crate::discover::io_message(&e)))
        })?;
        Self::from_text(path, text)
    }

    /// Parses and checks a configuration whose text is already read (`path` names it in errors
    /// and anchors its relative paths).
    pub fn from_text(path: &Path, text: String) -> Result<LoadedConfig, ConfigError> {
        let mut errors = ConfigError::new(path, &text);
        let tree = Tree::new(path, &text);
        if let Some(problem) = tree.syntax_error() {
            errors.push(0, problem);
            return Err(errors);
        }
        let config = match parse_config(&text) {
            Ok(config) => config,
            Err(problem) => {
                errors.push(0, problem);
                return Err(errors);
            }
        };
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();

        // Custom rules: from this file, then from the files it names, in order, each with
        // (file, its tree, its index under `customRules`) for errors.
        let mut custom = Vec::new();
        for (i, spec) in config.custom_rules.iter().enumerate() {
            custom.push((0, tree.clone(), i, spec.clone()));
        }
        for (i, name) in config.custom_rule_files.iter().enumerate() {
            let file_path = dir.join(name);
            let at = tree.value_span(&[Seg::Key("customRuleFiles"), Seg::Index(i)]);
            let file_text = match std::fs::read_to_string(&file_path) {
                Ok(t) => t,
                Err(e) => {
                    errors.push(
                        0,
                        Problem::new(
                            at,
                            format!(
                                "cannot read custom rule file `{name}`: {}",
                                crate::discover::io_message(&e)
                            ),
                        )
                        .label("named here"),
                    );
                    continue;
                }
            };
            let file = errors.add_file(&file_path, &file_text);
            let file_tree = Tree::new(&file_path, &file_text);
            if let Some(problem) = file_tree.syntax_error() {
                errors.push(file, problem);
                continue;
            }
            match parse_rule_file(&file_text) {
                Ok(specs) => {
                    for (j, spec) in specs.into_iter().enumerate() {
                        custom.push((file, file_tree.clone(), j, spec));
                    }
                }
                Err(problem) => errors.push(file, problem),
            }
        }
        let mut custom_rules = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for (file, tree, at, spec) in custom {
            let entry = [Seg::Key("customRules"), Seg::Index(at)];
            let id_span = tree.value_span(&[entry[0], entry[1], Seg::Key("id")]);
            if crate::rules::find(&spec.id).is_some()
                || crate::rules::Category::ALL
                    .iter()
                    .any(|c| c.as_str() == spec.id)
                || spec.id == "all"
            {
                errors.push(
                    file,
                    Problem::new(id_span, format!("custom rule id `{}` is taken by a built-in rule or category", spec.id))
                        .label("choose another id")
                        .help("prefix your own rules, e.g. `acme-`, so they never clash with built-in ones"),
                );
                continue;
            }
            if !seen.insert(spec.id.clone()) {
                errors.push(
                    file,
                    Problem::new(
                        id_span,
                        format!("custom rule `{}` is defined twice", spec.id),
                    )
                    .label("second definition"),
                );
                continue;
            }
            match crate::custom::CustomRule::compile(&spec) {
                Ok(rule) => custom_rules.push(std::sync::Arc::new(rule)),
                Err(e) => {
                    let field = [entry[0], entry[1], Seg::Key(e.field)];
                    let span = e
                        .at
                        .and_then(|(line, col, len)| tree.scalar_offset(&field, line, col, len))
                        .unwrap_or_else(|| tree.value_span(&field));
                    let mut problem =
                        Problem::new(span, format!("custom rule `{}`: {}", spec.id, e.message));
                    if let Some(label) = e.label {
                        problem = problem.label(label);
                    }
                    if let Some(help) = e.help {
                        problem = problem.help(help);
                    }
                    errors.push(file, problem);
                }
            }
        }

        check_rules(&config, &tree, &custom_rules, &mut errors);
        check_enforce(&config, &tree, &custom_rules, &mut errors);
        let paths = match PathFilter::new(&dir, &config.include, &config.exclude) {
            Ok(paths) => paths,
            Err((key, i, message)) => {
                errors.push(
                    0,
                    Problem::new(tree.value_span(&[Seg::Key(key), Seg::Index(i)]), message)
                        .label("not a valid glob"),
                );
                PathFilter::default()
            }
        };
        if !errors.is_empty() {
            errors.sort();
            return Err(errors);
        }

        let node_pools = config
            .node_pools
            .iter()
            .map(|spanned| NodePool {
                spec: spanned.value.clone(),
                span: first_line_span(&text, &spanned.referenced),
            })
            .collect();
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
            custom_rules,
            paths,
        })
    }

    /// The custom rule with this id.
    pub fn custom_rule(&self, id: &str) -> Option<&crate::custom::CustomRule> {
        self.custom_rules
            .iter()
            .find(|r| r.meta.id == id)
            .map(|r| r.as_ref())
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
    let config = parse_config(text).map_err(|p| {
        let lines = crate::source::LineIndex::new(text);
        let at = lines.line_col(text, p.span.start as usize);
        format!("line {} column {}: {}", at.line, at.col, p.message)
    })?;
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
