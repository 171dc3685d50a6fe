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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_through_its_stored_name() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
    }
}
