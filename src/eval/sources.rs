//! Data sources: how the library reaches data outside the program (`File.Contents` today; folders, the
//! local lakehouse and allowed web addresses next). The evaluator itself does no IO: the caller (the CLI,
//! the language server, the local Fabric) passes a [`Sources`] to [`super::evaluate_with`], and the
//! library's source functions reach it through [`current`] for the duration of that evaluation (as
//! cancellation reaches long loops through a thread's token).
//!
//! An error from a source is M's: reason `DataSource.NotFound`, `DataSource.Error`, ... so that `try`
//! sees it and `dfls eval` exits 3 for it.

use std::cell::RefCell;
use std::rc::Rc;

use super::value::MError;

/// What an evaluation may read. Every method has a default that says the source is not available, so
/// an embedder implements only what it offers.
pub trait Sources {
    /// The bytes of the file at `path` (as the user wrote it; relative paths are the embedder's to
    /// resolve). `Err` is the M error to raise.
    fn file(&self, path: &str) -> Result<Vec<u8>, MError> {
        Err(unavailable("File.Contents", path))
    }
}

/// The error for a source this embedder does not offer.
pub fn unavailable(function: &str, what: &str) -> MError {
    MError::new(
        "DataSource.Error",
        format!("`{function}` is not available here: nothing gives this evaluation access to {what}"),
    )
}

/// No sources at all: every source function fails with a `DataSource.Error`.
pub struct NoSources;

impl Sources for NoSources {}

thread_local! {
    static CURRENT: RefCell<Option<Rc<dyn Sources>>> = const { RefCell::new(None) };
}

/// Runs `work` with `sources` as this thread's sources; the previous ones come back afterwards (also when
/// `work` unwinds, as a cancelled evaluation does).
pub fn with_sources<T>(sources: Rc<dyn Sources>, work: impl FnOnce() -> T) -> T {
    struct Restore(Option<Rc<dyn Sources>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CURRENT.with(|current| *current.borrow_mut() = previous);
        }
    }
    let previous = CURRENT.with(|current| current.replace(Some(sources)));
    let _restore = Restore(previous);
    work()
}

/// The sources of the evaluation running on this thread ([`NoSources`] outside [`with_sources`]).
pub fn current() -> Rc<dyn Sources> {
    CURRENT.with(|current| current.borrow().clone()).unwrap_or_else(|| Rc::new(NoSources))
}
