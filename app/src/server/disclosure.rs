//! Which figures dashboards, exports, BI and the programme's summary hide, decided once for the
//! whole programme and year, over every scope and every funder's view: a small cell hidden in
//! one table cannot then be recovered from the figures shown in another
//! (`domain::indicator::disclosure`). The plan is computed the first time a source is asked for
//! it and kept with the source, so it costs one computation per change of the database.

use super::db::source::Source;
use crate::domain::indicator::dashboard::{
    Breakdown, DashboardData, DashboardLevel, Frame, Shown, TableRow, people, table,
};
use crate::domain::indicator::disclosure::{Figure, Relation, protect};
use crate::domain::indicator::{AGE_BANDS, Aggregation};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};
use uuid::Uuid;

/// A scope as shown: the funder the view is narrowed to (`None` for a project, whose figures are
/// its own under any view), its level and its id (`""` for the programme).
pub type ScopeKey = (Option<Uuid>, &'static str, String);

/// The scope of a dashboard or export, as the plan names it.
pub fn scope_key(funder: Option<Uuid>, level: DashboardLevel, id: &str) -> ScopeKey {
    match level {
        DashboardLevel::Programme => (funder, level.as_str(), String::new()),
        DashboardLevel::Project => (None, level.as_str(), id.to_owned()),
        _ => (funder, level.as_str(), id.to_owned()),
    }
}

/// A figure, wherever it is shown.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FigureKey {
    /// Members with a disability, today.
    Disability,
    /// One cell of an indicator's breakdown in a period.
    Cell {
        indicator: String,
        period: String,
        dimension: String,
        cell: String,
    },
    /// An indicator's total in a period, as the cells of one dimension add up to it: always
    /// shown, so a breakdown's one hidden cell would be the total less the others.
    Total {
        indicator: String,
        period: String,
        dimension: String,
    },
}

/// The figures hidden, small or as complements.
#[derive(Debug, Default)]
pub struct Hidden(HashSet<(ScopeKey, FigureKey)>);

impl Hidden {
    pub fn hides(&self, scope: &ScopeKey, figure: &FigureKey) -> bool {
        self.0.contains(&(scope.clone(), figure.clone()))
    }

    /// Hides the cells of a breakdown the plan hides, and lists as hidden the categories it
    /// hid although the breakdown had nothing there (a zero that would give a neighbour away).
    pub fn apply(&self, scope: &ScopeKey, indicator: &str, breakdown: &mut Breakdown) {
        let key = |cell: &str| FigureKey::Cell {
            indicator: indicator.to_owned(),
            period: breakdown.period.clone(),
            dimension: breakdown.dimension.clone(),
            cell: cell.to_owned(),
        };
        for (cell, shown) in &mut breakdown.cells {
            if self.hides(scope, &key(cell)) {
                *shown = Shown::Hidden;
            }
        }
        for category in categories(&breakdown.dimension) {
            if !breakdown.cells.iter().any(|(c, _)| c == category)
                && self.hides(scope, &key(category))
            {
                breakdown.cells.push((category.to_owned(), Shown::Hidden));
            }
        }
    }

    /// The rows of a long table with the plan's hidden cells hidden, and the hidden categories
    /// it had nothing in listed after their dimension's others.
    pub fn apply_rows(&self, scope: &ScopeKey, rows: Vec<TableRow>) -> Vec<TableRow> {
        let mut out: Vec<TableRow> = Vec::with_capacity(rows.len());
        let mut i = 0;
        while i < rows.len() {
            let row = &rows[i];
            let Some(dimension) = row.dimension.clone() else {
                out.push(row.clone());
                i += 1;
                continue;
            };
            // One breakdown: the rows of this indicator, period and dimension.
            let mut b = Breakdown {
                dimension: dimension.clone(),
                period: row.period.clone(),
                cells: Vec::new(),
                targets: Vec::new(),
            };
            let indicator = row.indicator.clone();
            while i < rows.len()
                && rows[i].indicator == indicator
                && rows[i].period == b.period
                && rows[i].dimension.as_deref() == Some(dimension.as_str())
            {
                b.cells.push((
                    rows[i].cell.clone().unwrap_or_default(),
                    rows[i].value.clone(),
                ));
                i += 1;
            }
            self.apply(scope, &indicator, &mut b);
            out.extend(b.cells.into_iter().map(|(cell, value)| TableRow {
                indicator: indicator.clone(),
                period: b.period.clone(),
                dimension: Some(dimension.clone()),
                cell: Some(cell),
                value,
            }));
        }
        out
    }
}

/// Every category of a dimension, so that a breakdown listing only some is still a whole.
fn categories(dimension: &str) -> Vec<&'static str> {
    match dimension {
        "sex" => vec!["female", "male"],
        "disability" => vec!["yes", "no"],
        "age_band" => AGE_BANDS.iter().map(|(band, _, _)| *band).collect(),
        _ => Vec::new(),
    }
}

/// Plans kept with a source, by `(year, today)`.
#[derive(Clone, Debug, Default)]
pub struct Plans(Arc<Mutex<HashMap<PlanKey, PlanSlot>>>);

/// A plan being computed, or computed.
type PlanSlot = Arc<OnceLock<Arc<Hidden>>>;

/// `(year, today)`.
type PlanKey = (i32, String);

impl Plans {
    /// The plan for `year` on `today` (the day members are counted on), computed from the
    /// whole programme the first time (once: requests that ask meanwhile wait for it).
    pub fn get(&self, whole: &Source, year: i32, today: &str) -> Arc<Hidden> {
        let slot = {
            let mut plans = self.0.lock().unwrap_or_else(|e| e.into_inner());
            plans.entry((year, today.to_owned())).or_default().clone()
        };
        slot.get_or_init(|| Arc::new(plan(whole, year, today)))
            .clone()
    }

    /// These plans, made for `before`, for `after` when the plan reads the same of both (a day
    /// of visits being pushed changes the visits, not who is hidden); new plans otherwise.
    pub fn carried_to(&self, before: &Source, after: &Source) -> Plans {
        if decided_on(before) == decided_on(after) {
            self.clone()
        } else {
            Plans::default()
        }
    }
}

/// What a plan reads of a source: its projects, catalogue and threshold, the validated values,
/// the members, and the visits only where the catalogue breaks down an indicator computed from
/// them (else they only make totals that no breakdown is checked against).
#[derive(PartialEq)]
struct DecidedOn<'a> {
    projects: Vec<&'a crate::domain::indicator::dashboard::DashboardProject>,
    funders: Vec<Option<Uuid>>,
    catalogue: &'a [crate::domain::indicator::IndicatorDefinition],
    threshold: i64,
    values: Vec<&'a crate::domain::indicator::value::IndicatorValue>,
    members: &'a [crate::domain::indicator::derived::MemberFact],
    visits: Option<&'a [crate::domain::indicator::derived::VisitFact]>,
}

fn decided_on(source: &Source) -> DecidedOn<'_> {
    DecidedOn {
        projects: source.projects.iter().map(|p| &p.project).collect(),
        funders: source
            .projects
            .iter()
            .map(|p| p.funder.as_ref().map(|f| f.0))
            .collect(),
        catalogue: &source.catalogue,
        threshold: source.small_cell_threshold,
        values: source
            .values
            .all()
            .iter()
            .filter(|v| v.status == crate::domain::EntryStatus::Validated)
            .collect(),
        members: source.members.all(),
        visits: reads_visits(&source.catalogue).then(|| source.visits.all()),
    }
}

/// Whether the catalogue breaks down, by people, a sum the visits give values to.
fn reads_visits(catalogue: &[crate::domain::indicator::IndicatorDefinition]) -> bool {
    use crate::domain::indicator::derived::{TURNOVER, VISITS};
    catalogue.iter().any(|d| {
        [TURNOVER, VISITS].contains(&d.code.as_str())
            && matches!(d.aggregation, Aggregation::Sum)
            && d.disaggregations.iter().any(|x| !categories(x).is_empty())
    })
}

/// A figure of one scope, before the plan: its value, whether it is small, and which projects'
/// counts it sums.
struct Raw {
    scope: ScopeKey,
    key: FigureKey,
    value: f64,
    hidden: bool,
    projects: std::rc::Rc<Vec<usize>>,
}

/// One scope's figures: members with a disability, and each additive indicator's totals and
/// breakdown cells, with every category of a breakdown it has (a zero where nothing is). A total
/// that its breakdown does not add up to (values entered without one) is left out of the
/// breakdown's family: its remainder is nobody's to read.
fn figures(
    out: &mut Vec<Raw>,
    scope: &ScopeKey,
    projects: std::rc::Rc<Vec<usize>>,
    frame: &Frame,
    data: &DashboardData,
    today: &str,
) {
    let mut add = |key: FigureKey, value: f64, hidden: bool| {
        out.push(Raw {
            scope: scope.clone(),
            key,
            value,
            hidden,
            projects: projects.clone(),
        })
    };
    let raw_people = people(&data.members, today, 0);
    let people = people(&data.members, today, frame.threshold);
    if let Shown::Value(n) = raw_people.with_disability {
        add(
            FigureKey::Disability,
            n,
            people.with_disability == Shown::Hidden,
        );
    }
    let additive: BTreeSet<&str> = data
        .catalogue
        .iter()
        .filter(|d| matches!(d.aggregation, Aggregation::Sum) && !d.is_derived())
        .map(|d| d.code.as_str())
        .collect();
    let shown = table(frame, data);
    let raw = table(
        &Frame {
            threshold: 0,
            ..frame.clone()
        },
        data,
    );
    let mut totals: BTreeMap<(String, String), f64> = BTreeMap::new();
    // (indicator, period, dimension) → the cells listed and their sum.
    let mut breakdowns: BTreeMap<(String, String, String), (Vec<String>, f64)> = BTreeMap::new();
    for (raw, shown) in raw.iter().zip(&shown) {
        if !additive.contains(raw.indicator.as_str()) {
            continue;
        }
        let Shown::Value(value) = raw.value else {
            continue;
        };
        match (&raw.dimension, &raw.cell) {
            (Some(dimension), Some(cell)) => {
                add(
                    FigureKey::Cell {
                        indicator: raw.indicator.clone(),
                        period: raw.period.clone(),
                        dimension: dimension.clone(),
                        cell: cell.clone(),
                    },
                    value,
                    shown.value == Shown::Hidden,
                );
                let b = breakdowns
                    .entry((raw.indicator.clone(), raw.period.clone(), dimension.clone()))
                    .or_default();
                b.0.push(cell.clone());
                b.1 += value;
            }
            _ => {
                totals.insert((raw.indicator.clone(), raw.period.clone()), value);
            }
        }
    }
    for ((indicator, period, dimension), (cells, sum)) in breakdowns {
        for category in categories(&dimension) {
            if !cells.iter().any(|c| c == category) {
                add(
                    FigureKey::Cell {
                        indicator: indicator.clone(),
                        period: period.clone(),
                        dimension: dimension.clone(),
                        cell: category.to_owned(),
                    },
                    0.0,
                    false,
                );
            }
        }
        if let Some(total) = totals.get(&(indicator.clone(), period.clone()))
            && (total - sum).abs() < 1e-6
        {
            // The total, shown always, in the family of this breakdown.
            add(
                FigureKey::Total {
                    indicator,
                    period,
                    dimension,
                },
                *total,
                false,
            );
        }
    }
}

/// The family a figure belongs to (figures of one family sum the same unknowns), and the
/// categories of it the figure sums (`None`: all of them, a total).
fn family(key: &FigureKey) -> ((String, String, String), Option<usize>) {
    match key {
        FigureKey::Disability => (Default::default(), Some(0)),
        FigureKey::Cell {
            indicator,
            period,
            dimension,
            cell,
        } => (
            (indicator.clone(), period.clone(), dimension.clone()),
            categories(dimension).iter().position(|c| c == cell),
        ),
        FigureKey::Total {
            indicator,
            period,
            dimension,
        } => ((indicator.clone(), period.clone(), dimension.clone()), None),
    }
}

/// The plan for one year: every scope's figures under every view, grouped in families that sum
/// the same unknowns, each protected (`domain::indicator::disclosure::protect`).
fn plan(whole: &Source, year: i32, today: &str) -> Hidden {
    let all = Some(crate::server::db::ProjectScope::All);
    let mut whole = whole.clone();
    if !reads_visits(&whole.catalogue) {
        whole.visits = Default::default();
    }
    let whole = &whole;
    let index: HashMap<Uuid, usize> = whole
        .projects
        .iter()
        .enumerate()
        .map(|(i, p)| (p.project.id, i))
        .collect();
    let mut views: Vec<Option<Uuid>> = vec![None];
    views.extend(whole.funders().into_iter().map(|(id, _)| Some(id)));
    let mut raw = Vec::new();
    // Each scope and the projects it counts, to find the scopes made of others.
    let mut scopes: Vec<(ScopeKey, BTreeSet<usize>)> = Vec::new();
    for view in &views {
        let Ok(source) = whole.clone().for_funder(*view) else {
            continue;
        };
        let mut units: Vec<(DashboardLevel, String)> =
            vec![(DashboardLevel::Programme, String::new())];
        let mut seen = BTreeSet::new();
        for p in &source.projects {
            let mut push = |level: DashboardLevel, id: String| {
                if seen.insert((level.as_str(), id.clone())) {
                    units.push((level, id));
                }
            };
            if let Some(i) = p.project.incubator_id {
                push(DashboardLevel::Incubator, i.to_string());
            }
            push(DashboardLevel::ValueChain, p.project.value_chain.clone());
            if view.is_none() {
                push(DashboardLevel::Project, p.project.id.to_string());
            }
        }
        for (level, id) in units {
            let Ok((name, data)) = source.narrow(level, &id, "fr", all) else {
                continue;
            };
            let frame = Frame {
                level,
                id: id.clone(),
                name,
                year,
                today: today.to_owned(),
                threshold: whole.small_cell_threshold,
            };
            let projects: Vec<usize> = data
                .projects
                .iter()
                .filter_map(|p| index.get(&p.id).copied())
                .collect();
            let scope = scope_key(*view, level, &id);
            scopes.push((scope.clone(), projects.iter().copied().collect()));
            figures(&mut raw, &scope, projects.into(), &frame, &data, today);
        }
    }
    let partitions = partitions(&scopes);
    let mut families: BTreeMap<(String, String, String), Vec<usize>> = BTreeMap::new();
    for (i, r) in raw.iter().enumerate() {
        families.entry(family(&r.key).0).or_default().push(i);
    }
    let mut hidden = HashSet::new();
    for (key, members) in families {
        let width = categories(&key.2).len().max(1);
        // A project with no figure of its own in the family counted nothing there, and the
        // reader sees it has nothing: its terms are known zeros, left out.
        let counted: HashSet<usize> = members
            .iter()
            .filter(|&&i| raw[i].scope.1 == DashboardLevel::Project.as_str())
            .flat_map(|&i| raw[i].projects.iter().copied())
            .collect();
        let mut figures: Vec<Figure> = members
            .iter()
            .map(|&i| {
                let r = &raw[i];
                let cats: Vec<usize> = match family(&r.key).1 {
                    Some(c) => vec![c],
                    None => (0..width).collect(),
                };
                Figure {
                    value: r.value,
                    hidden: r.hidden,
                    fixed: matches!(r.key, FigureKey::Total { .. }),
                    terms: r
                        .projects
                        .iter()
                        .filter(|p| counted.contains(p))
                        .flat_map(|p| cats.iter().map(move |c| p * width + c))
                        .collect(),
                }
            })
            .collect();
        // A family with nothing small in it has nothing to protect.
        if figures.iter().any(|f| f.hidden) {
            let relations = relations(&raw, &members, &partitions);
            protect(&mut figures, &relations);
        }
        for (&i, f) in members.iter().zip(&figures) {
            if f.hidden {
                hidden.insert((raw[i].scope.clone(), raw[i].key.clone()));
            }
        }
    }
    Hidden(hidden)
}

/// The scopes made of others, each with its parts: a scope is the sum of the scopes of one kind
/// whose projects partition its own (a view's incubators or value chains of its programme, the
/// projects of an incubator or value chain, or the same scope under each funder's view).
fn partitions(scopes: &[(ScopeKey, BTreeSet<usize>)]) -> Vec<(ScopeKey, Vec<ScopeKey>)> {
    let mut out = Vec::new();
    for (scope, projects) in scopes {
        let kinds: [&dyn Fn(&ScopeKey) -> bool; 4] = [
            &|s| s.0 == scope.0 && s.1 == DashboardLevel::Incubator.as_str(),
            &|s| s.0 == scope.0 && s.1 == DashboardLevel::ValueChain.as_str(),
            &|s| s.1 == DashboardLevel::Project.as_str(),
            &|s| scope.0.is_none() && s.0.is_some() && s.1 == scope.1 && s.2 == scope.2,
        ];
        for kind in kinds {
            let parts: Vec<&(ScopeKey, BTreeSet<usize>)> = scopes
                .iter()
                .filter(|(s, p)| s != scope && kind(s) && p.is_subset(projects))
                .collect();
            let count: usize = parts.iter().map(|(_, p)| p.len()).sum();
            let covered: BTreeSet<usize> =
                parts.iter().flat_map(|(_, p)| p.iter().copied()).collect();
            if !parts.is_empty() && count == projects.len() && covered == *projects {
                out.push((
                    scope.clone(),
                    parts.iter().map(|(s, _)| s.clone()).collect(),
                ));
            }
        }
    }
    out
}

/// The sums a reader sees at once among a family's figures (`members`, indices into `raw`; the
/// relations index them in that order): each breakdown and its total, each scope and its parts.
fn relations(
    raw: &[Raw],
    members: &[usize],
    partitions: &[(ScopeKey, Vec<ScopeKey>)],
) -> Vec<Relation> {
    let at: HashMap<(&ScopeKey, &FigureKey), usize> = members
        .iter()
        .enumerate()
        .map(|(local, &i)| ((&raw[i].scope, &raw[i].key), local))
        .collect();
    let mut out = Vec::new();
    for (local, &i) in members.iter().enumerate() {
        if matches!(raw[i].key, FigureKey::Total { .. }) {
            let parts: Vec<usize> = members
                .iter()
                .enumerate()
                .filter(|(_, j)| {
                    raw[**j].scope == raw[i].scope && matches!(raw[**j].key, FigureKey::Cell { .. })
                })
                .map(|(l, _)| l)
                .collect();
            out.push(Relation {
                whole: local,
                parts,
            });
        }
    }
    let keys: BTreeSet<&FigureKey> = members.iter().map(|&i| &raw[i].key).collect();
    for (whole, parts) in partitions {
        for key in &keys {
            let Some(&w) = at.get(&(whole, *key)) else {
                continue;
            };
            let parts: Vec<usize> = parts
                .iter()
                .filter_map(|p| at.get(&(p, *key)).copied())
                .collect();
            if !parts.is_empty() {
                out.push(Relation { whole: w, parts });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::indicator::dashboard::DashboardProject;
    use crate::domain::indicator::derived::MemberFact;
    use crate::domain::indicator::value::{CellValue, IndicatorValue, ValueSource, value_id};
    use crate::domain::indicator::{Cell, DataType, Frequency, starter_catalogue};
    use crate::domain::{EntryStatus, ProjectKind, Sex};
    use crate::server::db::ProjectScope;
    use crate::server::db::source::SourceProject;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    const TODAY: &str = "2026-11-20";
    const YEAR: i32 = 2026;
    const PERIOD: &str = "2026";
    const CODE: &str = "TST-01";

    /// A programme drawn at random: a few projects in one to three incubators and value
    /// chains, some under one of two funders; members (some with a disability) and a count of
    /// people broken down by sex, often small.
    fn programme(seed: u64) -> (Source, usize) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut def = starter_catalogue()
            .into_iter()
            .next()
            .expect("a starter indicator");
        def.code = CODE.into();
        def.unit = "count".into();
        def.data_type = DataType::Integer;
        def.aggregation = Aggregation::Sum;
        def.frequency = Frequency::Annual;
        def.disaggregations = vec!["sex".into()];
        def.value_chains = Vec::new();
        let n = rng.gen_range(2..=7usize);
        let (incubators, chains) = (rng.gen_range(1..=3u128), rng.gen_range(1..=3u128));
        let mut source = Source {
            catalogue: vec![def],
            small_cell_threshold: 5,
            ..Default::default()
        };
        let (mut members, mut values) = (Vec::new(), Vec::new());
        for i in 0..n {
            let id = Uuid::from_u128(i as u128 + 1);
            let incubator = 100 + rng.gen_range(0..incubators);
            let chain = format!("vc{}", rng.gen_range(0..chains));
            let funder = match rng.gen_range(0..3) {
                0 => None,
                f => Some((Uuid::from_u128(200 + f), format!("Bailleur {f}"))),
            };
            source.projects.push(SourceProject {
                project: DashboardProject {
                    id,
                    code: format!("KB-{i}"),
                    title: format!("Projet {i}"),
                    kind: ProjectKind::Collective,
                    incubator_id: Some(Uuid::from_u128(incubator)),
                    incubator: format!("Incubateur {incubator}"),
                    value_chain_id: Uuid::from_u128(300),
                    value_chain: chain.clone(),
                    value_chain_name: chain.clone(),
                },
                facilitator_id: None,
                value_chain_names: [chain.clone(), chain.clone(), chain],
                funder,
            });
            for _ in 0..rng.gen_range(0..6) {
                members.push(MemberFact {
                    project: id,
                    sex: Sex::Female,
                    birth_year: Some(1990),
                    with_disability: rng.gen_bool(0.3),
                    role: "member".into(),
                    joined_on: None,
                    left_on: None,
                });
            }
            if rng.gen_bool(0.8) {
                values.push(counted(id, rng.gen_range(0..8), rng.gen_range(0..8)));
            }
        }
        source.members = members.into();
        source.values = values.into();
        (source, n)
    }

    /// The people a project counted this year, by sex.
    fn counted(project: Uuid, female: i64, male: i64) -> IndicatorValue {
        let cell = |sex, n: i64| CellValue {
            cell: Cell {
                sex: Some(sex),
                ..Cell::default()
            },
            value: n * 1000,
        };
        IndicatorValue {
            files: Vec::new(),
            id: value_id(project, CODE, PERIOD),
            project_id: project,
            indicator: CODE.into(),
            indicator_version: 1,
            period: PERIOD.into(),
            value: (female + male) * 1000,
            cells: [(Sex::Female, female), (Sex::Male, male)]
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .map(|(s, n)| cell(s, n))
                .collect(),
            source: ValueSource::Record,
            evidence: String::new(),
            status: EntryStatus::Validated,
            author_id: None,
            version: 1,
            review: None,
            form: None,
        }
    }

    /// A dashboard as the server draws it.
    fn drawn(
        source: &Source,
        level: DashboardLevel,
        id: &str,
        scope: Option<ProjectScope>,
    ) -> crate::domain::indicator::dashboard::Dashboard {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime")
            .block_on(source.dashboard(level, id, YEAR, "fr", scope, TODAY))
            .expect("dashboard")
    }

    /// A figure as the reader sees it: which projects' unknowns it sums (`(project, slot)`,
    /// slot 0 the people with a disability, 1 and 2 the women and men counted), and its value
    /// if shown.
    struct Seen {
        what: String,
        terms: Vec<usize>,
        shown: bool,
        /// Shown as zero (or not listed): counts are never negative, so each term is zero.
        zero: bool,
    }

    /// Every figure of every scope under every view, as its dashboard and its export show them,
    /// for a reader who may read them all (the team; any other role reads fewer).
    fn everything_shown(source: &Source, n: usize) -> Vec<Seen> {
        let mut seen = Vec::new();
        let slot = |project: Uuid, s: usize| (project.as_u128() as usize - 1) * 3 + s;
        let mut views = vec![None];
        views.extend(source.funders().into_iter().map(|(id, _)| Some(id)));
        for view in views {
            let narrowed = source.clone().for_funder(view).expect("a funder's view");
            let mut units = vec![(DashboardLevel::Programme, String::new())];
            for p in &narrowed.projects {
                units.push((
                    DashboardLevel::Incubator,
                    p.project.incubator_id.expect("incubator").to_string(),
                ));
                units.push((DashboardLevel::ValueChain, p.project.value_chain.clone()));
                units.push((DashboardLevel::Project, p.project.id.to_string()));
            }
            units.sort_by(|a, b| (a.0.as_str(), &a.1).cmp(&(b.0.as_str(), &b.1)));
            units.dedup();
            for (level, id) in units {
                let d = drawn(&narrowed, level, &id, Some(ProjectScope::All));
                let (_, data) = narrowed
                    .narrow(level, &id, "fr", Some(ProjectScope::All))
                    .expect("data");
                let projects: Vec<Uuid> = data.projects.iter().map(|p| p.id).collect();
                let terms = |s: usize| projects.iter().map(|p| slot(*p, s)).collect::<Vec<_>>();
                let place = format!("{view:?} {} {id}", level.as_str());
                seen.push(Seen {
                    what: format!("{place} disability"),
                    terms: terms(0),
                    shown: d.people.with_disability != Shown::Hidden,
                    zero: d.people.with_disability == Shown::Value(0.0),
                });
                // The export's long table: every cell (a category it lists nothing in is a
                // zero to the reader), and the total.
                let frame = Frame {
                    level,
                    id: id.clone(),
                    name: String::new(),
                    year: YEAR,
                    today: TODAY.into(),
                    threshold: source.small_cell_threshold,
                };
                let rows = narrowed
                    .hidden(YEAR, TODAY)
                    .apply_rows(&scope_key(view, level, &id), table(&frame, &data));
                for (s, sex) in [(1, "female"), (2, "male")] {
                    let row = rows.iter().find(|r| r.cell.as_deref() == Some(sex));
                    seen.push(Seen {
                        what: format!("{place} {sex}"),
                        terms: terms(s),
                        shown: row.is_none_or(|r| r.value != Shown::Hidden),
                        zero: row.is_none_or(|r| r.value == Shown::Value(0.0)),
                    });
                    // The dashboard shows the same cell, hidden alike.
                    if let Some(b) = d.panels.iter().flat_map(|p| &p.breakdowns).next() {
                        let cell = b.cells.iter().find(|(c, _)| c == sex);
                        assert_eq!(
                            cell.is_none_or(|(_, v)| *v != Shown::Hidden),
                            row.is_none_or(|r| r.value != Shown::Hidden),
                            "{place} {sex}: the dashboard and the export agree"
                        );
                    }
                }
                let total: Vec<usize> = terms(1).into_iter().chain(terms(2)).collect();
                let row = rows.iter().find(|r| r.dimension.is_none());
                seen.push(Seen {
                    what: format!("{place} total"),
                    terms: total,
                    shown: true,
                    zero: row.is_none_or(|r| r.value == Shown::Value(0.0)),
                });
            }
        }
        assert!(seen.iter().all(|s| s.terms.iter().all(|&t| t < n * 3)));
        seen
    }

    /// Whether `target` is a sum of the shown figures' vectors (Gaussian elimination over the
    /// reals): then its value follows from theirs.
    fn derivable(target: &[usize], shown: &[&Seen], unknowns: usize) -> bool {
        let vector = |terms: &[usize]| {
            let mut v = vec![0.0f64; unknowns];
            for &t in terms {
                v[t] += 1.0;
            }
            v
        };
        let mut basis: Vec<(usize, Vec<f64>)> = Vec::new();
        let reduce = |mut v: Vec<f64>, basis: &[(usize, Vec<f64>)]| {
            for (pivot, b) in basis {
                let f = v[*pivot];
                if f.abs() > 1e-9 {
                    v.iter_mut().zip(b).for_each(|(x, y)| *x -= f * y);
                }
            }
            v
        };
        for s in shown {
            let v = reduce(vector(&s.terms), &basis);
            if let Some(pivot) = v.iter().position(|x| x.abs() > 1e-9) {
                let p = v[pivot];
                let v: Vec<f64> = v.iter().map(|x| x / p).collect();
                for (_, b) in &mut basis {
                    let f = b[pivot];
                    if f.abs() > 1e-9 {
                        b.iter_mut().zip(&v).for_each(|(x, y)| *x -= f * y);
                    }
                }
                basis.push((pivot, v));
            }
        }
        reduce(vector(target), &basis)
            .iter()
            .all(|x| x.abs() < 1e-9)
    }

    #[test]
    fn no_hidden_figure_follows_from_the_figures_shown_anywhere() {
        let (mut hidden_cells, mut programmes_hiding) = (0, 0);
        for seed in 0..300 {
            let (source, n) = programme(seed);
            let mut seen = everything_shown(&source, n);
            // What a shown zero tells: each of its terms is zero.
            let zeros: Vec<Seen> = seen
                .iter()
                .filter(|s| s.shown && s.zero)
                .flat_map(|s| s.terms.clone())
                .map(|t| Seen {
                    what: format!("term {t}, zero"),
                    terms: vec![t],
                    shown: true,
                    zero: true,
                })
                .collect();
            seen.extend(zeros);
            let shown: Vec<&Seen> = seen.iter().filter(|s| s.shown).collect();
            let hidden: Vec<&Seen> = seen
                .iter()
                .filter(|s| !s.shown && !s.terms.is_empty())
                .collect();
            if !hidden.is_empty() {
                programmes_hiding += 1;
            }
            for h in hidden {
                hidden_cells += 1;
                assert!(
                    !derivable(&h.terms, &shown, n * 3),
                    "seed {seed}: {} follows from the figures shown",
                    h.what
                );
            }
        }
        // The programmes drawn do hide figures (else the test proves nothing).
        assert!(
            programmes_hiding > 150,
            "{programmes_hiding} programmes hid something"
        );
        println!("{hidden_cells} hidden figures in {programmes_hiding} programmes, none derivable");
    }

    #[test]
    fn a_small_cell_beside_a_shown_total_hides_its_neighbour_in_every_table() {
        // One project: 3 women and 20 men counted. Women alone would be 23 − 20.
        let (mut source, _) = programme(1);
        source.projects.truncate(1);
        let id = source.projects[0].project.id;
        source.values = vec![counted(id, 3, 20)].into();
        source.members = Vec::new().into();
        let d = drawn(&source, DashboardLevel::Programme, "", None);
        let cells = &d.panels[0].breakdowns[0].cells;
        assert!(cells.iter().all(|(_, v)| *v == Shown::Hidden), "{cells:?}");
        assert_eq!(
            d.panels[0].latest,
            Some((PERIOD.into(), 23.0)),
            "the total stays"
        );
    }
}
