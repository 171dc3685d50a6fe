//! Reviews as rows keep them, the history of a record, and what review queues read beside a
//! record.

use super::synced::Cell;
use super::visit::VisitRow;
use super::{review_at, rfc3339};
use crate::domain::{EntryStatus, Names, QueueHeader, ReviewNote};
use crate::server::db::DbError;
use time::OffsetDateTime;
use uuid::Uuid;

/// What a review queue shows of a record's project (`projects p`, `organisations inc`,
/// `value_chains vc`, and `users u` for who sent it), after the record's own columns.
pub(in crate::server::db) const HEADER_COLUMNS: &str = "p.code as project_code, \
    p.title as project_title, inc.name as incubator, vc.name_fr as vc_fr, vc.name_ar as vc_ar, \
    vc.name_en as vc_en, u.name as facilitator";

/// The columns of [`HEADER_COLUMNS`], and since when the record waits.
#[derive(sqlx::FromRow)]
pub(in crate::server::db) struct HeaderColumns {
    pub project_code: String,
    pub project_title: String,
    pub incubator: String,
    pub vc_fr: String,
    pub vc_ar: String,
    pub vc_en: String,
    pub facilitator: Option<String>,
    pub waiting_since: OffsetDateTime,
}

impl HeaderColumns {
    pub fn into_header(self) -> QueueHeader {
        QueueHeader {
            project_code: self.project_code,
            project_title: self.project_title,
            incubator: self.incubator,
            value_chain: Names {
                fr: self.vc_fr,
                ar: self.vc_ar,
                en: self.vc_en,
            },
            facilitator: self.facilitator.unwrap_or_default(),
            submitted_at: rfc3339(self.waiting_since),
        }
    }
}

/// A record waiting in a review queue.
#[derive(sqlx::FromRow)]
pub(in crate::server::db) struct Queued<T> {
    #[sqlx(flatten)]
    pub row: T,
    #[sqlx(flatten)]
    pub header: HeaderColumns,
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

/// Revisions and reviews in the order they happened: a review comes after the version it
/// reviewed and before the next one.
pub(in crate::server::db) fn history(
    kind: crate::domain::RecordKind,
    revisions: Vec<(i64, String, OffsetDateTime, String, String)>,
    reviews: Vec<(i64, String, String, String, OffsetDateTime)>,
) -> Vec<crate::domain::HistoryEvent> {
    use crate::domain::HistoryEvent;
    use crate::domain::RecordKind;
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

/// The `review_decision, review_comment, reviewed_by, reviewed_at` cells of a write.
pub(in crate::server::db) fn review_cells(
    review: Option<&ReviewNote>,
) -> Result<[Cell; 4], DbError> {
    Ok([
        review
            .map(|r| r.decision.as_str())
            .map(str::to_owned)
            .into(),
        review.map(|r| r.comment.clone()).unwrap_or_default().into(),
        review.and_then(|r| r.by).into(),
        review_at(review)?.into(),
    ])
}
