//! The pages of the walking skeleton: sign-in, the home page of each role, a project, not found.

use crate::domain::dates::today_iso;
use crate::domain::{ProjectCard, Role, SessionUser};
use crate::error::AppError;
use crate::i18n::*;
use crate::storage::Key;
use crate::ui::data::Json;
use crate::ui::data::Lazy;
use crate::ui::data::Loaded;
use crate::ui::data::Source;
use crate::ui::data::load_user;
use crate::ui::data::remember;
use crate::ui::data::remember_user;
use crate::ui::data::resource;
use crate::ui::data::with_fallback;
use crate::ui::kit::layout::Frame;
use crate::ui::kit::panels::{ErrorPanel, Loading};
use crate::ui::pages::today;
use crate::ui::text;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// `/`: what the signed-in user works on, by role; the sign-in page for everyone else.
#[component]
pub fn HomePage() -> impl IntoView {
    let user = resource(|| (), |_| load_user());
    Effect::new(move |_| {
        if let Some(u) = user.get() {
            remember_user(&u);
        }
    });
    // What the page shows is fetched here, once, and not by the components below: the server
    // runs what a `Suspense` holds again each time something it reads arrives, and each run made
    // those components, and their resources, anew (the project list was fetched and sent three
    // times, the day's pull made three times).
    let role = move || async move {
        match user.await {
            Ok(Some(loaded)) => Some((loaded.value.id, loaded.value.role)),
            _ => None,
        }
    };
    let projects = resource(
        || (),
        move |_| async move {
            match role().await {
                Some((id, role)) if role != Role::Viewer => {
                    let cards = async { Lazy::new(crate::api::list_projects().await?) };
                    match with_fallback(cards, Some(Key::Projects { user: id })).await {
                        // The phone's copy is drawn at once (offline, the browser draws the
                        // page): one it cannot read is no copy.
                        Ok(kept) if kept.source == Source::Device && !kept.value.readable() => {
                            Err(AppError::Network("the phone's copy cannot be read".into()))
                        }
                        loaded => loaded,
                    }
                }
                _ => Ok(Loaded {
                    value: Lazy::new(Vec::new())?,
                    source: Source::Server,
                }),
            }
        },
    );
    let summary = resource(
        || (),
        move |_| async move {
            match role().await {
                Some((_, Role::Viewer)) => crate::api::get_programme_summary().await.map(Some),
                _ => Ok(None),
            }
        },
    );
    let early = today::Early::default();
    view! {
        <Suspense fallback=Loading>
            {move || {
                let early = early.clone();
                user.get().map(|r| match r {
                    Ok(Some(Loaded { value, source })) => match value.role {
                        Role::Viewer => view! { <SummaryHome user=value source summary /> }.into_any(),
                        _ => view! { <ProjectsHome user=value source projects early /> }.into_any(),
                    },
                    Ok(None) | Err(AppError::NotSignedIn) => view! { <Redirect path="/login" /> }.into_any(),
                    Err(e) => view! { <Frame><ErrorPanel error=e /></Frame> }.into_any(),
                })
            }}
        </Suspense>
    }
}

/// *My projects* for a facilitator; the incubators' projects for a supervisor; all for the team.
#[component]
pub(crate) fn ProjectsHome(
    user: SessionUser,
    source: Source,
    projects: today::ProjectCards,
    early: today::Early,
) -> impl IntoView {
    let i18n = use_i18n();
    let key = Key::Projects { user: user.id };
    let (storage_problem, set_storage_problem) = signal(None);
    let (role, user_id) = (user.role, user.id);
    let today_user = user.clone();
    let sync = crate::ui::sync::use_sync();
    Effect::new(move |_| {
        if let Some(Ok(loaded)) = projects.get() {
            // Kept as it came (nothing decoded): this runs in the task that hydrates the page.
            set_storage_problem.set(remember(&key, &loaded).err());
            // A facilitator needs every project of theirs in the field, not only those opened
            // online: fetch their pages in the background and keep them on the device.
            if role == Role::Facilitator && loaded.source == Source::Server {
                sync.keep_projects_offline(user_id, loaded.value);
            }
        }
    });
    // Projects on this phone the list does not have yet: registered here, or pulled since the
    // list was stored (read after the page is up, from the sync chunk).
    let (user_name, facilitator) = (user.name.clone(), role == Role::Facilitator);
    let on_phone = RwSignal::new(Vec::<ProjectCard>::new());
    Effect::new(move |_| {
        let _ = sync.revision.get();
        if let (true, Some(Ok(loaded))) = (facilitator, projects.get()) {
            let name = user_name.clone();
            leptos::task::spawn_local(async move {
                let found = sync.unlisted_projects(user_id, name, loaded.value).await;
                // The list is drawn again only when the phone holds other projects than before.
                on_phone.maybe_update(|cards| {
                    let changed = *cards != found;
                    if changed {
                        *cards = found;
                    }
                    changed
                });
            });
        }
    });
    let cards = today::Cards { projects, on_phone };
    let kept = Served::new();
    let title = move || match role {
        Role::Facilitator => t_string!(i18n, my_projects),
        Role::Supervisor => t_string!(i18n, incubator_projects),
        _ => t_string!(i18n, all_projects),
    };
    view! {
        <Title text=title />
        <Frame user source>
            <h1>{title}</h1>
            {move || storage_problem.get().map(|e| view! {
                <p class="error-panel" role="alert">{text::storage_error(i18n, &e)}</p>
            })}
            <TodayPanel user=today_user cards early />
            <Suspense fallback=Loading>
                {move || projects.get().map(|r| {
                    match r {
                        Ok(loaded) => {
                            let offline = loaded.source == Source::Device && source == Source::Server;
                            let extra = on_phone.get();
                            // Decoded only to be drawn: not while hydrating what the server drew.
                            let list = move || {
                                let mut cards = loaded.value.get().clone();
                                cards.splice(0..0, extra);
                                view! {
                                    {offline.then(|| view! { <crate::ui::kit::layout::OfflineDataNote /> })}
                                    {facilitator.then(|| view! {
                                        <p class="actions"><a class="button" href="/new-project">"+ "{t_string!(i18n, registration_new)}</a></p>
                                    })}
                                    <ProjectList cards grouped=role != Role::Facilitator />
                                }
                            };
                            if kept.as_served() {
                                // Empty in the browser: hydrating keeps what the server drew.
                                let html = if cfg!(feature = "ssr") { list().to_html() } else { String::new() };
                                view! { <div class="projects" inner_html=html></div> }.into_any()
                            } else {
                                view! { <div class="projects">{list()}</div> }.into_any()
                            }
                        }
                        Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </Frame>
    }
}

/// What the day holds (a facilitator) or what waits for review (a reviewer), above the
/// projects. The server draws what it knows of the day with the page (`today::early`); once the
/// page runs in the browser, the panel's code chunk draws what the phone knows and takes its
/// place. Drawn once per page, whatever the list below does.
#[component]
fn TodayPanel(user: SessionUser, cards: today::Cards, early: today::Early) -> impl IntoView {
    // The chunk once fetched (at once when another panel fetched it already).
    let chunk = RwSignal::new(TODAY_CHUNK.with(std::cell::Cell::get));
    let drawn = RwSignal::new(false);
    // Hydrating a page the server drew (not one drawn here, offline or on a move in the app).
    let after_server = hydrating();
    Effect::new(move |_| {
        if !chunk.get_untracked() {
            leptos::task::spawn_local(async move {
                if today::fetch_chunk().await {
                    TODAY_CHUNK.with(|c| c.set(true));
                    chunk.set(true);
                }
            });
        }
    });
    let early = {
        let user = user.clone();
        Suspend::new(async move {
            // In the browser `html` is empty: hydrating keeps what the server drew, until the
            // phone's panel is there.
            let html = early.html(user, cards).await;
            (move || {
                (!drawn.get())
                    .then(|| view! { <div class="today-early" inner_html=html.clone()></div> })
            })
            .into_any()
        })
    };
    view! {
        {early}
        // A boundary of its own: what the panel waits for (the reviewer's counts) holds back
        // nothing else of the page.
        <Suspense>
            {move || {
                chunk.get().then(|| {
                    Suspend::new(today::panel(user.clone(), cards, drawn, after_server))
                })
            }}
        </Suspense>
    }
}

/// Whether the project list is the server's markup, left as it is. The server sends the cards
/// as markup the browser does not hydrate: they are text and links (the router follows a link
/// wherever it is), and hydrating them was two thirds of hydrating the page. The browser draws
/// the list itself the next time what it shows changes (the phone's own projects), and on a page
/// it draws alone (offline, or opened from inside the app).
struct Served(Arc<AtomicBool>);

impl Served {
    fn new() -> Self {
        Self(Arc::new(AtomicBool::new(hydrating())))
    }

    /// Whether this drawing of the list is the server's markup: always on the server; in the
    /// browser, its first drawing while the page is hydrated, and never again.
    fn as_served(&self) -> bool {
        cfg!(feature = "ssr") || (self.0.swap(false, Ordering::Relaxed) && hydrating())
    }
}

/// Whether the browser is hydrating a page the server drew (not drawing one alone).
fn hydrating() -> bool {
    Owner::current_shared_context().is_some_and(|c| c.during_hydration())
}

thread_local! {
    /// Whether the day's chunk is loaded: the home page opened again inside the app draws its
    /// panel at once.
    static TODAY_CHUNK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

#[component]
pub(crate) fn ProjectList(cards: Vec<ProjectCard>, grouped: bool) -> impl IntoView {
    let i18n = use_i18n();
    if cards.is_empty() {
        return view! { <p>{t_string!(i18n, no_projects)}</p> }.into_any();
    }
    let today = today_iso();
    if !grouped {
        return view! { <ul class="cards">{cards.into_iter().map(|c| view! { <Card card=c today=today.clone() level=2 /> }).collect_view()}</ul> }
            .into_any();
    }
    // Supervisors and the team see every project by incubator (the projects at risk are listed
    // first, above, by `today`).
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
                        {list.into_iter().map(|c| view! { <Card card=c today=today.clone() level=3 /> }).collect_view()}
                    </ul>
                </section>
            }
        })
        .collect_view();
    groups.into_any()
}

/// A project's card. Its title is a heading one level under what it sits in: `h2` in a plain
/// list under the page's `h1`, `h3` under an incubator's `h2` (no level is skipped, so a screen
/// reader's list of headings reads as the page is laid out).
#[component]
pub(crate) fn Card(card: ProjectCard, today: String, level: u8) -> impl IntoView {
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
            {
                let link = view! { <a href=href><bdi>{card.title.clone()}</bdi></a> };
                if level <= 2 {
                    view! { <h2 class="card-title">{link}</h2> }.into_any()
                } else {
                    view! { <h3 class="card-title">{link}</h3> }.into_any()
                }
            }
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
pub(crate) fn SummaryHome(
    user: SessionUser,
    source: Source,
    summary: Resource<Result<Option<crate::domain::ProgrammeSummary>, AppError>, Json>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=t_string!(i18n, programme_overview) />
        <Frame user source>
            <h1>{t_string!(i18n, programme_overview)}</h1>
            <Suspense fallback=Loading>
                {move || summary.get().map(|r| {
                    match r {
                        Ok(None) => ().into_any(),
                        Ok(Some(s)) => {
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
