//! Server-only code: the database, authentication, scopes and the demo set. Compiled with the
//! `ssr` feature only, so none of it (nor sqlx, axum or argon2) reaches the WASM.

pub mod assets;
pub mod auth;
pub mod dashboard;
pub mod db;
pub mod demo;
pub mod exports;
pub mod forms;
pub mod indicators;
pub mod password;
pub mod state;
pub mod sync;

pub use state::AppState;
