//! A supervisor reviews a submitted entry: validates it, or returns it with a comment.
//!
//! Like a conflict's resolution, a review is a write under a new global version, so the entry,
//! with its status and the comment, reaches the facilitator's phone at the next pull. It is made
//! on the version the supervisor read: if the entry moved on meanwhile (a resubmission, another
//! supervisor's decision), the review is refused as stale and nothing changes. The decision is
//! kept in the entry's history (`entry_reviews`). Visits and entries kept as form answers
//! (diagnostics, self-assessments), members and milestones are reviewed the same way.

use super::resolve::reviewed_visit;
use crate::domain::RecordKind;
use crate::domain::visit::check_review;
use crate::domain::{EntryStatus, ReviewDecision, ReviewNote, SessionUser};
use crate::error::AppError;
use crate::server::db::ProjectScope;
use crate::server::db::store::{Changes, ReviewRow, StoredEntry, StoredRecord, SyncStore};
use uuid::Uuid;

/// What the supervisor decided on one visit.
pub struct VisitReview {
    pub visit: Uuid,
    /// The version the supervisor read.
    pub seen_version: i64,
    pub decision: ReviewDecision,
    pub comment: String,
}

/// Writes the review; returns the visit's new version.
pub async fn review_visit(
    mut store: Box<dyn SyncStore>,
    scope: ProjectScope,
    by: &SessionUser,
    review: VisitReview,
) -> Result<i64, AppError> {
    let VisitReview {
        visit,
        seen_version,
        decision,
        comment,
    } = review;
    let note = note(by, decision, &comment)?;
    // Drafts are their author's alone: for a supervisor, they do not exist.
    let (version, current) = reviewed_visit(store.as_mut(), scope, visit, |v| {
        v.visit.fields.status != EntryStatus::Draft
    })
    .await?;
    if current.visit.version != seen_version
        || current.visit.fields.status != EntryStatus::Submitted
    {
        return Err(AppError::Stale);
    }
    if current.visit.conflict {
        // Two versions wait for a choice: which one would be validated?
        return Err(AppError::Invalid {
            field: "visit".into(),
            code: "in_conflict".into(),
        });
    }
    let mut next = current;
    next.visit.fields.status = decision.status();
    next.visit.version = version;
    next.visit.review = Some(note.clone());
    // The device that saved it keeps `last_device_id`: a review is not an edit, so the
    // facilitator's fix, made on the version before the review, is not a conflict.
    let review = ReviewRow {
        id: Uuid::new_v4(),
        kind: RecordKind::Visit,
        record_id: visit,
        version: seen_version,
        decision: decision.status(),
        comment: note.comment,
        reviewer_id: by.id,
    };
    write_review(store, StoredRecord::Visit(next), review).await?;
    Ok(version)
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

/// What the supervisor decided on one diagnostic or self-assessment.
pub struct EntryReview {
    pub entry: Uuid,
    /// The version the supervisor read.
    pub seen_version: i64,
    pub decision: ReviewDecision,
    pub comment: String,
}

/// Writes the review of an entry kept as form answers; returns its new version.
pub async fn review_entry(
    mut store: Box<dyn SyncStore>,
    scope: ProjectScope,
    by: &SessionUser,
    review: EntryReview,
) -> Result<i64, AppError> {
    let EntryReview {
        entry,
        seen_version,
        decision,
        comment,
    } = review;
    let note = note(by, decision, &comment)?;
    let version = store.next_version().await?;
    let writable = store.writable_projects(scope).await?;
    // Outside the scope, deleted, or a draft (its author's alone): not found.
    let current: StoredEntry = store
        .load(&[(RecordKind::Entry, entry)])
        .await?
        .into_iter()
        .find_map(|r| match r {
            StoredRecord::Entry(e)
                if !e.deleted
                    && writable.contains(&e.entry.project_id)
                    && e.entry.status != EntryStatus::Draft =>
            {
                Some(e)
            }
            _ => None,
        })
        .ok_or(AppError::NotFound)?;
    if current.entry.version != seen_version || current.entry.status != EntryStatus::Submitted {
        return Err(AppError::Stale);
    }
    let mut next = current;
    next.entry.status = decision.status();
    next.entry.version = version;
    next.entry.review = Some(note.clone());
    let review = ReviewRow {
        id: Uuid::new_v4(),
        kind: RecordKind::Entry,
        record_id: entry,
        version: seen_version,
        decision: decision.status(),
        comment: note.comment,
        reviewer_id: by.id,
    };
    write_review(store, StoredRecord::Entry(next), review).await?;
    Ok(version)
}

/// What the supervisor decided on one member or milestone.
pub struct RegistryReview {
    pub kind: RecordKind,
    pub id: Uuid,
    /// The version the supervisor read.
    pub seen_version: i64,
    pub decision: ReviewDecision,
    pub comment: String,
}

/// Writes the review of a member or a milestone sent from the field; returns its new version.
/// Only a version waiting for review is decided on: one already decided, or changed since the
/// supervisor read it, is refused as stale.
pub async fn review_registry(
    mut store: Box<dyn SyncStore>,
    scope: ProjectScope,
    by: &SessionUser,
    review: RegistryReview,
) -> Result<i64, AppError> {
    let RegistryReview {
        kind,
        id,
        seen_version,
        decision,
        comment,
    } = review;
    let note = note(by, decision, &comment)?;
    let version = store.next_version().await?;
    let writable = store.writable_projects(scope).await?;
    // Outside the scope, deleted, another kind, or loaded by the team (nothing to review): not
    // found.
    let found = store
        .load(&[(kind, id)])
        .await?
        .into_iter()
        .find(|r| match r {
            StoredRecord::Member(m) => {
                !m.deleted && m.last_device_id.is_some() && writable.contains(&m.record.project_id)
            }
            StoredRecord::Milestone(m) => {
                !m.deleted
                    && m.last_device_id.is_some()
                    && writable.contains(&m.milestone.project_id)
            }
            // A draft value is its author's alone.
            StoredRecord::Value(v) => {
                !v.deleted
                    && v.value.status != EntryStatus::Draft
                    && writable.contains(&v.value.project_id)
            }
            _ => false,
        })
        .ok_or(AppError::NotFound)?;
    let next = match found {
        StoredRecord::Member(mut m) => {
            if m.record.version != seen_version || m.record.review.is_some() {
                return Err(AppError::Stale);
            }
            m.record.version = version;
            m.record.review = Some(note.clone());
            StoredRecord::Member(m)
        }
        StoredRecord::Milestone(mut m) => {
            if m.milestone.version != seen_version || m.milestone.review.is_some() {
                return Err(AppError::Stale);
            }
            m.milestone.version = version;
            m.milestone.review = Some(note.clone());
            StoredRecord::Milestone(m)
        }
        StoredRecord::Value(mut v) => {
            if v.value.version != seen_version || v.value.status != EntryStatus::Submitted {
                return Err(AppError::Stale);
            }
            v.value.version = version;
            v.value.status = decision.status();
            v.value.review = Some(note.clone());
            StoredRecord::Value(v)
        }
        _ => return Err(AppError::NotFound),
    };
    let review = ReviewRow {
        id: Uuid::new_v4(),
        kind,
        record_id: id,
        version: seen_version,
        decision: decision.status(),
        comment: note.comment,
        reviewer_id: by.id,
    };
    write_review(store, next, review).await?;
    Ok(version)
}
