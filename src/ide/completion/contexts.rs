//! Completion in every lexical context: after line and block comments, inside text and quoted names that
//! are not closed yet, at the end of the file, in CRLF files and after non-ASCII text. The rule checked
//! everywhere: an item's replace range holds the cursor, stays on the cursor's line and covers only the
//! name being completed.

use super::*;
use crate::ide::fixture::Fixture;

/// The items at the fixture's cursor, after checking the replace rule on every one of them.
fn items(fixture: &str) -> (Fixture, Vec<CompletionItem>) {
    let fixture = Fixture::parse(fixture);
    let items = completions(fixture.file(), fixture.offset());
    let text = &fixture.mashup;
    let offset = fixture.offset();
    for item in &items {
        let replace = &item.replace;
        assert!(replace.start <= offset && offset <= replace.end, "{text:?} at {offset}: {item:?}");
        assert!(
            !text[replace.clone()].contains(['\n', '\r']),
            "{text:?} at {offset}: the range of {} crosses a line: {:?}",
            item.label,
            &text[replace.clone()]
        );
    }
    (fixture, items)
}

/// The item with this label, and the text it replaces.
fn replaced(fixture: &str, label: &str) -> (String, CompletionItem) {
    let (fixture, items) = items(fixture);
    let item = items
        .iter()
        .find(|i| i.label == label)
        .unwrap_or_else(|| {
            panic!("no item {label}: {:?}", items.iter().map(|i| &i.label).collect::<Vec<_>>())
        })
        .clone();
    (fixture.mashup[item.replace.clone()].to_string(), item)
}

fn labels(fixture: &str) -> Vec<String> {
    items(fixture).1.into_iter().map(|i| i.label).collect()
}

#[test]
fn a_line_comment_earlier_in_the_query_changes_nothing_after_it() {
    let (word, _) = replaced("let\n  // the source\n  Source = 1,\n  b = Sou$0\nin\n  b", "Source");
    assert_eq!(word, "Sou");
    let (word, _) = replaced(
        "section S;\n// The raw orders.\nshared Raw = 1;\nshared Q = let // steps\n  a = 1, // one\n  b = R$0\nin b;",
        "Raw",
    );
    assert_eq!(word, "R");
    // A comment that ends the line before the cursor, with a quote in it.
    let (word, _) = replaced("let\n  a = 1, // don't \"quote\n  b = a$0\nin b", "a");
    assert_eq!(word, "a");
    // The cursor inside the comment, at its end, and right after it on the next line.
    assert!(labels("let a = 1 // x$0\nin a").is_empty());
    assert!(labels("let a = 1 // x $0").is_empty());
    assert!(labels("let a = 1,\n  // x\n$0").is_empty(), "a new step's name is written here");
    assert!(labels("let a = 1 in // x\n  $0").contains(&"a".to_string()));
}

#[test]
fn block_comments_closed_and_unclosed() {
    let (word, _) = replaced("let /* first */ a = 1, b = /* the value */ a$0 in b", "a");
    assert_eq!(word, "a");
    let (word, _) = replaced("let\n  /* several\n     lines */\n  a = 1,\n  b = a$0\nin b", "a");
    assert_eq!(word, "a");
    assert!(labels("let a = 1, b = /* x $0 */ 1 in b").is_empty());
    assert!(labels("let a = 1, b = /* x $0").is_empty());
    assert!(labels("let a = 1, b = /* x \n in $0").is_empty(), "an unclosed comment runs to the end");
    assert!(labels("let a = 1, b = /* x */$0").contains(&"a".to_string()));
}

#[test]
fn text_closed_and_unclosed() {
    assert!(labels("let a = 1, b = \"abc$0").is_empty(), "no names inside text");
    assert!(labels("let a = 1, b = \"abc$0\nin b").is_empty(), "a text may run over lines");
    let (word, _) = replaced("let a = \"x\", b = \"a \"\"quoted\"\" text\" & a$0 in b", "a");
    assert_eq!(word, "a");
    let (word, _) = replaced("let a = #!\"verbatim\", b = a$0 in b", "a");
    assert_eq!(word, "a");
}

#[test]
fn a_column_name_in_a_text_not_yet_closed() {
    let document = "let\n  Source = #table({\"Amount\", \"Region\"}, {}),\n  S = Table.SelectColumns(Source, {\"Am$0, \"Region\"})\nin\n  S";
    let (word, item) = replaced(document, "Amount");
    assert_eq!(word, "Am", "the quote of the next text is not this one's end");
    assert_eq!(item.insert_text, "Amount");
    let (word, _) = replaced(&document.replace("$0, \"Region\"})", "$0\nin"), "Amount");
    assert_eq!(word, "Am");
    let (word, _) = replaced(&document.replace("\"Am$0,", "\"Am$0ount\","), "Amount");
    assert_eq!(word, "Amount", "a closed text is replaced whole");
}

#[test]
fn an_unclosed_quoted_name_is_replaced_up_to_the_cursor_on_its_line() {
    // The reported case: the quote runs to the next `"` lines later; accepting must not delete `in`.
    let document = "section S;\nshared Q = let\n  Source = 1,\n  #\"Removed Columns\" = Source,\n  Sorted = Table.Sort(#\"Rem$0\nin\n  Sorted;\nshared R = \"x\";\n";
    let (word, item) = replaced(document, "Removed Columns");
    assert_eq!(word, "#\"Rem");
    assert_eq!(item.insert_text, "#\"Removed Columns\"");
    // The rest of the line holds a closing parenthesis, or quotes of its own.
    let (word, _) = replaced(&document.replace("#\"Rem$0\n", "#\"Rem$0)\n"), "Removed Columns");
    assert_eq!(word, "#\"Rem");
    let (word, _) = replaced(
        &document.replace("#\"Rem$0\n", "#\"Rem$0, {{\"Date\", Order.Ascending}})\n"),
        "Removed Columns",
    );
    assert_eq!(word, "#\"Rem");
    // A name closed on its line is replaced whole.
    let (word, _) = replaced(&document.replace("#\"Rem$0\n", "#\"Rem$0oved Columns\")\n"), "Removed Columns");
    assert_eq!(word, "#\"Removed Columns\"");
}

#[test]
fn right_after_the_opening_of_a_quoted_name() {
    let (word, item) = replaced("let #\"a b\" = 1, c = #\"$0", "a b");
    assert_eq!(word, "#\"");
    assert_eq!(item.insert_text, "#\"a b\"");
    let (word, _) = replaced("let #\"a b\" = 1, c = #\"$0\nin\n  c & \"x\"", "a b");
    assert_eq!(word, "#\"");
}

#[test]
fn at_the_end_of_the_file() {
    let (word, _) = replaced("section S;\nshared A = 1;\nshared B = A$0", "A");
    assert_eq!(word, "A");
    let (word, _) = replaced("section S;\nshared A = 1;\nshared B = \n$0", "A");
    assert_eq!(word, "");
    let (word, _) = replaced("let a = 1 in\n  a$0", "a");
    assert_eq!(word, "a");
    let (word, _) = replaced("let a = 1 in\n  $0", "a");
    assert_eq!(word, "");
    assert!(labels("let a = 1 in\n  a\n$0").contains(&"and".to_string()), "after an expression");
    assert!(labels("section S;\nshared A = 1;\n$0").contains(&"shared".to_string()));
}

#[test]
fn inside_each_brackets_and_field_access() {
    let document = "section S;\nshared Q = let\n  Source = #table({\"Amount\", \"Region\"}, {}),\n  X = Table.AddColumn(Source, \"C\", each [$0\nin\n  X;\n";
    let (word, _) = replaced(document, "Amount");
    assert_eq!(word, "");
    let (word, _) = replaced(&document.replace("[$0", "[Am$0"), "Amount");
    assert_eq!(word, "Am");
    let (word, _) = replaced("let r = [Name = \"x\", Size = 2], n = r[Na$0\nin\n  n", "Name");
    assert_eq!(word, "Na");
    let (word, _) = replaced("let r = [Name = \"x\", Size = 2], n = r[$0\nin\n  n", "Size");
    assert_eq!(word, "");
}

#[test]
fn crlf_files() {
    let document = "section S;\r\nshared Q = let\r\n  #\"Größe €\" = 1,\r\n  b = #\"Gr$0\r\nin\r\n  b;\r\nshared R = \"x\";\r\n";
    let (word, _) = replaced(document, "Größe €");
    assert_eq!(word, "#\"Gr");
    let (word, _) = replaced("let\r\n  // c\r\n  a = 1,\r\n  b = a$0\r\nin\r\n  b", "a");
    assert_eq!(word, "a");
}

#[test]
fn non_ascii_text_before_the_cursor() {
    let (word, _) = replaced("let Größe = \"é€😀\", /* ü */ b = Grö$0 in b", "Größe");
    assert_eq!(word, "Grö");
    let (word, _) = replaced("let Größe = \"é€😀\" & Größe, b = G$0 in b", "Größe");
    assert_eq!(word, "G");
}

/// A section document of `lines` lines of small queries.
fn large_document(lines: usize) -> String {
    let mut text = String::from("section Section1;\n");
    let mut n = 0;
    while text.lines().count() < lines {
        text.push_str(&format!(
            "shared #\"Orders {n}\" = let\n    Source = #table({{\"OrderDate\", \"Amount\"}}, {{}}),\n    Navigation = Table.Buffer(Source),\n    #\"Removed Columns\" = Table.RemoveColumns(Navigation, {{\"Customer\"}}),\n    Result = #\"Removed Columns\"\nin\n    Result;\n"
        ));
        n += 1;
    }
    text
}

#[test]
fn a_text_left_open_in_a_large_document_costs_only_what_is_near_the_cursor() {
    use crate::ide::context::{Context, SCAN_AHEAD};
    use crate::ide::local::BROKEN_WINDOW;
    let text = large_document(2_500);
    let middle = text.len() / 2;
    let step = middle + text[middle..].find("    Navigation = ").unwrap();
    // A text being typed in the middle (the rest of the file reads as text and code swapped), and one
    // left open at the start of the document.
    let typed = {
        let mut edited = text.clone();
        edited.insert_str(step, "    Typed = \"some text being typed\n");
        (edited, step + "    Typed = \"some text being".len())
    };
    let at_start = {
        let mut edited = text.clone();
        edited.insert_str("section Section1;\n".len(), "shared Open = \"abc;\n");
        let offset = step + "shared Open = \"abc;\n".len() + "    Navigation = Table.Buf".len();
        (edited, offset)
    };
    for (text, offset) in [typed, at_start] {
        assert!(text.len() - offset > 2 * SCAN_AHEAD, "the document is long enough to tell");
        let tree = crate::syntax::parse(&text).tree;
        let context = Context::at(&tree, &text, offset);
        assert!(context.read.end <= offset + SCAN_AHEAD + 100, "read {:?} of {}", context.read, text.len());
        let local = crate::ide::analyze_around(&text, &tree, offset);
        let analysed: usize = local.ranges.iter().map(|r| r.len()).sum();
        assert!(analysed <= 2 * BROKEN_WINDOW + 100, "analysed {:?}", local.ranges);
        let items = completions(MFile::new(&text, &tree, &local.analysis), offset);
        let _ = items;
    }
}
