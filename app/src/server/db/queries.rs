//! The query code both engines share. `impl_database!` expands to the whole `Database` impl for
//! one engine type, taking the engine-specific pieces (connection, migrations, health) from that
//! type's inherent methods. A macro rather than generics: sqlx's generic bounds over
//! `sqlx::Database` would drown each query in `where` clauses, and the SQL here is the same text on
//! both engines by design (see `app/migrations`).

use crate::domain::project::Names;
use crate::domain::{
    Member, ProjectCard, ProjectKind, ProjectStatus, Role, SessionUser, Sex, WgAnswer, WgAnswers,
};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// Rows go in chunks small enough for SQLite's and PostgreSQL's bind-parameter limits.
pub(super) const INSERT_CHUNK: usize = 400;

#[derive(sqlx::FromRow)]
pub(super) struct UserRow {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: String,
}

impl UserRow {
    pub fn into_user(self) -> Option<SessionUser> {
        Some(SessionUser {
            id: self.id,
            name: self.name,
            email: self.email,
            role: Role::parse(&self.role)?,
        })
    }
}

/// A project card's columns; ends with `and `, for the caller to append [`SCOPE_PREDICATE`].
pub(super) const CARD_SELECT: &str = "
select p.id, p.code, p.title, p.kind, p.status,
       vc.name_fr as vc_fr, vc.name_ar as vc_ar, vc.name_en as vc_en,
       inc.name as incubator, coalesce(f.name, '') as facilitator, l.name as locality,
       lv.visit_on as last_visit_on, lv.next_visit_on as next_visit_due,
       (select count(*) from members m
         where m.project_id = p.id and m.deleted = false and m.left_on is null) as member_count
  from projects p
  join value_chains vc on vc.id = p.value_chain_id
  join organisations inc on inc.id = p.incubator_id
  join localities l on l.id = p.locality_id
  left join users f on f.id = p.facilitator_id
  left join visits lv on lv.id = (select v.id from visits v
                                   where v.project_id = p.id and v.deleted = false
                                   order by v.visit_on desc limit 1)
 where p.deleted = false
   and ";

/// Which projects of `projects p` a scope covers, bound as `$1` (kind) and `$2` (user, see
/// [`scope_binds`]): the one rule for cards, project pages, pull and push.
pub(super) const SCOPE_PREDICATE: &str = "($1 = 'all'
        or ($1 = 'facilitator' and p.facilitator_id = $2)
        or ($1 = 'supervisor' and p.incubator_id in
              (select si.incubator_id from supervisor_incubators si where si.user_id = $2)))";

#[derive(sqlx::FromRow)]
pub(super) struct CardRow {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub kind: String,
    pub status: String,
    pub vc_fr: String,
    pub vc_ar: String,
    pub vc_en: String,
    pub incubator: String,
    pub facilitator: String,
    pub locality: String,
    pub last_visit_on: Option<Date>,
    pub next_visit_due: Option<Date>,
    pub member_count: i64,
}

impl CardRow {
    pub fn into_card(self) -> ProjectCard {
        ProjectCard {
            id: self.id,
            code: self.code,
            title: self.title,
            kind: ProjectKind::parse(&self.kind).unwrap_or(ProjectKind::Individual),
            status: ProjectStatus::parse(&self.status).unwrap_or(ProjectStatus::Operating),
            value_chain: Names {
                fr: self.vc_fr,
                ar: self.vc_ar,
                en: self.vc_en,
            },
            incubator: self.incubator,
            facilitator: self.facilitator,
            locality: self.locality,
            last_visit_on: self.last_visit_on.map(|d| d.to_string()),
            next_visit_due: self.next_visit_due.map(|d| d.to_string()),
            member_count: self.member_count,
            flags: Vec::new(),
            acknowledged: Vec::new(),
        }
    }
}

/// `(kind, user)` bound as `$1, $2` into [`SCOPE_PREDICATE`].
pub(super) fn scope_binds(scope: super::ProjectScope) -> (&'static str, Uuid) {
    match scope {
        super::ProjectScope::All => ("all", Uuid::nil()),
        super::ProjectScope::Facilitator(id) => ("facilitator", id),
        super::ProjectScope::Supervisor(id) => ("supervisor", id),
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct ProjectExtraRow {
    pub legal_form: String,
    pub call_wave: i32,
    pub training_track: String,
    pub grant_millimes: i64,
    pub contract_signed_on: Option<Date>,
    pub disbursed_millimes: i64,
    pub visit_count: i64,
    pub value_chain_code: String,
}

#[derive(sqlx::FromRow)]
pub(super) struct MemberRow {
    pub id: Uuid,
    pub full_name: String,
    pub sex: String,
    pub birth_year: Option<i32>,
    pub role: String,
    pub wg_seeing: Option<i32>,
    pub wg_hearing: Option<i32>,
    pub wg_walking: Option<i32>,
    pub wg_cognition: Option<i32>,
    pub wg_self_care: Option<i32>,
    pub wg_communication: Option<i32>,
    pub joined_on: Option<Date>,
    pub left_on: Option<Date>,
    pub consent: bool,
    pub phone: String,
}

/// The columns of [`TargetRow`].
pub(super) const TARGET_COLUMNS: &str =
    "id, indicator, scope, scope_id, baseline_value, baseline_on,
    target_value, target_on, milestones, cell";

#[derive(sqlx::FromRow)]
pub(super) struct TargetRow {
    pub id: Uuid,
    pub indicator: String,
    pub scope: String,
    pub scope_id: Option<Uuid>,
    pub baseline_value: Option<i64>,
    pub baseline_on: Option<Date>,
    pub target_value: i64,
    pub target_on: Date,
    /// JSON `[[day, value], …]`.
    pub milestones: String,
    pub cell: String,
}

impl TargetRow {
    pub fn into_scoped(self) -> crate::domain::indicator::dashboard::ScopedTarget {
        crate::domain::indicator::dashboard::ScopedTarget {
            scope: self.scope,
            scope_id: self.scope_id,
            target: crate::domain::indicator::progress::Target {
                id: self.id,
                indicator: self.indicator,
                baseline: self.baseline_value,
                baseline_on: self.baseline_on.map(|d| d.to_string()),
                target: self.target_value,
                target_on: self.target_on.to_string(),
                // Written from checked milestones only.
                milestones: serde_json::from_str(&self.milestones).unwrap_or_default(),
                cell: self.cell,
            },
        }
    }
}

/// A member as dashboards count them: only the derived flag leaves this row.
#[derive(sqlx::FromRow)]
pub(super) struct MemberFactRow {
    pub project_id: Uuid,
    #[sqlx(flatten)]
    pub member: MemberRow,
}

impl MemberFactRow {
    pub fn fact(self) -> crate::domain::indicator::derived::MemberFact {
        let m = self.member;
        crate::domain::indicator::derived::MemberFact {
            project: self.project_id,
            sex: m.sex(),
            with_disability: m.wg().with_disability(),
            birth_year: m.birth_year,
            role: m.role,
            joined_on: m.joined_on.map(|d| d.to_string()),
            left_on: m.left_on.map(|d| d.to_string()),
        }
    }
}

impl MemberRow {
    pub fn wg(&self) -> WgAnswers {
        let a = |v: Option<i32>| v.and_then(|c| WgAnswer::from_code(i64::from(c)));
        WgAnswers {
            seeing: a(self.wg_seeing),
            hearing: a(self.wg_hearing),
            walking: a(self.wg_walking),
            cognition: a(self.wg_cognition),
            self_care: a(self.wg_self_care),
            communication: a(self.wg_communication),
        }
    }

    pub fn sex(&self) -> Sex {
        Sex::parse(&self.sex).unwrap_or(Sex::Female)
    }

    /// The member; with its private answers only when `private` (see [`Member`]).
    pub fn into_member(self, private: bool) -> Member {
        let wg = self.wg();
        Member {
            id: self.id,
            with_disability: wg.with_disability(),
            private: private.then(|| crate::domain::MemberPrivate {
                consent: self.consent,
                phone: self.phone.clone(),
                wg,
            }),
            sex: self.sex(),
            full_name: self.full_name,
            birth_year: self.birth_year,
            role: self.role,
            joined_on: self.joined_on.map(|d| d.to_string()),
            left_on: self.left_on.map(|d| d.to_string()),
        }
    }
}

pub(super) const MEMBER_SELECT: &str = "
select id, full_name, sex, birth_year, role, wg_seeing, wg_hearing, wg_walking, wg_cognition,
       wg_self_care, wg_communication, joined_on, left_on, consent, phone
  from members where deleted = false";

/// Whether a scope sees members' private answers: the project's facilitator (who collected them,
/// with consent) and the team do; a supervisor sees the derived flag only.
pub(super) fn sees_private(scope: super::ProjectScope) -> bool {
    !matches!(scope, super::ProjectScope::Supervisor(_))
}

/// Seconds are enough for sessions and lock-outs, and whole seconds keep SQLite's text
/// timestamps comparable as text.
pub(super) fn trunc(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_nanosecond(0).unwrap_or(t)
}

pub(super) const DATA_TABLES_CHILD_FIRST: [&str; 24] = [
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
    "sessions",
    "login_failures",
    "supervisor_incubators",
    "users",
    "organisations",
    "value_chains",
    "localities",
];

/// Expands to `impl Database for $db`, whose inherent `pool`, `migrate_engine` and `engine_health`
/// supply what differs between engines.
macro_rules! impl_database {
    ($db:ty, $engine:expr) => {
        #[async_trait::async_trait]
        impl $crate::server::db::Database for $db {
            fn engine(&self) -> $crate::server::db::Engine {
                $engine
            }

            async fn migrate(&self) -> Result<(), $crate::server::db::DbError> {
                self.migrate_engine().await?;
                $crate::server::forms::install_builtin(self).await?;
                $crate::server::indicators::install_starter(self).await
            }

            async fn forms(&self) -> Result<Vec<$crate::domain::form::FormDefinition>, $crate::server::db::DbError> {
                let rows: Vec<(String, i64, String)> =
                    sqlx::query_as("select id, version, definition from forms order by id, version")
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter()
                    .map(|(id, version, text)| {
                        serde_json::from_str(&text).map_err(|e| {
                            $crate::server::db::DbError::Value(format!("form {id} version {version}: {e}"))
                        })
                    })
                    .collect()
            }

            async fn insert_form(
                &self,
                form: &$crate::domain::form::FormDefinition,
                published_by: Option<uuid::Uuid>,
            ) -> Result<(), $crate::server::db::DbError> {
                let definition = serde_json::to_string(form)
                    .map_err(|e| $crate::server::db::DbError::Value(e.to_string()))?;
                sqlx::query(
                    "insert into forms (id, version, definition, published_at, published_by)
                     values ($1, $2, $3, $4, $5)",
                )
                .bind(&form.id)
                .bind(i64::from(form.version))
                .bind(definition)
                .bind($crate::server::db::queries::trunc(time::OffsetDateTime::now_utc()))
                .bind(published_by)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn indicators(
                &self,
            ) -> Result<Vec<$crate::domain::indicator::IndicatorDefinition>, $crate::server::db::DbError> {
                let rows: Vec<(String, i64, String)> = sqlx::query_as(
                    "select code, version, definition from indicator_definitions order by code, version",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(code, version, text)| {
                        serde_json::from_str(&text).map_err(|e| {
                            $crate::server::db::DbError::Value(format!("indicator {code} version {version}: {e}"))
                        })
                    })
                    .collect()
            }

            async fn periods(
                &self,
            ) -> Result<Vec<(String, $crate::domain::indicator::value::PeriodStatus, String)>, $crate::server::db::DbError> {
                let rows: Vec<(String, String, String)> =
                    sqlx::query_as("select period, status, reason from reporting_periods order by period")
                        .fetch_all(&self.pool)
                        .await?;
                Ok(rows
                    .into_iter()
                    .filter_map(|(p, s, r)| {
                        $crate::domain::indicator::value::PeriodStatus::parse(&s).map(|s| (p, s, r))
                    })
                    .collect())
            }

            async fn set_period(
                &self,
                period: &str,
                status: $crate::domain::indicator::value::PeriodStatus,
                reason: &str,
                by: uuid::Uuid,
            ) -> Result<(), $crate::server::db::DbError> {
                let now = $crate::server::db::queries::trunc(time::OffsetDateTime::now_utc());
                let _turn = self.write_turn().await;
                let mut tx = if $engine == $crate::server::db::Engine::Sqlite {
                    self.pool.begin_with("begin immediate").await?
                } else {
                    self.pool.begin().await?
                };
                sqlx::query(
                    "insert into reporting_periods (period, status, reason, changed_by, created_at, updated_at)
                     values ($1, $2, $3, $4, $5, $5)
                     on conflict (period) do update set status = excluded.status, reason = excluded.reason,
                        changed_by = excluded.changed_by, updated_at = excluded.updated_at",
                )
                .bind(period)
                .bind(status.as_str())
                .bind(reason.trim())
                .bind(by)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "insert into period_events (period, status, reason, changed_by, created_at)
                     values ($1, $2, $3, $4, $5)",
                )
                .bind(period)
                .bind(status.as_str())
                .bind(reason.trim())
                .bind(by)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn insert_indicator(
                &self,
                indicator: &$crate::domain::indicator::IndicatorDefinition,
                published_by: Option<uuid::Uuid>,
            ) -> Result<(), $crate::server::db::DbError> {
                let definition = serde_json::to_string(indicator)
                    .map_err(|e| $crate::server::db::DbError::Value(e.to_string()))?;
                sqlx::query(
                    "insert into indicator_definitions (code, version, definition, published_at, published_by)
                     values ($1, $2, $3, $4, $5)",
                )
                .bind(&indicator.code)
                .bind(i64::from(indicator.version))
                .bind(definition)
                .bind($crate::server::db::queries::trunc(time::OffsetDateTime::now_utc()))
                .bind(published_by)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn health(&self) -> $crate::server::db::DbHealth {
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
                $crate::server::db::DbHealth {
                    engine: $engine,
                    reachable,
                    schema_version,
                    projects,
                }
            }

            async fn user_credentials(
                &self,
                email: &str,
            ) -> Result<
                Option<($crate::domain::SessionUser, $crate::server::db::PasswordHash)>,
                $crate::server::db::DbError,
            > {
                use sqlx::Row as _;
                let row = sqlx::query(
                    "select id, name, email, role, password_hash from users
                      where email = $1 and active = true",
                )
                .bind(email.trim().to_lowercase())
                .fetch_optional(&self.pool)
                .await?;
                let Some(row) = row else { return Ok(None) };
                let hash: String = row.try_get("password_hash")?;
                let user = <$crate::server::db::queries::UserRow as sqlx::FromRow<_>>::from_row(&row)?;
                Ok(user
                    .into_user()
                    .map(|u| (u, $crate::server::db::PasswordHash(hash))))
            }

            async fn user_by_id(
                &self,
                id: uuid::Uuid,
            ) -> Result<Option<$crate::domain::SessionUser>, $crate::server::db::DbError> {
                let row: Option<$crate::server::db::queries::UserRow> = sqlx::query_as(
                    "select id, name, email, role from users where id = $1 and active = true",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.and_then(|u| u.into_user()))
            }

            async fn insert_user(
                &self,
                user: &$crate::server::db::NewUser,
            ) -> Result<(), $crate::server::db::DbError> {
                let now = $crate::server::db::queries::trunc(time::OffsetDateTime::now_utc());
                sqlx::query(
                    "insert into users (id, email, name, role, password_hash, organisation_id,
                                        active, is_demo, created_at, updated_at)
                     values ($1, $2, $3, $4, $5, $6, true, $7, $8, $8)",
                )
                .bind(user.id)
                .bind(user.email.trim().to_lowercase())
                .bind(&user.name)
                .bind(user.role.as_str())
                .bind(&user.password_hash.0)
                .bind(user.organisation_id)
                .bind(user.is_demo)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn create_session(
                &self,
                token_hash: &str,
                user_id: uuid::Uuid,
                expires_at: time::OffsetDateTime,
            ) -> Result<(), $crate::server::db::DbError> {
                let now = $crate::server::db::queries::trunc(time::OffsetDateTime::now_utc());
                sqlx::query(
                    "insert into sessions (token_hash, user_id, expires_at, created_at, updated_at)
                     values ($1, $2, $3, $4, $4)",
                )
                .bind(token_hash)
                .bind(user_id)
                .bind($crate::server::db::queries::trunc(expires_at))
                .bind(now)
                .execute(&self.pool)
                .await?;
                // Housekeeping on a path that is rare (sign-in), so expired rows never pile up.
                sqlx::query("delete from sessions where expires_at <= $1")
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn session_user(
                &self,
                token_hash: &str,
                now: time::OffsetDateTime,
            ) -> Result<
                Option<($crate::domain::SessionUser, time::OffsetDateTime)>,
                $crate::server::db::DbError,
            > {
                use sqlx::Row as _;
                let row = sqlx::query(
                    "select u.id, u.name, u.email, u.role, s.expires_at
                       from sessions s join users u on u.id = s.user_id
                      where s.token_hash = $1 and s.expires_at > $2 and u.active = true",
                )
                .bind(token_hash)
                .bind($crate::server::db::queries::trunc(now))
                .fetch_optional(&self.pool)
                .await?;
                let Some(row) = row else { return Ok(None) };
                let expires_at: time::OffsetDateTime = row.try_get("expires_at")?;
                let user = <$crate::server::db::queries::UserRow as sqlx::FromRow<_>>::from_row(&row)?;
                Ok(user.into_user().map(|u| (u, expires_at)))
            }

            async fn extend_session(
                &self,
                token_hash: &str,
                expires_at: time::OffsetDateTime,
            ) -> Result<(), $crate::server::db::DbError> {
                let now = $crate::server::db::queries::trunc(time::OffsetDateTime::now_utc());
                sqlx::query("update sessions set expires_at = $1, updated_at = $2 where token_hash = $3")
                    .bind($crate::server::db::queries::trunc(expires_at))
                    .bind(now)
                    .bind(token_hash)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn delete_session(&self, token_hash: &str) -> Result<(), $crate::server::db::DbError> {
                sqlx::query("delete from sessions where token_hash = $1")
                    .bind(token_hash)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn record_login_failure(
                &self,
                keys: &[String],
                at: time::OffsetDateTime,
            ) -> Result<(), $crate::server::db::DbError> {
                let at = $crate::server::db::queries::trunc(at);
                let mut tx = self.pool.begin().await?;
                for key in keys {
                    sqlx::query(
                        "insert into login_failures (key, failed_at, created_at, updated_at)
                         values ($1, $2, $2, $2)",
                    )
                    .bind(key)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn login_failures_since(
                &self,
                key: &str,
                since: time::OffsetDateTime,
            ) -> Result<Vec<time::OffsetDateTime>, $crate::server::db::DbError> {
                Ok(sqlx::query_scalar(
                    "select failed_at from login_failures where key = $1 and failed_at > $2
                      order by failed_at",
                )
                .bind(key)
                .bind($crate::server::db::queries::trunc(since))
                .fetch_all(&self.pool)
                .await?)
            }

            async fn clear_login_failures(&self, key: &str) -> Result<(), $crate::server::db::DbError> {
                sqlx::query("delete from login_failures where key = $1")
                    .bind(key)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn project_cards(
                &self,
                scope: $crate::server::db::ProjectScope,
            ) -> Result<Vec<$crate::domain::ProjectCard>, $crate::server::db::DbError> {
                let (kind, user) = $crate::server::db::queries::scope_binds(scope);
                let sql = format!(
                    "{}{} order by p.code",
                    $crate::server::db::queries::CARD_SELECT,
                    $crate::server::db::queries::SCOPE_PREDICATE
                );
                let rows: Vec<$crate::server::db::queries::CardRow> = sqlx::query_as(&sql)
                    .bind(kind)
                    .bind(user)
                    .fetch_all(&self.pool)
                    .await?;
                let mut cards: Vec<_> = rows.into_iter().map(|r| r.into_card()).collect();
                self.flag_risks(scope, &mut cards).await?;
                Ok(cards)
            }

            async fn project_detail(
                &self,
                scope: $crate::server::db::ProjectScope,
                id: uuid::Uuid,
            ) -> Result<Option<$crate::domain::ProjectDetail>, $crate::server::db::DbError> {
                let (kind, user) = $crate::server::db::queries::scope_binds(scope);
                let sql = format!(
                    "{}{} and p.id = $3",
                    $crate::server::db::queries::CARD_SELECT,
                    $crate::server::db::queries::SCOPE_PREDICATE
                );
                let card: Option<$crate::server::db::queries::CardRow> = sqlx::query_as(&sql)
                    .bind(kind)
                    .bind(user)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                let Some(card) = card else { return Ok(None) };
                let extra: $crate::server::db::queries::ProjectExtraRow = sqlx::query_as(
                    "select p.legal_form, p.call_wave, p.training_track, p.grant_millimes,
                            p.contract_signed_on,
                            coalesce((select cast(sum(t.disbursed_millimes) as bigint)
                                        from funding_tranches t
                                       where t.project_id = p.id and t.deleted = false), 0)
                              as disbursed_millimes,
                            (select count(*) from visits v
                              where v.project_id = p.id and v.deleted = false) as visit_count,
                            (select vc.code from value_chains vc where vc.id = p.value_chain_id)
                              as value_chain_code
                       from projects p where p.id = $1",
                )
                .bind(id)
                .fetch_one(&self.pool)
                .await?;
                let sql = format!(
                    "{} and project_id = $1 order by left_on is not null, role, full_name",
                    $crate::server::db::queries::MEMBER_SELECT
                );
                let members: Vec<$crate::server::db::queries::MemberRow> =
                    sqlx::query_as(&sql).bind(id).fetch_all(&self.pool).await?;
                let mut cards = vec![card.into_card()];
                self.flag_risks(scope, &mut cards).await?;
                let card = cards.remove(0);
                type TrancheRow = (i32, i64, Option<i64>, Option<time::Date>, Option<i64>);
                let tranches: Vec<TrancheRow> = sqlx::query_as(
                    "select seq, planned_millimes, disbursed_millimes, disbursed_on, justified_millimes
                       from funding_tranches where project_id = $1 and deleted = false order by seq",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                // The project's visits and entries, drafts aside (they are their author's alone).
                const RECORDS: &str = "((r.record_kind = 'visit' and r.record_id in
                        (select v.id from visits v where v.project_id = $1 and v.deleted = false
                            and v.status <> 'draft'))
                    or (r.record_kind = 'entry' and r.record_id in
                        (select e.id from form_entries e where e.project_id = $1 and e.deleted = false
                            and e.status <> 'draft')))";
                type StepRow = (uuid::Uuid, time::OffsetDateTime, String, String, String);
                let saved: Vec<StepRow> = sqlx::query_as(&format!(
                    "select r.record_id, r.created_at, coalesce(u.name, ''), r.status, ''
                       from entry_revisions r left join users u on u.id = r.user_id
                      where r.status <> 'draft' and {RECORDS}"
                ))
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                let reviewed: Vec<StepRow> = sqlx::query_as(&format!(
                    "select r.record_id, r.created_at, coalesce(u.name, ''), r.decision, r.comment
                       from entry_reviews r left join users u on u.id = r.reviewer_id
                      where {RECORDS}"
                ))
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                let step = |review: bool| move |(record_id, at, by, status, comment): StepRow| {
                    Some($crate::domain::timeline::EntryStep {
                        record_id,
                        at: $crate::server::db::sync_sql::rfc3339(at),
                        by,
                        status: $crate::domain::EntryStatus::parse(&status)?,
                        review,
                        comment,
                    })
                };
                let mut steps: Vec<_> = saved.into_iter().filter_map(step(false)).collect();
                steps.extend(reviewed.into_iter().filter_map(step(true)));
                steps.sort_by(|a, b| a.at.cmp(&b.at));
                let targets: Vec<$crate::server::db::queries::TargetRow> = sqlx::query_as(&format!(
                    "select {} from indicator_targets where scope = 'project' and scope_id = $1 order by indicator",
                    $crate::server::db::queries::TARGET_COLUMNS
                ))
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                let targets = targets.into_iter().map(|t| t.into_scoped().target).collect();
                Ok(Some($crate::domain::ProjectDetail {
                    card,
                    legal_form: extra.legal_form,
                    value_chain_code: extra.value_chain_code,
                    call_wave: extra.call_wave,
                    training_track: extra.training_track,
                    grant_millimes: extra.grant_millimes,
                    disbursed_millimes: extra.disbursed_millimes,
                    contract_signed_on: extra.contract_signed_on.map(|d| d.to_string()),
                    visit_count: extra.visit_count,
                    members: members
                        .into_iter()
                        .map(|m| m.into_member($crate::server::db::queries::sees_private(scope)))
                        .collect(),
                    tranches: tranches
                        .into_iter()
                        .map(|(seq, planned, disbursed, disbursed_on, justified)| $crate::domain::timeline::Tranche {
                            seq,
                            planned,
                            disbursed,
                            disbursed_on: disbursed_on.map(|d| d.to_string()),
                            justified,
                        })
                        .collect(),
                    steps,
                    targets,
                }))
            }

            async fn programme_summary(
                &self,
                today: time::Date,
            ) -> Result<$crate::domain::ProgrammeSummary, $crate::server::db::DbError> {
                use $crate::domain::{ProjectKind, ProjectStatus};
                let projects: Vec<(String, String)> =
                    sqlx::query_as("select kind, status from projects where deleted = false")
                        .fetch_all(&self.pool)
                        .await?;
                let sql = format!("{} and left_on is null", $crate::server::db::queries::MEMBER_SELECT);
                let members: Vec<$crate::server::db::queries::MemberRow> =
                    sqlx::query_as(&sql).fetch_all(&self.pool).await?;
                let since = today - time::Duration::days(30);
                let visits_last_30_days: i64 = sqlx::query_scalar(
                    "select count(*) from visits where deleted = false and visit_on > $1",
                )
                .bind(since)
                .fetch_one(&self.pool)
                .await?;
                let threshold = self.risk_settings().await?.small_cell_threshold;
                let count_kind = |k: ProjectKind| {
                    projects.iter().filter(|(kind, _)| kind == k.as_str()).count() as i64
                };
                Ok($crate::domain::ProgrammeSummary {
                    projects: projects.len() as i64,
                    individual: count_kind(ProjectKind::Individual),
                    collective: count_kind(ProjectKind::Collective),
                    operating: projects
                        .iter()
                        .filter(|(_, s)| s == ProjectStatus::Operating.as_str())
                        .count() as i64,
                    members: members.len() as i64,
                    women: members
                        .iter()
                        .filter(|m| m.sex() == $crate::domain::Sex::Female)
                        .count() as i64,
                    with_disability: match $crate::domain::indicator::dashboard::hide_small(
                        members.iter().filter(|m| m.wg().with_disability()).count() as f64,
                        threshold,
                    ) {
                        $crate::domain::indicator::dashboard::Shown::Value(n) => Some(n as i64),
                        $crate::domain::indicator::dashboard::Shown::Hidden => None,
                    },
                    small_cell_threshold: threshold,
                    visits_last_30_days,
                })
            }

            async fn data_state(&self) -> Result<$crate::server::db::DataState, $crate::server::db::DbError> {
                let real: i64 = sqlx::query_scalar(
                    "select (select count(*) from users where is_demo = false)
                          + (select count(*) from projects where is_demo = false)",
                )
                .fetch_one(&self.pool)
                .await?;
                let any: i64 = sqlx::query_scalar("select count(*) from users")
                    .fetch_one(&self.pool)
                    .await?;
                Ok(match (real, any) {
                    (0, 0) => $crate::server::db::DataState::Empty,
                    (0, _) => $crate::server::db::DataState::DemoOnly,
                    _ => $crate::server::db::DataState::HasRealData,
                })
            }

            async fn load_demo(
                &self,
                demo: &$crate::server::demo::DemoSet,
            ) -> Result<(), $crate::server::db::DbError> {
                use $crate::server::db::queries::INSERT_CHUNK;
                let now = $crate::server::db::queries::trunc(time::OffsetDateTime::now_utc());
                let mut tx = self.pool.begin().await?;
                for table in $crate::server::db::queries::DATA_TABLES_CHILD_FIRST {
                    sqlx::query(&format!("delete from {table}")).execute(&mut *tx).await?;
                }
                for chunk in demo.localities.chunks(INSERT_CHUNK) {
                    sqlx::QueryBuilder::new(
                        "insert into localities (id, governorate, delegation, name, created_at, updated_at) ",
                    )
                    .push_values(chunk, |mut b, l| {
                        b.push_bind(l.id).push_bind(&l.governorate).push_bind(&l.delegation)
                            .push_bind(&l.name).push_bind(now).push_bind(now);
                    })
                    .build()
                    .execute(&mut *tx)
                    .await?;
                }
                for chunk in demo.value_chains.chunks(INSERT_CHUNK) {
                    sqlx::QueryBuilder::new(
                        "insert into value_chains (id, code, name_fr, name_ar, name_en, created_at, updated_at) ",
                    )
                    .push_values(chunk, |mut b, v| {
                        b.push_bind(v.id).push_bind(&v.code).push_bind(&v.names.fr)
                            .push_bind(&v.names.ar).push_bind(&v.names.en).push_bind(now).push_bind(now);
                    })
                    .build()
                    .execute(&mut *tx)
                    .await?;
                }
                for chunk in demo.organisations.chunks(INSERT_CHUNK) {
                    sqlx::QueryBuilder::new(
                        "insert into organisations (id, kind, name, locality_id, created_at, updated_at) ",
                    )
                    .push_values(chunk, |mut b, o| {
                        b.push_bind(o.id).push_bind(o.kind).push_bind(&o.name)
                            .push_bind(o.locality_id).push_bind(now).push_bind(now);
                    })
                    .build()
                    .execute(&mut *tx)
                    .await?;
                }
                for chunk in demo.users.chunks(INSERT_CHUNK) {
                    sqlx::QueryBuilder::new(
                        "insert into users (id, email, name, role, password_hash, organisation_id, active, is_demo, created_at, updated_at) ",
                    )
                    .push_values(chunk, |mut b, u| {
                        b.push_bind(u.id).push_bind(&u.email).push_bind(&u.name)
                            .push_bind(u.role.as_str()).push_bind(&demo.password_hash.0)
                            .push_bind(u.organisation_id).push_bind(true).push_bind(true)
                            .push_bind(now).push_bind(now);
                    })
                    .build()
                    .execute(&mut *tx)
                    .await?;
                }
                for chunk in demo.supervisor_incubators.chunks(INSERT_CHUNK) {
                    sqlx::QueryBuilder::new(
                        "insert into supervisor_incubators (user_id, incubator_id, created_at, updated_at) ",
                    )
                    .push_values(chunk, |mut b, (user, incubator)| {
                        b.push_bind(*user).push_bind(*incubator).push_bind(now).push_bind(now);
                    })
                    .build()
                    .execute(&mut *tx)
                    .await?;
                }
                for chunk in demo.projects.chunks(INSERT_CHUNK) {
                    sqlx::QueryBuilder::new(
                        "insert into projects (id, code, title, kind, legal_form, value_chain_id, incubator_id,
                            facilitator_id, locality_id, call_wave, training_track, status, grant_millimes,
                            contract_signed_on, is_demo, version, deleted, created_at, updated_at) ",
                    )
                    .push_values(chunk, |mut b, p| {
                        b.push_bind(p.id).push_bind(&p.code).push_bind(&p.title)
                            .push_bind(p.kind.as_str()).push_bind(p.legal_form).push_bind(p.value_chain_id)
                            .push_bind(p.incubator_id).push_bind(p.facilitator_id).push_bind(p.locality_id)
                            .push_bind(p.call_wave).push_bind(p.training_track).push_bind(p.status.as_str())
                            .push_bind(p.grant_millimes).push_bind(p.contract_signed_on).push_bind(true)
                            .push_bind(1_i64).push_bind(false).push_bind(now).push_bind(now);
                    })
                    .build()
                    .execute(&mut *tx)
                    .await?;
                }
                for chunk in demo.members.chunks(INSERT_CHUNK) {
                    sqlx::QueryBuilder::new(
                        "insert into members (id, project_id, full_name, sex, birth_year, role, consent,
                            wg_seeing, wg_hearing, wg_walking, wg_cognition, wg_self_care, wg_communication,
                            joined_on, left_on, version, deleted, created_at, updated_at) ",
                    )
                    .push_values(chunk, |mut b, m| {
                        let wg = m.wg.as_array().map(|a| a.map(|a| a.code() as i32));
                        b.push_bind(m.id).push_bind(m.project_id).push_bind(&m.full_name)
                            .push_bind(m.sex.as_str()).push_bind(m.birth_year).push_bind(m.role)
                            .push_bind(true).push_bind(wg[0]).push_bind(wg[1]).push_bind(wg[2])
                            .push_bind(wg[3]).push_bind(wg[4]).push_bind(wg[5]).push_bind(m.joined_on)
                            .push_bind(m.left_on).push_bind(1_i64).push_bind(false).push_bind(now)
                            .push_bind(now);
                    })
                    .build()
                    .execute(&mut *tx)
                    .await?;
                }
                for chunk in demo.visits.chunks(INSERT_CHUNK) {
                    sqlx::QueryBuilder::new(
                        "insert into visits (id, project_id, facilitator_id, visit_on, mode, sales_millimes,
                            purchases_millimes, cash_millimes, cash_book_up_to_date, observations,
                            next_visit_on, status, version, deleted, created_at, updated_at) ",
                    )
                    .push_values(chunk, |mut b, v| {
                        b.push_bind(v.id).push_bind(v.project_id).push_bind(v.facilitator_id)
                            .push_bind(v.visit_on).push_bind(v.mode).push_bind(v.sales_millimes)
                            .push_bind(v.purchases_millimes).push_bind(v.cash_millimes)
                            .push_bind(v.cash_book_up_to_date).push_bind(&v.observations)
                            .push_bind(v.next_visit_on).push_bind(v.status).push_bind(1_i64).push_bind(false)
                            .push_bind(now).push_bind(now);
                    })
                    .build()
                    .execute(&mut *tx)
                    .await?;
                }
                for chunk in demo.tranches.chunks(INSERT_CHUNK) {
                    sqlx::QueryBuilder::new(
                        "insert into funding_tranches (id, project_id, seq, planned_millimes,
                            disbursed_millimes, disbursed_on, justified_millimes, version, deleted,
                            created_at, updated_at) ",
                    )
                    .push_values(chunk, |mut b, t| {
                        b.push_bind(t.id).push_bind(t.project_id).push_bind(t.seq)
                            .push_bind(t.planned_millimes).push_bind(t.disbursed_millimes)
                            .push_bind(t.disbursed_on).push_bind(t.justified_millimes)
                            .push_bind(1_i64).push_bind(false).push_bind(now).push_bind(now);
                    })
                    .build()
                    .execute(&mut *tx)
                    .await?;
                }
                for chunk in demo.targets.chunks(INSERT_CHUNK) {
                    sqlx::QueryBuilder::new(
                        "insert into indicator_targets (id, indicator, scope, scope_id, baseline_value,
                            baseline_on, target_value, target_on, milestones, created_at, updated_at) ",
                    )
                    .push_values(chunk, |mut b, t| {
                        b.push_bind(t.id).push_bind(t.indicator).push_bind("project").push_bind(t.project_id)
                            .push_bind(t.baseline).push_bind(t.baseline_on).push_bind(t.target)
                            .push_bind(t.target_on).push_bind("[]").push_bind(now).push_bind(now);
                    })
                    .build()
                    .execute(&mut *tx)
                    .await?;
                }
                for chunk in demo.values.chunks(INSERT_CHUNK) {
                    sqlx::QueryBuilder::new(
                        "insert into indicator_values (id, project_id, indicator, indicator_version, period,
                            value, cells, source, evidence, status, version, deleted, review_comment,
                            created_at, updated_at) ",
                    )
                    .push_values(chunk, |mut b, v| {
                        b.push_bind(v.id).push_bind(v.project_id).push_bind(v.indicator).push_bind(1_i64)
                            .push_bind(&v.period).push_bind(v.value).push_bind("[]").push_bind("record")
                            .push_bind("").push_bind("validated").push_bind(1_i64).push_bind(false)
                            .push_bind("").push_bind(now).push_bind(now);
                    })
                    .build()
                    .execute(&mut *tx)
                    .await?;
                }
                // Demo rows take a fresh global version, so devices that synced an earlier set
                // pull this one whole.
                let version: i64 = sqlx::query_scalar(
                    "update sync_version set value = value + 1, updated_at = $1 where id = 1 returning value",
                )
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                for table in ["projects", "members", "visits", "funding_tranches", "indicator_values"] {
                    sqlx::query(&format!("update {table} set version = $1"))
                        .bind(version)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query(
                    "insert into app_meta (key, value, created_at, updated_at) values ('demo_loaded_on', $1, $2, $2)
                     on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at",
                )
                .bind(demo.today.to_string())
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn begin_push(&self) -> Result<Box<dyn $crate::server::sync::SyncStore>, $crate::server::db::DbError> {
                self.begin_push_tx().await
            }

            async fn visit_conflicts(&self, visit: uuid::Uuid) -> Result<Vec<$crate::server::sync::store::ConflictRow>, $crate::server::db::DbError> {
                self.visit_conflicts_of(visit).await
            }

            async fn device_statuses(&self) -> Result<Vec<$crate::domain::DeviceStatus>, $crate::server::db::DbError> {
                self.device_statuses_all().await
            }

            async fn open_conflicts(
                &self,
                scope: $crate::server::db::ProjectScope,
            ) -> Result<Vec<$crate::domain::ConflictCase>, $crate::server::db::DbError> {
                self.open_conflicts_in(scope).await
            }

            async fn acknowledge_risk(
                &self,
                scope: $crate::server::db::ProjectScope,
                by: uuid::Uuid,
                project: uuid::Uuid,
                rule: &str,
                note: &str,
            ) -> Result<bool, $crate::server::db::DbError> {
                self.acknowledge_risk_in(scope, by, project, rule, note).await
            }

            async fn review_queue(
                &self,
                scope: $crate::server::db::ProjectScope,
            ) -> Result<Vec<$crate::domain::ReviewItem>, $crate::server::db::DbError> {
                self.review_queue_in(scope).await
            }

            async fn entry_review_queue(
                &self,
                scope: $crate::server::db::ProjectScope,
            ) -> Result<$crate::domain::entry::EntryQueue, $crate::server::db::DbError> {
                self.entry_review_queue_in(scope).await
            }

            async fn registry_review_queue(
                &self,
                scope: $crate::server::db::ProjectScope,
            ) -> Result<Vec<$crate::domain::registry::RegistryReviewItem>, $crate::server::db::DbError> {
                self.registry_review_queue_in(scope).await
            }

            async fn registry_choices(
                &self,
                user: uuid::Uuid,
            ) -> Result<$crate::domain::RegistryChoices, $crate::server::db::DbError> {
                let chains: Vec<(uuid::Uuid, String, String, String, String)> = sqlx::query_as(
                    "select id, code, name_fr, name_ar, name_en from value_chains order by code",
                )
                .fetch_all(&self.pool)
                .await?;
                let localities: Vec<(uuid::Uuid, String, String)> = sqlx::query_as(
                    "select id, name, delegation from localities order by name",
                )
                .fetch_all(&self.pool)
                .await?;
                let incubator: Option<(uuid::Uuid, String)> = sqlx::query_as(
                    "select o.id, o.name from users u join organisations o on o.id = u.organisation_id
                      where u.id = $1 and o.kind = 'incubator'",
                )
                .bind(user)
                .fetch_optional(&self.pool)
                .await?;
                let codes: Vec<String> = sqlx::query_scalar("select code from projects order by code")
                    .fetch_all(&self.pool)
                    .await?;
                Ok($crate::domain::RegistryChoices {
                    value_chains: chains
                        .into_iter()
                        .map(|(id, code, fr, ar, en)| (id, code, $crate::domain::project::Names { fr, ar, en }))
                        .collect(),
                    localities,
                    incubator,
                    codes,
                })
            }

            async fn assignment_choices(
                &self,
                project: uuid::Uuid,
            ) -> Result<Option<$crate::domain::project::AssignmentChoices>, $crate::server::db::DbError> {
                let current: Option<(Option<uuid::Uuid>, uuid::Uuid)> = sqlx::query_as(
                    "select facilitator_id, incubator_id from projects where id = $1 and deleted = false",
                )
                .bind(project)
                .fetch_optional(&self.pool)
                .await?;
                let Some((facilitator, incubator)) = current else { return Ok(None) };
                let facilitators: Vec<(uuid::Uuid, String, String)> = sqlx::query_as(
                    "select u.id, u.name, coalesce(o.name, '') from users u
                       left join organisations o on o.id = u.organisation_id
                      where u.role = 'facilitator' and u.active = true order by u.name",
                )
                .fetch_all(&self.pool)
                .await?;
                let incubators: Vec<(uuid::Uuid, String)> = sqlx::query_as(
                    "select id, name from organisations where kind = 'incubator' order by name",
                )
                .fetch_all(&self.pool)
                .await?;
                Ok(Some($crate::domain::project::AssignmentChoices {
                    facilitators,
                    incubators,
                    facilitator,
                    incubator: Some(incubator),
                }))
            }

            async fn assign_project(
                &self,
                project: uuid::Uuid,
                facilitator: Option<uuid::Uuid>,
                incubator: uuid::Uuid,
            ) -> Result<bool, $crate::server::db::DbError> {
                self.assign_project_in(project, facilitator, incubator).await
            }

            async fn save_tranche(
                &self,
                project: uuid::Uuid,
                tranche: &$crate::domain::timeline::Tranche,
            ) -> Result<bool, $crate::server::db::DbError> {
                let exists: Option<uuid::Uuid> =
                    sqlx::query_scalar("select id from projects where id = $1 and deleted = false")
                        .bind(project)
                        .fetch_optional(&self.pool)
                        .await?;
                if exists.is_none() {
                    return Ok(false);
                }
                let disbursed_on = tranche
                    .disbursed_on
                    .as_deref()
                    .map($crate::server::db::sync_sql::day)
                    .transpose()?;
                let now = $crate::server::db::queries::trunc(time::OffsetDateTime::now_utc());
                sqlx::query(
                    "insert into funding_tranches (id, project_id, seq, planned_millimes,
                        disbursed_millimes, disbursed_on, justified_millimes, created_at, updated_at)
                     values ($1, $2, $3, $4, $5, $6, $7, $8, $8)
                     on conflict (project_id, seq) do update set
                        planned_millimes = excluded.planned_millimes,
                        disbursed_millimes = excluded.disbursed_millimes,
                        disbursed_on = excluded.disbursed_on,
                        justified_millimes = excluded.justified_millimes,
                        deleted = false, updated_at = excluded.updated_at",
                )
                .bind(uuid::Uuid::new_v4())
                .bind(project)
                .bind(tranche.seq)
                .bind(tranche.planned)
                .bind(tranche.disbursed)
                .bind(disbursed_on)
                .bind(tranche.justified)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(true)
            }

            async fn save_target(
                &self,
                t: &$crate::domain::indicator::admin::CheckedTarget,
            ) -> Result<(), $crate::server::db::DbError> {
                let now = $crate::server::db::queries::trunc(time::OffsetDateTime::now_utc());
                let day = |s: &str| {
                    time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
                        .map_err(|e| $crate::server::db::DbError::Value(format!("{s}: {e}")))
                };
                let baseline_on = t.baseline_on.as_deref().map(day).transpose()?;
                let target_on = day(&t.target_on)?;
                let _turn = self.write_turn().await;
                let mut tx = if $engine == $crate::server::db::Engine::Sqlite {
                    self.pool.begin_with("begin immediate").await?
                } else {
                    self.pool.begin().await?
                };
                sqlx::query(
                    "delete from indicator_targets
                      where indicator = $1 and scope = $2
                        and (scope_id = $3 or (scope_id is null and $4)) and cell = $5",
                )
                .bind(&t.indicator)
                .bind(t.scope)
                .bind(t.scope_id)
                .bind(t.scope_id.is_none())
                .bind(&t.cell)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "insert into indicator_targets (id, indicator, scope, scope_id, baseline_value,
                        baseline_on, target_value, target_on, milestones, cell, created_at, updated_at)
                     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
                )
                .bind(uuid::Uuid::new_v4())
                .bind(&t.indicator)
                .bind(t.scope)
                .bind(t.scope_id)
                .bind(t.baseline)
                .bind(baseline_on)
                .bind(t.target)
                .bind(target_on)
                .bind(
                    serde_json::to_string(&t.milestones)
                        .map_err(|e| $crate::server::db::DbError::Value(e.to_string()))?,
                )
                .bind(&t.cell)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn create_api_token(
                &self,
                id: uuid::Uuid,
                name: &str,
                token_hash: &str,
            ) -> Result<(), $crate::server::db::DbError> {
                let now = $crate::server::db::queries::trunc(time::OffsetDateTime::now_utc());
                sqlx::query(
                    "insert into api_tokens (id, name, token_hash, created_at) values ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(name)
                .bind(token_hash)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn api_token(
                &self,
                token_hash: &str,
            ) -> Result<Option<String>, $crate::server::db::DbError> {
                let now = $crate::server::db::queries::trunc(time::OffsetDateTime::now_utc());
                let name: Option<String> = sqlx::query_scalar(
                    "select name from api_tokens where token_hash = $1 and revoked_at is null",
                )
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?;
                if name.is_some() {
                    sqlx::query("update api_tokens set last_used_at = $1 where token_hash = $2")
                        .bind(now)
                        .bind(token_hash)
                        .execute(&self.pool)
                        .await?;
                }
                Ok(name)
            }

            async fn revoke_api_token(&self, name: &str) -> Result<bool, $crate::server::db::DbError> {
                let now = $crate::server::db::queries::trunc(time::OffsetDateTime::now_utc());
                let done = sqlx::query(
                    "update api_tokens set revoked_at = $1 where name = $2 and revoked_at is null",
                )
                .bind(now)
                .bind(name)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn api_tokens(
                &self,
            ) -> Result<Vec<$crate::server::db::ApiTokenRow>, $crate::server::db::DbError> {
                type Row = (
                    String,
                    time::OffsetDateTime,
                    Option<time::OffsetDateTime>,
                    Option<time::OffsetDateTime>,
                );
                let rows: Vec<Row> = sqlx::query_as(
                    "select name, created_at, last_used_at, revoked_at from api_tokens order by name",
                )
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(name, created, used, revoked)| $crate::server::db::ApiTokenRow {
                        name,
                        created_at: created.to_string(),
                        last_used_at: used.map(|t| t.to_string()),
                        revoked: revoked.is_some(),
                    })
                    .collect())
            }

            async fn dashboard_source(
                &self,
            ) -> Result<$crate::server::dashboard::Source, $crate::server::db::DbError> {
                use $crate::domain::indicator::dashboard::DashboardProject;
                use $crate::domain::indicator::derived::{MemberFact, VisitFact};
                use $crate::domain::indicator::value::IndicatorValue;
                use $crate::server::dashboard::{SourceProject, kind};
                use $crate::server::db::queries::MemberFactRow;
                type ProjectRow = (
                    uuid::Uuid, String, String, String, uuid::Uuid, String, Option<uuid::Uuid>,
                    uuid::Uuid, String, String, String, String,
                );
                let projects: Vec<ProjectRow> = sqlx::query_as(
                    "select p.id, p.code, p.title, p.kind, p.incubator_id, o.name, p.facilitator_id,
                            vc.id, vc.code, vc.name_fr, vc.name_ar, vc.name_en
                       from projects p
                       join organisations o on o.id = p.incubator_id
                       join value_chains vc on vc.id = p.value_chain_id
                      where p.deleted = false
                      order by p.code",
                )
                .fetch_all(&self.pool)
                .await?;
                let projects = projects
                    .into_iter()
                    .map(|(id, code, title, k, incubator_id, incubator, facilitator_id, vc_id, vc, fr, ar, en)| {
                        SourceProject {
                            project: DashboardProject {
                                id,
                                code,
                                title,
                                kind: kind(&k),
                                incubator_id: Some(incubator_id),
                                incubator,
                                value_chain_id: vc_id,
                                value_chain: vc,
                                value_chain_name: fr.clone(),
                            },
                            facilitator_id,
                            value_chain_names: [fr, ar, en],
                        }
                    })
                    .collect();
                let values: Vec<$crate::server::db::sync_sql::ValueRow> = sqlx::query_as(&format!(
                    "select {} from indicator_values iv
                      where iv.deleted = false and iv.status in ('submitted', 'validated')",
                    $crate::server::db::sync_sql::VALUE_COLUMNS
                ))
                .fetch_all(&self.pool)
                .await?;
                let values: Vec<IndicatorValue> =
                    values.into_iter().map(|v| v.into_stored().value).collect();
                let sql = $crate::server::db::queries::MEMBER_SELECT.replacen("select ", "select project_id, ", 1);
                let members: Vec<MemberFactRow> = sqlx::query_as(&sql).fetch_all(&self.pool).await?;
                let members: Vec<MemberFact> = members.into_iter().map(MemberFactRow::fact).collect();
                let visits: Vec<(uuid::Uuid, time::Date, Option<i64>)> = sqlx::query_as(
                    "select project_id, visit_on, sales_millimes from visits where deleted = false",
                )
                .fetch_all(&self.pool)
                .await?;
                let visits = visits
                    .into_iter()
                    .map(|(project, on, sales)| VisitFact {
                        project,
                        visit_on: on.to_string(),
                        sales,
                    })
                    .collect();
                let targets: Vec<$crate::server::db::queries::TargetRow> = sqlx::query_as(&format!(
                    "select {} from indicator_targets",
                    $crate::server::db::queries::TARGET_COLUMNS
                ))
                .fetch_all(&self.pool)
                .await?;
                let targets = targets.into_iter().map(|t| t.into_scoped()).collect();
                let supervised: Vec<(uuid::Uuid, uuid::Uuid)> =
                    sqlx::query_as("select user_id, incubator_id from supervisor_incubators")
                        .fetch_all(&self.pool)
                        .await?;
                let catalogue = $crate::server::indicators::latest(self.indicators().await?);
                let small_cell_threshold = self.risk_settings().await?.small_cell_threshold;
                Ok($crate::server::dashboard::Source {
                    catalogue,
                    projects,
                    values,
                    members,
                    visits,
                    targets,
                    supervised,
                    small_cell_threshold,
                })
            }

            async fn risk_settings(
                &self,
            ) -> Result<$crate::domain::risk::RiskSettings, $crate::server::db::DbError> {
                let value: Option<String> =
                    sqlx::query_scalar("select value from settings where key = 'risk'")
                        .fetch_optional(&self.pool)
                        .await?;
                // Thresholds saved by an older build may lack a newer one: the default fills it.
                Ok(value
                    .and_then(|v| serde_json::from_str(&v).ok())
                    .unwrap_or_default())
            }

            async fn save_risk_settings(
                &self,
                settings: &$crate::domain::risk::RiskSettings,
                by: uuid::Uuid,
            ) -> Result<(), $crate::server::db::DbError> {
                let now = $crate::server::db::queries::trunc(time::OffsetDateTime::now_utc());
                let value = serde_json::to_string(settings)
                    .map_err(|e| $crate::server::db::DbError::Value(e.to_string()))?;
                sqlx::query(
                    "insert into settings (key, value, updated_by, updated_at) values ('risk', $1, $2, $3)
                     on conflict (key) do update set value = excluded.value,
                        updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                )
                .bind(value)
                .bind(by)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn visit_history(
                &self,
                user: &$crate::domain::SessionUser,
                scope: $crate::server::db::ProjectScope,
                visit: uuid::Uuid,
            ) -> Result<Option<Vec<$crate::domain::HistoryEvent>>, $crate::server::db::DbError> {
                self.visit_history_in(user, scope, visit).await
            }

            async fn client_owner(&self, client: uuid::Uuid) -> Result<Option<uuid::Uuid>, $crate::server::db::DbError> {
                self.client_owner_of(client).await
            }

            async fn save_heartbeat(&self, client: &$crate::server::sync::store::ClientRow) -> Result<(), $crate::server::db::DbError> {
                self.save_heartbeat_row(client).await
            }

            async fn pull(
                &self,
                user: &$crate::domain::SessionUser,
                scope: $crate::server::db::ProjectScope,
                client: uuid::Uuid,
                cookie: Option<&$crate::sync::protocol::Cookie>,
            ) -> Result<$crate::sync::protocol::PullResponse, $crate::server::db::DbError> {
                self.pull_snapshot(user, scope, client, cookie).await
            }
        }
    };
}

pub(crate) use impl_database;
