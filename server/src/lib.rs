//! The `athar` server: configuration, start-up, routes and the command line.
//!
//! `main.rs` only parses the command line and calls [`run`]; everything else is here so tests can
//! build the same router ([`router`]) and drive it with `oneshot`.

pub mod backup;
pub mod cli;
pub mod exports;
pub mod files;
pub mod headers;
pub mod limits;
pub mod routes;
pub mod site_files;

pub use cli::{Cli, Command, run};
pub use routes::router;
