//! Pages for the people who review what the field sends: the visits in conflict, each version
//! side by side, kept whole or merged field by field (supervisors and the team, online); and
//! the sync health of every device (the team).

use crate::i18n::*;
use crate::sync::protocol::ImportReport;
use leptos::prelude::*;

/// The team imports a file a facilitator exported (*Export my unsent entries*) when the phone
/// cannot reach the server itself. Entries the server already has are skipped.
#[component]
pub(crate) fn ImportForm(done: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let outcome = RwSignal::new(None::<Result<ImportReport, String>>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            busy.set(true);
            let text = crate::ui::platform::read_file("import-file").await;
            let result = match serde_json::from_str::<crate::sync::protocol::OutboxExport>(&text) {
                Err(_) => Err(t_string!(i18n, import_not_a_file).to_owned()),
                Ok(file) => crate::api::import_outbox(file)
                    .await
                    .map_err(|e| crate::ui::text::error(i18n, &e)),
            };
            outcome.set(Some(result));
            busy.set(false);
            done();
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (outcome, busy, done);
    };
    view! {
        <section class="import" aria-labelledby="import-title">
            <h2 id="import-title">{t_string!(i18n, import_title)}</h2>
            <p>{t_string!(i18n, import_intro)}</p>
            <form on:submit=submit>
                <p>
                    <label for="import-file">{t_string!(i18n, import_file)}</label>
                    <input id="import-file" type="file" accept=".json,application/json" required />
                </p>
                <button type="submit" class="primary" disabled=move || busy.get()>{t_string!(i18n, import_button)}</button>
            </form>
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
