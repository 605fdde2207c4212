//! Loading a Helm chart: a directory with `Chart.yaml` or a packaged `.tgz`, as Helm's loader
//! does it: `.helmignore` (directories only), `Chart.yaml` (apiVersion v1 with
//! `requirements.yaml`, or v2), `values.yaml`, `values.schema.json`, `templates/`, subcharts under
//! `charts/` (directories and archives), and every other file for `.Files`.
//!
//! Archives are read with bounded sizes and never escape their base directory; a chart directory
//! is read without following symbolic links out of it.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::helm::value::{Kind, Value};
use crate::helm::values::{Numbers, format_float32_g, parse_yaml_map};
use crate::source::{FileId, Origin as SourceOrigin, SourceFile, display_path};

/// The most a chart may hold once decompressed (Helm's `MaxDecompressedChartSize`).
pub const MAX_CHART_SIZE: u64 = 100 * 1024 * 1024;
/// The largest single file a chart directory may hold (Helm's `MaxDecompressedFileSize`).
pub const MAX_FILE_SIZE: u64 = 5 * 1024 * 1024;
/// How many files a chart may hold.
const MAX_FILES: usize = 50_000;
/// How deeply subcharts may nest (`charts/a/charts/b/...`), archives included.
const MAX_CHART_DEPTH: usize = 16;
/// How deep a chart directory may be walked.
const MAX_DIR_DEPTH: usize = 64;

/// A file of a chart: its path inside the chart (`templates/deployment.yaml`) and its bytes
/// (without a UTF-8 byte order mark).
#[derive(Clone, Debug)]
pub struct ChartFile {
    pub name: String,
    pub data: Arc<[u8]>,
}

impl ChartFile {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Maintainer {
    pub name: String,
    pub email: String,
    pub url: String,
}

/// One entry of `dependencies` (Chart.yaml v2, or requirements.yaml v1).
#[derive(Clone, Debug, Default)]
pub struct Dependency {
    pub name: String,
    pub version: String,
    pub repository: String,
    pub condition: String,
    pub tags: Vec<String>,
    pub enabled: bool,
    /// `import-values` as written: strings and `{child, parent}` maps.
    pub import_values: Vec<Value>,
    pub alias: String,
}

/// `Chart.yaml`, with Helm's field names kept for `.Chart`.
#[derive(Clone, Debug, Default)]
pub struct Metadata {
    pub name: String,
    pub home: String,
    pub sources: Vec<String>,
    pub version: String,
    pub description: String,
    pub keywords: Vec<String>,
    pub maintainers: Vec<Maintainer>,
    pub icon: String,
    pub api_version: String,
    pub condition: String,
    pub tags: String,
    pub app_version: String,
    pub deprecated: bool,
    pub annotations: BTreeMap<String, String>,
    pub kube_version: String,
    pub dependencies: Vec<Dependency>,
    pub chart_type: String,
}

/// A loaded chart and its subcharts.
#[derive(Clone, Debug)]
pub struct Chart {
    pub metadata: Metadata,
    /// `Chart.yaml` as read (findings about the chart point into it).
    pub chart_yaml: Option<ChartFile>,
    /// The chart's `values.yaml`.
    pub values: Option<ChartFile>,
    pub schema: Option<ChartFile>,
    pub templates: Vec<ChartFile>,
    /// Every other file, for `.Files`.
    pub files: Vec<ChartFile>,
    /// Subcharts loaded from `charts/`.
    pub dependencies: Vec<Chart>,
    /// How this chart's files are named in diagnostics: `<root>/<file name>`.
    pub display_root: String,
    /// On disk, for a directory chart: `<dir>/<file name>` exists.
    pub dir: Option<PathBuf>,
}

/// Why a chart could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// The file it is about, as displayed (the chart directory or archive when none).
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

fn error(path: impl Into<String>, message: impl Into<String>) -> LoadError {
    LoadError {
        path: path.into(),
        message: message.into(),
    }
}

/// True when `path` is a chart: a directory with `Chart.yaml`, or a `.tgz` file.
pub fn is_chart(path: &Path) -> bool {
    if path.is_dir() {
        return path.join("Chart.yaml").is_file();
    }
    path.is_file() && is_archive_name(path)
}

pub fn is_archive_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(".tgz") || n.ends_with(".tar.gz"))
}

/// Loads a chart directory or archive.
pub fn load(path: &Path) -> Result<Chart, LoadError> {
    let shown = display_path(path);
    let meta =
        std::fs::metadata(path).map_err(|e| error(&shown, crate::discover::io_message(&e)))?;
    if meta.is_dir() {
        let files = read_dir(path)?;
        let mut chart = load_files(files, &shown, 0)?;
        set_dirs(&mut chart, Some(path.to_path_buf()));
        Ok(chart)
    } else {
        if meta.len() > MAX_CHART_SIZE {
            return Err(error(&shown, "chart archive is larger than 100 MiB"));
        }
        let bytes =
            std::fs::read(path).map_err(|e| error(&shown, crate::discover::io_message(&e)))?;
        load_archive(&bytes, &shown, 0)
    }
}

/// Records the on-disk directory of a directory chart and of its directory subcharts.
fn set_dirs(chart: &mut Chart, dir: Option<PathBuf>) {
    chart.dir = dir;
    let base = chart.dir.clone();
    for sub in &mut chart.dependencies {
        // `display_root` of a directory subchart is `<parent>/charts/<dir name>`.
        let sub_dir = base.as_ref().and_then(|b| {
            let rest = sub
                .display_root
                .strip_prefix(&chart.display_root)?
                .strip_prefix('/')?;
            let candidate = b.join(rest);
            candidate.is_dir().then_some(candidate)
        });
        set_dirs(sub, sub_dir);
    }
}

/// Reads a chart directory: every regular file not excluded by `.helmignore`, in lexical order,
/// without a byte order mark. Symbolic links are followed only when they stay inside the chart.
fn read_dir(root: &Path) -> Result<Vec<ChartFile>, LoadError> {
    let shown = display_path(root);
    let rules = match std::fs::read_to_string(root.join(".helmignore")) {
        Ok(text) => {
            IgnoreRules::parse(&text).map_err(|m| error(format!("{shown}/.helmignore"), m))?
        }
        Err(_) => IgnoreRules::default(),
    }
    .with_defaults();
    let canonical_root = root
        .canonicalize()
        .map_err(|e| error(&shown, crate::discover::io_message(&e)))?;
    let mut files = Vec::new();
    let mut total = 0u64;
    walk(
        root,
        "",
        &canonical_root,
        &rules,
        &mut files,
        &mut total,
        0,
        &shown,
    )?;
    Ok(files)
}

#[allow(clippy::too_many_arguments)]
fn walk(
    dir: &Path,
    prefix: &str,
    root: &Path,
    rules: &IgnoreRules,
    files: &mut Vec<ChartFile>,
    total: &mut u64,
    depth: usize,
    shown: &str,
) -> Result<(), LoadError> {
    if depth > MAX_DIR_DEPTH {
        return Err(error(shown, "chart directory nests too deeply"));
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| error(display_path(dir), crate::discover::io_message(&e)))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let Some(file_name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        let name = if prefix.is_empty() {
            file_name.clone()
        } else {
            format!("{prefix}/{file_name}")
        };
        let path = entry.path();
        let Ok(link_meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let meta = if link_meta.file_type().is_symlink() {
            // Followed only inside the chart.
            match path.canonicalize() {
                Ok(target) if target.starts_with(root) => match std::fs::metadata(&target) {
                    Ok(meta) => meta,
                    Err(_) => continue,
                },
                _ => continue,
            }
        } else {
            link_meta
        };
        let is_dir = meta.is_dir();
        if rules.ignore(&name, is_dir) {
            continue;
        }
        if is_dir {
            walk(&path, &name, root, rules, files, total, depth + 1, shown)?;
            continue;
        }
        if !meta.is_file() {
            return Err(error(
                display_path(&path),
                "cannot load an irregular file (device, FIFO or socket) in a chart",
            ));
        }
        if meta.len() > MAX_FILE_SIZE {
            return Err(error(
                display_path(&path),
                format!("chart file is larger than the maximum file size {MAX_FILE_SIZE}"),
            ));
        }
        *total += meta.len();
        if *total > MAX_CHART_SIZE || files.len() >= MAX_FILES {
            return Err(error(shown, "chart is larger than 100 MiB or 50,000 files"));
        }
        let mut data = Vec::new();
        std::fs::File::open(&path)
            .and_then(|f| f.take(MAX_FILE_SIZE + 1).read_to_end(&mut data))
            .map_err(|e| error(display_path(&path), crate::discover::io_message(&e)))?;
        files.push(ChartFile {
            name,
            data: strip_bom(data).into(),
        });
    }
    Ok(())
}

fn strip_bom(mut data: Vec<u8>) -> Vec<u8> {
    if data.starts_with(&[0xEF, 0xBB, 0xBF]) {
        data.drain(..3);
    }
    data
}

/// Reads a gzipped tar chart: names lose their first component (the chart directory), must stay
/// relative and inside it, and the whole is bounded by [`MAX_CHART_SIZE`].
pub fn archive_files(bytes: &[u8], shown: &str) -> Result<Vec<ChartFile>, LoadError> {
    let decoder = flate2::read::GzDecoder::new(bytes);
    let mut archive = tar::Archive::new(decoder);
    let entries = archive
        .entries()
        .map_err(|e| error(shown, format!("not a gzipped tar archive: {e}")))?;
    let mut files = Vec::new();
    let mut remaining = MAX_CHART_SIZE;
    for entry in entries {
        let mut entry = entry.map_err(|e| error(shown, format!("broken chart archive: {e}")))?;
        let kind = entry.header().entry_type();
        if !(kind.is_file() || kind == tar::EntryType::Continuous) {
            continue;
        }
        let raw_name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let delimiter = if raw_name.contains('\\') { '\\' } else { '/' };
        let parts: Vec<&str> = raw_name.split(delimiter).collect();
        if parts.first() == Some(&"Chart.yaml") {
            return Err(error(shown, "chart yaml not in base directory"));
        }
        let joined = parts[1..].join("/");
        if joined.starts_with('/') {
            return Err(error(shown, "chart illegally contains absolute paths"));
        }
        let name = clean_path(&joined);
        if name == "." {
            return Err(error(
                shown,
                format!(
                    "chart illegally contains content outside the base directory: {raw_name:?}"
                ),
            ));
        }
        if name.starts_with("..") {
            return Err(error(shown, "chart illegally references parent directory"));
        }
        let b = name.as_bytes();
        if b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/' {
            return Err(error(shown, "chart contains illegally named files"));
        }
        let size = entry.header().size().unwrap_or(0);
        if size > remaining {
            return Err(error(
                shown,
                format!("decompressed chart is larger than the maximum size {MAX_CHART_SIZE}"),
            ));
        }
        let mut data = Vec::new();
        (&mut entry)
            .take(remaining)
            .read_to_end(&mut data)
            .map_err(|e| error(shown, format!("broken chart archive: {e}")))?;
        remaining -= data.len() as u64;
        if (data.len() as u64) < size {
            return Err(error(
                shown,
                format!("decompressed chart is larger than the maximum size {MAX_CHART_SIZE}"),
            ));
        }
        if files.len() >= MAX_FILES {
            return Err(error(shown, "chart archive holds too many files"));
        }
        files.push(ChartFile {
            name,
            data: strip_bom(data).into(),
        });
    }
    if files.is_empty() {
        return Err(error(shown, "no files in chart archive"));
    }
    Ok(files)
}

/// The top directory of an archive's first entry (`mychart/` of `mychart/Chart.yaml`).
fn archive_top(bytes: &[u8]) -> Option<String> {
    let decoder = flate2::read::GzDecoder::new(bytes);
    let mut archive = tar::Archive::new(decoder);
    let mut entries = archive.entries().ok()?;
    let first = entries.next()?.ok()?;
    let name = String::from_utf8_lossy(&first.path_bytes()).into_owned();
    name.split(['/', '\\']).next().map(str::to_string)
}

fn load_archive(bytes: &[u8], shown: &str, depth: usize) -> Result<Chart, LoadError> {
    let files = archive_files(bytes, shown)?;
    let root = match archive_top(bytes) {
        Some(top) if !top.is_empty() => format!("{shown}/{top}"),
        _ => shown.to_string(),
    };
    load_files(files, &root, depth)
}

/// Go's `path.Clean` for `/`-separated relative paths.
fn clean_path(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// Builds a chart from its files as Helm's `LoadFiles` does.
pub fn load_files(
    files: Vec<ChartFile>,
    display_root: &str,
    depth: usize,
) -> Result<Chart, LoadError> {
    if depth > MAX_CHART_DEPTH {
        return Err(error(display_root, "subcharts nest too deeply"));
    }
    let chart_yaml = files
        .iter()
        .find(|f| f.name == "Chart.yaml")
        .cloned()
        .ok_or_else(|| error(display_root, "Chart.yaml file is missing"))?;
    let mut metadata = parse_metadata(&chart_yaml, display_root)?;
    if metadata.api_version.is_empty() {
        metadata.api_version = "v1".to_string();
    }
    let mut chart = Chart {
        metadata,
        chart_yaml: Some(chart_yaml),
        values: None,
        schema: None,
        templates: Vec::new(),
        files: Vec::new(),
        dependencies: Vec::new(),
        display_root: display_root.to_string(),
        dir: None,
    };
    let mut subcharts: BTreeMap<String, Vec<ChartFile>> = BTreeMap::new();
    for file in files {
        match file.name.as_str() {
            "Chart.yaml" | "Chart.lock" => {}
            "values.yaml" => chart.values = Some(file),
            "values.schema.json" => chart.schema = Some(file),
            "requirements.yaml" => {
                let deps = parse_requirements(&file, display_root)?;
                chart.metadata.dependencies = deps;
                if chart.metadata.api_version == "v1" {
                    chart.files.push(file);
                }
            }
            "requirements.lock" => {
                if chart.metadata.api_version == "v1" {
                    chart.files.push(file);
                }
            }
            name if name.starts_with("templates/") => chart.templates.push(file),
            name if name.starts_with("charts/") => {
                if name.ends_with(".prov") {
                    chart.files.push(file);
                    continue;
                }
                let rest = &name["charts/".len()..];
                let (sub, inner) = rest.split_once('/').unwrap_or((rest, ""));
                let sub = sub.to_string();
                let inner = inner.to_string();
                subcharts.entry(sub.clone()).or_default().push(ChartFile {
                    name: if inner.is_empty() { sub } else { inner },
                    data: file.data,
                });
            }
            _ => chart.files.push(file),
        }
    }
    validate(&chart.metadata).map_err(|m| error(format!("{display_root}/Chart.yaml"), m))?;
    for (name, files) in subcharts {
        if name.starts_with(['_', '.']) {
            continue;
        }
        let shown = format!("{display_root}/charts/{name}");
        let sub = if name.ends_with(".tgz") {
            let Some(file) = files.iter().find(|f| f.name == name) else {
                continue;
            };
            load_archive(&file.data, &shown, depth + 1)
        } else {
            // Files directly in charts/ that are not in a subdirectory are not charts.
            let inner: Vec<ChartFile> = files.into_iter().filter(|f| f.name != name).collect();
            if inner.is_empty() {
                continue;
            }
            load_files(inner, &shown, depth + 1)
        };
        let sub = sub.map_err(|e| {
            error(
                e.path.clone(),
                format!(
                    "error unpacking subchart {name} in {}: {}",
                    chart.metadata.name, e.message
                ),
            )
        })?;
        chart.dependencies.push(sub);
    }
    Ok(chart)
}

fn validate(metadata: &Metadata) -> Result<(), String> {
    if metadata.name.is_empty() {
        return Err("validation: chart.metadata.name is required".to_string());
    }
    if metadata.name.contains(['/', '\\']) || metadata.name == "." || metadata.name == ".." {
        return Err(format!(
            "chart.metadata.name {:?} is invalid",
            metadata.name
        ));
    }
    if metadata.version.is_empty() {
        return Err("validation: chart.metadata.version is required".to_string());
    }
    if !matches!(metadata.api_version.as_str(), "v1" | "v2") {
        return Err(format!(
            "chart.metadata.apiVersion {:?} is invalid (expected v1 or v2)",
            metadata.api_version
        ));
    }
    if !matches!(metadata.chart_type.as_str(), "" | "application" | "library") {
        return Err(format!("chart type {:?} is not valid", metadata.chart_type));
    }
    for dep in &metadata.dependencies {
        if dep.name.is_empty() {
            return Err("dependencies must have a name".to_string());
        }
    }
    Ok(())
}

fn yaml_map(file: &ChartFile, display_root: &str) -> Result<crate::helm::value::Map, LoadError> {
    let shown = format!("{display_root}/{}", file.name);
    let source = Arc::new(SourceFile::new(
        SourceOrigin::Path(PathBuf::from(&shown)),
        file.text(),
    ));
    parse_yaml_map(FileId(0), &source, Numbers::Typed).map_err(|p| {
        let at = source.line_col(p.span.start as usize);
        error(shown, format!("{}:{}: {}", at.line, at.col, p.message))
    })
}

/// A field as Go's encoding/json finds it: the exact key, else a key equal up to case.
fn field(map: &crate::helm::value::Map, key: &str) -> Value {
    map.get(key)
        .or_else(|| {
            map.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v)
        })
        .cloned()
        .unwrap_or(Value::NIL)
}

/// A scalar as a Go string field reads it through sigs.k8s.io/yaml.
fn string_of(value: &Value, field: &str) -> Result<String, String> {
    Ok(match &value.kind {
        Kind::Nil => String::new(),
        Kind::Str(s) => s.to_string(),
        Kind::Bool(b) => b.to_string(),
        Kind::Int(i) => i.to_string(),
        Kind::Float(f) => format_float32_g(*f),
        _ => return Err(format!("`{field}` must be a string")),
    })
}

fn strings_of(value: &Value, field: &str) -> Result<Vec<String>, String> {
    match &value.kind {
        Kind::Nil => Ok(Vec::new()),
        Kind::List(items) => items.iter().map(|v| string_of(v, field)).collect(),
        _ => Err(format!("`{field}` must be a list of strings")),
    }
}

fn bool_of(value: &Value, field: &str) -> Result<bool, String> {
    match &value.kind {
        Kind::Nil => Ok(false),
        Kind::Bool(b) => Ok(*b),
        _ => Err(format!("`{field}` must be true or false")),
    }
}

fn parse_dependencies(value: &Value) -> Result<Vec<Dependency>, String> {
    let items = match &value.kind {
        Kind::Nil => return Ok(Vec::new()),
        Kind::List(items) => items,
        _ => return Err("`dependencies` must be a list".to_string()),
    };
    let mut out = Vec::new();
    for item in items.iter() {
        let Some(map) = item.as_map() else {
            if item.is_nil() {
                continue;
            }
            return Err("each dependency must be a mapping".to_string());
        };
        let get = |k: &str| field(map, k);
        out.push(Dependency {
            name: string_of(&get("name"), "name")?,
            version: string_of(&get("version"), "version")?,
            repository: string_of(&get("repository"), "repository")?,
            condition: string_of(&get("condition"), "condition")?,
            tags: strings_of(&get("tags"), "tags")?,
            enabled: bool_of(&get("enabled"), "enabled")?,
            import_values: get("import-values")
                .as_list()
                .map(<[Value]>::to_vec)
                .unwrap_or_default(),
            alias: string_of(&get("alias"), "alias")?,
        });
    }
    Ok(out)
}

fn parse_metadata(file: &ChartFile, display_root: &str) -> Result<Metadata, LoadError> {
    let map = yaml_map(file, display_root)?;
    let shown = format!("{display_root}/Chart.yaml");
    let get = |k: &str| field(&map, k);
    let build = || -> Result<Metadata, String> {
        let maintainers = match &get("maintainers").kind {
            Kind::Nil => Vec::new(),
            Kind::List(items) => items
                .iter()
                .filter(|m| !m.is_nil())
                .map(|m| {
                    let Some(m) = m.as_map() else {
                        return Err("each maintainer must be a mapping".to_string());
                    };
                    let g = |k: &str| field(m, k);
                    Ok(Maintainer {
                        name: string_of(&g("name"), "name")?,
                        email: string_of(&g("email"), "email")?,
                        url: string_of(&g("url"), "url")?,
                    })
                })
                .collect::<Result<_, _>>()?,
            _ => return Err("`maintainers` must be a list".to_string()),
        };
        let annotations = match &get("annotations").kind {
            Kind::Nil => BTreeMap::new(),
            Kind::Map(m) => m
                .iter()
                .map(|(k, v)| Ok((k.clone(), string_of(v, k)?)))
                .collect::<Result<_, String>>()?,
            _ => return Err("`annotations` must be a mapping".to_string()),
        };
        Ok(Metadata {
            name: string_of(&get("name"), "name")?,
            home: string_of(&get("home"), "home")?,
            sources: strings_of(&get("sources"), "sources")?,
            version: string_of(&get("version"), "version")?,
            description: string_of(&get("description"), "description")?,
            keywords: strings_of(&get("keywords"), "keywords")?,
            maintainers,
            icon: string_of(&get("icon"), "icon")?,
            api_version: string_of(&get("apiVersion"), "apiVersion")?,
            condition: string_of(&get("condition"), "condition")?,
            tags: string_of(&get("tags"), "tags")?,
            app_version: string_of(&get("appVersion"), "appVersion")?,
            deprecated: bool_of(&get("deprecated"), "deprecated")?,
            annotations,
            kube_version: string_of(&get("kubeVersion"), "kubeVersion")?,
            dependencies: parse_dependencies(&get("dependencies"))?,
            chart_type: string_of(&get("type"), "type")?,
        })
    };
    build().map_err(|m| error(shown, format!("cannot load Chart.yaml: {m}")))
}

fn parse_requirements(file: &ChartFile, display_root: &str) -> Result<Vec<Dependency>, LoadError> {
    let map = yaml_map(file, display_root)?;
    parse_dependencies(&field(&map, "dependencies")).map_err(|m| {
        error(
            format!("{display_root}/requirements.yaml"),
            format!("cannot load requirements.yaml: {m}"),
        )
    })
}

impl Chart {
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    pub fn is_library(&self) -> bool {
        self.metadata.chart_type == "library"
    }

    /// How a file of this chart is shown (`<chart dir>/templates/x.yaml`).
    pub fn display_name(&self, file: &str) -> String {
        format!("{}/{file}", self.display_root)
    }
}

// ---------------------------------------------------------------------------------------------
// .helmignore

/// `.helmignore` rules with Helm's semantics: evaluated in order, the first match decides; a
/// negated rule that does *not* match ignores the file (Helm's own quirk, kept for fidelity).
#[derive(Clone, Debug, Default)]
pub struct IgnoreRules {
    patterns: Vec<IgnorePattern>,
}

#[derive(Clone, Debug)]
struct IgnorePattern {
    pattern: String,
    negate: bool,
    must_dir: bool,
    anchored: bool,
    /// The pattern contains `/`: matched against the whole path, else against the base name.
    structural: bool,
}

impl IgnoreRules {
    pub fn parse(text: &str) -> Result<IgnoreRules, String> {
        let mut rules = IgnoreRules::default();
        for line in text.lines() {
            rules.add(line)?;
        }
        Ok(rules)
    }

    /// Adds Helm's default: dotfiles in `templates/`.
    pub fn with_defaults(mut self) -> IgnoreRules {
        let _ = self.add("templates/.?*");
        self
    }

    fn add(&mut self, rule: &str) -> Result<(), String> {
        let rule = rule.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err("double-star (**) syntax is not supported".to_string());
        }
        if glob_match(rule, "abc").is_err() {
            return Err(format!("syntax error in pattern {rule:?}"));
        }
        let (negate, rest) = match rule.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, rule),
        };
        let (must_dir, rest) = match rest.strip_suffix('/') {
            Some(rest) => (true, rest),
            None => (false, rest),
        };
        let (anchored, rest) = match rest.strip_prefix('/') {
            Some(rest) => (true, rest),
            None => (false, rest),
        };
        self.patterns.push(IgnorePattern {
            pattern: rest.to_string(),
            negate,
            must_dir,
            anchored,
            structural: rest.contains('/'),
        });
        Ok(())
    }

    pub fn ignore(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        for p in &self.patterns {
            let matches = || {
                let target = if p.anchored || p.structural {
                    path
                } else {
                    path.rsplit('/').next().unwrap_or(path)
                };
                glob_match(&p.pattern, target).unwrap_or(false)
            };
            if p.negate {
                if p.must_dir && !is_dir {
                    return true;
                }
                if !matches() {
                    return true;
                }
                continue;
            }
            if p.must_dir && !is_dir {
                continue;
            }
            if matches() {
                return true;
            }
        }
        false
    }
}

/// A malformed glob pattern (Go's `filepath.ErrBadPattern`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadPattern;

/// Go's `filepath.Match` (with `/` as the separator): `*`, `?`, `[...]` with `^` negation and
/// ranges, `\` escapes. `Err` for a malformed pattern.
pub fn glob_match(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let mut budget = 100_000u32;
    glob_at(&p, &n, &mut budget)
}

fn glob_at(p: &[char], n: &[char], budget: &mut u32) -> Result<bool, BadPattern> {
    if *budget == 0 {
        return Ok(false);
    }
    *budget -= 1;
    match p.first() {
        None => Ok(n.is_empty()),
        Some('*') => {
            let rest = &p[1..];
            // Validate the rest of the pattern even when the name runs out.
            for i in 0..=n.len() {
                if i > 0 && n[i - 1] == '/' {
                    break;
                }
                if glob_at(rest, &n[i..], budget)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Some('?') => match n.first() {
            Some(c) if *c != '/' => glob_at(&p[1..], &n[1..], budget),
            _ => check_rest(&p[1..]).map(|_| false),
        },
        Some('[') => {
            let (matched, len) = class(&p[1..], n.first().copied())?;
            match n.first() {
                Some(c) if *c != '/' && matched => glob_at(&p[1 + len..], &n[1..], budget),
                _ => check_rest(&p[1 + len..]).map(|_| false),
            }
        }
        Some('\\') => {
            let c = *p.get(1).ok_or(BadPattern)?;
            match n.first() {
                Some(x) if *x == c => glob_at(&p[2..], &n[1..], budget),
                _ => check_rest(&p[2..]).map(|_| false),
            }
        }
        Some(c) => match n.first() {
            Some(x) if x == c => glob_at(&p[1..], &n[1..], budget),
            _ => check_rest(&p[1..]).map(|_| false),
        },
    }
}

/// Reports a malformed remainder of a pattern (Go reports `ErrBadPattern` even on a mismatch).
fn check_rest(p: &[char]) -> Result<(), BadPattern> {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '[' => {
                let (_, len) = class(&p[i + 1..], None)?;
                i += 1 + len;
            }
            '\\' => {
                if i + 1 >= p.len() {
                    return Err(BadPattern);
                }
                i += 2;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// A character class after `[`: whether `c` is in it and how many pattern characters it took
/// (up to and including `]`).
fn class(p: &[char], c: Option<char>) -> Result<(bool, usize), BadPattern> {
    let mut i = 0;
    let negated = p.first() == Some(&'^');
    if negated {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let Some(&ch) = p.get(i) else {
            return Err(BadPattern);
        };
        if ch == ']' && !first {
            i += 1;
            break;
        }
        first = false;
        let lo = if ch == '\\' {
            i += 1;
            *p.get(i).ok_or(BadPattern)?
        } else {
            if ch == '-' {
                return Err(BadPattern);
            }
            ch
        };
        i += 1;
        let mut hi = lo;
        if p.get(i) == Some(&'-') && p.get(i + 1).is_some_and(|x| *x != ']') {
            i += 1;
            let h = p[i];
            hi = if h == '\\' {
                i += 1;
                *p.get(i).ok_or(BadPattern)?
            } else {
                h
            };
            i += 1;
        }
        if let Some(c) = c
            && lo <= c
            && c <= hi
        {
            matched = true;
        }
    }
    Ok((matched != negated, i))
}

// ---------------------------------------------------------------------------------------------
// Semantic versions (Masterminds/semver constraints, for matching dependencies to subcharts)

#[derive(Clone, Debug, PartialEq, Eq)]
struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
}

fn parse_version(text: &str) -> Option<Version> {
    let text = text.trim().trim_start_matches(['v', 'V']);
    let text = text.split('+').next()?;
    let (core, pre) = match text.split_once('-') {
        Some((c, p)) => (c, p.to_string()),
        None => (text, String::new()),
    };
    let mut parts = core.split('.');
    let num = |p: Option<&str>| -> Option<u64> {
        match p {
            None => Some(0),
            Some(s) => s.parse().ok(),
        }
    };
    let major = num(Some(parts.next()?))?;
    let minor = num(parts.next())?;
    let patch = num(parts.next())?;
    if parts.next().is_some() {
        return None;
    }
    Some(Version {
        major,
        minor,
        patch,
        pre,
    })
}

fn compare(a: &Version, b: &Version) -> std::cmp::Ordering {
    (a.major, a.minor, a.patch)
        .cmp(&(b.major, b.minor, b.patch))
        .then_with(|| match (a.pre.is_empty(), b.pre.is_empty()) {
            (true, true) => std::cmp::Ordering::Equal,
            (true, false) => std::cmp::Ordering::Greater,
            (false, true) => std::cmp::Ordering::Less,
            (false, false) => compare_pre(&a.pre, &b.pre),
        })
}

fn compare_pre(a: &str, b: &str) -> std::cmp::Ordering {
    let mut x = a.split('.');
    let mut y = b.split('.');
    loop {
        match (x.next(), y.next()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(p), Some(q)) => {
                let ord = match (p.parse::<u64>(), q.parse::<u64>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    (Ok(_), Err(_)) => std::cmp::Ordering::Less,
                    (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
                    _ => p.cmp(q),
                };
                if ord != std::cmp::Ordering::Equal {
                    return ord;
                }
            }
        }
    }
}

/// Whether `version` satisfies the constraint `range` (`1.2.3`, `^1.2`, `~1.2.0`, `>=1, <2`,
/// `1.x`, `*`, `a || b`). An unparsable constraint or version never matches.
pub fn is_compatible_range(range: &str, version: &str) -> bool {
    // Masterminds refuses an empty constraint, so a dependency without a version never matches.
    if range.trim().is_empty() {
        return false;
    }
    let Some(v) = parse_version(version) else {
        return false;
    };
    range
        .split("||")
        .any(|group| constraint_group(group.trim(), &v).unwrap_or(false))
}

fn constraint_group(group: &str, v: &Version) -> Option<bool> {
    // Masterminds joins operators to their versions (`>= 1.2` is one constraint).
    let normalized = group.replace(',', " ");
    let mut tokens: Vec<String> = Vec::new();
    let mut pending_op: Option<String> = None;
    for token in normalized.split_whitespace() {
        if token.chars().all(|c| "<>=!~^".contains(c)) {
            pending_op = Some(token.to_string());
            continue;
        }
        tokens.push(match pending_op.take() {
            Some(op) => format!("{op}{token}"),
            None => token.to_string(),
        });
    }
    if tokens.is_empty() {
        tokens.push("*".to_string());
    }
    let mut all = true;
    for token in &tokens {
        all &= single_constraint(token, v)?;
    }
    Some(all)
}

fn single_constraint(token: &str, v: &Version) -> Option<bool> {
    let op_len = token
        .find(|c: char| !"<>=!~^".contains(c))
        .unwrap_or(token.len());
    let (op, rest) = token.split_at(op_len);
    let rest = rest.trim_start_matches(['v', 'V']);
    let parts: Vec<&str> = rest.split('-').next()?.split('.').collect();
    let wild = |p: Option<&&str>| p.is_none_or(|s| matches!(*s, "x" | "X" | "*"));
    let major_wild = wild(parts.first());
    let minor_wild = wild(parts.get(1));
    let patch_wild = wild(parts.get(2));
    let base = if major_wild {
        Version {
            major: 0,
            minor: 0,
            patch: 0,
            pre: String::new(),
        }
    } else {
        let filled: Vec<String> = (0..3)
            .map(|i| {
                parts
                    .get(i)
                    .filter(|s| !matches!(**s, "x" | "X" | "*"))
                    .map_or("0".to_string(), |s| s.to_string())
            })
            .collect();
        let pre = rest
            .split_once('-')
            .map(|(_, p)| format!("-{p}"))
            .unwrap_or_default();
        parse_version(&format!("{}{pre}", filled.join(".")))?
    };
    // A pre-release version only satisfies constraints that name a pre-release.
    if !v.pre.is_empty() && base.pre.is_empty() {
        return Some(false);
    }
    use std::cmp::Ordering::*;
    let ord = compare(v, &base);
    let next = |bump: u8| -> Version {
        let mut n = base.clone();
        n.pre.clear();
        match bump {
            0 => {
                n.major += 1;
                n.minor = 0;
                n.patch = 0;
            }
            1 => {
                n.minor += 1;
                n.patch = 0;
            }
            _ => n.patch += 1,
        }
        n
    };
    let wildcard_upper = || {
        if major_wild {
            None
        } else if minor_wild {
            Some(next(0))
        } else if patch_wild {
            Some(next(1))
        } else {
            None
        }
    };
    Some(match op {
        "" | "=" => {
            if major_wild {
                true
            } else if let Some(upper) = wildcard_upper() {
                ord != Less && compare(v, &upper) == Less
            } else {
                ord == Equal
            }
        }
        "!=" => ord != Equal,
        ">" => ord == Greater,
        ">=" | "=>" => ord != Less,
        "<" => ord == Less,
        "<=" | "=<" => ord != Greater,
        "~" | "~>" => {
            let upper = if minor_wild && !major_wild {
                next(0)
            } else {
                next(1)
            };
            ord != Less && compare(v, &upper) == Less
        }
        "^" => {
            let upper = if base.major > 0 || minor_wild {
                next(0)
            } else if base.minor > 0 || patch_wild {
                next(1)
            } else {
                next(2)
            };
            ord != Less && compare(v, &upper) == Less
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> ChartFile {
        ChartFile {
            name: name.to_string(),
            data: text.as_bytes().into(),
        }
    }

    #[test]
    fn classifies_files_like_helm() {
        let chart = load_files(
            vec![
                file(
                    "Chart.yaml",
                    "apiVersion: v2\nname: app\nversion: 1.0.0\nappVersion: 1.10\n",
                ),
                file("values.yaml", "a: 1\n"),
                file("templates/a.yaml", "kind: A\n"),
                file("templates/_h.tpl", ""),
                file("README.md", "hi"),
                file(".helmignore", ""),
                file("charts/sub/Chart.yaml", "name: sub\nversion: 0.1.0\n"),
                file("charts/sub/templates/b.yaml", "kind: B\n"),
                file("charts/_skip/Chart.yaml", "name: x\nversion: 1\n"),
                file("charts/README", "not a chart"),
            ],
            "app",
            0,
        )
        .unwrap();
        assert_eq!(chart.metadata.app_version, "1.1");
        assert_eq!(chart.templates.len(), 2);
        let files: Vec<_> = chart.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(files, ["README.md", ".helmignore"]);
        assert_eq!(chart.dependencies.len(), 1);
        let sub = &chart.dependencies[0];
        assert_eq!(sub.metadata.api_version, "v1");
        assert_eq!(
            sub.display_name("templates/b.yaml"),
            "app/charts/sub/templates/b.yaml"
        );
    }

    #[test]
    fn helmignore_semantics() {
        let rules = IgnoreRules::parse("# c\n*.md\n/docs/\nsecret/*.txt\n")
            .unwrap()
            .with_defaults();
        assert!(rules.ignore("README.md", false));
        assert!(rules.ignore("sub/NOTES.md", false));
        assert!(rules.ignore("docs", true));
        assert!(!rules.ignore("docs", false));
        assert!(rules.ignore("secret/a.txt", false));
        assert!(!rules.ignore("other/secret/a.txt", false));
        assert!(rules.ignore("templates/.hidden", false));
        assert!(!rules.ignore("templates/a.yaml", false));
        assert!(IgnoreRules::parse("a/**/b").is_err());
    }

    #[test]
    fn go_glob() {
        assert_eq!(glob_match("*.yaml", "a.yaml"), Ok(true));
        assert_eq!(glob_match("*.yaml", "d/a.yaml"), Ok(false));
        assert_eq!(glob_match("[a-c]?", "bz"), Ok(true));
        assert_eq!(glob_match("[^a-c]?", "bz"), Ok(false));
        assert_eq!(glob_match("\\*", "*"), Ok(true));
        assert!(glob_match("[", "x").is_err());
    }

    #[test]
    fn archive_paths_stay_inside() {
        use std::io::Write;
        let mut builder = tar::Builder::new(Vec::new());
        let add = |b: &mut tar::Builder<Vec<u8>>, name: &str, data: &[u8]| {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_entry_type(tar::EntryType::Regular);
            // Written raw so that `..` survives (the tar crate refuses it in set_path).
            let bytes = name.as_bytes();
            header.as_old_mut().name[..bytes.len()].copy_from_slice(bytes);
            header.set_cksum();
            b.append(&header, data).unwrap();
        };
        add(
            &mut builder,
            "app/Chart.yaml",
            b"name: app\nversion: 1.0.0\n",
        );
        add(
            &mut builder,
            "app/templates/a.yaml",
            b"\xEF\xBB\xBFkind: A\n",
        );
        let tar = builder.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).unwrap();
        let bytes = gz.finish().unwrap();
        let chart = load_archive(&bytes, "app-1.0.0.tgz", 0).unwrap();
        assert_eq!(chart.display_root, "app-1.0.0.tgz/app");
        assert_eq!(&*chart.templates[0].data, b"kind: A\n");

        let mut builder = tar::Builder::new(Vec::new());
        add(&mut builder, "app/../../etc/passwd", b"x");
        let tar = builder.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).unwrap();
        let err = archive_files(&gz.finish().unwrap(), "x.tgz").unwrap_err();
        assert!(err.message.contains("parent directory"), "{}", err.message);
    }

    #[test]
    fn version_ranges() {
        for (range, version, want) in [
            ("1.2.3", "1.2.3", true),
            ("0.21.0-SNAPSHOT", "0.21.0-SNAPSHOT", true),
            ("2.8.*", "2.8.4", true),
            ("2.8.*", "2.9.0", false),
            ("^1.2.0", "1.9.0", true),
            ("^1.2.0", "2.0.0", false),
            ("~1.2.0", "1.2.9", true),
            ("~1.2.0", "1.3.0", false),
            (">=1.0.0, <2.0.0", "1.5.0", true),
            (">= 1.0.0 < 2.0.0", "2.5.0", false),
            ("x.x.x", "3.1.4", true),
            ("*", "1.0.0-rc1", false),
            ("1.0.0 || 2.0.0", "2.0.0", true),
        ] {
            assert_eq!(
                is_compatible_range(range, version),
                want,
                "{range} {version}"
            );
        }
    }
}
