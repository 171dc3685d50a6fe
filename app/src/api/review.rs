//! Review: the queues of what waits, the decisions on it, conflicts and histories.

#[cfg(feature = "ssr")]
use super::guard;
use crate::domain::{
    ConflictCase, HistoryEvent, RecordKind, ReviewDecision, ReviewItem, VisitFields,
};
use crate::error::AppError;
use leptos::prelude::*;
use uuid::Uuid;

/// The submitted visits waiting for review in the user's review scope, oldest first, each with
/// its history. Supervisors (their incubators) and the team (all).
#[server(prefix = "/api", endpoint = "review_queue")]
pub async fn review_queue() -> Result<Vec<ReviewItem>, AppError> {
    let user = guard::require_user()?;
    let scope = crate::server::auth::review_scope(&user)?;
    Ok(guard::state()?.db.review_queue(scope).await?)
}

/// Validates a submitted visit, or returns it to its facilitator with a comment (required).
/// Refused as stale when the visit moved on since `version`. Returns the visit's new version.
#[server(prefix = "/api", endpoint = "review_visit")]
pub async fn review_visit(
    visit: Uuid,
    version: i64,
    decision: ReviewDecision,
    comment: String,
) -> Result<i64, AppError> {
    decide(
        &[RecordKind::Visit],
        RecordKind::Visit,
        visit,
        version,
        decision,
        comment,
    )
    .await
}

/// The submitted diagnostics and self-assessments waiting for review in the user's review scope,
/// oldest first, with their history and the form versions to read them by.
#[server(prefix = "/api", endpoint = "entry_review_queue")]
pub async fn entry_review_queue() -> Result<crate::domain::entry::EntryQueue, AppError> {
    let user = guard::require_user()?;
    let scope = crate::server::auth::review_scope(&user)?;
    Ok(guard::state()?.db.entry_review_queue(scope).await?)
}

/// Validates a submitted diagnostic or self-assessment, or returns it with a comment
/// (required). Refused as stale when it moved on since `version`. Returns its new version.
#[server(prefix = "/api", endpoint = "review_entry")]
pub async fn review_entry(
    entry: Uuid,
    version: i64,
    decision: ReviewDecision,
    comment: String,
) -> Result<i64, AppError> {
    decide(
        &[RecordKind::Entry],
        RecordKind::Entry,
        entry,
        version,
        decision,
        comment,
    )
    .await
}

/// The members and milestones sent from the field waiting for review in the user's review
/// scope, oldest first, with their history (members without their private answers).
#[server(prefix = "/api", endpoint = "registry_review_queue")]
pub async fn registry_review_queue()
-> Result<Vec<crate::domain::registry::RegistryReviewItem>, AppError> {
    let user = guard::require_user()?;
    let scope = crate::server::auth::review_scope(&user)?;
    Ok(guard::state()?.db.registry_review_queue(scope).await?)
}

/// Validates a member or a milestone sent from the field, or returns it with a comment
/// (required). Refused as stale when it changed or was decided since `version`. Returns its new
/// version.
#[server(prefix = "/api", endpoint = "review_registry")]
pub async fn review_registry(
    kind: RecordKind,
    id: Uuid,
    version: i64,
    decision: ReviewDecision,
    comment: String,
) -> Result<i64, AppError> {
    // Visits and entries have their own endpoints; any other kind is not found here.
    let registry = [RecordKind::Member, RecordKind::Milestone, RecordKind::Value];
    decide(&registry, kind, id, version, decision, comment).await
}

/// Writes a supervisor's decision on a record in their review scope, when its kind is one of
/// `kinds` (not found otherwise).
#[cfg(feature = "ssr")]
async fn decide(
    kinds: &[RecordKind],
    kind: RecordKind,
    id: Uuid,
    version: i64,
    decision: ReviewDecision,
    comment: String,
) -> Result<i64, AppError> {
    use crate::server::sync::review::{Review, review};
    let user = guard::require_user()?;
    let scope = crate::server::auth::review_scope(&user)?;
    if !kinds.contains(&kind) {
        return Err(AppError::NotFound);
    }
    let store = guard::state()?.db.begin_push().await?;
    let decision = Review {
        kind,
        id,
        seen_version: version,
        decision,
        comment,
    };
    review(store, scope, &user, decision).await
}

/// What waits for review in the user's review scope, in numbers: entries by sort and by age,
/// and the conflicts to settle. Supervisors (their incubators) and the team (all).
#[server(prefix = "/api", endpoint = "review_summary")]
pub async fn review_summary() -> Result<crate::domain::ReviewSummary, AppError> {
    let user = guard::require_user()?;
    let scope = crate::server::auth::review_scope(&user)?;
    let db = &guard::state()?.db;
    let today = crate::domain::dates::today_iso();
    let mut summary = crate::domain::ReviewSummary::default();
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let visits = db.review_queue(scope).await?;
    let entries = db.entry_review_queue(scope).await?.items;
    let registry = db.registry_review_queue(scope).await?;
    summary.visits = count(visits.len());
    summary.entries = count(entries.len());
    summary.registry = count(registry.len());
    let received = visits
        .iter()
        .map(|i| &i.header)
        .chain(entries.iter().map(|i| &i.header))
        .chain(registry.iter().map(|i| &i.header));
    for header in received {
        summary.waiting_since(&header.submitted_at, &today);
    }
    summary.conflicts = count(db.open_conflicts(scope).await?.len());
    Ok(summary)
}

/// Every revision and review of a visit, in order: for whoever may see the visit (its
/// facilitator, the supervisors of its incubator, the team).
#[server(prefix = "/api", endpoint = "visit_history")]
pub async fn visit_history(visit: Uuid) -> Result<Vec<HistoryEvent>, AppError> {
    let user = guard::require_user()?;
    let scope = crate::server::auth::project_scope(&user)?;
    guard::state()?
        .db
        .visit_history(&user, scope, visit)
        .await?
        .ok_or(AppError::NotFound)
}

/// The visits in the user's review scope edited on two devices from the same base, each with
/// every version. Supervisors (their incubators) and the team (all).
#[server(prefix = "/api", endpoint = "list_conflicts")]
pub async fn list_conflicts() -> Result<Vec<ConflictCase>, AppError> {
    let user = guard::require_user()?;
    let scope = crate::server::auth::review_scope(&user)?;
    Ok(guard::state()?.db.open_conflicts(scope).await?)
}

/// Resolves a conflict on a visit: `fields` is the version kept, or a merge. Refused as stale
/// when the visit moved on since `version`. Returns the visit's new version.
#[server(prefix = "/api", endpoint = "resolve_conflict")]
pub async fn resolve_conflict(
    visit: Uuid,
    version: i64,
    fields: VisitFields,
) -> Result<i64, AppError> {
    use crate::server::sync::resolve::{VisitResolution, resolve_visit};
    let user = guard::require_user()?;
    let scope = crate::server::auth::review_scope(&user)?;
    let store = guard::state()?.db.begin_push().await?;
    resolve_visit(
        store,
        scope,
        user.id,
        &guard::today()?.to_string(),
        VisitResolution {
            visit,
            seen_version: version,
            fields,
        },
    )
    .await
}
