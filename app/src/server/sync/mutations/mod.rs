//! The server's half of each mutation type: who may do it, and how it changes the record it is
//! about. Decided in memory on a [`Working`] set; the engine writes the result in bulk.
//!
//! To add a mutation type: implement [`ServerApply`] for the [`MutationType`] declared in
//! `sync::mutations`, and add one line to [`REGISTRY`].

mod projects;
mod registry;
mod values;
mod visits;

use super::engine::{Outcome, Refused, Working, Writer};
use crate::domain::EntryStatus;
use crate::domain::RecordKind;
use crate::domain::VisitFields;
use crate::domain::form::{AnswerProblem, Answers, FormSet};
use crate::server::db::store::{RevisionRow, StoredProject};
use crate::sync::mutations::{
    AddAction, ChangeStatus, CloseAction, CreateProject, EditProjectFields, LeaveProject,
    MutationType, RescheduleAction, SaveEntry, SaveIndicatorValue, SaveMember, SaveMilestone,
    SaveVisit,
};
use std::marker::PhantomData;
use uuid::Uuid;

/// Applies a prepared mutation to the working set.
pub type ApplyFn = Box<dyn Fn(&mut Working, &Writer) -> Result<Outcome, Refused> + Send + Sync>;

/// A mutation decoded, validated, and ready to apply.
pub struct Prepared {
    /// The record it reads (the one it is about), loaded in bulk before any mutation of the batch applies.
    pub reads: Vec<(RecordKind, Uuid)>,
    /// Applies it to the working set. Changes nothing when it refuses. Callable again (the engine
    /// replays a batch one mutation at a time when the database refuses the bulk write).
    pub apply: ApplyFn,
}

/// What a mutation is checked with, besides its arguments.
pub struct Context<'a> {
    /// The ISO day in Tunis, for date rules.
    pub today: &'a str,
    /// Every form version; empty unless the batch holds a type that [`ServerMutation::needs_forms`].
    pub forms: &'a FormSet,
    /// The indicator catalogue; empty unless the batch holds a type that
    /// [`ServerMutation::needs_catalogue`].
    pub catalogue: &'a crate::server::db::store::Catalogue,
}

/// A registered mutation type, seen by the engine.
pub trait ServerMutation: Sync {
    fn name(&self) -> &'static str;
    fn needs_forms(&self) -> bool;
    /// Whether it needs the writer's incubator ([`Writer::incubator`]).
    fn needs_incubator(&self) -> bool;
    fn needs_catalogue(&self) -> bool;
    fn prepare(&self, args: &str, context: &Context) -> Result<Prepared, Refused>;
}

/// The server side of a [`MutationType`].
pub trait ServerApply: MutationType<Args: Send + Sync + 'static> + 'static {
    /// Whether the arguments are answers checked against a form version.
    const NEEDS_FORMS: bool = false;
    /// Whether it needs the writer's incubator.
    const NEEDS_INCUBATOR: bool = false;
    /// Whether its arguments are checked against the indicator catalogue.
    const NEEDS_CATALOGUE: bool = false;

    /// Records besides its target that applying it reads (to check what it points at).
    fn also_reads(_args: &Self::Args) -> Vec<(crate::domain::RecordKind, uuid::Uuid)> {
        Vec::new()
    }

    /// The checks that need more than the arguments (a form's definition); after
    /// [`MutationType::validate`].
    fn check(_args: &Self::Args, _context: &Context) -> Result<(), Refused> {
        Ok(())
    }

    fn apply(args: &Self::Args, working: &mut Working, writer: &Writer)
    -> Result<Outcome, Refused>;
}

pub(crate) struct Registered<M>(PhantomData<fn() -> M>);

impl<M: ServerApply> ServerMutation for Registered<M> {
    fn name(&self) -> &'static str {
        M::NAME
    }

    fn needs_forms(&self) -> bool {
        M::NEEDS_FORMS
    }

    fn needs_incubator(&self) -> bool {
        M::NEEDS_INCUBATOR
    }

    fn needs_catalogue(&self) -> bool {
        M::NEEDS_CATALOGUE
    }

    fn prepare(&self, args: &str, context: &Context) -> Result<Prepared, Refused> {
        // A NUL character is kept by one engine and refused by the other: refused here, by
        // name, on both.
        if let Some(field) = crate::server::input::nul_field(args) {
            return Err(Refused::named("invalid", field));
        }
        let args: M::Args = serde_json::from_str(args).map_err(|_| Refused::code("malformed"))?;
        M::validate(&args, context.today).map_err(|e| Refused::field("invalid", e.field))?;
        M::check(&args, context)?;
        let mut reads = vec![M::target(&args)];
        reads.extend(M::also_reads(&args));
        Ok(Prepared {
            reads,
            apply: Box::new(move |working, writer| M::apply(&args, working, writer)),
        })
    }
}

/// Every mutation type the server applies.
pub static REGISTRY: &[&dyn ServerMutation] = &[
    &Registered::<SaveVisit>(PhantomData),
    &Registered::<AddAction>(PhantomData),
    &Registered::<CloseAction>(PhantomData),
    &Registered::<RescheduleAction>(PhantomData),
    &Registered::<SaveMember>(PhantomData),
    &Registered::<SaveEntry>(PhantomData),
    &Registered::<ChangeStatus>(PhantomData),
    &Registered::<SaveMilestone>(PhantomData),
    &Registered::<EditProjectFields>(PhantomData),
    &Registered::<LeaveProject>(PhantomData),
    &Registered::<CreateProject>(PhantomData),
    &Registered::<SaveIndicatorValue>(PhantomData),
];

pub fn find(name: &str) -> Option<&'static dyn ServerMutation> {
    REGISTRY.iter().copied().find(|m| m.name() == name)
}

/// Answers given on `version` of form `form_id` meet that version, as on the phone (a draft may
/// leave questions unanswered). A version the server does not hold is refused, and the phone
/// keeps the entry with the reason.
pub(crate) fn check_answers(
    context: &Context,
    form_id: &str,
    version: u32,
    answers: &Answers,
    status: EntryStatus,
) -> Result<(), Refused> {
    let form = context
        .forms
        .version(form_id, version)
        .ok_or(Refused::code("unknown_form_version"))?;
    let mut problems = form.validate(answers, context.today);
    if status == EntryStatus::Draft {
        problems.retain(|e| e.problem != AnswerProblem::Required);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Refused::code("invalid_answers"))
    }
}

/// The history row of a member or a milestone saved by `w`: what a supervisor may read of it (a
/// member's private answers are not kept there).
pub(crate) fn registry_revision(
    kind: RecordKind,
    id: Uuid,
    content: String,
    w: &Writer,
) -> RevisionRow {
    RevisionRow {
        kind,
        record_id: id,
        version: w.version,
        user_id: w.user.id,
        status: EntryStatus::Submitted,
        content,
    }
}

pub(crate) fn member_revision(member: &crate::domain::Member, w: &Writer) -> RevisionRow {
    let public = crate::domain::Member {
        private: None,
        ..member.clone()
    };
    let content = serde_json::to_string(&public).unwrap_or_default();
    registry_revision(RecordKind::Member, member.id, content, w)
}

/// The history row of a visit saved by `w`.
pub fn visit_revision(id: Uuid, fields: &VisitFields, w: &Writer) -> RevisionRow {
    RevisionRow {
        kind: RecordKind::Visit,
        record_id: id,
        version: w.version,
        user_id: w.user.id,
        status: fields.status,
        content: serde_json::to_string(fields).unwrap_or_default(),
    }
}

/// A record made on the phones as an edit finds it on the server.
pub(crate) struct Found {
    deleted: bool,
    /// The record's project matches the edit's (and its form, for an entry).
    same_place: bool,
    last_device_id: Option<Uuid>,
    version: i64,
}

/// The rule every record made on the phones keeps (members, entries, milestones): an edit finds
/// the record where it says; a device's own later edits always apply; another device's apply
/// only on the version it saw, and are refused as stale otherwise — never overwriting.
pub(crate) fn check_edit(
    found: Option<Found>,
    base_version: Option<i64>,
    w: &Writer,
) -> Result<(), Refused> {
    let Some(found) = found else {
        return match base_version {
            // An edit of a record the server does not have (deleted, or never arrived).
            Some(_) => Err(Refused::code("not_found")),
            None => Ok(()),
        };
    };
    if found.deleted {
        return Err(Refused::code("not_found"));
    }
    if !found.same_place {
        return Err(Refused::field("invalid", "project_id"));
    }
    let mine = found.last_device_id == Some(w.device_id);
    if base_version.is_none() && !mine {
        // Record ids are made on devices: another device never creates the same one.
        return Err(Refused::code("already_exists"));
    }
    if !mine && base_version != Some(found.version) {
        return Err(Refused::code("stale"));
    }
    Ok(())
}

/// The project a status change or a correction is about: in the writer's scope, and there.
pub(crate) fn project_to_change(
    id: Uuid,
    working: &Working,
    w: &Writer,
) -> Result<crate::server::db::store::StoredProject, Refused> {
    if !w.may_write(id) {
        return Err(Refused::code("forbidden"));
    }
    match working.get::<StoredProject>(id) {
        Some(p) if !p.deleted => Ok(p.clone()),
        _ => Err(Refused::code("not_found")),
    }
}
