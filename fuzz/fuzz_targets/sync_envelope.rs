#![no_main]
//! The sync envelope and the mutations in it, as a phone (or anyone) sends them: whatever the
//! bytes, they are decoded or refused, and each mutation's arguments read and checked against
//! its rules, without a panic.

use app::sync::protocol::{PushRequest, SyncCall};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(call) = serde_json::from_slice::<SyncCall>(data) else {
        return;
    };
    let Ok(push) = serde_json::from_str::<PushRequest>(call.body.get()) else {
        return;
    };
    for m in &push.mutations {
        let _ = app::sync::mutations::target_of(&m.name, m.args.get());
        let _ = app::sync::mutations::recheck(&m.name, m.args.get(), "2026-11-20");
    }
});
