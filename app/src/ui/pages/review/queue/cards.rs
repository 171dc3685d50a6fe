//! One card per waiting record: a visit, a diagnostic or self-assessment, a member, a milestone or a value, read in full.

use crate::api::{review_entry, review_registry, review_visit};
use crate::domain::entry::EntryReviewItem;
use crate::domain::form::{Answer, FieldKind, FormDefinition};
use crate::domain::registry::{RegistryRecord, RegistryReviewItem};
use crate::domain::{HistoryEvent, QueueHeader, ReviewDecision, ReviewItem, VisitFields};
use crate::i18n::*;
use crate::ui::kit::attachments::EvidenceList;
use crate::ui::kit::tags::ReviewNoteView;
use crate::ui::kit::visit_fields::FIELDS;
use crate::ui::kit::visit_fields::Field;
use crate::ui::pages::review::queue::decision::{Decision, History};
use crate::ui::pages::review::queue::{value_chain_name, waiting_days};
use crate::ui::text;
use crate::ui::text::pick;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use std::sync::Arc;
use uuid::Uuid;

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

/// What a card says under its heading: the day it is about (if any), who made it, where, and
/// how long it has waited.
fn card_meta(i18n: I18nContext<Locale>, day: Option<&str>, header: &QueueHeader) -> String {
    day.map(text::day)
        .into_iter()
        .chain([
            header.facilitator.clone(),
            header.incubator.clone(),
            value_chain_name(i18n, header),
            t_string!(i18n, waiting_days, n = waiting_days(header)).to_string(),
        ])
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The record's history, folded under its count.
#[component]
fn HistoryDetails(
    events: Vec<HistoryEvent>,
    members: Vec<(Uuid, String)>,
    form: Option<Arc<FormDefinition>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <details class="history">
            <summary>{t_string!(i18n, history_title)}" ("{events.len()}")"</summary>
            <History events members form />
        </details>
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
    let meta = card_meta(i18n, None, &item.header);
    let facts = registry_facts(i18n, &item.record);
    let files = match &item.record {
        RegistryRecord::Member(_) => Vec::new(),
        RegistryRecord::Milestone(m) => m.files.clone(),
        RegistryRecord::Value(v) => v.files.clone(),
    };
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
            <EvidenceList files />
            <HistoryDetails events=history members=Vec::new() form=None />
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
    let meta = card_meta(i18n, Some(&fields.visit_on), &item.header);
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
            {previous.map(|note| view! { <ReviewNoteView note /> })}
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
            <EvidenceList files=fields.files.clone() />
            <HistoryDetails events=history members=members.clone() form=None />
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
    let meta = card_meta(i18n, Some(item.entry.day()), &item.header);
    let previous = item.entry.review.clone();
    let history = item.history.clone();
    let answers = item.entry.answers.clone();
    let files = item.entry.files.clone();
    let done = |i18n: I18nContext<Locale>, d: ReviewDecision| match d {
        ReviewDecision::Validate => t_string!(i18n, entry_done_validated),
        ReviewDecision::Return => t_string!(i18n, entry_done_returned),
    };
    view! {
        <article class="review-item card" aria-labelledby=labelled_by hidden=move || !shown()>
            <h3 id=title_id><bdi>{heading}</bdi></h3>
            <p class="meta">{meta}</p>
            {previous.map(|note| view! { <ReviewNoteView note /> })}
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
            <EvidenceList files />
            <HistoryDetails events=history members=Vec::new() form />
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
