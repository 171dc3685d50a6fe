//! Members of a project, with their private answers (Washington Group, phone, consent) kept for
//! those who may read them.

use super::review::{ReviewColumns, review_cells};
use super::synced::{Cell, Synced, Table, Written};
use super::{MemberRow, day_opt};
use crate::server::db::DbError;
use crate::server::db::store::{StoredMember, StoredRecord};
use crate::sync::protocol::{MemberRecord, RecordKind};
use uuid::Uuid;

/// A member as the push engine loads and writes it.
#[derive(sqlx::FromRow)]
pub(in crate::server::db) struct StoredMemberRow {
    pub project_id: Uuid,
    pub version: i64,
    pub deleted: bool,
    pub last_device_id: Option<Uuid>,
    pub form_version: Option<i64>,
    pub answers: Option<String>,
    #[sqlx(flatten)]
    pub member: MemberRow,
    #[sqlx(flatten)]
    pub review: ReviewColumns,
}

impl StoredMemberRow {
    pub fn into_stored(self) -> StoredMember {
        StoredMember {
            record: MemberRecord {
                project_id: self.project_id,
                version: self.version,
                member: self.member.into_member(true),
                review: self.review.into_note(),
            },
            form_version: self.form_version.and_then(|v| u32::try_from(v).ok()),
            answers: self.answers,
            deleted: self.deleted,
            last_device_id: self.last_device_id,
        }
    }
}

/// The columns of [`StoredMemberRow`], on `members m`.
pub(in crate::server::db) const MEMBER_COLUMNS: &str =
    "m.project_id, m.version, m.deleted, m.last_device_id,
    m.form_version, m.answers, m.id, m.full_name, m.sex, m.birth_year, m.role, m.wg_seeing,
    m.wg_hearing, m.wg_walking, m.wg_cognition, m.wg_self_care, m.wg_communication, m.joined_on,
    m.left_on, m.consent, m.phone, m.review_decision, m.review_comment, m.reviewed_by,
    (select ru.name from users ru where ru.id = m.reviewed_by) as reviewer_name, m.reviewed_at";

impl Synced for MemberRecord {
    const TABLE: Table = Table::of_project(RecordKind::Member, "members", "m", MEMBER_COLUMNS);
    type Row = StoredMemberRow;

    fn stored(row: StoredMemberRow) -> StoredRecord {
        StoredRecord::Member(row.into_stored())
    }
}

impl Written for MemberRecord {
    type Stored = StoredMember;
    const WRITES: &'static str = "id, project_id, full_name, sex, birth_year, role, consent, \
        wg_seeing, wg_hearing, wg_walking, wg_cognition, wg_self_care, wg_communication, \
        joined_on, left_on, phone, form_version, answers, last_device_id, version, deleted, \
        review_decision, review_comment, reviewed_by, reviewed_at";
    const UPDATES: &'static str = "full_name, sex, birth_year, role, consent, wg_seeing, \
        wg_hearing, wg_walking, wg_cognition, wg_self_care, wg_communication, joined_on, left_on, \
        phone, form_version, answers, last_device_id, version, deleted, review_decision, \
        review_comment, reviewed_by, reviewed_at";
    const CHUNK: usize = 100;

    fn cells(m: &StoredMember) -> Result<Vec<Cell>, DbError> {
        let member = &m.record.member;
        let private = member.private.clone().unwrap_or_default();
        let mut cells = vec![
            member.id.into(),
            m.record.project_id.into(),
            member.full_name.clone().into(),
            member.sex.as_str().into(),
            member.birth_year.into(),
            member.role.clone().into(),
            private.consent.into(),
        ];
        cells.extend(
            private
                .wg
                .as_array()
                .map(|answer| Cell::Small(answer.map(|a| a.code() as i32))),
        );
        cells.extend([
            day_opt(member.joined_on.as_deref())?.into(),
            day_opt(member.left_on.as_deref())?.into(),
            private.phone.into(),
            m.form_version.map(i64::from).into(),
            m.answers.clone().into(),
            m.last_device_id.into(),
            m.record.version.into(),
            m.deleted.into(),
        ]);
        cells.extend(review_cells(m.record.review.as_ref())?);
        Ok(cells)
    }
}
