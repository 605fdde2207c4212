//! `../shared` beside the repository: the real-world corpus the corpus, peer and version tests read.
//! Absent in a user's clone, where those tests skip with a printed reason; `.ci/run` sets
//! `KPOLICY_REQUIRE_SHARED=1`, which turns its absence into a failure.

use std::path::{Path, PathBuf};

/// `../shared/<relative>` when it exists; otherwise `None` after printing why (or a panic under
/// `KPOLICY_REQUIRE_SHARED=1`).
pub fn path(relative: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(relative);
    if dir.exists() {
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
