//! The language, from the specification's chapters: literals, operators (null propagation, types,
//! equality, ordering), let/records/lists and their laziness, functions and `each`, errors and `try`,
//! types with `is`/`as`, metadata, sections, recursion and cycles.

use super::{check, error_message, eval_json};

#[test]
fn literals() {
    check(&[
        ("1", "1"),
        ("0xff", "255"),
        ("0XFF", "255"),
        ("1.5e3", "1500"),
        (".5", "0.5"),
        ("1E-2", "0.01"),
        (r#""a""b""#, r#""a\"b""#),
        (r##""a#(tab)b#(cr,lf)#(0041)#(#)""##, r#""a\tb\r\nA#""#),
        ("true", "true"),
        ("null", "null"),
        ("#nan", r#"{"$type": "number", "value": "NaN"}"#),
        ("#infinity", r#"{"$type": "number", "value": "Infinity"}"#),
        ("-#infinity", r#"{"$type": "number", "value": "-Infinity"}"#),
        ("{1..3, 5}", "[1, 2, 3, 5]"),
        ("{3..1}", "[]"),
        ("[a = 1, b = [c = {}]]", r#"{"a": 1, "b": {"c": []}}"#),
    ]);
}

#[test]
fn arithmetic_and_null_propagation() {
    check(&[
        ("1 + 2 * 3", "7"),
        ("(1 + 2) * 3", "9"),
        ("7 / 2", "3.5"),
        ("1 / 0", r#"{"$type": "number", "value": "Infinity"}"#),
        ("-(1 / 0)", r#"{"$type": "number", "value": "-Infinity"}"#),
        ("0 / 0", r#"{"$type": "number", "value": "NaN"}"#),
        ("1 + null", "null"),
        ("null * 2", "null"),
        ("-null", "null"),
        (r#""a" & null"#, "null"),
        ("not null", "null"),
        ("null > 1", "null"),
        ("0.1 + 0.2", "0.30000000000000004"),
    ]);
}

#[test]
fn operators_on_mismatched_types_are_errors_with_m_messages() {
    assert_eq!(
        error_message(r#"1 + "a""#),
        ("Expression.Error".to_owned(), "We cannot apply operator + to types Number and Text.".to_owned())
    );
    assert_eq!(error_message(r#"1 < "a""#).1, "We cannot apply operator < to types Number and Text.");
    assert_eq!(error_message(r#""a" & 1"#).1, "We cannot apply operator & to types Text and Number.");
    assert_eq!(error_message("1 and true").1, "We cannot apply operator and to types Number and Logical.");
    assert_eq!(error_message("{1} < {2}").1, "We cannot apply operator < to types List and List.");
    // The detail names the operator and the operands.
    let value = eval_json(r#"1 + "a""#);
    assert_eq!(value["detail"], serde_json::json!({"Operator": "+", "Left": 1, "Right": "a"}));
}

#[test]
fn equality_across_types_and_ordering_within_one() {
    check(&[
        ("1 = 1", "true"),
        (r#"1 = "1""#, "false"),
        ("null = null", "true"),
        ("null = 0", "false"),
        ("1 <> null", "true"),
        ("{1, 2} = {1, 2}", "true"),
        ("{1, 2} = {2, 1}", "false"),
        ("[a = 1, b = 2] = [b = 2, a = 1]", "true"),
        ("[a = 1] = [a = 1, b = 2]", "false"),
        ("#date(2020, 1, 1) = #date(2020, 1, 1)", "true"),
        ("#datetimezone(2020, 1, 1, 10, 0, 0, 2, 0) = #datetimezone(2020, 1, 1, 8, 0, 0, 0, 0)", "true"),
        ("#nan = #nan", "false"),
        (r#""a" < "b""#, "true"),
        // Ordinal, culture-invariant: upper case before lower case.
        (r#""B" < "a""#, "true"),
        (r#""a" < "B""#, "false"),
        ("false < true", "true"),
        ("#date(2020, 1, 1) < #date(2020, 1, 2)", "true"),
        ("#duration(0, 1, 0, 0) > #duration(0, 0, 59, 0)", "true"),
        ("1 <= 1", "true"),
        ("#nan < 1", "false"),
        ("#table({\"A\"}, {{1}}) = #table({\"A\"}, {{1}})", "true"),
        // The specification's examples: tables compare by column name, in any order.
        (r#"#table({"A", "B"}, {{1, 2}}) = #table({"A", "B"}, {{1, 2}})"#, "true"),
        (r#"#table({"A", "B"}, {{1, 2}}) = #table({"X", "Y"}, {{1, 2}})"#, "false"),
        (r#"#table({"A", "B"}, {{1, 2}}) = #table({"B", "A"}, {{2, 1}})"#, "true"),
        ("(1 meta [a = 1]) = (1 meta [a = 2])", "true"),
        ("#duration(2, 0, 0, 0) / #duration(0, 1, 30, 0)", "32"),
        ("#duration(2, 1, 0, 15.1) + #duration(0, 1, 30, 45.3) = #duration(2, 2, 31, 0.4)", "true"),
        ("#time(1, 30, 0) - #time(8, 0, 0) = #duration(0, -6, -30, 0)", "true"),
        ("#time(8, 0, 0) + #duration(30, 5, 0, 0)", r#"{"$type": "time", "value": "13:00:00"}"#),
        ("#date(2010, 1, 31) - #date(2010, 1, 15) = #duration(16, 0, 0, 0)", "true"),
        ("#datetimezone(2010, 5, 20, 16, 6, 0, -8, 0) - #datetimezone(2008, 12, 15, 4, 19, 19, 3, 0) = #duration(521, 22, 46, 41)", "true"),
        (r#"[A = error "a", B = 1, C = error "c"][B]"#, "1"),
        (r#"{error "a", 1, error "c"}{1}"#, "1"),
        (r#"#table({"A", "B"}, {{0, 1}, {2, 1}}){[A = 2]}"#, r#"{"A": 2, "B": 1}"#),
        (r#"#table({"A", "B"}, {{0, 1}, {2, 1}}){[B = 3]}?"#, "null"),
        ("[A = 1, B = 2][[B], [C]]?", r#"{"B": 2, "C": null}"#),
        ("let _ = [A = 1, B = 2] in [A]", "1"),
        ("List.Select({[a = 1, b = 1], [a = 2, b = 4]}, each [a] = [b])", r#"[{"a": 1, "b": 1}]"#),
        ("null <= null", "null"),
        ("#nan >= #nan", "false"),
    ]);
}

#[test]
fn and_or_short_circuit_with_null_as_unknown() {
    check(&[
        (r#"false and error "never""#, "false"),
        (r#"true or error "never""#, "true"),
        ("null and false", "false"),
        ("null and true", "null"),
        ("null or true", "true"),
        ("null or false", "null"),
        ("true and null", "null"),
        ("false or null", "null"),
        ("not true", "false"),
        (r#"null ?? 1"#, "1"),
        (r#"2 ?? error "never""#, "2"),
        (r#"null ?? null ?? "c""#, r#""c""#),
    ]);
}

#[test]
fn date_time_and_duration_arithmetic() {
    check(&[
        ("#date(2011, 12, 31)", r#"{"$type": "date", "value": "2011-12-31"}"#),
        ("#time(10, 20, 30)", r#"{"$type": "time", "value": "10:20:30"}"#),
        ("#time(10, 20, 30.5)", r#"{"$type": "time", "value": "10:20:30.5"}"#),
        ("#datetime(2011, 12, 31, 10, 20, 30)", r#"{"$type": "datetime", "value": "2011-12-31T10:20:30"}"#),
        (
            "#datetimezone(2011, 12, 31, 10, 20, 30, -8, 0)",
            r#"{"$type": "datetimezone", "value": "2011-12-31T10:20:30-08:00"}"#,
        ),
        ("#duration(1, 2, 3, 4.5)", r#"{"$type": "duration", "seconds": 93784.5}"#),
        ("#date(2011, 12, 31) + #duration(1, 0, 0, 0)", r#"{"$type": "date", "value": "2012-01-01"}"#),
        ("#date(2012, 3, 1) - #date(2012, 2, 1)", r#"{"$type": "duration", "seconds": 2505600}"#),
        ("#time(23, 0, 0) + #duration(0, 2, 0, 0)", r#"{"$type": "time", "value": "01:00:00"}"#),
        (
            "#datetime(2020, 1, 1, 0, 0, 0) - #duration(0, 0, 0, 1)",
            r#"{"$type": "datetime", "value": "2019-12-31T23:59:59"}"#,
        ),
        (
            "#date(2011, 12, 31) & #time(10, 20, 30)",
            r#"{"$type": "datetime", "value": "2011-12-31T10:20:30"}"#,
        ),
        ("#duration(1, 0, 0, 0) * 2", r#"{"$type": "duration", "seconds": 172800}"#),
        ("#duration(1, 0, 0, 0) / #duration(0, 12, 0, 0)", "2"),
        ("-#duration(0, 0, 1, 0)", r#"{"$type": "duration", "seconds": -60}"#),
    ]);
    assert_eq!(error_message("#date(2023, 2, 29)").0, "Expression.Error");
}

#[test]
fn concatenation_of_lists_records_and_tables() {
    check(&[
        (r#""ab" & "cd""#, r#""abcd""#),
        ("{1} & {2, 3}", "[1, 2, 3]"),
        ("[a = 1, b = 2] & [b = 3, c = 4]", r#"{"a": 1, "b": 3, "c": 4}"#),
        (
            r#"#table({"A"}, {{1}}) & #table({"B"}, {{2}})"#,
            r#"{"$type": "table", "columns": ["A", "B"], "rows": [[1, null], [null, 2]]}"#,
        ),
    ]);
}

#[test]
fn record_fields_keep_their_order_in_json() {
    let text = super::eval::run_on_large_stack(|| {
        super::render::json(&super::eval::evaluate_text("[z = 1, a = 2, m = 3]").unwrap()).pretty()
    });
    assert_eq!(text, "{\n  \"z\": 1,\n  \"a\": 2,\n  \"m\": 3\n}");
}

#[test]
fn unused_bindings_fields_and_items_are_never_evaluated() {
    check(&[
        (r#"let a = error "unused", b = 2 in b"#, "2"),
        (r#"[a = error "x", b = 1][b]"#, "1"),
        (r#"{error "x", 1}{1}"#, "1"),
        (r#"List.Count({error "x", error "y"})"#, "2"),
        // Mutual references in any order.
        ("let b = a + 1, a = 1 in b", "2"),
        ("[A1 = A2 * 2, A2 = A3 + 1, A3 = 1]", r#"{"A1": 4, "A2": 2, "A3": 1}"#),
        (
            "[Sales = [FirstHalf = 1000, SecondHalf = 1100], Total = Sales[FirstHalf] + Sales[SecondHalf]]",
            r#"{"Sales": {"FirstHalf": 1000, "SecondHalf": 1100}, "Total": 2100}"#,
        ),
    ]);
}

#[test]
fn errors_propagate_and_stay_in_place_inside_values() {
    assert_eq!(error_message(r#"let a = error "boom" in a + 1"#).1, "boom");
    check(&[
        (
            r#"[a = error "x", b = 1]"#,
            r#"{"a": {"$type": "error", "reason": "Expression.Error", "message": "x", "detail": null}, "b": 1}"#,
        ),
        (
            r#"{1, error "x"}"#,
            r#"[1, {"$type": "error", "reason": "Expression.Error", "message": "x", "detail": null}]"#,
        ),
    ]);
}

#[test]
fn error_records_from_try_and_error() {
    check(&[
        ("try 1", r#"{"HasError": false, "Value": 1}"#),
        (
            r#"try error "x""#,
            r#"{"HasError": true, "Error": {"Reason": "Expression.Error", "Message": "x", "Detail": null,
                "Message.Format": null, "Message.Parameters": null, "ErrorCode": null}}"#,
        ),
        (r#"try error "x" otherwise 5"#, "5"),
        (r#"try 1 otherwise 5"#, "1"),
        (
            r#"try error [Reason = "R", Message = "M", Detail = 3] catch (e) => e[Reason] & e[Message]"#,
            r#""RM""#,
        ),
        (r#"try error "x" catch () => 7"#, "7"),
        (r#"(try error [Reason = "R", Message = "M", Detail = [k = 1]])[Error][Detail]"#, r#"{"k": 1}"#),
        // A reason left out is Expression.Error.
        (r#"(try error [Message = "M"])[Error][Reason]"#, r#""Expression.Error""#),
        (
            r#"(try error [Message.Format = "at #{0}", Message.Parameters = {3}])[Error][Message]"#,
            r#""at 3""#,
        ),
    ]);
    assert_eq!(error_message("...").1, "Not Implemented");
    let value = eval_json(r#"error [Reason = "DataSource.Error", Message = "gone", Detail = "x"]"#);
    assert_eq!(
        value,
        serde_json::json!({"$type": "error", "reason": "DataSource.Error", "message": "gone", "detail": "x"})
    );
}

#[test]
fn field_item_access_and_projection() {
    check(&[
        ("[a = 1][a]", "1"),
        ("[a = 1][b]?", "null"),
        ("{1, 2}{0}", "1"),
        ("{1, 2}{5}?", "null"),
        ("[#\"Order Date\" = 1][Order Date]", "1"),
        ("[a = 1, b = 2, c = 3][[a], [c]]", r#"{"a": 1, "c": 3}"#),
        ("[a = 1][[a], [z]]?", r#"{"a": 1, "z": null}"#),
        (r#"#table({"A", "B"}, {{1, 2}, {3, 4}}){1}"#, r#"{"A": 3, "B": 4}"#),
        (r#"#table({"A", "B"}, {{1, 2}, {3, 4}}){[A = 3]}[B]"#, "4"),
        (r#"#table({"A", "B"}, {{1, 2}, {3, 4}}){[A = 5]}?"#, "null"),
        (r#"#table({"A", "B"}, {{1, 2}, {3, 4}})[B]"#, "[2, 4]"),
        (r#"#table({"A", "B"}, {{1, 2}})[[B]]"#, r#"{"$type": "table", "columns": ["B"], "rows": [[2]]}"#),
    ]);
    assert_eq!(error_message("[a = 1][b]").1, "The field 'b' of the record wasn't found.");
    assert_eq!(
        error_message("{1, 2}{5}").1,
        "There weren't enough elements in the enumeration to complete the operation."
    );
    assert_eq!(
        error_message(r#"#table({"A"}, {{1}}){[A = 2]}"#).1,
        "The key didn't match any rows in the table."
    );
    assert_eq!(
        error_message(r#"#table({"A"}, {{1}, {1}}){[A = 1]}"#).1,
        "The key matched more than one row in the table."
    );
    assert_eq!(error_message("1[a]").1, "We cannot apply field access to the type Number.");
}

#[test]
fn functions_each_and_parameters() {
    check(&[
        ("((x, y) => x + y)(1, 2)", "3"),
        ("((x, optional y) => y)(1)", "null"),
        (
            "let Add = (x, y) => x + y in [OnePlusOne = Add(1, 1), OnePlusTwo = Add(1, 2)]",
            r#"{"OnePlusOne": 2, "OnePlusTwo": 3}"#,
        ),
        ("List.Transform({1, 2}, each _ * 10)", "[10, 20]"),
        ("(each [a] + 1)([a = 1])", "2"),
        ("let AddOne = (x as number) as number => x + 1 in AddOne(5)", "6"),
        ("((x as nullable number) => x)(null)", "null"),
        ("let f = (n) => if n <= 1 then 1 else n * @f(n - 1) in f(10)", "3628800"),
        ("let x = 1, f = () => x in let x = 2 in f()", "1"),
    ]);
    assert_eq!(error_message("((x) => x)(1, 2)").1, "2 arguments were passed to a function which expects 1.");
    assert_eq!(
        error_message("((x, optional y) => x)()").1,
        "0 arguments were passed to a function which expects between 1 and 2."
    );
    assert_eq!(
        error_message(r#"((x as number) => x)("a")"#).1,
        r#"We cannot convert the value "a" to type Number."#
    );
    assert_eq!(
        error_message(r#"(() as number => "a")()"#).1,
        r#"We cannot convert the value "a" to type Number."#
    );
    assert_eq!(error_message("1(2)").1, "We cannot convert the value 1 to type Function.");
    assert_eq!(error_message("if 1 then 2 else 3").1, "We cannot convert the value 1 to type Logical.");
}

#[test]
fn types_is_as_and_type_values() {
    check(&[
        ("1 is number", "true"),
        ("1 is text", "false"),
        ("null is nullable number", "true"),
        ("null is number", "false"),
        ("null is any", "true"),
        ("1 is anynonnull", "true"),
        ("{} is list", "true"),
        ("1 as number", "1"),
        ("Value.Type(1)", r#"{"$type": "type", "value": "type number"}"#),
        ("Value.Type(\"a\")", r#"{"$type": "type", "value": "type text"}"#),
        ("type {text}", r#"{"$type": "type", "value": "type {text}"}"#),
        ("type nullable text", r#"{"$type": "type", "value": "type nullable text"}"#),
        ("type [a = number, ...]", r#"{"$type": "type", "value": "type [a = number, ...]"}"#),
        (
            "type [a = number, optional b]",
            r#"{"$type": "type", "value": "type [a = number, optional b = any]"}"#,
        ),
        (
            "type table [A = number, #\"B C\" = text]",
            r#"{"$type": "type", "value": "type table [A = number, #\"B C\" = text]"}"#,
        ),
        (
            "type function (x as number, optional y as text) as table",
            r#"{"$type": "type", "value": "type function (x as number, optional y as text) as table"}"#,
        ),
        ("type {Int64.Type}", r#"{"$type": "type", "value": "type {Int64.Type}"}"#),
        ("Int64.Type", r#"{"$type": "type", "value": "Int64.Type"}"#),
        (
            "Value.Type((x as number) => x)",
            r#"{"$type": "type", "value": "type function (x as number) as any"}"#,
        ),
        (
            "Value.Type(#table(type table [A = number], {}))",
            r#"{"$type": "type", "value": "type table [A = number]"}"#,
        ),
        ("Value.Type([a = 1])", r#"{"$type": "type", "value": "type [a = any]"}"#),
        ("type number = type number", "true"),
    ]);
    assert_eq!(error_message(r#""a" as number"#).1, r#"We cannot convert the value "a" to type Number."#);
}

#[test]
fn metadata() {
    check(&[
        ("Value.Metadata(1 meta [a = 1])", r#"{"a": 1}"#),
        ("(1 meta [a = 1]) + 1", "2"),
        ("Value.Metadata((1 meta [a = 1]) meta [b = 2])", r#"{"a": 1, "b": 2}"#),
        ("Value.Metadata(1)", "{}"),
        ("Value.RemoveMetadata(1 meta [a = 1]) = 1", "true"),
        ("Value.Metadata(Value.ReplaceMetadata(1 meta [a = 1], [b = 2]))", r#"{"b": 2}"#),
        ("(1 meta [a = 1]) = 1", "true"),
    ]);
}

#[test]
fn cycles_are_m_errors() {
    let cyclic = "A cyclic reference was encountered during evaluation.";
    assert_eq!(error_message("let a = b, b = a in a").1, cyclic);
    assert_eq!(error_message("[a = b, b = a][a]").1, cyclic);
    assert_eq!(error_message("let a = @a + 1 in a").1, cyclic);
}

#[test]
fn deep_recursion_ends_in_an_error_value_not_a_crash() {
    let overflow = "Evaluation resulted in a stack overflow and cannot continue.";
    assert_eq!(error_message("let f = (n) => @f(n + 1) in f(0)").1, overflow);
    assert_eq!(error_message("let f = (n) => if n = 0 then 0 else 1 + @f(n - 1) in f(1000000)").1, overflow);
    // Recursion a program needs is fine.
    check(&[("let f = (n) => if n = 0 then 0 else 1 + @f(n - 1) in f(1000)", "1000")]);
    // The error is a value: try catches it.
    check(&[("try (let f = (n) => @f(n + 1) in f(0)) otherwise \"caught\"", r#""caught""#)]);
}

#[test]
fn names_the_library_lacks_are_clear_errors() {
    assert_eq!(
        error_message("Sql.Database(\"server\", \"db\")"),
        (
            "DataSource.Error".to_owned(),
            "`Sql.Database` is not available locally: evaluate in Fabric (`dfls query`)".to_owned()
        )
    );
    assert_eq!(error_message("Table.Pivot(1, 2, 3, 4)").1, "`Table.Pivot` is not implemented by dfls yet");
    // Fabric's connectors beyond the standard library are connectors too (Lakehouse.Contents reads the
    // local lakehouse when the evaluation is given one: tests/eval/lakehouse.rs).
    assert_eq!(
        error_message("Fabric.Warehouse(null)"),
        (
            "DataSource.Error".to_owned(),
            "`Fabric.Warehouse` is not available locally: evaluate in Fabric (`dfls query`)".to_owned()
        )
    );
    assert_eq!(error_message("Lakehouse.Contents(null)").0, "DataSource.Error");
    assert_eq!(
        error_message("NoSuchName").1,
        "The name 'NoSuchName' wasn't recognized. Make sure it's spelled correctly."
    );
    check(&[
        ("Value.Is(#shared[Table.AddColumn], type function)", "true"),
        ("Order.Descending", "1"),
        ("MissingField.UseNull", "2"),
        (
            "Value.Type(Text.Upper)",
            r#"{"$type": "type", "value": "type function (text as nullable text, optional culture as nullable text) as nullable text"}"#,
        ),
    ]);
}

#[test]
fn sections_and_section_access() {
    let run = |text: &str, query: &str| {
        let request = dfls::eval::Request {
            text: text.to_owned(),
            query: Some(query.to_owned()),
            ..Default::default()
        };
        super::eval::run_on_large_stack(move || {
            let outcome = dfls::eval::evaluate(&request).expect("evaluates");
            super::render::json(&outcome).pretty()
        })
    };
    let document = "section S; shared A = 1; B = A + 1; shared C = S!B * 10; shared D = error \"unused\";";
    assert_eq!(run(document, "B"), "2");
    assert_eq!(run(document, "C"), "20");
    // #shared holds the shared members (not B) before the library; #sections every member of each section.
    let shared = r#"section S; shared A = 1; B = 2;
        shared C = Record.FieldNames(#shared){0} & "/" & Text.From(#shared[A]) & "/" & Text.From(List.Contains(Record.FieldNames(#shared), "B"));"#;
    assert_eq!(run(shared, "C"), "\"A/1/false\"");
    let sections = "section S; A = 1; shared B = Record.FieldNames(#sections[S]);";
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&run(sections, "B")).unwrap(),
        serde_json::json!(["A", "B"])
    );
    let request = dfls::eval::Request { text: document.to_owned(), query: None, ..Default::default() };
    let setup = dfls::eval::evaluate(&request).unwrap_err();
    assert!(matches!(setup, dfls::eval::Setup::Request(ref m) if m.contains("--query")), "{setup:?}");
}

#[test]
fn syntax_errors_stop_evaluation_at_the_first_with_its_place() {
    let setup = dfls::eval::evaluate_text("let a = 1,\n  b = in b").unwrap_err();
    let dfls::eval::Setup::Syntax(error) = setup else { panic!("{setup:?}") };
    assert!(error.range.start >= 13 && error.range.start <= 19, "{error:?}");
    assert!(!error.message.is_empty());
}

#[test]
fn limits_are_errors_not_crashes() {
    // A duration past any date, added to a date: M's overflow error, not an arithmetic panic.
    let overflow = "The operation resulted in an overflow.";
    assert_eq!(error_message("#datetime(2020, 1, 1, 0, 0, 0) + #duration(10675199, 0, 0, 0)").1, overflow);
    assert_eq!(error_message("#duration(10675199, 0, 0, 0) + #duration(10675199, 0, 0, 0)").1, overflow);
    check(&[("#time(1, 0, 0) + #duration(10675199, 0, 0, 0)", r#"{"$type": "time", "value": "01:00:00"}"#)]);
    assert!(error_message("List.Count({1..1000000000000})").1.contains("not supported by dfls yet"));
    assert!(error_message("#table(1000000000, {})").1.contains("columns"));
}

/// The examples of the specification's chapter on functions.
#[test]
fn the_functions_chapter() {
    check(&[
        ("[MyFunction = (x, y, z) => x + y + z, Result1 = MyFunction(1, 2, 3)][Result1]", "6"),
        (
            "[MyFunction = (x, optional y) => if (y = null) then x else x + y, Result1 = MyFunction(1), Result2 = MyFunction(1, null), Result3 = MyFunction(2, 2)]",
            r#"{"MyFunction": {"$type": "function"}, "Result1": 1, "Result2": 1, "Result3": 4}"#,
        ),
        ("[Factorial = (x) => if x = 0 then 1 else x * @Factorial(x - 1), Result = Factorial(3)][Result]", "6"),
        (
            "[Factorial = (x) => if x = 0 then 1 else Factorial2(x), Factorial2 = (x) => x * Factorial(x - 1), Result = Factorial(3)][Result]",
            "6",
        ),
        (
            "[MyFunction = (x) => () => x, MyFunction1 = MyFunction(1), MyFunction2 = MyFunction(2), Result = MyFunction1() + MyFunction2()][Result]",
            "3",
        ),
        ("[A = [MyFunction = () => C, C = 1], B = A[MyFunction]()][B]", "1"),
        ("let f = (x) => x in f = f", "true"),
        ("((x) => x) = ((x) => x)", "false"),
    ]);
    // "All of the expressions corresponding to the function arguments are evaluated before the
    // function-body is evaluated", and their errors propagate.
    assert_eq!(error_message(r#"((x) => 1)(error "argument")"#).1, "argument");
}

/// A let binding's or a record field's own name, in its expression, is the outer one; only `@name`
/// reaches the binding itself (the specification's scoping of let and record initializers).
#[test]
fn a_binding_does_not_see_itself_without_at() {
    check(&[
        ("let a = 1 in let a = a + 1 in a", "2"),
        ("let x = 1 in [x = x + 1]", r#"{"x": 2}"#),
        ("let Source = 3 in [Source = Source, Other = Source * 2]", r#"{"Source": 3, "Other": 6}"#),
        ("let f = (n) => if n = 0 then 0 else n + @f(n - 1) in f(4)", "10"),
        // Siblings are all in scope, in any order.
        ("[a = b + 1, b = 1][a]", "2"),
    ]);
    assert_eq!(
        error_message("let f = (n) => if n = 0 then 0 else f(n - 1) in f(1)").1,
        "The name 'f' wasn't recognized. Make sure it's spelled correctly."
    );
    assert_eq!(error_message("[a = @a + 1][a]").1, "A cyclic reference was encountered during evaluation.");
}
