//! The programme's people and organisations as the team manages them: accounts with a role and a
//! scope, the organisations they belong to, and the rules an account must meet.

use super::FieldError;
use super::user::{Role, check_person};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What an organisation is to the programme.
pub const ORGANISATION_KINDS: [&str; 5] = [
    "incubator",
    "public_structure",
    "technical_support",
    "funder",
    "lead_ngo",
];

/// An account as the *People* page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub organisation: Option<Uuid>,
    /// A supervisor's incubators.
    pub incubators: Vec<Uuid>,
    pub active: bool,
    /// RFC 3339, UTC.
    pub last_sign_in: Option<String>,
    /// The latest sync of any of their devices, RFC 3339.
    pub last_sync: Option<String>,
    /// The projects they coach (a facilitator).
    pub projects: i64,
    /// Those projects, `(id, "code · title")`, by code: the team may move some of them.
    #[serde(default)]
    pub coached: Vec<(Uuid, String)>,
}

/// An organisation as the team's pages list it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: Uuid,
    /// One of [`ORGANISATION_KINDS`].
    pub kind: String,
    pub name: String,
    pub locality: Option<Uuid>,
    pub archived: bool,
}

/// A person as the team creates or edits them: who, the role, and the scope that goes with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonForm {
    /// `None` for a new account.
    pub id: Option<Uuid>,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// For a facilitator, their incubator; for others, where they work (optional).
    pub organisation: Option<Uuid>,
    /// For a supervisor, the incubators they cover (at least one); ignored otherwise.
    pub incubators: Vec<Uuid>,
}

/// A person the rules accept: the name and email trimmed, the scope fitting the role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedPerson {
    pub id: Option<Uuid>,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub organisation: Option<Uuid>,
    pub incubators: Vec<Uuid>,
}

impl PersonForm {
    /// Checks the form against the organisations that exist: a facilitator belongs to one
    /// incubator, a supervisor covers at least one, an organisation is one that is not archived.
    pub fn check(&self, organisations: &[Organisation]) -> Result<CheckedPerson, FieldError> {
        let (name, email) = check_person(&self.name, &self.email)?;
        let live = |id: &Uuid| organisations.iter().find(|o| o.id == *id && !o.archived);
        let incubator = |id: &Uuid| live(id).is_some_and(|o| o.kind == "incubator");
        if let Some(org) = &self.organisation
            && live(org).is_none()
        {
            return Err(FieldError::new("organisation", "unknown"));
        }
        let mut incubators = Vec::new();
        match self.role {
            Role::Facilitator => {
                if !self.organisation.as_ref().is_some_and(incubator) {
                    return Err(FieldError::new("organisation", "incubator_required"));
                }
            }
            Role::Supervisor => {
                for id in &self.incubators {
                    if !incubator(id) {
                        return Err(FieldError::new("incubators", "unknown"));
                    }
                    if !incubators.contains(id) {
                        incubators.push(*id);
                    }
                }
                if incubators.is_empty() {
                    return Err(FieldError::new("incubators", "incubator_required"));
                }
            }
            Role::Team | Role::Viewer => {}
        }
        Ok(CheckedPerson {
            id: self.id,
            name,
            email,
            role: self.role,
            organisation: self.organisation,
            incubators,
        })
    }
}

/// A locality projects and organisations are in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    pub id: Uuid,
    pub governorate: String,
    pub delegation: String,
    pub name: String,
}

/// A value chain, named in the three languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueChain {
    pub id: Uuid,
    /// Short and stable (`DAT`, `PAL`): project file codes and exports use it.
    pub code: String,
    pub names: super::Names,
}

/// The longest name of an organisation, a place or a value chain.
pub const MAX_LABEL_CHARS: usize = 120;

fn label(field: &'static str, value: &str) -> Result<String, FieldError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(FieldError::new(field, "required"));
    }
    if value.chars().count() > MAX_LABEL_CHARS {
        return Err(FieldError::new(field, "too_long"));
    }
    Ok(value.to_owned())
}

impl Organisation {
    /// An organisation the rules accept: a known kind, a name, a place that exists.
    pub fn check(&self, places: &[Place]) -> Result<Organisation, FieldError> {
        if !ORGANISATION_KINDS.contains(&self.kind.as_str()) {
            return Err(FieldError::new("kind", "unknown"));
        }
        if let Some(place) = self.locality
            && !places.iter().any(|p| p.id == place)
        {
            return Err(FieldError::new("locality", "unknown"));
        }
        Ok(Organisation {
            name: label("name", &self.name)?,
            ..self.clone()
        })
    }
}

impl Place {
    pub fn check(&self) -> Result<Place, FieldError> {
        Ok(Place {
            id: self.id,
            governorate: label("governorate", &self.governorate)?,
            delegation: label("delegation", &self.delegation)?,
            name: label("name", &self.name)?,
        })
    }
}

impl ValueChain {
    /// A code of 2 to 8 capital letters or digits, and a name in each language.
    pub fn check(&self) -> Result<ValueChain, FieldError> {
        let code = self.code.trim().to_uppercase();
        if !(2..=8).contains(&code.len())
            || !code
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            return Err(FieldError::new("code", "code_format"));
        }
        Ok(ValueChain {
            id: self.id,
            code,
            names: super::Names {
                fr: label("name_fr", &self.names.fr)?,
                ar: label("name_ar", &self.names.ar)?,
                en: label("name_en", &self.names.en)?,
            },
        })
    }
}

/// A sign-in code to hand to a person: as text to read out, and as the link a QR code carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInCode {
    pub person: String,
    /// `XXXX-XXXX-XXXX-XXXX`.
    pub code: String,
    /// The address that opens it (`/code?c=…`).
    pub link: String,
    /// The link as a QR code, SVG.
    pub qr_svg: String,
    /// RFC 3339, UTC.
    pub expires_at: String,
}

/// The length of a sign-in code without its dashes: 16 characters of an alphabet of 32, 80 bits.
pub const SIGN_IN_CODE_CHARS: usize = 16;
/// The alphabet of sign-in codes: no 0/O, 1/I/L, U (Crockford's base 32), easy to read out.
pub const SIGN_IN_CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A sign-in code as typed (spaces, dashes, lower case, O for 0, I or L for 1) in its one form.
pub fn normalise_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

/// A code in groups of four, to read out.
pub fn group_code(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(kind: &str, archived: bool) -> Organisation {
        Organisation {
            id: Uuid::new_v4(),
            kind: kind.into(),
            name: "Pépinière de Kébili".into(),
            locality: None,
            archived,
        }
    }

    fn form(role: Role, organisation: Option<Uuid>, incubators: Vec<Uuid>) -> PersonForm {
        PersonForm {
            id: None,
            name: " Amal Ben Ali ".into(),
            email: "Amal@Example.TN".into(),
            role,
            organisation,
            incubators,
        }
    }

    #[test]
    fn a_facilitator_belongs_to_an_incubator_and_a_supervisor_covers_one_at_least() {
        let incubator = org("incubator", false);
        let closed = org("incubator", true);
        let funder = org("funder", false);
        let all = [incubator.clone(), closed.clone(), funder.clone()];
        let code = |f: PersonForm| f.check(&all).map(|_| ()).map_err(|e| (e.field, e.code));
        assert_eq!(
            code(form(Role::Facilitator, None, vec![])),
            Err(("organisation", "incubator_required"))
        );
        assert_eq!(
            code(form(Role::Facilitator, Some(funder.id), vec![])),
            Err(("organisation", "incubator_required"))
        );
        assert_eq!(
            code(form(Role::Facilitator, Some(closed.id), vec![])),
            Err(("organisation", "unknown"))
        );
        assert_eq!(
            code(form(Role::Facilitator, Some(incubator.id), vec![])),
            Ok(())
        );
        assert_eq!(
            code(form(Role::Supervisor, None, vec![])),
            Err(("incubators", "incubator_required"))
        );
        assert_eq!(
            code(form(Role::Supervisor, None, vec![funder.id])),
            Err(("incubators", "unknown"))
        );
        let checked = form(
            Role::Supervisor,
            Some(funder.id),
            vec![incubator.id, incubator.id],
        )
        .check(&all)
        .expect("a supervisor");
        assert_eq!(checked.incubators, vec![incubator.id], "once each");
        assert_eq!(checked.email, "amal@example.tn");
        assert_eq!(checked.name, "Amal Ben Ali");
        assert_eq!(code(form(Role::Team, None, vec![])), Ok(()));
    }

    #[test]
    fn organisations_places_and_value_chains_are_named_and_coded() {
        let place = Place {
            id: Uuid::new_v4(),
            governorate: "Kébili".into(),
            delegation: " Douz Nord ".into(),
            name: "El Golâa".into(),
        };
        assert_eq!(place.check().map(|p| p.delegation), Ok("Douz Nord".into()));
        let unnamed = Place {
            name: " ".into(),
            ..place.clone()
        };
        assert_eq!(unnamed.check().map_err(|e| e.field), Err("name"));
        let mut o = org("incubator", false);
        o.locality = Some(place.id);
        assert!(o.check(std::slice::from_ref(&place)).is_ok());
        assert_eq!(o.check(&[]).map_err(|e| e.field), Err("locality"));
        assert_eq!(
            org("bank", false).check(&[]).map_err(|e| e.field),
            Err("kind")
        );
        let chain = ValueChain {
            id: Uuid::new_v4(),
            code: " dat ".into(),
            names: crate::domain::Names {
                fr: "Dattes".into(),
                ar: "التمور".into(),
                en: "Dates".into(),
            },
        };
        assert_eq!(chain.check().map(|c| c.code), Ok("DAT".into()));
        for bad in ["D", "DATTES-BIO", "dé"] {
            let c = ValueChain {
                code: bad.into(),
                ..chain.clone()
            };
            assert_eq!(c.check().map_err(|e| e.code), Err("code_format"), "{bad}");
        }
    }

    #[test]
    fn a_code_reads_back_however_it_is_typed() {
        assert_eq!(normalise_code(" k7o2-il9z 0000-abcd "), "K702119Z0000ABCD");
        assert_eq!(group_code("ABCDEFGHJKMNPQRS"), "ABCD-EFGH-JKMN-PQRS");
        assert_eq!(
            normalise_code(&group_code("ABCDEFGHJKMNPQRS")),
            "ABCDEFGHJKMNPQRS"
        );
    }
}
