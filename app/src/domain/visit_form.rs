//! A coaching visit as the answers to its form (`app/forms/coaching_visit.json`).
//!
//! The phone draws the visit screen from the form's definition, like every other capture
//! screen; the visit record keeps the answers with the version they were given on, and its
//! columns (date, mode, the economic snapshot…) are read from those answers by one function,
//! [`VisitFields::from_answers`], run on the phone and again on the server. Questions the team
//! adds in a later version are kept in the answers, so nothing typed is lost.
//!
//! A version of the form must still fill the record: [`record_problems`] refuses one that drops
//! the date or the mode, changes the type of a question the record reads, or offers a mode or a
//! topic the record cannot hold.

use crate::domain::form::{
    Answer, Answers, DefinitionError, DefinitionProblem, FieldKind, FormDefinition,
};
use crate::domain::{EntryStatus, FieldError, Snapshot, Topic, VisitFields, VisitMode};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The id of the coaching visit form.
pub const VISIT_FORM: &str = "coaching_visit";

/// The answers a visit was captured with, and the version of the form that asked them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FormAnswers {
    pub version: u32,
    pub answers: Answers,
}

// Answers come from JSON, which holds no NaN (and the form reads none): equality is total.
impl Eq for FormAnswers {}

/// The answer the record reads from each question, by the question's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reads {
    Day,
    Mode,
    Members,
    Topics,
    Text,
    Amount,
    YesNo,
}

/// The questions the visit record reads, with what it reads from each; `true` when the record
/// cannot do without it.
const RECORD: [(&str, Reads, bool); 16] = [
    ("visit_on", Reads::Day, true),
    ("mode", Reads::Mode, true),
    ("present", Reads::Members, false),
    ("topics", Reads::Topics, false),
    ("observations", Reads::Text, false),
    ("difficulties", Reads::Text, false),
    ("next_visit_on", Reads::Day, false),
    ("sales", Reads::Amount, false),
    ("purchases", Reads::Amount, false),
    ("cash", Reads::Amount, false),
    ("stock", Reads::Amount, false),
    ("debts", Reads::Amount, false),
    ("cash_book", Reads::YesNo, false),
    ("shock", Reads::YesNo, false),
    ("shock_details", Reads::Text, false),
    (ACTIONS, Reads::Text, false),
];

/// The question whose lines become new action items (each its own record, not part of the
/// visit's answers).
pub const ACTIONS: &str = "actions";

/// Whether the visit record reads this question (the others are kept only in the answers).
pub fn is_record_question(name: &str) -> bool {
    RECORD.iter().any(|(n, _, _)| *n == name)
}

/// Where the form shows what a rule of the visit record names: `present_member_ids` is asked as
/// `present`, a shock is described in `shock_details`.
pub fn question_of(record_field: &str) -> &str {
    match record_field {
        "present_member_ids" => "present",
        "shock" => "shock_details",
        other => other,
    }
}

/// What is wrong with `form` as a version of the visit form: each problem at its question.
pub fn record_problems(form: &FormDefinition) -> Vec<DefinitionError> {
    let mut errors = Vec::new();
    for (name, reads, needed) in RECORD {
        let at = vec![name.to_owned()];
        let Some(field) = form.fields.iter().find(|f| f.name == name) else {
            if needed || form.all_fields().iter().any(|f| f.name == name) {
                errors.push(DefinitionError {
                    field: at,
                    problem: DefinitionProblem::RecordNeeds {
                        kind: kind_name(reads).into(),
                    },
                });
            }
            continue;
        };
        let fits = matches!(
            (&field.kind, reads),
            (FieldKind::Date, Reads::Day)
                | (FieldKind::SingleChoice { .. }, Reads::Mode)
                | (FieldKind::MemberPicker { multiple: true }, Reads::Members)
                | (FieldKind::MultipleChoice { .. }, Reads::Topics)
                | (FieldKind::Text | FieldKind::LongText, Reads::Text)
                | (FieldKind::Money, Reads::Amount)
                | (FieldKind::YesNo, Reads::YesNo)
        );
        // What the record cannot do without is asked every time.
        let optional = needed && (!field.required || field.relevant.is_some());
        if !fits || optional {
            errors.push(DefinitionError {
                field: at.clone(),
                problem: DefinitionProblem::RecordNeeds {
                    kind: kind_name(reads).into(),
                },
            });
            continue;
        }
        if let FieldKind::SingleChoice { choices } | FieldKind::MultipleChoice { choices } =
            &field.kind
        {
            for choice in choices {
                let known = match reads {
                    Reads::Mode => VisitMode::parse(&choice.value).is_some(),
                    _ => Topic::parse(&choice.value).is_some(),
                };
                if !known {
                    errors.push(DefinitionError {
                        field: at.clone(),
                        problem: DefinitionProblem::ChoiceNotRecorded {
                            value: choice.value.clone(),
                        },
                    });
                }
            }
        }
    }
    errors
}

/// The question type the record needs, as the definition file spells it.
fn kind_name(reads: Reads) -> &'static str {
    match reads {
        Reads::Day => "date",
        Reads::Mode => "single_choice",
        Reads::Members => "member_picker",
        Reads::Topics => "multiple_choice",
        Reads::Text => "text",
        Reads::Amount => "money",
        Reads::YesNo => "yes_no",
    }
}

/// The lines of the "actions agreed" answer, taken out of `answers`: each becomes an action item.
pub fn take_actions(answers: &mut Answers) -> Vec<String> {
    match answers.remove(ACTIONS) {
        Some(Answer::Text(text)) => text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

impl VisitFields {
    /// The visit these answers describe. The form's own check (run before, in the form's words)
    /// catches what a user can get wrong; what is left here is the record's: the first answer it
    /// cannot read is the error.
    pub fn from_answers(
        project_id: Uuid,
        status: EntryStatus,
        form: FormAnswers,
    ) -> Result<VisitFields, FieldError> {
        let a = &form.answers;
        let text = |name: &'static str| match a.get(name) {
            Some(Answer::Text(t)) => Ok(t.trim().to_owned()),
            None => Ok(String::new()),
            Some(_) => Err(FieldError::new(name, "other")),
        };
        let list = |name: &'static str| match a.get(name) {
            Some(Answer::List(items)) => Ok(items.clone()),
            None => Ok(Vec::new()),
            Some(_) => Err(FieldError::new(name, "other")),
        };
        let amount = |name: &'static str| match a.get(name) {
            None => Ok(None),
            Some(Answer::Number(m)) if m.fract() == 0.0 && m.abs() < 1e15 => Ok(Some(*m as i64)),
            Some(_) => Err(FieldError::new(name, "not_an_amount")),
        };
        let yes_no = |name: &'static str| match a.get(name) {
            None => Ok(None),
            Some(Answer::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(FieldError::new(name, "other")),
        };
        let visit_on = text("visit_on")?;
        if visit_on.is_empty() {
            return Err(FieldError::new("visit_on", "required"));
        }
        let mode = VisitMode::parse(&text("mode")?).ok_or(FieldError::new("mode", "required"))?;
        let present_member_ids = list("present")?
            .iter()
            .map(|id| Uuid::parse_str(id).map_err(|_| FieldError::new("present", "other")))
            .collect::<Result<Vec<_>, _>>()?;
        let mut topics = list("topics")?
            .iter()
            .map(|t| Topic::parse(t).ok_or(FieldError::new("topics", "other")))
            .collect::<Result<Vec<_>, _>>()?;
        topics.sort_unstable();
        topics.dedup();
        let next_visit_on = Some(text("next_visit_on")?).filter(|d| !d.is_empty());
        let shock = match yes_no("shock")? {
            Some(true) => text("shock_details")?,
            _ => String::new(),
        };
        let snapshot = Snapshot {
            sales: amount("sales")?,
            purchases: amount("purchases")?,
            cash: amount("cash")?,
            stock: amount("stock")?,
            debts: amount("debts")?,
            cash_book_up_to_date: yes_no("cash_book")?,
            shock,
        };
        let observations = text("observations")?;
        let difficulties = text("difficulties")?;
        let mut form = form;
        form.answers.remove(ACTIONS);
        Ok(VisitFields {
            project_id,
            visit_on,
            mode,
            present_member_ids,
            topics,
            observations,
            difficulties,
            next_visit_on,
            status,
            snapshot,
            form: Some(form),
            files: Vec::new(),
        })
    }

    /// The form's answers for this visit, to open it again: those it was captured with, with
    /// what the record says written over them (a supervisor's merge changes the record).
    pub fn answers(&self) -> Answers {
        let mut a = self
            .form
            .as_ref()
            .map(|f| f.answers.clone())
            .unwrap_or_default();
        let mut put = |name: &str, value: Option<Answer>| match value {
            Some(v) => a.insert(name.to_owned(), v),
            None => a.remove(name),
        };
        let text = |t: &str| Some(Answer::Text(t.to_owned())).filter(|_| !t.is_empty());
        let list =
            |items: Vec<String>| Some(Answer::List(items)).filter(|l| l != &Answer::List(vec![]));
        put("visit_on", text(&self.visit_on));
        put("mode", text(self.mode.as_str()));
        put(
            "present",
            list(
                self.present_member_ids
                    .iter()
                    .map(Uuid::to_string)
                    .collect(),
            ),
        );
        put(
            "topics",
            list(self.topics.iter().map(|t| t.as_str().to_owned()).collect()),
        );
        put("observations", text(&self.observations));
        put("difficulties", text(&self.difficulties));
        put(
            "next_visit_on",
            self.next_visit_on.as_deref().and_then(text),
        );
        let s = &self.snapshot;
        for (name, amount) in [
            ("sales", s.sales),
            ("purchases", s.purchases),
            ("cash", s.cash),
            ("stock", s.stock),
            ("debts", s.debts),
        ] {
            put(name, amount.map(|m| Answer::Number(m as f64)));
        }
        put("cash_book", s.cash_book_up_to_date.map(Answer::Bool));
        let had_shock_answer = self
            .form
            .as_ref()
            .is_some_and(|f| f.answers.contains_key("shock"));
        if s.shock.is_empty() {
            // "No shock" stays said if it was; a shock merged away reads as none.
            put("shock", had_shock_answer.then_some(Answer::Bool(false)));
            put("shock_details", None);
        } else {
            put("shock", Some(Answer::Bool(true)));
            put("shock_details", text(&s.shock));
        }
        a
    }

    /// The same visit with its answers brought in line with its record (after a merge that
    /// picked record fields from two versions); a visit without answers stays without.
    pub fn with_answers_from_record(mut self) -> VisitFields {
        if self.form.is_some() {
            let answers = self.answers();
            if let Some(f) = self.form.as_mut() {
                f.answers = answers;
            }
        }
        self
    }

    /// Whether the record says what its answers say (a device sends both; the server keeps
    /// them only when they agree).
    pub fn agrees_with_answers(&self) -> bool {
        match &self.form {
            None => true,
            // The files are no answer: they travel beside them.
            Some(form) => VisitFields::from_answers(self.project_id, self.status, form.clone())
                .is_ok_and(|read| {
                    read == VisitFields {
                        files: Vec::new(),
                        ..self.clone()
                    }
                }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::form::AnswerProblem;

    const TODAY: &str = "2026-11-26";

    fn shipped() -> FormDefinition {
        serde_json::from_str(include_str!("../../forms/coaching_visit.json")).expect("the form")
    }

    fn answers(json: serde_json::Value) -> Answers {
        serde_json::from_value(json).expect("answers")
    }

    fn read(status: EntryStatus, given: Answers) -> Result<VisitFields, FieldError> {
        VisitFields::from_answers(
            Uuid::nil(),
            status,
            FormAnswers {
                version: 2,
                answers: given,
            },
        )
    }

    #[test]
    fn the_record_reads_every_answer_and_keeps_the_questions_it_has_no_column_for() {
        let member = Uuid::from_u128(7);
        let mut given = answers(serde_json::json!({
            "visit_on": "2026-11-20", "mode": "phone", "present": [member.to_string()],
            "topics": ["sse_law", "bookkeeping"], "observations": "  Cahier à jour. ",
            "next_visit_on": "2026-12-18", "sales": 1_200_500, "debts": 0, "cash_book": true,
            "shock": true, "shock_details": "Vent de sable", "satisfaction": 4,
            "actions": "Ouvrir un compte\n\n  Peser les dattes  "
        }));
        assert!(shipped().validate(&given, TODAY).is_empty());
        assert_eq!(
            take_actions(&mut given),
            ["Ouvrir un compte", "Peser les dattes"]
        );
        let visit = read(EntryStatus::Submitted, given).expect("read");
        assert_eq!(visit.visit_on, "2026-11-20");
        assert_eq!(visit.mode, VisitMode::Phone);
        assert_eq!(visit.present_member_ids, [member]);
        assert_eq!(visit.topics, [Topic::Bookkeeping, Topic::SseLaw]);
        assert_eq!(visit.observations, "Cahier à jour.");
        assert_eq!(visit.next_visit_on.as_deref(), Some("2026-12-18"));
        assert_eq!(visit.snapshot.sales, Some(1_200_500));
        assert_eq!(visit.snapshot.debts, Some(0));
        assert_eq!(visit.snapshot.cash, None);
        assert_eq!(visit.snapshot.cash_book_up_to_date, Some(true));
        assert_eq!(visit.snapshot.shock, "Vent de sable");
        let kept = &visit.form.as_ref().expect("answers kept").answers;
        assert_eq!(kept.get("satisfaction"), Some(&Answer::Number(4.0)));
        assert!(
            !kept.contains_key(ACTIONS),
            "action items are records of their own"
        );
        assert!(visit.agrees_with_answers());
        assert_eq!(visit.validate(TODAY), Ok(()));
    }

    #[test]
    fn no_shock_reads_as_none_and_the_record_needs_a_date_and_a_mode() {
        let visit = read(
            EntryStatus::Draft,
            answers(serde_json::json!({"visit_on": "2026-11-20", "mode": "group", "shock": false})),
        )
        .expect("read");
        assert_eq!(visit.snapshot.shock, "");
        assert_eq!(
            read(
                EntryStatus::Draft,
                answers(serde_json::json!({"mode": "group"}))
            ),
            Err(FieldError::new("visit_on", "required"))
        );
        assert_eq!(
            read(
                EntryStatus::Draft,
                answers(serde_json::json!({"visit_on": "2026-11-20"}))
            ),
            Err(FieldError::new("mode", "required"))
        );
        assert_eq!(
            read(
                EntryStatus::Draft,
                answers(
                    serde_json::json!({"visit_on": "2026-11-20", "mode": "group", "sales": 1.5})
                )
            ),
            Err(FieldError::new("sales", "not_an_amount"))
        );
    }

    #[test]
    fn a_visit_opens_again_with_its_answers_and_one_recorded_before_the_form_with_its_fields() {
        let given = answers(serde_json::json!({
            "visit_on": "2026-11-20", "mode": "on_site", "topics": ["marketing"],
            "cash": 350_000, "shock": false, "satisfaction": 5
        }));
        let visit = read(EntryStatus::Submitted, given.clone()).expect("read");
        assert_eq!(
            visit.answers(),
            given,
            "as typed, the extra question included"
        );

        // Recorded before: its fields become answers, which read back as the same visit.
        let before = VisitFields {
            form: None,
            snapshot: Snapshot {
                shock: "Sécheresse".into(),
                ..visit.snapshot.clone()
            },
            ..visit.clone()
        };
        let opened = before.answers();
        assert_eq!(opened.get("shock"), Some(&Answer::Bool(true)));
        assert!(shipped().validate(&opened, TODAY).is_empty());
        let again = read(EntryStatus::Submitted, opened).expect("read");
        assert_eq!(
            VisitFields {
                form: None,
                ..again
            },
            before
        );
    }

    #[test]
    fn a_record_changed_by_a_merge_brings_its_answers_along_and_a_mismatch_is_seen() {
        let visit = read(
            EntryStatus::Submitted,
            answers(serde_json::json!({"visit_on": "2026-11-20", "mode": "on_site", "shock": true, "shock_details": "Vol"})),
        )
        .expect("read");
        let mut merged = visit.clone();
        merged.observations = "Pris sur la tablette".into();
        merged.snapshot.shock = String::new();
        assert!(
            !merged.agrees_with_answers(),
            "the answers still say otherwise"
        );
        let merged = merged.with_answers_from_record();
        assert!(merged.agrees_with_answers());
        let kept = &merged.form.as_ref().expect("answers").answers;
        assert_eq!(kept.get("shock"), Some(&Answer::Bool(false)));
        assert_eq!(kept.get("shock_details"), None);
        assert_eq!(
            kept.get("observations"),
            Some(&Answer::Text("Pris sur la tablette".into()))
        );
    }

    #[test]
    fn a_version_that_cannot_fill_the_record_is_refused_at_each_question() {
        assert_eq!(shipped().check(), Ok(()));
        let mut form = shipped();
        form.version = 3;
        form.fields.retain(|f| f.name != "mode");
        for field in &mut form.fields {
            match field.name.as_str() {
                "visit_on" => field.required = false,
                "sales" => field.kind = FieldKind::Decimal,
                "topics" => {
                    if let FieldKind::MultipleChoice { choices } = &mut field.kind {
                        let mut dance = choices[0].clone();
                        dance.value = "dance".into();
                        choices.push(dance);
                    }
                }
                _ => {}
            }
        }
        let problems: Vec<(Vec<String>, DefinitionProblem)> = form
            .check()
            .expect_err("refused")
            .into_iter()
            .map(|e| (e.field, e.problem))
            .collect();
        let at = |name: &str| vec![name.to_owned()];
        assert_eq!(
            problems,
            [
                (
                    at("visit_on"),
                    DefinitionProblem::RecordNeeds {
                        kind: "date".into()
                    }
                ),
                (
                    at("mode"),
                    DefinitionProblem::RecordNeeds {
                        kind: "single_choice".into()
                    }
                ),
                (
                    at("topics"),
                    DefinitionProblem::ChoiceNotRecorded {
                        value: "dance".into()
                    }
                ),
                (
                    at("sales"),
                    DefinitionProblem::RecordNeeds {
                        kind: "money".into()
                    }
                ),
            ]
        );
    }

    #[test]
    fn a_draft_may_leave_questions_but_a_described_shock_is_still_asked_for_on_submit() {
        let given = answers(
            serde_json::json!({"visit_on": "2026-11-20", "mode": "on_site", "shock": true}),
        );
        let problems = shipped().validate(&given, TODAY);
        assert_eq!(
            problems
                .iter()
                .map(|e| (e.field(), &e.problem))
                .collect::<Vec<_>>(),
            [("shock_details", &AnswerProblem::Required)]
        );
        assert_eq!(question_of("shock"), "shock_details");
        assert_eq!(question_of("present_member_ids"), "present");
        assert_eq!(question_of("next_visit_on"), "next_visit_on");
    }
}
