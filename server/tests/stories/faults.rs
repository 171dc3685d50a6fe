//! Fault tests: the real `athar` binary killed with SIGKILL in the middle of pushes, twenty times,
//! restarted on the same SQLite file each time, while a client keeps sending with retries the way
//! a phone does. At the end every entry is on the server exactly once: none lost, none doubled.
//! And two instances sharing one PostgreSQL, a phone's batches racing through both.

use crate::support;

use rand::{Rng, SeedableRng};
use std::process::{Command, Stdio};
use std::time::Duration;
use support::wire::{
    Servers, call, first_project, free_port, request, sign_in, start, wait_healthy,
};
use uuid::Uuid;

const ENTRIES: u64 = 2_000;
const KILLS: usize = 20;

/// `count` new visits of `project` from `client`, seq 1 to `count`, as JSON mutations; each
/// visit's observations name its client and seq.
fn visits(client: Uuid, project: &str, count: u64) -> Vec<String> {
    (1..=count)
        .map(|seq| {
            format!(
                r#"{{"client_id":"{client}","seq":{seq},"name":"visit.save","args":{{"id":"{}","base_version":null,"fields":{{"project_id":"{project}","visit_on":"2026-11-20","mode":"on_site","status":"submitted","observations":"fault-{client}-{seq}"}}}},"created_at":0}}"#,
                Uuid::new_v4()
            )
        })
        .collect()
}

/// Every one of `client`'s `count` visits (see [`visits`]) is in the database exactly once, and
/// the server has all of its `last_seq` mutations. Returns what the database holds.
async fn assert_once_each(
    db: &app::server::db::Db,
    client: Uuid,
    count: u64,
    last_seq: u64,
) -> app::sync::protocol::PullResponse {
    let pulled = db
        .pull(
            &app::domain::SessionUser {
                id: Uuid::nil(),
                name: String::new(),
                email: String::new(),
                role: app::domain::Role::Team,
                demo: false,
            },
            app::server::db::ProjectScope::All,
            client,
            None,
        )
        .await
        .expect("pull");
    assert_eq!(pulled.last_seq, last_seq);
    let mut seen = std::collections::HashMap::new();
    for record in &pulled.records {
        if let app::sync::protocol::Record::Visit(v) = record
            && let Some(seq) = v
                .fields
                .observations
                .strip_prefix(&format!("fault-{client}-"))
        {
            *seen.entry(seq.to_owned()).or_insert(0) += 1;
        }
    }
    assert_eq!(seen.len() as u64, count, "lost entries");
    assert!(seen.values().all(|n| *n == 1), "doubled entries");
    pulled
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_server_mid_push_twenty_times_loses_and_doubles_nothing() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("athar.db").display());
    let port = free_port();
    let mut server = start(&url, port);
    wait_healthy(port).await;

    let cookie = sign_in(port).await;
    let project = first_project(port, &cookie).await;

    let client = Uuid::new_v4();
    let mutations = visits(client, &project, ENTRIES);

    // The phone's view: everything up to `acked` is on the server.
    let mutations = std::sync::Arc::new(mutations);
    let body_from = {
        let mutations = mutations.clone();
        move |acked: u64, size: usize| {
            let from = usize::try_from(acked).expect("small");
            let batch = &mutations[from..(from + size).min(mutations.len())];
            call(&format!(
                r#"{{"client_id":"{client}","mutations":[{}],"heartbeat":{{}}}}"#,
                batch.join(",")
            ))
        }
    };
    let mut acked = 0u64;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let mut interrupted = 0;
    for _ in 0..KILLS {
        // The phone sends batch after batch; the server is killed at a random moment, most often
        // with a push in flight (the phone then never learns whether it went through).
        let sender = {
            let (cookie, body_from) = (cookie.clone(), body_from.clone());
            let sizes: Vec<usize> = (0..1000).map(|_| rng.gen_range(1..6)).collect();
            tokio::spawn(async move {
                let mut acked = acked;
                for size in sizes {
                    if acked >= ENTRIES {
                        return (acked, false);
                    }
                    match request(
                        port,
                        "/api/sync/push",
                        "application/json",
                        &cookie,
                        &body_from(acked, size),
                    )
                    .await
                    {
                        Ok(r) if r.status == 200 => {
                            let answer: serde_json::Value =
                                serde_json::from_str(&r.body).expect("json");
                            acked = answer["last_seq"].as_u64().expect("last_seq");
                        }
                        _ => return (acked, true),
                    }
                }
                (acked, false)
            })
        };
        tokio::time::sleep(Duration::from_millis(rng.gen_range(5..60))).await;
        let _ = server.kill();
        let _ = server.wait();
        let (now_acked, cut) = sender.await.expect("sender");
        acked = now_acked;
        if cut {
            interrupted += 1;
        }
        server = start(&url, port);
        wait_healthy(port).await;
    }
    assert!(
        interrupted >= KILLS * 3 / 4,
        "only {interrupted} of {KILLS} kills cut a push in flight: the test did not test much"
    );
    println!(
        "{KILLS} kills, {interrupted} with a push in flight; {acked} of {ENTRIES} acknowledged by then"
    );
    while acked < ENTRIES {
        let r = request(
            port,
            "/api/sync/push",
            "application/json",
            &cookie,
            &body_from(acked, 200),
        )
        .await
        .expect("push");
        assert_eq!(r.status, 200, "{}", r.body);
        let answer: serde_json::Value = serde_json::from_str(&r.body).expect("json");
        acked = answer["last_seq"].as_u64().expect("last_seq");
    }
    let _ = server.kill();
    let _ = server.wait();

    // Counted in the database itself.
    let db = app::server::db::connect(&url).await.expect("open");
    assert_once_each(&db, client, ENTRIES, ENTRIES).await;
}

/// Two `athar` instances on one PostgreSQL. A phone whose batches go through both (its retries
/// land on whichever instance the balancer picks, so the same batch can be in flight on both at
/// once) ends with every entry exactly once: the client's row lock serialises its pushes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgres_apply_each_entry_once() {
    const COUNT: u64 = 400;
    let Some(admin) = support::postgres_for_story() else {
        return;
    };
    let t = support::postgres(&admin).await;
    let (first, second) = (free_port(), free_port());
    // One after the other: the first fills the empty database with the demo set.
    let mut a = start(&t.url, first);
    wait_healthy(first).await;
    let mut b = start(&t.url, second);
    wait_healthy(second).await;

    // Signed in through one instance, the session works on the other (it is in the database).
    let cookie = sign_in(first).await;
    let project = first_project(second, &cookie).await;
    let client = Uuid::new_v4();
    // Then one more visit, edited fifty times: were a batch applied again after a later one (two
    // instances both taking the client's `last_seq` as it was), an older edit would end on top.
    const EDITS: u64 = 50;
    let edited = Uuid::new_v4();
    let mut mutations = visits(client, &project, COUNT);
    mutations.extend((1..=EDITS + 1).map(|n| {
        format!(
            r#"{{"client_id":"{client}","seq":{},"name":"visit.save","args":{{"id":"{edited}","base_version":null,"fields":{{"project_id":"{project}","visit_on":"2026-11-20","mode":"on_site","status":"submitted","observations":"edit {n}"}}}},"created_at":0}}"#,
            COUNT + n
        )
    }));
    let total = COUNT + EDITS + 1;
    let mutations = std::sync::Arc::new(mutations);

    // Four senders, each going through the instances in turn (half its batches to each), and
    // each sending from what it last saw acknowledged: the same batches are in flight on both
    // instances at once.
    let senders: Vec<_> = [
        [first, second],
        [second, first],
        [first, second],
        [second, first],
    ]
    .into_iter()
    .map(|ports| {
        let (cookie, mutations) = (cookie.clone(), mutations.clone());
        tokio::spawn(async move {
            let (mut acked, mut requests) = (0u64, 0usize);
            while acked < total {
                let from = usize::try_from(acked).expect("small");
                let batch = &mutations[from..(from + 10).min(mutations.len())];
                let body = call(&format!(
                    r#"{{"client_id":"{client}","mutations":[{}],"heartbeat":{{}}}}"#,
                    batch.join(",")
                ));
                let port = ports[requests % 2];
                let r = request(port, "/api/sync/push", "application/json", &cookie, &body)
                    .await
                    .expect("push");
                assert_eq!(r.status, 200, "{}", r.body);
                let answer: serde_json::Value = serde_json::from_str(&r.body).expect("json");
                acked = answer["last_seq"].as_u64().expect("last_seq");
                requests += 1;
            }
            requests
        })
    })
    .collect();
    let mut requests = 0;
    for s in senders {
        requests += s.await.expect("sender");
    }
    let _ = (a.kill(), b.kill());
    let _ = (a.wait(), b.wait());
    println!("{total} mutations, {requests} pushes through two instances");
    let pulled = assert_once_each(&t.db, client, COUNT, total).await;
    let last = pulled.records.iter().find_map(|r| match r {
        app::sync::protocol::Record::Visit(v) if v.id == edited => {
            Some(v.fields.observations.clone())
        }
        _ => None,
    });
    assert_eq!(
        last.as_deref(),
        Some(format!("edit {}", EDITS + 1).as_str())
    );
}

/// A PostgreSQL server of the test's own (Debian's binaries, run as the `postgres` user), so it
/// can be stopped and started again without disturbing the shared one.
struct OwnPostgres {
    bin: std::path::PathBuf,
    dir: tempfile::TempDir,
    port: u16,
}

impl OwnPostgres {
    /// `None` where PostgreSQL's binaries or the `postgres` user are missing.
    fn create() -> Option<OwnPostgres> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| Some(e.ok()?.path().join("bin")))
            .find(|b| b.join("pg_ctl").exists())?;
        let dir = tempfile::tempdir().ok()?;
        let owned = Command::new("chown")
            .args(["postgres:", &dir.path().display().to_string()])
            .status()
            .ok()?
            .success();
        if !owned {
            return None;
        }
        let pg = OwnPostgres {
            bin,
            dir,
            port: free_port(),
        };
        pg.run("initdb", &["-A", "trust", "-U", "postgres"])
            .then_some(pg)
    }

    /// Runs one of PostgreSQL's programs on this cluster's directory, as `postgres`.
    fn run(&self, program: &str, args: &[&str]) -> bool {
        let line = format!(
            "{} -D {} {}",
            self.bin.join(program).display(),
            self.dir.path().display(),
            args.join(" ")
        );
        Command::new("su")
            .args(["postgres", "-c", &line])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    fn start(&self) {
        let options = format!("\"-p {} -k /tmp -c listen_addresses=127.0.0.1\"", self.port);
        assert!(
            self.run("pg_ctl", &["-w", "-o", &options, "start"]),
            "start PostgreSQL"
        );
    }

    fn stop(&self) {
        assert!(
            self.run("pg_ctl", &["-w", "-m", "fast", "stop"]),
            "stop PostgreSQL"
        );
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let _ = self.run("pg_ctl", &["-w", "-m", "immediate", "stop"]);
    }
}

/// PostgreSQL stops in the middle of a phone's sync: the push is a temporary error ("try later",
/// HTTP 503), which moves nothing; once the database is back, the same batch goes through and
/// every entry is there once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stopped_during_a_sync_is_a_temporary_error_then_recovery() {
    let Some(pg) = OwnPostgres::create() else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must run this: PostgreSQL's binaries and the postgres user are needed"
        );
        return;
    };
    pg.start();
    let port = free_port();
    let mut server = start(&pg.url(), port);
    wait_healthy(port).await;
    let cookie = sign_in(port).await;
    let project = first_project(port, &cookie).await;
    let client = Uuid::new_v4();
    let mutations = visits(client, &project, 20);
    let push = |from: usize, to: usize| {
        let cookie = cookie.clone();
        let body = call(&format!(
            r#"{{"client_id":"{client}","mutations":[{}],"heartbeat":{{}}}}"#,
            mutations[from..to].join(",")
        ));
        async move {
            request(port, "/api/sync/push", "application/json", &cookie, &body)
                .await
                .expect("the server answers")
        }
    };

    let first = push(0, 10).await;
    assert_eq!(first.status, 200, "{}", first.body);

    pg.stop();
    let failed = push(10, 20).await;
    assert_eq!(failed.status, 503, "{}", failed.body);
    let error: app::error::AppError = serde_json::from_str(&failed.body).expect("typed error");
    assert!(error.is_temporary(), "{error:?}");

    pg.start();
    // The phone retries the same batch (with back-off; here at once, then until it passes).
    let mut retried = push(10, 20).await;
    for _ in 0..20 {
        if retried.status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
        retried = push(10, 20).await;
    }
    assert_eq!(retried.status, 200, "{}", retried.body);
    let answer: serde_json::Value = serde_json::from_str(&retried.body).expect("json");
    assert_eq!(answer["last_seq"], 20);
    let _ = server.kill();
    let _ = server.wait();

    let db = app::server::db::connect(&pg.url()).await.expect("open");
    assert_once_each(&db, client, 20, 20).await;
}

/// A deployment with three instances behind a balancer comes up on an empty PostgreSQL, all at
/// once: every one serves, the schema and (with `--demo`) the demo are there once, and without
/// `--demo` the database stays empty.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_starting_together_on_an_empty_postgres_all_serve() {
    use app::server::db::DataState;
    let Some(admin) = support::postgres_for_story() else {
        return;
    };
    for (options, want) in [
        (&["--demo"][..], DataState::DemoOnly),
        (&[][..], DataState::Empty),
    ] {
        let t = support::bare_postgres(&admin).await;
        let ports = [free_port(), free_port(), free_port()];
        let logs = tempfile::tempdir().expect("logs");
        let log = |port: u16| logs.path().join(format!("{port}.log"));
        let mut servers = Servers(
            ports
                .iter()
                .map(|port| {
                    std::process::Command::new(env!("CARGO_BIN_EXE_athar"))
                        .args(["--database-url", &t.url, "serve", "--bind"])
                        .arg(format!("127.0.0.1:{port}"))
                        .args(options)
                        .env("ATHAR_LOG", "warn")
                        .stdout(std::process::Stdio::null())
                        .stderr(std::fs::File::create(log(*port)).expect("log"))
                        .spawn()
                        .expect("start athar")
                })
                .collect(),
        );
        for port in ports {
            wait_healthy(port).await;
        }
        for server in &mut servers.0 {
            assert!(
                server.try_wait().expect("status").is_none(),
                "an instance exited ({options:?})"
            );
        }
        assert_eq!(t.db.data_state().await.expect("state"), want, "{options:?}");
        // Without the demo, one instance prints the setup link, and it works.
        let links: Vec<String> = ports
            .iter()
            .flat_map(|port| {
                let said = std::fs::read_to_string(log(*port)).unwrap_or_default();
                said.lines()
                    .filter_map(|l| {
                        l.split_once("/setup?token=")
                            .map(|(_, code)| code.trim().to_owned())
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        if want == DataState::Empty {
            assert_eq!(links.len(), 1, "one setup link: {links:?}");
            assert!(
                t.db.setup_open(&app::server::auth::hash_token(&links[0]))
                    .await
                    .expect("open"),
                "the printed link works"
            );
        } else {
            assert!(links.is_empty(), "no setup link beside the demo");
        }
        if want == DataState::DemoOnly {
            let hash = app::server::auth::hash_password("unused".into())
                .await
                .expect("hash");
            let set = app::server::demo::generate(
                app::server::demo::DEFAULT_SEED,
                support::today(),
                hash,
            );
            let cards =
                t.db.project_cards(app::server::db::ProjectScope::All, support::today())
                    .await
                    .expect("cards");
            assert_eq!(cards.len(), set.projects.len(), "the demo once");
        }
        drop(servers);
    }
}
