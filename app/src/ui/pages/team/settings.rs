//! `/settings`: the team sets the thresholds of the risk rules. Each threshold is a number
//! within bounds, said beside it; a value outside is refused by the server too, and nothing is
//! saved until every value fits. The flags on the cards follow at once.

use crate::api::{risk_settings, save_risk_settings};
use crate::domain::risk::{RiskSettings, THRESHOLDS};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::data::resource;
use crate::ui::kit::gate::GatedFrame;
use crate::ui::kit::panels::ErrorPanel;
use crate::ui::routes::Screen;
use crate::ui::text;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// A threshold's label and what it means, in the reader's language.
pub(crate) fn words(i18n: I18nContext<Locale>, field: &str) -> (&'static str, &'static str) {
    match field {
        "days_without_visit" => (
            t_string!(i18n, set_days_without_visit),
            t_string!(i18n, set_days_without_visit_hint),
        ),
        "max_overdue_actions" => (
            t_string!(i18n, set_max_overdue_actions),
            t_string!(i18n, set_max_overdue_actions_hint),
        ),
        "visits_under_break_even" => (
            t_string!(i18n, set_visits_under_break_even),
            t_string!(i18n, set_visits_under_break_even_hint),
        ),
        "days_tranche_unspent" => (
            t_string!(i18n, set_days_tranche_unspent),
            t_string!(i18n, set_days_tranche_unspent_hint),
        ),
        "small_cell_threshold" => (
            t_string!(i18n, set_small_cell_threshold),
            t_string!(i18n, set_small_cell_threshold_hint),
        ),
        _ => (
            t_string!(i18n, set_days_acknowledged),
            t_string!(i18n, set_days_acknowledged_hint),
        ),
    }
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let current = resource(|| (), |_| risk_settings());
    view! {
        <GatedFrame
            allowed=|role| Screen::Settings.gate().allows(role)
            title=t_string!(i18n, settings_title)
            intro=t_string!(i18n, settings_intro)
        >
            {move || current.get().map(|r| match r {
                Ok(settings) => view! { <RiskForm settings /> }.into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            })}
        </GatedFrame>
    }
}

#[component]
pub(crate) fn RiskForm(settings: RiskSettings) -> impl IntoView {
    let i18n = use_i18n();
    // What is typed, as typed: a field left empty or not a number is said so, not reset.
    let typed = RwSignal::new(
        THRESHOLDS
            .iter()
            .map(|t| settings.get(t.field).unwrap_or_default().to_string())
            .collect::<Vec<_>>(),
    );
    let wrong = RwSignal::new(None::<&'static str>);
    let outcome = RwSignal::new(None::<Result<(), String>>);
    let busy = RwSignal::new(false);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        outcome.set(None);
        let mut next = settings;
        for (t, value) in THRESHOLDS.iter().zip(typed.get_untracked()) {
            match value.trim().parse::<i64>() {
                Ok(v) if next.set(t.field, v) => {}
                _ => {
                    wrong.set(Some(t.field));
                    return;
                }
            }
        }
        if let Err(e) = next.check() {
            wrong.set(Some(e.field));
            return;
        }
        wrong.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = save_risk_settings(next).await;
            busy.set(false);
            outcome.set(Some(result.map_err(|e| match e {
                AppError::Invalid { field, .. } => {
                    wrong.set(THRESHOLDS.iter().map(|t| t.field).find(|f| *f == field));
                    t_string!(i18n, settings_refused).to_string()
                }
                e => text::error(i18n, &e),
            })));
        });
    };
    view! {
        <form class="settings-form" novalidate on:submit=save>
            <h2>{t_string!(i18n, settings_risk_title)}</h2>
            {THRESHOLDS.iter().enumerate().map(|(i, t)| {
                let (label, hint) = words(i18n, t.field);
                let id = format!("set-{}", t.field);
                let hint_id = format!("{id}-hint");
                let error_id = format!("{id}-error");
                let field = t.field;
                let bounds = t_string!(i18n, settings_bounds, min = t.min, max = t.max).to_string();
                view! {
                    <div class="field">
                        <label for=id.clone()>{label}</label>
                        <p class="hint" id=hint_id.clone()>{hint}" "{bounds.clone()}</p>
                        <p class="field-error" id=error_id.clone()>
                            {move || (wrong.get() == Some(field)).then(|| view! {
                                <span aria-hidden="true">"✗ "</span>{t_string!(i18n, settings_out_of_range)}" "{bounds.clone()}
                            })}
                        </p>
                        <input id=id type="number" inputmode="numeric" min=t.min max=t.max step="1"
                            aria-describedby=format!("{hint_id} {error_id}")
                            aria-invalid=move || (wrong.get() == Some(field)).to_string()
                            prop:value=move || typed.with(|v| v[i].clone())
                            on:input=move |ev| { let v = event_target_value(&ev); typed.update(|all| all[i] = v) } />
                    </div>
                }
            }).collect_view()}
            <div class="actions">
                <button type="submit" class="primary" disabled=move || busy.get()>{t_string!(i18n, settings_save)}</button>
            </div>
            {move || outcome.get().map(|r| match r {
                Ok(()) => view! { <p class="notice success" role="status"><span aria-hidden="true">"✓ "</span>{t_string!(i18n, settings_saved)}</p> }.into_any(),
                Err(message) => view! { <p class="notice error" role="alert"><span aria-hidden="true">"⚠ "</span>{message}</p> }.into_any(),
            })}
            {move || (wrong.get().is_some() && outcome.get().is_none()).then(|| view! {
                <p class="notice error" role="alert"><span aria-hidden="true">"⚠ "</span>{t_string!(i18n, settings_refused)}</p>
            })}
        </form>
    }
}
