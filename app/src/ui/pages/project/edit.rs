//! The pages of the walking skeleton: sign-in, the home page of each role, a project, not found.

use crate::domain::ProjectRecord;
use crate::domain::dates::today_iso;
use crate::i18n::*;
use crate::ui::data::resource;
use crate::ui::kit::panels::ErrorPanel;
use crate::ui::text;
use leptos::prelude::*;
use uuid::Uuid;

/// Moves the project on in its lifecycle, offline: the statuses it may take next, and where the
/// change stands with the server.
#[component]
pub(crate) fn StatusChange(
    user: Uuid,
    project: Uuid,
    status: crate::domain::ProjectStatus,
) -> impl IntoView {
    use crate::domain::ChangeProjectStatus;
    use crate::domain::RecordKind;
    use crate::sync::mutations::ChangeStatus;
    use crate::sync::outbox::{SyncState, prepare};
    let i18n = use_i18n();
    let sync = crate::ui::sync::use_sync();
    let local = crate::ui::local::from_view(user, move |v| {
        v.get::<ProjectRecord>(project).map(|p| {
            (
                p.status.unwrap_or(status),
                v.state(RecordKind::Project, project),
            )
        })
    });
    let chosen = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    view! {
        {move || local().flatten().map(|(now, state)| {
            let next = now.next();
            let tag = (state != SyncState::Sent).then(|| {
                let tag = crate::ui::kit::tags::state_tag(i18n, &state);
                view! { <p><span class=tag.class><span aria-hidden="true">{tag.icon}</span>{tag.text}</span></p> }
            });
            if next.is_empty() {
                return view! { {tag} <p>{t_string!(i18n, status_final)}</p> }.into_any();
            }
            let change = move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                let Some(to) = crate::domain::ProjectStatus::parse(&chosen.get_untracked()) else {
                    error.set(Some(t_string!(i18n, fe_required).to_string()));
                    return;
                };
                error.set(None);
                let args = ChangeProjectStatus { project_id: project, from: now, to };
                let today = today_iso();
                crate::ui::kit::save::save_then(i18n, sync, user, vec![prepare::<ChangeStatus>(&args, &today)], None, Box::new(move |r| {
                    chosen.set(String::new());
                    error.set(r.err());
                }));
            };
            view! {
                {tag}
                <form class="inline-form status-change" on:submit=change novalidate>
                    <div class="field">
                        <label for="status-next">{t_string!(i18n, status_next)}</label>
                        <select id="status-next" aria-describedby="status-next-error"
                            on:change=move |ev| chosen.set(event_target_value(&ev))>
                            <option value="">"—"</option>
                            {next.iter().map(|s| view! { <option value=s.as_str()>{text::status(i18n, *s)}</option> }).collect_view()}
                        </select>
                        <p class="field-error" id="status-next-error">{move || error.get()}</p>
                    </div>
                    <button type="submit">{t_string!(i18n, status_change)}</button>
                </form>
            }.into_any()
        })}
    }
}

/// Corrects the project's title, legal form and training track, offline.
#[component]
pub(crate) fn ProjectEdit(user: Uuid, project: Uuid) -> impl IntoView {
    use crate::domain::EditProject;
    use crate::domain::project::{LEGAL_FORMS, TRAINING_TRACKS};
    use crate::sync::mutations::EditProjectFields;
    use crate::sync::outbox::prepare;
    let i18n = use_i18n();
    let sync = crate::ui::sync::use_sync();
    let record =
        crate::ui::local::from_view(user, move |v| v.get::<ProjectRecord>(project).cloned());
    view! {
        {move || record().flatten().map(|p| {
            let title = RwSignal::new(p.title.clone());
            let form = RwSignal::new(p.legal_form.clone());
            let track = RwSignal::new(p.training_track.clone());
            let error = RwSignal::new(None::<String>);
            let saved = RwSignal::new(false);
            let version = p.version;
            let save = move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                saved.set(false);
                let args = EditProject {
                    project_id: project,
                    base_version: version,
                    title: title.get_untracked(),
                    legal_form: form.get_untracked(),
                    training_track: track.get_untracked(),
                };
                crate::ui::kit::save::save_then(i18n, sync, user, vec![prepare::<EditProjectFields>(&args, &today_iso())], None, Box::new(move |r| {
                    saved.set(r.is_ok());
                    error.set(r.err());
                }));
            };
            let select = move |id: &'static str, label: &'static str, values: &'static [&'static str], value: RwSignal<String>, show: fn(leptos_i18n::I18nContext<Locale>, &str) -> String| view! {
                <div class="field">
                    <label for=id>{label}</label>
                    <select id=id on:change=move |ev| value.set(event_target_value(&ev))>
                        {values.iter().map(|v| view! { <option value=*v selected=value.get_untracked() == *v>{show(i18n, v)}</option> }).collect_view()}
                    </select>
                </div>
            };
            view! {
                <details class="project-edit">
                    <summary>{t_string!(i18n, project_edit)}</summary>
                    <form class="inline-form" on:submit=save novalidate>
                        <div class="field">
                            <label for="project-title">{t_string!(i18n, project_title)}</label>
                            <input id="project-title" type="text" maxlength="120" aria-describedby="project-edit-error"
                                prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
                        </div>
                        {select("project-legal-form", t_string!(i18n, legal_form), &LEGAL_FORMS, form, text::legal_form)}
                        {select("project-track", t_string!(i18n, training_track), &TRAINING_TRACKS, track, text::training_track)}
                        <p class="field-error" id="project-edit-error">{move || error.get()}</p>
                        <button type="submit">{t_string!(i18n, project_edit_save)}</button>
                        {move || saved.get().then(|| view! {
                            <p class="notice success" role="status"><span aria-hidden="true">"✓ "</span>{t_string!(i18n, saved_on_phone)}</p>
                        })}
                    </form>
                </details>
            }
        })}
    }
}

/// The team assigns the project to a facilitator and an incubator (online).
#[component]
pub(crate) fn Assignment(project: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let choices = resource(|| (), move |_| crate::api::assignment_choices(project));
    let outcome = RwSignal::new(None::<Result<(), String>>);
    view! {
        <section aria-labelledby="assignment-title">
            <h2 id="assignment-title">{t_string!(i18n, assignment_title)}</h2>
            <Suspense fallback=|| ()>
                {move || choices.get().map(|r| match r {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(c) => {
                        let facilitator = RwSignal::new(c.facilitator.map(|f| f.to_string()).unwrap_or_default());
                        let incubator = RwSignal::new(c.incubator.map(|f| f.to_string()).unwrap_or_default());
                        let funder = RwSignal::new(c.funder.map(|f| f.to_string()).unwrap_or_default());
                        let save = move |ev: leptos::ev::SubmitEvent| {
                            ev.prevent_default();
                            let f = Uuid::parse_str(&facilitator.get_untracked()).ok();
                            let Ok(inc) = Uuid::parse_str(&incubator.get_untracked()) else { return };
                            let by = Uuid::parse_str(&funder.get_untracked()).ok();
                            outcome.set(None);
                            leptos::task::spawn_local(async move {
                                let r = crate::api::assign_project(project, f, inc, by).await;
                                outcome.set(Some(r.map_err(|e| text::error(i18n, &e))));
                            });
                        };
                        view! {
                            <form class="assignment" on:submit=save>
                                <div class="field">
                                    <label for="assign-facilitator">{t_string!(i18n, facilitator)}</label>
                                    <select id="assign-facilitator" on:change=move |ev| facilitator.set(event_target_value(&ev))>
                                        <option value="" selected=c.facilitator.is_none()>{t_string!(i18n, assignment_nobody)}</option>
                                        {c.facilitators.iter().map(|(id, name, org)| view! {
                                            <option value=id.to_string() selected=c.facilitator == Some(*id)>{format!("{name} · {org}")}</option>
                                        }).collect_view()}
                                    </select>
                                </div>
                                <div class="field">
                                    <label for="assign-incubator">{t_string!(i18n, incubator)}</label>
                                    <select id="assign-incubator" on:change=move |ev| incubator.set(event_target_value(&ev))>
                                        {c.incubators.iter().map(|(id, name)| view! {
                                            <option value=id.to_string() selected=c.incubator == Some(*id)>{name.clone()}</option>
                                        }).collect_view()}
                                    </select>
                                </div>
                                <div class="field">
                                    <label for="assign-funder">{t_string!(i18n, funder)}</label>
                                    <select id="assign-funder" on:change=move |ev| funder.set(event_target_value(&ev))>
                                        <option value="" selected=c.funder.is_none()>{t_string!(i18n, funder_none)}</option>
                                        {c.funders.iter().map(|(id, name)| view! {
                                            <option value=id.to_string() selected=c.funder == Some(*id)>{name.clone()}</option>
                                        }).collect_view()}
                                    </select>
                                </div>
                                <div class="actions"><button type="submit">{t_string!(i18n, assignment_save)}</button></div>
                                {move || outcome.get().map(|r| match r {
                                    Ok(()) => view! { <p class="notice success" role="status"><span aria-hidden="true">"✓ "</span>{t_string!(i18n, assignment_saved)}</p> }.into_any(),
                                    Err(m) => view! { <p class="notice error" role="alert"><span aria-hidden="true">"⚠ "</span>{m}</p> }.into_any(),
                                })}
                            </form>
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}
