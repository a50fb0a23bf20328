//! The persistent state: one SQLite file (`store.sqlite3`) in the data directory, opened in WAL mode with a
//! busy timeout so several processes (a language server and a CLI) can share it. Every mutation runs in one
//! `BEGIN IMMEDIATE` transaction ([`Store::write`]); reads see a consistent snapshot ([`Store::read`]).
//!
//! The schema has a version (`PRAGMA user_version`): a store written by a newer dfls, a file that is not
//! SQLite, or a store that fails SQLite's quick check is refused with an error naming the file, never
//! recreated. A store of an older dfls is migrated in place, one version at a time (`MIGRATIONS`). A new
//! store gets the default workspace ([`DEFAULT_WORKSPACE_ID`]).
//!
//! Long-running operations hold whole definitions as results, so they do not stay forever
//! ([`Store::expire_operations`]): an operation is deleted once it has ended longer ago than the retention,
//! and the oldest results go first when all of them together pass a byte budget. The store is in
//! incremental auto-vacuum mode (an older store is converted once, when it opens, after its expired
//! operations are gone), so the pages they held go back to the file system instead of waiting in the file,
//! and the write-ahead log is truncated after such a clean-up. The job history of an item is trimmed in the
//! same spirit ([`trim_jobs`]): the newest finished jobs stay, a running one always does.
//!
//! This module owns the SQL; the API modules call the small functions here inside a transaction.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::clock;
use super::errors::{ApiError, EmulatorError};

/// The schema version this code writes and reads.
pub const SCHEMA_VERSION: i64 = 2;
/// The file name of the store inside the data directory.
pub const STORE_FILE: &str = "store.sqlite3";
/// The id of the workspace every new store has, so a fresh user can push without creating one.
pub const DEFAULT_WORKSPACE_ID: &str = "0ca1fab0-0000-4000-8000-000000000001";
/// The display name of that workspace.
pub const DEFAULT_WORKSPACE_NAME: &str = "Local workspace";

/// How large the write-ahead log may stay after a checkpoint (SQLite otherwise keeps its largest size).
const WAL_SIZE_LIMIT: i64 = 16 << 20;

const SCHEMA: &str = "
CREATE TABLE workspaces (
    id TEXT PRIMARY KEY, display_name TEXT NOT NULL, description TEXT NOT NULL, created_ms INTEGER NOT NULL);
CREATE TABLE items (
    id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, item_type TEXT NOT NULL, display_name TEXT NOT NULL,
    description TEXT NOT NULL, created_ms INTEGER NOT NULL, deleted_ms INTEGER,
    definition_version INTEGER NOT NULL, format TEXT, logical_id TEXT);
CREATE INDEX items_by_workspace ON items (workspace_id, created_ms);
CREATE TABLE parts (
    item_id TEXT NOT NULL, ordinal INTEGER NOT NULL, path TEXT NOT NULL, bytes BLOB NOT NULL,
    PRIMARY KEY (item_id, path));
CREATE TABLE operations (
    id TEXT PRIMARY KEY, created_ms INTEGER NOT NULL, done_ms INTEGER NOT NULL, result TEXT, error TEXT);
CREATE TABLE jobs (
    id TEXT PRIMARY KEY, item_id TEXT NOT NULL, workspace_id TEXT NOT NULL, job_type TEXT NOT NULL,
    invoke_type TEXT NOT NULL, created_ms INTEGER NOT NULL, start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL,
    outcome TEXT NOT NULL, failure TEXT, cancel_ms INTEGER, root_activity_id TEXT NOT NULL,
    publishes_version INTEGER, request_key TEXT);
CREATE INDEX jobs_by_item ON jobs (item_id, created_ms);
CREATE TABLE schedules (
    id TEXT PRIMARY KEY, item_id TEXT NOT NULL, job_type TEXT NOT NULL, enabled INTEGER NOT NULL,
    created_ms INTEGER NOT NULL, configuration TEXT NOT NULL, execution_data TEXT, owner_id TEXT NOT NULL);
";

/// What changes a store of each older version into the next: `MIGRATIONS[0]` makes version 1 a version 2.
const MIGRATIONS: &[&str] = &[
    // 2: the scheduler's memory. A schedule fires for due times after it last fired and after it last
    // changed (so a schedule enabled again does not fire for the times it was off).
    "ALTER TABLE schedules ADD COLUMN changed_ms INTEGER;
     UPDATE schedules SET changed_ms = created_ms;
     ALTER TABLE schedules ADD COLUMN last_fired_ms INTEGER;",
];

/// The folder of dfls's local state in a repository (the parent of [`super::DATA_DIR`]).
const STATE_FOLDER: &str = ".dfls";

/// Creates the data directory. When that creates the repository's `.dfls/` folder, a `.dfls/.gitignore`
/// of `*` comes with it (as Cargo does for `target/`), so Git ignores the local Fabric's store in a
/// repository that never heard of dfls. A `.dfls/` that exists already is left as it is: its owner may
/// have chosen to track something in it.
fn create_data_dir(data_dir: &Path) -> Result<(), EmulatorError> {
    let state_folder = data_dir
        .parent()
        .filter(|parent| parent.file_name() == Some(STATE_FOLDER.as_ref()) && !parent.exists());
    std::fs::create_dir_all(data_dir)
        .map_err(|source| EmulatorError::DataDir { path: data_dir.to_path_buf(), source })?;
    if let Some(folder) = state_folder {
        let path = folder.join(".gitignore");
        std::fs::write(&path, "# Written by dfls: its local state is not for Git.\n*\n")
            .map_err(|source| EmulatorError::DataDir { path, source })?;
    }
    Ok(())
}

/// The store: one connection per process, used under a mutex.
#[derive(Debug)]
pub struct Store {
    connection: Mutex<Connection>,
    path: PathBuf,
}

impl Store {
    /// Opens (or creates) the store in `data_dir`, creating the directory.
    pub fn open(data_dir: &Path) -> Result<Store, EmulatorError> {
        create_data_dir(data_dir)?;
        let path = data_dir.join(STORE_FILE);
        let corrupt = |error: rusqlite::Error| failure(&path, error);
        let connection =
            Connection::open(&path).map_err(|source| EmulatorError::Open { path: path.clone(), source })?;
        connection.busy_timeout(Duration::from_secs(10)).map_err(corrupt)?;
        let version: i64 =
            connection.query_row("PRAGMA user_version", [], |row| row.get(0)).map_err(corrupt)?;
        if version > SCHEMA_VERSION {
            return Err(EmulatorError::NewerSchema { path, found: version, supported: SCHEMA_VERSION });
        }
        let check: String =
            connection.query_row("PRAGMA quick_check", [], |row| row.get(0)).map_err(corrupt)?;
        if check != "ok" {
            return Err(EmulatorError::Corrupt { path, detail: check });
        }
        incremental_vacuum_mode(&connection).map_err(corrupt)?;
        connection.pragma_update(None, "journal_mode", "WAL").map_err(corrupt)?;
        connection.pragma_update(None, "synchronous", "NORMAL").map_err(corrupt)?;
        connection.pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT).map_err(corrupt)?;
        let mut store = Store { connection: Mutex::new(connection), path };
        store.initialize()?;
        Ok(store)
    }

    /// Creates the schema and the default workspace in a new store; checks an existing one.
    fn initialize(&mut self) -> Result<(), EmulatorError> {
        let path = self.path.clone();
        let corrupt = |error: rusqlite::Error| failure(&path, error);
        let connection = self.connection.get_mut().unwrap_or_else(std::sync::PoisonError::into_inner);
        let transaction =
            connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(corrupt)?;
        // Read again inside the transaction: another process may have initialized it meanwhile.
        let version: i64 =
            transaction.query_row("PRAGMA user_version", [], |row| row.get(0)).map_err(corrupt)?;
        match version {
            0 => {
                let tables: i64 = transaction
                    .query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get(0))
                    .map_err(corrupt)?;
                if tables != 0 {
                    return Err(EmulatorError::Corrupt {
                        path: self.path.clone(),
                        detail: "it holds tables but no dfls schema version".to_string(),
                    });
                }
                transaction.execute_batch(SCHEMA).map_err(corrupt)?;
                for migration in MIGRATIONS {
                    transaction.execute_batch(migration).map_err(corrupt)?;
                }
                transaction
                    .execute(
                        "INSERT INTO workspaces (id, display_name, description, created_ms) VALUES (?1, ?2, ?3, ?4)",
                        params![
                            DEFAULT_WORKSPACE_ID,
                            DEFAULT_WORKSPACE_NAME,
                            "The workspace every local Fabric starts with.",
                            clock::now_ms()
                        ],
                    )
                    .map_err(corrupt)?;
                transaction.pragma_update(None, "user_version", SCHEMA_VERSION).map_err(corrupt)?;
            }
            SCHEMA_VERSION => {}
            older if (1..SCHEMA_VERSION).contains(&older) => {
                for migration in MIGRATIONS.iter().skip(usize::try_from(older - 1).unwrap_or(0)) {
                    transaction.execute_batch(migration).map_err(corrupt)?;
                }
                transaction.pragma_update(None, "user_version", SCHEMA_VERSION).map_err(corrupt)?;
            }
            newer => {
                return Err(EmulatorError::NewerSchema {
                    path: self.path.clone(),
                    found: newer,
                    supported: SCHEMA_VERSION,
                })
            }
        }
        transaction.commit().map_err(corrupt)
    }

    /// The store's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one immediate transaction, committed when it returns `Ok`.
    pub fn write<T>(&self, f: impl FnOnce(&Connection) -> Result<T, ApiError>) -> Result<T, ApiError> {
        let mut connection = self.connection.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&transaction)?;
        transaction.commit()?;
        Ok(value)
    }

    /// Deletes the operations that ended at or before `ended_before_ms`, then, newest first, those whose
    /// results pass `budget` bytes together (never `keep`, the one just answered); then gives the freed
    /// space back to the file system. Returns how many were deleted.
    pub fn expire_operations(
        &self,
        ended_before_ms: i64,
        budget: u64,
        keep: Option<&str>,
    ) -> Result<usize, ApiError> {
        let deleted = self.write(|db| {
            let mut deleted = db.execute(
                "DELETE FROM operations WHERE done_ms <= ?1 AND id IS NOT ?2",
                params![ended_before_ms, keep],
            )?;
            let mut statement = db.prepare(
                "SELECT id, coalesce(octet_length(result), 0) + coalesce(octet_length(error), 0) \
                 FROM operations ORDER BY created_ms DESC, rowid DESC",
            )?;
            let sizes = statement
                .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut total: u64 = 0;
            for (id, size) in sizes {
                total = total.saturating_add(u64::try_from(size).unwrap_or(0));
                if total > budget && keep != Some(id.as_str()) {
                    deleted += db.execute("DELETE FROM operations WHERE id = ?1", [&id])?;
                }
            }
            Ok(deleted)
        })?;
        if deleted > 0 {
            let connection = self.connection.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            // Both are best effort: another process reading the store can hold the checkpoint back, and
            // the next clean-up tries again.
            let _ = run_to_end(&connection, "PRAGMA incremental_vacuum");
            let _ = run_to_end(&connection, "PRAGMA wal_checkpoint(TRUNCATE)");
        }
        Ok(deleted)
    }

    /// Converts a store made before the incremental auto-vacuum mode by rewriting it once (`VACUUM`, as
    /// small as it gets after [`Store::expire_operations`]). Best effort: while another process holds the
    /// store it stays as it is, until a later open.
    pub fn give_space_back(&self) {
        let connection = self.connection.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mode = connection.query_row("PRAGMA auto_vacuum", [], |row| row.get::<_, i64>(0));
        if mode.is_ok_and(|mode| mode != INCREMENTAL_VACUUM) {
            let _ = connection.pragma_update(None, "auto_vacuum", INCREMENTAL_VACUUM);
            let _ = connection.execute_batch("VACUUM;");
        }
    }

    /// Runs `f` in one read transaction.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T, ApiError>) -> Result<T, ApiError> {
        let mut connection = self.connection.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Deferred)?;
        let value = f(&transaction)?;
        transaction.commit()?;
        Ok(value)
    }
}

/// Steps a statement until it is done: `incremental_vacuum` frees one page a step.
fn run_to_end(connection: &Connection, sql: &str) -> rusqlite::Result<()> {
    let mut statement = connection.prepare(sql)?;
    let mut rows = statement.query([])?;
    while rows.next()?.is_some() {}
    Ok(())
}

const INCREMENTAL_VACUUM: i64 = 2;

/// Puts a new store (no table yet) in incremental auto-vacuum mode; an older store is converted later
/// ([`Store::give_space_back`]), after its expired operations are gone.
fn incremental_vacuum_mode(connection: &Connection) -> rusqlite::Result<()> {
    let tables: i64 = connection.query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get(0))?;
    if tables == 0 {
        connection.pragma_update(None, "auto_vacuum", INCREMENTAL_VACUUM)?;
    }
    Ok(())
}

/// The error of a failed open: `Corrupt` when SQLite says the file is not a database or is damaged, else
/// `Open` (a read-only file or directory, a full disk, a lock held too long).
fn failure(path: &Path, error: rusqlite::Error) -> EmulatorError {
    match error.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) => {
            EmulatorError::Corrupt { path: path.to_path_buf(), detail: error.to_string() }
        }
        _ => EmulatorError::Open { path: path.to_path_buf(), source: error },
    }
}

/// A workspace.
#[derive(Debug, Clone)]
pub struct WorkspaceRow {
    pub id: String,
    pub display_name: String,
    pub description: String,
}

pub fn workspaces(db: &Connection) -> rusqlite::Result<Vec<WorkspaceRow>> {
    let mut statement =
        db.prepare("SELECT id, display_name, description FROM workspaces ORDER BY created_ms, rowid")?;
    let rows = statement.query_map([], |row| {
        Ok(WorkspaceRow { id: row.get(0)?, display_name: row.get(1)?, description: row.get(2)? })
    })?;
    rows.collect()
}

pub fn workspace(db: &Connection, id: &str) -> rusqlite::Result<Option<WorkspaceRow>> {
    db.query_row("SELECT id, display_name, description FROM workspaces WHERE id = ?1", [id], |row| {
        Ok(WorkspaceRow { id: row.get(0)?, display_name: row.get(1)?, description: row.get(2)? })
    })
    .optional()
}

pub fn insert_workspace(db: &Connection, row: &WorkspaceRow) -> rusqlite::Result<()> {
    db.execute(
        "INSERT INTO workspaces (id, display_name, description, created_ms) VALUES (?1, ?2, ?3, ?4)",
        params![row.id, row.display_name, row.description, clock::now_ms()],
    )?;
    Ok(())
}

/// An item (not deleted unless said).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRow {
    pub id: String,
    pub workspace_id: String,
    pub item_type: String,
    pub display_name: String,
    pub description: String,
    /// Incremented by every definition update; a dataflow is published when a publishing job of this version
    /// completed.
    pub definition_version: i64,
    pub format: Option<String>,
    pub logical_id: Option<String>,
}

const ITEM_COLUMNS: &str =
    "id, workspace_id, item_type, display_name, description, definition_version, format, logical_id";

fn item_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<ItemRow> {
    Ok(ItemRow {
        id: row.get(0)?,
        workspace_id: row.get(1)?,
        item_type: row.get(2)?,
        display_name: row.get(3)?,
        description: row.get(4)?,
        definition_version: row.get(5)?,
        format: row.get(6)?,
        logical_id: row.get(7)?,
    })
}

/// The live items of a workspace, oldest first, optionally of one type.
pub fn items(db: &Connection, workspace_id: &str, item_type: Option<&str>) -> rusqlite::Result<Vec<ItemRow>> {
    let mut statement = db.prepare(&format!(
        "SELECT {ITEM_COLUMNS} FROM items WHERE workspace_id = ?1 AND deleted_ms IS NULL \
         AND (?2 IS NULL OR item_type = ?2) ORDER BY created_ms, rowid"
    ))?;
    let rows = statement.query_map(params![workspace_id, item_type], item_of)?;
    rows.collect()
}

/// A live item of a workspace.
pub fn item(db: &Connection, workspace_id: &str, id: &str) -> rusqlite::Result<Option<ItemRow>> {
    db.query_row(
        &format!(
            "SELECT {ITEM_COLUMNS} FROM items WHERE workspace_id = ?1 AND id = ?2 AND deleted_ms IS NULL"
        ),
        params![workspace_id, id],
        item_of,
    )
    .optional()
}

/// Whether a live item other than `except` has this type and display name in the workspace; names compare
/// without case, as Fabric's do.
pub fn name_taken(
    db: &Connection,
    workspace_id: &str,
    item_type: &str,
    name: &str,
    except: Option<&str>,
) -> rusqlite::Result<bool> {
    db.query_row(
        "SELECT count(*) FROM items WHERE workspace_id = ?1 AND item_type = ?2 AND deleted_ms IS NULL \
         AND lower(display_name) = lower(?3) AND (?4 IS NULL OR id <> ?4)",
        params![workspace_id, item_type, name, except],
        |row| row.get::<_, i64>(0),
    )
    .map(|count| count > 0)
}

/// When an item of this type and name was last soft-deleted in the workspace, if ever.
pub fn last_deleted(
    db: &Connection,
    workspace_id: &str,
    item_type: &str,
    name: &str,
) -> rusqlite::Result<Option<i64>> {
    db.query_row(
        "SELECT max(deleted_ms) FROM items WHERE workspace_id = ?1 AND item_type = ?2 \
         AND deleted_ms IS NOT NULL AND lower(display_name) = lower(?3)",
        params![workspace_id, item_type, name],
        |row| row.get(0),
    )
}

pub fn insert_item(db: &Connection, row: &ItemRow) -> rusqlite::Result<()> {
    db.execute(
        "INSERT INTO items (id, workspace_id, item_type, display_name, description, created_ms, deleted_ms, \
         definition_version, format, logical_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7, ?8, ?9)",
        params![
            row.id,
            row.workspace_id,
            row.item_type,
            row.display_name,
            row.description,
            clock::now_ms(),
            row.definition_version,
            row.format,
            row.logical_id
        ],
    )?;
    Ok(())
}

/// Writes the mutable fields of an item.
pub fn update_item(db: &Connection, row: &ItemRow) -> rusqlite::Result<()> {
    db.execute(
        "UPDATE items SET display_name = ?2, description = ?3, definition_version = ?4, format = ?5, \
         logical_id = ?6 WHERE id = ?1",
        params![
            row.id,
            row.display_name,
            row.description,
            row.definition_version,
            row.format,
            row.logical_id
        ],
    )?;
    Ok(())
}

/// Soft-deletes an item (kept, hidden) or hard-deletes it with everything it owns.
pub fn delete_item(db: &Connection, id: &str, hard: bool) -> rusqlite::Result<()> {
    if hard {
        db.execute("DELETE FROM items WHERE id = ?1", [id])?;
        db.execute("DELETE FROM parts WHERE item_id = ?1", [id])?;
        db.execute("DELETE FROM jobs WHERE item_id = ?1", [id])?;
    } else {
        db.execute("UPDATE items SET deleted_ms = ?2 WHERE id = ?1", params![id, clock::now_ms()])?;
    }
    db.execute("DELETE FROM schedules WHERE item_id = ?1", [id])?;
    Ok(())
}

/// The stored parts of an item, in their order: (path, bytes).
pub fn parts(db: &Connection, item_id: &str) -> rusqlite::Result<Vec<(String, Vec<u8>)>> {
    let mut statement = db.prepare("SELECT path, bytes FROM parts WHERE item_id = ?1 ORDER BY ordinal")?;
    let rows = statement.query_map([item_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
    rows.collect()
}

/// Replaces the parts of an item.
pub fn replace_parts(db: &Connection, item_id: &str, parts: &[(String, Vec<u8>)]) -> rusqlite::Result<()> {
    db.execute("DELETE FROM parts WHERE item_id = ?1", [item_id])?;
    let mut statement =
        db.prepare("INSERT INTO parts (item_id, ordinal, path, bytes) VALUES (?1, ?2, ?3, ?4)")?;
    for (ordinal, (path, bytes)) in parts.iter().enumerate() {
        statement.execute(params![item_id, i64::try_from(ordinal).unwrap_or(i64::MAX), path, bytes])?;
    }
    Ok(())
}

/// A long-running operation: done at `done_ms`, with a JSON result or a JSON error.
#[derive(Debug, Clone)]
pub struct OperationRow {
    pub id: String,
    pub created_ms: i64,
    pub done_ms: i64,
    pub result: Option<String>,
    pub error: Option<String>,
}

pub fn insert_operation(db: &Connection, row: &OperationRow) -> rusqlite::Result<()> {
    db.execute(
        "INSERT INTO operations (id, created_ms, done_ms, result, error) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![row.id, row.created_ms, row.done_ms, row.result, row.error],
    )?;
    Ok(())
}

pub fn operation(db: &Connection, id: &str) -> rusqlite::Result<Option<OperationRow>> {
    db.query_row("SELECT id, created_ms, done_ms, result, error FROM operations WHERE id = ?1", [id], |row| {
        Ok(OperationRow {
            id: row.get(0)?,
            created_ms: row.get(1)?,
            done_ms: row.get(2)?,
            result: row.get(3)?,
            error: row.get(4)?,
        })
    })
    .optional()
}

/// A job instance as stored: its planned times and outcome; [`super::jobs`] computes its state at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRow {
    pub id: String,
    pub item_id: String,
    pub workspace_id: String,
    pub job_type: String,
    pub invoke_type: String,
    pub created_ms: i64,
    pub start_ms: i64,
    pub end_ms: i64,
    /// `Completed`, `Failed` or `Deduped`: what the job ends with unless cancelled first.
    pub outcome: String,
    /// The `failureReason` JSON of a failing job.
    pub failure: Option<String>,
    pub cancel_ms: Option<i64>,
    pub root_activity_id: String,
    /// The definition version the job publishes when it completes.
    pub publishes_version: Option<i64>,
    /// What makes two Execute requests identical, for deduplication.
    pub request_key: Option<String>,
}

const JOB_COLUMNS: &str = "id, item_id, workspace_id, job_type, invoke_type, created_ms, start_ms, end_ms, \
     outcome, failure, cancel_ms, root_activity_id, publishes_version, request_key";

fn job_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<JobRow> {
    Ok(JobRow {
        id: row.get(0)?,
        item_id: row.get(1)?,
        workspace_id: row.get(2)?,
        job_type: row.get(3)?,
        invoke_type: row.get(4)?,
        created_ms: row.get(5)?,
        start_ms: row.get(6)?,
        end_ms: row.get(7)?,
        outcome: row.get(8)?,
        failure: row.get(9)?,
        cancel_ms: row.get(10)?,
        root_activity_id: row.get(11)?,
        publishes_version: row.get(12)?,
        request_key: row.get(13)?,
    })
}

pub fn insert_job(db: &Connection, row: &JobRow) -> rusqlite::Result<()> {
    db.execute(
        &format!("INSERT INTO jobs ({JOB_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"),
        params![
            row.id,
            row.item_id,
            row.workspace_id,
            row.job_type,
            row.invoke_type,
            row.created_ms,
            row.start_ms,
            row.end_ms,
            row.outcome,
            row.failure,
            row.cancel_ms,
            row.root_activity_id,
            row.publishes_version,
            row.request_key
        ],
    )?;
    Ok(())
}

/// The jobs of an item, newest first.
pub fn jobs(db: &Connection, item_id: &str) -> rusqlite::Result<Vec<JobRow>> {
    let mut statement = db.prepare(&format!(
        "SELECT {JOB_COLUMNS} FROM jobs WHERE item_id = ?1 ORDER BY created_ms DESC, rowid DESC"
    ))?;
    let rows = statement.query_map([item_id], job_of)?;
    rows.collect()
}

pub fn job(db: &Connection, item_id: &str, id: &str) -> rusqlite::Result<Option<JobRow>> {
    db.query_row(
        &format!("SELECT {JOB_COLUMNS} FROM jobs WHERE item_id = ?1 AND id = ?2"),
        params![item_id, id],
        job_of,
    )
    .optional()
}

/// Trims the history of an item's jobs to the newest `keep` finished ones, as Fabric lists at most 100
/// recently completed job instances of an item. A job that has not finished yet is never deleted, nor the
/// job that published the item's published version ([`published_version`] is computed from it). Returns how
/// many were deleted.
pub fn trim_jobs(db: &Connection, item_id: &str, now_ms: i64, keep: usize) -> rusqlite::Result<usize> {
    // Finished as [`super::jobs::state`] says: deduplicated at once, or ended, or cancelled before its end.
    db.execute(
        "DELETE FROM jobs WHERE id IN (\
             SELECT id FROM jobs WHERE item_id = ?1 \
             AND (outcome = 'Deduped' OR min(end_ms, coalesce(cancel_ms, end_ms)) <= ?2) \
             ORDER BY created_ms DESC, rowid DESC LIMIT -1 OFFSET ?3) \
         AND id IS NOT (\
             SELECT id FROM jobs WHERE item_id = ?1 AND publishes_version IS NOT NULL \
             AND outcome = 'Completed' AND end_ms <= ?2 AND cancel_ms IS NULL \
             ORDER BY publishes_version DESC, created_ms DESC, rowid DESC LIMIT 1)",
        params![item_id, now_ms, i64::try_from(keep).unwrap_or(i64::MAX)],
    )
}

pub fn cancel_job(db: &Connection, id: &str, at_ms: i64) -> rusqlite::Result<()> {
    db.execute("UPDATE jobs SET cancel_ms = ?2 WHERE id = ?1", params![id, at_ms])?;
    Ok(())
}

/// A schedule.
#[derive(Debug, Clone)]
pub struct ScheduleRow {
    pub id: String,
    pub item_id: String,
    pub job_type: String,
    pub enabled: bool,
    pub created_ms: i64,
    pub configuration: String,
    pub execution_data: Option<String>,
    pub owner_id: String,
    /// When it was made or last changed (an update, enabling it again).
    pub changed_ms: i64,
    /// When the scheduler last fired it, if ever.
    pub last_fired_ms: Option<i64>,
}

const SCHEDULE_COLUMNS: &str = "id, item_id, job_type, enabled, created_ms, configuration, execution_data, \
     owner_id, coalesce(changed_ms, created_ms), last_fired_ms";

fn schedule_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<ScheduleRow> {
    Ok(ScheduleRow {
        id: row.get(0)?,
        item_id: row.get(1)?,
        job_type: row.get(2)?,
        enabled: row.get(3)?,
        created_ms: row.get(4)?,
        configuration: row.get(5)?,
        execution_data: row.get(6)?,
        owner_id: row.get(7)?,
        changed_ms: row.get(8)?,
        last_fired_ms: row.get(9)?,
    })
}

pub fn schedules(db: &Connection, item_id: &str, job_type: &str) -> rusqlite::Result<Vec<ScheduleRow>> {
    let mut statement = db.prepare(&format!(
        "SELECT {SCHEDULE_COLUMNS} FROM schedules WHERE item_id = ?1 AND job_type = ?2 ORDER BY created_ms, rowid"
    ))?;
    let rows = statement.query_map(params![item_id, job_type], schedule_of)?;
    rows.collect()
}

pub fn schedule(
    db: &Connection,
    item_id: &str,
    job_type: &str,
    id: &str,
) -> rusqlite::Result<Option<ScheduleRow>> {
    db.query_row(
        &format!("SELECT {SCHEDULE_COLUMNS} FROM schedules WHERE item_id = ?1 AND job_type = ?2 AND id = ?3"),
        params![item_id, job_type, id],
        schedule_of,
    )
    .optional()
}

/// Inserts a schedule, or updates what can change of an existing one (keeping its place in lists and
/// when it last fired).
pub fn put_schedule(db: &Connection, row: &ScheduleRow) -> rusqlite::Result<()> {
    db.execute(
        "INSERT INTO schedules (id, item_id, job_type, enabled, created_ms, configuration, execution_data, \
         owner_id, changed_ms, last_fired_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
         ON CONFLICT (id) DO UPDATE SET enabled = ?4, configuration = ?6, execution_data = ?7, changed_ms = ?9",
        params![
            row.id,
            row.item_id,
            row.job_type,
            row.enabled,
            row.created_ms,
            row.configuration,
            row.execution_data,
            row.owner_id,
            row.changed_ms,
            row.last_fired_ms
        ],
    )?;
    Ok(())
}

/// The enabled schedules of the items that are not deleted, with each item's workspace.
pub fn enabled_schedules(db: &Connection) -> rusqlite::Result<Vec<(ScheduleRow, String)>> {
    let mut statement = db.prepare(
        "SELECT s.id, s.item_id, s.job_type, s.enabled, s.created_ms, s.configuration, s.execution_data, \
         s.owner_id, coalesce(s.changed_ms, s.created_ms), s.last_fired_ms, i.workspace_id \
         FROM schedules s JOIN items i ON i.id = s.item_id \
         WHERE s.enabled AND i.deleted_ms IS NULL ORDER BY s.created_ms, s.rowid",
    )?;
    let rows = statement.query_map([], |row| Ok((schedule_of(row)?, row.get(10)?)))?;
    rows.collect()
}

/// Records that a schedule fired at `at_ms`, if it is still as the scheduler read it (`last_fired_ms`
/// unchanged: no other process sharing the store fired it meanwhile). Whether it did.
pub fn mark_fired(db: &Connection, id: &str, read: Option<i64>, at_ms: i64) -> rusqlite::Result<bool> {
    let changed = db.execute(
        "UPDATE schedules SET last_fired_ms = ?3 WHERE id = ?1 AND last_fired_ms IS ?2",
        params![id, read, at_ms],
    )?;
    Ok(changed == 1)
}

/// The latest time the store recorded of jobs, operations and schedules (0 for none), where the emulator's
/// clock goes on from.
pub fn latest_time(db: &Connection) -> rusqlite::Result<i64> {
    db.query_row(
        "SELECT max(coalesce((SELECT max(created_ms) FROM jobs), 0), \
                    coalesce((SELECT max(created_ms) FROM operations), 0), \
                    coalesce((SELECT max(max(coalesce(changed_ms, 0), coalesce(last_fired_ms, 0))) FROM schedules), 0))",
        [],
        |row| row.get(0),
    )
}

pub fn delete_schedule(db: &Connection, id: &str) -> rusqlite::Result<()> {
    db.execute("DELETE FROM schedules WHERE id = ?1", [id])?;
    Ok(())
}

/// The highest definition version of an item that a completed, uncancelled publishing job published by
/// `now_ms`; `None` when the item was never published.
pub fn published_version(db: &Connection, item_id: &str, now_ms: i64) -> rusqlite::Result<Option<i64>> {
    db.query_row(
        "SELECT max(publishes_version) FROM jobs WHERE item_id = ?1 AND publishes_version IS NOT NULL \
         AND outcome = 'Completed' AND end_ms <= ?2 AND cancel_ms IS NULL",
        params![item_id, now_ms],
        |row| row.get(0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A job created at 0 that runs from `start_ms` to `end_ms`.
    fn job(id: &str, start_ms: i64, end_ms: i64, outcome: &str, cancel_ms: Option<i64>) -> JobRow {
        JobRow {
            id: id.into(),
            item_id: "item".into(),
            workspace_id: DEFAULT_WORKSPACE_ID.into(),
            job_type: "Execute".into(),
            invoke_type: "Manual".into(),
            created_ms: 0,
            start_ms,
            end_ms,
            outcome: outcome.into(),
            failure: None,
            cancel_ms,
            root_activity_id: "r".into(),
            publishes_version: None,
            request_key: None,
        }
    }

    #[test]
    fn a_new_state_folder_is_ignored_by_git_and_an_existing_one_left_alone() {
        let repository = tempfile::tempdir().unwrap();
        Store::open(&repository.path().join(super::super::DATA_DIR)).unwrap();
        let ignore = std::fs::read_to_string(repository.path().join(".dfls/.gitignore")).unwrap();
        assert_eq!(ignore.lines().filter(|line| !line.starts_with('#')).collect::<Vec<_>>(), ["*"]);

        // A `.dfls/` the user made (and maybe tracks) gets no `.gitignore` from dfls.
        let other = tempfile::tempdir().unwrap();
        std::fs::create_dir(other.path().join(".dfls")).unwrap();
        Store::open(&other.path().join(".dfls/local-fabric")).unwrap();
        assert!(!other.path().join(".dfls/.gitignore").exists());
        // A data directory elsewhere (`dfls emulator --data-dir`) gets none either.
        let elsewhere = tempfile::tempdir().unwrap();
        Store::open(&elsewhere.path().join("state")).unwrap();
        assert!(!elsewhere.path().join(".gitignore").exists());
    }

    #[test]
    fn trimming_removes_finished_jobs_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let now = 1000;
        let mut published = job("published", 0, 10, "Completed", None);
        published.publishes_version = Some(1);
        let rows = [
            published,
            job("completed", 0, 10, "Completed", None),
            job("failed", 0, 10, "Failed", None),
            job("deduped", 2000, 2000, "Deduped", None),
            job("cancelled", 0, 5000, "Completed", Some(500)),
            job("not-started", 2000, 3000, "Completed", None),
            job("in-progress", 0, 3000, "Completed", None),
            job("cancel-to-come", 0, 3000, "Completed", Some(2000)),
            job("cancelled-after-its-end", 0, 3000, "Completed", Some(4000)),
        ];
        let left = store
            .write(|db| {
                for row in &rows {
                    insert_job(db, row)?;
                }
                trim_jobs(db, "item", now, 0)?;
                Ok(jobs(db, "item")?.into_iter().map(|row| row.id).collect::<Vec<_>>())
            })
            .unwrap();
        let expected =
            ["cancelled-after-its-end", "cancel-to-come", "in-progress", "not-started", "published"];
        assert_eq!(left, expected, "newest first: the running jobs, and the one that published");
    }
}
