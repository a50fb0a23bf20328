use super::*;
use crate::ide::fixture::{assert_rendered, Fixture};

/// Renders the items at the fixture's cursor, one a line: kind, label, what is inserted when it is not the
/// label, and the snippet. Library entries are shown only when there are few of them.
fn check(fixture: &str, expect: &str) {
    let fixture = Fixture::parse(fixture);
    let items = completions(fixture.file(), fixture.offset());
    let is_library = |item: &CompletionItem| item.sort_text[..2] >= *"04";
    let library = items.iter().filter(|i| is_library(i)).count();
    let mut lines = Vec::new();
    for item in &items {
        if library > 12 && is_library(item) {
            continue;
        }
        let mut line = format!("{:?} {}", item.kind, item.label);
        if item.insert_text != item.label {
            line.push_str(&format!(" -> {:?}", item.insert_text));
        }
        if let Some(snippet) = &item.snippet {
            line.push_str(&format!(" ~> {snippet:?}"));
        }
        lines.push(line);
    }
    if library > 12 {
        lines.push("+ library".to_string());
    }
    assert_rendered(&lines.join("\n"), expect);
}

/// The item with this label at the fixture's cursor.
fn item_at(fixture: &str, label: &str) -> (Fixture, CompletionItem) {
    let fixture = Fixture::parse(fixture);
    let items = completions(fixture.file(), fixture.offset());
    let item = items
        .iter()
        .find(|i| i.label == label)
        .unwrap_or_else(|| panic!("no item {label}: {items:#?}"))
        .clone();
    (fixture, item)
}

const KEYWORDS: &str = r#"
    Snippet (x) => -> "(x) => " ~> "(${1:x}) => $0"
    Snippet each -> "each " ~> "each $0"
    Snippet error -> "error " ~> "error \"${1:message}\""
    Keyword false
    Snippet if ~> "if ${1:condition} then ${2:value} else ${3:alternative}"
    Snippet let ~> "let\n    ${1:Source} = $0\nin\n    ${1:Source}"
    Keyword not -> "not "
    Keyword null
    Keyword true
    Snippet try ~> "try ${1:expression} otherwise ${2:null}"
    Keyword type -> "type "
    Snippet type table -> "type table []" ~> "type table [${1:Column} = ${2:text}]"
    + library
"#;

#[test]
fn locals_queries_keywords_and_the_library() {
    check(
        r#"section Section1;
shared #"Raw Orders" = 1;
shared Q = let
    Source = #"Raw Orders",
    #"Changed type" = Source
in
    $0"#,
        &format!(
            r##"
            Variable Source
            Variable Changed type -> "#\"Changed type\""
            Query Q
            Query Raw Orders -> "#\"Raw Orders\""
            {KEYWORDS}"##
        ),
    );
}

#[test]
fn a_binding_does_not_see_itself_and_parameters_come_first() {
    check(
        "let a = 1, f = (x, optional y) => $0, b = 2 in b",
        &format!(
            r#"
            Parameter x
            Parameter y
            Variable a
            Variable b
            {KEYWORDS}"#
        ),
    );
}

#[test]
fn typed_words_narrow_and_quoted_names_stay_quoted() {
    check(
        "section S;\nshared #\"Sales Orders\" = 1;\nshared Q = Sal$0",
        r##"
        Query Sales Orders -> "#\"Sales Orders\""
        + library
        "##,
    );
    let (fixture, item) =
        item_at("section S;\nshared #\"Sales Orders\" = 1;\nshared Q = #\"Sa$0", "Sales Orders");
    assert_eq!(
        &fixture.mashup[item.replace.clone()],
        "#\"Sa",
        "an unterminated name is replaced up to the cursor"
    );
    assert_eq!(item.filter_text.as_deref(), Some("#\"Sales Orders\""));
    assert_eq!(item.insert_text, "#\"Sales Orders\"");
    let (fixture, item) =
        item_at("section S;\nshared #\"Sales Orders\" = 1;\nshared Q = #\"Sa$0les Orders\";", "Sales Orders");
    assert_eq!(&fixture.mashup[item.replace], "#\"Sales Orders\"");
}

#[test]
fn library_functions_with_signatures_snippets_and_links() {
    let (fixture, add) = item_at("let Source = 1 in Table.AddCol$0", "Table.AddColumn");
    assert_eq!(&fixture.mashup[add.replace.clone()], "Table.AddCol");
    assert_eq!(add.kind, CompletionKind::Function);
    assert_eq!(
        add.detail.as_deref(),
        Some("Table.AddColumn(table as table, newColumnName as text, columnGenerator as function, optional columnType as nullable type) as table")
    );
    assert_eq!(
        add.snippet.as_deref(),
        Some("Table.AddColumn(${1:table}, ${2:newColumnName}, ${3:columnGenerator})$0")
    );
    assert!(add.trigger_signature_help);
    assert!(add
        .documentation
        .as_deref()
        .unwrap()
        .contains("https://learn.microsoft.com/powerquery-m/table-addcolumn"));
    // Editing the name of a call keeps its parentheses.
    let (_, add) = item_at("let Source = 1 in Table.AddCol$0(Source)", "Table.AddColumn");
    assert_eq!(add.snippet, None);
    check(
        "let x = Table.AddIndexColumn$0",
        r#"
        Function Table.AddIndexColumn ~> "Table.AddIndexColumn(${1:table}, ${2:newColumnName})$0"
        "#,
    );
}

#[test]
fn enum_members_after_the_enum_and_where_a_parameter_takes_them() {
    check(
        "let j = JoinKind.$0",
        r#"
        EnumMember JoinKind.FullOuter
        EnumMember JoinKind.Inner
        EnumMember JoinKind.LeftAnti
        EnumMember JoinKind.LeftOuter
        EnumMember JoinKind.LeftSemi
        EnumMember JoinKind.RightAnti
        EnumMember JoinKind.RightOuter
        EnumMember JoinKind.RightSemi
        Enum JoinKind.Type
        "#,
    );
    let fixture = Fixture::parse("let t = Table.NestedJoin(a, {\"k\"}, b, {\"k\"}, \"New\", $0");
    let items = completions(fixture.file(), fixture.offset());
    let first: Vec<&str> = items.iter().take(3).map(|i| i.label.as_str()).collect();
    assert_eq!(first, ["JoinKind.FullOuter", "JoinKind.Inner", "JoinKind.LeftAnti"]);
    assert!(items[0].detail.as_deref().unwrap().contains("`joinKind` of Table.NestedJoin"));
}

#[test]
fn options_records_of_library_functions() {
    check(
        "section S;\nshared D = let\n  Source = Lakehouse.Contents([$0\nin\n  Source;",
        r#"
        Field CreateNavigationProperties -> "CreateNavigationProperties = " ~> "CreateNavigationProperties = $0"
        Field EnableFolding -> "EnableFolding = " ~> "EnableFolding = $0"
        "#,
    );
    check(
        "let t = Table.FuzzyJoin(a, {\"k\"}, b, {\"k\"}, JoinKind.Inner, [IgnoreCase = true, Th$0]) in t",
        r#"
        Field Threshold -> "Threshold = " ~> "Threshold = $0"
        "#,
    );
}

#[test]
fn columns_inside_each_and_field_access() {
    let document = r#"section Section1;
shared Orders = let
    Source = #table({"Order Id", "Amount", "Sales %"}, {}),
    Typed = Table.TransformColumnTypes(Source, {{"Amount", type number}}),
    Renamed = Table.RenameColumns(Typed, {{"Order Id", "Id"}}),
    Added = Table.AddColumn(Renamed, "Tax", each [$0
in
    Added;
"#;
    check(
        document,
        r##"
        Field Id
        Field Amount
        Field Sales % -> "#\"Sales %\""
        "##,
    );
    // A field name with spaces is typed as words; the whole of it is replaced.
    let (fixture, item) = item_at(&document.replace("each [$0", "each [Sales $0"), "Sales %");
    assert_eq!(&fixture.mashup[item.replace], "Sales ");
    check(
        "let r = [Name = \"x\", Size = 2], n = r[S$0",
        r#"
        Field Size
        "#,
    );
    check(
        "section S;\nshared T = #table(type table [A = text, #\"B c\" = number], {});\nshared U = Table.SelectRows(T, each _[$0",
        r#"
        Field A
        Field B c
        "#,
    );
}

#[test]
fn columns_inside_texts_of_column_lists() {
    check(
        "let Source = #table({\"A\", \"B\"}, {}), S = Table.SelectColumns(Source, {\"A\", \"$0\"}) in S",
        r#"
        Value A
        Value B
        "#,
    );
    let (fixture, item) =
        item_at("let Source = #table({\"A\", \"B\"}, {}), S = Table.RemoveColumns(Source, \"$0", "B");
    assert_eq!(item.replace, fixture.offset()..fixture.offset());
    // Not in a text that names no columns.
    check("let Source = Text.Upper(\"$0\") in Source", "");
}

#[test]
fn keywords_after_an_expression() {
    check(
        "let a = if x > 1 $0",
        r#"
        Keyword and -> "and "
        Keyword as -> "as "
        Keyword is -> "is "
        Keyword meta -> "meta "
        Keyword or -> "or "
        Keyword then
        "#,
    );
    check(
        "let a = try x $0",
        r#"
        Keyword and -> "and "
        Keyword as -> "as "
        Snippet catch ~> "catch (${1:e}) => $0"
        Keyword in
        Keyword is -> "is "
        Keyword meta -> "meta "
        Keyword or -> "or "
        Keyword otherwise
        "#,
    );
    check(
        "let a = 1 i$0",
        r#"
        Keyword in
        Keyword is -> "is "
        "#,
    );
}

#[test]
fn nothing_where_a_new_name_is_written() {
    check("let a = 1,\n  $0", "");
    check("let a = [X = 1, $0", "");
    check("section S;\nshared A = 1;\nshared $0", "");
    check("section S;\nshared A = 1;\n$0", r#"Keyword shared -> "shared ""#);
    check("section $0", "");
    check("let a = 1 // a comment $0\nin a", "");
    check("let a = \"some text $0\" in a", "");
}

#[test]
fn types() {
    let fixture = Fixture::parse("let a = (x as $0) => x in a");
    let items = completions(fixture.file(), fixture.offset());
    let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
    assert!(labels.starts_with(&["any", "anynonnull", "binary"]), "{labels:?}");
    assert!(labels.contains(&"nullable") && labels.contains(&"Int64.Type"), "{labels:?}");
    assert!(!labels.contains(&"Table.AddColumn"));
}

#[test]
fn broken_code_still_completes() {
    // The let around the cursor is an ERROR in the tree; the tokens still tell its steps and the call.
    let document = "section S;\nshared Q = let\n  Source = #table({\"A\", \"B\"}, {}),\n  X = Table.AddColumn(Source, \"C\", each [$0\nin\n  X;\nshared R = 1;\n";
    check(
        document,
        r#"
        Field A
        Field B
        "#,
    );
    let fixture = Fixture::parse(
        "section S;\nshared Q = let\n  Source = 1,\n  X = Table.AddColumn(So$0\nin\n  X;\nshared R = 1;\n",
    );
    let items = completions(fixture.file(), fixture.offset());
    assert_eq!(items[0].label, "Source", "{items:#?}");
}

#[test]
fn crlf_and_non_ascii_text() {
    let (fixture, item) = item_at("let\r\n  Größe = 1,\r\n  b = Grö$0\r\nin\r\n  b", "Größe");
    assert_eq!(&fixture.mashup[item.replace], "Grö");
    check(
        "let\r\n  #\"Größe €\" = 1,\r\n  b = #\"Gr$0\r\nin\r\n  b",
        r##"
        Variable Größe € -> "#\"Größe €\""
        "##,
    );
}

#[test]
fn section_access_and_an_empty_document() {
    check(
        "section Section1;\nshared A = 1;\nshared B = Section1!$0",
        r#"
        Query A
        Query B
        "#,
    );
    let fixture = Fixture::parse("$0");
    let items = completions(fixture.file(), fixture.offset());
    assert!(items.iter().any(|i| i.label == "section"), "{items:#?}");
    assert!(items.iter().any(|i| i.label == "let"));
}
