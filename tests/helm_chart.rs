//! Helm charts end to end: `kpolicy template` prints what `helm template` prints (the expected
//! output of `testdata/helm/chart-basic` was produced by the Helm SDK v4.2.3), a packaged `.tgz`
//! renders like its directory, values flags apply in Helm's order, and `kpolicy lint` on a chart
//! reports findings at the template line with a "set here" label at the values-file line.

#[path = "support/shared.rs"]
mod shared;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use kpolicy::discover::Input;
use kpolicy::engine::{Options, lint_inputs, select_only};
use kpolicy::helm::objects::ApiVersions;
use kpolicy::helm::render::{RenderOptions, render_path};
use kpolicy::kube_version::KubeVersion;

const CHART: &str = "testdata/helm/chart-basic";

fn sdk_options() -> RenderOptions {
    RenderOptions {
        kube_version: Some(KubeVersion::new(1, 36)),
        api_versions: ApiVersions::HelmDefault,
        ..RenderOptions::default()
    }
}

#[test]
fn template_prints_what_helm_template_prints() {
    let render = render_path(Path::new(CHART), &sdk_options()).unwrap();
    assert!(render.problems.is_empty(), "{:?}", render.problems);
    let want = std::fs::read_to_string("testdata/helm/chart-basic.helm-template.yaml").unwrap();
    assert_eq!(render.output, want);
    // The switched-off ingress rendered nothing; NOTES.txt and the test hook are not printed.
    assert!(!render.output.contains("Ingress"));
    assert!(!render.output.contains("Installed"));
    assert!(!render.output.contains("wget"));
}

#[test]
fn the_cli_prints_the_same() {
    let out = Command::new(env!("CARGO_BIN_EXE_kpolicy"))
        .args(["template", CHART, "--kube-version", "1.36"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let want = std::fs::read_to_string("testdata/helm/chart-basic.helm-template.yaml").unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), want);
}

/// Packs a chart directory as `helm package` does: `<name>/<path>` entries, gzipped.
fn package(dir: &Path, name: &str, out: &Path) {
    let mut builder = tar::Builder::new(Vec::new());
    let mut stack = vec![dir.to_path_buf()];
    let mut files = Vec::new();
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    for file in files {
        let rel = file.strip_prefix(dir).unwrap();
        builder
            .append_path_with_name(&file, Path::new(name).join(rel))
            .unwrap();
    }
    let tar = builder.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&tar).unwrap();
    std::fs::write(out, gz.finish().unwrap()).unwrap();
}

#[test]
fn a_packaged_chart_renders_like_its_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let tgz = tmp.path().join("basic-1.2.3.tgz");
    package(Path::new(CHART), "basic", &tgz);
    let render = render_path(&tgz, &sdk_options()).unwrap();
    let want = std::fs::read_to_string("testdata/helm/chart-basic.helm-template.yaml").unwrap();
    // `.helmignore` is not applied to archives (as in Helm), which changes nothing printed here.
    assert_eq!(render.output, want);
}

#[test]
fn values_flags_apply_in_helms_order() {
    let tmp = tempfile::tempdir().unwrap();
    let prod = tmp.path().join("prod.yaml");
    std::fs::write(
        &prod,
        "replicaCount: 5\nimage:\n  tag: \"1.28\"\nsub:\n  enabled: false\n",
    )
    .unwrap();
    let options = RenderOptions {
        values_files: vec![prod],
        set: vec!["replicaCount=7,ingress.enabled=true,ingress.host=shop.example.com".into()],
        set_string: vec!["image.tag=1.29".into()],
        ..sdk_options()
    };
    let render = render_path(Path::new(CHART), &options).unwrap();
    assert!(render.problems.is_empty(), "{:?}", render.problems);
    assert!(render.output.contains("replicas: 7"));
    assert!(render.output.contains("image: \"nginx:1.29\""));
    assert!(render.output.contains("host: \"shop.example.com\""));
    // The condition switched the subchart off.
    assert!(!render.output.contains("release-name-sub"));
    // Ingress sorts after Deployment.
    assert!(render.output.find("kind: Deployment") < render.output.find("kind: Ingress"));
}

fn lint(paths: &[PathBuf], ids: &[&str]) -> kpolicy::engine::Report {
    let rules = select_only(ids).unwrap();
    let inputs: Vec<Input> = paths.iter().map(|p| Input::Path(p.clone())).collect();
    lint_inputs(&inputs, &Options::default(), &rules)
}

/// (file, line) of a diagnostic and of its labels.
fn places(
    report: &kpolicy::engine::Report,
    d: &kpolicy::diagnostic::Diagnostic,
) -> (String, u32, Vec<(String, u32, String)>) {
    let source = report.sources.get(d.file);
    let labels = d
        .labels
        .iter()
        .map(|l| {
            let s = report.sources.get(l.file);
            (
                s.name.clone(),
                s.line_col(l.span.start as usize).line,
                l.message.clone(),
            )
        })
        .collect();
    (
        source.name.clone(),
        source.line_col(d.span.start as usize).line,
        labels,
    )
}

#[test]
fn lint_reports_at_the_template_with_the_values_line() {
    let report = lint(
        &[PathBuf::from(CHART)],
        &["container-missing-memory-limit", "image-tag-latest"],
    );
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.rule == "container-missing-memory-limit")
        .expect("the empty resources are reported");
    let (file, line, labels) = places(&report, d);
    assert_eq!(file, "testdata/helm/chart-basic/templates/deployment.yaml");
    assert_eq!(line, 22, "the `resources:` line of the template");
    assert_eq!(
        labels,
        [(
            "testdata/helm/chart-basic/values.yaml".to_string(),
            8,
            "set here".to_string()
        )]
    );
    assert_eq!(
        d.helm_source.as_deref(),
        Some("basic/templates/deployment.yaml")
    );
}

#[test]
fn a_template_named_explicitly_lints_its_chart() {
    // As pre-commit passes changed files: the chart is rendered, the template not read as YAML.
    let report = lint(
        &[PathBuf::from(CHART).join("templates/deployment.yaml")],
        &["container-missing-memory-limit", "yaml-syntax"],
    );
    assert!(report.diagnostics.iter().all(|d| d.rule != "yaml-syntax"));
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.rule == "container-missing-memory-limit")
    );
}

#[test]
fn render_errors_point_at_the_template() {
    let report = lint(
        &[PathBuf::from(
            "testdata/rules/helm-render-error/fail-required",
        )],
        &["helm-render-error"],
    );
    let d = &report.diagnostics[0];
    let (file, line, _) = places(&report, d);
    assert_eq!(
        file,
        "testdata/rules/helm-render-error/fail-required/templates/deployment.yaml"
    );
    assert_eq!(line, 16);
    assert!(
        d.message.contains("image.repository is required"),
        "{}",
        d.message
    );
}

/// The done-when: the missing memory limit of ElastAlert, at the template's `resources`
/// line with a label at `values.yaml` line 34 (`resources: {}`), with no helm binary involved.
#[test]
fn elastalert_memory_limit_points_at_template_and_values() {
    let Some(chart) = shared::path("corpus/helm-charts/stable/elastalert") else {
        return;
    };
    let report = lint(&[chart], &["container-missing-memory-limit"]);
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.rule == "container-missing-memory-limit")
        .expect("ElastAlert's missing memory limit is reported");
    let (file, line, labels) = places(&report, d);
    assert!(
        file.ends_with("elastalert/templates/deployment.yaml"),
        "{file}"
    );
    let source = report.sources.get(d.file);
    assert_eq!(source.slice(d.span), "resources");
    assert_eq!(line, 55);
    assert_eq!(labels.len(), 1, "{labels:?}");
    assert!(labels[0].0.ends_with("elastalert/values.yaml"));
    assert_eq!(labels[0].1, 34);
    let values = report.sources.get(d.labels[0].file);
    assert_eq!(values.slice(d.labels[0].span), "resources: {}");
    // The Deployment renders only once `elasticsearch.host` is set; the finding says so.
    assert!(
        d.helm_source
            .as_deref()
            .is_some_and(|s| s.contains("elasticsearch.host"))
    );
}

#[test]
fn a_values_matrix_lints_each_render_with_its_name() {
    let tmp = tempfile::tempdir().unwrap();
    let chart = std::fs::canonicalize(CHART).unwrap();
    std::fs::write(
        tmp.path().join("prod.yaml"),
        "resources:\n  limits:\n    memory: 1Gi\n",
    )
    .unwrap();
    let config = tmp.path().join(".kpolicy.yaml");
    std::fs::write(
        &config,
        format!(
            "helm:\n  - chart: {}\n    renders:\n      - name: prod\n        values: [prod.yaml]\n      - name: staging\n        set: [\"replicaCount=1\"]\n",
            chart.display()
        ),
    )
    .unwrap();
    let options = Options {
        config: Some(std::sync::Arc::new(
            kpolicy::config::LoadedConfig::read(&config).unwrap(),
        )),
        ..Options::default()
    };
    let rules = select_only(&["container-missing-memory-limit"]).unwrap();
    let report = lint_inputs(&[Input::Path(chart)], &options, &rules);
    let sources: Vec<&str> = report
        .diagnostics
        .iter()
        .filter_map(|d| d.helm_source.as_deref())
        .collect();
    assert_eq!(
        sources,
        ["basic/templates/deployment.yaml (render `staging`)"]
    );
}
