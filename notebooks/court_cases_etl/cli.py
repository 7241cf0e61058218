"""The pipeline's command line, as an orchestrator runs it.

    python -m court_cases_etl load EXTRACT_DIR --output DIR
    python -m court_cases_etl generate DIR --cases 10000 --days 30

``load`` loads every ``court_cases_*.csv`` in EXTRACT_DIR, in name order, as
one batch into the database (``DIR/courts.duckdb`` unless ``--database`` says
otherwise), then publishes ``DIR/curated/``. Files loaded before are skipped, so
running it every day loads only the new files. It shows a progress bar on
standard error and prints a reconciliation summary on standard output.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import duckdb

from . import contract, extracts, pipeline, rules

OK, REFUSED, USAGE, FAILED = 0, 1, 2, 3

EXIT_CODES = f"""exit status:
  {OK}  every file loaded (or was loaded before) and reconciled
  {REFUSED}  at least one file was refused whole; the others loaded and were published
  {USAGE}  bad usage: a wrong argument, no extract files where you said, or a mistake in
     contract.toml or rules.toml (the error names the line)
  {FAILED}  the load failed and was rolled back: the database is as it was
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own exit status for bad usage is 2 too; say so plainly
        self.print_usage(sys.stderr)
        self.exit(USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m court_cases_etl",
        description="Load court case extracts: validate, quarantine with reasons, keep history, publish Parquet.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    load = commands.add_parser(
        "load",
        help="load a folder of extract files and publish the curated output",
        description="Load every court_cases_*.csv in EXTRACT_DIR, in name order, as one batch; then publish "
        "OUTPUT/curated/. Files loaded before are skipped.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    load.add_argument("extract_dir", metavar="EXTRACT_DIR", type=Path, help="the folder of daily extract files")
    load.add_argument("--output", required=True, type=Path, help="where to write curated/ (and the database)")
    load.add_argument("--database", type=Path, help="the pipeline's database (default: OUTPUT/courts.duckdb)")
    load.add_argument("--no-progress", action="store_true", help="do not show the progress bar")
    generate = commands.add_parser(
        "generate",
        help="write synthetic daily extracts, with realistic defects, to try the pipeline on",
        description="Write synthetic daily extract files (seeded: the same arguments write the same bytes).",
    )
    generate.add_argument("folder", metavar="DIR", type=Path, help="the folder to write the files to")
    generate.add_argument(
        "--cases", type=int, default=pipeline.DEFAULT_CASES, help="distinct cases (default %(default)s)"
    )
    generate.add_argument("--days", type=int, default=pipeline.DEFAULT_DAYS, help="daily files (default %(default)s)")
    generate.add_argument("--seed", type=int, default=extracts.SEED, help="random seed (default %(default)s)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "generate":
        return _generate(args)
    return _load(args)


def _generate(args) -> int:
    try:
        manifest = extracts.generate_extracts(args.folder, cases=args.cases, days=args.days, seed=args.seed)
    except ValueError as error:
        print(f"python -m court_cases_etl generate: error: {error}", file=sys.stderr)
        return USAGE
    print(f"Wrote {len(manifest.files)} files, {manifest.rows:,} rows, to {args.folder}")
    return OK


def _load(args) -> int:
    folder: Path = args.extract_dir
    if not folder.is_dir():
        print(f"python -m court_cases_etl load: error: {folder} is not a folder", file=sys.stderr)
        return USAGE
    paths = sorted(folder.glob("court_cases_*.csv"))
    if not paths:
        print(
            f"python -m court_cases_etl load: error: {folder} holds no court_cases_*.csv files. "
            "Make some with: python -m court_cases_etl generate DIR",
            file=sys.stderr,
        )
        return USAGE
    try:  # the contract and the rules first: a mistake in them is named before anything is opened
        rules.load()
    except (rules.RulesError, contract.ContractError) as error:
        print(f"python -m court_cases_etl load: error: {error}", file=sys.stderr)
        return USAGE
    database = args.database or args.output / "courts.duckdb"
    database.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = pipeline.connect(database)
    except (RuntimeError, duckdb.Error) as error:
        print(f"Cannot open the database: {error}", file=sys.stderr)
        return FAILED
    try:
        try:
            results = pipeline.load_files(con, paths, progress=not args.no_progress, stream=sys.stderr)
        except (pipeline.ReconciliationError, duckdb.Error) as error:
            print(f"The load failed and was rolled back; the database is as it was.\n{error}", file=sys.stderr)
            return FAILED
        raw_rows, files = con.execute("SELECT coalesce(sum(rows_read), 0), count(*) FROM reconciliation").fetchall()[0]
        # With no file ever loaded there is nothing to publish: say so, beside the refusals.
        curated = (
            pipeline.publish(con, args.output, {"raw_rows": int(raw_rows), "files": int(files)}) if files else None
        )
        broken = con.execute(
            "SELECT rule, count(*) FROM quarantine WHERE list_contains(?, load_id) GROUP BY rule ORDER BY 2 DESC, 1",
            [[r.load_id for r in results if r.status == "loaded"]],
        ).fetchall()
    finally:
        con.close()
    print(summary(results, broken, curated))
    return REFUSED if any(r.status == "refused" for r in results) else OK


def summary(results: list[pipeline.LoadResult], rules: list[tuple[str, int]], curated: Path | None) -> str:
    """The reconciliation summary: one line per file, the totals, the rules broken, and each refusal."""
    width = max(len(r.file_name) for r in results)
    lines = [f"{'file':<{width}}  {'status':<14} {'rows read':>10} {'loaded':>10} {'quarantined':>12}"]
    for r in results:
        counts = "" if r.status == "refused" else f"{r.rows_read:>10,} {r.rows_loaded:>10,} {r.rows_quarantined:>12,}"
        lines.append(f"{r.file_name:<{width}}  {r.status:<14} {counts}".rstrip())
    done = [r for r in results if r.status == "loaded"]
    statuses = Counter(r.status for r in results)
    read, loaded, quarantined = (
        sum(getattr(r, f) for r in done) for f in ("rows_read", "rows_loaded", "rows_quarantined")
    )
    lines.append("")
    lines.append(
        f"This run: {statuses['loaded']} loaded, {statuses['already loaded']} already loaded, "
        f"{statuses['refused']} refused. {read:,} rows read = {loaded:,} loaded + {quarantined:,} quarantined."
    )
    if rules:
        lines.append("Quarantined by rule: " + ", ".join(f"{rule} {n:,}" for rule, n in rules) + ".")
    for r in results:
        if r.error is not None:
            lines.append(f"Refused: {r.error}")
    if curated is None:
        lines.append("Nothing was published: no file has loaded into this database yet. Fix the files refused above.")
    else:
        lines.append(f"Curated output: {curated}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
