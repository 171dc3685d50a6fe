//! Answers checked against a form version: types, required, constraints, relevance.

use super::expr::{Expr, Value};
use super::{
    Answer, AnswerError, AnswerProblem, Answers, Field, FieldKind, FormDefinition, Rule, compare,
    is_iso_day, measure,
};
use std::collections::BTreeMap;

impl FormDefinition {
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
