#![no_main]
//! An indicator catalogue as the team imports it (the file `catalogue.json` exports): read,
//! checked whole (codes, units, formulas over other indicators, cycles), and its derived
//! indicators computed from a value of each, never a panic.

use app::domain::indicator::{Cell, IndicatorDefinition, Point, check_catalogue, totals};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(catalogue) = serde_json::from_slice::<Vec<IndicatorDefinition>>(data) else {
        return;
    };
    if check_catalogue(&catalogue, &["dates", "crafts"]).is_err() {
        return;
    }
    let points: Vec<Point> = catalogue
        .iter()
        .map(|d| Point {
            indicator: d.code.clone(),
            project: Default::default(),
            period: "2026-Q1".into(),
            cell: Cell::all(),
            value: 1.5,
        })
        .collect();
    let _ = totals(&catalogue, &points);
});
