//! The whole router in process, driven through `oneshot` as a browser or a BI tool would.

use super::TestDb;
use app::server::demo::{DEMO_PASSWORD, DemoSet};
use axum::Router;
use axum::body::Body;
use http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use server::routes::RouterOptions;
use tower::ServiceExt;

/// An answer of the router.
pub struct Reply {
    pub status: StatusCode,
    pub headers: http::HeaderMap,
    /// The body as text (lossy), for pages and JSON.
    pub body: String,
    /// The body as sent, for files.
    pub bytes: Vec<u8>,
}

pub async fn send(app: &Router, req: Request<Body>) -> Reply {
    let res = app.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes,
    }
}

/// A page as a browser asks for it.
pub fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::get(path).header(header::ACCEPT, "text/html");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::empty()).expect("request")
}

pub fn post_form(path: &str, form: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(form.to_owned())).expect("request")
}

pub fn post_json(path: &str, json: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(json.to_owned())).expect("request")
}

pub fn encode(s: &str) -> String {
    s.replace('@', "%40")
}

/// Signs in through the real endpoint with the demo password and returns the `name=value` of the
/// session cookie (which must be `HttpOnly` and `SameSite=Strict`).
pub async fn sign_in(app: &Router, email: &str) -> String {
    let form = format!("email={}&password={}", encode(email), DEMO_PASSWORD);
    let reply = send(app, post_form("/api/login", &form, None)).await;
    let cookie = reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("athar_session="))
        .unwrap_or_else(|| {
            panic!(
                "no session cookie for {email}: {} {}",
                reply.status, reply.body
            )
        });
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    cookie.split(';').next().unwrap_or_default().to_owned()
}

/// The router on `t` with the demo set loaded.
pub async fn demo_app(t: &TestDb) -> (Router, DemoSet) {
    let set = super::with_demo(t).await;
    let app = server::router(super::state(t.db.clone()), RouterOptions::default());
    (app, set)
}
