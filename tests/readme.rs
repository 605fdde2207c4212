//! The README's examples work as written: the custom rule of "Custom rules", copied literally into
//! a `.kpolicy.yaml`, reports a Deployment in `payments` with too few replicas at its `replicas:`
//! line (issue 8's done-when: a user following only the README gets a working rule).

use std::process::Command;

/// The first ```yaml block after `heading` in README.md.
fn yaml_block_after(heading: &str) -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = &readme[readme.find(heading).expect("heading in README")..];
    let start = section.find("```yaml\n").expect("a yaml block") + "```yaml\n".len();
    let end = section[start..].find("```").unwrap() + start;
    section[start..end].to_string()
}

#[test]
fn readme_custom_rule_reports_at_the_replicas_line() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join(".kpolicy.yaml"),
        yaml_block_after("## Custom rules"),
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("deploy.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: checkout\n  namespace: payments\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: checkout}}\n  template:\n    metadata: {labels: {app: checkout}}\n    spec:\n      containers: [{name: app, image: shop/checkout:1.4.2}]\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ledger\n  namespace: payments\nspec:\n  replicas: 3\n  selector: {matchLabels: {app: ledger}}\n  template:\n    metadata: {labels: {app: ledger}}\n    spec:\n      containers: [{name: app, image: shop/ledger:2.0.0}]\n",
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_kpolicy"))
        .args(["lint", "--color", "never", "deploy.yaml"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let hits: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("error[payments-min-replicas]"))
        .collect();
    assert_eq!(hits.len(), 1, "{stdout}\n{stderr}");
    assert!(
        hits[0].starts_with("deploy.yaml:7:3: error[payments-min-replicas]: Deployment checkout in payments runs 2 replica(s)"),
        "{}",
        hits[0]
    );
    assert_eq!(output.status.code(), Some(1));
}
