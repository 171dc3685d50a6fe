//! Pages for the people who review what the field sends: the visits in conflict, each version
//! side by side, kept whole or merged field by field (supervisors and the team, online); and
//! the sync health of every device (the team).

use super::data::load_user;
use super::layout::Frame;
use super::pages::ErrorPanel;
use super::routes::Screen;
use super::text;
use crate::api::{list_conflicts, list_devices, resolve_conflict};
use crate::domain::{
    ConflictCase, DeviceFlag, DeviceSort, DeviceStatus, Role, VisitFields, VisitVersion,
};
use crate::error::AppError;
use crate::i18n::*;
use crate::sync::protocol::ImportReport;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use uuid::Uuid;

/// The fields of a visit a supervisor compares, in the form's order.
pub(super) const FIELDS: [Field; 15] = [
    Field::VisitOn,
    Field::Mode,
    Field::Present,
    Field::Topics,
    Field::Observations,
    Field::Sales,
    Field::Purchases,
    Field::Cash,
    Field::Stock,
    Field::Debts,
    Field::CashBook,
    Field::Shock,
    Field::Difficulties,
    Field::NextVisit,
    Field::Status,
];

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Field {
    VisitOn,
    Mode,
    Present,
    Topics,
    Observations,
    Sales,
    Purchases,
    Cash,
    Stock,
    Debts,
    CashBook,
    Shock,
    Difficulties,
    NextVisit,
    Status,
}

impl Field {
    pub(super) fn label(self, i18n: I18nContext<Locale>) -> &'static str {
        match self {
            Field::VisitOn => t_string!(i18n, visit_on),
            Field::Mode => t_string!(i18n, visit_mode),
            Field::Present => t_string!(i18n, present_members),
            Field::Topics => t_string!(i18n, topics),
            Field::Observations => t_string!(i18n, observations),
            Field::Sales => t_string!(i18n, snap_sales),
            Field::Purchases => t_string!(i18n, snap_purchases),
            Field::Cash => t_string!(i18n, snap_cash),
            Field::Stock => t_string!(i18n, snap_stock),
            Field::Debts => t_string!(i18n, snap_debts),
            Field::CashBook => t_string!(i18n, snap_cash_book),
            Field::Shock => t_string!(i18n, snap_shock),
            Field::Difficulties => t_string!(i18n, difficulties),
            Field::NextVisit => t_string!(i18n, next_visit_on),
            Field::Status => t_string!(i18n, status),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Field::VisitOn => "visit_on",
            Field::Mode => "mode",
            Field::Present => "present",
            Field::Topics => "topics",
            Field::Observations => "observations",
            Field::Sales => "sales",
            Field::Purchases => "purchases",
            Field::Cash => "cash",
            Field::Stock => "stock",
            Field::Debts => "debts",
            Field::CashBook => "cash_book",
            Field::Shock => "shock",
            Field::Difficulties => "difficulties",
            Field::NextVisit => "next_visit_on",
            Field::Status => "status",
        }
    }

    /// The field as a supervisor reads it.
    pub(super) fn show(
        self,
        i18n: I18nContext<Locale>,
        f: &VisitFields,
        members: &[(Uuid, String)],
    ) -> String {
        match self {
            Field::VisitOn => text::day(&f.visit_on),
            Field::Mode => text::visit_mode(i18n, f.mode).into(),
            Field::Present => f
                .present_member_ids
                .iter()
                .map(|id| {
                    members
                        .iter()
                        .find(|(m, _)| m == id)
                        .map_or_else(|| "?".to_owned(), |(_, name)| name.clone())
                })
                .collect::<Vec<_>>()
                .join(", "),
            Field::Topics => f
                .topics
                .iter()
                .map(|t| text::topic(i18n, *t))
                .collect::<Vec<_>>()
                .join(", "),
            Field::Observations => f.observations.clone(),
            Field::Sales => amount(i18n, f.snapshot.sales),
            Field::Purchases => amount(i18n, f.snapshot.purchases),
            Field::Cash => amount(i18n, f.snapshot.cash),
            Field::Stock => amount(i18n, f.snapshot.stock),
            Field::Debts => amount(i18n, f.snapshot.debts),
            Field::CashBook => match f.snapshot.cash_book_up_to_date {
                Some(true) => t_string!(i18n, answer_yes).into(),
                Some(false) => t_string!(i18n, answer_no).into(),
                None => String::new(),
            },
            Field::Shock => f.snapshot.shock.clone(),
            Field::Difficulties => f.difficulties.clone(),
            Field::NextVisit => f
                .next_visit_on
                .as_deref()
                .map(text::day)
                .unwrap_or_default(),
            Field::Status => text::entry_status(i18n, f.status).into(),
        }
    }

    /// Copies this field from `from` into `into`.
    fn take(self, into: &mut VisitFields, from: &VisitFields) {
        match self {
            Field::VisitOn => into.visit_on.clone_from(&from.visit_on),
            Field::Mode => into.mode = from.mode,
            Field::Present => into.present_member_ids.clone_from(&from.present_member_ids),
            Field::Topics => into.topics.clone_from(&from.topics),
            Field::Observations => into.observations.clone_from(&from.observations),
            Field::Sales => into.snapshot.sales = from.snapshot.sales,
            Field::Purchases => into.snapshot.purchases = from.snapshot.purchases,
            Field::Cash => into.snapshot.cash = from.snapshot.cash,
            Field::Stock => into.snapshot.stock = from.snapshot.stock,
            Field::Debts => into.snapshot.debts = from.snapshot.debts,
            Field::CashBook => {
                into.snapshot.cash_book_up_to_date = from.snapshot.cash_book_up_to_date;
            }
            Field::Shock => into.snapshot.shock.clone_from(&from.snapshot.shock),
            Field::Difficulties => into.difficulties.clone_from(&from.difficulties),
            Field::NextVisit => into.next_visit_on.clone_from(&from.next_visit_on),
            Field::Status => into.status = from.status,
        }
    }
}

/// An amount as a reviewer reads it; empty when the facilitator had no figure.
fn amount(i18n: I18nContext<Locale>, millimes: Option<i64>) -> String {
    millimes.map(|m| text::money(i18n, m)).unwrap_or_default()
}

/// The frame of a review page: signed-in users of the roles it is for see its heading, intro and
/// content; anyone else is sent to sign in, or told their role may not open it.
#[component]
pub(super) fn ReviewFrame(
    allowed: fn(Role) -> bool,
    title: &'static str,
    intro: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    let user = Resource::new(|| (), |_| load_user());
    view! {
        <Title text=title />
        <Suspense fallback=|| ()>
            {move || {
                let children = children.clone();
                user.get().map(move |r| match r {
                Ok(Some(user)) if allowed(user.value.role) => view! {
                    <Frame user=user.value.clone()>
                        <h1>{title}</h1>
                        <p>{intro}</p>
                        {children()}
                    </Frame>
                }.into_any(),
                Ok(None) | Err(AppError::NotSignedIn) => view! { <Redirect path="/login" /> }.into_any(),
                Ok(Some(_)) => view! { <ErrorPanel error=AppError::Forbidden /> }.into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            })}}
        </Suspense>
    }
}

/// `/review` and `/conflicts`: the reviewer's two pages share one code chunk (and the field
/// helpers above), chosen by the address.
#[component]
pub fn ReviewPages() -> impl IntoView {
    match super::routes::Screen::current() {
        Some(Screen::Conflicts) => view! { <ConflictsPage /> }.into_any(),
        Some(Screen::Review) => view! { <super::review_queue::ReviewQueuePage /> }.into_any(),
        _ => view! { <super::pages::NotFoundPage /> }.into_any(),
    }
}

/// `/conflicts`: every visit in the reviewer's scope that two devices edited from the same base.
#[component]
fn ConflictsPage() -> impl IntoView {
    let i18n = use_i18n();
    let cases = Resource::new(|| (), |_| list_conflicts());
    view! {
        <ReviewFrame
            allowed=|role| Screen::Conflicts.gate().allows(role)
            title=t_string!(i18n, conflicts_title)
            intro=t_string!(i18n, conflicts_intro)
        >
            {move || cases.get().map(|r| match r {
                Ok(list) if list.is_empty() => view! {
                    <p class="notice success" role="status">{t_string!(i18n, conflicts_none)}</p>
                }.into_any(),
                Ok(list) => list.into_iter().map(|case| view! {
                    <Case case refetch=move || cases.refetch() />
                }).collect_view().into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            })}
        </ReviewFrame>
    }
}

/// One visit in conflict: a table of its versions, a choice per field where they differ, and
/// the buttons that keep one version whole or save the merge.
#[component]
fn Case(case: ConflictCase, refetch: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let mut versions: Vec<VisitVersion> = vec![case.current.clone()];
    versions.extend(case.edits.iter().cloned());
    let differing: Vec<Field> = FIELDS
        .into_iter()
        .filter(|f| {
            let first = f.show(i18n, &versions[0].fields, &case.members);
            versions[1..]
                .iter()
                .any(|v| f.show(i18n, &v.fields, &case.members) != first)
        })
        .collect();
    // Which version each field is taken from; the server's by default.
    let chosen = RwSignal::new(vec![0usize; FIELDS.len()]);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let (visit, version) = (case.visit_id, case.version);
    let base = versions[0].fields.clone();
    let all = versions.clone();
    let merged = move || {
        let picks = chosen.get_untracked();
        let mut fields = base.clone();
        for (i, f) in FIELDS.into_iter().enumerate() {
            f.take(&mut fields, &all[picks[i]].fields);
        }
        fields
    };
    let decide = move |fields: VisitFields| {
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match resolve_conflict(visit, version, fields).await {
                Ok(_) => refetch(),
                Err(e) => {
                    // A stale decision shows the visit as it is now.
                    if e == AppError::Stale {
                        refetch();
                    }
                    error.set(Some(text::error(i18n, &e)));
                    busy.set(false);
                }
            }
        });
    };
    let title_id = format!("conflict-{visit}");
    let labelled_by = title_id.clone();
    let heading = format!(
        "{} · {} — {}",
        case.project_code,
        case.project_title,
        text::day(&versions[0].fields.visit_on)
    );
    let members = case.members.clone();
    view! {
        <article class="conflict card" aria-labelledby=labelled_by>
            <h2 id=title_id>{heading}</h2>
            <div class="table-scroll">
                <table>
                    <caption>{t_string!(i18n, conflict_caption)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{t_string!(i18n, conflict_field)}</th>
                            {versions.iter().enumerate().map(|(i, v)| view! {
                                <th scope="col">
                                    {if i == 0 { t_string!(i18n, conflict_on_server) } else { t_string!(i18n, conflict_set_aside) }}
                                    <br /><bdi>{v.author.clone()}</bdi>
                                    <br /><small>{crate::domain::dates::tunis_day_time(&v.at)}</small>
                                    {v.device.clone().map(|d| view! {
                                        <br /><small class="device">{text::device_of(i18n, &d, v.device_seen_at.as_deref())}</small>
                                    })}
                                </th>
                            }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {FIELDS.into_iter().enumerate().map(|(row, f)| {
                            let differs = differing.contains(&f);
                            let group = format!("{visit}-{}", f.name());
                            view! {
                                <tr class:differs=differs>
                                    <th scope="row">{f.label(i18n)}{differs.then_some(" ⚠")}</th>
                                    {versions.iter().enumerate().map(|(i, v)| {
                                        let shown = f.show(i18n, &v.fields, &members);
                                        let group = group.clone();
                                        view! {
                                            <td>
                                                {if differs {
                                                    view! {
                                                        <label class="choice">
                                                            <input type="radio" name=group value=i.to_string()
                                                                checked=i == 0
                                                                on:change=move |_| chosen.update(|c| c[row] = i) />
                                                            " "<span>{if shown.is_empty() { "—".to_owned() } else { shown }}</span>
                                                        </label>
                                                    }.into_any()
                                                } else {
                                                    view! { <span>{shown}</span> }.into_any()
                                                }}
                                            </td>
                                        }
                                    }).collect_view()}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <div class="actions">
                {versions.iter().enumerate().map(|(i, v)| {
                    let fields = v.fields.clone();
                    let label = if i == 0 {
                        t_string!(i18n, conflict_keep_server).to_string()
                    } else {
                        text::keep_version_of(i18n, &v.author, v.device.as_deref())
                    };
                    view! {
                        <button type="button" disabled=move || busy.get()
                            on:click=move |_| decide(fields.clone())>{label}</button>
                    }
                }).collect_view()}
                <button type="button" class="primary" disabled=move || busy.get()
                    on:click=move |_| decide(merged())>{t_string!(i18n, conflict_save_merge)}</button>
            </div>
            {move || error.get().map(|m| view! {
                <p class="notice error" role="alert"><span aria-hidden="true">"⚠ "</span>{m}</p>
            })}
        </article>
    }
}

/// Now, in Unix ms, on either side.
fn now_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        super::platform::now_ms()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(0))
    }
}

/// `/devices` and `/settings`: the team's pages share one code chunk, chosen by the address.
#[component]
pub fn TeamPages() -> impl IntoView {
    match super::routes::Screen::current() {
        Some(Screen::Settings) => view! { <super::settings::SettingsPage /> }.into_any(),
        Some(Screen::Devices) => view! { <DevicesPage /> }.into_any(),
        _ => view! { <super::pages::NotFoundPage /> }.into_any(),
    }
}

/// `/devices`: the team's view of every device's sync health, one row per device and user,
/// sortable; rows that need action are marked in words and colour.
#[component]
fn DevicesPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = leptos_router::hooks::use_query_map();
    let sort = move || DeviceSort::parse(&query.read().get("sort").unwrap_or_default());
    let devices = Resource::new(|| (), |_| list_devices());
    view! {
        <ReviewFrame
            allowed=|role| Screen::Devices.gate().allows(role)
            title=t_string!(i18n, devices_title)
            intro=t_string!(i18n, devices_intro)
        >
            <ImportForm done=move || devices.refetch() />
            {move || devices.get().map(|r| match r {
                Ok(list) if list.is_empty() => view! { <p>{t_string!(i18n, devices_none)}</p> }.into_any(),
                Ok(mut list) => {
                    let by = sort();
                    by.sort(&mut list);
                    view! { <DeviceTable rows=list by /> }.into_any()
                }
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            })}
        </ReviewFrame>
    }
}

#[component]
fn DeviceTable(rows: Vec<DeviceStatus>, by: DeviceSort) -> impl IntoView {
    let i18n = use_i18n();
    let now = now_ms();
    let header = move |key: DeviceSort, label: &'static str| {
        let sorted = key == by;
        view! {
            <th scope="col" aria-sort=if sorted { "descending" } else { "none" }>
                <a href=format!("/devices?sort={}", key.as_str())>{label}{sorted.then_some(" ▼")}</a>
            </th>
        }
    };
    view! {
        <div class="table-scroll">
            <table class="devices">
                <caption>{t_string!(i18n, devices_caption)}</caption>
                <thead>
                    <tr>
                        {header(DeviceSort::Attention, t_string!(i18n, col_flags))}
                        {header(DeviceSort::User, t_string!(i18n, col_user))}
                        <th scope="col">{t_string!(i18n, col_device)}</th>
                        {header(DeviceSort::Pending, t_string!(i18n, col_waiting))}
                        {header(DeviceSort::Oldest, t_string!(i18n, col_oldest))}
                        {header(DeviceSort::LastSeen, t_string!(i18n, col_last_sync))}
                        {header(DeviceSort::Storage, t_string!(i18n, col_storage))}
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|d| {
                        let flagged = !d.flags.is_empty();
                        let flags = if flagged {
                            d.flags.iter().map(|f| match f {
                                DeviceFlag::WaitingTooLong => t_string!(i18n, flag_waiting),
                                DeviceFlag::Silent => t_string!(i18n, flag_silent),
                                DeviceFlag::MayBeEvicted => t_string!(i18n, flag_evictable),
                            }).collect::<Vec<_>>().join(" · ")
                        } else {
                            t_string!(i18n, flag_none).to_owned()
                        };
                        let percent = (d.storage_bytes * 100).checked_div(d.storage_budget).unwrap_or(0);
                        let kept = match d.storage_persistent {
                            Some(true) => t_string!(i18n, storage_kept),
                            Some(false) => t_string!(i18n, storage_may_be_cleared),
                            None => t_string!(i18n, storage_unknown),
                        };
                        view! {
                            <tr class:flagged=flagged>
                                <td class:flag=flagged>{flagged.then_some("⚠ ")}{flags}</td>
                                <td><bdi>{d.user_name}</bdi><br /><small>{text::role(i18n, d.role)}</small></td>
                                <td><bdi>{d.label}</bdi><br /><small>{d.app_version}</small></td>
                                <td>{d.pending}</td>
                                <td>{if d.pending > 0 { text::ago(i18n, d.oldest_pending_at, now) } else { "—".to_owned() }}</td>
                                <td>{text::ago(i18n, Some(d.last_seen_at), now)}</td>
                                <td>{format!("{percent} % · ")}{kept}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The team imports a file a facilitator exported (*Export my unsent entries*) when the phone
/// cannot reach the server itself. Entries the server already has are skipped.
#[component]
fn ImportForm(done: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let outcome = RwSignal::new(None::<Result<ImportReport, String>>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            busy.set(true);
            let text = super::platform::read_file("import-file").await;
            let result = match serde_json::from_str::<crate::sync::protocol::OutboxExport>(&text) {
                Err(_) => Err(t_string!(i18n, import_not_a_file).to_owned()),
                Ok(file) => crate::api::import_outbox(file)
                    .await
                    .map_err(|e| text::error(i18n, &e)),
            };
            outcome.set(Some(result));
            busy.set(false);
            done();
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (outcome, busy, done);
    };
    view! {
        <section class="import" aria-labelledby="import-title">
            <h2 id="import-title">{t_string!(i18n, import_title)}</h2>
            <p>{t_string!(i18n, import_intro)}</p>
            <form on:submit=submit>
                <p>
                    <label for="import-file">{t_string!(i18n, import_file)}</label>
                    <input id="import-file" type="file" accept=".json,application/json" required />
                </p>
                <button type="submit" class="primary" disabled=move || busy.get()>{t_string!(i18n, import_button)}</button>
            </form>
            {move || outcome.get().map(|r| match r {
                Ok(report) => view! {
                    <p class="notice success" role="status">
                        {t_string!(i18n, import_done, user = report.user_name.clone(), entries = report.entries, on_server = report.on_server, refused = report.refused, conflicts = report.conflicts).to_string()}
                    </p>
                }.into_any(),
                Err(message) => view! {
                    <p class="notice error" role="alert"><span aria-hidden="true">"⚠ "</span>{message}</p>
                }.into_any(),
            })}
        </section>
    }
}
