//! A real programme, from an empty database to a facilitator who leaves: the setup link and the
//! team's pages, the programme's spreadsheet imported, a facilitator and a supervisor who sign in
//! with the codes they were handed, a visit and a member recorded on the phone and reviewed, the
//! project's funder on its page and as a filter of the dashboards and exports, the facilitator's
//! projects moved (some, then the rest) and her account disabled, with nothing she sent lost.

use crate::support::programme::{Setup, call, import, programme, redeem, set_up, workbook};
use crate::support::router::{get, post_form, post_json, send};
use crate::support::{self};
use app::domain::form::{Answer, Answers};
use app::domain::{ChangeProjectStatus, ProjectStatus, SaveMemberArgs};
use app::sync::mutations::{ChangeStatus, MutationType, SaveMember};
use app::sync::protocol::{PROTOCOL_VERSION, SCHEMA_VERSION};
use axum::Router;
use serde_json::{Value, json};
use server::routes::RouterOptions;
use uuid::Uuid;

fn sync_call(body: Value) -> String {
    json!({ "call": { "protocol": PROTOCOL_VERSION, "schema": SCHEMA_VERSION, "body": body } })
        .to_string()
}

/// A sync call from a phone: its status and body.
async fn sync(app: &Router, what: &str, body: Value, cookie: &str) -> (u16, Value) {
    let reply = send(
        app,
        post_json(&format!("/api/sync/{what}"), &sync_call(body), Some(cookie)),
    )
    .await;
    let body = serde_json::from_str(&reply.body).unwrap_or(Value::Null);
    (reply.status.as_u16(), body)
}

/// The projects a signed-in person lists: `(id, code)`, by code.
async fn projects_of(app: &Router, cookie: &str) -> Vec<(String, String)> {
    let reply = send(app, post_form("/api/list_projects", "", Some(cookie))).await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.body);
    let cards: Vec<Value> = serde_json::from_str(&reply.body).expect("cards");
    let mut out: Vec<(String, String)> = cards
        .iter()
        .map(|c| {
            (
                c["id"].as_str().expect("id").to_owned(),
                c["code"].as_str().expect("code").to_owned(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
}

fn member(name: &str) -> Answers {
    let mut a = Answers::new();
    a.insert("full_name".into(), Answer::Text(name.into()));
    a.insert("sex".into(), Answer::Text("female".into()));
    a.insert("birth_year".into(), Answer::Number(1996.0));
    a.insert("role".into(), Answer::Text("member".into()));
    a.insert("consent".into(), Answer::Bool(false));
    a.insert("joined_on".into(), Answer::Text("2026-11-01".into()));
    a
}

#[tokio::test]
async fn a_programme_runs_from_its_setup_link_to_a_facilitator_who_leaves() {
    for t in support::every_engine().await {
        let app = server::router(support::state(t.db.clone()), RouterOptions::default());
        let setup = set_up(&t, &app).await;
        let team = setup.team.clone();
        let bytes = workbook(&programme());
        let dry = import(&app, &team, &bytes, None).await;
        assert_eq!(dry["problems"], json!([]));
        let done = import(&app, &team, &bytes, Some(dry["plan"].as_str().unwrap())).await;
        assert_eq!(done["applied"], json!(true), "{done}");

        // Amal and Rim sign in with the codes they were handed, and choose their passwords.
        let amal = redeem(&app, &Setup::code(&setup.amal)).await;
        let rim = redeem(&app, &Setup::code(&setup.rim)).await;
        let hers = projects_of(&app, &amal).await;
        let expected: Vec<String> = (1..=49)
            .filter(|n| n % 3 == 1)
            .map(|n| format!("KBL-{n:03}"))
            .collect();
        assert_eq!(
            hers.iter().map(|(_, c)| c.clone()).collect::<Vec<_>>(),
            expected,
            "exactly her projects"
        );

        // On her phone: a visit, a member, and the project starts operating.
        let (project_id, project_code) = hers[0].clone();
        let project: Uuid = project_id.parse().expect("uuid");
        let client = Uuid::new_v4();
        let (visit_id, member_id) = (Uuid::new_v4(), Uuid::new_v4());
        let form_version = support::count(
            &t,
            "select cast(max(version) as bigint) from forms where id = 'member'",
        )
        .await;
        let mutations = [
            crate::sync::save(
                client,
                1,
                &crate::sync::visit(visit_id, project, None, "Première visite à Douz"),
            ),
            crate::sync::mutation(
                client,
                2,
                SaveMember::NAME,
                &SaveMemberArgs {
                    id: member_id,
                    project_id: project,
                    base_version: None,
                    form_version: u32::try_from(form_version).expect("a version"),
                    answers: member("Nadia Ben Ahmed"),
                },
            ),
            crate::sync::mutation(
                client,
                3,
                ChangeStatus::NAME,
                &ChangeProjectStatus {
                    project_id: project,
                    from: ProjectStatus::Contracted,
                    to: ProjectStatus::Operating,
                },
            ),
        ];
        let push = json!({
            "client_id": client, "mutations": mutations, "heartbeat": {},
        });
        let (status, answer) = sync(&app, "push", push.clone(), &amal).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["last_seq"], json!(3));
        assert_eq!(answer["refused"], json!([]), "{answer}");
        // Sent again (the answer was lost on the way): nothing doubles.
        let (status, _) = sync(&app, "push", push, &amal).await;
        assert_eq!(status, 200);
        assert_eq!(
            support::count(&t, "select count(*) from visits").await,
            1,
            "once"
        );
        assert_eq!(
            support::count(&t, "select count(*) from members").await,
            201
        );
        // The status change leaves a line in her name, before and after.
        let trail = support::audit_trail(&t).await;
        let line = trail
            .iter()
            .find(|l| l.kind == "project_changed")
            .expect("a line for the status change");
        assert_eq!(
            (line.actor_name.as_str(), line.subject.as_str()),
            ("Amal", project_code.as_str())
        );
        assert_eq!(line.before.as_deref(), Some(r#"{"status":"contracted"}"#));
        assert_eq!(line.after.as_deref(), Some(r#"{"status":"operating"}"#));

        // Her home says what waits for her: the visit and the member, received today.
        let summary = send(&app, post_form("/api/review_summary", "", Some(&rim))).await;
        let summary: Value = serde_json::from_str(&summary.body).expect("summary");
        assert_eq!(
            (
                &summary["visits"],
                &summary["entries"],
                &summary["registry"]
            ),
            (&json!(1), &json!(0), &json!(1)),
            "{summary}"
        );
        assert_eq!(
            (
                &summary["late"],
                &summary["oldest_days"],
                &summary["conflicts"]
            ),
            (&json!(0), &json!(0), &json!(0)),
            "{summary}"
        );

        // Rim reviews them both.
        let queue = send(&app, post_form("/api/review_queue", "", Some(&rim))).await;
        let queue: Vec<Value> = serde_json::from_str(&queue.body).expect("queue");
        assert_eq!(queue.len(), 1, "{queue:?}");
        let version = queue[0]["visit"]["version"].as_i64().expect("version");
        let form = format!("visit={visit_id}&version={version}&decision=validate&comment=");
        let reviewed = send(&app, post_form("/api/review_visit", &form, Some(&rim))).await;
        assert_eq!(reviewed.status.as_u16(), 200, "{}", reviewed.body);
        let registry = send(
            &app,
            post_form("/api/registry_review_queue", "", Some(&rim)),
        )
        .await;
        let registry: Vec<Value> = serde_json::from_str(&registry.body).expect("registry");
        let waiting = registry
            .iter()
            .find(|i| i.to_string().contains(&member_id.to_string()))
            .expect("the member waits for review");
        let form = format!(
            "kind=member&id={member_id}&version={}&decision=validate&comment=",
            waiting["version"]
        );
        let reviewed = send(&app, post_form("/api/review_registry", &form, Some(&rim))).await;
        assert_eq!(reviewed.status.as_u16(), 200, "{}", reviewed.body);
        assert_eq!(
            support::count(&t, "select count(*) from visits where status = 'validated'").await,
            1
        );

        // The funder of a funded project is on its page, and narrows the dashboards and exports.
        let funded = hers
            .iter()
            .find(|(_, code)| code == "KBL-004")
            .expect("KBL-004 is hers and funded");
        let page = send(
            &app,
            post_form("/api/get_project", &format!("id={}", funded.0), Some(&amal)),
        )
        .await;
        let page: Value = serde_json::from_str(&page.body).expect("project");
        assert_eq!(page["funder"], json!("Fonds Joud"));
        let dashboard = |funder: &str| {
            let form = format!("level=programme&id=&lang=fr&funder={funder}");
            let app = app.clone();
            let rim = rim.clone();
            async move {
                send(
                    &app,
                    post_form("/api/indicator_dashboard", &form, Some(&rim)),
                )
                .await
            }
        };
        let all: Value = serde_json::from_str(&dashboard("").await.body).expect("dashboard");
        assert_eq!(all["projects"], json!(49));
        let joud = all["funders"][0][0]
            .as_str()
            .expect("a funder to choose")
            .to_owned();
        assert_eq!(all["funders"][0][1], json!("Fonds Joud"));
        let narrowed: Value =
            serde_json::from_str(&dashboard(&joud).await.body).expect("dashboard");
        assert_eq!(
            narrowed["projects"].as_i64(),
            Some(
                support::count(
                    &t,
                    "select count(*) from projects where funder_id is not null"
                )
                .await
            )
        );
        assert_eq!(
            narrowed["people"]["members"].as_i64(),
            Some(
                support::count(
                    &t,
                    "select count(*) from members m join projects p on p.id = m.project_id
                      where p.funder_id is not null and m.deleted = false and m.left_on is null",
                )
                .await
            )
        );
        assert_eq!(
            dashboard(&Uuid::new_v4().to_string()).await.status.as_u16(),
            404,
            "a funder no project is under"
        );
        let csv = send(
            &app,
            get(
                &format!("/exports/indicators.csv?level=programme&funder={joud}"),
                Some(&team),
            ),
        )
        .await;
        assert_eq!(csv.status.as_u16(), 200, "{}", csv.body);
        let projects_in_csv: std::collections::BTreeSet<&str> = csv
            .body
            .lines()
            .filter(|l| l.starts_with("project,"))
            .filter_map(|l| l.split(',').nth(1))
            .collect();
        assert_eq!(
            projects_in_csv.len() as i64,
            support::count(
                &t,
                "select count(*) from projects where funder_id is not null"
            )
            .await,
            "only the funder's projects"
        );

        // Amal leaves: two of her projects go to Salma first, then the rest.
        let (amal_id, salma_id) = (&setup.amal["id"], &setup.salma["id"]);
        let some = [hers[1].0.clone(), hers[2].0.clone()];
        let moved = call(
            &app,
            "/api/reassign_projects",
            json!({ "from": amal_id, "to": salma_id, "projects": some }),
            &team,
        )
        .await;
        assert_eq!(moved, json!(2));
        assert_eq!(projects_of(&app, &amal).await.len(), hers.len() - 2);
        let moved = call(
            &app,
            "/api/reassign_projects",
            json!({ "from": amal_id, "to": salma_id, "projects": null }),
            &team,
        )
        .await;
        assert_eq!(moved, json!(hers.len() - 2));
        assert_eq!(projects_of(&app, &amal).await, vec![]);

        // Disabled: her old session is refused on push and pull, and nothing she sent is lost.
        let off = send(
            &app,
            post_form(
                "/api/set_person_active",
                &format!("id={}&active=false", amal_id.as_str().unwrap()),
                Some(&team),
            ),
        )
        .await;
        assert_eq!(off.status.as_u16(), 200, "{}", off.body);
        let late = json!({
            "client_id": client,
            "mutations": [crate::sync::save(
                client,
                4,
                &crate::sync::visit(Uuid::new_v4(), project, None, "Après le départ"),
            )],
            "heartbeat": {},
        });
        assert_eq!(sync(&app, "push", late, &amal).await.0, 401);
        let pull = json!({ "client_id": client, "cookie": null, "heartbeat": {} });
        assert_eq!(sync(&app, "pull", pull, &amal).await.0, 401);
        assert_eq!(
            support::count(&t, "select count(*) from visits where status = 'validated'").await,
            1
        );
        assert_eq!(
            support::count(&t, "select count(*) from members where deleted = false").await,
            201
        );
        // What she sent is now Salma's to follow.
        let salma = redeem(&app, &Setup::code(&setup.salma)).await;
        let pull = json!({ "client_id": Uuid::new_v4(), "cookie": null, "heartbeat": {} });
        let (status, pulled) = sync(&app, "pull", pull, &salma).await;
        assert_eq!(status, 200);
        let text = pulled.to_string();
        assert!(
            text.contains("Première visite à Douz"),
            "the visit reached Salma"
        );
        assert!(text.contains("Nadia Ben Ahmed"), "the member reached Salma");
    }
}
