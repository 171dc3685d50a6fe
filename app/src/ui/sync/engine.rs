//! The sync engine in the browser: when a sync runs, and what one sync does.

use crate::error::AppError;
use crate::storage::durable::{self, Outbox as Disk};
use crate::storage::{BUDGET_BYTES, BrowserStore, device};
use crate::sync::outbox::{self, Outbox, SyncMeta};
use crate::sync::protocol::{
    Heartbeat, PROTOCOL_VERSION, PullReply, PushResponse, Record, SCHEMA_VERSION,
};
use crate::ui::platform;
use crate::ui::sync::SyncHandle;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::RefCell;
use std::time::Duration;
use uuid::Uuid;

/// A push carries at most this many mutations (the server takes 500) and about this many
/// bytes, so 1,000 waiting entries go in two or three requests.
const PUSH_COUNT: usize = 500;
const PUSH_BYTES: usize = 900 * 1024;
/// Pulled records are decoded and stored this many at a time (the page gets its turn between
/// slices: [`platform::Turns`]).
const PULL_SLICE: usize = 10;
/// With nothing failing, pull this often for what others changed.
const IDLE_MS: u32 = 5 * 60 * 1000;
const FIRST_RETRY_MS: u32 = 5_000;
const MAX_RETRY_MS: u32 = 5 * 60 * 1000;

#[derive(Default)]
struct State {
    timer: Option<TimeoutHandle>,
    running: bool,
    again: bool,
    retry_ms: u32,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

pub fn start(h: SyncHandle) {
    h.status.update(|s| s.now = platform::now_ms());
    let _ = set_interval_with_handle(
        move || h.status.update(|s| s.now = platform::now_ms()),
        Duration::from_secs(30),
    );
    // Listeners live as long as the page.
    std::mem::forget(window_event_listener(leptos::ev::online, move |_| {
        schedule(h, 0)
    }));
    std::mem::forget(window_event_listener(leptos::ev::storage, move |_| {
        if let Some(user) = h.user.get_untracked() {
            refresh(h, user);
        }
    }));
    // Another tab wrote to the outbox on disk: read it again.
    std::mem::forget(window_event_listener_untyped("athar-outbox", move |_| {
        spawn_local(async move {
            if let Err(e) = durable::reload().await {
                leptos::logging::warn!("outbox: {e}");
            }
            if let Some(user) = h.user.get_untracked() {
                refresh(h, user);
            }
        })
    }));
    spawn_local(async move {
        let answer = platform::persist().await;
        h.status.update(|s| s.persistent = answer);
    });
}

/// Re-reads the counts the header shows.
pub fn refresh(h: SyncHandle, user: Uuid) {
    let pending = outbox::summary(&Disk, user).ok().map(|(count, _)| count);
    let attention = outbox::refused_count(&Disk, user).unwrap_or(0);
    let last = outbox::sync_meta(&BrowserStore, user).last_success_at;
    h.status.update(|s| {
        if pending.is_some() {
            s.pending = pending;
        }
        s.attention = attention;
        s.last_success = last;
    });
    h.revision.update(|r| *r = r.wrapping_add(1));
}

pub fn schedule(h: SyncHandle, ms: u32) {
    STATE.with_borrow_mut(|s| {
        if let Some(t) = s.timer.take() {
            t.clear();
        }
        s.timer = set_timeout_with_handle(
            move || spawn_local(run(h)),
            Duration::from_millis(u64::from(ms)),
        )
        .ok();
    });
}

async fn run(h: SyncHandle) {
    let busy = STATE.with_borrow_mut(|s| {
        if s.running {
            s.again = true;
        }
        std::mem::replace(&mut s.running, true)
    });
    if busy {
        return;
    }
    // Only the user this device remembers as signed in: right after someone else signs in
    // on the same phone, the previous user's entries must not go under the new session.
    let remembered = device().identity().map(|u| u.id);
    let user = h.user.get_untracked();
    let online = window().navigator().on_line();
    let result = match user {
        Some(u) if remembered != Some(u) => Err(AppError::Network("another user".into())),
        Some(user) if online => {
            h.status.update(|s| s.running = true);
            sync_module().await;
            let r = platform::exclusive("athar-sync", sync_chunk(user, h))
                .await
                .unwrap_or(Ok(()));
            h.status.update(|s| {
                s.running = false;
                s.progress = None;
            });
            refresh(h, user);
            // The outbox may just have emptied: a waiting new version can take over.
            platform::check_update();
            r
        }
        Some(_) => Err(AppError::Network("offline".into())),
        None => Ok(()),
    };
    // The server ended this session: the phone stops syncing for the user and forgets what it
    // kept of theirs; their unsent entries wait for them to sign in again.
    if let (Some(_), Err(AppError::NotSignedIn | AppError::AccountDisabled)) = (user, &result) {
        h.user.set(None);
        crate::ui::data::session_ended();
    }
    let next = STATE.with_borrow_mut(|s| {
        s.running = false;
        match &result {
            Ok(()) => {
                s.retry_ms = 0;
                if std::mem::take(&mut s.again) {
                    0
                } else {
                    IDLE_MS
                }
            }
            Err(_) => {
                s.retry_ms = (s.retry_ms.saturating_mul(2)).clamp(FIRST_RETRY_MS, MAX_RETRY_MS);
                // ±20 % so phones that lost the network together do not come back together.
                let jitter = (js_sys::Math::random() * 0.4 + 0.8) * f64::from(s.retry_ms);
                jitter as u32
            }
        }
    });
    // With nobody to sync for (signed out, or the session just ended), what was said stays
    // said: "sign in again to send what waits".
    if user.is_some() {
        h.status.update(|s| {
            s.error = match result {
                // Offline is already said by the header; nothing to add.
                Ok(()) | Err(AppError::Network(_)) => None,
                Err(e) => Some(e),
            }
        });
    }
    schedule(h, next);
}

fn storage(e: crate::storage::StorageError) -> AppError {
    leptos::logging::warn!("device storage during sync: {e}");
    AppError::Internal
}

/// The sync code is a WASM chunk of its own: it is fetched (then kept by the service worker)
/// after the first page is up, so a cold start downloads less. A chunk that cannot be fetched
/// is a network failure like any other: the engine retries.
#[leptos::wasm_split::wasm_split(
    athar_sync,
    wasm_split_path = ::leptos::wasm_split,
    fallible,
    preload(preload_sync),
    return_wrapper(let future = _; { future.await } -> Result<(), AppError>)
)]
fn sync_chunk(
    user: Uuid,
    h: SyncHandle,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), AppError>>>> {
    Box::pin(async move {
        let done = sync_user(user, h).await;
        // The pages draw what the sync changed once it returns ([`refresh`]), from the phone's
        // records read here first, in a task of its own: after a first pull, reading hundreds
        // of records and drawing the day in one go held the page for tens of milliseconds.
        platform::next_task().await;
        crate::ui::local::read_ahead(user, h.revision).await;
        platform::next_task().await;
        done
    })
}

/// Resolves once the sync module is here (false when it cannot be fetched). The first time, in
/// a task of its own: its chunk files are requested outside the task that asks for them, and
/// each caller waiting for the module (the sync, the day's panel, the phone's own projects, the
/// project pages kept offline) goes on in a task of its own once it arrives, not all of them in
/// the one task where it does. Once it is here, at once.
pub async fn sync_module() -> bool {
    thread_local! {
        static HERE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    if HERE.get() {
        return true;
    }
    platform::next_task().await;
    let here = preload_sync().await.is_ok();
    platform::next_task().await;
    if here {
        HERE.set(true);
    }
    here
}

/// The export file (`sync::protocol::OutboxExport`), written from the stored mutations as
/// they are, and downloaded. In the sync chunk: only a phone that needs it fetches it.
#[leptos::wasm_split::wasm_split(athar_sync, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn export_chunk(user: Uuid, h: SyncHandle) -> Result<(), AppError> {
    export_file(user, h)
}

/// One export file for each user with entries waiting on this device, signed in or not (an
/// account the team disabled): how many files were downloaded.
#[leptos::wasm_split::wasm_split(athar_sync, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn export_device_chunk(h: SyncHandle) -> Result<usize, AppError> {
    let users = outbox::users_with_pending(&Disk).map_err(storage)?;
    for user in &users {
        export_file(*user, h)?;
    }
    Ok(users.len())
}

fn export_file(user: Uuid, h: SyncHandle) -> Result<(), AppError> {
    use crate::sync::protocol::EXPORT_FORMAT;
    let mut clients = Vec::new();
    for client in outbox::clients_with_pending(&Disk, user).map_err(storage)? {
        let all = outbox::batch(&Disk, user, client, 0, usize::MAX, usize::MAX).map_err(storage)?;
        clients.push(format!(
            r#"{{"client_id":"{client}","mutations":[{}]}}"#,
            all.join(",")
        ));
    }
    let now = platform::now_ms();
    let text = format!(
        r#"{{"format":"{EXPORT_FORMAT}","protocol":{PROTOCOL_VERSION},"schema":{SCHEMA_VERSION},"user_id":"{user}","exported_at":{now},"heartbeat":{},"clients":[{}]}}"#,
        heartbeat(user, h),
        clients.join(",")
    );
    let day = js_sys::Date::new_0().to_iso_string();
    let day = String::from(day).chars().take(10).collect::<String>();
    platform::download(&format!("athar-unsent-{day}.json"), &text);
    Ok(())
}

/// Fetches the pages of a facilitator's projects and the choice lists registering a project
/// needs, and keeps them on the device: in the sync chunk, so *My projects* carries none of the
/// code that decodes them.
#[leptos::wasm_split::wasm_split(athar_sync, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn keep_projects_chunk(
    user: Uuid,
    projects: Vec<Uuid>,
) -> Result<std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>, AppError> {
    Ok(Box::pin(crate::ui::data::keep_projects_offline(
        user, projects,
    )))
}

#[leptos::wasm_split::wasm_split(athar_sync, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn unlisted_chunk(
    user: Uuid,
    revision: u32,
    facilitator: String,
    listed: Vec<Uuid>,
) -> Result<Vec<crate::domain::ProjectCard>, AppError> {
    let view = crate::ui::local::local_view(user, revision).ok_or(AppError::Internal)?;
    let choices = crate::ui::pages::project::registration::read_choices(user).unwrap_or_default();
    Ok(view
        .records()
        .filter_map(|r| match r {
            crate::sync::protocol::Record::Project(p) if !listed.contains(&p.id) => {
                crate::domain::ProjectDetail::from_record(p, &choices, &facilitator).map(|d| d.card)
            }
            _ => None,
        })
        .collect())
}

/// One whole sync of `user`'s data: push every client's waiting mutations, pull, then drop
/// what the server acknowledged.
async fn sync_user(user: Uuid, h: SyncHandle) -> Result<(), AppError> {
    let kv = BrowserStore;
    // Another tab may have saved since this one last read the outbox.
    durable::reload().await.map_err(storage)?;
    let (total, _) = outbox::summary(&Disk, user).map_err(storage)?;
    if total > 0 {
        h.status.update(|s| s.progress = Some((0, total)));
    }
    // How full the browser's storage for Athar is (the outbox, the files): said on the phone
    // before it is full, and to the team.
    let estimate = storage_estimate().await;
    // Four fifths of what the browser allows: photos are what fills a phone.
    let nearly_full =
        estimate.is_some_and(|(used, quota)| used.saturating_mul(5) >= quota.saturating_mul(4));
    h.status.update(|s| {
        s.storage = estimate;
        s.storage_warning = nearly_full.then(|| {
            use crate::i18n::*;
            t_string!(h.i18n, storage_nearly_full).to_string()
        });
    });
    // The sync's steps run in the tasks their answers arrive in; between two steps done in one
    // task, the page gets its turn once that task has run a few milliseconds.
    let mut turns = platform::Turns::start();
    // One heartbeat for the whole sync: it reads every key the app holds.
    let beat = heartbeat(user, h);
    turns.between_slices().await;
    let mut acknowledged = Vec::new();
    let mut sent = 0u32;
    let mut stalled = false;
    for client in outbox::clients_with_pending(&Disk, user).map_err(storage)? {
        let mut after = 0;
        let mut refused = Vec::new();
        loop {
            let batch = outbox::batch(&Disk, user, client, after, PUSH_COUNT, PUSH_BYTES)
                .map_err(storage)?;
            if batch.is_empty() {
                break;
            }
            let body = format!(
                r#"{{"client_id":"{client}","mutations":[{}],"heartbeat":{}}}"#,
                batch.join(","),
                beat
            );
            let reply: PushResponse = call("/api/sync/push", &body).await?;
            if reply.last_seq <= after {
                // Nothing moved: a mutation is missing before these (never expected). The
                // rest still syncs, but the sync is not called a success: the header says
                // so, the engine retries, and the team sees the entries wait.
                leptos::logging::warn!("sync: no progress for {client} at {after}");
                stalled = true;
                break;
            }
            sent = sent.saturating_add(u32::try_from(batch.len()).unwrap_or(0));
            h.status
                .update(|s| s.progress = Some((sent.min(total), total)));
            after = reply.last_seq;
            refused.extend(reply.refused);
        }
        if after > 0 {
            acknowledged.push((client, after, refused));
        }
    }
    let slot = platform::slot().await;
    turns.between_slices().await;
    let me = durable::write(|kv| {
        Outbox::open(kv, user, slot, platform::new_id()).map(|o| o.client().id)
    })
    .await
    .map_err(storage)?;
    let cookie =
        serde_json::to_string(&outbox::cookie(&kv, user)).map_err(|_| AppError::Internal)?;
    let body = format!(r#"{{"client_id":"{me}","cookie":{cookie},"heartbeat":{beat}}}"#);
    let pulled: PullReply = call("/api/sync/pull", &body).await?;
    // The forms first: a record pulled may have been made on a version published since, and
    // it opens only once the phone holds that version.
    refresh_forms(&kv, &pulled.forms).await;
    // A first pull on a new phone brings hundreds of records: decoded and stored a slice at a
    // time, with the page free to answer a tap between two slices.
    let mut applying = outbox::PullApply::default();
    for slice in pulled.records.chunks(PULL_SLICE) {
        turns.between_slices().await;
        let records = slice
            .iter()
            .map(|raw| serde_json::from_str::<Record>(raw.get()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| AppError::Internal)?;
        applying.records(&kv, user, &records).map_err(storage)?;
    }
    applying
        .finish(&kv, user, pulled.reset, &pulled.cookie)
        .map_err(storage)?;
    turns.between_slices().await;
    durable::write(|kv| {
        acknowledged
            .iter()
            .try_for_each(|(client, last_seq, refused)| {
                outbox::acknowledge(kv, user, *client, *last_seq, refused)
            })
    })
    .await
    .map_err(storage)?;
    if stalled {
        return Err(AppError::Internal);
    }
    outbox::set_sync_meta(
        &kv,
        user,
        &SyncMeta {
            last_success_at: Some(platform::now_ms()),
        },
    )
    .map_err(storage)?;
    // The text went first; the files follow and never hold up the entries.
    send_files(user, h).await
}

/// A file no entry on this phone names is forgotten after this long (a photo taken for a form
/// that was then left). Long, so a form left open for days still finds its photos when saved.
const UNNAMED_FILE_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// Sends the evidence files kept on this phone for `user` whose entries the server has, each
/// from where the server stands, and forgets those the server holds once no entry waiting here
/// names them. Runs after the pull: an entry's files go only once the entry has come back.
async fn send_files(user: Uuid, h: SyncHandle) -> Result<(), AppError> {
    use crate::sync::outbox::{LocalView, SyncState};
    use crate::ui::evidence::{self, Sent};
    let kept = match evidence::kept(user).await {
        Ok(kept) => kept,
        // No script (never loaded on this phone and the network went): nothing was taken.
        Err(AppError::Network(_)) if h.status.with_untracked(|s| s.files.is_none()) => {
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    if kept.is_empty() {
        h.status.update(|s| {
            s.files = None;
            s.files_waiting = (0, 0);
        });
        return Ok(());
    }
    let view = LocalView::load(&BrowserStore, &Disk, user).map_err(storage)?;
    // A form kept unsaved names its files: they stay, and wait for its entry.
    let mut named = crate::sync::drafts::files(&Disk, user);
    let mut waiting = named.clone();
    for record in view.records() {
        let (kind, id) = record.key();
        let here = !matches!(view.state(kind, id), SyncState::Sent | SyncState::Conflict);
        for file in record.files() {
            named.push(file.sha256.clone());
            if here {
                waiting.push(file.sha256.clone());
            }
        }
    }
    let now = platform::now_ms();
    let total: u64 = kept.iter().map(|k| k.bytes).sum();
    let count = u32::try_from(kept.len()).unwrap_or(u32::MAX);
    let done_bytes = std::rc::Rc::new(std::cell::Cell::new(0u64));
    let show = move |sent: u64| {
        h.status
            .update(|s| s.files = Some(files_line(h, count, sent, total)))
    };
    show(0);
    let mut forget = Vec::new();
    let mut held = Vec::new();
    let mut failed = Ok(());
    for k in &kept {
        let waits = waiting.contains(&k.sha256);
        let sent = if waits {
            // Its entry is not on the server yet: the server would not take it.
            Sent::Unknown
        } else {
            let done = std::rc::Rc::clone(&done_bytes);
            match evidence::send(&k.sha256, move |at| show(done.get() + at)).await {
                Ok(sent) => sent,
                // The link went: the rest waits for the next sync.
                Err(e) => {
                    failed = Err(e);
                    break;
                }
            }
        };
        match sent {
            // Held and no entry waiting here names it (else it was not sent).
            Sent::Held => {
                done_bytes.set(done_bytes.get() + k.bytes);
                held.push(&k.sha256);
                forget.push(k.sha256.clone());
            }
            Sent::Gone => forget.push(k.sha256.clone()),
            Sent::Unknown if !named.contains(&k.sha256) && now - k.at > UNNAMED_FILE_MS => {
                forget.push(k.sha256.clone());
            }
            Sent::Unknown | Sent::Refused => {}
        }
    }
    evidence::forget(&forget).await?;
    let still: Vec<_> = kept
        .iter()
        .filter(|k| !forget.contains(&k.sha256))
        .collect();
    h.status.update(|s| {
        s.files_waiting = (
            u32::try_from(still.len()).unwrap_or(u32::MAX),
            still.iter().map(|k| k.bytes).sum(),
        );
        s.files = (!still.is_empty()).then(|| {
            let sent = still
                .iter()
                .filter(|k| held.contains(&&k.sha256))
                .map(|k| k.bytes)
                .sum();
            let count = u32::try_from(still.len()).unwrap_or(u32::MAX);
            files_line(h, count, sent, still.iter().map(|k| k.bytes).sum())
        })
    });
    failed
}

/// The sync bar's line for files waiting: "3 fichiers, 0,2 sur 0,3 Mo envoyés".
fn files_line(h: SyncHandle, count: u32, sent: u64, total: u64) -> String {
    use crate::i18n::*;
    let i18n = h.i18n;
    let mb = |b: u64| crate::ui::text::megabytes(i18n, b);
    t_string!(
        i18n,
        files_progress,
        count,
        sent = mb(sent),
        total = mb(total)
    )
    .to_string()
}

/// Fetches the forms and the indicator catalogue again when the server holds other versions
/// than the phone (published since): kept as sent, read by `form_store` and the project
/// page. A failure leaves the versions the phone has; the next sync tries again.
async fn refresh_forms(kv: &BrowserStore, latest: &str) {
    use crate::storage::{Key, KeyRead, KeyValue};
    let seen = kv.get(&Key::FormsSeen.path()).ok().flatten();
    if latest.is_empty() || seen.as_deref() == Some(latest) {
        return;
    }
    let fetched = async {
        let forms = match platform::post("/api/list_forms", "{}").await? {
            (200, forms) => forms,
            (status, _) => return Err(AppError::Network(format!("forms: HTTP {status}"))),
        };
        match platform::post("/api/list_indicators", "{}").await? {
            (200, indicators) => Ok((forms, indicators)),
            (status, _) => Err(AppError::Network(format!("indicators: HTTP {status}"))),
        }
    };
    match fetched.await {
        Ok((forms, indicators)) => {
            if let Err(e) = kv
                .set(&Key::Forms.path(), &forms)
                .and_then(|()| kv.set(&Key::Indicators.path(), &indicators))
                .and_then(|()| kv.set(&Key::FormsSeen.path(), latest))
            {
                leptos::logging::warn!("forms not kept: {e}");
            }
        }
        Err(e) => leptos::logging::warn!("forms: {e}"),
    }
}

/// Calls a sync endpoint with the versions in front of `body`.
async fn call<T: serde::de::DeserializeOwned>(url: &str, body: &str) -> Result<T, AppError> {
    let json = format!(
        r#"{{"call":{{"protocol":{PROTOCOL_VERSION},"schema":{SCHEMA_VERSION},"body":{body}}}}}"#
    );
    let (status, text) = platform::post(url, &json).await?;
    if status == 200 {
        return serde_json::from_str(&text).map_err(|_| AppError::Internal);
    }
    Err(
        serde_json::from_str::<AppError>(&text).unwrap_or(if status >= 500 {
            AppError::Unavailable
        } else {
            AppError::Internal
        }),
    )
}

/// This device's id: one per browser profile, made on first use.
fn device_id() -> Uuid {
    let kv = BrowserStore;
    const KEY: &str = "athar/v1/device";
    use crate::storage::{KeyRead as _, KeyValue as _};
    if let Ok(Some(raw)) = kv.get(KEY)
        && let Ok(id) = raw.trim_matches('"').parse()
    {
        return id;
    }
    let id = platform::new_id();
    let _ = kv.set(KEY, &format!("\"{id}\""));
    id
}

/// `(bytes used, bytes allowed)` by the browser for Athar (`navigator.storage.estimate`), when
/// it says.
async fn storage_estimate() -> Option<(u64, u64)> {
    use js_sys::{Function, Promise, Reflect};
    use wasm_bindgen::JsCast;
    let storage = Reflect::get(&window().navigator(), &"storage".into()).ok()?;
    let estimate: Function = Reflect::get(&storage, &"estimate".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let promise: Promise = estimate.call0(&storage).ok()?.dyn_into().ok()?;
    let answer = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    let read = |name: &str| Reflect::get(&answer, &name.into()).ok()?.as_f64();
    Some((read("usage")? as u64, read("quota")? as u64)).filter(|(_, quota)| *quota > 0)
}

/// The storage the heartbeat reports: of localStorage (the views, 5 MiB) and the browser's whole
/// allowance (the outbox, the files), the fuller one.
fn storage_for_heartbeat(h: SyncHandle) -> (u64, u64) {
    let local = (
        device().bytes_used().unwrap_or(0) as u64,
        BUDGET_BYTES as u64,
    );
    match h.status.with_untracked(|s| s.storage) {
        Some((used, quota))
            if u128::from(used) * u128::from(local.1) > u128::from(local.0) * u128::from(quota) =>
        {
            (used, quota)
        }
        _ => local,
    }
}

fn heartbeat(user: Uuid, h: SyncHandle) -> String {
    let kv = BrowserStore;
    let (pending, oldest) = outbox::summary(&Disk, user).unwrap_or((0, None));
    let (storage_bytes, storage_budget) = storage_for_heartbeat(h);
    let (browser, label) = platform::browser();
    let hb = Heartbeat {
        device_id: device_id(),
        device_label: label,
        app_version: env!("CARGO_PKG_VERSION").into(),
        pending,
        oldest_pending_at: oldest,
        last_success_at: outbox::sync_meta(&kv, user).last_success_at,
        storage_bytes,
        storage_budget,
        storage_persistent: h.status.with_untracked(|s| s.persistent),
        browser,
        files_waiting: h.status.with_untracked(|s| s.files_waiting.0),
        files_waiting_bytes: h.status.with_untracked(|s| s.files_waiting.1),
    };
    serde_json::to_string(&hb).unwrap_or_else(|_| "{}".into())
}
