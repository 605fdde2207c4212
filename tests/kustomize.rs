//! Kustomizations are built with `kustomize build` or `kubectl kustomize` and linted; findings on
//! a built object carry a label at the base file the object came from, and the files the build
//! read (a patch is not an object) are not linted on their own.
//!
//! Needs `kustomize` or `kubectl` on PATH; skipped with a reason without them, unless
//! `KPOLICY_REQUIRE_TOOLS=1`.

use std::path::PathBuf;

use kpolicy::discover::Input;
use kpolicy::engine::{Options, lint_inputs, select_only};

fn tool_available() -> bool {
    let on_path = |name: &str| {
        std::env::var_os("PATH")
            .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
    };
    let ok = on_path("kustomize") || on_path("kubectl");
    if !ok {
        if std::env::var_os("KPOLICY_REQUIRE_TOOLS").is_some_and(|v| v == "1") {
            panic!("kustomize or kubectl is required (KPOLICY_REQUIRE_TOOLS=1)");
        }
        eprintln!(
            "skipping: neither kustomize nor kubectl on PATH (KPOLICY_REQUIRE_TOOLS=1 makes this a failure)"
        );
    }
    ok
}

#[test]
fn overlay_is_built_and_findings_name_the_base_file() {
    if !tool_available() {
        return;
    }
    let rules = select_only(&["container-missing-memory-limit"]).unwrap();
    let report = lint_inputs(
        &[Input::Path(PathBuf::from("testdata/kustomize"))],
        &Options::default(),
        &rules,
    );
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    // One Deployment, built from the overlay (the base is not built again on its own).
    assert_eq!(report.diagnostics.len(), 1, "{:#?}", report.diagnostics);
    let d = &report.diagnostics[0];
    assert_eq!(
        report.sources.get(d.file).name,
        "testdata/kustomize/overlay (kustomize build)"
    );
    assert_eq!(
        d.object.as_ref().unwrap().namespace.as_deref(),
        Some("shop")
    );
    let label = &d.labels[0];
    assert_eq!(label.message, "kustomize built this object from here");
    let base = report.sources.get(label.file);
    assert!(
        base.name
            .ends_with("testdata/kustomize/base/deployment.yaml"),
        "{}",
        base.name
    );
    assert_eq!(base.slice(label.span), "name: web");
}
