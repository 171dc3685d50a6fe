//! Whether a form definition may be published: names, texts, types, rules and conditions.

use super::expr::Expr;
use super::{
    DefinitionError, DefinitionProblem, Field, FieldKind, FormDefinition, LimitValue, Rule,
    compare, walk,
};
use crate::domain::Names;
use std::collections::{BTreeMap, BTreeSet};

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

impl FormDefinition {
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
}
