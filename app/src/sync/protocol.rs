//! The wire protocol of sync, version [`PROTOCOL_VERSION`].
//!
//! Both calls travel as a [`SyncCall`]: the protocol and schema versions, then the body as raw
//! JSON. The server reads the versions first and decodes the body only if it speaks them, so an
//! old app still cached on a phone gets a typed "update needed" answer instead of a decoding error
//! (and never the chance to write data in a shape the server no longer means).
//!
//! Mutations keep their arguments as raw JSON too: the phone stores each mutation as the JSON it
//! will send, and builds a push by joining stored strings, without decoding them again.

use crate::domain::{ActionItem, FormEntry, Member, Milestone, Visit};
pub use crate::domain::{ProjectRecord, RecordKind};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use uuid::Uuid;

/// Bumped when the shape of a call changes in a way an older peer cannot read.
pub const PROTOCOL_VERSION: u32 = 1;
/// Bumped when the records or mutation arguments change meaning.
pub const SCHEMA_VERSION: u32 = 1;

/// The most mutations one push may carry.
pub const MAX_BATCH_MUTATIONS: usize = 500;
/// The most bytes of (uncompressed) JSON one push may carry.
pub const MAX_BATCH_BYTES: usize = 1024 * 1024;

/// The envelope of `push` and `pull`: versions first, body decoded only once they match.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SyncCall {
    /// Missing in a request from an app too old to know about versions: 0.
    #[serde(default)]
    pub protocol: u32,
    #[serde(default)]
    pub schema: u32,
    pub body: Box<RawValue>,
}

/// One change a user made, waiting on the device until the server has it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Mutation {
    pub client_id: Uuid,
    /// 1, 2, 3… per client, without gaps.
    pub seq: u64,
    /// A registered mutation type (`visit.save`, `action.add`…).
    pub name: String,
    pub args: Box<RawValue>,
    /// When the user made it, Unix milliseconds on the device's clock.
    pub created_at: i64,
}

/// The `format` of an [`OutboxExport`] file.
pub const EXPORT_FORMAT: &str = "athar-outbox";

/// *Export my unsent entries*: a file of one user's waiting mutations on one device, which the
/// team imports through the same path as a push (so an entry already on the server is skipped).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OutboxExport {
    pub format: String,
    pub protocol: u32,
    pub schema: u32,
    pub user_id: Uuid,
    /// Unix ms, by the device's clock.
    pub exported_at: i64,
    /// The device as it was when the file was made.
    pub heartbeat: Heartbeat,
    pub clients: Vec<ExportedClient>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ExportedClient {
    pub client_id: Uuid,
    pub mutations: Vec<Mutation>,
}

/// What an import did, for the team.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub user_name: String,
    /// Entries in the file.
    pub entries: u32,
    /// Of those, how many the server now has (imported now, or earlier by a sync).
    pub on_server: u32,
    pub refused: u32,
    pub conflicts: u32,
}

/// What every call tells the server about the device, for the team's *Sync status* page.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Heartbeat {
    /// One per browser profile (a phone), shared by its tabs.
    pub device_id: Uuid,
    /// A name a person can recognise ("Chrome on Android").
    pub device_label: String,
    /// The build of the app that sent it.
    pub app_version: String,
    /// Mutations waiting on the device, all of this user's.
    pub pending: u32,
    /// Unix ms when the oldest waiting mutation was made.
    pub oldest_pending_at: Option<i64>,
    /// Unix ms of the last sync that went through.
    pub last_success_at: Option<i64>,
    /// The app's own count of its localStorage bytes (the browser does not report them).
    pub storage_bytes: u64,
    /// The budget those bytes count against.
    pub storage_budget: u64,
    /// The answer to `navigator.storage.persist()`, if the browser gave one.
    pub storage_persistent: Option<bool>,
    /// Browser family ("chrome", "firefox", "safari", "samsung", "other").
    pub browser: String,
    /// Evidence files still on the device, waiting to be sent, as its last sync counted them
    /// (an older app says nothing: 0).
    #[serde(default)]
    pub files_waiting: u32,
    /// Their bytes.
    #[serde(default)]
    pub files_waiting_bytes: u64,
}

/// The body of `push`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PushRequest {
    pub client_id: Uuid,
    pub mutations: Vec<Mutation>,
    pub heartbeat: Heartbeat,
}

/// Why the server will never apply a mutation. Delivered to the device and shown next to the entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub seq: u64,
    /// `invalid`, `forbidden`, `not_found`, `unknown_mutation`, `malformed`, `rejected`…
    pub code: String,
    /// The field at fault, when there is one.
    pub field: Option<String>,
}

/// The answer to `push`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// Every mutation of this client up to here is on the server (applied, conflicting or
    /// refused): the device may drop them once it has pulled.
    pub last_seq: u64,
    /// Refusals among the mutations of this batch (replays included, so a lost answer is not a
    /// lost refusal).
    pub refused: Vec<Refusal>,
    /// Sequence numbers applied as conflicts: kept, flagged, for a supervisor to resolve.
    pub conflicts: Vec<u64>,
    /// The batch stopped here because a mutation was missing before this one.
    pub gap_at: Option<u64>,
}

/// Where a device's copy of the scope stands: opaque to the device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cookie {
    /// The global version the device has seen everything up to.
    pub version: i64,
    /// A fingerprint of the user's scope at that time; when it changes, the next pull is whole.
    pub scope: String,
}

/// The body of `pull`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PullRequest {
    pub client_id: Uuid,
    pub cookie: Option<Cookie>,
    pub heartbeat: Heartbeat,
}

/// A member as the device keeps it, under its project.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRecord {
    pub project_id: Uuid,
    pub member: Member,
    pub version: i64,
    /// A supervisor's decision on this version; `None` while it waits for one (or, for members
    /// the team loaded, needs none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<crate::domain::ReviewNote>,
}

/// One row of the scope that changed since the cookie. Externally tagged (`{"visit": {…}}`):
/// serde decodes that without buffering, which keeps the WASM smaller than a `kind` field would.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
// Only 64-bit targets reach the lint's threshold (the phone's WASM is 32-bit).
#[allow(
    clippy::large_enum_variant,
    reason = "most records on a phone are visits: boxing them would add an allocation to each"
)]
pub enum Record {
    Project(ProjectRecord),
    Member(MemberRecord),
    Visit(Visit),
    Action(ActionItem),
    Entry(FormEntry),
    Milestone(Milestone),
    Value(crate::domain::indicator::value::IndicatorValue),
    /// A row that was deleted: the device drops its copy.
    Deleted {
        of: RecordKind,
        id: Uuid,
    },
}

/// A kind of record as the phone holds it: which [`Record`] variant carries it. Lets the local
/// view read any kind with one generic accessor instead of a getter per kind.
pub trait Kind: Sized {
    const KIND: RecordKind;
    fn within(record: &Record) -> Option<&Self>;
}

/// `Kind` for each variant of [`Record`]: the variant and the type it carries.
macro_rules! record_kinds {
    ($($variant:ident($carried:ty)),* $(,)?) => {$(
        impl Kind for $carried {
            const KIND: RecordKind = RecordKind::$variant;
            fn within(record: &Record) -> Option<&Self> {
                match record {
                    Record::$variant(r) => Some(r),
                    _ => None,
                }
            }
        }
    )*};
}

record_kinds!(
    Project(ProjectRecord),
    Member(MemberRecord),
    Visit(Visit),
    Action(ActionItem),
    Entry(FormEntry),
    Milestone(Milestone),
    Value(crate::domain::indicator::value::IndicatorValue),
);

impl Record {
    pub fn key(&self) -> (RecordKind, Uuid) {
        match self {
            Record::Project(p) => (RecordKind::Project, p.id),
            Record::Member(m) => (RecordKind::Member, m.member.id),
            Record::Visit(v) => (RecordKind::Visit, v.id),
            Record::Action(a) => (RecordKind::Action, a.id),
            Record::Entry(e) => (RecordKind::Entry, e.id),
            Record::Milestone(m) => (RecordKind::Milestone, m.id),
            Record::Value(v) => (RecordKind::Value, v.id),
            Record::Deleted { of, id } => (*of, *id),
        }
    }

    /// The project the record belongs to (a project, itself).
    /// The evidence files the record names.
    pub fn files(&self) -> &[crate::domain::evidence::Evidence] {
        match self {
            Record::Visit(v) => &v.fields.files,
            Record::Entry(e) => &e.files,
            Record::Milestone(m) => &m.files,
            Record::Value(v) => &v.files,
            _ => &[],
        }
    }

    pub fn project_id(&self) -> Option<Uuid> {
        match self {
            Record::Project(p) => Some(p.id),
            Record::Member(m) => Some(m.project_id),
            Record::Visit(v) => Some(v.fields.project_id),
            Record::Action(a) => Some(a.project_id),
            Record::Entry(e) => Some(e.project_id),
            Record::Milestone(m) => Some(m.project_id),
            Record::Value(v) => Some(v.project_id),
            Record::Deleted { .. } => None,
        }
    }
}

/// The answer to `pull`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullResponse {
    pub cookie: Cookie,
    /// The last mutation of the calling client the server has.
    pub last_seq: u64,
    /// The scope changed: these records are the whole scope, drop everything else.
    pub reset: bool,
    pub records: Vec<Record>,
    /// The latest version of each form (`id:version,…`, by id). When it differs from what the
    /// device last fetched, the device fetches the forms again (`list_forms`).
    #[serde(default)]
    pub forms: String,
}

/// A [`PullResponse`] as the phone reads it: each record kept as its text until it is stored,
/// a slice at a time (decoding hundreds of records at once held the page for one long task).
#[derive(Debug, Deserialize)]
pub struct PullReply {
    pub cookie: Cookie,
    pub reset: bool,
    pub records: Vec<Box<serde_json::value::RawValue>>,
    #[serde(default)]
    pub forms: String,
}

/// The `forms` of a [`PullResponse`]: each form's latest version, by id.
pub fn forms_fingerprint<'a>(latest: impl IntoIterator<Item = (&'a str, u32)>) -> String {
    let mut pairs: Vec<(&str, u32)> = latest.into_iter().collect();
    pairs.sort_unstable();
    pairs
        .iter()
        .map(|(id, v)| format!("{id}:{v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The scope fingerprint of a cookie: the user, the role and the sorted project ids. Stable across
/// server instances and restarts (no random hasher), so any instance can read any cookie.
pub fn scope_fingerprint(user: Uuid, role: &str, projects: &[Uuid]) -> String {
    // FNV-1a, 64 bits: not a security boundary (the server recomputes the scope on every pull),
    // only a change detector.
    let mut sorted = projects.to_vec();
    sorted.sort_unstable();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    eat(user.as_bytes());
    eat(role.as_bytes());
    for p in &sorted {
        eat(p.as_bytes());
    }
    format!("{h:016x}-{}", sorted.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scope_fingerprint_ignores_order_and_sees_any_change() {
        let u = Uuid::from_u128(1);
        let (a, b, c) = (Uuid::from_u128(2), Uuid::from_u128(3), Uuid::from_u128(4));
        let ab = scope_fingerprint(u, "facilitator", &[a, b]);
        assert_eq!(ab, scope_fingerprint(u, "facilitator", &[b, a]));
        assert_ne!(ab, scope_fingerprint(u, "facilitator", &[a, c]));
        assert_ne!(ab, scope_fingerprint(u, "facilitator", &[a]));
        assert_ne!(ab, scope_fingerprint(u, "supervisor", &[a, b]));
    }

    #[test]
    fn a_call_without_versions_reads_as_version_zero() {
        let call: SyncCall = serde_json::from_str(r#"{"body":{"x":1}}"#).unwrap();
        assert_eq!((call.protocol, call.schema), (0, 0));
        assert_eq!(call.body.get(), r#"{"x":1}"#);
    }
}
