//! Files the entries name (`files`, `file_refs`): who may send a file's bytes and who may read it,
//! how far its upload is, and the daily sweep of files no entry names any more.

use super::{Conn, EngineDb};
use crate::domain::evidence::{Evidence, Media};
use crate::server::db::{DbError, FileState, ProjectScope, rows};
use std::collections::HashMap;
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

/// One entry's files, as a write leaves it.
pub(super) struct Named<'a> {
    pub kind: &'static str,
    pub entry: Uuid,
    pub project: Uuid,
    /// The author of a draft: its files are theirs alone.
    pub draft_of: Option<Uuid>,
    pub files: &'a [Evidence],
}

/// The files `entries` name now (`file_refs`, in place of those they named before), and a row
/// in `files` for each file the server has not heard of: its bytes may now be sent, by whoever
/// first named it (`actor` for a file new to the entry).
pub(super) async fn name(
    tx: &mut Conn,
    entries: &[Named<'_>],
    actor: Option<Uuid>,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    for chunk in entries.chunks(200) {
        let mut q = sqlx::QueryBuilder::new(
            "select kind, entry_id, sha256, added_by from file_refs where entry_id in (",
        );
        let mut ids = q.separated(", ");
        for e in chunk {
            ids.push_bind(e.entry);
        }
        q.push(")");
        let before: Vec<(String, Uuid, String, Option<Uuid>)> =
            q.build_query_as().fetch_all(&mut *tx).await?;
        if before.is_empty() && chunk.iter().all(|e| e.files.is_empty()) {
            continue;
        }
        let added_by: HashMap<(&str, Uuid, &str), Option<Uuid>> = before
            .iter()
            .map(|(k, id, sha, by)| ((k.as_str(), *id, sha.as_str()), *by))
            .collect();
        if !before.is_empty() {
            let mut q = sqlx::QueryBuilder::new("delete from file_refs where entry_id in (");
            let mut ids = q.separated(", ");
            for e in chunk {
                ids.push_bind(e.entry);
            }
            q.push(")");
            q.build().execute(&mut *tx).await?;
        }
        let rows: Vec<(&Named, &Evidence)> = chunk
            .iter()
            .flat_map(|e| e.files.iter().map(move |f| (e, f)))
            .collect();
        if rows.is_empty() {
            continue;
        }
        let mut q = sqlx::QueryBuilder::new(
            "insert into file_refs (kind, entry_id, sha256, project_id, draft_of, added_by) ",
        );
        q.push_values(&rows, |mut b, (e, f)| {
            // Whoever named a file first sends its bytes, even after another's edit.
            let by = added_by
                .get(&(e.kind, e.entry, f.sha256.as_str()))
                .copied()
                .unwrap_or(actor);
            b.push_bind(e.kind)
                .push_bind(e.entry)
                .push_bind(f.sha256.clone())
                .push_bind(e.project)
                .push_bind(e.draft_of)
                .push_bind(by);
        });
        q.build().execute(&mut *tx).await?;
        // Each file once: one statement may not touch a row twice.
        let files: std::collections::BTreeMap<&str, &Evidence> =
            rows.iter().map(|(_, f)| (f.sha256.as_str(), *f)).collect();
        let mut q = sqlx::QueryBuilder::new("insert into files (sha256, bytes, created_at) ");
        q.push_values(files.values(), |mut b, f| {
            b.push_bind(f.sha256.clone())
                .push_bind(i64::try_from(f.bytes).unwrap_or(i64::MAX))
                .push_bind(now);
        });
        q.push(" on conflict (sha256) do update set unnamed_since = null");
        q.build().execute(&mut *tx).await?;
    }
    Ok(())
}
