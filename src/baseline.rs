//! Baselines: `--write-baseline FILE` records the current findings by fingerprint, and
//! `--baseline FILE` then reports only findings that are not in it. Fingerprints do not contain
//! line numbers (see [`crate::fingerprint`]), so a finding that an unrelated edit moves keeps
//! matching; rule, file, line and message are stored for the reader of the file only.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::engine::Report;
use crate::report::{Context, region};

pub const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Entry {
    pub fingerprint: String,
    #[serde(default)]
    pub rule: String,
    #[serde(default)]
    pub file: String,
    #[serde(default)]
    pub line: u32,
    #[serde(default)]
    pub message: String,
}

/// The baseline of a report: every finding, in report order.
pub fn of(report: &Report, ctx: &Context) -> Baseline {
    Baseline {
        version: VERSION,
        findings: report
            .diagnostics
            .iter()
            .zip(&ctx.fingerprints)
            .map(|(d, fingerprint)| Entry {
                fingerprint: fingerprint.clone(),
                rule: d.rule.to_string(),
                file: ctx.path(d.file).as_str().to_string(),
                line: region(report.sources.get(d.file), d.span).start_line,
                message: d.message.clone(),
            })
            .collect(),
    }
}

pub fn write(path: &Path, baseline: &Baseline) -> Result<(), String> {
    let mut text = serde_json::to_string_pretty(baseline).map_err(|e| e.to_string())?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| {
        format!(
            "cannot write baseline {}: {}",
            path.display(),
            crate::discover::io_message(&e)
        )
    })
}

/// The fingerprints a baseline file holds.
pub fn read(path: &Path) -> Result<HashSet<String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "cannot read baseline {}: {}",
            path.display(),
            crate::discover::io_message(&e)
        )
    })?;
    let baseline: Baseline = serde_json::from_str(&text)
        .map_err(|e| format!("invalid baseline {}: {e}", path.display()))?;
    if baseline.version != VERSION {
        return Err(format!(
            "baseline {} has version {}; this kpolicy reads version {VERSION}",
            path.display(),
            baseline.version
        ));
    }
    Ok(baseline
        .findings
        .into_iter()
        .map(|entry| entry.fingerprint)
        .collect())
}
