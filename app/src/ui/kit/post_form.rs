//! A form that calls a server function, and still posts when the WASM has not started.

use leptos::prelude::*;
use leptos::server_fn::codec::PostUrl;
use leptos::server_fn::{Http, ServerFn};

/// Reads a field of the submitted form by its `name` (empty if the form has none).
pub type Field<'a> = &'a dyn Fn(&str) -> String;

/// A `<form method="post">` to the server function `S`: before the WASM has started, the browser
/// posts it and follows the server's redirect; once it has, submitting calls `S` with what `read`
/// makes of the form's fields, and the page stays.
///
/// Leptos' `ActionForm` does the same by decoding the fields as a query string into `S`; that
/// decoder (`serde_qs`) is then in the WASM of every page with such a form, the main module
/// included. Here each form names its fields.
#[component]
pub fn PostForm<S, O>(
    action: ServerAction<S>,
    read: fn(Field) -> S,
    #[prop(optional)] class: Option<&'static str>,
    children: Children,
) -> impl IntoView
where
    S: ServerFn<Protocol = Http<PostUrl, O>> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    let submit = move |ev: leptos::ev::SubmitEvent| {
        if ev.default_prevented() {
            return;
        }
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let form = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok());
            if let Some(data) = form.and_then(|f| web_sys::FormData::new_with_form(&f).ok()) {
                let field = |name: &str| data.get(name).as_string().unwrap_or_default();
                action.dispatch(read(&field));
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (action, read);
    };
    view! {
        <form method="post" action=S::url() class=class on:submit=submit>
            {children()}
        </form>
    }
}
