//! The pull: every record of a scope changed since a cookie, from one snapshot.

use super::{Conn, EngineDb, Sql};
use crate::domain::indicator::value::IndicatorValue;
use crate::domain::{ActionItem, FormEntry, Milestone, Visit};
use crate::server::db::rows::{self, SCOPE_PREDICATE, Synced, pulled};
use crate::server::db::{DbError, ProjectScope};
use crate::sync::protocol::{MemberRecord, ProjectRecord, Record};
use uuid::Uuid;

pub(super) async fn pull(
    db: &EngineDb,
    user: &crate::domain::SessionUser,
    scope: ProjectScope,
    client: Uuid,
    cookie: Option<&crate::sync::protocol::Cookie>,
) -> Result<crate::sync::protocol::PullResponse, DbError> {
    use crate::sync::protocol::{Cookie, PullResponse};
    use rows::SCOPE_PREDICATE;
    let mut tx = db.begin_snapshot().await?;
    let version: i64 = sqlx::query_scalar("select value from sync_version where id = 1")
        .fetch_one(&mut *tx)
        .await?;
    let (kind, scope_user) = rows::scope_binds(scope);
    let in_scope: Vec<Uuid> = sqlx::query_scalar(&format!(
        "select p.id from projects p where p.deleted = false and {SCOPE_PREDICATE}"
    ))
    .bind(kind)
    .bind(scope_user)
    .fetch_all(&mut *tx)
    .await?;
    let fingerprint =
        crate::sync::protocol::scope_fingerprint(user.id, user.role.as_str(), &in_scope);
    let since = match cookie {
        Some(c) if c.scope == fingerprint && c.version <= version => c.version,
        _ => 0,
    };
    let reset = since == 0;
    let private = rows::sees_private(scope);
    let pull = Pull {
        scope_kind: kind,
        scope_user,
        since,
        user: user.id,
        private,
    };
    let mut records = Vec::new();
    pull.kind::<ProjectRecord>(&mut tx, &mut records).await?;
    pull.kind::<MemberRecord>(&mut tx, &mut records).await?;
    pull.kind::<Visit>(&mut tx, &mut records).await?;
    pull.kind::<ActionItem>(&mut tx, &mut records).await?;
    pull.kind::<Milestone>(&mut tx, &mut records).await?;
    pull.kind::<FormEntry>(&mut tx, &mut records).await?;
    pull.kind::<IndicatorValue>(&mut tx, &mut records).await?;

    // The indicator catalogue counts among the forms a phone keeps: a new version of
    // either makes the phone fetch both again.
    let latest_forms: Vec<(String, i64)> = sqlx::query_as(
        "select id, max(version) from forms group by id
         union all
         select 'indicator/' || code, max(version) from indicator_definitions group by code",
    )
    .fetch_all(&mut *tx)
    .await?;
    let forms = crate::sync::protocol::forms_fingerprint(
        latest_forms
            .iter()
            .map(|(id, v)| (id.as_str(), u32::try_from(*v).unwrap_or(0))),
    );

    let last_seq: Option<i64> =
        sqlx::query_scalar("select last_seq from sync_clients where id = $1")
            .bind(client)
            .fetch_optional(&mut *tx)
            .await?;
    tx.commit().await?;
    Ok(PullResponse {
        cookie: Cookie {
            version,
            scope: fingerprint,
        },
        last_seq: last_seq.and_then(|s| u64::try_from(s).ok()).unwrap_or(0),
        reset,
        records,
        forms,
    })
}

/// What one pull reads with: the scope's binds, the version it starts after, the puller.
struct Pull {
    scope_kind: &'static str,
    scope_user: Uuid,
    since: i64,
    user: Uuid,
    private: bool,
}

impl Pull {
    /// The records of kind `K` in scope changed since `since` (tombstones only when there is a
    /// `since`: a phone starting afresh has nothing to remove); drafts only to their author.
    async fn kind<K: Synced>(&self, tx: &mut Conn, records: &mut Vec<Record>) -> Result<(), DbError>
    where
        K::Row: for<'r> sqlx::FromRow<'r, <Sql as sqlx::Database>::Row>,
    {
        let table = K::TABLE;
        let a = table.alias;
        let drafts = table
            .draft_owner
            .map(|owner| format!(" and ({a}.status <> 'draft' or {owner} = $4)"))
            .unwrap_or_default();
        let sql = format!(
            "select {columns} from {from}
              where {SCOPE_PREDICATE} and {a}.version > $3 and ({a}.deleted = false or $3 > 0)
                {drafts}{order}",
            columns = table.columns,
            from = table.scoped_from(),
            order = table.order,
        );
        let mut query = sqlx::query_as::<_, K::Row>(&sql)
            .bind(self.scope_kind)
            .bind(self.scope_user)
            .bind(self.since);
        if table.draft_owner.is_some() {
            query = query.bind(self.user);
        }
        let rows = query.fetch_all(&mut *tx).await?;
        records.extend(
            rows.into_iter()
                .map(|row| pulled(K::stored(row), self.private)),
        );
        Ok(())
    }
}
