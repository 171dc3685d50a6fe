//! A project's indicators on the project page, offline: for each indicator with a target or a
//! value, the baseline, the target, the latest value and how far along it is, with a small
//! trend line; and a short form to enter a period's value (with its breakdown by sex when the
//! indicator has one, its source and an evidence note), checked against the indicator's
//! definition as the server will check it.

use crate::domain::FormAnswers;
use crate::domain::RecordKind;
use crate::domain::dates::today_iso;
use crate::domain::form::{Answer, AnswerError, Answers, FormDefinition};
use crate::domain::indicator::derived::{
    MemberFact, VisitFact, from_members, from_visits, merge, registry_quarters,
};
use crate::domain::indicator::progress::{Progress, ProgressState, Target, progress, trend};
use crate::domain::indicator::value::{
    CellValue, INDICATOR_FORM, IndicatorValue, SaveValueArgs, ValueSource, parse_thousandths,
    period_of, read_entry, show_thousandths, value_id,
};
use crate::domain::indicator::{Cell, DataType, IndicatorDefinition};
use crate::domain::{EntryStatus, ReviewNote, Sex};
use crate::i18n::*;
use crate::sync::mutations::SaveIndicatorValue;
use crate::sync::outbox::{SyncState, prepare};
use crate::ui::form_store::device_form;
use crate::ui::kit::attachments::{Attached, Attachments};
use crate::ui::kit::draft::{DraftNote, Field, Kept, draft_name, keep_form};
use crate::ui::kit::form_view::FormFields;
use crate::ui::kit::save::save_then;
use crate::ui::kit::tags::state_tag;
use crate::ui::local::from_view;
use crate::ui::sync::use_sync;
use crate::ui::text;
use crate::ui::text::pick;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use std::sync::Arc;
use uuid::Uuid;

/// One indicator's row: its definition, progress, the state of a value not yet sent, the
/// decision on the latest value, and whether that value was computed.
pub(crate) type RowParts = (
    IndicatorDefinition,
    Progress,
    Option<SyncState>,
    Option<ReviewNote>,
    bool,
);

/// The catalogue kept on this phone.
pub(crate) fn catalogue() -> Vec<IndicatorDefinition> {
    #[cfg(feature = "hydrate")]
    {
        crate::storage::device()
            .get(&crate::storage::Key::Indicators)
            .ok()
            .flatten()
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Vec::new()
    }
}

/// A value in its unit, as people read it.
pub(crate) fn shown(i18n: I18nContext<Locale>, def: &IndicatorDefinition, value: f64) -> String {
    shown_in(i18n, def.data_type, &def.unit, value)
}

/// A value of this type and unit, as people read it.
pub fn shown_in(i18n: I18nContext<Locale>, data_type: DataType, unit: &str, value: f64) -> String {
    let thousandths = (value * 1000.0).round() as i64;
    match data_type {
        DataType::Money => text::money(i18n, thousandths),
        // A share reads to the tenth: 55,3 %.
        DataType::Percent => format!(
            "{} %",
            show_thousandths((thousandths + 50).div_euclid(100) * 100)
        ),
        // A count needs no unit beside it.
        _ if unit == "count" => show_thousandths(thousandths),
        _ => format!("{} {unit}", show_thousandths(thousandths)),
    }
}

/// The trend as a small line, with its figures for screen readers.
pub(crate) fn sparkline(trend: &[(String, f64)], label: String) -> impl IntoView + use<> {
    let (w, h) = (120.0, 32.0);
    let (lo, hi) = trend.iter().fold((f64::MAX, f64::MIN), |(lo, hi), (_, v)| {
        (lo.min(*v), hi.max(*v))
    });
    let span = if hi > lo { hi - lo } else { 1.0 };
    let step = if trend.len() > 1 {
        w / (trend.len() - 1) as f64
    } else {
        0.0
    };
    let points: Vec<String> = trend
        .iter()
        .enumerate()
        .map(|(i, (_, v))| {
            let x = i as f64 * step;
            let y = h - 2.0 - (v - lo) / span * (h - 4.0);
            format!("{x:.1},{y:.1}")
        })
        .collect();
    view! {
        <svg class="sparkline" viewBox=format!("-2 0 {} {h}", w + 4.0) width="124" height="32" role="img" aria-label=label>
            <polyline points=points.join(" ") fill="none" stroke="currentColor" stroke-width="2" />
        </svg>
    }
}

#[component]
pub fn IndicatorsSection(
    user: Uuid,
    project: Uuid,
    chain: String,
    targets: Vec<Target>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let data = from_view(user, move |view| {
        let mut values: Vec<(IndicatorValue, SyncState)> = view
            .values_of(project)
            .into_iter()
            .map(|v| (v.clone(), view.state(RecordKind::Value, v.id)))
            .collect();
        // What the members and the visits on this phone give, as the dashboards compute it,
        // where nothing was entered for the period.
        let members: Vec<MemberFact> = view
            .members_of(project)
            .into_iter()
            .map(|m| MemberFact {
                project,
                sex: m.member.sex,
                birth_year: m.member.birth_year,
                with_disability: m.member.with_disability,
                role: m.member.role.clone(),
                joined_on: m.member.joined_on.clone(),
                left_on: m.member.left_on.clone(),
            })
            .collect();
        let visits: Vec<VisitFact> = view
            .visits_of(project)
            .into_iter()
            .map(|v| VisitFact {
                project,
                visit_on: v.fields.visit_on.clone(),
                sales: v.fields.snapshot.sales,
                visits: 1,
            })
            .collect();
        let today = today_iso();
        let year = today.get(..4).and_then(|y| y.parse().ok()).unwrap_or(2026);
        let entered: Vec<IndicatorValue> = values.iter().map(|(v, _)| v.clone()).collect();
        let computed = [
            from_members(&members, &registry_quarters(year, &today)),
            from_visits(&visits),
        ]
        .concat();
        let taken = entered.len();
        values.extend(
            merge(entered, computed)
                .into_iter()
                .skip(taken)
                .map(|v| (v, SyncState::Sent)),
        );
        (catalogue(), values)
    });
    let error = RwSignal::new(None::<String>);
    let form_chain = chain.clone();
    view! {
        <section aria-labelledby="indicators-title">
            <h2 id="indicators-title">{t_string!(i18n, indicators_title)}</h2>
            {move || data().map(|(catalogue, values)| {
                if catalogue.is_empty() {
                    return view! { <p>{t_string!(i18n, ind_no_catalogue)}</p> }.into_any();
                }
                let applicable: Vec<IndicatorDefinition> =
                    catalogue.iter().filter(|d| d.applies_to(&chain)).cloned().collect();
                let refs: Vec<&IndicatorValue> = values.iter().map(|(v, _)| v).collect();
                let rows: Vec<RowParts> = applicable
                    .iter()
                    .filter_map(|def| {
                        let target = targets.iter().find(|t| t.indicator == def.code && t.cell.is_empty());
                        let p = progress(trend(&catalogue, def, &refs), target);
                        let pending = values
                            .iter()
                            .filter(|(v, _)| v.indicator == def.code)
                            .map(|(_, s)| s.clone())
                            .find(|s| *s != SyncState::Sent);
                        // The decision on the latest value, if a supervisor made one.
                        let note = values
                            .iter()
                            .filter(|(v, _)| v.indicator == def.code)
                            .max_by(|a, b| a.0.period.cmp(&b.0.period))
                            .and_then(|(v, _)| v.review.clone());
                        // Whether the latest value was computed from the members or the visits.
                        let computed = p.latest.as_ref().is_some_and(|(period, _)| {
                            values.iter().any(|(v, _)| {
                                v.indicator == def.code
                                    && v.period == *period
                                    && v.source == ValueSource::Derived
                            })
                        });
                        (target.is_some() || p.latest.is_some()).then(|| (def.clone(), p, pending, note, computed))
                    })
                    .collect();
                view! {
                    {rows.is_empty().then(|| view! { <p>{t_string!(i18n, ind_none)}</p> })}
                    <ul class="indicators">
                        {rows.into_iter().map(|(def, p, pending, note, computed)| view! { <Row def p pending note computed /> }).collect_view()}
                    </ul>
                }.into_any()
            })}
            // Outside the list, so a sync redrawing the list leaves what is being typed alone.
            <ValueForm user project chain=form_chain error sync />
        </section>
    }
}

#[component]
pub(crate) fn Row(
    def: IndicatorDefinition,
    p: Progress,
    pending: Option<SyncState>,
    note: Option<ReviewNote>,
    computed: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let name = pick(&def.name, locale);
    let show = |v: Option<f64>| {
        v.map(|v| shown(i18n, &def, v))
            .unwrap_or_else(|| "—".into())
    };
    let latest = match &p.latest {
        Some((period, v)) => format!("{} ({period})", shown(i18n, &def, *v)),
        None => "—".into(),
    };
    let (state_class, state_words) = match p.state {
        ProgressState::NoValue => ("none", t_string!(i18n, ind_state_no_value)),
        ProgressState::NoTarget => ("none", t_string!(i18n, ind_state_no_target)),
        ProgressState::Behind => ("behind", t_string!(i18n, ind_state_behind)),
        ProgressState::OnTheWay => ("on-the-way", t_string!(i18n, ind_state_on_the_way)),
        ProgressState::Reached => ("reached", t_string!(i18n, ind_state_reached)),
    };
    let percent = p.percent.map(|x| format!("{:.0} %", x));
    let bar = p.percent.map(|x| x.clamp(0.0, 100.0));
    let trend_words = p
        .trend
        .iter()
        .map(|(period, v)| format!("{period} : {}", shown(i18n, &def, *v)))
        .collect::<Vec<_>>()
        .join(", ");
    let label = t_string!(
        i18n,
        ind_trend_label,
        name = name.clone(),
        values = trend_words
    )
    .to_string();
    view! {
        <li class=format!("indicator state-{state_class}")>
            <p class="entry-head"><strong>{name}</strong>" "<span class="code">{def.code.clone()}</span></p>
            <dl class="facts">
                <div><dt>{t_string!(i18n, ind_baseline)}</dt><dd>{show(p.baseline)}</dd></div>
                <div><dt>{t_string!(i18n, ind_target)}</dt><dd>{show(p.target)}</dd></div>
                <div><dt>{t_string!(i18n, ind_latest)}</dt><dd>{latest}</dd></div>
                <div><dt>{t_string!(i18n, ind_progress)}</dt><dd>{percent.unwrap_or_else(|| "—".into())}" · "{state_words}</dd></div>
            </dl>
            {bar.map(|x| view! { <div class="progress-bar" aria-hidden="true"><span style=format!("inline-size: {x:.0}%")></span></div> })}
            {(p.trend.len() > 1).then(|| sparkline(&p.trend, label))}
            {pending.map(|s| {
                let tag = state_tag(i18n, &s);
                view! { <p class="entry-state"><span class=tag.class><span aria-hidden="true">{tag.icon}</span>{tag.text}</span></p> }
            })}
            {computed.then(|| view! { <p class="hint">{t_string!(i18n, ind_computed)}</p> })}
            {note.map(|note| view! { <crate::ui::kit::tags::ReviewNoteView note /> })}
        </li>
    }
}

/// The periods offered for a value: the current one of the indicator's frequency and the three
/// before it (earlier ones are rarely late, and a locked one is refused anyway).
pub(crate) fn recent_periods(def: &IndicatorDefinition, today: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut day = today.to_owned();
    while out.len() < 4 {
        let period = period_of(def.frequency, &day);
        if !out.contains(&period) {
            out.push(period);
        }
        // Step back a month at a time: every frequency's periods are whole months.
        let (y, m) = (
            day.get(..4)
                .and_then(|y| y.parse::<i32>().ok())
                .unwrap_or(2026),
            day.get(5..7)
                .and_then(|m| m.parse::<u32>().ok())
                .unwrap_or(1),
        );
        let (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
        if y < 2000 {
            break;
        }
        day = format!("{y}-{m:02}-01");
    }
    out
}

/// The form to enter a period's value: the indicator and period (from the catalogue), the
/// questions of the indicator entry form (the value, its source, an evidence note, and any the
/// team added), then the breakdown by sex when the indicator has one.
#[component]
pub(crate) fn ValueForm(
    user: Uuid,
    project: Uuid,
    chain: String,
    error: RwSignal<Option<String>>,
    sync: crate::ui::sync::SyncHandle,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    // The indicators entered for this project (not computed ones), and the entry form, read
    // once in the browser.
    let defs = RwSignal::new(Vec::<IndicatorDefinition>::new());
    let entry_form = RwSignal::new(None::<Arc<FormDefinition>>);
    let code = RwSignal::new(String::new());
    Effect::new(move |_| {
        let entered: Vec<IndicatorDefinition> = catalogue()
            .into_iter()
            .filter(|d| d.applies_to(&chain) && !d.is_derived())
            .collect();
        if let Some(first) = entered.first() {
            code.set(first.code.clone());
        }
        defs.set(entered);
        entry_form.set(device_form(INDICATOR_FORM, None));
    });
    let fresh = || {
        let mut a = Answers::new();
        a.insert(
            "source".into(),
            Answer::Text(ValueSource::Record.as_str().into()),
        );
        a
    };
    let period = RwSignal::new(String::new());
    let answers = RwSignal::new(fresh());
    let errors = RwSignal::new(Vec::<AnswerError>::new());
    // Moves after each save: the questions are drawn again, empty.
    let round = RwSignal::new(0u32);
    let women = RwSignal::new(String::new());
    let men = RwSignal::new(String::new());
    let saved = RwSignal::new(false);
    // The value's evidence: photos of the cash book, a receipt.
    let attached = Attached::new("value-files", Vec::new());
    // Kept as it is typed, given back after the tab was killed.
    let kept = Kept::new(
        user,
        draft_name("value", project, None),
        "value",
        Some(project),
    );
    keep_form(
        kept,
        vec![
            Field::text("code", code),
            Field::text("period", period),
            Field::text("women", women),
            Field::text("men", men),
        ],
        Some((answers, round)),
        Some(attached),
    );
    let def = move || defs.with(|d| d.iter().find(|d| d.code == code.get()).cloned());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let (Some(def), Some(form)) = (
            defs.with_untracked(|d| d.iter().find(|d| d.code == code.get_untracked()).cloned()),
            entry_form.get_untracked(),
        ) else {
            return;
        };
        let today = today_iso();
        let chosen = Some(period.get_untracked())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| period_of(def.frequency, &today));
        let mut given = answers.get_untracked();
        form.prune(&mut given, &today);
        let problems = form.validate(&given, &today);
        if !problems.is_empty() {
            errors.set(problems);
            error.set(Some(t_string!(i18n, form_problem).to_owned()));
            return;
        }
        errors.set(Vec::new());
        let (value, source, evidence) = match read_entry(&given) {
            Ok(read) => read,
            Err(e) => {
                error.set(Some(text::field_error(i18n, e.code).to_owned()));
                return;
            }
        };
        let by_sex = def.disaggregations.iter().any(|d| d == "sex");
        let cell = |sex: Sex, typed: String| -> Result<Option<CellValue>, ()> {
            if typed.trim().is_empty() {
                return Ok(None);
            }
            let value = parse_thousandths(&typed).ok_or(())?;
            Ok(Some(CellValue {
                cell: Cell {
                    sex: Some(sex),
                    ..Cell::default()
                },
                value,
            }))
        };
        let cells = if by_sex {
            match (
                cell(Sex::Female, women.get_untracked()),
                cell(Sex::Male, men.get_untracked()),
            ) {
                (Ok(w), Ok(m)) => w.into_iter().chain(m).collect(),
                _ => {
                    error.set(Some(text::field_error(i18n, "not_a_number").to_owned()));
                    return;
                }
            }
        } else {
            Vec::new()
        };
        let id = value_id(project, &def.code, &chosen);
        let held =
            crate::ui::local::local_view(user, sync.revision.get_untracked()).and_then(|view| {
                view.get::<IndicatorValue>(id)
                    .map(|v| (v.version, v.files.clone()))
            });
        let base_version = held.as_ref().map(|(v, _)| *v).filter(|v| *v > 0);
        // The evidence files it carries stay with it through a correction; new ones join them.
        let mut files = held.map(|(_, f)| f).unwrap_or_default();
        match attached.to_save(i18n) {
            Ok(added) => {
                for f in added {
                    if !files.iter().any(|g| g.sha256 == f.sha256) {
                        files.push(f);
                    }
                }
            }
            Err(m) => {
                error.set(Some(m));
                return;
            }
        }
        let args = SaveValueArgs {
            id,
            project_id: project,
            base_version,
            indicator: def.code.clone(),
            indicator_version: def.version,
            period: chosen,
            value,
            cells,
            source,
            evidence,
            status: EntryStatus::Submitted,
            form: Some(FormAnswers {
                version: form.version,
                answers: given,
            }),
            files,
        };
        if let Err(e) = args.validate(&def, &today) {
            error.set(Some(text::field_error(i18n, e.code).to_owned()));
            return;
        }
        save_then(
            i18n,
            sync,
            user,
            vec![prepare::<SaveIndicatorValue>(&args, &today)],
            Some(kept),
            Box::new(move |r| match r {
                Ok(()) => {
                    error.set(None);
                    saved.set(true);
                    answers.set(fresh());
                    round.update(|n| *n += 1);
                    women.set(String::new());
                    men.set(String::new());
                    attached.clear();
                    kept.saved_and_emptied();
                }
                Err(m) => error.set(Some(m)),
            }),
        );
    };
    move || {
        (!defs.with(Vec::is_empty)).then(|| view! {
        <details class="add-value" prop:open=move || kept.restored.get()>
            <summary>{t_string!(i18n, ind_enter)}</summary>
            <form class="inline-form" on:submit=save novalidate>
                <DraftNote kept />
                <div class="field">
                    <label for="value-indicator">{t_string!(i18n, ind_indicator)}</label>
                    <select id="value-indicator" on:change=move |ev| { code.set(event_target_value(&ev)); period.set(String::new()); }>
                        {defs.get_untracked().iter().map(|d| {
                            let this = d.code.clone();
                            view! { <option value=d.code.clone() prop:selected=move || code.with(|c| *c == this)>{format!("{} · {}", d.code, pick(&d.name, locale))}</option> }
                        }).collect_view()}
                    </select>
                </div>
                {move || def().map(|d| {
                    let periods = recent_periods(&d, &today_iso());
                    view! {
                        <div class="field">
                            <label for="value-period">{t_string!(i18n, ind_period)}</label>
                            <select id="value-period" on:change=move |ev| period.set(event_target_value(&ev))>
                                {periods.into_iter().map(|p| {
                                    let this = p.clone();
                                    view! { <option value=p.clone() prop:selected=move || period.with(|c| *c == this)>{p.clone()}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                        <p class="hint">{t_string!(i18n, ind_value_unit, unit = d.unit.clone())}</p>
                    }
                })}
                {move || entry_form.get().map(|form| {
                    round.track();
                    view! { <FormFields form answers errors today=today_iso() /> }
                })}
                {move || def().filter(|d| d.disaggregations.iter().any(|x| x == "sex")).map(|_| view! {
                    <fieldset class="field">
                        <legend>{t_string!(i18n, ind_by_sex)}</legend>
                        <label for="value-women">{t_string!(i18n, ind_women)}</label>
                        <input id="value-women" type="text" inputmode="decimal"
                            prop:value=move || women.get() on:input=move |ev| women.set(event_target_value(&ev)) />
                        <label for="value-men">{t_string!(i18n, ind_men)}</label>
                        <input id="value-men" type="text" inputmode="decimal"
                            prop:value=move || men.get() on:input=move |ev| men.set(event_target_value(&ev)) />
                    </fieldset>
                })}
                <Attachments user attached />
                <p class="field-error" id="value-error" role="alert">{move || error.get()}</p>
                <button type="submit">{t_string!(i18n, ind_save)}</button>
                {move || saved.get().then(|| view! {
                    <p class="notice success" role="status"><span aria-hidden="true">"✓ "</span>{t_string!(i18n, saved_on_phone)}</p>
                })}
            </form>
        </details>
    })
    }
}
