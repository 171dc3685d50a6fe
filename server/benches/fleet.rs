//! A fleet of phones against two servers: 2,000 devices, each a facilitator with a project of
//! their own, each pushing 20 visits once and then pulling what changed every 10 seconds, against
//! two release `athar serve` instances sharing one PostgreSQL database; the load generator takes
//! them in turn (round robin), request by request. Prints errors, latency of pushes and pulls
//! (p50, p99, worst), the visits the database holds afterwards (each exactly once) and the two
//! servers' peak memory. Goals are in `BENCHMARKS.md`, not asserted.
//!
//! `ATHAR_TEST_POSTGRES_URL=postgres://… cargo bench -p server --bench fleet`
//! (`ATHAR_FLEET_DEVICES` and `ATHAR_FLEET_SECONDS` change the 2,000 devices and 60 seconds;
//! `ATHAR_FLEET_ARRIVAL_SECONDS`, the 10 seconds over which the phones come online).
//! The database is one of its own on that server, dropped at the end.

#![allow(
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a benchmark: prints its figures, a failed step ends it"
)]

mod common;
#[path = "../tests/stories/support/mod.rs"]
mod support;

use common::{new_visit, pull_cookie, quantile, rss_kb, setting};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::wire::{call, free_port, request, start, wait_healthy};
use uuid::Uuid;

const ENTRIES: u64 = 20;
const PULL_EVERY: Duration = Duration::from_secs(10);

/// `count` facilitators, each with a project of their own (copies of the first demo
/// facilitator and of one of their projects) and a session opened for them: the session cookie
/// and the project of each.
async fn fleet(pool: &sqlx::PgPool, count: u64, cookie_name: &str) -> Vec<(String, Uuid)> {
    let run = Uuid::new_v4().simple().to_string();
    let mut tx = pool.begin().await.expect("begin");
    let template = app::server::demo::DEMO_LOGINS[0].0;
    // What is written into the statements is this benchmark's own: a count, the demo's email
    // and a hex run id.
    let steps = [
        format!(
            "create temp table fleet as
               select n, gen_random_uuid() as uid, gen_random_uuid() as pid
                 from generate_series(0, {count} - 1) n"
        ),
        format!(
            "create temp table new_users as
               select u.*, f.n, f.uid, f.pid from users u, fleet f where u.email = '{template}'"
        ),
        "update new_users set id = uid, email = 'flotte-' || n || '@demo.athar.tn',
                name = 'Flotte ' || n"
            .to_owned(),
        format!(
            "create temp table new_projects as
               select p.*, f.n, f.uid, f.pid from projects p, fleet f
                where p.id = (select min(id::text)::uuid from projects where facilitator_id =
                               (select id from users where email = '{template}'))"
        ),
        "update new_projects set id = pid, code = 'FLOTTE-' || n, facilitator_id = uid".to_owned(),
        "alter table new_users drop column n, drop column uid, drop column pid".to_owned(),
        "alter table new_projects drop column n, drop column uid, drop column pid".to_owned(),
        "insert into users select * from new_users".to_owned(),
        "insert into projects select * from new_projects".to_owned(),
        format!(
            "insert into sessions (token_hash, user_id, expires_at, created_at, updated_at)
               select encode(sha256(convert_to('{run}-' || n, 'UTF8')), 'hex'), uid,
                      now() + interval '1 day', now(), now()
                 from fleet"
        ),
    ];
    for sql in &steps {
        sqlx::query(sql).execute(&mut *tx).await.expect(sql);
    }
    let rows: Vec<(i64, Uuid)> = sqlx::query_as("select n::bigint, pid from fleet order by n")
        .fetch_all(&mut *tx)
        .await
        .expect("the fleet");
    tx.commit().await.expect("commit");
    rows.into_iter()
        .map(|(n, project)| (format!("{cookie_name}={run}-{n}"), project))
        .collect()
}

fn main() {
    let Some(admin) = support::postgres_url() else {
        println!("fleet: set ATHAR_TEST_POSTGRES_URL to a PostgreSQL server to run it");
        return;
    };
    let devices = setting("ATHAR_FLEET_DEVICES", 2000);
    let seconds = setting("ATHAR_FLEET_SECONDS", 60);
    let arrival = Duration::from_secs(setting("ATHAR_FLEET_ARRIVAL_SECONDS", 10));
    common::runtime().block_on(async move {
        // A database of its own, migrated and filled with the demo by the first server.
        let t = support::bare_postgres(&admin).await;
        let ports = [free_port(), free_port()];
        let mut first = start(&t.url, ports[0]);
        wait_healthy(ports[0]).await;
        let mut second = start(&t.url, ports[1]);
        wait_healthy(ports[1]).await;
        let pids = [first.id(), second.id()];

        let pool = sqlx::PgPool::connect(&t.url).await.expect("PostgreSQL");
        let accounts = Arc::new(fleet(&pool, devices, app::server::auth::SESSION_COOKIE).await);

        // Failed requests by what they got: a status, or the connection's error.
        let errors: Arc<Mutex<BTreeMap<String, u64>>> = Arc::default();
        let turn = Arc::new(AtomicU64::new(0));
        let started = Instant::now();
        let end = started + Duration::from_secs(seconds);
        let mut tasks = Vec::new();
        for d in 0..devices {
            let (accounts, errors, turn) = (accounts.clone(), errors.clone(), turn.clone());
            tasks.push(tokio::spawn(async move {
                let (cookie, project) = &accounts[d as usize];
                let (client, device) = (Uuid::new_v4(), Uuid::new_v4());
                let next_port = || ports[(turn.fetch_add(1, Ordering::Relaxed) % 2) as usize];
                let (mut pushes, mut pulls) = (Vec::new(), Vec::new());
                let heartbeat = format!(r#"{{"device_id":"{device}","pending":0}}"#);
                // The phones come online one after the other, over `arrival`.
                tokio::time::sleep(arrival * d as u32 / devices as u32).await;
                let mutations: Vec<String> = (1..=ENTRIES)
                    .map(|seq| new_visit(client, seq, &project.to_string(), &format!("Flotte {d} {seq}")))
                    .collect();
                let push = call(&format!(
                    r#"{{"client_id":"{client}","mutations":[{}],"heartbeat":{heartbeat}}}"#,
                    mutations.join(",")
                ));
                // Sent until the server has it all, as a phone does.
                loop {
                    let t = Instant::now();
                    match request(next_port(), "/api/sync/push", "application/json", cookie, &push).await {
                        Ok(r) if r.status == 200 => {
                            pushes.push(t.elapsed());
                            let answer: serde_json::Value =
                                serde_json::from_str(&r.body).expect("json");
                            if answer["last_seq"].as_u64() == Some(ENTRIES) {
                                break;
                            }
                        }
                        failed => {
                            let what = match failed {
                                Ok(r) => format!("HTTP {}", r.status),
                                Err(e) => e.kind().to_string(),
                            };
                            *errors.lock().expect("errors").entry(what).or_default() += 1;
                        }
                    }
                    if Instant::now() >= end {
                        break;
                    }
                }
                let mut tick = tokio::time::interval(PULL_EVERY);
                let mut cookie_json = "null".to_owned();
                while Instant::now() < end {
                    tick.tick().await;
                    let pull = call(&format!(
                        r#"{{"client_id":"{client}","cookie":{cookie_json},"heartbeat":{heartbeat}}}"#
                    ));
                    let t = Instant::now();
                    match request(next_port(), "/api/sync/pull", "application/json", cookie, &pull).await {
                        Ok(r) if r.status == 200 => {
                            pulls.push(t.elapsed());
                            cookie_json = pull_cookie(&r.body);
                        }
                        failed => {
                            let what = match failed {
                                Ok(r) => format!("HTTP {}", r.status),
                                Err(e) => e.kind().to_string(),
                            };
                            *errors.lock().expect("errors").entry(what).or_default() += 1;
                        }
                    }
                }
                (pushes, pulls)
            }));
        }
        let sampler = tokio::spawn(async move {
            let mut peak = [0, 0];
            while Instant::now() < end {
                for (p, pid) in peak.iter_mut().zip(pids) {
                    *p = (*p).max(rss_kb(pid));
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            peak
        });
        let (mut pushes, mut pulls) = (Vec::new(), Vec::new());
        for t in tasks {
            let (a, b) = t.await.expect("device");
            pushes.extend(a);
            pulls.extend(b);
        }
        let peak = sampler.await.expect("sampler");
        let held: i64 = sqlx::query_scalar(
            "select count(*) from visits where observations like 'Flotte %'",
        )
        .fetch_one(&pool)
        .await
        .expect("count");
        let distinct: i64 = sqlx::query_scalar(
            "select count(distinct observations) from visits where observations like 'Flotte %'",
        )
        .fetch_one(&pool)
        .await
        .expect("count");
        pool.close().await;
        for server in [&mut first, &mut second] {
            let _ = server.kill();
            let _ = server.wait();
        }

        pushes.sort();
        pulls.sort();
        let mut all: Vec<Duration> = pushes.iter().chain(&pulls).copied().collect();
        all.sort();
        let line = |what: &str, l: &[Duration]| {
            println!(
                "  {what}: {} answered, p50 {:.1} ms, p99 {:.1} ms, worst {:.1} ms",
                l.len(),
                quantile(l, 0.5),
                quantile(l, 0.99),
                l.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0)
            );
        };
        println!(
            "{devices} devices coming online over {} s, {seconds} s, {ENTRIES} visits pushed once each then a pull every {} s, two release servers on one PostgreSQL (round robin)",
            arrival.as_secs(),
            PULL_EVERY.as_secs()
        );
        let errors = errors.lock().expect("errors").clone();
        println!(
            "  errors: {} {errors:?} (goal: 0)",
            errors.values().sum::<u64>()
        );
        line("pushes", &pushes);
        line("pulls", &pulls);
        line("all (goal: p99 ≤ 100 ms)", &all);
        println!(
            "  visits held: {held}, distinct {distinct}, sent {} (each exactly once: all three equal)",
            devices * ENTRIES
        );
        println!(
            "  servers' peak RSS: {} MB and {} MB",
            peak[0] / 1024,
            peak[1] / 1024
        );
    });
}
