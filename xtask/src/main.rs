//! `cargo xtask <task>`: maintenance tasks that are not part of the kpolicy binary.
//!
//! - `schemas [DIR]`: regenerate `rules/data/kubernetes-schemas.txt` from the JSON schemas of the
//!   PyPI package kubernetes-validate 1.37.0 (`DIR` is its `kubernetes-json-schema` directory;
//!   by default it is looked up with `python3 -c 'import kubernetes_validate'`). `--check` only
//!   compares and fails when the committed table differs.

mod gen_schemas;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const TABLE: &str = "rules/data/kubernetes-schemas.txt";

fn locate() -> Result<PathBuf, String> {
    let output = std::process::Command::new("python3")
        .args([
            "-c",
            "import os, kubernetes_validate; print(os.path.dirname(kubernetes_validate.__file__))",
        ])
        .output()
        .map_err(|e| format!("python3: {e}"))?;
    if !output.status.success() {
        return Err(
            "kubernetes-validate is not importable by python3; pass its kubernetes-json-schema directory"
                .to_string(),
        );
    }
    let dir = String::from_utf8_lossy(&output.stdout).trim().to_string();
    Ok(Path::new(&dir).join("kubernetes-json-schema"))
}

fn schemas(args: &[String]) -> Result<(), String> {
    let check = args.iter().any(|a| a == "--check");
    let source = match args.iter().find(|a| !a.starts_with("--")) {
        Some(dir) => PathBuf::from(dir),
        None => locate()?,
    };
    let table = gen_schemas::generate(&source)?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let path = root.join(TABLE);
    if check {
        let current = std::fs::read_to_string(&path).map_err(|e| format!("{TABLE}: {e}"))?;
        if current != table {
            return Err(format!("{TABLE} is out of date: run `cargo xtask schemas`"));
        }
        println!("{TABLE} is up to date");
    } else {
        std::fs::write(&path, &table).map_err(|e| format!("{TABLE}: {e}"))?;
        println!("wrote {TABLE} ({} bytes)", table.len());
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("schemas") => schemas(&args[1..]),
        _ => Err("usage: cargo xtask schemas [--check] [KUBERNETES_JSON_SCHEMA_DIR]".to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
