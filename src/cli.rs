//! Command-line interface: argument parsing and the three commands.

use std::io::{IsTerminal, Write};

use clap::{Parser, Subcommand, ValueEnum};

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
    Lint(LintArgs),
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
}

#[derive(clap::Args, Debug)]
pub struct LintArgs {
    /// Files, directories or `-` (stdin). Defaults to the current directory.
    pub paths: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Lowest severity that makes the exit status 1.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
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
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
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

/// Runs the CLI; returns the process exit status.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Lint(args) => lint(args),
        Command::Rules { format } => list_rules(format),
        Command::Explain { rule } => explain(&rule),
    }
}

fn lint(args: LintArgs) -> i32 {
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
        Err(message) => {
            eprintln!("kpolicy: error: invalid configuration: {message}");
            return EXIT_ERROR;
        }
    };
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
        enable: args.enable.clone(),
        disable: args.disable.clone(),
        kube_version: args
            .kube_version
            .or_else(|| config.as_ref().and_then(|c| c.config.kube_version))
            .unwrap_or(crate::kube_version::KubeVersion::DEFAULT),
        config: config.map(std::sync::Arc::new),
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
    let report = engine::lint_inputs(&inputs, &options, &rules);
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let text = match args.format {
        Format::Human => {
            let mut text = report::human::render(&report, color);
            if !args.quiet {
                text.push_str(&report::human::summary(&report));
                text.push('\n');
            }
            text
        }
        Format::Json => report::json::render(&report),
    };
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`kpolicy lint | head`) is not an error worth a panic.
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
    for note in &report.notes {
        eprintln!("kpolicy: note: {note}");
    }
    for error in &report.errors {
        eprintln!("kpolicy: error: {}: {}", error.path, error.message);
    }
    exit_status(&report, args.fail_on.threshold())
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

fn list_rules(format: ListFormat) -> i32 {
    let mut out = String::new();
    match format {
        ListFormat::Json => {
            let rules: Vec<serde_json::Value> = registry()
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
            out = serde_json::to_string_pretty(&rules).unwrap_or_default();
            out.push('\n');
        }
        ListFormat::Human => {
            let width = registry()
                .iter()
                .map(|r| r.meta.id.len())
                .max()
                .unwrap_or(0);
            for r in registry() {
                out.push_str(&format!(
                    "{:width$}  {:13}  {:7}  {:3}  {}\n",
                    r.meta.id,
                    r.meta.category.as_str(),
                    r.meta.default_severity.as_str(),
                    if r.meta.default_enabled { "on" } else { "off" },
                    r.meta.summary,
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
            eprintln!("kpolicy: error: unknown rule `{id}` (see `kpolicy rules`)");
            EXIT_ERROR
        }
    }
}
