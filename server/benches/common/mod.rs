//! What the load benchmarks share: their settings, the server's memory, and quantiles.

use std::time::Duration;

/// A setting from the environment, or `default`.
pub fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The resident memory of process `pid`, in KiB (0 once it is gone).
pub fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// The latency at quantile `q` of sorted `latencies`, in ms.
pub fn quantile(latencies: &[Duration], q: f64) -> f64 {
    latencies
        .get(((latencies.len() as f64 * q).ceil() as usize).saturating_sub(1))
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// A new visit of `project` as a phone's `visit.save` mutation, in JSON.
pub fn new_visit(client: uuid::Uuid, seq: u64, project: &str, observations: &str) -> String {
    format!(
        r#"{{"client_id":"{client}","seq":{seq},"name":"visit.save","args":{{"id":"{}","base_version":null,"fields":{{"project_id":"{project}","visit_on":"2026-11-20","mode":"on_site","topics":["bookkeeping"],"status":"submitted","observations":"{observations}"}}}},"created_at":0}}"#,
        uuid::Uuid::new_v4()
    )
}

/// The cookie of a pull's answer, as JSON to send back. The cookie comes first in the answer:
/// only it is read, so the load generator does not parse every record (it shares the cores).
pub fn pull_cookie(body: &str) -> String {
    body.split_once(r#""cookie":"#)
        .and_then(|(_, rest)| rest.split_once(r#","last_seq""#))
        .map(|(c, _)| c.to_owned())
        .expect("cookie in the pull answer")
}
