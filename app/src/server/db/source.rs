//! What dashboards and exports are computed from, as the database returns it (narrowed to a scope
//! and computed by `server::dashboard`).

use crate::domain::indicator::IndicatorDefinition;
use crate::domain::indicator::dashboard::{DashboardProject, ScopedTarget};
use crate::domain::indicator::derived::{MemberFact, VisitFact};
use crate::domain::indicator::value::IndicatorValue;
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
#[derive(Default)]
pub struct SourceCache {
    kept: std::sync::Mutex<Option<(SourceKey, Source)>>,
    /// One read at a time: requests that find the source out of date while it is being read
    /// wait for that read rather than start their own.
    reading: tokio::sync::Mutex<()>,
}

/// `(global version, last audit line)`.
pub type SourceKey = (i64, i64);

impl SourceCache {
    /// The source kept, if it was read at `key` or later (both only grow).
    pub fn get(&self, key: SourceKey) -> Option<Source> {
        let kept = self.kept.lock().ok()?;
        kept.as_ref()
            .filter(|(k, _)| k.0 >= key.0 && k.1 >= key.1)
            .map(|(_, source)| source.clone())
    }

    pub fn put(&self, key: SourceKey, source: &Source) {
        if let Ok(mut kept) = self.kept.lock()
            && kept.as_ref().is_none_or(|(k, _)| *k <= key)
        {
            *kept = Some((key, source.clone()));
        }
    }

    /// Waits for the turn to read the source.
    pub async fn turn(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.reading.lock().await
    }
}

/// Everything dashboards and exports are computed from, for the whole programme.
#[derive(Clone, Debug, Default)]
pub struct Source {
    pub catalogue: Vec<IndicatorDefinition>,
    pub projects: Vec<SourceProject>,
    /// Submitted and validated values. (The long lists are shared: every dashboard takes a copy
    /// of the source, and under load many do at once.)
    pub values: std::sync::Arc<Vec<IndicatorValue>>,
    pub members: std::sync::Arc<Vec<MemberFact>>,
    pub visits: std::sync::Arc<Vec<VisitFact>>,
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
}
