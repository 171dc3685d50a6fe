//! The project's timeline on the project page: visits, their versions and reviews, diagnostics
//! and self-assessments, action items, members, tranches and risk flags, newest first. Drawn
//! from the phone's data and from the project page as the server last sent it, so it reads
//! offline.

use crate::domain::risk::RiskFlag;
use crate::domain::timeline::{EntryStep, Happening, Moment, Sources, Tranche, timeline};
use crate::i18n::*;
use crate::ui::form_store::device_form;
use crate::ui::kit::attachments::EvidenceList;
use crate::ui::local::from_view;
use crate::ui::text;
use crate::ui::text::milestone_name;
use crate::ui::text::pick;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use uuid::Uuid;

/// How many moments the page draws before "show all".
pub(crate) const RECENT: usize = 30;

/// What a form's entries are called in the timeline (its title).
pub(crate) fn form_title(i18n: I18nContext<Locale>, form_id: &str) -> String {
    device_form(form_id, None)
        .map(|f| pick(&f.title, i18n.get_locale_untracked()))
        .unwrap_or_else(|| form_id.to_owned())
}

/// A moment in words, with an optional quoted comment and whether it stands out (overdue, flag).
pub(crate) fn tell(i18n: I18nContext<Locale>, moment: &Moment) -> (String, Option<String>, bool) {
    match &moment.what {
        Happening::Visit { mode, status, .. } => (
            format!(
                "{} · {}",
                t_string!(i18n, tl_visit, mode = text::visit_mode(i18n, *mode)),
                text::entry_status(i18n, *status)
            ),
            None,
            false,
        ),
        Happening::Entry {
            form_id, status, ..
        } => (
            format!(
                "{} · {}",
                form_title(i18n, form_id),
                text::entry_status(i18n, *status)
            ),
            None,
            false,
        ),
        Happening::Step {
            step,
            n,
            of,
            form_id,
        } => {
            let what = match form_id {
                None => t_string!(i18n, tl_what_visit).to_string(),
                Some(id) => form_title(i18n, id),
            };
            let (of, name) = (text::day(of), step.by.clone());
            let line = if !step.review {
                t_string!(i18n, tl_version, what = what, of = of, n = *n, name = name).to_string()
            } else if step.status == crate::domain::EntryStatus::Returned {
                t_string!(i18n, tl_returned, what = what, of = of, name = name).to_string()
            } else {
                t_string!(i18n, tl_validated, what = what, of = of, name = name).to_string()
            };
            (
                line,
                Some(step.comment.clone()).filter(|c| !c.is_empty()),
                false,
            )
        }
        Happening::ActionDue { title, overdue } => (
            t_string!(i18n, tl_action_due, title = title.clone()).to_string(),
            None,
            *overdue,
        ),
        Happening::ActionDone { title } => (
            t_string!(i18n, tl_action_done, title = title.clone()).to_string(),
            None,
            false,
        ),
        Happening::MemberJoined { name } => (
            t_string!(i18n, tl_member_joined, name = name.clone()).to_string(),
            None,
            false,
        ),
        Happening::MemberLeft { name } => (
            t_string!(i18n, tl_member_left, name = name.clone()).to_string(),
            None,
            false,
        ),
        Happening::TrancheDisbursed { seq, amount, .. } => (
            t_string!(
                i18n,
                tl_tranche,
                seq = *seq,
                amount = text::money(i18n, *amount)
            )
            .to_string(),
            None,
            false,
        ),
        Happening::MilestoneReached { kind, label, .. } => (
            t_string!(
                i18n,
                tl_milestone_reached,
                what = milestone_name(i18n, kind, label)
            )
            .to_string(),
            None,
            false,
        ),
        Happening::MilestoneDue { kind, label, late } => (
            t_string!(
                i18n,
                tl_milestone_due,
                what = milestone_name(i18n, kind, label)
            )
            .to_string(),
            None,
            *late,
        ),
        Happening::Flag(flag) => (
            t_string!(i18n, tl_flag, what = text::risk(i18n, flag)).to_string(),
            None,
            true,
        ),
    }
}

#[component]
pub fn TimelineSection(
    user: Uuid,
    project: Uuid,
    tranches: Vec<Tranche>,
    steps: Vec<EntryStep>,
    flags: Vec<RiskFlag>,
) -> impl IntoView {
    let i18n = use_i18n();
    let today = crate::domain::dates::today_iso();
    let moments = from_view(user, move |view| {
        let visits = view.visits_of(project);
        let actions = view.actions_of(project);
        let members = view.members_of(project);
        let entries = view.entries_of(project);
        let milestones = view.milestones_of(project);
        let sources = Sources {
            visits,
            actions,
            members: members
                .iter()
                .map(|m| {
                    (
                        m.member.full_name.as_str(),
                        m.member.joined_on.as_deref(),
                        m.member.left_on.as_deref(),
                    )
                })
                .collect(),
            entries,
            milestones,
            tranches: &tranches,
            steps: &steps,
            flags: &flags,
        };
        timeline(&sources, &today)
    });
    let show_all = RwSignal::new(false);
    view! {
        <section aria-labelledby="timeline-title">
            <h2 id="timeline-title">{t_string!(i18n, timeline_title)}</h2>
            {move || moments().map(|list| {
                let total = list.len();
                let shown = if show_all.get() { total } else { total.min(RECENT) };
                view! {
                    <p hidden=total != 0>{t_string!(i18n, timeline_empty)}</p>
                    <ol class="timeline">
                        {list.into_iter().take(shown).map(|m| {
                            let (line, comment, stands_out) = tell(i18n, &m);
                            let day = text::day(&m.day);
                            view! {
                                <li class:stands-out=stands_out>
                                    <time datetime=m.day.clone()>{day}</time>
                                    <span>{line}</span>
                                    {comment.map(|c| view! { <blockquote>{c}</blockquote> })}
                                    <EvidenceList files=m.what.files().to_vec() on_phone=true />
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                    {(shown < total).then(|| view! {
                        <p>
                            <button type="button" class="more" on:click=move |_| show_all.set(true)>
                                {t_string!(i18n, timeline_show_all, count = total).to_string()}
                            </button>
                        </p>
                    })}
                }
            })}
        </section>
    }
}
