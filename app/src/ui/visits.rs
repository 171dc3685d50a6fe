//! Coaching visits and action items on the phone: listed on the project page from the local view
//! (so they show offline, with where each entry stands), captured in a form that saves to the
//! outbox at once.
//!
//! Everything here reads device storage, which the server cannot see: the lists and the form draw
//! after the page has started in the browser (an effect), so the server's markup and the first
//! browser render agree.

use super::data::load_user;
use super::layout::Frame;
use super::sync::use_sync;
use super::text;
use crate::domain::{
    ActionItem, ActionStatus, EntryStatus, FieldError, Topic, Visit, VisitFields, VisitMode,
};
use crate::error::AppError;
use crate::i18n::*;
use crate::sync::outbox::{LocalView, SyncState};
use crate::sync::protocol::RecordKind;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

/// The signed-in user's local view, read now (the browser only).
fn local_view(user: Uuid) -> Option<LocalView> {
    #[cfg(feature = "hydrate")]
    {
        LocalView::load(&crate::storage::BrowserStore, user).ok()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = user;
        None
    }
}

/// A value read from the local view, again whenever the device's data changes.
fn from_view<T: Send + Sync + 'static>(
    user: Uuid,
    read: impl Fn(&LocalView) -> T + 'static,
) -> ReadSignal<Option<T>> {
    let sync = use_sync();
    let (value, set_value) = signal(None);
    Effect::new(move |_| {
        sync.revision.track();
        if let Some(view) = local_view(user) {
            set_value.set(Some(read(&view)));
        }
    });
    value
}

#[component]
fn StateTag(state: SyncState) -> impl IntoView {
    let i18n = use_i18n();
    let (class, icon) = match state {
        SyncState::Waiting => ("tag waiting", "⏳"),
        SyncState::Sent => ("tag sent", "✓"),
        SyncState::Refused { .. } => ("tag refused", "✗"),
        SyncState::Conflict => ("tag conflict", "⚠"),
    };
    view! {
        <span class=class>
            <span aria-hidden="true">{icon}" "</span>
            {move || text::sync_state(i18n, &state)}
        </span>
    }
}

/// The project's visits on this phone, latest first, each with where it stands.
#[component]
pub fn VisitsSection(user: Uuid, project: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let visits = from_view(user, move |view| {
        view.visits_of(project)
            .into_iter()
            .map(|v| (v.clone(), view.state(RecordKind::Visit, v.id)))
            .collect::<Vec<(Visit, SyncState)>>()
    });
    let new_href = format!("/projects/{project}/visits/new");
    view! {
        <section aria-labelledby="visits-title">
            <h2 id="visits-title">{t!(i18n, visits_title)}</h2>
            <p><a class="button primary" href=new_href>"＋ "{t!(i18n, new_visit)}</a></p>
            {move || visits.get().map(|list| {
                if list.is_empty() {
                    return view! { <p>{t!(i18n, no_visits_here)}</p> }.into_any();
                }
                view! {
                    <ul class="entries">
                        {list.into_iter().map(|(v, state)| {
                            let href = format!("/projects/{project}/visits/{}", v.id);
                            let status = v.fields.status;
                            let mode = v.fields.mode;
                            let present = v.fields.present_member_ids.len();
                            let observations = v.fields.observations.clone();
                            view! {
                                <li>
                                    <p class="entry-head">
                                        <strong>{text::day(&v.fields.visit_on)}</strong>
                                        " · "{move || text::visit_mode(i18n, mode)}
                                        {(present > 0).then(|| view! { " · "{t!(i18n, members_present_count, n = present)} })}
                                    </p>
                                    <p class="entry-state">
                                        <span class="tag">{move || text::entry_status(i18n, status)}</span>
                                        " "<StateTag state=state />
                                    </p>
                                    {(!observations.is_empty()).then(|| view! { <p class="entry-text">{observations}</p> })}
                                    <p><a href=href>{t!(i18n, edit)}<span class="visually-hidden">" "{text::day(&v.fields.visit_on)}</span></a></p>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            })}
        </section>
    }
}

/// The project's action items, open first, with a form to add one and a button to close one.
#[component]
pub fn ActionsSection(user: Uuid, project: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let items = from_view(user, move |view| {
        view.actions_of(project)
            .into_iter()
            .map(|a| (a.clone(), view.state(RecordKind::Action, a.id)))
            .collect::<Vec<(ActionItem, SyncState)>>()
    });
    let (title, set_title) = signal(String::new());
    let (due, set_due) = signal(String::new());
    let (error, set_error) = signal(None::<String>);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let args = crate::domain::NewActionItem {
            id: new_id(),
            project_id: project,
            visit_id: None,
            title: title.get_untracked(),
            due_on: Some(due.get_untracked()).filter(|d| !d.is_empty()),
        };
        if let Err(e) = args.validate() {
            set_error.set(Some(text::field_error(i18n, e.code).to_string()));
            return;
        }
        set_error.set(None);
        save_then::<crate::sync::mutations::AddAction>(user, args, move |result| match result {
            Ok(()) => {
                set_title.set(String::new());
                set_due.set(String::new());
            }
            Err(message) => set_error.set(Some(message)),
        });
    };
    view! {
        <section aria-labelledby="actions-title">
            <h2 id="actions-title">{t!(i18n, actions_title)}</h2>
            {move || items.get().map(|list| {
                if list.is_empty() {
                    return view! { <p>{t!(i18n, no_actions)}</p> }.into_any();
                }
                view! {
                    <ul class="entries">
                        {list.into_iter().map(|(a, state)| {
                            let done = a.status == ActionStatus::Done;
                            let id = a.id;
                            let close = move |_| {
                                let args = crate::domain::CloseActionItem {
                                    id,
                                    closed_on: today(),
                                };
                                save_then::<crate::sync::mutations::CloseAction>(user, args, move |r| {
                                    if let Err(m) = r { set_error.set(Some(m)) }
                                });
                            };
                            view! {
                                <li class:done=done>
                                    <p class="entry-head"><strong>{a.title.clone()}</strong></p>
                                    <p class="entry-state">
                                        {match (done, a.closed_on.clone(), a.due_on.clone()) {
                                            (true, Some(day), _) => view! { <span class="tag sent">{t!(i18n, action_done_on, day = text::day(&day))}</span> }.into_any(),
                                            (false, _, Some(day)) => view! { <span class="tag">{t!(i18n, action_due_on, day = text::day(&day))}</span> }.into_any(),
                                            _ => ().into_any(),
                                        }}
                                        " "<StateTag state=state />
                                    </p>
                                    {(!done).then(|| view! {
                                        <button type="button" on:click=close>"✓ "{t!(i18n, mark_done)}<span class="visually-hidden">": "{a.title.clone()}</span></button>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            })}
            <form class="inline-form" on:submit=add>
                {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                <div class="field">
                    <label for="action-title">{t!(i18n, action_title)}</label>
                    <input id="action-title" type="text" maxlength="200" required
                        prop:value=title on:input=move |ev| set_title.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="action-due">{t!(i18n, action_due)}" "<span class="hint-inline">{t!(i18n, optional)}</span></label>
                    <input id="action-due" type="date" prop:value=due on:input=move |ev| set_due.set(event_target_value(&ev)) />
                </div>
                <button type="submit">"＋ "{t!(i18n, add_action)}</button>
            </form>
        </section>
    }
}

fn today() -> String {
    crate::domain::dates::today_iso()
}

fn new_id() -> Uuid {
    #[cfg(feature = "hydrate")]
    {
        super::platform::new_id()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Uuid::nil()
    }
}

/// Saves a mutation on the phone, then calls `done` with `Ok`, or with the message to show.
fn save_then<M>(user: Uuid, args: M::Args, done: impl FnOnce(Result<(), String>) + 'static)
where
    M: crate::sync::mutations::MutationType + 'static,
    M::Args: 'static,
{
    #[cfg(feature = "hydrate")]
    {
        let i18n = use_i18n();
        leptos::task::spawn_local(async move {
            use crate::storage::StorageError;
            use crate::sync::outbox::SaveError;
            let result = super::sync::save::<M>(user, &args).await;
            done(result.map(|_| ()).map_err(|e| match e {
                SaveError::Invalid(f) => text::field_error(i18n, f.code).to_string(),
                SaveError::Storage(StorageError::QuotaExceeded) => {
                    t_string!(i18n, save_storage_full).to_string()
                }
                SaveError::Storage(_) => t_string!(i18n, save_storage_other).to_string(),
            }));
        });
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (user, args, done);
    }
}

/// `/projects/:id/visits/new` and `/projects/:id/visits/:visit`: the visit form.
#[component]
pub fn VisitFormPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let ids = move || {
        let p = params.read();
        let project = p.get("id").and_then(|s| Uuid::parse_str(&s).ok());
        let visit = p.get("visit").and_then(|s| Uuid::parse_str(&s).ok());
        (project, visit)
    };
    let user = Resource::new(|| (), |_| load_user());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match (user.await, ids()) {
                    (Ok(Some(user)), (Some(project), visit)) => view! {
                        <Title text=move || if visit.is_some() { t_string!(i18n, edit_visit) } else { t_string!(i18n, new_visit) } />
                        <Frame user=user.value.clone()>
                            <VisitForm user=user.value.id project visit />
                        </Frame>
                    }.into_any(),
                    (Ok(None), _) | (Err(AppError::NotSignedIn), _) => view! { <Redirect path="/login" /> }.into_any(),
                    _ => view! { <Frame><p>{t!(i18n, not_found_body)}</p></Frame> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// What the form holds, as typed.
#[derive(Clone, Debug, PartialEq)]
struct Draft {
    visit_on: String,
    mode: VisitMode,
    present: Vec<Uuid>,
    topics: Vec<Topic>,
    observations: String,
    difficulties: String,
    next_visit_on: String,
}

#[component]
fn VisitForm(user: Uuid, project: Uuid, visit: Option<Uuid>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let navigate = leptos_router::hooks::use_navigate();
    // (members to choose from, the visit being edited)
    let (loaded, set_loaded) = signal(None::<(Vec<(Uuid, String)>, Option<Visit>, String)>);
    Effect::new(move |_| {
        if let Some(view) = local_view(user) {
            let members = view
                .members_of(project)
                .into_iter()
                .filter(|m| m.member.left_on.is_none())
                .map(|m| (m.member.id, m.member.full_name.clone()))
                .collect();
            let existing = visit.and_then(|id| view.visit(id).cloned());
            let title = view
                .project(project)
                .map(|p| p.title.clone())
                .unwrap_or_default();
            set_loaded.set(Some((members, existing, title)));
        }
    });
    let back = format!("/projects/{project}");
    view! {
        <p class="back"><a href=back.clone()><span class="icon-back" aria-hidden="true">"←"</span>" "{t!(i18n, cancel)}</a></p>
        {move || loaded.get().map(|(members, existing, title)| {
            let navigate = navigate.clone();
            let back = back.clone();
            let base_version = existing.as_ref().map(|v| v.version).filter(|v| *v > 0);
            let start = match &existing {
                Some(v) => Draft {
                    visit_on: v.fields.visit_on.clone(),
                    mode: v.fields.mode,
                    present: v.fields.present_member_ids.clone(),
                    topics: v.fields.topics.clone(),
                    observations: v.fields.observations.clone(),
                    difficulties: v.fields.difficulties.clone(),
                    next_visit_on: v.fields.next_visit_on.clone().unwrap_or_default(),
                },
                None => Draft {
                    visit_on: today(),
                    mode: VisitMode::OnSite,
                    present: vec![],
                    topics: vec![],
                    observations: String::new(),
                    difficulties: String::new(),
                    next_visit_on: String::new(),
                },
            };
            let id = visit.unwrap_or_else(new_id);
            let draft = RwSignal::new(start);
            let errors = RwSignal::new(Vec::<FieldError>::new());
            let storage_error = RwSignal::new(None::<String>);
            let summary_ref = NodeRef::<leptos::html::Div>::new();
            let submit = move |status: EntryStatus| {
                let d = draft.get_untracked();
                let fields = VisitFields {
                    project_id: project,
                    visit_on: d.visit_on,
                    mode: d.mode,
                    present_member_ids: d.present,
                    topics: d.topics,
                    observations: d.observations.trim().to_owned(),
                    difficulties: d.difficulties.trim().to_owned(),
                    next_visit_on: Some(d.next_visit_on).filter(|s| !s.is_empty()),
                    status,
                };
                let found = fields.errors(&today());
                if !found.is_empty() {
                    errors.set(found);
                    if let Some(el) = summary_ref.get_untracked() {
                        let _ = el.focus();
                    }
                    return;
                }
                errors.set(vec![]);
                let args = crate::sync::mutations::SaveVisitArgs { id, base_version, fields };
                let navigate = navigate.clone();
                let back = back.clone();
                save_then::<crate::sync::mutations::SaveVisit>(user, args, move |result| match result {
                    Ok(()) => {
                        sync.flash.set(Some(t_string!(i18n, saved_on_phone).to_string()));
                        navigate(&back, Default::default());
                    }
                    Err(message) => storage_error.set(Some(message)),
                });
            };
            let submit_draft = submit.clone();
            let error_of = move |field: &'static str| {
                move || errors.get().into_iter().find(|e| e.field == field).map(|e| {
                    view! { <p class="field-error" id=format!("{field}-error")><span aria-hidden="true">"✗ "</span>{text::field_error(i18n, e.code)}</p> }
                })
            };
            let invalid = move |field: &'static str| move || errors.get().iter().any(|e| e.field == field).to_string();
            view! {
                <h1>{move || if visit.is_some() { t!(i18n, edit_visit).into_any() } else { t!(i18n, new_visit).into_any() }}</h1>
                {(!title.is_empty()).then(|| view! { <p class="meta"><bdi>{title.clone()}</bdi></p> })}
                <div class="error-summary" role="alert" tabindex="-1" node_ref=summary_ref hidden=move || errors.get().is_empty() && storage_error.get().is_none()>
                    <h2>{t!(i18n, form_problem)}</h2>
                    <ul>
                        {move || errors.get().into_iter().map(|e| view! {
                            <li><a href=format!("#{}", e.field)>{text::field_error(i18n, e.code)}</a></li>
                        }).collect_view()}
                        {move || storage_error.get().map(|m| view! { <li>{m}</li> })}
                    </ul>
                </div>
                <form class="visit-form" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); submit(EntryStatus::Submitted) }>
                    <div class="field">
                        <label for="visit_on">{t!(i18n, visit_on)}</label>
                        <p class="hint" id="visit_on-hint">{t!(i18n, date_hint)}</p>
                        {error_of("visit_on")}
                        <input id="visit_on" type="date" required aria-describedby="visit_on-hint visit_on-error" aria-invalid=invalid("visit_on")
                            prop:value=move || draft.with(|d| d.visit_on.clone())
                            on:input=move |ev| draft.update(|d| d.visit_on = event_target_value(&ev)) />
                    </div>
                    <fieldset class="field">
                        <legend>{t!(i18n, visit_mode)}</legend>
                        {VisitMode::ALL.into_iter().map(|m| view! {
                            <label class="choice">
                                <input type="radio" name="mode" value=m.as_str()
                                    prop:checked=move || draft.with(|d| d.mode == m)
                                    on:change=move |_| draft.update(|d| d.mode = m) />
                                {move || text::visit_mode(i18n, m)}
                            </label>
                        }).collect_view()}
                    </fieldset>
                    <fieldset class="field" id="present_member_ids">
                        <legend>{t!(i18n, present_members)}</legend>
                        {if members.is_empty() {
                            view! { <p class="hint">{t!(i18n, no_members_here)}</p> }.into_any()
                        } else {
                            members.into_iter().map(|(mid, name)| view! {
                                <label class="choice">
                                    <input type="checkbox" value=mid.to_string()
                                        prop:checked=move || draft.with(|d| d.present.contains(&mid))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            draft.update(|d| {
                                                d.present.retain(|x| *x != mid);
                                                if on { d.present.push(mid) }
                                            })
                                        } />
                                    <bdi>{name}</bdi>
                                </label>
                            }).collect_view().into_any()
                        }}
                    </fieldset>
                    <fieldset class="field">
                        <legend>{t!(i18n, topics)}</legend>
                        {Topic::ALL.into_iter().map(|t| view! {
                            <label class="choice">
                                <input type="checkbox" value=t.as_str()
                                    prop:checked=move || draft.with(|d| d.topics.contains(&t))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        draft.update(|d| {
                                            d.topics.retain(|x| *x != t);
                                            if on { d.topics.push(t); d.topics.sort() }
                                        })
                                    } />
                                {move || text::topic(i18n, t)}
                            </label>
                        }).collect_view()}
                    </fieldset>
                    <div class="field">
                        <label for="observations">{t!(i18n, observations)}</label>
                        <p class="hint" id="observations-hint">{t!(i18n, observations_hint)}</p>
                        {error_of("observations")}
                        <textarea id="observations" rows="5" aria-describedby="observations-hint observations-error" aria-invalid=invalid("observations")
                            prop:value=move || draft.with(|d| d.observations.clone())
                            on:input=move |ev| draft.update(|d| d.observations = event_target_value(&ev))></textarea>
                    </div>
                    <div class="field">
                        <label for="difficulties">{t!(i18n, difficulties)}" "<span class="hint-inline">{t!(i18n, optional)}</span></label>
                        {error_of("difficulties")}
                        <textarea id="difficulties" rows="3" aria-describedby="difficulties-error" aria-invalid=invalid("difficulties")
                            prop:value=move || draft.with(|d| d.difficulties.clone())
                            on:input=move |ev| draft.update(|d| d.difficulties = event_target_value(&ev))></textarea>
                    </div>
                    <div class="field">
                        <label for="next_visit_on">{t!(i18n, next_visit_on)}" "<span class="hint-inline">{t!(i18n, optional)}</span></label>
                        <p class="hint" id="next_visit_on-hint">{t!(i18n, date_hint)}</p>
                        {error_of("next_visit_on")}
                        <input id="next_visit_on" type="date" aria-describedby="next_visit_on-hint next_visit_on-error" aria-invalid=invalid("next_visit_on")
                            prop:value=move || draft.with(|d| d.next_visit_on.clone())
                            on:input=move |ev| draft.update(|d| d.next_visit_on = event_target_value(&ev)) />
                    </div>
                    <div class="actions">
                        <button type="submit" class="primary">{t!(i18n, save_submit)}</button>
                        <button type="button" on:click=move |_| submit_draft(EntryStatus::Draft)>{t!(i18n, save_draft)}</button>
                    </div>
                </form>
            }
        })}
    }
}
