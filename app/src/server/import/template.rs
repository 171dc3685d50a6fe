//! The templates the team fills in: one workbook with a projects sheet, a members sheet and the
//! lists each coded column takes (with drop-downs), and the same columns as two CSV files.

use super::Snapshot;
use super::text::{
    Column, LISTS_SHEET, MEMBER_COLUMNS, MEMBERS_SHEET, PROJECT_COLUMNS, PROJECTS_SHEET, pick,
};
use crate::domain::project::{LEGAL_FORMS, TRAINING_TRACKS};
use crate::error::AppError;
use rust_xlsxwriter::{DataValidation, Format, Formula, Workbook, Worksheet, XlsxError};

/// The rows a drop-down covers, below the header.
const ROWS: u32 = 2000;

fn xlsx_error(e: XlsxError) -> AppError {
    tracing::error!("cannot write the import template: {e}");
    AppError::Internal
}

/// The header of a sheet: required columns marked `*`.
fn headers(columns: &[Column], lang: &str) -> Vec<String> {
    columns
        .iter()
        .map(|c| {
            let h = pick(&c.header, lang);
            if c.required {
                format!("{h} *")
            } else {
                h.to_owned()
            }
        })
        .collect()
}

fn write_header(sheet: &mut Worksheet, columns: &[Column], lang: &str) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    for (i, h) in headers(columns, lang).iter().enumerate() {
        sheet.write_string_with_format(0, i as u16, h, &bold)?;
        sheet.set_column_width(i as u16, 22)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The workbook template in `lang`, its lists filled from Athar as it is.
pub fn workbook(snapshot: &Snapshot, lang: &str) -> Result<Vec<u8>, AppError> {
    build(snapshot, lang).map_err(xlsx_error)
}

fn build(s: &Snapshot, lang: &str) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let lists_name = pick(&LISTS_SHEET, lang);
    // The lists: one column per coded column of the two sheets.
    let mut lists: Vec<(&str, Vec<String>)> = vec![
        ("kind", vec!["individual".into(), "collective".into()]),
        (
            "value_chain",
            s.value_chains.iter().map(|c| c.code.clone()).collect(),
        ),
        (
            "locality",
            s.places.iter().map(|p| p.name.clone()).collect(),
        ),
        ("incubator", organisations(s, "incubator")),
        (
            "facilitator_email",
            s.facilitators
                .iter()
                .filter(|f| f.active)
                .map(|f| f.email.clone())
                .collect(),
        ),
        (
            "legal_form",
            LEGAL_FORMS.iter().map(|f| (*f).to_owned()).collect(),
        ),
        (
            "training_track",
            TRAINING_TRACKS.iter().map(|f| (*f).to_owned()).collect(),
        ),
        ("funder", organisations(s, "funder")),
    ];
    if let Some(form) = &s.member_form {
        for name in ["sex", "role"] {
            if let Some(crate::domain::form::FieldKind::SingleChoice { choices }) =
                form.fields.iter().find(|f| f.name == name).map(|f| &f.kind)
            {
                lists.push((name, choices.iter().map(|c| c.value.clone()).collect()));
            }
        }
    }
    lists.push(("consent", vec!["yes".into(), "no".into()]));
    lists.push(("wg", (1..=4).map(|n| n.to_string()).collect()));

    let mut list_range = std::collections::HashMap::new();
    {
        let sheet = book.add_worksheet();
        sheet.set_name(lists_name)?;
        let bold = Format::new().set_bold();
        for (i, (key, values)) in lists.iter().enumerate() {
            let col = i as u16;
            let title = PROJECT_COLUMNS
                .iter()
                .chain(MEMBER_COLUMNS.iter())
                .find(|c| c.key == *key)
                .map_or("WG (1-4)", |c| pick(&c.header, lang));
            sheet.write_string_with_format(0, col, title, &bold)?;
            sheet.set_column_width(col, 24)?;
            for (j, v) in values.iter().enumerate() {
                sheet.write_string(1 + j as u32, col, v)?;
            }
            if !values.is_empty() {
                let letter = column_letter(col);
                list_range.insert(
                    *key,
                    format!("='{lists_name}'!${letter}$2:${letter}${}", values.len() + 1),
                );
            }
        }
    }
    for (sheet_name, columns) in [
        (pick(&PROJECTS_SHEET, lang), &PROJECT_COLUMNS[..]),
        (pick(&MEMBERS_SHEET, lang), &MEMBER_COLUMNS[..]),
    ] {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name)?;
        write_header(sheet, columns, lang)?;
        for (i, c) in columns.iter().enumerate() {
            let key = if c.key.starts_with("wg_") {
                "wg"
            } else {
                c.key
            };
            if let Some(range) = list_range.get(key) {
                let v = DataValidation::new().allow_list_formula(Formula::new(range));
                sheet.add_data_validation(1, i as u16, ROWS, i as u16, &v)?;
            }
            // Codes and phone numbers stay text: a spreadsheet would drop a leading zero.
            if matches!(c.key, "file_code" | "phone") {
                sheet.set_column_format(i as u16, &Format::new().set_num_format("@"))?;
            }
        }
    }
    // The projects sheet opens first.
    book.worksheet_from_index(1)?.set_active(true);
    book.save_to_buffer()
}

fn organisations(s: &Snapshot, kind: &str) -> Vec<String> {
    s.organisations
        .iter()
        .filter(|o| o.kind == kind && !o.archived)
        .map(|o| o.name.clone())
        .collect()
}

fn column_letter(col: u16) -> String {
    let mut n = u32::from(col) + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// The projects or the members template as CSV (a header row, UTF-8 with its mark so that a
/// spreadsheet opens the accents right).
pub fn csv(members: bool, lang: &str) -> Vec<u8> {
    let columns = if members {
        &MEMBER_COLUMNS[..]
    } else {
        &PROJECT_COLUMNS[..]
    };
    let mut out = "\u{feff}".as_bytes().to_vec();
    let mut w = csv::Writer::from_writer(&mut out);
    let _ = w.write_record(headers(columns, lang));
    let _ = w.flush();
    drop(w);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_lettered_as_a_spreadsheet_does() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
    }

    #[test]
    fn the_template_reads_back_as_two_empty_sheets_with_every_column() {
        let bytes = workbook(&Snapshot::default(), "ar").unwrap();
        let tables = super::super::read::tables("t.xlsx", &bytes).unwrap();
        let names: Vec<&str> = tables.iter().map(|t| t.sheet.as_str()).collect();
        assert_eq!(names, ["القوائم", "المشاريع", "الأعضاء"]);
        let keys = super::super::keys_of(&tables[1].headers);
        assert_eq!(keys.len(), PROJECT_COLUMNS.len());
        assert!(
            keys.iter()
                .zip(&PROJECT_COLUMNS)
                .all(|(k, c)| *k == Some(c.key))
        );
        assert!(tables[1].rows.is_empty() && tables[2].rows.is_empty());
    }
}
