//! `dfls check` of an item's `.schedules` part (what Fabric's Git integration keeps of its schedules) with
//! the schedule rules: each broken rule one diagnostic at the offending value (`D124`; `D125` for a time
//! zone, with the Windows id as a fix when an IANA name was given), a job type a Dataflow has not
//! (`D124`), and more schedules than Fabric keeps (`D126`). A schedule the JSON schema already faults
//! (`J1xx` inside it) waits for those to be fixed, so one mistake is not reported twice.

use std::ops::Range;

use super::{check_configuration, Broken, MAX_SCHEDULES};
use crate::diagnostics::{codes, Diagnostic, Edit, Fix};
use crate::json::Json;

/// The job types a Dataflow's schedules run.
const DATAFLOW_JOB_TYPES: [&str; 2] = ["Execute", "ApplyChanges"];

/// The diagnostics of a parsed `.schedules` whose file already has diagnostics (of its syntax and schema)
/// at the ranges `faulted`.
pub fn check_part(json: &Json, faulted: &[Range<usize>]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(schedules) = json.locate("/schedules").and_then(|l| l.value.as_array()) else { return out };
    let root = json.to_serde().unwrap_or_default();
    let inside = |range: &Range<usize>| faulted.iter().any(|f| range.start <= f.start && f.end <= range.end);
    for (index, schedule) in schedules.iter().enumerate() {
        if inside(&schedule.range) {
            continue;
        }
        let at = format!("/schedules/{index}");
        if let Some(job) = json.locate(&format!("{at}/jobType")).and_then(|l| l.value.as_string()) {
            if !DATAFLOW_JOB_TYPES.contains(&job.value.as_str()) {
                out.push(Diagnostic::new(
                    codes::D124,
                    job.range.clone(),
                    format!(
                        "schedules[{index}]: a Dataflow's schedules run the job `Execute` (refresh) or `ApplyChanges` (publish), not `{}`",
                        job.value
                    ),
                ));
            }
        }
        let Some(configuration) = json.locate(&format!("{at}/configuration")) else { continue };
        let value = root.pointer(&format!("{at}/configuration")).cloned().unwrap_or_default();
        for violation in check_configuration(&value) {
            let pointer = format!("{at}/configuration{}", violation.pointer);
            let range = match json.range_of(&pointer, violation.pointer.is_empty()) {
                Some(range) => range,
                None => configuration.key.map_or(configuration.value.range.clone(), |k| k.range.clone()),
            };
            let message = format!("schedules[{index}]: {}", violation.message);
            let diagnostic = match violation.broken {
                Broken::Invalid => Diagnostic::new(codes::D124, range, message),
                Broken::TimeZone { windows } => {
                    let diagnostic = Diagnostic::new(codes::D125, range.clone(), message);
                    match windows {
                        Some(id) => diagnostic.with_fix(Fix {
                            title: format!("use the Windows id `{id}`"),
                            edits: vec![Edit {
                                range,
                                new_text: serde_json::to_string(&id).expect("a string serializes"),
                            }],
                        }),
                        None => diagnostic,
                    }
                }
            };
            out.push(diagnostic);
        }
    }
    if let Some(first_too_many) = schedules.get(MAX_SCHEDULES) {
        out.push(Diagnostic::new(
            codes::D126,
            first_too_many.range.start..first_too_many.range.start + 1,
            format!(
                "`.schedules` holds {} schedules; Fabric keeps at most {MAX_SCHEDULES} for an item (ScheduleExceedsLimit): this one and those after it are too many",
                schedules.len()
            ),
        ));
    }
    out
}
