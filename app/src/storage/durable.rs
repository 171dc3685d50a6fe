//! The durable store: the outbox in IndexedDB (`platform.js`, `athar.db`), read from a copy in
//! memory.
//!
//! - **Reads** are synchronous, from the copy ([`Outbox`]), so pages draw from the local view as
//!   before. The copy is loaded before the app mounts ([`open`]) and again when another tab wrote
//!   (its `athar-outbox` event) or a sync starts ([`reload`]); a write first loads it if it could
//!   not be loaded yet (storage blocked or full at start).
//! - **Writes** go through [`write`]: the change is staged over the copy, written to IndexedDB in
//!   one transaction with `durability: "strict"`, and only once that transaction has completed is
//!   the copy updated and the caller told. A failed transaction (storage full, storage blocked)
//!   changes nothing, on disk or in the copy.
//! - **One at a time.** Writes and reloads of a tab queue behind each other (an async lock), so two
//!   saves in quick succession never read the same sequence number. Across tabs each slot has its
//!   own client (see `sync::outbox`), and IndexedDB orders the transactions.
//! - **Moving in** ([`open`]): entries a build of layout 1 left in localStorage are copied, checked
//!   on disk, then removed from localStorage, at every start (an older tab still open may have
//!   saved since); see [`crate::sync::outbox::move_plan`] for why a crash at any point loses
//!   nothing and sends nothing twice.

use super::{KeyRead, MemoryStore, Staged, StorageError, Write};
use futures::lock::Mutex;
use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["athar", "db"], js_name = load)]
    fn js_load() -> Promise;
    #[wasm_bindgen(js_namespace = ["athar", "db"], js_name = write)]
    fn js_write(writes: Array) -> Promise;
}

thread_local! {
    static COPY: MemoryStore = MemoryStore::default();
    /// Whether the copy holds what the disk held at the last load. Until it does, nothing is
    /// staged over it: a save staged over an empty copy could take a number already on disk.
    static LOADED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    static LOCK: std::rc::Rc<Mutex<()>> = std::rc::Rc::new(Mutex::new(()));
}

/// The outbox as it is on disk, for reading.
pub struct Outbox;

impl KeyRead for Outbox {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        COPY.with(|c| c.get(key))
    }

    fn keys(&self) -> Result<Vec<String>, StorageError> {
        COPY.with(|c| c.keys())
    }
}

fn error(e: JsValue) -> StorageError {
    match e.as_string().as_deref() {
        Some("QuotaExceededError") => StorageError::QuotaExceeded,
        _ => StorageError::Unavailable,
    }
}

async fn load() -> Result<(), StorageError> {
    let pair: Array = JsFuture::from(js_load()).await.map_err(error)?.into();
    let (keys, values): (Array, Array) = (pair.get(0).into(), pair.get(1).into());
    let entries = keys
        .iter()
        .zip(values.iter())
        .filter_map(|(k, v)| Some((k.as_string()?, v.as_string()?)));
    COPY.with(|c| c.replace(entries));
    LOADED.set(true);
    super::touched();
    Ok(())
}

async fn commit(writes: &[Write]) -> Result<(), StorageError> {
    if writes.is_empty() {
        return Ok(());
    }
    let list: Array = writes
        .iter()
        .map(|(k, v)| {
            let v = v.as_deref().map_or(JsValue::NULL, JsValue::from_str);
            JsValue::from(Array::of2(&JsValue::from_str(k), &v))
        })
        .collect();
    JsFuture::from(js_write(list)).await.map_err(error)?;
    COPY.with(|c| c.apply(writes));
    super::touched();
    Ok(())
}

fn lock() -> std::rc::Rc<Mutex<()>> {
    LOCK.with(std::rc::Rc::clone)
}

/// Stages a change with `stage` over the outbox as it is on disk, writes it in one strict
/// transaction, and returns what `stage` returned once the browser says it is on disk. When
/// `stage` fails, or the transaction does, nothing is written.
pub async fn write<T, E: From<StorageError>>(
    stage: impl FnOnce(&Staged<'_, Outbox>) -> Result<T, E>,
) -> Result<T, E> {
    let lock = lock();
    let _turn = lock.lock().await;
    if !LOADED.get() {
        load().await?;
    }
    let staged = Staged::new(&Outbox);
    let out = stage(&staged)?;
    commit(&staged.into_writes()).await?;
    Ok(out)
}

/// Reads the outbox from disk again (another tab wrote to it).
pub async fn reload() -> Result<(), StorageError> {
    let lock = lock();
    let _turn = lock.lock().await;
    load().await
}

/// Loads the outbox, moves in what an older build left in localStorage, and brings the rest of
/// the device's storage to this build's layout. Runs before the app mounts.
pub async fn open() -> Result<(), StorageError> {
    use crate::sync::outbox::{move_plan, moved_intact};
    let lock = lock();
    let _turn = lock.lock().await;
    load().await?;
    let local = super::BrowserStore;
    let (writes, moved) = move_plan(&local, &Outbox)?;
    if !moved.is_empty() {
        commit(&writes).await?;
        // Read back from disk, not from the copy: only what the disk holds may leave
        // localStorage.
        load().await?;
        if moved_intact(&local, &Outbox, &moved)? {
            for key in &moved {
                super::KeyValue::remove(&local, key)?;
            }
        } else {
            leptos::logging::warn!("outbox: a moved entry did not read back; kept in both");
        }
    }
    super::device().migrate()
}
