//! Differential test of the template engine: the charts under `testdata/helm/engine/` rendered by
//! `kpolicy::helm::template` must match, byte for byte, what the real Helm SDK rendered.
//!
//! The expected outputs in `testdata/helm/engine/expected/` were generated with the Helm SDK
//! (PyPI `helm-python-sdk` 0.2.2, Helm v4.2.3) by `testdata/helm/engine/generate.py` and committed;
//! rerun that script after changing a chart. This test builds the render context itself (values
//! files are JSON, so no values-file parser is needed here; numbers become float64 as in Helm).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use kpolicy::helm::template::{Rendered, TemplateFile, TemplateSet};
use kpolicy::helm::value::{Map, Value};
use kpolicy::source::FileId;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/helm/engine")
}

fn json_to_value(j: &serde_json::Value) -> Value {
    match j {
        serde_json::Value::Null => Value::NIL,
        serde_json::Value::Bool(b) => Value::bool(*b),
        serde_json::Value::Number(n) => Value::float(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(s) => Value::str(s.as_str()),
        serde_json::Value::Array(a) => Value::list(a.iter().map(json_to_value).collect()),
        serde_json::Value::Object(o) => Value::map(
            o.iter()
                .map(|(k, v)| (k.clone(), json_to_value(v)))
                .collect(),
        ),
    }
}

/// `over` merged onto `base`, maps recursively (Helm's coalescing, enough for these charts).
fn merge(base: &Value, over: &Value) -> Value {
    match (base.as_map(), over.as_map()) {
        (Some(b), Some(o)) => {
            let mut m: Map = b.clone();
            for (k, v) in o {
                let merged = match m.get(k) {
                    Some(old) => merge(old, v),
                    None => v.clone(),
                };
                m.insert(k.clone(), merged);
            }
            Value::map(m)
        }
        _ => over.clone(),
    }
}

struct Chart {
    /// Template name prefix, e.g. `constructs` or `constructs/charts/sub`.
    prefix: String,
    name: String,
    version: String,
    values: Value,
}

fn chart_yaml_field(text: &str, key: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}: ")))
        .unwrap_or("")
        .trim()
        .to_string()
}

/// Collects the chart at `dir` (template prefix `prefix`) and its subcharts.
fn load(
    dir: &Path,
    prefix: &str,
    parent_values: Option<&Value>,
    charts: &mut Vec<Chart>,
    files: &mut Vec<TemplateFile>,
) {
    let meta = std::fs::read_to_string(dir.join("Chart.yaml")).unwrap();
    let name = chart_yaml_field(&meta, "name");
    let own: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("values.yaml")).unwrap()).unwrap();
    let mut values = json_to_value(&own);
    if let Some(pv) = parent_values.and_then(|p| p.get(&name)) {
        values = merge(&values, pv);
    }
    let templates = dir.join("templates");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&templates)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let file_name = path.file_name().unwrap().to_string_lossy().to_string();
        files.push(TemplateFile {
            name: format!("{prefix}/templates/{file_name}"),
            file: FileId(files.len() as u32),
            text: Arc::from(std::fs::read_to_string(&path).unwrap()),
        });
    }
    let subcharts = dir.join("charts");
    if subcharts.is_dir() {
        let mut subs: Vec<PathBuf> = std::fs::read_dir(&subcharts)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        subs.sort();
        for sub in subs {
            let sub_name = sub.file_name().unwrap().to_string_lossy().to_string();
            load(
                &sub,
                &format!("{prefix}/charts/{sub_name}"),
                Some(&values),
                charts,
                files,
            );
        }
    }
    charts.push(Chart {
        prefix: prefix.to_string(),
        name,
        version: chart_yaml_field(&meta, "version"),
        values,
    });
}

fn dot_for(chart: &Chart, template: &str) -> Value {
    let mut release = Map::new();
    release.insert("Name".into(), Value::str("release-name"));
    release.insert("Namespace".into(), Value::str("default"));
    release.insert("Service".into(), Value::str("Helm"));
    release.insert("IsInstall".into(), Value::bool(true));
    release.insert("IsUpgrade".into(), Value::bool(false));
    release.insert("Revision".into(), Value::int(1));
    let mut meta = Map::new();
    meta.insert("Name".into(), Value::str(chart.name.as_str()));
    meta.insert("Version".into(), Value::str(chart.version.as_str()));
    let mut tmpl = Map::new();
    tmpl.insert("Name".into(), Value::str(template));
    tmpl.insert(
        "BasePath".into(),
        Value::str(format!("{}/templates", chart.prefix)),
    );
    let mut top = Map::new();
    top.insert("Values".into(), chart.values.clone());
    top.insert("Release".into(), Value::map(release));
    top.insert("Chart".into(), Value::map(meta));
    top.insert("Template".into(), Value::map(tmpl));
    Value::map(top)
}

fn expected_files(dir: &Path, base: &Path, out: &mut BTreeMap<String, String>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() {
            expected_files(&path, base, out);
        } else if path.file_name().is_some_and(|n| n != "VERSION") {
            let name = path
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(name, std::fs::read_to_string(&path).unwrap());
        }
    }
}

fn check_segments(name: &str, out: &Rendered) {
    let mut pos = 0;
    for s in &out.segments {
        assert_eq!(s.out.start, pos, "{name}: segments not contiguous");
        assert!(s.out.end > s.out.start, "{name}: empty segment");
        pos = s.out.end;
    }
    assert_eq!(
        pos as usize,
        out.text.len(),
        "{name}: segments do not cover the text"
    );
}

#[test]
fn engine_matches_the_helm_sdk() {
    let mut expected = BTreeMap::new();
    let expected_dir = root().join("expected");
    expected_files(&expected_dir, &expected_dir, &mut expected);
    assert!(expected.len() >= 7, "expected outputs missing");

    let mut chart_dirs: Vec<PathBuf> = std::fs::read_dir(root())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("Chart.yaml").is_file())
        .collect();
    chart_dirs.sort();
    let mut compared = 0;
    let mut failures = Vec::new();
    for dir in chart_dirs {
        let prefix = dir.file_name().unwrap().to_string_lossy().to_string();
        let mut charts = Vec::new();
        let mut files = Vec::new();
        load(&dir, &prefix, None, &mut charts, &mut files);
        let (set, errors) = TemplateSet::parse(&files);
        assert!(errors.is_empty(), "{prefix}: {errors:?}");
        // Helm renders the files in sorted order; `.Values` mutations carry over between them
        // only within one render, which these charts do not rely on.
        let mut names: Vec<&TemplateFile> = files.iter().collect();
        names.sort_by(|a, b| a.name.cmp(&b.name));
        for f in names {
            let base = f.name.rsplit('/').next().unwrap_or("");
            if base.starts_with('_') {
                continue;
            }
            let chart = charts
                .iter()
                .filter(|c| f.name.starts_with(&format!("{}/templates/", c.prefix)))
                .max_by_key(|c| c.prefix.len())
                .unwrap();
            let out = match set.render(&f.name, &dot_for(chart, &f.name)) {
                Ok(out) => out,
                Err(e) => {
                    failures.push(format!("{}: error {e:?}", f.name));
                    continue;
                }
            };
            check_segments(&f.name, &out);
            let want = expected
                .get(&f.name)
                .unwrap_or_else(|| panic!("no expected output for {}", f.name));
            compared += 1;
            if &out.text != want {
                failures.push(format!(
                    "{}:\n--- helm\n{want}\n--- kpolicy\n{}",
                    f.name, out.text
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert_eq!(compared, expected.len(), "every expected file was compared");
}

fn normalize(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Error messages against Helm's: `testdata/helm/engine/errors-expected.json` holds, for each
/// template of `errors-cases.json`, the error the Helm SDK reported (generated by
/// `testdata/helm/engine/errors.py`). Helm's text wraps Go's message with a location; ours is Go's
/// message alone, so Helm's must contain ours, part by part (for parse errors Helm keeps only the
/// tail of Go's message, which ours must then contain). The kind must agree too.
#[test]
fn error_messages_match_the_helm_sdk() {
    use kpolicy::helm::template::ErrorKind;
    let text = std::fs::read_to_string(root().join("errors-expected.json")).unwrap();
    let cases: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    assert!(cases.len() >= 30);
    let values = json_to_value(
        &serde_json::from_str(
            r#"{"name": "web", "n": 3, "list": ["a", null], "nul": null, "m": {"k": "v"}, "str": "s"}"#,
        )
        .unwrap(),
    );
    let chart = Chart {
        prefix: "p".into(),
        name: "p".into(),
        version: "0.1.0".into(),
        values,
    };
    let mut failures = Vec::new();
    for case in &cases {
        let src = case["template"].as_str().unwrap();
        let helm = case["helm_error"]
            .as_str()
            .expect("every case is an error in Helm");
        let files = [TemplateFile {
            name: "p/templates/t.yaml".into(),
            file: FileId(0),
            text: Arc::from(src),
        }];
        let (set, mut errors) = TemplateSet::parse(&files);
        let ours = if errors.is_empty() {
            match set.render("p/templates/t.yaml", &dot_for(&chart, "p/templates/t.yaml")) {
                Ok(out) => {
                    failures.push(format!("{src:?}: rendered {:?}, Helm: {helm}", out.text));
                    continue;
                }
                Err(e) => e,
            }
        } else {
            errors.remove(0)
        };
        assert!(ours.span.end as usize <= src.len());
        let (helm_n, ours_n) = (normalize(helm), normalize(&ours.message));
        let helm_kind = if helm.starts_with("parse error at") {
            ErrorKind::Parse
        } else if helm.starts_with("execution error at") {
            // `required` and `fail` (Helm prints their message bare).
            if ours.kind == ErrorKind::Fail {
                ErrorKind::Fail
            } else {
                ErrorKind::Required
            }
        } else if ours.kind == ErrorKind::Parse && helm_n.contains("cannot parse template") {
            ErrorKind::Parse
        } else {
            ErrorKind::Exec
        };
        let tail = helm_n.rsplit("): ").next().unwrap_or(&helm_n);
        // Helm's text contains ours, in order, but for the location Go inserts after each
        // `template:` (as in `tpl` errors).
        let mut rest = helm_n.as_str();
        let in_order = ours_n.split(": ").all(|part| match rest.find(part) {
            Some(i) => {
                rest = &rest[i + part.len()..];
                true
            }
            None => false,
        });
        let same_text = in_order || ours_n.contains(tail);
        if !same_text || helm_kind != ours.kind {
            failures.push(format!(
                "{src:?}: ours {:?} {:?}, Helm: {helm_n}",
                ours.kind, ours.message
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
