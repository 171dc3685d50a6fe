//! What the database holds, and loading the demo set.

use super::super::FIRST_START_LOCK;
use super::cells::insert_all;
use super::{Conn, EngineDb};
use crate::server::db::demo_set::DemoSet;
use crate::server::db::rows::{self, Cell};
use crate::server::db::{AuditLine, DataState, DbError};

pub(super) async fn data_state(db: &EngineDb) -> Result<DataState, DbError> {
    data_state_on(&mut *db.pool.acquire().await?).await
}

async fn data_state_on(conn: &mut Conn) -> Result<DataState, DbError> {
    let real: i64 = sqlx::query_scalar(
        "select (select count(*) from users where is_demo = false)
              + (select count(*) from projects where is_demo = false)",
    )
    .fetch_one(&mut *conn)
    .await?;
    let any: i64 = sqlx::query_scalar("select count(*) from users")
        .fetch_one(&mut *conn)
        .await?;
    Ok(match (real, any) {
        (0, 0) => DataState::Empty,
        (0, _) => DataState::DemoOnly,
        _ => DataState::HasRealData,
    })
}

pub(super) async fn load_demo(db: &EngineDb, demo: &DemoSet) -> Result<(), DbError> {
    let mut tx = db.pool.begin().await?;
    for table in rows::DATA_TABLES_CHILD_FIRST {
        sqlx::query(&format!("delete from {table}"))
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("delete from audit_events where is_demo = true")
        .execute(&mut *tx)
        .await?;
    insert_demo(&mut tx, demo).await?;
    tx.commit().await?;
    Ok(())
}

/// The demo's projects, and the records that belong to them.
const DEMO_PROJECTS: &str = "select id from projects where is_demo = true";
const DEMO_USERS: &str = "select id from users where is_demo = true";
const DEMO_RECORDS: &str = "
    select id from projects where is_demo = true
    union all select id from visits where project_id in (select id from projects where is_demo = true)
    union all select id from members where project_id in (select id from projects where is_demo = true)
    union all select id from milestones where project_id in (select id from projects where is_demo = true)
    union all select id from form_entries where project_id in (select id from projects where is_demo = true)
    union all select id from indicator_values where project_id in (select id from projects where is_demo = true)
    union all select id from action_items where project_id in (select id from projects where is_demo = true)
    union all select id from funding_tranches where project_id in (select id from projects where is_demo = true)";

/// Removes every demo row and what hangs on it (records of demo projects, sessions and devices of
/// demo accounts, the demo's own audit lines) in one transaction, and nothing else. An
/// organisation, place or value chain of the demo that real data still points at is kept, as real
/// data (only a database filled before demo rows were told apart can have one). Returns what was
/// removed, by table.
pub(super) async fn purge_demo(db: &EngineDb) -> Result<Vec<(&'static str, u64)>, DbError> {
    let mut tx = db.begin_write().await?;
    // Sign-in attempts are kept under hashed keys: the demo accounts' keys, made here.
    let demo_emails: Vec<String> =
        sqlx::query_scalar("select email from users where is_demo = true")
            .fetch_all(&mut *tx)
            .await?;
    let demo_keys = if demo_emails.is_empty() {
        "1 = 0".to_owned()
    } else {
        // Hex digests: nothing to escape.
        let keys: Vec<String> = demo_emails
            .iter()
            .map(|e| format!("'{}'", crate::server::auth::account_key(e)))
            .collect();
        format!("key in ({})", keys.join(", "))
    };
    let scoped_targets = "(scope = 'project' and scope_id in (select id from projects where is_demo = true))
        or (scope = 'incubator' and scope_id in (select id from organisations where is_demo = true))
        or (scope = 'value_chain' and scope_id in (select id from value_chains where is_demo = true))";
    let steps: Vec<(&'static str, String)> = vec![
        ("entry_reviews", format!("record_id in ({DEMO_RECORDS})")),
        ("entry_revisions", format!("record_id in ({DEMO_RECORDS})")),
        (
            "sync_conflicts",
            format!("record_id in ({DEMO_RECORDS}) or user_id in ({DEMO_USERS})"),
        ),
        (
            "indicator_values",
            format!("project_id in ({DEMO_PROJECTS})"),
        ),
        ("indicator_targets", scoped_targets.to_owned()),
        (
            "risk_acknowledgements",
            format!("project_id in ({DEMO_PROJECTS})"),
        ),
        ("milestones", format!("project_id in ({DEMO_PROJECTS})")),
        ("form_entries", format!("project_id in ({DEMO_PROJECTS})")),
        ("action_items", format!("project_id in ({DEMO_PROJECTS})")),
        (
            "funding_tranches",
            format!("project_id in ({DEMO_PROJECTS})"),
        ),
        ("visits", format!("project_id in ({DEMO_PROJECTS})")),
        // The files stay until the daily sweep finds them named by nothing.
        ("file_refs", format!("project_id in ({DEMO_PROJECTS})")),
        ("members", format!("project_id in ({DEMO_PROJECTS})")),
        ("projects", "is_demo = true".to_owned()),
        (
            "sync_refusals",
            format!("client_id in (select id from sync_clients where user_id in ({DEMO_USERS}))"),
        ),
        ("sync_clients", format!("user_id in ({DEMO_USERS})")),
        ("sessions", format!("user_id in ({DEMO_USERS})")),
        (
            "one_time_codes",
            format!("user_id in ({DEMO_USERS}) or created_by in ({DEMO_USERS})"),
        ),
        ("login_failures", demo_keys.clone()),
        ("login_keys", demo_keys),
        (
            "supervisor_incubators",
            format!(
                "user_id in ({DEMO_USERS}) or incubator_id in \
                 (select id from organisations where is_demo = true)"
            ),
        ),
        ("users", "is_demo = true".to_owned()),
        (
            "organisations",
            "is_demo = true
             and id not in (select incubator_id from projects)
             and id not in (select funder_id from projects where funder_id is not null)
             and id not in (select organisation_id from users where organisation_id is not null)"
                .to_owned(),
        ),
        (
            "value_chains",
            "is_demo = true and id not in (select value_chain_id from projects)".to_owned(),
        ),
        (
            "localities",
            "is_demo = true
             and id not in (select locality_id from projects)
             and id not in (select locality_id from organisations where locality_id is not null)"
                .to_owned(),
        ),
        ("audit_events", "is_demo = true".to_owned()),
        ("app_meta", "key = 'demo_loaded_on'".to_owned()),
    ];
    // A real project of a database filled before demo rows were told apart keeps its records,
    // without the demo facilitator.
    for table in ["projects", "visits"] {
        sqlx::query(&format!(
            "update {table} set facilitator_id = null where facilitator_id in ({DEMO_USERS})"
        ))
        .execute(&mut *tx)
        .await?;
    }
    let mut removed = Vec::with_capacity(steps.len());
    for (table, predicate) in steps {
        let n = sqlx::query(&format!("delete from {table} where {predicate}"))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        removed.push((table, n));
    }
    for table in ["organisations", "value_chains", "localities"] {
        sqlx::query(&format!(
            "update {table} set is_demo = false where is_demo = true"
        ))
        .execute(&mut *tx)
        .await?;
    }
    let total: u64 = removed.iter().map(|(_, n)| n).sum();
    if total > 0 {
        let counts: serde_json::Map<String, serde_json::Value> = removed
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(table, n)| ((*table).to_owned(), (*n).into()))
            .collect();
        super::audit::append(
            &mut tx,
            &AuditLine {
                actor: None,
                kind: "demo_purged",
                subject: String::new(),
                project: None,
                before: Some(counts.into()),
                after: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(removed)
}

/// Loads the demo set into an empty database; false, changing nothing, when it is not empty.
/// Once however many instances start together: the emptiness is checked again under the
/// database's write lock (and, on PostgreSQL, a lock held for the transaction).
pub(super) async fn start_demo(db: &EngineDb, demo: &DemoSet) -> Result<bool, DbError> {
    let mut tx = db.begin_write().await?;
    if let Some(lock) = FIRST_START_LOCK {
        sqlx::query(lock).execute(&mut *tx).await?;
    }
    if data_state_on(&mut tx).await? != DataState::Empty {
        return Ok(false);
    }
    insert_demo(&mut tx, demo).await?;
    tx.commit().await?;
    Ok(true)
}

/// Inserts every row of the demo set.
async fn insert_demo(tx: &mut Conn, demo: &DemoSet) -> Result<(), DbError> {
    use rows::INSERT_CHUNK;
    let now = rows::now();
    // Every row is new: created and updated now.
    let row = |mut cells: Vec<Cell>| {
        cells.extend([Cell::from(now), Cell::from(now)]);
        cells
    };
    let tables: Vec<(&str, &str, Vec<Vec<Cell>>)> = vec![
        (
            "localities",
            "id, governorate, delegation, name, is_demo",
            demo.localities
                .iter()
                .map(|l| {
                    row(vec![
                        l.id.into(),
                        l.governorate.as_str().into(),
                        l.delegation.as_str().into(),
                        l.name.as_str().into(),
                        true.into(),
                    ])
                })
                .collect(),
        ),
        (
            "value_chains",
            "id, code, name_fr, name_ar, name_en, is_demo",
            demo.value_chains
                .iter()
                .map(|v| {
                    row(vec![
                        v.id.into(),
                        v.code.as_str().into(),
                        v.names.fr.as_str().into(),
                        v.names.ar.as_str().into(),
                        v.names.en.as_str().into(),
                        true.into(),
                    ])
                })
                .collect(),
        ),
        (
            "organisations",
            "id, kind, name, locality_id, is_demo",
            demo.organisations
                .iter()
                .map(|o| {
                    row(vec![
                        o.id.into(),
                        o.kind.into(),
                        o.name.as_str().into(),
                        o.locality_id.into(),
                        true.into(),
                    ])
                })
                .collect(),
        ),
        (
            "users",
            "id, email, name, role, password_hash, organisation_id, active, is_demo",
            demo.users
                .iter()
                .map(|u| {
                    row(vec![
                        u.id.into(),
                        u.email.as_str().into(),
                        u.name.as_str().into(),
                        u.role.as_str().into(),
                        demo.password_hash.0.as_str().into(),
                        u.organisation_id.into(),
                        true.into(),
                        true.into(),
                    ])
                })
                .collect(),
        ),
        (
            "supervisor_incubators",
            "user_id, incubator_id",
            demo.supervisor_incubators
                .iter()
                .map(|(user, incubator)| row(vec![(*user).into(), (*incubator).into()]))
                .collect(),
        ),
        (
            "projects",
            "id, code, title, kind, legal_form, value_chain_id, incubator_id, facilitator_id, \
             locality_id, call_wave, training_track, status, grant_millimes, contract_signed_on, \
             is_demo, version, deleted",
            demo.projects
                .iter()
                .map(|p| {
                    row(vec![
                        p.id.into(),
                        p.code.as_str().into(),
                        p.title.as_str().into(),
                        p.kind.as_str().into(),
                        p.legal_form.into(),
                        p.value_chain_id.into(),
                        p.incubator_id.into(),
                        p.facilitator_id.into(),
                        p.locality_id.into(),
                        p.call_wave.into(),
                        p.training_track.into(),
                        p.status.as_str().into(),
                        p.grant_millimes.into(),
                        p.contract_signed_on.into(),
                        true.into(),
                        1_i64.into(),
                        false.into(),
                    ])
                })
                .collect(),
        ),
        (
            "members",
            "id, project_id, full_name, sex, birth_year, role, consent, wg_seeing, wg_hearing, \
             wg_walking, wg_cognition, wg_self_care, wg_communication, joined_on, left_on, \
             version, deleted",
            demo.members
                .iter()
                .map(|m| {
                    let mut cells = vec![
                        m.id.into(),
                        m.project_id.into(),
                        m.full_name.as_str().into(),
                        m.sex.as_str().into(),
                        m.birth_year.into(),
                        m.role.into(),
                        true.into(),
                    ];
                    cells.extend(
                        m.wg.as_array()
                            .map(|a| Cell::Small(a.map(|a| a.code() as i32))),
                    );
                    cells.extend([
                        m.joined_on.into(),
                        m.left_on.into(),
                        1_i64.into(),
                        false.into(),
                    ]);
                    row(cells)
                })
                .collect(),
        ),
        (
            "visits",
            "id, project_id, facilitator_id, visit_on, mode, sales_millimes, purchases_millimes, \
             cash_millimes, cash_book_up_to_date, observations, next_visit_on, status, version, \
             deleted",
            demo.visits
                .iter()
                .map(|v| {
                    row(vec![
                        v.id.into(),
                        v.project_id.into(),
                        v.facilitator_id.into(),
                        v.visit_on.into(),
                        v.mode.into(),
                        v.sales_millimes.into(),
                        v.purchases_millimes.into(),
                        v.cash_millimes.into(),
                        v.cash_book_up_to_date.into(),
                        v.observations.as_str().into(),
                        v.next_visit_on.into(),
                        v.status.into(),
                        1_i64.into(),
                        false.into(),
                    ])
                })
                .collect(),
        ),
        (
            "funding_tranches",
            "id, project_id, seq, planned_millimes, disbursed_millimes, disbursed_on, \
             justified_millimes, version, deleted",
            demo.tranches
                .iter()
                .map(|t| {
                    row(vec![
                        t.id.into(),
                        t.project_id.into(),
                        t.seq.into(),
                        t.planned_millimes.into(),
                        t.disbursed_millimes.into(),
                        t.disbursed_on.into(),
                        t.justified_millimes.into(),
                        1_i64.into(),
                        false.into(),
                    ])
                })
                .collect(),
        ),
        (
            "indicator_targets",
            "id, indicator, scope, scope_id, baseline_value, baseline_on, target_value, \
             target_on, milestones",
            demo.targets
                .iter()
                .map(|t| {
                    row(vec![
                        t.id.into(),
                        t.indicator.into(),
                        "project".into(),
                        t.project_id.into(),
                        t.baseline.into(),
                        t.baseline_on.into(),
                        t.target.into(),
                        t.target_on.into(),
                        "[]".into(),
                    ])
                })
                .collect(),
        ),
        (
            "indicator_values",
            "id, project_id, indicator, indicator_version, period, value, cells, source, \
             evidence, status, version, deleted, review_comment",
            demo.values
                .iter()
                .map(|v| {
                    row(vec![
                        v.id.into(),
                        v.project_id.into(),
                        v.indicator.into(),
                        1_i64.into(),
                        v.period.as_str().into(),
                        v.value.into(),
                        "[]".into(),
                        "record".into(),
                        "".into(),
                        "validated".into(),
                        1_i64.into(),
                        false.into(),
                        "".into(),
                    ])
                })
                .collect(),
        ),
    ];
    for (table, columns, rows) in tables {
        let columns = format!("{columns}, created_at, updated_at");
        insert_all(tx, table, &columns, rows, INSERT_CHUNK, "").await?;
    }
    // Demo rows take a fresh global version, so devices that synced an earlier set
    // pull this one whole.
    let version = super::next_version(tx, now).await?;
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
    Ok(())
}
