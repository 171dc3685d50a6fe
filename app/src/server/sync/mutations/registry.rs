//! The server half of members, milestones and form entries (diagnostics, self-assessments).

use crate::domain::RecordKind;
use crate::domain::{EntryStatus, FormEntry, MEMBER_FORM, SaveEntryArgs, SaveMemberArgs};
use crate::server::db::store::{
    RevisionRow, StoredEntry, StoredMember, StoredMilestone, StoredRecord,
};
use crate::server::sync::engine::{Outcome, Refused, Working, Writer};
use crate::server::sync::mutations::{
    Context, Found, ServerApply, check_answers, check_edit, member_revision, registry_revision,
};
use crate::sync::mutations::{LeaveProject, SaveEntry, SaveMember, SaveMilestone};

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

    fn apply(args: &SaveMemberArgs, working: &mut Working, w: &Writer) -> Result<Outcome, Refused> {
        if !w.may_write(args.project_id) {
            return Err(Refused::code("forbidden"));
        }
        let mut member = args
            .member()
            .map_err(|e| Refused::field("invalid", e.field))?;
        let current = working.get::<StoredMember>(args.id);
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

    fn apply(args: &SaveEntryArgs, working: &mut Working, w: &Writer) -> Result<Outcome, Refused> {
        if !w.may_write(args.project_id) {
            return Err(Refused::code("forbidden"));
        }
        let current = working.get::<StoredEntry>(args.id);
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
            files: args.files.clone(),
            author_id,
            version: w.version,
            review,
        };
        let changed = working
            .get::<StoredEntry>(args.id)
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

impl ServerApply for SaveMilestone {
    fn apply(
        args: &crate::domain::SaveMilestoneArgs,
        working: &mut Working,
        w: &Writer,
    ) -> Result<Outcome, Refused> {
        if !w.may_write(args.project_id) {
            return Err(Refused::code("forbidden"));
        }
        check_edit(
            working.get::<StoredMilestone>(args.id).map(|c| Found {
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

impl ServerApply for LeaveProject {
    fn apply(
        args: &crate::domain::MemberLeaves,
        working: &mut Working,
        w: &Writer,
    ) -> Result<Outcome, Refused> {
        if !w.may_write(args.project_id) {
            return Err(Refused::code("forbidden"));
        }
        let Some(current) = working.get::<StoredMember>(args.id).cloned() else {
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
