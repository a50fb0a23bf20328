//! The job scheduler: run on demand (`jobs/{jobType}/instances`, or `jobs/instances?jobType=`), get, list
//! (newest first, paginated) and cancel job instances.
//!
//! Dataflow job types are `Execute` (alias `Refresh`) and `ApplyChanges` (alias `Publish`), case-insensitive;
//! instances report the canonical name. Other item types run any job type as a generic job. What a job will
//! do is decided when it is created, from the store at that moment: ApplyChanges (and Execute with
//! `ApplyChangesIfNeeded` on an unpublished dataflow) runs dfls's checker and fails with its errors, else
//! publishes the current definition version when it completes; Execute with `SkipApplyChanges` on a
//! never-published dataflow fails with `DataflowNeverPublishedError`; an Execute identical to one still
//! running is `Deduped`; an Execute whose parameters do not fit the dataflow's public parameters fails
//! (`DataflowInvalidParameters`).

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::api_items::find;
use super::errors::ApiError;
use super::http::{empty, json_response, with_header, Ctx, Group};
use super::jobs::{self, Status};
use super::store::{self, ItemRow, JobRow};
use super::validate::{self, DATAFLOW};
use super::{clock, lro, parameters, Emulator, Options};
use crate::definition::parts::{MASHUP, QUERY_METADATA};

/// The canonical job types of dataflows.
pub const EXECUTE: &str = "Execute";
pub const APPLY_CHANGES: &str = "ApplyChanges";

/// The canonical name of a job type for an item type.
pub fn job_type(item_type: &str, given: &str) -> Result<String, ApiError> {
    if item_type == DATAFLOW {
        return match given.to_ascii_lowercase().as_str() {
            "execute" | "refresh" => Ok(EXECUTE.to_string()),
            "applychanges" | "publish" => Ok(APPLY_CHANGES.to_string()),
            _ => Err(ApiError::bad_request(
                "InvalidJobType",
                format!("`{given}` is not a job type of dataflows (Execute, ApplyChanges; Refresh and Publish as aliases)."),
            )),
        };
    }
    if given.is_empty() || !given.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(ApiError::bad_request("InvalidJobType", format!("`{given}` is not a job type.")));
    }
    Ok(given.to_string())
}

fn job_url(ctx: &Ctx<'_>, ws: &str, item_id: &str, job_id: &str) -> String {
    format!("{}/workspaces/{ws}/items/{item_id}/jobs/instances/{job_id}", ctx.base)
}

/// What an Execute request asks: whether to skip publishing, the names of the parameters it sets, and a key
/// that identifies identical requests.
struct ExecuteRequest {
    skip: bool,
    names: Vec<String>,
    key: String,
}

fn execute_request(body: Option<&Map<String, Value>>) -> Result<ExecuteRequest, ApiError> {
    let data = body.and_then(|b| b.get("executionData")).filter(|d| !d.is_null());
    if let Some(data) = data {
        if !data.is_object() {
            return Err(ApiError::bad_request("InvalidRequest", "`executionData` must be an object."));
        }
    }
    let option = data.and_then(|d| d.get("executeOption")).filter(|o| !o.is_null());
    let skip = match option.map(|o| o.as_str()) {
        None => false,
        Some(Some(text)) if text.eq_ignore_ascii_case("ApplyChangesIfNeeded") => false,
        Some(Some(text)) if text.eq_ignore_ascii_case("SkipApplyChanges") => true,
        Some(_) => {
            return Err(ApiError::bad_request(
                "InvalidRequest",
                "`executeOption` must be \"ApplyChangesIfNeeded\" or \"SkipApplyChanges\".",
            ))
        }
    };
    let mut parameters = Vec::new();
    let lists = [data.and_then(|d| d.get("parameters")), body.and_then(|b| b.get("parameters"))];
    for list in lists.into_iter().flatten().filter(|l| !l.is_null()) {
        let items = list
            .as_array()
            .ok_or_else(|| ApiError::bad_request("InvalidRequest", "`parameters` must be an array."))?;
        for item in items {
            let name =
                item.get("parameterName").or_else(|| item.get("name")).and_then(Value::as_str).ok_or_else(
                    || ApiError::bad_request("InvalidRequest", "Every parameter needs a `parameterName`."),
                )?;
            if !item.as_object().is_some_and(|o| o.contains_key("value")) {
                return Err(ApiError::bad_request(
                    "InvalidRequest",
                    format!("The parameter `{name}` has no `value`."),
                ));
            }
            parameters.push((name.to_string(), item["value"].to_string()));
        }
    }
    parameters.sort();
    let names = parameters.iter().map(|(name, _)| name.clone()).collect();
    Ok(ExecuteRequest { skip, names, key: json!({ "skip": skip, "parameters": parameters }).to_string() })
}

/// Why the parameters of an Execute request do not fit the dataflow, if they do not: a dataflow with public
/// parameters takes only its own parameters (names compared with case) and needs every required one; a
/// dataflow without them ignores any.
fn parameter_problem(parts: &[(String, Vec<u8>)], names: &[String]) -> Option<(&'static str, String)> {
    let part = |name: &str| parts.iter().find(|(path, _)| path == name).map(|(_, bytes)| bytes.as_slice());
    let parametric = part(QUERY_METADATA).is_some_and(parameters::is_parametric);
    if !parametric {
        // Nothing documents a refusal here: the parameters are ignored, as the run ignores them.
        return None;
    }
    let declared = parameters::discover(&String::from_utf8_lossy(part(MASHUP).unwrap_or_default()));
    let declared_name = |p: &Value| p["name"].as_str().unwrap_or_default().to_string();
    let unknown: Vec<&str> = names
        .iter()
        .filter(|n| !declared.iter().any(|p| declared_name(p) == **n))
        .map(String::as_str)
        .collect();
    let missing: Vec<String> = declared
        .iter()
        .filter(|p| p["isRequired"] == true && !names.contains(&declared_name(p)))
        .map(declared_name)
        .collect();
    let mut problems = Vec::new();
    if !unknown.is_empty() {
        problems.push(format!("the dataflow has no parameter {}", unknown.join(", ")));
    }
    if !missing.is_empty() {
        problems.push(format!("the required parameter(s) {} have no value", missing.join(", ")));
    }
    (!problems.is_empty()).then(|| ("DataflowInvalidParameters", format!("{}.", problems.join("; "))))
}

/// How often a job run checks a definition outside the transaction before it gives up on the definition
/// staying the same meanwhile (a client updating it without pause) and checks it inside.
const CHECK_TRIES: usize = 3;

/// dfls's checker's verdict on an item as it was read: `None`, or the errors.
struct Checked {
    item: ItemRow,
    errors: Option<String>,
}

/// What one try at starting a job ends with.
enum Planned {
    /// The job was recorded: its id.
    Job(String),
    /// The job publishes, and the item's definition has no check yet (or changed since it had one).
    NeedsCheck,
    /// The claim refused the job.
    Refused,
}

/// Where a publish's check runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CheckIn {
    /// Between two transactions: the job is planned again with the verdict.
    Between,
    /// Inside the write transaction: the last resort, which always ends.
    Transaction,
}

/// Who starts a job: a request to the API, or the scheduler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invoke {
    Manual,
    Scheduled,
}

impl Invoke {
    fn as_str(self) -> &'static str {
        match self {
            Invoke::Manual => "Manual",
            Invoke::Scheduled => "Scheduled",
        }
    }
}

/// Whether a job may be recorded, asked inside the transaction that would record it, with the time it
/// would be created at: the scheduler claims a schedule's due time there, so that two processes sharing
/// the store never both start it.
pub type Claim<'a> = &'a dyn Fn(&rusqlite::Connection, i64) -> Result<bool, ApiError>;

/// Starts a job on demand: `202` with the job's `Location`.
pub fn run(ctx: &Ctx<'_>, ws: &str, group: Group, id: &str, given: &str) -> Result<Response, ApiError> {
    let body = ctx.json_body(true)?;
    let job_id =
        start(ctx.emulator, &ctx.options, (ws, group, id, given), body.as_ref(), Invoke::Manual, &|_, _| {
            Ok(true)
        })?
        .ok_or_else(|| ApiError::bad_request("InvalidRequest", "The job was not started."))?;
    let response = with_header(empty(StatusCode::ACCEPTED), "Location", &job_url(ctx, ws, id, &job_id));
    Ok(with_header(response, "Retry-After", &ctx.options.retry_after.to_string()))
}

/// Starts a job of type `given` on the item `id` of `ws`, with the request `body`; its id, or `None` when
/// `claim` refused it. The check a publish runs takes long for a large definition, so it runs between two
/// transactions, not inside one (where it would hold every other request of the store): the job is planned
/// in a write transaction; when it needs a check of the definition as it is now, the definition is read,
/// checked with no transaction open, and the job planned again, which uses that verdict only when the item
/// is still exactly as it was checked. A definition that changed every time is checked inside the last
/// try's transaction.
pub fn start(
    emulator: &Emulator,
    options: &Options,
    target: (&str, Group, &str, &str),
    body: Option<&Map<String, Value>>,
    invoke: Invoke,
    claim: Claim<'_>,
) -> Result<Option<String>, ApiError> {
    let (ws, group, id, _) = target;
    let run = Run { emulator, options, invoke, claim };
    let mut checked: Option<Checked> = None;
    let mut tries = 0;
    loop {
        tries += 1;
        let check_in = if tries > CHECK_TRIES { CheckIn::Transaction } else { CheckIn::Between };
        let planned = emulator.store.write(|db| plan(&run, db, target, body, checked.as_ref(), check_in))?;
        match planned {
            Planned::Job(job_id) => return Ok(Some(job_id)),
            Planned::Refused => return Ok(None),
            Planned::NeedsCheck => {
                let (item, stored) = emulator.store.read(|db| {
                    let item = find(db, ws, group, id)?;
                    let parts = store::parts(db, &item.id)?;
                    Ok((item, parts))
                })?;
                let errors = check(options, &item, stored);
                checked = Some(Checked { item, errors });
            }
        }
    }
}

/// What a job start goes by.
struct Run<'a> {
    emulator: &'a Emulator,
    options: &'a Options,
    invoke: Invoke,
    claim: Claim<'a>,
}

/// Runs dfls's checker on an item's stored parts (after the test hook, if any).
fn check(options: &Options, item: &ItemRow, stored: Vec<(String, Vec<u8>)>) -> Option<String> {
    if let Some(hook) = &options.before_check {
        hook.call();
    }
    validate::check(item, &validate::definition_parts(item, stored))
}

/// Plans a job of type `given` for the item `id` of `ws` in the write transaction `db`, with the verdict of
/// an earlier check if there is one.
fn plan(
    run: &Run<'_>,
    db: &rusqlite::Connection,
    (ws, group, id, given): (&str, Group, &str, &str),
    body: Option<&Map<String, Value>>,
    checked: Option<&Checked>,
    check_in: CheckIn,
) -> Result<Planned, ApiError> {
    let options = run.options;
    let item = find(db, ws, group, id)?;
    let kind = job_type(&item.item_type, given)?;
    let now = run.emulator.now_ms();
    let (start_ms, end_ms) = jobs::plan(now, lro::seconds_to_ms(options.job_seconds));
    let mut job = JobRow {
        id: clock::new_guid(),
        item_id: item.id.clone(),
        workspace_id: ws.to_string(),
        job_type: kind.clone(),
        invoke_type: run.invoke.as_str().to_string(),
        created_ms: now,
        start_ms,
        end_ms,
        outcome: "Completed".to_string(),
        failure: None,
        cancel_ms: None,
        root_activity_id: clock::new_guid(),
        publishes_version: None,
        request_key: None,
    };
    if item.item_type == DATAFLOW {
        // Whether the job publishes: only then is the verdict of the checker needed.
        let publishes = if kind == APPLY_CHANGES {
            true
        } else {
            let request = execute_request(body)?;
            let duplicate = store::jobs(db, &item.id)?.into_iter().any(|other| {
                other.job_type == EXECUTE
                    && other.request_key.as_deref() == Some(request.key.as_str())
                    && !jobs::state(&other, now).status.is_terminal()
            });
            job.request_key = Some(request.key.clone());
            let published = store::published_version(db, &item.id, now)?;
            let parameter_problem = parameter_problem(&store::parts(db, &item.id)?, &request.names);
            if duplicate {
                job.outcome = "Deduped".to_string();
                job.start_ms = now;
                job.end_ms = now;
                false
            } else if let Some((code, message)) = parameter_problem {
                fail(&mut job, code, &message);
                false
            } else if request.skip && published.is_none() {
                fail(
                    &mut job,
                    "DataflowNeverPublishedError",
                    "The dataflow has never been published: publish it (ApplyChanges) first, or run it with \
                     executeOption ApplyChangesIfNeeded.",
                );
                false
            } else {
                !request.skip && published != Some(item.definition_version)
            }
        };
        if publishes {
            let errors = match checked.filter(|checked| checked.item == item) {
                Some(checked) => checked.errors.clone(),
                None if check_in == CheckIn::Between => return Ok(Planned::NeedsCheck),
                None => check(options, &item, store::parts(db, &item.id)?),
            };
            match errors {
                Some(errors) => fail(&mut job, "DataflowApplyChangesFailed", &errors),
                None => job.publishes_version = Some(item.definition_version),
            }
        }
    }
    if let Some(message) = &options.faults.jobs_fail {
        if job.outcome == "Completed" {
            fail(&mut job, "JobInstanceStatusFailed", message);
            job.publishes_version = None;
        }
    }
    if !(run.claim)(db, now)? {
        return Ok(Planned::Refused);
    }
    store::insert_job(db, &job)?;
    store::trim_jobs(db, &item.id, now, options.job_history)?;
    Ok(Planned::Job(job.id))
}

/// Makes a job one that fails with this error.
fn fail(job: &mut JobRow, code: &str, message: &str) {
    job.outcome = "Failed".to_string();
    job.failure = Some(jobs::failure(code, message));
}

pub fn get(ctx: &Ctx<'_>, ws: &str, group: Group, id: &str, job_id: &str) -> Result<Response, ApiError> {
    let job = ctx.emulator.store.read(|db| {
        find(db, ws, group, id)?;
        store::job(db, id, job_id)?.ok_or_else(|| job_not_found(job_id))
    })?;
    let now = ctx.emulator.now_ms();
    let response = json_response(StatusCode::OK, &jobs::to_json(&job, now));
    Ok(with_header(response, "Retry-After", &ctx.options.retry_after.to_string()))
}

fn job_not_found(job_id: &str) -> ApiError {
    let mut error =
        ApiError::not_found("ItemJobInstanceNotFound", "The requested job instance was not found.");
    error.related = Some((job_id.to_string(), "JobInstance".to_string()));
    error
}

pub fn list(ctx: &Ctx<'_>, ws: &str, group: Group, id: &str) -> Result<Response, ApiError> {
    let rows = ctx.emulator.store.read(|db| {
        find(db, ws, group, id)?;
        Ok(store::jobs(db, id)?)
    })?;
    let now = ctx.emulator.now_ms();
    Ok(json_response(StatusCode::OK, &ctx.page(rows.iter().map(|job| jobs::to_json(job, now)).collect())?))
}

pub fn cancel(ctx: &Ctx<'_>, ws: &str, group: Group, id: &str, job_id: &str) -> Result<Response, ApiError> {
    ctx.emulator.store.write(|db| {
        find(db, ws, group, id)?;
        let job = store::job(db, id, job_id)?.ok_or_else(|| job_not_found(job_id))?;
        let now = ctx.emulator.now_ms();
        let status = jobs::state(&job, now).status;
        if status.is_terminal() {
            let mut error = ApiError::bad_request(
                "JobAlreadyCompleted",
                format!("The job instance has already ended ({}).", status.as_str()),
            );
            error.related = Some((job_id.to_string(), "JobInstance".to_string()));
            return Err(error);
        }
        debug_assert!(matches!(status, Status::NotStarted | Status::InProgress));
        Ok(store::cancel_job(db, job_id, now)?)
    })?;
    let response = with_header(empty(StatusCode::ACCEPTED), "Location", &job_url(ctx, ws, id, job_id));
    Ok(with_header(response, "Retry-After", &ctx.options.retry_after.to_string()))
}
