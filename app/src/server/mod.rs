//! Server-only code: the database, authentication, scopes and the demo set. Compiled with the
//! `ssr` feature only, so none of it (nor sqlx, axum or argon2) reaches the WASM.

pub mod assets;
pub mod auth;
pub mod clock;
pub mod dashboard;
pub mod db;
pub mod demo;
pub mod disclosure;
pub mod exports;
pub mod forms;
pub mod import;
pub mod indicators;
pub mod input;
pub mod password;
pub mod projects;
pub mod qr;
pub mod state;
pub mod sync;

pub use state::AppState;

/// Brings a database up to this version of Athar: its schema, then the forms and starter
/// indicators this version ships (each installed once; the team's own versions are kept).
pub async fn prepare(db: &dyn db::Database) -> Result<(), db::DbError> {
    db.migrate().await?;
    forms::install_builtin(db).await?;
    indicators::install_starter(db).await
}
