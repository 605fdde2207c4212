//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
//!
//! One run; `tool.driver.rules` lists every registered rule (id, summary, the rule's page as help,
//! its default level); results carry 1-based regions with columns in UTF-16 code units (SARIF's
//! default `columnKind`, stated explicitly), paths relative to `%SRCROOT%` (the repository root),
//! secondary labels as `relatedLocations`, and a line-independent fingerprint.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Context, Region, RepoPath, region, rule_doc_url, uri_encode};
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::Report;
use crate::rules::registry;
use crate::source::{FileId, Span};

pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    original_uri_base_ids: BTreeMap<&'static str, ArtifactLocation>,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
    invocations: [Invocation; 1],
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    short_description: Text,
    full_description: Text,
    help: Help,
    help_uri: String,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
    enabled: bool,
}

#[derive(Serialize)]
struct RuleProperties {
    category: &'static str,
    tags: [&'static str; 2],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, &'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<ResultProperties<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    object: Option<&'a crate::diagnostic::ObjectRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    helm_source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<SarifRegion>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRegion {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
}

/// SARIF's level for a severity (`note` is its name for info).
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The first paragraph of the rule page's "What it does" section.
fn first_paragraph(doc: &str) -> String {
    let body = doc
        .split_once("## What it does")
        .map_or(doc, |(_, rest)| rest);
    body.trim_start()
        .split("\n\n")
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every built-in rule, then the run's custom rules (described by their summary).
fn rules(report: &Report) -> Vec<ReportingDescriptor> {
    let custom = report.custom_rules.iter().map(|meta| ReportingDescriptor {
        id: meta.id,
        short_description: Text {
            text: meta.summary.to_string(),
        },
        full_description: Text {
            text: meta.summary.to_string(),
        },
        help: Help {
            text: meta.summary.to_string(),
            markdown: meta.summary.to_string(),
        },
        help_uri: format!("{}/blob/main/docs/custom-rules.md", super::HOMEPAGE_URL),
        default_configuration: Configuration {
            level: level(meta.default_severity),
            enabled: meta.default_enabled,
        },
        properties: RuleProperties {
            category: meta.category.as_str(),
            tags: ["kubernetes", meta.category.as_str()],
        },
    });
    let builtin: Vec<ReportingDescriptor> = registry()
        .iter()
        .map(|entry| {
            let meta = entry.meta;
            ReportingDescriptor {
                id: meta.id,
                short_description: Text {
                    text: meta.summary.to_string(),
                },
                full_description: Text {
                    text: first_paragraph(entry.doc),
                },
                help: Help {
                    text: entry.doc.trim_end().to_string(),
                    markdown: entry.doc.trim_end().to_string(),
                },
                help_uri: rule_doc_url(meta.id),
                default_configuration: Configuration {
                    level: level(meta.default_severity),
                    enabled: meta.default_enabled,
                },
                properties: RuleProperties {
                    category: meta.category.as_str(),
                    tags: ["kubernetes", meta.category.as_str()],
                },
            }
        })
        .collect();
    builtin.into_iter().chain(custom).collect()
}

fn artifact(path: &RepoPath) -> ArtifactLocation {
    match path {
        RepoPath::Relative(p) => ArtifactLocation {
            uri: uri_encode(p),
            uri_base_id: Some(SRCROOT),
        },
        RepoPath::Absolute(p) => ArtifactLocation {
            uri: format!("file://{}", uri_encode(&absolute_slash(p))),
            uri_base_id: None,
        },
        RepoPath::Stdin => ArtifactLocation {
            uri: uri_encode("<stdin>"),
            uri_base_id: None,
        },
    }
}

/// `C:/x` becomes `/C:/x` in a file URI; POSIX paths already start with `/`.
fn absolute_slash(path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    }
}

fn sarif_region(r: Region) -> SarifRegion {
    SarifRegion {
        start_line: r.start_line,
        start_column: r.start_column_utf16,
        end_line: r.end_line,
        end_column: r.end_column_utf16,
    }
}

fn physical(report: &Report, ctx: &Context, file: FileId, span: Span) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: artifact(ctx.path(file)),
        region: Some(sarif_region(region(report.sources.get(file), span))),
    }
}

fn result<'a>(
    report: &'a Report,
    ctx: &'a Context,
    d: &'a Diagnostic,
    fingerprint: &'a str,
) -> SarifResult<'a> {
    let rule_index = registry()
        .iter()
        .map(|r| r.meta.id)
        .chain(report.custom_rules.iter().map(|m| m.id))
        .position(|id| id == d.rule)
        .unwrap_or(0);
    SarifResult {
        rule_id: d.rule,
        rule_index,
        level: level(d.severity),
        message: Text {
            text: d.message.clone(),
        },
        locations: [Location {
            id: None,
            physical_location: physical(report, ctx, d.file, d.span),
            message: d.label.as_ref().map(|l| Text { text: l.clone() }),
        }],
        related_locations: d
            .labels
            .iter()
            .enumerate()
            .map(|(i, label)| Location {
                id: Some(i + 1),
                physical_location: physical(report, ctx, label.file, label.span),
                message: Some(Text {
                    text: label.message.clone(),
                }),
            })
            .collect(),
        partial_fingerprints: BTreeMap::from([(crate::fingerprint::SARIF_KEY, fingerprint)]),
        properties: (d.object.is_some() || d.helm_source.is_some() || d.help.is_some()).then_some(
            ResultProperties {
                object: d.object.as_ref(),
                helm_source: d.helm_source.as_deref(),
                help: d.help.as_deref(),
            },
        ),
    }
}

/// The root as a `file:` URI ending in `/`, as `originalUriBaseIds` requires.
fn root_uri(ctx: &Context) -> String {
    let mut path = absolute_slash(&ctx.root.to_string_lossy().replace('\\', "/"));
    if !path.ends_with('/') {
        path.push('/');
    }
    format!("file://{}", uri_encode(&path))
}

pub fn render(report: &Report, ctx: &Context) -> String {
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "kpolicy",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: super::HOMEPAGE_URL,
                    rules: rules(report),
                },
            },
            original_uri_base_ids: BTreeMap::from([(
                SRCROOT,
                ArtifactLocation {
                    uri: root_uri(ctx),
                    uri_base_id: None,
                },
            )]),
            column_kind: "utf16CodeUnits",
            results: report
                .diagnostics
                .iter()
                .zip(&ctx.fingerprints)
                .map(|(d, fp)| result(report, ctx, d, fp))
                .collect(),
            invocations: [Invocation {
                execution_successful: report.errors.is_empty(),
                tool_execution_notifications: report
                    .errors
                    .iter()
                    .map(|e| Notification {
                        level: "error",
                        message: Text {
                            text: format!("{}: {}", e.path, e.message),
                        },
                    })
                    .collect(),
            }],
        }],
    };
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn full_description_is_the_first_paragraph() {
        let doc = "## What it does\n\nReports a container that has no memory limit\n(`resources.limits.memory`).\n\nMore.\n";
        assert_eq!(
            super::first_paragraph(doc),
            "Reports a container that has no memory limit (`resources.limits.memory`)."
        );
    }
}
