//! Every screen of Athar in one table: its address, the code chunk it lives in, and who may open
//! it. The router is built from the table ([`routes`]), and each chunk's page picks its screen by
//! [`Screen`], never by reading the address again. Adding a page is a row here and a file in
//! `pages/`.

use crate::domain::Role;
use leptos::prelude::*;
use leptos_router::{
    ParamSegment, PartialPathMatch, PathSegment, PossibleRouteMatch, StaticSegment,
    any_nested_route::AnyNestedRoute,
};
use std::borrow::Cow;

/// A screen, whatever its parameters (pages read those from the router).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    Home,
    Login,
    Project,
    NewProject,
    NewVisit,
    Visit,
    NewMember,
    Member,
    NewDiagnostic,
    NewAssessment,
    Entry,
    Forms,
    Review,
    Conflicts,
    Devices,
    Settings,
    Dashboard,
    Catalogue,
    Setup,
    Code,
    Account,
    People,
    Organisations,
    Audit,
    Import,
}

/// The code chunk a screen's page lives in (`cargo leptos build --split`): what a cold start
/// downloads is the main chunk only. Chunks share a split module by who uses them together
/// (`ui::chunks`): Project and Forms the field's, Review, Team and Impact the office's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chunk {
    /// In the main WASM: the home page and sign-in.
    Main,
    /// A project's page and registering one.
    Project,
    /// The capture forms, and the team's forms page.
    Forms,
    /// The reviewer's queue and conflicts.
    Review,
    /// The team's devices and settings.
    Team,
    /// Dashboards and the indicator catalogue.
    Impact,
    /// One's own account: the first start's setup, a sign-in code, one's password.
    Account,
}

/// Who may open a screen. The server checks again in every server function; this only decides
/// what the page offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// Anyone, signed in or not.
    Open,
    /// Anyone signed in; the page itself narrows what it shows.
    SignedIn,
    /// These roles only.
    Roles(&'static [Role]),
}

impl Gate {
    pub fn allows(self, role: Role) -> bool {
        match self {
            Gate::Open | Gate::SignedIn => true,
            Gate::Roles(roles) => roles.contains(&role),
        }
    }
}

pub struct Row {
    pub screen: Screen,
    /// The address, `:name` for a parameter.
    pub path: &'static str,
    pub chunk: Chunk,
    pub gate: Gate,
}

const REVIEWERS: Gate = Gate::Roles(&[Role::Supervisor, Role::Team]);
const TEAM: Gate = Gate::Roles(&[Role::Team]);
const FIELD: Gate = Gate::Roles(&[Role::Facilitator]);

/// Every screen. Where two addresses could match one path, the first row wins: the fixed
/// `/projects/:id/visits/new` comes before `/projects/:id/visits/:visit`.
pub const SCREENS: &[Row] = &[
    row(Screen::Home, "/", Chunk::Main, Gate::SignedIn),
    row(Screen::Login, "/login", Chunk::Main, Gate::Open),
    row(
        Screen::Project,
        "/projects/:id",
        Chunk::Project,
        Gate::SignedIn,
    ),
    row(Screen::NewProject, "/new-project", Chunk::Project, FIELD),
    row(
        Screen::NewVisit,
        "/projects/:id/visits/new",
        Chunk::Forms,
        FIELD,
    ),
    row(
        Screen::Visit,
        "/projects/:id/visits/:visit",
        Chunk::Forms,
        Gate::SignedIn,
    ),
    row(
        Screen::NewMember,
        "/projects/:id/members/new",
        Chunk::Forms,
        FIELD,
    ),
    row(
        Screen::Member,
        "/projects/:id/members/:member",
        Chunk::Forms,
        Gate::SignedIn,
    ),
    row(
        Screen::NewDiagnostic,
        "/projects/:id/diagnostics/new",
        Chunk::Forms,
        FIELD,
    ),
    row(
        Screen::NewAssessment,
        "/projects/:id/assessments/new",
        Chunk::Forms,
        FIELD,
    ),
    row(
        Screen::Entry,
        "/projects/:id/entries/:entry",
        Chunk::Forms,
        Gate::SignedIn,
    ),
    row(Screen::Forms, "/forms", Chunk::Forms, TEAM),
    row(Screen::Review, "/review", Chunk::Review, REVIEWERS),
    row(Screen::Conflicts, "/conflicts", Chunk::Review, REVIEWERS),
    row(Screen::Devices, "/devices", Chunk::Team, TEAM),
    row(Screen::Settings, "/settings", Chunk::Team, TEAM),
    row(
        Screen::Dashboard,
        "/dashboard",
        Chunk::Impact,
        Gate::SignedIn,
    ),
    row(Screen::Catalogue, "/catalogue", Chunk::Impact, TEAM),
    row(Screen::Setup, "/setup", Chunk::Account, Gate::Open),
    row(Screen::Code, "/code", Chunk::Account, Gate::Open),
    row(Screen::Account, "/account", Chunk::Account, Gate::SignedIn),
    row(Screen::People, "/people", Chunk::Team, TEAM),
    row(Screen::Organisations, "/organisations", Chunk::Team, TEAM),
    row(Screen::Audit, "/audit", Chunk::Team, TEAM),
    row(Screen::Import, "/import", Chunk::Team, TEAM),
];

const fn row(screen: Screen, path: &'static str, chunk: Chunk, gate: Gate) -> Row {
    Row {
        screen,
        path,
        chunk,
        gate,
    }
}

impl Screen {
    fn row(self) -> &'static Row {
        SCREENS
            .iter()
            .find(|r| r.screen == self)
            .unwrap_or(&SCREENS[0])
    }

    pub fn gate(self) -> Gate {
        self.row().gate
    }

    /// The screen whose address matches `path` (a pathname, without query), first row first.
    pub fn at(path: &str) -> Option<Screen> {
        SCREENS
            .iter()
            .find(|r| Pattern(r.path).test(path).is_some_and(|m| m.is_complete()))
            .map(|r| r.screen)
    }

    /// The screen the router is showing.
    pub fn current() -> Option<Screen> {
        leptos_router::hooks::use_location()
            .pathname
            .with_untracked(|path| Screen::at(path))
    }
}

/// An address of the table as the router matches it: `/`-separated segments, `:name` for a
/// parameter.
#[derive(Clone, Copy, Debug)]
pub struct Pattern(pub &'static str);

impl Pattern {
    fn segments(self) -> impl Iterator<Item = Segment> {
        self.0
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| match s.strip_prefix(':') {
                Some(name) => Segment::Param(ParamSegment(name)),
                None => Segment::Static(StaticSegment(s)),
            })
    }
}

enum Segment {
    Static(StaticSegment<&'static str>),
    Param(ParamSegment),
}

impl PossibleRouteMatch for Pattern {
    fn optional(&self) -> bool {
        false
    }

    fn test<'a>(&self, path: &'a str) -> Option<PartialPathMatch<'a>> {
        let mut remaining = path;
        let mut params = Vec::new();
        let mut matched = 0;
        let mut any = false;
        for segment in self.segments() {
            any = true;
            let m = match segment {
                Segment::Static(s) => s.test(remaining)?,
                Segment::Param(p) => p.test(remaining)?,
            };
            matched += m.matched().len();
            remaining = m.remaining();
            params.extend(m.params());
        }
        if !any {
            // The root: matches "" and "/", like `path!("/")`.
            return StaticSegment("/").test(path);
        }
        Some(PartialPathMatch::new(remaining, params, &path[..matched]))
    }

    fn generate_path(&self, path: &mut Vec<PathSegment>) {
        let mut any = false;
        for segment in self.segments() {
            any = true;
            path.push(match segment {
                Segment::Static(s) => PathSegment::Static(Cow::Borrowed(s.0)),
                Segment::Param(p) => PathSegment::Param(Cow::Borrowed(p.0)),
            });
        }
        if !any {
            StaticSegment("/").generate_path(path);
        }
    }
}

/// The router's routes, one per row. Pages are awaited on the server before it answers
/// (`SsrMode::Async`), so a redirect to sign-in or a 404 is a real HTTP status.
pub fn routes() -> Vec<AnyNestedRoute> {
    SCREENS.iter().map(crate::ui::chunks::route).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_address_finds_its_screen() {
        for row in SCREENS {
            let concrete = row
                .path
                .split('/')
                .map(|s| if s.starts_with(':') { "0b6c0f8e" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            assert_eq!(Screen::at(&concrete), Some(row.screen), "{}", row.path);
        }
        assert_eq!(
            Screen::at("/projects/x/visits/new/"),
            Some(Screen::NewVisit)
        );
        assert_eq!(Screen::at("/projects/x/visits/y"), Some(Screen::Visit));
        assert_eq!(Screen::at("/projectsx"), None);
        assert_eq!(Screen::at("/nowhere"), None);
        assert_eq!(Screen::at("/projects/x/unknown/y"), None);
    }

    #[test]
    fn each_chunk_is_a_screen_of_its_own_kind() {
        assert!(Screen::Conflicts.gate().allows(Role::Supervisor));
        assert!(!Screen::Devices.gate().allows(Role::Supervisor));
        assert_eq!(Screen::Catalogue.row().chunk, Chunk::Impact);
    }
}
