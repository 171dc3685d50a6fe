//! The indicator catalogue: export, import of new versions checked as a whole, and the editor of one definition.

use crate::api::{list_indicators, list_value_chains, publish_indicators};
use crate::domain::Names;
use crate::domain::indicator::admin::{AGGREGATIONS, CataloguePublish, DefinitionEdit};
use crate::domain::indicator::{
    CatalogueError, CatalogueProblem, Direction, Frequency, IndicatorDefinition,
};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::data::resource;
use crate::ui::kit::import::FileForm;
use crate::ui::kit::panels::ErrorPanel;
use crate::ui::pages::impact::catalogue::field_error_line;
use crate::ui::text::pick;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

pub(crate) fn catalogue_error(i18n: I18nContext<Locale>, e: &CatalogueError) -> String {
    let what = match &e.problem {
        CatalogueProblem::BadCode => t_string!(i18n, cat_bad_code).to_string(),
        CatalogueProblem::DuplicateCode => t_string!(i18n, cat_duplicate_code).to_string(),
        CatalogueProblem::MissingText(lang) => {
            t_string!(i18n, cat_missing_text, lang = lang.clone()).to_string()
        }
        CatalogueProblem::UnknownIndicator(code) => {
            t_string!(i18n, cat_unknown_indicator, code = code.clone()).to_string()
        }
        CatalogueProblem::BadFormula(detail) => {
            t_string!(i18n, cat_bad_formula, detail = detail.clone()).to_string()
        }
        CatalogueProblem::Cycle(path) => {
            t_string!(i18n, cat_cycle, path = path.join(" → ")).to_string()
        }
        CatalogueProblem::UnknownValueChain(code) => {
            t_string!(i18n, cat_unknown_chain, code = code.clone()).to_string()
        }
    };
    format!("{} · {} : {what}", e.indicator, e.field)
}

#[component]
pub(crate) fn CatalogueSection() -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let catalogue = resource(|| (), |_| list_indicators());
    let chains = resource(|| (), |_| list_value_chains());
    let outcome = RwSignal::new(None::<Result<CataloguePublish, AppError>>);
    // Kept outside the list, which is drawn again once a version is published.
    let edited = RwSignal::new(None::<Result<CataloguePublish, AppError>>);
    let send = move |text: String| async move {
        let result = publish_indicators(text).await;
        if matches!(result, Ok(CataloguePublish::Published { .. })) {
            catalogue.refetch();
        }
        outcome.set(Some(result));
    };
    view! {
        <section aria-labelledby="catalogue-title">
            <h2 id="catalogue-title">{t_string!(i18n, cat_catalogue_title)}</h2>
            <p>{t_string!(i18n, cat_catalogue_intro)}</p>
            <Suspense fallback=|| ()>
                {move || catalogue.get().map(|r| match r {
                    Ok(list) => view! {
                        <div class="table-scroll" tabindex="0" role="region" aria-label=t_string!(i18n, cat_catalogue_table)>
                        <table class="catalogue">
                            <thead><tr>
                                <th scope="col">{t_string!(i18n, ind_indicator)}</th>
                                <th scope="col">{t_string!(i18n, cat_version)}</th>
                                <th scope="col">{t_string!(i18n, cat_unit)}</th>
                            </tr></thead>
                            <tbody>
                                {list.iter().map(|d| view! {
                                    <tr>
                                        <th scope="row">{d.code.clone()}" · "{pick(&d.name, locale)}</th>
                                        <td>{d.version}</td>
                                        <td>{d.unit.clone()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        </div>
                        {move || chains.get().map(|c| {
                            let chains = c.unwrap_or_default();
                            view! { <DefinitionEditor list=list.clone() chains outcome=edited published=move || catalogue.refetch() /> }
                        })}
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                })}
            </Suspense>
            <PublishResult outcome=edited />
            <h3>{t_string!(i18n, cat_import_title)}</h3>
            <p><a href="/exports/catalogue.json" download>{t_string!(i18n, cat_export)}</a></p>
            <FileForm id="catalogue-file" label=t_string!(i18n, cat_import_file) button=t_string!(i18n, cat_import_button) send />
            <PublishResult outcome />
        </section>
    }
}

/// What became of a publication: the versions now in use, or why nothing was published.
#[component]
pub(crate) fn PublishResult(
    outcome: RwSignal<Option<Result<CataloguePublish, AppError>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        outcome.get().map(|r| match r {
            Ok(CataloguePublish::Published { versions }) => {
                let list = versions
                    .iter()
                    .map(|(c, v)| format!("{c} v{v}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                view! {
                    <p class="notice success" role="status"><span aria-hidden="true">"✓ "</span>
                        {t_string!(i18n, cat_published, list = list).to_string()}</p>
                }
                .into_any()
            }
            Ok(CataloguePublish::Unreadable { detail }) => view! {
                <p class="notice error" role="alert"><span aria-hidden="true">"⚠ "</span>
                    {t_string!(i18n, form_unreadable, detail = detail.clone()).to_string()}</p>
            }
            .into_any(),
            Ok(CataloguePublish::NotNewer { code, latest }) => view! {
                <p class="notice error" role="alert"><span aria-hidden="true">"⚠ "</span>
                    {t_string!(i18n, cat_not_newer, code = code.clone(), latest = latest).to_string()}</p>
            }
            .into_any(),
            Ok(CataloguePublish::Invalid { errors }) => view! {
                <div class="error-summary" role="alert">
                    <h4>{t_string!(i18n, cat_import_refused)}</h4>
                    <ul class="definition-errors">
                        {errors.iter().map(|e| view! { <li>{catalogue_error(i18n, e)}</li> }).collect_view()}
                    </ul>
                </div>
            }
            .into_any(),
            Err(error) => view! { <ErrorPanel error /> }.into_any(),
        })
    }
}

pub(crate) fn frequency_words(i18n: I18nContext<Locale>, f: Frequency) -> &'static str {
    match f {
        Frequency::Monthly => t_string!(i18n, freq_monthly),
        Frequency::Quarterly => t_string!(i18n, freq_quarterly),
        Frequency::Semester => t_string!(i18n, freq_semester),
        Frequency::Annual => t_string!(i18n, freq_annual),
        Frequency::Season => t_string!(i18n, freq_season),
        Frequency::PerEvent => t_string!(i18n, freq_per_event),
        Frequency::BaselineEndline => t_string!(i18n, freq_baseline_endline),
    }
}

pub(crate) fn aggregation_words(i18n: I18nContext<Locale>, a: &str) -> &'static str {
    match a {
        "sum" => t_string!(i18n, agg_sum),
        "average" => t_string!(i18n, agg_average),
        "last" => t_string!(i18n, agg_last),
        "ratio" => t_string!(i18n, agg_ratio),
        _ => t_string!(i18n, agg_formula),
    }
}

/// The editor of one indicator's definition: the team picks an indicator, changes what may
/// change, and publishes the next version, checked with the whole catalogue as an import is.
#[component]
pub(crate) fn DefinitionEditor(
    list: Vec<IndicatorDefinition>,
    /// `(code, names)` of every value chain.
    chains: Vec<(String, Names)>,
    outcome: RwSignal<Option<Result<CataloguePublish, AppError>>>,
    published: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let chosen = RwSignal::new(None::<IndicatorDefinition>);
    let options = list
        .iter()
        .map(|d| {
            (
                d.code.clone(),
                format!("{} · {}", d.code, pick(&d.name, locale)),
            )
        })
        .collect::<Vec<_>>();
    let choose = move |ev: leptos::ev::Event| {
        let code = event_target_value(&ev);
        chosen.set(list.iter().find(|d| d.code == code).cloned());
    };
    view! {
        <h3 id="editor-title">{t_string!(i18n, cat_edit_title)}</h3>
        <p>{t_string!(i18n, cat_edit_intro)}</p>
        <div class="field">
            <label for="edit-indicator">{t_string!(i18n, ind_indicator)}</label>
            <select id="edit-indicator" on:change=choose>
                <option value="" selected=true>{t_string!(i18n, cat_choose)}</option>
                {options.into_iter().map(|(code, words)| view! { <option value=code>{words}</option> }).collect_view()}
            </select>
        </div>
        {move || chosen.get().map(|def| view! { <EditForm def chains=chains.clone() outcome published /> })}
    }
}

/// The `lang` and `dir` of a field written in `lang` (none for a code or a unit): Arabic runs
/// right to left whatever the page's language.
pub(crate) fn text_direction(lang: &'static str) -> (Option<&'static str>, Option<&'static str>) {
    match lang {
        "" => (None, None),
        "ar" => (Some("ar"), Some("rtl")),
        other => (Some(other), Some("ltr")),
    }
}

#[component]
pub(crate) fn EditForm(
    def: IndicatorDefinition,
    chains: Vec<(String, Names)>,
    outcome: RwSignal<Option<Result<CataloguePublish, AppError>>>,
    published: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let edit = RwSignal::new(DefinitionEdit::of(&def));
    let wrong = RwSignal::new(None::<(String, String)>);
    let busy = RwSignal::new(false);
    let next = def.version + 1;
    let current = def.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        outcome.set(None);
        let version = match edit.with_untracked(|e| e.next_version(&current)) {
            Ok(v) => v,
            Err(e) => {
                wrong.set(Some((e.field.into(), e.code.into())));
                return;
            }
        };
        wrong.set(None);
        let text = serde_json::to_string(&version).unwrap_or_default();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = publish_indicators(text).await;
            if matches!(result, Ok(CataloguePublish::Published { .. })) {
                published();
            }
            outcome.set(Some(result));
            busy.set(false);
        });
    };
    let text_input = move |id: &'static str,
                           label: &'static str,
                           lang: &'static str,
                           read: fn(&DefinitionEdit) -> String,
                           write: fn(&mut DefinitionEdit, String)| {
        let (lang, dir) = text_direction(lang);
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id type="text" lang=lang dir=dir aria-describedby=format!("{id}-error")
                    prop:value=move || edit.with(read) on:input=move |ev| edit.update(|e| write(e, event_target_value(&ev))) />
                {field_error_line(i18n, id, id, wrong)}
            </div>
        }
    };
    let text_area = move |id: &'static str,
                          label: &'static str,
                          lang: &'static str,
                          read: fn(&DefinitionEdit) -> String,
                          write: fn(&mut DefinitionEdit, String)| {
        let (lang, dir) = text_direction(lang);
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <textarea id=id rows="3" lang=lang dir=dir
                    prop:value=move || edit.with(read) on:input=move |ev| edit.update(|e| write(e, event_target_value(&ev)))></textarea>
            </div>
        }
    };
    let aggregation = move || edit.with(|e| e.aggregation.clone());
    view! {
        <form class="definition-editor" on:submit=submit novalidate aria-labelledby="editor-title">
            {text_input("name_fr", t_string!(i18n, cat_name_fr), "fr", |e| e.name.fr.clone(), |e, v| e.name.fr = v)}
            {text_input("name_ar", t_string!(i18n, cat_name_ar), "ar", |e| e.name.ar.clone(), |e, v| e.name.ar = v)}
            {text_input("name_en", t_string!(i18n, cat_name_en), "en", |e| e.name.en.clone(), |e, v| e.name.en = v)}
            {text_area("definition_fr", t_string!(i18n, cat_definition_fr), "fr", |e| e.definition.fr.clone(), |e, v| e.definition.fr = v)}
            {text_area("definition_ar", t_string!(i18n, cat_definition_ar), "ar", |e| e.definition.ar.clone(), |e, v| e.definition.ar = v)}
            {text_area("definition_en", t_string!(i18n, cat_definition_en), "en", |e| e.definition.en.clone(), |e, v| e.definition.en = v)}
            {text_input("unit", t_string!(i18n, cat_unit), "", |e| e.unit.clone(), |e, v| e.unit = v)}
            <div class="field">
                <label for="frequency">{t_string!(i18n, cat_frequency)}</label>
                <select id="frequency" on:change=move |ev| {
                    if let Some(f) = Frequency::parse(&event_target_value(&ev)) { edit.update(|e| e.frequency = f) }
                }>
                    {Frequency::ALL.into_iter().map(|f| view! {
                        <option value=f.as_str() selected=edit.with_untracked(|e| e.frequency == f)>{frequency_words(i18n, f)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="aggregation">{t_string!(i18n, cat_aggregation)}</label>
                <select id="aggregation" on:change=move |ev| edit.update(|e| e.aggregation = event_target_value(&ev))>
                    {AGGREGATIONS.into_iter().map(|a| view! {
                        <option value=a selected=edit.with_untracked(|e| e.aggregation == a)>{aggregation_words(i18n, a)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div hidden=move || aggregation() != "ratio">
                {text_input("numerator", t_string!(i18n, cat_numerator), "", |e| e.numerator.clone(), |e, v| e.numerator = v)}
                {text_input("denominator", t_string!(i18n, cat_denominator), "", |e| e.denominator.clone(), |e, v| e.denominator = v)}
            </div>
            <div hidden=move || aggregation() != "formula">
                {text_input("expression", t_string!(i18n, cat_expression), "", |e| e.expression.clone(), |e, v| e.expression = v)}
                <p class="hint">{t_string!(i18n, cat_expression_hint)}</p>
            </div>
            <fieldset class="field">
                <legend>{t_string!(i18n, cat_direction)}</legend>
                {[(Direction::Up, t_string!(i18n, dir_up)), (Direction::Down, t_string!(i18n, dir_down))].into_iter().map(|(d, words)| view! {
                    <label class="choice">
                        <input type="radio" name="direction" checked=edit.with_untracked(|e| e.direction == d)
                            on:change=move |_| edit.update(|e| e.direction = d) />
                        <span>{words}</span>
                    </label>
                }).collect_view()}
            </fieldset>
            <fieldset class="field">
                <legend>{t_string!(i18n, cat_value_chains)}</legend>
                <p class="hint">{t_string!(i18n, cat_value_chains_hint)}</p>
                {chains.into_iter().map(|(code, names)| {
                    let sent = code.clone();
                    let checked = edit.with_untracked(|e| e.value_chains.contains(&code));
                    view! {
                        <label class="choice">
                            <input type="checkbox" value=code.clone() checked=checked on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                edit.update(|e| {
                                    e.value_chains.retain(|c| *c != sent);
                                    if on { e.value_chains.push(sent.clone()) }
                                })
                            } />
                            <bdi>{format!("{code} · {}", pick(&names, locale))}</bdi>
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <label class="choice">
                <input type="checkbox" checked=edit.with_untracked(|e| e.negative_allowed)
                    on:change=move |ev| edit.update(|e| e.negative_allowed = event_target_checked(&ev)) />
                <span>{t_string!(i18n, cat_negative)}</span>
            </label>
            <p>
                <button type="submit" class="primary" disabled=move || busy.get()>
                    {t_string!(i18n, cat_publish_next, code = def.code.clone(), version = next).to_string()}
                </button>
            </p>
        </form>
    }
}
