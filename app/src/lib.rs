//! Athar: offline-first follow-up and impact measurement for SSE micro-projects.
//!
//! One crate, two sides: with `ssr` it is the server's renderer and server functions; with
//! `hydrate` it is the WASM that takes over the page in the browser (or, on the offline shell,
//! mounts and routes on its own). Data flows ui → device storage → api → server → db, and back.

#![recursion_limit = "256"]

pub mod api;
pub mod domain;
pub mod error;
#[cfg(feature = "ssr")]
pub mod server;
pub mod storage;
pub mod ui;

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

pub use ui::{App, shell};

/// Entry point called by the hydration script. On a page the server rendered, hydrate it; on the
/// offline shell (served by the service worker when the network is down) there is nothing to
/// hydrate, so mount the app and let the router draw the page from device storage.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    if let Err(e) = storage::device().migrate() {
        leptos::logging::warn!("device storage: {e}");
    }
    let body = leptos::prelude::document().body();
    let on_shell = body
        .as_ref()
        .is_some_and(|b| b.has_attribute(ui::OFFLINE_SHELL_MARKER));
    if on_shell {
        if let Some(body) = body {
            body.set_inner_html("");
        }
        leptos::mount::mount_to_body(App);
    } else {
        leptos::mount::hydrate_body(App);
    }
    // Lets tests (and curious people) know the WASM has taken over the page.
    let _ = js_sys::Reflect::set(
        &leptos::prelude::window(),
        &"__athar_ready".into(),
        &true.into(),
    );
}
