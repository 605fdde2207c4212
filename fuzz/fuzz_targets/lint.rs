//! One whole lint run over one document with every rule on, rendered in every output format.
#![no_main]

use std::sync::LazyLock;

use kpolicy::engine::{ActiveRule, Options, lint_texts, select_rules};
use kpolicy::report;
use libfuzzer_sys::fuzz_target;

static RULES: LazyLock<(Options, Vec<ActiveRule>)> = LazyLock::new(|| {
    let options = Options {
        enable: vec!["all".to_string()],
        ..Options::default()
    };
    let rules = select_rules(&options).expect("every rule builds with its defaults");
    (options, rules)
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (options, rules) = &*RULES;
    let report = lint_texts(vec![("fuzz.yaml".into(), text.to_string())], options, rules);
    let _ = report::human::render(&report, false);
    let _ = report::json::render(&report);
    let ctx = report::Context::new(&report, std::path::Path::new("."));
    let _ = report::sarif::render(&report, &ctx);
    let _ = report::github::render(&report, &ctx);
});
