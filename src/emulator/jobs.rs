//! The job lifecycle, computed from stored times at read time: a job is `NotStarted` until its start,
//! `InProgress` until its end, then its planned outcome (`Completed` or `Failed`); a cancel before the end
//! makes it `Cancelled` from then on; a deduplicated request is `Deduped` at once. Nothing runs in the
//! background, so state progresses the same in every process sharing the store and across restarts.
//!
//! Pure: rows and a time in, states and JSON out.

use serde_json::{json, Value};

use super::clock;
use super::store::JobRow;

/// The status of a job at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    NotStarted,
    InProgress,
    Completed,
    Failed,
    Cancelled,
    Deduped,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotStarted => "NotStarted",
            Status::InProgress => "InProgress",
            Status::Completed => "Completed",
            Status::Failed => "Failed",
            Status::Cancelled => "Cancelled",
            Status::Deduped => "Deduped",
        }
    }

    /// Whether the job has ended.
    pub fn is_terminal(self) -> bool {
        !matches!(self, Status::NotStarted | Status::InProgress)
    }
}

/// A job's state at a time: status, start and end times (ms) when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    pub status: Status,
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
}

/// The state of `job` at `now_ms`.
pub fn state(job: &JobRow, now_ms: i64) -> State {
    if job.outcome == "Deduped" {
        return State { status: Status::Deduped, start_ms: None, end_ms: Some(job.created_ms) };
    }
    if let Some(cancel) = job.cancel_ms.filter(|&c| c < job.end_ms && now_ms >= c) {
        let started = (cancel >= job.start_ms).then_some(job.start_ms);
        return State { status: Status::Cancelled, start_ms: started, end_ms: Some(cancel) };
    }
    if now_ms < job.start_ms {
        State { status: Status::NotStarted, start_ms: None, end_ms: None }
    } else if now_ms < job.end_ms {
        State { status: Status::InProgress, start_ms: Some(job.start_ms), end_ms: None }
    } else {
        let status = if job.outcome == "Failed" { Status::Failed } else { Status::Completed };
        State { status, start_ms: Some(job.start_ms), end_ms: Some(job.end_ms) }
    }
}

/// The planned start and end of a job created at `now_ms` that runs `duration_ms`: it waits a tenth of its
/// run (at most a second) before it starts.
pub fn plan(now_ms: i64, duration_ms: i64) -> (i64, i64) {
    let queued = (duration_ms / 10).min(1000);
    (now_ms + queued, now_ms + queued + duration_ms)
}

/// The `ItemJobInstance` JSON of a job at `now_ms`.
pub fn to_json(job: &JobRow, now_ms: i64) -> Value {
    let state = state(job, now_ms);
    let failure = if state.status == Status::Failed {
        job.failure.as_deref().and_then(|f| serde_json::from_str(f).ok()).unwrap_or(Value::Null)
    } else {
        Value::Null
    };
    json!({
        "id": job.id,
        "itemId": job.item_id,
        "jobType": job.job_type,
        "invokeType": job.invoke_type,
        "status": state.status.as_str(),
        "rootActivityId": job.root_activity_id,
        "startTimeUtc": state.start_ms.map(clock::job_time),
        "endTimeUtc": state.end_ms.map(clock::job_time),
        "failureReason": failure,
    })
}

/// A `failureReason`: an ErrorResponse with a fresh request id.
pub fn failure(code: &str, message: &str) -> String {
    json!({ "requestId": clock::new_guid(), "errorCode": code, "message": message }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(outcome: &str, cancel_ms: Option<i64>) -> JobRow {
        JobRow {
            id: "j".into(),
            item_id: "i".into(),
            workspace_id: "w".into(),
            job_type: "Execute".into(),
            invoke_type: "Manual".into(),
            created_ms: 0,
            start_ms: 100,
            end_ms: 1100,
            outcome: outcome.into(),
            failure: Some(failure("JobInstanceStatusFailed", "no")),
            cancel_ms,
            root_activity_id: "r".into(),
            publishes_version: None,
            request_key: None,
        }
    }

    #[test]
    fn jobs_progress_with_time() {
        let j = job("Completed", None);
        assert_eq!(state(&j, 0).status, Status::NotStarted);
        assert_eq!(state(&j, 100).status, Status::InProgress);
        assert_eq!(
            state(&j, 1100),
            State { status: Status::Completed, start_ms: Some(100), end_ms: Some(1100) }
        );
        let failed = to_json(&job("Failed", None), 2000);
        assert_eq!(failed["status"], "Failed");
        assert_eq!(failed["failureReason"]["errorCode"], "JobInstanceStatusFailed");
        assert_eq!(to_json(&j, 2000)["failureReason"], Value::Null);
        assert_eq!(to_json(&j, 500)["endTimeUtc"], Value::Null);
    }

    #[test]
    fn cancel_and_dedupe() {
        let j = job("Completed", Some(50));
        assert_eq!(state(&j, 60), State { status: Status::Cancelled, start_ms: None, end_ms: Some(50) });
        let j = job("Completed", Some(500));
        assert_eq!(state(&j, 400).status, Status::InProgress);
        assert_eq!(
            state(&j, 5000),
            State { status: Status::Cancelled, start_ms: Some(100), end_ms: Some(500) }
        );
        assert_eq!(state(&job("Deduped", None), 0).status, Status::Deduped);
        assert_eq!(plan(0, 0), (0, 0));
        assert_eq!(plan(0, 60_000), (1000, 61_000));
    }
}
