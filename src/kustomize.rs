//! Kustomizations: a directory with `kustomization.yaml` is built with `kustomize build` or
//! `kubectl kustomize` (whichever is on PATH) and its output linted; each finding on a built
//! object gets a label at the base or overlay file the object came from (kustomize's
//! `originAnnotations`). The user's tree is never written: the build runs from a temporary
//! kustomization that refers to the user's directory and asks for origin annotations.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use crate::source::{FileId, Origin as SourceOrigin, SourceFile, Span, display_path};

/// Port 9 (discard) on loopback: nothing listens there, so a download attempt fails at once
/// without a packet leaving the machine.
const NO_NETWORK_PROXY: &str = "http://127.0.0.1:9";

pub const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];
const ORIGIN_ANNOTATION: &str = "config.kubernetes.io/origin";

/// A built kustomization.
#[derive(Debug)]
pub struct Built {
    pub root: PathBuf,
    pub output: String,
    /// Each document of the output and the file kustomize took it from.
    pub origins: Vec<(Range<usize>, PathBuf)>,
    /// Directories the build read (the root and the bases and components it refers to).
    pub dirs: Vec<PathBuf>,
}

/// The build command on PATH: `kustomize build`, else `kubectl kustomize`.
fn tool() -> Option<(&'static str, &'static str)> {
    for (program, sub) in [("kustomize", "build"), ("kubectl", "kustomize")] {
        let found = std::env::var_os("PATH").is_some_and(|paths| {
            std::env::split_paths(&paths).any(|dir| dir.join(program).is_file())
        });
        if found {
            return Some((program, sub));
        }
    }
    None
}

pub fn is_kustomization_dir(dir: &Path) -> bool {
    FILE_NAMES.iter().any(|n| dir.join(n).is_file())
}

/// The string entries of the kustomization in `dir` under [`LOADED_FIELDS`], as
/// `(field, entry)`; inline generator or transformer configurations (block scalars) are left out.
fn loaded_entries(dir: &Path) -> Vec<(&'static str, String)> {
    let Some(text) = FILE_NAMES
        .iter()
        .find_map(|n| std::fs::read_to_string(dir.join(n)).ok())
    else {
        return Vec::new();
    };
    let source = Arc::new(SourceFile::new(SourceOrigin::Stdin, text));
    let parsed = crate::yaml::parse_file(FileId(0), &source);
    let mut out = Vec::new();
    for doc in &parsed.documents {
        let Some(root) = doc.root() else { continue };
        for field in LOADED_FIELDS {
            let Some(list) = root.get(field) else {
                continue;
            };
            for item in list.items() {
                if let Some(entry) = item.as_str().filter(|e| !e.contains('\n')) {
                    out.push((field, entry.to_string()));
                }
            }
        }
    }
    out
}

/// The directories among a kustomization's `resources`, `bases` and `components` entries,
/// relative paths resolved against its directory `dir`.
fn dirs_among(dir: &Path, entries: &[(&'static str, String)]) -> Vec<PathBuf> {
    entries
        .iter()
        .filter(|(field, _)| matches!(*field, "resources" | "bases" | "components"))
        .map(|(_, entry)| dir.join(entry))
        .filter(|path| path.is_dir())
        .collect()
}

/// The directories the kustomization in `dir` refers to.
fn referenced_dirs(dir: &Path) -> Vec<PathBuf> {
    dirs_among(dir, &loaded_entries(dir))
}

/// The kustomization fields whose entries kustomize loads as resources: a local file or
/// directory, or else a URL or repository it would download.
const LOADED_FIELDS: [&str; 6] = [
    "resources",
    "bases",
    "components",
    "generators",
    "transformers",
    "validators",
];

/// The first entry, in the kustomization at `root` or in any local base or component it reads,
/// that is not a local file or directory: kustomize would download it (`https://…`, `git@…`,
/// `github.com/org/repo//path?ref=…`) or fail. `(kustomization directory, field, entry)`.
fn non_local_entry(walked: &[WalkedDir]) -> Option<(&Path, &'static str, &str)> {
    walked.iter().find_map(|dir| {
        dir.entries
            .iter()
            .find(|(_, entry)| !dir.shown.join(entry).exists())
            .map(|(field, entry)| (dir.shown.as_path(), *field, entry.as_str()))
    })
}

/// Whether kustomize would take `entry` as a remote location rather than a missing local path.
fn looks_remote(entry: &str) -> bool {
    entry.contains("://")
        || entry.starts_with("git@")
        || entry.starts_with("git::")
        || entry.split('/').next().is_some_and(|host| {
            entry.contains('/') && host.contains('.') && host != "." && host != ".."
        })
}

/// A directory a build reads: the path as reached from the root (tidied, for messages), its
/// canonical form, and its kustomization's entries.
struct WalkedDir {
    shown: PathBuf,
    canonical: PathBuf,
    entries: Vec<(&'static str, String)>,
}

/// Every directory a build of `root` reads, the root first, each once (at most 1,000); each
/// kustomization is read and parsed once.
fn walk_dirs(root: &Path) -> Vec<WalkedDir> {
    let mut seen: BTreeSet<PathBuf> = BTreeSet::new();
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(canonical) = dir.canonicalize() else {
            continue;
        };
        if seen.len() > 1000 || !seen.insert(canonical.clone()) {
            continue;
        }
        let entries = loaded_entries(&dir);
        stack.extend(
            dirs_among(&dir, &entries)
                .iter()
                .map(|d| crate::source::normalize_relative(d)),
        );
        out.push(WalkedDir {
            shown: dir,
            canonical,
            entries,
        });
    }
    out
}

/// The kustomizations to build: those no other kustomization of the set refers to (an overlay,
/// not its bases).
pub fn roots(dirs: &[PathBuf]) -> Vec<PathBuf> {
    let referenced: BTreeSet<PathBuf> = dirs
        .iter()
        .flat_map(|d| referenced_dirs(d))
        .filter_map(|d| d.canonicalize().ok())
        .collect();
    dirs.iter()
        .filter(|d| d.canonicalize().is_ok_and(|c| !referenced.contains(&c)))
        .cloned()
        .collect()
}

/// A path from `from` to `to` (both absolute), with `..` as needed: kustomize refuses absolute
/// resource paths.
fn relative(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for c in &to[common..] {
        out.push(c.as_os_str());
    }
    out
}

/// Builds a kustomization. `Err` says why not (no tool, or the tool's message).
pub fn build(root: &Path) -> Result<Built, String> {
    let (program, sub) = tool().ok_or_else(|| {
        "neither `kustomize` nor `kubectl` is on PATH, so it was not built; its files were linted as they are".to_string()
    })?;
    // kpolicy never opens a network connection, and kustomize downloads remote bases: a
    // kustomization that refers to one is not built.
    let walked = walk_dirs(root);
    if let Some((dir, field, entry)) = non_local_entry(&walked) {
        let place = if dir == root {
            String::new()
        } else {
            format!(" (in {})", display_path(dir))
        };
        return Err(if looks_remote(entry) {
            format!(
                "`{field}` entry `{entry}`{place} is a remote location, and kpolicy never downloads; it was not built, and its files were linted as they are"
            )
        } else {
            format!(
                "`{field}` entry `{entry}`{place} is not a file or directory, so it was not built; its files were linted as they are"
            )
        });
    }
    let absolute = root
        .canonicalize()
        .map_err(|e| crate::discover::io_message(&e))?;
    let tmp = std::env::temp_dir().join(format!(
        "kpolicy-kustomize-{}-{}",
        std::process::id(),
        absolute
            .to_string_lossy()
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64))
    ));
    std::fs::create_dir_all(&tmp).map_err(|e| crate::discover::io_message(&e))?;
    let tmp_abs = tmp.canonicalize().unwrap_or(tmp.clone());
    let resource = relative(&tmp_abs, &absolute);
    let wrapper = format!(
        "resources:\n  - {:?}\nbuildMetadata: [originAnnotations]\n",
        resource.to_string_lossy()
    );
    let result = std::fs::write(tmp.join("kustomization.yaml"), wrapper)
        .map_err(|e| crate::discover::io_message(&e))
        .and_then(|_| {
            Command::new(program)
                .arg(sub)
                .arg(&tmp)
                // Belt and braces for the check above: git may only read local repositories,
                // and HTTP goes to a proxy on a closed loopback port.
                .env("GIT_ALLOW_PROTOCOL", "file")
                .env("GIT_TERMINAL_PROMPT", "0")
                .env("HTTPS_PROXY", NO_NETWORK_PROXY)
                .env("https_proxy", NO_NETWORK_PROXY)
                .env("HTTP_PROXY", NO_NETWORK_PROXY)
                .env("http_proxy", NO_NETWORK_PROXY)
                .env("ALL_PROXY", NO_NETWORK_PROXY)
                .env_remove("NO_PROXY")
                .env_remove("no_proxy")
                .output()
                .map_err(|e| format!("cannot run {program}: {}", crate::discover::io_message(&e)))
        });
    let _ = std::fs::remove_dir_all(&tmp);
    let output = result?;
    if !output.status.success() {
        let message = String::from_utf8_lossy(&output.stderr);
        let message = message.trim();
        return Err(format!(
            "`{program} {sub}` failed: {}",
            message.lines().last().unwrap_or(message)
        ));
    }
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let origins = origins_of(&text, &tmp_abs);
    Ok(Built {
        root: root.to_path_buf(),
        output: text,
        origins,
        dirs: {
            let mut dirs: Vec<PathBuf> = walked.into_iter().map(|d| d.canonical).collect();
            dirs.sort();
            dirs
        },
    })
}

/// The origin annotation of each document: `path:` resolved against the wrapper directory.
fn origins_of(text: &str, base: &Path) -> Vec<(Range<usize>, PathBuf)> {
    let source = Arc::new(SourceFile::new(SourceOrigin::Stdin, text.to_string()));
    let parsed = crate::yaml::parse_file(FileId(0), &source);
    let mut out = Vec::new();
    for doc in &parsed.documents {
        let Some(root) = doc.root() else { continue };
        let Some(origin) = root
            .path(&["metadata", "annotations"])
            .and_then(|a| a.get_str(ORIGIN_ANNOTATION))
        else {
            continue;
        };
        let Some(path) = origin
            .lines()
            .find_map(|l| l.trim().strip_prefix("path:"))
            .map(|p| p.trim().trim_matches('"'))
        else {
            continue;
        };
        // The build directory is gone: `..` is resolved without the file system.
        out.push((
            root.span().range(),
            crate::source::normalize_lexically(&base.join(path)),
        ));
    }
    out
}

/// How a path is shown: relative to the working directory when under it.
pub fn shown(path: &Path) -> String {
    match std::env::current_dir()
        .ok()
        .and_then(|cwd| cwd.canonicalize().ok())
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
    {
        Some(rel) => display_path(&rel),
        None => display_path(path),
    }
}

/// Where in a source file an object (by kind and name) is defined: its `name:` line, else the
/// first line of its document.
pub fn locate(text: &str, kind: &str, name: &str) -> Span {
    let source = Arc::new(SourceFile::new(SourceOrigin::Stdin, text.to_string()));
    let parsed = crate::yaml::parse_file(FileId(0), &source);
    for doc in &parsed.documents {
        let Some(root) = doc.root() else { continue };
        if root.get_str("kind") != Some(kind) {
            continue;
        }
        let Some(meta) = root.get("metadata") else {
            continue;
        };
        if meta.get_str("name") == Some(name)
            && let Some(entry) = meta.entry("name")
        {
            return entry.span();
        }
    }
    let first = text.lines().next().map_or(0, str::len);
    Span::new(0, first)
}

impl Built {
    /// The build output as an input file.
    pub fn virtual_file(&self) -> crate::load::Loaded {
        crate::load::Loaded::Text(SourceFile::new(
            SourceOrigin::Path(PathBuf::from(format!(
                "{} (kustomize build)",
                display_path(&self.root)
            ))),
            self.output.clone(),
        ))
    }
}

/// Builds the root kustomizations among `dirs`; a kustomization that cannot be built is a note
/// (its files are then linted as they are).
pub fn build_all(dirs: &[PathBuf], notes: &mut Vec<String>) -> Vec<Built> {
    use rayon::prelude::*;
    if dirs.is_empty() {
        return Vec::new();
    }
    let results: Vec<_> = roots(dirs)
        .into_par_iter()
        .map(|root| (root.clone(), build(&root)))
        .collect();
    let mut out = Vec::new();
    for (root, result) in results {
        match result {
            Ok(built) => out.push(built),
            Err(message) => notes.push(format!("kustomization {}: {message}", display_path(&root))),
        }
    }
    out
}

/// Leaves out the files (found in a walk) of the directories a build read: their objects are
/// linted in the build's output, and patches are not objects.
pub fn drop_built_inputs(inputs: &mut Vec<crate::discover::Discovered>, built: &[Built]) {
    if built.is_empty() {
        return;
    }
    let dirs: BTreeSet<&PathBuf> = built.iter().flat_map(|b| b.dirs.iter()).collect();
    inputs.retain(|d| match &d.input {
        crate::discover::Input::Path(path) if !d.explicit => !path
            .parent()
            .and_then(|p| p.canonicalize().ok())
            .is_some_and(|p| dirs.contains(&p)),
        _ => true,
    });
}

/// Labels each finding on a built object with the file kustomize took the object from.
pub fn label_origins(report: &mut crate::engine::Report, built: &[Built], first: usize) {
    let mut loaded: std::collections::HashMap<PathBuf, Option<FileId>> = Default::default();
    for i in 0..report.diagnostics.len() {
        let d = &report.diagnostics[i];
        let index = d.file.0 as usize;
        if index < first || index >= first + built.len() {
            continue;
        }
        let b = &built[index - first];
        let start = d.span.start as usize;
        let Some((_, origin)) = b.origins.iter().find(|(r, _)| r.contains(&start)) else {
            continue;
        };
        let file = *loaded.entry(origin.clone()).or_insert_with(|| {
            let text = std::fs::read_to_string(origin).ok()?;
            Some(report.sources.add(Arc::new(SourceFile::new(
                SourceOrigin::Path(PathBuf::from(shown(origin))),
                text,
            ))))
        });
        let Some(file) = file else { continue };
        let (kind, name) = d
            .object
            .as_ref()
            .map(|o| (o.kind.clone(), o.name.clone().unwrap_or_default()))
            .unwrap_or_default();
        let span = locate(&report.sources.get(file).text, &kind, &name);
        report.diagnostics[i].labels.push(crate::diagnostic::Label {
            file,
            span,
            message: "kustomize built this object from here".to_string(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_and_descend() {
        assert_eq!(
            relative(Path::new("/tmp/k"), Path::new("/work/a/b")),
            PathBuf::from("../../work/a/b")
        );
        assert_eq!(
            relative(Path::new("/w/a"), Path::new("/w/a/b")),
            PathBuf::from("b")
        );
    }

    #[test]
    fn origins_are_read_from_the_annotation() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  annotations:\n    config.kubernetes.io/origin: |\n      path: base/cm.yaml\n  name: a\n";
        let origins = origins_of(text, Path::new("/nonexistent"));
        assert_eq!(origins.len(), 1);
        assert_eq!(origins[0].1, PathBuf::from("/nonexistent/base/cm.yaml"));
        assert_eq!(&text[locate(text, "ConfigMap", "a").range()], "name: a");
    }
}
