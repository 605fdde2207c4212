//! What the LimitRanges of a namespace default for containers, as the API server applies them.
//!
//! For a `type: Container` item, the API server first defaults the LimitRange itself: a missing
//! `default` (limit) takes `max`; a missing `defaultRequest` takes `default` (after that step), else
//! `min`. The LimitRanger admission plugin then fills in those values for containers that lack
//! them. So a container's missing memory limit is filled by `default.memory` or `max.memory`, and a
//! missing memory request by `defaultRequest.memory`, `default.memory`, `max.memory` or `min.memory`.

use crate::index::Index;
use crate::object::Object;
use crate::source::Span;
use crate::yaml::EntryRef;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    Limit,
    Request,
}

/// A LimitRange field that supplies a default, with the object it is in.
#[derive(Clone, Copy, Debug)]
pub struct DefaultSource<'a> {
    pub limit_range: &'a Object<'a>,
    /// The entry that supplies the value (`memory: 512Mi` under `default:`).
    pub entry: EntryRef<'a>,
    /// `default`, `defaultRequest`, `max` or `min`.
    pub field: &'static str,
}

impl DefaultSource<'_> {
    pub fn span(&self) -> Span {
        self.entry.head_span()
    }

    pub fn value(&self) -> &str {
        self.entry.value.scalar().unwrap_or("")
    }
}

/// The fields that can default `resource`'s `bound`, in the order the API server consults them.
fn fields(bound: Bound) -> &'static [&'static str] {
    match bound {
        Bound::Limit => &["default", "max"],
        Bound::Request => &["defaultRequest", "default", "max", "min"],
    }
}

/// The first LimitRange field in `namespace` that would default `resource`'s `bound` for a container.
pub fn container_default<'a>(
    index: &Index<'a>,
    namespace: &str,
    resource: &str,
    bound: Bound,
) -> Option<DefaultSource<'a>> {
    for limit_range in index
        .in_namespace(namespace)
        .filter(|o| o.kind == "LimitRange" && o.group.is_empty())
    {
        let Some(items) = limit_range.root.path(&["spec", "limits"]) else {
            continue;
        };
        for item in items.items() {
            if item.get_str("type") != Some("Container") {
                continue;
            }
            for &field in fields(bound) {
                let Some(entry) = item.get(field).and_then(|m| m.entry(resource)) else {
                    continue;
                };
                if entry.value.as_str().is_some_and(|v| !v.trim().is_empty()) {
                    return Some(DefaultSource {
                        limit_range,
                        entry,
                        field,
                    });
                }
            }
        }
    }
    None
}
