//! What dashboards and exports are computed from, as the database returns it (narrowed to a scope
//! and computed by `server::dashboard`).

use crate::domain::indicator::IndicatorDefinition;
use crate::domain::indicator::dashboard::{Dashboard, DashboardProject, ScopedTarget};
use crate::domain::indicator::derived::{MemberFact, VisitFact};
use crate::domain::indicator::value::IndicatorValue;
use crate::error::AppError;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;
use uuid::Uuid;

/// A project row with what a dashboard groups it by, its value chain named in each language.
#[derive(Clone, Debug)]
pub struct SourceProject {
    pub project: DashboardProject,
    pub facilitator_id: Option<Uuid>,
    /// `[fr, ar, en]`.
    pub value_chain_names: [String; 3],
    /// The funder or funding line the project is under: `(id, name)`.
    pub funder: Option<(Uuid, String)>,
}

/// The source as last read, with the state of the database it was read at: every change a
/// dashboard can show moves the global version (entries, reviews, assignments, imports) or
/// writes an audit line (targets, settings, the catalogue, organisations and places), so while
/// both stand still the source is the same, and many dashboards cost one read.
///
/// While the database keeps moving (a day of syncing phones moves it many times a second), one
/// read runs at a time: a request that finds a read under way takes the source read just
/// before, if it is at most [`STALE_AT_MOST`] old, and otherwise waits for the turn and takes
/// what a read begun after it arrived returned. So a dashboard shows what was there when it was
/// asked for, or a moment before while others are being read, never older.
#[derive(Default)]
pub struct SourceCache {
    kept: std::sync::Mutex<Option<Kept>>,
    /// One read at a time, with what the reads saw so far.
    reading: tokio::sync::Mutex<Ledger>,
    /// Reads begun so far.
    begun: std::sync::atomic::AtomicU64,
}

/// How old a source a request may take while a newer one is being read.
pub const STALE_AT_MOST: std::time::Duration = std::time::Duration::from_secs(2);

struct Kept {
    key: SourceKey,
    source: Source,
    /// The number of the read (reads are numbered from 0 as they begin).
    read: u64,
    /// When that read began.
    at: std::time::Instant,
}

/// `(global version, last audit line)`.
pub type SourceKey = (i64, i64);

/// What the reads of the source saw of the three long lists (values, members, visits), so that
/// the next read takes only the rows written since: a day of phones syncing adds a few rows at a
/// time to lists that grow long. Every write of those rows gives them the global version it
/// moves to (the sync's pull reads them the same way); the writes that remove rows (the demo's
/// removal) write an audit line, after which everything is read again.
#[derive(Debug, Default)]
pub struct Ledger {
    /// The state of the database the last read was made at (`None`: nothing read yet).
    pub at: Option<SourceKey>,
    /// Submitted and validated values, by id.
    pub values: std::collections::BTreeMap<Uuid, IndicatorValue>,
    /// Members, by id.
    pub members: std::collections::BTreeMap<Uuid, MemberFact>,
    /// Each visit's project, day and sales, by id.
    visits: HashMap<Uuid, (Uuid, time::Date, Option<i64>)>,
    /// The visits of each project and day: how many, their sales, how many reported sales.
    days: std::collections::BTreeMap<(Uuid, time::Date), (i64, i64, i64)>,
}

impl Ledger {
    /// The rows written since `at` if this ledger is at an earlier state of the same set-up;
    /// `None` after emptying it when everything must be read again.
    pub fn since(&mut self, key: SourceKey) -> Option<i64> {
        match self.at {
            Some(at) if at.1 == key.1 && at.0 <= key.0 => Some(at.0),
            _ => {
                *self = Ledger::default();
                None
            }
        }
    }

    /// A visit as it is now.
    pub fn visit(&mut self, id: Uuid, project: Uuid, day: time::Date, sales: Option<i64>) {
        self.forget_visit(id);
        self.visits.insert(id, (project, day, sales));
        let d = self.days.entry((project, day)).or_default();
        d.0 += 1;
        if let Some(sales) = sales {
            d.1 += sales;
            d.2 += 1;
        }
    }

    /// A visit deleted (or never counted).
    pub fn forget_visit(&mut self, id: Uuid) {
        let Some((project, day, sales)) = self.visits.remove(&id) else {
            return;
        };
        if let Some(d) = self.days.get_mut(&(project, day)) {
            d.0 -= 1;
            if let Some(sales) = sales {
                d.1 -= sales;
                d.2 -= 1;
            }
            if d.0 <= 0 {
                self.days.remove(&(project, day));
            }
        }
    }

    /// The visits counted per project and day.
    pub fn visit_facts(&self) -> Vec<VisitFact> {
        self.days
            .iter()
            .map(|((project, day), (visits, sales, reported))| VisitFact {
                project: *project,
                visit_on: day.to_string(),
                sales: (*reported > 0).then_some(*sales),
                visits: *visits,
            })
            .collect()
    }
}

impl SourceCache {
    /// The source for a request that found the database at `key`, read by `read` (from what
    /// the reads before it saw) if no source kept will do.
    pub async fn get_or_read<E, F>(&self, key: SourceKey, read: F) -> Result<Source, E>
    where
        F: AsyncFnOnce(&mut Ledger) -> Result<Source, E>,
    {
        use std::sync::atomic::Ordering;
        // Both only grow.
        let current = |k: &Kept| k.key.0 >= key.0 && k.key.1 >= key.1;
        if let Some(source) = self.kept(current) {
            return Ok(source);
        }
        let arrived = self.begun.load(Ordering::SeqCst);
        let mut turn = match self.reading.try_lock() {
            Ok(turn) => turn,
            Err(_) => {
                if let Some(source) = self.kept(|k| k.at.elapsed() <= STALE_AT_MOST) {
                    return Ok(source);
                }
                self.reading.lock().await
            }
        };
        // Many requests waited for one read: they take it.
        if let Some(source) = self.kept(|k| k.read >= arrived || current(k)) {
            return Ok(source);
        }
        let number = self.begun.fetch_add(1, Ordering::SeqCst);
        let at = std::time::Instant::now();
        let mut source = read(&mut turn).await?;
        // Compared outside the lock (only the holder of the turn replaces what is kept).
        if let Some(before) = self.kept(|_| true) {
            source.plans = before.plans.carried_to(&before, &source);
        }
        if let Ok(mut kept) = self.kept.lock() {
            *kept = Some(Kept {
                key,
                source: source.clone(),
                read: number,
                at,
            });
        }
        drop(turn);
        Ok(source)
    }

    fn kept(&self, will_do: impl Fn(&Kept) -> bool) -> Option<Source> {
        let kept = self.kept.lock().ok()?;
        kept.as_ref()
            .filter(|k| will_do(k))
            .map(|k| k.source.clone())
    }
}

/// Everything dashboards and exports are computed from, for the whole programme.
#[derive(Clone, Debug, Default)]
pub struct Source {
    pub catalogue: Vec<IndicatorDefinition>,
    pub projects: Vec<SourceProject>,
    /// Submitted and validated values. (The long lists are shared: every dashboard takes a copy
    /// of the source, and under load many do at once.)
    pub values: ByProject<IndicatorValue>,
    pub members: ByProject<MemberFact>,
    /// Counted per project and day.
    pub visits: ByProject<VisitFact>,
    pub targets: Vec<ScopedTarget>,
    /// `(supervisor, incubator)`.
    pub supervised: Vec<(Uuid, Uuid)>,
    pub small_cell_threshold: i64,
    /// The funder this source is narrowed to (`Source::for_funder`), if any.
    pub view: Option<Uuid>,
    /// The whole programme's source when this one is narrowed: what is hidden is decided on it.
    pub whole: Option<std::sync::Arc<Source>>,
    /// Which figures to hide, decided once per source, year and day (shared by its copies).
    pub plans: crate::server::disclosure::Plans,
    /// The dashboards drawn from it (shared by its copies).
    pub drawn: Drawn,
}

/// What a dashboard was drawn for: the funder's view, level, id, year, language (its index)
/// and day.
pub type DrawnKey = (Option<Uuid>, &'static str, String, i32, usize, String);

/// A dashboard being drawn, or drawn.
pub type DrawnSlot = Arc<tokio::sync::OnceCell<Result<Arc<Dashboard>, AppError>>>;

/// The dashboards drawn from one source, so that fifty people looking at the programme's
/// dashboard cost one drawing per change. Kept to [`Drawn::AT_MOST`]: the years and scopes
/// asked for are the caller's choice.
#[derive(Clone, Debug, Default)]
pub struct Drawn(Arc<std::sync::Mutex<HashMap<DrawnKey, DrawnSlot>>>);

impl Drawn {
    pub const AT_MOST: usize = 256;

    /// Where the dashboard drawn for `key` is, or will be once drawn (requests that ask while
    /// it is being drawn wait for it).
    pub fn slot(&self, key: DrawnKey) -> DrawnSlot {
        let mut drawn = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if drawn.len() >= Self::AT_MOST && !drawn.contains_key(&key) {
            drawn.clear();
        }
        drawn.entry(key).or_default().clone()
    }
}

/// Rows of many projects, grouped by project so that one project's are found without reading
/// the others' (an incubator's dashboard, and the plan of what to hide, which takes every scope
/// in turn). Copies share the rows.
#[derive(Debug)]
pub struct ByProject<T> {
    rows: Arc<Vec<T>>,
    at: Arc<HashMap<Uuid, Range<usize>>>,
}

/// A row that belongs to one project.
pub trait OfProject {
    fn project(&self) -> Uuid;
}

impl OfProject for IndicatorValue {
    fn project(&self) -> Uuid {
        self.project_id
    }
}

impl OfProject for MemberFact {
    fn project(&self) -> Uuid {
        self.project
    }
}

impl OfProject for VisitFact {
    fn project(&self) -> Uuid {
        self.project
    }
}

impl<T> ByProject<T> {
    /// One project's rows, in the order they were given.
    pub fn of(&self, project: Uuid) -> &[T] {
        self.at
            .get(&project)
            .and_then(|r| self.rows.get(r.clone()))
            .unwrap_or_default()
    }

    /// Every row, project after project.
    pub fn all(&self) -> &[T] {
        &self.rows
    }
}

impl<T: OfProject> From<Vec<T>> for ByProject<T> {
    fn from(mut rows: Vec<T>) -> Self {
        // Stable: a project's rows keep their order.
        rows.sort_by_key(OfProject::project);
        let mut at = HashMap::new();
        let mut start = 0;
        for end in 1..=rows.len() {
            if rows.get(end).map(OfProject::project) != rows.get(start).map(OfProject::project) {
                if let Some(first) = rows.get(start) {
                    at.insert(first.project(), start..end);
                }
                start = end;
            }
        }
        ByProject {
            rows: Arc::new(rows),
            at: Arc::new(at),
        }
    }
}

impl<T> Clone for ByProject<T> {
    fn clone(&self) -> Self {
        ByProject {
            rows: self.rows.clone(),
            at: self.at.clone(),
        }
    }
}

impl<T> Default for ByProject<T> {
    fn default() -> Self {
        ByProject {
            rows: Arc::default(),
            at: Arc::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visits_are_counted_per_project_and_day_as_they_are_written_and_deleted() {
        let (p, q) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let day =
            |d: u8| time::Date::from_calendar_date(2026, time::Month::November, d).expect("day");
        let id = Uuid::from_u128;
        let mut ledger = Ledger::default();
        ledger.visit(id(10), p, day(3), Some(400));
        ledger.visit(id(11), p, day(3), None);
        ledger.visit(id(12), q, day(3), Some(100));
        ledger.visit(id(13), p, day(5), None);
        // Edited: moved to another day, its sales corrected.
        ledger.visit(id(12), q, day(4), Some(150));
        // Deleted, twice (a replayed pull), and one that was never counted.
        ledger.forget_visit(id(13));
        ledger.forget_visit(id(13));
        ledger.forget_visit(id(99));
        let facts: Vec<(Uuid, String, Option<i64>, i64)> = ledger
            .visit_facts()
            .into_iter()
            .map(|v| (v.project, v.visit_on, v.sales, v.visits))
            .collect();
        assert_eq!(
            facts,
            [
                (p, "2026-11-03".into(), Some(400), 2),
                (q, "2026-11-04".into(), Some(150), 1),
            ]
        );
        // A set-up change (an audit line) reads everything again; a later version, only what
        // changed.
        ledger.at = Some((7, 3));
        assert_eq!(ledger.since((9, 3)), Some(7));
        assert_eq!(ledger.since((9, 4)), None);
        assert!(ledger.visit_facts().is_empty());
    }

    #[test]
    fn each_project_finds_its_own_rows_in_their_order() {
        let visit = |project: u128, on: &str| VisitFact {
            project: Uuid::from_u128(project),
            visit_on: on.into(),
            sales: None,
            visits: 1,
        };
        let rows: ByProject<VisitFact> = vec![
            visit(2, "2026-01-01"),
            visit(1, "2026-01-02"),
            visit(2, "2026-01-03"),
            visit(3, "2026-01-04"),
            visit(1, "2026-01-05"),
        ]
        .into();
        let days = |p: u128| -> Vec<&str> {
            rows.of(Uuid::from_u128(p))
                .iter()
                .map(|v| v.visit_on.as_str())
                .collect()
        };
        assert_eq!(days(1), ["2026-01-02", "2026-01-05"]);
        assert_eq!(days(2), ["2026-01-01", "2026-01-03"]);
        assert_eq!(days(3), ["2026-01-04"]);
        assert!(days(4).is_empty());
        assert_eq!(rows.all().len(), 5);
        assert!(
            ByProject::<VisitFact>::default()
                .of(Uuid::from_u128(1))
                .is_empty()
        );
    }
}
