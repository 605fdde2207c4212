//! `include:` and `exclude:`: which files a run lints, by globs relative to the configuration's
//! directory (like `.gitignore` patterns: `*` stays within a directory, `**` crosses them).

use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// The compiled `include` / `exclude` globs.
#[derive(Debug, Clone, Default)]
pub struct PathFilter {
    /// The configuration's directory, absolute and normalized.
    root: PathBuf,
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
}

fn build(
    globs: &[String],
    key: &'static str,
) -> Result<Option<GlobSet>, (&'static str, usize, String)> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut set = GlobSetBuilder::new();
    for (i, glob) in globs.iter().enumerate() {
        let pattern = glob.trim_start_matches("./").trim_end_matches('/');
        let compiled = GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|e| {
                (
                    key,
                    i,
                    format!("invalid glob `{glob}` in `{key}`: {}", e.kind()),
                )
            })?;
        set.add(compiled);
    }
    set.build()
        .map(Some)
        .map_err(|e| (key, 0, format!("invalid globs in `{key}`: {e}")))
}

/// `path` made absolute against the current directory, with `.` and `..` resolved lexically.
fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    crate::source::normalize_lexically(&joined)
}

impl PathFilter {
    /// Compiles the globs; the error is (key, index of the glob, message).
    pub fn new(
        dir: &Path,
        include: &[String],
        exclude: &[String],
    ) -> Result<PathFilter, (&'static str, usize, String)> {
        Ok(PathFilter {
            root: absolute(dir),
            include: build(include, "include")?,
            exclude: build(exclude, "exclude")?,
        })
    }

    /// Whether a file is linted: not excluded (itself or a directory it is in) and, when
    /// `include` is set, included (itself or a directory it is in).
    pub fn selects(&self, path: &Path) -> bool {
        if self.include.is_none() && self.exclude.is_none() {
            return true;
        }
        let full = absolute(path);
        let relative = full.strip_prefix(&self.root).unwrap_or(path);
        let text = relative.to_string_lossy().replace('\\', "/");
        // The path and each directory above it, innermost last.
        let mut candidates: Vec<&str> = text.match_indices('/').map(|(i, _)| &text[..i]).collect();
        candidates.push(&text);
        let any = |set: &GlobSet| candidates.iter().any(|c| set.is_match(c));
        if self.exclude.as_ref().is_some_and(any) {
            return false;
        }
        self.include.as_ref().is_none_or(any)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_files_and_their_directories() {
        let root = std::env::current_dir().unwrap();
        let filter = PathFilter::new(
            &root,
            &["k8s/**".into(), "*.yaml".into()],
            &["k8s/vendor".into(), "**/*-test.yaml".into()],
        )
        .unwrap();
        assert!(filter.selects(Path::new("k8s/app/deploy.yaml")));
        assert!(filter.selects(Path::new("top.yaml")));
        assert!(
            !filter.selects(Path::new("other/deep.yaml")),
            "`*` stays in its directory"
        );
        assert!(!filter.selects(Path::new("k8s/vendor/chart/x.yaml")));
        assert!(!filter.selects(Path::new("k8s/app/x-test.yaml")));
        assert!(
            !filter.selects(&root.join("k8s/vendor/y.yaml")),
            "absolute paths too"
        );
        let none = PathFilter::new(&root, &[], &[]).unwrap();
        assert!(none.selects(Path::new("anything.yaml")));
        assert!(PathFilter::new(&root, &["a[".into()], &[]).is_err());
    }
}
