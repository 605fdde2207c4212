//! Rendering a chart as `helm template` does: load it, merge values (chart defaults, `-f` files,
//! `--set`…), process dependencies, build each template's `.` (`.Values`, `.Chart`, `.Release`,
//! `.Capabilities`, `.Files`, `.Subcharts`, `.Template`), render every template, split and sort
//! the documents, and print them. Every problem on the way is kept with where it is (a template
//! span, a values file line) so a lint run can report it instead of stopping.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::helm::chart::{self, Chart, LoadError, is_compatible_range};
use crate::helm::coalesce::{self, Prepared};
use crate::helm::manifest::{self, Piece};
use crate::helm::objects::{self, ApiVersions, Capabilities, Files, ReleaseOptions};
use crate::helm::strvals::{self, Mode};
use crate::helm::template::{ErrorKind, Rendered, TemplateFile, TemplateSet};
use crate::helm::value::{Map, Value};
use crate::helm::values::{merge_maps, parse_values};
use crate::kube_version::KubeVersion;
use crate::source::{FileId, Origin as SourceOrigin, SourceFile, SourceMap, Span, display_path};

/// How to render.
#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    pub release: ReleaseOptions,
    pub kube_version: Option<KubeVersion>,
    pub api_versions: ApiVersions,
    /// `--api-versions`: more entries for `.Capabilities.APIVersions`.
    pub extra_apis: Vec<String>,
    /// `-f/--values`, in order.
    pub values_files: Vec<PathBuf>,
    pub set: Vec<String>,
    pub set_string: Vec<String>,
    pub set_file: Vec<String>,
    /// Values set last, by dotted path (used to render templates the values switch off).
    pub overrides: Vec<(String, Value)>,
    /// In a lint run, lint only what the values render (no second render of templates that
    /// the values switch off, see [`crate::helm::coverage`]).
    pub only_enabled: bool,
}

/// What went wrong while rendering, with where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The file (a template, a values file) and span it is about, when there is one.
    pub at: Option<(FileId, Span)>,
    pub message: String,
    pub kind: ProblemKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// A values file, `--set` flag or values schema.
    Values,
    /// A template does not parse.
    Parse,
    /// A template failed while rendering (`required`, `fail`, execution errors).
    Exec,
    /// The chart as a whole (missing dependencies, kubeVersion, output that is not YAML).
    Chart,
}

/// One rendered template file.
#[derive(Clone, Debug)]
pub struct RenderedTemplate {
    /// Helm's name: `chart/templates/x.yaml`, `chart/charts/sub/templates/y.yaml`.
    pub name: String,
    pub file: FileId,
    pub rendered: Rendered,
}

/// A rendered chart.
#[derive(Debug)]
pub struct ChartRender {
    /// The chart as given (directory or archive).
    pub path: PathBuf,
    pub chart_name: String,
    /// Values files, `-f` files and templates, by [`FileId`] (local to this render).
    pub sources: SourceMap,
    pub templates: Vec<RenderedTemplate>,
    /// What `helm template` prints.
    pub output: String,
    /// Which bytes of `output` come from which template's rendered text.
    pub pieces: Vec<Piece>,
    pub problems: Vec<Problem>,
    /// Things Helm would log (not errors).
    pub warnings: Vec<String>,
    /// The coalesced values of the top chart.
    pub values: Map,
}

fn problem(at: Option<(FileId, Span)>, message: impl Into<String>, kind: ProblemKind) -> Problem {
    Problem {
        at,
        message: message.into(),
        kind,
    }
}

impl ChartRender {
    /// True when Helm would have refused to render (`helm template` exits with an error).
    pub fn failed(&self) -> bool {
        !self.problems.is_empty()
    }

    /// The template and rendered offset behind a byte of [`ChartRender::output`].
    pub fn piece_at(&self, offset: usize) -> Option<(&RenderedTemplate, usize)> {
        let i = self.pieces.partition_point(|p| p.out.end <= offset);
        let piece = self.pieces.get(i).filter(|p| p.out.start <= offset)?;
        let template = self.templates.get(piece.template)?;
        Some((template, piece.source.start + (offset - piece.out.start)))
    }
}

fn add_source(sources: &mut SourceMap, name: String, text: String) -> (FileId, Arc<SourceFile>) {
    let file = Arc::new(SourceFile::new(SourceOrigin::Path(name.into()), text));
    (sources.add(file.clone()), file)
}

/// Reads the user's values: `-f` files merged in order, then `--set`, `--set-string`, `--set-file`.
fn user_values(
    options: &RenderOptions,
    sources: &mut SourceMap,
    problems: &mut Vec<Problem>,
) -> Map {
    let mut base = Map::new();
    for path in &options.values_files {
        let shown = display_path(path);
        let text = match std::fs::read(path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => {
                problems.push(problem(
                    None,
                    format!(
                        "cannot read values file {shown}: {}",
                        crate::discover::io_message(&e)
                    ),
                    ProblemKind::Values,
                ));
                continue;
            }
        };
        let (id, file) = add_source(sources, shown, text);
        match parse_values(id, &file) {
            Ok(map) => base = merge_maps(base, map),
            Err(p) => problems.push(problem(
                Some((p.file, p.span)),
                p.message,
                ProblemKind::Values,
            )),
        }
    }
    let read_file = |path: &str| -> Result<String, String> {
        std::fs::read(path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .map_err(|e| format!("cannot read {path}: {}", crate::discover::io_message(&e)))
    };
    for (flag, list, mode) in [
        ("--set", &options.set, Mode::Typed),
        ("--set-string", &options.set_string, Mode::String),
        ("--set-file", &options.set_file, Mode::File(&read_file)),
    ] {
        for expression in list {
            if let Err(message) = strvals::parse_into(expression, &mut base, &mode) {
                problems.push(problem(
                    None,
                    format!("failed parsing {flag} data: {message}"),
                    ProblemKind::Values,
                ));
            }
        }
    }
    for (path, value) in &options.overrides {
        set_path(&mut base, path, value.clone());
    }
    base
}

/// Sets a dotted path in a map, creating maps on the way (a non-map in the way is replaced).
fn set_path(map: &mut Map, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            map.insert(path.to_string(), value);
        }
        Some((head, rest)) => {
            let mut inner = map
                .get(head)
                .and_then(Value::as_map)
                .cloned()
                .unwrap_or_default();
            set_path(&mut inner, rest, value);
            let origin = map.get(head).and_then(|v| v.origin);
            map.insert(head.to_string(), Value::map(inner).with_origin(origin));
        }
    }
}

/// The `.` of one chart's templates, and the templates to parse.
struct Collected {
    files: Vec<TemplateFile>,
    /// Template name → (dot, base path, to render).
    dots: Vec<(String, Value, String, bool)>,
}

/// Builds the `.` of `chart` (its `.Values` from the parent's) and collects its templates.
#[allow(clippy::too_many_arguments)]
fn collect(
    chart: &Prepared,
    parent_values: &Value,
    full_path: &str,
    is_root: bool,
    shared: &(Value, Value),
    sources: &mut SourceMap,
    out: &mut Collected,
    depth: usize,
) -> Value {
    let values = if is_root {
        parent_values.clone()
    } else {
        match parent_values.get(&chart.name) {
            Some(v) if v.as_map().is_some() => v.clone(),
            _ => Value::map(Map::new()),
        }
    };
    let mut subcharts = Map::new();
    if depth < 32 {
        for sub in &chart.deps {
            let sub_path = format!("{full_path}/charts/{}", sub.name);
            let dot = collect(
                sub,
                &values,
                &sub_path,
                false,
                shared,
                sources,
                out,
                depth + 1,
            );
            subcharts.insert(sub.name.clone(), dot);
        }
    }
    let reqs = chart.reqs.clone().unwrap_or_default();
    let mut dot = Map::new();
    dot.insert(
        "Chart".into(),
        objects::chart(&chart.chart.metadata, &chart.name, &reqs, is_root),
    );
    dot.insert("Files".into(), Files::new(&chart.chart.files).value());
    dot.insert("Release".into(), shared.0.clone());
    dot.insert("Capabilities".into(), shared.1.clone());
    dot.insert("Values".into(), values);
    dot.insert("Subcharts".into(), Value::map(subcharts));
    let dot = Value::map(dot);
    let library = chart.chart.is_library();
    for template in &chart.chart.templates {
        let base = template.name.rsplit('/').next().unwrap_or(&template.name);
        if library && !base.starts_with('_') {
            continue;
        }
        let name = format!("{full_path}/{}", template.name);
        let (id, file) = add_source(
            sources,
            chart.chart.display_name(&template.name),
            template.text(),
        );
        out.files.push(TemplateFile {
            name: name.clone(),
            file: id,
            text: Arc::from(file.text.as_str()),
        });
        out.dots.push((
            name,
            dot.clone(),
            format!("{full_path}/templates"),
            !base.starts_with('_'),
        ));
    }
    dot
}

/// Dependencies named in Chart.yaml that `charts/` does not hold (Helm refuses to install).
fn missing_dependencies(chart: &Chart) -> Vec<String> {
    chart
        .metadata
        .dependencies
        .iter()
        .filter(|r| !chart.dependencies.iter().any(|d| d.metadata.name == r.name))
        .map(|r| r.name.clone())
        .collect()
}

/// Loads and renders the chart at `path`.
pub fn render_path(path: &Path, options: &RenderOptions) -> Result<ChartRender, LoadError> {
    let chart = chart::load(path)?;
    Ok(render_chart(&chart, path, options))
}

/// Renders a loaded chart.
pub fn render_chart(chart: &Chart, path: &Path, options: &RenderOptions) -> ChartRender {
    let mut sources = SourceMap::default();
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let result = |sources, problems, warnings, templates, output, pieces| ChartRender {
        path: path.to_path_buf(),
        chart_name: chart.metadata.name.clone(),
        sources,
        templates,
        output,
        pieces,
        problems,
        warnings,
        values: Map::new(),
    };
    let target = options.kube_version.unwrap_or(KubeVersion::DEFAULT);
    // Chart.yaml is where findings about the chart as a whole point.
    let chart_yaml = chart.chart_yaml.as_ref().map(|f| {
        let (id, source) = add_source(&mut sources, chart.display_name(&f.name), f.text());
        (id, source)
    });
    let at_key = |key: &str| -> Option<(FileId, Span)> {
        let (id, source) = chart_yaml.as_ref()?;
        Some((*id, key_span(&source.text, key)))
    };
    let chart_yaml_at = at_key("name");

    if chart.is_library() {
        problems.push(problem(
            at_key("type"),
            "library charts are not installable",
            ProblemKind::Chart,
        ));
        return result(
            sources,
            problems,
            warnings,
            Vec::new(),
            String::new(),
            Vec::new(),
        );
    }
    let missing = missing_dependencies(chart);
    if !missing.is_empty() {
        problems.push(problem(
            at_key("dependencies").or(chart_yaml_at),
            format!(
                "found in Chart.yaml, but missing in charts/ directory: {}",
                missing.join(", ")
            ),
            ProblemKind::Chart,
        ));
    }
    let kube_git = format!("v{}.{}.0", target.major, target.minor);
    if !chart.metadata.kube_version.is_empty()
        && !is_compatible_range(&chart.metadata.kube_version, &kube_git)
    {
        problems.push(problem(
            at_key("kubeVersion"),
            format!(
                "chart requires kubeVersion: {} which is incompatible with Kubernetes {kube_git}",
                chart.metadata.kube_version
            ),
            ProblemKind::Chart,
        ));
    }

    let mut prepared = match coalesce::prepare(chart, &mut sources) {
        Ok(p) => p,
        Err(p) => {
            problems.push(problem(
                Some((p.file, p.span)),
                p.message,
                ProblemKind::Values,
            ));
            return result(
                sources,
                problems,
                warnings,
                Vec::new(),
                String::new(),
                Vec::new(),
            );
        }
    };
    let user = user_values(options, &mut sources, &mut problems);
    if let Err(message) = coalesce::process_dependencies(&mut prepared, &user, &mut warnings) {
        problems.push(problem(chart_yaml_at, message, ProblemKind::Values));
        return result(
            sources,
            problems,
            warnings,
            Vec::new(),
            String::new(),
            Vec::new(),
        );
    }
    let values = match coalesce::coalesce_values(&prepared, user, &mut warnings) {
        Ok(v) => v,
        Err(message) => {
            problems.push(problem(chart_yaml_at, message, ProblemKind::Values));
            return result(
                sources,
                problems,
                warnings,
                Vec::new(),
                String::new(),
                Vec::new(),
            );
        }
    };
    problems.extend(crate::helm::schema::validate(&prepared, &values, &sources));
    let top_values = values.clone();

    let capabilities = Capabilities::new(target, &options.extra_apis, options.api_versions).value();
    let shared = (objects::release(&options.release), capabilities);
    let mut collected = Collected {
        files: Vec::new(),
        dots: Vec::new(),
    };
    let root_name = prepared.name.clone();
    collect(
        &prepared,
        &Value::map(values),
        &root_name,
        true,
        &shared,
        &mut sources,
        &mut collected,
        0,
    );
    let (set, parse_errors) = TemplateSet::parse(&collected.files);
    for e in parse_errors {
        problems.push(problem(
            Some((e.file, e.span)),
            e.message,
            ProblemKind::Parse,
        ));
    }
    let mut templates = Vec::new();
    for (file, (name, dot, base_path, render)) in collected.files.iter().zip(&collected.dots) {
        if !render || !set.contains(name) {
            continue;
        }
        let mut dot = dot.clone();
        if let Some(map) = crate::helm::values::map_mut(&mut dot) {
            map.insert("Template".into(), objects::template(name, base_path));
        }
        match set.render(name, &dot) {
            Ok(rendered) => templates.push(RenderedTemplate {
                name: name.clone(),
                file: file.file,
                rendered,
            }),
            Err(e) => {
                let kind = match e.kind {
                    ErrorKind::Parse => ProblemKind::Parse,
                    ErrorKind::Exec | ErrorKind::Required | ErrorKind::Fail => ProblemKind::Exec,
                };
                problems.push(problem(Some((e.file, e.span)), e.message, kind));
            }
        }
    }
    // NOTES.txt (of any chart) is rendered, as Helm does, but never printed.
    let printable: Vec<(String, String)> = templates
        .iter()
        .map(|t| {
            let text = if t.name.ends_with("NOTES.txt") {
                String::new()
            } else {
                t.rendered.text.clone()
            };
            (t.name.clone(), text)
        })
        .collect();
    let (generic, hooks) = match manifest::sort_manifests(&printable, true) {
        Ok(sorted) => sorted,
        Err(message) => {
            problems.push(problem(chart_yaml_at, message, ProblemKind::Chart));
            manifest::sort_manifests(&printable, false).unwrap_or_default()
        }
    };
    let (output, pieces) = manifest::print(&printable, &generic, &hooks);
    let mut render = result(sources, problems, warnings, templates, output, pieces);
    render.values = top_values;
    render
}

impl ChartRender {
    /// Keeps only the documents of the named templates in the printed output.
    pub fn restrict(&mut self, names: &[String]) {
        let printable: Vec<(String, String)> = self
            .templates
            .iter()
            .map(|t| {
                let keep = names.contains(&t.name) && !t.name.ends_with("NOTES.txt");
                (
                    t.name.clone(),
                    if keep {
                        t.rendered.text.clone()
                    } else {
                        String::new()
                    },
                )
            })
            .collect();
        let (generic, hooks) = manifest::sort_manifests(&printable, false).unwrap_or_default();
        let (output, pieces) = manifest::print(&printable, &generic, &hooks);
        self.output = output;
        self.pieces = pieces;
    }

    /// A problem as one line: `file:line:col: message` when it has a place.
    pub fn describe(&self, problem: &Problem) -> String {
        match problem.at {
            Some((file, span)) if (file.0 as usize) < self.sources.len() => {
                let source = self.sources.get(file);
                let at = source.line_col(span.start as usize);
                format!(
                    "{}:{}:{}: {}",
                    source.name, at.line, at.col, problem.message
                )
            }
            _ => format!("{}: {}", display_path(&self.path), problem.message),
        }
    }
}

/// The first line of a top-level `key:` in a YAML text (line 1 when there is none).
fn key_span(text: &str, key: &str) -> Span {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with(key) && line[key.len()..].starts_with(':') {
            let content = line.trim_end();
            return Span::new(offset, offset + content.len());
        }
        offset += line.len();
    }
    let first = text.lines().next().map_or(0, str::len);
    Span::new(0, first)
}
