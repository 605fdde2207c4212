//! Checks a SARIF log against the SARIF 2.1.0 JSON schema (testdata/sarif/, see its README) and
//! against what GitHub code scanning accepts: a known rule per result, a relative URI under
//! `%SRCROOT%` that names a real file, regions with `startLine` ≥ 1 inside the file's lines,
//! columns ≥ 1 within the line (UTF-16 code units), `endLine` ≥ `startLine`, unique fingerprints,
//! and GitHub's upload limits.

use std::collections::HashSet;
use std::path::Path;

use serde_json::Value;

const SCHEMA: &str = include_str!("../../testdata/sarif/sarif-schema-2.1.0.json");

/// Schema errors (at most 20), as text.
pub fn schema_errors(log: &Value) -> Vec<String> {
    let text = SCHEMA.strip_prefix('\u{feff}').unwrap_or(SCHEMA);
    let schema: Value = serde_json::from_str(text).expect("the vendored schema is JSON");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the vendored schema compiles");
    validator
        .iter_errors(log)
        .take(20)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

fn percent_decode(uri: &str) -> String {
    let bytes = uri.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).expect("valid percent escape"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("decoded URI is UTF-8")
}

/// Lengths of a text's lines in UTF-16 code units, without line breaks, as an editor counts them
/// (a final line break does not start another line).
fn line_lengths(text: &str) -> Vec<usize> {
    let mut lines: Vec<usize> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).encode_utf16().count())
        .collect();
    if text.ends_with('\n') || text.is_empty() {
        lines.pop();
    }
    lines
}

fn check_location(
    location: &Value,
    root: &Path,
    cache: &mut std::collections::HashMap<String, Vec<usize>>,
    what: &str,
) -> Result<(), String> {
    let physical = &location["physicalLocation"];
    let artifact = &physical["artifactLocation"];
    let uri = artifact["uri"]
        .as_str()
        .ok_or(format!("{what}: no artifactLocation.uri"))?;
    if artifact["uriBaseId"] != "%SRCROOT%" {
        return Err(format!("{what}: {uri} is not relative to %SRCROOT%"));
    }
    if uri.starts_with('/') || uri.contains("://") || uri.starts_with("..") {
        return Err(format!("{what}: {uri} is not a relative path"));
    }
    let path = percent_decode(uri);
    let lines = cache.entry(path.clone()).or_insert_with(|| {
        let bytes = std::fs::read(root.join(&path)).unwrap_or_default();
        line_lengths(&String::from_utf8_lossy(&bytes))
    });
    if !root.join(&path).is_file() {
        return Err(format!(
            "{what}: {path} is not a file under {}",
            root.display()
        ));
    }
    let region = &physical["region"];
    let get = |key: &str| {
        region[key]
            .as_u64()
            .ok_or(format!("{what}: {path}: region has no {key}: {region}"))
    };
    let (start_line, start_column, end_line, end_column) = (
        get("startLine")?,
        get("startColumn")?,
        get("endLine")?,
        get("endColumn")?,
    );
    let fail = |why: &str| Err(format!("{what}: {path}: {why}: {region}"));
    if start_line == 0 {
        return fail("line 0");
    }
    if start_column == 0 || end_column == 0 {
        return fail("column 0");
    }
    if end_line < start_line {
        return fail("endLine before startLine");
    }
    if end_line == start_line && end_column < start_column {
        return fail("endColumn before startColumn");
    }
    let line_count = lines.len().max(1) as u64;
    if end_line > line_count {
        return fail(&format!("past the last line ({line_count})"));
    }
    let width = |line: u64| lines.get(line as usize - 1).copied().unwrap_or(0) as u64 + 1;
    if start_column > width(start_line) || end_column > width(end_line) {
        return fail(&format!(
            "column past the end of the line (widths {} and {})",
            width(start_line),
            width(end_line)
        ));
    }
    Ok(())
}

/// Everything GitHub code scanning checks on upload, and what we promise beyond it. `root` is the
/// directory `%SRCROOT%` stands for.
pub fn github_errors(log: &Value, root: &Path) -> Vec<String> {
    let mut errors = Vec::new();
    let run = &log["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .map(|r| r.iter().filter_map(|r| r["id"].as_str()).collect())
        .unwrap_or_default();
    let results = run["results"].as_array().cloned().unwrap_or_default();
    if results.len() > 25_000 {
        errors.push(format!(
            "{} results: GitHub takes 25,000 per run",
            results.len()
        ));
    }
    let base = &run["originalUriBaseIds"]["%SRCROOT%"]["uri"];
    if !base
        .as_str()
        .is_some_and(|u| u.starts_with("file:///") && u.ends_with('/'))
    {
        errors.push(format!(
            "originalUriBaseIds %SRCROOT% is not an absolute directory URI: {base}"
        ));
    }
    let mut fingerprints = HashSet::new();
    let mut cache = std::collections::HashMap::new();
    for (i, result) in results.iter().enumerate() {
        let rule = result["ruleId"].as_str().unwrap_or("");
        let what = format!("result {i} ({rule})");
        match rules.iter().position(|r| *r == rule) {
            None => errors.push(format!("{what}: rule not in tool.driver.rules")),
            Some(index) if result["ruleIndex"] != index => errors.push(format!(
                "{what}: ruleIndex {} is not {index}",
                result["ruleIndex"]
            )),
            Some(_) => {}
        }
        if result["message"]["text"].as_str().is_none_or(str::is_empty) {
            errors.push(format!("{what}: empty message"));
        }
        let locations = result["locations"].as_array().cloned().unwrap_or_default();
        if locations.len() != 1 {
            errors.push(format!("{what}: {} locations", locations.len()));
        }
        let related = result["relatedLocations"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for location in locations.iter().chain(&related) {
            if let Err(e) = check_location(location, root, &mut cache, &what) {
                errors.push(e);
            }
        }
        match result["partialFingerprints"]["kpolicy/v1"].as_str() {
            Some(f) if fingerprints.insert(f.to_string()) => {}
            Some(f) => errors.push(format!("{what}: duplicate fingerprint {f}")),
            None => errors.push(format!("{what}: no partialFingerprints")),
        }
        if errors.len() > 20 {
            break;
        }
    }
    errors
}
