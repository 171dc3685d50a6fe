//! `/catalogue`: the programme team's page for impact measurement — the reporting periods
//! (submit, lock, reopen with a reason), the targets of the programme, an incubator, a value
//! chain or a project, and the indicator catalogue (export, and import of new versions, checked
//! as a whole).

mod editor;
mod periods;
mod targets;

use crate::error::AppError;
use crate::i18n::*;
use crate::ui::kit::gate::GatedFrame;
use crate::ui::pages::impact::catalogue::editor::CatalogueSection;
use crate::ui::pages::impact::catalogue::periods::PeriodsSection;
use crate::ui::pages::impact::catalogue::targets::TargetsSection;
use crate::ui::routes::Screen;
use crate::ui::text;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

#[component]
pub fn CataloguePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <GatedFrame
            allowed=|role| Screen::Catalogue.gate().allows(role)
            title=t_string!(i18n, cat_title)
            intro=t_string!(i18n, cat_intro)
        >
            <PeriodsSection />
            <TargetsSection />
            <CatalogueSection />
        </GatedFrame>
    }
}

/// A field's error line, said when `wrong` names it.
pub(crate) fn field_error_line(
    i18n: I18nContext<Locale>,
    id: &'static str,
    field: &'static str,
    wrong: RwSignal<Option<(String, String)>>,
) -> impl IntoView {
    view! {
        <p class="field-error" id=format!("{id}-error")>
            {move || wrong.get().filter(|(f, _)| f == field).map(|(_, code)| view! {
                <span aria-hidden="true">"✗ "</span>{text::field_error(i18n, &code)}
            })}
        </p>
    }
}

/// Splits a refusal into the field it names and its code, or a message for the whole form.
pub(crate) fn refusal(
    i18n: I18nContext<Locale>,
    e: AppError,
    wrong: RwSignal<Option<(String, String)>>,
) -> String {
    match e {
        AppError::Invalid { field, code } => {
            wrong.set(Some((field, code)));
            t_string!(i18n, cat_refused).to_string()
        }
        e => text::error(i18n, &e),
    }
}

#[component]
pub(crate) fn Outcome(outcome: RwSignal<Option<Result<String, String>>>) -> impl IntoView {
    move || {
        outcome.get().map(|r| match r {
            Ok(message) => view! {
                <p class="notice success" role="status"><span aria-hidden="true">"✓ "</span>{message}</p>
            }
            .into_any(),
            Err(message) => view! {
                <p class="notice error" role="alert"><span aria-hidden="true">"⚠ "</span>{message}</p>
            }
            .into_any(),
        })
    }
}
