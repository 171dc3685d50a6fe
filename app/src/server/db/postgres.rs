//! PostgreSQL: for when one machine is not enough. Several stateless Athar instances can share it
//! (sessions and sign-in lock-outs live in the database, not in memory).

use super::queries::impl_database;
use super::sync_sql::impl_sync;
use super::{DbError, Engine};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;

pub struct PgDb {
    pub(super) pool: PgPool,
}

impl PgDb {
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        let options = PgConnectOptions::from_str(url).map_err(|e| {
            DbError::BadUrl(format!("DATABASE_URL is not a valid PostgreSQL URL: {e}"))
        })?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(DbError::from)?;
        Ok(PgDb { pool })
    }

    async fn migrate_engine(&self) -> Result<(), DbError> {
        sqlx::migrate!("./migrations/postgres")
            .run(&self.pool)
            .await?;
        Ok(())
    }

    /// PostgreSQL queues writers itself (row locks): no turn to wait for.
    async fn write_turn(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        None
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

impl_database!(PgDb, Engine::Postgres);
impl_sync!(PgDb, PgPushTx, sqlx::Postgres, Engine::Postgres);
