//! A Dataflow item as one unit: its files (a folder, a legacy `dataflow-content.json`, or a REST payload),
//! how they are found and decoded, and the rules that tie them together (`D1xx`).
//!
//! | module | owns |
//! |---|---|
//! | [`parts`] | the part paths of an item and what each one is |
//! | [`discover`] | how items are recognised among folders and files |
//! | [`part_path`] | the rules part paths follow before anything is written: one spelling, inside the folder, no clashes |
//! | [`payload`] | REST definition payloads (`D100`-`D104`, `D107`, `D108`) |
//! | [`folder`] | item folders on disk: read as a definition, updated all or nothing |
//! | [`file`] | checking one file by itself: M, JSON and its schema, the M inside a legacy item |
//! | [`mashup`], [`metadata`] | the views of M and JSON the rules read |
//! | [`guid`] | recognising and deriving GUIDs |
//! | [`rules`] | the cross-file rules (`D110`-`D123`) |
//! | [`schedules`] | Fabric's schedule rules (limits, time zones, when a schedule fires next) and the check of `.schedules` (`D124`-`D126`) |
//! | [`item`] | an item as one unit: every file checked once, the rules run, one report per file |
//! | [`loose`] | loose M files outside items: a folder of them read as one section |
//!
//! May use `syntax`, `json`, `diagnostics` and `text`; does no IO except in [`folder`] (reading and
//! writing item folders), which the CLI and the Fabric client share.
//! Walking directories to find items is the caller's; [`discover`] only decides from names and bytes.

pub mod convert;
pub mod discover;
pub mod file;
pub mod folder;
pub mod guid;
pub mod item;
pub mod loose;
pub mod mashup;
pub mod metadata;
pub mod part_path;
pub mod parts;
pub mod payload;
pub mod pieces;
pub mod rules;
pub mod schedules;

pub use item::{check_file, check_folder, check_if_payload, check_named, FolderItem, ItemFile, Named};
