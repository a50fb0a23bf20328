//! What the benchmarks share: timing by the median of several runs, and the generated section documents of
//! realistic Dataflow Gen2 content that the parse and format benchmarks measure.
//!
//! Each benchmark is its own crate and uses only part of this module, hence the allowance.
#![allow(dead_code)]

use std::time::{Duration, Instant};

/// One query of a realistic section document, its names varied by `n`.
pub fn query(n: usize) -> String {
    format!(
        r##"
// Orders of region {n}, cleaned for the warehouse.
shared #"Orders {n}" = let
    Source = Sql.Database("sql-{n}.contoso.com", "Sales", [CommandTimeout = #duration(0, 0, 10, 0)]),
    Navigation = Source{{[Schema = "dbo", Item = "Orders"]}}[Data],
    #"Removed Columns" = Table.RemoveColumns(Navigation, {{"rowguid", "ModifiedDate"}}),
    #"Changed Type" = Table.TransformColumnTypes(#"Removed Columns", {{{{"OrderDate", type date}}, {{"Amount", type number}}, {{"Customer", type text}}}}),
    #"Filtered Rows" = Table.SelectRows(#"Changed Type", each [Amount] > {n} and [OrderDate] >= #date(2024, 1, 1)),
    #"Added Margin" = Table.AddColumn(#"Filtered Rows", "Margin", each try [Amount] * 0.{n} otherwise null, type nullable number),
    Lookup = #table(type table [Code = text, Label = text], {{{{"A", "Alpha #(cr,lf)"}}, {{"B", "Beta"}}}}),
    Joined = Table.NestedJoin(#"Added Margin", {{"Customer"}}, Lookup, {{"Code"}}, "Lookup", JoinKind.LeftOuter),
    Result = if Table.IsEmpty(Joined) then error Error.Record("Empty", "No rows for {n}") else Joined /* keep */
in
    Result;
[DataDestinations = {{[Definition = [Kind = "Reference", QueryName = "Orders {n}_DataDestination", IsNewTarget = true], Settings = [Kind = "Automatic", TypeSettings = [Kind = "Table"]]]}}]
shared #"Orders {n}_DataDestination" = let
    Pattern = Lakehouse.Contents([CreateNavigationProperties = false, EnableFolding = false]),
    Navigation_1 = Pattern{{[workspaceId = "00000000-0000-0000-0000-000000000000"]}}[Data],
    TableNavigation = Navigation_1{{[lakehouseId = "11111111-1111-1111-1111-111111111111"]}}[Data]{{[Id = "orders_{n}", ItemKind = "Table"]}}?[Data]?
in
    TableNavigation;
shared Fn{n} = (x as number, optional y as nullable text) as logical => x > {n} or (y ?? "") <> "";
"##
    )
}

/// Data that real dataflows embed: an "Enter data" table (a compressed base64 blob, as Power Query writes
/// it) and a native SQL query. A deterministic pseudo-random base64 string stands in for the blob.
pub fn data_queries(n: usize) -> String {
    const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut state = n as u64 * 2_654_435_761 + 1;
    let blob: String = (0..3000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            BASE64[(state % 64) as usize] as char
        })
        .collect();
    format!(
        r##"
shared #"Entered data {n}" = let
    Source = Table.FromRows(Json.Document(Binary.Decompress(Binary.FromText("{blob}=", BinaryEncoding.Base64), Compression.Deflate)), let _t = ((type nullable text) meta [Serialized.Text = true]) in type table [Code = _t, Name = _t, Amount = _t]),
    #"Changed Type" = Table.TransformColumnTypes(Source, {{{{"Code", type text}}, {{"Name", type text}}, {{"Amount", Currency.Type}}}})
in
    #"Changed Type";
shared #"Native {n}" = Value.NativeQuery(Sql.Database("sql-{n}.contoso.com", "Sales"), "SELECT o.OrderId, o.OrderDate, c.Name AS Customer, SUM(l.Quantity * l.UnitPrice) AS Amount#(lf)FROM dbo.Orders AS o#(lf)JOIN dbo.Customers AS c ON c.CustomerId = o.CustomerId#(lf)JOIN dbo.OrderLines AS l ON l.OrderId = o.OrderId#(lf)WHERE o.OrderDate >= DATEADD(month, -{n}, GETDATE()) AND o.Status <> 'Cancelled'#(lf)GROUP BY o.OrderId, o.OrderDate, c.Name#(lf)ORDER BY o.OrderDate DESC", null, [EnableFolding = true]);
"##
    )
}

/// What a generated document holds.
#[derive(Clone, Copy)]
pub enum Content {
    /// Only code: queries with many steps, destinations, parameters-like functions. The most tokens per
    /// byte, so the slowest to parse.
    Dense,
    /// The same code with every fourth query group also carrying an "Enter data" table and a native SQL
    /// query, as real dataflows do: fewer tokens per byte.
    Typical,
}

/// A section document of at least `bytes` bytes.
pub fn document(bytes: usize, content: Content) -> String {
    let mut text = String::from("[StagingDefinition = [Kind = \"FastCopy\"]]\nsection Section1;\n");
    let mut n = 0;
    while text.len() < bytes {
        text.push_str(&query(n));
        if matches!(content, Content::Typical) && n % 4 == 0 {
            text.push_str(&data_queries(n));
        }
        n += 1;
    }
    text
}

pub fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

pub fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(f());
                start.elapsed()
            })
            .collect(),
    )
}
