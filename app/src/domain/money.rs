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

#[cfg(test)]
mod tests {
    use super::*;

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
