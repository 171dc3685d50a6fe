//! Files the team sends to the server: the form that reads one and sends its text, and the
//! import of a phone's unsent entries.

use crate::i18n::*;
use crate::sync::protocol::ImportReport;
use leptos::prelude::*;
use std::future::Future;

/// A form that sends one JSON file: a file field labelled `label`, and a button that waits while
/// `send` runs with the file's text.
#[component]
pub(crate) fn FileForm<F, Fut>(
    /// The file field's id.
    id: &'static str,
    label: &'static str,
    button: &'static str,
    send: F,
) -> impl IntoView
where
    F: Fn(String) -> Fut + Copy + 'static,
    Fut: Future<Output = ()> + 'static,
{
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            busy.set(true);
            send(crate::ui::platform::read_file(id).await).await;
            busy.set(false);
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = send;
    };
    view! {
        <form on:submit=submit>
            <p>
                <label for=id>{label}</label>
                <input id=id type="file" accept=".json,application/json" required />
            </p>
            <button type="submit" class="primary" disabled=move || busy.get()>{button}</button>
        </form>
    }
}

/// The team imports a file a facilitator exported (*Export my unsent entries*) when the phone
/// cannot reach the server itself. Entries the server already has are skipped.
#[component]
pub(crate) fn ImportForm(done: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let outcome = RwSignal::new(None::<Result<ImportReport, String>>);
    let send = move |text: String| async move {
        let result = match serde_json::from_str::<crate::sync::protocol::OutboxExport>(&text) {
            Err(_) => Err(t_string!(i18n, import_not_a_file).to_owned()),
            Ok(file) => crate::api::import_outbox(file)
                .await
                .map_err(|e| crate::ui::text::error(i18n, &e)),
        };
        outcome.set(Some(result));
        done();
    };
    view! {
        <section class="import" aria-labelledby="import-title">
            <h2 id="import-title">{t_string!(i18n, import_title)}</h2>
            <p>{t_string!(i18n, import_intro)}</p>
            <FileForm id="import-file" label=t_string!(i18n, import_file) button=t_string!(i18n, import_button) send />
            {move || outcome.get().map(|r| match r {
                Ok(report) => view! {
                    <p class="notice success" role="status">
                        {t_string!(i18n, import_done, user = report.user_name.clone(), entries = report.entries, on_server = report.on_server, refused = report.refused, conflicts = report.conflicts).to_string()}
                    </p>
                }.into_any(),
                Err(message) => view! {
                    <p class="notice error" role="alert"><span aria-hidden="true">"⚠ "</span>{message}</p>
                }.into_any(),
            })}
        </section>
    }
}
