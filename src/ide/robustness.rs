//! Every feature at every offset of awkward documents: none may panic, and ranges stay in the text.

use super::code_actions::code_actions;
use super::completion::completions;
use super::fixture::Fixture;
use super::folding::folding_ranges;
use super::hover::hover;
use super::json_parts;
use super::navigation::{document_highlights, find_references, goto_definition};
use super::rename::{prepare_rename, rename};
use super::selection::selection_ranges;
use super::semantic_tokens::semantic_tokens;
use super::signature_help::signature_help;
use super::symbols::document_symbols;
use super::{FileId, FilePosition};
use crate::json::schema::SchemaKind;

const DOCUMENTS: &[&str] = &[
    "",
    "section",
    "section S;\r\nshared #\"Größe € \"\"x\"\"\" = let\r\n  a = Table.AddColumn(b, \"c\", each [d",
    "let a = \"unterminated\nin a",
    "let #\"unterminated = 1 in a",
    "/* open comment\nsection S; shared A = 1;",
    "section S;\nshared A = [X = (1, {2, ] ) in ;;; shared B = A!C + @D + #date(;\n[DataDestinations = {[Definition = [QueryName = \"A",
    "section S;\nshared Q = let\n  // a \"comment\"\n  #\"Removed Columns\" = 1,\n  Sorted = Table.Sort(#\"Rem, {{\"Date\", Order.Ascending}})\nin\n  Sorted; /* open",
    "let\r\n  a = \"é\" & #\"b\r\nin\r\n  a & \"x\"\r\n",
    "let f = (x, optional y as text) as number => try x otherwise catch (e) => e, g = f(1, , 2) in g[[A], [B]]{0}?",
    "section S;\nshared Q = let\n    Source = #table(type table [A = text], {}),\n    Next = Table.SelectRows(Source, each _[A] = \"ä\" and [A] <> JoinKind.)\nin\n    Next;\n",
];

const METADATA: &str = "{\"formatVersion\": \"202502\", \"queryGroups\": [{\"id\": \"g\"}], \"queriesMetadata\": {\"A\": {\"queryId\": \"1\", \"queryName\": \"A\", \"queryGroupId\": \"g\"}, \"Q\": {\"queryName\": ";

/// Whether a completion's replace range holds the cursor and stays on its line.
fn on_the_cursors_line(text: &str, offset: usize, replace: &std::ops::Range<usize>) -> bool {
    replace.start <= offset && offset <= replace.end && !text[replace.clone()].contains(['\n', '\r'])
}

fn offsets(text: &str) -> Vec<usize> {
    (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect()
}

#[test]
fn no_feature_panics_anywhere() {
    for document in DOCUMENTS {
        let fixture =
            Fixture::parse(&format!("//- mashup.pq\n{document}\n//- queryMetadata.json\n{METADATA}"));
        let item = fixture.item();
        let file = fixture.file();
        let text = &fixture.mashup;
        let diagnostics = crate::syntax::parse(text).diagnostics;
        let in_text = |range: &std::ops::Range<usize>| range.start <= range.end && range.end <= text.len();
        for offset in offsets(text) {
            let position = FilePosition { file: FileId::Mashup, offset };
            for item in completions(file, offset) {
                assert!(in_text(&item.replace), "{document:?} at {offset}: {item:?}");
                assert!(
                    on_the_cursors_line(text, offset, &item.replace),
                    "{document:?} at {offset}: {item:?}"
                );
            }
            if let Some(h) = hover(&item, position) {
                assert!(in_text(&h.range));
            }
            let _ = signature_help(file, offset);
            let _ = goto_definition(&item, position);
            let _ = find_references(&item, position, true);
            let _ = document_highlights(&item, position);
            if prepare_rename(&item, position).is_ok() {
                let _ = rename(&item, position, "New name");
            }
            let _ = code_actions(&item, FileId::Mashup, offset..offset, &diagnostics);
            let local = super::analyze_around(text, &fixture.tree, offset);
            let local_file = super::MFile::new(text, &fixture.tree, &local.analysis);
            let _ = completions(local_file, offset);
        }
        let _ = document_symbols(file);
        let _ = folding_ranges(text, &fixture.tree);
        let _ = selection_ranges(text, &fixture.tree, &offsets(text));
        let tokens = semantic_tokens(text, &fixture.tree, Some(&fixture.analysis), None);
        assert!(tokens.windows(2).all(|w| w[0].range.end <= w[1].range.start));
        let json = fixture.json().unwrap();
        for offset in offsets(json.text) {
            let position = FilePosition { file: FileId::QueryMetadata, offset };
            for item in json_parts::completions(json, SchemaKind::QueryMetadata, &item, offset) {
                assert!(item.replace.end <= json.text.len());
            }
            let _ = hover(&item, position);
            let _ = goto_definition(&item, position);
            let _ = find_references(&item, position, true);
            if prepare_rename(&item, position).is_ok() {
                let _ = rename(&item, position, "Renamed");
            }
        }
    }
}
