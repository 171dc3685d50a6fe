//! The forms Athar ships with: coaching visit, member registration (with the Washington Group
//! Short Set), diagnostic, SSE-law self-assessment and indicator entry. They are data
//! (`app/forms/*.json`), checked like any definition the team publishes, and the first version
//! of each form on a new database.

use crate::domain::form::{FormDefinition, FormSet, PublishError};
use crate::server::db::{Database, DbError};

/// The definition files, as shipped.
pub const BUILTIN: [(&str, &str); 5] = [
    (
        "coaching_visit",
        include_str!("../../forms/coaching_visit.json"),
    ),
    ("member", include_str!("../../forms/member.json")),
    ("diagnostic", include_str!("../../forms/diagnostic.json")),
    (
        "sse_assessment",
        include_str!("../../forms/sse_assessment.json"),
    ),
    (
        "indicator_entry",
        include_str!("../../forms/indicator_entry.json"),
    ),
];

/// Why a shipped form could not be loaded (a build that ships one is broken: tests catch it).
#[derive(Debug, thiserror::Error)]
pub enum BuiltinError {
    #[error("form file {file}: {error}")]
    Unreadable {
        file: &'static str,
        error: serde_json::Error,
    },
    #[error("form file {file}: {error:?}")]
    Refused {
        file: &'static str,
        error: PublishError,
    },
}

/// Every shipped form, checked.
pub fn builtin() -> Result<FormSet, BuiltinError> {
    let mut set = FormSet::default();
    for (file, text) in BUILTIN {
        let form: FormDefinition =
            serde_json::from_str(text).map_err(|error| BuiltinError::Unreadable { file, error })?;
        set.publish(form)
            .map_err(|error| BuiltinError::Refused { file, error })?;
    }
    Ok(set)
}

/// Stores each shipped form whose version is newer than every version the database holds (a new
/// database, a form added by an upgrade, or a new version shipped with one). Versions the team
/// published are left as they are, and one at or above the shipped number wins over it.
pub async fn install_builtin(db: &(impl Database + ?Sized)) -> Result<(), DbError> {
    let shipped = builtin().map_err(|e| DbError::Value(e.to_string()))?;
    let stored = db.forms().await?;
    for (id, _) in BUILTIN {
        let shipped_version = shipped.latest(id).map_or(0, |f| f.version);
        if stored
            .iter()
            .any(|f| f.id == id && f.version >= shipped_version)
        {
            continue;
        }
        if let Some(form) = shipped.latest(id) {
            match db.insert_form(form, None).await {
                // Another instance installed it at the same moment.
                Ok(()) | Err(DbError::AlreadyExists(_)) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::WgAnswers;
    use crate::domain::form::{Answer, AnswerProblem, Answers, FieldKind};

    const TODAY: &str = "2026-11-26";

    #[test]
    fn every_shipped_form_is_a_valid_definition_named_after_its_file() {
        let set = builtin().expect("the shipped forms load");
        // Each file holds the form it is named after. Visits and indicator values are captured
        // through their forms from version 2 on.
        let versions: Vec<u32> = BUILTIN
            .iter()
            .map(|(file, _)| set.latest(file).expect("the form is in the set").version)
            .collect();
        assert_eq!(versions, [2, 1, 1, 1, 2]);
    }

    #[test]
    fn the_member_form_offers_every_role_the_registry_holds() {
        let set = builtin().expect("loads");
        let form = set.latest("member").expect("member form");
        let role = form.fields.iter().find(|f| f.name == "role").expect("role");
        let FieldKind::SingleChoice { choices } = &role.kind else {
            panic!("role is a single choice");
        };
        let offered: Vec<&str> = choices.iter().map(|c| c.value.as_str()).collect();
        let demo = crate::server::demo::generate(
            1,
            time::macros::date!(2026 - 11 - 26),
            crate::server::db::PasswordHash("x".into()),
        );
        for m in &demo.members {
            assert!(offered.contains(&m.role), "{} is not offered", m.role);
        }
    }

    #[test]
    fn the_member_form_asks_the_washington_group_short_set_as_fixed() {
        let set = builtin().expect("loads");
        let form = set.latest("member").expect("member form");
        let wg: Vec<_> = form
            .fields
            .iter()
            .filter(|f| f.name.starts_with("wg_"))
            .collect();
        let names: Vec<&str> = wg.iter().map(|f| f.name.as_str()).collect();
        // Order fixed by the Washington Group: seeing, hearing, walking, cognition, self-care,
        // communication.
        assert_eq!(
            names,
            [
                "wg_seeing",
                "wg_hearing",
                "wg_walking",
                "wg_cognition",
                "wg_self_care",
                "wg_communication"
            ]
        );
        for f in &wg {
            let FieldKind::SingleChoice { choices } = &f.kind else {
                panic!("{} is a single choice", f.name);
            };
            let codes: Vec<&str> = choices.iter().map(|c| c.value.as_str()).collect();
            assert_eq!(codes, ["1", "2", "3", "4"], "{}", f.name);
            assert_eq!(choices[2].label.en, "Yes, a lot of difficulty");
            assert_eq!(choices[3].label.en, "Cannot do at all");
            assert!(f.required, "{}", f.name);
        }
        assert_eq!(
            wg[0].label.en,
            "Do you have difficulty seeing, even if wearing glasses?"
        );

        // Answered without consent, the health questions are not asked.
        let mut answers: Answers = serde_json::from_value(serde_json::json!({
            "full_name": "Mabrouka Ben Salah", "sex": "female", "birth_year": 1994,
            "role": "promoter", "consent": false, "joined_on": "2026-03-01"
        }))
        .expect("answers");
        assert_eq!(form.validate(&answers, TODAY), []);
        // With consent, all six are required.
        answers.insert("consent".into(), Answer::Bool(true));
        let missing: Vec<String> = form
            .validate(&answers, TODAY)
            .into_iter()
            .filter(|e| e.problem == AnswerProblem::Required)
            .map(|e| e.field().to_owned())
            .collect();
        assert_eq!(missing, names);

        // "A lot of difficulty" walking: with disability, by the Washington Group cut-off;
        // "some difficulty" everywhere: not.
        for (code, name) in [("1", "wg_seeing"), ("1", "wg_hearing"), ("3", "wg_walking")]
            .into_iter()
            .chain(["wg_cognition", "wg_self_care", "wg_communication"].map(|n| ("1", n)))
        {
            answers.insert(name.into(), Answer::Text(code.into()));
        }
        assert_eq!(form.validate(&answers, TODAY), []);
        assert!(WgAnswers::from_form(&answers).with_disability());
        for name in crate::domain::member::WG_FIELDS {
            answers.insert(name.into(), Answer::Text("2".into()));
        }
        assert!(!WgAnswers::from_form(&answers).with_disability());
        assert_eq!(
            WgAnswers::from_form(&answers).walking,
            Some(crate::domain::WgAnswer::SomeDifficulty)
        );
    }

    #[test]
    fn a_coaching_visit_refuses_a_future_date_and_asks_about_a_shock_only_when_there_was_one() {
        let set = builtin().expect("loads");
        let form = set.latest("coaching_visit").expect("visit form");
        let visit: Answers = serde_json::from_value(serde_json::json!({
            "visit_on": "2026-11-27", "mode": "on_site", "sales": 1_250_500, "shock": true
        }))
        .expect("answers");
        let problems: Vec<(String, AnswerProblem)> = form
            .validate(&visit, TODAY)
            .into_iter()
            .map(|e| (e.field().to_owned(), e.problem))
            .collect();
        assert_eq!(
            problems,
            [
                ("visit_on".into(), AnswerProblem::Constraint { index: 0 }),
                ("shock_details".into(), AnswerProblem::Required),
            ]
        );
    }
}
