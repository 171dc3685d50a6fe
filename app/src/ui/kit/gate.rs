//! Who gets a page: the frame of a page for some roles only, and the page of a capture form (the
//! signed-in user, the project and the record named in its address).

use crate::domain::Role;
use crate::error::AppError;
use crate::ui::data::load_user;
use crate::ui::data::resource;
use crate::ui::kit::layout::Frame;
use crate::ui::kit::panels::ErrorPanel;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

/// The frame of a page for some roles: signed-in users of those roles see its heading, intro and
/// content; anyone else is sent to sign in, or told their role may not open it.
#[component]
pub(crate) fn GatedFrame(
    allowed: fn(Role) -> bool,
    title: &'static str,
    intro: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    let user = resource(|| (), |_| load_user());
    view! {
        <Title text=title />
        <Suspense fallback=|| ()>
            {move || {
                let children = children.clone();
                user.get().map(move |r| match r {
                Ok(Some(user)) if allowed(user.value.role) => view! {
                    <Frame user=user.value.clone()>
                        <h1>{title}</h1>
                        <p>{intro}</p>
                        {children()}
                    </Frame>
                }.into_any(),
                Ok(None) | Err(AppError::NotSignedIn) => view! { <Redirect path="/login" /> }.into_any(),
                Ok(Some(_)) => view! { <ErrorPanel error=AppError::Forbidden /> }.into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            })}}
        </Suspense>
    }
}

/// The page of a capture form at `/projects/:id/…/:record` (or `…/new`): for the signed-in user,
/// `form` draws the form for the project and the record (`None`: a new one) named in the address,
/// under the title `title` gives (told whether a record is being edited). Without a session, the
/// sign-in page; without a project in the address, "not found".
#[component]
pub(crate) fn CapturePage<T, F, V>(
    /// The address parameter naming the record.
    record: &'static str,
    title: T,
    form: F,
) -> impl IntoView
where
    T: Fn(bool) -> String + Copy + Send + Sync + 'static,
    F: Fn(Uuid, Uuid, Option<Uuid>) -> V + Copy + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let i18n = crate::i18n::use_i18n();
    let params = use_params_map();
    let ids = move || {
        let p = params.read();
        let id = |name: &str| p.get(name).and_then(|s| Uuid::parse_str(&s).ok());
        (id("id"), id(record))
    };
    let user = resource(|| (), |_| load_user());
    view! {
        <Suspense fallback=|| ()>
            {move || user.get().map(|r| match (r, ids()) {
                (Ok(Some(user)), (Some(project), record)) => view! {
                    <Title text=move || title(record.is_some()) />
                    <Frame user=user.value.clone()>
                        {form(user.value.id, project, record)}
                    </Frame>
                }.into_any(),
                (Ok(None), _) | (Err(AppError::NotSignedIn), _) => view! { <Redirect path="/login" /> }.into_any(),
                _ => view! { <Frame><p>{crate::i18n::t_string!(i18n, not_found_body)}</p></Frame> }.into_any(),
            })}
        </Suspense>
    }
}
