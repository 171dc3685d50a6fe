//! Words for domain values and errors, in the user's language.

use crate::domain::Names;
use crate::domain::dates::format_day;
use crate::domain::money::{MoneyStyle, format_millimes};
use crate::domain::{EntryStatus, ProjectKind, ProjectStatus, Role, Topic, VisitMode};
use crate::error::AppError;
use crate::i18n::*;
use crate::storage::StorageError;
use crate::sync::outbox::SyncState;
use leptos_i18n::I18nContext;

pub fn status(i18n: I18nContext<Locale>, s: ProjectStatus) -> &'static str {
    match s {
        ProjectStatus::Preselected => t_string!(i18n, status_preselected),
        ProjectStatus::Selected => t_string!(i18n, status_selected),
        ProjectStatus::Contracted => t_string!(i18n, status_contracted),
        ProjectStatus::Operating => t_string!(i18n, status_operating),
        ProjectStatus::Suspended => t_string!(i18n, status_suspended),
        ProjectStatus::Withdrawn => t_string!(i18n, status_withdrawn),
        ProjectStatus::Closed => t_string!(i18n, status_closed),
    }
}

pub fn kind(i18n: I18nContext<Locale>, k: ProjectKind) -> &'static str {
    match k {
        ProjectKind::Individual => t_string!(i18n, kind_individual),
        ProjectKind::Collective => t_string!(i18n, kind_collective),
    }
}

pub fn role(i18n: I18nContext<Locale>, r: Role) -> &'static str {
    match r {
        Role::Facilitator => t_string!(i18n, role_facilitator),
        Role::Supervisor => t_string!(i18n, role_supervisor),
        Role::Team => t_string!(i18n, role_team),
        Role::Viewer => t_string!(i18n, role_viewer),
    }
}

/// Where an indicator value comes from, in words.
pub fn value_source(
    i18n: I18nContext<Locale>,
    source: crate::domain::indicator::value::ValueSource,
) -> &'static str {
    use crate::domain::indicator::value::ValueSource;
    match source {
        ValueSource::Visit => t_string!(i18n, src_visit),
        ValueSource::Survey => t_string!(i18n, src_survey),
        ValueSource::Record => t_string!(i18n, src_record),
        ValueSource::Estimate => t_string!(i18n, src_estimate),
        ValueSource::Derived => t_string!(i18n, src_derived),
    }
}

/// A member's sex, in words.
pub fn sex(i18n: I18nContext<Locale>, sex: crate::domain::Sex) -> &'static str {
    match sex {
        crate::domain::Sex::Female => t_string!(i18n, sex_female),
        crate::domain::Sex::Male => t_string!(i18n, sex_male),
    }
}

pub fn member_role(i18n: I18nContext<Locale>, r: &str) -> &'static str {
    match r {
        "promoter" => t_string!(i18n, member_role_promoter),
        "employee" => t_string!(i18n, member_role_employee),
        "seasonal_worker" => t_string!(i18n, member_role_seasonal_worker),
        "president" => t_string!(i18n, member_role_president),
        "treasurer" => t_string!(i18n, member_role_treasurer),
        _ => t_string!(i18n, member_role_member),
    }
}

pub fn value_chain(i18n: I18nContext<Locale>, names: &Names) -> String {
    match i18n.get_locale() {
        Locale::fr => names.fr.clone(),
        Locale::ar => names.ar.clone(),
        Locale::en => names.en.clone(),
    }
}

pub fn money(i18n: I18nContext<Locale>, millimes: i64) -> String {
    let style = match i18n.get_locale() {
        Locale::fr => MoneyStyle::French,
        Locale::ar => MoneyStyle::Arabic,
        Locale::en => MoneyStyle::English,
    };
    format_millimes(millimes, style)
}

pub fn day(iso: &str) -> String {
    format_day(iso)
}

pub fn error(i18n: I18nContext<Locale>, e: &AppError) -> String {
    match e {
        AppError::NotSignedIn => t_string!(i18n, err_not_signed_in).to_string(),
        AppError::Forbidden => t_string!(i18n, err_forbidden).to_string(),
        AppError::NotFound => t_string!(i18n, err_not_found).to_string(),
        AppError::InvalidCredentials => t_string!(i18n, err_invalid_credentials).to_string(),
        AppError::AccountDisabled => t_string!(i18n, err_account_disabled).to_string(),
        AppError::LockedOut { minutes } => {
            t_string!(i18n, err_locked_out, minutes = *minutes).to_string()
        }
        AppError::Invalid { field, code } if field == "email" && code == "required" => {
            t_string!(i18n, err_email_required).to_string()
        }
        AppError::Invalid { field, code } if field == "password" && code == "required" => {
            t_string!(i18n, err_password_required).to_string()
        }
        AppError::Invalid { field, .. } if field == "token" => {
            t_string!(i18n, setup_link_dead).to_string()
        }
        AppError::Invalid { field, code }
            if matches!(
                field.as_str(),
                "name" | "email" | "password" | "password_again" | "current" | "code"
            ) =>
        {
            field_error(i18n, code).to_string()
        }
        AppError::Invalid { .. } => t_string!(i18n, err_invalid_request).to_string(),
        AppError::UpdateNeeded => t_string!(i18n, err_update_needed).to_string(),
        AppError::TooLarge => t_string!(i18n, err_too_large).to_string(),
        AppError::Stale => t_string!(i18n, err_stale).to_string(),
        AppError::Unavailable => t_string!(i18n, err_unavailable).to_string(),
        AppError::Internal => t_string!(i18n, err_internal).to_string(),
        AppError::Network(_) => t_string!(i18n, err_network).to_string(),
    }
}

pub fn storage_error(i18n: I18nContext<Locale>, e: &StorageError) -> &'static str {
    match e {
        StorageError::Unavailable => t_string!(i18n, storage_unavailable),
        StorageError::QuotaExceeded => t_string!(i18n, storage_full),
        StorageError::Corrupt(_) => t_string!(i18n, storage_corrupt),
    }
}

pub fn visit_mode(i18n: I18nContext<Locale>, m: VisitMode) -> &'static str {
    match m {
        VisitMode::OnSite => t_string!(i18n, mode_on_site),
        VisitMode::Phone => t_string!(i18n, mode_phone),
        VisitMode::Group => t_string!(i18n, mode_group),
    }
}

pub fn topic(i18n: I18nContext<Locale>, t: Topic) -> &'static str {
    match t {
        Topic::Bookkeeping => t_string!(i18n, topic_bookkeeping),
        Topic::Marketing => t_string!(i18n, topic_marketing),
        Topic::Production => t_string!(i18n, topic_production),
        Topic::Quality => t_string!(i18n, topic_quality),
        Topic::Governance => t_string!(i18n, topic_governance),
        Topic::Funding => t_string!(i18n, topic_funding),
        Topic::SseLaw => t_string!(i18n, topic_sse_law),
        Topic::Environment => t_string!(i18n, topic_environment),
        Topic::Other => t_string!(i18n, topic_other),
    }
}

pub fn entry_status(i18n: I18nContext<Locale>, s: EntryStatus) -> &'static str {
    match s {
        EntryStatus::Draft => t_string!(i18n, entry_draft),
        EntryStatus::Submitted => t_string!(i18n, entry_submitted),
        EntryStatus::Validated => t_string!(i18n, entry_validated),
        EntryStatus::Returned => t_string!(i18n, entry_returned),
    }
}

/// A supervisor's decision on an entry, as the facilitator and the supervisor read it.
pub fn review_line(i18n: I18nContext<Locale>, note: &crate::domain::ReviewNote) -> String {
    let day = day(&crate::domain::dates::tunis_day(&note.at));
    let name = note.by_name.clone();
    match note.decision {
        EntryStatus::Validated => t_string!(i18n, validated_by, name, day).to_string(),
        _ => t_string!(i18n, returned_by, name, day).to_string(),
    }
}

/// A risk flag, in words.
pub fn risk(i18n: I18nContext<Locale>, flag: &crate::domain::risk::RiskFlag) -> String {
    use crate::domain::risk::RiskFlag;
    match flag {
        RiskFlag::NoRecentVisit { days: Some(n) } => {
            t_string!(i18n, risk_no_visit, n = *n).to_string()
        }
        RiskFlag::NoRecentVisit { days: None } => t_string!(i18n, risk_never_visited).to_string(),
        RiskFlag::OverdueActions { count } => {
            t_string!(i18n, risk_overdue_actions, count = *count).to_string()
        }
        RiskFlag::UnderBreakEven { visits } => {
            t_string!(i18n, risk_under_break_even, n = *visits).to_string()
        }
        RiskFlag::TrancheUnspent { disbursed_on, days } => t_string!(
            i18n,
            risk_tranche_unspent,
            day = day(disbursed_on),
            n = *days
        )
        .to_string(),
        RiskFlag::Shock { on, what } => {
            t_string!(i18n, risk_shock, day = day(on), what = what.clone()).to_string()
        }
    }
}

/// What is wrong with a field, from a validation code (`domain::visit`).
pub fn field_error(i18n: I18nContext<Locale>, code: &str) -> &'static str {
    match code {
        "not_a_date" => t_string!(i18n, fe_not_a_date),
        "in_future" => t_string!(i18n, fe_in_future),
        "before_visit" => t_string!(i18n, fe_before_visit),
        "too_long" => t_string!(i18n, fe_too_long),
        "required" => t_string!(i18n, fe_required),
        "in_conflict" => t_string!(i18n, fe_in_conflict),
        "own_entry" => t_string!(i18n, fe_own_entry),
        "invisible_character" => t_string!(i18n, fe_invisible_character),
        "not_an_amount" => t_string!(i18n, fe_not_an_amount),
        "code_format" => t_string!(i18n, fe_code_format),
        "not_a_number" => t_string!(i18n, fe_not_a_number),
        "negative" => t_string!(i18n, fe_negative),
        "cells_total" => t_string!(i18n, fe_cells_total),
        "derived" => t_string!(i18n, fe_derived),
        "not_a_period" => t_string!(i18n, fe_not_a_period),
        "out_of_range" => t_string!(i18n, fe_out_of_range),
        "after_baseline" => t_string!(i18n, fe_after_baseline),
        "not_allowed" => t_string!(i18n, fe_not_allowed),
        "unknown" => t_string!(i18n, fe_unknown),
        "too_short" => t_string!(i18n, fe_password_too_short),
        "too_common" => t_string!(i18n, fe_password_too_common),
        "not_an_email" => t_string!(i18n, fe_not_an_email),
        "mismatch" => t_string!(i18n, fe_password_mismatch),
        "taken" => t_string!(i18n, fe_email_taken),
        "wrong_password" => t_string!(i18n, fe_wrong_password),
        "chain_code_taken" => t_string!(i18n, fe_chain_code_taken),
        "used" => t_string!(i18n, fe_used),
        _ => t_string!(i18n, fe_other),
    }
}

/// Why the server refused an entry, as a reason to show beside it.
pub fn refusal_reason(i18n: I18nContext<Locale>, code: &str, field: Option<&str>) -> String {
    match code {
        "forbidden" => t_string!(i18n, refusal_forbidden).to_string(),
        "not_found" => t_string!(i18n, refusal_not_found).to_string(),
        "stale" => t_string!(i18n, refusal_stale).to_string(),
        "invalid_answers" => t_string!(i18n, refusal_invalid_answers).to_string(),
        "unknown_form_version" => t_string!(i18n, refusal_unknown_form_version).to_string(),
        "already_validated" => t_string!(i18n, refusal_already_validated).to_string(),
        "already_exists" => t_string!(i18n, refusal_already_exists).to_string(),
        "no_incubator" => t_string!(i18n, refusal_no_incubator).to_string(),
        "period_locked" => t_string!(i18n, refusal_period_locked).to_string(),
        "not_applicable" => t_string!(i18n, refusal_not_applicable).to_string(),
        "unknown_indicator_version" => {
            t_string!(i18n, refusal_unknown_indicator_version).to_string()
        }
        "invalid" => t_string!(
            i18n,
            refusal_field,
            field = field_label(i18n, field.unwrap_or_default()),
            why = t_string!(i18n, refusal_field_refused)
        )
        .to_string(),
        other => t_string!(i18n, refusal_other, code = other.to_owned()).to_string(),
    }
}

/// "Keep Amal's version" (with the device when known, "Amal · chrome · Android"): French elides
/// "de" before a vowel or a silent h ("d'Amal").
pub fn keep_version_of(i18n: I18nContext<Locale>, author: &str, device: Option<&str>) -> String {
    let elides = author
        .chars()
        .next()
        .is_some_and(|c| "AEIOUYHÂÀÉÈÊËÎÏÔÛÙaeiouyhâàéèêëîïôûù".contains(c));
    let author = match device {
        Some(d) => format!("{author} · {d}"),
        None => author.to_owned(),
    };
    if elides {
        t_string!(i18n, conflict_keep_edit_elided, author).to_string()
    } else {
        t_string!(i18n, conflict_keep_edit, author).to_string()
    }
}

/// "From chrome · Android, last heard from 03/12/2026 06:28".
pub fn device_of(i18n: I18nContext<Locale>, device: &str, seen: Option<&str>) -> String {
    let seen = seen
        .map(crate::domain::dates::tunis_day_time)
        .unwrap_or_default();
    t_string!(i18n, conflict_device, device, seen).to_string()
}

/// A field of a record, in words.
pub fn field_label(i18n: I18nContext<Locale>, field: &str) -> &'static str {
    match field {
        "visit_on" => t_string!(i18n, field_visit_on),
        "next_visit_on" => t_string!(i18n, field_next_visit_on),
        "mode" => t_string!(i18n, field_mode),
        "period" => t_string!(i18n, field_period),
        "value" => t_string!(i18n, field_value),
        "joined_on" => t_string!(i18n, field_joined_on),
        "left_on" => t_string!(i18n, field_left_on),
        "due_on" => t_string!(i18n, field_due_on),
        "achieved_on" => t_string!(i18n, field_achieved_on),
        "answers" => t_string!(i18n, field_answers),
        _ => t_string!(i18n, field_other),
    }
}

/// Why the server refused a stored entry, in words, with the field's label: the entry is
/// checked again by today's rules (by the server's day) to say what is wrong with the field,
/// which the server names without saying why.
pub fn refused_entry(
    i18n: I18nContext<Locale>,
    entry: &crate::sync::outbox::RefusedEntry,
) -> String {
    let refusal = &entry.refusal;
    if refusal.code != "invalid" {
        return refusal_reason(i18n, &refusal.code, refusal.field.as_deref());
    }
    let m = &entry.mutation;
    let today = crate::domain::dates::today_iso();
    let why = crate::sync::mutations::recheck(&m.name, m.args.get(), &today)
        .filter(|e| refusal.field.as_deref().is_none_or(|f| f == e.field));
    let field = why
        .as_ref()
        .map(|e| e.field)
        .or(refusal.field.as_deref())
        .unwrap_or_default();
    let why = match why {
        Some(e) => field_error(i18n, e.code),
        None => t_string!(i18n, refusal_field_refused),
    };
    t_string!(i18n, refusal_field, field = field_label(i18n, field), why).to_string()
}

/// Where an entry stands, in words.
pub fn sync_state(i18n: I18nContext<Locale>, s: &SyncState) -> String {
    match s {
        SyncState::Waiting => t_string!(i18n, state_waiting).to_string(),
        SyncState::Sent => t_string!(i18n, state_sent).to_string(),
        SyncState::Refused { code, field } => {
            let reason = refusal_reason(i18n, code, field.as_deref());
            t_string!(i18n, state_refused, reason).to_string()
        }
        SyncState::Conflict => t_string!(i18n, state_conflict).to_string(),
    }
}

/// "3 min ago", from two Unix-ms times.
pub fn ago(i18n: I18nContext<Locale>, then: Option<i64>, now: i64) -> String {
    let Some(then) = then else {
        return t_string!(i18n, sync_never).to_string();
    };
    let minutes = (now - then).max(0) / 60_000;
    match minutes {
        0 => t_string!(i18n, sync_just_now).to_string(),
        1..=59 => t_string!(i18n, sync_minutes_ago, n = minutes).to_string(),
        60..=2879 => t_string!(i18n, sync_hours_ago, n = minutes / 60).to_string(),
        _ => t_string!(i18n, sync_days_ago, n = minutes / 1440).to_string(),
    }
}

/// A milestone's name: the programme's word for it, or its own label.
pub fn milestone_name(i18n: I18nContext<Locale>, kind: &str, label: &str) -> String {
    match kind {
        "equipment_installed" => t_string!(i18n, ms_equipment_installed).to_string(),
        "first_sale" => t_string!(i18n, ms_first_sale).to_string(),
        "registration" => t_string!(i18n, ms_registration).to_string(),
        "social_security" => t_string!(i18n, ms_social_security).to_string(),
        "break_even_quarter" => t_string!(i18n, ms_break_even_quarter).to_string(),
        "first_general_assembly" => t_string!(i18n, ms_first_general_assembly).to_string(),
        "organic_conversion" => t_string!(i18n, ms_organic_conversion).to_string(),
        _ => label.to_owned(),
    }
}

/// A legal form, in words (an unknown one as it is stored).
pub fn legal_form(i18n: I18nContext<Locale>, form: &str) -> String {
    match form {
        "sole_trader" => t_string!(i18n, lf_sole_trader).to_string(),
        "informal" => t_string!(i18n, lf_informal).to_string(),
        "gda" => t_string!(i18n, lf_gda).to_string(),
        "association" => t_string!(i18n, lf_association).to_string(),
        "informal_group" => t_string!(i18n, lf_informal_group).to_string(),
        "smsa" => t_string!(i18n, lf_smsa).to_string(),
        "cooperative" => t_string!(i18n, lf_cooperative).to_string(),
        "company_sse" => t_string!(i18n, lf_company_sse).to_string(),
        other => other.to_owned(),
    }
}

/// A training track, in words.
pub fn training_track(i18n: I18nContext<Locale>, track: &str) -> String {
    match track {
        "cefe_sse" => t_string!(i18n, tt_cefe_sse).to_string(),
        "collective_sse" => t_string!(i18n, tt_collective_sse).to_string(),
        "germe" => t_string!(i18n, tt_germe).to_string(),
        "none" => t_string!(i18n, tt_none).to_string(),
        other => other.to_owned(),
    }
}

/// The text of `names` in the reader's language.
pub fn pick(names: &Names, locale: Locale) -> String {
    match locale {
        Locale::fr => names.fr.clone(),
        Locale::ar => names.ar.clone(),
        Locale::en => names.en.clone(),
    }
}

/// Bytes as megabytes to a tenth ("0,6"), with the decimal comma of French and Arabic.
pub fn megabytes(i18n: I18nContext<Locale>, bytes: u64) -> String {
    let n = format!("{:.1}", bytes as f64 / 1_000_000.0);
    if i18n.get_locale_untracked() == Locale::en {
        n
    } else {
        n.replace('.', ",")
    }
}
