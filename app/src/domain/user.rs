//! Who is using Athar and with which role.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The four roles of the programme. The server derives every permission from the role and the
/// user's assignments; the browser only uses the role to choose which home page to draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Records visits, members and values for the projects assigned to them; offline most of the day.
    Facilitator,
    /// Reviews the projects of the incubators assigned to them.
    Supervisor,
    /// Programme and M&E team: sees and manages everything.
    Team,
    /// Committee members: read-only aggregates.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Facilitator,
        Role::Supervisor,
        Role::Team,
        Role::Viewer,
    ];

    /// The stable name stored in the database and accepted on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Facilitator => "facilitator",
            Role::Supervisor => "supervisor",
            Role::Team => "team",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Field roles work offline for days, so their sessions live long and renew on use.
    pub fn is_field_role(self) -> bool {
        matches!(self, Role::Facilitator | Role::Supervisor)
    }
}

/// The signed-in user as the pages see it. Holds nothing secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// A demo account: every page says the data is for practice only.
    #[serde(default)]
    pub demo: bool,
}

/// The shortest password Athar accepts.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest (hashing a megabyte of "password" is work for nothing).
pub const MAX_PASSWORD_CHARS: usize = 200;
/// The longest name of a person.
pub const MAX_NAME_CHARS: usize = 100;

/// Passwords of twelve characters or more that leaked-password lists put first, and words no
/// password of this programme should rest on. Compared without case or spaces.
const COMMON_PASSWORDS: &[&str] = &[
    "123456789012",
    "1234567890123",
    "12345678901234",
    "123456789123",
    "123123123123",
    "111111111111",
    "000000000000",
    "123456789abc",
    "1q2w3e4r5t6y",
    "qwertyuiop12",
    "qwertyuiopas",
    "qwerty123456",
    "123456qwerty",
    "azertyuiop12",
    "azertyuiopqs",
    "azerty123456",
    "123456azerty",
    "abcdefghijkl",
    "abcdef123456",
    "abc123456789",
    "password1234",
    "password123456",
    "passwordpassword",
    "motdepasse12",
    "motdepasse123",
    "motdepasse1234",
    "iloveyou1234",
    "administrator",
    "administrateur",
    "changeme1234",
    "welcome12345",
    "bienvenue123",
    "bienvenue1234",
    "tunisie12345",
    "tunisia12345",
    "kebili123456",
    "athar1234567",
    "athar2026athar",
];

/// What a new password must be: long enough, not one that lists of leaked passwords start with,
/// not one character repeated, not the email address.
pub fn check_new_password(password: &str, email: &str) -> Result<(), super::FieldError> {
    use super::FieldError;
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(FieldError::new("password", "too_short"));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(FieldError::new("password", "too_long"));
    }
    let plain: String = password
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    let mut distinct: Vec<char> = plain.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    let email = email.trim().to_lowercase();
    let local = email.split('@').next().unwrap_or_default();
    if COMMON_PASSWORDS.contains(&plain.as_str())
        || distinct.len() < 4
        || plain == email
        || (local.chars().count() >= 4 && plain.contains(local))
    {
        return Err(FieldError::new("password", "too_common"));
    }
    Ok(())
}

/// A person's name and email as an account holds them: trimmed, the email in lower case.
pub fn check_person(name: &str, email: &str) -> Result<(String, String), super::FieldError> {
    use super::FieldError;
    let name = name.trim();
    if name.is_empty() {
        return Err(FieldError::new("name", "required"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(FieldError::new("name", "too_long"));
    }
    let email = email.trim().to_lowercase();
    if email.is_empty() {
        return Err(FieldError::new("email", "required"));
    }
    let (user, host) = email.split_once('@').unwrap_or_default();
    if user.is_empty()
        || !host.contains('.')
        || host.starts_with('.')
        || host.ends_with('.')
        || email.chars().any(|c| c.is_whitespace() || c.is_control())
        || email.len() > 254
    {
        return Err(FieldError::new("email", "not_an_email"));
    }
    Ok((name.to_owned(), email))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_password_is_long_uncommon_and_not_the_email() {
        let check = |p: &str| check_new_password(p, "amal.benali@example.tn").map_err(|e| e.code);
        assert_eq!(check("court"), Err("too_short"));
        assert_eq!(check("onze carac."), Err("too_short"));
        assert_eq!(check("Password1234"), Err("too_common"));
        assert_eq!(check("AZERTY 123456"), Err("too_common"));
        assert_eq!(check("aaaaaaaaaaaaaaa"), Err("too_common"));
        assert_eq!(check("abababababab"), Err("too_common"));
        assert_eq!(check("amal.benali@example.tn"), Err("too_common"));
        assert_eq!(check("xamal.benali2026"), Err("too_common"));
        assert_eq!(check(&"x1".repeat(101)), Err("too_long"));
        assert_eq!(check("palmiers de Douz 2026"), Ok(()));
        assert_eq!(check("تمور دقلة نور ٢٠٢٦"), Ok(()));
    }

    #[test]
    fn a_person_needs_a_name_and_an_email_address() {
        assert_eq!(
            check_person("  Amal Ben Ali ", " Amal@Example.TN "),
            Ok(("Amal Ben Ali".into(), "amal@example.tn".into()))
        );
        assert_eq!(
            check_person(" ", "a@b.tn").map_err(|e| e.code),
            Err("required")
        );
        for bad in [
            "amal",
            "amal@",
            "@example.tn",
            "amal@localhost",
            "a b@example.tn",
            "a@.tn",
        ] {
            assert_eq!(
                check_person("Amal", bad).map_err(|e| (e.field, e.code)),
                Err(("email", "not_an_email")),
                "{bad}"
            );
        }
    }

    #[test]
    fn every_role_round_trips_through_its_stored_name() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
    }
}
