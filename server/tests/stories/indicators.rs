//! The indicator catalogue and its computation: the starter catalogue on both engines, and a
//! property test that a total equals the sum of its disaggregated cells, whichever way the cells
//! are cut.

use crate::support;

use app::domain::Sex;
use app::domain::indicator::latest;
use app::domain::indicator::{Aggregation, Cell, Point, breakdown, total};
use proptest::prelude::*;
use uuid::Uuid;

#[tokio::test]
async fn a_new_database_holds_the_starter_catalogue_once_and_keeps_a_later_version() {
    for t in support::every_engine().await {
        let first = latest(t.db.indicators().await.expect("catalogue"));
        assert!(first.len() >= 32, "{:?}: {}", t.engine, first.len());
        assert!(first.iter().all(|d| d.version == 1));
        // The team publishes version 2 of one; installing the starter again changes nothing.
        let mut turnover = first
            .iter()
            .find(|d| d.code == "ECO-01")
            .expect("ECO-01")
            .clone();
        turnover.version = 2;
        turnover.name.fr = "Chiffre d'affaires du mois".into();
        t.db.insert_indicator(&turnover, None)
            .await
            .expect("version 2");
        assert!(matches!(
            t.db.insert_indicator(&turnover, None).await,
            Err(app::server::db::DbError::AlreadyExists(_))
        ));
        app::server::indicators::install_starter(&*t.db)
            .await
            .expect("install again");
        let now = latest(t.db.indicators().await.expect("catalogue"));
        assert_eq!(now.len(), first.len());
        let eco = now.iter().find(|d| d.code == "ECO-01").expect("ECO-01");
        assert_eq!(
            (eco.version, eco.name.fr.as_str()),
            (2, "Chiffre d'affaires du mois")
        );
    }
}

#[tokio::test]
async fn a_target_set_for_a_scope_replaces_the_previous_one_and_the_dashboard_measures_against_it()
{
    use app::domain::indicator::admin::SaveTarget;
    use app::domain::indicator::dashboard::DashboardLevel;
    use app::server::db::ProjectScope;
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let catalogue = latest(t.db.indicators().await.expect("catalogue"));
        let incubator = set.projects[0].incubator_id;
        let target = |scope: &str, id: String, goal: &str| SaveTarget {
            indicator: "SOC-03".into(),
            scope: scope.into(),
            scope_id: id,
            baseline: "100".into(),
            baseline_on: "2025-01-01".into(),
            target: goal.into(),
            target_on: "2027-12-31".into(),
            milestones: "2026-12-31 200".into(),
            cell: String::new(),
        };
        for (scope, id, goal) in [
            ("programme", String::new(), "300"),
            ("programme", String::new(), "400"),
            ("incubator", incubator.to_string(), "90"),
        ] {
            let checked = target(scope, id, goal).check(&catalogue).expect("checked");
            t.db.save_target(&checked, uuid::Uuid::nil())
                .await
                .expect("saved");
        }
        // A target for the women among them is a target of its own: the whole one stays.
        let women = SaveTarget {
            cell: "sex:female".into(),
            ..target("programme", String::new(), "220")
        };
        t.db.save_target(
            &women.check(&catalogue).expect("checked"),
            uuid::Uuid::nil(),
        )
        .await
        .expect("saved");
        let source = t.db.dashboard_source().await.expect("source");
        assert!(
            source
                .targets
                .iter()
                .any(|s| s.target.cell == "sex:female" && s.target.target == 220_000),
            "{:?}",
            t.engine
        );
        let programme: Vec<_> = source
            .targets
            .iter()
            .filter(|s| {
                s.scope == "programme" && s.target.indicator == "SOC-03" && s.target.cell.is_empty()
            })
            .collect();
        assert_eq!(programme.len(), 1, "{:?}: replaced, not added", t.engine);
        assert_eq!(programme[0].target.target, 400_000);
        assert_eq!(
            programme[0].target.milestones,
            vec![("2026-12-31".to_owned(), 200_000)]
        );
        assert!(source.scope_exists("incubator", Some(incubator)));
        assert!(!source.scope_exists("incubator", Some(Uuid::new_v4())));
        let today = app::server::clock::Clock::system().today();
        for (level, id, goal) in [
            (DashboardLevel::Programme, String::new(), 400.0),
            (DashboardLevel::Incubator, incubator.to_string(), 90.0),
        ] {
            let d = source
                .dashboard(
                    level,
                    &id,
                    today.year(),
                    "fr",
                    Some(ProjectScope::All),
                    &today.to_string(),
                )
                .await
                .expect("dashboard");
            let people = d
                .panels
                .iter()
                .find(|p| p.code == "SOC-03")
                .expect("people coached");
            assert_eq!(
                (people.baseline, people.target),
                (Some(100.0), Some(goal)),
                "{:?} {level:?}",
                t.engine
            );
        }
    }
}

fn cell_strategy() -> impl Strategy<Value = Cell> {
    (
        prop_oneof![Just(Sex::Female), Just(Sex::Male)],
        prop_oneof![Just("15_24"), Just("25_34"), Just("35_44"), Just("45_plus")],
        any::<bool>(),
    )
        .prop_map(|(sex, band, disability)| Cell {
            sex: Some(sex),
            age_band: Some(band.to_owned()),
            disability: Some(disability),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// Values entered per cell (sex × age band × disability) for several projects: the total is
    /// the sum of the cells along any one dimension.
    #[test]
    fn a_total_is_the_sum_of_its_disaggregated_cells(
        entries in prop::collection::vec((0u8..5, cell_strategy(), 0u32..500), 1..60)
    ) {
        let points: Vec<Point> = entries
            .into_iter()
            .map(|(project, cell, value)| Point {
                indicator: "SOC-01".into(),
                project: Uuid::from_u128(u128::from(project)),
                period: "2026-Q3".into(),
                cell,
                value: f64::from(value),
            })
            .collect();
        let all = total(&Aggregation::Sum, &points).expect("a total");
        for dimension in ["sex", "age_band", "disability"] {
            let cells = breakdown(&Aggregation::Sum, &points, dimension);
            let sum: f64 = cells.values().sum();
            prop_assert!((sum - all).abs() < 1e-6, "{dimension}: {sum} ≠ {all}");
        }
    }
}
