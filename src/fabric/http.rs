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
//! **Timeouts**: a connection must be made within [`Policy::connect_timeout`] (10 s); an answer must begin
//! within [`Policy::timeout`] (30 s, plus a second per MiB of request body uploaded) and its body never
//! pause longer than that between two reads: an idle timeout, not a total one, so a large definition
//! downloads for as long as bytes flow. The first try that times out says so on stderr. Retries after
//! failures stop once [`Policy::give_up_after`] (2 minutes) has passed since the first try. The three can
//! be set (in seconds) with `DFLS_CONNECT_TIMEOUT`, `DFLS_READ_TIMEOUT` and `DFLS_GIVE_UP_AFTER`
//! ([`Policy::from_env`]).
//!
//! **Origins**: every URL is checked by [`TokenOrigin`] before a token is attached: only the base URL's
//! origin gets requests at all, and redirects are followed only within it.
//!
//! Nothing the server sends is trusted: `Retry-After` is parsed with checked arithmetic and capped at
//! [`Policy::max_wait`] ([`super::time`]), and no body is read past a limit: [`BodyLimit::Json`] for lists,
//! jobs and operation states, [`BodyLimit::Definition`] for definitions (tens of MB are ordinary there), a
//! few KB of an error answer. A success answer past its limit is an error that says so.
//!
//! With `DFLS_LOG=debug` each request is logged to stderr as method, path, status and time; headers (and
//! with them the token) never are.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use reqwest::blocking::{Client, Response};
use reqwest::header::{HeaderMap, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::Method;

use super::auth::{Auth, Token};
use super::error::{ErrorBody, FabricError};
use super::origin::TokenOrigin;
use super::time;

/// How much of an error answer is read: its code and message are at the start, and only the first few
/// hundred characters of a body that is not an `ErrorResponse` are shown.
const ERROR_BODY_LIMIT: u64 = 64 * 1024;

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
    /// How long to wait for a connection.
    pub connect_timeout: Duration,
    /// How long to wait for an answer to begin once the request is sent (plus [`UPLOAD_ALLOWANCE`] per MiB
    /// of its body), and the longest pause between two reads of the answer's body.
    pub timeout: Duration,
    /// No new try after a failure (no answer, a 5xx) starts once this has passed since the first.
    pub give_up_after: Duration,
    /// The largest body of a [`BodyLimit::Json`] answer, in bytes.
    pub max_json_body: u64,
    /// The largest body of a [`BodyLimit::Definition`] answer, in bytes.
    pub max_definition_body: u64,
}

/// The time added to [`Policy::timeout`] for each MiB a request uploads (a slow line sends a large
/// definition for a while before the answer can begin).
pub const UPLOAD_ALLOWANCE: Duration = Duration::from_secs(1);

impl Policy {
    /// The default policy with the timeouts the environment sets, in seconds: `DFLS_CONNECT_TIMEOUT`,
    /// `DFLS_READ_TIMEOUT`, `DFLS_GIVE_UP_AFTER`.
    pub fn from_env() -> Result<Policy, FabricError> {
        let mut policy = Policy::default();
        for (name, field) in [
            ("DFLS_CONNECT_TIMEOUT", &mut policy.connect_timeout),
            ("DFLS_READ_TIMEOUT", &mut policy.timeout),
            ("DFLS_GIVE_UP_AFTER", &mut policy.give_up_after),
        ] {
            let Ok(text) = std::env::var(name) else { continue };
            *field = text
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|seconds| seconds.is_finite() && *seconds > 0.0 && *seconds <= 86_400.0)
                .map(Duration::from_secs_f64)
                .ok_or_else(|| {
                    FabricError::Config(format!(
                        "{name} must be a number of seconds above 0 (at most a day), not `{}`",
                        printable_start(text.as_bytes(), 40)
                    ))
                })?;
        }
        Ok(policy)
    }

    /// The bytes a body of this kind may have.
    pub fn body_limit(&self, limit: BodyLimit) -> u64 {
        match limit {
            BodyLimit::Json => self.max_json_body,
            BodyLimit::Definition => self.max_definition_body,
        }
    }
}

/// What an answer's body holds, which sets how much of it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyLimit {
    /// A JSON document: a page of a list, a job instance, an operation state, a created item.
    Json,
    /// An item definition (`getDefinition` and its operation's result): every part, base64-encoded.
    Definition,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            throttle_retries: 10,
            retries: 4,
            backoff: Duration::from_millis(500),
            max_wait: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            give_up_after: Duration::from_secs(120),
            // A page of items or job instances is a few hundred KB at most.
            max_json_body: 16 << 20,
            // A definition with large parts (a big mashup, many queries) is tens of MB.
            max_definition_body: 256 << 20,
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

    /// The wait `Retry-After` asks for, at most `cap`; `None` without a header or with a malformed one.
    pub fn retry_after(&self, cap: Duration) -> Option<Duration> {
        let value = self.headers.get(RETRY_AFTER)?.to_str().ok()?;
        time::retry_after(value, Timestamp::now(), cap)
    }

    pub fn json<T: serde::de::DeserializeOwned>(&self, what: &str) -> Result<T, FabricError> {
        serde_json::from_slice(&self.body).map_err(|error| {
            FabricError::Protocol(format!(
                "{what}: the answer is not the JSON the API sends ({error}; HTTP {}, {} bytes starting `{}`)",
                self.status,
                self.body.len(),
                printable_start(&self.body, 60)
            ))
        })
    }
}

/// The first `chars` characters of a body, for a message: control characters (a terminal's escape
/// sequences among them) are shown as `?`.
fn printable_start(body: &[u8], chars: usize) -> String {
    let start = &body[..body.len().min(chars * 4)];
    String::from_utf8_lossy(start).chars().take(chars).map(|c| if c.is_control() { '?' } else { c }).collect()
}

/// A body read up to a limit.
enum Body {
    /// All of it.
    Whole(Vec<u8>),
    /// The first `limit` bytes; there was more.
    Cut(Vec<u8>),
}

/// Reads at most `limit` bytes of an answer's body (one more, to tell a body of exactly `limit` bytes from a
/// longer one), whatever its `Content-Length` says and even if it never ends.
fn read_body(response: Response, limit: u64) -> std::io::Result<Body> {
    // Capacity from the declared length, but not more than a MB up front: the length is the server's word.
    let declared = response.content_length().unwrap_or(0);
    let mut bytes = Vec::with_capacity(usize::try_from(declared.min(limit).min(1 << 20)).unwrap_or(0));
    response.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        bytes.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        return Ok(Body::Cut(bytes));
    }
    Ok(Body::Whole(bytes))
}

/// A size for people: `256 MiB`, `4096 bytes`.
fn shown_size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes % (1 << 20) == 0 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

/// The connection to one API: its base URL, its token source and the HTTP client.
#[derive(Debug)]
pub struct Http {
    /// The API's base URL, ending in `/v1` (no slash after).
    base: String,
    /// The one origin requests (and the token) go to.
    origin: TokenOrigin,
    client: Client,
    auth: Auth,
    token: Mutex<Option<Token>>,
    pub policy: Policy,
    log: bool,
    /// Whether a try that got no answer in time was reported on stderr (once is enough).
    slow_reported: AtomicBool,
}

impl Http {
    /// A connection to the API at `base`; refused when its token is a secret that would go over plain http
    /// to another machine.
    pub fn new(base: &str, auth: Auth, policy: Policy) -> Result<Http, FabricError> {
        let base = base.trim_end_matches('/');
        let origin = TokenOrigin::of_base(base, auth.is_secret())?;
        let client = http_client(&origin, policy.connect_timeout, policy.timeout)?;
        let log = std::env::var("DFLS_LOG").is_ok_and(|level| level.eq_ignore_ascii_case("debug"));
        Ok(Http {
            base: base.to_owned(),
            origin,
            client,
            auth,
            token: Mutex::new(None),
            policy,
            log,
            slow_reported: AtomicBool::new(false),
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

    /// Sends a request and returns its successful answer, its body read up to `limit`, retrying as the
    /// module says.
    pub fn send(
        &self,
        method: Method,
        path_or_url: &str,
        body: Option<&serde_json::Value>,
        repeat: Repeat,
        limit: BodyLimit,
    ) -> Result<Answer, FabricError> {
        let url = self.url(path_or_url);
        // Before a token is acquired: a URL on another origin gets neither the token nor the request.
        self.origin.check(&url, method.as_str())?;
        let shown = format!("{method} {}", shown_path(&url, &self.base));
        let body = body.map(serde_json::Value::to_string);
        let uploaded_mib = body.as_ref().map_or(0, |text| text.len() >> 20);
        let timeout = self
            .policy
            .timeout
            .saturating_add(UPLOAD_ALLOWANCE.saturating_mul(u32::try_from(uploaded_mib).unwrap_or(u32::MAX)));
        // A large upload gets a client of its own that waits longer for the answer to begin.
        let upload_client = if timeout > self.policy.timeout {
            Some(http_client(&self.origin, self.policy.connect_timeout, timeout)?)
        } else {
            None
        };
        let client = upload_client.as_ref().unwrap_or(&self.client);
        let (mut throttled, mut failed, mut refreshed) = (0u32, 0u32, false);
        let first_try = Instant::now();
        // Whether a failed request is tried again: a repeatable one, a few times, within the time allowed.
        let again = |failed: u32, wait: Duration| {
            repeat == Repeat::Safe
                && failed < self.policy.retries
                && first_try.elapsed().saturating_add(wait) < self.policy.give_up_after
        };
        loop {
            let token = self.token(false)?;
            let mut request =
                client.request(method.clone(), &url).header(AUTHORIZATION, token.header_value());
            if let Some(body) = &body {
                request = request.header(CONTENT_TYPE, "application/json").body(body.clone());
            }
            let started = Instant::now();
            let result = request.send();
            let response = match result {
                Ok(response) => response,
                Err(error) => {
                    self.trace(&shown, "no answer", started);
                    let retry = again(failed, self.backoff(failed));
                    if error.is_timeout() {
                        self.report_slow(&shown, timeout, retry);
                    }
                    if retry {
                        std::thread::sleep(self.backoff(failed));
                        failed += 1;
                        continue;
                    }
                    return Err(FabricError::Unreachable {
                        url: url.clone(),
                        reason: gave_up(reason(&error), failed + 1, first_try),
                    });
                }
            };
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let success = (200..300).contains(&status);
            let limit = if success { self.policy.body_limit(limit) } else { ERROR_BODY_LIMIT };
            if success && response.content_length().is_some_and(|length| length > limit) {
                self.trace(&shown, &status.to_string(), started);
                return Err(too_large(&shown, limit));
            }
            let body = match read_body(response, limit) {
                Ok(Body::Whole(body)) => body,
                // An error answer cut short still has its code and message at the start.
                Ok(Body::Cut(body)) if !success => body,
                Ok(Body::Cut(_)) => {
                    self.trace(&shown, &status.to_string(), started);
                    return Err(too_large(&shown, limit));
                }
                // The answer broke off (or paused too long): for the retry policy that is no answer at all.
                Err(error) => {
                    self.trace(&shown, "answer cut off", started);
                    let retry = again(failed, self.backoff(failed));
                    if read_timed_out(&error) {
                        self.report_slow(&shown, timeout, retry);
                    }
                    if retry {
                        std::thread::sleep(self.backoff(failed));
                        failed += 1;
                        continue;
                    }
                    return Err(FabricError::Unreachable {
                        url: url.clone(),
                        reason: gave_up(format!("the answer broke off: {error}"), failed + 1, first_try),
                    });
                }
            };
            self.trace(&shown, &status.to_string(), started);
            if success {
                return Ok(Answer { status, headers, body });
            }
            let header_code =
                headers.get("x-ms-public-api-error-code").and_then(|v| v.to_str().ok()).map(str::to_owned);
            let error = ErrorBody::api_error(status, header_code, &body, shown.clone());
            match status {
                429 if throttled < self.policy.throttle_retries => {
                    let wait = self.retry_wait(&headers, &shown).unwrap_or(self.backoff(throttled));
                    std::thread::sleep(wait);
                    throttled += 1;
                }
                401 if error.code == "TokenExpired" && !refreshed => {
                    refreshed = true;
                    self.token(true)?;
                }
                500..=599 if again(failed, self.backoff(failed)) => {
                    let wait = self.retry_wait(&headers, &shown).unwrap_or(self.backoff(failed));
                    std::thread::sleep(wait);
                    failed += 1;
                }
                _ => return Err(FabricError::Api(Box::new(error))),
            }
        }
    }

    /// The wait the `Retry-After` of an error answer asks for, at most [`Policy::max_wait`]; a server that
    /// asks for more (`1e20`, a date years ahead) is told on stderr that dfls will not wait that long.
    fn retry_wait(&self, headers: &HeaderMap, shown: &str) -> Option<Duration> {
        let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
        let now = Timestamp::now();
        let asked = time::retry_after(value, now, Duration::MAX)?;
        let cap = self.policy.max_wait;
        if asked > cap {
            eprintln!(
                "dfls: {shown}: the API asked to wait `{}` before trying again; dfls waits at most {} s",
                printable_start(value.as_bytes(), 40),
                cap.as_secs_f64()
            );
        }
        Some(asked.min(cap))
    }

    /// Says on stderr, the first time only, that the API did not answer in time.
    fn report_slow(&self, shown: &str, timeout: Duration, retrying: bool) {
        if self.slow_reported.swap(true, Ordering::Relaxed) {
            return;
        }
        let next = if retrying {
            format!("; trying again for at most {} s in all", self.policy.give_up_after.as_secs_f64())
        } else {
            String::new()
        };
        eprintln!("dfls: {shown}: the API has not answered in {} s{next}", timeout.as_secs_f64());
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

/// Whether reading a body failed because it paused longer than the timeout.
fn read_timed_out(error: &std::io::Error) -> bool {
    error.kind() == std::io::ErrorKind::TimedOut
        || error
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<reqwest::Error>())
            .is_some_and(reqwest::Error::is_timeout)
}

/// An HTTP client that waits `timeout` for an answer to begin and between two reads of its body (the
/// blocking client's timeout is not a total one, unlike a request's own), and follows redirects only
/// within `origin` (reqwest drops the token on a redirect to another host; dfls does not go there at all).
fn http_client(
    origin: &TokenOrigin,
    connect_timeout: Duration,
    timeout: Duration,
) -> Result<Client, FabricError> {
    let same_origin = origin.clone();
    Client::builder()
        .connect_timeout(connect_timeout)
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() < 10 && same_origin.holds(attempt.url()) {
                attempt.follow()
            } else {
                attempt.stop()
            }
        }))
        .user_agent(concat!("dfls/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|error| FabricError::Config(format!("cannot make an HTTP client: {error}")))
}

/// The reason of a failure, with how many tries it took when there was more than one.
fn gave_up(reason: String, tries: u32, first_try: Instant) -> String {
    if tries < 2 {
        return reason;
    }
    format!("{reason} (tried {tries} times in {} s)", first_try.elapsed().as_secs())
}

/// The error of a success answer larger than its limit.
fn too_large(shown: &str, limit: u64) -> FabricError {
    FabricError::Protocol(format!(
        "{shown}: the answer is larger than {}, the most dfls reads for it",
        shown_size(limit)
    ))
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
