//! Dashboards' exports and the BI endpoints, through the whole router on both engines: who gets
//! which lines, and that the files hold the figures the dashboard shows (the workbooks are read
//! back with calamine).

use crate::support;

use crate::support::router::{send, sign_in};
use app::domain::indicator::dashboard::{Dashboard, DashboardLevel};
use app::server::db::ProjectScope;
use app::server::demo::DEMO_LOGINS;
use axum::body::Body;
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use http::{Request, StatusCode, header};
use server::routes::RouterOptions;

/// A file or JSON as a spreadsheet or a BI tool asks for it: with a session, or a token.
fn get(path: &str, cookie: Option<&str>, bearer: Option<&str>) -> Request<Body> {
    let mut b = Request::get(path);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    if let Some(t) = bearer {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    b.body(Body::empty()).expect("request")
}

fn csv_rows(body: &[u8]) -> Vec<Vec<String>> {
    let text = String::from_utf8(body.to_vec()).expect("UTF-8");
    let text = text
        .strip_prefix('\u{feff}')
        .expect("a byte-order mark for spreadsheets");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| r.expect("a CSV line").iter().map(str::to_owned).collect())
        .collect()
}

fn today() -> String {
    app::server::clock::Clock::system().today().to_string()
}

fn year() -> i32 {
    app::server::clock::Clock::system().today().year()
}

/// The programme's dashboard as the server computes it, for comparison with the files.
async fn programme(t: &support::TestDb) -> Dashboard {
    let source = t.db.dashboard_source().await.expect("source");
    source
        .dashboard(
            DashboardLevel::Programme,
            "",
            year(),
            "fr",
            Some(ProjectScope::All),
            &today(),
        )
        .await
        .expect("dashboard")
}

#[tokio::test]
async fn the_long_table_gives_each_role_the_lines_it_may_see() {
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let app = server::router(support::state(t.db.clone()), RouterOptions::default());
        let path = format!(
            "/exports/indicators.csv?level=programme&year={}&lang=fr",
            year()
        );

        let anonymous = send(&app, get(&path, None, None)).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

        let team = sign_in(&app, DEMO_LOGINS[2].0).await;
        let reply = send(&app, get(&path, Some(&team), None)).await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", t.engine);
        assert!(
            reply.headers[header::CONTENT_DISPOSITION]
                .to_str()
                .expect("header")
                .contains(".csv")
        );
        let rows = csv_rows(&reply.bytes);
        assert_eq!(rows[0][..4], ["level", "scope_id", "scope", "indicator"]);
        let levels =
            |rows: &[Vec<String>], level: &str| rows.iter().filter(|r| r[0] == level).count();
        for level in ["programme", "incubator", "value_chain", "project"] {
            assert!(levels(&rows, level) > 0, "{:?}: no {level} lines", t.engine);
        }
        // People coached at programme level, this quarter: the dashboard's figure.
        let d = programme(&t).await;
        let people = d
            .panels
            .iter()
            .find(|p| p.code == "SOC-03")
            .expect("people coached");
        let (period, value) = people.latest.clone().expect("a latest value");
        let line = rows
            .iter()
            .find(|r| r[0] == "programme" && r[3] == "SOC-03" && r[6] == period && r[7] == "total")
            .expect("the programme's total");
        assert_eq!(line[9].parse::<f64>().expect("a number"), value);
        assert_eq!(line[4], "Personnes accompagnées");
        // Small cells carry no number, and say so.
        for r in rows.iter().skip(1).filter(|r| r[10].starts_with('<')) {
            assert!(r[9].is_empty(), "a hidden cell with a value: {r:?}");
        }
        assert!(
            rows.iter().any(|r| r[7] == "disability" && r[10] == "<5"),
            "{:?}: somewhere a disability cell is small",
            t.engine
        );

        // A committee member reads aggregates: no project line.
        let viewer = sign_in(&app, DEMO_LOGINS[3].0).await;
        let rows = csv_rows(&send(&app, get(&path, Some(&viewer), None)).await.bytes);
        assert_eq!(levels(&rows, "project"), 0);
        assert!(levels(&rows, "incubator") > 0);

        // A facilitator gets the lines of their own projects only.
        let amal = set
            .users
            .iter()
            .find(|u| u.email == DEMO_LOGINS[0].0)
            .expect("amal");
        let own: Vec<String> = set
            .projects
            .iter()
            .filter(|p| p.facilitator_id == amal.id)
            .map(|p| p.id.to_string())
            .collect();
        let facilitator = sign_in(&app, DEMO_LOGINS[0].0).await;
        let rows = csv_rows(&send(&app, get(&path, Some(&facilitator), None)).await.bytes);
        let seen: std::collections::BTreeSet<&String> = rows
            .iter()
            .filter(|r| r[0] == "project")
            .map(|r| &r[1])
            .collect();
        assert!(!seen.is_empty());
        assert!(seen.iter().all(|id| own.contains(id)), "{seen:?}");

        // A project outside their scope is not found, as its dashboard.
        let elsewhere = set
            .projects
            .iter()
            .find(|p| p.facilitator_id != amal.id)
            .expect("another project");
        let path = format!("/exports/indicators.csv?level=project&id={}", elsewhere.id);
        let reply = send(&app, get(&path, Some(&facilitator), None)).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        let reply = send(
            &app,
            get("/exports/indicators.csv?level=country", Some(&team), None),
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

fn number(range: &calamine::Range<Data>, row: usize, col: usize) -> Option<f64> {
    match range.get_value((row as u32, col as u32)) {
        Some(Data::Float(f)) => Some(*f),
        Some(Data::Int(i)) => Some(*i as f64),
        _ => None,
    }
}

fn text(range: &calamine::Range<Data>, row: usize, col: usize) -> String {
    match range.get_value((row as u32, col as u32)) {
        Some(Data::String(s)) => s.clone(),
        _ => String::new(),
    }
}

#[tokio::test]
async fn the_workbooks_hold_the_dashboards_figures() {
    for t in support::every_engine().await {
        support::with_demo(&t).await;
        let app = server::router(support::state(t.db.clone()), RouterOptions::default());
        let team = sign_in(&app, DEMO_LOGINS[2].0).await;
        let d = programme(&t).await;
        let people = d
            .panels
            .iter()
            .find(|p| p.code == "SOC-03")
            .expect("people coached");
        let (period, value) = people.latest.clone().expect("latest");

        let path = format!(
            "/exports/indicators.xlsx?level=programme&year={}&lang=en",
            year()
        );
        let reply = send(&app, get(&path, Some(&team), None)).await;
        assert_eq!(reply.status, StatusCode::OK);
        let mut book: Xlsx<_> =
            open_workbook_from_rs(std::io::Cursor::new(reply.bytes)).expect("an XLSX workbook");
        assert_eq!(
            book.sheet_names(),
            ["programme", "incubator", "value_chain", "project", "long"]
        );
        let sheet = book.worksheet_range("programme").expect("programme sheet");
        let col = (0..sheet.width())
            .find(|c| text(&sheet, 0, *c) == period)
            .expect("a column for the latest period");
        let row = (1..sheet.height())
            .find(|r| text(&sheet, *r, 1) == "SOC-03")
            .expect("a line for SOC-03");
        assert_eq!(text(&sheet, row, 2), "People coached");
        assert_eq!(number(&sheet, row, col), Some(value));
        let long = book.worksheet_range("long").expect("long sheet");
        assert_eq!(text(&long, 0, 9), "value");
        assert!(long.height() > sheet.height());

        let path = format!(
            "/exports/logframe.xlsx?level=programme&year={}&lang=en",
            year()
        );
        let reply = send(&app, get(&path, Some(&team), None)).await;
        assert_eq!(reply.status, StatusCode::OK);
        let mut book: Xlsx<_> =
            open_workbook_from_rs(std::io::Cursor::new(reply.bytes)).expect("logframe");
        let frame = book.worksheet_range("logframe").expect("logframe sheet");
        assert_eq!(text(&frame, 0, 8), "percent_of_target");
        let line = (1..frame.height())
            .find(|r| text(&frame, *r, 0) == "SOC-03" && text(&frame, *r, 6) == period)
            .expect("SOC-03 in the latest period");
        assert_eq!(text(&frame, line, 2), "output");
        assert_eq!(number(&frame, line, 4), people.baseline);
        assert_eq!(number(&frame, line, 5), people.target);
        assert_eq!(number(&frame, line, 7), Some(value));
        let percent = people.percent.expect("a percentage");
        let written = number(&frame, line, 8).expect("percent written");
        assert!(
            (written - percent).abs() < 0.051,
            "{written} against {percent}"
        );
    }
}

#[tokio::test]
async fn bi_tools_read_json_with_a_token_until_it_is_revoked() {
    for t in support::every_engine().await {
        support::with_demo(&t).await;
        let app = server::router(support::state(t.db.clone()), RouterOptions::default());
        let path = format!("/bi/v1/table?level=programme&year={}&lang=en", year());

        let none = send(&app, get(&path, None, None)).await;
        assert_eq!(none.status, StatusCode::UNAUTHORIZED);
        assert_eq!(none.headers[header::WWW_AUTHENTICATE], "Bearer");
        // A session cookie is not a token.
        let team = sign_in(&app, DEMO_LOGINS[2].0).await;
        let cookie = send(&app, get(&path, Some(&team), None)).await;
        assert_eq!(cookie.status, StatusCode::UNAUTHORIZED);

        let token = app::server::auth::new_api_token();
        t.db.create_api_token(
            uuid::Uuid::new_v4(),
            "Power BI",
            &app::server::auth::hash_token(&token),
        )
        .await
        .expect("token");
        let wrong = send(&app, get(&path, None, Some("athar_not-a-token"))).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);

        let reply = send(&app, get(&path, None, Some(&token))).await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", t.engine);
        let rows: Vec<serde_json::Value> = serde_json::from_slice(&reply.bytes).expect("JSON");
        assert!(rows.iter().any(|r| r["level"] == "project"));
        assert!(
            rows.iter()
                .all(|r| r.get("value").is_some() && r.get("note").is_some())
        );

        let d = format!("/bi/v1/dashboard?level=programme&year={}", year());
        let reply = send(&app, get(&d, None, Some(&token))).await;
        let dashboard: Dashboard = serde_json::from_slice(&reply.bytes).expect("a dashboard");
        assert_eq!(dashboard.projects, 49);
        // The same figures as the dashboard page, every panel and breakdown. (Compared as
        // JSON text: reading a float back from JSON may move its last bit.)
        let expected = serde_json::to_string(&programme(&t).await).expect("JSON");
        assert_eq!(String::from_utf8_lossy(&reply.bytes), expected);
        let reply = send(&app, get("/bi/v1/indicators", None, Some(&token))).await;
        let catalogue: Vec<serde_json::Value> = serde_json::from_slice(&reply.bytes).expect("JSON");
        assert!(catalogue.len() >= 35);

        let listed = t.db.api_tokens().await.expect("tokens");
        assert!(listed[0].last_used_at.is_some() && !listed[0].revoked);
        assert!(t.db.revoke_api_token("Power BI").await.expect("revoke"));
        let revoked = send(&app, get(&path, None, Some(&token))).await;
        assert_eq!(revoked.status, StatusCode::UNAUTHORIZED);
        assert!(!t.db.revoke_api_token("Power BI").await.expect("again"));
    }
}

/// A name the team typed that starts like a formula (a value chain's) is text in the CSV, never
/// run by the spreadsheet that opens it; numbers stay numbers.
#[tokio::test]
async fn a_name_that_looks_like_a_formula_is_text_in_the_csv() {
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let chain = set.projects[0].value_chain_id;
        support::execute(
            &t,
            "update value_chains set name_fr = '=HYPERLINK(\"http://evil\",\"ok\")' where id = $1",
            chain,
        )
        .await;
        let app = server::router(support::state(t.db.clone()), RouterOptions::default());
        let team = sign_in(&app, DEMO_LOGINS[2].0).await;
        let code = &set
            .value_chains
            .iter()
            .find(|v| v.id == chain)
            .expect("the chain")
            .code;
        let path = format!(
            "/exports/indicators.csv?level=value_chain&id={code}&year={}&lang=fr",
            year()
        );
        let reply = send(&app, get(&path, Some(&team), None)).await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", t.engine);
        let rows = csv_rows(&reply.bytes);
        let named: Vec<_> = rows
            .iter()
            .skip(1)
            .filter(|r| r[2].contains("HYPERLINK"))
            .collect();
        assert!(
            !named.is_empty(),
            "the chain's lines carry its name: {rows:?}"
        );
        for r in &named {
            assert!(r[2].starts_with("'="), "defused: {r:?}");
        }
        for r in rows.iter().skip(1) {
            for (i, cell) in r.iter().enumerate() {
                assert!(
                    i == 9 || !cell.starts_with(['=', '+', '-', '@']),
                    "a cell that would run: {r:?}"
                );
            }
        }
        assert!(
            rows.iter().skip(1).any(|r| r[9].parse::<f64>().is_ok()),
            "values stay numbers"
        );
    }
}
