//! Impact measurement: the indicator catalogue, dashboards, reporting periods and targets.

#[cfg(feature = "ssr")]
use super::guard;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The indicator catalogue: the latest version of each indicator's definition. Every signed-in
/// role reads it (the committees read what the dashboards measure). JSON in, so the phone's sync
/// engine fetches it beside the forms and keeps it as it came.
#[server(prefix = "/api", endpoint = "list_indicators", input = Json)]
pub async fn list_indicators()
-> Result<Vec<crate::domain::indicator::IndicatorDefinition>, AppError> {
    guard::require_user()?;
    let all = guard::state()?.db.indicators().await?;
    Ok(crate::domain::indicator::latest(all))
}

/// Every value chain, `(code, names)`, for the team's indicator editor (which chains an
/// indicator applies to). The team only.
#[server(prefix = "/api", endpoint = "list_value_chains")]
pub async fn list_value_chains() -> Result<Vec<(String, crate::domain::Names)>, AppError> {
    let user = guard::require_team()?;
    let choices = guard::state()?.db.registry_choices(user.id).await?;
    Ok(choices
        .value_chains
        .into_iter()
        .map(|(_, code, names)| (code, names))
        .collect())
}

/// A dashboard: the programme (`level` = `programme`), an incubator or a project (`id` = its
/// id), or a value chain (`id` = its code), in a year (this year by default), with names in
/// `lang`. Every signed-in role reads the aggregate levels (small cells hidden); a project's own
/// dashboard is for those who see the project, and is not found for anyone else. With `funder`,
/// only the projects under that funder or funding line count.
#[server(prefix = "/api", endpoint = "indicator_dashboard")]
pub async fn indicator_dashboard(
    level: String,
    id: String,
    year: Option<i32>,
    lang: String,
    funder: Option<uuid::Uuid>,
) -> Result<crate::domain::indicator::dashboard::Dashboard, AppError> {
    use crate::domain::indicator::dashboard::DashboardLevel;
    let user = guard::require_user()?;
    let level = DashboardLevel::parse(&level).ok_or_else(|| AppError::Invalid {
        field: "level".into(),
        code: "unknown".into(),
    })?;
    let today = guard::today()?;
    let year = year.unwrap_or(today.year());
    if !(2000..=2100).contains(&year) {
        return Err(AppError::Invalid {
            field: "year".into(),
            code: "out_of_range".into(),
        });
    }
    let scope = crate::server::auth::project_scope(&user).ok();
    let source = guard::state()?.db.dashboard_source().await?;
    source
        .funded_dashboard(funder, level, &id, year, &lang, scope, &today.to_string())
        .await
}

/// The reporting periods that are not simply open, with the reason of their last change. The
/// team only.
#[server(prefix = "/api", endpoint = "reporting_periods")]
pub async fn reporting_periods()
-> Result<Vec<crate::domain::indicator::admin::PeriodState>, AppError> {
    guard::require_team()?;
    Ok(guard::state()?
        .db
        .periods()
        .await?
        .into_iter()
        .map(
            |(period, status, reason)| crate::domain::indicator::admin::PeriodState {
                period,
                status,
                reason,
            },
        )
        .collect())
}

/// Moves a reporting period to `status` (`submitted`, `locked`, `open`): open → submitted →
/// locked, and a locked period reopens only with a reason, which is kept. A locked period (and
/// every period within it) refuses values from then on. The team only.
#[server(prefix = "/api", endpoint = "set_period_status")]
pub async fn set_period_status(
    period: String,
    status: String,
    reason: String,
) -> Result<(), AppError> {
    use crate::domain::indicator::value::{PeriodStatus, check_period_change, period_bounds};
    let user = guard::require_team()?;
    let invalid = |field: &str, code: &str| AppError::Invalid {
        field: field.into(),
        code: code.into(),
    };
    let period = period.trim().to_uppercase();
    if period_bounds(&period).is_none() {
        return Err(invalid("period", "not_a_period"));
    }
    let to = PeriodStatus::parse(&status).ok_or_else(|| invalid("status", "unknown"))?;
    let db = guard::state()?.db;
    let from = db
        .periods()
        .await?
        .into_iter()
        .find(|(p, _, _)| *p == period)
        .map_or(PeriodStatus::Open, |(_, s, _)| s);
    check_period_change(from, to, &reason).map_err(|e| invalid(e.field, e.code))?;
    db.set_period(&period, to, &reason, user.id).await?;
    tracing::info!(%period, status = to.as_str(), by = %user.id, "reporting period changed");
    Ok(())
}

/// Publishes new versions of indicator definitions from JSON (one definition, or a list as the
/// catalogue export writes it). The catalogue they would make is checked as a whole; with an
/// error, each is located and nothing is published. The team only.
#[server(prefix = "/api", endpoint = "publish_indicators", input = Json)]
pub async fn publish_indicators(
    definition: String,
) -> Result<crate::domain::indicator::admin::CataloguePublish, AppError> {
    use crate::domain::indicator::admin::{CataloguePublish, apply_import, read_import};
    use crate::domain::indicator::check_catalogue;
    let user = guard::require_team()?;
    let imported = match read_import(&definition) {
        Ok(list) if !list.is_empty() => list,
        Ok(_) => {
            return Ok(CataloguePublish::Unreadable {
                detail: "[]".into(),
            });
        }
        Err(detail) => return Ok(CataloguePublish::Unreadable { detail }),
    };
    let db = guard::state()?.db;
    let latest = crate::domain::indicator::latest(db.indicators().await?);
    let made = match apply_import(&latest, &imported) {
        Ok(made) => made,
        Err(refused) => return Ok(refused),
    };
    if let Err(errors) = check_catalogue(&made, &crate::server::indicators::VALUE_CHAINS) {
        return Ok(CataloguePublish::Invalid { errors });
    }
    let mut versions = Vec::new();
    for def in &imported {
        match db.insert_indicator(def, Some(user.id)).await {
            Ok(()) => versions.push((def.code.clone(), def.version)),
            // Someone published the same version a moment before.
            Err(crate::server::db::DbError::AlreadyExists(_)) => {
                return Ok(CataloguePublish::NotNewer {
                    code: def.code.clone(),
                    latest: def.version,
                });
            }
            Err(e) => return Err(e.into()),
        }
    }
    tracing::info!(?versions, by = %user.id, "indicator definitions published");
    Ok(CataloguePublish::Published { versions })
}

/// What the team's targets form chooses from, names in `lang`, and the targets set so far. The
/// team only.
#[server(prefix = "/api", endpoint = "target_choices")]
pub async fn target_choices(
    lang: String,
) -> Result<crate::domain::indicator::admin::TargetChoices, AppError> {
    guard::require_team()?;
    let source = guard::state()?.db.dashboard_source().await?;
    Ok(source.target_choices(&lang))
}

/// Sets the target of an indicator for the programme, an incubator, a value chain or a project
/// (in place of the one it had). Checked first: the first field in error is named. The team only.
#[server(prefix = "/api", endpoint = "save_target", input = Json)]
pub async fn save_target(
    target: crate::domain::indicator::admin::SaveTarget,
) -> Result<(), AppError> {
    let user = guard::require_team()?;
    let db = guard::state()?.db;
    let source = db.dashboard_source().await?;
    let checked = target
        .check(&source.catalogue)
        .map_err(|e| AppError::Invalid {
            field: e.field.into(),
            code: e.code.into(),
        })?;
    if !source.scope_exists(checked.scope, checked.scope_id) {
        return Err(AppError::Invalid {
            field: "scope_id".into(),
            code: "unknown".into(),
        });
    }
    db.save_target(&checked, user.id).await?;
    tracing::info!(indicator = %checked.indicator, scope = checked.scope, by = %user.id, "target set");
    Ok(())
}
