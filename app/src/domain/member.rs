//! Beneficiaries and the Washington Group Short Set on Functioning.
//!
//! The six questions, their order and their four answers are fixed by the Washington Group and
//! must not be reworded. Athar stores the six raw answers and derives "with disability" with the
//! recommended cut-off: at least one domain answered "a lot of difficulty" or "cannot do at all".

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One answer on the Washington Group scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum WgAnswer {
    NoDifficulty = 1,
    SomeDifficulty = 2,
    ALotOfDifficulty = 3,
    CannotDoAtAll = 4,
}

impl WgAnswer {
    pub fn from_code(code: i64) -> Option<WgAnswer> {
        match code {
            1 => Some(WgAnswer::NoDifficulty),
            2 => Some(WgAnswer::SomeDifficulty),
            3 => Some(WgAnswer::ALotOfDifficulty),
            4 => Some(WgAnswer::CannotDoAtAll),
            _ => None,
        }
    }

    pub fn code(self) -> i64 {
        self as i64
    }
}

/// The six domains, in the fixed order of the Short Set. `None` is a question not (yet) asked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WgAnswers {
    pub seeing: Option<WgAnswer>,
    pub hearing: Option<WgAnswer>,
    pub walking: Option<WgAnswer>,
    pub cognition: Option<WgAnswer>,
    pub self_care: Option<WgAnswer>,
    pub communication: Option<WgAnswer>,
}

/// The six questions' names in the member form (`app/forms/member.json`), in the fixed order.
pub const WG_FIELDS: [&str; 6] = [
    "wg_seeing",
    "wg_hearing",
    "wg_walking",
    "wg_cognition",
    "wg_self_care",
    "wg_communication",
];

impl WgAnswers {
    /// The answers as a member form holds them: choice codes `"1"` to `"4"` under [`WG_FIELDS`].
    /// A question not answered (or not asked, without consent) stays `None`.
    pub fn from_form(answers: &crate::domain::form::Answers) -> WgAnswers {
        let [
            seeing,
            hearing,
            walking,
            cognition,
            self_care,
            communication,
        ] = WG_FIELDS.map(|name| match answers.get(name) {
            Some(crate::domain::form::Answer::Text(code)) => {
                code.parse().ok().and_then(WgAnswer::from_code)
            }
            _ => None,
        });
        WgAnswers {
            seeing,
            hearing,
            walking,
            cognition,
            self_care,
            communication,
        }
    }

    pub fn as_array(&self) -> [Option<WgAnswer>; 6] {
        [
            self.seeing,
            self.hearing,
            self.walking,
            self.cognition,
            self.self_care,
            self.communication,
        ]
    }

    /// The Washington Group cut-off: at least one domain at "a lot of difficulty" or worse.
    pub fn with_disability(&self) -> bool {
        self.as_array()
            .into_iter()
            .flatten()
            .any(|a| a >= WgAnswer::ALotOfDifficulty)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
}

impl Sex {
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
        }
    }

    pub fn parse(s: &str) -> Option<Sex> {
        match s {
            "female" => Some(Sex::Female),
            "male" => Some(Sex::Male),
            _ => None,
        }
    }
}

/// Whether someone who joined on `joined_on` and left on `left_on` (`None`: not yet) is a member
/// on `day` (ISO days): from the day they join until the day they leave, that day excluded. The
/// one rule of every count of members: project pages and cards, the programme summary, dashboards
/// and the indicators computed from the registry (on a period's last day).
pub fn is_member_on(joined_on: Option<&str>, left_on: Option<&str>, day: &str) -> bool {
    joined_on.is_none_or(|j| j <= day) && left_on.is_none_or(|l| l > day)
}

/// A member as a project page shows it. The raw Washington Group answers (and the phone number)
/// are sent only to those allowed to see them (the project's facilitator, who collected them with
/// consent, and the team); everyone else gets the derived flag alone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub id: Uuid,
    pub full_name: String,
    pub sex: Sex,
    pub birth_year: Option<i32>,
    pub role: String,
    pub with_disability: bool,
    pub joined_on: Option<String>,
    pub left_on: Option<String>,
    /// What only the facilitator and the team see; `None` for everyone else, who are not even
    /// told the field exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private: Option<MemberPrivate>,
}

/// A member's personal answers, shown only to those allowed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberPrivate {
    pub consent: bool,
    pub phone: String,
    pub wg: WgAnswers,
}

/// The id of the member registration form (`app/forms/member.json`).
pub const MEMBER_FORM: &str = "member";

/// What `member.save` carries: the answers to one version of the member form, which the server
/// checks again against that version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SaveMemberArgs {
    /// Made on the device at registration; the same for every later edit.
    pub id: Uuid,
    pub project_id: Uuid,
    /// The server version the edit was made on; `None` for a new member.
    pub base_version: Option<i64>,
    pub form_version: u32,
    pub answers: crate::domain::form::Answers,
}

impl SaveMemberArgs {
    /// The member the answers describe; the first required answer missing or of the wrong type
    /// is the error (the form's own check, run before, says it in the form's words).
    pub fn member(&self) -> Result<Member, crate::domain::FieldError> {
        use crate::domain::FieldError;
        use crate::domain::form::Answer;
        let text = |name: &str| match self.answers.get(name) {
            Some(Answer::Text(t)) if !t.trim().is_empty() => Some(t.trim().to_owned()),
            _ => None,
        };
        let full_name = text("full_name").ok_or(FieldError::new("full_name", "required"))?;
        if full_name.chars().count() > 120 {
            return Err(FieldError::new("full_name", "too_long"));
        }
        let sex = text("sex")
            .and_then(|s| Sex::parse(&s))
            .ok_or(FieldError::new("sex", "required"))?;
        let birth_year = match self.answers.get("birth_year") {
            Some(Answer::Number(n)) if n.fract() == 0.0 && (1900.0..=2100.0).contains(n) => {
                Some(*n as i32)
            }
            None => None,
            Some(_) => return Err(FieldError::new("birth_year", "other")),
        };
        let role = text("role").ok_or(FieldError::new("role", "required"))?;
        let consent = matches!(self.answers.get("consent"), Some(Answer::Bool(true)));
        // Without consent, the questions were not asked: nothing is kept.
        let wg = if consent {
            WgAnswers::from_form(&self.answers)
        } else {
            WgAnswers::default()
        };
        let joined_on = text("joined_on");
        if let Some(day) = &joined_on
            && !crate::domain::dates::is_iso_day(day)
        {
            return Err(FieldError::new("joined_on", "not_a_date"));
        }
        Ok(Member {
            id: self.id,
            full_name,
            sex,
            birth_year,
            role,
            with_disability: wg.with_disability(),
            joined_on,
            left_on: None,
            private: Some(MemberPrivate {
                consent,
                phone: text("phone").unwrap_or_default(),
                wg,
            }),
        })
    }
}

impl Member {
    /// The member form's answers for this member, to edit it (only with its private part).
    pub fn answers(&self) -> crate::domain::form::Answers {
        use crate::domain::form::Answer;
        let mut a = crate::domain::form::Answers::new();
        a.insert("full_name".into(), Answer::Text(self.full_name.clone()));
        a.insert("sex".into(), Answer::Text(self.sex.as_str().into()));
        if let Some(y) = self.birth_year {
            a.insert("birth_year".into(), Answer::Number(f64::from(y)));
        }
        a.insert("role".into(), Answer::Text(self.role.clone()));
        if let Some(day) = &self.joined_on {
            a.insert("joined_on".into(), Answer::Text(day.clone()));
        }
        if let Some(p) = &self.private {
            if !p.phone.is_empty() {
                a.insert("phone".into(), Answer::Text(p.phone.clone()));
            }
            a.insert("consent".into(), Answer::Bool(p.consent));
            for (name, answer) in WG_FIELDS.iter().zip(p.wg.as_array()) {
                if let Some(answer) = answer {
                    a.insert((*name).into(), Answer::Text(answer.code().to_string()));
                }
            }
        }
        a
    }
}

/// The arguments of `member.leave`: a member left the project on a day (kept in the registry,
/// counted no more among the active members).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberLeaves {
    pub id: Uuid,
    pub project_id: Uuid,
    pub left_on: String,
}

impl MemberLeaves {
    pub fn validate(&self, today: &str) -> Result<(), crate::domain::FieldError> {
        use crate::domain::FieldError;
        if !crate::domain::dates::is_iso_day(&self.left_on) {
            return Err(FieldError::new("left_on", "not_a_date"));
        }
        if self.left_on.as_str() > today {
            return Err(FieldError::new("left_on", "in_future"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use WgAnswer::*;

    fn answers(all: [Option<WgAnswer>; 6]) -> WgAnswers {
        WgAnswers {
            seeing: all[0],
            hearing: all[1],
            walking: all[2],
            cognition: all[3],
            self_care: all[4],
            communication: all[5],
        }
    }

    #[test]
    fn a_lot_of_difficulty_in_one_domain_means_with_disability() {
        let mut a = [Some(NoDifficulty); 6];
        assert!(!answers(a).with_disability());
        a[2] = Some(SomeDifficulty);
        assert!(
            !answers(a).with_disability(),
            "some difficulty is under the cut-off"
        );
        a[2] = Some(ALotOfDifficulty);
        assert!(answers(a).with_disability());
        a[2] = Some(NoDifficulty);
        a[5] = Some(CannotDoAtAll);
        assert!(answers(a).with_disability());
    }

    fn registration(consent: bool) -> SaveMemberArgs {
        use crate::domain::form::Answer;
        let mut answers = crate::domain::form::Answers::new();
        answers.insert("full_name".into(), Answer::Text(" Salma Ben Ali ".into()));
        answers.insert("sex".into(), Answer::Text("female".into()));
        answers.insert("birth_year".into(), Answer::Number(1994.0));
        answers.insert("role".into(), Answer::Text("member".into()));
        answers.insert("phone".into(), Answer::Text("98765432".into()));
        answers.insert("consent".into(), Answer::Bool(consent));
        for name in WG_FIELDS {
            answers.insert(name.into(), Answer::Text("1".into()));
        }
        answers.insert("wg_walking".into(), Answer::Text("3".into()));
        answers.insert("joined_on".into(), Answer::Text("2026-11-01".into()));
        SaveMemberArgs {
            id: Uuid::from_u128(7),
            project_id: Uuid::from_u128(8),
            base_version: None,
            form_version: 1,
            answers,
        }
    }

    #[test]
    fn a_registration_gives_the_member_its_derived_flag_and_edits_back_to_the_same_answers() {
        let args = registration(true);
        let member = args.member().expect("a member");
        assert_eq!(member.full_name, "Salma Ben Ali");
        assert!(member.with_disability);
        let private = member.private.clone().expect("private answers");
        assert_eq!(private.wg.walking, Some(ALotOfDifficulty));
        assert_eq!(private.phone, "98765432");
        let mut again = args.clone();
        again.answers = member.answers();
        assert_eq!(again.member(), Ok(member));
    }

    #[test]
    fn without_consent_the_health_answers_are_not_kept() {
        let member = registration(false).member().expect("a member");
        assert!(!member.with_disability);
        assert_eq!(member.private.map(|p| p.wg), Some(WgAnswers::default()));
    }

    #[test]
    fn a_registration_without_a_name_or_sex_is_refused() {
        let mut args = registration(true);
        args.answers.remove("full_name");
        assert_eq!(
            args.member().map(|_| ()),
            Err(crate::domain::FieldError::new("full_name", "required"))
        );
        let mut args = registration(true);
        args.answers.insert(
            "sex".into(),
            crate::domain::form::Answer::Text("other".into()),
        );
        assert!(args.member().is_err());
    }

    #[test]
    fn unanswered_domains_do_not_count() {
        assert!(!WgAnswers::default().with_disability());
        assert_eq!(WgAnswer::from_code(3), Some(ALotOfDifficulty));
        assert_eq!(WgAnswer::from_code(5), None);
    }
}
