//! `--format codeclimate`: the Code Climate issue format as GitLab's Code Quality report reads it
//! (a JSON array of issues with `description`, `check_name`, `fingerprint`, `severity` and
//! `location.path` + `location.lines`).

use serde::Serialize;

use super::{Context, region};
use crate::diagnostic::Severity;
use crate::engine::Report;
use crate::rules::Category;

#[derive(Serialize)]
struct Issue<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    check_name: &'static str,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<Content<'a>>,
    categories: [&'static str; 1],
    location: Location<'a>,
    severity: &'static str,
    fingerprint: &'a str,
}

#[derive(Serialize)]
struct Content<'a> {
    body: &'a str,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
    end: u32,
}

/// Code Climate severities: `info`, `minor`, `major`, `critical`, `blocker`.
pub fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

fn category(report: &Report, rule: &str) -> &'static str {
    match report.rule_meta(rule).map(|m| m.category) {
        Some(Category::Security) => "Security",
        Some(Category::Style | Category::BestPractice) => "Style",
        _ => "Bug Risk",
    }
}

pub fn render(report: &Report, ctx: &Context) -> String {
    let issues: Vec<Issue<'_>> = report
        .diagnostics
        .iter()
        .zip(&ctx.fingerprints)
        .map(|(d, fingerprint)| {
            let r = region(report.sources.get(d.file), d.span);
            Issue {
                kind: "issue",
                check_name: d.rule,
                description: d.message.clone(),
                content: d.help.as_deref().map(|body| Content { body }),
                categories: [category(report, d.rule)],
                location: Location {
                    path: ctx.path(d.file).as_str(),
                    lines: Lines {
                        begin: r.start_line,
                        end: r.end_line,
                    },
                },
                severity: severity(d.severity),
                fingerprint,
            }
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&issues).unwrap_or_default();
    text.push('\n');
    text
}
