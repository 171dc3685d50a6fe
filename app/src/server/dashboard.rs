//! Dashboards and exports on the server: what the database holds, narrowed to one scope (the
//! programme, an incubator, a value chain or a project) and handed to the one computation of
//! `domain::indicator::dashboard`.

use crate::domain::EntryStatus;
use crate::domain::indicator::dashboard::{
    Dashboard, DashboardData, DashboardLevel, DashboardProject, Frame, Shown, build,
};
use crate::error::AppError;
use crate::server::db::ProjectScope;
pub use crate::server::db::source::{ByProject, Source, SourceProject};
use crate::server::disclosure::{FigureKey, scope_key};
use std::sync::Arc;
use uuid::Uuid;

/// The index of a language in `[fr, ar, en]`.
pub fn lang_index(lang: &str) -> usize {
    match lang {
        "ar" => 1,
        "en" => 2,
        _ => 0,
    }
}

impl Source {
    /// Only the projects under one funder or funding line (`None`: all of them), with their
    /// values, members and visits. Targets set for the programme, an incubator or a value chain
    /// are for all of its projects, so they are left out: a funder's view of a scope sums its
    /// own projects' targets instead. A funder no project is under is `NotFound`.
    pub fn for_funder(mut self, funder: Option<Uuid>) -> Result<Source, AppError> {
        if let Some(f) = funder {
            if self.whole.is_none() {
                self.whole = Some(std::sync::Arc::new(self.clone()));
            }
            self.view = Some(f);
            self.projects
                .retain(|p| p.funder.as_ref().is_some_and(|(id, _)| *id == f));
            if self.projects.is_empty() {
                return Err(AppError::NotFound);
            }
            self.targets.retain(|t| t.scope == "project");
        }
        Ok(self)
    }

    /// The funders the programme's projects are under, by name.
    pub fn funders(&self) -> Vec<(Uuid, String)> {
        let mut out: Vec<(Uuid, String)> = Vec::new();
        for (id, name) in self.projects.iter().filter_map(|p| p.funder.as_ref()) {
            if !out.iter().any(|(i, _)| i == id) {
                out.push((*id, name.clone()));
            }
        }
        out.sort_by(|a, b| a.1.cmp(&b.1));
        out
    }

    /// Which figures are hidden in `year` on `today`: decided on the whole programme, over every
    /// scope and funder's view (`server::disclosure`).
    pub fn hidden(
        &self,
        year: i32,
        today: &str,
    ) -> std::sync::Arc<crate::server::disclosure::Hidden> {
        self.plans
            .get(self.whole.as_deref().unwrap_or(self), year, today)
    }

    pub(crate) fn sees(&self, scope: ProjectScope, p: &SourceProject) -> bool {
        scope.covers(
            p.facilitator_id,
            p.project.incubator_id,
            |user, incubator| self.supervised.contains(&(user, incubator)),
        )
    }

    /// The scope's name and data. An aggregate level is open to every role; a project's own
    /// dashboard only to those who may see the project (`scope`; `None` for viewers). An unknown
    /// or unseen scope is `NotFound`.
    pub fn narrow(
        &self,
        level: DashboardLevel,
        id: &str,
        lang: &str,
        scope: Option<ProjectScope>,
    ) -> Result<(String, DashboardData), AppError> {
        let lang = lang_index(lang);
        let keep = |p: &&SourceProject| match level {
            DashboardLevel::Programme => true,
            DashboardLevel::Incubator => {
                p.project.incubator_id.map(|i| i.to_string()).as_deref() == Some(id)
            }
            DashboardLevel::ValueChain => p.project.value_chain == id,
            DashboardLevel::Project => {
                p.project.id.to_string() == id && scope.is_some_and(|s| self.sees(s, p))
            }
        };
        let chosen: Vec<&SourceProject> = self.projects.iter().filter(keep).collect();
        let name = match (level, chosen.first()) {
            (DashboardLevel::Programme, _) => String::new(),
            (_, None) => return Err(AppError::NotFound),
            (DashboardLevel::Incubator, Some(p)) => p.project.incubator.clone(),
            (DashboardLevel::ValueChain, Some(p)) => p.value_chain_names[lang].clone(),
            (DashboardLevel::Project, Some(p)) => {
                format!("{} · {}", p.project.code, p.project.title)
            }
        };
        let mut projects: Vec<DashboardProject> = chosen
            .iter()
            .map(|p| {
                let mut project = p.project.clone();
                project.value_chain_name = p.value_chain_names[lang].clone();
                project
            })
            .collect();
        projects.sort_by(|a, b| a.code.cmp(&b.code));
        // The chosen projects' rows, taken project by project.
        fn of<T: Clone>(rows: &ByProject<T>, chosen: &[&SourceProject]) -> Vec<T> {
            chosen
                .iter()
                .flat_map(|p| rows.of(p.project.id))
                .cloned()
                .collect()
        }
        let values = of(&self.values, &chosen);
        Ok((
            name,
            DashboardData {
                catalogue: self.catalogue.clone(),
                projects,
                awaiting: values
                    .iter()
                    .filter(|v| v.status == EntryStatus::Submitted)
                    .count(),
                values: values
                    .into_iter()
                    .filter(|v| v.status == EntryStatus::Validated)
                    .collect(),
                members: of(&self.members, &chosen),
                visits: of(&self.visits, &chosen),
                targets: self.targets.clone(),
            },
        ))
    }

    /// The dashboard of one scope and year, as `scope` may see it (`None` for viewers): a
    /// project's own dashboard only for those who may read the project, and the projects of a
    /// group named only to them. Drawn once per source and kept with it; the drawing (and the
    /// plan of what to hide, after a change) is long work, done off the threads that answer the
    /// phones.
    pub async fn dashboard(
        &self,
        level: DashboardLevel,
        id: &str,
        year: i32,
        lang: &str,
        scope: Option<ProjectScope>,
        today: &str,
    ) -> Result<Dashboard, AppError> {
        let readable = |p: &SourceProject| scope.is_some_and(|s| self.sees(s, p));
        if level == DashboardLevel::Project
            && !self
                .projects
                .iter()
                .any(|p| p.project.id.to_string() == id && readable(p))
        {
            return Err(AppError::NotFound);
        }
        let slot = self.drawn.slot((
            self.view,
            level.as_str(),
            id.to_owned(),
            year,
            lang_index(lang),
            today.to_owned(),
        ));
        let drawn = slot
            .get_or_init(|| {
                let source = self.clone();
                let (id, lang, today) = (id.to_owned(), lang.to_owned(), today.to_owned());
                async move {
                    tokio::task::spawn_blocking(move || {
                        source.draw(level, &id, year, &lang, &today).map(Arc::new)
                    })
                    .await
                    .unwrap_or(Err(AppError::Internal))
                }
            })
            .await
            .clone()?;
        let mut dashboard = Dashboard::clone(&drawn);
        // A viewer's or another incubator's facilitator's incubator dashboard counts its
        // projects without listing them.
        dashboard.children.retain(|c| {
            c.level != DashboardLevel::Project
                || self
                    .projects
                    .iter()
                    .any(|p| p.project.id.to_string() == c.id && readable(p))
        });
        Ok(dashboard)
    }

    /// The dashboard of one scope and year, every project in it listed.
    fn draw(
        &self,
        level: DashboardLevel,
        id: &str,
        year: i32,
        lang: &str,
        today: &str,
    ) -> Result<Dashboard, AppError> {
        let (name, data) = self.narrow(level, id, lang, Some(ProjectScope::All))?;
        let frame = Frame {
            level,
            id: if level == DashboardLevel::Programme {
                String::new()
            } else {
                id.to_owned()
            },
            name,
            year,
            today: today.to_owned(),
            threshold: self.small_cell_threshold,
        };
        let mut dashboard = build(&frame, data);
        // Small cells, and the cells that would give them away, hidden as in every other table.
        let at = scope_key(self.view, level, &dashboard.id);
        let hidden = self.hidden(year, today);
        if hidden.hides(&at, &FigureKey::Disability) {
            dashboard.people.with_disability = Shown::Hidden;
            dashboard.people.disability_percent = None;
        }
        for panel in &mut dashboard.panels {
            for b in &mut panel.breakdowns {
                match b.period.get(..4).and_then(|y| y.parse().ok()) {
                    Some(y) if y != year => self.hidden(y, today).apply(&at, &panel.code, b),
                    _ => hidden.apply(&at, &panel.code, b),
                }
            }
        }
        Ok(dashboard)
    }

    /// The dashboard of one scope and year, narrowed to one funder's projects when `funder` is
    /// given (one the programme's projects are under, else `NotFound`), with the funders to
    /// choose from.
    #[allow(clippy::too_many_arguments)]
    pub async fn funded_dashboard(
        self,
        funder: Option<Uuid>,
        level: DashboardLevel,
        id: &str,
        year: i32,
        lang: &str,
        scope: Option<ProjectScope>,
        today: &str,
    ) -> Result<Dashboard, AppError> {
        let funders = self.funders();
        let chosen = funders.iter().find(|(id, _)| Some(*id) == funder).cloned();
        let mut d = self
            .for_funder(funder)?
            .dashboard(level, id, year, lang, scope, today)
            .await?;
        d.funder = chosen;
        d.funders = funders;
        Ok(d)
    }
}

impl Source {
    /// Whether a target's scope exists: the programme, or an incubator, value chain or project
    /// the programme has.
    pub fn scope_exists(&self, scope: &str, id: Option<Uuid>) -> bool {
        let p = |f: &dyn Fn(&SourceProject) -> bool| self.projects.iter().any(f);
        match (scope, id) {
            ("programme", None) => true,
            ("incubator", Some(id)) => p(&|s| s.project.incubator_id == Some(id)),
            ("value_chain", Some(id)) => p(&|s| s.project.value_chain_id == id),
            ("project", Some(id)) => p(&|s| s.project.id == id),
            _ => false,
        }
    }

    /// What the team's targets form chooses from, and the targets set so far (a scope's name in
    /// `lang`).
    pub fn target_choices(&self, lang: &str) -> crate::domain::indicator::admin::TargetChoices {
        use crate::domain::indicator::admin::{TargetChoices, TargetLine};
        let l = lang_index(lang);
        let mut incubators: Vec<(Uuid, String)> = Vec::new();
        let mut value_chains: Vec<(Uuid, String)> = Vec::new();
        let mut projects: Vec<(Uuid, String)> = Vec::new();
        for s in &self.projects {
            let p = &s.project;
            if let Some(i) = p.incubator_id
                && !incubators.iter().any(|(id, _)| *id == i)
            {
                incubators.push((i, p.incubator.clone()));
            }
            if !value_chains.iter().any(|(id, _)| *id == p.value_chain_id) {
                value_chains.push((p.value_chain_id, s.value_chain_names[l].clone()));
            }
            projects.push((p.id, format!("{} · {}", p.code, p.title)));
        }
        incubators.sort_by(|a, b| a.1.cmp(&b.1));
        value_chains.sort_by(|a, b| a.1.cmp(&b.1));
        let name_of = |scope: &str, id: Option<Uuid>| -> String {
            let find = |list: &[(Uuid, String)]| {
                list.iter()
                    .find(|(i, _)| Some(*i) == id)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default()
            };
            match scope {
                "incubator" => find(&incubators),
                "value_chain" => find(&value_chains),
                "project" => find(&projects),
                _ => String::new(),
            }
        };
        let mut targets: Vec<TargetLine> = self
            .targets
            .iter()
            .map(|t| TargetLine {
                scope: t.scope.clone(),
                scope_name: name_of(&t.scope, t.scope_id),
                target: t.target.clone(),
            })
            .collect();
        // The programme's and the groups' first, then the projects'.
        let rank = |s: &str| {
            ["programme", "incubator", "value_chain", "project"]
                .iter()
                .position(|x| *x == s)
        };
        targets.sort_by(|a, b| {
            (rank(&a.scope), &a.scope_name, &a.target.indicator).cmp(&(
                rank(&b.scope),
                &b.scope_name,
                &b.target.indicator,
            ))
        });
        TargetChoices {
            indicators: self
                .catalogue
                .iter()
                .filter(|d| !d.is_derived())
                .map(|d| {
                    (
                        d.code.clone(),
                        d.name.clone(),
                        d.unit.clone(),
                        crate::domain::indicator::admin::target_cells(d),
                    )
                })
                .collect(),
            incubators,
            value_chains,
            projects,
            targets,
        }
    }
}
