//! The headers every answer carries: a Content-Security-Policy (a fresh nonce per page for its
//! inline scripts, no `unsafe-inline` for scripts), no sniffing, no framing, no referrer to other
//! sites, HSTS when Athar serves TLS itself, and `Cache-Control: no-store` on whatever may carry
//! personal data. Plus the endpoint where browsers report what the policy blocked.

use crate::routes::RouterOptions;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY,
    STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use http::{HeaderName, HeaderValue, StatusCode};
use leptos::nonce::Nonce;

/// Where browsers send the reports of what the policy blocked.
pub const CSP_REPORT_PATH: &str = "/csp-report";

/// A page's policy. Scripts: Athar's own files and the inline scripts carrying this response's
/// nonce (the hydration loader, the platform helpers, the service worker's registration, the
/// resources serialized for hydration); WebAssembly may compile. Styles may be inline (the page's
/// stylesheet in its head, `style` attributes); nothing is loaded from another origin, and no
/// other site may frame a page.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; \
         worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'; report-uri {CSP_REPORT_PATH}"
    )
}

/// Answers that are no documents (JSON, CSV, workbooks): nothing in them may run or be framed.
const DATA_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; sandbox";

/// Gives the request a nonce for its page (read by `provide_page_nonce`) and the answer its
/// security headers.
pub async fn security_headers(
    State(options): State<RouterOptions>,
    mut req: Request<Body>,
    next: Next,
) -> Response {
    let nonce = Nonce::new();
    req.extensions_mut().insert(nonce.clone());
    let public = crate::routes::is_public_asset(req.uri().path());
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let policy = if content_type.starts_with("text/html") {
        HeaderValue::from_str(&page_policy(&nonce)).ok()
    } else if content_type.contains("javascript") {
        // A worker script's policy would bind the service worker's own fetches: none here.
        None
    } else {
        Some(HeaderValue::from_static(DATA_POLICY))
    };
    if let Some(policy) = policy {
        headers.insert(CONTENT_SECURITY_POLICY, policy);
    }
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    if options.hsts {
        headers.insert(
            STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    // Pages are drawn with the reader's data, and server functions, exports and BI answer with
    // it: no cache (the browser's, a proxy's) keeps a copy. Build files and the shell say their
    // own caching.
    if !public && !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Called in every page's rendering context: the page's inline scripts carry the nonce its
/// `Content-Security-Policy` names.
pub fn provide_page_nonce() {
    use leptos::prelude::{provide_context, use_context};
    if let Some(nonce) = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Nonce>().cloned())
    {
        provide_context(nonce);
    }
}

/// The largest report read: a violation report is a few hundred bytes.
const REPORT_LIMIT: usize = 8 * 1024;

/// A browser's report of something the policy blocked: written to the log (a page of Athar that
/// breaks its own policy is a bug to fix; anything else is someone trying).
pub async fn csp_report(req: Request<Body>) -> Response {
    let bytes = match axum::body::to_bytes(req.into_body(), REPORT_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    };
    let report: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let report = report.get("csp-report").unwrap_or(&report);
    let field = |name: &str| {
        report
            .get(name)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .chars()
            .take(200)
            .collect::<String>()
    };
    tracing::warn!(
        page = field("document-uri"),
        directive = field("violated-directive"),
        blocked = field("blocked-uri"),
        sample = field("script-sample"),
        "content security policy violation"
    );
    StatusCode::NO_CONTENT.into_response()
}
