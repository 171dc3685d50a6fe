//! Evidence in a capture form: photos (the camera, or the gallery) and PDF documents, each with
//! an optional caption and, for a photo, whether the people on it agreed to be photographed.
//!
//! A chosen file is resized and written to the phone's disk before the form names it
//! (`ui::evidence`); the form's entry names it by its SHA-256, and the sync sends it after the
//! entry. A photo of people who did not agree is not kept: it leaves the form and the phone.

use crate::domain::FieldError;
use crate::domain::evidence::{Evidence, MAX_CAPTION_CHARS, MAX_FILES_PER_ENTRY};
use crate::i18n::*;
use leptos::prelude::*;
use uuid::Uuid;

/// What the facilitator said of the people on a photo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum People {
    /// A photo just taken: the question waits.
    NotAsked,
    Nobody,
    Agreed,
}

/// The files a form is editing, and the question each new photo asks.
#[derive(Clone, Copy)]
pub struct Attached {
    pub files: RwSignal<Vec<Evidence>>,
    people: RwSignal<Vec<(String, People)>>,
    /// Said once, under the files: a file that was not kept, and why.
    notice: RwSignal<Vec<String>>,
    /// What saving found wrong with the files.
    pub error: RwSignal<Option<String>>,
    /// What the section's ids start with: unique on the page (a form's anchor for its error
    /// summary).
    name: StoredValue<String>,
}

impl Attached {
    /// The files an entry already carries (an edit), or none (a new entry).
    pub fn new(name: impl Into<String>, files: Vec<Evidence>) -> Attached {
        let attached = Attached {
            files: RwSignal::new(Vec::new()),
            people: RwSignal::new(Vec::new()),
            notice: RwSignal::new(Vec::new()),
            error: RwSignal::new(None),
            name: StoredValue::new(name.into()),
        };
        attached.restore(files, &[]);
        attached
    }

    /// The form's files are `files`, each photo's question answered as it says, except those of
    /// `unasked`, whose question still waits (a form given back from its draft).
    pub fn restore(&self, files: Vec<Evidence>, unasked: &[String]) {
        let people = files
            .iter()
            .filter(|f| f.media.is_image())
            .map(|f| {
                let said = if unasked.contains(&f.sha256) {
                    People::NotAsked
                } else if f.people_agreed {
                    People::Agreed
                } else {
                    People::Nobody
                };
                (f.sha256.clone(), said)
            })
            .collect();
        self.files.set(files);
        self.people.set(people);
        self.notice.set(Vec::new());
        self.error.set(None);
    }

    /// The files to save with the entry; an error for the form when a photo's question waits or
    /// the list breaks a rule the server keeps.
    pub fn to_save(&self, i18n: leptos_i18n::I18nContext<Locale>) -> Result<Vec<Evidence>, String> {
        let waiting = self
            .people
            .with_untracked(|p| p.iter().any(|(_, said)| *said == People::NotAsked));
        let result = if waiting {
            Err(t_string!(i18n, people_needed).to_string())
        } else {
            let files = self.files.get_untracked();
            crate::domain::evidence::check_files(&files)
                .map(|()| files)
                .map_err(|e: FieldError| match e.code {
                    "too_many" => {
                        t_string!(i18n, files_too_many, count = MAX_FILES_PER_ENTRY).to_string()
                    }
                    code => crate::ui::text::field_error(i18n, code).to_string(),
                })
        };
        self.error.set(result.as_ref().err().cloned());
        result
    }

    /// The error summary's line for the files, if saving found one.
    pub fn summary_line(&self) -> Option<(String, String)> {
        self.error
            .get()
            .map(|message| (self.name.get_value(), message))
    }

    /// The photos whose people question waits (a draft keeps them so).
    pub fn unasked(&self) -> Vec<String> {
        self.people.with(|all| {
            all.iter()
                .filter(|(_, said)| *said == People::NotAsked)
                .map(|(sha, _)| sha.clone())
                .collect()
        })
    }

    /// Empties the form's files (after a save that keeps the form open).
    pub fn clear(&self) {
        self.restore(Vec::new(), &[]);
    }

    fn answer(&self, sha256: &str, said: People) {
        self.people.update(|all| {
            if let Some(slot) = all.iter_mut().find(|(s, _)| s == sha256) {
                slot.1 = said;
            }
        });
        self.files.update(|files| {
            if let Some(f) = files.iter_mut().find(|f| f.sha256 == sha256) {
                f.people_agreed = said == People::Agreed;
            }
        });
    }

    fn remove(&self, sha256: &str) {
        self.files
            .update(|files| files.retain(|f| f.sha256 != sha256));
        self.people.update(|all| all.retain(|(s, _)| s != sha256));
    }
}

/// The photos and documents of an entry, with the buttons to add them.
#[component]
pub fn Attachments(user: Uuid, attached: Attached) -> impl IntoView {
    let i18n = use_i18n();
    let busy = RwSignal::new(false);
    // Reads the files chosen in the input `id` into the form.
    let name = attached.name.get_value();
    let (photo_id, file_id, hint_id) = (
        format!("{name}-take-photo"),
        format!("{name}-add-file"),
        format!("{name}-hint"),
    );
    let described = hint_id.clone();
    let take = move |id: String| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            busy.set(true);
            let taken = crate::ui::evidence::take(&id, user).await;
            busy.set(false);
            let mut said = Vec::new();
            match taken {
                Ok(list) => {
                    for t in list {
                        match (t.evidence(), t.error.as_deref()) {
                            (Some(file), _) => {
                                let known = attached
                                    .files
                                    .with_untracked(|f| f.iter().any(|g| g.sha256 == file.sha256));
                                if known {
                                    continue;
                                }
                                if file.media.is_image() {
                                    attached.people.update(|p| {
                                        p.push((file.sha256.clone(), People::NotAsked))
                                    });
                                }
                                attached.files.update(|f| f.push(file));
                            }
                            (None, Some("QuotaExceededError")) => {
                                said.push(t_string!(i18n, files_storage_full).to_string())
                            }
                            (None, Some("not_allowed_type")) => said.push(
                                t_string!(i18n, file_not_allowed, name = t.name.clone())
                                    .to_string(),
                            ),
                            (None, Some("too_large")) => said.push(
                                t_string!(i18n, file_too_large, name = t.name.clone()).to_string(),
                            ),
                            (None, _) => said.push(
                                t_string!(i18n, file_unreadable, name = t.name.clone()).to_string(),
                            ),
                        }
                    }
                }
                Err(_) => said.push(t_string!(i18n, files_unavailable).to_string()),
            }
            attached.notice.set(said);
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (id, user);
    };
    let count = move || attached.files.with(Vec::len);
    let full = move || count() >= MAX_FILES_PER_ENTRY;
    view! {
        <fieldset class="attachments" id=name tabindex="-1" aria-describedby=described>
            <legend>{t_string!(i18n, files_title)}</legend>
            <p class="hint" id=hint_id>{t_string!(i18n, files_hint)}</p>
            {move || attached.error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            <ul class="files" hidden=move || count() == 0>
                <For each=move || attached.files.get() key=|f| f.sha256.clone() let:file>
                    <FileItem file attached user />
                </For>
            </ul>
            <div class="file-buttons" hidden=full>
                <label class="button file-pick">
                    <input type="file" id=photo_id.clone() class="visually-hidden" accept="image/*" capture="environment"
                        disabled=move || busy.get() on:change={
                            let id = photo_id.clone();
                            move |_| take(id.clone())
                        } />
                    <span aria-hidden="true">"📷 "</span>{t_string!(i18n, take_photo)}
                </label>
                <label class="button file-pick">
                    <input type="file" id=file_id.clone() class="visually-hidden" multiple
                        accept="image/jpeg,image/png,image/webp,application/pdf"
                        disabled=move || busy.get() on:change={
                            let id = file_id.clone();
                            move |_| take(id.clone())
                        } />
                    <span aria-hidden="true">"📎 "</span>{t_string!(i18n, add_file)}
                </label>
            </div>
            {move || busy.get().then(|| view! { <p role="status" class="hint">{t_string!(i18n, files_keeping)}</p> })}
            {move || {
                let said = attached.notice.get();
                (!said.is_empty()).then(|| view! {
                    <div class="notice" role="alert"><ul>{said.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul></div>
                })
            }}
        </fieldset>
    }
}

/// One file of the form: what it shows, its caption, the question of a photo, and *Remove*.
#[component]
fn FileItem(file: Evidence, attached: Attached, user: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let sync = crate::ui::sync::use_sync();
    let sha = file.sha256.clone();
    let short = sha[..12.min(sha.len())].to_owned();
    let picture = file.media.is_image();
    // The copy on this phone while it is kept here; the server's once it has gone.
    let (full, thumbnail) = addresses(&sha, true);
    let position = {
        let sha = sha.clone();
        move || {
            attached
                .files
                .with(|f| f.iter().position(|g| g.sha256 == sha).map_or(0, |i| i + 1))
        }
    };
    let name = move || {
        if picture {
            t_string!(i18n, photo_n, n = position()).to_string()
        } else {
            t_string!(i18n, document_n, n = position()).to_string()
        }
    };
    let size = format!("{:.1}", file.bytes as f64 / 1_000_000.0);
    let caption_id = format!("{}-caption-{short}", attached.name.get_value());
    let people_name = format!("{}-people-{short}", attached.name.get_value());
    let said = {
        let sha = sha.clone();
        move || {
            attached
                .people
                .with(|p| p.iter().find(|(s, _)| *s == sha).map(|(_, said)| *said))
        }
    };
    let set_caption = {
        let sha = sha.clone();
        move |ev| {
            let text = event_target_value(&ev);
            attached.files.update(|files| {
                if let Some(f) = files.iter_mut().find(|f| f.sha256 == sha) {
                    f.caption = text;
                }
            });
        }
    };
    let answer = {
        let sha = sha.clone();
        move |value: &str| match value {
            "agreed" => attached.answer(&sha, People::Agreed),
            "nobody" => attached.answer(&sha, People::Nobody),
            _ => {
                attached.remove(&sha);
                attached
                    .notice
                    .set(vec![t_string!(i18n, photo_not_kept).to_string()]);
                // Off the phone too, unless an entry saved on it names the same file.
                #[cfg(feature = "hydrate")]
                {
                    let revision = sync.revision.get_untracked();
                    let named = crate::ui::local::local_view(user, revision).is_none_or(|view| {
                        view.records()
                            .any(|r| r.files().iter().any(|f| f.sha256 == sha))
                    });
                    if !named {
                        let sha = sha.clone();
                        leptos::task::spawn_local(async move {
                            let _ = crate::ui::evidence::forget(&[sha]).await;
                        });
                    }
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = (user, sync);
            }
        }
    };
    let remove = {
        let sha = sha.clone();
        move |_| attached.remove(&sha)
    };
    view! {
        <li class="file">
            <a class="file-view" href=full target="_blank" rel="noopener">
                {if picture {
                    view! { <img src=thumbnail alt=name.clone() width="96" height="96" loading="lazy" /> }.into_any()
                } else {
                    view! { <span class="file-doc" aria-hidden="true">"📄 PDF"</span><span class="visually-hidden">{name.clone()}</span> }.into_any()
                }}
                <span class="file-size" aria-hidden="true">{size}" Mo"</span>
            </a>
            <div class="file-about">
                <div class="field">
                    <label for=caption_id.clone()>{t_string!(i18n, file_caption)}" · "{name.clone()}</label>
                    <input type="text" id=caption_id dir="auto" maxlength=MAX_CAPTION_CHARS.to_string()
                        prop:value=file.caption.clone() on:input=set_caption />
                </div>
                {picture.then(|| {
                    let options = [
                        ("nobody", People::Nobody, t_string!(i18n, people_none)),
                        ("agreed", People::Agreed, t_string!(i18n, people_agreed)),
                        ("refused", People::NotAsked, t_string!(i18n, people_refused)),
                    ];
                    view! {
                        <fieldset class="people" class:missing=move || said() == Some(People::NotAsked)>
                            <legend>{t_string!(i18n, people_question)}<span class="visually-hidden">" · "{name.clone()}</span></legend>
                            {options.into_iter().map(|(value, state, label)| {
                                let answer = answer.clone();
                                let said = said.clone();
                                view! {
                                    <label class="choice">
                                        <input type="radio" name=people_name.clone() value=value
                                            checked=move || value != "refused" && said() == Some(state)
                                            on:change=move |_| answer(value) />
                                        <span>{label}</span>
                                    </label>
                                }
                            }).collect_view()}
                        </fieldset>
                    }
                })}
                <button type="button" class="file-remove" on:click=remove>
                    {t_string!(i18n, file_remove)}<span class="visually-hidden">" · "{name}</span>
                </button>
            </div>
        </li>
    }
}

/// Where a file shows, whole and as a thumbnail: the phone's copy while it keeps one (looked up
/// when `on_phone`), else the server's.
fn addresses(sha256: &str, on_phone: bool) -> (Signal<String>, Signal<String>) {
    let local = RwSignal::new(None::<String>);
    #[cfg(feature = "hydrate")]
    if on_phone {
        let sha = sha256.to_owned();
        leptos::task::spawn_local(async move {
            local.set(crate::ui::evidence::local_url(&sha).await);
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = on_phone;
    let (whole, small) = (
        format!("/api/files/{sha256}"),
        format!("/api/files/{sha256}/thumbnail"),
    );
    (
        Signal::derive(move || local.get().unwrap_or_else(|| whole.clone())),
        Signal::derive(move || local.get().unwrap_or_else(|| small.clone())),
    )
}

/// How many files an entry shows before *Show more*: a supervisor on a tablet loads a few
/// thumbnails per entry until she asks for the rest.
const SHOWN_FILES: usize = 4;

/// An entry's files as a reader sees them: a thumbnail per photo and a link per document, each
/// opening the whole file, with its caption. On the phone (`on_phone`), a file still kept here
/// shows from the phone's copy, so it shows offline and before it is sent.
#[component]
pub fn EvidenceList(files: Vec<Evidence>, #[prop(optional)] on_phone: bool) -> impl IntoView {
    let i18n = use_i18n();
    let more = RwSignal::new(false);
    let total = files.len();
    let items = move |all: bool| {
        files
            .iter()
            .enumerate()
            .filter(|(i, _)| all || *i < SHOWN_FILES)
            .map(|(i, f)| view! { <EvidenceItem file=f.clone() n=i + 1 on_phone /> })
            .collect_view()
    };
    (total > 0).then(|| {
        view! {
            <ul class="evidence" aria-label=t_string!(i18n, files_title)>
                {move || items(more.get())}
            </ul>
            {(total > SHOWN_FILES).then(|| view! {
                <p hidden=move || more.get()>
                    <button type="button" class="more" on:click=move |_| more.set(true)>
                        {t_string!(i18n, files_show_more, count = total - SHOWN_FILES).to_string()}
                    </button>
                </p>
            })}
        }
    })
}

#[component]
fn EvidenceItem(file: Evidence, n: usize, on_phone: bool) -> impl IntoView {
    let i18n = use_i18n();
    let (full, thumbnail) = addresses(&file.sha256, on_phone);
    let name = if file.media.is_image() {
        t_string!(i18n, photo_n, n = n).to_string()
    } else {
        t_string!(i18n, document_n, n = n).to_string()
    };
    let alt = if file.caption.is_empty() {
        name.clone()
    } else {
        format!("{name} · {}", file.caption)
    };
    view! {
        <li>
            <a href=full target="_blank" rel="noopener">
                {if file.media.is_image() {
                    view! { <img src=thumbnail alt=alt width="96" height="96" loading="lazy" /> }.into_any()
                } else {
                    view! { <span class="file-doc"><span aria-hidden="true">"📄 "</span>{name}</span> }.into_any()
                }}
            </a>
            {(!file.caption.is_empty()).then(|| view! { <p dir="auto">{file.caption.clone()}</p> })}
        </li>
    }
}
