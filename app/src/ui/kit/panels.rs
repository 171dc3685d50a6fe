//! The pages of the walking skeleton: sign-in, the home page of each role, a project, not found.

use crate::error::AppError;
use crate::i18n::*;
use crate::ui::kit::layout::Frame;
use crate::ui::text;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub(crate) fn Loading() -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="loading" role="status">{t_string!(i18n, loading)}</p> }
}

#[component]
pub(crate) fn ErrorPanel(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    error.answer_page();
    let message = text::error(i18n, &error);
    view! {
        <div class="error-panel" role="alert">
            <p>{message}</p>
            <p>
                <a href="/">{t_string!(i18n, back_home)}</a>
            </p>
        </div>
    }
}

/// A page of the app whose code could not be fetched (see `ui::chunks`): nothing is lost, the
/// page opens once the phone has been online with the app open.
#[component]
pub fn PageUnavailable() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=t_string!(i18n, page_unavailable_title) />
        <Frame>
            <h1>{t_string!(i18n, page_unavailable_title)}</h1>
            <p>{t_string!(i18n, page_unavailable_body)}</p>
            <p><a href="/">{t_string!(i18n, back_home)}</a></p>
        </Frame>
    }
}

/// Any other address: a real 404, in the user's language.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let i18n = use_i18n();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=t_string!(i18n, not_found_title) />
        <Frame>
            <h1>{t_string!(i18n, not_found_title)}</h1>
            <p>{t_string!(i18n, not_found_body)}</p>
            <p><a href="/">{t_string!(i18n, back_home)}</a></p>
        </Frame>
    }
}
