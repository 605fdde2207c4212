//! The loader and the object views: decode arbitrary bytes, build the span tree, find objects and
//! walk every view a rule uses. Nothing here may panic or recurse without bound.
#![no_main]

use std::sync::Arc;

use kpolicy::load::{Loaded, decode};
use kpolicy::object::objects_of;
use kpolicy::source::{FileId, Origin};
use kpolicy::view::pod::pod_spec;
use kpolicy::yaml::parse_file;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Loaded::Text(source) = decode(Origin::Path("fuzz.yaml".into()), data.to_vec()) else {
        return;
    };
    let source = Arc::new(source);
    let parsed = parse_file(FileId(0), &source);
    for doc in &parsed.documents {
        for object in objects_of(doc) {
            let _ = object.display_name();
            let _ = source.line_col(object.anchor_span().start as usize);
            if let Some(pod) = pod_spec(&object) {
                for container in pod.all_containers() {
                    let _ = container.describe();
                    let _ = container.anchor_span();
                }
            }
        }
    }
});
