//! Micro-benchmarks: parse, object extraction, rules, and human rendering over the benchmark set
//! (`../shared/corpus/bench`), or over the repository's fixtures when that is absent.
//!
//! Run: `cargo bench --bench lint`

use std::path::Path;
use std::sync::{Arc, LazyLock};

use divan::counter::BytesCount;
use kpolicy::engine::{Options, lint_texts, select_rules};
use kpolicy::source::{FileId, Origin, SourceFile};

fn main() {
    divan::main();
}

/// (name, text) of every input file.
static INPUTS: LazyLock<Vec<(String, String)>> = LazyLock::new(|| {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bench = root.join("../shared/corpus/bench");
    let dir = if bench.is_dir() {
        bench
    } else {
        root.join("testdata/rules")
    };
    let mut out = Vec::new();
    collect(&dir, &mut out);
    out.sort();
    out
});

fn collect(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if kpolicy::discover::is_yaml_name(&path)
            && let Ok(text) = std::fs::read_to_string(&path)
        {
            out.push((path.display().to_string(), text));
        }
    }
}

fn total_bytes() -> BytesCount {
    BytesCount::new(INPUTS.iter().map(|(_, t)| t.len()).sum::<usize>())
}

fn sources() -> Vec<Arc<SourceFile>> {
    INPUTS
        .iter()
        .map(|(name, text)| Arc::new(SourceFile::new(Origin::Path(name.into()), text.clone())))
        .collect()
}

/// Parsing into span trees, one thread.
#[divan::bench(sample_count = 10)]
fn parse(bencher: divan::Bencher) {
    let sources = sources();
    bencher.counter(total_bytes()).bench(|| {
        sources
            .iter()
            .enumerate()
            .map(|(i, s)| {
                kpolicy::yaml::parse_file(FileId(i as u32), s)
                    .documents
                    .len()
            })
            .sum::<usize>()
    });
}

/// The YAML parser's events alone, without building span trees: the floor under `parse`.
#[divan::bench(sample_count = 10)]
fn parser_events(bencher: divan::Bencher) {
    use granit_parser::{Parser, options};
    bencher.counter(total_bytes()).bench(|| {
        let mut events = 0usize;
        for (_, text) in INPUTS.iter() {
            let mut parser = Parser::new_from_str_with_options(
                text,
                options! {
                    emit_unresolved_aliases: true,
                },
            );
            while let Some(Ok(_)) = parser.next_event() {
                events += 1;
            }
        }
        events
    });
}

/// Parsing plus object extraction and the pod-spec view, one thread.
#[divan::bench(sample_count = 10)]
fn parse_objects_views(bencher: divan::Bencher) {
    let sources = sources();
    bencher.counter(total_bytes()).bench(|| {
        let mut containers = 0;
        for (i, s) in sources.iter().enumerate() {
            let parsed = kpolicy::yaml::parse_file(FileId(i as u32), s);
            for doc in &parsed.documents {
                for object in kpolicy::object::objects_of(doc) {
                    if let Some(pod) = kpolicy::view::pod_spec(&object) {
                        containers += pod.all_containers().count();
                    }
                }
            }
        }
        containers
    });
}

/// The whole in-memory pipeline with every rule on (parallel, as the CLI runs it).
#[divan::bench(sample_count = 10)]
fn lint_all_rules(bencher: divan::Bencher) {
    let options = Options {
        enable: vec!["all".into()],
        ..Options::default()
    };
    let rules = select_rules(&options).unwrap();
    bencher
        .counter(total_bytes())
        .with_inputs(|| INPUTS.clone())
        .bench_values(|inputs| lint_texts(inputs, &options, &rules).diagnostics.len());
}

/// Rendering every finding of the set as the terminal shows it.
#[divan::bench(sample_count = 10)]
fn render_human(bencher: divan::Bencher) {
    let options = Options {
        enable: vec!["all".into()],
        ..Options::default()
    };
    let rules = select_rules(&options).unwrap();
    let report = lint_texts(INPUTS.clone(), &options, &rules);
    bencher.bench(|| kpolicy::report::human::render(&report, false).len());
}

/// The chart rendered by the chart benchmarks: the biggest template set in the corpus (traefik's
/// chart, 28 templates, a 53 KB `_podtemplate.tpl`), or the repository's test chart without it.
fn bench_chart() -> std::path::PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let traefik = root.join("../shared/corpus/traefik-helm-chart/traefik");
    if traefik.join("Chart.yaml").is_file() {
        traefik
    } else {
        root.join("testdata/helm/chart-basic")
    }
}

/// Loading a chart: files, Chart.yaml, values with origins.
#[divan::bench(sample_count = 20)]
fn chart_load() -> usize {
    kpolicy::helm::chart::load(&bench_chart())
        .map(|c| c.templates.len())
        .unwrap_or(0)
}

/// Rendering one chart end to end (values coalescing, every template with provenance, Helm's
/// manifest order), as `kpolicy template` does.
#[divan::bench(sample_count = 20)]
fn chart_render(bencher: divan::Bencher) {
    let path = bench_chart();
    let chart = kpolicy::helm::chart::load(&path).expect("the benchmark chart loads");
    let options = kpolicy::helm::render::RenderOptions::default();
    bencher.bench(|| {
        kpolicy::helm::render::render_chart(&chart, &path, &options)
            .output
            .len()
    });
}
