"""Benchmark figures on a page come from the benchmark's saved results, never typed.

`make bench` saves each benchmark's figures, with the date and the machine it ran on, in
``bench/results/<name>.json`` (bench/results.py). A page quotes them with

    {bench}`dbt.spark_start_s:.0f`       a figure, with an optional format spec
    {bench}`dbt.measured_on`             the date it ran, in words (3 December 2026)
    {bench}`dbt.machine`                 the machine: cores, memory and load before and after

    ```{bench-table} dbt
    ```                                  the benchmark's table, captioned with when and where it ran

A figure the file does not hold, or a file that is missing, is an error that fails the build,
naming the page, the figure and the command that makes it. Each page that quotes a benchmark is
read again when its results change.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from moj_book import review
from sphinx.util.docutils import SphinxDirective, SphinxRole

FOLDER = "bench/results"


class BenchError(LookupError):
    pass


def load(confdir: str | Path, name: str) -> tuple[dict, Path]:
    path = Path(confdir) / FOLDER / f"{name}.json"
    if not path.is_file():
        raise BenchError(
            f"no saved results for the benchmark {name!r} ({FOLDER}/{name}.json): run `make bench ONLY={name}`"
        )
    return json.loads(path.read_text(encoding="utf-8")), path


def long_date(stamp: str) -> str:
    """The day a result was measured, as the pages write dates (2 December 2026)."""
    return review.long_date(dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%MZ").date())


def machine(record: dict) -> str:
    m = record["machine"]
    return (
        f"a machine with {m['cores']} cores and {m['memory_gib']:.0f} GiB of memory "
        f"(load average {m['load_before']:.1f} before and {m['load_after']:.1f} after)"
    )


def figure(record: dict, key: str, spec: str) -> str:
    if key == "measured_on":
        return long_date(record["measured_at"])
    if key == "machine":
        return machine(record)
    figures = record["figures"]
    if key not in figures:
        raise BenchError(
            f"the benchmark {record['bench']!r} saved no figure {key!r} (it has {', '.join(sorted(figures))}): "
            f"change the page, or the benchmark and run `{record['command']}`"
        )
    value = figures[key]
    return format(value, spec) if spec else str(value)


class BenchRole(SphinxRole):
    def run(self):
        target, _, spec = self.text.strip().partition(":")
        name, _, key = target.partition(".")
        try:
            record, path = load(self.env.srcdir, name)
            self.env.note_dependency(str(path))
            text = figure(record, key, spec)
        except (BenchError, ValueError) as error:
            message = self.inliner.reporter.error(f"{{bench}}`{self.text}`: {error}", line=self.lineno)
            return [self.inliner.problematic(self.rawtext, self.rawtext, message)], [message]
        return [nodes.inline(text, text, classes=["app-bench-figure"])], []


class BenchTable(SphinxDirective):
    """The benchmark's table as a Markdown table, its caption saying when and where it ran."""

    required_arguments = 1

    def run(self):
        name = self.arguments[0]
        try:
            record, path = load(self.env.srcdir, name)
        except BenchError as error:
            raise self.error(f"{{bench-table}} {name}: {error}") from None
        self.env.note_dependency(str(path))
        table = record["table"]
        align = table.get("align") or ["left"] * len(table["columns"])
        rule = {"left": "---", "right": "---:", "center": ":---:"}
        caption = (
            f"{table['caption']} Measured on {long_date(record['measured_at'])} on {machine(record)}, "
            f"by `{record['command']}`."
        )

        def line(cells) -> str:
            return "| " + " | ".join(str(cell).replace("|", "\\|") for cell in cells) + " |"

        # A colon fence: a backtick fence's opening line may not hold the caption's inline code.
        text = [
            f":::{{table}} {caption}",
            line(table["columns"]),
            line(rule[a] for a in align),
            *(line(row) for row in table["rows"]),
            ":::",
        ]
        holder = nodes.container()
        self.state.nested_parse(StringList(text, source=str(path)), self.content_offset, holder)
        return holder.children


def setup(app):
    app.add_role("bench", BenchRole())
    app.add_directive("bench-table", BenchTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
