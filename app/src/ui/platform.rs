//! The WASM's side of `platform.js`: typed calls to `window.athar`.

use crate::error::AppError;
use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = athar, js_name = post)]
    fn js_post(url: &str, json: &str) -> Promise;
    #[wasm_bindgen(js_namespace = athar, js_name = acquire)]
    fn js_acquire(name: &str) -> Promise;
    #[wasm_bindgen(js_namespace = athar, js_name = uuid)]
    fn js_uuid() -> String;
    #[wasm_bindgen(js_namespace = athar, js_name = persist)]
    fn js_persist() -> Promise;
    #[wasm_bindgen(js_namespace = athar, js_name = browser)]
    fn js_browser() -> Array;
    /// Saves `text` as a file named `name`.
    #[wasm_bindgen(js_namespace = athar)]
    pub fn download(name: &str, text: &str);
    #[wasm_bindgen(js_namespace = athar, js_name = readFile)]
    fn js_read_file(id: &str) -> Promise;
    #[wasm_bindgen(js_namespace = athar, js_name = readFiles)]
    fn js_read_files(id: &str) -> Promise;
    #[wasm_bindgen(js_namespace = athar, js_name = nextTask, catch)]
    fn js_next_task() -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = athar, js_name = localValuesUnder, catch)]
    fn js_local_values_under(prefix: &str) -> Result<String, JsValue>;
}

/// The values of every key of the browser's local storage that starts with `prefix`, read by
/// the page's script in one call (`None` when the storage cannot be read).
pub fn local_values_under(prefix: &str) -> Option<Vec<String>> {
    serde_json::from_str(&js_local_values_under(prefix).ok()?).ok()
}

/// Whether a new version of the app waits while entries do (`service_worker_client.js`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Update {
    /// It reads this phone's stored entries and takes over when the user agrees.
    Ready,
    /// It does not read them: it waits until they are sent.
    Blocked,
}

/// The current state, as the service worker script last announced it (`athar-update` events).
pub fn update() -> Option<Update> {
    match js_sys::Reflect::get(&window_athar(), &"update".into())
        .ok()?
        .as_string()?
        .as_str()
    {
        "ready" => Some(Update::Ready),
        "blocked" => Some(Update::Blocked),
        _ => None,
    }
}

/// Whether this page is drawn again after the WASM stopped while hydrating it: then the app
/// mounts and draws it itself (see `platform.js`). Read once per load.
pub fn draw_here() -> bool {
    call_athar("drawHere").as_bool().unwrap_or(false)
}

/// Whether the app can open without network on this phone, as the service worker script last
/// announced it (`athar-offline` events): `Some(false)` while no worker could install.
pub fn offline_ready() -> Option<bool> {
    js_sys::Reflect::get(&window_athar(), &"offlineReady".into())
        .ok()?
        .as_bool()
}

/// Lets the waiting version take over; the page reloads into it. False when none is ready.
pub fn take_over() -> bool {
    call_athar("takeOver").as_bool().unwrap_or(false)
}

/// Asks the service worker script to look again for a waiting version (after a sync).
pub fn check_update() {
    call_athar("checkUpdate");
}

fn call_athar(name: &str) -> JsValue {
    let athar = window_athar();
    js_sys::Reflect::get(&athar, &name.into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call0(&athar).ok())
        .unwrap_or(JsValue::UNDEFINED)
}

/// The text of the file chosen in the file input `id`; empty when none is.
pub async fn read_file(id: &str) -> String {
    JsFuture::from(js_read_file(id))
        .await
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// The files chosen in the file input `id`, with their bytes in base64; none when none is.
pub async fn read_files(id: &str) -> Vec<crate::domain::import::ImportFile> {
    JsFuture::from(js_read_files(id))
        .await
        .ok()
        .and_then(|v| v.as_string())
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

/// The slot this tab holds (see `platform.js`); 0 where the browser has no Web Locks.
pub async fn slot() -> u32 {
    let promise = js_sys::Reflect::get(&window_athar(), &"slot".into())
        .ok()
        .and_then(|p| p.dyn_into::<Promise>().ok());
    match promise {
        Some(p) => JsFuture::from(p)
            .await
            .ok()
            .and_then(|v| v.as_f64())
            .map_or(0, |n| n as u32),
        None => 0,
    }
}

/// Resolves in a task of its own (`platform.js`; a zero timeout without it). Work that may wait
/// a moment, such as fetching a code chunk (a request per shared piece, a few milliseconds each
/// on a slow phone), awaits it first, so it does not lengthen the task that hydrates the page;
/// long work (a pull, reading the phone's records) awaits it between slices.
pub async fn next_task() {
    let promise = js_next_task().unwrap_or_else(|_| {
        Promise::new(&mut |resolve, _| {
            let _ = leptos::prelude::window().set_timeout_with_callback(&resolve);
        })
    });
    let _ = JsFuture::from(promise).await;
}

/// Long work done in slices (a pull stored, the phone's records read) gives the page its turn
/// once a task has run this long: a few milliseconds, whatever the phone's speed.
pub struct Turns {
    task_start: i64,
}

impl Turns {
    const TASK_MS: i64 = 4;

    /// Counts from now (the start of the caller's task).
    pub fn start() -> Self {
        Turns {
            task_start: now_ms(),
        }
    }

    /// Called before each slice: goes on in a new task when this one has run long enough.
    pub async fn between_slices(&mut self) {
        if now_ms() - self.task_start >= Self::TASK_MS {
            next_task().await;
            self.task_start = now_ms();
        }
    }
}

/// The executor of the page's reactive work: wasm-bindgen's, except that the work hydrating the
/// page starts (every effect's first run, the sync's start, what the effects fetch and read)
/// can be held back to the task after the one that hydrates ([`hold_started_work`]). Hydrating
/// and V8 compiling the code it calls for the first time are one task already; with that work
/// in it too, it was the longest task of the start.
struct PageExecutor;

thread_local! {
    static HELD: std::cell::RefCell<Option<Vec<any_spawner::PinnedLocalFuture<()>>>> =
        const { std::cell::RefCell::new(None) };
}

impl any_spawner::CustomExecutor for PageExecutor {
    // One thread: what may move between threads runs here too.
    fn spawn(&self, fut: any_spawner::PinnedFuture<()>) {
        self.spawn_local(fut);
    }

    fn spawn_local(&self, fut: any_spawner::PinnedLocalFuture<()>) {
        let now = HELD.with_borrow_mut(|held| match held {
            Some(held) => {
                held.push(fut);
                None
            }
            None => Some(fut),
        });
        if let Some(fut) = now {
            wasm_bindgen_futures::spawn_local(fut);
        }
    }

    fn poll_local(&self) {}
}

/// Makes [`PageExecutor`] the executor of the page, before anything reactive runs.
pub fn start_executor() {
    let _ = any_spawner::Executor::init_custom_executor(PageExecutor);
}

/// Holds the reactive work started from now on until the next task, where it starts in the
/// order it was asked for, each piece's first run in turn, with the page given its turn once a
/// task has run a few milliseconds ([`Turns`]). Nothing is held longer: a hydration that waits
/// for something (a page whose code is a chunk of its own) goes on with its work started at once.
/// Resolves once all of it has started.
pub fn hold_started_work() -> impl std::future::Future<Output = ()> {
    HELD.with_borrow_mut(|held| {
        held.get_or_insert_with(Vec::new);
    });
    let (done, started) = futures::channel::oneshot::channel::<()>();
    wasm_bindgen_futures::spawn_local(async move {
        next_task().await;
        let held = HELD.take().unwrap_or_default();
        let mut turns = Turns::start();
        for fut in held {
            turns.between_slices().await;
            wasm_bindgen_futures::spawn_local(fut);
            // Its first run, before the clock is read again.
            let _ = JsFuture::from(Promise::resolve(&JsValue::NULL)).await;
        }
        let _ = done.send(());
    });
    async move {
        let _ = started.await;
    }
}

fn window_athar() -> JsValue {
    js_sys::Reflect::get(&leptos::prelude::window(), &"athar".into()).unwrap_or(JsValue::UNDEFINED)
}

/// POSTs `json` to `url` (gzipped when it is worth it) and returns the status and body.
pub async fn post(url: &str, json: &str) -> Result<(u16, String), AppError> {
    let reply = JsFuture::from(js_post(url, json))
        .await
        .map_err(|e| AppError::Network(format!("{e:?}")))?;
    let pair: Array = reply.unchecked_into();
    let status = pair.get(0).as_f64().unwrap_or(0.0) as u16;
    let text = pair.get(1).as_string().unwrap_or_default();
    // A `Date` header is to the second: half a second on is the best guess.
    match pair.get(2).as_f64().map(|d| d as i64) {
        Some(date) if date > 0 => crate::ui::clock::observed(date + 500),
        _ => {}
    }
    Ok((status, text))
}

/// Runs `run` unless another tab holds the lock `name`; `None` when another tab did.
pub async fn exclusive<T>(name: &str, run: impl std::future::Future<Output = T>) -> Option<T> {
    let release = JsFuture::from(js_acquire(name)).await.ok()?;
    let release = release.dyn_into::<js_sys::Function>().ok()?;
    let out = run.await;
    let _ = release.call0(&JsValue::NULL);
    Some(out)
}

/// A new random record id.
pub fn new_id() -> uuid::Uuid {
    js_uuid().parse().unwrap_or_else(|_| uuid::Uuid::nil())
}

/// Asks for persistent storage; the browser's answer, if it gave one.
pub async fn persist() -> Option<bool> {
    JsFuture::from(js_persist()).await.ok()?.as_bool()
}

/// The browser's family and a label for the device.
pub fn browser() -> (String, String) {
    let pair = js_browser();
    (
        pair.get(0).as_string().unwrap_or_default(),
        pair.get(1).as_string().unwrap_or_default(),
    )
}

/// Milliseconds since the Unix epoch, by the device's clock.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}
