//! Pages for the people who review what the field sends: the visits in conflict, each version
//! side by side, kept whole or merged field by field (supervisors and the team, online); and
//! the sync health of every device (the team).

use crate::domain::VisitFields;
use crate::i18n::*;
use crate::ui::text;
use leptos_i18n::I18nContext;
use uuid::Uuid;

/// The fields of a visit a supervisor compares, in the form's order.
pub(crate) const FIELDS: [Field; 15] = [
    Field::VisitOn,
    Field::Mode,
    Field::Present,
    Field::Topics,
    Field::Observations,
    Field::Sales,
    Field::Purchases,
    Field::Cash,
    Field::Stock,
    Field::Debts,
    Field::CashBook,
    Field::Shock,
    Field::Difficulties,
    Field::NextVisit,
    Field::Status,
];

#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Field {
    VisitOn,
    Mode,
    Present,
    Topics,
    Observations,
    Sales,
    Purchases,
    Cash,
    Stock,
    Debts,
    CashBook,
    Shock,
    Difficulties,
    NextVisit,
    Status,
}

impl Field {
    pub(crate) fn label(self, i18n: I18nContext<Locale>) -> &'static str {
        match self {
            Field::VisitOn => t_string!(i18n, visit_on),
            Field::Mode => t_string!(i18n, visit_mode),
            Field::Present => t_string!(i18n, present_members),
            Field::Topics => t_string!(i18n, topics),
            Field::Observations => t_string!(i18n, observations),
            Field::Sales => t_string!(i18n, snap_sales),
            Field::Purchases => t_string!(i18n, snap_purchases),
            Field::Cash => t_string!(i18n, snap_cash),
            Field::Stock => t_string!(i18n, snap_stock),
            Field::Debts => t_string!(i18n, snap_debts),
            Field::CashBook => t_string!(i18n, snap_cash_book),
            Field::Shock => t_string!(i18n, snap_shock),
            Field::Difficulties => t_string!(i18n, difficulties),
            Field::NextVisit => t_string!(i18n, next_visit_on),
            Field::Status => t_string!(i18n, status),
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Field::VisitOn => "visit_on",
            Field::Mode => "mode",
            Field::Present => "present",
            Field::Topics => "topics",
            Field::Observations => "observations",
            Field::Sales => "sales",
            Field::Purchases => "purchases",
            Field::Cash => "cash",
            Field::Stock => "stock",
            Field::Debts => "debts",
            Field::CashBook => "cash_book",
            Field::Shock => "shock",
            Field::Difficulties => "difficulties",
            Field::NextVisit => "next_visit_on",
            Field::Status => "status",
        }
    }

    /// The field as a supervisor reads it.
    pub(crate) fn show(
        self,
        i18n: I18nContext<Locale>,
        f: &VisitFields,
        members: &[(Uuid, String)],
    ) -> String {
        match self {
            Field::VisitOn => text::day(&f.visit_on),
            Field::Mode => text::visit_mode(i18n, f.mode).into(),
            Field::Present => f
                .present_member_ids
                .iter()
                .map(|id| {
                    members
                        .iter()
                        .find(|(m, _)| m == id)
                        .map_or_else(|| "?".to_owned(), |(_, name)| name.clone())
                })
                .collect::<Vec<_>>()
                .join(", "),
            Field::Topics => f
                .topics
                .iter()
                .map(|t| text::topic(i18n, *t))
                .collect::<Vec<_>>()
                .join(", "),
            Field::Observations => f.observations.clone(),
            Field::Sales => amount(i18n, f.snapshot.sales),
            Field::Purchases => amount(i18n, f.snapshot.purchases),
            Field::Cash => amount(i18n, f.snapshot.cash),
            Field::Stock => amount(i18n, f.snapshot.stock),
            Field::Debts => amount(i18n, f.snapshot.debts),
            Field::CashBook => match f.snapshot.cash_book_up_to_date {
                Some(true) => t_string!(i18n, answer_yes).into(),
                Some(false) => t_string!(i18n, answer_no).into(),
                None => String::new(),
            },
            Field::Shock => f.snapshot.shock.clone(),
            Field::Difficulties => f.difficulties.clone(),
            Field::NextVisit => f
                .next_visit_on
                .as_deref()
                .map(text::day)
                .unwrap_or_default(),
            Field::Status => text::entry_status(i18n, f.status).into(),
        }
    }

    /// Copies this field from `from` into `into`.
    pub(crate) fn take(self, into: &mut VisitFields, from: &VisitFields) {
        match self {
            Field::VisitOn => into.visit_on.clone_from(&from.visit_on),
            Field::Mode => into.mode = from.mode,
            Field::Present => into.present_member_ids.clone_from(&from.present_member_ids),
            Field::Topics => into.topics.clone_from(&from.topics),
            Field::Observations => into.observations.clone_from(&from.observations),
            Field::Sales => into.snapshot.sales = from.snapshot.sales,
            Field::Purchases => into.snapshot.purchases = from.snapshot.purchases,
            Field::Cash => into.snapshot.cash = from.snapshot.cash,
            Field::Stock => into.snapshot.stock = from.snapshot.stock,
            Field::Debts => into.snapshot.debts = from.snapshot.debts,
            Field::CashBook => {
                into.snapshot.cash_book_up_to_date = from.snapshot.cash_book_up_to_date;
            }
            Field::Shock => into.snapshot.shock.clone_from(&from.snapshot.shock),
            Field::Difficulties => into.difficulties.clone_from(&from.difficulties),
            Field::NextVisit => into.next_visit_on.clone_from(&from.next_visit_on),
            Field::Status => into.status = from.status,
        }
    }
}

/// An amount as a reviewer reads it; empty when the facilitator had no figure.
pub(crate) fn amount(i18n: I18nContext<Locale>, millimes: Option<i64>) -> String {
    millimes.map(|m| text::money(i18n, m)).unwrap_or_default()
}
