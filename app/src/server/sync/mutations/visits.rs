//! The server half of visits and their action items.

use crate::domain::RecordKind;
use crate::domain::VISIT_FORM;
use crate::domain::{
    ActionItem, ActionStatus, CloseActionItem, NewActionItem, RescheduleActionItem, Visit,
};
use crate::server::db::store::{ConflictRow, StoredAction, StoredRecord, StoredVisit};
use crate::server::sync::engine::{Outcome, Refused, Working, Writer};
use crate::server::sync::mutations::{Context, ServerApply, check_answers, visit_revision};
use crate::sync::mutations::{AddAction, CloseAction, RescheduleAction, SaveVisit, SaveVisitArgs};
use uuid::Uuid;

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

    fn apply(args: &SaveVisitArgs, working: &mut Working, w: &Writer) -> Result<Outcome, Refused> {
        if !w.may_write(args.fields.project_id) {
            return Err(Refused::code("forbidden"));
        }
        let Some(current) = working.get::<StoredVisit>(args.id).cloned() else {
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

impl ServerApply for AddAction {
    fn also_reads(args: &NewActionItem) -> Vec<(RecordKind, Uuid)> {
        args.visit_id
            .map(|v| (RecordKind::Visit, v))
            .into_iter()
            .collect()
    }

    fn apply(args: &NewActionItem, working: &mut Working, w: &Writer) -> Result<Outcome, Refused> {
        if !w.may_write(args.project_id) {
            return Err(Refused::code("forbidden"));
        }
        // Sent again from the device that made it: the same item, in the same project. Any
        // other item of that id (another project's, another device's) is not this one's to
        // rewrite.
        if let Some(current) = working.get::<StoredAction>(args.id)
            && (current.last_device_id != Some(w.device_id)
                || current.deleted
                || current.item.project_id != args.project_id)
        {
            return Err(Refused::code("already_exists"));
        }
        // The visit it was decided at belongs to the same project.
        if let Some(visit) = args.visit_id
            && working
                .get::<StoredVisit>(visit)
                .is_none_or(|v| v.deleted || v.visit.fields.project_id != args.project_id)
        {
            return Err(Refused::field("invalid", "visit_id"));
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
pub(crate) fn change_open_action(
    id: Uuid,
    working: &mut Working,
    w: &Writer,
    change: impl FnOnce(&mut ActionItem),
) -> Result<Outcome, Refused> {
    let Some(current) = working.get::<StoredAction>(id).cloned() else {
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
