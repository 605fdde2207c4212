//! `--statistics`: counts by rule (as ruff prints them), also the GitHub step summary's table.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::diagnostic::Severity;
use crate::engine::Report;

/// How many findings a rule reported at one severity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleCount {
    pub rule: &'static str,
    pub severity: Severity,
    pub count: usize,
}

/// Counts by (rule, severity): most frequent first, then by rule id, then the more severe first.
pub fn by_rule(report: &Report) -> Vec<RuleCount> {
    let mut counts: BTreeMap<(&'static str, Severity), usize> = BTreeMap::new();
    for d in &report.diagnostics {
        *counts.entry((d.rule, d.severity)).or_default() += 1;
    }
    let mut rows: Vec<RuleCount> = counts
        .into_iter()
        .map(|((rule, severity), count)| RuleCount {
            rule,
            severity,
            count,
        })
        .collect();
    rows.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(a.rule.cmp(b.rule))
            .then(b.severity.cmp(&a.severity))
    });
    rows
}

/// The rule's one-line summary (built-in or custom).
pub fn summary_of(report: &Report, rule: &str) -> &'static str {
    report.rule_meta(rule).map_or("", |meta| meta.summary)
}

/// One line per (rule, severity): count, rule id, severity and the rule's summary, aligned.
pub fn render(report: &Report) -> String {
    let rows = by_rule(report);
    let count_width = rows
        .iter()
        .map(|r| r.count.to_string().len())
        .max()
        .unwrap_or(1);
    let rule_width = rows.iter().map(|r| r.rule.len()).max().unwrap_or(0);
    let mut out = String::new();
    for row in &rows {
        let _ = writeln!(
            out,
            "{:>count_width$}  {:rule_width$}  {:7}  {}",
            row.count,
            row.rule,
            row.severity.as_str(),
            summary_of(report, row.rule)
        );
    }
    out
}
