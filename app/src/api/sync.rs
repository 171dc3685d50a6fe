//! Sync: pushing a device's waiting entries, pulling what changed, importing an exported outbox.

#[cfg(feature = "ssr")]
use super::guard;
use crate::error::AppError;
use crate::sync::protocol::{ImportReport, OutboxExport, PullResponse, PushResponse, SyncCall};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// Sends a batch of one client's waiting mutations (`sync::protocol::PushRequest`). Each is
/// applied exactly once, or refused for good with a reason the device shows; the answer comes
/// only once the commit is durable. Viewers have nothing to send.
#[server(prefix = "/api", endpoint = "sync/push", input = Json)]
pub async fn push(call: SyncCall) -> Result<PushResponse, AppError> {
    use crate::server::sync::{PushInput, push};
    use crate::sync::protocol::{MAX_BATCH_MUTATIONS, PushRequest};
    let user = guard::require_user()?;
    let scope = crate::server::auth::project_scope(&user)?;
    let request: PushRequest = guard::open_call(&call)?;
    if request.mutations.len() > MAX_BATCH_MUTATIONS {
        return Err(AppError::TooLarge);
    }
    let state = guard::state()?;
    let store = state.db.begin_push().await?;
    push(
        store,
        PushInput {
            user,
            scope,
            today: guard::today()?.to_string(),
            request,
        },
    )
    .await
}

/// Everything in the user's scope that changed since the device's cookie, from one snapshot
/// (`sync::protocol::PullResponse`), and records the device's heartbeat.
#[server(prefix = "/api", endpoint = "sync/pull", input = Json)]
pub async fn pull(call: SyncCall) -> Result<PullResponse, AppError> {
    use crate::server::db::store::ClientRow;
    use crate::sync::protocol::PullRequest;
    let user = guard::require_user()?;
    let scope = crate::server::auth::project_scope(&user)?;
    let request: PullRequest = guard::open_call(&call)?;
    let db = guard::state()?.db;
    match db.client_owner(request.client_id).await? {
        Some(owner) if owner != user.id => return Err(AppError::Forbidden),
        _ => {}
    }
    db.save_heartbeat(&ClientRow {
        id: request.client_id,
        user_id: user.id,
        last_seq: 0,
        device_id: request.heartbeat.device_id,
        heartbeat: request.heartbeat.clone(),
    })
    .await?;
    Ok(db
        .pull(&user, scope, request.client_id, request.cookie.as_ref())
        .await?)
}

/// Imports a file of a device's unsent entries (*Export my unsent entries*) on behalf of its
/// owner, through the push path: entries the server already has are skipped. The team only.
#[server(prefix = "/api", endpoint = "import_outbox", input = Json)]
pub async fn import_outbox(file: OutboxExport) -> Result<ImportReport, AppError> {
    let team = guard::require_team()?;
    let db = guard::state()?.db;
    let today = guard::today()?.to_string();
    crate::server::sync::import::import(&db, file, &today, team.id).await
}
