//! Forms, indicator definitions, reporting periods and risk thresholds.

use super::{EngineDb, audit};
use crate::domain::indicator::value::PeriodStatus;
use crate::server::db::{AuditLine, DbError, rows};
use serde_json::json;
use uuid::Uuid;

pub(super) async fn forms(
    db: &EngineDb,
) -> Result<Vec<crate::domain::form::FormDefinition>, DbError> {
    definitions(db, rows::FORMS).await
}

pub(super) async fn insert_form(
    db: &EngineDb,
    form: &crate::domain::form::FormDefinition,
    published_by: Option<Uuid>,
) -> Result<(), DbError> {
    let key = (form.id.as_str(), form.version);
    insert_definition(db, rows::FORMS, key, form, published_by, "form_published").await
}

pub(super) async fn indicators(
    db: &EngineDb,
) -> Result<Vec<crate::domain::indicator::IndicatorDefinition>, DbError> {
    definitions(db, rows::INDICATORS).await
}

pub(super) async fn insert_indicator(
    db: &EngineDb,
    indicator: &crate::domain::indicator::IndicatorDefinition,
    published_by: Option<Uuid>,
) -> Result<(), DbError> {
    let key = (indicator.code.as_str(), indicator.version);
    insert_definition(
        db,
        rows::INDICATORS,
        key,
        indicator,
        published_by,
        "indicator_published",
    )
    .await
}

async fn definitions<T: serde::de::DeserializeOwned>(
    db: &EngineDb,
    table: rows::Versioned,
) -> Result<Vec<T>, DbError> {
    let found: Vec<(String, i64, String)> =
        sqlx::query_as(&table.select()).fetch_all(&db.pool).await?;
    table.decode(found)
}

/// Stores a new version of a definition; a version that exists already is
/// [`DbError::AlreadyExists`]. One published by someone (not shipped with Athar) leaves an
/// audit line of `kind`.
async fn insert_definition<T: serde::Serialize>(
    db: &EngineDb,
    table: rows::Versioned,
    (name, version): (&str, u32),
    definition: &T,
    published_by: Option<Uuid>,
    kind: &'static str,
) -> Result<(), DbError> {
    let json = serde_json::to_string(definition).map_err(|e| DbError::Value(e.to_string()))?;
    let mut tx = db.begin_write().await?;
    sqlx::query(&table.insert())
        .bind(name)
        .bind(i64::from(version))
        .bind(json)
        .bind(rows::now())
        .bind(published_by)
        .execute(&mut *tx)
        .await?;
    if published_by.is_some() {
        audit::append(
            &mut tx,
            &AuditLine {
                actor: published_by,
                kind,
                subject: format!("{name} v{version}"),
                project: None,
                before: None,
                after: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(super) async fn periods(db: &EngineDb) -> Result<Vec<(String, PeriodStatus, String)>, DbError> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("select period, status, reason from reporting_periods order by period")
            .fetch_all(&db.pool)
            .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(p, s, r)| PeriodStatus::parse(&s).map(|s| (p, s, r)))
        .collect())
}

pub(super) async fn set_period(
    db: &EngineDb,
    period: &str,
    status: PeriodStatus,
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
    audit::append(
        &mut tx,
        &AuditLine {
            actor: Some(by),
            kind: "period_changed",
            subject: period.to_owned(),
            project: None,
            before: None,
            after: Some(json!({ "status": status.as_str(), "reason": reason.trim() })),
        },
    )
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
    let mut tx = db.begin_write().await?;
    let before: Option<String> =
        sqlx::query_scalar("select value from settings where key = 'risk'")
            .fetch_optional(&mut *tx)
            .await?;
    sqlx::query(
        "insert into settings (key, value, updated_by, updated_at) values ('risk', $1, $2, $3)
         on conflict (key) do update set value = excluded.value,
            updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(&value)
    .bind(by)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        &AuditLine {
            actor: Some(by),
            kind: "settings_changed",
            subject: "risk".into(),
            project: None,
            before: before.and_then(|b| serde_json::from_str(&b).ok()),
            after: serde_json::from_str(&value).ok(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
