//! Loading the records a push touches, by kind.

use super::Conn;
use crate::server::db::{DbError, rows};
use uuid::Uuid;

pub(super) async fn load(
    tx: &mut Conn,
    keys: &[(crate::sync::protocol::RecordKind, Uuid)],
) -> Result<Vec<crate::server::sync::store::StoredRecord>, DbError> {
    use crate::server::sync::store::StoredRecord;
    use crate::sync::protocol::RecordKind;
    use rows::{ACTION_COLUMNS, ActionRow, VISIT_COLUMNS, VisitRow};
    let ids_of = |kind| {
        keys.iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, id)| *id)
            .collect::<Vec<_>>()
    };
    let mut out = Vec::new();
    for chunk in ids_of(RecordKind::Visit).chunks(rows::INSERT_CHUNK) {
        let mut q = sqlx::QueryBuilder::new(format!(
            "select {VISIT_COLUMNS} from visits v where v.id in ("
        ));
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        q.push(")");
        let rows: Vec<VisitRow> = q.build_query_as().fetch_all(&mut *tx).await?;
        out.extend(
            rows.into_iter()
                .map(|r| StoredRecord::Visit(r.into_stored())),
        );
    }
    for chunk in ids_of(RecordKind::Action).chunks(rows::INSERT_CHUNK) {
        let mut q = sqlx::QueryBuilder::new(format!(
            "select {ACTION_COLUMNS} from action_items a where a.id in ("
        ));
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        q.push(")");
        let rows: Vec<ActionRow> = q.build_query_as().fetch_all(&mut *tx).await?;
        out.extend(
            rows.into_iter()
                .map(|r| StoredRecord::Action(r.into_stored())),
        );
    }
    for chunk in ids_of(RecordKind::Member).chunks(rows::INSERT_CHUNK) {
        use rows::{MEMBER_COLUMNS, StoredMemberRow};
        let mut q = sqlx::QueryBuilder::new(format!(
            "select {MEMBER_COLUMNS} from members m where m.id in ("
        ));
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        q.push(")");
        let rows: Vec<StoredMemberRow> = q.build_query_as().fetch_all(&mut *tx).await?;
        out.extend(
            rows.into_iter()
                .map(|r| StoredRecord::Member(r.into_stored())),
        );
    }
    for chunk in ids_of(RecordKind::Project).chunks(rows::INSERT_CHUNK) {
        use rows::{PROJECT_COLUMNS, PulledProject};
        let mut q = sqlx::QueryBuilder::new(format!(
            "select {PROJECT_COLUMNS} from projects p where p.id in ("
        ));
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        q.push(")");
        let rows: Vec<PulledProject> = q.build_query_as().fetch_all(&mut *tx).await?;
        out.extend(rows.into_iter().map(|r| {
            let deleted = r.deleted;
            StoredRecord::Project(crate::server::sync::store::StoredProject {
                record: r.into_record(),
                deleted,
                placement: None,
            })
        }));
    }
    for chunk in ids_of(RecordKind::Milestone).chunks(rows::INSERT_CHUNK) {
        use rows::{MILESTONE_COLUMNS, MilestoneRow};
        let mut q = sqlx::QueryBuilder::new(format!(
            "select {MILESTONE_COLUMNS} from milestones ms where ms.id in ("
        ));
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        q.push(")");
        let rows: Vec<MilestoneRow> = q.build_query_as().fetch_all(&mut *tx).await?;
        out.extend(
            rows.into_iter()
                .map(|r| StoredRecord::Milestone(r.into_stored())),
        );
    }
    for chunk in ids_of(RecordKind::Entry).chunks(rows::INSERT_CHUNK) {
        use rows::{ENTRY_COLUMNS, EntryRow};
        let mut q = sqlx::QueryBuilder::new(format!(
            "select {ENTRY_COLUMNS} from form_entries e where e.id in ("
        ));
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        q.push(")");
        let rows: Vec<EntryRow> = q.build_query_as().fetch_all(&mut *tx).await?;
        out.extend(
            rows.into_iter()
                .map(|r| StoredRecord::Entry(r.into_stored())),
        );
    }
    for chunk in ids_of(RecordKind::Value).chunks(rows::INSERT_CHUNK) {
        use rows::{VALUE_COLUMNS, ValueRow};
        let mut q = sqlx::QueryBuilder::new(format!(
            "select {VALUE_COLUMNS} from indicator_values iv where iv.id in ("
        ));
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        q.push(")");
        let rows: Vec<ValueRow> = q.build_query_as().fetch_all(&mut *tx).await?;
        out.extend(
            rows.into_iter()
                .map(|r| StoredRecord::Value(r.into_stored())),
        );
    }
    Ok(out)
}
