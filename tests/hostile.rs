//! Bad input must give findings, never a panic, a hang or unbounded memory. Inputs are generated
//! here (small versions of the attacks); the large versions belong to the benchmark.

use kpolicy::engine::{Options, Report, lint_texts, select_rules};

fn lint(name: &str, text: String) -> Report {
    let options = Options {
        enable: vec!["all".into()],
        ..Options::default()
    };
    let rules = select_rules(&options).unwrap();
    lint_texts(vec![(name.to_string(), text)], &options, &rules)
}

#[test]
fn alias_bomb_costs_no_expansion() {
    // 10^25 nodes if aliases were copied.
    let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    let mut prev = "a".to_string();
    for i in 1..25 {
        let items = vec![format!("*{prev}"); 10].join(", ");
        text.push_str(&format!("l{i}: &l{i} [{items}]\n"));
        prev = format!("l{i}");
    }
    text.push_str(
        "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n",
    );
    let report = lint("bomb.yaml", text);
    assert_eq!(report.objects, 1);
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.rule == "container-missing-memory-limit")
    );
}

#[test]
fn merge_key_fan_out_is_bounded() {
    // Each level merges the previous one twice: 2^40 visits without a budget.
    let mut text = String::from("base: &m0 {a: 1}\n");
    for i in 1..=40 {
        text.push_str(&format!(
            "m{i}: &m{i}\n  <<: [*m{}, *m{}]\n  k{i}: v\n",
            i - 1,
            i - 1
        ));
    }
    text.push_str("apiVersion: v1\nkind: Pod\nmetadata:\n  <<: *m40\n  name: x\nspec: {containers: [{name: c, resources: {<<: *m40}}]}\n");
    let report = lint("merge.yaml", text);
    assert_eq!(report.objects, 1);
    let doc_root = report
        .diagnostics
        .iter()
        .filter(|d| d.rule == "container-missing-memory-limit")
        .count();
    assert_eq!(doc_root, 1);
}

#[test]
fn self_referencing_collections_terminate() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: &m\n  name: loop\n  self: *m\n  <<: *m\nspec: &s\n  containers:\n  - name: c\n    resources: *s\n".to_string();
    let report = lint("loop.yaml", text);
    assert_eq!(report.objects, 1);
}

#[test]
fn deep_nesting_is_a_syntax_error_not_a_stack_overflow() {
    let depth = 100_000;
    let text = format!(
        "x: {}{}\n---\napiVersion: v1\nkind: Pod\nmetadata: {{name: after}}\nspec: {{containers: [{{name: c}}]}}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let report = lint("deep.yaml", text);
    let syntax: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.rule == "yaml-syntax")
        .collect();
    assert_eq!(syntax.len(), 1, "{syntax:?}");
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.rule == "container-missing-memory-limit"),
        "the next document is still linted"
    );
    let block = (0..300)
        .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
        .collect::<String>();
    let report = lint("deep-block.yaml", block);
    assert_eq!(
        report
            .diagnostics
            .iter()
            .filter(|d| d.rule == "yaml-syntax")
            .count(),
        1
    );
}

#[test]
fn many_tiny_documents() {
    let text = (0..20_000)
        .map(|i| format!("a: {i}\n"))
        .collect::<Vec<_>>()
        .join("---\n");
    let report = lint("many.yaml", text);
    assert!(report.diagnostics.is_empty());
}

#[test]
fn duplicate_keys_last_one_wins() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: dup}\nspec:\n  containers:\n  - name: c\n    resources: {limits: {memory: 1Gi}}\n    resources: {}\n".to_string();
    let report = lint("dup.yaml", text);
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.rule == "container-missing-memory-limit")
        .expect("the second `resources` wins");
    assert_eq!(
        report
            .sources
            .get(d.file)
            .line_col(d.span.start as usize)
            .line,
        8
    );
}

#[test]
fn odd_but_valid_values_do_not_panic() {
    for text in [
        "apiVersion: v1\nkind: Pod\nspec: [1, 2]\n",
        "apiVersion: v1\nkind: Pod\nspec:\n  containers: {name: x}\n",
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - resources: [1]\n  - resources: {limits: [memory]}\n  - resources: {limits: {memory: {a: b}}}\n  - 7\n  - null\n",
        "apiVersion: [v1]\nkind: Pod\n",
        "? [complex, key]\n: value\napiVersion: v1\nkind: {a: b}\n",
        "apiVersion: v1\nkind: List\nitems: [1, [2], {apiVersion: v1, kind: List, items: [{apiVersion: v1, kind: Pod}]}]\n",
        "apiVersion: v1\nkind: Pod\nmetadata: *undefined\n",
        "",
        "\u{feff}",
        "# only a comment",
        "---\n...\n---\n",
        "\t",
    ] {
        let _ = lint("odd.yaml", text.to_string());
    }
}
