//! The pages of the walking skeleton: sign-in, the home page of each role, a project, not found.

use crate::domain::dates::today_iso;
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::kit::attachments::{Attached, Attachments, EvidenceList};
use crate::ui::text;
use leptos::prelude::*;
use uuid::Uuid;

/// The project's funding tranches: planned, disbursed (when), justified, with the documents that
/// justify them; the team records them.
#[component]
pub(crate) fn TranchesSection(
    user: Uuid,
    project: Uuid,
    tranches: Vec<crate::domain::timeline::Tranche>,
    editable: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let list = RwSignal::new(tranches);
    let amount = move |m: Option<i64>| {
        m.map(|m| text::money(i18n, m))
            .unwrap_or_else(|| "—".into())
    };
    view! {
        <section aria-labelledby="tranches-title">
            <h2 id="tranches-title">{t_string!(i18n, tranches_title)}</h2>
            // Scrolls sideways on a narrow phone: reachable with the keyboard, named for readers.
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby="tranches-title">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{t_string!(i18n, tranche_seq)}</th>
                            <th scope="col">{t_string!(i18n, tranche_planned)}</th>
                            <th scope="col">{t_string!(i18n, tranche_disbursed)}</th>
                            <th scope="col">{t_string!(i18n, tranche_disbursed_on)}</th>
                            <th scope="col">{t_string!(i18n, tranche_justified)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || list.get().into_iter().map(|t| view! {
                            <tr>
                                <th scope="row">{t.seq}</th>
                                <td>{amount(Some(t.planned))}</td>
                                <td>{amount(t.disbursed)}</td>
                                <td>{t.disbursed_on.as_deref().map(text::day).unwrap_or_else(|| "—".into())}</td>
                                <td>{amount(t.justified)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {move || {
                let justified: Vec<_> = list.get().into_iter().filter(|t| !t.files.is_empty()).collect();
                (!justified.is_empty()).then(|| view! {
                    <h3>{t_string!(i18n, tranche_files_title)}</h3>
                    {justified.into_iter().map(|t| view! {
                        <h4>{t_string!(i18n, tranche_n, seq = t.seq).to_string()}</h4>
                        <EvidenceList files=t.files on_phone=true />
                    }).collect_view()}
                })
            }}
            {editable.then(|| view! { <TrancheForm user project list /> })}
        </section>
    }
}

/// The team records a tranche: its number, planned, disbursed with the day, justified (dinars),
/// and the documents that justify it. Choosing a tranche already recorded fills the form with it.
/// The documents are kept in this browser, named by the tranche once saved, and sent by the
/// sync that follows.
#[component]
pub(crate) fn TrancheForm(
    user: Uuid,
    project: Uuid,
    list: RwSignal<Vec<crate::domain::timeline::Tranche>>,
) -> impl IntoView {
    use crate::domain::money::{parse_dinars, typed_dinars};
    use crate::domain::timeline::{MAX_TRANCHES, Tranche};
    let i18n = use_i18n();
    let seq = RwSignal::new(String::from("1"));
    let planned = RwSignal::new(String::new());
    let disbursed = RwSignal::new(String::new());
    let on = RwSignal::new(String::new());
    let justified = RwSignal::new(String::new());
    let attached = Attached::new("tranche-files", Vec::new());
    let wrong = RwSignal::new(None::<String>);
    let outcome = RwSignal::new(None::<Result<(), String>>);
    let sync = crate::ui::sync::use_sync();
    // The tranche chosen: what is recorded of it, or an empty form.
    let choose = move |n: String| {
        let held = n
            .parse::<i32>()
            .ok()
            .and_then(|n| list.with_untracked(|all| all.iter().find(|t| t.seq == n).cloned()));
        let money = |m: Option<i64>| m.map(typed_dinars).unwrap_or_default();
        planned.set(money(held.as_ref().map(|t| t.planned)));
        disbursed.set(money(held.as_ref().and_then(|t| t.disbursed)));
        on.set(
            held.as_ref()
                .and_then(|t| t.disbursed_on.clone())
                .unwrap_or_default(),
        );
        justified.set(money(held.as_ref().and_then(|t| t.justified)));
        attached.restore(held.map(|t| t.files).unwrap_or_default(), &[]);
        seq.set(n);
        wrong.set(None);
        outcome.set(None);
    };
    choose("1".into());
    // Typed amounts: empty is none, anything else must read as dinars.
    let money = move |typed: String, field: &'static str| -> Result<Option<i64>, String> {
        let typed = typed.trim().to_owned();
        if typed.is_empty() {
            return Ok(None);
        }
        parse_dinars(&typed)
            .map(Some)
            .ok_or_else(|| field.to_owned())
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        outcome.set(None);
        let read = || -> Result<Tranche, String> {
            Ok(Tranche {
                seq: seq.get_untracked().parse().map_err(|_| "seq".to_owned())?,
                planned: money(planned.get_untracked(), "planned")?
                    .ok_or_else(|| "planned".to_owned())?,
                disbursed: money(disbursed.get_untracked(), "disbursed")?,
                disbursed_on: Some(on.get_untracked()).filter(|d| !d.is_empty()),
                justified: money(justified.get_untracked(), "justified")?,
                files: attached.to_save(i18n).map_err(|_| "files".to_owned())?,
            })
        };
        let tranche = match read() {
            Ok(t) => t,
            Err(field) => {
                wrong.set(Some(field));
                return;
            }
        };
        if let Err(e) = tranche.check(&today_iso()) {
            wrong.set(Some(e.field.to_owned()));
            return;
        }
        wrong.set(None);
        leptos::task::spawn_local(async move {
            let result = crate::api::save_tranche(project, tranche.clone()).await;
            if result.is_ok() {
                // The server now names the documents: the sync sends them.
                if !tranche.files.is_empty() {
                    sync.kick();
                }
                list.update(|all| {
                    all.retain(|t| t.seq != tranche.seq);
                    all.push(tranche);
                    all.sort_by_key(|t| t.seq);
                });
            }
            outcome.set(Some(result.map_err(|e| match e {
                AppError::Invalid { field, .. } => {
                    wrong.set(Some(field));
                    t_string!(i18n, tranche_refused).to_string()
                }
                e => text::error(i18n, &e),
            })));
        });
    };
    let field = move |id: &'static str,
                      name: &'static str,
                      label: &'static str,
                      kind: &'static str,
                      value: RwSignal<String>| {
        let error_id = format!("{id}-error");
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <p class="field-error" id=error_id.clone()>{move || (wrong.get().as_deref() == Some(name)).then(|| t_string!(i18n, tranche_field_wrong))}</p>
                <input id=id type=kind inputmode=if kind == "text" { "decimal" } else { "text" } aria-describedby=error_id
                    aria-invalid=move || (wrong.get().as_deref() == Some(name)).to_string()
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
            </div>
        }
    };
    view! {
        <details class="tranche-edit">
            <summary>{t_string!(i18n, tranche_record)}</summary>
            <form class="inline-form" on:submit=save novalidate>
                <div class="field">
                    <label for="tranche-seq">{t_string!(i18n, tranche_seq)}</label>
                    <select id="tranche-seq" on:change=move |ev| choose(event_target_value(&ev))>
                        {(1..=MAX_TRANCHES).map(|n| view! { <option value=n.to_string()>{n}</option> }).collect_view()}
                    </select>
                </div>
                {field("tranche-planned", "planned", t_string!(i18n, tranche_planned_dt), "text", planned)}
                {field("tranche-disbursed", "disbursed", t_string!(i18n, tranche_disbursed_dt), "text", disbursed)}
                {field("tranche-on", "disbursed_on", t_string!(i18n, tranche_disbursed_on), "date", on)}
                {field("tranche-justified", "justified", t_string!(i18n, tranche_justified_dt), "text", justified)}
                <Attachments user attached />
                <button type="submit">{t_string!(i18n, tranche_save)}</button>
                {move || outcome.get().map(|r| match r {
                    Ok(()) => view! { <p class="notice success" role="status"><span aria-hidden="true">"✓ "</span>{t_string!(i18n, tranche_saved)}</p> }.into_any(),
                    Err(m) => view! { <p class="notice error" role="alert"><span aria-hidden="true">"⚠ "</span>{m}</p> }.into_any(),
                })}
                {move || (wrong.get().is_some() && outcome.get().is_none()).then(|| view! {
                    <p class="notice error" role="alert"><span aria-hidden="true">"⚠ "</span>{t_string!(i18n, tranche_refused)}</p>
                })}
            </form>
        </details>
    }
}
