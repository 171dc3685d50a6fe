//! The audit trail as the team reads it: who changed what that is not a reviewed entry, when,
//! with the state before and after.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One line of the trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    /// RFC 3339, UTC.
    pub at: String,
    /// The account that made the change; `None` for the command line.
    pub actor: Option<Uuid>,
    /// Its name at the time ("athar" for the command line).
    pub actor_name: String,
    /// What happened, one of [`KINDS`].
    pub kind: String,
    /// What it happened to, in words (an email, a project code, a form…).
    pub subject: String,
    pub project: Option<Uuid>,
    /// JSON, when there was a state before.
    pub before: Option<String>,
    /// JSON, when there is a state after.
    pub after: Option<String>,
}

/// Every kind of line, in the order the filter offers them.
pub const KINDS: [&str; 29] = [
    "account_created",
    "account_changed",
    "account_disabled",
    "account_enabled",
    "sign_in_code_made",
    "password_set_with_code",
    "password_changed",
    "signed_out_everywhere",
    "project_assigned",
    "project_changed",
    "organisation_created",
    "organisation_changed",
    "organisation_archived",
    "organisation_restored",
    "place_created",
    "place_changed",
    "value_chain_created",
    "value_chain_changed",
    "tranche_saved",
    "target_set",
    "settings_changed",
    "period_changed",
    "form_published",
    "indicator_published",
    "token_created",
    "token_revoked",
    "programme_imported",
    "outbox_imported",
    "demo_purged",
];

/// The most lines a page or an export reads at once (newest first).
pub const MAX_LINES: i64 = 5000;
