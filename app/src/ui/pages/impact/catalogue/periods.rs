//! The reporting periods: submit, lock, reopen with a reason.

use crate::api::{reporting_periods, set_period_status};
use crate::domain::indicator::admin::PeriodState;
use crate::domain::indicator::value::PeriodStatus;
use crate::i18n::*;
use crate::ui::data::resource;
use crate::ui::kit::panels::ErrorPanel;
use crate::ui::pages::impact::catalogue::{Outcome, field_error_line, refusal};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

pub(crate) fn status_words(i18n: I18nContext<Locale>, status: PeriodStatus) -> &'static str {
    match status {
        PeriodStatus::Open => t_string!(i18n, cat_status_open),
        PeriodStatus::Submitted => t_string!(i18n, cat_status_submitted),
        PeriodStatus::Locked => t_string!(i18n, cat_status_locked),
    }
}

#[component]
pub(crate) fn PeriodsSection() -> impl IntoView {
    let i18n = use_i18n();
    let periods = resource(|| (), |_| reporting_periods());
    let period = RwSignal::new(String::new());
    let status = RwSignal::new("locked".to_owned());
    let reason = RwSignal::new(String::new());
    let wrong = RwSignal::new(None::<(String, String)>);
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        wrong.set(None);
        outcome.set(None);
        busy.set(true);
        let (p, s, r) = (
            period.get_untracked(),
            status.get_untracked(),
            reason.get_untracked(),
        );
        leptos::task::spawn_local(async move {
            let result = set_period_status(p.clone(), s.clone(), r).await;
            busy.set(false);
            outcome.set(Some(match result {
                Ok(()) => {
                    periods.refetch();
                    reason.set(String::new());
                    let words = PeriodStatus::parse(&s)
                        .map(|s| status_words(i18n, s))
                        .unwrap_or("");
                    Ok(t_string!(
                        i18n,
                        cat_period_done,
                        period = p.trim().to_uppercase(),
                        status = words
                    )
                    .to_string())
                }
                Err(e) => Err(refusal(i18n, e, wrong)),
            }));
        });
    };
    view! {
        <section aria-labelledby="periods-title">
            <h2 id="periods-title">{t_string!(i18n, cat_periods_title)}</h2>
            <p>{t_string!(i18n, cat_periods_intro)}</p>
            <Suspense fallback=|| ()>
                {move || periods.get().map(|r| match r {
                    Ok(list) if list.is_empty() => view! { <p>{t_string!(i18n, cat_periods_none)}</p> }.into_any(),
                    Ok(list) => view! { <PeriodTable list /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                })}
            </Suspense>
            <form class="settings-form" novalidate on:submit=submit>
                <div class="field">
                    <label for="period">{t_string!(i18n, ind_period)}</label>
                    <p class="hint" id="period-hint">{t_string!(i18n, cat_period_hint)}</p>
                    {field_error_line(i18n, "period", "period", wrong)}
                    <input id="period" type="text" autocomplete="off" aria-describedby="period-hint period-error"
                        aria-invalid=move || wrong.with(|w| w.as_ref().is_some_and(|(f, _)| f == "period")).to_string()
                        prop:value=move || period.get() on:input=move |ev| period.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="period-status">{t_string!(i18n, cat_period_status)}</label>
                    {field_error_line(i18n, "period-status", "status", wrong)}
                    <select id="period-status" aria-describedby="period-status-error" on:change=move |ev| status.set(event_target_value(&ev))>
                        <option value="locked" selected>{t_string!(i18n, cat_to_locked)}</option>
                        <option value="submitted">{t_string!(i18n, cat_to_submitted)}</option>
                        <option value="open">{t_string!(i18n, cat_to_open)}</option>
                    </select>
                </div>
                <div class="field">
                    <label for="period-reason">{t_string!(i18n, cat_reason)}</label>
                    <p class="hint" id="period-reason-hint">{t_string!(i18n, cat_reason_hint)}</p>
                    {field_error_line(i18n, "period-reason", "reason", wrong)}
                    <textarea id="period-reason" rows="2" aria-describedby="period-reason-hint period-reason-error"
                        aria-invalid=move || wrong.with(|w| w.as_ref().is_some_and(|(f, _)| f == "reason")).to_string()
                        prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                </div>
                <div class="actions">
                    <button type="submit" class="primary" disabled=move || busy.get()>{t_string!(i18n, cat_period_apply)}</button>
                </div>
                <Outcome outcome />
            </form>
        </section>
    }
}

#[component]
pub(crate) fn PeriodTable(list: Vec<PeriodState>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <table class="periods">
            <thead><tr>
                <th scope="col">{t_string!(i18n, ind_period)}</th>
                <th scope="col">{t_string!(i18n, cat_period_status)}</th>
                <th scope="col">{t_string!(i18n, cat_reason)}</th>
            </tr></thead>
            <tbody>
                {list.into_iter().map(|p| view! {
                    <tr>
                        <th scope="row">{p.period}</th>
                        <td>{status_words(i18n, p.status)}</td>
                        <td>{p.reason}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
