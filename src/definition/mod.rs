//! A Dataflow item as one unit: its files (a folder, a legacy `dataflow-content.json`, or a REST payload),
//! how they are found and decoded, and the rules that tie them together (`D1xx`).
//!
//! May use `syntax`, `json`, `diagnostics` and `text`; does no IO except in the clearly named folder
//! functions of [`payload`] (reading and writing item folders), which the CLI and the Fabric client share.

pub mod convert;
pub mod payload;
