//! Exports for the donor and for BI tools, from the same computation as the dashboards:
//!
//! - a long tidy table (one line per scope, indicator, period and breakdown cell), as CSV or as
//!   JSON for BI tools;
//! - a workbook with one sheet per level (programme, incubators, value chains, projects: each
//!   indicator's totals per period) and the long table;
//! - a logframe workbook: for each indicator, its baseline and target, and each period's actual
//!   value and percentage of the target.
//!
//! Column names are stable English identifiers (BI tools bind to them); indicator and scope
//! names are in the language asked. Cells under the small-cell threshold carry no value and a
//! `<5` note.

use crate::domain::indicator::dashboard::{DashboardLevel, Frame, Shown, TableRow, build, table};
use crate::error::AppError;
use crate::server::dashboard::{Source, lang_index};
use crate::server::db::ProjectScope;
use crate::server::disclosure::scope_key;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use serde::Serialize;

/// What to export: a scope (as the dashboards name it), a year, and optionally one period.
#[derive(Clone, Debug)]
pub struct ExportQuery {
    pub level: DashboardLevel,
    pub id: String,
    pub year: i32,
    /// Only this period (`2026-Q3`), if given.
    pub period: Option<String>,
    pub lang: String,
}

/// One line of the long table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LongRow {
    pub level: &'static str,
    pub scope_id: String,
    pub scope: String,
    pub indicator: String,
    pub indicator_name: String,
    pub unit: String,
    pub period: String,
    /// `total`, `sex`, `age_band` or `disability`.
    pub dimension: String,
    pub cell: String,
    /// `None` when hidden.
    pub value: Option<f64>,
    /// `<5` when the cell is too small to show.
    pub note: String,
}

/// The scopes an export covers: the one asked and every narrower one (the programme's
/// incubators, value chains and projects; an incubator's or a value chain's projects).
/// Projects come only for those who may see them (`scope`), each within their scope.
fn units(
    source: &Source,
    q: &ExportQuery,
    scope: Option<ProjectScope>,
) -> Vec<(DashboardLevel, String)> {
    let mut out = vec![(q.level, q.id.clone())];
    let narrower = source.projects.iter().filter(|p| match q.level {
        DashboardLevel::Programme => true,
        DashboardLevel::Incubator => {
            p.project.incubator_id.map(|i| i.to_string()).as_deref() == Some(q.id.as_str())
        }
        DashboardLevel::ValueChain => p.project.value_chain == q.id,
        DashboardLevel::Project => false,
    });
    let mut incubators = Vec::new();
    let mut chains = Vec::new();
    let mut projects = Vec::new();
    for p in narrower {
        if q.level == DashboardLevel::Programme {
            if let Some(i) = p.project.incubator_id.map(|i| i.to_string())
                && !incubators.contains(&i)
            {
                incubators.push(i);
            }
            if !chains.contains(&p.project.value_chain) {
                chains.push(p.project.value_chain.clone());
            }
        }
        if scope.is_some_and(|s| source.sees(s, p)) {
            projects.push(p.project.id.to_string());
        }
    }
    out.extend(
        incubators
            .into_iter()
            .map(|i| (DashboardLevel::Incubator, i)),
    );
    out.extend(chains.into_iter().map(|c| (DashboardLevel::ValueChain, c)));
    out.extend(projects.into_iter().map(|p| (DashboardLevel::Project, p)));
    out
}

fn frame(
    source: &Source,
    q: &ExportQuery,
    level: DashboardLevel,
    id: &str,
    name: String,
    today: &str,
) -> Frame {
    Frame {
        level,
        id: id.to_owned(),
        name,
        year: q.year,
        today: today.to_owned(),
        threshold: source.small_cell_threshold,
    }
}

/// The long table of `q`, for someone whose projects are `scope` (`None`: aggregates only).
pub fn long_table(
    source: &Source,
    q: &ExportQuery,
    scope: Option<ProjectScope>,
    today: &str,
) -> Result<Vec<LongRow>, AppError> {
    // The scope asked must itself be visible: the same rule as its dashboard.
    source.narrow(q.level, &q.id, &q.lang, scope)?;
    let lang = lang_index(&q.lang);
    let mut out = Vec::new();
    for (level, id) in units(source, q, scope) {
        let (name, data) = source.narrow(level, &id, &q.lang, scope)?;
        let f = frame(source, q, level, &id, name.clone(), today);
        let names = |code: &str| {
            data.catalogue
                .iter()
                .find(|d| d.code == code)
                .map(|d| {
                    let n = [&d.name.fr, &d.name.ar, &d.name.en][lang].clone();
                    (n, d.unit.clone())
                })
                .unwrap_or_default()
        };
        for TableRow {
            indicator,
            period,
            dimension,
            cell,
            value,
        } in source
            .hidden(q.year, today)
            .apply_rows(&scope_key(source.view, level, &id), table(&f, &data))
        {
            if q.period.as_ref().is_some_and(|p| *p != period) {
                continue;
            }
            let (indicator_name, unit) = names(&indicator);
            let (value, note) = match value {
                Shown::Value(v) => (Some(v), String::new()),
                Shown::Hidden => (None, format!("<{}", source.small_cell_threshold)),
            };
            out.push(LongRow {
                level: level.as_str(),
                scope_id: id.clone(),
                scope: if level == DashboardLevel::Programme {
                    "programme".into()
                } else {
                    name.clone()
                },
                indicator,
                indicator_name,
                unit,
                period,
                dimension: dimension.unwrap_or_else(|| "total".into()),
                cell: cell.unwrap_or_default(),
                value,
                note,
            });
        }
    }
    Ok(out)
}

const LONG_COLUMNS: [&str; 11] = [
    "level",
    "scope_id",
    "scope",
    "indicator",
    "indicator_name",
    "unit",
    "period",
    "dimension",
    "cell",
    "value",
    "note",
];

/// Where `value` sits in [`LONG_COLUMNS`].
const VALUE_COLUMN: usize = 9;

fn long_fields(r: &LongRow) -> [String; 11] {
    [
        r.level.to_owned(),
        r.scope_id.clone(),
        r.scope.clone(),
        r.indicator.clone(),
        r.indicator_name.clone(),
        r.unit.clone(),
        r.period.clone(),
        r.dimension.clone(),
        r.cell.clone(),
        r.value.map(|v| v.to_string()).unwrap_or_default(),
        r.note.clone(),
    ]
}

/// The long table as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read Arabic).
pub fn csv(rows: &[LongRow]) -> Result<Vec<u8>, AppError> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = ::csv::Writer::from_writer(&mut out);
        let fail = |e: ::csv::Error| {
            tracing::error!(error = %e, "cannot write the CSV export");
            AppError::Internal
        };
        w.write_record(LONG_COLUMNS).map_err(fail)?;
        for r in rows {
            // Text written by people (a project's title, a note) must never run as a formula; the
            // value column holds numbers only, negative ones included.
            let fields = long_fields(r);
            w.write_record(fields.iter().enumerate().map(|(i, f)| {
                if i == VALUE_COLUMN {
                    f.clone()
                } else {
                    spreadsheet_text(f).into_owned()
                }
            }))
            .map_err(fail)?;
        }
        w.flush().map_err(|e| fail(e.into()))?;
    }
    Ok(out)
}

/// A text cell as a spreadsheet must read it: one that starts like a formula (`=`, `+`, `-`,
/// `@`, a tab or a carriage return) is given a leading apostrophe, so it is text, never run.
pub fn spreadsheet_text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The audit trail as CSV: when, who, what, about what, before and after.
pub fn audit_csv(lines: &[crate::domain::audit::AuditEntry]) -> Result<Vec<u8>, AppError> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = ::csv::Writer::from_writer(&mut out);
        let fail = |e: ::csv::Error| {
            tracing::error!(error = %e, "cannot write the audit CSV");
            AppError::Internal
        };
        w.write_record(["at", "by", "kind", "subject", "project", "before", "after"])
            .map_err(fail)?;
        for l in lines {
            let project = l.project.map(|p| p.to_string()).unwrap_or_default();
            let fields = [
                l.at.as_str(),
                l.actor_name.as_str(),
                l.kind.as_str(),
                l.subject.as_str(),
                project.as_str(),
                l.before.as_deref().unwrap_or_default(),
                l.after.as_deref().unwrap_or_default(),
            ];
            w.write_record(fields.iter().map(|f| spreadsheet_text(f).into_owned()))
                .map_err(fail)?;
        }
        w.flush().map_err(|e| fail(e.into()))?;
    }
    Ok(out)
}

fn xlsx_error(e: XlsxError) -> AppError {
    tracing::error!(error = %e, "cannot write the workbook");
    AppError::Internal
}

fn header(sheet: &mut Worksheet, columns: &[&str]) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    for (i, c) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, i as u16, *c, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

fn write_long(sheet: &mut Worksheet, rows: &[LongRow]) -> Result<(), XlsxError> {
    header(sheet, &LONG_COLUMNS)?;
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        for (col, text) in long_fields(r).iter().enumerate() {
            if col == 9 {
                if let Some(v) = r.value {
                    sheet.write_number(row, col as u16, v)?;
                }
            } else {
                sheet.write_string(row, col as u16, text)?;
            }
        }
    }
    Ok(())
}

/// The workbook: one sheet per level with each scope's indicator totals by period, then the
/// long table.
pub fn workbook(rows: &[LongRow]) -> Result<Vec<u8>, AppError> {
    let mut book = Workbook::new();
    for level in ["programme", "incubator", "value_chain", "project"] {
        let mine: Vec<&LongRow> = rows
            .iter()
            .filter(|r| r.level == level && r.dimension == "total")
            .collect();
        if mine.is_empty() {
            continue;
        }
        let mut periods: Vec<&str> = mine.iter().map(|r| r.period.as_str()).collect();
        periods.sort_unstable();
        periods.dedup();
        let sheet = book.add_worksheet();
        sheet.set_name(level).map_err(xlsx_error)?;
        let mut columns = vec!["scope", "indicator", "indicator_name", "unit"];
        columns.extend(periods.iter().copied());
        header(sheet, &columns).map_err(xlsx_error)?;
        let mut keys: Vec<(&str, &str)> = Vec::new();
        for r in &mine {
            if !keys.contains(&(r.scope_id.as_str(), r.indicator.as_str())) {
                keys.push((r.scope_id.as_str(), r.indicator.as_str()));
            }
        }
        for (i, (scope_id, indicator)) in keys.into_iter().enumerate() {
            let row = i as u32 + 1;
            let line: Vec<&&LongRow> = mine
                .iter()
                .filter(|r| r.scope_id == scope_id && r.indicator == indicator)
                .collect();
            let Some(first) = line.first() else { continue };
            let write = |sheet: &mut Worksheet| -> Result<(), XlsxError> {
                sheet.write_string(row, 0, &first.scope)?;
                sheet.write_string(row, 1, &first.indicator)?;
                sheet.write_string(row, 2, &first.indicator_name)?;
                sheet.write_string(row, 3, &first.unit)?;
                for r in &line {
                    let col = 4 + periods.iter().position(|p| *p == r.period).unwrap_or(0) as u16;
                    if let Some(v) = r.value {
                        sheet.write_number(row, col, v)?;
                    }
                }
                Ok(())
            };
            write(sheet).map_err(xlsx_error)?;
        }
    }
    let sheet = book.add_worksheet();
    sheet.set_name("long").map_err(xlsx_error)?;
    write_long(sheet, rows).map_err(xlsx_error)?;
    book.save_to_buffer().map_err(xlsx_error)
}

/// The logframe of one scope: per indicator, its level, baseline and target, and for each period
/// of the year with a value, the actual value and its percentage of the way from baseline to
/// target.
pub fn logframe(
    source: &Source,
    q: &ExportQuery,
    scope: Option<ProjectScope>,
    today: &str,
) -> Result<Vec<u8>, AppError> {
    let (name, data) = source.narrow(q.level, &q.id, &q.lang, scope)?;
    let lang = lang_index(&q.lang);
    let levels: Vec<(String, crate::domain::indicator::Level)> = data
        .catalogue
        .iter()
        .map(|d| (d.code.clone(), d.level))
        .collect();
    let d = build(&frame(source, q, q.level, &q.id, name.clone(), today), data);
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("logframe").map_err(xlsx_error)?;
    let columns = [
        "indicator",
        "indicator_name",
        "level",
        "unit",
        "baseline",
        "target",
        "period",
        "actual",
        "percent_of_target",
    ];
    let write = |sheet: &mut Worksheet| -> Result<(), XlsxError> {
        header(sheet, &columns)?;
        let mut row = 1;
        for panel in &d.panels {
            let level = levels
                .iter()
                .find(|(c, _)| *c == panel.code)
                .map(|(_, l)| {
                    serde_json::to_value(l)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                })
                .unwrap_or_default();
            let name = [&panel.name.fr, &panel.name.ar, &panel.name.en][lang];
            let periods: Vec<_> = panel
                .rows
                .iter()
                .filter(|r| r.value.is_some())
                .filter(|r| q.period.as_ref().is_none_or(|p| *p == r.period))
                .collect();
            let lines: Vec<Option<&crate::domain::indicator::dashboard::PeriodRow>> =
                if periods.is_empty() {
                    vec![None]
                } else {
                    periods.into_iter().map(Some).collect()
                };
            for r in lines {
                sheet.write_string(row, 0, &panel.code)?;
                sheet.write_string(row, 1, name)?;
                sheet.write_string(row, 2, &level)?;
                sheet.write_string(row, 3, &panel.unit)?;
                if let Some(b) = panel.baseline {
                    sheet.write_number(row, 4, b)?;
                }
                if let Some(t) = panel.target {
                    sheet.write_number(row, 5, t)?;
                }
                if let Some(r) = r {
                    sheet.write_string(row, 6, &r.period)?;
                    if let Some(v) = r.value {
                        sheet.write_number(row, 7, v)?;
                        let from = panel.baseline.unwrap_or(0.0);
                        if let Some(t) = panel.target.filter(|t| *t != from) {
                            sheet.write_number(
                                row,
                                8,
                                ((v - from) / (t - from) * 1000.0).round() / 10.0,
                            )?;
                        }
                    }
                }
                row += 1;
            }
        }
        Ok(())
    };
    write(sheet).map_err(xlsx_error)?;
    book.save_to_buffer().map_err(xlsx_error)
}
