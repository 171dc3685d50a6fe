//! The programme's spreadsheet: Athar as the import's checks compare with it, and the import
//! itself, in one transaction under one new version (phones get it at their next pull).

use super::{EngineDb, audit, directory, people, push, settings};
use crate::domain::MEMBER_FORM;
use crate::server::db::rows::{self, MEMBER_COLUMNS, StoredMemberRow};
use crate::server::db::store::{StoredMember, StoredRecord};
use crate::server::db::{AuditLine, DbError};
use crate::server::import::{Facilitator, Plan, ProjectFields, Snapshot};
use crate::sync::protocol::MemberRecord;
use serde_json::json;
use time::Date;
use uuid::Uuid;

pub(super) async fn snapshot(db: &EngineDb) -> Result<Snapshot, DbError> {
    let facilitators: Vec<(Uuid, String, Option<Uuid>, bool)> = sqlx::query_as(
        "select id, email, organisation_id, active from users where role = 'facilitator'",
    )
    .fetch_all(&db.pool)
    .await?;
    type ProjectRow = (
        Uuid,
        String,
        String,
        String,
        Uuid,
        Uuid,
        Uuid,
        Option<Uuid>,
        String,
        String,
        i32,
        Option<Uuid>,
        Option<Date>,
        i64,
    );
    let projects: Vec<ProjectRow> = sqlx::query_as(
        "select id, code, title, kind, value_chain_id, locality_id, incubator_id, facilitator_id,
                legal_form, training_track, call_wave, funder_id, contract_signed_on,
                grant_millimes
           from projects where deleted = false",
    )
    .fetch_all(&db.pool)
    .await?;
    let members: Vec<StoredMemberRow> = sqlx::query_as(&format!(
        "select {MEMBER_COLUMNS} from members m where m.deleted = false"
    ))
    .fetch_all(&db.pool)
    .await?;
    let member_form = settings::forms(db)
        .await?
        .into_iter()
        .filter(|f| f.id == MEMBER_FORM)
        .max_by_key(|f| f.version);
    Ok(Snapshot {
        value_chains: directory::value_chains(db).await?,
        places: directory::places(db).await?,
        organisations: people::organisations(db).await?,
        facilitators: facilitators
            .into_iter()
            .map(|(id, email, incubator, active)| Facilitator {
                id,
                email,
                incubator,
                active,
            })
            .collect(),
        projects: projects
            .into_iter()
            .map(|p| {
                (
                    p.0,
                    ProjectFields {
                        code: p.1,
                        title: p.2,
                        kind: p.3,
                        value_chain: p.4,
                        locality: p.5,
                        incubator: p.6,
                        facilitator: p.7,
                        legal_form: p.8,
                        training_track: p.9,
                        call_wave: p.10,
                        funder: p.11,
                        start_date: p.12.map(|d| d.to_string()),
                        grant_millimes: p.13,
                    },
                )
            })
            .collect(),
        members: members
            .into_iter()
            .map(|row| {
                let stored = row.into_stored();
                (stored.record.project_id, stored.record.member)
            })
            .collect(),
        member_form,
    })
}

/// Writes the plan in one transaction under one new version, with one audit line; returns the
/// version.
pub(super) async fn apply(db: &EngineDb, plan: &Plan, by: Uuid) -> Result<i64, DbError> {
    let _turn = db.write_turn().await;
    let mut tx = db.begin_write().await?;
    let now = rows::now();
    let version = super::next_version(&mut tx, now).await?;
    for p in &plan.projects {
        let f = &p.fields;
        let sql = if p.new {
            // Funded projects, as the programme's sheet lists them: under contract.
            "insert into projects (id, code, title, kind, value_chain_id, locality_id, incubator_id,
                facilitator_id, legal_form, training_track, call_wave, funder_id,
                contract_signed_on, grant_millimes, version, status, created_at, updated_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                'contracted', $16, $16)"
        } else {
            "update projects set code = $2, title = $3, kind = $4, value_chain_id = $5,
                locality_id = $6, incubator_id = $7, facilitator_id = $8, legal_form = $9,
                training_track = $10, call_wave = $11, funder_id = $12, contract_signed_on = $13,
                grant_millimes = $14, version = $15, updated_at = $16
              where id = $1"
        };
        sqlx::query(sql)
            .bind(p.id)
            .bind(&f.code)
            .bind(&f.title)
            .bind(&f.kind)
            .bind(f.value_chain)
            .bind(f.locality)
            .bind(f.incubator)
            .bind(f.facilitator)
            .bind(&f.legal_form)
            .bind(&f.training_track)
            .bind(f.call_wave)
            .bind(f.funder)
            .bind(rows::day_opt(f.start_date.as_deref())?)
            .bind(f.grant_millimes)
            .bind(version)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    // Members as a push writes them: the team loaded them, so no phone is behind them and no
    // review waits on them.
    let members: Vec<StoredRecord> = plan
        .members
        .iter()
        .map(|m| {
            StoredRecord::Member(StoredMember {
                record: MemberRecord {
                    project_id: m.project,
                    member: m.member.clone(),
                    version,
                    review: None,
                },
                form_version: Some(plan.member_form_version),
                answers: serde_json::to_string(&m.answers).ok(),
                deleted: false,
                last_device_id: None,
            })
        })
        .collect();
    push::write::write_kind::<MemberRecord>(&mut tx, &members, now).await?;
    let count = |new: bool, projects: bool| {
        if projects {
            plan.projects.iter().filter(|p| p.new == new).count()
        } else {
            plan.members.iter().filter(|m| m.new == new).count()
        }
    };
    audit::append(
        &mut tx,
        &AuditLine {
            actor: Some(by),
            kind: "programme_imported",
            subject: plan.files.join(", "),
            project: None,
            before: None,
            after: Some(json!({
                "projects_new": count(true, true),
                "projects_changed": count(false, true),
                "members_new": count(true, false),
                "members_changed": count(false, false),
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}
