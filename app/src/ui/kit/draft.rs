//! A capture form kept on the phone as it is typed (`sync::drafts`): at most about a second
//! behind, on disk before the form says so, given back when the form opens again after the tab,
//! the browser or the phone was killed, and removed when the form is saved (in the save's own
//! transaction) or discarded.
//!
//! Writes are gathered for all forms of the tab and made together, one strict IndexedDB
//! transaction a little after the last change (never more than [`DELAY_MS`] after the first one
//! waiting), so fast typing costs one disk write per interval, not one per key.

use crate::domain::form::{Answer, Answers};
use crate::i18n::*;
use crate::sync::drafts::Draft;
use crate::ui::kit::attachments::Attached;
use leptos::prelude::*;
use uuid::Uuid;

/// How long a change waits before it is written (with those that follow it meanwhile).
#[cfg(feature = "hydrate")]
const DELAY_MS: u64 = 600;

/// A form's draft.
#[derive(Clone, Copy)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub struct Kept {
    user: Uuid,
    /// The draft's name (`visit/<project>/new`…), see `sync::drafts`.
    name: StoredValue<String>,
    /// Which form, for the lists of unsaved forms.
    form: &'static str,
    project: Option<Uuid>,
    /// When the draft was last written to the phone's disk; `None` while none is.
    pub at: RwSignal<Option<i64>>,
    /// Whether the form was given back from its draft (a folded form opens then).
    pub restored: RwSignal<bool>,
    /// Moves when the draft is discarded: the form is drawn again from its start.
    round: RwSignal<u32>,
    /// What the form holds when nothing was typed (its start), when known: a form back to it
    /// keeps no draft. Unknown for a form given back from its draft.
    baseline: StoredValue<Option<String>>,
    /// The next state seen is the form's new start (an inline form emptied after a save).
    rebase: StoredValue<bool>,
}

/// A draft waiting to be written: its text (`None`: removed), and the signal saying when it was.
#[cfg(feature = "hydrate")]
type Waiting = (Option<String>, RwSignal<Option<i64>>);

#[cfg(feature = "hydrate")]
thread_local! {
    /// Drafts waiting to be written, by key.
    static WAITING: std::cell::RefCell<std::collections::BTreeMap<String, Waiting>> =
        Default::default();
    /// Whether a write is scheduled.
    static SCHEDULED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Drafts of forms being saved or discarded: not written again.
    static CLOSED: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Kept {
    /// The draft `name` of `user`'s form `form` about `project`. Made where the form's page is
    /// drawn, outside what redraws the form.
    pub fn new(user: Uuid, name: String, form: &'static str, project: Option<Uuid>) -> Kept {
        #[cfg(feature = "hydrate")]
        {
            let key = crate::sync::drafts::key(user, &name);
            CLOSED.with_borrow_mut(|c| c.retain(|k| *k != key));
        }
        Kept {
            user,
            name: StoredValue::new(name),
            form,
            project,
            at: RwSignal::new(None),
            restored: RwSignal::new(false),
            round: RwSignal::new(0),
            baseline: StoredValue::new(None),
            rebase: StoredValue::new(false),
        }
    }

    fn key(&self) -> String {
        crate::sync::drafts::key(self.user, &self.name.get_value())
    }

    /// The draft the form starts from, if one is kept (read again after a discard, which
    /// redraws the form: none then). Call it where the form is drawn, in the browser.
    pub fn start(&self) -> Option<Draft> {
        self.round.track();
        #[cfg(feature = "hydrate")]
        {
            let draft = crate::sync::drafts::read(
                &crate::storage::durable::Outbox,
                self.user,
                &self.name.get_value(),
            );
            self.at.set(draft.as_ref().map(|d| d.at));
            self.restored.set(draft.is_some());
            draft
        }
        #[cfg(not(feature = "hydrate"))]
        None
    }

    /// Keeps what `make` gives (the form's answers, files…) each time what it reads changes; not
    /// at once: nothing was typed yet. Call it where the form is drawn, once what it starts from
    /// is in place: a form `restored` from its draft has no known start, any other takes what
    /// `make` first gives as its start, and keeps no draft while it holds just that.
    pub fn watch(&self, restored: bool, make: impl Fn() -> Draft + 'static) {
        #[cfg(feature = "hydrate")]
        {
            let kept = *self;
            // Where the form is, its query included (a registration being corrected).
            let location = leptos_router::hooks::use_location();
            let (path, query) = (
                location.pathname.get_untracked(),
                location.search.get_untracked(),
            );
            let href = match query.trim_start_matches('?') {
                "" => path,
                query => format!("{path}?{query}"),
            };
            Effect::new(move |first: Option<()>| {
                let mut draft = make();
                let Ok(content) = serde_json::to_string(&draft) else {
                    return;
                };
                let start = first.is_none() || kept.rebase.get_value();
                if start {
                    kept.rebase.set_value(false);
                    kept.baseline
                        .set_value((!restored || first.is_some()).then_some(content));
                    return;
                }
                let key = kept.key();
                if CLOSED.with_borrow(|c| c.contains(&key)) {
                    return;
                }
                let text = if kept.baseline.with_value(|b| b.as_ref() == Some(&content)) {
                    // Back to where it started: no draft.
                    None
                } else {
                    draft.at = crate::ui::platform::now_ms();
                    draft.form = kept.form.to_owned();
                    draft.project = kept.project;
                    draft.href = href.clone();
                    serde_json::to_string(&draft).ok()
                };
                WAITING.with_borrow_mut(|w| w.insert(key, (text, kept.at)));
                if !SCHEDULED.replace(true) {
                    set_timeout(
                        || leptos::task::spawn_local(write_waiting()),
                        std::time::Duration::from_millis(DELAY_MS),
                    );
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (restored, make);
    }

    /// An inline form was saved and emptied: it keeps drafts again, from its new start.
    pub fn saved_and_emptied(&self) {
        self.rebase.set_value(true);
        self.at.set(None);
        self.reopen();
    }

    /// The form is being saved: nothing more is kept, and the save removes the draft (the key
    /// returned) in its own transaction. [`Kept::reopen`] if the save fails.
    pub fn closing(&self) -> String {
        let key = self.key();
        #[cfg(feature = "hydrate")]
        {
            WAITING.with_borrow_mut(|w| w.remove(&key));
            CLOSED.with_borrow_mut(|c| c.push(key.clone()));
        }
        key
    }

    /// The save failed: the form goes on being kept.
    pub fn reopen(&self) {
        #[cfg(feature = "hydrate")]
        {
            let key = self.key();
            CLOSED.with_borrow_mut(|c| c.retain(|k| *k != key));
        }
    }

    /// Removes the draft from the phone, and draws the form again from its start.
    pub fn discard(&self) {
        #[cfg(feature = "hydrate")]
        {
            let kept = *self;
            let key = self.closing();
            leptos::task::spawn_local(async move {
                let removed =
                    crate::storage::durable::write(|kv| crate::storage::KeyValue::remove(kv, &key))
                        .await;
                kept.reopen();
                if removed.is_ok() {
                    kept.at.try_set(None);
                    kept.round.try_update(|r| *r += 1);
                }
            });
        }
    }
}

/// Writes every draft waiting, in one transaction.
#[cfg(feature = "hydrate")]
async fn write_waiting() {
    SCHEDULED.set(false);
    let waiting = WAITING.take();
    if waiting.is_empty() {
        return;
    }
    let written = crate::storage::durable::write(|kv| {
        for (key, (text, _)) in &waiting {
            // A form saved or discarded since: its draft is not written back.
            if CLOSED.with_borrow(|c| c.contains(key)) {
                continue;
            }
            match text {
                Some(text) => crate::storage::KeyValue::set(kv, key, text)?,
                None => crate::storage::KeyValue::remove(kv, key)?,
            }
        }
        Ok::<_, crate::storage::StorageError>(())
    })
    .await;
    match written {
        Ok(()) => {
            let now = crate::ui::platform::now_ms();
            for (key, (text, at)) in waiting {
                if !CLOSED.with_borrow(|c| c.contains(&key)) {
                    at.try_set(text.is_some().then_some(now));
                }
            }
        }
        Err(e) => leptos::logging::warn!("draft: {e}"),
    }
}

/// One field of a form that is not drawn from a definition, as its draft keeps it: its text,
/// read and set.
pub struct Field {
    name: &'static str,
    get: Box<dyn Fn() -> String>,
    set: Box<dyn Fn(String)>,
}

impl Field {
    /// A field whose text is `signal`.
    pub fn text(name: &'static str, signal: RwSignal<String>) -> Field {
        Field::new(name, move || signal.get(), move |t| signal.set(t))
    }

    pub fn new(
        name: &'static str,
        get: impl Fn() -> String + 'static,
        set: impl Fn(String) + 'static,
    ) -> Field {
        Field {
            name,
            get: Box::new(get),
            set: Box::new(set),
        }
    }
}

/// A form drawn by hand (its fields, and maybe the answers of a definition's questions and its
/// files): given back from its draft once the page runs in the browser, kept as it is typed, and
/// set back to where it started when the draft is discarded. Fields are kept as `#<name>`.
///
/// `answers` are the definition's answers and the signal that draws its questions again (they
/// show the answers they are drawn with). What the form starts from is read when this first runs
/// in the browser, after the effects made before it (a form whose choices are read in an effect).
pub fn keep_form(
    kept: Kept,
    fields: Vec<Field>,
    answers: Option<(RwSignal<Answers>, RwSignal<u32>)>,
    files: Option<Attached>,
) {
    let fields = std::rc::Rc::new(fields);
    let first = std::rc::Rc::new(std::cell::OnceCell::new());
    Effect::new(move |_| {
        // Read without tracking: this effect runs again on a discard only, never as she types.
        let (start, start_answers) = first.get_or_init(|| {
            untrack(|| {
                let texts: Vec<String> = fields.iter().map(|f| (f.get)()).collect();
                (texts, answers.map(|(a, _)| a.get_untracked()))
            })
        });
        let draft = kept.start().unwrap_or_default();
        let restored = kept.restored.get_untracked();
        let mut given = draft.answers;
        for (field, start) in fields.iter().zip(start) {
            let typed = match given.remove(&format!("#{}", field.name)) {
                Some(Answer::Text(t)) if restored => t,
                _ => start.clone(),
            };
            (field.set)(typed);
        }
        if let (Some((answers, redraw)), Some(start)) = (answers, start_answers) {
            answers.set(if restored { given } else { start.clone() });
            redraw.update(|n| *n += 1);
        }
        if let Some(files) = files {
            files.restore(draft.files, &draft.unasked);
        }
        let fields = std::rc::Rc::clone(&fields);
        kept.watch(restored, move || {
            let mut all = answers.map(|(a, _)| a.get()).unwrap_or_default();
            for field in fields.iter() {
                all.insert(format!("#{}", field.name), Answer::Text((field.get)()));
            }
            Draft {
                answers: all,
                files: files.map(|f| f.files.get()).unwrap_or_default(),
                unasked: files.map(|f| f.unasked()).unwrap_or_default(),
                ..Default::default()
            }
        });
    });
}

/// The name of the draft of form `form` for `record` of `project` (`new` while it has no id).
pub fn draft_name(form: &str, project: Uuid, record: Option<Uuid>) -> String {
    match record {
        Some(id) => format!("{form}/{project}/{id}"),
        None => format!("{form}/{project}/new"),
    }
}

/// "Brouillon gardé sur ce téléphone à 10:42", with the button that discards it.
#[component]
pub fn DraftNote(kept: Kept) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        kept.at.get().map(|at| {
            view! {
                <div class="draft-note">
                    <p>{t_string!(i18n, draft_kept, time = clock_time(at))}</p>
                    <button type="button" on:click=move |_| kept.discard()>{t_string!(i18n, draft_discard)}</button>
                </div>
            }
        })
    }
}

/// The forms this phone keeps unsaved for `user` (of `project` only, when given), each a link
/// to open it again, the latest first. Drawn once the page runs in the browser (the server does
/// not know them), and again after a sync or a save.
#[component]
pub fn DraftsList(user: Uuid, project: Option<Uuid>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = crate::ui::sync::use_sync();
    let mounted = crate::ui::local::mounted();
    let list = move || {
        if !mounted.get() {
            return Vec::new();
        }
        sync.revision.track();
        #[cfg(feature = "hydrate")]
        {
            crate::sync::drafts::list(&crate::storage::durable::Outbox, user)
                .into_iter()
                .filter(|(_, d)| project.is_none() || d.project == project)
                .map(|(_, d)| d)
                .collect::<Vec<Draft>>()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (user, project);
            Vec::<Draft>::new()
        }
    };
    move || {
        let list = list();
        (!list.is_empty()).then(|| {
            view! {
                <section class="drafts" aria-labelledby="drafts-title">
                    <h2 id="drafts-title">{t_string!(i18n, drafts_title)}</h2>
                    <p class="hint">{t_string!(i18n, drafts_hint)}</p>
                    <ul class="entries">
                        {list.into_iter().map(|d| {
                            let line = draft_line(i18n, &d);
                            view! { <li><a class="draft-link" href=d.href>{line}</a></li> }
                        }).collect_view()}
                    </ul>
                </section>
            }
        })
    }
}

/// "Visite, gardé à 10:42".
pub fn draft_line(i18n: leptos_i18n::I18nContext<Locale>, d: &Draft) -> String {
    t_string!(
        i18n,
        draft_line,
        form = form_name(i18n, &d.form),
        time = clock_time(d.at)
    )
    .to_string()
}

fn form_name(i18n: leptos_i18n::I18nContext<Locale>, form: &str) -> &'static str {
    match form {
        "visit" => t_string!(i18n, draft_form_visit),
        "member" => t_string!(i18n, draft_form_member),
        "diagnostic" => t_string!(i18n, draft_form_diagnostic),
        "assessment" => t_string!(i18n, draft_form_assessment),
        "value" => t_string!(i18n, draft_form_value),
        "milestone" => t_string!(i18n, draft_form_milestone),
        "proof" => t_string!(i18n, draft_form_proof),
        "project" => t_string!(i18n, draft_form_project),
        _ => t_string!(i18n, draft_form_entry),
    }
}

/// `HH:MM` on the phone's clock, with the day (`DD/MM HH:MM`) when it is not today.
pub fn clock_time(ms: i64) -> String {
    #[cfg(feature = "hydrate")]
    {
        let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
        let now = js_sys::Date::new_0();
        let time = format!("{:02}:{:02}", d.get_hours(), d.get_minutes());
        if d.to_date_string() == now.to_date_string() {
            time
        } else {
            format!("{:02}/{:02} {time}", d.get_date(), d.get_month() + 1)
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let minutes = ms.div_euclid(60_000).rem_euclid(24 * 60);
        format!("{:02}:{:02}", minutes / 60, minutes % 60)
    }
}
