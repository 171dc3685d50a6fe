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

use super::mutations::{self, MutationType};
use super::protocol::{Cookie, Mutation, PullResponse, Record, RecordKind, Refusal};
use crate::domain::FieldError;
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

/// Whether `key` is one of a user's pulled records (what [`LocalView`] reads besides the outbox).
pub fn holds_records(key: &str) -> bool {
    key.strip_prefix(ROOT)
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(_, rest)| rest.starts_with("r/"))
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

/// The one field of a waiting [`Mutation`] that [`summary`] reads: the header counts entries on
/// every page, and decoding whole mutations there would put their decoder in the main module.
#[derive(Deserialize)]
struct Made {
    created_at: i64,
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
            && let Ok(m) = serde_json::from_slice::<Made>(raw.as_bytes())
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

/// Every user with something waiting on this device (a shared phone, or an account the team
/// disabled, whose identity the device no longer keeps).
pub fn users_with_pending<S: KeyRead>(kv: &S) -> Result<Vec<Uuid>, StorageError> {
    let mut users: Vec<Uuid> = kv
        .keys()?
        .iter()
        .filter_map(|k| {
            let (user, rest) = k.strip_prefix(ROOT)?.split_once('/')?;
            rest.starts_with("m/").then(|| user.parse().ok())?
        })
        .collect();
    users.sort_unstable();
    users.dedup();
    Ok(users)
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
    let mut applying = PullApply::default();
    applying.records(kv, user, &response.records)?;
    applying.finish(kv, user, response.reset, &response.cookie)
}

/// A pull stored in steps ([`apply_pull`] in one): its records a slice at a time, so a large
/// pull can leave the page room to breathe between slices, then the end ([`PullApply::finish`]).
/// Until the end writes the cookie, the phone asks again from the previous one: a pull cut
/// short (the tab closed between two slices) is pulled again, and a record stored twice is the
/// same record.
#[derive(Default)]
pub struct PullApply {
    kept: Vec<String>,
}

impl PullApply {
    /// Stores `records`, a slice of the response's, in order.
    pub fn records<S: KeyValue>(
        &mut self,
        kv: &S,
        user: Uuid,
        records: &[Record],
    ) -> Result<(), StorageError> {
        for record in records {
            let (kind, id) = record.key();
            let key = record_key(user, kind, id);
            match record {
                Record::Deleted { .. } => kv.remove(&key)?,
                _ => {
                    kv.set(&key, &to_json(record, &key)?)?;
                    self.kept.push(key);
                }
            }
        }
        Ok(())
    }

    /// Once every record is stored: on a `reset`, drops the records the response did not hold,
    /// then writes the response's `cookie`.
    pub fn finish<S: KeyValue>(
        mut self,
        kv: &S,
        user: Uuid,
        reset: bool,
        cookie: &Cookie,
    ) -> Result<(), StorageError> {
        if reset {
            self.kept.sort_unstable();
            let records = format!("{}r/", prefix(user));
            for key in kv.keys()?.into_iter().filter(|k| k.starts_with(&records)) {
                if self.kept.binary_search(&key).is_err() {
                    kv.remove(&key)?;
                }
            }
        }
        let key = format!("{}cookie", prefix(user));
        kv.set(&key, &to_json(cookie, &key)?)
    }
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

mod view;
pub use view::{LocalView, SyncState, ViewReading};

#[cfg(test)]
mod tests;
