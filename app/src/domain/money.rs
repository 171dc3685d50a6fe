//! Tunisian dinars, stored as integer millimes (1 DT = 1000 millimes).

/// How a language writes an amount of dinars.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MoneyStyle {
    /// `1 234,500 DT`
    French,
    /// `1 234,500 د.ت` (Tunisia writes Western digits in Arabic too)
    Arabic,
    /// `TND 1,234.500`
    English,
}

/// Formats millimes with three decimals and grouped thousands, in the style of the language.
pub fn format_millimes(millimes: i64, style: MoneyStyle) -> String {
    let sign = if millimes < 0 { "-" } else { "" };
    let abs = millimes.unsigned_abs();
    let (dinars, rest) = (abs / 1000, abs % 1000);
    let (group, decimal) = match style {
        MoneyStyle::French | MoneyStyle::Arabic => ('\u{202f}', ','),
        MoneyStyle::English => (',', '.'),
    };
    let digits = dinars.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(c);
    }
    match style {
        MoneyStyle::French => format!("{sign}{grouped}{decimal}{rest:03}\u{a0}DT"),
        MoneyStyle::Arabic => format!("{sign}{grouped}{decimal}{rest:03}\u{a0}د.ت"),
        MoneyStyle::English => format!("{sign}TND\u{a0}{grouped}{decimal}{rest:03}"),
    }
}

/// An amount as a form shows it to edit, in the way [`parse_dinars`] reads it back: "1200", or
/// "1200,500".
pub fn typed_dinars(millimes: i64) -> String {
    let sign = if millimes < 0 { "-" } else { "" };
    let abs = millimes.unsigned_abs();
    match abs % 1000 {
        0 => format!("{sign}{}", abs / 1000),
        rest => format!("{sign}{},{rest:03}", abs / 1000),
    }
}

/// The most a snapshot amount may be: a billion dinars (a typing slip above that).
pub const MAX_MILLIMES: i64 = 1_000_000_000_000;

/// Reads an amount of dinars as typed on a phone ("1200", "1 200,5", "1200.500 DT") into
/// millimes; `None` for anything else (more than three decimals, a sign, letters).
pub fn parse_dinars(typed: &str) -> Option<i64> {
    let cleaned: String = typed
        .trim()
        .trim_end_matches("DT")
        .trim_end_matches("د.ت")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202f}' && *c != '\u{a0}')
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 3 {
        return None;
    }
    let dinars: i64 = whole.parse().ok()?;
    let millimes: i64 = format!("{fraction:0<3}").parse().ok()?;
    dinars.checked_mul(1000)?.checked_add(millimes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_typed_on_a_phone_read_as_millimes() {
        assert_eq!(parse_dinars("1200"), Some(1_200_000));
        assert_eq!(parse_dinars(" 1 200,5 "), Some(1_200_500));
        assert_eq!(parse_dinars("1200.500 DT"), Some(1_200_500));
        assert_eq!(parse_dinars("0,005"), Some(5));
        for bad in ["", "-5", "12,3456", "douze", "1.2.3", ",5"] {
            assert_eq!(parse_dinars(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn an_amount_opened_again_reads_as_it_was_typed_and_back() {
        assert_eq!(typed_dinars(1_200_000), "1200");
        assert_eq!(typed_dinars(1_200_500), "1200,500");
        assert_eq!(typed_dinars(5), "0,005");
        for m in [0, 5, 1_200_500, 999_999_999_999] {
            assert_eq!(parse_dinars(&typed_dinars(m)), Some(m));
        }
    }

    #[test]
    fn dinars_keep_three_decimals_in_every_language() {
        assert_eq!(
            format_millimes(1_234_500, MoneyStyle::French),
            "1\u{202f}234,500\u{a0}DT"
        );
        assert_eq!(
            format_millimes(1_234_500, MoneyStyle::Arabic),
            "1\u{202f}234,500\u{a0}د.ت"
        );
        assert_eq!(
            format_millimes(1_234_500, MoneyStyle::English),
            "TND\u{a0}1,234.500"
        );
        assert_eq!(format_millimes(-5, MoneyStyle::English), "-TND\u{a0}0.005");
        assert_eq!(
            format_millimes(25_000_000, MoneyStyle::French),
            "25\u{202f}000,000\u{a0}DT"
        );
    }
}
