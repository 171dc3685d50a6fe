//! `/audit`: the team reads who changed what that is not a reviewed entry (accounts, scopes,
//! organisations, assignments…), filtered by person, project and kind, and downloads it as CSV.
//! Nothing here edits it.

use crate::api::{audit_trail, list_projects, people_directory};
use crate::domain::audit::{AuditEntry, KINDS};
use crate::i18n::*;
use crate::ui::data::resource;
use crate::ui::kit::gate::GatedFrame;
use crate::ui::kit::panels::ErrorPanel;
use crate::ui::routes::Screen;
use crate::ui::text;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use uuid::Uuid;

/// What happened, in words.
pub(crate) fn kind_label(i18n: I18nContext<Locale>, kind: &str) -> &'static str {
    match kind {
        "account_created" => t_string!(i18n, audit_account_created),
        "account_changed" => t_string!(i18n, audit_account_changed),
        "account_disabled" => t_string!(i18n, audit_account_disabled),
        "account_enabled" => t_string!(i18n, audit_account_enabled),
        "sign_in_code_made" => t_string!(i18n, audit_sign_in_code_made),
        "password_set_with_code" => t_string!(i18n, audit_password_set_with_code),
        "password_changed" => t_string!(i18n, audit_password_changed),
        "signed_out_everywhere" => t_string!(i18n, audit_signed_out_everywhere),
        "project_assigned" => t_string!(i18n, audit_project_assigned),
        "project_changed" => t_string!(i18n, audit_project_changed),
        "outbox_imported" => t_string!(i18n, audit_outbox_imported),
        "organisation_created" => t_string!(i18n, audit_organisation_created),
        "organisation_changed" => t_string!(i18n, audit_organisation_changed),
        "organisation_archived" => t_string!(i18n, audit_organisation_archived),
        "organisation_restored" => t_string!(i18n, audit_organisation_restored),
        "place_created" => t_string!(i18n, audit_place_created),
        "place_changed" => t_string!(i18n, audit_place_changed),
        "value_chain_created" => t_string!(i18n, audit_value_chain_created),
        "value_chain_changed" => t_string!(i18n, audit_value_chain_changed),
        "tranche_saved" => t_string!(i18n, audit_tranche_saved),
        "target_set" => t_string!(i18n, audit_target_set),
        "settings_changed" => t_string!(i18n, audit_settings_changed),
        "period_changed" => t_string!(i18n, audit_period_changed),
        "form_published" => t_string!(i18n, audit_form_published),
        "indicator_published" => t_string!(i18n, audit_indicator_published),
        "token_created" => t_string!(i18n, audit_token_created),
        "token_revoked" => t_string!(i18n, audit_token_revoked),
        "demo_purged" => t_string!(i18n, audit_demo_purged),
        "programme_imported" => t_string!(i18n, audit_programme_imported),
        _ => t_string!(i18n, audit_other),
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let person = RwSignal::new(None::<Uuid>);
    let project = RwSignal::new(None::<Uuid>);
    let kind = RwSignal::new(None::<String>);
    let lines = resource(
        move || (person.get(), project.get(), kind.get()),
        |(person, project, kind)| audit_trail(person, project, kind),
    );
    let people = resource(|| (), |_| people_directory());
    let projects = resource(|| (), |_| list_projects());
    let csv = move || {
        let mut query = Vec::new();
        if let Some(p) = person.get() {
            query.push(format!("person={p}"));
        }
        if let Some(p) = project.get() {
            query.push(format!("project={p}"));
        }
        if let Some(k) = kind.get() {
            query.push(format!("kind={k}"));
        }
        format!("/exports/audit.csv?{}", query.join("&"))
    };
    view! {
        <GatedFrame
            allowed=|role| Screen::Audit.gate().allows(role)
            title=t_string!(i18n, audit_title)
            intro=t_string!(i18n, audit_intro)
        >
            <form class="filters" on:submit=|ev| ev.prevent_default()>
                <div class="field">
                    <label for="audit-person">{t_string!(i18n, audit_person)}</label>
                    <select id="audit-person" on:change=move |ev| person.set(event_target_value(&ev).parse().ok())>
                        <option value="">{t_string!(i18n, audit_everyone)}</option>
                        {move || people.get().and_then(Result::ok).map(|d| d.people.into_iter().map(|p| view! {
                            <option value=p.id.to_string()>{p.name}</option>
                        }).collect_view())}
                    </select>
                </div>
                <div class="field">
                    <label for="audit-project">{t_string!(i18n, audit_project)}</label>
                    <select id="audit-project" on:change=move |ev| project.set(event_target_value(&ev).parse().ok())>
                        <option value="">{t_string!(i18n, audit_every_project)}</option>
                        {move || projects.get().and_then(Result::ok).map(|cards| cards.into_iter().map(|c| view! {
                            <option value=c.id.to_string()>{format!("{} · {}", c.code, c.title)}</option>
                        }).collect_view())}
                    </select>
                </div>
                <div class="field">
                    <label for="audit-kind">{t_string!(i18n, audit_kind)}</label>
                    <select id="audit-kind" on:change=move |ev| kind.set(Some(event_target_value(&ev)).filter(|k| !k.is_empty()))>
                        <option value="">{t_string!(i18n, audit_every_kind)}</option>
                        {KINDS.into_iter().map(|k| view! { <option value=k>{kind_label(i18n, k)}</option> }).collect_view()}
                    </select>
                </div>
                <p><a href=csv download>{t_string!(i18n, audit_download)}</a></p>
            </form>
            <Transition>
                {move || lines.get().map(|r| match r {
                    Ok(lines) => view! { <AuditTable lines /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                })}
            </Transition>
        </GatedFrame>
    }
}

#[component]
fn AuditTable(lines: Vec<AuditEntry>) -> impl IntoView {
    let i18n = use_i18n();
    if lines.is_empty() {
        return view! { <p>{t_string!(i18n, audit_none)}</p> }.into_any();
    }
    view! {
        <div class="table-scroll">
            <table class="people audit">
                <caption>{t_string!(i18n, audit_caption, count = lines.len())}</caption>
                <thead><tr>
                    <th scope="col">{t_string!(i18n, audit_when)}</th>
                    <th scope="col">{t_string!(i18n, audit_person)}</th>
                    <th scope="col">{t_string!(i18n, audit_kind)}</th>
                    <th scope="col">{t_string!(i18n, audit_subject)}</th>
                    <th scope="col">{t_string!(i18n, audit_change)}</th>
                </tr></thead>
                <tbody>
                    {lines.into_iter().map(|l| {
                        let change = l.before.is_some() || l.after.is_some();
                        view! {
                            <tr>
                                <td>{text::day(&l.at)}" "<small dir="ltr">{l.at.get(11..16).unwrap_or_default().to_owned()}" UTC"</small></td>
                                <td><bdi>{l.actor_name}</bdi></td>
                                <td>{kind_label(i18n, &l.kind)}</td>
                                <td><bdi>{l.subject}</bdi></td>
                                <td>{change.then(|| view! {
                                    <details>
                                        <summary>{t_string!(i18n, audit_show_change)}</summary>
                                        {l.before.map(|b| view! { <p>{t_string!(i18n, audit_before)}</p><pre dir="ltr">{b}</pre> })}
                                        {l.after.map(|a| view! { <p>{t_string!(i18n, audit_after)}</p><pre dir="ltr">{a}</pre> })}
                                    </details>
                                })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
