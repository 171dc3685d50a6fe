//! ARCHITECTURE.md's recipe for a record kind, walked for every kind there is: made on the phone
//! through its mutation, shown in the local view while it waits, pushed, loaded back by the push
//! engine, pulled, and shown as sent once the outbox lets it go. [`sample`] matches on every
//! [`RecordKind`] without a catch-all: a new kind does not compile until it has its sample here,
//! and from then on it travels the same road as the others, on both engines.

use super::entries::diagnostic_answers;
use super::registry::member_answers;
use super::*;
use app::domain::indicator::value::{SaveValueArgs, ValueSource, value_id};
use app::domain::{
    NewProject, ProjectKind, ProjectOrigin, SaveEntryArgs, SaveMemberArgs, SaveMilestoneArgs,
};
use app::storage::MemoryStore as DeviceKv;
use app::sync::mutations::{
    CreateProject, SaveEntry, SaveIndicatorValue, SaveMember, SaveMilestone,
};
use app::sync::outbox::{self, LocalView, Outbox, SyncState};
use app::sync::protocol::RecordKind;

/// Every kind of record a phone makes, in the order they are made here.
const KINDS: [RecordKind; 7] = [
    RecordKind::Project,
    RecordKind::Member,
    RecordKind::Visit,
    RecordKind::Action,
    RecordKind::Entry,
    RecordKind::Milestone,
    RecordKind::Value,
];

/// What a new project is registered under: one of the facilitator's value chains and places.
struct Places {
    chain: Uuid,
    locality: Uuid,
}

/// Saves, through the real outbox, a new record of `kind` as a facilitator makes it on the phone;
/// returns the record it made.
fn sample(
    kind: RecordKind,
    outbox: &mut Outbox<'_, DeviceKv>,
    f: &Field,
    places: &Places,
    now: i64,
) -> (RecordKind, Uuid) {
    fn save<M: MutationType>(
        outbox: &mut Outbox<'_, DeviceKv>,
        args: &M::Args,
        now: i64,
    ) -> (RecordKind, Uuid) {
        outbox
            .save::<M>(args, TODAY, now)
            .expect("saved on the phone");
        M::target(args)
    }
    let id = Uuid::new_v4();
    match kind {
        RecordKind::Project => {
            let args = NewProject {
                id,
                code: format!("REC-{}", &id.simple().to_string()[..6]),
                title: "Pâte de dattes de Jemna".into(),
                origin: ProjectOrigin {
                    kind: ProjectKind::Individual,
                    value_chain_id: places.chain,
                    locality_id: places.locality,
                    call_wave: 3,
                },
                legal_form: "sole_trader".into(),
                training_track: "cefe_sse".into(),
            };
            save::<CreateProject>(outbox, &args, now)
        }
        RecordKind::Member => {
            let args = SaveMemberArgs {
                id,
                project_id: f.own,
                base_version: None,
                form_version: 1,
                answers: member_answers("Nour Ben Amor", true, "1"),
            };
            save::<SaveMember>(outbox, &args, now)
        }
        RecordKind::Visit => {
            let args = visit(id, f.own, None, "Suivi du stock de dattes");
            save::<SaveVisit>(outbox, &args, now)
        }
        RecordKind::Action => {
            let args = NewActionItem {
                id,
                project_id: f.own,
                visit_id: None,
                title: "Peser le stock".into(),
                due_on: Some("2026-12-15".into()),
            };
            save::<AddAction>(outbox, &args, now)
        }
        RecordKind::Entry => {
            let args = SaveEntryArgs {
                files: Vec::new(),
                id,
                project_id: f.own,
                base_version: None,
                form_id: "diagnostic".into(),
                form_version: 1,
                status: EntryStatus::Submitted,
                answers: diagnostic_answers("2026-11-20", "initial", [3.0; 6]),
            };
            save::<SaveEntry>(outbox, &args, now)
        }
        RecordKind::Milestone => {
            let args = SaveMilestoneArgs {
                files: Vec::new(),
                id,
                project_id: f.own,
                base_version: None,
                kind: "first_sale".into(),
                label: String::new(),
                due_on: Some("2027-01-31".into()),
                achieved_on: None,
            };
            save::<SaveMilestone>(outbox, &args, now)
        }
        RecordKind::Value => {
            let args = SaveValueArgs {
                files: Vec::new(),
                id: value_id(f.own, "SOC-01", "2026-Q3"),
                project_id: f.own,
                base_version: None,
                indicator: "SOC-01".into(),
                indicator_version: 1,
                period: "2026-Q3".into(),
                value: 3000,
                cells: Vec::new(),
                source: ValueSource::Record,
                evidence: "Registre des présences".into(),
                status: EntryStatus::Submitted,
                form: None,
            };
            save::<SaveIndicatorValue>(outbox, &args, now)
        }
    }
}

#[tokio::test]
async fn every_record_kind_travels_from_the_phone_to_the_database_and_back() {
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let f = field(&set);
        let choices =
            t.db.registry_choices(f.facilitator.id)
                .await
                .expect("choices");
        let places = Places {
            chain: choices.value_chains[0].0,
            locality: choices.localities[0].0,
        };
        let user = f.facilitator.id;
        let (phone, client, device) = (DeviceKv::default(), Uuid::new_v4(), Uuid::new_v4());

        // Made on the phone: each waits in the outbox, and the local view shows it as waiting.
        let mut outbox = Outbox::open(&phone, user, 0, client).expect("outbox");
        let made: Vec<(RecordKind, Uuid)> = KINDS
            .iter()
            .zip(1_700_000_000_000..)
            .map(|(kind, now)| sample(*kind, &mut outbox, &f, &places, now))
            .collect();
        let view = LocalView::load(&phone, &phone, user).expect("view");
        for (kind, key) in KINDS.iter().zip(&made) {
            assert_eq!(key.0, *kind, "a sample makes a record of its own kind");
            assert!(view.record(*key).is_some(), "{kind:?} shown on the phone");
            assert_eq!(view.state(key.0, key.1), SyncState::Waiting, "{kind:?}");
        }

        // Pushed: every one applied, none refused.
        let waiting = outbox::pending(&phone, user).expect("pending");
        assert_eq!(waiting.len(), KINDS.len());
        let answer = send(&t.db, &f.facilitator, client, device, waiting)
            .await
            .expect("push");
        assert_eq!(refusals(&answer), Vec::<&str>::new(), "{:?}", t.engine);
        assert_eq!(answer.last_seq, KINDS.len() as u64);

        // Stored: the push engine loads each back, as the kind it is.
        let mut store = t.db.begin_push().await.expect("store");
        let loaded = store.load(&made).await.expect("load");
        for key in &made {
            assert!(
                loaded.iter().any(|r| r.key() == *key),
                "{key:?} loaded back on {:?}",
                t.engine
            );
        }
        drop(store);

        // Pulled: each comes back with a version of the server's, and once the outbox has let
        // go of what the server has, the phone shows each as sent.
        let pulled = pull(&t.db, &f.facilitator, client, None).await;
        for key in &made {
            let record = pulled.records.iter().find(|r| r.key() == *key);
            assert!(record.is_some(), "{key:?} pulled on {:?}", t.engine);
        }
        outbox::apply_pull(&phone, user, &pulled).expect("pull stored");
        outbox::acknowledge(&phone, user, client, pulled.last_seq, &[]).expect("acknowledged");
        assert!(outbox::pending(&phone, user).expect("pending").is_empty());
        let view = LocalView::load(&phone, &phone, user).expect("view");
        for key in &made {
            assert_eq!(view.state(key.0, key.1), SyncState::Sent, "{key:?}");
            assert_eq!(
                view.record(*key).and_then(|r| r.project_id()),
                pulled
                    .records
                    .iter()
                    .find(|r| r.key() == *key)
                    .and_then(|r| r.project_id()),
                "{key:?} belongs to the same project on the phone and on the server"
            );
        }
    }
}
