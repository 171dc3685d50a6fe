//! A supervisor reviews a submitted entry: validates it, or returns it with a comment.
//!
//! Like a conflict's resolution, a review is a write under a new global version, so the entry,
//! with its status and the comment, reaches the facilitator's phone at the next pull. It is made
//! on the version the supervisor read: if the entry moved on meanwhile (a resubmission, another
//! supervisor's decision), the review is refused as stale and nothing changes. The decision is
//! kept in the entry's history (`entry_reviews`). Visits and entries kept as form answers
//! (diagnostics, self-assessments), members and milestones are reviewed the same way.

use crate::domain::RecordKind;
use crate::domain::visit::check_review;
use crate::domain::{EntryStatus, ReviewDecision, ReviewNote, SessionUser};
use crate::error::AppError;
use crate::server::db::ProjectScope;
use crate::server::db::store::{Changes, ReviewRow, StoredRecord, SyncStore};
use std::collections::HashSet;
use uuid::Uuid;

/// What the supervisor decided on one record.
pub struct Review {
    pub kind: RecordKind,
    pub id: Uuid,
    /// The version the supervisor read.
    pub seen_version: i64,
    pub decision: ReviewDecision,
    pub comment: String,
}

/// Writes the review; returns the record's new version. Only a version waiting for review is
/// decided on: one already decided, or changed since the supervisor read it, is refused as stale.
pub async fn review(
    mut store: Box<dyn SyncStore>,
    scope: ProjectScope,
    by: &SessionUser,
    review: Review,
) -> Result<i64, AppError> {
    let note = note(by, review.decision, &review.comment)?;
    let version = store.next_version().await?;
    let writable = store.writable_projects(scope).await?;
    let found = store
        .load(&[(review.kind, review.id)])
        .await?
        .into_iter()
        .find(|r| r.key() == (review.kind, review.id) && reviewable(r, &writable))
        .ok_or(AppError::NotFound)?;
    // Nobody decides on what they saved themselves: another reviewer must.
    let author = match author(&found) {
        Some(author) => Some(author),
        None => {
            store
                .saved_by(review.kind, review.id, review.seen_version)
                .await?
        }
    };
    if author == Some(by.id) {
        return Err(AppError::Invalid {
            field: "review".into(),
            code: "own_entry".into(),
        });
    }
    let next = decided(found, &review, version, note.clone())?;
    // The device that saved the record keeps `last_device_id`: a review is not an edit, so the
    // facilitator's fix, made on the version before the review, is not a conflict.
    let row = ReviewRow {
        id: Uuid::new_v4(),
        kind: review.kind,
        record_id: review.id,
        version: review.seen_version,
        decision: review.decision.status(),
        comment: note.comment,
        reviewer_id: by.id,
    };
    write_review(store, next, row).await?;
    Ok(version)
}

/// Whether a supervisor may decide on `record`: in their scope, not deleted, and made to be
/// reviewed. Anything else is not found: a draft is its author's alone, and members and
/// milestones the team loaded need no review.
fn reviewable(record: &StoredRecord, writable: &HashSet<Uuid>) -> bool {
    match record {
        StoredRecord::Visit(v) => {
            !v.deleted
                && v.visit.fields.status != EntryStatus::Draft
                && writable.contains(&v.visit.fields.project_id)
        }
        StoredRecord::Entry(e) => {
            !e.deleted
                && e.entry.status != EntryStatus::Draft
                && writable.contains(&e.entry.project_id)
        }
        StoredRecord::Value(v) => {
            !v.deleted
                && v.value.status != EntryStatus::Draft
                && writable.contains(&v.value.project_id)
        }
        StoredRecord::Member(m) => {
            !m.deleted && m.last_device_id.is_some() && writable.contains(&m.record.project_id)
        }
        StoredRecord::Milestone(m) => {
            !m.deleted && m.last_device_id.is_some() && writable.contains(&m.milestone.project_id)
        }
        StoredRecord::Action(_) | StoredRecord::Project(_) => false,
    }
}

/// Who saved the record, when the record itself says (visits, form entries, indicator values).
fn author(record: &StoredRecord) -> Option<Uuid> {
    match record {
        StoredRecord::Visit(v) => v.visit.author_id,
        StoredRecord::Entry(e) => e.entry.author_id,
        StoredRecord::Value(v) => v.value.author_id,
        _ => None,
    }
}

/// The record with the decision on it, under `version`; stale when the version the supervisor
/// read is no longer the one waiting.
fn decided(
    record: StoredRecord,
    review: &Review,
    version: i64,
    note: ReviewNote,
) -> Result<StoredRecord, AppError> {
    let seen = review.seen_version;
    let status = review.decision.status();
    Ok(match record {
        StoredRecord::Visit(mut v) => {
            if v.visit.version != seen || v.visit.fields.status != EntryStatus::Submitted {
                return Err(AppError::Stale);
            }
            if v.visit.conflict {
                // Two versions wait for a choice: which one would be validated?
                return Err(AppError::Invalid {
                    field: "visit".into(),
                    code: "in_conflict".into(),
                });
            }
            v.visit.fields.status = status;
            v.visit.version = version;
            v.visit.review = Some(note);
            StoredRecord::Visit(v)
        }
        StoredRecord::Entry(mut e) => {
            if e.entry.version != seen || e.entry.status != EntryStatus::Submitted {
                return Err(AppError::Stale);
            }
            e.entry.status = status;
            e.entry.version = version;
            e.entry.review = Some(note);
            StoredRecord::Entry(e)
        }
        StoredRecord::Value(mut v) => {
            if v.value.version != seen || v.value.status != EntryStatus::Submitted {
                return Err(AppError::Stale);
            }
            v.value.status = status;
            v.value.version = version;
            v.value.review = Some(note);
            StoredRecord::Value(v)
        }
        StoredRecord::Member(mut m) => {
            if m.record.version != seen || m.record.review.is_some() {
                return Err(AppError::Stale);
            }
            m.record.version = version;
            m.record.review = Some(note);
            StoredRecord::Member(m)
        }
        StoredRecord::Milestone(mut m) => {
            if m.milestone.version != seen || m.milestone.review.is_some() {
                return Err(AppError::Stale);
            }
            m.milestone.version = version;
            m.milestone.review = Some(note);
            StoredRecord::Milestone(m)
        }
        StoredRecord::Action(_) | StoredRecord::Project(_) => return Err(AppError::NotFound),
    })
}

/// The decision as the entry carries it to the phone, stamped now; refused when it breaks the
/// review's rules (a return needs a comment).
fn note(by: &SessionUser, decision: ReviewDecision, comment: &str) -> Result<ReviewNote, AppError> {
    check_review(decision, comment).map_err(|e| AppError::Invalid {
        field: e.field.into(),
        code: e.code.into(),
    })?;
    let now = time::OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    Ok(ReviewNote {
        decision: decision.status(),
        comment: comment.trim().to_owned(),
        by: Some(by.id),
        by_name: by.name.clone(),
        at: now
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
    })
}

/// Writes the reviewed record and the decision, and commits.
async fn write_review(
    mut store: Box<dyn SyncStore>,
    record: StoredRecord,
    review: ReviewRow,
) -> Result<(), AppError> {
    store
        .write(Changes {
            records: &[record],
            ..Changes::default()
        })
        .await?;
    store.add_review(&review).await?;
    store.commit().await?;
    Ok(())
}
