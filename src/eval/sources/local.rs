//! This machine's sources, as `dfls eval` offers them: its files and folders (a relative path is relative
//! to the working directory), the local lakehouse folder and the web addresses `dfls.toml` allows
//! (`[eval]`, README "dfls eval").

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::{shown_url, Details, Entry, Listing, Sources, WebRequest, WebResponse};
use crate::eval::datetime::{days_from_civil, TICKS_PER_DAY};
use crate::eval::value::{MError, Value};

/// This machine's files and folders, and what `[eval]` of dfls.toml allows beyond them.
#[derive(Debug, Clone)]
pub struct Local {
    /// `[eval] lakehouse`: the folder of the local lakehouse, absolute.
    pub lakehouse: Option<PathBuf>,
    /// `[eval] web`: the URL prefixes `Web.Contents` may fetch.
    pub web: Vec<String>,
    /// The largest response body `Web.Contents` reads.
    pub max_web_bytes: u64,
}

/// The largest response body read by default: 256 MiB.
pub const MAX_WEB_BYTES: u64 = 256 << 20;

impl Default for Local {
    fn default() -> Local {
        Local { lakehouse: None, web: Vec::new(), max_web_bytes: MAX_WEB_BYTES }
    }
}

/// The M error for an IO error on `path` (`what`: "file", "folder").
fn io_error(error: &std::io::Error, what: &str, path: &str) -> MError {
    let (reason, message) = match error.kind() {
        std::io::ErrorKind::NotFound => {
            ("DataSource.NotFound", format!("File or Folder: We couldn't find the {what} {path}."))
        }
        _ => ("DataSource.Error", format!("File or Folder: We couldn't read the {what} {path}: {error}.")),
    };
    MError::new(reason, message).with_detail(Value::text(path))
}

impl Sources for Local {
    fn file(&self, path: &str) -> Result<Vec<u8>, MError> {
        std::fs::read(path).map_err(|error| io_error(&error, "file", path))
    }

    fn folder(&self, path: &str) -> Result<Listing, MError> {
        let read = std::fs::read_dir(path).map_err(|error| io_error(&error, "folder", path))?;
        let mut entries: Vec<Entry> = read
            .map(|entry| match entry {
                Ok(entry) => {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    let details = details(&entry.path(), &name)
                        .map_err(|error| io_error(&error, "file", &entry.path().display().to_string()));
                    Entry { name, details }
                }
                Err(error) => Entry { name: String::new(), details: Err(io_error(&error, "folder", path)) },
            })
            .collect();
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        let absolute = std::path::absolute(path).unwrap_or_else(|_| PathBuf::from(path));
        let mut shown = absolute.display().to_string();
        if !shown.ends_with(std::path::MAIN_SEPARATOR) {
            shown.push(std::path::MAIN_SEPARATOR);
        }
        Ok(Listing { path: shown, entries })
    }

    fn web(&self, request: &WebRequest) -> Result<WebResponse, MError> {
        fetch(self, request)
    }

    fn lakehouse(&self) -> Result<String, MError> {
        match &self.lakehouse {
            Some(folder) => Ok(folder.display().to_string()),
            None => Err(MError::new(
                "DataSource.Error",
                "`Lakehouse.Contents` reads the local lakehouse folder, and none is configured: set \
                 `lakehouse = \"folder\"` under `[eval]` in dfls.toml, or evaluate in Fabric (`dfls query`)",
            )),
        }
    }
}

/// Whether `url` is under one of the allowed prefixes: the prefix, then the end of the URL or a `/`,
/// `?` or `#` (so `http://127.0.0.1:80` does not allow `http://127.0.0.1:8080`), unless the prefix
/// itself ends with `/`.
pub fn allowed(prefixes: &[String], url: &str) -> bool {
    prefixes.iter().any(|prefix| {
        url.strip_prefix(prefix.as_str())
            .is_some_and(|rest| prefix.ends_with('/') || rest.is_empty() || rest.starts_with(['/', '?', '#']))
    })
}

fn web_error(message: String) -> MError {
    MError::new("DataSource.Error", message)
}

/// A GET of an allowed URL: redirects followed only to allowed URLs, the body read up to the limit.
fn fetch(local: &Local, request: &WebRequest) -> Result<WebResponse, MError> {
    use std::io::Read;
    let shown = shown_url(&request.url);
    if !allowed(&local.web, &request.url) {
        return Err(web_error(format!(
            "`Web.Contents` fetches only the URLs dfls.toml allows, and {shown} is not one: add a prefix of it \
             to `web = [...]` under `[eval]` in dfls.toml, or evaluate in Fabric (`dfls query`)"
        ))
        .with_detail(Value::text(&shown)));
    }
    let prefixes = local.web.clone();
    let policy = reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() >= 10 {
            attempt.error("more than 10 redirects")
        } else if allowed(&prefixes, attempt.url().as_str()) {
            attempt.follow()
        } else {
            let to = shown_url(attempt.url().as_str());
            attempt.error(format!("a redirect to {to}, which dfls.toml does not allow"))
        }
    });
    let client = reqwest::blocking::Client::builder()
        .redirect(policy)
        .timeout(request.timeout)
        .build()
        .map_err(|error| web_error(format!("Web.Contents cannot make an HTTP client: {error}")))?;
    let mut builder = client.get(&request.url);
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    // reqwest's errors name the URL with its query; only the shown URL goes into the message.
    let failed = |error: reqwest::Error| {
        let why = if error.is_timeout() {
            "the request timed out".to_owned()
        } else if error.is_redirect() {
            std::error::Error::source(&error).map_or("a redirect failed".to_owned(), ToString::to_string)
        } else if error.is_connect() {
            "the server cannot be reached".to_owned()
        } else {
            error.without_url().to_string()
        };
        web_error(format!("Web.Contents failed to get contents from '{shown}': {why}."))
            .with_detail(Value::text(&shown))
    };
    let response = builder.send().map_err(failed)?;
    let status = response.status().as_u16();
    let mut body = Vec::new();
    response.take(local.max_web_bytes + 1).read_to_end(&mut body).map_err(|error| {
        web_error(format!("Web.Contents failed to read the answer of '{shown}': {error}."))
    })?;
    if body.len() as u64 > local.max_web_bytes {
        return Err(web_error(format!(
            "The answer of '{shown}' is larger than dfls reads ({} bytes).",
            local.max_web_bytes
        )));
    }
    Ok(WebResponse { status, body })
}

/// An entry's details (a symbolic link's target's, the link noted).
fn details(path: &Path, name: &str) -> std::io::Result<Details> {
    let link = std::fs::symlink_metadata(path)?;
    let metadata = if link.file_type().is_symlink() { std::fs::metadata(path)? } else { link.clone() };
    Ok(Details {
        folder: metadata.is_dir(),
        size: if metadata.is_dir() { 0 } else { metadata.len() },
        accessed: metadata.accessed().ok().and_then(local_ticks),
        modified: metadata.modified().ok().and_then(local_ticks),
        created: metadata.created().ok().and_then(local_ticks),
        read_only: metadata.permissions().readonly(),
        hidden: name.starts_with('.') || hidden_on_windows(&metadata),
        symbolic_link: link.file_type().is_symlink(),
    })
}

#[cfg(windows)]
fn hidden_on_windows(metadata: &std::fs::Metadata) -> bool {
    use std::os::windows::fs::MetadataExt;
    const FILE_ATTRIBUTE_HIDDEN: u32 = 0x2;
    metadata.file_attributes() & FILE_ATTRIBUTE_HIDDEN != 0
}

#[cfg(not(windows))]
fn hidden_on_windows(_: &std::fs::Metadata) -> bool {
    false
}

/// A file time as a local datetime in ticks (as Power Query shows file times).
fn local_ticks(time: SystemTime) -> Option<i64> {
    let stamp = jiff::Timestamp::try_from(time).ok()?;
    let local = jiff::tz::TimeZone::system().to_datetime(stamp);
    let day = days_from_civil(i64::from(local.year()), i64::from(local.month()), i64::from(local.day()))?;
    let nanos = i64::from(local.hour()) * 3_600_000_000_000
        + i64::from(local.minute()) * 60_000_000_000
        + i64::from(local.second()) * 1_000_000_000
        + i64::from(local.subsec_nanosecond());
    Some(day * TICKS_PER_DAY + nanos / 100)
}
