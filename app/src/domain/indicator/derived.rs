//! Values computed from what the field already records, so nobody types them twice: people
//! coached, women members and jobs from the member registry (broken down by sex, age band and
//! disability), monthly turnover and visits from the coaching visits. A value entered for the
//! same project, indicator and period wins over the computed one.

use super::value::{CellValue, IndicatorValue, ValueSource, period_of, period_start, value_id};
use super::{Cell, Frequency, age_band};
use crate::domain::{EntryStatus, Sex};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// People coached: every active member.
pub const PEOPLE_COACHED: &str = "SOC-03";
/// Women members (the numerator of the share of women).
pub const WOMEN_MEMBERS: &str = "SOC-11";
/// Jobs, in full-time equivalents.
pub const JOBS: &str = "SOC-01";
/// Monthly turnover, from the sales reported at visits.
pub const TURNOVER: &str = "ECO-01";
/// Coaching visits per project and month.
pub const VISITS: &str = "PRC-01";

/// A seasonal worker counts as a quarter of a full-time job (a three-month season); everyone
/// else working in the project as one.
const SEASONAL_FTE: i64 = 250;

/// What the computation needs of a member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberFact {
    pub project: Uuid,
    pub sex: Sex,
    pub birth_year: Option<i32>,
    pub with_disability: bool,
    pub role: String,
    /// `YYYY-MM-DD`; `None`: since the project began.
    pub joined_on: Option<String>,
    pub left_on: Option<String>,
}

/// What the computation needs of a visit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VisitFact {
    pub project: Uuid,
    pub visit_on: String,
    /// Sales since the previous visit, in millimes, if the facilitator recorded them (summed
    /// over the visits this fact counts).
    pub sales: Option<i64>,
    /// How many visits of the project on that day this fact counts (the server reads them
    /// counted; a phone lists them one by one).
    pub visits: i64,
}

/// The first day after `period` of `frequency` (exclusive end), if it is one.
pub fn period_end(frequency: Frequency, period: &str) -> Option<String> {
    let start = period_start(frequency, period)?;
    let year: i32 = start.get(..4)?.parse().ok()?;
    let month: i32 = start.get(5..7)?.parse().ok()?;
    let months = match frequency {
        Frequency::Monthly | Frequency::PerEvent => 1,
        Frequency::Quarterly => 3,
        Frequency::Semester => 6,
        Frequency::Annual | Frequency::Season | Frequency::BaselineEndline => 12,
    };
    let next = (month - 1) + months;
    Some(format!("{}-{:02}-01", year + next / 12, next % 12 + 1))
}

/// The periods of `frequency` in `year`, in order.
pub fn periods_in_year(frequency: Frequency, year: i32) -> Vec<String> {
    match frequency {
        Frequency::Monthly | Frequency::PerEvent => {
            (1..=12).map(|m| format!("{year}-{m:02}")).collect()
        }
        Frequency::Quarterly => (1..=4).map(|q| format!("{year}-Q{q}")).collect(),
        Frequency::Semester => (1..=2).map(|s| format!("{year}-S{s}")).collect(),
        Frequency::Annual | Frequency::Season | Frequency::BaselineEndline => {
            vec![year.to_string()]
        }
    }
}

/// The quarters whose registry counts a view of `year` needs: that year and the one before, up
/// to today's quarter.
pub fn registry_quarters(year: i32, today: &str) -> Vec<String> {
    let now = period_of(Frequency::Quarterly, today);
    [year - 1, year]
        .into_iter()
        .flat_map(|y| periods_in_year(Frequency::Quarterly, y))
        .filter(|q| *q <= now)
        .collect()
}

/// The same period a year earlier (`2026-Q3` → `2025-Q3`).
pub fn year_before(period: &str) -> Option<String> {
    let year: i32 = period.get(..4)?.parse().ok()?;
    Some(format!("{}{}", year - 1, period.get(4..)?))
}

/// A computed value: its cells' sum when broken down.
fn computed(
    project: Uuid,
    indicator: &str,
    period: &str,
    value: i64,
    cells: Vec<CellValue>,
) -> IndicatorValue {
    let value = if cells.is_empty() {
        value
    } else {
        cells.iter().map(|c| c.value).sum()
    };
    IndicatorValue {
        files: Vec::new(),
        id: value_id(project, indicator, period),
        project_id: project,
        indicator: indicator.to_owned(),
        indicator_version: 1,
        period: period.to_owned(),
        value,
        cells,
        source: ValueSource::Derived,
        evidence: String::new(),
        status: EntryStatus::Validated,
        author_id: None,
        version: 0,
        review: None,
        form: None,
    }
}

/// Sex, age band, disability.
type CellKey = (Sex, String, bool);

/// The cells of a count: `pick` gives a cell's value (people or full-time equivalents), or
/// leaves it out.
fn cells(
    people: &BTreeMap<CellKey, (i64, i64)>,
    pick: impl Fn(&CellKey, &(i64, i64)) -> Option<i64>,
) -> Vec<CellValue> {
    people
        .iter()
        .filter_map(|(key, counts)| {
            pick(key, counts).map(|value| CellValue {
                cell: Cell {
                    sex: Some(key.0),
                    age_band: (key.1 != "unknown").then(|| key.1.clone()),
                    disability: Some(key.2),
                },
                value,
            })
        })
        .collect()
}

/// Whether the member belongs to the project on the period's last day (the day before `end`).
fn active_before(m: &MemberFact, end: &str) -> bool {
    crate::domain::dates::previous_day(end).is_some_and(|last| {
        crate::domain::member::is_member_on(m.joined_on.as_deref(), m.left_on.as_deref(), &last)
    })
}

/// The registry's values for each quarter of `quarters` (which should not run past today): for
/// each project with active members at the quarter's end, people coached and women members
/// broken down by sex × age band × disability, and jobs in full-time equivalents.
pub fn from_members(members: &[MemberFact], quarters: &[String]) -> Vec<IndicatorValue> {
    let mut by_project: BTreeMap<Uuid, Vec<&MemberFact>> = BTreeMap::new();
    for m in members {
        by_project.entry(m.project).or_default().push(m);
    }
    let mut out = Vec::new();
    for quarter in quarters {
        let (Some(end), Ok(year)) = (
            period_end(Frequency::Quarterly, quarter),
            quarter.get(..4).unwrap_or("").parse::<i32>(),
        ) else {
            continue;
        };
        for (project, members) in &by_project {
            let active: Vec<&&MemberFact> =
                members.iter().filter(|m| active_before(m, &end)).collect();
            if active.is_empty() {
                continue;
            }
            // Per cell: people and full-time equivalents, in thousandths.
            let mut people: BTreeMap<CellKey, (i64, i64)> = BTreeMap::new();
            for m in &active {
                let band = m
                    .birth_year
                    .map_or("unknown", |b| age_band(b, year))
                    .to_owned();
                let fte = if m.role == "seasonal_worker" {
                    SEASONAL_FTE
                } else {
                    1000
                };
                let entry = people.entry((m.sex, band, m.with_disability)).or_default();
                entry.0 += 1000;
                entry.1 += fte;
            }
            out.push(computed(
                *project,
                PEOPLE_COACHED,
                quarter,
                0,
                cells(&people, |_, c| Some(c.0)),
            ));
            let women = cells(&people, |k, c| (k.0 == Sex::Female).then_some(c.0));
            if !women.is_empty() {
                out.push(computed(*project, WOMEN_MEMBERS, quarter, 0, women));
            }
            out.push(computed(
                *project,
                JOBS,
                quarter,
                0,
                cells(&people, |_, c| Some(c.1)),
            ));
        }
    }
    out
}

/// The visits' values for each month they fall in: the sales reported (turnover, when at least
/// one visit of the month reported them) and the number of visits, per project.
pub fn from_visits(visits: &[VisitFact]) -> Vec<IndicatorValue> {
    let mut months: BTreeMap<(Uuid, String), (i64, Option<i64>)> = BTreeMap::new();
    for v in visits {
        let entry = months
            .entry((v.project, period_of(Frequency::Monthly, &v.visit_on)))
            .or_default();
        entry.0 += 1000 * v.visits;
        if let Some(sales) = v.sales {
            entry.1 = Some(entry.1.unwrap_or(0) + sales);
        }
    }
    let mut out = Vec::new();
    for ((project, month), (count, sales)) in months {
        out.push(computed(project, VISITS, &month, count, Vec::new()));
        if let Some(sales) = sales {
            out.push(computed(project, TURNOVER, &month, sales, Vec::new()));
        }
    }
    out
}

/// The values to count: every entered one (first, in their order), then each computed one for
/// which nothing was entered (same project, indicator and period).
pub fn merge(entered: Vec<IndicatorValue>, computed: Vec<IndicatorValue>) -> Vec<IndicatorValue> {
    let taken: BTreeSet<(Uuid, String, String)> = entered
        .iter()
        .map(|v| (v.project_id, v.indicator.clone(), v.period.clone()))
        .collect();
    let mut out = entered;
    out.extend(
        computed
            .into_iter()
            .filter(|v| !taken.contains(&(v.project_id, v.indicator.clone(), v.period.clone()))),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(
        project: u128,
        sex: Sex,
        born: i32,
        pwd: bool,
        role: &str,
        joined: &str,
    ) -> MemberFact {
        MemberFact {
            project: Uuid::from_u128(project),
            sex,
            birth_year: Some(born),
            with_disability: pwd,
            role: role.into(),
            joined_on: Some(joined.into()),
            left_on: None,
        }
    }

    #[test]
    fn period_ends_and_years() {
        assert_eq!(
            period_end(Frequency::Quarterly, "2026-Q4").as_deref(),
            Some("2027-01-01")
        );
        assert_eq!(
            period_end(Frequency::Monthly, "2026-02").as_deref(),
            Some("2026-03-01")
        );
        assert_eq!(
            period_end(Frequency::Semester, "2026-S1").as_deref(),
            Some("2026-07-01")
        );
        assert_eq!(
            period_end(Frequency::Annual, "2026").as_deref(),
            Some("2027-01-01")
        );
        assert_eq!(periods_in_year(Frequency::Quarterly, 2026)[3], "2026-Q4");
        assert_eq!(periods_in_year(Frequency::Monthly, 2026).len(), 12);
        assert_eq!(year_before("2026-Q3").as_deref(), Some("2025-Q3"));
        assert_eq!(year_before("2026").as_deref(), Some("2025"));
    }

    #[test]
    fn the_registry_counts_people_and_jobs_by_cell_at_each_quarter_end() {
        let mut left = member(1, Sex::Male, 1970, false, "member", "2025-01-10");
        left.left_on = Some("2026-02-01".into());
        let members = vec![
            member(1, Sex::Female, 2000, false, "promoter", "2025-03-01"),
            member(1, Sex::Female, 2001, true, "employee", "2026-05-20"),
            member(1, Sex::Male, 1990, false, "seasonal_worker", "2025-06-01"),
            left,
        ];
        let values = from_members(&members, &["2026-Q1".into(), "2026-Q2".into()]);
        let find = |code: &str, period: &str| {
            values
                .iter()
                .find(|v| v.indicator == code && v.period == period)
                .map(|v| v.value)
        };
        // Q1: the promoter and the seasonal worker (the member who left in February is gone).
        assert_eq!(find(PEOPLE_COACHED, "2026-Q1"), Some(2000));
        assert_eq!(find(WOMEN_MEMBERS, "2026-Q1"), Some(1000));
        assert_eq!(find(JOBS, "2026-Q1"), Some(1250));
        // Q2: the employee joined in May.
        assert_eq!(find(PEOPLE_COACHED, "2026-Q2"), Some(3000));
        assert_eq!(find(JOBS, "2026-Q2"), Some(2250));
        let q2 = values
            .iter()
            .find(|v| v.indicator == PEOPLE_COACHED && v.period == "2026-Q2")
            .expect("people coached in Q2");
        let disabled_young_woman = Cell {
            sex: Some(Sex::Female),
            age_band: Some("25_34".into()),
            disability: Some(true),
        };
        assert!(
            q2.cells
                .iter()
                .any(|c| c.cell == disabled_young_woman && c.value == 1000)
        );
        assert_eq!(q2.cells.iter().map(|c| c.value).sum::<i64>(), q2.value);
        assert!(values.iter().all(|v| v.source == ValueSource::Derived));
    }

    #[test]
    fn visits_give_monthly_turnover_and_count_and_entered_values_win() {
        let p = Uuid::from_u128(1);
        let visit = |on: &str, sales| VisitFact {
            project: p,
            visit_on: on.into(),
            sales,
            visits: 1,
        };
        let derived = from_visits(&[
            visit("2026-10-03", Some(400_000)),
            visit("2026-10-28", Some(600_000)),
            visit("2026-11-02", None),
            // Three visits of one day, counted together as the server reads them.
            VisitFact {
                visits: 3,
                ..visit("2026-12-01", Some(900_000))
            },
        ]);
        let find = |values: &[IndicatorValue], code: &str, period: &str| {
            values
                .iter()
                .find(|v| v.indicator == code && v.period == period)
                .map(|v| (v.value, v.source))
        };
        assert_eq!(
            find(&derived, TURNOVER, "2026-10"),
            Some((1_000_000, ValueSource::Derived))
        );
        assert_eq!(
            find(&derived, VISITS, "2026-10"),
            Some((2000, ValueSource::Derived))
        );
        assert_eq!(
            find(&derived, TURNOVER, "2026-11"),
            None,
            "no sales reported"
        );
        assert_eq!(
            find(&derived, VISITS, "2026-11"),
            Some((1000, ValueSource::Derived))
        );
        assert_eq!(
            find(&derived, VISITS, "2026-12"),
            Some((3000, ValueSource::Derived))
        );
        assert_eq!(
            find(&derived, TURNOVER, "2026-12"),
            Some((900_000, ValueSource::Derived))
        );

        let mut entered = computed(p, TURNOVER, "2026-10", 1_500_000, Vec::new());
        entered.source = ValueSource::Record;
        let merged = merge(vec![entered], derived);
        assert_eq!(
            find(&merged, TURNOVER, "2026-10"),
            Some((1_500_000, ValueSource::Record))
        );
        assert_eq!(
            merged
                .iter()
                .filter(|v| v.indicator == TURNOVER && v.period == "2026-10")
                .count(),
            1
        );
    }
}
