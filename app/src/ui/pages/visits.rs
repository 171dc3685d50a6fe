//! Coaching visits and action items on the phone: listed on the project page from the local view
//! (so they show offline, with where each entry stands), captured in a form that saves to the
//! outbox at once.
//!
//! Everything here reads device storage, which the server cannot see: the lists and the form draw
//! after the page has started in the browser (an effect), so the server's markup and the first
//! browser render agree.

use crate::domain::ProjectRecord;
use crate::domain::RecordKind;
use crate::domain::form::{Answer, AnswerError, AnswerProblem, Answers};
use crate::domain::visit_form::{ACTIONS, question_of, take_actions};
use crate::domain::{
    ActionItem, ActionStatus, EntryStatus, FieldError, FormAnswers, VISIT_FORM, Visit, VisitFields,
    VisitMode,
};
use crate::i18n::*;
use crate::sync::drafts::Draft;
use crate::sync::mutations::{AddAction, CloseAction, RescheduleAction, SaveVisit};
use crate::sync::outbox::{SyncState, prepare};
use crate::ui::form_store::device_form;
use crate::ui::kit::attachments::{Attached, Attachments, EvidenceList};
use crate::ui::kit::draft::{DraftNote, Kept, draft_name};
use crate::ui::kit::form_view::FormErrorSummary;
use crate::ui::kit::form_view::FormFields;
use crate::ui::kit::gate::CapturePage;
use crate::ui::kit::save::{Capture, SaveProblem, SavedNote, new_id, save_then, today};
use crate::ui::kit::tags::{Entry, ReviewNoteView, Tag, plain_tag, state_tag};
use crate::ui::local::from_view;
use crate::ui::local::local_view;
use crate::ui::local::mounted;
use crate::ui::sync::use_sync;
use crate::ui::text;
use leptos::prelude::*;
use uuid::Uuid;

/// The project's visits on this phone, latest first, each with where it stands.
#[component]
pub fn VisitsSection(user: Uuid, project: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let visits = from_view(user, move |view| {
        view.visits_of(project)
            .into_iter()
            .map(|v| (v.clone(), view.state(RecordKind::Visit, v.id)))
            .collect::<Vec<(Visit, SyncState)>>()
    });
    let new_href = format!("/projects/{project}/visits/new");
    // The latest visits first; the older ones on request (a cheap phone draws a long history
    // slowly, and the latest are what a coaching visit needs).
    let show_all = RwSignal::new(false);
    view! {
        <section aria-labelledby="visits-title">
            <h2 id="visits-title">{t_string!(i18n, visits_title)}</h2>
            <p><a class="button primary" href=new_href>"＋ "{t_string!(i18n, new_visit)}</a></p>
            {move || visits().map(|list| {
                let total = list.len();
                let shown = if show_all.get() { total } else { total.min(RECENT_VISITS) };
                view! {
                <p hidden=total != 0>{t_string!(i18n, no_visits_here)}</p>
                <ul class="entries">
                    {list.into_iter().take(shown).map(|(v, state)| {
                        let day = text::day(&v.fields.visit_on);
                        let present = v.fields.present_member_ids.len();
                        let mut head = format!("{day} · {}", text::visit_mode(i18n, v.fields.mode));
                        if present > 0 {
                            head = format!("{head} · {}", t_string!(i18n, members_present_count, n = present));
                        }
                        let status_tag = match v.fields.status {
                            EntryStatus::Returned => Tag { class: "tag returned", icon: "↩ ", text: text::entry_status(i18n, v.fields.status).into() },
                            status => plain_tag(text::entry_status(i18n, status).into()),
                        };
                        let tags = vec![status_tag, state_tag(i18n, &state)];
                        let observations = Some(v.fields.observations.clone()).filter(|o| !o.is_empty());
                        let href = format!("/projects/{project}/visits/{}", v.id);
                        // What the supervisor asked, while the visit waits for its fix.
                        let returned = v.review.clone().filter(|_| v.fields.status == EntryStatus::Returned);
                        let files = v.fields.files.clone();
                        view! {
                            <Entry head tags text=observations>
                                <EvidenceList files on_phone=true />
                                {returned.map(|note| view! { <ReviewNoteView note /> })}
                                <p><a href=href>{t_string!(i18n, edit)}<span class="visually-hidden">" "{day.clone()}</span></a></p>
                            </Entry>
                        }
                    }).collect_view()}
                </ul>
                {(shown < total).then(|| view! {
                    <p>
                        <button type="button" class="more" on:click=move |_| show_all.set(true)>
                            {t_string!(i18n, show_all_visits, count = total).to_string()}
                        </button>
                    </p>
                })}
            }})}
        </section>
    }
}

/// How many visits a project page draws before "show all".
pub(crate) const RECENT_VISITS: usize = 20;

/// The project's action items, open first, each with a button to close it.
#[component]
pub fn ActionsSection(user: Uuid, project: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let items = from_view(user, move |view| {
        view.actions_of(project)
            .into_iter()
            .map(|a| (a.clone(), view.state(RecordKind::Action, a.id)))
            .collect::<Vec<(ActionItem, SyncState)>>()
    });
    let message = RwSignal::new(None::<String>);
    view! {
        <section aria-labelledby="actions-title">
            <h2 id="actions-title">{t_string!(i18n, actions_title)}</h2>
            {move || items().map(|list| view! {
                <p hidden=!list.is_empty()>{t_string!(i18n, no_actions)}</p>
                <ul class="entries">
                    {list.into_iter().map(|(a, state)| {
                        let done = a.status == ActionStatus::Done;
                        let id = a.id;
                        let mut tags = Vec::new();
                        match (done, &a.closed_on, &a.due_on) {
                            (true, Some(day), _) => tags.push(plain_tag(t_string!(i18n, action_done_on, day = text::day(day)).to_string())),
                            (false, _, Some(day)) => tags.push(plain_tag(t_string!(i18n, action_due_on, day = text::day(day)).to_string())),
                            _ => {}
                        }
                        if a.is_overdue(&today()) {
                            tags.push(Tag { class: "tag overdue-tag", icon: "⚠ ", text: t_string!(i18n, overdue).into() });
                        }
                        tags.push(state_tag(i18n, &state));
                        let close = move |_| {
                            let args = crate::domain::CloseActionItem { id, closed_on: today() };
                            save_then(i18n, sync, user, vec![prepare::<CloseAction>(&args, &today())], None, Box::new(move |r| {
                                if let Err(m) = r { message.set(Some(m)) }
                            }));
                        };
                        let title = a.title.clone();
                        view! {
                            <Entry head=a.title tags text=None done>
                                <button type="button" hidden=done on:click=close>
                                    "✓ "{t_string!(i18n, mark_done)}<span class="visually-hidden">": "{title}</span>
                                </button>
                            </Entry>
                        }
                    }).collect_view()}
                </ul>
            })}
            {move || message.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
        </section>
    }
}

/// `/projects/:id/visits/new` and `/projects/:id/visits/:visit`: the visit form.
#[component]
pub fn VisitFormPage() -> impl IntoView {
    let i18n = use_i18n();
    let title = move |editing: bool| {
        if editing {
            t_string!(i18n, edit_visit)
        } else {
            t_string!(i18n, new_visit)
        }
        .to_owned()
    };
    let form = |user, project, visit| view! { <VisitForm user project visit /> };
    view! { <CapturePage record="visit" title form /> }
}

/// What a visit decides for an action item left open by an earlier one.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Carry {
    Keep,
    Done,
    /// For this ISO day (as typed).
    Reschedule(String),
}

impl Carry {
    /// What a draft keeps of the choices made: `carry/<item>` → `done` or `later:<day>`.
    fn to_draft(choices: &[(Uuid, Carry)]) -> Vec<(String, Answer)> {
        choices
            .iter()
            .filter_map(|(item, c)| {
                let text = match c {
                    Carry::Keep => return None,
                    Carry::Done => "done".to_owned(),
                    Carry::Reschedule(day) => format!("later:{day}"),
                };
                Some((format!("carry/{item}"), Answer::Text(text)))
            })
            .collect()
    }

    /// A draft's answers, and the choices it kept for open action items.
    fn from_draft(mut answers: Answers) -> (Answers, Vec<(Uuid, Carry)>) {
        let keys: Vec<String> = answers
            .keys()
            .filter(|k| k.starts_with("carry/"))
            .cloned()
            .collect();
        let mut choices = Vec::new();
        for key in keys {
            let item = key.trim_start_matches("carry/").parse::<Uuid>();
            if let (Ok(item), Some(Answer::Text(text))) = (item, answers.remove(&key)) {
                let carry = match text.strip_prefix("later:") {
                    Some(day) => Carry::Reschedule(day.to_owned()),
                    None if text == "done" => Carry::Done,
                    None => Carry::Keep,
                };
                choices.push((item, carry));
            }
        }
        (answers, choices)
    }
}

/// The visit form: the questions of the coaching visit form (the version the visit was captured
/// on, or the latest on the phone for a new one), then the action items left open by earlier
/// visits, each done, kept or moved. Saving checks the answers as the server will, reads the
/// visit from them, and puts the visit, its new action items and what became of the open ones
/// in the outbox together.
#[component]
pub(crate) fn VisitForm(user: Uuid, project: Uuid, visit: Option<Uuid>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let navigate = leptos_router::hooks::use_navigate();
    let mounted = mounted();
    // Read once when the page starts in the browser, not on every sync: the form keeps what is
    // being typed.
    let loaded = move || {
        if !mounted.get() {
            return None;
        }
        let view = local_view(user, sync.revision.get_untracked())?;
        let members: Vec<(Uuid, String)> = view
            .members_of(project)
            .into_iter()
            .filter(|m| {
                crate::domain::member::is_member_on(
                    m.member.joined_on.as_deref(),
                    m.member.left_on.as_deref(),
                    &crate::domain::dates::today_iso(),
                )
            })
            .map(|m| (m.member.id, m.member.full_name.clone()))
            .collect();
        let existing = visit.and_then(|id| view.get::<Visit>(id).cloned());
        let title = view
            .get::<ProjectRecord>(project)
            .map(|p| p.title.clone())
            .unwrap_or_default();
        // The items still open, agreed at earlier visits (not this one's own).
        let open: Vec<ActionItem> = view
            .actions_of(project)
            .into_iter()
            .filter(|a| a.status == ActionStatus::Open && (visit.is_none() || a.visit_id != visit))
            .cloned()
            .collect();
        Some((members, existing, title, open))
    };
    let back = format!("/projects/{project}");
    let kept = Kept::new(
        user,
        draft_name("visit", project, visit),
        "visit",
        Some(project),
    );
    view! {
        <p class="back"><a href=back.clone()><span class="icon-back" aria-hidden="true">"←"</span>" "{t_string!(i18n, cancel)}</a></p>
        {move || loaded().map(|(members, existing, title, open)| {
            let heading = if visit.is_some() { t_string!(i18n, edit_visit) } else { t_string!(i18n, new_visit) };
            let version = existing.as_ref().and_then(|v| v.fields.form.as_ref()).map(|f| f.version);
            let Some(form) = device_form(VISIT_FORM, version) else {
                // Captured on a version this phone does not hold: kept as it is, never dropped.
                return view! {
                    <h1>{heading}</h1>
                    <p class="notice">{t_string!(i18n, entry_other_version, version = version.unwrap_or(0))}</p>
                }.into_any();
            };
            let today = today();
            let base_version = existing.as_ref().map(|v| v.version).filter(|v| *v > 0);
            // Given back as it was typed, when the phone kept a draft of it.
            let draft = kept.start();
            let start = match &existing {
                Some(v) => v.fields.answers(),
                None => {
                    let mut a = Answers::new();
                    a.insert("visit_on".into(), Answer::Text(today.clone()));
                    a.insert("mode".into(), Answer::Text(VisitMode::OnSite.as_str().into()));
                    a
                }
            };
            let id = visit.unwrap_or_else(new_id);
            let (start, was_carried) = match &draft {
                Some(d) => Carry::from_draft(d.answers.clone()),
                None => (start, Vec::new()),
            };
            let answers = RwSignal::new(start);
            // Says "saved" on the form the moment the entry is on the phone; the project page
            // follows.
            let capture = Capture::new().keeping(kept);
            let carried = RwSignal::new(open.iter().map(|a| {
                let carry = was_carried.iter().find(|(item, _)| *item == a.id).map_or(Carry::Keep, |(_, c)| c.clone());
                (a.id, carry)
            }).collect::<Vec<_>>());
            let carried_error = RwSignal::new(None::<&'static str>);
            let attached = Attached::new("files", existing.as_ref().map(|v| v.fields.files.clone()).unwrap_or_default());
            if let Some(d) = &draft {
                attached.restore(d.files.clone(), &d.unasked);
            }
            kept.watch(draft.is_some(), move || {
                let mut answers = answers.get();
                answers.extend(Carry::to_draft(&carried.get()));
                Draft { answers, files: attached.files.get(), unasked: attached.unasked(), ..Default::default() }
            });
            let submit = {
                let (form, today, back, navigate) = (form.clone(), today.clone(), back.clone(), navigate.clone());
                move |status: EntryStatus| {
                    let mut given = answers.get_untracked();
                    // Answers to questions no longer shown (no shock after all) are not kept.
                    form.prune(&mut given, &today);
                    let mut found = form.validate(&given, &today);
                    if status == EntryStatus::Draft {
                        found.retain(|e| e.problem != AnswerProblem::Required);
                    }
                    let record_error = |e: FieldError| AnswerError {
                        path: vec![(question_of(e.field).to_owned(), None)],
                        problem: AnswerProblem::Record { rule: e.code.to_owned() },
                    };
                    // Agreed today, due by the next visit.
                    let titles = take_actions(&mut given);
                    let read = VisitFields::from_answers(project, status, FormAnswers { version: form.version, answers: given });
                    let fields = match read {
                        Ok(fields) => {
                            if found.is_empty() {
                                found.extend(fields.errors(&today).into_iter().map(record_error));
                            }
                            Some(fields)
                        }
                        Err(e) => {
                            if found.is_empty() {
                                found.push(record_error(e));
                            }
                            None
                        }
                    };
                    let due_on = fields.as_ref().and_then(|f| f.next_visit_on.clone());
                    let actions: Vec<crate::domain::NewActionItem> = titles
                        .into_iter()
                        .map(|title| crate::domain::NewActionItem { id: new_id(), project_id: project, visit_id: Some(id), title, due_on: due_on.clone() })
                        .collect();
                    if let Some(e) = actions.iter().find_map(|a| a.validate().err()) {
                        found.push(record_error(FieldError::new(ACTIONS, e.code)));
                    }
                    let visit_on = fields.as_ref().map(|f| f.visit_on.clone()).unwrap_or_else(|| today.clone());
                    let choices = carried.get_untracked();
                    let closed: Vec<crate::domain::CloseActionItem> = choices
                        .iter()
                        .filter(|(_, c)| *c == Carry::Done)
                        .map(|(item, _)| crate::domain::CloseActionItem { id: *item, closed_on: visit_on.clone() })
                        .collect();
                    let moved: Vec<crate::domain::RescheduleActionItem> = choices
                        .iter()
                        .filter_map(|(item, c)| match c {
                            Carry::Reschedule(day) => Some(crate::domain::RescheduleActionItem { id: *item, due_on: day.clone() }),
                            _ => None,
                        })
                        .collect();
                    carried_error.set(moved.iter().find_map(|a| a.validate().err()).map(|e| text::field_error(i18n, e.code)));
                    let files = attached.to_save(i18n);
                    if !capture.passes(found) || carried_error.get_untracked().is_some() || files.is_err() {
                        capture.focus_summary();
                        return;
                    }
                    let (Some(mut fields), Ok(files)) = (fields, files) else {
                        return;
                    };
                    fields.files = files;
                    let args = crate::sync::mutations::SaveVisitArgs { id, base_version, fields };
                    let mut entries = vec![prepare::<SaveVisit>(&args, &today)];
                    entries.extend(actions.iter().map(|a| prepare::<AddAction>(a, &today)));
                    entries.extend(closed.iter().map(|a| prepare::<CloseAction>(a, &today)));
                    entries.extend(moved.iter().map(|a| prepare::<RescheduleAction>(a, &today)));
                    capture.save(i18n, user, entries, navigate.clone(), back.clone());
                }
            };
            let submit_draft = submit.clone();
            let no_members = members.is_empty();
            let returned = existing
                .as_ref()
                .filter(|v| v.fields.status == EntryStatus::Returned)
                .and_then(|v| v.review.clone());
            let more = Signal::derive(move || {
                carried_error.get().map(|m| ("carried".to_owned(), m.to_owned())).into_iter().chain(attached.summary_line()).collect::<Vec<_>>()
            });
            view! {
                <h1>{heading}</h1>
                {(!title.is_empty()).then(|| view! { <p class="meta"><bdi>{title.clone()}</bdi></p> })}
                <DraftNote kept />
                {returned.map(|note| view! {
                    <div class="notice returned" role="note">
                        <ReviewNoteView note />
                        <p>{t_string!(i18n, returned_fix_hint)}</p>
                    </div>
                })}
                <FormErrorSummary form=form.clone() errors=capture.errors node_ref=capture.summary more />
                <SaveProblem capture />
                <form class="visit-form" novalidate on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); submit(EntryStatus::Submitted) }>
                    <FormFields form answers errors=capture.errors members today />
                    {no_members.then(|| view! { <p class="hint">{t_string!(i18n, no_members_here)}</p> })}
                    <Attachments user attached />
                    {(!open.is_empty()).then(|| view! {
                        <CarriedActions open=open.clone() carried error=carried_error.into() />
                    })}
                    <div class="actions">
                        <SavedNote capture />
                        <button type="submit" class="primary">{t_string!(i18n, save_submit)}</button>
                        <button type="button" on:click=move |_| submit_draft(EntryStatus::Draft)>{t_string!(i18n, save_draft)}</button>
                    </div>
                </form>
            }.into_any()
        })}
    }
}

/// The action items left open by earlier visits: each one done, kept, or kept for a new day.
/// Overdue ones stand out.
#[component]
fn CarriedActions(
    open: Vec<ActionItem>,
    carried: RwSignal<Vec<(Uuid, Carry)>>,
    error: Signal<Option<&'static str>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let today = today();
    let set = move |item: Uuid, carry: Carry| {
        carried.update(|all| {
            if let Some(entry) = all.iter_mut().find(|(id, _)| *id == item) {
                entry.1 = carry;
            }
        })
    };
    let rescheduling = move |item: Uuid| {
        carried.with(|all| {
            all.iter()
                .any(|(id, c)| *id == item && matches!(c, Carry::Reschedule(_)))
        })
    };
    let initial = carried.get_untracked();
    view! {
        <section id="carried" class="carried" tabindex="-1" aria-labelledby="carried-title">
            <h2 id="carried-title">{t_string!(i18n, carried_title)}</h2>
            <p class="hint">{t_string!(i18n, carried_hint)}</p>
            {move || error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            {open.into_iter().map(|a| {
                let item = a.id;
                let chosen = initial.iter().find(|(id, _)| *id == item).map_or(Carry::Keep, |(_, c)| c.clone());
                let (was, day) = match &chosen {
                    Carry::Keep => ("keep", String::new()),
                    Carry::Done => ("done", String::new()),
                    Carry::Reschedule(day) => ("later", day.clone()),
                };
                let name = format!("carry-{item}");
                let day_id = format!("carry-day-{item}");
                let overdue = a.is_overdue(&today);
                let due = a.due_on.as_deref().map(|d| t_string!(i18n, action_due_on, day = text::day(d)).to_string());
                let options = [
                    ("keep", t_string!(i18n, carried_keep)),
                    ("done", t_string!(i18n, carried_done)),
                    ("later", t_string!(i18n, carried_later)),
                ];
                view! {
                    <fieldset class="field carry" class:overdue=overdue>
                        <legend>
                            <bdi>{a.title.clone()}</bdi>
                            {due.map(|d| view! { " · "<span>{d}</span> })}
                            {overdue.then(|| view! { " "<span class="tag overdue-tag">{t_string!(i18n, overdue)}</span> })}
                        </legend>
                        {options.into_iter().map(|(value, label)| {
                            let name = name.clone();
                            view! {
                                <label class="choice">
                                    <input type="radio" name=name value=value checked=value == was
                                        on:change=move |_| set(item, match value {
                                            "done" => Carry::Done,
                                            "later" => Carry::Reschedule(String::new()),
                                            _ => Carry::Keep,
                                        }) />
                                    <span>{label}</span>
                                </label>
                            }
                        }).collect_view()}
                        <div class="field" hidden=move || !rescheduling(item)>
                            <label for=day_id.clone()>{t_string!(i18n, carried_new_day)}</label>
                            <input type="date" id=day_id value=day
                                on:input=move |ev| set(item, Carry::Reschedule(event_target_value(&ev))) />
                        </div>
                    </fieldset>
                }
            }).collect_view()}
        </section>
    }
}
