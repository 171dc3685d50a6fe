//! What the programme team manages on `/catalogue`: new versions of indicator definitions,
//! targets for the programme, an incubator, a value chain or a project, and the reporting
//! periods' status.

use super::value::{PeriodStatus, parse_thousandths};
use super::{Aggregation, CatalogueError, Direction, Frequency, IndicatorDefinition};
use crate::domain::FieldError;
use crate::domain::Names;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A reporting period that is not simply open, with the reason of its last change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodState {
    pub period: String,
    pub status: PeriodStatus,
    pub reason: String,
}

/// What became of a catalogue import.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum CataloguePublish {
    /// These versions are now the ones in use: `(code, version)`.
    Published { versions: Vec<(String, u32)> },
    /// Not JSON of one definition or a list of them.
    Unreadable { detail: String },
    /// A version that is not newer than the one in use.
    NotNewer { code: String, latest: u32 },
    /// The catalogue it would make has errors, each located; nothing was published.
    Invalid { errors: Vec<CatalogueError> },
}

/// Reads an import: one definition, or a list of them (as the export writes it).
pub fn read_import(text: &str) -> Result<Vec<IndicatorDefinition>, String> {
    match serde_json::from_str::<Vec<IndicatorDefinition>>(text) {
        Ok(list) => Ok(list),
        Err(_) => serde_json::from_str::<IndicatorDefinition>(text)
            .map(|d| vec![d])
            .map_err(|e| e.to_string()),
    }
}

/// The catalogue an import would make: `latest` with each imported definition in place of the
/// version it follows (or added, for a new code). A version not newer than the latest of its
/// code is refused by name.
pub fn apply_import(
    latest: &[IndicatorDefinition],
    imported: &[IndicatorDefinition],
) -> Result<Vec<IndicatorDefinition>, CataloguePublish> {
    let mut out = latest.to_vec();
    for def in imported {
        match out.iter_mut().find(|d| d.code == def.code) {
            Some(current) if def.version <= current.version => {
                return Err(CataloguePublish::NotNewer {
                    code: def.code.clone(),
                    latest: current.version,
                });
            }
            Some(current) => *current = def.clone(),
            None if def.version != 1 => {
                return Err(CataloguePublish::NotNewer {
                    code: def.code.clone(),
                    latest: 0,
                });
            }
            None => out.push(def.clone()),
        }
    }
    Ok(out)
}

/// What the team's editor changes in an indicator's definition, as the form holds it: the names
/// and definitions in each language, the unit, how often it is reported, how values combine
/// (or the indicators it is computed from), which way is better, the value chains it applies to.
/// The code, type, category, level and breakdowns stay as they are: changing those makes
/// another indicator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefinitionEdit {
    pub name: Names,
    pub definition: Names,
    pub unit: String,
    pub frequency: Frequency,
    /// `sum`, `average`, `last`, `ratio` or `formula`.
    pub aggregation: String,
    /// For a ratio: the indicators divided (codes).
    pub numerator: String,
    pub denominator: String,
    /// For a formula: `${ECO-01} - ${ECO-03}`.
    pub expression: String,
    pub direction: Direction,
    /// Codes; none: every value chain.
    pub value_chains: Vec<String>,
    pub negative_allowed: bool,
}

/// The ways values may combine, as the editor names them.
pub const AGGREGATIONS: [&str; 5] = ["sum", "average", "last", "ratio", "formula"];

impl DefinitionEdit {
    /// The editor's starting point: the definition in use.
    pub fn of(def: &IndicatorDefinition) -> DefinitionEdit {
        let (aggregation, numerator, denominator, expression) = match &def.aggregation {
            Aggregation::Sum => ("sum", "", "", ""),
            Aggregation::Average => ("average", "", "", ""),
            Aggregation::Last => ("last", "", "", ""),
            Aggregation::Ratio {
                numerator,
                denominator,
            } => ("ratio", numerator.as_str(), denominator.as_str(), ""),
            Aggregation::Formula { expression } => ("formula", "", "", expression.as_str()),
        };
        DefinitionEdit {
            name: def.name.clone(),
            definition: def.definition.clone(),
            unit: def.unit.clone(),
            frequency: def.frequency,
            aggregation: aggregation.into(),
            numerator: numerator.into(),
            denominator: denominator.into(),
            expression: expression.into(),
            direction: def.direction,
            value_chains: def.value_chains.clone(),
            negative_allowed: def.negative_allowed,
        }
    }

    /// The next version of `current` with these changes. What only the whole catalogue can say
    /// (a formula naming an unknown indicator, a cycle, a missing translation) is checked when
    /// it is published, with every error located.
    pub fn next_version(
        &self,
        current: &IndicatorDefinition,
    ) -> Result<IndicatorDefinition, FieldError> {
        let unit = self.unit.trim();
        if unit.is_empty() {
            return Err(FieldError::new("unit", "required"));
        }
        let code = |typed: &str| typed.trim().to_uppercase();
        let aggregation = match self.aggregation.as_str() {
            "sum" => Aggregation::Sum,
            "average" => Aggregation::Average,
            "last" => Aggregation::Last,
            "ratio" => {
                let (numerator, denominator) = (code(&self.numerator), code(&self.denominator));
                if numerator.is_empty() {
                    return Err(FieldError::new("numerator", "required"));
                }
                if denominator.is_empty() {
                    return Err(FieldError::new("denominator", "required"));
                }
                Aggregation::Ratio {
                    numerator,
                    denominator,
                }
            }
            "formula" => {
                let expression = self.expression.trim();
                if expression.is_empty() {
                    return Err(FieldError::new("expression", "required"));
                }
                Aggregation::Formula {
                    expression: expression.into(),
                }
            }
            _ => return Err(FieldError::new("aggregation", "other")),
        };
        let trimmed = |n: &Names| Names {
            fr: n.fr.trim().into(),
            ar: n.ar.trim().into(),
            en: n.en.trim().into(),
        };
        // In the order given (a definition left as it is stays as it is), each once.
        let mut value_chains: Vec<String> = Vec::new();
        for chain in &self.value_chains {
            if !value_chains.contains(chain) {
                value_chains.push(chain.clone());
            }
        }
        Ok(IndicatorDefinition {
            version: current.version + 1,
            name: trimmed(&self.name),
            definition: trimmed(&self.definition),
            unit: unit.into(),
            frequency: self.frequency,
            aggregation,
            direction: self.direction,
            value_chains,
            negative_allowed: self.negative_allowed,
            ..current.clone()
        })
    }
}

/// What the targets form chooses from, with the targets set so far.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetChoices {
    /// `(code, name, unit, the cells a target may be set for)`.
    pub indicators: Vec<(String, Names, String, Vec<String>)>,
    /// `(id, name)`.
    pub incubators: Vec<(Uuid, String)>,
    /// `(id, name)`, the name in the language asked.
    pub value_chains: Vec<(Uuid, String)>,
    /// `(id, code · title)`.
    pub projects: Vec<(Uuid, String)>,
    pub targets: Vec<TargetLine>,
}

/// A target as the team's page lists it: where it applies, named, and the target.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetLine {
    pub scope: String,
    pub scope_name: String,
    pub target: super::progress::Target,
}

/// What `save_target` carries: numbers as typed (`1 234,5`), days as `YYYY-MM-DD`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveTarget {
    pub indicator: String,
    /// `programme`, `incubator`, `value_chain` or `project`.
    pub scope: String,
    /// Empty for the programme.
    pub scope_id: String,
    pub baseline: String,
    pub baseline_on: String,
    pub target: String,
    pub target_on: String,
    /// Intermediate milestones, one per line: a day and a value (`2026-06-30 200`).
    #[serde(default)]
    pub milestones: String,
    /// The cell of the breakdown the target is for (`sex:female`); empty for the whole.
    #[serde(default)]
    pub cell: String,
}

/// A checked target, in thousandths.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedTarget {
    pub indicator: String,
    pub scope: &'static str,
    pub scope_id: Option<Uuid>,
    pub baseline: Option<i64>,
    pub baseline_on: Option<String>,
    pub target: i64,
    pub target_on: String,
    /// `(day, value)`, in day order.
    pub milestones: Vec<(String, i64)>,
    /// `sex:female`, `age_band:25_34`, `disability:yes`; empty for the whole.
    pub cell: String,
}

fn is_day(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && s.chars()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&s[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&s[8..10].parse::<u32>().unwrap_or(0))
}

impl SaveTarget {
    /// Checks the form; the first field in error is named.
    pub fn check(&self, catalogue: &[IndicatorDefinition]) -> Result<CheckedTarget, FieldError> {
        if !catalogue.iter().any(|d| d.code == self.indicator) {
            return Err(FieldError::new("indicator", "unknown"));
        }
        let scope = ["programme", "incubator", "value_chain", "project"]
            .into_iter()
            .find(|s| *s == self.scope)
            .ok_or_else(|| FieldError::new("scope", "unknown"))?;
        let scope_id = if scope == "programme" {
            None
        } else {
            Some(
                Uuid::parse_str(self.scope_id.trim())
                    .map_err(|_| FieldError::new("scope_id", "required"))?,
            )
        };
        let baseline = match self.baseline.trim() {
            "" => None,
            typed => Some(
                parse_thousandths(typed)
                    .ok_or_else(|| FieldError::new("baseline", "not_a_number"))?,
            ),
        };
        let baseline_on = match self.baseline_on.trim() {
            "" if baseline.is_some() => return Err(FieldError::new("baseline_on", "required")),
            "" => None,
            day if is_day(day) => Some(day.to_owned()),
            _ => return Err(FieldError::new("baseline_on", "not_a_date")),
        };
        let target = match self.target.trim() {
            "" => return Err(FieldError::new("target", "required")),
            typed => {
                parse_thousandths(typed).ok_or_else(|| FieldError::new("target", "not_a_number"))?
            }
        };
        let target_on = match self.target_on.trim() {
            "" => return Err(FieldError::new("target_on", "required")),
            day if is_day(day) => day.to_owned(),
            _ => return Err(FieldError::new("target_on", "not_a_date")),
        };
        if baseline_on
            .as_deref()
            .is_some_and(|b| b >= target_on.as_str())
        {
            return Err(FieldError::new("target_on", "after_baseline"));
        }
        let mut milestones = Vec::new();
        for line in self.milestones.lines().flat_map(|l| l.split(';')) {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let (day, value) = line
                .split_once([' ', '=', ':', '\t'])
                .map(|(d, v)| (d.trim(), v.trim_start_matches([' ', '=', ':', '\t'])))
                .ok_or_else(|| FieldError::new("milestones", "not_a_number"))?;
            if !is_day(day) {
                return Err(FieldError::new("milestones", "not_a_date"));
            }
            // Between the baseline and the target.
            if day >= target_on.as_str() || baseline_on.as_deref().is_some_and(|b| day <= b) {
                return Err(FieldError::new("milestones", "out_of_range"));
            }
            let value = parse_thousandths(value)
                .ok_or_else(|| FieldError::new("milestones", "not_a_number"))?;
            milestones.push((day.to_owned(), value));
        }
        milestones.sort();
        let cell = self.cell.trim().to_owned();
        let def = catalogue.iter().find(|d| d.code == self.indicator);
        if !cell.is_empty() && !def.is_some_and(|d| target_cells(d).contains(&cell)) {
            return Err(FieldError::new("cell", "unknown"));
        }
        Ok(CheckedTarget {
            indicator: self.indicator.clone(),
            scope,
            scope_id,
            baseline,
            baseline_on,
            target,
            target_on,
            milestones,
            cell,
        })
    }
}

/// The cells a target may be set for: `sex:female`… along the dimensions the indicator is
/// broken down by.
pub fn target_cells(def: &IndicatorDefinition) -> Vec<String> {
    let mut out = Vec::new();
    for dimension in &def.disaggregations {
        let keys: Vec<&str> = match dimension.as_str() {
            "sex" => vec!["female", "male"],
            "age_band" => super::AGE_BANDS.iter().map(|(k, _, _)| *k).collect(),
            "disability" => vec!["yes", "no"],
            _ => Vec::new(),
        };
        out.extend(keys.into_iter().map(|k| format!("{dimension}:{k}")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::indicator::starter_catalogue;

    fn form() -> SaveTarget {
        SaveTarget {
            indicator: "SOC-03".into(),
            scope: "programme".into(),
            scope_id: String::new(),
            baseline: "120".into(),
            baseline_on: "2025-01-01".into(),
            target: "250".into(),
            target_on: "2027-12-31".into(),
            milestones: String::new(),
            cell: String::new(),
        }
    }

    #[test]
    fn a_target_needs_a_known_indicator_a_scope_numbers_and_days_in_order() {
        let c = starter_catalogue();
        let ok = form().check(&c).expect("a good target");
        assert_eq!(
            (ok.baseline, ok.target, ok.scope_id),
            (Some(120_000), 250_000, None)
        );
        let field = |f: SaveTarget| f.check(&c).map_err(|e| (e.field, e.code));
        assert_eq!(
            field(SaveTarget {
                indicator: "XXX-1".into(),
                ..form()
            }),
            Err(("indicator", "unknown"))
        );
        assert_eq!(
            field(SaveTarget {
                scope: "incubator".into(),
                ..form()
            }),
            Err(("scope_id", "required"))
        );
        assert_eq!(
            field(SaveTarget {
                target: "beaucoup".into(),
                ..form()
            }),
            Err(("target", "not_a_number"))
        );
        assert_eq!(
            field(SaveTarget {
                target_on: "31/12/2027".into(),
                ..form()
            }),
            Err(("target_on", "not_a_date"))
        );
        assert_eq!(
            field(SaveTarget {
                target_on: "2024-12-31".into(),
                ..form()
            }),
            Err(("target_on", "after_baseline"))
        );
        assert_eq!(
            field(SaveTarget {
                baseline_on: String::new(),
                ..form()
            }),
            Err(("baseline_on", "required"))
        );
        let no_baseline = SaveTarget {
            baseline: String::new(),
            baseline_on: String::new(),
            ..form()
        };
        assert_eq!(no_baseline.check(&c).map(|t| t.baseline), Ok(None));
    }

    #[test]
    fn a_target_may_be_for_one_cell_of_the_indicators_breakdown() {
        let c = starter_catalogue();
        let cell = |indicator: &str, cell: &str| {
            SaveTarget {
                indicator: indicator.into(),
                cell: cell.into(),
                ..form()
            }
            .check(&c)
            .map(|t| t.cell)
            .map_err(|e| (e.field, e.code))
        };
        assert_eq!(cell("SOC-03", "sex:female"), Ok("sex:female".into()));
        assert_eq!(
            cell("SOC-03", "disability:yes"),
            Ok("disability:yes".into())
        );
        assert_eq!(
            cell("SOC-03", "age_band:25_34"),
            Ok("age_band:25_34".into())
        );
        assert_eq!(cell("SOC-03", "sex:other"), Err(("cell", "unknown")));
        // Turnover is not broken down by sex.
        assert_eq!(cell("ECO-01", "sex:female"), Err(("cell", "unknown")));
        assert_eq!(cell("ECO-01", ""), Ok(String::new()));
    }

    #[test]
    fn milestones_are_days_and_values_between_the_baseline_and_the_target() {
        let c = starter_catalogue();
        let with = |m: &str| {
            SaveTarget {
                milestones: m.into(),
                ..form()
            }
            .check(&c)
            .map(|t| t.milestones)
            .map_err(|e| e.code)
        };
        assert_eq!(
            with("2026-12-31 200\n2026-06-30: 160"),
            Ok(vec![
                ("2026-06-30".into(), 160_000),
                ("2026-12-31".into(), 200_000)
            ])
        );
        assert_eq!(
            with("2026-06-30=160; 2026-12-31 = 200").map(|m| m.len()),
            Ok(2)
        );
        assert_eq!(with("fin juin 160"), Err("not_a_date"));
        assert_eq!(with("2026-06-30 beaucoup"), Err("not_a_number"));
        assert_eq!(with("2028-06-30 300"), Err("out_of_range"));
        assert_eq!(with("2024-06-30 100"), Err("out_of_range"));
        assert_eq!(with("  \n"), Ok(Vec::new()));
    }

    #[test]
    fn an_import_replaces_older_versions_and_refuses_a_version_not_newer() {
        let latest = starter_catalogue();
        let mut turnover = latest
            .iter()
            .find(|d| d.code == "ECO-01")
            .expect("ECO-01")
            .clone();
        let text = serde_json::to_string(&turnover).expect("json");
        assert_eq!(read_import(&text).map(|l| l.len()), Ok(1));
        assert!(read_import("{\"code\": 3}").is_err());
        assert_eq!(
            apply_import(&latest, &[turnover.clone()]),
            Err(CataloguePublish::NotNewer {
                code: "ECO-01".into(),
                latest: 1
            })
        );
        turnover.version = 2;
        turnover.unit = "TND/mois".into();
        let made = apply_import(&latest, &[turnover]).expect("newer");
        assert_eq!(made.len(), latest.len());
        let eco = made.iter().find(|d| d.code == "ECO-01").expect("ECO-01");
        assert_eq!((eco.version, eco.unit.as_str()), (2, "TND/mois"));
        let all = serde_json::to_string(&latest).expect("json");
        assert_eq!(read_import(&all).map(|l| l.len()), Ok(latest.len()));
    }

    #[test]
    fn an_edit_left_as_it_is_makes_the_same_definition_one_version_up() {
        for def in starter_catalogue() {
            let next = DefinitionEdit::of(&def)
                .next_version(&def)
                .expect(&def.code);
            assert_eq!(
                next,
                IndicatorDefinition {
                    version: def.version + 1,
                    ..def.clone()
                }
            );
        }
    }

    #[test]
    fn an_edit_is_checked_and_the_catalogue_it_makes_refuses_a_formula_over_an_unknown_indicator() {
        let latest = starter_catalogue();
        let turnover = latest.iter().find(|d| d.code == "ECO-01").expect("ECO-01");
        let mut edit = DefinitionEdit::of(turnover);
        edit.unit = "  ".into();
        assert_eq!(
            edit.next_version(turnover),
            Err(FieldError::new("unit", "required"))
        );
        edit.unit = "TND".into();
        edit.aggregation = "ratio".into();
        edit.numerator = "eco-03".into();
        assert_eq!(
            edit.next_version(turnover),
            Err(FieldError::new("denominator", "required"))
        );
        edit.aggregation = "formula".into();
        edit.expression = "${ECO-03} + ${XYZ-99}".into();
        edit.value_chains = vec!["PAL".into(), "DAT".into(), "PAL".into()];
        edit.name.fr = " Chiffre d'affaires mensuel ".into();
        let next = edit.next_version(turnover).expect("a next version");
        assert_eq!(next.version, turnover.version + 1);
        assert_eq!(next.value_chains, ["PAL", "DAT"]);
        assert_eq!(next.name.fr, "Chiffre d'affaires mensuel");
        let made = apply_import(&latest, std::slice::from_ref(&next)).expect("newer");
        let errors = crate::domain::indicator::check_catalogue(&made, &["DAT", "PAL"])
            .expect_err("an unknown indicator");
        assert!(
            errors.iter().any(|e| e.indicator == "ECO-01"
                && e.field == "aggregation"
                && e.problem
                    == crate::domain::indicator::CatalogueProblem::UnknownIndicator(
                        "XYZ-99".into()
                    )),
            "{errors:?}"
        );
    }
}
