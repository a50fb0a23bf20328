//! The deploy loop in the editor: `workspace/executeCommand` with `dfls.push`, `dfls.publish`,
//! `dfls.refresh`, `dfls.status`, `dfls.cancel` and `dfls.pull` for the item of a file, code lenses on
//! the `section` line of `mashup.pq`, and for a running job work-done progress, a `dfls/jobStatus`
//! notification at each change of state, and a message when it ends.
//!
//! Arguments: `[uri]` or `[uri, {"target": NAME, "force": BOOL}]`, the file's item folder being the item
//! and the target read from the repository's `dfls.toml` as `dfls push` does. The answer is
//! `{"message": ...}`, or an error whose message says why (check errors refuse a push; a pull never
//! overwrites local changes). A refusal that the same command with `"force": true` would get past (push
//! anyway, pull and overwrite) says so in the error's `data`: `{"message": <the reason without the CLI's
//! flag>, "retry": {"title": "Push anyway", "options": {"force": true}}}`, for an editor to offer a button.
//!
//! A command runs on a thread of its own, not on the server's small blocking pool: a job is followed for
//! as long as it runs, and the server keeps answering meanwhile. Cancelling the job's progress in the
//! editor (`window/workDoneProgress/cancel`) asks Fabric to cancel the job.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use serde_json::{json, Value};
use tokio::runtime::Handle;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::notification::Notification;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::Client;

use super::capabilities::ClientFlags;
use super::features::refused;
use super::state::Shared;
use super::workspace::{DocKey, ItemKey};
use crate::fabric::client::StartedJob;
use crate::fabric::deploy::{self, PushAction};
use crate::fabric::http::Policy;
use crate::fabric::{self, Config, Connection, FabricError, Item, JobInstance, JobType, Overrides};

/// The commands the server runs: the deploy loop here, listing, parameters and schedules in
/// [`super::manage`].
pub const COMMANDS: [&str; 9] = [
    "dfls.push",
    "dfls.publish",
    "dfls.refresh",
    "dfls.status",
    "dfls.cancel",
    "dfls.pull",
    "dfls.list",
    "dfls.parameters",
    "dfls.schedule",
];

/// `dfls/jobStatus`: a job of an item changed state. Params: `{item, folder, jobId, jobType, status,
/// startTime, endTime, failureReason}`.
pub enum JobStatusNotification {}

impl Notification for JobStatusNotification {
    type Params = Value;
    const METHOD: &'static str = "dfls/jobStatus";
}

/// The last state seen of an item's job, for its code lens.
#[derive(Debug, Clone)]
pub struct LastJob {
    pub job_type: String,
    pub status: String,
    pub seen: SystemTime,
}

/// What the commands remember: each item's last job, and the cancel flags of followed jobs by progress
/// token.
#[derive(Debug, Default)]
pub struct Jobs {
    last: HashMap<PathBuf, LastJob>,
    cancels: HashMap<String, Arc<AtomicBool>>,
}

/// `workspace/executeCommand`.
pub async fn execute(
    shared: &Arc<Shared>,
    client: &Client,
    params: ExecuteCommandParams,
) -> Result<Option<Value>> {
    let Some(command) = COMMANDS.iter().find(|c| **c == params.command).copied() else {
        return Err(Error::invalid_params(format!("dfls runs no command `{}`", params.command)));
    };
    let (uri, options) = arguments(&params.arguments)?;
    let flags = shared.lock().client;
    let folder = match &uri {
        Some(uri) => folder_of(shared, command, uri, &options)?,
        // The Dataflow commands need no file: `dfls.toml` is found from the workspace folder.
        None if super::manage::COMMANDS.contains(&command) => {
            let root = shared.lock().roots.first().cloned();
            root.ok_or_else(|| refused(format!("{command} needs the URI of a file, or a workspace folder")))?
        }
        None => {
            return Err(Error::invalid_params("the first argument must be the URI of a file of the item"))
        }
    };
    let show = options.show;
    let context =
        Context { shared: shared.clone(), client: client.clone(), handle: Handle::current(), folder, flags };
    let (reply, answer) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name(format!("dfls {command}"))
        .spawn(move || context.run(command, options, reply));
    if let Err(error) = spawned {
        return Err(refused(format!("cannot start {command}: {error}")));
    }
    let answer = match answer.await {
        Ok(Ok(result)) => Ok(Some(result)),
        Ok(Err(refusal)) => Err(refusal.into_error()),
        Err(_) => Err(refused(format!("{command} stopped without an answer"))),
    };
    if show {
        let (kind, text) = match &answer {
            Ok(result) => {
                let message = result.as_ref().and_then(|r| r["message"].as_str()).unwrap_or("done");
                (MessageType::INFO, message.to_owned())
            }
            Err(error) => (MessageType::ERROR, format!("{command} failed: {}", error.message)),
        };
        client.show_message(kind, format!("dfls: {text}")).await;
    }
    answer
}

/// The folder a command with a file's URI is about: the file's item folder; for listing, or a Dataflow named
/// by `item`, any file will do (`dfls.toml` is found from its folder).
fn folder_of(shared: &Shared, command: &str, uri: &Uri, options: &CommandOptions) -> Result<PathBuf> {
    let key = DocKey::of(uri);
    match shared.item_of(&key) {
        ItemKey::Folder(folder) => Ok(folder),
        _ if command == "dfls.list" || options.item.is_some() => match key.path() {
            Some(path) if path.is_dir() => Ok(path.to_owned()),
            Some(path) => Ok(path.parent().map_or_else(|| path.to_owned(), Path::to_owned)),
            None => Err(refused(format!("{} is not a file on disk", uri.as_str()))),
        },
        _ => Err(refused(format!("{} is not a file of a Dataflow item folder", uri.as_str()))),
    }
}

/// `window/workDoneProgress/cancel`: the user cancelled a job's progress; the job is cancelled.
pub fn cancel_progress(shared: &Shared, params: WorkDoneProgressCancelParams) {
    let token = token_text(&params.token);
    let jobs = shared.jobs.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(flag) = jobs.cancels.get(&token) {
        flag.store(true, Ordering::SeqCst);
    }
}

/// Code lenses of an item's `mashup.pq`: Push, Publish, Refresh, the last job seen, and the next scheduled
/// refresh once the target's schedules are known ([`super::next_refresh`], never waited for).
pub fn code_lenses(shared: &Arc<Shared>, client: &Client, uri: &Uri, section_line: u32) -> Vec<CodeLens> {
    let key = DocKey::of(uri);
    let ItemKey::Folder(folder) = shared.item_of(&key) else { return Vec::new() };
    let range = Range::new(Position::new(section_line, 0), Position::new(section_line, 0));
    let argument = vec![json!(uri.as_str())];
    let lens = |title: &str, command: &str| CodeLens {
        range,
        command: Some(Command {
            title: title.to_owned(),
            command: command.to_owned(),
            arguments: Some(argument.clone()),
        }),
        data: None,
    };
    let mut lenses =
        vec![lens("Push", "dfls.push"), lens("Publish", "dfls.publish"), lens("Refresh", "dfls.refresh")];
    let last = shared.jobs.lock().unwrap_or_else(PoisonError::into_inner).last.get(&folder).cloned();
    if let Some(last) = last {
        let age = last.seen.elapsed().map(age).unwrap_or_else(|_| "just now".to_owned());
        lenses.push(lens(&format!("{}: {} · {age}", verb(&last.job_type), last.status), "dfls.status"));
    }
    if let Some(title) = super::next_refresh::title(shared, client, &folder) {
        lenses.push(CodeLens {
            range,
            command: Some(Command {
                title,
                command: "dfls.schedule".to_owned(),
                arguments: Some(vec![json!(uri.as_str()), json!({"action": "list"})]),
            }),
            data: None,
        });
    }
    lenses
}

/// `Publish` or `Refresh` for a job instance's `jobType`; another type as it is.
fn verb(job_type: &str) -> &str {
    JobType::from_name(job_type).map_or(job_type, |job| job.title())
}

fn age(elapsed: Duration) -> String {
    match elapsed.as_secs() {
        0..=59 => "just now".to_owned(),
        60..=3599 => format!("{} min ago", elapsed.as_secs() / 60),
        secs => format!("{} h ago", secs / 3600),
    }
}

/// The options of a command, its second argument.
#[derive(Debug, Default)]
pub(super) struct CommandOptions {
    /// A target of `dfls.toml`; `None`: its default.
    pub target: Option<String>,
    /// Push an item with errors; pull over local changes.
    pub force: bool,
    /// The display name of a remote Dataflow, instead of the file's item (`dfls.parameters`, `dfls.schedule`).
    pub item: Option<String>,
    /// Also show the answer (or the refusal) with `window/showMessage`.
    pub show: bool,
    /// The whole object, for the options of one command (`dfls.schedule`'s action and timing).
    pub all: Value,
}

/// Why a command did not do its work: the message, and how the same command would get past it.
pub(super) struct Refusal {
    pub message: String,
    /// The reason without the command line's way past it, and the way past it for an editor's button:
    /// the button's title and the options to run the command again with.
    pub retry: Option<(String, &'static str, Value)>,
}

impl Refusal {
    fn into_error(self) -> Error {
        let mut error = refused(self.message);
        if let Some((reason, title, options)) = self.retry {
            error.data = Some(json!({"message": reason, "retry": {"title": title, "options": options}}));
        }
        error
    }
}

impl From<FabricError> for Refusal {
    fn from(error: FabricError) -> Refusal {
        Refusal { message: error.to_string(), retry: None }
    }
}

impl From<String> for Refusal {
    fn from(message: String) -> Refusal {
        Refusal { message, retry: None }
    }
}

/// The file and the options of a command's arguments.
fn arguments(arguments: &[Value]) -> Result<(Option<Uri>, CommandOptions)> {
    let uri = arguments
        .first()
        .and_then(|value| value.as_str().or_else(|| value.get("uri").and_then(Value::as_str)));
    let uri = match uri {
        Some(uri) => Some(uri.parse().map_err(|_| Error::invalid_params(format!("`{uri}` is not a URI")))?),
        None => None,
    };
    // Without a URI, the options may come first (an editor that sends what the user typed, as Helix does).
    let options = if uri.is_some() { arguments.get(1) } else { arguments.first() };
    let target = options.and_then(|o| o.get("target")).and_then(Value::as_str).map(str::to_owned);
    let force = options.and_then(|o| o.get("force")).and_then(Value::as_bool).unwrap_or(false);
    let item = options.and_then(|o| o.get("item")).and_then(Value::as_str).map(str::to_owned);
    // Shown as a message too: asked for, or a command sent without any argument (a command picker, which
    // shows nothing of an answer).
    let show = options.and_then(|o| o.get("show")).and_then(Value::as_bool).unwrap_or(arguments.is_empty());
    let all = options.cloned().unwrap_or_else(|| json!({}));
    if !all.is_object() {
        return Err(Error::invalid_params("the options must be an object"));
    }
    Ok((uri, CommandOptions { target, force, item, show, all }))
}

fn token_text(token: &ProgressToken) -> String {
    match token {
        NumberOrString::Number(n) => n.to_string(),
        NumberOrString::String(s) => s.clone(),
    }
}

/// What a command's thread needs.
pub(super) struct Context {
    pub shared: Arc<Shared>,
    pub client: Client,
    pub handle: Handle,
    /// The item folder of the command's file; for `dfls.list` and a Dataflow named by `item`, the folder
    /// `dfls.toml` is searched from.
    pub folder: PathBuf,
    pub flags: ClientFlags,
}

type Reply = tokio::sync::oneshot::Sender<std::result::Result<Value, Refusal>>;

impl Context {
    fn run(self, command: &str, options: CommandOptions, reply: Reply) {
        if super::manage::COMMANDS.contains(&command) {
            let _ = reply.send(super::manage::run(&self, command, &options));
            return;
        }
        let connection = match self.connect(options.target) {
            Ok(connection) => connection,
            Err(error) => {
                let _ = reply.send(Err(error.into()));
                return;
            }
        };
        let target = connection.target.name.clone();
        let done = match command {
            "dfls.push" => self.push(&connection, options.force),
            "dfls.pull" => self.pull(&connection, options.force),
            "dfls.status" => self.status(&connection).map_err(Refusal::from),
            "dfls.cancel" => self.cancel(&connection).map_err(Refusal::from),
            "dfls.publish" | "dfls.refresh" => {
                let job = if command == "dfls.publish" { JobType::ApplyChanges } else { JobType::Execute };
                let data = (job == JobType::Execute).then(|| deploy::execution_data(false, &[]));
                let started = deploy::resolve(&connection, &self.folder.to_string_lossy())
                    .and_then(|item| Ok((deploy::start_job(&connection, &item, job, data)?, item)));
                match started {
                    Ok((started, item)) => {
                        let _ = reply.send(Ok(json!({ "message": format!(
                            "{} of `{}` started on target `{target}` (job {})",
                            job.verb(),
                            item.display_name,
                            started.id
                        )})));
                        self.follow(&connection, &item, job, &started);
                        return;
                    }
                    Err(error) => Err(error.into()),
                }
            }
            _ => Err(FabricError::Config(format!("dfls runs no command `{command}`")).into()),
        };
        let _ =
            reply.send(done.map(|message| json!({ "message": format!("{message} (target `{target}`)") })));
    }

    fn connect(&self, target: Option<String>) -> std::result::Result<Connection, FabricError> {
        fabric::connect(self.target(target)?, Policy::from_env()?)
    }

    /// The target of `dfls.toml` found from the folder: `name`, else its default.
    pub fn target(&self, name: Option<String>) -> std::result::Result<fabric::Target, FabricError> {
        Config::load(&self.folder)?.target(&Overrides { target: name, workspace: None })
    }

    fn push(&self, connection: &Connection, force: bool) -> std::result::Result<String, Refusal> {
        // A push sends the files on disk: a buffer with unsaved changes would silently not be in it.
        let unsaved = self.unsaved();
        if !unsaved.is_empty() {
            return Err(FabricError::Config(format!(
                "{} {} unsaved changes; save first (a push sends the files on disk)",
                unsaved.join(", "),
                if unsaved.len() == 1 { "has" } else { "have" }
            ))
            .into());
        }
        let local = deploy::read_local(&self.folder)?;
        let (_, errors) = deploy::check(&local);
        if errors > 0 && !force {
            let reason = format!(
                "`{}` has {errors} error(s), shown with the diagnostics; it was not pushed",
                local.display_name
            );
            return Err(Refusal {
                message: format!("{reason} (`dfls push --force` pushes anyway)"),
                retry: Some((reason, "Push anyway", json!({"force": true}))),
            });
        }
        let plan = deploy::plan_push(connection, &local)?;
        let item = deploy::push(connection, &local, &plan)?;
        Ok(match plan.action {
            PushAction::Create => format!("created `{}` ({})", item.display_name, item.id),
            PushAction::Update { changed } => {
                format!("updated `{}`: {}", item.display_name, changed.join(", "))
            }
            PushAction::Unchanged => format!("`{}` is unchanged", item.display_name),
        })
    }

    fn pull(&self, connection: &Connection, force: bool) -> std::result::Result<String, Refusal> {
        let pulled = deploy::pull(connection, &self.folder.to_string_lossy(), Some(&self.folder), force)?;
        let outcome = pulled.outcome;
        if !outcome.conflicts.is_empty() {
            let reason = format!(
                "not pulled: {} differ from `{}`; commit or discard the local changes",
                outcome.conflicts.join(", "),
                pulled.item.display_name
            );
            return Err(Refusal {
                message: format!("{reason}, or run `dfls pull --force`"),
                retry: Some((reason, "Pull and overwrite", json!({"force": true}))),
            });
        }
        let written: Vec<String> = outcome.created.into_iter().chain(outcome.updated).collect();
        Ok(if written.is_empty() {
            format!("`{}` is up to date", pulled.item.display_name)
        } else {
            format!("pulled `{}`: {}", pulled.item.display_name, written.join(", "))
        })
    }

    fn status(&self, connection: &Connection) -> std::result::Result<String, FabricError> {
        let item = deploy::resolve(connection, &self.folder.to_string_lossy())?;
        let Some(job) = deploy::job_status(connection, &item, None)? else {
            return Ok(format!("`{}` has no jobs yet", item.display_name));
        };
        self.notify(&item, &job);
        let mut message = format!("{} of `{}`: {}", verb(&job.job_type), item.display_name, job.status);
        if let Some(failure) = job.failure() {
            message.push_str(&format!(": {failure}"));
        }
        Ok(message)
    }

    fn cancel(&self, connection: &Connection) -> std::result::Result<String, FabricError> {
        let item = deploy::resolve(connection, &self.folder.to_string_lossy())?;
        let running = connection
            .client
            .jobs(&connection.workspace, &item.id)?
            .into_iter()
            .find(|job| !job.is_finished());
        let Some(job) = running else {
            return Err(FabricError::Config(format!(
                "`{}` has no job that is still running",
                item.display_name
            )));
        };
        connection.client.cancel_job(&connection.workspace, &item.id, &job.id)?;
        Ok(format!("asked to cancel the {} of `{}`", verb(&job.job_type).to_lowercase(), item.display_name))
    }

    /// Follows a started job to its end: progress, `dfls/jobStatus`, a message at the end.
    fn follow(&self, connection: &Connection, item: &Item, job: JobType, started: &StartedJob) {
        let token = format!("dfls-job-{}", started.id);
        let cancel = Arc::new(AtomicBool::new(false));
        self.jobs().cancels.insert(token.clone(), cancel.clone());
        let title = format!("{} `{}`", job.title(), item.display_name);
        let progress = self.flags.work_done_progress.then(|| {
            self.handle.block_on(async {
                let token = NumberOrString::String(token.clone());
                self.client.create_work_done_progress(token.clone()).await.ok()?;
                Some(
                    self.client
                        .progress(token, title.clone())
                        .with_message("starting")
                        .with_cancel_button()
                        .begin()
                        .await,
                )
            })
        });
        let progress = progress.flatten();
        let started_at = Instant::now();
        let mut last_status = String::new();
        // Called at each look at the job: the progress shows the time going by, the notification only a
        // change of state.
        let mut on_state = |state: &JobInstance| {
            if state.status != last_status {
                last_status = state.status.clone();
                self.notify(item, state);
            }
            if let Some(progress) = &progress {
                let message = format!("{} ({} s)", state.status, started_at.elapsed().as_secs());
                self.handle.block_on(progress.report_with_message(message, Some(!state.is_finished())));
            }
        };
        let cancelled = || cancel.load(Ordering::SeqCst);
        let outcome =
            connection.client.wait_job(&connection.workspace, &item.id, started, &mut on_state, &cancelled);
        self.jobs().cancels.remove(&token);
        let (kind, message) = match &outcome {
            Ok(state) if state.succeeded() => (MessageType::INFO, format!("{title}: {}", state.status)),
            Ok(state) => {
                let reason = state.failure().map(|f| format!(": {f}")).unwrap_or_default();
                let kind =
                    if state.status == "Cancelled" { MessageType::WARNING } else { MessageType::ERROR };
                (kind, format!("{title}: {}{reason}", state.status))
            }
            Err(error) => (MessageType::ERROR, format!("{title}: could not follow the job: {error}")),
        };
        self.handle.block_on(async {
            if let Some(progress) = progress {
                progress.finish_with_message(message.clone()).await;
            }
            self.client.show_message(kind, format!("dfls: {message}")).await;
        });
        // A job may have been started by a schedule, or changed what the next one is: fetch them again.
        self.shared.next_refresh.forget(&self.folder);
        self.refresh_lenses();
    }

    /// Asks the client to ask for code lenses again, when it takes that request.
    pub fn refresh_lenses(&self) {
        if self.flags.code_lens_refresh {
            let _ = self.handle.block_on(self.client.code_lens_refresh());
        }
    }

    /// The names of the item's open files whose buffer differs from the file on disk.
    fn unsaved(&self) -> Vec<String> {
        let open = self.shared.lock().open_snapshots(&ItemKey::Folder(self.folder.clone()));
        let mut names: Vec<String> = open
            .into_iter()
            .filter(|(key, snapshot)| {
                key.path().is_some_and(|path| {
                    std::fs::read(path)
                        .map_or(true, |disk| differs(&String::from_utf8_lossy(&disk), &snapshot.text))
                })
            })
            .map(|(key, _)| key.file_name().to_owned())
            .collect();
        names.sort();
        names
    }

    /// Sends `dfls/jobStatus` and remembers the state for the code lens.
    fn notify(&self, item: &Item, job: &JobInstance) {
        self.jobs().last.insert(
            self.folder.clone(),
            LastJob { job_type: job.job_type.clone(), status: job.status.clone(), seen: SystemTime::now() },
        );
        let params = json!({
            "item": item.display_name,
            "folder": path_text(&self.folder),
            "jobId": job.id,
            "jobType": job.job_type,
            "status": job.status,
            "startTime": job.start_time_utc,
            "endTime": job.end_time_utc,
            "failureReason": job.failure(),
        });
        self.handle.block_on(self.client.send_notification::<JobStatusNotification>(params));
    }

    fn jobs(&self) -> std::sync::MutexGuard<'_, Jobs> {
        self.shared.jobs.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Whether a buffer holds other text than its file: line endings and the white space at the end aside,
/// which editors add or drop when they save (`fixendofline`, a buffer's line endings sent as LF).
fn differs(disk: &str, buffer: &str) -> bool {
    let normal = |text: &str| text.trim_start_matches('\u{feff}').trim_end().replace("\r\n", "\n");
    normal(disk) != normal(buffer)
}

fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// A `Mutex<Jobs>` for [`Shared`].
pub fn new_jobs() -> Mutex<Jobs> {
    Mutex::new(Jobs::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_buffers_are_told_from_unsaved_ones() {
        assert!(!differs("section S;\r\nshared A = 1;\r\n", "section S;\nshared A = 1;"));
        assert!(!differs("\u{feff}section S;\n", "section S;\n\n"));
        assert!(differs("section S;\nshared A = 1;\n", "section S;\nshared A = 2;\n"));
    }

    #[test]
    fn command_arguments_are_a_uri_and_options() {
        let (uri, options) =
            arguments(&[json!("file:///repo/Sales.Dataflow/mashup.pq"), json!({"target": "dev"})]).unwrap();
        assert_eq!(uri.unwrap().as_str(), "file:///repo/Sales.Dataflow/mashup.pq");
        assert!(!options.show);
        assert_eq!(options.target.as_deref(), Some("dev"));
        assert!(!options.force);
        let (_, options) = arguments(&[json!("file:///x/mashup.pq"), json!({"force": true})]).unwrap();
        assert!(options.force && options.target.is_none());
        // No URI: the options first, or nothing (then the answer is shown as a message too).
        let (uri, options) = arguments(&[json!({"item": "Sales", "show": true})]).unwrap();
        assert!(uri.is_none() && options.show && options.item.as_deref() == Some("Sales"));
        let (uri, options) = arguments(&[]).unwrap();
        assert!(uri.is_none() && options.show);
        assert!(arguments(&[json!(3)]).is_err());
        assert!(arguments(&[json!("not a uri")]).is_err());
        assert_eq!(age(Duration::from_secs(150)), "2 min ago");
    }
}
