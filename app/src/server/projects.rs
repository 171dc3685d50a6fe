//! Projects as screens show them: the cards and pages the database holds, flagged by the risk
//! rules (`domain::risk`) on the day of the server's clock.

use super::clock::Clock;
use super::db::{Db, DbError, ProjectScope, RiskQuery};
use crate::domain::{ProgrammeSummary, ProjectCard, ProjectDetail};

/// The cards of the projects in `scope`, flagged.
pub async fn cards(
    db: &Db,
    clock: Clock,
    scope: ProjectScope,
) -> Result<Vec<ProjectCard>, DbError> {
    let mut cards = db.project_cards(scope, clock.today()).await?;
    flag(db, clock, scope, &mut cards).await?;
    Ok(cards)
}

/// One project's page, flagged; `None` when it does not exist or lies outside `scope`.
pub async fn detail(
    db: &Db,
    clock: Clock,
    scope: ProjectScope,
    id: uuid::Uuid,
) -> Result<Option<ProjectDetail>, DbError> {
    let Some(mut detail) = db.project_detail(scope, id, clock.today()).await? else {
        return Ok(None);
    };
    flag(db, clock, scope, std::slice::from_mut(&mut detail.card)).await?;
    Ok(Some(detail))
}

/// The programme in figures, today.
pub async fn summary(db: &Db, clock: Clock) -> Result<ProgrammeSummary, DbError> {
    let today = clock.today();
    let facts = db.programme_facts(today - time::Duration::days(30)).await?;
    let threshold = db.risk_settings().await?.small_cell_threshold;
    let mut summary = ProgrammeSummary::count(
        &facts.projects,
        &facts.members,
        facts.visits,
        &today.to_string(),
        threshold,
    );
    // Hidden with the programme's dashboard when a narrower scope's small count would otherwise
    // be the programme's less the others.
    let source = db.dashboard_source().await?;
    let programme = crate::server::disclosure::scope_key(
        None,
        crate::domain::indicator::dashboard::DashboardLevel::Programme,
        "",
    );
    if source.hidden(today.year(), &today.to_string()).hides(
        &programme,
        &crate::server::disclosure::FigureKey::Disability,
    ) {
        summary.with_disability = None;
    }
    Ok(summary)
}

/// Sets each card's risk flags and the acknowledgements still in force.
async fn flag(
    db: &Db,
    clock: Clock,
    scope: ProjectScope,
    cards: &mut [ProjectCard],
) -> Result<(), DbError> {
    let settings = db.risk_settings().await?;
    let today = clock.today();
    let set = db
        .risk_facts(
            scope,
            RiskQuery {
                today,
                visits_kept: settings.visits_under_break_even.max(1),
                acknowledged_since: clock.now() - time::Duration::days(settings.days_acknowledged),
            },
        )
        .await?;
    let today = today.to_string();
    for card in cards {
        crate::domain::risk::flag_card(
            card,
            set.facts.get(&card.id),
            &set.acknowledgements,
            &settings,
            &today,
        );
    }
    Ok(())
}
