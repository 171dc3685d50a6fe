//! The pages of the walking skeleton: sign-in, the home page of each role, a project, not found.

use crate::error::AppError;
use crate::i18n::*;
use crate::ui::data::resource;
use crate::ui::kit::layout::Frame;
use crate::ui::kit::post_form::PostForm;
use crate::ui::text;
use leptos::prelude::*;
use leptos_meta::Title;

/// `/login`.
#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let login = ServerAction::<crate::api::Login>::new();
    let error = move || login.value().get().and_then(|r| r.err());
    let site = resource(|| (), |()| crate::api::site_status());
    let demo = Signal::derive(move || site.get().and_then(Result::ok).is_some_and(|s| s.demo));
    view! {
        <Title text=t_string!(i18n, sign_in) />
        <Frame demo>
            <div class="narrow">
                <h1>{t_string!(i18n, sign_in)}</h1>
                {move || error().map(|e| view! {
                    <div class="error-summary" role="alert" tabindex="-1">
                        <p>{text::error(i18n, &e)}</p>
                    </div>
                    {(e == AppError::AccountDisabled).then(|| view! { <DisabledExport /> })}
                })}
                <PostForm action=login read=|field| crate::api::Login { email: field("email"), password: field("password") }>
                    <div class="field">
                        <label for="email">{t_string!(i18n, email)}</label>
                        <input id="email" name="email" type="email" autocomplete="username" required inputmode="email" />
                    </div>
                    <div class="field">
                        <label for="password">{t_string!(i18n, password)}</label>
                        <input id="password" name="password" type="password" autocomplete="current-password" required />
                    </div>
                    <button type="submit" class="primary" disabled=move || login.pending().get()>
                        {t_string!(i18n, sign_in_button)}
                    </button>
                </PostForm>
            </div>
        </Frame>
    }
}

/// A disabled account's unsent entries stay on the phone; this hands them to the team as files
/// (the team imports them on the devices page).
#[component]
fn DisabledExport() -> impl IntoView {
    let i18n = use_i18n();
    let sync = crate::ui::sync::use_sync();
    let done = RwSignal::new(None::<Result<usize, AppError>>);
    view! {
        <div class="notice">
            <p>{t_string!(i18n, disabled_export_intro)}</p>
            <button type="button" on:click=move |_| sync.export_device_unsent(done)>
                <span aria-hidden="true">"⇩ "</span>{t_string!(i18n, export_unsent)}
            </button>
            <p role="status">
                {move || done.get().map(|r| match r {
                    Ok(0) => t_string!(i18n, disabled_export_none).to_string(),
                    Ok(n) => t_string!(i18n, disabled_export_done, count = n).to_string(),
                    Err(e) => text::error(i18n, &e),
                })}
            </p>
        </div>
    }
}
