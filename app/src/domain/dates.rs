//! Calendar days as the field writes them: day/month/year, Gregorian, Africa/Tunis.
//!
//! Days travel as ISO `YYYY-MM-DD` strings so the browser needs no date library (every byte of
//! WASM costs on 2G); the server parses them with `time`.

/// Tunisia keeps UTC+1 all year (no daylight saving since 2009).
pub const TUNIS_UTC_OFFSET_HOURS: i64 = 1;

/// `2026-11-26` → `26/11/2026`. Anything that is not an ISO day is shown as it is.
pub fn format_day(iso: &str) -> String {
    match split_iso(iso) {
        Some((y, m, d)) => format!("{d:02}/{m:02}/{y:04}"),
        None => iso.to_owned(),
    }
}

/// The (year, month, day) of an ISO day, if it is one.
pub fn split_iso(iso: &str) -> Option<(i32, u32, u32)> {
    let mut parts = iso.get(..10)?.splitn(3, '-');
    let y = parts.next()?.parse().ok()?;
    let m = parts.next()?.parse().ok()?;
    let d = parts.next()?.parse().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

/// Whether `iso` is exactly a calendar day `YYYY-MM-DD` (no 30 February).
pub fn is_iso_day(iso: &str) -> bool {
    let digits = |r: std::ops::Range<usize>| {
        iso.get(r)
            .is_some_and(|s| s.bytes().all(|b| b.is_ascii_digit()))
    };
    iso.len() == 10
        && digits(0..4)
        && digits(5..7)
        && digits(8..10)
        && split_iso(iso).is_some_and(|(y, m, d)| d <= days_in_month(y, m))
}

/// The number of days in a month of the Gregorian calendar.
pub fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm), so two ISO days can be
/// compared and subtracted on both sides without a date crate.
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Whole days from `from` to `to` (negative when `to` is earlier); `None` if either is not a day.
pub fn days_between(from: &str, to: &str) -> Option<i64> {
    let (y1, m1, d1) = split_iso(from)?;
    let (y2, m2, d2) = split_iso(to)?;
    Some(days_from_civil(y2, m2, d2) - days_from_civil(y1, m1, d1))
}

/// The day before an ISO day.
pub fn previous_day(iso: &str) -> Option<String> {
    add_days(iso, -1)
}

/// The ISO day `n` days after `iso` (before it when `n` is negative).
pub fn add_days(iso: &str, n: i64) -> Option<String> {
    let (y, m, d) = split_iso(iso)?;
    let (y, m, d) = civil_from_days(days_from_civil(y, m, d) + n);
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

/// Today in Tunis as an ISO day, from a Unix time in milliseconds.
pub fn iso_day_from_unix_ms(unix_ms: i64) -> String {
    let days = (unix_ms / 1000 + TUNIS_UTC_OFFSET_HOURS * 3600).div_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The day in Tunis of a time written in RFC 3339, UTC (`2026-11-26T23:30:00Z` is already the
/// 27th there); the text's own first ten characters when it is not such a time.
pub fn tunis_day(utc: &str) -> String {
    unix_ms_of(utc)
        .map(iso_day_from_unix_ms)
        .unwrap_or_else(|| utc.get(..10).unwrap_or_default().to_owned())
}

/// `03/12/2026 06:28`: a time written in RFC 3339, UTC, as it was in Tunis; the text as it is
/// when it is not such a time.
pub fn tunis_day_time(utc: &str) -> String {
    match unix_ms_of(utc) {
        Some(ms) => {
            let minutes = (ms / 60_000 + TUNIS_UTC_OFFSET_HOURS * 60).rem_euclid(24 * 60);
            format!(
                "{} {:02}:{:02}",
                format_day(&iso_day_from_unix_ms(ms)),
                minutes / 60,
                minutes % 60
            )
        }
        None => utc.to_owned(),
    }
}

/// Unix ms of an RFC 3339 UTC time, to the minute.
fn unix_ms_of(utc: &str) -> Option<i64> {
    let (y, m, d) = split_iso(utc.get(..10)?)?;
    let hour: i64 = utc.get(11..13)?.parse().ok()?;
    let minute: i64 = utc.get(14..16)?.parse().ok()?;
    Some((days_from_civil(y, m, d) * 86_400 + hour * 3600 + minute * 60) * 1000)
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (y + i64::from(m <= 2), m, d)
}

/// How far the server's clock is ahead of this machine's, in ms (negative: behind). The phone's
/// clock is not trusted (a cheap phone loses its date when the battery dies): the phone learns
/// the server's time from every answer it gets and every page the server drew (`ui::clock`), and
/// days are counted by the corrected clock. Always 0 on the server.
static CLOCK_OFFSET_MS: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// Sets [`clock_offset_ms`].
pub fn set_clock_offset_ms(offset: i64) {
    CLOCK_OFFSET_MS.store(offset, std::sync::atomic::Ordering::Relaxed);
}

/// How far the server's clock is ahead of this machine's, as last learned.
pub fn clock_offset_ms() -> i64 {
    CLOCK_OFFSET_MS.load(std::sync::atomic::Ordering::Relaxed)
}

/// This machine's clock, in Unix ms.
pub fn device_now_ms() -> i64 {
    #[cfg(all(target_arch = "wasm32", feature = "hydrate"))]
    let now_ms = js_sys::Date::now() as i64;
    #[cfg(not(all(target_arch = "wasm32", feature = "hydrate")))]
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default();
    now_ms
}

/// Now by the server's clock, as far as this machine knows it (Unix ms).
pub fn now_ms() -> i64 {
    device_now_ms() + clock_offset_ms()
}

/// `05/12 10:40`: the day and time in Tunis of a Unix-ms time, short.
pub fn day_month_time(unix_ms: i64) -> String {
    let (_, m, d) = split_iso(&iso_day_from_unix_ms(unix_ms)).unwrap_or_default();
    let minutes = (unix_ms / 60_000 + TUNIS_UTC_OFFSET_HOURS * 60).rem_euclid(24 * 60);
    format!("{d:02}/{m:02} {:02}:{:02}", minutes / 60, minutes % 60)
}

/// Today in Tunis by the server's clock, as an ISO day: the day forms default to, and that due
/// and overdue are counted from, on the phone as on the server.
pub fn today_iso() -> String {
    iso_day_from_unix_ms(now_ms())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_written_day_first() {
        assert_eq!(format_day("2026-03-07"), "07/03/2026");
        assert_eq!(format_day("not a day"), "not a day");
    }

    #[test]
    fn day_arithmetic_agrees_with_the_calendar() {
        assert_eq!(days_between("2024-02-28", "2024-03-01"), Some(2));
        assert_eq!(days_between("2026-01-01", "2025-12-31"), Some(-1));
        assert_eq!(days_between("1970-01-01", "2000-01-01"), Some(10_957));
        assert_eq!(days_between("2026-13-01", "2026-01-01"), None);
    }

    #[test]
    fn a_time_late_in_the_evening_utc_is_the_next_day_in_tunis() {
        assert_eq!(tunis_day("2026-11-26T23:30:00Z"), "2026-11-27");
        assert_eq!(tunis_day("2026-11-26T22:59:59Z"), "2026-11-26");
        assert_eq!(tunis_day("2026-12-31T23:00:00Z"), "2027-01-01");
        assert_eq!(tunis_day("2026-11-26"), "2026-11-26");
    }

    #[test]
    fn a_utc_time_is_told_in_tunis() {
        assert_eq!(tunis_day_time("2026-12-03T05:28:23Z"), "03/12/2026 06:28");
        assert_eq!(tunis_day_time("2026-12-31T23:10:00Z"), "01/01/2027 00:10");
        assert_eq!(tunis_day_time("hier"), "hier");
    }

    #[test]
    fn a_time_is_told_short_in_tunis() {
        // 2026-11-25T23:30:00Z is 00:30 on the 26th in Tunis.
        assert_eq!(day_month_time(1_795_649_400_000), "26/11 00:30");
        assert_eq!(day_month_time(0), "01/01 01:00");
    }

    #[test]
    fn midnight_in_tunis_is_eleven_pm_utc() {
        // 2026-11-25T23:30:00Z is already the 26th in Tunis.
        assert_eq!(iso_day_from_unix_ms(1_795_649_400_000), "2026-11-26");
        assert_eq!(iso_day_from_unix_ms(0), "1970-01-01");
    }
}
