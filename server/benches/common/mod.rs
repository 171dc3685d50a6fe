//! What the load benchmarks share: their settings, the server's memory, quantiles, and
//! facilitators of their own.

#![allow(dead_code, reason = "each benchmark uses part of it")]

use std::time::Duration;

/// The load generator's runtime: two threads, as many as the machine's cores.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// A setting from the environment, or `default`.
pub fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The resident memory of process `pid`, in KiB (0 once it is gone).
pub fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// The latency at quantile `q` of sorted `latencies`, in ms.
pub fn quantile(latencies: &[Duration], q: f64) -> f64 {
    latencies
        .get(((latencies.len() as f64 * q).ceil() as usize).saturating_sub(1))
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// A new visit of `project` as a phone's `visit.save` mutation, in JSON.
pub fn new_visit(client: uuid::Uuid, seq: u64, project: &str, observations: &str) -> String {
    format!(
        r#"{{"client_id":"{client}","seq":{seq},"name":"visit.save","args":{{"id":"{}","base_version":null,"fields":{{"project_id":"{project}","visit_on":"2026-11-20","mode":"on_site","topics":["bookkeeping"],"status":"submitted","observations":"{observations}"}}}},"created_at":0}}"#,
        uuid::Uuid::new_v4()
    )
}

/// The cookie of a pull's answer, as JSON to send back. The cookie comes first in the answer:
/// only it is read, so the load generator does not parse every record (it shares the cores).
pub fn pull_cookie(body: &str) -> String {
    body.split_once(r#""cookie":"#)
        .and_then(|(_, rest)| rest.split_once(r#","last_seq""#))
        .map(|(c, _)| c.to_owned())
        .expect("cookie in the pull answer")
}

/// `count` new facilitators, each with one project of their own (copies of a demo facilitator
/// and of one of their projects, with the demo password), each signed in: (cookie, project).
pub async fn own_facilitators(url: &str, port: u16, count: u64) -> Vec<(String, String)> {
    let pool = sqlx::SqlitePool::connect(url).await.expect("open SQLite");
    let template: String = app::server::demo::DEMO_LOGINS[0].0.into();
    let mut tx = pool.begin().await.expect("begin");
    for sql in [
        "create temp table new_user as select * from users where email = $1",
        "create temp table new_project as select * from projects
          where facilitator_id = (select id from users where email = $1) limit 1",
    ] {
        sqlx::query(sql)
            .bind(&template)
            .execute(&mut *tx)
            .await
            .expect("template");
    }
    let mut accounts = Vec::new();
    for d in 0..count {
        let (user, project) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
        let email = format!("charge-{d}@demo.athar.tn");
        for (sql, binds) in [
            (
                "update new_user set id = $1, email = $2, name = $2",
                (user.to_string(), email.clone()),
            ),
            (
                "update new_project set id = $1, code = $2, facilitator_id = (select id from new_user)",
                (project.to_string(), format!("CHARGE-{d}")),
            ),
        ] {
            let id: uuid::Uuid = binds.0.parse().expect("uuid");
            sqlx::query(sql)
                .bind(id)
                .bind(binds.1)
                .execute(&mut *tx)
                .await
                .expect("copy");
        }
        for sql in [
            "insert into users select * from new_user",
            "insert into projects select * from new_project",
        ] {
            sqlx::query(sql).execute(&mut *tx).await.expect("insert");
        }
        accounts.push((email, project.to_string()));
    }
    tx.commit().await.expect("commit");
    pool.close().await;
    let mut signed_in = Vec::new();
    for (email, project) in accounts {
        signed_in.push((
            crate::support::wire::sign_in_as(port, &email).await,
            project,
        ));
    }
    signed_in
}
