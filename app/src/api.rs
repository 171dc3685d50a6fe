//! Server functions: the only door from the browser to the server. Each is thin: it finds the
//! signed-in user, checks role and scope, calls `server::`, and maps errors to [`AppError`].
//! Endpoint names are explicit and stable (`/api/<name>`), because cached apps call them for weeks.
//!
//! Every function here must have a row in the role × scope matrix test (`server/tests/`), which
//! fails when a new one is added without one.

use crate::domain::{ProgrammeSummary, ProjectCard, ProjectDetail, SessionUser};
use crate::error::AppError;
use leptos::prelude::*;
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

    pub fn request_auth() -> RequestAuth {
        use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<RequestAuth>().cloned())
            .unwrap_or_default()
    }

    pub fn require_user() -> Result<SessionUser, AppError> {
        request_auth().user.ok_or(AppError::NotSignedIn)
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
            Ok(ssr::state()?.db.project_cards(scope).await?)
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
            ssr::state()?
                .db
                .project_detail(scope, id)
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
            let today = crate::server::demo::today_in_tunis();
            Ok(ssr::state()?.db.programme_summary(today).await?)
        }
        .await,
    )
}
