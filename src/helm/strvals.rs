//! Helm's `--set` syntax (`strvals`): `a.b=c,list[0]=x,arr={x,y}`, `\` escaping `,` `.` `=` `[`,
//! `null` deleting a key (the value is nil until values are coalesced), integers as int64.
//!
//! `--set` types values (`true`, `false`, `null`, integers without a leading zero); `--set-string`
//! keeps every value a string; `--set-file` reads each value from the named file.

use std::sync::Arc;

use crate::helm::value::{Kind, Map, Value};

/// The most a `--set` list index may be (Helm's limit).
const MAX_INDEX: usize = 65_536;
/// How deeply `a.b.c…` may nest (Helm's limit).
const MAX_NESTED_NAME_LEVEL: usize = 30;

/// How values of one `--set` flavour are read.
pub enum Mode<'a> {
    /// `--set`
    Typed,
    /// `--set-string`
    String,
    /// `--set-file`: the value is a path; the reader returns the file's text.
    File(&'a dyn Fn(&str) -> Result<String, String>),
}

enum Stop {
    Eof,
    Error(String),
}

type Step<T> = Result<T, Stop>;

struct Parser<'a> {
    chars: Vec<char>,
    at: usize,
    mode: &'a Mode<'a>,
}

/// Parses one `--set`-style expression into `dest` (later keys overwrite earlier ones).
pub fn parse_into(expression: &str, dest: &mut Map, mode: &Mode<'_>) -> Result<(), String> {
    let mut parser = Parser {
        chars: expression.chars().collect(),
        at: 0,
        mode,
    };
    loop {
        match parser.key(dest, 0) {
            Ok(()) => continue,
            Err(Stop::Eof) => return Ok(()),
            Err(Stop::Error(message)) => return Err(message),
        }
    }
}

fn err<T>(message: impl Into<String>) -> Step<T> {
    Err(Stop::Error(message.into()))
}

fn set(data: &mut Map, key: &str, value: Value) {
    if !key.is_empty() {
        data.insert(key.to_string(), value);
    }
}

fn set_index(mut list: Vec<Value>, index: i64, value: Value) -> Step<Vec<Value>> {
    if index < 0 {
        return err(format!("negative {index} index not allowed"));
    }
    let index = index as usize;
    if index > MAX_INDEX {
        return err(format!(
            "index of {index} is greater than maximum supported index of {MAX_INDEX}"
        ));
    }
    if list.len() <= index {
        list.resize(index + 1, Value::NIL);
    }
    list[index] = value;
    Ok(list)
}

fn type_name(value: &Value) -> &'static str {
    match value.kind {
        Kind::Nil => "nil",
        Kind::Bool(_) => "bool",
        Kind::Int(_) => "int64",
        Kind::Float(_) => "float64",
        Kind::Str(_) => "string",
        Kind::List(_) => "[]interface {}",
        Kind::Map(_) => "map[string]interface {}",
        Kind::Native(_) => "object",
    }
}

/// Go's `strconv.Atoi` (decimal, optional sign).
fn atoi(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// What `--set` makes of a value's text.
fn typed(text: &str) -> Value {
    if text.eq_ignore_ascii_case("true") {
        return Value::bool(true);
    }
    if text.eq_ignore_ascii_case("false") {
        return Value::bool(false);
    }
    if text.eq_ignore_ascii_case("null") {
        return Value::NIL;
    }
    if text == "0" {
        return Value::int(0);
    }
    if !text.is_empty()
        && !text.starts_with('0')
        && let Some(i) = atoi(text)
    {
        return Value::int(i);
    }
    Value::str(text)
}

impl Parser<'_> {
    fn next(&mut self) -> Option<char> {
        let c = self.chars.get(self.at).copied();
        if c.is_some() {
            self.at += 1;
        }
        c
    }

    /// Characters up to one of `stop` (consumed); `\` takes the next character literally.
    /// `Err(Eof)` with the characters read when the input ends first.
    fn until(&mut self, stop: &[char]) -> (String, Option<char>) {
        let mut out = String::new();
        loop {
            match self.next() {
                None => return (out, None),
                Some(c) if stop.contains(&c) => return (out, Some(c)),
                Some('\\') => match self.next() {
                    None => return (out, None),
                    Some(c) => out.push(c),
                },
                Some(c) => out.push(c),
            }
        }
    }

    fn read(&self, text: &str) -> Step<Value> {
        match self.mode {
            Mode::Typed => Ok(typed(text)),
            Mode::String => Ok(Value::str(text)),
            Mode::File(reader) => reader(text).map(Value::str).map_err(Stop::Error),
        }
    }

    fn key(&mut self, data: &mut Map, level: usize) -> Step<()> {
        let (key, last) = self.until(&['=', '[', ',', '.']);
        match last {
            None => {
                if key.is_empty() {
                    Err(Stop::Eof)
                } else {
                    err(format!("key {key:?} has no value"))
                }
            }
            Some('[') => {
                let index = self.index()?;
                let list = match data.get(&key) {
                    None => Vec::new(),
                    Some(v) => match &v.kind {
                        Kind::List(l) => (**l).clone(),
                        _ => {
                            return err(format!(
                                "unable to parse key: interface conversion: interface {{}} is {}, not []interface {{}}",
                                type_name(v)
                            ));
                        }
                    },
                };
                let (list, result) = self.list_item(list, index, level);
                set(data, &key, Value::list(list));
                result
            }
            Some('=') => match self.value_list() {
                Ok(list) => {
                    set(data, &key, Value::list(list));
                    Ok(())
                }
                Err(ListStop::Eof) => {
                    set(data, &key, Value::str(""));
                    Err(Stop::Eof)
                }
                Err(ListStop::NotList) => {
                    let (text, _) = self.until(&[',']);
                    let value = self.read(&text)?;
                    set(data, &key, value);
                    Ok(())
                }
                Err(ListStop::Error(message)) => err(message),
            },
            Some(',') => {
                set(data, &key, Value::str(""));
                err(format!("key {key:?} has no value (cannot end with ,)"))
            }
            Some(_) => {
                // '.'
                let level = level + 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return err(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                    ));
                }
                let mut inner = match data.get(&key) {
                    None => Map::new(),
                    Some(v) => match &v.kind {
                        Kind::Map(m) => (**m).clone(),
                        _ => {
                            return err(format!(
                                "unable to parse key: interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                                type_name(v)
                            ));
                        }
                    },
                };
                let result = self.key(&mut inner, level);
                if result.is_ok() && inner.is_empty() {
                    return err(format!("key map {key:?} has no value"));
                }
                if !inner.is_empty() {
                    let origin = data.get(&key).and_then(|v| v.origin);
                    set(data, &key, Value::map(inner).with_origin(origin));
                }
                result
            }
        }
    }

    fn index(&mut self) -> Step<i64> {
        let (text, last) = self.until(&[']']);
        if last.is_none() {
            return Err(Stop::Eof);
        }
        atoi(&text).ok_or_else(|| {
            Stop::Error(format!(
                "error parsing index: strconv.Atoi: parsing {text:?}: invalid syntax"
            ))
        })
    }

    /// Sets `list[index]` from what follows `]`; returns the list and whether to go on.
    fn list_item(&mut self, list: Vec<Value>, index: i64, level: usize) -> (Vec<Value>, Step<()>) {
        if index < 0 {
            return (list, err(format!("negative {index} index not allowed")));
        }
        let (rest, last) = self.until(&['[', '.', '=']);
        if !rest.is_empty() {
            return (
                list,
                err(format!("unexpected data at end of array index: {rest:?}")),
            );
        }
        match last {
            None => (list, Err(Stop::Eof)),
            Some('=') => {
                let value = match self.value_list() {
                    Ok(items) => Value::list(items),
                    Err(ListStop::Eof) => Value::str(""),
                    Err(ListStop::NotList) => {
                        let (text, _) = self.until(&[',']);
                        match self.read(&text) {
                            Ok(v) => v,
                            Err(e) => return (list, Err(e)),
                        }
                    }
                    Err(ListStop::Error(message)) => return (list, err(message)),
                };
                let backup = list.clone();
                match set_index(list, index, value) {
                    Ok(list) => (list, Ok(())),
                    Err(e) => (backup, Err(e)),
                }
            }
            Some('[') => {
                let next = match self.index() {
                    Ok(n) => n,
                    Err(e) => return (list, Err(e)),
                };
                let current = match list.get(index as usize) {
                    Some(Value {
                        kind: Kind::List(l),
                        ..
                    }) => (**l).clone(),
                    Some(v) if !v.is_nil() => {
                        let message = format!(
                            "unable to parse key: interface conversion: interface {{}} is {}, not []interface {{}}",
                            type_name(v)
                        );
                        return (list, err(message));
                    }
                    _ => Vec::new(),
                };
                let (inner, result) = self.list_item(current, next, level);
                if result.is_err() {
                    return (list, result);
                }
                let backup = list.clone();
                match set_index(list, index, Value::list(inner)) {
                    Ok(list) => (list, Ok(())),
                    Err(e) => (backup, Err(e)),
                }
            }
            Some(_) => {
                // '.': a map inside the list.
                let mut inner = match list.get(index as usize).map(|v| &v.kind) {
                    Some(Kind::Map(m)) => (**m).clone(),
                    _ => Map::new(),
                };
                let result = self.key(&mut inner, level);
                if result.is_err() {
                    return (list, result);
                }
                let backup = list.clone();
                match set_index(list, index, Value::map(inner)) {
                    Ok(list) => (list, Ok(())),
                    Err(e) => (backup, Err(e)),
                }
            }
        }
    }

    fn value_list(&mut self) -> Result<Vec<Value>, ListStop> {
        match self.chars.get(self.at) {
            None => return Err(ListStop::Eof),
            Some('{') => self.at += 1,
            Some(_) => return Err(ListStop::NotList),
        }
        let mut items = Vec::new();
        loop {
            let (text, last) = self.until(&[',', '}']);
            match last {
                None => return Err(ListStop::Error("list must terminate with '}'".into())),
                Some('}') => {
                    if self.chars.get(self.at) == Some(&',') {
                        self.at += 1;
                    }
                    let value = self.read(&text).map_err(ListStop::from)?;
                    items.push(value);
                    return Ok(items);
                }
                Some(_) => {
                    let value = self.read(&text).map_err(ListStop::from)?;
                    items.push(value);
                }
            }
        }
    }
}

enum ListStop {
    Eof,
    NotList,
    Error(String),
}

impl From<Stop> for ListStop {
    fn from(stop: Stop) -> Self {
        match stop {
            Stop::Eof => ListStop::Eof,
            Stop::Error(message) => ListStop::Error(message),
        }
    }
}

/// Renders a map as JSON (for tests comparing with the Helm SDK's `parse_set_string`).
pub fn to_json(value: &Value) -> serde_json::Value {
    match &value.kind {
        Kind::Nil | Kind::Native(_) => serde_json::Value::Null,
        Kind::Bool(b) => serde_json::Value::Bool(*b),
        Kind::Int(i) => serde_json::Value::from(*i),
        Kind::Float(f) => serde_json::Number::from_f64(*f)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        Kind::Str(s) => serde_json::Value::String(s.to_string()),
        Kind::List(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        Kind::Map(map) => {
            serde_json::Value::Object(map.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

/// A map as a [`Value`] (convenience for callers holding a bare map).
pub fn map_value(map: Map) -> Value {
    Value::new(Kind::Map(Arc::new(map)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(expression: &str, mode: &Mode<'_>) -> Result<String, String> {
        let mut map = Map::new();
        parse_into(expression, &mut map, mode)?;
        Ok(to_json(&map_value(map)).to_string())
    }

    #[test]
    fn matches_helm_strvals() {
        // Expected outputs from the Helm SDK's `parse_set_string` (helm-python-sdk 0.2.2, Helm v4.2.3).
        for (input, want) in [
            (
                "a=1,b.c=two,ports={80,443}",
                r#"{"a":1,"b":{"c":"two"},"ports":[80,443]}"#,
            ),
            ("a=", r#"{"a":""}"#),
            ("a=null", r#"{"a":null}"#),
            ("a=007,b=-5,c=+5,d=0", r#"{"a":"007","b":-5,"c":5,"d":0}"#),
            ("a=TRUE,b=False", r#"{"a":true,"b":false}"#),
            (r"a\.b=c\,d", r#"{"a.b":"c,d"}"#),
            ("list[2]=x", r#"{"list":[null,null,"x"]}"#),
            (
                "list[0].name=a,list[1].name=b",
                r#"{"list":[{"name":"a"},{"name":"b"}]}"#,
            ),
            ("m[0][1]=x", r#"{"m":[[null,"x"]]}"#),
            ("a={}", r#"{"a":[""]}"#),
            ("a=b=c", r#"{"a":"b=c"}"#),
            ("a.b.c=1,a.b.d=2", r#"{"a":{"b":{"c":1,"d":2}}}"#),
        ] {
            assert_eq!(parse(input, &Mode::Typed).as_deref(), Ok(want), "{input}");
        }
        assert_eq!(
            parse("a=1,b=true", &Mode::String).as_deref(),
            Ok(r#"{"a":"1","b":"true"}"#)
        );
    }

    #[test]
    fn errors_like_helm() {
        for (input, want) in [
            ("a", "key \"a\" has no value"),
            ("a,b=1", "cannot end with ,"),
            ("a[x]=1", "error parsing index"),
            ("a={1,2", "list must terminate with '}'"),
            ("a[70000]=1", "greater than maximum supported index"),
        ] {
            let got = parse(input, &Mode::Typed).unwrap_err();
            assert!(got.contains(want), "{input}: {got}");
        }
        let mut map = Map::new();
        map.insert("a".into(), Value::float(1.0));
        let got = parse_into("a.b=1", &mut map, &Mode::Typed).unwrap_err();
        assert!(got.contains("not map"), "{got}");
    }

    #[test]
    fn set_file_reads_the_file() {
        let reader = |path: &str| -> Result<String, String> { Ok(format!("<{path}>")) };
        assert_eq!(
            parse("a=x.txt", &Mode::File(&reader)).as_deref(),
            Ok(r#"{"a":"<x.txt>"}"#)
        );
    }
}
