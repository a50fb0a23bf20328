//! Running work off the main loop, with panics contained and cancellation honoured.
//!
//! The protocol loop polls every handler on one task, so anything that takes more than a moment runs on
//! a thread of one of three pools, so that a cheap request never waits behind expensive work:
//!
//! - [`Pool::Quick`], tokio's blocking pool (up to [`super::QUICK_THREADS`] threads): hover, completion,
//!   navigation, symbols, folding, the syntax-first diagnostics of a keystroke, reading a file;
//! - [`Pool::Heavy`], a thread of its own: whole-document formatting, semantic tokens of a whole file,
//!   workspace symbols, references and rename;
//! - [`Pool::Checks`], a thread of its own: the item checks of the diagnostics worker and of pull
//!   diagnostics.
//!
//! Every piece of work runs under a [`cancel::Token`]. A request's token is cancelled when its future is
//! dropped, which is what tower-lsp-server does on `$/cancelRequest`; a check's token is cancelled when its
//! item changes again ([`super::state::State::touch`]). The work stops at its next checkpoint and the
//! request is answered with `RequestCancelled`. A panic is caught, logged to stderr with the request it
//! broke, and becomes an `InternalError` response: the server lives on. The few steps that run on the
//! main loop itself (applying an edit) go through [`guard`].

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock, PoisonError};

use tower_lsp_server::jsonrpc;

use crate::cancel::{self, Token};

/// Where a piece of work runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pool {
    Quick,
    Heavy,
    Checks,
}

/// Runs `work` on the quick pool; a panic becomes an internal error naming `what`, a cancellation (the
/// request was cancelled) a `RequestCancelled` error.
pub async fn blocking<T, F>(what: &'static str, work: F) -> jsonrpc::Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    run(Pool::Quick, what, Token::new(), work).await
}

/// Runs `work` on the heavy pool, as [`blocking`] does on the quick one.
pub async fn heavy<T, F>(what: &'static str, work: F) -> jsonrpc::Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    run(Pool::Heavy, what, Token::new(), work).await
}

/// Runs `work` on `pool` under `token`, which is also cancelled if this future is dropped before the
/// work is done.
pub async fn run<T, F>(pool: Pool, what: &'static str, token: Token, work: F) -> jsonrpc::Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    // The work runs under its own child of `token`: a dropped future (a request the client cancelled)
    // cancels only this work, not everything else `token` stands for (an item's checks, shared by every
    // pull of it: cancelling that token left each later pull of the item cancelled at once, over and over).
    let token = token.child();
    let on_drop = CancelOnDrop(Some(token.clone()));
    let job = move || {
        panic::catch_unwind(AssertUnwindSafe(|| {
            cancel::run(&token, || {
                // Queued behind other work and cancelled meanwhile: do nothing.
                cancel::checkpoint();
                work()
            })
        }))
    };
    let outcome = match pool {
        Pool::Quick => tokio::task::spawn_blocking(job).await.map_err(|error| error.to_string()),
        Pool::Heavy => dedicated(&HEAVY, "dfls-lsp-heavy", job).await,
        Pool::Checks => dedicated(&CHECKS, "dfls-lsp-checks", job).await,
    };
    on_drop.disarm();
    match outcome {
        Ok(Ok(Ok(value))) => Ok(value),
        Ok(Ok(Err(cancel::Cancelled))) => Err(jsonrpc::Error::request_cancelled()),
        Ok(Err(payload)) => Err(internal(what, &message(payload.as_ref()))),
        Err(error) => Err(internal(what, &error)),
    }
}

/// Cancels a token when dropped: the future of a cancelled request is dropped while its work runs.
struct CancelOnDrop(Option<Token>);

impl CancelOnDrop {
    /// The work is done: nothing to cancel.
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(token) = &self.0 {
            token.cancel();
        }
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// A pool of one thread that runs jobs in the order they come, for one kind of expensive work.
struct Dedicated {
    jobs: Mutex<mpsc::Sender<Job>>,
}

static HEAVY: OnceLock<Dedicated> = OnceLock::new();
static CHECKS: OnceLock<Dedicated> = OnceLock::new();

/// The stack of the pools' threads: nothing recurses on the input's depth, but the margin is cheap.
pub const STACK_BYTES: usize = 8 << 20;

/// Runs `job` on the dedicated thread of `pool` (started on first use) and waits for its result.
async fn dedicated<T: Send + 'static>(
    pool: &'static OnceLock<Dedicated>,
    name: &'static str,
    job: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    let pool = pool.get_or_init(|| {
        let (jobs, receiver) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name(name.to_owned())
            .stack_size(STACK_BYTES)
            .spawn(move || {
                for job in receiver {
                    job();
                }
            })
            .expect("a thread can be started");
        Dedicated { jobs: Mutex::new(jobs) }
    });
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = sender.send(job());
    });
    pool.jobs
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .send(job)
        .map_err(|_| format!("the {name} thread has stopped"))?;
    receiver.await.map_err(|_| format!("the {name} thread dropped the work"))
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
