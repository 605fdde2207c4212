//! The Helm template engine: parse arbitrary text as a template next to a helpers file, render it
//! with a small values tree, and check that the provenance segments tile the output exactly.
#![no_main]

use std::sync::{Arc, LazyLock};

use kpolicy::helm::template::{TemplateFile, TemplateSet};
use kpolicy::helm::value::{Map, Value};
use kpolicy::source::FileId;
use libfuzzer_sys::fuzz_target;

const HELPERS: &str = r#"{{- define "t.name" -}}{{ .Chart.Name | default "app" | trunc 63 | trimSuffix "-" }}{{- end -}}
{{- define "t.labels" -}}
app: {{ include "t.name" . }}
{{- range $k, $v := .Values.labels }}
{{ $k }}: {{ $v | quote }}
{{- end }}
{{- end -}}"#;

static DOT: LazyLock<Value> = LazyLock::new(|| {
    let mut labels = Map::new();
    labels.insert("tier".into(), Value::str("web"));
    labels.insert("n".into(), Value::float(3.0));
    let mut values = Map::new();
    values.insert("labels".into(), Value::map(labels));
    values.insert("replicas".into(), Value::int(2));
    values.insert(
        "list".into(),
        Value::list(vec![Value::str("a"), Value::bool(true), Value::NIL]),
    );
    values.insert("resources".into(), Value::map(Map::new()));
    let mut chart = Map::new();
    chart.insert("Name".into(), Value::str("fuzz"));
    let mut dot = Map::new();
    dot.insert("Values".into(), Value::map(values));
    dot.insert("Chart".into(), Value::map(chart));
    Value::map(dot)
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let files = [
        TemplateFile {
            name: "fuzz/templates/_helpers.tpl".into(),
            file: FileId(0),
            text: Arc::from(HELPERS),
        },
        TemplateFile {
            name: "fuzz/templates/t.yaml".into(),
            file: FileId(1),
            text: Arc::from(text),
        },
    ];
    let (set, _errors) = TemplateSet::parse(&files);
    if let Ok(rendered) = set.render("fuzz/templates/t.yaml", &DOT) {
        let mut at = 0;
        for segment in &rendered.segments {
            assert_eq!(segment.out.start, at, "segments must be contiguous");
            assert!(segment.out.end > segment.out.start, "no empty segment");
            at = segment.out.end;
        }
        assert_eq!(at as usize, rendered.text.len(), "segments cover the output");
    }
});
