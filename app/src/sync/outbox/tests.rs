use super::*;
use crate::domain::{EntryStatus, NewActionItem, Visit, VisitFields, VisitMode};
use crate::storage::MemoryStore;
use crate::sync::mutations::{AddAction, SaveVisit, SaveVisitArgs};
use crate::sync::protocol::Cookie;

const TODAY: &str = "2026-11-26";

fn visit(id: u128, project: Uuid) -> SaveVisitArgs {
    SaveVisitArgs {
        id: Uuid::from_u128(id),
        base_version: None,
        fields: VisitFields {
            project_id: project,
            visit_on: "2026-11-25".into(),
            mode: VisitMode::OnSite,
            present_member_ids: vec![],
            topics: vec![],
            observations: format!("visite {id}"),
            difficulties: String::new(),
            next_visit_on: None,
            status: EntryStatus::Submitted,
            snapshot: Default::default(),
            form: None,
            files: Vec::new(),
        },
    }
}

/// `fields` as the server sends the visit `id`, by `user`, at `version`.
fn sent_visit(id: u128, fields: VisitFields, user: Uuid, version: i64) -> Record {
    Record::Visit(Visit {
        id: Uuid::from_u128(id),
        fields,
        author_id: Some(user),
        version,
        conflict: false,
        review: None,
    })
}

/// A whole pull (it replaces what the phone held) of `records`, at `version`.
fn whole_pull(version: i64, records: Vec<Record>) -> PullResponse {
    PullResponse {
        cookie: Cookie {
            version,
            scope: "s".into(),
        },
        last_seq: 0,
        reset: true,
        records,
        forms: String::new(),
    }
}

#[test]
fn a_save_is_waiting_at_once_and_survives_a_reopen() {
    let kv = MemoryStore::default();
    let (user, project) = (Uuid::from_u128(1), Uuid::from_u128(50));
    let mut outbox = Outbox::open(&kv, user, 0, Uuid::from_u128(7)).expect("open");
    assert_eq!(
        outbox
            .save::<SaveVisit>(&visit(100, project), TODAY, 1)
            .expect("saved"),
        1
    );
    assert_eq!(
        outbox
            .save::<SaveVisit>(&visit(101, project), TODAY, 2)
            .expect("saved"),
        2
    );

    // A reload: same slot, same client, the counter goes on.
    let mut again = Outbox::open(&kv, user, 0, Uuid::from_u128(8)).expect("open");
    assert_eq!(again.client().id, Uuid::from_u128(7));
    assert_eq!(
        again
            .save::<SaveVisit>(&visit(102, project), TODAY, 3)
            .expect("saved"),
        3
    );

    let view = LocalView::load(&kv, &kv, user).expect("view");
    assert_eq!(view.visits_of(project).len(), 3);
    assert_eq!(
        view.state(RecordKind::Visit, Uuid::from_u128(100)),
        SyncState::Waiting
    );
}

#[test]
fn two_tabs_never_hand_out_the_same_number() {
    let kv = MemoryStore::default();
    let user = Uuid::from_u128(1);
    let mut a = Outbox::open(&kv, user, 0, Uuid::from_u128(7)).expect("open");
    let mut b = Outbox::open(&kv, user, 1, Uuid::from_u128(8)).expect("open");
    for i in 0..5 {
        a.save::<SaveVisit>(&visit(200 + i, Uuid::nil()), TODAY, 1)
            .expect("saved");
        b.save::<SaveVisit>(&visit(300 + i, Uuid::nil()), TODAY, 1)
            .expect("saved");
    }
    let all = pending(&kv, user).expect("pending");
    let ids: std::collections::BTreeSet<(Uuid, u64)> =
        all.iter().map(|m| (m.client_id, m.seq)).collect();
    assert_eq!(ids.len(), 10);
    for client in [Uuid::from_u128(7), Uuid::from_u128(8)] {
        let seqs: Vec<u64> = all
            .iter()
            .filter(|m| m.client_id == client)
            .map(|m| m.seq)
            .collect();
        assert_eq!(seqs, [1, 2, 3, 4, 5], "gap-free per client");
    }
}

#[test]
fn a_lost_counter_write_never_reuses_a_number() {
    let kv = MemoryStore::default();
    let user = Uuid::from_u128(1);
    let mut a = Outbox::open(&kv, user, 0, Uuid::from_u128(7)).expect("open");
    a.save::<SaveVisit>(&visit(1, Uuid::nil()), TODAY, 1)
        .expect("saved");
    a.save::<SaveVisit>(&visit(2, Uuid::nil()), TODAY, 1)
        .expect("saved");
    // The counter goes back to 1, as if its last writes never reached the disk.
    let key = format!("{}client/0", prefix(user));
    kv.set(&key, "00000000-0000-0000-0000-000000000007 1")
        .expect("rewound");
    let mut reopened = Outbox::open(&kv, user, 0, Uuid::from_u128(9)).expect("open");
    assert_eq!(
        reopened
            .save::<SaveVisit>(&visit(3, Uuid::nil()), TODAY, 1)
            .expect("saved"),
        3
    );
}

#[test]
fn an_invalid_entry_is_not_stored() {
    let kv = MemoryStore::default();
    let user = Uuid::from_u128(1);
    let mut a = Outbox::open(&kv, user, 0, Uuid::from_u128(7)).expect("open");
    let mut bad = visit(1, Uuid::nil());
    bad.fields.visit_on = "2026-02-31".into();
    assert!(matches!(
        a.save::<SaveVisit>(&bad, TODAY, 1),
        Err(SaveError::Invalid(_))
    ));
    assert!(pending(&kv, user).expect("pending").is_empty());
    assert_eq!(
        a.save::<SaveVisit>(&visit(2, Uuid::nil()), TODAY, 1)
            .expect("saved"),
        1
    );
}

#[test]
fn a_full_phone_refuses_the_save_and_keeps_every_earlier_entry() {
    let kv = MemoryStore::with_quota(1500);
    let user = Uuid::from_u128(1);
    let mut a = Outbox::open(&kv, user, 0, Uuid::from_u128(7)).expect("open");
    let mut saved = 0;
    let err = loop {
        match a.save::<SaveVisit>(&visit(saved + 1, Uuid::nil()), TODAY, 1) {
            Ok(_) => saved += 1,
            Err(e) => break e,
        }
    };
    assert_eq!(err, SaveError::Storage(StorageError::QuotaExceeded));
    assert!(saved >= 2);
    let all = pending(&kv, user).expect("pending");
    assert_eq!(all.len() as u128, saved);
    assert_eq!(all.last().map(|m| m.seq), Some(saved as u64));
}

#[test]
fn acknowledged_entries_leave_and_refused_ones_stay_with_their_reason() {
    let kv = MemoryStore::default();
    let user = Uuid::from_u128(1);
    let client = Uuid::from_u128(7);
    let mut a = Outbox::open(&kv, user, 0, client).expect("open");
    for i in 1..=3 {
        a.save::<SaveVisit>(&visit(i, Uuid::nil()), TODAY, 1)
            .expect("saved");
    }
    let refusal = Refusal {
        seq: 2,
        code: "forbidden".into(),
        field: None,
    };
    acknowledge(&kv, user, client, 2, std::slice::from_ref(&refusal)).expect("acked");
    let left: Vec<u64> = pending(&kv, user)
        .expect("pending")
        .iter()
        .map(|m| m.seq)
        .collect();
    assert_eq!(left, [3]);
    let view = LocalView::load(&kv, &kv, user).expect("view");
    assert_eq!(
        view.state(RecordKind::Visit, Uuid::from_u128(2)),
        SyncState::Refused {
            code: "forbidden".into(),
            field: None
        }
    );
    assert_eq!(
        view.state(RecordKind::Visit, Uuid::from_u128(3)),
        SyncState::Waiting
    );
    // The refused number is never handed out again.
    let mut again = Outbox::open(&kv, user, 0, client).expect("open");
    assert_eq!(again.client().next_seq, 4);
    assert_eq!(
        again
            .save::<AddAction>(
                &NewActionItem {
                    id: Uuid::from_u128(9),
                    project_id: Uuid::nil(),
                    visit_id: None,
                    title: "Tenir le cahier".into(),
                    due_on: None,
                },
                TODAY,
                1,
            )
            .expect("saved"),
        4
    );
}

#[test]
fn a_refused_entry_needs_attention_until_its_record_is_saved_again() {
    let kv = MemoryStore::default();
    let user = Uuid::from_u128(1);
    let client = Uuid::from_u128(7);
    let mut a = Outbox::open(&kv, user, 0, client).expect("open");
    for i in 1..=2 {
        a.save::<SaveVisit>(&visit(i, Uuid::nil()), TODAY, 1)
            .expect("saved");
    }
    let refusal = Refusal {
        seq: 1,
        code: "invalid".into(),
        field: Some("visit_on".into()),
    };
    acknowledge(&kv, user, client, 2, std::slice::from_ref(&refusal)).expect("acked");
    assert_eq!(refused_count(&kv, user).expect("count"), 1);
    let view = LocalView::load(&kv, &kv, user).expect("view");
    let listed: Vec<_> = view
        .refusals()
        .map(|(k, e)| (*k, e.refusal.clone()))
        .collect();
    assert_eq!(
        listed,
        [((RecordKind::Visit, Uuid::from_u128(1)), refusal.clone())]
    );

    // Another record's save leaves it; the same visit corrected supersedes it.
    let mut a = Outbox::open(&kv, user, 0, client).expect("open");
    a.save::<SaveVisit>(&visit(3, Uuid::nil()), TODAY, 1)
        .expect("saved");
    assert_eq!(refused_count(&kv, user).expect("count"), 1);
    a.save::<SaveVisit>(&visit(1, Uuid::nil()), TODAY, 1)
        .expect("saved");
    assert_eq!(refused_count(&kv, user).expect("count"), 0);
    let view = LocalView::load(&kv, &kv, user).expect("view");
    assert_eq!(view.refusals().count(), 0);
    assert_eq!(
        view.state(RecordKind::Visit, Uuid::from_u128(1)),
        SyncState::Waiting
    );
}

#[test]
fn a_save_is_on_the_durable_store_only_once_its_change_is_committed() {
    use crate::storage::Staged;
    let disk = MemoryStore::default();
    let user = Uuid::from_u128(1);
    // The transaction fails (storage full): the staged change is dropped, nothing is stored,
    // and the next save takes the same number.
    let staged = Staged::new(&disk);
    let seq = Outbox::open(&staged, user, 0, Uuid::from_u128(7))
        .and_then(|mut o| {
            o.save::<SaveVisit>(&visit(1, Uuid::nil()), TODAY, 1)
                .map_err(|_| StorageError::Unavailable)
        })
        .expect("staged");
    assert_eq!(seq, 1);
    assert!(
        staged
            .keys()
            .expect("keys")
            .iter()
            .any(|k| k.ends_with("/000000000001"))
    );
    drop(staged);
    assert!(pending(&disk, user).expect("pending").is_empty());

    // Committed: the mutation and the counter in one change.
    let staged = Staged::new(&disk);
    let mut outbox = Outbox::open(&staged, user, 0, Uuid::from_u128(7)).expect("open");
    assert_eq!(
        outbox
            .save::<SaveVisit>(&visit(2, Uuid::nil()), TODAY, 1)
            .expect("saved"),
        1
    );
    let writes = staged.into_writes();
    assert_eq!(writes.len(), 2, "{writes:?}");
    disk.apply(&writes);
    assert_eq!(
        pending(&disk, user)
            .expect("pending")
            .iter()
            .map(|m| m.seq)
            .collect::<Vec<_>>(),
        [1]
    );
}

#[test]
fn moving_the_outbox_out_of_local_storage_loses_nothing_wherever_it_stops() {
    let user = Uuid::from_u128(1);
    let client = Uuid::from_u128(7);
    let legacy = MemoryStore::default();
    let mut old = Outbox::open(&legacy, user, 0, client).expect("open");
    for i in 1..=3 {
        old.save::<SaveVisit>(&visit(i, Uuid::nil()), TODAY, 1)
            .expect("saved");
    }
    acknowledge(
        &legacy,
        user,
        client,
        1,
        &[Refusal {
            seq: 1,
            code: "forbidden".into(),
            field: None,
        }],
    )
    .expect("refused kept");
    let cached = record_key(user, RecordKind::Visit, Uuid::from_u128(50));
    legacy.set(&cached, "{}").expect("stored");
    let disk = MemoryStore::default();

    // Copied, checked, removed: the refused entry, the two waiting and the counter move; the
    // snapshot stays in localStorage.
    let (writes, moved) = move_plan(&legacy, &disk).expect("plan");
    assert_eq!(moved.len(), 4, "{moved:?}");
    assert_eq!(writes.len(), 4);
    assert!(!moved.contains(&cached));
    assert!(!moved_intact(&legacy, &disk, &moved).expect("checked"));
    disk.apply(&writes);
    assert!(moved_intact(&legacy, &disk, &moved).expect("checked"));

    // The browser died before localStorage let go: the next start writes nothing again.
    let (again, moved_again) = move_plan(&legacy, &disk).expect("plan");
    assert!(again.is_empty(), "{again:?}");
    assert_eq!(moved_again, moved);
    let view = LocalView::load(&legacy, &disk, user).expect("view");
    assert_eq!(
        view.state(RecordKind::Visit, Uuid::from_u128(1)),
        SyncState::Refused {
            code: "forbidden".into(),
            field: None
        }
    );
    assert_eq!(
        view.state(RecordKind::Visit, Uuid::from_u128(3)),
        SyncState::Waiting
    );

    // Later: both entries were sent and dropped, two more saved; then the removals from
    // localStorage turn out never to have reached its disk. The entries come back (the server
    // skips numbers it has), and the counter does not go back.
    acknowledge(&disk, user, client, 3, &[]).expect("acked");
    let mut outbox = Outbox::open(&disk, user, 0, Uuid::from_u128(8)).expect("open");
    for i in 4..=5 {
        outbox
            .save::<SaveVisit>(&visit(i, Uuid::nil()), TODAY, 1)
            .expect("saved");
    }
    let (writes, _) = move_plan(&legacy, &disk).expect("plan");
    assert!(
        writes.iter().all(|(k, _)| !k.contains("/client/")),
        "{writes:?}"
    );
    disk.apply(&writes);
    let mut reopened = Outbox::open(&disk, user, 0, Uuid::from_u128(9)).expect("open");
    assert_eq!(reopened.client().id, client);
    assert_eq!(
        reopened
            .save::<SaveVisit>(&visit(6, Uuid::nil()), TODAY, 1)
            .expect("saved"),
        6
    );

    // A slot counter of another client on disk is kept as it is.
    let other = format!("{}client/1", prefix(user));
    legacy
        .set(&other, &format!("{} 40", Uuid::from_u128(70)))
        .expect("stored");
    disk.set(&other, &format!("{} 2", Uuid::from_u128(71)))
        .expect("stored");
    let (writes, moved) = move_plan(&legacy, &disk).expect("plan");
    assert!(writes.iter().all(|(k, _)| *k != other));
    assert!(moved.contains(&other));
}

#[test]
fn a_pull_replaces_the_snapshot_and_pending_edits_stay_on_top() {
    let kv = MemoryStore::default();
    let (user, project) = (Uuid::from_u128(1), Uuid::from_u128(50));
    let mut a = Outbox::open(&kv, user, 0, Uuid::from_u128(7)).expect("open");
    let mut edit = visit(100, project);
    edit.base_version = Some(4);
    edit.fields.observations = "corrigé sur le téléphone".into();
    a.save::<SaveVisit>(&edit, TODAY, 1).expect("saved");

    let mut server = visit(100, project);
    server.fields.observations = "version du serveur".into();
    let stale = Record::Visit(Visit {
        id: Uuid::from_u128(999),
        fields: visit(999, project).fields,
        author_id: None,
        version: 1,
        conflict: false,
        review: None,
    });
    kv.set(
        &record_key(user, RecordKind::Visit, Uuid::from_u128(999)),
        &serde_json::to_string(&stale).expect("json"),
    )
    .expect("stored");
    let response = PullResponse {
        cookie: Cookie {
            version: 4,
            scope: "s".into(),
        },
        last_seq: 0,
        reset: true,
        records: vec![Record::Visit(Visit {
            id: Uuid::from_u128(100),
            fields: server.fields,
            author_id: Some(user),
            version: 4,
            conflict: false,
            review: None,
        })],
        forms: String::new(),
    };
    apply_pull(&kv, user, &response).expect("applied");
    let view = LocalView::load(&kv, &kv, user).expect("view");
    let v = view.get::<Visit>(Uuid::from_u128(100)).expect("visit");
    assert_eq!(v.fields.observations, "corrigé sur le téléphone");
    assert_eq!(v.version, 4);
    assert!(
        view.get::<Visit>(Uuid::from_u128(999)).is_none(),
        "left the scope"
    );
    assert_eq!(cookie(&kv, user).map(|c| c.version), Some(4));
}

#[test]
fn a_project_lists_the_latest_day_first_and_within_a_day_the_latest_recorded() {
    let kv = MemoryStore::default();
    let (user, project) = (Uuid::from_u128(1), Uuid::from_u128(50));
    let on_server = |id: u128, day: &str, version: i64| {
        let mut fields = visit(id, project).fields;
        fields.visit_on = day.into();
        sent_visit(id, fields, user, version)
    };
    let response = whole_pull(
        9,
        vec![
            on_server(10, "2026-11-25", 9),
            on_server(11, "2026-11-25", 5),
            on_server(12, "2026-11-24", 7),
        ],
    );
    apply_pull(&kv, user, &response).expect("applied");
    // Recorded on the phone today, for the day before: not on the server yet.
    let mut outbox = Outbox::open(&kv, user, 0, Uuid::from_u128(7)).expect("open");
    outbox
        .save::<SaveVisit>(&visit(99, project), TODAY, 1)
        .expect("saved");
    let view = LocalView::load(&kv, &kv, user).expect("view");
    let order: Vec<u128> = view
        .visits_of(project)
        .iter()
        .map(|v| v.id.as_u128())
        .collect();
    assert_eq!(order, [99, 10, 11, 12]);
}

#[test]
fn the_users_with_entries_waiting_on_a_device_are_found_without_their_identity() {
    let kv = MemoryStore::default();
    let project = Uuid::from_u128(50);
    assert_eq!(users_with_pending(&kv), Ok(vec![]));
    for (user, slot) in [
        (Uuid::from_u128(2), 0),
        (Uuid::from_u128(1), 0),
        (Uuid::from_u128(2), 1),
    ] {
        let mut outbox =
            Outbox::open(&kv, user, slot, Uuid::from_u128(10 + slot as u128)).expect("open");
        outbox
            .save::<SaveVisit>(&visit(100 + slot as u128, project), TODAY, 1)
            .expect("saved");
    }
    // A user with nothing waiting, only other keys, is not one.
    kv.set(
        "athar/v1/u/00000000-0000-0000-0000-000000000003/projects",
        "[]",
    )
    .expect("set");
    assert_eq!(
        users_with_pending(&kv),
        Ok(vec![Uuid::from_u128(1), Uuid::from_u128(2)])
    );
}

#[test]
fn a_pull_stored_in_slices_is_the_pull_stored_at_once_and_one_cut_short_is_asked_again() {
    let user = Uuid::from_u128(1);
    let project = Uuid::from_u128(50);
    let record = |id: u128| sent_visit(id, visit(id, project).fields, user, 3);
    let response = whole_pull(3, (100..145).map(record).collect());
    // A record from before that left the scope: a reset drops it, whichever way it is stored.
    let stale = |kv: &MemoryStore| {
        kv.set(
            &record_key(user, RecordKind::Visit, Uuid::from_u128(999)),
            &serde_json::to_string(&record(999)).expect("json"),
        )
        .expect("stored");
    };
    let at_once = MemoryStore::default();
    stale(&at_once);
    apply_pull(&at_once, user, &response).expect("applied");

    let in_slices = MemoryStore::default();
    stale(&in_slices);
    let mut applying = PullApply::default();
    for slice in response.records.chunks(7) {
        applying.records(&in_slices, user, slice).expect("slice");
    }
    applying
        .finish(&in_slices, user, response.reset, &response.cookie)
        .expect("finished");
    let everything = |kv: &MemoryStore| -> Vec<(String, Option<String>)> {
        let mut keys = kv.keys().expect("keys");
        keys.sort();
        keys.into_iter()
            .map(|k| (k.clone(), kv.get(&k).expect("read")))
            .collect()
    };
    assert_eq!(everything(&in_slices), everything(&at_once));
    let view = LocalView::load(&in_slices, &in_slices, user).expect("view");
    assert_eq!(view.visits_of(project).len(), 45);
    assert!(view.get::<Visit>(Uuid::from_u128(999)).is_none());

    // Two slices stored, then the tab closed: the cookie is still the one before, so the next
    // sync asks for the same records again.
    let cut = MemoryStore::default();
    let mut applying = PullApply::default();
    for slice in response.records.chunks(7).take(2) {
        applying.records(&cut, user, slice).expect("slice");
    }
    drop(applying);
    assert_eq!(cookie(&cut, user), None);
}

#[test]
fn the_phone_reads_the_server_s_pull_with_its_records_left_as_text_and_decodes_each_the_same() {
    let user = Uuid::from_u128(1);
    let record = Record::Visit(Visit {
        id: Uuid::from_u128(100),
        fields: visit(100, Uuid::from_u128(50)).fields,
        author_id: Some(user),
        version: 2,
        conflict: false,
        review: None,
    });
    let response = PullResponse {
        cookie: Cookie {
            version: 2,
            scope: "s".into(),
        },
        last_seq: 5,
        reset: false,
        records: vec![record.clone()],
        forms: "f:1".into(),
    };
    let text = serde_json::to_string(&response).expect("json");
    let reply: crate::sync::protocol::PullReply = serde_json::from_str(&text).expect("reply");
    assert_eq!(reply.cookie, response.cookie);
    assert_eq!(reply.forms, "f:1");
    assert!(!reply.reset);
    let decoded: Vec<Record> = reply
        .records
        .iter()
        .map(|raw| serde_json::from_str(raw.get()).expect("record"))
        .collect();
    assert_eq!(decoded, vec![record]);
}

#[test]
fn the_header_counts_what_waits_and_when_the_oldest_of_every_client_was_made() {
    let kv = MemoryStore::default();
    let (user, project) = (Uuid::from_u128(1), Uuid::from_u128(50));
    assert_eq!(summary(&kv, user).expect("read"), (0, None));
    let mut first = Outbox::open(&kv, user, 0, Uuid::from_u128(7)).expect("open");
    first
        .save::<SaveVisit>(&visit(100, project), TODAY, 2_000)
        .expect("saved");
    first
        .save::<SaveVisit>(&visit(101, project), TODAY, 3_000)
        .expect("saved");
    // Another tab's client made one before them.
    let mut other = Outbox::open(&kv, user, 1, Uuid::from_u128(8)).expect("open");
    other
        .save::<SaveVisit>(&visit(102, project), TODAY, 500)
        .expect("saved");
    assert_eq!(summary(&kv, user).expect("read"), (3, Some(500)));
    // Someone else's entries are not hers.
    assert_eq!(summary(&kv, Uuid::from_u128(2)).expect("read"), (0, None));
}

/// How long reading the local view takes as a phone's records grow (a benchmark: it prints
/// figures). `cargo test -p app --features ssr --release reading_the_view -- --ignored --nocapture`
#[test]
#[ignore = "a benchmark: prints figures"]
fn reading_the_view_of_thousands_of_records() {
    let user = Uuid::from_u128(1);
    for n in [300u128, 1_000, 3_000, 6_000] {
        let kv = MemoryStore::default();
        for i in 0..n {
            // Stored in an order unrelated to the records' ids, as a phone's storage lists them.
            let id = Uuid::from_u128(1_000 + (i * 7_919) % 100_000);
            let record = Record::Visit(Visit {
                id,
                fields: visit(i, Uuid::from_u128(50 + i % 30)).fields,
                author_id: Some(user),
                version: 2,
                conflict: false,
                review: None,
            });
            kv.set(
                &record_key(user, RecordKind::Visit, id),
                &serde_json::to_string(&record).expect("json"),
            )
            .expect("stored");
        }
        let start = std::time::Instant::now();
        for _ in 0..5 {
            let view = LocalView::load(&kv, &kv, user).expect("view");
            assert_eq!(view.records().count() as u128, n);
        }
        let ms = start.elapsed().as_secs_f64() * 1000.0 / 5.0;
        println!("{n:>5} records: {ms:.1} ms per read of the view");
    }
}

#[test]
fn the_view_read_a_slice_at_a_time_is_the_view_read_at_once() {
    let kv = MemoryStore::default();
    let (user, project) = (Uuid::from_u128(1), Uuid::from_u128(50));
    let pulled = |id: u128| sent_visit(id, visit(id, project).fields, user, 2);
    let response = whole_pull(2, (100..125).map(pulled).collect());
    apply_pull(&kv, user, &response).expect("applied");
    // A record the phone cannot read is left out either way.
    kv.set(
        &record_key(user, RecordKind::Visit, Uuid::from_u128(999)),
        "not a record",
    )
    .expect("stored");
    // Waiting here: an edit of a pulled visit and a new one.
    let mut a = Outbox::open(&kv, user, 0, Uuid::from_u128(7)).expect("open");
    let mut edit = visit(103, project);
    edit.base_version = Some(2);
    edit.fields.observations = "corrigée sur le téléphone".into();
    a.save::<SaveVisit>(&edit, TODAY, 1).expect("saved");
    a.save::<SaveVisit>(&visit(500, project), TODAY, 2)
        .expect("saved");

    let shown = |view: &LocalView| -> Vec<(Uuid, String, SyncState)> {
        view.visits_of(project)
            .into_iter()
            .map(|v| {
                let state = view.state(RecordKind::Visit, v.id);
                (v.id, v.fields.observations.clone(), state)
            })
            .collect()
    };
    let at_once = shown(&LocalView::load(&kv, &kv, user).expect("view"));
    let mut reading = ViewReading::start(&kv, user).expect("started");
    let mut slices = 1;
    while !reading.decode(4) {
        slices += 1;
    }
    let in_slices = shown(&reading.finish(&kv).expect("view"));
    assert_eq!(slices, 7, "26 stored records, 4 at a time");
    assert_eq!(in_slices, at_once);
    assert_eq!(at_once.len(), 26);
    let edited = at_once
        .iter()
        .find(|(id, ..)| *id == Uuid::from_u128(103))
        .expect("edited visit");
    assert_eq!(edited.1, "corrigée sur le téléphone");
    assert_eq!(edited.2, SyncState::Waiting);
    let sent = at_once
        .iter()
        .find(|(id, ..)| *id == Uuid::from_u128(110))
        .expect("pulled visit");
    assert_eq!(sent.2, SyncState::Sent);
}

#[test]
fn only_the_pulled_records_are_what_the_view_is_read_from() {
    use crate::storage::Key;
    let user = Uuid::from_u128(7);
    let project = Uuid::from_u128(8);
    let kv = MemoryStore::default();
    let pulled = whole_pull(3, vec![sent_visit(1, visit(1, project).fields, user, 3)]);
    apply_pull(&kv, user, &pulled).expect("applied");
    let stored: Vec<String> = kv.keys().expect("keys");
    let records: Vec<&String> = stored.iter().filter(|k| holds_records(k)).collect();
    assert_eq!(records.len(), 1, "the visit pulled is a record: {stored:?}");
    assert!(records[0].starts_with(&prefix(user)));
    // What is kept beside the records, under the same user, is not.
    for key in [
        Key::Project { user, project },
        Key::Projects { user },
        Key::Registry { user },
        Key::Forms,
        Key::Identity,
    ] {
        assert!(!holds_records(&key.path()), "{}", key.path());
    }
    assert!(!holds_records(&mutation_key(user, project, 1)));
    assert!(!holds_records(&format!("{}cookie", prefix(user))));
}
