//! The pages of the walking skeleton: sign-in, the home page of each role, a project, not found.

use crate::i18n::*;
use crate::ui::kit::layout::Frame;
use crate::ui::text;
use leptos::prelude::*;
use leptos_meta::Title;

/// `/login`.
#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let login = ServerAction::<crate::api::Login>::new();
    let error = move || login.value().get().and_then(|r| r.err());
    let site = Resource::new(|| (), |()| crate::api::site_status());
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
                })}
                <ActionForm action=login>
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
                </ActionForm>
            </div>
        </Frame>
    }
}
