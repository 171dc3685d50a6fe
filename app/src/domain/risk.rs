//! Risk flags: rules over what Athar knows of a project, with thresholds the programme sets. One
//! computation, the same wherever a flag is shown.
//!
//! "Under break-even" compares a visit's sales with its purchases: the only costs the snapshot
//! records. A project's fixed costs are not known to Athar yet, so the rule flags sales that do
//! not even cover what was bought.

use super::dates::days_between;
use super::visit::Snapshot;
use serde::{Deserialize, Serialize};

/// The thresholds of the rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RiskSettings {
    /// No visit for more than this many days.
    pub days_without_visit: i64,
    /// More open action items past their day than this.
    pub max_overdue_actions: usize,
    /// Sales under purchases at this many visits running.
    pub visits_under_break_even: usize,
    /// A disbursed tranche not justified after this many days.
    pub days_tranche_unspent: i64,
    /// How long an acknowledgement holds: after that, the flag asks for attention again.
    pub days_acknowledged: i64,
    /// Dashboards and exports show a count of people under this as "<5" (or "<N").
    pub small_cell_threshold: i64,
}

impl Default for RiskSettings {
    fn default() -> Self {
        RiskSettings {
            days_without_visit: 45,
            max_overdue_actions: 3,
            visits_under_break_even: 2,
            days_tranche_unspent: 90,
            days_acknowledged: 30,
            small_cell_threshold: 5,
        }
    }
}

/// One threshold of [`RiskSettings`]: its field, and the values the programme may choose.
pub struct Threshold {
    pub field: &'static str,
    pub min: i64,
    pub max: i64,
}

/// Every threshold with its bounds, in the order the settings page asks them.
pub const THRESHOLDS: [Threshold; 6] = [
    Threshold {
        field: "days_without_visit",
        min: 7,
        max: 365,
    },
    Threshold {
        field: "max_overdue_actions",
        min: 0,
        max: 50,
    },
    Threshold {
        field: "visits_under_break_even",
        min: 1,
        max: 12,
    },
    Threshold {
        field: "days_tranche_unspent",
        min: 7,
        max: 730,
    },
    Threshold {
        field: "days_acknowledged",
        min: 1,
        max: 365,
    },
    Threshold {
        field: "small_cell_threshold",
        min: 2,
        max: 20,
    },
];

impl RiskSettings {
    /// The value of the threshold named `field`.
    pub fn get(&self, field: &str) -> Option<i64> {
        match field {
            "days_without_visit" => Some(self.days_without_visit),
            "max_overdue_actions" => i64::try_from(self.max_overdue_actions).ok(),
            "visits_under_break_even" => i64::try_from(self.visits_under_break_even).ok(),
            "days_tranche_unspent" => Some(self.days_tranche_unspent),
            "days_acknowledged" => Some(self.days_acknowledged),
            "small_cell_threshold" => Some(self.small_cell_threshold),
            _ => None,
        }
    }

    /// Sets the threshold named `field`; `false` for an unknown field or a negative count.
    pub fn set(&mut self, field: &str, value: i64) -> bool {
        let count = usize::try_from(value);
        match (field, count) {
            ("days_without_visit", _) => self.days_without_visit = value,
            ("max_overdue_actions", Ok(n)) => self.max_overdue_actions = n,
            ("visits_under_break_even", Ok(n)) => self.visits_under_break_even = n,
            ("days_tranche_unspent", _) => self.days_tranche_unspent = value,
            ("days_acknowledged", _) => self.days_acknowledged = value,
            ("small_cell_threshold", _) => self.small_cell_threshold = value,
            _ => return false,
        }
        true
    }

    /// Every threshold within its bounds; the first one outside is named.
    pub fn check(&self) -> Result<(), super::FieldError> {
        for t in &THRESHOLDS {
            let value = self.get(t.field).unwrap_or(i64::MIN);
            if value < t.min || value > t.max {
                return Err(super::FieldError::new(t.field, "out_of_range"));
            }
        }
        Ok(())
    }
}

/// A risk a project runs, with what the rule saw.
// Externally tagged: an internally tagged enum makes serde buffer each value, which costs the
// phone's WASM several kilobytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskFlag {
    /// No visit for too long (`days` since the last one), or never visited.
    NoRecentVisit {
        days: Option<i64>,
    },
    OverdueActions {
        count: usize,
    },
    /// Sales under purchases at the latest `visits` visits.
    UnderBreakEven {
        visits: usize,
    },
    /// A tranche disbursed on `disbursed_on` and not justified `days` later.
    TrancheUnspent {
        disbursed_on: String,
        days: i64,
    },
    /// The latest visit reported a shock.
    Shock {
        on: String,
        what: String,
    },
}

/// Every rule's stable name.
pub const RULES: [&str; 5] = [
    "no_recent_visit",
    "overdue_actions",
    "under_break_even",
    "tranche_unspent",
    "shock",
];

/// A flag seen by a supervisor or the team, with what they noted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskAck {
    pub rule: String,
    pub note: String,
    pub by: String,
    /// RFC 3339, UTC.
    pub at: String,
}

/// The longest acknowledgement note.
pub const MAX_ACK_NOTE_CHARS: usize = 500;

/// The rules an acknowledgement meets: a known rule, and a note that says what was done.
pub fn check_ack(rule: &str, note: &str) -> Result<(), super::FieldError> {
    use super::FieldError;
    if !RULES.contains(&rule) {
        return Err(FieldError::new("rule", "other"));
    }
    let note = note.trim();
    if note.is_empty() {
        return Err(FieldError::new("note", "required"));
    }
    if note.chars().count() > MAX_ACK_NOTE_CHARS {
        return Err(FieldError::new("note", "too_long"));
    }
    Ok(())
}

impl RiskFlag {
    /// The rule's stable name (for acknowledgements and filters).
    pub fn rule(&self) -> &'static str {
        match self {
            RiskFlag::NoRecentVisit { .. } => "no_recent_visit",
            RiskFlag::OverdueActions { .. } => "overdue_actions",
            RiskFlag::UnderBreakEven { .. } => "under_break_even",
            RiskFlag::TrancheUnspent { .. } => "tranche_unspent",
            RiskFlag::Shock { .. } => "shock",
        }
    }
}

/// What the rules read about one project.
#[derive(Clone, Debug, Default)]
pub struct RiskFacts {
    /// Closed, withdrawn or not started projects are not flagged.
    pub active: bool,
    /// Its visits (submitted or later), latest first: ISO day and snapshot.
    pub visits: Vec<(String, Snapshot)>,
    /// Open action items whose day has passed.
    pub overdue_actions: usize,
    /// The ISO days of disbursements not yet justified.
    pub unjustified_disbursements: Vec<String>,
}

/// Sets a card's flags on `today` from its project's facts (`active` taken from the card), and
/// keeps the acknowledgements of those flags only (one of a flag no longer raised is dropped).
pub fn flag_card(
    card: &mut crate::domain::ProjectCard,
    facts: Option<&RiskFacts>,
    acknowledgements: &[(uuid::Uuid, RiskAck)],
    settings: &RiskSettings,
    today: &str,
) {
    let facts = RiskFacts {
        active: card.status.is_active(),
        ..facts.cloned().unwrap_or_default()
    };
    card.flags = risk_flags(&facts, settings, today);
    card.acknowledged = acknowledgements
        .iter()
        .filter(|(project, ack)| {
            *project == card.id && card.flags.iter().any(|f| f.rule() == ack.rule)
        })
        .map(|(_, ack)| ack.clone())
        .collect();
}

/// The flags a project raises on `today` (ISO day), in the order of the rules.
pub fn risk_flags(facts: &RiskFacts, settings: &RiskSettings, today: &str) -> Vec<RiskFlag> {
    if !facts.active {
        return Vec::new();
    }
    let mut flags = Vec::new();
    let since_last = facts
        .visits
        .first()
        .and_then(|(day, _)| days_between(day, today));
    if since_last.is_none_or(|d| d > settings.days_without_visit) {
        flags.push(RiskFlag::NoRecentVisit { days: since_last });
    }
    if facts.overdue_actions > settings.max_overdue_actions {
        flags.push(RiskFlag::OverdueActions {
            count: facts.overdue_actions,
        });
    }
    let running = settings.visits_under_break_even;
    let under = |s: &Snapshot| matches!((s.sales, s.purchases), (Some(sales), Some(bought)) if sales < bought);
    if running > 0
        && facts.visits.len() >= running
        && facts.visits[..running].iter().all(|(_, s)| under(s))
    {
        flags.push(RiskFlag::UnderBreakEven { visits: running });
    }
    if let Some((day, days)) = facts
        .unjustified_disbursements
        .iter()
        .filter_map(|d| Some((d, days_between(d, today)?)))
        .filter(|(_, days)| *days > settings.days_tranche_unspent)
        .max_by_key(|(_, days)| *days)
    {
        flags.push(RiskFlag::TrancheUnspent {
            disbursed_on: day.clone(),
            days,
        });
    }
    if let Some((day, snapshot)) = facts.visits.first()
        && !snapshot.shock.is_empty()
    {
        flags.push(RiskFlag::Shock {
            on: day.clone(),
            what: snapshot.shock.clone(),
        });
    }
    flags
}

#[cfg(test)]
mod settings_tests {
    use super::*;

    #[test]
    fn the_defaults_are_within_bounds_and_each_bound_is_enforced() {
        let defaults = RiskSettings::default();
        assert_eq!(defaults.check(), Ok(()));
        for t in &THRESHOLDS {
            let mut s = defaults;
            assert!(
                s.set(t.field, t.min) && s.check().is_ok(),
                "{} at its minimum",
                t.field
            );
            assert!(
                s.set(t.field, t.max) && s.check().is_ok(),
                "{} at its maximum",
                t.field
            );
            if s.set(t.field, t.max + 1) {
                assert_eq!(
                    s.check(),
                    Err(crate::domain::FieldError::new(t.field, "out_of_range"))
                );
            }
            if s.set(t.field, t.min - 1) {
                assert_eq!(
                    s.check(),
                    Err(crate::domain::FieldError::new(t.field, "out_of_range"))
                );
            }
        }
        let mut other = defaults;
        assert!(!other.set("unknown", 3));
        assert!(
            !other.set("max_overdue_actions", -1),
            "a count is never negative"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: &str = "2026-11-26";

    fn visit(day: &str, sales: i64, purchases: i64) -> (String, Snapshot) {
        (
            day.into(),
            Snapshot {
                sales: Some(sales),
                purchases: Some(purchases),
                ..Snapshot::default()
            },
        )
    }

    fn facts(visits: Vec<(String, Snapshot)>) -> RiskFacts {
        RiskFacts {
            active: true,
            visits,
            ..RiskFacts::default()
        }
    }

    fn rules(f: &RiskFacts) -> Vec<&'static str> {
        risk_flags(f, &RiskSettings::default(), TODAY)
            .iter()
            .map(RiskFlag::rule)
            .collect()
    }

    #[test]
    fn a_project_visited_recently_and_selling_well_raises_nothing() {
        let f = facts(vec![
            visit("2026-11-20", 900, 300),
            visit("2026-10-20", 800, 300),
        ]);
        assert!(rules(&f).is_empty());
    }

    #[test]
    fn no_visit_for_more_than_45_days_or_never() {
        let f = facts(vec![visit("2026-10-11", 900, 300)]);
        assert_eq!(
            risk_flags(&f, &RiskSettings::default(), TODAY),
            [RiskFlag::NoRecentVisit { days: Some(46) }]
        );
        assert!(
            rules(&facts(vec![visit("2026-10-12", 900, 300)])).is_empty(),
            "45 days is not yet"
        );
        assert_eq!(rules(&facts(vec![])), ["no_recent_visit"]);
    }

    #[test]
    fn more_than_three_overdue_actions() {
        let mut f = facts(vec![visit("2026-11-20", 900, 300)]);
        f.overdue_actions = 3;
        assert!(rules(&f).is_empty());
        f.overdue_actions = 4;
        assert_eq!(rules(&f), ["overdue_actions"]);
    }

    #[test]
    fn sales_under_purchases_two_visits_running() {
        let f = facts(vec![
            visit("2026-11-20", 200, 300),
            visit("2026-10-20", 800, 300),
        ]);
        assert!(rules(&f).is_empty(), "once is not running");
        let f = facts(vec![
            visit("2026-11-20", 200, 300),
            visit("2026-10-20", 250, 300),
        ]);
        assert_eq!(rules(&f), ["under_break_even"]);
        let mut unknown = facts(vec![
            visit("2026-11-20", 200, 300),
            visit("2026-10-20", 250, 300),
        ]);
        unknown.visits[1].1.sales = None;
        assert!(
            rules(&unknown).is_empty(),
            "a missing figure proves nothing"
        );
    }

    #[test]
    fn a_tranche_unjustified_90_days_after_disbursement() {
        let mut f = facts(vec![visit("2026-11-20", 900, 300)]);
        f.unjustified_disbursements = vec!["2026-08-28".into()];
        assert!(rules(&f).is_empty(), "90 days is not yet");
        f.unjustified_disbursements.push("2026-07-01".into());
        assert_eq!(
            risk_flags(&f, &RiskSettings::default(), TODAY),
            [RiskFlag::TrancheUnspent {
                disbursed_on: "2026-07-01".into(),
                days: 148
            }]
        );
    }

    #[test]
    fn a_shock_at_the_latest_visit_and_thresholds_are_settings() {
        let mut f = facts(vec![
            visit("2026-11-20", 900, 300),
            visit("2026-10-20", 800, 300),
        ]);
        f.visits[1].1.shock = "Vent de sable".into();
        assert!(rules(&f).is_empty(), "an earlier shock is past");
        f.visits[0].1.shock = "Vol de matériel".into();
        assert_eq!(rules(&f), ["shock"]);
        let strict = RiskSettings {
            days_without_visit: 5,
            ..RiskSettings::default()
        };
        assert_eq!(risk_flags(&f, &strict, TODAY).len(), 2);
        f.active = false;
        assert!(rules(&f).is_empty(), "a closed project is not flagged");
    }
}
