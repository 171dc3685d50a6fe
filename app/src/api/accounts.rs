//! Signing in and out, and who is signed in.

#[cfg(feature = "ssr")]
use super::guard;
use crate::domain::SessionUser;
use crate::error::AppError;
use leptos::prelude::*;

/// Signs in with an email and password, sets the session cookie and goes to the home page.
#[server(prefix = "/api", endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<(), AppError> {
    use crate::server::auth::{session_cookie, sign_in};
    let state = guard::state()?;
    let addr = guard::request_auth().client_addr;
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
    let session = sign_in(&state.db, &state.auth, &email, password, addr.as_deref()).await?;
    guard::set_cookie(session_cookie(
        Some(&session.token),
        session.max_age,
        state.auth.secure_cookies,
    ));
    leptos_axum::redirect("/");
    Ok(())
}

/// Ends the session on the server and removes the cookie. (The page removes the user's cached
/// data from the device before calling this.)
#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::server::auth::session_cookie;
    let state = guard::state()?;
    if let Some(hash) = guard::request_auth().token_hash {
        state.db.delete_session(&hash).await?;
    }
    guard::set_cookie(session_cookie(
        None,
        time::Duration::ZERO,
        state.auth.secure_cookies,
    ));
    leptos_axum::redirect("/login");
    Ok(())
}

/// What the sign-in page says about the site before anyone signs in.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SiteFacts {
    /// The database holds demo data (and whatever is created in it is demo data too).
    pub demo: bool,
}

/// Open to everyone: the sign-in page shows the demo band from it.
#[server(prefix = "/api", endpoint = "site")]
pub async fn site_status() -> Result<SiteFacts, AppError> {
    let state = guard::state()?;
    let demo = state.db.data_state().await? == crate::server::db::DataState::DemoOnly;
    Ok(SiteFacts { demo })
}

/// The signed-in user, or `None`. Open to everyone: it is how a page learns whether to sign in.
#[server(prefix = "/api", endpoint = "me")]
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    Ok(guard::request_auth().user)
}
