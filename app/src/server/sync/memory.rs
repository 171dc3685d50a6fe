//! The push engine's store in memory: the reference model. Property tests run the same engine on
//! it and on the real databases and compare; it also serves tests that need no database.
//!
//! A transaction holds the whole state's lock (like SQLite's `BEGIN IMMEDIATE`) and works on a
//! copy, written back on commit; a savepoint is one more copy.

use crate::server::db::store::{
    Changes, ClientRow, ConflictRow, ReviewRow, RevisionRow, StoredRecord, SyncStore,
};
use crate::server::db::{DbError, ProjectScope};
use crate::sync::protocol::{RecordKind, Refusal};
use async_trait::async_trait;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMutexGuard};
use uuid::Uuid;

/// A project as far as write permission goes.
#[derive(Clone, Copy, Debug)]
pub struct ProjectAccess {
    pub facilitator_id: Option<Uuid>,
    pub incubator_id: Uuid,
}

#[derive(Clone, Debug, Default)]
pub struct MemoryState {
    pub version: i64,
    pub clients: HashMap<Uuid, ClientRow>,
    pub records: BTreeMap<(RecordKind, Uuid), StoredRecord>,
    pub conflicts: Vec<ConflictRow>,
    /// By (kind, record, version): a later write of the same version replaces it.
    pub revisions: BTreeMap<(RecordKind, Uuid, i64), RevisionRow>,
    pub reviews: Vec<ReviewRow>,
    pub refusals: BTreeMap<(Uuid, u64), (Refusal, String)>,
    pub projects: HashMap<Uuid, ProjectAccess>,
    pub forms: Vec<crate::domain::form::FormDefinition>,
    /// (supervisor, incubator)
    pub supervisor_incubators: HashSet<(Uuid, Uuid)>,
    /// The incubator each facilitator belongs to.
    pub user_incubators: HashMap<Uuid, Uuid>,
    pub catalogue: crate::server::db::store::Catalogue,
}

/// A shared in-memory database.
#[derive(Clone, Default)]
pub struct MemoryStore {
    state: Arc<Mutex<MemoryState>>,
}

impl MemoryStore {
    pub fn new(state: MemoryState) -> Self {
        MemoryStore {
            state: Arc::new(Mutex::new(state)),
        }
    }

    /// Starts a transaction.
    pub async fn begin(&self) -> Box<dyn SyncStore> {
        let guard = self.state.clone().lock_owned().await;
        let work = guard.clone();
        Box::new(MemoryTx {
            guard,
            work,
            savepoint: None,
        })
    }

    /// A copy of the committed state.
    pub async fn snapshot(&self) -> MemoryState {
        self.state.lock().await.clone()
    }
}

struct MemoryTx {
    guard: OwnedMutexGuard<MemoryState>,
    work: MemoryState,
    savepoint: Option<MemoryState>,
}

#[async_trait]
impl SyncStore for MemoryTx {
    async fn lock_client(
        &mut self,
        id: Uuid,
        user: Uuid,
        device: Uuid,
    ) -> Result<ClientRow, DbError> {
        // A device first seen with another user is not this user's.
        let owned_by_another = self
            .work
            .clients
            .values()
            .any(|c| c.device_id == device && c.user_id != user);
        Ok(self
            .work
            .clients
            .entry(id)
            .or_insert_with(|| ClientRow {
                id,
                user_id: user,
                last_seq: 0,
                device_id: if owned_by_another { id } else { device },
                heartbeat: Default::default(),
            })
            .clone())
    }

    async fn save_client(&mut self, client: &ClientRow) -> Result<(), DbError> {
        self.work.clients.insert(client.id, client.clone());
        Ok(())
    }

    async fn next_version(&mut self) -> Result<i64, DbError> {
        self.work.version += 1;
        Ok(self.work.version)
    }

    async fn forms(&mut self) -> Result<crate::domain::form::FormSet, DbError> {
        Ok(crate::domain::form::FormSet::from_versions(
            self.work.forms.iter().cloned(),
        ))
    }

    async fn writable_projects(&mut self, scope: ProjectScope) -> Result<HashSet<Uuid>, DbError> {
        let incubators = &self.work.supervisor_incubators;
        Ok(self
            .work
            .projects
            .iter()
            .filter(|(_, p)| {
                scope.covers(p.facilitator_id, Some(p.incubator_id), |user, incubator| {
                    incubators.contains(&(user, incubator))
                })
            })
            .map(|(id, _)| *id)
            .collect())
    }

    async fn catalogue(&mut self) -> Result<crate::server::db::store::Catalogue, DbError> {
        Ok(self.work.catalogue.clone())
    }

    async fn incubator_of(&mut self, user: Uuid) -> Result<Option<Uuid>, DbError> {
        Ok(self.work.user_incubators.get(&user).copied())
    }

    async fn load(&mut self, keys: &[(RecordKind, Uuid)]) -> Result<Vec<StoredRecord>, DbError> {
        Ok(keys
            .iter()
            .filter_map(|k| self.work.records.get(k).cloned())
            .collect())
    }

    async fn saved_by(
        &mut self,
        kind: RecordKind,
        id: Uuid,
        version: i64,
    ) -> Result<Option<Uuid>, DbError> {
        Ok(self
            .work
            .revisions
            .get(&(kind, id, version))
            .map(|r| r.user_id))
    }

    async fn write(&mut self, changes: Changes<'_>) -> Result<(), DbError> {
        for r in changes.records {
            if let StoredRecord::Project(p) = r
                && let Some(placement) = p.placement
            {
                // Like the database's unique rule on project codes.
                let taken = self.work.records.values().any(|other| {
                    matches!(other, StoredRecord::Project(o)
                        if o.record.code == p.record.code && o.record.id != p.record.id)
                });
                if taken {
                    return Err(DbError::AlreadyExists(p.record.code.clone()));
                }
                self.work.projects.insert(
                    p.record.id,
                    ProjectAccess {
                        facilitator_id: Some(placement.facilitator_id),
                        incubator_id: placement.incubator_id,
                    },
                );
                let mut stored = p.clone();
                stored.placement = None;
                self.work
                    .records
                    .insert(r.key(), StoredRecord::Project(stored));
                continue;
            }
            self.work.records.insert(r.key(), r.clone());
        }
        self.work.conflicts.extend_from_slice(changes.conflicts);
        for r in changes.revisions {
            self.work
                .revisions
                .insert((r.kind, r.record_id, r.version), r.clone());
        }
        Ok(())
    }

    async fn add_review(&mut self, review: &ReviewRow) -> Result<(), DbError> {
        self.work.reviews.push(review.clone());
        Ok(())
    }

    async fn resolve_conflicts(
        &mut self,
        kind: RecordKind,
        id: Uuid,
        _by: Uuid,
    ) -> Result<u64, DbError> {
        let before = self.work.conflicts.len();
        self.work
            .conflicts
            .retain(|c| !(c.kind == kind && c.record_id == id));
        Ok((before - self.work.conflicts.len()) as u64)
    }

    async fn add_refusals(
        &mut self,
        client: Uuid,
        refusals: &[(Refusal, String)],
    ) -> Result<(), DbError> {
        for (r, name) in refusals {
            self.work
                .refusals
                .insert((client, r.seq), (r.clone(), name.clone()));
        }
        Ok(())
    }

    async fn refusals(
        &mut self,
        client: Uuid,
        from: u64,
        to: u64,
    ) -> Result<Vec<Refusal>, DbError> {
        Ok(self
            .work
            .refusals
            .range((client, from)..=(client, to))
            .map(|(_, (r, _))| r.clone())
            .collect())
    }

    async fn savepoint(&mut self) -> Result<(), DbError> {
        self.savepoint = Some(self.work.clone());
        Ok(())
    }

    async fn rollback_to_savepoint(&mut self) -> Result<(), DbError> {
        if let Some(s) = &self.savepoint {
            self.work = s.clone();
        }
        Ok(())
    }

    async fn release_savepoint(&mut self) -> Result<(), DbError> {
        self.savepoint = None;
        Ok(())
    }

    async fn commit(mut self: Box<Self>) -> Result<(), DbError> {
        *self.guard = std::mem::take(&mut self.work);
        Ok(())
    }
}
