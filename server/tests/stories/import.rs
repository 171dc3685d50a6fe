//! A real programme starts from an empty database and brings its spreadsheet in: the first team
//! account from the setup link, places, value chains, incubators, a funder, a supervisor and two
//! facilitators made on the pages' server functions, then 49 projects and 200 members from a
//! workbook: a dry run that names the one bad cell and writes nothing, the import in one
//! version, a second import that changes nothing, a change shown before it is written.

use crate::support::programme::{files, import, programme, redeem, set_up, workbook};
use crate::support::router::{get, post_json, send};
use crate::support::{self};
use axum::http::header;
use serde_json::json;
use server::routes::RouterOptions;
use uuid::Uuid;

#[tokio::test]
async fn a_programme_starts_from_an_empty_database_and_imports_its_spreadsheet() {
    for t in support::every_engine().await {
        let app = server::router(support::state(t.db.clone()), RouterOptions::default());
        let setup = set_up(&t, &app).await;
        let (team, amal) = (setup.team, setup.amal);

        // The template is the team's.
        let template = send(&app, get("/exports/template.xlsx?lang=ar", Some(&team))).await;
        assert_eq!(template.status.as_u16(), 200);
        assert!(
            template.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .contains("spreadsheetml")
        );

        // One bad cell: the dry run names it, in French, and writes nothing.
        let mut sheet = programme();
        sheet.members[55][3] = "19x4".into();
        let dry = import(&app, &team, &workbook(&sheet), None).await;
        let problems = dry["problems"].as_array().expect("problems");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(
            (
                &problems[0]["sheet"],
                &problems[0]["row"],
                &problems[0]["column"],
                &problems[0]["message"]
            ),
            (
                &json!("Membres"),
                &json!(57),
                &json!("Année de naissance *"),
                &json!("Nombre attendu.")
            ),
        );
        // Even with a plan, a file with a problem writes nothing.
        let refused = import(
            &app,
            &team,
            &workbook(&sheet),
            Some(dry["plan"].as_str().unwrap()),
        )
        .await;
        assert_eq!(refused["applied"], json!(false));
        assert_eq!(support::count(&t, "select count(*) from projects").await, 0);
        assert_eq!(support::count(&t, "select count(*) from members").await, 0);

        // Fixed: 49 projects and 200 members to add, then added, under one version.
        sheet.members[55][3] = "1984".into();
        let bytes = workbook(&sheet);
        let dry = import(&app, &team, &bytes, None).await;
        assert_eq!(dry["problems"], json!([]));
        assert_eq!(
            dry["projects"],
            json!({ "new": 49, "changed": 0, "same": 0 })
        );
        assert_eq!(
            dry["members"],
            json!({ "new": 200, "changed": 0, "same": 0 })
        );
        assert_eq!(
            support::count(&t, "select count(*) from projects").await,
            0,
            "a dry run writes nothing"
        );
        let done = import(&app, &team, &bytes, Some(dry["plan"].as_str().unwrap())).await;
        assert_eq!(done["applied"], json!(true), "{done}");
        assert_eq!(
            support::count(&t, "select count(*) from projects").await,
            49
        );
        assert_eq!(
            support::count(&t, "select count(*) from members").await,
            200
        );
        assert_eq!(
            support::count(&t, "select count(distinct version) from projects").await,
            1
        );
        assert_eq!(support::count(&t, "select count(*) from projects where status = 'contracted' and grant_millimes = 12000500").await, 49);
        assert_eq!(
            support::count(
                &t,
                "select count(*) from projects where funder_id is not null"
            )
            .await,
            12
        );
        assert_eq!(
            support::count(
                &t,
                "select count(*) from members where consent = true and wg_seeing is not null"
            )
            .await,
            50
        );
        assert_eq!(
            support::count(
                &t,
                "select count(*) from members where consent = false and wg_seeing is null"
            )
            .await,
            150
        );
        assert_eq!(
            support::count(&t, "select count(*) from projects where is_demo = true").await,
            0
        );
        let trail = support::audit_trail(&t).await;
        let line = trail
            .iter()
            .find(|l| l.kind == "programme_imported")
            .expect("audit line");
        assert_eq!(line.subject, "programme.xlsx");
        assert!(
            line.after
                .as_deref()
                .unwrap_or_default()
                .contains("\"members_new\":200"),
            "{line:?}"
        );

        // The same file again changes nothing.
        let again = import(&app, &team, &bytes, None).await;
        assert_eq!(
            again["projects"],
            json!({ "new": 0, "changed": 0, "same": 49 })
        );
        assert_eq!(
            again["members"],
            json!({ "new": 0, "changed": 0, "same": 200 })
        );
        let versions = support::count(&t, "select max(version) from projects").await;
        import(&app, &team, &bytes, Some(again["plan"].as_str().unwrap())).await;
        assert_eq!(
            support::count(&t, "select max(version) from projects").await,
            versions
        );
        assert_eq!(
            support::audit_kinds(&t)
                .await
                .iter()
                .filter(|k| *k == "programme_imported")
                .count(),
            1
        );

        // A change is shown before it is written; a plan Athar no longer matches is refused.
        sheet.projects[4][1] = "=HYPERLINK(\"http://x\",\"Projet 5\")".into();
        sheet.members[7][6] = "22 111 333".into();
        let changed = workbook(&sheet);
        let dry = import(&app, &team, &changed, None).await;
        assert_eq!(dry["projects"]["changed"], json!(1));
        assert_eq!(dry["members"]["changed"], json!(1));
        let changes = dry["changes"].as_array().expect("changes");
        assert!(
            changes.iter().any(|c| c["subject"] == "KBL-005"
                && c["after"].as_str().unwrap().starts_with("=HYPERLINK")),
            "{changes:?}"
        );
        assert!(
            changes
                .iter()
                .any(|c| c["before"] == "98000007" && c["after"] == "22111333"),
            "{changes:?}"
        );
        let stale = import(&app, &team, &changed, Some(&"0".repeat(64))).await;
        assert_eq!(stale["applied"], json!(false));
        assert!(
            stale["problems"][0]["message"]
                .as_str()
                .unwrap()
                .contains("vérifiez de nouveau")
        );
        let done = import(&app, &team, &changed, Some(dry["plan"].as_str().unwrap())).await;
        assert_eq!(done["applied"], json!(true));
        assert_eq!(
            support::count(
                &t,
                "select count(*) from projects where code = 'KBL-005' and title like '=HYPERLINK%'"
            )
            .await,
            1,
            "a formula is kept as its text, never evaluated"
        );

        // Amal signs in with the code she was handed and pulls exactly her projects.
        let code = amal["code"]["code"]
            .as_str()
            .expect("a sign-in code")
            .to_owned();
        let phone = redeem(&app, &code).await;
        use app::sync::protocol::{PROTOCOL_VERSION, SCHEMA_VERSION};
        let pull = send(&app, post_json(
            "/api/sync/pull",
            &format!(r#"{{"call":{{"protocol":{PROTOCOL_VERSION},"schema":{SCHEMA_VERSION},"body":{{"client_id":"{}","cookie":null,"heartbeat":{{}}}}}}}}"#, Uuid::new_v4()),
            Some(&phone),
        )).await;
        assert_eq!(pull.status.as_u16(), 200, "{}", pull.body);
        let mut codes: Vec<&str> = pull
            .body
            .match_indices("\"code\":\"KBL-")
            .map(|(i, _)| &pull.body[i + 8..i + 15])
            .collect();
        codes.sort_unstable();
        codes.dedup();
        let expected: Vec<String> = (1..=49)
            .filter(|n| n % 3 == 1)
            .map(|n| format!("KBL-{n:03}"))
            .collect();
        assert_eq!(codes, expected);

        // Only the team imports, or downloads the template.
        let denied = send(
            &app,
            post_json(
                "/api/import_programme",
                &json!({ "files": files(&bytes), "lang": "fr", "plan": null }).to_string(),
                Some(&phone),
            ),
        )
        .await;
        assert_eq!(denied.status.as_u16(), 403);
        let denied = send(&app, get("/exports/template.xlsx", Some(&phone))).await;
        assert_eq!(denied.status.as_u16(), 403);
    }
}
