//! `/review`: the supervisor's queue on the tablet. Every submitted visit, diagnostic and
//! self-assessment of their incubators, oldest first, filtered by incubator, value chain,
//! facilitator and waiting time; each read in full with its history, then validated, or returned
//! with a comment that reaches the facilitator's phone at the next sync. Online: decisions are
//! made on the server's current version, and a decision on a version that moved on is refused as
//! stale.

mod cards;
mod decision;

use crate::api::{entry_review_queue, list_forms, registry_review_queue, review_queue};
use crate::domain::dates::{days_between, today_iso};
use crate::domain::entry::EntryQueue;
use crate::domain::form::FormDefinition;
use crate::domain::registry::RegistryReviewItem;
use crate::domain::{QueueHeader, ReviewItem};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::data::resource;
use crate::ui::kit::gate::GatedFrame;
use crate::ui::kit::panels::ErrorPanel;
use crate::ui::pages::review::queue::cards::{Card, EntryCard, RegistryCard, extra_questions};
use crate::ui::routes::Screen;
use crate::ui::text::pick;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use std::sync::Arc;

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
    let items = resource(
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
        <GatedFrame
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
        </GatedFrame>
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
