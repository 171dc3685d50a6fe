//! Stories of sync (push and pull) on the real database layer, told on SQLite and, when
//! configured, on PostgreSQL: idempotency, gaps, permanent and temporary failures, conflicts,
//! tombstones and scope.

#![allow(clippy::expect_used, reason = "tests: a failed step is a failed test")]

mod support;

use app::domain::{EntryStatus, NewActionItem, SessionUser, VisitFields, VisitMode};
use app::error::AppError;
use app::server::auth::project_scope;
use app::server::db::{Db, Engine};
use app::server::demo::{DEMO_LOGINS, DemoSet};
use app::server::sync::{PushInput, push};
use app::sync::mutations::{AddAction, MutationType, SaveVisit, SaveVisitArgs};
use app::sync::protocol::{
    Cookie, Heartbeat, Mutation, PullResponse, PushRequest, PushResponse, Record,
};
use serde::Serialize;
use serde_json::value::RawValue;
use uuid::Uuid;

const TODAY: &str = "2026-11-26";

struct Field {
    facilitator: SessionUser,
    supervisor: SessionUser,
    /// One of the facilitator's projects.
    own: Uuid,
    /// A project of another facilitator (outside the facilitator's scope).
    other: Uuid,
}

fn user(set: &DemoSet, email: &str) -> SessionUser {
    let u = set
        .users
        .iter()
        .find(|u| u.email == email)
        .expect("demo user");
    SessionUser {
        id: u.id,
        name: u.name.clone(),
        email: u.email.clone(),
        role: u.role,
    }
}

fn field(set: &DemoSet) -> Field {
    let facilitator = user(set, DEMO_LOGINS[0].0);
    let supervisor = user(set, DEMO_LOGINS[1].0);
    let own = set
        .projects
        .iter()
        .find(|p| p.facilitator_id == facilitator.id)
        .expect("own project")
        .id;
    let other = set
        .projects
        .iter()
        .find(|p| p.facilitator_id != facilitator.id)
        .expect("another's project")
        .id;
    Field {
        facilitator,
        supervisor,
        own,
        other,
    }
}

fn mutation(client: Uuid, seq: u64, name: &str, args: &impl Serialize) -> Mutation {
    let json = serde_json::to_string(args).expect("json");
    Mutation {
        client_id: client,
        seq,
        name: name.into(),
        args: RawValue::from_string(json).expect("raw"),
        created_at: 1_700_000_000_000 + seq as i64,
    }
}

fn visit(id: Uuid, project: Uuid, base: Option<i64>, observations: &str) -> SaveVisitArgs {
    SaveVisitArgs {
        id,
        base_version: base,
        fields: VisitFields {
            project_id: project,
            visit_on: "2026-11-20".into(),
            mode: VisitMode::OnSite,
            present_member_ids: vec![],
            topics: vec![app::domain::Topic::Marketing],
            observations: observations.into(),
            difficulties: String::new(),
            next_visit_on: Some("2026-12-20".into()),
            status: EntryStatus::Submitted,
            snapshot: Default::default(),
            form: None,
        },
    }
}

fn save(client: Uuid, seq: u64, args: &SaveVisitArgs) -> Mutation {
    mutation(client, seq, SaveVisit::NAME, args)
}

fn heartbeat(device: Uuid) -> Heartbeat {
    Heartbeat {
        device_id: device,
        device_label: "Chrome on Android".into(),
        app_version: "test".into(),
        browser: "chrome".into(),
        ..Default::default()
    }
}

async fn send(
    db: &Db,
    user: &SessionUser,
    client: Uuid,
    device: Uuid,
    mutations: Vec<Mutation>,
) -> Result<PushResponse, AppError> {
    let store = db.begin_push().await?;
    push(
        store,
        PushInput {
            user: user.clone(),
            scope: project_scope(user)?,
            today: TODAY.into(),
            request: PushRequest {
                client_id: client,
                mutations,
                heartbeat: heartbeat(device),
            },
        },
    )
    .await
}

async fn pull(db: &Db, user: &SessionUser, client: Uuid, cookie: Option<&Cookie>) -> PullResponse {
    db.pull(user, project_scope(user).expect("scope"), client, cookie)
        .await
        .expect("pull")
}

fn visits_in(response: &PullResponse) -> Vec<&app::domain::Visit> {
    response
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Visit(v) => Some(v),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_batch_sent_twice_is_applied_once_and_the_supervisor_sees_it() {
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let f = field(&set);
        let (client, device) = (Uuid::new_v4(), Uuid::new_v4());
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::new_v4()).collect();
        let batch: Vec<Mutation> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| save(client, i as u64 + 1, &visit(*id, f.own, None, "visite")))
            .collect();
        let first = send(&t.db, &f.facilitator, client, device, batch.clone())
            .await
            .expect("push");
        assert_eq!(first.last_seq, 3, "{:?}", t.engine);
        assert!(first.refused.is_empty(), "{:?}", first.refused);
        // The answer was lost: the phone sends the same batch again.
        let again = send(&t.db, &f.facilitator, client, device, batch)
            .await
            .expect("replay");
        assert_eq!(again.last_seq, 3);

        let seen = pull(&t.db, &f.supervisor, Uuid::new_v4(), None).await;
        for id in &ids {
            assert_eq!(
                visits_in(&seen).iter().filter(|v| v.id == *id).count(),
                1,
                "{:?}: visit {id} exactly once",
                t.engine
            );
        }
        let mine = pull(&t.db, &f.facilitator, client, None).await;
        assert_eq!(mine.last_seq, 3);
        assert!(mine.reset, "a first pull is the whole scope");
    }
}

#[tokio::test]
async fn drafts_sync_as_a_backup_but_only_their_author_sees_them() {
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let f = field(&set);
        let client = Uuid::new_v4();
        let id = Uuid::new_v4();
        let mut draft = visit(id, f.own, None, "brouillon");
        draft.fields.status = EntryStatus::Draft;
        send(
            &t.db,
            &f.facilitator,
            client,
            Uuid::new_v4(),
            vec![save(client, 1, &draft)],
        )
        .await
        .expect("push");
        let author = pull(&t.db, &f.facilitator, client, None).await;
        assert!(
            visits_in(&author).iter().any(|v| v.id == id),
            "{:?}",
            t.engine
        );
        let supervisor = pull(&t.db, &f.supervisor, Uuid::new_v4(), None).await;
        assert!(
            !visits_in(&supervisor).iter().any(|v| v.id == id),
            "{:?}",
            t.engine
        );
    }
}

#[tokio::test]
async fn a_gap_stops_the_batch_until_the_missing_entry_arrives() {
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let f = field(&set);
        let (client, device) = (Uuid::new_v4(), Uuid::new_v4());
        let v: Vec<SaveVisitArgs> = (0..4)
            .map(|i| visit(Uuid::new_v4(), f.own, None, &format!("v{i}")))
            .collect();
        send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![save(client, 1, &v[0])],
        )
        .await
        .expect("push");
        let gap = send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![save(client, 3, &v[2]), save(client, 4, &v[3])],
        )
        .await
        .expect("push");
        assert_eq!((gap.last_seq, gap.gap_at), (1, Some(3)), "{:?}", t.engine);
        let seen = pull(&t.db, &f.facilitator, client, None).await;
        assert!(
            !visits_in(&seen).iter().any(|x| x.id == v[2].id),
            "nothing after a gap applies"
        );

        let filled = send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![
                save(client, 2, &v[1]),
                save(client, 3, &v[2]),
                save(client, 4, &v[3]),
            ],
        )
        .await
        .expect("push");
        assert_eq!((filled.last_seq, filled.gap_at), (4, None));
        let seen = pull(&t.db, &f.facilitator, client, None).await;
        for x in &v {
            assert!(visits_in(&seen).iter().any(|s| s.id == x.id));
        }
    }
}

#[tokio::test]
async fn a_refused_entry_advances_alone_and_is_refused_the_same_way_on_replay() {
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let f = field(&set);
        let (client, device) = (Uuid::new_v4(), Uuid::new_v4());
        let good_first = visit(Uuid::new_v4(), f.own, None, "ok");
        let forbidden = visit(Uuid::new_v4(), f.other, None, "not mine");
        let mut bad_day = visit(Uuid::new_v4(), f.own, None, "bad day");
        bad_day.fields.visit_on = "2026-02-30".into();
        let good_last = NewActionItem {
            id: Uuid::new_v4(),
            project_id: f.own,
            visit_id: Some(good_first.id),
            title: "Ouvrir un cahier de caisse".into(),
            due_on: Some("2026-12-15".into()),
        };
        let batch = vec![
            save(client, 1, &good_first),
            save(client, 2, &forbidden),
            mutation(client, 3, "visit.teleport", &good_first),
            mutation(client, 4, SaveVisit::NAME, &serde_json::json!({"id": 5})),
            save(client, 5, &bad_day),
            mutation(client, 6, AddAction::NAME, &good_last),
        ];
        let reply = send(&t.db, &f.facilitator, client, device, batch.clone())
            .await
            .expect("push");
        assert_eq!(reply.last_seq, 6, "{:?}", t.engine);
        let codes: Vec<(u64, &str, Option<&str>)> = reply
            .refused
            .iter()
            .map(|r| (r.seq, r.code.as_str(), r.field.as_deref()))
            .collect();
        assert_eq!(
            codes,
            [
                (2, "forbidden", None),
                (3, "unknown_mutation", None),
                (4, "malformed", None),
                (5, "invalid", Some("visit_on")),
            ],
            "{:?}",
            t.engine
        );
        let replay = send(&t.db, &f.facilitator, client, device, batch)
            .await
            .expect("replay");
        assert_eq!(
            replay.refused, reply.refused,
            "a lost answer is not a lost refusal"
        );

        let seen = pull(&t.db, &f.facilitator, client, None).await;
        assert!(visits_in(&seen).iter().any(|v| v.id == good_first.id));
        assert_eq!(
            seen.records
                .iter()
                .filter(|r| matches!(r, Record::Action(a) if a.id == good_last.id))
                .count(),
            1,
            "the entry after the refusals is applied once"
        );
        let supervisor = pull(&t.db, &f.supervisor, Uuid::new_v4(), None).await;
        assert!(!visits_in(&supervisor).iter().any(|v| v.id == forbidden.id));
    }
}

#[tokio::test]
async fn another_users_client_id_is_refused() {
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let f = field(&set);
        let client = Uuid::new_v4();
        let v = visit(Uuid::new_v4(), f.own, None, "x");
        send(
            &t.db,
            &f.facilitator,
            client,
            Uuid::new_v4(),
            vec![save(client, 1, &v)],
        )
        .await
        .expect("push");
        let theft = send(
            &t.db,
            &f.supervisor,
            client,
            Uuid::new_v4(),
            vec![save(client, 2, &v)],
        )
        .await;
        assert_eq!(theft, Err(AppError::Forbidden), "{:?}", t.engine);
    }
}

#[tokio::test]
async fn an_edit_on_a_stale_base_is_kept_as_a_conflict_never_overwriting() {
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let f = field(&set);
        let (phone, phone_client) = (Uuid::new_v4(), Uuid::new_v4());
        let (tablet, tablet_client) = (Uuid::new_v4(), Uuid::new_v4());
        let id = Uuid::new_v4();
        send(
            &t.db,
            &f.facilitator,
            phone_client,
            phone,
            vec![save(phone_client, 1, &visit(id, f.own, None, "first"))],
        )
        .await
        .expect("create");
        let base = visits_in(&pull(&t.db, &f.supervisor, tablet_client, None).await)
            .into_iter()
            .find(|v| v.id == id)
            .expect("pulled")
            .version;

        // Both edit from the same base, offline. The phone's arrives first.
        send(
            &t.db,
            &f.facilitator,
            phone_client,
            phone,
            vec![save(
                phone_client,
                2,
                &visit(id, f.own, Some(base), "phone edit"),
            )],
        )
        .await
        .expect("phone edit");
        // The phone edits again before it pulled: its own earlier edit is no conflict.
        send(
            &t.db,
            &f.facilitator,
            phone_client,
            phone,
            vec![save(
                phone_client,
                3,
                &visit(id, f.own, Some(base), "phone edit 2"),
            )],
        )
        .await
        .expect("phone edit 2");
        let reply = send(
            &t.db,
            &f.supervisor,
            tablet_client,
            tablet,
            vec![save(
                tablet_client,
                1,
                &visit(id, f.own, Some(base), "tablet edit"),
            )],
        )
        .await
        .expect("tablet edit");
        assert_eq!(reply.conflicts, [1], "{:?}", t.engine);
        assert!(reply.refused.is_empty(), "a conflict is not a refusal");
        assert_eq!(reply.last_seq, 1);

        let seen = pull(&t.db, &f.facilitator, Uuid::new_v4(), None).await;
        let v = visits_in(&seen)
            .into_iter()
            .find(|v| v.id == id)
            .expect("visit");
        assert!(v.conflict, "{:?}: flagged", t.engine);
        assert_eq!(v.fields.observations, "phone edit 2", "not overwritten");
        assert!(v.version > base);
        let kept = t.db.visit_conflicts(id).await.expect("conflicts");
        assert_eq!(kept.len(), 1, "{:?}", t.engine);
        assert!(kept[0].incoming.contains("tablet edit"));

        // The supervisor sees both versions, side by side.
        let review = project_scope(&f.supervisor).expect("scope");
        let cases = t.db.open_conflicts(review).await.expect("conflicts");
        assert_eq!(cases.len(), 1, "{:?}", t.engine);
        let case = &cases[0];
        assert_eq!(case.visit_id, id);
        assert_eq!(case.version, v.version);
        assert_eq!(case.current.fields.observations, "phone edit 2");
        assert_eq!(case.current.author, f.facilitator.name);
        let edits: Vec<&str> = case
            .edits
            .iter()
            .map(|e| e.fields.observations.as_str())
            .collect();
        assert_eq!(edits, ["tablet edit"], "{:?}", t.engine);
        assert_eq!(case.edits[0].author, f.supervisor.name);
        // The edit set aside names the device it came from, and when it was last heard from.
        assert_eq!(case.edits[0].device.as_deref(), Some("Chrome on Android"));
        assert!(case.edits[0].device_seen_at.is_some(), "{:?}", t.engine);
        assert_eq!(case.current.device.as_deref(), Some("Chrome on Android"));
        assert!(case.current.device_seen_at.is_some(), "{:?}", t.engine);
        // Another facilitator's scope holds no such case.
        let stranger = set
            .users
            .iter()
            .find(|u| u.role == app::domain::Role::Facilitator && u.id != f.facilitator.id)
            .expect("another facilitator");
        assert!(
            t.db.open_conflicts(app::server::db::ProjectScope::Facilitator(stranger.id))
                .await
                .expect("conflicts")
                .is_empty()
        );

        // A decision made on an older version is refused and changes nothing.
        let mut merged = case.current.fields.clone();
        merged.observations = "phone edit 2 — and the tablet's note".into();
        merged.difficulties = case.edits[0].fields.difficulties.clone();
        let stale = resolve(&t.db, review, &f.supervisor, id, base, merged.clone()).await;
        assert_eq!(stale, Err(AppError::Stale), "{:?}", t.engine);
        // Outside the reviewer's scope, the visit does not exist.
        let outside = app::server::db::ProjectScope::Facilitator(stranger.id);
        let elsewhere = resolve(&t.db, outside, &f.supervisor, id, v.version, merged.clone()).await;
        assert_eq!(elsewhere, Err(AppError::NotFound), "{:?}", t.engine);

        let resolved = resolve(&t.db, review, &f.supervisor, id, v.version, merged.clone())
            .await
            .expect("resolved");
        assert!(resolved > v.version);

        // Every device pulls the merge, no longer flagged; nothing is left to resolve.
        let after = pull(&t.db, &f.facilitator, Uuid::new_v4(), None).await;
        let v = visits_in(&after)
            .into_iter()
            .find(|v| v.id == id)
            .expect("visit");
        assert!(!v.conflict, "{:?}", t.engine);
        assert_eq!(v.fields, merged);
        assert_eq!(v.version, resolved);
        assert!(
            t.db.open_conflicts(review)
                .await
                .expect("conflicts")
                .is_empty()
        );
        // Resolved, it is an entry like any other: this door no longer edits it.
        let again = resolve(&t.db, review, &f.supervisor, id, resolved, merged.clone()).await;
        assert_eq!(again, Err(AppError::NotFound), "{:?}", t.engine);
        // The edit that was set aside is still on record.
        assert_eq!(t.db.visit_conflicts(id).await.expect("history").len(), 1);
    }
}

async fn resolve(
    db: &Db,
    scope: app::server::db::ProjectScope,
    user: &SessionUser,
    visit: Uuid,
    seen_version: i64,
    fields: VisitFields,
) -> Result<i64, AppError> {
    use app::server::sync::resolve::{VisitResolution, resolve_visit};
    let store = db.begin_push().await.expect("begin");
    resolve_visit(
        store,
        scope,
        user.id,
        TODAY,
        VisitResolution {
            visit,
            seen_version,
            fields,
        },
    )
    .await
}

#[tokio::test]
async fn pulls_send_only_changes_and_tombstones_and_the_whole_scope_when_it_changes() {
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let f = field(&set);
        let client = Uuid::new_v4();
        let first = pull(&t.db, &f.facilitator, client, None).await;
        assert!(first.reset);
        let projects: Vec<Uuid> = first
            .records
            .iter()
            .filter_map(|r| match r {
                Record::Project(p) => Some(p.id),
                _ => None,
            })
            .collect();
        let own: Vec<Uuid> = set
            .projects
            .iter()
            .filter(|p| p.facilitator_id == f.facilitator.id)
            .map(|p| p.id)
            .collect();
        assert_eq!(projects.len(), own.len(), "{:?}", t.engine);
        assert!(
            projects.iter().all(|p| own.contains(p)),
            "never another's project"
        );
        assert!(
            visits_in(&first)
                .iter()
                .all(|v| own.contains(&v.fields.project_id)),
            "never another's visit"
        );

        // Nothing changed: nothing comes.
        let quiet = pull(&t.db, &f.facilitator, client, Some(&first.cookie)).await;
        assert!(!quiet.reset);
        assert!(
            quiet.records.is_empty(),
            "{:?}: {:?}",
            t.engine,
            quiet.records.len()
        );

        // A visit is deleted on the server: a tombstone comes.
        let gone = visits_in(&first)[0].id;
        support::execute(
            &t,
            "update visits set deleted = true, version = version + 100 where id = $1",
            gone,
        )
        .await;
        support::execute(
            &t,
            "update sync_version set value = value + 100 where id = 1",
            Uuid::nil(),
        )
        .await;
        let after = pull(&t.db, &f.facilitator, client, Some(&quiet.cookie)).await;
        assert_eq!(
            after.records,
            [Record::Deleted {
                of: app::sync::protocol::RecordKind::Visit,
                id: gone
            }],
            "{:?}",
            t.engine
        );

        // A project is taken away: the scope changed, the next pull is whole and lacks it.
        let taken = own[0];
        support::execute(
            &t,
            "update projects set facilitator_id = null where id = $1",
            taken,
        )
        .await;
        let whole = pull(&t.db, &f.facilitator, client, Some(&after.cookie)).await;
        assert!(whole.reset, "{:?}", t.engine);
        assert!(
            !whole
                .records
                .iter()
                .any(|r| matches!(r, Record::Project(p) if p.id == taken))
        );
        assert!(
            !visits_in(&whole)
                .iter()
                .any(|v| v.fields.project_id == taken)
        );
    }
}

#[tokio::test]
async fn a_database_that_cannot_take_the_push_is_a_temporary_error_that_changes_nothing() {
    let t = support::sqlite().await;
    let set = support::with_demo(&t).await;
    let f = field(&set);
    let (client, device) = (Uuid::new_v4(), Uuid::new_v4());
    let v = visit(Uuid::new_v4(), f.own, None, "x");

    // Another writer holds the database for longer than the busy timeout.
    let blocker = support::hold_write_lock(&t).await;
    let blocked = send(
        &t.db,
        &f.facilitator,
        client,
        device,
        vec![save(client, 1, &v)],
    )
    .await;
    assert_eq!(blocked, Err(AppError::Unavailable));
    drop(blocker);

    let retried = send(
        &t.db,
        &f.facilitator,
        client,
        device,
        vec![save(client, 1, &v)],
    )
    .await
    .expect("retry");
    assert_eq!(
        retried.last_seq, 1,
        "nothing advanced the first time, all of it the second"
    );
    let seen = pull(&t.db, &f.facilitator, client, None).await;
    assert_eq!(visits_in(&seen).iter().filter(|x| x.id == v.id).count(), 1);
}

#[tokio::test]
async fn sqlite_commits_are_durable_before_the_answer() {
    let t = support::sqlite().await;
    assert_eq!(t.engine, Engine::Sqlite);
    let level = support::sqlite_synchronous(&t).await;
    // 2 = FULL: the WAL is synced at every commit, so an acknowledged entry survives a power cut.
    assert_eq!(level, 2);
}

#[tokio::test]
async fn the_team_sees_each_device_once_from_its_latest_heartbeat_with_its_flags() {
    use app::server::db::store::ClientRow;
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let f = field(&set);
        let now = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
        let (phone, tablet) = (Uuid::new_v4(), Uuid::new_v4());
        let beat = |device, pending, oldest: Option<i64>, persistent, browser: &str| Heartbeat {
            pending,
            oldest_pending_at: oldest,
            storage_persistent: persistent,
            browser: browser.into(),
            storage_bytes: 12_345,
            storage_budget: 5 << 20,
            ..heartbeat(device)
        };
        let save = |client, user: &SessionUser, heartbeat| {
            let row = ClientRow {
                id: client,
                user_id: user.id,
                last_seq: 0,
                heartbeat,
            };
            let db = t.db.clone();
            async move { db.save_heartbeat(&row).await.expect("heartbeat") }
        };
        // The phone has two tabs; the later heartbeat speaks for it.
        let day_and_a_half_ago = now - 36 * 60 * 60 * 1000;
        save(
            Uuid::new_v4(),
            &f.facilitator,
            beat(phone, 2, Some(day_and_a_half_ago), Some(true), "chrome"),
        )
        .await;
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        save(
            Uuid::new_v4(),
            &f.facilitator,
            beat(phone, 3, Some(day_and_a_half_ago), Some(true), "chrome"),
        )
        .await;
        save(
            Uuid::new_v4(),
            &f.supervisor,
            beat(tablet, 0, None, Some(false), "safari"),
        )
        .await;

        let rows: Vec<_> =
            t.db.device_statuses()
                .await
                .expect("devices")
                .into_iter()
                .map(|d| d.flag(now + 1000))
                .collect();
        assert_eq!(rows.len(), 2, "{:?}: one row per device and user", t.engine);
        let phone_row = rows.iter().find(|r| r.device_id == phone).expect("phone");
        assert_eq!(phone_row.pending, 3, "{:?}", t.engine);
        assert_eq!(phone_row.user_name, f.facilitator.name);
        assert_eq!(phone_row.oldest_pending_at, Some(day_and_a_half_ago));
        assert_eq!(phone_row.storage_bytes, 12_345);
        assert_eq!(phone_row.flags, [app::domain::DeviceFlag::WaitingTooLong]);
        let tablet_row = rows.iter().find(|r| r.device_id == tablet).expect("tablet");
        assert_eq!(
            tablet_row.flags,
            [app::domain::DeviceFlag::MayBeEvicted],
            "{:?}",
            t.engine
        );
    }
}

#[tokio::test]
async fn a_file_of_unsent_entries_imported_twice_then_synced_by_the_phone_lands_once() {
    use app::server::sync::import::import;
    use app::sync::protocol::{
        EXPORT_FORMAT, ExportedClient, OutboxExport, PROTOCOL_VERSION, SCHEMA_VERSION,
    };
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let f = field(&set);
        let (device, client) = (Uuid::new_v4(), Uuid::new_v4());
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::new_v4()).collect();
        let mutations: Vec<Mutation> = ids
            .iter()
            .zip(1..)
            .map(|(id, seq)| {
                save(
                    client,
                    seq,
                    &visit(*id, f.own, None, &format!("imported {seq}")),
                )
            })
            .collect();
        let file = |mutations: Vec<Mutation>| OutboxExport {
            format: EXPORT_FORMAT.into(),
            protocol: PROTOCOL_VERSION,
            schema: SCHEMA_VERSION,
            user_id: f.facilitator.id,
            exported_at: 0,
            heartbeat: heartbeat(device),
            clients: vec![ExportedClient {
                client_id: client,
                mutations,
            }],
        };

        let first = import(&t.db, file(mutations.clone()), TODAY)
            .await
            .expect("import");
        assert_eq!(
            (first.entries, first.on_server, first.refused),
            (3, 3, 0),
            "{:?}",
            t.engine
        );
        assert_eq!(first.user_name, f.facilitator.name);
        let again = import(&t.db, file(mutations.clone()), TODAY)
            .await
            .expect("import again");
        assert_eq!((again.entries, again.on_server), (3, 3));
        // The phone, unaware, sends the same entries: replays, acknowledged, applied once.
        let reply = send(&t.db, &f.facilitator, client, device, mutations.clone())
            .await
            .expect("phone");
        assert_eq!(reply.last_seq, 3);
        let seen = pull(&t.db, &f.supervisor, Uuid::new_v4(), None).await;
        let landed = visits_in(&seen)
            .iter()
            .filter(|v| ids.contains(&v.id))
            .count();
        assert_eq!(landed, 3, "{:?}: each entry once", t.engine);

        // A file whose client belongs to someone else is refused whole.
        let mut stolen = file(mutations.clone());
        stolen.user_id = f.supervisor.id;
        assert_eq!(import(&t.db, stolen, TODAY).await, Err(AppError::Forbidden));
        // A file with an entry missing before others: what follows the gap waits.
        let later: Vec<Mutation> = (5..7)
            .map(|seq| {
                save(
                    client,
                    seq,
                    &visit(Uuid::new_v4(), f.own, None, "after a gap"),
                )
            })
            .collect();
        let gap = import(&t.db, file(later), TODAY).await.expect("gap");
        assert_eq!((gap.entries, gap.on_server), (2, 0), "{:?}", t.engine);
    }
}

async fn review(
    db: &Db,
    user: &SessionUser,
    visit: Uuid,
    seen_version: i64,
    decision: app::domain::ReviewDecision,
    comment: &str,
) -> Result<i64, AppError> {
    use app::server::sync::review::{Review, review};
    let store = db.begin_push().await.expect("begin");
    let scope = app::server::auth::review_scope(user)?;
    review(
        store,
        scope,
        user,
        Review {
            kind: app::domain::RecordKind::Visit,
            id: visit,
            seen_version,
            decision,
            comment: comment.into(),
        },
    )
    .await
}

#[tokio::test]
async fn a_returned_visit_reaches_the_phone_with_its_comment_and_the_fix_is_a_new_revision() {
    use app::domain::{HistoryEvent, ReviewDecision};
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let f = field(&set);
        let (client, device) = (Uuid::new_v4(), Uuid::new_v4());
        let id = Uuid::new_v4();
        send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![save(client, 1, &visit(id, f.own, None, "première version"))],
        )
        .await
        .expect("push");
        let phone = pull(&t.db, &f.facilitator, client, None).await;
        let sent = visits_in(&phone)
            .into_iter()
            .find(|v| v.id == id)
            .expect("on the phone")
            .clone();

        let scope = app::server::auth::review_scope(&f.supervisor).expect("reviewer");
        let queue = t.db.review_queue(scope).await.expect("queue");
        let waiting = queue
            .iter()
            .find(|i| i.visit.id == id)
            .expect("in the supervisor's queue");
        assert_eq!(
            waiting.header.facilitator, f.facilitator.name,
            "{:?}",
            t.engine
        );
        assert!(
            matches!(&waiting.history[..], [HistoryEvent::Revision { fields, .. }] if fields.observations == "première version")
        );

        // Returning needs a reason; a facilitator cannot review.
        assert!(matches!(
            review(&t.db, &f.supervisor, id, sent.version, ReviewDecision::Return, "  ").await,
            Err(AppError::Invalid { field, code }) if field == "comment" && code == "required"
        ));
        assert_eq!(
            review(
                &t.db,
                &f.facilitator,
                id,
                sent.version,
                ReviewDecision::Validate,
                ""
            )
            .await,
            Err(AppError::Forbidden)
        );
        let other_supervisor = set
            .users
            .iter()
            .find(|u| u.role == app::domain::Role::Supervisor && u.id != f.supervisor.id)
            .map(|u| user(&set, &u.email))
            .expect("a second supervisor");
        let covers_own = set.supervisor_incubators.iter().any(|(u, i)| {
            *u == other_supervisor.id
                && set
                    .projects
                    .iter()
                    .any(|p| p.id == f.own && p.incubator_id == *i)
        });
        if !covers_own {
            assert_eq!(
                review(
                    &t.db,
                    &other_supervisor,
                    id,
                    sent.version,
                    ReviewDecision::Validate,
                    ""
                )
                .await,
                Err(AppError::NotFound),
                "a supervisor of other incubators does not see it"
            );
        }

        let returned = review(
            &t.db,
            &f.supervisor,
            id,
            sent.version,
            ReviewDecision::Return,
            "Ajoutez les ventes du mois.",
        )
        .await
        .expect("returned");
        // A second decision made on what the supervisor saw before is stale.
        assert_eq!(
            review(
                &t.db,
                &f.supervisor,
                id,
                sent.version,
                ReviewDecision::Validate,
                ""
            )
            .await,
            Err(AppError::Stale)
        );
        let queue = t.db.review_queue(scope).await.expect("queue");
        assert!(queue.iter().all(|i| i.visit.id != id), "no longer waiting");

        // The facilitator's phone gets the visit back, with the comment.
        let back = pull(&t.db, &f.facilitator, client, Some(&phone.cookie)).await;
        let v = visits_in(&back)
            .into_iter()
            .find(|v| v.id == id)
            .expect("pulled again")
            .clone();
        assert_eq!(v.fields.status, EntryStatus::Returned, "{:?}", t.engine);
        assert_eq!(v.version, returned);
        let note = v.review.clone().expect("the review travels with the visit");
        assert_eq!(note.comment, "Ajoutez les ventes du mois.");
        assert_eq!(note.by_name, f.supervisor.name);
        assert_eq!(note.decision, EntryStatus::Returned);

        // The fix, made on the version the phone had before the review: a new revision, not a
        // conflict (a review is not an edit).
        let mut fix = visit(id, f.own, Some(sent.version), "ventes : 1 200 TND");
        fix.fields.status = EntryStatus::Submitted;
        let r = send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![save(client, 2, &fix)],
        )
        .await
        .expect("resubmitted");
        assert!(r.conflicts.is_empty() && r.refused.is_empty(), "{r:?}");
        let queue = t.db.review_queue(scope).await.expect("queue");
        let again = queue
            .iter()
            .find(|i| i.visit.id == id)
            .expect("waiting again");
        assert_eq!(again.visit.fields.observations, "ventes : 1 200 TND");
        review(
            &t.db,
            &f.supervisor,
            id,
            again.visit.version,
            ReviewDecision::Validate,
            "",
        )
        .await
        .expect("validated");

        let history =
            t.db.visit_history(
                &f.facilitator,
                project_scope(&f.facilitator).expect("scope"),
                id,
            )
            .await
            .expect("history")
            .expect("the facilitator sees it");
        let steps: Vec<String> = history
            .iter()
            .map(|e| match e {
                HistoryEvent::Revision { fields, by, .. } => {
                    format!("{by}: {}", fields.observations)
                }
                HistoryEvent::Review {
                    decision,
                    comment,
                    by,
                    ..
                } => {
                    format!("{by} {}: {comment}", decision.as_str())
                }
                other => format!("not a visit's: {other:?}"),
            })
            .collect();
        let (fa, su) = (&f.facilitator.name, &f.supervisor.name);
        assert_eq!(
            steps,
            [
                format!("{fa}: première version"),
                format!("{su} returned: Ajoutez les ventes du mois."),
                format!("{fa}: ventes : 1 200 TND"),
                format!("{su} validated: "),
            ],
            "{:?}",
            t.engine
        );
        let last = pull(&t.db, &f.facilitator, client, Some(&back.cookie)).await;
        let v = visits_in(&last)
            .into_iter()
            .find(|v| v.id == id)
            .expect("pulled");
        assert_eq!(v.fields.status, EntryStatus::Validated);
    }
}

#[tokio::test]
async fn an_action_item_moved_to_a_new_day_keeps_it_unless_it_was_done_meanwhile() {
    use app::domain::{ActionStatus, CloseActionItem, RescheduleActionItem};
    use app::sync::mutations::{CloseAction, RescheduleAction};
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let f = field(&set);
        let (phone, tablet) = (Uuid::new_v4(), Uuid::new_v4());
        let (kept, done) = (Uuid::new_v4(), Uuid::new_v4());
        let item = |id, title: &str| NewActionItem {
            id,
            project_id: f.own,
            visit_id: None,
            title: title.into(),
            due_on: Some("2026-11-01".into()),
        };
        let r = send(
            &t.db,
            &f.facilitator,
            phone,
            phone,
            vec![
                mutation(phone, 1, AddAction::NAME, &item(kept, "Devis d'emballage")),
                mutation(phone, 2, AddAction::NAME, &item(done, "Cahier de caisse")),
                mutation(
                    phone,
                    3,
                    RescheduleAction::NAME,
                    &RescheduleActionItem {
                        id: kept,
                        due_on: "2026-12-10".into(),
                    },
                ),
            ],
        )
        .await
        .expect("push");
        assert!(r.refused.is_empty(), "{r:?}");
        // Another device closed the second item; the phone, not knowing, moves it.
        send(
            &t.db,
            &f.facilitator,
            tablet,
            tablet,
            vec![mutation(
                tablet,
                1,
                CloseAction::NAME,
                &CloseActionItem {
                    id: done,
                    closed_on: "2026-11-20".into(),
                },
            )],
        )
        .await
        .expect("closed");
        let r = send(
            &t.db,
            &f.facilitator,
            phone,
            phone,
            vec![
                mutation(
                    phone,
                    4,
                    RescheduleAction::NAME,
                    &RescheduleActionItem {
                        id: done,
                        due_on: "2026-12-10".into(),
                    },
                ),
                mutation(
                    phone,
                    5,
                    RescheduleAction::NAME,
                    &RescheduleActionItem {
                        id: Uuid::new_v4(),
                        due_on: "2026-12-10".into(),
                    },
                ),
            ],
        )
        .await
        .expect("push");
        assert_eq!(
            r.refused
                .iter()
                .map(|x| (x.seq, x.code.as_str()))
                .collect::<Vec<_>>(),
            [(5, "not_found")]
        );

        let seen = pull(&t.db, &f.supervisor, Uuid::new_v4(), None).await;
        let action = |id| {
            seen.records.iter().find_map(|r| match r {
                Record::Action(a) if a.id == id => Some(a.clone()),
                _ => None,
            })
        };
        let k = action(kept).expect("kept");
        assert_eq!(
            (k.status, k.due_on.as_deref()),
            (ActionStatus::Open, Some("2026-12-10")),
            "{:?}",
            t.engine
        );
        let d = action(done).expect("done");
        assert_eq!(
            (d.status, d.due_on.as_deref()),
            (ActionStatus::Done, Some("2026-11-01")),
            "done wins"
        );
    }
}

fn member_answers(name: &str, consent: bool, walking: &str) -> app::domain::form::Answers {
    use app::domain::form::Answer;
    let mut a = app::domain::form::Answers::new();
    a.insert("full_name".into(), Answer::Text(name.into()));
    a.insert("sex".into(), Answer::Text("female".into()));
    a.insert("birth_year".into(), Answer::Number(1994.0));
    a.insert("role".into(), Answer::Text("member".into()));
    a.insert("consent".into(), Answer::Bool(consent));
    for field in app::domain::member::WG_FIELDS {
        a.insert(field.into(), Answer::Text("1".into()));
    }
    a.insert("wg_walking".into(), Answer::Text(walking.into()));
    a.insert("joined_on".into(), Answer::Text("2026-11-01".into()));
    a
}

#[tokio::test]
async fn a_member_registered_on_the_phone_is_checked_against_its_form_and_only_the_derived_flag_reaches_supervisors()
 {
    use app::domain::form::Answer;
    use app::domain::{SaveMemberArgs, WgAnswer};
    use app::sync::mutations::SaveMember;
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let f = field(&set);
        let team = user(&set, DEMO_LOGINS[2].0);
        let (client, device) = (Uuid::new_v4(), Uuid::new_v4());
        let args = |id, version, answers| SaveMemberArgs {
            id,
            project_id: f.own,
            base_version: None,
            form_version: version,
            answers,
        };
        let (walks, no_consent, too_old, unknown) = (
            Uuid::new_v4(),
            Uuid::new_v4(),
            Uuid::new_v4(),
            Uuid::new_v4(),
        );
        let mut old = member_answers("Née en 1920", true, "1");
        old.insert("birth_year".into(), Answer::Number(1920.0));
        let r = send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![
                mutation(
                    client,
                    1,
                    SaveMember::NAME,
                    &args(walks, 1, member_answers("Salma Ben Ali", true, "3")),
                ),
                mutation(
                    client,
                    2,
                    SaveMember::NAME,
                    &args(
                        no_consent,
                        1,
                        member_answers("Sans consentement", false, "4"),
                    ),
                ),
                mutation(client, 3, SaveMember::NAME, &args(too_old, 1, old)),
                mutation(
                    client,
                    4,
                    SaveMember::NAME,
                    &args(unknown, 99, member_answers("Version inconnue", true, "1")),
                ),
            ],
        )
        .await
        .expect("push");
        assert_eq!(
            r.refused
                .iter()
                .map(|x| (x.seq, x.code.as_str()))
                .collect::<Vec<_>>(),
            [(3, "invalid_answers"), (4, "unknown_form_version")],
            "{:?}",
            t.engine
        );

        let member_in = |response: &PullResponse, id| {
            response.records.iter().find_map(|r| match r {
                Record::Member(m) if m.member.id == id => Some(m.member.clone()),
                _ => None,
            })
        };
        let mine = pull(&t.db, &f.facilitator, client, None).await;
        let salma = member_in(&mine, walks).expect("on the facilitator's phone");
        assert!(salma.with_disability, "a lot of difficulty walking");
        let private = salma
            .private
            .clone()
            .expect("the facilitator sees the answers");
        assert_eq!(private.wg.walking, Some(WgAnswer::ALotOfDifficulty));
        let plain = member_in(&mine, no_consent).expect("registered");
        assert!(
            !plain.with_disability,
            "without consent the questions were not asked"
        );
        assert_eq!(
            plain.private.map(|p| (p.consent, p.wg)),
            Some((false, Default::default()))
        );

        let reviewer = pull(&t.db, &f.supervisor, Uuid::new_v4(), None).await;
        let seen = member_in(&reviewer, walks).expect("the supervisor sees the member");
        assert!(seen.with_disability);
        assert_eq!(seen.private, None, "{:?}: only the derived flag", t.engine);
        let detail =
            t.db.project_detail(
                project_scope(&f.supervisor).expect("scope"),
                f.own,
                support::today(),
            )
            .await
            .expect("detail")
            .expect("in scope");
        let listed = detail
            .members
            .iter()
            .find(|m| m.id == walks)
            .expect("listed");
        assert_eq!(
            (listed.with_disability, listed.private.is_none()),
            (true, true)
        );
        let all = pull(&t.db, &team, Uuid::new_v4(), None).await;
        assert!(
            member_in(&all, walks).expect("team").private.is_some(),
            "the team sees the answers"
        );

        // Edited on another device since this phone's copy: refused, not overwritten.
        let tablet = Uuid::new_v4();
        let mut edit = args(walks, 1, member_answers("Salma Ben Ali", true, "2"));
        edit.base_version = Some(0);
        let r = send(
            &t.db,
            &f.facilitator,
            tablet,
            tablet,
            vec![mutation(tablet, 1, SaveMember::NAME, &edit)],
        )
        .await
        .expect("push");
        assert_eq!(
            r.refused
                .iter()
                .map(|x| x.code.as_str())
                .collect::<Vec<_>>(),
            ["stale"]
        );
        let version = mine.records.iter().find_map(|r| match r {
            Record::Member(m) if m.member.id == walks => Some(m.version),
            _ => None,
        });
        edit.base_version = version;
        let r = send(
            &t.db,
            &f.facilitator,
            tablet,
            tablet,
            vec![mutation(tablet, 2, SaveMember::NAME, &edit)],
        )
        .await
        .expect("push");
        assert!(r.refused.is_empty(), "{r:?}");
        let now = pull(&t.db, &f.facilitator, client, None).await;
        assert!(
            !member_in(&now, walks).expect("member").with_disability,
            "some difficulty only"
        );
    }
}

#[tokio::test]
async fn risk_flags_on_the_cards_follow_what_the_field_records() {
    use app::server::db::ProjectScope;
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let team = user(&set, DEMO_LOGINS[2].0);
        // A project still running whose last visit is more than 45 days old (the demo has some).
        let stale = set
            .projects
            .iter()
            .filter(|p| p.status.is_active())
            .find(|p| {
                set.visits
                    .iter()
                    .filter(|v| v.project_id == p.id)
                    .map(|v| v.visit_on)
                    .max()
                    .is_none_or(|d| (set.today - d).whole_days() > 45)
            })
            .expect("a project left without a visit");
        let flags_of = |cards: &[app::domain::ProjectCard], id| {
            cards
                .iter()
                .find(|c| c.id == id)
                .map(|c| c.flags.iter().map(|f| f.rule()).collect::<Vec<_>>())
                .expect("card")
        };
        let cards = app::server::projects::cards(
            &t.db,
            app::server::clock::Clock::system(),
            ProjectScope::All,
        )
        .await
        .expect("cards");
        assert!(
            flags_of(&cards, stale.id).contains(&"no_recent_visit"),
            "{:?}",
            t.engine
        );
        assert!(
            cards
                .iter()
                .filter(|c| !c.status.is_active())
                .all(|c| c.flags.is_empty()),
            "closed projects are not flagged"
        );

        // The thresholds are the team's: a week without a visit flags more projects, at once.
        let stale_count = |cards: &[app::domain::ProjectCard]| {
            cards
                .iter()
                .filter(|c| c.flags.iter().any(|f| f.rule() == "no_recent_visit"))
                .count()
        };
        let with_defaults = stale_count(&cards);
        assert_eq!(
            t.db.risk_settings().await.expect("settings"),
            app::domain::risk::RiskSettings::default()
        );
        let week = app::domain::risk::RiskSettings {
            days_without_visit: 7,
            ..Default::default()
        };
        t.db.save_risk_settings(&week, team.id)
            .await
            .expect("saved");
        assert_eq!(t.db.risk_settings().await.expect("settings"), week);
        let strict = app::server::projects::cards(
            &t.db,
            app::server::clock::Clock::system(),
            ProjectScope::All,
        )
        .await
        .expect("cards");
        assert!(
            stale_count(&strict) > with_defaults,
            "{:?}: {} projects flagged at 7 days, {with_defaults} at 45",
            t.engine,
            stale_count(&strict)
        );
        t.db.save_risk_settings(&Default::default(), team.id)
            .await
            .expect("saved");

        // Seen by the team, with a note: the flag stays, marked as seen.
        assert!(
            t.db.acknowledge_risk(
                ProjectScope::All,
                team.id,
                stale.id,
                "no_recent_visit",
                "Appelée, visite lundi"
            )
            .await
            .expect("acknowledged")
        );
        let cards = app::server::projects::cards(
            &t.db,
            app::server::clock::Clock::system(),
            ProjectScope::All,
        )
        .await
        .expect("cards");
        let card = cards.iter().find(|c| c.id == stale.id).expect("card");
        assert_eq!(
            card.acknowledged
                .iter()
                .map(|a| (a.rule.as_str(), a.note.as_str(), a.by.as_str()))
                .collect::<Vec<_>>(),
            [(
                "no_recent_visit",
                "Appelée, visite lundi",
                team.name.as_str()
            )]
        );

        // A visit today, reporting a shock: that flag replaces the other.
        let client = Uuid::new_v4();
        let mut v = visit(Uuid::new_v4(), stale.id, None, "visite de reprise");
        v.fields.visit_on = set.today.to_string();
        v.fields.next_visit_on = None;
        v.fields.snapshot.shock = "Inondation de la serre".into();
        // Checked against the real day (the flags are computed for it), not the stories' fixed one.
        let r = push(
            t.db.begin_push().await.expect("begin"),
            PushInput {
                user: team.clone(),
                scope: ProjectScope::All,
                today: set.today.to_string(),
                request: PushRequest {
                    client_id: client,
                    mutations: vec![save(client, 1, &v)],
                    heartbeat: heartbeat(client),
                },
            },
        )
        .await
        .expect("push");
        assert!(r.refused.is_empty(), "{r:?}");
        let cards = app::server::projects::cards(
            &t.db,
            app::server::clock::Clock::system(),
            ProjectScope::All,
        )
        .await
        .expect("cards");
        let flags = flags_of(&cards, stale.id);
        assert!(
            flags.contains(&"shock") && !flags.contains(&"no_recent_visit"),
            "{flags:?}"
        );
    }
}

fn diagnostic_answers(day: &str, stage: &str, scores: [f64; 6]) -> app::domain::form::Answers {
    use app::domain::form::Answer;
    let mut a = app::domain::form::Answers::new();
    a.insert("done_on".into(), Answer::Text(day.into()));
    a.insert("stage".into(), Answer::Text(stage.into()));
    for (axis, score) in app::domain::entry::DIAGNOSTIC_AXES.iter().zip(scores) {
        a.insert((*axis).into(), Answer::Number(score));
    }
    a
}

fn entries_in(response: &PullResponse) -> Vec<&app::domain::FormEntry> {
    response
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Entry(e) => Some(e),
            _ => None,
        })
        .collect()
}

async fn review_entry(
    db: &Db,
    user: &SessionUser,
    entry: Uuid,
    seen_version: i64,
    decision: app::domain::ReviewDecision,
    comment: &str,
) -> Result<i64, AppError> {
    use app::server::sync::review::{Review, review};
    let store = db.begin_push().await.expect("begin");
    let scope = app::server::auth::review_scope(user)?;
    review(
        store,
        scope,
        user,
        Review {
            kind: app::domain::RecordKind::Entry,
            id: entry,
            seen_version,
            decision,
            comment: comment.into(),
        },
    )
    .await
}

#[tokio::test]
async fn a_diagnostic_made_on_the_phone_is_checked_reviewed_returned_fixed_and_validated() {
    use app::domain::form::Answer;
    use app::domain::{HistoryEvent, ReviewDecision, SaveEntryArgs};
    use app::sync::mutations::SaveEntry;
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let f = field(&set);
        let (client, device) = (Uuid::new_v4(), Uuid::new_v4());
        let args = |id, project, status, answers| SaveEntryArgs {
            id,
            project_id: project,
            base_version: None,
            form_id: "diagnostic".into(),
            form_version: 1,
            status,
            answers,
        };
        let (diag, draft, bad, elsewhere, unknown) = (
            Uuid::new_v4(),
            Uuid::new_v4(),
            Uuid::new_v4(),
            Uuid::new_v4(),
            Uuid::new_v4(),
        );
        let mut score_of_seven = diagnostic_answers("2026-11-10", "initial", [2.0; 6]);
        score_of_seven.insert("score_market".into(), Answer::Number(7.0));
        let mut old_version = args(
            unknown,
            f.own,
            EntryStatus::Submitted,
            diagnostic_answers("2026-11-10", "initial", [3.0; 6]),
        );
        old_version.form_version = 42;
        let r = send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![
                mutation(
                    client,
                    1,
                    SaveEntry::NAME,
                    &args(
                        diag,
                        f.own,
                        EntryStatus::Submitted,
                        diagnostic_answers("2026-11-10", "initial", [2.0, 3.0, 2.0, 1.0, 4.0, 3.0]),
                    ),
                ),
                // A draft may leave questions empty; it is a backup, seen by its author only.
                mutation(
                    client,
                    2,
                    SaveEntry::NAME,
                    &args(
                        draft,
                        f.own,
                        EntryStatus::Draft,
                        [("stage".to_owned(), Answer::Text("midterm".into()))]
                            .into_iter()
                            .collect(),
                    ),
                ),
                mutation(
                    client,
                    3,
                    SaveEntry::NAME,
                    &args(bad, f.own, EntryStatus::Submitted, score_of_seven),
                ),
                mutation(
                    client,
                    4,
                    SaveEntry::NAME,
                    &args(
                        elsewhere,
                        f.other,
                        EntryStatus::Submitted,
                        diagnostic_answers("2026-11-10", "initial", [3.0; 6]),
                    ),
                ),
                mutation(client, 5, SaveEntry::NAME, &old_version),
            ],
        )
        .await
        .expect("push");
        assert_eq!(
            r.refused
                .iter()
                .map(|x| (x.seq, x.code.as_str()))
                .collect::<Vec<_>>(),
            [
                (3, "invalid_answers"),
                (4, "forbidden"),
                (5, "unknown_form_version")
            ],
            "{:?}",
            t.engine
        );

        let mine = pull(&t.db, &f.facilitator, client, None).await;
        let ids: Vec<Uuid> = entries_in(&mine).iter().map(|e| e.id).collect();
        assert!(
            ids.contains(&diag) && ids.contains(&draft),
            "{:?}",
            t.engine
        );
        let on_tablet = pull(&t.db, &f.supervisor, Uuid::new_v4(), None).await;
        let seen: Vec<Uuid> = entries_in(&on_tablet).iter().map(|e| e.id).collect();
        assert_eq!(
            seen,
            [diag],
            "{:?}: drafts are their author's alone",
            t.engine
        );

        // The supervisor's queue holds it with the form version it was made with.
        let queue =
            t.db.entry_review_queue(app::server::auth::review_scope(&f.supervisor).expect("scope"))
                .await
                .expect("queue");
        let item = queue
            .items
            .iter()
            .find(|i| i.entry.id == diag)
            .expect("queued");
        assert!(
            queue
                .forms
                .iter()
                .any(|f| f.id == "diagnostic" && f.version == 1)
        );
        let version = item.entry.version;

        // A draft is not reviewable; a decision on an older version is stale.
        assert_eq!(
            review_entry(&t.db, &f.supervisor, draft, 0, ReviewDecision::Validate, "").await,
            Err(AppError::NotFound)
        );
        assert_eq!(
            review_entry(
                &t.db,
                &f.supervisor,
                diag,
                version - 1,
                ReviewDecision::Validate,
                ""
            )
            .await,
            Err(AppError::Stale)
        );
        review_entry(
            &t.db,
            &f.supervisor,
            diag,
            version,
            ReviewDecision::Return,
            "Le score finance paraît trop bas.",
        )
        .await
        .expect("returned");

        // The phone gets it back with the comment, and the fix is a new revision.
        let back = pull(&t.db, &f.facilitator, client, Some(&mine.cookie)).await;
        let returned = entries_in(&back)
            .into_iter()
            .find(|e| e.id == diag)
            .expect("the returned entry reaches the phone")
            .clone();
        assert_eq!(returned.status, EntryStatus::Returned);
        let note = returned.review.clone().expect("comment");
        assert_eq!(note.comment, "Le score finance paraît trop bas.");
        assert_eq!(note.by_name, f.supervisor.name);
        let mut fix = args(
            diag,
            f.own,
            EntryStatus::Submitted,
            diagnostic_answers("2026-11-10", "initial", [2.0, 3.0, 2.0, 3.0, 4.0, 3.0]),
        );
        fix.base_version = Some(returned.version);
        let r = send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![mutation(client, 6, SaveEntry::NAME, &fix)],
        )
        .await
        .expect("push");
        assert!(r.refused.is_empty(), "{r:?}");
        let queue =
            t.db.entry_review_queue(app::server::auth::review_scope(&f.supervisor).expect("scope"))
                .await
                .expect("queue");
        let item = queue
            .items
            .iter()
            .find(|i| i.entry.id == diag)
            .expect("back in the queue");
        let steps: Vec<String> = item
            .history
            .iter()
            .map(|e| match e {
                HistoryEvent::Answers { by, answers, .. } => {
                    format!("{by}: finance {:?}", answers.get("score_finance"))
                }
                HistoryEvent::Review { decision, by, .. } => format!("{by} {}", decision.as_str()),
                other => format!("not an entry's: {other:?}"),
            })
            .collect();
        let (fa, su) = (&f.facilitator.name, &f.supervisor.name);
        assert_eq!(
            steps,
            [
                format!("{fa}: finance Some(Number(1.0))"),
                format!("{su} returned"),
                format!("{fa}: finance Some(Number(3.0))"),
            ],
            "{:?}",
            t.engine
        );
        review_entry(
            &t.db,
            &f.supervisor,
            diag,
            item.entry.version,
            ReviewDecision::Validate,
            "",
        )
        .await
        .expect("validated");

        // Validated is final: a late edit from a phone is refused, the entry stays as validated.
        let mut late = fix.clone();
        late.base_version = Some(item.entry.version + 1);
        let r = send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![mutation(client, 7, SaveEntry::NAME, &late)],
        )
        .await
        .expect("push");
        assert_eq!(
            r.refused
                .iter()
                .map(|x| x.code.as_str())
                .collect::<Vec<_>>(),
            ["already_validated"],
            "{:?}",
            t.engine
        );
        let now = pull(&t.db, &f.facilitator, client, None).await;
        let kept = entries_in(&now)
            .into_iter()
            .find(|e| e.id == diag)
            .expect("kept");
        assert_eq!(kept.status, EntryStatus::Validated);
        assert_eq!(
            kept.answers.get("score_finance"),
            Some(&Answer::Number(3.0))
        );
    }
}

#[tokio::test]
async fn a_project_moves_on_in_its_lifecycle_from_the_phone_and_a_stale_or_foreign_change_is_refused()
 {
    use app::domain::{ChangeProjectStatus, ProjectStatus};
    use app::sync::mutations::ChangeStatus;
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let f = field(&set);
        let status_in = |response: &PullResponse, id| {
            response.records.iter().find_map(|r| match r {
                Record::Project(p) if p.id == id => p.status,
                _ => None,
            })
        };
        let (client, device) = (Uuid::new_v4(), Uuid::new_v4());
        let before = pull(&t.db, &f.facilitator, client, None).await;
        let now = status_in(&before, f.own).expect("the phone knows the status");
        let next = *now.next().first().expect("not final");
        let change = |project, from, to| ChangeProjectStatus {
            project_id: project,
            from,
            to,
        };
        // Someone else's project; a change from a status the project no longer has; a jump the
        // lifecycle does not allow (refused on the phone already, and again here).
        let other_now = set
            .projects
            .iter()
            .find(|p| p.id == f.other)
            .expect("other")
            .status;
        let stale_from = ProjectStatus::ALL
            .into_iter()
            .find(|s| *s != now && s.next().contains(&next))
            .unwrap_or(ProjectStatus::Preselected);
        let r = send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![
                mutation(client, 1, ChangeStatus::NAME, &change(f.own, now, next)),
                mutation(
                    client,
                    2,
                    ChangeStatus::NAME,
                    &change(
                        f.other,
                        other_now,
                        *other_now.next().first().unwrap_or(&other_now),
                    ),
                ),
                mutation(
                    client,
                    3,
                    ChangeStatus::NAME,
                    &change(f.own, stale_from, next),
                ),
                mutation(
                    client,
                    4,
                    ChangeStatus::NAME,
                    &change(f.own, next, ProjectStatus::Preselected),
                ),
            ],
        )
        .await
        .expect("push");
        let refused: Vec<(u64, &str)> =
            r.refused.iter().map(|x| (x.seq, x.code.as_str())).collect();
        // Seq 3 asks for the status the project has now: already done, not refused.
        assert_eq!(
            refused,
            [(2, "forbidden"), (4, "invalid")],
            "{:?}",
            t.engine
        );

        // The supervisor's tablet and the project's card see the new status.
        let tablet = pull(&t.db, &f.supervisor, Uuid::new_v4(), None).await;
        assert_eq!(status_in(&tablet, f.own), Some(next), "{:?}", t.engine);
        let cards =
            t.db.project_cards(
                project_scope(&f.facilitator).expect("scope"),
                support::today(),
            )
            .await
            .expect("cards");
        assert_eq!(
            cards.iter().find(|c| c.id == f.own).map(|c| c.status),
            Some(next)
        );
        // A second phone that still saw the old status and wants another move: stale.
        if let Some(other_move) = now.next().iter().find(|s| **s != next) {
            let phone = Uuid::new_v4();
            let r = send(
                &t.db,
                &f.facilitator,
                phone,
                phone,
                vec![mutation(
                    phone,
                    1,
                    ChangeStatus::NAME,
                    &change(f.own, now, *other_move),
                )],
            )
            .await
            .expect("push");
            assert_eq!(
                r.refused
                    .iter()
                    .map(|x| x.code.as_str())
                    .collect::<Vec<_>>(),
                ["stale"],
                "{:?}",
                t.engine
            );
        }
    }
}

#[tokio::test]
async fn a_project_the_team_assigns_to_another_facilitator_leaves_one_phone_and_reaches_the_other()
{
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let f = field(&set);
        let other = set
            .projects
            .iter()
            .find(|p| p.id == f.other)
            .expect("another's project");
        let colleague_user = set
            .users
            .iter()
            .find(|u| u.id == other.facilitator_id)
            .expect("its facilitator");
        let colleague = user(&set, &colleague_user.email);
        let projects_in = |response: &PullResponse| -> Vec<Uuid> {
            response
                .records
                .iter()
                .filter_map(|r| match r {
                    Record::Project(p) => Some(p.id),
                    _ => None,
                })
                .collect()
        };
        let (mine, theirs) = (Uuid::new_v4(), Uuid::new_v4());
        let first = pull(&t.db, &f.facilitator, mine, None).await;
        assert!(projects_in(&first).contains(&f.own));
        let before = pull(&t.db, &colleague, theirs, None).await;
        assert!(!projects_in(&before).contains(&f.own));

        let choices =
            t.db.assignment_choices(f.own)
                .await
                .expect("choices")
                .expect("a project");
        assert_eq!(choices.facilitator, Some(f.facilitator.id));
        assert!(
            choices
                .facilitators
                .iter()
                .any(|(id, ..)| *id == colleague.id)
        );
        // Not an incubator, not a facilitator: refused, nothing changes.
        assert!(
            !t.db
                .assign_project(f.own, Some(f.supervisor.id), other.incubator_id)
                .await
                .expect("db")
        );
        assert!(
            !t.db
                .assign_project(f.own, Some(colleague.id), Uuid::new_v4())
                .await
                .expect("db")
        );
        assert!(
            t.db.assign_project(f.own, Some(colleague.id), other.incubator_id)
                .await
                .expect("db")
        );

        // The first phone's next pull is whole (its scope changed) and the project is gone; the
        // colleague's phone gets it with its visits.
        let after = pull(&t.db, &f.facilitator, mine, Some(&first.cookie)).await;
        assert!(after.reset, "{:?}", t.engine);
        assert!(!projects_in(&after).contains(&f.own));
        let now = pull(&t.db, &colleague, theirs, Some(&before.cookie)).await;
        assert!(projects_in(&now).contains(&f.own), "{:?}", t.engine);
        assert!(
            visits_in(&now).iter().any(|v| v.fields.project_id == f.own),
            "with its visits"
        );
    }
}

#[tokio::test]
async fn a_milestone_added_then_reached_on_the_phone_reaches_the_supervisor_and_a_stale_edit_is_refused()
 {
    use app::domain::SaveMilestoneArgs;
    use app::sync::mutations::SaveMilestone;
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let f = field(&set);
        let (client, device) = (Uuid::new_v4(), Uuid::new_v4());
        let id = Uuid::new_v4();
        let args = |due: Option<&str>, achieved: Option<&str>| SaveMilestoneArgs {
            id,
            project_id: f.own,
            base_version: None,
            kind: "first_sale".into(),
            label: String::new(),
            due_on: due.map(Into::into),
            achieved_on: achieved.map(Into::into),
        };
        let mut future = args(None, Some("2099-01-01"));
        future.id = Uuid::new_v4();
        let r = send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![
                mutation(
                    client,
                    1,
                    SaveMilestone::NAME,
                    &args(Some("2026-12-31"), None),
                ),
                mutation(
                    client,
                    2,
                    SaveMilestone::NAME,
                    &args(Some("2026-12-31"), Some("2026-11-20")),
                ),
                mutation(client, 3, SaveMilestone::NAME, &future),
            ],
        )
        .await
        .expect("push");
        assert_eq!(
            r.refused
                .iter()
                .map(|x| (x.seq, x.code.as_str()))
                .collect::<Vec<_>>(),
            [(3, "invalid")],
            "{:?}: reached in the future",
            t.engine
        );
        let milestone_in = |response: &PullResponse| {
            response.records.iter().find_map(|r| match r {
                Record::Milestone(m) if m.id == id => Some(m.clone()),
                _ => None,
            })
        };
        let tablet = pull(&t.db, &f.supervisor, Uuid::new_v4(), None).await;
        let seen = milestone_in(&tablet).expect("the supervisor sees it");
        assert_eq!(
            seen.achieved_on.as_deref(),
            Some("2026-11-20"),
            "{:?}",
            t.engine
        );
        assert_eq!(seen.due_on.as_deref(), Some("2026-12-31"));

        // Another phone that had not seen it reached moves its day: refused, never overwritten.
        let phone = Uuid::new_v4();
        let mut edit = args(Some("2027-03-31"), None);
        edit.base_version = Some(seen.version - 1);
        let r = send(
            &t.db,
            &f.facilitator,
            phone,
            phone,
            vec![mutation(phone, 1, SaveMilestone::NAME, &edit)],
        )
        .await
        .expect("push");
        assert_eq!(
            r.refused
                .iter()
                .map(|x| x.code.as_str())
                .collect::<Vec<_>>(),
            ["stale"]
        );
        let now = pull(&t.db, &f.facilitator, client, None).await;
        assert_eq!(
            milestone_in(&now).and_then(|m| m.achieved_on).as_deref(),
            Some("2026-11-20")
        );
    }
}

#[tokio::test]
async fn a_project_corrected_on_the_phone_reaches_the_team_and_an_edit_on_an_old_copy_is_refused() {
    use app::domain::EditProject;
    use app::sync::mutations::EditProjectFields;
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let f = field(&set);
        let team = user(&set, DEMO_LOGINS[2].0);
        let (client, device) = (Uuid::new_v4(), Uuid::new_v4());
        let record_in = |response: &PullResponse, id| {
            response.records.iter().find_map(|r| match r {
                Record::Project(p) if p.id == id => Some(p.clone()),
                _ => None,
            })
        };
        let mine = pull(&t.db, &f.facilitator, client, None).await;
        let seen = record_in(&mine, f.own).expect("on the phone");
        assert!(!seen.legal_form.is_empty(), "{:?}", t.engine);
        let edit = EditProject {
            project_id: f.own,
            base_version: seen.version,
            title: "  Miel du désert – Douz  ".into(),
            legal_form: "cooperative".into(),
            training_track: "germe".into(),
        };
        let r = send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![
                mutation(client, 1, EditProjectFields::NAME, &edit),
                mutation(
                    client,
                    2,
                    EditProjectFields::NAME,
                    &EditProject {
                        project_id: f.other,
                        ..edit.clone()
                    },
                ),
            ],
        )
        .await
        .expect("push");
        assert_eq!(
            r.refused
                .iter()
                .map(|x| (x.seq, x.code.as_str()))
                .collect::<Vec<_>>(),
            [(2, "forbidden")]
        );
        let office = pull(&t.db, &team, Uuid::new_v4(), None).await;
        let now = record_in(&office, f.own).expect("the team sees it");
        assert_eq!(
            (
                now.title.as_str(),
                now.legal_form.as_str(),
                now.training_track.as_str()
            ),
            ("Miel du désert – Douz", "cooperative", "germe"),
            "{:?}",
            t.engine
        );
        let detail =
            t.db.project_detail(app::server::db::ProjectScope::All, f.own, support::today())
                .await
                .expect("detail")
                .expect("found");
        assert_eq!(detail.legal_form, "cooperative");

        // A second phone still holding the old copy: refused, the correction stays.
        let phone = Uuid::new_v4();
        let r = send(
            &t.db,
            &f.facilitator,
            phone,
            phone,
            vec![mutation(
                phone,
                1,
                EditProjectFields::NAME,
                &EditProject {
                    title: "Autre titre".into(),
                    ..edit.clone()
                },
            )],
        )
        .await
        .expect("push");
        assert_eq!(
            r.refused
                .iter()
                .map(|x| x.code.as_str())
                .collect::<Vec<_>>(),
            ["stale"]
        );
    }
}

#[tokio::test]
async fn a_member_who_left_is_recorded_from_the_phone_and_never_before_joining() {
    use app::domain::{MemberLeaves, SaveMemberArgs};
    use app::sync::mutations::{LeaveProject, SaveMember};
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let f = field(&set);
        let (client, device) = (Uuid::new_v4(), Uuid::new_v4());
        let id = Uuid::new_v4();
        let leaves = |on: &str| MemberLeaves {
            id,
            project_id: f.own,
            left_on: on.into(),
        };
        let r = send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![
                mutation(
                    client,
                    1,
                    SaveMember::NAME,
                    &SaveMemberArgs {
                        id,
                        project_id: f.own,
                        base_version: None,
                        form_version: 1,
                        answers: member_answers("Hédi Saïdi", false, "1"),
                    },
                ),
                // Joined on 2026-11-01: leaving before is refused.
                mutation(client, 2, LeaveProject::NAME, &leaves("2026-10-15")),
                mutation(client, 3, LeaveProject::NAME, &leaves("2026-11-20")),
            ],
        )
        .await
        .expect("push");
        assert_eq!(
            r.refused
                .iter()
                .map(|x| (x.seq, x.code.as_str(), x.field.as_deref()))
                .collect::<Vec<_>>(),
            [(2, "invalid", Some("left_on"))],
            "{:?}",
            t.engine
        );
        let tablet = pull(&t.db, &f.supervisor, Uuid::new_v4(), None).await;
        let left = tablet.records.iter().find_map(|r| match r {
            Record::Member(m) if m.member.id == id => m.member.left_on.clone(),
            _ => None,
        });
        assert_eq!(left.as_deref(), Some("2026-11-20"), "{:?}", t.engine);
        // An edit of the member's answers afterwards keeps the day they left.
        let version = tablet.records.iter().find_map(|r| match r {
            Record::Member(m) if m.member.id == id => Some(m.version),
            _ => None,
        });
        let r = send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![mutation(
                client,
                4,
                SaveMember::NAME,
                &SaveMemberArgs {
                    id,
                    project_id: f.own,
                    base_version: version,
                    form_version: 1,
                    answers: member_answers("Hédi Saïdi", false, "1"),
                },
            )],
        )
        .await
        .expect("push");
        assert!(r.refused.is_empty(), "{r:?}");
        let now = pull(&t.db, &f.facilitator, client, None).await;
        assert!(now.records.iter().any(|r| matches!(r,
            Record::Member(m) if m.member.id == id && m.member.left_on.as_deref() == Some("2026-11-20"))));
    }
}

#[tokio::test]
async fn a_project_registered_on_the_phone_reaches_the_server_with_what_was_recorded_on_it_and_a_taken_code_is_refused()
 {
    use app::domain::{NewProject, ProjectKind, ProjectOrigin, ProjectStatus};
    use app::sync::mutations::{CreateProject, EditProjectFields};
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let f = field(&set);
        let choices =
            t.db.registry_choices(f.facilitator.id)
                .await
                .expect("choices");
        assert!(choices.incubator.is_some(), "a facilitator's incubator");
        let (chain, _, _) = choices.value_chains[0].clone();
        let (place, _, _) = choices.localities[0].clone();
        let taken = set.projects[0].code.clone();
        assert!(choices.codes.contains(&taken), "{:?}", t.engine);
        let registration = |id, code: &str| NewProject {
            id,
            code: code.into(),
            title: "Vannerie des femmes de Telmine".into(),
            origin: ProjectOrigin {
                kind: ProjectKind::Collective,
                value_chain_id: chain,
                locality_id: place,
                call_wave: 3,
            },
            legal_form: "gda".into(),
            training_track: "collective_sse".into(),
        };
        let action = |id: u128, project| NewActionItem {
            id: Uuid::from_u128(id),
            project_id: project,
            visit_id: None,
            title: "Ouvrir un compte postal".into(),
            due_on: None,
        };
        let (new, clash) = (Uuid::new_v4(), Uuid::new_v4());
        let (client, device) = (Uuid::new_v4(), Uuid::new_v4());
        let phone_before = pull(&t.db, &f.facilitator, client, None).await;
        let batch = vec![
            mutation(
                client,
                1,
                CreateProject::NAME,
                &registration(new, " jn-van-01 "),
            ),
            mutation(client, 2, AddAction::NAME, &action(1, new)),
            mutation(
                client,
                3,
                EditProjectFields::NAME,
                &app::domain::EditProject {
                    project_id: new,
                    base_version: 0,
                    title: "Vannerie de Telmine".into(),
                    legal_form: "gda".into(),
                    training_track: "collective_sse".into(),
                },
            ),
            mutation(client, 4, CreateProject::NAME, &registration(clash, &taken)),
            mutation(client, 5, AddAction::NAME, &action(2, clash)),
        ];
        let refused = |r: &PushResponse| {
            r.refused
                .iter()
                .map(|x| (x.seq, x.code.clone()))
                .collect::<Vec<_>>()
        };
        let first = send(&t.db, &f.facilitator, client, device, batch.clone())
            .await
            .expect("push");
        let expected = vec![
            (4, "already_exists".to_owned()),
            (5, "forbidden".to_owned()),
        ];
        assert_eq!(refused(&first), expected, "{:?}", t.engine);
        // Sent again after a lost answer: the same answer, nothing twice.
        let again = send(&t.db, &f.facilitator, client, device, batch)
            .await
            .expect("replay");
        assert_eq!(refused(&again), expected);

        // The phone's next pull is whole (its scope grew) and holds the project as the server
        // keeps it.
        let phone = pull(&t.db, &f.facilitator, client, Some(&phone_before.cookie)).await;
        assert!(phone.reset, "{:?}", t.engine);
        let project = phone
            .records
            .iter()
            .find_map(|r| match r {
                Record::Project(p) if p.id == new => Some(p.clone()),
                _ => None,
            })
            .expect("the registered project");
        assert_eq!(project.code, "JN-VAN-01");
        assert_eq!(project.title, "Vannerie de Telmine");
        assert_eq!(project.status, Some(ProjectStatus::Preselected));
        assert_eq!(project.origin.as_ref().map(|o| o.call_wave), Some(3));
        assert!(
            phone
                .records
                .iter()
                .any(|r| matches!(r, Record::Action(a) if a.project_id == new))
        );
        assert!(!phone.records.iter().any(|r| r.key().1 == clash));

        // The supervisor of the facilitator's incubator lists it, preselected, with no grant yet.
        let cards =
            t.db.project_cards(
                project_scope(&f.supervisor).expect("scope"),
                support::today(),
            )
            .await
            .expect("cards");
        let card = cards.iter().find(|c| c.id == new);
        // (The demo's first supervisor oversees the first facilitator's incubator.)
        assert!(cards.iter().any(|c| c.id == f.own), "{:?}", t.engine);
        {
            let card = card.expect("in the supervisor's list");
            assert_eq!(card.facilitator, f.facilitator.name);
            assert_eq!(card.kind, ProjectKind::Collective);
        }
        let detail =
            t.db.project_detail(app::server::db::ProjectScope::All, new, support::today())
                .await
                .expect("detail")
                .expect("found");
        assert_eq!((detail.grant_millimes, detail.call_wave), (0, 3));

        // The refused registration, corrected on the phone with the same id, lands; the action
        // saved on it is sent again and lands too.
        let fixed = send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![
                mutation(
                    client,
                    6,
                    CreateProject::NAME,
                    &registration(clash, "JN-VAN-02"),
                ),
                mutation(client, 7, AddAction::NAME, &action(2, clash)),
            ],
        )
        .await
        .expect("push");
        assert_eq!(refused(&fixed), vec![]);

        // Only facilitators register projects; a supervisor's attempt is refused.
        let sup = Uuid::new_v4();
        let r = send(
            &t.db,
            &f.supervisor,
            sup,
            sup,
            vec![mutation(
                sup,
                1,
                CreateProject::NAME,
                &registration(Uuid::new_v4(), "JN-VAN-03"),
            )],
        )
        .await
        .expect("push");
        assert_eq!(refused(&r), vec![(1, "forbidden".to_owned())]);
    }
}

#[tokio::test]
async fn members_and_milestones_sent_from_the_phone_are_reviewed_returned_fixed_and_validated() {
    use app::domain::registry::RegistryRecord;
    use app::domain::{
        EntryStatus, HistoryEvent, ReviewDecision, SaveMemberArgs, SaveMilestoneArgs,
    };
    use app::server::sync::review::{Review, review};
    use app::sync::mutations::{SaveMember, SaveMilestone};
    use app::sync::protocol::RecordKind;
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let f = field(&set);
        let (client, device) = (Uuid::new_v4(), Uuid::new_v4());
        let (member, milestone) = (Uuid::new_v4(), Uuid::new_v4());
        let member_args = |base, answers| SaveMemberArgs {
            id: member,
            project_id: f.own,
            base_version: base,
            form_version: 1,
            answers,
        };
        let milestone_args = |base, achieved: &str| SaveMilestoneArgs {
            id: milestone,
            project_id: f.own,
            base_version: base,
            kind: "first_sale".into(),
            label: String::new(),
            due_on: Some("2026-12-31".into()),
            achieved_on: Some(achieved.into()),
        };
        let supervisor_scope = app::server::auth::review_scope(&f.supervisor).expect("scope");
        // The demo's members and milestones were loaded by the team: nothing waits.
        let queue =
            t.db.registry_review_queue(supervisor_scope)
                .await
                .expect("queue");
        assert!(queue.is_empty(), "{:?}: {queue:?}", t.engine);

        let r = send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![
                mutation(
                    client,
                    1,
                    SaveMember::NAME,
                    &member_args(None, member_answers("Salma Ben Ali", true, "3")),
                ),
                mutation(
                    client,
                    2,
                    SaveMilestone::NAME,
                    &milestone_args(None, "2026-11-20"),
                ),
            ],
        )
        .await
        .expect("push");
        assert!(r.refused.is_empty(), "{:?}", r.refused);
        let queue =
            t.db.registry_review_queue(supervisor_scope)
                .await
                .expect("queue");
        assert_eq!(queue.len(), 2, "{:?}", t.engine);
        let waiting = |queue: &[app::domain::registry::RegistryReviewItem], id| {
            queue.iter().find(|i| i.record.id() == id).cloned()
        };
        let m = waiting(&queue, member).expect("the member waits");
        match &m.record {
            // The supervisor reads the derived flag, never the private answers, even in history.
            RegistryRecord::Member(x) => assert!(x.with_disability && x.private.is_none()),
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(&m.history[..], [HistoryEvent::Registry { record, .. }]
            if matches!(&**record, RegistryRecord::Member(x) if x.private.is_none()))
        );
        let ms = waiting(&queue, milestone).expect("the milestone waits");

        let decide = |kind, id, version, decision, comment: &str| {
            let db = &t.db;
            let supervisor = f.supervisor.clone();
            let comment = comment.to_owned();
            async move {
                review(
                    db.begin_push().await.expect("tx"),
                    supervisor_scope,
                    &supervisor,
                    Review {
                        kind,
                        id,
                        seen_version: version,
                        decision,
                        comment,
                    },
                )
                .await
            }
        };
        // A return needs a comment; with one, the member goes back to the phone.
        assert!(matches!(
            decide(
                RecordKind::Member,
                member,
                m.version,
                ReviewDecision::Return,
                " "
            )
            .await,
            Err(AppError::Invalid { .. })
        ));
        decide(
            RecordKind::Member,
            member,
            m.version,
            ReviewDecision::Return,
            "Vérifier l'année de naissance",
        )
        .await
        .expect("returned");
        // Deciding again on the version already decided: stale.
        assert_eq!(
            decide(
                RecordKind::Member,
                member,
                m.version,
                ReviewDecision::Validate,
                ""
            )
            .await,
            Err(AppError::Stale)
        );
        decide(
            RecordKind::Milestone,
            milestone,
            ms.version,
            ReviewDecision::Validate,
            "",
        )
        .await
        .expect("validated");
        // Another incubator's supervisor does not find them.
        let other_supervisor = set
            .users
            .iter()
            .filter(|u| u.role == app::domain::Role::Supervisor)
            .map(|u| user(&set, &u.email))
            .find(|u| u.id != f.supervisor.id);
        if let Some(other) = other_supervisor {
            let scope = app::server::auth::review_scope(&other).expect("scope");
            let r = review(
                t.db.begin_push().await.expect("tx"),
                scope,
                &other,
                Review {
                    kind: RecordKind::Milestone,
                    id: milestone,
                    seen_version: ms.version,
                    decision: ReviewDecision::Validate,
                    comment: String::new(),
                },
            )
            .await;
            assert!(
                matches!(r, Err(AppError::NotFound | AppError::Stale)),
                "{r:?}"
            );
        }

        // The phone learns both decisions at its next pull.
        let phone = pull(&t.db, &f.facilitator, client, None).await;
        let on_phone = phone
            .records
            .iter()
            .find_map(|r| match r {
                Record::Member(x) if x.member.id == member => Some(x.clone()),
                _ => None,
            })
            .expect("member on the phone");
        let note = on_phone.review.clone().expect("the decision");
        assert_eq!(note.decision, EntryStatus::Returned);
        assert_eq!(note.comment, "Vérifier l'année de naissance");
        assert_eq!(note.by_name, f.supervisor.name);
        assert!(phone.records.iter().any(|r| matches!(r, Record::Milestone(x)
            if x.id == milestone && x.review.as_ref().is_some_and(|n| n.decision == EntryStatus::Validated))));

        // The fix is a new version, waiting again, with both versions and the return in its
        // history.
        let mut fixed = member_answers("Salma Ben Ali", true, "3");
        fixed.insert(
            "birth_year".into(),
            app::domain::form::Answer::Number(1996.0),
        );
        let r = send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![mutation(
                client,
                3,
                SaveMember::NAME,
                &member_args(Some(on_phone.version), fixed),
            )],
        )
        .await
        .expect("push");
        assert!(r.refused.is_empty(), "{:?}", r.refused);
        let queue =
            t.db.registry_review_queue(supervisor_scope)
                .await
                .expect("queue");
        assert_eq!(queue.len(), 1, "the validated milestone waits no more");
        let again = waiting(&queue, member).expect("the fix waits");
        let kinds: Vec<&str> = again
            .history
            .iter()
            .map(|e| match e {
                HistoryEvent::Registry { .. } => "version",
                HistoryEvent::Review { .. } => "review",
                _ => "other",
            })
            .collect();
        assert_eq!(kinds, ["version", "review", "version"]);
        decide(
            RecordKind::Member,
            member,
            again.version,
            ReviewDecision::Validate,
            "",
        )
        .await
        .expect("validated");
        assert!(
            t.db.registry_review_queue(supervisor_scope)
                .await
                .expect("queue")
                .is_empty()
        );
    }
}

#[tokio::test]
async fn indicator_values_entered_on_the_phone_are_checked_against_the_catalogue_and_a_locked_period_refuses_them()
 {
    use app::domain::Sex;
    use app::domain::indicator::value::{
        CellValue, PeriodStatus, SaveValueArgs, ValueSource, value_id,
    };
    use app::domain::indicator::{Cell, starter_catalogue};
    use app::sync::mutations::SaveIndicatorValue;
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let f = field(&set);
        let chain = set
            .projects
            .iter()
            .find(|p| p.id == f.own)
            .and_then(|p| set.value_chains.iter().find(|v| v.id == p.value_chain_id))
            .expect("the project's value chain")
            .code
            .clone();
        let elsewhere = starter_catalogue()
            .into_iter()
            .find(|d| !d.is_derived() && !d.applies_to(&chain))
            .expect("an indicator for other value chains");
        let value = |indicator: &str, period: &str, amount: i64| SaveValueArgs {
            id: value_id(f.own, indicator, period),
            project_id: f.own,
            base_version: None,
            indicator: indicator.into(),
            indicator_version: 1,
            period: period.into(),
            value: amount,
            cells: Vec::new(),
            source: ValueSource::Record,
            evidence: "Registre des présences".into(),
            status: EntryStatus::Submitted,
            form: None,
        };
        let mut jobs = value("SOC-01", "2026-Q3", 5000);
        jobs.cells = [(Sex::Female, 3000), (Sex::Male, 2000)]
            .into_iter()
            .map(|(sex, value)| CellValue {
                cell: Cell {
                    sex: Some(sex),
                    ..Cell::default()
                },
                value,
            })
            .collect();
        let mut unknown_version = value("SOC-03", "2026-Q3", 4000);
        unknown_version.indicator_version = 9;
        t.db.set_period("2026-Q2", PeriodStatus::Locked, "", f.supervisor.id)
            .await
            .expect("lock");
        let (client, device) = (Uuid::new_v4(), Uuid::new_v4());
        let name = SaveIndicatorValue::NAME;
        let r = send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![
                mutation(client, 1, name, &jobs),
                mutation(client, 2, name, &value("SOC-04", "2026-Q3", 50_000)),
                mutation(client, 3, name, &value("SOC-03", "2027-Q1", 4000)),
                mutation(client, 4, name, &value("SOC-03", "2026-Q3", -4000)),
                mutation(client, 5, name, &unknown_version),
                mutation(
                    client,
                    6,
                    name,
                    &value(
                        &elsewhere.code,
                        &app::domain::indicator::value::period_of(
                            elsewhere.frequency,
                            "2026-09-01",
                        ),
                        1000,
                    ),
                ),
                mutation(client, 7, name, &value("SOC-03", "2026-Q2", 4000)),
                mutation(client, 8, name, &value("SOC-03", "2026-Q3", 4000)),
                // A month within the locked quarter is locked with it.
                mutation(client, 9, name, &value("ECO-01", "2026-05", 1_500_000)),
            ],
        )
        .await
        .expect("push");
        let refused: Vec<(u64, String, Option<String>)> = r
            .refused
            .iter()
            .map(|x| (x.seq, x.code.clone(), x.field.clone()))
            .collect();
        assert_eq!(
            refused,
            vec![
                (2, "invalid".into(), Some("indicator".into())),
                (3, "invalid".into(), Some("period".into())),
                (4, "invalid".into(), Some("value".into())),
                (5, "unknown_indicator_version".into(), None),
                (6, "not_applicable".into(), None),
                (7, "period_locked".into(), None),
                (9, "period_locked".into(), None),
            ],
            "{:?}",
            t.engine
        );

        // The supervisor's pull holds both values, with the breakdown (beside the values the
        // team loaded with the demo, which have no author).
        let tablet = pull(&t.db, &f.supervisor, Uuid::new_v4(), None).await;
        let values: Vec<&app::domain::indicator::value::IndicatorValue> = tablet
            .records
            .iter()
            .filter_map(|r| match r {
                Record::Value(v) if v.project_id == f.own && v.author_id.is_some() => Some(v),
                _ => None,
            })
            .collect();
        assert_eq!(values.len(), 2, "{:?}", t.engine);
        let seen = values
            .iter()
            .find(|v| v.indicator == "SOC-01")
            .expect("SOC-01");
        assert_eq!((seen.value, seen.cells.len()), (5000, 2));

        // Another phone entering the same value makes no second record; on the version it saw,
        // its correction applies.
        let other = Uuid::new_v4();
        let r = send(
            &t.db,
            &f.facilitator,
            other,
            other,
            vec![mutation(other, 1, name, &value("SOC-03", "2026-Q3", 6000))],
        )
        .await
        .expect("push");
        assert_eq!(
            r.refused
                .iter()
                .map(|x| x.code.as_str())
                .collect::<Vec<_>>(),
            ["already_exists"]
        );
        let current = values
            .iter()
            .find(|v| v.indicator == "SOC-03")
            .expect("SOC-03")
            .version;
        let mut fix = value("SOC-03", "2026-Q3", 6000);
        fix.base_version = Some(current);
        let r = send(
            &t.db,
            &f.facilitator,
            other,
            other,
            vec![mutation(other, 2, name, &fix)],
        )
        .await
        .expect("push");
        assert!(r.refused.is_empty(), "{:?}", r.refused);

        // The team reopens the locked quarter, with a reason: the value lands.
        t.db.set_period(
            "2026-Q2",
            PeriodStatus::Open,
            "Valeurs de Douz en retard",
            f.supervisor.id,
        )
        .await
        .expect("reopen");
        let r = send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![mutation(
                client,
                10,
                name,
                &value("SOC-03", "2026-Q2", 4000),
            )],
        )
        .await
        .expect("push");
        assert!(r.refused.is_empty(), "{:?}", r.refused);
        let periods = t.db.periods().await.expect("periods");
        assert_eq!(
            periods,
            vec![(
                "2026-Q2".to_owned(),
                PeriodStatus::Open,
                "Valeurs de Douz en retard".to_owned()
            )]
        );

        // The supervisor reviews values like every entry: the jobs figure waits, is validated,
        // and a late change to it is refused.
        use app::domain::ReviewDecision;
        use app::domain::registry::RegistryRecord;
        use app::server::sync::review::{Review, review};
        let scope = app::server::auth::review_scope(&f.supervisor).expect("scope");
        let queue = t.db.registry_review_queue(scope).await.expect("queue");
        let waiting = queue
            .iter()
            .find(|i| matches!(&i.record, RegistryRecord::Value(v) if v.indicator == "SOC-01" && v.project_id == f.own))
            .expect("the jobs value waits for review");
        assert!(!waiting.history.is_empty());
        review(
            t.db.begin_push().await.expect("tx"),
            scope,
            &f.supervisor,
            Review {
                kind: app::sync::protocol::RecordKind::Value,
                id: waiting.record.id(),
                seen_version: waiting.version,
                decision: ReviewDecision::Validate,
                comment: String::new(),
            },
        )
        .await
        .expect("validated");
        let phone = pull(&t.db, &f.facilitator, client, None).await;
        let validated = phone
            .records
            .iter()
            .find_map(|r| match r {
                Record::Value(v) if v.id == waiting.record.id() => Some(v.clone()),
                _ => None,
            })
            .expect("on the phone");
        assert_eq!(validated.status, EntryStatus::Validated);
        let mut late = jobs.clone();
        late.base_version = Some(validated.version);
        let r = send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![mutation(client, 11, name, &late)],
        )
        .await
        .expect("push");
        assert_eq!(
            r.refused
                .iter()
                .map(|x| x.code.as_str())
                .collect::<Vec<_>>(),
            ["already_validated"]
        );
    }
}

#[tokio::test]
async fn a_visit_captured_through_its_form_is_checked_against_that_version_and_comes_back_with_its_answers()
 {
    use app::domain::form::{Answer, Answers};
    use app::domain::{FormAnswers, VISIT_FORM};
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let f = field(&set);
        let (client, device) = (Uuid::new_v4(), Uuid::new_v4());
        let latest = app::server::forms::builtin()
            .expect("the shipped forms")
            .latest(VISIT_FORM)
            .expect("the visit form")
            .version;
        let captured = |status, given: serde_json::Value, version| {
            let answers: Answers = serde_json::from_value(given).expect("answers");
            SaveVisitArgs {
                id: Uuid::new_v4(),
                base_version: None,
                fields: VisitFields::from_answers(f.own, status, FormAnswers { version, answers })
                    .expect("the record reads them"),
            }
        };
        let good = captured(
            EntryStatus::Submitted,
            serde_json::json!({"visit_on": "2026-11-20", "mode": "phone", "topics": ["marketing"],
                "observations": "Fiche remplie sur le téléphone", "sales": 1_200_500,
                "cash_book": false, "shock": true, "shock_details": "Vent de sable", "satisfaction": 4}),
            latest,
        );
        let draft = captured(
            EntryStatus::Draft,
            serde_json::json!({"visit_on": "2026-11-21", "mode": "on_site", "shock": true}),
            latest,
        );
        let unfinished = captured(
            EntryStatus::Submitted,
            serde_json::json!({"visit_on": "2026-11-21", "mode": "on_site", "shock": true}),
            latest,
        );
        let unknown = captured(
            EntryStatus::Submitted,
            serde_json::json!({"visit_on": "2026-11-22", "mode": "on_site"}),
            latest + 7,
        );
        let mut disagreeing = captured(
            EntryStatus::Submitted,
            serde_json::json!({"visit_on": "2026-11-23", "mode": "on_site", "observations": "Dit ceci"}),
            latest,
        );
        disagreeing.fields.observations = "Dit autre chose".into();
        let batch = [&good, &draft, &unfinished, &unknown, &disagreeing]
            .into_iter()
            .zip(1..)
            .map(|(args, seq)| save(client, seq, args))
            .collect();
        let reply = send(&t.db, &f.facilitator, client, device, batch)
            .await
            .expect("push");
        assert_eq!(
            reply
                .refused
                .iter()
                .map(|r| (r.seq, r.code.as_str(), r.field.as_deref()))
                .collect::<Vec<_>>(),
            [
                (3, "invalid_answers", None),
                (4, "unknown_form_version", None),
                (5, "invalid", Some("answers")),
            ],
            "{:?}",
            t.engine
        );

        // Back on the phone (another one, from the server alone): the record and every
        // answer, the question it has no column for included.
        let seen = pull(&t.db, &f.facilitator, Uuid::new_v4(), None).await;
        let back = visits_in(&seen)
            .into_iter()
            .find(|v| v.id == good.id)
            .expect("on the phone");
        assert_eq!(back.fields, good.fields, "{:?}", t.engine);
        assert_eq!(back.fields.snapshot.shock, "Vent de sable");
        let kept = &back.fields.form.as_ref().expect("answers kept").answers;
        assert_eq!(kept.get("satisfaction"), Some(&Answer::Number(4.0)));
        assert!(visits_in(&seen).iter().any(|v| v.id == draft.id));
        assert!(!visits_in(&seen).iter().any(|v| v.id == unfinished.id));

        // The supervisor reviews it like any visit.
        let supervisor = pull(&t.db, &f.supervisor, Uuid::new_v4(), None).await;
        assert!(visits_in(&supervisor).iter().any(|v| v.id == good.id));
        assert!(!visits_in(&supervisor).iter().any(|v| v.id == draft.id));
    }
}

#[tokio::test]
async fn an_indicator_value_entered_through_its_form_keeps_its_answers_and_is_checked_against_that_version()
 {
    use app::domain::FormAnswers;
    use app::domain::form::{Answer, Answers};
    use app::domain::indicator::value::{INDICATOR_FORM, SaveValueArgs, read_entry, value_id};
    use app::sync::mutations::SaveIndicatorValue;
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let f = field(&set);
        // The team added a question to the entry form.
        let mut added = app::server::forms::builtin()
            .expect("the shipped forms")
            .latest(INDICATOR_FORM)
            .expect("the entry form")
            .clone();
        added.version += 1;
        let mut question = added.fields[0].clone();
        question.name = "counted_by".into();
        question.kind = app::domain::form::FieldKind::Text;
        question.required = false;
        added.fields.push(question);
        t.db.insert_form(&added, None).await.expect("published");
        let latest = added.version;
        let entered = |period: &str, given: serde_json::Value, version| {
            let answers: Answers = serde_json::from_value(given).expect("answers");
            let (value, source, evidence) = read_entry(&answers).expect("read");
            SaveValueArgs {
                id: value_id(f.own, "SOC-03", period),
                project_id: f.own,
                base_version: None,
                indicator: "SOC-03".into(),
                indicator_version: 1,
                period: period.into(),
                value,
                cells: Vec::new(),
                source,
                evidence,
                status: EntryStatus::Submitted,
                form: Some(FormAnswers { version, answers }),
            }
        };
        let good = entered(
            "2026-Q3",
            serde_json::json!({"value": 12, "source": "survey", "evidence": "Liste d'émargement",
                "counted_by": "Animatrice"}),
            latest,
        );
        let unknown = entered(
            "2026-Q2",
            serde_json::json!({"value": 10, "source": "record"}),
            latest + 5,
        );
        let mut disagreeing = entered(
            "2026-Q1",
            serde_json::json!({"value": 9, "source": "record"}),
            latest,
        );
        disagreeing.value = 90_000;
        let (client, device) = (Uuid::new_v4(), Uuid::new_v4());
        let name = SaveIndicatorValue::NAME;
        let r = send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![
                mutation(client, 1, name, &good),
                mutation(client, 2, name, &unknown),
                mutation(client, 3, name, &disagreeing),
            ],
        )
        .await
        .expect("push");
        assert_eq!(
            r.refused
                .iter()
                .map(|x| (x.seq, x.code.as_str(), x.field.as_deref()))
                .collect::<Vec<_>>(),
            [
                (2, "unknown_form_version", None),
                (3, "invalid", Some("answers")),
            ],
            "{:?}",
            t.engine
        );
        let tablet = pull(&t.db, &f.supervisor, Uuid::new_v4(), None).await;
        let seen = tablet
            .records
            .iter()
            .find_map(|r| match r {
                Record::Value(v) if v.id == good.id => Some(v),
                _ => None,
            })
            .expect("the supervisor's pull holds it");
        assert_eq!(seen.value, 12_000);
        let kept = &seen.form.as_ref().expect("answers kept").answers;
        assert_eq!(
            kept.get("counted_by"),
            Some(&Answer::Text("Animatrice".into()))
        );
    }
}
