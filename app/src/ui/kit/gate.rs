//! Pages for the people who review what the field sends: the visits in conflict, each version
//! side by side, kept whole or merged field by field (supervisors and the team, online); and
//! the sync health of every device (the team).

use crate::domain::Role;
use crate::error::AppError;
use crate::ui::data::load_user;
use crate::ui::kit::layout::Frame;
use crate::ui::kit::panels::ErrorPanel;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

/// The frame of a review page: signed-in users of the roles it is for see its heading, intro and
/// content; anyone else is sent to sign in, or told their role may not open it.
#[component]
pub(crate) fn ReviewFrame(
    allowed: fn(Role) -> bool,
    title: &'static str,
    intro: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    let user = Resource::new(|| (), |_| load_user());
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
