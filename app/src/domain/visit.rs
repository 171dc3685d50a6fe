//! Coaching visits (the *fiche de suivi*) and the action items carried from visit to visit.
//!
//! These are the wire types the device keeps in its local view and the server stores; the
//! validation rules here run on both sides, so a phone refuses bad input at once, offline, with the
//! same words the server would use.

use crate::domain::dates::{days_in_month, split_iso};
use crate::domain::vocabulary::{EntryStatus, FieldError, ReviewNote};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How the visit took place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitMode {
    OnSite,
    Phone,
    Group,
}

impl VisitMode {
    pub const ALL: [VisitMode; 3] = [VisitMode::OnSite, VisitMode::Phone, VisitMode::Group];

    pub fn as_str(self) -> &'static str {
        match self {
            VisitMode::OnSite => "on_site",
            VisitMode::Phone => "phone",
            VisitMode::Group => "group",
        }
    }

    pub fn parse(s: &str) -> Option<VisitMode> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// What a coaching visit worked on. A fixed list, so reports can count them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    Bookkeeping,
    Marketing,
    Production,
    Quality,
    Governance,
    Funding,
    SseLaw,
    Environment,
    Other,
}

impl Topic {
    pub const ALL: [Topic; 9] = [
        Topic::Bookkeeping,
        Topic::Marketing,
        Topic::Production,
        Topic::Quality,
        Topic::Governance,
        Topic::Funding,
        Topic::SseLaw,
        Topic::Environment,
        Topic::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Bookkeeping => "bookkeeping",
            Topic::Marketing => "marketing",
            Topic::Production => "production",
            Topic::Quality => "quality",
            Topic::Governance => "governance",
            Topic::Funding => "funding",
            Topic::SseLaw => "sse_law",
            Topic::Environment => "environment",
            Topic::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Topic> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// The longest free text a field accepts (observations, difficulties): a page of notes.
pub const MAX_TEXT_CHARS: usize = 4000;
/// An action item's title: one line.
pub const MAX_TITLE_CHARS: usize = 200;

/// The fields a facilitator fills in for a visit: what `visit.save` carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitFields {
    pub project_id: Uuid,
    /// ISO day.
    pub visit_on: String,
    pub mode: VisitMode,
    #[serde(default)]
    pub present_member_ids: Vec<Uuid>,
    #[serde(default)]
    pub topics: Vec<Topic>,
    #[serde(default)]
    pub observations: String,
    #[serde(default)]
    pub difficulties: String,
    /// ISO day the next visit is planned.
    #[serde(default)]
    pub next_visit_on: Option<String>,
    /// `Draft` or `Submitted`: the device never sets the review outcomes.
    pub status: EntryStatus,
    /// What the project's books say at the visit.
    #[serde(default)]
    pub snapshot: Snapshot,
    /// The form answers the visit was captured with, which the fields above are read from
    /// ([`VisitFields::from_answers`]); `None` for a visit recorded before visits were captured
    /// through their form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<crate::domain::visit_form::FormAnswers>,
    /// Photos and documents taken at the visit, named by their SHA-256; their bytes follow the
    /// visit to the server.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<crate::domain::evidence::Evidence>,
}

/// The economic snapshot of a visit, in millimes; `None` where the facilitator had no figure.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Sales since the last visit.
    pub sales: Option<i64>,
    /// Purchases since the last visit.
    pub purchases: Option<i64>,
    pub cash: Option<i64>,
    /// The value of the stock.
    pub stock: Option<i64>,
    pub debts: Option<i64>,
    pub cash_book_up_to_date: Option<bool>,
    /// A shock since the last visit (drought, theft, illness…), in words; empty when none.
    #[serde(default)]
    pub shock: String,
}

/// A shock, in a line.
pub const MAX_SHOCK_CHARS: usize = 500;

/// A coaching visit as stored and synced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    pub id: Uuid,
    pub fields: VisitFields,
    /// Who recorded it.
    pub author_id: Option<Uuid>,
    /// The server's version of this record (the global version of the push that last changed it).
    pub version: i64,
    /// Two devices edited it from the same base: a supervisor must choose.
    #[serde(default)]
    pub conflict: bool,
    /// The latest review, kept after a resubmission so the facilitator still reads what was asked.
    #[serde(default)]
    pub review: Option<ReviewNote>,
}

/// What a supervisor decides on a submitted entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    Validate,
    Return,
}

impl ReviewDecision {
    pub fn status(self) -> EntryStatus {
        match self {
            ReviewDecision::Validate => EntryStatus::Validated,
            ReviewDecision::Return => EntryStatus::Returned,
        }
    }
}

/// The longest review comment: a few lines to say what to fix.
pub const MAX_COMMENT_CHARS: usize = 2000;

/// The rules a review meets: a returned entry says why (the facilitator must know what to fix).
pub fn check_review(decision: ReviewDecision, comment: &str) -> Result<(), FieldError> {
    let comment = comment.trim();
    if decision == ReviewDecision::Return && comment.is_empty() {
        return Err(FieldError::new("comment", "required"));
    }
    check_text("comment", comment, MAX_COMMENT_CHARS)
}

/// One step in the life of an entry: a revision saved, or a review.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum HistoryEvent {
    /// The visit as saved by `by` (a facilitator's save, or a supervisor's merge).
    Revision {
        version: i64,
        by: String,
        /// RFC 3339, UTC.
        at: String,
        fields: Box<VisitFields>,
    },
    /// An entry kept as form answers, as saved by `by`.
    Answers {
        version: i64,
        by: String,
        /// RFC 3339, UTC.
        at: String,
        status: EntryStatus,
        answers: crate::domain::form::Answers,
    },
    Review {
        decision: EntryStatus,
        comment: String,
        by: String,
        at: String,
    },
    /// A member or a milestone, as saved by `by`.
    Registry {
        version: i64,
        by: String,
        /// RFC 3339, UTC.
        at: String,
        record: Box<crate::domain::registry::RegistryRecord>,
    },
}

// Answers come from JSON, which holds no NaN: equality is total.
impl Eq for HistoryEvent {}

impl HistoryEvent {
    pub fn at(&self) -> &str {
        match self {
            HistoryEvent::Revision { at, .. }
            | HistoryEvent::Answers { at, .. }
            | HistoryEvent::Review { at, .. }
            | HistoryEvent::Registry { at, .. } => at,
        }
    }
}

/// What waits for a reviewer, as their home page says it: how many entries of each sort, how
/// long they have waited, and the conflicts to settle.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewSummary {
    pub visits: u32,
    /// Diagnostics and self-assessments.
    pub entries: u32,
    /// Members, milestones and indicator values sent from the field.
    pub registry: u32,
    /// Of all those, how many have waited more than [`REVIEW_LATE_DAYS`] days.
    pub late: u32,
    /// Days the oldest has waited.
    pub oldest_days: Option<i64>,
    pub conflicts: u32,
}

/// An entry waiting longer than this many days is late for review.
pub const REVIEW_LATE_DAYS: i64 = 7;

impl ReviewSummary {
    /// Counts an entry the server received at `submitted_at` (RFC 3339, UTC), on `today` (an
    /// ISO day in Tunis).
    pub fn waiting_since(&mut self, submitted_at: &str, today: &str) {
        let days = crate::domain::dates::days_between(
            &crate::domain::dates::tunis_day(submitted_at),
            today,
        )
        .unwrap_or(0)
        .max(0);
        if days > REVIEW_LATE_DAYS {
            self.late += 1;
        }
        self.oldest_days = Some(self.oldest_days.unwrap_or(0).max(days));
    }

    pub fn waiting(&self) -> u32 {
        self.visits + self.entries + self.registry
    }
}

/// A submitted visit waiting for review, with what a supervisor filters and reads it by.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub visit: Visit,
    pub header: crate::domain::QueueHeader,
    /// The project's members, to name who was present.
    pub members: Vec<(Uuid, String)>,
    /// Every revision and review so far, oldest first.
    pub history: Vec<HistoryEvent>,
}

/// A visit edited on two devices from the same base, as a supervisor sees it to resolve it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictCase {
    pub visit_id: Uuid,
    pub project_code: String,
    pub project_title: String,
    /// The version on the server now: a resolution made on another is refused as stale.
    pub version: i64,
    /// What the server holds now.
    pub current: VisitVersion,
    /// The edits kept aside, oldest first.
    pub edits: Vec<VisitVersion>,
    /// The project's members, to name who was present.
    pub members: Vec<(Uuid, String)>,
}

/// One version of a visit in a conflict: who made it, when it reached the server, and what it says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitVersion {
    pub author: String,
    /// RFC 3339, UTC.
    pub at: String,
    pub fields: VisitFields,
    /// The device an edit set aside came from ("chrome · Android"), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// When that device was last heard from (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_seen_at: Option<String>,
}

/// A day the form may hold: a real calendar day, not absurdly far from today.
fn check_day(field: &'static str, iso: &str) -> Result<(), FieldError> {
    let Some((y, m, d)) = split_iso(iso) else {
        return Err(FieldError::new(field, "not_a_date"));
    };
    if iso.len() != 10 || !(2000..=2100).contains(&y) || d > days_in_month(y, m) {
        return Err(FieldError::new(field, "not_a_date"));
    }
    Ok(())
}

fn check_text(field: &'static str, text: &str, max: usize) -> Result<(), FieldError> {
    if text.chars().count() > max {
        return Err(FieldError::new(field, "too_long"));
    }
    Ok(())
}

impl VisitFields {
    /// Every rule a visit must meet, first failure first (the form lists them all through
    /// [`VisitFields::errors`]). `today` is the ISO day in Tunis.
    pub fn validate(&self, today: &str) -> Result<(), FieldError> {
        match self.errors(today).into_iter().next() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// All the problems with this visit, in the order the form shows its fields.
    pub fn errors(&self, today: &str) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let visit_day_ok = check_day("visit_on", &self.visit_on).is_ok();
        match check_day("visit_on", &self.visit_on) {
            Err(e) => errors.push(e),
            // A visit is recorded on the day or after; never for a day still to come. One day of
            // slack for a phone whose clock is a little ahead.
            Ok(()) if super::dates::days_between(today, &self.visit_on).unwrap_or(0) > 1 => {
                errors.push(FieldError::new("visit_on", "in_future"));
            }
            Ok(()) => {}
        }
        if self.present_member_ids.len() > 500 {
            errors.push(FieldError::new("present_member_ids", "too_many"));
        }
        if let Err(e) = check_text("observations", &self.observations, MAX_TEXT_CHARS) {
            errors.push(e);
        }
        if let Err(e) = check_text("difficulties", &self.difficulties, MAX_TEXT_CHARS) {
            errors.push(e);
        }
        if let Err(e) = super::evidence::check_files(&self.files) {
            errors.push(e);
        }
        if let Some(next) = &self.next_visit_on {
            match check_day("next_visit_on", next) {
                Err(e) => errors.push(e),
                Ok(()) if visit_day_ok && next.as_str() < self.visit_on.as_str() => {
                    errors.push(FieldError::new("next_visit_on", "before_visit"));
                }
                Ok(()) => {}
            }
        }
        let s = &self.snapshot;
        for (field, amount) in [
            ("sales", s.sales),
            ("purchases", s.purchases),
            ("cash", s.cash),
            ("stock", s.stock),
            ("debts", s.debts),
        ] {
            if amount.is_some_and(|m| !(0..=crate::domain::money::MAX_MILLIMES).contains(&m)) {
                errors.push(FieldError::new(field, "not_an_amount"));
            }
        }
        if let Err(e) = check_text("shock", &s.shock, MAX_SHOCK_CHARS) {
            errors.push(e);
        }
        if !matches!(self.status, EntryStatus::Draft | EntryStatus::Submitted) {
            errors.push(FieldError::new("status", "not_allowed"));
        }
        errors
    }
}

/// Open until done; carried from visit to visit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    Open,
    Done,
}

impl ActionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Open => "open",
            ActionStatus::Done => "done",
        }
    }

    pub fn parse(s: &str) -> Option<ActionStatus> {
        match s {
            "open" => Some(ActionStatus::Open),
            "done" => Some(ActionStatus::Done),
            _ => None,
        }
    }
}

/// An action item as stored and synced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionItem {
    pub id: Uuid,
    pub project_id: Uuid,
    /// The visit it came out of, if any.
    pub visit_id: Option<Uuid>,
    pub title: String,
    /// ISO day.
    pub due_on: Option<String>,
    pub status: ActionStatus,
    /// ISO day it was closed.
    pub closed_on: Option<String>,
    pub author_id: Option<Uuid>,
    pub version: i64,
}

/// What `action.add` carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewActionItem {
    pub id: Uuid,
    pub project_id: Uuid,
    #[serde(default)]
    pub visit_id: Option<Uuid>,
    pub title: String,
    #[serde(default)]
    pub due_on: Option<String>,
}

impl NewActionItem {
    pub fn validate(&self) -> Result<(), FieldError> {
        let title = self.title.trim();
        if title.is_empty() {
            return Err(FieldError::new("title", "required"));
        }
        check_text("title", title, MAX_TITLE_CHARS)?;
        if let Some(due) = &self.due_on {
            check_day("due_on", due)?;
        }
        Ok(())
    }
}

/// What `action.close` carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseActionItem {
    pub id: Uuid,
    /// ISO day it was done.
    pub closed_on: String,
}

impl CloseActionItem {
    pub fn validate(&self) -> Result<(), FieldError> {
        check_day("closed_on", &self.closed_on)
    }
}

/// What `action.reschedule` carries: an open item kept, for a new day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RescheduleActionItem {
    pub id: Uuid,
    /// ISO day.
    pub due_on: String,
}

impl RescheduleActionItem {
    pub fn validate(&self) -> Result<(), FieldError> {
        check_day("due_on", &self.due_on)
    }
}

impl ActionItem {
    /// Open, with a due day already past.
    pub fn is_overdue(&self, today: &str) -> bool {
        self.status == ActionStatus::Open && self.due_on.as_deref().is_some_and(|d| d < today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_review_summary_counts_the_late_ones_by_the_day_in_tunis() {
        let mut s = ReviewSummary::default();
        // Received late on the 25th in UTC: the 26th in Tunis, 8 days before the 4th.
        s.waiting_since("2026-11-25T23:30:00Z", "2026-12-04");
        s.waiting_since("2026-11-27T08:00:00Z", "2026-12-04");
        s.waiting_since("2026-12-04T08:00:00Z", "2026-12-04");
        assert_eq!((s.late, s.oldest_days), (1, Some(8)));
        s.visits = 2;
        s.registry = 1;
        assert_eq!(s.waiting(), 3);
    }

    fn visit() -> VisitFields {
        VisitFields {
            project_id: Uuid::nil(),
            visit_on: "2026-11-20".into(),
            mode: VisitMode::OnSite,
            present_member_ids: vec![],
            topics: vec![Topic::Bookkeeping],
            observations: "Cahier de caisse à jour.".into(),
            difficulties: String::new(),
            next_visit_on: Some("2026-12-18".into()),
            status: EntryStatus::Submitted,
            snapshot: Snapshot::default(),
            form: None,
            files: Vec::new(),
        }
    }

    #[test]
    fn a_negative_or_absurd_amount_is_refused() {
        let mut v = visit();
        v.snapshot.sales = Some(1_200_000);
        assert_eq!(v.validate("2026-11-26"), Ok(()));
        v.snapshot.debts = Some(-1);
        v.snapshot.cash = Some(crate::domain::money::MAX_MILLIMES + 1);
        let fields: Vec<_> = v.errors("2026-11-26").iter().map(|e| e.field).collect();
        assert_eq!(fields, ["cash", "debts"]);
    }

    #[test]
    fn a_complete_visit_is_accepted() {
        assert_eq!(visit().validate("2026-11-26"), Ok(()));
    }

    #[test]
    fn a_visit_in_the_future_or_on_a_day_that_does_not_exist_is_refused() {
        let mut v = visit();
        v.visit_on = "2026-12-24".into();
        assert_eq!(
            v.errors("2026-11-26")[0],
            FieldError::new("visit_on", "in_future")
        );
        v.visit_on = "2026-02-30".into();
        assert_eq!(
            v.errors("2026-11-26")[0],
            FieldError::new("visit_on", "not_a_date")
        );
        v.visit_on = "yesterday".into();
        assert_eq!(
            v.errors("2026-11-26")[0],
            FieldError::new("visit_on", "not_a_date")
        );
    }

    #[test]
    fn the_next_visit_cannot_come_before_this_one() {
        let mut v = visit();
        v.next_visit_on = Some("2026-11-01".into());
        assert_eq!(
            v.validate("2026-11-26"),
            Err(FieldError::new("next_visit_on", "before_visit"))
        );
    }

    #[test]
    fn a_device_cannot_validate_its_own_visit() {
        let mut v = visit();
        v.status = EntryStatus::Validated;
        assert_eq!(
            v.validate("2026-11-26"),
            Err(FieldError::new("status", "not_allowed"))
        );
    }

    #[test]
    fn every_problem_is_listed_in_form_order() {
        let mut v = visit();
        v.visit_on = "2026-13-01".into();
        v.observations = "x".repeat(MAX_TEXT_CHARS + 1);
        let fields: Vec<_> = v.errors("2026-11-26").iter().map(|e| e.field).collect();
        assert_eq!(fields, ["visit_on", "observations"]);
    }

    #[test]
    fn an_action_item_needs_a_title() {
        let a = NewActionItem {
            id: Uuid::nil(),
            project_id: Uuid::nil(),
            visit_id: None,
            title: "   ".into(),
            due_on: None,
        };
        assert_eq!(a.validate(), Err(FieldError::new("title", "required")));
    }
}
