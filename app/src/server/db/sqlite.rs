//! SQLite: the embedded default. One file, WAL journal so readers never wait for the writer, a busy
//! timeout instead of instant `SQLITE_BUSY`, foreign keys enforced.

//!
//! The queries are the shared text in `sql/`, mounted here over SQLite's types. What differs from
//! PostgreSQL is named below: how a write begins (`BEGIN IMMEDIATE`, taking the write lock up front:
//! a deferred transaction that reads first could fail to upgrade to writing under contention), this
//! process's turn to write, and reading a client's row without `for update` (the write lock
//! already serialises pushes).

use super::{DbError, Engine};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub struct SqliteDb {
    pub(super) pool: SqlitePool,
    /// One writer at a time, in arrival order (see `write_turn`).
    writer: Arc<Semaphore>,
    /// The dashboards' source as last read (see `source::SourceCache`).
    pub(super) sources: super::source::SourceCache,
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
            writer: Arc::new(Semaphore::new(1)),
            sources: Default::default(),
        })
    }

    /// The newest schema version this build migrates to: a database at a newer one was made by a
    /// newer Athar.
    pub fn latest_schema() -> i64 {
        sqlx::migrate!("./migrations/sqlite")
            .iter()
            .map(|m| m.version)
            .max()
            .unwrap_or(0)
    }

    async fn migrate_engine(&self) -> Result<(), DbError> {
        sqlx::migrate!("./migrations/sqlite")
            .run(&self.pool)
            .await?;
        Ok(())
    }

    /// Waits for this process's turn to write. SQLite's own busy handler makes a blocked writer
    /// sleep and poll, which under a few hundred writes a second put whole sleeps of up to 100 ms
    /// into the slowest answers; waiting in line here keeps them in arrival order.
    async fn write_turn(&self) -> Option<OwnedSemaphorePermit> {
        self.writer.clone().acquire_owned().await.ok()
    }

    /// A push's turn is the turn to write.
    async fn push_turn(&self) -> Option<OwnedSemaphorePermit> {
        self.write_turn().await
    }

    /// Begins a transaction that writes, holding the database's write lock from the start.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Sql>, DbError> {
        Ok(self.pool.begin_with("begin immediate").await?)
    }

    /// Begins a transaction that reads one consistent state (SQLite's readers see one snapshot
    /// from their first read under WAL).
    async fn begin_snapshot(&self) -> Result<sqlx::Transaction<'static, Sql>, DbError> {
        Ok(self.pool.begin().await?)
    }

    /// The underlying pool, for tests that check connection settings.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

type Sql = sqlx::Sqlite;
type Conn = sqlx::SqliteConnection;
type EngineDb = SqliteDb;
const ENGINE: Engine = Engine::Sqlite;

/// Nothing more than `begin immediate`: one writer at a time on the file.
const FIRST_START_LOCK: Option<&str> = None;

/// Reads a client's row in a push (the write lock taken at `BEGIN IMMEDIATE` already keeps other
/// pushes out).
const LOCK_CLIENT: &str = "select user_id, last_seq, device_id from sync_clients where id = $1";

// The same SQL for both engines, mounted once per engine on purpose.
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
mod sql;
