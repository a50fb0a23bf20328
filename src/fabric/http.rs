//! Requests to the API with the retry policy every call shares.
//!
//! - **429** (throttled): the request was not done; wait `Retry-After` (capped) and send it again, up to
//!   [`Policy::throttle_retries`] times.
//! - **5xx and connection errors**: retried with bounded exponential backoff, but only for requests that
//!   may be repeated ([`Repeat::Safe`]: reads, definition updates, cancels). A create or a job run is never
//!   repeated blindly: the caller gets the error and decides (a create looks the item up by name first).
//! - **401 `TokenExpired`**: the token is acquired again, once per request.
//! - Every other error answer becomes an [`ApiError`] with its code, message and `requestId`.
//!
//! With `DFLS_LOG=debug` each request is logged to stderr as method, path, status and time; headers (and
//! with them the token) never are.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use reqwest::header::{HeaderMap, AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;

use super::auth::{Auth, Token};
use super::error::{ErrorBody, FabricError};

/// How hard to try.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Retries of a throttled (429) request.
    pub throttle_retries: u32,
    /// Retries of a request that failed with a 5xx or could not connect.
    pub retries: u32,
    /// The first backoff; doubled each retry.
    pub backoff: Duration,
    /// The longest wait between two tries, whatever `Retry-After` says.
    pub max_wait: Duration,
    /// Timeout of one request.
    pub timeout: Duration,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            throttle_retries: 10,
            retries: 4,
            backoff: Duration::from_millis(500),
            max_wait: Duration::from_secs(60),
            timeout: Duration::from_secs(120),
        }
    }
}

/// Whether a request may be sent again after a failure that may have happened after the API did it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    Safe,
    Never,
}

/// An answer with a success status (2xx).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `Retry-After` in seconds.
    pub fn retry_after(&self) -> Option<Duration> {
        retry_after(&self.headers)
    }

    pub fn json<T: serde::de::DeserializeOwned>(&self, what: &str) -> Result<T, FabricError> {
        serde_json::from_slice(&self.body)
            .map_err(|error| FabricError::Protocol(format!("{what}: {error} (HTTP {})", self.status)))
    }
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get("retry-after")?.to_str().ok()?.trim();
    value.parse::<f64>().ok().filter(|s| s.is_finite() && *s >= 0.0).map(Duration::from_secs_f64)
}

/// The connection to one API: its base URL, its token source and the HTTP client.
#[derive(Debug)]
pub struct Http {
    /// The API's base URL, ending in `/v1` (no slash after).
    base: String,
    client: Client,
    auth: Auth,
    token: Mutex<Option<Token>>,
    pub policy: Policy,
    log: bool,
}

impl Http {
    pub fn new(base: &str, auth: Auth, policy: Policy) -> Result<Http, FabricError> {
        let client = Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(policy.timeout)
            .user_agent(concat!("dfls/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| FabricError::Config(format!("cannot make an HTTP client: {error}")))?;
        let log = std::env::var("DFLS_LOG").is_ok_and(|level| level.eq_ignore_ascii_case("debug"));
        Ok(Http {
            base: base.trim_end_matches('/').to_owned(),
            client,
            auth,
            token: Mutex::new(None),
            policy,
            log,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// An absolute URL for a path under the base (`/workspaces/...`), or the URL itself.
    pub fn url(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with("http://") || path_or_url.starts_with("https://") {
            path_or_url.to_owned()
        } else {
            format!("{}{}", self.base, path_or_url)
        }
    }

    fn token(&self, fresh: bool) -> Result<Token, FabricError> {
        let mut cached = self.token.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if fresh || cached.is_none() {
            *cached = Some(self.auth.token()?);
        }
        Ok(cached.clone().expect("set above"))
    }

    /// Sends a request and returns its successful answer, retrying as the module says.
    pub fn send(
        &self,
        method: Method,
        path_or_url: &str,
        body: Option<&serde_json::Value>,
        repeat: Repeat,
    ) -> Result<Answer, FabricError> {
        let url = self.url(path_or_url);
        let shown = format!("{method} {}", shown_path(&url, &self.base));
        let (mut throttled, mut failed, mut refreshed) = (0u32, 0u32, false);
        loop {
            let token = self.token(false)?;
            let mut request =
                self.client.request(method.clone(), &url).header(AUTHORIZATION, token.header_value());
            if let Some(body) = body {
                request = request.header(CONTENT_TYPE, "application/json").body(body.to_string());
            }
            let started = Instant::now();
            let result = request.send();
            let response = match result {
                Ok(response) => response,
                Err(error) => {
                    self.trace(&shown, "no answer", started);
                    if repeat == Repeat::Safe && failed < self.policy.retries {
                        std::thread::sleep(self.backoff(failed));
                        failed += 1;
                        continue;
                    }
                    return Err(FabricError::Unreachable { url: url.clone(), reason: reason(&error) });
                }
            };
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response.bytes().map(|b| b.to_vec()).unwrap_or_default();
            self.trace(&shown, &status.to_string(), started);
            if (200..300).contains(&status) {
                return Ok(Answer { status, headers, body });
            }
            let header_code =
                headers.get("x-ms-public-api-error-code").and_then(|v| v.to_str().ok()).map(str::to_owned);
            let error = ErrorBody::api_error(status, header_code, &body, shown.clone());
            match status {
                429 if throttled < self.policy.throttle_retries => {
                    let wait = retry_after(&headers).unwrap_or(self.backoff(throttled));
                    std::thread::sleep(wait.min(self.policy.max_wait));
                    throttled += 1;
                }
                401 if error.code == "TokenExpired" && !refreshed => {
                    refreshed = true;
                    self.token(true)?;
                }
                500..=599 if repeat == Repeat::Safe && failed < self.policy.retries => {
                    let wait = retry_after(&headers).unwrap_or(self.backoff(failed));
                    std::thread::sleep(wait.min(self.policy.max_wait));
                    failed += 1;
                }
                _ => return Err(FabricError::Api(Box::new(error))),
            }
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.policy.backoff.saturating_mul(1 << attempt.min(10)).min(self.policy.max_wait)
    }

    fn trace(&self, shown: &str, status: &str, started: Instant) {
        if self.log {
            eprintln!("dfls: {shown} -> {status} in {} ms", started.elapsed().as_millis());
        }
    }
}

/// The path of a URL under the base, for messages (`/workspaces/.../items`); other URLs whole.
fn shown_path(url: &str, base: &str) -> String {
    url.strip_prefix(base).map_or_else(|| url.to_owned(), str::to_owned)
}

/// A connection error in words, without the URL twice.
fn reason(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        "connection failed".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}
