//! `Json.Document`: JSON text (or binary) as M values: objects as records in document order, arrays as
//! lists, numbers, texts, logicals and null. Nesting is bounded by the JSON reader (128 levels), so a
//! deep document is an error, not a deep recursion.

use std::fmt;
use std::rc::Rc;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::super::evaluate::cannot_convert;
use super::super::value::{List, MError, Outcome, Record, Thunk, Value};
use super::Registry;

pub fn register(r: &mut Registry) {
    r.add("Json.Document", document);
}

fn document(args: &[Value]) -> Outcome {
    let text = match &args[0] {
        Value::Text(text) => text.to_string(),
        Value::Binary(bytes) => {
            let encoding = match &args[1] {
                Value::Null => None,
                other => Some(super::number_arg(other)? as i64),
            };
            super::binary::decode(bytes, encoding)?
        }
        other => return Err(cannot_convert(other, "Text")),
    };
    parse(&text)
}

/// Parses a JSON document into M values.
pub fn parse(text: &str) -> Outcome {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = MValue.deserialize(&mut deserializer).and_then(|value| deserializer.end().map(|()| value));
    value.map_err(|error| {
        MError::new("DataFormat.Error", format!("We found an error in the JSON input: {error}."))
            .with_detail(Value::text(&format!("line {}, column {}", error.line(), error.column())))
    })
}

/// Builds an M value from what the JSON reader sees, keeping the members of objects in order.
struct MValue;

impl<'de> DeserializeSeed<'de> for MValue {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for MValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Logical(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n as f64))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n as f64))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(Value::Number(n))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::Text(Rc::from(s)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(MValue)? {
            crate::cancel::checkpoint();
            items.push(item);
        }
        Ok(Value::List(List::from_values(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut names: Vec<Rc<str>> = Vec::new();
        let mut values: Vec<Thunk> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(MValue)?;
            // A repeated member: the last one wins, as .NET's reader leaves it.
            match names.iter().position(|n| **n == *key) {
                Some(i) => values[i] = Thunk::value(value),
                None => {
                    names.push(Rc::from(key));
                    values.push(Thunk::value(value));
                }
            }
        }
        Record::new(names, values)
            .map(Value::Record)
            .map_err(|_| serde::de::Error::custom("a repeated member"))
    }
}
