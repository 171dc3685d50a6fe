//! The pages that are WASM chunks of their own (`cargo leptos build --split`), one route type per
//! [`Chunk`]: the phone fetches a chunk on first use and the service worker keeps it, so the code
//! a cold start downloads stays small. A chunk that cannot be fetched (first visit, network gone)
//! shows a message instead of stopping the app.

use super::pages;
use super::routes::{Chunk, Pattern};
use leptos::prelude::*;
use leptos_router::any_nested_route::{AnyNestedRoute, IntoAnyNestedRoute};
use leptos_router::{Lazy, LazyRoute, NestedRoute, SsrMode};

/// The route of a chunk's screen at `path`.
pub fn route(chunk: Chunk, path: Pattern) -> AnyNestedRoute {
    fn lazy<R: LazyRoute + Send + Sync + 'static>(path: Pattern) -> AnyNestedRoute {
        NestedRoute::new(path, Lazy::<R>::new())
            .ssr_mode(SsrMode::Async)
            .into_any_nested_route()
    }
    match chunk {
        Chunk::Project => lazy::<ProjectRoute>(path),
        Chunk::Forms => lazy::<FormsRoute>(path),
        Chunk::Review => lazy::<ReviewRoute>(path),
        Chunk::Team => lazy::<TeamRoute>(path),
        Chunk::Impact => lazy::<ImpactRoute>(path),
        // The main chunk's pages are routed directly (`routes::routes`).
        Chunk::Main => NestedRoute::new(path, pages::NotFoundPage)
            .ssr_mode(SsrMode::Async)
            .into_any_nested_route(),
    }
}

#[rustfmt::skip] // rustfmt re-indents the attribute below on every run
macro_rules! lazy_page {
    ($route:ident, $chunk:ident, $preload:ident, $page:ident) => {
        pub struct $route;

        #[cfg(feature = "hydrate")]
        #[leptos::wasm_split::wasm_split(
            $chunk,
            wasm_split_path = ::leptos::wasm_split,
            fallible,
            preload($preload)
        )]
        fn $chunk() -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
            Ok(view! { <$page /> }.into_any())
        }

        #[cfg(not(feature = "hydrate"))]
        async fn $chunk() -> Result<AnyView, std::convert::Infallible> {
            #[cfg(feature = "ssr")]
            leptos::prefetch_lazy_fn_on_server(stringify!($chunk));
            Ok(view! { <$page /> }.into_any())
        }

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_: Self) -> AnyView {
                match $chunk().await {
                    Ok(page) => page,
                    Err(_) => view! { <pages::PageUnavailable /> }.into_any(),
                }
            }

            async fn preload() {
                #[cfg(feature = "hydrate")]
                let _ = $preload().await;
            }
        }
    };
}

use super::dashboard::ImpactPages;
use super::forms::FormPages;
use super::pages::ProjectPages;
use super::review::{ReviewPages, TeamPages};
lazy_page!(
    ProjectRoute,
    athar_project_page,
    preload_project_page,
    ProjectPages
);
lazy_page!(ReviewRoute, athar_review, preload_review, ReviewPages);
lazy_page!(TeamRoute, athar_devices, preload_devices, TeamPages);
lazy_page!(FormsRoute, athar_forms, preload_forms, FormPages);
lazy_page!(ImpactRoute, athar_dashboard, preload_dashboard, ImpactPages);
