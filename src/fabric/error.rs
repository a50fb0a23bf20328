//! Why a call to Fabric did not succeed: [`FabricError`], and the API's own error answer, [`ApiError`]
//! (Fabric's `ErrorResponse`: `errorCode`, `message`, `requestId`, `moreDetails`).
//!
//! Messages name the request (method and path) and never a token: nothing here ever holds one.

use std::fmt;

use serde::Deserialize;

/// An error answer of the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    /// The stable `errorCode` (`ItemNotFound`, `TokenExpired`, ...), from the body or the
    /// `x-ms-public-api-error-code` header.
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
    /// `moreDetails`: further `(errorCode, message)` entries.
    pub details: Vec<(String, String)>,
    /// The request that failed: `POST /workspaces/.../items`.
    pub request: String,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}) from {}", self.code, self.status, self.request)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        for (code, message) in &self.details {
            write!(f, "\n  {code}: {message}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, "\n  requestId: {id}")?;
        }
        Ok(())
    }
}

/// The body of an error answer, as far as it is one.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ErrorBody {
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub request_id: Option<String>,
    #[serde(default)]
    pub more_details: Vec<DetailBody>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct DetailBody {
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

impl ErrorBody {
    /// The API error of an answer: its body when it is an `ErrorResponse`, else the header's code and
    /// the start of the body.
    pub(super) fn api_error(
        status: u16,
        header_code: Option<String>,
        body: &[u8],
        request: String,
    ) -> ApiError {
        let parsed: ErrorBody = serde_json::from_slice(body).unwrap_or_default();
        let code = parsed.error_code.or(header_code).unwrap_or_else(|| format!("HTTP{status}"));
        let message = parsed.message.unwrap_or_else(|| {
            let text = String::from_utf8_lossy(body);
            let text = text.trim();
            text.chars().take(300).collect()
        });
        let details = parsed
            .more_details
            .into_iter()
            .map(|d| (d.error_code.unwrap_or_default(), d.message.unwrap_or_default()))
            .collect();
        ApiError { status, code, message, request_id: parsed.request_id, details, request }
    }
}

/// Why a Fabric call or command failed.
#[derive(Debug)]
pub enum FabricError {
    /// The API answered with an error.
    Api(Box<ApiError>),
    /// The API could not be reached (connection refused, DNS, TLS, timeout), after retries.
    Unreachable { url: String, reason: String },
    /// No token could be had.
    Auth(String),
    /// `dfls.toml` or the command line names something wrong.
    Config(String),
    /// The API answered something this client does not understand.
    Protocol(String),
    /// A local file could not be read or written.
    Io(String),
    /// A long-running operation ended `Failed` or `Undefined`.
    OperationFailed { operation: String, error: Option<Box<ApiError>> },
}

impl FabricError {
    /// The API's error code, if the API answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            FabricError::Api(error) => Some(&error.code),
            FabricError::OperationFailed { error: Some(error), .. } => Some(&error.code),
            _ => None,
        }
    }
}

impl fmt::Display for FabricError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FabricError::Api(error) => write!(f, "the API refused: {error}"),
            FabricError::Unreachable { url, reason } => write!(f, "could not reach {url}: {reason}"),
            FabricError::Auth(message) => write!(f, "no access token: {message}"),
            FabricError::Config(message) => write!(f, "{message}"),
            FabricError::Protocol(message) => write!(f, "unexpected answer from the API: {message}"),
            FabricError::Io(message) => write!(f, "{message}"),
            FabricError::OperationFailed { operation, error: Some(error) } => {
                write!(f, "the operation {operation} failed: {error}")
            }
            FabricError::OperationFailed { operation, error: None } => {
                write!(f, "the operation {operation} failed without saying why")
            }
        }
    }
}

impl std::error::Error for FabricError {}

impl From<ApiError> for FabricError {
    fn from(error: ApiError) -> FabricError {
        FabricError::Api(Box::new(error))
    }
}
