//! What the database knows of each record kind that phones sync: its table, its columns, who sees
//! it, and how its rows turn into records and back. Pull, load and write (`sql/pull.rs`,
//! `sql/push/`) are written once over these two traits; each kind states itself beside its row.

use crate::server::db::DbError;
use crate::server::db::store::{StoredKind, StoredRecord};
use crate::sync::protocol::{Record, RecordKind};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// Where a record kind lives.
pub(in crate::server::db) struct Table {
    pub kind: RecordKind,
    pub name: &'static str,
    /// The alias [`Table::columns`] are written on.
    pub alias: &'static str,
    /// The columns of the kind's [`Synced::Row`].
    pub columns: &'static str,
    /// The column naming a draft's author, when drafts are their author's alone (as visits,
    /// entries and values are): nobody else pulls them.
    pub draft_owner: Option<&'static str>,
    /// Whether the table belongs to a project (`project_id`); only projects themselves do not.
    pub in_project: bool,
    /// How pulled rows are ordered, if it matters.
    pub order: &'static str,
}

impl Table {
    /// A table of records that belong to a project, drafts visible to all in scope.
    pub const fn of_project(
        kind: RecordKind,
        name: &'static str,
        alias: &'static str,
        columns: &'static str,
    ) -> Table {
        Table {
            kind,
            name,
            alias,
            columns,
            draft_owner: None,
            in_project: true,
            order: "",
        }
    }

    /// The same table, where a draft is its author's alone (named by `column`): nobody else
    /// pulls it.
    pub const fn drafts_of(self, column: &'static str) -> Table {
        Table {
            draft_owner: Some(column),
            ..self
        }
    }

    /// `from …` a pull reads, joined to `projects p` so that the scope rule applies (a record of
    /// a removed project is not pulled).
    pub fn scoped_from(&self) -> String {
        if self.in_project {
            format!(
                "{} {a} join projects p on p.id = {a}.project_id and p.deleted = false",
                self.name,
                a = self.alias
            )
        } else {
            format!("{} {}", self.name, self.alias)
        }
    }
}

/// A record kind as the database reads it.
pub(in crate::server::db) trait Synced {
    const TABLE: Table;
    type Row: Send + Unpin;

    /// The record as the push engine works on it.
    fn stored(row: Self::Row) -> StoredRecord;
}

/// A record kind as a push writes it back: one upsert per chunk of records.
pub(in crate::server::db) trait Written: Synced {
    /// The columns a write sets, in the order of [`Written::cells`] (`created_at` and
    /// `updated_at` follow).
    const WRITES: &'static str;
    /// The columns a write over an existing row replaces (`updated_at` too).
    const UPDATES: &'static str;
    /// Records per statement, within both engines' bind-parameter limits.
    const CHUNK: usize = 200;

    /// The record as the push engine holds it.
    type Stored: StoredKind;

    /// The values of [`Written::WRITES`] for `record`. Days are checked here, before any
    /// statement is built, so a bad one never half-builds a statement.
    fn cells(record: &Self::Stored) -> Result<Vec<Cell>, DbError>;
}

/// A record as a phone receives it: a tombstone once deleted; a member without private answers
/// unless the puller may read them (see [`super::sees_private`]).
pub(in crate::server::db) fn pulled(record: StoredRecord, private: bool) -> Record {
    let (kind, id) = record.key();
    match record {
        StoredRecord::Visit(v) if !v.deleted => Record::Visit(v.visit),
        StoredRecord::Action(a) if !a.deleted => Record::Action(a.item),
        StoredRecord::Member(mut m) if !m.deleted => {
            if !private {
                m.record.member.private = None;
            }
            Record::Member(m.record)
        }
        StoredRecord::Entry(e) if !e.deleted => Record::Entry(e.entry),
        StoredRecord::Project(p) if !p.deleted => Record::Project(p.record),
        StoredRecord::Milestone(m) if !m.deleted => Record::Milestone(m.milestone),
        StoredRecord::Value(v) if !v.deleted => Record::Value(v.value),
        _ => Record::Deleted { of: kind, id },
    }
}

/// One value to bind, whatever the engine.
pub(in crate::server::db) enum Cell {
    Uuid(Option<Uuid>),
    Text(Option<String>),
    Int(Option<i64>),
    Small(Option<i32>),
    Bool(Option<bool>),
    Day(Option<Date>),
    Time(Option<OffsetDateTime>),
}

/// `From` a value and from an optional value, for each type a cell holds.
macro_rules! cells_from {
    ($($held:ty => $variant:ident),* $(,)?) => {$(
        impl From<$held> for Cell {
            fn from(v: $held) -> Self {
                Cell::$variant(Some(v))
            }
        }

        impl From<Option<$held>> for Cell {
            fn from(v: Option<$held>) -> Self {
                Cell::$variant(v)
            }
        }
    )*};
}

cells_from!(
    Uuid => Uuid,
    String => Text,
    i64 => Int,
    i32 => Small,
    bool => Bool,
    Date => Day,
    OffsetDateTime => Time,
);

impl From<&str> for Cell {
    fn from(v: &str) -> Self {
        Cell::Text(Some(v.to_owned()))
    }
}
