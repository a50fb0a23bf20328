//! `dfls emulator`: serves the local Fabric (`crate::emulator`) on a TCP address until SIGINT or SIGTERM.
//! The first line on stdout is the base URL (`http://127.0.0.1:7777/v1`); logs go to stderr, one line a
//! request, never a token. The state lives in `--data-dir`, by default `.dfls/local-fabric` at the root of
//! the repository (the folder of `dfls.toml` or `.git`), the same place the embedded target uses.
//!
//! The one token accepted comes from `--token-file`, `DFLS_EMULATOR_TOKEN` or `--token` (which any user of the
//! machine can read in the process list, hence the note it prints). The `Host` headers accepted follow
//! `--listen`: loopback names for a loopback address, also the address named, any for an unspecified one.

use std::io::Write as _;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::exit;
use crate::emulator::{self, Hosts, LroMode, Options};

/// The environment variable that holds the token to accept (out of sight of the process list).
const TOKEN_VARIABLE: &str = "DFLS_EMULATOR_TOKEN";

#[derive(Debug, Args)]
pub(super) struct EmulatorArgs {
    /// The address to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:7777", value_name = "ADDRESS")]
    listen: String,
    /// The directory of the store [default: .dfls/local-fabric at the repository root, as the embedded target]
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Accept only this bearer token (default: any non-empty token). Visible to other users in the process
    /// list: prefer --token-file or DFLS_EMULATOR_TOKEN.
    #[arg(long, value_name = "TOKEN", conflicts_with = "token_file")]
    token: Option<String>,
    /// Accept only the bearer token in this file (its first line).
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// How long jobs run before they complete, in seconds.
    #[arg(long, default_value_t = 5.0, value_name = "N", value_parser = seconds)]
    job_seconds: f64,
    /// Entries per page of every list.
    #[arg(long, default_value_t = 100, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    page_size: u32,
    /// When long-running operations answer 202: for large definitions (auto), always, or never.
    #[arg(long, value_enum, default_value_t = Lro::Auto)]
    lro: Lro,
    /// Run the emulator's clock N times as fast as real time from start-up (schedules, jobs, operations and
    /// every time shown follow it), for tests: at 600 a schedule due every minute fires every 0.1 s.
    #[arg(long, default_value_t = 1.0, value_name = "N", value_parser = emulator::clock::speed)]
    clock_speed: f64,
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

/// The token to accept: from `--token`, `--token-file`, else `DFLS_EMULATOR_TOKEN`; `None` accepts any.
fn accepted_token(args: &EmulatorArgs) -> Result<Option<String>, String> {
    if let Some(token) = &args.token {
        eprintln!(
            "dfls emulator: note: --token can be read by every user of this machine in the process list; \
             {TOKEN_VARIABLE} or --token-file keep it out of sight"
        );
        return Ok(Some(token.clone()));
    }
    if let Some(path) = &args.token_file {
        let text = std::fs::read_to_string(path)
            .map_err(|error| format!("cannot read the token file {}: {error}", path.display()))?;
        let token = text.lines().next().unwrap_or("").trim();
        if token.is_empty() {
            return Err(format!("the token file {} is empty", path.display()));
        }
        return Ok(Some(token.to_string()));
    }
    Ok(std::env::var(TOKEN_VARIABLE).ok().map(|token| token.trim().to_string()).filter(|t| !t.is_empty()))
}

/// The `Host` headers to accept when listening on `listen` (as given) bound to `address`.
fn accepted_hosts(listen: &str, address: std::net::SocketAddr) -> Hosts {
    if address.ip().is_unspecified() {
        return Hosts::Any;
    }
    if address.ip().is_loopback() {
        return Hosts::Loopback;
    }
    // The name as given (a host name or an address), without its port.
    let name = listen.rsplit_once(':').map_or(listen, |(name, _)| name);
    Hosts::AlsoNamed(name.trim_start_matches('[').trim_end_matches(']').to_string())
}

pub(super) fn run(args: EmulatorArgs) -> u8 {
    let data_dir = match &args.data_dir {
        Some(dir) => dir.clone(),
        // The repository's local Fabric, the one the embedded target of every command there uses.
        None => match crate::fabric::Config::load(std::path::Path::new(".")) {
            Ok(config) => config.root.join(emulator::DATA_DIR),
            Err(error) => {
                eprintln!("dfls emulator: {error}");
                return exit::USAGE;
            }
        },
    };
    let token = match accepted_token(&args) {
        Ok(token) => token,
        Err(message) => {
            eprintln!("dfls emulator: {message}");
            return exit::USAGE;
        }
    };
    let options = Options {
        token: token.clone(),
        job_seconds: args.job_seconds,
        clock_speed: args.clock_speed,
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
        // Listen first: a wrong address must not leave a new store behind.
        let listener = match tokio::net::TcpListener::bind(&args.listen).await {
            Ok(listener) => listener,
            Err(error) => {
                eprintln!("dfls emulator: cannot listen on {}: {error}", args.listen);
                return exit::USAGE;
            }
        };
        let emulator = match emulator::Emulator::open(&data_dir, options) {
            Ok(emulator) => emulator,
            Err(error) => {
                eprintln!("dfls emulator: {error}");
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
        if !address.ip().is_loopback() && token.is_none() {
            eprintln!(
                "dfls emulator: warning: listening on {address}, reachable from other machines, and accepting any \
                 token; set {TOKEN_VARIABLE} or pass --token-file to accept only one"
            );
        }
        let mut options = emulator.options();
        options.hosts = accepted_hosts(&args.listen, address);
        emulator.set_options(options);
        let shutdown = shutdown_signal();
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
        if emulator.clock().speed() != 1.0 {
            eprintln!(
                "dfls emulator: its clock runs {} times real time (schedules, jobs and every time it shows follow it)",
                emulator.clock().speed()
            );
        }
        match emulator::serve_with(listener, emulator, shutdown).await {
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

/// A future that resolves on SIGINT (Ctrl-C) or, on Unix, SIGTERM. The handlers are installed when this is
/// called, not when the future is first polled: a signal sent as soon as the URL is printed must stop the
/// server, not kill it.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let interrupt = signal(SignalKind::interrupt());
        let terminate = signal(SignalKind::terminate());
        async move {
            let (Ok(mut interrupt), Ok(mut terminate)) = (interrupt, terminate) else {
                return std::future::pending::<()>().await;
            };
            tokio::select! {
                _ = interrupt.recv() => {},
                _ = terminate.recv() => {},
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hosts_accepted_follow_the_listen_address() {
        let at = |text: &str| text.parse::<std::net::SocketAddr>().unwrap();
        assert_eq!(accepted_hosts("127.0.0.1:7777", at("127.0.0.1:7777")), Hosts::Loopback);
        assert_eq!(accepted_hosts("localhost:0", at("127.0.0.1:41000")), Hosts::Loopback);
        assert_eq!(accepted_hosts("0.0.0.0:7777", at("0.0.0.0:7777")), Hosts::Any);
        assert_eq!(accepted_hosts("[::]:7777", at("[::]:7777")), Hosts::Any);
        assert_eq!(
            accepted_hosts("192.0.2.7:7777", at("192.0.2.7:7777")),
            Hosts::AlsoNamed("192.0.2.7".into())
        );
        let named = accepted_hosts("[2001:db8::7]:7777", at("[2001:db8::7]:7777"));
        assert_eq!(named, Hosts::AlsoNamed("2001:db8::7".into()));
        assert!(
            named.accepts("[2001:db8::7]:7777") && named.accepts("[::1]") && !named.accepts("evil.example")
        );
    }
}
