//! Configuration errors with their place in the file: unknown keys (with "did you mean"), unknown
//! rule ids and settings, invalid values, broken custom rules. Every problem found is reported at
//! once, each with a code frame rendered like a finding.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Config;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{Category, registry};
use crate::source::{FileId, LineIndex, Origin, SourceFile, SourceMap, Span};
use crate::yaml::{NodeRef, ScalarStyle};

/// What config problems are filed under in the rendered output (`error[config]`).
pub const CONFIG_ERROR: &str = "config";

/// One problem in a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub span: Span,
    pub message: String,
    pub label: Option<String>,
    pub help: Option<String>,
}

impl Problem {
    pub fn new(span: Span, message: impl Into<String>) -> Problem {
        Problem {
            span,
            message: message.into(),
            label: None,
            help: None,
        }
    }

    pub fn label(mut self, label: impl Into<String>) -> Problem {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Problem {
        self.help = Some(help.into());
        self
    }
}

/// Why a configuration could not be used: every problem, in the files it came from.
#[derive(Debug, Clone, Default)]
pub struct ConfigError {
    /// (path as displayed, text): the configuration first, then custom rule files.
    files: Vec<(PathBuf, String)>,
    /// (index into `files`, problem), in the order found.
    problems: Vec<(usize, Problem)>,
    /// A problem with no place (the file could not be read).
    plain: Option<String>,
}

impl ConfigError {
    pub(super) fn new(path: &Path, text: &str) -> ConfigError {
        ConfigError {
            files: vec![(path.to_path_buf(), text.to_string())],
            problems: Vec::new(),
            plain: None,
        }
    }

    /// An error without a place in a file.
    pub fn message(message: String) -> ConfigError {
        ConfigError {
            plain: Some(message),
            ..ConfigError::default()
        }
    }

    pub(super) fn add_file(&mut self, path: &Path, text: &str) -> usize {
        self.files.push((path.to_path_buf(), text.to_string()));
        self.files.len() - 1
    }

    pub(super) fn push(&mut self, file: usize, problem: Problem) {
        self.problems.push((file, problem));
    }

    /// Orders the problems by file and position.
    pub(super) fn sort(&mut self) {
        self.problems
            .sort_by_key(|(file, p)| (*file, p.span.start, p.span.end));
    }

    pub(super) fn is_empty(&self) -> bool {
        self.problems.is_empty() && self.plain.is_none()
    }

    /// The problems, as (file as displayed, 1-based line, 1-based column, message).
    pub fn problems(&self) -> Vec<(String, u32, u32, &Problem)> {
        self.problems
            .iter()
            .map(|(file, problem)| {
                let (path, text) = &self.files[*file];
                let at = LineIndex::new(text).line_col(text, problem.span.start as usize);
                (crate::source::display_path(path), at.line, at.col, problem)
            })
            .collect()
    }

    /// Every problem as a finding with a code frame (`path:line:col: error[config]: …`), the
    /// way `kpolicy lint` shows findings.
    pub fn render(&self, color: bool) -> String {
        let mut out = String::new();
        if let Some(message) = &self.plain {
            out.push_str(message);
            out.push('\n');
        }
        if self.problems.is_empty() {
            return out;
        }
        let mut sources = SourceMap::default();
        for (path, text) in &self.files {
            sources.add(Arc::new(SourceFile::new(
                Origin::Path(path.clone()),
                text.clone(),
            )));
        }
        let diagnostics = self
            .problems
            .iter()
            .map(|(file, p)| {
                let mut d = Diagnostic::new(
                    CONFIG_ERROR,
                    Severity::Error,
                    FileId(*file as u32),
                    p.span,
                    p.message.clone(),
                );
                d.label = p.label.clone();
                d.help = p.help.clone();
                d
            })
            .collect();
        let report = crate::engine::Report {
            sources,
            diagnostics,
            errors: Vec::new(),
            notes: Vec::new(),
            objects: 0,
            baselined: 0,
            custom_rules: Vec::new(),
            derived_files: 0,
        };
        out.push_str(&crate::report::human::render(&report, color));
        out
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        if let Some(message) = &self.plain {
            f.write_str(message)?;
            first = false;
        }
        for (path, line, col, problem) in self.problems() {
            if !first {
                f.write_str("\n")?;
            }
            first = false;
            write!(f, "{path}:{line}:{col}: {}", problem.message)?;
            if let Some(help) = &problem.help {
                write!(f, " ({help})")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// The closest candidate to a misspelt `word`, if one is close enough to be what was meant.
pub fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let candidates: Vec<&'c str> = candidates.into_iter().collect();
    let lower = word.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for &candidate in &candidates {
        if candidate.to_ascii_lowercase() == lower {
            return Some(candidate);
        }
        let distance = strsim::damerau_levenshtein(&lower, &candidate.to_ascii_lowercase());
        let limit = (word.chars().count().max(candidate.chars().count()) / 3).max(1);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    if best.is_none() && word.chars().count() >= 3 {
        // A truncated name (`obj` for `object`).
        return candidates
            .iter()
            .find(|c| c.to_ascii_lowercase().starts_with(&lower))
            .copied();
    }
    best.map(|(_, c)| c)
}

/// A step of a path into the configuration's YAML.
#[derive(Clone, Copy, Debug)]
pub enum Seg<'k> {
    Key(&'k str),
    Index(usize),
}

/// The configuration's span tree, to find where a key or value was written.
#[derive(Clone)]
pub struct Tree {
    parsed: Arc<crate::yaml::ParsedFile>,
}

impl Tree {
    pub fn new(path: &Path, text: &str) -> Tree {
        let source = Arc::new(SourceFile::new(
            Origin::Path(path.to_path_buf()),
            text.to_string(),
        ));
        Tree {
            parsed: Arc::new(crate::yaml::parse_file(FileId(0), &source)),
        }
    }

    /// The first YAML syntax error, as a problem.
    pub fn syntax_error(&self) -> Option<Problem> {
        self.parsed.errors.first().map(|e| {
            Problem::new(e.span, format!("invalid YAML: {}", e.message))
                .label("the parser stopped here")
        })
    }

    fn root(&self) -> Option<NodeRef<'_>> {
        self.parsed.documents.first().and_then(|d| d.root())
    }

    /// The deepest node along `path`, with the key span of the last mapping step taken, and
    /// whether the whole path was found.
    fn walk(&self, path: &[Seg<'_>]) -> Option<(NodeRef<'_>, Option<Span>, bool)> {
        let mut node = self.root()?;
        let mut key = None;
        for seg in path {
            let next = match seg {
                Seg::Key(k) => node.entry(k).map(|e| (e.value, Some(e.key.span()))),
                Seg::Index(i) => node.items().nth(*i).map(|n| (n, None)),
            };
            match next {
                Some((n, k)) => {
                    node = n;
                    if k.is_some() {
                        key = k;
                    }
                }
                None => return Some((node, key, false)),
            }
        }
        Some((node, key, true))
    }

    /// The span of the key at the end of `path` (for a list item, the item's first line); the
    /// nearest existing parent when the path is not in the file.
    pub fn key_span(&self, path: &[Seg<'_>]) -> Span {
        match self.walk(path) {
            Some((node, key, found)) => match (found, path.last(), key) {
                (true, Some(Seg::Key(_)), Some(key)) => key,
                (true, _, _) => node.first_line_span(),
                (false, _, Some(key)) => key,
                (false, _, None) => node.first_line_span(),
            },
            None => Span::default(),
        }
    }

    /// The span of the value at the end of `path` (its first line when it spans lines); the key
    /// of the nearest existing parent when the path is not in the file.
    pub fn value_span(&self, path: &[Seg<'_>]) -> Span {
        match self.walk(path) {
            Some((node, _, true)) => node.first_line_span(),
            Some((node, key, false)) => key.unwrap_or_else(|| node.first_line_span()),
            None => Span::default(),
        }
    }

    /// The place of character `col` (0-based) on line `line` (0-based) of the string scalar at
    /// `path`, for errors inside a CEL expression; `None` when it cannot be placed exactly.
    pub fn scalar_offset(
        &self,
        path: &[Seg<'_>],
        line: usize,
        col: usize,
        len: usize,
    ) -> Option<Span> {
        let (node, _, found) = self.walk(path)?;
        if !found {
            return None;
        }
        let span = node.span();
        let raw = node.doc.text().get(span.range())?;
        let (content_start, content) = match node.style()? {
            ScalarStyle::Plain => (span.start as usize, raw),
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                // Escapes shift columns; only a line without them is placed exactly.
                let inner = raw.get(1..raw.len().saturating_sub(1))?;
                if inner.contains(['\\', '\'']) || inner.contains('\n') {
                    return None;
                }
                (span.start as usize + 1, inner)
            }
            style @ (ScalarStyle::Literal | ScalarStyle::Folded) => {
                // The span starts at the first content line's text; the following lines carry
                // the same indentation, which the scalar's value does not include.
                let text = node.doc.text();
                let start = span.start as usize;
                let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
                let indent = start - line_start;
                // (byte offset of the line's content, the content) for each line.
                let mut lines = Vec::new();
                let mut offset = start;
                for (i, l) in raw.split('\n').enumerate() {
                    let skip = if i == 0 { 0 } else { indent.min(l.len()) };
                    lines.push((
                        offset + skip,
                        l.get(skip..).unwrap_or("").trim_end_matches('\r'),
                    ));
                    offset += l.len() + 1;
                }
                if style == ScalarStyle::Literal {
                    let (at, content) = lines.get(line)?;
                    return Some(columns(content, *at, col, len));
                }
                // Folding joins the lines with a space: walk them to find the column.
                if line != 0 {
                    return None;
                }
                let mut col = col;
                for (at, content) in lines {
                    let chars = content.chars().count();
                    if col < chars {
                        return Some(columns(content, at, col, len));
                    }
                    col -= (chars + 1).min(col);
                }
                return None;
            }
        };
        if line != 0 || content.contains('\n') {
            return None;
        }
        Some(columns(content, content_start, col, len))
    }
}

/// Characters `col..col + len` of `text`, which starts at byte `base` of the file (at least one
/// character wide, clamped to the text).
fn columns(text: &str, base: usize, col: usize, len: usize) -> Span {
    let byte = |n: usize| -> usize { text.chars().take(n).map(char::len_utf8).sum() };
    let start = byte(col);
    let end = byte(col + len.max(1)).max(start);
    Span::new(base + start, base + end)
}

/// The span of the word (a key) that starts at `offset`.
fn word_at(text: &str, offset: usize) -> Span {
    let mut start = offset.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let rest = &text[start..];
    let len = rest.find([':', '\n', '\r']).unwrap_or(rest.len());
    let word = rest[..len].trim_end();
    Span::new(start, start + word.len().max(1).min(rest.len()))
}

/// Strips the " at line N, column M" serde-saphyr appends; the frame shows the place.
fn bare_message(message: &str) -> String {
    let first = message.lines().next().unwrap_or("");
    match first.rfind(" at line ") {
        Some(i) => first[..i].to_string(),
        None => first.to_string(),
    }
}

/// Turns a serde-saphyr error into a problem at its place, with "did you mean" for unknown keys
/// and values.
pub(super) fn problem_of(error: &serde_saphyr::Error, text: &str) -> Problem {
    use serde_saphyr::Error as E;
    let mut inner = error;
    while let E::WithSnippet { error, .. } | E::AliasError { error, .. } = inner {
        inner = error;
    }
    let offset = inner
        .location()
        .and_then(|l| l.span().byte_offset())
        .map_or(0, |o| o as usize)
        .min(text.len());
    match inner {
        E::SerdeUnknownField {
            field, expected, ..
        } => {
            let mut problem = Problem::new(word_at(text, offset), format!("unknown key `{field}`"))
                .label("not a known key here");
            match did_you_mean(field, expected.iter().copied()) {
                Some(best) => problem = problem.help(format!("did you mean `{best}`?")),
                None if !expected.is_empty() => {
                    problem = problem.help(format!(
                        "expected one of {}",
                        expected
                            .iter()
                            .map(|e| format!("`{e}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                }
                None => {}
            }
            problem
        }
        E::SerdeUnknownVariant {
            variant, expected, ..
        } => {
            let mut problem =
                Problem::new(word_at(text, offset), format!("unknown value `{variant}`"))
                    .label("not one of the accepted values");
            problem = match did_you_mean(variant, expected.iter().copied()) {
                Some(best) => problem.help(format!("did you mean `{best}`?")),
                None => problem.help(format!(
                    "expected one of {}",
                    expected
                        .iter()
                        .map(|e| format!("`{e}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            };
            problem
        }
        other => {
            Problem::new(word_at(text, offset), bare_message(&other.to_string())).label("here")
        }
    }
}

/// Every id, category and `all`: what `rules:` keys and selectors may name.
fn selectors(custom: &[Arc<crate::custom::CustomRule>]) -> Vec<&str> {
    let mut out: Vec<&str> = registry().iter().map(|r| r.meta.id).collect();
    out.extend(Category::ALL.iter().map(|c| c.as_str()));
    out.push("all");
    out.extend(custom.iter().map(|r| r.meta.id));
    out
}

/// `rules:` keys name a rule, a category or `all`; a built-in rule's settings load.
pub(super) fn check_rules(
    config: &Config,
    tree: &Tree,
    custom: &[Arc<crate::custom::CustomRule>],
    errors: &mut ConfigError,
) {
    for (id, rule) in &config.rules {
        let key = [Seg::Key("rules"), Seg::Key(id)];
        let first_setting = rule.settings.keys().next();
        if let Some(entry) = crate::rules::find(id) {
            if rule.settings.is_empty() {
                continue;
            }
            let all = serde_json::Value::Object(rule.settings.clone());
            let Err(whole) = (entry.build)(&all) else {
                continue;
            };
            // Find the setting at fault: each one alone.
            let known: Vec<String> = match (entry.default_settings)() {
                serde_json::Value::Object(m) => m.keys().cloned().collect(),
                _ => Vec::new(),
            };
            let mut placed = false;
            for (name, value) in &rule.settings {
                let one = serde_json::Value::Object(
                    [(name.clone(), value.clone())].into_iter().collect(),
                );
                let Err(e) = (entry.build)(&one) else {
                    continue;
                };
                placed = true;
                let at = [key[0], key[1], Seg::Key(name)];
                if !known.iter().any(|k| k == name) {
                    let mut problem = Problem::new(
                        tree.key_span(&at),
                        format!("unknown setting `{name}` for rule `{id}`"),
                    )
                    .label("not a setting of this rule");
                    problem = match did_you_mean(name, known.iter().map(String::as_str)) {
                        Some(best) => problem.help(format!("did you mean `{best}`?")),
                        None if known.is_empty() => problem.help(format!(
                            "`{id}` has no settings besides `enabled` and `severity`"
                        )),
                        None => problem.help(format!(
                            "its settings are {}, besides `enabled` and `severity` (`kpolicy explain {id}`)",
                            known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                        )),
                    };
                    errors.push(0, problem);
                } else {
                    errors.push(
                        0,
                        Problem::new(
                            tree.value_span(&at),
                            format!("invalid value for setting `{name}` of rule `{id}`: {e}"),
                        )
                        .label("this value")
                        .help(format!("see the Options section of `kpolicy explain {id}`")),
                    );
                }
            }
            if !placed {
                errors.push(
                    0,
                    Problem::new(
                        tree.key_span(&key),
                        format!("invalid settings for rule `{id}`: {whole}"),
                    )
                    .label("these settings"),
                );
            }
        } else if id == "all" || Category::ALL.iter().any(|c| c.as_str() == id) {
            if let Some(name) = first_setting {
                errors.push(
                    0,
                    Problem::new(
                        tree.key_span(&[key[0], key[1], Seg::Key(name)]),
                        format!("`{id}` is a category: it takes only `enabled` and `severity`"),
                    )
                    .label("a rule setting")
                    .help("put settings under the rule they belong to"),
                );
            }
        } else if custom.iter().any(|r| r.meta.id == id) {
            if let Some(name) = first_setting {
                errors.push(
                    0,
                    Problem::new(
                        tree.key_span(&[key[0], key[1], Seg::Key(name)]),
                        format!("custom rule `{id}` takes only `enabled` and `severity` here"),
                    )
                    .label("not a setting of a custom rule"),
                );
            }
        } else {
            let mut problem = Problem::new(
                tree.key_span(&key),
                format!("unknown rule or category `{id}`"),
            )
            .label("no rule has this id");
            problem = match did_you_mean(id, selectors(custom)) {
                Some(best) => problem.help(format!("did you mean `{best}`?")),
                None => problem.help("see `kpolicy rules` for the ids"),
            };
            errors.push(0, problem);
        }
    }
}

/// `enforce:` names rules that exist.
pub(super) fn check_enforce(
    config: &Config,
    tree: &Tree,
    custom: &[Arc<crate::custom::CustomRule>],
    errors: &mut ConfigError,
) {
    for (i, id) in config.enforce.iter().enumerate() {
        let known = crate::rules::find(id).is_some() || custom.iter().any(|r| r.meta.id == id);
        if known {
            continue;
        }
        let mut problem = Problem::new(
            tree.value_span(&[Seg::Key("enforce"), Seg::Index(i)]),
            format!("`enforce` names unknown rule `{id}`"),
        )
        .label("no rule has this id");
        let ids = registry()
            .iter()
            .map(|r| r.meta.id)
            .chain(custom.iter().map(|r| r.meta.id));
        problem = match did_you_mean(id, ids) {
            Some(best) => problem.help(format!("did you mean `{best}`?")),
            None => problem.help("`enforce` takes rule ids (see `kpolicy rules`)"),
        };
        errors.push(0, problem);
    }
}

/// Parses the configuration's text into the typed structs.
pub(super) fn parse_config(text: &str) -> Result<Config, Problem> {
    if is_blank(text) {
        return Ok(Config::default());
    }
    serde_saphyr::from_str(text).map_err(|e| problem_of(&e, text))
}

fn is_blank(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .all(|l| l.is_empty() || l.starts_with('#') || l == "---")
}

/// A file of custom rules: a mapping with a `customRules:` list, like the configuration's.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    custom_rules: Vec<crate::custom::CustomRuleSpec>,
}

pub(super) fn parse_rule_file(text: &str) -> Result<Vec<crate::custom::CustomRuleSpec>, Problem> {
    if is_blank(text) {
        return Ok(Vec::new());
    }
    serde_saphyr::from_str::<RuleFile>(text)
        .map(|f| f.custom_rules)
        .map_err(|e| problem_of(&e, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(text: &str, line: usize, col: usize, len: usize) -> Option<String> {
        let tree = Tree::new(Path::new("t.yaml"), text);
        tree.scalar_offset(&[Seg::Key("e")], line, col, len)
            .map(|s| text[s.range()].to_string())
    }

    #[test]
    fn places_columns_inside_scalars() {
        assert_eq!(place("e: abc def\n", 0, 4, 3).as_deref(), Some("def"));
        assert_eq!(place("e: \"abc def\"\n", 0, 4, 3).as_deref(), Some("def"));
        assert_eq!(
            place("e: |\n  abc\n  def ghi\n", 1, 4, 3).as_deref(),
            Some("ghi")
        );
        assert_eq!(
            place("e: >-\n  abc\n  def ghi\n", 0, 8, 3).as_deref(),
            Some("ghi")
        );
        assert_eq!(place("e: \"a\\tb\"\n", 0, 1, 1), None);
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("kubeVersoin", ["kubeVersion", "rules"]),
            Some("kubeVersion")
        );
        assert_eq!(
            did_you_mean("rulez", ["kubeVersion", "rules"]),
            Some("rules")
        );
        assert_eq!(did_you_mean("zzz", ["kubeVersion", "rules"]), None);
        assert_eq!(did_you_mean("RULES", ["rules"]), Some("rules"));
    }
}
