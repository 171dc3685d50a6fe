//! Files the entries name (`files`, `file_refs`): who may send a file's bytes and who may read it,
//! how far its upload is, and the daily sweep of files no entry names any more.

use super::EngineDb;
use crate::domain::evidence::Media;
use crate::server::db::{DbError, FileState, ProjectScope, rows};
use time::OffsetDateTime;
use uuid::Uuid;

type Row = (String, i64, i64, Option<String>, bool, bool);

const COLUMNS: &str = "f.sha256, f.bytes, f.received, f.media, f.complete, f.thumbnail";

fn state((sha256, bytes, received, media, complete, thumbnail): Row) -> FileState {
    FileState {
        sha256,
        bytes: u64::try_from(bytes).unwrap_or(0),
        received: u64::try_from(received).unwrap_or(0),
        media: media.as_deref().and_then(Media::parse),
        complete,
        thumbnail,
    }
}

/// The file, if an entry of a project in `scope` names it under `rule` (on `f`, the file, and
/// `r`, the naming; `$4` is the user).
async fn named(
    db: &EngineDb,
    sha256: &str,
    user: Uuid,
    scope: ProjectScope,
    rule: &str,
) -> Result<Option<FileState>, DbError> {
    let (kind, scope_user) = rows::scope_binds(scope);
    let row: Option<Row> = sqlx::query_as(&format!(
        "select {COLUMNS} from files f
          where f.sha256 = $3 and exists (
                select 1 from file_refs r
                  join projects p on p.id = r.project_id and p.deleted = false
                 where r.sha256 = f.sha256 and {rule} and {scope})",
        scope = rows::SCOPE_PREDICATE
    ))
    .bind(kind)
    .bind(scope_user)
    .bind(sha256)
    .bind(user)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(state))
}

/// Its bytes are sent by whoever named it first, in an entry of a project they may still write
/// (a facilitator moved off the project no longer sends to it).
pub(super) async fn to_send(
    db: &EngineDb,
    sha256: &str,
    user: Uuid,
    scope: ProjectScope,
) -> Result<Option<FileState>, DbError> {
    named(db, sha256, user, scope, "r.added_by = $4").await
}

pub(super) async fn received(
    db: &EngineDb,
    sha256: &str,
    from: u64,
    to: u64,
) -> Result<bool, DbError> {
    let moved = sqlx::query(
        "update files set received = $1
          where sha256 = $2 and received = $3 and complete = false and $1 <= bytes",
    )
    .bind(i64::try_from(to).unwrap_or(i64::MAX))
    .bind(sha256)
    .bind(i64::try_from(from).unwrap_or(i64::MAX))
    .execute(&db.pool)
    .await?
    .rows_affected();
    Ok(moved == 1)
}

pub(super) async fn checked(
    db: &EngineDb,
    sha256: &str,
    held: Option<(Media, bool)>,
) -> Result<(), DbError> {
    match held {
        Some((media, thumbnail)) => {
            sqlx::query(
                "update files set complete = true, media = $1, thumbnail = $2, completed_at = $3
                  where sha256 = $4",
            )
            .bind(media.as_str())
            .bind(thumbnail)
            .bind(rows::now())
            .bind(sha256)
            .execute(&db.pool)
            .await?;
        }
        None => {
            sqlx::query("update files set received = 0 where sha256 = $1 and complete = false")
                .bind(sha256)
                .execute(&db.pool)
                .await?;
        }
    }
    Ok(())
}

/// Read where the entry naming it is read: its project in the reader's scope, and a draft by its
/// author alone.
pub(super) async fn to_read(
    db: &EngineDb,
    sha256: &str,
    user: Uuid,
    scope: ProjectScope,
) -> Result<Option<FileState>, DbError> {
    let rule = "f.complete = true and (r.draft_of is null or r.draft_of = $4)";
    named(db, sha256, user, scope, rule).await
}

pub(super) async fn sweep(
    db: &EngineDb,
    now: OffsetDateTime,
    unnamed_before: OffsetDateTime,
) -> Result<Vec<String>, DbError> {
    let mut tx = db.pool.begin().await?;
    sqlx::query(
        "update files set unnamed_since = $1
          where unnamed_since is null
            and not exists (select 1 from file_refs r where r.sha256 = files.sha256)",
    )
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "update files set unnamed_since = null
          where unnamed_since is not null
            and exists (select 1 from file_refs r where r.sha256 = files.sha256)",
    )
    .execute(&mut *tx)
    .await?;
    let gone: Vec<String> =
        sqlx::query_scalar("select sha256 from files where unnamed_since < $1 order by sha256")
            .bind(unnamed_before)
            .fetch_all(&mut *tx)
            .await?;
    sqlx::query("delete from files where unnamed_since < $1")
        .bind(unnamed_before)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(gone)
}
