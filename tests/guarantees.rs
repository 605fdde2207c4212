//! What kpolicy promises about the user's machine, checked rather than claimed:
//! - it never writes into the linted paths (every format, a baseline written elsewhere, charts
//!   rendered in memory);
//! - it never follows a symlink out of the walked tree;
//! - it never makes network calls: no networking crate is in the binary's dependency tree and no
//!   socket API is used in its source.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn kpolicy(args: &[&str], cwd: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kpolicy"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

/// Every file under `dir` (symlinks not followed) with its bytes and modification time.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, std::time::SystemTime)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
        } else if meta.is_file() {
            out.insert(
                path.clone(),
                (std::fs::read(&path).unwrap(), meta.modified().unwrap()),
            );
        }
    }
    out
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn linting_never_writes_into_the_linted_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let tree = tmp.path().join("tree");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_tree(&root.join("examples"), &tree.join("examples"));
    copy_tree(&root.join("testdata/rules"), &tree.join("rules"));
    let before = snapshot(&tree);
    assert!(before.len() > 100);
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    for format in ["human", "json", "sarif", "github", "junit", "codeclimate"] {
        let output = kpolicy(&["lint", "--enable", "all", "--format", format, "."], &tree);
        assert!(matches!(output.status.code(), Some(1)), "{format}");
    }
    let baseline = out.join("baseline.json");
    kpolicy(
        &[
            "lint",
            "--write-baseline",
            baseline.to_str().unwrap(),
            "--format",
            &format!("sarif={}", out.join("x.sarif").display()),
            ".",
        ],
        &tree,
    );
    assert!(baseline.exists());
    assert_eq!(before, snapshot(&tree), "the linted tree changed");
}

#[test]
fn walking_does_not_follow_a_symlink_out_of_the_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(
        outside.join("secret.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: outside}\nspec:\n  containers: [{name: a, image: a:latest}]\n",
    )
    .unwrap();
    let tree = tmp.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    std::fs::write(tree.join("empty.yaml"), "# nothing\n").unwrap();
    std::os::unix::fs::symlink(&outside, tree.join("link-dir")).unwrap();
    std::os::unix::fs::symlink(outside.join("secret.yaml"), tree.join("link.yaml")).unwrap();
    let output = kpolicy(&["lint", "--format", "json", "."], &tree);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["files"], 1, "{report}");
    assert_eq!(
        report["diagnostics"].as_array().unwrap().len(),
        0,
        "{report}"
    );
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn no_networking_crate_in_the_binary() {
    let output = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--locked",
            "--edges",
            "normal,build",
            "--prefix",
            "none",
            "--package",
            "kpolicy",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tree = String::from_utf8(output.stdout).unwrap();
    assert!(tree.lines().count() > 20, "{tree}");
    for crate_name in [
        "reqwest",
        "hyper",
        "ureq",
        "curl",
        "isahc",
        "attohttpc",
        "surf",
        "tokio",
        "h2",
        "native-tls",
        "rustls",
        "openssl",
        "socket2",
        "mio",
    ] {
        assert!(
            !tree
                .lines()
                .any(|line| line.split_whitespace().next() == Some(crate_name)),
            "{crate_name} is in the dependency tree:\n{tree}"
        );
    }
}

#[test]
fn no_socket_api_in_the_source() {
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    let mut files = 0;
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            files += 1;
            let text = std::fs::read_to_string(&path).unwrap();
            for api in [
                "std::net",
                "TcpStream",
                "UdpSocket",
                "TcpListener",
                "ToSocketAddrs",
            ] {
                assert!(!text.contains(api), "{} uses {api}", path.display());
            }
        }
    }
    assert!(files > 50);
}
