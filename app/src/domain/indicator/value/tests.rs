use super::*;
use crate::domain::Sex;
use crate::domain::indicator::starter_catalogue;

const TODAY: &str = "2026-11-26";

fn def(code: &str) -> IndicatorDefinition {
    starter_catalogue()
        .into_iter()
        .find(|d| d.code == code)
        .expect("in the starter catalogue")
}

fn args(indicator: &str, period: &str, value: i64) -> SaveValueArgs {
    let project = Uuid::from_u128(9);
    SaveValueArgs {
        files: Vec::new(),
        id: value_id(project, indicator, period),
        project_id: project,
        base_version: None,
        indicator: indicator.into(),
        indicator_version: 1,
        period: period.into(),
        value,
        cells: Vec::new(),
        source: ValueSource::Record,
        evidence: String::new(),
        status: EntryStatus::Submitted,
        form: None,
    }
}

#[test]
fn the_entry_form_gives_the_value_source_and_evidence_and_an_estimate_says_what_it_rests_on() {
    let form: crate::domain::form::FormDefinition =
        serde_json::from_str(include_str!("../../../../forms/indicator_entry.json"))
            .expect("the entry form");
    assert_eq!(form.check(), Ok(()));
    let answers =
        |json: serde_json::Value| -> Answers { serde_json::from_value(json).expect("answers") };
    let given = answers(
        serde_json::json!({"value": 1.005, "source": "survey", "evidence": " Fiche n° 12 "}),
    );
    assert!(form.validate(&given, "2026-11-26").is_empty());
    assert_eq!(
        read_entry(&given),
        Ok((1005, ValueSource::Survey, "Fiche n° 12".into()))
    );
    let guess = answers(serde_json::json!({"value": 3, "source": "estimate"}));
    assert!(form.validate(&guess, "2026-11-26").is_empty());
    assert_eq!(
        read_entry(&guess),
        Err(FieldError::new("evidence", "required"))
    );
    assert_eq!(
        read_entry(&answers(
            serde_json::json!({"value": 3, "source": "derived"})
        )),
        Err(FieldError::new("source", "other")),
        "a computed value is never typed"
    );

    // Sent with its answers, a value that says otherwise is refused.
    let mut sent = args("SOC-01", "2026-Q3", 1005);
    sent.source = ValueSource::Survey;
    sent.evidence = "Fiche n° 12".into();
    sent.form = Some(FormAnswers {
        version: form.version,
        answers: given,
    });
    assert_eq!(sent.validate_shape(), Ok(()));
    sent.value = 2000;
    assert_eq!(
        sent.validate_shape(),
        Err(FieldError::new("answers", "invalid"))
    );
}

fn women_men(women: i64, men: i64) -> Vec<CellValue> {
    [(Sex::Female, women), (Sex::Male, men)]
        .into_iter()
        .map(|(sex, value)| CellValue {
            cell: Cell {
                sex: Some(sex),
                ..Cell::default()
            },
            value,
        })
        .collect()
}

#[test]
fn periods_follow_the_indicators_frequency_and_a_future_one_is_refused() {
    assert_eq!(period_of(Frequency::Quarterly, TODAY), "2026-Q4");
    assert_eq!(period_of(Frequency::Monthly, TODAY), "2026-11");
    assert_eq!(period_of(Frequency::Semester, "2026-06-30"), "2026-S1");
    assert_eq!(period_of(Frequency::Annual, TODAY), "2026");
    assert_eq!(
        period_start(Frequency::Quarterly, "2026-Q3").as_deref(),
        Some("2026-07-01")
    );
    assert_eq!(period_start(Frequency::Quarterly, "2026-07"), None);
    assert_eq!(period_start(Frequency::Monthly, "2026-13"), None);
    let code = |a: SaveValueArgs| {
        a.validate(&def("SOC-01"), TODAY)
            .map_err(|e| (e.field, e.code))
    };
    assert_eq!(code(args("SOC-01", "2026-Q4", 3000)), Ok(()));
    assert_eq!(
        code(args("SOC-01", "2027-Q1", 3000)),
        Err(("period", "in_future"))
    );
    assert_eq!(
        code(args("SOC-01", "2026-11", 3000)),
        Err(("period", "not_a_period"))
    );
}

#[test]
fn a_value_of_the_wrong_type_or_sign_is_refused() {
    let check = |code: &str, period: &str, value: i64| {
        args(code, period, value)
            .validate(&def(code), TODAY)
            .map_err(|e| e.code)
    };
    // People are counted whole, never below zero.
    assert_eq!(check("SOC-03", "2026-Q3", 12_000), Ok(()));
    assert_eq!(check("SOC-03", "2026-Q3", 12_500), Err("out_of_range"));
    assert_eq!(check("SOC-03", "2026-Q3", -1000), Err("negative"));
    // A percentage stays within 0–100; a score within 1–5.
    assert_eq!(check("SOC-08", "2026-S2", 101_000), Err("out_of_range"));
    assert_eq!(check("SOC-07", "2026", 6000), Err("out_of_range"));
    // Money may have millimes.
    assert_eq!(check("ECO-01", "2026-10", 1_234_567), Ok(()));
    // A share is computed, never entered.
    assert_eq!(check("SOC-04", "2026-Q3", 50_000), Err("derived"));
}

#[test]
fn a_breakdown_uses_the_indicators_own_dimensions_and_adds_up_to_the_value() {
    let soc01 = def("SOC-01");
    let mut a = args("SOC-01", "2026-Q3", 5000);
    a.cells = women_men(3000, 2000);
    assert_eq!(a.validate(&soc01, TODAY), Ok(()));
    a.cells = women_men(3000, 1000);
    assert_eq!(
        a.validate(&soc01, TODAY).map_err(|e| e.code),
        Err("cells_total")
    );
    // Turnover is not broken down by sex.
    let mut b = args("ECO-01", "2026-10", 5000);
    b.cells = women_men(3000, 2000);
    assert_eq!(
        b.validate(&def("ECO-01"), TODAY).map_err(|e| e.field),
        Err("cells")
    );
    // Its points are its cells.
    a.cells = women_men(3000, 2000);
    let record = a.record(None, 0, None);
    let points = record.points();
    assert_eq!(points.len(), 2);
    assert_eq!(points.iter().map(|p| p.value).sum::<f64>(), 5.0);
}

#[test]
fn numbers_are_read_as_typed_with_a_comma_or_a_point() {
    assert_eq!(parse_thousandths("1 234,5"), Some(1_234_500));
    assert_eq!(parse_thousandths("12"), Some(12_000));
    assert_eq!(parse_thousandths("-3.25"), Some(-3_250));
    assert_eq!(parse_thousandths("douze"), None);
    assert_eq!(parse_thousandths(" "), None);
    assert_eq!(show_thousandths(1_234_500), "1234,5");
    assert_eq!(show_thousandths(12_000), "12");
    assert_eq!(show_thousandths(-250), "-0,25");
}

#[test]
fn the_same_project_indicator_and_period_make_the_same_id_on_every_phone() {
    let p = Uuid::from_u128(3);
    assert_eq!(
        value_id(p, "SOC-01", "2026-Q3"),
        value_id(p, "SOC-01", "2026-Q3")
    );
    assert_ne!(
        value_id(p, "SOC-01", "2026-Q3"),
        value_id(p, "SOC-01", "2026-Q4")
    );
    let mut a = args("SOC-01", "2026-Q3", 1000);
    a.id = Uuid::from_u128(1);
    assert_eq!(
        a.validate(&def("SOC-01"), TODAY).map_err(|e| e.field),
        Err("id")
    );
}

#[test]
fn values_past_any_real_figure_are_refused_and_a_breakdown_never_overflows() {
    let eco01 = def("ECO-01");
    let soc01 = def("SOC-01");
    // Cells that would overflow a sum: refused as a wrong total, never a crash.
    let mut a = args("SOC-01", "2026-Q3", 2000);
    a.cells = women_men(i64::MAX, i64::MAX);
    a.cells.extend(women_men(2, 0).into_iter().take(1));
    assert_eq!(
        a.validate(&soc01, TODAY).map_err(|e| e.code),
        Err("out_of_range")
    );
    // A value or cell past a thousand billion units.
    let mut big = args("ECO-01", "2026-10", MAX_THOUSANDTHS + 1);
    assert_eq!(
        big.validate(&eco01, TODAY).map_err(|e| e.code),
        Err("out_of_range")
    );
    big.value = MAX_THOUSANDTHS;
    assert_eq!(big.validate(&eco01, TODAY), Ok(()));
    // Cells each within bounds whose sum would overflow: still only a wrong total.
    let mut many = args("SOC-01", "2026-Q3", 1000);
    many.cells = (0..MAX_CELLS + 1)
        .map(|_| women_men(1000, 0).remove(0))
        .collect();
    assert_eq!(
        many.validate(&soc01, TODAY).map_err(|e| e.code),
        Err("other")
    );
}
