//! The pages of the walking skeleton: sign-in, the home page of each role, a project, not found.

pub mod edit;
pub mod funding;
pub mod registration;

use crate::domain::ProjectRecord;
use crate::domain::{ProjectDetail, Role, SessionUser};
use crate::error::AppError;
use crate::i18n::*;
use crate::storage::Key;
use crate::ui::data::Source;
use crate::ui::data::load_user;
use crate::ui::data::remember;
use crate::ui::data::resource;
use crate::ui::data::with_fallback;
use crate::ui::kit::layout::Frame;
use crate::ui::kit::panels::{ErrorPanel, Loading};
use crate::ui::pages::project::edit::{Assignment, ProjectEdit, StatusChange};
use crate::ui::pages::project::funding::TranchesSection;
use crate::ui::text;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

/// `/projects/:id`: summary and members of one project, readable offline once visited.
#[component]
pub(crate) fn ProjectPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| Uuid::parse_str(&s).ok())
    };
    let page = resource(id, |id| async move {
        let user = load_user().await?;
        let Some(user) = user else {
            return Err(AppError::NotSignedIn);
        };
        let Some(id) = id else {
            return Err(AppError::NotFound);
        };
        let key = Key::Project {
            user: user.value.id,
            project: id,
        };
        let detail = with_fallback(crate::api::get_project(id), Some(key)).await;
        Ok((user, id, detail))
    });
    Effect::new(move |_| {
        if let Some(Ok((user, _, Ok(detail)))) = page.get() {
            let key = Key::Project {
                user: user.value.id,
                project: detail.value.card.id,
            };
            if let Err(e) = remember(&key, &detail) {
                leptos::logging::warn!("device storage: {e}");
            }
        }
    });
    view! {
        <Suspense fallback=Loading>
            {move || page.get().map(|r| {
                match r {
                    Ok((user, _, Ok(detail))) => view! {
                        <Title text=detail.value.card.title.clone() />
                        <Frame user=user.value.clone() source=detail.source>
                            <ProjectView detail=detail.value user=user.value.id role=user.value.role />
                        </Frame>
                    }.into_any(),
                    // Not on the server yet, or not reachable: the phone's own copy, if it has one.
                    Ok((user, id, Err(e @ (AppError::NotFound | AppError::Network(_))))) => view! {
                        <LocalProjectPage user=user.value id error=e />
                    }.into_any(),
                    Ok((_, _, Err(AppError::NotSignedIn))) => view! { <Redirect path="/login" /> }.into_any(),
                    Ok((_, _, Err(e))) => view! {
                        <Title text=t_string!(i18n, err_not_found) />
                        <Frame><ErrorPanel error=e /></Frame>
                    }.into_any(),
                    Err(AppError::NotSignedIn) => view! { <Redirect path="/login" /> }.into_any(),
                    Err(e) => view! {
                        <Title text=t_string!(i18n, err_not_found) />
                        <Frame><ErrorPanel error=e /></Frame>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A project page drawn from the phone's copy (a project registered here and not sent yet), or
/// the error that stopped the server's page when the phone has none.
#[component]
pub(crate) fn LocalProjectPage(user: SessionUser, id: Uuid, error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    let mounted = crate::ui::local::mounted();
    let sync = crate::ui::sync::use_sync();
    let state = crate::ui::local::from_view(user.id, move |v| {
        v.state(crate::domain::RecordKind::Project, id)
    });
    move || {
        if !mounted.get() {
            return view! { <Frame user=user.clone()><Loading /></Frame> }.into_any();
        }
        let _ = sync.revision.get();
        match crate::ui::pages::project::registration::local_page(&user, id) {
            Some(detail) => {
                let state = state();
                let refused = matches!(state, Some(crate::sync::outbox::SyncState::Refused { .. }));
                view! {
                    <Title text=detail.card.title.clone() />
                    <Frame user=user.clone() source=Source::Device>
                        {state.map(|s| {
                            let mut tag = crate::ui::kit::tags::state_tag(i18n, &s);
                            if matches!(&s, crate::sync::outbox::SyncState::Refused { code, .. } if code == "already_exists") {
                                // The one way a registration meets an existing project: its code.
                                tag.text = t_string!(i18n, state_refused, reason = t_string!(i18n, fe_code_taken)).to_string();
                            }
                            view! { <p class=tag.class role="status"><span aria-hidden="true">{tag.icon}</span>{tag.text}</p> }
                        })}
                        {refused.then(|| view! {
                            <p><a class="button" href=format!("/new-project?id={id}")>{t_string!(i18n, registration_correct)}</a></p>
                        })}
                        <ProjectView detail user=user.id role=user.role />
                    </Frame>
                }.into_any()
            }
            None => {
                let error = error.clone();
                view! {
                    <Title text=t_string!(i18n, err_not_found) />
                    <Frame user=user.clone()><ErrorPanel error /></Frame>
                }
                .into_any()
            }
        }
    }
}

#[component]
pub(crate) fn ProjectView(detail: ProjectDetail, user: Uuid, role: Role) -> impl IntoView {
    let i18n = use_i18n();
    let card = detail.card.clone();
    let chain = card.value_chain.clone();
    let status = card.status;
    let kind = card.kind;
    let grant = detail.grant_millimes;
    let disbursed = detail.disbursed_millimes;
    let members = detail.members.clone();
    let (tranches, steps) = (detail.tranches.clone(), detail.steps.clone());
    // A change made on this phone shows at once, before the server has it.
    let project_id = card.id;
    let local_record =
        crate::ui::local::from_view(user, move |v| v.get::<ProjectRecord>(project_id).cloned());
    let local = Signal::derive(move || local_record().flatten());
    let local_status = move || local.get().map(|p| p.status);
    let (legal_form, training_track) = (detail.legal_form.clone(), detail.training_track.clone());
    let title = card.title.clone();
    view! {
        <p class="back">
            <a href="/"><span class="icon-back" aria-hidden="true">"←"</span>" "{t_string!(i18n, back_to_projects)}</a>
        </p>
        <h1><bdi>{move || local.get().map(|p| p.title).filter(|t| !t.is_empty()).unwrap_or_else(|| title.clone())}</bdi></h1>
        <p class="meta"><bdi class="code">{card.code.clone()}</bdi>" · "{text::value_chain(i18n, &chain)}</p>
        <section aria-labelledby="summary-title">
            <h2 id="summary-title">{t_string!(i18n, project_summary)}</h2>
            <dl class="facts wide">
                <div><dt>{t_string!(i18n, status)}</dt><dd>{move || text::status(i18n, local_status().flatten().unwrap_or(status))}</dd></div>
                <div><dt>{t_string!(i18n, project_kind)}</dt><dd>{text::kind(i18n, kind)}</dd></div>
                <div><dt>{t_string!(i18n, incubator)}</dt><dd><bdi>{card.incubator.clone()}</bdi></dd></div>
                <div><dt>{t_string!(i18n, facilitator)}</dt><dd><bdi>{card.facilitator.clone()}</bdi></dd></div>
                <div><dt>{t_string!(i18n, locality)}</dt><dd><bdi>{card.locality.clone()}</bdi></dd></div>
                <div><dt>{t_string!(i18n, call_wave)}</dt><dd>{detail.call_wave}</dd></div>
                <div><dt>{t_string!(i18n, legal_form)}</dt><dd>{move || text::legal_form(i18n, &local.get().map(|p| p.legal_form).filter(|f| !f.is_empty()).unwrap_or_else(|| legal_form.clone()))}</dd></div>
                <div><dt>{t_string!(i18n, training_track)}</dt><dd>{move || text::training_track(i18n, &local.get().map(|p| p.training_track).filter(|f| !f.is_empty()).unwrap_or_else(|| training_track.clone()))}</dd></div>
                {(!detail.funder.is_empty()).then(|| view! { <div><dt>{t_string!(i18n, funder)}</dt><dd><bdi>{detail.funder.clone()}</bdi></dd></div> })}
                <div><dt>{t_string!(i18n, grant)}</dt><dd>{text::money(i18n, grant)}</dd></div>
                <div><dt>{t_string!(i18n, disbursed)}</dt><dd>{text::money(i18n, disbursed)}</dd></div>
                <div><dt>{t_string!(i18n, visits_count)}</dt><dd>{detail.visit_count}</dd></div>
                <div><dt>{t_string!(i18n, last_visit)}</dt><dd>{card.last_visit_on.as_deref().map(text::day)}</dd></div>
                <div><dt>{t_string!(i18n, next_visit_due)}</dt><dd>{card.next_visit_due.as_deref().map(text::day)}</dd></div>
            </dl>
            {(role != Role::Viewer).then(|| view! {
                <StatusChange user project=card.id status />
                <ProjectEdit user project=card.id />
            })}
        </section>
        {(role == Role::Team).then(|| view! { <Assignment project=card.id /> })}
        <crate::ui::kit::draft::DraftsList user project=Some(card.id) />
        <crate::ui::pages::visits::VisitsSection user project=card.id />
        <crate::ui::pages::visits::ActionsSection user project=card.id />
        <crate::ui::pages::members::MembersSection user project=card.id initial=members />
        <crate::ui::pages::milestones::MilestonesSection user project=card.id />
        <crate::ui::pages::entries::DiagnosticsSection user project=card.id />
        <crate::ui::pages::entries::AssessmentSection user project=card.id kind />
        {matches!(role, Role::Supervisor | Role::Team).then(|| view! {
            <p class="dashboard-link"><a href=format!("/dashboard?level=project&id={}", card.id)>{t_string!(i18n, dash_project_link)}</a></p>
        })}
        <crate::ui::pages::indicators::IndicatorsSection user project=card.id chain=detail.value_chain_code.clone() targets=detail.targets.clone() />
        {(!tranches.is_empty() || role == Role::Team).then(|| view! { <TranchesSection user project=card.id tranches=tranches.clone() editable=role == Role::Team /> })}
        <crate::ui::pages::timeline::TimelineSection user project=card.id tranches steps flags=card.flags.clone() />
    }
}
