//! This machine's sources, as `dfls eval` offers them: its files and folders (a relative path is relative
//! to the working directory), the local lakehouse folder and the web addresses `dfls.toml` allows
//! (`[eval]`, README "dfls eval").

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::{Details, Entry, Listing, Sources};
use crate::eval::datetime::{days_from_civil, TICKS_PER_DAY};
use crate::eval::value::{MError, Value};

/// This machine's files and folders, and what `[eval]` of dfls.toml allows beyond them.
#[derive(Debug, Clone, Default)]
pub struct Local {
    /// `[eval] lakehouse`: the folder of the local lakehouse, absolute.
    pub lakehouse: Option<PathBuf>,
}

impl Local {
    /// The sources `[eval]` of the dfls.toml found from `folder` (absolute) configures: a relative
    /// lakehouse folder is relative to that dfls.toml.
    pub fn for_project(project: &crate::config::Project) -> Local {
        let root = project.root.clone().unwrap_or_default();
        let eval = &project.file.eval;
        Local { lakehouse: eval.lakehouse.as_ref().map(|folder| root.join(folder)) }
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
