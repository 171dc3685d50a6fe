//! The team's administration: people and their scope, organisations, reassigning a facilitator's
//! projects, disabling an account, one's own password. Every change writes its audit line in its
//! own transaction.

use super::{Conn, EngineDb, audit};
use crate::domain::Role;
use crate::domain::people::{CheckedPerson, Organisation, Person};
use crate::server::db::{AuditLine, DbError, PasswordHash, rows};
use serde_json::json;
use uuid::Uuid;

pub(super) async fn people(db: &EngineDb) -> Result<Vec<Person>, DbError> {
    use sqlx::Row as _;
    let mut conn = db.pool.acquire().await?;
    let covered: Vec<(Uuid, Uuid)> =
        sqlx::query_as("select user_id, incubator_id from supervisor_incubators")
            .fetch_all(&mut *conn)
            .await?;
    let coached: Vec<(Uuid, Uuid, String, String)> = sqlx::query_as(
        "select facilitator_id, id, code, title from projects
          where deleted = false and facilitator_id is not null order by code",
    )
    .fetch_all(&mut *conn)
    .await?;
    let found = sqlx::query(
        "select u.id, u.name, u.email, u.role, u.organisation_id, u.active, u.last_sign_in_at,
                (select max(c.last_seen_at) from sync_clients c where c.user_id = u.id) as last_sync
           from users u
          order by u.active desc, u.name",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(found.len());
    for row in found {
        let id: Uuid = row.try_get("id")?;
        let role: String = row.try_get("role")?;
        let Some(role) = Role::parse(&role) else {
            continue;
        };
        let last_sign_in: Option<time::OffsetDateTime> = row.try_get("last_sign_in_at")?;
        let last_sync: Option<time::OffsetDateTime> = row.try_get("last_sync")?;
        let theirs: Vec<(Uuid, String)> = coached
            .iter()
            .filter(|(f, ..)| *f == id)
            .map(|(_, p, code, title)| (*p, format!("{code} · {title}")))
            .collect();
        out.push(Person {
            id,
            name: row.try_get("name")?,
            email: row.try_get("email")?,
            role,
            organisation: row.try_get("organisation_id")?,
            incubators: covered
                .iter()
                .filter(|(u, _)| *u == id)
                .map(|(_, i)| *i)
                .collect(),
            active: row.try_get("active")?,
            last_sign_in: last_sign_in.map(rows::rfc3339),
            last_sync: last_sync.map(rows::rfc3339),
            projects: i64::try_from(theirs.len()).unwrap_or(i64::MAX),
            coached: theirs,
        });
    }
    Ok(out)
}

pub(super) async fn organisations(db: &EngineDb) -> Result<Vec<Organisation>, DbError> {
    use sqlx::Row as _;
    let found = sqlx::query(
        "select id, kind, name, locality_id, archived_at from organisations order by kind, name",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut out = Vec::with_capacity(found.len());
    for row in found {
        let archived: Option<time::OffsetDateTime> = row.try_get("archived_at")?;
        out.push(Organisation {
            id: row.try_get("id")?,
            kind: row.try_get("kind")?,
            name: row.try_get("name")?,
            locality: row.try_get("locality_id")?,
            archived: archived.is_some(),
        });
    }
    Ok(out)
}

/// What an account is, as its audit lines keep it.
async fn person_state(conn: &mut Conn, id: Uuid) -> Result<Option<serde_json::Value>, DbError> {
    let row: Option<(String, String, String, Option<Uuid>, bool)> = sqlx::query_as(
        "select name, email, role, organisation_id, active from users where id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((name, email, role, organisation, active)) = row else {
        return Ok(None);
    };
    let incubators: Vec<Uuid> = sqlx::query_scalar(
        "select incubator_id from supervisor_incubators where user_id = $1 order by incubator_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some(json!({
        "name": name,
        "email": email,
        "role": role,
        "organisation": organisation,
        "incubators": incubators,
        "active": active,
    })))
}

/// Creates an account (with `password`, which nobody knows: the person gets a sign-in code) or
/// changes one; `None` for an unknown account. An email in use is [`DbError::AlreadyExists`].
pub(super) async fn save_person(
    db: &EngineDb,
    person: &CheckedPerson,
    password: &PasswordHash,
    by: Uuid,
) -> Result<Option<Uuid>, DbError> {
    let _turn = db.write_turn().await;
    let mut tx = db.begin_write().await?;
    let now = rows::now();
    let (id, before) = match person.id {
        None => {
            let id = Uuid::new_v4();
            super::accounts::insert_user_on(
                &mut tx,
                &crate::server::db::NewUser {
                    id,
                    email: person.email.clone(),
                    name: person.name.clone(),
                    role: person.role,
                    password_hash: password.clone(),
                    organisation_id: person.organisation,
                    is_demo: false,
                },
            )
            .await?;
            (id, None)
        }
        Some(id) => {
            let Some(before) = person_state(&mut tx, id).await? else {
                return Ok(None);
            };
            sqlx::query(
                "update users set name = $2, email = $3, role = $4, organisation_id = $5,
                                  updated_at = $6
                  where id = $1",
            )
            .bind(id)
            .bind(&person.name)
            .bind(&person.email)
            .bind(person.role.as_str())
            .bind(person.organisation)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            (id, Some(before))
        }
    };
    sqlx::query("delete from supervisor_incubators where user_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    for incubator in &person.incubators {
        sqlx::query(
            "insert into supervisor_incubators (user_id, incubator_id, created_at, updated_at)
             values ($1, $2, $3, $3)",
        )
        .bind(id)
        .bind(incubator)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    let after = person_state(&mut tx, id).await?;
    if before != after {
        audit::append(
            &mut tx,
            &AuditLine {
                actor: Some(by),
                kind: if before.is_none() {
                    "account_created"
                } else {
                    "account_changed"
                },
                subject: person.email.clone(),
                project: None,
                before,
                after,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Some(id))
}

/// Disables an account (its sessions and sign-in codes end at once) or enables it again; false
/// for an unknown account.
pub(super) async fn set_active(
    db: &EngineDb,
    id: Uuid,
    active: bool,
    by: Uuid,
) -> Result<bool, DbError> {
    let _turn = db.write_turn().await;
    let mut tx = db.begin_write().await?;
    let email: Option<String> = sqlx::query_scalar("select email from users where id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(email) = email else {
        return Ok(false);
    };
    let changed =
        sqlx::query("update users set active = $2, updated_at = $3 where id = $1 and active <> $2")
            .bind(id)
            .bind(active)
            .bind(rows::now())
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if !active {
        sqlx::query("delete from sessions where user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("delete from one_time_codes where user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    if changed > 0 {
        audit::append(
            &mut tx,
            &AuditLine {
                actor: Some(by),
                kind: if active {
                    "account_enabled"
                } else {
                    "account_disabled"
                },
                subject: email,
                project: None,
                before: Some(json!({ "active": !active })),
                after: Some(json!({ "active": active })),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Moves projects of facilitator `from` (all of them, or those listed) to facilitator `to`,
/// whose incubator they join, under one new version: both phones follow at their next pull.
/// `None` when `to` is not an active facilitator with an incubator.
pub(super) async fn reassign(
    db: &EngineDb,
    from: Uuid,
    to: Uuid,
    only: Option<&[Uuid]>,
    by: Uuid,
) -> Result<Option<u64>, DbError> {
    let _turn = db.write_turn().await;
    let mut tx = db.begin_write().await?;
    let target: Option<(String, Uuid)> = sqlx::query_as(
        "select u.name, o.id from users u join organisations o on o.id = u.organisation_id
          where u.id = $1 and u.role = 'facilitator' and u.active = true and o.kind = 'incubator'",
    )
    .bind(to)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((to_name, incubator)) = target else {
        return Ok(None);
    };
    let moving: Vec<(Uuid, String, Uuid)> = sqlx::query_as(
        "select id, code, incubator_id from projects
          where facilitator_id = $1 and deleted = false order by code",
    )
    .bind(from)
    .fetch_all(&mut *tx)
    .await?;
    let moving: Vec<_> = moving
        .into_iter()
        .filter(|(id, _, _)| only.is_none_or(|ids| ids.contains(id)))
        .collect();
    if moving.is_empty() || from == to {
        return Ok(Some(0));
    }
    let now = rows::now();
    let version = super::next_version(&mut tx, now).await?;
    let from_name: String = sqlx::query_scalar("select name from users where id = $1")
        .bind(from)
        .fetch_optional(&mut *tx)
        .await?
        .unwrap_or_default();
    for (project, code, old_incubator) in &moving {
        sqlx::query(
            "update projects set facilitator_id = $2, incubator_id = $3, version = $4,
                                 updated_at = $5
              where id = $1",
        )
        .bind(project)
        .bind(to)
        .bind(incubator)
        .bind(version)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            &AuditLine {
                actor: Some(by),
                kind: "project_assigned",
                subject: code.clone(),
                project: Some(*project),
                before: Some(json!({ "facilitator": from_name, "incubator": old_incubator })),
                after: Some(json!({ "facilitator": to_name, "incubator": incubator })),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Some(moving.len() as u64))
}

/// A user's own new password: every session ends (the caller opens a new one for this device).
pub(super) async fn change_password(
    db: &EngineDb,
    user: Uuid,
    password: &PasswordHash,
) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    super::accounts::set_password_on(&mut tx, user, password).await?;
    audit::append(
        &mut tx,
        &AuditLine {
            actor: Some(user),
            kind: "password_changed",
            subject: String::new(),
            project: None,
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every session of a user (a lost phone).
pub(super) async fn sign_out_everywhere(db: &EngineDb, user: Uuid) -> Result<u64, DbError> {
    let mut tx = db.begin_write().await?;
    let ended = sqlx::query("delete from sessions where user_id = $1")
        .bind(user)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    audit::append(
        &mut tx,
        &AuditLine {
            actor: Some(user),
            kind: "signed_out_everywhere",
            subject: String::new(),
            project: None,
            before: Some(json!({ "sessions": ended })),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(ended)
}
