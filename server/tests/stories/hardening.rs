//! What a security review found, each hole with the test that would have caught it (issue 18,
//! listed in `SECURITY.md`): sign-in that cannot be made to fill the disk or race its lock-out,
//! requests from other sites, devices and items that reach too far, drafts and own entries,
//! hostile text and figures, the headers and cookie every answer carries, slow and greedy
//! clients, and aggregates that name or give away no more than their reader may see.

use crate::support::router::{demo_app, encode, post_form, send, sign_in};
use crate::support::{self};
use app::server::demo::{DEMO_LOGINS, DEMO_PASSWORD};
use http::StatusCode;

#[tokio::test]
async fn an_oversized_email_or_password_is_refused_before_any_work() {
    for t in support::every_engine().await {
        let (app, _) = demo_app(&t).await;
        let rows = || support::count(&t, "select count(*) from login_failures");
        let before = rows().await;
        let long_email = format!("{}@demo.athar.tn", "a".repeat(300));
        let long_password = "p".repeat(2048);
        for form in [
            format!("email={}&password=nope", encode(&long_email)),
            format!(
                "email={}&password={long_password}",
                encode(DEMO_LOGINS[0].0)
            ),
        ] {
            let reply = send(&app, post_form("/api/login", &form, None)).await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}",
                reply.body
            );
            assert!(reply.body.contains("too_long"), "{}", reply.body);
        }
        assert_eq!(
            rows().await,
            before,
            "nothing written for an oversized sign-in"
        );
        // The table keeps no email in clear.
        let form = format!("email={}&password=nope", encode(DEMO_LOGINS[0].0));
        send(&app, post_form("/api/login", &form, None)).await;
        assert_eq!(
            support::count(
                &t,
                "select count(*) from login_failures where key like '%@%' or key like 'account:%'"
            )
            .await,
            0
        );
        assert_eq!(rows().await, before + 1);
    }
}

#[tokio::test]
async fn thirty_guesses_at_once_reach_the_password_five_times_at_most_and_stay_recorded() {
    for t in support::every_engine().await {
        let (app, _) = demo_app(&t).await;
        let email = DEMO_LOGINS[0].0;
        let guess = |password: String| {
            let app = app.clone();
            let form = format!("email={}&password={password}", encode(email));
            async move { send(&app, post_form("/api/login", &form, None)).await }
        };
        // Twenty-four wrong guesses, and the right password as the twenty-fifth, all in flight
        // together, then five more.
        let mut guesses: Vec<_> = (0..24)
            .map(|i| tokio::spawn(guess(format!("guess-{i}"))))
            .collect();
        tokio::task::yield_now().await;
        guesses.push(tokio::spawn(guess(DEMO_PASSWORD.into())));
        guesses.extend((24..29).map(|i| tokio::spawn(guess(format!("guess-{i}")))));
        let mut answers = Vec::new();
        for g in guesses {
            answers.push(g.await.expect("answer"));
        }
        // A guess refused before its check leaves no row; a checked wrong one stays: the rows
        // are the guesses that reached the password (none of them signed in).
        let checked = support::count(&t, "select count(*) from login_failures").await;
        assert!(
            (1..=5).contains(&checked),
            "{checked} guesses reached the password: {:?}",
            answers.iter().map(|r| r.status).collect::<Vec<_>>()
        );
        assert!(
            answers
                .iter()
                .all(|r| matches!(r.status.as_u16(), 401 | 429)),
            "{:?}",
            answers.iter().map(|r| r.status).collect::<Vec<_>>()
        );
        assert_eq!(
            answers[24].status,
            StatusCode::TOO_MANY_REQUESTS,
            "the right password among the flood waits like the rest"
        );
        assert!(
            answers
                .iter()
                .all(|r| r.status != StatusCode::OK && r.status != StatusCode::SEE_OTHER),
            "no guess signed in"
        );
    }
}

#[tokio::test]
async fn a_success_keeps_the_failures_before_it() {
    for t in support::every_engine().await {
        let (app, _) = demo_app(&t).await;
        let email = DEMO_LOGINS[0].0;
        for _ in 0..3 {
            let form = format!("email={}&password=nope", encode(email));
            let reply = send(&app, post_form("/api/login", &form, None)).await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        }
        sign_in(&app, email).await;
        assert_eq!(
            support::count(&t, "select count(*) from login_failures").await,
            3
        );
    }
}

#[tokio::test]
async fn signing_in_ends_the_session_the_browser_carried() {
    for t in support::every_engine().await {
        let (app, _) = demo_app(&t).await;
        let old = sign_in(&app, DEMO_LOGINS[0].0).await;
        let form = format!(
            "email={}&password={DEMO_PASSWORD}",
            encode(DEMO_LOGINS[1].0)
        );
        let again = send(&app, post_form("/api/login", &form, Some(&old))).await;
        assert!(again.status.is_success() || again.status.is_redirection());
        let me = send(&app, post_form("/api/me", "", Some(&old))).await;
        assert_eq!(me.body.trim(), "null", "the old token no longer works");
    }
}

/// The version of a visit as `user`'s phone pulls it.
async fn pulled_version(
    t: &support::TestDb,
    user: &app::domain::SessionUser,
    visit: uuid::Uuid,
) -> i64 {
    use app::sync::protocol::Record;
    crate::sync::pull(&t.db, user, uuid::Uuid::new_v4(), None)
        .await
        .records
        .iter()
        .find_map(|r| match r {
            Record::Visit(v) if v.id == visit => Some(v.version),
            _ => None,
        })
        .expect("the visit is pulled")
}

#[tokio::test]
async fn nobody_validates_what_they_entered_themselves() {
    use uuid::Uuid;
    for t in support::every_engine().await {
        let (app, set) = demo_app(&t).await;
        let f = crate::sync::field(&set);
        let (client, device, visit) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let args = crate::sync::visit(visit, f.own, None, "Visite du superviseur");
        let pushed = crate::sync::send(
            &t.db,
            &f.supervisor,
            client,
            device,
            vec![crate::sync::save(client, 1, &args)],
        )
        .await
        .expect("push");
        assert_eq!(pushed.refused, vec![]);
        let version = pulled_version(&t, &f.supervisor, visit).await;
        let cookie = sign_in(&app, &f.supervisor.email).await;
        let form = format!("visit={visit}&version={version}&decision=validate&comment=");
        let own = send(&app, post_form("/api/review_visit", &form, Some(&cookie))).await;
        assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", own.body);
        assert!(own.body.contains("own_entry"), "{}", own.body);
        assert_eq!(
            support::count(&t, "select count(*) from visits where status = 'submitted' and observations = 'Visite du superviseur'").await,
            1,
            "still waiting for someone else"
        );
        // Another reviewer (the team) may.
        let team = sign_in(&app, DEMO_LOGINS[2].0).await;
        let other = send(&app, post_form("/api/review_visit", &form, Some(&team))).await;
        assert_eq!(other.status, StatusCode::OK, "{}", other.body);
    }
}

#[tokio::test]
async fn a_reviewer_never_reads_a_draft_in_a_visits_history() {
    use app::domain::{EntryStatus, HistoryEvent};
    use app::server::auth::review_scope;
    use uuid::Uuid;
    for t in support::every_engine().await {
        let (_, set) = demo_app(&t).await;
        let f = crate::sync::field(&set);
        let (client, device, visit) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let mut draft = crate::sync::visit(visit, f.own, None, "Brouillon privé");
        draft.fields.status = EntryStatus::Draft;
        crate::sync::send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![crate::sync::save(client, 1, &draft)],
        )
        .await
        .expect("draft");
        let base = pulled_version(&t, &f.facilitator, visit).await;
        let sent = crate::sync::visit(visit, f.own, Some(base), "Visite envoyée");
        crate::sync::send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![crate::sync::save(client, 2, &sent)],
        )
        .await
        .expect("submitted");
        let drafts = |history: &[HistoryEvent]| {
            history
                .iter()
                .filter(|e| matches!(e, HistoryEvent::Revision { fields, .. } if fields.status == EntryStatus::Draft))
                .count()
        };
        let scope = review_scope(&f.supervisor).expect("scope");
        let queue = t.db.review_queue(scope).await.expect("queue");
        let item = queue.iter().find(|i| i.visit.id == visit).expect("waiting");
        assert_eq!(drafts(&item.history), 0, "{:?}", item.history);
        assert_eq!(item.history.len(), 1);
        let project_scope = app::server::auth::project_scope(&f.supervisor).expect("scope");
        let history =
            t.db.visit_history(&f.supervisor, project_scope, visit)
                .await
                .expect("history")
                .expect("visible");
        assert_eq!(drafts(&history), 0, "{history:?}");
        // Its author still reads her own draft in it.
        let own_scope = app::server::auth::project_scope(&f.facilitator).expect("scope");
        let own =
            t.db.visit_history(&f.facilitator, own_scope, visit)
                .await
                .expect("history")
                .expect("visible");
        assert_eq!(drafts(&own), 1);
    }
}

#[tokio::test]
async fn a_nul_character_is_refused_by_name_on_both_engines_and_the_rest_applies() {
    use uuid::Uuid;
    for t in support::every_engine().await {
        let (app, set) = demo_app(&t).await;
        let f = crate::sync::field(&set);
        let (client, device) = (Uuid::new_v4(), Uuid::new_v4());
        let (bad, good) = (Uuid::new_v4(), Uuid::new_v4());
        let pushed = crate::sync::send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![
                crate::sync::save(
                    client,
                    1,
                    &crate::sync::visit(bad, f.own, None, "avant\0après"),
                ),
                crate::sync::save(
                    client,
                    2,
                    &crate::sync::visit(good, f.own, None, "Visite sans surprise"),
                ),
            ],
        )
        .await
        .expect("push");
        assert_eq!(
            pushed
                .refused
                .iter()
                .map(|r| (r.seq, r.code.as_str(), r.field.as_deref()))
                .collect::<Vec<_>>(),
            [(1, "invalid", Some("observations"))],
            "{:?}",
            t.engine
        );
        assert_eq!(
            support::count(
                &t,
                "select count(*) from visits where observations = 'Visite sans surprise'"
            )
            .await,
            1
        );
        assert_eq!(
            support::count(
                &t,
                "select count(*) from visits where observations like 'avant%'"
            )
            .await,
            0
        );
        // A server function's text too: refused by name, nothing written.
        let team = sign_in(&app, DEMO_LOGINS[2].0).await;
        let org = serde_json::json!({ "organisation": {
            "id": Uuid::new_v4(), "kind": "funder", "name": "Fonds\u{0}Joud", "locality": null,
            "archived": false,
        }});
        let reply = send(
            &app,
            crate::support::router::post_json(
                "/api/save_organisation",
                &org.to_string(),
                Some(&team),
            ),
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
        assert!(
            reply.body.contains("\"name\"") && reply.body.contains("invisible_character"),
            "{}",
            reply.body
        );
        let form = format!("email={}&password=a%00b", encode(DEMO_LOGINS[0].0));
        let reply = send(&app, post_form("/api/login", &form, None)).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
        assert!(reply.body.contains("password"), "{}", reply.body);
    }
}

#[tokio::test]
async fn behind_a_proxy_the_address_it_appended_counts_not_what_the_client_wrote() {
    use axum::body::Body;
    use http::{Request, header};
    for t in support::every_engine().await {
        support::with_demo(&t).await;
        let app = server::router(
            support::state(t.db.clone()),
            server::routes::RouterOptions {
                proxy_hops: 1,
                ..Default::default()
            },
        );
        let mut statuses = Vec::new();
        for i in 0..25 {
            // A different account each time (no account lock), a different address written by
            // the client each time; the proxy appends the one it saw.
            let form = format!("email=guess{i}%40example.tn&password=nope");
            let req = Request::post("/api/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "application/json")
                .header("x-forwarded-for", format!("10.9.{i}.1, 203.0.113.7"))
                .body(Body::from(form))
                .expect("request");
            statuses.push(send(&app, req).await.status.as_u16());
        }
        // The twentieth failure locks the address (and says so); every guess after it waits.
        assert!(statuses[..19].iter().all(|s| *s == 401), "{statuses:?}");
        assert!(statuses[19..].iter().all(|s| *s == 429), "{statuses:?}");
        // IPv6: a subscriber changing the last 64 bits is still one address.
        let mut statuses = Vec::new();
        for i in 0..21 {
            let form = format!("email=v6guess{i}%40example.tn&password=nope");
            let req = Request::post("/api/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "application/json")
                .header("x-forwarded-for", format!("2001:db8:1:2::{i:x}"))
                .body(Body::from(form))
                .expect("request");
            statuses.push(send(&app, req).await.status.as_u16());
        }
        assert_eq!(statuses[20], 429, "{statuses:?}");
    }
}

/// How many files this process may open (its soft limit, Linux); a child inherits it.
fn open_files_limit() -> usize {
    std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(1024)
}

/// The resident memory of a process, in MB (Linux).
fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// A load test: it measures the server's answers under a flood, so it runs alone, after the
/// other stories (`.ci/test` runs it with `--ignored`), never beside tests that load the same
/// cores.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a load test, run alone: cargo test -p server --test stories -- --ignored"]
async fn two_thousand_sign_ins_at_once_neither_swell_the_server_nor_stop_its_health_check() {
    use crate::support::wire::{Servers, free_port, start_with, wait_healthy};
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("athar.db").display());
    let port = free_port();
    let servers = Servers(vec![start_with(&url, port, &["--demo", "--trust-proxy"])]);
    wait_healthy(port).await;
    let pid = servers.0[0].id();
    let before = rss_mb(pid);

    // Each from its own address (behind the proxy), for its own account: no lock-out helps.
    // Two thousand, unless this machine lets a process hold fewer connections than that.
    let size = 2000.min(open_files_limit().saturating_sub(200)) as u32;
    let flood: Vec<_> = (0..size)
        .map(|i| {
            tokio::spawn(async move {
                let body = format!("email=flood{i}%40example.tn&password=guess-{i}");
                let head = format!(
                    "POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
                     Accept: application/json\r\nX-Forwarded-For: 10.{}.{}.{}\r\nContent-Length: {}\r\n\
                     Connection: close\r\n\r\n{body}",
                    i / 65536,
                    (i / 256) % 256,
                    i % 256,
                    body.len()
                );
                let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.ok()?;
                s.write_all(head.as_bytes()).await.ok()?;
                let mut raw = Vec::new();
                s.read_to_end(&mut raw).await.ok()?;
                String::from_utf8_lossy(&raw)
                    .split(' ')
                    .nth(1)
                    .and_then(|s| s.parse::<u16>().ok())
            })
        })
        .collect();

    // Meanwhile the health check answers, and the process stays small.
    let mut slowest = Duration::ZERO;
    let mut largest = before;
    for _ in 0..10 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let started = Instant::now();
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect");
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .expect("ask");
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).await.expect("answer");
        assert!(
            raw.starts_with(b"HTTP/1.1 200"),
            "{}",
            String::from_utf8_lossy(&raw)
        );
        slowest = slowest.max(started.elapsed());
        largest = largest.max(rss_mb(pid));
    }
    let mut statuses = std::collections::BTreeMap::new();
    for f in flood {
        *statuses.entry(f.await.expect("task")).or_insert(0) += 1;
        largest = largest.max(rss_mb(pid));
    }
    println!(
        "{size} sign-ins at once: {statuses:?}; /healthz slowest {slowest:?}; RSS {before:.0} MB before, {largest:.0} MB at most"
    );
    assert!(
        slowest < Duration::from_secs(1),
        "/healthz took {slowest:?}"
    );
    assert!(largest < 128.0, "the server grew to {largest:.0} MB");
    assert_eq!(
        statuses.get(&Some(200)).copied().unwrap_or(0),
        0,
        "no guess signed in"
    );
    assert!(
        statuses.get(&Some(503)).copied().unwrap_or(0) > 0,
        "the flood met the bounded line: {statuses:?}"
    );
}

#[tokio::test]
async fn a_request_from_another_site_changes_nothing_even_with_a_valid_session() {
    use axum::body::Body;
    use http::{Request, header};
    use uuid::Uuid;
    for t in support::every_engine().await {
        let (app, set) = demo_app(&t).await;
        let f = crate::sync::field(&set);
        let cookie = sign_in(&app, &f.facilitator.email).await;
        let client = Uuid::new_v4();
        let mutation = crate::sync::save(
            client,
            1,
            &crate::sync::visit(Uuid::new_v4(), f.own, None, "Forgée"),
        );
        let body = serde_json::json!({ "call": {
            "protocol": app::sync::protocol::PROTOCOL_VERSION,
            "schema": app::sync::protocol::SCHEMA_VERSION,
            "body": { "client_id": client, "mutations": [mutation], "heartbeat": {} },
        }})
        .to_string();
        let push = |extra: (&'static str, &'static str)| {
            Request::post("/api/sync/push")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::COOKIE, cookie.clone())
                .header(header::HOST, "athar.example.tn")
                .header(extra.0, extra.1)
                .body(Body::from(body.clone()))
                .expect("request")
        };
        let clients = support::count(&t, "select count(*) from sync_clients").await;
        for extra in [
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://evil.example"),
            ("origin", "null"),
        ] {
            let reply = send(&app, push(extra)).await;
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{extra:?}: {}",
                reply.body
            );
        }
        assert_eq!(
            support::count(
                &t,
                "select count(*) from visits where observations = 'Forgée'"
            )
            .await,
            0
        );
        assert_eq!(
            support::count(&t, "select count(*) from sync_clients").await,
            clients,
            "not even the client was recorded"
        );
        // A forged sign-in is refused the same way.
        let login = Request::post("/api/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ORIGIN, "https://evil.example")
            .body(Body::from(format!(
                "email={}&password={DEMO_PASSWORD}",
                encode(DEMO_LOGINS[0].0)
            )))
            .expect("request");
        assert_eq!(send(&app, login).await.status, StatusCode::FORBIDDEN);
        // From Athar's own page, it goes through.
        let reply = send(&app, push(("origin", "https://athar.example.tn"))).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(
            support::count(
                &t,
                "select count(*) from visits where observations = 'Forgée'"
            )
            .await,
            1
        );
    }
}

#[tokio::test]
async fn a_device_id_named_in_a_request_never_makes_one_users_edits_pass_for_anothers() {
    use app::domain::NewActionItem;
    use app::sync::mutations::{AddAction, CloseAction, MutationType};
    use uuid::Uuid;
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let f = crate::sync::field(&set);
        let colleague = set
            .users
            .iter()
            .find(|u| {
                u.role == app::domain::Role::Facilitator
                    && u.id != f.facilitator.id
                    && set.projects.iter().any(|p| p.facilitator_id == u.id)
            })
            .expect("a colleague with projects");
        let colleague_project = set
            .projects
            .iter()
            .find(|p| p.facilitator_id == colleague.id)
            .expect("her project")
            .id;
        let colleague = crate::sync::user(&set, &colleague.email);

        // The facilitator's phone: a visit and an action item decided at it.
        let (phone, device) = (Uuid::new_v4(), Uuid::new_v4());
        let (visit, action) = (Uuid::new_v4(), Uuid::new_v4());
        let item = |id, project, visit_id, title: &str| NewActionItem {
            id,
            project_id: project,
            visit_id,
            title: title.into(),
            due_on: Some("2026-12-15".into()),
        };
        let sent = crate::sync::send(
            &t.db,
            &f.facilitator,
            phone,
            device,
            vec![
                crate::sync::save(
                    phone,
                    1,
                    &crate::sync::visit(visit, f.own, None, "Visite d'origine"),
                ),
                crate::sync::mutation(
                    phone,
                    2,
                    AddAction::NAME,
                    &item(action, f.own, Some(visit), "Peser le stock"),
                ),
            ],
        )
        .await
        .expect("push");
        assert_eq!(sent.refused, vec![]);

        // The supervisor, under a new client, names the facilitator's device: her save of the
        // same visit is not the facilitator's own re-save.
        let spoof = Uuid::new_v4();
        let overwritten = crate::sync::send(
            &t.db,
            &f.supervisor,
            spoof,
            device,
            vec![crate::sync::save(
                spoof,
                1,
                &crate::sync::visit(visit, f.own, None, "Réécrite"),
            )],
        )
        .await
        .expect("push");
        assert_eq!(
            overwritten
                .refused
                .iter()
                .map(|r| r.code.as_str())
                .collect::<Vec<_>>(),
            ["already_exists"]
        );

        // A colleague re-adds the item into her own project (from her phone, then naming the
        // facilitator's device), and closes it: refused, the item is as it was.
        let theirs = Uuid::new_v4();
        for (client, claimed) in [(theirs, Uuid::new_v4()), (Uuid::new_v4(), device)] {
            let moved = crate::sync::send(
                &t.db,
                &colleague,
                client,
                claimed,
                vec![
                    crate::sync::mutation(
                        client,
                        1,
                        AddAction::NAME,
                        &item(action, colleague_project, None, "Détourné"),
                    ),
                    crate::sync::mutation(
                        client,
                        2,
                        CloseAction::NAME,
                        &app::domain::CloseActionItem {
                            id: action,
                            closed_on: "2026-11-21".into(),
                        },
                    ),
                ],
            )
            .await
            .expect("push");
            assert_eq!(
                moved
                    .refused
                    .iter()
                    .map(|r| r.code.as_str())
                    .collect::<Vec<_>>(),
                ["already_exists", "forbidden"],
                "{:?}",
                t.engine
            );
        }
        // An item of her own project cannot hang on the facilitator's visit either.
        let linked = crate::sync::send(
            &t.db,
            &colleague,
            theirs,
            Uuid::new_v4(),
            vec![crate::sync::mutation(
                theirs,
                3,
                AddAction::NAME,
                &item(
                    Uuid::new_v4(),
                    colleague_project,
                    Some(visit),
                    "Sur la visite d'une autre",
                ),
            )],
        )
        .await
        .expect("push");
        assert_eq!(
            linked
                .refused
                .iter()
                .map(|r| (r.code.as_str(), r.field.as_deref()))
                .collect::<Vec<_>>(),
            [("invalid", Some("visit_id"))]
        );
        assert_eq!(
            support::count(
                &t,
                "select count(*) from action_items where title = 'Peser le stock' and status = 'open'"
            )
            .await,
            1
        );
        assert_eq!(
            support::count(
                &t,
                "select count(*) from visits where observations = 'Visite d''origine'"
            )
            .await,
            1
        );
    }
}

#[tokio::test]
async fn an_aggregate_names_only_the_projects_its_reader_may_open() {
    for t in support::every_engine().await {
        let (app, set) = demo_app(&t).await;
        let incubator = set.projects[0].incubator_id;
        let children = |cookie: String| {
            let app = app.clone();
            async move {
                let form = format!("level=incubator&id={incubator}&lang=fr");
                let reply = send(
                    &app,
                    post_form("/api/indicator_dashboard", &form, Some(&cookie)),
                )
                .await;
                assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
                let d: serde_json::Value = serde_json::from_str(&reply.body).expect("json");
                d["children"]
                    .as_array()
                    .expect("children")
                    .iter()
                    .filter(|c| c["level"] == "project")
                    .map(|c| c["id"].as_str().expect("id").to_owned())
                    .collect::<Vec<_>>()
            }
        };
        let in_incubator: Vec<String> = set
            .projects
            .iter()
            .filter(|p| p.incubator_id == incubator)
            .map(|p| p.id.to_string())
            .collect();
        let team = sign_in(&app, DEMO_LOGINS[2].0).await;
        assert_eq!(children(team).await.len(), in_incubator.len());
        let viewer = sign_in(&app, DEMO_LOGINS[3].0).await;
        assert_eq!(children(viewer.clone()).await, Vec::<String>::new());
        let facilitator = set
            .users
            .iter()
            .find(|u| {
                set.projects
                    .iter()
                    .any(|p| p.incubator_id == incubator && p.facilitator_id == u.id)
            })
            .expect("a facilitator of the incubator");
        let theirs: Vec<String> = set
            .projects
            .iter()
            .filter(|p| p.incubator_id == incubator && p.facilitator_id == facilitator.id)
            .map(|p| p.id.to_string())
            .collect();
        let cookie = sign_in(&app, &facilitator.email).await;
        let mut listed = children(cookie).await;
        listed.sort();
        let mut expected = theirs.clone();
        expected.sort();
        assert_eq!(listed, expected, "only her own projects");
        assert!(expected.len() < in_incubator.len());
        // The viewer's programme export has no project line.
        let csv = send(
            &app,
            crate::support::router::get("/exports/indicators.csv?level=programme", Some(&viewer)),
        )
        .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(
            !csv.body.lines().any(|l| l.starts_with("project,")),
            "{}",
            csv.body.lines().take(5).collect::<Vec<_>>().join("\n")
        );
        assert!(csv.body.lines().any(|l| l.starts_with("programme,")));
    }
}

#[tokio::test]
async fn names_typed_like_formulas_export_as_text() {
    for t in support::every_engine().await {
        let (app, _) = demo_app(&t).await;
        support::execute(&t, "update projects set title = '=1+2'", uuid::Uuid::nil()).await;
        support::execute(
            &t,
            "update value_chains set name_fr = '=SUM(A1)'",
            uuid::Uuid::nil(),
        )
        .await;
        let team = sign_in(&app, DEMO_LOGINS[2].0).await;
        let csv = send(
            &app,
            crate::support::router::get("/exports/indicators.csv?level=programme", Some(&team)),
        )
        .await;
        assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
        // The title is in the project lines; no cell a spreadsheet reads starts like a formula
        // (the value column holds numbers only, negative ones included).
        let mut reader = ::csv::Reader::from_reader(csv.bytes.as_slice());
        let mut titled = 0;
        for record in reader.records() {
            let record = record.expect("a CSV record");
            for (i, cell) in record.iter().enumerate() {
                if i != 9 {
                    assert!(!cell.starts_with(['=', '+', '-', '@']), "{record:?}");
                }
            }
            if record.get(2).is_some_and(|scope| scope.ends_with("=1+2")) {
                titled += 1;
            }
        }
        assert!(titled > 0, "the project lines carry the title");
        assert!(
            csv.body.contains(",'=SUM(A1),"),
            "a name that starts like one is text"
        );
    }
}

#[tokio::test]
async fn dashboards_read_the_database_again_only_when_it_moved() {
    for t in support::every_engine().await {
        let (app, set) = demo_app(&t).await;
        let first = t.db.dashboard_source().await.expect("source");
        // A change made behind the app's back (no new version, no audit line) is not read again:
        // the source is the one kept.
        support::execute(
            &t,
            "update projects set title = 'Renommé en douce'",
            uuid::Uuid::nil(),
        )
        .await;
        let kept = t.db.dashboard_source().await.expect("source");
        assert_eq!(
            kept.projects
                .iter()
                .map(|p| p.project.title.clone())
                .collect::<Vec<_>>(),
            first
                .projects
                .iter()
                .map(|p| p.project.title.clone())
                .collect::<Vec<_>>()
        );
        // A change through Athar moves the version (here an assignment): read again at once.
        let team = sign_in(&app, DEMO_LOGINS[2].0).await;
        let project = &set.projects[0];
        let form = format!(
            "project={}&facilitator={}&incubator={}",
            project.id, project.facilitator_id, project.incubator_id
        );
        let assigned = send(&app, post_form("/api/assign_project", &form, Some(&team))).await;
        assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.body);
        let fresh = t.db.dashboard_source().await.expect("source");
        assert!(
            fresh
                .projects
                .iter()
                .all(|p| p.project.title == "Renommé en douce")
        );
        // So does a change that leaves an audit line (settings, targets, the catalogue…).
        support::execute(
            &t,
            "update projects set title = 'Encore'",
            uuid::Uuid::nil(),
        )
        .await;
        let line = app::server::db::AuditLine {
            actor: None,
            kind: "settings_changed",
            subject: String::new(),
            project: None,
            before: None,
            after: None,
        };
        t.db.append_audit(&line).await.expect("audit");
        let fresh = t.db.dashboard_source().await.expect("source");
        assert!(fresh.projects.iter().all(|p| p.project.title == "Encore"));
    }
}

/// The nonce a page's policy names, after checking the policy keeps inline scripts out.
fn page_nonce(reply: &crate::support::router::Reply, what: &str) -> String {
    let policy = reply
        .headers
        .get(http::header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("{what}: no Content-Security-Policy"));
    let scripts = policy
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src "))
        .unwrap_or_else(|| panic!("{what}: no script-src in {policy}"));
    assert!(
        !scripts
            .split_whitespace()
            .any(|s| s == "'unsafe-inline'" || s == "'unsafe-eval'"),
        "{what}: {scripts}"
    );
    assert!(scripts.contains("'wasm-unsafe-eval'"), "{what}: {scripts}");
    assert!(
        policy.contains("frame-ancestors 'none'"),
        "{what}: {policy}"
    );
    assert!(policy.contains("object-src 'none'"), "{what}: {policy}");
    let nonce = scripts
        .split_whitespace()
        .find_map(|s| s.strip_prefix("'nonce-"))
        .and_then(|s| s.strip_suffix('\''))
        .unwrap_or_else(|| panic!("{what}: no nonce in {scripts}"));
    assert!(nonce.len() >= 22, "{what}: a nonce of 128 bits: {nonce}");
    // Every inline script of the page carries it (an empty one runs nothing).
    let mut inline = 0;
    for chunk in reply.body.split("<script").skip(1) {
        let (tag, rest) = chunk.split_once('>').expect("a closed tag");
        let code = rest.split("</script>").next().unwrap_or("");
        if tag.contains(" src=") || code.trim().is_empty() {
            continue;
        }
        inline += 1;
        assert!(
            tag.contains(&format!("nonce=\"{nonce}\"")),
            "{what}: an inline script without the page's nonce: <script{tag}>"
        );
    }
    assert!(
        inline >= 3,
        "{what}: the loader, platform and service worker scripts"
    );
    nonce.to_owned()
}

fn header<'a>(reply: &'a crate::support::router::Reply, name: &str) -> &'a str {
    reply
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[tokio::test]
async fn every_answer_says_how_to_guard_it_and_nothing_personal_is_cached() {
    use crate::support::router::get;
    for t in support::every_engine().await {
        let (app, set) = demo_app(&t).await;
        let amal_id = set
            .users
            .iter()
            .find(|u| u.email == DEMO_LOGINS[0].0)
            .expect("amal")
            .id;
        let project = set
            .projects
            .iter()
            .find(|p| p.facilitator_id == amal_id)
            .expect("a project of hers");
        let amal = sign_in(&app, DEMO_LOGINS[0].0).await;
        let team = sign_in(&app, DEMO_LOGINS[2].0).await;

        let home = send(&app, get("/", Some(&amal))).await;
        let page = send(&app, get(&format!("/projects/{}", project.id), Some(&amal))).await;
        let login = send(&app, get("/login", None)).await;
        let mut nonces = Vec::new();
        for (what, reply) in [
            ("home", &home),
            ("project page", &page),
            ("sign-in", &login),
        ] {
            assert_eq!(reply.status, StatusCode::OK, "{what}");
            nonces.push(page_nonce(reply, what));
            assert_eq!(header(reply, "cache-control"), "no-store", "{what}");
        }
        assert!(page.body.contains(&project.code), "the page is hers, drawn");
        nonces.sort();
        nonces.dedup();
        assert_eq!(nonces.len(), 3, "a fresh nonce for every page");

        // The shell the service worker keeps holds no data: it may be kept, and its scripts
        // carry the nonce of the policy stored with it.
        let shell = send(&app, get("/offline-shell", None)).await;
        page_nonce(&shell, "offline shell");
        assert_eq!(header(&shell, "cache-control"), "no-cache");

        let me = send(&app, post_form("/api/me", "", Some(&amal))).await;
        assert!(me.body.contains(DEMO_LOGINS[0].0), "{}", me.body);
        let csv = send(
            &app,
            get("/exports/indicators.csv?level=programme", Some(&team)),
        )
        .await;
        assert_eq!(csv.status, StatusCode::OK);
        for (what, reply) in [("/api/me", &me), ("an export", &csv)] {
            assert_eq!(header(reply, "cache-control"), "no-store", "{what}");
            assert!(
                header(reply, "content-security-policy").starts_with("default-src 'none'"),
                "{what}"
            );
        }
        for (what, reply) in [
            ("home", &home),
            ("project page", &page),
            ("/api/me", &me),
            ("an export", &csv),
        ] {
            assert_eq!(header(reply, "x-content-type-options"), "nosniff", "{what}");
            assert_eq!(header(reply, "referrer-policy"), "same-origin", "{what}");
            assert_eq!(header(reply, "x-frame-options"), "DENY", "{what}");
            assert_eq!(
                header(reply, "strict-transport-security"),
                "",
                "{what}: HSTS only when Athar serves TLS itself"
            );
        }
        let tls = server::router(
            support::state(t.db.clone()),
            server::routes::RouterOptions {
                hsts: true,
                ..Default::default()
            },
        );
        let over_tls = send(&tls, get("/login", None)).await;
        assert!(header(&over_tls, "strict-transport-security").starts_with("max-age="));
    }
}

#[tokio::test]
async fn by_default_the_session_cookie_is_secure_and_bound_to_the_host() {
    use crate::support::router::get;
    for t in support::every_engine().await {
        let _ = support::with_demo(&t).await;
        let mut state = support::state(t.db.clone());
        state.auth = std::sync::Arc::new(app::server::state::AuthSettings {
            secure_cookies: true,
            ..Default::default()
        });
        let app = server::router(state, Default::default());
        let form = format!(
            "email={}&password={DEMO_PASSWORD}",
            encode(DEMO_LOGINS[0].0)
        );
        let reply = send(&app, post_form("/api/login", &form, None)).await;
        let cookie = reply
            .headers
            .get_all(http::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.contains("athar_session="))
            .expect("a session cookie")
            .to_owned();
        assert!(cookie.starts_with("__Host-athar_session="), "{cookie}");
        assert!(
            cookie.contains("; Secure") && cookie.contains("Path=/") && !cookie.contains("Domain"),
            "{cookie}"
        );
        let pair = cookie.split(';').next().expect("name=value");
        let me = send(&app, post_form("/api/me", "", Some(pair))).await;
        assert!(
            me.body.contains(DEMO_LOGINS[0].0),
            "the cookie opens the session"
        );
        // The same token under the name a plain-HTTP page could set is not read.
        let token = pair.split_once('=').expect("value").1;
        let plain = format!("athar_session={token}");
        let me = send(&app, post_form("/api/me", "", Some(&plain))).await;
        assert_eq!(me.body.trim(), "null");
        let page = send(&app, get("/", Some(&plain))).await;
        assert!(!page.body.contains("Mes projets"), "not signed in by it");
    }
}

/// A load test, run alone like the flood above: slow-loris clients hold connections open by
/// sending a request's head a little at a time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a load test, run alone: cargo test -p server --test stories -- --ignored"]
async fn five_hundred_half_sent_requests_hold_up_no_one_and_are_cut_after_ten_seconds() {
    use crate::support::wire::{Servers, free_port, request, sign_in, start, wait_healthy};
    use app::sync::protocol::{PROTOCOL_VERSION, SCHEMA_VERSION};
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("athar.db").display());
    let port = free_port();
    let _servers = Servers(vec![start(&url, port)]);
    wait_healthy(port).await;

    let size = 500.min(open_files_limit().saturating_sub(200) / 2);
    let opened = Instant::now();
    let mut idle = Vec::new();
    for _ in 0..size {
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect");
        s.write_all(b"POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty")
            .await
            .expect("half a head");
        idle.push(s);
    }

    let started = Instant::now();
    let cookie = sign_in(port).await;
    let signed_in = started.elapsed();
    let started = Instant::now();
    let pull = request(
        port,
        "/api/sync/pull",
        "application/json",
        &cookie,
        &format!(
            r#"{{"call":{{"protocol":{PROTOCOL_VERSION},"schema":{SCHEMA_VERSION},"body":{{"client_id":"{}","cookie":null,"heartbeat":{{}}}}}}}}"#,
            uuid::Uuid::new_v4()
        ),
    )
    .await
    .expect("pull");
    let pulled = started.elapsed();
    assert_eq!(pull.status, 200, "{}", pull.body);
    println!(
        "{size} half-sent requests open: a sign-in answered in {signed_in:?}, a pull in {pulled:?}"
    );
    assert!(
        signed_in < Duration::from_secs(1),
        "sign-in took {signed_in:?}"
    );
    assert!(pulled < Duration::from_secs(1), "pull took {pulled:?}");

    // Past the header timeout, the server has hung up on every one of them.
    let mut cut = 0;
    for mut s in idle {
        let left = Duration::from_secs(15).saturating_sub(opened.elapsed());
        let mut buf = [0u8; 256];
        match tokio::time::timeout(left.max(Duration::from_millis(10)), s.read(&mut buf)).await {
            // Closed (perhaps after a 408 the server chose to send).
            Ok(Ok(_)) | Ok(Err(_)) => cut += 1,
            Err(_) => {}
        }
    }
    let after = opened.elapsed();
    println!("{cut} of {size} cut by {after:?}");
    assert_eq!(cut, size, "every slow client is cut");
    assert!(
        after >= Duration::from_secs(9),
        "not before the timeout: {after:?}"
    );
}

#[tokio::test]
async fn past_its_limits_the_server_says_when_to_come_back_instead_of_queueing() {
    use crate::support::router::get;
    use server::limits::Limits;
    let t = support::sqlite().await;
    let _ = support::with_demo(&t).await;
    let with = |limits: Limits| {
        server::router(
            support::state(t.db.clone()),
            server::routes::RouterOptions {
                limits,
                ..Default::default()
            },
        )
    };
    // A user whose costly reads are all running: the next one is 429, other calls go on.
    let app = with(Limits::new(64, 0));
    let team = sign_in(&app, DEMO_LOGINS[2].0).await;
    let csv = send(
        &app,
        get("/exports/indicators.csv?level=programme", Some(&team)),
    )
    .await;
    assert_eq!(csv.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&csv, "retry-after"), "1");
    assert!(csv.body.contains("Unavailable"), "{}", csv.body);
    let me = send(&app, post_form("/api/me", "", Some(&team))).await;
    assert!(me.body.contains(DEMO_LOGINS[2].0), "{}", me.body);
    // Every slot of the server taken: 503 at once, for anyone.
    let app = with(Limits::new(0, 4));
    let login = send(&app, get("/login", None)).await;
    assert_eq!(login.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(header(&login, "retry-after"), "2");
}

#[tokio::test]
async fn what_the_demo_hides_is_decided_once_per_change() {
    let t = support::sqlite().await;
    let _ = support::with_demo(&t).await;
    let source = t.db.dashboard_source().await.expect("source");
    let today = support::today();
    let started = std::time::Instant::now();
    let plan = source.hidden(today.year(), &today.to_string());
    let first = started.elapsed();
    let started = std::time::Instant::now();
    let again = source.hidden(today.year(), &today.to_string());
    let kept = started.elapsed();
    assert!(
        std::sync::Arc::ptr_eq(&plan, &again),
        "kept with the source"
    );
    println!("the demo's plan: {first:?} to decide, {kept:?} to read again");
}
