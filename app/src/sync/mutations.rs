//! The mutation types: what a user can change, named once, validated the same way on both sides.
//!
//! A mutation type is a [`MutationType`]: a stable name, typed arguments, the rules they must
//! meet, and how it shows in the device's local view before the server has it. The server's half
//! (how it is applied to the database, who may do it) is registered in `server::sync::mutations`.
//! Adding a type means one impl here, one there, and a line in each registry; the sync engine
//! itself does not change.

use super::outbox::LocalView;
use super::protocol::{MemberRecord, ProjectRecord, Record, RecordKind};
use crate::domain::indicator::value::IndicatorValue;
use crate::domain::{
    ActionItem, ActionStatus, ChangeProjectStatus, CloseActionItem, EditProject, FieldError,
    FormEntry, MemberLeaves, Milestone, NewActionItem, NewProject, RescheduleActionItem,
    SaveEntryArgs, SaveMemberArgs, SaveMilestoneArgs, Visit, VisitFields,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Who made a pending mutation: the local view shows it as theirs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Author {
    pub user: Uuid,
}

pub trait MutationType {
    /// The stable name on the wire. Never reused for another meaning.
    const NAME: &'static str;
    type Args: Serialize + DeserializeOwned;

    /// The rules the arguments must meet; `today` is the ISO day in Tunis.
    fn validate(args: &Self::Args, today: &str) -> Result<(), FieldError>;

    /// How the mutation changes the local view while it waits to be sent.
    fn apply_local(args: Self::Args, author: Author, view: &mut LocalView);

    /// The record the mutation is about.
    fn target(args: &Self::Args) -> (RecordKind, Uuid);
}

/// `visit.save`: create a coaching visit, or edit one.
pub struct SaveVisit;

/// The arguments of `visit.save`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveVisitArgs {
    /// Made on the device when the visit is first saved; the same for every later edit.
    pub id: Uuid,
    /// The server version the edit was made on; `None` for a visit the server has not seen yet.
    pub base_version: Option<i64>,
    pub fields: VisitFields,
}

impl MutationType for SaveVisit {
    const NAME: &'static str = "visit.save";
    type Args = SaveVisitArgs;

    fn validate(args: &SaveVisitArgs, today: &str) -> Result<(), FieldError> {
        args.fields.validate(today)?;
        if !args.fields.agrees_with_answers() {
            return Err(FieldError::new("answers", "invalid"));
        }
        Ok(())
    }

    fn target(args: &SaveVisitArgs) -> (RecordKind, Uuid) {
        (RecordKind::Visit, args.id)
    }

    fn apply_local(args: SaveVisitArgs, author: Author, view: &mut LocalView) {
        let (version, conflict, author_id, review) = match view.get::<Visit>(args.id) {
            Some(v) => (v.version, v.conflict, v.author_id, v.review.clone()),
            None => (0, false, Some(author.user), None),
        };
        view.put(Record::Visit(Visit {
            id: args.id,
            fields: args.fields,
            author_id,
            version,
            conflict,
            review,
        }));
    }
}

/// `action.add`: a new action item for a project.
pub struct AddAction;

impl MutationType for AddAction {
    const NAME: &'static str = "action.add";
    type Args = NewActionItem;

    fn validate(args: &NewActionItem, _today: &str) -> Result<(), FieldError> {
        args.validate()
    }

    fn target(args: &NewActionItem) -> (RecordKind, Uuid) {
        (RecordKind::Action, args.id)
    }

    fn apply_local(args: NewActionItem, author: Author, view: &mut LocalView) {
        view.put(Record::Action(ActionItem {
            id: args.id,
            project_id: args.project_id,
            visit_id: args.visit_id,
            title: args.title.trim().to_owned(),
            due_on: args.due_on,
            status: ActionStatus::Open,
            closed_on: None,
            author_id: Some(author.user),
            version: 0,
        }));
    }
}

/// `action.close`: an action item is done.
pub struct CloseAction;

impl MutationType for CloseAction {
    const NAME: &'static str = "action.close";
    type Args = CloseActionItem;

    fn validate(args: &CloseActionItem, _today: &str) -> Result<(), FieldError> {
        args.validate()
    }

    fn target(args: &CloseActionItem) -> (RecordKind, Uuid) {
        (RecordKind::Action, args.id)
    }

    fn apply_local(args: CloseActionItem, _author: Author, view: &mut LocalView) {
        if let Some(mut item) = view.get::<ActionItem>(args.id).cloned()
            && item.status == ActionStatus::Open
        {
            item.status = ActionStatus::Done;
            item.closed_on = Some(args.closed_on);
            view.put(Record::Action(item));
        }
    }
}

/// `action.reschedule`: an open action item kept for a new day (decided during a visit).
pub struct RescheduleAction;

impl MutationType for RescheduleAction {
    const NAME: &'static str = "action.reschedule";
    type Args = RescheduleActionItem;

    fn validate(args: &RescheduleActionItem, _today: &str) -> Result<(), FieldError> {
        args.validate()
    }

    fn target(args: &RescheduleActionItem) -> (RecordKind, Uuid) {
        (RecordKind::Action, args.id)
    }

    fn apply_local(args: RescheduleActionItem, _author: Author, view: &mut LocalView) {
        if let Some(mut item) = view.get::<ActionItem>(args.id).cloned()
            && item.status == ActionStatus::Open
        {
            item.due_on = Some(args.due_on);
            view.put(Record::Action(item));
        }
    }
}

/// `member.save`: register a member of a project with the member form, or edit one.
pub struct SaveMember;

impl MutationType for SaveMember {
    const NAME: &'static str = "member.save";
    type Args = SaveMemberArgs;

    fn validate(args: &SaveMemberArgs, _today: &str) -> Result<(), FieldError> {
        args.member().map(|_| ())
    }

    fn target(args: &SaveMemberArgs) -> (RecordKind, Uuid) {
        (RecordKind::Member, args.id)
    }

    fn apply_local(args: SaveMemberArgs, _author: Author, view: &mut LocalView) {
        let Ok(mut member) = args.member() else {
            return;
        };
        let version = match view.get::<MemberRecord>(args.id) {
            Some(m) => {
                // Leaving the project is recorded elsewhere; an edit keeps it.
                member.left_on.clone_from(&m.member.left_on);
                m.version
            }
            None => 0,
        };
        // A change waits for review again.
        view.put(Record::Member(MemberRecord {
            project_id: args.project_id,
            member,
            version,
            review: None,
        }));
    }
}

/// `member.leave`: a member left the project.
pub struct LeaveProject;

impl MutationType for LeaveProject {
    const NAME: &'static str = "member.leave";
    type Args = MemberLeaves;

    fn validate(args: &MemberLeaves, today: &str) -> Result<(), FieldError> {
        args.validate(today)
    }

    fn target(args: &MemberLeaves) -> (RecordKind, Uuid) {
        (RecordKind::Member, args.id)
    }

    fn apply_local(args: MemberLeaves, _author: Author, view: &mut LocalView) {
        if let Some(mut m) = view.get::<MemberRecord>(args.id).cloned() {
            m.member.left_on = Some(args.left_on);
            m.review = None;
            view.put(Record::Member(m));
        }
    }
}

/// `entry.save`: a diagnostic or a self-assessment, new or edited (a draft, or a returned entry
/// being fixed).
pub struct SaveEntry;

impl MutationType for SaveEntry {
    const NAME: &'static str = "entry.save";
    type Args = SaveEntryArgs;

    fn validate(args: &SaveEntryArgs, _today: &str) -> Result<(), FieldError> {
        args.validate()
    }

    fn target(args: &SaveEntryArgs) -> (RecordKind, Uuid) {
        (RecordKind::Entry, args.id)
    }

    fn apply_local(args: SaveEntryArgs, author: Author, view: &mut LocalView) {
        let (version, author_id, review) = match view.get::<FormEntry>(args.id) {
            Some(e) => (e.version, e.author_id, e.review.clone()),
            None => (0, Some(author.user), None),
        };
        view.put(Record::Entry(FormEntry {
            id: args.id,
            project_id: args.project_id,
            form_id: args.form_id,
            form_version: args.form_version,
            status: args.status,
            answers: args.answers,
            files: args.files,
            author_id,
            version,
            review,
        }));
    }
}

/// `project.status`: a project moves on in its lifecycle (contracted → operating…).
pub struct ChangeStatus;

impl MutationType for ChangeStatus {
    const NAME: &'static str = "project.status";
    type Args = ChangeProjectStatus;

    fn validate(args: &ChangeProjectStatus, _today: &str) -> Result<(), FieldError> {
        args.validate()
    }

    fn target(args: &ChangeProjectStatus) -> (RecordKind, Uuid) {
        (RecordKind::Project, args.project_id)
    }

    fn apply_local(args: ChangeProjectStatus, _author: Author, view: &mut LocalView) {
        if let Some(mut project) = view.get::<ProjectRecord>(args.project_id).cloned() {
            project.status = Some(args.to);
            view.put(Record::Project(project));
        }
    }
}

/// `project.edit`: the field corrects a project's title, legal form or training track.
pub struct EditProjectFields;

impl MutationType for EditProjectFields {
    const NAME: &'static str = "project.edit";
    type Args = EditProject;

    fn validate(args: &EditProject, _today: &str) -> Result<(), FieldError> {
        args.validate()
    }

    fn target(args: &EditProject) -> (RecordKind, Uuid) {
        (RecordKind::Project, args.project_id)
    }

    fn apply_local(args: EditProject, _author: Author, view: &mut LocalView) {
        if let Some(mut project) = view.get::<ProjectRecord>(args.project_id).cloned() {
            project.title = args.title.trim().to_owned();
            project.legal_form = args.legal_form;
            project.training_track = args.training_track;
            view.put(Record::Project(project));
        }
    }
}

/// `indicator.value`: a value of an indicator for a project and period, entered or corrected.
/// Checked in full against the indicator's definition by the page and by the server (which holds
/// the catalogue); here, what needs no definition.
pub struct SaveIndicatorValue;

impl MutationType for SaveIndicatorValue {
    const NAME: &'static str = "indicator.value";
    type Args = crate::domain::indicator::value::SaveValueArgs;

    fn validate(args: &Self::Args, _today: &str) -> Result<(), FieldError> {
        args.validate_shape()
    }

    fn target(args: &Self::Args) -> (RecordKind, Uuid) {
        (RecordKind::Value, args.id)
    }

    fn apply_local(args: Self::Args, author: Author, view: &mut LocalView) {
        let (author_id, version) = match view.get::<IndicatorValue>(args.id) {
            Some(v) => (v.author_id, v.version),
            None => (Some(author.user), 0),
        };
        view.put(Record::Value(args.record(author_id, version, None)));
    }
}

/// `project.create`: a facilitator registers a project in the field.
pub struct CreateProject;

impl MutationType for CreateProject {
    const NAME: &'static str = "project.create";
    type Args = NewProject;

    fn validate(args: &NewProject, _today: &str) -> Result<(), FieldError> {
        args.validate()
    }

    fn target(args: &NewProject) -> (RecordKind, Uuid) {
        (RecordKind::Project, args.id)
    }

    fn apply_local(args: NewProject, _author: Author, view: &mut LocalView) {
        // Once the server has the project, the phone's copy is the server's.
        if view
            .get::<ProjectRecord>(args.id)
            .is_none_or(|p| p.version == 0)
        {
            view.put(Record::Project(args.record()));
        }
    }
}

/// `milestone.save`: a project's milestone, new or edited (reached, moved to another day).
pub struct SaveMilestone;

impl MutationType for SaveMilestone {
    const NAME: &'static str = "milestone.save";
    type Args = SaveMilestoneArgs;

    fn validate(args: &SaveMilestoneArgs, today: &str) -> Result<(), FieldError> {
        args.validate(today)
    }

    fn target(args: &SaveMilestoneArgs) -> (RecordKind, Uuid) {
        (RecordKind::Milestone, args.id)
    }

    fn apply_local(args: SaveMilestoneArgs, _author: Author, view: &mut LocalView) {
        let version = view.get::<Milestone>(args.id).map_or(0, |m| m.version);
        view.put(Record::Milestone(args.milestone(version)));
    }
}

/// Something to do with a mutation type named at run time ([`dispatch`]).
trait ForType {
    type Out;
    fn run<M: MutationType>(self) -> Self::Out;
}

/// The registry: one line per mutation type. `None` when the name is unknown to this build.
fn dispatch<F: ForType>(name: &str, f: F) -> Option<F::Out> {
    Some(match name {
        SaveVisit::NAME => f.run::<SaveVisit>(),
        AddAction::NAME => f.run::<AddAction>(),
        CloseAction::NAME => f.run::<CloseAction>(),
        RescheduleAction::NAME => f.run::<RescheduleAction>(),
        SaveMember::NAME => f.run::<SaveMember>(),
        SaveEntry::NAME => f.run::<SaveEntry>(),
        ChangeStatus::NAME => f.run::<ChangeStatus>(),
        SaveMilestone::NAME => f.run::<SaveMilestone>(),
        EditProjectFields::NAME => f.run::<EditProjectFields>(),
        LeaveProject::NAME => f.run::<LeaveProject>(),
        CreateProject::NAME => f.run::<CreateProject>(),
        SaveIndicatorValue::NAME => f.run::<SaveIndicatorValue>(),
        _ => return None,
    })
}

/// Replays one stored mutation onto the local view and returns the record it is about (so the
/// view can show the entry's state beside it). With `only_if_absent`, the view changes only if it
/// does not hold that record yet (a refused creation still shows, with its reason). `None` when
/// the name is unknown to this build or the arguments do not decode (a newer app wrote them).
pub fn replay(
    name: &str,
    args: &str,
    author: Author,
    view: &mut LocalView,
    only_if_absent: bool,
) -> Option<(RecordKind, Uuid)> {
    struct Replay<'a> {
        args: &'a str,
        author: Author,
        view: &'a mut LocalView,
        only_if_absent: bool,
    }
    impl ForType for Replay<'_> {
        type Out = Option<(RecordKind, Uuid)>;
        fn run<M: MutationType>(self) -> Self::Out {
            let args = serde_json::from_str::<M::Args>(self.args).ok()?;
            let target = M::target(&args);
            if !self.only_if_absent || !self.view.contains(target) {
                M::apply_local(args, self.author, self.view);
            }
            Some(target)
        }
    }
    let replay = Replay {
        args,
        author,
        view,
        only_if_absent,
    };
    dispatch(name, replay).flatten()
}

/// The record a stored mutation is about.
pub fn target_of(name: &str, args: &str) -> Option<(RecordKind, Uuid)> {
    struct Target<'a>(&'a str);
    impl ForType for Target<'_> {
        type Out = Option<(RecordKind, Uuid)>;
        fn run<M: MutationType>(self) -> Self::Out {
            serde_json::from_str::<M::Args>(self.0)
                .ok()
                .map(|a| M::target(&a))
        }
    }
    dispatch(name, Target(args)).flatten()
}

/// Checks a stored mutation again against the rules, as of `today`: which field fails and why,
/// to tell a refusal in words (the server says only which field).
pub fn recheck(name: &str, args: &str, today: &str) -> Option<FieldError> {
    struct Recheck<'a>(&'a str, &'a str);
    impl ForType for Recheck<'_> {
        type Out = Option<FieldError>;
        fn run<M: MutationType>(self) -> Self::Out {
            let args = serde_json::from_str::<M::Args>(self.0).ok()?;
            M::validate(&args, self.1).err()
        }
    }
    dispatch(name, Recheck(args, today)).flatten()
}
