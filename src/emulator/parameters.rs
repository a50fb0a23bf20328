//! Parameter discovery (`GET .../dataflows/{id}/parameters`): the parameter queries of `mashup.pq`, written
//! the Power Query way, `shared Name = <value> meta [IsParameterQuery = true, Type = "Text",
//! IsParameterQueryRequired = true, Description = "..."]`, as the M parser reads them
//! ([`crate::definition::mashup::parameter_queries`]), so comments and text literals cannot fool it. Not an
//! evaluation: the value is taken when it is a literal (text, number, logical, date and time), else shown as
//! its source text.

use serde_json::{json, Value};

use crate::definition::mashup::parameter_queries;

/// The discovered parameters, as the API returns them (`DataflowParameter`).
pub fn discover(mashup: &str) -> Vec<Value> {
    parameter_queries(mashup)
        .into_iter()
        .map(|parameter| {
            let (api_type, default) = typed(
                parameter.m_type.as_deref().unwrap_or("Any"),
                &parameter.value,
                parameter.text.as_deref(),
            );
            json!({
                "name": parameter.name,
                "description": parameter.description.unwrap_or_default(),
                "isRequired": parameter.required,
                "type": api_type,
                "defaultValue": default,
            })
        })
        .collect()
}

/// The API type and default value of a parameter of M type `m_type` with source value `value` (`text`
/// when it is a text literal, decoded).
fn typed(m_type: &str, value: &str, text: Option<&str>) -> (&'static str, Value) {
    let text = || Value::String(text.unwrap_or(value).to_owned());
    match m_type {
        "Text" => ("String", text()),
        "Logical" => ("Boolean", value.parse::<bool>().map_or_else(|_| text(), Value::Bool)),
        "Number" | "Decimal" | "Currency" | "Percentage" => {
            if let Ok(integer) = value.parse::<i64>() {
                ("Integer", integer.into())
            } else {
                (
                    "Number",
                    value
                        .parse::<f64>()
                        .ok()
                        .and_then(serde_json::Number::from_f64)
                        .map_or_else(text, Value::Number),
                )
            }
        }
        "Int64" | "Integer" => ("Integer", value.parse::<i64>().map_or_else(|_| text(), Value::from)),
        "DateTime" => ("DateTime", temporal(value).map_or_else(text, Value::String)),
        "DateTimeZone" => ("DateTimeZone", temporal(value).map_or_else(text, Value::String)),
        "Date" => ("Date", temporal(value).map_or_else(text, Value::String)),
        "Time" => ("Time", temporal(value).map_or_else(text, Value::String)),
        "Duration" => ("Duration", temporal(value).map_or_else(text, Value::String)),
        _ => ("String", text()),
    }
}

/// The API's text of an M date, time or duration literal (`#date(2025, 9, 15)` is `2025-09-15`,
/// `#datetime(...)` `2025-09-15T21:45:00.000Z`, `#datetimezone(..., 2, 0)` `2025-09-15T21:45:00+02:00`,
/// `#time(21, 45, 0)` `21:45:00`, `#duration(5, 21, 35, 30)` `P5DT21H35M30S`); `None` for anything else.
fn temporal(value: &str) -> Option<String> {
    use jiff::civil::{Date, DateTime, Time};
    let (function, rest) = value.trim().split_once('(')?;
    let arguments: Vec<f64> =
        rest.strip_suffix(')')?.split(',').map(|a| a.trim().parse::<f64>()).collect::<Result<_, _>>().ok()?;
    // The calendar is jiff's, as everywhere in dfls: a day or an hour that does not exist is no date.
    let whole = |x: f64| (x.fract() == 0.0 && x.abs() < 1e6).then_some(x as i32);
    let field = |x: f64| whole(x).and_then(|n| i8::try_from(n).ok());
    let date = |a: &[f64]| Date::new(i16::try_from(whole(a[0])?).ok()?, field(a[1])?, field(a[2])?).ok();
    let time = |h: f64, m: f64, s: f64| {
        let nanos = (s.fract() * 1e9).round().min(999_999_999.0) as i32;
        Time::new(field(h)?, field(m)?, field(s.trunc())?, nanos).ok()
    };
    // Whole seconds print without a fraction, others with milliseconds.
    let clock = |time: Time| match time.subsec_nanosecond() {
        0 => time.strftime("%H:%M:%S").to_string(),
        _ => time.strftime("%H:%M:%S.%3f").to_string(),
    };
    match (function.trim(), arguments.as_slice()) {
        ("#date", a @ [_, _, _]) => Some(date(a)?.to_string()),
        ("#datetime", a @ [_, _, _, h, m, s]) => Some(
            DateTime::from_parts(date(a)?, time(*h, *m, *s)?).strftime("%Y-%m-%dT%H:%M:%S.%3fZ").to_string(),
        ),
        ("#datetimezone", a @ [_, _, _, h, m, s, oh, om]) => {
            let (hours, minutes) = (whole(*oh)?, whole(*om)?);
            if hours.abs() > 14 || minutes.abs() > 59 {
                return None;
            }
            let sign = if hours < 0 || minutes < 0 { '-' } else { '+' };
            let (date, time) = (date(a)?, time(*h, *m, *s)?);
            Some(format!("{date}T{}{sign}{:02}:{:02}", clock(time), hours.abs(), minutes.abs()))
        }
        ("#time", [h, m, s]) => Some(clock(time(*h, *m, *s)?)),
        ("#duration", [d, h, m, s]) => Some(format!(
            "P{}DT{}H{}M{}S",
            *d as i64,
            *h as i64,
            *m as i64,
            if s.fract() == 0.0 { (*s as i64).to_string() } else { s.to_string() }
        )),
        _ => None,
    }
}

/// Whether a `queryMetadata.json` turns on public parameters (`"parametric": true`).
pub fn is_parametric(query_metadata: &[u8]) -> bool {
    serde_json::from_slice::<Value>(query_metadata)
        .ok()
        .and_then(|value| value.get("parametric").and_then(Value::as_bool))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_queries_are_found() {
        // A comment with `;` and `"` (which a reading of the text by hand took for a statement's end and a
        // text literal's start) and parameters written across lines.
        let mashup = "section Section1;\r\n// Parameters; \"all\" of them\r\nshared manufacturer = \"test-value\" meta [IsParameterQuery = true, \
                      Type = \"Text\", IsParameterQueryRequired = true, Description = \"Manufacturer; of the item\"];\n\
                      shared #\"Is imported\" = true meta [IsParameterQuery=true, Type=\"Logical\", IsParameterQueryRequired=false];\n\
                      shared Count = 25 meta [IsParameterQuery = true, Type = \"Number\"];\n\
                      shared Query = let a = 1 in a;\n";
        let found = discover(mashup);
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(
            found[0],
            json!({"name": "manufacturer", "description": "Manufacturer; of the item", "isRequired": true, "type": "String", "defaultValue": "test-value"})
        );
        assert_eq!(found[1]["name"], "Is imported");
        assert_eq!(found[1]["defaultValue"], true);
        assert_eq!(found[2]["type"], "Integer");
        assert_eq!(found[2]["defaultValue"], 25);
    }

    #[test]
    fn temporal_literals_take_the_api_formats() {
        assert_eq!(temporal("#date(2025, 9, 15)").unwrap(), "2025-09-15");
        assert_eq!(temporal("#datetime(2025, 9, 15, 21, 45, 0)").unwrap(), "2025-09-15T21:45:00.000Z");
        assert_eq!(
            temporal("#datetimezone(2025, 9, 15, 21, 45, 0, 2, 0)").unwrap(),
            "2025-09-15T21:45:00+02:00"
        );
        assert_eq!(temporal("#time(21, 45, 0)").unwrap(), "21:45:00");
        assert_eq!(temporal("#duration(5, 21, 35, 30)").unwrap(), "P5DT21H35M30S");
        assert_eq!(temporal("#time(21, 45, 5.5)").unwrap(), "21:45:05.500");
        assert_eq!(temporal("Date.From(x)"), None);
        // Days and hours that do not exist are no dates: the parameter shows its source text.
        for absurd in [
            "#date(2025, 2, 30)",
            "#date(2025, 13, 1)",
            "#date(2025.5, 1, 1)",
            "#datetime(2025, 9, 15, 24, 0, 0)",
            "#time(21, 60, 0)",
            "#datetimezone(2025, 9, 15, 21, 45, 0, 20, 0)",
            "#date(1e300, 1, 1)",
        ] {
            assert_eq!(temporal(absurd), None, "{absurd}");
        }
        assert_eq!(typed("Date", "#date(2025, 2, 30)", None).1, "#date(2025, 2, 30)");
    }
}
