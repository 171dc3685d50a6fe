//! Edits kept aside as conflicts, and the cases a supervisor resolves.

use super::EngineDb;
use crate::server::db::{DbError, ProjectScope, rows};
use time::OffsetDateTime;
use uuid::Uuid;

/// An edit kept aside: its mutation, its author, when, and its device's label and last contact.
type KeptEdit = (
    String,
    Option<String>,
    OffsetDateTime,
    Option<String>,
    Option<OffsetDateTime>,
);

pub(super) async fn visit_conflicts(
    db: &EngineDb,
    visit: Uuid,
) -> Result<Vec<crate::server::db::store::ConflictRow>, DbError> {
    let rows: Vec<(Uuid, Option<i64>, String, Uuid, i64, Uuid)> = sqlx::query_as(
        "select id, base_version, incoming, client_id, seq, user_id from sync_conflicts
          where record_kind = 'visit' and record_id = $1 order by created_at, seq",
    )
    .bind(visit)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, base_version, incoming, client_id, seq, user_id)| {
            crate::server::db::store::ConflictRow {
                id,
                kind: crate::domain::RecordKind::Visit,
                record_id: visit,
                base_version,
                incoming,
                client_id,
                seq: u64::try_from(seq).unwrap_or(0),
                user_id,
            }
        })
        .collect())
}

pub(super) async fn open_conflicts(
    db: &EngineDb,
    scope: ProjectScope,
) -> Result<Vec<crate::domain::ConflictCase>, DbError> {
    use crate::domain::{ConflictCase, VisitVersion};
    use crate::sync::mutations::SaveVisitArgs;
    use rows::{ConflictVisitRow, SCOPE_PREDICATE, VISIT_COLUMNS, rfc3339};
    let (kind, scope_user) = rows::scope_binds(scope);
    let visits: Vec<ConflictVisitRow> = sqlx::query_as(&format!(
        "select {VISIT_COLUMNS}, p.code as project_code, p.title as project_title,
                u.name as author, v.updated_at
           from visits v join projects p on p.id = v.project_id
           left join users u on u.id = v.facilitator_id
          where v.conflict = true and v.deleted = false and {SCOPE_PREDICATE}
          order by v.visit_on, v.id"
    ))
    .bind(kind)
    .bind(scope_user)
    .fetch_all(&db.pool)
    .await?;
    let mut cases = Vec::with_capacity(visits.len());
    for row in visits {
        let ConflictVisitRow {
            visit,
            project_code,
            project_title,
            author,
            updated_at: at,
        } = row;
        let stored = visit.into_stored();
        let visit = stored.visit;
        // The device that made the version on the server, as it last said it was.
        let current_device: Option<(String, OffsetDateTime)> = match stored.last_device_id {
            Some(device) => {
                sqlx::query_as(
                    "select device_label, last_seen_at from sync_clients
                  where device_id = $1 order by last_seen_at desc limit 1",
                )
                .bind(device)
                .fetch_optional(&db.pool)
                .await?
            }
            None => None,
        };
        // The device each edit came from (its label and when it was last heard
        // from): one person editing on two phones is told apart by them.
        let kept: Vec<KeptEdit> = sqlx::query_as(
            "select c.incoming, u.name, c.created_at, d.device_label, d.last_seen_at
               from sync_conflicts c
               left join users u on u.id = c.user_id
               left join sync_clients d on d.id = c.client_id
              where c.record_kind = 'visit' and c.record_id = $1 and c.resolved_at is null
              order by c.created_at, c.seq",
        )
        .bind(visit.id)
        .fetch_all(&db.pool)
        .await?;
        let members: Vec<(Uuid, String)> = sqlx::query_as(
            "select id, full_name from members where project_id = $1 and deleted = false
              order by full_name",
        )
        .bind(visit.fields.project_id)
        .fetch_all(&db.pool)
        .await?;
        let edits = kept
            .into_iter()
            .filter_map(|(incoming, name, at, device, seen)| {
                let args: SaveVisitArgs = serde_json::from_str(&incoming).ok()?;
                Some(VisitVersion {
                    author: name.unwrap_or_default(),
                    at: rfc3339(at),
                    fields: args.fields,
                    device: device.filter(|d| !d.is_empty()),
                    device_seen_at: seen.map(rfc3339),
                })
            })
            .collect();
        cases.push(ConflictCase {
            visit_id: visit.id,
            project_code,
            project_title,
            version: visit.version,
            current: VisitVersion {
                author: author.unwrap_or_default(),
                at: rfc3339(at),
                fields: visit.fields,
                device: current_device
                    .as_ref()
                    .map(|(d, _)| d.clone())
                    .filter(|d| !d.is_empty()),
                device_seen_at: current_device.map(|(_, seen)| rfc3339(seen)),
            },
            edits,
            members,
        });
    }
    Ok(cases)
}
