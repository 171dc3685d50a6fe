//! A supervisor reviews a submitted entry: validates it, or returns it with a comment.
//!
//! Like a conflict's resolution, a review is a write under a new global version, so the entry,
//! with its status and the comment, reaches the facilitator's phone at the next pull. It is made
//! on the version the supervisor read: if the entry moved on meanwhile (a resubmission, another
//! supervisor's decision), the review is refused as stale and nothing changes. The decision is
//! kept in the entry's history (`entry_reviews`).

use super::resolve::reviewed_visit;
use super::store::{Changes, ReviewRow, StoredRecord, SyncStore};
use crate::domain::visit::check_review;
use crate::domain::{EntryStatus, ReviewDecision, ReviewNote, SessionUser};
use crate::error::AppError;
use crate::server::db::ProjectScope;
use crate::sync::protocol::RecordKind;
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
    check_review(decision, &comment).map_err(|e| AppError::Invalid {
        field: e.field.into(),
        code: e.code.into(),
    })?;
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
    let now = time::OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    let comment = comment.trim().to_owned();
    let mut next = current;
    next.visit.fields.status = decision.status();
    next.visit.version = version;
    next.visit.review = Some(ReviewNote {
        decision: decision.status(),
        comment: comment.clone(),
        by: Some(by.id),
        by_name: by.name.clone(),
        at: now
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
    });
    // The device that saved it keeps `last_device_id`: a review is not an edit, so the
    // facilitator's fix, made on the version before the review, is not a conflict.
    store
        .write(Changes {
            records: &[StoredRecord::Visit(next)],
            ..Changes::default()
        })
        .await?;
    store
        .add_review(&ReviewRow {
            id: Uuid::new_v4(),
            kind: RecordKind::Visit,
            record_id: visit,
            version: seen_version,
            decision: decision.status(),
            comment,
            reviewer_id: by.id,
        })
        .await?;
    store.commit().await?;
    Ok(version)
}
