//! Version-aware rules on the real-world corpus (`../shared/corpus`): every object whose
//! apiVersion/kind a Kubernetes release removed is reported by `removed-api-version` against
//! that release, and not against the release before it, which still serves it.
//!
//! Skipped with a printed reason when `../shared` is absent; `KPOLICY_REQUIRE_SHARED=1` makes
//! that a failure.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use kpolicy::discover::Input;
use kpolicy::engine::{Options, lint_inputs, select_only};
use kpolicy::kube_version::KubeVersion;
use kpolicy::rules::versions::apis::ApiTable;

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var_os("KPOLICY_REQUIRE_SHARED").is_some_and(|v| v == "1") {
        panic!("{} is missing and KPOLICY_REQUIRE_SHARED=1", dir.display());
    }
    eprintln!("skipping: {} not found", dir.display());
    None
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
