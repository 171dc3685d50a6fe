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
pub mod sync;
pub mod ui;

/// The translations, generated from `locales/*.json` by `build.rs` (leptos_i18n).
#[allow(
    clippy::expect_used,
    reason = "generated code: locale ids parsed from literals"
)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));
}
pub use generated::i18n;

pub use ui::{App, shell};

/// The i18n layer takes the starting language from `<html lang>`, which the server sets on every
/// page it renders. The offline shell was rendered once, without knowing the user, so set it here
/// from the saved choice (the cookie the language switch writes), else the browser's language.
#[cfg(feature = "hydrate")]
fn shell_language() {
    use wasm_bindgen::JsCast;
    let document = leptos::prelude::document();
    let saved = document
        .dyn_ref::<web_sys::HtmlDocument>()
        .and_then(|d| d.cookie().ok())
        .and_then(|cookies| {
            cookies
                .split(';')
                .filter_map(|c| c.trim().split_once('='))
                .find(|(k, _)| *k == ui::kit::layout::LANGUAGE_COOKIE)
                .map(|(_, v)| v.to_owned())
        });
    let browser = leptos::prelude::window()
        .navigator()
        .language()
        .unwrap_or_default();
    let lang = match saved
        .as_deref()
        .unwrap_or(browser.get(..2).unwrap_or_default())
    {
        "ar" => "ar",
        "en" => "en",
        _ => "fr",
    };
    if let Some(html) = document.document_element() {
        let _ = html.set_attribute("lang", lang);
        let _ = html.set_attribute("dir", if lang == "ar" { "rtl" } else { "ltr" });
    }
}

/// Entry point called by the hydration script. On a page the server rendered, hydrate it; on the
/// offline shell (served by the service worker when the network is down) there is nothing to
/// hydrate, so mount the app and let the router draw the page from device storage.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Readable panics in development; in release the hook's formatting code is not worth its bytes.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    ui::clock::restore();
    ui::platform::start_executor();
    wasm_bindgen_futures::spawn_local(async move {
        // The outbox is read from disk before any page draws from it (and moved in from an older
        // layout if need be). Without IndexedDB the app still opens; saving then says why not.
        if let Err(e) = storage::durable::open().await {
            leptos::logging::warn!("device storage: {e}");
        }
        let body = leptos::prelude::document().body();
        let on_shell = body
            .as_ref()
            .is_some_and(|b| b.has_attribute(ui::OFFLINE_SHELL_MARKER));
        // The previous load stopped while hydrating this page (`platform.js`): draw it here.
        if on_shell || ui::platform::draw_here() {
            if let Some(body) = body {
                body.set_inner_html("");
            }
            shell_language();
            ui::prepare_language().await;
            leptos::mount::mount_to_body(App);
            ready();
        } else if let Some(body) = body {
            ui::clock::from_page();
            ui::prepare_language().await;
            // Hydrating is a task of its own, after the one that made the language; what it
            // starts runs from the next task on (`hold_started_work`).
            ui::platform::next_task().await;
            let started = ui::platform::hold_started_work();
            // Asynchronous: a page whose code is a chunk of its own (`ui::chunks`) is hydrated
            // once that chunk is here.
            let title = leptos::prelude::document().title();
            leptos::mount::hydrate_from_async(body, App).await.forget();
            // `leptos_meta` blanks the title as it hydrates it and sets it again in work held to
            // the next task: the page keeps the title it came with until then.
            if leptos::prelude::document().title().is_empty() {
                leptos::prelude::document().set_title(&title);
            }
            // Taken over once that work has started too.
            started.await;
            ready();
        }
    });
}

/// Lets tests (and curious people) know the WASM has taken over the page, and the service
/// worker's client that it may now fetch the whole app for offline use (`athar-ready`).
#[cfg(feature = "hydrate")]
fn ready() {
    let window = leptos::prelude::window();
    let _ = js_sys::Reflect::set(&window, &"__athar_ready".into(), &true.into());
    if let Ok(event) = web_sys::Event::new("athar-ready") {
        let _ = window.dispatch_event(&event);
    }
}
