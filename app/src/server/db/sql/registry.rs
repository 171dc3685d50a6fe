//! What the team sets up: value chains and localities to choose from, assignments, funding tranches, targets.

use super::{EngineDb, audit};
use crate::server::db::{AuditLine, DbError, rows};
use serde_json::json;
use uuid::Uuid;

pub(super) async fn registry_choices(
    db: &EngineDb,
    user: Uuid,
) -> Result<crate::domain::RegistryChoices, DbError> {
    let chains: Vec<(Uuid, String, String, String, String)> = sqlx::query_as(
        "select id, code, name_fr, name_ar, name_en from value_chains order by code",
    )
    .fetch_all(&db.pool)
    .await?;
    let localities: Vec<(Uuid, String, String)> =
        sqlx::query_as("select id, name, delegation from localities order by name")
            .fetch_all(&db.pool)
            .await?;
    let incubator: Option<(Uuid, String)> = sqlx::query_as(
        "select o.id, o.name from users u join organisations o on o.id = u.organisation_id
          where u.id = $1 and o.kind = 'incubator'",
    )
    .bind(user)
    .fetch_optional(&db.pool)
    .await?;
    let codes: Vec<String> = sqlx::query_scalar("select code from projects order by code")
        .fetch_all(&db.pool)
        .await?;
    Ok(crate::domain::RegistryChoices {
        value_chains: chains
            .into_iter()
            .map(|(id, code, fr, ar, en)| (id, code, crate::domain::Names { fr, ar, en }))
            .collect(),
        localities,
        incubator,
        codes,
    })
}

pub(super) async fn assignment_choices(
    db: &EngineDb,
    project: Uuid,
) -> Result<Option<crate::domain::project::AssignmentChoices>, DbError> {
    let current: Option<(Option<Uuid>, Uuid, Option<Uuid>)> = sqlx::query_as(
        "select facilitator_id, incubator_id, funder_id from projects
          where id = $1 and deleted = false",
    )
    .bind(project)
    .fetch_optional(&db.pool)
    .await?;
    let Some((facilitator, incubator, funder)) = current else {
        return Ok(None);
    };
    let facilitators: Vec<(Uuid, String, String)> = sqlx::query_as(
        "select u.id, u.name, coalesce(o.name, '') from users u
           left join organisations o on o.id = u.organisation_id
          where u.role = 'facilitator' and u.active = true order by u.name",
    )
    .fetch_all(&db.pool)
    .await?;
    let incubators: Vec<(Uuid, String)> =
        sqlx::query_as("select id, name from organisations where kind = 'incubator' order by name")
            .fetch_all(&db.pool)
            .await?;
    let funders: Vec<(Uuid, String)> = sqlx::query_as(
        "select id, name from organisations
          where kind = 'funder' and (archived_at is null or id = $1) order by name",
    )
    .bind(funder)
    .fetch_all(&db.pool)
    .await?;
    Ok(Some(crate::domain::project::AssignmentChoices {
        facilitators,
        incubators,
        funders,
        facilitator,
        incubator: Some(incubator),
        funder,
    }))
}

pub(super) async fn assign_project(
    db: &EngineDb,
    project: Uuid,
    facilitator: Option<Uuid>,
    incubator: Uuid,
    funder: Option<Uuid>,
    by: Uuid,
) -> Result<bool, DbError> {
    let _turn = db.write_turn().await;
    let mut tx = db.begin_write().await?;
    let facilitator_ok = match facilitator {
        None => true,
        Some(id) => sqlx::query_scalar::<_, Uuid>(
            "select id from users where id = $1 and role = 'facilitator' and active = true",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .is_some(),
    };
    let incubator_ok = sqlx::query_scalar::<_, Uuid>(
        "select id from organisations where id = $1 and kind = 'incubator'",
    )
    .bind(incubator)
    .fetch_optional(&mut *tx)
    .await?
    .is_some();
    let before: Option<(String, Option<Uuid>, Uuid, Option<Uuid>)> = sqlx::query_as(
        "select code, facilitator_id, incubator_id, funder_id from projects
          where id = $1 and deleted = false",
    )
    .bind(project)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((code, old_facilitator, old_incubator, old_funder)) = before else {
        return Ok(false);
    };
    let funder_ok = match funder {
        None => true,
        Some(id) => sqlx::query_scalar::<_, Uuid>(
            "select id from organisations
              where id = $1 and kind = 'funder' and (archived_at is null or id = $2)",
        )
        .bind(id)
        .bind(old_funder)
        .fetch_optional(&mut *tx)
        .await?
        .is_some(),
    };
    if !facilitator_ok || !incubator_ok || !funder_ok {
        return Ok(false);
    }
    let now = rows::now();
    let version = super::next_version(&mut tx, now).await?;
    let done = sqlx::query(
        "update projects set facilitator_id = $1, incubator_id = $2, funder_id = $6, version = $3,
                updated_at = $4
          where id = $5 and deleted = false",
    )
    .bind(facilitator)
    .bind(incubator)
    .bind(version)
    .bind(now)
    .bind(project)
    .bind(funder)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    audit::append(
        &mut tx,
        &AuditLine {
            actor: Some(by),
            kind: "project_assigned",
            subject: code,
            project: Some(project),
            before: Some(json!({
                "facilitator": old_facilitator, "incubator": old_incubator, "funder": old_funder,
            })),
            after: Some(json!({
                "facilitator": facilitator, "incubator": incubator, "funder": funder,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

pub(super) async fn save_tranche(
    db: &EngineDb,
    project: Uuid,
    tranche: &crate::domain::timeline::Tranche,
    by: Uuid,
) -> Result<bool, DbError> {
    let mut tx = db.begin_write().await?;
    let code: Option<String> =
        sqlx::query_scalar("select code from projects where id = $1 and deleted = false")
            .bind(project)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(code) = code else {
        return Ok(false);
    };
    let disbursed_on = tranche.disbursed_on.as_deref().map(rows::day).transpose()?;
    let now = rows::now();
    let id: Uuid = sqlx::query_scalar(
        "insert into funding_tranches (id, project_id, seq, planned_millimes,
            disbursed_millimes, disbursed_on, justified_millimes, files, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
         on conflict (project_id, seq) do update set
            planned_millimes = excluded.planned_millimes,
            disbursed_millimes = excluded.disbursed_millimes,
            disbursed_on = excluded.disbursed_on,
            justified_millimes = excluded.justified_millimes,
            files = excluded.files,
            deleted = false, updated_at = excluded.updated_at
         returning id",
    )
    .bind(Uuid::new_v4())
    .bind(project)
    .bind(tranche.seq)
    .bind(tranche.planned)
    .bind(tranche.disbursed)
    .bind(disbursed_on)
    .bind(tranche.justified)
    .bind(rows::evidence_text(&tranche.files))
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    super::files::name(
        &mut tx,
        &[super::files::Named {
            kind: "tranche",
            entry: id,
            project,
            draft_of: None,
            files: &tranche.files,
        }],
        Some(by),
        now,
    )
    .await?;
    audit::append(
        &mut tx,
        &AuditLine {
            actor: Some(by),
            kind: "tranche_saved",
            subject: format!("{code} #{}", tranche.seq),
            project: Some(project),
            before: None,
            after: serde_json::to_value(tranche).ok(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

pub(super) async fn save_target(
    db: &EngineDb,
    t: &crate::domain::indicator::admin::CheckedTarget,
    by: Uuid,
) -> Result<(), DbError> {
    let now = rows::now();
    let day = |s: &str| {
        time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
            .map_err(|e| DbError::Value(format!("{s}: {e}")))
    };
    let baseline_on = t.baseline_on.as_deref().map(day).transpose()?;
    let target_on = day(&t.target_on)?;
    let _turn = db.write_turn().await;
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "delete from indicator_targets
          where indicator = $1 and scope = $2
            and (scope_id = $3 or (scope_id is null and $4)) and cell = $5",
    )
    .bind(&t.indicator)
    .bind(t.scope)
    .bind(t.scope_id)
    .bind(t.scope_id.is_none())
    .bind(&t.cell)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "insert into indicator_targets (id, indicator, scope, scope_id, baseline_value,
            baseline_on, target_value, target_on, milestones, cell, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
    )
    .bind(Uuid::new_v4())
    .bind(&t.indicator)
    .bind(t.scope)
    .bind(t.scope_id)
    .bind(t.baseline)
    .bind(baseline_on)
    .bind(t.target)
    .bind(target_on)
    .bind(serde_json::to_string(&t.milestones).map_err(|e| DbError::Value(e.to_string()))?)
    .bind(&t.cell)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        &AuditLine {
            actor: Some(by),
            kind: "target_set",
            subject: format!("{} · {}", t.indicator, t.scope),
            project: (t.scope == "project").then_some(t.scope_id).flatten(),
            before: None,
            after: Some(json!({
                "scope_id": t.scope_id, "cell": t.cell, "baseline": t.baseline,
                "baseline_on": t.baseline_on, "target": t.target, "target_on": t.target_on,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
