//! Progress against target, per project and indicator: the same computation on the phone
//! (offline, from the values it holds) and on the server.

use super::value::IndicatorValue;
use super::{IndicatorDefinition, Point, total};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A baseline and a target for an indicator and a scope, in thousandths of the unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub id: Uuid,
    pub indicator: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_on: Option<String>,
    pub target: i64,
    pub target_on: String,
    /// Intermediate milestones: `(day, value)`, in day order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub milestones: Vec<(String, i64)>,
    /// The cell of the breakdown it is for (`sex:female`); empty for the whole.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cell: String,
}

/// Where a project stands on one indicator.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    /// Each period's value, oldest first (for the trend line).
    pub trend: Vec<(String, f64)>,
    pub latest: Option<(String, f64)>,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    /// How far from the baseline to the target the latest value is, in %; above 100 when passed.
    pub percent: Option<f64>,
    pub state: ProgressState,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgressState {
    /// No value yet.
    NoValue,
    /// A value, but no target to measure it against.
    NoTarget,
    /// Moving the wrong way from the baseline.
    Behind,
    OnTheWay,
    Reached,
}

/// Each period's value of `def` for one project, oldest first: the total of the period's value
/// (its cells, if broken down) for an entered indicator; for a derived one, computed from the
/// other indicators' totals of the same period.
pub fn trend(
    catalogue: &[IndicatorDefinition],
    def: &IndicatorDefinition,
    values: &[&IndicatorValue],
) -> Vec<(String, f64)> {
    let inputs = def.inputs();
    let mut periods: Vec<&str> = values
        .iter()
        .filter(|v| v.indicator == def.code || inputs.contains(&v.indicator))
        .map(|v| v.period.as_str())
        .collect();
    periods.sort_unstable();
    periods.dedup();
    periods
        .into_iter()
        .filter_map(|period| {
            let points: Vec<Point> = values
                .iter()
                .filter(|v| v.period == period)
                .flat_map(|v| v.points())
                .collect();
            let value = if def.is_derived() {
                super::totals(catalogue, &points).get(&def.code).copied()
            } else {
                let own: Vec<&Point> = points.iter().filter(|p| p.indicator == def.code).collect();
                total(&def.aggregation, own)
            };
            value.map(|v| (period.to_owned(), v))
        })
        .collect()
}

/// Where a project stands on an indicator, from its trend and its target.
pub fn progress(trend: Vec<(String, f64)>, target: Option<&Target>) -> Progress {
    let latest = trend.last().cloned();
    let baseline = target.and_then(|t| t.baseline).map(|b| b as f64 / 1000.0);
    let goal = target.map(|t| t.target as f64 / 1000.0);
    let percent = match (&latest, goal) {
        (Some((_, now)), Some(goal)) => {
            let from = baseline.unwrap_or(0.0);
            (goal != from).then(|| (now - from) / (goal - from) * 100.0)
        }
        _ => None,
    };
    let state = match (&latest, percent) {
        (None, _) => ProgressState::NoValue,
        (Some(_), None) => ProgressState::NoTarget,
        (Some(_), Some(p)) if p >= 100.0 => ProgressState::Reached,
        (Some(_), Some(p)) if p < 0.0 => ProgressState::Behind,
        _ => ProgressState::OnTheWay,
    };
    // `percent` measures along the target's own direction: for a "down" indicator the target is
    // below the baseline, and going down is progress.
    Progress {
        trend,
        latest,
        baseline,
        target: goal,
        percent,
        state,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::EntryStatus;
    use crate::domain::indicator::starter_catalogue;
    use crate::domain::indicator::value::{IndicatorValue, ValueSource, value_id};

    fn def(code: &str) -> IndicatorDefinition {
        starter_catalogue()
            .into_iter()
            .find(|d| d.code == code)
            .expect("starter")
    }

    fn value(code: &str, period: &str, v: i64) -> IndicatorValue {
        let project = Uuid::from_u128(4);
        IndicatorValue {
            files: Vec::new(),
            id: value_id(project, code, period),
            project_id: project,
            indicator: code.into(),
            indicator_version: 1,
            period: period.into(),
            value: v,
            cells: Vec::new(),
            source: ValueSource::Record,
            evidence: String::new(),
            status: EntryStatus::Submitted,
            author_id: None,
            version: 1,
            review: None,
            form: None,
        }
    }

    fn target(code: &str, baseline: i64, goal: i64) -> Target {
        Target {
            id: Uuid::from_u128(1),
            indicator: code.into(),
            baseline: Some(baseline),
            baseline_on: Some("2025-01-01".into()),
            target: goal,
            target_on: "2027-12-31".into(),
            milestones: Vec::new(),
            cell: String::new(),
        }
    }

    #[test]
    fn progress_runs_from_the_baseline_to_the_target_with_the_latest_period() {
        let values = [
            value("SOC-01", "2026-Q2", 2000),
            value("SOC-01", "2026-Q3", 4000),
        ];
        let refs: Vec<&IndicatorValue> = values.iter().collect();
        let catalogue = starter_catalogue();
        let t = trend(&catalogue, &def("SOC-01"), &refs);
        let p = progress(t.clone(), Some(&target("SOC-01", 1000, 6000)));
        assert_eq!(
            p.trend,
            vec![("2026-Q2".into(), 2.0), ("2026-Q3".into(), 4.0)]
        );
        assert_eq!(p.latest, Some(("2026-Q3".into(), 4.0)));
        assert_eq!(p.percent, Some(60.0));
        assert_eq!(p.state, ProgressState::OnTheWay);
        let none = progress(Vec::new(), Some(&target("SOC-01", 1000, 6000)));
        assert_eq!(none.state, ProgressState::NoValue);
        let untargeted = progress(t, None);
        assert_eq!(untargeted.state, ProgressState::NoTarget);
    }

    #[test]
    fn a_share_is_computed_per_period_from_the_values_it_is_made_of() {
        let values = [
            value("SOC-03", "2026-Q3", 8000),
            value("SOC-11", "2026-Q3", 2000),
            value("SOC-03", "2026-Q2", 5000),
        ];
        let refs: Vec<&IndicatorValue> = values.iter().collect();
        let catalogue = starter_catalogue();
        // Q2 has no count of women: no share for it.
        assert_eq!(
            trend(&catalogue, &def("SOC-04"), &refs),
            vec![("2026-Q3".into(), 25.0)]
        );
    }

    #[test]
    fn for_an_indicator_that_should_go_down_going_down_is_progress() {
        let values = [value("ENV-01", "2026", 8_000_000)];
        let refs: Vec<&IndicatorValue> = values.iter().collect();
        // Water: from 10,000 m³ to 6,000 m³.
        let catalogue = starter_catalogue();
        let p = progress(
            trend(&catalogue, &def("ENV-01"), &refs),
            Some(&target("ENV-01", 10_000_000, 6_000_000)),
        );
        assert_eq!(p.percent, Some(50.0));
        assert_eq!(p.state, ProgressState::OnTheWay);
        let worse = [value("ENV-01", "2026", 12_000_000)];
        let refs: Vec<&IndicatorValue> = worse.iter().collect();
        let p = progress(
            trend(&catalogue, &def("ENV-01"), &refs),
            Some(&target("ENV-01", 10_000_000, 6_000_000)),
        );
        assert_eq!(p.state, ProgressState::Behind);
    }
}
