//! BI tokens (kept as hashes).

use super::{EngineDb, audit};
use crate::server::db::{AuditLine, DbError, rows};
use time::OffsetDateTime;
use uuid::Uuid;

pub(super) async fn create_api_token(
    db: &EngineDb,
    id: Uuid,
    name: &str,
    token_hash: &str,
) -> Result<(), DbError> {
    let now = rows::now();
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "insert into api_tokens (id, name, token_hash, created_at) values ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(name)
    .bind(token_hash)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit::append(&mut tx, &token_line("token_created", name)).await?;
    tx.commit().await?;
    Ok(())
}

/// Tokens are made and revoked from the command line: the line names no account.
fn token_line(kind: &'static str, name: &str) -> AuditLine {
    AuditLine {
        actor: None,
        kind,
        subject: name.to_owned(),
        project: None,
        before: None,
        after: None,
    }
}

pub(super) async fn api_token(db: &EngineDb, token_hash: &str) -> Result<Option<String>, DbError> {
    let now = rows::now();
    let name: Option<String> = sqlx::query_scalar(
        "select name from api_tokens where token_hash = $1 and revoked_at is null",
    )
    .bind(token_hash)
    .fetch_optional(&db.pool)
    .await?;
    if name.is_some() {
        sqlx::query("update api_tokens set last_used_at = $1 where token_hash = $2")
            .bind(now)
            .bind(token_hash)
            .execute(&db.pool)
            .await?;
    }
    Ok(name)
}

pub(super) async fn revoke_api_token(db: &EngineDb, name: &str) -> Result<bool, DbError> {
    let now = rows::now();
    let mut tx = db.begin_write().await?;
    let done =
        sqlx::query("update api_tokens set revoked_at = $1 where name = $2 and revoked_at is null")
            .bind(now)
            .bind(name)
            .execute(&mut *tx)
            .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    audit::append(&mut tx, &token_line("token_revoked", name)).await?;
    tx.commit().await?;
    Ok(true)
}

pub(super) async fn api_tokens(
    db: &EngineDb,
) -> Result<Vec<crate::server::db::ApiTokenRow>, DbError> {
    type Row = (
        String,
        OffsetDateTime,
        Option<OffsetDateTime>,
        Option<OffsetDateTime>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "select name, created_at, last_used_at, revoked_at from api_tokens order by name",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(name, created, used, revoked)| crate::server::db::ApiTokenRow {
                name,
                created_at: created.to_string(),
                last_used_at: used.map(|t| t.to_string()),
                revoked: revoked.is_some(),
            },
        )
        .collect())
}
