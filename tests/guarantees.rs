//! What kpolicy promises about the user's machine, checked rather than claimed:
//! - it never writes into the linted paths (every format, a baseline written elsewhere, charts
//!   rendered in memory);
//! - it never follows a symlink out of the walked tree;
//! - it never makes network calls: no networking crate is in the binary's dependency tree, no
//!   socket API is used in its source, and kustomize (which downloads remote bases) is not started
//!   for a kustomization that refers to one.

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

/// kustomize downloads remote bases (URLs, `github.com/…` repositories). A kustomization that
/// refers to one, itself or through a local base, is not built: the tool is never started (a
/// stand-in `kustomize` first on PATH records any start), the note says why, and the files are
/// linted as they are.
#[cfg(unix)]
#[test]
fn kustomizations_with_remote_bases_are_not_built() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let marker = dir.path().join("kustomize-started");
    let fake = bin.join("kustomize");
    std::fs::write(
        &fake,
        format!("#!/bin/sh\necho \"$@\" >> '{}'\nexit 1\n", marker.display()),
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = std::env::join_paths(std::iter::once(bin.clone()).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new(env!("CARGO_BIN_EXE_kpolicy"))
        .args([
            "lint",
            "--no-config",
            "--format",
            "json",
            "--enable",
            "container-missing-memory-limit",
            "testdata/kustomize-remote",
        ])
        .current_dir(root)
        .env("PATH", path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!marker.exists(), "kustomize was started: {stderr}");
    assert!(
        stderr.contains(
            "kustomization testdata/kustomize-remote/app: `resources` entry \
             `https://example.invalid/platform/base.yaml` is a remote location, and kpolicy never \
             downloads; it was not built, and its files were linted as they are"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "kustomization testdata/kustomize-remote/overlay: `resources` entry \
             `github.com/example/platform//base?ref=v1.0.0` (in testdata/kustomize-remote/base) \
             is a remote location"
        ),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let files: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "container-missing-memory-limit")
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        ["testdata/kustomize-remote/app/deployment.yaml"],
        "{report}"
    );
}
