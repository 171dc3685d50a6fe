//! The database behind Athar: one trait, one implementation per engine.
//!
//! SQLite (embedded, the default) and PostgreSQL (when one machine is not enough) each have their
//! own migrations (`app/migrations/<engine>`) and connection setup, and share the query code: the
//! schemas are written so that the same SQL and the same Rust types work on both (uuid ↔ blob,
//! timestamptz ↔ UTC text, boolean ↔ integer). Queries are checked at run time, so building never
//! needs a live database. The engine is chosen from the scheme of `DATABASE_URL`.
//!
//! Errors are sorted the way callers need them: [`DbError::Unavailable`] is temporary (retry
//! later, nothing was applied), everything else is permanent.

pub mod demo_set;
mod postgres;
mod rows;
pub mod source;
mod sqlite;
pub mod store;

pub use postgres::PgDb;
pub use sqlite::SqliteDb;

use crate::domain::indicator::value::PeriodStatus;
use crate::domain::{ProjectCard, ProjectDetail, Role, SessionUser};
use crate::sync::protocol::{Cookie, PullResponse};
use async_trait::async_trait;
use demo_set::DemoSet;
use serde::Serialize;
use std::sync::Arc;
pub use store::SyncStore;
use store::{ClientRow, ConflictRow};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The database cannot be reached or is overloaded; nothing was applied.
    #[error("database unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    /// A unique constraint refused the write (an email already in use, a code taken).
    #[error("already exists: {0}")]
    AlreadyExists(String),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Other(#[source] sqlx::Error),
    /// A value the database cannot hold (a day that is not a day): permanent.
    #[error("bad value: {0}")]
    Value(String),
    /// `DATABASE_URL` is not something Athar can connect to.
    #[error("{0}")]
    BadUrl(String),
}

impl From<sqlx::Error> for DbError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                DbError::Unavailable(e)
            }
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                DbError::AlreadyExists(db.message().to_owned())
            }
            sqlx::Error::Database(db) if is_temporary(db.code().as_deref()) => {
                DbError::Unavailable(e)
            }
            _ => DbError::Other(e),
        }
    }
}

impl From<DbError> for crate::error::AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Unavailable(_) => {
                tracing::warn!(error = %e, "database unavailable");
                crate::error::AppError::Unavailable
            }
            other => {
                tracing::error!(error = %other, "database error");
                crate::error::AppError::Internal
            }
        }
    }
}

/// Error codes that mean "try again", by code, never by message: SQLite busy or locked (primary
/// codes 5 and 6, extended codes keep them in the low byte); PostgreSQL serialization failure,
/// deadlock, shutting down, cannot connect now, too many connections.
fn is_temporary(code: Option<&str>) -> bool {
    let Some(code) = code else { return false };
    if matches!(
        code,
        "40001" | "40P01" | "57P01" | "57P02" | "57P03" | "53300"
    ) {
        return true;
    }
    // SQLite codes are short numbers; PostgreSQL's SQLSTATEs are always five characters.
    code.len() < 5 && code.parse::<u32>().is_ok_and(|n| matches!(n & 0xff, 5 | 6))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// What `/healthz` reports about the database.
#[derive(Clone, Debug, Serialize)]
pub struct DbHealth {
    pub engine: Engine,
    pub reachable: bool,
    /// The newest applied migration, if any.
    pub schema_version: Option<i64>,
    pub projects: Option<i64>,
}

/// A password hash. Deliberately not `Serialize`: it cannot reach a browser by accident.
#[derive(Clone)]
pub struct PasswordHash(pub String);

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(…)")
    }
}

/// What signing in checks: the account, its password hash, whether it is active.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub user: SessionUser,
    pub hash: PasswordHash,
    pub active: bool,
}

/// A user to create.
#[derive(Clone, Debug)]
pub struct NewUser {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password_hash: PasswordHash,
    pub organisation_id: Option<Uuid>,
    pub is_demo: bool,
}

/// Which projects a query may return: the server derives it from the signed-in user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProjectScope {
    All,
    /// The projects assigned to this facilitator.
    Facilitator(Uuid),
    /// The projects of the incubators assigned to this supervisor.
    Supervisor(Uuid),
}

impl ProjectScope {
    /// Whether the scope covers a project coached by `facilitator` within `incubator`, where
    /// `supervises(user, incubator)` tells a supervisor's assignments. The one scope rule: queries
    /// apply it as `rows::SCOPE_PREDICATE`, and the database stories hold both to one table of
    /// cases.
    pub fn covers(
        self,
        facilitator: Option<Uuid>,
        incubator: Option<Uuid>,
        supervises: impl Fn(Uuid, Uuid) -> bool,
    ) -> bool {
        match self {
            ProjectScope::All => true,
            ProjectScope::Facilitator(user) => facilitator == Some(user),
            ProjectScope::Supervisor(user) => incubator.is_some_and(|i| supervises(user, i)),
        }
    }
}

/// What the programme summary is counted from (`ProgrammeSummary::count`).
#[derive(Clone, Debug, Default)]
pub struct ProgrammeFacts {
    pub projects: Vec<(crate::domain::ProjectKind, crate::domain::ProjectStatus)>,
    pub members: Vec<crate::domain::indicator::derived::MemberFact>,
    pub visits: i64,
}

/// How far back the risk rules look.
#[derive(Clone, Copy, Debug)]
pub struct RiskQuery {
    /// Open action items due before this day are overdue.
    pub today: time::Date,
    /// The latest visits kept per project.
    pub visits_kept: usize,
    /// Acknowledgements made since then still hold.
    pub acknowledged_since: OffsetDateTime,
}

/// What the risk rules read, by project (`active` left unset: the caller knows the projects), and
/// the acknowledgements still in force.
#[derive(Clone, Debug, Default)]
pub struct RiskFactSet {
    pub facts: std::collections::HashMap<Uuid, crate::domain::risk::RiskFacts>,
    pub acknowledgements: Vec<(Uuid, crate::domain::risk::RiskAck)>,
}

/// What a database holds, for `athar demo-data` to decide whether loading is safe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataState {
    Empty,
    DemoOnly,
    /// At least one user or project that the demo loader did not create.
    HasRealData,
}

/// What the first start found about the setup link (see [`Database::start_setup`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetupStart {
    /// A new code was kept: print its link.
    Created,
    /// A link printed earlier (at this RFC 3339 time) still waits to be used.
    Waiting(String),
    /// An account exists: no setup link.
    NotNeeded,
}

/// A line to append to the audit trail, in the transaction of the change it records.
#[derive(Clone, Debug)]
pub struct AuditLine {
    /// Who made the change (their name is kept with the line); `None` for the command line.
    pub actor: Option<Uuid>,
    /// One of `domain::audit::KINDS`.
    pub kind: &'static str,
    /// What it happened to, in words.
    pub subject: String,
    pub project: Option<Uuid>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// When sign-in attempts lock out: `limits[i]` attempts under the `i`-th key within `window`
/// lock it for `lockout` after the last one.
#[derive(Clone, Debug)]
pub struct LockRule {
    pub limits: Vec<usize>,
    pub window: time::Duration,
    pub lockout: time::Duration,
    pub now: OffsetDateTime,
}

impl LockRule {
    /// Minutes left on a lock-out, if one of the keys is locked, given the attempts kept under
    /// each key, oldest first: locked while the last `limit` attempts fit in the window and the
    /// last one is younger than the lock-out.
    pub fn minutes(&self, attempts: &[Vec<OffsetDateTime>]) -> Option<i64> {
        let mut longest = None;
        for (limit, attempts) in self.limits.iter().zip(attempts) {
            if *limit > 0 && attempts.len() >= *limit {
                let recent = &attempts[attempts.len() - limit..];
                let (first, last) = (recent[0], recent[recent.len() - 1]);
                let until = last + self.lockout;
                if last - first <= self.window && until > self.now {
                    let minutes = ((until - self.now).whole_seconds() + 59) / 60;
                    longest = longest.max(Some(minutes));
                }
            }
        }
        longest
    }
}

/// What counting a sign-in attempt decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoginAttempt {
    /// Locked out for this many minutes: not written, the password not to be checked.
    Locked(i64),
    /// Written (these rows): the password may be checked.
    Counted(Vec<i64>),
}

/// Which lines of the audit trail to read.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    pub actor: Option<Uuid>,
    pub project: Option<Uuid>,
    pub kind: Option<String>,
    /// At most this many lines, newest first.
    pub limit: i64,
}

/// A BI token as `athar token list` shows it (never the token itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiTokenRow {
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked: bool,
}

pub type Db = Arc<dyn Database>;

/// A file the server is receiving or holds (`files`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileState {
    pub sha256: String,
    /// Its size, as the entry that first named it said.
    pub bytes: u64,
    /// The bytes held so far, in order.
    pub received: u64,
    /// Known once the file is whole and checked.
    pub media: Option<crate::domain::evidence::Media>,
    pub complete: bool,
    pub thumbnail: bool,
}

#[async_trait]
pub trait Database: Send + Sync + 'static {
    fn engine(&self) -> Engine;

    /// Applies pending migrations, each in its own transaction (see `server::prepare` for the
    /// forms and indicators that come with them).
    async fn migrate(&self) -> Result<(), DbError>;

    async fn health(&self) -> DbHealth;

    /// The account of an email, active or not, with its password hash.
    async fn user_credentials(&self, email: &str) -> Result<Option<Credentials>, DbError>;

    /// An active user, by id.
    async fn user_by_id(&self, id: Uuid) -> Result<Option<SessionUser>, DbError>;

    /// An account by id, active or disabled (what a disabled account's phone made before is
    /// still theirs).
    async fn account_by_id(&self, id: Uuid) -> Result<Option<SessionUser>, DbError>;

    async fn insert_user(&self, user: &NewUser) -> Result<(), DbError>;

    async fn create_session(
        &self,
        token_hash: &str,
        user_id: Uuid,
        expires_at: OffsetDateTime,
    ) -> Result<(), DbError>;

    /// The user of a live session, when it expires and when it began.
    async fn session_user(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<(SessionUser, OffsetDateTime, OffsetDateTime)>, DbError>;

    async fn extend_session(
        &self,
        token_hash: &str,
        expires_at: OffsetDateTime,
    ) -> Result<(), DbError>;

    async fn delete_session(&self, token_hash: &str) -> Result<(), DbError>;

    /// Counts a sign-in attempt before its password is checked, one attempt per key at a time:
    /// reads the attempts kept under each key (the account, the address) since `since`, oldest
    /// first; if `rule` says they lock the attempt out, nothing is written and the attempt is
    /// `Locked`; otherwise the attempt is written under each key and `Counted` with its rows.
    /// Attempts and keys older than `since` are forgotten: no rule looks that far back.
    async fn count_login_attempt(
        &self,
        keys: &[String],
        at: OffsetDateTime,
        since: OffsetDateTime,
        rule: &LockRule,
    ) -> Result<LoginAttempt, DbError>;

    /// Attempts (failed, or being checked) for a key since `since`, oldest first.
    async fn login_failures_since(
        &self,
        key: &str,
        since: OffsetDateTime,
    ) -> Result<Vec<OffsetDateTime>, DbError>;

    /// Removes these attempts (a sign-in that succeeded, or one refused before its check).
    async fn forget_login_attempts(&self, ids: &[i64]) -> Result<(), DbError>;

    /// The cards of the projects in `scope`, members counted on `today`.
    async fn project_cards(
        &self,
        scope: ProjectScope,
        today: time::Date,
    ) -> Result<Vec<ProjectCard>, DbError>;

    /// One project, or `None` if it does not exist *or* lies outside the scope.
    async fn project_detail(
        &self,
        scope: ProjectScope,
        id: Uuid,
        today: time::Date,
    ) -> Result<Option<ProjectDetail>, DbError>;

    /// What the programme summary counts: every project's kind and status, every member, and
    /// the visits made after `visits_since`.
    async fn programme_facts(&self, visits_since: time::Date) -> Result<ProgrammeFacts, DbError>;

    /// What the risk rules read of the projects in `scope`.
    async fn risk_facts(
        &self,
        scope: ProjectScope,
        query: RiskQuery,
    ) -> Result<RiskFactSet, DbError>;

    async fn data_state(&self) -> Result<DataState, DbError>;

    /// Replaces every row of every data table with the demo set, in one transaction. Callers check
    /// [`Database::data_state`] first: real data is only ever replaced on explicit request.
    async fn load_demo(&self, demo: &DemoSet) -> Result<(), DbError>;

    /// At start-up on a database without accounts, keeps a setup code (its hash) unless one
    /// waits already; once however many instances start together.
    async fn start_setup(&self, code_hash: &str) -> Result<SetupStart, DbError>;

    /// A new setup code in place of earlier ones; false when an account exists.
    async fn replace_setup(&self, code_hash: &str) -> Result<bool, DbError>;

    /// Whether the setup code still opens the setup page.
    async fn setup_open(&self, code_hash: &str) -> Result<bool, DbError>;

    /// Creates the first account with the setup code, which then dies; false, changing
    /// nothing, when the code is not valid or an account exists.
    async fn redeem_setup(&self, code_hash: &str, user: &NewUser) -> Result<bool, DbError>;

    /// Keeps a sign-in code for `user` until `expires_at`, in place of any they had, with its
    /// audit line; false for an unknown user.
    async fn create_sign_in_code(
        &self,
        code_hash: &str,
        user: Uuid,
        expires_at: OffsetDateTime,
        line: &AuditLine,
    ) -> Result<bool, DbError>;

    /// The active account (id, email) a sign-in code opens, if it is still valid.
    async fn sign_in_code_user(
        &self,
        code_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<(Uuid, String)>, DbError>;

    /// Uses a sign-in code: the account gets the new password and every session it had ends.
    async fn redeem_sign_in_code(
        &self,
        code_hash: &str,
        now: OffsetDateTime,
        password: &PasswordHash,
    ) -> Result<Option<Uuid>, DbError>;

    /// Appends a line to the audit trail on its own (for a change made of several transactions
    /// of its own, such as an outbox file imported batch by batch).
    async fn append_audit(&self, line: &AuditLine) -> Result<(), DbError>;

    /// The audit trail, newest first.
    async fn audit(
        &self,
        query: &AuditQuery,
    ) -> Result<Vec<crate::domain::audit::AuditEntry>, DbError>;

    /// Every account, with its scope, last sign-in and last sync.
    async fn people(&self) -> Result<Vec<crate::domain::people::Person>, DbError>;

    /// Every organisation, archived ones too.
    async fn organisations(&self) -> Result<Vec<crate::domain::people::Organisation>, DbError>;

    /// Creates an account (with a password nobody knows) or changes one, with its audit line;
    /// `None` for an unknown account, [`DbError::AlreadyExists`] for an email in use.
    async fn save_person(
        &self,
        person: &crate::domain::people::CheckedPerson,
        password: &PasswordHash,
        by: Uuid,
    ) -> Result<Option<Uuid>, DbError>;

    /// Disables an account (its sessions and codes end at once) or enables it; false for an
    /// unknown account.
    async fn set_active(&self, id: Uuid, active: bool, by: Uuid) -> Result<bool, DbError>;

    /// Moves a facilitator's projects (all, or those listed) to another facilitator under one
    /// new version; `None` when `to` is not an active facilitator with an incubator.
    async fn reassign(
        &self,
        from: Uuid,
        to: Uuid,
        only: Option<&[Uuid]>,
        by: Uuid,
    ) -> Result<Option<u64>, DbError>;

    /// A user's own new password; every session ends.
    async fn change_password(&self, user: Uuid, password: &PasswordHash) -> Result<(), DbError>;

    /// Ends every session of a user; how many there were.
    async fn sign_out_everywhere(&self, user: Uuid) -> Result<u64, DbError>;

    /// Every place, by governorate, delegation and name.
    async fn places(&self) -> Result<Vec<crate::domain::people::Place>, DbError>;

    /// Every value chain, by code.
    async fn value_chains(&self) -> Result<Vec<crate::domain::people::ValueChain>, DbError>;

    /// Creates or changes an organisation (checked by the caller), with its audit line.
    async fn save_organisation(
        &self,
        organisation: &crate::domain::people::Organisation,
        by: Uuid,
    ) -> Result<(), DbError>;

    /// Archives an organisation or brings it back; false for an unknown one.
    async fn set_archived(&self, id: Uuid, archived: bool, by: Uuid) -> Result<bool, DbError>;

    /// Creates or changes a place (checked by the caller), with its audit line.
    async fn save_place(
        &self,
        place: &crate::domain::people::Place,
        by: Uuid,
    ) -> Result<(), DbError>;

    /// Creates or changes a value chain (checked by the caller), with its audit line; a code in
    /// use is [`DbError::AlreadyExists`].
    async fn save_value_chain(
        &self,
        chain: &crate::domain::people::ValueChain,
        by: Uuid,
    ) -> Result<(), DbError>;

    /// The programme as an import's checks compare a spreadsheet with it.
    async fn import_snapshot(&self) -> Result<crate::server::import::Snapshot, DbError>;

    /// Writes an import's plan in one transaction under one new version, with its audit line;
    /// returns the version.
    async fn apply_import(
        &self,
        plan: &crate::server::import::Plan,
        by: Uuid,
    ) -> Result<i64, DbError>;

    /// Removes every demo row, and what was created while demo data was loaded (which is demo data
    /// too), in one transaction; real rows stay. Returns the rows removed, by table.
    async fn purge_demo(&self) -> Result<Vec<(&'static str, u64)>, DbError>;

    /// Loads the demo set into an empty database at start-up; false, changing nothing, when the
    /// database is not empty. Several instances starting together on one database load it once.
    async fn start_demo(&self, demo: &DemoSet) -> Result<bool, DbError>;

    /// Every version of every form, by form and version.
    async fn forms(&self) -> Result<Vec<crate::domain::form::FormDefinition>, DbError>;

    /// Stores a new form version. The caller checked it ([`crate::domain::form::FormSet`]); a
    /// version that exists already is [`DbError::AlreadyExists`].
    async fn insert_form(
        &self,
        form: &crate::domain::form::FormDefinition,
        published_by: Option<Uuid>,
    ) -> Result<(), DbError>;

    /// Every version of every indicator definition, by code and version.
    async fn indicators(
        &self,
    ) -> Result<Vec<crate::domain::indicator::IndicatorDefinition>, DbError>;

    /// Stores a new version of an indicator's definition. The caller checked the catalogue it
    /// makes; a version that exists already is [`DbError::AlreadyExists`].
    async fn insert_indicator(
        &self,
        indicator: &crate::domain::indicator::IndicatorDefinition,
        published_by: Option<Uuid>,
    ) -> Result<(), DbError>;

    /// Every reporting period that is not simply open: `(period, status, reason)`.
    async fn periods(&self) -> Result<Vec<(String, PeriodStatus, String)>, DbError>;

    /// Moves a period to `status` (the caller checked the move), keeping the event.
    async fn set_period(
        &self,
        period: &str,
        status: PeriodStatus,
        reason: &str,
        by: Uuid,
    ) -> Result<(), DbError>;

    /// Starts a push transaction (see `server::sync::engine`).
    async fn begin_push(&self) -> Result<Box<dyn SyncStore>, DbError>;

    /// The user a sync client belongs to, if the server knows the client.
    async fn client_owner(&self, client: Uuid) -> Result<Option<Uuid>, DbError>;

    /// Stores a client's heartbeat (registering the client on first contact); never its `last_seq`.
    async fn save_heartbeat(&self, client: &ClientRow) -> Result<(), DbError>;

    /// The edits kept as conflicts on a visit, oldest first, resolved or not.
    async fn visit_conflicts(&self, visit: Uuid) -> Result<Vec<ConflictRow>, DbError>;

    /// Every device that synced, per user, from its latest heartbeat (flags not set).
    async fn device_statuses(&self) -> Result<Vec<crate::domain::DeviceStatus>, DbError>;

    /// The visits in `scope` with edits kept aside, each with every version.
    async fn open_conflicts(
        &self,
        scope: ProjectScope,
    ) -> Result<Vec<crate::domain::ConflictCase>, DbError>;

    /// Records that `by` saw a risk flag of a project in `scope`, with a note (replacing an
    /// earlier acknowledgement of the same rule); `false` when the project is not in `scope`.
    async fn acknowledge_risk(
        &self,
        scope: ProjectScope,
        by: Uuid,
        project: Uuid,
        rule: &str,
        note: &str,
    ) -> Result<bool, DbError>;

    /// The submitted visits of `scope` waiting for review, oldest first, each with its history.
    async fn review_queue(
        &self,
        scope: ProjectScope,
    ) -> Result<Vec<crate::domain::ReviewItem>, DbError>;

    /// The submitted diagnostics and self-assessments of `scope` waiting for review, oldest
    /// first, each with its history, and the form versions they were made with.
    async fn entry_review_queue(
        &self,
        scope: ProjectScope,
    ) -> Result<crate::domain::entry::EntryQueue, DbError>;

    /// The members and milestones of `scope` sent from the field and waiting for review, oldest
    /// first, each with its history (members without their private answers).
    async fn registry_review_queue(
        &self,
        scope: ProjectScope,
    ) -> Result<Vec<crate::domain::registry::RegistryReviewItem>, DbError>;

    /// What `user` chooses from when registering a project: value chains, localities, their
    /// incubator, and the codes already taken.
    async fn registry_choices(&self, user: Uuid)
    -> Result<crate::domain::RegistryChoices, DbError>;

    /// The facilitators and incubators a project may be assigned to, and its current ones;
    /// `None` for an unknown project.
    async fn assignment_choices(
        &self,
        project: Uuid,
    ) -> Result<Option<crate::domain::project::AssignmentChoices>, DbError>;

    /// Assigns a project to a facilitator (or none), an incubator and a funder (or none), under a
    /// new global version (so both facilitators' phones follow at their next pull). `Ok(false)`
    /// when the project, the facilitator (an active facilitator), the incubator or the funder (a
    /// funder not archived, or the project's own) is not one.
    async fn assign_project(
        &self,
        project: Uuid,
        facilitator: Option<Uuid>,
        incubator: Uuid,
        funder: Option<Uuid>,
        by: Uuid,
    ) -> Result<bool, DbError>;

    /// Records a project's funding tranche (checked by the caller): planned, disbursed, justified.
    /// `Ok(false)` for an unknown project.
    async fn save_tranche(
        &self,
        project: Uuid,
        tranche: &crate::domain::timeline::Tranche,
        by: Uuid,
    ) -> Result<bool, DbError>;

    /// Sets the target of an indicator for a scope, in place of the one it had.
    async fn save_target(
        &self,
        target: &crate::domain::indicator::admin::CheckedTarget,
        by: Uuid,
    ) -> Result<(), DbError>;

    /// Keeps a new BI token (its hash only) under a unique name.
    async fn create_api_token(&self, id: Uuid, name: &str, token_hash: &str)
    -> Result<(), DbError>;

    /// The name of the token with this hash, if it is not revoked (and notes its use).
    async fn api_token(&self, token_hash: &str) -> Result<Option<String>, DbError>;

    /// Revokes the token of this name; `false` when there is none still valid.
    async fn revoke_api_token(&self, name: &str) -> Result<bool, DbError>;

    /// Every token: `(name, created, last used, revoked)`.
    async fn api_tokens(&self) -> Result<Vec<ApiTokenRow>, DbError>;

    /// What dashboards and exports are computed from, for the whole programme (narrowed to a
    /// scope by `server::dashboard`).
    async fn dashboard_source(&self) -> Result<source::Source, DbError>;

    /// The thresholds of the risk rules (the defaults until the team saves its own).
    async fn risk_settings(&self) -> Result<crate::domain::risk::RiskSettings, DbError>;

    /// Saves the thresholds of the risk rules (checked by the caller).
    async fn save_risk_settings(
        &self,
        settings: &crate::domain::risk::RiskSettings,
        by: Uuid,
    ) -> Result<(), DbError>;

    /// Every revision and review of a visit, in order; `None` when `user` may not see the visit.
    async fn visit_history(
        &self,
        user: &SessionUser,
        scope: ProjectScope,
        visit: Uuid,
    ) -> Result<Option<Vec<crate::domain::HistoryEvent>>, DbError>;

    /// Every record of `scope` changed since `cookie` (all of them when the scope changed or there
    /// is no cookie), from one consistent snapshot, with the new cookie and `client`'s `last_seq`.
    async fn pull(
        &self,
        user: &SessionUser,
        scope: ProjectScope,
        client: Uuid,
        cookie: Option<&Cookie>,
    ) -> Result<PullResponse, DbError>;

    /// A file as the server receives or holds it, for `user` to send its bytes: `None` unless
    /// an entry of theirs names it.
    async fn file_to_send(
        &self,
        sha256: &str,
        user: Uuid,
        scope: ProjectScope,
    ) -> Result<Option<FileState>, DbError>;

    /// Records that the bytes of a file up to `to` are held, if `from` was where it stood.
    /// `false` when another request moved it first.
    async fn file_received(&self, sha256: &str, from: u64, to: u64) -> Result<bool, DbError>;

    /// The file is whole and checked (`Some`), or its bytes were wrong and are sent again from
    /// the start (`None`).
    async fn file_checked(
        &self,
        sha256: &str,
        held: Option<(crate::domain::evidence::Media, bool)>,
    ) -> Result<(), DbError>;

    /// A whole file, for a reader in `scope`: `None` unless an entry they may read names it
    /// (a draft's files are its author's alone) and all its bytes are there.
    async fn file_to_read(
        &self,
        sha256: &str,
        user: Uuid,
        scope: ProjectScope,
    ) -> Result<Option<FileState>, DbError>;

    /// The daily sweep: marks the files no entry names since `now`, and returns those named by
    /// nothing since before `unnamed_before` (their rows gone; their bytes are the caller's to
    /// remove).
    async fn sweep_files(
        &self,
        now: time::OffsetDateTime,
        unnamed_before: time::OffsetDateTime,
    ) -> Result<Vec<String>, DbError>;
}

/// Connects to the database that `url` names, choosing the engine from its scheme.
pub async fn connect(url: &str) -> Result<Db, DbError> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteDb::connect(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgDb::connect(url).await?))
    } else {
        Err(DbError::BadUrl(format!(
            "DATABASE_URL must start with sqlite:// or postgres:// (got {:?})",
            url.split("://").next().unwrap_or_default()
        )))
    }
}
