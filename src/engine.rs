//! The pipeline: discover → load → parse → objects → index → rules → sort.

use std::sync::Arc;

use rayon::prelude::*;

use crate::config::LoadedConfig;
use crate::diagnostic::{Diagnostic, Severity};
use crate::discover::{Discovered, Input, discover};
use crate::index::Index;
use crate::load::{DEFAULT_MAX_FILE_SIZE, Loaded, load};
use crate::object::{Object, objects_of};
use crate::rules::{Category, Context, Rule, RuleMeta, Sink, registry};
use crate::source::{FileId, Origin, SourceFile, SourceMap};
use crate::yaml::{ParsedFile, parse_file};

/// How a run is set up.
#[derive(Debug, Clone)]
pub struct Options {
    pub no_ignore: bool,
    pub max_file_size: u64,
    pub default_namespace: String,
    /// Rule ids, categories, or `all`, turned on in order after the defaults.
    pub enable: Vec<String>,
    /// Rule ids, categories, or `all`, turned off after `enable`.
    pub disable: Vec<String>,
    /// `(on, selector)` pairs applied in order after `enable` and `disable` (the CLI's flags as given).
    pub selectors: Vec<(bool, String)>,
    /// The configuration file: rule entries apply before `enable`/`disable`; its node pools reach rules.
    pub config: Option<Arc<LoadedConfig>>,
    /// Target Kubernetes version (the CLI resolves flag, then config, then the default).
    pub kube_version: crate::kube_version::KubeVersion,
    /// How Helm charts found among the inputs are rendered (values, release); the target
    /// Kubernetes version and the namespace come from the options above.
    pub chart: crate::helm::render::RenderOptions,
    /// Leaves the syntax trees allocated when the run returns, for a caller whose process exits
    /// right after its report (the CLI): the system reclaims them at once, where freeing their
    /// millions of nodes would take a core while the report is rendered.
    pub exits_after: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            no_ignore: false,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            default_namespace: "default".to_string(),
            enable: Vec::new(),
            disable: Vec::new(),
            selectors: Vec::new(),
            config: None,
            kube_version: crate::kube_version::KubeVersion::DEFAULT,
            chart: crate::helm::render::RenderOptions::default(),
            exits_after: false,
        }
    }
}

/// An input that could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub path: String,
    pub message: String,
}

/// Everything a run found.
#[derive(Debug)]
pub struct Report {
    pub sources: SourceMap,
    /// Sorted by file, line, column, rule.
    pub diagnostics: Vec<Diagnostic>,
    pub errors: Vec<InputError>,
    /// Things the user should know that are not findings (skipped chart templates).
    pub notes: Vec<String>,
    pub objects: usize,
    /// Findings left out because a baseline holds them (set by the caller that applies it).
    pub baselined: usize,
    /// The configuration's custom rules, for the formats that describe every rule (SARIF).
    pub custom_rules: Vec<&'static RuleMeta>,
    /// Sources that are not files the user has: rendered chart text, and the second copy of a
    /// chart's files for templates its values switch off.
    pub derived_files: usize,
}

impl Report {
    /// A rule's metadata: built-in, or a custom rule of this run's configuration.
    pub fn rule_meta(&self, id: &str) -> Option<&'static RuleMeta> {
        crate::rules::find(id)
            .map(|e| e.meta)
            .or_else(|| self.custom_rules.iter().find(|m| m.id == id).copied())
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    /// Files that were read (I/O failures excluded).
    pub fn files(&self) -> usize {
        self.sources.len().saturating_sub(self.derived_files)
    }
}

/// A rule ready to run, with the severity it reports at.
pub struct ActiveRule {
    pub rule: Box<dyn Rule>,
    pub severity: Severity,
}

/// Resolves the rules to run: defaults, then the configuration's `rules:` entries (`all`, then
/// categories, then ids: the most specific wins), then `enable`/`disable` selectors. Custom
/// rules from the configuration take part like built-in ones.
pub fn select_rules(options: &Options) -> Result<Vec<ActiveRule>, String> {
    let empty = std::collections::BTreeMap::new();
    let configured = options.config.as_ref().map_or(&empty, |c| &c.config.rules);
    let custom: &[Arc<crate::custom::CustomRule>] = options
        .config
        .as_ref()
        .map_or(&[], |c| c.custom_rules.as_slice());
    // Built-in rules first (sorted by id), then custom rules in the order they are declared.
    let metas: Vec<&'static RuleMeta> = registry()
        .iter()
        .map(|r| r.meta)
        .chain(custom.iter().map(|r| r.meta))
        .collect();
    for id in configured.keys() {
        let known = id == "all"
            || Category::ALL.iter().any(|c| c.as_str() == id)
            || metas.iter().any(|m| m.id == id);
        if !known {
            return Err(format!(
                "configuration: unknown rule `{id}` under `rules` (see `kpolicy rules`)"
            ));
        }
    }
    // The entry that decides a rule's `enabled` / `severity`: its own, its category's, `all`'s.
    let entry_for = |meta: &RuleMeta, pick: &dyn Fn(&crate::config::RuleConfig) -> bool| {
        [meta.id, meta.category.as_str(), "all"]
            .into_iter()
            .filter_map(|key| configured.get(key))
            .find(|c| pick(c))
    };
    let mut on: Vec<bool> = metas
        .iter()
        .map(|meta| {
            entry_for(meta, &|c| c.enabled.is_some())
                .and_then(|c| c.enabled)
                .unwrap_or(meta.default_enabled)
        })
        .collect();
    let apply = |selectors: &[String], value: bool, on: &mut Vec<bool>| -> Result<(), String> {
        for selector in selectors
            .iter()
            .flat_map(|s| s.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let matches: Vec<usize> = metas
                .iter()
                .enumerate()
                .filter(|(_, m)| selects(selector, m))
                .map(|(i, _)| i)
                .collect();
            // A category may have no rule yet (`nursery`); only an unknown name is an error.
            let category = Category::ALL.iter().any(|c| c.as_str() == selector);
            if matches.is_empty() && !category {
                return Err(format!(
                    "unknown rule or category `{selector}` (see `kpolicy rules`)"
                ));
            }
            for i in matches {
                on[i] = value;
            }
        }
        Ok(())
    };
    apply(&options.enable, true, &mut on)?;
    apply(&options.disable, false, &mut on)?;
    for (value, selector) in &options.selectors {
        apply(std::slice::from_ref(selector), *value, &mut on)?;
    }
    let mut active = Vec::new();
    for (i, meta) in metas.iter().enumerate() {
        let severity = entry_for(meta, &|c| c.severity.is_some())
            .and_then(|c| c.severity)
            .unwrap_or(meta.default_severity);
        let rule: Box<dyn Rule> = match crate::rules::find(meta.id) {
            Some(entry) => {
                let config = configured.get(entry.meta.id);
                // Settings are checked even for a rule that is off, so a typo never hides.
                let settings = match config {
                    Some(c) if !c.settings.is_empty() => {
                        serde_json::Value::Object(c.settings.clone())
                    }
                    _ => serde_json::Value::Null,
                };
                // A rule that is off with its default settings is not built: building some
                // rules reads their data tables, which a run without them need not pay for.
                if !on[i] && settings.is_null() {
                    continue;
                }
                (entry.build)(&settings).map_err(|e| {
                    format!(
                        "configuration: invalid settings for `{}`: {e}",
                        entry.meta.id
                    )
                })?
            }
            None => match custom.iter().find(|r| r.meta.id == meta.id) {
                Some(rule) => Box::new(crate::custom::Runner(rule.clone())),
                None => continue,
            },
        };
        if on[i] {
            active.push(ActiveRule { rule, severity });
        }
    }
    Ok(active)
}

/// Exactly the given rules, at their default severities (tests, benchmarks).
pub fn select_only(ids: &[&str]) -> Result<Vec<ActiveRule>, String> {
    ids.iter()
        .map(|id| {
            let entry = crate::rules::find(id).ok_or_else(|| format!("unknown rule `{id}`"))?;
            Ok(ActiveRule {
                rule: (entry.build)(&serde_json::Value::Null)?,
                severity: entry.meta.default_severity,
            })
        })
        .collect()
}

fn selects(selector: &str, meta: &RuleMeta) -> bool {
    selector == "all"
        || selector == meta.id
        || Category::ALL
            .iter()
            .any(|c| c.as_str() == selector && meta.category == *c)
}

/// Lints the given inputs from disk or stdin.
pub fn lint_inputs(inputs: &[Input], options: &Options, rules: &[ActiveRule]) -> Report {
    let mut discovery = discover(inputs, options.no_ignore);
    // The configuration's `include` / `exclude` globs.
    if let Some(config) = &options.config {
        discovery.inputs.retain(|d| match &d.input {
            Input::Path(path) => config.paths.selects(path),
            Input::Stdin => true,
        });
    }
    // Kustomizations are built; the files a build read are linted through its output.
    let mut kustomize_notes = Vec::new();
    let built = crate::kustomize::build_all(&discovery.kustomizations, &mut kustomize_notes);
    crate::kustomize::drop_built_inputs(&mut discovery.inputs, &built);
    let loaded: Vec<(Discovered, Result<Loaded, String>)> = discovery
        .inputs
        .into_par_iter()
        .map(|d| {
            let result = load(&d.input, options.max_file_size);
            (d, result)
        })
        .collect();
    let mut errors: Vec<InputError> = discovery
        .errors
        .into_iter()
        .map(|(path, message)| InputError { path, message })
        .collect();
    let mut files = Vec::with_capacity(loaded.len());
    for (discovered, result) in loaded {
        match result {
            Ok(loaded) => files.push(loaded),
            Err(message) => errors.push(InputError {
                path: match &discovered.input {
                    Input::Stdin => "<stdin>".to_string(),
                    Input::Path(p) => crate::source::display_path(p),
                },
                message,
            }),
        }
    }
    let first_built = files.len();
    files.extend(built.iter().map(crate::kustomize::Built::virtual_file));
    let charts = crate::helm::lint::render_all(&discovery.charts, options, &mut errors);
    let mut report = lint_loaded(files, charts, options, rules);
    crate::kustomize::label_origins(&mut report, &built, first_built);
    report.notes.extend(kustomize_notes);
    report.derived_files += built.len();
    report.errors = errors;
    report
}

/// Lints in-memory texts (tests, benchmarks, editors): `(name, text)` pairs.
pub fn lint_texts(texts: Vec<(String, String)>, options: &Options, rules: &[ActiveRule]) -> Report {
    let files = texts
        .into_iter()
        .map(|(name, text)| crate::load::decode(Origin::Path(name.into()), text.into_bytes()))
        .collect();
    lint_loaded(files, Vec::new(), options, rules)
}

fn lint_loaded(
    mut files: Vec<Loaded>,
    charts: Vec<crate::helm::lint::ChartInput>,
    options: &Options,
    rules: &[ActiveRule],
) -> Report {
    // A rendered chart is linted as the text `helm template` prints; its findings are mapped back
    // to the templates and values files afterwards.
    let first_rendered = files.len();
    files.extend(charts.iter().map(|c| c.virtual_file()));
    let config_file = options.config.as_ref().map(|_| FileId(files.len() as u32));
    let ctx = Context {
        default_namespace: options.default_namespace.clone(),
        node_pools: options
            .config
            .as_ref()
            .map(|c| c.node_pools.clone())
            .unwrap_or_default(),
        config_file,
        kube_version: options.kube_version,
    };
    let syntax_severity = rules
        .iter()
        .find(|r| r.rule.meta().id == crate::rules::syntax::yaml_syntax::META.id)
        .map(|r| r.severity);

    // Parse every file in parallel; a file's id is its position in the (sorted) input list.
    let parsed: Vec<(Arc<SourceFile>, Option<ParsedFile>, Vec<Diagnostic>)> = files
        .into_par_iter()
        .enumerate()
        .map(|(i, loaded)| {
            let id = FileId(i as u32);
            match loaded {
                Loaded::Text(file) => {
                    let file = Arc::new(file);
                    let parsed = parse_file(id, &file);
                    let mut diagnostics = match syntax_severity {
                        Some(severity) => parsed
                            .errors
                            .iter()
                            .map(|e| {
                                Diagnostic::new("yaml-syntax", severity, id, e.span, format!("invalid YAML: {}", e.message))
                                    .with_label("the parser stopped here")
                                    .with_help(format!(
                                        "document {} of this file was skipped; the other documents were still linted",
                                        e.document + 1
                                    ))
                            })
                            .collect(),
                        None => Vec::new(),
                    };
                    // Phase one here, while the file's tree is still in the core's cache.
                    let objects: Vec<Object<'_>> =
                        parsed.documents.iter().flat_map(objects_of).collect();
                    check_objects(&objects, rules, &ctx, &mut diagnostics);
                    drop(objects);
                    (file, Some(parsed), diagnostics)
                }
                Loaded::NotText(file, problem) => {
                    let diagnostics = syntax_severity
                        .map(|severity| Diagnostic::new("yaml-syntax", severity, id, problem.span, problem.message))
                        .into_iter()
                        .collect();
                    (Arc::new(file), None, diagnostics)
                }
            }
        })
        .collect();

    let mut sources = SourceMap::default();
    let mut diagnostics = Vec::new();
    let mut parsed_files = Vec::new();
    for (file, parsed, mut found) in parsed {
        let id = sources.add(file);
        diagnostics.append(&mut found);
        if let Some(parsed) = parsed {
            parsed_files.push((id, parsed));
        }
    }

    // The configuration is a source too: findings about a node pool point into it.
    if let Some(config) = &options.config {
        sources.add(Arc::new(SourceFile::new(
            Origin::Path(config.path.clone()),
            config.text.clone(),
        )));
    }
    // Then each chart's templates and values files, after the rendered texts.
    let derived_files = charts.len()
        + charts
            .iter()
            .filter(|c| !c.switched.is_empty())
            .map(|c| c.render.sources.len())
            .sum::<usize>();
    let placed: Vec<crate::helm::lint::Placed> = charts
        .into_iter()
        .enumerate()
        .map(|(i, chart)| chart.place(FileId((first_rendered + i) as u32), &mut sources))
        .collect();

    let objects: Vec<Object<'_>> = parsed_files
        .iter()
        .flat_map(|(_, f)| f.documents.iter())
        .flat_map(objects_of)
        .collect();

    // Phase two: rules that look across the set, through the index built once. The work several
    // rules share (see `Rule::prepare_set`) runs beside the rules that do not read it; the rules
    // that read it run once it is done.
    let index = Index::new(&objects, &ctx.default_namespace);
    let check_set = |active: &ActiveRule| {
        let mut out = Vec::new();
        let mut sink = Sink::new(active.rule.meta(), active.severity, &mut out);
        active.rule.check_set(&index, &ctx, &mut sink);
        out
    };
    let ((), mut per_set): ((), Vec<Diagnostic>) = rayon::join(
        || {
            for active in rules.iter().filter(|r| r.rule.prepares_set()) {
                active.rule.prepare_set(&index, &ctx);
            }
        },
        || {
            rules
                .par_iter()
                .filter(|r| !r.rule.prepares_set())
                .flat_map_iter(check_set)
                .collect()
        },
    );
    per_set.par_extend(
        rules
            .par_iter()
            .filter(|r| r.rule.prepares_set())
            .flat_map_iter(check_set),
    );
    diagnostics.extend(per_set);

    // Filter: suppressions (and findings about the suppressions themselves).
    crate::suppress::apply(
        &mut diagnostics,
        &crate::suppress::Inputs {
            sources: &sources,
            comments: parsed_files
                .iter()
                .map(|(id, f)| (*id, f.comments.as_slice()))
                .collect(),
            objects: &objects,
            default_namespace: &ctx.default_namespace,
            config: options.config.as_deref().zip(config_file),
            active: rules
                .iter()
                .map(|r| (r.rule.meta().id, r.severity))
                .collect(),
        },
    );

    crate::helm::lint::remap(&mut diagnostics, &placed, &sources);
    let render_severity = rules
        .iter()
        .find(|r| r.rule.meta().id == crate::rules::syntax::helm_render_error::META.id)
        .map(|r| r.severity);
    let mut notes = Vec::new();
    for chart in &placed {
        chart.report(render_severity, &mut diagnostics, &mut notes);
    }

    sort(&mut diagnostics, &sources);
    let report = Report {
        objects: objects.len(),
        sources,
        diagnostics,
        errors: Vec::new(),
        notes,
        baselined: 0,
        custom_rules: options
            .config
            .as_ref()
            .map(|c| c.custom_rules.iter().map(|r| r.meta).collect())
            .unwrap_or_default(),
        derived_files,
    };
    drop(index);
    drop(objects);
    if options.exits_after {
        std::mem::forget(parsed_files);
    } else {
        // The span trees (millions of nodes on a large set) are freed off the caller's path.
        drop_in_background(parsed_files);
    }
    report
}

/// Drops `value` on a thread of its own, so that freeing a large structure does not delay the
/// caller (a process that exits first lets the system reclaim it). When no thread can start,
/// `spawn` drops the closure, and with it the value, right here.
fn drop_in_background<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("kpolicy-drop".into())
        .spawn(move || drop(value));
}

/// Phase one: every rule on each of one file's objects (files are checked in parallel).
fn check_objects(
    objects: &[Object<'_>],
    rules: &[ActiveRule],
    ctx: &Context,
    out: &mut Vec<Diagnostic>,
) {
    for object in objects {
        crate::rules::begin_object();
        for active in rules {
            let mut sink = Sink::new(active.rule.meta(), active.severity, out);
            active.rule.check_object(object, ctx, &mut sink);
        }
        crate::rules::end_object();
    }
}

/// Sorts by file name, position, rule and message, so output does not depend on scheduling.
fn sort(diagnostics: &mut [Diagnostic], sources: &SourceMap) {
    diagnostics.sort_by(|a, b| {
        let fa = &sources.get(a.file).name;
        let fb = &sources.get(b.file).name;
        fa.cmp(fb)
            .then(a.file.cmp(&b.file))
            .then(a.span.start.cmp(&b.span.start))
            .then(a.rule.cmp(b.rule))
            .then(a.span.end.cmp(&b.span.end))
            .then(a.message.cmp(&b.message))
    });
}
