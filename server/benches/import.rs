//! Bringing the programme's spreadsheet in (49 projects, 200 members, one workbook), as the
//! team's page does it: the dry run, then the import, each one call through the whole router
//! (session, server function, reading the workbook, the checks, the transaction), in process, on
//! a fresh database set up as the team would. On SQLite, and on PostgreSQL when
//! `ATHAR_TEST_POSTGRES_URL` is set. Prints the median and worst of the runs; the goal (each under
//! 2 s on SQLite) is in `BENCHMARKS.md`, not asserted.
//!
//! `cargo bench -p server --bench import` (`ATHAR_IMPORT_RUNS` changes the 5 runs).

#![allow(
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a benchmark: prints its figures, a failed step ends it"
)]

#[path = "../tests/stories/support/mod.rs"]
mod support;

use server::routes::RouterOptions;
use std::time::{Duration, Instant};
use support::programme::{import, programme, set_up, workbook};

fn report(what: &str, mut times: Vec<Duration>) {
    times.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "  {what:<28} median {:>7.1} ms   worst {:>7.1} ms",
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1])
    );
}

async fn run(engine: &str, runs: usize) {
    let bytes = workbook(&programme());
    println!(
        "{engine}: 49 projects, 200 members, a workbook of {} bytes",
        bytes.len()
    );
    let (mut dry, mut write, mut again) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let t = match support::postgres_url() {
            Some(url) if engine == "PostgreSQL" => support::postgres(&url).await,
            _ => support::sqlite().await,
        };
        let app = server::router(support::state(t.db.clone()), RouterOptions::default());
        let team = set_up(&t, &app).await.team;
        let start = Instant::now();
        let report = import(&app, &team, &bytes, None).await;
        dry.push(start.elapsed());
        assert_eq!(report["projects"]["new"], 49, "{report}");
        let plan = report["plan"].as_str().expect("plan").to_owned();
        let start = Instant::now();
        let done = import(&app, &team, &bytes, Some(&plan)).await;
        write.push(start.elapsed());
        assert_eq!(done["applied"], true, "{done}");
        let start = Instant::now();
        let same = import(&app, &team, &bytes, None).await;
        again.push(start.elapsed());
        assert_eq!(same["members"]["same"], 200, "{same}");
    }
    report("dry run (nothing written)", dry);
    report("import (one transaction)", write);
    report("dry run of the same file", again);
}

#[tokio::main]
async fn main() {
    let runs = std::env::var("ATHAR_IMPORT_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    run("SQLite", runs).await;
    if support::postgres_url().is_some() {
        run("PostgreSQL", runs).await;
    }
}
