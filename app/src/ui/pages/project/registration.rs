//! Registering a project in the field, offline: a facilitator fills in what the programme knows
//! of it (its file code, title, kind, value chain, locality, legal form, training track, call
//! wave), from choice lists the phone keeps. The project is theirs, under their incubator, and
//! starts preselected; it is listed and opened on the phone at once, and reaches the server with
//! the next sync. The same page corrects a registration the server refused (a code taken).

use crate::domain::ProjectRecord;
use crate::domain::dates::today_iso;
use crate::domain::project::{CALL_WAVES, LEGAL_FORMS, TRAINING_TRACKS, normalise_code};
use crate::domain::{NewProject, ProjectKind, ProjectOrigin, RegistryChoices, Role, SessionUser};
use crate::error::AppError;
use crate::i18n::*;
use crate::storage::Key;
use crate::sync::mutations::CreateProject;
use crate::sync::outbox::prepare;
use crate::ui::data::load_user;
use crate::ui::data::remember;
use crate::ui::data::resource;
use crate::ui::data::with_fallback;
use crate::ui::kit::draft::{DraftNote, Field, Kept, keep_form};
use crate::ui::kit::layout::Frame;
use crate::ui::kit::panels::ErrorPanel;
use crate::ui::kit::save::save_then;
use crate::ui::local::local_view;
use crate::ui::text;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

/// `/new-project` (and `/new-project?id=…` to correct a refused registration).
#[component]
pub fn NewProjectPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let correcting = move || {
        query
            .read_untracked()
            .get("id")
            .and_then(|s| Uuid::parse_str(&s).ok())
    };
    let page = resource(
        || (),
        |_| async move {
            let Some(user) = load_user().await? else {
                return Err(AppError::NotSignedIn);
            };
            if user.value.role != Role::Facilitator {
                return Err(AppError::Forbidden);
            }
            let key = Key::Registry {
                user: user.value.id,
            };
            let choices = with_fallback(crate::api::registry_choices(), Some(key)).await?;
            Ok((user, choices))
        },
    );
    Effect::new(move |_| {
        if let Some(Ok((user, choices))) = page.get()
            && let Err(e) = remember(
                &Key::Registry {
                    user: user.value.id,
                },
                &choices,
            )
        {
            leptos::logging::warn!("device storage: {e}");
        }
    });
    view! {
        <Title text=t_string!(i18n, registration_title) />
        <Suspense fallback=|| ()>
            {move || page.get().map(|r| match r {
                Ok((user, choices)) => view! {
                    <Frame user=user.value.clone() source=choices.source>
                        <Registration user=user.value choices=choices.value correcting=correcting() />
                    </Frame>
                }.into_any(),
                Err(AppError::NotSignedIn) => view! { <Redirect path="/login" /> }.into_any(),
                Err(e) => view! { <Frame><ErrorPanel error=e /></Frame> }.into_any(),
            })}
        </Suspense>
    }
}

/// The registration form.
#[component]
pub(crate) fn Registration(
    user: SessionUser,
    choices: RegistryChoices,
    correcting: Option<Uuid>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = crate::ui::sync::use_sync();
    let navigate = leptos_router::hooks::use_navigate();
    let user_id = user.id;
    let Some((_, incubator)) = choices.incubator.clone() else {
        return view! {
            <h1>{t_string!(i18n, registration_title)}</h1>
            <p class="error-panel" role="alert">{t_string!(i18n, registration_no_incubator)}</p>
        }
        .into_any();
    };
    // A registration being corrected: what was sent, from the phone.
    let sent = correcting.and_then(|id| {
        let view = local_view(user_id, sync.revision.get_untracked())?;
        view.get::<ProjectRecord>(id)
            .filter(|p| p.version == 0)
            .cloned()
    });
    let origin = sent.as_ref().and_then(|p| p.origin.clone());
    let code = RwSignal::new(sent.as_ref().map(|p| p.code.clone()).unwrap_or_default());
    let title = RwSignal::new(sent.as_ref().map(|p| p.title.clone()).unwrap_or_default());
    let kind = RwSignal::new(origin.as_ref().map_or(ProjectKind::Individual, |o| o.kind));
    let chain = RwSignal::new(
        origin
            .as_ref()
            .map(|o| o.value_chain_id.to_string())
            .or_else(|| choices.value_chains.first().map(|c| c.0.to_string()))
            .unwrap_or_default(),
    );
    let locality = RwSignal::new(
        origin
            .as_ref()
            .map(|o| o.locality_id.to_string())
            .or_else(|| choices.localities.first().map(|l| l.0.to_string()))
            .unwrap_or_default(),
    );
    let legal_form = RwSignal::new(
        sent.as_ref()
            .map_or_else(|| "informal".to_owned(), |p| p.legal_form.clone()),
    );
    let track = RwSignal::new(
        sent.as_ref()
            .map_or_else(|| "cefe_sse".to_owned(), |p| p.training_track.clone()),
    );
    let wave = RwSignal::new(origin.as_ref().map_or(1, |o| o.call_wave).to_string());
    // The field at fault and what is wrong with it.
    let error = RwSignal::new(None::<(&'static str, String)>);
    let id = correcting.unwrap_or_else(crate::ui::kit::save::new_id);
    // Kept as it is typed, given back after the tab was killed (once the page runs in the
    // browser: the server draws it afresh).
    let name = match correcting {
        Some(id) => format!("project/{id}"),
        None => "project/new".to_owned(),
    };
    let kept = Kept::new(user_id, name, "project", None);
    let kind_field = Field::new(
        "kind",
        move || kind.get().as_str().to_owned(),
        move |t| {
            kind.set(if t == ProjectKind::Collective.as_str() {
                ProjectKind::Collective
            } else {
                ProjectKind::Individual
            })
        },
    );
    keep_form(
        kept,
        vec![
            Field::text("code", code),
            Field::text("title", title),
            kind_field,
            Field::text("value_chain", chain),
            Field::text("locality", locality),
            Field::text("legal_form", legal_form),
            Field::text("training_track", track),
            Field::text("call_wave", wave),
        ],
        None,
        None,
    );
    let codes = choices.codes.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let parse = |s: String| Uuid::parse_str(&s).unwrap_or_default();
        let args = NewProject {
            id,
            code: code.get_untracked(),
            title: title.get_untracked(),
            origin: ProjectOrigin {
                kind: kind.get_untracked(),
                value_chain_id: parse(chain.get_untracked()),
                locality_id: parse(locality.get_untracked()),
                call_wave: wave.get_untracked().trim().parse().unwrap_or(0),
            },
            legal_form: legal_form.get_untracked(),
            training_track: track.get_untracked(),
        };
        if let Err(e) = args.validate() {
            error.set(Some((e.field, text::field_error(i18n, e.code).to_owned())));
            return;
        }
        // A code the server or this phone already gives another project.
        let wanted = normalise_code(&args.code);
        let on_phone = local_view(user_id, sync.revision.get_untracked()).is_some_and(|v| {
            v.records().any(|r| {
                matches!(r, crate::sync::protocol::Record::Project(p) if p.id != id && p.code == wanted)
            })
        });
        if on_phone || codes.contains(&wanted) {
            error.set(Some(("code", t_string!(i18n, fe_code_taken).to_owned())));
            return;
        }
        error.set(None);
        let navigate = navigate.clone();
        save_then(
            i18n,
            sync,
            user_id,
            vec![prepare::<CreateProject>(&args, &today_iso())],
            Some(kept),
            Box::new(move |r| match r {
                Ok(()) => {
                    sync.flash
                        .set(Some(t_string!(i18n, saved_on_phone).to_owned()));
                    navigate(&format!("/projects/{id}"), Default::default());
                }
                Err(message) => error.set(Some(("", message))),
            }),
        );
    };
    let message =
        move |field: &'static str| error.get().filter(|(f, _)| *f == field).map(|(_, m)| m);
    let invalid = move |field: &'static str| message(field).is_some().then_some("true");
    let described = |field: &'static str| format!("reg-{field}-error");
    let error_line = move |field: &'static str| {
        view! { <p class="field-error" id=described(field) role="alert">{move || message(field)}</p> }
    };
    let choice = move |id: &'static str,
                       label: &'static str,
                       options: Vec<(String, String)>,
                       value: RwSignal<String>| {
        view! {
            <div class="field">
                <label for=format!("reg-{id}")>{label}</label>
                <select id=format!("reg-{id}") aria-invalid=move || invalid(id) aria-describedby=described(id)
                    on:change=move |ev| value.set(event_target_value(&ev))>
                    {options.into_iter().map(|(v, words)| {
                        // The server draws the start; a draft given back moves it.
                        let (this, first) = (v.clone(), value.get_untracked() == v);
                        view! { <option value=v selected=first prop:selected=move || value.with(|c| *c == this)>{words}</option> }
                    }).collect_view()}
                </select>
                {error_line(id)}
            </div>
        }
    };
    let chains = choices
        .value_chains
        .iter()
        .map(|(id, _, names)| (id.to_string(), text::value_chain(i18n, names)))
        .collect();
    let places = choices
        .localities
        .iter()
        .map(|(id, name, delegation)| (id.to_string(), format!("{name} ({delegation})")))
        .collect();
    let forms: Vec<(String, String)> = LEGAL_FORMS
        .iter()
        .map(|f| (f.to_string(), text::legal_form(i18n, f)))
        .collect();
    let tracks: Vec<(String, String)> = TRAINING_TRACKS
        .iter()
        .map(|t| (t.to_string(), text::training_track(i18n, t)))
        .collect();
    let kinds = [ProjectKind::Individual, ProjectKind::Collective];
    view! {
        <p class="back"><a href="/"><span class="icon-back" aria-hidden="true">"←"</span>" "{t_string!(i18n, cancel)}</a></p>
        <h1>{t_string!(i18n, registration_title)}</h1>
        <p class="hint">{t_string!(i18n, registration_intro, incubator = incubator.clone()).to_string()}</p>
        <DraftNote kept />
        <form class="entry-form" on:submit=save novalidate>
            <div class="field">
                <label for="reg-code">{t_string!(i18n, project_code)}</label>
                <p class="hint" id="reg-code-hint">{t_string!(i18n, project_code_hint)}</p>
                <input id="reg-code" type="text" autocapitalize="characters" autocomplete="off" maxlength="20"
                    aria-invalid=move || invalid("code") aria-describedby="reg-code-hint reg-code-error"
                    prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev)) />
                {error_line("code")}
            </div>
            <div class="field">
                <label for="reg-title">{t_string!(i18n, project_title)}</label>
                <input id="reg-title" type="text" maxlength="120"
                    aria-invalid=move || invalid("title") aria-describedby=described("title")
                    prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
                {error_line("title")}
            </div>
            <fieldset class="field">
                <legend>{t_string!(i18n, project_kind)}</legend>
                {kinds.into_iter().map(|k| view! {
                    <label class="choice">
                        <input type="radio" name="reg-kind" value=k.as_str() prop:checked=move || kind.get() == k
                            on:change=move |_| {
                                kind.set(k);
                                // The usual legal form and training of that kind, changed at will.
                                let (form, course) = match k {
                                    ProjectKind::Individual => ("informal", "cefe_sse"),
                                    ProjectKind::Collective => ("gda", "collective_sse"),
                                };
                                legal_form.set(form.to_owned());
                                track.set(course.to_owned());
                            } />
                        " "{text::kind(i18n, k)}
                    </label>
                }).collect_view()}
            </fieldset>
            {choice("value_chain", t_string!(i18n, value_chain), chains, chain)}
            {choice("locality", t_string!(i18n, locality), places, locality)}
            {move || {
                // Drawn again when the kind changes, so the selections follow.
                let _ = kind.get();
                view! {
                    {choice("legal_form", t_string!(i18n, legal_form), forms.clone(), legal_form)}
                    {choice("training_track", t_string!(i18n, training_track), tracks.clone(), track)}
                }
            }}
            <div class="field">
                <label for="reg-call_wave">{t_string!(i18n, call_wave)}</label>
                <input id="reg-call_wave" type="number" inputmode="numeric"
                    min=*CALL_WAVES.start() max=*CALL_WAVES.end()
                    aria-invalid=move || invalid("call_wave") aria-describedby=described("call_wave")
                    prop:value=move || wave.get() on:input=move |ev| wave.set(event_target_value(&ev)) />
                {error_line("call_wave")}
            </div>
            {error_line("")}
            <button type="submit" class="primary">{t_string!(i18n, registration_save)}</button>
        </form>
    }
    .into_any()
}

/// The page of a project this phone holds but the server does not list yet: built from the
/// phone's copy, once the page runs in the browser.
pub fn local_page(user: &SessionUser, project: Uuid) -> Option<crate::domain::ProjectDetail> {
    let view = local_view(user.id, crate::ui::sync::use_sync().revision.get())?;
    let record = view.get::<ProjectRecord>(project)?;
    let choices = read_choices(user.id).unwrap_or_default();
    crate::domain::ProjectDetail::from_record(record, &choices, &user.name)
}

/// The choice lists kept on this phone.
pub fn read_choices(user: Uuid) -> Option<RegistryChoices> {
    #[cfg(feature = "hydrate")]
    {
        crate::storage::device()
            .get(&Key::Registry { user })
            .ok()
            .flatten()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = user;
        None
    }
}
