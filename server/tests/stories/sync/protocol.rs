//! Push and pull themselves: a batch applied once, gaps, refusals, a client that is not the user's,
//! drafts, what a pull sends, a database that cannot take a push, devices' heartbeats, and a file
//! of unsent entries.

use super::*;

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
            files_waiting: pending,
            files_waiting_bytes: u64::from(pending) * 200_000,
            ..heartbeat(device)
        };
        let save = |client, user: &SessionUser, heartbeat: Heartbeat| {
            let row = ClientRow {
                id: client,
                user_id: user.id,
                last_seq: 0,
                device_id: heartbeat.device_id,
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
        // And the photos still on it, from the same heartbeat.
        assert_eq!(
            (phone_row.files_waiting, phone_row.files_waiting_bytes),
            (3, 600_000),
            "{:?}",
            t.engine
        );
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

        let team = user(&set, DEMO_LOGINS[2].0).id;
        // Clients the server never saw, even in the owner's name, are refused whole: the file
        // could have been written by anyone.
        assert_eq!(
            import(&t.db, file(mutations.clone()), TODAY, team).await,
            Err(AppError::Forbidden)
        );
        assert_eq!(
            support::count(
                &t,
                "select count(*) from visits where observations like 'imported %'"
            )
            .await,
            0
        );
        // The phone synced once, at its first sign-in: its client is hers.
        send(&t.db, &f.facilitator, client, device, vec![])
            .await
            .expect("first sync");
        let first = import(&t.db, file(mutations.clone()), TODAY, team)
            .await
            .expect("import");
        assert_eq!(
            (first.entries, first.on_server, first.refused),
            (3, 3, 0),
            "{:?}",
            t.engine
        );
        assert_eq!(first.user_name, f.facilitator.name);
        // Who imported whose entries is in the audit trail.
        let trail = support::audit_trail(&t).await;
        let line = trail
            .iter()
            .find(|l| l.kind == "outbox_imported")
            .expect("an audit line");
        assert_eq!(
            (line.actor, line.subject.as_str()),
            (Some(team), f.facilitator.email.as_str())
        );
        let again = import(&t.db, file(mutations.clone()), TODAY, team)
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
        assert_eq!(
            import(&t.db, stolen, TODAY, team).await,
            Err(AppError::Forbidden)
        );
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
        let gap = import(&t.db, file(later), TODAY, team).await.expect("gap");
        assert_eq!((gap.entries, gap.on_server), (2, 0), "{:?}", t.engine);

        // The facilitator's account is disabled: what her phone made before still imports.
        assert!(
            t.db.set_active(f.facilitator.id, false, f.supervisor.id)
                .await
                .expect("disable")
        );
        let kept = Uuid::new_v4();
        let mut late = file(vec![save(
            client,
            4,
            &visit(kept, f.own, None, "made before the account was disabled"),
        )]);
        late.clients[0].mutations.push(save(
            client,
            5,
            &visit(Uuid::new_v4(), f.own, None, "after a gap, now filled"),
        ));
        let imported = import(&t.db, late, TODAY, team)
            .await
            .expect("a disabled account's file");
        assert_eq!(
            (imported.entries, imported.refused),
            (2, 0),
            "{:?}: {imported:?}",
            t.engine
        );
        let seen = pull(&t.db, &f.supervisor, Uuid::new_v4(), None).await;
        assert!(
            visits_in(&seen).iter().any(|v| v.id == kept),
            "{:?}",
            t.engine
        );
    }
}
