//! The deploy loop end to end: the real `dfls` binary (push, pull, publish, refresh, status, jobs, cancel)
//! against the local Fabric, served over HTTP on 127.0.0.1 by this test process (with short jobs and
//! injected faults) or embedded in the binary itself (no configuration at all). Every test also checks
//! that no local file was lost or half-written.

mod faults;
mod hostile;
mod items;
mod kills;
mod loop_;
mod reach;
mod schedules;
mod support;
