//! Coaching visits and action items on the phone: listed on the project page from the local view
//! (so they show offline, with where each entry stands), captured in a form that saves to the
//! outbox at once.
//!
//! Everything here reads device storage, which the server cannot see: the lists and the form draw
//! after the page has started in the browser (an effect), so the server's markup and the first
//! browser render agree.

use crate::i18n::*;
use crate::sync::outbox::{Prepared, SaveError};
use crate::ui::text;
use leptos::prelude::*;
use uuid::Uuid;

pub(crate) fn today() -> String {
    crate::domain::dates::today_iso()
}

pub(crate) fn new_id() -> Uuid {
    #[cfg(feature = "hydrate")]
    {
        crate::ui::platform::new_id()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Uuid::nil()
    }
}

/// What a capture form does once its entry is saved on the phone: says so on the form and on
/// the project page, then goes back to `back` (two frames: the first paints "saved"). A save
/// that failed says why on the form, which keeps what was typed.
pub(crate) fn saved_then_back(
    i18n: leptos_i18n::I18nContext<Locale>,
    sync: crate::ui::sync::SyncHandle,
    saved: RwSignal<bool>,
    storage_error: RwSignal<Option<String>>,
    navigate: impl Fn(&str, leptos_router::NavigateOptions) + 'static,
    back: String,
) -> Box<dyn FnOnce(Result<(), String>)> {
    Box::new(move |result| match result {
        Ok(()) => {
            saved.set(true);
            sync.flash
                .set(Some(t_string!(i18n, saved_on_phone).to_string()));
            request_animation_frame(move || {
                request_animation_frame(move || navigate(&back, Default::default()))
            });
        }
        Err(message) => storage_error.set(Some(message)),
    })
}

/// Saves prepared mutations on the phone, in order, then calls `done` with `Ok`, or with the
/// message to show.
///
/// Called from event handlers, which may outlive the list that drew them (a sync redraws it):
/// everything it needs is passed in, nothing is looked up in the reactive context.
pub(crate) fn save_then(
    i18n: leptos_i18n::I18nContext<Locale>,
    sync: crate::ui::sync::SyncHandle,
    user: Uuid,
    prepared: Vec<Result<Prepared, SaveError>>,
    done: Box<dyn FnOnce(Result<(), String>)>,
) {
    let message = move |e: SaveError| match e {
        SaveError::Invalid(f) => text::field_error(i18n, f.code).to_string(),
        SaveError::Storage(crate::storage::StorageError::QuotaExceeded) => {
            t_string!(i18n, save_storage_full).to_string()
        }
        SaveError::Storage(_) => t_string!(i18n, save_storage_other).to_string(),
    };
    // Every entry is checked before the first is written.
    let prepared = match prepared.into_iter().collect::<Result<Vec<_>, _>>() {
        Ok(p) => p,
        Err(e) => return done(Err(message(e))),
    };
    // All of them in one transaction on disk: saved together, or not at all.
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        let result = crate::ui::sync::save(user, prepared).await;
        let saved = result.is_ok();
        done(result.map(|_| ()).map_err(message));
        if saved {
            sync.saved(user);
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (sync, user, prepared, done);
}
