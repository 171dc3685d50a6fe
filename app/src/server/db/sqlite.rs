//! SQLite: the embedded default. One file, WAL journal so readers never wait for the writer, a busy
//! timeout instead of instant `SQLITE_BUSY`, foreign keys enforced.

use super::queries::impl_database;
use super::sync_sql::impl_sync;
use super::{DbError, Engine};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

pub struct SqliteDb {
    pub(super) pool: SqlitePool,
    /// One writer at a time, in arrival order (see `sync_sql`).
    writer: Arc<Mutex<()>>,
}

impl SqliteDb {
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| DbError::BadUrl(format!("DATABASE_URL is not a valid SQLite URL: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a write acknowledged to a phone must survive a power cut (the phone then
            // deletes its copy). The cost is one extra fsync per commit.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(DbError::from)?;
        Ok(SqliteDb {
            pool,
            writer: Arc::default(),
        })
    }

    async fn migrate_engine(&self) -> Result<(), DbError> {
        sqlx::migrate!("./migrations/sqlite")
            .run(&self.pool)
            .await?;
        Ok(())
    }

    /// Waits for this process's turn to write.
    async fn write_turn(&self) -> Option<OwnedMutexGuard<()>> {
        Some(self.writer.clone().lock_owned().await)
    }

    /// The underlying pool, for tests that check connection settings.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

impl_database!(SqliteDb, Engine::Sqlite);
impl_sync!(SqliteDb, SqlitePushTx, sqlx::Sqlite, Engine::Sqlite);
