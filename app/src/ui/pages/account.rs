//! One's own account: `/setup`, where the first team account is made with the one-time link the
//! server printed at its first start; `/code`, where a person signs in with the code the team
//! handed them and chooses a password; `/account`, one's password and sessions.

use crate::api::{ChangePassword, RedeemCode, Setup, SignOutEverywhere, code_open, setup_open};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::data::resource;
use crate::ui::kit::gate::GatedFrame;
use crate::ui::kit::layout::Frame;
use crate::ui::kit::panels::ErrorPanel;
use crate::ui::kit::post_form::PostForm;
use crate::ui::text;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_meta::Title;

/// A labelled input of a server action's form: its hint, and the action's error when it names
/// this field (`aria-invalid`, said beside it).
fn input(
    i18n: I18nContext<Locale>,
    error: Signal<Option<AppError>>,
    id: &'static str,
    label: &'static str,
    hint: Option<String>,
    kind: &'static str,
    autocomplete: &'static str,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let invalid =
        move || matches!(error.get(), Some(AppError::Invalid { field, .. }) if field == id);
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
            <p class="field-error" id=error_id.clone()>
                {move || invalid().then(|| view! {
                    <span aria-hidden="true">"✗ "</span>
                    {error.get().map(|e| text::error(i18n, &e))}
                })}
            </p>
            <input id=id name=id type=kind autocomplete=autocomplete required
                aria-describedby=format!("{hint_id} {error_id}")
                aria-invalid=move || invalid().to_string() />
        </div>
    }
}

/// The two new-password fields, with the rule said once.
fn new_password(i18n: I18nContext<Locale>, error: Signal<Option<AppError>>) -> impl IntoView {
    let rule = t_string!(
        i18n,
        password_rule,
        min = crate::domain::user::MIN_PASSWORD_CHARS
    )
    .to_string();
    view! {
        {input(i18n, error, "password", t_string!(i18n, new_password), Some(rule), "password", "new-password")}
        {input(i18n, error, "password_again", t_string!(i18n, new_password_again), None, "password", "new-password")}
    }
}

/// The error of an action, said once at the top of its form.
fn summary(i18n: I18nContext<Locale>, error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|e| {
            view! {
                <div class="error-summary" role="alert" tabindex="-1">
                    <p>{text::error(i18n, &e)}</p>
                </div>
            }
        })
    }
}

/// A link that no longer works: said plainly, with the way forward.
fn dead_link(message: &'static str, i18n: I18nContext<Locale>) -> impl IntoView {
    view! {
        <div class="notice error" role="alert">
            <p>{message}</p>
        </div>
        <p><a href="/login">{t_string!(i18n, sign_in)}</a></p>
    }
}

/// `/setup?token=…`: the first team account, once.
#[component]
pub fn SetupPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = leptos_router::hooks::use_query_map();
    let token = move || query.with(|q| q.get("token").unwrap_or_default());
    let open = resource(token, setup_open);
    view! {
        <Title text=t_string!(i18n, setup_title) />
        <Frame>
            <div class="narrow">
                <h1>{t_string!(i18n, setup_title)}</h1>
                <Suspense>
                    {move || open.get().map(|r| match r {
                        Ok(true) => view! { <SetupForm token=token() /> }.into_any(),
                        Ok(false) => dead_link(t_string!(i18n, setup_link_dead), i18n).into_any(),
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
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <p>{t_string!(i18n, setup_intro)}</p>
        {summary(i18n, error)}
        <PostForm action read=|field| Setup {
            token: field("token"),
            name: field("name"),
            email: field("email"),
            password: field("password"),
            password_again: field("password_again"),
        }>
            <input type="hidden" name="token" value=token />
            {input(i18n, error, "name", t_string!(i18n, person_name), None, "text", "name")}
            {input(i18n, error, "email", t_string!(i18n, email), None, "email", "username")}
            {new_password(i18n, error)}
            <button type="submit" class="primary" disabled=move || action.pending().get()>
                {t_string!(i18n, setup_button)}
            </button>
        </PostForm>
    }
}

/// `/code?c=…`: signing in with a one-time code from the team, to choose one's password.
#[component]
pub fn CodePage() -> impl IntoView {
    let i18n = use_i18n();
    let query = leptos_router::hooks::use_query_map();
    let code = move || query.with(|q| q.get("c").unwrap_or_default());
    let open = resource(code, code_open);
    view! {
        <Title text=t_string!(i18n, code_title) />
        <Frame>
            <div class="narrow">
                <h1>{t_string!(i18n, code_title)}</h1>
                <Suspense>
                    {move || open.get().map(|r| match r {
                        Ok(Some(email)) => view! { <CodeForm code=code() email /> }.into_any(),
                        Ok(None) => dead_link(t_string!(i18n, code_dead), i18n).into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    })}
                </Suspense>
            </div>
        </Frame>
    }
}

#[component]
fn CodeForm(code: String, email: String) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<RedeemCode>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <p>{t_string!(i18n, code_intro)}" "<bdi><strong>{email.clone()}</strong></bdi></p>
        {summary(i18n, error)}
        <PostForm action read=|field| RedeemCode {
            code: field("code"),
            password: field("password"),
            password_again: field("password_again"),
        }>
            <input type="hidden" name="code" value=code />
            // For password managers: the account this password belongs to.
            <input type="hidden" name="username" autocomplete="username" value=email />
            {new_password(i18n, error)}
            <button type="submit" class="primary" disabled=move || action.pending().get()>
                {t_string!(i18n, code_button)}
            </button>
        </PostForm>
    }
}

/// `/account`: one's own password, and signing out of every device (a lost phone).
#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <GatedFrame
            allowed=|_| true
            title=t_string!(i18n, account_title)
            intro=t_string!(i18n, account_intro)
        >
            <div class="narrow">
                <PasswordChange />
                <SignOutEverywhereForm />
            </div>
        </GatedFrame>
    }
}

#[component]
fn PasswordChange() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<ChangePassword>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let done = move || matches!(action.value().get(), Some(Ok(())));
    view! {
        <section aria-labelledby="password-title">
            <h2 id="password-title">{t_string!(i18n, account_password)}</h2>
            {summary(i18n, error)}
            {move || done().then(|| view! {
                <p class="notice success" role="status"><span aria-hidden="true">"✓ "</span>{t_string!(i18n, account_password_changed)}</p>
            })}
            <PostForm action read=|field| ChangePassword {
                current: field("current"),
                password: field("password"),
                password_again: field("password_again"),
            }>
                {input(i18n, error, "current", t_string!(i18n, current_password), None, "password", "current-password")}
                {new_password(i18n, error)}
                <button type="submit" class="primary" disabled=move || action.pending().get()>
                    {t_string!(i18n, account_password_button)}
                </button>
            </PostForm>
        </section>
    }
}

#[component]
fn SignOutEverywhereForm() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SignOutEverywhere>::new();
    view! {
        <section aria-labelledby="everywhere-title">
            <h2 id="everywhere-title">{t_string!(i18n, account_everywhere)}</h2>
            <p>{t_string!(i18n, account_everywhere_intro)}</p>
            <PostForm action read=|_| SignOutEverywhere {}>
                <button type="submit" disabled=move || action.pending().get()>
                    {t_string!(i18n, account_everywhere_button)}
                </button>
            </PostForm>
        </section>
    }
}
