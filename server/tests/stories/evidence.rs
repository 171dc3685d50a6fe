//! Evidence: a facilitator's photos and documents reach the server after the visit that names
//! them, in pieces, over a link that drops; each file is kept once, checked by its bytes, and
//! read only by those who may read the visit. On both engines, with the files in a folder and,
//! when `ATHAR_TEST_S3_URL` names one, in an S3-compatible store.

use crate::support::router::{Reply, send, sign_in};
use crate::support::{self, TestDb};
use crate::sync::{field, save, visit};
use app::domain::evidence::{Evidence, Media};
use app::domain::{EntryStatus, Role};
use app::server::demo::DEMO_LOGINS;
use axum::Router;
use axum::body::Body;
use http::{Request, StatusCode, header};
use server::files::FileStore;
use server::routes::RouterOptions;
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub(crate) fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub(crate) fn evidence(bytes: &[u8], media: Media, caption: &str) -> Evidence {
    Evidence {
        sha256: sha(bytes),
        bytes: bytes.len() as u64,
        media,
        caption: caption.into(),
        people_agreed: false,
    }
}

/// A photo as the phone sends it: a JPEG of 1,200 × 900 pixels.
pub(crate) fn photo(shade: u8) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(1200, 900, |x, y| {
        image::Rgb([(x / 5) as u8, (y / 4) as u8, shade])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 70)
        .encode_image(&picture)
        .expect("encode");
    out
}

fn pdf() -> Vec<u8> {
    let mut out = b"%PDF-1.4\n% receipts of the first sale\n".to_vec();
    out.extend(std::iter::repeat_n(b'x', 50_000));
    out.extend(b"\n%%EOF\n");
    out
}

/// The demo's router with its evidence files in `files`.
fn router_with(t: &TestDb, files: &FileStore) -> Router {
    let options = RouterOptions {
        files: files.clone(),
        ..RouterOptions::default()
    };
    server::router(support::state(t.db.clone()), options)
}

/// The e-mail of a demo facilitator other than the one `field` follows.
fn another_facilitator<'a>(set: &'a app::server::demo::DemoSet, f: &crate::sync::Field) -> &'a str {
    &set.users
        .iter()
        .find(|u| u.role == Role::Facilitator && u.id != f.facilitator.id)
        .expect("another facilitator")
        .email
}

fn head(sha256: &str, cookie: &str) -> Request<Body> {
    Request::head(format!("/api/files/{sha256}"))
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("request")
}

fn piece(sha256: &str, cookie: &str, offset: usize, bytes: &[u8]) -> Request<Body> {
    Request::patch(format!("/api/files/{sha256}"))
        .header(header::COOKIE, cookie)
        .header("upload-offset", offset.to_string())
        .header(header::CONTENT_TYPE, "application/offset+octet-stream")
        .body(Body::from(bytes.to_vec()))
        .expect("request")
}

fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("request")
}

fn offset(reply: &Reply) -> usize {
    reply
        .headers
        .get("upload-offset")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("an Upload-Offset")
}

fn code(reply: &Reply) -> String {
    let body: serde_json::Value = serde_json::from_str(&reply.body).expect("a JSON error");
    body["Invalid"]["code"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| reply.body.clone())
}

/// Sends `bytes` as the phone does, 24 KB at a time, asking where the server stands first.
pub(crate) async fn upload(app: &Router, cookie: &str, bytes: &[u8]) -> Reply {
    let name = sha(bytes);
    let mut at = offset(&send(app, head(&name, cookie)).await);
    loop {
        let end = (at + 24 * 1024).min(bytes.len());
        let reply = send(app, piece(&name, cookie, at, &bytes[at..end])).await;
        if reply.status != StatusCode::NO_CONTENT || end == bytes.len() {
            return reply;
        }
        at = offset(&reply);
    }
}

async fn file_stores() -> Vec<(FileStore, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut stores = vec![(
        FileStore::folder(&dir.path().join("athar-files")).expect("folder"),
        Some(dir),
    )];
    match std::env::var("ATHAR_TEST_S3_URL") {
        Ok(url) if !url.is_empty() => {
            // A prefix of its own per run: the bucket outlives the test.
            let url = format!("{}/{}", url.trim_end_matches('/'), Uuid::new_v4().simple());
            stores.push((FileStore::s3(&url).expect("S3 store"), None));
        }
        _ => assert!(
            std::env::var("CI").is_err(),
            "CI must run the evidence stories against S3: set ATHAR_TEST_S3_URL"
        ),
    }
    stores
}

#[tokio::test]
async fn a_visits_photos_and_document_arrive_after_it_resume_after_a_drop_and_are_kept_once() {
    // A database and a store of their own for each engine and each kind of store.
    let kinds = file_stores().await.len();
    for kind in 0..kinds {
        for t in support::every_engine().await {
            let (files, _dir) = file_stores().await.swap_remove(kind);
            one_field_day(&t, files).await;
        }
    }
}

async fn one_field_day(t: &TestDb, files: FileStore) {
    let set = support::with_demo(t).await;
    let app = router_with(t, &files);
    let f = field(&set);
    let amal = sign_in(&app, DEMO_LOGINS[0].0).await;
    let rim = sign_in(&app, DEMO_LOGINS[1].0).await;
    let viewer = sign_in(&app, DEMO_LOGINS[3].0).await;
    let samir = sign_in(&app, another_facilitator(&set, &f)).await;
    let (pump, cash_book, receipts) = (photo(10), photo(200), pdf());
    let label = format!("{:?} on {}", t.engine, files.place);

    // Before any entry names it, nobody may send it.
    let reply = send(&app, head(&sha(&pump), &amal)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{label}");

    // The visit goes first, naming its three files.
    let client = Uuid::new_v4();
    let mut args = visit(
        Uuid::new_v4(),
        f.own,
        None,
        "La pompe solaire est installée.",
    );
    args.fields.files = vec![
        evidence(&pump, Media::Jpeg, "Pompe solaire مضخة"),
        evidence(&cash_book, Media::Jpeg, ""),
        evidence(&receipts, Media::Pdf, "Reçus de la première vente"),
    ];
    let pushed = crate::sync::send(
        &t.db,
        &f.facilitator,
        client,
        Uuid::new_v4(),
        vec![save(client, 1, &args)],
    )
    .await
    .expect("push");
    assert!(pushed.refused.is_empty(), "{label}: {:?}", pushed.refused);

    // The first photo in full; the second cut after one piece, as when the link drops.
    assert_eq!(
        upload(&app, &amal, &pump).await.status,
        StatusCode::NO_CONTENT,
        "{label}"
    );
    let name = sha(&cash_book);
    let reply = send(&app, piece(&name, &amal, 0, &cash_book[..30_000])).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{label}");
    assert_eq!(offset(&reply), 30_000);
    // A piece sent again from where the phone thought it was is refused with where the server
    // stands, and changes nothing.
    let reply = send(&app, piece(&name, &amal, 0, &cash_book[..10_000])).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{label}");
    assert_eq!(offset(&reply), 30_000);
    // Coming back, the phone asks where to go on from and sends the rest only.
    let reply = send(&app, head(&name, &amal)).await;
    assert_eq!(
        (offset(&reply), reply.status),
        (30_000, StatusCode::OK),
        "{label}"
    );
    let reply = upload(&app, &amal, &cash_book).await;
    assert_eq!(
        reply.status,
        StatusCode::NO_CONTENT,
        "{label}: {}",
        reply.body
    );
    assert_eq!(offset(&reply), cash_book.len());
    assert_eq!(
        upload(&app, &amal, &receipts).await.status,
        StatusCode::NO_CONTENT
    );

    // Sent twice, stored once; a second visit naming the same photo sends nothing more.
    assert_eq!(
        upload(&app, &amal, &pump).await.status,
        StatusCode::NO_CONTENT
    );
    let mut again = visit(Uuid::new_v4(), f.own, None, "Deuxième visite.");
    again.fields.files = vec![evidence(&pump, Media::Jpeg, "La même pompe")];
    let pushed = crate::sync::send(
        &t.db,
        &f.facilitator,
        client,
        Uuid::new_v4(),
        vec![save(client, 2, &again)],
    )
    .await
    .expect("push");
    assert!(pushed.refused.is_empty(), "{label}");
    let reply = send(&app, head(&sha(&pump), &amal)).await;
    assert_eq!(offset(&reply), pump.len(), "{label}: already whole");
    assert_eq!(
        files.count().await.expect("count"),
        3,
        "{label}: each file once"
    );
    for bytes in [&pump, &cash_book, &receipts] {
        let kept = files.read(&sha(bytes)).await.expect("read").expect("kept");
        assert_eq!(
            sha(&kept),
            sha(bytes),
            "{label}: the bytes kept are the bytes sent"
        );
    }

    // The supervisor reads the photo, its thumbnail and the document.
    let reply = send(&app, get(&format!("/api/files/{}", sha(&pump)), &rim)).await;
    assert_eq!(reply.status, StatusCode::OK, "{label}");
    assert_eq!(reply.bytes, pump);
    assert_eq!(reply.headers[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(reply.headers["x-content-type-options"], "nosniff");
    assert!(
        reply.headers[header::CACHE_CONTROL]
            .to_str()
            .unwrap_or("")
            .contains("no-store")
    );
    let reply = send(
        &app,
        get(&format!("/api/files/{}/thumbnail", sha(&pump)), &rim),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{label}");
    let small = image::load_from_memory(&reply.bytes).expect("a picture");
    assert_eq!((small.width(), small.height()), (320, 240), "{label}");
    assert!(reply.bytes.len() < 40_000, "{label}: a thumbnail is small");
    let reply = send(&app, get(&format!("/api/files/{}", sha(&receipts)), &rim)).await;
    assert_eq!(
        reply.headers[header::CONTENT_TYPE],
        "application/pdf",
        "{label}"
    );
    assert!(
        reply.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap_or("")
            .starts_with("attachment"),
        "{label}: a document is downloaded, never shown in the page's place"
    );
    let reply = send(
        &app,
        get(&format!("/api/files/{}/thumbnail", sha(&receipts)), &rim),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::NOT_FOUND,
        "{label}: no thumbnail of a PDF"
    );

    // A milestone carries its photo as evidence, as a visit does.
    let installed = photo(60);
    let milestone = app::domain::SaveMilestoneArgs {
        id: Uuid::new_v4(),
        project_id: f.own,
        base_version: None,
        kind: "equipment_installed".into(),
        label: String::new(),
        due_on: None,
        achieved_on: Some("2026-11-20".into()),
        files: vec![evidence(&installed, Media::Jpeg, "Pompe installée")],
    };
    let steps = Uuid::new_v4();
    let pushed = crate::sync::send(
        &t.db,
        &f.facilitator,
        steps,
        Uuid::new_v4(),
        vec![crate::sync::mutation(
            steps,
            1,
            <app::sync::mutations::SaveMilestone as app::sync::mutations::MutationType>::NAME,
            &milestone,
        )],
    )
    .await
    .expect("push");
    assert!(pushed.refused.is_empty(), "{label}: {:?}", pushed.refused);
    assert_eq!(
        upload(&app, &amal, &installed).await.status,
        StatusCode::NO_CONTENT
    );
    let reply = send(
        &app,
        get(&format!("/api/files/{}/thumbnail", sha(&installed)), &rim),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "{label}: the milestone's photo"
    );

    // Another facilitator, and a viewer, read none of it, nor may they send to it.
    for (who, cookie) in [("another facilitator", &samir), ("a viewer", &viewer)] {
        let reply = send(&app, get(&format!("/api/files/{}", sha(&pump)), cookie)).await;
        assert!(
            matches!(reply.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
            "{label}: {who} read the photo ({})",
            reply.status
        );
        assert!(reply.bytes.is_empty() || !reply.bytes.starts_with(&pump[..16]));
        let reply = send(&app, head(&sha(&pump), cookie)).await;
        assert!(
            matches!(reply.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
            "{label}: {who} may send"
        );
    }
    let reply = send(&app, get(&format!("/api/files/{}", sha(&pump)), "")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{label}");

    // A draft's photo is its author's alone.
    let draft_photo = photo(99);
    let mut draft = visit(Uuid::new_v4(), f.own, None, "Brouillon.");
    draft.fields.status = EntryStatus::Draft;
    draft.fields.files = vec![evidence(&draft_photo, Media::Jpeg, "")];
    crate::sync::send(
        &t.db,
        &f.facilitator,
        client,
        Uuid::new_v4(),
        vec![save(client, 3, &draft)],
    )
    .await
    .expect("push");
    assert_eq!(
        upload(&app, &amal, &draft_photo).await.status,
        StatusCode::NO_CONTENT
    );
    let path = format!("/api/files/{}", sha(&draft_photo));
    assert_eq!(
        send(&app, get(&path, &amal)).await.status,
        StatusCode::OK,
        "{label}"
    );
    assert_eq!(
        send(&app, get(&path, &rim)).await.status,
        StatusCode::NOT_FOUND,
        "{label}"
    );

    // Refusals, each with its reason and nothing kept.
    let held = files.count().await.expect("count");
    let html = b"<!doctype html><script>alert(document.cookie)</script>".to_vec();
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_vec();
    let liar = photo(150);
    let mut lying = evidence(&liar, Media::Jpeg, "");
    lying.sha256 = sha(&photo(151));
    let mut bad = visit(Uuid::new_v4(), f.own, None, "Fichiers douteux.");
    bad.fields.files = vec![
        evidence(&html, Media::Jpeg, "photo.jpg"),
        evidence(&svg, Media::Png, "logo.png"),
        lying.clone(),
    ];
    let pushed = crate::sync::send(
        &t.db,
        &f.facilitator,
        client,
        Uuid::new_v4(),
        vec![save(client, 4, &bad)],
    )
    .await
    .expect("push");
    assert!(
        pushed.refused.is_empty(),
        "{label}: the text of the entry is kept"
    );
    for (bytes, why) in [(&html, "not_allowed_type"), (&svg, "not_allowed_type")] {
        let reply = upload(&app, &amal, bytes).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{label}");
        assert_eq!(code(&reply), why, "{label}");
        assert_eq!(
            offset(&send(&app, head(&sha(bytes), &amal)).await),
            0,
            "{label}"
        );
    }
    // Bytes that do not hash to the name: refused, and sent again from the start.
    let reply = send(&app, piece(&lying.sha256, &amal, 0, &liar)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{label}");
    assert_eq!(code(&reply), "hash_mismatch", "{label}");
    assert_eq!(
        offset(&send(&app, head(&lying.sha256, &amal)).await),
        0,
        "{label}"
    );
    // More bytes than the entry said.
    let reply = send(
        &app,
        piece(
            &sha(&html),
            &amal,
            0,
            &[html.clone(), html.clone()].concat(),
        ),
    )
    .await;
    assert_eq!(code(&reply), "too_large", "{label}");
    assert_eq!(
        files.count().await.expect("count"),
        held,
        "{label}: nothing refused is kept"
    );

    // A visit may not carry a file over the limit, nor name one in another's project.
    let mut huge = evidence(&pump, Media::Pdf, "");
    huge.bytes = app::domain::evidence::MAX_FILE_BYTES + 1;
    huge.sha256 = "f".repeat(64);
    let mut over = visit(Uuid::new_v4(), f.own, None, "Trop gros.");
    over.fields.files = vec![huge];
    let theirs_photo = photo(7);
    let mut theirs = visit(Uuid::new_v4(), f.other, None, "Chez un autre.");
    theirs.fields.files = vec![evidence(&theirs_photo, Media::Jpeg, "")];
    let pushed = crate::sync::send(
        &t.db,
        &f.facilitator,
        client,
        Uuid::new_v4(),
        vec![save(client, 5, &over), save(client, 6, &theirs)],
    )
    .await
    .expect("push");
    let refused: Vec<_> = pushed
        .refused
        .iter()
        .map(|r| (r.seq, r.code.as_str(), r.field.as_deref()))
        .collect();
    assert_eq!(
        refused,
        [(5, "invalid", Some("files")), (6, "forbidden", None)],
        "{label}"
    );
    let reply = send(&app, head(&sha(&theirs_photo), &amal)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{label}");

    // A piece from another site is refused before anything is read.
    let mut cross = piece(&sha(&html), &amal, 0, &html);
    cross
        .headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().expect("header"));
    assert_eq!(
        send(&app, cross).await.status,
        StatusCode::FORBIDDEN,
        "{label}"
    );
}

#[tokio::test]
async fn a_file_no_visit_names_any_more_is_removed_thirty_days_later_and_not_before() {
    for t in support::every_engine().await {
        let dir = tempfile::tempdir().expect("temporary directory");
        let files = FileStore::folder(dir.path()).expect("folder");
        let set = support::with_demo(&t).await;
        let app = router_with(&t, &files);
        let f = field(&set);
        let amal = sign_in(&app, DEMO_LOGINS[0].0).await;
        let (kept, dropped) = (photo(40), photo(41));
        let client = Uuid::new_v4();
        let mut args = visit(Uuid::new_v4(), f.own, None, "Deux photos.");
        args.fields.files = vec![
            evidence(&kept, Media::Jpeg, ""),
            evidence(&dropped, Media::Jpeg, "floue"),
        ];
        crate::sync::send(
            &t.db,
            &f.facilitator,
            client,
            Uuid::new_v4(),
            vec![save(client, 1, &args)],
        )
        .await
        .expect("push");
        for bytes in [&kept, &dropped] {
            assert_eq!(
                upload(&app, &amal, bytes).await.status,
                StatusCode::NO_CONTENT
            );
        }
        let now = time::OffsetDateTime::now_utc();
        let swept = |at| server::files::sweep_at(&t.db, &files, at);
        assert_eq!(swept(now).await.expect("sweep"), 0, "both are named");

        // The facilitator takes the blurred photo off the visit.
        let pulled = crate::sync::pull(&t.db, &f.facilitator, client, None).await;
        let version = pulled
            .records
            .iter()
            .find_map(|r| match r {
                app::sync::protocol::Record::Visit(v) if v.id == args.id => Some(v.version),
                _ => None,
            })
            .expect("the visit");
        let mut edited = args.clone();
        edited.base_version = Some(version);
        edited.fields.files.truncate(1);
        crate::sync::send(
            &t.db,
            &f.facilitator,
            client,
            Uuid::new_v4(),
            vec![save(client, 2, &edited)],
        )
        .await
        .expect("push");
        assert_eq!(
            swept(now).await.expect("sweep"),
            0,
            "{:?}: marked, not removed",
            t.engine
        );
        let day = time::Duration::days(1);
        assert_eq!(
            swept(now + 29 * day).await.expect("sweep"),
            0,
            "{:?}",
            t.engine
        );
        assert_eq!(files.count().await.expect("count"), 2);
        assert_eq!(
            swept(now + 31 * day).await.expect("sweep"),
            1,
            "{:?}",
            t.engine
        );
        assert_eq!(files.count().await.expect("count"), 1, "{:?}", t.engine);
        assert!(files.read(&sha(&kept)).await.expect("read").is_some());
        assert!(files.read(&sha(&dropped)).await.expect("read").is_none());
    }
}

#[tokio::test]
async fn a_tranche_is_justified_by_documents_the_team_sends_and_its_project_reads() {
    for t in support::every_engine().await {
        let dir = tempfile::tempdir().expect("temporary directory");
        let files = FileStore::folder(dir.path()).expect("folder");
        let set = support::with_demo(&t).await;
        let app = router_with(&t, &files);
        let f = field(&set);
        let team = sign_in(&app, DEMO_LOGINS[2].0).await;
        let amal = sign_in(&app, DEMO_LOGINS[0].0).await;
        let rim = sign_in(&app, DEMO_LOGINS[1].0).await;
        let viewer = sign_in(&app, DEMO_LOGINS[3].0).await;
        let samir = sign_in(&app, another_facilitator(&set, &f)).await;
        let (invoice, receipt) = (pdf(), photo(77));
        let tranche = |files: serde_json::Value| {
            serde_json::json!({
                "project": f.own,
                "tranche": {
                    "seq": 6, "planned": 2_000_000, "disbursed": 2_000_000,
                    "disbursed_on": "2026-10-01", "justified": 1_500_000, "files": files,
                },
            })
            .to_string()
        };
        let documents = serde_json::json!([
            evidence(&invoice, Media::Pdf, "Facture du fournisseur"),
            evidence(&receipt, Media::Jpeg, "Reçu signé"),
        ]);
        let save = |who: &str, body: String| {
            support::router::post_json("/api/save_tranche", &body, Some(who))
        };

        // A facilitator may not record one, nor send its documents.
        let reply = send(&app, save(&amal, tranche(documents.clone()))).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{:?}", t.engine);
        assert_eq!(
            send(&app, head(&sha(&invoice), &amal)).await.status,
            StatusCode::NOT_FOUND
        );

        // The team records tranche 6 with its invoice and receipt, and sends them.
        let reply = send(&app, save(&team, tranche(documents.clone()))).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{:?}: {}",
            t.engine,
            reply.body
        );
        for bytes in [&invoice, &receipt] {
            assert_eq!(
                upload(&app, &team, bytes).await.status,
                StatusCode::NO_CONTENT,
                "{:?}",
                t.engine
            );
        }
        assert_eq!(files.count().await.expect("count"), 2);

        // The project page lists them with the tranche.
        let detail = send(
            &app,
            support::router::post_form("/api/get_project", &format!("id={}", f.own), Some(&rim)),
        )
        .await;
        let detail: serde_json::Value = serde_json::from_str(&detail.body).expect("json");
        let listed: Vec<&str> = detail["tranches"]
            .as_array()
            .expect("tranches")
            .iter()
            .filter(|t| t["seq"] == 6)
            .flat_map(|t| t["files"].as_array().into_iter().flatten())
            .filter_map(|f| f["caption"].as_str())
            .collect();
        assert_eq!(listed, ["Facture du fournisseur", "Reçu signé"]);

        // Those who read the project read them; no one else.
        let path = format!("/api/files/{}", sha(&invoice));
        for (who, cookie, may) in [
            ("the team", &team, true),
            ("the supervisor", &rim, true),
            ("the project's facilitator", &amal, true),
            ("another facilitator", &samir, false),
            ("a viewer", &viewer, false),
        ] {
            let status = send(&app, get(&path, cookie)).await.status;
            assert_eq!(
                status == StatusCode::OK,
                may,
                "{:?}: {who} ({status})",
                t.engine
            );
        }

        // Recorded again without the receipt: only the invoice is named, and the receipt is
        // swept thirty days on.
        let reply = send(
            &app,
            save(&team, tranche(serde_json::json!([documents[0].clone()]))),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK);
        let now = time::OffsetDateTime::now_utc();
        let swept = |at| server::files::sweep_at(&t.db, &files, at);
        assert_eq!(swept(now).await.expect("sweep"), 0);
        assert_eq!(
            swept(now + server::files::KEPT_UNNAMED + time::Duration::days(1))
                .await
                .expect("sweep"),
            1,
            "{:?}: the receipt no tranche names",
            t.engine
        );
        assert_eq!(files.count().await.expect("count"), 1);
    }
}
