//! The server half of indicator values.

use crate::domain::EntryStatus;
use crate::domain::RecordKind;
use crate::domain::indicator::value::INDICATOR_FORM;
use crate::server::db::store::{RevisionRow, StoredRecord, StoredValue};
use crate::server::sync::engine::{Outcome, Refused, Working, Writer};
use crate::server::sync::mutations::{Context, Found, ServerApply, check_answers, check_edit};
use crate::sync::mutations::SaveIndicatorValue;

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

    fn apply(
        args: &crate::domain::indicator::value::SaveValueArgs,
        working: &mut Working,
        w: &Writer,
    ) -> Result<Outcome, Refused> {
        if !w.may_write(args.project_id) {
            return Err(Refused::code("forbidden"));
        }
        let current = working.get::<StoredValue>(args.id);
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
