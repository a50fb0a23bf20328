//! Running work off the main loop, with panics contained.
//!
//! The protocol loop polls every handler on one task, so anything that takes more than a moment (a check,
//! an analysis, a feature on a large document) runs on tokio's blocking pool through [`blocking`]. A panic
//! there is caught, logged to stderr with the request it broke, and becomes an `InternalError` response:
//! the server lives on. A cancelled request (`$/cancelRequest`, handled by tower-lsp-server) drops the
//! future waiting here; the work finishes on its thread and its result is thrown away.

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};

use tower_lsp_server::jsonrpc;

/// Runs `work` on the blocking pool; a panic becomes an internal error naming `what`.
pub async fn blocking<T, F>(what: &'static str, work: F) -> jsonrpc::Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let outcome = tokio::task::spawn_blocking(move || panic::catch_unwind(AssertUnwindSafe(work))).await;
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(payload)) => Err(internal(what, &message(payload.as_ref()))),
        Err(error) => Err(internal(what, &error.to_string())),
    }
}

/// The error a request gets when its work failed; the failure is logged.
fn internal(what: &str, message: &str) -> jsonrpc::Error {
    eprintln!("dfls lsp: {what} failed: {message}");
    jsonrpc::Error {
        code: jsonrpc::ErrorCode::InternalError,
        message: format!("dfls: {what} failed: {message}").into(),
        data: None,
    }
}

/// The message of a panic payload.
fn message(payload: &(dyn Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

/// The error for a request about a document the server does not know.
pub fn unknown_document(uri: &tower_lsp_server::ls_types::Uri) -> jsonrpc::Error {
    jsonrpc::Error::invalid_params(format!("unknown document: {}", uri.as_str()))
}

/// The error for a position past the end of a document.
pub fn out_of_range(error: super::convert::OutOfRange) -> jsonrpc::Error {
    jsonrpc::Error::invalid_params(error.to_string())
}
