//! Command-line interface: argument parsing and the three commands.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::diagnostic::Severity;
use crate::discover::Input;
use crate::engine::{self, Options, Report};
use crate::report;
use crate::rules::registry;

/// Exit status: no finding at or above the threshold.
pub const EXIT_OK: i32 = 0;
/// Exit status: findings at or above the threshold.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit status: usage, configuration or I/O error (some input could not be linted).
pub const EXIT_ERROR: i32 = 2;

#[derive(Parser, Debug)]
#[command(name = "kpolicy", version, about = "Lint Kubernetes manifests and point at the exact field", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lint files, directories (recursively, *.yaml and *.yml) or `-` for stdin.
    Lint(Box<LintArgs>),
    /// List every rule: id, category, default severity, on by default, summary.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Print a rule's documentation.
    Explain {
        /// A rule id, as shown by `kpolicy rules`.
        rule: String,
    },
    /// Write a commented starter `.kpolicy.yaml` in the current directory.
    Init {
        /// Overwrite an existing `.kpolicy.yaml`.
        #[arg(long)]
        force: bool,
        /// Print the starter configuration instead of writing it.
        #[arg(long)]
        stdout: bool,
    },
    /// Render a Helm chart (a directory with Chart.yaml, or a .tgz) and print the manifests
    /// exactly as `helm template` does, without a helm binary.
    Template(Box<TemplateArgs>),
}

/// The values and release a chart is rendered with (`kpolicy template`, and charts in `lint`).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ChartArgs {
    /// A values file, repeatable; later files win over earlier ones.
    #[arg(long = "values", short = 'f', value_name = "FILE")]
    pub values: Vec<PathBuf>,
    /// Set values (`a.b=c,list[0]=x`), repeatable.
    #[arg(long, value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Set string values (never typed), repeatable.
    #[arg(long, value_name = "KEY=VALUE")]
    pub set_string: Vec<String>,
    /// Set values from files (`key=path`), repeatable.
    #[arg(long, value_name = "KEY=PATH")]
    pub set_file: Vec<String>,
    /// The release name templates see as `.Release.Name`.
    #[arg(long, value_name = "NAME", default_value = "release-name")]
    pub release_name: String,
    /// More API versions for `.Capabilities.APIVersions` (comma-separated or repeated).
    #[arg(long, value_name = "GROUP/VERSION", value_delimiter = ',')]
    pub api_versions: Vec<String>,
}

#[derive(clap::Args, Debug)]
pub struct TemplateArgs {
    /// The chart: a directory with Chart.yaml, or a packaged .tgz.
    pub chart: PathBuf,
    #[command(flatten)]
    pub chart_args: ChartArgs,
    /// The release namespace (`.Release.Namespace`).
    #[arg(long, short = 'n', default_value = "default")]
    pub namespace: String,
    /// Kubernetes version for `.Capabilities.KubeVersion` [default: the config's `kubeVersion`,
    /// else 1.35].
    #[arg(long, value_name = "1.NN")]
    pub kube_version: Option<crate::kube_version::KubeVersion>,
}

#[derive(clap::Args, Debug)]
pub struct LintArgs {
    /// Files, directories or `-` (stdin). Defaults to the current directory.
    pub paths: Vec<String>,
    /// Output format, repeatable: human, json, sarif, github, junit or codeclimate [default: human].
    /// `FORMAT=FILE` writes that format to FILE (`-` is standard output), as does
    /// `--output FILE` right after the `--format`. At most one format goes to standard output.
    #[arg(long, value_name = "FORMAT[=FILE]", value_parser = parse_format_spec)]
    pub format: Vec<FormatSpec>,
    /// Write the `--format` given just before to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Vec<PathBuf>,
    /// Print the number of findings per rule instead of each finding (human format).
    #[arg(long)]
    pub statistics: bool,
    /// Report only findings that are not in this baseline file (see --write-baseline).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record every current finding in FILE, then report none of them: adopt kpolicy on a
    /// repository as it is, and fail only on new findings with --baseline FILE.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,
    /// Lowest severity that makes the exit status 1 [default: the config's `failOn`, else warning].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// When to color the human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Also lint files that .gitignore / .ignore exclude (rendered manifests often live there).
    #[arg(long)]
    pub no_ignore: bool,
    /// Turn on rules by id or category (`all` for every rule); comma-separated or repeated.
    #[arg(long, value_name = "RULE")]
    pub enable: Vec<String>,
    /// Turn off rules by id or category; applied after --enable.
    #[arg(long, value_name = "RULE")]
    pub disable: Vec<String>,
    /// Namespace of objects that do not set metadata.namespace [default: the config's
    /// `defaultNamespace`, else `default`].
    #[arg(long, short = 'n')]
    pub namespace: Option<String>,
    /// Configuration file [default: .kpolicy.yaml or .kpolicy.yml in the current directory or the
    /// nearest parent that has one].
    #[arg(long, value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,
    /// Target Kubernetes version for version-aware rules, e.g. 1.30 [default: the config's
    /// `kubeVersion`, else 1.35].
    #[arg(long, value_name = "1.NN")]
    pub kube_version: Option<crate::kube_version::KubeVersion>,
    /// Ignore configuration files.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Refuse files larger than this many bytes.
    #[arg(long, default_value_t = crate::load::DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,
    /// Print no summary line.
    #[arg(long, short)]
    pub quiet: bool,
    /// How Helm charts among the inputs are rendered (values, release name).
    #[command(flatten)]
    pub chart: ChartArgs,
    /// Lint only the templates a chart's values render. By default a template that renders
    /// nothing because its top-level `if` on a values key is false is also rendered with that key
    /// set, and its findings say so.
    #[arg(long)]
    pub only_enabled_templates: bool,
    /// Where `--format` and `--output` stood on the command line (filled by [`parse_from`]),
    /// to pair each `--output` with the `--format` before it.
    #[arg(skip)]
    pub positions: ArgPositions,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ArgPositions {
    pub format: Vec<usize>,
    pub output: Vec<usize>,
    pub enable: Vec<usize>,
    pub disable: Vec<usize>,
}

impl LintArgs {
    /// `--enable` and `--disable` in the order they were given, so `--disable all --enable x`
    /// runs only `x` and `--enable reliability --disable missing-pdb` runs the others.
    fn selectors(&self) -> Vec<(bool, String)> {
        let mut ordered: Vec<(usize, bool, String)> = Vec::new();
        let positions = &self.positions;
        for (values, indices, on) in [
            (&self.enable, &positions.enable, true),
            (&self.disable, &positions.disable, false),
        ] {
            for (i, value) in values.iter().enumerate() {
                // Without recorded positions (a hand-built LintArgs), enables come first.
                let at = indices
                    .get(i)
                    .copied()
                    .unwrap_or(if on { i } else { usize::MAX / 2 + i });
                ordered.push((at, on, value.clone()));
            }
        }
        ordered.sort_by_key(|(at, _, _)| *at);
        ordered
            .into_iter()
            .map(|(_, on, value)| (on, value))
            .collect()
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Findings with code frames, and a summary line.
    Human,
    /// Versioned JSON (docs/json-format.md).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions annotations, and a job summary when GITHUB_STEP_SUMMARY is set.
    Github,
    /// JUnit XML.
    Junit,
    /// Code Climate JSON, for GitLab Code Quality.
    Codeclimate,
}

impl Format {
    fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default()
    }
}

/// A `--format` value: the format and, from `FORMAT=FILE`, its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatSpec {
    pub format: Format,
    pub file: Option<PathBuf>,
}

fn parse_format_spec(value: &str) -> Result<FormatSpec, String> {
    let (name, file) = match value.split_once('=') {
        Some((name, file)) if !file.is_empty() => (name, Some(PathBuf::from(file))),
        Some((name, _)) => return Err(format!("`{name}=` needs a file name after `=`")),
        None => (value, None),
    };
    let format = Format::from_str(name, true).map_err(|_| {
        let names: Vec<String> = Format::value_variants().iter().map(|f| f.name()).collect();
        format!(
            "unknown format `{name}` (expected one of {}, optionally as FORMAT=FILE)",
            names.join(", ")
        )
    })?;
    Ok(FormatSpec { format, file })
}

/// Where one format goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Destination {
    pub format: Format,
    /// `None`: standard output.
    pub file: Option<PathBuf>,
}

/// Pairs the formats with their files: `FORMAT=FILE`, or each `--output` with the `--format`
/// that stands before it (with a single format, an `--output` anywhere is its). Without
/// recorded positions, `--output`s go in order to the formats that have no file yet.
pub fn destinations(args: &LintArgs) -> Result<Vec<Destination>, String> {
    let mut specs = args.format.clone();
    if specs.is_empty() {
        specs.push(FormatSpec {
            format: Format::Human,
            file: None,
        });
    }
    let positioned = args.positions.format.len() == args.format.len()
        && args.positions.output.len() == args.output.len();
    for (i, file) in args.output.iter().enumerate() {
        let target = if specs.len() == 1 {
            Some(0)
        } else if positioned {
            let at = args.positions.output[i];
            args.positions.format.iter().rposition(|&f| f < at)
        } else {
            specs.iter().position(|s| s.file.is_none())
        };
        let Some(target) = target else {
            return Err(format!(
                "`--output {}` must follow the `--format` it is for (or use `--format FORMAT={}`)",
                file.display(),
                file.display()
            ));
        };
        let spec = &mut specs[target];
        if let Some(previous) = &spec.file {
            return Err(format!(
                "`--format {}` already writes to {}; give each --format its own --output",
                spec.format.name(),
                previous.display()
            ));
        }
        spec.file = Some(file.clone());
    }
    let destinations: Vec<Destination> = specs
        .into_iter()
        .map(|spec| Destination {
            format: spec.format,
            file: spec.file.filter(|f| f.as_os_str() != "-"),
        })
        .collect();
    let to_stdout: Vec<String> = destinations
        .iter()
        .filter(|d| d.file.is_none())
        .map(|d| d.format.name())
        .collect();
    if to_stdout.len() > 1 {
        return Err(format!(
            "formats {} would all go to standard output; give all but one a file (`--format {}=FILE` or `--output FILE`)",
            to_stdout.join(" and "),
            to_stdout[1]
        ));
    }
    let mut files: Vec<&PathBuf> = destinations
        .iter()
        .filter_map(|d| d.file.as_ref())
        .collect();
    files.sort();
    if let Some(pair) = files.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!("two formats would write to {}", pair[0].display()));
    }
    Ok(destinations)
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListFormat {
    Human,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

impl FailOn {
    fn threshold(self) -> Severity {
        match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    Auto,
    Always,
    Never,
}

/// Parses the command line like `Cli::parse`, also recording where `--format` and `--output`
/// stood so each `--output` pairs with the `--format` before it.
pub fn parse_from<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let matches = Cli::command().try_get_matches_from(args)?;
    let mut cli = Cli::from_arg_matches(&matches)?;
    if let (Command::Lint(args), Some(("lint", sub))) = (&mut cli.command, matches.subcommand()) {
        let indices = |id: &str| {
            sub.indices_of(id)
                .map(|i| i.collect::<Vec<_>>())
                .unwrap_or_default()
        };
        args.positions = ArgPositions {
            format: indices("format"),
            output: indices("output"),
            enable: indices("enable"),
            disable: indices("disable"),
        };
    }
    Ok(cli)
}

/// [`parse_from`] the process's arguments; exits with clap's message on a usage error.
pub fn parse() -> Cli {
    parse_from(std::env::args_os()).unwrap_or_else(|e| e.exit())
}

/// Runs the CLI; returns the process exit status.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Lint(args) => lint(*args),
        Command::Rules { format } => list_rules(format),
        Command::Explain { rule } => explain(&rule),
        Command::Init { force, stdout } => init(force, stdout),
        Command::Template(args) => template(*args),
    }
}

/// `kpolicy init`: the starter configuration, in `.kpolicy.yaml` or on standard output.
fn init(force: bool, stdout: bool) -> i32 {
    let text = crate::config::STARTER;
    if stdout {
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
        return EXIT_OK;
    }
    let path = Path::new(crate::config::FILE_NAMES[0]);
    if let Some(existing) = crate::config::FILE_NAMES
        .iter()
        .map(Path::new)
        .find(|p| p.exists())
        .filter(|_| !force)
    {
        eprintln!(
            "kpolicy: error: {} already exists; use --force to overwrite it, or --stdout to print the starter",
            existing.display()
        );
        return EXIT_ERROR;
    }
    match std::fs::write(path, text) {
        Ok(()) => {
            eprintln!("kpolicy: wrote {}", path.display());
            EXIT_OK
        }
        Err(e) => {
            eprintln!(
                "kpolicy: error: cannot write {}: {}",
                path.display(),
                crate::discover::io_message(&e)
            );
            EXIT_ERROR
        }
    }
}

/// Whether standard error is a terminal that wants color (for configuration errors).
fn stderr_color(choice: Color) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

impl ChartArgs {
    /// Render options for these arguments.
    pub fn render_options(
        &self,
        namespace: &str,
        kube_version: crate::kube_version::KubeVersion,
    ) -> crate::helm::render::RenderOptions {
        crate::helm::render::RenderOptions {
            release: crate::helm::objects::ReleaseOptions {
                name: self.release_name.clone(),
                namespace: namespace.to_string(),
                ..Default::default()
            },
            kube_version: Some(kube_version),
            api_versions: crate::helm::objects::ApiVersions::ForTarget,
            extra_apis: self.api_versions.clone(),
            values_files: self.values.clone(),
            set: self.set.clone(),
            set_string: self.set_string.clone(),
            set_file: self.set_file.clone(),
            overrides: Vec::new(),
            only_enabled: false,
        }
    }
}

fn template(args: TemplateArgs) -> i32 {
    let kube_version = args.kube_version.unwrap_or_else(|| {
        std::env::current_dir()
            .ok()
            .and_then(|dir| crate::config::find(&dir))
            .and_then(|path| crate::config::LoadedConfig::read(&path).ok())
            .and_then(|c| c.config.kube_version)
            .unwrap_or(crate::kube_version::KubeVersion::DEFAULT)
    });
    let options = args
        .chart_args
        .render_options(&args.namespace, kube_version);
    let render = match crate::helm::render::render_path(&args.chart, &options) {
        Ok(render) => render,
        Err(e) => {
            eprintln!("kpolicy: error: {e}");
            return EXIT_ERROR;
        }
    };
    if render.failed() {
        for problem in &render.problems {
            eprintln!("kpolicy: error: {}", render.describe(problem));
        }
        return EXIT_FINDINGS;
    }
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(render.output.as_bytes());
    let _ = stdout.flush();
    EXIT_OK
}

fn lint(args: LintArgs) -> i32 {
    // The built-in schemas are parsed on another core while this one reads the configuration
    // and the inputs (the thread is not joined: a schema rule that needs the table first waits).
    let _ = std::thread::Builder::new()
        .name("kpolicy-warm-up".into())
        .spawn(crate::schema::builtin::warm_up);
    let destinations = match destinations(&args) {
        Ok(destinations) => destinations,
        Err(message) => {
            eprintln!("kpolicy: error: {message}");
            return EXIT_ERROR;
        }
    };
    let config_path = match (&args.config, args.no_config) {
        (Some(path), _) => Some(path.clone()),
        (None, true) => None,
        // Shown relative to where kpolicy runs when it is found there.
        (None, false) => std::env::current_dir().ok().and_then(|dir| {
            crate::config::find(&dir).map(|found| {
                found
                    .strip_prefix(&dir)
                    .map_or(found.clone(), |p| p.to_path_buf())
            })
        }),
    };
    let config = match config_path
        .map(|p| crate::config::LoadedConfig::read(&p))
        .transpose()
    {
        Ok(config) => config,
        Err(error) => {
            eprintln!("kpolicy: error: invalid configuration");
            eprint!("{}", error.render(stderr_color(args.color)));
            return EXIT_ERROR;
        }
    };
    // The command line wins over the configuration.
    let fail_on = args
        .fail_on
        .map(FailOn::threshold)
        .or_else(|| config.as_ref().and_then(|c| c.config.fail_on))
        .unwrap_or(Severity::Warning);
    let default_namespace = args
        .namespace
        .clone()
        .or_else(|| {
            config
                .as_ref()
                .and_then(|c| c.config.default_namespace.clone())
        })
        .unwrap_or_else(|| "default".to_string());
    let options = Options {
        no_ignore: args.no_ignore,
        max_file_size: args.max_file_size,
        default_namespace,
        selectors: args.selectors(),
        enable: Vec::new(),
        disable: Vec::new(),
        kube_version: args
            .kube_version
            .or_else(|| config.as_ref().and_then(|c| c.config.kube_version))
            .unwrap_or(crate::kube_version::KubeVersion::DEFAULT),
        config: config.map(std::sync::Arc::new),
        chart: crate::helm::render::RenderOptions {
            only_enabled: args.only_enabled_templates,
            ..args
                .chart
                .render_options("default", crate::kube_version::KubeVersion::DEFAULT)
        },
        exits_after: true,
    };
    let rules = match engine::select_rules(&options) {
        Ok(rules) => rules,
        Err(message) => {
            eprintln!("kpolicy: error: {message}");
            return EXIT_ERROR;
        }
    };
    let inputs: Vec<Input> = if args.paths.is_empty() {
        vec![Input::Path(".".into())]
    } else {
        args.paths.iter().map(|p| Input::parse(p)).collect()
    };
    let baseline = match args
        .baseline
        .as_deref()
        .map(crate::baseline::read)
        .transpose()
    {
        Ok(baseline) => baseline,
        Err(message) => {
            eprintln!("kpolicy: error: {message}");
            return EXIT_ERROR;
        }
    };
    let mut report = engine::lint_inputs(&inputs, &options, &rules);
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    // Repo-relative paths and fingerprints, for the baseline and the CI formats only: a JSON
    // report of the benchmark set spent 32 M of its 82 M output instructions on them.
    let mut ctx = None;
    let mut status = EXIT_OK;
    if let Some(path) = &args.write_baseline {
        let ctx = ctx.get_or_insert_with(|| report::Context::new(&report, &cwd));
        let baseline = crate::baseline::of(&report, ctx);
        match crate::baseline::write(path, &baseline) {
            Ok(()) => {
                eprintln!(
                    "kpolicy: wrote a baseline of {} finding(s) to {}",
                    baseline.findings.len(),
                    path.display()
                );
                report.baselined = ctx.retain(&mut report, |_| false);
            }
            Err(message) => {
                eprintln!("kpolicy: error: {message}");
                status = EXIT_ERROR;
            }
        }
    }
    if let Some(known) = &baseline {
        let ctx = ctx.get_or_insert_with(|| report::Context::new(&report, &cwd));
        report.baselined = ctx.retain(&mut report, |f| !known.contains(f));
    }
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    for destination in &destinations {
        // Color is for a terminal: a file gets it only when asked for.
        let color = color && (destination.file.is_none() || args.color == Color::Always);
        let text = render(destination.format, &report, (&mut ctx, &cwd), &args, color);
        match &destination.file {
            None => {
                let mut stdout = std::io::stdout().lock();
                // A closed pipe (`kpolicy lint | head`) is not an error worth a panic.
                let _ = stdout.write_all(text.as_bytes());
                let _ = stdout.flush();
            }
            Some(path) => {
                if let Err(e) = std::fs::write(path, text) {
                    eprintln!(
                        "kpolicy: error: cannot write {}: {}",
                        path.display(),
                        crate::discover::io_message(&e)
                    );
                    status = EXIT_ERROR;
                }
            }
        }
    }
    if destinations.iter().any(|d| d.format == Format::Github) {
        write_step_summary(&report);
    }
    for note in &report.notes {
        eprintln!("kpolicy: note: {note}");
    }
    for error in &report.errors {
        eprintln!("kpolicy: error: {}: {}", error.path, error.message);
    }
    let status = status.max(exit_status(&report, fail_on));
    // The process exits next: the system reclaims the sources and findings faster than freeing
    // them one by one.
    std::mem::forget(report);
    status
}

fn render(
    format: Format,
    report: &Report,
    (ctx, cwd): (&mut Option<report::Context>, &Path),
    args: &LintArgs,
    color: bool,
) -> String {
    match format {
        Format::Human => {
            let mut text = if args.statistics {
                report::statistics::render(report)
            } else {
                report::human::render(report, color)
            };
            if !args.quiet {
                text.push_str(&report::human::summary(report));
                text.push('\n');
            }
            text
        }
        Format::Json => report::json::render(report),
        Format::Sarif => report::sarif::render(report, context(ctx, report, cwd)),
        Format::Github => report::github::render(report, context(ctx, report, cwd)),
        Format::Junit => report::junit::render(report, context(ctx, report, cwd)),
        Format::Codeclimate => report::codeclimate::render(report, context(ctx, report, cwd)),
    }
}

/// The CI formats' context, computed on first use.
fn context<'c>(
    ctx: &'c mut Option<report::Context>,
    report: &Report,
    cwd: &Path,
) -> &'c report::Context {
    ctx.get_or_insert_with(|| report::Context::new(report, cwd))
}

/// Appends the Markdown job summary to `$GITHUB_STEP_SUMMARY`, when GitHub Actions sets it.
fn write_step_summary(report: &Report) {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return;
    };
    let text = report::github::step_summary(report, &report::human::summary(report));
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(Path::new(&path))
        .and_then(|mut file| file.write_all(text.as_bytes()));
    if let Err(e) = written {
        eprintln!(
            "kpolicy: warning: cannot write the step summary to {}: {}",
            Path::new(&path).display(),
            crate::discover::io_message(&e)
        );
    }
}

pub fn exit_status(report: &Report, threshold: Severity) -> i32 {
    if !report.errors.is_empty() {
        EXIT_ERROR
    } else if report.diagnostics.iter().any(|d| d.severity >= threshold) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// The configuration found from the current directory upward, for `rules` and `explain` (which
/// list its custom rules); a broken one is reported and ends the command.
fn found_config() -> Result<Option<crate::config::LoadedConfig>, i32> {
    let Some(path) = std::env::current_dir()
        .ok()
        .and_then(|dir| crate::config::find(&dir))
    else {
        return Ok(None);
    };
    crate::config::LoadedConfig::read(&path)
        .map(Some)
        .map_err(|error| {
            eprintln!("kpolicy: error: invalid configuration");
            eprint!("{}", error.render(stderr_color(Color::Auto)));
            EXIT_ERROR
        })
}

fn list_rules(format: ListFormat) -> i32 {
    let config = match found_config() {
        Ok(config) => config,
        Err(status) => return status,
    };
    let custom: Vec<&crate::rules::RuleMeta> = config
        .iter()
        .flat_map(|c| c.custom_rules.iter().map(|r| r.meta))
        .collect();
    let mut out = String::new();
    match format {
        ListFormat::Json => {
            let mut rules: Vec<serde_json::Value> = registry()
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.meta.id,
                        "category": r.meta.category,
                        "defaultSeverity": r.meta.default_severity,
                        "defaultEnabled": r.meta.default_enabled,
                        "summary": r.meta.summary,
                        "lesson": r.meta.lesson,
                        "settings": (r.default_settings)(),
                    })
                })
                .collect();
            rules.extend(custom.iter().map(|m| {
                serde_json::json!({
                    "id": m.id,
                    "category": m.category,
                    "defaultSeverity": m.default_severity,
                    "defaultEnabled": m.default_enabled,
                    "summary": m.summary,
                    "custom": true,
                })
            }));
            out = serde_json::to_string_pretty(&rules).unwrap_or_default();
            out.push('\n');
        }
        ListFormat::Human => {
            let width = registry()
                .iter()
                .map(|r| r.meta.id.len())
                .max()
                .unwrap_or(0);
            let width = custom.iter().map(|m| m.id.len()).fold(width, usize::max);
            for meta in registry()
                .iter()
                .map(|r| r.meta)
                .chain(custom.iter().copied())
            {
                out.push_str(&format!(
                    "{:width$}  {:13}  {:7}  {:3}  {}\n",
                    meta.id,
                    meta.category.as_str(),
                    meta.default_severity.as_str(),
                    if meta.default_enabled { "on" } else { "off" },
                    meta.summary,
                ));
            }
        }
    }
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    EXIT_OK
}

fn explain(id: &str) -> i32 {
    match crate::rules::find(id) {
        Some(entry) => {
            let meta = entry.meta;
            let text = format!(
                "{}\n\ncategory: {} · default severity: {} · {} by default\n\n{}",
                meta.id,
                meta.category.as_str(),
                meta.default_severity,
                if meta.default_enabled { "on" } else { "off" },
                entry.doc.trim_end()
            );
            let _ = writeln!(std::io::stdout().lock(), "{text}");
            EXIT_OK
        }
        None => {
            let config = match found_config() {
                Ok(config) => config,
                Err(status) => return status,
            };
            if let Some(rule) = config.as_ref().and_then(|c| c.custom_rule(id)) {
                let meta = rule.meta;
                let _ = writeln!(
                    std::io::stdout().lock(),
                    "{}\n\ncategory: {} · default severity: {} · custom rule\n\n{}",
                    meta.id,
                    meta.category.as_str(),
                    meta.default_severity,
                    rule.explain().trim_end()
                );
                return EXIT_OK;
            }
            eprintln!("kpolicy: error: unknown rule `{id}` (see `kpolicy rules`)");
            EXIT_ERROR
        }
    }
}
