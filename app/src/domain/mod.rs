//! The domain in plain Rust: wire types shared by the server and the browser, and the rules that
//! both sides must apply identically (Washington Group derivation, money, dates). No I/O here, so
//! native tests reach everything.

pub mod audit;
pub mod dates;
pub mod device;
pub mod entry;
pub mod evidence;
pub mod form;
pub mod import;
pub mod indicator;
pub mod member;
pub mod milestone;
pub mod money;
pub mod people;
pub mod project;
pub mod registry;
pub mod risk;
pub mod timeline;
pub mod user;
pub mod visit;
pub mod visit_form;
pub mod vocabulary;

pub use device::{DeviceFlag, DeviceSort, DeviceStatus};
pub use entry::{FormEntry, SaveEntryArgs};
pub use member::{
    MEMBER_FORM, Member, MemberLeaves, MemberPrivate, SaveMemberArgs, Sex, WgAnswer, WgAnswers,
};
pub use milestone::{Milestone, SaveMilestoneArgs};
pub use project::{
    ChangeProjectStatus, EditProject, NewProject, ProgrammeSummary, ProjectCard, ProjectDetail,
    ProjectKind, ProjectOrigin, ProjectRecord, ProjectStatus, RegistryChoices,
};
pub use user::{Role, SessionUser};
pub use visit::{
    ActionItem, ActionStatus, CloseActionItem, ConflictCase, HistoryEvent, NewActionItem,
    RescheduleActionItem, ReviewDecision, ReviewItem, ReviewSummary, Snapshot, Topic, Visit,
    VisitFields, VisitMode, VisitVersion,
};
pub use visit_form::{FormAnswers, VISIT_FORM};
pub use vocabulary::{EntryStatus, FieldError, Names, QueueHeader, RecordKind, ReviewNote};
