//! Converts the YAML data tables of `rules/data/` to JSON in `OUT_DIR`. The YAML files stay the
//! source (comments, sources, reasons); the binary embeds the JSON, which `serde_json` reads at
//! start-up several times faster than a YAML deserializer (`src/rules/data.rs`,
//! docs/benchmarks.md).

use std::path::Path;

fn main() {
    println!("cargo::rerun-if-changed=rules/data");
    let out = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    let mut entries: Vec<_> = std::fs::read_dir("rules/data")
        .expect("rules/data is readable")
        .map(|e| e.expect("rules/data entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    entries.sort();
    for path in entries {
        println!("cargo::rerun-if-changed={}", path.display());
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let value: serde_json::Value =
            serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path.with_extension("json");
        let name = name.file_name().expect("a file name");
        std::fs::write(
            Path::new(&out).join(name),
            serde_json::to_string(&value).expect("JSON from YAML"),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}
