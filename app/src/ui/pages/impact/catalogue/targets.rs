//! Targets of the programme, an incubator, a value chain or a project.

use crate::api::{save_target, target_choices};
use crate::domain::indicator::admin::{SaveTarget, TargetChoices, TargetLine};
use crate::domain::indicator::value::show_thousandths;
use crate::i18n::*;
use crate::ui::data::resource;
use crate::ui::kit::panels::ErrorPanel;
use crate::ui::pages::impact::catalogue::{Outcome, field_error_line, refusal};
use crate::ui::text;
use crate::ui::text::pick;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

#[component]
pub(crate) fn TargetsSection() -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.get_locale_untracked().as_str().to_owned();
    let choices = resource(move || (), move |_| target_choices(lang.clone()));
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
