//! Limits that keep one client, or a crowd, from taking the server: how long a client may take
//! to send its request's head and may stay silent in its body, how many requests are answered at
//! once (503 beyond), and how many costly reads (pulls, dashboards, exports, BI) one user runs at
//! once (429 beyond). Every refusal says when to come back (`Retry-After`).

use app::server::auth::RequestAuth;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Json, Response};
use http::{HeaderValue, StatusCode};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;
use uuid::Uuid;

/// A client that has not sent its request's whole head by then is cut (slow-loris); so is a
/// kept-alive connection that sends nothing for that long.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A body may pause this long between two pieces (a phone on 2G sends a batch slowly, but it
/// sends): then the request is dropped.
pub const BODY_SILENCE: Duration = Duration::from_secs(30);

/// A request has this long to be answered (its body read, its answer begun). A full push batch
/// over a slow link fits well within it.
pub const ANSWER_WITHIN: Duration = Duration::from_secs(120);

/// Requests answered at once, over all clients; beyond, 503 at once rather than a queue that
/// grows until the memory runs out.
pub const MAX_IN_FLIGHT: usize = 1024;

/// Costly reads one user may run at once: a page asks for two or three together, a phone pulls
/// one at a time; a script looping on the programme's exports waits its turn.
pub const COSTLY_PER_USER: usize = 4;

#[derive(Clone, Debug)]
pub struct Limits {
    in_flight: Arc<Semaphore>,
    costly: Arc<Mutex<HashMap<Uuid, usize>>>,
    per_user: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits::new(MAX_IN_FLIGHT, COSTLY_PER_USER)
    }
}

impl Limits {
    pub fn new(in_flight: usize, per_user: usize) -> Limits {
        Limits {
            in_flight: Arc::new(Semaphore::new(in_flight)),
            costly: Arc::default(),
            per_user,
        }
    }

    /// Takes one of `user`'s costly slots, given back when the guard drops.
    fn take_costly(&self, user: Uuid) -> Option<CostlySlot> {
        let mut running = self.costly.lock().unwrap_or_else(|e| e.into_inner());
        let count = running.entry(user).or_default();
        if *count >= self.per_user {
            return None;
        }
        *count += 1;
        Some(CostlySlot {
            costly: self.costly.clone(),
            user,
        })
    }
}

struct CostlySlot {
    costly: Arc<Mutex<HashMap<Uuid, usize>>>,
    user: Uuid,
}

impl Drop for CostlySlot {
    fn drop(&mut self) {
        let mut running = self.costly.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = running.get_mut(&self.user) {
            *count -= 1;
            if *count == 0 {
                running.remove(&self.user);
            }
        }
    }
}

/// The calls that read a whole project, scope or programme.
fn is_costly(path: &str) -> bool {
    path.starts_with("/exports/")
        || path.starts_with("/bi/")
        || matches!(
            path,
            "/api/sync/pull"
                | "/api/indicator_dashboard"
                | "/api/programme_summary"
                | "/api/audit_trail"
        )
}

/// Busy: the answer a server function gives (its error as JSON), with when to come back.
fn busy(status: StatusCode, retry_after: &'static str) -> Response {
    let mut response = (status, Json(app::error::AppError::Unavailable)).into_response();
    response.headers_mut().insert(
        http::header::RETRY_AFTER,
        HeaderValue::from_static(retry_after),
    );
    response
}

/// At most [`MAX_IN_FLIGHT`] requests are answered at once.
pub async fn in_flight(State(limits): State<Limits>, req: Request<Body>, next: Next) -> Response {
    let Ok(_permit) = limits.in_flight.clone().try_acquire_owned() else {
        tracing::warn!("too many requests at once: one refused");
        return busy(StatusCode::SERVICE_UNAVAILABLE, "2");
    };
    next.run(req).await
}

/// At most [`COSTLY_PER_USER`] costly reads per user at once (after the session is known).
pub async fn costly_per_user(
    State(limits): State<Limits>,
    req: Request<Body>,
    next: Next,
) -> Response {
    let user = req
        .extensions()
        .get::<RequestAuth>()
        .and_then(|auth| auth.user.as_ref())
        .map(|user| user.id);
    let _slot = match user {
        Some(user) if is_costly(req.uri().path()) => match limits.take_costly(user) {
            Some(slot) => Some(slot),
            None => {
                tracing::info!(%user, path = req.uri().path(), "costly reads at once: one refused");
                return busy(StatusCode::TOO_MANY_REQUESTS, "1");
            }
        },
        _ => None,
    };
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_users_costly_slots_come_back_when_done_and_leave_no_trace() {
        let limits = Limits::new(8, 2);
        let (amal, rim) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let first = limits.take_costly(amal).expect("one");
        let second = limits.take_costly(amal).expect("two");
        assert!(limits.take_costly(amal).is_none(), "a third waits");
        assert!(limits.take_costly(rim).is_some(), "others are not held up");
        drop(first);
        let third = limits.take_costly(amal).expect("a slot came back");
        drop((second, third));
        assert!(limits.costly.lock().expect("lock").is_empty());
    }
}
