//! The queries of both engines, one text. This folder is mounted twice, by `sqlite.rs` and by
//! `postgres.rs` (`#[path = "sql/mod.rs"]`), each supplying the names it is written against:
//! `Sql` (the sqlx database), `Conn` (a connection), `EngineDb` (the engine's pool and write
//! turn), `ENGINE`, and the few engine differences (`begin_write`, `begin_snapshot`,
//! `LOCK_CLIENT`, `FIRST_START_LOCK`). The SQL here is the same on both engines by design (see `app/migrations`).
//!
//! This file implements the port [`Database`]; each method is one line into the area module
//! that holds its SQL.

mod accounts;
mod audit;
mod cells;
mod codes;
mod conflicts;
mod dashboard;
mod demo;
mod devices;
mod directory;
mod files;
mod import;
mod people;
mod projects;
mod pull;
mod push;
mod registry;
mod review;
mod settings;
mod tokens;

use super::{Conn, ENGINE, EngineDb, Sql};
use crate::domain::indicator::value::PeriodStatus;
use crate::server::db::{Database, DbError, ProjectScope};
use time::OffsetDateTime;
use uuid::Uuid;

/// Moves the global version on by one and returns it: every record a write changes takes it, so
/// phones pull the change at their next sync.
async fn next_version(conn: &mut Conn, now: OffsetDateTime) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar(
        "update sync_version set value = value + 1, updated_at = $1 where id = 1 returning value",
    )
    .bind(now)
    .fetch_one(&mut *conn)
    .await?)
}

#[async_trait::async_trait]
impl Database for EngineDb {
    fn engine(&self) -> crate::server::db::Engine {
        ENGINE
    }

    async fn migrate(&self) -> Result<(), DbError> {
        self.migrate_engine().await
    }

    async fn forms(&self) -> Result<Vec<crate::domain::form::FormDefinition>, DbError> {
        settings::forms(self).await
    }

    async fn insert_form(
        &self,
        form: &crate::domain::form::FormDefinition,
        published_by: Option<Uuid>,
    ) -> Result<(), DbError> {
        settings::insert_form(self, form, published_by).await
    }

    async fn indicators(
        &self,
    ) -> Result<Vec<crate::domain::indicator::IndicatorDefinition>, DbError> {
        settings::indicators(self).await
    }

    async fn periods(&self) -> Result<Vec<(String, PeriodStatus, String)>, DbError> {
        settings::periods(self).await
    }

    async fn set_period(
        &self,
        period: &str,
        status: PeriodStatus,
        reason: &str,
        by: Uuid,
    ) -> Result<(), DbError> {
        settings::set_period(self, period, status, reason, by).await
    }

    async fn insert_indicator(
        &self,
        indicator: &crate::domain::indicator::IndicatorDefinition,
        published_by: Option<Uuid>,
    ) -> Result<(), DbError> {
        settings::insert_indicator(self, indicator, published_by).await
    }

    async fn health(&self) -> crate::server::db::DbHealth {
        let reachable = sqlx::query_scalar::<_, i32>("select 1")
            .fetch_one(&self.pool)
            .await
            .is_ok();
        let schema_version = sqlx::query_scalar::<_, i64>(
            "select max(version) from _sqlx_migrations where success = true",
        )
        .fetch_one(&self.pool)
        .await
        .ok();
        let projects =
            sqlx::query_scalar::<_, i64>("select count(*) from projects where deleted = false")
                .fetch_one(&self.pool)
                .await
                .ok();
        crate::server::db::DbHealth {
            engine: ENGINE,
            reachable,
            schema_version,
            projects,
        }
    }

    async fn user_credentials(
        &self,
        email: &str,
    ) -> Result<Option<crate::server::db::Credentials>, DbError> {
        accounts::user_credentials(self, email).await
    }

    async fn user_by_id(&self, id: Uuid) -> Result<Option<crate::domain::SessionUser>, DbError> {
        accounts::user_by_id(self, id).await
    }

    async fn account_by_id(&self, id: Uuid) -> Result<Option<crate::domain::SessionUser>, DbError> {
        accounts::account_by_id(self, id).await
    }

    async fn insert_user(&self, user: &crate::server::db::NewUser) -> Result<(), DbError> {
        accounts::insert_user(self, user).await
    }

    async fn create_session(
        &self,
        token_hash: &str,
        user_id: Uuid,
        expires_at: OffsetDateTime,
    ) -> Result<(), DbError> {
        accounts::create_session(self, token_hash, user_id, expires_at).await
    }

    async fn session_user(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<(crate::domain::SessionUser, OffsetDateTime, OffsetDateTime)>, DbError> {
        accounts::session_user(self, token_hash, now).await
    }

    async fn extend_session(
        &self,
        token_hash: &str,
        expires_at: OffsetDateTime,
    ) -> Result<(), DbError> {
        accounts::extend_session(self, token_hash, expires_at).await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), DbError> {
        accounts::delete_session(self, token_hash).await
    }

    async fn count_login_attempt(
        &self,
        keys: &[String],
        at: OffsetDateTime,
        since: OffsetDateTime,
        rule: &crate::server::db::LockRule,
    ) -> Result<crate::server::db::LoginAttempt, DbError> {
        accounts::count_login_attempt(self, keys, at, since, rule).await
    }

    async fn login_failures_since(
        &self,
        key: &str,
        since: OffsetDateTime,
    ) -> Result<Vec<OffsetDateTime>, DbError> {
        accounts::login_failures_since(self, key, since).await
    }

    async fn forget_login_attempts(&self, ids: &[i64]) -> Result<(), DbError> {
        accounts::forget_login_attempts(self, ids).await
    }

    async fn project_cards(
        &self,
        scope: ProjectScope,
        today: time::Date,
    ) -> Result<Vec<crate::domain::ProjectCard>, DbError> {
        projects::project_cards(self, scope, today).await
    }

    async fn project_detail(
        &self,
        scope: ProjectScope,
        id: Uuid,
        today: time::Date,
    ) -> Result<Option<crate::domain::ProjectDetail>, DbError> {
        projects::project_detail(self, scope, id, today).await
    }

    async fn programme_facts(
        &self,
        visits_since: time::Date,
    ) -> Result<crate::server::db::ProgrammeFacts, DbError> {
        projects::programme_facts(self, visits_since).await
    }

    async fn risk_facts(
        &self,
        scope: ProjectScope,
        query: crate::server::db::RiskQuery,
    ) -> Result<crate::server::db::RiskFactSet, DbError> {
        projects::risk_facts(self, scope, query).await
    }

    async fn data_state(&self) -> Result<crate::server::db::DataState, DbError> {
        demo::data_state(self).await
    }

    async fn load_demo(&self, demo: &crate::server::db::demo_set::DemoSet) -> Result<(), DbError> {
        demo::load_demo(self, demo).await
    }

    async fn start_setup(&self, code_hash: &str) -> Result<crate::server::db::SetupStart, DbError> {
        codes::start_setup(self, code_hash).await
    }

    async fn replace_setup(&self, code_hash: &str) -> Result<bool, DbError> {
        codes::replace_setup(self, code_hash).await
    }

    async fn setup_open(&self, code_hash: &str) -> Result<bool, DbError> {
        codes::setup_open(self, code_hash).await
    }

    async fn redeem_setup(
        &self,
        code_hash: &str,
        user: &crate::server::db::NewUser,
    ) -> Result<bool, DbError> {
        codes::redeem_setup(self, code_hash, user).await
    }

    async fn create_sign_in_code(
        &self,
        code_hash: &str,
        user: Uuid,
        expires_at: OffsetDateTime,
        line: &crate::server::db::AuditLine,
    ) -> Result<bool, DbError> {
        codes::create_sign_in_code(self, code_hash, user, expires_at, line).await
    }

    async fn sign_in_code_user(
        &self,
        code_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<(Uuid, String)>, DbError> {
        codes::sign_in_code_user(self, code_hash, now).await
    }

    async fn redeem_sign_in_code(
        &self,
        code_hash: &str,
        now: OffsetDateTime,
        password: &crate::server::db::PasswordHash,
    ) -> Result<Option<Uuid>, DbError> {
        codes::redeem_sign_in_code(self, code_hash, now, password).await
    }

    async fn append_audit(&self, line: &crate::server::db::AuditLine) -> Result<(), DbError> {
        let _turn = self.write_turn().await;
        let mut tx = self.begin_write().await?;
        audit::append(&mut tx, line).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn audit(
        &self,
        query: &crate::server::db::AuditQuery,
    ) -> Result<Vec<crate::domain::audit::AuditEntry>, DbError> {
        audit::lines(self, query).await
    }

    async fn people(&self) -> Result<Vec<crate::domain::people::Person>, DbError> {
        people::people(self).await
    }

    async fn organisations(&self) -> Result<Vec<crate::domain::people::Organisation>, DbError> {
        people::organisations(self).await
    }

    async fn save_person(
        &self,
        person: &crate::domain::people::CheckedPerson,
        password: &crate::server::db::PasswordHash,
        by: Uuid,
    ) -> Result<Option<Uuid>, DbError> {
        people::save_person(self, person, password, by).await
    }

    async fn set_active(&self, id: Uuid, active: bool, by: Uuid) -> Result<bool, DbError> {
        people::set_active(self, id, active, by).await
    }

    async fn reassign(
        &self,
        from: Uuid,
        to: Uuid,
        only: Option<&[Uuid]>,
        by: Uuid,
    ) -> Result<Option<u64>, DbError> {
        people::reassign(self, from, to, only, by).await
    }

    async fn change_password(
        &self,
        user: Uuid,
        password: &crate::server::db::PasswordHash,
    ) -> Result<(), DbError> {
        people::change_password(self, user, password).await
    }

    async fn sign_out_everywhere(&self, user: Uuid) -> Result<u64, DbError> {
        people::sign_out_everywhere(self, user).await
    }

    async fn places(&self) -> Result<Vec<crate::domain::people::Place>, DbError> {
        directory::places(self).await
    }

    async fn value_chains(&self) -> Result<Vec<crate::domain::people::ValueChain>, DbError> {
        directory::value_chains(self).await
    }

    async fn save_organisation(
        &self,
        organisation: &crate::domain::people::Organisation,
        by: Uuid,
    ) -> Result<(), DbError> {
        directory::save_organisation(self, organisation, by).await
    }

    async fn set_archived(&self, id: Uuid, archived: bool, by: Uuid) -> Result<bool, DbError> {
        directory::set_archived(self, id, archived, by).await
    }

    async fn save_place(
        &self,
        place: &crate::domain::people::Place,
        by: Uuid,
    ) -> Result<(), DbError> {
        directory::save_place(self, place, by).await
    }

    async fn save_value_chain(
        &self,
        chain: &crate::domain::people::ValueChain,
        by: Uuid,
    ) -> Result<(), DbError> {
        directory::save_value_chain(self, chain, by).await
    }

    async fn import_snapshot(&self) -> Result<crate::server::import::Snapshot, DbError> {
        import::snapshot(self).await
    }

    async fn apply_import(
        &self,
        plan: &crate::server::import::Plan,
        by: Uuid,
    ) -> Result<i64, DbError> {
        import::apply(self, plan, by).await
    }

    async fn purge_demo(&self) -> Result<Vec<(&'static str, u64)>, DbError> {
        demo::purge_demo(self).await
    }

    async fn start_demo(
        &self,
        demo: &crate::server::db::demo_set::DemoSet,
    ) -> Result<bool, DbError> {
        demo::start_demo(self, demo).await
    }

    async fn begin_push(&self) -> Result<Box<dyn crate::server::db::SyncStore>, DbError> {
        push::begin_push(self).await
    }

    async fn visit_conflicts(
        &self,
        visit: Uuid,
    ) -> Result<Vec<crate::server::db::store::ConflictRow>, DbError> {
        conflicts::visit_conflicts(self, visit).await
    }

    async fn device_statuses(&self) -> Result<Vec<crate::domain::DeviceStatus>, DbError> {
        devices::device_statuses(self).await
    }

    async fn open_conflicts(
        &self,
        scope: ProjectScope,
    ) -> Result<Vec<crate::domain::ConflictCase>, DbError> {
        conflicts::open_conflicts(self, scope).await
    }

    async fn acknowledge_risk(
        &self,
        scope: ProjectScope,
        by: Uuid,
        project: Uuid,
        rule: &str,
        note: &str,
    ) -> Result<bool, DbError> {
        projects::acknowledge_risk(self, scope, by, project, rule, note).await
    }

    async fn review_queue(
        &self,
        scope: ProjectScope,
    ) -> Result<Vec<crate::domain::ReviewItem>, DbError> {
        review::review_queue(self, scope).await
    }

    async fn entry_review_queue(
        &self,
        scope: ProjectScope,
    ) -> Result<crate::domain::entry::EntryQueue, DbError> {
        review::entry_review_queue(self, scope).await
    }

    async fn registry_review_queue(
        &self,
        scope: ProjectScope,
    ) -> Result<Vec<crate::domain::registry::RegistryReviewItem>, DbError> {
        review::registry_review_queue(self, scope).await
    }

    async fn registry_choices(
        &self,
        user: Uuid,
    ) -> Result<crate::domain::RegistryChoices, DbError> {
        registry::registry_choices(self, user).await
    }

    async fn assignment_choices(
        &self,
        project: Uuid,
    ) -> Result<Option<crate::domain::project::AssignmentChoices>, DbError> {
        registry::assignment_choices(self, project).await
    }

    async fn assign_project(
        &self,
        project: Uuid,
        facilitator: Option<Uuid>,
        incubator: Uuid,
        funder: Option<Uuid>,
        by: Uuid,
    ) -> Result<bool, DbError> {
        registry::assign_project(self, project, facilitator, incubator, funder, by).await
    }

    async fn save_tranche(
        &self,
        project: Uuid,
        tranche: &crate::domain::timeline::Tranche,
        by: Uuid,
    ) -> Result<bool, DbError> {
        registry::save_tranche(self, project, tranche, by).await
    }

    async fn save_target(
        &self,
        t: &crate::domain::indicator::admin::CheckedTarget,
        by: Uuid,
    ) -> Result<(), DbError> {
        registry::save_target(self, t, by).await
    }

    async fn create_api_token(
        &self,
        id: Uuid,
        name: &str,
        token_hash: &str,
    ) -> Result<(), DbError> {
        tokens::create_api_token(self, id, name, token_hash).await
    }

    async fn api_token(&self, token_hash: &str) -> Result<Option<String>, DbError> {
        tokens::api_token(self, token_hash).await
    }

    async fn revoke_api_token(&self, name: &str) -> Result<bool, DbError> {
        tokens::revoke_api_token(self, name).await
    }

    async fn api_tokens(&self) -> Result<Vec<crate::server::db::ApiTokenRow>, DbError> {
        tokens::api_tokens(self).await
    }

    async fn file_to_send(
        &self,
        sha256: &str,
        user: Uuid,
        scope: ProjectScope,
    ) -> Result<Option<crate::server::db::FileState>, DbError> {
        files::to_send(self, sha256, user, scope).await
    }

    async fn file_received(&self, sha256: &str, from: u64, to: u64) -> Result<bool, DbError> {
        files::received(self, sha256, from, to).await
    }

    async fn file_checked(
        &self,
        sha256: &str,
        held: Option<(crate::domain::evidence::Media, bool)>,
    ) -> Result<(), DbError> {
        files::checked(self, sha256, held).await
    }

    async fn file_to_read(
        &self,
        sha256: &str,
        user: Uuid,
        scope: ProjectScope,
    ) -> Result<Option<crate::server::db::FileState>, DbError> {
        files::to_read(self, sha256, user, scope).await
    }

    async fn sweep_files(
        &self,
        now: OffsetDateTime,
        unnamed_before: OffsetDateTime,
    ) -> Result<Vec<String>, DbError> {
        files::sweep(self, now, unnamed_before).await
    }

    async fn dashboard_source(&self) -> Result<crate::server::db::source::Source, DbError> {
        dashboard::dashboard_source(self).await
    }

    async fn risk_settings(&self) -> Result<crate::domain::risk::RiskSettings, DbError> {
        settings::risk_settings(self).await
    }

    async fn save_risk_settings(
        &self,
        settings: &crate::domain::risk::RiskSettings,
        by: Uuid,
    ) -> Result<(), DbError> {
        settings::save_risk_settings(self, settings, by).await
    }

    async fn visit_history(
        &self,
        user: &crate::domain::SessionUser,
        scope: ProjectScope,
        visit: Uuid,
    ) -> Result<Option<Vec<crate::domain::HistoryEvent>>, DbError> {
        review::visit_history(self, user, scope, visit).await
    }

    async fn client_owner(&self, client: Uuid) -> Result<Option<Uuid>, DbError> {
        devices::client_owner(self, client).await
    }

    async fn save_heartbeat(
        &self,
        client: &crate::server::db::store::ClientRow,
    ) -> Result<(), DbError> {
        devices::save_heartbeat(self, client).await
    }

    async fn pull(
        &self,
        user: &crate::domain::SessionUser,
        scope: ProjectScope,
        client: Uuid,
        cookie: Option<&crate::sync::protocol::Cookie>,
    ) -> Result<crate::sync::protocol::PullResponse, DbError> {
        pull::pull(self, user, scope, client, cookie).await
    }
}
