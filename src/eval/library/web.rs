//! `Web.Contents(url, options)`: a GET through [`crate::eval::sources`] (`dfls eval` fetches only the URL
//! prefixes `[eval] web` in dfls.toml allows). The options Power Query documents that a GET uses:
//! `RelativePath` (appended to the URL with a `/`), `Query` (a record of texts, or lists of texts for a
//! repeated key, percent-encoded), `Headers` (a record of texts), `Timeout` (a duration; 100 seconds
//! otherwise, as Power Query), `ManualStatusHandling` (the statuses whose body is returned instead of an
//! error). A status of 400 or more is otherwise a `DataSource.Error` with the status. The binary carries the
//! metadata `Content.Uri` and `Response.Status`. `Content` (a POST) and `ApiKeyName` are not available
//! locally.

use std::rc::Rc;
use std::time::Duration;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::super::evaluate::cannot_convert;
use super::super::sources::{self, shown_url, WebRequest};
use super::super::value::{MError, Outcome, Record, Value};
use super::{number_arg, record_arg, text_arg, Registry};

pub fn register(r: &mut Registry) {
    r.add("Web.Contents", web_contents);
}

/// What a query key or value keeps unescaped (RFC 3986's unreserved characters).
const QUERY: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Power Query's default timeout.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(100);

fn option(options: Option<&Record>, name: &str) -> Result<Option<Value>, MError> {
    match options.and_then(|o| o.get(name)) {
        None => Ok(None),
        Some(value) => value.map(|v| if v.is_null() { None } else { Some(v.plain().clone()) }),
    }
}

fn web_contents(args: &[Value]) -> Outcome {
    let mut url = text_arg(&args[0])?.to_owned();
    let options = match &args[1] {
        Value::Null => None,
        other => Some(record_arg(other)?),
    };
    for unavailable in ["Content", "ApiKeyName"] {
        if option(options, unavailable)?.is_some() {
            return Err(MError::new(
                "DataSource.Error",
                format!("`Web.Contents` with the option {unavailable} is not available locally: evaluate in Fabric (`dfls query`)"),
            ));
        }
    }
    if let Some(relative) = option(options, "RelativePath")? {
        let relative = text_arg(&relative)?;
        if !relative.is_empty() {
            if !url.ends_with('/') && !relative.starts_with('/') {
                url.push('/');
            }
            url.push_str(relative.strip_prefix('/').filter(|_| url.ends_with('/')).unwrap_or(relative));
        }
    }
    if let Some(query) = option(options, "Query")? {
        let query = record_arg(&query)?;
        let mut pairs = Vec::new();
        for (name, thunk) in query.names().iter().zip(query.values.iter()) {
            let values = match thunk.force()?.plain() {
                Value::Text(text) => vec![text.clone()],
                Value::List(list) => list
                    .values()?
                    .iter()
                    .map(|v| text_arg(v.plain()).map(Rc::from))
                    .collect::<Result<_, _>>()?,
                other => return Err(cannot_convert(other, "Text")),
            };
            for value in values {
                pairs.push(format!(
                    "{}={}",
                    utf8_percent_encode(name, QUERY),
                    utf8_percent_encode(&value, QUERY)
                ));
            }
        }
        if !pairs.is_empty() {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&pairs.join("&"));
        }
    }
    let mut headers = Vec::new();
    if let Some(record) = option(options, "Headers")? {
        let record = record_arg(&record)?;
        for (name, thunk) in record.names().iter().zip(record.values.iter()) {
            headers.push((name.to_string(), text_arg(thunk.force()?.plain())?.to_owned()));
        }
    }
    let timeout = match option(options, "Timeout")? {
        None => DEFAULT_TIMEOUT,
        Some(Value::Duration(ticks)) if ticks > 0 => {
            Duration::from_nanos(u64::try_from(ticks).unwrap_or(u64::MAX).saturating_mul(100))
        }
        Some(other) => {
            return Err(MError::expression(format!(
                "The Timeout option must be a positive duration, not {}.",
                super::super::render::describe(&other)
            )))
        }
    };
    let manual: Vec<u16> = match option(options, "ManualStatusHandling")? {
        None => Vec::new(),
        Some(Value::List(list)) => list
            .values()?
            .iter()
            .map(|v| number_arg(v.plain()).map(|n| n as u16))
            .collect::<Result<_, _>>()?,
        Some(other) => return Err(cannot_convert(&other, "List")),
    };
    let request = WebRequest { url: url.clone(), headers, timeout: Some(timeout) };
    let response = sources::current().web(&request)?;
    if response.status >= 400 && !manual.contains(&response.status) {
        return Err(MError::new(
            "DataSource.Error",
            format!("Web.Contents failed to get contents from '{}' ({}).", shown_url(&url), response.status),
        )
        .with_detail(Value::Record(Record::from_pairs(vec![
            ("DataSourceKind", Value::text("Web")),
            ("DataSourcePath", Value::text(&shown_url(&url))),
            ("Response.Status", Value::Number(f64::from(response.status))),
        ]))));
    }
    let metadata = Record::from_pairs(vec![
        ("Content.Uri", Value::text(&url)),
        ("Response.Status", Value::Number(f64::from(response.status))),
    ]);
    Ok(Value::Meta(Rc::new((Value::Binary(Rc::from(response.body)), metadata))))
}
