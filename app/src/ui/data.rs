//! Page data with an offline fallback.
//!
//! Online, a page asks the server and the answer is also stored on the device (in an effect, so it
//! happens after hydration too). When the request cannot reach the server, the page is drawn from
//! what was stored at the last online visit, and says so.

use crate::domain::SessionUser;
use crate::error::AppError;
use crate::storage::Key;
use leptos::prelude::Resource;
use leptos::server::codee::{Decoder, Encoder};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// How a page's data travels inside the page, from the server's render to the browser's: JSON,
/// decoded from its bytes, as server functions' answers are. Leptos' default decodes it as text;
/// `serde_json` then holds two decoders of each type in the WASM, one per way it arrives.
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(text: &str) -> Result<T, serde_json::Error> {
        serde_json::from_slice(text.as_bytes())
    }
}

/// Data sent with a page that the browser does not need while it hydrates it (the project list,
/// which the page keeps as the server drew it): kept as the JSON it came in and decoded the
/// first time it is read, once for every copy. Stored on the device as that same JSON.
pub struct Lazy<T> {
    raw: std::sync::Arc<serde_json::value::RawValue>,
    /// Once read: the value, and whether `raw` could be read as one.
    value: std::sync::Arc<std::sync::OnceLock<(T, bool)>>,
}

impl<T: Serialize> Lazy<T> {
    pub fn new(value: T) -> Result<Self, AppError> {
        let raw = serde_json::value::to_raw_value(&value).map_err(|_| AppError::Internal)?;
        Ok(Lazy {
            raw: raw.into(),
            value: std::sync::Arc::new((value, true).into()),
        })
    }
}

impl<T: DeserializeOwned + Default> Lazy<T> {
    /// The value, decoded now if it was not yet (the default if what came cannot be read as a
    /// `T`: see [`Lazy::readable`]).
    pub fn get(&self) -> &T {
        &self.decoded().0
    }

    /// Whether what came reads as a `T` (a copy on the device kept by another version of the
    /// app may not): decodes it now if it was not yet.
    pub fn readable(&self) -> bool {
        self.decoded().1
    }

    fn decoded(&self) -> &(T, bool) {
        self.value
            .get_or_init(|| match serde_json::from_slice(self.raw.get().as_bytes()) {
                Ok(value) => (value, true),
                Err(e) => {
                    leptos::logging::warn!("page data: {e}");
                    (T::default(), false)
                }
            })
    }
}

impl<T> Clone for Lazy<T> {
    fn clone(&self) -> Self {
        Lazy {
            raw: self.raw.clone(),
            value: self.value.clone(),
        }
    }
}

impl<T> PartialEq for Lazy<T> {
    fn eq(&self, other: &Self) -> bool {
        self.raw.get() == other.raw.get()
    }
}

impl<T> std::fmt::Debug for Lazy<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.raw.get())
    }
}

impl<T> Serialize for Lazy<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.raw.serialize(serializer)
    }
}

impl<'de, T> Deserialize<'de> for Lazy<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<serde_json::value::RawValue>::deserialize(deserializer)?;
        Ok(Lazy {
            raw: raw.into(),
            value: std::sync::Arc::new(std::sync::OnceLock::new()),
        })
    }
}

/// A page's data (see [`Json`]): fetched by the server as it renders the page, sent with it, and
/// fetched again by the browser whenever `source` changes.
pub fn resource<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Resource<T, Json>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: PartialEq + Clone + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

/// Where a page's data came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    Server,
    /// Stored on this device at the last online visit.
    Device,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Loaded<T> {
    pub value: T,
    pub source: Source,
}

/// The signed-in user: from the server, or offline from the identity this device remembers.
/// When the server says nobody is signed in, whoever the device remembered is forgotten
/// ([`session_ended`]). Offline with nobody remembered, nobody is signed in.
pub async fn load_user() -> Result<Option<Loaded<SessionUser>>, AppError> {
    match crate::api::current_user().await {
        Ok(None) => {
            session_ended();
            Ok(None)
        }
        Ok(user) => Ok(user.map(|value| Loaded {
            value,
            source: Source::Server,
        })),
        // Offline: whoever this device remembers; nobody (the sign-in page) if it remembers
        // no one, or forgot them when the server ended their session.
        Err(AppError::Network(_)) => Ok(offline_identity().flatten()),
        Err(e) => Err(e),
    }
}

/// The server ended the session of the user this device remembers (signed out elsewhere, account
/// disabled, expired): nothing of theirs stays readable here, and the app no longer opens offline
/// as them. Their unsent entries stay under their id, shown to nobody else, and go when they
/// sign in again (`storage::forget_user`).
pub fn session_ended() {
    #[cfg(feature = "hydrate")]
    {
        let device = crate::storage::device();
        if let Some(user) = device.identity()
            && let Err(e) = device.forget_user(user.id)
        {
            leptos::logging::warn!("device storage: {e}");
        }
    }
}

#[cfg(feature = "hydrate")]
fn offline_identity() -> Option<Option<Loaded<SessionUser>>> {
    crate::storage::device().identity().map(|value| {
        Some(Loaded {
            value,
            source: Source::Device,
        })
    })
}

#[cfg(not(feature = "hydrate"))]
fn offline_identity() -> Option<Option<Loaded<SessionUser>>> {
    None
}

/// Calls the server; on a network failure reads `key` from the device instead.
pub async fn with_fallback<T, F>(fetch: F, key: Option<Key>) -> Result<Loaded<T>, AppError>
where
    T: serde::de::DeserializeOwned,
    F: std::future::Future<Output = Result<T, AppError>>,
{
    match fetch.await {
        Ok(value) => Ok(Loaded {
            value,
            source: Source::Server,
        }),
        Err(AppError::Network(e)) => read_device(key).ok_or(AppError::Network(e)),
        Err(e) => {
            // The page may draw the phone's copy later, but the server's answer is this error.
            e.answer_page();
            Err(e)
        }
    }
}

#[cfg(feature = "hydrate")]
fn read_device<T: serde::de::DeserializeOwned>(key: Option<Key>) -> Option<Loaded<T>> {
    let value = crate::storage::device().get(&key?).ok().flatten()?;
    Some(Loaded {
        value,
        source: Source::Device,
    })
}

#[cfg(not(feature = "hydrate"))]
fn read_device<T>(_key: Option<Key>) -> Option<Loaded<T>> {
    None
}

/// Stores fresh server data on the device; a failure is returned for the page to show.
pub fn remember<T: Serialize>(
    key: &Key,
    loaded: &Loaded<T>,
) -> Result<(), crate::storage::StorageError> {
    #[cfg(feature = "hydrate")]
    if loaded.source == Source::Server {
        let device = crate::storage::device();
        // A user's page that arrives after they signed out (a background fetch still on the
        // wire) is not kept: signing out leaves nothing of theirs on a shared phone.
        let owner = match key {
            Key::Identity | Key::Forms | Key::FormsSeen | Key::Indicators => None,
            Key::Projects { user } | Key::Project { user, .. } | Key::Registry { user } => {
                Some(*user)
            }
        };
        if let Some(owner) = owner {
            let signed_in = device.get::<SessionUser>(&Key::Identity).ok().flatten();
            if signed_in.is_none_or(|u| u.id != owner) {
                return Ok(());
            }
        }
        return device.put(key, &loaded.value);
    }
    let _ = (key, loaded);
    Ok(())
}

/// Keeps (or forgets) the identity of the signed-in user on this device.
pub fn remember_user(user: &Result<Option<Loaded<SessionUser>>, AppError>) {
    #[cfg(feature = "hydrate")]
    {
        let device = crate::storage::device();
        match user {
            Ok(Some(Loaded {
                value,
                source: Source::Server,
            })) => {
                if let Err(e) = device.put(&Key::Identity, value) {
                    leptos::logging::warn!("device storage: {e}");
                }
            }
            // The server says nobody is signed in: forget who was, and their cached data.
            Ok(None) => session_ended(),
            _ => {}
        }
    }
    let _ = user;
}

/// Fetches each project page and stores it on the device, one after the other (a weak link
/// carries one small request at a time better than many). Failures are skipped: the page is then
/// kept the next time it is opened online.
#[cfg(feature = "hydrate")]
pub async fn keep_projects_offline(user: uuid::Uuid, projects: Vec<uuid::Uuid>) {
    // First what registering a project needs (value chains, localities), so it works offline.
    if let Ok(choices) = crate::api::registry_choices().await {
        // Decoded in the task the answer arrived in; encoded and stored in the next (below too).
        crate::ui::platform::next_task().await;
        let loaded = Loaded {
            value: choices,
            source: Source::Server,
        };
        if remember(&Key::Registry { user }, &loaded).is_err() {
            return;
        }
    }
    for project in projects {
        if let Ok(detail) = crate::api::get_project(project).await {
            crate::ui::platform::next_task().await;
            let loaded = Loaded {
                value: detail,
                source: Source::Server,
            };
            if remember(&Key::Project { user, project }, &loaded).is_err() {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Lazy;

    #[test]
    fn data_decoded_when_read_travels_and_is_kept_as_it_came() {
        let cards = vec![(1u32, "Telmine".to_owned()), (2, "Douz".to_owned())];
        let sent = serde_json::to_string(&Lazy::new(cards.clone()).expect("lazy")).expect("json");
        assert_eq!(sent, serde_json::to_string(&cards).expect("json"));
        // What the browser receives: kept as text until read, then the same value for every copy.
        let received: Lazy<Vec<(u32, String)>> = serde_json::from_str(&sent).expect("received");
        let copy = received.clone();
        assert_eq!(received.get(), &cards);
        assert!(std::ptr::eq(received.get(), copy.get()), "decoded once");
        // Stored on the device as it came.
        assert_eq!(serde_json::to_string(&copy).expect("json"), sent);
        assert!(received.readable());
        // A copy kept by another version, in another shape: said, and read as nothing.
        let other: Lazy<Vec<(u32, String)>> =
            serde_json::from_str(r#"{"cards":[]}"#).expect("still JSON");
        assert!(!other.readable());
        assert!(other.get().is_empty());
        assert!(serde_json::from_str::<Lazy<Vec<u32>>>("[1,").is_err());
    }
}
