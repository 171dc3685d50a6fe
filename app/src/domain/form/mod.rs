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
use expr::{Expr, Value};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

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

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.len() <= 64
}

/// A [`DefinitionProblem::MissingLabel`] for each language `names` has no text in.
fn missing_texts(names: &Names) -> impl Iterator<Item = DefinitionProblem> + '_ {
    [("fr", &names.fr), ("ar", &names.ar), ("en", &names.en)]
        .into_iter()
        .filter(|(_, text)| text.trim().is_empty())
        .map(|(language, _)| DefinitionProblem::MissingLabel {
            language: language.into(),
        })
}

fn is_iso_day(s: &str) -> bool {
    super::dates::is_iso_day(s)
}

/// Each circle of fields whose conditions read one another, once, starting from its first name
/// in alphabetical order.
fn cycles(reads: &BTreeMap<&str, Vec<String>>) -> Vec<Vec<String>> {
    fn visit<'a>(
        name: &'a str,
        reads: &'a BTreeMap<&'a str, Vec<String>>,
        stack: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
        found: &mut BTreeSet<Vec<String>>,
    ) {
        if let Some(start) = stack.iter().position(|n| *n == name) {
            let mut cycle: Vec<String> = stack[start..].iter().map(|n| (*n).to_owned()).collect();
            let first = cycle
                .iter()
                .enumerate()
                .min_by_key(|(_, n)| n.as_str())
                .map_or(0, |(i, _)| i);
            cycle.rotate_left(first);
            found.insert(cycle);
            return;
        }
        if done.contains(name) {
            return;
        }
        stack.push(name);
        for next in reads.get(name).into_iter().flatten() {
            visit(next, reads, stack, done, found);
        }
        stack.pop();
        done.insert(name);
    }
    let mut found = BTreeSet::new();
    let mut done = BTreeSet::new();
    for name in reads.keys() {
        visit(name, reads, &mut Vec::new(), &mut done, &mut found);
    }
    found.into_iter().collect()
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

    /// Everything wrong with this definition (nothing: it may be published).
    pub fn check(&self) -> Result<(), Vec<DefinitionError>> {
        let mut errors = Vec::new();
        let mut flat = Vec::new();
        walk(&self.fields, None, &mut flat);
        let path_of = |name: &str| -> Vec<String> {
            match flat.iter().find(|(f, _)| f.name == name) {
                Some((_, Some(group))) => vec![(*group).to_owned(), name.to_owned()],
                _ => vec![name.to_owned()],
            }
        };
        let mut fail =
            |field: Vec<String>, problem| errors.push(DefinitionError { field, problem });

        if !valid_name(&self.id) {
            fail(vec![], DefinitionProblem::BadFormId);
        }
        if self.version == 0 {
            fail(vec![], DefinitionProblem::BadVersion);
        }
        if self.fields.is_empty() {
            fail(vec![], DefinitionProblem::NoFields);
        }
        for problem in missing_texts(&self.title) {
            fail(vec![], problem);
        }

        let position: BTreeMap<&str, usize> = flat
            .iter()
            .enumerate()
            .rev()
            .map(|(i, (f, _))| (f.name.as_str(), i))
            .collect();
        let mut seen = BTreeSet::new();
        // Each field's condition, parsed, for the cycle search below.
        let mut reads: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (i, (field, group)) in flat.iter().enumerate() {
            let at = path_of(&field.name);
            if !valid_name(&field.name) {
                fail(at.clone(), DefinitionProblem::BadName);
            }
            if !seen.insert(field.name.as_str()) {
                fail(at.clone(), DefinitionProblem::DuplicateName);
            }
            let mut labels = vec![&field.label];
            if let FieldKind::SingleChoice { choices } | FieldKind::MultipleChoice { choices } =
                &field.kind
            {
                if choices.is_empty() {
                    fail(at.clone(), DefinitionProblem::NoChoices);
                }
                let mut values = BTreeSet::new();
                for c in choices {
                    if !values.insert(c.value.as_str()) {
                        fail(
                            at.clone(),
                            DefinitionProblem::DuplicateChoice {
                                value: c.value.clone(),
                            },
                        );
                    }
                    labels.push(&c.label);
                }
            }
            if let FieldKind::Repeat { fields } = &field.kind
                && fields.is_empty()
            {
                fail(at.clone(), DefinitionProblem::NoFields);
            }
            for names in labels.into_iter().chain(field.hint.as_ref()) {
                for problem in missing_texts(names) {
                    fail(at.clone(), problem);
                }
            }
            if let Some(source) = &field.relevant {
                match Expr::parse(source) {
                    Err(e) => fail(
                        at.clone(),
                        DefinitionProblem::RelevanceSyntax {
                            detail: e.to_string(),
                        },
                    ),
                    Ok(expr) => {
                        let names = expr.fields();
                        for name in &names {
                            match (
                                position.get(name),
                                flat.iter().find(|(f, _)| f.name == *name),
                            ) {
                                (None, _) | (_, None) => fail(
                                    at.clone(),
                                    DefinitionProblem::UnknownField {
                                        name: (*name).into(),
                                    },
                                ),
                                (Some(&p), Some((_, their_group))) => {
                                    if their_group.is_some() && their_group != group {
                                        fail(
                                            at.clone(),
                                            DefinitionProblem::InsideRepeat {
                                                name: (*name).into(),
                                            },
                                        );
                                    } else if p >= i {
                                        fail(
                                            at.clone(),
                                            DefinitionProblem::LaterField {
                                                name: (*name).into(),
                                            },
                                        );
                                    }
                                }
                            }
                        }
                        reads.insert(
                            field.name.as_str(),
                            names.iter().map(|n| (*n).to_owned()).collect(),
                        );
                    }
                }
            }
            self.check_rules(field, &at, &mut fail);
        }
        for cycle in cycles(&reads) {
            let at = path_of(&cycle[0]);
            fail(at, DefinitionProblem::RelevanceCycle { path: cycle });
        }
        if self.id == crate::domain::VISIT_FORM {
            errors.extend(crate::domain::visit_form::record_problems(self));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    fn check_rules(
        &self,
        field: &Field,
        at: &[String],
        fail: &mut impl FnMut(Vec<String>, DefinitionProblem),
    ) {
        let (mut min, mut max) = (None, None);
        for c in &field.constraints {
            for problem in missing_texts(&c.message) {
                fail(at.to_vec(), problem);
            }
            match &c.rule {
                Rule::Pattern(p) => {
                    if !matches!(field.kind, FieldKind::Text | FieldKind::LongText) {
                        fail(at.to_vec(), DefinitionProblem::RuleNotForType);
                    } else if let Err(e) = regex_lite::Regex::new(p) {
                        fail(
                            at.to_vec(),
                            DefinitionProblem::BadPattern {
                                detail: e.to_string(),
                            },
                        );
                    }
                }
                Rule::Min(limit) | Rule::Max(limit) => {
                    if matches!(
                        field.kind,
                        FieldKind::YesNo | FieldKind::SingleChoice { .. }
                    ) {
                        fail(at.to_vec(), DefinitionProblem::RuleNotForType);
                        continue;
                    }
                    // Compared as of a fixed day: `today` against a fixed date is not checked.
                    let Some(value) = limit.for_kind(&field.kind, "0000-00-00") else {
                        fail(at.to_vec(), DefinitionProblem::BadLimit);
                        continue;
                    };
                    if matches!(c.rule, Rule::Min(_)) {
                        min = Some(value);
                    } else {
                        max = Some(value);
                    }
                }
            }
        }
        if let (Some(min), Some(max)) = (&min, &max)
            && !matches!(min, LimitValue::Day(d) if d == "0000-00-00")
            && !matches!(max, LimitValue::Day(d) if d == "0000-00-00")
            && compare(min, max).is_some_and(|o| o.is_gt())
        {
            fail(at.to_vec(), DefinitionProblem::MinAboveMax);
        }
    }

    /// Whether `field` is shown, given the answers so far (`item`: the answers of the repeat
    /// item the field is in, if it is in one).
    pub fn is_relevant(
        &self,
        field: &Field,
        answers: &Answers,
        item: Option<&Answers>,
        today: &str,
    ) -> bool {
        let Some(source) = &field.relevant else {
            return true;
        };
        let Ok(expr) = Expr::parse(source) else {
            return true;
        };
        let kinds: BTreeMap<&str, &FieldKind> = self
            .all_fields()
            .into_iter()
            .map(|f| (f.name.as_str(), &f.kind))
            .collect();
        let lookup = |name: &str| {
            let answer = item.and_then(|i| i.get(name)).or_else(|| answers.get(name));
            match (kinds.get(name), answer) {
                (Some(kind), Some(a)) => value_of(kind, a),
                _ => Value::Missing,
            }
        };
        expr.eval(&lookup, today).truthy()
    }

    /// Every problem with these answers, in form order; none means they may be submitted.
    /// Fields that are not relevant are not checked.
    pub fn validate(&self, answers: &Answers, today: &str) -> Vec<AnswerError> {
        let mut errors = Vec::new();
        self.validate_fields(&self.fields, answers, None, &[], today, &mut errors);
        errors
    }

    fn validate_fields(
        &self,
        fields: &[Field],
        answers: &Answers,
        item: Option<&Answers>,
        path: &[(String, Option<usize>)],
        today: &str,
        errors: &mut Vec<AnswerError>,
    ) {
        let here = item.unwrap_or(answers);
        for name in here.keys() {
            if !fields.iter().any(|f| &f.name == name) {
                let mut at = path.to_vec();
                at.push((name.clone(), None));
                errors.push(AnswerError {
                    path: at,
                    problem: AnswerProblem::UnknownField,
                });
            }
        }
        for field in fields {
            if !self.is_relevant(field, answers, item, today) {
                continue;
            }
            let mut at = path.to_vec();
            at.push((field.name.clone(), None));
            let fail = |problem| AnswerError {
                path: at.clone(),
                problem,
            };
            let answer = here.get(&field.name).filter(|a| !is_empty(a));
            let Some(answer) = answer else {
                if field.required {
                    errors.push(fail(AnswerProblem::Required));
                }
                continue;
            };
            if let Err(problem) = check_type(&field.kind, answer) {
                errors.push(fail(problem));
                continue;
            }
            for (index, c) in field.constraints.iter().enumerate() {
                if !keeps(&field.kind, answer, &c.rule, today) {
                    errors.push(fail(AnswerProblem::Constraint { index }));
                }
            }
            if let (FieldKind::Repeat { fields: inner }, Answer::Items(items)) =
                (&field.kind, answer)
            {
                for (i, item) in items.iter().enumerate() {
                    let mut at = path.to_vec();
                    at.push((field.name.clone(), Some(i)));
                    self.validate_fields(inner, answers, Some(item), &at, today, errors);
                }
            }
        }
    }

    /// Drops the answers to fields that are not relevant (a choice changed after they were
    /// given), so nothing hidden is submitted.
    pub fn prune(&self, answers: &mut Answers, today: &str) {
        let hidden: Vec<String> = self
            .fields
            .iter()
            .filter(|f| !self.is_relevant(f, answers, None, today))
            .map(|f| f.name.clone())
            .collect();
        for name in hidden {
            answers.remove(&name);
        }
        let snapshot = answers.clone();
        for field in &self.fields {
            if let (FieldKind::Repeat { fields }, Some(Answer::Items(items))) =
                (&field.kind, answers.get_mut(&field.name))
            {
                for item in items.iter_mut() {
                    let hidden: Vec<String> = fields
                        .iter()
                        .filter(|f| !self.is_relevant(f, &snapshot, Some(item), today))
                        .map(|f| f.name.clone())
                        .collect();
                    for name in hidden {
                        item.remove(&name);
                    }
                }
            }
        }
    }
}

/// Every version of every form a server or a phone holds. Old versions are kept: an entry is
/// always checked against the version it was made with.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FormSet {
    forms: BTreeMap<String, BTreeMap<u32, FormDefinition>>,
}

/// Why a definition was not published.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum PublishError {
    /// Errors in the definition, each located.
    Invalid { errors: Vec<DefinitionError> },
    /// Versions only go up: the latest is this one.
    NotNewer { latest: u32 },
}

/// What became of a definition the team sent to be published.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PublishOutcome {
    Published {
        id: String,
        version: u32,
    },
    /// Not the JSON of a form definition; `detail` says where it stopped making sense.
    Unreadable {
        detail: String,
    },
    Refused {
        error: PublishError,
    },
}

impl FormSet {
    /// A set holding these versions (as a database or a phone stored them, already checked when
    /// they were published).
    pub fn from_versions(forms: impl IntoIterator<Item = FormDefinition>) -> FormSet {
        let mut set = FormSet::default();
        for form in forms {
            set.forms
                .entry(form.id.clone())
                .or_default()
                .insert(form.version, form);
        }
        set
    }

    /// Every version of every form, by form and version.
    pub fn all(&self) -> impl Iterator<Item = &FormDefinition> {
        self.forms.values().flat_map(|versions| versions.values())
    }

    /// Adds a new version, after checking it; the versions before stay.
    pub fn publish(&mut self, form: FormDefinition) -> Result<(), PublishError> {
        form.check()
            .map_err(|errors| PublishError::Invalid { errors })?;
        if let Some(latest) = self.latest(&form.id)
            && latest.version >= form.version
        {
            return Err(PublishError::NotNewer {
                latest: latest.version,
            });
        }
        self.forms
            .entry(form.id.clone())
            .or_default()
            .insert(form.version, form);
        Ok(())
    }

    /// The version new entries use.
    pub fn latest(&self, id: &str) -> Option<&FormDefinition> {
        self.forms.get(id)?.values().next_back()
    }

    /// The version an entry was made with.
    pub fn version(&self, id: &str, version: u32) -> Option<&FormDefinition> {
        self.forms.get(id)?.get(&version)
    }
}

fn is_empty(answer: &Answer) -> bool {
    match answer {
        Answer::Text(t) => t.trim().is_empty(),
        Answer::List(items) => items.is_empty(),
        _ => false,
    }
}

fn value_of(kind: &FieldKind, answer: &Answer) -> Value {
    match (kind, answer) {
        (FieldKind::Money, Answer::Number(millimes)) => Value::Number(millimes / 1000.0),
        (_, Answer::Bool(b)) => Value::Bool(*b),
        (_, Answer::Number(n)) => Value::Number(*n),
        (_, Answer::Text(t)) => Value::Text(t.clone()),
        (_, Answer::List(items)) => Value::List(items.clone()),
        (_, Answer::Items(items)) => Value::Number(items.len() as f64),
    }
}

fn check_type(kind: &FieldKind, answer: &Answer) -> Result<(), AnswerProblem> {
    let whole = |n: &f64| n.fract() == 0.0 && n.is_finite() && n.abs() < 9.0e15;
    let ok = match (kind, answer) {
        (FieldKind::Text | FieldKind::LongText, Answer::Text(_)) => true,
        (FieldKind::Integer | FieldKind::Money, Answer::Number(n)) => whole(n),
        (FieldKind::Decimal, Answer::Number(n)) => n.is_finite(),
        (FieldKind::Scale, Answer::Number(n)) => whole(n) && (1.0..=5.0).contains(n),
        (FieldKind::YesNo, Answer::Bool(_)) => true,
        (FieldKind::Date, Answer::Text(d)) => {
            return if is_iso_day(d) {
                Ok(())
            } else {
                Err(AnswerProblem::NotADate)
            };
        }
        (FieldKind::SingleChoice { choices }, Answer::Text(v)) => {
            return if choices.iter().any(|c| &c.value == v) {
                Ok(())
            } else {
                Err(AnswerProblem::UnknownChoice)
            };
        }
        (FieldKind::MultipleChoice { choices }, Answer::List(vs)) => {
            return if vs.iter().all(|v| choices.iter().any(|c| &c.value == v)) {
                Ok(())
            } else {
                Err(AnswerProblem::UnknownChoice)
            };
        }
        (FieldKind::MemberPicker { multiple }, Answer::List(ids)) => {
            (*multiple || ids.len() <= 1) && ids.iter().all(|id| uuid::Uuid::parse_str(id).is_ok())
        }
        (FieldKind::MemberPicker { .. }, Answer::Text(id)) => uuid::Uuid::parse_str(id).is_ok(),
        (FieldKind::Repeat { .. }, Answer::Items(_)) => true,
        (FieldKind::Repeat { .. }, Answer::List(l)) => l.is_empty(),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(AnswerProblem::WrongType)
    }
}

fn keeps(kind: &FieldKind, answer: &Answer, rule: &Rule, today: &str) -> bool {
    match rule {
        Rule::Pattern(p) => match (answer, regex_lite::Regex::new(&format!("^(?:{p})$"))) {
            (Answer::Text(t), Ok(re)) => re.is_match(t),
            // A definition with a bad pattern is never published; an old one does not block.
            _ => true,
        },
        Rule::Min(limit) | Rule::Max(limit) => {
            let (Some(limit), Some(value)) = (limit.for_kind(kind, today), measure(kind, answer))
            else {
                return true;
            };
            match compare(&value, &limit) {
                Some(o) if matches!(rule, Rule::Min(_)) => !o.is_lt(),
                Some(o) => !o.is_gt(),
                None => true,
            }
        }
    }
}

#[cfg(test)]
mod tests;
