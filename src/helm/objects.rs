//! Helm's built-in objects: `.Release`, `.Chart` and `.Template` (maps with Go field names, as in
//! Helm v4), `.Capabilities` and `.Files` (native objects with methods).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::helm::chart::{ChartFile, Dependency, Metadata};
use crate::helm::value::{Kind, Map, Native, Value};
use crate::helm::values::resolve_plain;
use crate::kube_version::KubeVersion;

/// The Helm version templates see in `.Capabilities.HelmVersion` (the SDK the renderer is
/// checked against).
pub const HELM_VERSION: &str = "v4.2.3";

/// What `helm template` is told about the release.
#[derive(Clone, Debug)]
pub struct ReleaseOptions {
    pub name: String,
    pub namespace: String,
    pub revision: i64,
    pub is_install: bool,
    pub is_upgrade: bool,
}

impl Default for ReleaseOptions {
    fn default() -> Self {
        ReleaseOptions {
            name: "release-name".to_string(),
            namespace: "default".to_string(),
            revision: 1,
            is_install: true,
            is_upgrade: false,
        }
    }
}

fn strs(items: &[String]) -> Value {
    Value::list(items.iter().map(|s| Value::str(s.as_str())).collect())
}

/// `.Release`.
pub fn release(options: &ReleaseOptions) -> Value {
    let mut map = Map::new();
    map.insert("Name".into(), Value::str(options.name.as_str()));
    map.insert("Namespace".into(), Value::str(options.namespace.as_str()));
    map.insert("IsInstall".into(), Value::bool(options.is_install));
    map.insert("IsUpgrade".into(), Value::bool(options.is_upgrade));
    map.insert("Revision".into(), Value::int(options.revision));
    map.insert("Service".into(), Value::str("Helm"));
    Value::map(map)
}

/// `.Template`.
pub fn template(name: &str, base_path: &str) -> Value {
    let mut map = Map::new();
    map.insert("Name".into(), Value::str(name));
    map.insert("BasePath".into(), Value::str(base_path));
    Value::map(map)
}

fn dependency(dep: &Dependency) -> Value {
    let mut map = Map::new();
    map.insert("Name".into(), Value::str(dep.name.as_str()));
    map.insert("Version".into(), Value::str(dep.version.as_str()));
    map.insert("Repository".into(), Value::str(dep.repository.as_str()));
    map.insert("Condition".into(), Value::str(dep.condition.as_str()));
    map.insert("Tags".into(), strs(&dep.tags));
    map.insert("Enabled".into(), Value::bool(dep.enabled));
    map.insert(
        "ImportValues".into(),
        Value::list(dep.import_values.clone()),
    );
    map.insert("Alias".into(), Value::str(dep.alias.as_str()));
    Value::map(map)
}

/// `.Chart`: Chart.yaml with Go field names, `IsRoot`, and the dependencies as processed.
pub fn chart(metadata: &Metadata, name: &str, dependencies: &[Dependency], is_root: bool) -> Value {
    let mut map = Map::new();
    map.insert("Name".into(), Value::str(name));
    map.insert("Home".into(), Value::str(metadata.home.as_str()));
    map.insert("Sources".into(), strs(&metadata.sources));
    map.insert("Version".into(), Value::str(metadata.version.as_str()));
    map.insert(
        "Description".into(),
        Value::str(metadata.description.as_str()),
    );
    map.insert("Keywords".into(), strs(&metadata.keywords));
    map.insert(
        "Maintainers".into(),
        Value::list(
            metadata
                .maintainers
                .iter()
                .map(|m| {
                    let mut mm = Map::new();
                    mm.insert("Name".into(), Value::str(m.name.as_str()));
                    mm.insert("Email".into(), Value::str(m.email.as_str()));
                    mm.insert("URL".into(), Value::str(m.url.as_str()));
                    Value::map(mm)
                })
                .collect(),
        ),
    );
    map.insert("Icon".into(), Value::str(metadata.icon.as_str()));
    map.insert(
        "APIVersion".into(),
        Value::str(metadata.api_version.as_str()),
    );
    map.insert("Condition".into(), Value::str(metadata.condition.as_str()));
    map.insert("Tags".into(), Value::str(metadata.tags.as_str()));
    map.insert(
        "AppVersion".into(),
        Value::str(metadata.app_version.as_str()),
    );
    map.insert("Deprecated".into(), Value::bool(metadata.deprecated));
    map.insert(
        "Annotations".into(),
        Value::map(
            metadata
                .annotations
                .iter()
                .map(|(k, v)| (k.clone(), Value::str(v.as_str())))
                .collect(),
        ),
    );
    map.insert(
        "KubeVersion".into(),
        Value::str(metadata.kube_version.as_str()),
    );
    map.insert(
        "Dependencies".into(),
        Value::list(dependencies.iter().map(dependency).collect()),
    );
    map.insert("Type".into(), Value::str(metadata.chart_type.as_str()));
    map.insert("IsRoot".into(), Value::bool(is_root));
    Value::map(map)
}

// ---------------------------------------------------------------------------------------------
// .Capabilities

/// The API versions Helm's SDK reports by default (`chartutil.DefaultVersionSet`, as Helm v4.2.3
/// prints it); versions the target Kubernetes release no longer serves are taken out.
const DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha2",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// How `.Capabilities.APIVersions` is filled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ApiVersions {
    /// Helm's default list without the versions the target release no longer serves.
    #[default]
    ForTarget,
    /// Helm's default list as `helm template` uses it, whatever the target release.
    HelmDefault,
}

/// The group versions the target no longer serves: every kind the removals table lists for
/// them is removed by then.
fn removed_group_versions(target: KubeVersion) -> Vec<String> {
    let mut by_version: BTreeMap<&str, bool> = BTreeMap::new();
    for entry in crate::rules::versions::apis::BUILTIN.iter() {
        let removed = entry.removed_in.is_some_and(|r| target >= r);
        by_version
            .entry(entry.api_version.as_str())
            .and_modify(|all| *all &= removed)
            .or_insert(removed);
    }
    by_version
        .into_iter()
        .filter(|(_, all)| *all)
        .map(|(v, _)| v.to_string())
        .collect()
}

/// `.Capabilities`.
pub struct Capabilities {
    kube: Value,
    apis: Value,
    helm: Value,
}

impl Capabilities {
    pub fn new(target: KubeVersion, extra_apis: &[String], mode: ApiVersions) -> Capabilities {
        let removed = match mode {
            ApiVersions::ForTarget => removed_group_versions(target),
            ApiVersions::HelmDefault => Vec::new(),
        };
        let mut versions: Vec<String> = DEFAULT_API_VERSIONS
            .iter()
            .filter(|v| !removed.iter().any(|r| r == *v))
            .map(|v| v.to_string())
            .collect();
        versions.extend(extra_apis.iter().cloned());
        Capabilities {
            kube: Value::new(Kind::Native(Arc::new(KubeVersionObject::new(target)))),
            apis: Value::new(Kind::Native(Arc::new(VersionSet(versions)))),
            helm: Value::new(Kind::Native(Arc::new(BuildInfo {
                kube_client: format!("v{}.{}", target.major, target.minor),
            }))),
        }
    }

    pub fn value(self) -> Value {
        Value::new(Kind::Native(Arc::new(self)))
    }
}

fn display_of(value: &Value) -> String {
    match &value.kind {
        Kind::Native(n) => n.display(),
        _ => String::new(),
    }
}

impl Native for Capabilities {
    fn type_name(&self) -> &str {
        "*common.Capabilities"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "KubeVersion" => Some(self.kube.clone()),
            "APIVersions" => Some(self.apis.clone()),
            "HelmVersion" => Some(self.helm.clone()),
            _ => None,
        }
    }
    fn call(&self, _method: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        None
    }
    fn display(&self) -> String {
        format!(
            "&{{{} {} {}}}",
            display_of(&self.kube),
            display_of(&self.apis),
            display_of(&self.helm)
        )
    }
}

/// `.Capabilities.KubeVersion`.
pub struct KubeVersionObject {
    version: String,
    major: String,
    minor: String,
}

impl KubeVersionObject {
    pub fn new(target: KubeVersion) -> KubeVersionObject {
        KubeVersionObject {
            version: format!("v{}.{}.0", target.major, target.minor),
            major: target.major.to_string(),
            minor: target.minor.to_string(),
        }
    }
}

impl Native for KubeVersionObject {
    fn type_name(&self) -> &str {
        "common.KubeVersion"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Version" | "GitVersion" | "String" => Some(Value::str(self.version.as_str())),
            "Major" => Some(Value::str(self.major.as_str())),
            "Minor" => Some(Value::str(self.minor.as_str())),
            _ => None,
        }
    }
    fn call(&self, method: &str, args: &[Value]) -> Option<Result<Value, String>> {
        match method {
            "GitVersion" | "String" => Some(if args.is_empty() {
                Ok(Value::str(self.version.as_str()))
            } else {
                Err(format!(
                    "wrong number of args for {method}: want 0 got {}",
                    args.len()
                ))
            }),
            _ => None,
        }
    }
    fn display(&self) -> String {
        format!(
            "{{{} {} {} {}}}",
            self.version, self.version, self.major, self.minor
        )
    }
}

/// `.Capabilities.APIVersions`.
pub struct VersionSet(pub Vec<String>);

impl Native for VersionSet {
    fn type_name(&self) -> &str {
        "common.VersionSet"
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn call(&self, method: &str, args: &[Value]) -> Option<Result<Value, String>> {
        match method {
            "Has" => Some(match args {
                [v] => match v.as_str() {
                    Some(s) => Ok(Value::bool(self.0.iter().any(|x| x == s))),
                    None => Err("wrong type for value; expected string".to_string()),
                },
                _ => Err(format!(
                    "wrong number of args for Has: want 1 got {}",
                    args.len()
                )),
            }),
            _ => None,
        }
    }
    fn display(&self) -> String {
        format!("[{}]", self.0.join(" "))
    }
    fn as_value(&self) -> Option<Value> {
        Some(Value::list(
            self.0.iter().map(|v| Value::str(v.as_str())).collect(),
        ))
    }
}

/// `.Capabilities.HelmVersion`.
pub struct BuildInfo {
    kube_client: String,
}

impl Native for BuildInfo {
    fn type_name(&self) -> &str {
        "version.BuildInfo"
    }
    fn field(&self, name: &str) -> Option<Value> {
        Some(match name {
            "Version" => Value::str(HELM_VERSION),
            "GitCommit" | "GitTreeState" | "GoVersion" => Value::str(""),
            "KubeClientVersion" => Value::str(self.kube_client.as_str()),
            _ => return None,
        })
    }
    fn call(&self, _method: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        None
    }
    fn display(&self) -> String {
        format!("{{{HELM_VERSION}    {}}}", self.kube_client)
    }
}

// ---------------------------------------------------------------------------------------------
// .Files

/// `.Files`: the chart's non-template files by path.
#[derive(Clone, Default)]
pub struct Files(pub BTreeMap<String, Arc<[u8]>>);

impl Files {
    pub fn new(files: &[ChartFile]) -> Files {
        Files(
            files
                .iter()
                .map(|f| (f.name.clone(), f.data.clone()))
                .collect(),
        )
    }

    pub fn value(self) -> Value {
        Value::new(Kind::Native(Arc::new(self)))
    }

    fn get(&self, name: &str) -> String {
        self.0
            .get(name)
            .map(|d| String::from_utf8_lossy(d).into_owned())
            .unwrap_or_default()
    }

    fn glob(&self, pattern: &str) -> Files {
        let matcher =
            Glob::compile(pattern).unwrap_or_else(|| Glob::compile("**").unwrap_or_default());
        Files(
            self.0
                .iter()
                .filter(|(name, _)| matcher.matches(name))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    }

    fn lines(&self, name: &str) -> Vec<Value> {
        let Some(data) = self.0.get(name) else {
            return Vec::new();
        };
        let text = String::from_utf8_lossy(data);
        let text = text.strip_suffix('\n').unwrap_or(&text);
        text.split('\n').map(Value::str).collect()
    }

    /// `AsConfig` / `AsSecrets`: base names to contents, as YAML.
    fn as_yaml(&self, base64: bool) -> String {
        let mut map: BTreeMap<String, String> = BTreeMap::new();
        for (name, data) in &self.0 {
            let base = name.rsplit('/').next().unwrap_or(name).to_string();
            let text = if base64 {
                encode_base64(data)
            } else {
                String::from_utf8_lossy(data).into_owned()
            };
            map.insert(base, text);
        }
        if map.is_empty() {
            return "{}".to_string();
        }
        let mut out = String::new();
        for (key, value) in &map {
            out.push_str(&yaml_string(key, 0));
            out.push(':');
            let rendered = yaml_string(value, 2);
            if rendered.starts_with('|') {
                out.push(' ');
                out.push_str(&rendered);
            } else {
                out.push(' ');
                out.push_str(&rendered);
                out.push('\n');
            }
        }
        out.strip_suffix('\n').unwrap_or(&out).to_string()
    }
}

impl Native for Files {
    fn type_name(&self) -> &str {
        "engine.files"
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn call(&self, method: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let one_string = |args: &[Value]| -> Result<String, String> {
            match args {
                [v] => v
                    .as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("wrong type for value in {method}; expected string")),
                _ => Err(format!(
                    "wrong number of args for {method}: want 1 got {}",
                    args.len()
                )),
            }
        };
        let none = |args: &[Value]| -> Result<(), String> {
            if args.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "wrong number of args for {method}: want 0 got {}",
                    args.len()
                ))
            }
        };
        Some(match method {
            "Get" => one_string(args).map(|n| Value::str(self.get(&n))),
            // []byte: what templates do with it is print or convert it; a string serves both.
            "GetBytes" => one_string(args).map(|n| Value::str(self.get(&n))),
            "Glob" => one_string(args).map(|p| self.glob(&p).value()),
            "Lines" => one_string(args).map(|n| Value::list(self.lines(&n))),
            "AsConfig" => none(args).map(|_| Value::str(self.as_yaml(false))),
            "AsSecrets" => none(args).map(|_| Value::str(self.as_yaml(true))),
            _ => return None,
        })
    }
    fn display(&self) -> String {
        let items: Vec<String> = self
            .0
            .iter()
            .map(|(k, v)| {
                let bytes: Vec<String> = v.iter().map(|b| b.to_string()).collect();
                format!("{k}:[{}]", bytes.join(" "))
            })
            .collect();
        format!("map[{}]", items.join(" "))
    }
    /// `range $path, $bytes := .Files.Glob …`: paths to contents (as text).
    fn as_value(&self) -> Option<Value> {
        Some(Value::map(
            self.0
                .iter()
                .map(|(k, v)| (k.clone(), Value::str(String::from_utf8_lossy(v).as_ref())))
                .collect(),
        ))
    }
}

fn encode_base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = ((b[0] as u32) << 16) | ((b[1] as u32) << 8) | b[2] as u32;
        out.push(ALPHABET[(n >> 18) as usize & 63] as char);
        out.push(ALPHABET[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            ALPHABET[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            ALPHABET[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// A string as go-yaml v2 writes it in block context: plain when it reads back as the same
/// string, a literal block (`|`, `|-`, `|+`) when it has line breaks, else double-quoted.
/// `indent` is the indentation of block content.
fn yaml_string(s: &str, indent: usize) -> String {
    if s.contains('\n') && !s.chars().any(|c| c != '\n' && c != '\t' && c.is_control()) {
        let trailing = s.len() - s.trim_end_matches('\n').len();
        let chomp = match trailing {
            0 => "-",
            1 => "",
            _ => "+",
        };
        let indicator = if s.starts_with(' ') {
            indent.to_string()
        } else {
            String::new()
        };
        let pad = " ".repeat(indent);
        let mut out = format!("|{indicator}{chomp}\n");
        let body = if trailing > 0 { &s[..s.len() - 1] } else { s };
        for line in body.split('\n') {
            if !line.is_empty() {
                out.push_str(&pad);
                out.push_str(line);
            }
            out.push('\n');
        }
        return out;
    }
    if plain_safe(s) {
        return s.to_string();
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn plain_safe(s: &str) -> bool {
    if s.is_empty() || s != s.trim() {
        return false;
    }
    if !matches!(resolve_plain(s), crate::helm::values::Scalar::Str(_)) {
        return false;
    }
    let first = s.chars().next().unwrap_or(' ');
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        // `-x` and `:x` are plain in YAML, but go-yaml quotes indicators at the start.
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    !s.chars().any(|c| c.is_control())
}

/// gobwas/glob with `/` as the separator, as `.Files.Glob` uses it: `*` within a path segment,
/// `**` across segments, `?`, `[...]` / `[!...]`, `{a,b}`, `\` escapes.
#[derive(Default)]
struct Glob {
    alternatives: Vec<Vec<Token>>,
}

#[derive(Clone, Debug)]
enum Token {
    Char(char),
    Any,
    Super,
    Single,
    Class(Vec<(char, char)>, bool),
}

impl Glob {
    fn compile(pattern: &str) -> Option<Glob> {
        Some(Glob {
            alternatives: expand_braces(pattern, 0)?
                .into_iter()
                .map(|p| tokenize(&p))
                .collect::<Option<_>>()?,
        })
    }

    fn matches(&self, name: &str) -> bool {
        let chars: Vec<char> = name.chars().collect();
        self.alternatives.iter().any(|tokens| {
            let mut budget = 200_000u32;
            match_tokens(tokens, &chars, &mut budget)
        })
    }
}

fn expand_braces(pattern: &str, depth: usize) -> Option<Vec<String>> {
    if depth > 8 {
        return None;
    }
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '{' => {
                let mut level = 0;
                let mut parts = Vec::new();
                let mut start = i + 1;
                let mut j = i;
                while j < chars.len() {
                    match chars[j] {
                        '\\' => j += 1,
                        '{' => level += 1,
                        '}' => {
                            level -= 1;
                            if level == 0 {
                                parts.push(chars[start..j].iter().collect::<String>());
                                break;
                            }
                        }
                        ',' if level == 1 => {
                            parts.push(chars[start..j].iter().collect::<String>());
                            start = j + 1;
                        }
                        _ => {}
                    }
                    j += 1;
                }
                if j >= chars.len() {
                    return None;
                }
                let head: String = chars[..i].iter().collect();
                let tail: String = chars[j + 1..].iter().collect();
                let mut out = Vec::new();
                for part in parts {
                    for expanded in expand_braces(&format!("{head}{part}{tail}"), depth + 1)? {
                        out.push(expanded);
                        if out.len() > 1024 {
                            return None;
                        }
                    }
                }
                return Some(out);
            }
            _ => i += 1,
        }
    }
    Some(vec![pattern.to_string()])
}

fn tokenize(pattern: &str) -> Option<Vec<Token>> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' => {
                if chars.get(i + 1) == Some(&'*') {
                    out.push(Token::Super);
                    i += 2;
                } else {
                    out.push(Token::Any);
                    i += 1;
                }
            }
            '?' => {
                out.push(Token::Single);
                i += 1;
            }
            '\\' => {
                out.push(Token::Char(*chars.get(i + 1)?));
                i += 2;
            }
            '[' => {
                let mut j = i + 1;
                let negated = chars.get(j) == Some(&'!');
                if negated {
                    j += 1;
                }
                let mut ranges = Vec::new();
                while j < chars.len() && chars[j] != ']' {
                    let lo = chars[j];
                    if chars.get(j + 1) == Some(&'-') && chars.get(j + 2).is_some_and(|c| *c != ']')
                    {
                        ranges.push((lo, chars[j + 2]));
                        j += 3;
                    } else {
                        ranges.push((lo, lo));
                        j += 1;
                    }
                }
                if j >= chars.len() {
                    return None;
                }
                out.push(Token::Class(ranges, negated));
                i = j + 1;
            }
            c => {
                out.push(Token::Char(c));
                i += 1;
            }
        }
    }
    Some(out)
}

fn match_tokens(tokens: &[Token], name: &[char], budget: &mut u32) -> bool {
    if *budget == 0 {
        return false;
    }
    *budget -= 1;
    let Some(first) = tokens.first() else {
        return name.is_empty();
    };
    let rest = &tokens[1..];
    match first {
        Token::Char(c) => name.first() == Some(c) && match_tokens(rest, &name[1..], budget),
        Token::Single => {
            name.first().is_some_and(|c| *c != '/') && match_tokens(rest, &name[1..], budget)
        }
        Token::Class(ranges, negated) => {
            name.first().is_some_and(|c| {
                *c != '/' && (ranges.iter().any(|(lo, hi)| lo <= c && c <= hi) != *negated)
            }) && match_tokens(rest, &name[1..], budget)
        }
        Token::Any => {
            for i in 0..=name.len() {
                if i > 0 && name[i - 1] == '/' {
                    return false;
                }
                if match_tokens(rest, &name[i..], budget) {
                    return true;
                }
            }
            false
        }
        Token::Super => (0..=name.len()).any(|i| match_tokens(rest, &name[i..], budget)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(v: &Value, method: &str, args: &[Value]) -> Value {
        match &v.kind {
            Kind::Native(n) => n.call(method, args).unwrap().unwrap(),
            _ => panic!("not native"),
        }
    }

    fn files() -> Value {
        Files::new(&[
            ChartFile {
                name: "files/a.txt".into(),
                data: b"hello\n"[..].into(),
            },
            ChartFile {
                name: "files/b.conf".into(),
                data: b"world\n"[..].into(),
            },
            ChartFile {
                name: "other/c.txt".into(),
                data: b"x"[..].into(),
            },
        ])
        .value()
    }

    #[test]
    fn files_methods_match_helm() {
        // Outputs observed with the Helm SDK (v4.2.3).
        let f = files();
        let glob = call(&f, "Glob", &[Value::str("files/*")]);
        let Kind::Native(n) = &glob.kind else {
            panic!()
        };
        assert_eq!(
            n.display(),
            "map[files/a.txt:[104 101 108 108 111 10] files/b.conf:[119 111 114 108 100 10]]"
        );
        assert_eq!(
            call(&glob, "AsConfig", &[]).as_str(),
            Some("a.txt: |\n  hello\nb.conf: |\n  world")
        );
        assert_eq!(
            call(&glob, "AsSecrets", &[]).as_str(),
            Some("a.txt: aGVsbG8K\nb.conf: d29ybGQK")
        );
        assert_eq!(
            call(&f, "Get", &[Value::str("files/a.txt")]).as_str(),
            Some("hello\n")
        );
        assert_eq!(call(&f, "Get", &[Value::str("nope")]).as_str(), Some(""));
        let lines = call(&f, "Lines", &[Value::str("files/a.txt")]);
        assert_eq!(lines.as_list().unwrap().len(), 1);
        let all = call(&f, "Glob", &[Value::str("**.txt")]);
        let Kind::Native(n) = &all.kind else { panic!() };
        assert!(n.display().contains("other/c.txt"));
        let alt = call(&f, "Glob", &[Value::str("{files,other}/*.txt")]);
        let Kind::Native(n) = &alt.kind else { panic!() };
        assert_eq!(n.display().matches(':').count(), 2);
    }

    #[test]
    fn capabilities_follow_the_target() {
        let caps =
            Capabilities::new(KubeVersion::new(1, 36), &[], ApiVersions::HelmDefault).value();
        let Kind::Native(n) = &caps.kind else {
            panic!()
        };
        let kube = n.field("KubeVersion").unwrap();
        let Kind::Native(k) = &kube.kind else {
            panic!()
        };
        assert_eq!(k.display(), "{v1.36.0 v1.36.0 1 36}");
        assert_eq!(k.field("GitVersion").unwrap().as_str(), Some("v1.36.0"));
        let apis = n.field("APIVersions").unwrap();
        assert!(call(&apis, "Has", &[Value::str("extensions/v1beta1")]).truthy());
        assert!(!call(&apis, "Has", &[Value::str("apps/v1/Deployment")]).truthy());
        let caps = Capabilities::new(KubeVersion::new(1, 30), &[], ApiVersions::ForTarget).value();
        let Kind::Native(n) = &caps.kind else {
            panic!()
        };
        let apis = n.field("APIVersions").unwrap();
        assert!(!call(&apis, "Has", &[Value::str("policy/v1beta1")]).truthy());
        assert!(call(&apis, "Has", &[Value::str("policy/v1")]).truthy());
    }

    #[test]
    fn files_range_like_a_map() {
        let Kind::Native(n) = files().kind else {
            panic!()
        };
        let map = n.as_value().unwrap();
        assert_eq!(map.as_map().unwrap().len(), 3);
        assert_eq!(
            map.get("files/a.txt").and_then(Value::as_str),
            Some("hello\n")
        );
    }

    #[test]
    fn release_prints_like_helm() {
        let r = release(&ReleaseOptions::default());
        let keys: Vec<_> = r.as_map().unwrap().keys().cloned().collect();
        assert_eq!(
            keys,
            [
                "IsInstall",
                "IsUpgrade",
                "Name",
                "Namespace",
                "Revision",
                "Service"
            ]
        );
    }
}
