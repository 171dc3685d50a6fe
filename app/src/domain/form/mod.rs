//! Forms as versioned data: what a capture screen asks, in which order, when, and what it
//! accepts. A definition travels to the phones; an entry records the form id and version it was
//! made with, and is checked against that version, on the phone offline and again on the server.
//!
//! - [`FormDefinition::check`] refuses a definition with errors, each located (the previous
//!   version stays active).
//! - [`FormDefinition::validate`] checks answers: types, required, constraints, relevance
//!   ([`expr`]). Answers to fields that are not relevant are not checked and are dropped by
//!   [`FormDefinition::prune`].

pub mod expr;

use crate::domain::Names;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A form, one version of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FormDefinition {
    /// Stable across versions: `coaching_visit`, `member`, …
    pub id: String,
    pub version: u32,
    pub title: Names,
    pub fields: Vec<Field>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// Unique in the form (repeat groups included): `[a-z][a-z0-9_]*`.
    pub name: String,
    pub label: Names,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<Names>,
    #[serde(flatten)]
    pub kind: FieldKind,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// Shown only when this holds ([`expr`]); always shown without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<Constraint>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    LongText,
    Integer,
    Decimal,
    /// Tunisian dinars, answered in millimes (an integer).
    Money,
    /// `YYYY-MM-DD`.
    Date,
    SingleChoice {
        choices: Vec<Choice>,
    },
    MultipleChoice {
        choices: Vec<Choice>,
    },
    YesNo,
    /// 1 to 5.
    Scale,
    /// Members of the entry's project, by id.
    MemberPicker {
        #[serde(default)]
        multiple: bool,
    },
    /// The same questions asked once per item (one per product, per training…).
    Repeat {
        fields: Vec<Field>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: Names,
}

/// A rule an answer must keep, with what to tell the user when it does not.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Constraint {
    pub rule: Rule,
    pub message: Names,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// At least: a number (dinars for money), a date or `today`, a count of choices or members,
    /// a length of text.
    Min(Limit),
    /// At most; as [`Rule::Min`].
    Max(Limit),
    /// The whole text matches this regular expression.
    Pattern(String),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Limit {
    Number(f64),
    /// A date `YYYY-MM-DD`, or `today`.
    Text(String),
}

/// One answer, as JSON holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    Bool(bool),
    Number(f64),
    Text(String),
    List(Vec<String>),
    Items(Vec<Answers>),
}

/// Answers by field name.
pub type Answers = BTreeMap<String, Answer>;

/// Where in a definition something is wrong: the field (`members > wg_walking` inside a repeat)
/// and the part of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefinitionError {
    /// Field names from the top, empty for the form itself.
    pub field: Vec<String>,
    pub problem: DefinitionProblem,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum DefinitionProblem {
    BadFormId,
    BadVersion,
    NoFields,
    MissingLabel {
        language: String,
    },
    BadName,
    DuplicateName,
    NoChoices,
    DuplicateChoice {
        value: String,
    },
    RelevanceSyntax {
        detail: String,
    },
    UnknownField {
        name: String,
    },
    /// The condition reads a field that comes after it (or itself).
    LaterField {
        name: String,
    },
    /// Fields whose conditions depend on one another in a circle, in order.
    RelevanceCycle {
        path: Vec<String>,
    },
    /// A field inside a repeat group, read from outside it.
    InsideRepeat {
        name: String,
    },
    BadPattern {
        detail: String,
    },
    /// A rule this field type cannot have (a pattern on a number…).
    RuleNotForType,
    BadLimit,
    MinAboveMax,
    /// The record the form fills reads this question as `kind`, asked every time when it
    /// cannot do without it (the date and the mode of a visit).
    RecordNeeds {
        kind: String,
    },
    /// A choice the record the form fills cannot hold (a visit mode or topic it does not know).
    ChoiceNotRecorded {
        value: String,
    },
}

/// Where an answer is wrong: the field and, inside repeat groups, the item (from 0).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerError {
    pub path: Vec<(String, Option<usize>)>,
    pub problem: AnswerProblem,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum AnswerProblem {
    Required,
    /// Not the type the field takes (text for a number, 2.5 for an integer, 7 on a scale…).
    WrongType,
    UnknownChoice,
    NotADate,
    /// The field's constraint at this index is broken: its message says why.
    Constraint {
        index: usize,
    },
    /// An answer to a field the form does not have.
    UnknownField,
    /// A rule of the record the form fills, beyond the form's own (a visit's next date comes
    /// after the visit); `rule` is the record's stable code.
    Record {
        rule: String,
    },
}

impl AnswerError {
    /// The field's name (the innermost one).
    pub fn field(&self) -> &str {
        self.path.last().map_or("", |p| p.0.as_str())
    }
}

fn is_iso_day(s: &str) -> bool {
    super::dates::is_iso_day(s)
}

impl Limit {
    /// The limit as a number the answer is compared with, for this kind of field.
    fn for_kind(&self, kind: &FieldKind, today: &str) -> Option<LimitValue> {
        match (kind, self) {
            (FieldKind::Date, Limit::Text(t)) if t == "today" => {
                Some(LimitValue::Day(today.to_owned()))
            }
            (FieldKind::Date, Limit::Text(t)) if is_iso_day(t) => Some(LimitValue::Day(t.clone())),
            (FieldKind::Money, Limit::Number(n)) => Some(LimitValue::Number((n * 1000.0).round())),
            (
                FieldKind::Integer
                | FieldKind::Decimal
                | FieldKind::Scale
                | FieldKind::Text
                | FieldKind::LongText
                | FieldKind::MultipleChoice { .. }
                | FieldKind::MemberPicker { .. }
                | FieldKind::Repeat { .. },
                Limit::Number(n),
            ) => Some(LimitValue::Number(*n)),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum LimitValue {
    Number(f64),
    Day(String),
}

/// What a limit is compared with in an answer: its number, its day, its count or its length.
fn measure(kind: &FieldKind, answer: &Answer) -> Option<LimitValue> {
    match (kind, answer) {
        (FieldKind::Date, Answer::Text(d)) => Some(LimitValue::Day(d.clone())),
        (FieldKind::Text | FieldKind::LongText, Answer::Text(t)) => {
            Some(LimitValue::Number(t.chars().count() as f64))
        }
        (_, Answer::Number(n)) => Some(LimitValue::Number(*n)),
        (_, Answer::List(items)) => Some(LimitValue::Number(items.len() as f64)),
        (_, Answer::Items(items)) => Some(LimitValue::Number(items.len() as f64)),
        _ => None,
    }
}

fn compare(a: &LimitValue, b: &LimitValue) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (LimitValue::Number(x), LimitValue::Number(y)) => x.partial_cmp(y),
        (LimitValue::Day(x), LimitValue::Day(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// The fields of a form in the order a person meets them, each with the repeat group it is in.
fn walk<'f>(
    fields: &'f [Field],
    group: Option<&'f str>,
    out: &mut Vec<(&'f Field, Option<&'f str>)>,
) {
    for f in fields {
        out.push((f, group));
        if let FieldKind::Repeat { fields } = &f.kind {
            walk(fields, Some(&f.name), out);
        }
    }
}

impl FormDefinition {
    /// Every field, repeat groups' included, in order.
    pub fn all_fields(&self) -> Vec<&Field> {
        let mut out = Vec::new();
        walk(&self.fields, None, &mut out);
        out.into_iter().map(|(f, _)| f).collect()
    }
}

mod answers;
mod definition;
mod set;
pub use set::{FormSet, PublishError, PublishOutcome};

#[cfg(test)]
mod tests;
