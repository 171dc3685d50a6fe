//! The indicator catalogue, as data, and the one computation of indicator values: the same code
//! totals a period's values on the phone (a project's progress, offline) and on the server
//! (dashboards, exports).
//!
//! - A catalogue is checked as a whole ([`check_catalogue`]): codes unique and well formed,
//!   names in the three languages, every ratio or formula naming indicators that exist, no
//!   indicator depending on itself through others. Each error is located (the indicator and the
//!   part of its definition).
//! - Values are [`Point`]s: one number for one indicator, project, period and disaggregation
//!   cell (sex × age band × disability, each possibly "all"). [`total`] combines points by the
//!   indicator's aggregation (sum, average, last); [`derive`] computes a ratio or a formula from
//!   the totals of the indicators it names, so a roll-up of a ratio is the ratio of the roll-ups,
//!   never an average of ratios.
//! - Cells counting fewer people than the small-cell threshold (a setting) are shown as "<5"
//!   ([`dashboard::hide_small`]).

use super::form::expr::{Expr, Value};
use super::vocabulary::Names;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

pub mod admin;
pub mod dashboard;
pub mod derived;
pub mod disclosure;
pub mod progress;
pub mod value;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataType {
    Integer,
    Decimal,
    Percent,
    /// Tunisian dinars.
    Money,
    /// 1 yes, 0 no; an average of it is a rate.
    Boolean,
    /// A score from 1 to 5.
    Scale,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Social,
    Economic,
    Environmental,
    Governance,
    Process,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Output,
    Outcome,
    Impact,
}

/// The five dimensions of impact (Impact Frontiers) an indicator informs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImpactDimension {
    What,
    Who,
    HowMuch,
    Contribution,
    Risk,
    /// How the organisation works (governance indicators).
    How,
}

/// What one value of the indicator is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorScope {
    Member,
    Project,
    ValueChain,
    Incubator,
    Programme,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Monthly,
    Quarterly,
    Semester,
    Annual,
    /// An agricultural season.
    Season,
    /// At each event (a tranche, a training session, a visit).
    PerEvent,
    /// At the start and at the end.
    BaselineEndline,
}

impl Frequency {
    pub const ALL: [Frequency; 7] = [
        Frequency::Monthly,
        Frequency::Quarterly,
        Frequency::Semester,
        Frequency::Annual,
        Frequency::Season,
        Frequency::PerEvent,
        Frequency::BaselineEndline,
    ];

    /// As the catalogue's JSON writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Monthly => "monthly",
            Frequency::Quarterly => "quarterly",
            Frequency::Semester => "semester",
            Frequency::Annual => "annual",
            Frequency::Season => "season",
            Frequency::PerEvent => "per_event",
            Frequency::BaselineEndline => "baseline_endline",
        }
    }

    pub fn parse(s: &str) -> Option<Frequency> {
        Frequency::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// How values combine across projects, cells and time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Aggregation {
    Sum,
    Average,
    /// The latest value in time.
    Last,
    /// `numerator ÷ denominator × 100` (a percentage) or `÷` alone for other units, from the totals
    /// of two other indicators.
    Ratio {
        numerator: String,
        denominator: String,
    },
    /// An expression over other indicators' totals: `${ECO-01} - ${ECO-03}` (the form
    /// expressions' syntax and evaluator).
    Formula {
        expression: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// More is better.
    Up,
    /// Less is better (water used, synthetic inputs).
    Down,
}

/// One indicator, one version of its definition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorDefinition {
    /// `ECO-01`: capitals, a dash, digits. Stable across versions.
    pub code: String,
    pub version: u32,
    pub name: Names,
    pub definition: Names,
    pub unit: String,
    pub data_type: DataType,
    pub category: Category,
    pub level: Level,
    pub dimensions: Vec<ImpactDimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iris: Option<String>,
    pub scope: IndicatorScope,
    /// The value chains (codes) it applies to; empty: all of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub value_chains: Vec<String>,
    /// The dimensions its values are broken down by (`sex`, `age_band`, `disability`, or one of
    /// its own, like `destination`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disaggregations: Vec<String>,
    pub frequency: Frequency,
    pub aggregation: Aggregation,
    pub direction: Direction,
    /// Whether a value may be below zero (a net result may; a count may not).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub negative_allowed: bool,
}

impl IndicatorDefinition {
    /// Whether it applies to a project of this value chain (by code).
    pub fn applies_to(&self, value_chain: &str) -> bool {
        self.value_chains.is_empty() || self.value_chains.iter().any(|v| v == value_chain)
    }

    /// The indicators its value is computed from (none for a sum, average or last).
    pub fn inputs(&self) -> Vec<String> {
        match &self.aggregation {
            Aggregation::Ratio {
                numerator,
                denominator,
            } => vec![numerator.clone(), denominator.clone()],
            Aggregation::Formula { expression } => Expr::parse(expression)
                .map(|e| e.fields().into_iter().map(str::to_owned).collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// Whether its value is computed from other indicators rather than entered.
    pub fn is_derived(&self) -> bool {
        matches!(
            self.aggregation,
            Aggregation::Ratio { .. } | Aggregation::Formula { .. }
        )
    }
}

/// The starter catalogue (part B of the domain research), loaded on a new database.
pub fn starter_catalogue() -> Vec<IndicatorDefinition> {
    serde_json::from_str(include_str!("../../indicators/starter.json")).unwrap_or_default()
}

/// What is wrong with a catalogue, and where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueError {
    /// The indicator's code (or its position, `#3`, when the code itself is the problem).
    pub indicator: String,
    /// The part of the definition: `code`, `name`, `aggregation`, `value_chains`…
    pub field: String,
    pub problem: CatalogueProblem,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum CatalogueProblem {
    /// Not capitals, a dash and digits.
    BadCode,
    DuplicateCode,
    /// A language left empty.
    MissingText(String),
    /// A ratio or formula names an indicator the catalogue does not hold.
    UnknownIndicator(String),
    /// The formula does not parse (the parser's message).
    BadFormula(String),
    /// It depends on itself, through these indicators.
    Cycle(Vec<String>),
    /// A value chain code the programme does not have.
    UnknownValueChain(String),
}

fn well_formed_code(code: &str) -> bool {
    let mut parts = code.splitn(2, '-');
    let (Some(head), Some(tail)) = (parts.next(), parts.next()) else {
        return false;
    };
    (2..=4).contains(&head.len())
        && head.chars().all(|c| c.is_ascii_uppercase())
        && (1..=3).contains(&tail.len())
        && tail.chars().all(|c| c.is_ascii_digit())
}

/// Checks a whole catalogue (the latest version of each indicator) against the value chains the
/// programme has (codes). Every error is returned, each located.
pub fn check_catalogue(
    catalogue: &[IndicatorDefinition],
    value_chains: &[&str],
) -> Result<(), Vec<CatalogueError>> {
    let mut errors = Vec::new();
    let mut push = |indicator: &str, field: &str, problem| {
        errors.push(CatalogueError {
            indicator: indicator.to_owned(),
            field: field.to_owned(),
            problem,
        })
    };
    let mut seen = BTreeSet::new();
    for (i, def) in catalogue.iter().enumerate() {
        let at = if well_formed_code(&def.code) {
            def.code.clone()
        } else {
            push(&format!("#{}", i + 1), "code", CatalogueProblem::BadCode);
            continue;
        };
        if !seen.insert(def.code.as_str()) {
            push(&at, "code", CatalogueProblem::DuplicateCode);
        }
        for (field, text) in [("name", &def.name), ("definition", &def.definition)] {
            for (lang, words) in [("fr", &text.fr), ("ar", &text.ar), ("en", &text.en)] {
                if words.trim().is_empty() {
                    push(&at, field, CatalogueProblem::MissingText(lang.into()));
                }
            }
        }
        for chain in &def.value_chains {
            if !value_chains.contains(&chain.as_str()) {
                push(
                    &at,
                    "value_chains",
                    CatalogueProblem::UnknownValueChain(chain.clone()),
                );
            }
        }
        if let Aggregation::Formula { expression } = &def.aggregation
            && let Err(e) = Expr::parse(expression)
        {
            push(
                &at,
                "aggregation",
                CatalogueProblem::BadFormula(e.to_string()),
            );
        }
    }
    let codes: BTreeSet<&str> = catalogue.iter().map(|d| d.code.as_str()).collect();
    for def in catalogue.iter().filter(|d| well_formed_code(&d.code)) {
        for input in def.inputs() {
            if !codes.contains(input.as_str()) {
                push(
                    &def.code,
                    "aggregation",
                    CatalogueProblem::UnknownIndicator(input),
                );
            }
        }
        if let Some(path) = cycle_from(&def.code, catalogue) {
            push(&def.code, "aggregation", CatalogueProblem::Cycle(path));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// A path from `code` back to itself through the indicators it is computed from, if any.
fn cycle_from(code: &str, catalogue: &[IndicatorDefinition]) -> Option<Vec<String>> {
    let inputs = |c: &str| {
        catalogue
            .iter()
            .find(|d| d.code == c)
            .map(IndicatorDefinition::inputs)
            .unwrap_or_default()
    };
    // Depth-first, remembering the path; each indicator is expanded once.
    let mut stack = vec![(code.to_owned(), vec![code.to_owned()])];
    let mut expanded = BTreeSet::new();
    while let Some((at, path)) = stack.pop() {
        for next in inputs(&at) {
            if next == code {
                let mut cycle = path.clone();
                cycle.push(next);
                return Some(cycle);
            }
            if expanded.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push((next, longer));
            }
        }
    }
    None
}

/// The age bands values are broken down by (from the birth year, at the period's year).
pub const AGE_BANDS: [(&str, u32, u32); 4] = [
    ("15_24", 0, 24),
    ("25_34", 25, 34),
    ("35_44", 35, 44),
    ("45_plus", 45, u32::MAX),
];

/// The age band of someone born in `birth_year`, in `year`.
pub fn age_band(birth_year: i32, year: i32) -> &'static str {
    let age = u32::try_from(year - birth_year).unwrap_or(0);
    AGE_BANDS
        .iter()
        .find(|(_, from, to)| (*from..=*to).contains(&age))
        .map_or("45_plus", |(band, _, _)| band)
}

/// One cell of the standard disaggregation; `None` is "all" along that dimension.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<super::Sex>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_band: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disability: Option<bool>,
}

impl Cell {
    /// The cell holding every value: no breakdown.
    pub fn all() -> Cell {
        Cell::default()
    }

    pub fn is_all(&self) -> bool {
        self.sex.is_none() && self.age_band.is_none() && self.disability.is_none()
    }

    /// What the cell says along one dimension (`sex`: `female`; `age_band`: `25_34`;
    /// `disability`: `yes`), or `None` when it says nothing there.
    pub fn key(&self, dimension: &str) -> Option<String> {
        match dimension {
            "sex" => self.sex.map(|s| s.as_str().to_owned()),
            "age_band" => self.age_band.clone(),
            "disability" => self
                .disability
                .map(|d| if d { "yes" } else { "no" }.to_owned()),
            _ => None,
        }
    }
}

/// One value: an indicator, for a project, in a period, in one cell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub indicator: String,
    pub project: Uuid,
    /// `2026-Q3`, `2026-11`, `2026`: periods of one frequency sort in time.
    pub period: String,
    pub cell: Cell,
    pub value: f64,
}

/// Combines values by the indicator's aggregation; `None` when there is nothing to combine, or
/// for a derived indicator (see [`derive`]). `Last` takes the latest period, and the values of
/// that period combined as a sum (one per project or cell).
pub fn total<'a>(
    aggregation: &Aggregation,
    points: impl IntoIterator<Item = &'a Point>,
) -> Option<f64> {
    let points: Vec<&Point> = points.into_iter().collect();
    if points.is_empty() {
        return None;
    }
    match aggregation {
        Aggregation::Sum => Some(points.iter().map(|p| p.value).sum()),
        Aggregation::Average => {
            Some(points.iter().map(|p| p.value).sum::<f64>() / points.len() as f64)
        }
        Aggregation::Last => {
            let latest = points.iter().map(|p| p.period.as_str()).max()?;
            Some(
                points
                    .iter()
                    .filter(|p| p.period == latest)
                    .map(|p| p.value)
                    .sum(),
            )
        }
        Aggregation::Ratio { .. } | Aggregation::Formula { .. } => None,
    }
}

/// The value of a derived indicator from the totals of the indicators it names; `None` when
/// one is missing or the division is by zero. A ratio whose unit is a percentage is × 100.
pub fn derive(def: &IndicatorDefinition, totals: &BTreeMap<String, f64>) -> Option<f64> {
    match &def.aggregation {
        Aggregation::Ratio {
            numerator,
            denominator,
        } => {
            let (n, d) = (totals.get(numerator)?, totals.get(denominator)?);
            if *d == 0.0 {
                return None;
            }
            let scale = if def.data_type == DataType::Percent {
                100.0
            } else {
                1.0
            };
            Some(n / d * scale)
        }
        Aggregation::Formula { expression } => {
            let expr = Expr::parse(expression).ok()?;
            let lookup = |code: &str| {
                totals
                    .get(code)
                    .map_or(Value::Missing, |v| Value::Number(*v))
            };
            match expr.eval(&lookup, "") {
                Value::Number(n) if n.is_finite() => Some(n),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Every indicator's total over `points`, derived ones computed from the others (in an order
/// where inputs come first; a catalogue that passed [`check_catalogue`] has no cycle).
pub fn totals(catalogue: &[IndicatorDefinition], points: &[Point]) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for def in catalogue.iter().filter(|d| !d.is_derived()) {
        if let Some(v) = total(
            &def.aggregation,
            points.iter().filter(|p| p.indicator == def.code),
        ) {
            out.insert(def.code.clone(), v);
        }
    }
    // Derived indicators may name derived ones: repeat until nothing more can be computed.
    let derived: Vec<&IndicatorDefinition> = catalogue.iter().filter(|d| d.is_derived()).collect();
    loop {
        let mut progressed = false;
        for def in &derived {
            if !out.contains_key(&def.code)
                && let Some(v) = derive(def, &out)
            {
                out.insert(def.code.clone(), v);
                progressed = true;
            }
        }
        if !progressed {
            return out;
        }
    }
}

/// Values broken down along one dimension of the cell (`sex`, `age_band`, `disability`): the
/// total of each value seen. Points that do not say (the "all" cell) are left out.
pub fn breakdown<'a>(
    aggregation: &Aggregation,
    points: impl IntoIterator<Item = &'a Point>,
    dimension: &str,
) -> BTreeMap<String, f64> {
    let mut groups: BTreeMap<String, Vec<&Point>> = BTreeMap::new();
    for p in points {
        if let Some(key) = p.cell.key(dimension) {
            groups.entry(key).or_default().push(p);
        }
    }
    groups
        .into_iter()
        .filter_map(|(k, ps)| total(aggregation, ps).map(|v| (k, v)))
        .collect()
}

#[cfg(test)]
mod tests;

/// The latest version of each indicator, by code.
pub fn latest(all: Vec<IndicatorDefinition>) -> Vec<IndicatorDefinition> {
    let mut latest: Vec<IndicatorDefinition> = Vec::new();
    for def in all {
        match latest.iter_mut().find(|d| d.code == def.code) {
            Some(d) if d.version < def.version => *d = def,
            Some(_) => {}
            None => latest.push(def),
        }
    }
    latest.sort_by(|a, b| a.code.cmp(&b.code));
    latest
}
