//! What the push engine needs from a database, inside one transaction.
//!
//! The engine decides everything in memory (validation, scope, conflicts) and talks to storage
//! only through [`SyncStore`]: load the records a batch reads, write the records it changed in
//! bulk, bump the global version, keep the client's `last_seq`. SQLite and PostgreSQL implement it
//! (`server::db::sql::push`), and so does `server::sync::memory::MemoryStore`, the reference model the
//! property tests compare them with.

use crate::domain::{ActionItem, EntryStatus, FormEntry, Visit};
use crate::server::db::{DbError, ProjectScope};
use crate::sync::protocol::{Heartbeat, MemberRecord, RecordKind, Refusal};
use async_trait::async_trait;
use std::collections::HashSet;
use uuid::Uuid;

/// A visit as the server keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredVisit {
    pub visit: Visit,
    pub deleted: bool,
    /// The device whose mutation last changed it: a device's own later edits are never conflicts.
    pub last_device_id: Option<Uuid>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredAction {
    pub item: ActionItem,
    pub deleted: bool,
    pub last_device_id: Option<Uuid>,
}

/// A member as the server keeps it: with its private answers, and the form answers it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredMember {
    pub record: MemberRecord,
    /// The member form version of the last save from a phone (`None` for members loaded otherwise).
    pub form_version: Option<u32>,
    /// Those answers, as JSON.
    pub answers: Option<String>,
    pub deleted: bool,
    pub last_device_id: Option<Uuid>,
}

/// An entry kept as form answers, as the server keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEntry {
    pub entry: FormEntry,
    pub deleted: bool,
    pub last_device_id: Option<Uuid>,
}

/// A project as mutations change it: its status, title, legal form and training track (the rest
/// is the team's, online).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredProject {
    pub record: crate::sync::protocol::ProjectRecord,
    pub deleted: bool,
    /// Set only on a project registered in the batch being applied: the write inserts it (or, on a
    /// second write of the same batch, updates it), under these people.
    pub placement: Option<Placement>,
}

/// Who a project registered from the field is coached by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    pub incubator_id: Uuid,
    pub facilitator_id: Uuid,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredMilestone {
    pub milestone: crate::domain::Milestone,
    pub deleted: bool,
    pub last_device_id: Option<Uuid>,
}

/// An indicator value as the server keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredValue {
    pub value: crate::domain::indicator::value::IndicatorValue,
    pub deleted: bool,
    pub last_device_id: Option<Uuid>,
}

/// What indicator values are checked with: every version of every indicator, each project's
/// value chain (by code), and the locked reporting periods.
#[derive(Clone, Debug, Default)]
pub struct Catalogue {
    pub indicators: Vec<crate::domain::indicator::IndicatorDefinition>,
    pub project_chains: std::collections::BTreeMap<Uuid, String>,
    pub locked: std::collections::BTreeSet<String>,
}

/// Any record a mutation may change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoredRecord {
    Visit(StoredVisit),
    Action(StoredAction),
    Member(StoredMember),
    Entry(StoredEntry),
    Project(StoredProject),
    Milestone(StoredMilestone),
    Value(StoredValue),
}

/// A kind of record as the push engine holds it: which [`StoredRecord`] variant carries it.
pub trait StoredKind: Sized {
    const KIND: RecordKind;
    fn within(record: &StoredRecord) -> Option<&Self>;
}

/// `StoredKind` for each variant of [`StoredRecord`].
macro_rules! stored_kinds {
    ($($variant:ident($carried:ty)),* $(,)?) => {$(
        impl StoredKind for $carried {
            const KIND: RecordKind = RecordKind::$variant;
            fn within(record: &StoredRecord) -> Option<&Self> {
                match record {
                    StoredRecord::$variant(r) => Some(r),
                    _ => None,
                }
            }
        }
    )*};
}

stored_kinds!(
    Visit(StoredVisit),
    Action(StoredAction),
    Member(StoredMember),
    Entry(StoredEntry),
    Project(StoredProject),
    Milestone(StoredMilestone),
    Value(StoredValue),
);

impl StoredRecord {
    pub fn key(&self) -> (RecordKind, Uuid) {
        match self {
            StoredRecord::Visit(v) => (RecordKind::Visit, v.visit.id),
            StoredRecord::Action(a) => (RecordKind::Action, a.item.id),
            StoredRecord::Member(m) => (RecordKind::Member, m.record.member.id),
            StoredRecord::Entry(e) => (RecordKind::Entry, e.entry.id),
            StoredRecord::Project(p) => (RecordKind::Project, p.record.id),
            StoredRecord::Milestone(m) => (RecordKind::Milestone, m.milestone.id),
            StoredRecord::Value(v) => (RecordKind::Value, v.value.id),
        }
    }

    pub fn set_version(&mut self, version: i64) {
        match self {
            StoredRecord::Visit(v) => v.visit.version = version,
            StoredRecord::Action(a) => a.item.version = version,
            StoredRecord::Member(m) => m.record.version = version,
            StoredRecord::Entry(e) => e.entry.version = version,
            StoredRecord::Project(p) => p.record.version = version,
            StoredRecord::Milestone(m) => m.milestone.version = version,
            StoredRecord::Value(v) => v.value.version = version,
        }
    }
}

/// An edit made on a stale base, kept beside the record for a supervisor to resolve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConflictRow {
    pub id: Uuid,
    pub kind: RecordKind,
    pub record_id: Uuid,
    pub base_version: Option<i64>,
    /// The mutation's arguments, as sent.
    pub incoming: String,
    pub client_id: Uuid,
    pub seq: u64,
    pub user_id: Uuid,
}

/// One version of an entry, kept for its history: what it said once this server version wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevisionRow {
    pub kind: RecordKind,
    pub record_id: Uuid,
    pub version: i64,
    /// Who saved it (the facilitator, or the supervisor who merged a conflict).
    pub user_id: Uuid,
    pub status: EntryStatus,
    /// The entry's fields, as JSON.
    pub content: String,
}

/// A supervisor's decision on one version of an entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewRow {
    pub id: Uuid,
    pub kind: RecordKind,
    pub record_id: Uuid,
    /// The version reviewed.
    pub version: i64,
    pub decision: EntryStatus,
    pub comment: String,
    pub reviewer_id: Uuid,
}

/// What one write stores: the records changed, the edits kept as conflicts, the new revisions.
#[derive(Clone, Copy, Debug, Default)]
pub struct Changes<'a> {
    pub records: &'a [StoredRecord],
    pub conflicts: &'a [ConflictRow],
    pub revisions: &'a [RevisionRow],
    /// Who pushed the changes: a project's status or fields changed by them leave an audit line
    /// in their name.
    pub actor: Option<Uuid>,
}

/// A client (one tab slot of a browser profile) as the server knows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub last_seq: u64,
    /// The device this client's edits count as (which edits are a conflict depends on it): the
    /// device it was first seen with, when that device was first seen with the same user;
    /// otherwise the client itself. A device id written in a request never makes one user's
    /// edits pass for another's device.
    pub device_id: Uuid,
    pub heartbeat: Heartbeat,
}

/// One push transaction. Dropped without [`SyncStore::commit`], it rolls back.
#[async_trait]
pub trait SyncStore: Send {
    /// The client's row, created for `user` on first contact, and locked until the end of the
    /// transaction (so two server instances never apply the same client's batches at once, even
    /// its very first ones: the row exists before it is locked). The caller checks the owner.
    async fn lock_client(
        &mut self,
        id: Uuid,
        user: Uuid,
        device: Uuid,
    ) -> Result<ClientRow, DbError>;

    /// Inserts or updates the client: `last_seq` and the latest heartbeat.
    async fn save_client(&mut self, client: &ClientRow) -> Result<(), DbError>;

    /// Bumps the global version and returns it: every record this push changes gets it.
    async fn next_version(&mut self) -> Result<i64, DbError>;

    /// Every version of every form (asked only by batches with a mutation checked against one).
    async fn forms(&mut self) -> Result<crate::domain::form::FormSet, DbError>;

    /// What indicator values are checked with (asked only by batches holding one).
    async fn catalogue(&mut self) -> Result<Catalogue, DbError>;

    /// The projects `scope` may write to.
    async fn writable_projects(&mut self, scope: ProjectScope) -> Result<HashSet<Uuid>, DbError>;

    /// The incubator `user` belongs to, if their organisation is one.
    async fn incubator_of(&mut self, user: Uuid) -> Result<Option<Uuid>, DbError>;

    /// The records that exist among `keys` (deleted ones included).
    async fn load(&mut self, keys: &[(RecordKind, Uuid)]) -> Result<Vec<StoredRecord>, DbError>;

    /// Inserts or replaces the records, and stores the conflicts and revisions.
    async fn write(&mut self, changes: Changes<'_>) -> Result<(), DbError>;

    /// Who saved this version of a record (its revision's author), if it was kept.
    async fn saved_by(
        &mut self,
        kind: RecordKind,
        id: Uuid,
        version: i64,
    ) -> Result<Option<Uuid>, DbError>;

    /// Stores a review decision (the entry itself is written by [`SyncStore::write`]).
    async fn add_review(&mut self, review: &ReviewRow) -> Result<(), DbError>;

    /// Marks every open conflict on the record resolved by `by`; returns how many there were.
    async fn resolve_conflicts(
        &mut self,
        kind: RecordKind,
        id: Uuid,
        by: Uuid,
    ) -> Result<u64, DbError>;

    /// Remembers refusals, so a replay of a refused mutation is answered the same way.
    async fn add_refusals(
        &mut self,
        client: Uuid,
        refusals: &[(Refusal, String)],
    ) -> Result<(), DbError>;

    /// Refusals recorded for `client` with `from <= seq <= to`.
    async fn refusals(&mut self, client: Uuid, from: u64, to: u64)
    -> Result<Vec<Refusal>, DbError>;

    /// One level of savepoint, to isolate a mutation the database refuses.
    async fn savepoint(&mut self) -> Result<(), DbError>;
    async fn rollback_to_savepoint(&mut self) -> Result<(), DbError>;
    async fn release_savepoint(&mut self) -> Result<(), DbError>;

    /// Commits; returns once the commit is durable.
    async fn commit(self: Box<Self>) -> Result<(), DbError>;
}
