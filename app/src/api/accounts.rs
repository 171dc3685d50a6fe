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
    // The session this browser carried before, if any, ends: one sign-in, one session.
    if let Some(old) = guard::request_auth().token_hash {
        state.db.delete_session(&old).await?;
    }
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

/// Whether a setup link still works: the setup page says so before asking anything.
#[server(prefix = "/api", endpoint = "setup_open")]
pub async fn setup_open(token: String) -> Result<bool, AppError> {
    let state = guard::state()?;
    Ok(state
        .db
        .setup_open(&crate::server::auth::hash_token(token.trim()))
        .await?)
}

/// Creates the first team account with the one-time setup link, signs it in and goes home.
/// The link is dead afterwards.
#[server(prefix = "/api", endpoint = "setup")]
pub async fn setup(
    token: String,
    name: String,
    email: String,
    password: String,
    password_again: String,
) -> Result<(), AppError> {
    use crate::domain::user::{check_new_password, check_person};
    use crate::server::auth::{hash_password, hash_token, open_session, session_cookie};
    let state = guard::state()?;
    let code = hash_token(token.trim());
    let dead = || AppError::Invalid {
        field: "token".into(),
        code: "used".into(),
    };
    if !state.db.setup_open(&code).await? {
        return Err(dead());
    }
    let (name, email) = check_person(&name, &email)?;
    check_new_password(&password, &email)?;
    if password != password_again {
        return Err(AppError::Invalid {
            field: "password_again".into(),
            code: "mismatch".into(),
        });
    }
    let user = crate::server::db::NewUser {
        id: uuid::Uuid::new_v4(),
        email,
        name,
        role: crate::domain::Role::Team,
        password_hash: hash_password(password).await?,
        organisation_id: None,
        is_demo: false,
    };
    if !state.db.redeem_setup(&code, &user).await? {
        return Err(dead());
    }
    tracing::info!(user = %user.id, "first team account created with the setup link");
    let signed_in = state
        .db
        .user_by_id(user.id)
        .await?
        .ok_or(AppError::Internal)?;
    let session = open_session(&state.db, &state.auth, signed_in).await?;
    guard::set_cookie(session_cookie(
        Some(&session.token),
        session.max_age,
        state.auth.secure_cookies,
    ));
    leptos_axum::redirect("/");
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
