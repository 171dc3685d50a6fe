//! The audit trail: one line per change that is not a reviewed entry, written in the transaction
//! of the change itself, so a change and its line stand or fall together.

use super::{Conn, EngineDb};
use crate::domain::audit::AuditEntry;
use crate::server::db::{AuditLine, AuditQuery, DbError, rows};

/// Appends a line. It is demo data when demo data is loaded (`athar demo purge` takes it away).
pub(super) async fn append(conn: &mut Conn, line: &AuditLine) -> Result<(), DbError> {
    sqlx::query(
        "insert into audit_events (at, actor_id, actor_name, kind, subject, project_id, before,
                                   after, is_demo)
         values ($1, $2, coalesce((select name from users where id = $2), $3), $4, $5, $6,
                 $7, $8, exists (select 1 from users where is_demo = true))",
    )
    .bind(rows::now())
    .bind(line.actor)
    .bind("athar")
    .bind(line.kind)
    .bind(&line.subject)
    .bind(line.project)
    .bind(line.before.as_ref().map(ToString::to_string))
    .bind(line.after.as_ref().map(ToString::to_string))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The lines that match, newest first.
pub(super) async fn lines(db: &EngineDb, query: &AuditQuery) -> Result<Vec<AuditEntry>, DbError> {
    use sqlx::Row as _;
    let found = sqlx::query(
        "select id, at, actor_id, actor_name, kind, subject, project_id, before, after
           from audit_events
          where ($1 is null or actor_id = $1)
            and ($2 is null or project_id = $2)
            and ($3 is null or kind = $3)
          order by id desc
          limit $4",
    )
    .bind(query.actor)
    .bind(query.project)
    .bind(query.kind.as_deref())
    .bind(query.limit)
    .fetch_all(&db.pool)
    .await?;
    let mut out = Vec::with_capacity(found.len());
    for row in found {
        let at: time::OffsetDateTime = row.try_get("at")?;
        out.push(AuditEntry {
            id: row.try_get("id")?,
            at: rows::rfc3339(at),
            actor: row.try_get("actor_id")?,
            actor_name: row.try_get("actor_name")?,
            kind: row.try_get("kind")?,
            subject: row.try_get("subject")?,
            project: row.try_get("project_id")?,
            before: row.try_get("before")?,
            after: row.try_get("after")?,
        });
    }
    Ok(out)
}
