"""Benchmark figures on a page are the saved results of the benchmark (tools/bench_results.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from bs4 import BeautifulSoup

from bench_results import BenchError, figure, load, long_date
from conftest import ROOT

SAVED = sorted((ROOT / "bench" / "results").glob("*.json"))


def test_the_book_quotes_saved_results():
    assert {path.stem for path in SAVED} >= {"dbt", "linkage_spark"}


@pytest.mark.parametrize("path", SAVED, ids=lambda p: p.stem)
def test_each_result_says_when_and_where_it_ran(path):
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["bench"] == path.stem and record["command"] == f"make bench ONLY={path.stem}"
    assert long_date(record["measured_at"])  # a date the page can say in words
    assert {"cores", "memory_gib", "load_before", "load_after"} <= record["machine"].keys()
    assert record["table"]["rows"] and all(
        len(row) == len(record["table"]["columns"]) for row in record["table"]["rows"]
    )


def test_the_at_scale_page_shows_each_saved_table_and_figure(built_book):
    page = BeautifulSoup(built_book.page("book/at_scale").read_text(encoding="utf-8"), "html.parser")
    captions = {caption.get_text(" ", strip=True): caption.find_parent("table") for caption in page.find_all("caption")}
    for name in ("dbt", "linkage_spark"):
        record, _ = load(ROOT, name)
        start = record["table"]["caption"][:20]  # its caption's start ("Table N" before it, quotes curled after)
        table = next((t for c, t in captions.items() if start in c), None)
        assert table is not None, f"the At scale page has no table of the {name} benchmark"
        shown = [
            [cell.get_text(strip=True) for cell in row.find_all(["td", "th"])] for row in table.tbody.find_all("tr")
        ]
        assert shown == [[str(cell) for cell in row] for row in record["table"]["rows"]]
        assert f"Measured on {long_date(record['measured_at'])}" in table.caption.get_text(" ", strip=True)
    figures = [span.get_text() for span in page.find_all(class_="app-bench-figure")]
    spark_start, _ = load(ROOT, "dbt")
    assert f"{spark_start['figures']['spark_start_s']:.0f}" in figures


def test_a_figure_the_results_do_not_hold_is_an_error_naming_it():
    record, _ = load(ROOT, "dbt")
    with pytest.raises(BenchError, match="saved no figure 'no_such_figure'.*make bench ONLY=dbt"):
        figure(record, "no_such_figure", "")
    with pytest.raises(BenchError, match=r"no saved results for the benchmark 'nope'.*make bench ONLY=nope"):
        load(ROOT, "nope")
    assert figure(record, "nodes", "d") == str(record["figures"]["nodes"])


def test_the_spark_bench_times_dbt_with_a_hive_metastore_as_a_run_by_hand(tmp_path):
    """The At scale page says Spark's session start includes a Hive metastore, as a dbt run by
    hand has: the bench's plan asks for one (the tests' plans use Spark's in-memory catalog)."""
    probe = (
        "import json, sys; from pathlib import Path; sys.path.insert(0, 'bench'); import bench_dbt; "
        "print(json.dumps(bench_dbt.spark_plan(Path(sys.argv[1]), Path(sys.argv[2]))))"
    )
    ran = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path / "curated"), str(tmp_path / "work")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    plan = json.loads(ran.stdout)
    assert plan["hive"] is True, plan
    assert [step["dbt"][0] for step in plan["steps"]].count("build") >= 3, plan["steps"]
