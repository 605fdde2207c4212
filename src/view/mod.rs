//! Thin typed views over the span tree. A view answers a Kubernetes question ("the containers of
//! this workload") while every answer keeps its node, so it can be pointed at.

pub mod image;
pub mod limitrange;
pub mod placement;
pub mod pod;
pub mod scope;
pub mod security;
pub mod selector;

pub use pod::{Container, ContainerKind, PodSpec, pod_spec};
