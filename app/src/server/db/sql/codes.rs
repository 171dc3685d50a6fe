//! One-time codes: the first start's setup link, and the sign-in codes the team makes for a
//! person who forgot their password. Only hashes are kept; a code works once.

use super::super::FIRST_START_LOCK;
use super::{Conn, EngineDb, audit};
use crate::server::db::{AuditLine, DbError, NewUser, PasswordHash, SetupStart, rows};
use time::OffsetDateTime;
use uuid::Uuid;

async fn has_users(conn: &mut Conn) -> Result<bool, DbError> {
    let n: i64 = sqlx::query_scalar("select count(*) from users")
        .fetch_one(&mut *conn)
        .await?;
    Ok(n > 0)
}

/// At start-up, on a database without accounts: keeps a new setup code unless one is already
/// waiting. Once however many instances start together (under the first start's lock).
pub(super) async fn start_setup(db: &EngineDb, code_hash: &str) -> Result<SetupStart, DbError> {
    let mut tx = db.begin_write().await?;
    if let Some(lock) = FIRST_START_LOCK {
        sqlx::query(lock).execute(&mut *tx).await?;
    }
    if has_users(&mut tx).await? {
        return Ok(SetupStart::NotNeeded);
    }
    let waiting: Option<OffsetDateTime> = sqlx::query_scalar(
        "select created_at from one_time_codes where purpose = 'setup' and used_at is null
          order by created_at desc limit 1",
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(since) = waiting {
        return Ok(SetupStart::Waiting(rows::rfc3339(since)));
    }
    insert_setup(&mut tx, code_hash).await?;
    tx.commit().await?;
    Ok(SetupStart::Created)
}

/// A new setup code in place of any earlier one (`athar setup-link`); false when an account
/// exists already.
pub(super) async fn replace_setup(db: &EngineDb, code_hash: &str) -> Result<bool, DbError> {
    let mut tx = db.begin_write().await?;
    if has_users(&mut tx).await? {
        return Ok(false);
    }
    sqlx::query("delete from one_time_codes where purpose = 'setup'")
        .execute(&mut *tx)
        .await?;
    insert_setup(&mut tx, code_hash).await?;
    tx.commit().await?;
    Ok(true)
}

async fn insert_setup(conn: &mut Conn, code_hash: &str) -> Result<(), DbError> {
    let now = rows::now();
    sqlx::query(
        "insert into one_time_codes (code_hash, purpose, created_at, updated_at)
         values ($1, 'setup', $2, $2)",
    )
    .bind(code_hash)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Whether a setup code still opens the setup page: unused, and no account exists yet.
pub(super) async fn setup_open(db: &EngineDb, code_hash: &str) -> Result<bool, DbError> {
    let mut conn = db.pool.acquire().await?;
    if has_users(&mut conn).await? {
        return Ok(false);
    }
    let n: i64 = sqlx::query_scalar(
        "select count(*) from one_time_codes
          where code_hash = $1 and purpose = 'setup' and used_at is null",
    )
    .bind(code_hash)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n == 1)
}

/// Creates the first team account with the setup code, which dies with it (and so does every
/// other setup code); false, changing nothing, when the code is not one or an account exists.
pub(super) async fn redeem_setup(
    db: &EngineDb,
    code_hash: &str,
    user: &NewUser,
) -> Result<bool, DbError> {
    let mut tx = db.begin_write().await?;
    if has_users(&mut tx).await? {
        return Ok(false);
    }
    let now = rows::now();
    let used = sqlx::query(
        "update one_time_codes set used_at = $2, updated_at = $2
          where code_hash = $1 and purpose = 'setup' and used_at is null",
    )
    .bind(code_hash)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if used != 1 {
        return Ok(false);
    }
    sqlx::query("delete from one_time_codes where purpose = 'setup' and used_at is null")
        .execute(&mut *tx)
        .await?;
    super::accounts::insert_user_on(&mut tx, user).await?;
    audit::append(
        &mut tx,
        &AuditLine {
            actor: Some(user.id),
            kind: "account_created",
            subject: user.email.clone(),
            project: None,
            before: None,
            after: Some(serde_json::json!({
                "name": user.name,
                "email": user.email,
                "role": user.role.as_str(),
                "by": "setup_link",
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Keeps a sign-in code for `user`, valid until `expires_at`, in place of any code they had.
pub(super) async fn create_sign_in_code(
    db: &EngineDb,
    code_hash: &str,
    user: Uuid,
    expires_at: OffsetDateTime,
    line: &AuditLine,
) -> Result<bool, DbError> {
    let mut tx = db.begin_write().await?;
    let now = rows::now();
    let known: i64 = sqlx::query_scalar("select count(*) from users where id = $1")
        .bind(user)
        .fetch_one(&mut *tx)
        .await?;
    if known == 0 {
        return Ok(false);
    }
    sqlx::query("delete from one_time_codes where purpose = 'sign_in' and user_id = $1")
        .bind(user)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "insert into one_time_codes (code_hash, purpose, user_id, expires_at, created_by,
                                     created_at, updated_at)
         values ($1, 'sign_in', $2, $3, $4, $5, $5)",
    )
    .bind(code_hash)
    .bind(user)
    .bind(rows::trunc(expires_at))
    .bind(line.actor)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit::append(&mut tx, line).await?;
    tx.commit().await?;
    Ok(true)
}

/// The active account a sign-in code opens, if the code is unused and not expired.
pub(super) async fn sign_in_code_user(
    db: &EngineDb,
    code_hash: &str,
    now: OffsetDateTime,
) -> Result<Option<(Uuid, String)>, DbError> {
    use sqlx::Row as _;
    let row = sqlx::query(
        "select u.id, u.email from one_time_codes c join users u on u.id = c.user_id
          where c.code_hash = $1 and c.purpose = 'sign_in' and c.used_at is null
            and c.expires_at > $2 and u.active = true",
    )
    .bind(code_hash)
    .bind(rows::trunc(now))
    .fetch_optional(&db.pool)
    .await?;
    row.map(|r| Ok((r.try_get("id")?, r.try_get("email")?)))
        .transpose()
}

/// Uses a sign-in code: the account gets `password`, every session it had ends. The account, or
/// `None` when the code is not valid (any more).
pub(super) async fn redeem_sign_in_code(
    db: &EngineDb,
    code_hash: &str,
    now: OffsetDateTime,
    password: &PasswordHash,
) -> Result<Option<Uuid>, DbError> {
    let mut tx = db.begin_write().await?;
    let at = rows::trunc(now);
    let user: Option<Uuid> = sqlx::query_scalar(
        "update one_time_codes set used_at = $2, updated_at = $2
          where code_hash = $1 and purpose = 'sign_in' and used_at is null and expires_at > $2
            and user_id in (select id from users where active = true)
          returning user_id",
    )
    .bind(code_hash)
    .bind(at)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(user) = user else {
        return Ok(None);
    };
    let name: String = sqlx::query_scalar("select name from users where id = $1")
        .bind(user)
        .fetch_one(&mut *tx)
        .await?;
    super::accounts::set_password_on(&mut tx, user, password).await?;
    audit::append(
        &mut tx,
        &AuditLine {
            actor: Some(user),
            kind: "password_set_with_code",
            subject: name.clone(),
            project: None,
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Some(user))
}
