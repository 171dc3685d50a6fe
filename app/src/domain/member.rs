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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

/// A member as a project page shows it. The raw Washington Group answers are sent only to those
/// allowed to see them; everyone else gets the derived flag alone.
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

    #[test]
    fn unanswered_domains_do_not_count() {
        assert!(!WgAnswers::default().with_disability());
        assert_eq!(WgAnswer::from_code(3), Some(ALotOfDifficulty));
        assert_eq!(WgAnswer::from_code(5), None);
    }
}
