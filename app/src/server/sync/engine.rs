//! The push engine: a batch of one client's mutations, applied exactly once.
//!
//! In one transaction (`SyncStore`): lock the client's row; skip replays (`seq <= last_seq`);
//! take the fresh mutations while their numbers follow on, stopping at a gap; decode and validate
//! each in Rust; bump the global version once; load every record the batch reads in one go;
//! decide each mutation in memory (applied, conflict, or refused for good); write what changed in
//! bulk; record refusals; advance `last_seq`; commit durably. If the database refuses the bulk
//! write, the batch is replayed one mutation per savepoint, so only the mutation at fault is
//! refused. A temporary failure (database unavailable) returns an error having changed nothing:
//! the device keeps its entries and retries.

use super::mutations::{self, Prepared};
use crate::domain::SessionUser;
use crate::error::AppError;
use crate::server::db::store::{
    Changes, ConflictRow, RevisionRow, StoredKind, StoredRecord, SyncStore,
};
use crate::server::db::{DbError, ProjectScope};
use crate::sync::protocol::{Mutation, PushRequest, PushResponse, RecordKind, Refusal};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use uuid::Uuid;

/// A mutation that will never apply, with the stable code (and field) the device shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    pub code: &'static str,
    pub field: Option<std::borrow::Cow<'static, str>>,
}

impl Refused {
    pub fn code(code: &'static str) -> Self {
        Refused { code, field: None }
    }

    pub fn field(code: &'static str, field: &'static str) -> Self {
        Refused {
            code,
            field: Some(field.into()),
        }
    }

    /// Refused on a field named by the arguments themselves (a key of their JSON).
    pub fn named(code: &'static str, field: String) -> Self {
        Refused {
            code,
            field: Some(field.into()),
        }
    }

    fn into_refusal(self, seq: u64) -> Refusal {
        Refusal {
            seq,
            code: self.code.into(),
            field: self.field.map(Into::into),
        }
    }
}

/// How a mutation that counts as applied went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    /// Applied as a conflict: kept beside the record, which is flagged.
    Conflict,
}

/// Who applies the mutation being decided, and under which version.
pub struct Writer<'a> {
    pub user: &'a SessionUser,
    pub device_id: Uuid,
    pub client_id: Uuid,
    pub seq: u64,
    pub version: i64,
    /// The incubator of the user's organisation, where a project they register goes; loaded only
    /// for a batch that registers one.
    pub incubator: Option<Uuid>,
    writable: &'a HashSet<Uuid>,
}

impl<'a> Writer<'a> {
    pub fn may_write(&self, project: Uuid) -> bool {
        self.writable.contains(&project)
    }

    /// The writer of mutation `seq`, with the projects writable at that point of the batch.
    fn at<'b>(&self, seq: u64, writable: &'b HashSet<Uuid>) -> Writer<'b>
    where
        'a: 'b,
    {
        Writer {
            seq,
            writable,
            ..*self
        }
    }

    /// The id of a conflict this mutation makes: the same on every replay of the decision.
    pub fn conflict_id(&self) -> Uuid {
        Uuid::from_u128(self.client_id.as_u128().rotate_left(17) ^ u128::from(self.seq))
    }
}

/// The records a batch reads and changes, in memory until the bulk write.
#[derive(Clone, Default)]
pub struct Working {
    records: BTreeMap<(RecordKind, Uuid), StoredRecord>,
    dirty: BTreeSet<(RecordKind, Uuid)>,
    conflicts: Vec<ConflictRow>,
    /// By record: the batch's last revision of a record is the one kept.
    revisions: BTreeMap<(RecordKind, Uuid), RevisionRow>,
}

/// What a batch writes, taken out of the working set.
struct Written {
    records: Vec<StoredRecord>,
    conflicts: Vec<ConflictRow>,
    revisions: Vec<RevisionRow>,
}

impl Written {
    fn changes(&self, actor: Uuid) -> Changes<'_> {
        Changes {
            records: &self.records,
            conflicts: &self.conflicts,
            revisions: &self.revisions,
            actor: Some(actor),
        }
    }
}

impl Working {
    /// A record of kind `K` the batch has read or changed.
    pub fn get<K: StoredKind>(&self, id: Uuid) -> Option<&K> {
        self.records.get(&(K::KIND, id)).and_then(K::within)
    }

    pub fn put(&mut self, record: StoredRecord) {
        let key = record.key();
        self.dirty.insert(key);
        self.records.insert(key, record);
    }

    pub fn conflict(&mut self, row: ConflictRow) {
        self.conflicts.push(row);
    }

    /// Keeps this version of an entry in its history.
    pub fn revision(&mut self, row: RevisionRow) {
        self.revisions.insert((row.kind, row.record_id), row);
    }

    fn changes(&self) -> Written {
        Written {
            records: self
                .dirty
                .iter()
                .filter_map(|k| self.records.get(k).cloned())
                .collect(),
            conflicts: self.conflicts.clone(),
            revisions: self.revisions.values().cloned().collect(),
        }
    }

    /// The projects this batch registered so far: writable by the rest of it.
    fn new_projects(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.dirty.iter().filter_map(|(kind, id)| {
            matches!(
                self.records.get(&(*kind, *id)),
                Some(StoredRecord::Project(p)) if p.placement.is_some()
            )
            .then_some(*id)
        })
    }

    fn clear_changes(&mut self) {
        self.dirty.clear();
        self.conflicts.clear();
        self.revisions.clear();
    }
}

/// Everything a push needs besides the store.
pub struct PushInput {
    pub user: SessionUser,
    pub scope: ProjectScope,
    /// The ISO day in Tunis, for date rules.
    pub today: String,
    pub request: PushRequest,
}

/// Applies one push. See the module documentation for the order of things.
pub async fn push(
    mut store: Box<dyn SyncStore>,
    input: PushInput,
) -> Result<PushResponse, AppError> {
    let PushInput {
        user,
        scope,
        today,
        request,
    } = input;
    if request
        .mutations
        .iter()
        .any(|m| m.client_id != request.client_id)
    {
        return Err(AppError::Invalid {
            field: "client_id".into(),
            code: "mixed".into(),
        });
    }
    let mut client = store
        .lock_client(request.client_id, user.id, request.heartbeat.device_id)
        .await?;
    if client.user_id != user.id {
        return Err(AppError::Forbidden);
    }
    client.heartbeat = request.heartbeat.clone();

    // Replays and fresh mutations; duplicates within the batch count once.
    let mut batch: Vec<&Mutation> = request.mutations.iter().collect();
    batch.sort_by_key(|m| m.seq);
    batch.dedup_by_key(|m| m.seq);
    let replayed: Vec<u64> = batch
        .iter()
        .map(|m| m.seq)
        .filter(|s| *s <= client.last_seq)
        .collect();
    let mut fresh = Vec::new();
    let mut gap_at = None;
    for m in batch.iter().filter(|m| m.seq > client.last_seq) {
        if m.seq == client.last_seq + 1 + fresh.len() as u64 {
            fresh.push(*m);
        } else {
            gap_at = Some(m.seq);
            break;
        }
    }

    let mut response = PushResponse {
        gap_at,
        ..Default::default()
    };
    if let (Some(first), Some(last)) = (replayed.first(), replayed.last()) {
        response.refused = store.refusals(client.id, *first, *last).await?;
        response.refused.retain(|r| replayed.contains(&r.seq));
    }

    if !fresh.is_empty() {
        let mut writable = store.writable_projects(scope).await?;
        // The device the server bound to this client, never the one the request names.
        let device_id = client.device_id;
        let incubator = if fresh
            .iter()
            .any(|m| mutations::find(&m.name).is_some_and(|t| t.needs_incubator()))
        {
            store.incubator_of(user.id).await?
        } else {
            None
        };

        // Form definitions are read only for a batch that holds answers to check against one.
        let forms = if fresh
            .iter()
            .any(|m| mutations::find(&m.name).is_some_and(|t| t.needs_forms()))
        {
            store.forms().await?
        } else {
            crate::domain::form::FormSet::default()
        };
        let catalogue = if fresh
            .iter()
            .any(|m| mutations::find(&m.name).is_some_and(|t| t.needs_catalogue()))
        {
            store.catalogue().await?
        } else {
            crate::server::db::store::Catalogue::default()
        };
        let context = mutations::Context {
            today: &today,
            forms: &forms,
            catalogue: &catalogue,
        };
        let prepared: Vec<(u64, &str, Result<Prepared, Refused>)> = fresh
            .iter()
            .map(|m| {
                let p = match mutations::find(&m.name) {
                    Some(t) => t.prepare(m.args.get(), &context),
                    None => Err(Refused::code("unknown_mutation")),
                };
                (m.seq, m.name.as_str(), p)
            })
            .collect();
        // The version is taken as late as it can be: on PostgreSQL its row stays locked until
        // the commit, which puts pushes in line, so the reads and checks above run side by side.
        // The records are loaded after it, so a conflict is judged against the last write.
        let version = store.next_version().await?;
        let reads: Vec<(RecordKind, Uuid)> = prepared
            .iter()
            .filter_map(|(_, _, p)| p.as_ref().ok())
            .flat_map(|p| p.reads.iter().copied())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut working = Working::default();
        for record in store.load(&reads).await? {
            working.records.insert(record.key(), record);
        }
        let base = working.clone();
        let writable_before = writable.clone();

        let template = Writer {
            user: &user,
            device_id,
            client_id: client.id,
            seq: 0,
            version,
            incubator,
            writable: &writable_before,
        };
        let mut refusals: Vec<(Refusal, String)> = Vec::new();
        let mut conflicts = Vec::new();
        for (seq, name, p) in &prepared {
            let outcome = match p {
                Ok(p) => (p.apply)(&mut working, &template.at(*seq, &writable)),
                Err(r) => Err(r.clone()),
            };
            writable.extend(working.new_projects());
            match outcome {
                Ok(Outcome::Applied) => {}
                Ok(Outcome::Conflict) => conflicts.push(*seq),
                Err(r) => refusals.push((r.into_refusal(*seq), (*name).into())),
            }
        }

        store.savepoint().await?;
        let written = working.changes();
        match store.write(written.changes(user.id)).await {
            Ok(()) => store.release_savepoint().await?,
            Err(e @ DbError::Unavailable(_)) => return Err(e.into()),
            Err(e) => {
                tracing::warn!(error = %e, "bulk write refused; applying the batch one by one");
                store.rollback_to_savepoint().await?;
                store.release_savepoint().await?;
                refusals.clear();
                conflicts.clear();
                let mut working = base;
                let mut writable = writable_before.clone();
                for (seq, name, p) in &prepared {
                    let p = match p {
                        Ok(p) => p,
                        Err(r) => {
                            refusals.push((r.clone().into_refusal(*seq), (*name).into()));
                            continue;
                        }
                    };
                    let before = working.clone();
                    working.clear_changes();
                    let outcome = match (p.apply)(&mut working, &template.at(*seq, &writable)) {
                        Ok(o) => o,
                        Err(r) => {
                            working = before;
                            refusals.push((r.into_refusal(*seq), (*name).into()));
                            continue;
                        }
                    };
                    store.savepoint().await?;
                    let written = working.changes();
                    match store.write(written.changes(user.id)).await {
                        Ok(()) => {
                            store.release_savepoint().await?;
                            writable.extend(working.new_projects());
                            if outcome == Outcome::Conflict {
                                conflicts.push(*seq);
                            }
                        }
                        Err(e @ DbError::Unavailable(_)) => return Err(e.into()),
                        Err(e) => {
                            tracing::warn!(error = %e, seq, name, "mutation refused by the database");
                            store.rollback_to_savepoint().await?;
                            store.release_savepoint().await?;
                            working = before;
                            // A unique rule: what it would create exists already (a project
                            // code taken). Anything else the database refuses has no better name.
                            let code = match e {
                                DbError::AlreadyExists(_) => "already_exists",
                                _ => "rejected",
                            };
                            refusals.push((Refused::code(code).into_refusal(*seq), (*name).into()));
                        }
                    }
                }
            }
        }
        client.last_seq = fresh.last().map_or(client.last_seq, |m| m.seq);
        // The client row first: refusals refer to it.
        store.save_client(&client).await?;
        if !refusals.is_empty() {
            store.add_refusals(client.id, &refusals).await?;
        }
        response
            .refused
            .extend(refusals.into_iter().map(|(r, _)| r));
        response.conflicts = conflicts;
    } else {
        store.save_client(&client).await?;
    }
    store.commit().await?;
    response.last_seq = client.last_seq;
    Ok(response)
}
