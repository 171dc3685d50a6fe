//! The whole-programme dashboard over two years of demo data (49 projects, their members, about
//! two years of monthly visits and of recorded indicator values), rendered by the server as the
//! team's browser asks for it: `GET /dashboard` through the whole router (session, page, the
//! dashboard's server function, every SVG chart), in process. Also the computation alone (load
//! from the database and build) and the workbook export. On SQLite, and on PostgreSQL when
//! `ATHAR_TEST_POSTGRES_URL` is set. Prints p50, p95 and worst; the goal (p95 ≤ 100 ms) is in
//! `BENCHMARKS.md`, not asserted.
//!
//! `cargo bench -p server --bench dashboard` (`ATHAR_DASHBOARD_RUNS` changes the 200 runs).

#![allow(
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a benchmark: prints its figures, a failed step ends it"
)]

#[path = "../tests/stories/support/mod.rs"]
mod support;

use app::domain::indicator::dashboard::DashboardLevel;
use app::server::db::ProjectScope;
use app::server::demo::DEMO_LOGINS;
use http::StatusCode;
use std::time::{Duration, Instant};
use support::router::{demo_app, get, send, sign_in};

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

fn report(what: &str, mut times: Vec<Duration>) {
    times.sort_unstable();
    println!(
        "  {what:<44} p50 {:>6.1} ms   p95 {:>6.1} ms   worst {:>6.1} ms",
        percentile(&times, 0.50),
        percentile(&times, 0.95),
        percentile(&times, 1.0)
    );
}

async fn timed<F, Fut>(runs: usize, mut f: F) -> Vec<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    // Warm the caches and the connection pool first.
    for _ in 0..5 {
        f().await;
    }
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        f().await;
        times.push(t.elapsed());
    }
    times
}

#[tokio::main]
async fn main() {
    let runs: usize = std::env::var("ATHAR_DASHBOARD_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    for t in support::every_engine().await {
        let (app, set) = demo_app(&t).await;
        let team = sign_in(&app, DEMO_LOGINS[2].0).await;
        let today = app::server::clock::Clock::system().today();
        let year = today.year();
        let source = t.db.dashboard_source().await.expect("source");
        let dashboard = source
            .dashboard(
                DashboardLevel::Programme,
                "",
                year,
                "fr",
                Some(ProjectScope::All),
                &today.to_string(),
            )
            .await
            .expect("dashboard");
        println!(
            "{:?}: {} projects, {} members, {} visits, {} recorded values; the dashboard of {year} has {} indicators",
            t.engine,
            set.projects.len(),
            set.members.len(),
            set.visits.len(),
            set.values.len(),
            dashboard.panels.len()
        );

        let page = format!("/dashboard?year={year}");
        let reply = send(&app, get(&page, Some(&team))).await;
        assert_eq!(reply.status, StatusCode::OK);
        let html = reply.body;
        if let Ok(path) = std::env::var("ATHAR_DASHBOARD_HTML") {
            std::fs::write(path, html.as_bytes()).expect("write the page");
        }
        println!(
            "  page: {} KB of HTML, {} charts",
            reply.bytes.len() / 1024,
            html.matches("class=\"chart\"").count()
        );

        let times = timed(runs, || async {
            let reply = send(&app, get(&page, Some(&team))).await;
            assert_eq!(reply.status, StatusCode::OK);
        })
        .await;
        report("GET /dashboard (whole programme, HTML)", times);

        let db = t.db.clone();
        let times = timed(runs, || {
            let db = db.clone();
            let today = today.to_string();
            async move {
                let source = db.dashboard_source().await.expect("source");
                source
                    .dashboard(
                        DashboardLevel::Programme,
                        "",
                        year,
                        "fr",
                        Some(ProjectScope::All),
                        &today,
                    )
                    .await
                    .expect("dashboard");
            }
        })
        .await;
        report(
            "the source and the programme's dashboard (kept while nothing changes)",
            times,
        );

        let export = format!("/exports/indicators.xlsx?year={year}");
        let times = timed(runs / 4, || async {
            let reply = send(&app, get(&export, Some(&team))).await;
            assert_eq!(reply.status, StatusCode::OK);
        })
        .await;
        report("GET /exports/indicators.xlsx (programme)", times);
    }
}
