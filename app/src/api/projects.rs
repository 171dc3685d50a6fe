//! Projects: the lists and pages, the programme in figures, registering, assigning and funding them, and acknowledging their risks.

#[cfg(feature = "ssr")]
use super::guard;
use crate::domain::{ProgrammeSummary, ProjectCard, ProjectDetail};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;

/// The projects in the user's scope: a facilitator's own, a supervisor's incubators', all for the
/// team. Viewers are refused (they see aggregates).
#[server(prefix = "/api", endpoint = "list_projects")]
pub async fn list_projects() -> Result<Vec<ProjectCard>, AppError> {
    let user = guard::require_user()?;
    let scope = crate::server::auth::project_scope(&user)?;
    let state = guard::state()?;
    Ok(crate::server::projects::cards(&state.db, state.clock, scope).await?)
}

/// One project with its members. Outside the user's scope it does not exist (404, not 403), so
/// ids cannot be probed.
#[server(prefix = "/api", endpoint = "get_project")]
pub async fn get_project(id: Uuid) -> Result<ProjectDetail, AppError> {
    let user = guard::require_user()?;
    let scope = crate::server::auth::project_scope(&user)?;
    let state = guard::state()?;
    crate::server::projects::detail(&state.db, state.clock, scope, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Programme-wide aggregates with small cells hidden: every signed-in role may read them.
#[server(prefix = "/api", endpoint = "programme_summary")]
pub async fn get_programme_summary() -> Result<ProgrammeSummary, AppError> {
    guard::require_user()?;
    let state = guard::state()?;
    Ok(crate::server::projects::summary(&state.db, state.clock).await?)
}

/// What a facilitator chooses from when registering a project in the field (kept on the phone
/// for offline use). Facilitators only: they are the ones who register projects.
#[server(prefix = "/api", endpoint = "registry_choices")]
pub async fn registry_choices() -> Result<crate::domain::RegistryChoices, AppError> {
    let user = guard::require_user()?;
    if user.role != crate::domain::Role::Facilitator {
        return Err(AppError::Forbidden);
    }
    Ok(guard::state()?.db.registry_choices(user.id).await?)
}

/// Who a project may be assigned to, and its current facilitator and incubator (the team only).
#[server(prefix = "/api", endpoint = "assignment_choices")]
pub async fn assignment_choices(
    project: Uuid,
) -> Result<crate::domain::project::AssignmentChoices, AppError> {
    guard::require_team()?;
    guard::state()?
        .db
        .assignment_choices(project)
        .await?
        .ok_or(AppError::NotFound)
}

/// Assigns a project to a facilitator (or none), an incubator and a funder (or none; the team
/// only). The project leaves the previous facilitator's phone and reaches the new one's at their
/// next sync.
#[server(prefix = "/api", endpoint = "assign_project")]
pub async fn assign_project(
    project: Uuid,
    facilitator: Option<Uuid>,
    incubator: Uuid,
    funder: Option<Uuid>,
) -> Result<(), AppError> {
    let team = guard::require_team()?;
    let db = &guard::state()?.db;
    if db.assignment_choices(project).await?.is_none() {
        return Err(AppError::NotFound);
    }
    if db
        .assign_project(project, facilitator, incubator, funder, team.id)
        .await?
    {
        Ok(())
    } else {
        Err(AppError::Invalid {
            field: "facilitator".into(),
            code: "other".into(),
        })
    }
}

/// Records a project's funding tranche: planned, disbursed (with its day), justified; amounts in
/// millimes (the team only). The project page and the risk flags follow at once.
#[server(prefix = "/api", endpoint = "save_tranche", input = Json)]
pub async fn save_tranche(
    project: Uuid,
    tranche: crate::domain::timeline::Tranche,
) -> Result<(), AppError> {
    let team = guard::require_team()?;
    let today = guard::today()?.to_string();
    tranche.check(&today).map_err(|e| AppError::Invalid {
        field: e.field.into(),
        code: e.code.into(),
    })?;
    if guard::state()?
        .db
        .save_tranche(project, &tranche, team.id)
        .await?
    {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Marks a project's risk flag as seen, with a note saying what was done (required). Supervisors
/// (their incubators) and the team.
#[server(prefix = "/api", endpoint = "acknowledge_risk")]
pub async fn acknowledge_risk(project: Uuid, rule: String, note: String) -> Result<(), AppError> {
    let user = guard::require_user()?;
    let scope = crate::server::auth::review_scope(&user)?;
    crate::domain::risk::check_ack(&rule, &note).map_err(|e| AppError::Invalid {
        field: e.field.into(),
        code: e.code.into(),
    })?;
    let db = &guard::state()?.db;
    if db
        .acknowledge_risk(scope, user.id, project, &rule, note.trim())
        .await?
    {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}
