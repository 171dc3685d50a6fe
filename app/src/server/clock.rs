//! What time it is, for the server: the system's clock in production, a fixed moment in tests.
//! Passed in through [`super::AppState`] (and to the command line's work), never read from a
//! global, so that "today" is one thing per request and a test can set it.

use time::{Date, OffsetDateTime, UtcOffset};

#[derive(Clone, Copy, Debug, Default)]
pub struct Clock {
    fixed: Option<OffsetDateTime>,
}

impl Clock {
    /// The system's clock.
    pub const fn system() -> Clock {
        Clock { fixed: None }
    }

    /// Always `at`.
    pub const fn fixed(at: OffsetDateTime) -> Clock {
        Clock { fixed: Some(at) }
    }

    /// Noon in Kébili on `day`.
    pub fn on(day: Date) -> Clock {
        let noon = day
            .with_hms(11, 0, 0)
            .map_or(OffsetDateTime::UNIX_EPOCH, |t| t.assume_utc());
        Clock::fixed(noon)
    }

    pub fn now(&self) -> OffsetDateTime {
        self.fixed.unwrap_or_else(OffsetDateTime::now_utc)
    }

    /// Today in Kébili (Tunis time, the programme's day for every date it records).
    pub fn today(&self) -> Date {
        let offset = UtcOffset::from_hms(crate::domain::dates::TUNIS_UTC_OFFSET_HOURS as i8, 0, 0)
            .unwrap_or(UtcOffset::UTC);
        self.now().to_offset(offset).date()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_the_day_in_tunis_not_in_utc() {
        // 23:30 UTC on 31 December is already 1 January in Kébili.
        let late = time::macros::datetime!(2026-12-31 23:30 UTC);
        assert_eq!(
            Clock::fixed(late).today(),
            time::macros::date!(2027 - 01 - 01)
        );
        let early = time::macros::datetime!(2026-12-31 22:30 UTC);
        assert_eq!(
            Clock::fixed(early).today(),
            time::macros::date!(2026 - 12 - 31)
        );
    }
}
