//! Pages for the people who review what the field sends: the visits in conflict, each version
//! side by side, kept whole or merged field by field (supervisors and the team, online); and
//! the sync health of every device (the team).

pub mod audit;
pub mod forms;
pub mod import;
pub mod people;
pub mod setting;
pub mod settings;

use crate::api::list_devices;
use crate::domain::{DeviceFlag, DeviceSort, DeviceStatus};
use crate::i18n::*;
use crate::ui::data::resource;
use crate::ui::kit::gate::GatedFrame;
use crate::ui::kit::import::ImportForm;
use crate::ui::kit::panels::ErrorPanel;
use crate::ui::routes::Screen;
use crate::ui::text;
use leptos::prelude::*;

/// `/devices`: the team's view of every device's sync health, one row per device and user,
/// sortable; rows that need action are marked in words and colour.
#[component]
pub(crate) fn DevicesPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = leptos_router::hooks::use_query_map();
    let sort = move || DeviceSort::parse(&query.read().get("sort").unwrap_or_default());
    let devices = resource(|| (), |_| list_devices());
    view! {
        <GatedFrame
            allowed=|role| Screen::Devices.gate().allows(role)
            title=t_string!(i18n, devices_title)
            intro=t_string!(i18n, devices_intro)
        >
            <ImportForm done=move || devices.refetch() />
            {move || devices.get().map(|r| match r {
                Ok(list) if list.is_empty() => view! { <p>{t_string!(i18n, devices_none)}</p> }.into_any(),
                Ok(mut list) => {
                    let by = sort();
                    by.sort(&mut list);
                    view! { <DeviceTable rows=list by /> }.into_any()
                }
                Err(error) => view! { <ErrorPanel error /> }.into_any(),
            })}
        </GatedFrame>
    }
}

#[component]
pub(crate) fn DeviceTable(rows: Vec<DeviceStatus>, by: DeviceSort) -> impl IntoView {
    let i18n = use_i18n();
    let now = now_ms();
    let header = move |key: DeviceSort, label: &'static str| {
        let sorted = key == by;
        view! {
            <th scope="col" aria-sort=if sorted { "descending" } else { "none" }>
                <a href=format!("/devices?sort={}", key.as_str())>{label}{sorted.then_some(" ▼")}</a>
            </th>
        }
    };
    view! {
        <div class="table-scroll">
            <table class="devices">
                <caption>{t_string!(i18n, devices_caption)}</caption>
                <thead>
                    <tr>
                        {header(DeviceSort::Attention, t_string!(i18n, col_flags))}
                        {header(DeviceSort::User, t_string!(i18n, col_user))}
                        <th scope="col">{t_string!(i18n, col_device)}</th>
                        {header(DeviceSort::Pending, t_string!(i18n, col_waiting))}
                        {header(DeviceSort::Oldest, t_string!(i18n, col_oldest))}
                        {header(DeviceSort::LastSeen, t_string!(i18n, col_last_sync))}
                        {header(DeviceSort::Storage, t_string!(i18n, col_storage))}
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|d| {
                        let flagged = !d.flags.is_empty();
                        let flags = if flagged {
                            d.flags.iter().map(|f| match f {
                                DeviceFlag::WaitingTooLong => t_string!(i18n, flag_waiting),
                                DeviceFlag::Silent => t_string!(i18n, flag_silent),
                                DeviceFlag::MayBeEvicted => t_string!(i18n, flag_evictable),
                            }).collect::<Vec<_>>().join(" · ")
                        } else {
                            t_string!(i18n, flag_none).to_owned()
                        };
                        let percent = (d.storage_bytes * 100).checked_div(d.storage_budget).unwrap_or(0);
                        let kept = match d.storage_persistent {
                            Some(true) => t_string!(i18n, storage_kept),
                            Some(false) => t_string!(i18n, storage_may_be_cleared),
                            None => t_string!(i18n, storage_unknown),
                        };
                        view! {
                            <tr class:flagged=flagged>
                                <td class:flag=flagged>{flagged.then_some("⚠ ")}{flags}</td>
                                <td><bdi>{d.user_name}</bdi><br /><small>{text::role(i18n, d.role)}</small></td>
                                <td><bdi>{d.label}</bdi><br /><small>{d.app_version}</small></td>
                                <td>
                                    {d.pending}
                                    {(d.files_waiting > 0).then(|| view! {
                                        <br /><small>{t_string!(i18n, device_files_waiting, count = d.files_waiting, mb = crate::ui::text::megabytes(i18n, d.files_waiting_bytes)).to_string()}</small>
                                    })}
                                </td>
                                <td>{if d.pending > 0 { text::ago(i18n, d.oldest_pending_at, now) } else { "—".to_owned() }}</td>
                                <td>{text::ago(i18n, Some(d.last_seen_at), now)}</td>
                                <td>{format!("{percent} % · ")}{kept}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Now, in Unix ms, on either side.
pub(crate) fn now_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        crate::ui::platform::now_ms()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(0))
    }
}
