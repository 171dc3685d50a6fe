//! `/review`: the supervisor's queue on the tablet. Every submitted visit of their incubators,
//! oldest first, filtered by incubator, value chain, facilitator and waiting time; each read in
//! full with its history, then validated, or returned with a comment that reaches the
//! facilitator's phone at the next sync. Online: decisions are made on the server's current
//! version, and a decision on a version that moved on is refused as stale.

use super::pages::ErrorPanel;
use super::review::{FIELDS, Field, ReviewFrame};
use super::text;
use crate::api::{review_queue, review_visit};
use crate::domain::dates::{days_between, today_iso};
use crate::domain::visit::check_review;
use crate::domain::{HistoryEvent, ReviewDecision, ReviewItem, ReviewNote, Role};
use crate::error::AppError;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use uuid::Uuid;

/// The filters, as chosen in the selects ("" is every value).
#[derive(Clone, Default, PartialEq)]
struct Filter {
    incubator: String,
    value_chain: String,
    facilitator: String,
    /// Waiting more than this many days; 0 is any.
    older_than: i64,
}

/// The waiting times a supervisor filters by, in days.
const AGES: [i64; 3] = [3, 7, 14];

fn value_chain_name(i18n: I18nContext<Locale>, item: &ReviewItem) -> String {
    let names = &item.value_chain;
    match i18n.get_locale() {
        Locale::fr => names.fr.clone(),
        Locale::ar => names.ar.clone(),
        Locale::en => names.en.clone(),
    }
}

/// Days since the server received the version waiting.
fn waiting_days(item: &ReviewItem) -> i64 {
    let day = item.submitted_at.get(..10).unwrap_or_default();
    days_between(day, &today_iso()).unwrap_or(0).max(0)
}

impl Filter {
    fn keeps(&self, i18n: I18nContext<Locale>, item: &ReviewItem) -> bool {
        (self.incubator.is_empty() || self.incubator == item.incubator)
            && (self.value_chain.is_empty() || self.value_chain == value_chain_name(i18n, item))
            && (self.facilitator.is_empty() || self.facilitator == item.facilitator)
            && (self.older_than == 0 || waiting_days(item) > self.older_than)
    }
}

#[component]
pub fn ReviewQueuePage() -> impl IntoView {
    let i18n = use_i18n();
    let items = Resource::new(|| (), |_| review_queue());
    view! {
        <ReviewFrame
            allowed=|role| matches!(role, Role::Supervisor | Role::Team)
            title=t_string!(i18n, review_title)
            intro=t_string!(i18n, review_intro)
        >
            {move || items.get().map(|r| match r {
                Ok(list) if list.is_empty() => view! {
                    <p class="notice success" role="status">{t_string!(i18n, review_none)}</p>
                }.into_any(),
                Ok(list) => view! { <Queue list refetch=move || items.refetch() /> }.into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            })}
        </ReviewFrame>
    }
}

/// The filters and the cards. Cards stay drawn when filtered out (hidden), so a comment being
/// typed is not lost by changing a filter.
#[component]
fn Queue(
    list: Vec<ReviewItem>,
    refetch: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let filter = RwSignal::new(Filter::default());
    let options = |pick: fn(I18nContext<Locale>, &ReviewItem) -> String| {
        let mut values: Vec<String> = list.iter().map(|i| pick(i18n, i)).collect();
        values.sort();
        values.dedup();
        values
    };
    let incubators = options(|_, i| i.incubator.clone());
    let value_chains = options(value_chain_name);
    let facilitators = options(|_, i| i.facilitator.clone());
    let kept = {
        let list = list.clone();
        move || filter.with(|f| list.iter().filter(|i| f.keeps(i18n, i)).count())
    };
    let select = move |id: &'static str,
                       label: &'static str,
                       values: Vec<String>,
                       set: fn(&mut Filter, String)| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <select id=id on:change=move |ev| {
                    let v = event_target_value(&ev);
                    filter.update(|f| set(f, v));
                }>
                    <option value="">{t_string!(i18n, filter_all)}</option>
                    {values.into_iter().map(|v| { let label = v.clone(); view! { <option value=v>{label}</option> } }).collect_view()}
                </select>
            </div>
        }
    };
    view! {
        <form class="filters" aria-label=t_string!(i18n, review_filters) on:submit=|ev| ev.prevent_default()>
            {select("filter-incubator", t_string!(i18n, incubator), incubators, |f, v| f.incubator = v)}
            {select("filter-value-chain", t_string!(i18n, value_chain), value_chains, |f, v| f.value_chain = v)}
            {select("filter-facilitator", t_string!(i18n, facilitator), facilitators, |f, v| f.facilitator = v)}
            <div class="field">
                <label for="filter-age">{t_string!(i18n, filter_age)}</label>
                <select id="filter-age" on:change=move |ev| {
                    let days = event_target_value(&ev).parse().unwrap_or(0);
                    filter.update(|f| f.older_than = days);
                }>
                    <option value="0">{t_string!(i18n, filter_all)}</option>
                    {AGES.into_iter().map(|n| view! {
                        <option value=n.to_string()>{t_string!(i18n, age_over, n = n).to_string()}</option>
                    }).collect_view()}
                </select>
            </div>
        </form>
        <p role="status">
            {move || match kept() {
                0 => t_string!(i18n, review_none_filtered).to_string(),
                n => t_string!(i18n, review_count, count = n).to_string(),
            }}
        </p>
        {list.into_iter().map(|item| {
            let shown = {
                let item = item.clone();
                move || filter.with(|f| f.keeps(i18n, &item))
            };
            view! { <Card item shown refetch /> }
        }).collect_view()}
    }
}

/// One visit waiting: what it says, its history, and the decision.
#[component]
fn Card(
    item: ReviewItem,
    shown: impl Fn() -> bool + Send + Sync + 'static,
    refetch: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let (visit, version) = (item.visit.id, item.visit.version);
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
            match review_visit(visit, version, decision, text).await {
                Ok(_) => decided.set(Some(decision)),
                Err(e) => {
                    let message = match &e {
                        AppError::Invalid { code, .. } => text::field_error(i18n, code).to_owned(),
                        _ => text::error(i18n, &e),
                    };
                    error.set(Some(message));
                    busy.set(false);
                    // A stale decision: the queue shows the visits as they are now.
                    if e == AppError::Stale {
                        refetch();
                    }
                }
            }
        });
    };
    let title_id = format!("review-{visit}");
    let labelled_by = title_id.clone();
    let comment_id = format!("comment-{visit}");
    let hint_id = format!("comment-hint-{visit}");
    let error_id = format!("comment-error-{visit}");
    let fields = item.visit.fields.clone();
    let members = item.members.clone();
    let heading = format!("{} · {}", item.project_code, item.project_title);
    let meta = [
        text::day(&fields.visit_on),
        item.facilitator.clone(),
        item.incubator.clone(),
        value_chain_name(i18n, &item),
        t_string!(i18n, waiting_days, n = waiting_days(&item)).to_string(),
    ]
    .join(" · ");
    let previous = item.visit.review.clone();
    let history = item.history.clone();
    view! {
        <article class="review-item card" aria-labelledby=labelled_by hidden=move || !shown()>
            <h2 id=title_id><bdi>{heading}</bdi></h2>
            <p class="meta">{meta}</p>
            {previous.map(|note| view! {
                <div class="review-note">
                    <p><strong>{text::review_line(i18n, &note)}</strong></p>
                    {(!note.comment.is_empty()).then(|| view! { <blockquote>{note.comment.clone()}</blockquote> })}
                </div>
            })}
            <dl class="visit-fields">
                {FIELDS.into_iter().filter(|f| *f != Field::Status).map(|f| {
                    let shown = f.show(i18n, &fields, &members);
                    view! {
                        <dt>{f.label(i18n)}</dt>
                        <dd>{if shown.is_empty() { "—".to_owned() } else { shown }}</dd>
                    }
                }).collect_view()}
            </dl>
            <details class="history">
                <summary>{t_string!(i18n, history_title)}" ("{history.len()}")"</summary>
                <History events=history members=members.clone() />
            </details>
            {move || match decided.get() {
                Some(d) => view! {
                    <p class="notice success" role="status"><span aria-hidden="true">"✓ "</span>{match d {
                        ReviewDecision::Validate => t_string!(i18n, review_done_validated),
                        ReviewDecision::Return => t_string!(i18n, review_done_returned),
                    }}</p>
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
        </article>
    }
}

/// Every version and decision of a visit, oldest first; each version says which fields changed.
#[component]
fn History(events: Vec<HistoryEvent>, members: Vec<(Uuid, String)>) -> impl IntoView {
    let i18n = use_i18n();
    if events.is_empty() {
        return view! { <p>{t_string!(i18n, history_empty)}</p> }.into_any();
    }
    let mut previous = None;
    let mut n = 0;
    let steps: Vec<_> = events
        .into_iter()
        .map(|event| match event {
            HistoryEvent::Revision { by, at, fields, .. } => {
                n += 1;
                let head = t_string!(i18n, history_revision, n = n, name = by, day = text::day(at.get(..10).unwrap_or_default())).to_string();
                let change = match previous.replace(fields.clone()) {
                    None => t_string!(i18n, history_first).to_string(),
                    Some(before) => {
                        let changed: Vec<&str> = FIELDS
                            .into_iter()
                            .filter(|f| f.show(i18n, &before, &members) != f.show(i18n, &fields, &members))
                            .map(|f| f.label(i18n))
                            .collect();
                        if changed.is_empty() {
                            t_string!(i18n, history_unchanged).to_string()
                        } else {
                            t_string!(i18n, history_changed, fields = changed.join(", ")).to_string()
                        }
                    }
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
