//! Storage on the device: a small typed layer over key-value storage, in two stores chosen by what
//! losing them would cost.
//!
//! - **What can be rebuilt from the server** (identity, the cached views of the user's scope, the
//!   forms) lives in localStorage through gloo-storage ([`BrowserStore`], [`DeviceStore`]):
//!   synchronous and handy for the first paint, but Chromium writes it to disk lazily, so a
//!   browser that dies minutes after a write may lose it.
//! - **What the user made and the server does not have yet** (the outbox: waiting and refused
//!   entries, and each tab slot's sequence counter) lives in IndexedDB, each write one
//!   transaction with `durability: "strict"` ([`durable`]). A save is *saved* only once that
//!   transaction has completed.
//!
//! Both sides read through [`KeyRead`]; only stores whose writes are immediate implement
//! [`KeyValue`]. The durable store is read from a copy in memory and written only through
//! [`Staged`] changes committed as one transaction, so a write that has not reached the disk is
//! never read as if it had.
//!
//! - Keys are versioned (`athar/v1/…`); [`DeviceStore::migrate`] moves older layouts forward once,
//!   at start-up, in order (and [`durable`] moves the outbox out of localStorage, layout 1 → 2).
//! - Values are JSON, one small key per record, so a save never rewrites everything.
//! - Everything a user caches lives under `athar/v1/u/<user id>/`, so signing out removes exactly
//!   that user's data and another user on the same phone never sees it.
//! - A failed write (quota, private mode, storage disabled) is a typed [`StorageError`] the UI
//!   shows at once; nothing already stored is touched by a failed write.

use crate::domain::SessionUser;
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

/// The layout version of the keys this build writes. Layout 2: the outbox is in IndexedDB (layout
/// 1 kept it in localStorage under the same keys).
pub const LAYOUT_VERSION: u32 = 2;
/// The oldest layout [`DeviceStore::migrate`] brings forward (0: before anything was versioned).
/// A new app version takes over a phone with unsent entries only if it reads their layout, so a
/// change to how entries are stored is a layout change, with its migration.
pub const OLDEST_READABLE_LAYOUT: u32 = 0;
const ROOT: &str = "athar/";
/// Where the keys of layouts 1 and 2 live (layout 2 moved the outbox, not the keys' names).
const KEYS: &str = "athar/v1/";
const LAYOUT_KEY: &str = "athar/layout";

/// localStorage gives an origin about 5 MiB; the app counts its own bytes against this.
pub const BUDGET_BYTES: usize = 5 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    /// Storage is turned off or blocked (private browsing, a policy).
    #[error("storage unavailable")]
    Unavailable,
    /// The phone's storage for Athar is full.
    #[error("storage full")]
    QuotaExceeded,
    /// A stored value could not be read back (written by another version, or damaged).
    #[error("unreadable value at {0}")]
    Corrupt(String),
}

/// Reading a raw store: strings in, strings out.
pub trait KeyRead {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError>;
    fn keys(&self) -> Result<Vec<String>, StorageError>;

    /// The values of every key that starts with `prefix`, in no particular order.
    fn values_under(&self, prefix: &str) -> Result<Vec<String>, StorageError>
    where
        Self: Sized,
    {
        values_by_key(self, prefix)
    }
}

/// [`KeyRead::values_under`], one key at a time.
fn values_by_key(store: &impl KeyRead, prefix: &str) -> Result<Vec<String>, StorageError> {
    let mut values = Vec::new();
    for key in store.keys()?.iter().filter(|k| k.starts_with(prefix)) {
        if let Some(value) = store.get(key)? {
            values.push(value);
        }
    }
    Ok(values)
}

/// A raw store whose writes take effect at once (memory, localStorage, a [`Staged`] change).
pub trait KeyValue: KeyRead {
    fn set(&self, key: &str, value: &str) -> Result<(), StorageError>;
    fn remove(&self, key: &str) -> Result<(), StorageError>;
}

/// One write of a [`Staged`] change: the new value, or `None` to remove the key.
pub type Write = (String, Option<String>);

/// Changes to a store that cannot be written synchronously, gathered first: reads see the
/// changes on top of `base`, and [`Staged::into_writes`] gives them, in key order, to commit as
/// one transaction.
pub struct Staged<'a, B: KeyRead> {
    base: &'a B,
    writes: std::cell::RefCell<std::collections::BTreeMap<String, Option<String>>>,
}

impl<'a, B: KeyRead> Staged<'a, B> {
    pub fn new(base: &'a B) -> Self {
        Staged {
            base,
            writes: Default::default(),
        }
    }

    pub fn into_writes(self) -> Vec<Write> {
        self.writes.into_inner().into_iter().collect()
    }
}

impl<B: KeyRead> KeyRead for Staged<'_, B> {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        match self.writes.borrow().get(key) {
            Some(staged) => Ok(staged.clone()),
            None => self.base.get(key),
        }
    }

    fn keys(&self) -> Result<Vec<String>, StorageError> {
        let writes = self.writes.borrow();
        let mut keys: Vec<String> = self
            .base
            .keys()?
            .into_iter()
            .filter(|k| !writes.contains_key(k))
            .collect();
        keys.extend(
            writes
                .iter()
                .filter(|(_, v)| v.is_some())
                .map(|(k, _)| k.clone()),
        );
        Ok(keys)
    }
}

impl<B: KeyRead> KeyValue for Staged<'_, B> {
    fn set(&self, key: &str, value: &str) -> Result<(), StorageError> {
        self.writes
            .borrow_mut()
            .insert(key.to_owned(), Some(value.to_owned()));
        Ok(())
    }

    fn remove(&self, key: &str) -> Result<(), StorageError> {
        self.writes.borrow_mut().insert(key.to_owned(), None);
        Ok(())
    }
}

/// Every kind of thing the device keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Key {
    /// The last user who signed in on this device (for opening the app offline).
    Identity,
    /// That user's list of projects.
    Projects { user: Uuid },
    /// One project page.
    Project { user: Uuid, project: Uuid },
    /// Every version of every form, as the server last sent them (`list_forms`, kept as sent).
    Forms,
    /// Which forms those were (the `forms` of the pull that made the device fetch them).
    FormsSeen,
    /// What that user chooses from when registering a project (`registry_choices`).
    Registry { user: Uuid },
    /// The indicator catalogue, as the server last sent it (`list_indicators`, kept as sent, with
    /// the forms).
    Indicators,
}

impl Key {
    pub fn path(&self) -> String {
        match self {
            Key::Identity => format!("{KEYS}identity"),
            Key::Projects { user } => format!("{}projects", user_prefix(*user)),
            Key::Project { user, project } => format!("{}project/{project}", user_prefix(*user)),
            Key::Forms => format!("{KEYS}forms"),
            Key::FormsSeen => format!("{KEYS}forms-seen"),
            Key::Registry { user } => format!("{}registry", user_prefix(*user)),
            Key::Indicators => format!("{KEYS}indicators"),
        }
    }
}

fn user_prefix(user: Uuid) -> String {
    format!("{KEYS}u/{user}/")
}

pub struct DeviceStore<S: KeyValue> {
    kv: S,
}

impl<S: KeyValue> DeviceStore<S> {
    pub fn new(kv: S) -> Self {
        DeviceStore { kv }
    }

    pub fn get<T: DeserializeOwned>(&self, key: &Key) -> Result<Option<T>, StorageError> {
        let path = key.path();
        match self.kv.get(&path)? {
            None => Ok(None),
            // From bytes, as the server's answers are read: one decoder per type in the WASM.
            Some(raw) => serde_json::from_slice(raw.as_bytes())
                .map(Some)
                .map_err(|_| StorageError::Corrupt(path)),
        }
    }

    pub fn put<T: Serialize>(&self, key: &Key, value: &T) -> Result<(), StorageError> {
        let raw = serde_json::to_string(value).map_err(|_| StorageError::Corrupt(key.path()))?;
        self.kv.set(&key.path(), &raw)
    }

    pub fn remove(&self, key: &Key) -> Result<(), StorageError> {
        self.kv.remove(&key.path())
    }

    pub fn identity(&self) -> Option<SessionUser> {
        self.get(&Key::Identity).ok().flatten()
    }

    /// The raw store, for the sync outbox which keeps its own keys.
    pub fn kv(&self) -> &S {
        &self.kv
    }

    /// Removes everything cached for `user`, and the identity if it is theirs: signing out on a
    /// shared phone leaves nothing of theirs to read. Their unsent and refused entries stay (under
    /// their own prefix, where no other user looks) and go when they sign in again: an entry
    /// leaves the phone only when the server has it. (Their client counters go: a new client
    /// takes over, and the old one's entries are still sent under its own id.)
    pub fn forget_user(&self, user: Uuid) -> Result<usize, StorageError> {
        let prefix = user_prefix(user);
        let unsent = |k: &str| {
            k.strip_prefix(&prefix)
                .is_some_and(|rest| rest.starts_with("m/") || rest.starts_with("refused/"))
        };
        let mut removed = 0;
        for key in self
            .kv
            .keys()?
            .into_iter()
            .filter(|k| k.starts_with(&prefix) && !unsent(k))
        {
            self.kv.remove(&key)?;
            removed += 1;
        }
        if self.identity().is_some_and(|u| u.id == user) {
            self.remove(&Key::Identity)?;
            removed += 1;
        }
        Ok(removed)
    }

    /// Bytes Athar holds in storage (keys and values, UTF-16 as browsers count them).
    pub fn bytes_used(&self) -> Result<usize, StorageError> {
        let mut total = 0;
        for key in self.kv.keys()?.into_iter().filter(|k| k.starts_with(ROOT)) {
            let value = self.kv.get(&key)?.unwrap_or_default();
            total += 2 * (key.encode_utf16().count() + value.encode_utf16().count());
        }
        Ok(total)
    }

    /// Brings keys written by an older build to the current layout. Runs once per layout change.
    pub fn migrate(&self) -> Result<(), StorageError> {
        let from: u32 = self
            .kv
            .get(LAYOUT_KEY)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if from >= LAYOUT_VERSION {
            return Ok(());
        }
        if from == 0 {
            // Before layout 1 nothing was stored under `athar/`, except an early cache
            // of the project list under `athar/projects`, which is simply dropped: it is a cache
            // and comes back at the next online visit.
            for key in self
                .kv
                .keys()?
                .into_iter()
                .filter(|k| k == "athar/projects")
            {
                self.kv.remove(&key)?;
            }
        }
        self.kv.set(LAYOUT_KEY, &LAYOUT_VERSION.to_string())
    }
}

/// Storage in memory, for tests and for when the browser has none.
#[derive(Default)]
pub struct MemoryStore {
    map: std::cell::RefCell<std::collections::BTreeMap<String, String>>,
    /// Refuse writes past this many bytes, to test a full phone.
    pub quota: Option<usize>,
}

impl MemoryStore {
    /// A store that refuses writes past `bytes`, like a full phone.
    pub fn with_quota(bytes: usize) -> Self {
        MemoryStore {
            quota: Some(bytes),
            ..Default::default()
        }
    }
}

impl MemoryStore {
    /// Applies committed writes (the copy in memory of a durable store).
    pub fn apply(&self, writes: &[Write]) {
        let mut map = self.map.borrow_mut();
        for (key, value) in writes {
            match value {
                Some(v) => map.insert(key.clone(), v.clone()),
                None => map.remove(key),
            };
        }
    }

    /// Replaces everything held.
    pub fn replace(&self, entries: impl IntoIterator<Item = (String, String)>) {
        *self.map.borrow_mut() = entries.into_iter().collect();
    }
}

impl KeyRead for MemoryStore {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        Ok(self.map.borrow().get(key).cloned())
    }

    fn keys(&self) -> Result<Vec<String>, StorageError> {
        Ok(self.map.borrow().keys().cloned().collect())
    }
}

impl KeyValue for MemoryStore {
    fn set(&self, key: &str, value: &str) -> Result<(), StorageError> {
        if let Some(quota) = self.quota {
            let used: usize = self
                .map
                .borrow()
                .iter()
                .filter(|(k, _)| *k != key)
                .map(|(k, v)| k.len() + v.len())
                .sum();
            if used + key.len() + value.len() > quota {
                return Err(StorageError::QuotaExceeded);
            }
        }
        self.map
            .borrow_mut()
            .insert(key.to_owned(), value.to_owned());
        Ok(())
    }

    fn remove(&self, key: &str) -> Result<(), StorageError> {
        self.map.borrow_mut().remove(key);
        Ok(())
    }
}

/// localStorage, through gloo-storage.
#[cfg(feature = "hydrate")]
pub struct BrowserStore;

#[cfg(feature = "hydrate")]
impl BrowserStore {
    fn raw() -> Result<web_sys::Storage, StorageError> {
        use gloo_storage::Storage as _;
        // gloo panics if there is no storage at all; check first.
        let window = web_sys::window().ok_or(StorageError::Unavailable)?;
        match window.local_storage() {
            Ok(Some(_)) => Ok(gloo_storage::LocalStorage::raw()),
            _ => Err(StorageError::Unavailable),
        }
    }
}

#[cfg(feature = "hydrate")]
thread_local! {
    static WRITES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How many writes this page has made to what the phone's local view is read from: the pulled
/// records and the outbox. A view read from storage is current while this has not moved (other
/// tabs' writes arrive as events). The pages, lists and forms kept beside them change nothing of
/// it: the project pages kept for offline use right after a first pull no longer make the pages
/// read the whole view again.
#[cfg(feature = "hydrate")]
pub fn record_writes() -> u64 {
    WRITES.get()
}

#[cfg(feature = "hydrate")]
fn touched() {
    WRITES.set(WRITES.get() + 1);
}

#[cfg(feature = "hydrate")]
pub mod durable;

#[cfg(feature = "hydrate")]
impl KeyRead for BrowserStore {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        Self::raw()?
            .get_item(key)
            .map_err(|_| StorageError::Unavailable)
    }

    fn keys(&self) -> Result<Vec<String>, StorageError> {
        let raw = Self::raw()?;
        let len = raw.length().map_err(|_| StorageError::Unavailable)?;
        Ok((0..len).filter_map(|i| raw.key(i).ok().flatten()).collect())
    }

    /// In one call to the page's script rather than two per key: a phone's data is hundreds of
    /// records, and each string crossing between the WASM and the page costs more than reading
    /// it (the view read after a first pull took 27 ms, most of it in crossings).
    fn values_under(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        match crate::ui::platform::local_values_under(prefix) {
            Some(values) => Ok(values),
            None => values_by_key(self, prefix),
        }
    }
}

#[cfg(feature = "hydrate")]
impl KeyValue for BrowserStore {
    fn set(&self, key: &str, value: &str) -> Result<(), StorageError> {
        if crate::sync::outbox::holds_records(key) {
            touched();
        }
        Self::raw()?.set_item(key, value).map_err(|e| {
            let name = js_sys::Reflect::get(&e, &"name".into())
                .ok()
                .and_then(|n| n.as_string())
                .unwrap_or_default();
            if name.contains("Quota") {
                StorageError::QuotaExceeded
            } else {
                StorageError::Unavailable
            }
        })
    }

    fn remove(&self, key: &str) -> Result<(), StorageError> {
        if crate::sync::outbox::holds_records(key) {
            touched();
        }
        Self::raw()?
            .remove_item(key)
            .map_err(|_| StorageError::Unavailable)
    }
}

/// The device store of this browser.
#[cfg(feature = "hydrate")]
pub fn device() -> DeviceStore<BrowserStore> {
    DeviceStore::new(BrowserStore)
}

#[cfg(test)]
mod tests;
