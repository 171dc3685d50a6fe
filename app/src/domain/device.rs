//! Sync health: what each device last told the server about itself, and the flags the team acts
//! on (ARCHITECTURE.md, "The sync protocol": every sync carries a heartbeat).

use super::Role;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

const HOUR_MS: i64 = 60 * 60 * 1000;
/// Entries waiting longer than this on a phone are at risk.
pub const WAITING_TOO_LONG_MS: i64 = 24 * HOUR_MS;
/// A device not heard from for this long may be broken, lost or wiped.
pub const SILENT_TOO_LONG_MS: i64 = 3 * 24 * HOUR_MS;
/// Browser families that clear storage not marked persistent (under storage pressure; Safari
/// also after seven days without use).
const EVICTING_BROWSERS: [&str; 4] = ["chrome", "samsung", "firefox", "safari"];

/// One device as one user uses it, from its latest heartbeat.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceStatus {
    pub device_id: Uuid,
    pub label: String,
    pub user_name: String,
    pub role: Role,
    pub app_version: String,
    pub browser: String,
    pub pending: u32,
    /// Unix ms.
    pub oldest_pending_at: Option<i64>,
    /// Unix ms of the last sync the device saw go through.
    pub last_success_at: Option<i64>,
    /// Unix ms of the last call that reached the server.
    pub last_seen_at: i64,
    pub storage_bytes: u64,
    pub storage_budget: u64,
    pub storage_persistent: Option<bool>,
    /// Evidence files waiting on it, and their bytes.
    #[serde(default)]
    pub files_waiting: u32,
    #[serde(default)]
    pub files_waiting_bytes: u64,
    /// Filled in by [`DeviceStatus::flag`].
    #[serde(default)]
    pub flags: Vec<DeviceFlag>,
}

/// Something about a device the team should act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DeviceFlag {
    /// Entries have waited on it more than 24 hours.
    WaitingTooLong,
    /// Not heard from for more than 3 days.
    Silent,
    /// Its storage is not persistent, on a browser known to evict.
    MayBeEvicted,
}

impl DeviceStatus {
    /// Sets the flags as of `now` (unix ms).
    pub fn flag(mut self, now: i64) -> Self {
        let mut flags = Vec::new();
        if self.pending > 0
            && self
                .oldest_pending_at
                .is_some_and(|t| now - t > WAITING_TOO_LONG_MS)
        {
            flags.push(DeviceFlag::WaitingTooLong);
        }
        if now - self.last_seen_at > SILENT_TOO_LONG_MS {
            flags.push(DeviceFlag::Silent);
        }
        if self.storage_persistent == Some(false)
            && EVICTING_BROWSERS.contains(&self.browser.as_str())
        {
            flags.push(DeviceFlag::MayBeEvicted);
        }
        self.flags = flags;
        self
    }
}

/// The columns the team can sort the sync status page by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceSort {
    /// Flagged devices first, then the longest silent.
    Attention,
    User,
    Pending,
    Oldest,
    LastSeen,
    Storage,
}

impl DeviceSort {
    pub const ALL: [DeviceSort; 6] = [
        DeviceSort::Attention,
        DeviceSort::User,
        DeviceSort::Pending,
        DeviceSort::Oldest,
        DeviceSort::LastSeen,
        DeviceSort::Storage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeviceSort::Attention => "attention",
            DeviceSort::User => "user",
            DeviceSort::Pending => "pending",
            DeviceSort::Oldest => "oldest",
            DeviceSort::LastSeen => "last_seen",
            DeviceSort::Storage => "storage",
        }
    }

    pub fn parse(s: &str) -> DeviceSort {
        DeviceSort::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .unwrap_or(DeviceSort::Attention)
    }

    /// Sorts `rows` the way the team reads this column: what needs attention first.
    pub fn sort(self, rows: &mut [DeviceStatus]) {
        match self {
            DeviceSort::Attention => rows.sort_by(|a, b| {
                b.flags
                    .len()
                    .cmp(&a.flags.len())
                    .then(a.last_seen_at.cmp(&b.last_seen_at))
            }),
            DeviceSort::User => {
                rows.sort_by(|a, b| a.user_name.cmp(&b.user_name).then(a.label.cmp(&b.label)))
            }
            DeviceSort::Pending => rows.sort_by_key(|r| std::cmp::Reverse(r.pending)),
            DeviceSort::Oldest => rows.sort_by_key(|r| r.oldest_pending_at.unwrap_or(i64::MAX)),
            DeviceSort::LastSeen => rows.sort_by_key(|r| r.last_seen_at),
            DeviceSort::Storage => rows.sort_by_key(|r| std::cmp::Reverse(r.storage_bytes)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;

    fn device(name: &str) -> DeviceStatus {
        DeviceStatus {
            device_id: Uuid::nil(),
            label: "Android · Chrome".into(),
            user_name: name.into(),
            role: Role::Facilitator,
            app_version: "0.1.0".into(),
            browser: "chrome".into(),
            pending: 0,
            oldest_pending_at: None,
            last_success_at: Some(NOW - HOUR_MS),
            last_seen_at: NOW - HOUR_MS,
            storage_bytes: 10_000,
            storage_budget: 5 << 20,
            storage_persistent: Some(true),
            files_waiting: 0,
            files_waiting_bytes: 0,
            flags: Vec::new(),
        }
    }

    #[test]
    fn a_healthy_device_has_no_flag() {
        assert!(device("Amal").flag(NOW).flags.is_empty());
    }

    #[test]
    fn entries_waiting_more_than_a_day_are_flagged_not_before() {
        let mut d = device("Amal");
        d.pending = 3;
        d.oldest_pending_at = Some(NOW - 23 * HOUR_MS);
        assert!(d.clone().flag(NOW).flags.is_empty());
        d.oldest_pending_at = Some(NOW - 25 * HOUR_MS);
        assert_eq!(d.flag(NOW).flags, [DeviceFlag::WaitingTooLong]);
    }

    #[test]
    fn a_device_silent_for_more_than_three_days_is_flagged() {
        let mut d = device("Amal");
        d.last_seen_at = NOW - 71 * HOUR_MS;
        assert!(d.clone().flag(NOW).flags.is_empty());
        d.last_seen_at = NOW - 73 * HOUR_MS;
        assert_eq!(d.flag(NOW).flags, [DeviceFlag::Silent]);
    }

    #[test]
    fn storage_not_persistent_is_flagged_on_browsers_that_evict() {
        let mut d = device("Amal");
        d.storage_persistent = Some(false);
        assert_eq!(d.clone().flag(NOW).flags, [DeviceFlag::MayBeEvicted]);
        // No answer from the browser is not a refusal.
        d.storage_persistent = None;
        assert!(d.clone().flag(NOW).flags.is_empty());
        d.storage_persistent = Some(false);
        d.browser = "other".into();
        assert!(d.flag(NOW).flags.is_empty());
    }

    #[test]
    fn the_default_order_puts_what_needs_attention_first() {
        let healthy = device("Amal").flag(NOW);
        let mut stuck = device("Yassine");
        stuck.pending = 4;
        stuck.oldest_pending_at = Some(NOW - 30 * HOUR_MS);
        stuck.last_seen_at = NOW - 80 * HOUR_MS;
        let stuck = stuck.flag(NOW);
        let mut rows = vec![healthy, stuck];
        DeviceSort::parse("nonsense").sort(&mut rows);
        assert_eq!(rows[0].user_name, "Yassine");
        DeviceSort::parse("user").sort(&mut rows);
        assert_eq!(rows[0].user_name, "Amal");
        DeviceSort::parse("pending").sort(&mut rows);
        assert_eq!(rows[0].pending, 4);
    }
}
