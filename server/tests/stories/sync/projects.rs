//! Projects from the field: registered, corrected, moved on in their lifecycle, reassigned by the
//! team, and the risk flags the cards show.

use super::*;

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
            assert_eq!(refusals(&r), ["stale"], "{:?}", t.engine);
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
                .assign_project(
                    f.own,
                    Some(f.supervisor.id),
                    other.incubator_id,
                    None,
                    f.supervisor.id
                )
                .await
                .expect("db")
        );
        assert!(
            !t.db
                .assign_project(
                    f.own,
                    Some(colleague.id),
                    Uuid::new_v4(),
                    None,
                    f.supervisor.id
                )
                .await
                .expect("db")
        );
        assert!(
            t.db.assign_project(
                f.own,
                Some(colleague.id),
                other.incubator_id,
                None,
                f.supervisor.id
            )
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
        assert_eq!(refusals(&r), ["stale"]);
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
