//! Files to tables of text: XLSX (and the other workbooks calamine reads) or CSV, each sheet a
//! header row and numbered rows. Nothing is ever evaluated: a formula is read as its text.

use calamine::{Data, Reader};
use std::io::Cursor;

/// A sheet as text: its name, its header cells and its non-empty rows with their numbers as the
/// spreadsheet shows them (the header is row 1).
#[derive(Debug, Default)]
pub struct Table {
    pub sheet: String,
    pub headers: Vec<String>,
    pub rows: Vec<(u32, Vec<String>)>,
}

/// Why a file gave no table (a message code of `text::message`).
pub type Unreadable = &'static str;

/// The tables of one file, by its bytes: a ZIP or OLE workbook goes to calamine, anything else
/// is CSV.
pub fn tables(name: &str, bytes: &[u8]) -> Result<Vec<Table>, Unreadable> {
    let workbook = bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    if workbook {
        workbook_tables(bytes)
    } else {
        csv_table(name, bytes).map(|t| vec![t])
    }
}

fn workbook_tables(bytes: &[u8]) -> Result<Vec<Table>, Unreadable> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
        .map_err(|_| "unreadable")?;
    let mut tables = Vec::new();
    for sheet in book.sheet_names() {
        let Ok(values) = book.worksheet_range(&sheet) else {
            continue;
        };
        // A formula is kept as its text (`=…`), never as what a spreadsheet computed from it.
        let formulas = book.worksheet_formula(&sheet).ok();
        let Some((top, left)) = values.start() else {
            continue;
        };
        let mut rows = values.rows().enumerate().map(|(i, cells)| {
            let at = top + i as u32;
            let texts: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(j, cell)| {
                    let formula = formulas
                        .as_ref()
                        .and_then(|f| f.get_value((at, left + j as u32)))
                        .filter(|f| !f.is_empty());
                    match formula {
                        Some(f) => format!("={f}"),
                        None => cell_text(cell),
                    }
                })
                .collect();
            (at + 1, texts)
        });
        let Some((_, headers)) = rows.next() else {
            continue;
        };
        // Columns left of the range are empty in the file: keep positions as the reader sees
        // them by padding the header the same way as the rows.
        let pad = left as usize;
        let padded = |mut cells: Vec<String>| {
            let mut all = vec![String::new(); pad];
            all.append(&mut cells);
            all
        };
        tables.push(Table {
            sheet,
            headers: padded(headers),
            rows: rows
                .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
                .map(|(n, cells)| (n, padded(cells)))
                .collect(),
        });
    }
    Ok(tables)
}

/// A cell as text: whole numbers without a decimal point, dates as ISO days.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "true" } else { "false" }.to_owned(),
        Data::DateTime(d) => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        Data::DateTimeIso(s) => s.chars().take(10).collect(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

fn csv_table(name: &str, bytes: &[u8]) -> Result<Table, Unreadable> {
    let text = std::str::from_utf8(bytes).map_err(|_| "not_utf8")?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // A spreadsheet in French writes `;` between cells: take whichever the header uses more.
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let headers = match records.next() {
        Some(Ok(r)) => r.iter().map(|c| c.trim().to_owned()).collect(),
        Some(Err(_)) => return Err("unreadable"),
        None => Vec::new(),
    };
    let mut rows = Vec::new();
    for record in records {
        let record = record.map_err(|_| "unreadable")?;
        // The reader's own line number: a cell with a line break spans several.
        let at = record.position().map_or(0, |p| p.line()) as u32;
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_owned()).collect();
        if cells.iter().any(|c| !c.is_empty()) {
            rows.push((at, cells));
        }
    }
    Ok(Table {
        sheet: name.to_owned(),
        headers,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_french_csv_with_semicolons_and_a_bom_reads_with_its_row_numbers() {
        let csv = "\u{feff}Code du dossier;Intitulé\nKBL-001;Dattes\n;\nKBL-002;\"Deux\nlignes\"\nKBL-003;=1+2\n";
        let tables = tables("projets.csv", csv.as_bytes()).unwrap();
        assert_eq!(tables[0].headers, ["Code du dossier", "Intitulé"]);
        let rows: Vec<(u32, &str)> = tables[0]
            .rows
            .iter()
            .map(|(n, c)| (*n, c[0].as_str()))
            .collect();
        assert_eq!(rows, [(2, "KBL-001"), (4, "KBL-002"), (6, "KBL-003")]);
        assert_eq!(tables[0].rows[2].1[1], "=1+2", "a formula stays text");
    }

    #[test]
    fn a_csv_in_another_encoding_is_named_as_such() {
        let latin1 = b"Code;Intitul\xe9\n";
        assert_eq!(tables("p.csv", latin1).unwrap_err(), "not_utf8");
    }

    #[test]
    fn a_workbook_keeps_formulas_as_text_and_dates_as_days() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
        let mut book = Workbook::new();
        let sheet = book.add_worksheet().set_name("Projets").unwrap();
        sheet.write(0, 0, "Code du dossier").unwrap();
        sheet.write(0, 1, "Date").unwrap();
        sheet.write(0, 2, "Vague").unwrap();
        sheet.write(1, 0, "KBL-001").unwrap();
        let day = ExcelDateTime::from_ymd(2026, 3, 15).unwrap();
        sheet
            .write_datetime_with_format(1, 1, &day, &Format::new().set_num_format("dd/mm/yyyy"))
            .unwrap();
        sheet.write(1, 2, 2).unwrap();
        sheet
            .write_formula(2, 0, Formula::new("=HYPERLINK(\"http://x\",\"y\")"))
            .unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let tables = tables("book.xlsx", &bytes).unwrap();
        let t = &tables[0];
        assert_eq!(t.sheet, "Projets");
        assert_eq!(
            t.rows[0],
            (2, vec!["KBL-001".into(), "2026-03-15".into(), "2".into()])
        );
        assert_eq!(t.rows[1].0, 3);
        assert!(t.rows[1].1[0].starts_with("=HYPERLINK"), "{:?}", t.rows[1]);
    }
}
