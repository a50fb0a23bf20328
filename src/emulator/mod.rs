//! The local Fabric: an emulator of the Fabric REST API parts dfls uses (workspaces, core items and item
//! definitions, the Dataflow group, long-running operations, the job scheduler and schedules), persistent in
//! a SQLite store, served over HTTP by axum. Users try the deploy loop without a tenant; tests never touch
//! the network; CI rehearses deployments.
//!
//! Two ways to run it, one code path for clients (they always talk HTTP):
//! - [`Embedded::start`] serves on `127.0.0.1:<free port>` from a background thread with its own tokio
//!   runtime, for the target `api = "embedded"` (state in `<repo>/.dfls/local-fabric/`); it stops on drop.
//! - [`serve`] serves on a given listener until a shutdown future resolves (`dfls emulator`).
//!
//! Module map: [`store`] (SQLite, the only SQL), `http` (the one dispatcher: auth, faults, routing by
//! case-insensitive path segments, pagination), `api_*` (one API group each), [`jobs`] (job lifecycle
//! computed from stored times), [`scheduler`] (runs due schedules), `lro` (long-running operations), [`validate`] (definitions, `.platform`,
//! the checker run by ApplyChanges), [`parameters`] (parameter discovery in `mashup.pq`), [`faults`] (auth,
//! fault injection and the admin endpoint), `errors`, [`clock`].
//!
//! May use `definition` (decoding payloads, checking items), `diagnostics`, `json`, `text`. Only this module
//! knows axum and rusqlite. Never logs or echoes a bearer token.

mod api_items;
mod api_jobs;
mod api_schedules;
mod api_workspaces;
pub mod clock;
mod errors;
pub mod faults;
mod http;
pub mod jobs;
mod lro;
pub mod parameters;
pub mod scheduler;
pub mod store;
pub mod validate;

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, RwLock};

pub use errors::{ApiError, EmulatorError, ErrorDetails};
pub use faults::{Faults, Hosts};
pub use store::{DEFAULT_WORKSPACE_ID, DEFAULT_WORKSPACE_NAME, SCHEMA_VERSION, STORE_FILE};

/// Where a repository keeps the state of its local Fabric, relative to its root (also the default data
/// directory of `dfls emulator`, relative to the current directory).
pub const DATA_DIR: &str = ".dfls/local-fabric";

/// When long-running operations answer 202 with an operation to poll instead of their result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LroMode {
    /// 202 when the definition moved is larger than [`LRO_AUTO_THRESHOLD`] bytes, else 200/201 at once.
    #[default]
    Auto,
    /// Always 202 + `Location` + `x-ms-operation-id` + `Retry-After`.
    Always,
    /// Never 202: every operation answers at once.
    Never,
}

/// In [`LroMode::Auto`], definitions with more decoded bytes than this are long-running operations.
pub const LRO_AUTO_THRESHOLD: usize = 64 * 1024;

/// How long, in seconds, an operation stays retrievable after it ends. Fabric documents no figure (its
/// operations are for following a call to its end, not for keeping results); an hour is far longer than any
/// client polls.
pub const OPERATION_RETENTION: f64 = 3600.0;

/// The most bytes kept in operation results (a getDefinition result is a whole definition, base64).
pub const OPERATION_RESULTS_BUDGET: u64 = 256 << 20;

/// How many finished job instances of an item are kept (and listed), the newest; Fabric documents "a limit of
/// 100 recently completed entities" for most items, and none for jobs still running.
pub const JOB_HISTORY: usize = 100;

/// How the emulator behaves. Everything but `token`, `log` and `clock_speed` can also be changed at run time
/// through the admin endpoint (`/admin/faults`).
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The one bearer token accepted; `None` accepts any non-empty token.
    pub token: Option<String>,
    /// The `Host` headers accepted.
    pub hosts: Hosts,
    /// How long a job runs (InProgress) before it completes or fails.
    pub job_seconds: f64,
    /// How long a long-running operation reports `Running` before `Succeeded`.
    pub operation_seconds: f64,
    /// How long an operation's state and result stay retrievable after it ends ([`OPERATION_RETENTION`]).
    pub operation_retention_seconds: f64,
    /// The most bytes the results of all kept operations may hold; past it the oldest go first.
    pub operation_results_budget: u64,
    /// How many finished jobs of an item are kept, the newest ([`JOB_HISTORY`]); running jobs always are.
    pub job_history: usize,
    /// Entries per page of every list.
    pub page_size: usize,
    pub lro: LroMode,
    /// The `Retry-After` seconds of 202 answers and job instances.
    pub retry_after: u64,
    /// How long after a soft delete a display name stays reserved (`ItemDisplayNameNotAvailableYet`).
    pub name_reservation_seconds: f64,
    pub faults: Faults,
    /// Whether to log one line per request to stderr (method, path, status; never headers).
    pub log: bool,
    /// How many times as fast as real time the emulator's clock runs (1: real time), from when it opens:
    /// jobs, operations and schedules follow that clock, so a schedule due every minute fires every
    /// tenth of a second at 600. Read when the emulator opens ([`Emulator::open`]); later changes do nothing.
    pub clock_speed: f64,
    /// Called just before dfls's checker runs for a publishing job, outside any transaction: tests hold a
    /// publish there to show that other requests are answered meanwhile. `None` in `dfls emulator`.
    pub before_check: Option<Hook>,
}

/// A function the emulator calls at a point of its work, for tests that order requests by events rather
/// than by wall time.
#[derive(Clone)]
pub struct Hook(pub Arc<dyn Fn() + Send + Sync>);

impl Hook {
    pub fn new(f: impl Fn() + Send + Sync + 'static) -> Hook {
        Hook(Arc::new(f))
    }

    pub fn call(&self) {
        (self.0)()
    }
}

impl std::fmt::Debug for Hook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hook")
    }
}

impl PartialEq for Hook {
    fn eq(&self, other: &Hook) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Default for Options {
    fn default() -> Options {
        Options {
            token: None,
            hosts: Hosts::Loopback,
            job_seconds: 5.0,
            operation_seconds: 1.0,
            operation_retention_seconds: OPERATION_RETENTION,
            operation_results_budget: OPERATION_RESULTS_BUDGET,
            job_history: JOB_HISTORY,
            page_size: 100,
            lro: LroMode::Auto,
            retry_after: 1,
            name_reservation_seconds: 0.0,
            faults: Faults::default(),
            log: false,
            clock_speed: 1.0,
            before_check: None,
        }
    }
}

/// One emulator: its store and its settings, shared by every request.
#[derive(Debug)]
pub struct Emulator {
    store: store::Store,
    options: RwLock<Options>,
    requests: AtomicU64,
    clock: clock::Clock,
}

impl Emulator {
    /// Opens the store in `data_dir` (created when missing), clears the operations that expired while no
    /// emulator ran, and converts a store of an older dfls to give freed space back.
    pub fn open(data_dir: &Path, options: Options) -> Result<Arc<Emulator>, EmulatorError> {
        let store = store::Store::open(data_dir)?;
        // The clock goes on from the latest time the store recorded (kept by a faster clock, maybe).
        let recorded = store.read(|db| Ok(store::latest_time(db)?)).unwrap_or(0);
        let clock = clock::Clock::new(options.clock_speed, recorded);
        let retention = lro::seconds_to_ms(options.operation_retention_seconds);
        // Best effort: a store busy in another process is cleared by the next operation instead.
        let _ = store.expire_operations(clock.now_ms() - retention, options.operation_results_budget, None);
        store.give_space_back();
        Ok(Arc::new(Emulator { store, options: RwLock::new(options), requests: AtomicU64::new(0), clock }))
    }

    /// The emulator's time now ([`clock::Clock`]), in milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The emulator's clock.
    pub fn clock(&self) -> &clock::Clock {
        &self.clock
    }

    /// The settings now.
    pub fn options(&self) -> Options {
        self.options.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Changes the settings.
    pub fn set_options(&self, options: Options) {
        *self.options.write().unwrap_or_else(std::sync::PoisonError::into_inner) = options;
    }

    /// The store's file.
    pub fn store_path(&self) -> &Path {
        self.store.path()
    }
}

/// The HTTP API of an emulator: `/v1/...` and `/admin/faults`.
pub fn router(emulator: Arc<Emulator>) -> axum::Router {
    http::router(emulator)
}

/// Serves the emulator of `data_dir` on `listener` until `shutdown` resolves, then finishes the requests in
/// flight and returns.
pub async fn serve(
    listener: tokio::net::TcpListener,
    options: Options,
    data_dir: &Path,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), EmulatorError> {
    let emulator = Emulator::open(data_dir, options)?;
    serve_with(listener, emulator, shutdown).await
}

/// Serves an opened emulator on `listener` until `shutdown` resolves.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    emulator: Arc<Emulator>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), EmulatorError> {
    // The scheduler runs while the API is served, and stops with it.
    let scheduler = tokio::spawn(scheduler::run(Arc::clone(&emulator)));
    let served = axum::serve(listener, router(emulator))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(EmulatorError::Serve);
    scheduler.abort();
    served
}

/// The base URL of the API served at `address`: `http://127.0.0.1:7777/v1`.
pub fn base_url(address: SocketAddr) -> String {
    format!("http://{address}/v1")
}

/// An emulator serving on `127.0.0.1` from a background thread, for clients in the same process. Stops (and
/// joins its thread) when dropped.
#[derive(Debug)]
pub struct Embedded {
    address: SocketAddr,
    emulator: Arc<Emulator>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Embedded {
    /// Opens the store in `data_dir` and starts serving on a free port of 127.0.0.1.
    pub fn start(data_dir: &Path, options: Options) -> Result<Embedded, EmulatorError> {
        let emulator = Emulator::open(data_dir, options)?;
        let bind_error = |source| EmulatorError::Bind { address: "127.0.0.1:0".to_string(), source };
        let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(bind_error)?;
        listener.set_nonblocking(true).map_err(bind_error)?;
        let address = listener.local_addr().map_err(bind_error)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("dfls-emulator")
            .enable_all()
            .build()
            .map_err(EmulatorError::Serve)?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = Arc::clone(&emulator);
        let thread = std::thread::Builder::new()
            .name("dfls-emulator".to_string())
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else { return };
                    let shutdown = async move {
                        let _ = stopped.await;
                    };
                    if let Err(error) = serve_with(listener, served, shutdown).await {
                        eprintln!("dfls: the embedded emulator stopped: {error}");
                    }
                });
            })
            .map_err(EmulatorError::Serve)?;
        Ok(Embedded { address, emulator, stop: Some(stop), thread: Some(thread) })
    }

    /// The base URL, ending in `/v1`.
    pub fn base_url(&self) -> String {
        base_url(self.address)
    }

    /// The emulator, to change its settings.
    pub fn emulator(&self) -> &Arc<Emulator> {
        &self.emulator
    }
}

impl Drop for Embedded {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
