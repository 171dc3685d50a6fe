//! Stories of the database layer, told on SQLite and, when configured, on PostgreSQL.

#![allow(clippy::expect_used, reason = "tests: a failed step is a failed test")]

mod support;

use app::domain::Role;
use app::error::AppError;
use app::server::auth::{project_scope, resume_session, sign_in};
use app::server::db::{DataState, DbError, NewUser, PasswordHash, ProjectScope};
use app::server::demo::{DEMO_LOGINS, DEMO_PASSWORD};
use app::server::state::AuthSettings;
use std::collections::HashSet;

#[tokio::test]
async fn migrations_apply_once_and_again_without_harm() {
    for t in support::every_engine().await {
        app::server::prepare(&*t.db)
            .await
            .expect("second migration run is a no-op");
        let health = t.db.health().await;
        assert!(health.reachable, "{:?}", t.engine);
        assert!(health.schema_version.is_some(), "{:?}", t.engine);
        assert_eq!(t.db.data_state().await.expect("state"), DataState::Empty);
    }
}

#[tokio::test]
async fn the_demo_programme_loads_with_its_real_shape_and_reloads_cleanly() {
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        assert_eq!(t.db.data_state().await.expect("state"), DataState::DemoOnly);
        let all = t.db.project_cards(ProjectScope::All).await.expect("cards");
        assert_eq!(all.len(), 49, "{:?}", t.engine);
        assert_eq!(
            all.iter()
                .filter(|c| c.kind == app::domain::ProjectKind::Collective)
                .count(),
            20
        );
        assert!(
            all.iter()
                .any(|c| c.last_visit_on.is_some() && c.next_visit_due.is_some())
        );
        // Loading again replaces, never duplicates.
        support::with_demo(&t).await;
        assert_eq!(
            t.db.project_cards(ProjectScope::All)
                .await
                .expect("cards")
                .len(),
            49
        );
        let summary = t.db.programme_summary(set.today).await.expect("summary");
        assert_eq!(summary.projects, 49);
        assert_eq!(summary.individual, 29);
        assert!(summary.members >= 150, "{} members", summary.members);
        assert!(
            summary.with_disability.is_some(),
            "enough people to show the count"
        );
        assert_eq!(summary.small_cell_threshold, 5);
        // The threshold is the team's setting: the home page follows it.
        let count = summary.with_disability.expect("shown");
        let mut settings = t.db.risk_settings().await.expect("settings");
        settings.small_cell_threshold = 20;
        let team = set
            .users
            .iter()
            .find(|u| u.role == app::domain::Role::Team)
            .expect("team");
        t.db.save_risk_settings(&settings, team.id)
            .await
            .expect("saved");
        let summary = t.db.programme_summary(set.today).await.expect("summary");
        assert_eq!(summary.small_cell_threshold, 20);
        assert_eq!(summary.with_disability, (count >= 20).then_some(count));
    }
}

#[tokio::test]
async fn each_role_sees_exactly_its_scope() {
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let user = |email: &str| {
            set.users
                .iter()
                .find(|u| u.email == email)
                .expect("demo user")
        };
        let amal = user(DEMO_LOGINS[0].0);
        let mine =
            t.db.project_cards(ProjectScope::Facilitator(amal.id))
                .await
                .expect("cards");
        let expected: HashSet<_> = set
            .projects
            .iter()
            .filter(|p| p.facilitator_id == amal.id)
            .map(|p| p.id)
            .collect();
        assert!(!mine.is_empty());
        assert_eq!(
            mine.iter().map(|c| c.id).collect::<HashSet<_>>(),
            expected,
            "{:?}",
            t.engine
        );

        // The two supervisors split the programme between them, without overlap.
        let supervisors: Vec<_> = set
            .users
            .iter()
            .filter(|u| u.role == Role::Supervisor)
            .collect();
        let mut seen = HashSet::new();
        for s in &supervisors {
            for c in
                t.db.project_cards(ProjectScope::Supervisor(s.id))
                    .await
                    .expect("cards")
            {
                assert!(seen.insert(c.id), "a project in two supervisors' scopes");
            }
        }
        assert_eq!(seen.len(), 49);

        // Outside the scope a project does not exist.
        let foreign = set
            .projects
            .iter()
            .find(|p| p.facilitator_id != amal.id)
            .expect("another project");
        assert!(
            t.db.project_detail(ProjectScope::Facilitator(amal.id), foreign.id)
                .await
                .expect("query")
                .is_none()
        );
        let own = set
            .projects
            .iter()
            .find(|p| p.facilitator_id == amal.id)
            .expect("own project");
        let detail =
            t.db.project_detail(ProjectScope::Facilitator(amal.id), own.id)
                .await
                .expect("query")
                .expect("visible");
        assert_eq!(
            detail.members.len(),
            set.members
                .iter()
                .filter(|m| m.project_id == own.id)
                .count()
        );
        let flagged = set
            .members
            .iter()
            .filter(|m| m.project_id == own.id && m.wg.with_disability())
            .count();
        assert_eq!(
            detail.members.iter().filter(|m| m.with_disability).count(),
            flagged
        );
    }
}

#[tokio::test]
async fn sign_in_locks_after_five_failures_and_never_reveals_an_account() {
    for t in support::every_engine().await {
        support::with_demo(&t).await;
        let settings = AuthSettings::default();
        let email = DEMO_LOGINS[0].0;
        let ok = sign_in(
            &t.db,
            &settings,
            email,
            DEMO_PASSWORD.into(),
            Some("10.0.0.1"),
        )
        .await
        .expect("signed in");
        assert_eq!(ok.user.role, Role::Facilitator);
        assert_eq!(ok.max_age, time::Duration::days(30));
        let (user, _, _) = resume_session(&t.db, &settings, &ok.token)
            .await
            .expect("query")
            .expect("live session");
        assert_eq!(user.email, email);

        for attempt in 1..=5 {
            let wrong = sign_in(&t.db, &settings, email, "wrong".into(), Some("10.0.0.2")).await;
            let unknown = sign_in(
                &t.db,
                &settings,
                "nobody@demo.athar.tn",
                "wrong".into(),
                Some("10.0.0.3"),
            )
            .await;
            if attempt < 5 {
                assert_eq!(wrong.err(), Some(AppError::InvalidCredentials));
                assert_eq!(
                    unknown.err(),
                    Some(AppError::InvalidCredentials),
                    "same answer for no account"
                );
            } else {
                assert!(matches!(
                    wrong.err(),
                    Some(AppError::LockedOut { minutes: 15 })
                ));
                assert!(
                    matches!(unknown.err(), Some(AppError::LockedOut { minutes: 15 })),
                    "same lock for no account"
                );
            }
        }
        let locked = sign_in(
            &t.db,
            &settings,
            email,
            DEMO_PASSWORD.into(),
            Some("10.0.0.4"),
        )
        .await;
        assert!(
            matches!(locked.err(), Some(AppError::LockedOut { .. })),
            "even the right password waits"
        );
        // Five failures from one address do not lock the others behind it (carrier NAT)…
        let team = sign_in(
            &t.db,
            &settings,
            DEMO_LOGINS[2].0,
            DEMO_PASSWORD.into(),
            Some("10.0.0.2"),
        )
        .await;
        assert!(
            team.is_ok(),
            "one person's typos do not lock a shared address"
        );
        // …but twenty, over any accounts, lock the address for every account.
        for i in 0..20 {
            let _ = sign_in(
                &t.db,
                &settings,
                &format!("guess{i}@demo.athar.tn"),
                "x".into(),
                Some("10.0.0.7"),
            )
            .await;
        }
        let viewer = sign_in(
            &t.db,
            &settings,
            DEMO_LOGINS[3].0,
            DEMO_PASSWORD.into(),
            Some("10.0.0.7"),
        )
        .await;
        assert!(matches!(viewer.err(), Some(AppError::LockedOut { .. })));
        let team = sign_in(
            &t.db,
            &settings,
            DEMO_LOGINS[2].0,
            DEMO_PASSWORD.into(),
            Some("10.0.0.9"),
        )
        .await
        .expect("team");
        assert_eq!(
            team.max_age,
            time::Duration::hours(12),
            "the team role has short sessions"
        );
    }
}

#[tokio::test]
async fn an_expired_session_is_gone_and_an_active_one_renews() {
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let amal = set
            .users
            .iter()
            .find(|u| u.email == DEMO_LOGINS[0].0)
            .expect("amal");
        let now = time::OffsetDateTime::now_utc();
        let settings = AuthSettings::default();
        t.db.create_session(
            &app::server::auth::hash_token("old"),
            amal.id,
            now - time::Duration::minutes(1),
        )
        .await
        .expect("insert");
        assert!(
            resume_session(&t.db, &settings, "old")
                .await
                .expect("query")
                .is_none()
        );
        // Ten days into a thirty-day session: used today, it is pushed back to thirty days.
        t.db.create_session(
            &app::server::auth::hash_token("live"),
            amal.id,
            now + time::Duration::days(20),
        )
        .await
        .expect("insert");
        let (_, _, renewed) = resume_session(&t.db, &settings, "live")
            .await
            .expect("query")
            .expect("live");
        assert_eq!(renewed, Some(time::Duration::days(30)));
        let (_, _, again) = resume_session(&t.db, &settings, "live")
            .await
            .expect("query")
            .expect("live");
        assert_eq!(again, None, "no write on every request");
    }
}

#[tokio::test]
async fn a_real_user_marks_the_database_as_holding_real_data() {
    for t in support::every_engine().await {
        support::with_demo(&t).await;
        let user = NewUser {
            id: uuid::Uuid::new_v4(),
            email: "Chef.Projet@Example.TN".into(),
            name: "Cheffe de projet".into(),
            role: Role::Team,
            password_hash: PasswordHash("x".into()),
            organisation_id: None,
            is_demo: false,
        };
        t.db.insert_user(&user).await.expect("insert");
        assert_eq!(
            t.db.data_state().await.expect("state"),
            DataState::HasRealData
        );
        let again =
            t.db.insert_user(&NewUser {
                id: uuid::Uuid::new_v4(),
                ..user.clone()
            })
            .await;
        assert!(
            matches!(again, Err(DbError::AlreadyExists(_))),
            "emails are unique, whatever the case"
        );
        assert!(
            t.db.user_credentials("chef.projet@example.tn")
                .await
                .expect("query")
                .is_some()
        );
    }
}

#[test]
fn viewers_have_no_project_scope() {
    let viewer = app::domain::SessionUser {
        id: uuid::Uuid::nil(),
        name: "v".into(),
        email: "v@x".into(),
        role: Role::Viewer,
    };
    assert_eq!(project_scope(&viewer), Err(AppError::Forbidden));
}
