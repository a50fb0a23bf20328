//! What every request passes first: the `Host` check ([`Hosts`], against DNS rebinding; every request,
//! 400 `InvalidHost`), authentication and fault injection (every `/v1` request), and the admin endpoint
//! (`/admin/faults`, outside `/v1`) that reads and changes the faults and timings at run time.
//!
//! Authentication: `Authorization: Bearer <token>` with any non-empty token, or exactly the configured one;
//! otherwise 401 `Unauthorized`. The token is compared and forgotten, never logged or echoed.

use std::sync::atomic::Ordering;

use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::errors::ApiError;
use super::{Emulator, LroMode, Options};

/// Faults to inject. `0` turns a counter off.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Faults {
    /// Answer every Nth `/v1` request with 429 `RequestBlocked` and `Retry-After`.
    pub throttle_every: u64,
    /// The `Retry-After` seconds of those 429s.
    pub throttle_retry_after: u64,
    /// Answer every Nth `/v1` request with 500 `UnknownError`.
    pub fail_every: u64,
    /// Answer every request with 401 `TokenExpired`.
    pub token_expired: bool,
    /// Answer 403 `InsufficientPrivileges` to every `/v1` request whose path holds this text (any case;
    /// `/schedules` refuses the schedule endpoints), as Fabric answers a caller without the role or scopes.
    pub forbid: Option<String>,
    /// Make every new job fail with this message (`JobInstanceStatusFailed`).
    pub jobs_fail: Option<String>,
    /// Make every new long-running operation (a 202) end `Failed` with this message (`UnknownError`). The
    /// work itself is done, as it may be when Fabric reports a failure: a client must not assume either.
    pub operations_fail: Option<String>,
}

/// Which `Host` headers a request may carry. A web page whose host name an attacker points at 127.0.0.1
/// (DNS rebinding) reaches a local emulator from the browser, but its requests carry that name: only the
/// names of this machine's loopback are accepted, unless the emulator was told to listen elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Hosts {
    /// `localhost`, `127.x.y.z` and `[::1]`, with any port.
    #[default]
    Loopback,
    /// Those, and this host name or address (the one `--listen` named, without port or brackets), with any
    /// port.
    AlsoNamed(String),
    /// Any host: the emulator listens on every address of the machine, whose names it cannot know.
    Any,
}

impl Hosts {
    /// Whether a `Host` header value (`name[:port]`, `[v6][:port]`) is accepted.
    pub fn accepts(&self, host: &str) -> bool {
        let name = host_name(host).to_ascii_lowercase();
        let name = name.strip_suffix('.').unwrap_or(&name);
        let loopback =
            name == "localhost" || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
        match self {
            Hosts::Loopback => loopback,
            Hosts::AlsoNamed(other) => loopback || other.trim_end_matches('.').eq_ignore_ascii_case(name),
            Hosts::Any => true,
        }
    }
}

/// The name of a `host[:port]` (brackets of an IPv6 address removed).
fn host_name(host: &str) -> &str {
    let host = host.trim();
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split_once(']').map_or(rest, |(address, _)| address);
    }
    match host.split_once(':') {
        Some((name, _)) => name,
        None => host,
    }
}

/// Refuses a request whose `Host` header `hosts` does not accept (or that has none).
pub fn check_host(headers: &HeaderMap, hosts: &Hosts) -> Result<(), ApiError> {
    let host = headers.get("host").and_then(|v| v.to_str().ok()).unwrap_or("");
    if hosts.accepts(host) {
        return Ok(());
    }
    Err(ApiError::bad_request(
        "InvalidHost",
        "The Host header does not name this emulator: it answers requests to localhost, 127.0.0.1 and [::1] \
         (start it with --listen on another address to be reached by that name).",
    ))
}

/// Checks the bearer token of a request.
pub fn authorize(headers: &HeaderMap, options: &Options) -> Result<(), ApiError> {
    let unauthorized = |message: &str| ApiError::new(StatusCode::UNAUTHORIZED, "Unauthorized", message);
    let value = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| unauthorized("The request has no Authorization header with a bearer token."))?;
    let token = value
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|token| !token.is_empty())
        .ok_or_else(|| unauthorized("The Authorization header is not `Bearer <token>`."))?;
    if let Some(expected) = &options.token {
        if token != expected {
            return Err(unauthorized("The bearer token is not the one this emulator accepts."));
        }
    }
    if options.faults.token_expired {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "TokenExpired",
            "Access token has expired, resubmit with a new access token.",
        ));
    }
    Ok(())
}

/// Counts a `/v1` request to `path` and answers with an injected fault when one is due.
pub fn inject(emulator: &Emulator, options: &Options, path: &str) -> Result<(), ApiError> {
    let n = emulator.requests.fetch_add(1, Ordering::Relaxed) + 1;
    let faults = &options.faults;
    if let Some(forbidden) = faults.forbid.as_deref().filter(|text| !text.is_empty()) {
        if path.to_ascii_lowercase().contains(&forbidden.to_ascii_lowercase()) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "InsufficientPrivileges",
                "The caller does not have sufficient permissions to perform this operation (emulated).",
            ));
        }
    }
    if faults.throttle_every > 0 && n % faults.throttle_every == 0 {
        let mut error = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RequestBlocked",
            format!(
                "Request is blocked by the upstream service for {} seconds (emulated throttling).",
                faults.throttle_retry_after
            ),
        );
        error.retry_after = Some(faults.throttle_retry_after);
        return Err(error);
    }
    if faults.fail_every > 0 && n % faults.fail_every == 0 {
        return Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "UnknownError",
            "An injected internal error (emulated).",
        ));
    }
    Ok(())
}

/// The settings the admin endpoint shows and changes; absent fields are left as they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdminSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throttle_every: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throttle_retry_after: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_every: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_expired: Option<bool>,
    /// A path text makes the requests to such paths 403; `null` or `""` allows them again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forbid: Option<Option<String>>,
    /// A message makes jobs fail; `null` or `""` makes them succeed again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jobs_fail: Option<Option<String>>,
    /// A message makes long-running operations fail; `null` or `""` makes them succeed again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operations_fail: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_seconds: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_seconds: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_size: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lro: Option<LroMode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl AdminSettings {
    pub fn of(options: &Options) -> AdminSettings {
        AdminSettings {
            throttle_every: Some(options.faults.throttle_every),
            throttle_retry_after: Some(options.faults.throttle_retry_after),
            fail_every: Some(options.faults.fail_every),
            token_expired: Some(options.faults.token_expired),
            forbid: Some(options.faults.forbid.clone()),
            jobs_fail: Some(options.faults.jobs_fail.clone()),
            operations_fail: Some(options.faults.operations_fail.clone()),
            job_seconds: Some(options.job_seconds),
            operation_seconds: Some(options.operation_seconds),
            page_size: Some(options.page_size),
            lro: Some(options.lro),
            retry_after: Some(options.retry_after),
        }
    }

    /// Applies the fields present.
    pub fn apply(self, options: &mut Options) -> Result<(), String> {
        let seconds = |value: f64, name: &str| {
            if value.is_finite() && value >= 0.0 {
                Ok(value)
            } else {
                Err(format!("`{name}` must be a number of seconds, 0 or more"))
            }
        };
        if let Some(value) = self.throttle_every {
            options.faults.throttle_every = value;
        }
        if let Some(value) = self.throttle_retry_after {
            options.faults.throttle_retry_after = value;
        }
        if let Some(value) = self.fail_every {
            options.faults.fail_every = value;
        }
        if let Some(value) = self.token_expired {
            options.faults.token_expired = value;
        }
        if let Some(value) = self.forbid {
            options.faults.forbid = value.filter(|text| !text.is_empty());
        }
        if let Some(value) = self.jobs_fail {
            options.faults.jobs_fail = value.filter(|message| !message.is_empty());
        }
        if let Some(value) = self.operations_fail {
            options.faults.operations_fail = value.filter(|message| !message.is_empty());
        }
        if let Some(value) = self.job_seconds {
            options.job_seconds = seconds(value, "jobSeconds")?;
        }
        if let Some(value) = self.operation_seconds {
            options.operation_seconds = seconds(value, "operationSeconds")?;
        }
        if let Some(value) = self.page_size {
            if value == 0 {
                return Err("`pageSize` must be 1 or more".to_string());
            }
            options.page_size = value;
        }
        if let Some(value) = self.lro {
            options.lro = value;
        }
        if let Some(value) = self.retry_after {
            options.retry_after = value;
        }
        Ok(())
    }
}

/// `GET /admin/faults` shows the settings; `PUT`/`POST`/`PATCH` with a JSON object changes the fields it
/// has; `DELETE` clears every fault (timings stay). Needs the same bearer token as the API, but is not
/// subject to the faults.
pub fn admin(emulator: &Emulator, method: &str, body: &[u8]) -> Result<Value, ApiError> {
    let mut options = emulator.options();
    match method {
        "GET" => {}
        "PUT" | "POST" | "PATCH" => {
            let settings: AdminSettings = serde_json::from_slice(body).map_err(|error| {
                ApiError::bad_request("InvalidRequest", format!("The admin settings are not valid: {error}"))
            })?;
            settings
                .apply(&mut options)
                .map_err(|message| ApiError::bad_request("InvalidRequest", message))?;
            emulator.set_options(options.clone());
        }
        "DELETE" => {
            options.faults = Faults::default();
            emulator.set_options(options.clone());
        }
        _ => {
            return Err(ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                "Use GET, PUT, POST, PATCH or DELETE.",
            ))
        }
    }
    Ok(serde_json::to_value(AdminSettings::of(&options)).unwrap_or(Value::Null))
}
