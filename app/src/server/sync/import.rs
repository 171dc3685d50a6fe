//! The team imports a file of a device's unsent entries (*Export my unsent entries*): each
//! client's mutations go through [`super::push`], as that device's owner, in batches of the usual
//! size. Replays are skipped there, so importing a file twice, or importing it and then letting
//! the phone sync, still applies each entry once.

use super::engine::{PushInput, push};
use crate::error::AppError;
use crate::server::auth::project_scope;
use crate::server::db::Db;
use crate::sync::protocol::{
    EXPORT_FORMAT, ImportReport, MAX_BATCH_MUTATIONS, OutboxExport, PROTOCOL_VERSION, PushRequest,
    SCHEMA_VERSION,
};

/// Imports `file` for its owner, `by` (the team member) importing it: an audit line says who
/// imported whose entries and how many reached the server.
pub async fn import(
    db: &Db,
    file: OutboxExport,
    today: &str,
    by: uuid::Uuid,
) -> Result<ImportReport, AppError> {
    if file.format != EXPORT_FORMAT {
        return Err(AppError::Invalid {
            field: "format".into(),
            code: "not_an_export".into(),
        });
    }
    if file.protocol != PROTOCOL_VERSION || file.schema != SCHEMA_VERSION {
        return Err(AppError::UpdateNeeded);
    }
    // A disabled account's file is imported too: what its phone made while it was active is
    // not lost.
    let owner = db
        .account_by_id(file.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let scope = project_scope(&owner)?;
    let mut heartbeat = file.heartbeat;
    heartbeat.device_label = format!("{} (imported file)", heartbeat.device_label);
    let mut report = ImportReport {
        user_name: owner.name.clone(),
        ..ImportReport::default()
    };
    // Every client of the file must be one the server already knows as the named owner's (each
    // phone syncs at its first sign-in): a file written in a colleague's name, or with clients
    // made up for the occasion, is refused whole, before anything is applied.
    for client in &file.clients {
        if db.client_owner(client.client_id).await? != Some(owner.id) {
            return Err(AppError::Forbidden);
        }
    }
    for client in file.clients {
        let mut mutations = client.mutations;
        if mutations.iter().any(|m| m.client_id != client.client_id) {
            return Err(AppError::Invalid {
                field: "client_id".into(),
                code: "mixed".into(),
            });
        }
        mutations.sort_by_key(|m| m.seq);
        report.entries += u32::try_from(mutations.len()).unwrap_or(u32::MAX);
        let mut last_seq = 0;
        for batch in mutations.chunks(MAX_BATCH_MUTATIONS) {
            let reply = push(
                db.begin_push().await?,
                PushInput {
                    user: owner.clone(),
                    scope,
                    today: today.into(),
                    request: PushRequest {
                        client_id: client.client_id,
                        mutations: batch.to_vec(),
                        heartbeat: heartbeat.clone(),
                    },
                },
            )
            .await?;
            last_seq = reply.last_seq;
            report.refused += u32::try_from(reply.refused.len()).unwrap_or(0);
            report.conflicts += u32::try_from(reply.conflicts.len()).unwrap_or(0);
            if reply.gap_at.is_some() {
                break;
            }
        }
        report.on_server +=
            u32::try_from(mutations.iter().filter(|m| m.seq <= last_seq).count()).unwrap_or(0);
    }
    db.append_audit(&crate::server::db::AuditLine {
        actor: Some(by),
        kind: "outbox_imported",
        subject: owner.email.clone(),
        project: None,
        before: None,
        after: Some(serde_json::json!({
            "entries": report.entries,
            "on_server": report.on_server,
            "refused": report.refused,
            "conflicts": report.conflicts,
        })),
    })
    .await?;
    Ok(report)
}
