//! Server functions: the only door from the browser to the server. Each is thin: it finds the
//! signed-in user, checks role and scope, calls `server::`, and maps errors to [`AppError`].
//! Endpoint names are explicit and stable (`/api/<name>`), because cached apps call them for weeks.
//!
//! Every function here must have a row in the role × scope matrix test (`server/tests/`), which
//! fails when a new one is added without one.
//!
//! By area: `accounts`, `projects`, `sync`, `review`, `impact`, `team`; `guard` holds what each
//! function starts with (the request's user, role checks). An error leaves with its own status
//! (401, 403, 404…): the server's `server_fn_status` layer reads it from the error's body.

#[cfg(feature = "ssr")]
pub(crate) mod guard;

mod accounts;
mod admin;
mod impact;
mod projects;
mod review;
mod sync;
mod team;

pub use accounts::*;
pub use admin::*;
pub use impact::*;
pub use projects::*;
pub use review::*;
pub use sync::*;
pub use team::*;
