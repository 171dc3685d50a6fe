//! The WASM's side of `files.js`: evidence kept on this phone and sent to the server.
//!
//! The script is loaded on first use (a form with attachments, a sync with files to send), from
//! an address that changes with its content ([`crate::ui::FILES_SCRIPT_URL`]); the service
//! worker keeps it, so it loads offline too. Only the pages' chunks and the sync chunk call
//! this: the code a cold start downloads does not carry it.

use crate::domain::evidence::{Evidence, Media};
use crate::error::AppError;
use js_sys::Promise;
use serde::Deserialize;
use uuid::Uuid;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["athar", "files"], js_name = take)]
    fn js_take(input: &str, user: &str) -> Promise;
    #[wasm_bindgen(js_namespace = ["athar", "files"], js_name = url)]
    fn js_url(sha256: &str) -> Promise;
    #[wasm_bindgen(js_namespace = ["athar", "files"], js_name = list)]
    fn js_list(user: &str) -> Promise;
    #[wasm_bindgen(js_namespace = ["athar", "files"], js_name = remove)]
    fn js_remove(shas: &str) -> Promise;
    #[wasm_bindgen(js_namespace = ["athar", "files"], js_name = send)]
    fn js_send(sha256: &str, progress: &js_sys::Function) -> Promise;
    #[wasm_bindgen(js_namespace = ["athar", "files"], js_name = estimate)]
    fn js_estimate() -> Promise;
}

thread_local! {
    static LOADING: std::cell::RefCell<Option<Promise>> = const { std::cell::RefCell::new(None) };
}

/// Loads `files.js` once per page; a failed load is tried again on the next call.
async fn script() -> Result<(), AppError> {
    let promise = LOADING.with_borrow_mut(|loading| {
        loading
            .get_or_insert_with(|| {
                Promise::new(&mut |resolve, reject| {
                    let document = leptos::prelude::document();
                    let Ok(script) = document.create_element("script") else {
                        let _ = reject.call0(&JsValue::NULL);
                        return;
                    };
                    let _ = script.set_attribute("src", crate::ui::FILES_SCRIPT_URL);
                    let _ = script.add_event_listener_with_callback("load", &resolve);
                    let _ = script.add_event_listener_with_callback("error", &reject);
                    if let Some(head) = document.head() {
                        let _ = head.append_child(&script);
                    }
                })
            })
            .clone()
    });
    if JsFuture::from(promise).await.is_err() {
        LOADING.with_borrow_mut(|loading| *loading = None);
        return Err(AppError::Network("the evidence script did not load".into()));
    }
    Ok(())
}

fn code(e: JsValue) -> String {
    e.as_string().unwrap_or_else(|| "unreadable".into())
}

async fn text(promise: Promise) -> Result<String, String> {
    let value = JsFuture::from(promise).await.map_err(code)?;
    Ok(value.as_string().unwrap_or_default())
}

/// One file chosen in a form: kept on this phone under its SHA-256, or not kept and why.
#[derive(Clone, Debug, Deserialize)]
pub struct Taken {
    /// The file's name on the phone, to say which one was not kept.
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub sha256: String,
    #[serde(default)]
    pub bytes: u64,
    #[serde(default)]
    pub media: Option<Media>,
    /// `not_allowed_type`, `too_large`, `unreadable`, or a storage error's name
    /// (`QuotaExceededError`).
    #[serde(default)]
    pub error: Option<String>,
}

impl Taken {
    pub fn evidence(&self) -> Option<Evidence> {
        Some(Evidence {
            sha256: self.sha256.clone(),
            bytes: self.bytes,
            media: self.media?,
            caption: String::new(),
            people_agreed: false,
        })
        .filter(|_| self.error.is_none())
    }
}

/// Keeps the files chosen in the file input `input` for `user`: pictures resized and re-encoded,
/// each on disk before this returns.
pub async fn take(input: &str, user: Uuid) -> Result<Vec<Taken>, AppError> {
    script().await?;
    let json = text(js_take(input, &user.to_string()))
        .await
        .map_err(|_| AppError::Internal)?;
    serde_json::from_str(&json).map_err(|_| AppError::Internal)
}

/// An address showing the file as kept on this phone; `None` when it is not kept here.
pub async fn local_url(sha256: &str) -> Option<String> {
    script().await.ok()?;
    JsFuture::from(js_url(sha256)).await.ok()?.as_string()
}

/// A file kept on this phone for a user.
#[derive(Clone, Debug, PartialEq)]
pub struct Kept {
    pub sha256: String,
    pub bytes: u64,
    /// When it was taken (Unix ms).
    pub at: i64,
}

/// The files kept on this phone for `user`.
pub async fn kept(user: Uuid) -> Result<Vec<Kept>, AppError> {
    script().await?;
    let json = text(js_list(&user.to_string()))
        .await
        .map_err(|_| AppError::Internal)?;
    let rows: Vec<(String, u64, f64)> =
        serde_json::from_str(&json).map_err(|_| AppError::Internal)?;
    Ok(rows
        .into_iter()
        .map(|(sha256, bytes, at)| Kept {
            sha256,
            bytes,
            at: at as i64,
        })
        .collect())
}

/// Forgets files kept on this phone.
pub async fn forget(shas: &[String]) -> Result<(), AppError> {
    if shas.is_empty() {
        return Ok(());
    }
    script().await?;
    let json = serde_json::to_string(shas).map_err(|_| AppError::Internal)?;
    text(js_remove(&json))
        .await
        .map(|_| ())
        .map_err(|_| AppError::Internal)
}

/// What sending a kept file came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sent {
    /// The server holds all of it.
    Held,
    /// No entry on the server names it for this user (not sent yet, or no longer named).
    Unknown,
    /// This phone does not keep it.
    Gone,
    /// The server refused it (its kind, its size, or its bytes).
    Refused,
}

/// Sends what the server lacks of a kept file, telling `progress` how many bytes it holds after
/// each piece. A network failure is an error: the rest waits for the next sync.
pub async fn send(sha256: &str, progress: impl Fn(u64) + 'static) -> Result<Sent, AppError> {
    script().await?;
    let callback = Closure::<dyn Fn(f64)>::new(move |at: f64| progress(at as u64));
    let result = text(js_send(sha256, callback.as_ref().unchecked_ref())).await;
    drop(callback);
    match result.as_deref() {
        Ok("held") => Ok(Sent::Held),
        Ok("unknown") => Ok(Sent::Unknown),
        Ok("gone") => Ok(Sent::Gone),
        // The server is down or overloaded: like a dropped link, the next sync goes on.
        Err(e) if e.starts_with("refused:5") => Err(AppError::Network(e.to_owned())),
        Err(e) if e.starts_with("refused:") => Ok(Sent::Refused),
        _ => Err(AppError::Network("file upload".into())),
    }
}

/// `(bytes used, bytes allowed)` by the browser for Athar, when it says.
pub async fn estimate() -> Option<(u64, u64)> {
    script().await.ok()?;
    let pair: js_sys::Array = JsFuture::from(js_estimate()).await.ok()?.dyn_into().ok()?;
    Some((pair.get(0).as_f64()? as u64, pair.get(1).as_f64()? as u64))
}
