//! The local view: the last pulled snapshot with the waiting mutations replayed on top, as the
//! UI reads it.

use super::{RefusedEntry, pending_among, prefix};
use crate::domain::indicator::value::IndicatorValue;
use crate::domain::{ActionItem, FormEntry, Milestone, Visit};
use crate::storage::{KeyRead, StorageError};
use crate::sync::mutations::{self, Author};
use crate::sync::protocol::{Kind, MemberRecord, Record, RecordKind};
use uuid::Uuid;

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

/// [`LocalView::load`] in steps, so a page can read thousands of records a slice at a time with
/// room to breathe between slices: [`ViewReading::start`] reads the stored snapshot as text,
/// [`ViewReading::decode`] decodes some of it, [`ViewReading::finish`] replays the outbox. The
/// view is the same as one `load` at the moment of `start` as long as the snapshot is not written
/// meanwhile (the caller checks that).
pub struct ViewReading {
    user: Uuid,
    raw: std::vec::IntoIter<String>,
    pulled: Vec<(RecordKey, Record)>,
}

impl ViewReading {
    pub fn start(snapshot: &impl KeyRead, user: Uuid) -> Result<Self, StorageError> {
        let raw = snapshot.values_under(&format!("{}r/", prefix(user)))?;
        Ok(ViewReading {
            user,
            pulled: Vec::with_capacity(raw.len()),
            raw: raw.into_iter(),
        })
    }

    /// Decodes up to `count` more records (one stored unreadably is left out, as by `load`);
    /// true once every record is decoded.
    pub fn decode(&mut self, count: usize) -> bool {
        for raw in self.raw.by_ref().take(count) {
            if let Ok(record) = serde_json::from_str::<Record>(&raw) {
                self.pulled.push((record.key(), record));
            }
        }
        self.raw.len() == 0
    }

    /// The view: the records decoded, with the refused and waiting mutations of `outbox`
    /// replayed on top, in order (the records not decoded yet are decoded first).
    pub fn finish(mut self, outbox: &impl KeyRead) -> Result<LocalView, StorageError> {
        self.decode(usize::MAX);
        let user = self.user;
        let mut view = LocalView {
            records: Small::from_unsorted(self.pulled),
            ..LocalView::default()
        };
        // The same keys, already in order.
        view.on_server = Small(view.records.0.iter().map(|(k, _)| (*k, ())).collect());
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
}

/// A map kept as a vector sorted by key: a vector's code is a fraction of a B-tree's in the WASM
/// every phone downloads, and a binary search finds a record among thousands at once. (A linear
/// search made reading the view, which happens after every sync, quadratic in the records a
/// phone holds.)
struct Small<V>(Vec<(RecordKey, V)>);

impl<V> Default for Small<V> {
    fn default() -> Self {
        Small(Vec::new())
    }
}

impl<V> Small<V> {
    /// From entries in any order; of two with the same key, the later one stays (as if inserted
    /// one after the other).
    fn from_unsorted(mut entries: Vec<(RecordKey, V)>) -> Self {
        // Stable: entries with the same key keep their order, and the last of each is kept.
        entries.sort_by_key(|a| a.0);
        let mut kept: Vec<(RecordKey, V)> = Vec::with_capacity(entries.len());
        for entry in entries {
            match kept.last_mut() {
                Some(last) if last.0 == entry.0 => *last = entry,
                _ => kept.push(entry),
            }
        }
        Small(kept)
    }

    fn position(&self, key: &RecordKey) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.cmp(key))
    }

    fn get(&self, key: &RecordKey) -> Option<&V> {
        self.position(key).ok().map(|i| &self.0[i].1)
    }

    fn contains(&self, key: &RecordKey) -> bool {
        self.position(key).is_ok()
    }

    fn insert(&mut self, key: RecordKey, value: V) {
        match self.position(&key) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (key, value)),
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
        ViewReading::start(snapshot, user)?.finish(outbox)
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

    /// A record of kind `K`, if the view holds it.
    pub fn get<K: Kind>(&self, id: Uuid) -> Option<&K> {
        self.records.get(&(K::KIND, id)).and_then(K::within)
    }

    /// The records of kind `K` that belong to `project`, in no particular order.
    pub fn of_project<K: Kind>(&self, project: Uuid) -> Vec<&K> {
        self.records
            .values()
            .filter(|r| r.project_id() == Some(project))
            .filter_map(K::within)
            .collect()
    }

    /// A project's indicator values, by indicator then period.
    pub fn values_of(&self, project: Uuid) -> Vec<&IndicatorValue> {
        let mut out = self.of_project::<IndicatorValue>(project);
        out.sort_unstable_by(|a, b| (&a.indicator, &a.period).cmp(&(&b.indicator, &b.period)));
        out
    }

    /// A project's milestones: those ahead first (soonest due first), then those reached (latest
    /// first).
    pub fn milestones_of(&self, project: Uuid) -> Vec<&Milestone> {
        let mut out = self.of_project::<Milestone>(project);
        out.sort_unstable_by(|a, b| {
            let ahead = |m: &Milestone| m.achieved_on.is_some();
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
    pub fn entries_of(&self, project: Uuid) -> Vec<&FormEntry> {
        let mut out = self.of_project::<FormEntry>(project);
        out.sort_unstable_by(|a, b| b.day().cmp(a.day()).then(a.id.cmp(&b.id)));
        out
    }

    /// A project's visits, latest first.
    pub fn visits_of(&self, project: Uuid) -> Vec<&Visit> {
        let mut out = self.of_project::<Visit>(project);
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
    pub fn members_of(&self, project: Uuid) -> Vec<&MemberRecord> {
        let mut out = self.of_project::<MemberRecord>(project);
        out.sort_unstable_by(|a, b| {
            (a.member.left_on.is_some(), &a.member.full_name, a.member.id).cmp(&(
                b.member.left_on.is_some(),
                &b.member.full_name,
                b.member.id,
            ))
        });
        out
    }

    /// A project's action items, open ones first.
    pub fn actions_of(&self, project: Uuid) -> Vec<&ActionItem> {
        let mut out = self.of_project::<ActionItem>(project);
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
    /// about, in the order they were made: the entries that need attention.
    pub fn refusals(&self) -> impl Iterator<Item = (&(RecordKind, Uuid), &RefusedEntry)> {
        let mut standing: Vec<_> = self
            .refused
            .0
            .iter()
            .filter(|(k, _)| !self.waiting.contains(k))
            .map(|(k, v)| (k, v))
            .collect();
        standing.sort_by_key(|(_, e)| (e.mutation.created_at, e.mutation.seq));
        standing.into_iter()
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
mod tests {
    use super::*;

    fn key(kind: RecordKind, n: u128) -> RecordKey {
        (kind, Uuid::from_u128(n))
    }

    #[test]
    fn a_map_built_from_any_order_finds_every_key_and_keeps_the_latest_of_each() {
        // Keys in a scrambled order, one of them twice: the second value is the one kept.
        let mut entries: Vec<(RecordKey, u32)> = (0..2_000u32)
            .map(|n| {
                let kind = if n % 3 == 0 {
                    RecordKind::Visit
                } else {
                    RecordKind::Action
                };
                (key(kind, u128::from((n * 7_919) % 2_000)), n)
            })
            .collect();
        entries.push((key(RecordKind::Visit, 0), 9_999));
        let map = Small::from_unsorted(entries.clone());
        assert_eq!(map.0.len(), 2_000);
        assert!(
            map.0.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted, each key once"
        );
        assert_eq!(map.get(&key(RecordKind::Visit, 0)), Some(&9_999));
        for (k, _) in &entries {
            assert!(map.contains(k), "{k:?}");
        }
        assert_eq!(map.get(&key(RecordKind::Member, 1)), None);
    }

    #[test]
    fn inserting_replaces_a_key_held_and_keeps_the_map_in_order() {
        let mut map = Small::default();
        for n in [5u128, 1, 9, 3] {
            map.insert(key(RecordKind::Visit, n), n);
        }
        map.insert(key(RecordKind::Visit, 9), 90);
        map.insert(key(RecordKind::Project, 2), 2);
        let keys: Vec<_> = map.0.iter().map(|(k, _)| *k).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        assert_eq!(map.0.len(), 5);
        assert_eq!(map.get(&key(RecordKind::Visit, 9)), Some(&90));
        assert_eq!(map.values().count(), 5);
    }
}
