//! Projects as phones sync them: what the field may register and change. (Cards and project
//! pages read more, see `registry.rs`.)

use super::synced::{Synced, Table};
use crate::server::db::store::{StoredProject, StoredRecord};
use crate::sync::protocol::{ProjectRecord, RecordKind};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub(in crate::server::db) struct ProjectRow {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub status: String,
    pub legal_form: String,
    pub training_track: String,
    pub kind: String,
    pub value_chain_id: Uuid,
    pub locality_id: Uuid,
    pub call_wave: i32,
    pub version: i64,
    pub deleted: bool,
}

/// The columns of [`ProjectRow`], for a table aliased `p`.
pub(in crate::server::db) const PROJECT_COLUMNS: &str = "p.id, p.code, p.title, p.status, p.legal_form, \
    p.training_track, p.kind, p.value_chain_id, p.locality_id, p.call_wave, p.version, p.deleted";

impl ProjectRow {
    pub fn into_record(self) -> ProjectRecord {
        ProjectRecord {
            id: self.id,
            code: self.code,
            title: self.title,
            version: self.version,
            status: crate::domain::ProjectStatus::parse(&self.status),
            legal_form: self.legal_form,
            training_track: self.training_track,
            origin: crate::domain::ProjectKind::parse(&self.kind).map(|kind| {
                crate::domain::ProjectOrigin {
                    kind,
                    value_chain_id: self.value_chain_id,
                    locality_id: self.locality_id,
                    call_wave: self.call_wave,
                }
            }),
        }
    }
}

impl Synced for ProjectRecord {
    const TABLE: Table = Table {
        draft_owner: None,
        in_project: false,
        order: " order by p.code",
        ..Table::of_project(RecordKind::Project, "projects", "p", PROJECT_COLUMNS)
    };
    type Row = ProjectRow;

    fn stored(row: ProjectRow) -> StoredRecord {
        let deleted = row.deleted;
        StoredRecord::Project(StoredProject {
            record: row.into_record(),
            deleted,
            placement: None,
        })
    }
}
