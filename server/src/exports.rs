//! Downloads and BI endpoints, outside the server functions because they answer files and plain
//! JSON to tools that are not the app:
//!
//! - `/exports/indicators.csv`, `/exports/indicators.xlsx`, `/exports/logframe.xlsx`: for a
//!   signed-in user (the session cookie), within what their role may see;
//!   `/exports/catalogue.json`, the indicator catalogue as the team's page imports it;
//! - `/exports/template.xlsx`, `/exports/template-projects.csv`, `/exports/template-members.csv`:
//!   the team's import templates;
//! - `/bi/v1/indicators`, `/bi/v1/table`, `/bi/v1/dashboard`: read-only JSON for BI tools, with
//!   `Authorization: Bearer <token>` (`athar token create`).
//!
//! All take `level` (`programme`, `incubator`, `value_chain`, `project`), `id`, `year`, and
//! optionally `period`, `lang` (`fr`, `ar`, `en`) and `funder` (only the projects under that
//! funder or funding line).

use app::domain::indicator::dashboard::DashboardLevel;
use app::error::AppError;
use app::server::AppState;
use app::server::auth::{RequestAuth, hash_token, project_scope};
use app::server::db::ProjectScope;
use app::server::exports::{ExportQuery, csv, logframe, long_table, workbook};
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Json, Response};
use http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, WWW_AUTHENTICATE,
};
use http::{HeaderMap, StatusCode};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct Params {
    level: Option<String>,
    id: Option<String>,
    year: Option<i32>,
    period: Option<String>,
    lang: Option<String>,
    /// Only the projects under this funder or funding line.
    funder: Option<uuid::Uuid>,
    /// The audit trail's filters.
    person: Option<uuid::Uuid>,
    project: Option<uuid::Uuid>,
    kind: Option<String>,
}

impl Params {
    fn query(self, today: time::Date) -> Result<ExportQuery, AppError> {
        let invalid = |field: &str, code: &str| AppError::Invalid {
            field: field.into(),
            code: code.into(),
        };
        let level = DashboardLevel::parse(self.level.as_deref().unwrap_or("programme"))
            .ok_or_else(|| invalid("level", "unknown"))?;
        let year = self.year.unwrap_or(today.year());
        if !(2000..=2100).contains(&year) {
            return Err(invalid("year", "out_of_range"));
        }
        Ok(ExportQuery {
            level,
            id: self.id.unwrap_or_default(),
            year,
            period: self.period.filter(|p| !p.is_empty()),
            lang: self.lang.unwrap_or_else(|| "fr".into()),
        })
    }
}

fn error(e: AppError) -> Response {
    let status = StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(e)).into_response()
}

/// A file to download.
fn file(bytes: Vec<u8>, kind: &'static str, name: String) -> Response {
    (
        [
            (CONTENT_TYPE, kind.to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The files `/exports/{file}` serves (the role × scope matrix has a row for each).
pub const EXPORT_FILES: [&str; 8] = [
    "catalogue.json",
    "audit.csv",
    "template.xlsx",
    "template-projects.csv",
    "template-members.csv",
    "indicators.csv",
    "indicators.xlsx",
    "logframe.xlsx",
];

/// The datasets `/bi/v1/{what}` serves.
pub const BI_DATASETS: [&str; 3] = ["indicators", "table", "dashboard"];

/// `/exports/{file}`: for a signed-in user. Aggregate levels for every role; projects (as a
/// scope or as lines of a wider export) only for those who see them.
pub async fn export(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Path(name): Path<String>,
    Query(params): Query<Params>,
) -> Response {
    let Some(user) = auth.user else {
        return error(AppError::NotSignedIn);
    };
    if !EXPORT_FILES.contains(&name.as_str()) {
        return error(AppError::NotFound);
    }
    let scope = project_scope(&user).ok();
    let result = async {
        // The catalogue as the team's page imports it back (a list of definitions).
        if name == "catalogue.json" {
            let latest = app::domain::indicator::latest(state.db.indicators().await?);
            let text = serde_json::to_vec_pretty(&latest).map_err(|_| AppError::Internal)?;
            return Ok(file(
                text,
                "application/json",
                "athar-indicators.json".into(),
            ));
        }
        // The audit trail, for the team only.
        if name == "audit.csv" {
            if user.role != app::domain::Role::Team {
                return Err(AppError::Forbidden);
            }
            let lines = state
                .db
                .audit(&app::server::db::AuditQuery {
                    actor: params.person,
                    project: params.project,
                    kind: params.kind.filter(|k| !k.is_empty()),
                    limit: app::domain::audit::MAX_LINES,
                })
                .await?;
            return Ok(file(
                app::server::exports::audit_csv(&lines)?,
                "text/csv; charset=utf-8",
                "athar-audit.csv".into(),
            ));
        }
        // The import templates, for the team only, in the language asked for.
        if let Some(kind) = name.strip_prefix("template") {
            if user.role != app::domain::Role::Team {
                return Err(AppError::Forbidden);
            }
            let lang = params.lang.as_deref().unwrap_or("fr");
            return match kind {
                ".xlsx" => {
                    let snapshot = state.db.import_snapshot().await?;
                    Ok(file(
                        app::server::import::template::workbook(&snapshot, lang)?,
                        XLSX,
                        "athar-import.xlsx".into(),
                    ))
                }
                "-projects.csv" | "-members.csv" => Ok(file(
                    app::server::import::template::csv(kind == "-members.csv", lang),
                    "text/csv; charset=utf-8",
                    format!("athar-import{kind}"),
                )),
                _ => Err(AppError::NotFound),
            };
        }
        let today = state.clock.today();
        let funder = params.funder;
        let q = params.query(today)?;
        let source = state.db.dashboard_source().await?.for_funder(funder)?;
        let today = today.to_string();
        let stem = format!("athar-{}-{}", q.level.as_str(), q.year);
        match name.as_str() {
            "indicators.csv" => {
                let rows = long_table(&source, &q, scope, &today)?;
                Ok(file(
                    csv(&rows)?,
                    "text/csv; charset=utf-8",
                    format!("{stem}.csv"),
                ))
            }
            "indicators.xlsx" => {
                let rows = long_table(&source, &q, scope, &today)?;
                Ok(file(workbook(&rows)?, XLSX, format!("{stem}.xlsx")))
            }
            "logframe.xlsx" => Ok(file(
                logframe(&source, &q, scope, &today)?,
                XLSX,
                format!("{stem}-logframe.xlsx"),
            )),
            _ => Err(AppError::NotFound),
        }
    }
    .await;
    result.unwrap_or_else(error)
}

/// Checks the bearer token of a BI call.
async fn bearer(state: &AppState, headers: &HeaderMap) -> Result<String, Response> {
    let token = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let refused = || {
        let mut r = error(AppError::NotSignedIn);
        r.headers_mut()
            .insert(WWW_AUTHENTICATE, http::HeaderValue::from_static("Bearer"));
        r
    };
    let Some(token) = token else {
        return Err(refused());
    };
    match state.db.api_token(&hash_token(token)).await {
        Ok(Some(name)) => Ok(name),
        Ok(None) => Err(refused()),
        Err(e) => Err(error(e.into())),
    }
}

/// `/bi/v1/{what}`: `indicators` (the catalogue), `table` (the long table), `dashboard` (the
/// dashboard of one scope). A token reads every scope, projects included; members' personal
/// data is in none of them, and small cells are hidden as everywhere.
pub async fn bi(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(what): Path<String>,
    Query(params): Query<Params>,
) -> Response {
    let token = match bearer(&state, &headers).await {
        Ok(name) => name,
        Err(refused) => return refused,
    };
    tracing::debug!(token, what, "BI call");
    if !BI_DATASETS.contains(&what.as_str()) {
        return error(AppError::NotFound);
    }
    let today = state.clock.today();
    let result = async {
        let scope = Some(ProjectScope::All);
        match what.as_str() {
            "indicators" => {
                let all = state.db.indicators().await?;
                Ok(Json(app::domain::indicator::latest(all)).into_response())
            }
            "table" => {
                let funder = params.funder;
                let q = params.query(today)?;
                let source = state.db.dashboard_source().await?.for_funder(funder)?;
                let rows = long_table(&source, &q, scope, &today.to_string())?;
                Ok(Json(rows).into_response())
            }
            "dashboard" => {
                let funder = params.funder;
                let q = params.query(today)?;
                let source = state.db.dashboard_source().await?;
                let d = source
                    .funded_dashboard(
                        funder,
                        q.level,
                        &q.id,
                        q.year,
                        &q.lang,
                        scope,
                        &today.to_string(),
                    )
                    .await?;
                Ok(Json(d).into_response())
            }
            _ => Err(AppError::NotFound),
        }
    }
    .await;
    result.unwrap_or_else(error)
}
