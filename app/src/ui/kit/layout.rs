//! The frame of every page: skip link, header (name, connection, language, user), main.

use crate::domain::{Role, SessionUser};
use crate::i18n::*;
use crate::ui::data::Loaded;
use crate::ui::data::Source;
use crate::ui::kit::post_form::PostForm;
use crate::ui::sync::use_sync;
use crate::ui::text;
use leptos::prelude::*;

/// Whether the browser says it is online. Starts "online" (as the server renders it) and follows
/// the browser's `online`/`offline` events once hydrated.
pub fn use_online() -> ReadSignal<bool> {
    let (online, set_online) = signal(true);
    #[cfg(feature = "hydrate")]
    {
        Effect::new(move |_| {
            set_online.set(window().navigator().on_line());
        });
        let on = window_event_listener(leptos::ev::online, move |_| set_online.set(true));
        let off = window_event_listener(leptos::ev::offline, move |_| set_online.set(false));
        on_cleanup(move || {
            on.remove();
            off.remove();
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = set_online;
    online
}

#[component]
pub fn ConnectionBadge() -> impl IntoView {
    let i18n = use_i18n();
    let online = use_online();
    view! {
        <p class="badge" class:offline=move || !online.get() role="status" aria-live="polite">
            <span aria-hidden="true">{move || if online.get() { "●" } else { "○" }}</span>
            " "
            {move || if online.get() { t_string!(i18n, online) } else { t_string!(i18n, offline) }}
        </p>
    }
}

/// The cookie the server reads to render in the chosen language (leptos_i18n's name for it).
pub const LANGUAGE_COOKIE: &str = "i18n_pref_locale";

/// Saves the choice and reloads the page in that language. Pages render their words once, not as
/// reactive text (a reactive binding per string cost tens of kilobytes of WASM on every phone);
/// the server (or, offline, the shell) renders the reloaded page in the chosen language.
pub(crate) fn choose_language(locale: Locale) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(doc) = document().dyn_ref::<web_sys::HtmlDocument>() {
            let cookie = format!(
                "{LANGUAGE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
                locale.as_str()
            );
            let _ = doc.set_cookie(&cookie);
        }
        let _ = window().location().reload();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = locale;
}

#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let choices = [
        (Locale::fr, "Français"),
        (Locale::ar, "العربية"),
        (Locale::en, "English"),
    ];
    view! {
        <nav class="languages" aria-label=t_string!(i18n, language)>
            {choices
                .into_iter()
                .map(|(locale, label)| {
                    let lang = locale.as_str();
                    view! {
                        <button
                            type="button"
                            lang=lang
                            aria-pressed=(i18n.get_locale_untracked() == locale).to_string()
                            on:click=move |_| choose_language(locale)
                        >
                            {label}
                        </button>
                    }
                })
                .collect_view()}
        </nav>
    }
}

#[component]
pub(crate) fn SignOut(user: SessionUser) -> impl IntoView {
    let i18n = use_i18n();
    let logout = ServerAction::<crate::api::Logout>::new();
    let user_id = user.id;
    // On a shared phone, signing out removes this user's cached data from the device first, so
    // nothing of theirs stays even if the server cannot be reached.
    let sync = use_sync();
    let forget = move |ev: leptos::ev::MouseEvent| {
        // Entries not sent yet stay on the phone for their author (see `storage::forget_user`),
        // but they are safest on the server: say so, and let the user sync first.
        #[cfg(feature = "hydrate")]
        if let Some(n) = sync.status.with_untracked(|s| s.pending).filter(|n| *n > 0) {
            let message = t_string!(i18n, sign_out_unsent, count = n).to_string();
            if !window().confirm_with_message(&message).unwrap_or(true) {
                ev.prevent_default();
                sync.kick();
                return;
            }
        }
        let _ = &ev;
        // This tab stops syncing for them at once.
        sync.user.set(None);
        #[cfg(feature = "hydrate")]
        if let Err(e) = crate::storage::device().forget_user(user_id) {
            leptos::logging::warn!("device storage: {e}");
        }
        let _ = user_id;
    };
    view! {
        <PostForm action=logout read=|_| crate::api::Logout {} class="sign-out">
            <button type="submit" on:click=forget>
                {t_string!(i18n, sign_out)}
            </button>
        </PostForm>
    }
}

/// The page frame. `user` is the signed-in user if the page knows one; `demo` says the site holds
/// demo data where no user does (the sign-in page).
#[component]
pub fn Frame(
    #[prop(optional)] user: Option<SessionUser>,
    #[prop(optional)] source: Option<Source>,
    #[prop(optional, into)] demo: Option<Signal<bool>>,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let user_demo = user.as_ref().is_some_and(|u| u.demo);
    let demo = move || user_demo || demo.is_some_and(|d| d.get());
    let demo_band = move || {
        demo().then(|| {
            view! { <p class="demo-band" role="note">{t_string!(i18n, demo_band)}</p> }
        })
    };
    let sync = use_sync();
    // A message left by the previous page ("Saved on this phone") is shown once, here.
    let flash = sync.flash.get_untracked();
    if flash.is_some() {
        sync.flash.set(None);
    }
    let has_user = user.is_some();
    if let Some(id) = user.as_ref().map(|u| u.id) {
        Effect::new(move |_| sync.signed_in(id));
    }
    let who = user.clone().map(|u| {
        let role = u.role;
        let reviews = matches!(role, Role::Supervisor | Role::Team);
        view! {
            {reviews.then(|| view! {
                <nav class="tools" aria-label=t_string!(i18n, nav_tools)>
                    <a href="/review">{t_string!(i18n, nav_review)}</a>
                    <a href="/conflicts">{t_string!(i18n, nav_conflicts)}</a>
                    <a href="/dashboard">{t_string!(i18n, nav_dashboard)}</a>
                    {(role == Role::Team).then(|| view! {
                        <a href="/devices">{t_string!(i18n, nav_devices)}</a>
                        <a href="/forms">{t_string!(i18n, nav_forms)}</a>
                        <a href="/catalogue">{t_string!(i18n, nav_catalogue)}</a>
                        <a href="/settings">{t_string!(i18n, nav_settings)}</a>
                        <a href="/people">{t_string!(i18n, nav_people)}</a>
                        <a href="/organisations">{t_string!(i18n, nav_organisations)}</a>
                        <a href="/import">{t_string!(i18n, nav_import)}</a>
                        <a href="/audit">{t_string!(i18n, nav_audit)}</a>
                    })}
                </nav>
            })}
            <p class="who">
                <a href="/account"><bdi>{u.name.clone()}</bdi></a>
                " · "
                {text::role(i18n, role)}
            </p>
            <SignOut user=u />
        }
    });
    view! {
        <a class="skip-link" href="#main">
            {t_string!(i18n, skip_to_content)}
        </a>
        <Suspense>{demo_band}</Suspense>
        <header class="top">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"أثر"</span>
                <span>"Athar"</span>
            </a>
            <ConnectionBadge />
            // On a phone, one line: the language, the account and the tools open from a menu (the
            // language chosen is remembered in a cookie). Wider screens show them in the line.
            <details class="menu">
                <summary><span aria-hidden="true">"☰ "</span>{t_string!(i18n, menu)}</summary>
                <div class="menu-body">
                    <LanguageSwitch />
                    {who}
                </div>
            </details>
        </header>
        {has_user.then(|| view! { <SyncBar /> <UpdateNotice /> })}
        <OfflineNotice />
        <crate::ui::clock::ClockWarning />
        <main id="main" tabindex="-1">
            {flash.map(|message| view! { <Flash message /> })}
            {(source == Some(Source::Device)).then(|| view! { <OfflineDataNote /> })}
            {children()}
        </main>
    }
}

/// Unix ms by this device's clock (the sync status counts in it too); 0 on the server.
pub(crate) fn device_now() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        crate::ui::platform::now_ms()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0
    }
}

/// Whether a sync has gone through since `since` (device ms) while the browser is online: what
/// a page drew from the device is then no longer all there is.
pub(crate) fn synced_since(since: i64) -> impl Fn() -> bool + Copy {
    let sync = use_sync();
    let online = use_online();
    move || {
        online.get()
            && sync
                .status
                .with(|s| s.last_success.is_some_and(|t| t >= since))
    }
}

/// The message the previous page left. "Saved on this phone, it will be sent…" becomes "Sent"
/// once nothing waits or needs fixing: the count was read again right after the save, so it
/// falls to zero only when the server has the entry. A notice never says more than is true.
#[component]
pub(crate) fn Flash(message: String) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let saved = message == t_string!(i18n, saved_on_phone);
    let sent = move || {
        saved
            && sync
                .status
                .with(|s| s.pending == Some(0) && s.attention == 0)
    };
    view! {
        <p class="notice success" role="status">
            <span aria-hidden="true">"✓ "</span>
            {move || if sent() { t_string!(i18n, sent_to_server).to_string() } else { message.clone() }}
        </p>
    }
}

/// "Offline: this is what the device stored", for a page drawn from the device; gone once the
/// browser is online and a sync has gone through since the page was drawn.
#[component]
pub fn OfflineDataNote() -> impl IntoView {
    let i18n = use_i18n();
    let synced = synced_since(device_now());
    move || {
        (!synced()).then(|| {
            view! { <p class="notice offline-note" role="status">{t_string!(i18n, offline_data_note)}</p> }
        })
    }
}

/// A loaded value's user, if any, for the frame.
pub fn user_of(loaded: &Option<Loaded<SessionUser>>) -> Option<SessionUser> {
    loaded.as_ref().map(|l| l.value.clone())
}

/// Under the header: how many entries wait on this phone, when the last sync went through, and a
/// button to sync now. Words and icons, never colour alone.
#[component]
pub fn SyncBar() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    view! {
        <div class="sync-bar" role="status" aria-live="polite">
            {move || {
                let s = sync.status.get();
                let n = s.pending?;
                // Refused is not sent: nothing is "all sent" while an entry waits to be fixed.
                let count = if n == 0 && s.attention == 0 {
                    view! { <span class="sync-count"><span aria-hidden="true">"✓ "</span>{t_string!(i18n, nothing_waiting)}</span> }.into_any()
                } else if n == 0 {
                    ().into_any()
                } else {
                    view! { <span class="sync-count waiting"><span aria-hidden="true">"⏳ "</span>{t_string!(i18n, waiting_count, count = n).to_string()}</span> }.into_any()
                };
                let attention = (s.attention > 0).then(|| view! {
                    <a class="sync-attention" href="/#attention">
                        <span aria-hidden="true">"✗ "</span>{t_string!(i18n, attention_count, count = s.attention).to_string()}
                    </a>
                });
                let activity = match (s.running, s.progress) {
                    (true, Some((sent, total))) => Some(t_string!(i18n, sync_progress, sent, total).to_string()),
                    (true, None) => Some(t_string!(i18n, syncing).to_string()),
                    _ => None,
                };
                let files = s.files.map(|line| view! { <span class="sync-files"><span aria-hidden="true">"📎 "</span>{line}</span> });
                let problem = s.error.map(|e| match e {
                    crate::error::AppError::NotSignedIn => t_string!(i18n, sync_session_ended).to_string(),
                    crate::error::AppError::UpdateNeeded => text::error(i18n, &e),
                    _ => t_string!(i18n, sync_failed).to_string(),
                });
                // Athar asked the browser to keep its storage (`platform::persist`); when it said
                // no, the facilitator should know why entries must not wait long.
                let kept_loosely = (s.persistent == Some(false) && n > 0)
                    .then(|| view! { <span class="storage-note">{t_string!(i18n, storage_not_persistent)}</span> });
                // One line on a phone: the count, what needs action; the rest on a tap.
                Some(view! {
                    <details class="sync-details">
                        <summary>{count}{activity.map(|a| view! { " "<span>{a}</span> })}</summary>
                        <div class="sync-more">
                            <span class="sync-last">{t_string!(i18n, last_sync, when = text::ago(i18n, s.last_success, s.now)).to_string()}</span>
                            {kept_loosely}
                            {(n > 0).then(|| view! {
                                <button type="button" class="sync-now" on:click=move |_| sync.export_unsent()>
                                    <span aria-hidden="true">"⇩ "</span>{t_string!(i18n, export_unsent)}
                                </button>
                            })}
                        </div>
                    </details>
                    {attention}
                    {files}
                    {problem.map(|m| view! { <span class="sync-error"><span aria-hidden="true">"⚠ "</span>{m}</span> })}
                })
            }}
            {move || sync.status.with(|s| s.storage_warning.clone())
                .map(|m| view! { <span class="storage-note sync-error"><span aria-hidden="true">"⚠ "</span>{m}</span> })}
            // Outside the redrawn part, so it keeps the keyboard focus while a sync runs.
            // Its short word on a phone, so the bar stays one line; its name is the whole phrase.
            <button type="button" class="sync-now" on:click=move |_| sync.kick()
                aria-label=t_string!(i18n, sync_now)
                hidden=move || sync.status.with(|s| s.pending.is_none())
                disabled=move || sync.status.with(|s| s.running)>
                <span aria-hidden="true">"⟳ "</span>
                <span class="narrow-only">{t_string!(i18n, sync_now_short)}</span>
                <span class="wide-only">{t_string!(i18n, sync_now)}</span>
            </button>
        </div>
    }
}

/// Shown while the app cannot open without network on this phone yet: its service worker could
/// not install (a file it keeps would not download). The script tries again by itself.
#[component]
pub fn OfflineNotice() -> impl IntoView {
    let i18n = use_i18n();
    #[cfg(feature = "hydrate")]
    let not_ready = {
        let state = RwSignal::new(None::<bool>);
        Effect::new(move |_| state.set(crate::ui::platform::offline_ready()));
        let listener = window_event_listener_untyped("athar-offline", move |_| {
            state.set(crate::ui::platform::offline_ready())
        });
        on_cleanup(move || listener.remove());
        move || state.get() == Some(false)
    };
    #[cfg(not(feature = "hydrate"))]
    let not_ready = || false;
    move || {
        not_ready().then(|| {
            view! {
                <p class="notice offline-not-ready" role="status">
                    <span aria-hidden="true">"⚠ "</span>
                    {t_string!(i18n, offline_not_ready)}
                </p>
            }
        })
    }
}

/// Shown while a new version of the app waits because entries do: it takes over when they are
/// sent, or now if the user agrees and it reads what this phone stored
/// (`service_worker_client.js`).
#[component]
pub fn UpdateNotice() -> impl IntoView {
    let i18n = use_i18n();
    #[cfg(feature = "hydrate")]
    let state = {
        use crate::ui::platform::Update;
        use crate::ui::platform::update;
        let state = RwSignal::new(None::<Update>);
        Effect::new(move |_| state.set(update()));
        let listener = window_event_listener_untyped("athar-update", move |_| state.set(update()));
        on_cleanup(move || listener.remove());
        move || state.get().map(|u| u == Update::Ready)
    };
    #[cfg(not(feature = "hydrate"))]
    let state = || None::<bool>;
    // The page reloads into the new version; a form open keeps what was typed (its draft).
    let update_now = move |_| {
        #[cfg(feature = "hydrate")]
        crate::ui::platform::take_over();
    };
    view! {
        {move || state().map(|ready| view! {
            <div class="notice update-notice" role="status">
                <p>
                    <span aria-hidden="true">"⬆ "</span>
                    {if ready { t_string!(i18n, update_ready) } else { t_string!(i18n, update_blocked) }}
                </p>
                {ready.then(|| view! {
                    <button type="button" class="update-now" on:click=update_now>
                        {t_string!(i18n, update_now)}
                    </button>
                })}
            </div>
        })}
    }
}
