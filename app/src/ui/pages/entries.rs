//! Diagnostics and SSE-law self-assessments on the phone: on the project page, the diagnostic
//! scores over time and the latest self-assessment with what to work on (each gap one tap from an
//! action item); and the form that makes or fixes one, offline, drawn from its definition.
//!
//! Like visits, everything here reads device storage: it draws once the page runs in the browser.

use crate::domain::RecordKind;
use crate::domain::entry::{
    DIAGNOSTIC_AXES, DIAGNOSTIC_FORM, DiagnosticPoint, SSE_FORM, assessment_gaps, assessment_score,
    day_field, diagnostic_series, gap_action_title,
};
use crate::domain::form::{Answer, Answers, FieldKind, FormDefinition};
use crate::domain::{
    ActionStatus, EntryStatus, FormEntry, NewActionItem, ProjectKind, SaveEntryArgs,
};
use crate::i18n::*;
use crate::sync::drafts::Draft;
use crate::sync::mutations::{AddAction, SaveEntry};
use crate::sync::outbox::{SyncState, prepare};
use crate::ui::form_store::device_form;
use crate::ui::kit::attachments::{Attached, Attachments, EvidenceList};
use crate::ui::kit::draft::{DraftNote, Kept, draft_name};
use crate::ui::kit::form_view::FormErrorSummary;
use crate::ui::kit::form_view::FormFields;
use crate::ui::kit::gate::CapturePage;
use crate::ui::kit::save::new_id;
use crate::ui::kit::save::save_then;
use crate::ui::kit::save::{Capture, SaveProblem, SavedNote};
use crate::ui::kit::tags::Entry;
use crate::ui::kit::tags::ReviewNoteView;
use crate::ui::kit::tags::Tag;
use crate::ui::kit::tags::plain_tag;
use crate::ui::kit::tags::state_tag;
use crate::ui::local::form_start;
use crate::ui::local::from_view;
use crate::ui::sync::use_sync;
use crate::ui::text;
use crate::ui::text::pick;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use std::sync::Arc;
use uuid::Uuid;

/// The label of a single-choice answer, in the reader's language.
pub(crate) fn choice_label(
    form: &FormDefinition,
    field: &str,
    value: &str,
    locale: Locale,
) -> String {
    form.fields
        .iter()
        .find(|f| f.name == field)
        .and_then(|f| match &f.kind {
            FieldKind::SingleChoice { choices } => choices.iter().find(|c| c.value == value),
            _ => None,
        })
        .map(|c| pick(&c.label, locale))
        .unwrap_or_else(|| value.to_owned())
}

pub(crate) fn field_label(form: &FormDefinition, field: &str, locale: Locale) -> String {
    form.fields
        .iter()
        .find(|f| f.name == field)
        .map(|f| pick(&f.label, locale))
        .unwrap_or_else(|| field.to_owned())
}

/// The tags of an entry: its review status, and where it stands with the server.
pub(crate) fn entry_tags(
    i18n: I18nContext<Locale>,
    entry: &FormEntry,
    state: &SyncState,
) -> Vec<Tag> {
    let status = match entry.status {
        EntryStatus::Returned => Tag {
            class: "tag returned",
            icon: "↩ ",
            text: text::entry_status(i18n, entry.status).into(),
        },
        status => plain_tag(text::entry_status(i18n, status).into()),
    };
    vec![status, state_tag(i18n, state)]
}

/// One entry of a list: day, what it is, tags, the supervisor's comment while it waits for its
/// fix, and a link to open it.
#[component]
pub(crate) fn EntryItem(head: String, entry: FormEntry, state: SyncState) -> impl IntoView {
    let i18n = use_i18n();
    let tags = entry_tags(i18n, &entry, &state);
    let returned = entry
        .review
        .clone()
        .filter(|_| entry.status == EntryStatus::Returned);
    let href = format!("/projects/{}/entries/{}", entry.project_id, entry.id);
    let hidden = head.clone();
    view! {
        <Entry head tags text=None>
            {returned.map(|note| view! { <ReviewNoteView note /> })}
            <p><a href=href>{t_string!(i18n, open_entry)}<span class="visually-hidden">" "{hidden}</span></a></p>
        </Entry>
    }
}

/// The project's diagnostics: the six scores over time as a chart (with the numbers as a table),
/// and each diagnostic with where it stands.
#[component]
pub fn DiagnosticsSection(user: Uuid, project: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let entries = from_view(user, move |view| {
        view.entries_of(project)
            .into_iter()
            .filter(|e| e.form_id == DIAGNOSTIC_FORM)
            .map(|e| (e.clone(), view.state(RecordKind::Entry, e.id)))
            .collect::<Vec<_>>()
    });
    let new_href = format!("/projects/{project}/diagnostics/new");
    view! {
        <section aria-labelledby="diagnostics-title">
            <h2 id="diagnostics-title">{t_string!(i18n, diagnostics_title)}</h2>
            <p><a class="button" href=new_href>"＋ "{t_string!(i18n, diagnostic_new)}</a></p>
            {move || entries().zip(device_form(DIAGNOSTIC_FORM, None)).map(|(list, form)| {
                let locale = i18n.get_locale();
                let points = diagnostic_series(list.iter().map(|(e, _)| e));
                view! {
                    <p hidden=!list.is_empty()>{t_string!(i18n, no_diagnostics)}</p>
                    {(!points.is_empty()).then(|| view! { <DiagnosticChart form=form.clone() points /> })}
                    <ul class="entries">
                        {list.into_iter().map(|(e, state)| {
                            let stage = e.choice("stage").map(|s| choice_label(&form, "stage", s, locale)).unwrap_or_default();
                            let head = format!("{} · {stage}", text::day(e.day()));
                            view! { <EntryItem head entry=e state /> }
                        }).collect_view()}
                    </ul>
                }
            })}
        </section>
    }
}

/// How many diagnostics the chart draws (the latest ones): a project has three in its life.
pub(crate) const CHART_DIAGNOSTICS: usize = 4;

/// The scores by axis, one bar per diagnostic from the oldest to the latest, each bar with its
/// number; the same figures as a table for whoever prefers to read them.
#[component]
pub(crate) fn DiagnosticChart(
    form: Arc<FormDefinition>,
    points: Vec<DiagnosticPoint>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let skip = points.len().saturating_sub(CHART_DIAGNOSTICS);
    let points: Vec<DiagnosticPoint> = points.into_iter().skip(skip).collect();
    let names: Vec<String> = points
        .iter()
        .map(|p| {
            let stage = choice_label(&form, "stage", &p.stage, locale);
            format!("{stage} · {}", text::day(&p.day))
        })
        .collect();
    let axes: Vec<String> = DIAGNOSTIC_AXES
        .iter()
        .map(|a| field_label(&form, a, locale))
        .collect();
    let score = |s: Option<u8>| s.map_or_else(|| "—".to_owned(), |s| s.to_string());
    view! {
        <figure class="score-chart">
            <figcaption>{t_string!(i18n, diagnostic_chart_caption)}</figcaption>
            <ul class="legend" aria-hidden="true">
                {names.iter().enumerate().map(|(i, n)| view! {
                    <li><span class=format!("swatch s{i}")></span>{n.clone()}</li>
                }).collect_view()}
            </ul>
            <dl class="axes">
                {axes.iter().enumerate().map(|(a, axis)| view! {
                    <dt>{axis.clone()}</dt>
                    <dd>
                        <ul class="bars">
                            {points.iter().enumerate().map(|(i, p)| {
                                let s = p.scores[a];
                                view! {
                                    <li class=format!("bar s{i}") style=format!("--score:{}", s.unwrap_or(0))>
                                        <span class="visually-hidden">{names[i].clone()}" : "</span>
                                        {score(s)}<span class="visually-hidden">" / 5"</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </dd>
                }).collect_view()}
            </dl>
            <details>
                <summary>{t_string!(i18n, scores_as_table)}</summary>
                <div class="table-scroll" tabindex="0" role="region" aria-label=t_string!(i18n, scores_as_table)>
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">{t_string!(i18n, axis)}</th>
                                {names.iter().map(|n| view! { <th scope="col">{n.clone()}</th> }).collect_view()}
                            </tr>
                        </thead>
                        <tbody>
                            {axes.iter().enumerate().map(|(a, axis)| view! {
                                <tr>
                                    <th scope="row">{axis.clone()}</th>
                                    {points.iter().map(|p| view! { <td>{score(p.scores[a])}</td> }).collect_view()}
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </details>
        </figure>
    }
}

/// The SSE-law self-assessment (for an individual project: readiness to join or form a
/// collective): the latest one's score, the criteria to work on, each one tap from an action
/// item, and every assessment with where it stands.
#[component]
pub fn AssessmentSection(user: Uuid, project: Uuid, kind: ProjectKind) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let entries = from_view(user, move |view| {
        let list = view
            .entries_of(project)
            .into_iter()
            .filter(|e| e.form_id == SSE_FORM)
            .map(|e| (e.clone(), view.state(RecordKind::Entry, e.id)))
            .collect::<Vec<_>>();
        // Open action items, by title: a gap already turned into one says so.
        let open: Vec<String> = view
            .actions_of(project)
            .into_iter()
            .filter(|a| a.status == ActionStatus::Open)
            .map(|a| a.title.clone())
            .collect();
        (list, open)
    });
    let new_href = format!("/projects/{project}/assessments/new");
    let error = RwSignal::new(None::<String>);
    let add_action = move |title: String| {
        let args = NewActionItem {
            id: new_id(),
            project_id: project,
            visit_id: None,
            title,
            due_on: None,
        };
        let today = crate::domain::dates::today_iso();
        save_then(
            i18n,
            sync,
            user,
            vec![prepare::<AddAction>(&args, &today)],
            None,
            Box::new(move |r| match r {
                Ok(()) => error.set(None),
                Err(message) => error.set(Some(message)),
            }),
        );
    };
    view! {
        <section aria-labelledby="assessment-title">
            <h2 id="assessment-title">{move || match kind {
                ProjectKind::Collective => device_form(SSE_FORM, None).map(|f| pick(&f.title, i18n.get_locale())).unwrap_or_default(),
                ProjectKind::Individual => t_string!(i18n, readiness_title).to_string(),
            }}</h2>
            {(kind == ProjectKind::Individual).then(|| view! { <p>{t_string!(i18n, readiness_intro)}</p> })}
            <p><a class="button" href=new_href>"＋ "{t_string!(i18n, assessment_new)}</a></p>
            {move || entries().map(|(list, open)| {
                let locale = i18n.get_locale();
                let latest = list.first().map(|(e, _)| e.clone());
                view! {
                    <p hidden=!list.is_empty()>{t_string!(i18n, no_assessments)}</p>
                    {latest.and_then(|e| {
                        // Scored against the version it was made with.
                        let form = device_form(SSE_FORM, Some(e.form_version))?;
                        let score = assessment_score(&form, &e.answers);
                        let gaps = assessment_gaps(&form, &e.answers);
                        let day = text::day(e.day());
                        Some(view! {
                            <div class="assessment-result">
                                <p class="score">
                                    <strong>{t_string!(i18n, latest_assessment, day = day)}</strong>
                                    {score.percent.map(|p| view! { " · "{t_string!(i18n, assessment_score, percent = p)} })}
                                </p>
                                <p>{t_string!(i18n, assessment_counts, yes = score.yes, partial = score.partial, no = score.no, na = score.not_applicable)}</p>
                                {(!gaps.is_empty()).then(|| view! {
                                    <h3>{t_string!(i18n, gaps_title)}</h3>
                                    <ul class="gaps">
                                        {gaps.into_iter().map(|g| {
                                            let label = pick(&g.label, locale);
                                            let title = gap_action_title(&label);
                                            let added = open.contains(&title);
                                            let answer = choice_label(&form, &g.field, match g.answer {
                                                crate::domain::entry::Alignment::Partial => "partial",
                                                _ => "no",
                                            }, locale);
                                            view! {
                                                <li>
                                                    <span>{label.clone()}</span>" "
                                                    <span class="tag">{answer}</span>
                                                    {if added {
                                                        view! { <span class="tag sent"><span aria-hidden="true">"✓ "</span>{t_string!(i18n, gap_action_added)}</span> }.into_any()
                                                    } else {
                                                        view! {
                                                            <button type="button" on:click=move |_| add_action(title.clone())>
                                                                {t_string!(i18n, gap_add_action)}
                                                                <span class="visually-hidden">" : "{label.clone()}</span>
                                                            </button>
                                                        }.into_any()
                                                    }}
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                })}
                            </div>
                        })
                    })}
                    {move || error.get().map(|m| view! { <p class="error-panel" role="alert">{m}</p> })}
                    <ul class="entries">
                        {list.into_iter().map(|(e, state)| {
                            let score = device_form(SSE_FORM, Some(e.form_version))
                                .map(|form| assessment_score(&form, &e.answers))
                                .unwrap_or_default();
                            let mut head = text::day(e.day());
                            if let Some(p) = score.percent {
                                head = format!("{head} · {}", t_string!(i18n, assessment_score, percent = p));
                            }
                            view! { <EntryItem head entry=e state /> }
                        }).collect_view()}
                    </ul>
                }
            })}
        </section>
    }
}

/// `/projects/:id/diagnostics/new`, `/projects/:id/assessments/new` and
/// `/projects/:id/entries/:entry`: make an entry, or open one (a draft to finish, a returned one
/// to fix; a validated one to read).
#[component]
pub fn EntryFormPage() -> impl IntoView {
    let i18n = use_i18n();
    let path = leptos_router::hooks::use_location().pathname;
    // A new entry is a diagnostic or a self-assessment, as the address says.
    let new_form = move || {
        if path.get_untracked().contains("/assessments/") {
            SSE_FORM
        } else {
            DIAGNOSTIC_FORM
        }
    };
    let title = move |_editing: bool| {
        device_form(new_form(), None)
            .map(|f| pick(&f.title, i18n.get_locale()))
            .unwrap_or_default()
    };
    let form =
        move |user, project, entry| view! { <EntryForm user project entry new_form=new_form() /> };
    view! { <CapturePage record="entry" title form /> }
}

#[component]
pub(crate) fn EntryForm(
    user: Uuid,
    project: Uuid,
    entry: Option<Uuid>,
    new_form: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = leptos_router::hooks::use_navigate();
    let back = format!("/projects/{project}");
    let loaded = form_start::<FormEntry>(user, project, entry);
    let which = match (entry, new_form) {
        (Some(_), _) => "entry",
        (None, SSE_FORM) => "assessment",
        (None, _) => "diagnostic",
    };
    let kept = Kept::new(
        user,
        draft_name(which, project, entry),
        which,
        Some(project),
    );
    view! {
        <p class="back"><a href=back.clone()><span class="icon-back" aria-hidden="true">"←"</span>" "{t_string!(i18n, cancel)}</a></p>
        {move || loaded().map(|(title, existing)| {
            if entry.is_some() && existing.as_ref().is_none_or(|e| e.project_id != project) {
                return view! { <p>{t_string!(i18n, not_found_body)}</p> }.into_any();
            }
            let form_id = existing.as_ref().map_or(new_form, |e| if e.form_id == SSE_FORM { SSE_FORM } else { DIAGNOSTIC_FORM });
            // A new entry takes the latest version on the phone; one already made keeps its own.
            let Some(form) = device_form(form_id, existing.as_ref().map(|e| e.form_version)) else {
                let heading = device_form(form_id, None).map(|f| pick(&f.title, i18n.get_locale_untracked())).unwrap_or_default();
                let version = existing.as_ref().map_or(0, |e| e.form_version);
                // Made with a version this phone does not hold: kept as it is, never dropped.
                return view! {
                    <h1>{heading}</h1>
                    <p class="notice">{t_string!(i18n, entry_other_version, version = version)}</p>
                }.into_any();
            };
            let heading = pick(&form.title, i18n.get_locale_untracked());
            let locked = existing.as_ref().is_some_and(|e| e.status == EntryStatus::Validated);
            let base_version = existing.as_ref().map(|e| e.version).filter(|v| *v > 0);
            let note = existing.as_ref().and_then(|e| e.review.clone().filter(|_| e.status == EntryStatus::Returned));
            let today = crate::domain::dates::today_iso();
            let start = match &existing {
                Some(e) => e.answers.clone(),
                None => {
                    let mut a = Answers::new();
                    a.insert(day_field(form_id).into(), Answer::Text(today.clone()));
                    a
                }
            };
            let id = entry.unwrap_or_else(new_id);
            // Given back as it was typed, when the phone kept a draft of it (never over a
            // validated entry, which is read only).
            let draft = if locked { None } else { kept.start() };
            // The photos and documents it carries stay with it through an edit.
            let attached = Attached::new("files", existing.as_ref().map(|e| e.files.clone()).unwrap_or_default());
            let answers = RwSignal::new(draft.as_ref().map_or(start, |d| d.answers.clone()));
            if let Some(d) = &draft {
                attached.restore(d.files.clone(), &d.unasked);
            }
            if !locked {
                kept.watch(draft.is_some(), move || Draft { answers: answers.get(), files: attached.files.get(), unasked: attached.unasked(), ..Default::default() });
            }
            let capture = Capture::new().keeping(kept);
            let save = {
                let (form, today, back, navigate) = (form.clone(), today.clone(), back.clone(), navigate.clone());
                move |status: EntryStatus| {
                    let mut given = answers.get_untracked();
                    form.prune(&mut given, &today);
                    let files = attached.to_save(i18n);
                    let args = SaveEntryArgs {
                        id,
                        project_id: project,
                        base_version,
                        form_id: form.id.clone(),
                        form_version: form.version,
                        status,
                        answers: given,
                        files: files.clone().unwrap_or_default(),
                    };
                    if !capture.passes(args.check(&form, &today)) || files.is_err() {
                        capture.focus_summary();
                        return;
                    }
                    capture.save(i18n, user, vec![prepare::<SaveEntry>(&args, &today)], navigate.clone(), back.clone());
                }
            };
            let submit = save.clone();
            view! {
                <h1>{heading}</h1>
                {(!title.is_empty()).then(|| view! { <p class="meta"><bdi>{title.clone()}</bdi></p> })}
                <DraftNote kept />
                {note.map(|note| view! {
                    <ReviewNoteView note />
                    <p class="hint">{t_string!(i18n, returned_entry_fix_hint)}</p>
                })}
                {locked.then(|| view! { <p class="notice success">{t_string!(i18n, entry_validated_locked)}</p> })}
                <FormErrorSummary form=form.clone() errors=capture.errors node_ref=capture.summary
                    more=Signal::derive(move || attached.summary_line().into_iter().collect()) />
                <SaveProblem capture />
                <form class="entry-form" novalidate on:submit=move |ev| { ev.prevent_default(); submit(EntryStatus::Submitted) }>
                    <fieldset class="plain" disabled=locked>
                        <legend class="visually-hidden">{pick(&form.title, i18n.get_locale_untracked())}</legend>
                        <FormFields form answers errors=capture.errors today />
                    </fieldset>
                    {(!locked).then(|| view! { <Attachments user attached /> })}
                    {locked.then(|| view! { <EvidenceList files=attached.files.get_untracked() on_phone=true /> })}
                    {(!locked).then(|| view! {
                        <div class="actions">
                            <SavedNote capture />
                            <button type="submit" class="primary">{t_string!(i18n, save_submit)}</button>
                            <button type="button" on:click=move |_| save(EntryStatus::Draft)>{t_string!(i18n, save_draft)}</button>
                        </div>
                    })}
                </form>
            }.into_any()
        })}
    }
}
