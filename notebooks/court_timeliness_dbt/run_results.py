"""dbt's results as tables: what ran with its status and time, and what failed with the SQL that found it."""

from __future__ import annotations


def results_table(result):
    """dbt's run results as a table: one row per node, with its status and time."""
    import pandas as pd

    rows = []
    for node_result in result.result.results:
        node = node_result.node
        rows.append(
            {
                "node": node.name,
                "type": node.resource_type.value,
                "status": str(node_result.status.value if hasattr(node_result.status, "value") else node_result.status),
                "seconds": round(node_result.execution_time, 2),
            }
        )
    order = {"seed": 0, "model": 1, "test": 2}
    table = pd.DataFrame(rows, columns=["node", "type", "status", "seconds"])
    table["_order"] = table["type"].map(order).fillna(3)
    return table.sort_values(["_order", "node"]).drop(columns="_order").reset_index(drop=True)


def failures(result) -> list[dict]:
    """The tests and models that did not pass: name, file, dbt's message and the SQL that found it."""
    found = []
    for node_result in result.result.results:
        status = str(getattr(node_result.status, "value", node_result.status))
        if status in ("fail", "error"):
            node = node_result.node
            found.append(
                {
                    "name": node.name,
                    "status": status,
                    "file": node.original_file_path,
                    "message": node_result.message,
                    "failures": node_result.failures,
                    "compiled_code": getattr(node, "compiled_code", None),
                }
            )
    return found
