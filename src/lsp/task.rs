//! Running work off the main loop, with panics contained.
//!
//! The protocol loop polls every handler on one task, so anything that takes more than a moment (a check,
//! an analysis, a feature on a large document) runs on tokio's blocking pool through [`blocking`]. A panic
//! there is caught, logged to stderr with the request it broke, and becomes an `InternalError` response:
//! the server lives on. A cancelled request (`$/cancelRequest`, handled by tower-lsp-server) drops the
//! future waiting here; the work finishes on its thread and its result is thrown away. The few steps that
//! run on the main loop itself (applying an edit) go through [`guard`].

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

/// Runs a notification's synchronous step (applying an edit, parsing an opened document) on the main
/// loop; a panic there is logged and gives `None`, so the loop, and with it the server, lives on.
pub fn guard<T>(what: &str, work: impl FnOnce() -> T) -> Option<T> {
    match panic::catch_unwind(AssertUnwindSafe(work)) {
        Ok(value) => Some(value),
        Err(payload) => {
            eprintln!("dfls lsp: {what} failed: {}", message(payload.as_ref()));
            None
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_contained() {
        assert_eq!(guard("adding", || 1 + 1), Some(2));
        assert_eq!(guard("panicking", || -> u8 { panic!("on purpose") }), None);
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let error = runtime.block_on(blocking("panicking", || -> u8 { panic!("on purpose") })).unwrap_err();
        assert_eq!(error.code, jsonrpc::ErrorCode::InternalError);
        assert!(error.message.contains("on purpose"));
    }
}
