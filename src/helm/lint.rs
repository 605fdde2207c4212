//! Charts in a lint run: each chart is rendered, its `helm template` text is linted like any
//! manifest file, and then every finding on that text is moved to where it comes from: the
//! template line that wrote it (primary location) and the values-file node(s) whose value ended up
//! there ("set here"). For a field that is empty because a values key is empty
//! (`resources: {}`), the label points at that key.

use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::engine::{InputError, Options};
use crate::helm::coverage::{SwitchedOff, switched_off};
use crate::helm::render::{ChartRender, ProblemKind, render_chart};
use crate::load::Loaded;
use crate::source::{FileId, Origin as SourceOrigin, SourceFile, SourceMap, Span, display_path};

/// At most this many "set here" labels per finding.
const MAX_VALUE_LABELS: usize = 3;

/// A chart rendered for a lint run.
#[derive(Debug)]
pub struct ChartInput {
    pub render: ChartRender,
    /// For a second render of templates the values switch off: which, and the keys set.
    pub switched: Vec<SwitchedOff>,
    /// The render's name from the configuration's values matrix.
    pub label: Option<String>,
}

/// Renders every chart (in parallel); a chart that cannot be loaded is an input error.
pub fn render_all(
    charts: &[PathBuf],
    options: &Options,
    errors: &mut Vec<InputError>,
) -> Vec<ChartInput> {
    let mut render = options.chart.clone();
    render.kube_version = Some(options.kube_version);
    render.release.namespace = options.default_namespace.clone();
    // Each chart once, or once per render the configuration declares for it.
    let jobs: Vec<(&PathBuf, crate::helm::render::RenderOptions, Option<String>)> = charts
        .iter()
        .flat_map(|path| {
            let configured = configured_renders(path, options, &render);
            if configured.is_empty() {
                vec![(path, render.clone(), None)]
            } else {
                configured
                    .into_iter()
                    .map(|(o, label)| (path, o, label))
                    .collect()
            }
        })
        .collect();
    let results: Vec<_> = jobs
        .par_iter()
        .map(|(path, options, label)| (*path, render_one(path, options, label.clone())))
        .collect();
    let mut out = Vec::new();
    for (path, result) in results {
        match result {
            Ok(inputs) => out.extend(inputs),
            Err(e) => errors.push(InputError {
                path: display_path(path),
                message: format!("cannot load Helm chart: {}", e.message),
            }),
        }
    }
    out
}

/// The renders the configuration's `helm:` section declares for the chart at `path`.
fn configured_renders(
    path: &std::path::Path,
    options: &Options,
    base: &crate::helm::render::RenderOptions,
) -> Vec<(crate::helm::render::RenderOptions, Option<String>)> {
    let Some(config) = &options.config else {
        return Vec::new();
    };
    let dir = config
        .path
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let Ok(target) = path.canonicalize() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in &config.config.helm {
        if dir.join(&entry.chart).canonicalize().ok().as_ref() != Some(&target) {
            continue;
        }
        let mut chart_options = base.clone();
        if let Some(name) = &entry.release_name {
            chart_options.release.name = name.clone();
        }
        chart_options
            .values_files
            .extend(entry.values.iter().map(|v| dir.join(v)));
        chart_options.set.extend(entry.set.iter().cloned());
        chart_options
            .set_string
            .extend(entry.set_string.iter().cloned());
        if entry.renders.is_empty() {
            out.push((chart_options, None));
            continue;
        }
        for render in &entry.renders {
            let mut o = chart_options.clone();
            o.values_files
                .extend(render.values.iter().map(|v| dir.join(v)));
            o.set.extend(render.set.iter().cloned());
            o.set_string.extend(render.set_string.iter().cloned());
            out.push((o, Some(render.name.clone())));
        }
    }
    out
}

/// Renders a chart, and again with the keys set that switch templates off.
fn render_one(
    path: &std::path::Path,
    options: &crate::helm::render::RenderOptions,
    label: Option<String>,
) -> Result<Vec<ChartInput>, crate::helm::chart::LoadError> {
    let chart = crate::helm::chart::load(path)?;
    let first = render_chart(&chart, path, options);
    let switched = if options.only_enabled {
        Vec::new()
    } else {
        switched_off(&first)
    };
    let mut out = vec![ChartInput {
        render: first,
        switched: Vec::new(),
        label: label.clone(),
    }];
    if switched.is_empty() {
        return Ok(out);
    }
    let mut forced = options.clone();
    for s in &switched {
        for (key, value) in &s.keys {
            if !forced.overrides.iter().any(|(k, _)| k == key) {
                forced.overrides.push((key.clone(), value.clone()));
            }
        }
    }
    let mut second = render_chart(&chart, path, &forced);
    let names: Vec<String> = switched.iter().map(|s| s.template.clone()).collect();
    second.restrict(&names);
    // Problems of the second render come from the placeholder values, not from the chart.
    second.problems.clear();
    if !second.output.trim().is_empty() {
        out.push(ChartInput {
            render: second,
            switched,
            label,
        });
    }
    Ok(out)
}

impl ChartInput {
    /// The name the rendered text goes by when a finding cannot be mapped back.
    pub fn virtual_name(&self) -> String {
        let render = match &self.label {
            Some(label) => format!("rendered: {label}"),
            None => "rendered".to_string(),
        };
        if self.switched.is_empty() {
            format!("{} ({render})", display_path(&self.render.path))
        } else {
            format!(
                "{} ({render}, with {} set)",
                display_path(&self.render.path),
                keys_text(&self.switched)
            )
        }
    }

    /// The rendered text as an input file.
    pub fn virtual_file(&self) -> Loaded {
        Loaded::Text(SourceFile::new(
            SourceOrigin::Path(PathBuf::from(self.virtual_name())),
            self.render.output.clone(),
        ))
    }

    /// Adds the chart's own sources (templates, values files) to the run; `rendered` is the id
    /// the rendered text got.
    pub fn place(self, rendered: FileId, sources: &mut SourceMap) -> Placed {
        let base = sources.len() as u32;
        for file in self.render.sources.files() {
            sources.add(Arc::clone(file));
        }
        Placed {
            rendered,
            base,
            render: self.render,
            switched: self.switched,
            label: self.label,
        }
    }
}

fn keys_text(switched: &[SwitchedOff]) -> String {
    let mut keys: Vec<String> = switched
        .iter()
        .flat_map(|s| s.keys.iter().map(|(k, _)| format!("`{k}`")))
        .collect();
    keys.sort();
    keys.dedup();
    keys.join(", ")
}

/// A chart whose sources are in the run's [`SourceMap`] from `base` on.
#[derive(Debug)]
pub struct Placed {
    pub rendered: FileId,
    pub base: u32,
    pub render: ChartRender,
    pub switched: Vec<SwitchedOff>,
    pub label: Option<String>,
}

impl Placed {
    fn global(&self, local: FileId) -> FileId {
        FileId(self.base + local.0)
    }

    /// Where a span of the rendered text comes from: the template file and span. Literal template
    /// text maps byte for byte; output of an action maps to the whole `{{ … }}`.
    fn template_span(&self, span: Span) -> Option<(FileId, Span)> {
        let start = span.start as usize;
        let (template, offset) = self.render.piece_at(start)?;
        let segment = template.rendered.locate(offset)?;
        let literal = segment.value.is_none() && segment.span.range().len() == segment.out.len();
        if !literal {
            return Some((self.global(segment.file), segment.span));
        }
        let within = offset - segment.out.start as usize;
        let mapped_start = segment.span.start as usize + within;
        let len = (span.end.saturating_sub(span.start)) as usize;
        let room = segment.out.end as usize - offset;
        let mapped_end = mapped_start + len.min(room);
        Some((
            self.global(segment.file),
            Span::new(mapped_start, mapped_end.max(mapped_start)),
        ))
    }

    /// The values-file nodes behind a finding: the origins printed inside its span, else inside
    /// the block the span heads (the `{}` under `resources:`).
    fn value_origins(&self, span: Span, sources: &SourceMap) -> Vec<(FileId, Span)> {
        let text = &sources.get(self.rendered).text;
        let start = span.start as usize;
        let Some((template, offset)) = self.render.piece_at(start) else {
            return Vec::new();
        };
        let piece_end = self
            .render
            .pieces
            .iter()
            .find(|p| p.out.contains(&start))
            .map_or(text.len(), |p| p.out.end);
        let collect = |end: usize| -> Vec<(FileId, Span)> {
            let end = end.min(piece_end).max(start);
            let range = offset..offset + (end - start);
            let mut out: Vec<(FileId, Span)> = Vec::new();
            for origin in template.rendered.origins_in(range) {
                let item = (self.global(origin.file), origin.span);
                if !out.contains(&item) && (item.0.0 as usize) < sources.len() {
                    out.push(item);
                }
            }
            out
        };
        let own = collect((span.end as usize).max(start + 1));
        if !own.is_empty() {
            return own.into_iter().take(MAX_VALUE_LABELS).collect();
        }
        collect(block_end(text, start))
            .into_iter()
            .take(MAX_VALUE_LABELS)
            .collect()
    }

    /// Turns the render's problems into `helm-render-error` findings.
    pub fn report(
        &self,
        severity: Option<Severity>,
        diagnostics: &mut Vec<Diagnostic>,
        notes: &mut Vec<String>,
    ) {
        let Some(severity) = severity else {
            if !self.render.problems.is_empty() {
                notes.push(format!(
                    "Helm chart {} did not render cleanly ({} problem(s)); turn on helm-render-error to see them",
                    display_path(&self.render.path),
                    self.render.problems.len()
                ));
            }
            return;
        };
        for problem in &self.render.problems {
            let (file, span) = match problem.at {
                Some((file, span)) => (self.global(file), span),
                None => (self.rendered, Span::default()),
            };
            let label = match problem.kind {
                ProblemKind::Values => "in the values",
                ProblemKind::Parse => "this template does not parse",
                ProblemKind::Exec => "rendering failed here",
                ProblemKind::Chart => "the chart cannot be installed as it is",
            };
            let help = match problem.kind {
                ProblemKind::Exec | ProblemKind::Parse => {
                    "`helm template` and `helm install` stop here; the other templates were still rendered and linted"
                }
                _ => "`helm template` and `helm install` refuse this chart as it is",
            };
            diagnostics.push(
                Diagnostic::new(
                    crate::rules::syntax::helm_render_error::META.id,
                    severity,
                    file,
                    span,
                    match &self.label {
                        Some(label) => format!(
                            "Helm chart `{}` (render `{label}`): {}",
                            self.render.chart_name, problem.message
                        ),
                        None => format!(
                            "Helm chart `{}`: {}",
                            self.render.chart_name, problem.message
                        ),
                    },
                )
                .with_label(label)
                .with_help(help),
            );
        }
    }
}

/// The end of the YAML block a line heads: the start of the next non-blank line indented no
/// deeper, or the next document.
fn block_end(text: &str, start: usize) -> usize {
    let line_start = text[..start.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let spaces = |line: &str| line.len() - line.trim_start_matches(' ').len();
    let head = &text[line_start..];
    let head_line = head.split('\n').next().unwrap_or("");
    let indent = spaces(head_line);
    let head_is_item = head_line.trim_start().starts_with("- ");
    let mut offset = line_start + head_line.len() + 1;
    while offset < text.len() {
        let line = text[offset..].split('\n').next().unwrap_or("");
        if !line.trim().is_empty() {
            // A key's sequence may sit at the key's own column (`key:` then `- item`).
            let same_column_item =
                !head_is_item && spaces(line) == indent && line.trim_start().starts_with("- ");
            if line.starts_with("---") || (spaces(line) <= indent && !same_column_item) {
                return offset;
            }
        }
        offset += line.len() + 1;
    }
    text.len()
}

/// Moves findings (and labels) on rendered chart text to the templates and values files.
pub fn remap(diagnostics: &mut [Diagnostic], charts: &[Placed], sources: &SourceMap) {
    if charts.is_empty() {
        return;
    }
    let chart_of = |file: FileId| charts.iter().find(|c| c.rendered == file);
    for d in diagnostics.iter_mut() {
        for label in d.labels.iter_mut() {
            if let Some(chart) = chart_of(label.file)
                && let Some((file, span)) = chart.template_span(label.span)
            {
                label.file = file;
                label.span = span;
            }
        }
        let Some(chart) = chart_of(d.file) else {
            continue;
        };
        let origins = chart.value_origins(d.span, sources);
        let Some((file, span)) = chart.template_span(d.span) else {
            continue;
        };
        d.file = file;
        d.span = span;
        if let Some(source) = &d.helm_source
            && let Some(off) = chart.switched.iter().find(|s| &s.template == source)
        {
            d.helm_source = Some(format!(
                "{source}, with {} set: with the chart's values this template renders nothing",
                keys_text(std::slice::from_ref(off))
            ));
        }
        if let (Some(source), Some(label)) = (&d.helm_source, &chart.label) {
            d.helm_source = Some(format!("{source} (render `{label}`)"));
        }
        for (file, span) in origins {
            let span = head_of(&sources.get(file).text, span);
            d.labels.push(Label {
                file,
                span,
                message: "set here".to_string(),
            });
        }
    }
}

/// The first line of a span (a values entry `resources:` with a block below shows as its key line).
fn head_of(text: &str, span: Span) -> Span {
    let slice = text.get(span.range()).unwrap_or("");
    match slice.find('\n') {
        Some(i) => Span::new(
            span.start as usize,
            span.start as usize + slice[..i].trim_end().len(),
        ),
        None => span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_end_at_the_next_sibling() {
        let text = "    spec:\n      resources:\n            {}\n      env:\n        - a\n";
        let start = text.find("resources").unwrap();
        assert_eq!(
            &text[start..block_end(text, start)],
            "resources:\n            {}\n"
        );
        let item = "  - name: a\n    image: x\n  - name: b\n";
        assert_eq!(&item[4..block_end(item, 4)], "name: a\n    image: x\n");
        let flush = "containers:\n- name: a\nvolumes: []\n";
        assert_eq!(&flush[..block_end(flush, 0)], "containers:\n- name: a\n");
    }
}
