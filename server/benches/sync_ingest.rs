//! Push ingest: how many realistic visit mutations per second the apply path takes, in batches of
//! 500 with a durable commit each, on SQLite (and PostgreSQL when `ATHAR_TEST_POSTGRES_URL` is
//! set); then the same through the whole router (server function, JSON decoding, session check),
//! in process; then over HTTP on loopback to the release `athar` binary. Prints figures; goals are
//! in `BENCHMARKS.md`, not asserted.
//!
//! `cargo bench -p server --bench sync_ingest`

#![allow(
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a benchmark: prints its figures, a failed step ends it"
)]

#[path = "../tests/stories/support/mod.rs"]
mod support;

use app::domain::{EntryStatus, Role, SessionUser, Topic, VisitFields, VisitMode};
use app::server::db::{Db, ProjectScope};
use app::server::demo::{DEMO_LOGINS, DemoSet};
use app::server::sync::{PushInput, push};
use app::sync::mutations::{MutationType, SaveVisit, SaveVisitArgs};
use app::sync::protocol::{Heartbeat, Mutation, PushRequest};
use serde_json::value::RawValue;
use std::time::Instant;
use uuid::Uuid;

const BATCH: usize = 500;
const BATCHES: usize = 40;

fn facilitator(set: &DemoSet) -> (SessionUser, Vec<Uuid>, Vec<Uuid>) {
    let u = set
        .users
        .iter()
        .find(|u| u.email == DEMO_LOGINS[0].0)
        .expect("facilitator");
    let projects: Vec<Uuid> = set
        .projects
        .iter()
        .filter(|p| p.facilitator_id == u.id)
        .map(|p| p.id)
        .collect();
    let members = set
        .members
        .iter()
        .filter(|m| m.project_id == projects[0])
        .map(|m| m.id)
        .collect();
    let user = SessionUser {
        id: u.id,
        name: u.name.clone(),
        email: u.email.clone(),
        role: Role::Facilitator,
        demo: false,
    };
    (user, projects, members)
}

/// A visit as a facilitator records it: a few members, two topics, a paragraph of notes.
fn visit(client: Uuid, seq: u64, project: Uuid, members: &[Uuid]) -> Mutation {
    let args = SaveVisitArgs {
        id: Uuid::new_v4(),
        base_version: None,
        fields: VisitFields {
            project_id: project,
            visit_on: "2026-11-20".into(),
            mode: VisitMode::OnSite,
            present_member_ids: members.iter().take(3).copied().collect(),
            topics: vec![Topic::Bookkeeping, Topic::Marketing],
            observations: "Le cahier de caisse est tenu. Ventes de dattes en hausse avant la \
                           saison; l'emballage manque. Prochaine étape : devis pour 500 boîtes."
                .into(),
            difficulties: "Retard de livraison des cartons.".into(),
            next_visit_on: Some("2026-12-18".into()),
            status: EntryStatus::Submitted,
            snapshot: Default::default(),
            form: None,
            files: Vec::new(),
        },
    };
    Mutation {
        client_id: client,
        seq,
        name: SaveVisit::NAME.into(),
        args: RawValue::from_string(serde_json::to_string(&args).expect("json")).expect("raw"),
        created_at: 1_764_000_000_000 + seq as i64,
    }
}

async fn apply_path(db: &Db, set: &DemoSet, label: &str) {
    let (user, projects, members) = facilitator(set);
    let client = Uuid::new_v4();
    let device = Uuid::new_v4();
    let batches: Vec<Vec<Mutation>> = (0..BATCHES)
        .map(|b| {
            (0..BATCH)
                .map(|i| {
                    let seq = (b * BATCH + i + 1) as u64;
                    visit(client, seq, projects[i % projects.len()], &members)
                })
                .collect()
        })
        .collect();
    let started = Instant::now();
    let mut worst = 0f64;
    for mutations in batches {
        let t = Instant::now();
        let store = db.begin_push().await.expect("begin");
        let reply = push(
            store,
            PushInput {
                user: user.clone(),
                scope: ProjectScope::Facilitator(user.id),
                today: "2026-11-26".into(),
                request: PushRequest {
                    client_id: client,
                    mutations,
                    heartbeat: Heartbeat {
                        device_id: device,
                        ..Default::default()
                    },
                },
            },
        )
        .await
        .expect("push");
        assert!(reply.refused.is_empty(), "{:?}", reply.refused);
        worst = worst.max(t.elapsed().as_secs_f64());
    }
    let secs = started.elapsed().as_secs_f64();
    let n = BATCH * BATCHES;
    println!(
        "{label:<34} {n} mutations in {secs:.2} s = {:>8.0} mutations/s (batch of {BATCH}: mean {:.1} ms, worst {:.1} ms)",
        n as f64 / secs,
        secs * 1000.0 / BATCHES as f64,
        worst * 1000.0
    );
}

async fn through_router(t: &support::TestDb, set: &DemoSet, label: &str) {
    use support::router::{post_json, send, sign_in};
    let app = server::router(
        support::state(t.db.clone()),
        server::routes::RouterOptions::default(),
    );
    let cookie = sign_in(&app, DEMO_LOGINS[0].0).await;
    let (_, projects, members) = facilitator(set);
    let client = Uuid::new_v4();
    let bodies: Vec<String> = (0..BATCHES)
        .map(|b| {
            let mutations: Vec<Mutation> = (0..BATCH)
                .map(|i| {
                    visit(
                        client,
                        (b * BATCH + i + 1) as u64,
                        projects[i % projects.len()],
                        &members,
                    )
                })
                .collect();
            let body = serde_json::json!({
                "client_id": client,
                "mutations": mutations,
                "heartbeat": {},
            });
            serde_json::json!({"call": {"protocol": 1, "schema": 1, "body": body}}).to_string()
        })
        .collect();
    let bytes: usize = bodies.iter().map(String::len).sum();
    let started = Instant::now();
    for body in bodies {
        let reply = send(&app, post_json("/api/sync/push", &body, Some(&cookie))).await;
        assert_eq!(reply.status, 200);
    }
    let secs = started.elapsed().as_secs_f64();
    let n = BATCH * BATCHES;
    println!(
        "{label:<34} {n} mutations in {secs:.2} s = {:>8.0} mutations/s ({:.1} KB of JSON per batch)",
        n as f64 / secs,
        bytes as f64 / BATCHES as f64 / 1024.0
    );
}

/// The same batches over real HTTP on loopback, to the release `athar` binary (a fresh SQLite
/// database with the demo set, or the given PostgreSQL database).
async fn over_tcp(url: &str, set: &DemoSet, label: &str) {
    use support::wire::{call, free_port, request, sign_in, start, wait_healthy};
    let port = free_port();
    let mut server = start(url, port);
    wait_healthy(port).await;
    let cookie = sign_in(port).await;
    let (_, projects, members) = facilitator(set);
    let client = Uuid::new_v4();
    let bodies: Vec<String> = (0..BATCHES)
        .map(|b| {
            let mutations: Vec<String> = (0..BATCH)
                .map(|i| {
                    let m = visit(
                        client,
                        (b * BATCH + i + 1) as u64,
                        projects[i % projects.len()],
                        &members,
                    );
                    serde_json::to_string(&m).expect("json")
                })
                .collect();
            call(&format!(
                r#"{{"client_id":"{client}","mutations":[{}],"heartbeat":{{}}}}"#,
                mutations.join(",")
            ))
        })
        .collect();
    let started = Instant::now();
    for body in &bodies {
        let r = request(port, "/api/sync/push", "application/json", &cookie, body)
            .await
            .expect("push");
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let secs = started.elapsed().as_secs_f64();
    let _ = server.kill();
    let _ = server.wait();
    let n = BATCH * BATCHES;
    println!(
        "{label:<34} {n} mutations in {secs:.2} s = {:>8.0} mutations/s (release binary, a connection per batch)",
        n as f64 / secs
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        println!("push ingest, batches of {BATCH} visit mutations, a durable commit per batch");
        let t = support::sqlite().await;
        let set = support::with_demo(&t).await;
        apply_path(&t.db, &set, "SQLite, apply path").await;
        through_router(&t, &set, "SQLite, through the router").await;
        over_tcp(&t.url, &set, "SQLite, over HTTP").await;
        if let Some(url) = support::postgres_url() {
            let t = support::postgres(&url).await;
            let set = support::with_demo(&t).await;
            apply_path(&t.db, &set, "PostgreSQL, apply path").await;
            through_router(&t, &set, "PostgreSQL, through the router").await;
            over_tcp(&t.url, &set, "PostgreSQL, over HTTP").await;
        } else {
            println!("PostgreSQL: skipped (set ATHAR_TEST_POSTGRES_URL)");
        }
    });
}
