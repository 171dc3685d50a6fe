//! Loading the records a push touches, each kind in chunks of ids.

use super::{Conn, Sql};
use crate::domain::indicator::value::IndicatorValue;
use crate::domain::{ActionItem, FormEntry, Milestone, Visit};
use crate::server::db::DbError;
use crate::server::db::rows::{INSERT_CHUNK, Synced};
use crate::server::db::store::StoredRecord;
use crate::sync::protocol::{MemberRecord, ProjectRecord, RecordKind};
use uuid::Uuid;

pub(super) async fn load(
    tx: &mut Conn,
    keys: &[(RecordKind, Uuid)],
) -> Result<Vec<StoredRecord>, DbError> {
    let mut out = Vec::new();
    load_kind::<Visit>(tx, keys, &mut out).await?;
    load_kind::<ActionItem>(tx, keys, &mut out).await?;
    load_kind::<MemberRecord>(tx, keys, &mut out).await?;
    load_kind::<ProjectRecord>(tx, keys, &mut out).await?;
    load_kind::<Milestone>(tx, keys, &mut out).await?;
    load_kind::<FormEntry>(tx, keys, &mut out).await?;
    load_kind::<IndicatorValue>(tx, keys, &mut out).await?;
    Ok(out)
}

/// The records of kind `K` among `keys`.
async fn load_kind<K: Synced>(
    tx: &mut Conn,
    keys: &[(RecordKind, Uuid)],
    out: &mut Vec<StoredRecord>,
) -> Result<(), DbError>
where
    K::Row: for<'r> sqlx::FromRow<'r, <Sql as sqlx::Database>::Row>,
{
    let ids: Vec<Uuid> = keys
        .iter()
        .filter(|(kind, _)| *kind == K::TABLE.kind)
        .map(|(_, id)| *id)
        .collect();
    for chunk in ids.chunks(INSERT_CHUNK) {
        let mut q = sqlx::QueryBuilder::new(format!(
            "select {columns} from {table} {a} where {a}.id in (",
            columns = K::TABLE.columns,
            table = K::TABLE.name,
            a = K::TABLE.alias
        ));
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        q.push(")");
        let rows: Vec<K::Row> = q.build_query_as().fetch_all(&mut *tx).await?;
        out.extend(rows.into_iter().map(K::stored));
    }
    Ok(())
}
