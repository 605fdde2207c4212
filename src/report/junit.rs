//! `--format junit`: JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure).
//!
//! One `<testsuite>` per file read; each finding is a `<testcase>` with a `<failure>`; a file
//! without findings has one passing test case, so the report counts it; an input that could not
//! be read is a test case with an `<error>`.

use std::fmt::Write as _;

use super::{Context, region};
use crate::diagnostic::Diagnostic;
use crate::engine::Report;

/// Escapes text for XML content and attribute values; characters XML 1.0 cannot carry
/// (most C0 controls) become U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

fn failure_text(path: &str, line: u32, column: u32, d: &Diagnostic) -> String {
    let mut text = format!(
        "{path}:{line}:{column}: {}[{}]: {}",
        d.severity, d.rule, d.message
    );
    if let Some(label) = &d.label {
        let _ = write!(text, "\n{label}");
    }
    if let Some(help) = &d.help {
        let _ = write!(text, "\nhelp: {help}");
    }
    text
}

pub fn render(report: &Report, ctx: &Context) -> String {
    let mut suites = String::new();
    let mut tests = 0;
    let mut failures = 0;
    // Diagnostics are sorted by file name; group them by file id in source order.
    let mut by_file: Vec<Vec<&Diagnostic>> = vec![Vec::new(); report.sources.len()];
    for d in &report.diagnostics {
        by_file[d.file.0 as usize].push(d);
    }
    let mut order: Vec<usize> = (0..report.sources.len()).collect();
    order.sort_by(|&a, &b| {
        ctx.paths[a]
            .as_str()
            .cmp(ctx.paths[b].as_str())
            .then(a.cmp(&b))
    });
    for i in order {
        let path = ctx.paths[i].as_str();
        let found = &by_file[i];
        let file_attr = escape(path);
        let count = found.len().max(1);
        tests += count;
        failures += found.len();
        let _ = writeln!(
            suites,
            "  <testsuite name=\"{file_attr}\" tests=\"{count}\" failures=\"{}\" errors=\"0\" skipped=\"0\">",
            found.len()
        );
        if found.is_empty() {
            let _ = writeln!(
                suites,
                "    <testcase name=\"kpolicy\" classname=\"{file_attr}\" file=\"{file_attr}\"/>"
            );
        }
        for d in found {
            let r = region(report.sources.get(d.file), d.span);
            let _ = writeln!(
                suites,
                "    <testcase name=\"{}\" classname=\"{file_attr}\" file=\"{file_attr}\" line=\"{}\">",
                escape(&format!(
                    "{} at {}:{}",
                    d.rule, r.start_line, r.start_column
                )),
                r.start_line
            );
            let _ = writeln!(
                suites,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                escape(&d.message),
                d.severity,
                escape(&failure_text(path, r.start_line, r.start_column, d))
            );
            suites.push_str("    </testcase>\n");
        }
        suites.push_str("  </testsuite>\n");
    }
    if !report.errors.is_empty() {
        let _ = writeln!(
            suites,
            "  <testsuite name=\"input errors\" tests=\"{n}\" failures=\"0\" errors=\"{n}\" skipped=\"0\">",
            n = report.errors.len()
        );
        for error in &report.errors {
            let path = escape(&error.path);
            let _ = writeln!(
                suites,
                "    <testcase name=\"{path}\" classname=\"{path}\" file=\"{path}\">\n      <error message=\"{}\" type=\"input\"/>\n    </testcase>",
                escape(&error.message)
            );
        }
        suites.push_str("  </testsuite>\n");
    }
    let errors = report.errors.len();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"kpolicy\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\">\n{suites}</testsuites>\n",
        tests + errors
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn escape_covers_markup_and_controls() {
        assert_eq!(
            super::escape("<a href=\"x\">&'\n\u{1}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&#10;\u{fffd}"
        );
    }
}
