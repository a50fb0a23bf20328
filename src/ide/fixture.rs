//! Test fixtures: an item's files written in one string, with `$0` marking the cursor.
//!
//! A fixture is M text, or several files each introduced by a line `//- mashup.pq` or
//! `//- queryMetadata.json`. Exactly one `$0` (or none, for features without a cursor) marks the position.

use super::{FileId, FilePosition, Item, JsonFile, MFile};
use crate::json::{self, Json};
use crate::semantics::{self, Analysis};

/// The parsed files of a fixture.
pub(crate) struct Fixture {
    pub(crate) mashup: String,
    pub(crate) tree: tree_sitter::Tree,
    pub(crate) analysis: Analysis,
    pub(crate) metadata: Option<(String, Json)>,
    pub(crate) position: FilePosition,
}

impl Fixture {
    pub(crate) fn parse(fixture: &str) -> Fixture {
        let mut mashup = String::new();
        let mut metadata = None;
        let mut position = None;
        let files: Vec<(FileId, String)> = if fixture.trim_start().starts_with("//- ") {
            let mut files = Vec::new();
            for chunk in fixture.trim_start().split("//- ").filter(|c| !c.is_empty()) {
                let (name, body) = chunk.split_once('\n').unwrap_or((chunk, ""));
                let file = match name.trim() {
                    "mashup.pq" => FileId::Mashup,
                    "queryMetadata.json" => FileId::QueryMetadata,
                    other => panic!("unknown fixture file {other}"),
                };
                files.push((file, body.to_string()));
            }
            files
        } else {
            vec![(FileId::Mashup, fixture.to_string())]
        };
        for (file, body) in files {
            let (body, offset) = match body.find("$0") {
                Some(at) => (body.replacen("$0", "", 1), Some(at)),
                None => (body, None),
            };
            if let Some(offset) = offset {
                assert!(position.is_none(), "one $0 per fixture");
                position = Some(FilePosition { file, offset });
            }
            match file {
                FileId::Mashup => mashup = body,
                FileId::QueryMetadata => {
                    let json = json::parse(&body);
                    metadata = Some((body, json));
                }
            }
        }
        let tree = crate::syntax::parse(&mashup).tree;
        let analysis = semantics::analyze(&tree, &mashup);
        Fixture {
            mashup,
            tree,
            analysis,
            metadata,
            position: position.unwrap_or(FilePosition { file: FileId::Mashup, offset: 0 }),
        }
    }

    pub(crate) fn file(&self) -> MFile<'_> {
        MFile::new(&self.mashup, &self.tree, &self.analysis)
    }

    pub(crate) fn json(&self) -> Option<JsonFile<'_>> {
        self.metadata.as_ref().map(|(text, json)| JsonFile::new(text, json))
    }

    pub(crate) fn item(&self) -> Item<'_> {
        Item { mashup: Some(self.file()), query_metadata: self.json() }
    }

    pub(crate) fn offset(&self) -> usize {
        self.position.offset
    }

    /// The text of a file.
    pub(crate) fn text(&self, file: FileId) -> &str {
        match file {
            FileId::Mashup => &self.mashup,
            FileId::QueryMetadata => self.metadata.as_ref().map_or("", |(text, _)| text),
        }
    }
}

/// A range shown for a test expectation: `file line:column 'text'` (1-based line and column).
pub(crate) fn show(fixture: &Fixture, file: FileId, range: std::ops::Range<usize>) -> String {
    let text = fixture.text(file);
    let index = crate::text::LineIndex::new(text);
    let at = index.line_column(text, range.start);
    let name = match file {
        FileId::Mashup => "pq",
        FileId::QueryMetadata => "json",
    };
    format!("{name} {}:{} {:?}", at.line, at.column, &text[range])
}

/// Compares an actual rendering with the expected one, ignoring blank lines and each line's indentation.
pub(crate) fn assert_rendered(actual: &str, expected: &str) {
    let expected: Vec<&str> = expected.trim().lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let actual_lines: Vec<&str> = actual.trim().lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    assert!(
        expected == actual_lines,
        "\n--- expected\n{}\n--- actual\n{}\n",
        expected.join("\n"),
        actual.trim()
    );
}

/// A multi-line expectation without its common indentation and surrounding blank lines.
pub(crate) fn dedent(text: &str) -> String {
    let lines: Vec<&str> = text.lines().skip_while(|l| l.trim().is_empty()).collect();
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let out: Vec<&str> = lines.iter().map(|l| l.get(indent..).unwrap_or("").trim_end()).collect();
    out.join("\n").trim_end().to_string()
}
