//! The phone's clock against the server's.
//!
//! Cheap phones lose their date when the battery dies. The phone learns the server's time from
//! the page the server drew (`<meta name="athar-time">`, used while the page hydrates, so the
//! server's markup and the phone's first render count days alike) and from the `Date` header of
//! every answer to a server call; the difference is kept (in localStorage: the next answer
//! brings it back) and every day the app counts uses the corrected clock
//! ([`crate::domain::dates::today_iso`]). When the difference passes a few minutes, every screen
//! says so ([`ClockWarning`]).

use crate::domain::dates::{clock_offset_ms, day_month_time};
use crate::i18n::*;
use crate::ui::sync::use_sync;
use leptos::prelude::*;

/// A difference past this is said on screen: more than a `Date` header's second and a slow
/// link's delay, less than what changes a day near midnight unnoticed.
pub const WRONG_AFTER_MS: i64 = 5 * 60 * 1000;

#[cfg(feature = "hydrate")]
const KEY: &str = "athar/v1/clock";

/// Takes up the offset kept from an earlier run.
#[cfg(feature = "hydrate")]
pub fn restore() {
    use crate::storage::{BrowserStore, KeyRead};
    if let Some(offset) = BrowserStore
        .get(KEY)
        .ok()
        .flatten()
        .and_then(|s| s.parse().ok())
    {
        crate::domain::dates::set_clock_offset_ms(offset);
    }
}

/// The server's time was `server_ms` when its answer (or page) reached this phone just now.
#[cfg(feature = "hydrate")]
pub fn observed(server_ms: i64) {
    use crate::domain::dates::{device_now_ms, set_clock_offset_ms};
    use crate::storage::{BrowserStore, KeyValue};
    let offset = server_ms - device_now_ms();
    let known = clock_offset_ms();
    if (offset - known).abs() <= 2_000 {
        return;
    }
    set_clock_offset_ms(offset);
    let _ = BrowserStore.set(KEY, &offset.to_string());
}

/// Takes the time at which the server drew this page as the server's time now, so the page
/// hydrates counting days as the server did.
#[cfg(feature = "hydrate")]
pub fn from_page() {
    let drawn = leptos::prelude::document()
        .query_selector("meta[name=athar-time]")
        .ok()
        .flatten()
        .and_then(|m| m.get_attribute("content"))
        .and_then(|t| t.parse().ok());
    if let Some(drawn) = drawn {
        observed(drawn);
    }
}

/// "This phone's date seems wrong: 05/12 10:40 instead of 03/12 10:30", on every screen while
/// the phone's clock is off by more than [`WRONG_AFTER_MS`]. Drawn in the browser only (the
/// server cannot know the phone's clock).
#[component]
pub fn ClockWarning() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let mounted = crate::ui::local::mounted();
    move || {
        // Re-read as the clock ticks (the status's `now` moves every 30 s) and after each sync.
        let device_now = sync.status.with(|s| s.now);
        let offset = clock_offset_ms();
        (mounted.get() && offset.abs() > WRONG_AFTER_MS && device_now > 0).then(|| {
            let phone = day_month_time(device_now);
            let server = day_month_time(device_now + offset);
            view! {
                <p class="notice clock-warning" role="alert">
                    <span aria-hidden="true">"🕓 "</span>
                    {t_string!(i18n, clock_wrong, phone, server).to_string()}
                </p>
            }
        })
    }
}
