//! The programme team's settings: risk thresholds, forms, and the health of every device.

#[cfg(feature = "ssr")]
use super::guard;
use crate::domain::DeviceStatus;
use crate::domain::form::{FormDefinition, PublishOutcome};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The thresholds of the risk rules, for the team's settings page.
#[server(prefix = "/api", endpoint = "risk_settings")]
pub async fn risk_settings() -> Result<crate::domain::risk::RiskSettings, AppError> {
    guard::require_team()?;
    Ok(guard::state()?.db.risk_settings().await?)
}

/// Saves the thresholds of the risk rules (the team only). Each must lie within its bounds
/// (`domain::risk::THRESHOLDS`): the first one outside is refused by name, nothing is saved.
/// The flags on every card follow at once.
#[server(prefix = "/api", endpoint = "save_risk_settings", input = Json)]
pub async fn save_risk_settings(
    settings: crate::domain::risk::RiskSettings,
) -> Result<(), AppError> {
    let user = guard::require_team()?;
    settings.check().map_err(|e| AppError::Invalid {
        field: e.field.into(),
        code: e.code.into(),
    })?;
    Ok(guard::state()?
        .db
        .save_risk_settings(&settings, user.id)
        .await?)
}

/// Every version of every form, for the phones to keep (an entry is checked against the version
/// it was made with, offline too). Any signed-in user. JSON in, so the phone's sync engine calls
/// it as it calls `sync/pull`, and keeps the answer as it came.
#[server(prefix = "/api", endpoint = "list_forms", input = Json)]
pub async fn list_forms() -> Result<Vec<FormDefinition>, AppError> {
    guard::require_user()?;
    Ok(guard::state()?.db.forms().await?)
}

/// Publishes a new version of a form from its JSON definition (the team's import). A definition
/// with errors is refused with each error located, and the version in use stays. The team only.
#[server(prefix = "/api", endpoint = "publish_form", input = Json)]
pub async fn publish_form(definition: String) -> Result<PublishOutcome, AppError> {
    use crate::domain::form::{FormSet, PublishError};
    let user = guard::require_team()?;
    let form: FormDefinition = match serde_json::from_str(&definition) {
        Ok(form) => form,
        Err(e) => {
            return Ok(PublishOutcome::Unreadable {
                detail: e.to_string(),
            });
        }
    };
    let db = guard::state()?.db;
    let mut set = FormSet::from_versions(db.forms().await?);
    if let Err(error) = set.publish(form.clone()) {
        return Ok(PublishOutcome::Refused { error });
    }
    match db.insert_form(&form, Some(user.id)).await {
        Ok(()) => {
            tracing::info!(form = %form.id, version = form.version, by = %user.id, "form published");
            Ok(PublishOutcome::Published {
                id: form.id,
                version: form.version,
            })
        }
        // Someone published the same version a moment before.
        Err(crate::server::db::DbError::AlreadyExists(_)) => Ok(PublishOutcome::Refused {
            error: PublishError::NotNewer {
                latest: form.version,
            },
        }),
        Err(e) => Err(e.into()),
    }
}

/// Every device that synced, from its latest heartbeat, flagged where the team should act. The
/// team only.
#[server(prefix = "/api", endpoint = "list_devices")]
pub async fn list_devices() -> Result<Vec<DeviceStatus>, AppError> {
    guard::require_team()?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    Ok(guard::state()?
        .db
        .device_statuses()
        .await?
        .into_iter()
        .map(|d| d.flag(now))
        .collect())
}
