//! Users, sessions and sign-in lock-outs.

use super::{Conn, EngineDb};
use crate::server::db::{DbError, rows};
use time::OffsetDateTime;
use uuid::Uuid;

pub(super) async fn user_credentials(
    db: &EngineDb,
    email: &str,
) -> Result<Option<crate::server::db::Credentials>, DbError> {
    use sqlx::Row as _;
    let row = sqlx::query(
        "select id, name, email, role, is_demo, password_hash, active from users
          where email = $1",
    )
    .bind(email.trim().to_lowercase())
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let hash: String = row.try_get("password_hash")?;
    let active: bool = row.try_get("active")?;
    let user = <rows::UserRow as sqlx::FromRow<_>>::from_row(&row)?;
    Ok(user.into_user().map(|user| crate::server::db::Credentials {
        user,
        hash: crate::server::db::PasswordHash(hash),
        active,
    }))
}

pub(super) async fn user_by_id(
    db: &EngineDb,
    id: Uuid,
) -> Result<Option<crate::domain::SessionUser>, DbError> {
    let row: Option<rows::UserRow> = sqlx::query_as(
        "select id, name, email, role, is_demo from users where id = $1 and active = true",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.and_then(|u| u.into_user()))
}

pub(super) async fn account_by_id(
    db: &EngineDb,
    id: Uuid,
) -> Result<Option<crate::domain::SessionUser>, DbError> {
    let row: Option<rows::UserRow> =
        sqlx::query_as("select id, name, email, role, is_demo from users where id = $1")
            .bind(id)
            .fetch_optional(&db.pool)
            .await?;
    Ok(row.and_then(|u| u.into_user()))
}

pub(super) async fn insert_user(
    db: &EngineDb,
    user: &crate::server::db::NewUser,
) -> Result<(), DbError> {
    insert_user_on(&mut *db.pool.acquire().await?, user).await
}

pub(super) async fn insert_user_on(
    conn: &mut Conn,
    user: &crate::server::db::NewUser,
) -> Result<(), DbError> {
    let now = rows::now();
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
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Gives an account a new password and ends every session it had.
pub(super) async fn set_password_on(
    conn: &mut Conn,
    user: Uuid,
    password: &crate::server::db::PasswordHash,
) -> Result<(), DbError> {
    sqlx::query("update users set password_hash = $2, updated_at = $3 where id = $1")
        .bind(user)
        .bind(&password.0)
        .bind(rows::now())
        .execute(&mut *conn)
        .await?;
    sqlx::query("delete from sessions where user_id = $1")
        .bind(user)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(super) async fn create_session(
    db: &EngineDb,
    token_hash: &str,
    user_id: Uuid,
    expires_at: OffsetDateTime,
) -> Result<(), DbError> {
    let now = rows::now();
    sqlx::query(
        "insert into sessions (token_hash, user_id, expires_at, created_at, updated_at)
         values ($1, $2, $3, $4, $4)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(rows::trunc(expires_at))
    .bind(now)
    .execute(&db.pool)
    .await?;
    sqlx::query("update users set last_sign_in_at = $2 where id = $1")
        .bind(user_id)
        .bind(now)
        .execute(&db.pool)
        .await?;
    // Housekeeping on a path that is rare (sign-in), so expired rows never pile up.
    sqlx::query("delete from sessions where expires_at <= $1")
        .bind(now)
        .execute(&db.pool)
        .await?;
    Ok(())
}

pub(super) async fn session_user(
    db: &EngineDb,
    token_hash: &str,
    now: OffsetDateTime,
) -> Result<Option<(crate::domain::SessionUser, OffsetDateTime, OffsetDateTime)>, DbError> {
    use sqlx::Row as _;
    let row = sqlx::query(
        "select u.id, u.name, u.email, u.role, u.is_demo, s.expires_at, s.created_at
           from sessions s join users u on u.id = s.user_id
          where s.token_hash = $1 and s.expires_at > $2 and u.active = true",
    )
    .bind(token_hash)
    .bind(rows::trunc(now))
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let expires_at: OffsetDateTime = row.try_get("expires_at")?;
    let created_at: OffsetDateTime = row.try_get("created_at")?;
    let user = <rows::UserRow as sqlx::FromRow<_>>::from_row(&row)?;
    Ok(user.into_user().map(|u| (u, expires_at, created_at)))
}

pub(super) async fn extend_session(
    db: &EngineDb,
    token_hash: &str,
    expires_at: OffsetDateTime,
) -> Result<(), DbError> {
    let now = rows::now();
    sqlx::query("update sessions set expires_at = $1, updated_at = $2 where token_hash = $3")
        .bind(rows::trunc(expires_at))
        .bind(now)
        .bind(token_hash)
        .execute(&db.pool)
        .await?;
    Ok(())
}

pub(super) async fn delete_session(db: &EngineDb, token_hash: &str) -> Result<(), DbError> {
    sqlx::query("delete from sessions where token_hash = $1")
        .bind(token_hash)
        .execute(&db.pool)
        .await?;
    Ok(())
}

pub(super) async fn count_login_attempt(
    db: &EngineDb,
    keys: &[String],
    at: OffsetDateTime,
    since: OffsetDateTime,
    rule: &crate::server::db::LockRule,
) -> Result<crate::server::db::LoginAttempt, DbError> {
    use crate::server::db::LoginAttempt;
    let at = rows::trunc(at);
    let since = rows::trunc(since);
    let _turn = db.write_turn().await;
    let mut tx = db.begin_write().await?;
    sqlx::query("delete from login_failures where failed_at < $1")
        .bind(since)
        .execute(&mut *tx)
        .await?;
    sqlx::query("delete from login_keys where last_attempt_at < $1")
        .bind(since)
        .execute(&mut *tx)
        .await?;
    // Each key's row is held until the end of this transaction (in one order, so that two
    // attempts never wait on each other): the attempts on a key are counted one at a time.
    let mut ordered: Vec<&String> = keys.iter().collect();
    ordered.sort();
    for key in ordered {
        sqlx::query(
            "insert into login_keys (key, last_attempt_at) values ($1, $2)
             on conflict (key) do update set last_attempt_at = excluded.last_attempt_at",
        )
        .bind(key)
        .bind(at)
        .execute(&mut *tx)
        .await?;
    }
    let mut before = Vec::with_capacity(keys.len());
    for key in keys {
        before.push(
            sqlx::query_scalar(
                "select failed_at from login_failures where key = $1 and failed_at > $2
                  order by failed_at, id",
            )
            .bind(key)
            .bind(since)
            .fetch_all(&mut *tx)
            .await?,
        );
    }
    if let Some(minutes) = rule.minutes(&before) {
        tx.commit().await?;
        return Ok(LoginAttempt::Locked(minutes));
    }
    let mut ids = Vec::with_capacity(keys.len());
    for key in keys {
        ids.push(
            sqlx::query_scalar(
                "insert into login_failures (key, failed_at, created_at, updated_at)
                 values ($1, $2, $2, $2) returning id",
            )
            .bind(key)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?,
        );
    }
    tx.commit().await?;
    Ok(LoginAttempt::Counted(ids))
}

pub(super) async fn login_failures_since(
    db: &EngineDb,
    key: &str,
    since: OffsetDateTime,
) -> Result<Vec<OffsetDateTime>, DbError> {
    Ok(sqlx::query_scalar(
        "select failed_at from login_failures where key = $1 and failed_at > $2
          order by failed_at, id",
    )
    .bind(key)
    .bind(rows::trunc(since))
    .fetch_all(&db.pool)
    .await?)
}

pub(super) async fn forget_login_attempts(db: &EngineDb, ids: &[i64]) -> Result<(), DbError> {
    let _turn = db.write_turn().await;
    let mut tx = db.begin_write().await?;
    for id in ids {
        sqlx::query("delete from login_failures where id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
