//! Funded micro-projects as the field and the supervisors see them.

use super::member::Member;
use super::vocabulary::Names;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectKind {
    Individual,
    Collective,
}

impl ProjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectKind::Individual => "individual",
            ProjectKind::Collective => "collective",
        }
    }

    pub fn parse(s: &str) -> Option<ProjectKind> {
        match s {
            "individual" => Some(ProjectKind::Individual),
            "collective" => Some(ProjectKind::Collective),
            _ => None,
        }
    }
}

/// The lifecycle of a project, from preselection to operating or closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    Preselected,
    Selected,
    Contracted,
    Operating,
    Suspended,
    Withdrawn,
    Closed,
}

impl ProjectStatus {
    pub const ALL: [ProjectStatus; 7] = [
        ProjectStatus::Preselected,
        ProjectStatus::Selected,
        ProjectStatus::Contracted,
        ProjectStatus::Operating,
        ProjectStatus::Suspended,
        ProjectStatus::Withdrawn,
        ProjectStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProjectStatus::Preselected => "preselected",
            ProjectStatus::Selected => "selected",
            ProjectStatus::Contracted => "contracted",
            ProjectStatus::Operating => "operating",
            ProjectStatus::Suspended => "suspended",
            ProjectStatus::Withdrawn => "withdrawn",
            ProjectStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<ProjectStatus> {
        ProjectStatus::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Projects still being coached, for which a next visit is expected.
    /// The statuses a project may move to from this one: the programme's lifecycle, from
    /// preselection to operating, then closed (or withdrawn on the way). Withdrawn and closed
    /// are final.
    pub fn next(self) -> &'static [ProjectStatus] {
        use ProjectStatus::*;
        match self {
            Preselected => &[Selected, Withdrawn],
            Selected => &[Contracted, Withdrawn],
            Contracted => &[Operating, Suspended, Withdrawn],
            Operating => &[Suspended, Closed],
            Suspended => &[Operating, Withdrawn, Closed],
            Withdrawn | Closed => &[],
        }
    }

    pub fn is_active(self) -> bool {
        matches!(
            self,
            ProjectStatus::Contracted | ProjectStatus::Operating | ProjectStatus::Suspended
        )
    }
}

/// The legal forms a project may have (individuals are mostly sole traders or informal;
/// collectives GDA, associations, informal groups, SMSA, cooperatives).
pub const LEGAL_FORMS: [&str; 8] = [
    "sole_trader",
    "informal",
    "gda",
    "association",
    "informal_group",
    "smsa",
    "cooperative",
    "company_sse",
];

/// The entrepreneurship training a project follows.
pub const TRAINING_TRACKS: [&str; 4] = ["cefe_sse", "collective_sse", "germe", "none"];

/// The longest project title.
pub const MAX_PROJECT_TITLE_CHARS: usize = 120;

/// The arguments of `project.edit`: what the field may correct about a project (its code, value
/// chain, locality and people are the team's).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditProject {
    pub project_id: Uuid,
    /// The version the user saw: if the project changed meanwhile, the edit is refused as stale.
    pub base_version: i64,
    pub title: String,
    pub legal_form: String,
    pub training_track: String,
}

impl EditProject {
    pub fn validate(&self) -> Result<(), crate::domain::FieldError> {
        use crate::domain::FieldError;
        let title = self.title.trim();
        if title.is_empty() {
            return Err(FieldError::new("title", "required"));
        }
        if title.chars().count() > MAX_PROJECT_TITLE_CHARS {
            return Err(FieldError::new("title", "too_long"));
        }
        if !LEGAL_FORMS.contains(&self.legal_form.as_str()) {
            return Err(FieldError::new("legal_form", "other"));
        }
        if !TRAINING_TRACKS.contains(&self.training_track.as_str()) {
            return Err(FieldError::new("training_track", "other"));
        }
        Ok(())
    }
}

/// The longest project code, and the shortest.
pub const PROJECT_CODE_CHARS: std::ops::RangeInclusive<usize> = 3..=20;

/// The call waves a project may come from.
pub const CALL_WAVES: std::ops::RangeInclusive<i32> = 1..=9;

/// Where a project belongs in the programme: set when it is registered, the team's to change
/// afterwards. Sent with every project to the phones, so a project registered on one (or pulled
/// before its page was ever opened) can be listed offline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectOrigin {
    pub kind: ProjectKind,
    pub value_chain_id: Uuid,
    pub locality_id: Uuid,
    pub call_wave: i32,
}

/// The arguments of `project.create`: a facilitator registers a project in the field. It starts
/// preselected, with them as its facilitator and their incubator as its incubator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewProject {
    /// Made on the phone; the same if the registration is corrected and sent again.
    pub id: Uuid,
    /// The project's file code, as the programme gave it (unique; stored in capitals).
    pub code: String,
    pub title: String,
    pub origin: ProjectOrigin,
    pub legal_form: String,
    pub training_track: String,
}

/// A project code as stored: trimmed, in capitals.
pub fn normalise_code(code: &str) -> String {
    code.trim().to_uppercase()
}

impl NewProject {
    pub fn validate(&self) -> Result<(), crate::domain::FieldError> {
        use crate::domain::FieldError;
        let code = normalise_code(&self.code);
        if code.is_empty() {
            return Err(FieldError::new("code", "required"));
        }
        let well_formed = PROJECT_CODE_CHARS.contains(&code.chars().count())
            && code
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
            && !code.starts_with('-')
            && !code.ends_with('-');
        if !well_formed {
            return Err(FieldError::new("code", "code_format"));
        }
        if !CALL_WAVES.contains(&self.origin.call_wave) {
            return Err(FieldError::new("call_wave", "out_of_range"));
        }
        EditProject {
            project_id: self.id,
            base_version: 0,
            title: self.title.clone(),
            legal_form: self.legal_form.clone(),
            training_track: self.training_track.clone(),
        }
        .validate()
    }

    /// The project as the phone keeps it until the server has it.
    pub fn record(&self) -> ProjectRecord {
        ProjectRecord {
            id: self.id,
            code: normalise_code(&self.code),
            title: self.title.trim().to_owned(),
            version: 0,
            status: Some(ProjectStatus::Preselected),
            legal_form: self.legal_form.clone(),
            training_track: self.training_track.clone(),
            origin: Some(self.origin.clone()),
        }
    }
}

/// A project as the device keeps it for capture: enough to name it and list its members.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectRecord {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub version: i64,
    /// Missing from servers older than the status change on the phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ProjectStatus>,
    /// Missing from servers older than the project edit on the phone.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub legal_form: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub training_track: String,
    /// Missing from servers older than registering projects on the phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<ProjectOrigin>,
}

/// What a facilitator chooses from when registering a project, kept on the phone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryChoices {
    /// `(id, code, names)`.
    pub value_chains: Vec<(Uuid, String, Names)>,
    /// `(id, name, delegation)`.
    pub localities: Vec<(Uuid, String, String)>,
    /// The incubator a project registered by this user goes to (`None`: they have none, and
    /// cannot register projects).
    pub incubator: Option<(Uuid, String)>,
    /// The codes already taken, so the phone can say so before sending.
    pub codes: Vec<String>,
}

/// The arguments of `project.status`: a project moves on in its lifecycle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeProjectStatus {
    pub project_id: Uuid,
    /// The status the user saw: if it moved meanwhile, the change is refused as stale.
    pub from: ProjectStatus,
    pub to: ProjectStatus,
}

impl ChangeProjectStatus {
    pub fn validate(&self) -> Result<(), crate::domain::FieldError> {
        if self.from.next().contains(&self.to) {
            Ok(())
        } else {
            Err(crate::domain::FieldError::new("status", "not_allowed"))
        }
    }
}

/// Who the team may assign a project to: the facilitators (with their organisation) and the
/// incubators.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentChoices {
    /// `(id, name, organisation)`.
    pub facilitators: Vec<(Uuid, String, String)>,
    /// `(id, name)`.
    pub incubators: Vec<(Uuid, String)>,
    /// The funders and funding lines not archived (and the project's own): `(id, name)`.
    #[serde(default)]
    pub funders: Vec<(Uuid, String)>,
    /// The project's current facilitator, incubator and funder.
    pub facilitator: Option<Uuid>,
    pub incubator: Option<Uuid>,
    #[serde(default)]
    pub funder: Option<Uuid>,
}

/// One card of *My projects* or of a supervisor's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectCard {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub kind: ProjectKind,
    pub status: ProjectStatus,
    pub value_chain: Names,
    pub incubator: String,
    pub facilitator: String,
    pub locality: String,
    /// ISO day of the last coaching visit.
    pub last_visit_on: Option<String>,
    /// ISO day the next visit is due.
    pub next_visit_due: Option<String>,
    pub member_count: i64,
    /// The risks it runs today (`domain::risk`).
    #[serde(default)]
    pub flags: Vec<crate::domain::risk::RiskFlag>,
    /// Those flags already seen, with the note (acknowledgements still in force).
    #[serde(default)]
    pub acknowledged: Vec<crate::domain::risk::RiskAck>,
}

impl ProjectCard {
    /// Overdue when an active project's next visit is due before `today` (ISO days compare as text).
    pub fn visit_overdue(&self, today: &str) -> bool {
        self.status.is_active()
            && self
                .next_visit_due
                .as_deref()
                .is_some_and(|due| due < today)
    }
}

/// Everything the project page shows, readable offline once cached.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectDetail {
    pub card: ProjectCard,
    pub legal_form: String,
    pub call_wave: i32,
    pub training_track: String,
    pub grant_millimes: i64,
    pub disbursed_millimes: i64,
    pub contract_signed_on: Option<String>,
    /// The funder or funding line the project is under (empty when none is set).
    #[serde(default)]
    pub funder: String,
    pub visit_count: i64,
    pub members: Vec<Member>,
    #[serde(default)]
    pub tranches: Vec<crate::domain::timeline::Tranche>,
    /// Every version and review of the project's visits and entries (drafts aside), for the
    /// timeline.
    #[serde(default)]
    pub steps: Vec<crate::domain::timeline::EntryStep>,
    /// The value chain's code (`DAT`), which says which indicators apply.
    #[serde(default)]
    pub value_chain_code: String,
    /// The project's baselines and targets, by indicator.
    #[serde(default)]
    pub targets: Vec<crate::domain::indicator::progress::Target>,
}

impl ProjectDetail {
    /// The page of a project this phone holds but the server has not listed to it yet (registered
    /// here, or pulled since the list was last stored): what the phone knows, named from the
    /// choice lists it keeps. `None` for a record without its origin (from an older server).
    pub fn from_record(
        record: &ProjectRecord,
        choices: &RegistryChoices,
        facilitator: &str,
    ) -> Option<ProjectDetail> {
        let origin = record.origin.as_ref()?;
        let value_chain = choices
            .value_chains
            .iter()
            .find(|(id, _, _)| *id == origin.value_chain_id)
            .map(|(_, _, names)| names.clone())
            .unwrap_or(Names {
                fr: String::new(),
                ar: String::new(),
                en: String::new(),
            });
        let locality = choices
            .localities
            .iter()
            .find(|(id, _, _)| *id == origin.locality_id)
            .map(|(_, name, _)| name.clone())
            .unwrap_or_default();
        Some(ProjectDetail {
            card: ProjectCard {
                id: record.id,
                code: record.code.clone(),
                title: record.title.clone(),
                kind: origin.kind,
                status: record.status.unwrap_or(ProjectStatus::Preselected),
                value_chain,
                incubator: choices
                    .incubator
                    .as_ref()
                    .map(|(_, name)| name.clone())
                    .unwrap_or_default(),
                facilitator: facilitator.to_owned(),
                locality,
                last_visit_on: None,
                next_visit_due: None,
                member_count: 0,
                flags: Vec::new(),
                acknowledged: Vec::new(),
            },
            legal_form: record.legal_form.clone(),
            call_wave: origin.call_wave,
            training_track: record.training_track.clone(),
            grant_millimes: 0,
            disbursed_millimes: 0,
            contract_signed_on: None,
            funder: String::new(),
            visit_count: 0,
            members: Vec::new(),
            tranches: Vec::new(),
            steps: Vec::new(),
            targets: Vec::new(),
            value_chain_code: choices
                .value_chains
                .iter()
                .find(|(id, _, _)| *id == origin.value_chain_id)
                .map(|(_, code, _)| code.clone())
                .unwrap_or_default(),
        })
    }
}

/// Aggregates that every role may read, with small cells hidden.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgrammeSummary {
    pub projects: i64,
    pub individual: i64,
    pub collective: i64,
    pub operating: i64,
    pub members: i64,
    pub women: i64,
    /// `None` when fewer than the small-cell threshold: shown as "<5".
    pub with_disability: Option<i64>,
    /// The small-cell threshold (a setting): what "<5" says.
    pub small_cell_threshold: i64,
    pub visits_last_30_days: i64,
}

impl ProgrammeSummary {
    /// The programme in figures on `today` (ISO day): members counted as every screen counts
    /// them (`member::is_member_on`), people with a disability hidden under `threshold`, visits
    /// of the last 30 days as counted by the caller.
    pub fn count(
        projects: &[(ProjectKind, ProjectStatus)],
        members: &[crate::domain::indicator::derived::MemberFact],
        visits_last_30_days: i64,
        today: &str,
        threshold: i64,
    ) -> ProgrammeSummary {
        use crate::domain::indicator::dashboard::{Shown, people};
        let count = |keep: &dyn Fn(&(ProjectKind, ProjectStatus)) -> bool| {
            projects.iter().filter(|p| keep(p)).count() as i64
        };
        let people = people(members, today, threshold);
        ProgrammeSummary {
            projects: projects.len() as i64,
            individual: count(&|(kind, _)| *kind == ProjectKind::Individual),
            collective: count(&|(kind, _)| *kind == ProjectKind::Collective),
            operating: count(&|(_, status)| *status == ProjectStatus::Operating),
            members: people.members,
            women: people.women,
            with_disability: match people.with_disability {
                Shown::Value(n) => Some(n as i64),
                Shown::Hidden => None,
            },
            small_cell_threshold: threshold,
            visits_last_30_days,
        }
    }
}

#[cfg(test)]
mod tests;
