//! Members and milestones under review: like every captured record, what a phone sends of them
//! waits for a supervisor, who validates it or returns it with a comment. A change from the field
//! clears the decision, and the new version waits again. Records the team loaded (no phone behind
//! them) wait for no review.

use super::{Member, Milestone};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A member (without their private answers) or a milestone, as reviewed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistryRecord {
    Member(Member),
    Milestone(Milestone),
    /// An indicator value (its status says whether it waits).
    Value(super::indicator::value::IndicatorValue),
}

impl RegistryRecord {
    pub fn id(&self) -> Uuid {
        match self {
            RegistryRecord::Member(m) => m.id,
            RegistryRecord::Milestone(m) => m.id,
            RegistryRecord::Value(v) => v.id,
        }
    }

    pub fn kind(&self) -> crate::domain::RecordKind {
        match self {
            RegistryRecord::Member(_) => crate::domain::RecordKind::Member,
            RegistryRecord::Milestone(_) => crate::domain::RecordKind::Milestone,
            RegistryRecord::Value(_) => crate::domain::RecordKind::Value,
        }
    }
}

/// A member or a milestone waiting for review, with what the queue filters and shows it by.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryReviewItem {
    pub record: RegistryRecord,
    pub project_id: Uuid,
    /// The version waiting.
    pub version: i64,
    pub header: super::QueueHeader,
    /// Every version and review so far, oldest first.
    pub history: Vec<super::HistoryEvent>,
}
