//! `dfls emulator`: serves the local Fabric (`crate::emulator`) on a TCP address until SIGINT or SIGTERM.
//! The first line on stdout is the base URL (`http://127.0.0.1:7777/v1`); logs go to stderr, one line a
//! request, never a token. The state lives in `--data-dir`, by default `.dfls/local-fabric` under the
//! current directory (the same place the embedded emulator of a repository uses).

use std::io::Write as _;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::exit;
use crate::emulator::{self, LroMode, Options};

#[derive(Debug, Args)]
pub(super) struct EmulatorArgs {
    /// The address to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:7777", value_name = "ADDRESS")]
    listen: String,
    /// The directory of the store [default: .dfls/local-fabric]
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Accept only this bearer token (default: any non-empty token).
    #[arg(long, value_name = "TOKEN")]
    token: Option<String>,
    /// How long jobs run before they complete, in seconds.
    #[arg(long, default_value_t = 5.0, value_name = "N", value_parser = seconds)]
    job_seconds: f64,
    /// Entries per page of every list.
    #[arg(long, default_value_t = 100, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    page_size: u32,
    /// When long-running operations answer 202: for large definitions (auto), always, or never.
    #[arg(long, value_enum, default_value_t = Lro::Auto)]
    lro: Lro,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Lro {
    Auto,
    Always,
    Never,
}

fn seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() && value >= 0.0 => Ok(value),
        _ => Err(format!("`{text}` is not a number of seconds (0 or more)")),
    }
}

pub(super) fn run(args: EmulatorArgs) -> u8 {
    let data_dir = args.data_dir.unwrap_or_else(|| PathBuf::from(".dfls").join("local-fabric"));
    let options = Options {
        token: args.token,
        job_seconds: args.job_seconds,
        page_size: args.page_size as usize,
        lro: match args.lro {
            Lro::Auto => LroMode::Auto,
            Lro::Always => LroMode::Always,
            Lro::Never => LroMode::Never,
        },
        log: true,
        ..Options::default()
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("dfls emulator: cannot start: {error}");
            return exit::USAGE;
        }
    };
    runtime.block_on(async move {
        let emulator = match emulator::Emulator::open(&data_dir, options) {
            Ok(emulator) => emulator,
            Err(error) => {
                eprintln!("dfls emulator: {error}");
                return exit::USAGE;
            }
        };
        let listener = match tokio::net::TcpListener::bind(&args.listen).await {
            Ok(listener) => listener,
            Err(error) => {
                eprintln!("dfls emulator: cannot listen on {}: {error}", args.listen);
                return exit::USAGE;
            }
        };
        let address = match listener.local_addr() {
            Ok(address) => address,
            Err(error) => {
                eprintln!("dfls emulator: {error}");
                return exit::USAGE;
            }
        };
        let mut stdout = std::io::stdout();
        let _ = writeln!(stdout, "{}", emulator::base_url(address));
        let _ = stdout.flush();
        eprintln!(
            "dfls emulator: serving {} from {} (default workspace {} \"{}\"); stop with Ctrl-C",
            emulator::base_url(address),
            emulator.store_path().display(),
            emulator::DEFAULT_WORKSPACE_ID,
            emulator::DEFAULT_WORKSPACE_NAME,
        );
        match emulator::serve_with(listener, emulator, shutdown_signal()).await {
            Ok(()) => {
                eprintln!("dfls emulator: stopped");
                exit::SUCCESS
            }
            Err(error) => {
                eprintln!("dfls emulator: {error}");
                exit::USAGE
            }
        }
    })
}

/// Resolves on SIGINT (Ctrl-C) or, on Unix, SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
