//! Checking a Dataflow item as one unit, in each of its three forms: a folder of files, a REST definition
//! payload (parts decoded into virtual files shown as `payload.json#mashup.pq`), or a legacy
//! `dataflow-content.json`; and checking a single file named on its own.
//!
//! Every file is checked once by itself ([`file`](super::file)), then the cross-file [`rules`] run over
//! what those checks kept, and the item-level problems are placed: a stray file is a `D105` on that file,
//! a missing part a `D106` on the file that needs it (or on the payload's `parts`). The result is one
//! [`FileReport`] per file, unread stray files included (with no text), so renderers can show related
//! locations in any of them. Pure: the caller reads the bytes.

use super::discover;
use super::file::{self, Checked, Content};
use super::loose;
use super::metadata::{self, Layout};
use super::parts::{self, PartKind, LEGACY_CONTENT, MASHUP, QUERY_METADATA};
use super::payload;
use super::rules::{self, MashupSide, MdfSide, MetadataSide, PlatformSide, Unit};
use crate::diagnostics::{codes, Diagnostic, FileReport};
use crate::json::{self, Json};
use crate::text;

/// A file of an item folder, read.
#[derive(Debug, Clone)]
pub struct ItemFile {
    /// The path relative to the item folder, with `/` (`mashup.pq`).
    pub part_path: String,
    /// The path shown to the user.
    pub shown: String,
    pub bytes: Vec<u8>,
    /// The M of `bytes`, already parsed and analysed by the caller (a language server's open buffer), so
    /// the check does not do it again.
    pub parsed: Option<file::ParsedM>,
}

/// An item folder: its parts, read, and the other files in it, not read.
#[derive(Debug, Clone, Default)]
pub struct FolderItem {
    /// The folder's own name (`Sales.Dataflow`).
    pub name: String,
    /// The folder's path as shown, for a diagnostic about an empty folder.
    pub shown: String,
    /// The files that are parts of a Dataflow definition ([`PartKind::of`] is not `Unknown`); any other
    /// file given here is taken as a stray.
    pub files: Vec<ItemFile>,
    /// The other files: (part path, shown path).
    pub strays: Vec<(String, String)>,
}

impl FolderItem {
    /// An item folder made of parts (a definition received or about to be sent), its files shown as
    /// `shown/path`, no strays.
    pub fn of_parts<'p>(
        name: String,
        shown: String,
        parts: impl IntoIterator<Item = (&'p str, &'p [u8])>,
    ) -> FolderItem {
        let files = parts
            .into_iter()
            .map(|(path, bytes)| ItemFile {
                part_path: path.to_owned(),
                shown: format!("{}/{path}", shown.trim_end_matches('/')),
                bytes: bytes.to_vec(),
                parsed: None,
            })
            .collect();
        FolderItem { name, shown, files, strays: Vec::new() }
    }
}

/// Checks an item folder.
pub fn check_folder(mut item: FolderItem) -> Vec<FileReport> {
    let (files, strays): (Vec<ItemFile>, Vec<ItemFile>) =
        item.files.into_iter().partition(|f| PartKind::of(&f.part_path) != PartKind::Unknown);
    item.files = files;
    item.strays.extend(strays.into_iter().map(|f| (f.part_path, f.shown)));
    let mut checked: Vec<Checked> = item
        .files
        .iter()
        .map(|f| {
            // A check the language server no longer needs (the item changed) stops between files.
            crate::cancel::checkpoint();
            let kind = PartKind::of(&f.part_path);
            match (&f.parsed, kind) {
                (Some(parsed), PartKind::Mashup) => {
                    file::check_parsed_m(&f.part_path, f.shown.clone(), &f.bytes, parsed)
                }
                _ => file::check(kind, &f.part_path, f.shown.clone(), &f.bytes, false),
            }
        })
        .collect();
    crate::cancel::checkpoint();
    apply_rules(&mut checked, Some(&item.name), true);

    let mut reports: Vec<FileReport> = checked.into_iter().map(|c| c.report).collect();
    for (part_path, shown) in item.strays {
        let diagnostic = Diagnostic::new(
            codes::D105,
            0..0,
            format!(
                "`{part_path}` is not a part of a Dataflow definition; tools that deploy the whole folder \
                 (fabric-cicd) would upload it, and Fabric may refuse it"
            ),
        );
        reports.push(FileReport { path: shown, text: String::new(), diagnostics: vec![diagnostic] });
    }

    let present: Vec<&str> = item.files.iter().map(|f| f.part_path.as_str()).collect();
    if let Some(message) = missing_message(&parts::missing_required(present.iter().copied())) {
        // On the file that needs the missing one, else on any file of the item, else on the folder.
        let anchor = [MASHUP, QUERY_METADATA, parts::PLATFORM]
            .iter()
            .find_map(|name| item.files.iter().position(|f| f.part_path == *name))
            .or(if reports.is_empty() { None } else { Some(0) });
        let diagnostic = Diagnostic::new(codes::D106, 0..0, message);
        match anchor {
            Some(index) => reports[index].diagnostics.push(diagnostic),
            None => reports.push(FileReport {
                path: item.shown,
                text: String::new(),
                diagnostics: vec![diagnostic],
            }),
        }
    }
    for report in &mut reports {
        report.sort();
    }
    reports
}

fn missing_message(missing: &[&str]) -> Option<String> {
    match missing {
        [] => None,
        [MASHUP] => Some(format!("the item has no `{MASHUP}`; a Dataflow definition needs it beside `{QUERY_METADATA}`")),
        [QUERY_METADATA] => {
            Some(format!("the item has no `{QUERY_METADATA}`; a Dataflow definition needs it beside `{MASHUP}`"))
        }
        _ => Some(format!(
            "the item has neither `{MASHUP}` nor `{QUERY_METADATA}`, the two parts every Dataflow definition has (or, \
             for a legacy item, `{LEGACY_CONTENT}`)"
        )),
    }
}

/// What [`check_named`] made of a file named on its own.
#[derive(Debug)]
pub enum Named {
    /// The file was checked as what it is: its reports (a payload has one per part besides its own).
    Checked(Vec<FileReport>),
    /// A JSON file that is none of the files of a Dataflow item: its report has only its JSON syntax
    /// errors, if any. Saying "no problems" about it would claim a check that did not happen.
    NotDataflow(FileReport),
}

/// Checks a file named on its own (the language server's view of it: a JSON file that is not a Dataflow
/// file is checked for its syntax only). See [`check_named`].
pub fn check_file(shown: &str, bytes: &[u8]) -> Vec<FileReport> {
    match check_named(shown, bytes) {
        Named::Checked(reports) => reports,
        Named::NotDataflow(report) => vec![report],
    }
}

/// Checks a file named on its own, by its name: an M file, a JSON part (`queryMetadata.json`, `.platform`,
/// `.schedules`, `*.mdf`), a legacy `dataflow-content.json`; any other `.json` by its content: a REST
/// payload, or a part or legacy item under another name ([`discover::json_part_kind`]), else
/// [`Named::NotDataflow`]. Any other name is M. The file is checked with the rules that need only it.
pub fn check_named(shown: &str, bytes: &[u8]) -> Named {
    let name = shown.rsplit(['/', '\\']).next().unwrap_or(shown);
    let kind = PartKind::of(name);
    match kind {
        PartKind::Mashup => Named::Checked(vec![check_m(shown, bytes)]),
        PartKind::Unknown if name.to_ascii_lowercase().ends_with(".json") => {
            let (report, json) = parse_json(shown, bytes);
            if payload::is_payload(&json) {
                return Named::Checked(check_payload(report, json));
            }
            match discover::json_part_kind(&json) {
                Some(kind) => {
                    // The part path the rules and messages know it by: `legacy.json` is the item's
                    // `dataflow-content.json`; a Mapping Data Flow keeps its name as its query's.
                    let part_path = match kind {
                        PartKind::Mdf => {
                            format!("{}{}", name.trim_end_matches(".json"), parts::MDF_EXTENSION)
                        }
                        PartKind::LegacyContent => LEGACY_CONTENT.to_string(),
                        PartKind::QueryMetadata => QUERY_METADATA.to_string(),
                        PartKind::Platform => parts::PLATFORM.to_string(),
                        PartKind::Schedules => parts::SCHEDULES.to_string(),
                        PartKind::Mashup | PartKind::Unknown => name.to_string(),
                    };
                    Named::Checked(check_alone(kind, &part_path, shown, bytes))
                }
                None => Named::NotDataflow(report),
            }
        }
        PartKind::Unknown => Named::Checked(vec![check_m(shown, bytes)]),
        _ => Named::Checked(check_alone(kind, name, shown, bytes)),
    }
}

/// Checks one part of an item by itself, with the rules that need only it.
fn check_alone(kind: PartKind, part_path: &str, shown: &str, bytes: &[u8]) -> Vec<FileReport> {
    let mut checked = vec![file::check(kind, part_path, shown.to_string(), bytes, false)];
    apply_rules(&mut checked, None, false);
    checked.into_iter().map(|c| c.report).collect()
}

/// Checks a JSON file found by a search if it is a REST payload; `None` when it is not one.
pub fn check_if_payload(shown: &str, bytes: &[u8]) -> Option<Vec<FileReport>> {
    if !discover::may_be_payload(bytes) {
        return None;
    }
    let (report, json) = parse_json(shown, bytes);
    payload::is_payload(&json).then(|| check_payload(report, json))
}

/// A loose M file: syntax and names, by itself ([`loose::check_file`]).
fn check_m(shown: &str, bytes: &[u8]) -> FileReport {
    loose::check_file(shown, bytes)
}

/// Parses a JSON file that is not a part; its syntax diagnostics go to the report.
fn parse_json(shown: &str, bytes: &[u8]) -> (FileReport, Json) {
    let decoded = text::decode(bytes);
    let mut json = json::parse(&decoded.text);
    let mut diagnostics = file::not_utf8(bytes, &decoded.invalid, shown.rsplit('/').next().unwrap_or(shown));
    diagnostics.append(&mut json.diagnostics);
    let mut report = FileReport { path: shown.to_string(), text: decoded.text, diagnostics };
    report.sort();
    (report, json)
}

/// Checks a REST payload: the payload's own problems on it, each part as a virtual file
/// `<payload>#<part path>`, then the item's rules over the parts.
fn check_payload(mut report: FileReport, json: Json) -> Vec<FileReport> {
    let (decoded, _format, diagnostics) = payload::decode(&json);
    report.diagnostics.extend(diagnostics);
    let mut checked = Vec::new();
    for part in &decoded {
        let path = &part.part.path;
        match PartKind::of(path) {
            PartKind::Unknown => report.diagnostics.push(Diagnostic::new(
                codes::D105,
                part.path_range.clone(),
                format!("`{path}` is not a part of a Dataflow definition; Fabric may ignore or refuse it"),
            )),
            kind => checked.push(file::check(
                kind,
                path,
                format!("{}#{path}", report.path),
                &part.part.bytes,
                true,
            )),
        }
    }
    // Parts that could not be decoded (D100-D104) are still there: only a path that is absent is missing.
    let parts = json.locate("/definition/parts").or_else(|| json.locate("/parts"));
    if let Some((located, items)) = parts.and_then(|l| l.value.as_array().map(|items| (l, items))) {
        let present: Vec<&str> =
            items.iter().filter_map(|item| item.get("path").and_then(|p| p.as_str())).collect();
        if let Some(message) = missing_message(&parts::missing_required(present.iter().copied())) {
            let range = located.key.map_or_else(|| located.value.range.clone(), |key| key.range.clone());
            report.diagnostics.push(Diagnostic::new(codes::D106, range, message));
        }
    }
    apply_rules(&mut checked, None, true);
    report.sort();
    let mut reports = vec![report];
    reports.extend(checked.into_iter().map(|mut c| {
        c.report.sort();
        c.report
    }));
    reports
}

/// Runs the cross-file rules over checked files and adds their diagnostics to the files they are about.
/// `folder` is the item folder's name; `parts_known` says the files are all the item's parts.
fn apply_rules(checked: &mut [Checked], folder: Option<&str>, parts_known: bool) {
    let found = {
        let units = units(checked, folder, parts_known);
        units.iter().flat_map(rules::check).collect::<Vec<_>>()
    };
    for (target, diagnostic) in found {
        checked[target].report.diagnostics.push(diagnostic);
    }
}

/// The units the rules check: normally one; two when a folder holds both a current item and a legacy
/// `dataflow-content.json` (each is checked by itself).
fn units<'a>(checked: &'a [Checked], folder: Option<&'a str>, parts_known: bool) -> Vec<Unit<'a>> {
    let find = |kind: PartKind| checked.iter().position(|c| c.kind == kind);
    let mashup = find(PartKind::Mashup).and_then(|i| match &checked[i].content {
        Content::M(m) => Some(MashupSide {
            target: i,
            path: &checked[i].report.path,
            label: MASHUP,
            mashup: &m.mashup,
            complete: m.complete,
        }),
        _ => None,
    });
    let metadata = find(PartKind::QueryMetadata).and_then(|i| match &checked[i].content {
        Content::Json(j) => Some(MetadataSide {
            target: i,
            path: &checked[i].report.path,
            text: &checked[i].report.text,
            view: metadata::read(&j.json, Layout::QueryMetadata)?,
            complete: j.complete,
        }),
        _ => None,
    });
    let platform = find(PartKind::Platform).and_then(|i| match &checked[i].content {
        Content::Json(j) => Some(PlatformSide { target: i, json: &j.json, text: &checked[i].report.text }),
        _ => None,
    });
    let mdf = parts_known.then(|| {
        checked
            .iter()
            .enumerate()
            .filter(|(_, c)| c.kind == PartKind::Mdf)
            .map(|(i, c)| MdfSide {
                target: i,
                path: &c.report.path,
                query: parts::mdf_query(&c.part_path).unwrap_or_default(),
                range: match &c.content {
                    Content::Json(j) => {
                        j.json.root.as_ref().map_or(0..0, |root| root.range.start..root.range.start + 1)
                    }
                    _ => 0..0,
                },
            })
            .collect()
    });
    let legacy = find(PartKind::LegacyContent).and_then(|i| match &checked[i].content {
        Content::Legacy(j, m) => Some((i, j, m)),
        _ => None,
    });
    let legacy_unit = legacy.map(|(i, j, m)| Unit {
        mashup: m.as_ref().map(|m| MashupSide {
            target: i,
            path: &checked[i].report.path,
            label: "the mashupDocument",
            mashup: &m.mashup,
            complete: m.complete,
        }),
        metadata: metadata::read(&j.json, Layout::LegacyContent).map(|view| MetadataSide {
            target: i,
            path: &checked[i].report.path,
            text: &checked[i].report.text,
            view,
            complete: j.complete,
        }),
        ..Unit::default()
    });
    let current = find(PartKind::Mashup).is_some() || find(PartKind::QueryMetadata).is_some();
    match legacy_unit {
        Some(mut legacy) if !current => {
            legacy.platform = platform;
            legacy.folder = folder;
            legacy.mdf = mdf;
            vec![legacy]
        }
        legacy => {
            let unit = Unit { mashup, metadata, platform, folder, mdf };
            std::iter::once(unit).chain(legacy).collect()
        }
    }
}
