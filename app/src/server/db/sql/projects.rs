//! Project cards and pages, the programme summary, risk flags and their acknowledgements.

use super::EngineDb;
use crate::server::db::{DbError, ProjectScope, RiskFactSet, RiskQuery, rows};
use time::OffsetDateTime;
use uuid::Uuid;

pub(super) async fn project_cards(
    db: &EngineDb,
    scope: ProjectScope,
    today: time::Date,
) -> Result<Vec<crate::domain::ProjectCard>, DbError> {
    let (kind, user) = rows::scope_binds(scope);
    let sql = format!(
        "{}{} order by p.code",
        rows::CARD_SELECT,
        rows::SCOPE_PREDICATE
    );
    let rows: Vec<rows::CardRow> = sqlx::query_as(&sql)
        .bind(kind)
        .bind(user)
        .bind(today)
        .fetch_all(&db.pool)
        .await?;
    Ok(rows.into_iter().map(|r| r.into_card()).collect())
}

pub(super) async fn project_detail(
    db: &EngineDb,
    scope: ProjectScope,
    id: Uuid,
    today: time::Date,
) -> Result<Option<crate::domain::ProjectDetail>, DbError> {
    let (kind, user) = rows::scope_binds(scope);
    let sql = format!(
        "{}{} and p.id = $4",
        rows::CARD_SELECT,
        rows::SCOPE_PREDICATE
    );
    let card: Option<rows::CardRow> = sqlx::query_as(&sql)
        .bind(kind)
        .bind(user)
        .bind(today)
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    let Some(card) = card else { return Ok(None) };
    let extra: rows::ProjectExtraRow = sqlx::query_as(
        "select p.legal_form, p.call_wave, p.training_track, p.grant_millimes,
                p.contract_signed_on,
                coalesce((select o.name from organisations o where o.id = p.funder_id), '')
                  as funder,
                coalesce((select cast(sum(t.disbursed_millimes) as bigint)
                            from funding_tranches t
                           where t.project_id = p.id and t.deleted = false), 0)
                  as disbursed_millimes,
                (select count(*) from visits v
                  where v.project_id = p.id and v.deleted = false) as visit_count,
                (select vc.code from value_chains vc where vc.id = p.value_chain_id)
                  as value_chain_code
           from projects p where p.id = $1",
    )
    .bind(id)
    .fetch_one(&db.pool)
    .await?;
    let sql = format!(
        "select {} from members where deleted = false and project_id = $1
          order by left_on is not null, role, full_name",
        rows::MEMBER_FIELDS
    );
    let members: Vec<rows::MemberRow> = sqlx::query_as(&sql).bind(id).fetch_all(&db.pool).await?;
    let card = card.into_card();
    type TrancheRow = (
        i32,
        i64,
        Option<i64>,
        Option<time::Date>,
        Option<i64>,
        Option<String>,
    );
    let tranches: Vec<TrancheRow> = sqlx::query_as(
        "select seq, planned_millimes, disbursed_millimes, disbursed_on, justified_millimes, files
           from funding_tranches where project_id = $1 and deleted = false order by seq",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    // The project's visits and entries, drafts aside (they are their author's alone).
    const RECORDS: &str = "((r.record_kind = 'visit' and r.record_id in
            (select v.id from visits v where v.project_id = $1 and v.deleted = false
                and v.status <> 'draft'))
        or (r.record_kind = 'entry' and r.record_id in
            (select e.id from form_entries e where e.project_id = $1 and e.deleted = false
                and e.status <> 'draft')))";
    type StepRow = (Uuid, OffsetDateTime, String, String, String);
    let saved: Vec<StepRow> = sqlx::query_as(&format!(
        "select r.record_id, r.created_at, coalesce(u.name, ''), r.status, ''
           from entry_revisions r left join users u on u.id = r.user_id
          where r.status <> 'draft' and {RECORDS}"
    ))
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    let reviewed: Vec<StepRow> = sqlx::query_as(&format!(
        "select r.record_id, r.created_at, coalesce(u.name, ''), r.decision, r.comment
           from entry_reviews r left join users u on u.id = r.reviewer_id
          where {RECORDS}"
    ))
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    let step = |review: bool| {
        move |(record_id, at, by, status, comment): StepRow| {
            Some(crate::domain::timeline::EntryStep {
                record_id,
                at: rows::rfc3339(at),
                by,
                status: crate::domain::EntryStatus::parse(&status)?,
                review,
                comment,
            })
        }
    };
    let mut steps: Vec<_> = saved.into_iter().filter_map(step(false)).collect();
    steps.extend(reviewed.into_iter().filter_map(step(true)));
    steps.sort_by(|a, b| a.at.cmp(&b.at));
    let targets: Vec<rows::TargetRow> = sqlx::query_as(&format!(
        "select {} from indicator_targets where scope = 'project' and scope_id = $1 order by indicator",
        rows::TARGET_COLUMNS
    ))
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    let targets = targets
        .into_iter()
        .map(|t| t.into_scoped().target)
        .collect();
    Ok(Some(crate::domain::ProjectDetail {
        card,
        legal_form: extra.legal_form,
        value_chain_code: extra.value_chain_code,
        call_wave: extra.call_wave,
        training_track: extra.training_track,
        grant_millimes: extra.grant_millimes,
        disbursed_millimes: extra.disbursed_millimes,
        contract_signed_on: extra.contract_signed_on.map(|d| d.to_string()),
        funder: extra.funder,
        visit_count: extra.visit_count,
        members: members
            .into_iter()
            .map(|m| m.into_member(rows::sees_private(scope)))
            .collect(),
        tranches: tranches
            .into_iter()
            .map(
                |(seq, planned, disbursed, disbursed_on, justified, files)| {
                    crate::domain::timeline::Tranche {
                        seq,
                        planned,
                        disbursed,
                        disbursed_on: disbursed_on.map(|d| d.to_string()),
                        justified,
                        files: rows::evidence_list(files.as_deref()),
                    }
                },
            )
            .collect(),
        steps,
        targets,
    }))
}

pub(super) async fn programme_facts(
    db: &EngineDb,
    visits_since: time::Date,
) -> Result<crate::server::db::ProgrammeFacts, DbError> {
    use crate::domain::{ProjectKind, ProjectStatus};
    let projects: Vec<(String, String)> =
        sqlx::query_as("select kind, status from projects where deleted = false")
            .fetch_all(&db.pool)
            .await?;
    let visits: i64 =
        sqlx::query_scalar("select count(*) from visits where deleted = false and visit_on > $1")
            .bind(visits_since)
            .fetch_one(&db.pool)
            .await?;
    Ok(crate::server::db::ProgrammeFacts {
        projects: projects
            .iter()
            .map(|(kind, status)| {
                (
                    ProjectKind::parse(kind).unwrap_or(ProjectKind::Individual),
                    ProjectStatus::parse(status).unwrap_or(ProjectStatus::Operating),
                )
            })
            .collect(),
        members: super::dashboard::member_facts(db).await?,
        visits,
    })
}

/// What the risk rules read of every project in `scope` that has any (see
/// [`crate::server::db::RiskFactSet`]), in four queries whatever the number of projects.
pub(super) async fn risk_facts(
    db: &EngineDb,
    scope: ProjectScope,
    query: RiskQuery,
) -> Result<RiskFactSet, DbError> {
    use crate::domain::risk::RiskAck;
    use rows::SCOPE_PREDICATE;
    let (kind, scope_user) = rows::scope_binds(scope);
    let mut set = RiskFactSet::default();
    type VisitFacts = (Uuid, time::Date, Option<i64>, Option<i64>, String);
    let visits: Vec<VisitFacts> = sqlx::query_as(&format!(
        "select v.project_id, v.visit_on, v.sales_millimes, v.purchases_millimes, v.shock
           from visits v join projects p on p.id = v.project_id
          where {SCOPE_PREDICATE} and v.deleted = false and v.status <> 'draft'
          order by v.project_id, v.visit_on desc, v.version desc"
    ))
    .bind(kind)
    .bind(scope_user)
    .fetch_all(&db.pool)
    .await?;
    for (project, day, sales, purchases, shock) in visits {
        let facts = set.facts.entry(project).or_default();
        if facts.visits.len() < query.visits_kept {
            let snapshot = crate::domain::Snapshot {
                sales,
                purchases,
                shock,
                ..Default::default()
            };
            facts.visits.push((day.to_string(), snapshot));
        }
    }
    let overdue: Vec<(Uuid, i64)> = sqlx::query_as(&format!(
        "select a.project_id, count(*) from action_items a join projects p on p.id = a.project_id
          where {SCOPE_PREDICATE} and a.deleted = false and a.status = 'open' and a.due_on < $3
          group by a.project_id"
    ))
    .bind(kind)
    .bind(scope_user)
    .bind(query.today)
    .fetch_all(&db.pool)
    .await?;
    for (project, count) in overdue {
        set.facts.entry(project).or_default().overdue_actions = usize::try_from(count).unwrap_or(0);
    }
    let unjustified: Vec<(Uuid, time::Date)> = sqlx::query_as(&format!(
        "select t.project_id, t.disbursed_on from funding_tranches t
           join projects p on p.id = t.project_id
          where {SCOPE_PREDICATE} and t.deleted = false and t.disbursed_on is not null
            and coalesce(t.justified_millimes, 0) < coalesce(t.disbursed_millimes, 0)"
    ))
    .bind(kind)
    .bind(scope_user)
    .fetch_all(&db.pool)
    .await?;
    for (project, day) in unjustified {
        set.facts
            .entry(project)
            .or_default()
            .unjustified_disbursements
            .push(day.to_string());
    }
    type AckRow = (Uuid, String, String, Option<String>, OffsetDateTime);
    let acks: Vec<AckRow> = sqlx::query_as(&format!(
        "select r.project_id, r.rule, r.note, u.name, r.acknowledged_at
           from risk_acknowledgements r join projects p on p.id = r.project_id
           left join users u on u.id = r.acknowledged_by
          where {SCOPE_PREDICATE} and r.acknowledged_at > $3"
    ))
    .bind(kind)
    .bind(scope_user)
    .bind(query.acknowledged_since)
    .fetch_all(&db.pool)
    .await?;
    set.acknowledgements = acks
        .into_iter()
        .map(|(project, rule, note, by, at)| {
            let ack = RiskAck {
                rule,
                note,
                by: by.unwrap_or_default(),
                at: rows::rfc3339(at),
            };
            (project, ack)
        })
        .collect();
    Ok(set)
}

pub(super) async fn acknowledge_risk(
    db: &EngineDb,
    scope: ProjectScope,
    by: Uuid,
    project: Uuid,
    rule: &str,
    note: &str,
) -> Result<bool, DbError> {
    use rows::SCOPE_PREDICATE;
    let (kind, scope_user) = rows::scope_binds(scope);
    let visible: Option<Uuid> = sqlx::query_scalar(&format!(
        "select p.id from projects p where p.id = $3 and p.deleted = false and {SCOPE_PREDICATE}"
    ))
    .bind(kind)
    .bind(scope_user)
    .bind(project)
    .fetch_optional(&db.pool)
    .await?;
    if visible.is_none() {
        return Ok(false);
    }
    let now = rows::now();
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
    .execute(&db.pool)
    .await?;
    Ok(true)
}
