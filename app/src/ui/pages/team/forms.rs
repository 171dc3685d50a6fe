//! `/forms`, for the team: the published forms with their versions, each exportable as its JSON
//! definition, and the import that publishes a new version. A definition with errors is refused
//! with each error located and put in words; the version in use stays.

use crate::api::list_forms;
use crate::domain::form::{
    DefinitionError, DefinitionProblem, FormDefinition, PublishError, PublishOutcome,
};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::data::resource;
use crate::ui::kit::gate::GatedFrame;
use crate::ui::kit::import::FileForm;
use crate::ui::kit::panels::ErrorPanel;
use crate::ui::routes::Screen;
use crate::ui::text::pick;
use leptos::prelude::*;

/// One error of a definition, in words: where, then what.
pub(crate) fn definition_error(
    i18n: leptos_i18n::I18nContext<Locale>,
    e: &DefinitionError,
) -> String {
    let place = if e.field.is_empty() {
        t_string!(i18n, form_level).to_string()
    } else {
        e.field.join(" › ")
    };
    let what = match &e.problem {
        DefinitionProblem::BadFormId => t_string!(i18n, def_bad_form_id).to_string(),
        DefinitionProblem::BadVersion => t_string!(i18n, def_bad_version).to_string(),
        DefinitionProblem::NoFields => t_string!(i18n, def_no_fields).to_string(),
        DefinitionProblem::MissingLabel { language } => {
            t_string!(i18n, def_missing_label, language = language.clone()).to_string()
        }
        DefinitionProblem::BadName => t_string!(i18n, def_bad_name).to_string(),
        DefinitionProblem::DuplicateName => t_string!(i18n, def_duplicate_name).to_string(),
        DefinitionProblem::NoChoices => t_string!(i18n, def_no_choices).to_string(),
        DefinitionProblem::DuplicateChoice { value } => {
            t_string!(i18n, def_duplicate_choice, value = value.clone()).to_string()
        }
        DefinitionProblem::RelevanceSyntax { detail } => {
            t_string!(i18n, def_relevance_syntax, detail = detail.clone()).to_string()
        }
        DefinitionProblem::UnknownField { name } => {
            t_string!(i18n, def_unknown_field, name = name.clone()).to_string()
        }
        DefinitionProblem::LaterField { name } => {
            t_string!(i18n, def_later_field, name = name.clone()).to_string()
        }
        DefinitionProblem::RelevanceCycle { path } => {
            t_string!(i18n, def_relevance_cycle, path = path.join(" → ")).to_string()
        }
        DefinitionProblem::InsideRepeat { name } => {
            t_string!(i18n, def_inside_repeat, name = name.clone()).to_string()
        }
        DefinitionProblem::BadPattern { detail } => {
            t_string!(i18n, def_bad_pattern, detail = detail.clone()).to_string()
        }
        DefinitionProblem::RuleNotForType => t_string!(i18n, def_rule_not_for_type).to_string(),
        DefinitionProblem::BadLimit => t_string!(i18n, def_bad_limit).to_string(),
        DefinitionProblem::MinAboveMax => t_string!(i18n, def_min_above_max).to_string(),
        DefinitionProblem::RecordNeeds { kind } => {
            t_string!(i18n, def_record_needs, kind = kind.clone()).to_string()
        }
        DefinitionProblem::ChoiceNotRecorded { value } => {
            t_string!(i18n, def_choice_not_recorded, value = value.clone()).to_string()
        }
    };
    t_string!(i18n, def_error_at, place = place, what = what).to_string()
}

/// `/forms`: the team's forms page.
#[component]
pub(crate) fn FormsPage() -> impl IntoView {
    let i18n = use_i18n();
    let forms = resource(|| (), |_| list_forms());
    view! {
        <GatedFrame
            allowed=|role| Screen::Forms.gate().allows(role)
            title=t_string!(i18n, forms_title)
            intro=t_string!(i18n, forms_intro)
        >
            {move || forms.get().map(|r| match r {
                Ok(list) => view! { <FormList forms=list /> }.into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            })}
            <PublishForm done=move || forms.refetch() />
        </GatedFrame>
    }
}

/// Each form once, at its latest version, with how many versions are kept, an export and a
/// preview at phone size.
#[component]
pub(crate) fn FormList(forms: Vec<FormDefinition>) -> impl IntoView {
    let i18n = use_i18n();
    let previewing = RwSignal::new(None::<String>);
    let locale = i18n.get_locale_untracked();
    let mut latest: Vec<(FormDefinition, usize)> = Vec::new();
    for form in forms {
        match latest.iter_mut().find(|(f, _)| f.id == form.id) {
            Some((kept, count)) => {
                *count += 1;
                if form.version > kept.version {
                    *kept = form;
                }
            }
            None => latest.push((form, 1)),
        }
    }
    view! {
        <ul class="entries forms">
            {latest.into_iter().map(|(form, count)| {
                let title = pick(&form.title, locale);
                let fields = form.all_fields().len();
                let json = serde_json::to_string_pretty(&form).unwrap_or_default();
                let id = form.id.clone();
                let open = id.clone();
                let is_open = Signal::derive(move || previewing.with(|p| p.as_deref() == Some(id.as_str())));
                let toggle = move |_| previewing.update(|p| {
                    *p = if p.as_deref() == Some(open.as_str()) { None } else { Some(open.clone()) }
                });
                let form = std::sync::Arc::new(form);
                let shown = form.clone();
                let file = format!("{}-v{}.json", form.id, form.version);
                let export = move |_| {
                    #[cfg(feature = "hydrate")]
                    crate::ui::platform::download(&file, &json);
                    #[cfg(not(feature = "hydrate"))]
                    let _ = (&file, &json);
                };
                view! {
                    <li>
                        <p class="entry-head"><strong>{title.clone()}</strong>" "<code>{form.id.clone()}</code></p>
                        <p>{t_string!(i18n, form_versions, version = form.version, count = count, fields = fields).to_string()}</p>
                        <p>
                            <button type="button" on:click=export>
                                "⇩ "{t_string!(i18n, form_export)}<span class="visually-hidden">" "{title.clone()}</span>
                            </button>
                            " "
                            <button type="button" on:click=toggle aria-expanded=move || is_open.get().to_string()>
                                {move || if is_open.get() { t_string!(i18n, form_preview_close) } else { t_string!(i18n, form_preview) }}
                                <span class="visually-hidden">" "{title}</span>
                            </button>
                        </p>
                        {move || is_open.get().then(|| view! { <Preview form=shown.clone() /> })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// Publishes a definition file and says what became of it.
#[component]
pub(crate) fn PublishForm(done: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let outcome = RwSignal::new(None::<Result<PublishOutcome, AppError>>);
    let send = move |text: String| async move {
        outcome.set(Some(crate::api::publish_form(text).await));
        done();
    };
    view! {
        <section class="import" aria-labelledby="publish-title">
            <h2 id="publish-title">{t_string!(i18n, forms_import_title)}</h2>
            <p>{t_string!(i18n, forms_import_intro)}</p>
            <FileForm id="form-file" label=t_string!(i18n, forms_import_file) button=t_string!(i18n, forms_import_button) send />
            {move || outcome.get().map(|r| match r {
                Ok(PublishOutcome::Published { id, version }) => view! {
                    <p class="notice success" role="status">
                        <span aria-hidden="true">"✓ "</span>
                        {t_string!(i18n, form_published, id = id.clone(), version = version).to_string()}
                    </p>
                }.into_any(),
                Ok(PublishOutcome::Unreadable { detail }) => view! {
                    <p class="notice error" role="alert">
                        <span aria-hidden="true">"⚠ "</span>
                        {t_string!(i18n, form_unreadable, detail = detail.clone()).to_string()}
                    </p>
                }.into_any(),
                Ok(PublishOutcome::Refused { error: PublishError::NotNewer { latest } }) => view! {
                    <p class="notice error" role="alert">
                        <span aria-hidden="true">"⚠ "</span>
                        {t_string!(i18n, form_not_newer, latest = latest).to_string()}
                    </p>
                }.into_any(),
                Ok(PublishOutcome::Refused { error: PublishError::Invalid { errors } }) => view! {
                    <div class="error-summary" role="alert">
                        <h3>{t_string!(i18n, form_refused)}</h3>
                        <ul class="definition-errors">
                            {errors.iter().map(|e| view! { <li>{definition_error(i18n, e)}</li> }).collect_view()}
                        </ul>
                    </div>
                }.into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            })}
        </section>
    }
}

/// The form as a phone draws it, at phone width, with a button that checks the answers as the
/// phone and the server would. Nothing is saved.
#[component]
pub(crate) fn Preview(form: std::sync::Arc<FormDefinition>) -> impl IntoView {
    let i18n = use_i18n();
    let answers = RwSignal::new(crate::domain::form::Answers::new());
    let errors = RwSignal::new(Vec::new());
    let checked = RwSignal::new(false);
    let today = crate::domain::dates::today_iso();
    let check = {
        let (form, today) = (form.clone(), today.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            errors.set(answers.with(|a| form.validate(a, &today)));
            checked.set(true);
        }
    };
    view! {
        <div class="phone-preview">
            <p class="hint">{t_string!(i18n, form_preview_intro)}</p>
            <form on:submit=check novalidate>
                <crate::ui::kit::form_view::FormFields form answers errors today />
                <p role="status">
                    {move || (checked.get() && errors.with(Vec::is_empty)).then(|| view! {
                        <span class="notice success">{t_string!(i18n, form_preview_ok)}</span>
                    })}
                </p>
                <button type="submit" class="primary">{t_string!(i18n, form_preview_check)}</button>
            </form>
        </div>
    }
}
