//! A project's milestones: the steps the programme watches (equipment installed, first sale,
//! registration, social security, break-even, first general assembly, organic conversion), each
//! with the day it is due and the day it was reached. Recorded on the phone, offline.

use crate::domain::FieldError;
use crate::domain::dates::is_iso_day;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The milestones the programme names; `other` takes a label of its own.
pub const MILESTONE_KINDS: [&str; 8] = [
    "equipment_installed",
    "first_sale",
    "registration",
    "social_security",
    "break_even_quarter",
    "first_general_assembly",
    "organic_conversion",
    "other",
];

/// The longest label of an `other` milestone.
pub const MAX_MILESTONE_LABEL_CHARS: usize = 120;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    pub id: Uuid,
    pub project_id: Uuid,
    /// One of [`MILESTONE_KINDS`].
    pub kind: String,
    /// What an `other` milestone is; empty for the named ones.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    pub due_on: Option<String>,
    /// The day it was reached; `None` while it is ahead.
    pub achieved_on: Option<String>,
    /// The global version that last changed it; 0 while only on the phone.
    pub version: i64,
    /// A supervisor's decision on this version; `None` while it waits for one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<crate::domain::ReviewNote>,
    /// Photos and documents it carries as evidence, named by their SHA-256.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<crate::domain::evidence::Evidence>,
}

impl Milestone {
    /// Due and not reached by `today`.
    pub fn is_late(&self, today: &str) -> bool {
        self.achieved_on.is_none() && self.due_on.as_deref().is_some_and(|d| d < today)
    }
}

/// The arguments of `milestone.save`: a new milestone, or one edited (reached, moved).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveMilestoneArgs {
    pub id: Uuid,
    pub project_id: Uuid,
    /// The server version the edit was made on; `None` for a milestone the server has not seen.
    pub base_version: Option<i64>,
    pub kind: String,
    #[serde(default)]
    pub label: String,
    pub due_on: Option<String>,
    pub achieved_on: Option<String>,
    /// Photos and documents it carries as evidence, named by their SHA-256.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<crate::domain::evidence::Evidence>,
}

impl SaveMilestoneArgs {
    /// A known kind (with a label when it is `other`), real days, and not reached in the future.
    pub fn validate(&self, today: &str) -> Result<(), FieldError> {
        if !MILESTONE_KINDS.contains(&self.kind.as_str()) {
            return Err(FieldError::new("kind", "other"));
        }
        let label = self.label.trim();
        if self.kind == "other" && label.is_empty() {
            return Err(FieldError::new("label", "required"));
        }
        if label.chars().count() > MAX_MILESTONE_LABEL_CHARS {
            return Err(FieldError::new("label", "too_long"));
        }
        crate::domain::evidence::check_files(&self.files)?;
        if self.due_on.as_deref().is_some_and(|d| !is_iso_day(d)) {
            return Err(FieldError::new("due_on", "not_a_date"));
        }
        match self.achieved_on.as_deref() {
            Some(d) if !is_iso_day(d) => Err(FieldError::new("achieved_on", "not_a_date")),
            Some(d) if d > today => Err(FieldError::new("achieved_on", "in_future")),
            _ => Ok(()),
        }
    }

    /// The milestone as these arguments describe it, at `version`.
    pub fn milestone(&self, version: i64) -> Milestone {
        Milestone {
            id: self.id,
            project_id: self.project_id,
            kind: self.kind.clone(),
            label: if self.kind == "other" {
                self.label.trim().to_owned()
            } else {
                String::new()
            },
            due_on: self.due_on.clone(),
            achieved_on: self.achieved_on.clone(),
            version,
            review: None,
            files: self.files.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(
        kind: &str,
        label: &str,
        due: Option<&str>,
        achieved: Option<&str>,
    ) -> SaveMilestoneArgs {
        SaveMilestoneArgs {
            files: Vec::new(),
            id: Uuid::from_u128(1),
            project_id: Uuid::from_u128(2),
            base_version: None,
            kind: kind.into(),
            label: label.into(),
            due_on: due.map(Into::into),
            achieved_on: achieved.map(Into::into),
        }
    }

    #[test]
    fn a_milestone_is_named_dated_and_never_reached_in_the_future() {
        let today = "2026-11-26";
        assert!(
            args("first_sale", "", Some("2026-12-31"), None)
                .validate(today)
                .is_ok()
        );
        assert!(
            args("first_sale", "", None, Some("2026-11-26"))
                .validate(today)
                .is_ok()
        );
        assert_eq!(
            args("first_sale", "", None, Some("2026-11-27")).validate(today),
            Err(FieldError::new("achieved_on", "in_future"))
        );
        assert_eq!(
            args("other", "  ", None, None).validate(today),
            Err(FieldError::new("label", "required"))
        );
        assert_eq!(
            args("party", "", None, None).validate(today),
            Err(FieldError::new("kind", "other"))
        );
        assert_eq!(
            args("registration", "", Some("31/12/2026"), None).validate(today),
            Err(FieldError::new("due_on", "not_a_date"))
        );
        // A label is kept for `other` only.
        assert_eq!(args("first_sale", "x", None, None).milestone(3).label, "");
        assert_eq!(
            args("other", " Label bio ", None, None).milestone(3).label,
            "Label bio"
        );
    }

    #[test]
    fn a_milestone_is_late_once_its_day_passed_unreached() {
        let m = args("registration", "", Some("2026-11-01"), None).milestone(1);
        assert!(m.is_late("2026-11-26"));
        assert!(!m.is_late("2026-10-31"));
        let reached = args("registration", "", Some("2026-11-01"), Some("2026-11-20")).milestone(1);
        assert!(!reached.is_late("2026-11-26"));
    }
}
