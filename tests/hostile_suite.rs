//! The hostile-input suite, end to end: `testdata/hostile/generate.py` writes every case (a 500 MB
//! file, a billion-laughs alias tree, 100,000 nested flow sequences, invalid UTF-8, binary and NUL
//! bytes, a FIFO, symlink loops, an unreadable file, duplicate keys, a 40 MB scalar, a million tiny
//! documents) into a temporary directory, and the binary lints them as a user would.
//!
//! Checked for each: no panic, no signal, a diagnostic with a position (or an input error) where the
//! case calls for one, and the good file beside them still linted. Time and memory bounds are
//! generous on purpose (a debug build, a shared machine); `scripts/bench` measures precisely.
//! Needs python3; skipped with a reason without it unless `KPOLICY_REQUIRE_TOOLS=1`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Loose bounds: a hang or a blow-up fails, a slow machine does not.
const TIME_LIMIT: Duration = Duration::from_secs(300);
const RSS_LIMIT_KIB: i64 = 1536 * 1024;

fn generate() -> Option<(tempfile::TempDir, PathBuf)> {
    let python = Command::new("python3").arg("--version").output();
    if python.is_err() {
        if std::env::var_os("KPOLICY_REQUIRE_TOOLS").is_some_and(|v| v == "1") {
            panic!("python3 is required (KPOLICY_REQUIRE_TOOLS=1)");
        }
        eprintln!(
            "skipping: python3 not found (set KPOLICY_REQUIRE_TOOLS=1 to make this a failure)"
        );
        return None;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("hostile");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/hostile/generate.py");
    let status = Command::new("python3")
        .arg(script)
        .arg(&dir)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "generate.py failed");
    Some((tmp, dir))
}

/// Runs kpolicy with a wall-clock limit; returns its output and how long it took.
fn run(args: &[&str]) -> (Output, Duration) {
    let start = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_kpolicy"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let watchdog = std::thread::spawn(move || {
        let deadline = Instant::now() + TIME_LIMIT;
        while Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(200));
            // Signal 0 probes whether the process is still there.
            if unsafe { libc::kill(pid as i32, 0) } != 0 {
                return false;
            }
        }
        unsafe { libc::kill(pid as i32, libc::SIGKILL) };
        true
    });
    let output = child.wait_with_output().unwrap();
    let elapsed = start.elapsed();
    let killed = watchdog.join().unwrap();
    assert!(
        !killed,
        "kpolicy {args:?} ran over {TIME_LIMIT:?} and was killed"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.code().is_some(),
        "kpolicy {args:?} died by a signal: {:?}\n{stderr}",
        output.status
    );
    assert!(
        !stderr.contains("panicked") && output.status.code() != Some(101),
        "kpolicy {args:?} panicked:\n{stderr}"
    );
    (output, elapsed)
}

/// The largest resident set of any child waited for so far, in KiB.
fn peak_child_rss_kib() -> i64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    usage.ru_maxrss
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

fn file_name(value: &Value) -> String {
    let path = value.as_str().unwrap_or_default();
    path.rsplit('/').next().unwrap_or_default().to_string()
}

/// (file name, rule) of every diagnostic, and the file names of every input error.
fn summary(report: &Value) -> (Vec<(String, String)>, Vec<String>) {
    let diagnostics = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                file_name(&d["file"]),
                d["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let errors = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| file_name(&e["path"]))
        .collect();
    (diagnostics, errors)
}

fn is_root() -> bool {
    unsafe { libc::geteuid() == 0 }
}

/// One generation (600 MB on disk) for every check, removed when the test ends.
#[test]
fn hostile_suite() {
    let Some((_tmp, dir)) = generate() else {
        return;
    };
    whole_directory(&dir);
    each_file_beside_a_good_one(&dir);
    duplicate_keys_keep_the_last_value(&dir);
}

fn whole_directory(dir: &Path) {
    let dir_arg = dir.to_str().unwrap();
    let (output, elapsed) = run(&["lint", "--format", "json", "--enable", "all", dir_arg]);
    let report = json(&output);
    let (diagnostics, errors) = summary(&report);
    let has = |file: &str, rule: &str| diagnostics.iter().any(|(f, r)| f == file && r == rule);

    // The good file is linted whatever sits beside it.
    assert!(
        has("good.yaml", "container-missing-memory-limit"),
        "{diagnostics:?}"
    );
    // Undecodable and too-deep inputs are findings with a position.
    for file in [
        "invalid-utf8.yaml",
        "binary.yaml",
        "nul.yaml",
        "deep-flow.yaml",
    ] {
        assert!(has(file, "yaml-syntax"), "{file}: {diagnostics:?}");
    }
    for d in report["diagnostics"].as_array().unwrap() {
        assert!(d["start"]["line"].as_u64().unwrap() >= 1, "{d}");
    }
    let invalid = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| file_name(&d["file"]) == "invalid-utf8.yaml")
        .unwrap();
    assert_eq!(
        invalid["start"]["line"], 4,
        "the bad byte is on line 4: {invalid}"
    );
    // The 500 MB file is refused by size (an input error), never read whole.
    assert!(errors.contains(&"huge.yaml".to_string()), "{errors:?}");
    // Only regular files are read while walking: the FIFO (which would block), the symlink loop and
    // the symlink to the directory itself are not followed.
    for skipped in ["fifo.yaml", "loop-a.yaml", "loop-b.yaml"] {
        assert!(
            !diagnostics.iter().any(|(f, _)| f == skipped) && !errors.iter().any(|f| f == skipped),
            "{skipped} was read"
        );
    }
    let walked_loop = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["file"].as_str().unwrap().contains("loop-dir"));
    assert!(!walked_loop, "the directory symlink was followed");
    // Unreadable: an input error, except for root, who can read it.
    if !is_root() {
        assert!(
            errors.contains(&"unreadable.yaml".to_string()),
            "{errors:?}"
        );
    }
    // Input errors make the exit code 2; findings alone would be 1.
    assert_eq!(output.status.code(), Some(2));
    // Every regular file but the huge one counts as linted.
    let files = report["summary"]["files"].as_u64().unwrap();
    assert!(files >= 11, "only {files} files linted");
    let rss = peak_child_rss_kib();
    assert!(rss < RSS_LIMIT_KIB, "peak RSS {rss} KiB");
    eprintln!(
        "hostile directory: {elapsed:?}, peak RSS {} MiB",
        rss / 1024
    );
}

fn each_file_beside_a_good_one(dir: &Path) {
    let good = dir.join("good.yaml");
    // name, expected exit code
    let cases = [
        ("billion-laughs.yaml", 1),
        ("deep-flow.yaml", 1),
        ("deep-block.yaml", 1),
        ("huge.yaml", 2),
        ("invalid-utf8.yaml", 1),
        ("binary.yaml", 1),
        ("nul.yaml", 1),
        ("loop-a.yaml", 2),
        ("duplicate-keys.yaml", 1),
        ("enormous-scalar.yaml", 1),
        ("million-docs.yaml", 1),
        ("not-kubernetes.yaml", 1),
        ("does-not-exist.yaml", 2),
    ];
    for (name, code) in cases {
        let bad = dir.join(name);
        let (output, elapsed) = run(&[
            "lint",
            "--format",
            "json",
            bad.to_str().unwrap(),
            good.to_str().unwrap(),
        ]);
        let report = json(&output);
        let (diagnostics, errors) = summary(&report);
        assert!(
            diagnostics
                .iter()
                .any(|(f, r)| f == "good.yaml" && r == "container-missing-memory-limit"),
            "{name}: the good file was not linted: {diagnostics:?} {errors:?}"
        );
        assert_eq!(output.status.code(), Some(code), "{name}: {errors:?}");
        if code == 2 {
            assert_eq!(errors, vec![name.to_string()], "{name}");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(
                stderr.contains(name),
                "{name}: no message on stderr: {stderr}"
            );
        }
        eprintln!("{name}: {elapsed:?}");
    }
    // The billion-laughs ConfigMap is an object like any other: it was parsed, not expanded.
    let rss = peak_child_rss_kib();
    assert!(rss < RSS_LIMIT_KIB, "peak RSS {rss} KiB");
}

fn duplicate_keys_keep_the_last_value(dir: &Path) {
    let (output, _) = run(&[
        "lint",
        "--format",
        "json",
        "--disable",
        "all",
        "--enable",
        "image-tag-latest",
        dir.join("duplicate-keys.yaml").to_str().unwrap(),
    ]);
    // `image: nginx:1.27.3` comes last and wins over `image: nginx:latest`, as in the API server:
    // image-tag-latest stays quiet, and the run did not stop at the duplicate.
    let report = json(&output);
    assert_eq!(report["summary"]["objects"], 1, "{report}");
    assert_eq!(output.status.code(), Some(0), "{report}");
}
