//! Rows of the synced records (visits, actions, members, milestones, entries, values, projects)
//! and of their review history.

use super::{form_answers, rfc3339, split_ids, split_topics};
use crate::domain::{
    ActionItem, ActionStatus, EntryStatus, FormEntry, ReviewNote, Snapshot, Visit, VisitFields,
    VisitMode,
};
use crate::server::sync::store::{StoredAction, StoredEntry, StoredVisit};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// The columns of [`VisitRow`], on `visits v`.
pub(in crate::server::db) const VISIT_COLUMNS: &str =
    "v.id, v.project_id, v.facilitator_id, v.visit_on, v.mode,
    v.present_member_ids, v.topics, v.observations, v.difficulties, v.next_visit_on, v.status,
    v.conflict, v.last_device_id, v.version, v.deleted, v.review_decision, v.review_comment,
    v.reviewed_by, (select ru.name from users ru where ru.id = v.reviewed_by) as reviewer_name,
    v.reviewed_at, v.sales_millimes, v.purchases_millimes, v.cash_millimes, v.stock_millimes,
    v.debts_millimes, v.cash_book_up_to_date, v.shock, v.form_version, v.answers";

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
    pub review_decision: Option<String>,
    pub review_comment: String,
    pub reviewed_by: Option<Uuid>,
    pub reviewer_name: Option<String>,
    pub reviewed_at: Option<OffsetDateTime>,
    pub sales_millimes: Option<i64>,
    pub purchases_millimes: Option<i64>,
    pub cash_millimes: Option<i64>,
    pub stock_millimes: Option<i64>,
    pub debts_millimes: Option<i64>,
    pub cash_book_up_to_date: Option<bool>,
    pub shock: String,
    pub form_version: Option<i64>,
    pub answers: Option<String>,
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
                },
                author_id: self.facilitator_id,
                version: self.version,
                conflict: self.conflict,
                review: review_note(
                    self.review_decision.as_deref(),
                    self.review_comment,
                    self.reviewed_by,
                    self.reviewer_name,
                    self.reviewed_at,
                ),
            },
            deleted: self.deleted,
            last_device_id: self.last_device_id,
        }
    }
}

/// The columns of [`EntryRow`], on `form_entries e`.
pub(in crate::server::db) const ENTRY_COLUMNS: &str =
    "e.id, e.project_id, e.form_id, e.form_version, e.status,
    e.answers, e.author_id, e.last_device_id, e.version, e.deleted, e.review_decision,
    e.review_comment, e.reviewed_by, (select ru.name from users ru where ru.id = e.reviewed_by)
    as reviewer_name, e.reviewed_at";

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
    pub review_decision: Option<String>,
    pub review_comment: String,
    pub reviewed_by: Option<Uuid>,
    pub reviewer_name: Option<String>,
    pub reviewed_at: Option<OffsetDateTime>,
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
                review: review_note(
                    self.review_decision.as_deref(),
                    self.review_comment,
                    self.reviewed_by,
                    self.reviewer_name,
                    self.reviewed_at,
                ),
            },
            deleted: self.deleted,
            last_device_id: self.last_device_id,
        }
    }
}

/// The columns of [`ValueRow`], on `indicator_values iv`.
pub(in crate::server::db) const VALUE_COLUMNS: &str =
    "iv.id, iv.project_id, iv.indicator, iv.indicator_version,
    iv.period, iv.value, iv.cells, iv.source, iv.evidence, iv.status, iv.author_id,
    iv.last_device_id, iv.version, iv.deleted, iv.review_decision, iv.review_comment,
    iv.reviewed_by, (select ru.name from users ru where ru.id = iv.reviewed_by) as reviewer_name,
    iv.reviewed_at, iv.form_version, iv.answers";

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
}

impl ValueRow {
    pub fn into_stored(self) -> crate::server::sync::store::StoredValue {
        use crate::domain::indicator::value::{IndicatorValue, ValueSource};
        crate::server::sync::store::StoredValue {
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
            },
            deleted: self.deleted,
            last_device_id: self.last_device_id,
        }
    }
}

/// The columns of [`MilestoneRow`], on `milestones ms`.
pub(in crate::server::db) const MILESTONE_COLUMNS: &str =
    "ms.id, ms.project_id, ms.kind, ms.label, ms.due_on,
    ms.achieved_on, ms.version, ms.deleted, ms.last_device_id, ms.review_decision,
    ms.review_comment, ms.reviewed_by,
    (select ru.name from users ru where ru.id = ms.reviewed_by) as reviewer_name, ms.reviewed_at";

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
}

impl MilestoneRow {
    pub fn into_stored(self) -> crate::server::sync::store::StoredMilestone {
        crate::server::sync::store::StoredMilestone {
            milestone: crate::domain::Milestone {
                id: self.id,
                project_id: self.project_id,
                kind: self.kind,
                label: self.label,
                due_on: self.due_on.map(|d| d.to_string()),
                achieved_on: self.achieved_on.map(|d| d.to_string()),
                version: self.version,
                review: self.review.into_note(),
            },
            deleted: self.deleted,
            last_device_id: self.last_device_id,
        }
    }
}

/// A submitted entry with what the review queue shows beside it.
#[derive(sqlx::FromRow)]
pub(in crate::server::db) struct EntryQueueRow {
    #[sqlx(flatten)]
    pub entry: EntryRow,
    pub project_code: String,
    pub project_title: String,
    pub incubator: String,
    pub vc_fr: String,
    pub vc_ar: String,
    pub vc_en: String,
    pub facilitator: Option<String>,
    pub updated_at: OffsetDateTime,
}

/// A review as a row keeps it, when there is one.
fn review_note(
    decision: Option<&str>,
    comment: String,
    by: Option<Uuid>,
    by_name: Option<String>,
    at: Option<OffsetDateTime>,
) -> Option<ReviewNote> {
    match (decision.and_then(EntryStatus::parse), at) {
        (Some(decision), Some(at)) => Some(ReviewNote {
            decision,
            comment,
            by,
            by_name: by_name.unwrap_or_default(),
            at: rfc3339(at),
        }),
        _ => None,
    }
}

/// A review decision kept on a member's or a milestone's row (`review_*` columns).
#[derive(sqlx::FromRow)]
pub(in crate::server::db) struct ReviewColumns {
    pub review_decision: Option<String>,
    pub review_comment: String,
    pub reviewed_by: Option<Uuid>,
    pub reviewer_name: Option<String>,
    pub reviewed_at: Option<OffsetDateTime>,
}

impl ReviewColumns {
    pub fn into_note(self) -> Option<ReviewNote> {
        review_note(
            self.review_decision.as_deref(),
            self.review_comment,
            self.reviewed_by,
            self.reviewer_name,
            self.reviewed_at,
        )
    }
}

/// A visit in conflict, with what the supervisor reads beside it.
#[derive(sqlx::FromRow)]
pub(in crate::server::db) struct ConflictVisitRow {
    #[sqlx(flatten)]
    pub visit: VisitRow,
    pub project_code: String,
    pub project_title: String,
    pub author: Option<String>,
    pub updated_at: OffsetDateTime,
}

/// A visit waiting for review, with what the queue shows and filters by.
#[derive(sqlx::FromRow)]
pub(in crate::server::db) struct QueueRow {
    #[sqlx(flatten)]
    pub visit: VisitRow,
    pub project_code: String,
    pub project_title: String,
    pub incubator: String,
    pub vc_fr: String,
    pub vc_ar: String,
    pub vc_en: String,
    pub facilitator: Option<String>,
    pub updated_at: OffsetDateTime,
}

/// Revisions and reviews in the order they happened: a review comes after the version it
/// reviewed and before the next one.
pub(in crate::server::db) fn history(
    kind: crate::sync::protocol::RecordKind,
    revisions: Vec<(i64, String, OffsetDateTime, String, String)>,
    reviews: Vec<(i64, String, String, String, OffsetDateTime)>,
) -> Vec<crate::domain::HistoryEvent> {
    use crate::domain::HistoryEvent;
    use crate::sync::protocol::RecordKind;
    let mut events: Vec<(i64, u8, HistoryEvent)> = revisions
        .into_iter()
        .filter_map(|(version, by, at, status, content)| {
            let at = rfc3339(at);
            use crate::domain::registry::RegistryRecord;
            let registry = |record| HistoryEvent::Registry {
                version,
                by: by.clone(),
                at: at.clone(),
                record: Box::new(record),
            };
            let event = match kind {
                RecordKind::Entry => HistoryEvent::Answers {
                    version,
                    by,
                    at,
                    status: EntryStatus::parse(&status)?,
                    answers: serde_json::from_str(&content).ok()?,
                },
                RecordKind::Member => {
                    registry(RegistryRecord::Member(serde_json::from_str(&content).ok()?))
                }
                RecordKind::Milestone => registry(RegistryRecord::Milestone(
                    serde_json::from_str(&content).ok()?,
                )),
                RecordKind::Value => {
                    registry(RegistryRecord::Value(serde_json::from_str(&content).ok()?))
                }
                _ => HistoryEvent::Revision {
                    version,
                    by,
                    at,
                    fields: Box::new(serde_json::from_str(&content).ok()?),
                },
            };
            Some((version, 0, event))
        })
        .collect();
    events.extend(
        reviews
            .into_iter()
            .filter_map(|(version, decision, comment, by, at)| {
                let decision = EntryStatus::parse(&decision)?;
                Some((
                    version,
                    1,
                    HistoryEvent::Review {
                        decision,
                        comment,
                        by,
                        at: rfc3339(at),
                    },
                ))
            }),
    );
    events.sort_by_key(|(version, order, _)| (*version, *order));
    events.into_iter().map(|(_, _, e)| e).collect()
}

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

#[derive(sqlx::FromRow)]
pub(in crate::server::db) struct PulledProject {
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

/// The columns of [`PulledProject`], for a table aliased `p`.
pub(in crate::server::db) const PROJECT_COLUMNS: &str = "p.id, p.code, p.title, p.status, p.legal_form, \
    p.training_track, p.kind, p.value_chain_id, p.locality_id, p.call_wave, p.version, p.deleted";

impl PulledProject {
    pub fn into_record(self) -> crate::sync::protocol::ProjectRecord {
        crate::sync::protocol::ProjectRecord {
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

#[derive(sqlx::FromRow)]
pub(in crate::server::db) struct PulledMember {
    pub project_id: Uuid,
    pub version: i64,
    pub deleted: bool,
    #[sqlx(flatten)]
    pub member: super::MemberRow,
    #[sqlx(flatten)]
    pub review: ReviewColumns,
}

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
    pub member: super::MemberRow,
    #[sqlx(flatten)]
    pub review: ReviewColumns,
}

impl StoredMemberRow {
    pub fn into_stored(self) -> crate::server::sync::store::StoredMember {
        crate::server::sync::store::StoredMember {
            record: crate::sync::protocol::MemberRecord {
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
