//! `dfls lsp`: the language server, on tower-lsp-server and tokio, over stdio.
//!
//! The only module that knows LSP types. It holds the client's buffers as ropes ([`document`]), turns
//! byte offsets into protocol positions in one place ([`convert`]), checks a Dataflow item as one unit
//! with the open buffers in place of their files ([`workspace`], [`check`], reusing `definition`), and
//! routes every feature request to the pure [`crate::ide`] ([`features`]). Stdout is the protocol: nothing
//! here prints to it (`clippy::print_stdout` is denied); logs go to stderr.
//!
//! | module | owns |
//! |---|---|
//! | [`server`] | the protocol's entry points; edits applied in order on the main loop |
//! | [`capabilities`] | what the client can do, what the server offers |
//! | [`convert`] | byte offsets to and from LSP positions in the negotiated encoding |
//! | [`document`] | open documents (rope, incremental reparse) and immutable snapshots of a version |
//! | [`workspace`] | file identity, items and reading them from disk with the buffers overlaid |
//! | [`check`] | the diagnostics of an item or a loose file, through `definition` |
//! | [`siblings`] | loose M files of a folder as one section: the names they define for each other, navigation across them |
//! | [`diagnostic`] | the one conversion of a diagnostic to LSP, fixes in `data` and back |
//! | [`publish`] | the diagnostics worker, stale results dropped, syntax first, pull diagnostics |
//! | [`features`] | requests routed to `ide` and their results converted |
//! | [`commands`] | `workspace/executeCommand`: the deploy loop, jobs followed; the deploy code lenses |
//! | [`manage`] | `dfls.list`, `dfls.parameters`, `dfls.schedule` on the command line's code path |
//! | [`next_refresh`] | the "Next refresh" lens: schedules fetched in the background, cached per item |
//! | [`state`] | the shared state and its lock |
//! | [`task`] | work on the quick, heavy and checks pools, cancellable; panics caught and answered with errors |
//! | [`stdio`] | stdin and stdout on threads of their own |
//! | [`symbol_index`] | the queries of the workspace's M files, kept between workspace symbol requests |
//! | [`tokens`] | semantic tokens split per line and delta-encoded; the legend |
//!
//! Threading (as ruff_server documents it): notifications that change documents mutate the state
//! synchronously, in the order they arrive, and cheaply (an edit only moves text and marks the tree for a
//! reparse, which the first reader of the new version does); requests and checks read
//! [`document::Snapshot`]s on the pools of [`task`], cheap requests apart from expensive work; work whose
//! request was cancelled or whose version was superseded stops; a result is published only for the
//! version it was computed for.

#![deny(clippy::print_stdout)]

pub mod capabilities;
pub mod check;
pub mod commands;
pub mod convert;
pub mod diagnostic;
pub mod document;
pub mod features;
pub mod manage;
pub mod next_refresh;
pub mod publish;
pub mod server;
pub mod siblings;
pub mod state;
pub mod stdio;
pub mod symbol_index;
pub mod task;
pub mod tokens;
pub mod workspace;

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{ClientSocket, LspService};

pub use server::Server;

/// Settings of the server that are not the client's to choose: test hooks, all off in `dfls lsp`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Answer the debugging requests (`dfls/debugPanic`, `dfls/debugSleep`).
    pub debug_requests: bool,
    /// Whether a keystroke in an M document publishes its syntax diagnostics before the full check:
    /// always (`Some(true)`), never (`Some(false)`), or when its item is slow to check (`None`).
    pub syntax_first: Option<bool>,
    /// Wait this long before each full check, to make a check outlive the edits that follow it.
    pub check_delay: Duration,
}

/// The service and the socket for server-to-client messages, to run with [`serve`] or
/// [`tower_lsp_server::Server`].
pub fn service(options: Options) -> (LspService<Server>, ClientSocket) {
    LspService::build(move |client| {
        let (queue, receiver) = tokio::sync::mpsc::unbounded_channel();
        let shared = Arc::new(state::Shared::new(queue, options));
        tokio::spawn(publish::worker(shared.clone(), client.clone(), receiver));
        Server::new(client, shared)
    })
    .custom_method("dfls/debugPanic", Server::debug_panic)
    .custom_method("dfls/debugSleep", Server::debug_sleep)
    // Not (yet) a method of tower-lsp-server's `LanguageServer`.
    .custom_method("window/workDoneProgress/cancel", Server::progress_cancel)
    .finish()
}

/// How many messages the protocol loop handles at once. Requests wait for the blocking pool; a notification
/// behind them must not wait for a free slot (tower-lsp-server's default is 4), since an edit is applied
/// the moment its handler first runs.
const CONCURRENT_MESSAGES: usize = 64;

/// Serves the protocol on a pair of streams until the client exits.
pub async fn serve<I, O>(input: I, output: O, options: Options)
where
    I: AsyncRead + Unpin,
    O: AsyncWrite,
{
    let (service, socket) = service(options);
    tower_lsp_server::Server::new(input, output, socket)
        .concurrency_level(CONCURRENT_MESSAGES)
        .serve(service)
        .await;
}

/// The runtime the server runs on: the protocol loop on two tokio workers, quick work on at most
/// [`QUICK_THREADS`] blocking threads (heavy work and checks have threads of their own, [`task`]; the
/// protocol's IO too, [`stdio`]). The machines this runs on have few cores, and every thread that
/// allocates gets its own malloc arena, which keeps the memory of its largest moment: more threads would
/// add memory, not speed.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .thread_name("dfls-lsp")
        .worker_threads(2)
        .max_blocking_threads(QUICK_THREADS)
        .thread_stack_size(task::STACK_BYTES)
        .enable_time()
        .build()
}

/// The most threads that run quick work at once (requests, syntax-first diagnostics, reading files).
pub const QUICK_THREADS: usize = 4;

/// Runs the server on stdin and stdout; returns when the client has sent `exit` or closed stdin.
pub fn run_stdio() -> std::io::Result<()> {
    let runtime = runtime()?;
    let streams = stdio::spawn(runtime.handle(), std::io::stdin(), std::io::stdout())?;
    runtime.block_on(serve(streams.input, streams.output, Options::default()));
    // The server has dropped its output: the writer thread ends once every byte is on stdout.
    let _ = streams.writer.join();
    // Work still running on the blocking pool (a check nobody waits for) must not hold the exit.
    runtime.shutdown_timeout(Duration::from_millis(100));
    Ok(())
}
