//! Load: 200 simulated devices against the release `athar` binary on SQLite, each pushing 20 new
//! visit mutations and pulling what changed, once a second, for 60 seconds (about 4,000
//! mutations/s offered). Prints errors, request latency (p50, p99, worst), what was applied, and
//! the server's peak memory. Goals are in `BENCHMARKS.md`, not asserted.
//!
//! `cargo bench -p server --bench sync_load` (`ATHAR_LOAD_SECONDS` and `ATHAR_LOAD_DEVICES`
//! shorten or grow the run; `ATHAR_LOAD_PULLS=0` leaves the pulls out).
//!
//! Each device is a facilitator of its own with one project (copied from the demo set), so a pull
//! brings what changed in that scope; `ATHAR_LOAD_SHARED=1` puts the devices on the nine demo
//! facilitators instead. The load generator shares the machine's two cores with the server.

#![allow(
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a benchmark: prints its figures, a failed step ends it"
)]

mod common;
#[path = "../tests/stories/support/mod.rs"]
mod support;

use app::domain::Role;
use app::server::demo;
use common::{new_visit, own_facilitators, pull_cookie, quantile, rss_kb, setting};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use support::wire::{call, first_project, free_port, request, sign_in_as, start, wait_healthy};
use uuid::Uuid;

const MUTATIONS_PER_PUSH: u64 = 20;

/// The nine demo facilitators (the set is deterministic), each signed in once: (cookie, project).
async fn demo_facilitators(port: u16) -> Vec<(String, String)> {
    let set = demo::generate(
        demo::DEFAULT_SEED,
        app::server::clock::Clock::system().today(),
        app::server::db::PasswordHash(String::new()),
    );
    let mut accounts = Vec::new();
    for u in set.users.iter().filter(|u| u.role == Role::Facilitator) {
        let cookie = sign_in_as(port, &u.email).await;
        let project = first_project(port, &cookie).await;
        accounts.push((cookie, project));
    }
    accounts
}

/// `count` new viewers (copies of the demo viewer, with the demo password), each signed in: their
/// session cookies.
async fn own_viewers(url: &str, port: u16, count: u64) -> Vec<String> {
    let pool = sqlx::SqlitePool::connect(url).await.expect("open SQLite");
    let mut tx = pool.begin().await.expect("begin");
    sqlx::query("create temp table new_viewer as select * from users where email = $1")
        .bind(demo::DEMO_LOGINS[3].0)
        .execute(&mut *tx)
        .await
        .expect("template");
    let mut emails = Vec::new();
    for v in 0..count {
        let email = format!("lecteur-{v}@demo.athar.tn");
        sqlx::query("update new_viewer set id = $1, email = $2, name = $2")
            .bind(Uuid::new_v4())
            .bind(&email)
            .execute(&mut *tx)
            .await
            .expect("copy");
        sqlx::query("insert into users select * from new_viewer")
            .execute(&mut *tx)
            .await
            .expect("insert");
        emails.push(email);
    }
    tx.commit().await.expect("commit");
    pool.close().await;
    let mut cookies = Vec::new();
    for email in emails {
        cookies.push(sign_in_as(port, &email).await);
    }
    cookies
}

fn main() {
    let seconds = setting("ATHAR_LOAD_SECONDS", 60);
    let devices = setting("ATHAR_LOAD_DEVICES", 200);
    // `ATHAR_LOAD_PULLS=0`: pushes only, to tell the two costs apart.
    let pulls = setting("ATHAR_LOAD_PULLS", 1) != 0;
    // `ATHAR_LOAD_SHARED=1`: the devices share the nine demo facilitators (about 22 devices each),
    // so every pull brings a device what twenty others sent. By default each device is its own
    // facilitator with a project of their own, as in the field.
    let shared = setting("ATHAR_LOAD_SHARED", 0) != 0;
    // `ATHAR_LOAD_VIEWERS=50`: that many people (viewers, each their own account) reading the
    // programme's dashboard during the load, each asking again `ATHAR_LOAD_VIEWER_PAUSE_MS`
    // after it is drawn (1 s: a person reading it; 0: a client asking without pause).
    let viewers = setting("ATHAR_LOAD_VIEWERS", 0);
    let pause = Duration::from_millis(setting("ATHAR_LOAD_VIEWER_PAUSE_MS", 1000));
    common::runtime().block_on(async move {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("athar.db").display());
        let port = free_port();
        let mut server = start(&url, port);
        wait_healthy(port).await;
        let pid = server.id();

        let accounts = if shared {
            demo_facilitators(port).await
        } else {
            own_facilitators(&url, port, devices).await
        };
        let accounts = Arc::new(accounts);
        let viewer_cookies = own_viewers(&url, port, viewers).await;

        let errors = Arc::new(AtomicU64::new(0));
        let applied = Arc::new(AtomicU64::new(0));
        let started = Instant::now();
        let end = started + Duration::from_secs(seconds);
        let mut tasks = Vec::new();
        for d in 0..devices {
            let (accounts, errors, applied) = (accounts.clone(), errors.clone(), applied.clone());
            tasks.push(tokio::spawn(async move {
                let (cookie, project) = &accounts[d as usize % accounts.len()];
                let (client, device) = (Uuid::new_v4(), Uuid::new_v4());
                let mut latencies = Vec::new();
                let mut seq = 0u64;
                let mut cookie_json = "null".to_owned();
                // Spread the devices over the second, as phones are.
                tokio::time::sleep(Duration::from_millis(d * 1000 / devices)).await;
                let mut tick = tokio::time::interval(Duration::from_secs(1));
                while Instant::now() < end {
                    tick.tick().await;
                    let mutations: Vec<String> = (1..=MUTATIONS_PER_PUSH)
                        .map(|i| {
                            new_visit(
                                client,
                                seq + i,
                                project,
                                &format!("Charge {d} {i}: cahier de caisse tenu, ventes en hausse."),
                            )
                        })
                        .collect();
                    let heartbeat = format!(r#"{{"device_id":"{device}","pending":{MUTATIONS_PER_PUSH}}}"#);
                    let push = call(&format!(
                        r#"{{"client_id":"{client}","mutations":[{}],"heartbeat":{heartbeat}}}"#,
                        mutations.join(",")
                    ));
                    let t = Instant::now();
                    match request(port, "/api/sync/push", "application/json", cookie, &push).await {
                        Ok(r) if r.status == 200 => {
                            latencies.push(t.elapsed());
                            let answer: serde_json::Value = serde_json::from_str(&r.body).expect("json");
                            let last = answer["last_seq"].as_u64().unwrap_or(seq);
                            applied.fetch_add(last - seq, Ordering::Relaxed);
                            seq = last;
                        }
                        _ => {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    if !pulls {
                        continue;
                    }
                    let pull = call(&format!(
                        r#"{{"client_id":"{client}","cookie":{cookie_json},"heartbeat":{heartbeat}}}"#
                    ));
                    let t = Instant::now();
                    match request(port, "/api/sync/pull", "application/json", cookie, &pull).await {
                        Ok(r) if r.status == 200 => {
                            latencies.push(t.elapsed());
                            cookie_json = pull_cookie(&r.body);
                        }
                        _ => {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                latencies
            }));
        }
        let readers: Vec<_> = viewer_cookies
            .into_iter()
            .map(|cookie| {
                tokio::spawn(async move {
                    let (mut latencies, mut errors) = (Vec::new(), 0u64);
                    while Instant::now() < end {
                        let t = Instant::now();
                        match request(
                            port,
                            "/api/indicator_dashboard",
                            "application/x-www-form-urlencoded",
                            &cookie,
                            "level=programme&id=&lang=fr",
                        )
                        .await
                        {
                            Ok(r) if r.status == 200 => latencies.push(t.elapsed()),
                            _ => errors += 1,
                        }
                        tokio::time::sleep(pause).await;
                    }
                    (latencies, errors)
                })
            })
            .collect();
        let sampler = tokio::spawn(async move {
            let mut peak = 0;
            while Instant::now() < end {
                peak = peak.max(rss_kb(pid));
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            peak
        });
        let mut latencies = Vec::new();
        for t in tasks {
            latencies.extend(t.await.expect("device"));
        }
        let (mut dashboards, mut dashboard_errors) = (Vec::new(), 0);
        for r in readers {
            let (l, e) = r.await.expect("viewer");
            dashboards.extend(l);
            dashboard_errors += e;
        }
        let peak_rss = sampler.await.expect("sampler").max(rss_kb(pid));
        let elapsed = started.elapsed().as_secs_f64();
        let _ = server.kill();
        let _ = server.wait();

        latencies.sort();
        dashboards.sort();
        let at = |q: f64| quantile(&latencies, q);
        let applied = applied.load(Ordering::Relaxed);
        println!(
            "{devices} devices ({}), {seconds} s, a push of {MUTATIONS_PER_PUSH}{} per device per second, release server on SQLite",
            if shared { "on 9 facilitators" } else { "one facilitator each" },
            if pulls { " and a pull" } else { " (no pulls)" }
        );
        println!(
            "  requests answered: {}, errors: {}",
            latencies.len(),
            errors.load(Ordering::Relaxed)
        );
        println!(
            "  latency: p50 {:.1} ms, p99 {:.1} ms, worst {:.1} ms (goal: 0 errors, p99 ≤ 100 ms)",
            at(0.5),
            at(0.99),
            latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        );
        println!(
            "  mutations applied: {applied} = {:.0}/s (offered: {}/s)",
            applied as f64 / elapsed,
            devices * MUTATIONS_PER_PUSH
        );
        println!(
            "  server peak RSS: {} MB (goal ≤ 128 MB)",
            peak_rss / 1024
        );
        if viewers > 0 {
            println!(
                "  {viewers} viewers on the programme dashboard, {} ms between answer and question: {} answered ({:.0}/s), {dashboard_errors} errors, p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, worst {:.1} ms (goal: p95 ≤ 100 ms)",
                pause.as_millis(),
                dashboards.len(),
                dashboards.len() as f64 / elapsed,
                quantile(&dashboards, 0.5),
                quantile(&dashboards, 0.95),
                quantile(&dashboards, 0.99),
                dashboards.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0)
            );
        }
    });
}
