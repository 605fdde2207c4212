//! The native Helm renderer against the real Helm SDK (PyPI `helm-python-sdk`, Helm v4), on every
//! chart of `../shared/corpus` (a directory with `Chart.yaml` that is not a subchart in another
//! chart's `charts/`) that the SDK renders offline with its default values.
//!
//! For each chart, every template's output is split into documents as Helm splits them, each
//! document is parsed as YAML, and the lists are compared per template. Templates whose SDK output
//! changes from one render to the next (random passwords) are left out and counted. A chart is
//! identical when every template matches. The test prints the pass rate, every failure with its
//! class, and the render time per chart (kpolicy, debug build, vs the SDK in-process), and fails
//! below the target of 98%.
//!
//! Needs a python3 that can `import helm_python` (`KPOLICY_HELM_SDK_PYTHON`, default `python3`);
//! skipped with a reason without it, unless `KPOLICY_REQUIRE_TOOLS=1`. SDK renders are cached under
//! `target/helm-sdk-cache/`, keyed by the chart list, the script and the SDK version.

#[path = "support/shared.rs"]
mod shared;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use kpolicy::helm::manifest::split_manifests;
use kpolicy::helm::objects::ApiVersions;
use kpolicy::helm::render::{ProblemKind, RenderOptions, render_path};
use kpolicy::helm::schema::to_json;
use kpolicy::helm::values::{Numbers, parse_documents};
use kpolicy::kube_version::KubeVersion;
use kpolicy::source::{FileId, Origin, SourceFile};
use serde_json::Value;

const SCRIPT: &str = include_str!("helm/sdk_render.py");
/// The SDK's default `.Capabilities.KubeVersion`.
const SDK_KUBE_VERSION: KubeVersion = KubeVersion::new(1, 36);
const TARGET: f64 = 0.98;

fn python() -> String {
    std::env::var("KPOLICY_HELM_SDK_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

/// The SDK version, or `None` (after printing why) when the SDK cannot be imported.
fn sdk_version() -> Option<String> {
    let out = Command::new(python())
        .args([
            "-c",
            "import helm_python as h; print(h.helm_sdk_version(), h.__version__)",
        ])
        .output();
    match out {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).trim().to_string()),
        _ => {
            if std::env::var_os("KPOLICY_REQUIRE_TOOLS").is_some_and(|v| v == "1") {
                panic!(
                    "{} cannot import helm_python (pip install helm-python-sdk==0.2.2; KPOLICY_REQUIRE_TOOLS=1)",
                    python()
                );
            }
            eprintln!(
                "skipping: {} cannot import helm_python; set KPOLICY_HELM_SDK_PYTHON to a python with helm-python-sdk==0.2.2 (KPOLICY_REQUIRE_TOOLS=1 makes this a failure)",
                python()
            );
            None
        }
    }
}

/// Every top-level chart under `root`: a `Chart.yaml` whose directory is not inside the
/// `charts/` folder of another chart.
fn charts(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                dirs.push(path);
            } else if entry.file_name() == "Chart.yaml" {
                let chart = dir.clone();
                let is_subchart = chart.ancestors().skip(1).any(|a| {
                    a.file_name().is_some_and(|n| n == "charts")
                        && a.parent().is_some_and(|p| p.join("Chart.yaml").is_file())
                });
                if !is_subchart {
                    out.push(chart);
                }
            }
        }
    }
    out.sort();
    out
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    })
}

/// The SDK's renders of `charts`, from the cache or a fresh run.
fn sdk_renders(charts: &[PathBuf], version: &str) -> Value {
    let key: String = charts
        .iter()
        .map(|c| c.display().to_string())
        .chain([version.to_string(), SCRIPT.to_string()])
        .collect::<Vec<_>>()
        .join("\n");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/helm-sdk-cache");
    let _ = std::fs::create_dir_all(&dir);
    let cache = dir.join(format!("{:016x}.json", fnv(&key)));
    if let Ok(text) = std::fs::read_to_string(&cache)
        && let Ok(value) = serde_json::from_str(&text)
    {
        return value;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/helm/sdk_render.py");
    let tmp = dir.join(format!("{:016x}.json.tmp", fnv(&key)));
    let status = Command::new(python())
        .arg(&script)
        .arg(&tmp)
        .args(charts)
        .status()
        .expect("run the SDK script");
    assert!(status.success(), "tests/helm/sdk_render.py failed");
    std::fs::rename(&tmp, &cache).unwrap();
    serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap()
}

/// The documents of one template's output as Helm splits them, parsed (empty ones dropped).
fn documents(text: &str) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    for range in split_manifests(text) {
        let source = Arc::new(SourceFile::new(Origin::Stdin, text[range].to_string()));
        let docs = parse_documents(FileId(0), &source, Numbers::Typed).map_err(|p| p.message)?;
        out.extend(docs.iter().filter(|d| !d.is_nil()).map(to_json));
    }
    Ok(out)
}

fn printed(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    !base.starts_with('_') && !name.ends_with("NOTES.txt")
}

struct Outcome {
    chart: String,
    /// `None` when identical; else the failure class and a detail.
    failure: Option<(String, String)>,
    unstable: usize,
    ours: f64,
    sdk: f64,
}

#[test]
fn native_renders_match_the_helm_sdk() {
    let Some(root) = shared::path("corpus") else {
        return;
    };
    let Some(version) = sdk_version() else {
        return;
    };
    let all = charts(&root);
    let sdk = sdk_renders(&all, &version);
    let options = RenderOptions {
        kube_version: Some(SDK_KUBE_VERSION),
        api_versions: ApiVersions::HelmDefault,
        ..RenderOptions::default()
    };
    let mut outcomes = Vec::new();
    let mut not_rendered = Vec::new();
    for chart in &all {
        let key = chart.display().to_string();
        let entry = &sdk["charts"][&key];
        let name = chart
            .strip_prefix(&root)
            .unwrap_or(chart)
            .display()
            .to_string();
        if entry["ok"] != Value::Bool(true) {
            not_rendered.push(format!("{name}: {}", entry["error"].as_str().unwrap_or("")));
            continue;
        }
        let want: BTreeMap<String, String> = entry["manifests"]
            .as_object()
            .map(|m| {
                m.iter()
                    .filter(|(k, _)| printed(k))
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                    .collect()
            })
            .unwrap_or_default();
        if entry["manifests"].as_object().is_none_or(|m| m.is_empty()) {
            // Nothing to render (a chart of only Chart.yaml and values.yaml): nothing to compare.
            continue;
        }
        let unstable: BTreeSet<String> = entry["unstable"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let started = Instant::now();
        let render = render_path(chart, &options);
        let ours = started.elapsed().as_secs_f64();
        let sdk_seconds = entry["seconds"].as_f64().unwrap_or(0.0);
        let mut outcome = Outcome {
            chart: name.clone(),
            failure: None,
            unstable: unstable.len(),
            ours,
            sdk: sdk_seconds,
        };
        let render = match render {
            Ok(r) => r,
            Err(e) => {
                outcome.failure = Some(("load error".into(), e.to_string()));
                outcomes.push(outcome);
                continue;
            }
        };
        // Helm's render API does not check dependencies or kubeVersion; only template and values
        // problems break the comparison.
        if let Some(p) = render
            .problems
            .iter()
            .find(|p| p.kind != ProblemKind::Chart)
        {
            let class = match p.kind {
                ProblemKind::Parse => "template parse error",
                ProblemKind::Exec => "template execution error",
                _ => "values error",
            };
            outcome.failure = Some((class.into(), render.describe(p)));
            outcomes.push(outcome);
            continue;
        }
        let got: BTreeMap<String, String> = render
            .templates
            .iter()
            .filter(|t| printed(&t.name))
            .map(|t| (t.name.clone(), t.rendered.text.clone()))
            .collect();
        for (template, text) in &want {
            if unstable.contains(template) {
                continue;
            }
            let Some(ours_text) = got.get(template) else {
                outcome.failure = Some(("template not rendered".into(), template.clone()));
                break;
            };
            match (documents(text), documents(ours_text)) {
                (Ok(a), Ok(b)) if a == b => {}
                (Ok(a), Ok(b)) => {
                    let i = a
                        .iter()
                        .zip(&b)
                        .position(|(x, y)| x != y)
                        .unwrap_or(a.len().min(b.len()));
                    let detail = format!(
                        "{template}: document {} differs\n    sdk:     {}\n    kpolicy: {}",
                        i + 1,
                        a.get(i).map_or("(none)".to_string(), |v| v.to_string()),
                        b.get(i).map_or("(none)".to_string(), |v| v.to_string())
                    );
                    outcome.failure = Some(("document differs".into(), detail));
                    break;
                }
                (Err(e), _) => {
                    outcome.failure =
                        Some(("SDK output is not YAML".into(), format!("{template}: {e}")));
                    break;
                }
                (_, Err(e)) => {
                    outcome.failure = Some((
                        "kpolicy output is not YAML".into(),
                        format!("{template}: {e}"),
                    ));
                    break;
                }
            }
        }
        if outcome.failure.is_none()
            && let Some(extra) = got.keys().find(|k| !want.contains_key(*k))
        {
            outcome.failure = Some(("extra template".into(), extra.clone()));
        }
        outcomes.push(outcome);
    }

    let identical = outcomes.iter().filter(|o| o.failure.is_none()).count();
    let total = outcomes.len();
    let rate = if total == 0 {
        1.0
    } else {
        identical as f64 / total as f64
    };
    println!(
        "helm differential: {identical}/{total} charts identical ({:.1}%) against Helm SDK {version}; {} chart(s) the SDK cannot render; {} template(s) left out as random",
        rate * 100.0,
        not_rendered.len(),
        outcomes.iter().map(|o| o.unstable).sum::<usize>()
    );
    let mut classes: BTreeMap<&str, usize> = BTreeMap::new();
    for o in &outcomes {
        if let Some((class, detail)) = &o.failure {
            *classes.entry(class.as_str()).or_default() += 1;
            println!("  DIFF {} [{class}]: {detail}", o.chart);
        }
    }
    for (class, n) in &classes {
        println!("  failure class {class}: {n}");
    }
    for line in &not_rendered {
        println!("  not rendered by the SDK: {line}");
    }
    println!("  render time per chart (kpolicy debug build vs Helm SDK, ms):");
    for o in &outcomes {
        println!(
            "    {:>8.2} {:>8.2}  {}",
            o.ours * 1e3,
            o.sdk * 1e3,
            o.chart
        );
    }
    let (ours, theirs): (f64, f64) = outcomes
        .iter()
        .fold((0.0, 0.0), |(a, b), o| (a + o.ours, b + o.sdk));
    println!("    {:>8.2} {:>8.2}  total", ours * 1e3, theirs * 1e3);
    assert!(total > 0, "no chart was compared");
    assert!(
        rate >= TARGET,
        "{identical}/{total} charts identical, below the target of {:.0}%",
        TARGET * 100.0
    );
}
