//! What a reviewer decides on a card, the review it had before, and its history.

use crate::domain::form::{Answers, FormDefinition};
use crate::domain::visit::check_review;
use crate::domain::{HistoryEvent, ReviewDecision, ReviewNote};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::kit::visit_fields::FIELDS;
use crate::ui::pages::review::queue::cards::registry_facts;
use crate::ui::text;
use crate::ui::text::pick;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use std::sync::Arc;
use uuid::Uuid;

/// The comment and the two buttons; `send` asks the server, on the version the supervisor read.
#[component]
pub(crate) fn Decision<F, Fut>(
    id: Uuid,
    done: fn(I18nContext<Locale>, ReviewDecision) -> &'static str,
    refetch: impl Fn() + Copy + Send + Sync + 'static,
    send: F,
) -> impl IntoView
where
    F: Fn(ReviewDecision, String) -> Fut + Copy + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<i64, AppError>> + 'static,
{
    let i18n = use_i18n();
    let comment = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let comment_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let decided = RwSignal::new(None::<ReviewDecision>);
    let decide = move |decision: ReviewDecision| {
        let text = comment.get_untracked();
        if let Err(e) = check_review(decision, &text) {
            comment_error.set(Some(text::field_error(i18n, e.code).to_owned()));
            return;
        }
        comment_error.set(None);
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match send(decision, text).await {
                Ok(_) => decided.set(Some(decision)),
                Err(e) => {
                    let message = match &e {
                        AppError::Invalid { code, .. } => text::field_error(i18n, code).to_owned(),
                        _ => text::error(i18n, &e),
                    };
                    error.set(Some(message));
                    busy.set(false);
                    // A stale decision: the queue shows the entries as they are now.
                    if e == AppError::Stale {
                        refetch();
                    }
                }
            }
        });
    };
    let comment_id = format!("comment-{id}");
    let hint_id = format!("comment-hint-{id}");
    let error_id = format!("comment-error-{id}");
    view! {
        {move || match decided.get() {
            Some(d) => view! {
                <p class="notice success" role="status"><span aria-hidden="true">"✓ "</span>{done(i18n, d)}</p>
            }.into_any(),
            None => {
                let (comment_id, hint_id, error_id) = (comment_id.clone(), hint_id.clone(), error_id.clone());
                let described = format!("{hint_id} {error_id}");
                view! {
                    <div class="field">
                        <label for=comment_id.clone()>{t_string!(i18n, review_comment)}</label>
                        <p class="hint" id=hint_id>{t_string!(i18n, review_comment_hint)}</p>
                        <textarea id=comment_id rows="3" aria-describedby=described
                            aria-invalid=move || comment_error.with(Option::is_some).to_string()
                            prop:value=move || comment.get()
                            on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                        <p class="field-error" id=error_id>{move || comment_error.get()}</p>
                    </div>
                    <div class="actions">
                        <button type="button" class="primary" disabled=move || busy.get()
                            on:click=move |_| decide(ReviewDecision::Validate)>{t_string!(i18n, validate)}</button>
                        <button type="button" disabled=move || busy.get()
                            on:click=move |_| decide(ReviewDecision::Return)>{t_string!(i18n, return_entry)}</button>
                    </div>
                }.into_any()
            }
        }}
        {move || error.get().map(|m| view! {
            <p class="notice error" role="alert"><span aria-hidden="true">"⚠ "</span>{m}</p>
        })}
    }
}

/// Every version and decision of an entry, oldest first; each version says which fields changed
/// (for an entry kept as form answers, named as its `form` asks them).
#[component]
pub(crate) fn History(
    events: Vec<HistoryEvent>,
    members: Vec<(Uuid, String)>,
    form: Option<Arc<FormDefinition>>,
) -> impl IntoView {
    let i18n = use_i18n();
    if events.is_empty() {
        return view! { <p>{t_string!(i18n, history_empty)}</p> }.into_any();
    }
    let mut previous = None;
    let mut previous_answers: Option<Answers> = None;
    let mut previous_record: Option<Vec<(&'static str, String)>> = None;
    let mut n = 0;
    let changed_text = |changed: Vec<String>| {
        if changed.is_empty() {
            t_string!(i18n, history_unchanged).to_string()
        } else {
            t_string!(i18n, history_changed, fields = changed.join(", ")).to_string()
        }
    };
    let steps: Vec<_> = events
        .into_iter()
        .map(|event| match event {
            HistoryEvent::Revision { by, at, fields, .. } => {
                n += 1;
                let head = t_string!(i18n, history_revision, n = n, name = by, day = text::day(&crate::domain::dates::tunis_day(&at))).to_string();
                let change = match previous.replace(fields.clone()) {
                    None => t_string!(i18n, history_first).to_string(),
                    Some(before) => changed_text(
                        FIELDS
                            .into_iter()
                            .filter(|f| f.show(i18n, &before, &members) != f.show(i18n, &fields, &members))
                            .map(|f| f.label(i18n).to_owned())
                            .collect(),
                    ),
                };
                view! { <li><strong>{head}</strong><br />{change}</li> }.into_any()
            }
            HistoryEvent::Answers { by, at, answers, .. } => {
                n += 1;
                let head = t_string!(i18n, history_revision, n = n, name = by, day = text::day(&crate::domain::dates::tunis_day(&at))).to_string();
                let change = match previous_answers.replace(answers.clone()) {
                    None => t_string!(i18n, history_first).to_string(),
                    Some(before) => changed_text(
                        form.iter()
                            .flat_map(|f| f.fields.iter())
                            .filter(|f| before.get(&f.name) != answers.get(&f.name))
                            .map(|f| pick(&f.label, i18n.get_locale_untracked()))
                            .collect(),
                    ),
                };
                view! { <li><strong>{head}</strong><br />{change}</li> }.into_any()
            }
            HistoryEvent::Registry { by, at, record, .. } => {
                n += 1;
                let head = t_string!(i18n, history_revision, n = n, name = by, day = text::day(&crate::domain::dates::tunis_day(&at))).to_string();
                let facts = registry_facts(i18n, &record);
                let change = match previous_record.replace(facts.clone()) {
                    None => t_string!(i18n, history_first).to_string(),
                    Some(before) => changed_text(
                        facts
                            .iter()
                            .zip(before.iter())
                            .filter(|(now, then)| now.1 != then.1)
                            .map(|(now, _)| now.0.to_owned())
                            .collect(),
                    ),
                };
                view! { <li><strong>{head}</strong><br />{change}</li> }.into_any()
            }
            HistoryEvent::Review { decision, comment, by, at } => {
                let note = ReviewNote { decision, comment: comment.clone(), by: None, by_name: by, at };
                view! {
                    <li class="review-step">
                        <strong>{text::review_line(i18n, &note)}</strong>
                        {(!comment.is_empty()).then(|| view! { <blockquote>{comment}</blockquote> })}
                    </li>
                }.into_any()
            }
        })
        .collect();
    view! { <ol class="history-steps">{steps}</ol> }.into_any()
}
