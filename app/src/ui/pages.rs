//! The pages of the walking skeleton: sign-in, the home page of each role, a project, not found.

use super::data::{
    Loaded, Source, keep_projects_offline, load_user, remember, remember_user, with_fallback,
};
use super::layout::Frame;
use super::routes::Screen;
use super::text;
use crate::domain::dates::today_iso;
use crate::domain::{ProjectCard, ProjectDetail, Role, SessionUser};
use crate::error::AppError;
use crate::i18n::*;
use crate::storage::Key;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

#[component]
fn Loading() -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="loading" role="status">{t_string!(i18n, loading)}</p> }
}

#[component]
pub(super) fn ErrorPanel(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(
            http::StatusCode::from_u16(error.status_code())
                .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    let message = text::error(i18n, &error);
    view! {
        <div class="error-panel" role="alert">
            <p>{message}</p>
            <p>
                <a href="/">{t_string!(i18n, back_home)}</a>
            </p>
        </div>
    }
}

/// `/`: what the signed-in user works on, by role; the sign-in page for everyone else.
#[component]
pub fn HomePage() -> impl IntoView {
    let user = Resource::new(|| (), |_| load_user());
    Effect::new(move |_| {
        if let Some(u) = user.get() {
            remember_user(&u);
        }
    });
    view! {
        <Suspense fallback=Loading>
            {move || user.get().map(|r| {
                match r {
                    Ok(Some(Loaded { value, source })) => match value.role {
                        Role::Viewer => view! { <SummaryHome user=value source /> }.into_any(),
                        _ => view! { <ProjectsHome user=value source /> }.into_any(),
                    },
                    Ok(None) | Err(AppError::NotSignedIn) => view! { <Redirect path="/login" /> }.into_any(),
                    Err(e) => view! { <Frame><ErrorPanel error=e /></Frame> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The entries the server refused: what, where, why, and a way to fix each.
#[component]
fn AttentionList(list: Vec<super::sync::Attention>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section id="attention" class="attention" aria-labelledby="attention-title">
            <h2 id="attention-title"><span aria-hidden="true">"✗ "</span>{t_string!(i18n, attention_title)}</h2>
            <p>{t_string!(i18n, attention_intro)}</p>
            <ul class="entries">
                {list.into_iter().map(|a| view! {
                    <li>
                        <p><strong>{a.what}</strong>{a.project.map(|p| view! { " · " <bdi>{p}</bdi> })}</p>
                        <p class="reason">{a.reason}</p>
                        <a class="button" href=a.href>{t_string!(i18n, attention_fix)}</a>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}

/// *My projects* for a facilitator; the incubators' projects for a supervisor; all for the team.
#[component]
fn ProjectsHome(user: SessionUser, source: Source) -> impl IntoView {
    let i18n = use_i18n();
    let key = Key::Projects { user: user.id };
    let projects = Resource::new(|| (), {
        let key = key.clone();
        move |_| with_fallback(crate::api::list_projects(), Some(key.clone()))
    });
    let (storage_problem, set_storage_problem) = signal(None);
    let (role, user_id) = (user.role, user.id);
    Effect::new(move |_| {
        if let Some(Ok(loaded)) = projects.get() {
            set_storage_problem.set(remember(&key, &loaded).err());
            // A facilitator needs every project of theirs in the field, not only those opened
            // online: fetch their pages in the background and keep them on the device.
            if role == Role::Facilitator && loaded.source == Source::Server {
                let ids = loaded.value.iter().map(|c| c.id).collect();
                leptos::task::spawn_local(keep_projects_offline(user_id, ids));
            }
        }
    });
    // Projects on this phone the list does not have yet: registered here, or pulled since the
    // list was stored (read after the page is up, from the sync chunk).
    let (user_name, facilitator) = (user.name.clone(), role == Role::Facilitator);
    let on_phone = RwSignal::new(Vec::<ProjectCard>::new());
    let sync = super::sync::use_sync();
    Effect::new(move |_| {
        let _ = sync.revision.get();
        if let (true, Some(Ok(loaded))) = (facilitator, projects.get()) {
            let listed = loaded.value.iter().map(|c| c.id).collect();
            let name = user_name.clone();
            leptos::task::spawn_local(async move {
                on_phone.set(sync.unlisted_projects(user_id, name, listed).await);
            });
        }
    });
    let title = move || match role {
        Role::Facilitator => t_string!(i18n, my_projects),
        Role::Supervisor => t_string!(i18n, incubator_projects),
        _ => t_string!(i18n, all_projects),
    };
    // Entries the server refused, listed until they are fixed (read from the sync chunk).
    let attention = RwSignal::new(Vec::<super::sync::Attention>::new());
    Effect::new(move |_| {
        let _ = sync.revision.get();
        if sync.status.with(|s| s.attention) > 0 {
            leptos::task::spawn_local(async move {
                attention.set(sync.attention(i18n, user_id).await);
            });
        } else {
            attention.set(Vec::new());
        }
    });
    view! {
        <Title text=title />
        <Frame user source>
            <h1>{title}</h1>
            {move || {
                let list = attention.get();
                (!list.is_empty()).then(|| view! { <AttentionList list /> })
            }}
            {move || storage_problem.get().map(|e| view! {
                <p class="error-panel" role="alert">{text::storage_error(i18n, &e)}</p>
            })}
            <Suspense fallback=Loading>
                {move || projects.get().map(|r| {
                    match r {
                        Ok(loaded) => {
                            let offline = loaded.source == Source::Device && source == Source::Server;
                            let mut cards = loaded.value;
                            cards.splice(0..0, on_phone.get());
                            view! {
                                {offline.then(|| view! { <super::layout::OfflineDataNote /> })}
                                {facilitator.then(|| view! {
                                    <p class="actions"><a class="button" href="/new-project">"+ "{t_string!(i18n, registration_new)}</a></p>
                                })}
                                <ProjectList cards grouped=role != Role::Facilitator />
                            }.into_any()
                        }
                        Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </Frame>
    }
}

#[component]
fn ProjectList(cards: Vec<ProjectCard>, grouped: bool) -> impl IntoView {
    let i18n = use_i18n();
    if cards.is_empty() {
        return view! { <p>{t_string!(i18n, no_projects)}</p> }.into_any();
    }
    let today = today_iso();
    if !grouped {
        return view! { <ul class="cards">{cards.into_iter().map(|c| view! { <Card card=c today=today.clone() /> }).collect_view()}</ul> }
            .into_any();
    }
    // Supervisors and the team see the projects at risk first, then every project by incubator.
    let at_risk: Vec<ProjectCard> = cards
        .iter()
        .filter(|c| !c.flags.is_empty())
        .cloned()
        .collect();
    let risk_count = at_risk.len();
    let risk_list = (!at_risk.is_empty()).then(|| view! {
        <section class="risk-list" aria-labelledby="risk-list-title">
            <h2 id="risk-list-title">{t_string!(i18n, risk_list_title)}" "<span class="count">{format!("({risk_count})")}</span></h2>
            <ul>
                {at_risk.into_iter().map(|card| view! { <RiskItem card /> }).collect_view()}
            </ul>
        </section>
    });
    let mut groups: Vec<(String, Vec<ProjectCard>)> = Vec::new();
    for card in cards {
        match groups.iter_mut().find(|(name, _)| *name == card.incubator) {
            Some((_, list)) => list.push(card),
            None => groups.push((card.incubator.clone(), vec![card])),
        }
    }
    groups.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let groups = groups
        .into_iter()
        .map(|(incubator, list)| {
            let count = list.len();
            let today = today.clone();
            view! {
                <section class="group">
                    <h2>
                        <bdi>{incubator}</bdi>
                        " "
                        <span class="count">{format!("({count})")}</span>
                    </h2>
                    <ul class="cards">
                        {list.into_iter().map(|c| view! { <Card card=c today=today.clone() /> }).collect_view()}
                    </ul>
                </section>
            }
        })
        .collect_view();
    view! { {risk_list} {groups} }.into_any()
}

/// A project at risk in the reviewer's list: each flag in words, marked as seen with a note, or
/// with a button to do so.
#[component]
fn RiskItem(card: ProjectCard) -> impl IntoView {
    let i18n = use_i18n();
    let acks = RwSignal::new(card.acknowledged.clone());
    let project = card.id;
    view! {
        <li>
            <a href=format!("/projects/{project}")><bdi>{format!("{} · {}", card.code, card.title)}</bdi></a>
            <ul class="risk-flags">
                {card.flags.iter().map(|flag| {
                    let rule = flag.rule();
                    let words = text::risk(i18n, flag);
                    let open = RwSignal::new(false);
                    let note = RwSignal::new(String::new());
                    let error = RwSignal::new(None::<String>);
                    let note_id = format!("ack-{project}-{rule}");
                    let save = move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        let text = note.get_untracked();
                        if let Err(e) = crate::domain::risk::check_ack(rule, &text) {
                            error.set(Some(text::field_error(i18n, e.code).to_owned()));
                            return;
                        }
                        leptos::task::spawn_local(async move {
                            match crate::api::acknowledge_risk(project, rule.to_owned(), text.clone()).await {
                                Ok(()) => {
                                    error.set(None);
                                    open.set(false);
                                    acks.update(|a| {
                                        a.retain(|x| x.rule != rule);
                                        a.push(crate::domain::risk::RiskAck {
                                            rule: rule.to_owned(),
                                            note: text.trim().to_owned(),
                                            by: String::new(),
                                            at: crate::domain::dates::today_iso(),
                                        });
                                    });
                                }
                                Err(e) => error.set(Some(text::error(i18n, &e))),
                            }
                        });
                    };
                    view! {
                        <li>
                            <span class="flags-inline"><span aria-hidden="true">"⚠ "</span>{words}</span>
                            {move || match acks.with(|a| a.iter().find(|x| x.rule == rule).cloned()) {
                                Some(ack) => view! {
                                    <p class="seen">{t_string!(i18n, risk_seen_by, name = ack.by.clone(), day = text::day(&crate::domain::dates::tunis_day(&ack.at)), note = ack.note.clone()).to_string()}</p>
                                }.into_any(),
                                None if open.get() => view! {
                                    <form class="ack-form" on:submit=save>
                                        <label for=note_id.clone()>{t_string!(i18n, risk_ack_note)}</label>
                                        <textarea id=note_id.clone() rows="2" prop:value=move || note.get()
                                            on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                                        {move || error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                                        <button type="submit">{t_string!(i18n, risk_ack_save)}</button>
                                    </form>
                                }.into_any(),
                                None => view! {
                                    <button type="button" class="more" on:click=move |_| open.set(true)>{t_string!(i18n, risk_ack)}</button>
                                }.into_any(),
                            }}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </li>
    }
}

#[component]
fn Card(card: ProjectCard, today: String) -> impl IntoView {
    let i18n = use_i18n();
    let overdue = card.visit_overdue(&today);
    let href = format!("/projects/{}", card.id);
    let chain = card.value_chain.clone();
    let status = card.status;
    let kind = card.kind;
    let last = card.last_visit_on.clone();
    let due = card.next_visit_due.clone();
    let flags = card.flags.clone();
    let flagged = !flags.is_empty();
    view! {
        <li class="card" class:overdue=overdue class:flagged=flagged>
            <h3>
                <a href=href>
                    <bdi>{card.title.clone()}</bdi>
                </a>
            </h3>
            <p class="meta">
                <bdi class="code">{card.code.clone()}</bdi>
                " · "
                {text::value_chain(i18n, &chain)}
                " · "
                {text::kind(i18n, kind)}
            </p>
            <dl class="facts">
                <div>
                    <dt>{t_string!(i18n, status)}</dt>
                    <dd class=format!("status status-{}", status.as_str())>{text::status(i18n, status)}</dd>
                </div>
                <div>
                    <dt>{t_string!(i18n, last_visit)}</dt>
                    <dd>{match last {
                        Some(d) => text::day(&d).into_any(),
                        None => t_string!(i18n, never_visited).into_any(),
                    }}</dd>
                </div>
                <div>
                    <dt>{t_string!(i18n, next_visit_due)}</dt>
                    <dd>
                        {due.map(|d| text::day(&d))}
                        {overdue.then(|| view! {
                            " "
                            <strong class="tag-overdue">
                                <span aria-hidden="true">"⚠ "</span>
                                {t_string!(i18n, overdue)}
                            </strong>
                        })}
                    </dd>
                </div>
            </dl>
            {flagged.then(|| view! {
                <ul class="flags" aria-label=t_string!(i18n, risks)>
                    {flags.iter().map(|f| view! {
                        <li><span aria-hidden="true">"⚠ "</span>{text::risk(i18n, f)}</li>
                    }).collect_view()}
                </ul>
            })}
        </li>
    }
}

/// The viewer's home: programme aggregates only, small cells hidden.
#[component]
fn SummaryHome(user: SessionUser, source: Source) -> impl IntoView {
    let i18n = use_i18n();
    let summary = Resource::new(|| (), |_| crate::api::get_programme_summary());
    view! {
        <Title text=t_string!(i18n, programme_overview) />
        <Frame user source>
            <h1>{t_string!(i18n, programme_overview)}</h1>
            <Suspense fallback=Loading>
                {move || summary.get().map(|r| {
                    match r {
                        Ok(s) => {
                            let rows: Vec<(&'static str, String)> = vec![
                                (t_string!(i18n, summary_projects), s.projects.to_string()),
                                (t_string!(i18n, kind_individual), s.individual.to_string()),
                                (t_string!(i18n, kind_collective), s.collective.to_string()),
                                (t_string!(i18n, status_operating), s.operating.to_string()),
                                (t_string!(i18n, summary_members), s.members.to_string()),
                                (t_string!(i18n, summary_women), s.women.to_string()),
                                (t_string!(i18n, summary_with_disability), s.with_disability.map(|n| n.to_string()).unwrap_or_else(|| format!("<{}", s.small_cell_threshold))),
                                (t_string!(i18n, summary_visits_30_days), s.visits_last_30_days.to_string()),
                            ];
                            view! {
                                <dl class="summary">
                                    {rows.into_iter().map(|(label, value)| view! {
                                        <div><dt>{label}</dt><dd>{value}</dd></div>
                                    }).collect_view()}
                                </dl>
                                <p><a href="/dashboard">{t_string!(i18n, dash_open)}</a></p>
                            }.into_any()
                        }
                        Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </Frame>
    }
}

/// The project page and the registration of a new project share a code chunk.
#[component]
pub fn ProjectPages() -> impl IntoView {
    match super::routes::Screen::current() {
        Some(Screen::NewProject) => view! { <super::registration::NewProjectPage /> }.into_any(),
        Some(Screen::Project) => view! { <ProjectPage /> }.into_any(),
        _ => view! { <NotFoundPage /> }.into_any(),
    }
}

/// `/projects/:id`: summary and members of one project, readable offline once visited.
#[component]
fn ProjectPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| Uuid::parse_str(&s).ok())
    };
    let page = Resource::new(id, |id| async move {
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
fn LocalProjectPage(user: SessionUser, id: Uuid, error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    let mounted = super::visits::mounted();
    let sync = super::sync::use_sync();
    let state = super::visits::from_view(user.id, move |v| {
        v.state(crate::domain::RecordKind::Project, id)
    });
    move || {
        if !mounted.get() {
            return view! { <Frame user=user.clone()><Loading /></Frame> }.into_any();
        }
        let _ = sync.revision.get();
        match super::registration::local_page(&user, id) {
            Some(detail) => {
                let state = state();
                let refused = matches!(state, Some(crate::sync::outbox::SyncState::Refused { .. }));
                view! {
                    <Title text=detail.card.title.clone() />
                    <Frame user=user.clone() source=Source::Device>
                        {state.map(|s| {
                            let mut tag = super::visits::state_tag(i18n, &s);
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
fn ProjectView(detail: ProjectDetail, user: Uuid, role: Role) -> impl IntoView {
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
    let local_record = super::visits::from_view(user, move |v| v.project(project_id).cloned());
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
        <super::visits::VisitsSection user project=card.id />
        <super::visits::ActionsSection user project=card.id />
        <super::visits::MembersSection user project=card.id initial=members />
        <super::milestones::MilestonesSection user project=card.id />
        <super::entries::DiagnosticsSection user project=card.id />
        <super::entries::AssessmentSection user project=card.id kind />
        {matches!(role, Role::Supervisor | Role::Team).then(|| view! {
            <p class="dashboard-link"><a href=format!("/dashboard?level=project&id={}", card.id)>{t_string!(i18n, dash_project_link)}</a></p>
        })}
        <super::indicators::IndicatorsSection user project=card.id chain=detail.value_chain_code.clone() targets=detail.targets.clone() />
        {(!tranches.is_empty() || role == Role::Team).then(|| view! { <TranchesSection project=card.id tranches=tranches.clone() editable=role == Role::Team /> })}
        <super::timeline::TimelineSection user project=card.id tranches steps flags=card.flags.clone() />
    }
}

/// Moves the project on in its lifecycle, offline: the statuses it may take next, and where the
/// change stands with the server.
#[component]
fn StatusChange(user: Uuid, project: Uuid, status: crate::domain::ProjectStatus) -> impl IntoView {
    use crate::domain::ChangeProjectStatus;
    use crate::domain::RecordKind;
    use crate::sync::mutations::ChangeStatus;
    use crate::sync::outbox::{SyncState, prepare};
    let i18n = use_i18n();
    let sync = super::sync::use_sync();
    let local = super::visits::from_view(user, move |v| {
        v.project(project).map(|p| {
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
                let tag = super::visits::state_tag(i18n, &state);
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
                super::visits::save_then(i18n, sync, user, vec![prepare::<ChangeStatus>(&args, &today)], Box::new(move |r| {
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
fn ProjectEdit(user: Uuid, project: Uuid) -> impl IntoView {
    use crate::domain::EditProject;
    use crate::domain::project::{LEGAL_FORMS, TRAINING_TRACKS};
    use crate::sync::mutations::EditProjectFields;
    use crate::sync::outbox::prepare;
    let i18n = use_i18n();
    let sync = super::sync::use_sync();
    let record = super::visits::from_view(user, move |v| v.project(project).cloned());
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
                super::visits::save_then(i18n, sync, user, vec![prepare::<EditProjectFields>(&args, &today_iso())], Box::new(move |r| {
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
fn Assignment(project: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let choices = Resource::new(|| (), move |_| crate::api::assignment_choices(project));
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
                        let save = move |ev: leptos::ev::SubmitEvent| {
                            ev.prevent_default();
                            let f = Uuid::parse_str(&facilitator.get_untracked()).ok();
                            let Ok(inc) = Uuid::parse_str(&incubator.get_untracked()) else { return };
                            outcome.set(None);
                            leptos::task::spawn_local(async move {
                                let r = crate::api::assign_project(project, f, inc).await;
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

/// The project's funding tranches: planned, disbursed (when), justified; the team records them.
#[component]
fn TranchesSection(
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
            {editable.then(|| view! { <TrancheForm project list /> })}
        </section>
    }
}

/// The team records a tranche: its number, planned, disbursed with the day, justified (dinars).
#[component]
fn TrancheForm(
    project: Uuid,
    list: RwSignal<Vec<crate::domain::timeline::Tranche>>,
) -> impl IntoView {
    use crate::domain::money::parse_dinars;
    use crate::domain::timeline::{MAX_TRANCHES, Tranche};
    let i18n = use_i18n();
    let seq = RwSignal::new(String::from("1"));
    let planned = RwSignal::new(String::new());
    let disbursed = RwSignal::new(String::new());
    let on = RwSignal::new(String::new());
    let justified = RwSignal::new(String::new());
    let wrong = RwSignal::new(None::<String>);
    let outcome = RwSignal::new(None::<Result<(), String>>);
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
                    <select id="tranche-seq" on:change=move |ev| seq.set(event_target_value(&ev))>
                        {(1..=MAX_TRANCHES).map(|n| view! { <option value=n.to_string()>{n}</option> }).collect_view()}
                    </select>
                </div>
                {field("tranche-planned", "planned", t_string!(i18n, tranche_planned_dt), "text", planned)}
                {field("tranche-disbursed", "disbursed", t_string!(i18n, tranche_disbursed_dt), "text", disbursed)}
                {field("tranche-on", "disbursed_on", t_string!(i18n, tranche_disbursed_on), "date", on)}
                {field("tranche-justified", "justified", t_string!(i18n, tranche_justified_dt), "text", justified)}
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

/// `/login`.
#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let login = ServerAction::<crate::api::Login>::new();
    let error = move || login.value().get().and_then(|r| r.err());
    view! {
        <Title text=t_string!(i18n, sign_in) />
        <Frame>
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

/// A page of the app whose code could not be fetched (see `ui::lazy_page`): nothing is lost, the
/// page opens once the phone has been online with the app open.
#[component]
pub fn PageUnavailable() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=t_string!(i18n, page_unavailable_title) />
        <Frame>
            <h1>{t_string!(i18n, page_unavailable_title)}</h1>
            <p>{t_string!(i18n, page_unavailable_body)}</p>
            <p><a href="/">{t_string!(i18n, back_home)}</a></p>
        </Frame>
    }
}

/// Any other address: a real 404, in the user's language.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let i18n = use_i18n();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=t_string!(i18n, not_found_title) />
        <Frame>
            <h1>{t_string!(i18n, not_found_title)}</h1>
            <p>{t_string!(i18n, not_found_body)}</p>
            <p><a href="/">{t_string!(i18n, back_home)}</a></p>
        </Frame>
    }
}
