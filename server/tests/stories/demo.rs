//! Demo data: whatever is created while it is loaded is demo data too, and `athar demo purge`
//! removes every demo row and nothing else.

use crate::support::{self, TestDb};
use crate::sync::{field, mutation, pull, save, send, visit};
use app::domain::{NewProject, ProjectKind, ProjectOrigin, Role};
use app::server::db::{DataState, DbError, NewUser, PasswordHash};
use app::sync::mutations::{CreateProject, MutationType};
use uuid::Uuid;

/// Every table that holds what people made (the forms and indicator catalogue are the
/// programme's configuration, shipped with Athar, and stay).
const DATA_TABLES: [&str; 27] = [
    "indicator_values",
    "indicator_targets",
    "risk_acknowledgements",
    "milestones",
    "entry_reviews",
    "entry_revisions",
    "form_entries",
    "sync_conflicts",
    "sync_refusals",
    "sync_clients",
    "action_items",
    "funding_tranches",
    "visits",
    "members",
    "projects",
    "one_time_codes",
    "sessions",
    "supervisor_incubators",
    "users",
    "organisations",
    "value_chains",
    "localities",
    "audit_events",
    "login_failures",
    "login_keys",
    "forms",
    "indicator_definitions",
];

/// Rows per table, in the order of [`DATA_TABLES`].
async fn counts(t: &TestDb) -> Vec<(&'static str, i64)> {
    let mut out = Vec::new();
    for table in DATA_TABLES {
        out.push((
            table,
            support::count(t, &format!("select count(*) from {table}")).await,
        ));
    }
    out
}

fn new_user(email: &str, role: Role) -> NewUser {
    NewUser {
        id: Uuid::new_v4(),
        email: email.into(),
        name: "Cheffe de projet".into(),
        role,
        password_hash: PasswordHash("x".into()),
        organisation_id: None,
        is_demo: false,
    }
}

#[tokio::test]
async fn a_user_added_to_an_empty_database_is_real_and_one_added_beside_the_demo_is_demo() {
    for t in support::every_engine().await {
        let user = new_user("Chef.Projet@Example.TN", Role::Team);
        t.db.insert_user(&user).await.expect("insert");
        assert_eq!(
            t.db.data_state().await.expect("state"),
            DataState::HasRealData,
            "{:?}",
            t.engine
        );
        let again =
            t.db.insert_user(&NewUser {
                id: Uuid::new_v4(),
                ..user.clone()
            })
            .await;
        assert!(
            matches!(again, Err(DbError::AlreadyExists(_))),
            "emails are unique, whatever the case"
        );
        let found =
            t.db.user_credentials("chef.projet@example.tn")
                .await
                .expect("query")
                .expect("found");
        assert!(!found.user.demo, "no demo band for a real account");
    }
    for t in support::every_engine().await {
        support::with_demo(&t).await;
        t.db.insert_user(&new_user("cheffe@example.tn", Role::Team))
            .await
            .expect("insert");
        assert_eq!(
            t.db.data_state().await.expect("state"),
            DataState::DemoOnly,
            "an account made beside the demo is demo data ({:?})",
            t.engine
        );
        let found =
            t.db.user_credentials("cheffe@example.tn")
                .await
                .expect("query")
                .expect("found");
        assert!(found.user.demo, "its pages carry the demo band");
    }
}

#[tokio::test]
async fn a_purge_removes_the_demo_and_all_that_was_made_beside_it_and_keeps_the_configuration() {
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let f = field(&set);
        // Made while the demo is loaded: an account, a place, a project registered on a phone
        // with a visit, and the phone's device and session.
        t.db.insert_user(&new_user("nouvelle@example.tn", Role::Facilitator))
            .await
            .expect("account");
        support::execute(
            &t,
            "insert into localities (id, governorate, delegation, name, created_at, updated_at)
             values ($1, 'Kébili', 'Douz Nord', 'El Golâa', '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z')",
            Uuid::new_v4(),
        )
        .await;
        let choices =
            t.db.registry_choices(f.facilitator.id)
                .await
                .expect("choices");
        let project = Uuid::new_v4();
        let registration = NewProject {
            id: project,
            code: "JN-NEW-01".into(),
            title: "Pépinière de Nouail".into(),
            origin: ProjectOrigin {
                kind: ProjectKind::Individual,
                value_chain_id: choices.value_chains[0].0,
                locality_id: choices.localities[0].0,
                call_wave: 3,
            },
            legal_form: "sole_trader".into(),
            training_track: "cefe_sse".into(),
        };
        let (client, device) = (Uuid::new_v4(), Uuid::new_v4());
        let pushed = send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![
                mutation(client, 1, CreateProject::NAME, &registration),
                save(
                    client,
                    2,
                    &visit(Uuid::new_v4(), project, None, "Première visite"),
                ),
            ],
        )
        .await
        .expect("push");
        assert!(pushed.refused.is_empty(), "{:?}", pushed.refused);
        let token = format!("purge-{}", Uuid::new_v4());
        t.db.create_session(
            &token,
            f.facilitator.id,
            time::OffsetDateTime::now_utc() + time::Duration::days(1),
        )
        .await
        .expect("session");
        assert_eq!(
            t.db.data_state().await.expect("state"),
            DataState::DemoOnly,
            "what was made beside the demo is demo data ({:?})",
            t.engine
        );
        let forms_before = support::count(&t, "select count(*) from forms").await;
        let catalogue_before =
            support::count(&t, "select count(*) from indicator_definitions").await;

        let removed = t.db.purge_demo().await.expect("purge");
        let total: u64 = removed.iter().map(|(_, n)| n).sum();
        assert!(total > 1000, "the whole demo went: {removed:?}");

        for (table, n) in counts(&t).await {
            match table {
                "forms" => assert_eq!(n, forms_before, "forms stay"),
                "indicator_definitions" => assert_eq!(n, catalogue_before, "the catalogue stays"),
                "audit_events" => assert_eq!(n, 1, "the trail says the demo went, and only that"),
                _ => assert_eq!(n, 0, "{table} keeps demo rows ({:?})", t.engine),
            }
        }
        assert_eq!(t.db.data_state().await.expect("state"), DataState::Empty);
        assert!(
            t.db.session_user(&token, time::OffsetDateTime::now_utc())
                .await
                .expect("session")
                .is_none(),
            "demo sessions end with the purge"
        );

        // The emptied database takes a real programme, and a second purge removes nothing.
        t.db.insert_user(&new_user("cheffe@example.tn", Role::Team))
            .await
            .expect("real account");
        assert_eq!(
            t.db.data_state().await.expect("state"),
            DataState::HasRealData
        );
        let again = t.db.purge_demo().await.expect("purge again");
        assert!(again.iter().all(|(_, n)| *n == 0), "{again:?}");
        assert_eq!(support::count(&t, "select count(*) from users").await, 1);
        let _ = pull; // (the phone's side is told in the sync stories)
    }
}

/// A database filled before demo rows were told apart can hold a real project beside the demo
/// (a real account and a project the team took over): the purge keeps it whole, with the
/// incubator, place and value chain it stands on, and removes every other demo row.
#[tokio::test]
async fn a_purge_keeps_every_real_row_of_a_mixed_database() {
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let kept = set.projects[0].id;
        let real_user = new_user("cheffe@example.tn", Role::Team);
        t.db.insert_user(&real_user).await.expect("account");
        support::execute(
            &t,
            "update users set is_demo = false where id = $1",
            real_user.id,
        )
        .await;
        support::execute(
            &t,
            "update projects set is_demo = false where id = $1",
            kept,
        )
        .await;
        let members = format!(
            "select count(*) from members where project_id = {}",
            match t.engine {
                app::server::db::Engine::Sqlite => format!("x'{}'", kept.simple()),
                app::server::db::Engine::Postgres => format!("'{kept}'"),
            }
        );
        let kept_members = support::count(&t, &members).await;
        assert!(kept_members > 0);

        t.db.purge_demo().await.expect("purge");

        assert_eq!(support::count(&t, "select count(*) from projects").await, 1);
        assert_eq!(
            support::count(&t, &members).await,
            kept_members,
            "its members stay"
        );
        assert!(
            t.db.user_credentials("cheffe@example.tn")
                .await
                .expect("query")
                .is_some(),
            "the real account stays"
        );
        assert_eq!(support::count(&t, "select count(*) from users").await, 1);
        for table in [
            "organisations",
            "localities",
            "value_chains",
            "users",
            "projects",
        ] {
            assert_eq!(
                support::count(
                    &t,
                    &format!("select count(*) from {table} where is_demo = true")
                )
                .await,
                0,
                "no demo row left in {table}"
            );
        }
        assert_eq!(
            support::count(&t, "select count(*) from organisations").await,
            1,
            "only the incubator the real project stands on"
        );
        assert_eq!(
            t.db.data_state().await.expect("state"),
            DataState::HasRealData
        );
        assert_eq!(
            t.db.project_cards(app::server::db::ProjectScope::All, support::today())
                .await
                .expect("cards")
                .len(),
            1,
            "the real project still reads whole ({:?})",
            t.engine
        );
    }
}
