//! Action items agreed at a visit.

use super::day_opt;
use super::synced::{Cell, Synced, Table, Written};
use crate::domain::RecordKind;
use crate::domain::{ActionItem, ActionStatus};
use crate::server::db::DbError;
use crate::server::db::store::{StoredAction, StoredRecord};
use time::Date;
use uuid::Uuid;

/// The columns of [`ActionRow`], on `action_items a`.
pub(in crate::server::db) const ACTION_COLUMNS: &str =
    "a.id, a.project_id, a.visit_id, a.title, a.due_on,
    a.status, a.closed_on, a.author_id, a.last_device_id, a.version, a.deleted";

#[derive(sqlx::FromRow)]
pub(in crate::server::db) struct ActionRow {
    pub id: Uuid,
    pub project_id: Uuid,
    pub visit_id: Option<Uuid>,
    pub title: String,
    pub due_on: Option<Date>,
    pub status: String,
    pub closed_on: Option<Date>,
    pub author_id: Option<Uuid>,
    pub last_device_id: Option<Uuid>,
    pub version: i64,
    pub deleted: bool,
}

impl ActionRow {
    pub fn into_stored(self) -> StoredAction {
        StoredAction {
            item: ActionItem {
                id: self.id,
                project_id: self.project_id,
                visit_id: self.visit_id,
                title: self.title,
                due_on: self.due_on.map(|d| d.to_string()),
                status: ActionStatus::parse(&self.status).unwrap_or(ActionStatus::Open),
                closed_on: self.closed_on.map(|d| d.to_string()),
                author_id: self.author_id,
                version: self.version,
            },
            deleted: self.deleted,
            last_device_id: self.last_device_id,
        }
    }
}

impl Synced for ActionItem {
    const TABLE: Table = Table::of_project(RecordKind::Action, "action_items", "a", ACTION_COLUMNS);
    type Row = ActionRow;

    fn stored(row: ActionRow) -> StoredRecord {
        StoredRecord::Action(row.into_stored())
    }
}

impl Written for ActionItem {
    type Stored = StoredAction;
    const WRITES: &'static str = "id, project_id, visit_id, title, due_on, status, closed_on, \
        author_id, last_device_id, version, deleted";
    const UPDATES: &'static str =
        "title, due_on, status, closed_on, last_device_id, version, deleted";

    fn cells(a: &StoredAction) -> Result<Vec<Cell>, DbError> {
        let i = &a.item;
        Ok(vec![
            i.id.into(),
            i.project_id.into(),
            i.visit_id.into(),
            i.title.clone().into(),
            day_opt(i.due_on.as_deref())?.into(),
            i.status.as_str().into(),
            day_opt(i.closed_on.as_deref())?.into(),
            i.author_id.into(),
            a.last_device_id.into(),
            i.version.into(),
            a.deleted.into(),
        ])
    }
}
