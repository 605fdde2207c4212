//! `--format json`: a versioned, documented schema (see `docs/json-format.md`).
//!
//! Version 1. Fields are only ever added within a version; a rename or removal bumps it.

use serde::Serialize;

use crate::diagnostic::{Diagnostic, ObjectRef, Severity};
use crate::engine::Report;
use crate::source::{FileId, SourceMap, Span};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Output<'a> {
    version: u32,
    tool: Tool,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    errors: Vec<JsonError<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Position {
    line: u32,
    column: u32,
    offset: u32,
}

// `file`, `start` and `end` are written out in both structs rather than flattened from one:
// serde's `flatten` serializes through a map and took most of the output's time.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonLabel<'a> {
    file: &'a str,
    start: Position,
    end: Position,
    message: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonDiagnostic<'a> {
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    file: &'a str,
    start: Position,
    end: Position,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    labels: Vec<JsonLabel<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    object: Option<&'a ObjectRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    helm_source: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonError<'a> {
    path: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Summary {
    files: usize,
    objects: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    input_errors: usize,
    baselined: usize,
}

/// The file name and the start and end positions of `span`.
fn location(sources: &SourceMap, file: FileId, span: Span) -> (&str, Position, Position) {
    let source = sources.get(file);
    let start = source.line_col(span.start as usize);
    let end = source.line_col(span.end as usize);
    (
        &source.name,
        Position {
            line: start.line,
            column: start.col,
            offset: span.start,
        },
        Position {
            line: end.line,
            column: end.col,
            offset: span.end,
        },
    )
}

fn diagnostic<'a>(sources: &'a SourceMap, d: &'a Diagnostic) -> JsonDiagnostic<'a> {
    let (file, start, end) = location(sources, d.file, d.span);
    JsonDiagnostic {
        rule: d.rule,
        severity: d.severity,
        message: &d.message,
        file,
        start,
        end,
        label: d.label.as_deref(),
        labels: d
            .labels
            .iter()
            .map(|l| {
                let (file, start, end) = location(sources, l.file, l.span);
                JsonLabel {
                    file,
                    start,
                    end,
                    message: &l.message,
                }
            })
            .collect(),
        help: d.help.as_deref(),
        object: d.object.as_ref(),
        helm_source: d.helm_source.as_deref(),
    }
}

pub fn render(report: &Report) -> String {
    let output = Output {
        version: SCHEMA_VERSION,
        tool: Tool {
            name: "kpolicy",
            version: env!("CARGO_PKG_VERSION"),
        },
        // Rendered below, in parallel.
        diagnostics: Vec::new(),
        errors: report
            .errors
            .iter()
            .map(|e| JsonError {
                path: &e.path,
                message: &e.message,
            })
            .collect(),
        summary: Summary {
            files: report.files(),
            objects: report.objects,
            errors: report.count(Severity::Error),
            warnings: report.count(Severity::Warning),
            infos: report.count(Severity::Info),
            input_errors: report.errors.len(),
            baselined: report.baselined,
        },
    };
    let text = match serde_json::to_string_pretty(&output) {
        Ok(text) => text,
        Err(e) => return format!("{{\"error\": \"{e}\"}}\n"),
    };
    let mut text = with_diagnostics(text, &diagnostics(report));
    text.push('\n');
    text
}

/// Each diagnostic as pretty JSON at the depth of an item of `diagnostics` (four spaces), in
/// parallel: a large report's positions (line index, column count) and string escaping are most
/// of its output time.
fn diagnostics(report: &Report) -> Vec<String> {
    use rayon::prelude::*;
    report
        .diagnostics
        .par_iter()
        .map(|d| {
            let mut out = Indented(Vec::with_capacity(1024));
            out.0.extend_from_slice(ITEM_INDENT.as_bytes());
            serde_json::to_writer_pretty(&mut out, &diagnostic(&report.sources, d))
                .map_err(|e| e.to_string())
                .and_then(|()| String::from_utf8(out.0).map_err(|e| e.to_string()))
                .unwrap_or_else(|e| format!("{ITEM_INDENT}{{\"error\": \"{e}\"}}"))
        })
        .collect()
}

/// The indentation of an item of the top-level `diagnostics` array in pretty JSON.
const ITEM_INDENT: &str = "    ";

/// Pretty JSON one level down: serde_json's pretty printer starts at depth zero, so this writer
/// indents each line after a line break by [`ITEM_INDENT`]. JSON strings escape their line
/// breaks: every raw one is between tokens.
struct Indented(Vec<u8>);

impl std::io::Write for Indented {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // Most writes are a token or a line break (`\n`, `,\n`): a look at each byte is cheaper
        // than a search.
        if buf.len() <= 8 {
            for &b in buf {
                self.0.push(b);
                if b == b'\n' {
                    self.0.extend_from_slice(ITEM_INDENT.as_bytes());
                }
            }
            return Ok(buf.len());
        }
        let mut rest = buf;
        while let Some(at) = memchr::memchr(b'\n', rest) {
            self.0.extend_from_slice(&rest[..=at]);
            self.0.extend_from_slice(ITEM_INDENT.as_bytes());
            rest = &rest[at + 1..];
        }
        self.0.extend_from_slice(rest);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Puts the rendered diagnostics into the document, in place of the empty array it was
/// serialized with (the same bytes as serializing them in place).
fn with_diagnostics(document: String, items: &[String]) -> String {
    const EMPTY: &str = "\n  \"diagnostics\": [],\n";
    let Some(at) = document.find(EMPTY).filter(|_| !items.is_empty()) else {
        return document;
    };
    let size: usize = items.iter().map(|i| i.len() + 2).sum();
    let mut out = String::with_capacity(document.len() + size + 16);
    out.push_str(&document[..at]);
    out.push_str("\n  \"diagnostics\": [\n");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        out.push_str(item);
    }
    out.push_str("\n  ],\n");
    out.push_str(&document[at + EMPTY.len()..]);
    out
}
