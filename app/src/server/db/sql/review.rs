//! What waits for review, and the history of each record.

use super::EngineDb;
use crate::domain::HistoryEvent;
use crate::server::db::{DbError, ProjectScope, rows};
use crate::sync::protocol::RecordKind;
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

pub(super) async fn history_of(
    db: &EngineDb,
    kind: RecordKind,
    id: Uuid,
) -> Result<Vec<HistoryEvent>, DbError> {
    Ok(histories_of(db, kind, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default())
}

/// The histories of several records of one kind, by record: two queries per chunk of ids,
/// whatever their number.
async fn histories_of(
    db: &EngineDb,
    kind: RecordKind,
    ids: &[Uuid],
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
        Some(id) => Ok(Some(history_of(db, RecordKind::Visit, id).await?)),
        None => Ok(None),
    }
}

pub(super) async fn review_queue(
    db: &EngineDb,
    scope: ProjectScope,
) -> Result<Vec<crate::domain::ReviewItem>, DbError> {
    use rows::{QueueRow, SCOPE_PREDICATE, VISIT_COLUMNS, rfc3339};
    let (kind, scope_user) = rows::scope_binds(scope);
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
    .fetch_all(&db.pool)
    .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.visit.id).collect();
    let mut projects: Vec<Uuid> = rows.iter().map(|r| r.visit.project_id).collect();
    projects.sort();
    projects.dedup();
    let members = members_of(db, &projects).await?;
    let mut histories = histories_of(db, RecordKind::Visit, &ids).await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let visit = row.visit.into_stored().visit;
        items.push(crate::domain::ReviewItem {
            members: members
                .get(&visit.fields.project_id)
                .cloned()
                .unwrap_or_default(),
            history: histories.remove(&visit.id).unwrap_or_default(),
            visit,
            project_code: row.project_code,
            project_title: row.project_title,
            incubator: row.incubator,
            value_chain: crate::domain::project::Names {
                fr: row.vc_fr,
                ar: row.vc_ar,
                en: row.vc_en,
            },
            facilitator: row.facilitator.unwrap_or_default(),
            submitted_at: rfc3339(row.updated_at),
        });
    }
    Ok(items)
}

pub(super) async fn entry_review_queue(
    db: &EngineDb,
    scope: ProjectScope,
) -> Result<crate::domain::entry::EntryQueue, DbError> {
    use rows::{ENTRY_COLUMNS, EntryQueueRow, SCOPE_PREDICATE, rfc3339};
    let (kind, scope_user) = rows::scope_binds(scope);
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
    .fetch_all(&db.pool)
    .await?;
    let mut queue = crate::domain::entry::EntryQueue::default();
    let ids: Vec<Uuid> = rows.iter().map(|r| r.entry.id).collect();
    let mut histories = histories_of(db, RecordKind::Entry, &ids).await?;
    for row in rows {
        let entry = row.entry.into_stored().entry;
        let history = histories.remove(&entry.id).unwrap_or_default();
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
        queue.items.push(crate::domain::entry::EntryReviewItem {
            history,
            entry,
            project_code: row.project_code,
            project_title: row.project_title,
            incubator: row.incubator,
            value_chain: crate::domain::project::Names {
                fr: row.vc_fr,
                ar: row.vc_ar,
                en: row.vc_en,
            },
            facilitator: row.facilitator.unwrap_or_default(),
            submitted_at: rfc3339(row.updated_at),
        });
    }
    Ok(queue)
}

pub(super) async fn registry_review_queue(
    db: &EngineDb,
    scope: ProjectScope,
) -> Result<Vec<crate::domain::registry::RegistryReviewItem>, DbError> {
    use crate::domain::registry::{RegistryRecord, RegistryReviewItem};
    use rows::{
        MEMBER_COLUMNS, MILESTONE_COLUMNS, MilestoneRow, SCOPE_PREDICATE, StoredMemberRow, rfc3339,
    };
    let (kind, scope_user) = rows::scope_binds(scope);
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
        waiting_since: OffsetDateTime,
    }
    const AROUND: &str = "p.code as project_code, p.title as project_title,
        inc.name as incubator, vc.name_fr as vc_fr, vc.name_ar as vc_ar, vc.name_en as vc_en,
        u.name as facilitator";
    // Joined after `projects p`.
    const AROUND_JOINS: &str = "join organisations inc on inc.id = p.incubator_id
        join value_chains vc on vc.id = p.value_chain_id
        left join users u on u.id = p.facilitator_id";
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
        row: rows::ValueRow,
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
        // Sent from a phone (the team's loads wait for nothing), not decided yet.
        "select {MEMBER_COLUMNS}, {AROUND}, m.updated_at as waiting_since
           from members m join projects p on p.id = m.project_id {AROUND_JOINS}
          where m.review_decision is null and m.last_device_id is not null
            and m.deleted = false and p.deleted = false and {SCOPE_PREDICATE}"
    ))
    .bind(kind)
    .bind(scope_user)
    .fetch_all(&db.pool)
    .await?;
    let milestones: Vec<MilestoneQueueRow> = sqlx::query_as(&format!(
        "select {MILESTONE_COLUMNS}, {AROUND}, ms.updated_at as waiting_since
           from milestones ms join projects p on p.id = ms.project_id {AROUND_JOINS}
          where ms.review_decision is null and ms.last_device_id is not null
            and ms.deleted = false and p.deleted = false and {SCOPE_PREDICATE}"
    ))
    .bind(kind)
    .bind(scope_user)
    .fetch_all(&db.pool)
    .await?;
    // Values wait like entries: submitted, not yet decided.
    let values: Vec<ValueQueueRow> = sqlx::query_as(&format!(
        "select {}, {AROUND}, iv.updated_at as waiting_since
           from indicator_values iv join projects p on p.id = iv.project_id {AROUND_JOINS}
          where iv.status = 'submitted' and iv.deleted = false and p.deleted = false
            and {SCOPE_PREDICATE}",
        rows::VALUE_COLUMNS
    ))
    .bind(kind)
    .bind(scope_user)
    .fetch_all(&db.pool)
    .await?;
    let item = |record: RegistryRecord, project_id, version, a: Around| RegistryReviewItem {
        record,
        project_id,
        version,
        project_code: a.project_code,
        project_title: a.project_title,
        incubator: a.incubator,
        value_chain: crate::domain::project::Names {
            fr: a.vc_fr,
            ar: a.vc_ar,
            en: a.vc_en,
        },
        facilitator: a.facilitator.unwrap_or_default(),
        submitted_at: rfc3339(a.waiting_since),
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
                m.around,
            )
        })
        .chain(milestones.into_iter().map(|m| {
            let stored = m.row.into_stored().milestone;
            let (project, version) = (stored.project_id, stored.version);
            item(
                RegistryRecord::Milestone(stored),
                project,
                version,
                m.around,
            )
        }))
        .chain(values.into_iter().map(|v| {
            let stored = v.row.into_stored().value;
            let (project, version) = (stored.project_id, stored.version);
            item(RegistryRecord::Value(stored), project, version, v.around)
        }))
        .collect();
    items.sort_by(|a, b| {
        a.submitted_at
            .cmp(&b.submitted_at)
            .then(a.record.id().cmp(&b.record.id()))
    });
    for kind in [RecordKind::Member, RecordKind::Milestone, RecordKind::Value] {
        let ids: Vec<Uuid> = items
            .iter()
            .filter(|i| i.record.kind() == kind)
            .map(|i| i.record.id())
            .collect();
        let mut histories = histories_of(db, kind, &ids).await?;
        for i in items.iter_mut().filter(|i| i.record.kind() == kind) {
            i.history = histories.remove(&i.record.id()).unwrap_or_default();
        }
    }
    Ok(items)
}
