//! Unit tests of the engine against Go's documented `text/template` behaviour and Helm's settings.

use super::*;
use crate::helm::value::{Kind, Map, Native, Origin, Value};

fn file(name: &str, id: u32, text: &str) -> TemplateFile {
    TemplateFile {
        name: name.to_string(),
        file: FileId(id),
        text: Arc::from(text),
    }
}

fn set_of(files: &[(&str, &str)]) -> TemplateSet {
    let files: Vec<TemplateFile> = files
        .iter()
        .enumerate()
        .map(|(i, (n, t))| file(n, i as u32, t))
        .collect();
    let (set, errors) = TemplateSet::parse(&files);
    assert!(errors.is_empty(), "{errors:?}");
    set
}

/// A value with an origin at `file 9, start..start+1` so tests can follow it.
fn at(v: Value, start: u32) -> Value {
    v.with_origin(Some(origin(start)))
}

fn origin(start: u32) -> Origin {
    Origin {
        file: FileId(9),
        span: Span {
            start,
            end: start + 1,
        },
    }
}

fn map(entries: Vec<(&str, Value)>) -> Value {
    let mut m = Map::new();
    for (k, v) in entries {
        m.insert(k.to_string(), v);
    }
    Value::map(m)
}

fn values() -> Value {
    map(vec![(
        "Values",
        map(vec![
            ("name", at(Value::str("web"), 10)),
            ("replicas", at(Value::float(3.0), 20)),
            ("big", Value::float(1_500_000.0)),
            ("on", Value::bool(true)),
            ("off", Value::bool(false)),
            ("empty", Value::str("")),
            ("null", Value::NIL),
            (
                "list",
                at(
                    Value::list(vec![at(Value::str("a"), 31), at(Value::str("b"), 32)]),
                    30,
                ),
            ),
            (
                "map",
                at(
                    map(vec![
                        ("z", Value::int(1)),
                        ("a", Value::int(2)),
                        ("m", Value::int(3)),
                    ]),
                    40,
                ),
            ),
            ("resources", at(map(vec![]), 50)),
        ]),
    )])
}

fn render_with(src: &str, dot: &Value) -> Result<Rendered, TemplateError> {
    let set = set_of(&[("t.yaml", src)]);
    set.render("t.yaml", dot)
}

fn r(src: &str) -> String {
    match render_with(src, &values()) {
        Ok(out) => {
            check_segments(&out);
            out.text
        }
        Err(e) => panic!("{src:?}: {e:?}"),
    }
}

fn err(src: &str) -> TemplateError {
    match render_with(src, &values()) {
        Ok(out) => panic!("{src:?} rendered {:?}", out.text),
        Err(e) => e,
    }
}

fn parse_err(src: &str) -> TemplateError {
    let (_, errors) = TemplateSet::parse(&[file("t.yaml", 0, src)]);
    errors.into_iter().next().expect("a parse error")
}

/// Segments are sorted, contiguous, non-empty and cover the text.
fn check_segments(out: &Rendered) {
    let mut pos = 0u32;
    for s in &out.segments {
        assert_eq!(s.out.start, pos, "{out:?}");
        assert!(s.out.end > s.out.start, "{out:?}");
        pos = s.out.end;
    }
    assert_eq!(pos as usize, out.text.len(), "{out:?}");
}

#[test]
fn text_and_fields() {
    assert_eq!(r("hello"), "hello");
    assert_eq!(r("name: {{ .Values.name }}"), "name: web");
    assert_eq!(r("{{ .Values.replicas }}"), "3");
    assert_eq!(r("{{ .Values.big }}"), "1.5e+06");
    assert_eq!(r("{{ .Values.on }} {{ .Values.off }}"), "true false");
    assert_eq!(r("{{ $.Values.name }}"), "web");
}

#[test]
fn trim_markers_trim_all_adjacent_whitespace() {
    assert_eq!(r("a \n\t {{- .Values.name -}} \n b"), "awebb");
    assert_eq!(r("a {{- 3 }} b"), "a3 b");
    assert_eq!(r("a {{ 3 -}} b"), "a 3b");
    // Without the space, `-3` is a number.
    assert_eq!(r("a {{-3}} b"), "a -3 b");
    assert_eq!(r("x\n{{- /* comment */ -}}\ny"), "xy");
    assert_eq!(r("x {{/* c */}} y"), "x  y");
    assert_eq!(
        r("list:\n{{- range .Values.list }}\n  - {{ . }}\n{{- end }}\n"),
        "list:\n  - a\n  - b\n"
    );
}

#[test]
fn missing_values_print_nothing() {
    // Go prints `<no value>`; Helm removes it from the rendered file.
    assert_eq!(r("[{{ .Values.missing }}]"), "[]");
    assert_eq!(r("[{{ .Values.null }}]"), "[]");
    assert_eq!(r("[{{ .Nope }}]"), "[]");
    // `<no value>` written as text is removed too, as Helm does.
    assert_eq!(r("a<no value>b"), "ab");
}

#[test]
fn nil_pointer_errors_like_go() {
    let e = err("x\n  {{ .Values.missing.deeper }}");
    assert_eq!(e.message, "nil pointer evaluating interface {}.deeper");
    assert_eq!(e.kind, ErrorKind::Exec);
    assert_eq!(e.file, FileId(0));
    // Execution errors are reported at the action.
    assert_eq!(
        &"x\n  {{ .Values.missing.deeper }}"[e.span.range()],
        "{{ .Values.missing.deeper }}"
    );
    // In a control structure, at its opening action; in a definition, in the definition's file.
    let src = "{{ if .a }}\n{{ range .Values.missing.x }}{{ end }}{{ end }}";
    let e = render_with(
        src,
        &map(vec![("a", Value::bool(true)), ("Values", map(vec![]))]),
    )
    .unwrap_err();
    assert_eq!(&src[e.span.range()], "{{ range .Values.missing.x }}");
    let set = set_of(&[
        (
            "a/templates/_h.tpl",
            "{{ define \"h\" }}\n  {{ .x.y }}{{ end }}",
        ),
        ("a/templates/m.yaml", "{{ include \"h\" (dict \"x\" nil) }}"),
    ]);
    let e = set.render("a/templates/m.yaml", &values()).unwrap_err();
    assert_eq!(e.message, "nil pointer evaluating interface {}.y");
    assert_eq!(e.span, Span { start: 19, end: 29 });
    let helpers = set.render("a/templates/_h.tpl", &values()).unwrap();
    assert!(helpers.text.is_empty());
    let e = err("{{ .Values.null.x }}");
    assert_eq!(e.message, "nil pointer evaluating interface {}.x");
    // A variable holding nil is an invalid value: its fields are nothing, not an error.
    assert_eq!(r("[{{ $x := .Values.missing }}{{ $x.deeper }}]"), "[]");
    assert_eq!(r("[{{ (.Values.missing).deeper }}]"), "[]");
    let e = err("{{ .Values.name.first }}");
    assert_eq!(e.message, "can't evaluate field first in type interface {}");
    let e = err("{{ $n := .Values.name }}{{ $n.first }}");
    assert_eq!(e.message, "can't evaluate field first in type string");
}

#[test]
fn if_else_if_else() {
    let t = "{{ if .Values.off }}A{{ else if .Values.empty }}B{{ else if .Values.on }}C{{ else }}D{{ end }}";
    assert_eq!(r(t), "C");
    assert_eq!(r("{{ if .Values.missing }}A{{ else }}B{{ end }}"), "B");
    assert_eq!(r("{{ if .Values.resources }}A{{ else }}B{{ end }}"), "B");
    assert_eq!(r("{{ if .Values.list }}A{{ end }}"), "A");
    assert_eq!(r("{{ if 0 }}A{{ else if 0.0 }}B{{ else }}C{{ end }}"), "C");
}

#[test]
fn with_and_else_with() {
    assert_eq!(r("{{ with .Values.name }}[{{ . }}]{{ end }}"), "[web]");
    assert_eq!(
        r("{{ with .Values.empty }}A{{ else with .Values.name }}B{{ . }}{{ else }}C{{ end }}"),
        "Bweb"
    );
    assert_eq!(
        r("{{ with .Values.missing }}A{{ else }}{{ .Values.name }}{{ end }}"),
        "web"
    );
    assert_eq!(
        r("{{ with $x := .Values.name }}{{ $x }}{{ . }}{{ end }}"),
        "webweb"
    );
}

#[test]
fn range_over_lists_maps_ints() {
    assert_eq!(r("{{ range .Values.list }}<{{ . }}>{{ end }}"), "<a><b>");
    assert_eq!(
        r("{{ range $i, $v := .Values.list }}{{ $i }}={{ $v }};{{ end }}"),
        "0=a;1=b;"
    );
    assert_eq!(r("{{ range $v := .Values.list }}{{ $v }}{{ end }}"), "ab");
    // Maps iterate in sorted key order.
    assert_eq!(
        r("{{ range $k, $v := .Values.map }}{{ $k }}{{ $v }}{{ end }}"),
        "a2m3z1"
    );
    assert_eq!(r("{{ range .Values.map }}{{ . }}{{ end }}"), "231");
    // Go 1.22: range over an int.
    assert_eq!(r("{{ range 3 }}{{ . }}{{ end }}"), "012");
    assert_eq!(r("{{ range $i := 3 }}{{ $i }}{{ end }}"), "012");
    assert_eq!(r("{{ range -2 }}x{{ else }}none{{ end }}"), "none");
    assert_eq!(
        err("{{ range $i, $v := 3 }}{{ end }}").message,
        "can't use 3 to iterate over more than one variable"
    );
    assert_eq!(r("{{ range .Values.missing }}x{{ else }}E{{ end }}"), "E");
    assert_eq!(r("{{ range .Values.resources }}x{{ else }}E{{ end }}"), "E");
    // Helm's numbers from values files are float64, which range cannot iterate.
    assert_eq!(
        err("{{ range .Values.replicas }}{{ end }}").message,
        "range can't iterate over 3"
    );
    // Dot inside range over a nil element is a nil interface.
    let dot = map(vec![("l", Value::list(vec![Value::NIL]))]);
    let e = render_with("{{ range .l }}{{ .x }}{{ end }}", &dot).unwrap_err();
    assert_eq!(e.message, "nil pointer evaluating interface {}.x");
}

#[test]
fn break_and_continue() {
    assert_eq!(
        r(
            "{{ range 10 }}{{ if eq . 2 }}{{ continue }}{{ end }}{{ if eq . 4 }}{{ break }}{{ end }}{{ . }}{{ end }}"
        ),
        "013"
    );
    // break leaves only the innermost range.
    assert_eq!(
        r(
            "{{ range 2 }}[{{ range 5 }}{{ if eq . 1 }}{{ break }}{{ end }}{{ . }}{{ end }}]{{ end }}"
        ),
        "[0][0]"
    );
}

#[test]
fn variables_scope_and_assignment() {
    // Assignment reaches the outer variable; declarations in the body end with the iteration.
    assert_eq!(
        r(
            "{{ $found := false }}{{ range .Values.list }}{{ if eq . \"b\" }}{{ $found = true }}{{ end }}{{ end }}{{ $found }}"
        ),
        "true"
    );
    assert_eq!(
        r("{{ $x := 1 }}{{ range 2 }}{{ $x := 5 }}{{ $x }}{{ end }}{{ $x }}"),
        "551"
    );
    assert_eq!(
        r("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}"),
        "2"
    );
    // `$` is the dot the template was called with.
    assert_eq!(r("{{ with .Values }}{{ $.Values.name }}{{ end }}"), "web");
    // Range assignment form (Go 1.22+).
    assert_eq!(
        r("{{ $i := 0 }}{{ $v := 0 }}{{ range $i, $v = .Values.list }}{{ end }}{{ $i }}{{ $v }}"),
        "1b"
    );
}

#[test]
fn and_or_return_the_deciding_value() {
    assert_eq!(r("{{ and 1 0 2 }}"), "0");
    assert_eq!(r("{{ and 1 2 3 }}"), "3");
    assert_eq!(r("{{ or 0 \"\" \"x\" 4 }}"), "x");
    assert_eq!(r("{{ or 0 \"\" }}"), "");
    assert_eq!(r("{{ or .Values.missing .Values.name }}"), "web");
    // Short circuit: the failing field is never evaluated.
    assert_eq!(r("{{ or .Values.name .Values.missing.x }}"), "web");
    assert_eq!(r("{{ and .Values.missing .Values.missing.x }}"), "");
    assert_eq!(r("{{ 0 | and 1 }}"), "0");
    assert_eq!(
        err("{{ and }}").message,
        "wrong number of args for and: want at least 1 got 0"
    );
}

#[test]
fn printing_of_values() {
    assert_eq!(r("{{ .Values.list }}"), "[a b]");
    assert_eq!(r("{{ .Values.map }}"), "map[a:2 m:3 z:1]");
    assert_eq!(r("{{ .Values.resources }}"), "map[]");
    let dot = map(vec![("l", Value::list(vec![Value::NIL, Value::int(1)]))]);
    assert_eq!(render_with("{{ .l }}", &dot).unwrap().text, "[<nil> 1]");
    assert_eq!(
        r("{{ \"a\\tb\" }} {{ `raw\\n` }} {{ 'a' }} {{ 1.50 }} {{ 0x10 }}"),
        "a\tb raw\\n 97 1.5 16"
    );
    assert_eq!(r("{{ print nil }}"), "<nil>");
    assert_eq!(err("{{ nil }}").message, "nil is not a command");
}

#[test]
fn define_template_block_include() {
    let set = set_of(&[
        (
            "c/templates/_helpers.tpl",
            "{{ define \"name\" }}{{ .Values.name }}-x{{ end }}\n{{- define \"twice\" -}}{{ . }}{{ . }}{{- end }}",
        ),
        (
            "c/templates/a.yaml",
            "a: {{ include \"name\" . }}\nb: {{ template \"twice\" \"q\" }}\nc: {{ block \"blk\" . }}B{{ .Values.name }}{{ end }}",
        ),
    ]);
    let out = set.render("c/templates/a.yaml", &values()).unwrap();
    assert_eq!(out.text, "a: web-x\nb: qq\nc: Bweb");
    assert!(set.contains("name") && set.contains("blk"));
    // The helpers file renders to nothing (the newline is trimmed by `{{-`).
    assert_eq!(
        set.render("c/templates/_helpers.tpl", &values())
            .unwrap()
            .text,
        ""
    );
    // template without a pipeline runs with nil dot.
    let set = set_of(&[(
        "t",
        "{{ define \"d\" }}[{{ . }}{{ .x }}]{{ end }}{{ template \"d\" }}",
    )]);
    assert_eq!(set.render("t", &values()).unwrap().text, "[]");
    let e = render_with("{{ template \"nope\" }}", &values()).unwrap_err();
    assert_eq!(e.message, "template \"nope\" not defined");
    let e = render_with("{{ include \"nope\" . }}", &values()).unwrap_err();
    assert_eq!(
        e.message,
        "error calling include: template: no template \"nope\" associated with template \"gotpl\""
    );
}

#[test]
fn template_segments_point_into_the_definition() {
    let helpers = "{{ define \"d\" }}D{{ .Values.name }}{{ end }}";
    let main = "x{{ template \"d\" . }}y{{ include \"d\" . }}";
    let set = set_of(&[
        ("c/templates/_h.tpl", helpers),
        ("c/templates/m.yaml", main),
    ]);
    let out = set.render("c/templates/m.yaml", &values()).unwrap();
    check_segments(&out);
    assert_eq!(out.text, "xDwebyDweb");
    // Files are parsed in Helm's order, so find the ids by name.
    let h = out.locate(1).unwrap();
    assert_eq!(&helpers[h.span.range()], "D");
    let w = out.locate(2).unwrap();
    assert_eq!(&helpers[w.span.range()], "{{ .Values.name }}");
    assert_eq!(w.value, Some(origin(10)));
    assert_ne!(h.file, out.locate(0).unwrap().file);
    // include: one segment at the call site, carrying the single origin of its output.
    let inc = out.locate(6).unwrap();
    assert_eq!(&main[inc.span.range()], "{{ include \"d\" . }}");
    assert_eq!(inc.out, 6..10);
    assert_eq!(inc.value, Some(origin(10)));
}

#[test]
fn provenance_of_actions_and_text() {
    let src = "name: {{ .Values.name }}\nlist: {{ range .Values.list }}{{ . }},{{ end }}";
    let out = render_with(src, &values()).unwrap();
    check_segments(&out);
    assert_eq!(out.text, "name: web\nlist: a,b,");
    let seg = out.locate(7).unwrap();
    assert_eq!(&src[seg.span.range()], "{{ .Values.name }}");
    assert_eq!(seg.value, Some(origin(10)));
    let seg = out.locate(0).unwrap();
    assert_eq!(seg.value, None);
    assert_eq!(&src[seg.span.range()], "name: ");
    let origins: Vec<Origin> = out.origins_in(16..20).collect();
    assert_eq!(origins, vec![origin(31), origin(32)]);
    assert_eq!(out.locate(out.text.len()), None);
    // Variables and with keep the origin.
    let out = render_with(
        "{{ $n := .Values.name }}{{ with $n }}{{ . }}{{ end }}",
        &values(),
    )
    .unwrap();
    assert_eq!(out.segments[0].value, Some(origin(10)));
    // Functions keep the origin of the value they transform (here toYaml and indent).
    let out = render_with(
        "resources:\n{{ toYaml .Values.resources | indent 12 }}",
        &values(),
    )
    .unwrap();
    assert_eq!(out.text, "resources:\n            {}");
    assert_eq!(out.locate(12).unwrap().value, Some(origin(50)));
    // Range keys carry the origin of their entry (here the map's, as entries have none).
    let out = render_with(
        "{{ range $k, $v := .Values.map }}{{ $k }}{{ end }}",
        &values(),
    )
    .unwrap();
    assert_eq!(out.segments[0].value, Some(origin(40)));
    // A missing key carries the origin of the map it was looked up in.
    let out = render_with("{{ .Values.resources.limits | print }}", &values()).unwrap();
    assert_eq!(out.text, "<nil>");
}

#[test]
fn no_value_removal_keeps_segments_consistent() {
    let out = render_with(
        "a{{ .Values.missing }}b<no value>c{{ .Values.name }}",
        &values(),
    )
    .unwrap();
    check_segments(&out);
    assert_eq!(out.text, "abcweb");
    assert_eq!(out.locate(3).unwrap().value, Some(origin(10)));
}

#[test]
fn required_fail_lookup() {
    let e = err("a\n{{ required \"name is required\" .Values.missing }}");
    assert_eq!(e.kind, ErrorKind::Required);
    assert_eq!(e.message, "name is required");
    // The span is the action.
    assert_eq!(e.span, Span { start: 2, end: 51 });
    let e = err("{{ .Values.empty | required \"empty!\" }}");
    assert_eq!(e.kind, ErrorKind::Required);
    assert_eq!(r("{{ required \"x\" .Values.name }}"), "web");
    assert_eq!(r("{{ required \"x\" .Values.off }}"), "false");
    let e = err("{{ fail \"stop here\" }}");
    assert_eq!((e.kind, e.message.as_str()), (ErrorKind::Fail, "stop here"));
    assert_eq!(r("{{ lookup \"v1\" \"Secret\" \"ns\" \"n\" }}"), "map[]");
    assert_eq!(
        r("{{ if not (lookup \"v1\" \"Secret\" \"ns\" \"n\") }}none{{ end }}"),
        "none"
    );
}

#[test]
fn tpl_renders_strings_as_templates() {
    let dot = map(vec![
        (
            "Values",
            map(vec![
                ("host", Value::str("{{ .Values.name }}.example.com")),
                ("name", Value::str("web")),
                ("bad", Value::str("{{ .Values.name ")),
            ]),
        ),
        (
            "Template",
            map(vec![("Name", Value::str("c/templates/a.yaml"))]),
        ),
    ]);
    let set = set_of(&[
        ("c/templates/_h.tpl", "{{ define \"h\" }}H{{ end }}"),
        (
            "c/templates/a.yaml",
            "{{ tpl .Values.host . }} {{ tpl \"{{ define \\\"x\\\" }}X{{ end }}{{ include \\\"x\\\" . }}{{ include \\\"h\\\" . }}{{ .Template.Name }}{{ .Values.nope }}\" . }}",
        ),
        ("c/templates/b.yaml", "{{ tpl .Values.bad . }}"),
        (
            "c/templates/c.yaml",
            "{{ tpl \"{{ define \\\"x\\\" }}X{{ end }}\" . }}{{ include \"x\" . }}",
        ),
    ]);
    let out = set.render("c/templates/a.yaml", &dot).unwrap();
    assert_eq!(out.text, "web.example.com XHc/templates/a.yaml");
    let e = set.render("c/templates/b.yaml", &dot).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Parse);
    assert_eq!(
        e.message,
        "error calling tpl: cannot parse template \"{{ .Values.name \": template: gotpl:1: unclosed action"
    );
    assert_eq!(e.span, Span { start: 0, end: 23 }, "the tpl action");
    let set2 = set_of(&[("t", "{{ tpl \"{{ .Values.missing.x }}\" . }}")]);
    let e = set2.render("t", &values()).unwrap_err();
    assert_eq!(
        e.message,
        "error calling tpl: error during tpl function execution for \"{{ .Values.missing.x }}\": nil pointer evaluating interface {}.x"
    );
    assert_eq!(e.span, Span { start: 0, end: 37 }, "the tpl action");
    // Definitions made inside tpl do not leak out.
    let e = set.render("c/templates/c.yaml", &dot).unwrap_err();
    assert!(e.message.contains("no template \"x\""), "{}", e.message);
}

#[test]
fn native_fields_and_methods() {
    struct Files;
    impl Native for Files {
        fn type_name(&self) -> &str {
            "chart.Files"
        }
        fn field(&self, _: &str) -> Option<Value> {
            None
        }
        fn call(&self, method: &str, args: &[Value]) -> Option<Result<Value, String>> {
            match method {
                "Get" => Some(match args {
                    [
                        Value {
                            kind: Kind::Str(s), ..
                        },
                    ] => Ok(Value::str(format!("<{s}>"))),
                    _ => Err(format!(
                        "wrong number of args for Get: want 1 got {}",
                        args.len()
                    )),
                }),
                _ => None,
            }
        }
    }
    struct Chart;
    impl Native for Chart {
        fn type_name(&self) -> &str {
            "*chart.Metadata"
        }
        fn field(&self, name: &str) -> Option<Value> {
            (name == "Name").then(|| Value::str("mychart"))
        }
        fn call(&self, _: &str, _: &[Value]) -> Option<Result<Value, String>> {
            None
        }
    }
    let dot = map(vec![
        ("Files", Value::new(Kind::Native(Arc::new(Files)))),
        ("Chart", Value::new(Kind::Native(Arc::new(Chart)))),
    ]);
    let ok = |src: &str| render_with(src, &dot).unwrap().text;
    assert_eq!(ok("{{ .Files.Get \"a.txt\" }}"), "<a.txt>");
    assert_eq!(ok("{{ \"b\" | .Files.Get }}"), "<b>");
    assert_eq!(ok("{{ .Chart.Name }}"), "mychart");
    let e = render_with("{{ .Files.Get }}", &dot).unwrap_err();
    assert_eq!(e.message, "wrong number of args for Get: want 1 got 0");
    let e = render_with("{{ .Chart.Name 1 }}", &dot).unwrap_err();
    assert_eq!(
        e.message,
        "Name has arguments but cannot be invoked as function"
    );
    let e = render_with("{{ .Chart.Nope }}", &dot).unwrap_err();
    assert_eq!(
        e.message,
        "can't evaluate field Nope in type *chart.Metadata"
    );
}

#[test]
fn exec_errors_carry_go_messages() {
    assert_eq!(
        err("{{ .Values.map 1 }}").message,
        "map is not a method but has arguments"
    );
    assert_eq!(
        err("{{ \"x\" 1 }}").message,
        "can't give argument to non-function \"x\""
    );
    assert_eq!(
        err("{{ 18446744073709551615 }}").message,
        "18446744073709551615 overflows int"
    );
    assert_eq!(
        err("{{ include \"x\" }}").message,
        "wrong number of args for include: want 2 got 1"
    );
    assert_eq!(
        err("{{ call .Values.missing }}").message,
        "error calling call: call of nil"
    );
}

#[test]
fn parse_errors_carry_spans() {
    let e = parse_err("a\n{{ foo 1 }}");
    assert_eq!(e.kind, ErrorKind::Parse);
    assert_eq!(e.message, "function \"foo\" not defined");
    assert_eq!(e.span, Span { start: 5, end: 8 });
    let e = parse_err("{{ if .a }}");
    assert_eq!(e.message, "unexpected EOF");
    let e = parse_err("{{ .a | 1 }}");
    assert_eq!(e.message, "non executable command in pipeline stage 2");
}

#[test]
fn duplicate_definitions_follow_helm_order() {
    // Deeper files are parsed first, so the parent chart's definition wins; at equal depth the
    // lexically first file is parsed last and wins.
    let set = set_of(&[
        ("p/templates/_a.tpl", "{{ define \"n\" }}parent-a{{ end }}"),
        ("p/templates/_b.tpl", "{{ define \"n\" }}parent-b{{ end }}"),
        (
            "p/charts/s/templates/_a.tpl",
            "{{ define \"n\" }}sub{{ end }}",
        ),
        ("p/templates/x.yaml", "{{ include \"n\" . }}"),
    ]);
    assert_eq!(
        set.render("p/templates/x.yaml", &values()).unwrap().text,
        "parent-a"
    );
    // An empty redefinition does not replace a real one.
    let set = set_of(&[
        ("p/templates/_a.tpl", "{{ define \"n\" }} {{ end }}"),
        ("p/templates/_b.tpl", "{{ define \"n\" }}B{{ end }}"),
        ("p/templates/x.yaml", "{{ include \"n\" . }}"),
    ]);
    assert_eq!(
        set.render("p/templates/x.yaml", &values()).unwrap().text,
        "B"
    );
}

#[test]
fn set_mutates_every_alias() {
    assert_eq!(
        r("{{ $d := dict \"a\" 1 }}{{ $e := $d }}{{ $_ := set $d \"b\" 2 }}{{ $e }} {{ $d.b }}"),
        "map[a:1 b:2] 2"
    );
    assert_eq!(
        r("{{ $_ := set .Values \"extra\" \"x\" }}{{ .Values.extra }} {{ $.Values.extra }}"),
        "x x"
    );
    assert_eq!(
        r("{{ $_ := set .Values.resources \"limits\" \"l\" }}{{ .Values.resources.limits }} {{ .Values }}").split(' ').next(),
        Some("l")
    );
    // Mutation inside an include is visible to the caller (maps are shared).
    let set = set_of(&[(
        "t",
        "{{ define \"m\" }}{{ $_ := set . \"k\" \"v\" }}{{ end }}{{ $c := dict }}{{ include \"m\" $c }}{{ $c.k }}",
    )]);
    assert_eq!(set.render("t", &values()).unwrap().text, "v");
}

#[test]
fn bounds_end_in_errors() {
    // Infinite include recursion.
    let set = set_of(&[(
        "t",
        "{{ define \"r\" }}{{ include \"r\" . }}{{ end }}{{ include \"r\" . }}",
    )]);
    let e = set.render("t", &values()).unwrap_err();
    assert!(
        e.message.contains("nested reference name: r"),
        "{}",
        e.message
    );
    // Infinite template recursion.
    let set = set_of(&[(
        "t",
        "{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" . }}",
    )]);
    let e = set.render("t", &values()).unwrap_err();
    assert!(
        e.message.contains("maximum template depth"),
        "{}",
        e.message
    );
    // Huge ranges.
    let e = err("{{ range 9223372036854775807 }}{{ end }}");
    assert!(e.message.contains("range iterations"), "{}", e.message);
    // Output size.
    let set = set_of(&[(
        "t",
        "{{ define \"big\" }}{{ range 4096 }}0123456789abcdef0123456789abcdef{{ end }}{{ end }}{{ range 1000 }}{{ include \"big\" . }}{{ end }}",
    )]);
    let e = set.render("t", &values()).unwrap_err();
    assert!(e.message.contains("exceeds 64 MiB"), "{}", e.message);
}

#[test]
fn hostile_inputs_never_panic() {
    let inputs = [
        "{{",
        "}}",
        "{{-",
        "{{- }}",
        "{{ -}}",
        "{{/*",
        "{{/**/",
        "{{ ( }}",
        "{{ ) }}",
        "{{ | }}",
        "{{ $ }}",
        "{{ $x := }}",
        "{{ .a. }}",
        "{{ 'ab' }}",
        "{{ '\\x' }}",
        "{{ \"\\z\" }}",
        "{{ range $a, $b, $c := 1 }}",
        "{{ else }}",
        "{{ define }}",
        "{{ define \"a\" }}",
        "{{ template }}",
        "{{ block \"x\" }}{{ end }}",
        "{{ 1e999 }}",
        "{{ 0x }}",
        "{{ .a.b.c.d 1 2 }}",
        "{{ (1).a }}",
        "{{ nil.a }}",
        "{{ (nil).a }}",
        "\u{feff}{{ \"é\" }}",
        "{{ ñ }}",
        "{{ .ñ }}",
        "{{ range . }}{{ break }}{{ continue }}{{ end }}",
        "{{ with . }}{{ else with . }}{{ end }}",
    ];
    for src in inputs {
        let (set, _) = TemplateSet::parse(&[file("t", 0, src)]);
        let _ = set.render("t", &values());
    }
}

#[test]
fn render_all_shares_map_mutations_in_order() {
    let set = set_of(&[
        ("c/templates/a.yaml", "a={{ .Values.added }}"),
        (
            "c/templates/b.yaml",
            "{{- $_ := set .Values \"added\" \"by-b\" -}}b",
        ),
    ]);
    let mut names = vec![
        "c/templates/a.yaml",
        "c/templates/b.yaml",
        "c/charts/s/templates/x.yaml",
    ];
    helm_order(&mut names, |n| n);
    assert_eq!(
        names,
        [
            "c/charts/s/templates/x.yaml",
            "c/templates/b.yaml",
            "c/templates/a.yaml"
        ]
    );
    let dot = values();
    let outs = set.render_all(&[("c/templates/b.yaml", &dot), ("c/templates/a.yaml", &dot)]);
    let texts: Vec<String> = outs.into_iter().map(|r| r.unwrap().text).collect();
    assert_eq!(texts, ["b", "a=by-b"]);
    // Separate renders do not share state.
    assert_eq!(set.render("c/templates/a.yaml", &dot).unwrap().text, "a=");
    // The top-level dot is shared too, and `.Template` is set per file.
    let set = set_of(&[
        (
            "c/templates/a.yaml",
            "{{ .top }} {{ .Template.Name }} {{ .Template.BasePath }}",
        ),
        (
            "c/templates/b.yaml",
            "{{ $_ := set . \"top\" \"yes\" }}{{ .Template.Name }}",
        ),
        ("c/charts/s/templates/d/x.yaml", "{{ .Template.BasePath }}"),
    ]);
    let outs = set.render_all(&[
        ("c/charts/s/templates/d/x.yaml", &dot),
        ("c/templates/b.yaml", &dot),
        ("c/templates/a.yaml", &dot),
    ]);
    let texts: Vec<String> = outs.into_iter().map(|r| r.unwrap().text).collect();
    assert_eq!(
        texts,
        [
            "c/charts/s/templates",
            "c/templates/b.yaml",
            "yes c/templates/a.yaml c/templates"
        ]
    );
}

/// Every template of the shared corpus parses (functions are not checked here: the function
/// library is tested on its own). Skips when `../shared` is absent.
#[test]
fn corpus_templates_parse() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !root.is_dir() {
        eprintln!("skipping: {} not found", root.display());
        return;
    }
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<_> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.components().any(|c| c.as_os_str() == "templates")
                && p.extension()
                    .is_some_and(|e| e == "yaml" || e == "tpl" || e == "yml" || e == "txt")
            {
                out.push(p);
            }
        }
    }
    let mut paths = Vec::new();
    walk(&root, &mut paths);
    let mut failures = Vec::new();
    let mut bytes = 0;
    let start = std::time::Instant::now();
    for p in &paths {
        let Ok(text) = std::fs::read_to_string(p) else {
            continue;
        };
        bytes += text.len();
        let text: Arc<str> = Arc::from(text);
        let r =
            with_big_stack(|| parse::parse("t", FileId(0), text.clone(), &|_| true, None)).unwrap();
        if let Err(e) = r {
            failures.push(format!(
                "{}: {} at {:?}",
                p.display(),
                e.message,
                &text[e.span.range()]
            ));
        }
    }
    eprintln!(
        "parsed {} templates ({} KiB) in {:?}",
        paths.len(),
        bytes / 1024,
        start.elapsed()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    /// Pieces that make templates likely to parse and exercise the executor.
    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "{{",
            "}}",
            "{{- ",
            " -}}",
            "{{/* c */}}",
            " ",
            "\n",
            "x",
            ".Values",
            ".name",
            ".list",
            "$",
            "$x",
            " := ",
            " = ",
            "|",
            "(",
            ")",
            "\"s\"",
            "`r`",
            "'c'",
            "1",
            "-2",
            "0x1f",
            "1.5",
            "if",
            "else",
            "end",
            "range",
            "with",
            "define \"d\"",
            "template \"d\"",
            "include \"d\" .",
            "tpl .Values.name .",
            "block \"b\" .",
            "break",
            "continue",
            "and",
            "or",
            "not",
            "len",
            "print",
            "nil",
            "true",
            ",",
            ".",
            "$i, $v := ",
            "required \"r\"",
            "set . \"k\" 1",
            "dict",
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn random_templates_never_panic(pieces in prop::collection::vec(piece(), 0..40)) {
            let src: String = pieces.concat();
            let (set, errors) = TemplateSet::parse(&[file("t", 0, &src)]);
            for e in &errors {
                prop_assert!(e.span.end as usize <= src.len());
            }
            if errors.is_empty() {
                match set.render("t", &values()) {
                    Ok(out) => check_segments(&out),
                    Err(e) => prop_assert!(e.span.end as usize <= src.len() || e.file != FileId(0)),
                }
            }
        }
    }
}

#[test]
fn deep_structures_do_not_overflow_the_stack() {
    // Deeply nested control structures execute.
    let depth = 900;
    let src = format!(
        "{}x{}",
        "{{ if 1 }}".repeat(depth),
        "{{ end }}".repeat(depth)
    );
    assert_eq!(render_with(&src, &values()).unwrap().text, "x");
    // Deeply nested values built by a template print and drop.
    let src =
        "{{ $d := dict }}{{ range 200000 }}{{ $d = dict \"a\" $d }}{{ end }}{{ len (print $d) }}";
    let out = render_with(src, &values()).unwrap();
    // (funcs' printer bounds the nesting it prints.)
    assert!(out.text.parse::<usize>().is_ok(), "{}", out.text);
}

#[test]
fn skipped_blocks_name_the_empty_value() {
    let src = "spec:\n{{- with .Values.resources }}\n  resources: {{ . }}\n{{- end }}\n{{- range .Values.resources }}x{{ end }}{{ if .Values.on }}on{{ end }}{{ if .Values.missing }}{{ end }}";
    let out = render_with(src, &values()).unwrap();
    assert_eq!(out.text, "spec:on");
    assert_eq!(out.skipped.len(), 2, "{:?}", out.skipped);
    assert_eq!(out.skipped[0].at, 5);
    assert_eq!(
        &src[out.skipped[0].span.range()],
        "{{- with .Values.resources }}"
    );
    assert_eq!(out.skipped[0].value, origin(50));
    assert_eq!(
        &src[out.skipped[1].span.range()],
        "{{- range .Values.resources }}"
    );
    // Inside an include, the block is in the definition's file, at the output of the call.
    let set = set_of(&[
        (
            "c/templates/_h.tpl",
            "{{ define \"r\" }}{{ if .Values.resources }}R{{ end }}{{ end }}",
        ),
        (
            "c/templates/m.yaml",
            "ab{{ include \"r\" . }}{{ $x := include \"r\" . }}",
        ),
    ]);
    let out = set.render("c/templates/m.yaml", &values()).unwrap();
    assert_eq!(out.skipped.len(), 1, "{:?}", out.skipped);
    assert_eq!(out.skipped[0].at, 2);
    assert_eq!(out.skipped[0].span, Span { start: 16, end: 42 });
    assert_ne!(out.skipped[0].file, out.segments[0].file);
}

#[test]
fn native_maps_range_and_judge_like_maps() {
    struct Files(Vec<(&'static str, &'static str)>);
    impl Native for Files {
        fn type_name(&self) -> &str {
            "engine.files"
        }
        fn field(&self, _: &str) -> Option<Value> {
            None
        }
        fn call(&self, _: &str, _: &[Value]) -> Option<Result<Value, String>> {
            None
        }
        fn as_value(&self) -> Option<Value> {
            let mut m = Map::new();
            for (k, v) in &self.0 {
                m.insert(k.to_string(), Value::str(*v));
            }
            Some(Value::map(m))
        }
    }
    let dot = map(vec![
        (
            "F",
            Value::new(Kind::Native(Arc::new(Files(vec![
                ("b.yaml", "B"),
                ("a.yaml", "A"),
            ])))),
        ),
        ("E", Value::new(Kind::Native(Arc::new(Files(vec![]))))),
    ]);
    let out = render_with(
        "{{ range $p, $c := .F }}{{ $p }}={{ $c }};{{ end }}{{ if .E }}E{{ else }}empty{{ end }}{{ range .E }}x{{ else }}none{{ end }}",
        &dot,
    )
    .unwrap();
    assert_eq!(out.text, "a.yaml=A;b.yaml=B;emptynone");
}
