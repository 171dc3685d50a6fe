//! The team's administration of people (accounts, scopes, sign-in codes, reassigning projects),
//! and what every signed-in user may do to their own account. Team-only unless said.

#[cfg(feature = "ssr")]
use super::guard;
use crate::domain::import::{ImportFile, ImportReport};
use crate::domain::people::{Organisation, Person, PersonForm, Place, SignInCode, ValueChain};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What the *People* page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    pub people: Vec<Person>,
    pub organisations: Vec<Organisation>,
}

/// A saved person, and for a new account the sign-in code to hand over.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedPerson {
    pub id: Uuid,
    pub code: Option<SignInCode>,
}

/// What the *Organisations and places* page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setting {
    pub organisations: Vec<Organisation>,
    pub places: Vec<Place>,
    pub value_chains: Vec<ValueChain>,
}

#[server(prefix = "/api", endpoint = "programme_setting")]
pub async fn programme_setting() -> Result<Setting, AppError> {
    guard::require_team()?;
    let db = guard::state()?.db;
    Ok(Setting {
        organisations: db.organisations().await?,
        places: db.places().await?,
        value_chains: db.value_chains().await?,
    })
}

/// Creates (a new id) or changes an organisation: a known kind, a name, a place that exists.
#[server(prefix = "/api", endpoint = "save_organisation", input = Json)]
pub async fn save_organisation(organisation: Organisation) -> Result<(), AppError> {
    let team = guard::require_team()?;
    let db = guard::state()?.db;
    let checked = organisation.check(&db.places().await?)?;
    db.save_organisation(&checked, team.id).await?;
    Ok(())
}

/// Archives an organisation (kept wherever it is named, offered no more) or brings it back.
#[server(prefix = "/api", endpoint = "archive_organisation")]
pub async fn archive_organisation(id: Uuid, archived: bool) -> Result<(), AppError> {
    let team = guard::require_team()?;
    let db = guard::state()?.db;
    if !db.set_archived(id, archived, team.id).await? {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Creates (a new id) or changes a place.
#[server(prefix = "/api", endpoint = "save_place", input = Json)]
pub async fn save_place(place: Place) -> Result<(), AppError> {
    let team = guard::require_team()?;
    let checked = place.check()?;
    guard::state()?.db.save_place(&checked, team.id).await?;
    Ok(())
}

/// Creates (a new id) or changes a value chain; a code in use is refused by name.
#[server(prefix = "/api", endpoint = "save_value_chain", input = Json)]
pub async fn save_value_chain(chain: ValueChain) -> Result<(), AppError> {
    let team = guard::require_team()?;
    let checked = chain.check()?;
    guard::state()?
        .db
        .save_value_chain(&checked, team.id)
        .await
        .map_err(|e| match e {
            crate::server::db::DbError::AlreadyExists(_) => AppError::Invalid {
                field: "code".into(),
                code: "chain_code_taken".into(),
            },
            e => e.into(),
        })
}

#[server(prefix = "/api", endpoint = "people_directory")]
pub async fn people_directory() -> Result<Directory, AppError> {
    guard::require_team()?;
    let db = guard::state()?.db;
    Ok(Directory {
        people: db.people().await?,
        organisations: db.organisations().await?,
    })
}

/// Creates or changes an account. Refused by field: an email in use, a facilitator without an
/// incubator, a supervisor without incubators, a facilitator who still coaches projects made
/// something else (reassign them first).
#[server(prefix = "/api", endpoint = "save_person", input = Json)]
pub async fn save_person(person: PersonForm) -> Result<SavedPerson, AppError> {
    use crate::domain::Role;
    let team = guard::require_team()?;
    let db = guard::state()?.db;
    let checked = person.check(&db.organisations().await?)?;
    if let Some(id) = checked.id {
        let people = db.people().await?;
        let current = people
            .iter()
            .find(|p| p.id == id)
            .ok_or(AppError::NotFound)?;
        if current.role == Role::Facilitator
            && checked.role != Role::Facilitator
            && current.projects > 0
        {
            return Err(AppError::Invalid {
                field: "role".into(),
                code: "has_projects".into(),
            });
        }
        if id == team.id && checked.role != Role::Team {
            return Err(AppError::Invalid {
                field: "role".into(),
                code: "own_role".into(),
            });
        }
    }
    // A new account's password is a secret nobody knows: the person chooses theirs with the
    // sign-in code.
    let unknown = crate::server::auth::hash_password(crate::server::auth::new_link_code()).await?;
    let saved = db
        .save_person(&checked, &unknown, team.id)
        .await
        .map_err(|e| match e {
            crate::server::db::DbError::AlreadyExists(_) => AppError::Invalid {
                field: "email".into(),
                code: "taken".into(),
            },
            e => e.into(),
        })?
        .ok_or(AppError::NotFound)?;
    let code = match checked.id {
        None => Some(code_for(saved, &checked.name, &team).await?),
        Some(_) => None,
    };
    Ok(SavedPerson { id: saved, code })
}

/// Disables an account (its sessions end at once, its phones' next sync is refused, sign-in says
/// it is disabled) or enables it again. Not one's own.
#[server(prefix = "/api", endpoint = "set_person_active")]
pub async fn set_person_active(id: Uuid, active: bool) -> Result<(), AppError> {
    let team = guard::require_team()?;
    if id == team.id {
        return Err(AppError::Invalid {
            field: "active".into(),
            code: "own_account".into(),
        });
    }
    let db = guard::state()?.db;
    if !db.set_active(id, active, team.id).await? {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// A one-time sign-in code for a person (valid 24 hours, replacing any earlier one).
#[server(prefix = "/api", endpoint = "make_sign_in_code")]
pub async fn make_sign_in_code(id: Uuid) -> Result<SignInCode, AppError> {
    let team = guard::require_team()?;
    let db = guard::state()?.db;
    let person = db
        .people()
        .await?
        .into_iter()
        .find(|p| p.id == id && p.active)
        .ok_or(AppError::NotFound)?;
    code_for(id, &person.name, &team).await
}

#[cfg(feature = "ssr")]
async fn code_for(
    user: Uuid,
    name: &str,
    team: &crate::domain::SessionUser,
) -> Result<SignInCode, AppError> {
    use crate::domain::people::group_code;
    use crate::server::auth::{hash_token, new_sign_in_code};
    let state = guard::state()?;
    let code = new_sign_in_code();
    let expires = time::OffsetDateTime::now_utc() + time::Duration::hours(24);
    let line = crate::server::db::AuditLine {
        actor: Some(team.id),
        kind: "sign_in_code_made",
        subject: name.to_owned(),
        project: None,
        before: None,
        after: None,
    };
    if !state
        .db
        .create_sign_in_code(&hash_token(&code), user, expires, &line)
        .await?
    {
        return Err(AppError::NotFound);
    }
    let link = format!("{}/code?c={code}", guard::origin(&state));
    Ok(SignInCode {
        person: name.to_owned(),
        code: group_code(&code),
        qr_svg: crate::server::qr::svg(&link),
        link,
        expires_at: expires
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
    })
}

/// Moves a facilitator's projects (all, or those listed) to another facilitator, who takes them
/// into their incubator: one new version, both phones follow at their next sync. How many moved.
#[server(prefix = "/api", endpoint = "reassign_projects", input = Json)]
pub async fn reassign_projects(
    from: Uuid,
    to: Uuid,
    projects: Option<Vec<Uuid>>,
) -> Result<u64, AppError> {
    let team = guard::require_team()?;
    let db = guard::state()?.db;
    db.reassign(from, to, projects.as_deref(), team.id)
        .await?
        .ok_or(AppError::Invalid {
            field: "to".into(),
            code: "not_a_facilitator".into(),
        })
}

/// Any signed-in user: a new password, the current one required. Every other session ends.
#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(
    current: String,
    password: String,
    password_again: String,
) -> Result<(), AppError> {
    use crate::server::auth::{check_password, hash_password, open_session, session_cookie};
    let user = guard::require_user()?;
    let state = guard::state()?;
    let addr = guard::request_auth().client_addr;
    check_password(
        &state.db,
        &state.auth,
        &user.email,
        current,
        addr.as_deref(),
    )
    .await
    .map_err(|e| match e {
        AppError::InvalidCredentials => AppError::Invalid {
            field: "current".into(),
            code: "wrong_password".into(),
        },
        e => e,
    })?;
    crate::domain::user::check_new_password(&password, &user.email)?;
    if password != password_again {
        return Err(AppError::Invalid {
            field: "password_again".into(),
            code: "mismatch".into(),
        });
    }
    let hash = hash_password(password).await?;
    state.db.change_password(user.id, &hash).await?;
    let session = open_session(&state.db, &state.auth, user).await?;
    guard::set_cookie(session_cookie(
        Some(&session.token),
        session.max_age,
        state.auth.secure_cookies,
    ));
    Ok(())
}

/// Any signed-in user: ends every session of theirs, this one too (a lost phone).
#[server(prefix = "/api", endpoint = "sign_out_everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    use crate::server::auth::session_cookie;
    let user = guard::require_user()?;
    let state = guard::state()?;
    state.db.sign_out_everywhere(user.id).await?;
    guard::set_cookie(session_cookie(
        None,
        time::Duration::ZERO,
        state.auth.secure_cookies,
    ));
    leptos_axum::redirect("/login");
    Ok(())
}

/// Open to everyone: the email of the account a sign-in code opens, if it still works.
#[server(prefix = "/api", endpoint = "code_open")]
pub async fn code_open(code: String) -> Result<Option<String>, AppError> {
    use crate::server::auth::hash_token;
    let state = guard::state()?;
    let code = crate::domain::people::normalise_code(&code);
    Ok(state
        .db
        .sign_in_code_user(&hash_token(&code), time::OffsetDateTime::now_utc())
        .await?
        .map(|(_, email)| email))
}

/// Open to everyone: uses a sign-in code to choose a new password and sign in (every other
/// session of the account ends).
#[server(prefix = "/api", endpoint = "redeem_code")]
pub async fn redeem_code(
    code: String,
    password: String,
    password_again: String,
) -> Result<(), AppError> {
    use crate::server::auth::{hash_password, hash_token, open_session, session_cookie};
    let state = guard::state()?;
    let code = hash_token(&crate::domain::people::normalise_code(&code));
    let now = time::OffsetDateTime::now_utc();
    let dead = || AppError::Invalid {
        field: "code".into(),
        code: "used".into(),
    };
    let (_, email) = state
        .db
        .sign_in_code_user(&code, now)
        .await?
        .ok_or_else(dead)?;
    crate::domain::user::check_new_password(&password, &email)?;
    if password != password_again {
        return Err(AppError::Invalid {
            field: "password_again".into(),
            code: "mismatch".into(),
        });
    }
    let hash = hash_password(password).await?;
    let user = state
        .db
        .redeem_sign_in_code(&code, now, &hash)
        .await?
        .ok_or_else(dead)?;
    let user = state.db.user_by_id(user).await?.ok_or_else(dead)?;
    let session = open_session(&state.db, &state.auth, user).await?;
    guard::set_cookie(session_cookie(
        Some(&session.token),
        session.max_age,
        state.auth.secure_cookies,
    ));
    leptos_axum::redirect("/");
    Ok(())
}

/// The audit trail, newest first, filtered by person, project and kind (any left out: all).
#[server(prefix = "/api", endpoint = "audit_trail", input = Json)]
pub async fn audit_trail(
    person: Option<Uuid>,
    project: Option<Uuid>,
    kind: Option<String>,
) -> Result<Vec<crate::domain::audit::AuditEntry>, AppError> {
    guard::require_team()?;
    if let Some(k) = &kind
        && !crate::domain::audit::KINDS.contains(&k.as_str())
    {
        return Err(AppError::Invalid {
            field: "kind".into(),
            code: "unknown".into(),
        });
    }
    Ok(guard::state()?
        .db
        .audit(&crate::server::db::AuditQuery {
            actor: person,
            project,
            kind,
            limit: crate::domain::audit::MAX_LINES,
        })
        .await?)
}

/// Checks the programme's spreadsheet against Athar (a dry run: nothing is written) and, given
/// the dry run's `plan`, imports it: everything in one transaction, or nothing. The report is in
/// `lang`. An import whose files would now write something else than its dry run said (Athar
/// changed meanwhile) is not written, and says so.
#[server(prefix = "/api", endpoint = "import_programme", input = Json)]
pub async fn import_programme(
    files: Vec<ImportFile>,
    lang: String,
    plan: Option<String>,
) -> Result<ImportReport, AppError> {
    let team = guard::require_team()?;
    let state = guard::state()?;
    let today = state.clock.today().to_string();
    let lang = if matches!(lang.as_str(), "fr" | "ar" | "en") {
        lang
    } else {
        "fr".to_owned()
    };
    let snapshot = state.db.import_snapshot().await?;
    let (mut report, planned) = crate::server::import::dry_run(&files, &snapshot, &lang, &today);
    let Some(expected) = plan else {
        return Ok(report);
    };
    if !report.problems.is_empty() {
        return Ok(report);
    }
    if expected != report.plan {
        report.problems.push(crate::domain::import::ImportProblem {
            sheet: String::new(),
            row: 0,
            column: String::new(),
            message: crate::server::import::text::pick(
                &crate::server::import::text::message("stale"),
                &lang,
            )
            .to_owned(),
        });
        return Ok(report);
    }
    if report.writes() {
        state.db.apply_import(&planned, team.id).await?;
    }
    report.applied = true;
    Ok(report)
}
