//! The words every part of the domain shares: names in three languages, where an entry stands in
//! the review loop, a review, a refused field, which kind of record, and what a review queue
//! shows above any record. Entities import these; nothing here imports an entity.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A name in the programme's three languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Names {
    pub fr: String,
    pub ar: String,
    pub en: String,
}

/// Where an entry stands in the review loop. Supervisors only ever see submitted entries and later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// Work in progress: synced as a backup, seen by its author only.
    Draft,
    Submitted,
    Validated,
    Returned,
}

impl EntryStatus {
    pub const ALL: [EntryStatus; 4] = [
        EntryStatus::Draft,
        EntryStatus::Submitted,
        EntryStatus::Validated,
        EntryStatus::Returned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Draft => "draft",
            EntryStatus::Submitted => "submitted",
            EntryStatus::Validated => "validated",
            EntryStatus::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<EntryStatus> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// A supervisor's decision on a submitted entry, as the entry carries it to the facilitator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewNote {
    /// `Validated` or `Returned`.
    pub decision: EntryStatus,
    /// Why it was returned (what to fix); may be empty for a validation.
    pub comment: String,
    pub by: Option<Uuid>,
    pub by_name: String,
    /// RFC 3339, UTC.
    pub at: String,
}

/// What a review queue shows above any record waiting: its project and who sent it, and since
/// when it waits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueHeader {
    pub project_code: String,
    pub project_title: String,
    pub incubator: String,
    pub value_chain: Names,
    pub facilitator: String,
    /// RFC 3339, UTC: when the server received the version waiting.
    pub submitted_at: String,
}

/// Why a value is refused: the field and a stable code the UI turns into a sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub code: &'static str,
}

impl FieldError {
    pub fn new(field: &'static str, code: &'static str) -> Self {
        FieldError { field, code }
    }
}

/// Which kind of record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Project,
    Member,
    Visit,
    Action,
    /// An entry kept as form answers (a diagnostic, a self-assessment).
    Entry,
    Milestone,
    /// An indicator value for a project and period.
    Value,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Project => "project",
            RecordKind::Member => "member",
            RecordKind::Visit => "visit",
            RecordKind::Action => "action",
            RecordKind::Entry => "entry",
            RecordKind::Milestone => "milestone",
            RecordKind::Value => "value",
        }
    }
}
