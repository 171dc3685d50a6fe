//! Pages for the people who review what the field sends: the visits in conflict, each version
//! side by side, kept whole or merged field by field (supervisors and the team, online); and
//! the sync health of every device (the team).

pub mod queue;

use crate::api::{list_conflicts, resolve_conflict};
use crate::domain::{ConflictCase, VisitFields, VisitVersion};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::data::resource;
use crate::ui::kit::attachments::EvidenceList;
use crate::ui::kit::gate::GatedFrame;
use crate::ui::kit::panels::ErrorPanel;
use crate::ui::kit::visit_fields::{FIELDS, Field};
use crate::ui::routes::Screen;
use crate::ui::text;
use leptos::prelude::*;

/// `/conflicts`: every visit in the reviewer's scope that two devices edited from the same base.
#[component]
pub(crate) fn ConflictsPage() -> impl IntoView {
    let i18n = use_i18n();
    let cases = resource(|| (), |_| list_conflicts());
    view! {
        <GatedFrame
            allowed=|role| Screen::Conflicts.gate().allows(role)
            title=t_string!(i18n, conflicts_title)
            intro=t_string!(i18n, conflicts_intro)
        >
            {move || cases.get().map(|r| match r {
                Ok(list) if list.is_empty() => view! {
                    <p class="notice success" role="status">{t_string!(i18n, conflicts_none)}</p>
                }.into_any(),
                Ok(list) => list.into_iter().map(|case| view! {
                    <Case case refetch=move || cases.refetch() />
                }).collect_view().into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            })}
        </GatedFrame>
    }
}

/// One visit in conflict: a table of its versions, a choice per field where they differ, and
/// the buttons that keep one version whole or save the merge.
#[component]
pub(crate) fn Case(
    case: ConflictCase,
    refetch: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let mut versions: Vec<VisitVersion> = vec![case.current.clone()];
    versions.extend(case.edits.iter().cloned());
    let differing: Vec<Field> = FIELDS
        .into_iter()
        .filter(|f| {
            let first = f.show(i18n, &versions[0].fields, &case.members);
            versions[1..]
                .iter()
                .any(|v| f.show(i18n, &v.fields, &case.members) != first)
        })
        .collect();
    // Which version each field is taken from; the server's by default.
    let chosen = RwSignal::new(vec![0usize; FIELDS.len()]);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let (visit, version) = (case.visit_id, case.version);
    let base = versions[0].fields.clone();
    let all = versions.clone();
    let merged = move || {
        let picks = chosen.get_untracked();
        let mut fields = base.clone();
        for (i, f) in FIELDS.into_iter().enumerate() {
            f.take(&mut fields, &all[picks[i]].fields);
        }
        // No evidence is lost in a merge: the files of every version.
        for v in &all {
            for file in &v.fields.files {
                let known = fields.files.iter().any(|f| f.sha256 == file.sha256);
                if !known && fields.files.len() < crate::domain::evidence::MAX_FILES_PER_ENTRY {
                    fields.files.push(file.clone());
                }
            }
        }
        fields
    };
    let decide = move |fields: VisitFields| {
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match resolve_conflict(visit, version, fields).await {
                Ok(_) => refetch(),
                Err(e) => {
                    // A stale decision shows the visit as it is now.
                    if e == AppError::Stale {
                        refetch();
                    }
                    error.set(Some(text::error(i18n, &e)));
                    busy.set(false);
                }
            }
        });
    };
    let title_id = format!("conflict-{visit}");
    let labelled_by = title_id.clone();
    let heading = format!(
        "{} · {} — {}",
        case.project_code,
        case.project_title,
        text::day(&versions[0].fields.visit_on)
    );
    let members = case.members.clone();
    view! {
        <article class="conflict card" aria-labelledby=labelled_by>
            <h2 id=title_id>{heading}</h2>
            <div class="table-scroll">
                <table>
                    <caption>{t_string!(i18n, conflict_caption)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{t_string!(i18n, conflict_field)}</th>
                            {versions.iter().enumerate().map(|(i, v)| view! {
                                <th scope="col">
                                    {if i == 0 { t_string!(i18n, conflict_on_server) } else { t_string!(i18n, conflict_set_aside) }}
                                    <br /><bdi>{v.author.clone()}</bdi>
                                    <br /><small>{crate::domain::dates::tunis_day_time(&v.at)}</small>
                                    {v.device.clone().map(|d| view! {
                                        <br /><small class="device">{text::device_of(i18n, &d, v.device_seen_at.as_deref())}</small>
                                    })}
                                </th>
                            }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {FIELDS.into_iter().enumerate().map(|(row, f)| {
                            let differs = differing.contains(&f);
                            let group = format!("{visit}-{}", f.name());
                            view! {
                                <tr class:differs=differs>
                                    <th scope="row">{f.label(i18n)}{differs.then_some(" ⚠")}</th>
                                    {versions.iter().enumerate().map(|(i, v)| {
                                        let shown = f.show(i18n, &v.fields, &members);
                                        let group = group.clone();
                                        view! {
                                            <td>
                                                {if differs {
                                                    view! {
                                                        <label class="choice">
                                                            <input type="radio" name=group value=i.to_string()
                                                                checked=i == 0
                                                                on:change=move |_| chosen.update(|c| c[row] = i) />
                                                            " "<span>{if shown.is_empty() { "—".to_owned() } else { shown }}</span>
                                                        </label>
                                                    }.into_any()
                                                } else {
                                                    view! { <span>{shown}</span> }.into_any()
                                                }}
                                            </td>
                                        }
                                    }).collect_view()}
                                </tr>
                            }
                        }).collect_view()}
                        {versions.iter().any(|v| !v.fields.files.is_empty()).then(|| view! {
                            <tr>
                                <th scope="row">{t_string!(i18n, files_title)}</th>
                                {versions.iter().map(|v| view! {
                                    <td><EvidenceList files=v.fields.files.clone() /></td>
                                }).collect_view()}
                            </tr>
                        })}
                    </tbody>
                </table>
            </div>
            <div class="actions">
                {versions.iter().enumerate().map(|(i, v)| {
                    let fields = v.fields.clone();
                    let label = if i == 0 {
                        t_string!(i18n, conflict_keep_server).to_string()
                    } else {
                        text::keep_version_of(i18n, &v.author, v.device.as_deref())
                    };
                    view! {
                        <button type="button" disabled=move || busy.get()
                            on:click=move |_| decide(fields.clone())>{label}</button>
                    }
                }).collect_view()}
                <button type="button" class="primary" disabled=move || busy.get()
                    on:click=move |_| decide(merged())>{t_string!(i18n, conflict_save_merge)}</button>
            </div>
            {move || error.get().map(|m| view! {
                <p class="notice error" role="alert"><span aria-hidden="true">"⚠ "</span>{m}</p>
            })}
        </article>
    }
}
