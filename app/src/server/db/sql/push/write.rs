//! Writing what a push changed: projects, then each kind in upserts of a chunk of records, then
//! the conflicts and revisions kept.

use super::super::cells::insert_all;
use super::super::files::Named;
use super::Conn;
use crate::domain::indicator::value::IndicatorValue;
use crate::domain::{ActionItem, EntryStatus, FormEntry, Milestone, Visit};
use crate::server::db::DbError;
use crate::server::db::rows::{self, Cell, Written};
use crate::server::db::store::{StoredKind, StoredRecord};
use crate::sync::protocol::MemberRecord;
use time::OffsetDateTime;
use uuid::Uuid;

/// An audit line for a project's status or fields changed from the field: what changed, before
/// and after (nothing when the write changes nothing the team reads).
async fn audit_project_change(
    tx: &mut Conn,
    actor: uuid::Uuid,
    next: &crate::sync::protocol::ProjectRecord,
    status: &str,
) -> Result<(), DbError> {
    let stored: Option<(String, String, String, String, String)> = sqlx::query_as(
        "select code, status, title, legal_form, training_track from projects where id = $1",
    )
    .bind(next.id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((code, old_status, title, legal_form, training_track)) = stored else {
        return Ok(());
    };
    let mut before = serde_json::Map::new();
    let mut after = serde_json::Map::new();
    for (field, old, new) in [
        ("status", old_status.as_str(), status),
        ("title", &title, &next.title),
        ("legal_form", &legal_form, &next.legal_form),
        ("training_track", &training_track, &next.training_track),
    ] {
        if old != new {
            before.insert(field.into(), old.into());
            after.insert(field.into(), new.into());
        }
    }
    if after.is_empty() {
        return Ok(());
    }
    super::super::audit::append(
        tx,
        &crate::server::db::AuditLine {
            actor: Some(actor),
            kind: "project_changed",
            subject: code,
            project: Some(next.id),
            before: Some(before.into()),
            after: Some(after.into()),
        },
    )
    .await
}

pub(super) async fn write(
    tx: &mut Conn,
    changes: crate::server::db::store::Changes<'_>,
) -> Result<(), DbError> {
    let crate::server::db::store::Changes {
        records,
        conflicts,
        revisions,
        actor,
    } = changes;
    let now = rows::now();
    // Projects first: what else the batch writes may belong to one it registers. Otherwise
    // mutations change what the field may change of a project.
    for record in records {
        if let StoredRecord::Project(p) = record {
            let status = p.record.status.map(|s| s.as_str()).unwrap_or("preselected");
            if let (Some(placement), Some(origin)) = (p.placement, &p.record.origin) {
                // Registered from the field, in this batch: preselected, no grant yet. (A
                // batch replayed one mutation at a time writes it again with each change.)
                sqlx::query(
                    "insert into projects (id, code, title, kind, legal_form, value_chain_id,
                        incubator_id, facilitator_id, locality_id, call_wave, training_track,
                        status, grant_millimes, version, created_at, updated_at)
                     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13, $14, $14)
                     on conflict (id) do update set status = excluded.status, title = excluded.title,
                        legal_form = excluded.legal_form, training_track = excluded.training_track,
                        version = excluded.version, updated_at = excluded.updated_at",
                )
                .bind(p.record.id)
                .bind(p.record.code.clone())
                .bind(p.record.title.clone())
                .bind(origin.kind.as_str())
                .bind(p.record.legal_form.clone())
                .bind(origin.value_chain_id)
                .bind(placement.incubator_id)
                .bind(placement.facilitator_id)
                .bind(origin.locality_id)
                .bind(origin.call_wave)
                .bind(p.record.training_track.clone())
                .bind(status)
                .bind(p.record.version)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                continue;
            }
            if let Some(actor) = actor {
                audit_project_change(tx, actor, &p.record, status).await?;
            }
            sqlx::query(
                "update projects set status = $1, version = $2, updated_at = $3, title = $5,
                    legal_form = $6, training_track = $7 where id = $4",
            )
            .bind(status)
            .bind(p.record.version)
            .bind(now)
            .bind(p.record.id)
            .bind(p.record.title.clone())
            .bind(p.record.legal_form.clone())
            .bind(p.record.training_track.clone())
            .execute(&mut *tx)
            .await?;
        }
    }
    write_kind::<Visit>(tx, records, now).await?;
    write_kind::<ActionItem>(tx, records, now).await?;
    write_kind::<MemberRecord>(tx, records, now).await?;
    write_kind::<Milestone>(tx, records, now).await?;
    write_kind::<IndicatorValue>(tx, records, now).await?;
    write_kind::<FormEntry>(tx, records, now).await?;
    write_file_refs(tx, records, actor, now).await?;
    for chunk in conflicts.chunks(200) {
        let mut q = sqlx::QueryBuilder::new(
            "insert into sync_conflicts (id, record_kind, record_id, base_version, incoming,
                client_id, seq, user_id, created_at, updated_at) ",
        );
        q.push_values(chunk, |mut b, c| {
            b.push_bind(c.id)
                .push_bind(c.kind.as_str())
                .push_bind(c.record_id)
                .push_bind(c.base_version)
                .push_bind(c.incoming.clone())
                .push_bind(c.client_id)
                .push_bind(i64::try_from(c.seq).unwrap_or(i64::MAX))
                .push_bind(c.user_id)
                .push_bind(now)
                .push_bind(now);
        });
        q.push(" on conflict (id) do nothing");
        q.build().execute(&mut *tx).await?;
    }
    for chunk in revisions.chunks(200) {
        let mut q = sqlx::QueryBuilder::new(
            "insert into entry_revisions (record_kind, record_id, version, user_id, status,
                content, created_at, updated_at) ",
        );
        q.push_values(chunk, |mut b, r| {
            b.push_bind(r.kind.as_str())
                .push_bind(r.record_id)
                .push_bind(r.version)
                .push_bind(r.user_id)
                .push_bind(r.status.as_str())
                .push_bind(r.content.clone())
                .push_bind(now)
                .push_bind(now);
        });
        q.push(
            " on conflict (record_kind, record_id, version) do update set
                content = excluded.content, status = excluded.status,
                updated_at = excluded.updated_at",
        );
        q.build().execute(&mut *tx).await?;
    }
    Ok(())
}

/// The files each written entry names now (`file_refs`), and a row in `files` for each file the
/// server has not heard of: its bytes may now be sent, by whoever first named it.
async fn write_file_refs(
    tx: &mut Conn,
    records: &[StoredRecord],
    actor: Option<Uuid>,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    let entries: Vec<Named> = records
        .iter()
        .filter_map(|r| match r {
            StoredRecord::Visit(v) => Some(Named {
                kind: "visit",
                entry: v.visit.id,
                project: v.visit.fields.project_id,
                draft_of: v
                    .visit
                    .author_id
                    .filter(|_| v.visit.fields.status == EntryStatus::Draft),
                files: if v.deleted {
                    &[]
                } else {
                    &v.visit.fields.files
                },
            }),
            StoredRecord::Milestone(m) => Some(Named {
                kind: "milestone",
                entry: m.milestone.id,
                project: m.milestone.project_id,
                draft_of: None,
                files: if m.deleted { &[] } else { &m.milestone.files },
            }),
            StoredRecord::Value(v) => Some(Named {
                kind: "value",
                entry: v.value.id,
                project: v.value.project_id,
                draft_of: v
                    .value
                    .author_id
                    .filter(|_| v.value.status == EntryStatus::Draft),
                files: if v.deleted { &[] } else { &v.value.files },
            }),
            StoredRecord::Entry(e) => Some(Named {
                kind: "entry",
                entry: e.entry.id,
                project: e.entry.project_id,
                draft_of: e
                    .entry
                    .author_id
                    .filter(|_| e.entry.status == EntryStatus::Draft),
                files: if e.deleted { &[] } else { &e.entry.files },
            }),
            _ => None,
        })
        .collect();
    super::super::files::name(tx, &entries, actor, now).await
}

/// Inserts or updates every record of kind `K` among `records` (a push, and an import's members).
pub(in super::super) async fn write_kind<K: Written>(
    tx: &mut Conn,
    records: &[StoredRecord],
    now: OffsetDateTime,
) -> Result<(), DbError> {
    let mut rows = Vec::new();
    for record in records.iter().filter_map(K::Stored::within) {
        let mut cells = K::cells(record)?;
        cells.extend([Cell::from(now), Cell::from(now)]);
        rows.push(cells);
    }
    if rows.is_empty() {
        return Ok(());
    }
    let updates: Vec<String> = K::UPDATES
        .split(',')
        .map(str::trim)
        .chain(["updated_at"])
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    insert_all(
        tx,
        K::TABLE.name,
        &format!("{}, created_at, updated_at", K::WRITES),
        rows,
        K::CHUNK,
        &format!(" on conflict (id) do update set {}", updates.join(", ")),
    )
    .await
}
