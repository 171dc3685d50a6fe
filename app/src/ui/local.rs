//! Coaching visits and action items on the phone: listed on the project page from the local view
//! (so they show offline, with where each entry stands), captured in a form that saves to the
//! outbox at once.
//!
//! Everything here reads device storage, which the server cannot see: the lists and the form draw
//! after the page has started in the browser (an effect), so the server's markup and the first
//! browser render agree.

use crate::sync::outbox::LocalView;
use crate::sync::protocol::{Kind, ProjectRecord};
use crate::ui::sync::use_sync;
use leptos::prelude::*;
use uuid::Uuid;

/// The last local view read, with what it was read at. Every list of a page reads the same view,
/// and a project with a thousand visits should be parsed once per change, not once per list.
#[cfg(feature = "hydrate")]
pub(crate) struct ReadView {
    user: Uuid,
    /// [`crate::storage::record_writes`] when it was read.
    writes: u64,
    revision: u32,
    view: std::rc::Rc<LocalView>,
}

#[cfg(feature = "hydrate")]
thread_local! {
    static LAST_VIEW: std::cell::RefCell<Option<ReadView>> = const { std::cell::RefCell::new(None) };
}

/// The signed-in user's local view as the device holds it now (the browser only). `revision` is
/// the sync revision the caller saw: it moves when another tab or a sync changed storage.
pub(crate) fn local_view(user: Uuid, revision: u32) -> Option<std::rc::Rc<LocalView>> {
    #[cfg(feature = "hydrate")]
    {
        use crate::storage::record_writes;
        let fresh =
            |r: &&ReadView| r.user == user && r.writes == record_writes() && r.revision == revision;
        if let Some(view) =
            LAST_VIEW.with_borrow(|c| c.as_ref().filter(fresh).map(|r| r.view.clone()))
        {
            return Some(view);
        }
        let view = std::rc::Rc::new(
            LocalView::load(
                &crate::storage::BrowserStore,
                &crate::storage::durable::Outbox,
                user,
            )
            .ok()?,
        );
        LAST_VIEW.set(Some(ReadView {
            user,
            writes: record_writes(),
            revision,
            view: view.clone(),
        }));
        Some(view)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (user, revision);
        None
    }
}

/// Reads `user`'s view once a sync is done, before the pages do, a slice of records at a time
/// with the page free between slices, and keeps it for the revision the end of the sync makes
/// (`revision` plus one): the pages then draw from it at once. After a first pull, reading
/// hundreds of records in one go held the page for tens of milliseconds. Nothing is read when no
/// page of this tab has read `user`'s view (a page that shows none of the phone's records).
///
/// Runs under the sync's lock, so the pulled records it reads cannot change meanwhile (only a
/// sync writes them); the outbox is read last, in the same task that keeps the view. A revision
/// that moved meanwhile (another tab) leaves the pages to read the view themselves.
#[cfg(feature = "hydrate")]
pub(crate) async fn read_ahead(user: Uuid, revision: RwSignal<u32>) {
    use crate::storage::{BrowserStore, durable::Outbox, record_writes};
    use crate::sync::outbox::ViewReading;
    /// Records decoded in one go (the page gets its turn between slices).
    const SLICE: usize = 10;
    if !LAST_VIEW.with_borrow(|c| c.as_ref().is_some_and(|r| r.user == user)) {
        return;
    }
    let seen = revision.get_untracked();
    let Ok(mut reading) = ViewReading::start(&BrowserStore, user) else {
        return;
    };
    let mut turns = crate::ui::platform::Turns::start();
    loop {
        turns.between_slices().await;
        if reading.decode(SLICE) {
            break;
        }
    }
    if revision.get_untracked() != seen {
        return;
    }
    let Ok(view) = reading.finish(&Outbox) else {
        return;
    };
    LAST_VIEW.set(Some(ReadView {
        user,
        writes: record_writes(),
        revision: seen.wrapping_add(1),
        view: std::rc::Rc::new(view),
    }));
}

/// True once the page runs in the browser: what reads device storage draws from then on, so the
/// server's markup and the first browser render agree.
pub(crate) fn mounted() -> RwSignal<bool> {
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    mounted
}

/// A value read from the local view, again whenever the device's data changes; `None` until the
/// page runs in the browser. What draws from it draws again only when the value itself changed:
/// a sync that leaves it as it was (most of them) redraws nothing, and a form drawn from it keeps
/// what is being typed.
pub(crate) fn from_view<T>(
    user: Uuid,
    read: impl Fn(&LocalView) -> T + Send + Sync + 'static,
) -> impl Fn() -> Option<T> + Copy
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let sync = use_sync();
    let mounted = mounted();
    let value = Memo::new(move |_| {
        if !mounted.get() {
            return None;
        }
        local_view(user, sync.revision.get()).map(|view| read(&view))
    });
    move || value.get()
}

/// What a capture form starts from: the project's title, and the record of kind `K` being edited
/// when there is one. Read once when the page starts in the browser (`None` before), so the form
/// keeps what is being typed while the phone syncs.
pub(crate) fn form_start<K: Kind + Clone>(
    user: Uuid,
    project: Uuid,
    record: Option<Uuid>,
) -> impl Fn() -> Option<(String, Option<K>)> {
    let sync = use_sync();
    let mounted = mounted();
    move || {
        if !mounted.get() {
            return None;
        }
        let view = local_view(user, sync.revision.get_untracked())?;
        let title = view
            .get::<ProjectRecord>(project)
            .map(|p| p.title.clone())
            .unwrap_or_default();
        Some((title, record.and_then(|id| view.get::<K>(id).cloned())))
    }
}
