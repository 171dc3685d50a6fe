//! Sync clients: heartbeats and who owns a client.

use super::{EngineDb, Sql};
use crate::server::db::{DbError, rows};
use time::OffsetDateTime;
use uuid::Uuid;

pub(super) async fn device_statuses(
    db: &EngineDb,
) -> Result<Vec<crate::domain::DeviceStatus>, DbError> {
    use rows::unix_ms;
    type Row = (
        Uuid,
        Uuid,
        String,
        String,
        String,
        String,
        String,
        i32,
        Option<OffsetDateTime>,
        Option<OffsetDateTime>,
        OffsetDateTime,
        i64,
        i64,
        Option<bool>,
        i32,
        i64,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "select c.device_id, c.user_id, u.name, u.role, c.device_label, c.app_version,
                c.browser, c.pending_count, c.oldest_pending_at, c.device_last_success_at,
                c.last_seen_at, c.storage_bytes, c.storage_budget, c.storage_persistent,
                c.files_waiting, c.files_waiting_bytes
           from sync_clients c join users u on u.id = c.user_id
          order by c.last_seen_at desc",
    )
    .fetch_all(&db.pool)
    .await?;
    // A device's tabs each have a client: the latest heartbeat speaks for the device.
    let mut seen = std::collections::HashSet::new();
    Ok(rows
        .into_iter()
        .filter(|r| seen.insert((r.0, r.1)))
        .map(
            |(
                device_id,
                _,
                user_name,
                role,
                label,
                app_version,
                browser,
                pending,
                oldest,
                last_success,
                last_seen,
                bytes,
                budget,
                persistent,
                files,
                files_bytes,
            )| {
                crate::domain::DeviceStatus {
                    device_id,
                    label,
                    user_name,
                    role: crate::domain::Role::parse(&role).unwrap_or(crate::domain::Role::Viewer),
                    app_version,
                    browser,
                    pending: u32::try_from(pending).unwrap_or(0),
                    oldest_pending_at: oldest.map(unix_ms),
                    last_success_at: last_success.map(unix_ms),
                    last_seen_at: unix_ms(last_seen),
                    storage_bytes: u64::try_from(bytes).unwrap_or(0),
                    storage_budget: u64::try_from(budget).unwrap_or(0),
                    storage_persistent: persistent,
                    files_waiting: u32::try_from(files).unwrap_or(0),
                    files_waiting_bytes: u64::try_from(files_bytes).unwrap_or(0),
                    flags: Vec::new(),
                }
            },
        )
        .collect())
}

pub(super) async fn client_owner(db: &EngineDb, client: Uuid) -> Result<Option<Uuid>, DbError> {
    Ok(
        sqlx::query_scalar("select user_id from sync_clients where id = $1")
            .bind(client)
            .fetch_optional(&db.pool)
            .await?,
    )
}

pub(super) async fn save_heartbeat(
    db: &EngineDb,
    client: &crate::server::db::store::ClientRow,
) -> Result<(), DbError> {
    let _turn = db.write_turn().await;
    save_client(&db.pool, client, false).await
}

/// Inserts or updates a client with its latest heartbeat; `last_seq` too when `with_seq`.
/// The device a new client row is bound to (`$1` the client, `$2` its user, `$3` the device its
/// request names): that device, unless it was seen with another user before, in which case the
/// client is a device of its own. Fixed once the row exists.
pub(super) const BOUND_DEVICE: &str = "case when exists (select 1 from sync_clients s
        where s.device_id = $3 and s.user_id <> $2) then $1 else $3 end";

pub(super) async fn save_client<'c, E>(
    executor: E,
    client: &crate::server::db::store::ClientRow,
    with_seq: bool,
) -> Result<(), DbError>
where
    E: sqlx::Executor<'c, Database = Sql>,
{
    use rows::from_unix_ms;
    let now = rows::now();
    let h = &client.heartbeat;
    let sql = format!(
                "insert into sync_clients (id, user_id, device_id, last_seq, device_label, app_version,
                    pending_count, oldest_pending_at, device_last_success_at, storage_bytes,
                    storage_budget, storage_persistent, browser, files_waiting, files_waiting_bytes,
                    last_seen_at, created_at, updated_at)
                 values ($1, $2, {BOUND_DEVICE}, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
                         $14, $15, $16, $16, $16)
                 on conflict (id) do update set device_label = excluded.device_label, app_version = excluded.app_version,
                    pending_count = excluded.pending_count,
                    oldest_pending_at = excluded.oldest_pending_at,
                    device_last_success_at = excluded.device_last_success_at,
                    storage_bytes = excluded.storage_bytes, storage_budget = excluded.storage_budget,
                    storage_persistent = excluded.storage_persistent, browser = excluded.browser,
                    files_waiting = excluded.files_waiting,
                    files_waiting_bytes = excluded.files_waiting_bytes,
                    last_seen_at = excluded.last_seen_at, updated_at = excluded.updated_at{}",
                if with_seq { ", last_seq = excluded.last_seq" } else { "" }
            );
    let clip = |s: &str, n: usize| s.chars().take(n).collect::<String>();
    sqlx::query(&sql)
        .bind(client.id)
        .bind(client.user_id)
        .bind(client.device_id)
        .bind(i64::try_from(client.last_seq).unwrap_or(i64::MAX))
        .bind(clip(&h.device_label, 120))
        .bind(clip(&h.app_version, 60))
        .bind(i64::from(h.pending))
        .bind(from_unix_ms(h.oldest_pending_at))
        .bind(from_unix_ms(h.last_success_at))
        .bind(i64::try_from(h.storage_bytes).unwrap_or(i64::MAX))
        .bind(i64::try_from(h.storage_budget).unwrap_or(i64::MAX))
        .bind(h.storage_persistent)
        .bind(clip(&h.browser, 40))
        .bind(i64::from(h.files_waiting))
        .bind(i64::try_from(h.files_waiting_bytes).unwrap_or(i64::MAX))
        .bind(now)
        .execute(executor)
        .await?;
    Ok(())
}
