//! PostgreSQL: for when one machine is not enough. Several stateless Athar instances can share it
//! (sessions and sign-in lock-outs live in the database, not in memory).

//!
//! The queries are the shared text in `sql/`, mounted here over PostgreSQL's types. What differs
//! from SQLite is named below: a push locks its client's row (`for update`), so two instances
//! serialise one client's pushes, and the counter row serialises versions, so a pull never skips
//! a later-committed lower version; pulls read from one `repeatable read` snapshot.

use super::{DbError, Engine};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Pushes one instance runs at once. They wait in line for the version's row anyway (see
/// `push_turn`); more at once would only hold connections the pulls need.
const PUSHES_AT_ONCE: usize = 4;

pub struct PgDb {
    pub(super) pool: PgPool,
    pushes: Arc<Semaphore>,
    /// The dashboards' source as last read (see `source::SourceCache`).
    pub(super) sources: super::source::SourceCache,
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
        Ok(PgDb {
            pool,
            pushes: Arc::new(Semaphore::new(PUSHES_AT_ONCE)),
            sources: Default::default(),
        })
    }

    async fn migrate_engine(&self) -> Result<(), DbError> {
        sqlx::migrate!("./migrations/postgres")
            .run(&self.pool)
            .await?;
        Ok(())
    }

    /// PostgreSQL queues writers itself (row locks): no turn to wait for.
    async fn write_turn(&self) -> Option<OwnedSemaphorePermit> {
        None
    }

    /// Waits for one of this instance's turns to push. Pushes queue on the version's row from
    /// their first write to their commit; a burst of phones coming online all at once would
    /// otherwise hold every connection of the pool waiting there, and the pulls, which need
    /// no lock, would wait for a connection behind them.
    async fn push_turn(&self) -> Option<OwnedSemaphorePermit> {
        self.pushes.clone().acquire_owned().await.ok()
    }

    /// Begins a transaction that writes (rows lock as they are written).
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Sql>, DbError> {
        Ok(self.pool.begin().await?)
    }

    /// Begins a read-only transaction over one snapshot.
    async fn begin_snapshot(&self) -> Result<sqlx::Transaction<'static, Sql>, DbError> {
        Ok(self
            .pool
            .begin_with("begin isolation level repeatable read read only")
            .await?)
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

type Sql = sqlx::Postgres;
type Conn = sqlx::PgConnection;
type EngineDb = PgDb;
const ENGINE: Engine = Engine::Postgres;

/// Held for the transaction that loads the demo at start-up: instances starting together on
/// an empty database take turns, and the first loads it.
const FIRST_START_LOCK: Option<&str> = Some("select pg_advisory_xact_lock(7302026)");

/// Locks a client's row for the rest of a push: another instance pushing for the same client
/// waits here.
const LOCK_CLIENT: &str =
    "select user_id, last_seq, device_id from sync_clients where id = $1 for update";

// The same SQL for both engines, mounted once per engine on purpose.
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
mod sql;
