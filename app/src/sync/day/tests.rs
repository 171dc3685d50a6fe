use super::*;
use crate::domain::{
    ActionItem, Names, ProjectKind, ProjectStatus, ReviewNote, VisitFields, VisitMode,
};
use crate::sync::protocol::Record;

const TODAY: &str = "2026-12-04";

fn card(n: u128, status: ProjectStatus, last: Option<&str>, due: Option<&str>) -> ProjectCard {
    ProjectCard {
        id: Uuid::from_u128(n),
        code: format!("JN-DAT-{n:02}"),
        title: format!("Projet {n}"),
        kind: ProjectKind::Individual,
        status,
        value_chain: Names {
            fr: "Dattes".into(),
            ar: "تمور".into(),
            en: "Dates".into(),
        },
        incubator: "i".into(),
        facilitator: "f".into(),
        locality: "l".into(),
        last_visit_on: last.map(str::to_owned),
        next_visit_due: due.map(str::to_owned),
        member_count: 1,
        flags: Vec::new(),
        acknowledged: Vec::new(),
    }
}

fn visit(id: u128, project: Uuid, day: &str, next: Option<&str>, status: EntryStatus) -> Record {
    Record::Visit(Visit {
        id: Uuid::from_u128(id),
        fields: VisitFields {
            project_id: project,
            visit_on: day.into(),
            mode: VisitMode::OnSite,
            present_member_ids: vec![],
            topics: vec![],
            observations: String::new(),
            difficulties: String::new(),
            next_visit_on: next.map(str::to_owned),
            status,
            snapshot: Default::default(),
            form: None,
            files: Vec::new(),
        },
        author_id: None,
        version: 3,
        conflict: false,
        review: (status == EntryStatus::Returned).then(|| ReviewNote {
            decision: EntryStatus::Returned,
            comment: "Ajoutez les ventes du mois".into(),
            by: None,
            by_name: "Sonia".into(),
            at: "2026-12-03T09:00:00Z".into(),
        }),
    })
}

fn action(id: u128, project: Uuid, due: &str, status: ActionStatus) -> Record {
    Record::Action(ActionItem {
        id: Uuid::from_u128(id),
        project_id: project,
        visit_id: None,
        title: format!("action {id}"),
        due_on: Some(due.into()),
        status,
        closed_on: None,
        author_id: None,
        version: 1,
    })
}

#[test]
fn the_day_lists_what_was_returned_what_falls_due_and_the_visits_to_make() {
    let cards = [
        // Last visit on the server set the next for the 2nd: overdue.
        card(
            1,
            ProjectStatus::Operating,
            Some("2026-11-02"),
            Some("2026-12-02"),
        ),
        // Visited on the phone yesterday, next in a month: not listed, whatever the card says.
        card(
            2,
            ProjectStatus::Operating,
            Some("2026-10-01"),
            Some("2026-11-01"),
        ),
        // Never visited: due now.
        card(3, ProjectStatus::Contracted, None, None),
        // Closed: no visit due.
        card(
            4,
            ProjectStatus::Closed,
            Some("2026-01-01"),
            Some("2026-02-01"),
        ),
        // Visited on the 20th without a date for the next: due 30 days later, beyond the week.
        card(5, ProjectStatus::Operating, Some("2026-11-20"), None),
        // Visited on 8 November without a date: due on the 8th, within the week.
        card(6, ProjectStatus::Operating, Some("2026-11-08"), None),
    ];
    let p = |n: u128| Uuid::from_u128(n);
    let mut view = LocalView::default();
    view.put(visit(20, p(2), "2026-12-03", None, EntryStatus::Submitted));
    view.put(visit(21, p(1), "2026-11-02", None, EntryStatus::Returned));
    view.put(action(30, p(1), "2026-12-01", ActionStatus::Open));
    view.put(action(31, p(1), "2026-12-09", ActionStatus::Open));
    view.put(action(32, p(1), "2026-12-20", ActionStatus::Open));
    view.put(action(33, p(2), "2026-11-01", ActionStatus::Done));
    let day = plan(&view, &cards, TODAY);

    assert_eq!(day.returned.len(), 1);
    assert_eq!(
        day.returned[0].href,
        format!("/projects/{}/visits/{}", p(1), Uuid::from_u128(21))
    );
    assert_eq!(
        (
            day.returned[0].what.kind,
            day.returned[0].what.comment.as_str()
        ),
        (RecordKind::Visit, "Ajoutez les ventes du mois")
    );

    let actions: Vec<(&str, bool)> = day
        .actions
        .iter()
        .map(|t| (t.what.due.as_str(), t.what.overdue))
        .collect();
    assert_eq!(actions, [("2026-12-01", true), ("2026-12-09", false)]);

    let visits: Vec<(u128, Option<&str>, bool)> = day
        .visits
        .iter()
        .map(|t| (t.project.as_u128(), t.what.due.as_deref(), t.what.overdue))
        .collect();
    assert_eq!(
        visits,
        [
            (3, None, true),
            (1, Some("2026-12-02"), true),
            (6, Some("2026-12-08"), false),
        ]
    );
    assert_eq!(day.visits[0].href, format!("/projects/{}/visits/new", p(3)));
}

#[test]
fn a_visit_on_the_phone_with_a_date_for_the_next_sets_when_it_is_due() {
    let cards = [card(
        1,
        ProjectStatus::Operating,
        Some("2026-10-01"),
        Some("2026-11-01"),
    )];
    let mut view = LocalView::default();
    view.put(visit(
        20,
        Uuid::from_u128(1),
        "2026-11-10",
        Some("2026-12-05"),
        EntryStatus::Draft,
    ));
    let day = plan(&view, &cards, TODAY);
    assert_eq!(
        day.visits
            .iter()
            .map(|t| t.what.clone())
            .collect::<Vec<_>>(),
        [VisitDue {
            due: Some("2026-12-05".into()),
            overdue: false
        }]
    );
}
