//! `/dashboard`: where the programme, an incubator, a value chain or a project stands on each
//! indicator in a year, for tablets and laptops. Online only, and drawn on the server: each chart
//! is an SVG in the page (it shows without the WASM), with a sentence saying what it shows and
//! the same figures as a table. Bars of the year stand beside the same periods of the year before,
//! so a season's dip reads as a season.

pub mod catalogue;

use crate::api::indicator_dashboard;
use crate::domain::indicator::dashboard::{
    Breakdown, Child, Dashboard, DashboardLevel, Panel, PeriodRow, Shown,
};
use crate::domain::indicator::progress::ProgressState;
use crate::domain::indicator::value::show_thousandths;
use crate::domain::indicator::{Category, DataType};
use crate::i18n::*;
use crate::ui::data::resource;
use crate::ui::kit::gate::GatedFrame;
use crate::ui::kit::panels::ErrorPanel;
use crate::ui::pages::indicators::shown_in;
use crate::ui::routes::Screen;
use crate::ui::text::pick;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

#[component]
pub(crate) fn DashboardPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = leptos_router::hooks::use_query_map();
    let dashboard = resource(
        move || {
            let q = query.read();
            (
                q.get("level").unwrap_or_else(|| "programme".into()),
                q.get("id").unwrap_or_default(),
                q.get("year").and_then(|y| y.parse::<i32>().ok()),
                q.get("funder").and_then(|f| uuid::Uuid::parse_str(&f).ok()),
            )
        },
        move |(level, id, year, funder)| {
            let lang = i18n.get_locale_untracked().as_str().to_owned();
            indicator_dashboard(level, id, year, lang, funder)
        },
    );
    view! {
        <GatedFrame
            allowed=|role| Screen::Dashboard.gate().allows(role)
            title=t_string!(i18n, dash_title)
            intro=t_string!(i18n, dash_intro)
        >
            <Suspense fallback=|| ()>
                {move || dashboard.get().map(|r| match r {
                    Ok(d) => view! { <DashboardView d /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                })}
            </Suspense>
        </GatedFrame>
    }
}

/// `&funder=…` when the dashboard is narrowed to one funder.
fn funder_param(funder: Option<uuid::Uuid>) -> String {
    funder.map(|f| format!("&funder={f}")).unwrap_or_default()
}

/// The address of a dashboard (narrowed to one funder's projects, or not).
pub(crate) fn href(
    level: DashboardLevel,
    id: &str,
    year: i32,
    funder: Option<uuid::Uuid>,
) -> String {
    let funder = funder_param(funder);
    match level {
        DashboardLevel::Programme => format!("/dashboard?year={year}{funder}"),
        _ => format!(
            "/dashboard?level={}&id={id}&year={year}{funder}",
            level.as_str()
        ),
    }
}

/// An export of the dashboard's scope, year and funder.
pub(crate) fn export_href(file: &str, d: &Dashboard, lang: &str) -> String {
    format!(
        "/exports/{file}?level={}&id={}&year={}&lang={lang}{}",
        d.level.as_str(),
        d.id,
        d.year,
        funder_param(d.funder.as_ref().map(|(f, _)| *f))
    )
}

/// A count of people, or "<N" when it is a small cell.
pub fn shown_count(shown: &Shown, threshold: i64) -> String {
    match shown {
        Shown::Value(v) => format!("{v:.0}"),
        Shown::Hidden => format!("<{threshold}"),
    }
}

pub(crate) fn percent(p: Option<f64>) -> String {
    p.map(|p| format!("{p:.0} %")).unwrap_or_else(|| "—".into())
}

#[component]
pub(crate) fn DashboardView(d: Dashboard) -> impl IntoView {
    let i18n = use_i18n();
    let name = match d.level {
        DashboardLevel::Programme => t_string!(i18n, dash_programme).to_string(),
        _ => d.name.clone(),
    };
    let level_words = match d.level {
        DashboardLevel::Programme => t_string!(i18n, dash_programme),
        DashboardLevel::Incubator => t_string!(i18n, dash_incubator),
        DashboardLevel::ValueChain => t_string!(i18n, dash_value_chain),
        DashboardLevel::Project => t_string!(i18n, dash_project),
    };
    let threshold = d.threshold;
    let lang = i18n.get_locale_untracked().as_str();
    let people = d.people.clone();
    let figures: Vec<(&'static str, String)> = vec![
        (t_string!(i18n, summary_projects), d.projects.to_string()),
        (t_string!(i18n, summary_members), people.members.to_string()),
        (
            t_string!(i18n, dash_women),
            format!("{} ({})", people.women, percent(people.women_percent)),
        ),
        (
            t_string!(i18n, summary_with_disability),
            match people.with_disability {
                Shown::Value(_) => format!(
                    "{} ({})",
                    shown_count(&people.with_disability, threshold),
                    percent(people.disability_percent)
                ),
                Shown::Hidden => shown_count(&people.with_disability, threshold),
            },
        ),
    ];
    let (year, level, id) = (d.year, d.level, d.id.clone());
    let funder = d.funder.as_ref().map(|(f, _)| *f);
    let categories = [
        (Category::Social, t_string!(i18n, dash_cat_social)),
        (Category::Economic, t_string!(i18n, dash_cat_economic)),
        (
            Category::Environmental,
            t_string!(i18n, dash_cat_environmental),
        ),
        (Category::Governance, t_string!(i18n, dash_cat_governance)),
        (Category::Process, t_string!(i18n, dash_cat_process)),
    ];
    let panels = d.panels.clone();
    view! {
        <nav class="crumbs" aria-label=t_string!(i18n, dash_levels)>
            {(level != DashboardLevel::Programme).then(|| view! {
                <a href=href(DashboardLevel::Programme, "", year, funder)>{t_string!(i18n, dash_programme)}</a>
            })}
        </nav>
        <h2 id="dash-scope">
            <span class="level">{level_words}</span>" · "<bdi>{name}</bdi>" · "{year}
            {d.funder.clone().map(|(_, f)| view! { " · "<bdi>{f}</bdi> })}
        </h2>
        <nav class="years" aria-label=t_string!(i18n, dash_years)>
            <a href=href(level, &id, year - 1, funder) rel="prev">{format!("← {}", year - 1)}</a>
            <a href=href(level, &id, year + 1, funder) rel="next">{format!("{} →", year + 1)}</a>
        </nav>
        {(!d.funders.is_empty()).then(|| view! {
            <nav class="years" aria-label=t_string!(i18n, funder)>
                <a href=href(level, &id, year, None) aria-current=funder.is_none().then_some("page")>{t_string!(i18n, dash_all_funders)}</a>
                {d.funders.iter().map(|(f, name)| view! {
                    <a href=href(level, &id, year, Some(*f)) aria-current=(funder == Some(*f)).then_some("page")><bdi>{name.clone()}</bdi></a>
                }).collect_view()}
            </nav>
        })}
        <dl class="summary">
            {figures.into_iter().map(|(label, value)| view! {
                <div><dt>{label}</dt><dd>{value}</dd></div>
            }).collect_view()}
        </dl>
        {(d.awaiting > 0).then(|| view! {
            <p class="note">{t_string!(i18n, dash_awaiting, n = d.awaiting)}</p>
        })}
        <p class="exports">
            <span>{t_string!(i18n, dash_exports)}" "</span>
            <a href=export_href("indicators.csv", &d, lang) download>{t_string!(i18n, dash_export_csv)}</a>" · "
            <a href=export_href("indicators.xlsx", &d, lang) download>{t_string!(i18n, dash_export_xlsx)}</a>" · "
            <a href=export_href("logframe.xlsx", &d, lang) download>{t_string!(i18n, dash_export_logframe)}</a>
        </p>
        <Children children=d.children.clone() year funder />
        {panels.is_empty().then(|| view! { <p>{t_string!(i18n, dash_nothing)}</p> })}
        {categories.into_iter().filter_map(|(category, title)| {
            let mine: Vec<Panel> = panels.iter().filter(|p| p.category == category).cloned().collect();
            (!mine.is_empty()).then(|| view! {
                <section class="dash-category">
                    <h3>{title}</h3>
                    <div class="dash-grid">
                        {mine.into_iter().map(|panel| view! { <PanelView panel year threshold /> }).collect_view()}
                    </div>
                </section>
            })
        }).collect_view()}
    }
}

#[component]
pub(crate) fn Children(
    children: Vec<Child>,
    year: i32,
    funder: Option<uuid::Uuid>,
) -> impl IntoView {
    let i18n = use_i18n();
    let group = |level: DashboardLevel, title: &'static str| {
        let mine: Vec<&Child> = children.iter().filter(|c| c.level == level).collect();
        (!mine.is_empty()).then(|| {
            view! {
                <section class="dash-children">
                    <h3>{title}</h3>
                    <ul>
                        {mine.into_iter().map(|c| view! {
                            <li>
                                <a href=href(c.level, &c.id, year, funder)><bdi>{c.name.clone()}</bdi></a>
                                " "
                                <span class="count">{t_string!(i18n, dash_project_count, n = c.projects)}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                </section>
            }
        })
    };
    view! {
        {group(DashboardLevel::Incubator, t_string!(i18n, dash_incubators))}
        {group(DashboardLevel::ValueChain, t_string!(i18n, dash_value_chains))}
        {group(DashboardLevel::Project, t_string!(i18n, dash_projects))}
    }
}

/// A value in the panel's unit.
pub(crate) fn value_text(i18n: I18nContext<Locale>, panel: &Panel, value: Option<f64>) -> String {
    value
        .map(|v| shown_in(i18n, panel.data_type, &panel.unit, v))
        .unwrap_or_else(|| "—".into())
}

/// What a period is called under its bar: the month, quarter or half after the year.
pub(crate) fn short_period(period: &str) -> String {
    match period.get(5..) {
        Some(rest) if !rest.is_empty() => rest.to_owned(),
        _ => period.to_owned(),
    }
}

#[component]
pub(crate) fn PanelView(panel: Panel, year: i32, threshold: i64) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let name = pick(&panel.name, locale);
    let (state_class, state_words) = match panel.state {
        ProgressState::NoValue => ("none", t_string!(i18n, ind_state_no_value)),
        ProgressState::NoTarget => ("none", t_string!(i18n, ind_state_no_target)),
        ProgressState::Behind => ("behind", t_string!(i18n, ind_state_behind)),
        ProgressState::OnTheWay => ("on-the-way", t_string!(i18n, ind_state_on_the_way)),
        ProgressState::Reached => ("reached", t_string!(i18n, ind_state_reached)),
    };
    let latest = match &panel.latest {
        Some((period, v)) => format!(
            "{} ({period})",
            shown_in(i18n, panel.data_type, &panel.unit, *v)
        ),
        None => "—".into(),
    };
    let bar = panel.percent.map(|x| x.clamp(0.0, 100.0));
    let id = format!("panel-{}", panel.code);
    let caption = caption(i18n, &panel, &name, year);
    view! {
        <article class=format!("panel indicator state-{state_class}") aria-labelledby=id.clone()>
            <h4 id=id.clone()>{name.clone()}" "<span class="code">{panel.code.clone()}</span></h4>
            <dl class="facts">
                <div><dt>{t_string!(i18n, ind_baseline)}</dt><dd>{value_text(i18n, &panel, panel.baseline)}</dd></div>
                <div><dt>{t_string!(i18n, ind_target)}</dt><dd>{value_text(i18n, &panel, panel.target)}</dd></div>
                <div><dt>{t_string!(i18n, ind_latest)}</dt><dd class="latest">{latest}</dd></div>
                <div><dt>{t_string!(i18n, ind_progress)}</dt><dd>{percent(panel.percent)}" · "{state_words}</dd></div>
                {panel.next_milestone.clone().map(|(day, v)| view! {
                    <div><dt>{t_string!(i18n, dash_next_milestone)}</dt><dd>{value_text(i18n, &panel, Some(v))}" ("{crate::ui::text::day(&day)}")"</dd></div>
                })}
            </dl>
            {bar.map(|x| view! { <div class="progress-bar" aria-hidden="true"><span style=format!("inline-size: {x:.0}%")></span></div> })}
            <figure>
                {chart(&panel.rows, panel.target, format!("{id}-caption"))}
                <figcaption id=format!("{id}-caption")>{caption}</figcaption>
            </figure>
            <details>
                <summary>{t_string!(i18n, dash_table)}</summary>
                <div class="table-scroll">
                    <table>
                        <thead><tr>
                            <th scope="col">{t_string!(i18n, ind_period)}</th>
                            <th scope="col">{year}</th>
                            <th scope="col">{year - 1}</th>
                        </tr></thead>
                        <tbody>
                            {panel.rows.iter().map(|r| view! {
                                <tr>
                                    <th scope="row">{r.period.clone()}</th>
                                    <td>{value_text(i18n, &panel, r.value)}</td>
                                    <td>{value_text(i18n, &panel, r.last_year)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </details>
            {panel.breakdowns.iter().map(|b| view! { <BreakdownTable b=b.clone() panel=panel.clone() threshold /> }).collect_view()}
            {panel.computed.then(|| view! { <p class="hint">{t_string!(i18n, dash_computed)}</p> })}
        </article>
    }
}

/// What the chart shows, in a sentence: the screen reader's version of the bars.
pub(crate) fn caption(i18n: I18nContext<Locale>, panel: &Panel, name: &str, year: i32) -> String {
    let latest = panel
        .rows
        .iter()
        .rev()
        .find(|r| r.value.is_some())
        .map(|r| {
            t_string!(
                i18n,
                dash_caption_latest,
                period = r.period.clone(),
                value = value_text(i18n, panel, r.value),
                before = value_text(i18n, panel, r.last_year)
            )
            .to_string()
        })
        .unwrap_or_default();
    format!(
        "{} {latest}",
        t_string!(
            i18n,
            dash_caption,
            name = name.to_owned(),
            year = year,
            before = year - 1
        )
    )
}

/// Bars of each period of the year (filled) beside the same period a year earlier (outlined),
/// with the target as a dashed line, named by the caption under it. Drawn left to right in time
/// in every language.
pub(crate) fn chart(
    rows: &[PeriodRow],
    target: Option<f64>,
    caption: String,
) -> impl IntoView + use<> {
    let (w, h, pad_bottom, pad_top) = (320.0_f64, 140.0_f64, 18.0_f64, 8.0_f64);
    let values = rows
        .iter()
        .flat_map(|r| [r.value, r.last_year])
        .flatten()
        .chain(target);
    let (lo, hi) = values.fold((0.0_f64, 0.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let span = if hi > lo { hi - lo } else { 1.0 };
    let plot = h - pad_bottom - pad_top;
    let y = move |v: f64| pad_top + (hi - v) / span * plot;
    let group = w / rows.len().max(1) as f64;
    let bar = (group / 2.0 - 2.0).max(1.0);
    let zero = y(0.0);
    let rect = move |x: f64, v: f64, class: &'static str| {
        let (top, height) = if v >= 0.0 {
            (y(v), zero - y(v))
        } else {
            (zero, y(v) - zero)
        };
        view! {
            <rect class=class x=format!("{x:.1}") y=format!("{top:.1}") width=format!("{bar:.1}") height=format!("{:.1}", height.max(0.5)) />
        }
    };
    view! {
        <svg class="chart" viewBox=format!("0 0 {w} {h}") role="img" aria-labelledby=caption dir="ltr">
            <line class="axis" x1="0" x2=format!("{w}") y1=format!("{zero:.1}") y2=format!("{zero:.1}") />
            {rows.iter().enumerate().map(|(i, r)| {
                let x = i as f64 * group + 1.0;
                view! {
                    <g>
                        {r.last_year.map(|v| rect(x, v, "last-year"))}
                        {r.value.map(|v| rect(x + bar + 1.0, v, "this-year"))}
                        <text x=format!("{:.1}", x + bar) y=format!("{:.1}", h - 4.0) text-anchor="middle">{short_period(&r.period)}</text>
                    </g>
                }
            }).collect_view()}
            {target.map(|t| view! {
                <line class="target" x1="0" x2=format!("{w}") y1=format!("{:.1}", y(t)) y2=format!("{:.1}", y(t)) />
            })}
        </svg>
    }
}

#[component]
pub(crate) fn BreakdownTable(b: Breakdown, panel: Panel, threshold: i64) -> impl IntoView {
    let i18n = use_i18n();
    let title = match b.dimension.as_str() {
        "sex" => t_string!(i18n, dash_by_sex),
        "age_band" => t_string!(i18n, dash_by_age),
        _ => t_string!(i18n, dash_by_disability),
    };
    view! {
        <div class="table-scroll">
            <table class="breakdown">
                <caption>{title}" · "{b.period.clone()}</caption>
                {(!b.targets.is_empty()).then(|| view! {
                    <thead><tr>
                        <td></td>
                        <th scope="col">{t_string!(i18n, ind_value)}</th>
                        <th scope="col">{t_string!(i18n, ind_target)}</th>
                    </tr></thead>
                })}
                <tbody>
                    {b.cells.iter().map(|(key, shown)| {
                        let value = match shown {
                            Shown::Value(v) => match panel.data_type {
                                DataType::Integer | DataType::Decimal => show_thousandths((v * 1000.0).round() as i64),
                                other => shown_in(i18n, other, &panel.unit, *v),
                            },
                            Shown::Hidden => shown_count(shown, threshold),
                        };
                        let target = (!b.targets.is_empty()).then(|| {
                            let t = b.targets.iter().find(|(k, _)| k == key).map(|(_, t)| *t);
                            view! { <td>{value_text(i18n, &panel, t)}</td> }
                        });
                        view! { <tr><th scope="row">{key_words(i18n, key)}</th><td>{value}</td>{target}</tr> }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// A cell's key in words: `female` → « Femmes », `25_34` → « 25–34 ».
pub fn key_words(i18n: I18nContext<Locale>, key: &str) -> String {
    match key {
        "female" => t_string!(i18n, ind_women).to_string(),
        "male" => t_string!(i18n, ind_men).to_string(),
        "yes" => t_string!(i18n, dash_with_disability).to_string(),
        "no" => t_string!(i18n, dash_without_disability).to_string(),
        "15_24" => "15–24".into(),
        "25_34" => "25–34".into(),
        "35_44" => "35–44".into(),
        "45_plus" => "45+".into(),
        other => other.to_owned(),
    }
}
