//! A supervisor resolves a conflict: keeps one version of the record, or a merge made by hand.
//!
//! The resolution is a write like a push's: in one transaction, under a new global version (so
//! every device in scope pulls it), on the record the supervisor saw — if it moved meanwhile,
//! the resolution is refused as stale and nothing changes. The kept edits stay in
//! `sync_conflicts`, marked resolved, with who resolved them.

use crate::domain::RecordKind;
use crate::domain::VisitFields;
use crate::error::AppError;
use crate::server::db::ProjectScope;
use crate::server::db::store::{Changes, RevisionRow, StoredRecord, StoredVisit, SyncStore};
use uuid::Uuid;

/// What the supervisor decided for one visit.
pub struct VisitResolution {
    pub visit: Uuid,
    /// The version the supervisor looked at.
    pub seen_version: i64,
    /// The fields to keep: one of the versions, or a merge.
    pub fields: VisitFields,
}

/// Takes the next global version and loads a visit a reviewer acts on: in `scope`, not deleted,
/// and as `wanted` says; anything else is not found (a reviewer learns nothing more).
async fn reviewed_visit(
    store: &mut dyn SyncStore,
    scope: ProjectScope,
    visit: Uuid,
    wanted: impl Fn(&StoredVisit) -> bool,
) -> Result<(i64, StoredVisit), AppError> {
    let version = store.next_version().await?;
    let writable = store.writable_projects(scope).await?;
    let current = store
        .load(&[(RecordKind::Visit, visit)])
        .await?
        .into_iter()
        .find_map(|r| match r {
            StoredRecord::Visit(v)
                if !v.deleted && writable.contains(&v.visit.fields.project_id) && wanted(&v) =>
            {
                Some(v)
            }
            _ => None,
        })
        .ok_or(AppError::NotFound)?;
    Ok((version, current))
}

/// Writes the resolution; returns the visit's new version.
pub async fn resolve_visit(
    mut store: Box<dyn SyncStore>,
    scope: ProjectScope,
    by: Uuid,
    today: &str,
    resolution: VisitResolution,
) -> Result<i64, AppError> {
    let VisitResolution {
        visit,
        seen_version,
        fields,
    } = resolution;
    // A merge takes record fields from two versions: the answers follow what is kept.
    let fields = fields.with_answers_from_record();
    if let Err(e) = fields.validate(today) {
        return Err(AppError::Invalid {
            field: e.field.into(),
            code: e.code.into(),
        });
    }
    // Only a visit in conflict: this is not a back door to editing entries.
    let (version, current) =
        reviewed_visit(store.as_mut(), scope, visit, |v| v.visit.conflict).await?;
    if current.visit.version != seen_version {
        return Err(AppError::Stale);
    }
    if fields.project_id != current.visit.fields.project_id {
        return Err(AppError::Invalid {
            field: "project_id".into(),
            code: "moved".into(),
        });
    }
    let revision = RevisionRow {
        kind: RecordKind::Visit,
        record_id: visit,
        version,
        user_id: by,
        status: fields.status,
        content: serde_json::to_string(&fields).unwrap_or_default(),
    };
    let mut next = current;
    next.visit.fields = fields;
    next.visit.conflict = false;
    next.visit.version = version;
    // Not a device's edit: the next edit made on an older base, from any device, is a conflict.
    next.last_device_id = None;
    store
        .write(Changes {
            records: &[StoredRecord::Visit(next)],
            revisions: &[revision],
            ..Changes::default()
        })
        .await?;
    store
        .resolve_conflicts(RecordKind::Visit, visit, by)
        .await?;
    store.commit().await?;
    Ok(version)
}
