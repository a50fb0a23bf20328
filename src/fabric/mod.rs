//! The Fabric REST client: targets and tokens, the calls dfls makes, and the deploy loop built on them.
//!
//! - [`target`]: `dfls.toml` targets, `--target`/`--workspace`, and [`target::connect`], which starts the
//!   embedded local Fabric when that is the target (the default with no configuration).
//! - [`auth`]: tokens from `FABRIC_TOKEN`, the Azure CLI or a command; kept in memory, never shown.
//! - [`http`]: one request with the retry policy (429 after `Retry-After`, 5xx and connection errors with
//!   bounded backoff for repeatable requests only, an expired token acquired again once), connect and read
//!   timeouts, and a size limit on every answer's body.
//! - [`origin`]: where a token may go (the target's origin only; over http only to loopback).
//! - [`time`]: timestamps and `Retry-After` from the API, parsed with checked arithmetic and capped.
//! - [`client`]: typed calls (items, definitions, jobs), pagination, long-running operations.
//! - [`deploy`]: push, pull, publish, refresh and job status over a connection.
//! - [`manage`]: listing, parameters and schedule changes, one code path for the command line and the
//!   language server (options in, JSON out).
//!
//! Only this module knows reqwest. It is synchronous: the command line calls it directly, the language
//! server from its blocking pool. It depends on `definition` (parts, payloads, the checker) and, for the
//! embedded target, on `emulator`.

pub mod auth;
pub mod client;
pub mod deploy;
pub mod error;
pub mod http;
pub mod manage;
pub mod origin;
pub mod schedule;
pub mod target;
pub mod time;

pub use client::{Client, Item, JobInstance, JobType};
pub use error::{ApiError, FabricError};
pub use target::{connect, Config, Connection, Overrides, Target};
