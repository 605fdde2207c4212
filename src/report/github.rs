//! `--format github`: GitHub Actions workflow commands, which the runner turns into annotations
//! on the pull request (`::error file=…,line=…::message`), and a Markdown step summary.

use std::fmt::Write as _;

use super::{Context, RepoPath, region, rule_doc_url};
use crate::diagnostic::Severity;
use crate::engine::Report;

/// Escapes a command's message: `%`, CR and LF, as the runner decodes them.
pub fn escape_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a property value: as a message, and also `:` and `,`, which separate properties.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// One workflow command per finding; columns only when the span is on one line (GitHub ignores
/// them otherwise). Input errors become `::error` commands too.
pub fn render(report: &Report, ctx: &Context) -> String {
    let mut out = String::new();
    for d in &report.diagnostics {
        let mut properties = Vec::new();
        let path = ctx.path(d.file);
        if *path != RepoPath::Stdin {
            let r = region(report.sources.get(d.file), d.span);
            properties.push(format!("file={}", escape_property(path.as_str())));
            properties.push(format!("line={}", r.start_line));
            properties.push(format!("endLine={}", r.end_line));
            if r.start_line == r.end_line {
                properties.push(format!("col={}", r.start_column));
                properties.push(format!("endColumn={}", r.end_column));
            }
        }
        properties.push(format!(
            "title={}",
            escape_property(&format!("kpolicy ({})", d.rule))
        ));
        let mut message = d.message.clone();
        // Secondary locations (the values-file line behind a rendered field) as text: an
        // annotation has one place.
        for label in &d.labels {
            let source = report.sources.get(label.file);
            let at = source.line_col(label.span.start as usize);
            message.push_str(&format!(
                "\n{}: {}:{}:{}",
                label.message,
                ctx.path(label.file).as_str(),
                at.line,
                at.col
            ));
        }
        if let Some(help) = &d.help {
            message.push_str("\n\nhelp: ");
            message.push_str(help);
        }
        let _ = writeln!(
            out,
            "::{} {}::{}",
            command(d.severity),
            properties.join(","),
            escape_data(&message)
        );
    }
    for error in &report.errors {
        let _ = writeln!(
            out,
            "::error title={}::{}",
            escape_property("kpolicy: input error"),
            escape_data(&format!("{}: {}", error.path, error.message))
        );
    }
    out
}

/// Escapes text for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The job summary: the summary line and a table of counts by rule.
pub fn step_summary(report: &Report, summary_line: &str) -> String {
    let mut out = String::from("### kpolicy\n\n");
    let _ = writeln!(out, "{}\n", cell(summary_line));
    let rows = super::statistics::by_rule(report);
    if !rows.is_empty() {
        out.push_str("| Rule | Severity | Count | Summary |\n| --- | --- | ---: | --- |\n");
        for row in rows {
            let _ = writeln!(
                out,
                "| [`{}`]({}) | {} | {} | {} |",
                row.rule,
                rule_doc_url(row.rule),
                row.severity,
                row.count,
                cell(super::statistics::summary_of(report, row.rule))
            );
        }
        out.push('\n');
    }
    if !report.errors.is_empty() {
        let _ = writeln!(out, "Inputs that could not be read:\n");
        for error in &report.errors {
            let _ = writeln!(out, "- `{}`: {}", cell(&error.path), cell(&error.message));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_runner() {
        assert_eq!(
            escape_data("50% of a\r\nb: c, d"),
            "50%25 of a%0D%0Ab: c, d"
        );
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
