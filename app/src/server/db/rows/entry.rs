//! Form entries (diagnostics, self-assessments), drafts their author's alone.

use super::day_opt;
use super::review::{ReviewColumns, review_cells};
use super::synced::{Cell, Synced, Table, Written};
use crate::domain::RecordKind;
use crate::domain::{EntryStatus, FormEntry};
use crate::server::db::DbError;
use crate::server::db::store::{StoredEntry, StoredRecord};
use uuid::Uuid;

/// The columns of [`EntryRow`], on `form_entries e`.
pub(in crate::server::db) const ENTRY_COLUMNS: &str =
    "e.id, e.project_id, e.form_id, e.form_version, e.status,
    e.answers, e.author_id, e.last_device_id, e.version, e.deleted, e.review_decision,
    e.review_comment, e.reviewed_by, (select ru.name from users ru where ru.id = e.reviewed_by)
    as reviewer_name, e.reviewed_at, e.files";

#[derive(sqlx::FromRow)]
pub(in crate::server::db) struct EntryRow {
    pub id: Uuid,
    pub project_id: Uuid,
    pub form_id: String,
    pub form_version: i64,
    pub status: String,
    pub answers: String,
    pub author_id: Option<Uuid>,
    pub last_device_id: Option<Uuid>,
    pub version: i64,
    pub deleted: bool,
    #[sqlx(flatten)]
    pub review: ReviewColumns,
    pub files: Option<String>,
}

impl EntryRow {
    pub fn into_stored(self) -> StoredEntry {
        StoredEntry {
            entry: FormEntry {
                id: self.id,
                project_id: self.project_id,
                form_id: self.form_id,
                form_version: u32::try_from(self.form_version).unwrap_or(0),
                status: EntryStatus::parse(&self.status).unwrap_or(EntryStatus::Submitted),
                // Written from checked answers only: unreadable means a hand-edited row, shown empty.
                answers: serde_json::from_str(&self.answers).unwrap_or_default(),
                author_id: self.author_id,
                version: self.version,
                review: self.review.into_note(),
                files: super::evidence_list(self.files.as_deref()),
            },
            deleted: self.deleted,
            last_device_id: self.last_device_id,
        }
    }
}

impl Synced for FormEntry {
    const TABLE: Table = Table::of_project(RecordKind::Entry, "form_entries", "e", ENTRY_COLUMNS)
        .drafts_of("e.author_id");
    type Row = EntryRow;

    fn stored(row: EntryRow) -> StoredRecord {
        StoredRecord::Entry(row.into_stored())
    }
}

impl Written for FormEntry {
    type Stored = StoredEntry;
    const WRITES: &'static str = "id, project_id, form_id, form_version, status, answers, \
        done_on, author_id, last_device_id, version, deleted, review_decision, review_comment, \
        reviewed_by, reviewed_at, files";
    const UPDATES: &'static str = "form_version, status, answers, done_on, last_device_id, \
        version, deleted, review_decision, review_comment, reviewed_by, reviewed_at, files";

    fn cells(e: &StoredEntry) -> Result<Vec<Cell>, DbError> {
        let entry = &e.entry;
        let on = Some(entry.day()).filter(|d| !d.is_empty());
        let mut cells = vec![
            entry.id.into(),
            entry.project_id.into(),
            entry.form_id.clone().into(),
            i64::from(entry.form_version).into(),
            entry.status.as_str().into(),
            serde_json::to_string(&entry.answers)
                .unwrap_or_default()
                .into(),
            day_opt(on)?.into(),
            entry.author_id.into(),
            e.last_device_id.into(),
            entry.version.into(),
            e.deleted.into(),
        ];
        cells.extend(review_cells(entry.review.as_ref())?);
        cells.push(super::evidence_text(&entry.files).into());
        Ok(cells)
    }
}
