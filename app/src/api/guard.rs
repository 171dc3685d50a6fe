//! What every server function starts with: the request's state and user, the role checks, and
//! the opening of a sync call.

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

/// Where this server is reached, for the links it hands out: the origin the page that asked
/// was opened at (a POST carries it, and the server already refused any other origin), or else
/// the request's host, over HTTPS unless cookies are insecure (plain-HTTP development).
pub fn origin(state: &AppState) -> String {
    let parts = use_context::<http::request::Parts>();
    let header = |name: http::header::HeaderName| {
        parts
            .as_ref()
            .and_then(|p| p.headers.get(name))
            .and_then(|h| h.to_str().ok())
            .map(str::to_owned)
    };
    if let Some(origin) = header(http::header::ORIGIN).filter(|o| o.contains("://")) {
        return origin;
    }
    let host = header(http::header::HOST).unwrap_or_else(|| "127.0.0.1:3000".into());
    let scheme = if state.auth.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}
