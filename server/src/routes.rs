//! The router: pages (server-rendered Leptos), server functions under `/api`, the service worker
//! and offline shell, static files, `/healthz`; and the session middleware in front of them all.

use app::server::AppState;
use app::server::assets::site_assets;
use app::server::auth::{RequestAuth, resume_session, session_cookie, session_cookie_name};
use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, COOKIE, SET_COOKIE};
use http::{HeaderValue, StatusCode};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::net::SocketAddr;
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

#[derive(Clone, Debug, Default)]
pub struct RouterOptions {
    /// How many trusted reverse proxies stand in front: the client address is read that many
    /// entries from the right of `X-Forwarded-For` (0: not behind a proxy; the header is
    /// ignored).
    pub proxy_hops: usize,
    /// Athar serves TLS itself: answers carry `Strict-Transport-Security` (behind a proxy, the
    /// proxy sets it).
    pub hsts: bool,
    /// Requests at once, costly reads per user at once.
    pub limits: crate::limits::Limits,
    /// Where evidence files are kept.
    pub files: crate::files::FileStore,
}

/// The largest request body a server function reads, once inflated: a full push batch
/// (`sync::protocol::MAX_BATCH_BYTES`) with room for its envelope.
const API_BODY_LIMIT: usize = 2 * app::sync::protocol::MAX_BATCH_BYTES;

/// Every route the router has besides the pages (and the build's files under `/pkg`), as the
/// role × scope matrix in the tests enumerates them: a route added here without a row there
/// fails the tests.
pub const ROUTES: [&str; 10] = [
    crate::files::ROUTES[0],
    crate::files::ROUTES[1],
    HEALTHZ,
    SERVICE_WORKER,
    SCRIPTS,
    OFFLINE_SHELL,
    crate::headers::CSP_REPORT_PATH,
    SERVER_FUNCTIONS,
    EXPORTS,
    BI,
];
const HEALTHZ: &str = "/healthz";
const SERVICE_WORKER: &str = "/sw.js";
const OFFLINE_SHELL: &str = "/offline-shell";
/// Scripts the pages load on demand, under names that change with their content.
const SCRIPTS: &str = "/scripts/{name}";
const SERVER_FUNCTIONS: &str = "/api/{*fn_name}";
const EXPORTS: &str = "/exports/{file}";
const BI: &str = "/bi/v1/{what}";

pub fn router(state: AppState, options: RouterOptions) -> Router {
    let routes = generate_route_list(app::App);
    let leptos_options = state.leptos_options.clone();
    let pkg_dir = format!(
        "{}/{}",
        leptos_options.site_root, leptos_options.site_pkg_dir
    );
    // The build this server started with, from memory (`site_files`); the directory only for a
    // file that was not there at start.
    let site = crate::site_files::SiteFiles::load(
        std::path::Path::new(leptos_options.site_root.as_ref()),
        &leptos_options.site_pkg_dir,
    )
    .unwrap_or_else(|e| {
        tracing::warn!(error = %e, "the front end's files could not be read at start");
        crate::site_files::SiteFiles::default()
    });
    // What the pages name and carry of the build (its file names, its stylesheet), read at the
    // same moment as the files.
    site_assets(&leptos_options);
    // Hashed names never change content: cache them for a year.
    let pkg = Router::new()
        .fallback_service(ServeDir::new(pkg_dir))
        .layer(SetResponseHeaderLayer::overriding(
            CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ));
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            crate::headers::provide_page_nonce();
        }
    };
    Router::new()
        .route(HEALTHZ, get(healthz))
        .route(SERVICE_WORKER, get(service_worker))
        .route(OFFLINE_SHELL, get(offline_shell))
        .route(SCRIPTS, get(script))
        .route(
            crate::headers::CSP_REPORT_PATH,
            axum::routing::post(crate::headers::csp_report),
        )
        .route(SERVER_FUNCTIONS, get(server_fn).post(server_fn))
        .route(EXPORTS, get(crate::exports::export))
        .route(BI, get(crate::exports::bi))
        .merge(crate::files::routes(options.files.clone()))
        .nest_service(&format!("/{}", leptos_options.site_pkg_dir), pkg)
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let leptos_options = leptos_options.clone();
            move || app::shell(leptos_options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, app::shell))
        .layer(middleware::from_fn_with_state(
            options.limits.clone(),
            crate::limits::costly_per_user,
        ))
        .layer(middleware::from_fn(server_fn_status))
        .layer(middleware::from_fn(refuse_nul))
        .layer(middleware::from_fn_with_state(
            site,
            crate::site_files::serve,
        ))
        .layer(middleware::from_fn_with_state(
            (state.clone(), options.clone()),
            session,
        ))
        .layer(middleware::from_fn_with_state(
            options.clone(),
            refuse_cross_site,
        ))
        // Phones gzip what they send (uploads are what a weak link pays for); the limit applies
        // to the inflated body, so a small bomb cannot fill the memory. (Server functions are
        // routed one by one by leptos_axum, so these wrap the whole router.)
        .layer(
            tower::ServiceBuilder::new()
                .layer(RequestDecompressionLayer::new())
                .layer(RequestBodyLimitLayer::new(API_BODY_LIMIT)),
        )
        .layer(middleware::from_fn_with_state(
            options.clone(),
            crate::headers::security_headers,
        ))
        .layer(
            CompressionLayer::new()
                .br(true)
                .gzip(true)
                .quality(tower_http::CompressionLevel::Precise(5)),
        )
        // A body that goes silent is dropped; a request not answered in time is given up; beyond
        // so many at once, the server says it is busy rather than queue without end.
        .layer(RequestBodyTimeoutLayer::new(crate::limits::BODY_SILENCE))
        .layer(middleware::from_fn_with_state(
            options.limits.clone(),
            crate::limits::in_flight,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            crate::limits::ANSWER_WITHIN,
        ))
        .with_state(state)
}

/// A NUL character in a server function's arguments is refused by name (422,
/// `invisible_character` on the field), before any rule or SQL: SQLite would keep it and PostgreSQL refuse it. Sync pushes
/// and outbox files are left to the sync engine, which refuses the one mutation holding it and
/// applies the rest.
async fn refuse_nul(req: Request<Body>, next: Next) -> Response {
    let path = req.uri().path();
    if req.method() != http::Method::POST
        || !path.starts_with("/api/")
        || path.starts_with("/api/sync/")
        || path == "/api/import_outbox"
    {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, API_BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => return app_error(app::error::AppError::TooLarge),
    };
    let text = String::from_utf8_lossy(&bytes);
    let json = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let found = if json {
        app::server::input::nul_field(&text)
    } else {
        app::server::input::nul_form_field(&text)
    };
    if let Some(field) = found {
        return app_error(app::error::AppError::Invalid {
            field,
            code: "invisible_character".into(),
        });
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// An error answered as a server function answers it: its status, and itself as JSON.
pub(crate) fn app_error(error: app::error::AppError) -> Response {
    let status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::BAD_REQUEST);
    (status, Json(error)).into_response()
}

/// A server function whose arguments do not decode answers 500 from the server-function layer,
/// although the body already says what is wrong (`AppError::Invalid`). Give such answers the
/// status of the error they carry, so a bad request reads as one (4xx), not as a server fault.
async fn server_fn_status(req: Request<Body>, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let response = next.run(req).await;
    if !is_api || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // Error bodies are a few hundred bytes; a 500 bigger than this is no AppError: a bare 500.
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
    };
    if let Ok(error) = serde_json::from_slice::<app::error::AppError>(&bytes)
        && let Ok(status) = StatusCode::from_u16(error.status_code())
    {
        parts.status = status;
        // Busy for a moment (the line of sign-ins is full, the database is away): say when to
        // come back.
        if status == StatusCode::SERVICE_UNAVAILABLE {
            parts
                .headers
                .insert(http::header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

async fn server_fn(State(state): State<AppState>, req: Request<Body>) -> impl IntoResponse {
    leptos_axum::handle_server_fns_with_context(move || provide_context(state.clone()), req).await
}

/// Health for load balancers and the start-up budget: 200 with the database's state; 503 when the
/// database cannot be reached.
async fn healthz(State(state): State<AppState>) -> Response {
    let db = state.db.health().await;
    let status = if db.reachable {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = serde_json::json!({
        "status": if db.reachable { "ok" } else { "degraded" },
        "version": env!("CARGO_PKG_VERSION"),
        "build": site_assets(&state.leptos_options).build_id,
        "database": db,
    });
    (status, Json(body)).into_response()
}

async fn service_worker(State(state): State<AppState>) -> Response {
    let script = site_assets(&state.leptos_options).service_worker();
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "no-cache"),
        ],
        script,
    )
        .into_response()
}

/// The evidence script (`ui/files.js`) at this build's address; any other name is not found.
async fn script(Path(name): Path<String>) -> Response {
    if format!("/scripts/{name}") != app::ui::FILES_SCRIPT_URL {
        return StatusCode::NOT_FOUND.into_response();
    }
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        app::server::assets::FILES_SCRIPT,
    )
        .into_response()
}

async fn offline_shell(State(state): State<AppState>, req: Request<Body>) -> Response {
    let options = state.leptos_options.clone();
    // The shell's inline scripts carry the nonce of the policy it is sent with; the service
    // worker keeps the two together (it stores the whole answer).
    let nonce = req.extensions().get::<leptos::nonce::Nonce>().cloned();
    let html = Owner::new().with(|| {
        if let Some(nonce) = nonce {
            provide_context(nonce);
        }
        app::ui::offline_shell(options).to_html()
    });
    (
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, "no-cache"),
        ],
        html,
    )
        .into_response()
}

fn cookie_value(req: &Request<Body>, name: &str) -> Option<String> {
    req.headers()
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The client's address: the one the trusted proxy nearest the client appended to
/// `X-Forwarded-For` (`hops` from the right; anything left of it is the client's own words), or
/// the peer's address when Athar is not behind a proxy.
fn client_addr(req: &Request<Body>, hops: usize) -> Option<String> {
    if hops > 0 {
        let forwarded: Vec<&str> = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .collect();
        if let Some(addr) = forwarded
            .len()
            .checked_sub(hops)
            .and_then(|i| forwarded.get(i))
        {
            return Some((*addr).to_owned());
        }
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
}

/// A request that changes something (any POST: server functions, sync, sign-in; a file's
/// pieces, PATCH) must come from
/// Athar's own pages: refused (403) when the browser says it comes from another site
/// (`Sec-Fetch-Site: cross-site`) or names another origin (`Origin`), before any session is read.
/// SameSite cookies already keep a session out of such a request; this also stops a forged
/// sign-in (which needs no session) and older browsers.
async fn refuse_cross_site(
    State(options): State<RouterOptions>,
    req: Request<Body>,
    next: Next,
) -> Response {
    if !req.method().is_safe() && !same_site(&req, &options) {
        tracing::info!(path = req.uri().path(), "cross-site request refused");
        return app_error(app::error::AppError::Forbidden);
    }
    next.run(req).await
}

fn same_site(req: &Request<Body>, options: &RouterOptions) -> bool {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    if header("sec-fetch-site") == Some("cross-site") {
        return false;
    }
    let Some(origin) = header("origin") else {
        // Not sent by a browser for this request (a tool, the phone's own fetch on an older
        // engine): SameSite and the session decide.
        return true;
    };
    // `scheme://host[:port]`; an opaque origin (`null`) is nobody's.
    let Some((_, origin_host)) = origin.split_once("://") else {
        return false;
    };
    let own = |host: Option<&str>| host.is_some_and(|h| h.eq_ignore_ascii_case(origin_host));
    own(header("host"))
        || own(req.uri().authority().map(|a| a.as_str()))
        || (options.proxy_hops > 0 && own(header("x-forwarded-host")))
}

pub(crate) fn is_public_asset(path: &str) -> bool {
    path.starts_with("/pkg/")
        || path.starts_with("/icons/")
        || path.starts_with("/scripts/")
        || matches!(
            path,
            "/sw.js" | "/manifest.webmanifest" | "/healthz" | "/offline-shell" | "/csp-report"
        )
}

/// Finds the session of the request (renewing it when due) and puts a [`RequestAuth`] in the
/// request's extensions for pages and server functions.
async fn session(
    State((state, options)): State<(AppState, RouterOptions)>,
    mut req: Request<Body>,
    next: Next,
) -> Response {
    // Static files and probes never need to know who asks: spare the database a lookup per file.
    if is_public_asset(req.uri().path()) {
        return next.run(req).await;
    }
    let mut auth = RequestAuth {
        client_addr: client_addr(&req, options.proxy_hops),
        ..RequestAuth::default()
    };
    let mut set_cookie = None;
    if let Some(token) =
        cookie_value(&req, session_cookie_name(state.auth.secure_cookies)).filter(|t| !t.is_empty())
    {
        match resume_session(&state.db, &state.auth, &token).await {
            Ok(Some((user, token_hash, renewed))) => {
                auth.user = Some(user);
                auth.token_hash = Some(token_hash);
                set_cookie =
                    renewed.map(|len| session_cookie(Some(&token), len, state.auth.secure_cookies));
            }
            // Expired or unknown: remove the stale cookie.
            Ok(None) => {
                set_cookie = Some(session_cookie(
                    None,
                    time::Duration::ZERO,
                    state.auth.secure_cookies,
                ));
            }
            // Not "signed out": answering as anonymous would send a field user to the sign-in
            // page and make the app forget who is signed in on the phone. Say "try later".
            Err(e) => {
                tracing::warn!(error = %e, "cannot check the session");
                let body =
                    serde_json::to_string(&app::error::AppError::Unavailable).unwrap_or_default();
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(CONTENT_TYPE, "application/json")],
                    body,
                )
                    .into_response();
            }
        }
    }
    req.extensions_mut().insert(auth);
    let mut response = next.run(req).await;
    if let Some(cookie) = set_cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}
