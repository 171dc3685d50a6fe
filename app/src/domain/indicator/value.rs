//! Indicator values entered in the field: one record per project, indicator and reporting
//! period, with its breakdown by cell, its source and an evidence note; synced and reviewed like
//! every entry. Numbers are kept in thousandths (money in millimes), so a value is exact and
//! compares exactly.

use super::{Aggregation, Cell, DataType, Frequency, IndicatorDefinition, Point};
use crate::domain::form::{Answer, Answers};
use crate::domain::{EntryStatus, FieldError, FormAnswers, ReviewNote};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where a value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueSource {
    Visit,
    Survey,
    Record,
    Estimate,
    Derived,
}

impl ValueSource {
    pub const ALL: [ValueSource; 5] = [
        ValueSource::Visit,
        ValueSource::Survey,
        ValueSource::Record,
        ValueSource::Estimate,
        ValueSource::Derived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ValueSource::Visit => "visit",
            ValueSource::Survey => "survey",
            ValueSource::Record => "record",
            ValueSource::Estimate => "estimate",
            ValueSource::Derived => "derived",
        }
    }

    pub fn parse(s: &str) -> Option<ValueSource> {
        ValueSource::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// One cell of a value's breakdown, in thousandths.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellValue {
    pub cell: Cell,
    pub value: i64,
}

/// A value as the phone and the server keep it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorValue {
    pub id: Uuid,
    pub project_id: Uuid,
    pub indicator: String,
    /// The version of the indicator's definition it was entered under.
    pub indicator_version: u32,
    pub period: String,
    /// In thousandths of the unit (money: millimes).
    pub value: i64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cells: Vec<CellValue>,
    pub source: ValueSource,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub evidence: String,
    pub status: EntryStatus,
    pub author_id: Option<Uuid>,
    /// The global version that last changed it; 0 while only on the phone.
    pub version: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<ReviewNote>,
    /// The answers to the indicator entry form it was entered with (the value, source and
    /// evidence are read from them, questions the team added are kept there); `None` for a
    /// value entered before, or computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<FormAnswers>,
    /// Photos and documents it carries as evidence, named by their SHA-256.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<crate::domain::evidence::Evidence>,
}

impl IndicatorValue {
    /// The points it contributes to totals: its cells when broken down, else its value.
    pub fn points(&self) -> Vec<Point> {
        let point = |cell: Cell, value: i64| Point {
            indicator: self.indicator.clone(),
            project: self.project_id,
            period: self.period.clone(),
            cell,
            value: value as f64 / 1000.0,
        };
        if self.cells.is_empty() {
            vec![point(Cell::all(), self.value)]
        } else {
            self.cells
                .iter()
                .map(|c| point(c.cell.clone(), c.value))
                .collect()
        }
    }
}

/// A number as typed on a phone (`1 234,5`, `1234.5`), in thousandths; `None` if it is not one.
pub fn parse_thousandths(typed: &str) -> Option<i64> {
    let cleaned: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202f}')
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    if cleaned.is_empty() {
        return None;
    }
    let n: f64 = cleaned.parse().ok()?;
    let scaled = (n * 1000.0).round();
    (scaled.is_finite() && scaled.abs() < 9e15).then_some(scaled as i64)
}

/// A number in thousandths as people write it: up to three decimals, none when whole.
pub fn show_thousandths(value: i64) -> String {
    let whole = value / 1000;
    let rest = (value % 1000).abs();
    let sign = if value < 0 && whole == 0 { "-" } else { "" };
    if rest == 0 {
        format!("{sign}{whole}")
    } else {
        let decimals = format!("{rest:03}");
        format!("{sign}{whole},{}", decimals.trim_end_matches('0'))
    }
}

/// The longest evidence note.
pub const MAX_EVIDENCE_CHARS: usize = 500;

/// The largest value or cell, in thousandths (a thousand billion units: past any count, amount
/// or rate a micro-project has), so that sums over values never overflow.
pub const MAX_THOUSANDTHS: i64 = 1_000_000_000_000_000;

/// The most cells a breakdown holds (every sex × age band × disability cell is far fewer).
pub const MAX_CELLS: usize = 64;

/// The arguments of `indicator.value`: a value entered or corrected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveValueArgs {
    /// [`value_id`] of the project, indicator and period: the same on every phone.
    pub id: Uuid,
    pub project_id: Uuid,
    /// The server version the edit was made on; `None` for a value the server has not seen.
    pub base_version: Option<i64>,
    pub indicator: String,
    pub indicator_version: u32,
    pub period: String,
    pub value: i64,
    #[serde(default)]
    pub cells: Vec<CellValue>,
    pub source: ValueSource,
    #[serde(default)]
    pub evidence: String,
    /// Draft or submitted.
    pub status: EntryStatus,
    /// The answers to the indicator entry form, which `value`, `source` and `evidence` say
    /// again ([`read_entry`]); `None` from a device that sends the fields alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<FormAnswers>,
    /// Photos and documents it carries as evidence, named by their SHA-256.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<crate::domain::evidence::Evidence>,
}

/// The id of the indicator entry form: the questions asked with every value (the value, its
/// source, an evidence note), whatever the indicator.
pub const INDICATOR_FORM: &str = "indicator_entry";

/// The value (in thousandths), source and evidence note the entry form's answers give. The
/// form's own check, run before, says in its words what a user got wrong.
pub fn read_entry(answers: &Answers) -> Result<(i64, ValueSource, String), FieldError> {
    let value = match answers.get("value") {
        Some(Answer::Number(n)) if n.is_finite() && n.abs() < 9e12 => (n * 1000.0).round() as i64,
        Some(_) => return Err(FieldError::new("value", "not_a_number")),
        None => return Err(FieldError::new("value", "required")),
    };
    let source = match answers.get("source") {
        Some(Answer::Text(s)) => ValueSource::parse(s)
            .filter(|s| *s != ValueSource::Derived)
            .ok_or(FieldError::new("source", "other"))?,
        _ => return Err(FieldError::new("source", "required")),
    };
    let evidence = match answers.get("evidence") {
        Some(Answer::Text(t)) => t.trim().to_owned(),
        None => String::new(),
        Some(_) => return Err(FieldError::new("evidence", "other")),
    };
    // An estimate says what it rests on.
    if source == ValueSource::Estimate && evidence.is_empty() {
        return Err(FieldError::new("evidence", "required"));
    }
    Ok((value, source, evidence))
}

/// The id of the value of `indicator` for `project` in `period`: derived, so two phones entering
/// the same value make one record (the second an edit of the first), never two.
pub fn value_id(project: Uuid, indicator: &str, period: &str) -> Uuid {
    Uuid::new_v5(&project, format!("{indicator}/{period}").as_bytes())
}

impl SaveValueArgs {
    /// What needs no definition: the id derived from the project, indicator and period, a draft
    /// or a submission, an evidence note of a fair length.
    pub fn validate_shape(&self) -> Result<(), FieldError> {
        if self.id != value_id(self.project_id, &self.indicator, &self.period) {
            return Err(FieldError::new("id", "other"));
        }
        if !matches!(self.status, EntryStatus::Draft | EntryStatus::Submitted) {
            return Err(FieldError::new("status", "other"));
        }
        if self.evidence.chars().count() > MAX_EVIDENCE_CHARS {
            return Err(FieldError::new("evidence", "too_long"));
        }
        crate::domain::evidence::check_files(&self.files)?;
        // Sent with its answers, the value says what they say.
        if let Some(form) = &self.form
            && read_entry(&form.answers)
                != Ok((self.value, self.source, self.evidence.trim().to_owned()))
        {
            return Err(FieldError::new("answers", "invalid"));
        }
        Ok(())
    }

    /// Checks the value against its indicator's definition: entered (not derived), a period of
    /// its frequency that has begun, a number of its type and sign, a breakdown along its own
    /// dimensions whose cells add up to the value for a sum.
    pub fn validate(&self, def: &IndicatorDefinition, today: &str) -> Result<(), FieldError> {
        if def.code != self.indicator || def.is_derived() {
            return Err(FieldError::new("indicator", "derived"));
        }
        self.validate_shape()?;
        match period_start(def.frequency, &self.period) {
            None => return Err(FieldError::new("period", "not_a_period")),
            Some(start) if start.as_str() > today => {
                return Err(FieldError::new("period", "in_future"));
            }
            Some(_) => {}
        }
        check_number(def, self.value, "value")?;
        if self.cells.len() > MAX_CELLS {
            return Err(FieldError::new("cells", "other"));
        }
        for c in &self.cells {
            check_number(def, c.value, "cells")?;
            let along = [
                ("sex", c.cell.sex.is_some()),
                ("age_band", c.cell.age_band.is_some()),
                ("disability", c.cell.disability.is_some()),
            ];
            let outside = along
                .iter()
                .any(|(dim, set)| *set && !def.disaggregations.iter().any(|d| d == dim));
            let known_band = c
                .cell
                .age_band
                .as_deref()
                .is_none_or(|b| super::AGE_BANDS.iter().any(|(band, _, _)| *band == b));
            if c.cell.is_all() || outside || !known_band {
                return Err(FieldError::new("cells", "other"));
            }
        }
        if def.aggregation == Aggregation::Sum && !self.cells.is_empty() {
            let total = self
                .cells
                .iter()
                .try_fold(0i64, |sum, c| sum.checked_add(c.value));
            if total != Some(self.value) {
                return Err(FieldError::new("cells", "cells_total"));
            }
        }
        Ok(())
    }

    /// The value as these arguments describe it.
    pub fn record(
        &self,
        author_id: Option<Uuid>,
        version: i64,
        review: Option<ReviewNote>,
    ) -> IndicatorValue {
        IndicatorValue {
            id: self.id,
            project_id: self.project_id,
            indicator: self.indicator.clone(),
            indicator_version: self.indicator_version,
            period: self.period.clone(),
            value: self.value,
            cells: self.cells.clone(),
            source: self.source,
            evidence: self.evidence.trim().to_owned(),
            status: self.status,
            author_id,
            version,
            review,
            form: self.form.clone(),
            files: self.files.clone(),
        }
    }
}

/// A number the indicator accepts, in thousandths.
fn check_number(
    def: &IndicatorDefinition,
    value: i64,
    field: &'static str,
) -> Result<(), FieldError> {
    if value < 0 && !def.negative_allowed {
        return Err(FieldError::new(field, "negative"));
    }
    if value.unsigned_abs() > MAX_THOUSANDTHS.unsigned_abs() {
        return Err(FieldError::new(field, "out_of_range"));
    }
    let fits = match def.data_type {
        DataType::Integer => value % 1000 == 0,
        DataType::Boolean => value == 0 || value == 1000,
        DataType::Scale => (1000..=5000).contains(&value),
        DataType::Percent => (0..=100_000).contains(&value),
        DataType::Decimal | DataType::Money => true,
    };
    if fits {
        Ok(())
    } else {
        Err(FieldError::new(field, "out_of_range"))
    }
}

/// The period of `frequency` that holds `day` (`YYYY-MM-DD`).
pub fn period_of(frequency: Frequency, day: &str) -> String {
    let year = day.get(..4).unwrap_or("0000");
    let month: u32 = day.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
    match frequency {
        Frequency::Monthly | Frequency::PerEvent => format!("{year}-{month:02}"),
        Frequency::Quarterly => format!("{year}-Q{}", (month - 1) / 3 + 1),
        Frequency::Semester => format!("{year}-S{}", (month - 1) / 6 + 1),
        Frequency::Annual | Frequency::Season | Frequency::BaselineEndline => year.to_owned(),
    }
}

/// The first day of `period`, if it is a period of `frequency`.
pub fn period_start(frequency: Frequency, period: &str) -> Option<String> {
    let year: i32 = period.get(..4)?.parse().ok()?;
    if !(2000..=2100).contains(&year) {
        return None;
    }
    let rest = period.get(4..)?;
    let month = match (frequency, rest.as_bytes()) {
        (Frequency::Monthly | Frequency::PerEvent, [b'-', _, _]) => {
            let m: u32 = rest.get(1..)?.parse().ok()?;
            (1..=12).contains(&m).then_some(m)?
        }
        (Frequency::Quarterly, [b'-', b'Q', q @ b'1'..=b'4']) => u32::from(q - b'0') * 3 - 2,
        (Frequency::Semester, [b'-', b'S', s @ b'1'..=b'2']) => u32::from(s - b'0') * 6 - 5,
        (Frequency::Annual | Frequency::Season | Frequency::BaselineEndline, []) => 1,
        _ => return None,
    };
    Some(format!("{year}-{month:02}-01"))
}

#[cfg(test)]
mod tests;

/// Where a reporting period stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodStatus {
    Open,
    Submitted,
    Locked,
}

impl PeriodStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodStatus::Open => "open",
            PeriodStatus::Submitted => "submitted",
            PeriodStatus::Locked => "locked",
        }
    }

    pub fn parse(s: &str) -> Option<PeriodStatus> {
        [
            PeriodStatus::Open,
            PeriodStatus::Submitted,
            PeriodStatus::Locked,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }
}

/// The first day of `period` and the first day after it, whatever its frequency (`2026-08`,
/// `2026-Q3`, `2026-S2`, `2026`); `None` if it is not a period.
pub fn period_bounds(period: &str) -> Option<(String, String)> {
    use super::Frequency::{Annual, Monthly, Quarterly, Semester};
    [Monthly, Quarterly, Semester, Annual]
        .into_iter()
        .find_map(|f| {
            Some((
                period_start(f, period)?,
                super::derived::period_end(f, period)?,
            ))
        })
}

/// Whether locking `locked` locks `period`: the same period, or one within it (a locked quarter
/// locks its months; a locked year, its quarters, halves and months).
pub fn period_within(period: &str, locked: &str) -> bool {
    match (period_bounds(period), period_bounds(locked)) {
        (Some((start, end)), Some((from, to))) => from <= start && end <= to,
        _ => period == locked,
    }
}

/// A period moves open → submitted → locked; a locked period reopens only with a reason, which
/// is kept.
pub fn check_period_change(
    from: PeriodStatus,
    to: PeriodStatus,
    reason: &str,
) -> Result<(), FieldError> {
    use PeriodStatus::*;
    match (from, to) {
        (Open, Submitted) | (Open | Submitted, Locked) | (Submitted, Open) => Ok(()),
        (Locked, Open | Submitted) if reason.trim().is_empty() => {
            Err(FieldError::new("reason", "required"))
        }
        (Locked, Open | Submitted) => Ok(()),
        _ => Err(FieldError::new("status", "not_allowed")),
    }
}

#[cfg(test)]
mod period_tests {
    use super::*;

    #[test]
    fn a_locked_period_reopens_only_with_a_reason() {
        use PeriodStatus::*;
        assert!(check_period_change(Open, Locked, "").is_ok());
        assert_eq!(
            check_period_change(Locked, Open, "  ").map_err(|e| e.field),
            Err("reason")
        );
        assert!(check_period_change(Locked, Open, "Valeurs de Douz arrivées en retard").is_ok());
        assert!(check_period_change(Open, Open, "").is_err());
    }

    #[test]
    fn a_locked_quarter_locks_its_months_and_a_locked_year_everything_in_it() {
        assert!(period_within("2026-Q3", "2026-Q3"));
        assert!(period_within("2026-08", "2026-Q3"));
        assert!(!period_within("2026-10", "2026-Q3"));
        assert!(period_within("2026-S2", "2026"));
        assert!(period_within("2026-12", "2026"));
        assert!(!period_within("2026", "2026-Q4"));
        assert!(!period_within("2025-Q3", "2026"));
        assert_eq!(
            period_bounds("2026-Q4"),
            Some(("2026-10-01".into(), "2027-01-01".into()))
        );
        assert_eq!(period_bounds("autumn"), None);
    }
}
