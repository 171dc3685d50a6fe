//! Milestones of a project's timeline.

use super::day_opt;
use super::review::{ReviewColumns, review_cells};
use super::synced::{Cell, Synced, Table, Written};
use crate::domain::Milestone;
use crate::domain::RecordKind;
use crate::server::db::DbError;
use crate::server::db::store::{StoredMilestone, StoredRecord};
use time::Date;
use uuid::Uuid;

/// The columns of [`MilestoneRow`], on `milestones ms`.
pub(in crate::server::db) const MILESTONE_COLUMNS: &str =
    "ms.id, ms.project_id, ms.kind, ms.label, ms.due_on,
    ms.achieved_on, ms.version, ms.deleted, ms.last_device_id, ms.review_decision,
    ms.review_comment, ms.reviewed_by,
    (select ru.name from users ru where ru.id = ms.reviewed_by) as reviewer_name, ms.reviewed_at, ms.files";

#[derive(sqlx::FromRow)]
pub(in crate::server::db) struct MilestoneRow {
    pub id: Uuid,
    pub project_id: Uuid,
    pub kind: String,
    pub label: String,
    pub due_on: Option<Date>,
    pub achieved_on: Option<Date>,
    pub version: i64,
    pub deleted: bool,
    pub last_device_id: Option<Uuid>,
    #[sqlx(flatten)]
    pub review: ReviewColumns,
    pub files: Option<String>,
}

impl MilestoneRow {
    pub fn into_stored(self) -> StoredMilestone {
        StoredMilestone {
            milestone: Milestone {
                id: self.id,
                project_id: self.project_id,
                kind: self.kind,
                label: self.label,
                due_on: self.due_on.map(|d| d.to_string()),
                achieved_on: self.achieved_on.map(|d| d.to_string()),
                version: self.version,
                review: self.review.into_note(),
                files: super::evidence_list(self.files.as_deref()),
            },
            deleted: self.deleted,
            last_device_id: self.last_device_id,
        }
    }
}

impl Synced for Milestone {
    const TABLE: Table =
        Table::of_project(RecordKind::Milestone, "milestones", "ms", MILESTONE_COLUMNS);
    type Row = MilestoneRow;

    fn stored(row: MilestoneRow) -> StoredRecord {
        StoredRecord::Milestone(row.into_stored())
    }
}

impl Written for Milestone {
    type Stored = StoredMilestone;
    const WRITES: &'static str = "id, project_id, kind, label, due_on, achieved_on, \
        last_device_id, version, deleted, review_decision, review_comment, reviewed_by, \
        reviewed_at, files";
    const UPDATES: &'static str = "kind, label, due_on, achieved_on, last_device_id, version, \
        deleted, review_decision, review_comment, reviewed_by, reviewed_at, files";

    fn cells(m: &StoredMilestone) -> Result<Vec<Cell>, DbError> {
        let ms = &m.milestone;
        let mut cells = vec![
            ms.id.into(),
            ms.project_id.into(),
            ms.kind.clone().into(),
            ms.label.clone().into(),
            day_opt(ms.due_on.as_deref())?.into(),
            day_opt(ms.achieved_on.as_deref())?.into(),
            m.last_device_id.into(),
            ms.version.into(),
            m.deleted.into(),
        ];
        cells.extend(review_cells(ms.review.as_ref())?);
        cells.push(super::evidence_text(&ms.files).into());
        Ok(cells)
    }
}
