//! Forms, indicator definitions, reporting periods and risk thresholds.

use super::EngineDb;
use crate::server::db::{DbError, rows};
use uuid::Uuid;

pub(super) async fn forms(
    db: &EngineDb,
) -> Result<Vec<crate::domain::form::FormDefinition>, DbError> {
    let rows: Vec<(String, i64, String)> =
        sqlx::query_as("select id, version, definition from forms order by id, version")
            .fetch_all(&db.pool)
            .await?;
    rows.into_iter()
        .map(|(id, version, text)| {
            serde_json::from_str(&text)
                .map_err(|e| DbError::Value(format!("form {id} version {version}: {e}")))
        })
        .collect()
}

pub(super) async fn insert_form(
    db: &EngineDb,
    form: &crate::domain::form::FormDefinition,
    published_by: Option<Uuid>,
) -> Result<(), DbError> {
    let definition = serde_json::to_string(form).map_err(|e| DbError::Value(e.to_string()))?;
    sqlx::query(
        "insert into forms (id, version, definition, published_at, published_by)
         values ($1, $2, $3, $4, $5)",
    )
    .bind(&form.id)
    .bind(i64::from(form.version))
    .bind(definition)
    .bind(rows::now())
    .bind(published_by)
    .execute(&db.pool)
    .await?;
    Ok(())
}

pub(super) async fn indicators(
    db: &EngineDb,
) -> Result<Vec<crate::domain::indicator::IndicatorDefinition>, DbError> {
    let rows: Vec<(String, i64, String)> = sqlx::query_as(
        "select code, version, definition from indicator_definitions order by code, version",
    )
    .fetch_all(&db.pool)
    .await?;
    rows.into_iter()
        .map(|(code, version, text)| {
            serde_json::from_str(&text)
                .map_err(|e| DbError::Value(format!("indicator {code} version {version}: {e}")))
        })
        .collect()
}

pub(super) async fn insert_indicator(
    db: &EngineDb,
    indicator: &crate::domain::indicator::IndicatorDefinition,
    published_by: Option<Uuid>,
) -> Result<(), DbError> {
    let definition = serde_json::to_string(indicator).map_err(|e| DbError::Value(e.to_string()))?;
    sqlx::query(
        "insert into indicator_definitions (code, version, definition, published_at, published_by)
         values ($1, $2, $3, $4, $5)",
    )
    .bind(&indicator.code)
    .bind(i64::from(indicator.version))
    .bind(definition)
    .bind(rows::now())
    .bind(published_by)
    .execute(&db.pool)
    .await?;
    Ok(())
}

pub(super) async fn periods(
    db: &EngineDb,
) -> Result<
    Vec<(
        String,
        crate::domain::indicator::value::PeriodStatus,
        String,
    )>,
    DbError,
> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("select period, status, reason from reporting_periods order by period")
            .fetch_all(&db.pool)
            .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(p, s, r)| {
            crate::domain::indicator::value::PeriodStatus::parse(&s).map(|s| (p, s, r))
        })
        .collect())
}

pub(super) async fn set_period(
    db: &EngineDb,
    period: &str,
    status: crate::domain::indicator::value::PeriodStatus,
    reason: &str,
    by: Uuid,
) -> Result<(), DbError> {
    let now = rows::now();
    let _turn = db.write_turn().await;
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "insert into reporting_periods (period, status, reason, changed_by, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $5)
         on conflict (period) do update set status = excluded.status, reason = excluded.reason,
            changed_by = excluded.changed_by, updated_at = excluded.updated_at",
    )
    .bind(period)
    .bind(status.as_str())
    .bind(reason.trim())
    .bind(by)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "insert into period_events (period, status, reason, changed_by, created_at)
         values ($1, $2, $3, $4, $5)",
    )
    .bind(period)
    .bind(status.as_str())
    .bind(reason.trim())
    .bind(by)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn risk_settings(
    db: &EngineDb,
) -> Result<crate::domain::risk::RiskSettings, DbError> {
    let value: Option<String> = sqlx::query_scalar("select value from settings where key = 'risk'")
        .fetch_optional(&db.pool)
        .await?;
    // Thresholds saved by an older build may lack a newer one: the default fills it.
    Ok(value
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default())
}

pub(super) async fn save_risk_settings(
    db: &EngineDb,
    settings: &crate::domain::risk::RiskSettings,
    by: Uuid,
) -> Result<(), DbError> {
    let now = rows::now();
    let value = serde_json::to_string(settings).map_err(|e| DbError::Value(e.to_string()))?;
    sqlx::query(
        "insert into settings (key, value, updated_by, updated_at) values ('risk', $1, $2, $3)
         on conflict (key) do update set value = excluded.value,
            updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(value)
    .bind(by)
    .bind(now)
    .execute(&db.pool)
    .await?;
    Ok(())
}
