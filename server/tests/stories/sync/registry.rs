//! Members and milestones recorded on the phone: checked against their form, private answers
//! kept from supervisors, leaving a project, and their review.

use super::*;

pub(super) fn member_answers(
    name: &str,
    consent: bool,
    walking: &str,
) -> app::domain::form::Answers {
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
        assert_eq!(refusals(&r), ["stale"]);
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
            files: Vec::new(),
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
        assert_eq!(refusals(&r), ["stale"]);
        let now = pull(&t.db, &f.facilitator, client, None).await;
        assert_eq!(
            milestone_in(&now).and_then(|m| m.achieved_on).as_deref(),
            Some("2026-11-20")
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
            files: Vec::new(),
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
