//! Cultures, as the library's `culture` parameters name them (`"en-US"`, `"de-DE"`, `""` for the
//! invariant culture): how numbers are written (decimal and group separators) and how dates and times are
//! written and read. A function given no culture uses en-US, the culture of a Fabric Dataflow with
//! default settings. A culture not in [`CULTURES`] is an error that says so, never a silent en-US.

use super::super::datetime::{civil_from_days, days_from_civil, TICKS_PER_SECOND};
use super::super::value::{MError, Value};

/// The parts of a date in the order a culture writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    MonthDayYear,
    DayMonthYear,
    YearMonthDay,
}

/// What the library needs to know of a culture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Culture {
    pub name: &'static str,
    pub decimal: char,
    pub group: char,
    pub date_order: DateOrder,
    pub date_separator: char,
    /// Whether days and months are written with two digits (`05/03/2020`) or as few as needed (`5/3/2020`).
    pub padded: bool,
    /// A 12-hour clock with AM/PM.
    pub twelve_hour: bool,
}

const fn culture(
    name: &'static str,
    decimal: char,
    group: char,
    date_order: DateOrder,
    date_separator: char,
    padded: bool,
    twelve_hour: bool,
) -> Culture {
    Culture { name, decimal, group, date_order, date_separator, padded, twelve_hour }
}

/// The cultures the evaluator knows (their .NET short date and long time patterns).
pub const CULTURES: &[Culture] = &[
    culture("en-US", '.', ',', DateOrder::MonthDayYear, '/', false, true),
    culture("", '.', ',', DateOrder::MonthDayYear, '/', true, false),
    culture("en-GB", '.', ',', DateOrder::DayMonthYear, '/', true, false),
    culture("en-AU", '.', ',', DateOrder::DayMonthYear, '/', false, true),
    culture("en-CA", '.', ',', DateOrder::YearMonthDay, '-', true, true),
    culture("de-DE", ',', '.', DateOrder::DayMonthYear, '.', true, false),
    culture("fr-FR", ',', '\u{202f}', DateOrder::DayMonthYear, '/', true, false),
    culture("es-ES", ',', '.', DateOrder::DayMonthYear, '/', true, false),
    culture("it-IT", ',', '.', DateOrder::DayMonthYear, '/', true, false),
    culture("nl-NL", ',', '.', DateOrder::DayMonthYear, '-', false, false),
    culture("pt-BR", ',', '.', DateOrder::DayMonthYear, '/', true, false),
    culture("sv-SE", ',', '\u{a0}', DateOrder::YearMonthDay, '-', true, false),
    culture("ja-JP", '.', ',', DateOrder::YearMonthDay, '/', true, false),
];

/// en-US, the default.
pub const DEFAULT: Culture = CULTURES[0];

/// The culture a `culture` argument names (null: en-US; names compare without case, as .NET's do).
pub fn culture_arg(value: &Value) -> Result<Culture, MError> {
    match value.plain() {
        Value::Null => Ok(DEFAULT),
        Value::Text(name) => {
            CULTURES.iter().find(|c| c.name.eq_ignore_ascii_case(name)).copied().ok_or_else(|| {
                MError::expression(format!("The culture '{name}' is not supported by dfls yet"))
                    .with_detail(value.clone())
            })
        }
        other => Err(super::super::evaluate::cannot_convert(other, "Text")),
    }
}

impl Culture {
    /// A number as `Text.From` writes it: the shortest round-trip form with this culture's decimal
    /// separator, no group separators.
    pub fn format_number(&self, n: f64) -> String {
        let text = super::super::render::format_number(n);
        if self.decimal == '.' {
            text
        } else {
            text.replace('.', &self.decimal.to_string())
        }
    }

    /// A number written in this culture: sign, digits with group separators, decimal separator, exponent,
    /// a trailing `%`; surrounding whitespace allowed.
    pub fn parse_number(&self, text: &str) -> Option<f64> {
        let trimmed = text.trim();
        let invariant: String = trimmed
            .chars()
            .filter(|c| *c != self.group && !(self.group == '\u{202f}' && *c == ' '))
            .map(|c| if c == self.decimal { '.' } else { c })
            .collect();
        super::number::parse_invariant_number(&invariant)
    }

    /// A date in this culture's short form: `12/31/2011` (en-US), `31.12.2011` (de-DE).
    pub fn format_date(&self, days: i64) -> String {
        let (y, m, d) = civil_from_days(days);
        let sep = self.date_separator;
        let part = |n: i64| if self.padded { format!("{n:02}") } else { n.to_string() };
        match self.date_order {
            DateOrder::MonthDayYear => format!("{}{sep}{}{sep}{y}", part(m), part(d)),
            DateOrder::DayMonthYear => format!("{}{sep}{}{sep}{y}", part(d), part(m)),
            DateOrder::YearMonthDay => format!("{y}{sep}{:02}{sep}{:02}", m, d),
        }
    }

    /// A time of day in this culture's long form: `10:20:30 AM` (en-US), `10:20:30` elsewhere.
    pub fn format_time(&self, ticks: i64) -> String {
        let seconds = ticks / TICKS_PER_SECOND;
        let (hour, minute, second) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
        if !self.twelve_hour {
            return format!("{hour:02}:{minute:02}:{second:02}");
        }
        let twelve = match hour % 12 {
            0 => 12,
            h => h,
        };
        format!("{twelve}:{minute:02}:{second:02} {}", if hour < 12 { "AM" } else { "PM" })
    }

    /// A date written as text: ISO 8601 (`2011-12-31`, a time part after `T` or a space ignored) in any
    /// culture, or this culture's numeric short form.
    pub fn parse_date(&self, text: &str) -> Option<i64> {
        let text = text.trim();
        let date_part = text.split(['T', ' ']).next()?;
        let numbers: Vec<i64> =
            date_part.split(['-', '/', '.']).map(|p| p.trim().parse().ok()).collect::<Option<_>>()?;
        let [a, b, c] = numbers.as_slice() else { return None };
        if date_part.len() >= 8 && date_part.as_bytes()[4] == b'-' {
            return days_from_civil(*a, *b, *c);
        }
        match self.date_order {
            DateOrder::MonthDayYear => days_from_civil(*c, *a, *b),
            DateOrder::DayMonthYear => days_from_civil(*c, *b, *a),
            DateOrder::YearMonthDay => days_from_civil(*a, *b, *c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cultures_write_and_read_numbers_and_dates() {
        let de = CULTURES.iter().find(|c| c.name == "de-DE").unwrap();
        assert_eq!(de.format_number(1234.5), "1234,5");
        assert_eq!(de.parse_number("1.234,5"), Some(1234.5));
        let day = days_from_civil(2011, 3, 5).unwrap();
        assert_eq!(de.format_date(day), "05.03.2011");
        assert_eq!(DEFAULT.format_date(day), "3/5/2011");
        assert_eq!(de.parse_date("05.03.2011"), Some(day));
        assert_eq!(DEFAULT.parse_date("3/5/2011"), Some(day));
        assert_eq!(de.parse_date("2011-03-05"), Some(day));
        assert_eq!(DEFAULT.format_time(13 * 3600 * TICKS_PER_SECOND), "1:00:00 PM");
        assert_eq!(de.format_time(13 * 3600 * TICKS_PER_SECOND), "13:00:00");
    }
}
