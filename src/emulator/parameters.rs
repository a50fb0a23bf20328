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
    let (function, rest) = value.trim().split_once('(')?;
    let arguments: Vec<f64> =
        rest.strip_suffix(')')?.split(',').map(|a| a.trim().parse::<f64>()).collect::<Result<_, _>>().ok()?;
    // Whole numbers print without a fraction; seconds keep theirs.
    let int = |x: f64| format!("{:02}", x.trunc() as i64);
    let seconds = |x: f64| if x.fract() == 0.0 { int(x) } else { format!("{x:06.3}") };
    let date = |a: &[f64]| format!("{:04}-{}-{}", a[0] as i64, int(a[1]), int(a[2]));
    match (function.trim(), arguments.as_slice()) {
        ("#date", a @ [_, _, _]) => Some(date(a)),
        ("#datetime", a @ [_, _, _, h, m, s]) => Some(format!(
            "{}T{}:{}:{}.{:03}Z",
            date(a),
            int(*h),
            int(*m),
            int(*s),
            (s.fract() * 1000.0).round() as i64
        )),
        ("#datetimezone", a @ [_, _, _, h, m, s, oh, om]) => {
            let sign = if *oh < 0.0 || *om < 0.0 { '-' } else { '+' };
            Some(format!(
                "{}T{}:{}:{}{sign}{}:{}",
                date(a),
                int(*h),
                int(*m),
                seconds(*s),
                int(oh.abs()),
                int(om.abs())
            ))
        }
        ("#time", [h, m, s]) => Some(format!("{}:{}:{}", int(*h), int(*m), seconds(*s))),
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
        assert_eq!(temporal("Date.From(x)"), None);
    }
}
