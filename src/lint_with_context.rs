//! Linting in-memory texts with a given [`Context`] (declared node pools, the configuration file),
//! for tests of the rules that read the configuration.
//!
//! Stop-gap until the engine loads `.kpolicy.yaml` itself and builds the `Context` from it: this
//! runs the same two phases as `engine::lint_texts` (objects in parallel, then the set through the
//! index) and sorts the same way, but reports no `yaml-syntax` findings. Once `engine` takes a
//! `Context`, this module can go.

use std::sync::Arc;

use rayon::prelude::*;

use crate::config;
use crate::diagnostic::Diagnostic;
use crate::engine::{ActiveRule, Report};
use crate::index::Index;
use crate::load::{Loaded, decode};
use crate::object::{Object, objects_of};
use crate::rules::{Context, Sink};
use crate::source::{FileId, Origin, SourceMap};
use crate::yaml::parse_file;

/// A context from a configuration text that will be file `config_file` of the run.
pub fn context_from_config(
    text: &str,
    config_file: FileId,
    default_namespace: &str,
) -> Result<Context, String> {
    let (config, mut node_pools) = config::parse(text)?;
    // serde-saphyr marks where a pool's mapping starts; underline its first line (`name: apps`)
    // up to a trailing comment, so the finding has something to point at.
    for pool in &mut node_pools {
        let start = (pool.span.start as usize).min(text.len());
        if !text.is_char_boundary(start) {
            continue;
        }
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = &text[start..line_end];
        let content = line.find(" #").map_or(line, |i| &line[..i]).trim_end();
        if pool.span.end as usize <= start + content.len() {
            pool.span = crate::source::Span::new(start, start + content.len());
        }
    }
    Ok(Context {
        default_namespace: config
            .default_namespace
            .unwrap_or_else(|| default_namespace.to_string()),
        node_pools,
        config_file: Some(config_file),
    })
}

/// Lints `(name, text)` pairs with `ctx`; file `i` of the run (`FileId(i)`) is `texts[i]`, so a
/// context can point at one of them (the configuration, which holds no objects).
pub fn lint_texts_with_context(
    texts: Vec<(String, String)>,
    ctx: &Context,
    rules: &[ActiveRule],
) -> Report {
    let mut sources = SourceMap::default();
    let mut parsed_files = Vec::new();
    for (i, (name, text)) in texts.into_iter().enumerate() {
        let file = match decode(Origin::Path(name.into()), text.into_bytes()) {
            Loaded::Text(file) | Loaded::NotText(file, _) => Arc::new(file),
        };
        parsed_files.push(parse_file(FileId(i as u32), &file));
        sources.add(file);
    }
    let objects: Vec<Object<'_>> = parsed_files
        .iter()
        .flat_map(|f| f.documents.iter())
        .flat_map(objects_of)
        .collect();
    let mut diagnostics: Vec<Diagnostic> = objects
        .par_iter()
        .flat_map_iter(|object| {
            let mut out = Vec::new();
            for active in rules {
                let mut sink = Sink::new(active.rule.meta(), active.severity, &mut out);
                active.rule.check_object(object, ctx, &mut sink);
            }
            out
        })
        .collect();
    let index = Index::new(&objects, &ctx.default_namespace);
    diagnostics.extend(
        rules
            .par_iter()
            .flat_map_iter(|active| {
                let mut out = Vec::new();
                let mut sink = Sink::new(active.rule.meta(), active.severity, &mut out);
                active.rule.check_set(&index, ctx, &mut sink);
                out
            })
            .collect::<Vec<_>>(),
    );
    diagnostics.sort_by(|a, b| {
        let fa = &sources.get(a.file).name;
        let fb = &sources.get(b.file).name;
        fa.cmp(fb)
            .then(a.file.cmp(&b.file))
            .then(a.span.start.cmp(&b.span.start))
            .then(a.rule.cmp(b.rule))
            .then(a.span.end.cmp(&b.span.end))
            .then(a.message.cmp(&b.message))
    });
    Report {
        objects: objects.len(),
        sources,
        diagnostics,
        errors: Vec::new(),
        notes: Vec::new(),
    }
}
