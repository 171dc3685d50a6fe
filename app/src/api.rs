//! Server functions: the only door from the browser to the server. Each is thin: it finds the
//! signed-in user, checks role and scope, calls `server::`, and maps errors to [`AppError`].
//! Endpoint names are explicit and stable (`/api/<name>`), because cached apps call them for weeks.
//!
//! Every function here must have a row in the role × scope matrix test (`server/tests/`), which
//! fails when a new one is added without one.

use crate::domain::form::{FormDefinition, PublishOutcome};
use crate::domain::{
    ConflictCase, DeviceStatus, HistoryEvent, ProgrammeSummary, ProjectCard, ProjectDetail,
    ReviewDecision, ReviewItem, SessionUser, VisitFields,
};
use crate::error::AppError;
use crate::sync::protocol::{ImportReport, OutboxExport, PullResponse, PushResponse, SyncCall};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;

#[cfg(feature = "ssr")]
mod ssr {
    use crate::domain::SessionUser;
    use crate::error::AppError;
    use crate::server::AppState;
    use crate::server::auth::RequestAuth;
    use leptos::prelude::*;

    pub fn state() -> Result<AppState, AppError> {
        use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from the request context");
            AppError::Internal
        })
    }

    /// Today in Kébili, by the server's clock.
    pub fn today() -> Result<time::Date, AppError> {
        Ok(state()?.clock.today())
    }

    pub fn request_auth() -> RequestAuth {
        use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<RequestAuth>().cloned())
            .unwrap_or_default()
    }

    pub fn require_user() -> Result<SessionUser, AppError> {
        request_auth().user.ok_or(AppError::NotSignedIn)
    }

    /// The signed-in user, if they are of the programme team (the registry, forms, settings).
    pub fn require_team() -> Result<SessionUser, AppError> {
        let user = require_user()?;
        if user.role == crate::domain::Role::Team {
            Ok(user)
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Answers an error with its own HTTP status (401, 403, 404…) rather than a blanket 500, so
    /// clients and proxies can tell "sign in again" from "try later".
    pub fn finish<T>(result: Result<T, AppError>) -> Result<T, AppError> {
        if let Err(e) = &result
            && let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        {
            response.set_status(
                http::StatusCode::from_u16(e.status_code())
                    .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
            );
        }
        result
    }

    /// Checks the protocol and schema versions of a sync call, then decodes its body. An app too
    /// old (or too new) for this server gets `UpdateNeeded` before its body is even read.
    pub fn open_call<T: serde::de::DeserializeOwned>(
        call: &crate::sync::protocol::SyncCall,
    ) -> Result<T, AppError> {
        use crate::sync::protocol::{MAX_BATCH_BYTES, PROTOCOL_VERSION, SCHEMA_VERSION};
        if call.protocol != PROTOCOL_VERSION || call.schema != SCHEMA_VERSION {
            return Err(AppError::UpdateNeeded);
        }
        if call.body.get().len() > MAX_BATCH_BYTES {
            return Err(AppError::TooLarge);
        }
        serde_json::from_str(call.body.get()).map_err(|e| AppError::Invalid {
            field: "body".into(),
            code: e.to_string(),
        })
    }

    pub fn set_cookie(value: String) {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
            && let Ok(value) = http::HeaderValue::from_str(&value)
        {
            response.append_header(http::header::SET_COOKIE, value);
        }
    }
}

/// Signs in with an email and password, sets the session cookie and goes to the home page.
#[server(prefix = "/api", endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<(), AppError> {
    ssr::finish(
        async move {
            use crate::server::auth::{session_cookie, sign_in};
            let state = ssr::state()?;
            let addr = ssr::request_auth().client_addr;
            if email.trim().is_empty() {
                return Err(AppError::Invalid {
                    field: "email".into(),
                    code: "required".into(),
                });
            }
            if password.is_empty() {
                return Err(AppError::Invalid {
                    field: "password".into(),
                    code: "required".into(),
                });
            }
            let session =
                sign_in(&state.db, &state.auth, &email, password, addr.as_deref()).await?;
            ssr::set_cookie(session_cookie(
                Some(&session.token),
                session.max_age,
                state.auth.secure_cookies,
            ));
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}

/// Ends the session on the server and removes the cookie. (The page removes the user's cached
/// data from the device before calling this.)
#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    ssr::finish(
        async move {
            use crate::server::auth::session_cookie;
            let state = ssr::state()?;
            if let Some(hash) = ssr::request_auth().token_hash {
                state.db.delete_session(&hash).await?;
            }
            ssr::set_cookie(session_cookie(
                None,
                time::Duration::ZERO,
                state.auth.secure_cookies,
            ));
            leptos_axum::redirect("/login");
            Ok(())
        }
        .await,
    )
}

/// The signed-in user, or `None`. Open to everyone: it is how a page learns whether to sign in.
#[server(prefix = "/api", endpoint = "me")]
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    Ok(ssr::request_auth().user)
}

/// The projects in the user's scope: a facilitator's own, a supervisor's incubators', all for the
/// team. Viewers are refused (they see aggregates).
#[server(prefix = "/api", endpoint = "list_projects")]
pub async fn list_projects() -> Result<Vec<ProjectCard>, AppError> {
    ssr::finish(
        async move {
            let user = ssr::require_user()?;
            let scope = crate::server::auth::project_scope(&user)?;
            let state = ssr::state()?;
            Ok(crate::server::projects::cards(&state.db, state.clock, scope).await?)
        }
        .await,
    )
}

/// One project with its members. Outside the user's scope it does not exist (404, not 403), so
/// ids cannot be probed.
#[server(prefix = "/api", endpoint = "get_project")]
pub async fn get_project(id: Uuid) -> Result<ProjectDetail, AppError> {
    ssr::finish(
        async move {
            let user = ssr::require_user()?;
            let scope = crate::server::auth::project_scope(&user)?;
            let state = ssr::state()?;
            crate::server::projects::detail(&state.db, state.clock, scope, id)
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

/// Programme-wide aggregates with small cells hidden: every signed-in role may read them.
#[server(prefix = "/api", endpoint = "programme_summary")]
pub async fn get_programme_summary() -> Result<ProgrammeSummary, AppError> {
    ssr::finish(
        async move {
            ssr::require_user()?;
            let state = ssr::state()?;
            Ok(crate::server::projects::summary(&state.db, state.clock).await?)
        }
        .await,
    )
}

/// Sends a batch of one client's waiting mutations (`sync::protocol::PushRequest`). Each is
/// applied exactly once, or refused for good with a reason the device shows; the answer comes
/// only once the commit is durable. Viewers have nothing to send.
#[server(prefix = "/api", endpoint = "sync/push", input = Json)]
pub async fn push(call: SyncCall) -> Result<PushResponse, AppError> {
    ssr::finish(
        async move {
            use crate::server::sync::{PushInput, push};
            use crate::sync::protocol::{MAX_BATCH_MUTATIONS, PushRequest};
            let user = ssr::require_user()?;
            let scope = crate::server::auth::project_scope(&user)?;
            let request: PushRequest = ssr::open_call(&call)?;
            if request.mutations.len() > MAX_BATCH_MUTATIONS {
                return Err(AppError::TooLarge);
            }
            let state = ssr::state()?;
            let store = state.db.begin_push().await?;
            push(
                store,
                PushInput {
                    user,
                    scope,
                    today: ssr::today()?.to_string(),
                    request,
                },
            )
            .await
        }
        .await,
    )
}

/// Everything in the user's scope that changed since the device's cookie, from one snapshot
/// (`sync::protocol::PullResponse`), and records the device's heartbeat.
#[server(prefix = "/api", endpoint = "sync/pull", input = Json)]
pub async fn pull(call: SyncCall) -> Result<PullResponse, AppError> {
    ssr::finish(
        async move {
            use crate::server::db::store::ClientRow;
            use crate::sync::protocol::PullRequest;
            let user = ssr::require_user()?;
            let scope = crate::server::auth::project_scope(&user)?;
            let request: PullRequest = ssr::open_call(&call)?;
            let db = ssr::state()?.db;
            match db.client_owner(request.client_id).await? {
                Some(owner) if owner != user.id => return Err(AppError::Forbidden),
                _ => {}
            }
            db.save_heartbeat(&ClientRow {
                id: request.client_id,
                user_id: user.id,
                last_seq: 0,
                heartbeat: request.heartbeat.clone(),
            })
            .await?;
            Ok(db
                .pull(&user, scope, request.client_id, request.cookie.as_ref())
                .await?)
        }
        .await,
    )
}

/// The visits in the user's review scope edited on two devices from the same base, each with
/// every version. Supervisors (their incubators) and the team (all).
#[server(prefix = "/api", endpoint = "list_conflicts")]
pub async fn list_conflicts() -> Result<Vec<ConflictCase>, AppError> {
    ssr::finish(
        async move {
            let user = ssr::require_user()?;
            let scope = crate::server::auth::review_scope(&user)?;
            Ok(ssr::state()?.db.open_conflicts(scope).await?)
        }
        .await,
    )
}

/// Resolves a conflict on a visit: `fields` is the version kept, or a merge. Refused as stale
/// when the visit moved on since `version`. Returns the visit's new version.
#[server(prefix = "/api", endpoint = "resolve_conflict")]
pub async fn resolve_conflict(
    visit: Uuid,
    version: i64,
    fields: VisitFields,
) -> Result<i64, AppError> {
    ssr::finish(
        async move {
            use crate::server::sync::resolve::{VisitResolution, resolve_visit};
            let user = ssr::require_user()?;
            let scope = crate::server::auth::review_scope(&user)?;
            let store = ssr::state()?.db.begin_push().await?;
            resolve_visit(
                store,
                scope,
                user.id,
                &ssr::today()?.to_string(),
                VisitResolution {
                    visit,
                    seen_version: version,
                    fields,
                },
            )
            .await
        }
        .await,
    )
}

/// Marks a project's risk flag as seen, with a note saying what was done (required). Supervisors
/// (their incubators) and the team.
#[server(prefix = "/api", endpoint = "acknowledge_risk")]
pub async fn acknowledge_risk(project: Uuid, rule: String, note: String) -> Result<(), AppError> {
    ssr::finish(
        async move {
            let user = ssr::require_user()?;
            let scope = crate::server::auth::review_scope(&user)?;
            crate::domain::risk::check_ack(&rule, &note).map_err(|e| AppError::Invalid {
                field: e.field.into(),
                code: e.code.into(),
            })?;
            let db = &ssr::state()?.db;
            if db
                .acknowledge_risk(scope, user.id, project, &rule, note.trim())
                .await?
            {
                Ok(())
            } else {
                Err(AppError::NotFound)
            }
        }
        .await,
    )
}

/// The submitted visits waiting for review in the user's review scope, oldest first, each with
/// its history. Supervisors (their incubators) and the team (all).
#[server(prefix = "/api", endpoint = "review_queue")]
pub async fn review_queue() -> Result<Vec<ReviewItem>, AppError> {
    ssr::finish(
        async move {
            let user = ssr::require_user()?;
            let scope = crate::server::auth::review_scope(&user)?;
            Ok(ssr::state()?.db.review_queue(scope).await?)
        }
        .await,
    )
}

/// Validates a submitted visit, or returns it to its facilitator with a comment (required).
/// Refused as stale when the visit moved on since `version`. Returns the visit's new version.
#[server(prefix = "/api", endpoint = "review_visit")]
pub async fn review_visit(
    visit: Uuid,
    version: i64,
    decision: ReviewDecision,
    comment: String,
) -> Result<i64, AppError> {
    ssr::finish(
        async move {
            use crate::server::sync::review::{VisitReview, review_visit};
            let user = ssr::require_user()?;
            let scope = crate::server::auth::review_scope(&user)?;
            let store = ssr::state()?.db.begin_push().await?;
            review_visit(
                store,
                scope,
                &user,
                VisitReview {
                    visit,
                    seen_version: version,
                    decision,
                    comment,
                },
            )
            .await
        }
        .await,
    )
}

/// The submitted diagnostics and self-assessments waiting for review in the user's review scope,
/// oldest first, with their history and the form versions to read them by.
#[server(prefix = "/api", endpoint = "entry_review_queue")]
pub async fn entry_review_queue() -> Result<crate::domain::entry::EntryQueue, AppError> {
    ssr::finish(
        async move {
            let user = ssr::require_user()?;
            let scope = crate::server::auth::review_scope(&user)?;
            Ok(ssr::state()?.db.entry_review_queue(scope).await?)
        }
        .await,
    )
}

/// Validates a submitted diagnostic or self-assessment, or returns it with a comment
/// (required). Refused as stale when it moved on since `version`. Returns its new version.
#[server(prefix = "/api", endpoint = "review_entry")]
pub async fn review_entry(
    entry: Uuid,
    version: i64,
    decision: ReviewDecision,
    comment: String,
) -> Result<i64, AppError> {
    ssr::finish(
        async move {
            use crate::server::sync::review::{EntryReview, review_entry};
            let user = ssr::require_user()?;
            let scope = crate::server::auth::review_scope(&user)?;
            let store = ssr::state()?.db.begin_push().await?;
            review_entry(
                store,
                scope,
                &user,
                EntryReview {
                    entry,
                    seen_version: version,
                    decision,
                    comment,
                },
            )
            .await
        }
        .await,
    )
}

/// The members and milestones sent from the field waiting for review in the user's review
/// scope, oldest first, with their history (members without their private answers).
#[server(prefix = "/api", endpoint = "registry_review_queue")]
pub async fn registry_review_queue()
-> Result<Vec<crate::domain::registry::RegistryReviewItem>, AppError> {
    ssr::finish(
        async move {
            let user = ssr::require_user()?;
            let scope = crate::server::auth::review_scope(&user)?;
            Ok(ssr::state()?.db.registry_review_queue(scope).await?)
        }
        .await,
    )
}

/// Validates a member or a milestone sent from the field, or returns it with a comment
/// (required). Refused as stale when it changed or was decided since `version`. Returns its new
/// version.
#[server(prefix = "/api", endpoint = "review_registry")]
pub async fn review_registry(
    kind: crate::domain::RecordKind,
    id: Uuid,
    version: i64,
    decision: ReviewDecision,
    comment: String,
) -> Result<i64, AppError> {
    ssr::finish(
        async move {
            use crate::server::sync::review::{RegistryReview, review_registry};
            let user = ssr::require_user()?;
            let scope = crate::server::auth::review_scope(&user)?;
            let store = ssr::state()?.db.begin_push().await?;
            review_registry(
                store,
                scope,
                &user,
                RegistryReview {
                    kind,
                    id,
                    seen_version: version,
                    decision,
                    comment,
                },
            )
            .await
        }
        .await,
    )
}

/// The indicator catalogue: the latest version of each indicator's definition. Every signed-in
/// role reads it (the committees read what the dashboards measure). JSON in, so the phone's sync
/// engine fetches it beside the forms and keeps it as it came.
#[server(prefix = "/api", endpoint = "list_indicators", input = Json)]
pub async fn list_indicators()
-> Result<Vec<crate::domain::indicator::IndicatorDefinition>, AppError> {
    ssr::finish(
        async move {
            ssr::require_user()?;
            let all = ssr::state()?.db.indicators().await?;
            Ok(crate::domain::indicator::latest(all))
        }
        .await,
    )
}

/// Every value chain, `(code, names)`, for the team's indicator editor (which chains an
/// indicator applies to). The team only.
#[server(prefix = "/api", endpoint = "list_value_chains")]
pub async fn list_value_chains() -> Result<Vec<(String, crate::domain::Names)>, AppError> {
    ssr::finish(
        async move {
            let user = ssr::require_team()?;
            let choices = ssr::state()?.db.registry_choices(user.id).await?;
            Ok(choices
                .value_chains
                .into_iter()
                .map(|(_, code, names)| (code, names))
                .collect())
        }
        .await,
    )
}

/// A dashboard: the programme (`level` = `programme`), an incubator or a project (`id` = its
/// id), or a value chain (`id` = its code), in a year (this year by default), with names in
/// `lang`. Every signed-in role reads the aggregate levels (small cells hidden); a project's own
/// dashboard is for those who see the project, and is not found for anyone else.
#[server(prefix = "/api", endpoint = "indicator_dashboard")]
pub async fn indicator_dashboard(
    level: String,
    id: String,
    year: Option<i32>,
    lang: String,
) -> Result<crate::domain::indicator::dashboard::Dashboard, AppError> {
    ssr::finish(
        async move {
            use crate::domain::indicator::dashboard::DashboardLevel;
            let user = ssr::require_user()?;
            let level = DashboardLevel::parse(&level).ok_or_else(|| AppError::Invalid {
                field: "level".into(),
                code: "unknown".into(),
            })?;
            let today = ssr::today()?;
            let year = year.unwrap_or(today.year());
            if !(2000..=2100).contains(&year) {
                return Err(AppError::Invalid {
                    field: "year".into(),
                    code: "out_of_range".into(),
                });
            }
            let scope = crate::server::auth::project_scope(&user).ok();
            let source = ssr::state()?.db.dashboard_source().await?;
            source.dashboard(level, &id, year, &lang, scope, &today.to_string())
        }
        .await,
    )
}

/// The reporting periods that are not simply open, with the reason of their last change. The
/// team only.
#[server(prefix = "/api", endpoint = "reporting_periods")]
pub async fn reporting_periods()
-> Result<Vec<crate::domain::indicator::admin::PeriodState>, AppError> {
    ssr::finish(
        async move {
            ssr::require_team()?;
            Ok(ssr::state()?
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
        .await,
    )
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
    ssr::finish(
        async move {
            use crate::domain::indicator::value::{PeriodStatus, check_period_change, period_bounds};
            let user = ssr::require_team()?;
            let invalid = |field: &str, code: &str| AppError::Invalid {
                field: field.into(),
                code: code.into(),
            };
            let period = period.trim().to_uppercase();
            if period_bounds(&period).is_none() {
                return Err(invalid("period", "not_a_period"));
            }
            let to = PeriodStatus::parse(&status).ok_or_else(|| invalid("status", "unknown"))?;
            let db = ssr::state()?.db;
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
        .await,
    )
}

/// Publishes new versions of indicator definitions from JSON (one definition, or a list as the
/// catalogue export writes it). The catalogue they would make is checked as a whole; with an
/// error, each is located and nothing is published. The team only.
#[server(prefix = "/api", endpoint = "publish_indicators", input = Json)]
pub async fn publish_indicators(
    definition: String,
) -> Result<crate::domain::indicator::admin::CataloguePublish, AppError> {
    ssr::finish(
        async move {
            use crate::domain::indicator::admin::{CataloguePublish, apply_import, read_import};
            use crate::domain::indicator::check_catalogue;
            let user = ssr::require_team()?;
            let imported = match read_import(&definition) {
                Ok(list) if !list.is_empty() => list,
                Ok(_) => {
                    return Ok(CataloguePublish::Unreadable {
                        detail: "[]".into(),
                    });
                }
                Err(detail) => return Ok(CataloguePublish::Unreadable { detail }),
            };
            let db = ssr::state()?.db;
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
        .await,
    )
}

/// What the team's targets form chooses from, names in `lang`, and the targets set so far. The
/// team only.
#[server(prefix = "/api", endpoint = "target_choices")]
pub async fn target_choices(
    lang: String,
) -> Result<crate::domain::indicator::admin::TargetChoices, AppError> {
    ssr::finish(
        async move {
            ssr::require_team()?;
            let source = ssr::state()?.db.dashboard_source().await?;
            Ok(source.target_choices(&lang))
        }
        .await,
    )
}

/// Sets the target of an indicator for the programme, an incubator, a value chain or a project
/// (in place of the one it had). Checked first: the first field in error is named. The team only.
#[server(prefix = "/api", endpoint = "save_target", input = Json)]
pub async fn save_target(
    target: crate::domain::indicator::admin::SaveTarget,
) -> Result<(), AppError> {
    ssr::finish(
        async move {
            let user = ssr::require_team()?;
            let db = ssr::state()?.db;
            let source = db.dashboard_source().await?;
            let checked = target.check(&source.catalogue).map_err(|e| AppError::Invalid {
                field: e.field.into(),
                code: e.code.into(),
            })?;
            if !source.scope_exists(checked.scope, checked.scope_id) {
                return Err(AppError::Invalid {
                    field: "scope_id".into(),
                    code: "unknown".into(),
                });
            }
            db.save_target(&checked).await?;
            tracing::info!(indicator = %checked.indicator, scope = checked.scope, by = %user.id, "target set");
            Ok(())
        }
        .await,
    )
}

/// What a facilitator chooses from when registering a project in the field (kept on the phone
/// for offline use). Facilitators only: they are the ones who register projects.
#[server(prefix = "/api", endpoint = "registry_choices")]
pub async fn registry_choices() -> Result<crate::domain::RegistryChoices, AppError> {
    ssr::finish(
        async move {
            let user = ssr::require_user()?;
            if user.role != crate::domain::Role::Facilitator {
                return Err(AppError::Forbidden);
            }
            Ok(ssr::state()?.db.registry_choices(user.id).await?)
        }
        .await,
    )
}

/// Who a project may be assigned to, and its current facilitator and incubator (the team only).
#[server(prefix = "/api", endpoint = "assignment_choices")]
pub async fn assignment_choices(
    project: Uuid,
) -> Result<crate::domain::project::AssignmentChoices, AppError> {
    ssr::finish(
        async move {
            ssr::require_team()?;
            ssr::state()?
                .db
                .assignment_choices(project)
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

/// Assigns a project to a facilitator (or none) and an incubator (the team only). The project
/// leaves the previous facilitator's phone and reaches the new one's at their next sync.
#[server(prefix = "/api", endpoint = "assign_project")]
pub async fn assign_project(
    project: Uuid,
    facilitator: Option<Uuid>,
    incubator: Uuid,
) -> Result<(), AppError> {
    ssr::finish(
        async move {
            ssr::require_team()?;
            let db = &ssr::state()?.db;
            if db.assignment_choices(project).await?.is_none() {
                return Err(AppError::NotFound);
            }
            if db.assign_project(project, facilitator, incubator).await? {
                Ok(())
            } else {
                Err(AppError::Invalid {
                    field: "facilitator".into(),
                    code: "other".into(),
                })
            }
        }
        .await,
    )
}

/// Records a project's funding tranche: planned, disbursed (with its day), justified; amounts in
/// millimes (the team only). The project page and the risk flags follow at once.
#[server(prefix = "/api", endpoint = "save_tranche", input = Json)]
pub async fn save_tranche(
    project: Uuid,
    tranche: crate::domain::timeline::Tranche,
) -> Result<(), AppError> {
    ssr::finish(
        async move {
            ssr::require_team()?;
            let today = ssr::today()?.to_string();
            tranche.check(&today).map_err(|e| AppError::Invalid {
                field: e.field.into(),
                code: e.code.into(),
            })?;
            if ssr::state()?.db.save_tranche(project, &tranche).await? {
                Ok(())
            } else {
                Err(AppError::NotFound)
            }
        }
        .await,
    )
}

/// The thresholds of the risk rules, for the team's settings page.
#[server(prefix = "/api", endpoint = "risk_settings")]
pub async fn risk_settings() -> Result<crate::domain::risk::RiskSettings, AppError> {
    ssr::finish(
        async move {
            ssr::require_team()?;
            Ok(ssr::state()?.db.risk_settings().await?)
        }
        .await,
    )
}

/// Saves the thresholds of the risk rules (the team only). Each must lie within its bounds
/// (`domain::risk::THRESHOLDS`): the first one outside is refused by name, nothing is saved.
/// The flags on every card follow at once.
#[server(prefix = "/api", endpoint = "save_risk_settings", input = Json)]
pub async fn save_risk_settings(
    settings: crate::domain::risk::RiskSettings,
) -> Result<(), AppError> {
    ssr::finish(
        async move {
            let user = ssr::require_team()?;
            settings.check().map_err(|e| AppError::Invalid {
                field: e.field.into(),
                code: e.code.into(),
            })?;
            Ok(ssr::state()?
                .db
                .save_risk_settings(&settings, user.id)
                .await?)
        }
        .await,
    )
}

/// Every revision and review of a visit, in order: for whoever may see the visit (its
/// facilitator, the supervisors of its incubator, the team).
#[server(prefix = "/api", endpoint = "visit_history")]
pub async fn visit_history(visit: Uuid) -> Result<Vec<HistoryEvent>, AppError> {
    ssr::finish(
        async move {
            let user = ssr::require_user()?;
            let scope = crate::server::auth::project_scope(&user)?;
            ssr::state()?
                .db
                .visit_history(&user, scope, visit)
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

/// Every version of every form, for the phones to keep (an entry is checked against the version
/// it was made with, offline too). Any signed-in user. JSON in, so the phone's sync engine calls
/// it as it calls `sync/pull`, and keeps the answer as it came.
#[server(prefix = "/api", endpoint = "list_forms", input = Json)]
pub async fn list_forms() -> Result<Vec<FormDefinition>, AppError> {
    ssr::finish(
        async move {
            ssr::require_user()?;
            Ok(ssr::state()?.db.forms().await?)
        }
        .await,
    )
}

/// Publishes a new version of a form from its JSON definition (the team's import). A definition
/// with errors is refused with each error located, and the version in use stays. The team only.
#[server(prefix = "/api", endpoint = "publish_form", input = Json)]
pub async fn publish_form(definition: String) -> Result<PublishOutcome, AppError> {
    ssr::finish(
        async move {
            use crate::domain::form::{FormSet, PublishError};
            let user = ssr::require_team()?;
            let form: FormDefinition = match serde_json::from_str(&definition) {
                Ok(form) => form,
                Err(e) => return Ok(PublishOutcome::Unreadable { detail: e.to_string() }),
            };
            let db = ssr::state()?.db;
            let mut set = FormSet::from_versions(db.forms().await?);
            if let Err(error) = set.publish(form.clone()) {
                return Ok(PublishOutcome::Refused { error });
            }
            match db.insert_form(&form, Some(user.id)).await {
                Ok(()) => {
                    tracing::info!(form = %form.id, version = form.version, by = %user.id, "form published");
                    Ok(PublishOutcome::Published { id: form.id, version: form.version })
                }
                // Someone published the same version a moment before.
                Err(crate::server::db::DbError::AlreadyExists(_)) => Ok(PublishOutcome::Refused {
                    error: PublishError::NotNewer { latest: form.version },
                }),
                Err(e) => Err(e.into()),
            }
        }
        .await,
    )
}

/// Every device that synced, from its latest heartbeat, flagged where the team should act. The
/// team only.
#[server(prefix = "/api", endpoint = "list_devices")]
pub async fn list_devices() -> Result<Vec<DeviceStatus>, AppError> {
    ssr::finish(
        async move {
            ssr::require_team()?;
            let now = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
            Ok(ssr::state()?
                .db
                .device_statuses()
                .await?
                .into_iter()
                .map(|d| d.flag(now))
                .collect())
        }
        .await,
    )
}

/// Imports a file of a device's unsent entries (*Export my unsent entries*) on behalf of its
/// owner, through the push path: entries the server already has are skipped. The team only.
#[server(prefix = "/api", endpoint = "import_outbox", input = Json)]
pub async fn import_outbox(file: OutboxExport) -> Result<ImportReport, AppError> {
    ssr::finish(
        async move {
            ssr::require_team()?;
            let db = ssr::state()?.db;
            let today = ssr::today()?.to_string();
            crate::server::sync::import::import(&db, file, &today).await
        }
        .await,
    )
}
