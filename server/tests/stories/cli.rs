//! The `athar` command line as an operator meets it: bad configuration is named, exits non-zero and
//! leaves nothing half-done.

use std::process::Command;

fn athar(args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_athar"));
    cmd.args(args)
        .env_remove("DATABASE_URL")
        .env_remove("ATHAR_PASSWORD");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run athar");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_malformed_database_url_is_named_and_exits_non_zero() {
    let (ok, err) = athar(&["--database-url", "mysql://db/athar", "migrate"], &[]);
    assert!(!ok);
    assert!(
        err.contains("DATABASE_URL must start with sqlite:// or postgres://"),
        "{err}"
    );
}

#[test]
fn an_unreachable_database_is_named_and_exits_non_zero() {
    let (ok, err) = athar(
        &[
            "--database-url",
            "postgres://athar:x@127.0.0.1:9/athar",
            "migrate",
        ],
        &[],
    );
    assert!(!ok);
    assert!(err.contains("cannot open the database"), "{err}");
}

#[test]
fn a_failing_migration_exits_non_zero_and_applies_nothing() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("athar.db");
    // A table in the way makes the first migration fail half-way through.
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        use sqlx::Connection as _;
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let mut c = sqlx::SqliteConnection::connect(&url).await.expect("create");
        sqlx::query("create table sessions (x integer)")
            .execute(&mut c)
            .await
            .expect("block");
    });
    let url = format!("sqlite://{}", path.display());
    let (ok, err) = athar(&["--database-url", &url, "migrate"], &[]);
    assert!(!ok);
    assert!(err.contains("cannot migrate the database"), "{err}");
    let applied: i64 = rt.block_on(async {
        use sqlx::Connection as _;
        let mut c = sqlx::SqliteConnection::connect(&url).await.expect("open");
        sqlx::query_scalar(
            "select count(*) from sqlite_master where name in ('users', 'localities')",
        )
        .fetch_one(&mut c)
        .await
        .expect("query")
    });
    assert_eq!(
        applied, 0,
        "tables created before the failure were rolled back"
    );
}

/// `athar user add` with a password from the environment.
fn add_user(url: &str, role: &str, email: &str) -> (bool, String) {
    let args = [
        "--database-url",
        url,
        "user",
        "add",
        "--role",
        role,
        "--email",
        email,
        "--name",
        "N",
    ];
    athar(&args, &[("ATHAR_PASSWORD", "a long enough secret")])
}

#[test]
fn demo_data_refuses_a_database_with_real_data_unless_forced() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("athar.db").display());
    let (ok, err) = add_user(&url, "team", "cheffe@example.tn");
    assert!(ok, "{err}");
    let (ok, err) = add_user(&url, "team", "CHEFFE@example.tn");
    assert!(!ok && err.contains("already exists"), "{err}");
    let (ok, err) = add_user(&url, "boss", "x@example.tn");
    assert!(!ok && err.contains("unknown role"), "{err}");

    let (ok, err) = athar(&["--database-url", &url, "demo-data"], &[]);
    assert!(!ok);
    assert!(
        err.contains("not demo data") && err.contains("--force"),
        "{err}"
    );
    let (ok, err) = athar(&["--database-url", &url, "demo-data", "--force"], &[]);
    assert!(ok, "{err}");
    let (ok, err) = athar(&["--database-url", &url, "demo-data"], &[]);
    assert!(ok, "reloading demo data over demo data is fine: {err}");

    // A real programme starts after the purge: the demo accounts are gone, a real one is real.
    let (ok, err) = athar(&["--database-url", &url, "demo", "purge"], &[]);
    assert!(ok && err.contains("demo data removed"), "{err}");
    let (ok, err) = add_user(&url, "team", "cheffe@example.tn");
    assert!(ok && !err.contains("demo data too"), "{err}");
    let (ok, err) = athar(&["--database-url", &url, "demo", "purge"], &[]);
    assert!(ok && err.contains("nothing removed"), "{err}");
    let (ok, err) = athar(&["--database-url", &url, "demo-data"], &[]);
    assert!(!ok && err.contains("not demo data"), "{err}");
}

#[test]
fn serve_speaks_https_with_a_certificate_and_key() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let url = format!("sqlite://{}", dir.path().join("athar.db").display());
    let mut server = Command::new(env!("CARGO_BIN_EXE_athar"))
        .args([
            "--database-url",
            &url,
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
        ])
        .arg("--tls-cert")
        .arg(&cert)
        .arg("--tls-key")
        .arg(&key)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start athar");
    let mut answer = String::new();
    for _ in 0..100 {
        let out = Command::new("curl")
            .args(["-sk", "-o", "/dev/null", "-w", "%{http_code}"])
            .arg(format!("https://127.0.0.1:{port}/healthz"))
            .output()
            .expect("curl");
        answer = String::from_utf8_lossy(&out.stdout).into_owned();
        if answer == "200" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(answer, "200", "healthz over HTTPS");
}

/// `athar serve` on an empty database: without `--demo` nothing is loaded and the operator is
/// told how to create the first account; with `--demo`, the demo programme; on a database with
/// real data, `--demo` loads nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_loads_the_demo_only_when_asked() {
    use crate::support::wire::{Servers, free_port, wait_healthy};
    use app::server::db::DataState;
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("athar.db").display());
    let log = dir.path().join("serve.log");
    let serve = |options: &[&str]| {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_athar"))
            .args(["--database-url", &url, "serve", "--bind"])
            .arg(format!("127.0.0.1:{port}"))
            .args(options)
            .env("ATHAR_LOG", "warn")
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("start athar");
        (Servers(vec![child]), port)
    };
    let state = || async {
        let db = app::server::db::connect(&url).await.expect("open");
        db.data_state().await.expect("state")
    };

    let (server, port) = serve(&[]);
    wait_healthy(port).await;
    drop(server);
    assert_eq!(state().await, DataState::Empty);
    let said = std::fs::read_to_string(&log).expect("log");
    assert!(said.contains("athar user add --role team"), "{said}");

    let (server, port) = serve(&["--demo"]);
    wait_healthy(port).await;
    drop(server);
    assert_eq!(state().await, DataState::DemoOnly);

    let fresh = tempfile::tempdir().expect("temporary directory");
    let real = format!("sqlite://{}", fresh.path().join("athar.db").display());
    let (ok, err) = add_user(&real, "team", "cheffe@example.tn");
    assert!(ok, "{err}");
    let port = free_port();
    let server = Servers(vec![crate::support::wire::start(&real, port)]);
    wait_healthy(port).await;
    drop(server);
    let db = app::server::db::connect(&real).await.expect("open");
    assert_eq!(
        db.data_state().await.expect("state"),
        DataState::HasRealData
    );
    assert!(
        db.project_cards(app::server::db::ProjectScope::All, crate::support::today())
            .await
            .expect("cards")
            .is_empty(),
        "no demo project in a real database"
    );
}

/// `athar backup` copies a SQLite database while its server runs; `athar restore` refuses while a
/// server uses the database, refuses a damaged file or one made by a newer Athar, and otherwise
/// puts the backup in place, keeping the replaced database aside.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_serving_restores_once_the_server_stops() {
    use crate::support::wire::{
        Servers, call, first_project, free_port, request, sign_in, start, wait_healthy,
    };
    use app::server::db::DataState;
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("athar.db");
    let url = format!("sqlite://{}", file.display());
    let copy = dir.path().join("copy.db");
    let copy_arg = copy.display().to_string();

    let port = free_port();
    let server = Servers(vec![start(&url, port)]);
    wait_healthy(port).await;

    // A phone keeps pushing while the copy is taken: the copy holds whole batches only, and
    // the client's last sequence number agrees with the visits it holds.
    let cookie = sign_in(port).await;
    let project = first_project(port, &cookie).await;
    let client = uuid::Uuid::new_v4();
    // Batches go before, while and after the copy is taken: the first is acknowledged before the
    // backup starts, and one more after it ends.
    let copied = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (first_in, mut first_acked) = tokio::sync::oneshot::channel::<()>();
    let pushing = tokio::spawn({
        let copied = copied.clone();
        async move {
            let mut first_in = Some(first_in);
            let mut batch = 0u64;
            let mut after = 0;
            while after < 2 {
                if copied.load(std::sync::atomic::Ordering::SeqCst) {
                    after += 1;
                }
                let mutations: Vec<String> = (1..=25)
                    .map(|i| {
                        let seq = batch * 25 + i;
                        format!(
                            r#"{{"client_id":"{client}","seq":{seq},"name":"visit.save","args":{{"id":"{}","base_version":null,"fields":{{"project_id":"{project}","visit_on":"2026-11-20","mode":"on_site","status":"submitted","observations":"backup {seq}"}}}},"created_at":0}}"#,
                            uuid::Uuid::new_v4()
                        )
                    })
                    .collect();
                let body = call(&format!(
                    r#"{{"client_id":"{client}","mutations":[{}],"heartbeat":{{}}}}"#,
                    mutations.join(",")
                ));
                let r = request(port, "/api/sync/push", "application/json", &cookie, &body)
                    .await
                    .expect("push");
                assert_eq!(r.status, 200, "{}", r.body);
                batch += 1;
                if let Some(tx) = first_in.take() {
                    let _ = tx.send(());
                }
            }
            i64::try_from(batch * 25).expect("a few thousand")
        }
    });
    (&mut first_acked).await.expect("a first batch");
    let backup = {
        let (url, copy_arg) = (url.clone(), copy_arg.clone());
        tokio::task::spawn_blocking(move || {
            athar(&["--database-url", &url, "backup", "--to", &copy_arg], &[])
        })
    };
    let (ok, err) = backup.await.expect("backup");
    copied.store(true, std::sync::atomic::Ordering::SeqCst);
    assert!(ok, "{err}");
    let pushed = pushing.await.expect("pushes");
    {
        use sqlx::Connection as _;
        let mut copied = sqlx::SqliteConnection::connect(&format!("sqlite://{}", copy.display()))
            .await
            .expect("open the copy");
        let visits: i64 =
            sqlx::query_scalar("select count(*) from visits where observations like 'backup %'")
                .fetch_one(&mut copied)
                .await
                .expect("count");
        let last: Option<i64> =
            sqlx::query_scalar("select last_seq from sync_clients where id = ?")
                .bind(client)
                .fetch_optional(&mut copied)
                .await
                .expect("client");
        assert_eq!(
            last.unwrap_or(0),
            visits,
            "the copy is one consistent moment"
        );
        assert_eq!(visits % 25, 0, "whole batches only: {visits}");
        assert!(
            visits >= 25 && visits < pushed,
            "the copy is of a moment in the middle: {visits} of {pushed}"
        );
        println!("the copy holds {visits} of the {pushed} visits pushed meanwhile");
    }
    let (ok, err) = athar(&["--database-url", &url, "backup", "--to", &copy_arg], &[]);
    assert!(!ok && err.contains("exists already"), "{err}");
    let (ok, err) = athar(
        &["--database-url", &url, "restore", "--from", &copy_arg],
        &[],
    );
    assert!(!ok && err.contains("a server is using"), "{err}");
    drop(server);

    // An account arrives after the backup; the restore takes the database back to the copy.
    let (ok, err) = add_user(&url, "team", "cheffe@example.tn");
    assert!(ok, "{err}");
    let (ok, err) = athar(
        &["--database-url", &url, "restore", "--from", &copy_arg],
        &[],
    );
    assert!(ok, "{err}");
    let db = app::server::db::connect(&url).await.expect("open");
    let cheffe = |db: app::server::db::Db| async move {
        db.user_credentials("cheffe@example.tn")
            .await
            .expect("query")
            .is_some()
    };
    assert!(
        !cheffe(db.clone()).await,
        "the copy is from before the account"
    );
    assert_eq!(db.data_state().await.expect("state"), DataState::DemoOnly);
    let aside: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.starts_with("athar.db.replaced-") && !n.ends_with("-wal") && !n.ends_with("-shm")
        })
        .collect();
    assert_eq!(aside.len(), 1, "the replaced database is kept: {aside:?}");
    let replaced = format!("sqlite://{}", dir.path().join(&aside[0]).display());
    let old = app::server::db::connect(&replaced).await.expect("open");
    assert!(cheffe(old).await, "the replaced database has it");

    // A damaged file, and a backup from a newer Athar, are refused; the database is unchanged.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database at all, just some bytes").expect("write");
    let (ok, err) = athar(
        &[
            "--database-url",
            &url,
            "restore",
            "--from",
            &junk.display().to_string(),
        ],
        &[],
    );
    assert!(!ok && err.contains("junk.db"), "{err}");
    let newer = dir.path().join("newer.db");
    std::fs::copy(&copy, &newer).expect("copy");
    let conn = app::server::db::connect(&format!("sqlite://{}", newer.display()))
        .await
        .expect("open");
    drop(conn);
    let status = Command::new("sqlite3")
        .arg(&newer)
        .arg(
            "insert into _sqlx_migrations (version, description, success, checksum, execution_time) \
             values (99999999999999, 'from the future', 1, x'00', 0);",
        )
        .status()
        .expect("sqlite3");
    assert!(status.success());
    let (ok, err) = athar(
        &[
            "--database-url",
            &url,
            "restore",
            "--from",
            &newer.display().to_string(),
        ],
        &[],
    );
    assert!(!ok && err.contains("newer Athar"), "{err}");
    assert_eq!(db.data_state().await.expect("state"), DataState::DemoOnly);

    let (ok, err) = athar(
        &[
            "--database-url",
            "postgres://u:p@127.0.0.1/athar",
            "backup",
            "--to",
            "x.dump",
        ],
        &[],
    );
    assert!(!ok && err.contains("pg_dump"), "{err}");
}
