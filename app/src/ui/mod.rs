//! The user interface: the document shell, the router and the pages.
//!
//! Pages read their data through [`data`], which asks the server when it can and falls back to
//! what this device stored at the last online visit; components stay thin.

mod chunks;
pub mod clock;
pub mod data;
#[cfg(feature = "hydrate")]
pub mod evidence;
pub mod form_store;
pub mod kit;
pub mod local;
pub mod pages;
#[cfg(feature = "hydrate")]
pub mod platform;
pub mod routes;
pub mod sync;
pub mod text;

use crate::i18n::*;
use leptos::children::ToChildren;
use leptos::nonce::use_nonce;
use leptos::prelude::*;
use leptos::tachys::view::iterators::StaticVec;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{RouteChildren, Router, Routes, RoutesProps};

/// The attribute on `<body>` that marks the data-free offline shell.
pub const OFFLINE_SHELL_MARKER: &str = "data-offline-shell";

/// Registers the service worker and lets a new version take over only when the page agrees.
/// (Plain JS: it must run even where the WASM has not loaded yet.)
const SERVICE_WORKER_JS: &str = include_str!(concat!(env!("OUT_DIR"), "/service_worker_client.js"));

/// Where the evidence script (`files.js`, see `evidence.rs`) is served: its name changes with
/// its content.
pub const FILES_SCRIPT_URL: &str = env!("ATHAR_FILES_SCRIPT");

/// Browser plumbing for sync (tab slot, cross-tab lock, gzip uploads): see `platform.rs`.
const PLATFORM_JS: &str = include_str!(concat!(env!("OUT_DIR"), "/platform.js"));

/// The HTML document around the app, rendered by the server for every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <DocumentHead options=options.clone() />
                // When the server drew this page: the phone counts days by it while it hydrates
                // (`ui::clock`), whatever its own clock says.
                <meta name="athar-time" content=crate::domain::dates::now_ms().to_string() />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The data-free shell the service worker caches: the same head, an empty marked body. Opened
/// offline, the WASM mounts the app into it and routes on the client.
pub fn offline_shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="fr" dir="ltr">
            <head>
                <DocumentHead options=options.clone() />
                <title>"Athar"</title>
            </head>
            <body data-offline-shell="">
                <noscript>"Athar a besoin de JavaScript. · يحتاج أثر إلى جافاسكريبت. · Athar needs JavaScript."</noscript>
            </body>
        </html>
    }
}

#[component]
fn DocumentHead(options: LeptosOptions) -> impl IntoView {
    view! {
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="theme-color" content="#14532d" />
        <meta name="description" content="Athar – suivi et mesure d'impact des projets ESS, hors ligne." />
        <link rel="manifest" href="/manifest.webmanifest" />
        <link rel="icon" href="/icons/icon-192.png" type="image/png" />
        <link rel="apple-touch-icon" href="/icons/icon-192.png" />
        <AutoReload options=options.clone() />
        <HydrationScripts options=options.clone() />
        {stylesheet(&options)}
        <script nonce=use_nonce()>{PLATFORM_JS}</script>
        <script nonce=use_nonce()>{SERVICE_WORKER_JS}</script>
    }
}

/// The stylesheet of this build, in the page (see `server::assets`), or linked if it could not be
/// read.
#[cfg(feature = "ssr")]
fn stylesheet(options: &LeptosOptions) -> impl IntoView + use<> {
    let assets = crate::server::assets::site_assets(options);
    match &assets.css {
        Some(css) => view! { <style>{css.as_str()}</style> }.into_any(),
        None => view! { <link rel="stylesheet" href=assets.css_url.clone() /> }.into_any(),
    }
}

/// The shell is only ever rendered by the server.
#[cfg(not(feature = "ssr"))]
fn stylesheet(_options: &LeptosOptions) -> impl IntoView + use<> {}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    #[cfg(feature = "hydrate")]
    if let Some(language) = LANGUAGE.with(std::cell::Cell::get) {
        provide_context(language);
    }
    view! {
        <I18nContextProvider>
            <Synced />
        </I18nContextProvider>
    }
}

#[cfg(feature = "hydrate")]
thread_local! {
    static LANGUAGE: std::cell::Cell<Option<leptos_i18n::I18nContext<Locale>>> = const { std::cell::Cell::new(None) };
}

/// Makes the page's language context before the page is hydrated or drawn (the `<html>` element's
/// `lang` already says which); [`App`] provides it, and `I18nContextProvider` takes a context it
/// finds instead of making its own.
///
/// `leptos_i18n` sets a new context's language, once more and to the same value, in an effect
/// that runs after the first draw; every text that reads the language (the list of projects, the
/// header, the sync bar) was then drawn twice as the page started. Made here, that effect has run
/// before anything reads the language.
#[cfg(feature = "hydrate")]
pub async fn prepare_language() {
    // Effects need the executor (`platform::start_executor`, started by `hydrate`).
    let owner = Owner::new();
    let language = owner.with(leptos_i18n::context::init_i18n_context::<Locale>);
    leptos::task::tick().await;
    // The context lives as long as the page.
    std::mem::forget(owner);
    LANGUAGE.with(|cell| cell.set(Some(language)));
}

/// The app within its language: sync (which writes some of the header's words) and the pages.
#[component]
fn Synced() -> impl IntoView {
    sync::provide_sync();
    view! {
        <Title text="Athar" />
        <Router>
            {Routes(
                RoutesProps::builder()
                    .fallback(kit::panels::NotFoundPage)
                    .children(RouteChildren::to_children(|| StaticVec::from(routes::routes())))
                    .build(),
            )}
        </Router>
    }
}
