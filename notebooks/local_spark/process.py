"""Run a Python module in a process of its own, optionally with no network, and read its summary.

    summary = run_module(["people_linkage.on_spark", in_dir, out_dir], out_dir, "the linkage on Spark")

Starting Spark takes seconds and holds a Java gateway, console output and memory; the
examples' Spark runs (``court_timeliness_dbt.on_spark``, ``people_linkage.on_spark``) start
it in a child process that does its work and writes ``summary.json`` to its work folder.
With ``offline=True`` the child runs behind ``offline.offline_command()``: no network but
loopback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .java import JavaNotFound, java_problem
from .offline import offline_command


def run_module(
    command: list[str], work: Path, what: str, offline: bool = False, cwd: Path | None = None, timeout: float = 900
) -> dict:
    """Run ``python -m <command>`` in a new process (with no network if ``offline``) that writes
    ``work/summary.json``; return that summary, with ``offline`` saying how it ran.

    The process's output, Spark's console included, goes to work/worker.log. Raises
    RuntimeError, with the end of that log, if the process fails (``what`` names it); and if
    ``offline`` is asked for where it cannot be had, rather than run online unseen. Raises
    JavaNotFound first if there is no Java new enough for Spark.
    """
    problem = java_problem()
    if problem:
        raise JavaNotFound(problem)
    prefix: list[str] = []
    if offline:
        found, reason = offline_command()
        if found is None:
            raise RuntimeError(f"cannot run {what} offline: {reason}")
        prefix = found
    work = Path(work)
    log = work / "worker.log"
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run(
            [*prefix, sys.executable, "-m", *command],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=cwd or work,
            timeout=timeout,
        )
    if done.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-4000:]
        raise RuntimeError(f"{what} failed (exit status {done.returncode}); the end of {log}:\n{tail}")
    summary = json.loads((work / "summary.json").read_text(encoding="utf-8"))
    summary["offline"] = bool(prefix)
    return summary
