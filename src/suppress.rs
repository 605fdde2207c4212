//! The filter stage: suppressions, each with a reason, each reported when it silences nothing.
//!
//! Four ways to suppress, from the narrowest:
//! - an inline comment `# kpolicy: ignore[rule-a, rule-b] reason` on the reported line, or alone on
//!   the line above it (works in any YAML the run reads);
//! - the annotation `kpolicy.io/ignore.<container>: "rule-a: reason"` for one container's findings;
//! - the annotation `kpolicy.io/ignore: "rule-a, rule-b: reason"` for the whole object;
//! - a configuration `ignores:` entry matching kind, namespace, name and path globs (for objects
//!   nobody can edit, like third-party charts).
//!
//! Rules listed under `enforce:` in the configuration cannot be suppressed. A suppression without a
//! reason, naming an unknown rule, or naming an enforced rule is reported by `invalid-suppression`;
//! one that silences nothing by `unused-suppression` (when that rule ran).

use std::collections::{HashMap, HashSet};

use globset::{Glob, GlobMatcher};

use crate::config::{IgnoreSpec, LoadedConfig};
use crate::diagnostic::{Diagnostic, Severity, Subject};
use crate::object::Object;
use crate::rules::{Category, RuleMeta, registry};
use crate::source::{FileId, SourceMap, Span};
use crate::view::pod_spec;
use crate::yaml::Comment;

pub const OBJECT_ANNOTATION: &str = "kpolicy.io/ignore";
pub const CONTAINER_ANNOTATION_PREFIX: &str = "kpolicy.io/ignore.";
pub const UNUSED: &str = "unused-suppression";
pub const INVALID: &str = "invalid-suppression";

/// What a suppression applies to.
enum Scope {
    /// Findings whose primary span starts on this line of this file.
    Line {
        file: FileId,
        line: u32,
    },
    Object(Subject),
    /// Findings about this container of the object (its span lies inside the container).
    Container {
        subject: Subject,
        container: Span,
    },
    Config(Box<ConfigMatch>),
}

struct ConfigMatch {
    kind: Option<String>,
    namespace: Option<GlobMatcher>,
    name: Option<GlobMatcher>,
    path: Option<GlobMatcher>,
}

struct Suppression {
    scope: Scope,
    /// Rule ids and categories as written.
    rules: Vec<String>,
    /// Where it is written, for findings about the suppression itself.
    file: FileId,
    span: Span,
    used: HashSet<String>,
}

impl Suppression {
    fn covers_rule(&self, rule: &str, metas: &Metas) -> Option<&str> {
        let category = metas.get(rule).map(|m| m.category.as_str());
        self.rules
            .iter()
            .find(|s| s.as_str() == "all" || s.as_str() == rule || Some(s.as_str()) == category)
            .map(String::as_str)
    }
}

/// Facts about an object that config `ignores` match on.
struct ObjectFacts {
    kind: String,
    namespace: String,
    name: String,
}

/// The input of the filter stage.
pub struct Inputs<'a> {
    pub sources: &'a SourceMap,
    /// Comments of every parsed file.
    pub comments: Vec<(FileId, &'a [Comment])>,
    pub objects: &'a [Object<'a>],
    pub default_namespace: &'a str,
    pub config: Option<(&'a LoadedConfig, FileId)>,
    /// Ids of the rules that ran, with their severities.
    pub active: HashMap<&'static str, Severity>,
}

/// Every rule a suppression may name, built-in and custom, by id.
type Metas = HashMap<&'static str, &'static RuleMeta>;

fn metas(inputs: &Inputs<'_>) -> Metas {
    let custom = inputs
        .config
        .into_iter()
        .flat_map(|(c, _)| c.custom_rules.iter().map(|r| r.meta));
    registry()
        .iter()
        .map(|r| r.meta)
        .chain(custom)
        .map(|m| (m.id, m))
        .collect()
}

/// Drops suppressed findings and appends findings about the suppressions themselves.
pub fn apply(diagnostics: &mut Vec<Diagnostic>, inputs: &Inputs<'_>) {
    let enforced: HashSet<&str> = inputs
        .config
        .map(|(c, _)| c.config.enforce.iter().map(String::as_str).collect())
        .unwrap_or_default();
    let metas = metas(inputs);
    let mut problems: Vec<Diagnostic> = Vec::new();
    let mut suppressions = collect(inputs, &mut problems);
    validate(&mut suppressions, &enforced, &mut problems, &metas);

    // What the configuration's `ignores` match on, only when it has some.
    let has_config_scope = suppressions
        .iter()
        .any(|s| matches!(s.scope, Scope::Config(_)));
    let facts: HashMap<Subject, ObjectFacts> = inputs
        .objects
        .iter()
        .filter(|_| has_config_scope)
        .map(|o| {
            (
                Subject::of(o),
                ObjectFacts {
                    kind: o.kind.to_string(),
                    namespace: o.namespace.unwrap_or(inputs.default_namespace).to_string(),
                    name: o.name.unwrap_or("").to_string(),
                },
            )
        })
        .collect();

    // The files with a suppression comment: only their findings need a line number here.
    let line_files: HashSet<FileId> = suppressions
        .iter()
        .filter_map(|s| match s.scope {
            Scope::Line { file, .. } => Some(file),
            _ => None,
        })
        .collect();
    diagnostics.retain(|d| {
        if suppressions.is_empty() || enforced.contains(d.rule) {
            return true;
        }
        let line = if line_files.contains(&d.file) {
            inputs
                .sources
                .get(d.file)
                .line_col(d.span.start as usize)
                .line
        } else {
            0
        };
        let mut suppressed = false;
        for s in suppressions.iter_mut() {
            let Some(matched) = s.covers_rule(d.rule, &metas).map(str::to_string) else {
                continue;
            };
            let applies = match &s.scope {
                Scope::Line { file, line: l } => *file == d.file && *l == line,
                Scope::Object(subject) => d.subject == Some(*subject),
                Scope::Container { subject, container } => {
                    d.subject == Some(*subject)
                        && d.file == subject.file
                        && container.start <= d.span.start
                        && d.span.end <= container.end
                }
                Scope::Config(m) => {
                    let path = &inputs.sources.get(d.file).name;
                    let object = d.subject.and_then(|s| facts.get(&s));
                    m.path.as_ref().is_none_or(|g| g.is_match(path))
                        && m.kind
                            .as_ref()
                            .is_none_or(|k| object.is_some_and(|o| &o.kind == k))
                        && m.namespace
                            .as_ref()
                            .is_none_or(|g| object.is_some_and(|o| g.is_match(&o.namespace)))
                        && m.name
                            .as_ref()
                            .is_none_or(|g| object.is_some_and(|o| g.is_match(&o.name)))
                }
            };
            if applies {
                s.used.insert(matched);
                suppressed = true;
            }
        }
        !suppressed
    });

    if let Some(&severity) = inputs.active.get(UNUSED) {
        for s in &suppressions {
            for rule in &s.rules {
                let ran = rule == "all"
                    || inputs.active.contains_key(rule.as_str())
                    || Category::ALL.iter().any(|c| {
                        c.as_str() == rule
                            && metas
                                .values()
                                .any(|m| m.category == *c && inputs.active.contains_key(m.id))
                    });
                if ran && !s.used.contains(rule) && !enforced.contains(rule.as_str()) {
                    problems.push(
                        Diagnostic::new(UNUSED, severity, s.file, s.span, format!("suppression of `{rule}` matches no finding"))
                            .with_label("nothing to suppress here")
                            .with_help("remove it, or fix its rule id or scope; a stale suppression would hide the next real finding"),
                    );
                }
            }
        }
    }
    problems.retain_mut(|p| match inputs.active.get(p.rule) {
        Some(&severity) => {
            p.severity = severity;
            true
        }
        None => false,
    });
    diagnostics.append(&mut problems);
}

fn collect(inputs: &Inputs<'_>, problems: &mut Vec<Diagnostic>) -> Vec<Suppression> {
    let mut out = Vec::new();
    for (file, comments) in &inputs.comments {
        let source = inputs.sources.get(*file);
        for comment in comments.iter() {
            let Some(rest) = comment.text.trim().strip_prefix(crate::yaml::DIRECTIVE) else {
                continue;
            };
            let span = comment.span;
            let Some(parsed) = parse_inline(rest.trim()) else {
                problems.push(invalid(
                    *file,
                    span,
                    "malformed suppression comment",
                    "write it as `# kpolicy: ignore[rule-id] reason`",
                ));
                continue;
            };
            let (rules, reason) = parsed;
            if reason.is_empty() {
                problems.push(invalid(
                    *file,
                    span,
                    "suppression without a reason",
                    "add why after the bracket: `# kpolicy: ignore[rule-id] reason`",
                ));
                continue;
            }
            // A trailing comment suppresses its own line; a comment alone on its line, the next one.
            let line_index = source.lines().line_of(span.start as usize);
            let before = &source.text[source.lines().line_start(line_index)..span.start as usize];
            let line = if before.trim().is_empty() {
                line_index as u32 + 2
            } else {
                line_index as u32 + 1
            };
            out.push(Suppression {
                scope: Scope::Line { file: *file, line },
                rules,
                file: *file,
                span,
                used: HashSet::new(),
            });
        }
    }
    for object in inputs.objects {
        let Some(annotations) = object.metadata().and_then(|m| m.get("annotations")) else {
            continue;
        };
        for entry in annotations.raw_entries() {
            let Some(key) = entry.key.scalar() else {
                continue;
            };
            let subject = Subject::of(object);
            // `None`: the whole object; `Some(span)`: one container.
            let container: Option<Span> = if key == OBJECT_ANNOTATION {
                None
            } else if let Some(name) = key.strip_prefix(CONTAINER_ANNOTATION_PREFIX) {
                let container = pod_spec(object)
                    .and_then(|p| p.all_containers().find(|c| c.name == Some(name)));
                match container {
                    Some(c) => Some(c.node.span()),
                    None => {
                        problems.push(invalid(
                            object.doc.file,
                            entry.head_span(),
                            &format!("suppression names container `{name}`, which this object does not have"),
                            "use the container's `name:` after `kpolicy.io/ignore.`",
                        ));
                        continue;
                    }
                }
            } else {
                continue;
            };
            let value = entry.value.scalar().unwrap_or("");
            for clause in value.lines().map(str::trim).filter(|l| !l.is_empty()) {
                let Some((rules, reason)) = clause.split_once(':') else {
                    problems.push(invalid(
                        object.doc.file,
                        entry.head_span(),
                        "suppression without a reason",
                        "write the value as `rule-a, rule-b: reason`",
                    ));
                    continue;
                };
                if reason.trim().is_empty() {
                    problems.push(invalid(
                        object.doc.file,
                        entry.head_span(),
                        "suppression without a reason",
                        "write the value as `rule-a, rule-b: reason`",
                    ));
                    continue;
                }
                out.push(Suppression {
                    scope: match container {
                        None => Scope::Object(subject),
                        Some(container) => Scope::Container { subject, container },
                    },
                    rules: split_rules(rules),
                    file: object.doc.file,
                    span: entry.head_span(),
                    used: HashSet::new(),
                });
            }
        }
    }
    if let Some((config, file)) = inputs.config {
        for (spec, span) in &config.ignores {
            match config_match(spec) {
                Ok(m) if !spec.reason.trim().is_empty() => out.push(Suppression {
                    scope: Scope::Config(Box::new(m)),
                    rules: spec.rules.clone(),
                    file,
                    span: *span,
                    used: HashSet::new(),
                }),
                Ok(_) => problems.push(invalid(
                    file,
                    *span,
                    "`ignores` entry without a reason",
                    "say why in `reason:`",
                )),
                Err(e) => problems.push(invalid(
                    file,
                    *span,
                    &format!("invalid glob in `ignores` entry: {e}"),
                    "use `*` and `?` globs",
                )),
            }
        }
    }
    out
}

/// Drops suppressions of unknown or enforced rules, reporting them.
fn validate(
    suppressions: &mut Vec<Suppression>,
    enforced: &HashSet<&str>,
    problems: &mut Vec<Diagnostic>,
    metas: &Metas,
) {
    for s in suppressions.iter_mut() {
        s.rules.retain(|rule| {
            let known = rule == "all"
                || metas.contains_key(rule.as_str())
                || Category::ALL.iter().any(|c| c.as_str() == rule);
            if !known {
                let ids = metas
                    .keys()
                    .copied()
                    .chain(Category::ALL.iter().map(|c| c.as_str()));
                let help = match crate::config::did_you_mean(rule, ids) {
                    Some(best) => {
                        format!("did you mean `{best}`? (see `kpolicy rules` for the ids)")
                    }
                    None => "see `kpolicy rules` for the ids".to_string(),
                };
                problems.push(invalid(
                    s.file,
                    s.span,
                    &format!("suppression names unknown rule `{rule}`"),
                    &help,
                ));
                return false;
            }
            if enforced.contains(rule.as_str()) {
                problems.push(invalid(
                    s.file,
                    s.span,
                    &format!("`{rule}` is enforced by the configuration and cannot be suppressed"),
                    "fix the finding instead",
                ));
                return false;
            }
            true
        });
    }
    suppressions.retain(|s| !s.rules.is_empty());
}

fn invalid(file: FileId, span: Span, message: &str, help: &str) -> Diagnostic {
    Diagnostic::new(INVALID, Severity::Warning, file, span, message)
        .with_label("this suppression has no effect")
        .with_help(help)
}

/// `ignore[rule-a, rule-b] reason` → (rules, reason).
fn parse_inline(text: &str) -> Option<(Vec<String>, String)> {
    let rest = text
        .strip_prefix("ignore")?
        .trim_start()
        .strip_prefix('[')?;
    let (rules, reason) = rest.split_once(']')?;
    let rules = split_rules(rules);
    if rules.is_empty() {
        return None;
    }
    let reason = reason.trim().trim_start_matches([':', '-', '—']).trim();
    Some((rules, reason.to_string()))
}

fn split_rules(text: &str) -> Vec<String> {
    text.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn config_match(spec: &IgnoreSpec) -> Result<ConfigMatch, globset::Error> {
    let glob = |g: &Option<String>| -> Result<Option<GlobMatcher>, globset::Error> {
        g.as_ref()
            .map(|g| Glob::new(g).map(|g| g.compile_matcher()))
            .transpose()
    };
    Ok(ConfigMatch {
        kind: spec.kind.clone(),
        namespace: glob(&spec.namespace)?,
        name: glob(&spec.name)?,
        path: glob(&spec.path)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_inline_comments() {
        assert_eq!(
            parse_inline("ignore[container-missing-memory-limit, yaml-syntax] sized by the VPA"),
            Some((
                vec![
                    "container-missing-memory-limit".into(),
                    "yaml-syntax".into()
                ],
                "sized by the VPA".into()
            ))
        );
        assert_eq!(
            parse_inline("ignore[a]: why"),
            Some((vec!["a".into()], "why".into()))
        );
        assert_eq!(
            parse_inline("ignore[a]"),
            Some((vec!["a".into()], String::new()))
        );
        assert_eq!(parse_inline("ignore[] why"), None);
        assert_eq!(parse_inline("ignore a"), None);
    }
}
