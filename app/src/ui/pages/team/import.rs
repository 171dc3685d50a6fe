//! `/import`: the team brings the programme's spreadsheet in. The template first; then a dry
//! run that lists every problem by sheet, row and column (nothing written) or what would be new
//! and what would change; then the import, all of it or nothing. The report's words come from
//! the server, in the reader's language.

use crate::domain::import::{ImportFile, ImportReport};
use crate::i18n::*;
use crate::ui::kit::gate::GatedFrame;
use crate::ui::kit::panels::ErrorPanel;
use crate::ui::routes::Screen;
use leptos::prelude::*;

const FILES: &str = "import-files";

fn lang(locale: Locale) -> &'static str {
    match locale {
        Locale::ar => "ar",
        Locale::en => "en",
        Locale::fr => "fr",
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let i18n = use_i18n();
    // The files as read for the dry run: the import sends these same bytes.
    let files = StoredValue::new(Vec::<ImportFile>::new());
    let check = ServerAction::<crate::api::ImportProgramme>::new();
    let busy = check.pending();
    let run = move |plan: Option<String>| {
        check.dispatch(crate::api::ImportProgramme {
            files: files.get_value(),
            lang: lang(i18n.get_locale_untracked()).to_owned(),
            plan,
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            files.set_value(crate::ui::platform::read_files(FILES).await);
            run(None);
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = run;
    };
    let template = move |file: &str| format!("/exports/{file}?lang={}", lang(i18n.get_locale()));
    view! {
        <GatedFrame
            allowed=|role| Screen::Import.gate().allows(role)
            title=t_string!(i18n, sheet_title)
            intro=t_string!(i18n, sheet_intro)
        >
            <section aria-labelledby="import-template">
                <h2 id="import-template">{t_string!(i18n, sheet_template_heading)}</h2>
                <ul class="downloads">
                    <li><a href=move || template("template.xlsx") download>{t_string!(i18n, sheet_template_xlsx)}</a></li>
                    <li><a href=move || template("template-projects.csv") download>{t_string!(i18n, sheet_template_projects)}</a></li>
                    <li><a href=move || template("template-members.csv") download>{t_string!(i18n, sheet_template_members)}</a></li>
                </ul>
                <p class="hint">{t_string!(i18n, sheet_rules)}</p>
            </section>
            <section aria-labelledby="import-check">
                <h2 id="import-check">{t_string!(i18n, sheet_check_heading)}</h2>
                <form on:submit=submit>
                    <p>
                        <label for=FILES>{t_string!(i18n, sheet_files)}</label>
                        <input
                            id=FILES
                            type="file"
                            multiple
                            required
                            accept=".xlsx,.xls,.ods,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                        />
                    </p>
                    <button type="submit" disabled=move || busy.get()>{t_string!(i18n, sheet_check)}</button>
                </form>
                {move || check.value().get().map(|r| match r {
                    Ok(report) => view! { <Report report run busy /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                })}
            </section>
        </GatedFrame>
    }
}

#[component]
fn Report(
    report: ImportReport,
    run: impl Fn(Option<String>) + Copy + Send + Sync + 'static,
    busy: Memo<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    if !report.problems.is_empty() {
        return view! {
            <div class="notice error" role="alert">
                <p>{t_string!(i18n, sheet_problems, count = report.problems.len())}</p>
            </div>
            <div class="table-scroll">
                <table class="import-problems">
                    <thead><tr>
                        <th scope="col">{t_string!(i18n, sheet_sheet)}</th>
                        <th scope="col">{t_string!(i18n, sheet_row)}</th>
                        <th scope="col">{t_string!(i18n, sheet_column)}</th>
                        <th scope="col">{t_string!(i18n, sheet_problem)}</th>
                    </tr></thead>
                    <tbody>
                        {report.problems.into_iter().map(|p| view! {
                            <tr>
                                <td><bdi>{p.sheet}</bdi></td>
                                <td>{(p.row > 0).then_some(p.row)}</td>
                                <td><bdi>{p.column}</bdi></td>
                                <td>{p.message}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any();
    }
    let tally = view! {
        <ul class="import-tally">
            <li>{t_string!(i18n, sheet_projects_tally, new = report.projects.new, changed = report.projects.changed, same = report.projects.same)}</li>
            <li>{t_string!(i18n, sheet_members_tally, new = report.members.new, changed = report.members.changed, same = report.members.same)}</li>
        </ul>
    };
    if report.applied {
        return view! {
            <div class="notice" role="status"><p>{t_string!(i18n, sheet_done)}</p></div>
            {tally}
        }
        .into_any();
    }
    if !report.writes() {
        return view! {
            <div class="notice" role="status"><p>{t_string!(i18n, sheet_nothing)}</p></div>
            {tally}
        }
        .into_any();
    }
    let plan = report.plan.clone();
    let changes = (!report.changes.is_empty()).then(|| {
        view! {
            <div class="table-scroll">
                <table class="import-changes">
                    <caption>{t_string!(i18n, sheet_changes)}</caption>
                    <thead><tr>
                        <th scope="col">{t_string!(i18n, sheet_row)}</th>
                        <th scope="col">{t_string!(i18n, sheet_what)}</th>
                        <th scope="col">{t_string!(i18n, sheet_column)}</th>
                        <th scope="col">{t_string!(i18n, sheet_before)}</th>
                        <th scope="col">{t_string!(i18n, sheet_after)}</th>
                    </tr></thead>
                    <tbody>
                        {report.changes.into_iter().map(|c| view! {
                            <tr>
                                <td>{c.row}</td>
                                <td><bdi>{c.subject}</bdi></td>
                                <td><bdi>{c.column}</bdi></td>
                                <td><bdi>{c.before}</bdi></td>
                                <td><bdi>{c.after}</bdi></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
    });
    view! {
        <div class="notice" role="status">{tally}</div>
        {changes}
        <p>
            <button
                type="button"
                class="primary"
                disabled=move || busy.get()
                on:click=move |_| run(Some(plan.clone()))
            >
                {t_string!(i18n, sheet_apply)}
            </button>
        </p>
    }
    .into_any()
}
