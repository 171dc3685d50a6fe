//! The server half of a project's registration, edits and status changes.

use crate::server::db::store::{StoredProject, StoredRecord};
use crate::server::sync::engine::{Outcome, Refused, Working, Writer};
use crate::server::sync::mutations::{ServerApply, project_to_change};
use crate::sync::mutations::{ChangeStatus, CreateProject, EditProjectFields};

impl ServerApply for ChangeStatus {
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

impl ServerApply for EditProjectFields {
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

impl ServerApply for CreateProject {
    const NEEDS_INCUBATOR: bool = true;

    fn apply(
        args: &crate::domain::NewProject,
        working: &mut Working,
        w: &Writer,
    ) -> Result<Outcome, Refused> {
        if w.user.role != crate::domain::Role::Facilitator {
            return Err(Refused::code("forbidden"));
        }
        if let Some(existing) = working.get::<StoredProject>(args.id) {
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
