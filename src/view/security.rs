//! The security settings of a pod and its containers, combined as Kubernetes combines them.
//!
//! Two `securityContext` maps exist. The pod's (`spec.securityContext`, a `PodSecurityContext`)
//! gives defaults; a container's (`containers[].securityContext`, a `SecurityContext`) overrides
//! them field by field:
//!
//! | field | pod | container | effective |
//! |---|---|---|---|
//! | `runAsUser`, `runAsGroup`, `runAsNonRoot`, `seccompProfile`, `seLinuxOptions`, `appArmorProfile`, `windowsOptions` | yes | yes | the container's when set (not null), else the pod's |
//! | `privileged`, `allowPrivilegeEscalation`, `capabilities`, `readOnlyRootFilesystem`, `procMount` | no | yes | the container's only |
//! | `fsGroup`, `supplementalGroups`, `sysctls` | yes | no | the pod's |
//!
//! A container-only field written at pod level is not a field of `PodSecurityContext`: the API
//! server drops it (or, with strict field validation, rejects the object). It protects nothing,
//! and [`ContainerSecurity::misplaced`] finds it so a finding can say so.
//!
//! `allowPrivilegeEscalation` is true unless set to false, and a privileged container or one that
//! adds `CAP_SYS_ADMIN` can always escalate (the API server rejects `allowPrivilegeEscalation:
//! false` together with either): [`ContainerSecurity::escalation`].
//!
//! Seccomp could also be set with the alpha annotations `seccomp.security.alpha.kubernetes.io/pod`
//! and `container.seccomp.security.alpha.kubernetes.io/<container>` on the pod (template). The
//! API server copied them into the fields until Kubernetes 1.27, which removed them; fields win
//! over annotations and the container over the pod.
//!
//! Windows pods (`spec.os.name: windows`, or the older `nodeSelector` `kubernetes.io/os: windows`)
//! have none of the Linux settings (the API server rejects them there): [`PodSecurity::windows`].
//!
//! Values are read leniently: `true`/`false` in any case and YAML 1.1 spellings (`yes`, `on`), and
//! quoted values as their text, since the API server rejects a wrongly typed value anyway and the
//! schema rules report that. A value that still cannot be read is [`Setting::Invalid`], which
//! rules skip rather than guess.

use crate::object::Object;
use crate::source::Span;
use crate::view::{Container, PodSpec, pod_spec};
use crate::yaml::{EntryRef, NodeRef};

/// Kubernetes 1.27 removed the seccomp annotations.
pub const SECCOMP_ANNOTATIONS_REMOVED: crate::kube_version::KubeVersion =
    crate::kube_version::KubeVersion::new(1, 27);

const POD_SECCOMP_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_SECCOMP_ANNOTATION: &str = "container.seccomp.security.alpha.kubernetes.io/";

/// A boolean as Kubernetes would mean it (`true`, `True`, `yes`, `on`…); `None` for anything else.
pub fn bool_value(node: NodeRef<'_>) -> Option<bool> {
    let text = node.as_str()?.trim();
    match text.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "y" => Some(true),
        "false" | "no" | "off" | "n" => Some(false),
        _ => None,
    }
}

/// A whole number (quoted digits accepted).
pub fn int_value(node: NodeRef<'_>) -> Option<i64> {
    node.as_str()?.trim().parse().ok()
}

/// Where an effective setting is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Container,
    Pod,
}

/// A setting that is written: its value, the entry that writes it, and at which level.
#[derive(Clone, Copy, Debug)]
pub struct Found<'a, T> {
    pub value: T,
    pub entry: EntryRef<'a>,
    pub level: Level,
}

/// An effective setting.
#[derive(Clone, Copy, Debug)]
pub enum Setting<'a, T> {
    /// Not written at any level that applies (or written as null).
    Unset,
    Set(Found<'a, T>),
    /// Written, but not readable as the field's type: the API server rejects the object.
    Invalid(EntryRef<'a>),
}

impl<'a, T: Copy> Setting<'a, T> {
    pub fn value(&self) -> Option<T> {
        match self {
            Setting::Set(found) => Some(found.value),
            _ => None,
        }
    }

    pub fn found(&self) -> Option<Found<'a, T>> {
        match self {
            Setting::Set(found) => Some(*found),
            _ => None,
        }
    }

    pub fn is_invalid(&self) -> bool {
        matches!(self, Setting::Invalid(_))
    }
}

/// A Linux capability as written, with its canonical name (`NET_ADMIN` for `cap_net_admin`).
#[derive(Clone, Debug)]
pub struct Capability<'a> {
    pub name: String,
    pub node: NodeRef<'a>,
}

/// The canonical name of a capability: upper case, without the `CAP_` prefix (container runtimes
/// accept both spellings).
pub fn canonical_capability(text: &str) -> String {
    let upper = text.trim().to_ascii_uppercase();
    match upper.strip_prefix("CAP_") {
        Some(rest) => rest.to_string(),
        None => upper,
    }
}

/// Whether a container may gain more privileges than its parent process.
#[derive(Clone, Debug)]
pub enum Escalation<'a> {
    /// `allowPrivilegeEscalation: false` and nothing that overrides it.
    Denied(EntryRef<'a>),
    /// `privileged: true`.
    Privileged(EntryRef<'a>),
    /// `CAP_SYS_ADMIN` in `capabilities.add`.
    SysAdmin(Capability<'a>),
    /// `allowPrivilegeEscalation: true`.
    Allowed(EntryRef<'a>),
    /// Not written: Kubernetes allows escalation.
    Unset,
    /// `allowPrivilegeEscalation` with a value that is not a boolean.
    Invalid(EntryRef<'a>),
}

/// What a seccomp profile does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeccompKind {
    /// `RuntimeDefault` (`runtime/default`, `docker/default` as annotations).
    RuntimeDefault,
    /// `Localhost` (`localhost/<file>`).
    Localhost,
    /// `Unconfined`: no filtering.
    Unconfined,
    /// A profile without a type, or a type Kubernetes does not know: the API server rejects it.
    Unknown,
}

/// A seccomp profile as written, in a field or an annotation.
#[derive(Clone, Copy, Debug)]
pub struct Seccomp<'a> {
    pub kind: SeccompKind,
    /// The `seccompProfile:` entry, or the annotation's entry.
    pub entry: EntryRef<'a>,
    pub level: Level,
    pub annotation: bool,
}

/// The effective seccomp profile of a container.
#[derive(Clone, Copy, Debug, Default)]
pub struct SeccompSetting<'a> {
    /// The profile that applies, if any.
    pub effective: Option<Seccomp<'a>>,
    /// An annotation that would have applied on a cluster older than 1.27 but is ignored here.
    pub ignored_annotation: Option<Seccomp<'a>>,
}

/// A pod's security-relevant settings.
#[derive(Clone, Copy, Debug)]
pub struct PodSecurity<'a> {
    pub spec: PodSpec<'a>,
    /// The pod-level `securityContext:` entry, whatever its value.
    pub context: Option<EntryRef<'a>>,
    /// The pod (template) annotations.
    pub annotations: Option<NodeRef<'a>>,
    /// A Windows pod: Linux-only settings do not exist for it.
    pub windows: bool,
}

impl<'a> PodSecurity<'a> {
    /// The security view of a workload; `None` when `object` has no pod spec.
    pub fn of(object: &Object<'a>) -> Option<PodSecurity<'a>> {
        let spec = pod_spec(object)?;
        let windows = spec
            .node
            .path(&["os", "name"])
            .and_then(|n| n.as_str())
            .is_some_and(|os| os.eq_ignore_ascii_case("windows"))
            || spec.node.get("nodeSelector").is_some_and(|selector| {
                ["kubernetes.io/os", "beta.kubernetes.io/os"]
                    .iter()
                    .any(|key| {
                        selector
                            .get_str(key)
                            .is_some_and(|os| os.eq_ignore_ascii_case("windows"))
                    })
            });
        Some(PodSecurity {
            spec,
            context: spec.node.entry("securityContext"),
            annotations: pod_metadata(object).and_then(|m| m.get("annotations")),
            windows,
        })
    }

    /// The pod-level `securityContext` mapping.
    pub fn context_map(&self) -> Option<NodeRef<'a>> {
        self.context.map(|e| e.value).filter(|v| v.is_map())
    }

    /// `hostNetwork`, `hostPID` or `hostIPC` (any pod-spec boolean) when it is true.
    pub fn enabled(&self, key: &str) -> Option<EntryRef<'a>> {
        self.spec
            .node
            .entry(key)
            .filter(|e| bool_value(e.value) == Some(true))
    }

    /// Every container (containers, init containers, ephemeral containers) with its settings.
    pub fn containers(&self) -> impl Iterator<Item = ContainerSecurity<'a>> + 'a {
        let pod = *self;
        self.spec
            .all_containers()
            .map(move |container| pod.container(container))
    }

    pub fn container(&self, container: Container<'a>) -> ContainerSecurity<'a> {
        ContainerSecurity {
            container,
            context: container.node.entry("securityContext"),
            pod: *self,
        }
    }

    /// The volumes of the pod that mount a path of the node (`hostPath`).
    pub fn host_path_volumes(&self) -> Vec<HostPathVolume<'a>> {
        self.spec
            .node
            .get("volumes")
            .into_iter()
            .flat_map(|v| v.items())
            .filter_map(|volume| {
                let host_path = volume.get("hostPath").filter(|h| h.is_map())?;
                let path = host_path.entry("path")?;
                Some(HostPathVolume {
                    name: volume.get_str("name"),
                    volume,
                    path: path.value.as_str()?,
                    path_entry: path,
                })
            })
            .collect()
    }

    /// The mounts of volume `name` in every container, in container order.
    pub fn mounts_of(&self, name: &str) -> Vec<VolumeMount<'a>> {
        self.spec
            .all_containers()
            .flat_map(|container| {
                container
                    .node
                    .get("volumeMounts")
                    .into_iter()
                    .flat_map(|m| m.items())
                    .filter(move |m| m.get_str("name") == Some(name))
                    .map(move |node| VolumeMount { container, node })
            })
            .collect()
    }

    fn annotation(&self, key: &str) -> Option<EntryRef<'a>> {
        self.annotations
            .and_then(|a| a.entry(key))
            .filter(|e| e.value.as_str().is_some())
    }
}

/// The metadata of the pods a workload makes: a Pod's own, else its template's.
fn pod_metadata<'a>(object: &Object<'a>) -> Option<NodeRef<'a>> {
    let path: &[&str] = match (object.group, object.kind) {
        ("", "Pod") => &["metadata"],
        ("", "PodTemplate") => &["template", "metadata"],
        ("batch", "CronJob") => &["spec", "jobTemplate", "spec", "template", "metadata"],
        _ => &["spec", "template", "metadata"],
    };
    object.root.path(path)
}

/// A `hostPath` volume.
#[derive(Clone, Copy, Debug)]
pub struct HostPathVolume<'a> {
    pub name: Option<&'a str>,
    pub volume: NodeRef<'a>,
    /// The `path:` entry under `hostPath`.
    pub path_entry: EntryRef<'a>,
    pub path: &'a str,
}

/// A `volumeMounts` item of a container.
#[derive(Clone, Copy, Debug)]
pub struct VolumeMount<'a> {
    pub container: Container<'a>,
    pub node: NodeRef<'a>,
}

impl<'a> VolumeMount<'a> {
    /// `readOnly` (false when not written).
    pub fn read_only(&self) -> Setting<'a, bool> {
        read(self.node.entry("readOnly"), Level::Container, bool_value)
    }

    /// Where to point at the mount: its `name:` entry, else its first line.
    pub fn anchor_span(&self) -> Span {
        self.node
            .entry("name")
            .map_or_else(|| self.node.span(), |e| e.head_span())
    }

    pub fn mount_path(&self) -> Option<&'a str> {
        self.node.get_str("mountPath")
    }
}

fn read<'a, T>(
    entry: Option<EntryRef<'a>>,
    level: Level,
    parse: fn(NodeRef<'a>) -> Option<T>,
) -> Setting<'a, T> {
    match entry {
        None => Setting::Unset,
        Some(entry) if entry.value.is_null() => Setting::Unset,
        Some(entry) => match parse(entry.value) {
            Some(value) => Setting::Set(Found {
                value,
                entry,
                level,
            }),
            None => Setting::Invalid(entry),
        },
    }
}

/// One container's security settings, with the pod's defaults applied.
#[derive(Clone, Copy, Debug)]
pub struct ContainerSecurity<'a> {
    pub container: Container<'a>,
    /// The container's `securityContext:` entry, whatever its value.
    pub context: Option<EntryRef<'a>>,
    pub pod: PodSecurity<'a>,
}

impl<'a> ContainerSecurity<'a> {
    fn context_map(&self) -> Option<NodeRef<'a>> {
        self.context.map(|e| e.value).filter(|v| v.is_map())
    }

    /// A container-only field (not null) of the container's `securityContext`.
    pub fn own(&self, key: &str) -> Option<EntryRef<'a>> {
        self.context_map()
            .and_then(|c| c.entry(key))
            .filter(|e| !e.value.is_null())
    }

    /// A field that the pod may default: the container's when written, else the pod's.
    fn inherited<T>(&self, key: &str, parse: fn(NodeRef<'a>) -> Option<T>) -> Setting<'a, T> {
        match read(self.own(key), Level::Container, parse) {
            Setting::Unset => read(
                self.pod.context_map().and_then(|c| c.entry(key)),
                Level::Pod,
                parse,
            ),
            other => other,
        }
    }

    fn container_only<T>(&self, key: &str, parse: fn(NodeRef<'a>) -> Option<T>) -> Setting<'a, T> {
        read(self.own(key), Level::Container, parse)
    }

    pub fn run_as_user(&self) -> Setting<'a, i64> {
        self.inherited("runAsUser", int_value)
    }

    pub fn run_as_group(&self) -> Setting<'a, i64> {
        self.inherited("runAsGroup", int_value)
    }

    pub fn run_as_non_root(&self) -> Setting<'a, bool> {
        self.inherited("runAsNonRoot", bool_value)
    }

    pub fn privileged(&self) -> Setting<'a, bool> {
        self.container_only("privileged", bool_value)
    }

    pub fn allow_privilege_escalation(&self) -> Setting<'a, bool> {
        self.container_only("allowPrivilegeEscalation", bool_value)
    }

    pub fn read_only_root_filesystem(&self) -> Setting<'a, bool> {
        self.container_only("readOnlyRootFilesystem", bool_value)
    }

    pub fn proc_mount(&self) -> Setting<'a, &'a str> {
        self.container_only("procMount", |n| n.as_str())
    }

    /// The `capabilities:` entry of the container's `securityContext`.
    pub fn capabilities_entry(&self) -> Option<EntryRef<'a>> {
        self.own("capabilities")
    }

    /// The items of `capabilities.add` (`list` = `"add"`) or `capabilities.drop` (`"drop"`).
    pub fn capabilities(&self, list: &str) -> Vec<Capability<'a>> {
        self.capabilities_entry()
            .and_then(|c| c.value.get(list))
            .into_iter()
            .flat_map(|l| l.items())
            .filter_map(|node| {
                Some(Capability {
                    name: canonical_capability(node.as_str()?),
                    node,
                })
            })
            .collect()
    }

    /// Whether the container may gain privileges (see [`Escalation`]).
    pub fn escalation(&self) -> Escalation<'a> {
        if let Some(found) = self.privileged().found().filter(|f| f.value) {
            return Escalation::Privileged(found.entry);
        }
        if let Some(cap) = self
            .capabilities("add")
            .into_iter()
            .find(|c| c.name == "SYS_ADMIN")
        {
            return Escalation::SysAdmin(cap);
        }
        match self.allow_privilege_escalation() {
            Setting::Set(Found {
                value: false,
                entry,
                ..
            }) => Escalation::Denied(entry),
            Setting::Set(found) => Escalation::Allowed(found.entry),
            Setting::Unset => Escalation::Unset,
            Setting::Invalid(entry) => Escalation::Invalid(entry),
        }
    }

    /// The seccomp profile that applies (see the module documentation for the order).
    /// `honour_annotations`: whether the target cluster still reads the alpha annotations.
    pub fn seccomp(&self, honour_annotations: bool) -> SeccompSetting<'a> {
        let field = |context: Option<NodeRef<'a>>, level| {
            let entry = context?
                .entry("seccompProfile")
                .filter(|e| !e.value.is_null())?;
            let kind = match entry.value.get_str("type") {
                Some("RuntimeDefault") => SeccompKind::RuntimeDefault,
                Some("Localhost") => SeccompKind::Localhost,
                Some("Unconfined") => SeccompKind::Unconfined,
                _ => SeccompKind::Unknown,
            };
            Some(Seccomp {
                kind,
                entry,
                level,
                annotation: false,
            })
        };
        let annotation = |entry: Option<EntryRef<'a>>, level| {
            let entry = entry?;
            let value = entry.value.as_str()?.trim();
            let kind = if value == "runtime/default" || value == "docker/default" {
                SeccompKind::RuntimeDefault
            } else if value.starts_with("localhost/") {
                SeccompKind::Localhost
            } else if value == "unconfined" {
                SeccompKind::Unconfined
            } else {
                SeccompKind::Unknown
            };
            Some(Seccomp {
                kind,
                entry,
                level,
                annotation: true,
            })
        };
        let container_annotation = self.container.name.and_then(|name| {
            annotation(
                self.pod
                    .annotation(&format!("{CONTAINER_SECCOMP_ANNOTATION}{name}")),
                Level::Container,
            )
        });
        let pod_annotation = annotation(self.pod.annotation(POD_SECCOMP_ANNOTATION), Level::Pod);
        let candidates = [
            field(self.context_map(), Level::Container),
            container_annotation,
            field(self.pod.context_map(), Level::Pod),
            pod_annotation,
        ];
        let mut setting = SeccompSetting::default();
        for candidate in candidates.into_iter().flatten() {
            if candidate.annotation && !honour_annotations {
                setting.ignored_annotation.get_or_insert(candidate);
                continue;
            }
            setting.effective = Some(candidate);
            break;
        }
        setting
    }

    /// A container-only field written in the pod's `securityContext`, where it does nothing.
    pub fn misplaced(&self, key: &str) -> Option<EntryRef<'a>> {
        self.pod
            .context_map()
            .and_then(|c| c.entry(key))
            .filter(|e| !e.value.is_null())
    }

    /// Where to point when a setting is missing: the container's `securityContext:` key when it
    /// is there, else the container's `name:`.
    pub fn missing_span(&self) -> Span {
        match self.context {
            Some(entry) => entry.head_span(),
            None => self.container.anchor_span(),
        }
    }

    /// What the missing-setting span shows, for a label: "`securityContext` does not set …".
    pub fn missing_label(&self, what: &str) -> String {
        match self.context {
            Some(entry) if entry.value.is_empty_value() => {
                format!("`securityContext` is empty, so {what}")
            }
            Some(_) => format!("`securityContext` does not set it, so {what}"),
            None => format!("no `securityContext`, so {what}"),
        }
    }

    /// The container's description for messages (`container "web"`).
    pub fn describe(&self) -> String {
        self.container.describe()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::object::objects_of;
    use crate::source::{FileId, Origin, SourceFile};
    use crate::yaml::{ParsedFile, parse_file};

    fn parse(text: &str) -> ParsedFile {
        let source = Arc::new(SourceFile::new(Origin::Stdin, text.to_string()));
        parse_file(FileId(0), &source)
    }

    /// Runs `f` on the first container of the pod in `pod_yaml` (a Pod's `spec`).
    fn with_container<R>(pod_yaml: &str, f: impl FnOnce(ContainerSecurity<'_>) -> R) -> R {
        let text = format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n{pod_yaml}");
        let parsed = parse(&text);
        let objects = objects_of(&parsed.documents[0]);
        let pod = PodSecurity::of(&objects[0]).expect("a pod");
        let container = pod.containers().next().expect("a container");
        f(container)
    }

    fn text<'a>(entry: EntryRef<'a>) -> &'a str {
        &entry.key.doc.text()[entry.span().range()]
    }

    #[test]
    fn container_overrides_pod() {
        let yaml = "spec:\n  securityContext: {runAsUser: 0, runAsNonRoot: true, runAsGroup: 5}\n  containers:\n    - name: a\n      securityContext: {runAsUser: 1000}\n";
        with_container(yaml, |c| {
            let user = c.run_as_user().found().unwrap();
            assert_eq!(user.value, 1000);
            assert_eq!(user.level, Level::Container);
            let non_root = c.run_as_non_root().found().unwrap();
            assert!(non_root.value);
            assert_eq!(non_root.level, Level::Pod);
            assert_eq!(c.run_as_group().value(), Some(5));
        });
    }

    #[test]
    fn null_container_value_falls_back_to_pod() {
        let yaml = "spec:\n  securityContext: {runAsUser: 0}\n  containers:\n    - name: a\n      securityContext: {runAsUser: null}\n";
        with_container(yaml, |c| {
            let user = c.run_as_user().found().unwrap();
            assert_eq!((user.value, user.level), (0, Level::Pod));
        });
    }

    #[test]
    fn container_only_fields_ignore_the_pod() {
        let yaml = "spec:\n  securityContext: {privileged: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true}\n  containers:\n    - name: a\n";
        with_container(yaml, |c| {
            assert!(matches!(c.privileged(), Setting::Unset));
            assert!(matches!(c.allow_privilege_escalation(), Setting::Unset));
            assert!(matches!(c.read_only_root_filesystem(), Setting::Unset));
            assert_eq!(
                text(c.misplaced("allowPrivilegeEscalation").unwrap()),
                "allowPrivilegeEscalation: false"
            );
            assert!(matches!(c.escalation(), Escalation::Unset));
        });
    }

    #[test]
    fn escalation() {
        let case = |sc: &str| {
            let yaml =
                format!("spec:\n  containers:\n    - name: a\n      securityContext: {sc}\n");
            with_container(&yaml, |c| match c.escalation() {
                Escalation::Denied(_) => "denied",
                Escalation::Privileged(_) => "privileged",
                Escalation::SysAdmin(_) => "sys-admin",
                Escalation::Allowed(_) => "allowed",
                Escalation::Unset => "unset",
                Escalation::Invalid(_) => "invalid",
            })
        };
        assert_eq!(case("{allowPrivilegeEscalation: false}"), "denied");
        assert_eq!(case("{allowPrivilegeEscalation: False}"), "denied");
        assert_eq!(case("{allowPrivilegeEscalation: true}"), "allowed");
        assert_eq!(case("{}"), "unset");
        assert_eq!(case("{allowPrivilegeEscalation: maybe}"), "invalid");
        assert_eq!(
            case("{allowPrivilegeEscalation: false, privileged: true}"),
            "privileged"
        );
        assert_eq!(
            case("{allowPrivilegeEscalation: false, capabilities: {add: [cap_sys_admin]}}"),
            "sys-admin"
        );
        assert_eq!(
            case("{allowPrivilegeEscalation: false, privileged: false}"),
            "denied"
        );
    }

    #[test]
    fn capabilities_are_canonical() {
        let yaml = "spec:\n  containers:\n    - name: a\n      securityContext:\n        capabilities:\n          add: [NET_ADMIN, cap_sys_time, \"all\"]\n          drop: [ALL]\n";
        with_container(yaml, |c| {
            let add: Vec<String> = c.capabilities("add").into_iter().map(|c| c.name).collect();
            assert_eq!(add, ["NET_ADMIN", "SYS_TIME", "ALL"]);
            assert_eq!(c.capabilities("drop")[0].name, "ALL");
        });
    }

    #[test]
    fn seccomp_order_and_annotations() {
        let yaml = "metadata:\n  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: runtime/default\n    container.seccomp.security.alpha.kubernetes.io/a: unconfined\n";
        let pod = |rest: &str| format!("{yaml}{rest}");
        // The annotations only: the container's wins on old clusters, none applies on new ones.
        let text = pod("spec:\n  containers:\n    - name: a\n");
        let parsed = parse(&format!("apiVersion: v1\nkind: Pod\n{text}"));
        let objects = objects_of(&parsed.documents[0]);
        let pod_security = PodSecurity::of(&objects[0]).unwrap();
        let c = pod_security.containers().next().unwrap();
        let old = c.seccomp(true).effective.unwrap();
        assert_eq!(
            (old.kind, old.level, old.annotation),
            (SeccompKind::Unconfined, Level::Container, true)
        );
        let new = c.seccomp(false);
        assert!(new.effective.is_none());
        assert_eq!(new.ignored_annotation.unwrap().level, Level::Container);

        // A pod field beats the pod annotation but not the container annotation (old clusters).
        let text = pod(
            "spec:\n  securityContext: {seccompProfile: {type: RuntimeDefault}}\n  containers:\n    - name: a\n",
        );
        let parsed = parse(&format!("apiVersion: v1\nkind: Pod\n{text}"));
        let objects = objects_of(&parsed.documents[0]);
        let pod_security = PodSecurity::of(&objects[0]).unwrap();
        let c = pod_security.containers().next().unwrap();
        assert_eq!(
            c.seccomp(true).effective.unwrap().kind,
            SeccompKind::Unconfined
        );
        let new = c.seccomp(false).effective.unwrap();
        assert_eq!(
            (new.kind, new.level, new.annotation),
            (SeccompKind::RuntimeDefault, Level::Pod, false)
        );
    }

    #[test]
    fn seccomp_without_type_is_unknown() {
        let yaml = "spec:\n  securityContext: {seccompProfile: {localhostProfile: x.json}}\n  containers:\n    - name: a\n      securityContext: {}\n";
        with_container(yaml, |c| {
            assert_eq!(
                c.seccomp(false).effective.unwrap().kind,
                SeccompKind::Unknown
            );
        });
    }

    #[test]
    fn windows_pods() {
        let windows = |spec: &str| {
            let yaml = format!("spec:\n{spec}  containers:\n    - name: a\n");
            with_container(&yaml, |c| c.pod.windows)
        };
        assert!(windows("  os: {name: windows}\n"));
        assert!(windows("  nodeSelector: {kubernetes.io/os: windows}\n"));
        assert!(!windows("  os: {name: linux}\n"));
        assert!(!windows(""));
    }

    #[test]
    fn lenient_values_and_invalid_ones() {
        let yaml = "spec:\n  containers:\n    - name: a\n      securityContext: {privileged: \"true\", runAsUser: \"1000\", readOnlyRootFilesystem: [x]}\n";
        with_container(yaml, |c| {
            assert_eq!(c.privileged().value(), Some(true));
            assert_eq!(c.run_as_user().value(), Some(1000));
            assert!(c.read_only_root_filesystem().is_invalid());
        });
    }

    #[test]
    fn host_paths_and_mounts() {
        let yaml = "spec:\n  hostNetwork: true\n  hostPID: false\n  volumes:\n    - name: sock\n      hostPath: {path: /var/run/docker.sock}\n    - name: data\n      emptyDir: {}\n  containers:\n    - name: a\n      volumeMounts:\n        - {name: sock, mountPath: /sock, readOnly: true}\n  initContainers:\n    - name: b\n      volumeMounts:\n        - {name: sock, mountPath: /sock}\n";
        with_container(yaml, |c| {
            let pod = c.pod;
            assert!(pod.enabled("hostNetwork").is_some());
            assert!(pod.enabled("hostPID").is_none());
            assert!(pod.enabled("hostIPC").is_none());
            let volumes = pod.host_path_volumes();
            assert_eq!(volumes.len(), 1);
            assert_eq!(volumes[0].path, "/var/run/docker.sock");
            let mounts = pod.mounts_of("sock");
            assert_eq!(mounts.len(), 2);
            assert_eq!(mounts[0].read_only().value(), Some(true));
            assert!(matches!(mounts[1].read_only(), Setting::Unset));
            assert_eq!(mounts[1].container.name, Some("b"));
        });
    }

    #[test]
    fn missing_span_prefers_the_security_context_key() {
        let yaml =
            "spec:\n  containers:\n    - name: a\n      securityContext:\n        runAsUser: 1\n";
        with_container(yaml, |c| {
            let span = c.missing_span();
            assert_eq!(
                &c.container.node.doc.text()[span.range()],
                "securityContext"
            );
        });
        let yaml = "spec:\n  containers:\n    - name: a\n";
        with_container(yaml, |c| {
            let span = c.missing_span();
            assert_eq!(&c.container.node.doc.text()[span.range()], "name: a");
        });
    }
}
