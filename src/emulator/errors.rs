//! Errors: [`ApiError`], an error the HTTP API answers with (Fabric's `ErrorResponse` body plus the
//! `x-ms-public-api-error-code` and `RequestId` headers), and [`EmulatorError`], why the emulator could
//! not start (its store or its socket).
//!
//! Error messages never contain a bearer token: nothing here ever sees one.

use std::path::PathBuf;

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// An error answer of the API.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    /// The stable `errorCode`, also sent as the `x-ms-public-api-error-code` header.
    pub code: String,
    pub message: String,
    /// `moreDetails`: further `{errorCode, message}` entries.
    pub more_details: Vec<(String, String)>,
    /// `relatedResource`: `(resourceId, resourceType)`.
    pub related: Option<(String, String)>,
    /// A `Retry-After` header, in seconds (throttling).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: code.to_string(),
            message: message.into(),
            more_details: Vec::new(),
            related: None,
            retry_after: None,
        }
    }

    pub fn bad_request(code: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(code: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, code, message)
    }

    /// `ItemNotFound` for an item id, with the item as related resource.
    pub fn item_not_found(id: &str) -> ApiError {
        let mut error = ApiError::not_found("ItemNotFound", "The requested item was not found.");
        error.related = Some((id.to_string(), "Item".to_string()));
        error
    }

    pub fn with_detail(mut self, code: &str, message: impl Into<String>) -> ApiError {
        self.more_details.push((code.to_string(), message.into()));
        self
    }

    /// The `ErrorResponse` body with a request id.
    pub fn body(&self, request_id: &str) -> Value {
        let mut body = json!({ "requestId": request_id, "errorCode": self.code, "message": self.message });
        if !self.more_details.is_empty() {
            body["moreDetails"] = self
                .more_details
                .iter()
                .map(|(code, message)| json!({ "errorCode": code, "message": message }))
                .collect();
        }
        if let Some((id, kind)) = &self.related {
            body["relatedResource"] = json!({ "resourceId": id, "resourceType": kind });
        }
        if self.status == StatusCode::TOO_MANY_REQUESTS || self.status.is_server_error() {
            body["isRetriable"] = true.into();
        }
        body
    }

    /// The response, with a fresh request id.
    pub fn into_response_with(self, request_id: &str) -> Response {
        let body = self.body(request_id);
        let mut response = (self.status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        if let Ok(code) = HeaderValue::from_str(&self.code) {
            headers.insert("x-ms-public-api-error-code", code);
        }
        if let Some(seconds) = self.retry_after {
            headers.insert("Retry-After", HeaderValue::from(seconds));
        }
        response
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(error: rusqlite::Error) -> ApiError {
        let busy = matches!(
            error.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        );
        if busy {
            let mut answer = ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "The emulator's store is busy; retry later.",
            );
            answer.retry_after = Some(1);
            answer
        } else {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "UnknownError",
                format!("The emulator's store failed: {error}"),
            )
        }
    }
}

/// Why the emulator could not start or serve.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("cannot create the emulator's data directory {}: {source}", path.display())]
    DataDir { path: PathBuf, source: std::io::Error },
    #[error("cannot open the emulator's store {}: {source}", path.display())]
    Open { path: PathBuf, source: rusqlite::Error },
    #[error(
        "the emulator's store {} is corrupt or not an emulator store ({detail}); move it away to start with an \
         empty store",
        path.display()
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "the emulator's store {} has schema version {found}, newer than the {supported} this dfls knows; use a \
         newer dfls or another --data-dir",
        path.display()
    )]
    NewerSchema { path: PathBuf, found: i64, supported: i64 },
    #[error("cannot listen on {address}: {source}")]
    Bind { address: String, source: std::io::Error },
    #[error("the emulator's server failed: {0}")]
    Serve(std::io::Error),
}
