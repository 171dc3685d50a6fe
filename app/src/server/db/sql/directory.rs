//! What the team sets up before projects: organisations (archived rather than deleted), places
//! and value chains. Each change writes its audit line in its own transaction; phones get the new
//! lists at their next refresh of what registering a project needs.

use super::{Conn, EngineDb, audit};
use crate::domain::Names;
use crate::domain::people::{Organisation, Place, ValueChain};
use crate::server::db::{AuditLine, DbError, rows};
use serde_json::json;
use uuid::Uuid;

pub(super) async fn places(db: &EngineDb) -> Result<Vec<Place>, DbError> {
    let found: Vec<(Uuid, String, String, String)> = sqlx::query_as(
        "select id, governorate, delegation, name from localities
          order by governorate, delegation, name",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(found
        .into_iter()
        .map(|(id, governorate, delegation, name)| Place {
            id,
            governorate,
            delegation,
            name,
        })
        .collect())
}

pub(super) async fn value_chains(db: &EngineDb) -> Result<Vec<ValueChain>, DbError> {
    let found: Vec<(Uuid, String, String, String, String)> = sqlx::query_as(
        "select id, code, name_fr, name_ar, name_en from value_chains order by code",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(found
        .into_iter()
        .map(|(id, code, fr, ar, en)| ValueChain {
            id,
            code,
            names: Names { fr, ar, en },
        })
        .collect())
}

/// Whether a row of `table` has this id.
async fn exists(conn: &mut Conn, table: &str, id: Uuid) -> Result<bool, DbError> {
    let n: i64 = sqlx::query_scalar(&format!("select count(*) from {table} where id = $1"))
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(n > 0)
}

/// Creates or changes an organisation (checked by the caller).
pub(super) async fn save_organisation(
    db: &EngineDb,
    o: &Organisation,
    by: Uuid,
) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    let now = rows::now();
    let known = exists(&mut tx, "organisations", o.id).await?;
    let sql = if known {
        "update organisations set kind = $2, name = $3, locality_id = $4, updated_at = $5
          where id = $1"
    } else {
        "insert into organisations (id, kind, name, locality_id, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $5)"
    };
    sqlx::query(sql)
        .bind(o.id)
        .bind(&o.kind)
        .bind(&o.name)
        .bind(o.locality)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    audit::append(
        &mut tx,
        &AuditLine {
            actor: Some(by),
            kind: if known {
                "organisation_changed"
            } else {
                "organisation_created"
            },
            subject: o.name.clone(),
            project: None,
            before: None,
            after: Some(json!({ "kind": o.kind, "name": o.name, "locality": o.locality })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Archives an organisation (it stays wherever it is named, and is offered no more) or brings it
/// back; false for an unknown one.
pub(super) async fn set_archived(
    db: &EngineDb,
    id: Uuid,
    archived: bool,
    by: Uuid,
) -> Result<bool, DbError> {
    let mut tx = db.begin_write().await?;
    let now = rows::now();
    let name: Option<String> = sqlx::query_scalar("select name from organisations where id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(name) = name else {
        return Ok(false);
    };
    let changed = sqlx::query(if archived {
        "update organisations set archived_at = $2, updated_at = $2
          where id = $1 and archived_at is null"
    } else {
        "update organisations set archived_at = null, updated_at = $2
          where id = $1 and archived_at is not null"
    })
    .bind(id)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed > 0 {
        audit::append(
            &mut tx,
            &AuditLine {
                actor: Some(by),
                kind: if archived {
                    "organisation_archived"
                } else {
                    "organisation_restored"
                },
                subject: name,
                project: None,
                before: None,
                after: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Creates or changes a place (checked by the caller).
pub(super) async fn save_place(db: &EngineDb, p: &Place, by: Uuid) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    let known = exists(&mut tx, "localities", p.id).await?;
    let sql = if known {
        "update localities set governorate = $2, delegation = $3, name = $4, updated_at = $5
          where id = $1"
    } else {
        "insert into localities (id, governorate, delegation, name, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $5)"
    };
    sqlx::query(sql)
        .bind(p.id)
        .bind(&p.governorate)
        .bind(&p.delegation)
        .bind(&p.name)
        .bind(rows::now())
        .execute(&mut *tx)
        .await?;
    audit::append(
        &mut tx,
        &AuditLine {
            actor: Some(by),
            kind: if known {
                "place_changed"
            } else {
                "place_created"
            },
            subject: p.name.clone(),
            project: None,
            before: None,
            after: Some(json!({
                "governorate": p.governorate, "delegation": p.delegation, "name": p.name,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Creates or changes a value chain (checked by the caller); a code in use is
/// [`DbError::AlreadyExists`].
pub(super) async fn save_value_chain(
    db: &EngineDb,
    v: &ValueChain,
    by: Uuid,
) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    let known = exists(&mut tx, "value_chains", v.id).await?;
    let sql = if known {
        "update value_chains set code = $2, name_fr = $3, name_ar = $4, name_en = $5,
                                 updated_at = $6
          where id = $1"
    } else {
        "insert into value_chains (id, code, name_fr, name_ar, name_en, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $6)"
    };
    sqlx::query(sql)
        .bind(v.id)
        .bind(&v.code)
        .bind(&v.names.fr)
        .bind(&v.names.ar)
        .bind(&v.names.en)
        .bind(rows::now())
        .execute(&mut *tx)
        .await?;
    audit::append(
        &mut tx,
        &AuditLine {
            actor: Some(by),
            kind: if known {
                "value_chain_changed"
            } else {
                "value_chain_created"
            },
            subject: v.code.clone(),
            project: None,
            before: None,
            after: Some(json!({
                "code": v.code, "fr": v.names.fr, "ar": v.names.ar, "en": v.names.en,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
