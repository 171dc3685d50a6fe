//! What every request handler and server function can reach. Passed through the router and
//! provided as Leptos context per request; never a global.

use super::db::Db;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;
use time::Duration;

/// Settings of authentication; the defaults are the programme's policy.
#[derive(Clone, Debug)]
pub struct AuthSettings {
    /// Failed sign-ins that lock an account…
    pub max_failures: usize,
    /// …or an address. Higher than per account: mobile carriers put many phones behind one
    /// address (carrier-grade NAT), and one person's typos must not lock a whole incubator out.
    pub max_failures_per_address: usize,
    /// …when they happen within this window…
    pub failure_window: Duration,
    /// …for this long after the last failure.
    pub lockout: Duration,
    /// Facilitators and supervisors are offline for days: long sessions, renewed on use.
    pub field_session: Duration,
    /// The team role manages users and exports: short sessions.
    pub team_session: Duration,
    /// However often it is used, a field session ends this long after sign-in…
    pub field_session_max: Duration,
    /// …and a team session this long.
    pub team_session_max: Duration,
    /// Send the session cookie `Secure` with a `__Host-` name (the server's default; off only
    /// with `--insecure-cookies`, for plain-HTTP development).
    pub secure_cookies: bool,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            max_failures: 5,
            max_failures_per_address: 20,
            failure_window: Duration::minutes(15),
            lockout: Duration::minutes(15),
            field_session: Duration::days(30),
            team_session: Duration::hours(12),
            field_session_max: Duration::days(90),
            team_session_max: Duration::days(7),
            secure_cookies: false,
        }
    }
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub auth: Arc<AuthSettings>,
    pub clock: super::clock::Clock,
}
