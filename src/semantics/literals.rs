//! Date and time literals whose parts are out of range: `#date(2024, 2, 30)`, `#time(25, 0, 0)`. M builds
//! these values when the query runs and fails there; with number literals for arguments the problem is
//! certain at edit time. The binder reads the arguments; this module knows the calendar.

/// Whether `name` is a constructor [`date_literal_problem`] checks.
pub(super) fn is_date_constructor(name: &str) -> bool {
    matches!(name, "#date" | "#time" | "#datetime" | "#datetimezone")
}

/// The value of an argument that is a number literal, or one negated (`-5`); `None` for anything else.
pub(super) fn number_value(node: tree_sitter::Node, text: &str) -> Option<f64> {
    // Signs are unwrapped in a loop: `- - - 1` nests one unary expression per sign, as deep as it is written.
    let mut node = node;
    let mut negative = false;
    loop {
        match node.kind() {
            "number_literal" => {
                let token = &text[node.byte_range()];
                let value = match token.strip_prefix("0x").or_else(|| token.strip_prefix("0X")) {
                    Some(hex) => i64::from_str_radix(hex, 16).ok().map(|value| value as f64),
                    None => token.parse().ok(),
                }?;
                return Some(if negative { -value } else { value });
            }
            "unary_expression" if node.child_count() == 2 => {
                match &text[node.child(0)?.byte_range()] {
                    "-" => negative = !negative,
                    "+" => {}
                    _ => return None,
                }
                node = node.child(1)?;
            }
            _ => return None,
        }
    }
}

/// The problem with the constructor `name` (`#date`, `#time`, `#datetime`, `#datetimezone`) called with
/// `arguments` (each `None` unless a number literal): the index of the argument at fault and the message.
/// `None` when the parts are in range, when an argument is not a literal, or for any other function.
pub(super) fn date_literal_problem(name: &str, arguments: &[Option<f64>]) -> Option<(usize, String)> {
    let parts: &[Part] = match name {
        "#date" => &[YEAR, MONTH, DAY],
        "#time" => &[HOUR, MINUTE, SECOND],
        "#datetime" => &[YEAR, MONTH, DAY, HOUR, MINUTE, SECOND],
        "#datetimezone" => &[YEAR, MONTH, DAY, HOUR, MINUTE, SECOND, OFFSET_HOURS, OFFSET_MINUTES],
        _ => return None,
    };
    // A wrong count is the argument-count check's; any non-literal argument makes the value unknowable.
    if arguments.len() != parts.len() {
        return None;
    }
    let values: Vec<f64> = arguments.iter().copied().collect::<Option<_>>()?;
    for (index, (part, &value)) in parts.iter().zip(&values).enumerate() {
        if !(part.low..part.high).contains(&value) {
            return Some((index, format!("{} {} is not between {}", part.name, shown(value), part.range)));
        }
        if part.whole && value.fract() != 0.0 {
            return Some((index, format!("{} {} is not a whole number", part.name, shown(value))));
        }
    }
    // `#time(24, 0, 0)` is the end of the day; 24 with minutes or seconds is not.
    let hour_at = parts.iter().position(|part| part.name == "hour");
    if let Some(hour_at) = hour_at.filter(|&at| values[at] == 24.0) {
        if values[hour_at + 1] != 0.0 || values[hour_at + 2] != 0.0 {
            return Some((hour_at, "hour 24 is only the end of the day, 24:00:00".to_string()));
        }
    }
    if parts.first().is_some_and(|part| part.name == "year") {
        let (year, month, day) = (values[0] as i64, values[1] as u32, values[2]);
        let days = days_in_month(year, month);
        if day > f64::from(days) {
            let month_name = MONTHS[month as usize - 1];
            return Some((2, format!("{month_name} {year} has {days} days, not {}", shown(day))));
        }
    }
    None
}

struct Part {
    name: &'static str,
    /// Allowed values: `low <= value < high`.
    low: f64,
    high: f64,
    range: &'static str,
    /// Whether the value must be a whole number (all but seconds).
    whole: bool,
}

const YEAR: Part = Part { name: "year", low: 1.0, high: 10000.0, range: "1 and 9999", whole: true };
const MONTH: Part = Part { name: "month", low: 1.0, high: 13.0, range: "1 and 12", whole: true };
const DAY: Part = Part { name: "day", low: 1.0, high: 32.0, range: "1 and 31", whole: true };
// 24 is accepted here for `#time(24, 0, 0)`, checked with the minutes and seconds above.
const HOUR: Part = Part { name: "hour", low: 0.0, high: 25.0, range: "0 and 23", whole: true };
const MINUTE: Part = Part { name: "minute", low: 0.0, high: 60.0, range: "0 and 59", whole: true };
const SECOND: Part = Part { name: "second", low: 0.0, high: 60.0, range: "0 and 59.999…", whole: false };
const OFFSET_HOURS: Part =
    Part { name: "offset hours", low: -14.0, high: 15.0, range: "-14 and 14", whole: true };
const OFFSET_MINUTES: Part =
    Part { name: "offset minutes", low: -59.0, high: 60.0, range: "-59 and 59", whole: true };

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The days of a month, from `jiff`'s calendar (the one dfls uses everywhere). `year` and `month` were
/// checked to be in range above; anything else would have 31.
fn days_in_month(year: i64, month: u32) -> u32 {
    let date = i16::try_from(year)
        .ok()
        .zip(i8::try_from(month).ok())
        .and_then(|(year, month)| jiff::civil::Date::new(year, month, 1).ok());
    date.map_or(31, |date| date.days_in_month().unsigned_abs().into())
}

/// A number as M code would write it (`30`, `1.5`).
fn shown(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(name: &str, values: &[f64]) -> Option<String> {
        let arguments: Vec<Option<f64>> = values.iter().copied().map(Some).collect();
        date_literal_problem(name, &arguments).map(|(at, message)| format!("{at}: {message}"))
    }

    #[test]
    fn dates_and_times_in_range_pass() {
        assert_eq!(problem("#date", &[2024.0, 2.0, 29.0]), None, "a leap day");
        assert_eq!(problem("#date", &[2000.0, 2.0, 29.0]), None, "400 years");
        assert_eq!(problem("#time", &[24.0, 0.0, 0.0]), None, "the end of the day");
        assert_eq!(problem("#time", &[23.0, 59.0, 59.5]), None, "fractional seconds");
        assert_eq!(problem("#datetimezone", &[2024.0, 1.0, 1.0, 0.0, 0.0, 0.0, -5.0, -30.0]), None);
        assert_eq!(date_literal_problem("#date", &[Some(2024.0), None, Some(40.0)]), None, "not knowable");
        assert_eq!(problem("#date", &[2024.0, 1.0]), None, "a wrong count is M202's");
        assert_eq!(problem("Date.From", &[1.0]), None);
    }

    #[test]
    fn parts_out_of_range_are_named() {
        assert_eq!(problem("#date", &[2023.0, 2.0, 29.0]).unwrap(), "2: February 2023 has 28 days, not 29");
        assert_eq!(problem("#date", &[1900.0, 2.0, 29.0]).unwrap(), "2: February 1900 has 28 days, not 29");
        assert_eq!(problem("#date", &[2024.0, 4.0, 31.0]).unwrap(), "2: April 2024 has 30 days, not 31");
        assert_eq!(problem("#date", &[2024.0, 13.0, 1.0]).unwrap(), "1: month 13 is not between 1 and 12");
        assert_eq!(problem("#date", &[0.0, 1.0, 1.0]).unwrap(), "0: year 0 is not between 1 and 9999");
        assert_eq!(problem("#time", &[25.0, 0.0, 0.0]).unwrap(), "0: hour 25 is not between 0 and 23");
        assert_eq!(
            problem("#time", &[24.0, 30.0, 0.0]).unwrap(),
            "0: hour 24 is only the end of the day, 24:00:00"
        );
        assert_eq!(problem("#time", &[10.0, 60.0, 0.0]).unwrap(), "1: minute 60 is not between 0 and 59");
        assert_eq!(problem("#date", &[2024.0, 1.5, 1.0]).unwrap(), "1: month 1.5 is not a whole number");
        assert_eq!(
            problem("#datetimezone", &[2024.0, 1.0, 1.0, 0.0, 0.0, 0.0, 15.0, 0.0]).unwrap(),
            "6: offset hours 15 is not between -14 and 14"
        );
    }
}
