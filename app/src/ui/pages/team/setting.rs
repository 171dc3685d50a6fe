//! `/organisations`: what projects stand on, set up by the team: organisations (incubators,
//! public structures, technical support, funders), archived rather than deleted; places; value
//! chains named in the three languages. Phones get the new lists at their next refresh.

use crate::api::{
    Setting, archive_organisation, programme_setting, save_organisation, save_place,
    save_value_chain,
};
use crate::domain::Names;
use crate::domain::people::{ORGANISATION_KINDS, Organisation, Place, ValueChain};
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::data::Json;
use crate::ui::data::resource;
use crate::ui::kit::gate::GatedFrame;
use crate::ui::kit::panels::ErrorPanel;
use crate::ui::routes::Screen;
use crate::ui::text;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use uuid::Uuid;

type Reload = Resource<Result<Setting, AppError>, Json>;

#[component]
pub fn SettingPage() -> impl IntoView {
    let i18n = use_i18n();
    let setting = resource(|| (), |_| programme_setting());
    view! {
        <GatedFrame
            allowed=|role| Screen::Organisations.gate().allows(role)
            title=t_string!(i18n, setting_title)
            intro=t_string!(i18n, setting_intro)
        >
            {move || setting.get().map(|r| match r {
                Ok(s) => view! {
                    <Organisations list=s.organisations places=s.places.clone() reload=setting />
                    <Places list=s.places reload=setting />
                    <Chains list=s.value_chains reload=setting />
                }.into_any(),
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            })}
        </GatedFrame>
    }
}

pub(crate) fn kind_label(i18n: I18nContext<Locale>, kind: &str) -> &'static str {
    match kind {
        "incubator" => t_string!(i18n, org_incubator),
        "public_structure" => t_string!(i18n, org_public_structure),
        "technical_support" => t_string!(i18n, org_technical_support),
        "funder" => t_string!(i18n, org_funder),
        _ => t_string!(i18n, org_lead_ngo),
    }
}

/// What a save said: nothing yet, saved, or refused (the field named, and why in words).
type Said = RwSignal<Option<Result<(), (String, String)>>>;

/// The label of a field of this page's forms.
fn field_label(i18n: I18nContext<Locale>, field: &str) -> &'static str {
    match field {
        "kind" => t_string!(i18n, setting_kind),
        "locality" => t_string!(i18n, setting_place),
        "governorate" => t_string!(i18n, setting_governorate),
        "delegation" => t_string!(i18n, setting_delegation),
        "code" => t_string!(i18n, setting_code),
        "name_fr" => t_string!(i18n, setting_name_fr),
        "name_ar" => t_string!(i18n, setting_name_ar),
        "name_en" => t_string!(i18n, setting_name_en),
        _ => t_string!(i18n, setting_name),
    }
}

/// Saves through `work`, then says how it went and reloads the lists.
fn run(
    i18n: I18nContext<Locale>,
    said: Said,
    reload: Reload,
    work: impl std::future::Future<Output = Result<(), AppError>> + 'static,
) {
    said.set(None);
    leptos::task::spawn_local(async move {
        match work.await {
            Ok(()) => {
                said.set(Some(Ok(())));
                reload.refetch();
            }
            Err(AppError::Invalid { field, code }) => {
                let why = format!(
                    "{} : {}",
                    field_label(i18n, &field),
                    text::field_error(i18n, &code)
                );
                said.set(Some(Err((field, why))));
            }
            Err(e) => said.set(Some(Err((String::new(), text::error(i18n, &e))))),
        }
    });
}

/// The outcome of a save, said once: saved, or what was refused.
fn outcome(i18n: I18nContext<Locale>, said: Said) -> impl IntoView {
    move || {
        said.get().map(|r| match r {
            Ok(()) => view! {
                <p class="notice success" role="status"><span aria-hidden="true">"✓ "</span>{t_string!(i18n, setting_saved)}</p>
            }
            .into_any(),
            Err((_, why)) => view! {
                <div class="error-summary" role="alert"><p>{why}</p></div>
            }
            .into_any(),
        })
    }
}

/// A text input bound to a signal, marked invalid when the last save named its field.
fn text_input(
    said: Said,
    id: &'static str,
    field: &'static str,
    label: &'static str,
    value: RwSignal<String>,
) -> impl IntoView {
    let invalid = move || {
        said.with(|s| matches!(s, Some(Err((f, _))) if f == field))
            .to_string()
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id type="text" autocomplete="off" aria-invalid=invalid
                prop:value=value on:input=move |ev| value.set(event_target_value(&ev)) />
        </div>
    }
}

#[component]
fn Organisations(list: Vec<Organisation>, places: Vec<Place>, reload: Reload) -> impl IntoView {
    let i18n = use_i18n();
    let said: Said = RwSignal::new(None);
    let editing = RwSignal::new(None::<Uuid>);
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new("incubator".to_owned());
    let locality = RwSignal::new(None::<Uuid>);
    let place_name = {
        let places = places.clone();
        move |id: Option<Uuid>| {
            id.and_then(|id| places.iter().find(|p| p.id == id))
                .map(|p| format!("{} ({})", p.name, p.delegation))
                .unwrap_or_else(|| "—".into())
        }
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let organisation = Organisation {
            id: editing
                .get_untracked()
                .unwrap_or_else(crate::ui::kit::save::new_id),
            kind: kind.get_untracked(),
            name: name.get_untracked(),
            locality: locality.get_untracked(),
            archived: false,
        };
        run(i18n, said, reload, async move {
            save_organisation(organisation).await?;
            editing.set(None);
            name.set(String::new());
            Ok(())
        });
    };
    view! {
        <section aria-labelledby="organisations-title">
            <h2 id="organisations-title">{t_string!(i18n, setting_organisations)}</h2>
            <form class="person-editor" novalidate on:submit=save>
                {outcome(i18n, said)}
                {text_input(said, "org-name", "name", t_string!(i18n, setting_name), name)}
                <div class="field">
                    <label for="org-kind">{t_string!(i18n, setting_kind)}</label>
                    <select id="org-kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                        {ORGANISATION_KINDS.into_iter().map(|k| view! {
                            <option value=k selected=move || kind.get() == k>{kind_label(i18n, k)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="org-place">{t_string!(i18n, setting_place)}</label>
                    <select id="org-place" on:change=move |ev| locality.set(event_target_value(&ev).parse().ok())>
                        <option value="" selected=move || locality.get().is_none()>"—"</option>
                        {places.iter().map(|p| {
                            let id = p.id;
                            view! { <option value=id.to_string() selected=move || locality.get() == Some(id)>{format!("{} ({})", p.name, p.delegation)}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="actions">
                    <button type="submit" class="primary">{t_string!(i18n, setting_save_organisation)}</button>
                </div>
            </form>
            <div class="table-scroll">
                <table class="people">
                    <caption>{t_string!(i18n, setting_organisations)}</caption>
                    <thead><tr>
                        <th scope="col">{t_string!(i18n, setting_name)}</th>
                        <th scope="col">{t_string!(i18n, setting_kind)}</th>
                        <th scope="col">{t_string!(i18n, setting_place)}</th>
                        <th scope="col">{t_string!(i18n, people_actions)}</th>
                    </tr></thead>
                    <tbody>
                        {list.into_iter().map(|o| {
                            let (id, archived, label) = (o.id, o.archived, o.name.clone());
                            let edit = o.clone();
                            let toggle = move |_| run(i18n, said, reload, archive_organisation(id, !archived));
                            view! {
                                <tr class:disabled=archived>
                                    <td><bdi>{o.name.clone()}</bdi>{archived.then(|| view! { <br /><strong>{t_string!(i18n, setting_archived)}</strong> })}</td>
                                    <td>{kind_label(i18n, &o.kind)}</td>
                                    <td><bdi>{place_name(o.locality)}</bdi></td>
                                    <td class="actions">
                                        <button type="button" on:click=move |_| {
                                            editing.set(Some(edit.id));
                                            name.set(edit.name.clone());
                                            kind.set(edit.kind.clone());
                                            locality.set(edit.locality);
                                        }>{t_string!(i18n, people_edit)}<span class="visually-hidden">" "{label.clone()}</span></button>
                                        <button type="button" on:click=toggle>
                                            {if archived { t_string!(i18n, setting_restore) } else { t_string!(i18n, setting_archive) }}
                                            <span class="visually-hidden">" "{label.clone()}</span>
                                        </button>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn Places(list: Vec<Place>, reload: Reload) -> impl IntoView {
    let i18n = use_i18n();
    let said: Said = RwSignal::new(None);
    let editing = RwSignal::new(None::<Uuid>);
    let governorate = RwSignal::new("Kébili".to_owned());
    let delegation = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let place = Place {
            id: editing
                .get_untracked()
                .unwrap_or_else(crate::ui::kit::save::new_id),
            governorate: governorate.get_untracked(),
            delegation: delegation.get_untracked(),
            name: name.get_untracked(),
        };
        run(i18n, said, reload, async move {
            save_place(place).await?;
            editing.set(None);
            name.set(String::new());
            Ok(())
        });
    };
    view! {
        <section aria-labelledby="places-title">
            <h2 id="places-title">{t_string!(i18n, setting_places)}</h2>
            <form class="person-editor" novalidate on:submit=save>
                {outcome(i18n, said)}
                {text_input(said, "place-governorate", "governorate", t_string!(i18n, setting_governorate), governorate)}
                {text_input(said, "place-delegation", "delegation", t_string!(i18n, setting_delegation), delegation)}
                {text_input(said, "place-name", "name", t_string!(i18n, setting_name), name)}
                <div class="actions">
                    <button type="submit" class="primary">{t_string!(i18n, setting_save_place)}</button>
                </div>
            </form>
            <div class="table-scroll">
                <table class="people">
                    <caption>{t_string!(i18n, setting_places)}</caption>
                    <thead><tr>
                        <th scope="col">{t_string!(i18n, setting_governorate)}</th>
                        <th scope="col">{t_string!(i18n, setting_delegation)}</th>
                        <th scope="col">{t_string!(i18n, setting_name)}</th>
                        <th scope="col">{t_string!(i18n, people_actions)}</th>
                    </tr></thead>
                    <tbody>
                        {list.into_iter().map(|p| {
                            let edit = p.clone();
                            view! {
                                <tr>
                                    <td><bdi>{p.governorate.clone()}</bdi></td>
                                    <td><bdi>{p.delegation.clone()}</bdi></td>
                                    <td><bdi>{p.name.clone()}</bdi></td>
                                    <td class="actions">
                                        <button type="button" on:click=move |_| {
                                            editing.set(Some(edit.id));
                                            governorate.set(edit.governorate.clone());
                                            delegation.set(edit.delegation.clone());
                                            name.set(edit.name.clone());
                                        }>{t_string!(i18n, people_edit)}<span class="visually-hidden">" "{p.name.clone()}</span></button>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn Chains(list: Vec<ValueChain>, reload: Reload) -> impl IntoView {
    let i18n = use_i18n();
    let said: Said = RwSignal::new(None);
    let editing = RwSignal::new(None::<Uuid>);
    let code = RwSignal::new(String::new());
    let (fr, ar, en) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let chain = ValueChain {
            id: editing
                .get_untracked()
                .unwrap_or_else(crate::ui::kit::save::new_id),
            code: code.get_untracked(),
            names: Names {
                fr: fr.get_untracked(),
                ar: ar.get_untracked(),
                en: en.get_untracked(),
            },
        };
        run(i18n, said, reload, async move {
            save_value_chain(chain).await?;
            editing.set(None);
            for s in [code, fr, ar, en] {
                s.set(String::new());
            }
            Ok(())
        });
    };
    view! {
        <section aria-labelledby="chains-title">
            <h2 id="chains-title">{t_string!(i18n, setting_chains)}</h2>
            <form class="person-editor" novalidate on:submit=save>
                {outcome(i18n, said)}
                {text_input(said, "chain-code", "code", t_string!(i18n, setting_code), code)}
                {text_input(said, "chain-fr", "name_fr", t_string!(i18n, setting_name_fr), fr)}
                {text_input(said, "chain-ar", "name_ar", t_string!(i18n, setting_name_ar), ar)}
                {text_input(said, "chain-en", "name_en", t_string!(i18n, setting_name_en), en)}
                <div class="actions">
                    <button type="submit" class="primary">{t_string!(i18n, setting_save_chain)}</button>
                </div>
            </form>
            <div class="table-scroll">
                <table class="people">
                    <caption>{t_string!(i18n, setting_chains)}</caption>
                    <thead><tr>
                        <th scope="col">{t_string!(i18n, setting_code)}</th>
                        <th scope="col">{t_string!(i18n, setting_name_fr)}</th>
                        <th scope="col">{t_string!(i18n, setting_name_ar)}</th>
                        <th scope="col">{t_string!(i18n, setting_name_en)}</th>
                        <th scope="col">{t_string!(i18n, people_actions)}</th>
                    </tr></thead>
                    <tbody>
                        {list.into_iter().map(|v| {
                            let edit = v.clone();
                            view! {
                                <tr>
                                    <td><code>{v.code.clone()}</code></td>
                                    <td>{v.names.fr.clone()}</td>
                                    <td lang="ar" dir="rtl">{v.names.ar.clone()}</td>
                                    <td lang="en">{v.names.en.clone()}</td>
                                    <td class="actions">
                                        <button type="button" on:click=move |_| {
                                            editing.set(Some(edit.id));
                                            code.set(edit.code.clone());
                                            fr.set(edit.names.fr.clone());
                                            ar.set(edit.names.ar.clone());
                                            en.set(edit.names.en.clone());
                                        }>{t_string!(i18n, people_edit)}<span class="visually-hidden">" "{v.code.clone()}</span></button>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
