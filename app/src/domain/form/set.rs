//! Every version of every form, and publishing a new one.

use super::{DefinitionError, FormDefinition};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Every version of every form a server or a phone holds. Old versions are kept: an entry is
/// always checked against the version it was made with.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FormSet {
    forms: BTreeMap<String, BTreeMap<u32, FormDefinition>>,
}

/// Why a definition was not published.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum PublishError {
    /// Errors in the definition, each located.
    Invalid { errors: Vec<DefinitionError> },
    /// Versions only go up: the latest is this one.
    NotNewer { latest: u32 },
}

/// What became of a definition the team sent to be published.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PublishOutcome {
    Published {
        id: String,
        version: u32,
    },
    /// Not the JSON of a form definition; `detail` says where it stopped making sense.
    Unreadable {
        detail: String,
    },
    Refused {
        error: PublishError,
    },
}

impl FormSet {
    /// A set holding these versions (as a database or a phone stored them, already checked when
    /// they were published).
    pub fn from_versions(forms: impl IntoIterator<Item = FormDefinition>) -> FormSet {
        let mut set = FormSet::default();
        for form in forms {
            set.forms
                .entry(form.id.clone())
                .or_default()
                .insert(form.version, form);
        }
        set
    }

    /// Every version of every form, by form and version.
    pub fn all(&self) -> impl Iterator<Item = &FormDefinition> {
        self.forms.values().flat_map(|versions| versions.values())
    }

    /// Adds a new version, after checking it; the versions before stay.
    pub fn publish(&mut self, form: FormDefinition) -> Result<(), PublishError> {
        form.check()
            .map_err(|errors| PublishError::Invalid { errors })?;
        if let Some(latest) = self.latest(&form.id)
            && latest.version >= form.version
        {
            return Err(PublishError::NotNewer {
                latest: latest.version,
            });
        }
        self.forms
            .entry(form.id.clone())
            .or_default()
            .insert(form.version, form);
        Ok(())
    }

    /// The version new entries use.
    pub fn latest(&self, id: &str) -> Option<&FormDefinition> {
        self.forms.get(id)?.values().next_back()
    }

    /// The version an entry was made with.
    pub fn version(&self, id: &str, version: u32) -> Option<&FormDefinition> {
        self.forms.get(id)?.get(&version)
    }
}
