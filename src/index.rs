//! The read-only cross-object index, built once per run, for rules that look across objects
//! (a Namespace and its LimitRange, a Service and its pods, an Ingress and its Service).

use std::any::{Any, TypeId};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use crate::object::Object;
use crate::view::{PodSpec, pod_spec};

pub struct Index<'a> {
    objects: &'a [Object<'a>],
    default_namespace: &'a str,
    by_kind: HashMap<&'a str, Vec<usize>>,
    /// kind → namespace → name → objects (nested so lookups borrow nothing from the caller).
    by_key: HashMap<&'a str, HashMap<&'a str, HashMap<&'a str, Vec<usize>>>>,
    /// Namespace → objects in it (namespaced after defaulting; sorted for stable iteration).
    by_namespace: BTreeMap<&'a str, Vec<usize>>,
    /// Results that several rules derive from the whole set (see [`Index::memo`]).
    memo: Mutex<HashMap<TypeId, Arc<Memo>>>,
}

type Memo = OnceLock<Arc<dyn Any + Send + Sync>>;

impl<'a> Index<'a> {
    pub fn new(objects: &'a [Object<'a>], default_namespace: &'a str) -> Index<'a> {
        let mut by_kind: HashMap<&'a str, Vec<usize>> = HashMap::new();
        let mut by_key: HashMap<&'a str, HashMap<&'a str, HashMap<&'a str, Vec<usize>>>> =
            HashMap::new();
        let mut by_namespace: BTreeMap<&'a str, Vec<usize>> = BTreeMap::new();
        for (i, object) in objects.iter().enumerate() {
            by_kind.entry(object.kind).or_default().push(i);
            let namespace = object.namespace.unwrap_or(default_namespace);
            if let Some(name) = object.name {
                by_key
                    .entry(object.kind)
                    .or_default()
                    .entry(namespace)
                    .or_default()
                    .entry(name)
                    .or_default()
                    .push(i);
            }
            by_namespace.entry(namespace).or_default().push(i);
        }
        Index {
            objects,
            default_namespace,
            by_kind,
            by_key,
            by_namespace,
            memo: Mutex::new(HashMap::new()),
        }
    }

    /// A value of type `T` computed once per run from the set and shared by every rule that asks
    /// for it (the four schema rules validate the custom resources once between them). The first
    /// caller computes it; callers that arrive meanwhile wait for it. Values are keyed by type.
    ///
    /// In phase two's parallel loop, `init` must not use the rayon pool (`par_iter`, `join`): a
    /// worker that waits here for another caller's `init` cannot run the pool's jobs, and if it
    /// had stolen one of `init`'s jobs before it started waiting, neither can finish (this hung a
    /// three-thread run of the bench when the custom-resource check validated kinds in parallel
    /// from `check_set`). Work worth the pool is computed in [`crate::rules::Rule::prepare_set`]:
    /// the engine calls it for one preparing rule at a time, beside the `check_set` of the rules
    /// that do not read it, and runs the `check_set` of those that do once it is done, so no
    /// caller waits on such a memo while its `init` runs.
    pub fn memo<T: Any + Send + Sync>(&self, init: impl FnOnce() -> T) -> Arc<T> {
        let cell = {
            let mut memo = self.memo.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(memo.entry(TypeId::of::<T>()).or_default())
        };
        let value = cell.get_or_init(|| Arc::new(init()) as Arc<dyn Any + Send + Sync>);
        Arc::clone(value)
            .downcast::<T>()
            .expect("memo values are keyed by their type")
    }

    pub fn objects(&self) -> &'a [Object<'a>] {
        self.objects
    }

    pub fn default_namespace(&self) -> &'a str {
        self.default_namespace
    }

    /// The namespace `object` lands in.
    pub fn namespace_of(&self, object: &Object<'a>) -> &'a str {
        object.namespace.unwrap_or(self.default_namespace)
    }

    pub fn of_kind<'s>(&'s self, kind: &str) -> impl Iterator<Item = &'a Object<'a>> + use<'s, 'a> {
        let objects = self.objects;
        self.by_kind
            .get(kind)
            .into_iter()
            .flatten()
            .map(move |&i| &objects[i])
    }

    /// Objects of `kind` named `name` in `namespace` (more than one when the set repeats an object).
    pub fn lookup<'s>(
        &'s self,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> impl Iterator<Item = &'a Object<'a>> + use<'s, 'a> {
        let objects = self.objects;
        self.by_key
            .get(kind)
            .and_then(|m| m.get(namespace))
            .and_then(|m| m.get(name))
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(move |&i| &objects[i])
    }

    pub fn in_namespace<'s>(
        &'s self,
        namespace: &str,
    ) -> impl Iterator<Item = &'a Object<'a>> + use<'s, 'a> {
        let objects = self.objects;
        self.by_namespace
            .get(namespace)
            .into_iter()
            .flatten()
            .map(move |&i| &objects[i])
    }

    /// Namespaces used by objects of the set, in sorted order.
    pub fn namespaces(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.by_namespace.keys().copied()
    }

    /// Workloads with their pod specs.
    pub fn workloads(&self) -> impl Iterator<Item = (&'a Object<'a>, PodSpec<'a>)> + '_ {
        self.objects
            .iter()
            .filter_map(|o| pod_spec(o).map(|p| (o, p)))
    }
}
