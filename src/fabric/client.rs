//! Typed calls of the Fabric REST API that dfls needs: workspaces, items (Dataflows), definitions, job
//! instances, with pagination and long-running operations followed to their end.
//!
//! Paths follow the official swagger: items and definitions through the dataflow group
//! (`/workspaces/{ws}/dataflows/...`), jobs through the dataflow group to start them and the core job
//! scheduler (`/workspaces/{ws}/items/{id}/jobs/instances/...`) to read and cancel them, as the `Location`
//! headers of Fabric's answers do.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::error::{ApiError, FabricError};
use super::http::{Answer, BodyLimit, Http, Repeat};
use crate::definition::payload::{self, Definition};

/// The item type dfls works with.
pub const DATAFLOW: &str = "Dataflow";

/// The longest a long-running operation is followed.
const OPERATION_LIMIT: Duration = Duration::from_secs(30 * 60);

/// The longest wait between two looks at a job or an operation, whatever `Retry-After` asks.
const POLL_LIMIT: Duration = Duration::from_secs(30);

/// An item, as the API describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    pub id: String,
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    #[serde(rename = "type", default)]
    pub item_type: String,
    #[serde(default)]
    pub workspace_id: String,
}

/// A workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Workspace {
    pub id: String,
    pub display_name: String,
}

/// A job instance (`ItemJobInstance`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobInstance {
    pub id: String,
    #[serde(default)]
    pub item_id: String,
    #[serde(default)]
    pub job_type: String,
    #[serde(default)]
    pub invoke_type: String,
    pub status: String,
    #[serde(default)]
    pub start_time_utc: Option<String>,
    #[serde(default)]
    pub end_time_utc: Option<String>,
    #[serde(default)]
    pub failure_reason: Option<Value>,
}

/// A public parameter of a Dataflow, as `GET .../parameters` describes it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataflowParameter {
    pub name: String,
    #[serde(default)]
    pub is_required: bool,
    /// `Text`, `Number`, `Integer`, `Boolean`, `DateTime`, ...
    #[serde(default, rename = "type")]
    pub parameter_type: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub default_value: Option<Value>,
}

/// Orders jobs newest first, as `status` and `jobs` show them. A job that has not started yet is the newest
/// (it was queued last); one cancelled before it started has no start time, so its end (the cancel) places
/// it; among equals, and for timestamps that are not ones, the server's order is kept (the sort is stable).
pub fn sort_newest_first(jobs: &mut [JobInstance]) {
    use std::cmp::Reverse;
    // (0, _): not started yet; (1, newest first): placed by a timestamp; (2, _): timestamps that are not ones,
    // last. A total order (a sort may panic on one that is not), stable for what compares equal.
    fn key(job: &JobInstance) -> (u8, Reverse<Option<jiff::Timestamp>>) {
        let start = job.start_time_utc.as_deref().and_then(super::time::instant);
        let end = job.end_time_utc.as_deref().and_then(super::time::instant);
        match start.or(end) {
            Some(at) => (1, Reverse(Some(at))),
            None if job.start_time_utc.is_none() && !job.is_finished() => (0, Reverse(None)),
            None => (2, Reverse(None)),
        }
    }
    jobs.sort_by_cached_key(key);
}

impl JobInstance {
    /// Whether the job has ended (`Completed`, `Failed`, `Cancelled`, `Deduped`).
    pub fn is_finished(&self) -> bool {
        matches!(self.status.as_str(), "Completed" | "Failed" | "Cancelled" | "Deduped")
    }

    /// Whether it ended well.
    pub fn succeeded(&self) -> bool {
        self.status == "Completed"
    }

    /// How long it ran, from its timestamps; `None` while it runs, or when a timestamp is not one (the API
    /// is not trusted to send sane ones).
    pub fn run_time(&self) -> Option<Duration> {
        super::time::elapsed(self.start_time_utc.as_deref()?, self.end_time_utc.as_deref()?)
    }

    /// The failure reason in words: `errorCode: message`.
    pub fn failure(&self) -> Option<String> {
        let reason = self.failure_reason.as_ref().filter(|r| !r.is_null())?;
        let code = reason.get("errorCode").and_then(Value::as_str).unwrap_or("");
        let message = reason.get("message").and_then(Value::as_str).unwrap_or("");
        Some(match (code.is_empty(), message.is_empty()) {
            (false, false) => format!("{code}: {message}"),
            (false, true) => code.to_owned(),
            _ => message.to_owned(),
        })
    }
}

/// The jobs of a Dataflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobType {
    /// Publish: validate the saved definition and make it the one that runs.
    ApplyChanges,
    /// Refresh: run the dataflow.
    Execute,
}

impl JobType {
    pub fn name(self) -> &'static str {
        match self {
            JobType::ApplyChanges => "ApplyChanges",
            JobType::Execute => "Execute",
        }
    }

    /// The path segment of the dataflow group (`jobs/applyChanges/instances`).
    fn segment(self) -> &'static str {
        match self {
            JobType::ApplyChanges => "applyChanges",
            JobType::Execute => "execute",
        }
    }

    /// The job type of a job instance's `jobType` (`Refresh` and `Publish` being the older names).
    pub fn from_name(name: &str) -> Option<JobType> {
        match name.to_ascii_lowercase().as_str() {
            "applychanges" | "publish" => Some(JobType::ApplyChanges),
            "execute" | "refresh" => Some(JobType::Execute),
            _ => None,
        }
    }

    /// What people call it, as a title: `Publish`, `Refresh`.
    pub fn title(self) -> &'static str {
        match self {
            JobType::ApplyChanges => "Publish",
            JobType::Execute => "Refresh",
        }
    }

    /// What people call it.
    pub fn verb(self) -> &'static str {
        match self {
            JobType::ApplyChanges => "publish",
            JobType::Execute => "refresh",
        }
    }
}

/// A started job: where to watch it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartedJob {
    pub id: String,
    /// The job instance's URL (the `Location` of the answer).
    pub url: String,
    /// How long the API asked to wait before the first look.
    pub retry_after: Option<Duration>,
}

/// The typed API over one connection.
#[derive(Debug)]
pub struct Client {
    pub http: Http,
}

impl Client {
    pub fn new(http: Http) -> Client {
        Client { http }
    }

    /// Every page of a list, following `continuationUri` (or `continuationToken`).
    fn list<T: serde::de::DeserializeOwned>(&self, path: &str, what: &str) -> Result<Vec<T>, FabricError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Page<T> {
            value: Vec<T>,
            #[serde(default)]
            continuation_token: Option<String>,
            #[serde(default)]
            continuation_uri: Option<String>,
        }
        let mut out = Vec::new();
        let mut next = path.to_owned();
        for _ in 0..10_000 {
            let page: Page<T> =
                self.http.send(Method::GET, &next, None, Repeat::Safe, BodyLimit::Json)?.json(what)?;
            out.extend(page.value);
            next = match (page.continuation_uri, page.continuation_token) {
                (Some(uri), _) if !uri.is_empty() => uri,
                (_, Some(token)) if !token.is_empty() => {
                    let separator = if path.contains('?') { '&' } else { '?' };
                    format!(
                        "{path}{separator}continuationToken={}",
                        percent_encoding::utf8_percent_encode(&token, crate::text::URI_COMPONENT)
                    )
                }
                _ => return Ok(out),
            };
        }
        Err(FabricError::Protocol(format!("{what}: more than 10,000 pages")))
    }

    pub fn workspaces(&self) -> Result<Vec<Workspace>, FabricError> {
        self.list("/workspaces", "the workspaces")
    }

    /// The Dataflows of a workspace.
    pub fn dataflows(&self, workspace: &str) -> Result<Vec<Item>, FabricError> {
        self.list(&format!("/workspaces/{workspace}/items?type={DATAFLOW}"), "the items of the workspace")
    }

    /// The public parameters of a Dataflow (`GET .../dataflows/{id}/parameters`); `None` when the dataflow
    /// does not use public parameters (`DataflowNotParametricError`).
    pub fn dataflow_parameters(
        &self,
        workspace: &str,
        dataflow: &str,
    ) -> Result<Option<Vec<DataflowParameter>>, FabricError> {
        match self.list(&format!("/workspaces/{workspace}/dataflows/{dataflow}/parameters"), "the parameters")
        {
            Ok(parameters) => Ok(Some(parameters)),
            Err(error) if error.code() == Some("DataflowNotParametricError") => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// The Dataflow with a display name, if there is one.
    pub fn find_dataflow(&self, workspace: &str, display_name: &str) -> Result<Option<Item>, FabricError> {
        Ok(self.dataflows(workspace)?.into_iter().find(|item| item.display_name == display_name))
    }

    /// Creates a Dataflow with a definition. A create is never sent twice: after a failure that may have
    /// come after the API created it (a 5xx, a lost connection), the item is looked up by name, and the
    /// create is sent again only when it is not there.
    pub fn create_dataflow(
        &self,
        workspace: &str,
        display_name: &str,
        description: &str,
        definition: &Definition,
    ) -> Result<Item, FabricError> {
        let body = json!({
            "displayName": display_name,
            "description": description,
            "definition": payload::definition_value(definition),
        });
        let path = format!("/workspaces/{workspace}/dataflows");
        let mut attempts = 0;
        loop {
            let result = self
                .http
                .send(Method::POST, &path, Some(&body), Repeat::Never, BodyLimit::Json)
                .and_then(|answer| self.follow(answer, "create", BodyLimit::Json));
            match result {
                Ok(Some(value)) => {
                    return serde_json::from_value(value)
                        .map_err(|error| FabricError::Protocol(format!("the created item: {error}")))
                }
                Ok(None) => {
                    return self.find_dataflow(workspace, display_name)?.ok_or_else(|| {
                        FabricError::Protocol("the create succeeded but the item is not listed".to_owned())
                    })
                }
                Err(error) if attempts < self.http.policy.retries && may_have_happened(&error) => {
                    attempts += 1;
                    if let Some(item) = self.find_dataflow(workspace, display_name)? {
                        return Ok(item);
                    }
                    std::thread::sleep(self.http.policy.backoff.saturating_mul(1 << attempts.min(10)));
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// Changes a Dataflow's display name or description (`PATCH .../dataflows/{id}`); returns the item.
    pub fn update_dataflow(
        &self,
        workspace: &str,
        id: &str,
        display_name: Option<&str>,
        description: Option<&str>,
    ) -> Result<Item, FabricError> {
        let mut body = json!({});
        if let Some(name) = display_name {
            body["displayName"] = json!(name);
        }
        if let Some(description) = description {
            body["description"] = json!(description);
        }
        let path = format!("/workspaces/{workspace}/dataflows/{id}");
        self.http.send(Method::PATCH, &path, Some(&body), Repeat::Safe, BodyLimit::Json)?.json("the Dataflow")
    }

    /// The schedules of an item's job type (`Execute`, `ApplyChanges`), as Fabric's `ItemSchedule` objects.
    pub fn schedules(&self, workspace: &str, item: &str, job_type: &str) -> Result<Vec<Value>, FabricError> {
        self.list(&format!("/workspaces/{workspace}/items/{item}/jobs/{job_type}/schedules"), "the schedules")
    }

    /// One schedule of an item's job type (`ItemSchedule`); Fabric's 404 `ScheduleNotFound` for an id it has
    /// not.
    pub fn schedule(
        &self,
        workspace: &str,
        item: &str,
        job_type: &str,
        schedule: &str,
    ) -> Result<Value, FabricError> {
        let path = format!("/workspaces/{workspace}/items/{item}/jobs/{job_type}/schedules/{schedule}");
        self.http.send(Method::GET, &path, None, Repeat::Safe, BodyLimit::Json)?.json("the schedule")
    }

    /// Creates a schedule (`CreateScheduleRequest`); returns the `ItemSchedule`.
    pub fn create_schedule(
        &self,
        workspace: &str,
        item: &str,
        job_type: &str,
        request: &Value,
    ) -> Result<Value, FabricError> {
        let path = format!("/workspaces/{workspace}/items/{item}/jobs/{job_type}/schedules");
        // Never sent twice: a lost answer to a create that happened would make a second schedule.
        self.http
            .send(Method::POST, &path, Some(request), Repeat::Never, BodyLimit::Json)?
            .json("the schedule")
    }

    /// Replaces a schedule (`UpdateScheduleRequest`, the shape of a create); returns the `ItemSchedule`.
    pub fn update_schedule(
        &self,
        workspace: &str,
        item: &str,
        job_type: &str,
        schedule: &str,
        request: &Value,
    ) -> Result<Value, FabricError> {
        let path = format!("/workspaces/{workspace}/items/{item}/jobs/{job_type}/schedules/{schedule}");
        self.http
            .send(Method::PATCH, &path, Some(request), Repeat::Safe, BodyLimit::Json)?
            .json("the schedule")
    }

    /// Deletes a schedule.
    pub fn delete_schedule(
        &self,
        workspace: &str,
        item: &str,
        job_type: &str,
        schedule: &str,
    ) -> Result<(), FabricError> {
        let path = format!("/workspaces/{workspace}/items/{item}/jobs/{job_type}/schedules/{schedule}");
        self.http.send(Method::DELETE, &path, None, Repeat::Safe, BodyLimit::Json)?;
        Ok(())
    }

    /// Deletes a Dataflow.
    pub fn delete_dataflow(&self, workspace: &str, id: &str) -> Result<(), FabricError> {
        self.http.send(
            Method::DELETE,
            &format!("/workspaces/{workspace}/dataflows/{id}"),
            None,
            Repeat::Safe,
            BodyLimit::Json,
        )?;
        Ok(())
    }

    /// The definition of a Dataflow, its parts decoded.
    pub fn get_definition(&self, workspace: &str, id: &str) -> Result<Definition, FabricError> {
        let path = format!("/workspaces/{workspace}/dataflows/{id}/getDefinition");
        let answer = self.http.send(Method::POST, &path, None, Repeat::Safe, BodyLimit::Definition)?;
        let value = self
            .follow(answer, "getDefinition", BodyLimit::Definition)?
            .ok_or_else(|| FabricError::Protocol("getDefinition returned no definition".to_owned()))?;
        decode_definition(&value)
    }

    /// Replaces the definition of a Dataflow; with `update_metadata`, its `.platform` also sets the display
    /// name and description.
    pub fn update_definition(
        &self,
        workspace: &str,
        id: &str,
        definition: &Definition,
        update_metadata: bool,
    ) -> Result<(), FabricError> {
        let path = format!(
            "/workspaces/{workspace}/dataflows/{id}/updateDefinition?updateMetadata={update_metadata}"
        );
        let body = json!({ "definition": payload::definition_value(definition) });
        let answer = self.http.send(Method::POST, &path, Some(&body), Repeat::Safe, BodyLimit::Json)?;
        self.follow(answer, "updateDefinition", BodyLimit::Json)?;
        Ok(())
    }

    /// Starts a job. Never repeated after a failure that may have started it.
    pub fn run_job(
        &self,
        workspace: &str,
        id: &str,
        job: JobType,
        execution_data: Option<Value>,
    ) -> Result<StartedJob, FabricError> {
        let path = format!("/workspaces/{workspace}/dataflows/{id}/jobs/{}/instances", job.segment());
        let body = execution_data.map(|data| json!({ "executionData": data }));
        let answer = self.http.send(Method::POST, &path, body.as_ref(), Repeat::Never, BodyLimit::Json)?;
        let url = answer
            .header("location")
            .ok_or_else(|| {
                FabricError::Protocol(format!("the {} job was accepted without a Location", job.name()))
            })?
            .to_owned();
        let id = url.trim_end_matches('/').rsplit('/').next().unwrap_or_default().to_owned();
        Ok(StartedJob { id, url, retry_after: answer.retry_after(self.poll_limit()) })
    }

    /// A job instance.
    pub fn job(&self, workspace: &str, item: &str, job: &str) -> Result<JobInstance, FabricError> {
        let path = format!("/workspaces/{workspace}/items/{item}/jobs/instances/{job}");
        self.http.send(Method::GET, &path, None, Repeat::Safe, BodyLimit::Json)?.json("the job instance")
    }

    /// The job instances of an item, newest first.
    pub fn jobs(&self, workspace: &str, item: &str) -> Result<Vec<JobInstance>, FabricError> {
        let mut jobs: Vec<JobInstance> =
            self.list(&format!("/workspaces/{workspace}/items/{item}/jobs/instances"), "the job instances")?;
        sort_newest_first(&mut jobs);
        Ok(jobs)
    }

    /// Asks to cancel a job instance.
    pub fn cancel_job(&self, workspace: &str, item: &str, job: &str) -> Result<(), FabricError> {
        let path = format!("/workspaces/{workspace}/items/{item}/jobs/instances/{job}/cancel");
        self.http.send(Method::POST, &path, None, Repeat::Safe, BodyLimit::Json)?;
        Ok(())
    }

    /// Follows a job to its end, calling `progress` after each look. When `cancel` turns true (it is asked
    /// between looks, and wakes a wait), the job is asked to cancel once and followed on to its end, which
    /// is then usually `Cancelled` (a job that ended meanwhile keeps its own end).
    pub fn wait_job(
        &self,
        workspace: &str,
        item: &str,
        started: &StartedJob,
        progress: &mut dyn FnMut(&JobInstance),
        cancel: &dyn Fn() -> bool,
    ) -> Result<JobInstance, FabricError> {
        let mut wait = started.retry_after.unwrap_or(Duration::from_secs(1));
        let mut cancel_asked = false;
        loop {
            let wait_for = wait.min(self.poll_limit());
            if cancel_asked {
                std::thread::sleep(wait_for);
            } else {
                sleep_unless(wait_for, cancel);
            }
            if !cancel_asked && cancel() {
                cancel_asked = true;
                match self.cancel_job(workspace, item, &started.id) {
                    Err(error) if error.code() != Some("JobAlreadyCompleted") => return Err(error),
                    _ => {}
                }
            }
            let job = self.job(workspace, item, &started.id)?;
            progress(&job);
            if job.is_finished() {
                return Ok(job);
            }
            wait = Duration::from_secs(1);
        }
    }

    /// The longest wait between two looks at a job or an operation: [`POLL_LIMIT`], or the policy's
    /// `max_wait` when that is shorter.
    fn poll_limit(&self) -> Duration {
        self.http.policy.max_wait.min(POLL_LIMIT)
    }

    /// The result of a call that may be a long-running operation: the answer's JSON body, or, for a 202,
    /// the operation followed to its end and its result (`None` for an operation without one), read up to
    /// `result_limit`.
    fn follow(
        &self,
        answer: Answer,
        what: &str,
        result_limit: BodyLimit,
    ) -> Result<Option<Value>, FabricError> {
        if answer.status != 202 {
            return Ok(if answer.body.iter().all(u8::is_ascii_whitespace) {
                None
            } else {
                Some(answer.json(what)?)
            });
        }
        let operation_url = match (answer.header("location"), answer.header("x-ms-operation-id")) {
            (Some(location), _) => location.to_owned(),
            (None, Some(id)) => self.http.url(&format!("/operations/{id}")),
            (None, None) => {
                return Err(FabricError::Protocol(format!(
                    "{what}: 202 without Location or x-ms-operation-id"
                )))
            }
        };
        let operation =
            answer.header("x-ms-operation-id").map_or_else(|| operation_url.clone(), str::to_owned);
        let mut wait = answer.retry_after(self.poll_limit()).unwrap_or(Duration::from_secs(1));
        let started = Instant::now();
        loop {
            std::thread::sleep(wait.min(self.poll_limit()));
            let state = self.http.send(Method::GET, &operation_url, None, Repeat::Safe, BodyLimit::Json)?;
            let body: Value = state.json("the operation state")?;
            match body.get("status").and_then(Value::as_str).unwrap_or("") {
                "Succeeded" => {
                    let result_url = match state.header("location") {
                        Some(location) if location.trim_end_matches('/').ends_with("/result") => {
                            location.to_owned()
                        }
                        // No Location: the operation has no result.
                        _ => return Ok(None),
                    };
                    return match self.http.send(Method::GET, &result_url, None, Repeat::Safe, result_limit) {
                        Ok(result) if result.body.iter().all(u8::is_ascii_whitespace) => Ok(None),
                        Ok(result) => Ok(Some(result.json(what)?)),
                        Err(FabricError::Api(error)) if error.code == "OperationHasNoResult" => Ok(None),
                        Err(error) => Err(error),
                    };
                }
                status @ ("Failed" | "Undefined") => {
                    let error = body.get("error").map(|error| {
                        Box::new(ApiError {
                            status: 200,
                            code: error.get("errorCode").and_then(Value::as_str).unwrap_or(status).to_owned(),
                            message: error.get("message").and_then(Value::as_str).unwrap_or("").to_owned(),
                            request_id: error.get("requestId").and_then(Value::as_str).map(str::to_owned),
                            details: Vec::new(),
                            request: format!("{what} (operation {operation})"),
                        })
                    });
                    return Err(FabricError::OperationFailed { operation, error });
                }
                _ if started.elapsed() > OPERATION_LIMIT => {
                    return Err(FabricError::Protocol(format!(
                        "{what}: the operation {operation} did not end in {} minutes",
                        OPERATION_LIMIT.as_secs() / 60
                    )))
                }
                _ => wait = state.retry_after(self.poll_limit()).unwrap_or(Duration::from_secs(1)),
            }
        }
    }
}

/// Whether a failed request may have been done by the API anyway (its answer lost or a server error).
fn may_have_happened(error: &FabricError) -> bool {
    match error {
        FabricError::Unreachable { .. } => true,
        FabricError::Api(error) => error.status >= 500,
        _ => false,
    }
}

/// Sleeps for `duration`, waking every 100 ms to ask `stop`.
fn sleep_unless(duration: Duration, stop: &dyn Fn() -> bool) {
    let end = Instant::now() + duration;
    while !stop() {
        let now = Instant::now();
        if now >= end {
            return;
        }
        std::thread::sleep((end - now).min(Duration::from_millis(100)));
    }
}

/// The definition of a `getDefinition` result, decoded; a part that is not base64 is an error.
pub fn decode_definition(value: &Value) -> Result<Definition, FabricError> {
    let (decoded, format, diagnostics) = payload::decode_value(&value["definition"]);
    if let Some(problem) = diagnostics.first() {
        return Err(FabricError::Protocol(format!("the definition the API returned: {}", problem.message)));
    }
    Ok(Definition { format, parts: decoded.into_iter().map(|d| d.part).collect() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(id: &str, status: &str, start: Option<&str>, end: Option<&str>) -> JobInstance {
        JobInstance {
            id: id.into(),
            item_id: String::new(),
            job_type: "Execute".into(),
            invoke_type: "Manual".into(),
            status: status.into(),
            start_time_utc: start.map(str::to_owned),
            end_time_utc: end.map(str::to_owned),
            failure_reason: None,
        }
    }

    /// A refresh cancelled before it started has no start time: it was listed last, and `status` showed the
    /// older completed job as the newest.
    #[test]
    fn jobs_are_newest_first_whatever_times_they_lack() {
        let mut jobs = vec![
            job("old", "Completed", Some("2026-01-01T10:00:00.1234567"), Some("2026-01-01T10:01:00")),
            job("broken", "Completed", Some("1e400"), None),
            job("cancelled", "Cancelled", None, Some("2026-01-01T11:00:00")),
            job("queued", "NotStarted", None, None),
            job("running", "InProgress", Some("2026-01-01T10:30:00Z"), None),
        ];
        sort_newest_first(&mut jobs);
        let order: Vec<&str> = jobs.iter().map(|job| job.id.as_str()).collect();
        assert_eq!(order, ["queued", "cancelled", "running", "old", "broken"]);
    }
}
