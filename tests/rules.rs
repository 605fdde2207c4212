//! Every registered rule: its documentation has the required sections, and its fixtures under
//! `testdata/rules/<id>/` produce exactly the findings their `# expect: <id>` markers name, rendered
//! as the snapshot shows. `fail*.yaml` files must produce findings; `pass*.yaml` files none.
//!
//! A `fail*` / `pass*` directory is one run over all its YAML files (for cross-object rules whose
//! related objects sit in different files): its markers are collected from every file, keyed by
//! file and line, and its snapshot is named after the directory. When the directory holds a
//! `.kpolicy.yaml`, its node pools go into the run's context and findings may point into it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use kpolicy::discover::Input;
use kpolicy::engine::{Options, Report, lint_inputs, select_only};
use kpolicy::lint_with_context::{context_from_config, lint_texts_with_context};
use kpolicy::report::human;
use kpolicy::rules::registry;

const SECTIONS: [&str; 7] = [
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
    "## Options",
    "## Equivalent checks",
    "## References",
];

/// The `fail*` / `pass*` fixtures of a rule: YAML files and directories.
fn fixtures(id: &str) -> Vec<PathBuf> {
    let dir = Path::new("testdata/rules").join(id);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            kpolicy::discover::is_yaml_name(p)
                || (p.is_dir() && (name.starts_with("fail") || name.starts_with("pass")))
        })
        .collect();
    files.sort();
    files
}

const CONFIG: &str = ".kpolicy.yaml";

/// The YAML files of a fixture directory (the configuration excluded), sorted.
fn directory_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| kpolicy::discover::is_yaml_name(p) && !p.ends_with(CONFIG))
        .collect();
    files.sort();
    files
}

/// `(file, 1-based line)` of every line that carries `# expect: <id>`, in the fixture's files.
fn expected_lines(fixture: &Path, id: &str) -> BTreeSet<(String, u32)> {
    let mut files = if fixture.is_dir() {
        directory_files(fixture)
    } else {
        vec![fixture.to_path_buf()]
    };
    if fixture.join(CONFIG).is_file() {
        files.push(fixture.join(CONFIG));
    }
    let marker = format!("# expect: {id}");
    let mut out = BTreeSet::new();
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let name = kpolicy::source::display_path(&path);
        out.extend(
            text.lines()
                .enumerate()
                .filter(|(_, line)| line.contains(&marker))
                .map(|(i, _)| (name.clone(), i as u32 + 1)),
        );
    }
    out
}

/// Lints one fixture: a file, a directory, or a directory with a `.kpolicy.yaml`.
fn lint_fixture(fixture: &Path, rules: &[kpolicy::engine::ActiveRule]) -> Report {
    let config = fixture.join(CONFIG);
    if !config.is_file() {
        return lint_inputs(
            &[Input::Path(fixture.to_path_buf())],
            &Options::default(),
            rules,
        );
    }
    let read = |p: &Path| {
        (
            kpolicy::source::display_path(p),
            std::fs::read_to_string(p).unwrap(),
        )
    };
    let mut texts = vec![read(&config)];
    texts.extend(directory_files(fixture).iter().map(|p| read(p)));
    let ctx = context_from_config(&texts[0].1, kpolicy::source::FileId(0), "default")
        .unwrap_or_else(|e| panic!("{}: {e}", config.display()));
    lint_texts_with_context(texts, &ctx, rules)
}

#[test]
fn every_rule_has_a_complete_doc() {
    for entry in registry() {
        let doc = entry.doc;
        let mut at = 0;
        for section in SECTIONS {
            let found = doc[at..].find(section).unwrap_or_else(|| {
                panic!(
                    "rules/{}.md: missing or out-of-order section `{section}`",
                    entry.meta.id
                )
            });
            at += found + section.len();
        }
        assert!(
            !doc.trim_start().starts_with("# "),
            "rules/{}.md: no title line; `kpolicy explain` prints the id",
            entry.meta.id
        );
        assert!(
            doc.contains("```yaml"),
            "rules/{}.md: needs YAML examples",
            entry.meta.id
        );
        assert!(!entry.meta.lesson.is_empty() && !entry.meta.summary.is_empty());
    }
}

#[test]
fn rule_ids_are_kebab_case_and_unique() {
    let mut seen = BTreeSet::new();
    for entry in registry() {
        let id = entry.meta.id;
        assert!(
            id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !id.starts_with('-'),
            "{id} is not kebab-case"
        );
        assert!(seen.insert(id), "{id} registered twice");
        let settings = (entry.default_settings)();
        assert!(
            settings.is_object(),
            "{id}: settings must serialize to an object"
        );
        (entry.build)(&settings)
            .unwrap_or_else(|e| panic!("{id}: its own default settings do not load: {e}"));
    }
}

#[test]
fn every_rule_has_failing_and_passing_fixtures() {
    for entry in registry() {
        let id = entry.meta.id;
        let files = fixtures(id);
        let name = |p: &PathBuf| p.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            files.iter().any(|p| name(p).starts_with("fail")),
            "{id}: no fail*.yaml fixture"
        );
        assert!(
            files.iter().any(|p| name(p).starts_with("pass")),
            "{id}: no pass*.yaml fixture"
        );
    }
}

#[test]
fn fixtures_match_markers_and_snapshots() {
    for entry in registry() {
        let id = entry.meta.id;
        let rules = select_only(&[id]).unwrap();
        for path in fixtures(id) {
            let report = lint_fixture(&path, &rules);
            assert!(
                report.errors.is_empty(),
                "{}: {:?}",
                path.display(),
                report.errors
            );
            let got: BTreeSet<(String, u32)> = report
                .diagnostics
                .iter()
                .map(|d| {
                    let source = report.sources.get(d.file);
                    (
                        source.name.clone(),
                        source.line_col(d.span.start as usize).line,
                    )
                })
                .collect();
            let want = expected_lines(&path, id);
            let file_name = path.file_name().unwrap().to_string_lossy().to_string();
            if file_name.starts_with("pass") {
                assert!(
                    want.is_empty(),
                    "{}: a pass fixture has expect markers",
                    path.display()
                );
            } else {
                assert!(
                    !want.is_empty(),
                    "{}: a fail fixture has no expect markers",
                    path.display()
                );
            }
            assert_eq!(
                got,
                want,
                "{}: reported lines differ from `# expect: {id}` markers",
                path.display()
            );
            assert!(report.diagnostics.iter().all(|d| d.rule == id));
            if !report.diagnostics.is_empty() {
                let rendered = human::render(&report, false);
                let snapshot = file_name.trim_end_matches(".yaml").to_string();
                let dir = format!("../testdata/rules/{id}");
                insta::with_settings!({ snapshot_path => dir, prepend_module_to_snapshot => false, omit_expression => true }, {
                    insta::assert_snapshot!(snapshot, rendered);
                });
            }
        }
    }
}
