//! A project's milestones on the project page, offline: those ahead (late ones marked), those
//! reached, one tap to mark one reached today, and a short form to add one.

use crate::domain::Milestone;
use crate::domain::RecordKind;
use crate::domain::dates::today_iso;
use crate::domain::milestone::{MILESTONE_KINDS, SaveMilestoneArgs};
use crate::i18n::*;
use crate::sync::mutations::SaveMilestone;
use crate::sync::outbox::{SyncState, prepare};
use crate::ui::kit::attachments::{Attached, Attachments, EvidenceList};
use crate::ui::kit::draft::{DraftNote, Field, Kept, draft_name, keep_form};
use crate::ui::kit::save::new_id;
use crate::ui::kit::save::save_then;
use crate::ui::kit::tags::ReviewNoteView;
use crate::ui::kit::tags::state_tag;
use crate::ui::local::from_view;
use crate::ui::sync::use_sync;
use crate::ui::text;
use crate::ui::text::milestone_name;
use leptos::prelude::*;
use uuid::Uuid;

#[component]
pub fn MilestonesSection(user: Uuid, project: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let list = from_view(user, move |view| {
        view.milestones_of(project)
            .into_iter()
            .map(|m| (m.clone(), view.state(RecordKind::Milestone, m.id)))
            .collect::<Vec<(Milestone, SyncState)>>()
    });
    let error = RwSignal::new(None::<String>);
    let kind = RwSignal::new(MILESTONE_KINDS[0].to_owned());
    let label = RwSignal::new(String::new());
    let due = RwSignal::new(String::new());
    // The new milestone's form, kept as it is typed.
    let kept = Kept::new(
        user,
        draft_name("milestone", project, None),
        "milestone",
        Some(project),
    );
    keep_form(
        kept,
        vec![
            Field::text("kind", kind),
            Field::text("label", label),
            Field::text("due", due),
        ],
        None,
        None,
    );
    let save = move |args: SaveMilestoneArgs, draft: Option<Kept>, done: Box<dyn FnOnce()>| {
        let today = today_iso();
        save_then(
            i18n,
            sync,
            user,
            vec![prepare::<SaveMilestone>(&args, &today)],
            draft,
            Box::new(move |r| match r {
                Ok(()) => {
                    error.set(None);
                    done();
                }
                Err(m) => error.set(Some(m)),
            }),
        );
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let args = SaveMilestoneArgs {
            id: new_id(),
            project_id: project,
            base_version: None,
            kind: kind.get_untracked(),
            label: label.get_untracked(),
            due_on: Some(due.get_untracked()).filter(|d| !d.is_empty()),
            achieved_on: None,
            files: Vec::new(),
        };
        save(
            args,
            Some(kept),
            Box::new(move || {
                label.set(String::new());
                due.set(String::new());
                kept.saved_and_emptied();
            }),
        );
    };
    view! {
        <section aria-labelledby="milestones-title">
            <h2 id="milestones-title">{t_string!(i18n, milestones_title)}</h2>
            {move || list().map(|items| {
                let today = today_iso();
                view! {
                    <p hidden=!items.is_empty()>{t_string!(i18n, milestones_none)}</p>
                    <ul class="entries milestones">
                        {items.into_iter().map(|(m, state)| {
                            let name = milestone_name(i18n, &m.kind, &m.label);
                            let when = match (&m.achieved_on, &m.due_on) {
                                (Some(d), _) => t_string!(i18n, milestone_reached_on, day = text::day(d)).to_string(),
                                (None, Some(d)) => t_string!(i18n, milestone_due_on, day = text::day(d)).to_string(),
                                (None, None) => String::new(),
                            };
                            let late = m.is_late(&today);
                            let reached = m.achieved_on.is_some();
                            let tag = (state != SyncState::Sent).then(|| state_tag(i18n, &state));
                            let hidden_name = name.clone();
                            let review = m.review.clone();
                            let returned = review.as_ref().is_some_and(|r| r.decision == crate::domain::EntryStatus::Returned);
                            let changed = {
                                let m = m.clone();
                                move |due_on: Option<String>, achieved_on: Option<String>| SaveMilestoneArgs {
                                    id: m.id,
                                    project_id: m.project_id,
                                    base_version: Some(m.version).filter(|v| *v > 0),
                                    kind: m.kind.clone(),
                                    label: m.label.clone(),
                                    due_on,
                                    achieved_on,
                                    files: m.files.clone(),
                                }
                            };
                            let mark = {
                                let (changed, due_on) = (changed.clone(), m.due_on.clone());
                                move |_| save(changed(due_on.clone(), Some(today_iso())), None, Box::new(|| {}))
                            };
                            // A returned milestone is corrected here: its days, sent again for review.
                            let fix_due = RwSignal::new(m.due_on.clone().unwrap_or_default());
                            let fix_reached = RwSignal::new(m.achieved_on.clone().unwrap_or_default());
                            let fix = {
                                let changed = changed.clone();
                                move |ev: leptos::ev::SubmitEvent| {
                                ev.prevent_default();
                                let day = |s: String| Some(s).filter(|d| !d.is_empty());
                                save(changed(day(fix_due.get_untracked()), day(fix_reached.get_untracked())), None, Box::new(|| {}));
                            }};
                            let (due_id, reached_id) = (format!("fix-due-{}", m.id), format!("fix-reached-{}", m.id));
                            // Evidence that it is reached: a photo of the equipment, the first
                            // sale's receipt. New files join those it carries.
                            let proof = Attached::new(format!("milestone-{}", m.id), Vec::new());
                            // Kept as it is chosen: a killed tab, or the list drawn again after
                            // a sync, gives the photos back to this milestone.
                            let kept_proof = Kept::new(
                                user,
                                draft_name("proof", project, Some(m.id)),
                                "proof",
                                Some(project),
                            );
                            keep_form(kept_proof, Vec::new(), None, Some(proof));
                            let held_files = m.files.clone();
                            let add_proof = {
                                let (changed, due_on, achieved_on) = (changed.clone(), m.due_on.clone(), m.achieved_on.clone());
                                move |ev: leptos::ev::SubmitEvent| {
                                    ev.prevent_default();
                                    let Ok(added) = proof.to_save(i18n) else { return };
                                    let mut args = changed(due_on.clone(), achieved_on.clone());
                                    for f in added {
                                        if !args.files.iter().any(|g| g.sha256 == f.sha256) {
                                            args.files.push(f);
                                        }
                                    }
                                    save(
                                        args,
                                        Some(kept_proof),
                                        Box::new(move || {
                                            proof.clear();
                                            kept_proof.saved_and_emptied();
                                        }),
                                    );
                                }
                            };
                            view! {
                                <li class:done=reached>
                                    <p class="entry-head"><strong>{name}</strong></p>
                                    <p class="entry-state">
                                        {(!when.is_empty()).then(|| view! { <span>{when}</span>" " })}
                                        {late.then(|| view! { <span class="tag tag-overdue"><span aria-hidden="true">"⚠ "</span>{t_string!(i18n, milestone_late)}</span>" " })}
                                        {tag.map(|t| view! { <span class=t.class><span aria-hidden="true">{t.icon}</span>{t.text}</span> })}
                                    </p>
                                    {review.map(|note| view! { <ReviewNoteView note /> })}
                                    <EvidenceList files=held_files on_phone=true />
                                    <details class="milestone-proof" prop:open=move || kept_proof.restored.get()>
                                        <summary>"📎 "{t_string!(i18n, milestone_proof)}<span class="visually-hidden">" : "{hidden_name.clone()}</span></summary>
                                        <form class="inline-form" on:submit=add_proof novalidate>
                                            <DraftNote kept=kept_proof />
                                            <Attachments user attached=proof />
                                            <button type="submit">{t_string!(i18n, milestone_proof_save)}</button>
                                        </form>
                                    </details>
                                    {(!reached).then(|| view! {
                                        <button type="button" on:click=mark>
                                            {t_string!(i18n, milestone_mark_reached)}
                                            <span class="visually-hidden">" : "{hidden_name.clone()}</span>
                                        </button>
                                    })}
                                    {returned.then(|| view! {
                                        <details class="fix-milestone">
                                            <summary>{t_string!(i18n, milestone_fix)}<span class="visually-hidden">" : "{hidden_name}</span></summary>
                                            <form class="inline-form" on:submit=fix novalidate>
                                                <div class="field">
                                                    <label for=due_id.clone()>{t_string!(i18n, milestone_due)}</label>
                                                    <input id=due_id type="date" prop:value=move || fix_due.get()
                                                        on:input=move |ev| fix_due.set(event_target_value(&ev)) />
                                                </div>
                                                <div class="field">
                                                    <label for=reached_id.clone()>{t_string!(i18n, rv_reached)}</label>
                                                    <input id=reached_id type="date" prop:value=move || fix_reached.get()
                                                        on:input=move |ev| fix_reached.set(event_target_value(&ev)) />
                                                </div>
                                                <button type="submit">{t_string!(i18n, milestone_fix_save)}</button>
                                            </form>
                                        </details>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
            })}
            {move || error.get().map(|m| view! { <p class="error-panel" role="alert">{m}</p> })}
            <details class="add-milestone" prop:open=move || kept.restored.get()>
                <summary>{t_string!(i18n, milestone_new)}</summary>
                <form class="inline-form" on:submit=add novalidate>
                    <DraftNote kept />
                    <div class="field">
                        <label for="milestone-kind">{t_string!(i18n, milestone_kind)}</label>
                        <select id="milestone-kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                            {MILESTONE_KINDS.iter().map(|k| {
                                let name = if *k == "other" { t_string!(i18n, ms_other).to_string() } else { milestone_name(i18n, k, "") };
                                view! { <option value=*k prop:selected=move || kind.with(|c| c == k)>{name}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="milestone-label">{t_string!(i18n, milestone_label)}</label>
                        <input id="milestone-label" type="text" maxlength="120"
                            prop:value=move || label.get() on:input=move |ev| label.set(event_target_value(&ev)) />
                    </div>
                    <div class="field">
                        <label for="milestone-due">{t_string!(i18n, milestone_due)}</label>
                        <input id="milestone-due" type="date"
                            prop:value=move || due.get() on:input=move |ev| due.set(event_target_value(&ev)) />
                    </div>
                    <button type="submit">{t_string!(i18n, milestone_add)}</button>
                </form>
            </details>
        </section>
    }
}
