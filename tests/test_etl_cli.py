"""The pipeline's command line, run as an orchestrator runs it: exit codes, the summary,
the progress bar, and `make etl`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT
from court_cases_etl import cli
from court_cases_etl import extracts as gen
from court_cases_etl import pipeline as etl

pytestmark = pytest.mark.slow  # runs the ETL's command line in processes of its own (see the markers in pyproject.toml)


def etl_command(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "court_cases_etl", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def extracts(tmp_path_factory) -> gen.Manifest:
    return gen.generate_extracts(tmp_path_factory.mktemp("extracts"), cases=300, days=5)


def test_help_names_the_commands_and_every_exit_code():
    result = etl_command("--help")
    assert result.returncode == 0
    for text in (
        "load",
        "generate",
        "exit status:",
        "0  every file loaded",
        "1  at least one file was refused",
        "2  bad usage",
        "3  the load failed and was rolled back",
    ):
        assert text in result.stdout
    load_help = etl_command("load", "--help")
    assert load_help.returncode == 0 and "EXTRACT_DIR" in load_help.stdout and "--output" in load_help.stdout


def test_exit_0_when_every_file_loads_and_reconciles_and_again_when_nothing_is_new(extracts, tmp_path):
    result = etl_command("load", extracts.folder, "--output", str(tmp_path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for name in extracts.files:
        assert any(line.startswith(name) and " loaded " in line for line in lines), name
    assert (
        f"This run: {len(extracts.files)} loaded, 0 already loaded, 0 refused. {extracts.rows:,} rows read = "
        in result.stdout
    )
    manifest = json.loads((tmp_path / "curated" / "_manifest.json").read_text())
    assert manifest["raw_rows"] == extracts.rows and manifest["files"] == len(extracts.files)
    # The progress bar goes to standard error, the summary to standard output.
    assert "Loading extracts" in result.stderr and "100%" in result.stderr
    assert "Loading extracts" not in result.stdout
    again = etl_command("load", extracts.folder, "--output", str(tmp_path), "--no-progress")
    assert again.returncode == 0 and again.stderr == ""
    assert f"This run: 0 loaded, {len(extracts.files)} already loaded, 0 refused." in again.stdout
    con = duckdb.connect(str(tmp_path / "courts.duckdb"))
    assert con.execute("SELECT count(*), sum(rows_read) FROM reconciliation").fetchall() == [
        (len(extracts.files), extracts.rows)
    ]


def test_exit_1_when_a_file_is_refused_and_the_others_still_load(extracts, tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(extracts.folder, folder)
    refused = folder / "court_cases_2024-01-03.csv"
    refused.write_text(refused.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    result = etl_command("load", str(folder), "--output", str(tmp_path / "out"), "--no-progress")
    assert result.returncode == 1, result.stderr
    assert f"This run: {len(extracts.files) - 1} loaded, 0 already loaded, 1 refused." in result.stdout
    assert "Refused: court_cases_2024-01-03.csv: refused, the header is separated by ';'" in result.stdout
    con = duckdb.connect(str(tmp_path / "out" / "courts.duckdb"))
    loaded = [name for (name,) in con.execute("SELECT file_name FROM loads ORDER BY load_id").fetchall()]
    assert loaded == [name for name in extracts.files if name != refused.name]
    assert (tmp_path / "out" / "curated" / "_manifest.json").is_file()


def test_exit_1_without_a_traceback_when_every_file_is_refused(extracts, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in extracts.files[:2]:
        text = (Path(extracts.folder) / name).read_text(encoding="utf-8")
        (folder / name).write_text(text.replace(",", ";"), encoding="utf-8")
    result = etl_command("load", str(folder), "--output", str(tmp_path / "out"), "--no-progress")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "This run: 0 loaded, 0 already loaded, 2 refused." in result.stdout
    assert result.stdout.count("the header is separated by ';'") == 2
    assert "Nothing was published: no file has loaded into this database yet." in result.stdout
    assert not (tmp_path / "out" / "curated").exists()


def test_exit_2_on_bad_usage_reaches_the_shell():
    result = etl_command("unload", "x")
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "invalid choice: 'unload'" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        ((), "the following arguments are required: COMMAND"),
        (("load",), "the following arguments are required: EXTRACT_DIR, --output"),
        (("unload", "x"), "invalid choice: 'unload'"),
        (("load", "/no/such/folder", "--output", "out"), "/no/such/folder is not a folder"),
        (("load", "EMPTY", "--output", "out"), "holds no court_cases_*.csv files"),
        (("generate", "out", "--cases", "0"), "need at least 1 case"),
    ],
)
def test_exit_2_on_bad_usage(tmp_path, args, message, capsys):
    """In this process, as `python -m court_cases_etl` runs it (``sys.exit(main())``): the test above
    shows that the status reaches the shell; these, the message of each kind of bad usage."""
    args = [str(tmp_path) if a == "EMPTY" else str(tmp_path / a) if a in ("out",) else a for a in args]
    try:
        status = cli.main(args)
    except SystemExit as stop:  # argparse's own errors exit from within main
        status = stop.code
    out, err = capsys.readouterr()
    assert status == 2, (out, err)
    assert message in err
    assert not (tmp_path / "out" / "curated").exists()


def test_exit_3_when_the_load_fails_and_is_rolled_back(extracts, tmp_path, monkeypatch, capsys):
    real_sql = etl.sql

    def losing_sql(step):  # a pipeline bug: silver loses a row, so the batch cannot reconcile
        text = real_sql(step)
        return text.replace("USING (load_id, row_number);", "USING (load_id, row_number) WHERE row_number > 1;")

    monkeypatch.setattr(etl, "sql", losing_sql)
    assert cli.main(["load", extracts.folder, "--output", str(tmp_path), "--no-progress"]) == 3
    err = capsys.readouterr().err
    assert "The load failed and was rolled back; the database is as it was." in err
    assert "rows read" in err
    con = duckdb.connect(str(tmp_path / "courts.duckdb"))
    assert con.execute("SELECT count(*) FROM loads").fetchall() == [(0,)]
    assert not (tmp_path / "curated").exists()


def test_exit_3_when_the_database_was_made_by_another_version(extracts, tmp_path):
    etl.connect(tmp_path / "courts.duckdb").close()
    duckdb.connect(str(tmp_path / "courts.duckdb")).execute("UPDATE pipeline_schema SET version = 1").close()
    result = etl_command("load", extracts.folder, "--output", str(tmp_path), "--no-progress")
    assert result.returncode == 3
    assert "made by another version of the pipeline" in result.stderr


def test_generate_writes_the_extracts_the_load_reads(tmp_path):
    result = etl_command("generate", str(tmp_path / "gen"), "--cases", "50", "--days", "3")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "gen").glob("*.csv")) == [gen.file_name(d) for d in range(3)]


def test_make_etl_wraps_the_command(extracts, tmp_path):
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    result = subprocess.run(
        [make, "--no-print-directory", "etl", f"EXTRACTS={extracts.folder}", f"ETL_OUTPUT={tmp_path}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"This run: {len(extracts.files)} loaded" in result.stdout
    assert Path(tmp_path, "curated", "_manifest.json").is_file()


def test_exit_2_naming_the_line_when_rules_toml_cannot_work(extracts, tmp_path, monkeypatch, capsys):
    from court_cases_etl import rules

    broken = tmp_path / "rules.toml"
    text = rules.RULES_FILE.read_text(encoding="utf-8")
    broken.write_text(
        text.replace("condition = 'longest_value > 64'", "condition = 'longest_valu > 64'"), encoding="utf-8"
    )
    monkeypatch.setattr(rules, "RULES_FILE", broken)
    assert cli.main(["load", extracts.folder, "--output", str(tmp_path / "out"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("python -m court_cases_etl load: error: rules.toml, line ") and "Traceback" not in err, err
    assert "rule 'field_too_long': DuckDB cannot use its condition" in err
    assert not (tmp_path / "out").exists()


def test_exit_2_when_contract_toml_cannot_work_and_the_package_still_imports(extracts, tmp_path, monkeypatch, capsys):
    from court_cases_etl import contract

    broken = tmp_path / "contract.toml"
    broken.write_text(contract.CONTRACT_FILE.read_text(encoding="utf-8") + "oops =\n", encoding="utf-8")
    monkeypatch.setattr(contract, "CONTRACT_FILE", broken)
    assert cli.main(["load", extracts.folder, "--output", str(tmp_path / "out"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("python -m court_cases_etl load: error: contract.toml: it is not valid TOML"), err
