//! Coaching visits and their action items: conflicts, the review loop, items carried from visit
//! to visit, and the visit form's versions.

use super::*;

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
