//! How Helm combines values: the chart's `values.yaml` and its subcharts' under their names,
//! `global` copied down, user values winning, `null` deleting a default; and how dependencies are
//! switched on and off (`condition`, `tags`), renamed (`alias`) and feed their parents
//! (`import-values`). Every step keeps the [`Origin`](crate::helm::value::Origin) of the value that wins.

use std::sync::Arc;

use crate::helm::chart::{Chart, Dependency, is_compatible_range};
use crate::helm::value::{Kind, Map, Value};
use crate::helm::values::{Problem, is_table, map_mut, parse_values, path_value, table};
use crate::source::{FileId, Origin as SourceOrigin, SourceFile, SourceMap, Span};

/// How deep charts nest for values processing.
const MAX_DEPTH: usize = 32;

/// A chart in the values-processing tree: its name after aliasing, its values, the dependency
/// entries of its Chart.yaml and the subcharts still enabled.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub chart: Arc<Chart>,
    /// `metadata.name`, or the alias it is used under.
    pub name: String,
    pub values: Map,
    /// The chart's values file, when it has one.
    pub values_file: Option<FileId>,
    /// `dependencies` of Chart.yaml (`None` when it has none).
    pub reqs: Option<Vec<Dependency>>,
    pub deps: Vec<Prepared>,
}

/// A warning Helm would log (not an error).
pub type Warnings = Vec<String>;

/// Reads the values files of a chart and its subcharts into `sources`.
pub fn prepare(chart: &Chart, sources: &mut SourceMap) -> Result<Prepared, Problem> {
    prepare_at(chart, sources, 0)
}

fn prepare_at(chart: &Chart, sources: &mut SourceMap, depth: usize) -> Result<Prepared, Problem> {
    let (values, values_file) = match &chart.values {
        Some(file) => {
            let source = Arc::new(SourceFile::new(
                SourceOrigin::Path(chart.display_name(&file.name).into()),
                file.text(),
            ));
            let id = sources.add(source.clone());
            (parse_values(id, &source)?, Some(id))
        }
        None => (Map::new(), None),
    };
    let mut deps = Vec::new();
    if depth < MAX_DEPTH {
        for sub in &chart.dependencies {
            deps.push(prepare_at(sub, sources, depth + 1)?);
        }
    }
    Ok(Prepared {
        chart: Arc::new(chart.clone()),
        name: chart.metadata.name.clone(),
        values,
        values_file,
        reqs: if chart.metadata.dependencies.is_empty() {
            None
        } else {
            Some(chart.metadata.dependencies.clone())
        },
        deps,
    })
}

fn concat_prefix(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

/// `CoalesceValues`: user values over the chart's, nulls deleting defaults.
pub fn coalesce_values(
    chart: &Prepared,
    user: Map,
    warnings: &mut Warnings,
) -> Result<Map, String> {
    coalesce(chart, user, "", false, warnings, 0)
}

/// `MergeValues`: like [`coalesce_values`] but nulls are kept.
pub fn merge_values(chart: &Prepared, user: Map, warnings: &mut Warnings) -> Result<Map, String> {
    coalesce(chart, user, "", true, warnings, 0)
}

fn coalesce(
    chart: &Prepared,
    mut dest: Map,
    prefix: &str,
    merge: bool,
    warnings: &mut Warnings,
    depth: usize,
) -> Result<Map, String> {
    coalesce_own(chart, &mut dest, prefix, merge, warnings);
    coalesce_deps(chart, dest, prefix, merge, warnings, depth)
}

fn coalesce_deps(
    chart: &Prepared,
    mut dest: Map,
    prefix: &str,
    merge: bool,
    warnings: &mut Warnings,
    depth: usize,
) -> Result<Map, String> {
    if depth > MAX_DEPTH {
        return Ok(dest);
    }
    for sub in &chart.deps {
        let sub_values = match dest.get(&sub.name) {
            None => Value::map(Map::new()),
            Some(v) if is_table(v) => v.clone(),
            Some(v) => {
                return Err(format!(
                    "type mismatch on {}: {}",
                    sub.name,
                    go_bool_verb(v)
                ));
            }
        };
        let origin = sub_values.origin;
        let mut sub_map = sub_values.as_map().cloned().unwrap_or_default();
        let sub_prefix = concat_prefix(prefix, &chart.name);
        coalesce_globals(&mut sub_map, &dest, &sub_prefix, warnings);
        let merged = coalesce(sub, sub_map, &sub_prefix, merge, warnings, depth + 1)?;
        dest.insert(sub.name.clone(), Value::map(merged).with_origin(origin));
    }
    Ok(dest)
}

/// Go's `%t` of a non-bool (what Helm prints in the type-mismatch error).
fn go_bool_verb(value: &Value) -> String {
    match &value.kind {
        Kind::Bool(b) => b.to_string(),
        Kind::Str(s) => format!("%!t(string={s})"),
        Kind::Float(f) => format!("%!t(float64={f})"),
        Kind::Int(i) => format!("%!t(int64={i})"),
        Kind::List(_) => "%!t([]interface {}=[...])".to_string(),
        _ => "%!t(<nil>)".to_string(),
    }
}

/// Copies the parent's `global` into a subchart's values (the parent's entries win).
fn coalesce_globals(dest: &mut Map, src: &Map, prefix: &str, warnings: &mut Warnings) {
    let mut dg = match dest.get("global") {
        None => Map::new(),
        Some(v) => match v.as_map() {
            Some(m) => m.clone(),
            None => {
                warnings.push(format!(
                    "warning: skipping globals because destination global is not a table ({prefix})"
                ));
                return;
            }
        },
    };
    let dest_origin = dest.get("global").and_then(|v| v.origin);
    let sg = match src.get("global") {
        None => Map::new(),
        Some(v) => match v.as_map() {
            Some(m) => m.clone(),
            None => {
                warnings.push(
                    "warning: skipping globals because source global is not a table".to_string(),
                );
                return;
            }
        },
    };
    let src_origin = src.get("global").and_then(|v| v.origin);
    for (key, value) in sg {
        if let Some(vmap) = value.as_map() {
            let mut vv = vmap.clone();
            match dg.get(&key) {
                None => {
                    dg.insert(key, Value::map(vv).with_origin(value.origin));
                }
                Some(existing) => match existing.as_map() {
                    None => warnings.push(format!(
                        "Conflict: cannot merge map onto non-map for {key:?}. Skipping."
                    )),
                    Some(dmap) => {
                        coalesce_tables(
                            &mut vv,
                            dmap.clone(),
                            &concat_prefix(prefix, &key),
                            true,
                            warnings,
                        );
                        dg.insert(key, Value::map(vv).with_origin(value.origin));
                    }
                },
            }
        } else if dg.get(&key).is_some_and(is_table) {
            warnings.push(format!("key {key} is table. Skipping"));
        } else {
            dg.insert(key, value);
        }
    }
    dest.insert(
        "global".to_string(),
        Value::map(dg).with_origin(dest_origin.or(src_origin)),
    );
}

fn child_merge(chart: &Prepared, key: &str, merge: bool) -> bool {
    merge || chart.deps.iter().any(|d| d.name == key)
}

/// Removes nil entries, recursively.
fn clean_nil(map: &mut Map) {
    map.retain(|_, v| !v.is_nil());
    for value in map.values_mut() {
        if let Some(inner) = map_mut(value) {
            clean_nil(inner);
        }
    }
}

/// `coalesceValues`: the chart's own values under the user's.
fn coalesce_own(chart: &Prepared, v: &mut Map, prefix: &str, merge: bool, warnings: &mut Warnings) {
    let sub_prefix = concat_prefix(prefix, &chart.name);
    for (key, val) in &chart.values {
        match v.get(key).cloned() {
            Some(value) => {
                if value.is_nil() && !merge {
                    v.remove(key);
                } else if let Some(dest) = value.as_map() {
                    match val.as_map() {
                        None => {
                            if !val.is_nil() {
                                warnings.push(format!(
                                    "warning: skipped value for {sub_prefix}.{key}: Not a table."
                                ));
                            }
                        }
                        Some(src) => {
                            let merge = child_merge(chart, key, merge);
                            let mut src = src.clone();
                            if !merge && !prefix.is_empty() {
                                clean_nil(&mut src);
                            }
                            let mut dest = dest.clone();
                            coalesce_tables(
                                &mut dest,
                                src,
                                &concat_prefix(&sub_prefix, key),
                                merge,
                                warnings,
                            );
                            v.insert(
                                key.clone(),
                                Value::map(dest).with_origin(value.origin.or(val.origin)),
                            );
                        }
                    }
                }
            }
            None => {
                let mut val = val.clone();
                if !merge && !prefix.is_empty() {
                    if val.is_nil() {
                        continue;
                    }
                    if let Some(inner) = map_mut(&mut val) {
                        clean_nil(inner);
                    }
                }
                v.insert(key.clone(), val);
            }
        }
    }
}

/// `coalesceTablesFullKey`: `src` under `dst` (dst wins), nulls in `dst` deleting `src`'s
/// values when coalescing.
pub fn coalesce_tables(
    dst: &mut Map,
    mut src: Map,
    prefix: &str,
    merge: bool,
    warnings: &mut Warnings,
) {
    let src_non_nil: std::collections::BTreeSet<String> = src
        .iter()
        .filter(|(_, v)| !v.is_nil())
        .map(|(k, _)| k.clone())
        .collect();
    for (key, value) in dst.iter() {
        if value.is_nil() {
            src.insert(key.clone(), Value::NIL);
        }
    }
    for (key, val) in src {
        let full = concat_prefix(prefix, &key);
        match dst.get(&key) {
            Some(dv) if !merge && dv.is_nil() && src_non_nil.contains(&key) => {
                dst.remove(&key);
            }
            None => {
                dst.insert(key, val);
            }
            Some(dv) => {
                if let Some(vm) = val.as_map() {
                    match dv.as_map() {
                        Some(dm) => {
                            let mut dm = dm.clone();
                            coalesce_tables(&mut dm, vm.clone(), &full, merge, warnings);
                            let origin = dv.origin.or(val.origin);
                            dst.insert(key, Value::map(dm).with_origin(origin));
                        }
                        None => warnings.push(format!(
                            "warning: cannot overwrite table with non table for {full}"
                        )),
                    }
                } else if is_table(dv) && !val.is_nil() {
                    warnings.push(format!(
                        "warning: destination for {full} is a table. Ignoring non-table value"
                    ));
                }
            }
        }
    }
}

/// `ProcessDependencies`: disables subcharts by condition and tags, applies aliases, and imports
/// values from children into parents.
pub fn process_dependencies(
    chart: &mut Prepared,
    user: &Map,
    warnings: &mut Warnings,
) -> Result<(), String> {
    process_enabled(chart, user, "", warnings, 0)?;
    process_imports(chart, warnings, 0)
}

fn process_enabled(
    chart: &mut Prepared,
    values: &Map,
    path: &str,
    warnings: &mut Warnings,
    depth: usize,
) -> Result<(), String> {
    let Some(mut reqs) = chart.reqs.clone() else {
        return Ok(());
    };
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let existing = std::mem::take(&mut chart.deps);
    let mut deps: Vec<Prepared> = existing
        .iter()
        .filter(|e| {
            !reqs.iter().any(|r| {
                e.chart.metadata.name == r.name
                    && is_compatible_range(&r.version, &e.chart.metadata.version)
            })
        })
        .cloned()
        .collect();
    for req in reqs.iter_mut() {
        if let Some(found) = existing.iter().find(|e| {
            e.chart.metadata.name == req.name
                && is_compatible_range(&req.version, &e.chart.metadata.version)
        }) {
            let mut copy = found.clone();
            if !req.alias.is_empty() {
                copy.name = req.alias.clone();
            }
            deps.push(copy);
        }
        if !req.alias.is_empty() {
            req.name = req.alias.clone();
        }
    }
    chart.deps = deps;
    for req in reqs.iter_mut() {
        req.enabled = true;
    }
    let cvals = coalesce(chart, values.clone(), "", false, warnings, 0)?;
    // Tags.
    if let Some(tags) = cvals.get("tags").and_then(Value::as_map) {
        for req in reqs.iter_mut() {
            let (mut has_true, mut has_false) = (false, false);
            for tag in &req.tags {
                if let Some(v) = tags.get(tag) {
                    match v.kind {
                        Kind::Bool(true) => has_true = true,
                        Kind::Bool(false) => has_false = true,
                        _ => warnings.push(format!(
                            "returned non-bool value for tag {tag} of chart {}",
                            req.name
                        )),
                    }
                }
            }
            if !has_true && has_false {
                req.enabled = false;
            } else if has_true || !has_false {
                req.enabled = true;
            }
        }
    }
    // Conditions: the first condition path that holds a bool decides.
    for req in reqs.iter_mut() {
        for condition in req.condition.trim().split(',') {
            if condition.is_empty() {
                continue;
            }
            match path_value(&cvals, &format!("{path}{condition}")) {
                Some(Value {
                    kind: Kind::Bool(b),
                    ..
                }) => {
                    req.enabled = *b;
                    break;
                }
                Some(_) => warnings.push(format!(
                    "returned non-bool value for condition {condition} of chart {}",
                    req.name
                )),
                None => {}
            }
        }
    }
    let disabled: Vec<String> = reqs
        .iter()
        .filter(|r| !r.enabled)
        .map(|r| r.name.clone())
        .collect();
    chart.deps.retain(|d| !disabled.contains(&d.name));
    reqs.retain(|r| !disabled.contains(&r.name));
    for sub in chart.deps.iter_mut() {
        let sub_path = format!("{path}{}.", sub.name);
        process_enabled(sub, &cvals, &sub_path, warnings, depth + 1)?;
    }
    chart.reqs = Some(reqs);
    Ok(())
}

fn path_to_map(path: &str, data: Map) -> Map {
    if path == "." {
        return data;
    }
    let mut current = data;
    for part in path.split('.').rev() {
        let mut outer = Map::new();
        outer.insert(part.to_string(), Value::map(current));
        current = outer;
    }
    current
}

/// Go's `%v` of a scalar (for import-values `child`/`parent` given as non-strings).
fn go_string(value: &Value) -> String {
    match &value.kind {
        Kind::Str(s) => s.to_string(),
        Kind::Nil => "<nil>".to_string(),
        Kind::Bool(b) => b.to_string(),
        Kind::Int(i) => i.to_string(),
        Kind::Float(f) => f.to_string(),
        _ => String::new(),
    }
}

fn process_imports(
    chart: &mut Prepared,
    warnings: &mut Warnings,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    for sub in chart.deps.iter_mut() {
        process_imports(sub, warnings, depth + 1)?;
    }
    let Some(mut reqs) = chart.reqs.clone() else {
        return Ok(());
    };
    let cvals = merge_values(chart, Map::new(), warnings)?;
    let mut b = Map::new();
    for req in reqs.iter_mut() {
        let mut normalized = Vec::new();
        for import in &req.import_values {
            match &import.kind {
                Kind::Map(m) => {
                    let child = go_string(m.get("child").unwrap_or(&Value::NIL));
                    let parent = go_string(m.get("parent").unwrap_or(&Value::NIL));
                    let mut entry = Map::new();
                    entry.insert("child".into(), Value::str(child.as_str()));
                    entry.insert("parent".into(), Value::str(parent.as_str()));
                    normalized.push(Value::map(entry));
                    match table(&cvals, &format!("{}.{child}", req.name)) {
                        Some(vv) => coalesce_tables(
                            &mut b,
                            path_to_map(&parent, vv.clone()),
                            "",
                            true,
                            warnings,
                        ),
                        None => warnings.push(format!(
                            "ImportValues missing table from chart {}: {child}",
                            req.name
                        )),
                    }
                }
                Kind::Str(s) => {
                    let child = format!("exports.{s}");
                    let mut entry = Map::new();
                    entry.insert("child".into(), Value::str(child.as_str()));
                    entry.insert("parent".into(), Value::str("."));
                    normalized.push(Value::map(entry));
                    match table(&cvals, &format!("{}.{child}", req.name)) {
                        Some(vm) => coalesce_tables(&mut b, vm.clone(), "", true, warnings),
                        None => warnings.push(format!("ImportValues missing table {child}")),
                    }
                }
                _ => {}
            }
        }
        req.import_values = normalized;
    }
    let mut values = cvals;
    coalesce_tables(&mut values, b, "", true, warnings);
    chart.values = values;
    chart.reqs = Some(reqs);
    Ok(())
}

/// Finds the span of a dotted key path in a values map (for diagnostics about a values key).
pub fn origin_of(values: &Map, path: &str) -> Option<(FileId, Span)> {
    path_value(values, path)
        .and_then(|v| v.origin)
        .map(|o| (o.file, o.span))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helm::chart::{ChartFile, load_files};
    use crate::helm::strvals::to_json;

    fn file(name: &str, text: &str) -> ChartFile {
        ChartFile {
            name: name.to_string(),
            data: text.as_bytes().into(),
        }
    }

    fn json(map: &Map) -> String {
        to_json(&Value::map(map.clone())).to_string()
    }

    /// The chart of the SDK probe (c3): alias, condition, tags, import-values in both forms, globals.
    fn probe_chart() -> Chart {
        load_files(
            vec![
                file(
                    "Chart.yaml",
                    "apiVersion: v2\nname: c3\nversion: 0.1.0\ndependencies:\n  - name: sc\n    version: 0.2.0\n    condition: sc.enabled\n    tags: [t1]\n    alias: scalias\n    import-values:\n      - child: exported\n        parent: fromchild\n      - data\n",
                ),
                file("values.yaml", "sc: {enabled: true}\nscalias:\n  foo: parentfoo\nglobal:\n  g: 1\n"),
                file("charts/sc/Chart.yaml", "apiVersion: v2\nname: sc\nversion: 0.2.0\n"),
                file("charts/sc/values.yaml", "foo: childfoo\nexported: {e: 1}\nexports:\n  data:\n    d: 2\n"),
            ],
            "c3",
            0,
        )
        .unwrap()
    }

    #[test]
    fn dependencies_and_coalescing_match_the_sdk() {
        let mut sources = SourceMap::default();
        let mut prepared = prepare(&probe_chart(), &mut sources).unwrap();
        let mut warnings = Vec::new();
        process_dependencies(&mut prepared, &Map::new(), &mut warnings).unwrap();
        let values = coalesce_values(&prepared, Map::new(), &mut warnings).unwrap();
        // `printf "%v" .Values` with the Helm SDK (v4.2.3):
        // map[d:2 fromchild:map[e:1] global:map[g:1] sc:map[enabled:true]
        //     scalias:map[exported:map[e:1] exports:map[data:map[d:2]] foo:parentfoo global:map[g:1]]]
        assert_eq!(
            json(&values),
            r#"{"d":2.0,"fromchild":{"e":1.0},"global":{"g":1.0},"sc":{"enabled":true},"scalias":{"exported":{"e":1.0},"exports":{"data":{"d":2.0}},"foo":"parentfoo","global":{"g":1.0}}}"#
        );
        assert_eq!(prepared.deps.len(), 1);
        assert_eq!(prepared.deps[0].name, "scalias");
    }

    #[test]
    fn condition_false_and_null_deletes() {
        let mut sources = SourceMap::default();
        let mut prepared = prepare(&probe_chart(), &mut sources).unwrap();
        let mut user = Map::new();
        crate::helm::strvals::parse_into(
            "sc.enabled=false,global.g=null",
            &mut user,
            &crate::helm::strvals::Mode::Typed,
        )
        .unwrap();
        let mut warnings = Vec::new();
        process_dependencies(&mut prepared, &user, &mut warnings).unwrap();
        assert!(prepared.deps.is_empty());
        let values = coalesce_values(&prepared, user, &mut warnings).unwrap();
        assert_eq!(json(&values["global"].as_map().cloned().unwrap()), "{}");
    }

    #[test]
    fn origins_survive_coalescing() {
        let mut sources = SourceMap::default();
        let chart = load_files(
            vec![
                file("Chart.yaml", "name: a\nversion: 1.0.0\n"),
                file("values.yaml", "resources: {}\nimage:\n  tag: x\n"),
            ],
            "a",
            0,
        )
        .unwrap();
        let prepared = prepare(&chart, &mut sources).unwrap();
        let mut user = Map::new();
        crate::helm::strvals::parse_into(
            "image.pull=Always",
            &mut user,
            &crate::helm::strvals::Mode::Typed,
        )
        .unwrap();
        let values = coalesce_values(&prepared, user, &mut Vec::new()).unwrap();
        let (file, span) = origin_of(&values, "resources").unwrap();
        assert_eq!(sources.get(file).slice(span), "resources: {}");
        let (file, span) = origin_of(&values, "image.tag").unwrap();
        assert_eq!(sources.get(file).slice(span), "tag: x");
        assert!(origin_of(&values, "image.pull").is_none());
    }
}
