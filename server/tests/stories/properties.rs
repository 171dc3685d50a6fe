//! Property tests of exactly-once: random mutation sequences, made on a device through the real
//! outbox, delivered badly (replays, reordered and duplicated batches, gaps, lost answers), end in
//! the state of applying each mutation exactly once, in order.
//!
//! - On the in-memory reference model: 10,000 generated cases.
//! - On the real database layer: 1,000 cases on SQLite, and 1,000 on PostgreSQL when
//!   `ATHAR_TEST_POSTGRES_URL` is set (always in CI).
//!
//! The expected state comes from the model with a perfect channel (each client's mutations in one
//! batch); the device's local view after the last pull must show the same records.

use crate::support;

use app::domain::{
    CloseActionItem, EntryStatus, NewActionItem, Role, SessionUser, Topic, VisitFields, VisitMode,
};
use app::server::db::SyncStore;
use app::server::db::store::StoredRecord;
use app::server::db::{Db, ProjectScope};
use app::server::sync::memory::{MemoryState, MemoryStore, ProjectAccess};
use app::server::sync::{PushInput, push};
use app::storage::MemoryStore as DeviceKv;
use app::sync::mutations::{AddAction, CloseAction, SaveVisit, SaveVisitArgs};
use app::sync::outbox::{self, LocalView, Outbox, SyncState};
use app::sync::protocol::{
    Cookie, Heartbeat, Mutation, PullResponse, PushRequest, Record, RecordKind, Refusal,
};
use proptest::prelude::*;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use uuid::Uuid;

const TODAY: &str = "2026-11-26";

/// What a user does on the device, in one of two tabs (clients).
#[derive(Clone, Debug)]
enum Op {
    /// Save visit `slot` (a creation the first time, an edit after).
    SaveVisit {
        tab: u8,
        slot: u8,
        stale_base: bool,
        draft: bool,
    },
    /// A visit in another facilitator's project: refused (forbidden).
    SaveElsewhere {
        tab: u8,
        slot: u8,
    },
    AddAction {
        tab: u8,
        slot: u8,
    },
    /// Closing an item the server may not have: refused (not found) if it never was added.
    CloseAction {
        tab: u8,
        slot: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..2u8, 0..4u8, any::<bool>(), any::<bool>())
            .prop_map(|(tab, slot, stale_base, draft)| Op::SaveVisit { tab, slot, stale_base, draft }),
        1 => (0..2u8, 0..2u8).prop_map(|(tab, slot)| Op::SaveElsewhere { tab, slot }),
        2 => (0..2u8, 0..3u8).prop_map(|(tab, slot)| Op::AddAction { tab, slot }),
        2 => (0..2u8, 0..3u8).prop_map(|(tab, slot)| Op::CloseAction { tab, slot }),
    ]
}

/// The people and projects of a case: the same ids in the model and in the database.
#[derive(Clone)]
struct Fixture {
    user: SessionUser,
    own: Uuid,
    elsewhere: Uuid,
    other_facilitator: Uuid,
    incubator: Uuid,
}

impl Fixture {
    fn model(&self) -> MemoryState {
        let mut state = MemoryState::default();
        state.projects.insert(
            self.own,
            ProjectAccess {
                facilitator_id: Some(self.user.id),
                incubator_id: self.incubator,
            },
        );
        state.projects.insert(
            self.elsewhere,
            ProjectAccess {
                facilitator_id: Some(self.other_facilitator),
                incubator_id: self.incubator,
            },
        );
        state
    }
}

/// A record id of this case: disjoint per case, tab and slot, so cases never meet in a shared
/// database and the two tabs never edit the same record.
fn id(case: Uuid, kind: u8, tab: u8, slot: u8) -> Uuid {
    Uuid::from_u128(
        case.as_u128() ^ (u128::from(kind) << 16 | u128::from(tab) << 8 | u128::from(slot)),
    )
}

/// Makes the ops on a device, through the real outbox. Returns the device and its clients.
fn make(case: Uuid, f: &Fixture, ops: &[Op]) -> (DeviceKv, [Uuid; 2]) {
    let kv = DeviceKv::default();
    let clients = [id(case, 9, 0, 0), id(case, 9, 1, 0)];
    for (n, op) in ops.iter().enumerate() {
        let tab = match op {
            Op::SaveVisit { tab, .. }
            | Op::SaveElsewhere { tab, .. }
            | Op::AddAction { tab, .. }
            | Op::CloseAction { tab, .. } => *tab,
        };
        let mut outbox =
            Outbox::open(&kv, f.user.id, u32::from(tab), clients[usize::from(tab)]).expect("open");
        let now = 1_700_000_000_000 + n as i64;
        let visit = |project: Uuid, slot: u8, base: Option<i64>, draft: bool| SaveVisitArgs {
            id: id(case, if project == f.own { 1 } else { 2 }, tab, slot),
            base_version: base,
            fields: VisitFields {
                project_id: project,
                visit_on: "2026-11-20".into(),
                mode: VisitMode::OnSite,
                present_member_ids: vec![],
                topics: vec![Topic::Bookkeeping],
                observations: format!("op {n}"),
                difficulties: String::new(),
                next_visit_on: None,
                status: if draft {
                    EntryStatus::Draft
                } else {
                    EntryStatus::Submitted
                },
                snapshot: Default::default(),
                form: None,
                files: Vec::new(),
            },
        };
        match op {
            Op::SaveVisit {
                slot,
                stale_base,
                draft,
                ..
            } => {
                // An edit made on a base the server has since moved past: from this device it
                // is still no conflict (its own earlier edit moved it).
                let base = stale_base.then_some(1);
                let args = visit(f.own, *slot, base, *draft);
                outbox.save::<SaveVisit>(&args, TODAY, now).expect("saved");
            }
            Op::SaveElsewhere { slot, .. } => {
                let args = visit(f.elsewhere, *slot, None, false);
                outbox.save::<SaveVisit>(&args, TODAY, now).expect("saved");
            }
            Op::AddAction { slot, .. } => {
                let args = NewActionItem {
                    id: id(case, 3, tab, *slot),
                    project_id: f.own,
                    visit_id: None,
                    title: format!("action {n}"),
                    due_on: Some("2026-12-31".into()),
                };
                outbox.save::<AddAction>(&args, TODAY, now).expect("saved");
            }
            Op::CloseAction { slot, .. } => {
                let args = CloseActionItem {
                    id: id(case, 3, tab, *slot),
                    closed_on: "2026-11-25".into(),
                };
                outbox
                    .save::<CloseAction>(&args, TODAY, now)
                    .expect("saved");
            }
        }
    }
    (kv, clients)
}

fn heartbeat(device: Uuid) -> Heartbeat {
    Heartbeat {
        device_id: device,
        ..Default::default()
    }
}

async fn send(
    store: Box<dyn SyncStore>,
    f: &Fixture,
    device: Uuid,
    client: Uuid,
    mutations: Vec<Mutation>,
) -> app::sync::protocol::PushResponse {
    push(
        store,
        PushInput {
            user: f.user.clone(),
            scope: ProjectScope::Facilitator(f.user.id),
            today: TODAY.into(),
            request: PushRequest {
                client_id: client,
                mutations,
                heartbeat: heartbeat(device),
            },
        },
    )
    .await
    .expect("push")
}

/// Where pushes go: the model or a real database.
#[derive(Clone)]
enum Target {
    Model(MemoryStore),
    Db(Db),
}

impl Target {
    async fn begin(&self) -> Box<dyn SyncStore> {
        match self {
            Target::Model(m) => m.begin().await,
            Target::Db(db) => db.begin_push().await.expect("begin"),
        }
    }

    /// The case's records as a device would pull them, versions zeroed (they count pushes).
    async fn records(
        &self,
        f: &Fixture,
        case_ids: &dyn Fn(Uuid) -> bool,
    ) -> BTreeMap<(RecordKind, Uuid), Record> {
        let all: Vec<Record> = match self {
            Target::Model(m) => m
                .snapshot()
                .await
                .records
                .into_values()
                .filter_map(|r| match r {
                    StoredRecord::Visit(v) if !v.deleted => Some(Record::Visit(v.visit)),
                    StoredRecord::Action(a) if !a.deleted => Some(Record::Action(a.item)),
                    _ => None,
                })
                .collect(),
            Target::Db(db) => {
                db.pull(
                    &f.user,
                    ProjectScope::Facilitator(f.user.id),
                    Uuid::nil(),
                    None,
                )
                .await
                .expect("pull")
                .records
            }
        };
        all.into_iter()
            .filter(|r| case_ids(r.key().1))
            .map(|r| (r.key(), zero_version(r)))
            .collect()
    }
}

fn zero_version(r: Record) -> Record {
    match r {
        Record::Visit(mut v) => {
            v.version = 0;
            Record::Visit(v)
        }
        Record::Action(mut a) => {
            a.version = 0;
            Record::Action(a)
        }
        other => other,
    }
}

/// Delivers every waiting mutation of the device to `target` badly, the way weak networks and
/// killed tabs do, until the outbox is empty. Returns the refusals the device ended up holding.
async fn deliver_badly(
    target: &Target,
    f: &Fixture,
    kv: &DeviceKv,
    device: Uuid,
    clients: [Uuid; 2],
    rng: &mut ChaCha8Rng,
) {
    // Everything ever made, per client, to resend what the device still thinks unsent.
    for _round in 0..200 {
        let waiting = outbox::pending(kv, f.user.id).expect("pending");
        if waiting.is_empty() {
            return;
        }
        let client = clients[rng.gen_range(0..2)];
        let mut batch: Vec<Mutation> = waiting
            .into_iter()
            .filter(|m| m.client_id == client)
            .collect();
        if batch.is_empty() {
            continue;
        }
        batch.truncate(rng.gen_range(1..=batch.len()));
        match rng.gen_range(0..5) {
            0 => batch.shuffle(rng),
            1 => {
                let again = batch.clone();
                batch.extend(again);
                batch.shuffle(rng);
            }
            // A gap: the first of the batch went missing.
            2 if batch.len() > 1 => {
                batch.remove(0);
            }
            _ => {}
        }
        let reply = send(target.begin().await, f, device, client, batch).await;
        if rng.gen_bool(0.3) {
            // The answer was lost: the device learns nothing and will send again.
            continue;
        }
        outbox::acknowledge(kv, f.user.id, client, reply.last_seq, &reply.refused).expect("ack");
    }
    panic!("the outbox never emptied");
}

/// The model's answer: each client's mutations in one perfect batch.
async fn expected(
    f: &Fixture,
    kv_of_all: &[Mutation],
    device: Uuid,
    clients: [Uuid; 2],
) -> MemoryStore {
    let model = MemoryStore::new(f.model());
    for client in clients {
        let batch: Vec<Mutation> = kv_of_all
            .iter()
            .filter(|m| m.client_id == client)
            .cloned()
            .collect();
        if !batch.is_empty() {
            send(model.begin().await, f, device, client, batch).await;
        }
    }
    model
}

/// One case: make the ops, deliver them badly to `target`, compare with the model, pull onto the
/// device and compare its view.
async fn run_case(
    target: Target,
    f: Fixture,
    ops: Vec<Op>,
    seed: u64,
) -> Result<(), TestCaseError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let case = Uuid::from_u128(rng.r#gen::<u128>() & !0xffff_ffff);
    let device = Uuid::from_u128(rng.r#gen());
    let (kv, clients) = make(case, &f, &ops);
    let made = outbox::pending(&kv, f.user.id).expect("pending");
    let model = expected(&f, &made, device, clients).await;

    deliver_badly(&target, &f, &kv, device, clients, &mut rng).await;

    let mine = |id: Uuid| id.as_u128() & !0xffff_ffff == case.as_u128();
    let want = Target::Model(model.clone()).records(&f, &mine).await;
    let got = target.records(&f, &mine).await;
    prop_assert_eq!(&got, &want, "server state after bad delivery");

    // Every mutation is on the server exactly once: replaying all of them changes nothing and
    // brings back the same refusals the perfect run gave.
    for client in clients {
        let all: Vec<Mutation> = made
            .iter()
            .filter(|m| m.client_id == client)
            .cloned()
            .collect();
        let Some(last) = all.last().map(|m| m.seq) else {
            continue;
        };
        let replay = send(target.begin().await, &f, device, client, all.clone()).await;
        prop_assert_eq!(replay.last_seq, last);
        let model_replay = send(model.begin().await, &f, device, client, all).await;
        let codes = |r: &[Refusal]| {
            r.iter()
                .map(|r| (r.seq, r.code.clone()))
                .collect::<Vec<_>>()
        };
        prop_assert_eq!(codes(&replay.refused), codes(&model_replay.refused));
    }
    prop_assert_eq!(
        &target.records(&f, &mine).await,
        &got,
        "a full replay changed nothing"
    );

    // The device pulls: its view is the server's, and what the server refused shows as refused.
    let records: Vec<Record> = got.values().cloned().collect();
    outbox::apply_pull(
        &kv,
        f.user.id,
        &PullResponse {
            cookie: Cookie {
                version: 1,
                scope: "case".into(),
            },
            last_seq: 0,
            reset: true,
            records,
            forms: String::new(),
        },
    )
    .expect("pull stored");
    let view = LocalView::load(&kv, &kv, f.user.id).expect("view");
    prop_assert!(outbox::pending(&kv, f.user.id).expect("pending").is_empty());
    for (key, record) in &got {
        prop_assert_eq!(view.state(key.0, key.1), SyncState::Sent);
        let shown = view
            .records()
            .find(|r| r.key() == *key)
            .map(|r| zero_version(r.clone()));
        prop_assert_eq!(shown.as_ref(), Some(record));
    }
    Ok(())
}

fn model_fixture() -> Fixture {
    Fixture {
        user: SessionUser {
            id: Uuid::from_u128(1),
            name: "Facilitator".into(),
            email: "f@example.org".into(),
            role: Role::Facilitator,
            demo: false,
        },
        own: Uuid::from_u128(10),
        elsewhere: Uuid::from_u128(11),
        other_facilitator: Uuid::from_u128(2),
        incubator: Uuid::from_u128(3),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, ..ProptestConfig::default() })]

    #[test]
    fn on_the_model_every_mutation_applies_exactly_once(ops in prop::collection::vec(op(), 1..24), seed in any::<u64>()) {
        let rt = runtime();
        rt.block_on(async {
            let f = model_fixture();
            let target = Target::Model(MemoryStore::new(f.model()));
            run_case(target, f, ops, seed).await
        })?;
    }
}

/// The fixture from the demo set on a real database.
fn db_fixture(set: &app::server::demo::DemoSet) -> Fixture {
    let facilitator = set
        .users
        .iter()
        .find(|u| u.email == app::server::demo::DEMO_LOGINS[0].0)
        .expect("facilitator");
    let own = set
        .projects
        .iter()
        .find(|p| p.facilitator_id == facilitator.id)
        .expect("own");
    let elsewhere = set
        .projects
        .iter()
        .find(|p| p.facilitator_id != facilitator.id)
        .expect("other");
    Fixture {
        user: SessionUser {
            id: facilitator.id,
            name: facilitator.name.clone(),
            email: facilitator.email.clone(),
            role: Role::Facilitator,
            demo: false,
        },
        own: own.id,
        elsewhere: elsewhere.id,
        other_facilitator: elsewhere.facilitator_id,
        incubator: own.incubator_id,
    }
}

fn on_database(t: support::TestDb, set: app::server::demo::DemoSet, rt: &tokio::runtime::Runtime) {
    let f = db_fixture(&set);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 1_000,
        ..ProptestConfig::default()
    });
    let strategy = (prop::collection::vec(op(), 1..24), any::<u64>());
    let result = runner.run(&strategy, |(ops, seed)| {
        rt.block_on(run_case(Target::Db(t.db.clone()), f.clone(), ops, seed))
    });
    if let Err(e) = result {
        panic!("{:?}: {e}", t.engine);
    }
}

#[test]
fn on_sqlite_every_mutation_applies_exactly_once() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (t, set) = rt.block_on(async {
        let t = support::sqlite().await;
        let set = support::with_demo(&t).await;
        (t, set)
    });
    on_database(t, set, &rt);
}

#[test]
fn on_postgres_every_mutation_applies_exactly_once() {
    let Some(url) = support::postgres_for_story() else {
        return;
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (t, set) = rt.block_on(async {
        let t = support::postgres(&url).await;
        let set = support::with_demo(&t).await;
        (t, set)
    });
    on_database(t, set, &rt);
}
