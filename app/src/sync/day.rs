//! The facilitator's day, read from what is on the phone (the local view and the project cards it
//! keeps), so it works offline: entries returned with a comment, action items overdue or due
//! this week, and visits due.
//!
//! A visit is due on the day the last visit set for the next one, else [`RHYTHM_DAYS`] after the
//! last visit (the programme visits each project monthly); a project never visited is due now.
//! The last visit is the latest the phone holds, on the server or not yet.

use super::outbox::LocalView;
use crate::domain::dates::add_days;
use crate::domain::entry::FormEntry;
use crate::domain::{ActionStatus, EntryStatus, ProjectCard, RecordKind, Visit};
use uuid::Uuid;

/// Days between two coaching visits when the last one set no date for the next.
pub const RHYTHM_DAYS: i64 = 30;
/// How far ahead the day looks for what falls due.
pub const AHEAD_DAYS: i64 = 7;

/// One thing to do (`W` says what), about a project, and the page to act on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Todo<W> {
    pub project: Uuid,
    pub what: W,
    pub href: String,
}

/// An entry a supervisor returned, with what to fix; `day` is the entry's own day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Returned {
    pub kind: RecordKind,
    pub day: String,
    pub comment: String,
}

/// An open action item due on `due`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionDue {
    pub title: String,
    pub due: String,
    pub overdue: bool,
}

/// The next visit, due on `due` (`None`: never visited).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VisitDue {
    pub due: Option<String>,
    pub overdue: bool,
}

/// The day's lists, each in the order to take them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Day {
    pub returned: Vec<Todo<Returned>>,
    pub actions: Vec<Todo<ActionDue>>,
    pub visits: Vec<Todo<VisitDue>>,
}

/// What `today` (an ISO day in Tunis) holds for the projects of `cards`.
pub fn plan(view: &LocalView, cards: &[ProjectCard], today: &str) -> Day {
    let ahead = add_days(today, AHEAD_DAYS).unwrap_or_else(|| today.to_owned());
    let mut day = Day::default();
    for card in cards {
        let p = card.id;
        let returned = |kind, id: Uuid, day: &str, review: Option<&crate::domain::ReviewNote>| {
            let href = match kind {
                RecordKind::Visit => format!("/projects/{p}/visits/{id}"),
                RecordKind::Entry => format!("/projects/{p}/entries/{id}"),
                _ => format!("/projects/{p}#indicators-title"),
            };
            Todo {
                project: p,
                what: Returned {
                    kind,
                    day: day.to_owned(),
                    comment: review.map(|r| r.comment.clone()).unwrap_or_default(),
                },
                href,
            }
        };
        let visits = view.visits_of(p);
        for v in visits
            .iter()
            .filter(|v| v.fields.status == EntryStatus::Returned)
        {
            day.returned.push(returned(
                RecordKind::Visit,
                v.id,
                &v.fields.visit_on,
                v.review.as_ref(),
            ));
        }
        for e in view
            .of_project::<FormEntry>(p)
            .into_iter()
            .filter(|e| e.status == EntryStatus::Returned)
        {
            day.returned.push(returned(
                RecordKind::Entry,
                e.id,
                e.day(),
                e.review.as_ref(),
            ));
        }
        for v in view
            .values_of(p)
            .into_iter()
            .filter(|v| v.status == EntryStatus::Returned)
        {
            day.returned.push(returned(
                RecordKind::Value,
                v.id,
                &v.period,
                v.review.as_ref(),
            ));
        }
        for a in view.actions_of(p) {
            let Some(due) = a.due_on.clone() else {
                continue;
            };
            if a.status != ActionStatus::Open || due > ahead {
                continue;
            }
            day.actions.push(Todo {
                project: p,
                what: ActionDue {
                    title: a.title.clone(),
                    overdue: due.as_str() < today,
                    due,
                },
                href: format!("/projects/{p}#actions-title"),
            });
        }
        if card.status.is_active() {
            let due = next_visit(card, visits.first().copied());
            if due.as_deref().is_none_or(|d| d <= ahead.as_str()) {
                day.visits.push(Todo {
                    project: p,
                    what: VisitDue {
                        overdue: due.as_deref().is_none_or(|d| d < today),
                        due,
                    },
                    href: format!("/projects/{p}/visits/new"),
                });
            }
        }
    }
    day.returned
        .sort_by(|a, b| (&a.what.day, a.project).cmp(&(&b.what.day, b.project)));
    day.actions
        .sort_by(|a, b| (&a.what.due, a.project).cmp(&(&b.what.due, b.project)));
    // Never visited (no day) first.
    day.visits
        .sort_by(|a, b| (&a.what.due, a.project).cmp(&(&b.what.due, b.project)));
    day
}

/// When `card`'s next visit is due, given the latest visit on the phone (`None`: never visited).
fn next_visit(card: &ProjectCard, latest: Option<&Visit>) -> Option<String> {
    let newer = latest.filter(|v| {
        card.last_visit_on
            .as_deref()
            .is_none_or(|last| v.fields.visit_on.as_str() >= last)
    });
    match newer {
        Some(v) => v
            .fields
            .next_visit_on
            .clone()
            .or_else(|| add_days(&v.fields.visit_on, RHYTHM_DAYS)),
        None => card.next_visit_due.clone().or_else(|| {
            card.last_visit_on
                .as_deref()
                .and_then(|last| add_days(last, RHYTHM_DAYS))
        }),
    }
}

#[cfg(test)]
mod tests;
