//! Coaching visits and action items on the phone: listed on the project page from the local view
//! (so they show offline, with where each entry stands), captured in a form that saves to the
//! outbox at once.
//!
//! Everything here reads device storage, which the server cannot see: the lists and the form draw
//! after the page has started in the browser (an effect), so the server's markup and the first
//! browser render agree.

use crate::domain::form::AnswerError;
use crate::i18n::*;
use crate::sync::outbox::{Prepared, SaveError};
use crate::ui::kit::draft::Kept;
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
/// message to show. The form's draft, if it keeps one, is removed with them (and kept on again
/// if the save fails).
///
/// Called from event handlers, which may outlive the list that drew them (a sync redraws it):
/// everything it needs is passed in, nothing is looked up in the reactive context.
pub(crate) fn save_then(
    i18n: leptos_i18n::I18nContext<Locale>,
    sync: crate::ui::sync::SyncHandle,
    user: Uuid,
    prepared: Vec<Result<Prepared, SaveError>>,
    draft: Option<Kept>,
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
        let key = draft.map(|d| d.closing());
        let result = crate::ui::sync::save(user, prepared, key).await;
        let saved = result.is_ok();
        if !saved && let Some(d) = draft {
            d.reopen();
        }
        done(result.map(|_| ()).map_err(message));
        if saved {
            sync.saved(user);
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (sync, user, prepared, draft, done);
}

/// What a capture form shows of its last save: the problems found (listed above the form), a
/// save the phone could not make, and "saved".
#[derive(Clone, Copy)]
pub struct Capture {
    pub errors: RwSignal<Vec<AnswerError>>,
    pub storage_error: RwSignal<Option<String>>,
    pub saved: RwSignal<bool>,
    /// The problem summary, focused when a save is refused.
    pub summary: NodeRef<leptos::html::Div>,
    sync: crate::ui::sync::SyncHandle,
    /// The form's draft, removed by the save.
    draft: Option<Kept>,
}

impl Capture {
    /// Made where the form is drawn (it reads the sync handle from there).
    pub(crate) fn new() -> Capture {
        Capture {
            errors: RwSignal::new(Vec::new()),
            storage_error: RwSignal::new(None),
            saved: RwSignal::new(false),
            summary: NodeRef::new(),
            sync: crate::ui::sync::use_sync(),
            draft: None,
        }
    }

    /// The form keeps a draft as it is typed: saving removes it.
    pub(crate) fn keeping(self, draft: Kept) -> Capture {
        Capture {
            draft: Some(draft),
            ..self
        }
    }

    /// Shows `found` above the form, moving focus there when there is any; true when nothing
    /// was found and the save may go on.
    pub(crate) fn passes(&self, found: Vec<AnswerError>) -> bool {
        let passes = found.is_empty();
        self.errors.set(found);
        if !passes {
            self.focus_summary();
        }
        passes
    }

    /// Moves focus to the problems above the form, so a screen reader says them first.
    pub(crate) fn focus_summary(&self) {
        if let Some(el) = self.summary.get_untracked() {
            let _ = el.focus();
        }
    }

    /// Saves the entries on the phone, then says so and goes back to `back`; or says why not.
    pub(crate) fn save(
        &self,
        i18n: leptos_i18n::I18nContext<Locale>,
        user: Uuid,
        entries: Vec<Result<Prepared, SaveError>>,
        navigate: impl Fn(&str, leptos_router::NavigateOptions) + 'static,
        back: String,
    ) {
        let done = saved_then_back(
            i18n,
            self.sync,
            self.saved,
            self.storage_error,
            navigate,
            back,
        );
        save_then(i18n, self.sync, user, entries, self.draft, done);
    }
}

/// Why the phone could not save, above the form.
#[component]
pub(crate) fn SaveProblem(capture: Capture) -> impl IntoView {
    move || {
        capture
            .storage_error
            .get()
            .map(|m| view! { <p class="error-panel" role="alert">{m}</p> })
    }
}

/// "Saved on this phone", beside the form's buttons, once it is.
#[component]
pub(crate) fn SavedNote(capture: Capture) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        capture.saved.get().then(|| view! {
            <p class="notice success" role="status"><span aria-hidden="true">"✓ "</span>{t_string!(i18n, saved_on_phone)}</p>
        })
    }
}
