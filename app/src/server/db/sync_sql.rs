//! Sync on SQL: the push transaction ([`SyncStore`]) and the pull snapshot, for both engines.
//!
//! Like `queries`, one macro expands the same SQL for SQLite and PostgreSQL; only the start of a
//! transaction differs. SQLite pushes begin with `BEGIN IMMEDIATE`, taking the write lock up
//! front (a deferred transaction that reads first could fail to upgrade to writing under
//! contention); its `synchronous=FULL` makes every commit durable before the answer goes out.
//! Within one process, SQLite's hot writes (pushes and heartbeats) also wait their turn in line
//! (`write_turn`): SQLite's own busy handler makes a blocked writer sleep and poll, which under a
//! few hundred writes a second put whole sleeps of up to 100 ms into the slowest answers.
//! PostgreSQL locks the client's row (`for update`), so two instances serialise one client's
//! pushes, and the counter row serialises versions, so a pull never skips a later-committed
//! lower version; pulls read from one `repeatable read` snapshot.

use crate::domain::{
    ActionItem, ActionStatus, EntryStatus, FormEntry, ReviewNote, Snapshot, Topic, Visit,
    VisitFields, VisitMode,
};
use crate::server::db::DbError;
use crate::server::sync::store::{StoredAction, StoredEntry, StoredVisit};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

pub(super) fn day(iso: &str) -> Result<Date, DbError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(iso, &format).map_err(|_| DbError::Value(format!("not a day: {iso:?}")))
}

pub(super) fn day_opt(iso: Option<&str>) -> Result<Option<Date>, DbError> {
    iso.map(day).transpose()
}

pub(super) fn from_unix_ms(ms: Option<i64>) -> Option<OffsetDateTime> {
    ms.and_then(|ms| OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok())
}

pub(super) fn unix_ms(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
}

pub(super) fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// When a review was made, as the database keeps it.
pub(super) fn review_at(review: Option<&ReviewNote>) -> Result<Option<OffsetDateTime>, DbError> {
    review
        .map(|r| {
            OffsetDateTime::parse(&r.at, &time::format_description::well_known::Rfc3339)
                .map_err(|_| DbError::Value(format!("not a time: {:?}", r.at)))
        })
        .transpose()
}

pub(super) fn join_ids(ids: &[Uuid]) -> String {
    ids.iter()
        .map(Uuid::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn split_ids(text: &str) -> Vec<Uuid> {
    text.split(',').filter_map(|s| s.parse().ok()).collect()
}

pub(super) fn join_topics(topics: &[Topic]) -> String {
    topics
        .iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn split_topics(text: &str) -> Vec<Topic> {
    text.split(',').filter_map(Topic::parse).collect()
}

/// An entry's form answers as stored (a visit's, an indicator value's): both columns or neither.
fn form_answers(version: Option<i64>, answers: Option<&str>) -> Option<crate::domain::FormAnswers> {
    Some(crate::domain::FormAnswers {
        version: u32::try_from(version?).ok()?,
        answers: serde_json::from_str(answers?).ok()?,
    })
}

/// The columns of [`VisitRow`], on `visits v`.
pub(super) const VISIT_COLUMNS: &str = "v.id, v.project_id, v.facilitator_id, v.visit_on, v.mode,
    v.present_member_ids, v.topics, v.observations, v.difficulties, v.next_visit_on, v.status,
    v.conflict, v.last_device_id, v.version, v.deleted, v.review_decision, v.review_comment,
    v.reviewed_by, (select ru.name from users ru where ru.id = v.reviewed_by) as reviewer_name,
    v.reviewed_at, v.sales_millimes, v.purchases_millimes, v.cash_millimes, v.stock_millimes,
    v.debts_millimes, v.cash_book_up_to_date, v.shock, v.form_version, v.answers";

#[derive(sqlx::FromRow)]
pub(super) struct VisitRow {
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
pub(super) const ENTRY_COLUMNS: &str = "e.id, e.project_id, e.form_id, e.form_version, e.status,
    e.answers, e.author_id, e.last_device_id, e.version, e.deleted, e.review_decision,
    e.review_comment, e.reviewed_by, (select ru.name from users ru where ru.id = e.reviewed_by)
    as reviewer_name, e.reviewed_at";

#[derive(sqlx::FromRow)]
pub(super) struct EntryRow {
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
pub(super) const VALUE_COLUMNS: &str = "iv.id, iv.project_id, iv.indicator, iv.indicator_version,
    iv.period, iv.value, iv.cells, iv.source, iv.evidence, iv.status, iv.author_id,
    iv.last_device_id, iv.version, iv.deleted, iv.review_decision, iv.review_comment,
    iv.reviewed_by, (select ru.name from users ru where ru.id = iv.reviewed_by) as reviewer_name,
    iv.reviewed_at, iv.form_version, iv.answers";

#[derive(sqlx::FromRow)]
pub(super) struct ValueRow {
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
pub(super) const MILESTONE_COLUMNS: &str = "ms.id, ms.project_id, ms.kind, ms.label, ms.due_on,
    ms.achieved_on, ms.version, ms.deleted, ms.last_device_id, ms.review_decision,
    ms.review_comment, ms.reviewed_by,
    (select ru.name from users ru where ru.id = ms.reviewed_by) as reviewer_name, ms.reviewed_at";

#[derive(sqlx::FromRow)]
pub(super) struct MilestoneRow {
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
pub(super) struct EntryQueueRow {
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
pub(super) struct ReviewColumns {
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
pub(super) struct ConflictVisitRow {
    #[sqlx(flatten)]
    pub visit: VisitRow,
    pub project_code: String,
    pub project_title: String,
    pub author: Option<String>,
    pub updated_at: OffsetDateTime,
}

/// A visit waiting for review, with what the queue shows and filters by.
#[derive(sqlx::FromRow)]
pub(super) struct QueueRow {
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
pub(super) fn history(
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
pub(super) const ACTION_COLUMNS: &str = "a.id, a.project_id, a.visit_id, a.title, a.due_on,
    a.status, a.closed_on, a.author_id, a.last_device_id, a.version, a.deleted";

#[derive(sqlx::FromRow)]
pub(super) struct ActionRow {
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
pub(super) struct PulledProject {
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
pub(super) const PROJECT_COLUMNS: &str = "p.id, p.code, p.title, p.status, p.legal_form, \
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
pub(super) struct PulledMember {
    pub project_id: Uuid,
    pub version: i64,
    pub deleted: bool,
    #[sqlx(flatten)]
    pub member: super::queries::MemberRow,
    #[sqlx(flatten)]
    pub review: ReviewColumns,
}

/// A member as the push engine loads and writes it.
#[derive(sqlx::FromRow)]
pub(super) struct StoredMemberRow {
    pub project_id: Uuid,
    pub version: i64,
    pub deleted: bool,
    pub last_device_id: Option<Uuid>,
    pub form_version: Option<i64>,
    pub answers: Option<String>,
    #[sqlx(flatten)]
    pub member: super::queries::MemberRow,
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
pub(super) const MEMBER_COLUMNS: &str = "m.project_id, m.version, m.deleted, m.last_device_id,
    m.form_version, m.answers, m.id, m.full_name, m.sex, m.birth_year, m.role, m.wg_seeing,
    m.wg_hearing, m.wg_walking, m.wg_cognition, m.wg_self_care, m.wg_communication, m.joined_on,
    m.left_on, m.consent, m.phone, m.review_decision, m.review_comment, m.reviewed_by,
    (select ru.name from users ru where ru.id = m.reviewed_by) as reviewer_name, m.reviewed_at";

pub(super) use super::queries::SCOPE_PREDICATE;

/// Expands to the push transaction type `$tx` over `$sqlx_db`, and the sync methods of the
/// `Database` impl of `$db` (called from `impl_database!`).
macro_rules! impl_sync {
    ($db:ty, $tx:ident, $sqlx_db:ty, $engine:expr) => {
        pub struct $tx {
            tx: sqlx::Transaction<'static, $sqlx_db>,
            /// This process's turn to write, held until the transaction ends (SQLite only).
            _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
        }

        #[async_trait::async_trait]
        impl $crate::server::sync::SyncStore for $tx {
            async fn lock_client(
                &mut self,
                id: uuid::Uuid,
                user: uuid::Uuid,
                device: uuid::Uuid,
            ) -> Result<$crate::server::sync::store::ClientRow, $crate::server::db::DbError> {
                let now = $crate::server::db::queries::trunc(time::OffsetDateTime::now_utc());
                sqlx::query(
                    "insert into sync_clients (id, user_id, device_id, last_seq, last_seen_at,
                                               created_at, updated_at)
                     values ($1, $2, $3, 0, $4, $4, $4) on conflict (id) do nothing",
                )
                .bind(id)
                .bind(user)
                .bind(device)
                .bind(now)
                .execute(&mut *self.tx)
                .await?;
                let sql = if $engine == $crate::server::db::Engine::Postgres {
                    "select user_id, last_seq from sync_clients where id = $1 for update"
                } else {
                    "select user_id, last_seq from sync_clients where id = $1"
                };
                let (user_id, last_seq): (uuid::Uuid, i64) =
                    sqlx::query_as(sql).bind(id).fetch_one(&mut *self.tx).await?;
                Ok($crate::server::sync::store::ClientRow {
                    id,
                    user_id,
                    last_seq: u64::try_from(last_seq).unwrap_or(0),
                    heartbeat: Default::default(),
                })
            }

            async fn save_client(
                &mut self,
                client: &$crate::server::sync::store::ClientRow,
            ) -> Result<(), $crate::server::db::DbError> {
                save_client(&mut *self.tx, client, true).await
            }

            async fn next_version(&mut self) -> Result<i64, $crate::server::db::DbError> {
                let now = $crate::server::db::queries::trunc(time::OffsetDateTime::now_utc());
                Ok(sqlx::query_scalar(
                    "update sync_version set value = value + 1, updated_at = $1 where id = 1
                     returning value",
                )
                .bind(now)
                .fetch_one(&mut *self.tx)
                .await?)
            }

            async fn forms(&mut self) -> Result<$crate::domain::form::FormSet, $crate::server::db::DbError> {
                let rows: Vec<(String, i64, String)> =
                    sqlx::query_as("select id, version, definition from forms order by id, version")
                        .fetch_all(&mut *self.tx)
                        .await?;
                let mut forms = Vec::with_capacity(rows.len());
                for (id, version, text) in rows {
                    forms.push(serde_json::from_str(&text).map_err(|e| {
                        $crate::server::db::DbError::Value(format!("form {id} version {version}: {e}"))
                    })?);
                }
                Ok($crate::domain::form::FormSet::from_versions(forms))
            }

            async fn writable_projects(
                &mut self,
                scope: $crate::server::db::ProjectScope,
            ) -> Result<std::collections::HashSet<uuid::Uuid>, $crate::server::db::DbError> {
                let (kind, user) = $crate::server::db::queries::scope_binds(scope);
                let sql = format!(
                    "select p.id from projects p where p.deleted = false and {}",
                    $crate::server::db::sync_sql::SCOPE_PREDICATE
                );
                let ids: Vec<uuid::Uuid> = sqlx::query_scalar(&sql)
                    .bind(kind)
                    .bind(user)
                    .fetch_all(&mut *self.tx)
                    .await?;
                Ok(ids.into_iter().collect())
            }

            async fn catalogue(
                &mut self,
            ) -> Result<$crate::server::sync::store::Catalogue, $crate::server::db::DbError> {
                let rows: Vec<String> = sqlx::query_scalar("select definition from indicator_definitions")
                    .fetch_all(&mut *self.tx)
                    .await?;
                let indicators = rows
                    .iter()
                    .map(|text| serde_json::from_str(text).map_err(|e| $crate::server::db::DbError::Value(e.to_string())))
                    .collect::<Result<Vec<_>, _>>()?;
                let chains: Vec<(uuid::Uuid, String)> = sqlx::query_as(
                    "select p.id, vc.code from projects p join value_chains vc on vc.id = p.value_chain_id",
                )
                .fetch_all(&mut *self.tx)
                .await?;
                let locked: Vec<String> =
                    sqlx::query_scalar("select period from reporting_periods where status = 'locked'")
                        .fetch_all(&mut *self.tx)
                        .await?;
                Ok($crate::server::sync::store::Catalogue {
                    indicators,
                    project_chains: chains.into_iter().collect(),
                    locked: locked.into_iter().collect(),
                })
            }

            async fn incubator_of(
                &mut self,
                user: uuid::Uuid,
            ) -> Result<Option<uuid::Uuid>, $crate::server::db::DbError> {
                Ok(sqlx::query_scalar(
                    "select o.id from users u join organisations o on o.id = u.organisation_id
                      where u.id = $1 and o.kind = 'incubator'",
                )
                .bind(user)
                .fetch_optional(&mut *self.tx)
                .await?)
            }

            async fn load(
                &mut self,
                keys: &[($crate::sync::protocol::RecordKind, uuid::Uuid)],
            ) -> Result<Vec<$crate::server::sync::store::StoredRecord>, $crate::server::db::DbError> {
                use $crate::server::db::sync_sql::{ACTION_COLUMNS, ActionRow, VISIT_COLUMNS, VisitRow};
                use $crate::server::sync::store::StoredRecord;
                use $crate::sync::protocol::RecordKind;
                let ids_of = |kind| keys.iter().filter(|(k, _)| *k == kind).map(|(_, id)| *id).collect::<Vec<_>>();
                let mut out = Vec::new();
                for chunk in ids_of(RecordKind::Visit).chunks($crate::server::db::queries::INSERT_CHUNK) {
                    let mut q = sqlx::QueryBuilder::new(format!("select {VISIT_COLUMNS} from visits v where v.id in ("));
                    let mut list = q.separated(", ");
                    for id in chunk {
                        list.push_bind(*id);
                    }
                    q.push(")");
                    let rows: Vec<VisitRow> = q.build_query_as().fetch_all(&mut *self.tx).await?;
                    out.extend(rows.into_iter().map(|r| StoredRecord::Visit(r.into_stored())));
                }
                for chunk in ids_of(RecordKind::Action).chunks($crate::server::db::queries::INSERT_CHUNK) {
                    let mut q = sqlx::QueryBuilder::new(format!("select {ACTION_COLUMNS} from action_items a where a.id in ("));
                    let mut list = q.separated(", ");
                    for id in chunk {
                        list.push_bind(*id);
                    }
                    q.push(")");
                    let rows: Vec<ActionRow> = q.build_query_as().fetch_all(&mut *self.tx).await?;
                    out.extend(rows.into_iter().map(|r| StoredRecord::Action(r.into_stored())));
                }
                for chunk in ids_of(RecordKind::Member).chunks($crate::server::db::queries::INSERT_CHUNK) {
                    use $crate::server::db::sync_sql::{MEMBER_COLUMNS, StoredMemberRow};
                    let mut q = sqlx::QueryBuilder::new(format!("select {MEMBER_COLUMNS} from members m where m.id in ("));
                    let mut list = q.separated(", ");
                    for id in chunk {
                        list.push_bind(*id);
                    }
                    q.push(")");
                    let rows: Vec<StoredMemberRow> = q.build_query_as().fetch_all(&mut *self.tx).await?;
                    out.extend(rows.into_iter().map(|r| StoredRecord::Member(r.into_stored())));
                }
                for chunk in ids_of(RecordKind::Project).chunks($crate::server::db::queries::INSERT_CHUNK) {
                    use $crate::server::db::sync_sql::{PROJECT_COLUMNS, PulledProject};
                    let mut q = sqlx::QueryBuilder::new(format!(
                        "select {PROJECT_COLUMNS} from projects p where p.id in ("
                    ));
                    let mut list = q.separated(", ");
                    for id in chunk {
                        list.push_bind(*id);
                    }
                    q.push(")");
                    let rows: Vec<PulledProject> = q.build_query_as().fetch_all(&mut *self.tx).await?;
                    out.extend(rows.into_iter().map(|r| {
                        let deleted = r.deleted;
                        StoredRecord::Project($crate::server::sync::store::StoredProject { record: r.into_record(), deleted, placement: None })
                    }));
                }
                for chunk in ids_of(RecordKind::Milestone).chunks($crate::server::db::queries::INSERT_CHUNK) {
                    use $crate::server::db::sync_sql::{MILESTONE_COLUMNS, MilestoneRow};
                    let mut q = sqlx::QueryBuilder::new(format!("select {MILESTONE_COLUMNS} from milestones ms where ms.id in ("));
                    let mut list = q.separated(", ");
                    for id in chunk {
                        list.push_bind(*id);
                    }
                    q.push(")");
                    let rows: Vec<MilestoneRow> = q.build_query_as().fetch_all(&mut *self.tx).await?;
                    out.extend(rows.into_iter().map(|r| StoredRecord::Milestone(r.into_stored())));
                }
                for chunk in ids_of(RecordKind::Entry).chunks($crate::server::db::queries::INSERT_CHUNK) {
                    use $crate::server::db::sync_sql::{ENTRY_COLUMNS, EntryRow};
                    let mut q = sqlx::QueryBuilder::new(format!("select {ENTRY_COLUMNS} from form_entries e where e.id in ("));
                    let mut list = q.separated(", ");
                    for id in chunk {
                        list.push_bind(*id);
                    }
                    q.push(")");
                    let rows: Vec<EntryRow> = q.build_query_as().fetch_all(&mut *self.tx).await?;
                    out.extend(rows.into_iter().map(|r| StoredRecord::Entry(r.into_stored())));
                }
                for chunk in ids_of(RecordKind::Value).chunks($crate::server::db::queries::INSERT_CHUNK) {
                    use $crate::server::db::sync_sql::{VALUE_COLUMNS, ValueRow};
                    let mut q = sqlx::QueryBuilder::new(format!("select {VALUE_COLUMNS} from indicator_values iv where iv.id in ("));
                    let mut list = q.separated(", ");
                    for id in chunk {
                        list.push_bind(*id);
                    }
                    q.push(")");
                    let rows: Vec<ValueRow> = q.build_query_as().fetch_all(&mut *self.tx).await?;
                    out.extend(rows.into_iter().map(|r| StoredRecord::Value(r.into_stored())));
                }
                Ok(out)
            }

            async fn write(
                &mut self,
                changes: $crate::server::sync::store::Changes<'_>,
            ) -> Result<(), $crate::server::db::DbError> {
                use $crate::server::db::sync_sql::{day, day_opt, join_ids, join_topics, review_at};
                let $crate::server::sync::store::Changes { records, conflicts, revisions } = changes;
                use $crate::server::sync::store::StoredRecord;
                let now = $crate::server::db::queries::trunc(time::OffsetDateTime::now_utc());
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
                            .execute(&mut *self.tx)
                            .await?;
                            continue;
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
                        .execute(&mut *self.tx)
                        .await?;
                    }
                }
                let visits: Vec<_> = records.iter().filter_map(|r| match r {
                    StoredRecord::Visit(v) => Some(v),
                    _ => None,
                }).collect();
                for chunk in visits.chunks(200) {
                    // Dates are checked before any query, so a bad one never half-builds a statement.
                    let mut days = Vec::with_capacity(chunk.len());
                    for v in chunk {
                        days.push((
                            day(&v.visit.fields.visit_on)?,
                            day_opt(v.visit.fields.next_visit_on.as_deref())?,
                            review_at(v.visit.review.as_ref())?,
                        ));
                    }
                    let mut q = sqlx::QueryBuilder::new(
                        "insert into visits (id, project_id, facilitator_id, visit_on, mode,
                            present_member_ids, topics, observations, difficulties, next_visit_on,
                            status, conflict, last_device_id, version, deleted, review_decision,
                            review_comment, reviewed_by, reviewed_at, sales_millimes, purchases_millimes,
                            cash_millimes, stock_millimes, debts_millimes, cash_book_up_to_date, shock,
                            form_version, answers, created_at, updated_at) ",
                    );
                    q.push_values(chunk.iter().zip(days), |mut b, (v, (visit_on, next, reviewed_at))| {
                        let f = &v.visit.fields;
                        let review = v.visit.review.as_ref();
                        b.push_bind(v.visit.id).push_bind(f.project_id).push_bind(v.visit.author_id)
                            .push_bind(visit_on).push_bind(f.mode.as_str())
                            .push_bind(join_ids(&f.present_member_ids)).push_bind(join_topics(&f.topics))
                            .push_bind(f.observations.clone()).push_bind(f.difficulties.clone())
                            .push_bind(next).push_bind(f.status.as_str()).push_bind(v.visit.conflict)
                            .push_bind(v.last_device_id).push_bind(v.visit.version).push_bind(v.deleted)
                            .push_bind(review.map(|r| r.decision.as_str()))
                            .push_bind(review.map(|r| r.comment.clone()).unwrap_or_default())
                            .push_bind(review.and_then(|r| r.by)).push_bind(reviewed_at)
                            .push_bind(f.snapshot.sales).push_bind(f.snapshot.purchases)
                            .push_bind(f.snapshot.cash).push_bind(f.snapshot.stock).push_bind(f.snapshot.debts)
                            .push_bind(f.snapshot.cash_book_up_to_date).push_bind(f.snapshot.shock.clone())
                            .push_bind(f.form.as_ref().map(|a| i64::from(a.version)))
                            .push_bind(f.form.as_ref().and_then(|a| serde_json::to_string(&a.answers).ok()))
                            .push_bind(now).push_bind(now);
                    });
                    q.push(
                        " on conflict (id) do update set visit_on = excluded.visit_on,
                            mode = excluded.mode, present_member_ids = excluded.present_member_ids,
                            topics = excluded.topics, observations = excluded.observations,
                            difficulties = excluded.difficulties, next_visit_on = excluded.next_visit_on,
                            status = excluded.status, conflict = excluded.conflict,
                            last_device_id = excluded.last_device_id, version = excluded.version,
                            deleted = excluded.deleted, review_decision = excluded.review_decision,
                            review_comment = excluded.review_comment, reviewed_by = excluded.reviewed_by,
                            reviewed_at = excluded.reviewed_at, sales_millimes = excluded.sales_millimes,
                            purchases_millimes = excluded.purchases_millimes,
                            cash_millimes = excluded.cash_millimes, stock_millimes = excluded.stock_millimes,
                            debts_millimes = excluded.debts_millimes,
                            cash_book_up_to_date = excluded.cash_book_up_to_date, shock = excluded.shock,
                            form_version = excluded.form_version, answers = excluded.answers,
                            updated_at = excluded.updated_at",
                    );
                    q.build().execute(&mut *self.tx).await?;
                }
                let actions: Vec<_> = records.iter().filter_map(|r| match r {
                    StoredRecord::Action(a) => Some(a),
                    _ => None,
                }).collect();
                for chunk in actions.chunks(200) {
                    let mut days = Vec::with_capacity(chunk.len());
                    for a in chunk {
                        days.push((day_opt(a.item.due_on.as_deref())?, day_opt(a.item.closed_on.as_deref())?));
                    }
                    let mut q = sqlx::QueryBuilder::new(
                        "insert into action_items (id, project_id, visit_id, title, due_on, status,
                            closed_on, author_id, last_device_id, version, deleted, created_at, updated_at) ",
                    );
                    q.push_values(chunk.iter().zip(days), |mut b, (a, (due, closed))| {
                        let i = &a.item;
                        b.push_bind(i.id).push_bind(i.project_id).push_bind(i.visit_id)
                            .push_bind(i.title.clone()).push_bind(due).push_bind(i.status.as_str())
                            .push_bind(closed).push_bind(i.author_id).push_bind(a.last_device_id)
                            .push_bind(i.version).push_bind(a.deleted).push_bind(now).push_bind(now);
                    });
                    q.push(
                        " on conflict (id) do update set title = excluded.title,
                            due_on = excluded.due_on, status = excluded.status,
                            closed_on = excluded.closed_on, last_device_id = excluded.last_device_id,
                            version = excluded.version, deleted = excluded.deleted,
                            updated_at = excluded.updated_at",
                    );
                    q.build().execute(&mut *self.tx).await?;
                }
                let members: Vec<_> = records.iter().filter_map(|r| match r {
                    StoredRecord::Member(m) => Some(m),
                    _ => None,
                }).collect();
                for chunk in members.chunks(100) {
                    let mut days = Vec::with_capacity(chunk.len());
                    for m in chunk {
                        let member = &m.record.member;
                        days.push((
                            day_opt(member.joined_on.as_deref())?,
                            day_opt(member.left_on.as_deref())?,
                            review_at(m.record.review.as_ref())?,
                        ));
                    }
                    let mut q = sqlx::QueryBuilder::new(
                        "insert into members (id, project_id, full_name, sex, birth_year, role, consent,
                            wg_seeing, wg_hearing, wg_walking, wg_cognition, wg_self_care, wg_communication,
                            joined_on, left_on, phone, form_version, answers, last_device_id, version,
                            deleted, review_decision, review_comment, reviewed_by, reviewed_at,
                            created_at, updated_at) ",
                    );
                    q.push_values(chunk.iter().zip(days), |mut b, (m, (joined, left, reviewed_at))| {
                        let review = m.record.review.as_ref();
                        let member = &m.record.member;
                        let private = member.private.clone().unwrap_or_default();
                        b.push_bind(member.id).push_bind(m.record.project_id).push_bind(member.full_name.clone())
                            .push_bind(member.sex.as_str()).push_bind(member.birth_year).push_bind(member.role.clone())
                            .push_bind(private.consent);
                        for answer in private.wg.as_array() {
                            b.push_bind(answer.map(|a| a.code() as i32));
                        }
                        b.push_bind(joined).push_bind(left).push_bind(private.phone)
                            .push_bind(m.form_version.map(i64::from)).push_bind(m.answers.clone())
                            .push_bind(m.last_device_id).push_bind(m.record.version).push_bind(m.deleted)
                            .push_bind(review.map(|r| r.decision.as_str()))
                            .push_bind(review.map(|r| r.comment.clone()).unwrap_or_default())
                            .push_bind(review.and_then(|r| r.by)).push_bind(reviewed_at)
                            .push_bind(now).push_bind(now);
                    });
                    q.push(
                        " on conflict (id) do update set full_name = excluded.full_name, sex = excluded.sex,
                            birth_year = excluded.birth_year, role = excluded.role, consent = excluded.consent,
                            wg_seeing = excluded.wg_seeing, wg_hearing = excluded.wg_hearing,
                            wg_walking = excluded.wg_walking, wg_cognition = excluded.wg_cognition,
                            wg_self_care = excluded.wg_self_care, wg_communication = excluded.wg_communication,
                            joined_on = excluded.joined_on, left_on = excluded.left_on, phone = excluded.phone,
                            form_version = excluded.form_version, answers = excluded.answers,
                            last_device_id = excluded.last_device_id, version = excluded.version,
                            deleted = excluded.deleted, review_decision = excluded.review_decision,
                            review_comment = excluded.review_comment, reviewed_by = excluded.reviewed_by,
                            reviewed_at = excluded.reviewed_at, updated_at = excluded.updated_at",
                    );
                    q.build().execute(&mut *self.tx).await?;
                }
                let milestones: Vec<_> = records.iter().filter_map(|r| match r {
                    StoredRecord::Milestone(m) => Some(m),
                    _ => None,
                }).collect();
                for chunk in milestones.chunks(200) {
                    let mut days = Vec::with_capacity(chunk.len());
                    for m in chunk {
                        days.push((
                            day_opt(m.milestone.due_on.as_deref())?,
                            day_opt(m.milestone.achieved_on.as_deref())?,
                            review_at(m.milestone.review.as_ref())?,
                        ));
                    }
                    let mut q = sqlx::QueryBuilder::new(
                        "insert into milestones (id, project_id, kind, label, due_on, achieved_on,
                            last_device_id, version, deleted, review_decision, review_comment, reviewed_by,
                            reviewed_at, created_at, updated_at) ",
                    );
                    q.push_values(chunk.iter().zip(days), |mut b, (m, (due, achieved, reviewed_at))| {
                        let ms = &m.milestone;
                        let review = ms.review.as_ref();
                        b.push_bind(ms.id).push_bind(ms.project_id).push_bind(ms.kind.clone())
                            .push_bind(ms.label.clone()).push_bind(due).push_bind(achieved)
                            .push_bind(m.last_device_id).push_bind(ms.version).push_bind(m.deleted)
                            .push_bind(review.map(|r| r.decision.as_str()))
                            .push_bind(review.map(|r| r.comment.clone()).unwrap_or_default())
                            .push_bind(review.and_then(|r| r.by)).push_bind(reviewed_at)
                            .push_bind(now).push_bind(now);
                    });
                    q.push(
                        " on conflict (id) do update set kind = excluded.kind, label = excluded.label,
                            due_on = excluded.due_on, achieved_on = excluded.achieved_on,
                            last_device_id = excluded.last_device_id, version = excluded.version,
                            deleted = excluded.deleted, review_decision = excluded.review_decision,
                            review_comment = excluded.review_comment, reviewed_by = excluded.reviewed_by,
                            reviewed_at = excluded.reviewed_at, updated_at = excluded.updated_at",
                    );
                    q.build().execute(&mut *self.tx).await?;
                }
                let values: Vec<_> = records.iter().filter_map(|r| match r {
                    StoredRecord::Value(v) => Some(v),
                    _ => None,
                }).collect();
                for chunk in values.chunks(200) {
                    let mut reviewed = Vec::with_capacity(chunk.len());
                    for v in chunk {
                        reviewed.push(review_at(v.value.review.as_ref())?);
                    }
                    let mut q = sqlx::QueryBuilder::new(
                        "insert into indicator_values (id, project_id, indicator, indicator_version, period,
                            value, cells, source, evidence, status, author_id, last_device_id, version,
                            deleted, review_decision, review_comment, reviewed_by, reviewed_at,
                            form_version, answers, created_at, updated_at) ",
                    );
                    q.push_values(chunk.iter().zip(reviewed), |mut b, (v, reviewed_at)| {
                        let value = &v.value;
                        let review = value.review.as_ref();
                        b.push_bind(value.id).push_bind(value.project_id).push_bind(value.indicator.clone())
                            .push_bind(i64::from(value.indicator_version)).push_bind(value.period.clone())
                            .push_bind(value.value)
                            .push_bind(serde_json::to_string(&value.cells).unwrap_or_else(|_| "[]".into()))
                            .push_bind(value.source.as_str()).push_bind(value.evidence.clone())
                            .push_bind(value.status.as_str()).push_bind(value.author_id)
                            .push_bind(v.last_device_id).push_bind(value.version).push_bind(v.deleted)
                            .push_bind(review.map(|r| r.decision.as_str()))
                            .push_bind(review.map(|r| r.comment.clone()).unwrap_or_default())
                            .push_bind(review.and_then(|r| r.by)).push_bind(reviewed_at)
                            .push_bind(value.form.as_ref().map(|a| i64::from(a.version)))
                            .push_bind(value.form.as_ref().and_then(|a| serde_json::to_string(&a.answers).ok()))
                            .push_bind(now).push_bind(now);
                    });
                    q.push(
                        " on conflict (id) do update set indicator_version = excluded.indicator_version,
                            value = excluded.value, cells = excluded.cells, source = excluded.source,
                            evidence = excluded.evidence, status = excluded.status,
                            last_device_id = excluded.last_device_id, version = excluded.version,
                            deleted = excluded.deleted, review_decision = excluded.review_decision,
                            review_comment = excluded.review_comment, reviewed_by = excluded.reviewed_by,
                            reviewed_at = excluded.reviewed_at, form_version = excluded.form_version,
                            answers = excluded.answers, updated_at = excluded.updated_at",
                    );
                    q.build().execute(&mut *self.tx).await?;
                }
                let entries: Vec<_> = records.iter().filter_map(|r| match r {
                    StoredRecord::Entry(e) => Some(e),
                    _ => None,
                }).collect();
                for chunk in entries.chunks(200) {
                    let mut days = Vec::with_capacity(chunk.len());
                    for e in chunk {
                        let on = Some(e.entry.day()).filter(|d| !d.is_empty());
                        days.push((day_opt(on)?, review_at(e.entry.review.as_ref())?));
                    }
                    let mut q = sqlx::QueryBuilder::new(
                        "insert into form_entries (id, project_id, form_id, form_version, status, answers,
                            done_on, author_id, last_device_id, version, deleted, review_decision,
                            review_comment, reviewed_by, reviewed_at, created_at, updated_at) ",
                    );
                    q.push_values(chunk.iter().zip(days), |mut b, (e, (on, reviewed_at))| {
                        let entry = &e.entry;
                        let review = entry.review.as_ref();
                        b.push_bind(entry.id).push_bind(entry.project_id).push_bind(entry.form_id.clone())
                            .push_bind(i64::from(entry.form_version)).push_bind(entry.status.as_str())
                            .push_bind(serde_json::to_string(&entry.answers).unwrap_or_default())
                            .push_bind(on).push_bind(entry.author_id).push_bind(e.last_device_id)
                            .push_bind(entry.version).push_bind(e.deleted)
                            .push_bind(review.map(|r| r.decision.as_str()))
                            .push_bind(review.map(|r| r.comment.clone()).unwrap_or_default())
                            .push_bind(review.and_then(|r| r.by)).push_bind(reviewed_at)
                            .push_bind(now).push_bind(now);
                    });
                    q.push(
                        " on conflict (id) do update set form_version = excluded.form_version,
                            status = excluded.status, answers = excluded.answers,
                            done_on = excluded.done_on, last_device_id = excluded.last_device_id,
                            version = excluded.version, deleted = excluded.deleted,
                            review_decision = excluded.review_decision,
                            review_comment = excluded.review_comment, reviewed_by = excluded.reviewed_by,
                            reviewed_at = excluded.reviewed_at, updated_at = excluded.updated_at",
                    );
                    q.build().execute(&mut *self.tx).await?;
                }
                for chunk in conflicts.chunks(200) {
                    let mut q = sqlx::QueryBuilder::new(
                        "insert into sync_conflicts (id, record_kind, record_id, base_version, incoming,
                            client_id, seq, user_id, created_at, updated_at) ",
                    );
                    q.push_values(chunk, |mut b, c| {
                        b.push_bind(c.id).push_bind(c.kind.as_str()).push_bind(c.record_id)
                            .push_bind(c.base_version).push_bind(c.incoming.clone()).push_bind(c.client_id)
                            .push_bind(i64::try_from(c.seq).unwrap_or(i64::MAX)).push_bind(c.user_id)
                            .push_bind(now).push_bind(now);
                    });
                    q.push(" on conflict (id) do nothing");
                    q.build().execute(&mut *self.tx).await?;
                }
                for chunk in revisions.chunks(200) {
                    let mut q = sqlx::QueryBuilder::new(
                        "insert into entry_revisions (record_kind, record_id, version, user_id, status,
                            content, created_at, updated_at) ",
                    );
                    q.push_values(chunk, |mut b, r| {
                        b.push_bind(r.kind.as_str()).push_bind(r.record_id).push_bind(r.version)
                            .push_bind(r.user_id).push_bind(r.status.as_str()).push_bind(r.content.clone())
                            .push_bind(now).push_bind(now);
                    });
                    q.push(
                        " on conflict (record_kind, record_id, version) do update set
                            content = excluded.content, status = excluded.status,
                            updated_at = excluded.updated_at",
                    );
                    q.build().execute(&mut *self.tx).await?;
                }
                Ok(())
            }

            async fn add_review(
                &mut self,
                review: &$crate::server::sync::store::ReviewRow,
            ) -> Result<(), $crate::server::db::DbError> {
                let now = $crate::server::db::queries::trunc(time::OffsetDateTime::now_utc());
                sqlx::query(
                    "insert into entry_reviews (id, record_kind, record_id, version, decision, comment,
                        reviewer_id, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
                )
                .bind(review.id)
                .bind(review.kind.as_str())
                .bind(review.record_id)
                .bind(review.version)
                .bind(review.decision.as_str())
                .bind(review.comment.clone())
                .bind(review.reviewer_id)
                .bind(now)
                .execute(&mut *self.tx)
                .await?;
                Ok(())
            }

            async fn resolve_conflicts(
                &mut self,
                kind: $crate::sync::protocol::RecordKind,
                id: uuid::Uuid,
                by: uuid::Uuid,
            ) -> Result<u64, $crate::server::db::DbError> {
                let now = $crate::server::db::queries::trunc(time::OffsetDateTime::now_utc());
                let done = sqlx::query(
                    "update sync_conflicts set resolved_at = $1, resolved_by = $2, updated_at = $1
                      where record_kind = $3 and record_id = $4 and resolved_at is null",
                )
                .bind(now)
                .bind(by)
                .bind(kind.as_str())
                .bind(id)
                .execute(&mut *self.tx)
                .await?;
                Ok(done.rows_affected())
            }

            async fn add_refusals(
                &mut self,
                client: uuid::Uuid,
                refusals: &[($crate::sync::protocol::Refusal, String)],
            ) -> Result<(), $crate::server::db::DbError> {
                let now = $crate::server::db::queries::trunc(time::OffsetDateTime::now_utc());
                for chunk in refusals.chunks(200) {
                    let mut q = sqlx::QueryBuilder::new(
                        "insert into sync_refusals (client_id, seq, name, code, field, created_at, updated_at) ",
                    );
                    q.push_values(chunk, |mut b, (r, name)| {
                        b.push_bind(client).push_bind(i64::try_from(r.seq).unwrap_or(i64::MAX))
                            .push_bind(name.clone()).push_bind(r.code.clone()).push_bind(r.field.clone())
                            .push_bind(now).push_bind(now);
                    });
                    q.push(" on conflict (client_id, seq) do nothing");
                    q.build().execute(&mut *self.tx).await?;
                }
                Ok(())
            }

            async fn refusals(
                &mut self,
                client: uuid::Uuid,
                from: u64,
                to: u64,
            ) -> Result<Vec<$crate::sync::protocol::Refusal>, $crate::server::db::DbError> {
                let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(
                    "select seq, code, field from sync_refusals
                      where client_id = $1 and seq >= $2 and seq <= $3 order by seq",
                )
                .bind(client)
                .bind(i64::try_from(from).unwrap_or(i64::MAX))
                .bind(i64::try_from(to).unwrap_or(i64::MAX))
                .fetch_all(&mut *self.tx)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(seq, code, field)| $crate::sync::protocol::Refusal {
                        seq: u64::try_from(seq).unwrap_or(0),
                        code,
                        field,
                    })
                    .collect())
            }

            async fn savepoint(&mut self) -> Result<(), $crate::server::db::DbError> {
                sqlx::query("savepoint push_mutation").execute(&mut *self.tx).await?;
                Ok(())
            }

            async fn rollback_to_savepoint(&mut self) -> Result<(), $crate::server::db::DbError> {
                sqlx::query("rollback to savepoint push_mutation").execute(&mut *self.tx).await?;
                Ok(())
            }

            async fn release_savepoint(&mut self) -> Result<(), $crate::server::db::DbError> {
                sqlx::query("release savepoint push_mutation").execute(&mut *self.tx).await?;
                Ok(())
            }

            async fn commit(self: Box<Self>) -> Result<(), $crate::server::db::DbError> {
                self.tx.commit().await?;
                Ok(())
            }
        }

        /// Inserts or updates a client with its latest heartbeat; `last_seq` too when `with_seq`.
        async fn save_client<'c, E>(
            executor: E,
            client: &$crate::server::sync::store::ClientRow,
            with_seq: bool,
        ) -> Result<(), $crate::server::db::DbError>
        where
            E: sqlx::Executor<'c, Database = $sqlx_db>,
        {
            use $crate::server::db::sync_sql::from_unix_ms;
            let now = $crate::server::db::queries::trunc(time::OffsetDateTime::now_utc());
            let h = &client.heartbeat;
            let sql = format!(
                "insert into sync_clients (id, user_id, device_id, last_seq, device_label, app_version,
                    pending_count, oldest_pending_at, device_last_success_at, storage_bytes,
                    storage_budget, storage_persistent, browser, last_seen_at, created_at, updated_at)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $14)
                 on conflict (id) do update set device_id = excluded.device_id,
                    device_label = excluded.device_label, app_version = excluded.app_version,
                    pending_count = excluded.pending_count,
                    oldest_pending_at = excluded.oldest_pending_at,
                    device_last_success_at = excluded.device_last_success_at,
                    storage_bytes = excluded.storage_bytes, storage_budget = excluded.storage_budget,
                    storage_persistent = excluded.storage_persistent, browser = excluded.browser,
                    last_seen_at = excluded.last_seen_at, updated_at = excluded.updated_at{}",
                if with_seq { ", last_seq = excluded.last_seq" } else { "" }
            );
            let clip = |s: &str, n: usize| s.chars().take(n).collect::<String>();
            sqlx::query(&sql)
                .bind(client.id)
                .bind(client.user_id)
                .bind(h.device_id)
                .bind(i64::try_from(client.last_seq).unwrap_or(i64::MAX))
                .bind(clip(&h.device_label, 120))
                .bind(clip(&h.app_version, 60))
                .bind(i64::from(h.pending))
                .bind(from_unix_ms(h.oldest_pending_at))
                .bind(from_unix_ms(h.last_success_at))
                .bind(i64::try_from(h.storage_bytes).unwrap_or(i64::MAX))
                .bind(i64::try_from(h.storage_budget).unwrap_or(i64::MAX))
                .bind(h.storage_persistent)
                .bind(clip(&h.browser, 40))
                .bind(now)
                .execute(executor)
                .await?;
            Ok(())
        }

        impl $db {
            async fn begin_push_tx(&self) -> Result<Box<dyn $crate::server::sync::SyncStore>, $crate::server::db::DbError> {
                let turn = self.write_turn().await;
                let tx = if $engine == $crate::server::db::Engine::Sqlite {
                    self.pool.begin_with("begin immediate").await?
                } else {
                    self.pool.begin().await?
                };
                Ok(Box::new($tx { tx, _turn: turn }))
            }

            async fn assign_project_in(
                &self,
                project: uuid::Uuid,
                facilitator: Option<uuid::Uuid>,
                incubator: uuid::Uuid,
            ) -> Result<bool, $crate::server::db::DbError> {
                let _turn = self.write_turn().await;
                let mut tx = if $engine == $crate::server::db::Engine::Sqlite {
                    self.pool.begin_with("begin immediate").await?
                } else {
                    self.pool.begin().await?
                };
                let facilitator_ok = match facilitator {
                    None => true,
                    Some(id) => sqlx::query_scalar::<_, uuid::Uuid>(
                        "select id from users where id = $1 and role = 'facilitator' and active = true",
                    )
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?
                    .is_some(),
                };
                let incubator_ok = sqlx::query_scalar::<_, uuid::Uuid>(
                    "select id from organisations where id = $1 and kind = 'incubator'",
                )
                .bind(incubator)
                .fetch_optional(&mut *tx)
                .await?
                .is_some();
                if !facilitator_ok || !incubator_ok {
                    return Ok(false);
                }
                let now = $crate::server::db::queries::trunc(time::OffsetDateTime::now_utc());
                let version: i64 = sqlx::query_scalar(
                    "update sync_version set value = value + 1, updated_at = $1 where id = 1 returning value",
                )
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                let done = sqlx::query(
                    "update projects set facilitator_id = $1, incubator_id = $2, version = $3, updated_at = $4
                      where id = $5 and deleted = false",
                )
                .bind(facilitator)
                .bind(incubator)
                .bind(version)
                .bind(now)
                .bind(project)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                tx.commit().await?;
                Ok(true)
            }

            async fn visit_conflicts_of(&self, visit: uuid::Uuid) -> Result<Vec<$crate::server::sync::store::ConflictRow>, $crate::server::db::DbError> {
                let rows: Vec<(uuid::Uuid, Option<i64>, String, uuid::Uuid, i64, uuid::Uuid)> = sqlx::query_as(
                    "select id, base_version, incoming, client_id, seq, user_id from sync_conflicts
                      where record_kind = 'visit' and record_id = $1 order by created_at, seq",
                )
                .bind(visit)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, base_version, incoming, client_id, seq, user_id)| $crate::server::sync::store::ConflictRow {
                        id,
                        kind: $crate::sync::protocol::RecordKind::Visit,
                        record_id: visit,
                        base_version,
                        incoming,
                        client_id,
                        seq: u64::try_from(seq).unwrap_or(0),
                        user_id,
                    })
                    .collect())
            }

            async fn open_conflicts_in(
                &self,
                scope: $crate::server::db::ProjectScope,
            ) -> Result<Vec<$crate::domain::ConflictCase>, $crate::server::db::DbError> {
                use $crate::server::db::sync_sql::{ConflictVisitRow, SCOPE_PREDICATE, VISIT_COLUMNS, rfc3339};
                use $crate::domain::{ConflictCase, VisitVersion};
                use $crate::sync::mutations::SaveVisitArgs;
                let (kind, scope_user) = $crate::server::db::queries::scope_binds(scope);
                let visits: Vec<ConflictVisitRow> = sqlx::query_as(&format!(
                    "select {VISIT_COLUMNS}, p.code as project_code, p.title as project_title,
                            u.name as author, v.updated_at
                       from visits v join projects p on p.id = v.project_id
                       left join users u on u.id = v.facilitator_id
                      where v.conflict = true and v.deleted = false and {SCOPE_PREDICATE}
                      order by v.visit_on, v.id"
                ))
                .bind(kind)
                .bind(scope_user)
                .fetch_all(&self.pool)
                .await?;
                let mut cases = Vec::with_capacity(visits.len());
                for row in visits {
                    let ConflictVisitRow { visit, project_code, project_title, author, updated_at: at } = row;
                    let stored = visit.into_stored();
                    let visit = stored.visit;
                    // The device that made the version on the server, as it last said it was.
                    let current_device: Option<(String, time::OffsetDateTime)> = match stored.last_device_id {
                        Some(device) => sqlx::query_as(
                            "select device_label, last_seen_at from sync_clients
                              where device_id = $1 order by last_seen_at desc limit 1",
                        )
                        .bind(device)
                        .fetch_optional(&self.pool)
                        .await?,
                        None => None,
                    };
                    // The device each edit came from (its label and when it was last heard
                    // from): one person editing on two phones is told apart by them.
                    let kept: Vec<(String, Option<String>, time::OffsetDateTime, Option<String>, Option<time::OffsetDateTime>)> = sqlx::query_as(
                        "select c.incoming, u.name, c.created_at, d.device_label, d.last_seen_at
                           from sync_conflicts c
                           left join users u on u.id = c.user_id
                           left join sync_clients d on d.id = c.client_id
                          where c.record_kind = 'visit' and c.record_id = $1 and c.resolved_at is null
                          order by c.created_at, c.seq",
                    )
                    .bind(visit.id)
                    .fetch_all(&self.pool)
                    .await?;
                    let members: Vec<(uuid::Uuid, String)> = sqlx::query_as(
                        "select id, full_name from members where project_id = $1 and deleted = false
                          order by full_name",
                    )
                    .bind(visit.fields.project_id)
                    .fetch_all(&self.pool)
                    .await?;
                    let edits = kept
                        .into_iter()
                        .filter_map(|(incoming, name, at, device, seen)| {
                            let args: SaveVisitArgs = serde_json::from_str(&incoming).ok()?;
                            Some(VisitVersion {
                                author: name.unwrap_or_default(),
                                at: rfc3339(at),
                                fields: args.fields,
                                device: device.filter(|d| !d.is_empty()),
                                device_seen_at: seen.map(rfc3339),
                            })
                        })
                        .collect();
                    cases.push(ConflictCase {
                        visit_id: visit.id,
                        project_code,
                        project_title,
                        version: visit.version,
                        current: VisitVersion {
                            author: author.unwrap_or_default(),
                            at: rfc3339(at),
                            fields: visit.fields,
                            device: current_device.as_ref().map(|(d, _)| d.clone()).filter(|d| !d.is_empty()),
                            device_seen_at: current_device.map(|(_, seen)| rfc3339(seen)),
                        },
                        edits,
                        members,
                    });
                }
                Ok(cases)
            }

            /// Sets each card's risk flags (`domain::risk`), from the facts of every project in
            /// `scope` (three queries, whatever the number of cards).
            async fn flag_risks(
                &self,
                scope: $crate::server::db::ProjectScope,
                cards: &mut [$crate::domain::ProjectCard],
            ) -> Result<(), $crate::server::db::DbError> {
                use $crate::domain::risk::{RiskFacts, RiskSettings, risk_flags};
                use $crate::server::db::sync_sql::SCOPE_PREDICATE;
                let (kind, scope_user) = $crate::server::db::queries::scope_binds(scope);
                let today = $crate::server::demo::today_in_tunis();
                let settings: RiskSettings = $crate::server::db::Database::risk_settings(self).await?;
                let mut facts: std::collections::HashMap<uuid::Uuid, RiskFacts> = cards
                    .iter()
                    .map(|c| (c.id, RiskFacts { active: c.status.is_active(), ..RiskFacts::default() }))
                    .collect();
                type VisitFacts = (uuid::Uuid, time::Date, Option<i64>, Option<i64>, String);
                let visits: Vec<VisitFacts> = sqlx::query_as(&format!(
                    "select v.project_id, v.visit_on, v.sales_millimes, v.purchases_millimes, v.shock
                       from visits v join projects p on p.id = v.project_id
                      where {SCOPE_PREDICATE} and v.deleted = false and v.status <> 'draft'
                      order by v.project_id, v.visit_on desc, v.version desc"
                ))
                .bind(kind)
                .bind(scope_user)
                .fetch_all(&self.pool)
                .await?;
                let kept = settings.visits_under_break_even.max(1);
                for (project, day, sales, purchases, shock) in visits {
                    if let Some(f) = facts.get_mut(&project)
                        && f.visits.len() < kept
                    {
                        let snapshot = $crate::domain::Snapshot { sales, purchases, shock, ..Default::default() };
                        f.visits.push((day.to_string(), snapshot));
                    }
                }
                let overdue: Vec<(uuid::Uuid, i64)> = sqlx::query_as(&format!(
                    "select a.project_id, count(*) from action_items a join projects p on p.id = a.project_id
                      where {SCOPE_PREDICATE} and a.deleted = false and a.status = 'open' and a.due_on < $3
                      group by a.project_id"
                ))
                .bind(kind)
                .bind(scope_user)
                .bind(today)
                .fetch_all(&self.pool)
                .await?;
                for (project, count) in overdue {
                    if let Some(f) = facts.get_mut(&project) {
                        f.overdue_actions = usize::try_from(count).unwrap_or(0);
                    }
                }
                let unjustified: Vec<(uuid::Uuid, time::Date)> = sqlx::query_as(&format!(
                    "select t.project_id, t.disbursed_on from funding_tranches t
                       join projects p on p.id = t.project_id
                      where {SCOPE_PREDICATE} and t.deleted = false and t.disbursed_on is not null
                        and coalesce(t.justified_millimes, 0) < coalesce(t.disbursed_millimes, 0)"
                ))
                .bind(kind)
                .bind(scope_user)
                .fetch_all(&self.pool)
                .await?;
                for (project, day) in unjustified {
                    if let Some(f) = facts.get_mut(&project) {
                        f.unjustified_disbursements.push(day.to_string());
                    }
                }
                let since = time::OffsetDateTime::now_utc() - time::Duration::days(settings.days_acknowledged);
                let acks: Vec<(uuid::Uuid, String, String, Option<String>, time::OffsetDateTime)> = sqlx::query_as(&format!(
                    "select r.project_id, r.rule, r.note, u.name, r.acknowledged_at
                       from risk_acknowledgements r join projects p on p.id = r.project_id
                       left join users u on u.id = r.acknowledged_by
                      where {SCOPE_PREDICATE} and r.acknowledged_at > $3"
                ))
                .bind(kind)
                .bind(scope_user)
                .bind(since)
                .fetch_all(&self.pool)
                .await?;
                let today = today.to_string();
                for card in cards.iter_mut() {
                    if let Some(f) = facts.get(&card.id) {
                        card.flags = risk_flags(f, &settings, &today);
                    }
                    // Only acknowledgements of flags raised now.
                    card.acknowledged = acks
                        .iter()
                        .filter(|(p, rule, ..)| *p == card.id && card.flags.iter().any(|f| f.rule() == rule))
                        .map(|(_, rule, note, by, at)| $crate::domain::risk::RiskAck {
                            rule: rule.clone(),
                            note: note.clone(),
                            by: by.clone().unwrap_or_default(),
                            at: $crate::server::db::sync_sql::rfc3339(*at),
                        })
                        .collect();
                }
                Ok(())
            }

            async fn acknowledge_risk_in(
                &self,
                scope: $crate::server::db::ProjectScope,
                by: uuid::Uuid,
                project: uuid::Uuid,
                rule: &str,
                note: &str,
            ) -> Result<bool, $crate::server::db::DbError> {
                use $crate::server::db::sync_sql::SCOPE_PREDICATE;
                let (kind, scope_user) = $crate::server::db::queries::scope_binds(scope);
                let visible: Option<uuid::Uuid> = sqlx::query_scalar(&format!(
                    "select p.id from projects p where p.id = $3 and p.deleted = false and {SCOPE_PREDICATE}"
                ))
                .bind(kind)
                .bind(scope_user)
                .bind(project)
                .fetch_optional(&self.pool)
                .await?;
                if visible.is_none() {
                    return Ok(false);
                }
                let now = $crate::server::db::queries::trunc(time::OffsetDateTime::now_utc());
                sqlx::query(
                    "insert into risk_acknowledgements (project_id, rule, note, acknowledged_by,
                        acknowledged_at, created_at, updated_at) values ($1, $2, $3, $4, $5, $5, $5)
                     on conflict (project_id, rule) do update set note = excluded.note,
                        acknowledged_by = excluded.acknowledged_by,
                        acknowledged_at = excluded.acknowledged_at, updated_at = excluded.updated_at",
                )
                .bind(project)
                .bind(rule)
                .bind(note)
                .bind(by)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(true)
            }

            async fn history_of(
                &self,
                kind: $crate::sync::protocol::RecordKind,
                id: uuid::Uuid,
            ) -> Result<Vec<$crate::domain::HistoryEvent>, $crate::server::db::DbError> {
                let revisions: Vec<(i64, String, time::OffsetDateTime, String, String)> = sqlx::query_as(
                    "select r.version, coalesce(u.name, ''), r.created_at, r.status, r.content
                       from entry_revisions r left join users u on u.id = r.user_id
                      where r.record_kind = $1 and r.record_id = $2 order by r.version",
                )
                .bind(kind.as_str())
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                let reviews: Vec<(i64, String, String, String, time::OffsetDateTime)> = sqlx::query_as(
                    "select e.version, e.decision, e.comment, coalesce(u.name, ''), e.created_at
                       from entry_reviews e left join users u on u.id = e.reviewer_id
                      where e.record_kind = $1 and e.record_id = $2 order by e.created_at",
                )
                .bind(kind.as_str())
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                Ok($crate::server::db::sync_sql::history(kind, revisions, reviews))
            }

            async fn visit_history_in(
                &self,
                user: &$crate::domain::SessionUser,
                scope: $crate::server::db::ProjectScope,
                visit: uuid::Uuid,
            ) -> Result<Option<Vec<$crate::domain::HistoryEvent>>, $crate::server::db::DbError> {
                use $crate::server::db::sync_sql::SCOPE_PREDICATE;
                let (kind, scope_user) = $crate::server::db::queries::scope_binds(scope);
                // Drafts are their author's alone, here as in pull.
                let visible: Option<uuid::Uuid> = sqlx::query_scalar(&format!(
                    "select v.id from visits v join projects p on p.id = v.project_id
                      where v.id = $3 and v.deleted = false and p.deleted = false and {SCOPE_PREDICATE}
                        and (v.status <> 'draft' or v.facilitator_id = $4)"
                ))
                .bind(kind)
                .bind(scope_user)
                .bind(visit)
                .bind(user.id)
                .fetch_optional(&self.pool)
                .await?;
                match visible {
                    Some(id) => Ok(Some(self.history_of($crate::sync::protocol::RecordKind::Visit, id).await?)),
                    None => Ok(None),
                }
            }

            async fn review_queue_in(
                &self,
                scope: $crate::server::db::ProjectScope,
            ) -> Result<Vec<$crate::domain::ReviewItem>, $crate::server::db::DbError> {
                use $crate::server::db::sync_sql::{QueueRow, SCOPE_PREDICATE, VISIT_COLUMNS, rfc3339};
                let (kind, scope_user) = $crate::server::db::queries::scope_binds(scope);
                let rows: Vec<QueueRow> = sqlx::query_as(&format!(
                    "select {VISIT_COLUMNS}, p.code as project_code, p.title as project_title,
                            inc.name as incubator, vc.name_fr as vc_fr, vc.name_ar as vc_ar,
                            vc.name_en as vc_en, u.name as facilitator, v.updated_at
                       from visits v join projects p on p.id = v.project_id
                       join organisations inc on inc.id = p.incubator_id
                       join value_chains vc on vc.id = p.value_chain_id
                       left join users u on u.id = v.facilitator_id
                      where v.status = 'submitted' and v.deleted = false and p.deleted = false
                        and {SCOPE_PREDICATE}
                      order by v.updated_at, v.id"
                ))
                .bind(kind)
                .bind(scope_user)
                .fetch_all(&self.pool)
                .await?;
                let mut members_of: std::collections::HashMap<uuid::Uuid, Vec<(uuid::Uuid, String)>> =
                    std::collections::HashMap::new();
                let mut items = Vec::with_capacity(rows.len());
                for row in rows {
                    let visit = row.visit.into_stored().visit;
                    let project = visit.fields.project_id;
                    if !members_of.contains_key(&project) {
                        let members: Vec<(uuid::Uuid, String)> = sqlx::query_as(
                            "select id, full_name from members where project_id = $1 and deleted = false
                              order by full_name",
                        )
                        .bind(project)
                        .fetch_all(&self.pool)
                        .await?;
                        members_of.insert(project, members);
                    }
                    let history = self.history_of($crate::sync::protocol::RecordKind::Visit, visit.id).await?;
                    items.push($crate::domain::ReviewItem {
                        members: members_of.get(&project).cloned().unwrap_or_default(),
                        history,
                        visit,
                        project_code: row.project_code,
                        project_title: row.project_title,
                        incubator: row.incubator,
                        value_chain: $crate::domain::project::Names { fr: row.vc_fr, ar: row.vc_ar, en: row.vc_en },
                        facilitator: row.facilitator.unwrap_or_default(),
                        submitted_at: rfc3339(row.updated_at),
                    });
                }
                Ok(items)
            }

            async fn entry_review_queue_in(
                &self,
                scope: $crate::server::db::ProjectScope,
            ) -> Result<$crate::domain::entry::EntryQueue, $crate::server::db::DbError> {
                use $crate::server::db::sync_sql::{ENTRY_COLUMNS, EntryQueueRow, SCOPE_PREDICATE, rfc3339};
                let (kind, scope_user) = $crate::server::db::queries::scope_binds(scope);
                let rows: Vec<EntryQueueRow> = sqlx::query_as(&format!(
                    "select {ENTRY_COLUMNS}, p.code as project_code, p.title as project_title,
                            inc.name as incubator, vc.name_fr as vc_fr, vc.name_ar as vc_ar,
                            vc.name_en as vc_en, u.name as facilitator, e.updated_at
                       from form_entries e join projects p on p.id = e.project_id
                       join organisations inc on inc.id = p.incubator_id
                       join value_chains vc on vc.id = p.value_chain_id
                       left join users u on u.id = e.author_id
                      where e.status = 'submitted' and e.deleted = false and p.deleted = false
                        and {SCOPE_PREDICATE}
                      order by e.updated_at, e.id"
                ))
                .bind(kind)
                .bind(scope_user)
                .fetch_all(&self.pool)
                .await?;
                let mut queue = $crate::domain::entry::EntryQueue::default();
                for row in rows {
                    let entry = row.entry.into_stored().entry;
                    let history = self.history_of($crate::sync::protocol::RecordKind::Entry, entry.id).await?;
                    let version = i64::from(entry.form_version);
                    if !queue.forms.iter().any(|f| f.id == entry.form_id && i64::from(f.version) == version) {
                        let definition: Option<String> = sqlx::query_scalar(
                            "select definition from forms where id = $1 and version = $2",
                        )
                        .bind(&entry.form_id)
                        .bind(version)
                        .fetch_optional(&self.pool)
                        .await?;
                        if let Some(form) = definition.and_then(|d| serde_json::from_str(&d).ok()) {
                            queue.forms.push(form);
                        }
                    }
                    queue.items.push($crate::domain::entry::EntryReviewItem {
                        history,
                        entry,
                        project_code: row.project_code,
                        project_title: row.project_title,
                        incubator: row.incubator,
                        value_chain: $crate::domain::project::Names { fr: row.vc_fr, ar: row.vc_ar, en: row.vc_en },
                        facilitator: row.facilitator.unwrap_or_default(),
                        submitted_at: rfc3339(row.updated_at),
                    });
                }
                Ok(queue)
            }

            async fn registry_review_queue_in(
                &self,
                scope: $crate::server::db::ProjectScope,
            ) -> Result<Vec<$crate::domain::registry::RegistryReviewItem>, $crate::server::db::DbError> {
                use $crate::domain::registry::{RegistryRecord, RegistryReviewItem};
                use $crate::server::db::sync_sql::{
                    MEMBER_COLUMNS, MILESTONE_COLUMNS, MilestoneRow, SCOPE_PREDICATE, StoredMemberRow, rfc3339,
                };
                let (kind, scope_user) = $crate::server::db::queries::scope_binds(scope);
                // What the queue shows of a record's project, after the record's own columns.
                #[derive(sqlx::FromRow)]
                struct Around {
                    project_code: String,
                    project_title: String,
                    incubator: String,
                    vc_fr: String,
                    vc_ar: String,
                    vc_en: String,
                    facilitator: Option<String>,
                    waiting_since: time::OffsetDateTime,
                }
                const AROUND: &str = "p.code as project_code, p.title as project_title,
                    inc.name as incubator, vc.name_fr as vc_fr, vc.name_ar as vc_ar, vc.name_en as vc_en,
                    u.name as facilitator";
                const JOINS: &str = "join projects p on p.id = r.project_id
                    join organisations inc on inc.id = p.incubator_id
                    join value_chains vc on vc.id = p.value_chain_id
                    left join users u on u.id = p.facilitator_id";
                // Sent from a phone (the team's loads wait for nothing), not decided yet.
                const WAITING: &str = "r.review_decision is null and r.last_device_id is not null
                    and r.deleted = false and p.deleted = false";
                #[derive(sqlx::FromRow)]
                struct MemberQueueRow {
                    #[sqlx(flatten)]
                    row: StoredMemberRow,
                    #[sqlx(flatten)]
                    around: Around,
                }
                #[derive(sqlx::FromRow)]
                struct ValueQueueRow {
                    #[sqlx(flatten)]
                    row: $crate::server::db::sync_sql::ValueRow,
                    #[sqlx(flatten)]
                    around: Around,
                }
                #[derive(sqlx::FromRow)]
                struct MilestoneQueueRow {
                    #[sqlx(flatten)]
                    row: MilestoneRow,
                    #[sqlx(flatten)]
                    around: Around,
                }
                let members: Vec<MemberQueueRow> = sqlx::query_as(&format!(
                    "select {}, {AROUND}, r.updated_at as waiting_since from members r {JOINS}
                      where {WAITING} and {SCOPE_PREDICATE}",
                    MEMBER_COLUMNS.replace("m.", "r.")
                ))
                .bind(kind)
                .bind(scope_user)
                .fetch_all(&self.pool)
                .await?;
                let milestones: Vec<MilestoneQueueRow> = sqlx::query_as(&format!(
                    "select {}, {AROUND}, r.updated_at as waiting_since from milestones r {JOINS}
                      where {WAITING} and {SCOPE_PREDICATE}",
                    MILESTONE_COLUMNS.replace("ms.", "r.")
                ))
                .bind(kind)
                .bind(scope_user)
                .fetch_all(&self.pool)
                .await?;
                // Values wait like entries: submitted, not yet decided.
                let values: Vec<ValueQueueRow> = sqlx::query_as(&format!(
                    "select {}, {AROUND}, r.updated_at as waiting_since from indicator_values r {JOINS}
                      where r.status = 'submitted' and r.deleted = false and p.deleted = false
                        and {SCOPE_PREDICATE}",
                    $crate::server::db::sync_sql::VALUE_COLUMNS.replace("iv.", "r.")
                ))
                .bind(kind)
                .bind(scope_user)
                .fetch_all(&self.pool)
                .await?;
                let item = |record: RegistryRecord, project_id, version, a: Around| RegistryReviewItem {
                    record,
                    project_id,
                    version,
                    project_code: a.project_code,
                    project_title: a.project_title,
                    incubator: a.incubator,
                    value_chain: $crate::domain::project::Names { fr: a.vc_fr, ar: a.vc_ar, en: a.vc_en },
                    facilitator: a.facilitator.unwrap_or_default(),
                    submitted_at: rfc3339(a.waiting_since),
                    history: Vec::new(),
                };
                let mut items: Vec<RegistryReviewItem> = members
                    .into_iter()
                    .map(|m| {
                        let stored = m.row.into_stored();
                        // Reviewers read the derived flag only, never the private answers.
                        let member = $crate::domain::Member { private: None, ..stored.record.member };
                        item(RegistryRecord::Member(member), stored.record.project_id, stored.record.version, m.around)
                    })
                    .chain(milestones.into_iter().map(|m| {
                        let stored = m.row.into_stored().milestone;
                        let (project, version) = (stored.project_id, stored.version);
                        item(RegistryRecord::Milestone(stored), project, version, m.around)
                    }))
                    .chain(values.into_iter().map(|v| {
                        let stored = v.row.into_stored().value;
                        let (project, version) = (stored.project_id, stored.version);
                        item(RegistryRecord::Value(stored), project, version, v.around)
                    }))
                    .collect();
                items.sort_by(|a, b| a.submitted_at.cmp(&b.submitted_at).then(a.record.id().cmp(&b.record.id())));
                for i in &mut items {
                    i.history = self.history_of(i.record.kind(), i.record.id()).await?;
                }
                Ok(items)
            }

            async fn device_statuses_all(
                &self,
            ) -> Result<Vec<$crate::domain::DeviceStatus>, $crate::server::db::DbError> {
                use $crate::server::db::sync_sql::unix_ms;
                type Row = (
                    uuid::Uuid, uuid::Uuid, String, String, String, String, String, i32,
                    Option<time::OffsetDateTime>, Option<time::OffsetDateTime>, time::OffsetDateTime,
                    i64, i64, Option<bool>,
                );
                let rows: Vec<Row> = sqlx::query_as(
                    "select c.device_id, c.user_id, u.name, u.role, c.device_label, c.app_version,
                            c.browser, c.pending_count, c.oldest_pending_at, c.device_last_success_at,
                            c.last_seen_at, c.storage_bytes, c.storage_budget, c.storage_persistent
                       from sync_clients c join users u on u.id = c.user_id
                      order by c.last_seen_at desc",
                )
                .fetch_all(&self.pool)
                .await?;
                // A device's tabs each have a client: the latest heartbeat speaks for the device.
                let mut seen = std::collections::HashSet::new();
                Ok(rows
                    .into_iter()
                    .filter(|r| seen.insert((r.0, r.1)))
                    .map(|(device_id, _, user_name, role, label, app_version, browser, pending,
                           oldest, last_success, last_seen, bytes, budget, persistent)| {
                        $crate::domain::DeviceStatus {
                            device_id,
                            label,
                            user_name,
                            role: $crate::domain::Role::parse(&role).unwrap_or($crate::domain::Role::Viewer),
                            app_version,
                            browser,
                            pending: u32::try_from(pending).unwrap_or(0),
                            oldest_pending_at: oldest.map(unix_ms),
                            last_success_at: last_success.map(unix_ms),
                            last_seen_at: unix_ms(last_seen),
                            storage_bytes: u64::try_from(bytes).unwrap_or(0),
                            storage_budget: u64::try_from(budget).unwrap_or(0),
                            storage_persistent: persistent,
                            flags: Vec::new(),
                        }
                    })
                    .collect())
            }

            async fn client_owner_of(&self, client: uuid::Uuid) -> Result<Option<uuid::Uuid>, $crate::server::db::DbError> {
                Ok(sqlx::query_scalar("select user_id from sync_clients where id = $1")
                    .bind(client)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn save_heartbeat_row(&self, client: &$crate::server::sync::store::ClientRow) -> Result<(), $crate::server::db::DbError> {
                let _turn = self.write_turn().await;
                save_client(&self.pool, client, false).await
            }

            async fn pull_snapshot(
                &self,
                user: &$crate::domain::SessionUser,
                scope: $crate::server::db::ProjectScope,
                client: uuid::Uuid,
                cookie: Option<&$crate::sync::protocol::Cookie>,
            ) -> Result<$crate::sync::protocol::PullResponse, $crate::server::db::DbError> {
                use $crate::server::db::sync_sql::{
                    ACTION_COLUMNS, ActionRow, PROJECT_COLUMNS, PulledMember, PulledProject, SCOPE_PREDICATE,
                    VISIT_COLUMNS, VisitRow,
                };
                use $crate::sync::protocol::{Cookie, MemberRecord, PullResponse, Record, RecordKind};
                let mut tx = if $engine == $crate::server::db::Engine::Postgres {
                    self.pool.begin_with("begin isolation level repeatable read read only").await?
                } else {
                    self.pool.begin().await?
                };
                let version: i64 = sqlx::query_scalar("select value from sync_version where id = 1")
                    .fetch_one(&mut *tx)
                    .await?;
                let (kind, scope_user) = $crate::server::db::queries::scope_binds(scope);
                let in_scope: Vec<uuid::Uuid> = sqlx::query_scalar(&format!(
                    "select p.id from projects p where p.deleted = false and {SCOPE_PREDICATE}"
                ))
                .bind(kind)
                .bind(scope_user)
                .fetch_all(&mut *tx)
                .await?;
                let fingerprint = $crate::sync::protocol::scope_fingerprint(user.id, user.role.as_str(), &in_scope);
                let since = match cookie {
                    Some(c) if c.scope == fingerprint && c.version <= version => c.version,
                    _ => 0,
                };
                let reset = since == 0;
                let mut records = Vec::new();

                let projects: Vec<PulledProject> = sqlx::query_as(&format!(
                    "select {PROJECT_COLUMNS} from projects p
                      where {SCOPE_PREDICATE} and p.version > $3 and (p.deleted = false or $3 > 0)
                      order by p.code"
                ))
                .bind(kind).bind(scope_user).bind(since)
                .fetch_all(&mut *tx)
                .await?;
                records.extend(projects.into_iter().map(|p| if p.deleted {
                    Record::Deleted { of: RecordKind::Project, id: p.id }
                } else {
                    Record::Project(p.into_record())
                }));

                let members: Vec<PulledMember> = sqlx::query_as(&format!(
                    "select m.project_id, m.version, m.deleted, m.id, m.full_name, m.sex, m.birth_year,
                            m.role, m.wg_seeing, m.wg_hearing, m.wg_walking, m.wg_cognition,
                            m.wg_self_care, m.wg_communication, m.joined_on, m.left_on, m.consent,
                            m.phone, m.review_decision, m.review_comment, m.reviewed_by,
                            (select ru.name from users ru where ru.id = m.reviewed_by) as reviewer_name,
                            m.reviewed_at
                       from members m join projects p on p.id = m.project_id
                      where {SCOPE_PREDICATE} and p.deleted = false and m.version > $3
                        and (m.deleted = false or $3 > 0)"
                ))
                .bind(kind).bind(scope_user).bind(since)
                .fetch_all(&mut *tx)
                .await?;
                records.extend(members.into_iter().map(|m| if m.deleted {
                    Record::Deleted { of: RecordKind::Member, id: m.member.id }
                } else {
                    Record::Member(MemberRecord {
                        project_id: m.project_id,
                        version: m.version,
                        member: m.member.into_member($crate::server::db::queries::sees_private(scope)),
                        review: m.review.into_note(),
                    })
                }));

                // Drafts are their author's alone.
                let visits: Vec<VisitRow> = sqlx::query_as(&format!(
                    "select {VISIT_COLUMNS} from visits v join projects p on p.id = v.project_id
                      where {SCOPE_PREDICATE} and p.deleted = false and v.version > $3
                        and (v.deleted = false or $3 > 0)
                        and (v.status <> 'draft' or v.facilitator_id = $4)"
                ))
                .bind(kind).bind(scope_user).bind(since).bind(user.id)
                .fetch_all(&mut *tx)
                .await?;
                records.extend(visits.into_iter().map(|v| if v.deleted {
                    Record::Deleted { of: RecordKind::Visit, id: v.id }
                } else {
                    Record::Visit(v.into_stored().visit)
                }));

                let actions: Vec<ActionRow> = sqlx::query_as(&format!(
                    "select {ACTION_COLUMNS} from action_items a join projects p on p.id = a.project_id
                      where {SCOPE_PREDICATE} and p.deleted = false and a.version > $3
                        and (a.deleted = false or $3 > 0)"
                ))
                .bind(kind).bind(scope_user).bind(since)
                .fetch_all(&mut *tx)
                .await?;
                records.extend(actions.into_iter().map(|a| if a.deleted {
                    Record::Deleted { of: RecordKind::Action, id: a.id }
                } else {
                    Record::Action(a.into_stored().item)
                }));

                let milestones: Vec<$crate::server::db::sync_sql::MilestoneRow> = sqlx::query_as(&format!(
                    "select {} from milestones ms join projects p on p.id = ms.project_id
                      where {SCOPE_PREDICATE} and p.deleted = false and ms.version > $3
                        and (ms.deleted = false or $3 > 0)",
                    $crate::server::db::sync_sql::MILESTONE_COLUMNS
                ))
                .bind(kind).bind(scope_user).bind(since)
                .fetch_all(&mut *tx)
                .await?;
                records.extend(milestones.into_iter().map(|m| if m.deleted {
                    Record::Deleted { of: RecordKind::Milestone, id: m.id }
                } else {
                    Record::Milestone(m.into_stored().milestone)
                }));

                // Drafts are their author's alone, as visits.
                let entries: Vec<$crate::server::db::sync_sql::EntryRow> = sqlx::query_as(&format!(
                    "select {} from form_entries e join projects p on p.id = e.project_id
                      where {SCOPE_PREDICATE} and p.deleted = false and e.version > $3
                        and (e.deleted = false or $3 > 0)
                        and (e.status <> 'draft' or e.author_id = $4)",
                    $crate::server::db::sync_sql::ENTRY_COLUMNS
                ))
                .bind(kind).bind(scope_user).bind(since).bind(user.id)
                .fetch_all(&mut *tx)
                .await?;
                records.extend(entries.into_iter().map(|e| if e.deleted {
                    Record::Deleted { of: RecordKind::Entry, id: e.id }
                } else {
                    Record::Entry(e.into_stored().entry)
                }));

                // Draft values are their author's alone, as entries.
                let values: Vec<$crate::server::db::sync_sql::ValueRow> = sqlx::query_as(&format!(
                    "select {} from indicator_values iv join projects p on p.id = iv.project_id
                      where {SCOPE_PREDICATE} and p.deleted = false and iv.version > $3
                        and (iv.deleted = false or $3 > 0)
                        and (iv.status <> 'draft' or iv.author_id = $4)",
                    $crate::server::db::sync_sql::VALUE_COLUMNS
                ))
                .bind(kind).bind(scope_user).bind(since).bind(user.id)
                .fetch_all(&mut *tx)
                .await?;
                records.extend(values.into_iter().map(|v| if v.deleted {
                    Record::Deleted { of: RecordKind::Value, id: v.id }
                } else {
                    Record::Value(v.into_stored().value)
                }));

                // The indicator catalogue counts among the forms a phone keeps: a new version of
                // either makes the phone fetch both again.
                let latest_forms: Vec<(String, i64)> = sqlx::query_as(
                    "select id, max(version) from forms group by id
                     union all
                     select 'indicator/' || code, max(version) from indicator_definitions group by code",
                )
                .fetch_all(&mut *tx)
                .await?;
                let forms = $crate::sync::protocol::forms_fingerprint(
                    latest_forms.iter().map(|(id, v)| (id.as_str(), u32::try_from(*v).unwrap_or(0))),
                );

                let last_seq: Option<i64> = sqlx::query_scalar("select last_seq from sync_clients where id = $1")
                    .bind(client)
                    .fetch_optional(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(PullResponse {
                    cookie: Cookie { version, scope: fingerprint },
                    last_seq: last_seq.and_then(|s| u64::try_from(s).ok()).unwrap_or(0),
                    reset,
                    records,
                    forms,
                })
            }
        }
    };
}

pub(crate) use impl_sync;
