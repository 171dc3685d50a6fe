//! What dashboards and exports are computed from.

use super::EngineDb;
use crate::server::db::{DbError, rows};
use uuid::Uuid;

/// The source, read again only when the database moved since the last read (see
/// `source::SourceCache`).
pub(super) async fn dashboard_source(
    db: &EngineDb,
) -> Result<crate::server::db::source::Source, DbError> {
    let key: crate::server::db::source::SourceKey = sqlx::query_as(
        "select (select value from sync_version where id = 1),
                (select coalesce(max(id), 0) from audit_events)",
    )
    .fetch_one(&db.pool)
    .await?;
    db.sources
        .get_or_read(key, async |ledger| read_source(db, key, ledger).await)
        .await
}

/// The source at `key`: the short lists whole, and of the long ones what was written since the
/// ledger's last read (everything the first time, and after a line of the audit).
async fn read_source(
    db: &EngineDb,
    key: crate::server::db::source::SourceKey,
    ledger: &mut crate::server::db::source::Ledger,
) -> Result<crate::server::db::source::Source, DbError> {
    use crate::domain::indicator::dashboard::DashboardProject;
    use crate::domain::indicator::value::IndicatorValue;
    use crate::server::db::source::SourceProject;
    type ProjectRow = (
        Uuid,
        String,
        String,
        String,
        Uuid,
        String,
        Option<Uuid>,
        Uuid,
        String,
        String,
        String,
        String,
        Option<Uuid>,
        Option<String>,
    );
    let projects: Vec<ProjectRow> = sqlx::query_as(
        "select p.id, p.code, p.title, p.kind, p.incubator_id, o.name, p.facilitator_id,
                vc.id, vc.code, vc.name_fr, vc.name_ar, vc.name_en, f.id, f.name
           from projects p
           join organisations o on o.id = p.incubator_id
           join value_chains vc on vc.id = p.value_chain_id
           left join organisations f on f.id = p.funder_id
          where p.deleted = false
          order by p.code",
    )
    .fetch_all(&db.pool)
    .await?;
    let projects = projects
        .into_iter()
        .map(
            |(
                id,
                code,
                title,
                k,
                incubator_id,
                incubator,
                facilitator_id,
                vc_id,
                vc,
                fr,
                ar,
                en,
                funder_id,
                funder,
            )| {
                SourceProject {
                    project: DashboardProject {
                        id,
                        code,
                        title,
                        kind: crate::domain::ProjectKind::parse(&k)
                            .unwrap_or(crate::domain::ProjectKind::Individual),
                        incubator_id: Some(incubator_id),
                        incubator,
                        value_chain_id: vc_id,
                        value_chain: vc,
                        value_chain_name: fr.clone(),
                    },
                    facilitator_id,
                    value_chain_names: [fr, ar, en],
                    funder: funder_id.zip(funder),
                }
            },
        )
        .collect();
    let since = ledger.since(key);
    let after = since.unwrap_or(i64::MIN);
    // The rows of each long list written since, counted or not (deleted, a draft, returned).
    const VALUE_COUNTS: &str = "iv.deleted = false and iv.status in ('submitted', 'validated')";
    let values: Vec<rows::ValueRow> = sqlx::query_as(&format!(
        "select {} from indicator_values iv where iv.version > $1 and {VALUE_COUNTS}",
        rows::VALUE_COLUMNS
    ))
    .bind(after)
    .fetch_all(&db.pool)
    .await?;
    let members: Vec<rows::MemberFactRow> = sqlx::query_as(&format!(
        "select project_id, {} from members where version > $1 and deleted = false",
        rows::MEMBER_FIELDS
    ))
    .bind(after)
    .fetch_all(&db.pool)
    .await?;
    let visits: Vec<(Uuid, Uuid, time::Date, Option<i64>)> = sqlx::query_as(
        "select id, project_id, visit_on, sales_millimes from visits
          where version > $1 and deleted = false",
    )
    .bind(after)
    .fetch_all(&db.pool)
    .await?;
    if since.is_some() {
        let gone = |sql: String| {
            let pool = &db.pool;
            async move {
                sqlx::query_scalar::<_, Uuid>(&sql)
                    .bind(after)
                    .fetch_all(pool)
                    .await
            }
        };
        for id in gone(format!(
            "select iv.id from indicator_values iv where iv.version > $1 and not ({VALUE_COUNTS})"
        ))
        .await?
        {
            ledger.values.remove(&id);
        }
        for id in
            gone("select id from members where version > $1 and deleted = true".into()).await?
        {
            ledger.members.remove(&id);
        }
        for id in gone("select id from visits where version > $1 and deleted = true".into()).await?
        {
            ledger.forget_visit(id);
        }
    }
    for v in values {
        let v = v.into_stored().value;
        ledger.values.insert(v.id, v);
    }
    for m in members {
        ledger.members.insert(m.member.id, m.fact());
    }
    for (id, project, day, sales) in visits {
        ledger.visit(id, project, day, sales);
    }
    ledger.at = Some(key);
    let values: Vec<IndicatorValue> = ledger.values.values().cloned().collect();
    let members: Vec<_> = ledger.members.values().cloned().collect();
    let visits = ledger.visit_facts();
    let targets: Vec<rows::TargetRow> = sqlx::query_as(&format!(
        "select {} from indicator_targets",
        rows::TARGET_COLUMNS
    ))
    .fetch_all(&db.pool)
    .await?;
    let targets = targets.into_iter().map(|t| t.into_scoped()).collect();
    let supervised: Vec<(Uuid, Uuid)> =
        sqlx::query_as("select user_id, incubator_id from supervisor_incubators")
            .fetch_all(&db.pool)
            .await?;
    let catalogue = crate::domain::indicator::latest(super::settings::indicators(db).await?);
    let small_cell_threshold = super::settings::risk_settings(db)
        .await?
        .small_cell_threshold;
    Ok(crate::server::db::source::Source {
        catalogue,
        projects,
        values: values.into(),
        members: members.into(),
        visits: visits.into(),
        targets,
        supervised,
        small_cell_threshold,
        ..Default::default()
    })
}

/// Every member of every project, as counts read them (no private answer leaves this row).
pub(super) async fn member_facts(
    db: &EngineDb,
) -> Result<Vec<crate::domain::indicator::derived::MemberFact>, DbError> {
    let sql = format!(
        "select project_id, {} from members where deleted = false order by id",
        rows::MEMBER_FIELDS
    );
    let members: Vec<rows::MemberFactRow> = sqlx::query_as(&sql).fetch_all(&db.pool).await?;
    Ok(members.into_iter().map(rows::MemberFactRow::fact).collect())
}
