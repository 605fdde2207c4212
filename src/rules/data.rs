//! The embedded data tables. Each `rules/data/<name>.yaml` is the source (with its comments,
//! sources and reasons); `build.rs` converts it to JSON at build time, and the table is read from
//! that JSON on first use: `serde_json` reads the tables in about a tenth of the instructions a
//! YAML deserializer takes, which is most of the start-up cost of linting one small file
//! (docs/benchmarks.md). The YAML and JSON data models are the same, so a table reads the same
//! either way; `tests` checks each table both ways.

use serde::de::DeserializeOwned;

/// The JSON `build.rs` wrote for `rules/data/<name>.yaml`.
macro_rules! json {
    ($name:literal) => {
        include_str!(concat!(env!("OUT_DIR"), "/", $name, ".json"))
    };
}
pub(crate) use json;

/// Reads a table; `name` is its file stem, for the message of a table that does not fit its type
/// (a unit test reads every table, so this never fires in a release).
pub(crate) fn read<T: DeserializeOwned>(name: &str, json: &str) -> T {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("rules/data/{name}.yaml: {e}"))
}

#[cfg(test)]
mod tests {
    /// Every table's YAML and embedded JSON hold the same data.
    #[test]
    fn each_table_is_its_yaml() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/data");
        let out = std::path::Path::new(env!("OUT_DIR"));
        let mut count = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "yaml") {
                continue;
            }
            let yaml: serde_json::Value =
                serde_saphyr::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let json: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(
                    out.join(path.with_extension("json").file_name().unwrap()),
                )
                .unwrap(),
            )
            .unwrap();
            assert_eq!(yaml, json, "{}", path.display());
            count += 1;
        }
        assert!(count >= 12, "{count} tables");
    }
}
