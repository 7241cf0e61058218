"""How long `make book` takes: cold, with nothing changed, and after editing one page.

    make bench ONLY=build

Runs in a throw-away clone of the repository under /tmp (the committed files,
with this checkout's .venv and node_modules linked in), never in the shared
_build. Each case runs 5 times; the table gives the median, the fastest and the
slowest, in seconds, through `make book` as a maintainer runs it.

- cold: `_build` removed first, so every notebook executes;
- nothing changed: `make book` again;
- one page edited: a sentence appended to book/contact.md (then taken out and
  rebuilt, untimed, before the next round). It must execute no notebook: the
  build log must not say "Executing notebook" and the jupyter-cache records
  must be the same before and after.

Goals: nothing changed under 2 s; one page edited under 3 s and no notebook run.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5
PAGE = Path("book/contact.md")
GOALS = {"nothing changed": 2.0, "one page edited": 3.0}
EXECUTING = re.compile(r"^(\S+\.ipynb): Executing notebook using", re.M)


def make_book(repo: Path, stamps: Path) -> tuple[float, str]:
    command = [
        "make",
        "--no-print-directory",
        "book",
        f"STAMP={stamps / 'venv'}",
        f"NODE_STAMP={stamps / 'node'}",
    ]
    env = {**os.environ, "MAKEFLAGS": "", "NO_COLOR": "1", "DO_NOT_TRACK": "1"}
    started = time.perf_counter()
    result = subprocess.run(command, cwd=repo, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    log = result.stdout + result.stderr
    if result.returncode != 0:
        sys.exit(f"make book failed in {repo}:\n{log[-4000:]}")
    return elapsed, log


def cache_records(repo: Path) -> list[tuple]:
    """(id, notebook, when it was executed) for each notebook in the execution cache."""
    from jupyter_cache import get_cache

    cache_dir = repo / "_build" / ".jupyter_cache"
    if not cache_dir.exists():
        return []
    return sorted((r.pk, r.uri, str(r.created)) for r in get_cache(cache_dir).list_cache_records())


def executed(log: str) -> int:
    """How many notebooks the build executed, from myst-nb's log lines."""
    return len(set(EXECUTING.findall(log)))


def clone() -> tuple[Path, Path]:
    base = Path(tempfile.mkdtemp(prefix="bench-build-"))
    repo = base / "repo"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(repo)], check=True)
    for name in (".venv", "node_modules"):
        if (ROOT / name).exists():
            (repo / name).symlink_to(ROOT / name)
    stamps = base / "stamps"
    stamps.mkdir()
    (stamps / "venv").touch()  # the linked installs are up to date: make must not reinstall them
    (stamps / "node").touch()
    return base, repo


def row(name: str, times: list[float], notebooks: str) -> str:
    median = statistics.median(times)
    goal = GOALS.get(name)
    verdict = "-" if goal is None else (f"under {goal:g} s: {'yes' if median < goal else 'NO'}")
    return f"| {name} | {median:.2f} | {min(times):.2f} | {max(times):.2f} | {notebooks} | {verdict} |"


def main() -> int:
    base, repo = clone()
    try:
        cold, warm, edit = [], [], []
        cold_runs = []
        for _ in range(RUNS):
            shutil.rmtree(repo / "_build", ignore_errors=True)
            seconds, log = make_book(repo, base / "stamps")
            cold.append(seconds)
            cold_runs.append(executed(log))
        warm_runs = []
        for _ in range(RUNS):
            seconds, log = make_book(repo, base / "stamps")
            warm.append(seconds)
            warm_runs.append(executed(log))
        page = repo / PAGE
        original = page.read_text(encoding="utf-8")
        edit_runs, cache_same = [], []
        for i in range(RUNS):
            before = cache_records(repo)
            page.write_text(original + f"\nAn extra sentence for the benchmark, round {i}.\n", encoding="utf-8")
            seconds, log = make_book(repo, base / "stamps")
            edit.append(seconds)
            edit_runs.append(executed(log))
            cache_same.append(cache_records(repo) == before and before != [])
            if f"round {i}" not in (repo / "_build/html" / PAGE.with_suffix(".html")).read_text(encoding="utf-8"):
                sys.exit(f"the edit to {PAGE} is not in the built page: the rebuild was skipped")
            page.write_text(original, encoding="utf-8")
            make_book(repo, base / "stamps")  # back to the committed page, untimed
        notebooks = len(cache_records(repo))
        print(f"`make book` in a clone of {ROOT.name}, {RUNS} runs each; {notebooks} notebook(s) in the cache.")
        print("| case | median (s) | fastest | slowest | notebooks executed per run | goal |")
        print("| --- | --- | --- | --- | --- | --- |")
        print(row("cold (no _build)", cold, f"{max(cold_runs)}"))
        print(row("nothing changed", warm, f"{max(warm_runs)}"))
        same = "cache unchanged" if all(cache_same) else "CACHE CHANGED"
        print(row("one page edited", edit, f"{max(edit_runs)} ({same})"))
        ok = (
            statistics.median(warm) < GOALS["nothing changed"]
            and statistics.median(edit) < GOALS["one page edited"]
            and max(edit_runs) == 0
            and all(cache_same)
        )
        print("All goals met." if ok else "A goal is NOT met: see the table.")
        return 0
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
