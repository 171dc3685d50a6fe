//! Coaching visits and action items on the phone: listed on the project page from the local view
//! (so they show offline, with where each entry stands), captured in a form that saves to the
//! outbox at once.
//!
//! Everything here reads device storage, which the server cannot see: the lists and the form draw
//! after the page has started in the browser (an effect), so the server's markup and the first
//! browser render agree.

use crate::domain::RecordKind;
use crate::domain::form::{Answer, Answers};
use crate::domain::{MEMBER_FORM, SaveMemberArgs};
use crate::i18n::*;
use crate::sync::drafts::Draft;
use crate::sync::mutations::SaveMember;
use crate::sync::outbox::{SyncState, prepare};
use crate::sync::protocol::MemberRecord;
use crate::ui::kit::draft::{DraftNote, Kept, draft_name};
use crate::ui::kit::form_view::FormErrorSummary;
use crate::ui::kit::form_view::FormFields;
use crate::ui::kit::gate::CapturePage;
use crate::ui::kit::save::{Capture, SaveProblem, SavedNote, new_id, save_then};
use crate::ui::kit::tags::{ReviewNoteView, state_tag};
use crate::ui::local::form_start;
use crate::ui::local::from_view;
use crate::ui::sync::use_sync;
use crate::ui::text;
use leptos::prelude::*;
use uuid::Uuid;

/// The project's members: from the phone once the page runs in the browser (with the ones
/// registered here and not sent yet), from the server's page before. Each member's answers can
/// be edited by whoever may see them.
#[component]
pub fn MembersSection(
    user: Uuid,
    project: Uuid,
    initial: Vec<crate::domain::Member>,
) -> impl IntoView {
    let i18n = use_i18n();
    let local = from_view(user, move |view| {
        view.members_of(project)
            .into_iter()
            .map(|m| {
                (
                    m.member.clone(),
                    view.state(RecordKind::Member, m.member.id),
                    m.review.clone(),
                )
            })
            .collect::<Vec<_>>()
    });
    let list = move || match local() {
        Some(list) if !list.is_empty() => list,
        _ => initial
            .iter()
            .map(|m| (m.clone(), SyncState::Sent, None))
            .collect(),
    };
    let new_href = format!("/projects/{project}/members/new");
    view! {
        <section aria-labelledby="members-title">
            {move || {
                let list = list();
                let today = crate::domain::dates::today_iso();
                let active = list
                    .iter()
                    .filter(|(m, _, _)| {
                        crate::domain::member::is_member_on(m.joined_on.as_deref(), m.left_on.as_deref(), &today)
                    })
                    .count();
                view! {
                    <h2 id="members-title">{t_string!(i18n, members)}" "<span class="count">{format!("({active})")}</span></h2>
                    <p><a class="button" href=new_href.clone()>"＋ "{t_string!(i18n, member_new)}</a></p>
                    <ul class="members">
                        {list.into_iter().map(|(m, state, review)| {
                            let left = m.left_on.clone();
                            let has_left = left.is_some();
                            let edit = m.private.is_some().then(|| format!("/projects/{project}/members/{}", m.id));
                            let name = m.full_name.clone();
                            view! {
                                <li class:left=has_left>
                                    <strong><bdi>{m.full_name.clone()}</bdi></strong>
                                    <span>{text::member_role(i18n, &m.role)}</span>
                                    {m.birth_year.map(|y| view! { <span>{t_string!(i18n, born_in)}" "{y}</span> })}
                                    {m.with_disability.then(|| view! { <span class="tag">{t_string!(i18n, with_disability)}</span> })}
                                    {left.map(|d| view! { <span class="tag">{t_string!(i18n, left_on)}" "{text::day(&d)}</span> })}
                                    {(state != SyncState::Sent).then(|| {
                                        let tag = state_tag(i18n, &state);
                                        view! { <span class=tag.class><span aria-hidden="true">{tag.icon}</span>{tag.text}</span> }
                                    })}
                                    {edit.map(|href| view! {
                                        <a href=href>{t_string!(i18n, edit)}<span class="visually-hidden">" "<bdi>{name}</bdi></span></a>
                                    })}
                                    {review.map(|note| view! { <ReviewNoteView note /> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
            }}
        </section>
    }
}

#[component]
pub fn MemberFormPage() -> impl IntoView {
    let i18n = use_i18n();
    let title = move |editing: bool| {
        if editing {
            t_string!(i18n, member_edit)
        } else {
            t_string!(i18n, member_new)
        }
        .to_owned()
    };
    let form = |user, project, member| view! { <MemberForm user project member /> };
    view! { <CapturePage record="member" title form /> }
}

#[component]
pub(crate) fn MemberForm(user: Uuid, project: Uuid, member: Option<Uuid>) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = leptos_router::hooks::use_navigate();
    let back = format!("/projects/{project}");
    let loaded = form_start::<MemberRecord>(user, project, member);
    let kept = Kept::new(
        user,
        draft_name("member", project, member),
        "member",
        Some(project),
    );
    view! {
        <p class="back"><a href=back.clone()><span class="icon-back" aria-hidden="true">"←"</span>" "{t_string!(i18n, cancel)}</a></p>
        {move || loaded().map(|(title, existing)| {
            let Some(form) = crate::ui::form_store::device_form(MEMBER_FORM, None) else {
                return view! { <p class="error-panel">{t_string!(i18n, page_unavailable_title)}</p> }.into_any();
            };
            // A member whose answers this user may not see is not edited here.
            if member.is_some() && existing.as_ref().is_none_or(|m| m.member.private.is_none()) {
                return view! { <p>{t_string!(i18n, not_found_body)}</p> }.into_any();
            }
            let base_version = existing.as_ref().map(|m| m.version).filter(|v| *v > 0);
            let start = match &existing {
                Some(m) => m.member.answers(),
                None => {
                    let mut a = Answers::new();
                    a.insert("joined_on".into(), Answer::Text(crate::domain::dates::today_iso()));
                    a
                }
            };
            let id = member.unwrap_or_else(new_id);
            // Given back as it was typed, when the phone kept a draft of it.
            let draft = kept.start();
            let restored = draft.is_some();
            let answers = RwSignal::new(draft.map_or(start, |d| d.answers));
            kept.watch(restored, move || Draft { answers: answers.get(), ..Default::default() });
            let capture = Capture::new().keeping(kept);
            let today = crate::domain::dates::today_iso();
            let navigate = navigate.clone();
            let back = back.clone();
            let save = {
                let (form, today) = (form.clone(), today.clone());
                move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    let mut given = answers.get_untracked();
                    // Answers to questions no longer asked (consent withdrawn) are not kept.
                    form.prune(&mut given, &today);
                    if !capture.passes(form.validate(&given, &today)) {
                        return;
                    }
                    let args = SaveMemberArgs {
                        id,
                        project_id: project,
                        base_version,
                        form_version: form.version,
                        answers: given,
                    };
                    capture.save(i18n, user, vec![prepare::<SaveMember>(&args, &today)], navigate.clone(), back.clone());
                }
            };
            view! {
                <h1>{if member.is_some() { t_string!(i18n, member_edit) } else { t_string!(i18n, member_new) }}</h1>
                {(!title.is_empty()).then(|| view! { <p class="meta"><bdi>{title.clone()}</bdi></p> })}
                <DraftNote kept />
                <FormErrorSummary form=form.clone() errors=capture.errors node_ref=capture.summary />
                <SaveProblem capture />
                <form class="member-form" on:submit=save novalidate>
                    <FormFields form answers errors=capture.errors today />
                    <div class="actions">
                        <SavedNote capture />
                        <button type="submit" class="primary">{t_string!(i18n, member_save)}</button>
                    </div>
                </form>
                {existing.map(|m| view! { <LeaveForm user project member=m.member /> })}
            }.into_any()
        })}
    }
}

/// Records that the member left the project (on a day, today by default); shown once they have.
#[component]
pub(crate) fn LeaveForm(user: Uuid, project: Uuid, member: crate::domain::Member) -> impl IntoView {
    use crate::domain::MemberLeaves;
    use crate::sync::mutations::LeaveProject;
    let i18n = use_i18n();
    let sync = use_sync();
    let day = RwSignal::new(crate::domain::dates::today_iso());
    let error = RwSignal::new(None::<String>);
    let left = RwSignal::new(member.left_on.clone());
    let leave = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let args = MemberLeaves {
            id: member.id,
            project_id: project,
            left_on: day.get_untracked(),
        };
        let today = crate::domain::dates::today_iso();
        let on = args.left_on.clone();
        save_then(
            i18n,
            sync,
            user,
            vec![prepare::<LeaveProject>(&args, &today)],
            None,
            Box::new(move |r| match r {
                Ok(()) => {
                    error.set(None);
                    left.set(Some(on));
                }
                Err(m) => error.set(Some(m)),
            }),
        );
    };
    view! {
        <section class="leave" aria-labelledby="leave-title">
            <h2 id="leave-title">{t_string!(i18n, member_leave_title)}</h2>
            {move || match left.get() {
                Some(d) => view! {
                    <p class="notice" role="status">{t_string!(i18n, left_on)}" "{crate::ui::text::day(&d)}</p>
                }.into_any(),
                None => view! {
                    <form class="inline-form" on:submit=leave novalidate>
                        <div class="field">
                            <label for="left-on">{t_string!(i18n, member_left_day)}</label>
                            <input id="left-on" type="date" aria-describedby="left-on-error"
                                prop:value=move || day.get() on:input=move |ev| day.set(event_target_value(&ev)) />
                            <p class="field-error" id="left-on-error">{move || error.get()}</p>
                        </div>
                        <button type="submit">{t_string!(i18n, member_leave)}</button>
                    </form>
                }.into_any(),
            }}
        </section>
    }
}
