//! The top of the home page: *Aujourd'hui* for a facilitator (what the day holds, from what is on
//! the phone, so it works offline), *À relire* for a reviewer (what waits for review, by age,
//! the conflicts, the projects at risk). Each line opens the place to act.
//!
//! In the sync engine's code chunk (`sync`), not the main module: the home page asks for it once
//! it runs in the browser, in a task of its own, so the page's start carries none of it. The
//! server, which cannot see the phone, draws with the page what it knows of the day
//! ([`Early`]); the phone's panel takes its place.

// The phone's panel is the browser's: the server's build uses the drawing, not the panel.
#![cfg_attr(not(feature = "hydrate"), allow(dead_code, unused_imports))]

use crate::domain::{ProjectCard, Role, SessionUser};
use crate::error::AppError;
use crate::i18n::*;
use crate::sync::day::plan;
use crate::sync::outbox::LocalView;
use crate::sync::protocol::{Record, RecordKind};
use crate::ui::data::Json;
use crate::ui::data::Lazy;
use crate::ui::data::Loaded;
use crate::ui::sync::{Attention, use_sync};
use crate::ui::text;
use leptos::prelude::*;
use uuid::Uuid;

/// The home page's project list, sent with the page and decoded only when read.
pub type ProjectCards = Resource<Result<Loaded<Lazy<Vec<ProjectCard>>>, AppError>, Json>;

/// The projects of the home page: its list (from the server or the phone's copy) and the
/// projects on the phone the list does not have yet.
#[derive(Clone, Copy)]
pub struct Cards {
    pub projects: ProjectCards,
    pub on_phone: RwSignal<Vec<ProjectCard>>,
}

impl Cards {
    /// The cards as the page lists them (`None` while the list is on its way).
    fn get(&self) -> Option<Vec<ProjectCard>> {
        let mut cards = self.projects.get()?.ok()?.value.get().clone();
        cards.splice(0..0, self.on_phone.get());
        Some(cards)
    }
}

/// The panel for `user`, whose home lists `cards`; nothing when the chunk cannot be fetched (the
/// rest of the page works without it). `drawn` is set once the panel shows what the phone
/// knows: until then the page keeps what the server drew ([`early`]).
pub async fn panel(
    user: SessionUser,
    cards: Cards,
    drawn: RwSignal<bool>,
    after_server: bool,
) -> AnyView {
    #[cfg(feature = "hydrate")]
    {
        today_chunk(user, cards, drawn, after_server)
            .await
            .unwrap_or_else(|_| ().into_any())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (user, cards, drawn, after_server);
        ().into_any()
    }
}

/// Fetches the panel's code chunk (once; the service worker keeps it): true when it is here,
/// so that [`panel`] draws at once, without a moment of nothing.
pub async fn fetch_chunk() -> bool {
    #[cfg(feature = "hydrate")]
    {
        crate::ui::sync::engine::sync_module().await && preload_today().await.is_ok()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        false
    }
}

// In the sync module: every signed-in page fetches that one as it starts, and the code the two
// share with the other pages is spread over one chunk file per set of modules sharing it, so a
// module of its own for the day doubled the files fetched at once (64 instead of 32), a few
// milliseconds of the page's main thread each on a slow phone.
#[cfg(feature = "hydrate")]
#[leptos::wasm_split::wasm_split(
    athar_sync,
    wasm_split_path = ::leptos::wasm_split,
    fallible,
    preload(preload_today)
)]
fn today_chunk(
    user: SessionUser,
    cards: Cards,
    drawn: RwSignal<bool>,
    after_server: bool,
) -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    Ok(match user.role {
        Role::Facilitator => {
            view! { <FieldDay user=user.id cards drawn after_server /> }.into_any()
        }
        Role::Supervisor | Role::Team => view! { <ReviewDay cards drawn /> }.into_any(),
        Role::Viewer => ().into_any(),
    })
}

/// The day the server draws for one page, made once: the server walks the home page's views
/// several times before it sends them (a `Suspense` resolves its children again as what they
/// read arrives), and the day's pull is not to run each time. Made by the page's route
/// component, which the server runs once.
#[derive(Clone, Default)]
pub struct Early {
    #[cfg(feature = "ssr")]
    drawn: std::sync::Arc<tokio::sync::OnceCell<String>>,
}

impl Early {
    /// The day's markup for `user` over the home page's list ([`early`]), drawn the first time
    /// it is asked for. Empty on the browser's side.
    pub async fn html(&self, user: SessionUser, cards: Cards) -> String {
        #[cfg(feature = "ssr")]
        {
            self.drawn
                .get_or_init(|| async move {
                    match cards.projects.await {
                        Ok(loaded) => early(user, loaded.value.get().clone()).await,
                        Err(_) => String::new(),
                    }
                })
                .await
                .clone()
        }
        #[cfg(not(feature = "ssr"))]
        {
            let _ = (user, cards);
            String::new()
        }
    }
}

/// What the server knows of the day, drawn as the phone draws it, in the page's markup: for a
/// facilitator, entries returned, action items, visits due and risks (what a first pull would
/// bring); for a reviewer, what waits for review. It is the page's largest text on a phone:
/// drawn with the page, it is painted at once, and the phone's panel takes its place without
/// moving anything when they agree.
#[cfg(feature = "ssr")]
async fn early(user: SessionUser, cards: Vec<ProjectCard>) -> String {
    let i18n = use_i18n();
    match user.role {
        Role::Facilitator => field_day_on_server(i18n, cards).await.unwrap_or_default(),
        Role::Supervisor | Role::Team => {
            let summary = crate::api::review_summary().await.ok();
            review_panel(i18n, summary, cards).to_html()
        }
        Role::Viewer => String::new(),
    }
}

/// A facilitator's day from what the server holds of her projects, drawn.
#[cfg(feature = "ssr")]
async fn field_day_on_server(
    i18n: leptos_i18n::I18nContext<Locale>,
    cards: Vec<ProjectCard>,
) -> Result<String, AppError> {
    use crate::api::guard;
    // The session's user and scope, as every server function reads them.
    let user = guard::require_user()?;
    let scope = crate::server::auth::project_scope(&user)?;
    let state = guard::state()?;
    let today = guard::today()?.to_string();
    let pulled = state.db.pull(&user, scope, Uuid::nil(), None).await?;
    let mut view = LocalView::default();
    for record in pulled.records {
        view.put(record);
    }
    let day = words(i18n, plan(&view, &cards, &today), &cards);
    Ok(draw(i18n, day).to_html())
}

/// One list of the day: a heading with its count, and its lines.
fn group(title: &'static str, lines: Vec<AnyView>) -> Option<impl IntoView> {
    (!lines.is_empty()).then(|| {
        let count = lines.len();
        view! {
            <div class="today-group">
                <h3>{title}" "<span class="count">{format!("({count})")}</span></h3>
                <ul class="today-list">{lines}</ul>
            </div>
        }
    })
}

/// One line: what, the project, and a tag when it is late, as one link.
fn line(href: String, what: String, project: String, late: Option<&'static str>) -> AnyView {
    view! {
        <li>
            <a href=href>
                <span class="today-what">{what}</span>
                {(!project.is_empty()).then(|| view! { <bdi class="today-project">{project}</bdi> })}
                {late.map(|l| view! { <span class="tag overdue-tag"><span aria-hidden="true">"⚠ "</span>{l}</span> })}
            </a>
        </li>
    }
    .into_any()
}

/// A line of the day, before it is drawn.
#[derive(Clone, Debug, PartialEq)]
struct Line {
    href: String,
    what: String,
    project: String,
    late: Option<&'static str>,
}

fn drawn(lines: Vec<Line>) -> Vec<AnyView> {
    lines
        .into_iter()
        .map(|l| line(l.href, l.what, l.project, l.late))
        .collect()
}

/// What the day shows, in words: compared with what is drawn, so the day is drawn again only
/// when it changed (a sync that brought nothing new redraws nothing).
#[derive(Clone, Debug, PartialEq)]
struct Day {
    attention: Vec<Attention>,
    returned: Vec<Line>,
    actions: Vec<Line>,
    visits: Vec<Line>,
    drafts: Vec<Line>,
    waiting: Option<String>,
    risks: Vec<Line>,
}

/// The title of `project` among `cards` (empty when the list does not hold it).
fn title_of(cards: &[ProjectCard], project: Uuid) -> String {
    cards
        .iter()
        .find(|c| c.id == project)
        .map(|c| c.title.clone())
        .unwrap_or_default()
}

/// The day's lists in words: entries returned, action items, visits due and risks, from the
/// `plan` of `cards`' projects (what the phone alone knows is added by [`FieldDay`]).
fn words(
    i18n: leptos_i18n::I18nContext<Locale>,
    day: crate::sync::day::Day,
    cards: &[ProjectCard],
) -> Day {
    let title_of = |project: Uuid| title_of(cards, project);
    let returned = day
        .returned
        .into_iter()
        .map(|t| {
            let r = t.what;
            let what = match r.kind {
                RecordKind::Visit => {
                    t_string!(i18n, attention_visit, day = text::day(&r.day)).to_string()
                }
                RecordKind::Value => t_string!(i18n, attention_value).to_string(),
                _ => t_string!(i18n, attention_entry).to_string(),
            };
            let what = if r.comment.is_empty() {
                what
            } else {
                format!("{what} : « {} »", r.comment)
            };
            Line {
                href: t.href,
                what,
                project: title_of(t.project),
                late: None,
            }
        })
        .collect();
    let actions = day
        .actions
        .into_iter()
        .map(|t| {
            let a = t.what;
            let due = t_string!(i18n, action_due_on, day = text::day(&a.due)).to_string();
            Line {
                href: t.href,
                what: format!("{} · {due}", a.title),
                project: title_of(t.project),
                late: a.overdue.then(|| t_string!(i18n, overdue)),
            }
        })
        .collect();
    let visits = day
        .visits
        .into_iter()
        .map(|t| {
            let what = match &t.what.due {
                Some(d) => t_string!(i18n, today_visit_due, day = text::day(d)).to_string(),
                None => t_string!(i18n, never_visited).to_string(),
            };
            Line {
                href: t.href,
                what,
                project: title_of(t.project),
                late: t.what.overdue.then(|| t_string!(i18n, overdue)),
            }
        })
        .collect();
    let risks = cards
        .iter()
        .filter(|c| !c.flags.is_empty())
        .map(|c| Line {
            href: format!("/projects/{}", c.id),
            what: c
                .flags
                .iter()
                .map(|f| text::risk(i18n, f))
                .collect::<Vec<_>>()
                .join(" · "),
            project: c.title.clone(),
            late: None,
        })
        .collect();
    Day {
        attention: Vec::new(),
        returned,
        actions,
        visits,
        drafts: Vec::new(),
        waiting: None,
        risks,
    }
}

/// The panel of a day in words: the server draws it with the page, the phone again as it learns.
fn draw(i18n: leptos_i18n::I18nContext<Locale>, day: Day) -> impl IntoView {
    let quiet = day.attention.is_empty()
        && day.waiting.is_none()
        && [
            &day.returned,
            &day.actions,
            &day.visits,
            &day.drafts,
            &day.risks,
        ]
        .iter()
        .all(|l| l.is_empty());
    // *Envoyer maintenant* is in the sync bar, at the top of the page.
    let waiting: Vec<AnyView> = day
        .waiting
        .map(|words| {
            view! {
                <li class="today-waiting">
                    <p>{words}</p>
                </li>
            }
            .into_any()
        })
        .into_iter()
        .collect();
    view! {
        <section class="today" aria-labelledby="today-title">
            <h2 id="today-title">{t_string!(i18n, today_title)}</h2>
            {(!day.attention.is_empty()).then(|| view! { <AttentionList list=day.attention /> })}
            {group(t_string!(i18n, today_returned), drawn(day.returned))}
            {group(t_string!(i18n, today_actions), drawn(day.actions))}
            {group(t_string!(i18n, today_visits), drawn(day.visits))}
            {group(t_string!(i18n, drafts_title), drawn(day.drafts))}
            {group(t_string!(i18n, today_waiting), waiting)}
            {group(t_string!(i18n, today_risks), drawn(day.risks))}
            {quiet.then(|| view! { <p class="today-quiet">{t_string!(i18n, today_nothing)}</p> })}
        </section>
    }
}

/// *Aujourd'hui*: returned and refused entries to fix, action items, visits due, forms left
/// unsaved, what waits to be sent, the risks on her projects. `drawn` tells the page it may put
/// away the server's version (`after_server`: the page came with one), which it keeps until the
/// phone holds her data (a first pull done).
#[component]
fn FieldDay(user: Uuid, cards: Cards, drawn: RwSignal<bool>, after_server: bool) -> impl IntoView {
    #[cfg(not(feature = "hydrate"))]
    let _ = after_server;
    let i18n = use_i18n();
    let sync = use_sync();
    // What waits, as a value of its own: the status changes every 30 s (its clock), and the day
    // is drawn again only when what it shows changed.
    let waiting_now = Memo::new(move |_| {
        sync.status
            .with(|s| (s.pending.unwrap_or(0), s.files.clone()))
    });
    let day = Memo::new(move |_| {
        let revision = sync.revision.get();
        // A phone that never pulled knows less than the server's version already shown.
        // Until this phone has pulled once, the server's version (when it drew one) knows more.
        #[cfg(feature = "hydrate")]
        if after_server
            && crate::sync::outbox::cookie(&crate::storage::BrowserStore, user).is_none()
        {
            return None;
        }
        let view = crate::ui::local::local_view(user, revision)?;
        let cards = cards.get()?;
        Some(field_day(i18n, user, &view, &cards, waiting_now.get()))
    });
    Effect::new(move |_| {
        if day.with(Option::is_some) {
            drawn.set(true);
        }
    });
    // Behind `AnyView`, and the day's planning a function of its own: code the browser compiles
    // the first time it runs, not while the phone has not pulled yet and the panel draws nothing
    // (V8 compiles a whole function at its first call, early return or not).
    move || day.get().map(|day| draw(i18n, day).into_any())
}

/// The day of `user`'s phone: what `view` holds planned against `cards`, the drafts kept, what
/// waits to be sent (`waiting`: entries, and the files line).
#[inline(never)]
fn field_day(
    i18n: leptos_i18n::I18nContext<Locale>,
    user: Uuid,
    view: &LocalView,
    cards: &[ProjectCard],
    waiting: (u32, Option<String>),
) -> Day {
    let today = crate::domain::dates::today_iso();
    let mut day = words(i18n, plan(view, cards, &today), cards);
    #[cfg(feature = "hydrate")]
    {
        day.drafts = crate::sync::drafts::list(&crate::storage::durable::Outbox, user)
            .into_iter()
            .map(|(_, d)| Line {
                href: d.href.clone(),
                what: crate::ui::kit::draft::draft_line(i18n, &d),
                project: d.project.map(|p| title_of(cards, p)).unwrap_or_default(),
                late: None,
            })
            .collect();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = user;
    let (pending, files) = waiting;
    day.waiting = (pending > 0 || files.is_some()).then(|| {
        let mut words = Vec::new();
        if pending > 0 {
            words.push(t_string!(i18n, today_waiting_entries, count = pending).to_string());
        }
        words.extend(files);
        words.join(" ")
    });
    day.attention = attention_lines(i18n, view);
    day
}

/// *À relire*: what waits for review (from the server), by sort and by age, the conflicts to
/// settle, and the projects at risk (listed further down the page). Drawn once the server
/// answered (or did not): until then the page keeps the server's version.
#[component]
fn ReviewDay(cards: Cards, drawn: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    Suspend::new(async move {
        let summary = crate::api::review_summary().await.ok();
        drawn.set(true);
        move || {
            cards
                .get()
                .map(|cards| review_panel(i18n, summary.clone(), cards))
        }
    })
}

/// The reviewer's panel, from what waits for review (`None`: the server could not be asked).
fn review_panel(
    i18n: leptos_i18n::I18nContext<Locale>,
    summary: Option<crate::domain::ReviewSummary>,
    cards: Vec<ProjectCard>,
) -> impl IntoView {
    let risky = cards.iter().filter(|c| !c.flags.is_empty()).count();
    let summary = match summary {
        Some(s) => {
            let waiting = s.waiting();
            let lines: Vec<AnyView> = [
                (waiting > 0).then(|| {
                    let mut what =
                        t_string!(i18n, review_home_waiting, count = waiting).to_string();
                    what = format!(
                        "{what} — {}",
                        t_string!(
                            i18n,
                            review_home_kinds,
                            visits = s.visits,
                            entries = s.entries,
                            registry = s.registry
                        )
                    );
                    let late = (s.late > 0).then(|| t_string!(i18n, overdue));
                    line("/review".into(), what, String::new(), late)
                }),
                (s.late > 0).then(|| {
                    let days = s.oldest_days.unwrap_or(0);
                    let what =
                        t_string!(i18n, review_home_late, count = s.late, days = days).to_string();
                    line("/review".into(), what, String::new(), None)
                }),
                (s.conflicts > 0).then(|| {
                    let what =
                        t_string!(i18n, review_home_conflicts, count = s.conflicts).to_string();
                    line("/conflicts".into(), what, String::new(), None)
                }),
            ]
            .into_iter()
            .flatten()
            .collect();
            if lines.is_empty() {
                view! { <p class="today-quiet">{t_string!(i18n, review_home_none)}</p> }.into_any()
            } else {
                view! { <ul class="today-list">{lines}</ul> }.into_any()
            }
        }
        None => view! { <p class="hint">{t_string!(i18n, review_home_offline)}</p> }.into_any(),
    };
    let at_risk: Vec<ProjectCard> = cards.into_iter().filter(|c| !c.flags.is_empty()).collect();
    view! {
        <section class="today" aria-labelledby="today-title">
            <h2 id="today-title">{t_string!(i18n, review_home_title)}</h2>
            {summary}
            {(risky > 0).then(|| view! {
                <ul class="today-list">
                    {line("#risk-list-title".into(), t_string!(i18n, review_home_risks, count = risky).to_string(), String::new(), None)}
                </ul>
            })}
        </section>
        {(!at_risk.is_empty()).then(|| view! {
            <section class="risk-list" aria-labelledby="risk-list-title">
                <h2 id="risk-list-title">{t_string!(i18n, risk_list_title)}" "<span class="count">{format!("({risky})")}</span></h2>
                <ul>
                    {at_risk.into_iter().map(|card| view! { <RiskItem card /> }).collect_view()}
                </ul>
            </section>
        })}
    }
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

/// The entries the server refused, in words, each with where to fix it.
pub(crate) fn attention_lines(
    i18n: leptos_i18n::I18nContext<Locale>,
    view: &LocalView,
) -> Vec<Attention> {
    view.refusals()
        .map(|(&(kind, id), entry)| {
            let record = view.record((kind, id));
            let project = record.and_then(Record::project_id);
            let field = entry.refusal.field.clone().unwrap_or_default();
            let what = match (kind, record) {
                (RecordKind::Visit, Some(Record::Visit(v))) => t_string!(
                    i18n,
                    attention_visit,
                    day = crate::domain::dates::format_day(&v.fields.visit_on)
                )
                .to_string(),
                (RecordKind::Visit, _) => t_string!(i18n, attention_visit, day = "").to_string(),
                (RecordKind::Member, _) => t_string!(i18n, attention_member).to_string(),
                (RecordKind::Entry, _) => t_string!(i18n, attention_entry).to_string(),
                (RecordKind::Project, _) => t_string!(i18n, attention_project).to_string(),
                (RecordKind::Action, _) => t_string!(i18n, attention_action).to_string(),
                (RecordKind::Milestone, _) => t_string!(i18n, attention_milestone).to_string(),
                (RecordKind::Value, _) => t_string!(i18n, attention_value).to_string(),
            };
            let p = project.map(|p| p.to_string()).unwrap_or_default();
            let href = match kind {
                RecordKind::Visit => format!("/projects/{p}/visits/{id}#f-{field}"),
                RecordKind::Member => format!("/projects/{p}/members/{id}"),
                RecordKind::Entry => format!("/projects/{p}/entries/{id}"),
                RecordKind::Project => format!("/projects/{id}"),
                _ if project.is_some() => format!("/projects/{p}"),
                _ => "/".into(),
            };
            Attention {
                what,
                project: project
                    .and_then(|p| view.get::<crate::domain::ProjectRecord>(p))
                    .map(|p| p.title.clone()),
                reason: text::refused_entry(i18n, entry),
                href,
            }
        })
        .collect()
}

/// The entries the server refused: what, where, why, and a way to fix each.
#[component]
fn AttentionList(list: Vec<Attention>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div id="attention" class="attention today-group">
            <h3 id="attention-title"><span aria-hidden="true">"✗ "</span>{t_string!(i18n, attention_title)}</h3>
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
        </div>
    }
}
