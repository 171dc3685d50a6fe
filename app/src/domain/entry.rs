//! Entries kept as form answers: diagnostics and SSE-law self-assessments.
//!
//! Made on the phone offline with a form version the phone holds, checked there and again on the
//! server against that same version, synced and reviewed like a visit. What the project page draws
//! from them (the diagnostic scores over time, the self-assessment's score and its gaps) is
//! computed here, once, for the phone and the server alike.

use crate::domain::Names;
use crate::domain::form::{Answer, AnswerError, AnswerProblem, Answers, FieldKind, FormDefinition};
use crate::domain::vocabulary::{EntryStatus, FieldError, ReviewNote};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The diagnostic form: initial, mid-term and final, six axes scored 1 to 5.
pub const DIAGNOSTIC_FORM: &str = "diagnostic";
/// The SSE law 2020-30 self-assessment checklist (criteria L1–L14).
pub const SSE_FORM: &str = "sse_assessment";
/// The forms whose entries are kept as answers (members and visits have records of their own).
pub const ENTRY_FORMS: [&str; 2] = [DIAGNOSTIC_FORM, SSE_FORM];

/// The diagnostic's six axes, in the order the chart draws them.
pub const DIAGNOSTIC_AXES: [&str; 6] = [
    "score_entrepreneur",
    "score_market",
    "score_production",
    "score_finance",
    "score_governance",
    "score_sse_environment",
];

/// The field holding the day an entry is about, per form.
pub fn day_field(form_id: &str) -> &'static str {
    match form_id {
        SSE_FORM => "assessed_on",
        _ => "done_on",
    }
}

/// An entry made with a form, as the device and the server keep it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FormEntry {
    pub id: Uuid,
    pub project_id: Uuid,
    pub form_id: String,
    pub form_version: u32,
    pub status: EntryStatus,
    pub answers: Answers,
    pub author_id: Option<Uuid>,
    /// The global version that last changed it; 0 while only on the phone.
    pub version: i64,
    /// The last supervisor decision, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<ReviewNote>,
    /// Photos and documents it carries as evidence, named by their SHA-256.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<crate::domain::evidence::Evidence>,
}

// Answers come from JSON, which holds no NaN: equality is total.
impl Eq for FormEntry {}

impl FormEntry {
    /// The day it is about (`YYYY-MM-DD`), as answered.
    pub fn day(&self) -> &str {
        match self.answers.get(day_field(&self.form_id)) {
            Some(Answer::Text(day)) => day,
            _ => "",
        }
    }

    /// The answer to a single-choice field.
    pub fn choice(&self, field: &str) -> Option<&str> {
        match self.answers.get(field) {
            Some(Answer::Text(value)) => Some(value),
            _ => None,
        }
    }
}

/// The arguments of `entry.save`: create an entry, or edit one (a draft, or a returned entry).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SaveEntryArgs {
    /// Made on the device when the entry is first saved; the same for every later edit.
    pub id: Uuid,
    pub project_id: Uuid,
    /// The server version the edit was made on; `None` for an entry the server has not seen.
    pub base_version: Option<i64>,
    pub form_id: String,
    pub form_version: u32,
    /// `Draft` or `Submitted`: the other two are a supervisor's to give.
    pub status: EntryStatus,
    pub answers: Answers,
    /// Photos and documents it carries as evidence, named by their SHA-256.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<crate::domain::evidence::Evidence>,
}

impl SaveEntryArgs {
    /// The rules that need no form definition.
    pub fn validate(&self) -> Result<(), FieldError> {
        if !ENTRY_FORMS.contains(&self.form_id.as_str()) {
            return Err(FieldError::new("form_id", "unknown_form"));
        }
        if !matches!(self.status, EntryStatus::Draft | EntryStatus::Submitted) {
            return Err(FieldError::new("status", "invalid"));
        }
        crate::domain::evidence::check_files(&self.files)?;
        Ok(())
    }

    /// The answers against the form version they were given on. A draft may leave required
    /// fields empty (it is work in progress), and must still answer what it answers correctly.
    pub fn check(&self, form: &FormDefinition, today: &str) -> Vec<AnswerError> {
        let mut errors = form.validate(&self.answers, today);
        if self.status == EntryStatus::Draft {
            errors.retain(|e| e.problem != AnswerProblem::Required);
        }
        errors
    }
}

/// A submitted diagnostic or self-assessment waiting for review, with what a supervisor filters
/// and reads it by.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryReviewItem {
    pub entry: FormEntry,
    pub header: crate::domain::QueueHeader,
    /// Every revision and review so far, oldest first.
    pub history: Vec<crate::domain::HistoryEvent>,
}

/// The entries waiting for review, with each form version they were made with (once each).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EntryQueue {
    pub items: Vec<EntryReviewItem>,
    pub forms: Vec<FormDefinition>,
}

/// One diagnostic, as the chart of scores over time draws it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiagnosticPoint {
    pub entry: Uuid,
    pub day: String,
    /// `initial`, `midterm` or `final`, as answered.
    pub stage: String,
    /// The six axes of [`DIAGNOSTIC_AXES`], 1 to 5; `None` where a draft left one empty.
    pub scores: [Option<u8>; 6],
}

/// A project's diagnostics in date order (returned ones too: the facilitator is fixing them).
pub fn diagnostic_series<'a>(
    entries: impl IntoIterator<Item = &'a FormEntry>,
) -> Vec<DiagnosticPoint> {
    let mut points: Vec<DiagnosticPoint> = entries
        .into_iter()
        .filter(|e| e.form_id == DIAGNOSTIC_FORM)
        .map(|e| DiagnosticPoint {
            entry: e.id,
            day: e.day().to_owned(),
            stage: e.choice("stage").unwrap_or_default().to_owned(),
            scores: DIAGNOSTIC_AXES.map(|axis| match e.answers.get(axis) {
                Some(Answer::Number(n)) if (1.0..=5.0).contains(n) => Some(*n as u8),
                _ => None,
            }),
        })
        .collect();
    points.sort_by(|a, b| (&a.day, a.entry).cmp(&(&b.day, b.entry)));
    points
}

/// How a criterion of the self-assessment is met.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alignment {
    Yes,
    Partial,
    No,
    NotApplicable,
}

impl Alignment {
    fn parse(value: &str) -> Option<Alignment> {
        match value {
            "yes" => Some(Alignment::Yes),
            "partial" => Some(Alignment::Partial),
            "no" => Some(Alignment::No),
            "na" => Some(Alignment::NotApplicable),
            _ => None,
        }
    }
}

/// A self-assessment summed up.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssessmentScore {
    pub yes: u32,
    pub partial: u32,
    pub no: u32,
    pub not_applicable: u32,
    /// Criteria left without an answer (a draft).
    pub unanswered: u32,
    /// Yes counts 1 and partly ½, over the criteria that apply; `None` when none applies.
    pub percent: Option<u32>,
}

/// A criterion answered "no" or "partly": what to work on, suggested as an action item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    pub field: String,
    pub label: Names,
    pub answer: Alignment,
}

/// The criteria of a checklist form: its single-choice fields answered yes / partly / no / not
/// applicable (so a new version of the checklist needs no code).
fn criteria(form: &FormDefinition) -> impl Iterator<Item = &crate::domain::form::Field> {
    form.fields.iter().filter(|f| match &f.kind {
        FieldKind::SingleChoice { choices } => ["yes", "partial", "no", "na"]
            .iter()
            .all(|v| choices.iter().any(|c| c.value == *v)),
        _ => false,
    })
}

/// The score of a self-assessment, against the form version it was made with.
pub fn assessment_score(form: &FormDefinition, answers: &Answers) -> AssessmentScore {
    let mut score = AssessmentScore::default();
    for field in criteria(form) {
        let answer = match answers.get(&field.name) {
            Some(Answer::Text(v)) => Alignment::parse(v),
            _ => None,
        };
        match answer {
            Some(Alignment::Yes) => score.yes += 1,
            Some(Alignment::Partial) => score.partial += 1,
            Some(Alignment::No) => score.no += 1,
            Some(Alignment::NotApplicable) => score.not_applicable += 1,
            None => score.unanswered += 1,
        }
    }
    let applicable = score.yes + score.partial + score.no;
    if applicable > 0 {
        // Half points, rounded to the nearest whole percent.
        let halves = 2 * score.yes + score.partial;
        score.percent = Some((halves * 100 + applicable) / (2 * applicable));
    }
    score
}

/// The criteria answered "no" or "partly", in checklist order.
pub fn assessment_gaps(form: &FormDefinition, answers: &Answers) -> Vec<Gap> {
    criteria(form)
        .filter_map(|field| {
            let answer = match answers.get(&field.name) {
                Some(Answer::Text(v)) => Alignment::parse(v)?,
                _ => return None,
            };
            matches!(answer, Alignment::No | Alignment::Partial).then(|| Gap {
                field: field.name.clone(),
                label: field.label.clone(),
                answer,
            })
        })
        .collect()
}

/// An action item's title made from a criterion's label: cut at a word to fit.
pub fn gap_action_title(label: &str) -> String {
    let limit = crate::domain::visit::MAX_TITLE_CHARS;
    let label = label.trim();
    if label.chars().count() <= limit {
        return label.to_owned();
    }
    let cut: String = label.chars().take(limit - 1).collect();
    let cut = match cut.rfind(' ') {
        Some(at) if at > limit / 2 => &cut[..at],
        _ => &cut,
    };
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(id: &str) -> FormDefinition {
        let text = match id {
            DIAGNOSTIC_FORM => include_str!("../../forms/diagnostic.json"),
            _ => include_str!("../../forms/sse_assessment.json"),
        };
        serde_json::from_str(text).unwrap()
    }

    fn answers(pairs: &[(&str, Answer)]) -> Answers {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    fn entry(id: u128, form_id: &str, answers: Answers) -> FormEntry {
        FormEntry {
            files: Vec::new(),
            id: Uuid::from_u128(id),
            project_id: Uuid::from_u128(99),
            form_id: form_id.into(),
            form_version: 1,
            status: EntryStatus::Submitted,
            answers,
            author_id: None,
            version: 0,
            review: None,
        }
    }

    fn args(form_id: &str, status: EntryStatus, answers: Answers) -> SaveEntryArgs {
        SaveEntryArgs {
            files: Vec::new(),
            id: Uuid::from_u128(1),
            project_id: Uuid::from_u128(2),
            base_version: None,
            form_id: form_id.into(),
            form_version: 1,
            status,
            answers,
        }
    }

    #[test]
    fn a_draft_may_leave_questions_empty_but_not_answer_them_wrongly() {
        let form = form(DIAGNOSTIC_FORM);
        let partial = answers(&[("stage", Answer::Text("initial".into()))]);
        assert!(
            args(DIAGNOSTIC_FORM, EntryStatus::Draft, partial.clone())
                .check(&form, "2026-11-26")
                .is_empty()
        );
        let submitted =
            args(DIAGNOSTIC_FORM, EntryStatus::Submitted, partial).check(&form, "2026-11-26");
        assert!(
            submitted
                .iter()
                .any(|e| e.field() == "done_on" && e.problem == AnswerProblem::Required)
        );
        let wrong = answers(&[("score_market", Answer::Number(7.0))]);
        let errors = args(DIAGNOSTIC_FORM, EntryStatus::Draft, wrong).check(&form, "2026-11-26");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field(), "score_market");
    }

    #[test]
    fn only_entry_forms_and_a_facilitators_statuses_are_accepted() {
        assert_eq!(
            args("member", EntryStatus::Draft, Answers::new()).validate(),
            Err(FieldError::new("form_id", "unknown_form"))
        );
        assert_eq!(
            args(SSE_FORM, EntryStatus::Validated, Answers::new()).validate(),
            Err(FieldError::new("status", "invalid"))
        );
        assert!(
            args(SSE_FORM, EntryStatus::Submitted, Answers::new())
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn diagnostics_are_drawn_in_date_order_with_their_six_scores() {
        let scored = |day: &str, stage: &str, base: f64| {
            let mut a = answers(&[
                ("done_on", Answer::Text(day.into())),
                ("stage", Answer::Text(stage.into())),
            ]);
            for (i, axis) in DIAGNOSTIC_AXES.iter().enumerate() {
                a.insert((*axis).into(), Answer::Number((base + i as f64).min(5.0)));
            }
            a
        };
        let later = entry(1, DIAGNOSTIC_FORM, scored("2026-10-01", "midterm", 2.0));
        let first = entry(2, DIAGNOSTIC_FORM, scored("2026-03-01", "initial", 1.0));
        let other = entry(
            3,
            SSE_FORM,
            answers(&[("assessed_on", Answer::Text("2026-01-01".into()))]),
        );
        let series = diagnostic_series([&later, &first, &other]);
        assert_eq!(series.len(), 2);
        assert_eq!(
            (series[0].stage.as_str(), series[1].stage.as_str()),
            ("initial", "midterm")
        );
        assert_eq!(
            series[0].scores,
            [Some(1), Some(2), Some(3), Some(4), Some(5), Some(5)]
        );
        assert_eq!(series[1].day, "2026-10-01");
    }

    #[test]
    fn the_self_assessment_scores_yes_as_one_and_partly_as_half_over_what_applies() {
        let form = form(SSE_FORM);
        let mut a = answers(&[("assessed_on", Answer::Text("2026-11-01".into()))]);
        let given = ["yes", "yes", "partial", "no", "na", "yes"];
        for (i, v) in given.iter().enumerate() {
            a.insert(format!("l{}", i + 1), Answer::Text((*v).into()));
        }
        let score = assessment_score(&form, &a);
        assert_eq!(
            (score.yes, score.partial, score.no, score.not_applicable),
            (3, 1, 1, 1)
        );
        assert_eq!(score.unanswered, 8);
        // (3 + ½) / 5 = 70 %.
        assert_eq!(score.percent, Some(70));
        let gaps = assessment_gaps(&form, &a);
        let named: Vec<_> = gaps.iter().map(|g| (g.field.as_str(), g.answer)).collect();
        assert_eq!(named, [("l3", Alignment::Partial), ("l4", Alignment::No)]);
        assert!(gaps[1].label.fr.starts_with("L4."));
        assert_eq!(assessment_score(&form, &Answers::new()).percent, None);
    }

    #[test]
    fn a_long_criterion_makes_an_action_title_that_fits() {
        let long = "mot ".repeat(80);
        let title = gap_action_title(&long);
        assert!(title.chars().count() <= crate::domain::visit::MAX_TITLE_CHARS);
        assert!(title.ends_with("mot…"));
        assert_eq!(
            gap_action_title(" L2. Finalité sociale "),
            "L2. Finalité sociale"
        );
    }
}
