//! Bringing the programme's spreadsheet in: what a dry run or an import tells the team. The
//! reading and the checks are the server's (`server::import`); the messages come in the reader's
//! language from there, so the page only lays them out.

use serde::{Deserialize, Serialize};

/// One file as the page sends it: its name and its bytes, base64 (as the browser's file reader
/// gives them, with or without the `data:` prefix).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportFile {
    pub name: String,
    pub data: String,
}

/// The largest file the import reads (a programme's workbook is a few tens of KB).
pub const MAX_IMPORT_BYTES: usize = 1024 * 1024;

/// A cell that cannot be taken, where the reader finds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProblem {
    /// The sheet's name as in the file (a CSV file's name).
    pub sheet: String,
    /// The row as the spreadsheet numbers it (the header is row 1); 0 for the sheet itself.
    pub row: u32,
    /// The column's header as in the file; empty for the whole row or sheet.
    pub column: String,
    /// Why, in the reader's language.
    pub message: String,
}

/// What a row changes in a project or a member already in Athar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportChange {
    pub sheet: String,
    pub row: u32,
    /// The project's file code, or the member's name and project.
    pub subject: String,
    pub column: String,
    pub before: String,
    pub after: String,
}

/// How many rows of a sheet are new, change something, or are already in Athar as they are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportTally {
    pub new: u32,
    pub changed: u32,
    pub same: u32,
}

/// A dry run, or an import done.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub problems: Vec<ImportProblem>,
    pub changes: Vec<ImportChange>,
    pub projects: ImportTally,
    pub members: ImportTally,
    /// The fingerprint of what the import would write: the import itself is refused if the
    /// same files would now write something else (someone changed Athar since the dry run).
    pub plan: String,
    /// Whether it was written (an import with no problem).
    pub applied: bool,
}

impl ImportReport {
    /// Whether there is anything to write.
    pub fn writes(&self) -> bool {
        self.projects.new + self.projects.changed + self.members.new + self.members.changed > 0
    }
}
