//! Visits: a facilitator's coaching visits, drafts their author's alone.

use super::review::{ReviewColumns, review_cells};
use super::synced::{Cell, Synced, Table, Written};
use super::{day, day_opt, form_answers, join_ids, join_topics, split_ids, split_topics};
use crate::domain::RecordKind;
use crate::domain::{EntryStatus, Snapshot, Visit, VisitFields, VisitMode};
use crate::server::db::DbError;
use crate::server::db::store::{StoredRecord, StoredVisit};
use time::Date;
use uuid::Uuid;

/// The columns of [`VisitRow`], on `visits v`.
pub(in crate::server::db) const VISIT_COLUMNS: &str =
    "v.id, v.project_id, v.facilitator_id, v.visit_on, v.mode,
    v.present_member_ids, v.topics, v.observations, v.difficulties, v.next_visit_on, v.status,
    v.conflict, v.last_device_id, v.version, v.deleted, v.review_decision, v.review_comment,
    v.reviewed_by, (select ru.name from users ru where ru.id = v.reviewed_by) as reviewer_name,
    v.reviewed_at, v.sales_millimes, v.purchases_millimes, v.cash_millimes, v.stock_millimes,
    v.debts_millimes, v.cash_book_up_to_date, v.shock, v.form_version, v.answers, v.files";

#[derive(sqlx::FromRow)]
pub(in crate::server::db) struct VisitRow {
    pub id: Uuid,
    pub project_id: Uuid,
    pub facilitator_id: Option<Uuid>,
    pub visit_on: Date,
    pub mode: String,
    pub present_member_ids: String,
    pub topics: String,
    pub observations: String,
    pub difficulties: String,
    pub next_visit_on: Option<Date>,
    pub status: String,
    pub conflict: bool,
    pub last_device_id: Option<Uuid>,
    pub version: i64,
    pub deleted: bool,
    #[sqlx(flatten)]
    pub review: ReviewColumns,
    pub sales_millimes: Option<i64>,
    pub purchases_millimes: Option<i64>,
    pub cash_millimes: Option<i64>,
    pub stock_millimes: Option<i64>,
    pub debts_millimes: Option<i64>,
    pub cash_book_up_to_date: Option<bool>,
    pub shock: String,
    pub form_version: Option<i64>,
    pub answers: Option<String>,
    pub files: Option<String>,
}

impl VisitRow {
    pub fn into_stored(self) -> StoredVisit {
        StoredVisit {
            visit: Visit {
                id: self.id,
                fields: VisitFields {
                    project_id: self.project_id,
                    visit_on: self.visit_on.to_string(),
                    mode: VisitMode::parse(&self.mode).unwrap_or(VisitMode::OnSite),
                    present_member_ids: split_ids(&self.present_member_ids),
                    topics: split_topics(&self.topics),
                    observations: self.observations,
                    difficulties: self.difficulties,
                    next_visit_on: self.next_visit_on.map(|d| d.to_string()),
                    status: EntryStatus::parse(&self.status).unwrap_or(EntryStatus::Submitted),
                    snapshot: Snapshot {
                        sales: self.sales_millimes,
                        purchases: self.purchases_millimes,
                        cash: self.cash_millimes,
                        stock: self.stock_millimes,
                        debts: self.debts_millimes,
                        cash_book_up_to_date: self.cash_book_up_to_date,
                        shock: self.shock,
                    },
                    form: form_answers(self.form_version, self.answers.as_deref()),
                    files: super::evidence_list(self.files.as_deref()),
                },
                author_id: self.facilitator_id,
                version: self.version,
                conflict: self.conflict,
                review: self.review.into_note(),
            },
            deleted: self.deleted,
            last_device_id: self.last_device_id,
        }
    }
}

impl Synced for Visit {
    const TABLE: Table = Table::of_project(RecordKind::Visit, "visits", "v", VISIT_COLUMNS)
        .drafts_of("v.facilitator_id");
    type Row = VisitRow;

    fn stored(row: VisitRow) -> StoredRecord {
        StoredRecord::Visit(row.into_stored())
    }
}

impl Written for Visit {
    type Stored = StoredVisit;
    const WRITES: &'static str = "id, project_id, facilitator_id, visit_on, mode, \
        present_member_ids, topics, observations, difficulties, next_visit_on, status, conflict, \
        last_device_id, version, deleted, review_decision, review_comment, reviewed_by, \
        reviewed_at, sales_millimes, purchases_millimes, cash_millimes, stock_millimes, \
        debts_millimes, cash_book_up_to_date, shock, form_version, answers, files";
    const UPDATES: &'static str = "visit_on, mode, present_member_ids, topics, observations, \
        difficulties, next_visit_on, status, conflict, last_device_id, version, deleted, \
        review_decision, review_comment, reviewed_by, reviewed_at, sales_millimes, \
        purchases_millimes, cash_millimes, stock_millimes, debts_millimes, cash_book_up_to_date, \
        shock, form_version, answers, files";

    fn cells(v: &StoredVisit) -> Result<Vec<Cell>, DbError> {
        let f = &v.visit.fields;
        let mut cells = vec![
            v.visit.id.into(),
            f.project_id.into(),
            v.visit.author_id.into(),
            day(&f.visit_on)?.into(),
            f.mode.as_str().into(),
            join_ids(&f.present_member_ids).into(),
            join_topics(&f.topics).into(),
            f.observations.clone().into(),
            f.difficulties.clone().into(),
            day_opt(f.next_visit_on.as_deref())?.into(),
            f.status.as_str().into(),
            v.visit.conflict.into(),
            v.last_device_id.into(),
            v.visit.version.into(),
            v.deleted.into(),
        ];
        cells.extend(review_cells(v.visit.review.as_ref())?);
        cells.extend([
            f.snapshot.sales.into(),
            f.snapshot.purchases.into(),
            f.snapshot.cash.into(),
            f.snapshot.stock.into(),
            f.snapshot.debts.into(),
            f.snapshot.cash_book_up_to_date.into(),
            f.snapshot.shock.clone().into(),
            f.form.as_ref().map(|a| i64::from(a.version)).into(),
            f.form
                .as_ref()
                .and_then(|a| serde_json::to_string(&a.answers).ok())
                .into(),
            super::evidence_text(&f.files).into(),
        ]);
        Ok(cells)
    }
}
