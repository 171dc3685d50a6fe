//! What waits for review, and the history of each record.

use super::{EngineDb, Sql};
use crate::domain::entry::{EntryQueue, EntryReviewItem};
use crate::domain::indicator::value::IndicatorValue;
use crate::domain::registry::{RegistryRecord, RegistryReviewItem};
use crate::domain::{FormEntry, HistoryEvent, Milestone, RecordKind, ReviewItem, Visit};
use crate::server::db::rows::{HEADER_COLUMNS, HeaderColumns, Queued, SCOPE_PREDICATE, Synced};
use crate::server::db::{DbError, ProjectScope, rows};
use crate::sync::protocol::MemberRecord;
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// The history of one record as `viewer` reads it (their own drafts, nobody else's).
pub(super) async fn history_of(
    db: &EngineDb,
    kind: RecordKind,
    id: Uuid,
    viewer: Uuid,
) -> Result<Vec<HistoryEvent>, DbError> {
    Ok(histories_of(db, kind, &[id], Some(viewer))
        .await?
        .remove(&id)
        .unwrap_or_default())
}

/// The histories of several records of one kind, by record: two queries per chunk of ids,
/// whatever their number. A draft is its author's alone: only `viewer`'s own drafts are in
/// (none for `None`, a reviewer's queue).
async fn histories_of(
    db: &EngineDb,
    kind: RecordKind,
    ids: &[Uuid],
    viewer: Option<Uuid>,
) -> Result<HashMap<Uuid, Vec<HistoryEvent>>, DbError> {
    type Revision = (Uuid, i64, String, OffsetDateTime, String, String);
    type Review = (Uuid, i64, String, String, String, OffsetDateTime);
    let mut revisions: HashMap<Uuid, Vec<_>> = HashMap::new();
    let mut reviews: HashMap<Uuid, Vec<_>> = HashMap::new();
    for chunk in ids.chunks(rows::INSERT_CHUNK) {
        let mut q = sqlx::QueryBuilder::new(
            "select r.record_id, r.version, coalesce(u.name, ''), r.created_at, r.status, r.content
               from entry_revisions r left join users u on u.id = r.user_id
              where r.record_kind = ",
        );
        q.push_bind(kind.as_str()).push(" and r.record_id in (");
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        q.push(") and (r.status <> 'draft'");
        if let Some(viewer) = viewer {
            q.push(" or r.user_id = ").push_bind(viewer);
        }
        q.push(") order by r.record_id, r.version");
        let rows: Vec<Revision> = q.build_query_as().fetch_all(&db.pool).await?;
        for (id, version, by, at, status, content) in rows {
            revisions
                .entry(id)
                .or_default()
                .push((version, by, at, status, content));
        }
        let mut q = sqlx::QueryBuilder::new(
            "select e.record_id, e.version, e.decision, e.comment, coalesce(u.name, ''), e.created_at
               from entry_reviews e left join users u on u.id = e.reviewer_id
              where e.record_kind = ",
        );
        q.push_bind(kind.as_str()).push(" and e.record_id in (");
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        q.push(") order by e.record_id, e.created_at");
        let rows: Vec<Review> = q.build_query_as().fetch_all(&db.pool).await?;
        for (id, version, decision, comment, by, at) in rows {
            reviews
                .entry(id)
                .or_default()
                .push((version, decision, comment, by, at));
        }
    }
    Ok(ids
        .iter()
        .map(|id| {
            let revisions = revisions.remove(id).unwrap_or_default();
            let reviews = reviews.remove(id).unwrap_or_default();
            (*id, rows::history(kind, revisions, reviews))
        })
        .collect())
}

/// The members of each project, by name (for a reviewer to read who was present).
async fn members_of(
    db: &EngineDb,
    projects: &[Uuid],
) -> Result<HashMap<Uuid, Vec<(Uuid, String)>>, DbError> {
    let mut out: HashMap<Uuid, Vec<(Uuid, String)>> = HashMap::new();
    for chunk in projects.chunks(rows::INSERT_CHUNK) {
        let mut q = sqlx::QueryBuilder::new(
            "select project_id, id, full_name from members where deleted = false and project_id in (",
        );
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        q.push(") order by project_id, full_name");
        let rows: Vec<(Uuid, Uuid, String)> = q.build_query_as().fetch_all(&db.pool).await?;
        for (project, id, name) in rows {
            out.entry(project).or_default().push((id, name));
        }
    }
    Ok(out)
}

pub(super) async fn visit_history(
    db: &EngineDb,
    user: &crate::domain::SessionUser,
    scope: ProjectScope,
    visit: Uuid,
) -> Result<Option<Vec<crate::domain::HistoryEvent>>, DbError> {
    use rows::SCOPE_PREDICATE;
    let (kind, scope_user) = rows::scope_binds(scope);
    // Drafts are their author's alone, here as in pull.
    let visible: Option<Uuid> = sqlx::query_scalar(&format!(
        "select v.id from visits v join projects p on p.id = v.project_id
          where v.id = $3 and v.deleted = false and p.deleted = false and {SCOPE_PREDICATE}
            and (v.status <> 'draft' or v.facilitator_id = $4)"
    ))
    .bind(kind)
    .bind(scope_user)
    .bind(visit)
    .bind(user.id)
    .fetch_optional(&db.pool)
    .await?;
    match visible {
        Some(id) => Ok(Some(history_of(db, RecordKind::Visit, id, user.id).await?)),
        None => Ok(None),
    }
}

/// The records of kind `K` in `scope` waiting for review (`waiting`, on the kind's alias), oldest
/// first, each with what the queue shows above it; `author` names who sent it.
async fn waiting<K: Synced>(
    db: &EngineDb,
    scope: ProjectScope,
    waiting: &str,
    author: &str,
) -> Result<Vec<Queued<K::Row>>, DbError>
where
    Queued<K::Row>: for<'r> sqlx::FromRow<'r, <Sql as sqlx::Database>::Row>,
{
    let (kind, scope_user) = rows::scope_binds(scope);
    let table = K::TABLE;
    let a = table.alias;
    let sql = format!(
        "select {columns}, {HEADER_COLUMNS}, {a}.updated_at as waiting_since
           from {from}
           join organisations inc on inc.id = p.incubator_id
           join value_chains vc on vc.id = p.value_chain_id
           left join users u on u.id = {author}
          where {waiting} and {a}.deleted = false and {SCOPE_PREDICATE}
          order by {a}.updated_at, {a}.id",
        columns = table.columns,
        from = table.scoped_from(),
    );
    Ok(sqlx::query_as(&sql)
        .bind(kind)
        .bind(scope_user)
        .fetch_all(&db.pool)
        .await?)
}

pub(super) async fn review_queue(
    db: &EngineDb,
    scope: ProjectScope,
) -> Result<Vec<ReviewItem>, DbError> {
    let rows = waiting::<Visit>(db, scope, "v.status = 'submitted'", "v.facilitator_id").await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.row.id).collect();
    let mut projects: Vec<Uuid> = rows.iter().map(|r| r.row.project_id).collect();
    projects.sort();
    projects.dedup();
    let members = members_of(db, &projects).await?;
    let mut histories = histories_of(db, RecordKind::Visit, &ids, None).await?;
    Ok(rows
        .into_iter()
        .map(|queued| {
            let visit = queued.row.into_stored().visit;
            ReviewItem {
                members: members
                    .get(&visit.fields.project_id)
                    .cloned()
                    .unwrap_or_default(),
                history: histories.remove(&visit.id).unwrap_or_default(),
                visit,
                header: queued.header.into_header(),
            }
        })
        .collect())
}

pub(super) async fn entry_review_queue(
    db: &EngineDb,
    scope: ProjectScope,
) -> Result<EntryQueue, DbError> {
    let rows = waiting::<FormEntry>(db, scope, "e.status = 'submitted'", "e.author_id").await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.row.id).collect();
    let mut histories = histories_of(db, RecordKind::Entry, &ids, None).await?;
    let mut queue = EntryQueue::default();
    for queued in rows {
        let entry = queued.row.into_stored().entry;
        let version = i64::from(entry.form_version);
        if !queue
            .forms
            .iter()
            .any(|f| f.id == entry.form_id && i64::from(f.version) == version)
        {
            let definition: Option<String> =
                sqlx::query_scalar("select definition from forms where id = $1 and version = $2")
                    .bind(&entry.form_id)
                    .bind(version)
                    .fetch_optional(&db.pool)
                    .await?;
            if let Some(form) = definition.and_then(|d| serde_json::from_str(&d).ok()) {
                queue.forms.push(form);
            }
        }
        queue.items.push(EntryReviewItem {
            history: histories.remove(&entry.id).unwrap_or_default(),
            entry,
            header: queued.header.into_header(),
        });
    }
    Ok(queue)
}

pub(super) async fn registry_review_queue(
    db: &EngineDb,
    scope: ProjectScope,
) -> Result<Vec<RegistryReviewItem>, DbError> {
    // Members and milestones sent from a phone (the team's loads wait for nothing), not decided
    // yet; values wait like entries: submitted, not yet decided.
    let members = waiting::<MemberRecord>(
        db,
        scope,
        "m.review_decision is null and m.last_device_id is not null",
        "p.facilitator_id",
    )
    .await?;
    let milestones = waiting::<Milestone>(
        db,
        scope,
        "ms.review_decision is null and ms.last_device_id is not null",
        "p.facilitator_id",
    )
    .await?;
    let values =
        waiting::<IndicatorValue>(db, scope, "iv.status = 'submitted'", "p.facilitator_id").await?;
    let item =
        |record: RegistryRecord, project_id, version, header: HeaderColumns| RegistryReviewItem {
            record,
            project_id,
            version,
            header: header.into_header(),
            history: Vec::new(),
        };
    let mut items: Vec<RegistryReviewItem> = members
        .into_iter()
        .map(|m| {
            let stored = m.row.into_stored();
            // Reviewers read the derived flag only, never the private answers.
            let member = crate::domain::Member {
                private: None,
                ..stored.record.member
            };
            item(
                RegistryRecord::Member(member),
                stored.record.project_id,
                stored.record.version,
                m.header,
            )
        })
        .chain(milestones.into_iter().map(|m| {
            let stored = m.row.into_stored().milestone;
            let (project, version) = (stored.project_id, stored.version);
            item(
                RegistryRecord::Milestone(stored),
                project,
                version,
                m.header,
            )
        }))
        .chain(values.into_iter().map(|v| {
            let stored = v.row.into_stored().value;
            let (project, version) = (stored.project_id, stored.version);
            item(RegistryRecord::Value(stored), project, version, v.header)
        }))
        .collect();
    items.sort_by(|a, b| {
        a.header
            .submitted_at
            .cmp(&b.header.submitted_at)
            .then(a.record.id().cmp(&b.record.id()))
    });
    for kind in [RecordKind::Member, RecordKind::Milestone, RecordKind::Value] {
        let ids: Vec<Uuid> = items
            .iter()
            .filter(|i| i.record.kind() == kind)
            .map(|i| i.record.id())
            .collect();
        let mut histories = histories_of(db, kind, &ids, None).await?;
        for i in items.iter_mut().filter(|i| i.record.kind() == kind) {
            i.history = histories.remove(&i.record.id()).unwrap_or_default();
        }
    }
    Ok(items)
}
