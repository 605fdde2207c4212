//! Custom rules: declared in the configuration (`customRules:`) or in files it names, each with a
//! match (kinds, namespaces, labels) and a CEL expression over the object that must hold. They run
//! like built-in rules: selected with `--enable`/`--disable` and `rules:`, suppressed and enforced
//! the same way, reported in every format, evaluated in parallel with deterministic output.
//!
//! The CEL environment (cel-rust's standard library and its strings, lists and math extensions):
//! - `object`: the object, converted from the span tree;
//! - `ns`: the namespace it lands in (its own, or the run's default; `namespace` is reserved in CEL);
//! - `objects`: every object of the run, in input order (for cross-object checks);
//! - `lookup(kind, namespace, name)`: the object of that kind, namespace and name, or `null`.
//!
//! A finding points at the field the failing part of the expression reads (see [`ast::blame`]),
//! else at the nearest parent of it that exists, else at the object's `kind:`.

mod ast;
mod convert;
mod template;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, LazyLock, Mutex};

use cel::common::types::{CelList, CelString};
use cel::common::value::{CowVal, Val};
use cel::context::VariableResolver;
use cel::{Context, Env, ExecutionError, Program, Value};
use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::diagnostic::Severity;
use crate::index::Index;
use crate::object::Object;
use crate::rules::{Category, Context as RuleContext, Rule, RuleMeta, Sink};
use crate::source::Span;
use crate::yaml::NodeRef;

use ast::Step;
use template::Template;

/// A custom rule as written in the configuration.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomRuleSpec {
    /// The rule's id: kebab-case, not a built-in rule's or category's.
    pub id: String,
    /// Severity of its findings (default `warning`; `rules:` entries override it).
    #[serde(default)]
    #[schemars(with = "Option<crate::config::SeverityName>")]
    pub severity: Option<Severity>,
    /// The category it is selected with (`--disable security`); default `best-practice`.
    #[serde(default)]
    #[schemars(with = "Option<crate::config::CategoryName>")]
    pub category: Option<String>,
    /// Which objects it checks; every given field must match.
    #[serde(default, rename = "match")]
    pub matches: MatchSpec,
    /// A CEL expression that must be true for the object to pass.
    pub expression: String,
    /// The finding's message; `{{ expression }}` parts are CEL expressions, replaced by their values.
    pub message: String,
    /// How to fix it, shown under the finding; may use `{{ }}` like the message.
    #[serde(default)]
    pub help: Option<String>,
    /// One line for rule lists and SARIF rule descriptions (default: the message, with `…` for
    /// its `{{ }}` parts).
    #[serde(default)]
    pub summary: Option<String>,
}

/// Which objects a custom rule checks.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MatchSpec {
    /// Kinds (`Deployment`), or group-qualified kinds (`apps/Deployment`); empty: every kind.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Globs over the namespace the object lands in; empty: every namespace.
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// Labels the object must carry, with these values (`metadata.labels`).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

/// Why a custom rule does not compile: the field at fault, and where in its text.
#[derive(Debug)]
pub struct CompileError {
    /// `expression`, `message`, `help`, `category`, `id` or `match`.
    pub field: &'static str,
    pub message: String,
    pub label: Option<String>,
    pub help: Option<String>,
    /// (line, column, length), 0-based, inside the field's text.
    pub at: Option<(usize, usize, usize)>,
}

impl CompileError {
    fn new(field: &'static str, message: impl Into<String>) -> CompileError {
        CompileError {
            field,
            message: message.into(),
            label: None,
            help: None,
            at: None,
        }
    }
}

/// The variables and functions an expression may use besides CEL's own.
const VARIABLES: [&str; 3] = ["object", "ns", "objects"];

static ENV: LazyLock<Arc<Env>> = LazyLock::new(|| {
    let mut env = Env::stdlib();
    // The extensions only add functions; a failure would leave them out, not break the rest.
    let _ = env.add_extension(cel::extensions::strings);
    let _ = env.add_extension(cel::extensions::lists);
    let _ = env.add_extension(cel::extensions::math);
    Arc::new(env)
});

/// Compiles CEL; the error is the parser's message and the byte offset it points at.
fn compile_cel(source: &str) -> Result<Program, (String, usize)> {
    ENV.compile(source).map_err(|errors| {
        let first = errors.errors.first();
        let message = first.map_or_else(|| "invalid CEL".to_string(), |e| e.msg.clone());
        // `pos` is (1-based line, 1-based column).
        let offset = first.map_or(0, |e| {
            let line = (e.pos.0.max(1) - 1) as usize;
            let col = (e.pos.1.max(1) - 1) as usize;
            let line_start: usize = source.split_inclusive('\n').take(line).map(str::len).sum();
            let in_line = source[line_start.min(source.len())..]
                .chars()
                .take(col)
                .map(char::len_utf8)
                .sum::<usize>();
            line_start + in_line
        });
        (
            format!("invalid CEL: {}", plain_parse_error(&message)),
            offset,
        )
    })
}

/// The ANTLR parser's message without its list of every token it would have accepted.
fn plain_parse_error(message: &str) -> String {
    let message = message.strip_prefix("Syntax error: ").unwrap_or(message);
    if message.starts_with("mismatched input '<EOF>'") {
        return "the expression ends too early".to_string();
    }
    match message.find(" expecting {") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Checks that `program` uses only defined identifiers; `base` maps its byte offsets to the
/// field's text (for templates: where the `{{ }}` part starts).
fn check_identifiers(
    program: &Program,
    field: &'static str,
    text: &str,
    base: usize,
) -> Result<(), CompileError> {
    if let Some((name, id)) = ast::free_identifiers(program.expression(), &VARIABLES)
        .into_iter()
        .next()
    {
        let start = program
            .source_info()
            .offset_for(id)
            .map_or(0, |(s, _)| s as usize);
        let (line, col) = template::line_col(text, base + start);
        let mut error = CompileError::new(field, format!("unknown variable `{name}`"));
        error.label = Some("not defined here".into());
        error.help = Some(match crate::config::did_you_mean(&name, VARIABLES) {
            Some(best) => {
                format!("did you mean `{best}`? The variables are `object`, `ns` and `objects`")
            }
            None => "the variables are `object`, `ns` and `objects`".to_string(),
        });
        error.at = Some((line, col, name.chars().count()));
        return Err(error);
    }
    Ok(())
}

/// Interned rule metadata: custom rules need `&'static` ids like built-in ones. Loading the same
/// configuration again reuses the entries, so memory stays bounded by the distinct rules seen.
fn intern(id: &str, category: Category, severity: Severity, summary: &str) -> &'static RuleMeta {
    static METAS: LazyLock<Mutex<Vec<&'static RuleMeta>>> = LazyLock::new(Default::default);
    let mut metas = METAS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(meta) = metas.iter().find(|m| {
        m.id == id
            && m.category == category
            && m.default_severity == severity
            && m.summary == summary
    }) {
        return meta;
    }
    let meta: &'static RuleMeta = Box::leak(Box::new(RuleMeta {
        id: Box::leak(id.to_string().into_boxed_str()),
        category,
        default_severity: severity,
        default_enabled: true,
        summary: Box::leak(summary.to_string().into_boxed_str()),
        lesson: "A policy of this repository's own, from its kpolicy configuration.",
    }));
    metas.push(meta);
    meta
}

/// A compiled custom rule.
pub struct CustomRule {
    pub meta: &'static RuleMeta,
    /// The rule as written, for `kpolicy explain`.
    pub spec: CustomRuleSpec,
    program: Program,
    message: Template,
    help: Option<Template>,
    /// (group, kind); `None` group: any group.
    kinds: Vec<(Option<String>, String)>,
    namespaces: Option<GlobSet>,
    labels: BTreeMap<String, String>,
    /// The expression uses `objects`.
    uses_objects: bool,
    /// The expression calls `lookup`: with the kinds it names (`None` inside: any kind).
    lookup_kinds: Option<Option<Vec<String>>>,
}

impl std::fmt::Debug for CustomRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomRule")
            .field("id", &self.meta.id)
            .finish()
    }
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

impl CustomRule {
    pub fn compile(spec: &CustomRuleSpec) -> Result<CustomRule, CompileError> {
        if !is_kebab(&spec.id) {
            let mut e = CompileError::new("id", format!("`{}` is not a kebab-case id", spec.id));
            e.help =
                Some("use lowercase letters, digits and `-`, e.g. `payments-min-replicas`".into());
            return Err(e);
        }
        let category = match &spec.category {
            None => Category::BestPractice,
            Some(name) => match Category::ALL.iter().find(|c| c.as_str() == name) {
                Some(c) => *c,
                None => {
                    let names: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
                    let mut e = CompileError::new("category", format!("unknown category `{name}`"));
                    e.help = Some(
                        match crate::config::did_you_mean(name, names.iter().copied()) {
                            Some(best) => format!("did you mean `{best}`?"),
                            None => format!("one of {}", names.join(", ")),
                        },
                    );
                    return Err(e);
                }
            },
        };
        let program = compile_cel(&spec.expression).map_err(|(message, offset)| {
            let (line, col) = template::line_col(&spec.expression, offset);
            let mut e = CompileError::new("expression", message);
            e.label = Some("CEL syntax error".into());
            e.at = Some((line, col, 1));
            e
        })?;
        check_identifiers(&program, "expression", &spec.expression, 0)?;
        let template_of = |field: &'static str, text: &str| -> Result<Template, CompileError> {
            let parsed = Template::parse(text, compile_cel).map_err(|t| {
                let mut e = CompileError::new(field, t.message);
                e.at = Some(t.at);
                e
            })?;
            for program in parsed.programs() {
                // Offsets inside a part are not kept; place identifier errors at the part's text.
                let source = &program.source_info().source;
                let base = text.find(source.as_str()).unwrap_or(0);
                check_identifiers(program, field, text, base)?;
            }
            Ok(parsed)
        };
        let message = template_of("message", &spec.message)?;
        let help = spec
            .help
            .as_deref()
            .map(|h| template_of("help", h))
            .transpose()?;
        let mut namespaces = None;
        if !spec.matches.namespaces.is_empty() {
            let mut set = GlobSetBuilder::new();
            for glob in &spec.matches.namespaces {
                set.add(Glob::new(glob).map_err(|e| {
                    CompileError::new(
                        "match",
                        format!("invalid namespace glob `{glob}`: {}", e.kind()),
                    )
                })?);
            }
            namespaces = Some(set.build().map_err(|e| {
                CompileError::new("match", format!("invalid namespace globs: {e}"))
            })?);
        }
        let kinds = spec
            .matches
            .kinds
            .iter()
            .map(|k| match k.rsplit_once('/') {
                Some((group, kind)) => (Some(group.to_string()), kind.to_string()),
                None => (None, k.clone()),
            })
            .collect();
        let references = program.references();
        let uses_objects = references.has_variable("objects");
        let lookup_kinds = references
            .has_function("lookup")
            .then(|| ast::lookup_kinds(program.expression()));
        let summary = spec
            .summary
            .clone()
            .unwrap_or_else(|| template::placeholders(&spec.message));
        Ok(CustomRule {
            meta: intern(
                &spec.id,
                category,
                spec.severity.unwrap_or(Severity::Warning),
                &summary,
            ),
            spec: spec.clone(),
            program,
            message,
            help,
            kinds,
            namespaces,
            labels: spec.matches.labels.clone(),
            uses_objects,
            lookup_kinds,
        })
    }

    /// What `kpolicy explain <id>` prints for a custom rule.
    pub fn explain(&self) -> String {
        let spec = &self.spec;
        let mut out = format!(
            "A custom rule of this repository's configuration.\n\nexpression: {}\nmessage: {}\n",
            spec.expression.trim(),
            spec.message
        );
        if let Some(help) = &spec.help {
            out.push_str(&format!("help: {help}\n"));
        }
        let m = &spec.matches;
        if !m.kinds.is_empty() {
            out.push_str(&format!("match kinds: {}\n", m.kinds.join(", ")));
        }
        if !m.namespaces.is_empty() {
            out.push_str(&format!("match namespaces: {}\n", m.namespaces.join(", ")));
        }
        if !m.labels.is_empty() {
            let labels: Vec<String> = m.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
            out.push_str(&format!("match labels: {}\n", labels.join(", ")));
        }
        out
    }

    /// Whether the rule checks `object`, which lands in `namespace`.
    pub fn matches(&self, object: &Object<'_>, namespace: &str) -> bool {
        let kind_ok = self.kinds.is_empty()
            || self.kinds.iter().any(|(group, kind)| {
                kind == object.kind && group.as_deref().is_none_or(|g| g == object.group)
            });
        let namespace_ok = self
            .namespaces
            .as_ref()
            .is_none_or(|set| set.is_match(namespace));
        let labels_ok = self.labels.is_empty() || {
            let labels = object.metadata().and_then(|m| m.get("labels"));
            self.labels
                .iter()
                .all(|(key, value)| labels.and_then(|l| l.get_str(key)) == Some(value.as_str()))
        };
        kind_ok && namespace_ok && labels_ok
    }
}

/// The variables of one evaluation, lent to the interpreter without copying.
struct Variables<'a> {
    object: &'a (dyn Val + 'a),
    namespace: CelString<'a>,
    objects: Option<&'a (dyn Val + 'a)>,
}

impl VariableResolver for Variables<'_> {
    fn resolve<'b>(&'b self, variable: &str) -> Option<CowVal<'b, 'b>> {
        match variable {
            "object" => Some(CowVal::Borrowed(self.object)),
            "ns" => Some(CowVal::Borrowed(&self.namespace)),
            "objects" => self.objects.map(CowVal::Borrowed),
            _ => None,
        }
    }
}

/// What cross-object rules see, built once per rule run: every object converted (for `objects`),
/// and the objects `lookup` may return, by kind, namespace and name.
struct Shared<'a> {
    /// Every object of the run, converted, when the expression uses `objects`.
    vals: Vec<Box<dyn Val + 'a>>,
    list: Option<Box<dyn Val + 'a>>,
    by_key: Arc<HashMap<(String, String, String), Value>>,
}

impl<'a> Shared<'a> {
    fn new(index: &Index<'a>, rule: &CustomRule) -> Shared<'a> {
        let objects = index.objects();
        let vals: Vec<Box<dyn Val + 'a>> = if rule.uses_objects {
            objects
                .par_iter()
                .map(|o| convert::to_val(o.root))
                .collect()
        } else {
            Vec::new()
        };
        let list = rule
            .uses_objects
            .then(|| Box::new(CelList::from(vals.clone())) as Box<dyn Val + 'a>);
        let mut by_key = HashMap::new();
        if let Some(kinds) = &rule.lookup_kinds {
            // Only the kinds the expression looks up (all of them when it computes the kind).
            let wanted = |kind: &str| match kinds {
                Some(kinds) => kinds.iter().any(|k| k == kind),
                None => true,
            };
            for object in objects.iter().filter(|o| wanted(o.kind)) {
                let Some(name) = object.name else {
                    continue;
                };
                let key = (
                    object.kind.to_string(),
                    index.namespace_of(object).to_string(),
                    name.to_string(),
                );
                // The first object wins when the set repeats one (input order is deterministic).
                if let std::collections::hash_map::Entry::Vacant(slot) = by_key.entry(key)
                    && let Ok(value) = Value::try_from(convert::to_val(object.root).as_ref())
                {
                    slot.insert(value);
                }
            }
        }
        Shared {
            vals,
            list,
            by_key: Arc::new(by_key),
        }
    }
}

/// One failing object: where, and what to say.
struct Finding {
    object: usize,
    span: Span,
    message: String,
    label: Option<String>,
    help: Option<String>,
}

/// Runs a custom rule as a [`Rule`].
pub struct Runner(pub Arc<CustomRule>);

impl Rule for Runner {
    fn meta(&self) -> &'static RuleMeta {
        self.0.meta
    }

    fn check_set(&self, index: &Index<'_>, _ctx: &RuleContext, sink: &mut Sink<'_>) {
        let rule = &self.0;
        let objects = index.objects();
        let cross = rule.uses_objects || rule.lookup_kinds.is_some();
        let shared = cross.then(|| Shared::new(index, rule));
        let findings: Vec<Finding> = objects
            .par_iter()
            .enumerate()
            .filter(|(_, o)| rule.matches(o, index.namespace_of(o)))
            .filter_map(|(i, o)| rule.evaluate(i, o, index.namespace_of(o), shared.as_ref()))
            .collect();
        for f in findings {
            let mut reported = sink.report(&objects[f.object], f.span, f.message);
            if let Some(label) = f.label {
                reported = reported.label(label);
            }
            if let Some(help) = f.help {
                reported.help(help);
            }
        }
    }
}

impl CustomRule {
    fn evaluate(
        &self,
        index: usize,
        object: &Object<'_>,
        namespace: &str,
        shared: Option<&Shared<'_>>,
    ) -> Option<Finding> {
        // Converted once: reuse the shared conversion when there is one.
        let own;
        let val: &(dyn Val + '_) = match shared.and_then(|s| s.vals.get(index)) {
            Some(val) => val.as_ref(),
            None => {
                own = convert::to_val(object.root);
                own.as_ref()
            }
        };
        let variables = Variables {
            object: val,
            namespace: CelString::from(namespace),
            objects: shared.and_then(|s| s.list.as_deref()),
        };
        let mut ctx = Context::with_env(ENV.clone());
        ctx.set_variable_resolver(&variables);
        if let Some(shared) = shared.filter(|_| self.lookup_kinds.is_some()) {
            let by_key = shared.by_key.clone();
            // `lookup` is not a CEL built-in, so this cannot clash with an overload.
            let _ = ctx.add_function(
                "lookup",
                move |kind: Arc<String>, namespace: Arc<String>, name: Arc<String>| -> Value {
                    by_key
                        .get(&(kind.to_string(), namespace.to_string(), name.to_string()))
                        .cloned()
                        .unwrap_or(Value::Null)
                },
            );
        }
        let outcome = self.program.execute(&ctx);
        let note = match &outcome {
            Ok(Value::Bool(true)) => return None,
            Ok(Value::Bool(false)) => None,
            Ok(other) => {
                let mut text = String::new();
                template::write_value(&mut text, other, 0);
                Some(format!("the expression gave `{text}`, not true or false"))
            }
            Err(ExecutionError::NoSuchKey(key)) => Some(format!("`{key}` is not set")),
            Err(e) => Some(format!("the expression failed: {e}")),
        };
        let path = ast::blame(self.program.expression(), &ctx).unwrap_or_default();
        let (span, missing) = locate(object, &path);
        let label = match (missing, note) {
            (Some(missing), _) => Some(missing),
            (None, Some(note)) => Some(note),
            (None, None) => path_text(&path),
        };
        Some(Finding {
            object: index,
            span,
            message: self.message.render(&ctx),
            label,
            help: self.help.as_ref().map(|h| h.render(&ctx)),
        })
    }
}

/// `spec.replicas` for a label under the span.
fn path_text(path: &[Step]) -> Option<String> {
    if path.is_empty() {
        return None;
    }
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    Some(format!("`{out}`"))
}

/// The span of `path` in the object: the entry (`replicas: 2`) when it exists, else the nearest
/// parent that does, with a note of what is missing; the object's `kind:` for an empty path.
fn locate(object: &Object<'_>, path: &[Step]) -> (Span, Option<String>) {
    let mut node: NodeRef<'_> = object.root;
    let mut span: Option<Span> = None;
    for step in path {
        match step {
            Step::Key(key) => match node.entry(key) {
                Some(entry) => {
                    span = Some(entry.head_span());
                    node = entry.value;
                }
                None => {
                    return (
                        span.unwrap_or_else(|| object.anchor_span()),
                        Some(format!("`{key}` is not set")),
                    );
                }
            },
            Step::Index(i) => match node.items().nth(*i) {
                Some(item) => {
                    span = Some(item.first_line_span());
                    node = item;
                }
                None => {
                    return (
                        span.unwrap_or_else(|| object.anchor_span()),
                        Some(format!("there is no item {i}")),
                    );
                }
            },
        }
    }
    (span.unwrap_or_else(|| object.anchor_span()), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(expression: &str, message: &str) -> CustomRuleSpec {
        CustomRuleSpec {
            id: "acme-test".into(),
            severity: None,
            category: None,
            matches: MatchSpec::default(),
            expression: expression.into(),
            message: message.into(),
            help: None,
            summary: None,
        }
    }

    #[test]
    fn compile_errors_name_the_field_and_place() {
        let e = CustomRule::compile(&spec("object.spec.replicas >=", "m")).unwrap_err();
        assert_eq!(e.field, "expression");
        assert_eq!(e.message, "invalid CEL: the expression ends too early");
        assert_eq!(e.at.map(|(l, c, _)| (l, c)), Some((0, 23)));
        let e = CustomRule::compile(&spec("objec.kind == 'Pod'", "m")).unwrap_err();
        assert_eq!(e.message, "unknown variable `objec`");
        assert_eq!(e.at, Some((0, 0, 5)));
        let e = CustomRule::compile(&spec("true", "name {{object.metadata.nme.}}")).unwrap_err();
        assert_eq!(e.field, "message");
        let e = CustomRule::compile(&spec("true", "{{ nope }}")).unwrap_err();
        assert_eq!((e.field, e.at), ("message", Some((0, 3, 4))));
        let mut bad = spec("true", "m");
        bad.category = Some("securty".into());
        let e = CustomRule::compile(&bad).unwrap_err();
        assert_eq!(e.help.as_deref(), Some("did you mean `security`?"));
        let mut bad = spec("true", "m");
        bad.id = "Not-Kebab".into();
        assert_eq!(CustomRule::compile(&bad).unwrap_err().field, "id");
    }

    #[test]
    fn summaries_drop_template_parts() {
        assert_eq!(
            template::placeholders("Deployment {{object.metadata.name}} has {{x}} replicas"),
            "Deployment … has … replicas"
        );
        assert_eq!(template::placeholders("broken {{ open"), "broken {{ open");
    }

    #[test]
    fn metadata_is_interned() {
        let a = CustomRule::compile(&spec("true", "same")).unwrap();
        let b = CustomRule::compile(&spec("false", "same")).unwrap();
        assert!(std::ptr::eq(a.meta, b.meta));
        assert_eq!(a.meta.category, Category::BestPractice);
        assert_eq!(a.meta.default_severity, Severity::Warning);
    }
}
