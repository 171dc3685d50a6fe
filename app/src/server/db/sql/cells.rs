//! Writing many rows in few statements, from [`Cell`]s: what a push, the demo load and imports
//! share.

use super::{Conn, Sql};
use crate::server::db::DbError;
use crate::server::db::rows::Cell;

/// Inserts `rows` (each the values of `columns`, in order) into `table`, `chunk` rows per
/// statement, each statement ending with `then` (an `on conflict` clause, or nothing).
pub(super) async fn insert_all(
    tx: &mut Conn,
    table: &str,
    columns: &str,
    rows: Vec<Vec<Cell>>,
    chunk: usize,
    then: &str,
) -> Result<(), DbError> {
    let width = columns.split(',').count();
    let insert = format!("insert into {table} ({columns}) ");
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut q = sqlx::QueryBuilder::new(&insert);
        q.push_values(rows.by_ref().take(chunk), |mut b, cells| {
            debug_assert_eq!(cells.len(), width, "{table}");
            for cell in cells {
                bind(&mut b, cell);
            }
        });
        q.push(then);
        q.build().execute(&mut *tx).await?;
    }
    Ok(())
}

fn bind(b: &mut sqlx::query_builder::Separated<'_, '_, Sql, &'static str>, cell: Cell) {
    match cell {
        Cell::Uuid(v) => b.push_bind(v),
        Cell::Text(v) => b.push_bind(v),
        Cell::Int(v) => b.push_bind(v),
        Cell::Small(v) => b.push_bind(v),
        Cell::Bool(v) => b.push_bind(v),
        Cell::Day(v) => b.push_bind(v),
        Cell::Time(v) => b.push_bind(v),
    };
}
