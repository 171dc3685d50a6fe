use super::*;
use crate::domain::Sex;

const CHAINS: [&str; 8] = ["DAT", "PAL", "ART", "TOU", "REC", "AGS", "ELE", "GEO"];

fn def(code: &str, aggregation: Aggregation) -> IndicatorDefinition {
    let words = |s: &str| Names {
        fr: s.into(),
        ar: format!("{s} بالعربية"),
        en: s.into(),
    };
    IndicatorDefinition {
        code: code.into(),
        version: 1,
        name: words(code),
        definition: words(code),
        unit: "count".into(),
        data_type: DataType::Integer,
        category: Category::Social,
        level: Level::Output,
        dimensions: vec![ImpactDimension::Who],
        iris: None,
        scope: IndicatorScope::Project,
        value_chains: Vec::new(),
        disaggregations: vec!["sex".into()],
        frequency: Frequency::Quarterly,
        aggregation,
        direction: Direction::Up,
        negative_allowed: false,
    }
}

fn ratio(code: &str, numerator: &str, denominator: &str) -> IndicatorDefinition {
    let mut d = def(
        code,
        Aggregation::Ratio {
            numerator: numerator.into(),
            denominator: denominator.into(),
        },
    );
    d.data_type = DataType::Percent;
    d
}

fn point(indicator: &str, project: u128, period: &str, sex: Option<Sex>, value: f64) -> Point {
    Point {
        indicator: indicator.into(),
        project: Uuid::from_u128(project),
        period: period.into(),
        cell: Cell {
            sex,
            ..Cell::default()
        },
        value,
    }
}

#[test]
fn the_starter_catalogue_holds_part_b_and_passes_its_own_checks() {
    let catalogue = starter_catalogue();
    assert!(catalogue.len() >= 32, "{}", catalogue.len());
    assert_eq!(check_catalogue(&catalogue, &CHAINS), Ok(()));
    let women = catalogue.iter().find(|d| d.code == "SOC-04").unwrap();
    assert!(women.is_derived());
    assert_eq!(women.inputs(), ["SOC-11", "SOC-03"]);
    // Water indicators are for the farming chains only.
    let water = catalogue.iter().find(|d| d.code == "ENV-01").unwrap();
    assert!(water.applies_to("DAT") && !water.applies_to("TOU"));
    assert_eq!(water.direction, Direction::Down);
    // Arabic names are in Arabic script.
    assert!(catalogue.iter().all(|d| {
        d.name
            .ar
            .chars()
            .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
    }));
}

#[test]
fn a_catalogue_with_errors_is_refused_with_each_error_located() {
    let mut no_arabic = def("SOC-20", Aggregation::Sum);
    no_arabic.name.ar = " ".into();
    let mut elsewhere = def("ENV-20", Aggregation::Sum);
    elsewhere.value_chains = vec!["MINES".into()];
    let catalogue = vec![
        def("soc-1", Aggregation::Sum),
        def("SOC-21", Aggregation::Sum),
        def("SOC-21", Aggregation::Sum),
        no_arabic,
        elsewhere,
        ratio("SOC-22", "SOC-21", "SOC-99"),
        def(
            "ECO-20",
            Aggregation::Formula {
                expression: "${ECO-21} +".into(),
            },
        ),
        // A cycle through two indicators.
        ratio("ECO-22", "ECO-23", "SOC-21"),
        def(
            "ECO-23",
            Aggregation::Formula {
                expression: "${ECO-22} * 2".into(),
            },
        ),
    ];
    let errors = check_catalogue(&catalogue, &CHAINS).unwrap_err();
    let located: Vec<(&str, &str)> = errors
        .iter()
        .map(|e| (e.indicator.as_str(), e.field.as_str()))
        .collect();
    assert!(located.contains(&("#1", "code")), "{errors:?}");
    assert!(
        errors
            .iter()
            .any(|e| e.indicator == "SOC-21" && e.problem == CatalogueProblem::DuplicateCode)
    );
    assert!(errors.iter().any(|e| e.indicator == "SOC-20"
        && e.field == "name"
        && e.problem == CatalogueProblem::MissingText("ar".into())));
    assert!(errors.iter().any(|e| e.indicator == "ENV-20"
        && e.problem == CatalogueProblem::UnknownValueChain("MINES".into())));
    assert!(errors.iter().any(|e| e.indicator == "SOC-22"
        && e.problem == CatalogueProblem::UnknownIndicator("SOC-99".into())));
    assert!(
        errors.iter().any(
            |e| e.indicator == "ECO-20" && matches!(e.problem, CatalogueProblem::BadFormula(_))
        )
    );
    let cycle = errors
        .iter()
        .find(|e| e.indicator == "ECO-22" && matches!(e.problem, CatalogueProblem::Cycle(_)))
        .expect("the cycle, located on each indicator in it");
    assert_eq!(
        cycle.problem,
        CatalogueProblem::Cycle(vec!["ECO-22".into(), "ECO-23".into(), "ECO-22".into()])
    );
    assert!(
        errors
            .iter()
            .any(|e| e.indicator == "ECO-23" && matches!(e.problem, CatalogueProblem::Cycle(_)))
    );
}

#[test]
fn sums_averages_and_latest_values_combine_as_their_aggregation_says() {
    let points = [
        point("X", 1, "2026-Q2", None, 4.0),
        point("X", 2, "2026-Q2", None, 6.0),
        point("X", 1, "2026-Q3", None, 5.0),
        point("X", 2, "2026-Q3", None, 9.0),
    ];
    assert_eq!(total(&Aggregation::Sum, &points), Some(24.0));
    assert_eq!(total(&Aggregation::Average, &points), Some(6.0));
    assert_eq!(
        total(&Aggregation::Last, &points),
        Some(14.0),
        "the latest quarter, both projects"
    );
    assert_eq!(
        total(&Aggregation::Sum, &[]),
        None,
        "nothing entered is not zero"
    );
}

#[test]
fn a_ratio_rolled_up_is_the_ratio_of_the_totals_never_an_average_of_ratios() {
    let catalogue = vec![
        def("SOC-03", Aggregation::Sum),
        def("SOC-11", Aggregation::Sum),
        ratio("SOC-04", "SOC-11", "SOC-03"),
    ];
    // One project of 10 members with 1 woman, one of 2 members with 2 women.
    let points = [
        point("SOC-03", 1, "2026-Q3", None, 10.0),
        point("SOC-11", 1, "2026-Q3", None, 1.0),
        point("SOC-03", 2, "2026-Q3", None, 2.0),
        point("SOC-11", 2, "2026-Q3", None, 2.0),
    ];
    let t = totals(&catalogue, &points);
    assert_eq!(t["SOC-04"], 25.0, "3 women of 12, not (10 % + 100 %) ÷ 2");
    // Without members, no share (not a division by zero, not 0 %).
    let t = totals(&catalogue, &points[1..2]);
    assert!(!t.contains_key("SOC-04"));
}

#[test]
fn a_formula_computes_from_other_totals_and_a_missing_input_leaves_it_empty() {
    let catalogue = vec![
        def("ECO-30", Aggregation::Sum),
        def("ECO-31", Aggregation::Sum),
        def(
            "ECO-32",
            Aggregation::Formula {
                expression: "(${ECO-30} - ${ECO-31}) / ${ECO-30} * 100".into(),
            },
        ),
    ];
    let points = [
        point("ECO-30", 1, "2026-11", None, 2000.0),
        point("ECO-31", 1, "2026-11", None, 1500.0),
    ];
    assert_eq!(totals(&catalogue, &points)["ECO-32"], 25.0);
    assert!(!totals(&catalogue, &points[..1]).contains_key("ECO-32"));
}

#[test]
fn values_break_down_by_sex_and_small_cells_are_hidden() {
    let points = [
        point("SOC-03", 1, "2026-Q3", Some(Sex::Female), 7.0),
        point("SOC-03", 1, "2026-Q3", Some(Sex::Male), 3.0),
        point("SOC-03", 2, "2026-Q3", Some(Sex::Female), 2.0),
    ];
    let by_sex = breakdown(&Aggregation::Sum, &points, "sex");
    assert_eq!(by_sex["female"], 9.0);
    assert_eq!(by_sex["male"], 3.0);
    use crate::domain::indicator::dashboard::{Shown, hide_small};
    assert_eq!(
        hide_small(by_sex["male"], 5),
        Shown::Hidden,
        "3 men: shown as <5"
    );
    assert_eq!(hide_small(by_sex["female"], 5), Shown::Value(9.0));
    assert_eq!(
        hide_small(0.0, 5),
        Shown::Value(0.0),
        "nobody to single out"
    );
    assert_eq!(hide_small(4.0, 5), Shown::Hidden);
    assert_eq!(hide_small(5.0, 5), Shown::Value(5.0));
}

#[test]
fn age_bands_follow_the_birth_year() {
    assert_eq!(age_band(2004, 2026), "15_24");
    assert_eq!(age_band(2001, 2026), "25_34");
    assert_eq!(age_band(1990, 2026), "35_44");
    assert_eq!(age_band(1960, 2026), "45_plus");
}
