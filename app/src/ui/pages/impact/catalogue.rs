//! `/catalogue`: the programme team's page for impact measurement — the reporting periods
//! (submit, lock, reopen with a reason), the targets of the programme, an incubator, a value
//! chain or a project, and the indicator catalogue (export, and import of new versions, checked
//! as a whole).

use crate::api::{
    list_indicators, list_value_chains, publish_indicators, reporting_periods, save_target,
    set_period_status, target_choices,
};
use crate::domain::Names;
use crate::domain::indicator::admin::{
    AGGREGATIONS, CataloguePublish, DefinitionEdit, PeriodState, SaveTarget, TargetChoices,
    TargetLine,
};
use crate::domain::indicator::value::{PeriodStatus, show_thousandths};
use crate::domain::indicator::{
    CatalogueError, CatalogueProblem, Direction, Frequency, IndicatorDefinition,
};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::kit::gate::ReviewFrame;
use crate::ui::kit::panels::ErrorPanel;
use crate::ui::pages::team::forms::pick;
use crate::ui::routes::Screen;
use crate::ui::text;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

#[component]
pub fn CataloguePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ReviewFrame
            allowed=|role| Screen::Catalogue.gate().allows(role)
            title=t_string!(i18n, cat_title)
            intro=t_string!(i18n, cat_intro)
        >
            <PeriodsSection />
            <TargetsSection />
            <CatalogueSection />
        </ReviewFrame>
    }
}

pub(crate) fn status_words(i18n: I18nContext<Locale>, status: PeriodStatus) -> &'static str {
    match status {
        PeriodStatus::Open => t_string!(i18n, cat_status_open),
        PeriodStatus::Submitted => t_string!(i18n, cat_status_submitted),
        PeriodStatus::Locked => t_string!(i18n, cat_status_locked),
    }
}

/// A field's error line, said when `wrong` names it.
pub(crate) fn field_error_line(
    i18n: I18nContext<Locale>,
    id: &'static str,
    field: &'static str,
    wrong: RwSignal<Option<(String, String)>>,
) -> impl IntoView {
    view! {
        <p class="field-error" id=format!("{id}-error")>
            {move || wrong.get().filter(|(f, _)| f == field).map(|(_, code)| view! {
                <span aria-hidden="true">"✗ "</span>{text::field_error(i18n, &code)}
            })}
        </p>
    }
}

/// Splits a refusal into the field it names and its code, or a message for the whole form.
pub(crate) fn refusal(
    i18n: I18nContext<Locale>,
    e: AppError,
    wrong: RwSignal<Option<(String, String)>>,
) -> String {
    match e {
        AppError::Invalid { field, code } => {
            wrong.set(Some((field, code)));
            t_string!(i18n, cat_refused).to_string()
        }
        e => text::error(i18n, &e),
    }
}

#[component]
pub(crate) fn PeriodsSection() -> impl IntoView {
    let i18n = use_i18n();
    let periods = Resource::new(|| (), |_| reporting_periods());
    let period = RwSignal::new(String::new());
    let status = RwSignal::new("locked".to_owned());
    let reason = RwSignal::new(String::new());
    let wrong = RwSignal::new(None::<(String, String)>);
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        wrong.set(None);
        outcome.set(None);
        busy.set(true);
        let (p, s, r) = (
            period.get_untracked(),
            status.get_untracked(),
            reason.get_untracked(),
        );
        leptos::task::spawn_local(async move {
            let result = set_period_status(p.clone(), s.clone(), r).await;
            busy.set(false);
            outcome.set(Some(match result {
                Ok(()) => {
                    periods.refetch();
                    reason.set(String::new());
                    let words = PeriodStatus::parse(&s)
                        .map(|s| status_words(i18n, s))
                        .unwrap_or("");
                    Ok(t_string!(
                        i18n,
                        cat_period_done,
                        period = p.trim().to_uppercase(),
                        status = words
                    )
                    .to_string())
                }
                Err(e) => Err(refusal(i18n, e, wrong)),
            }));
        });
    };
    view! {
        <section aria-labelledby="periods-title">
            <h2 id="periods-title">{t_string!(i18n, cat_periods_title)}</h2>
            <p>{t_string!(i18n, cat_periods_intro)}</p>
            <Suspense fallback=|| ()>
                {move || periods.get().map(|r| match r {
                    Ok(list) if list.is_empty() => view! { <p>{t_string!(i18n, cat_periods_none)}</p> }.into_any(),
                    Ok(list) => view! { <PeriodTable list /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                })}
            </Suspense>
            <form class="settings-form" novalidate on:submit=submit>
                <div class="field">
                    <label for="period">{t_string!(i18n, ind_period)}</label>
                    <p class="hint" id="period-hint">{t_string!(i18n, cat_period_hint)}</p>
                    {field_error_line(i18n, "period", "period", wrong)}
                    <input id="period" type="text" autocomplete="off" aria-describedby="period-hint period-error"
                        aria-invalid=move || wrong.with(|w| w.as_ref().is_some_and(|(f, _)| f == "period")).to_string()
                        prop:value=move || period.get() on:input=move |ev| period.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="period-status">{t_string!(i18n, cat_period_status)}</label>
                    {field_error_line(i18n, "period-status", "status", wrong)}
                    <select id="period-status" aria-describedby="period-status-error" on:change=move |ev| status.set(event_target_value(&ev))>
                        <option value="locked" selected>{t_string!(i18n, cat_to_locked)}</option>
                        <option value="submitted">{t_string!(i18n, cat_to_submitted)}</option>
                        <option value="open">{t_string!(i18n, cat_to_open)}</option>
                    </select>
                </div>
                <div class="field">
                    <label for="period-reason">{t_string!(i18n, cat_reason)}</label>
                    <p class="hint" id="period-reason-hint">{t_string!(i18n, cat_reason_hint)}</p>
                    {field_error_line(i18n, "period-reason", "reason", wrong)}
                    <textarea id="period-reason" rows="2" aria-describedby="period-reason-hint period-reason-error"
                        aria-invalid=move || wrong.with(|w| w.as_ref().is_some_and(|(f, _)| f == "reason")).to_string()
                        prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                </div>
                <div class="actions">
                    <button type="submit" class="primary" disabled=move || busy.get()>{t_string!(i18n, cat_period_apply)}</button>
                </div>
                <Outcome outcome />
            </form>
        </section>
    }
}

#[component]
pub(crate) fn Outcome(outcome: RwSignal<Option<Result<String, String>>>) -> impl IntoView {
    move || {
        outcome.get().map(|r| match r {
            Ok(message) => view! {
                <p class="notice success" role="status"><span aria-hidden="true">"✓ "</span>{message}</p>
            }
            .into_any(),
            Err(message) => view! {
                <p class="notice error" role="alert"><span aria-hidden="true">"⚠ "</span>{message}</p>
            }
            .into_any(),
        })
    }
}

#[component]
pub(crate) fn PeriodTable(list: Vec<PeriodState>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <table class="periods">
            <thead><tr>
                <th scope="col">{t_string!(i18n, ind_period)}</th>
                <th scope="col">{t_string!(i18n, cat_period_status)}</th>
                <th scope="col">{t_string!(i18n, cat_reason)}</th>
            </tr></thead>
            <tbody>
                {list.into_iter().map(|p| view! {
                    <tr>
                        <th scope="row">{p.period}</th>
                        <td>{status_words(i18n, p.status)}</td>
                        <td>{p.reason}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub(crate) fn TargetsSection() -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.get_locale_untracked().as_str().to_owned();
    let choices = Resource::new(move || (), move |_| target_choices(lang.clone()));
    // Outside the form: saving refetches the choices, which draws the form again.
    let outcome = RwSignal::new(None::<Result<String, String>>);
    view! {
        <section aria-labelledby="targets-title">
            <h2 id="targets-title">{t_string!(i18n, cat_targets_title)}</h2>
            <p>{t_string!(i18n, cat_targets_intro)}</p>
            <Suspense fallback=|| ()>
                {move || choices.get().map(|r| match r {
                    Ok(c) => view! { <TargetForm c outcome done=move || choices.refetch() /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                })}
            </Suspense>
            <Outcome outcome />
        </section>
    }
}

pub(crate) fn scope_words(i18n: I18nContext<Locale>, scope: &str) -> &'static str {
    match scope {
        "incubator" => t_string!(i18n, dash_incubator),
        "value_chain" => t_string!(i18n, dash_value_chain),
        "project" => t_string!(i18n, dash_project),
        _ => t_string!(i18n, dash_programme),
    }
}

#[component]
pub(crate) fn TargetForm(
    c: TargetChoices,
    outcome: RwSignal<Option<Result<String, String>>>,
    done: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let form = RwSignal::new(SaveTarget {
        indicator: c
            .indicators
            .first()
            .map(|i| i.0.clone())
            .unwrap_or_default(),
        scope: "programme".into(),
        scope_id: String::new(),
        baseline: String::new(),
        baseline_on: String::new(),
        target: String::new(),
        target_on: String::new(),
        milestones: String::new(),
        cell: String::new(),
    });
    let wrong = RwSignal::new(None::<(String, String)>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        wrong.set(None);
        outcome.set(None);
        busy.set(true);
        let target = form.get_untracked();
        leptos::task::spawn_local(async move {
            let result = save_target(target).await;
            busy.set(false);
            outcome.set(Some(match result {
                Ok(()) => {
                    done();
                    Ok(t_string!(i18n, cat_target_saved).to_string())
                }
                Err(e) => Err(refusal(i18n, e, wrong)),
            }));
        });
    };
    let options = {
        let c = c.clone();
        move |scope: &str| -> Vec<(String, String)> {
            let list = match scope {
                "incubator" => &c.incubators,
                "value_chain" => &c.value_chains,
                "project" => &c.projects,
                _ => return Vec::new(),
            };
            list.iter()
                .map(|(id, name)| (id.to_string(), name.clone()))
                .collect()
        }
    };
    let invalid = move |field: &'static str| {
        move || {
            wrong
                .with(|w| w.as_ref().is_some_and(|(f, _)| f == field))
                .to_string()
        }
    };
    let text_field = move |id: &'static str,
                           field: &'static str,
                           label: &'static str,
                           kind: &'static str,
                           get: fn(&SaveTarget) -> String,
                           set: fn(&mut SaveTarget, String)| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                {field_error_line(i18n, id, field, wrong)}
                <input id=id type=kind inputmode=if kind == "text" { "decimal" } else { "none" } autocomplete="off"
                    aria-describedby=format!("{id}-error") aria-invalid=invalid(field)
                    prop:value=move || form.with(get)
                    on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| set(f, v)) } />
            </div>
        }
    };
    let indicators = c.indicators.clone();
    let units: Vec<(String, String)> = c
        .indicators
        .iter()
        .map(|(code, _, unit, _)| (code.clone(), unit.clone()))
        .collect();
    let cells: Vec<(String, Vec<String>)> = c
        .indicators
        .iter()
        .map(|(code, _, _, cells)| (code.clone(), cells.clone()))
        .collect();
    let cells_of = move |code: &str| {
        cells
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, k)| k.clone())
            .unwrap_or_default()
    };
    // The lists that depend on an earlier choice are drawn again only when that choice changes,
    // not at every keystroke (a select drawn again would show its first option).
    let scope = Memo::new(move |_| form.with(|f| f.scope.clone()));
    let indicator = Memo::new(move |_| form.with(|f| f.indicator.clone()));
    let unit = move || {
        let code = form.with(|f| f.indicator.clone());
        units
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, u)| u.clone())
            .unwrap_or_default()
    };
    view! {
        <form class="settings-form" novalidate on:submit=submit>
            <div class="field">
                <label for="target-indicator">{t_string!(i18n, ind_indicator)}</label>
                {field_error_line(i18n, "target-indicator", "indicator", wrong)}
                <select id="target-indicator" aria-describedby="target-indicator-error"
                    on:change=move |ev| { let v = event_target_value(&ev); form.update(|f| { f.indicator = v; f.cell = String::new(); }) }>
                    {indicators.into_iter().map(|(code, name, _, _)| {
                        let label = format!("{code} · {}", pick(&name, locale));
                        view! { <option value=code>{label}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="target-scope">{t_string!(i18n, cat_scope)}</label>
                {field_error_line(i18n, "target-scope", "scope", wrong)}
                <select id="target-scope" aria-describedby="target-scope-error"
                    on:change=move |ev| { let v = event_target_value(&ev); form.update(|f| { f.scope = v; f.scope_id = String::new(); }) }>
                    {["programme", "incubator", "value_chain", "project"].into_iter().map(|s| view! {
                        <option value=s>{scope_words(i18n, s)}</option>
                    }).collect_view()}
                </select>
            </div>
            {move || {
                let scope = scope.get();
                let list = options(&scope);
                (!list.is_empty()).then(|| view! {
                    <div class="field">
                        <label for="target-scope-id">{scope_words(i18n, &scope)}</label>
                        {field_error_line(i18n, "target-scope-id", "scope_id", wrong)}
                        <select id="target-scope-id" aria-describedby="target-scope-id-error" aria-invalid=invalid("scope_id")
                            on:change=move |ev| { let v = event_target_value(&ev); form.update(|f| f.scope_id = v) }>
                            <option value="">{t_string!(i18n, cat_choose)}</option>
                            {list.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                        </select>
                    </div>
                })
            }}
            {move || {
                let options = cells_of(&indicator.get());
                (!options.is_empty()).then(|| view! {
                    <div class="field">
                        <label for="target-cell">{t_string!(i18n, cat_cell)}</label>
                        {field_error_line(i18n, "target-cell", "cell", wrong)}
                        <select id="target-cell" aria-describedby="target-cell-error"
                            on:change=move |ev| { let v = event_target_value(&ev); form.update(|f| f.cell = v) }>
                            <option value="">{t_string!(i18n, cat_cell_whole)}</option>
                            {options.into_iter().map(|cell| {
                                let label = cell_words(i18n, &cell);
                                view! { <option value=cell>{label}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                })
            }}
            <p class="hint">{move || t_string!(i18n, cat_target_unit, unit = unit()).to_string()}</p>
            {text_field("target-baseline", "baseline", t_string!(i18n, ind_baseline), "text", |f| f.baseline.clone(), |f, v| f.baseline = v)}
            {text_field("target-baseline-on", "baseline_on", t_string!(i18n, cat_baseline_on), "date", |f| f.baseline_on.clone(), |f, v| f.baseline_on = v)}
            {text_field("target-value", "target", t_string!(i18n, ind_target), "text", |f| f.target.clone(), |f, v| f.target = v)}
            {text_field("target-on", "target_on", t_string!(i18n, cat_target_on), "date", |f| f.target_on.clone(), |f, v| f.target_on = v)}
            <div class="field">
                <label for="target-milestones">{t_string!(i18n, cat_milestones)}</label>
                <p class="hint" id="target-milestones-hint">{t_string!(i18n, cat_milestones_hint)}</p>
                {field_error_line(i18n, "target-milestones", "milestones", wrong)}
                <textarea id="target-milestones" rows="3" aria-describedby="target-milestones-hint target-milestones-error"
                    aria-invalid=invalid("milestones")
                    prop:value=move || form.with(|f| f.milestones.clone())
                    on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| f.milestones = v) }></textarea>
            </div>
            <div class="actions">
                <button type="submit" class="primary" disabled=move || busy.get()>{t_string!(i18n, cat_target_save)}</button>
            </div>
        </form>
        <TargetTable lines=c.targets.into_iter().filter(|t| t.scope != "project").collect() />
    }
}

#[component]
pub(crate) fn TargetTable(lines: Vec<TargetLine>) -> impl IntoView {
    let i18n = use_i18n();
    let number = |v: Option<i64>| v.map(show_thousandths).unwrap_or_else(|| "—".into());
    (!lines.is_empty()).then(|| {
        view! {
            <div class="table-scroll" tabindex="0" role="region" aria-label=t_string!(i18n, cat_targets_set)>
            <table class="targets">
                <caption>{t_string!(i18n, cat_targets_set)}</caption>
                <thead><tr>
                    <th scope="col">{t_string!(i18n, ind_indicator)}</th>
                    <th scope="col">{t_string!(i18n, cat_scope)}</th>
                    <th scope="col">{t_string!(i18n, ind_baseline)}</th>
                    <th scope="col">{t_string!(i18n, ind_target)}</th>
                    <th scope="col">{t_string!(i18n, cat_milestones)}</th>
                </tr></thead>
                <tbody>
                    {lines.into_iter().map(|line| {
                        let t = &line.target;
                        view! {
                        <tr>
                            <th scope="row">{t.indicator.clone()}{(!t.cell.is_empty()).then(|| format!(" · {}", cell_words(i18n, &t.cell)))}</th>
                            <td>{scope_words(i18n, &line.scope)}" "<bdi>{line.scope_name.clone()}</bdi></td>
                            <td>{number(t.baseline)}" "{t.baseline_on.clone().map(|d| format!("({})", text::day(&d)))}</td>
                            <td>{number(Some(t.target))}" ("{text::day(&t.target_on)}")"</td>
                            <td>{t.milestones.iter().map(|(d, v)| format!("{} ({})", show_thousandths(*v), text::day(d))).collect::<Vec<_>>().join(" · ")}</td>
                        </tr>
                    }}).collect_view()}
                </tbody>
            </table>
            </div>
        }
    })
}

/// A cell of a breakdown in words: `sex:female` → « Femmes ».
pub fn cell_words(i18n: I18nContext<Locale>, cell: &str) -> String {
    let key = cell.split_once(':').map_or(cell, |(_, k)| k);
    crate::ui::pages::impact::key_words(i18n, key)
}

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
    let catalogue = Resource::new(|| (), |_| list_indicators());
    let chains = Resource::new(|| (), |_| list_value_chains());
    let outcome = RwSignal::new(None::<Result<CataloguePublish, AppError>>);
    // Kept outside the list, which is drawn again once a version is published.
    let edited = RwSignal::new(None::<Result<CataloguePublish, AppError>>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            busy.set(true);
            let text = crate::ui::platform::read_file("catalogue-file").await;
            let result = publish_indicators(text).await;
            if matches!(result, Ok(CataloguePublish::Published { .. })) {
                catalogue.refetch();
            }
            outcome.set(Some(result));
            busy.set(false);
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (outcome, busy, publish_indicators);
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
            <form on:submit=submit>
                <p>
                    <label for="catalogue-file">{t_string!(i18n, cat_import_file)}</label>
                    <input id="catalogue-file" type="file" accept=".json,application/json" required />
                </p>
                <button type="submit" class="primary" disabled=move || busy.get()>{t_string!(i18n, cat_import_button)}</button>
            </form>
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
