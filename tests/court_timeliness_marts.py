"""What the dbt project's tests on DuckDB and on Spark share besides fixtures: the marts, and
the "broken marts" (copies of the good ones that the row-count, key and reconciliation
tests must fail on), made with SQL that both engines run."""

from __future__ import annotations

# The marts, and what the "broken marts" set-up holds instead of each: four empty
# tables, and the timeliness mart with its first row twice (a repeated key).
MARTS = ("dim_courts", "dim_dates", "dim_offences", "fct_cases", "fct_court_quarter_timeliness")
REPEATED = "fct_court_quarter_timeliness"


def broken_marts_sql(source: str, target: str) -> list[str]:
    """Statements (DuckDB and Spark SQL alike) that fill schema `target` with the broken marts,
    made from the good ones in schema `source`."""
    statements = []
    for mart in MARTS:
        if mart == REPEATED:
            one = f"(select * from {source}.{mart} order by court_code, completed_quarter limit 1) as first_row"
            statements.append(f"create table {target}.{mart} as select * from {one} union all select * from {one}")
        else:
            statements.append(f"create table {target}.{mart} as select * from {source}.{mart} limit 0")
    return statements


# What `dbt test` must report on the broken marts: the row-count test of each empty mart,
# the key of the repeated one, and the reconciliation with the source, which now disagrees.
BROKEN_MARTS_SELECTION = [
    "test_name:has_rows",
    "test_name:unique_combination",
    "assert_marts_reconcile_with_the_source",
]


def broken_marts_failures(manifest: dict) -> set[str]:
    """The names of the tests that must fail on the broken marts, found in dbt's manifest."""
    expected = {"assert_marts_reconcile_with_the_source"}
    for node in manifest["nodes"].values():
        test = (node.get("test_metadata") or {}).get("name")
        model = (node.get("attached_node") or "").rsplit(".", 1)[-1]
        if (test == "has_rows" and model != REPEATED) or (test == "unique_combination" and model == REPEATED):
            expected.add(node["name"])
    return expected
