//! `/people`: the team's list of everyone with an account, and what it does for them: add a
//! person (who gets a sign-in code to choose their password), change their role and scope, make a
//! new sign-in code (a forgotten password), move a facilitator's projects to a colleague, disable
//! and enable an account.

use crate::api::{
    Directory, make_sign_in_code, people_directory, reassign_projects, save_person,
    set_person_active,
};
use crate::domain::Role;
use crate::domain::people::{Organisation, Person, PersonForm, SignInCode};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::data::Json;
use crate::ui::data::resource;
use crate::ui::kit::gate::GatedFrame;
use crate::ui::kit::panels::ErrorPanel;
use crate::ui::routes::Screen;
use crate::ui::text;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use uuid::Uuid;

/// What the page last did, said once above the list.
#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Code(SignInCode),
    Done(String),
    Failed(String),
}

#[component]
pub fn PeoplePage() -> impl IntoView {
    let i18n = use_i18n();
    let directory = resource(|| (), |_| people_directory());
    let outcome = RwSignal::new(None::<Outcome>);
    let editing = RwSignal::new(None::<Person>);
    view! {
        <GatedFrame
            allowed=|role| Screen::People.gate().allows(role)
            title=t_string!(i18n, people_title)
            intro=t_string!(i18n, people_intro)
        >
            {move || directory.get().map(|r| match r {
                Ok(d) => view! { <People directory=d resource=directory outcome editing /> }.into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            })}
        </GatedFrame>
    }
}

fn organisation_name(organisations: &[Organisation], id: Option<Uuid>) -> String {
    id.and_then(|id| organisations.iter().find(|o| o.id == id))
        .map(|o| o.name.clone())
        .unwrap_or_else(|| "—".into())
}

#[component]
fn People(
    directory: Directory,
    resource: Resource<Result<Directory, AppError>, Json>,
    outcome: RwSignal<Option<Outcome>>,
    editing: RwSignal<Option<Person>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let Directory {
        people,
        organisations,
    } = directory;
    let orgs = StoredValue::new(organisations.clone());
    let facilitators: Vec<(Uuid, String)> = people
        .iter()
        .filter(|p| p.role == Role::Facilitator && p.active)
        .map(|p| (p.id, p.name.clone()))
        .collect();
    let facilitators = StoredValue::new(facilitators);
    let act = move |work: std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Outcome, AppError>>>,
    >| {
        outcome.set(None);
        leptos::task::spawn_local(async move {
            let result = work.await;
            outcome.set(Some(
                result.unwrap_or_else(|e| Outcome::Failed(text::error(i18n, &e))),
            ));
            resource.refetch();
        });
    };
    view! {
        {move || outcome.get().map(|o| match o {
            Outcome::Code(code) => view! { <CodePanel code /> }.into_any(),
            Outcome::Done(message) => view! {
                <p class="notice success" role="status"><span aria-hidden="true">"✓ "</span>{message}</p>
            }.into_any(),
            Outcome::Failed(message) => view! {
                <p class="notice error" role="alert"><span aria-hidden="true">"⚠ "</span>{message}</p>
            }.into_any(),
        })}
        <PersonEditor organisations=organisations.clone() editing outcome resource />
        <div class="table-scroll">
            <table class="people">
                <caption>{t_string!(i18n, people_caption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t_string!(i18n, person_name)}</th>
                        <th scope="col">{t_string!(i18n, people_role)}</th>
                        <th scope="col">{t_string!(i18n, people_scope)}</th>
                        <th scope="col">{t_string!(i18n, people_last_sign_in)}</th>
                        <th scope="col">{t_string!(i18n, people_last_sync)}</th>
                        <th scope="col">{t_string!(i18n, people_actions)}</th>
                    </tr>
                </thead>
                <tbody>
                    {people.into_iter().map(|p| {
                        let scope = match p.role {
                            Role::Supervisor => p.incubators.iter().map(|i| organisation_name(&orgs.get_value(), Some(*i))).collect::<Vec<_>>().join(", "),
                            Role::Facilitator => format!("{} · {}", organisation_name(&orgs.get_value(), p.organisation), t_string!(i18n, people_projects, count = p.projects)),
                            _ => organisation_name(&orgs.get_value(), p.organisation),
                        };
                        let id = p.id;
                        let active = p.active;
                        let name = p.name.clone();
                        let edit = p.clone();
                        let others: Vec<(Uuid, String)> = facilitators.get_value().into_iter().filter(|(f, _)| *f != id).collect();
                        let movable = p.role == Role::Facilitator && p.projects > 0 && !others.is_empty();
                        let target = RwSignal::new(others.first().map(|(f, _)| *f));
                        // Every project ticked: all of them move, those registered meanwhile too.
                        let coached = p.coached.clone();
                        let all = coached.len();
                        let chosen = RwSignal::new(coached.iter().map(|(c, _)| *c).collect::<Vec<Uuid>>());
                        let code = move |_| act(Box::pin(async move { make_sign_in_code(id).await.map(Outcome::Code) }));
                        let toggle = {
                            let name = name.clone();
                            move |_| {
                                let name = name.clone();
                                act(Box::pin(async move {
                                    set_person_active(id, !active).await?;
                                    Ok(Outcome::Done(if active {
                                        t_string!(i18n, people_disabled_done, name = name).to_string()
                                    } else {
                                        t_string!(i18n, people_enabled_done, name = name).to_string()
                                    }))
                                }))
                            }
                        };
                        let reassign = move |_| {
                            let Some(to) = target.get_untracked() else { return };
                            let some = chosen.get_untracked();
                            if some.is_empty() {
                                return;
                            }
                            let some = (some.len() < all).then_some(some);
                            act(Box::pin(async move {
                                let n = reassign_projects(id, to, some).await?;
                                Ok(Outcome::Done(t_string!(i18n, people_moved, count = n).to_string()))
                            }))
                        };
                        let select_id = format!("move-{id}");
                        view! {
                            <tr class:disabled=!active>
                                <td><bdi>{p.name.clone()}</bdi><br /><small><bdi>{p.email.clone()}</bdi></small></td>
                                <td>{text::role(i18n, p.role)}{(!active).then(|| view! { <br /><strong>{t_string!(i18n, people_inactive)}</strong> })}</td>
                                <td><bdi>{scope}</bdi></td>
                                <td>{p.last_sign_in.as_deref().map(text::day).unwrap_or_else(|| t_string!(i18n, sync_never).to_string())}</td>
                                <td>{p.last_sync.as_deref().map(text::day).unwrap_or_else(|| t_string!(i18n, sync_never).to_string())}</td>
                                <td class="actions">
                                    <button type="button" on:click=move |_| editing.set(Some(edit.clone()))>
                                        {t_string!(i18n, people_edit)}<span class="visually-hidden">" "{name.clone()}</span>
                                    </button>
                                    {active.then(|| view! {
                                        <button type="button" on:click=code>
                                            {t_string!(i18n, people_make_code)}<span class="visually-hidden">" "{name.clone()}</span>
                                        </button>
                                    })}
                                    <button type="button" on:click=toggle>
                                        {if active { t_string!(i18n, people_disable) } else { t_string!(i18n, people_enable) }}
                                        <span class="visually-hidden">" "{name.clone()}</span>
                                    </button>
                                    {movable.then(|| view! {
                                        <div class="field inline">
                                            <label for=select_id.clone()>{t_string!(i18n, people_move_to, name = name.clone())}</label>
                                            <select id=select_id on:change=move |ev| target.set(event_target_value(&ev).parse().ok())>
                                                {others.iter().map(|(f, n)| view! { <option value=f.to_string()>{n.clone()}</option> }).collect_view()}
                                            </select>
                                            <details>
                                                <summary>{t_string!(i18n, people_move_which)}</summary>
                                                <fieldset class="plain">
                                                    <legend class="visually-hidden">{t_string!(i18n, people_move_which)}</legend>
                                                    {coached.iter().map(|(c, label)| {
                                                        let c = *c;
                                                        view! {
                                                            <label class="choice">
                                                                <input type="checkbox"
                                                                    prop:checked=move || chosen.with(|s| s.contains(&c))
                                                                    on:change=move |ev| {
                                                                        let on = event_target_checked(&ev);
                                                                        chosen.update(|s| { s.retain(|x| *x != c); if on { s.push(c); } });
                                                                    } />
                                                                " "<bdi>{label.clone()}</bdi>
                                                            </label>
                                                        }
                                                    }).collect_view()}
                                                </fieldset>
                                            </details>
                                            <button type="button" on:click=reassign disabled=move || chosen.with(Vec::is_empty)>
                                                {move || t_string!(i18n, people_move_count, count = chosen.with(Vec::len)).to_string()}
                                            </button>
                                        </div>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The sign-in code to hand over: as text to read out, and as a QR code to scan.
#[component]
fn CodePanel(code: SignInCode) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="notice success sign-in-code" role="status" aria-labelledby="code-title">
            <h2 id="code-title">{t_string!(i18n, people_code_title, name = code.person.clone())}</h2>
            <p>{t_string!(i18n, people_code_intro)}</p>
            <p class="code"><code dir="ltr">{code.code.clone()}</code></p>
            <figure>
                <div class="qr" aria-hidden="true" inner_html=code.qr_svg.clone()></div>
                <figcaption><a href=code.link.clone() dir="ltr">{code.link.clone()}</a></figcaption>
            </figure>
            <p>{t_string!(i18n, people_code_until, until = text::day(&code.expires_at))}</p>
        </section>
    }
}

/// Adds a person, or changes the one being edited.
#[component]
fn PersonEditor(
    organisations: Vec<Organisation>,
    editing: RwSignal<Option<Person>>,
    outcome: RwSignal<Option<Outcome>>,
    resource: Resource<Result<Directory, AppError>, Json>,
) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Facilitator);
    let organisation = RwSignal::new(None::<Uuid>);
    let incubators = RwSignal::new(Vec::<Uuid>::new());
    let wrong = RwSignal::new(None::<(String, String)>);
    Effect::new(move |_| {
        if let Some(p) = editing.get() {
            name.set(p.name);
            email.set(p.email);
            role.set(p.role);
            organisation.set(p.organisation);
            incubators.set(p.incubators);
            wrong.set(None);
        }
    });
    let live: Vec<Organisation> = organisations.into_iter().filter(|o| !o.archived).collect();
    let incubator_list: Vec<Organisation> = live
        .iter()
        .filter(|o| o.kind == "incubator")
        .cloned()
        .collect();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = PersonForm {
            id: editing.get_untracked().map(|p| p.id),
            name: name.get_untracked(),
            email: email.get_untracked(),
            role: role.get_untracked(),
            organisation: organisation.get_untracked(),
            incubators: incubators.get_untracked(),
        };
        outcome.set(None);
        wrong.set(None);
        leptos::task::spawn_local(async move {
            match save_person(form).await {
                Ok(saved) => {
                    outcome.set(Some(match saved.code {
                        Some(code) => Outcome::Code(code),
                        None => Outcome::Done(t_string!(i18n, people_saved).to_string()),
                    }));
                    editing.set(None);
                    name.set(String::new());
                    email.set(String::new());
                    incubators.set(Vec::new());
                    resource.refetch();
                }
                Err(AppError::Invalid { field, code }) => wrong.set(Some((field, code))),
                Err(e) => outcome.set(Some(Outcome::Failed(text::error(i18n, &e)))),
            }
        });
    };
    let error_of = move |field: &'static str| {
        move || {
            wrong
                .get()
                .filter(|(f, _)| f == field)
                .map(|(_, code)| person_error(i18n, &code))
        }
    };
    let invalid = move |field: &'static str| {
        move || {
            wrong
                .with(|w| w.as_ref().is_some_and(|(f, _)| f == field))
                .to_string()
        }
    };
    view! {
        <form class="person-editor" novalidate on:submit=save>
            <h2>{move || if editing.with(Option::is_some) { t_string!(i18n, people_edit_title) } else { t_string!(i18n, people_add_title) }}</h2>
            {move || wrong.get().map(|(_, code)| view! {
                <div class="error-summary" role="alert"><p>{person_error(i18n, &code)}</p></div>
            })}
            <div class="field">
                <label for="person-name">{t_string!(i18n, person_name)}</label>
                <p class="field-error" id="person-name-error">{error_of("name")}</p>
                <input id="person-name" type="text" autocomplete="off" aria-describedby="person-name-error"
                    aria-invalid=invalid("name") prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
            </div>
            <div class="field">
                <label for="person-email">{t_string!(i18n, email)}</label>
                <p class="field-error" id="person-email-error">{error_of("email")}</p>
                <input id="person-email" type="email" autocomplete="off" aria-describedby="person-email-error"
                    aria-invalid=invalid("email") prop:value=email on:input=move |ev| email.set(event_target_value(&ev)) />
            </div>
            <div class="field">
                <label for="person-role">{t_string!(i18n, people_role)}</label>
                <p class="field-error" id="person-role-error">{error_of("role")}</p>
                <select id="person-role" aria-describedby="person-role-error" aria-invalid=invalid("role")
                    on:change=move |ev| if let Some(r) = Role::parse(&event_target_value(&ev)) { role.set(r) }>
                    {Role::ALL.into_iter().map(|r| view! {
                        <option value=r.as_str() selected=move || role.get() == r>{text::role(i18n, r)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="person-organisation">
                    {move || if role.get() == Role::Facilitator { t_string!(i18n, people_incubator) } else { t_string!(i18n, people_organisation) }}
                </label>
                <p class="field-error" id="person-organisation-error">{error_of("organisation")}</p>
                <select id="person-organisation" aria-describedby="person-organisation-error" aria-invalid=invalid("organisation")
                    on:change=move |ev| organisation.set(event_target_value(&ev).parse().ok())>
                    <option value="" selected=move || organisation.get().is_none()>"—"</option>
                    {live.iter().map(|o| {
                        let id = o.id;
                        view! { <option value=id.to_string() selected=move || organisation.get() == Some(id)>{o.name.clone()}</option> }
                    }).collect_view()}
                </select>
            </div>
            {move || (role.get() == Role::Supervisor).then(|| view! {
                <fieldset aria-describedby="person-incubators-error">
                    <legend>{t_string!(i18n, people_incubators)}</legend>
                    <p class="field-error" id="person-incubators-error">{error_of("incubators")}</p>
                    {incubator_list.iter().map(|o| {
                        let id = o.id;
                        let box_id = format!("covers-{id}");
                        view! {
                            <div class="check">
                                <input type="checkbox" id=box_id.clone()
                                    prop:checked=move || incubators.with(|l| l.contains(&id))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        incubators.update(|l| { l.retain(|x| *x != id); if on { l.push(id) } });
                                    } />
                                <label for=box_id>{o.name.clone()}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
            })}
            <div class="actions">
                <button type="submit" class="primary">
                    {move || if editing.with(Option::is_some) { t_string!(i18n, people_save) } else { t_string!(i18n, people_add) }}
                </button>
                {move || editing.with(Option::is_some).then(|| view! {
                    <button type="button" on:click=move |_| { editing.set(None); name.set(String::new()); email.set(String::new()); wrong.set(None); }>
                        {t_string!(i18n, people_cancel)}
                    </button>
                })}
            </div>
        </form>
    }
}

/// Why the server refused a person, in the reader's language.
fn person_error(i18n: I18nContext<Locale>, code: &str) -> String {
    match code {
        "incubator_required" => t_string!(i18n, people_err_incubator).to_string(),
        "has_projects" => t_string!(i18n, people_err_has_projects).to_string(),
        "own_role" => t_string!(i18n, people_err_own_role).to_string(),
        code => text::field_error(i18n, code).to_string(),
    }
}
