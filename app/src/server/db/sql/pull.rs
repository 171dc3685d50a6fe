//! The pull: every record of a scope changed since a cookie, from one snapshot.

use super::EngineDb;
use crate::server::db::{DbError, ProjectScope, rows};
use uuid::Uuid;

pub(super) async fn pull(
    db: &EngineDb,
    user: &crate::domain::SessionUser,
    scope: ProjectScope,
    client: Uuid,
    cookie: Option<&crate::sync::protocol::Cookie>,
) -> Result<crate::sync::protocol::PullResponse, DbError> {
    use crate::sync::protocol::{Cookie, MemberRecord, PullResponse, Record, RecordKind};
    use rows::{
        ACTION_COLUMNS, ActionRow, PROJECT_COLUMNS, PulledMember, PulledProject, SCOPE_PREDICATE,
        VISIT_COLUMNS, VisitRow,
    };
    let mut tx = db.begin_snapshot().await?;
    let version: i64 = sqlx::query_scalar("select value from sync_version where id = 1")
        .fetch_one(&mut *tx)
        .await?;
    let (kind, scope_user) = rows::scope_binds(scope);
    let in_scope: Vec<Uuid> = sqlx::query_scalar(&format!(
        "select p.id from projects p where p.deleted = false and {SCOPE_PREDICATE}"
    ))
    .bind(kind)
    .bind(scope_user)
    .fetch_all(&mut *tx)
    .await?;
    let fingerprint =
        crate::sync::protocol::scope_fingerprint(user.id, user.role.as_str(), &in_scope);
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
    .bind(kind)
    .bind(scope_user)
    .bind(since)
    .fetch_all(&mut *tx)
    .await?;
    records.extend(projects.into_iter().map(|p| {
        if p.deleted {
            Record::Deleted {
                of: RecordKind::Project,
                id: p.id,
            }
        } else {
            Record::Project(p.into_record())
        }
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
    .bind(kind)
    .bind(scope_user)
    .bind(since)
    .fetch_all(&mut *tx)
    .await?;
    records.extend(members.into_iter().map(|m| {
        if m.deleted {
            Record::Deleted {
                of: RecordKind::Member,
                id: m.member.id,
            }
        } else {
            Record::Member(MemberRecord {
                project_id: m.project_id,
                version: m.version,
                member: m.member.into_member(rows::sees_private(scope)),
                review: m.review.into_note(),
            })
        }
    }));

    // Drafts are their author's alone.
    let visits: Vec<VisitRow> = sqlx::query_as(&format!(
        "select {VISIT_COLUMNS} from visits v join projects p on p.id = v.project_id
          where {SCOPE_PREDICATE} and p.deleted = false and v.version > $3
            and (v.deleted = false or $3 > 0)
            and (v.status <> 'draft' or v.facilitator_id = $4)"
    ))
    .bind(kind)
    .bind(scope_user)
    .bind(since)
    .bind(user.id)
    .fetch_all(&mut *tx)
    .await?;
    records.extend(visits.into_iter().map(|v| {
        if v.deleted {
            Record::Deleted {
                of: RecordKind::Visit,
                id: v.id,
            }
        } else {
            Record::Visit(v.into_stored().visit)
        }
    }));

    let actions: Vec<ActionRow> = sqlx::query_as(&format!(
        "select {ACTION_COLUMNS} from action_items a join projects p on p.id = a.project_id
          where {SCOPE_PREDICATE} and p.deleted = false and a.version > $3
            and (a.deleted = false or $3 > 0)"
    ))
    .bind(kind)
    .bind(scope_user)
    .bind(since)
    .fetch_all(&mut *tx)
    .await?;
    records.extend(actions.into_iter().map(|a| {
        if a.deleted {
            Record::Deleted {
                of: RecordKind::Action,
                id: a.id,
            }
        } else {
            Record::Action(a.into_stored().item)
        }
    }));

    let milestones: Vec<rows::MilestoneRow> = sqlx::query_as(&format!(
        "select {} from milestones ms join projects p on p.id = ms.project_id
          where {SCOPE_PREDICATE} and p.deleted = false and ms.version > $3
            and (ms.deleted = false or $3 > 0)",
        rows::MILESTONE_COLUMNS
    ))
    .bind(kind)
    .bind(scope_user)
    .bind(since)
    .fetch_all(&mut *tx)
    .await?;
    records.extend(milestones.into_iter().map(|m| {
        if m.deleted {
            Record::Deleted {
                of: RecordKind::Milestone,
                id: m.id,
            }
        } else {
            Record::Milestone(m.into_stored().milestone)
        }
    }));

    // Drafts are their author's alone, as visits.
    let entries: Vec<rows::EntryRow> = sqlx::query_as(&format!(
        "select {} from form_entries e join projects p on p.id = e.project_id
          where {SCOPE_PREDICATE} and p.deleted = false and e.version > $3
            and (e.deleted = false or $3 > 0)
            and (e.status <> 'draft' or e.author_id = $4)",
        rows::ENTRY_COLUMNS
    ))
    .bind(kind)
    .bind(scope_user)
    .bind(since)
    .bind(user.id)
    .fetch_all(&mut *tx)
    .await?;
    records.extend(entries.into_iter().map(|e| {
        if e.deleted {
            Record::Deleted {
                of: RecordKind::Entry,
                id: e.id,
            }
        } else {
            Record::Entry(e.into_stored().entry)
        }
    }));

    // Draft values are their author's alone, as entries.
    let values: Vec<rows::ValueRow> = sqlx::query_as(&format!(
        "select {} from indicator_values iv join projects p on p.id = iv.project_id
          where {SCOPE_PREDICATE} and p.deleted = false and iv.version > $3
            and (iv.deleted = false or $3 > 0)
            and (iv.status <> 'draft' or iv.author_id = $4)",
        rows::VALUE_COLUMNS
    ))
    .bind(kind)
    .bind(scope_user)
    .bind(since)
    .bind(user.id)
    .fetch_all(&mut *tx)
    .await?;
    records.extend(values.into_iter().map(|v| {
        if v.deleted {
            Record::Deleted {
                of: RecordKind::Value,
                id: v.id,
            }
        } else {
            Record::Value(v.into_stored().value)
        }
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
    let forms = crate::sync::protocol::forms_fingerprint(
        latest_forms
            .iter()
            .map(|(id, v)| (id.as_str(), u32::try_from(*v).unwrap_or(0))),
    );

    let last_seq: Option<i64> =
        sqlx::query_scalar("select last_seq from sync_clients where id = $1")
            .bind(client)
            .fetch_optional(&mut *tx)
            .await?;
    tx.commit().await?;
    Ok(PullResponse {
        cookie: Cookie {
            version,
            scope: fingerprint,
        },
        last_seq: last_seq.and_then(|s| u64::try_from(s).ok()).unwrap_or(0),
        reset,
        records,
        forms,
    })
}
