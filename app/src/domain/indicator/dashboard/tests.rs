use super::*;
use crate::domain::EntryStatus;
use crate::domain::indicator::starter_catalogue;
use crate::domain::indicator::value::{ValueSource, value_id};

const TODAY: &str = "2026-11-20";

fn project(n: u128, incubator: u128, chain: &str) -> DashboardProject {
    DashboardProject {
        id: Uuid::from_u128(n),
        code: format!("KB-{n}"),
        title: format!("Projet {n}"),
        kind: ProjectKind::Collective,
        incubator_id: Some(Uuid::from_u128(incubator)),
        incubator: format!("Incubateur {incubator}"),
        value_chain_id: Uuid::from_u128(1000),
        value_chain: chain.into(),
        value_chain_name: chain.to_uppercase(),
    }
}

fn value(project: u128, indicator: &str, period: &str, thousandths: i64) -> IndicatorValue {
    let project = Uuid::from_u128(project);
    IndicatorValue {
        files: Vec::new(),
        id: value_id(project, indicator, period),
        project_id: project,
        indicator: indicator.into(),
        indicator_version: 1,
        period: period.into(),
        value: thousandths,
        cells: Vec::new(),
        source: ValueSource::Record,
        evidence: String::new(),
        status: EntryStatus::Validated,
        author_id: None,
        version: 1,
        review: None,
        form: None,
    }
}

fn member(project: u128, sex: Sex, disability: bool) -> MemberFact {
    MemberFact {
        project: Uuid::from_u128(project),
        sex,
        birth_year: Some(1995),
        with_disability: disability,
        role: "member".into(),
        joined_on: Some("2025-02-01".into()),
        left_on: None,
    }
}

fn target(project: u128, indicator: &str, baseline: i64, goal: i64) -> ScopedTarget {
    ScopedTarget {
        scope: "project".into(),
        scope_id: Some(Uuid::from_u128(project)),
        target: Target {
            id: Uuid::from_u128(project * 100),
            indicator: indicator.into(),
            baseline: Some(baseline),
            baseline_on: Some("2025-01-01".into()),
            target: goal,
            target_on: "2027-12-31".into(),
            milestones: Vec::new(),
            cell: String::new(),
        },
    }
}

fn frame(level: DashboardLevel) -> Frame {
    Frame {
        level,
        id: String::new(),
        name: "Programme".into(),
        year: 2026,
        today: TODAY.into(),
        threshold: 5,
    }
}

fn data() -> DashboardData {
    // Eight women and two men, one of them with a disability, in two projects.
    let mut members = Vec::new();
    for i in 0..10 {
        let sex = if i < 8 { Sex::Female } else { Sex::Male };
        members.push(member(1 + i % 2, sex, i == 9));
    }
    DashboardData {
        catalogue: starter_catalogue(),
        projects: vec![project(1, 10, "dates"), project(2, 20, "crafts")],
        values: vec![
            value(1, "ECO-01", "2025-10", 900_000),
            value(2, "ECO-01", "2025-10", 100_000),
            value(1, "ECO-01", "2026-10", 1_500_000),
            value(2, "ECO-01", "2026-10", 500_000),
        ],
        awaiting: 3,
        members,
        visits: Vec::new(),
        targets: vec![
            target(1, "SOC-03", 0, 10_000),
            target(2, "SOC-03", 2_000, 10_000),
        ],
    }
}

fn panel<'a>(d: &'a Dashboard, code: &str) -> &'a Panel {
    d.panels
        .iter()
        .find(|p| p.code == code)
        .unwrap_or_else(|| panic!("{code} on the dashboard"))
}

#[test]
fn a_season_is_shown_beside_the_same_period_last_year() {
    let d = build(&frame(DashboardLevel::Programme), data());
    let turnover = panel(&d, "ECO-01");
    assert_eq!(turnover.rows.len(), 12);
    let october = &turnover.rows[9];
    assert_eq!(october.period, "2026-10");
    assert_eq!(october.value, Some(2000.0));
    assert_eq!(october.last_year, Some(1000.0));
    assert_eq!(turnover.rows[0].value, None);
    assert_eq!(turnover.latest, Some(("2026-10".into(), 2000.0)));
    assert_eq!(d.awaiting, 3);
}

#[test]
fn people_come_from_the_registry_with_small_cells_hidden() {
    let d = build(&frame(DashboardLevel::Programme), data());
    let people = panel(&d, "SOC-03");
    assert!(people.computed);
    assert_eq!(people.latest, Some(("2026-Q4".into(), 10.0)));
    // The projects' targets add up: from 2 to 20 people.
    assert_eq!(people.baseline, Some(2.0));
    assert_eq!(people.target, Some(20.0));
    assert_eq!(people.percent, Some(8.0 / 18.0 * 100.0));
    let by = |dim: &str| {
        people
            .breakdowns
            .iter()
            .find(|b| b.dimension == dim)
            .map(|b| b.cells.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        by("sex"),
        vec![
            ("female".into(), Shown::Value(8.0)),
            ("male".into(), Shown::Hidden)
        ]
    );
    assert_eq!(
        by("disability"),
        vec![
            ("no".into(), Shown::Value(9.0)),
            ("yes".into(), Shown::Hidden)
        ]
    );
    // The share of women is a ratio of the totals.
    assert_eq!(panel(&d, "SOC-04").latest, Some(("2026-Q4".into(), 80.0)));
    assert_eq!(d.people.members, 10);
    assert_eq!(d.people.women_percent, Some(80.0));
    assert_eq!(d.people.with_disability, Shown::Hidden);
    assert_eq!(d.people.disability_percent, None);
}

#[test]
fn the_threshold_is_a_setting() {
    let mut f = frame(DashboardLevel::Programme);
    f.threshold = 1;
    let d = build(&f, data());
    assert_eq!(d.people.with_disability, Shown::Value(1.0));
    assert_eq!(d.people.disability_percent, Some(10.0));
}

#[test]
fn a_target_set_for_the_scope_wins_over_the_projects_sum() {
    let mut data = data();
    data.targets.push(ScopedTarget {
        scope: "programme".into(),
        scope_id: None,
        target: Target {
            id: Uuid::from_u128(7),
            indicator: "SOC-03".into(),
            baseline: None,
            baseline_on: None,
            target: 40_000,
            target_on: "2027-12-31".into(),
            milestones: vec![("2026-06-30".into(), 15_000), ("2026-12-31".into(), 20_000)],
            cell: String::new(),
        },
    });
    let d = build(&frame(DashboardLevel::Programme), data);
    let people = panel(&d, "SOC-03");
    assert_eq!(people.target, Some(40.0));
    // The next milestone from today (the first one is past).
    assert_eq!(people.next_milestone, Some(("2026-12-31".into(), 20.0)));
    assert_eq!(people.percent, Some(25.0));
    assert_eq!(people.state, ProgressState::OnTheWay);
}

#[test]
fn the_programme_leads_to_incubators_and_value_chains_and_they_to_projects() {
    let d = build(&frame(DashboardLevel::Programme), data());
    let names: Vec<(DashboardLevel, &str)> = d
        .children
        .iter()
        .map(|c| (c.level, c.name.as_str()))
        .collect();
    assert_eq!(
        names,
        vec![
            (DashboardLevel::Incubator, "Incubateur 10"),
            (DashboardLevel::Incubator, "Incubateur 20"),
            (DashboardLevel::ValueChain, "CRAFTS"),
            (DashboardLevel::ValueChain, "DATES"),
        ]
    );
    let d = build(&frame(DashboardLevel::Incubator), data());
    assert!(
        d.children
            .iter()
            .all(|c| c.level == DashboardLevel::Project)
    );
    assert_eq!(d.children.len(), 2);
}

#[test]
fn indicators_with_nothing_to_show_are_left_out() {
    let d = build(&frame(DashboardLevel::Programme), data());
    assert!(d.panels.iter().all(|p| p.code != "ENV-05"));
    assert_eq!(
        DashboardLevel::parse("value_chain"),
        Some(DashboardLevel::ValueChain)
    );
    assert_eq!(DashboardLevel::parse("country"), None);
}

#[test]
fn a_value_chain_and_one_cell_of_a_breakdown_have_targets_of_their_own() {
    let mut data = data();
    let scoped = |scope: &str, id: Option<Uuid>, cell: &str, goal: i64| ScopedTarget {
        scope: scope.into(),
        scope_id: id,
        target: Target {
            id: Uuid::from_u128(goal as u128),
            indicator: "SOC-03".into(),
            baseline: None,
            baseline_on: None,
            target: goal,
            target_on: "2027-12-31".into(),
            milestones: Vec::new(),
            cell: cell.into(),
        },
    };
    // The value chain is named by its code; its target is kept under its id.
    let chain = Uuid::from_u128(1000);
    data.targets
        .push(scoped("value_chain", Some(chain), "", 30_000));
    data.targets
        .push(scoped("value_chain", Some(chain), "sex:female", 18_000));
    let mut f = frame(DashboardLevel::ValueChain);
    f.id = "dates".into();
    data.projects.retain(|p| p.value_chain == "dates");
    let d = build(&f, data);
    let people = panel(&d, "SOC-03");
    assert_eq!(people.target, Some(30.0));
    let by_sex = people
        .breakdowns
        .iter()
        .find(|b| b.dimension == "sex")
        .expect("by sex");
    assert_eq!(by_sex.targets, vec![("female".to_owned(), 18.0)]);
}
