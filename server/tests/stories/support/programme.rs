//! The programme a real deployment starts with, made as the team makes it (the setup link, then
//! the pages' server functions), and its spreadsheet of 49 projects and 200 members: shared by the
//! import story and the import benchmark.

#![allow(dead_code, reason = "the benchmark uses part of it")]

use super::TestDb;
use super::router::{Reply, post_form, post_json, send};
use axum::Router;
use axum::http::header;
use serde_json::{Value, json};
use uuid::Uuid;

pub fn session_of(reply: &Reply) -> String {
    reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("athar_session=") && !c.starts_with("athar_session=;"))
        .unwrap_or_else(|| panic!("no session: {} {}", reply.status, reply.body))
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned()
}

pub async fn call(app: &Router, path: &str, body: Value, cookie: &str) -> Value {
    let reply = send(app, post_json(path, &body.to_string(), Some(cookie))).await;
    assert!(
        reply.status.is_success(),
        "{path}: {} {}",
        reply.status,
        reply.body
    );
    serde_json::from_str(&reply.body).unwrap_or(Value::Null)
}

/// The first team account, from the setup link.
pub async fn first_team_account(t: &TestDb, app: &Router) -> String {
    let code = app::server::auth::new_link_code();
    t.db.start_setup(&app::server::auth::hash_token(&code))
        .await
        .expect("setup");
    let form = format!(
        "token={code}&name=Cheffe+de+projet&email=cheffe%40kebili.tn&password=palmiers+de+Douz+2026&password_again=palmiers+de+Douz+2026"
    );
    session_of(&send(app, post_form("/api/setup", &form, None)).await)
}

/// A sign-in code's owner chooses her password: her session.
pub async fn redeem(app: &Router, code: &str) -> String {
    let form =
        format!("code={code}&password=sable+et+palmes+2026&password_again=sable+et+palmes+2026");
    session_of(&send(app, post_form("/api/redeem_code", &form, None)).await)
}

pub struct Sheet {
    pub projects: Vec<Vec<String>>,
    pub members: Vec<Vec<String>>,
}

const PROJECT_HEADERS: [&str; 13] = [
    "Code du dossier *",
    "Intitulé *",
    "Type *",
    "Filière *",
    "Localité *",
    "Incubateur *",
    "E-mail de l'animateur",
    "Forme juridique *",
    "Formation *",
    "Vague d'appel *",
    "Bailleur",
    "Date de démarrage",
    "Subvention (DT)",
];
const MEMBER_HEADERS: [&str; 14] = [
    "Code du dossier *",
    "Nom et prénom *",
    "Sexe *",
    "Année de naissance *",
    "Rôle *",
    "Date d'adhésion *",
    "Téléphone",
    "Consentement",
    "WG voir",
    "WG entendre",
    "WG marcher",
    "WG mémoire",
    "WG soins",
    "WG communiquer",
];

/// The programme's sheet: 49 projects over three incubators (those of Douz and Souk Lahad with
/// their facilitator), 200 members, a quarter of them with consent and their six answers.
pub fn programme() -> Sheet {
    let incubators = [
        "Incubateur Kébili",
        "Incubateur Douz",
        "Incubateur Souk Lahad",
    ];
    let emails = ["", "amal@kebili.tn", "salma@kebili.tn"];
    let projects = (1..=49)
        .map(|n| {
            let i = n % 3;
            vec![
                format!("KBL-{n:03}"),
                format!("Projet {n} des oasis"),
                if n <= 29 { "individuel" } else { "collective" }.into(),
                if n % 2 == 0 { "DAT" } else { "Palmier" }.into(),
                if n % 2 == 0 { "Douz" } else { "Kébili Nord" }.into(),
                incubators[i].into(),
                emails[i].into(),
                if n <= 29 { "sole_trader" } else { "gda" }.into(),
                "cefe_sse".into(),
                "2".into(),
                if n % 4 == 0 { "Fonds Joud" } else { "" }.into(),
                "15/03/2026".into(),
                "12 000,5".into(),
            ]
        })
        .collect();
    let members = (0..200)
        .map(|n| {
            let consent = n % 4 == 0;
            let mut row = vec![
                format!("KBL-{:03}", 1 + n % 49),
                format!("Membre {n} Ben Salah"),
                if n % 3 == 0 { "homme" } else { "Femme" }.into(),
                (1970 + n % 35).to_string(),
                if n < 49 { "promoter" } else { "member" }.into(),
                "2026-03-20".into(),
                format!("98{:06}", n),
                if consent { "oui" } else { "non" }.into(),
            ];
            for d in 0..6 {
                row.push(if consent {
                    ((n + d) % 4 + 1).to_string()
                } else {
                    String::new()
                });
            }
            row
        })
        .collect();
    Sheet { projects, members }
}

/// The sheet as a workbook, as the programme's spreadsheet program saves it.
pub fn workbook(sheet: &Sheet) -> Vec<u8> {
    use rust_xlsxwriter::Workbook;
    let mut book = Workbook::new();
    for (name, headers, rows) in [
        ("Projets", &PROJECT_HEADERS[..], &sheet.projects),
        ("Membres", &MEMBER_HEADERS[..], &sheet.members),
    ] {
        let ws = book.add_worksheet().set_name(name).expect("name");
        for (j, h) in headers.iter().enumerate() {
            ws.write(0, j as u16, *h).expect("header");
        }
        for (i, row) in rows.iter().enumerate() {
            for (j, cell) in row.iter().enumerate() {
                // Numbers as numbers, as a spreadsheet keeps them.
                match cell.parse::<f64>() {
                    Ok(n) if !cell.starts_with('0') && j != 6 => {
                        ws.write(1 + i as u32, j as u16, n).expect("cell")
                    }
                    _ => ws.write(1 + i as u32, j as u16, cell).expect("cell"),
                };
            }
        }
    }
    book.save_to_buffer().expect("workbook")
}

pub fn files(bytes: &[u8]) -> Value {
    use base64::Engine;
    let data = base64::engine::general_purpose::STANDARD.encode(bytes);
    json!([{
        "name": "programme.xlsx",
        "data": format!("data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,{data}"),
    }])
}

pub async fn import(app: &Router, cookie: &str, bytes: &[u8], plan: Option<&str>) -> Value {
    call(
        app,
        "/api/import_programme",
        json!({ "files": files(bytes), "lang": "fr", "plan": plan }),
        cookie,
    )
    .await
}

/// What setting up answered: the team's session, and what saving each person answered (their
/// sign-in code, `["code"]["code"]`) and their ids.
pub struct Setup {
    pub team: String,
    pub rim: Value,
    pub amal: Value,
    pub salma: Value,
}

impl Setup {
    /// The sign-in code handed to a person, as saving them answered it.
    pub fn code(person: &Value) -> String {
        person["code"]["code"]
            .as_str()
            .expect("a sign-in code")
            .to_owned()
    }
}

/// An empty database set up as the team would: the first team account, three places, two value
/// chains, three incubators, a funder, a supervisor over the three incubators (Rim), and two
/// facilitators (Amal in Douz, Salma in Souk Lahad).
pub async fn set_up(t: &TestDb, app: &Router) -> Setup {
    let team = first_team_account(t, app).await;
    let mut places = Vec::new();
    for (delegation, name) in [
        ("Kébili Nord", "Kébili Nord"),
        ("Douz Nord", "Douz"),
        ("Souk Lahad", "Souk Lahad"),
    ] {
        let id = Uuid::new_v4();
        let place = json!({ "place": {
            "id": id, "governorate": "Kébili", "delegation": delegation, "name": name,
        }});
        call(app, "/api/save_place", place, &team).await;
        places.push(id);
    }
    for (code, fr) in [("DAT", "Dattes"), ("PAL", "Palmier")] {
        let chain = json!({ "chain": {
            "id": Uuid::new_v4(), "code": code, "names": { "fr": fr, "ar": fr, "en": fr },
        }});
        call(app, "/api/save_value_chain", chain, &team).await;
    }
    let mut incubators = Vec::new();
    for (i, name) in [
        "Incubateur Kébili",
        "Incubateur Douz",
        "Incubateur Souk Lahad",
    ]
    .iter()
    .enumerate()
    {
        let id = Uuid::new_v4();
        let organisation = json!({ "organisation": {
            "id": id, "kind": "incubator", "name": name, "locality": places[i], "archived": false,
        }});
        call(app, "/api/save_organisation", organisation, &team).await;
        incubators.push(id);
    }
    let funder = json!({ "organisation": {
        "id": Uuid::new_v4(), "kind": "funder", "name": "Fonds Joud", "locality": null,
        "archived": false,
    }});
    call(app, "/api/save_organisation", funder, &team).await;
    let person =
        |name: &str, email: &str, role: &str, organisation: Option<Uuid>, covers: &[Uuid]| {
            json!({ "person": {
                "id": null, "name": name, "email": email, "role": role,
                "organisation": organisation, "incubators": covers,
            }})
        };
    let rim = person("Rim", "rim@kebili.tn", "supervisor", None, &incubators);
    let rim = call(app, "/api/save_person", rim, &team).await;
    let amal = person(
        "Amal",
        "amal@kebili.tn",
        "facilitator",
        Some(incubators[1]),
        &[],
    );
    let amal = call(app, "/api/save_person", amal, &team).await;
    let salma = person(
        "Salma",
        "salma@kebili.tn",
        "facilitator",
        Some(incubators[2]),
        &[],
    );
    let salma = call(app, "/api/save_person", salma, &team).await;
    Setup {
        team,
        rim,
        amal,
        salma,
    }
}
