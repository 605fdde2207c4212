//! Go `text/template` for Helm, with provenance.
//!
//! # API (for the chart loader)
//! ```text
//! let files: Vec<TemplateFile> = …;                 // every template file of the chart and its subcharts
//! let (set, errors) = TemplateSet::parse(&files);   // parse errors: ErrorKind::Parse, one per bad file
//! let out: Rendered = set.render("mychart/templates/deployment.yaml", &dot)?;
//! out.text                     // what Helm would write for that file (`<no value>` already removed)
//! out.locate(byte)             // the Segment that emitted a byte: template file + span, value origin
//! out.origins_in(range)        // value origins (values-file nodes) behind a byte range
//! out.skipped                  // if/with/range blocks left out because a values key was empty
//!
//! // A whole chart as Helm renders it (shared dot and `.Values`, `.Template` set per file):
//! let mut names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
//! helm_order(&mut names, |n| n);                   // Helm's parse and render order
//! let results = set.render_all(&names.iter().map(|n| (*n, &dot_of_its_chart)).collect::<Vec<_>>());
//! ```
//! * All files share one namespace of `define`d names, as in Helm. Files are parsed in Helm's order
//!   (deepest path first; at equal depth, reverse lexical order), and a later definition of a name
//!   replaces an earlier one unless it is empty (Go's rule), so the parent chart's definition wins
//!   over a subchart's. Two non-empty definitions of one name in one file are a parse error, as in Go.
//!   A file with a parse error contributes nothing (Helm would fail the whole render).
//! * `dot` is the top-level object of one file's render; the caller builds it. With
//!   [`TemplateSet::render`] the caller also sets `.Template` (`Name`, `BasePath`); with
//!   [`TemplateSet::render_all`] the engine does, as Helm does, and map mutations (`set`, `merge`,
//!   …) carry over from file to file as in Helm. `include` and `tpl` see the dot they are given,
//!   as in Helm, so `.Template` inside them is the calling file's.
//! * Go mutates maps in place (`set`, `unset`, `merge*`); values here are immutable, so the engine
//!   records each replaced map and every alias of it (variables, fields, dots) sees the new one.
//! * Native objects ([`crate::helm::value::Native`]) return complete Go error messages from
//!   `call`, like the functions of `funcs`.
//! * Semantics are Helm's: `missingkey=zero` (a missing map key is nil; a field of a nil value in
//!   the same chain is the error `nil pointer evaluating interface {}.x`), `<no value>` removed
//!   after rendering, engine functions `include` (per-name nesting limit 1000, as Helm),
//!   `tpl` (parses with the current set of definitions; definitions inside the text are visible only
//!   to it), `required`, `fail`, `lookup` (always an empty map), `and`/`or` (short-circuit, return the
//!   deciding value), `call`. All other functions come from [`crate::helm::funcs`].
//! * Errors: a [`TemplateError`] carries the file and span of what failed: for a parse error the
//!   offending token; for an execution error the action (`{{ … }}`, or the opening action of an
//!   `if`/`with`/`range`) — inside an included or `{{template}}`d definition, the action in the
//!   definition's file; for text run by `tpl`, the `tpl` call's action. The message is Go's
//!   without the `template: name:line:col: executing … at <…>:` prefix. `required` and `fail`
//!   errors have their own kinds and carry the user's message only.
//!
//! # Provenance
//! Every byte of [`Rendered::text`] belongs to exactly one [`Segment`]: literal template text maps
//! to its own bytes; the output of an action maps to the action's `{{ … }}` span and carries the
//! [`Origin`] of the value it printed. Text emitted by `{{template}}` maps into the definition's
//! own file; `include` and `tpl` return strings, so their text maps to the calling action.
//! Origins flow through variables, fields, `index`-like functions (see `funcs`), pipelines and the
//! dot of `with` and `range`.
//!
//! # Bounds
//! No recursion is unbounded: nesting in the parser ([`parse::MAX_PARSE_DEPTH`]), template and
//! include calls ([`MAX_CALL_DEPTH`]), range iterations per render ([`MAX_ITERATIONS`]) and output
//! size ([`MAX_OUTPUT`]) all end in an error. Parsing and rendering run on a helper thread with a
//! large stack so the depth limits never meet the caller's stack size.

mod exec;
mod lex;
pub(crate) mod parse;

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use crate::helm::value::{Origin, Value};
use crate::source::{FileId, Span};
use parse::Tree;

/// Nesting limit of `{{template}}`, `include` and `tpl` calls in one render.
pub const MAX_CALL_DEPTH: usize = 1500;
/// Helm's limit on nested `include`s of one name.
pub const MAX_INCLUDE_PER_NAME: u32 = 1000;
/// Range iterations allowed in one render.
pub const MAX_ITERATIONS: u64 = 10_000_000;
/// Output bytes allowed in one render (including the text of `include` and `tpl` calls).
pub const MAX_OUTPUT: usize = 64 << 20;
/// Stack of the helper thread that parses and renders.
const STACK_SIZE: usize = 512 << 20;

/// One template file of a chart.
#[derive(Clone, Debug)]
pub struct TemplateFile {
    /// Helm's template name, e.g. `mychart/templates/deployment.yaml` or
    /// `mychart/charts/sub/templates/_helpers.tpl`.
    pub name: String,
    pub file: FileId,
    pub text: Arc<str>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The template does not parse (Go's parse errors, `function "x" not defined`, …).
    Parse,
    /// Execution failed (`nil pointer evaluating …`, `error calling …`, limits).
    Exec,
    /// `required` got nil or an empty string; the message is the user's.
    Required,
    /// `fail` was called; the message is the user's.
    Fail,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateError {
    pub file: FileId,
    pub span: Span,
    pub message: String,
    pub kind: ErrorKind,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TemplateError {}

/// A run of output bytes and where they came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Byte range in [`Rendered::text`].
    pub out: Range<u32>,
    /// The template file and span that emitted it: literal text, or the whole `{{ … }}` action.
    pub file: FileId,
    pub span: Span,
    /// For an action, the origin of the value it printed.
    pub value: Option<Origin>,
}

/// The text of one rendered template and the provenance of every byte.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rendered {
    pub text: String,
    /// Sorted, contiguous, covering `text` exactly; no segment is empty.
    pub segments: Vec<Segment>,
    /// Blocks that rendered nothing because a value with an origin was empty, in output order.
    pub skipped: Vec<Skipped>,
}

/// An `if`/`with` whose body was skipped, or a `range` that ran no iteration, because the value
/// deciding it was empty: the trace of a values-file key (`resources: {}`) that left rendered
/// output without a field. Recorded only when that value has an origin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// Output offset where the body would have been written (for a block inside an `include`d
    /// definition: where the calling action's output starts).
    pub at: u32,
    /// The opening action of the block (`{{ with .Values.resources }}`).
    pub file: FileId,
    pub span: Span,
    /// Origin of the value that decided it.
    pub value: Origin,
}

impl Rendered {
    /// The segment containing output byte `offset`.
    pub fn locate(&self, offset: usize) -> Option<&Segment> {
        let offset = u32::try_from(offset).ok()?;
        let i = self.segments.partition_point(|s| s.out.end <= offset);
        self.segments.get(i).filter(|s| s.out.contains(&offset))
    }

    /// Origins of the values printed into output bytes `range` (in output order, without
    /// immediate repeats).
    pub fn origins_in(&self, range: Range<usize>) -> impl Iterator<Item = Origin> + '_ {
        let start = u32::try_from(range.start).unwrap_or(u32::MAX);
        let end = u32::try_from(range.end).unwrap_or(u32::MAX);
        let first = self.segments.partition_point(|s| s.out.end <= start);
        let mut last: Option<Origin> = None;
        self.segments[first..]
            .iter()
            .take_while(move |s| s.out.start < end || (start == end && s.out.start == start))
            .filter_map(|s| s.value)
            .filter(move |o| {
                let fresh = last != Some(*o);
                last = Some(*o);
                fresh
            })
    }

    /// Appends `text` as one segment, merging with the previous one when it continues it.
    pub(crate) fn push(&mut self, text: &str, file: FileId, span: Span, value: Option<Origin>) {
        if text.is_empty() {
            return;
        }
        let start = self.text.len() as u32;
        self.text.push_str(text);
        let end = self.text.len() as u32;
        if let Some(prev) = self.segments.last_mut()
            && value.is_none()
            && prev.value.is_none()
            && prev.file == file
            && prev.span.end == span.start
            && prev.span.range().len() == prev.out.len()
            && span.range().len() == text.len()
        {
            prev.out.end = end;
            prev.span.end = span.end;
            return;
        }
        self.segments.push(Segment {
            out: start..end,
            file,
            span,
            value,
        });
    }

    /// Removes every occurrence of `needle` from the text, shrinking (and dropping emptied)
    /// segments: Helm's `<no value>` clean-up.
    pub(crate) fn remove_all(&mut self, needle: &str) {
        if needle.is_empty() || !self.text.contains(needle) {
            return;
        }
        let cuts: Vec<usize> = self.text.match_indices(needle).map(|(i, _)| i).collect();
        // Maps an old offset to the new one: minus the removed bytes before it (a cut that
        // contains the offset counts only up to it).
        let map = |off: u32| -> u32 {
            let off = off as usize;
            let mut removed = 0;
            for &c in &cuts {
                if c >= off {
                    break;
                }
                removed += (off - c).min(needle.len());
            }
            (off - removed) as u32
        };
        let mut text = String::with_capacity(self.text.len());
        let mut prev = 0;
        for &c in &cuts {
            text.push_str(&self.text[prev..c]);
            prev = c + needle.len();
        }
        text.push_str(&self.text[prev..]);
        let mut segments = Vec::with_capacity(self.segments.len());
        for s in self.segments.drain(..) {
            let out = map(s.out.start)..map(s.out.end);
            if !out.is_empty() {
                segments.push(Segment { out, ..s });
            }
        }
        for s in &mut self.skipped {
            s.at = map(s.at);
        }
        self.text = text;
        self.segments = segments;
    }
}

/// The templates of one chart (with its subcharts) and their shared definitions.
#[derive(Default)]
pub struct TemplateSet {
    trees: HashMap<String, Arc<Tree>>,
    files: HashMap<String, FileId>,
}

impl std::fmt::Debug for TemplateSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&String> = self.trees.keys().collect();
        names.sort();
        f.debug_struct("TemplateSet")
            .field("names", &names)
            .finish()
    }
}

/// Whether `name` is a function a template may call.
pub(crate) fn is_func(name: &str) -> bool {
    exec::ENGINE_FUNCS.contains(&name) || crate::helm::funcs::lookup(name).is_some()
}

/// Runs `f` on a helper thread with a large stack; `None` if the thread cannot be spawned.
pub(crate) fn with_big_stack<T: Send>(f: impl FnOnce() -> T + Send) -> Option<T> {
    std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .name("helm-template".into())
            .stack_size(STACK_SIZE)
            .spawn_scoped(s, f)
            .ok()?;
        match handle.join() {
            Ok(v) => Some(v),
            Err(p) => std::panic::resume_unwind(p),
        }
    })
}

fn no_thread(file: FileId) -> TemplateError {
    TemplateError {
        file,
        span: Span::default(),
        message: "cannot start the template thread".to_string(),
        kind: ErrorKind::Exec,
    }
}

impl TemplateSet {
    /// Parses all files into one set. Files are parsed in Helm's order; see the module docs.
    pub fn parse(files: &[TemplateFile]) -> (TemplateSet, Vec<TemplateError>) {
        with_big_stack(|| Self::parse_here(files)).unwrap_or_else(|| {
            let errors = files.iter().map(|f| no_thread(f.file)).collect();
            (TemplateSet::default(), errors)
        })
    }

    fn parse_here(files: &[TemplateFile]) -> (TemplateSet, Vec<TemplateError>) {
        let mut order: Vec<&TemplateFile> = files.iter().collect();
        helm_order(&mut order, |f| &f.name);
        let mut set = TemplateSet::default();
        let mut errors = Vec::new();
        for f in order {
            set.files.insert(f.name.clone(), f.file);
            match parse::parse(&f.name, f.file, f.text.clone(), &is_func, None) {
                Ok(parsed) => {
                    for t in parsed
                        .defines
                        .into_iter()
                        .chain(std::iter::once(parsed.main))
                    {
                        associate(&mut set.trees, t);
                    }
                }
                Err(e) => errors.push(TemplateError {
                    file: f.file,
                    span: e.span,
                    message: e.message,
                    kind: ErrorKind::Parse,
                }),
            }
        }
        (set, errors)
    }

    /// Whether a template (file or definition) of this name exists.
    pub fn contains(&self, name: &str) -> bool {
        self.trees.contains_key(name)
    }

    /// Renders the template `name` (a file name or a defined name) with `dot` as `.` and `$`.
    pub fn render(&self, name: &str, dot: &Value) -> Result<Rendered, TemplateError> {
        with_big_stack(|| self.render_here(name, dot)).unwrap_or_else(|| {
            Err(no_thread(
                self.files.get(name).copied().unwrap_or(FileId(0)),
            ))
        })
    }

    /// Renders several templates as one Helm render, in the order given (Helm's is
    /// [`helm_order`]), with Helm's shared state: all files of a chart share one top-level dot
    /// and one `.Values`, so a map modified by `set`, `unset`, `merge` and friends in one file
    /// stays modified for the files rendered after it. Pass the same `dot` value for every file
    /// of a chart (clones share the maps; a subchart's `Values` should be the very map found at
    /// the parent's `.Values.<subchart>`); the engine sets `.Template` (`Name`, `BasePath`) in it
    /// per file, as Helm does. An error in one template does not stop the others.
    pub fn render_all(&self, jobs: &[(&str, &Value)]) -> Vec<Result<Rendered, TemplateError>> {
        with_big_stack(|| {
            let mut ex = exec::Exec::new(&self.trees);
            jobs.iter()
                .map(|(name, dot)| {
                    let dot = ex.with_template_object(dot, name);
                    self.render_with(&mut ex, name, &dot)
                })
                .collect()
        })
        .unwrap_or_else(|| {
            jobs.iter()
                .map(|(name, _)| {
                    Err(no_thread(
                        self.files.get(*name).copied().unwrap_or(FileId(0)),
                    ))
                })
                .collect()
        })
    }

    fn render_here(&self, name: &str, dot: &Value) -> Result<Rendered, TemplateError> {
        let mut ex = exec::Exec::new(&self.trees);
        self.render_with(&mut ex, name, dot)
    }

    fn render_with(
        &self,
        ex: &mut exec::Exec<'_>,
        name: &str,
        dot: &Value,
    ) -> Result<Rendered, TemplateError> {
        let Some(tree) = self.trees.get(name).cloned() else {
            return Err(TemplateError {
                file: self.files.get(name).copied().unwrap_or(FileId(0)),
                span: Span::default(),
                message: format!(
                    "template: no template {name:?} associated with template \"gotpl\""
                ),
                kind: ErrorKind::Exec,
            });
        };
        let mut out = ex.run(&tree, dot)?;
        out.remove_all("<no value>");
        Ok(out)
    }
}

/// Sorts template files into Helm's parse and render order (`sortTemplates`): most path
/// separators first, ties in reverse lexical order.
pub fn helm_order<T>(items: &mut [T], name: impl Fn(&T) -> &str) {
    items.sort_by(|a, b| {
        let (a, b) = (name(a), name(b));
        let (ca, cb) = (a.matches('/').count(), b.matches('/').count());
        cb.cmp(&ca).then_with(|| b.cmp(a))
    });
}

/// Helm's `.Template.BasePath` of a template name: the chart path (`chart`, `chart/charts/sub`,
/// …) followed by `templates`.
pub fn base_path(name: &str) -> String {
    let parts: Vec<&str> = name.split('/').collect();
    let mut i = 1;
    while i + 1 < parts.len() && parts[i] == "charts" {
        i += 2;
    }
    parts[..(i + 1).min(parts.len())].join("/")
}

/// Go's `associate`: a definition replaces an existing one unless it is empty.
fn associate(trees: &mut HashMap<String, Arc<Tree>>, t: Tree) {
    if t.is_empty() && trees.contains_key(&t.name) {
        return;
    }
    trees.insert(t.name.clone(), Arc::new(t));
}

#[cfg(test)]
mod tests;
