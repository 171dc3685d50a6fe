//! The first start of a real programme: on an empty database the server keeps a one-time setup
//! link; opening it makes the first team account, which is then signed in, and the link dies.

use crate::support::{self, router};
use app::server::db::SetupStart;
use axum::http::header;
use server::routes::RouterOptions;

fn setup_form(token: &str, password: &str, again: &str) -> String {
    format!(
        "token={token}&name=Cheffe+de+projet&email=Cheffe%40Example.TN&password={}&password_again={}",
        password.replace(' ', "+"),
        again.replace(' ', "+")
    )
}

#[tokio::test]
async fn the_setup_link_makes_the_first_team_account_once() {
    for t in support::every_engine().await {
        let code = app::server::auth::new_link_code();
        assert_eq!(code.len(), 32, "128 bits, in hex");
        let hash = app::server::auth::hash_token(&code);
        assert_eq!(
            t.db.start_setup(&hash).await.expect("setup"),
            SetupStart::Created
        );
        let other = app::server::auth::hash_token(&app::server::auth::new_link_code());
        assert!(
            matches!(
                t.db.start_setup(&other).await.expect("again"),
                SetupStart::Waiting(_)
            ),
            "a second start keeps the first link"
        );
        assert!(!t.db.setup_open(&other).await.expect("open"));
        let app = server::router(support::state(t.db.clone()), RouterOptions::default());

        let open = router::send(
            &app,
            router::post_form("/api/setup_open", &format!("token={code}"), None),
        )
        .await;
        assert_eq!((open.status.as_u16(), open.body.as_str()), (200, "true"));
        let bogus = router::send(
            &app,
            router::post_form(
                "/api/setup",
                &setup_form("0123", "palmiers de Douz 2026", "palmiers de Douz 2026"),
                None,
            ),
        )
        .await;
        assert_eq!(bogus.status.as_u16(), 422, "{}", bogus.body);

        // Bad input is named by field, and nothing is created.
        for (password, again, field) in [
            ("court", "court", "password"),
            ("azerty123456", "azerty123456", "password"),
            (
                "palmiers de Douz 2026",
                "palmiers de Douz 2027",
                "password_again",
            ),
        ] {
            let reply = router::send(
                &app,
                router::post_form("/api/setup", &setup_form(&code, password, again), None),
            )
            .await;
            assert_eq!(reply.status.as_u16(), 422, "{}", reply.body);
            assert!(reply.body.contains(field), "{}", reply.body);
        }
        assert_eq!(
            t.db.data_state().await.expect("state"),
            app::server::db::DataState::Empty
        );

        let made = router::send(
            &app,
            router::post_form(
                "/api/setup",
                &setup_form(&code, "palmiers de Douz 2026", "palmiers de Douz 2026"),
                None,
            ),
        )
        .await;
        assert!(
            made.status.is_success() || made.status.is_redirection(),
            "{} {}",
            made.status,
            made.body
        );
        let cookie = made
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("athar_session="))
            .expect("signed in")
            .split(';')
            .next()
            .unwrap_or_default()
            .to_owned();
        let me = router::send(&app, router::post_form("/api/me", "", Some(&cookie))).await;
        assert!(me.body.contains("\"role\":\"team\""), "{}", me.body);
        assert!(me.body.contains("cheffe@example.tn"), "{}", me.body);
        assert!(me.body.contains("\"demo\":false"), "{}", me.body);

        // The link is dead now, and so is any other.
        let again = router::send(
            &app,
            router::post_form(
                "/api/setup",
                &setup_form(&code, "une autre phrase 2026", "une autre phrase 2026"),
                None,
            ),
        )
        .await;
        assert_eq!(again.status.as_u16(), 422, "{}", again.body);
        assert!(again.body.contains("token"), "{}", again.body);
        let open = router::send(
            &app,
            router::post_form("/api/setup_open", &format!("token={code}"), None),
        )
        .await;
        assert_eq!(open.body, "false");
        assert_eq!(
            t.db.start_setup(&other).await.expect("setup"),
            SetupStart::NotNeeded
        );
        assert!(!t.db.replace_setup(&other).await.expect("replace"));
        let trail = support::audit_trail(&t).await;
        assert_eq!(trail.len(), 1, "{trail:?}");
        assert_eq!(trail[0].kind, "account_created");
        assert_eq!(trail[0].subject, "cheffe@example.tn");
    }
}

/// A sign-in code the team makes for someone who forgot their password: it opens their account
/// once, within its day, sets the new password and ends every other session.
#[tokio::test]
async fn a_sign_in_code_works_once_within_its_day_and_ends_other_sessions() {
    use app::server::db::AuditLine;
    use time::{Duration, OffsetDateTime};
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let team = set
            .users
            .iter()
            .find(|u| u.role == app::domain::Role::Team)
            .expect("team");
        let amal = set
            .users
            .iter()
            .find(|u| u.role == app::domain::Role::Facilitator)
            .expect("facilitator");
        let now = OffsetDateTime::now_utc();
        t.db.create_session("old-phone", amal.id, now + Duration::days(30))
            .await
            .expect("session");
        let line = |kind| AuditLine {
            actor: Some(team.id),
            kind,
            subject: amal.email.clone(),
            project: None,
            before: None,
            after: None,
        };
        let (first, second) = ("code-one", "code-two");
        assert!(
            t.db.create_sign_in_code(
                first,
                amal.id,
                now + Duration::hours(24),
                &line("sign_in_code_made")
            )
            .await
            .expect("code")
        );
        // A second code replaces the first.
        assert!(
            t.db.create_sign_in_code(
                second,
                amal.id,
                now + Duration::hours(24),
                &line("sign_in_code_made")
            )
            .await
            .expect("code")
        );
        assert_eq!(
            t.db.sign_in_code_user(first, now).await.expect("read"),
            None
        );
        assert_eq!(
            t.db.sign_in_code_user(second, now).await.expect("read"),
            Some((amal.id, amal.email.clone()))
        );
        assert_eq!(
            t.db.sign_in_code_user(second, now + Duration::hours(25))
                .await
                .expect("read"),
            None,
            "a code lives a day"
        );
        let hash = app::server::auth::hash_password("les palmiers de Douz 2026".into())
            .await
            .expect("hash");
        assert_eq!(
            t.db.redeem_sign_in_code(second, now, &hash)
                .await
                .expect("redeem"),
            Some(amal.id)
        );
        assert_eq!(
            t.db.redeem_sign_in_code(second, now, &hash)
                .await
                .expect("redeem"),
            None,
            "once"
        );
        assert!(
            t.db.session_user("old-phone", now)
                .await
                .expect("session")
                .is_none(),
            "the other sessions end"
        );
        let state = support::state(t.db.clone());
        let signed = app::server::auth::sign_in(
            &state.db,
            &state.auth,
            &amal.email,
            "les palmiers de Douz 2026".into(),
            None,
        )
        .await;
        assert!(signed.is_ok(), "the new password works");
        let kinds = support::audit_kinds(&t).await;
        assert_eq!(
            kinds,
            [
                "password_set_with_code",
                "sign_in_code_made",
                "sign_in_code_made"
            ]
        );
    }
}
