//! The one error type that crosses the wire between server functions and the browser.
//!
//! Server code returns [`AppError`] from every server function; the UI turns each variant into a
//! sentence in the user's language (`ui::errors`). Internal details (SQL, I/O) are logged on the
//! server and never sent: the browser only learns *what kind* of failure happened, which is what
//! it needs to decide between "fix your input", "sign in again" and "try later".

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// No valid session: the user must sign in (again).
    #[error("not signed in")]
    NotSignedIn,
    /// Signed in, but this role or scope may not do or see that.
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// Wrong email or password. Deliberately the same whether or not the account exists.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// The password is right but the team disabled the account.
    #[error("account disabled")]
    AccountDisabled,
    /// Too many failed sign-ins; try again after this many minutes.
    #[error("locked out for {minutes} minutes")]
    LockedOut { minutes: i64 },
    /// A field failed validation; `field` names it, `code` says what is wrong.
    #[error("invalid {field}: {code}")]
    Invalid { field: String, code: String },
    /// The app on the device speaks an older (or newer) sync protocol: it must update first.
    #[error("update needed")]
    UpdateNeeded,
    /// The request carries more than the server takes in one call.
    #[error("too large")]
    TooLarge,
    /// The record changed since the user looked at it: reload and decide again.
    #[error("stale")]
    Stale,
    /// The database cannot be reached: temporary, retry later.
    #[error("service unavailable")]
    Unavailable,
    /// A bug or an unexpected state; details are in the server log.
    #[error("internal error")]
    Internal,
    /// The request did not reach the server or its answer did not come back (offline, timeout).
    #[error("network: {0}")]
    Network(String),
}

impl From<crate::domain::FieldError> for AppError {
    fn from(e: crate::domain::FieldError) -> Self {
        AppError::Invalid {
            field: e.field.into(),
            code: e.code.into(),
        }
    }
}

impl AppError {
    /// Answers the page being drawn on the server with this error's status (a page whose data
    /// failed is a 404, a 401…, not a 200). Server functions called over HTTP get theirs from the
    /// server's `server_fn_status` layer; nothing happens in the browser.
    pub fn answer_page(&self) {
        #[cfg(feature = "ssr")]
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(
                http::StatusCode::from_u16(self.status_code())
                    .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
            );
        }
    }

    /// The HTTP status a server function or page answers with for this error.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::NotSignedIn | AppError::InvalidCredentials => 401,
            AppError::Forbidden | AppError::AccountDisabled => 403,
            AppError::NotFound => 404,
            AppError::LockedOut { .. } => 429,
            AppError::Invalid { .. } => 422,
            AppError::UpdateNeeded => 426,
            AppError::TooLarge => 413,
            AppError::Stale => 409,
            AppError::Unavailable => 503,
            AppError::Internal => 500,
            AppError::Network(_) => 502,
        }
    }

    /// Whether retrying the same call later may succeed.
    pub fn is_temporary(&self) -> bool {
        matches!(self, AppError::Unavailable | AppError::Network(_))
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(e) | ServerFnErrorErr::Response(e) => AppError::Network(e),
            ServerFnErrorErr::Args(e) | ServerFnErrorErr::Deserialization(e) => AppError::Invalid {
                field: "request".into(),
                code: e,
            },
            _ => AppError::Internal,
        }
    }
}

/// A chunk of the app's code that could not be fetched is a network failure: retry later.
#[cfg(feature = "hydrate")]
impl From<leptos::wasm_split::SplitLoaderError> for AppError {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        AppError::Network("app code not fetched".into())
    }
}
