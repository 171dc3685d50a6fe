//! The server's half of each mutation type: which records it reads, who may do it, and how it
//! changes them. Decided in memory on a [`Working`] set; the engine writes the result in bulk.
//!
//! To add a mutation type: implement [`ServerApply`] for the [`MutationType`] declared in
//! `sync::mutations`, and add one line to [`REGISTRY`].

use super::engine::{Outcome, Refused, Working, Writer};
use crate::domain::RecordKind;
use crate::domain::form::{AnswerProblem, Answers, FormSet};
use crate::domain::indicator::value::INDICATOR_FORM;
use crate::domain::{
    ActionItem, ActionStatus, CloseActionItem, NewActionItem, RescheduleActionItem, Visit,
    VisitFields,
};
use crate::domain::{
    EntryStatus, FormEntry, MEMBER_FORM, SaveEntryArgs, SaveMemberArgs, VISIT_FORM,
};
use crate::server::db::store::{
    ConflictRow, RevisionRow, StoredAction, StoredEntry, StoredMember, StoredRecord, StoredVisit,
};
use crate::sync::mutations::{
    AddAction, ChangeStatus, CloseAction, CreateProject, EditProjectFields, LeaveProject,
    MutationType, RescheduleAction, SaveEntry, SaveIndicatorValue, SaveMember, SaveMilestone,
    SaveVisit, SaveVisitArgs,
};
use std::marker::PhantomData;
use uuid::Uuid;

/// Applies a prepared mutation to the working set.
pub type ApplyFn = Box<dyn Fn(&mut Working, &Writer) -> Result<Outcome, Refused> + Send + Sync>;

/// A mutation decoded, validated, and ready to apply.
pub struct Prepared {
    /// The records it reads, loaded in bulk before any mutation of the batch applies.
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

    /// The checks that need more than the arguments (a form's definition); after
    /// [`MutationType::validate`].
    fn check(_args: &Self::Args, _context: &Context) -> Result<(), Refused> {
        Ok(())
    }

    fn reads(args: &Self::Args) -> Vec<(RecordKind, Uuid)>;
    fn apply(args: &Self::Args, working: &mut Working, writer: &Writer)
    -> Result<Outcome, Refused>;
}

struct Registered<M>(PhantomData<fn() -> M>);

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
        let args: M::Args = serde_json::from_str(args).map_err(|_| Refused::code("malformed"))?;
        M::validate(&args, context.today).map_err(|e| Refused::field("invalid", e.field))?;
        M::check(&args, context)?;
        Ok(Prepared {
            reads: M::reads(&args),
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

impl ServerApply for SaveVisit {
    const NEEDS_FORMS: bool = true;

    /// A visit captured through its form meets the version it was captured on, as on the phone
    /// (a draft may leave questions unanswered). One recorded before visits had a form carries
    /// no answers and is checked by its fields alone.
    fn check(args: &SaveVisitArgs, context: &Context) -> Result<(), Refused> {
        match &args.fields.form {
            Some(given) => check_answers(
                context,
                VISIT_FORM,
                given.version,
                &given.answers,
                args.fields.status,
            ),
            None => Ok(()),
        }
    }

    fn reads(args: &SaveVisitArgs) -> Vec<(RecordKind, Uuid)> {
        vec![(RecordKind::Visit, args.id)]
    }

    fn apply(args: &SaveVisitArgs, working: &mut Working, w: &Writer) -> Result<Outcome, Refused> {
        if !w.may_write(args.fields.project_id) {
            return Err(Refused::code("forbidden"));
        }
        let Some(current) = working.visit(args.id).cloned() else {
            if args.base_version.is_some() {
                // An edit of a visit the server does not have (deleted, or never arrived).
                return Err(Refused::code("not_found"));
            }
            working.put(StoredRecord::Visit(StoredVisit {
                visit: Visit {
                    id: args.id,
                    fields: args.fields.clone(),
                    author_id: Some(w.user.id),
                    version: w.version,
                    conflict: false,
                    review: None,
                },
                deleted: false,
                last_device_id: Some(w.device_id),
            }));
            working.revision(visit_revision(args.id, &args.fields, w));
            return Ok(Outcome::Applied);
        };
        if current.deleted {
            return Err(Refused::code("not_found"));
        }
        if current.visit.fields.project_id != args.fields.project_id {
            return Err(Refused::field("invalid", "project_id"));
        }
        if !w.may_write(current.visit.fields.project_id) {
            return Err(Refused::code("forbidden"));
        }
        let mine = current.last_device_id == Some(w.device_id);
        if args.base_version.is_none() && !mine {
            // Record ids are made on devices: another device never creates the same one.
            return Err(Refused::code("already_exists"));
        }
        let mut next = current.clone();
        if mine || args.base_version == Some(current.visit.version) {
            if next.visit.fields != args.fields {
                working.revision(visit_revision(args.id, &args.fields, w));
            }
            next.visit.fields = args.fields.clone();
            next.last_device_id = Some(w.device_id);
            next.visit.version = w.version;
            working.put(StoredRecord::Visit(next));
            Ok(Outcome::Applied)
        } else {
            // Someone else changed it since this edit's base: keep both, flag it, let a
            // supervisor choose. The record itself is not overwritten.
            working.conflict(ConflictRow {
                id: w.conflict_id(),
                kind: RecordKind::Visit,
                record_id: args.id,
                base_version: args.base_version,
                incoming: serde_json::to_string(args).unwrap_or_default(),
                client_id: w.client_id,
                seq: w.seq,
                user_id: w.user.id,
            });
            next.visit.conflict = true;
            next.visit.version = w.version;
            working.put(StoredRecord::Visit(next));
            Ok(Outcome::Conflict)
        }
    }
}

/// Answers given on `version` of form `form_id` meet that version, as on the phone (a draft may
/// leave questions unanswered). A version the server does not hold is refused, and the phone
/// keeps the entry with the reason.
fn check_answers(
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
fn registry_revision(kind: RecordKind, id: Uuid, content: String, w: &Writer) -> RevisionRow {
    RevisionRow {
        kind,
        record_id: id,
        version: w.version,
        user_id: w.user.id,
        status: EntryStatus::Submitted,
        content,
    }
}

fn member_revision(member: &crate::domain::Member, w: &Writer) -> RevisionRow {
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

impl ServerApply for AddAction {
    fn reads(args: &NewActionItem) -> Vec<(RecordKind, Uuid)> {
        vec![(RecordKind::Action, args.id)]
    }

    fn apply(args: &NewActionItem, working: &mut Working, w: &Writer) -> Result<Outcome, Refused> {
        if !w.may_write(args.project_id) {
            return Err(Refused::code("forbidden"));
        }
        if let Some(current) = working.action(args.id)
            && current.last_device_id != Some(w.device_id)
        {
            return Err(Refused::code("already_exists"));
        }
        working.put(StoredRecord::Action(StoredAction {
            item: ActionItem {
                id: args.id,
                project_id: args.project_id,
                visit_id: args.visit_id,
                title: args.title.trim().to_owned(),
                due_on: args.due_on.clone(),
                status: ActionStatus::Open,
                closed_on: None,
                author_id: Some(w.user.id),
                version: w.version,
            },
            deleted: false,
            last_device_id: Some(w.device_id),
        }));
        Ok(Outcome::Applied)
    }
}

/// Changes an action item that is still open; one already done stays as it is, and the change
/// counts as applied (done wins over anything a late device says).
fn change_open_action(
    id: Uuid,
    working: &mut Working,
    w: &Writer,
    change: impl FnOnce(&mut ActionItem),
) -> Result<Outcome, Refused> {
    let Some(current) = working.action(id).cloned() else {
        return Err(Refused::code("not_found"));
    };
    if current.deleted {
        return Err(Refused::code("not_found"));
    }
    if !w.may_write(current.item.project_id) {
        return Err(Refused::code("forbidden"));
    }
    if current.item.status == ActionStatus::Done {
        return Ok(Outcome::Applied);
    }
    let mut next = current;
    change(&mut next.item);
    next.item.version = w.version;
    next.last_device_id = Some(w.device_id);
    working.put(StoredRecord::Action(next));
    Ok(Outcome::Applied)
}

impl ServerApply for CloseAction {
    fn reads(args: &CloseActionItem) -> Vec<(RecordKind, Uuid)> {
        vec![(RecordKind::Action, args.id)]
    }

    fn apply(
        args: &CloseActionItem,
        working: &mut Working,
        w: &Writer,
    ) -> Result<Outcome, Refused> {
        // Closing twice (two devices, or two taps) is the same as closing once: no conflict.
        change_open_action(args.id, working, w, |item| {
            item.status = ActionStatus::Done;
            item.closed_on = Some(args.closed_on.clone());
        })
    }
}

impl ServerApply for RescheduleAction {
    fn reads(args: &RescheduleActionItem) -> Vec<(RecordKind, Uuid)> {
        vec![(RecordKind::Action, args.id)]
    }

    fn apply(
        args: &RescheduleActionItem,
        working: &mut Working,
        w: &Writer,
    ) -> Result<Outcome, Refused> {
        // Done meanwhile (on another device): done wins, a new day for it means nothing.
        change_open_action(args.id, working, w, |item| {
            item.due_on = Some(args.due_on.clone());
        })
    }
}

/// A record made on the phones as an edit finds it on the server.
struct Found {
    deleted: bool,
    /// The record's project matches the edit's (and its form, for an entry).
    same_place: bool,
    last_device_id: Option<Uuid>,
    version: i64,
}

/// The rule every record made on the phones keeps (members, entries, milestones): an edit finds
/// the record where it says; a device's own later edits always apply; another device's apply
/// only on the version it saw, and are refused as stale otherwise — never overwriting.
fn check_edit(found: Option<Found>, base_version: Option<i64>, w: &Writer) -> Result<(), Refused> {
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

impl ServerApply for SaveMember {
    const NEEDS_FORMS: bool = true;

    /// The answers meet the version of the member form they were given on, as on the phone. A
    /// version the server does not hold is refused (the phone keeps the entry, with the reason).
    fn check(args: &SaveMemberArgs, context: &Context) -> Result<(), Refused> {
        // A member is never a draft: every required answer is asked for.
        check_answers(
            context,
            MEMBER_FORM,
            args.form_version,
            &args.answers,
            EntryStatus::Submitted,
        )
    }

    fn reads(args: &SaveMemberArgs) -> Vec<(RecordKind, Uuid)> {
        vec![(RecordKind::Member, args.id)]
    }

    fn apply(args: &SaveMemberArgs, working: &mut Working, w: &Writer) -> Result<Outcome, Refused> {
        if !w.may_write(args.project_id) {
            return Err(Refused::code("forbidden"));
        }
        let mut member = args
            .member()
            .map_err(|e| Refused::field("invalid", e.field))?;
        let current = working.member(args.id);
        // Refused as stale, the phone keeps the entry with the reason; the member is opened
        // again to redo it.
        check_edit(
            current.map(|c| Found {
                deleted: c.deleted,
                same_place: c.record.project_id == args.project_id,
                last_device_id: c.last_device_id,
                version: c.record.version,
            }),
            args.base_version,
            w,
        )?;
        if let Some(current) = current {
            // Leaving the project is recorded elsewhere; an edit keeps it.
            member.left_on.clone_from(&current.record.member.left_on);
        }
        working.revision(member_revision(&member, w));
        working.put(StoredRecord::Member(StoredMember {
            record: crate::sync::protocol::MemberRecord {
                project_id: args.project_id,
                member,
                version: w.version,
                // A change from the field waits for review again.
                review: None,
            },
            form_version: Some(args.form_version),
            answers: serde_json::to_string(&args.answers).ok(),
            deleted: false,
            last_device_id: Some(w.device_id),
        }));
        Ok(Outcome::Applied)
    }
}

impl ServerApply for SaveEntry {
    const NEEDS_FORMS: bool = true;

    /// The answers meet the form version they were given on, as on the phone (a draft may leave
    /// questions empty). A version the server does not hold is refused; the phone keeps the entry.
    fn check(args: &SaveEntryArgs, context: &Context) -> Result<(), Refused> {
        check_answers(
            context,
            &args.form_id,
            args.form_version,
            &args.answers,
            args.status,
        )
    }

    fn reads(args: &SaveEntryArgs) -> Vec<(RecordKind, Uuid)> {
        vec![(RecordKind::Entry, args.id)]
    }

    fn apply(args: &SaveEntryArgs, working: &mut Working, w: &Writer) -> Result<Outcome, Refused> {
        if !w.may_write(args.project_id) {
            return Err(Refused::code("forbidden"));
        }
        let current = working.entry(args.id);
        // Changed elsewhere since (a review, another device): stale.
        check_edit(
            current.map(|c| Found {
                deleted: c.deleted,
                same_place: c.entry.project_id == args.project_id
                    && c.entry.form_id == args.form_id,
                last_device_id: c.last_device_id,
                version: c.entry.version,
            }),
            args.base_version,
            w,
        )?;
        let (author_id, review) = match current {
            // Validated is final: a late edit from the phone does not undo it.
            Some(c) if c.entry.status == EntryStatus::Validated => {
                return Err(Refused::code("already_validated"));
            }
            Some(c) => (c.entry.author_id, c.entry.review.clone()),
            None => (Some(w.user.id), None),
        };
        let entry = FormEntry {
            id: args.id,
            project_id: args.project_id,
            form_id: args.form_id.clone(),
            form_version: args.form_version,
            status: args.status,
            answers: args.answers.clone(),
            author_id,
            version: w.version,
            review,
        };
        let changed = working
            .entry(args.id)
            .is_none_or(|c| c.entry.answers != entry.answers || c.entry.status != entry.status);
        if changed {
            working.revision(RevisionRow {
                kind: RecordKind::Entry,
                record_id: args.id,
                version: w.version,
                user_id: w.user.id,
                status: args.status,
                content: serde_json::to_string(&args.answers).unwrap_or_default(),
            });
        }
        working.put(StoredRecord::Entry(StoredEntry {
            entry,
            deleted: false,
            last_device_id: Some(w.device_id),
        }));
        Ok(Outcome::Applied)
    }
}

/// The project a status change or a correction is about: in the writer's scope, and there.
fn project_to_change(
    id: Uuid,
    working: &Working,
    w: &Writer,
) -> Result<crate::server::db::store::StoredProject, Refused> {
    if !w.may_write(id) {
        return Err(Refused::code("forbidden"));
    }
    match working.project(id) {
        Some(p) if !p.deleted => Ok(p.clone()),
        _ => Err(Refused::code("not_found")),
    }
}

impl ServerApply for ChangeStatus {
    fn reads(args: &crate::domain::ChangeProjectStatus) -> Vec<(RecordKind, Uuid)> {
        vec![(RecordKind::Project, args.project_id)]
    }

    fn apply(
        args: &crate::domain::ChangeProjectStatus,
        working: &mut Working,
        w: &Writer,
    ) -> Result<Outcome, Refused> {
        let current = project_to_change(args.project_id, working, w)?;
        match current.record.status {
            // The same move made on another device meanwhile: done already, nothing to add.
            Some(now) if now == args.to => return Ok(Outcome::Applied),
            Some(now) if now != args.from => return Err(Refused::code("stale")),
            _ => {}
        }
        let mut next = current;
        next.record.status = Some(args.to);
        next.record.version = w.version;
        working.put(StoredRecord::Project(next));
        Ok(Outcome::Applied)
    }
}

impl ServerApply for SaveMilestone {
    fn reads(args: &crate::domain::SaveMilestoneArgs) -> Vec<(RecordKind, Uuid)> {
        vec![(RecordKind::Milestone, args.id)]
    }

    fn apply(
        args: &crate::domain::SaveMilestoneArgs,
        working: &mut Working,
        w: &Writer,
    ) -> Result<Outcome, Refused> {
        if !w.may_write(args.project_id) {
            return Err(Refused::code("forbidden"));
        }
        check_edit(
            working.milestone(args.id).map(|c| Found {
                deleted: c.deleted,
                same_place: c.milestone.project_id == args.project_id,
                last_device_id: c.last_device_id,
                version: c.milestone.version,
            }),
            args.base_version,
            w,
        )?;
        let next = args.milestone(w.version);
        let content = serde_json::to_string(&next).unwrap_or_default();
        working.revision(registry_revision(
            RecordKind::Milestone,
            next.id,
            content,
            w,
        ));
        working.put(StoredRecord::Milestone(
            crate::server::db::store::StoredMilestone {
                milestone: next,
                deleted: false,
                last_device_id: Some(w.device_id),
            },
        ));
        Ok(Outcome::Applied)
    }
}

impl ServerApply for EditProjectFields {
    fn reads(args: &crate::domain::EditProject) -> Vec<(RecordKind, Uuid)> {
        vec![(RecordKind::Project, args.project_id)]
    }

    fn apply(
        args: &crate::domain::EditProject,
        working: &mut Working,
        w: &Writer,
    ) -> Result<Outcome, Refused> {
        let current = project_to_change(args.project_id, working, w)?;
        let title = args.title.trim();
        let unchanged = current.record.title == title
            && current.record.legal_form == args.legal_form
            && current.record.training_track == args.training_track;
        if unchanged {
            return Ok(Outcome::Applied);
        }
        // A project registered earlier in this batch is edited on the version the phone made.
        let registered_now = current.placement.is_some() && args.base_version == 0;
        if current.record.version != args.base_version && !registered_now {
            // Changed since this phone saw it (the team, another device): refused, never
            // overwritten; the phone keeps the edit with the reason.
            return Err(Refused::code("stale"));
        }
        let mut next = current;
        next.record.title = title.to_owned();
        next.record.legal_form.clone_from(&args.legal_form);
        next.record.training_track.clone_from(&args.training_track);
        next.record.version = w.version;
        working.put(StoredRecord::Project(next));
        Ok(Outcome::Applied)
    }
}

impl ServerApply for LeaveProject {
    fn reads(args: &crate::domain::MemberLeaves) -> Vec<(RecordKind, Uuid)> {
        vec![(RecordKind::Member, args.id)]
    }

    fn apply(
        args: &crate::domain::MemberLeaves,
        working: &mut Working,
        w: &Writer,
    ) -> Result<Outcome, Refused> {
        if !w.may_write(args.project_id) {
            return Err(Refused::code("forbidden"));
        }
        let Some(current) = working.member(args.id).cloned() else {
            return Err(Refused::code("not_found"));
        };
        if current.deleted {
            return Err(Refused::code("not_found"));
        }
        if current.record.project_id != args.project_id {
            return Err(Refused::field("invalid", "project_id"));
        }
        if current
            .record
            .member
            .joined_on
            .as_deref()
            .is_some_and(|joined| args.left_on.as_str() < joined)
        {
            return Err(Refused::field("invalid", "left_on"));
        }
        // Leaving twice (two phones) is leaving once, on the day said last.
        let mut next = current;
        next.record.member.left_on = Some(args.left_on.clone());
        next.record.version = w.version;
        next.record.review = None;
        next.last_device_id = Some(w.device_id);
        working.revision(member_revision(&next.record.member, w));
        working.put(StoredRecord::Member(next));
        Ok(Outcome::Applied)
    }
}

impl ServerApply for CreateProject {
    const NEEDS_INCUBATOR: bool = true;

    fn reads(args: &crate::domain::NewProject) -> Vec<(RecordKind, Uuid)> {
        vec![(RecordKind::Project, args.id)]
    }

    fn apply(
        args: &crate::domain::NewProject,
        working: &mut Working,
        w: &Writer,
    ) -> Result<Outcome, Refused> {
        if w.user.role != crate::domain::Role::Facilitator {
            return Err(Refused::code("forbidden"));
        }
        if let Some(existing) = working.project(args.id) {
            // Sent again (another tab of the same phone): it is there already.
            return if w.may_write(args.id) && !existing.deleted {
                Ok(Outcome::Applied)
            } else {
                Err(Refused::code("already_exists"))
            };
        }
        let Some(incubator_id) = w.incubator else {
            return Err(Refused::code("no_incubator"));
        };
        let mut record = args.record();
        record.version = w.version;
        working.put(StoredRecord::Project(
            crate::server::db::store::StoredProject {
                record,
                deleted: false,
                placement: Some(crate::server::db::store::Placement {
                    incubator_id,
                    facilitator_id: w.user.id,
                }),
            },
        ));
        Ok(Outcome::Applied)
    }
}

impl ServerApply for SaveIndicatorValue {
    const NEEDS_CATALOGUE: bool = true;
    const NEEDS_FORMS: bool = true;

    /// The value meets the definition it was entered under, for a project of a value chain the
    /// indicator applies to, in a period that is not locked; its answers meet the version of the
    /// entry form they were given on. A definition or form version the server does not hold is
    /// refused; the phone keeps the value.
    fn check(
        args: &crate::domain::indicator::value::SaveValueArgs,
        context: &Context,
    ) -> Result<(), Refused> {
        if let Some(given) = &args.form {
            check_answers(
                context,
                INDICATOR_FORM,
                given.version,
                &given.answers,
                args.status,
            )?;
        }
        let catalogue = context.catalogue;
        let def = catalogue
            .indicators
            .iter()
            .find(|d| d.code == args.indicator && d.version == args.indicator_version)
            .ok_or(Refused::code("unknown_indicator_version"))?;
        args.validate(def, context.today)
            .map_err(|e| Refused::field("invalid", e.field))?;
        // (A project registered earlier in the same batch is not in the map yet: its value chain
        // is the one the phone offered indicators for.)
        if let Some(chain) = catalogue.project_chains.get(&args.project_id)
            && !def.applies_to(chain)
        {
            return Err(Refused::code("not_applicable"));
        }
        if catalogue
            .locked
            .iter()
            .any(|l| crate::domain::indicator::value::period_within(&args.period, l))
        {
            return Err(Refused::code("period_locked"));
        }
        Ok(())
    }

    fn reads(args: &crate::domain::indicator::value::SaveValueArgs) -> Vec<(RecordKind, Uuid)> {
        vec![(RecordKind::Value, args.id)]
    }

    fn apply(
        args: &crate::domain::indicator::value::SaveValueArgs,
        working: &mut Working,
        w: &Writer,
    ) -> Result<Outcome, Refused> {
        if !w.may_write(args.project_id) {
            return Err(Refused::code("forbidden"));
        }
        let current = working.value(args.id);
        check_edit(
            current.map(|c| Found {
                deleted: c.deleted,
                same_place: c.value.project_id == args.project_id,
                last_device_id: c.last_device_id,
                version: c.value.version,
            }),
            args.base_version,
            w,
        )?;
        let (author_id, review) = match current {
            // Validated is final, as for every entry.
            Some(c) if c.value.status == EntryStatus::Validated => {
                return Err(Refused::code("already_validated"));
            }
            Some(c) => (c.value.author_id, c.value.review.clone()),
            None => (Some(w.user.id), None),
        };
        let next = args.record(author_id, w.version, review);
        working.revision(RevisionRow {
            kind: RecordKind::Value,
            record_id: args.id,
            version: w.version,
            user_id: w.user.id,
            status: args.status,
            content: serde_json::to_string(&next).unwrap_or_default(),
        });
        working.put(StoredRecord::Value(crate::server::db::store::StoredValue {
            value: next,
            deleted: false,
            last_device_id: Some(w.device_id),
        }));
        Ok(Outcome::Applied)
    }
}
