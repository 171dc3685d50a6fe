//! The push transaction: one per push, over which `server::sync::engine` applies a batch of
//! mutations ([`SyncStore`](crate::server::db::SyncStore)).

mod load;
pub(super) mod write;

use super::{Conn, EngineDb, Sql};
use crate::server::db::{DbError, ProjectScope, rows};
use uuid::Uuid;

pub struct PushTx {
    tx: sqlx::Transaction<'static, Sql>,
    /// This process's turn to push, held until the transaction ends.
    _turn: Option<tokio::sync::OwnedSemaphorePermit>,
}

pub(super) async fn begin_push(
    db: &EngineDb,
) -> Result<Box<dyn crate::server::db::SyncStore>, DbError> {
    let turn = db.push_turn().await;
    let tx = db.begin_write().await?;
    Ok(Box::new(PushTx { tx, _turn: turn }))
}

#[async_trait::async_trait]
impl crate::server::db::SyncStore for PushTx {
    async fn lock_client(
        &mut self,
        id: Uuid,
        user: Uuid,
        device: Uuid,
    ) -> Result<crate::server::db::store::ClientRow, DbError> {
        let now = rows::now();
        // A device already seen with another user is not this client's to claim: the client
        // counts as a device of its own (see `ClientRow::device_id`).
        sqlx::query(&format!(
            "insert into sync_clients (id, user_id, device_id, last_seq, last_seen_at,
                                       created_at, updated_at)
             values ($1, $2, {}, 0, $4, $4, $4) on conflict (id) do nothing",
            super::devices::BOUND_DEVICE
        ))
        .bind(id)
        .bind(user)
        .bind(device)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        let (user_id, last_seq, device_id): (Uuid, i64, Uuid) =
            sqlx::query_as(super::super::LOCK_CLIENT)
                .bind(id)
                .fetch_one(&mut *self.tx)
                .await?;
        Ok(crate::server::db::store::ClientRow {
            id,
            user_id,
            last_seq: u64::try_from(last_seq).unwrap_or(0),
            device_id,
            heartbeat: Default::default(),
        })
    }

    async fn save_client(
        &mut self,
        client: &crate::server::db::store::ClientRow,
    ) -> Result<(), DbError> {
        super::devices::save_client(&mut *self.tx, client, true).await
    }

    async fn next_version(&mut self) -> Result<i64, DbError> {
        super::next_version(&mut self.tx, rows::now()).await
    }

    async fn forms(&mut self) -> Result<crate::domain::form::FormSet, DbError> {
        let found: Vec<(String, i64, String)> = sqlx::query_as(&rows::FORMS.select())
            .fetch_all(&mut *self.tx)
            .await?;
        Ok(crate::domain::form::FormSet::from_versions(
            rows::FORMS.decode(found)?,
        ))
    }

    async fn writable_projects(
        &mut self,
        scope: ProjectScope,
    ) -> Result<std::collections::HashSet<Uuid>, DbError> {
        let (kind, user) = rows::scope_binds(scope);
        let sql = format!(
            "select p.id from projects p where p.deleted = false and {}",
            rows::SCOPE_PREDICATE
        );
        let ids: Vec<Uuid> = sqlx::query_scalar(&sql)
            .bind(kind)
            .bind(user)
            .fetch_all(&mut *self.tx)
            .await?;
        Ok(ids.into_iter().collect())
    }

    async fn catalogue(&mut self) -> Result<crate::server::db::store::Catalogue, DbError> {
        let rows: Vec<String> = sqlx::query_scalar("select definition from indicator_definitions")
            .fetch_all(&mut *self.tx)
            .await?;
        let indicators = rows
            .iter()
            .map(|text| serde_json::from_str(text).map_err(|e| DbError::Value(e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        let chains: Vec<(Uuid, String)> = sqlx::query_as(
            "select p.id, vc.code from projects p join value_chains vc on vc.id = p.value_chain_id",
        )
        .fetch_all(&mut *self.tx)
        .await?;
        let locked: Vec<String> =
            sqlx::query_scalar("select period from reporting_periods where status = 'locked'")
                .fetch_all(&mut *self.tx)
                .await?;
        Ok(crate::server::db::store::Catalogue {
            indicators,
            project_chains: chains.into_iter().collect(),
            locked: locked.into_iter().collect(),
        })
    }

    async fn incubator_of(&mut self, user: Uuid) -> Result<Option<Uuid>, DbError> {
        Ok(sqlx::query_scalar(
            "select o.id from users u join organisations o on o.id = u.organisation_id
                      where u.id = $1 and o.kind = 'incubator'",
        )
        .bind(user)
        .fetch_optional(&mut *self.tx)
        .await?)
    }

    async fn load(
        &mut self,
        keys: &[(crate::domain::RecordKind, Uuid)],
    ) -> Result<Vec<crate::server::db::store::StoredRecord>, DbError> {
        load::load(&mut self.tx, keys).await
    }

    async fn write(
        &mut self,
        changes: crate::server::db::store::Changes<'_>,
    ) -> Result<(), DbError> {
        write::write(&mut self.tx, changes).await
    }

    async fn add_review(
        &mut self,
        review: &crate::server::db::store::ReviewRow,
    ) -> Result<(), DbError> {
        let now = rows::now();
        sqlx::query(
                    "insert into entry_reviews (id, record_kind, record_id, version, decision, comment,
                        reviewer_id, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
                )
                .bind(review.id)
                .bind(review.kind.as_str())
                .bind(review.record_id)
                .bind(review.version)
                .bind(review.decision.as_str())
                .bind(review.comment.clone())
                .bind(review.reviewer_id)
                .bind(now)
                .execute(&mut *self.tx)
                .await?;
        Ok(())
    }

    async fn resolve_conflicts(
        &mut self,
        kind: crate::domain::RecordKind,
        id: Uuid,
        by: Uuid,
    ) -> Result<u64, DbError> {
        let now = rows::now();
        let done = sqlx::query(
            "update sync_conflicts set resolved_at = $1, resolved_by = $2, updated_at = $1
                      where record_kind = $3 and record_id = $4 and resolved_at is null",
        )
        .bind(now)
        .bind(by)
        .bind(kind.as_str())
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected())
    }

    async fn add_refusals(
        &mut self,
        client: Uuid,
        refusals: &[(crate::sync::protocol::Refusal, String)],
    ) -> Result<(), DbError> {
        let now = rows::now();
        for chunk in refusals.chunks(200) {
            let mut q = sqlx::QueryBuilder::new(
                "insert into sync_refusals (client_id, seq, name, code, field, created_at, updated_at) ",
            );
            q.push_values(chunk, |mut b, (r, name)| {
                b.push_bind(client)
                    .push_bind(i64::try_from(r.seq).unwrap_or(i64::MAX))
                    .push_bind(name.clone())
                    .push_bind(r.code.clone())
                    .push_bind(r.field.clone())
                    .push_bind(now)
                    .push_bind(now);
            });
            q.push(" on conflict (client_id, seq) do nothing");
            q.build().execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    async fn saved_by(
        &mut self,
        kind: crate::domain::RecordKind,
        id: Uuid,
        version: i64,
    ) -> Result<Option<Uuid>, DbError> {
        Ok(sqlx::query_scalar(
            "select user_id from entry_revisions
              where record_kind = $1 and record_id = $2 and version = $3",
        )
        .bind(kind.as_str())
        .bind(id)
        .bind(version)
        .fetch_optional(&mut *self.tx)
        .await?
        .flatten())
    }

    async fn refusals(
        &mut self,
        client: Uuid,
        from: u64,
        to: u64,
    ) -> Result<Vec<crate::sync::protocol::Refusal>, DbError> {
        let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(
            "select seq, code, field from sync_refusals
                      where client_id = $1 and seq >= $2 and seq <= $3 order by seq",
        )
        .bind(client)
        .bind(i64::try_from(from).unwrap_or(i64::MAX))
        .bind(i64::try_from(to).unwrap_or(i64::MAX))
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(seq, code, field)| crate::sync::protocol::Refusal {
                seq: u64::try_from(seq).unwrap_or(0),
                code,
                field,
            })
            .collect())
    }

    async fn savepoint(&mut self) -> Result<(), DbError> {
        sqlx::query("savepoint push_mutation")
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn rollback_to_savepoint(&mut self) -> Result<(), DbError> {
        sqlx::query("rollback to savepoint push_mutation")
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn release_savepoint(&mut self) -> Result<(), DbError> {
        sqlx::query("release savepoint push_mutation")
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn commit(self: Box<Self>) -> Result<(), DbError> {
        self.tx.commit().await?;
        Ok(())
    }
}
