//! The device's side of sync: the outbox of mutations, and the local view the UI reads.
//!
//! Layout under `athar/v1/u/<user>/` (one key per mutation and per record, so a save writes two
//! small keys and never the whole outbox). The outbox's keys (`client/`, `m/`, `refused/`) live in
//! the durable store (IndexedDB in the browser, see `storage::durable`), the snapshot's in
//! localStorage: functions here take the store they need, and [`LocalView::load`] takes both.
//!
//! | key | value |
//! |---|---|
//! | `client/<slot>` | [`ClientMeta`]: this user's client id for that tab slot and its next `seq` |
//! | `m/<client>/<seq>` | a [`Mutation`] waiting to be sent, exactly as it will travel |
//! | `refused/<client>/<seq>` | a [`RefusedEntry`]: the server will never apply it; shown with its reason |
//! | `r/<kind>/<id>` | a [`Record`] of the last pulled snapshot |
//! | `cookie` | the [`Cookie`] of that snapshot |
//! | `sync` | [`SyncMeta`]: when the last sync went through |
//!
//! **Sequence numbers with several tabs.** Each open tab holds a *slot* (a Web Lock held for the
//! tab's life, see `ui::sync`), and each slot is its own client with its own counter. One writer
//! per counter, so numbers never collide across tabs, and a slot's client is reused by the next
//! tab that takes it, so a phone has one or two clients, not one per page load. When a slot is
//! opened, its counter is raised past any mutation already stored, so a counter write lost in a
//! crash can never hand out a number twice.
//!
//! **Ownership.** Unsent mutations stay under their author's prefix when they sign out: another
//! user on the same phone neither sees nor pushes them, and they go when their owner is back.

use super::mutations::{self, Author, MutationType};
use super::protocol::{Cookie, Mutation, PullResponse, Record, RecordKind, Refusal};
use crate::domain::{ActionItem, FieldError, Visit};
use crate::storage::{KeyRead, KeyValue, StorageError, Write};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use uuid::Uuid;

const ROOT: &str = "athar/v1/u/";

fn prefix(user: Uuid) -> String {
    format!("{ROOT}{user}/")
}

fn mutation_key(user: Uuid, client: Uuid, seq: u64) -> String {
    // Zero-padded so keys sort in sequence order.
    format!("{}m/{client}/{seq:012}", prefix(user))
}

fn refused_key(user: Uuid, client: Uuid, seq: u64) -> String {
    format!("{}refused/{client}/{seq:012}", prefix(user))
}

fn record_key(user: Uuid, kind: RecordKind, id: Uuid) -> String {
    format!("{}r/{}/{id}", prefix(user), kind.as_str())
}

/// One tab slot's client: the id the server knows it by and the next sequence number to use.
/// Stored as `"<id> <next_seq>"` (plain text: one decoder less in the WASM).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientMeta {
    pub id: Uuid,
    pub next_seq: u64,
}

impl ClientMeta {
    fn encode(&self) -> String {
        format!("{} {}", self.id, self.next_seq)
    }

    fn decode(text: &str) -> Option<ClientMeta> {
        let (id, seq) = text.split_once(' ')?;
        Some(ClientMeta {
            id: id.parse().ok()?,
            next_seq: seq.parse().ok()?,
        })
    }
}

/// A mutation the server refused for good, kept so the user sees why.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RefusedEntry {
    pub mutation: Mutation,
    pub refusal: Refusal,
}

/// When sync last went through, for the header ("last sync 3 min ago"). Stored as the plain
/// number of Unix milliseconds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncMeta {
    pub last_success_at: Option<i64>,
}

/// Why a save did not happen.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SaveError {
    #[error("invalid {}: {}", .0.field, .0.code)]
    Invalid(FieldError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The outbox of one user in one tab slot.
pub struct Outbox<'a, S: KeyValue> {
    kv: &'a S,
    user: Uuid,
    slot: u32,
    client: ClientMeta,
}

impl<'a, S: KeyValue> Outbox<'a, S> {
    /// Opens the slot's client, creating it on first use with `new_id`.
    pub fn open(kv: &'a S, user: Uuid, slot: u32, new_id: Uuid) -> Result<Self, StorageError> {
        let key = format!("{}client/{slot}", prefix(user));
        let mut client = match kv.get(&key)? {
            Some(raw) => {
                ClientMeta::decode(&raw).ok_or_else(|| StorageError::Corrupt(key.clone()))?
            }
            None => ClientMeta {
                id: new_id,
                next_seq: 1,
            },
        };
        // Never reuse a number already given to a stored mutation (waiting or refused).
        let highest = stored_seqs(kv, user, client.id)?
            .last()
            .copied()
            .unwrap_or(0);
        if client.next_seq <= highest {
            client.next_seq = highest + 1;
        }
        kv.set(&key, &client.encode())?;
        Ok(Outbox {
            kv,
            user,
            slot,
            client,
        })
    }

    pub fn client(&self) -> &ClientMeta {
        &self.client
    }

    /// Validates and stores one mutation; on success it is on the phone and waiting. On failure
    /// nothing was written (the form keeps what was typed).
    pub fn save<M: MutationType>(
        &mut self,
        args: &M::Args,
        today: &str,
        now_ms: i64,
    ) -> Result<u64, SaveError> {
        self.save_prepared(prepare::<M>(args, today)?, now_ms)
    }

    /// Stores a mutation [`prepare`]d (validated and encoded) beforehand. Not generic, so the
    /// WASM holds one copy of the saving code for every mutation type.
    pub fn save_prepared(&mut self, prepared: Prepared, now_ms: i64) -> Result<u64, SaveError> {
        let Prepared { name, args, target } = prepared;
        // A new change to a record supersedes its refused ones: they no longer need attention.
        let refused_prefix = format!("{}refused/", prefix(self.user));
        for key in self
            .kv
            .keys()?
            .iter()
            .filter(|k| k.starts_with(&refused_prefix))
        {
            let superseded = self
                .kv
                .get(key)?
                .and_then(|raw| serde_json::from_str::<RefusedEntry>(&raw).ok())
                .and_then(|e| mutations::target_of(&e.mutation.name, e.mutation.args.get()))
                .is_some_and(|t| t == target);
            if superseded {
                self.kv.remove(key)?;
            }
        }
        let seq = self.client.next_seq;
        let mutation = Mutation {
            client_id: self.client.id,
            seq,
            name: name.into(),
            args,
            created_at: now_ms,
        };
        let key = mutation_key(self.user, self.client.id, seq);
        // The mutation first, then the counter: if the second write fails, `open` still skips the
        // number, and the entry is saved.
        self.kv.set(&key, &to_json(&mutation, &key)?)?;
        let meta_key = format!("{}client/{}", prefix(self.user), self.slot);
        let next = ClientMeta {
            id: self.client.id,
            next_seq: seq + 1,
        };
        if let Err(e) = self.kv.set(&meta_key, &next.encode()) {
            // Storage filled up between the two writes: the entry is stored, so the save stands.
            if e != StorageError::QuotaExceeded {
                return Err(e.into());
            }
        }
        self.client = next;
        Ok(seq)
    }
}

/// A mutation validated and encoded, ready to store.
pub struct Prepared {
    pub name: &'static str,
    pub args: Box<RawValue>,
    /// The record it is about.
    pub target: (RecordKind, Uuid),
}

/// Validates `args` (`today` is the ISO day in Tunis) and encodes them.
pub fn prepare<M: MutationType>(args: &M::Args, today: &str) -> Result<Prepared, SaveError> {
    M::validate(args, today).map_err(SaveError::Invalid)?;
    let args_of = args;
    let args = serde_json::to_string(args)
        .ok()
        .and_then(|s| RawValue::from_string(s).ok())
        .ok_or(StorageError::Corrupt(M::NAME.into()))?;
    Ok(Prepared {
        name: M::NAME,
        args,
        target: M::target(args_of),
    })
}

fn to_json<T: Serialize>(value: &T, key: &str) -> Result<String, StorageError> {
    serde_json::to_string(value).map_err(|_| StorageError::Corrupt(key.to_owned()))
}

/// Sequence numbers stored for a client, waiting or refused, in order.
fn stored_seqs<S: KeyRead>(kv: &S, user: Uuid, client: Uuid) -> Result<Vec<u64>, StorageError> {
    let waiting = format!("{}m/{client}/", prefix(user));
    let refused = format!("{}refused/{client}/", prefix(user));
    let mut seqs: Vec<u64> = kv
        .keys()?
        .iter()
        .filter_map(|k| {
            k.strip_prefix(&waiting)
                .or_else(|| k.strip_prefix(&refused))
                .and_then(|s| s.parse().ok())
        })
        .collect();
    seqs.sort_unstable();
    Ok(seqs)
}

/// Every mutation of `user` waiting to be sent, by client then sequence.
pub fn pending<S: KeyRead>(kv: &S, user: Uuid) -> Result<Vec<Mutation>, StorageError> {
    pending_among(kv, &kv.keys()?, user)
}

/// [`pending`], from a list of keys already read (listing keys crosses into JavaScript once per
/// key: read them once per view).
fn pending_among<S: KeyRead>(
    kv: &S,
    all: &[String],
    user: Uuid,
) -> Result<Vec<Mutation>, StorageError> {
    let waiting = format!("{}m/", prefix(user));
    let mut keys: Vec<&String> = all.iter().filter(|k| k.starts_with(&waiting)).collect();
    keys.sort_unstable();
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        if let Some(raw) = kv.get(key)? {
            out.push(serde_json::from_str(&raw).map_err(|_| StorageError::Corrupt(key.clone()))?);
        }
    }
    Ok(out)
}

/// Stored mutations of one client as raw JSON, after `after_seq`, at most `max_count` of them and
/// about `max_bytes`: a push body is built by joining these strings.
pub fn batch<S: KeyRead>(
    kv: &S,
    user: Uuid,
    client: Uuid,
    after_seq: u64,
    max_count: usize,
    max_bytes: usize,
) -> Result<Vec<String>, StorageError> {
    let waiting = format!("{}m/{client}/", prefix(user));
    let mut keys: Vec<String> = kv
        .keys()?
        .into_iter()
        .filter(|k| {
            k.strip_prefix(&waiting)
                .and_then(|s| s.parse::<u64>().ok())
                .is_some_and(|seq| seq > after_seq)
        })
        .collect();
    keys.sort_unstable();
    let mut out = Vec::new();
    let mut bytes = 0;
    for key in keys.into_iter().take(max_count) {
        let Some(raw) = kv.get(&key)? else { continue };
        if !out.is_empty() && bytes + raw.len() > max_bytes {
            break;
        }
        bytes += raw.len() + 1;
        out.push(raw);
    }
    Ok(out)
}

/// How many mutations of `user` wait, and when the oldest was made (Unix ms): for the header and
/// the heartbeat. Reads one value per client, not the whole outbox.
pub fn summary<S: KeyRead>(kv: &S, user: Uuid) -> Result<(u32, Option<i64>), StorageError> {
    let waiting = format!("{}m/", prefix(user));
    let mut keys: Vec<String> = kv
        .keys()?
        .into_iter()
        .filter(|k| k.starts_with(&waiting))
        .collect();
    keys.sort_unstable();
    let count = u32::try_from(keys.len()).unwrap_or(u32::MAX);
    let mut oldest: Option<i64> = None;
    let mut last_client = "";
    for key in &keys {
        let client = key[waiting.len()..].split('/').next().unwrap_or_default();
        if client == last_client {
            continue;
        }
        last_client = client;
        if let Some(raw) = kv.get(key)?
            && let Ok(m) = serde_json::from_str::<Mutation>(&raw)
        {
            oldest = Some(oldest.map_or(m.created_at, |o| o.min(m.created_at)));
        }
    }
    Ok((count, oldest))
}

/// How many of `user`'s entries the server refused and nobody has changed since: entries that
/// need attention (a new change to the record supersedes its refusals, see [`Outbox`]).
pub fn refused_count<S: KeyRead>(kv: &S, user: Uuid) -> Result<u32, StorageError> {
    let refused = format!("{}refused/", prefix(user));
    let n = kv
        .keys()?
        .iter()
        .filter(|k| k.starts_with(&refused))
        .count();
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// The clients of `user` with something waiting.
pub fn clients_with_pending<S: KeyRead>(kv: &S, user: Uuid) -> Result<Vec<Uuid>, StorageError> {
    let waiting = format!("{}m/", prefix(user));
    let mut clients: Vec<Uuid> = kv
        .keys()?
        .iter()
        .filter_map(|k| k.strip_prefix(&waiting)?.split('/').next()?.parse().ok())
        .collect();
    clients.sort_unstable();
    clients.dedup();
    Ok(clients)
}

/// The server has every mutation of `client` up to `last_seq`: drop them from the outbox, keeping
/// the refused ones (with their reason) for the user to see.
pub fn acknowledge<S: KeyValue>(
    kv: &S,
    user: Uuid,
    client: Uuid,
    last_seq: u64,
    refused: &[Refusal],
) -> Result<(), StorageError> {
    for r in refused.iter().filter(|r| r.seq <= last_seq) {
        let key = mutation_key(user, client, r.seq);
        if let Some(raw) = kv.get(&key)? {
            let mutation: Mutation =
                serde_json::from_str(&raw).map_err(|_| StorageError::Corrupt(key.clone()))?;
            let entry = RefusedEntry {
                mutation,
                refusal: r.clone(),
            };
            let rkey = refused_key(user, client, r.seq);
            kv.set(&rkey, &to_json(&entry, &rkey)?)?;
        }
    }
    let waiting = format!("{}m/{client}/", prefix(user));
    for key in kv.keys()?.into_iter().filter(|k| k.starts_with(&waiting)) {
        let seq: Option<u64> = key.strip_prefix(&waiting).and_then(|s| s.parse().ok());
        if seq.is_some_and(|s| s <= last_seq) {
            kv.remove(&key)?;
        }
    }
    Ok(())
}

/// Whether `key` belongs to the outbox (a waiting or refused entry, or a tab slot's counter): what
/// must be on disk before the app says *saved*.
pub fn is_outbox_key(key: &str) -> bool {
    key.strip_prefix(ROOT)
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(_, rest)| {
            ["m/", "refused/", "client/"]
                .iter()
                .any(|p| rest.starts_with(p))
        })
}

fn is_counter(key: &str) -> bool {
    key.contains("/client/")
}

/// Moving the outbox from one store to another (localStorage to IndexedDB, layout 1 to 2): the
/// writes that copy into `to` every outbox key of `from`, and the keys to remove from `from` once
/// [`moved_intact`] has checked the copy on disk. Safe to run again after a crash at any point:
/// an entry already there is not written again, one copied twice is the same mutation (the
/// server skips a number it has), and a slot's counter is never lowered nor given another client
/// (a counter that went back could hand out a number the server already has, and that entry
/// would be skipped as a replay).
pub fn move_plan(
    from: &impl KeyRead,
    to: &impl KeyRead,
) -> Result<(Vec<Write>, Vec<String>), StorageError> {
    let mut writes = Vec::new();
    let mut moved = Vec::new();
    for key in from.keys()?.into_iter().filter(|k| is_outbox_key(k)) {
        let Some(value) = from.get(&key)? else {
            continue;
        };
        let there = to.get(&key)?;
        let write = if is_counter(&key) {
            let ours = ClientMeta::decode(&value);
            match (ours, there.as_deref().and_then(ClientMeta::decode)) {
                (Some(ours), Some(theirs)) => {
                    (ours.id == theirs.id && ours.next_seq > theirs.next_seq).then_some(value)
                }
                (_, Some(_)) => None,
                _ => Some(value),
            }
        } else {
            // An entry is never rewritten once stored: one already there is this one.
            there.is_none().then_some(value)
        };
        if let Some(value) = write {
            writes.push((key.clone(), Some(value)));
        }
        moved.push(key);
    }
    Ok((writes, moved))
}

/// Whether every key [`move_plan`] moved is in `to` as `from` holds it (a counter: present).
pub fn moved_intact(
    from: &impl KeyRead,
    to: &impl KeyRead,
    moved: &[String],
) -> Result<bool, StorageError> {
    for key in moved {
        let there = to.get(key)?;
        let intact = if is_counter(key) {
            there.is_some()
        } else {
            there.is_some() && there == from.get(key)?
        };
        if !intact {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The cookie of the last pull, if any.
pub fn cookie<S: KeyRead>(kv: &S, user: Uuid) -> Option<Cookie> {
    let raw = kv.get(&format!("{}cookie", prefix(user))).ok()??;
    serde_json::from_str(&raw).ok()
}

/// Stores what a pull brought: each record under its own key, deletions removed, and on a reset
/// everything the response does not hold dropped. The cookie is written last, so an interrupted
/// write is simply pulled again.
pub fn apply_pull<S: KeyValue>(
    kv: &S,
    user: Uuid,
    response: &PullResponse,
) -> Result<(), StorageError> {
    let mut kept = Vec::new();
    for record in &response.records {
        let (kind, id) = record.key();
        let key = record_key(user, kind, id);
        match record {
            Record::Deleted { .. } => kv.remove(&key)?,
            _ => {
                kv.set(&key, &to_json(record, &key)?)?;
                kept.push(key);
            }
        }
    }
    if response.reset {
        kept.sort_unstable();
        let records = format!("{}r/", prefix(user));
        for key in kv.keys()?.into_iter().filter(|k| k.starts_with(&records)) {
            if kept.binary_search(&key).is_err() {
                kv.remove(&key)?;
            }
        }
    }
    let key = format!("{}cookie", prefix(user));
    kv.set(&key, &to_json(&response.cookie, &key)?)
}

/// When the last sync went through.
pub fn sync_meta<S: KeyRead>(kv: &S, user: Uuid) -> SyncMeta {
    kv.get(&format!("{}sync", prefix(user)))
        .ok()
        .flatten()
        .map(|raw| SyncMeta {
            last_success_at: raw.parse().ok(),
        })
        .unwrap_or_default()
}

pub fn set_sync_meta<S: KeyValue>(kv: &S, user: Uuid, meta: &SyncMeta) -> Result<(), StorageError> {
    let key = format!("{}sync", prefix(user));
    match meta.last_success_at {
        Some(at) => kv.set(&key, &at.to_string()),
        None => kv.remove(&key),
    }
}

/// Where an entry stands, as the user sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncState {
    /// Saved on this phone, not yet on the server.
    Waiting,
    /// On the server.
    Sent,
    /// The server will not take it; the reason is a code the UI turns into a sentence.
    Refused { code: String, field: Option<String> },
    /// Edited on two devices from the same version: a supervisor chooses.
    Conflict,
}

/// The user's scope as the UI reads it: the last pulled snapshot with the waiting mutations
/// replayed on top, each record with its sync state.
#[derive(Default)]
pub struct LocalView {
    records: Small<Record>,
    /// Records the server sent (the rest exist only through mutations on this device).
    on_server: Small<()>,
    waiting: Small<()>,
    refused: Small<RefusedEntry>,
}

type RecordKey = (RecordKind, Uuid);

/// A map kept as a vector. The view holds a phone's scope (hundreds of records), where a linear
/// search costs nothing noticeable, and a vector's code is a fraction of a B-tree's in the WASM
/// every phone downloads.
struct Small<V>(Vec<(RecordKey, V)>);

impl<V> Default for Small<V> {
    fn default() -> Self {
        Small(Vec::new())
    }
}

impl<V> Small<V> {
    fn get(&self, key: &RecordKey) -> Option<&V> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn contains(&self, key: &RecordKey) -> bool {
        self.get(key).is_some()
    }

    fn insert(&mut self, key: RecordKey, value: V) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }

    fn values(&self) -> impl Iterator<Item = &V> {
        self.0.iter().map(|(_, v)| v)
    }
}

impl LocalView {
    /// Reads the snapshot (from `snapshot`) and replays `user`'s refused and waiting mutations
    /// (from `outbox`) on top, in order.
    pub fn load(
        snapshot: &impl KeyRead,
        outbox: &impl KeyRead,
        user: Uuid,
    ) -> Result<LocalView, StorageError> {
        let mut view = LocalView::default();
        let records = format!("{}r/", prefix(user));
        for key in snapshot.keys()?.iter().filter(|k| k.starts_with(&records)) {
            if let Some(raw) = snapshot.get(key)?
                && let Ok(record) = serde_json::from_str::<Record>(&raw)
            {
                view.on_server.insert(record.key(), ());
                view.records.insert(record.key(), record);
            }
        }
        let author = Author { user };
        let keys = outbox.keys()?;
        let refused_prefix = format!("{}refused/", prefix(user));
        for key in keys.iter().filter(|k| k.starts_with(&refused_prefix)) {
            if let Some(raw) = outbox.get(key)?
                && let Ok(entry) = serde_json::from_str::<RefusedEntry>(&raw)
                && let Some(target) = mutations::replay(
                    &entry.mutation.name,
                    entry.mutation.args.get(),
                    author,
                    &mut view,
                    true,
                )
            {
                view.refused.insert(target, entry);
            }
        }
        for m in pending_among(outbox, &keys, user)? {
            if let Some(target) = mutations::replay(&m.name, m.args.get(), author, &mut view, false)
            {
                view.waiting.insert(target, ());
            }
        }
        Ok(view)
    }

    pub fn contains(&self, key: (RecordKind, Uuid)) -> bool {
        self.records.contains(&key)
    }

    /// A record, whatever its kind.
    pub fn record(&self, key: (RecordKind, Uuid)) -> Option<&Record> {
        self.records.get(&key)
    }

    pub fn put(&mut self, record: Record) {
        self.records.insert(record.key(), record);
    }

    pub fn visit(&self, id: Uuid) -> Option<&Visit> {
        match self.records.get(&(RecordKind::Visit, id)) {
            Some(Record::Visit(v)) => Some(v),
            _ => None,
        }
    }

    pub fn member(&self, id: Uuid) -> Option<&super::protocol::MemberRecord> {
        match self.records.get(&(RecordKind::Member, id)) {
            Some(Record::Member(m)) => Some(m),
            _ => None,
        }
    }

    pub fn action(&self, id: Uuid) -> Option<&ActionItem> {
        match self.records.get(&(RecordKind::Action, id)) {
            Some(Record::Action(a)) => Some(a),
            _ => None,
        }
    }

    pub fn entry(&self, id: Uuid) -> Option<&crate::domain::FormEntry> {
        match self.records.get(&(RecordKind::Entry, id)) {
            Some(Record::Entry(e)) => Some(e),
            _ => None,
        }
    }

    pub fn milestone(&self, id: Uuid) -> Option<&crate::domain::Milestone> {
        match self.records.get(&(RecordKind::Milestone, id)) {
            Some(Record::Milestone(m)) => Some(m),
            _ => None,
        }
    }

    pub fn value(&self, id: Uuid) -> Option<&crate::domain::indicator::value::IndicatorValue> {
        match self.records.get(&(RecordKind::Value, id)) {
            Some(Record::Value(v)) => Some(v),
            _ => None,
        }
    }

    /// A project's indicator values, by indicator then period.
    pub fn values_of(
        &self,
        project: Uuid,
    ) -> Vec<&crate::domain::indicator::value::IndicatorValue> {
        let mut out: Vec<_> = self
            .records
            .values()
            .filter_map(|r| match r {
                Record::Value(v) if v.project_id == project => Some(v),
                _ => None,
            })
            .collect();
        out.sort_unstable_by(|a, b| (&a.indicator, &a.period).cmp(&(&b.indicator, &b.period)));
        out
    }

    /// A project's milestones: those ahead first (soonest due first), then those reached (latest
    /// first).
    pub fn milestones_of(&self, project: Uuid) -> Vec<&crate::domain::Milestone> {
        let mut out: Vec<&crate::domain::Milestone> = self
            .records
            .values()
            .filter_map(|r| match r {
                Record::Milestone(m) if m.project_id == project => Some(m),
                _ => None,
            })
            .collect();
        out.sort_unstable_by(|a, b| {
            let ahead = |m: &crate::domain::Milestone| m.achieved_on.is_some();
            ahead(a)
                .cmp(&ahead(b))
                .then_with(|| match (&a.achieved_on, &b.achieved_on) {
                    (Some(x), Some(y)) => y.cmp(x),
                    _ => (a.due_on.is_none(), &a.due_on).cmp(&(b.due_on.is_none(), &b.due_on)),
                })
                .then(a.id.cmp(&b.id))
        });
        out
    }

    /// A project's entries kept as form answers, latest day first.
    pub fn entries_of(&self, project: Uuid) -> Vec<&crate::domain::FormEntry> {
        let mut out: Vec<&crate::domain::FormEntry> = self
            .records
            .values()
            .filter_map(|r| match r {
                Record::Entry(e) if e.project_id == project => Some(e),
                _ => None,
            })
            .collect();
        out.sort_unstable_by(|a, b| b.day().cmp(a.day()).then(a.id.cmp(&b.id)));
        out
    }

    /// A project's visits, latest first.
    pub fn visits_of(&self, project: Uuid) -> Vec<&Visit> {
        let mut out: Vec<&Visit> = self
            .records
            .values()
            .filter_map(|r| match r {
                Record::Visit(v) if v.fields.project_id == project => Some(v),
                _ => None,
            })
            .collect();
        // Latest day first; within a day, the latest recorded first: entries not on the server
        // yet (version 0), then by the server's version.
        let recorded = |v: &Visit| if v.version == 0 { i64::MAX } else { v.version };
        out.sort_unstable_by(|a, b| {
            b.fields
                .visit_on
                .cmp(&a.fields.visit_on)
                .then(recorded(b).cmp(&recorded(a)))
                .then(a.id.cmp(&b.id))
        });
        out
    }

    /// A project's members, as last pulled (those who left last).
    pub fn members_of(&self, project: Uuid) -> Vec<&super::protocol::MemberRecord> {
        let mut out: Vec<_> = self
            .records
            .values()
            .filter_map(|r| match r {
                Record::Member(m) if m.project_id == project => Some(m),
                _ => None,
            })
            .collect();
        out.sort_unstable_by(|a, b| {
            (a.member.left_on.is_some(), &a.member.full_name, a.member.id).cmp(&(
                b.member.left_on.is_some(),
                &b.member.full_name,
                b.member.id,
            ))
        });
        out
    }

    /// A project as last pulled.
    pub fn project(&self, id: Uuid) -> Option<&super::protocol::ProjectRecord> {
        match self.records.get(&(RecordKind::Project, id)) {
            Some(Record::Project(p)) => Some(p),
            _ => None,
        }
    }

    /// A project's action items, open ones first.
    pub fn actions_of(&self, project: Uuid) -> Vec<&ActionItem> {
        let mut out: Vec<&ActionItem> = self
            .records
            .values()
            .filter_map(|r| match r {
                Record::Action(a) if a.project_id == project => Some(a),
                _ => None,
            })
            .collect();
        out.sort_unstable_by(|a, b| {
            (a.status.as_str(), &a.due_on, &a.title, a.id).cmp(&(
                b.status.as_str(),
                &b.due_on,
                &b.title,
                b.id,
            ))
        });
        out
    }

    /// Refused changes that still stand (the latest of each record), by the record they were
    /// about: the entries that need attention.
    pub fn refusals(&self) -> impl Iterator<Item = (&(RecordKind, Uuid), &RefusedEntry)> {
        self.refused
            .0
            .iter()
            .filter(|(k, _)| !self.waiting.contains(k))
            .map(|(k, v)| (k, v))
    }

    pub fn records(&self) -> impl Iterator<Item = &Record> {
        self.records.values()
    }

    /// Where the record `(kind, id)` stands. A record the server has is sent even if a later
    /// change to it was refused: that change is listed with its reason by
    /// [`LocalView::refusals`]; a record that exists only through a refused creation is refused.
    pub fn state(&self, kind: RecordKind, id: Uuid) -> SyncState {
        let key = (kind, id);
        if self.waiting.contains(&key) {
            return SyncState::Waiting;
        }
        if let Some(r) = self.refused.get(&key)
            && !self.on_server.contains(&key)
        {
            return SyncState::Refused {
                code: r.refusal.code.clone(),
                field: r.refusal.field.clone(),
            };
        }
        match self.records.get(&key) {
            Some(Record::Visit(v)) if v.conflict => SyncState::Conflict,
            _ => SyncState::Sent,
        }
    }
}

#[cfg(test)]
mod tests;
