//! The "Next refresh" code lens on the `section` line of an item's `mashup.pq`: the next time one of the
//! item's refresh (Execute) schedules on the target fires, in the user's local time ("Next refresh Tue 08:00
//! CET"), or "No refresh scheduled"; clicking it runs `dfls.schedule` `list`.
//!
//! The schedules live on the target, so a code lens request never waits for them: it answers with what is
//! cached and, when nothing is (or what is has gone stale), starts a fetch on a thread of its own; when the
//! fetch lands the server sends `workspace/codeLens/refresh` and the editor asks again. A schedule command
//! or a job of the item forgets the item's entry, so the next request fetches again. An item that the target
//! does not have (or a target that cannot be reached) shows no schedule lens, and is asked again after
//! [`STALE_AFTER`]. An embedded local Fabric that nothing was pushed to is never created for a lens.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::runtime::Handle;
use tower_lsp_server::Client;

use super::capabilities::ClientFlags;
use super::state::Shared;
use crate::fabric::http::Policy;
use crate::fabric::manage::{self, ScheduleJob};
use crate::fabric::{self, Config, FabricError, Overrides};

/// How long fetched schedules are shown before they are fetched again (a schedule changed in the portal).
pub const STALE_AFTER: Duration = Duration::from_secs(5 * 60);

/// What is known of an item's refresh schedules.
#[derive(Debug, Clone)]
enum Known {
    /// Fabric's `ItemSchedule` objects of the Execute job.
    Schedules(Vec<Value>),
    /// The target does not have the item, or could not be asked.
    Unavailable,
}

#[derive(Debug)]
struct Entry {
    known: Option<Known>,
    fetched: Instant,
    fetching: bool,
}

/// The refresh schedules of items by folder, as last fetched.
#[derive(Debug, Default)]
pub struct NextRefresh {
    items: Mutex<HashMap<PathBuf, Entry>>,
}

impl NextRefresh {
    fn items(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Entry>> {
        self.items.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The lens's title from what is cached (`None`: nothing to show yet, or the item is not on the target),
    /// and whether a fetch should start now; when it should, the entry is marked as fetching.
    fn title(&self, folder: &Path, now: jiff::Timestamp) -> (Option<String>, bool) {
        let mut items = self.items();
        let entry = items.entry(folder.to_owned()).or_insert(Entry {
            known: None,
            fetched: Instant::now(),
            fetching: false,
        });
        let stale = entry.known.is_none() || entry.fetched.elapsed() >= STALE_AFTER;
        let fetch = stale && !entry.fetching;
        if fetch {
            entry.fetching = true;
        }
        let title = match &entry.known {
            Some(Known::Schedules(schedules)) => {
                Some(title_of(schedules, now, &jiff::tz::TimeZone::system()))
            }
            Some(Known::Unavailable) | None => None,
        };
        (title, fetch)
    }

    /// Keeps what a fetch or a `dfls.schedule list` found.
    pub fn store(&self, folder: &Path, schedules: Option<Vec<Value>>) {
        let known = Some(schedules.map_or(Known::Unavailable, Known::Schedules));
        self.items().insert(folder.to_owned(), Entry { known, fetched: Instant::now(), fetching: false });
    }

    /// Forgets an item's schedules (a schedule command or a job changed them): the next lens fetches again.
    /// What was known stays shown until then.
    pub fn forget(&self, folder: &Path) {
        if let Some(entry) = self.items().get_mut(folder) {
            entry.fetched = Instant::now().checked_sub(STALE_AFTER).unwrap_or(entry.fetched);
            entry.fetching = false;
        }
    }
}

/// The lens's title for an item, fetching its schedules in the background when they are not known or
/// stale (then `workspace/codeLens/refresh` follows, when the client takes it).
pub fn title(shared: &Arc<Shared>, client: &Client, folder: &Path) -> Option<String> {
    let (title, fetch) = shared.next_refresh.title(folder, jiff::Timestamp::now());
    if fetch {
        let (shared, client, folder) = (shared.clone(), client.clone(), folder.to_owned());
        let handle = Handle::current();
        let flags = shared.lock().client;
        let spawned = std::thread::Builder::new()
            .name("dfls schedules".to_owned())
            .spawn(move || fetch_and_refresh(&shared, &client, &handle, flags, &folder));
        if let Err(error) = spawned {
            log(&format!("cannot fetch the schedules: {error}"));
        }
    }
    title
}

fn fetch_and_refresh(shared: &Shared, client: &Client, handle: &Handle, flags: ClientFlags, folder: &Path) {
    let schedules = fetch(folder);
    if let Err(error) = &schedules {
        log(&format!("the schedules of {} are not known: {error}", folder.display()));
    }
    shared.next_refresh.store(folder, schedules.ok().flatten());
    if flags.code_lens_refresh {
        let _ = handle.block_on(client.code_lens_refresh());
    }
}

/// The item's refresh schedules on the default target; `None` when nothing was pushed to an embedded local
/// Fabric (which is not created for this).
fn fetch(folder: &Path) -> Result<Option<Vec<Value>>, FabricError> {
    let target = Config::load(folder)?.target(&Overrides::default())?;
    if manage::nothing_pushed(&target) {
        return Ok(None);
    }
    let connection = fabric::connect(target, Policy::from_env()?)?;
    let listing =
        manage::list_schedules(&connection, &folder.to_string_lossy(), ScheduleJob::Refresh, false)?;
    Ok(Some(listing.schedules))
}

/// A line on the server's stderr, the log the client keeps.
fn log(line: &str) {
    eprintln!("dfls lsp: {line}");
}

/// "Next refresh Tue 08:00 CET" (a date too when it is more than six days away), or "No refresh scheduled"
/// when no enabled schedule fires after `now`.
fn title_of(schedules: &[Value], now: jiff::Timestamp, zone: &jiff::tz::TimeZone) -> String {
    let next = schedules.iter().filter_map(|schedule| next_run(schedule, now)).min();
    let Some(next) = next else { return "No refresh scheduled".to_owned() };
    let local = next.to_zoned_datetime(zone.clone());
    let soon = next.duration_since(now) < jiff::SignedDuration::from_hours(6 * 24);
    let format = if soon { "%a %H:%M %Z" } else { "%a %-d %b %H:%M %Z" };
    format!("Next refresh {}", local.strftime(format))
}

/// When a schedule (Fabric's `ItemSchedule`) fires next after `now`, in its own time zone; `None` when it is
/// disabled or fires no more.
pub fn next_run(schedule: &Value, now: jiff::Timestamp) -> Option<jiff::Timestamp> {
    if schedule["enabled"] != true {
        return None;
    }
    let configuration = &schedule["configuration"];
    let zone = configuration["localTimeZoneId"].as_str().unwrap_or("UTC");
    crate::definition::schedules::next_run(configuration, zone, now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_first_request_fetches_once_and_a_forgotten_item_fetches_again() {
        let cache = NextRefresh::default();
        let folder = Path::new("/repo/Sales.Dataflow");
        let now = jiff::Timestamp::now();
        assert_eq!(cache.title(folder, now), (None, true), "nothing known: fetch");
        assert_eq!(cache.title(folder, now), (None, false), "a fetch is on its way: not twice");
        cache.store(folder, Some(Vec::new()));
        assert_eq!(cache.title(folder, now), (Some("No refresh scheduled".to_owned()), false));
        cache.forget(folder);
        assert_eq!(
            cache.title(folder, now),
            (Some("No refresh scheduled".to_owned()), true),
            "shown, refetched"
        );
        cache.store(folder, None);
        assert_eq!(cache.title(folder, now), (None, false), "not on the target: no lens");
    }

    #[test]
    fn the_next_run_is_shown_in_the_users_zone_the_soonest_first() {
        let daily = |time: &str, zone: &str| {
            json!({"enabled": true, "configuration": {"type": "Daily", "times": [time],
                "startDateTime": "2026-01-01T00:00:00Z", "endDateTime": "2027-01-01T00:00:00Z",
                "localTimeZoneId": zone}})
        };
        // Monday 7 December 2026, 10:00 UTC; the user is in Paris (CET, UTC+1).
        let now: jiff::Timestamp = "2026-12-07T10:00:00Z".parse().unwrap();
        let paris = jiff::tz::TimeZone::get("Europe/Paris").unwrap();
        let schedules = [daily("08:00", "UTC"), daily("17:30", "Romance Standard Time")];
        // 17:30 in Paris is 16:30 UTC, sooner than 08:00 UTC tomorrow (09:00 in Paris).
        assert_eq!(title_of(&schedules, now, &paris), "Next refresh Mon 17:30 CET");
        assert_eq!(title_of(&schedules[..1], now, &paris), "Next refresh Tue 09:00 CET");
        let yearly = [json!({"enabled": true, "configuration": {"type": "Monthly", "times": ["06:00"],
            "occurrence": {"occurrenceType": "DayOfMonth", "dayOfMonth": 1}, "recurrence": 1,
            "startDateTime": "2026-01-01T00:00:00Z", "endDateTime": "2027-06-01T00:00:00Z",
            "localTimeZoneId": "UTC"}})];
        assert_eq!(title_of(&yearly, now, &paris), "Next refresh Fri 1 Jan 07:00 CET", "a date when far");
        let ended = [daily("08:00", "UTC")];
        let later: jiff::Timestamp = "2027-02-01T00:00:00Z".parse().unwrap();
        assert_eq!(title_of(&ended, later, &paris), "No refresh scheduled");
    }

    #[test]
    fn disabled_schedules_are_not_next() {
        let schedules = [json!({"enabled": false, "configuration": {"type": "Cron", "interval": 10}})];
        let now = jiff::Timestamp::now();
        assert_eq!(title_of(&schedules, now, &jiff::tz::TimeZone::UTC), "No refresh scheduled");
    }
}
