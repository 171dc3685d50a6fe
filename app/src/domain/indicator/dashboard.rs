//! A dashboard: where the programme, an incubator, a value chain or a project stands on each
//! indicator in a year, with the same periods of the year before beside them (the date and
//! tourism seasons must not look like failure), progress against target, breakdowns by sex, age
//! band and disability with small cells hidden, and the share of women and of persons with
//! disabilities among members. Built from validated values and what the registry and the visits
//! give ([`super::derived`]), with the one computation of [`super::totals`].

use super::derived::{
    MemberFact, VisitFact, from_members, from_visits, merge, periods_in_year, registry_quarters,
};
use super::progress::{ProgressState, Target, progress};
use super::value::IndicatorValue;
use super::{
    Aggregation, Category, DataType, Direction, Frequency, IndicatorDefinition, Point, breakdown,
    totals,
};
use crate::domain::Names;
use crate::domain::{ProjectKind, Sex};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Whose figures a dashboard shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DashboardLevel {
    Programme,
    Incubator,
    ValueChain,
    Project,
}

impl DashboardLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            DashboardLevel::Programme => "programme",
            DashboardLevel::Incubator => "incubator",
            DashboardLevel::ValueChain => "value_chain",
            DashboardLevel::Project => "project",
        }
    }

    pub fn parse(s: &str) -> Option<DashboardLevel> {
        [
            DashboardLevel::Programme,
            DashboardLevel::Incubator,
            DashboardLevel::ValueChain,
            DashboardLevel::Project,
        ]
        .into_iter()
        .find(|l| l.as_str() == s)
    }
}

/// A project as a dashboard groups it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DashboardProject {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub kind: ProjectKind,
    pub incubator_id: Option<Uuid>,
    pub incubator: String,
    pub value_chain_id: Uuid,
    pub value_chain: String,
    pub value_chain_name: String,
}

/// A target set for a scope (`project`, `value_chain`, `incubator`, `programme`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopedTarget {
    pub scope: String,
    pub scope_id: Option<Uuid>,
    pub target: Target,
}

/// Everything a dashboard is computed from, already narrowed to its scope.
#[derive(Clone, Debug, Default)]
pub struct DashboardData {
    /// The latest version of each indicator.
    pub catalogue: Vec<IndicatorDefinition>,
    pub projects: Vec<DashboardProject>,
    /// Validated values of these projects.
    pub values: Vec<IndicatorValue>,
    /// Values sent and not yet validated: not counted, but said.
    pub awaiting: usize,
    pub members: Vec<MemberFact>,
    pub visits: Vec<VisitFact>,
    pub targets: Vec<ScopedTarget>,
}

/// A figure as shown: a value, or hidden because too few people are behind it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shown {
    Value(f64),
    /// Under the small-cell threshold: shown as "<5".
    Hidden,
}

/// One period of a panel's chart and table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeriodRow {
    pub period: String,
    pub value: Option<f64>,
    /// The same period a year earlier.
    pub last_year: Option<f64>,
}

/// A breakdown of the latest period along one dimension.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Breakdown {
    /// `sex`, `age_band` or `disability`.
    pub dimension: String,
    pub period: String,
    /// `(female, Value(12.0))`, `(yes, Hidden)`…
    pub cells: Vec<(String, Shown)>,
    /// Targets set for some cells: `(female, 20.0)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<(String, f64)>,
}

/// One indicator on a dashboard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Panel {
    pub code: String,
    pub name: Names,
    pub unit: String,
    pub data_type: DataType,
    pub category: Category,
    pub direction: Direction,
    pub frequency: Frequency,
    pub rows: Vec<PeriodRow>,
    /// The latest period with a value, up to the dashboard's year.
    pub latest: Option<(String, f64)>,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub percent: Option<f64>,
    pub state: ProgressState,
    /// The target's next intermediate milestone from today: `(day, value)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_milestone: Option<(String, f64)>,
    pub breakdowns: Vec<Breakdown>,
    /// Whether some of its values were computed from the registry or the visits.
    pub computed: bool,
}

/// Members in the scope today.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct People {
    pub members: i64,
    pub women: i64,
    pub women_percent: Option<f64>,
    /// Hidden under the small-cell threshold.
    pub with_disability: Shown,
    pub disability_percent: Option<f64>,
}

/// A narrower dashboard to go to: an incubator or a value chain of the programme, a project of
/// an incubator or value chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Child {
    pub level: DashboardLevel,
    pub id: String,
    pub name: String,
    pub projects: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub level: DashboardLevel,
    /// The incubator's or project's id, the value chain's code; empty for the programme.
    pub id: String,
    pub name: String,
    pub year: i32,
    pub projects: usize,
    pub people: People,
    pub awaiting: usize,
    pub panels: Vec<Panel>,
    pub children: Vec<Child>,
    pub threshold: i64,
    /// The funder the dashboard is narrowed to, if any: `(id, name)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funder: Option<(Uuid, String)>,
    /// The funders the programme's projects are under, to narrow to one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub funders: Vec<(Uuid, String)>,
}

/// Where the dashboard is, for [`build`].
#[derive(Clone, Debug)]
pub struct Frame {
    pub level: DashboardLevel,
    pub id: String,
    pub name: String,
    pub year: i32,
    /// `YYYY-MM-DD`, in Tunis.
    pub today: String,
    pub threshold: i64,
}

/// Whether an indicator counts people, so that a small value is itself a small cell.
fn counts_people(def: &IndicatorDefinition) -> bool {
    matches!(def.aggregation, Aggregation::Sum)
        && matches!(def.data_type, DataType::Integer | DataType::Decimal)
        && matches!(def.unit.as_str(), "count" | "FTE")
}

/// A count hidden when under the threshold (zero is shown: nobody to single out).
pub fn hide_small(count: f64, threshold: i64) -> Shown {
    if count > 0.0 && count < threshold as f64 {
        Shown::Hidden
    } else {
        Shown::Value(count)
    }
}

/// The target of the scope for an indicator (or for one `cell` of its breakdown, `sex:female`;
/// empty for the whole): one set for the scope itself, else (for an indicator that adds up
/// across projects) the sum of its projects' targets.
fn scope_target(
    def: &IndicatorDefinition,
    frame: &Frame,
    data: &DashboardData,
    scope_id: Option<Uuid>,
    cell: &str,
) -> Option<Target> {
    let own_scope = match frame.level {
        DashboardLevel::Programme => "programme",
        DashboardLevel::Incubator => "incubator",
        DashboardLevel::ValueChain => "value_chain",
        DashboardLevel::Project => "project",
    };
    let mine = |t: &&ScopedTarget| t.target.indicator == def.code && t.target.cell == cell;
    if let Some(own) = data
        .targets
        .iter()
        .filter(mine)
        .find(|t| t.scope == own_scope && t.scope_id == scope_id)
    {
        return Some(own.target.clone());
    }
    if !matches!(def.aggregation, Aggregation::Sum | Aggregation::Last) {
        return None;
    }
    let projects: Vec<&ScopedTarget> = data
        .targets
        .iter()
        .filter(mine)
        .filter(|t| t.scope == "project" && data.projects.iter().any(|p| Some(p.id) == t.scope_id))
        .collect();
    let first = projects.first()?;
    Some(Target {
        id: first.target.id,
        indicator: def.code.clone(),
        baseline: projects
            .iter()
            .map(|t| t.target.baseline)
            .sum::<Option<i64>>(),
        baseline_on: first.target.baseline_on.clone(),
        target: projects.iter().map(|t| t.target.target).sum(),
        target_on: projects
            .iter()
            .map(|t| t.target.target_on.clone())
            .max()
            .unwrap_or_default(),
        milestones: Vec::new(),
        cell: cell.to_owned(),
    })
}

/// The values to count (entered and validated, with the computed ones where nothing was
/// entered), and every period's totals of every indicator.
fn prepare(
    frame: &Frame,
    data: &DashboardData,
) -> (Vec<IndicatorValue>, BTreeMap<String, BTreeMap<String, f64>>) {
    let computed = [
        from_members(&data.members, &registry_quarters(frame.year, &frame.today)),
        from_visits(&data.visits),
    ]
    .concat();
    let values = merge(data.values.clone(), computed);
    // All indicators at once: derived ones need their inputs' totals of the same period.
    let mut by_period: BTreeMap<&str, Vec<Point>> = BTreeMap::new();
    for v in &values {
        by_period
            .entry(v.period.as_str())
            .or_default()
            .extend(v.points());
    }
    let period_totals = by_period
        .iter()
        .map(|(period, points)| ((*period).to_owned(), totals(&data.catalogue, points)))
        .collect();
    (values, period_totals)
}

/// One line of the long table: an indicator's total in a period, or one cell of its breakdown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TableRow {
    pub indicator: String,
    pub period: String,
    /// `sex`, `age_band` or `disability`; `None` for the total.
    pub dimension: Option<String>,
    pub cell: Option<String>,
    pub value: Shown,
}

/// Every indicator's total for each period of the year that has one, and its breakdowns by sex,
/// age band and disability, small cells hidden: the long table exports are made of.
pub fn table(frame: &Frame, data: &DashboardData) -> Vec<TableRow> {
    let (values, period_totals) = prepare(frame, data);
    let mut rows = Vec::new();
    for def in &data.catalogue {
        for period in periods_in_year(def.frequency, frame.year) {
            let Some(total) = period_totals.get(&period).and_then(|t| t.get(&def.code)) else {
                continue;
            };
            rows.push(TableRow {
                indicator: def.code.clone(),
                period: period.clone(),
                dimension: None,
                cell: None,
                value: Shown::Value(*total),
            });
            if def.is_derived() {
                continue;
            }
            for b in breakdowns(def, &period, &values, frame.threshold) {
                rows.extend(b.cells.into_iter().map(|(cell, value)| TableRow {
                    indicator: def.code.clone(),
                    period: period.clone(),
                    dimension: Some(b.dimension.clone()),
                    cell: Some(cell),
                    value,
                }));
            }
        }
    }
    rows
}

/// Builds the dashboard of `frame` from `data`.
pub fn build(frame: &Frame, data: DashboardData) -> Dashboard {
    // A value chain is named by its code; its targets, by its id.
    let scope_id = match frame.level {
        DashboardLevel::ValueChain => data.projects.first().map(|p| p.value_chain_id),
        _ => Uuid::parse_str(&frame.id).ok(),
    };
    let (values, period_totals) = prepare(frame, &data);
    let last_day = format!("{}-12-31", frame.year);

    let mut panels = Vec::new();
    for def in &data.catalogue {
        let history: Vec<(String, f64)> = period_totals
            .iter()
            .filter(|(period, _)| period.get(..4).is_some_and(|y| y <= &last_day[..4]))
            .filter(|(period, _)| belongs(def.frequency, period))
            .filter_map(|(period, t)| t.get(&def.code).map(|v| (period.clone(), *v)))
            .collect();
        let target = scope_target(def, frame, &data, scope_id, "");
        let at = |period: &str| {
            period_totals
                .get(period)
                .and_then(|t| t.get(&def.code))
                .copied()
        };
        let rows: Vec<PeriodRow> = periods_in_year(def.frequency, frame.year)
            .into_iter()
            .map(|period| {
                let before = super::derived::year_before(&period).unwrap_or_default();
                PeriodRow {
                    value: at(&period),
                    last_year: at(&before),
                    period,
                }
            })
            .collect();
        let shows = rows
            .iter()
            .any(|r| r.value.is_some() || r.last_year.is_some())
            || target.is_some();
        if !shows {
            continue;
        }
        let next_milestone = target.as_ref().and_then(|t| {
            t.milestones
                .iter()
                .find(|(day, _)| *day >= frame.today)
                .map(|(day, v)| (day.clone(), *v as f64 / 1000.0))
        });
        let progress = progress(history, target.as_ref());
        let mut breakdowns = match (&progress.latest, def.is_derived()) {
            (Some((period, _)), false) => breakdowns(def, period, &values, frame.threshold),
            _ => Vec::new(),
        };
        for b in &mut breakdowns {
            b.targets = b
                .cells
                .iter()
                .filter_map(|(key, _)| {
                    let cell = format!("{}:{key}", b.dimension);
                    scope_target(def, frame, &data, scope_id, &cell)
                        .map(|t| (key.clone(), t.target as f64 / 1000.0))
                })
                .collect();
        }
        let computed = values.iter().any(|v| {
            v.indicator == def.code
                && v.source == super::value::ValueSource::Derived
                && v.period.get(..4).is_some_and(|y| y <= &last_day[..4])
        });
        panels.push(Panel {
            code: def.code.clone(),
            name: def.name.clone(),
            unit: def.unit.clone(),
            data_type: def.data_type,
            category: def.category,
            direction: def.direction,
            frequency: def.frequency,
            rows,
            latest: progress.latest,
            baseline: progress.baseline,
            target: progress.target,
            percent: progress.percent,
            state: progress.state,
            next_milestone,
            breakdowns,
            computed,
        });
    }

    Dashboard {
        level: frame.level,
        id: frame.id.clone(),
        name: frame.name.clone(),
        year: frame.year,
        projects: data.projects.len(),
        people: people(&data.members, &frame.today, frame.threshold),
        awaiting: data.awaiting,
        panels,
        children: children(frame.level, &data.projects),
        threshold: frame.threshold,
        funder: None,
        funders: Vec::new(),
    }
}

/// Whether `period` is written as a period of `frequency` (so a monthly indicator's chart is
/// not fed a quarter).
fn belongs(frequency: Frequency, period: &str) -> bool {
    super::value::period_start(frequency, period).is_some()
}

/// The latest period's breakdowns along sex, age band and disability, where the indicator has
/// them; small cells hidden.
fn breakdowns(
    def: &IndicatorDefinition,
    period: &str,
    values: &[IndicatorValue],
    threshold: i64,
) -> Vec<Breakdown> {
    let points: Vec<Point> = values
        .iter()
        .filter(|v| v.indicator == def.code && v.period == period)
        .flat_map(|v| v.points())
        .collect();
    ["sex", "age_band", "disability"]
        .into_iter()
        .filter(|d| def.disaggregations.iter().any(|x| x == d))
        .filter_map(|dimension| {
            let totals = breakdown(&def.aggregation, &points, dimension);
            if totals.is_empty() {
                return None;
            }
            let cells = totals
                .into_iter()
                .map(|(key, value)| {
                    let shown = if counts_people(def) {
                        hide_small(value, threshold)
                    } else {
                        // An average over fewer values than the threshold may be one person's.
                        let behind = points
                            .iter()
                            .filter(|p| p.cell.key(dimension).as_deref() == Some(key.as_str()))
                            .count() as i64;
                        if behind < threshold {
                            Shown::Hidden
                        } else {
                            Shown::Value(value)
                        }
                    };
                    (key, shown)
                })
                .collect();
            Some(Breakdown {
                dimension: dimension.to_owned(),
                period: period.to_owned(),
                cells,
                targets: Vec::new(),
            })
        })
        .collect()
}

pub(crate) fn people(members: &[MemberFact], today: &str, threshold: i64) -> People {
    let active: Vec<&MemberFact> = members
        .iter()
        .filter(|m| {
            crate::domain::member::is_member_on(m.joined_on.as_deref(), m.left_on.as_deref(), today)
        })
        .collect();
    let count = active.len() as i64;
    let women = active.iter().filter(|m| m.sex == Sex::Female).count() as i64;
    let disabled = active.iter().filter(|m| m.with_disability).count() as i64;
    let share = |n: i64| (count > 0).then(|| n as f64 * 100.0 / count as f64);
    let with_disability = hide_small(disabled as f64, threshold);
    People {
        members: count,
        women,
        women_percent: share(women),
        disability_percent: match with_disability {
            Shown::Value(_) => share(disabled),
            Shown::Hidden => None,
        },
        with_disability,
    }
}

fn children(level: DashboardLevel, projects: &[DashboardProject]) -> Vec<Child> {
    let mut out: BTreeMap<(u8, String), Child> = BTreeMap::new();
    for p in projects {
        let mut add = |order: u8, level, id: String, name: &str| {
            out.entry((order, name.to_owned()))
                .or_insert_with(|| Child {
                    level,
                    id,
                    name: name.to_owned(),
                    projects: 0,
                })
                .projects += 1;
        };
        match level {
            DashboardLevel::Programme => {
                if let Some(incubator) = p.incubator_id {
                    add(
                        0,
                        DashboardLevel::Incubator,
                        incubator.to_string(),
                        &p.incubator,
                    );
                }
                add(
                    1,
                    DashboardLevel::ValueChain,
                    p.value_chain.clone(),
                    &p.value_chain_name,
                );
            }
            DashboardLevel::Incubator | DashboardLevel::ValueChain => add(
                0,
                DashboardLevel::Project,
                p.id.to_string(),
                &format!("{} · {}", p.code, p.title),
            ),
            DashboardLevel::Project => {}
        }
    }
    out.into_values().collect()
}

#[cfg(test)]
mod tests;
