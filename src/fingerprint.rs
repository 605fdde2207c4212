//! Fingerprints that identify a finding across unrelated edits: the same rule on the same object
//! and the same (normalized) line text, wherever that line moves. SARIF `partialFingerprints`,
//! Code Climate `fingerprint` and the baseline file all use this one scheme.
//!
//! A fingerprint is `<16 hex digits>:<occurrence>`: a 64-bit FNV-1a hash of the rule id, the
//! repo-relative path, the object's kind, namespace and name, and the text of the line the finding
//! starts on (trimmed, inner whitespace collapsed), then a 1-based counter that tells apart
//! findings with equal hashes, numbered in report order. The line number is not part of it.
//! FNV-1a is written out here so the value never changes with a Rust or crate upgrade:
//! baselines are committed files.

use crate::diagnostic::Diagnostic;
use crate::engine::Report;
use crate::source::SourceFile;

/// Key of kpolicy's fingerprint in SARIF `partialFingerprints` (versioned with the scheme).
pub const SARIF_KEY: &str = "kpolicy/v1";

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// 64-bit FNV-1a over `parts`, each followed by a NUL byte so `("ab", "c")` ≠ `("a", "bc")`.
pub fn hash(parts: &[&str]) -> u64 {
    let mut h = FNV_OFFSET;
    for part in parts {
        for &byte in part.as_bytes().iter().chain(std::iter::once(&0u8)) {
            h ^= u64::from(byte);
            h = h.wrapping_mul(FNV_PRIME);
        }
    }
    h
}

/// The text of the line a finding starts on, trimmed, with runs of whitespace collapsed.
pub fn line_text(file: &SourceFile, offset: u32) -> String {
    let text = file.text.as_str();
    if text.is_empty() {
        return String::new();
    }
    let line = file.lines().line_of((offset as usize).min(text.len()));
    let raw = &text[file.lines().line_range(text, line)];
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn hash_of(d: &Diagnostic, path: &str, file: &SourceFile) -> u64 {
    let object = d.object.as_ref();
    hash(&[
        d.rule,
        path,
        object.map_or("", |o| o.kind.as_str()),
        object.and_then(|o| o.namespace.as_deref()).unwrap_or(""),
        object.and_then(|o| o.name.as_deref()).unwrap_or(""),
        &line_text(file, d.span.start),
    ])
}

/// One fingerprint per diagnostic, in report order. `paths` are the repo-relative file names
/// by file id (see [`crate::report::Context`]).
pub fn compute(report: &Report, paths: &[String]) -> Vec<String> {
    use rayon::prelude::*;
    // The hashes in parallel; the occurrence counter in report order.
    let hashes: Vec<u64> = report
        .diagnostics
        .par_iter()
        .map(|d| hash_of(d, &paths[d.file.0 as usize], report.sources.get(d.file)))
        .collect();
    let mut seen: std::collections::HashMap<u64, u32> = std::collections::HashMap::new();
    hashes
        .into_iter()
        .map(|h| {
            let n = seen.entry(h).or_insert(0);
            *n += 1;
            format!("{h:016x}:{n}")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_reference_values() {
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c; our parts end with a NUL, so hash the raw bytes here.
        let mut h = FNV_OFFSET;
        for b in b"a" {
            h ^= u64::from(*b);
            h = h.wrapping_mul(FNV_PRIME);
        }
        assert_eq!(h, 0xaf63_dc4c_8601_ec8c);
        assert_ne!(hash(&["ab", "c"]), hash(&["a", "bc"]));
    }

    #[test]
    fn line_text_is_normalized() {
        let file = SourceFile::new(
            crate::source::Origin::Stdin,
            "a: 1\r\n   resources:   {}  \n".to_string(),
        );
        assert_eq!(line_text(&file, 9), "resources: {}");
        assert_eq!(line_text(&file, 0), "a: 1");
    }
}
