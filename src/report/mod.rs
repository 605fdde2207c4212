//! Output formats. A reporter only formats; it never decides what is reported.
//!
//! The CI formats (SARIF, GitHub, Code Climate, JUnit) name files relative to the repository root
//! and carry fingerprints; both are computed once per run into a [`Context`].

pub mod codeclimate;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod statistics;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::engine::Report;
use crate::source::{Origin, SourceFile, Span};

/// The project's home (SARIF `informationUri`).
pub const HOMEPAGE_URL: &str = "https://github.com/kpolicy/kpolicy";
/// Where rule documentation is published: `<base><rule-id>.md` (SARIF `helpUri`, step summary
/// links). Keep in step with [`HOMEPAGE_URL`].
pub const RULE_DOCS_BASE_URL: &str = "https://github.com/kpolicy/kpolicy/blob/main/rules/";

/// The documentation URL of a rule.
pub fn rule_doc_url(rule: &str) -> String {
    format!("{RULE_DOCS_BASE_URL}{rule}.md")
}

/// A file's name as the CI formats show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RepoPath {
    /// Under the repository root: relative, `/`-separated.
    Relative(String),
    /// Outside the root: absolute, `/`-separated.
    Absolute(String),
    Stdin,
}

impl RepoPath {
    /// The plain path (`<stdin>` for standard input).
    pub fn as_str(&self) -> &str {
        match self {
            RepoPath::Relative(p) | RepoPath::Absolute(p) => p,
            RepoPath::Stdin => "<stdin>",
        }
    }
}

/// What the CI formats need beyond the report: repo-relative paths and fingerprints.
#[derive(Debug, Clone)]
pub struct Context {
    /// The repository root: the git top-level of the working directory, else the working directory.
    pub root: PathBuf,
    /// By file id.
    pub paths: Vec<RepoPath>,
    /// By diagnostic, parallel to `Report::diagnostics` (see [`crate::fingerprint`]).
    pub fingerprints: Vec<String>,
}

impl Context {
    /// Paths relative to the repository root of `cwd`, and the fingerprints of every diagnostic.
    pub fn new(report: &Report, cwd: &Path) -> Context {
        use rayon::prelude::*;
        let root = repo_root(cwd);
        // Lexically in parallel; the few paths that leave the root lexically (through a symlink)
        // are then resolved one by one, sharing the resolver's cache.
        let lexical: Vec<Result<RepoPath, PathBuf>> = report
            .sources
            .files()
            .par_iter()
            .map(|file| lexical_repo_path(&file.origin, cwd, &root))
            .collect();
        let mut resolver = Resolver::default();
        let paths: Vec<RepoPath> = lexical
            .into_iter()
            .map(|path| {
                path.unwrap_or_else(|absolute| resolved_repo_path(absolute, &root, &mut resolver))
            })
            .collect();
        let names: Vec<String> = paths.iter().map(|p| p.as_str().to_string()).collect();
        let fingerprints = crate::fingerprint::compute(report, &names);
        Context {
            root,
            paths,
            fingerprints,
        }
    }

    pub fn path(&self, file: crate::source::FileId) -> &RepoPath {
        &self.paths[file.0 as usize]
    }

    /// Keeps the diagnostics (and their fingerprints) whose fingerprint `keep` accepts; returns
    /// how many were dropped.
    pub fn retain(&mut self, report: &mut Report, keep: impl Fn(&str) -> bool) -> usize {
        let before = report.diagnostics.len();
        let diagnostics = std::mem::take(&mut report.diagnostics);
        let fingerprints = std::mem::take(&mut self.fingerprints);
        (report.diagnostics, self.fingerprints) = diagnostics
            .into_iter()
            .zip(fingerprints)
            .filter(|(_, f)| keep(f))
            .unzip();
        before - report.diagnostics.len()
    }
}

/// The git top-level directory above `cwd` (a `.git` directory or worktree file), else `cwd`.
pub fn repo_root(cwd: &Path) -> PathBuf {
    cwd.ancestors()
        .find(|dir| dir.join(".git").exists())
        .unwrap_or(cwd)
        .to_path_buf()
}

/// Resolves symlinks for paths outside the root lexically, once per directory (a run over one big
/// folder outside the repository would otherwise resolve every component of every file).
#[derive(Default)]
struct Resolver {
    real_root: Option<Option<PathBuf>>,
    dirs: HashMap<PathBuf, Option<PathBuf>>,
}

impl Resolver {
    fn relative(&mut self, absolute: &Path, root: &Path) -> Option<PathBuf> {
        let real_root = self
            .real_root
            .get_or_insert_with(|| std::fs::canonicalize(root).ok())
            .as_deref()?;
        let (dir, name) = (absolute.parent()?, absolute.file_name()?);
        let real_dir = self
            .dirs
            .entry(dir.to_path_buf())
            .or_insert_with(|| std::fs::canonicalize(dir).ok())
            .as_deref()?;
        real_dir
            .join(name)
            .strip_prefix(real_root)
            .ok()
            .map(Path::to_path_buf)
    }
}

/// The repo path of `origin` when it lies under `root` lexically (or is standard input); else
/// the absolute path, for [`resolved_repo_path`].
fn lexical_repo_path(origin: &Origin, cwd: &Path, root: &Path) -> Result<RepoPath, PathBuf> {
    let Origin::Path(path) = origin else {
        return Ok(RepoPath::Stdin);
    };
    let absolute = crate::source::normalize_lexically(&cwd.join(path));
    match absolute.strip_prefix(root) {
        Ok(relative) if !relative.as_os_str().is_empty() => {
            Ok(RepoPath::Relative(slashes(relative)))
        }
        Ok(_) => Ok(RepoPath::Absolute(slashes(&absolute))),
        Err(_) => Err(absolute),
    }
}

/// The repo path of a file outside the root lexically: relative when it is inside through a
/// symlink, else absolute.
fn resolved_repo_path(absolute: PathBuf, root: &Path, resolver: &mut Resolver) -> RepoPath {
    match resolver.relative(&absolute, root) {
        Some(rel) if !rel.as_os_str().is_empty() => RepoPath::Relative(slashes(&rel)),
        _ => RepoPath::Absolute(slashes(&absolute)),
    }
}

fn slashes(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Percent-encodes a `/`-separated path for a URI: everything but unreserved characters, `/`
/// and a few safe sub-delimiters. `:` is encoded so a relative path never reads as a scheme.
pub fn uri_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &byte in path.as_bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'='
            | b'@' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// A span as the CI formats show it: 1-based lines, 1-based columns (in characters and in UTF-16
/// code units), the end exclusive and always inside the file's lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    pub start_line: u32,
    pub start_column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub start_column_utf16: u32,
    pub end_column_utf16: u32,
}

/// Where `span` lies, pulled back onto the file's lines: an end at the start of a later line
/// (a span that takes in a line break) ends at the previous line's end, and a position past a
/// final line break moves to the end of the last line.
pub fn region(file: &SourceFile, span: Span) -> Region {
    let text = file.text.as_str();
    let len = text.len();
    let mut start = (span.start as usize).min(len);
    let mut end = (span.end as usize).min(len).max(start);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let line_end = |line: usize| file.lines().line_range(text, line).end;
    let last_line = file.lines().line_count() - 1;
    let mut start_line = file.lines().line_of(start);
    if start_line > 0
        && start_line == last_line
        && start == len
        && len == file.lines().line_start(last_line)
    {
        // Past the final line break: the end of the last line.
        start_line -= 1;
        start = line_end(start_line);
    }
    let mut end_line = file.lines().line_of(end.max(start));
    if end <= start {
        end = start;
        end_line = start_line;
    } else if end_line > start_line && end == file.lines().line_start(end_line) {
        end_line -= 1;
        end = line_end(end_line);
    }
    let column = |line: usize, offset: usize| {
        let from = file.lines().line_start(line);
        let before = text.get(from..offset.max(from)).unwrap_or("");
        (
            before.chars().count() as u32 + 1,
            before.encode_utf16().count() as u32 + 1,
        )
    };
    let (start_column, start_column_utf16) = column(start_line, start);
    let (end_column, end_column_utf16) = column(end_line, end);
    Region {
        start_line: start_line as u32 + 1,
        start_column,
        end_line: end_line as u32 + 1,
        end_column,
        start_column_utf16,
        end_column_utf16,
    }
}

/// The number of lines as an editor shows them: a final line break does not start another line.
pub fn line_count(file: &SourceFile) -> u32 {
    let text = file.text.as_str();
    let count = file.lines().line_count();
    if text.is_empty() {
        0
    } else if text.ends_with('\n') {
        count as u32 - 1
    } else {
        count as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new(Origin::Stdin, text.to_string())
    }

    #[test]
    fn regions_stay_inside_the_lines() {
        let f = file("a: 1\nb:\n  c: 2\n");
        // A span that swallows the line break ends at the end of its line.
        let r = region(&f, Span::new(5, 8));
        assert_eq!(
            (r.start_line, r.start_column, r.end_line, r.end_column),
            (2, 1, 2, 3)
        );
        // Past the final line break: the end of the last line.
        let r = region(&f, Span::new(f.text.len(), f.text.len()));
        assert_eq!(
            (r.start_line, r.start_column, r.end_line, r.end_column),
            (3, 7, 3, 7)
        );
        assert_eq!(line_count(&f), 3);
        // A multi-line span keeps its lines.
        let r = region(&f, Span::new(5, 14));
        assert_eq!((r.start_line, r.end_line, r.end_column), (2, 3, 7));
    }

    #[test]
    fn utf16_columns_count_surrogate_pairs() {
        let f = file("k: \"😀\" x\n");
        let x = f.text.find('x').unwrap();
        let r = region(&f, Span::new(x, x + 1));
        assert_eq!(r.start_column, 8);
        assert_eq!(r.start_column_utf16, 9);
        assert_eq!(r.end_column_utf16, 10);
    }

    #[test]
    fn uri_encoding_keeps_paths_readable() {
        assert_eq!(uri_encode("k8s/app deploy.yaml"), "k8s/app%20deploy.yaml");
        assert_eq!(uri_encode("a:b/ü.yaml"), "a%3Ab/%C3%BC.yaml");
    }

    fn repo_path(origin: &Origin, cwd: &Path, root: &Path, resolver: &mut Resolver) -> RepoPath {
        lexical_repo_path(origin, cwd, root)
            .unwrap_or_else(|absolute| resolved_repo_path(absolute, root, resolver))
    }

    #[test]
    fn paths_are_relative_to_the_root() {
        let root = Path::new("/repo");
        let cwd = Path::new("/repo/sub");
        let origin = |p: &str| Origin::Path(PathBuf::from(p));
        assert_eq!(
            repo_path(
                &origin("../k8s/./a.yaml"),
                cwd,
                root,
                &mut Resolver::default()
            ),
            RepoPath::Relative("k8s/a.yaml".into())
        );
        assert_eq!(
            repo_path(
                &origin("/elsewhere/b.yaml"),
                cwd,
                root,
                &mut Resolver::default()
            ),
            RepoPath::Absolute("/elsewhere/b.yaml".into())
        );
        assert_eq!(
            repo_path(&Origin::Stdin, cwd, root, &mut Resolver::default()),
            RepoPath::Stdin
        );
    }
}
