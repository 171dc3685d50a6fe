//! Indicator values, drafts their author's alone.

use super::form_answers;
use super::review::{ReviewColumns, review_cells};
use super::synced::{Cell, Synced, Table, Written};
use crate::domain::EntryStatus;
use crate::domain::RecordKind;
use crate::domain::indicator::value::IndicatorValue;
use crate::server::db::DbError;
use crate::server::db::store::{StoredRecord, StoredValue};
use uuid::Uuid;

/// The columns of [`ValueRow`], on `indicator_values iv`.
pub(in crate::server::db) const VALUE_COLUMNS: &str =
    "iv.id, iv.project_id, iv.indicator, iv.indicator_version,
    iv.period, iv.value, iv.cells, iv.source, iv.evidence, iv.status, iv.author_id,
    iv.last_device_id, iv.version, iv.deleted, iv.review_decision, iv.review_comment,
    iv.reviewed_by, (select ru.name from users ru where ru.id = iv.reviewed_by) as reviewer_name,
    iv.reviewed_at, iv.form_version, iv.answers, iv.files";

#[derive(sqlx::FromRow)]
pub(in crate::server::db) struct ValueRow {
    pub id: Uuid,
    pub project_id: Uuid,
    pub indicator: String,
    pub indicator_version: i64,
    pub period: String,
    pub value: i64,
    pub cells: String,
    pub source: String,
    pub evidence: String,
    pub status: String,
    pub author_id: Option<Uuid>,
    pub last_device_id: Option<Uuid>,
    pub version: i64,
    pub deleted: bool,
    #[sqlx(flatten)]
    pub review: ReviewColumns,
    pub form_version: Option<i64>,
    pub answers: Option<String>,
    pub files: Option<String>,
}

impl ValueRow {
    pub fn into_stored(self) -> StoredValue {
        use crate::domain::indicator::value::ValueSource;
        StoredValue {
            value: IndicatorValue {
                id: self.id,
                project_id: self.project_id,
                indicator: self.indicator,
                indicator_version: u32::try_from(self.indicator_version).unwrap_or(0),
                period: self.period,
                value: self.value,
                // Written from checked values only: unreadable means a hand-edited row.
                cells: serde_json::from_str(&self.cells).unwrap_or_default(),
                source: ValueSource::parse(&self.source).unwrap_or(ValueSource::Estimate),
                evidence: self.evidence,
                status: EntryStatus::parse(&self.status).unwrap_or(EntryStatus::Submitted),
                author_id: self.author_id,
                version: self.version,
                review: self.review.into_note(),
                form: form_answers(self.form_version, self.answers.as_deref()),
                files: super::evidence_list(self.files.as_deref()),
            },
            deleted: self.deleted,
            last_device_id: self.last_device_id,
        }
    }
}

impl Synced for IndicatorValue {
    const TABLE: Table =
        Table::of_project(RecordKind::Value, "indicator_values", "iv", VALUE_COLUMNS)
            .drafts_of("iv.author_id");
    type Row = ValueRow;

    fn stored(row: ValueRow) -> StoredRecord {
        StoredRecord::Value(row.into_stored())
    }
}

impl Written for IndicatorValue {
    type Stored = StoredValue;
    const WRITES: &'static str = "id, project_id, indicator, indicator_version, period, value, \
        cells, source, evidence, status, author_id, last_device_id, version, deleted, \
        review_decision, review_comment, reviewed_by, reviewed_at, form_version, answers, files";
    const UPDATES: &'static str = "indicator_version, value, cells, source, evidence, status, \
        last_device_id, version, deleted, review_decision, review_comment, reviewed_by, \
        reviewed_at, form_version, answers, files";

    fn cells(v: &StoredValue) -> Result<Vec<Cell>, DbError> {
        let value = &v.value;
        let mut cells = vec![
            value.id.into(),
            value.project_id.into(),
            value.indicator.clone().into(),
            i64::from(value.indicator_version).into(),
            value.period.clone().into(),
            value.value.into(),
            serde_json::to_string(&value.cells)
                .unwrap_or_else(|_| "[]".into())
                .into(),
            value.source.as_str().into(),
            value.evidence.clone().into(),
            value.status.as_str().into(),
            value.author_id.into(),
            v.last_device_id.into(),
            value.version.into(),
            v.deleted.into(),
        ];
        cells.extend(review_cells(value.review.as_ref())?);
        cells.extend([
            value.form.as_ref().map(|a| i64::from(a.version)).into(),
            value
                .form
                .as_ref()
                .and_then(|a| serde_json::to_string(&a.answers).ok())
                .into(),
        ]);
        cells.push(super::evidence_text(&value.files).into());
        Ok(cells)
    }
}
