"""Where a benchmark keeps its figures, so that a page quotes the run and not a typed copy.

    from results import save
    save("dbt", figures={"nodes": 69, ...}, table={"caption": ..., "columns": [...], "rows": [...]},
         load_before=load_before)

writes ``bench/results/dbt.json`` (committed: the figures of the last run a maintainer chose
to keep) with the date and the machine it ran on. The book's pages show them with the
``{bench}`` role and the ``{bench-table}`` directive (tools/bench_results.py); a figure a
page asks for and the file does not hold fails the build, naming both.
"""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "results"


def memory_gib() -> float:
    with open("/proc/meminfo", encoding="utf-8") as meminfo:
        kib = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal:"))
    return round(kib / 1024**2, 1)


def save(name: str, figures: dict, table: dict, load_before: float) -> Path:
    """Write the run's figures and table, with when and where it ran, to bench/results/<name>.json."""
    for column in ("caption", "columns", "rows"):
        if column not in table:
            raise ValueError(f"the table of {name} needs {column!r}")
    record = {
        "bench": name,
        "command": f"make bench ONLY={name}",
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%MZ"),
        "machine": {
            "cores": os.cpu_count(),
            "memory_gib": memory_gib(),
            "load_before": round(load_before, 1),
            "load_after": round(os.getloadavg()[0], 1),
            "system": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        },
        "figures": figures,
        "table": table,
    }
    FOLDER.mkdir(exist_ok=True)
    path = FOLDER / f"{name}.json"
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"saved to {path.relative_to(FOLDER.parent.parent)}: commit it for the book to show these figures")
    return path
