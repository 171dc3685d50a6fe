//! Test support: a fresh database per test on every engine available. SQLite always (a temporary
//! file); PostgreSQL when `ATHAR_TEST_POSTGRES_URL` names a server, where each test gets a
//! database of its own, created here and dropped when the test's guard goes.

#![allow(dead_code, reason = "each test file uses part of the support")]
#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "test support: a failed setup is a failed test"
)]

pub mod programme;
pub mod router;
pub mod wire;

use app::server::AppState;
use app::server::db::{self, Db, Engine};
use app::server::demo;
use app::server::state::AuthSettings;
use leptos::config::LeptosOptions;
use std::sync::Arc;

pub struct TestDb {
    pub db: Db,
    /// Where the database is, for tests that damage it behind the app's back.
    pub url: String,
    pub engine: Engine,
    _guard: Guard,
}

enum Guard {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Guard::Postgres { admin_url, name } = self {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop the test database on a thread of its own: we may be inside a runtime.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async {
                        use sqlx::Connection as _;
                        if let Ok(mut c) = sqlx::PgConnection::connect(&admin_url).await {
                            let _ = sqlx::query(&format!(
                                "drop database if exists {name} with (force)"
                            ))
                            .execute(&mut c)
                            .await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

/// The PostgreSQL server to test against, if any. In CI it is always set (`.ci/run`).
pub fn postgres_url() -> Option<String> {
    std::env::var("ATHAR_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// The PostgreSQL server for a story that needs one. `None` skips the story on a developer's
/// machine without one; in CI (`CI` set) its absence fails the story instead.
pub fn postgres_for_story() -> Option<String> {
    let url = postgres_url();
    assert!(
        url.is_some() || std::env::var("CI").is_err(),
        "CI must run the PostgreSQL stories: set ATHAR_TEST_POSTGRES_URL"
    );
    url
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("athar.db").display());
    let db = db::connect(&url).await.expect("open SQLite");
    app::server::prepare(&*db).await.expect("migrate SQLite");
    TestDb {
        db,
        url,
        engine: Engine::Sqlite,
        _guard: Guard::Sqlite(dir),
    }
}

/// A database of its own on the PostgreSQL server, as an operator creates it: nothing in it, not
/// even the schema.
pub async fn bare_postgres(admin_url: &str) -> TestDb {
    use sqlx::Connection as _;
    let name = format!("athar_t_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(admin_url)
        .await
        .expect("connect to PostgreSQL");
    sqlx::query(&format!("create database {name}"))
        .execute(&mut admin)
        .await
        .expect("create test database");
    let url = match admin_url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => panic!("ATHAR_TEST_POSTGRES_URL must end with /database"),
    };
    let db = db::connect(&url).await.expect("open PostgreSQL");
    TestDb {
        db,
        url,
        engine: Engine::Postgres,
        _guard: Guard::Postgres {
            admin_url: admin_url.to_owned(),
            name,
        },
    }
}

pub async fn postgres(admin_url: &str) -> TestDb {
    let t = bare_postgres(admin_url).await;
    app::server::prepare(&*t.db)
        .await
        .expect("migrate PostgreSQL");
    t
}

/// SQLite, then PostgreSQL when configured.
pub async fn every_engine() -> Vec<TestDb> {
    let mut dbs = vec![sqlite().await];
    if let Some(url) = postgres_for_story() {
        dbs.push(postgres(&url).await);
    }
    dbs
}

/// A database with the demo set loaded (demo password from `demo::DEMO_PASSWORD`).
pub async fn with_demo(t: &TestDb) -> demo::DemoSet {
    let hash = app::server::auth::hash_password(demo::DEMO_PASSWORD.into())
        .await
        .expect("hash");
    let set = demo::generate(
        demo::DEFAULT_SEED,
        app::server::clock::Clock::system().today(),
        hash,
    );
    t.db.load_demo(&set).await.expect("load demo");
    set
}

/// Today in Kébili, by the system's clock (what the server would use).
pub fn today() -> time::Date {
    app::server::clock::Clock::system().today()
}

pub fn state(db: Db) -> AppState {
    let leptos_options = LeptosOptions::builder()
        .output_name("athar")
        .site_root("target/site")
        .build();
    AppState {
        leptos_options,
        db,
        auth: Arc::new(AuthSettings::default()),
        clock: app::server::clock::Clock::system(),
    }
}

/// Runs one statement behind the app's back (a change an admin screen will make later), binding
/// `id` as `$1` when the statement has one.
pub async fn execute(t: &TestDb, sql: &str, id: uuid::Uuid) {
    let has_bind = sql.contains("$1");
    match t.engine {
        Engine::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&t.url)
                .await
                .expect("open SQLite");
            let mut q = sqlx::query(sql);
            if has_bind {
                q = q.bind(id);
            }
            q.execute(&pool).await.expect("statement");
            pool.close().await;
        }
        Engine::Postgres => {
            let pool = sqlx::PgPool::connect(&t.url)
                .await
                .expect("open PostgreSQL");
            let mut q = sqlx::query(sql);
            if has_bind {
                q = q.bind(id);
            }
            q.execute(&pool).await.expect("statement");
            pool.close().await;
        }
    }
}

/// The whole audit trail, newest first.
pub async fn audit_trail(t: &TestDb) -> Vec<app::domain::audit::AuditEntry> {
    t.db.audit(&db::AuditQuery {
        limit: app::domain::audit::MAX_LINES,
        ..Default::default()
    })
    .await
    .expect("audit")
}

/// The kinds of the audit trail's lines, newest first.
pub async fn audit_kinds(t: &TestDb) -> Vec<String> {
    audit_trail(t).await.into_iter().map(|l| l.kind).collect()
}

/// One number read behind the app's back (`select count(*) …`).
pub async fn count(t: &TestDb, sql: &str) -> i64 {
    match t.engine {
        Engine::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&t.url)
                .await
                .expect("open SQLite");
            let n = sqlx::query_scalar(sql)
                .fetch_one(&pool)
                .await
                .expect("count");
            pool.close().await;
            n
        }
        Engine::Postgres => {
            let pool = sqlx::PgPool::connect(&t.url)
                .await
                .expect("open PostgreSQL");
            let n = sqlx::query_scalar(sql)
                .fetch_one(&pool)
                .await
                .expect("count");
            pool.close().await;
            n
        }
    }
}

/// Another writer holding SQLite's write lock until the returned connection is dropped.
pub async fn hold_write_lock(t: &TestDb) -> sqlx::SqliteConnection {
    use sqlx::Connection as _;
    let mut c = sqlx::SqliteConnection::connect(&t.url)
        .await
        .expect("open SQLite");
    sqlx::query("begin immediate")
        .execute(&mut c)
        .await
        .expect("lock");
    c
}

/// `pragma synchronous` on a connection Athar opens (2 = FULL).
pub async fn sqlite_synchronous(t: &TestDb) -> i64 {
    let db = db::SqliteDb::connect(&t.url).await.expect("open SQLite");
    sqlx::query_scalar("pragma synchronous")
        .fetch_one(db.pool())
        .await
        .expect("pragma")
}
