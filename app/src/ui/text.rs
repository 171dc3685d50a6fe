//! Words for domain values and errors, in the user's language.

use crate::domain::dates::format_day;
use crate::domain::money::{MoneyStyle, format_millimes};
use crate::domain::project::Names;
use crate::domain::{ProjectKind, ProjectStatus, Role};
use crate::error::AppError;
use crate::i18n::*;
use crate::storage::StorageError;
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
        AppError::LockedOut { minutes } => {
            t_string!(i18n, err_locked_out, minutes = *minutes).to_string()
        }
        AppError::Invalid { field, .. } if field == "email" => {
            t_string!(i18n, err_email_required).to_string()
        }
        AppError::Invalid { field, .. } if field == "password" => {
            t_string!(i18n, err_password_required).to_string()
        }
        AppError::Invalid { .. } => t_string!(i18n, err_invalid_request).to_string(),
        AppError::UpdateNeeded => t_string!(i18n, err_update_needed).to_string(),
        AppError::TooLarge => t_string!(i18n, err_too_large).to_string(),
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
