//! Data sources: how the library reaches data outside the program (files, folders, the local lakehouse,
//! allowed web addresses). The evaluator itself does no IO: the caller (the CLI, the language server, the
//! local Fabric) passes a [`Sources`] to the evaluation, and the library's source functions reach it
//! through [`current`] for the duration of that evaluation (as cancellation reaches long loops through a
//! thread's token). [`local::Local`] is this machine's sources, as `dfls eval` offers them.
//!
//! An error from a source is M's: reason `DataSource.NotFound`, `DataSource.Error`, ... so that `try`
//! sees it and `dfls eval` exits 3 for it.

pub mod local;

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

    /// The entries of the folder at `path` (resolved as [`Sources::file`] resolves a path), sorted by
    /// name. An entry whose details cannot be read is still listed, with the error.
    fn folder(&self, path: &str) -> Result<Listing, MError> {
        Err(unavailable("Folder.Contents", path))
    }

    /// The folder of the local lakehouse (`[eval] lakehouse` in dfls.toml), read through
    /// [`Sources::folder`] and [`Sources::file`].
    fn lakehouse(&self) -> Result<String, MError> {
        Err(unavailable("Lakehouse.Contents", "a lakehouse"))
    }

    /// The response to a GET of `request`, when the embedder allows its address (whatever its status:
    /// `Web.Contents` decides what a status means).
    fn web(&self, request: &WebRequest) -> Result<WebResponse, MError> {
        Err(unavailable("Web.Contents", &shown_url(&request.url)))
    }
}

/// A folder's entries.
#[derive(Debug, Clone)]
pub struct Listing {
    /// The folder as M shows it in `Folder Path`: absolute, ending with the path separator.
    pub path: String,
    pub entries: Vec<Entry>,
}

/// One entry of a folder.
#[derive(Debug, Clone)]
pub struct Entry {
    pub name: String,
    /// Its details, or why they could not be read.
    pub details: Result<Details, MError>,
}

/// What the file system says about an entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Details {
    pub folder: bool,
    pub size: u64,
    /// Local datetimes, in ticks since 0001-01-01 (`None` where the file system keeps no such time).
    pub accessed: Option<i64>,
    pub modified: Option<i64>,
    pub created: Option<i64>,
    pub read_only: bool,
    pub hidden: bool,
    pub symbolic_link: bool,
}

/// A GET request as `Web.Contents` makes it: the full URL (query included) and the headers.
#[derive(Debug, Clone, Default)]
pub struct WebRequest {
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// How long to wait for the whole response.
    pub timeout: Option<std::time::Duration>,
}

/// What a web server answered.
#[derive(Debug, Clone)]
pub struct WebResponse {
    pub status: u16,
    pub body: Vec<u8>,
}

/// A URL as an error message may show it: without its query and fragment (where keys and tokens go)
/// and without user information.
pub fn shown_url(url: &str) -> String {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    let url = &url[..end];
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
            format!("{scheme}://{host}{path}")
        }
        None => url.to_owned(),
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
