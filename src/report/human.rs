//! The terminal format: `path:line:col: severity[rule]: message`, a code frame, help.
//!
//! Code frames are rendered by annotate-snippets from a window of the lines a diagnostic touches,
//! cut out through the line index, so a diagnostic on a 5 MB file costs microseconds.

use std::fmt::Write as _;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::Report;
use crate::source::{SourceFile, Span};

/// Lines of a span beyond this many are elided from the frame.
const MAX_FRAME_LINES: usize = 8;

pub fn render(report: &Report, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for diagnostic in &report.diagnostics {
        render_one(&mut out, report, diagnostic, &renderer, color);
    }
    out
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    }
}

fn render_one(out: &mut String, report: &Report, d: &Diagnostic, renderer: &Renderer, color: bool) {
    let file = report.sources.get(d.file);
    let at = file.line_col(d.span.start as usize);
    let header = format!("{}:{}:{}:", file.name, at.line, at.col);
    let severity = d.severity.as_str();
    if color {
        let sev_style = match d.severity {
            Severity::Error => anstyle::AnsiColor::Red.on_default().bold(),
            Severity::Warning => anstyle::AnsiColor::Yellow.on_default().bold(),
            Severity::Info => anstyle::AnsiColor::Cyan.on_default().bold(),
        };
        let bold = anstyle::Style::new().bold();
        let _ = writeln!(
            out,
            "{bold}{header}{bold:#} {sev_style}{severity}[{}]{sev_style:#}: {bold}{}{bold:#}",
            d.rule, d.message
        );
    } else {
        let _ = writeln!(out, "{header} {severity}[{}]: {}", d.rule, d.message);
    }

    let windows: Vec<Window> = frames(report, d);
    let mut group = Group::with_level(level(d.severity));
    for window in &windows {
        let mut snippet = Snippet::source(window.text.as_str())
            .line_start(window.first_line + 1)
            .fold(true);
        if let Some(path) = &window.path {
            snippet = snippet.path(path.as_str());
        }
        for (span, label, primary) in &window.annotations {
            let kind = if *primary {
                AnnotationKind::Primary
            } else {
                AnnotationKind::Context
            };
            let annotation = kind.span(span.range());
            snippet = snippet.annotation(match label {
                Some(label) => annotation.label(label.as_str()),
                None => annotation,
            });
        }
        group = group.element(snippet);
    }
    let note = d
        .helm_source
        .as_ref()
        .map(|path| format!("rendered by Helm from {path}"));
    if let Some(note) = &note {
        group = group.element(Level::NOTE.message(note.as_str()));
    }
    if let Some(help) = &d.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    if file.text.is_empty()
        && windows.iter().all(|w| w.path.is_none())
        && d.help.is_none()
        && note.is_none()
    {
        out.push('\n');
        return;
    }
    let _ = writeln!(out, "{}", renderer.render(&[group]));
    out.push('\n');
}

/// A window of source lines with annotations relative to its start.
struct Window {
    /// Shown as `--> path` when the window is in another file than the header's.
    path: Option<String>,
    first_line: usize,
    text: String,
    annotations: Vec<(Span, Option<String>, bool)>,
}

fn frames(report: &Report, d: &Diagnostic) -> Vec<Window> {
    let mut windows = Vec::new();
    let file = report.sources.get(d.file);
    let mut primary = vec![(d.span, d.label.clone(), true)];
    let mut others: Vec<(crate::source::FileId, Span, String)> = Vec::new();
    for label in &d.labels {
        let near = label.file == d.file && {
            let a = file.lines().line_of(label.span.start as usize);
            let b = file.lines().line_of(d.span.start as usize);
            a.abs_diff(b) <= MAX_FRAME_LINES
        };
        if near {
            primary.push((label.span, Some(label.message.clone()), false));
        } else {
            others.push((label.file, label.span, label.message.clone()));
        }
    }
    if !file.text.is_empty() {
        windows.push(window(file, None, primary));
    }
    for (file_id, span, message) in others {
        let other = report.sources.get(file_id);
        if other.text.is_empty() {
            continue;
        }
        let path = Some(other.name.clone());
        windows.push(window(other, path, vec![(span, Some(message), false)]));
    }
    windows
}

fn window(
    file: &SourceFile,
    path: Option<String>,
    annotations: Vec<(Span, Option<String>, bool)>,
) -> Window {
    let text = file.text.as_str();
    let clamp = |offset: u32| (offset as usize).min(text.len());
    let first_line = annotations
        .iter()
        .map(|(s, _, _)| file.lines().line_of(clamp(s.start)))
        .min()
        .unwrap_or(0);
    let mut last_line = annotations
        .iter()
        .map(|(s, _, _)| {
            file.lines()
                .line_of(clamp(s.end.max(s.start + 1) - 1).max(clamp(s.start)))
        })
        .max()
        .unwrap_or(first_line);
    last_line = last_line.min(first_line + MAX_FRAME_LINES * 2);
    let start = file.lines().line_start(first_line);
    let end = file.lines().line_range(text, last_line).end.max(start);
    let raw = &text[start..end];
    // annotate-snippets wants `\n` line breaks; drop `\r` and shift offsets to match.
    let crs: Vec<usize> = raw.match_indices('\r').map(|(i, _)| i).collect();
    let shift = |offset: usize| -> usize {
        let rel = offset.saturating_sub(start).min(raw.len());
        rel - crs.iter().filter(|&&cr| cr < rel).count()
    };
    let window_text: String = if crs.is_empty() {
        raw.to_string()
    } else {
        raw.replace('\r', "")
    };
    let annotations = annotations
        .into_iter()
        .map(|(span, label, primary)| {
            let s = shift(clamp(span.start));
            let e = shift(clamp(span.end)).max(s);
            (Span::new(s, e), label, primary)
        })
        .collect();
    Window {
        path,
        first_line,
        text: window_text,
        annotations,
    }
}

/// The closing line: counts by severity, files and objects.
pub fn summary(report: &Report) -> String {
    let total = report.diagnostics.len();
    let files = report.files();
    let objects = report.objects;
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    // Findings a baseline holds are not shown, but counted.
    let baselined = match report.baselined {
        0 => String::new(),
        n => format!("; {n} baselined"),
    };
    if total == 0 {
        return format!(
            "No problems found in {} ({}){baselined}.",
            plural(files, "file"),
            plural(objects, "object")
        );
    }
    let mut parts = Vec::new();
    for (severity, word) in [
        (Severity::Error, "error"),
        (Severity::Warning, "warning"),
        (Severity::Info, "info"),
    ] {
        let n = report.count(severity);
        if n > 0 {
            parts.push(if severity == Severity::Info {
                format!("{n} info")
            } else {
                plural(n, word)
            });
        }
    }
    format!(
        "Found {} ({}) in {} ({}){baselined}.",
        plural(total, "problem"),
        parts.join(", "),
        plural(files, "file"),
        plural(objects, "object")
    )
}
