//! Parameter discovery (`GET .../dataflows/{id}/parameters`): the parameter queries of `mashup.pq`, written
//! the Power Query way, `shared Name = <value> meta [IsParameterQuery = true, Type = "Text",
//! IsParameterQueryRequired = true, Description = "..."]`. A light textual reading, not an evaluation: the
//! value is taken when it is a literal (text, number, logical), else shown as its source text.

use serde_json::{json, Value};

/// A discovered parameter, as the API returns it (`DataflowParameter`).
pub fn discover(mashup: &str) -> Vec<Value> {
    let mut found = Vec::new();
    for statement in statements(mashup) {
        let Some(rest) = statement.trim_start().strip_prefix("shared") else { continue };
        let Some((name, body)) = rest.split_once('=') else { continue };
        let Some(meta_at) = body.find("meta") else { continue };
        let (value, record) = (body[..meta_at].trim(), &body[meta_at + 4..]);
        let field = |key: &str| record_field(record, key);
        if !field("IsParameterQuery").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
            continue;
        }
        let name = unquote_name(name.trim());
        let m_type = field("Type").map(|t| unquote(&t)).unwrap_or_else(|| "Any".to_string());
        let (api_type, default) = typed(&m_type, value);
        found.push(json!({
            "name": name,
            "description": field("Description").map(|d| unquote(&d)).unwrap_or_default(),
            "isRequired": field("IsParameterQueryRequired").is_some_and(|v| v.eq_ignore_ascii_case("true")),
            "type": api_type,
            "defaultValue": default,
        }));
    }
    found
}

/// The `;`-terminated statements of a section document, ignoring `;` inside text literals.
fn statements(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_text = false;
    for (at, c) in text.char_indices() {
        match c {
            '"' => in_text = !in_text,
            ';' if !in_text => {
                out.push(&text[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    out
}

/// The source text of `key = value` in a record literal's text.
fn record_field(record: &str, key: &str) -> Option<String> {
    let inner = record.trim().strip_prefix('[')?;
    let mut depth = 0;
    let mut in_text = false;
    let mut fields = Vec::new();
    let mut start = 0;
    for (at, c) in inner.char_indices() {
        match c {
            '"' => in_text = !in_text,
            '[' | '{' | '(' if !in_text => depth += 1,
            ']' | '}' | ')' if !in_text => {
                if depth == 0 {
                    fields.push(&inner[start..at]);
                    break;
                }
                depth -= 1;
            }
            ',' if !in_text && depth == 0 => {
                fields.push(&inner[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    fields.into_iter().find_map(|field| {
        let (name, value) = field.split_once('=')?;
        (name.trim() == key).then(|| value.trim().to_string())
    })
}

fn unquote(text: &str) -> String {
    text.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .map_or_else(|| text.to_string(), |t| t.replace("\"\"", "\""))
}

fn unquote_name(text: &str) -> String {
    text.strip_prefix('#').map_or_else(|| text.to_string(), unquote)
}

/// The API type and default value of a parameter of M type `m_type` with source value `value`.
fn typed(m_type: &str, value: &str) -> (&'static str, Value) {
    let text = || Value::String(unquote(value));
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
        "DateTime" => ("DateTime", text()),
        "DateTimeZone" => ("DateTimeZone", text()),
        "Date" => ("Date", text()),
        "Time" => ("Time", text()),
        "Duration" => ("Duration", text()),
        _ => ("String", text()),
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
        let mashup = "section Section1;\r\nshared manufacturer = \"test-value\" meta [IsParameterQuery = true, \
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
}
