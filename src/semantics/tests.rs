//! Unit tests of resolution (each scoping rule), the queries, and deep nesting.

use super::*;
use crate::syntax;

fn analysis(text: &str) -> Analysis {
    let parse = syntax::parse(text);
    analyze(&parse.tree, text)
}

/// The offset of the `n`th (0-based) occurrence of `needle`; a `|` in the needle marks the offset inside
/// it (`"@|f"` is the `f` after an `@`).
fn at(text: &str, needle: &str, n: usize) -> usize {
    let marker = needle.find('|').unwrap_or(0);
    let needle = needle.replace('|', "");
    let found =
        text.match_indices(&needle).nth(n).unwrap_or_else(|| panic!("`{needle}` #{n} is not in {text:?}"));
    found.0 + marker
}

/// What the reference at the `n`th occurrence of `needle` resolves to, as `"def@offset"`, `"lib:Name"`
/// or `"unresolved"`.
fn resolved(a: &Analysis, text: &str, needle: &str, n: usize) -> String {
    let offset = at(text, needle, n);
    let reference = a.reference_at(offset).unwrap_or_else(|| panic!("no reference at `{needle}` #{n}"));
    assert_eq!(reference.range.start, offset, "the reference at `{needle}` #{n} starts there");
    match reference.resolution {
        Resolution::Definition(def) => format!("def@{}", a.definition(def).name_range.start),
        Resolution::Library(entry) => format!("lib:{}", entry.name),
        Resolution::Unresolved => "unresolved".to_string(),
    }
}

/// `"def@offset"` for the definition named at the `n`th occurrence of `needle`.
fn def(text: &str, needle: &str, n: usize) -> String {
    format!("def@{}", at(text, needle, n))
}

fn codes(a: &Analysis) -> Vec<&'static str> {
    a.diagnostics().iter().map(|d| d.code.id).collect()
}

#[test]
fn section_members_are_mutually_recursive_and_see_themselves() {
    let text = "section S;\nshared A = B + 1;\nB = A;\nshared F = (n) => if n = 0 then 0 else F(n - 1);";
    let a = analysis(text);
    assert_eq!(resolved(&a, text, "B", 0), def(text, "B", 1));
    assert_eq!(resolved(&a, text, "A", 1), def(text, "A", 0));
    assert_eq!(resolved(&a, text, "F", 1), def(text, "F", 0));
    assert!(a.diagnostics().is_empty(), "{:?}", a.diagnostics());
    let DefinitionKind::SectionMember { shared, attributes, section } = &a.definition(DefId(1)).kind else {
        panic!("{:?}", a.definition(DefId(1)))
    };
    assert!(*shared && attributes.is_none());
    assert_eq!(a.name_of(section.unwrap()), "S");
}

#[test]
fn member_attributes_and_shared_flags() {
    let text = "[Version = 1] section S;\n[ItemType = \"MDF\"]\nshared #\"MDF transform\" = 1;\nPrivate = 2;";
    let a = analysis(text);
    let members: Vec<(&str, bool, Option<&str>)> = a
        .definitions()
        .iter()
        .filter_map(|d| match &d.kind {
            DefinitionKind::SectionMember { shared, attributes, .. } => {
                Some((a.name(d.name), *shared, attributes.clone().map(|r| &text[r])))
            }
            _ => None,
        })
        .collect();
    assert_eq!(members, [("MDF transform", true, Some("[ItemType = \"MDF\"]")), ("Private", false, None)]);
}

#[test]
fn let_bindings_are_mutually_recursive_and_visible_in_the_body() {
    let text = "let a = b + 1, b = 2, c = a in c";
    let a = analysis(text);
    assert_eq!(resolved(&a, text, "b", 0), def(text, "b", 1));
    assert_eq!(resolved(&a, text, "a", 1), def(text, "a", 0));
    assert_eq!(resolved(&a, text, "c", 1), def(text, "c", 0));
    assert!(a.diagnostics().is_empty(), "{:?}", a.diagnostics());
}

#[test]
fn record_fields_see_their_siblings() {
    let text = "let Width = 1 in [Height = Width * 2, Width = 10, Area = Height * Width]";
    let a = analysis(text);
    // `Width` in Height's value is the sibling field, not the let binding.
    assert_eq!(resolved(&a, text, "Width", 1), def(text, "Width", 2));
    assert_eq!(resolved(&a, text, "Height", 1), def(text, "Height", 0));
    // The let binding is then unused.
    assert_eq!(codes(&a), ["M204"]);
}

#[test]
fn a_name_in_its_own_value_is_the_outer_one_unless_inclusive() {
    let text = "let x = 1, y = let x = x + 1, f = (n) => if n = 0 then x else @f(n - 1) + f(0) in f(x) in y";
    let a = analysis(text);
    // The inner `x = x + 1`: its value's `x` is the outer binding.
    assert_eq!(resolved(&a, text, "x + 1", 0), def(text, "x = 1", 0));
    // Inside `f`'s value, `x` is the inner `x`, `@f` is `f` itself, and plain `f` is outer: none.
    assert_eq!(resolved(&a, text, "then |x", 0), def(text, "x = x", 0));
    assert_eq!(resolved(&a, text, "f(|x)", 0), def(text, "x = x", 0));
    assert_eq!(resolved(&a, text, "@|f", 0), def(text, "f = (", 0));
    assert_eq!(resolved(&a, text, "f(0)", 0), "unresolved");
    // In the body, `f` is the inner one.
    assert_eq!(resolved(&a, text, "f(x)", 0), def(text, "f = (", 0));
    // The same for record fields, and a plain self-reference with no outer name is unknown.
    let text = "[a = 1, b = [a = a, c = @c, d = d]]";
    let a = analysis(text);
    assert_eq!(resolved(&a, text, "a = |a", 0), def(text, "a", 0));
    assert_eq!(resolved(&a, text, "@|c", 0), def(text, "c", 0));
    assert_eq!(resolved(&a, text, "d = |d", 0), "unresolved");
    assert_eq!(codes(&a), ["M201"]);
}

#[test]
fn quoted_and_bare_names_are_one_name() {
    let text =
        "let #\"Step one\" = 1, step = #\"Step one\" + #\"step\", #\"a\"\"b\" = 2, #\"x#(0041)\" = xA in a";
    let a = analysis(text);
    assert_eq!(resolved(&a, text, "#\"Step one\"", 1), def(text, "#\"Step one\"", 0));
    assert_eq!(resolved(&a, text, "#\"step\"", 0), "unresolved", "inside its own value");
    assert_eq!(resolved(&a, text, "xA", 0), "unresolved", "inside its own value");
    assert!(a.find_name("a\"b").is_some());
    assert!(a.find_name("xA").is_some());
    let text = "let #\"xA\" = 1, y = #\"x#(0041)\" + xA in y";
    let a = analysis(text);
    assert_eq!(resolved(&a, text, "#\"x#(0041)\"", 0), def(text, "#\"xA\"", 0));
    assert_eq!(resolved(&a, text, "xA ", 0), def(text, "#\"xA\"", 0));
}

#[test]
fn local_names_shadow_the_library() {
    let text = "section S;\nshared Table.ToNavigationTable = (t) => t;\nshared A = let Text.Upper = (a, b) => a in Text.Upper(1, 2) & Text.Lower(\"X\") & Table.ToNavigationTable(1);";
    let a = analysis(text);
    assert_eq!(resolved(&a, text, "Text.Upper", 1), def(text, "Text.Upper", 0));
    assert_eq!(resolved(&a, text, "Text.Lower", 0), "lib:Text.Lower");
    assert_eq!(resolved(&a, text, "Table.ToNavigationTable", 1), def(text, "Table.ToNavigationTable", 0));
    // No M202 for the shadowed `Text.Upper(1, 2)` nor for the local `Table.ToNavigationTable(1)`.
    assert!(a.diagnostics().is_empty(), "{:?}", a.diagnostics());
    let invocation = &a.invocations()[0];
    assert_eq!(&text[invocation.function_range.clone()], "Text.Upper");
    assert!(matches!(invocation.callee, Some(Resolution::Definition(_))));
}

#[test]
fn each_binds_underscore_and_catch_and_functions_bind_their_parameters() {
    let text = "each List.Transform(_, each _ + x) & (try 1 catch (e) => e) & ((x) => x)(1) & _";
    let a = analysis(text);
    let each = at(text, "each", 0);
    let inner_each = at(text, "each", 1);
    assert_eq!(resolved(&a, text, "_", 0), format!("def@{each}"));
    assert_eq!(resolved(&a, text, "_", 1), format!("def@{inner_each}"));
    assert_eq!(resolved(&a, text, "_", 2), format!("def@{each}"));
    assert_eq!(resolved(&a, text, "x", 0), "unresolved");
    assert_eq!(resolved(&a, text, "=> |e", 0), def(text, "(|e)", 0));
    assert_eq!(resolved(&a, text, "=> |x", 0), def(text, "(|x)", 0));
    let kinds: Vec<&DefinitionKind> = a.definitions().iter().map(|d| &d.kind).collect();
    assert_eq!(
        kinds,
        [
            &DefinitionKind::EachParameter,
            &DefinitionKind::EachParameter,
            &DefinitionKind::CatchParameter,
            &DefinitionKind::Parameter { optional: false }
        ]
    );
    assert_eq!(a.definition(DefId(0)).name_range, each..each + 4);
    // Outside any `each`, `_` is unknown.
    assert_eq!(codes(&analysis("List.Transform({1}, (x) => _)")), ["M201"]);
}

#[test]
fn field_names_are_not_references() {
    let text = "let r = [A = 1, #\"B c\" = 2] in {r[A], r[#\"B c\"]?, r[[A]], each [A] + [[A]][A], type [A = text, optional #\"Z\" = number], type function (A as number, optional q as text) as table}";
    let a = analysis(text);
    let names: Vec<&str> = a.references().iter().map(|r| a.name(r.name)).collect();
    assert_eq!(names, ["r", "r", "r"]);
    assert!(a.diagnostics().is_empty(), "{:?}", a.diagnostics());
}

#[test]
fn names_in_types_are_references() {
    let text = "let _t = type text, Row = type [A = _t, B = {Int64.Type}, C = nullable Currency.Type], T = type table Row, F = type function (x as _t) as Row in {T, F}";
    let a = analysis(text);
    assert_eq!(resolved(&a, text, "_t", 1), def(text, "_t", 0));
    assert_eq!(resolved(&a, text, "Int64.Type", 0), "lib:Int64.Type");
    assert_eq!(resolved(&a, text, "Currency.Type", 0), "lib:Currency.Type");
    assert_eq!(resolved(&a, text, "Row", 1), def(text, "Row", 0));
    assert_eq!(resolved(&a, text, "_t", 2), def(text, "_t", 0));
    assert_eq!(resolved(&a, text, "Row", 2), def(text, "Row", 0));
    assert!(a.diagnostics().is_empty(), "{:?}", a.diagnostics());
}

#[test]
fn section_access_and_several_sections() {
    let text = "section A;\nshared X = 1;\nP = 2;\nsection B;\nY = X + A!P + A!X + P;\nshared P2 = B!Y;";
    let a = analysis(text);
    assert_eq!(resolved(&a, text, "X", 1), def(text, "X", 0), "shared members are visible unqualified");
    assert_eq!(resolved(&a, text, "A", 1), def(text, "A", 0), "the section name resolves to the section");
    assert_eq!(resolved(&a, text, "P", 1), def(text, "P", 0));
    assert_eq!(resolved(&a, text, "X", 2), def(text, "X", 0));
    assert_eq!(resolved(&a, text, "|P;", 0), "unresolved", "a member that is not shared needs A!P");
    assert_eq!(resolved(&a, text, "Y", 1), def(text, "Y", 0));
    assert_eq!(
        a.references().iter().filter(|r| r.kind == ReferenceKind::SectionName).count(),
        3,
        "{:?}",
        a.references()
    );
    assert_eq!(codes(&a), ["M201"]);
}

#[test]
fn duplicates_keep_the_first_definition() {
    let text = "let a = 1, #\"a\" = 2 in a";
    let a = analysis(text);
    assert_eq!(resolved(&a, text, "a", 2), def(text, "a", 0));
    let duplicate = &a.diagnostics()[0];
    assert_eq!(duplicate.code.id, "M203");
    assert_eq!(duplicate.range, at(text, "#\"a\"", 0)..at(text, "#\"a\"", 0) + 4);
    assert_eq!(duplicate.related[0].range, 4..5);
    assert_eq!(a.diagnostics().len(), 1, "{:?}", a.diagnostics());
}

#[test]
fn unused_bindings_count_the_body_and_other_bindings() {
    let text = "let a = 1, b = a, c = 2, f = (n) => @f(n), g = (n) => g in b";
    let a = analysis(text);
    let unused: Vec<&str> =
        a.diagnostics().iter().filter(|d| d.code.id == "M204").map(|d| &text[d.range.clone()]).collect();
    assert_eq!(unused, ["c", "f", "g"]);
    assert!(is_unnecessary(codes::M204) && !is_unnecessary(codes::M201));
    // `g`'s `g` is the outer scope's: unknown.
    assert_eq!(codes(&a), ["M204", "M204", "M204", "M201"]);
    // The fix removes the binding and its comma.
    let fix = a.diagnostics()[0].fixes.first().unwrap();
    let mut fixed = text.to_string();
    fixed.replace_range(fix.edits[0].range.clone(), &fix.edits[0].new_text);
    assert_eq!(fixed, "let a = 1, b = a, f = (n) => @f(n), g = (n) => g in b");
    // No hint for a let broken by a syntax error.
    assert!(codes(&analysis("let a = 1, b = 2 in")).iter().all(|c| *c != "M204"));
}

#[test]
fn unknown_names_inside_syntax_errors_are_not_reported() {
    // The parser recovers by skipping `unknown1 unknown2`: they are not expressions of the program.
    let text = "let a = 1 unknown1 unknown2, b = Text.From(unknown3 a) in a + b";
    let parse = syntax::parse(text);
    assert!(!parse.diagnostics.is_empty());
    let a = analyze(&parse.tree, text);
    assert_eq!(a.references().iter().filter(|r| r.in_error).count(), 4, "{:?}", a.references());
    assert!(a.diagnostics().is_empty(), "{:?}", a.diagnostics());
}

#[test]
fn unknown_names_get_up_to_three_fixes() {
    let text = "let Source = 1, Sourc = 2, Sorce = 3 in Sourcee + Text.Uper(\"a\")";
    let a = analysis(text);
    let unknown = a.diagnostics().iter().find(|d| text[d.range.clone()] == *"Sourcee").unwrap();
    let titles: Vec<&str> = unknown.fixes.iter().map(|f| f.title.as_str()).collect();
    assert_eq!(titles, ["replace with `Source`", "replace with `Sourc`", "replace with `Sorce`"]);
    let upper = a.diagnostics().iter().find(|d| text[d.range.clone()] == *"Text.Uper").unwrap();
    assert_eq!(upper.fixes[0].edits[0].new_text, "Text.Upper");
    // A name that needs quoting is written quoted.
    let text = "let #\"Sales Orders\" = 1 in #\"Sales Order\"";
    let a = analysis(text);
    assert_eq!(codes(&a), ["M204", "M201"]);
    assert_eq!(a.diagnostics()[1].fixes.first().unwrap().edits[0].new_text, "#\"Sales Orders\"");
}

#[test]
fn definition_references_and_occurrences() {
    let text = "let Source = 1, Next = Source + 1 in Source + Next";
    let a = analysis(text);
    let source = a.definition_at(at(text, "Source", 0)).unwrap();
    assert_eq!(a.name_of(source), "Source");
    // From a reference, also at its end.
    assert_eq!(a.definition_at(at(text, "Source", 2)), Some(source));
    assert_eq!(a.definition_at(at(text, "Source", 1) + "Source".len()), Some(source));
    assert_eq!(a.references_to(source).count(), 2);
    let occurrences: Vec<usize> = a.occurrences(source).iter().map(|r| r.start).collect();
    assert_eq!(occurrences, [at(text, "Source", 0), at(text, "Source", 1), at(text, "Source", 2)]);
    // Nothing local at a library name, a keyword or a literal.
    let text = "Text.Upper(\"a\")";
    let a = analysis(text);
    assert_eq!(a.definition_at(2), None);
    assert!(matches!(a.reference_at(2).unwrap().resolution, Resolution::Library(_)));
    assert_eq!(a.definition_at(12), None);
}

#[test]
fn visible_at_lists_inner_names_first_without_the_shadowed_or_own_ones() {
    let text = "section S;\nshared Q = 1;\nshared R = let a = 1, b = (x) => x + a, Q = 2 in [f = 0, g = b];\nsection T;\nshared Other = 1;\nHidden = 2;";
    let a = analysis(text);
    let names =
        |offset: usize| -> Vec<&str> { a.visible_at(offset).into_iter().map(|d| a.name_of(d)).collect() };
    // In the function body: its parameter, then the let (without `b`, whose value this is), then the
    // section (without `Q`, shadowed by the binding), then the other section's shared members.
    assert_eq!(names(at(text, "x + a", 0)), ["x", "a", "Q", "R", "Other"]);
    // In a record field's value: the sibling fields but not the field itself.
    assert_eq!(names(at(text, "b]", 0)), ["f", "a", "b", "Q", "R", "Other"]);
    // Between members of the section: the members; no section names.
    assert_eq!(names(at(text, "shared R", 0)), ["Q", "R", "Other"]);
}

#[test]
fn invocation_at_gives_the_innermost_call_and_the_argument() {
    let text = "Table.AddColumn(Source, \"B\", each Text.Upper([A], ), type text)";
    let a = analysis(text);
    let call = |offset: usize| {
        a.invocation_at(offset).map(|i| (&text[i.invocation.function_range.clone()], i.argument))
    };
    assert_eq!(call(at(text, "Source", 0)), Some(("Table.AddColumn", 0)));
    assert_eq!(call(at(text, "\"B\"", 0)), Some(("Table.AddColumn", 1)));
    assert_eq!(call(at(text, "[A]", 0)), Some(("Text.Upper", 0)));
    assert_eq!(call(at(text, "), type", 0)), Some(("Text.Upper", 1)));
    assert_eq!(call(at(text, "type text", 0)), Some(("Table.AddColumn", 3)));
    assert_eq!(call(text.len() - 1), Some(("Table.AddColumn", 3)), "on the closing parenthesis");
    assert_eq!(call(text.len()), None, "after the closing parenthesis");
    assert_eq!(call(3), None, "on the function name");
    let Some(Resolution::Library(entry)) = a.invocation_at(20).unwrap().invocation.callee else { panic!() };
    assert_eq!(entry.name, "Table.AddColumn");
    // While typing, the call is not closed yet.
    let text = "let x = Text.PadStart(\"a\", ";
    let a = analysis(text);
    let at_end = a.invocation_at(text.len()).expect("an unclosed call");
    assert_eq!((&text[at_end.invocation.function_range.clone()], at_end.argument), ("Text.PadStart", 1));
}

#[test]
fn deep_nesting_is_walked_without_recursion() {
    let depth = 100_000;
    let cases = [
        format!("let x = 1 in {}x{}", "(".repeat(depth), ")".repeat(depth)),
        format!("{}1{}", "[a = ".repeat(depth), "]".repeat(depth)),
        format!("{}_", "each ".repeat(depth)),
        format!("{}x{}", "f(".repeat(depth), ")".repeat(depth)),
        format!("{}0{}", "let a = ".repeat(depth / 10), " in a".repeat(depth / 10)),
    ];
    for text in &cases {
        let a = analysis(text);
        assert!(!a.references().is_empty() || !a.definitions().is_empty());
        // Querying the deepest point works too.
        let _ = a.visible_at(text.len() / 2);
        let _ = a.invocation_at(text.len() / 2);
    }
    let each = analysis(&cases[2]);
    assert!(each.diagnostics().is_empty());
    assert_eq!(each.references()[0].resolution, Resolution::Definition(DefId(depth as u32 - 1)));
    let records = analysis(&cases[1]);
    assert_eq!(records.definitions().len(), depth);
}

/// A bare name holding a character no name may hold has its lexical diagnostic (M109); it is not also
/// an unknown name, while the same name quoted still is.
#[test]
fn a_name_with_a_character_no_name_may_hold_is_not_also_unknown() {
    let a = analysis("let Rate = Price→EUR in Rate");
    assert_eq!(codes(&a), Vec::<&str>::new());
    assert_eq!(codes(&analysis("let Rate = #\"Price→EUR\" in Rate")), ["M201"]);
    assert_eq!(codes(&analysis("let Rate = Größe in Rate")), ["M201"], "a valid non-ASCII name is checked");
}

/// `a!=b` (a `!=` from another language) reads as the section access `a!` with an error in it: the syntax
/// error says what M writes; `a` is not also reported as an unknown section.
#[test]
fn a_not_equal_from_another_language_is_not_a_section_access() {
    assert!(!codes(&analysis("let a = 1, b = 2 in a!=b")).contains(&"M201"));
    assert_eq!(codes(&analysis("a!b")), ["M201"], "a real section access is still checked");
}

/// `'Closed'` (text written as in SQL) has its syntax error; its words are not also unknown names.
#[test]
fn words_between_single_quotes_are_not_also_unknown_names() {
    assert_eq!(codes(&analysis("each [Status] = 'Closed'")), Vec::<&str>::new());
    assert_eq!(codes(&analysis("each [Status] = 'Sales Orders'")), Vec::<&str>::new());
}

/// `[Amount]` means `_[Amount]`: outside any `each` (or other definition of `_`) the `each` was forgotten.
#[test]
fn a_field_access_with_no_underscore_in_scope_asks_for_each() {
    let text = "let t = #table({\"a\"}, {}), r = Table.SelectRows(t, [a] > 1) in r";
    let a = analysis(text);
    let [diagnostic] = a.diagnostics() else { panic!("one diagnostic: {:?}", a.diagnostics()) };
    assert_eq!(diagnostic.code.id, "M201");
    assert_eq!(diagnostic.range, at(text, "[a]", 0)..at(text, "[a]", 0) + 3);
    assert!(diagnostic.message.contains("(`each [a] > 1`)"), "{}", diagnostic.message);
    let edit = &diagnostic.fixes[0].edits[0];
    assert_eq!(
        (edit.range.clone(), edit.new_text.as_str()),
        (at(text, "[a] >", 0)..at(text, "[a] >", 0), "each ")
    );

    // `_` defined by an `each`, a function parameter or a binding: the access is right.
    for fine in [
        "let t = #table({\"a\"}, {}) in Table.SelectRows(t, each [a] > 1 and [[a]] <> null)",
        "let t = #table({\"a\"}, {}) in Table.SelectRows(t, (_) => [a] > 1)",
        "let _ = [a = 1] in [a]",
    ] {
        assert_eq!(codes(&analysis(fine)), Vec::<&str>::new(), "{fine}");
    }
    // Not in a call's argument: the diagnostic, with no place to put the `each`.
    let a = analysis("let f = () => [[a], [b]] in f");
    assert_eq!(codes(&a), ["M201"]);
    assert!(a.diagnostics()[0].fixes.is_empty());
}

/// `True`, `NULL`, `None`: the values, written as other languages write them.
#[test]
fn miscased_logical_values_and_null_say_so() {
    let a = analysis("if True then NULL else #\"false\"");
    let messages: Vec<&str> = a.diagnostics().iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "unknown name `True`: M writes the value `true` in lowercase",
            "unknown name `NULL`: M writes the value `null` in lowercase",
            "unknown name `#\"false\"`: M writes the value `false` in lowercase",
        ]
    );
    assert_eq!(a.diagnostics()[0].fixes[0].edits[0].new_text, "true");
    let a = analysis("if x = None then 1 else 2");
    let none = a.diagnostics().iter().find(|d| d.message.contains("None")).expect("None is reported");
    assert_eq!(none.message, "unknown name `None`: M writes the value `null`");
    assert_eq!(none.fixes[0].edits[0].new_text, "null");
}

/// `Changed Type` for the step `#"Changed Type"`: the syntax error says how to write it; the words refer to
/// the step (which is then used), and the first word is not also an unknown name.
#[test]
fn a_step_name_written_without_its_quotes_refers_to_the_step() {
    let text = "let #\"Changed Type\" = 1, x = Table.RowCount(Changed Type) in x";
    let a = analysis(text);
    assert_eq!(codes(&a), Vec::<&str>::new());
    assert_eq!(resolved(&a, text, "Changed Type)", 0), def(text, "#\"Changed Type\"", 0));
    // Words that name nothing leave the first word unresolved (inside the syntax error, so not reported).
    let text = "let #\"Changed Type\" = 1, x = Table.RowCount(Changed Types) in x";
    assert_eq!(resolved(&analysis(text), text, "Changed Types", 0), "unresolved");
}

/// `+` with a text literal operand: M joins text with `&`.
#[test]
fn text_added_with_plus_asks_for_ampersand() {
    let text = "let a = \"Total: \" + Text.From(1), b = 1 + 2, c = \"x\" & \"y\", d = +1 in {a, b, c, d}";
    let a = analysis(text);
    assert_eq!(codes(&a), ["M205"]);
    let plus = at(text, "+ Text", 0);
    assert_eq!(a.diagnostics()[0].range, plus..plus + 1);
    assert_eq!(a.diagnostics()[0].fixes[0].edits[0].new_text, "&");
    // Both sides and chains: each `+` that touches a text literal.
    assert_eq!(codes(&analysis("let n = \"a\" + \" \" + \"b\" in n")), ["M205", "M205"]);
}

/// Date and time literals: literal parts out of range, on the argument at fault; anything else unchecked.
#[test]
fn date_literals_with_a_part_out_of_range() {
    let text = "{#date(2023, 2, 29), #date(2024, 2, 29), #datetimezone(2024, 1, 1, 0, 0, 0, - 15, 0), #date(y, 13, 1)}";
    let a = analysis(text);
    let mut found: Vec<(usize, &str, &str)> =
        a.diagnostics().iter().map(|d| (d.range.start, d.code.id, &text[d.range.clone()])).collect();
    found.sort();
    let found: Vec<(&str, &str)> = found.into_iter().map(|(_, code, at)| (code, at)).collect();
    assert_eq!(found, [("M206", "29"), ("M206", "- 15"), ("M201", "y")]);
    // Inside a syntax error, nothing is said of the call.
    assert_eq!(codes(&analysis("#date(2023, 2, 29,")), Vec::<&str>::new());
}

/// The fix of a forgotten `each` goes before the innermost argument that holds the field access, and
/// nowhere when a binding or field inside the argument holds it; found as the walk descends, however deep.
#[test]
fn a_forgotten_each_is_inserted_before_its_argument() {
    let fix_at = |text: &str| {
        let a = analysis(text);
        let mistake =
            a.diagnostics().iter().find(|d| d.message.contains("field of `_`")).expect("the mistake");
        mistake.fixes.first().map(|fix| fix.edits[0].range.start)
    };
    let text = "Table.SelectRows(t, f(1, ([Amount] > 0)))";
    assert_eq!(fix_at(text), Some(text.find("([Amount]").unwrap()));
    assert_eq!(fix_at("Table.SelectRows(t, [x = [Amount]])"), None);
    assert_eq!(fix_at("Table.SelectRows(t, let a = [Amount] in a)"), None);
    let text = "Table.SelectRows(t, let a = 1 in [Amount] > a)";
    assert_eq!(fix_at(text), Some(text.find("let").unwrap()));
    let depth = 100_000;
    let text = format!("f(1, {}[A]{})", "(".repeat(depth), ")".repeat(depth));
    assert_eq!(fix_at(&text), Some(5));
}

/// A date literal's parts with many signs are read in a loop: `- - - 1` is as deep as it is written.
#[test]
fn many_signs_in_a_date_literal_do_not_overflow_the_stack() {
    let text = format!("#date({}2024, 12, 1)", "- ".repeat(100_000));
    let a = analysis(&text);
    assert!(a.diagnostics().is_empty(), "-2024 is a year: {:?}", a.diagnostics().first());
    let text = format!("#date(2024, {}13, 1)", "- ".repeat(100_000));
    assert_eq!(codes(&analysis(&text)), ["M206"]);
}

/// Suppression comments deep in the tree are found with one walk, not a descent from the root for each.
#[test]
fn many_suppressions_at_depth_are_found_in_linear_time() {
    let depth = 50_000;
    let text = format!("{}x{}", "(".repeat(depth), " // dfls-ignore M201\n)".repeat(depth));
    let started = std::time::Instant::now();
    let a = analysis(&text);
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "{:?}", started.elapsed());
    assert!(a.diagnostics().is_empty(), "{:?}", a.diagnostics().first());
}

/// A flood of name findings shows the first hundred, each as it would be alone (with its suggestions), and
/// one M207 where the next was that counts the rest, as serious as the most serious of them.
#[test]
fn name_findings_are_limited_and_counted() {
    let limit = super::MAX_NAME_FINDINGS;
    let names: Vec<String> = (0..limit + 900).map(|i| format!("Tabel{i}")).collect();
    let text = format!("section S;\nshared Tabel = 1;\nshared A = {{{}}};\n", names.join(", "));
    let a = analysis(&text);
    let diagnostics = a.diagnostics();
    assert_eq!(diagnostics.len(), limit + 1);
    assert!(diagnostics[..limit].iter().all(|d| d.code.id == "M201"), "{diagnostics:#?}");
    assert!(diagnostics[limit - 1].message.contains("did you mean"), "{}", diagnostics[limit - 1].message);
    let count = &diagnostics[limit];
    assert_eq!(count.code.id, "M207");
    assert_eq!(count.severity, crate::diagnostics::Severity::Error);
    let next = at(&text, &names[limit], 0);
    assert_eq!(count.range, next..next, "where the 101st unknown name is");
    assert!(count.message.contains("900 more"), "{}", count.message);

    // Hidden unused bindings (hints) are counted by a hint, not an error.
    let steps: Vec<String> = (0..limit + 5).map(|i| format!("s{i} = {i}")).collect();
    let text = format!("section S;\nshared A = let {} in 1;\n", steps.join(", "));
    let a = analysis(&text);
    let count = a.diagnostics().last().unwrap();
    assert_eq!((count.code.id, count.severity), ("M207", crate::diagnostics::Severity::Hint));
    assert!(count.message.contains("5 more"), "{}", count.message);

    // At the limit, nothing is counted.
    let text = format!("section S;\nshared A = {{{}}};\n", names[..limit].join(", "));
    assert_eq!(codes(&analysis(&text)), vec!["M201"; limit]);
}
