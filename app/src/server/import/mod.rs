//! The programme's spreadsheet, brought in: a dry run checks every row with the rules the phone
//! and the server apply to the same records (a project's code, title, legal form and wave as
//! `NewProject::validate`; a member's answers against the member form), and says what would be
//! new and what would change; the import writes all of it in one transaction, or nothing.
//!
//! Projects are matched by file code, members by project, name and birth year, so importing the
//! same file again changes nothing. Rows are never deleted by an import.

mod read;
pub mod template;
pub mod text;

use crate::domain::form::{Answer, AnswerProblem, Answers, FormDefinition};
use crate::domain::import::{ImportChange, ImportFile, ImportProblem, ImportReport};
use crate::domain::people::{Organisation, Place, ValueChain};
use crate::domain::project::{
    LEGAL_FORMS, NewProject, ProjectOrigin, TRAINING_TRACKS, normalise_code,
};
use crate::domain::{Member, SaveMemberArgs};
use read::Table;
use std::collections::{HashMap, HashSet};
use text::{Column, MEMBER_COLUMNS, PROJECT_COLUMNS, pick};
use uuid::Uuid;

/// What the checks compare the file with: the programme as it is in Athar.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub value_chains: Vec<ValueChain>,
    pub places: Vec<Place>,
    pub organisations: Vec<Organisation>,
    pub facilitators: Vec<Facilitator>,
    pub projects: Vec<(Uuid, ProjectFields)>,
    /// `(project, member)`, with the member's private answers.
    pub members: Vec<(Uuid, Member)>,
    /// The member form's latest version.
    pub member_form: Option<FormDefinition>,
}

/// A facilitator account, as a projects row names it.
#[derive(Clone, Debug)]
pub struct Facilitator {
    pub id: Uuid,
    pub email: String,
    pub incubator: Option<Uuid>,
    pub active: bool,
}

/// What a projects row sets.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProjectFields {
    pub code: String,
    pub title: String,
    pub kind: String,
    pub value_chain: Uuid,
    pub locality: Uuid,
    pub incubator: Uuid,
    pub facilitator: Option<Uuid>,
    pub legal_form: String,
    pub training_track: String,
    pub call_wave: i32,
    pub funder: Option<Uuid>,
    pub start_date: Option<String>,
    pub grant_millimes: i64,
}

/// A project to write: `new` ones get `id`.
#[derive(Clone, Debug)]
pub struct PlannedProject {
    pub id: Uuid,
    pub new: bool,
    pub fields: ProjectFields,
}

/// A member to write, with the member form's answers it was made from.
#[derive(Clone, Debug)]
pub struct PlannedMember {
    pub project: Uuid,
    /// The project's file code (a new project's id is made anew at each run).
    pub code: String,
    pub new: bool,
    pub member: Member,
    pub answers: Answers,
}

/// What an import writes: only rows that are new or change something.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub projects: Vec<PlannedProject>,
    pub members: Vec<PlannedMember>,
    pub member_form_version: u32,
    /// The files' names, for the audit line.
    pub files: Vec<String>,
}

/// Checks the files against Athar as it is: the report in `lang`, and what an import would
/// write (empty when a problem was found).
pub fn dry_run(
    files: &[ImportFile],
    snapshot: &Snapshot,
    lang: &str,
    today: &str,
) -> (ImportReport, Plan) {
    let mut run = Run {
        snapshot,
        lang,
        today,
        report: ImportReport::default(),
        plan: Plan::default(),
        codes: HashMap::new(),
        rejected: HashSet::new(),
    };
    let mut project_tables = Vec::new();
    let mut member_tables = Vec::new();
    for file in files {
        run.plan.files.push(file.name.clone());
        let bytes = match decode(&file.data) {
            Some(b) if b.len() <= crate::domain::import::MAX_IMPORT_BYTES => b,
            Some(_) => {
                run.problem(&file.name, 0, "", "too_big");
                continue;
            }
            None => {
                run.problem(&file.name, 0, "", "unreadable");
                continue;
            }
        };
        let tables = match read::tables(&file.name, &bytes) {
            Ok(t) => t,
            Err(code) => {
                run.problem(&file.name, 0, "", code);
                continue;
            }
        };
        for table in tables {
            let keys = keys_of(&table.headers);
            if keys.contains(&Some("title")) {
                project_tables.push(table);
            } else if keys.contains(&Some("full_name")) {
                member_tables.push(table);
            }
        }
    }
    if project_tables.is_empty() && member_tables.is_empty() && run.report.problems.is_empty() {
        let name = files.first().map(|f| f.name.as_str()).unwrap_or_default();
        run.problem(name, 0, "", "no_sheet");
    }
    // Projects first: a members row may name a project the same file brings.
    for table in &project_tables {
        run.projects(table);
    }
    for table in &member_tables {
        run.members(table);
    }
    run.report.plan = fingerprint(&run.plan);
    if !run.report.problems.is_empty() {
        run.plan = Plan {
            files: run.plan.files,
            ..Plan::default()
        };
    }
    (run.report, run.plan)
}

/// The bytes of a file as the page sends them (base64, maybe a `data:` address).
fn decode(data: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let b64 = data.split_once(";base64,").map_or(data, |(_, b)| b);
    base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()
}

/// The column key of each header, in any language (a `*` marking a required one is ignored).
fn keys_of(headers: &[String]) -> Vec<Option<&'static str>> {
    headers
        .iter()
        .map(|h| {
            let h = h.trim().trim_end_matches('*').trim().to_lowercase();
            PROJECT_COLUMNS
                .iter()
                .chain(MEMBER_COLUMNS.iter())
                .find(|c| c.key == h || c.header.iter().any(|l| l.to_lowercase() == h))
                .map(|c| c.key)
        })
        .collect()
}

struct Run<'a> {
    snapshot: &'a Snapshot,
    lang: &'a str,
    today: &'a str,
    report: ImportReport,
    plan: Plan,
    /// Project codes the file brings, to their ids.
    codes: HashMap<String, Uuid>,
    /// Codes of project rows with a problem: their members rows are not told about again.
    rejected: HashSet<String>,
}

/// One row's cells by column key.
struct Row<'t> {
    number: u32,
    cells: HashMap<&'static str, (&'t str, &'t str)>,
}

impl<'t> Row<'t> {
    /// The cell's text (trimmed) and its header as in the file.
    fn get(&self, key: &str) -> (&'t str, &'t str) {
        self.cells.get(key).copied().unwrap_or(("", ""))
    }
}

impl Run<'_> {
    fn problem(&mut self, sheet: &str, row: u32, column: &str, code: &str) {
        self.report.problems.push(ImportProblem {
            sheet: sheet.to_owned(),
            row,
            column: column.to_owned(),
            message: pick(&text::message(code), self.lang).to_owned(),
        });
    }

    /// The rows of a table by key, after checking its header: unknown and missing columns are
    /// problems of row 1.
    fn rows<'t>(&mut self, table: &'t Table, columns: &[Column]) -> Option<Vec<Row<'t>>> {
        let keys = keys_of(&table.headers);
        let mut fine = true;
        for (header, key) in table.headers.iter().zip(&keys) {
            let known = key.is_some_and(|k| columns.iter().any(|c| c.key == k));
            if !known && !header.trim().is_empty() {
                self.problem(&table.sheet, 1, header, "unknown_column");
                fine = false;
            }
        }
        for c in columns.iter().filter(|c| c.required) {
            if !keys.contains(&Some(c.key)) {
                self.problem(
                    &table.sheet,
                    1,
                    pick(&c.header, self.lang),
                    "missing_column",
                );
                fine = false;
            }
        }
        if !fine {
            return None;
        }
        Some(
            table
                .rows
                .iter()
                .map(|(number, cells)| Row {
                    number: *number,
                    cells: keys
                        .iter()
                        .zip(&table.headers)
                        .zip(cells)
                        .filter_map(|((k, h), c)| k.map(|k| (k, (c.as_str(), h.as_str()))))
                        .collect(),
                })
                .collect(),
        )
    }

    fn projects(&mut self, table: &Table) {
        let Some(rows) = self.rows(table, &PROJECT_COLUMNS) else {
            return;
        };
        for row in rows {
            let before = self.report.problems.len();
            let fields = self.project_fields(&table.sheet, &row);
            if self.report.problems.len() > before {
                self.rejected.insert(normalise_code(row.get("file_code").0));
                continue;
            }
            let Some(fields) = fields else { continue };
            if self.codes.contains_key(&fields.code) {
                let (_, header) = row.get("file_code");
                self.problem(&table.sheet, row.number, header, "duplicate_row");
                continue;
            }
            let existing = self
                .snapshot
                .projects
                .iter()
                .find(|(_, f)| f.code == fields.code);
            let (id, new) = match existing {
                Some((id, old)) => {
                    let changes = self.project_changes(old, &fields);
                    if changes.is_empty() {
                        self.report.projects.same += 1;
                        self.codes.insert(fields.code.clone(), *id);
                        continue;
                    }
                    for (column, before, after) in changes {
                        self.report.changes.push(ImportChange {
                            sheet: table.sheet.clone(),
                            row: row.number,
                            subject: fields.code.clone(),
                            column,
                            before,
                            after,
                        });
                    }
                    self.report.projects.changed += 1;
                    (*id, false)
                }
                None => {
                    self.report.projects.new += 1;
                    (Uuid::new_v4(), true)
                }
            };
            self.codes.insert(fields.code.clone(), id);
            self.plan.projects.push(PlannedProject { id, new, fields });
        }
    }

    /// The fields of a projects row; each cell that cannot be taken is a problem.
    fn project_fields(&mut self, sheet: &str, row: &Row) -> Option<ProjectFields> {
        let s = self.snapshot;
        let lang = self.lang;
        let bad = |run: &mut Self, key: &str, code: &str| {
            let (_, header) = row.get(key);
            let header = if header.is_empty() {
                PROJECT_COLUMNS
                    .iter()
                    .find(|c| c.key == key)
                    .map_or(key, |c| pick(&c.header, lang))
            } else {
                header
            };
            run.problem(sheet, row.number, header, code);
        };
        let need = |run: &mut Self, key: &str| -> Option<String> {
            let (value, _) = row.get(key);
            if value.is_empty() {
                bad(run, key, "required");
                None
            } else {
                Some(value.to_owned())
            }
        };
        let code = need(self, "file_code");
        let title = need(self, "title");
        let kind = need(self, "kind").and_then(|k| {
            let kind = text::project_kind(&k);
            if kind.is_none() {
                bad(self, "kind", "unknown_value");
            }
            kind
        });
        let value_chain = need(self, "value_chain").and_then(|v| {
            let v = v.to_lowercase();
            let found = s.value_chains.iter().find(|c| {
                c.code.to_lowercase() == v
                    || [&c.names.fr, &c.names.ar, &c.names.en]
                        .iter()
                        .any(|n| n.to_lowercase() == v)
            });
            if found.is_none() {
                bad(self, "value_chain", "unknown_value");
            }
            found.map(|c| c.id)
        });
        let locality = need(self, "locality").and_then(|l| match find_place(&s.places, &l) {
            Ok(id) => Some(id),
            Err(code) => {
                bad(self, "locality", code);
                None
            }
        });
        let incubator = need(self, "incubator").and_then(|name| {
            match find_organisation(&s.organisations, "incubator", &name) {
                Some(id) => Some(id),
                None => {
                    bad(self, "incubator", "unknown_value");
                    None
                }
            }
        });
        let facilitator = match row.get("facilitator_email").0 {
            "" => Some(None),
            email => {
                let found = s
                    .facilitators
                    .iter()
                    .find(|f| f.active && f.email.eq_ignore_ascii_case(email));
                match found {
                    None => {
                        bad(self, "facilitator_email", "unknown_facilitator");
                        None
                    }
                    Some(f) if incubator.is_some() && f.incubator != incubator => {
                        bad(self, "facilitator_email", "facilitator_elsewhere");
                        None
                    }
                    Some(f) => Some(Some(f.id)),
                }
            }
        };
        let legal_form = need(self, "legal_form").and_then(|v| {
            let found = LEGAL_FORMS.iter().find(|f| f.eq_ignore_ascii_case(&v));
            if found.is_none() {
                bad(self, "legal_form", "unknown_value");
            }
            found.map(|f| (*f).to_owned())
        });
        let training_track = need(self, "training_track").and_then(|v| {
            let found = TRAINING_TRACKS.iter().find(|f| f.eq_ignore_ascii_case(&v));
            if found.is_none() {
                bad(self, "training_track", "unknown_value");
            }
            found.map(|f| (*f).to_owned())
        });
        let call_wave = need(self, "call_wave").and_then(|v| {
            let n = v.parse::<i32>().ok();
            if n.is_none() {
                bad(self, "call_wave", "not_a_number");
            }
            n
        });
        let funder = match row.get("funder").0 {
            "" => Some(None),
            name => match find_organisation(&s.organisations, "funder", name) {
                Some(id) => Some(Some(id)),
                None => {
                    bad(self, "funder", "unknown_value");
                    None
                }
            },
        };
        let start_date = match row.get("start_date").0 {
            "" => Some(None),
            day => match read_day(day) {
                Some(d) => Some(Some(d)),
                None => {
                    bad(self, "start_date", "not_a_date");
                    None
                }
            },
        };
        let grant_millimes = match row.get("grant_tnd").0 {
            "" => Some(0),
            typed => {
                let m = crate::domain::money::parse_dinars(typed)
                    .filter(|m| *m <= crate::domain::money::MAX_MILLIMES);
                if m.is_none() {
                    bad(self, "grant_tnd", "not_an_amount");
                }
                m
            }
        };
        let (code, title, kind, value_chain, locality) =
            (code?, title?, kind?, value_chain?, locality?);
        let (incubator, facilitator, legal_form, training_track, call_wave) = (
            incubator?,
            facilitator?,
            legal_form?,
            training_track?,
            call_wave?,
        );
        let (funder, start_date, grant_millimes) = (funder?, start_date?, grant_millimes?);
        // The phone's rule for a new project: code, title, legal form, training, wave.
        let checked = NewProject {
            id: Uuid::nil(),
            code: code.clone(),
            title: title.clone(),
            origin: ProjectOrigin {
                kind,
                value_chain_id: value_chain,
                locality_id: locality,
                call_wave,
            },
            legal_form: legal_form.clone(),
            training_track: training_track.clone(),
        }
        .validate();
        if let Err(e) = checked {
            let key = match e.field {
                "code" => "file_code",
                other => PROJECT_COLUMNS
                    .iter()
                    .find(|c| c.key == other)
                    .map_or("file_code", |c| c.key),
            };
            bad(self, key, e.code);
            return None;
        }
        Some(ProjectFields {
            code: normalise_code(&code),
            title: title.trim().to_owned(),
            kind: kind.as_str().to_owned(),
            value_chain,
            locality,
            incubator,
            facilitator,
            legal_form,
            training_track,
            call_wave,
            funder,
            start_date,
            grant_millimes,
        })
    }

    /// The columns a row changes in a project, as `(header, before, after)` in words.
    fn project_changes(
        &self,
        old: &ProjectFields,
        new: &ProjectFields,
    ) -> Vec<(String, String, String)> {
        let s = self.snapshot;
        let chain = |id: Uuid| {
            s.value_chains
                .iter()
                .find(|c| c.id == id)
                .map_or(String::new(), |c| c.code.clone())
        };
        let place = |id: Uuid| {
            s.places
                .iter()
                .find(|p| p.id == id)
                .map_or(String::new(), |p| p.name.clone())
        };
        let organisation = |id: Option<Uuid>| {
            id.and_then(|id| s.organisations.iter().find(|o| o.id == id))
                .map_or(String::new(), |o| o.name.clone())
        };
        let person = |id: Option<Uuid>| {
            id.and_then(|id| s.facilitators.iter().find(|f| f.id == id))
                .map_or(String::new(), |f| f.email.clone())
        };
        let money = |m: i64| crate::domain::money::typed_dinars(m);
        let pairs = [
            ("title", old.title.clone(), new.title.clone()),
            ("kind", old.kind.clone(), new.kind.clone()),
            (
                "value_chain",
                chain(old.value_chain),
                chain(new.value_chain),
            ),
            ("locality", place(old.locality), place(new.locality)),
            (
                "incubator",
                organisation(Some(old.incubator)),
                organisation(Some(new.incubator)),
            ),
            (
                "facilitator_email",
                person(old.facilitator),
                person(new.facilitator),
            ),
            ("legal_form", old.legal_form.clone(), new.legal_form.clone()),
            (
                "training_track",
                old.training_track.clone(),
                new.training_track.clone(),
            ),
            (
                "call_wave",
                old.call_wave.to_string(),
                new.call_wave.to_string(),
            ),
            ("funder", organisation(old.funder), organisation(new.funder)),
            (
                "start_date",
                old.start_date.clone().unwrap_or_default(),
                new.start_date.clone().unwrap_or_default(),
            ),
            (
                "grant_tnd",
                money(old.grant_millimes),
                money(new.grant_millimes),
            ),
        ];
        pairs
            .into_iter()
            .filter(|(_, before, after)| before != after)
            .map(|(key, before, after)| (header(&PROJECT_COLUMNS, key, self.lang), before, after))
            .collect()
    }

    fn members(&mut self, table: &Table) {
        let Some(rows) = self.rows(table, &MEMBER_COLUMNS) else {
            return;
        };
        let Some(form) = self.snapshot.member_form.clone() else {
            self.problem(&table.sheet, 0, "", "other");
            return;
        };
        self.plan.member_form_version = form.version;
        let mut seen = HashSet::new();
        for row in rows {
            let sheet = table.sheet.as_str();
            let (code, code_header) = row.get("file_code");
            let code = normalise_code(code);
            let project = if code.is_empty() {
                self.problem(
                    sheet,
                    row.number,
                    code_header_or(code_header, self.lang),
                    "required",
                );
                None
            } else {
                let known = self.codes.get(&code).copied().or_else(|| {
                    self.snapshot
                        .projects
                        .iter()
                        .find(|(_, f)| f.code == code)
                        .map(|(id, _)| *id)
                });
                if known.is_none() && !self.rejected.contains(&code) {
                    self.problem(sheet, row.number, code_header, "unknown_project");
                }
                known
            };
            let Some(answers) = self.member_answers(sheet, &row, &form) else {
                continue;
            };
            let Some(project) = project else { continue };
            let args = SaveMemberArgs {
                id: Uuid::nil(),
                project_id: project,
                base_version: None,
                form_version: form.version,
                answers: answers.clone(),
            };
            let mut member = match args.member() {
                Ok(m) => m,
                Err(e) => {
                    let h = header(&MEMBER_COLUMNS, e.field, self.lang);
                    self.problem(sheet, row.number, &h, e.code);
                    continue;
                }
            };
            let key = (project, name_key(&member.full_name), member.birth_year);
            if !seen.insert(key.clone()) {
                let (_, h) = row.get("full_name");
                self.problem(sheet, row.number, h, "duplicate_row");
                continue;
            }
            let existing = self.snapshot.members.iter().find(|(p, m)| {
                *p == project && name_key(&m.full_name) == key.1 && m.birth_year == key.2
            });
            let new = match existing {
                Some((_, old)) => {
                    member.id = old.id;
                    member.left_on.clone_from(&old.left_on);
                    let changes = member_changes(old, &member);
                    if changes.is_empty() {
                        self.report.members.same += 1;
                        continue;
                    }
                    for (key, before, after) in changes {
                        self.report.changes.push(ImportChange {
                            sheet: sheet.to_owned(),
                            row: row.number,
                            subject: format!("{} ({code})", member.full_name),
                            column: header(&MEMBER_COLUMNS, key, self.lang),
                            before,
                            after,
                        });
                    }
                    self.report.members.changed += 1;
                    false
                }
                None => {
                    member.id = Uuid::new_v4();
                    self.report.members.new += 1;
                    true
                }
            };
            self.plan.members.push(PlannedMember {
                project,
                code: code.clone(),
                new,
                member,
                answers,
            });
        }
    }

    /// A members row as the member form's answers, checked against the form as the phone and
    /// the server check it; each answer that fails is a problem of its column.
    fn member_answers(&mut self, sheet: &str, row: &Row, form: &FormDefinition) -> Option<Answers> {
        let mut answers = Answers::new();
        // Columns already told about: the form's own check would only repeat them.
        let mut told: HashSet<&str> = HashSet::new();
        let consent = match row.get("consent").0 {
            "" => false,
            typed => match text::yes_no(typed) {
                Some(c) => c,
                None => {
                    self.problem(sheet, row.number, row.get("consent").1, "unknown_value");
                    told.insert("consent");
                    false
                }
            },
        };
        for field in &form.fields {
            let name = field.name.as_str();
            if name == "consent" {
                answers.insert(name.into(), Answer::Bool(consent));
                continue;
            }
            let (typed, header) = row.get(name);
            if typed.is_empty() {
                continue;
            }
            if name.starts_with("wg_") && !consent {
                self.problem(sheet, row.number, header, "wg_without_consent");
                told.insert(name);
                continue;
            }
            let answer = match &field.kind {
                crate::domain::form::FieldKind::Integer => match typed.parse::<f64>() {
                    Ok(n) => Answer::Number(n),
                    Err(_) => {
                        self.problem(sheet, row.number, header, "not_a_number");
                        told.insert(name);
                        continue;
                    }
                },
                crate::domain::form::FieldKind::Date => match read_day(typed) {
                    Some(day) => Answer::Text(day),
                    None => {
                        self.problem(sheet, row.number, header, "not_a_date");
                        told.insert(name);
                        continue;
                    }
                },
                crate::domain::form::FieldKind::SingleChoice { choices } => {
                    // A choice by its code, or by its label in any language.
                    let t = typed.to_lowercase();
                    match choices.iter().find(|c| {
                        c.value.to_lowercase() == t
                            || [&c.label.fr, &c.label.ar, &c.label.en]
                                .iter()
                                .any(|l| l.to_lowercase() == t)
                    }) {
                        Some(c) => Answer::Text(c.value.clone()),
                        None => {
                            self.problem(sheet, row.number, header, "unknown_value");
                            told.insert(name);
                            continue;
                        }
                    }
                }
                _ if name == "phone" => Answer::Text(typed.split_whitespace().collect()),
                _ => Answer::Text(typed.to_owned()),
            };
            answers.insert(name.into(), answer);
        }
        let problems = form.validate(&answers, self.today);
        let fine = told.is_empty() && problems.is_empty();
        for e in problems {
            let field = e.field();
            if told.contains(field) {
                continue;
            }
            let h = match row.get(field).1 {
                "" => header(&MEMBER_COLUMNS, field, self.lang),
                h => h.to_owned(),
            };
            let message = match &e.problem {
                AnswerProblem::Constraint { index } => form
                    .fields
                    .iter()
                    .find(|f| f.name == field)
                    .and_then(|f| f.constraints.get(*index))
                    .map(|c| names_in(&c.message, self.lang)),
                _ => None,
            };
            let code = match &e.problem {
                AnswerProblem::Required => "required",
                AnswerProblem::WrongType => "wrong_type",
                AnswerProblem::UnknownChoice => "unknown_value",
                AnswerProblem::NotADate => "not_a_date",
                _ => "other",
            };
            match message {
                Some(message) => self.report.problems.push(ImportProblem {
                    sheet: sheet.to_owned(),
                    row: row.number,
                    column: h,
                    message,
                }),
                None => self.problem(sheet, row.number, &h, code),
            }
        }
        fine.then_some(answers)
    }
}

/// A form's text in `lang`.
fn names_in(names: &crate::domain::Names, lang: &str) -> String {
    match lang {
        "ar" => names.ar.clone(),
        "en" => names.en.clone(),
        _ => names.fr.clone(),
    }
}

fn code_header_or<'a>(header: &'a str, lang: &str) -> &'a str {
    if header.is_empty() {
        pick(&MEMBER_COLUMNS[0].header, lang)
    } else {
        header
    }
}

/// A column's header in `lang`, by key.
fn header(columns: &[Column], key: &str, lang: &str) -> String {
    columns
        .iter()
        .find(|c| c.key == key)
        .map_or(key, |c| pick(&c.header, lang))
        .to_owned()
}

/// A name as members are matched: case and spacing aside.
fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// What differs between a member in Athar and the same member in the file, by column key.
fn member_changes(old: &Member, new: &Member) -> Vec<(&'static str, String, String)> {
    let private = |m: &Member| m.private.clone().unwrap_or_default();
    let (a, b) = (private(old), private(new));
    let wg = |p: &crate::domain::MemberPrivate, i: usize| {
        p.wg.as_array()[i].map_or(String::new(), |x| x.code().to_string())
    };
    let mut changes = vec![
        ("full_name", old.full_name.clone(), new.full_name.clone()),
        ("sex", old.sex.as_str().into(), new.sex.as_str().into()),
        ("role", old.role.clone(), new.role.clone()),
        (
            "joined_on",
            old.joined_on.clone().unwrap_or_default(),
            new.joined_on.clone().unwrap_or_default(),
        ),
        ("phone", a.phone.clone(), b.phone.clone()),
        ("consent", a.consent.to_string(), b.consent.to_string()),
    ];
    for (i, name) in crate::domain::member::WG_FIELDS.iter().enumerate() {
        changes.push((name, wg(&a, i), wg(&b, i)));
    }
    changes.retain(|(_, before, after)| before != after);
    changes
}

/// A place by its name, or by `delegation / name` when several places share it.
fn find_place(places: &[Place], typed: &str) -> Result<Uuid, &'static str> {
    let typed = typed.to_lowercase();
    let (delegation, name) = match typed.split_once('/') {
        Some((d, n)) => (Some(d.trim().to_owned()), n.trim().to_owned()),
        None => (None, typed.trim().to_owned()),
    };
    let found: Vec<&Place> = places
        .iter()
        .filter(|p| p.name.to_lowercase() == name)
        .filter(|p| {
            delegation
                .as_ref()
                .is_none_or(|d| p.delegation.to_lowercase() == *d)
        })
        .collect();
    match found.as_slice() {
        [one] => Ok(one.id),
        [] => Err("unknown_value"),
        _ => Err("ambiguous"),
    }
}

/// An organisation of `kind` still in use, by its name.
fn find_organisation(all: &[Organisation], kind: &str, name: &str) -> Option<Uuid> {
    let name = name.trim().to_lowercase();
    all.iter()
        .find(|o| o.kind == kind && !o.archived && o.name.to_lowercase() == name)
        .map(|o| o.id)
}

/// A day as a spreadsheet writes it: ISO (`2026-03-15`, also from a date cell) or
/// `15/03/2026`.
fn read_day(typed: &str) -> Option<String> {
    let typed = typed.trim();
    let iso = if crate::domain::dates::is_iso_day(typed) {
        typed.to_owned()
    } else {
        let mut parts = typed.split(['/', '.', '-']);
        let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 {
            return None;
        }
        format!(
            "{y}-{:02}-{:02}",
            m.parse::<u32>().ok()?,
            d.parse::<u32>().ok()?
        )
    };
    crate::domain::dates::is_iso_day(&iso).then_some(iso)
}

/// A fingerprint of what the plan writes, without the ids made for new rows.
fn fingerprint(plan: &Plan) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for p in &plan.projects {
        hash.update(format!(
            "{:?}|{}|{:?}\n",
            p.new,
            if p.new { Uuid::nil() } else { p.id },
            p.fields
        ));
    }
    for m in &plan.members {
        let mut member = m.member.clone();
        if m.new {
            member.id = Uuid::nil();
        }
        hash.update(format!("{:?}|{}|{:?}\n", m.new, m.code, member));
    }
    hex::encode(hash.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_read_in_the_ways_a_spreadsheet_writes_them() {
        assert_eq!(read_day("2026-03-15").as_deref(), Some("2026-03-15"));
        assert_eq!(read_day("15/03/2026").as_deref(), Some("2026-03-15"));
        assert_eq!(read_day("5/3/2026").as_deref(), Some("2026-03-05"));
        assert_eq!(read_day("31/02/2026"), None);
        assert_eq!(read_day("03/15/26"), None);
        assert_eq!(read_day("demain"), None);
    }

    #[test]
    fn headers_are_known_in_each_language_and_by_key() {
        let headers = [
            "Code du dossier *",
            "عنوان المشروع",
            "grant_tnd",
            "Remarques",
        ]
        .map(String::from);
        assert_eq!(
            keys_of(&headers),
            [Some("file_code"), Some("title"), Some("grant_tnd"), None]
        );
    }
}
