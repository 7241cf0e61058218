"""Lint dbt models with SQLFluff from their own dbt project's folder.

    python tools/sqlfluff_dbt.py notebooks/court_timeliness_dbt/court_timeliness/models/marts/dim_dates.sql ...

SQLFluff takes the dbt templater only from a .sqlfluff in the folder it runs
in, so a pre-commit hook that runs it from the repository root falls back to
plain Jinja and reports `dbt` as undefined. This runs `sqlfluff lint` once per
dbt project (the nearest folder above each file holding dbt_project.yml), in
that folder, with the project's own .sqlfluff. Exit status: 1 if any file has a
lint error, 0 otherwise.

The dbt templater opens the project's database to compile the models. Where a
DuckDB profile takes its file from an environment variable
(`path: "{{ env_var('NAME', ...) }}"`), the variable is pointed at a throw-away
file, so linting works on a fresh clone and never touches a real database.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

BIN = Path(sys.executable).parent
DATABASE_ENV = re.compile(r"^\s*path:.*env_var\(\s*['\"](\w+)['\"]", re.M)


def dbt_project_of(path: Path) -> Path | None:
    for folder in path.resolve().parents:
        if (folder / "dbt_project.yml").is_file():
            return folder
    return None


def main(argv: list[str] | None = None) -> int:
    files = [Path(a) for a in (sys.argv[1:] if argv is None else argv)]
    by_project: dict[Path, list[str]] = defaultdict(list)
    status = 0
    for file in files:
        project = dbt_project_of(file)
        if project is None:
            print(f"{file}: no dbt_project.yml in any folder above it. Keep dbt models inside a dbt project.")
            status = 1
            continue
        by_project[project].append(os.path.relpath(file.resolve(), project))
    for project, relative in sorted(by_project.items()):
        env = {**os.environ, "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}
        profiles = project / "profiles.yml"
        names = DATABASE_ENV.findall(profiles.read_text(encoding="utf-8")) if profiles.exists() else []
        command = [str(BIN / "sqlfluff"), "lint", "--disable-progress-bar", "--processes", "1", *sorted(relative)]
        with tempfile.TemporaryDirectory(prefix="sqlfluff-dbt-") as scratch:
            env.update({name: str(Path(scratch) / "lint.duckdb") for name in names})
            result = subprocess.run(command, cwd=project, env=env)
        if result.returncode != 0:
            print(f"SQLFluff found problems in {project} (paths above are relative to it).")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
