//! Sync in the browser: when it runs, what the header shows, and how a form saves.
//!
//! Saving is local and instant ([`save`]): a mutation in the outbox, nothing on the network.
//! The engine sends what waits and pulls what changed: on start, when the browser comes back
//! online, after each save, on *Sync now*, and on a timer that backs off (with jitter, capped at
//! five minutes) while the server cannot be reached. One sync at a time across all tabs (a Web
//! Lock); another tab's work shows here through the `storage` event.
//!
//! Acknowledged mutations are dropped only after the pull that follows, so an entry never
//! disappears from the phone before the server's copy has come back to it.

use crate::error::AppError;
use leptos::prelude::*;

/// Where sync stands, as the header shows it. One value in one signal: every signal type costs
/// code in the WASM.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SyncStatus {
    /// Entries waiting on this phone; `None` until the browser has read them (the server cannot
    /// know what waits on a phone).
    pub pending: Option<u32>,
    /// Entries the server refused that still need attention (see `outbox::refused_count`).
    pub attention: u32,
    pub running: bool,
    /// (sent, total) while a sync runs.
    pub progress: Option<(u32, u32)>,
    /// Evidence files still to send, in words ("3 fichiers, 0,2 sur 0,3 Mo envoyés"), as the
    /// sync chunk wrote them (their words stay out of the code a cold start downloads); `None`
    /// when none wait.
    pub files: Option<String>,
    /// How many files wait, and their bytes, as the last sync counted them (for the heartbeat).
    pub files_waiting: (u32, u64),
    /// `(bytes used, bytes allowed)` by the browser for Athar, as the last sync read them.
    pub storage: Option<(u64, u64)>,
    /// Said while that is four fifths full, in words the sync chunk wrote.
    pub storage_warning: Option<String>,
    /// Unix ms of the last sync that went through.
    pub last_success: Option<i64>,
    pub error: Option<AppError>,
    /// The browser's answer to the request for persistent storage.
    pub persistent: Option<bool>,
    /// The current time, ticking every 30 s, for "3 min ago".
    pub now: i64,
}

/// An entry the server refused, as the home page lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct Attention {
    /// What it is ("Visit of 03/12/2026").
    pub what: String,
    /// The project's title, if the phone knows it.
    pub project: Option<String>,
    /// Why it was refused, in words.
    pub reason: String,
    /// Where to fix it.
    pub href: String,
}

/// Sync state shared by the pages of the app.
#[derive(Clone, Copy)]
pub struct SyncHandle {
    pub status: RwSignal<SyncStatus>,
    /// Whose data this tab syncs: the signed-in user, as the pages learn it.
    pub user: RwSignal<Option<uuid::Uuid>>,
    /// Bumped whenever the device's data changed (a save, a pull, another tab): views re-read it.
    pub revision: RwSignal<u32>,
    /// A message for the next page (e.g. "Saved on this phone").
    pub flash: RwSignal<Option<String>>,
    /// The app's language, for what the sync chunk writes in the header.
    pub i18n: leptos_i18n::I18nContext<crate::i18n::Locale>,
}

/// Creates the sync state for the app and, in the browser, starts the engine.
pub fn provide_sync() -> SyncHandle {
    let handle = SyncHandle {
        status: RwSignal::new(SyncStatus::default()),
        user: RwSignal::new(None),
        revision: RwSignal::new(0),
        flash: RwSignal::new(None),
        i18n: crate::i18n::use_i18n(),
    };
    provide_context(handle);
    #[cfg(feature = "hydrate")]
    engine::start(handle);
    handle
}

pub fn use_sync() -> SyncHandle {
    expect_context::<SyncHandle>()
}

impl SyncHandle {
    /// Called by every page that knows the signed-in user (in the browser): the first time, or
    /// when the user changes, the counts are read and a sync starts.
    pub fn signed_in(self, user: uuid::Uuid) {
        if self.user.get_untracked() == Some(user) {
            return;
        }
        self.user.set(Some(user));
        #[cfg(feature = "hydrate")]
        {
            engine::refresh(self, user);
            self.kick();
        }
    }

    /// *Export my unsent entries*: downloads a file of the signed-in user's waiting entries on
    /// this phone, which the team can import if the phone cannot reach the server. The entries
    /// stay on the phone and still sync.
    pub fn export_unsent(self) {
        #[cfg(feature = "hydrate")]
        if let Some(user) = self.user.get_untracked() {
            leptos::task::spawn_local(async move {
                if let Err(e) = engine::export_chunk(user, self).await {
                    self.status.update(|s| s.error = Some(e));
                }
            });
        }
    }

    /// The export of every user's waiting entries on this device, for a phone whose account was
    /// disabled: `done` gets how many files were downloaded.
    pub fn export_device_unsent(self, done: RwSignal<Option<Result<usize, AppError>>>) {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            done.set(Some(engine::export_device_chunk(self).await));
        });
        let _ = done;
    }

    /// After a save: the counts and lists are read again, and a sync is asked for. (Not part of
    /// the save itself, so "saved" shows first.)
    pub fn saved(self, user: uuid::Uuid) {
        #[cfg(feature = "hydrate")]
        engine::refresh(self, user);
        let _ = user;
        self.kick();
    }

    /// The cards of the projects on this phone that `listed` lacks (registered here and not sent
    /// yet, or pulled since the list was stored), named from the kept choice lists, with
    /// `facilitator` as their facilitator. Read in the sync chunk, which holds the local view.
    pub async fn unlisted_projects(
        self,
        user: uuid::Uuid,
        facilitator: String,
        listed: crate::ui::data::Lazy<Vec<crate::domain::ProjectCard>>,
    ) -> Vec<crate::domain::ProjectCard> {
        #[cfg(feature = "hydrate")]
        {
            engine::sync_module().await;
            // Not in the task that drew the page or the day: the cards go in one of their own.
            crate::ui::platform::next_task().await;
            let revision = self.revision.get_untracked();
            let listed = listed.get().iter().map(|c| c.id).collect();
            engine::unlisted_chunk(user, revision, facilitator, listed)
                .await
                .unwrap_or_default()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (user, facilitator, listed);
            Vec::new()
        }
    }

    /// Keeps the pages of `projects` (and the choice lists registering a project needs) on this
    /// device, fetched in the background by the sync chunk.
    pub fn keep_projects_offline(
        self,
        user: uuid::Uuid,
        projects: crate::ui::data::Lazy<Vec<crate::domain::ProjectCard>>,
    ) {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            engine::sync_module().await;
            let projects = projects.get().iter().map(|c| c.id).collect();
            if let Ok(keeping) = engine::keep_projects_chunk(user, projects).await {
                keeping.await;
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (user, projects);
    }

    /// Asks for a sync now (it runs once the current one, if any, is done).
    pub fn kick(self) {
        #[cfg(feature = "hydrate")]
        engine::schedule(self, 0);
    }
}

/// Saves prepared mutations on this phone for the signed-in user, in order and in one
/// transaction; resolves once they are on disk (an IndexedDB transaction with strict durability
/// has completed): only then may the form say *saved*. Call [`SyncHandle::saved`] once the form
/// has said so. The form's draft (its key), if it kept one, goes in the same transaction.
#[cfg(feature = "hydrate")]
pub async fn save(
    user: uuid::Uuid,
    prepared: Vec<crate::sync::outbox::Prepared>,
    draft: Option<String>,
) -> Result<Vec<u64>, crate::sync::outbox::SaveError> {
    use crate::sync::outbox::Outbox;
    let slot = crate::ui::platform::slot().await;
    let now = crate::ui::platform::now_ms();
    crate::storage::durable::write(|kv| {
        let mut outbox = Outbox::open(kv, user, slot, crate::ui::platform::new_id())?;
        let seqs = prepared
            .into_iter()
            .map(|p| outbox.save_prepared(p, now))
            .collect();
        if let Some(key) = &draft {
            crate::storage::KeyValue::remove(kv, key)?;
        }
        seqs
    })
    .await
}

#[cfg(feature = "hydrate")]
pub(crate) mod engine;
