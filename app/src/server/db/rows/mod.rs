//! How rows read and write: column lists, row types and their conversions to the domain, shared by
//! both engines' queries in `sql/`. Nothing here talks to a database.

mod action;
mod entry;
mod member;
mod milestone;
mod project;
mod registry;
mod review;
mod synced;
mod value;
mod visit;

pub(in crate::server::db) use member::{MEMBER_COLUMNS, StoredMemberRow};
pub(in crate::server::db) use registry::*;
pub(in crate::server::db) use review::*;
pub(in crate::server::db) use synced::*;
pub(in crate::server::db) use value::*;
pub(in crate::server::db) use visit::*;

use crate::domain::{ReviewNote, Topic};
use crate::server::db::{DbError, ProjectScope};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// Rows go in chunks small enough for SQLite's and PostgreSQL's bind-parameter limits.
pub(in crate::server::db) const INSERT_CHUNK: usize = 400;

/// Which projects of `projects p` a scope covers, bound as `$1` (kind) and `$2` (user, see
/// [`scope_binds`]): the one rule for cards, project pages, pull and push.
pub(in crate::server::db) const SCOPE_PREDICATE: &str = "($1 = 'all'
        or ($1 = 'facilitator' and p.facilitator_id = $2)
        or ($1 = 'supervisor' and p.incubator_id in
              (select si.incubator_id from supervisor_incubators si where si.user_id = $2)))";

/// `(kind, user)` bound as `$1, $2` into [`SCOPE_PREDICATE`].
pub(in crate::server::db) fn scope_binds(scope: ProjectScope) -> (&'static str, Uuid) {
    match scope {
        ProjectScope::All => ("all", Uuid::nil()),
        ProjectScope::Facilitator(id) => ("facilitator", id),
        ProjectScope::Supervisor(id) => ("supervisor", id),
    }
}

/// Whether a scope sees members' private answers: the project's facilitator (who collected them,
/// with consent) and the team do; a supervisor sees the derived flag only.
pub(in crate::server::db) fn sees_private(scope: ProjectScope) -> bool {
    !matches!(scope, ProjectScope::Supervisor(_))
}

/// Seconds are enough for sessions and lock-outs, and whole seconds keep SQLite's text
/// timestamps comparable as text.
pub(in crate::server::db) fn trunc(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_nanosecond(0).unwrap_or(t)
}

pub(in crate::server::db) const DATA_TABLES_CHILD_FIRST: [&str; 26] = [
    "file_refs",
    "indicator_values",
    "indicator_targets",
    "period_events",
    "reporting_periods",
    "risk_acknowledgements",
    "milestones",
    "entry_reviews",
    "entry_revisions",
    "form_entries",
    "sync_conflicts",
    "sync_refusals",
    "sync_clients",
    "action_items",
    "funding_tranches",
    "visits",
    "members",
    "projects",
    "one_time_codes",
    "sessions",
    "login_failures",
    "supervisor_incubators",
    "users",
    "organisations",
    "value_chains",
    "localities",
];

/// Now, as rows keep it (see [`trunc`]).
pub(in crate::server::db) fn now() -> OffsetDateTime {
    trunc(OffsetDateTime::now_utc())
}

pub(in crate::server::db) fn day(iso: &str) -> Result<Date, DbError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(iso, &format).map_err(|_| DbError::Value(format!("not a day: {iso:?}")))
}

pub(in crate::server::db) fn day_opt(iso: Option<&str>) -> Result<Option<Date>, DbError> {
    iso.map(day).transpose()
}

pub(in crate::server::db) fn from_unix_ms(ms: Option<i64>) -> Option<OffsetDateTime> {
    ms.and_then(|ms| OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok())
}

pub(in crate::server::db) fn unix_ms(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
}

pub(in crate::server::db) fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// When a review was made, as the database keeps it.
pub(in crate::server::db) fn review_at(
    review: Option<&ReviewNote>,
) -> Result<Option<OffsetDateTime>, DbError> {
    review
        .map(|r| {
            OffsetDateTime::parse(&r.at, &time::format_description::well_known::Rfc3339)
                .map_err(|_| DbError::Value(format!("not a time: {:?}", r.at)))
        })
        .transpose()
}

pub(in crate::server::db) fn join_ids(ids: &[Uuid]) -> String {
    ids.iter()
        .map(Uuid::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn split_ids(text: &str) -> Vec<Uuid> {
    text.split(',').filter_map(|s| s.parse().ok()).collect()
}

pub(in crate::server::db) fn join_topics(topics: &[Topic]) -> String {
    topics
        .iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn split_topics(text: &str) -> Vec<Topic> {
    text.split(',').filter_map(Topic::parse).collect()
}

/// An entry's form answers as stored (a visit's, an indicator value's): both columns or neither.
fn form_answers(version: Option<i64>, answers: Option<&str>) -> Option<crate::domain::FormAnswers> {
    Some(crate::domain::FormAnswers {
        version: u32::try_from(version?).ok()?,
        answers: serde_json::from_str(answers?).ok()?,
    })
}

/// An entry's files as stored: a JSON list, `null` when there are none.
pub(crate) fn evidence_list(text: Option<&str>) -> Vec<crate::domain::evidence::Evidence> {
    text.and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default()
}

pub(crate) fn evidence_text(files: &[crate::domain::evidence::Evidence]) -> Option<String> {
    if files.is_empty() {
        None
    } else {
        serde_json::to_string(files).ok()
    }
}

/// A table of versioned definitions kept as JSON: forms (by id) and indicators (by code).
#[derive(Clone, Copy)]
pub(in crate::server::db) struct Versioned {
    pub table: &'static str,
    /// The column that names a definition.
    pub key: &'static str,
    /// What one is called in an error.
    pub what: &'static str,
}

pub(in crate::server::db) const FORMS: Versioned = Versioned {
    table: "forms",
    key: "id",
    what: "form",
};

pub(in crate::server::db) const INDICATORS: Versioned = Versioned {
    table: "indicator_definitions",
    key: "code",
    what: "indicator",
};

impl Versioned {
    /// Every version of every definition, by name and version.
    pub fn select(self) -> String {
        format!(
            "select {key}, version, definition from {table} order by {key}, version",
            key = self.key,
            table = self.table
        )
    }

    pub fn insert(self) -> String {
        format!(
            "insert into {} ({}, version, definition, published_at, published_by)
             values ($1, $2, $3, $4, $5)",
            self.table, self.key
        )
    }

    /// The definitions of `rows` (`(name, version, json)`); an unreadable one is an error that
    /// names it.
    pub fn decode<T: serde::de::DeserializeOwned>(
        self,
        rows: Vec<(String, i64, String)>,
    ) -> Result<Vec<T>, DbError> {
        rows.into_iter()
            .map(|(name, version, text)| {
                serde_json::from_str(&text).map_err(|e| {
                    DbError::Value(format!("{} {name} version {version}: {e}", self.what))
                })
            })
            .collect()
    }
}
