//! Real-world input from `../shared/corpus`: no crash, no input error, every span inside its file,
//! and the benchmark set read exactly as its manifest says (object counts per file, no syntax errors).
//!
//! Skipped with a printed reason when `../shared` is absent (a user's clone); `.ci/run` sets
//! `KPOLICY_REQUIRE_SHARED=1`, which turns its absence into a failure.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use kpolicy::discover::Input;
use kpolicy::engine::{Options, Report, lint_inputs, select_rules};
use kpolicy::report::{human, json};

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var_os("KPOLICY_REQUIRE_SHARED").is_some_and(|v| v == "1") {
        panic!("{} is missing and KPOLICY_REQUIRE_SHARED=1", dir.display());
    }
    eprintln!(
        "skipping: {} not found (set KPOLICY_REQUIRE_SHARED=1 to make this a failure)",
        dir.display()
    );
    None
}

fn all_rules_options() -> Options {
    Options {
        no_ignore: true,
        enable: vec!["all".to_string()],
        ..Options::default()
    }
}

fn assert_spans_inside(report: &Report) {
    for d in &report.diagnostics {
        let spans =
            std::iter::once((d.file, d.span)).chain(d.labels.iter().map(|l| (l.file, l.span)));
        for (file, span) in spans {
            let source = report.sources.get(file);
            let text = &source.text;
            assert!(
                span.start <= span.end,
                "{}: inverted span {span:?} for {}",
                source.name,
                d.rule
            );
            assert!(
                (span.end as usize) <= text.len(),
                "{}: span {span:?} of {} ends past the file ({} bytes)",
                source.name,
                d.rule,
                text.len()
            );
            assert!(
                text.is_char_boundary(span.start as usize)
                    && text.is_char_boundary(span.end as usize),
                "{}: span {span:?} of {} splits a character",
                source.name,
                d.rule
            );
            let at = source.line_col(span.start as usize);
            assert!(at.line >= 1 && at.col >= 1);
        }
    }
}

#[test]
fn whole_corpus_lints_without_crash_or_input_error() {
    let Some(corpus) = corpus() else { return };
    let options = all_rules_options();
    let rules = select_rules(&options).unwrap();
    let report = lint_inputs(&[Input::Path(corpus)], &options, &rules);
    assert!(
        report.errors.is_empty(),
        "input errors: {:?}",
        report.errors
    );
    assert!(report.files() > 5000, "only {} files found", report.files());
    assert_spans_inside(&report);
    // Rendering every finding exercises the code-frame windows on real files.
    let text = human::render(&report, false);
    assert!(text.len() > 1000);
    let parsed: serde_json::Value = serde_json::from_str(&json::render(&report)).unwrap();
    assert_eq!(
        parsed["diagnostics"].as_array().unwrap().len(),
        report.diagnostics.len()
    );
    // Syntax errors are only where the corpus has unrendered Go templates or invalid YAML as shipped.
    for d in report
        .diagnostics
        .iter()
        .filter(|d| d.rule == "yaml-syntax")
    {
        let source = report.sources.get(d.file);
        let known_bad = source.text.contains("{{") || source.text.contains("{%")
            || source.name.ends_with("ingress-nginx__controller-v1.0.0/deploy/static/provider/aws/deploy-tls-termination.yaml");
        assert!(
            known_bad,
            "{}: unexpected yaml-syntax finding: {}",
            source.name, d.message
        );
    }
}

#[test]
fn bench_objects_match_the_manifest() {
    let Some(corpus) = corpus() else { return };
    let manifest = std::fs::read_to_string(corpus.join("BENCH_MANIFEST.tsv")).unwrap();
    let mut expected: HashMap<String, usize> = HashMap::new();
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        expected.insert(cols[0].to_string(), cols[4].parse().unwrap());
    }
    let options = all_rules_options();
    let rules = select_rules(&options).unwrap();
    let bench = corpus.join("bench");
    let report = lint_inputs(&[Input::Path(bench.clone())], &options, &rules);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.files(), expected.len());
    assert_eq!(report.objects, expected.values().sum::<usize>());
    assert!(
        report.diagnostics.iter().all(|d| d.rule != "yaml-syntax"),
        "every bench file parses: {:?}",
        report.diagnostics.iter().find(|d| d.rule == "yaml-syntax")
    );
    // Per file, through the library: the object model finds what the manifest counted.
    for (id, source) in report.sources.iter() {
        let name = Path::new(&source.name)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let parsed = kpolicy::yaml::parse_file(
            id,
            &std::sync::Arc::new(kpolicy::source::SourceFile::new(
                source.origin.clone(),
                source.text.clone(),
            )),
        );
        let objects: usize = parsed
            .documents
            .iter()
            .map(|d| kpolicy::object::objects_of(d).len())
            .sum();
        assert_eq!(Some(&objects), expected.get(&name), "{name}");
    }
    assert_spans_inside(&report);
}
