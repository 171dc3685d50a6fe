//! The team runs its people without SQL: an account made with a sign-in code handed over in
//! person, its password chosen by its owner, projects moved to it when a colleague leaves, the
//! account disabled and enabled again; and everyone's own password and sessions.

use crate::support::router::{post_form, post_json, send};
use crate::support::{self, router};
use app::server::demo::{DEMO_LOGINS, DEMO_PASSWORD};
use axum::http::header;
use uuid::Uuid;

fn cookie_of(reply: &router::Reply) -> Option<String> {
    reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("athar_session=") && !c.starts_with("athar_session=;"))
        .map(|c| c.split(';').next().unwrap_or_default().to_owned())
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", v.replace('@', "%40").replace(' ', "+")))
        .collect::<Vec<_>>()
        .join("&")
}

/// A pull as the phone sends it, from client `client`.
fn pull_call(client: Uuid) -> String {
    use app::sync::protocol::{PROTOCOL_VERSION, SCHEMA_VERSION};
    format!(
        r#"{{"call":{{"protocol":{PROTOCOL_VERSION},"schema":{SCHEMA_VERSION},"body":{{"client_id":"{client}","cookie":null,"heartbeat":{{}}}}}}}}"#
    )
}

#[tokio::test]
async fn the_team_gives_a_new_facilitator_her_account_moves_projects_to_her_then_disables_it() {
    for t in support::every_engine().await {
        let (app, set) = router::demo_app(&t).await;
        let team = router::sign_in(&app, DEMO_LOGINS[2].0).await;
        let amal = set
            .users
            .iter()
            .find(|u| u.email == DEMO_LOGINS[0].0)
            .expect("amal");
        let incubator = amal.organisation_id.expect("an incubator");

        let directory = send(&app, post_form("/api/people_directory", "", Some(&team))).await;
        assert_eq!(directory.status.as_u16(), 200, "{}", directory.body);
        let listed: serde_json::Value = serde_json::from_str(&directory.body).expect("json");
        assert_eq!(
            listed["people"].as_array().expect("people").len(),
            set.users.len()
        );

        // Refused by name: no incubator, an email in use.
        let person = |email: &str, organisation: Option<Uuid>| {
            serde_json::json!({ "person": {
                "id": null, "name": "Nour Haddad", "email": email, "role": "facilitator",
                "organisation": organisation, "incubators": [],
            }})
            .to_string()
        };
        let refused = send(
            &app,
            post_json(
                "/api/save_person",
                &person("nour@example.tn", None),
                Some(&team),
            ),
        )
        .await;
        assert_eq!(refused.status.as_u16(), 422);
        assert!(
            refused.body.contains("incubator_required"),
            "{}",
            refused.body
        );
        let refused = send(
            &app,
            post_json(
                "/api/save_person",
                &person(&amal.email.to_uppercase(), Some(incubator)),
                Some(&team),
            ),
        )
        .await;
        assert_eq!(refused.status.as_u16(), 422);
        assert!(refused.body.contains("taken"), "{}", refused.body);

        let made = send(
            &app,
            post_json(
                "/api/save_person",
                &person("Nour@Example.tn", Some(incubator)),
                Some(&team),
            ),
        )
        .await;
        assert_eq!(made.status.as_u16(), 200, "{}", made.body);
        let made: serde_json::Value = serde_json::from_str(&made.body).expect("json");
        let nour: Uuid = serde_json::from_value(made["id"].clone()).expect("id");
        let code = made["code"]["code"]
            .as_str()
            .expect("a sign-in code")
            .to_owned();
        assert_eq!(code.len(), 19, "four groups of four: {code}");
        assert!(
            made["code"]["qr_svg"]
                .as_str()
                .expect("qr")
                .starts_with("<svg")
        );
        assert!(
            made["code"]["link"]
                .as_str()
                .expect("link")
                .contains("/code?c=")
        );

        // She opens the code, typed loosely, and chooses her password.
        let typed = code.to_lowercase().replace('-', " ");
        let open = send(
            &app,
            post_form("/api/code_open", &form(&[("code", &typed)]), None),
        )
        .await;
        assert_eq!(open.body, "\"nour@example.tn\"");
        let weak = send(
            &app,
            post_form(
                "/api/redeem_code",
                &form(&[
                    ("code", &code),
                    ("password", "nour123"),
                    ("password_again", "nour123"),
                ]),
                None,
            ),
        )
        .await;
        assert_eq!(weak.status.as_u16(), 422);
        let chosen = "les dattes de Jemna 2026";
        let redeemed = send(
            &app,
            post_form(
                "/api/redeem_code",
                &form(&[
                    ("code", &code),
                    ("password", chosen),
                    ("password_again", chosen),
                ]),
                None,
            ),
        )
        .await;
        let phone = cookie_of(&redeemed).expect("signed in with the code");
        let again = send(
            &app,
            post_form(
                "/api/redeem_code",
                &form(&[
                    ("code", &code),
                    ("password", chosen),
                    ("password_again", chosen),
                ]),
                None,
            ),
        )
        .await;
        assert_eq!(again.status.as_u16(), 422, "a code works once");
        let mine = send(&app, post_form("/api/list_projects", "", Some(&phone))).await;
        assert_eq!(mine.status.as_u16(), 200, "{}", mine.body);
        assert_eq!(mine.body, "[]", "nothing assigned yet");

        // Amal leaves: her projects move to Nour in one step.
        let amals = set
            .projects
            .iter()
            .filter(|p| p.facilitator_id == amal.id)
            .count();
        let moved = send(
            &app,
            post_json(
                "/api/reassign_projects",
                &serde_json::json!({ "from": amal.id, "to": nour, "projects": null }).to_string(),
                Some(&team),
            ),
        )
        .await;
        assert_eq!(moved.body, amals.to_string(), "{}", moved.body);
        let mine = send(&app, post_form("/api/list_projects", "", Some(&phone))).await;
        let cards: Vec<serde_json::Value> = serde_json::from_str(&mine.body).expect("cards");
        assert_eq!(cards.len(), amals);

        // Disabled: her session ends, her phone's sync is refused, sign-in says why.
        let off = send(
            &app,
            post_form(
                "/api/set_person_active",
                &format!("id={nour}&active=false"),
                Some(&team),
            ),
        )
        .await;
        assert_eq!(off.status.as_u16(), 200, "{}", off.body);
        let mine = send(&app, post_form("/api/list_projects", "", Some(&phone))).await;
        assert_eq!(mine.status.as_u16(), 401);
        let pull = send(
            &app,
            post_json("/api/sync/pull", &pull_call(Uuid::new_v4()), Some(&phone)),
        )
        .await;
        assert_eq!(pull.status.as_u16(), 401, "{}", pull.body);
        let login = send(
            &app,
            post_form(
                "/api/login",
                &form(&[("email", "nour@example.tn"), ("password", chosen)]),
                None,
            ),
        )
        .await;
        assert_eq!(login.status.as_u16(), 403, "{}", login.body);
        assert!(login.body.contains("AccountDisabled"), "{}", login.body);
        let wrong = send(
            &app,
            post_form(
                "/api/login",
                &form(&[
                    ("email", "nour@example.tn"),
                    ("password", "not her password"),
                ]),
                None,
            ),
        )
        .await;
        assert_eq!(
            wrong.status.as_u16(),
            401,
            "without the password, nothing is told"
        );
        let own = send(
            &app,
            post_form(
                "/api/set_person_active",
                &format!(
                    "id={}&active=false",
                    set.users
                        .iter()
                        .find(|u| u.email == DEMO_LOGINS[2].0)
                        .expect("team")
                        .id
                ),
                Some(&team),
            ),
        )
        .await;
        assert_eq!(
            own.status.as_u16(),
            422,
            "nobody disables their own account"
        );

        let on = send(
            &app,
            post_form(
                "/api/set_person_active",
                &format!("id={nour}&active=true"),
                Some(&team),
            ),
        )
        .await;
        assert_eq!(on.status.as_u16(), 200);
        let login = send(
            &app,
            post_form(
                "/api/login",
                &form(&[("email", "nour@example.tn"), ("password", chosen)]),
                None,
            ),
        )
        .await;
        let phone = cookie_of(&login).expect("enabled again");

        // Her own password: the current one is required; other sessions end.
        let laptop = cookie_of(
            &send(
                &app,
                post_form(
                    "/api/login",
                    &form(&[("email", "nour@example.tn"), ("password", chosen)]),
                    None,
                ),
            )
            .await,
        )
        .expect("a second session");
        let bad = send(
            &app,
            post_form(
                "/api/change_password",
                &form(&[
                    ("current", "guess"),
                    ("password", "un palmier de plus 2027"),
                    ("password_again", "un palmier de plus 2027"),
                ]),
                Some(&phone),
            ),
        )
        .await;
        assert_eq!(bad.status.as_u16(), 422);
        assert!(bad.body.contains("current"), "{}", bad.body);
        let changed = send(
            &app,
            post_form(
                "/api/change_password",
                &form(&[
                    ("current", chosen),
                    ("password", "un palmier de plus 2027"),
                    ("password_again", "un palmier de plus 2027"),
                ]),
                Some(&phone),
            ),
        )
        .await;
        assert_eq!(changed.status.as_u16(), 200, "{}", changed.body);
        let phone = cookie_of(&changed).expect("this device stays signed in");
        assert_eq!(
            send(&app, post_form("/api/list_projects", "", Some(&laptop)))
                .await
                .status
                .as_u16(),
            401
        );
        assert_eq!(
            send(&app, post_form("/api/list_projects", "", Some(&phone)))
                .await
                .status
                .as_u16(),
            200
        );

        // A lost phone: sign out everywhere.
        let out = send(
            &app,
            post_form("/api/sign_out_everywhere", "", Some(&phone)),
        )
        .await;
        assert!(out.status.is_success(), "{}", out.body);
        assert_eq!(
            send(&app, post_form("/api/list_projects", "", Some(&phone)))
                .await
                .status
                .as_u16(),
            401
        );

        let kinds = support::audit_kinds(&t).await;
        for kind in [
            "account_created",
            "sign_in_code_made",
            "password_set_with_code",
            "project_assigned",
            "account_disabled",
            "account_enabled",
            "password_changed",
            "signed_out_everywhere",
        ] {
            assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
        }
        assert_eq!(
            kinds.iter().filter(|k| *k == "project_assigned").count(),
            amals,
            "one line per project moved"
        );
        let _ = DEMO_PASSWORD;
    }
}

/// The team sets up what projects stand on: an incubator in a new place, a value chain; an
/// organisation in use is archived, not deleted, and offered no more for new accounts.
#[tokio::test]
async fn the_team_sets_up_organisations_places_and_value_chains() {
    for t in support::every_engine().await {
        let (app, _) = router::demo_app(&t).await;
        let team = router::sign_in(&app, DEMO_LOGINS[2].0).await;
        let place = Uuid::new_v4();
        let saved = send(
            &app,
            post_json(
                "/api/save_place",
                &serde_json::json!({ "place": {
                    "id": place, "governorate": "Kébili", "delegation": "Faouar", "name": "Sabria",
                }})
                .to_string(),
                Some(&team),
            ),
        )
        .await;
        assert_eq!(saved.status.as_u16(), 200, "{}", saved.body);
        let incubator = Uuid::new_v4();
        let organisation = |name: &str, locality: Option<Uuid>| {
            serde_json::json!({ "organisation": {
            "id": incubator, "kind": "incubator", "name": name, "locality": locality, "archived": false,
        }}).to_string()
        };
        let refused = send(
            &app,
            post_json(
                "/api/save_organisation",
                &organisation("Pépinière du Faouar", Some(Uuid::new_v4())),
                Some(&team),
            ),
        )
        .await;
        assert_eq!(refused.status.as_u16(), 422, "an unknown place");
        assert!(refused.body.contains("locality"), "{}", refused.body);
        for name in ["Pepiniere du Faouar", "Pépinière du Faouar"] {
            let saved = send(
                &app,
                post_json(
                    "/api/save_organisation",
                    &organisation(name, Some(place)),
                    Some(&team),
                ),
            )
            .await;
            assert_eq!(saved.status.as_u16(), 200, "{}", saved.body);
        }
        let chain = |code: &str| {
            serde_json::json!({ "chain": {
            "id": Uuid::new_v4(), "code": code,
            "names": { "fr": "Plantes aromatiques", "ar": "النباتات العطرية", "en": "Aromatic plants" },
        }}).to_string()
        };
        let saved = send(
            &app,
            post_json("/api/save_value_chain", &chain("pam"), Some(&team)),
        )
        .await;
        assert_eq!(saved.status.as_u16(), 200, "{}", saved.body);
        let taken = send(
            &app,
            post_json("/api/save_value_chain", &chain("PAM"), Some(&team)),
        )
        .await;
        assert_eq!(taken.status.as_u16(), 422);
        assert!(taken.body.contains("chain_code_taken"), "{}", taken.body);

        let setting = send(&app, post_form("/api/programme_setting", "", Some(&team))).await;
        let setting: serde_json::Value = serde_json::from_str(&setting.body).expect("json");
        let named = |list: &str, key: &str, value: &str| {
            setting[list]
                .as_array()
                .expect("list")
                .iter()
                .any(|x| x[key] == value)
        };
        assert!(named("places", "name", "Sabria"));
        assert!(named("organisations", "name", "Pépinière du Faouar"));
        assert!(named("value_chains", "code", "PAM"));

        // A facilitator of the new incubator, then the incubator archived: no new account joins it.
        let person = |email: &str| {
            serde_json::json!({ "person": {
                "id": null, "name": "Salem", "email": email, "role": "facilitator",
                "organisation": incubator, "incubators": [],
            }})
            .to_string()
        };
        let made = send(
            &app,
            post_json("/api/save_person", &person("salem@example.tn"), Some(&team)),
        )
        .await;
        assert_eq!(made.status.as_u16(), 200, "{}", made.body);
        let archived = send(
            &app,
            post_form(
                "/api/archive_organisation",
                &format!("id={incubator}&archived=true"),
                Some(&team),
            ),
        )
        .await;
        assert_eq!(archived.status.as_u16(), 200, "{}", archived.body);
        let refused = send(
            &app,
            post_json(
                "/api/save_person",
                &person("salem2@example.tn"),
                Some(&team),
            ),
        )
        .await;
        assert_eq!(refused.status.as_u16(), 422, "{}", refused.body);
        let setting = send(&app, post_form("/api/programme_setting", "", Some(&team))).await;
        assert!(setting.body.contains("\"archived\":true"), "kept, archived");

        let kinds = support::audit_kinds(&t).await;
        for kind in [
            "place_created",
            "organisation_created",
            "organisation_changed",
            "value_chain_created",
            "organisation_archived",
        ] {
            assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
        }
        // The facilitator's phone is offered the new place and value chain.
        let choices =
            t.db.registry_choices(
                t.db.people()
                    .await
                    .expect("people")
                    .iter()
                    .find(|p| p.email == "salem@example.tn")
                    .expect("salem")
                    .id,
            )
            .await
            .expect("choices");
        assert!(
            choices
                .localities
                .iter()
                .any(|(_, name, _)| name == "Sabria")
        );
        assert!(
            choices
                .value_chains
                .iter()
                .any(|(_, code, _)| code == "PAM")
        );
    }
}

/// The audit trail reads back filtered and downloads as CSV for the team only; a name that
/// starts like a formula is text in the spreadsheet, never run.
#[tokio::test]
async fn the_audit_trail_is_the_teams_filtered_and_downloaded_with_formulas_defused() {
    for t in support::every_engine().await {
        let (app, set) = router::demo_app(&t).await;
        let team = router::sign_in(&app, DEMO_LOGINS[2].0).await;
        let place = Uuid::new_v4();
        let saved = send(&app, post_json("/api/save_place", &serde_json::json!({ "place": {
            "id": place, "governorate": "Kébili", "delegation": "Douz", "name": "=HYPERLINK(\"http://x\")",
        }}).to_string(), Some(&team))).await;
        assert_eq!(saved.status.as_u16(), 200, "{}", saved.body);
        let amal = set
            .users
            .iter()
            .find(|u| u.email == DEMO_LOGINS[0].0)
            .expect("amal");
        let off = send(
            &app,
            post_form(
                "/api/set_person_active",
                &format!("id={}&active=false", amal.id),
                Some(&team),
            ),
        )
        .await;
        assert_eq!(off.status.as_u16(), 200);

        let filtered = send(
            &app,
            post_json(
                "/api/audit_trail",
                r#"{"person":null,"project":null,"kind":"account_disabled"}"#,
                Some(&team),
            ),
        )
        .await;
        let lines: Vec<serde_json::Value> = serde_json::from_str(&filtered.body).expect("json");
        assert_eq!(lines.len(), 1, "{}", filtered.body);
        assert_eq!(lines[0]["subject"], amal.email.as_str());
        let unknown = send(
            &app,
            post_json(
                "/api/audit_trail",
                r#"{"person":null,"project":null,"kind":"drop table"}"#,
                Some(&team),
            ),
        )
        .await;
        assert_eq!(unknown.status.as_u16(), 422);

        let csv = send(&app, router::get("/exports/audit.csv", Some(&team))).await;
        assert_eq!(csv.status.as_u16(), 200);
        assert!(csv.body.contains("place_created"), "{}", csv.body);
        assert!(
            csv.body.contains("'=HYPERLINK"),
            "a formula is defused: {}",
            csv.body
        );
        assert!(!csv.body.contains(",=HYPERLINK"), "{}", csv.body);
        let rim = router::sign_in(&app, DEMO_LOGINS[1].0).await;
        let refused = send(&app, router::get("/exports/audit.csv", Some(&rim))).await;
        assert_eq!(
            refused.status.as_u16(),
            403,
            "supervisors do not read the trail"
        );
        let anonymous = send(&app, router::get("/exports/audit.csv", None)).await;
        assert_eq!(anonymous.status.as_u16(), 401);
    }
}

/// The team's other changes leave their line too, named after whoever made them: an assignment,
/// a tranche, the risk settings, a period, a form published, a BI token made and revoked.
#[tokio::test]
async fn every_change_of_the_team_leaves_a_line_naming_who_made_it() {
    use app::domain::indicator::value::PeriodStatus;
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let team = set
            .users
            .iter()
            .find(|u| u.email == DEMO_LOGINS[2].0)
            .expect("team");
        let project = &set.projects[0];
        assert!(
            t.db.assign_project(
                project.id,
                Some(project.facilitator_id),
                project.incubator_id,
                None,
                team.id
            )
            .await
            .expect("assign")
        );
        let tranche = app::domain::timeline::Tranche {
            seq: 4,
            planned: 1_000_000,
            disbursed: None,
            disbursed_on: None,
            justified: None,
            files: Vec::new(),
        };
        assert!(
            t.db.save_tranche(project.id, &tranche, team.id)
                .await
                .expect("tranche")
        );
        let mut settings = t.db.risk_settings().await.expect("settings");
        settings.days_without_visit = 60;
        t.db.save_risk_settings(&settings, team.id)
            .await
            .expect("settings");
        t.db.set_period("2026-Q1", PeriodStatus::Locked, "Rapport remis", team.id)
            .await
            .expect("period");
        let mut form =
            t.db.forms()
                .await
                .expect("forms")
                .into_iter()
                .last()
                .expect("a form");
        form.version += 1;
        t.db.insert_form(&form, Some(team.id))
            .await
            .expect("published");
        t.db.create_api_token(Uuid::new_v4(), "Power BI", "hash")
            .await
            .expect("token");
        assert!(t.db.revoke_api_token("Power BI").await.expect("revoked"));

        let lines = support::audit_trail(&t).await;
        let line = |kind: &str| {
            lines
                .iter()
                .find(|l| l.kind == kind)
                .unwrap_or_else(|| panic!("no {kind} line in {lines:?}"))
        };
        for kind in [
            "project_assigned",
            "tranche_saved",
            "settings_changed",
            "period_changed",
            "form_published",
        ] {
            assert_eq!(line(kind).actor_name, team.name, "{kind}");
        }
        assert_eq!(line("project_assigned").project, Some(project.id));
        assert!(
            line("settings_changed")
                .after
                .as_deref()
                .unwrap_or_default()
                .contains("60")
        );
        assert_eq!(line("period_changed").subject, "2026-Q1");
        assert_eq!(
            line("token_created").actor_name,
            "athar",
            "the command line"
        );
        assert_eq!(line("token_revoked").subject, "Power BI");
        // Forms and the catalogue that come with Athar leave no line.
        assert!(!lines.iter().any(|l| l.kind == "indicator_published"));
    }
}
