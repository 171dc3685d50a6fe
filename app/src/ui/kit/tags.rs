//! Coaching visits and action items on the phone: listed on the project page from the local view
//! (so they show offline, with where each entry stands), captured in a form that saves to the
//! outbox at once.
//!
//! Everything here reads device storage, which the server cannot see: the lists and the form draw
//! after the page has started in the browser (an effect), so the server's markup and the first
//! browser render agree.

use crate::i18n::*;
use crate::sync::outbox::SyncState;
use crate::ui::text;
use leptos::prelude::*;

/// The words, icon and class that say where an entry stands.
pub(crate) fn state_tag(i18n: leptos_i18n::I18nContext<Locale>, state: &SyncState) -> Tag {
    let (class, icon) = match state {
        SyncState::Waiting => ("tag waiting", "⏳ "),
        SyncState::Sent => ("tag sent", "✓ "),
        SyncState::Refused { .. } => ("tag refused", "✗ "),
        SyncState::Conflict => ("tag conflict", "⚠ "),
    };
    Tag {
        class,
        icon,
        text: text::sync_state(i18n, state),
    }
}

/// A tag on an entry: an icon (hidden from screen readers) and words.
#[derive(Clone)]
pub struct Tag {
    pub class: &'static str,
    pub icon: &'static str,
    pub text: String,
}

pub(crate) fn plain_tag(text: String) -> Tag {
    Tag {
        class: "tag",
        icon: "",
        text,
    }
}

/// One entry of a list (a visit, an action item): a heading line, its tags, an optional text,
/// and what can be done with it.
#[component]
pub(crate) fn Entry(
    head: String,
    tags: Vec<Tag>,
    text: Option<String>,
    #[prop(optional)] done: bool,
    children: Children,
) -> impl IntoView {
    view! {
        <li class:done=done>
            <p class="entry-head"><strong>{head}</strong></p>
            <p class="entry-state">
                {tags.into_iter().map(|t| view! {
                    <span class=t.class><span aria-hidden="true">{t.icon}</span>{t.text}</span>" "
                }).collect_view()}
            </p>
            {text.map(|t| view! { <p class="entry-text" dir="auto">{t}</p> })}
            {children()}
        </li>
    }
}

/// A supervisor's decision and comment on an entry.
#[component]
pub(crate) fn ReviewNoteView(note: crate::domain::ReviewNote) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="review-note">
            <p><strong>{text::review_line(i18n, &note)}</strong></p>
            {(!note.comment.is_empty()).then(|| view! { <blockquote dir="auto">{note.comment.clone()}</blockquote> })}
        </div>
    }
}
