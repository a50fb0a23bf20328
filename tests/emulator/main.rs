//! The local Fabric emulator over real HTTP on 127.0.0.1: the swagger's examples replayed, the deploy loop,
//! the store (restarts, sharing, concurrency, corrupt and newer files), faults, and `dfls emulator` as a
//! process.

mod cli;
mod faults;
mod lifecycle;
mod scheduler;
mod store;
mod support;
mod swagger;
