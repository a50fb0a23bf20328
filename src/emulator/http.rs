//! The one dispatcher of the API: every `/v1/...` request passes the `Host` check, authentication and fault
//! injection, then is
//! routed by method and path segments compared without case (Fabric's dataflow job paths changed case over
//! time: `jobs/Execute/instances`, `jobs/execute/instances`). Also the response helpers and pagination every
//! list uses.
//!
//! Handlers are synchronous (`Result<Response, ApiError>`); they run on the runtime's worker threads and hold
//! the store only for one short transaction.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::errors::ApiError;
use super::{api_items, api_jobs, api_schedules, api_workspaces, clock, faults, lro, Emulator, Options};

/// The largest request body taken (Fabric's own limit for definitions is of this order).
const MAX_BODY: usize = 64 * 1024 * 1024;

pub fn router(emulator: Arc<Emulator>) -> Router {
    Router::new()
        .route("/v1", any(handle))
        .route("/v1/", any(handle))
        .route("/v1/{*rest}", any(handle))
        .route("/admin/faults", any(handle_admin))
        .fallback(any(not_found))
        .with_state(emulator)
}

/// What a handler gets of a request.
pub struct Ctx<'a> {
    pub emulator: &'a Emulator,
    pub options: Options,
    pub method: Method,
    /// The path segments after `/v1`, as sent.
    pub raw: Vec<String>,
    pub query: Vec<(String, String)>,
    pub body: Bytes,
    /// The request's `Content-Type`, if it has one.
    pub content_type: Option<String>,
    /// `http://<host>/v1`, from the `Host` header, for `Location` headers and continuation URIs.
    pub base: String,
    /// The path after `/v1`, as sent, for continuation URIs.
    pub path: String,
}

impl Ctx<'_> {
    /// A query parameter, by name without case.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    /// A boolean query parameter (`true`/`True`); absent is false.
    pub fn query_flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.query(name) {
            None => Ok(false),
            Some(value) if value.eq_ignore_ascii_case("true") => Ok(true),
            Some(value) if value.eq_ignore_ascii_case("false") => Ok(false),
            Some(value) => Err(ApiError::bad_request(
                "InvalidParameter",
                format!("The query parameter `{name}` must be true or false, not `{value}`."),
            )),
        }
    }

    /// The body as a JSON object; `None` for an empty body when `optional`. A body must say it is JSON
    /// (`Content-Type: application/json`), as Fabric requires.
    pub fn json_body(&self, optional: bool) -> Result<Option<Map<String, Value>>, ApiError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return if optional {
                Ok(None)
            } else {
                Err(ApiError::bad_request("InvalidRequest", "The request needs a JSON body."))
            };
        }
        json_media_type(self.content_type.as_deref())?;
        match serde_json::from_slice::<Value>(&self.body) {
            Ok(Value::Object(map)) => Ok(Some(map)),
            Ok(other) => Err(ApiError::bad_request(
                "InvalidRequest",
                format!("The request body must be a JSON object, not {}.", json_type(&other)),
            )),
            Err(error) => Err(ApiError::bad_request(
                "InvalidRequest",
                format!("The request body is not valid JSON: {error}."),
            )),
        }
    }

    /// One page of `values`, with `continuationToken` and `continuationUri` when more follow.
    pub fn page(&self, values: Vec<Value>) -> Result<Value, ApiError> {
        let start = match self.query("continuationToken") {
            None => 0,
            Some(token) => decode_token(token).ok_or_else(|| {
                ApiError::bad_request("InvalidContinuationToken", "The continuation token is not valid.")
            })?,
        };
        let size = self.options.page_size.max(1);
        let end = start.saturating_add(size).min(values.len());
        let page: Vec<Value> = values.get(start.min(values.len())..end).unwrap_or_default().to_vec();
        let mut body = json!({ "value": page });
        if end < values.len() {
            let token = encode_token(end);
            let mut query: Vec<String> = self
                .query
                .iter()
                .filter(|(key, _)| !key.eq_ignore_ascii_case("continuationToken"))
                .map(|(key, value)| format!("{}={}", percent_encode(key), percent_encode(value)))
                .collect();
            query.push(format!("continuationToken={}", percent_encode(&token)));
            body["continuationUri"] = format!("{}{}?{}", self.base, self.path, query.join("&")).into();
            body["continuationToken"] = token.into();
        }
        Ok(body)
    }
}

/// Refuses a body whose `Content-Type` is not JSON (`application/json`, or a `+json` type) or missing:
/// 415 `UnsupportedMediaType`.
pub fn json_media_type(content_type: Option<&str>) -> Result<(), ApiError> {
    let media_type = content_type.unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if media_type == "application/json"
        || (media_type.starts_with("application/") && media_type.ends_with("+json"))
    {
        return Ok(());
    }
    let said = if media_type.is_empty() { "no Content-Type".to_string() } else { format!("`{media_type}`") };
    Err(ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "UnsupportedMediaType",
        format!("The request body must be JSON with `Content-Type: application/json`, not {said}."),
    ))
}

/// The `Content-Type` of a request, if it has a readable one.
fn content_type(headers: &axum::http::HeaderMap) -> Option<String> {
    headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string)
}

/// An opaque continuation token for an offset.
fn encode_token(offset: usize) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("dfls,{offset}"))
}

fn decode_token(token: &str) -> Option<usize> {
    let bytes = base64::engine::general_purpose::STANDARD.decode(token.trim()).ok()?;
    String::from_utf8(bytes).ok()?.strip_prefix("dfls,")?.parse().ok()
}

/// Percent-encodes everything but unreserved characters.
pub fn percent_encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, crate::text::URI_COMPONENT).to_string()
}

/// The JSON type name of a value, for messages.
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A JSON answer.
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    (status, axum::Json(body)).into_response()
}

/// An answer with no body.
pub fn empty(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

/// Adds a header whose value is known to be valid (URLs and numbers built here).
pub fn with_header(mut response: Response, name: &'static str, value: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
    response
}

async fn not_found(method: Method, uri: Uri) -> Response {
    let error = ApiError::not_found("EntityNotFound", format!("No API answers {method} {}.", uri.path()));
    error.into_response_with(&clock::new_guid())
}

async fn handle_admin(State(emulator): State<Arc<Emulator>>, request: Request) -> Response {
    let request_id = clock::new_guid();
    let (parts, body) = request.into_parts();
    let options = emulator.options();
    let admitted = faults::check_host(&parts.headers, &options.hosts).and_then(|()| {
        faults::authorize(&parts.headers, &Options { faults: faults::Faults::default(), ..options })
    });
    let answer = match admitted {
        Err(error) => Err(error),
        Ok(()) => match axum::body::to_bytes(body, MAX_BODY).await {
            Err(_) => Err(ApiError::bad_request("InvalidRequest", "The request body could not be read.")),
            Ok(bytes) => {
                let typed = if bytes.iter().all(u8::is_ascii_whitespace) {
                    Ok(())
                } else {
                    json_media_type(content_type(&parts.headers).as_deref())
                };
                typed.and_then(|()| {
                    faults::admin(&emulator, parts.method.as_str(), &bytes)
                        .map(|value| json_response(StatusCode::OK, &value))
                })
            }
        },
    };
    finish(answer, &request_id)
}

fn finish(answer: Result<Response, ApiError>, request_id: &str) -> Response {
    let mut response = match answer {
        Ok(response) => response,
        Err(error) => error.into_response_with(request_id),
    };
    if let Ok(value) = HeaderValue::from_str(request_id) {
        response.headers_mut().insert("RequestId", value);
    }
    response
}

async fn handle(State(emulator): State<Arc<Emulator>>, request: Request) -> Response {
    let request_id = clock::new_guid();
    let (parts, body) = request.into_parts();
    let method = parts.method.clone();
    let path_for_log = parts.uri.path().to_string();
    let options = emulator.options();
    let log = options.log;
    // Before the body is read: a request from a page that is not this machine's gets nothing more.
    if let Err(error) = faults::check_host(&parts.headers, &options.hosts) {
        let response = finish(Err(error), &request_id);
        if log {
            eprintln!("{method} {path_for_log} -> {} (Host refused)", response.status().as_u16());
        }
        return response;
    }
    let answer = match axum::body::to_bytes(body, MAX_BODY).await {
        Err(_) => Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestTooLarge",
            "The request body is too large.",
        )),
        Ok(bytes) => {
            let emulator = Arc::clone(&emulator);
            // The handlers are blocking (SQLite); keep them off the async workers.
            tokio::task::spawn_blocking(move || respond(&emulator, options, &parts, bytes))
                .await
                .unwrap_or_else(|_| {
                    Err(ApiError::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "UnknownError",
                        "The request handler failed.",
                    ))
                })
        }
    };
    let response = finish(answer, &request_id);
    if log {
        eprintln!("{method} {path_for_log} -> {}", response.status().as_u16());
    }
    response
}

fn respond(
    emulator: &Emulator,
    options: Options,
    parts: &axum::http::request::Parts,
    body: Bytes,
) -> Result<Response, ApiError> {
    faults::authorize(&parts.headers, &options)?;
    let full = parts.uri.path();
    faults::inject(emulator, &options, full)?;
    let path = full.strip_prefix("/v1").unwrap_or(full).to_string();
    let raw: Vec<String> = path.split('/').filter(|s| !s.is_empty()).map(percent_decode).collect();
    let query = axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
        .map(|q| q.0)
        .map_err(|_| ApiError::bad_request("InvalidRequest", "The query string is not valid."))?;
    let host = parts.headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    let ctx = Ctx {
        emulator,
        options,
        method: parts.method.clone(),
        raw,
        query,
        body,
        content_type: content_type(&parts.headers),
        base: format!("http://{host}/v1"),
        path,
    };
    route(&ctx)
}

/// A path segment with its `%XX` escapes decoded (a `%` not followed by two hexadecimal digits is itself).
fn percent_decode(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment).decode_utf8_lossy().into_owned()
}

/// Which path an item is addressed by: the core `items` or the `dataflows` group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Items,
    Dataflows,
}

fn route(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let lower: Vec<String> = ctx.raw.iter().map(|s| s.to_ascii_lowercase()).collect();
    let s: Vec<&str> = lower.iter().map(String::as_str).collect();
    let m = ctx.method.as_str();
    let group = |name: &str| match name {
        "items" => Some(Group::Items),
        "dataflows" => Some(Group::Dataflows),
        _ => None,
    };
    let raw = |i: usize| ctx.raw[i].as_str();
    match (m, s.as_slice()) {
        ("GET", ["workspaces"]) => api_workspaces::list(ctx),
        ("POST", ["workspaces"]) => api_workspaces::create(ctx),
        ("GET", ["workspaces", ws]) => api_workspaces::get(ctx, ws),
        ("GET", ["operations", id]) => lro::state(ctx, id),
        ("GET", ["operations", id, "result"]) => lro::result(ctx, id),
        (_, ["workspaces", ws, g, rest @ ..]) if group(g).is_some() => {
            let g = group(g).unwrap_or(Group::Items);
            match (m, rest) {
                ("GET", []) => api_items::list(ctx, ws, g),
                ("POST", []) => api_items::create(ctx, ws, g),
                ("GET", [id]) => api_items::get(ctx, ws, g, id),
                ("PATCH", [id]) => api_items::update(ctx, ws, g, id),
                ("DELETE", [id]) => api_items::delete(ctx, ws, g, id),
                ("POST", [id, "getdefinition"]) => api_items::get_definition(ctx, ws, g, id),
                ("POST", [id, "updatedefinition"]) => api_items::update_definition(ctx, ws, g, id),
                ("GET", [id, "parameters"]) if g == Group::Dataflows => api_items::parameters(ctx, ws, id),
                ("POST", [id, "executequery"]) if g == Group::Dataflows => {
                    api_items::execute_query(ctx, ws, id)
                }
                ("POST", [id, "jobs", "instances"]) => {
                    let job_type = ctx.query("jobType").ok_or_else(|| {
                        ApiError::bad_request(
                            "InvalidJobType",
                            "Name the job type: `jobs/{jobType}/instances` or `?jobType=`.",
                        )
                    })?;
                    api_jobs::run(ctx, ws, g, id, job_type)
                }
                ("GET", [id, "jobs", "instances"]) => api_jobs::list(ctx, ws, g, id),
                ("GET", [id, "jobs", "instances", job]) => api_jobs::get(ctx, ws, g, id, job),
                ("POST", [id, "jobs", "instances", job, "cancel"]) => api_jobs::cancel(ctx, ws, g, id, job),
                ("POST", [id, "jobs", _, "instances"]) => api_jobs::run(ctx, ws, g, id, raw(5)),
                ("GET", [id, "jobs", _, "schedules"]) => api_schedules::list(ctx, ws, g, id, raw(5)),
                ("POST", [id, "jobs", _, "schedules"]) => api_schedules::create(ctx, ws, g, id, raw(5)),
                ("GET", [id, "jobs", _, "schedules", sid]) => api_schedules::get(ctx, ws, g, id, raw(5), sid),
                ("PATCH", [id, "jobs", _, "schedules", sid]) => {
                    api_schedules::update(ctx, ws, g, id, raw(5), sid)
                }
                ("DELETE", [id, "jobs", _, "schedules", sid]) => {
                    api_schedules::delete(ctx, ws, g, id, raw(5), sid)
                }
                _ => Err(no_api(ctx)),
            }
        }
        _ => Err(no_api(ctx)),
    }
}

fn no_api(ctx: &Ctx<'_>) -> ApiError {
    ApiError::not_found("EntityNotFound", format!("No API answers {} /v1{}.", ctx.method, ctx.path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_tokens_round_trip_and_reject_garbage() {
        for offset in [0, 1, 100, 123_456] {
            assert_eq!(decode_token(&encode_token(offset)), Some(offset));
        }
        for garbage in ["", "garbage", "ZGZscyx4", "%%%"] {
            assert_eq!(decode_token(garbage), None, "{garbage}");
        }
    }

    #[test]
    fn path_segments_are_percent_decoded_without_panics() {
        assert_eq!(percent_decode("a%20b"), "a b");
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
        assert_eq!(percent_decode("%é"), "%é");
        assert_eq!(percent_encode("a b/c=é"), "a%20b%2Fc%3D%C3%A9");
    }
}
