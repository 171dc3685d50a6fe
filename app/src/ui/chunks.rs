//! The pages that are WASM chunks of their own (`cargo leptos build --split`), one route type per
//! [`Chunk`]: the phone fetches a chunk on first use and the service worker keeps it, so the code
//! a cold start downloads stays small. A chunk that cannot be fetched (first visit, network gone)
//! shows a message instead of stopping the app.

use crate::ui::routes::Chunk;
use crate::ui::routes::{Pattern, Row};
use leptos::prelude::*;
use leptos_router::any_nested_route::{AnyNestedRoute, IntoAnyNestedRoute};
use leptos_router::{Lazy, LazyRoute, NestedRoute, SsrMode};

/// The route of a row of the table: the main chunk's pages directly, the others through their
/// chunk.
pub fn route(row: &Row) -> AnyNestedRoute {
    fn direct<V: IntoView + 'static>(path: Pattern, page: fn() -> V) -> AnyNestedRoute {
        NestedRoute::new(path, page)
            .ssr_mode(SsrMode::Async)
            .into_any_nested_route()
    }
    fn lazy<R: LazyRoute + Send + Sync + 'static>(path: Pattern) -> AnyNestedRoute {
        NestedRoute::new(path, Lazy::<R>::new())
            .ssr_mode(SsrMode::Async)
            .into_any_nested_route()
    }
    let path = Pattern(row.path);
    match row.chunk {
        Chunk::Main if row.screen == Screen::Login => {
            direct(path, crate::ui::pages::login::LoginPage)
        }
        Chunk::Main => direct(path, crate::ui::pages::home::HomePage),
        Chunk::Project => lazy::<ProjectRoute>(path),
        Chunk::Forms => lazy::<FormsRoute>(path),
        Chunk::Review => lazy::<ReviewRoute>(path),
        Chunk::Team => lazy::<TeamRoute>(path),
        Chunk::Impact => lazy::<ImpactRoute>(path),
        Chunk::Account => lazy::<AccountRoute>(path),
    }
}

#[rustfmt::skip] // rustfmt re-indents the attribute below on every run
macro_rules! lazy_page {
    ($route:ident, $module:ident, $load:ident, $preload:ident, $page:ident) => {
        pub struct $route;

        #[cfg(feature = "hydrate")]
        #[leptos::wasm_split::wasm_split(
            $module,
            wasm_split_path = ::leptos::wasm_split,
            fallible,
            preload($preload)
        )]
        fn $load() -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
            Ok(view! { <$page /> }.into_any())
        }

        #[cfg(not(feature = "hydrate"))]
        async fn $load() -> Result<AnyView, std::convert::Infallible> {
            #[cfg(feature = "ssr")]
            leptos::prefetch_lazy_fn_on_server(stringify!($module));
            Ok(view! { <$page /> }.into_any())
        }

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_: Self) -> AnyView {
                match $load().await {
                    Ok(page) => page,
                    Err(_) => view! { <PageUnavailable /> }.into_any(),
                }
            }

            async fn preload() {
                #[cfg(feature = "hydrate")]
                let _ = $preload().await;
            }
        }
    };
}

// Three split modules for the pages, by who uses them together: the field's (a project and the
// forms filled from it), the office's (review, the team's pages, dashboards), and one's account
// (reached from an invitation before anything else). `wasm_split` writes one file per set of
// modules that share code, and the sync engine's module (every signed-in page fetches it as it
// starts) shares code with each: with six page modules it took 32 files, fetched in one task of
// 58 ms on a fast machine; with three it takes 7.
lazy_page!(
    ProjectRoute,
    athar_field,
    load_project_pages,
    preload_project_pages,
    ProjectPages
);
lazy_page!(
    FormsRoute,
    athar_field,
    load_form_pages,
    preload_form_pages,
    FormPages
);
lazy_page!(
    ReviewRoute,
    athar_office,
    load_review_pages,
    preload_review_pages,
    ReviewPages
);
lazy_page!(
    TeamRoute,
    athar_office,
    load_team_pages,
    preload_team_pages,
    TeamPages
);
lazy_page!(
    ImpactRoute,
    athar_office,
    load_impact_pages,
    preload_impact_pages,
    ImpactPages
);
lazy_page!(
    AccountRoute,
    athar_account,
    load_account_pages,
    preload_account_pages,
    AccountPages
);

use crate::ui::kit::panels::{NotFoundPage, PageUnavailable};
use crate::ui::pages::impact::DashboardPage;
use crate::ui::pages::project::ProjectPage;
use crate::ui::pages::review::ConflictsPage;
use crate::ui::pages::team::DevicesPage;
use crate::ui::pages::team::forms::FormsPage;
use crate::ui::routes::Screen;

/// The project page and the registration of a new project share a code chunk.
#[component]
pub fn ProjectPages() -> impl IntoView {
    match crate::ui::routes::Screen::current() {
        Some(Screen::NewProject) => {
            view! { <crate::ui::pages::project::registration::NewProjectPage /> }.into_any()
        }
        Some(Screen::Project) => view! { <ProjectPage /> }.into_any(),
        _ => view! { <NotFoundPage /> }.into_any(),
    }
}

/// `/review` and `/conflicts`: the reviewer's two pages share one code chunk (and the field
/// helpers above), chosen by the address.
#[component]
pub fn ReviewPages() -> impl IntoView {
    match crate::ui::routes::Screen::current() {
        Some(Screen::Conflicts) => view! { <ConflictsPage /> }.into_any(),
        Some(Screen::Review) => {
            view! { <crate::ui::pages::review::queue::ReviewQueuePage /> }.into_any()
        }
        _ => view! { <crate::ui::kit::panels::NotFoundPage /> }.into_any(),
    }
}

/// `/devices` and `/settings`: the team's pages share one code chunk, chosen by the address.
#[component]
pub fn TeamPages() -> impl IntoView {
    match crate::ui::routes::Screen::current() {
        Some(Screen::Settings) => {
            view! { <crate::ui::pages::team::settings::SettingsPage /> }.into_any()
        }
        Some(Screen::Devices) => view! { <DevicesPage /> }.into_any(),
        Some(Screen::People) => view! { <crate::ui::pages::team::people::PeoplePage /> }.into_any(),
        Some(Screen::Audit) => view! { <crate::ui::pages::team::audit::AuditPage /> }.into_any(),
        Some(Screen::Import) => view! { <crate::ui::pages::team::import::ImportPage /> }.into_any(),
        Some(Screen::Organisations) => {
            view! { <crate::ui::pages::team::setting::SettingPage /> }.into_any()
        }
        _ => view! { <crate::ui::kit::panels::NotFoundPage /> }.into_any(),
    }
}

/// The screens drawn from form definitions share one code chunk (and the form renderer): the
/// team's `/forms`, and on the phone the visit form, the member form, diagnostics and
/// self-assessments.
#[component]
pub fn FormPages() -> impl IntoView {
    match crate::ui::routes::Screen::current() {
        Some(Screen::Forms) => view! { <FormsPage /> }.into_any(),
        Some(Screen::NewVisit | Screen::Visit) => {
            view! { <crate::ui::pages::visits::VisitFormPage /> }.into_any()
        }
        Some(Screen::NewDiagnostic | Screen::NewAssessment | Screen::Entry) => {
            view! { <crate::ui::pages::entries::EntryFormPage /> }.into_any()
        }
        Some(Screen::NewMember | Screen::Member) => {
            view! { <crate::ui::pages::members::MemberFormPage /> }.into_any()
        }
        _ => view! { <crate::ui::kit::panels::NotFoundPage /> }.into_any(),
    }
}

/// `/dashboard` and the team's `/catalogue` share one code chunk, chosen by the address.
#[component]
pub fn ImpactPages() -> impl IntoView {
    match crate::ui::routes::Screen::current() {
        Some(Screen::Catalogue) => {
            view! { <crate::ui::pages::impact::catalogue::CataloguePage /> }.into_any()
        }
        Some(Screen::Dashboard) => view! { <DashboardPage /> }.into_any(),
        _ => view! { <crate::ui::kit::panels::NotFoundPage /> }.into_any(),
    }
}

/// One's own account: the pages reached from a link before signing in, and `/account`.
#[component]
pub fn AccountPages() -> impl IntoView {
    match crate::ui::routes::Screen::current() {
        Some(Screen::Setup) => view! { <crate::ui::pages::account::SetupPage /> }.into_any(),
        Some(Screen::Code) => view! { <crate::ui::pages::account::CodePage /> }.into_any(),
        Some(Screen::Account) => view! { <crate::ui::pages::account::AccountPage /> }.into_any(),
        _ => view! { <crate::ui::kit::panels::NotFoundPage /> }.into_any(),
    }
}
