//! The pages of one's own account that need no signed-in user: `/setup`, where the first team
//! account is made with the one-time link the server printed at its first start.

use crate::api::{Setup, setup_open};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::kit::layout::Frame;
use crate::ui::kit::panels::ErrorPanel;
use crate::ui::text;
use leptos::prelude::*;
use leptos_meta::Title;

/// `/setup?token=…`: the first team account, once.
#[component]
pub fn SetupPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = leptos_router::hooks::use_query_map();
    let token = move || query.with(|q| q.get("token").unwrap_or_default());
    let open = Resource::new(token, setup_open);
    view! {
        <Title text=t_string!(i18n, setup_title) />
        <Frame>
            <div class="narrow">
                <h1>{t_string!(i18n, setup_title)}</h1>
                <Suspense>
                    {move || open.get().map(|r| match r {
                        Ok(true) => view! { <SetupForm token=token() /> }.into_any(),
                        Ok(false) => view! {
                            <div class="notice error" role="alert">
                                <p>{t_string!(i18n, setup_link_dead)}</p>
                            </div>
                            <p><a href="/login">{t_string!(i18n, sign_in)}</a></p>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    })}
                </Suspense>
            </div>
        </Frame>
    }
}

#[component]
fn SetupForm(token: String) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<Setup>::new();
    let error = move || action.value().get().and_then(Result::err);
    let wrong = move |field: &'static str| move || matches!(error(), Some(AppError::Invalid { field: f, .. }) if f == field);
    let field = move |id: &'static str,
                      label: &'static str,
                      hint: Option<String>,
                      kind: &'static str,
                      autocomplete: &'static str| {
        let hint_id = format!("{id}-hint");
        let error_id = format!("{id}-error");
        let invalid = wrong(id);
        view! {
            <div class="field">
                <label for=id>{label}</label>
                {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
                <p class="field-error" id=error_id.clone()>
                    {move || invalid().then(|| view! {
                        <span aria-hidden="true">"✗ "</span>
                        {error().map(|e| text::error(i18n, &e))}
                    })}
                </p>
                <input id=id name=id type=kind autocomplete=autocomplete required
                    aria-describedby=format!("{hint_id} {error_id}")
                    aria-invalid=move || invalid().to_string() />
            </div>
        }
    };
    let rule = t_string!(
        i18n,
        password_rule,
        min = crate::domain::user::MIN_PASSWORD_CHARS
    )
    .to_string();
    view! {
        <p>{t_string!(i18n, setup_intro)}</p>
        {move || error().map(|e| view! {
            <div class="error-summary" role="alert" tabindex="-1">
                <p>{text::error(i18n, &e)}</p>
            </div>
        })}
        <ActionForm action>
            <input type="hidden" name="token" value=token />
            {field("name", t_string!(i18n, person_name), None, "text", "name")}
            {field("email", t_string!(i18n, email), None, "email", "username")}
            {field("password", t_string!(i18n, new_password), Some(rule), "password", "new-password")}
            {field("password_again", t_string!(i18n, new_password_again), None, "password", "new-password")}
            <button type="submit" class="primary" disabled=move || action.pending().get()>
                {t_string!(i18n, setup_button)}
            </button>
        </ActionForm>
    }
}
