//! Diagnostics and self-assessments kept as form answers: checked, reviewed, returned, fixed,
//! validated.

use super::*;

pub(super) fn diagnostic_answers(
    day: &str,
    stage: &str,
    scores: [f64; 6],
) -> app::domain::form::Answers {
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
            files: Vec::new(),
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
        assert_eq!(refusals(&r), ["already_validated"], "{:?}", t.engine);
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
