"""The `dfls eval` benchmark's pipeline (benches/eval.rs) in pandas, polars and DuckDB, one engine a run.

    python eval_peers.py ENGINE CSV

ENGINE is pandas, polars or duckdb. Reads the orders CSV, types its columns, keeps the rows whose Status is
not "Cancelled" and whose Amount is over 10, adds Margin = Amount - Cost and Year = the order date's year,
groups by Region and Year (row count, sum of Amount, sum of Margin) and sorts by Region and Year. Prints the
grouped rows as one JSON line, `[[region, year, orders, amount, margin], ...]`, which the benchmark compares
with dfls's result. The benchmark times the whole process (interpreter start and imports included), as it
times `dfls eval`.
"""

import json
import sys


def run_pandas(path):
    import pandas as pd

    table = pd.read_csv(
        path,
        dtype={"OrderId": "int64", "Customer": "string", "Region": "string", "Amount": "float64",
               "Cost": "float64", "Quantity": "int64", "Status": "string"},
        parse_dates=["OrderDate"],
        date_format="%Y-%m-%d",
    )
    table = table[(table["Status"] != "Cancelled") & (table["Amount"] > 10)].copy()
    table["Margin"] = table["Amount"] - table["Cost"]
    table["Year"] = table["OrderDate"].dt.year
    grouped = (
        table.groupby(["Region", "Year"], sort=True)
        .agg(Orders=("OrderId", "size"), Amount=("Amount", "sum"), Margin=("Margin", "sum"))
        .reset_index()
    )
    return [[r.Region, int(r.Year), int(r.Orders), float(r.Amount), float(r.Margin)]
            for r in grouped.itertuples()]


def run_polars(path):
    import polars as pl

    schema = {"OrderId": pl.Int64, "Customer": pl.Utf8, "Region": pl.Utf8, "OrderDate": pl.Date,
              "Amount": pl.Float64, "Cost": pl.Float64, "Quantity": pl.Int64, "Status": pl.Utf8}
    grouped = (
        pl.scan_csv(path, schema=schema)
        .filter((pl.col("Status") != "Cancelled") & (pl.col("Amount") > 10))
        .with_columns((pl.col("Amount") - pl.col("Cost")).alias("Margin"),
                      pl.col("OrderDate").dt.year().alias("Year"))
        .group_by(["Region", "Year"])
        .agg(pl.len().alias("Orders"), pl.col("Amount").sum(), pl.col("Margin").sum())
        .sort(["Region", "Year"])
        .collect()
    )
    return [[r[0], int(r[1]), int(r[2]), float(r[3]), float(r[4])] for r in grouped.iter_rows()]


def run_duckdb(path):
    import duckdb

    query = """
        SELECT Region, year(OrderDate) AS Year, count(*) AS Orders, sum(Amount) AS Amount,
               sum(Amount - Cost) AS Margin
        FROM read_csv(?, header = true, columns = {
            'OrderId': 'BIGINT', 'Customer': 'VARCHAR', 'Region': 'VARCHAR', 'OrderDate': 'DATE',
            'Amount': 'DOUBLE', 'Cost': 'DOUBLE', 'Quantity': 'BIGINT', 'Status': 'VARCHAR'})
        WHERE Status <> 'Cancelled' AND Amount > 10
        GROUP BY Region, Year
        ORDER BY Region, Year
    """
    rows = duckdb.connect().execute(query, [path]).fetchall()
    return [[r[0], int(r[1]), int(r[2]), float(r[3]), float(r[4])] for r in rows]


ENGINES = {"pandas": run_pandas, "polars": run_polars, "duckdb": run_duckdb}

if __name__ == "__main__":
    engine, path = sys.argv[1], sys.argv[2]
    print(json.dumps(ENGINES[engine](path)))
