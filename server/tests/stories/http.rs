//! The whole router driven through `oneshot`, as a browser would: pages, server functions,
//! sessions, languages, and the role × scope matrix over every registered server function.

use crate::support;

use crate::support::router::{Reply, demo_app, encode, get, post_form, post_json, send, sign_in};
use app::server::demo::{DEMO_LOGINS, DemoSet};
use app::sync::protocol::{PROTOCOL_VERSION, SCHEMA_VERSION};
use axum::Router;
use axum::body::Body;
use http::{Request, StatusCode, header};

#[tokio::test]
async fn healthz_reports_the_database() {
    for t in support::every_engine().await {
        let (app, _) = demo_app(&t).await;
        let reply = send(&app, get("/healthz", None)).await;
        assert_eq!(reply.status, StatusCode::OK);
        let json: serde_json::Value = serde_json::from_str(&reply.body).expect("json");
        assert_eq!(json["database"]["reachable"], true);
        assert_eq!(json["database"]["projects"], 49);
    }
}

#[tokio::test]
async fn a_facilitator_signs_in_and_sees_only_their_projects_in_the_chosen_language() {
    let t = support::sqlite().await;
    let (app, set) = demo_app(&t).await;
    let cookie = sign_in(&app, DEMO_LOGINS[0].0).await;
    let amal = set
        .users
        .iter()
        .find(|u| u.email == DEMO_LOGINS[0].0)
        .expect("amal");

    let page = send(&app, get("/", Some(&cookie))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Mes projets"), "French by default");
    assert!(page.body.contains(r#"lang="fr""#));
    for p in &set.projects {
        let listed = page.body.contains(&p.code);
        assert_eq!(
            listed,
            p.facilitator_id == amal.id,
            "{} listed: {listed}",
            p.code
        );
    }

    let ar = format!("{cookie}; i18n_pref_locale=ar");
    let page = send(&app, get("/", Some(&ar))).await;
    assert!(page.body.contains("مشاريعي"), "Arabic when chosen");
    assert!(page.body.contains(r#"dir="rtl""#) && page.body.contains(r#"lang="ar""#));

    let own = set
        .projects
        .iter()
        .find(|p| p.facilitator_id == amal.id)
        .expect("own");
    let page = send(&app, get(&format!("/projects/{}", own.id), Some(&cookie))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&own.code));
    let foreign = set
        .projects
        .iter()
        .find(|p| p.facilitator_id != amal.id)
        .expect("foreign");
    let page = send(
        &app,
        get(&format!("/projects/{}", foreign.id), Some(&cookie)),
    )
    .await;
    assert_eq!(
        page.status,
        StatusCode::NOT_FOUND,
        "another facilitator's project does not exist for her"
    );
    assert!(!page.body.contains(&foreign.code));
}

#[tokio::test]
async fn without_a_session_pages_send_to_sign_in() {
    let t = support::sqlite().await;
    let (app, _) = demo_app(&t).await;
    let page = send(&app, get("/", None)).await;
    assert!(page.status.is_redirection(), "{}", page.status);
    assert_eq!(
        page.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok()),
        Some("/login")
    );
    let login = send(&app, get("/login", None)).await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(
        login.body.contains("Mot de passe")
            && login.body.contains(r#"autocomplete="current-password""#)
    );
}

#[tokio::test]
async fn unknown_addresses_get_a_404_page_in_the_users_language() {
    let t = support::sqlite().await;
    let (app, _) = demo_app(&t).await;
    let fr = send(&app, get("/nulle-part", None)).await;
    assert_eq!(fr.status, StatusCode::NOT_FOUND);
    assert!(fr.body.contains("Page introuvable"));
    let ar = send(&app, get("/nulle-part", Some("i18n_pref_locale=ar"))).await;
    assert_eq!(ar.status, StatusCode::NOT_FOUND);
    assert!(ar.body.contains("الصفحة غير موجودة") && ar.body.contains(r#"dir="rtl""#));
    let en = send(&app, get("/nowhere", Some("i18n_pref_locale=en"))).await;
    assert!(en.body.contains("Page not found"));
}

#[tokio::test]
async fn sign_out_ends_the_session_on_the_server() {
    let t = support::sqlite().await;
    let (app, _) = demo_app(&t).await;
    let cookie = sign_in(&app, DEMO_LOGINS[1].0).await;
    let out = send(&app, post_form("/api/logout", "", Some(&cookie))).await;
    let cleared = out
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|c| c.contains("Max-Age=0"));
    assert!(cleared, "the cookie is removed");
    let me = send(&app, post_form("/api/me", "", Some(&cookie))).await;
    assert_eq!(me.body.trim(), "null", "the old token no longer works");
}

#[tokio::test]
async fn a_wrong_password_gets_one_neutral_message_then_a_lockout() {
    let t = support::sqlite().await;
    let (app, _) = demo_app(&t).await;
    for attempt in 1..=5 {
        let form = format!("email={}&password=nope", encode(DEMO_LOGINS[0].0));
        let reply = send(&app, post_form("/api/login", &form, None)).await;
        if attempt < 5 {
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
            assert!(reply.body.contains("InvalidCredentials"), "{}", reply.body);
        } else {
            assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
            assert!(reply.body.contains("LockedOut"), "{}", reply.body);
        }
    }
}

#[tokio::test]
async fn a_database_failure_during_the_session_check_is_try_later_not_signed_out() {
    let t = support::sqlite().await;
    let (app, _) = demo_app(&t).await;
    let cookie = sign_in(&app, DEMO_LOGINS[0].0).await;
    {
        use sqlx::Connection as _;
        let mut c = sqlx::SqliteConnection::connect(&t.url).await.expect("open");
        sqlx::query("alter table sessions rename to sessions_away")
            .execute(&mut c)
            .await
            .expect("break the sessions table");
    }
    let page = send(&app, get("/", Some(&cookie))).await;
    assert_eq!(
        page.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "not a redirect to sign-in"
    );
    let me = send(&app, post_form("/api/me", "", Some(&cookie))).await;
    assert_eq!(me.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(me.body.contains("Unavailable"), "{}", me.body);
    let cleared = page
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.to_str().unwrap_or_default().contains("Max-Age=0"));
    assert!(!cleared, "the session cookie is kept");
}

/// Who calls: nobody, or a demo user of a role.
#[derive(Clone, Copy, Debug)]
enum Caller {
    Anonymous,
    Facilitator,
    Supervisor,
    Team,
    Viewer,
}

fn email_of(caller: Caller) -> Option<&'static str> {
    match caller {
        Caller::Anonymous => None,
        Caller::Facilitator => Some(DEMO_LOGINS[0].0),
        Caller::Supervisor => Some(DEMO_LOGINS[1].0),
        Caller::Team => Some(DEMO_LOGINS[2].0),
        Caller::Viewer => Some(DEMO_LOGINS[3].0),
    }
}

const CALLERS: [Caller; 5] = [
    Caller::Anonymous,
    Caller::Facilitator,
    Caller::Supervisor,
    Caller::Team,
    Caller::Viewer,
];

/// One row of the matrix: an endpoint, the body to send, and the status each caller gets
/// (in the order of [`CALLERS`]).
struct Row {
    endpoint: &'static str,
    case: &'static str,
    body: String,
    /// A JSON body (sync calls) rather than a form.
    json: bool,
    expect: [u16; 5],
}

/// A sync call's JSON body, versions first. `{caller}` in `body` gives each caller its own client.
fn sync_call(body: &str) -> String {
    format!(
        r#"{{"call":{{"protocol":{PROTOCOL_VERSION},"schema":{SCHEMA_VERSION},"body":{body}}}}}"#
    )
}

const CLIENT: &str = "00000000-0000-4000-8000-00000000000{caller}";

fn matrix(set: &DemoSet) -> Vec<Row> {
    let amal = set
        .users
        .iter()
        .find(|u| u.email == DEMO_LOGINS[0].0)
        .expect("amal")
        .id;
    let rim = set
        .users
        .iter()
        .find(|u| u.email == DEMO_LOGINS[1].0)
        .expect("rim")
        .id;
    let amal_incubator = set
        .users
        .iter()
        .find(|u| u.id == amal)
        .and_then(|u| u.organisation_id)
        .expect("incubator");
    let rims: Vec<_> = set
        .supervisor_incubators
        .iter()
        .filter(|(u, _)| *u == rim)
        .map(|(_, i)| *i)
        .collect();
    assert!(
        rims.contains(&amal_incubator),
        "the demo's first supervisor covers the first facilitator"
    );
    let own = set
        .projects
        .iter()
        .find(|p| p.facilitator_id == amal)
        .expect("own")
        .id;
    let colleague = set
        .projects
        .iter()
        .find(|p| p.facilitator_id != amal && rims.contains(&p.incubator_id))
        .expect("a colleague's project in the same supervisor's scope")
        .id;
    let elsewhere = set
        .projects
        .iter()
        .find(|p| !rims.contains(&p.incubator_id))
        .expect("other incubator")
        .id;
    let visit_in = |project| {
        set.visits
            .iter()
            .find(|v| v.project_id == project)
            .expect("a demo visit")
            .id
    };
    let (own_visit, colleague_visit) = (visit_in(own), visit_in(colleague));
    let member = set
        .members
        .iter()
        .find(|m| m.project_id == own)
        .expect("a demo member")
        .id;
    vec![
        // `{caller}` keeps each caller's failed sign-ins apart, so none trips the lock-out.
        Row {
            endpoint: "/api/login",
            case: "wrong password",
            body: "email=nobody{caller}%40demo.athar.tn&password=x".into(),
            json: false,
            expect: [401; 5],
        },
        Row {
            endpoint: "/api/logout",
            case: "anyone",
            body: String::new(),
            json: false,
            expect: [200; 5],
        },
        Row {
            endpoint: "/api/setup_open",
            case: "anyone, a link that is not one",
            body: "token=0123".into(),
            json: false,
            expect: [200; 5],
        },
        Row {
            endpoint: "/api/setup",
            case: "anyone, once an account exists",
            body: "token=0123&name=X&email=x%40example.tn&password=palmiers+de+Douz+2026&password_again=palmiers+de+Douz+2026".into(),
            json: false,
            expect: [422; 5],
        },
        Row {
            endpoint: "/api/audit_trail",
            case: "the team only",
            body: r#"{"person":null,"project":null,"kind":null}"#.into(),
            json: true,
            expect: [401, 403, 403, 200, 403],
        },
        Row {
            endpoint: "/api/programme_setting",
            case: "the team only",
            body: String::new(),
            json: false,
            expect: [401, 403, 403, 200, 403],
        },
        Row {
            endpoint: "/api/save_organisation",
            case: "the team only; an unknown kind is refused",
            body: r#"{"organisation":{"id":"00000000-0000-4000-8000-00000000000{caller}","kind":"bank","name":"Banque","locality":null,"archived":false}}"#.into(),
            json: true,
            expect: [401, 403, 403, 422, 403],
        },
        Row {
            endpoint: "/api/archive_organisation",
            case: "the team only; an unknown organisation",
            body: "id=00000000-0000-4000-8000-000000000001&archived=true".into(),
            json: false,
            expect: [401, 403, 403, 404, 403],
        },
        Row {
            endpoint: "/api/save_place",
            case: "the team only; a place needs a name",
            body: r#"{"place":{"id":"00000000-0000-4000-8000-00000000000{caller}","governorate":"Kébili","delegation":"Douz Nord","name":" "}}"#.into(),
            json: true,
            expect: [401, 403, 403, 422, 403],
        },
        Row {
            endpoint: "/api/save_value_chain",
            case: "the team only; a code of the wrong shape",
            body: r#"{"chain":{"id":"00000000-0000-4000-8000-00000000000{caller}","code":"x","names":{"fr":"a","ar":"b","en":"c"}}}"#.into(),
            json: true,
            expect: [401, 403, 403, 422, 403],
        },
        Row {
            endpoint: "/api/people_directory",
            case: "the team only",
            body: String::new(),
            json: false,
            expect: [401, 403, 403, 200, 403],
        },
        Row {
            endpoint: "/api/save_person",
            case: "the team only; a facilitator without an incubator is refused",
            body: r#"{"person":{"id":null,"name":"Nouvelle","email":"nouvelle{caller}@example.tn","role":"facilitator","organisation":null,"incubators":[]}}"#.into(),
            json: true,
            expect: [401, 403, 403, 422, 403],
        },
        Row {
            endpoint: "/api/set_person_active",
            case: "the team only; an unknown account",
            body: "id=00000000-0000-4000-8000-000000000001&active=false".into(),
            json: false,
            expect: [401, 403, 403, 404, 403],
        },
        Row {
            endpoint: "/api/make_sign_in_code",
            case: "the team only; an unknown account",
            body: "id=00000000-0000-4000-8000-000000000001".into(),
            json: false,
            expect: [401, 403, 403, 404, 403],
        },
        Row {
            endpoint: "/api/reassign_projects",
            case: "the team only; to someone who is not a facilitator",
            body: r#"{"from":"00000000-0000-4000-8000-000000000001","to":"00000000-0000-4000-8000-000000000002","projects":null}"#.into(),
            json: true,
            expect: [401, 403, 403, 422, 403],
        },
        Row {
            endpoint: "/api/change_password",
            case: "anyone signed in; the current password is checked",
            body: "current=wrong&password=palmiers+de+Douz+2026&password_again=palmiers+de+Douz+2026".into(),
            json: false,
            expect: [401, 422, 422, 422, 422],
        },
        Row {
            endpoint: "/api/code_open",
            case: "anyone, a code that is not one",
            body: "code=AAAA-BBBB".into(),
            json: false,
            expect: [200; 5],
        },
        Row {
            endpoint: "/api/redeem_code",
            case: "anyone, a code that is not one",
            body: "code=AAAA-BBBB&password=palmiers+de+Douz+2026&password_again=palmiers+de+Douz+2026".into(),
            json: false,
            expect: [422; 5],
        },
        Row {
            endpoint: "/api/site",
            case: "anyone",
            body: String::new(),
            json: false,
            expect: [200; 5],
        },
        Row {
            endpoint: "/api/me",
            case: "anyone",
            body: String::new(),
            json: false,
            expect: [200; 5],
        },
        Row {
            endpoint: "/api/list_projects",
            case: "own scope",
            body: String::new(),
            json: false,
            expect: [401, 200, 200, 200, 403],
        },
        Row {
            endpoint: "/api/get_project",
            case: "facilitator's own",
            body: format!("id={own}"),
            json: false,
            expect: [401, 200, 200, 200, 403],
        },
        Row {
            endpoint: "/api/get_project",
            case: "colleague's, same incubators",
            body: format!("id={colleague}"),
            json: false,
            expect: [401, 404, 200, 200, 403],
        },
        Row {
            endpoint: "/api/get_project",
            case: "other supervisor's incubator",
            body: format!("id={elsewhere}"),
            json: false,
            expect: [401, 404, 404, 200, 403],
        },
        Row {
            endpoint: "/api/get_project",
            case: "no such project",
            body: format!("id={}", uuid::Uuid::new_v4()),
            json: false,
            expect: [401, 404, 404, 404, 403],
        },
        Row {
            endpoint: "/api/sync/push",
            case: "an empty batch from the caller's own client",
            body: sync_call(&format!(
                r#"{{"client_id":"{CLIENT}","mutations":[],"heartbeat":{{}}}}"#
            )),
            json: true,
            expect: [401, 200, 200, 200, 403],
        },
        Row {
            endpoint: "/api/sync/push",
            case: "a visit in a colleague's project: accepted as a call, refused inside",
            body: sync_call(&format!(
                r#"{{"client_id":"{CLIENT}","mutations":[{{"client_id":"{CLIENT}","seq":1,"name":"visit.save","args":{{"id":"{}","base_version":null,"fields":{{"project_id":"{colleague}","visit_on":"2026-11-20","mode":"on_site","status":"submitted"}}}},"created_at":0}}],"heartbeat":{{}}}}"#,
                uuid::Uuid::new_v4()
            )),
            json: true,
            expect: [401, 200, 200, 200, 403],
        },
        Row {
            endpoint: "/api/sync/pull",
            case: "own scope",
            body: sync_call(&format!(
                r#"{{"client_id":"{CLIENT}","cookie":null,"heartbeat":{{}}}}"#
            )),
            json: true,
            expect: [401, 200, 200, 200, 403],
        },
        Row {
            endpoint: "/api/list_conflicts",
            case: "reviewers only",
            body: String::new(),
            json: false,
            expect: [401, 403, 200, 200, 403],
        },
        Row {
            endpoint: "/api/resolve_conflict",
            case: "no such visit: reviewers learn nothing more",
            body: format!(
                "visit={}&version=1&fields[project_id]={own}&fields[visit_on]=2026-11-20&fields[mode]=on_site&fields[status]=submitted",
                uuid::Uuid::new_v4()
            ),
            json: false,
            expect: [401, 403, 404, 404, 403],
        },
        Row {
            endpoint: "/api/acknowledge_risk",
            case: "a project in the reviewer's scope",
            body: format!(
                "project={own}&rule=no_recent_visit&note=Appel%C3%A9e%2C%20visite%20pr%C3%A9vue"
            ),
            json: false,
            expect: [401, 403, 200, 200, 403],
        },
        Row {
            endpoint: "/api/acknowledge_risk",
            case: "another supervisor's project",
            body: format!("project={elsewhere}&rule=shock&note=vu"),
            json: false,
            expect: [401, 403, 404, 200, 403],
        },
        Row {
            endpoint: "/api/review_queue",
            case: "reviewers only",
            body: String::new(),
            json: false,
            expect: [401, 403, 200, 200, 403],
        },
        Row {
            endpoint: "/api/review_visit",
            case: "no such visit: reviewers learn nothing more",
            body: format!(
                "visit={}&version=1&decision=validate&comment=",
                uuid::Uuid::new_v4()
            ),
            json: false,
            expect: [401, 403, 404, 404, 403],
        },
        Row {
            endpoint: "/api/entry_review_queue",
            case: "reviewers only",
            body: String::new(),
            json: false,
            expect: [401, 403, 200, 200, 403],
        },
        Row {
            endpoint: "/api/review_entry",
            case: "no such entry: reviewers learn nothing more",
            body: format!(
                "entry={}&version=1&decision=validate&comment=",
                uuid::Uuid::new_v4()
            ),
            json: false,
            expect: [401, 403, 404, 404, 403],
        },
        Row {
            endpoint: "/api/list_indicators",
            case: "every signed-in role",
            body: "{}".into(),
            json: true,
            expect: [401, 200, 200, 200, 200],
        },
        Row {
            endpoint: "/api/indicator_dashboard",
            case: "the programme: every signed-in role",
            body: "level=programme&id=&lang=fr".into(),
            json: false,
            expect: [401, 200, 200, 200, 200],
        },
        Row {
            endpoint: "/api/indicator_dashboard",
            case: "an incubator: aggregates, every signed-in role",
            body: format!("level=incubator&id={amal_incubator}&year=2026&lang=ar"),
            json: false,
            expect: [401, 200, 200, 200, 200],
        },
        Row {
            endpoint: "/api/indicator_dashboard",
            case: "a project: those who see it",
            body: format!("level=project&id={own}&lang=en"),
            json: false,
            expect: [401, 200, 200, 200, 404],
        },
        Row {
            endpoint: "/api/indicator_dashboard",
            case: "a project of another supervisor's incubator",
            body: format!("level=project&id={elsewhere}&lang=en"),
            json: false,
            expect: [401, 404, 404, 200, 404],
        },
        Row {
            endpoint: "/api/indicator_dashboard",
            case: "an unknown level",
            body: "level=country&id=&lang=fr".into(),
            json: false,
            expect: [401, 422, 422, 422, 422],
        },
        Row {
            endpoint: "/api/reporting_periods",
            case: "the team only",
            body: String::new(),
            json: false,
            expect: [401, 403, 403, 200, 403],
        },
        Row {
            endpoint: "/api/set_period_status",
            case: "the team only",
            body: "period=2031-q1&status=locked&reason=".into(),
            json: false,
            expect: [401, 403, 403, 200, 403],
        },
        Row {
            endpoint: "/api/set_period_status",
            case: "not a period",
            body: "period=autumn&status=locked&reason=".into(),
            json: false,
            expect: [401, 403, 403, 422, 403],
        },
        Row {
            endpoint: "/api/publish_indicators",
            case: "the team only (an empty import publishes nothing)",
            body: r#"{"definition":"[]"}"#.into(),
            json: true,
            expect: [401, 403, 403, 200, 403],
        },
        Row {
            endpoint: "/api/list_value_chains",
            case: "the team only",
            body: String::new(),
            json: false,
            expect: [401, 403, 403, 200, 403],
        },
        Row {
            endpoint: "/api/target_choices",
            case: "the team only",
            body: "lang=fr".into(),
            json: false,
            expect: [401, 403, 403, 200, 403],
        },
        Row {
            endpoint: "/api/save_target",
            case: "the team only; an unknown indicator is refused",
            body: r#"{"target":{"indicator":"XXX-1","scope":"programme","scope_id":"","baseline":"","baseline_on":"","target":"1","target_on":"2027-12-31"}}"#.into(),
            json: true,
            expect: [401, 403, 403, 422, 403],
        },
        Row {
            endpoint: "/api/review_summary",
            case: "reviewers only",
            body: String::new(),
            json: false,
            expect: [401, 403, 200, 200, 403],
        },
        Row {
            endpoint: "/api/registry_review_queue",
            case: "reviewers only",
            body: String::new(),
            json: false,
            expect: [401, 403, 200, 200, 403],
        },
        Row {
            endpoint: "/api/review_registry",
            case: "no such member: reviewers learn nothing more",
            body: format!(
                "kind=member&id={}&version=1&decision=validate&comment=",
                uuid::Uuid::new_v4()
            ),
            json: false,
            expect: [401, 403, 404, 404, 403],
        },
        Row {
            endpoint: "/api/review_registry",
            case: "a member the team loaded waits for no review",
            body: format!("kind=member&id={member}&version=1&decision=validate&comment="),
            json: false,
            expect: [401, 403, 404, 404, 403],
        },
        Row {
            endpoint: "/api/registry_choices",
            case: "facilitators register projects",
            body: String::new(),
            json: false,
            expect: [401, 200, 403, 403, 403],
        },
        Row {
            endpoint: "/api/assignment_choices",
            case: "the team only",
            body: format!("project={own}"),
            json: false,
            expect: [401, 403, 403, 200, 403],
        },
        Row {
            endpoint: "/api/assign_project",
            case: "an unknown project",
            body: format!("project={}&incubator={}", uuid::Uuid::new_v4(), uuid::Uuid::new_v4()),
            json: false,
            expect: [401, 403, 403, 404, 403],
        },
        Row {
            endpoint: "/api/assign_project",
            case: "an incubator that is not one",
            body: format!("project={own}&incubator={}", uuid::Uuid::new_v4()),
            json: false,
            expect: [401, 403, 403, 422, 403],
        },
        Row {
            endpoint: "/api/save_tranche",
            case: "a tranche planned: the team only",
            body: format!(r#"{{"project":"{own}","tranche":{{"seq":5,"planned":2000000,"disbursed":null,"disbursed_on":null,"justified":null}}}}"#),
            json: true,
            expect: [401, 403, 403, 200, 403],
        },
        Row {
            endpoint: "/api/save_tranche",
            case: "more disbursed than planned is refused by name",
            body: format!(r#"{{"project":"{own}","tranche":{{"seq":5,"planned":2000,"disbursed":3000,"disbursed_on":"2026-01-10","justified":null}}}}"#),
            json: true,
            expect: [401, 403, 403, 422, 403],
        },
        Row {
            endpoint: "/api/risk_settings",
            case: "the team only",
            body: String::new(),
            json: false,
            expect: [401, 403, 403, 200, 403],
        },
        Row {
            endpoint: "/api/save_risk_settings",
            case: "thresholds within bounds: the team only",
            body: r#"{"settings":{"days_without_visit":45,"max_overdue_actions":3,"visits_under_break_even":2,"days_tranche_unspent":90,"days_acknowledged":30}}"#.into(),
            json: true,
            expect: [401, 403, 403, 200, 403],
        },
        Row {
            endpoint: "/api/save_risk_settings",
            case: "a threshold out of bounds is refused by name",
            body: r#"{"settings":{"days_without_visit":0}}"#.into(),
            json: true,
            expect: [401, 403, 403, 422, 403],
        },
        Row {
            endpoint: "/api/visit_history",
            case: "a visit of the facilitator's own project",
            body: format!("visit={own_visit}"),
            json: false,
            expect: [401, 200, 200, 200, 403],
        },
        Row {
            endpoint: "/api/visit_history",
            case: "a colleague's visit, same incubators",
            body: format!("visit={colleague_visit}"),
            json: false,
            expect: [401, 404, 200, 200, 403],
        },
        Row {
            endpoint: "/api/visit_history",
            case: "no such visit",
            body: format!("visit={}", uuid::Uuid::new_v4()),
            json: false,
            expect: [401, 404, 404, 404, 403],
        },
        Row {
            endpoint: "/api/list_forms",
            case: "every signed-in role",
            body: "{}".into(),
            json: true,
            expect: [401, 200, 200, 200, 200],
        },
        Row {
            endpoint: "/api/publish_form",
            case: "the team only (a file that is not a form: told so)",
            body: r#"{"definition":"{}"}"#.into(),
            json: true,
            expect: [401, 403, 403, 200, 403],
        },
        Row {
            endpoint: "/api/list_devices",
            case: "the team only",
            body: String::new(),
            json: false,
            expect: [401, 403, 403, 200, 403],
        },
        Row {
            endpoint: "/api/import_outbox",
            case: "the team only; a file for no known user",
            body: format!(
                r#"{{"file":{{"format":"athar-outbox","protocol":{PROTOCOL_VERSION},"schema":{SCHEMA_VERSION},"user_id":"{}","exported_at":0,"heartbeat":{{}},"clients":[]}}}}"#,
                uuid::Uuid::new_v4()
            ),
            json: true,
            expect: [401, 403, 403, 404, 403],
        },
        Row {
            endpoint: "/api/programme_summary",
            case: "aggregates",
            body: String::new(),
            json: false,
            expect: [401, 200, 200, 200, 200],
        },
        Row {
            endpoint: "/api/import_programme",
            case: "the team only (a dry run of no file: told so, nothing written)",
            body: r#"{"files":[],"lang":"fr","plan":null}"#.into(),
            json: true,
            expect: [401, 403, 403, 200, 403],
        },
        // Last: it ends every session of its caller (the rows above keep theirs).
        Row {
            endpoint: "/api/sign_out_everywhere",
            case: "anyone signed in, for themselves",
            body: String::new(),
            json: false,
            expect: [401, 200, 200, 200, 200],
        },
    ]
}

/// A session cookie for each of [`CALLERS`] (none for the anonymous one).
async fn sessions(app: &Router) -> Vec<Option<String>> {
    let mut cookies = Vec::new();
    for caller in CALLERS {
        cookies.push(match email_of(caller) {
            Some(e) => Some(sign_in(app, e).await),
            None => None,
        });
    }
    cookies
}

#[tokio::test]
async fn every_server_function_checks_role_and_scope() {
    for t in support::every_engine().await {
        let (app, set) = demo_app(&t).await;
        let rows = matrix(&set);

        // A server function without a row fails here: add it to `matrix` with what each role gets.
        let registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
            .map(|(p, _)| p.to_owned())
            .collect();
        assert!(registered.len() >= 8, "{registered:?}");
        for path in &registered {
            assert!(
                rows.iter().any(|r| r.endpoint == path),
                "server function {path} has no row in the role × scope matrix"
            );
        }

        let cookies = sessions(&app).await;
        for row in &rows {
            for (i, caller) in CALLERS.iter().enumerate() {
                // Sign-out ends the session it is given: sign in afresh for it, so the rows
                // after it keep theirs.
                let cookie = match email_of(*caller) {
                    Some(email) if row.endpoint == "/api/logout" => {
                        Some(sign_in(&app, email).await)
                    }
                    _ => cookies[i].clone(),
                };
                let body = row.body.replace("{caller}", &i.to_string());
                let request = if row.json {
                    post_json(row.endpoint, &body, cookie.as_deref())
                } else {
                    post_form(row.endpoint, &body, cookie.as_deref())
                };
                let reply = send(&app, request).await;
                assert_eq!(
                    reply.status.as_u16(),
                    row.expect[i],
                    "{:?}: {} ({}) as {caller:?}: {}",
                    t.engine,
                    row.endpoint,
                    row.case,
                    reply.body
                );
                no_personal_data(*caller, row.endpoint, &reply);
            }
        }
    }
}

/// Supervisors and viewers never get a member's private fields: no `private` object, no
/// Washington Group answer (`wg_…`), no phone number, at any depth of any answer (JSON, or the
/// header row of a CSV).
fn no_personal_data(caller: Caller, what: &str, reply: &Reply) {
    if !matches!(caller, Caller::Supervisor | Caller::Viewer) || !reply.status.is_success() {
        return;
    }
    let forbidden = |key: &str| {
        let key = key.to_ascii_lowercase();
        key == "private" || key.starts_with("wg_") || key.contains("phone")
    };
    fn keys(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    out.push(k.clone());
                    keys(v, out);
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
            // A sync record carries its fields as a JSON text inside JSON: read it too.
            serde_json::Value::String(text) if text.starts_with('{') => {
                if let Ok(inner) = serde_json::from_str(text) {
                    keys(&inner, out);
                }
            }
            _ => {}
        }
    }
    let kind = reply
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut found = Vec::new();
    if kind.starts_with("application/json") {
        let value: serde_json::Value =
            serde_json::from_str(&reply.body).unwrap_or_else(|e| panic!("{what}: {e}"));
        keys(&value, &mut found);
    } else if kind.starts_with("text/csv") {
        found.extend(
            reply
                .body
                .lines()
                .next()
                .unwrap_or("")
                .split(',')
                .map(str::to_owned),
        );
    }
    let leaked: Vec<_> = found.into_iter().filter(|k| forbidden(k)).collect();
    assert!(
        leaked.is_empty(),
        "{what} as {caller:?} carries {leaked:?}: {}",
        reply.body.chars().take(400).collect::<String>()
    );
}

/// Server functions: the matrix above.
const SERVER_FUNCTIONS_ROUTE: &str = "/api/{*fn_name}";

/// One row of the routes' matrix: a GET (or the report POST) and the status each caller gets.
struct RouteRow {
    route: &'static str,
    path: String,
    expect: [u16; 5],
}

#[tokio::test]
async fn every_route_answers_each_role_as_its_row_says() {
    for t in support::every_engine().await {
        let (app, set) = demo_app(&t).await;
        let amal = set
            .users
            .iter()
            .find(|u| u.email == DEMO_LOGINS[0].0)
            .expect("amal")
            .id;
        let own = set
            .projects
            .iter()
            .find(|p| p.facilitator_id == amal)
            .expect("own")
            .id;
        // A project neither Amal's nor in an incubator Rim supervises.
        let rim = set
            .users
            .iter()
            .find(|u| u.email == DEMO_LOGINS[1].0)
            .expect("rim")
            .id;
        let others = set
            .projects
            .iter()
            .find(|p| {
                p.facilitator_id != amal
                    && !set.supervisor_incubators.contains(&(rim, p.incubator_id))
            })
            .expect("a project out of both their scopes")
            .id;
        let mut rows = vec![
            RouteRow {
                route: "/healthz",
                path: "/healthz".into(),
                expect: [200; 5],
            },
            RouteRow {
                route: "/sw.js",
                path: "/sw.js".into(),
                expect: [200; 5],
            },
            RouteRow {
                route: "/offline-shell",
                path: "/offline-shell".into(),
                expect: [200; 5],
            },
            // The build's evidence script, to anyone (it holds no data); any other name is not
            // there.
            RouteRow {
                route: "/scripts/{name}",
                path: app::ui::FILES_SCRIPT_URL.into(),
                expect: [200; 5],
            },
            RouteRow {
                route: "/scripts/{name}",
                path: "/scripts/files.0000000000000000.js".into(),
                expect: [404; 5],
            },
            RouteRow {
                route: "/csp-report",
                path: "/csp-report".into(),
                expect: [204; 5],
            },
        ];
        let file = |name: &str, query: &str, expect| RouteRow {
            route: "/exports/{file}",
            path: format!("/exports/{name}{query}"),
            expect,
        };
        for name in [
            "audit.csv",
            "template.xlsx",
            "template-projects.csv",
            "template-members.csv",
        ] {
            rows.push(file(name, "", [401, 403, 403, 200, 403]));
        }
        rows.push(file("catalogue.json", "", [401, 200, 200, 200, 200]));
        for name in ["indicators.csv", "indicators.xlsx", "logframe.xlsx"] {
            rows.push(file(name, "?level=programme", [401, 200, 200, 200, 200]));
            // A project: its facilitator, the supervisors of its incubator and the team.
            // Any other reader is told no such project exists.
            rows.push(file(
                name,
                &format!("?level=project&id={own}"),
                [401, 200, 200, 200, 404],
            ));
            rows.push(file(
                name,
                &format!("?level=project&id={others}"),
                [401, 404, 404, 200, 404],
            ));
        }
        rows.push(file(
            "nothing.csv",
            "?level=programme",
            [401, 404, 404, 404, 404],
        ));
        // BI reads with a token only: a session, whoever's, is not one.
        for what in server::exports::BI_DATASETS {
            rows.push(RouteRow {
                route: "/bi/v1/{what}",
                path: format!("/bi/v1/{what}?level=programme"),
                expect: [401; 5],
            });
        }

        // Evidence: a photo of a visit in Amal's project, one in a project out of both their
        // scopes (sent by the team), and one of Amal's drafts.
        {
            use crate::evidence::{evidence, photo, sha, upload};
            use app::domain::evidence::Media;
            let team = crate::sync::user(&set, DEMO_LOGINS[2].0);
            let amal_user = crate::sync::user(&set, DEMO_LOGINS[0].0);
            let (mine, theirs, draft) = (photo(1), photo(2), photo(3));
            for (who, project, bytes, status) in [
                (&amal_user, own, &mine, app::domain::EntryStatus::Submitted),
                (&team, others, &theirs, app::domain::EntryStatus::Submitted),
                (&amal_user, own, &draft, app::domain::EntryStatus::Draft),
            ] {
                let client = uuid::Uuid::new_v4();
                let mut args = crate::sync::visit(uuid::Uuid::new_v4(), project, None, "Photo.");
                args.fields.status = status;
                args.fields.files = vec![evidence(bytes, Media::Jpeg, "")];
                let pushed = crate::sync::send(
                    &t.db,
                    who,
                    client,
                    uuid::Uuid::new_v4(),
                    vec![crate::sync::save(client, 1, &args)],
                )
                .await
                .expect("push");
                assert!(pushed.refused.is_empty(), "{:?}", pushed.refused);
                let cookie = sign_in(&app, &who.email).await;
                assert_eq!(
                    upload(&app, &cookie, bytes).await.status,
                    StatusCode::NO_CONTENT
                );
            }
            for (route, tail) in [
                (server::files::ROUTES[0], ""),
                (server::files::ROUTES[1], "/thumbnail"),
            ] {
                for (bytes, expect) in [
                    (&mine, [401, 200, 200, 200, 403]),
                    (&theirs, [401, 404, 404, 200, 403]),
                    (&draft, [401, 200, 404, 404, 403]),
                ] {
                    rows.push(RouteRow {
                        route,
                        path: format!("/api/files/{}{tail}", sha(bytes)),
                        expect,
                    });
                }
                rows.push(RouteRow {
                    route,
                    path: format!("/api/files/{}{tail}", "0".repeat(64)),
                    expect: [401, 404, 404, 404, 403],
                });
            }
        }

        // Every route of the router, and every file and dataset it serves, has a row.
        for route in server::routes::ROUTES {
            if route == SERVER_FUNCTIONS_ROUTE || route.starts_with("/pkg") {
                continue; // server functions: the matrix above; build files: public
            }
            assert!(
                rows.iter().any(|r| r.route == route),
                "route {route} has no row in the routes' matrix"
            );
        }
        for name in server::exports::EXPORT_FILES {
            assert!(
                rows.iter()
                    .any(|r| r.path.starts_with(&format!("/exports/{name}"))),
                "export {name} has no row"
            );
        }

        let cookies = sessions(&app).await;
        for row in &rows {
            for (i, caller) in CALLERS.iter().enumerate() {
                let request = if row.route == "/csp-report" {
                    post_json(&row.path, r#"{"csp-report":{}}"#, cookies[i].as_deref())
                } else {
                    get(&row.path, cookies[i].as_deref())
                };
                let reply = send(&app, request).await;
                assert_eq!(
                    reply.status.as_u16(),
                    row.expect[i],
                    "{:?}: {} as {caller:?}: {}",
                    t.engine,
                    row.path,
                    reply.body.chars().take(300).collect::<String>()
                );
                no_personal_data(*caller, &row.path, &reply);
            }
        }

        // With a token, every dataset answers, and none carries personal data.
        let token = app::server::auth::new_api_token();
        t.db.create_api_token(
            uuid::Uuid::new_v4(),
            "matrix",
            &app::server::auth::hash_token(&token),
        )
        .await
        .expect("token");
        for what in server::exports::BI_DATASETS {
            let request = Request::get(format!("/bi/v1/{what}?level=programme"))
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .expect("request");
            let reply = send(&app, request).await;
            assert_eq!(reply.status, StatusCode::OK, "{what}: {}", reply.body);
            no_personal_data(Caller::Viewer, what, &reply);
        }
    }
}

async fn facilitator_session(app: &Router) -> String {
    sign_in(app, DEMO_LOGINS[0].0).await
}

#[tokio::test]
async fn an_app_too_old_for_the_protocol_is_told_to_update_not_given_a_404() {
    let t = support::sqlite().await;
    let (app, _) = demo_app(&t).await;
    let cookie = facilitator_session(&app).await;
    let old = r#"{"call":{"protocol":0,"schema":0,"body":{"anything":"in an old shape"}}}"#;
    for endpoint in ["/api/sync/push", "/api/sync/pull"] {
        let reply = send(&app, post_json(endpoint, old, Some(&cookie))).await;
        assert_eq!(
            reply.status,
            StatusCode::UPGRADE_REQUIRED,
            "{endpoint}: {}",
            reply.body
        );
        assert_eq!(reply.body, r#""UpdateNeeded""#);
    }
    // Versions missing altogether read as version 0: the same answer.
    let bare = r#"{"call":{"body":{}}}"#;
    let reply = send(&app, post_json("/api/sync/pull", bare, Some(&cookie))).await;
    assert_eq!(reply.status, StatusCode::UPGRADE_REQUIRED);
}

#[tokio::test]
async fn a_gzipped_push_from_the_browser_is_read() {
    use std::io::Write as _;
    let t = support::sqlite().await;
    let (app, set) = demo_app(&t).await;
    let cookie = facilitator_session(&app).await;
    let amal = set
        .users
        .iter()
        .find(|u| u.email == DEMO_LOGINS[0].0)
        .expect("amal")
        .id;
    let own = set
        .projects
        .iter()
        .find(|p| p.facilitator_id == amal)
        .expect("own")
        .id;
    let client = uuid::Uuid::new_v4();
    let body = sync_call(&format!(
        r#"{{"client_id":"{client}","mutations":[{{"client_id":"{client}","seq":1,"name":"visit.save","args":{{"id":"{}","base_version":null,"fields":{{"project_id":"{own}","visit_on":"2026-11-20","mode":"phone","status":"submitted","observations":"{}"}}}},"created_at":0}}],"heartbeat":{{}}}}"#,
        uuid::Uuid::new_v4(),
        "Ventes en hausse avant la saison des dattes. ".repeat(20)
    ));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(body.as_bytes()).expect("gzip");
    let compressed = gz.finish().expect("gzip");
    assert!(
        compressed.len() * 3 < body.len(),
        "{} -> {}",
        body.len(),
        compressed.len()
    );
    let request = Request::post("/api/sync/push")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_ENCODING, "gzip")
        .header(header::ACCEPT, "application/json")
        .header(header::COOKIE, &cookie)
        .body(Body::from(compressed))
        .expect("request");
    let reply = send(&app, request).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let answer: app::sync::protocol::PushResponse =
        serde_json::from_str(&reply.body).expect("json");
    assert_eq!(answer.last_seq, 1);
    assert!(answer.refused.is_empty(), "{:?}", answer.refused);
}

#[tokio::test]
async fn bad_sync_calls_get_typed_errors_and_the_server_keeps_serving() {
    let t = support::sqlite().await;
    let (app, _) = demo_app(&t).await;
    let cookie = facilitator_session(&app).await;
    let client = uuid::Uuid::new_v4();

    let broken = send(
        &app,
        post_json(
            "/api/sync/push",
            r#"{"call": {"protocol": 1,"#,
            Some(&cookie),
        ),
    )
    .await;
    assert!(
        broken.status.is_client_error(),
        "{} {}",
        broken.status,
        broken.body
    );
    assert!(broken.body.contains("Invalid"), "{}", broken.body);

    let wrong_shape = sync_call(r#"{"client_id": 42}"#);
    let reply = send(
        &app,
        post_json("/api/sync/push", &wrong_shape, Some(&cookie)),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );

    let mutations: Vec<String> = (1..=501)
        .map(|seq| format!(r#"{{"client_id":"{client}","seq":{seq},"name":"action.close","args":{{}},"created_at":0}}"#))
        .collect();
    let too_many = sync_call(&format!(
        r#"{{"client_id":"{client}","mutations":[{}],"heartbeat":{{}}}}"#,
        mutations.join(",")
    ));
    let reply = send(&app, post_json("/api/sync/push", &too_many, Some(&cookie))).await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.body
    );
    assert_eq!(reply.body, r#""TooLarge""#);

    let pull = sync_call(&format!(
        r#"{{"client_id":"{client}","cookie":null,"heartbeat":{{}}}}"#
    ));
    let reply = send(&app, post_json("/api/sync/pull", &pull, Some(&cookie))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let answer: app::sync::protocol::PullResponse =
        serde_json::from_str(&reply.body).expect("json");
    assert_eq!(
        answer.last_seq, 0,
        "nothing of the refused batch was applied"
    );
}

#[tokio::test]
async fn the_team_publishes_a_new_form_version_and_a_broken_one_is_refused_with_its_errors() {
    use app::domain::form::{DefinitionProblem, FormDefinition, PublishError, PublishOutcome};
    for t in support::every_engine().await {
        let (app, _) = demo_app(&t).await;
        let team = sign_in(&app, "equipe@demo.athar.tn").await;
        let publish = |form: String| {
            let body = serde_json::json!({ "definition": form }).to_string();
            post_json("/api/publish_form", &body, Some(&team))
        };
        let outcome = |reply: Reply| -> PublishOutcome {
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            serde_json::from_str(&reply.body).expect("an outcome")
        };
        let list = send(&app, post_json("/api/list_forms", "{}", Some(&team))).await;
        let shipped: Vec<FormDefinition> = serde_json::from_str(&list.body).expect("forms");
        let mut visit = shipped
            .iter()
            .find(|f| f.id == "coaching_visit")
            .cloned()
            .expect("the shipped visit form");
        let shipped_version = visit.version;

        // A broken next version: its relevance reads a field that does not exist.
        visit.version = shipped_version + 1;
        let mut broken = visit.clone();
        let difficulties = broken
            .fields
            .iter_mut()
            .find(|f| f.name == "difficulties")
            .expect("a question on difficulties");
        difficulties.relevant = Some("${humeur} = 'bonne'".into());
        let refused =
            outcome(send(&app, publish(serde_json::to_string(&broken).expect("json"))).await);
        let PublishOutcome::Refused {
            error: PublishError::Invalid { errors },
        } = refused
        else {
            panic!("{:?}: refused, got {refused:?}", t.engine);
        };
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, ["difficulties"]);
        assert_eq!(
            errors[0].problem,
            DefinitionProblem::UnknownField {
                name: "humeur".into()
            }
        );
        let unreadable = outcome(send(&app, publish("{\"id\": \"visit\"".into())).await);
        assert!(
            matches!(&unreadable, PublishOutcome::Unreadable { detail } if detail.contains("line 1")),
            "{unreadable:?}"
        );

        // A good next version is published; the shipped one stays for the entries made with it.
        visit.fields[5].hint = None;
        assert_eq!(
            outcome(send(&app, publish(serde_json::to_string(&visit).expect("json"))).await),
            PublishOutcome::Published {
                id: "coaching_visit".into(),
                version: shipped_version + 1
            }
        );
        assert_eq!(
            outcome(send(&app, publish(serde_json::to_string(&visit).expect("json"))).await),
            PublishOutcome::Refused {
                error: PublishError::NotNewer {
                    latest: shipped_version + 1
                }
            }
        );
        let facilitator = facilitator_session(&app).await;
        let list = send(&app, post_json("/api/list_forms", "{}", Some(&facilitator))).await;
        let forms: Vec<FormDefinition> = serde_json::from_str(&list.body).expect("forms");
        let versions: Vec<u32> = forms
            .iter()
            .filter(|f| f.id == "coaching_visit")
            .map(|f| f.version)
            .collect();
        assert_eq!(
            versions,
            [shipped_version, shipped_version + 1],
            "{:?}",
            t.engine
        );
        assert_eq!(forms.len(), shipped.len() + 1);

        // Migrating again (a restart) installs nothing twice.
        app::server::prepare(&*t.db).await.expect("migrate");
        assert_eq!(t.db.forms().await.expect("forms").len(), shipped.len() + 1);
    }
}
