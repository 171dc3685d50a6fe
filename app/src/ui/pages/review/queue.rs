//! `/review`: the supervisor's queue on the tablet. Every submitted visit, diagnostic and
//! self-assessment of their incubators, oldest first, filtered by incubator, value chain,
//! facilitator and waiting time; each read in full with its history, then validated, or returned
//! with a comment that reaches the facilitator's phone at the next sync. Online: decisions are
//! made on the server's current version, and a decision on a version that moved on is refused as
//! stale.

use crate::api::{
    entry_review_queue, list_forms, registry_review_queue, review_entry, review_queue,
    review_registry, review_visit,
};
use crate::domain::dates::{days_between, today_iso};
use crate::domain::entry::{EntryQueue, EntryReviewItem};
use crate::domain::form::{Answer, Answers, FieldKind, FormDefinition};
use crate::domain::registry::{RegistryRecord, RegistryReviewItem};
use crate::domain::visit::check_review;
use crate::domain::{
    HistoryEvent, QueueHeader, ReviewDecision, ReviewItem, ReviewNote, VisitFields,
};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::kit::gate::ReviewFrame;
use crate::ui::kit::panels::ErrorPanel;
use crate::ui::kit::visit_fields::FIELDS;
use crate::ui::kit::visit_fields::Field;
use crate::ui::pages::team::forms::pick;
use crate::ui::routes::Screen;
use crate::ui::text;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use std::sync::Arc;
use uuid::Uuid;

/// The filters, as chosen in the selects ("" is every value).
#[derive(Clone, Default, PartialEq)]
pub(crate) struct Filter {
    incubator: String,
    value_chain: String,
    facilitator: String,
    /// Waiting more than this many days; 0 is any.
    older_than: i64,
}

/// The waiting times a supervisor filters by, in days.
pub(crate) const AGES: [i64; 3] = [3, 7, 14];

pub(crate) fn value_chain_name(i18n: I18nContext<Locale>, item: &QueueHeader) -> String {
    pick(&item.value_chain, i18n.get_locale())
}

/// Days since the server received the version waiting.
pub(crate) fn waiting_days(item: &QueueHeader) -> i64 {
    let day = &crate::domain::dates::tunis_day(&item.submitted_at);
    days_between(day, &today_iso()).unwrap_or(0).max(0)
}

impl Filter {
    fn keeps(&self, i18n: I18nContext<Locale>, item: &QueueHeader) -> bool {
        (self.incubator.is_empty() || self.incubator == item.incubator)
            && (self.value_chain.is_empty() || self.value_chain == value_chain_name(i18n, item))
            && (self.facilitator.is_empty() || self.facilitator == item.facilitator)
            && (self.older_than == 0 || waiting_days(item) > self.older_than)
    }
}

#[component]
pub fn ReviewQueuePage() -> impl IntoView {
    let i18n = use_i18n();
    let items = Resource::new(
        || (),
        |_| async {
            let visits = review_queue().await?;
            let entries = entry_review_queue().await?;
            let registry = registry_review_queue().await?;
            // The visit form's versions, only when a visit answers questions the team added
            // (their labels are in the form).
            let added = visits
                .iter()
                .any(|v| !extra_questions(&v.visit.fields).is_empty());
            let forms = if added {
                list_forms().await?
            } else {
                Vec::new()
            };
            let visit_forms: Vec<Arc<FormDefinition>> = forms
                .into_iter()
                .filter(|f| f.id == crate::domain::VISIT_FORM)
                .map(Arc::new)
                .collect();
            Ok::<_, AppError>((visits, entries, registry, visit_forms))
        },
    );
    view! {
        <ReviewFrame
            allowed=|role| Screen::Review.gate().allows(role)
            title=t_string!(i18n, review_title)
            intro=t_string!(i18n, review_intro)
        >
            {move || items.get().map(|r| match r {
                Ok((visits, entries, registry, _)) if visits.is_empty() && entries.items.is_empty() && registry.is_empty() => view! {
                    <p class="notice success" role="status">{t_string!(i18n, review_none)}</p>
                }.into_any(),
                Ok((visits, entries, registry, visit_forms)) => view! { <Queue visits entries registry visit_forms refetch=move || items.refetch() /> }.into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            })}
        </ReviewFrame>
    }
}

/// The filters and the cards. Cards stay drawn when filtered out (hidden), so a comment being
/// typed is not lost by changing a filter.
#[component]
pub(crate) fn Queue(
    visits: Vec<ReviewItem>,
    entries: EntryQueue,
    registry: Vec<RegistryReviewItem>,
    /// The versions of the visit form, when a visit answers questions the team added.
    visit_forms: Vec<Arc<FormDefinition>>,
    refetch: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let filter = RwSignal::new(Filter::default());
    let all: Vec<&QueueHeader> = visits
        .iter()
        .map(|v| &v.header)
        .chain(entries.items.iter().map(|e| &e.header))
        .chain(registry.iter().map(|r| &r.header))
        .collect();
    let options = |pick: &dyn Fn(&QueueHeader) -> String| {
        let mut values: Vec<String> = all.iter().map(|i| pick(i)).collect();
        values.sort();
        values.dedup();
        values
    };
    let incubators = options(&|i| i.incubator.clone());
    let value_chains = options(&|i| value_chain_name(i18n, i));
    let facilitators = options(&|i| i.facilitator.clone());
    let kept = {
        let (visits, entries, registry) = (visits.clone(), entries.items.clone(), registry.clone());
        move || {
            filter.with(|f| {
                visits.iter().filter(|i| f.keeps(i18n, &i.header)).count()
                    + entries.iter().filter(|i| f.keeps(i18n, &i.header)).count()
                    + registry.iter().filter(|i| f.keeps(i18n, &i.header)).count()
            })
        }
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
    let forms: Vec<Arc<FormDefinition>> = entries.forms.into_iter().map(Arc::new).collect();
    let entry_cards = (!entries.items.is_empty()).then(|| {
        view! {
            <h2>{t_string!(i18n, review_entries_title)}</h2>
            {entries.items.into_iter().map(|item| {
                let form = forms
                    .iter()
                    .find(|f| f.id == item.entry.form_id && f.version == item.entry.form_version)
                    .cloned();
                let shown = {
                    let item = item.clone();
                    move || filter.with(|f| f.keeps(i18n, &item.header))
                };
                view! { <EntryCard item form shown refetch /> }
            }).collect_view()}
        }
    });
    let registry_cards = (!registry.is_empty()).then(|| {
        view! {
            <h2>{t_string!(i18n, review_registry_title)}</h2>
            {registry.into_iter().map(|item| {
                let shown = {
                    let item = item.clone();
                    move || filter.with(|f| f.keeps(i18n, &item.header))
                };
                view! { <RegistryCard item shown refetch /> }
            }).collect_view()}
        }
    });
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
        {visits.into_iter().map(|item| {
            let shown = {
                let item = item.clone();
                move || filter.with(|f| f.keeps(i18n, &item.header))
            };
            let form = item
                .visit
                .fields
                .form
                .as_ref()
                .and_then(|given| visit_forms.iter().find(|f| f.version == given.version))
                .cloned();
            view! { <Card item form shown refetch /> }
        }).collect_view()}
        {entry_cards}
        {registry_cards}
    }
}

/// What a member or a milestone says, as (label, value) lines; the same lines tell which changed
/// between two versions.
pub(crate) fn registry_facts(
    i18n: I18nContext<Locale>,
    record: &RegistryRecord,
) -> Vec<(&'static str, String)> {
    let day = |d: &Option<String>| d.as_deref().map(text::day).unwrap_or_default();
    match record {
        RegistryRecord::Member(m) => vec![
            (t_string!(i18n, rv_full_name), m.full_name.clone()),
            (t_string!(i18n, rv_sex), text::sex(i18n, m.sex).to_owned()),
            (
                t_string!(i18n, rv_birth_year),
                m.birth_year.map(|y| y.to_string()).unwrap_or_default(),
            ),
            (
                t_string!(i18n, rv_role),
                text::member_role(i18n, &m.role).to_owned(),
            ),
            (
                t_string!(i18n, with_disability),
                if m.with_disability {
                    t_string!(i18n, answer_yes)
                } else {
                    t_string!(i18n, answer_no)
                }
                .to_owned(),
            ),
            (t_string!(i18n, rv_joined), day(&m.joined_on)),
            (t_string!(i18n, left_on), day(&m.left_on)),
        ],
        RegistryRecord::Milestone(m) => vec![
            (
                t_string!(i18n, milestone_kind),
                text::milestone_name(i18n, &m.kind, &m.label),
            ),
            (t_string!(i18n, milestone_due), day(&m.due_on)),
            (t_string!(i18n, rv_reached), day(&m.achieved_on)),
        ],
        RegistryRecord::Value(v) => {
            use crate::domain::indicator::value::show_thousandths;
            let cells = v
                .cells
                .iter()
                .map(|c| {
                    let who = c.cell.sex.map(|s| text::sex(i18n, s)).unwrap_or_default();
                    format!("{who} {}", show_thousandths(c.value))
                })
                .collect::<Vec<_>>()
                .join(", ");
            vec![
                (t_string!(i18n, ind_indicator), v.indicator.clone()),
                (t_string!(i18n, ind_period), v.period.clone()),
                (t_string!(i18n, ind_value), show_thousandths(v.value)),
                (t_string!(i18n, ind_by_sex), cells),
                (
                    t_string!(i18n, ind_source),
                    text::value_source(i18n, v.source).to_owned(),
                ),
                (t_string!(i18n, ind_evidence), v.evidence.clone()),
            ]
        }
    }
}

/// One member or milestone waiting: what it says, its history, and the decision.
#[component]
pub(crate) fn RegistryCard(
    item: RegistryReviewItem,
    shown: impl Fn() -> bool + Send + Sync + 'static,
    refetch: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let (kind, id, version) = (item.record.kind(), item.record.id(), item.version);
    let title_id = format!("review-{id}");
    let labelled_by = title_id.clone();
    let (what, name) = match &item.record {
        RegistryRecord::Member(m) => (t_string!(i18n, rv_member), m.full_name.clone()),
        RegistryRecord::Milestone(m) => (
            t_string!(i18n, rv_milestone),
            text::milestone_name(i18n, &m.kind, &m.label),
        ),
        RegistryRecord::Value(v) => (
            t_string!(i18n, rv_value),
            format!("{} · {}", v.indicator, v.period),
        ),
    };
    let heading = format!(
        "{what} · {name} · {} · {}",
        item.header.project_code, item.header.project_title
    );
    let meta = [
        item.header.facilitator.clone(),
        item.header.incubator.clone(),
        value_chain_name(i18n, &item.header),
        t_string!(i18n, waiting_days, n = waiting_days(&item.header)).to_string(),
    ]
    .join(" · ");
    let facts = registry_facts(i18n, &item.record);
    let history = item.history.clone();
    let done = |i18n: I18nContext<Locale>, d: ReviewDecision| match d {
        ReviewDecision::Validate => t_string!(i18n, entry_done_validated),
        ReviewDecision::Return => t_string!(i18n, entry_done_returned),
    };
    view! {
        <article class="review-item card" aria-labelledby=labelled_by hidden=move || !shown()>
            <h3 id=title_id><bdi>{heading}</bdi></h3>
            <p class="meta">{meta}</p>
            <dl class="visit-fields">
                {facts.into_iter().map(|(label, value)| view! {
                    <dt>{label}</dt>
                    <dd>{if value.is_empty() { "—".to_owned() } else { value }}</dd>
                }).collect_view()}
            </dl>
            <details class="history">
                <summary>{t_string!(i18n, history_title)}" ("{history.len()}")"</summary>
                <History events=history members=Vec::new() form=None />
            </details>
            <Decision id done refetch send=move |decision, comment| review_registry(kind, id, version, decision, comment) />
        </article>
    }
}

/// One visit waiting: what it says, its history, and the decision.
#[component]
pub(crate) fn Card(
    item: ReviewItem,
    /// The version of the visit form it was captured on, when it answers questions the team
    /// added.
    form: Option<Arc<FormDefinition>>,
    shown: impl Fn() -> bool + Send + Sync + 'static,
    refetch: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let (visit, version) = (item.visit.id, item.visit.version);
    let title_id = format!("review-{visit}");
    let labelled_by = title_id.clone();
    let fields = item.visit.fields.clone();
    let members = item.members.clone();
    let heading = format!(
        "{} · {}",
        item.header.project_code, item.header.project_title
    );
    let meta = [
        text::day(&fields.visit_on),
        item.header.facilitator.clone(),
        item.header.incubator.clone(),
        value_chain_name(i18n, &item.header),
        t_string!(i18n, waiting_days, n = waiting_days(&item.header)).to_string(),
    ]
    .join(" · ");
    let previous = item.visit.review.clone();
    let history = item.history.clone();
    let done = |i18n: I18nContext<Locale>, d: ReviewDecision| match d {
        ReviewDecision::Validate => t_string!(i18n, review_done_validated),
        ReviewDecision::Return => t_string!(i18n, review_done_returned),
    };
    view! {
        <article class="review-item card" aria-labelledby=labelled_by hidden=move || !shown()>
            <h2 id=title_id><bdi>{heading}</bdi></h2>
            <p class="meta">{meta}</p>
            {previous.map(|note| view! { <PreviousReview note /> })}
            <dl class="visit-fields">
                {FIELDS.into_iter().filter(|f| *f != Field::Status).map(|f| {
                    let shown = f.show(i18n, &fields, &members);
                    view! {
                        <dt>{f.label(i18n)}</dt>
                        <dd>{if shown.is_empty() { "—".to_owned() } else { shown }}</dd>
                    }
                }).collect_view()}
                {extra_answers(i18n, &fields, form.as_deref()).into_iter().map(|(label, shown)| view! {
                    <dt>{label}</dt>
                    <dd>{shown}</dd>
                }).collect_view()}
            </dl>
            <details class="history">
                <summary>{t_string!(i18n, history_title)}" ("{history.len()}")"</summary>
                <History events=history members=members.clone() form=None />
            </details>
            <Decision id=visit done refetch send=move |decision, comment| review_visit(visit, version, decision, comment) />
        </article>
    }
}

/// One diagnostic or self-assessment waiting: its answers as the form asks them, its history,
/// and the decision.
#[component]
pub(crate) fn EntryCard(
    item: EntryReviewItem,
    form: Option<Arc<FormDefinition>>,
    shown: impl Fn() -> bool + Send + Sync + 'static,
    refetch: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let (entry, version) = (item.entry.id, item.entry.version);
    let title_id = format!("review-{entry}");
    let labelled_by = title_id.clone();
    let what = form
        .as_ref()
        .map(|f| pick(&f.title, locale))
        .unwrap_or_else(|| item.entry.form_id.clone());
    let heading = format!(
        "{what} · {} · {}",
        item.header.project_code, item.header.project_title
    );
    let meta = [
        text::day(item.entry.day()),
        item.header.facilitator.clone(),
        item.header.incubator.clone(),
        value_chain_name(i18n, &item.header),
        t_string!(i18n, waiting_days, n = waiting_days(&item.header)).to_string(),
    ]
    .join(" · ");
    let previous = item.entry.review.clone();
    let history = item.history.clone();
    let answers = item.entry.answers.clone();
    let done = |i18n: I18nContext<Locale>, d: ReviewDecision| match d {
        ReviewDecision::Validate => t_string!(i18n, entry_done_validated),
        ReviewDecision::Return => t_string!(i18n, entry_done_returned),
    };
    view! {
        <article class="review-item card" aria-labelledby=labelled_by hidden=move || !shown()>
            <h3 id=title_id><bdi>{heading}</bdi></h3>
            <p class="meta">{meta}</p>
            {previous.map(|note| view! { <PreviousReview note /> })}
            {form.clone().map(|form| view! {
                <dl class="visit-fields">
                    {form.fields.iter().map(|f| {
                        let shown = show_answer(i18n, &f.kind, answers.get(&f.name));
                        view! {
                            <dt>{pick(&f.label, locale)}</dt>
                            <dd>{if shown.is_empty() { "—".to_owned() } else { shown }}</dd>
                        }
                    }).collect_view()}
                </dl>
            })}
            <details class="history">
                <summary>{t_string!(i18n, history_title)}" ("{history.len()}")"</summary>
                <History events=history members=Vec::new() form />
            </details>
            <Decision id=entry done refetch send=move |decision, comment| review_entry(entry, version, decision, comment) />
        </article>
    }
}

/// An answer as a supervisor reads it: the choice's label, the day, the amount in dinars.
/// The questions a visit answers that its record has no column for (those the team added).
pub(crate) fn extra_questions(fields: &VisitFields) -> Vec<(&String, &Answer)> {
    fields.form.as_ref().map_or_else(Vec::new, |given| {
        given
            .answers
            .iter()
            .filter(|(name, _)| !crate::domain::visit_form::is_record_question(name))
            .collect()
    })
}

/// The answers to the questions the team added to the visit form, in the form's order, as a
/// supervisor reads them: `(question, answer)` each. Without the form's version, the questions
/// go by their names.
pub(crate) fn extra_answers(
    i18n: I18nContext<Locale>,
    fields: &VisitFields,
    form: Option<&FormDefinition>,
) -> Vec<(String, String)> {
    let locale = i18n.get_locale_untracked();
    let extra = extra_questions(fields);
    match form {
        Some(form) => form
            .all_fields()
            .into_iter()
            .filter_map(|f| {
                let (_, answer) = extra.iter().find(|(name, _)| **name == f.name)?;
                Some((
                    pick(&f.label, locale),
                    show_answer(i18n, &f.kind, Some(answer)),
                ))
            })
            .collect(),
        None => extra
            .into_iter()
            .map(|(name, answer)| {
                (
                    name.clone(),
                    show_answer(i18n, &FieldKind::Text, Some(answer)),
                )
            })
            .collect(),
    }
}

pub(crate) fn show_answer(
    i18n: I18nContext<Locale>,
    kind: &FieldKind,
    answer: Option<&Answer>,
) -> String {
    let locale = i18n.get_locale_untracked();
    let choice = |choices: &[crate::domain::form::Choice], v: &str| {
        choices
            .iter()
            .find(|c| c.value == v)
            .map_or_else(|| v.to_owned(), |c| pick(&c.label, locale))
    };
    match (kind, answer) {
        (_, None) => String::new(),
        (FieldKind::SingleChoice { choices }, Some(Answer::Text(v))) => choice(choices, v),
        (FieldKind::MultipleChoice { choices }, Some(Answer::List(vs))) => vs
            .iter()
            .map(|v| choice(choices, v))
            .collect::<Vec<_>>()
            .join(", "),
        (FieldKind::Date, Some(Answer::Text(d))) => text::day(d),
        (FieldKind::Money, Some(Answer::Number(n))) => text::money(i18n, *n as i64),
        (_, Some(Answer::Bool(true))) => t_string!(i18n, answer_yes).to_owned(),
        (_, Some(Answer::Bool(false))) => t_string!(i18n, answer_no).to_owned(),
        (_, Some(Answer::Number(n))) => n.to_string(),
        (_, Some(Answer::Text(t))) => t.clone(),
        (_, Some(Answer::List(vs))) => vs.join(", "),
        (_, Some(Answer::Items(items))) => items.len().to_string(),
    }
}

/// The decision last made on the entry (it was returned, and this is the fix).
#[component]
pub(crate) fn PreviousReview(note: ReviewNote) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="review-note">
            <p><strong>{text::review_line(i18n, &note)}</strong></p>
            {(!note.comment.is_empty()).then(|| view! { <blockquote>{note.comment.clone()}</blockquote> })}
        </div>
    }
}

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
