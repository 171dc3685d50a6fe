//! A project's timeline: what happened and what is due, newest first, from what the phone holds
//! (visits, action items, members, diagnostics and self-assessments, risk flags) and what the
//! project page brought from the server at the last connection (funding tranches, and every
//! version and review of the project's entries).

use crate::domain::entry::FormEntry;
use crate::domain::evidence::Evidence;
use crate::domain::risk::RiskFlag;
use crate::domain::visit::{ActionItem, ActionStatus, Visit, VisitMode};
use crate::domain::vocabulary::EntryStatus;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A funding tranche as the project page shows it (amounts in millimes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tranche {
    pub seq: i32,
    pub planned: i64,
    pub disbursed: Option<i64>,
    pub disbursed_on: Option<String>,
    pub justified: Option<i64>,
    /// What justifies it: receipts, invoices, photos of what was bought.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<crate::domain::evidence::Evidence>,
}

/// The largest number of tranches a project's grant is paid in.
pub const MAX_TRANCHES: i32 = 6;

impl Tranche {
    /// The rules a tranche the team records meets: a planned amount; a disbursement with its day
    /// (not in the future), never more than planned; a justification never more than disbursed.
    pub fn check(&self, today: &str) -> Result<(), crate::domain::FieldError> {
        use crate::domain::FieldError;
        use crate::domain::money::MAX_MILLIMES;
        if !(1..=MAX_TRANCHES).contains(&self.seq) {
            return Err(FieldError::new("seq", "other"));
        }
        if self.planned <= 0 || self.planned > MAX_MILLIMES {
            return Err(FieldError::new("planned", "not_an_amount"));
        }
        match (self.disbursed, self.disbursed_on.as_deref()) {
            (None, None) => {}
            (Some(_), None) => return Err(FieldError::new("disbursed_on", "required")),
            (None, Some(_)) => return Err(FieldError::new("disbursed", "required")),
            (Some(amount), Some(day)) => {
                if amount <= 0 || amount > self.planned {
                    return Err(FieldError::new("disbursed", "not_an_amount"));
                }
                if !crate::domain::dates::is_iso_day(day) {
                    return Err(FieldError::new("disbursed_on", "not_a_date"));
                }
                if day > today {
                    return Err(FieldError::new("disbursed_on", "in_future"));
                }
            }
        }
        if let Some(justified) = self.justified
            && (justified < 0 || justified > self.disbursed.unwrap_or(0))
        {
            return Err(FieldError::new("justified", "not_an_amount"));
        }
        crate::domain::evidence::check_files(&self.files)
    }
}

/// One step in the life of a visit or an entry: a version saved, or a review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryStep {
    /// The visit's or the entry's id.
    pub record_id: Uuid,
    /// RFC 3339, UTC.
    pub at: String,
    pub by: String,
    /// A saved version's status (submitted), or a review's decision (validated, returned).
    pub status: EntryStatus,
    /// Whether this is a review (a supervisor's decision) rather than a saved version.
    pub review: bool,
    /// A review's comment.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
}

/// What a moment of the timeline is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Happening {
    Visit {
        id: Uuid,
        mode: VisitMode,
        status: EntryStatus,
        files: Vec<Evidence>,
    },
    /// A diagnostic or a self-assessment.
    Entry {
        id: Uuid,
        form_id: String,
        status: EntryStatus,
        files: Vec<Evidence>,
    },
    /// A version of a visit or an entry saved (`n` counts from 1), or a review of it. `of` is
    /// the day of the visit or entry it is about, and `form_id` is `None` for a visit.
    Step {
        step: EntryStep,
        n: usize,
        of: String,
        form_id: Option<String>,
    },
    ActionDue {
        title: String,
        overdue: bool,
    },
    ActionDone {
        title: String,
    },
    MemberJoined {
        name: String,
    },
    MemberLeft {
        name: String,
    },
    TrancheDisbursed {
        seq: i32,
        amount: i64,
        files: Vec<Evidence>,
    },
    MilestoneReached {
        kind: String,
        label: String,
        files: Vec<Evidence>,
    },
    MilestoneDue {
        kind: String,
        label: String,
        late: bool,
    },
    Flag(RiskFlag),
}

impl Happening {
    /// The photos and documents it carries (a visit's, an entry's, a milestone's proof, a
    /// tranche's justification).
    pub fn files(&self) -> &[Evidence] {
        match self {
            Happening::Visit { files, .. }
            | Happening::Entry { files, .. }
            | Happening::TrancheDisbursed { files, .. }
            | Happening::MilestoneReached { files, .. } => files,
            _ => &[],
        }
    }
}

/// A dated moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Moment {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub what: Happening,
}

/// What the timeline is drawn from.
#[derive(Default)]
pub struct Sources<'a> {
    pub visits: Vec<&'a Visit>,
    pub actions: Vec<&'a ActionItem>,
    /// `(name, joined_on, left_on)`.
    pub members: Vec<(&'a str, Option<&'a str>, Option<&'a str>)>,
    pub entries: Vec<&'a FormEntry>,
    pub milestones: Vec<&'a crate::domain::Milestone>,
    pub tranches: &'a [Tranche],
    pub steps: &'a [EntryStep],
    pub flags: &'a [RiskFlag],
}

/// The timeline, newest first (what is due later than today comes first, then today, then the
/// past). Within a day, the order is stable: flags, then steps, visits and entries, actions,
/// members, tranches.
pub fn timeline(sources: &Sources, today: &str) -> Vec<Moment> {
    // (kind order, time within the day, moment).
    let mut moments: Vec<(u8, String, Moment)> = Vec::new();
    let mut push = |order: u8, day: &str, what: Happening| {
        if !day.is_empty() {
            let at = match &what {
                Happening::Step { step, .. } => step.at.clone(),
                _ => String::new(),
            };
            moments.push((
                order,
                at,
                Moment {
                    day: day.to_owned(),
                    what,
                },
            ));
        }
    };
    for flag in sources.flags {
        let day = match flag {
            RiskFlag::Shock { on, .. } => on.as_str(),
            _ => today,
        };
        push(0, day, Happening::Flag(flag.clone()));
    }
    // Each record's versions are counted in the order they were saved.
    let mut counted: Vec<(Uuid, usize)> = Vec::new();
    let mut steps: Vec<&EntryStep> = sources.steps.iter().collect();
    steps.sort_by(|a, b| a.at.cmp(&b.at));
    for step in steps {
        let (of, form_id) = if let Some(v) = sources.visits.iter().find(|v| v.id == step.record_id)
        {
            (v.fields.visit_on.clone(), None)
        } else if let Some(e) = sources.entries.iter().find(|e| e.id == step.record_id) {
            (e.day().to_owned(), Some(e.form_id.clone()))
        } else {
            // A record no longer on this phone (deleted, or out of scope now).
            continue;
        };
        let n = if step.review {
            0
        } else {
            match counted.iter_mut().find(|(id, _)| *id == step.record_id) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    counted.push((step.record_id, 1));
                    1
                }
            }
        };
        // Saved and reviewed at a UTC time; told on the day it was in Tunis.
        let day = crate::domain::dates::tunis_day(&step.at);
        push(
            1,
            &day,
            Happening::Step {
                step: step.clone(),
                n,
                of,
                form_id,
            },
        );
    }
    for v in &sources.visits {
        push(
            2,
            &v.fields.visit_on,
            Happening::Visit {
                id: v.id,
                mode: v.fields.mode,
                status: v.fields.status,
                files: v.fields.files.clone(),
            },
        );
    }
    for e in &sources.entries {
        push(
            2,
            e.day(),
            Happening::Entry {
                id: e.id,
                form_id: e.form_id.clone(),
                status: e.status,
                files: e.files.clone(),
            },
        );
    }
    for a in &sources.actions {
        match (a.status, &a.closed_on, &a.due_on) {
            (ActionStatus::Done, Some(day), _) => push(
                3,
                day,
                Happening::ActionDone {
                    title: a.title.clone(),
                },
            ),
            (ActionStatus::Open, _, Some(day)) => push(
                3,
                day,
                Happening::ActionDue {
                    title: a.title.clone(),
                    overdue: day.as_str() < today,
                },
            ),
            _ => {}
        }
    }
    for (name, joined, left) in &sources.members {
        if let Some(day) = joined {
            push(
                4,
                day,
                Happening::MemberJoined {
                    name: (*name).to_owned(),
                },
            );
        }
        if let Some(day) = left {
            push(
                4,
                day,
                Happening::MemberLeft {
                    name: (*name).to_owned(),
                },
            );
        }
    }
    for m in &sources.milestones {
        let (kind, label) = (m.kind.clone(), m.label.clone());
        match (&m.achieved_on, &m.due_on) {
            (Some(day), _) => push(
                3,
                day,
                Happening::MilestoneReached {
                    kind,
                    label,
                    files: m.files.clone(),
                },
            ),
            (None, Some(day)) => push(
                3,
                day,
                Happening::MilestoneDue {
                    kind,
                    label,
                    late: day.as_str() < today,
                },
            ),
            (None, None) => {}
        }
    }
    for t in sources.tranches {
        if let (Some(day), Some(amount)) = (&t.disbursed_on, t.disbursed) {
            push(
                5,
                day,
                Happening::TrancheDisbursed {
                    seq: t.seq,
                    amount,
                    files: t.files.clone(),
                },
            );
        }
    }
    // Newest day first; within a day, by kind, the latest step first, then as they were added.
    moments.sort_by(|(oa, ta, a), (ob, tb, b)| b.day.cmp(&a.day).then(oa.cmp(ob)).then(tb.cmp(ta)));
    moments.into_iter().map(|(_, _, m)| m).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::visit::VisitFields;

    fn visit(id: u128, day: &str, status: EntryStatus) -> Visit {
        Visit {
            id: Uuid::from_u128(id),
            fields: VisitFields {
                project_id: Uuid::from_u128(99),
                visit_on: day.into(),
                mode: VisitMode::OnSite,
                present_member_ids: vec![],
                topics: vec![],
                observations: String::new(),
                difficulties: String::new(),
                next_visit_on: None,
                status,
                snapshot: Default::default(),
                form: None,
                files: Vec::new(),
            },
            author_id: None,
            version: 1,
            conflict: false,
            review: None,
        }
    }

    fn action(
        title: &str,
        status: ActionStatus,
        due: Option<&str>,
        closed: Option<&str>,
    ) -> ActionItem {
        ActionItem {
            id: Uuid::new_v4(),
            project_id: Uuid::from_u128(99),
            visit_id: None,
            title: title.into(),
            due_on: due.map(Into::into),
            status,
            closed_on: closed.map(Into::into),
            author_id: None,
            version: 1,
        }
    }

    fn step(id: u128, at: &str, status: EntryStatus, review: bool, comment: &str) -> EntryStep {
        EntryStep {
            record_id: Uuid::from_u128(id),
            at: at.into(),
            by: if review { "Sonia" } else { "Amina" }.into(),
            status,
            review,
            comment: comment.into(),
        }
    }

    #[test]
    fn a_tranche_is_planned_disbursed_on_a_day_and_justified_within_what_was_paid() {
        let t = |planned, disbursed: Option<i64>, on: Option<&str>, justified| Tranche {
            seq: 1,
            planned,
            disbursed,
            disbursed_on: on.map(Into::into),
            justified,
            files: Vec::new(),
        };
        let today = "2026-11-26";
        assert!(t(10_000_000, None, None, None).check(today).is_ok());
        assert!(
            t(
                10_000_000,
                Some(10_000_000),
                Some("2026-03-01"),
                Some(4_000_000)
            )
            .check(today)
            .is_ok()
        );
        let field = |r: Result<(), crate::domain::FieldError>| r.map_err(|e| e.field);
        assert_eq!(field(t(0, None, None, None).check(today)), Err("planned"));
        assert_eq!(
            field(t(10, Some(11), Some("2026-03-01"), None).check(today)),
            Err("disbursed")
        );
        assert_eq!(
            field(t(10, Some(10), None, None).check(today)),
            Err("disbursed_on")
        );
        assert_eq!(
            field(t(10, Some(10), Some("2026-12-01"), None).check(today)),
            Err("disbursed_on")
        );
        assert_eq!(
            field(t(10, Some(5), Some("2026-03-01"), Some(6)).check(today)),
            Err("justified")
        );
        assert_eq!(
            field(t(10, None, None, Some(1)).check(today)),
            Err("justified")
        );
        // Its documents keep the rules of an entry's files.
        let receipt = crate::domain::evidence::Evidence {
            sha256: "ab".repeat(32),
            bytes: 120_000,
            media: crate::domain::evidence::Media::Pdf,
            caption: "Facture".into(),
            people_agreed: false,
        };
        let mut justified_by = t(10, Some(10), Some("2026-03-01"), Some(10));
        justified_by.files = vec![receipt.clone()];
        assert!(justified_by.check(today).is_ok());
        justified_by.files = vec![receipt; crate::domain::evidence::MAX_FILES_PER_ENTRY + 1];
        assert_eq!(field(justified_by.check(today)), Err("files"));
    }

    fn days(moments: &[Moment]) -> Vec<&str> {
        moments.iter().map(|m| m.day.as_str()).collect()
    }

    #[test]
    fn everything_that_happened_to_a_project_comes_newest_first_with_what_is_due_on_top() {
        let v = visit(1, "2026-11-20", EntryStatus::Validated);
        let due = action(
            "Tenir le cahier de caisse",
            ActionStatus::Open,
            Some("2026-12-05"),
            None,
        );
        let late = action(
            "Devis du four",
            ActionStatus::Open,
            Some("2026-11-01"),
            None,
        );
        let done = action(
            "Ouvrir un compte",
            ActionStatus::Done,
            Some("2026-11-10"),
            Some("2026-11-18"),
        );
        let tranches = [Tranche {
            seq: 1,
            planned: 10_000_000,
            disbursed: Some(10_000_000),
            disbursed_on: Some("2026-03-01".into()),
            justified: None,
            files: Vec::new(),
        }];
        let flags = [RiskFlag::Shock {
            on: "2026-11-20".into(),
            what: "Sécheresse".into(),
        }];
        let receipt = Evidence {
            sha256: "cd".repeat(32),
            bytes: 240_000,
            media: crate::domain::evidence::Media::Jpeg,
            caption: "Reçu de la première vente".into(),
            people_agreed: false,
        };
        let reached = crate::domain::Milestone {
            files: vec![receipt.clone()],
            id: Uuid::from_u128(5),
            project_id: Uuid::from_u128(99),
            kind: "first_sale".into(),
            label: String::new(),
            due_on: Some("2026-06-30".into()),
            achieved_on: Some("2026-05-12".into()),
            version: 1,
            review: None,
        };
        let sources = Sources {
            visits: vec![&v],
            milestones: vec![&reached],
            actions: vec![&due, &late, &done],
            members: vec![("Salma", Some("2026-02-01"), None)],
            tranches: &tranches,
            flags: &flags,
            ..Sources::default()
        };
        let moments = timeline(&sources, "2026-11-26");
        assert_eq!(
            days(&moments),
            [
                "2026-12-05",
                "2026-11-20",
                "2026-11-20",
                "2026-11-18",
                "2026-11-01",
                "2026-05-12",
                "2026-03-01",
                "2026-02-01"
            ]
        );
        assert!(
            matches!(&moments[5].what, Happening::MilestoneReached { kind, .. } if kind == "first_sale")
        );
        assert_eq!(
            moments[5].what.files(),
            [receipt],
            "the proof shows where the milestone does"
        );
        assert!(
            matches!(moments[1].what, Happening::Flag(_)),
            "a flag leads its day"
        );
        assert!(matches!(moments[2].what, Happening::Visit { .. }));
        assert_eq!(
            moments[4].what,
            Happening::ActionDue {
                title: "Devis du four".into(),
                overdue: true
            }
        );
        assert!(matches!(
            moments[0].what,
            Happening::ActionDue { overdue: false, .. }
        ));
        assert_eq!(
            moments[6].what,
            Happening::TrancheDisbursed {
                seq: 1,
                amount: 10_000_000,
                files: Vec::new(),
            }
        );
    }

    #[test]
    fn a_returned_then_fixed_visit_shows_both_versions_and_both_reviews() {
        let v = visit(1, "2026-11-20", EntryStatus::Validated);
        let steps = [
            step(1, "2026-11-24T09:00:00Z", EntryStatus::Submitted, false, ""),
            step(1, "2026-11-21T08:00:00Z", EntryStatus::Submitted, false, ""),
            step(
                1,
                "2026-11-22T10:00:00Z",
                EntryStatus::Returned,
                true,
                "Ajoutez les ventes.",
            ),
            step(1, "2026-11-25T11:00:00Z", EntryStatus::Validated, true, ""),
            step(1, "2026-11-21T09:30:00Z", EntryStatus::Submitted, false, ""),
            // A record this phone does not hold: left out.
            step(7, "2026-11-25T12:00:00Z", EntryStatus::Submitted, false, ""),
        ];
        let sources = Sources {
            visits: vec![&v],
            steps: &steps,
            ..Sources::default()
        };
        let moments = timeline(&sources, "2026-11-26");
        let told: Vec<String> = moments
            .iter()
            .filter_map(|m| match &m.what {
                Happening::Step {
                    step,
                    n,
                    of,
                    form_id: None,
                } => Some(format!(
                    "{} {of} {} {}",
                    m.day,
                    if step.review {
                        step.status.as_str().to_owned()
                    } else {
                        format!("v{n}")
                    },
                    step.comment
                )),
                _ => None,
            })
            .collect();
        assert_eq!(
            told,
            [
                "2026-11-25 2026-11-20 validated ",
                "2026-11-24 2026-11-20 v3 ",
                "2026-11-22 2026-11-20 returned Ajoutez les ventes.",
                "2026-11-21 2026-11-20 v2 ",
                "2026-11-21 2026-11-20 v1 ",
            ]
        );
    }
}
