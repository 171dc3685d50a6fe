//! What the database holds, and loading the demo set.

use super::EngineDb;
use crate::server::db::{DbError, rows};

pub(super) async fn data_state(db: &EngineDb) -> Result<crate::server::db::DataState, DbError> {
    let real: i64 = sqlx::query_scalar(
        "select (select count(*) from users where is_demo = false)
              + (select count(*) from projects where is_demo = false)",
    )
    .fetch_one(&db.pool)
    .await?;
    let any: i64 = sqlx::query_scalar("select count(*) from users")
        .fetch_one(&db.pool)
        .await?;
    Ok(match (real, any) {
        (0, 0) => crate::server::db::DataState::Empty,
        (0, _) => crate::server::db::DataState::DemoOnly,
        _ => crate::server::db::DataState::HasRealData,
    })
}

pub(super) async fn load_demo(
    db: &EngineDb,
    demo: &crate::server::demo::DemoSet,
) -> Result<(), DbError> {
    use rows::INSERT_CHUNK;
    let now = rows::now();
    let mut tx = db.pool.begin().await?;
    for table in rows::DATA_TABLES_CHILD_FIRST {
        sqlx::query(&format!("delete from {table}"))
            .execute(&mut *tx)
            .await?;
    }
    for chunk in demo.localities.chunks(INSERT_CHUNK) {
        sqlx::QueryBuilder::new(
            "insert into localities (id, governorate, delegation, name, created_at, updated_at) ",
        )
        .push_values(chunk, |mut b, l| {
            b.push_bind(l.id)
                .push_bind(&l.governorate)
                .push_bind(&l.delegation)
                .push_bind(&l.name)
                .push_bind(now)
                .push_bind(now);
        })
        .build()
        .execute(&mut *tx)
        .await?;
    }
    for chunk in demo.value_chains.chunks(INSERT_CHUNK) {
        sqlx::QueryBuilder::new(
            "insert into value_chains (id, code, name_fr, name_ar, name_en, created_at, updated_at) ",
        )
        .push_values(chunk, |mut b, v| {
            b.push_bind(v.id).push_bind(&v.code).push_bind(&v.names.fr)
                .push_bind(&v.names.ar).push_bind(&v.names.en).push_bind(now).push_bind(now);
        })
        .build()
        .execute(&mut *tx)
        .await?;
    }
    for chunk in demo.organisations.chunks(INSERT_CHUNK) {
        sqlx::QueryBuilder::new(
            "insert into organisations (id, kind, name, locality_id, created_at, updated_at) ",
        )
        .push_values(chunk, |mut b, o| {
            b.push_bind(o.id)
                .push_bind(o.kind)
                .push_bind(&o.name)
                .push_bind(o.locality_id)
                .push_bind(now)
                .push_bind(now);
        })
        .build()
        .execute(&mut *tx)
        .await?;
    }
    for chunk in demo.users.chunks(INSERT_CHUNK) {
        sqlx::QueryBuilder::new(
            "insert into users (id, email, name, role, password_hash, organisation_id, active, is_demo, created_at, updated_at) ",
        )
        .push_values(chunk, |mut b, u| {
            b.push_bind(u.id).push_bind(&u.email).push_bind(&u.name)
                .push_bind(u.role.as_str()).push_bind(&demo.password_hash.0)
                .push_bind(u.organisation_id).push_bind(true).push_bind(true)
                .push_bind(now).push_bind(now);
        })
        .build()
        .execute(&mut *tx)
        .await?;
    }
    for chunk in demo.supervisor_incubators.chunks(INSERT_CHUNK) {
        sqlx::QueryBuilder::new(
            "insert into supervisor_incubators (user_id, incubator_id, created_at, updated_at) ",
        )
        .push_values(chunk, |mut b, (user, incubator)| {
            b.push_bind(*user)
                .push_bind(*incubator)
                .push_bind(now)
                .push_bind(now);
        })
        .build()
        .execute(&mut *tx)
        .await?;
    }
    for chunk in demo.projects.chunks(INSERT_CHUNK) {
        sqlx::QueryBuilder::new(
            "insert into projects (id, code, title, kind, legal_form, value_chain_id, incubator_id,
                facilitator_id, locality_id, call_wave, training_track, status, grant_millimes,
                contract_signed_on, is_demo, version, deleted, created_at, updated_at) ",
        )
        .push_values(chunk, |mut b, p| {
            b.push_bind(p.id)
                .push_bind(&p.code)
                .push_bind(&p.title)
                .push_bind(p.kind.as_str())
                .push_bind(p.legal_form)
                .push_bind(p.value_chain_id)
                .push_bind(p.incubator_id)
                .push_bind(p.facilitator_id)
                .push_bind(p.locality_id)
                .push_bind(p.call_wave)
                .push_bind(p.training_track)
                .push_bind(p.status.as_str())
                .push_bind(p.grant_millimes)
                .push_bind(p.contract_signed_on)
                .push_bind(true)
                .push_bind(1_i64)
                .push_bind(false)
                .push_bind(now)
                .push_bind(now);
        })
        .build()
        .execute(&mut *tx)
        .await?;
    }
    for chunk in demo.members.chunks(INSERT_CHUNK) {
        sqlx::QueryBuilder::new(
            "insert into members (id, project_id, full_name, sex, birth_year, role, consent,
                wg_seeing, wg_hearing, wg_walking, wg_cognition, wg_self_care, wg_communication,
                joined_on, left_on, version, deleted, created_at, updated_at) ",
        )
        .push_values(chunk, |mut b, m| {
            let wg = m.wg.as_array().map(|a| a.map(|a| a.code() as i32));
            b.push_bind(m.id)
                .push_bind(m.project_id)
                .push_bind(&m.full_name)
                .push_bind(m.sex.as_str())
                .push_bind(m.birth_year)
                .push_bind(m.role)
                .push_bind(true)
                .push_bind(wg[0])
                .push_bind(wg[1])
                .push_bind(wg[2])
                .push_bind(wg[3])
                .push_bind(wg[4])
                .push_bind(wg[5])
                .push_bind(m.joined_on)
                .push_bind(m.left_on)
                .push_bind(1_i64)
                .push_bind(false)
                .push_bind(now)
                .push_bind(now);
        })
        .build()
        .execute(&mut *tx)
        .await?;
    }
    for chunk in demo.visits.chunks(INSERT_CHUNK) {
        sqlx::QueryBuilder::new(
            "insert into visits (id, project_id, facilitator_id, visit_on, mode, sales_millimes,
                purchases_millimes, cash_millimes, cash_book_up_to_date, observations,
                next_visit_on, status, version, deleted, created_at, updated_at) ",
        )
        .push_values(chunk, |mut b, v| {
            b.push_bind(v.id)
                .push_bind(v.project_id)
                .push_bind(v.facilitator_id)
                .push_bind(v.visit_on)
                .push_bind(v.mode)
                .push_bind(v.sales_millimes)
                .push_bind(v.purchases_millimes)
                .push_bind(v.cash_millimes)
                .push_bind(v.cash_book_up_to_date)
                .push_bind(&v.observations)
                .push_bind(v.next_visit_on)
                .push_bind(v.status)
                .push_bind(1_i64)
                .push_bind(false)
                .push_bind(now)
                .push_bind(now);
        })
        .build()
        .execute(&mut *tx)
        .await?;
    }
    for chunk in demo.tranches.chunks(INSERT_CHUNK) {
        sqlx::QueryBuilder::new(
            "insert into funding_tranches (id, project_id, seq, planned_millimes,
                disbursed_millimes, disbursed_on, justified_millimes, version, deleted,
                created_at, updated_at) ",
        )
        .push_values(chunk, |mut b, t| {
            b.push_bind(t.id)
                .push_bind(t.project_id)
                .push_bind(t.seq)
                .push_bind(t.planned_millimes)
                .push_bind(t.disbursed_millimes)
                .push_bind(t.disbursed_on)
                .push_bind(t.justified_millimes)
                .push_bind(1_i64)
                .push_bind(false)
                .push_bind(now)
                .push_bind(now);
        })
        .build()
        .execute(&mut *tx)
        .await?;
    }
    for chunk in demo.targets.chunks(INSERT_CHUNK) {
        sqlx::QueryBuilder::new(
            "insert into indicator_targets (id, indicator, scope, scope_id, baseline_value,
                baseline_on, target_value, target_on, milestones, created_at, updated_at) ",
        )
        .push_values(chunk, |mut b, t| {
            b.push_bind(t.id)
                .push_bind(t.indicator)
                .push_bind("project")
                .push_bind(t.project_id)
                .push_bind(t.baseline)
                .push_bind(t.baseline_on)
                .push_bind(t.target)
                .push_bind(t.target_on)
                .push_bind("[]")
                .push_bind(now)
                .push_bind(now);
        })
        .build()
        .execute(&mut *tx)
        .await?;
    }
    for chunk in demo.values.chunks(INSERT_CHUNK) {
        sqlx::QueryBuilder::new(
            "insert into indicator_values (id, project_id, indicator, indicator_version, period,
                value, cells, source, evidence, status, version, deleted, review_comment,
                created_at, updated_at) ",
        )
        .push_values(chunk, |mut b, v| {
            b.push_bind(v.id)
                .push_bind(v.project_id)
                .push_bind(v.indicator)
                .push_bind(1_i64)
                .push_bind(&v.period)
                .push_bind(v.value)
                .push_bind("[]")
                .push_bind("record")
                .push_bind("")
                .push_bind("validated")
                .push_bind(1_i64)
                .push_bind(false)
                .push_bind("")
                .push_bind(now)
                .push_bind(now);
        })
        .build()
        .execute(&mut *tx)
        .await?;
    }
    // Demo rows take a fresh global version, so devices that synced an earlier set
    // pull this one whole.
    let version: i64 = sqlx::query_scalar(
        "update sync_version set value = value + 1, updated_at = $1 where id = 1 returning value",
    )
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    for table in [
        "projects",
        "members",
        "visits",
        "funding_tranches",
        "indicator_values",
    ] {
        sqlx::query(&format!("update {table} set version = $1"))
            .bind(version)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "insert into app_meta (key, value, created_at, updated_at) values ('demo_loaded_on', $1, $2, $2)
         on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(demo.today.to_string())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
