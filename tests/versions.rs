//! Version-aware rules on the real-world corpus (`../shared/corpus`): every object whose
//! apiVersion/kind a Kubernetes release removed is reported by `removed-api-version` against
//! that release, and not against the release before it, which still serves it.
//!
//! Skipped with a printed reason when `../shared` is absent; `KPOLICY_REQUIRE_SHARED=1` makes
//! that a failure.

#[path = "support/shared.rs"]
mod shared;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use kpolicy::discover::Input;
use kpolicy::engine::{Options, lint_inputs, select_only};
use kpolicy::kube_version::KubeVersion;
use kpolicy::rules::versions::apis::ApiTable;

fn corpus() -> Option<PathBuf> {
    shared::path("corpus")
}

/// (file, line of the apiVersion value) of every reported finding.
type Sites = BTreeSet<(String, u32)>;

fn lint(files: &[PathBuf], target: KubeVersion) -> Sites {
    let options = Options {
        no_ignore: true,
        kube_version: target,
        ..Options::default()
    };
    let rules = select_only(&["removed-api-version"]).unwrap();
    let inputs: Vec<Input> = files.iter().cloned().map(Input::Path).collect();
    let report = lint_inputs(&inputs, &options, &rules);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    report
        .diagnostics
        .iter()
        .map(|d| {
            let source = report.sources.get(d.file);
            (
                source.name.clone(),
                source.line_col(d.span.start as usize).line,
            )
        })
        .collect()
}

#[test]
fn every_removed_api_in_the_corpus_is_reported_exactly_from_its_removal() {
    let Some(corpus) = corpus() else { return };
    // Load the corpus as a run does (same discovery), then find the objects the table lists.
    let options = Options {
        no_ignore: true,
        ..Options::default()
    };
    let report = lint_inputs(&[Input::Path(corpus)], &options, &[]);
    let table = ApiTable::new(&[]);
    // removed-in → the sites of objects removed then; and the files that hold them.
    let mut removed: BTreeMap<KubeVersion, Sites> = BTreeMap::new();
    let mut files: BTreeSet<String> = BTreeSet::new();
    for (id, source) in report.sources.iter() {
        // Only the corpus's own manifests: not rendered chart text, nor a chart's templates
        // (linted through their chart's render, at the template's line).
        let path = std::path::Path::new(&source.name);
        let in_chart = path.ancestors().skip(1).any(|dir| {
            matches!(
                dir.file_name().and_then(|n| n.to_str()),
                Some("templates" | "charts")
            ) && dir.parent().is_some_and(|p| p.join("Chart.yaml").is_file())
        });
        if !path.is_file() || in_chart {
            continue;
        }
        let parsed = kpolicy::yaml::parse_file(
            id,
            &Arc::new(kpolicy::source::SourceFile::new(
                source.origin.clone(),
                source.text.clone(),
            )),
        );
        for doc in &parsed.documents {
            for object in kpolicy::object::objects_of(doc) {
                let Some(removed_in) = table
                    .get(object.api_version, object.kind)
                    .and_then(|e| e.removed_in)
                else {
                    continue;
                };
                let Some(value) = object.root.get("apiVersion") else {
                    continue;
                };
                let line = source.line_col(value.span().start as usize).line;
                removed
                    .entry(removed_in)
                    .or_default()
                    .insert((source.name.clone(), line));
                files.insert(source.name.clone());
            }
        }
    }
    let total: usize = removed.values().map(BTreeSet::len).sum();
    assert!(
        total > 100,
        "expected many removed APIs in the corpus, found {total}"
    );
    let paths: Vec<PathBuf> = files.iter().map(PathBuf::from).collect();
    let mut summary = Vec::new();
    for (&release, sites) in &removed {
        let before = KubeVersion::new(release.major, release.minor - 1);
        let at = lint(&paths, release);
        let still_served = lint(&paths, before);
        let missing: Vec<_> = sites.difference(&at).collect();
        assert!(
            missing.is_empty(),
            "removed in {release} but not reported against {release}: {missing:?}"
        );
        let early: Vec<_> = sites.intersection(&still_served).collect();
        assert!(
            early.is_empty(),
            "reported against {before}, which still serves them: {early:?}"
        );
        summary.push(format!("{release}: {}", sites.len()));
    }
    eprintln!(
        "removed APIs in the corpus by release: {}",
        summary.join(", ")
    );
}

/// The data tables are extended from the configuration: a channel tag, a controller and an API
/// of one's own are reported like the built-in ones.
#[test]
fn data_tables_extend_from_the_configuration() {
    let config_text = r#"
kubeVersion: "1.22"
rules:
  image-tag-floating:
    extra-floating-tags: [prod]
  outdated-ingress-controller:
    extra-controllers:
      - name: Example Ingress
        images: [registry.example.com/platform/ingress]
        latest: "2.3.0"
        floor: {version: "2.0.0", reason: "1.x gets no fixes"}
  removed-api-version:
    extra-apis:
      - api-version: example.com/v1beta1
        kind: Widget
        removed-in: "1.22"
        replacement: example.com/v1
        replacement-available-in: "1.20"
"#;
    let manifest = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: app
          image: registry.example.com/app:prod
        - name: ingress
          image: registry.example.com/platform/ingress:1.4.0
---
apiVersion: example.com/v1beta1
kind: Widget
metadata:
  name: w
"#;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("manifest.yaml");
    std::fs::write(&path, manifest).unwrap();
    let config_path = dir.path().join(".kpolicy.yaml");
    std::fs::write(&config_path, config_text).unwrap();
    let config = kpolicy::config::LoadedConfig::read(&config_path).unwrap();
    let options = Options {
        kube_version: config.config.kube_version.unwrap(),
        config: Some(Arc::new(config)),
        ..Options::default()
    };
    let rules = kpolicy::engine::select_rules(&options).unwrap();
    let report = lint_inputs(&[Input::Path(path)], &options, &rules);
    let found: BTreeSet<(&str, u32)> = report
        .diagnostics
        .iter()
        .map(|d| {
            let line = report
                .sources
                .get(d.file)
                .line_col(d.span.start as usize)
                .line;
            (d.rule, line)
        })
        .filter(|(rule, _)| {
            [
                "image-tag-floating",
                "outdated-ingress-controller",
                "removed-api-version",
            ]
            .contains(rule)
        })
        .collect();
    assert_eq!(
        found,
        BTreeSet::from([
            ("image-tag-floating", 10),
            ("outdated-ingress-controller", 12),
            ("removed-api-version", 14),
        ]),
        "{:#?}",
        report.diagnostics
    );
}
