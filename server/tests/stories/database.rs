//! Stories of the database layer, told on SQLite and, when configured, on PostgreSQL.

use crate::support;

use app::domain::Role;
use app::error::AppError;
use app::server::auth::{account_key, project_scope, resume_session, sign_in};
use app::server::db::{DataState, ProjectScope};
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
        let all =
            t.db.project_cards(ProjectScope::All, support::today())
                .await
                .expect("cards");
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
            t.db.project_cards(ProjectScope::All, support::today())
                .await
                .expect("cards")
                .len(),
            49
        );
        let summary =
            app::server::projects::summary(&t.db, app::server::clock::Clock::on(set.today))
                .await
                .expect("summary");
        assert_eq!(summary.projects, 49);
        assert_eq!(summary.individual, 29);
        assert!(summary.members >= 150, "{} members", summary.members);
        assert!(
            summary.with_disability.is_some(),
            "enough people to show the count"
        );
        assert_eq!(summary.small_cell_threshold, 5);
        // The first screen tells a believable story: a handful of projects flagged, one or two
        // flags each, of more than one kind.
        let clock = app::server::clock::Clock::on(set.today);
        let cards = app::server::projects::cards(&t.db, clock, ProjectScope::All)
            .await
            .expect("cards");
        let flagged: Vec<_> = cards.iter().filter(|c| !c.flags.is_empty()).collect();
        let kinds: std::collections::BTreeSet<_> = flagged
            .iter()
            .flat_map(|c| c.flags.iter().map(|f| f.rule()))
            .collect();
        assert!(
            (3..=12).contains(&flagged.len()),
            "{} projects flagged: {:?}",
            flagged.len(),
            flagged
                .iter()
                .map(|c| (&c.code, &c.flags))
                .collect::<Vec<_>>()
        );
        assert!(flagged.iter().all(|c| c.flags.len() <= 2));
        assert!(kinds.len() >= 3, "{kinds:?}");
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
        let summary =
            app::server::projects::summary(&t.db, app::server::clock::Clock::on(set.today))
                .await
                .expect("summary");
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
            t.db.project_cards(ProjectScope::Facilitator(amal.id), support::today())
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
                t.db.project_cards(ProjectScope::Supervisor(s.id), support::today())
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
            t.db.project_detail(
                ProjectScope::Facilitator(amal.id),
                foreign.id,
                support::today()
            )
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
            t.db.project_detail(ProjectScope::Facilitator(amal.id), own.id, support::today())
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
async fn a_sign_in_whose_link_drops_halfway_is_not_counted_as_a_failure() {
    for t in support::every_engine().await {
        support::with_demo(&t).await;
        let settings = AuthSettings::default();
        let email = DEMO_LOGINS[0].0;
        let right = || {
            sign_in(
                &t.db,
                &settings,
                email,
                DEMO_PASSWORD.into(),
                Some("10.0.1.1"),
            )
        };
        let counted = || async {
            let since = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
            t.db.login_failures_since(&account_key(email), since)
                .await
                .expect("query")
                .len()
        };
        // The right password, six times, each request dropped while its password is checked
        // (as when a phone's link goes): more than the five failures that lock an account.
        for drop in 1..=6 {
            let dropped = tokio::time::timeout(std::time::Duration::from_millis(10), right()).await;
            // An answer this fast is a refusal made without checking: locked out by the drops.
            if let Ok(answer) = dropped {
                panic!("drop {drop} answered at once: {:?}", answer.err());
            }
            // What was started is carried to its end in the background, and its count goes.
            let mut left = counted().await;
            for _ in 0..100 {
                if left == 0 {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                left = counted().await;
            }
            assert_eq!(
                left, 0,
                "drop {drop}: the attempt stays counted as a failure"
            );
        }
        let answer = right().await;
        assert!(
            answer.is_ok(),
            "not locked out by dropped links: {:?}",
            answer.err()
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

        // However often it is used, a session ends its absolute lifetime after sign-in: renewed
        // up to that moment and no further, then gone even if its last renewal promised more.
        let capped = AuthSettings {
            field_session_max: time::Duration::days(3),
            ..AuthSettings::default()
        };
        t.db.create_session(
            &app::server::auth::hash_token("nearly"),
            amal.id,
            now + time::Duration::minutes(1),
        )
        .await
        .expect("insert");
        let (_, _, renewed) = resume_session(&t.db, &capped, "nearly")
            .await
            .expect("query")
            .expect("live");
        let renewed = renewed.expect("renewed");
        assert!(
            renewed <= time::Duration::days(3)
                && renewed > time::Duration::days(3) - time::Duration::minutes(5),
            "renewed up to three days after sign-in, not thirty: {renewed}"
        );
        let spent = AuthSettings {
            field_session_max: time::Duration::ZERO,
            ..AuthSettings::default()
        };
        assert!(
            resume_session(&t.db, &spent, "live")
                .await
                .expect("query")
                .is_none(),
            "past its lifetime, a session is gone though it was renewed for thirty days"
        );
        let team = AuthSettings::default();
        assert_eq!(
            (team.field_session_max, team.team_session_max),
            (time::Duration::days(90), time::Duration::days(7))
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
        demo: false,
    };
    assert_eq!(project_scope(&viewer), Err(AppError::Forbidden));
}

/// The scope rule is written twice, as SQL (`SCOPE_PREDICATE`, which every query applies) and as
/// Rust (`ProjectScope::covers`, which dashboards and the reference model apply): one table of
/// cases holds them together. Every project of the demo programme against every facilitator's
/// and supervisor's scope, the team's, and those of people assigned to nothing.
#[tokio::test]
async fn the_scope_rule_is_the_same_in_sql_and_in_rust() {
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let mut scopes = vec![
            ProjectScope::All,
            ProjectScope::Facilitator(uuid::Uuid::new_v4()),
            ProjectScope::Supervisor(uuid::Uuid::new_v4()),
        ];
        for user in &set.users {
            match user.role {
                Role::Facilitator => scopes.push(ProjectScope::Facilitator(user.id)),
                Role::Supervisor => scopes.push(ProjectScope::Supervisor(user.id)),
                _ => {}
            }
        }
        let mut cases = 0;
        for scope in scopes {
            let in_sql: HashSet<uuid::Uuid> =
                t.db.project_cards(scope, support::today())
                    .await
                    .expect("cards")
                    .iter()
                    .map(|c| c.id)
                    .collect();
            for p in &set.projects {
                let in_rust = scope.covers(Some(p.facilitator_id), Some(p.incubator_id), |u, i| {
                    set.supervisor_incubators.contains(&(u, i))
                });
                assert_eq!(
                    in_sql.contains(&p.id),
                    in_rust,
                    "{scope:?} and project {} on {:?}",
                    p.code,
                    t.engine
                );
                cases += 1;
            }
        }
        assert!(cases > 49 * 5, "{cases} cases");
    }
}

/// A member is counted the same on every screen: from the day they join until the day they
/// leave. A member leaving next month still counts today, one who left yesterday does not, one
/// joining next week not yet; the project's card, the programme summary, the dashboard and the
/// rule itself agree.
#[tokio::test]
async fn every_screen_counts_the_same_members() {
    use app::domain::member::is_member_on;
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let today = support::today();
        let day = |days: i64| (today + time::Duration::days(days)).to_string();
        let current = |project: uuid::Uuid| {
            set.members
                .iter()
                .filter(|m| m.project_id == project && m.left_on.is_none())
                .collect::<Vec<_>>()
        };
        let project = set
            .projects
            .iter()
            .map(|p| p.id)
            .max_by_key(|p| current(*p).len())
            .expect("projects");
        let members = current(project);
        assert!(members.len() >= 3, "a collective project has members");
        let changes = [
            format!("update members set left_on = '{}' where id = $1", day(30)),
            format!("update members set left_on = '{}' where id = $1", day(-1)),
            format!(
                "update members set joined_on = '{}', left_on = null where id = $1",
                day(7)
            ),
        ];
        for (member, sql) in members.iter().zip(&changes) {
            support::execute(&t, sql, member.id).await;
        }

        let source = t.db.dashboard_source().await.expect("source");
        let by_rule = |project: Option<uuid::Uuid>| {
            source
                .members
                .all()
                .iter()
                .filter(|m| project.is_none_or(|p| m.project == p))
                .filter(|m| {
                    is_member_on(
                        m.joined_on.as_deref(),
                        m.left_on.as_deref(),
                        &today.to_string(),
                    )
                })
                .count() as i64
        };
        let detail =
            t.db.project_detail(ProjectScope::All, project, today)
                .await
                .expect("detail")
                .expect("the project");
        assert_eq!(
            detail.card.member_count,
            by_rule(Some(project)),
            "the card, {:?}",
            t.engine
        );
        assert_eq!(
            detail.card.member_count,
            members.len() as i64 - 2,
            "the one leaving next month counts; the one who left and the one joining do not"
        );
        let summary = app::server::projects::summary(&t.db, app::server::clock::Clock::on(today))
            .await
            .expect("summary");
        assert_eq!(
            summary.members,
            by_rule(None),
            "the summary, {:?}",
            t.engine
        );
        let dashboard = source
            .dashboard(
                app::domain::indicator::dashboard::DashboardLevel::Programme,
                "",
                today.year(),
                "fr",
                Some(ProjectScope::All),
                &today.to_string(),
            )
            .await
            .expect("dashboard");
        assert_eq!(
            dashboard.people.members, summary.members,
            "the dashboard, {:?}",
            t.engine
        );
    }
}
