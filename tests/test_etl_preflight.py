"""The checks on a whole file before DuckDB reads it (court_cases_etl.preflight): the
independent count of records, the line ends, and the fingerprint."""

from __future__ import annotations

import hashlib
import random

import duckdb
import pytest

from court_cases_etl import extracts as gen
from court_cases_etl import preflight

HEADER = ",".join(gen.COLUMNS)
GOOD = "CASE-{:06d},C101,theft,2024-01-02,,,I,2024-01-05T02:00:00Z"


def duckdb_records(path) -> int:
    """What DuckDB's CSV reader makes of a file: rows it could split plus lines it could not."""
    con = duckdb.connect()
    columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in gen.COLUMNS) + "}"
    rows = con.execute(
        f"SELECT count(*) FROM (SELECT * FROM read_csv('{path}', columns = {columns}, header = true, "
        "auto_detect = false, strict_mode = true, max_line_size = 2000000, store_rejects = true))"
    ).fetchall()[0][0]
    return rows + con.execute("SELECT count(DISTINCT line) FROM reject_errors").fetchall()[0][0]


def random_file(rng: random.Random, end: str, quotes: bool) -> str:
    lines = [HEADER]
    for i in range(rng.randint(0, 15)):
        kind = rng.random()
        if kind < 0.15:
            lines.append("")  # a blank line: not a record
        elif kind < 0.25:
            lines.append("CASE-1,cut,short")  # too few values: a record DuckDB cannot split
        elif kind < 0.3:
            lines.append("   ")  # spaces only: a record, too few values
        elif quotes and kind < 0.45:
            lines.append(GOOD.format(i).replace("theft", '"theft, with\na line break"'))
        else:
            lines.append(GOOD.format(i))
    text = end.join(lines) + (end if rng.random() < 0.8 else "")
    return text + end * rng.randint(0, 2) * (rng.random() < 0.3)


@pytest.mark.slow  # hundreds of random files, read three ways (seconds each)
@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_the_count_agrees_with_two_other_readers_on_random_files(tmp_path, monkeypatch, end):
    """Counted from the bytes (at any block size), or with Python's csv module, or by DuckDB: the same."""
    rng = random.Random(len(end) * 1000 + ord(end[0]))  # the same files in every run (hash() of a str is not)
    for trial in range(60):
        quotes = trial % 3 == 0
        path = tmp_path / f"f{trial}.csv"
        path.write_bytes(random_file(rng, end, quotes).encode())
        by_csv = preflight.inspect(path, "csv").records
        counts = {"csv": by_csv, "duckdb": duckdb_records(path)}
        if not quotes:
            for block in (1, 2, 3, 5, 1 << 22):  # blocks so small that every pattern spans two
                monkeypatch.setattr(preflight, "BLOCK", block)
                counts[f"bytes, block {block}"] = preflight.inspect(path, "bytes").records
        assert len(set(counts.values())) == 1, (trial, counts, path.read_bytes())
        assert preflight.inspect(path).line_end == end or by_csv == 0


def test_a_file_with_quotes_is_counted_by_the_csv_module(tmp_path):
    path = tmp_path / "quoted.csv"
    quoted = GOOD.format(1).replace("theft", '"a\nb"')
    path.write_bytes(f"{HEADER}\n{quoted}\n".encode())
    assert path.read_bytes().count(b"\n") == 3  # three line ends, two records...
    assert preflight.inspect(path).records == 1  # ... one of them after the header
    with pytest.raises(ValueError, match="can only be counted with method='csv'"):
        preflight.inspect(path, "bytes")


@pytest.mark.parametrize("thread_block", [0, 1 << 16], ids=["hashed on a thread", "hashed in turn"])
def test_the_fingerprint_is_the_files_sha256(tmp_path, monkeypatch, thread_block):
    path = tmp_path / "f.csv"
    path.write_bytes(("\n".join([HEADER, *(GOOD.format(i) for i in range(5000))]) + "\n").encode())
    monkeypatch.setattr(preflight, "BLOCK", 4096)  # many blocks, each hashed in its order
    monkeypatch.setattr(preflight, "THREAD_BLOCK", thread_block)
    facts = preflight.inspect(path)
    assert facts.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert facts.size == path.stat().st_size and facts.records == 5000
    assert facts.columns == gen.COLUMNS


@pytest.mark.parametrize(
    "text, first, other",
    [
        ("H\nA\nB\r\nC\n", (1, "\n"), (3, "\r\n")),
        ("H\r\nA\r\nB\r\nC\n", (1, "\r\n"), (4, "\n")),
        ("H\rA\nB\n", (1, "\r"), (2, "\n")),
        ("H\nA\nB\r", (1, "\n"), (3, "\r")),  # a lone CR at the very end
        ("H\r\r\nA\r\r\n", (1, "\r"), (2, "\r\n")),
    ],
)
def test_the_first_change_of_line_end_is_found_at_any_block_size(tmp_path, monkeypatch, text, first, other):
    path = tmp_path / "mixed.csv"
    path.write_bytes(text.replace("H", HEADER).encode())
    for block in (1, 2, 3, 1 << 22):
        monkeypatch.setattr(preflight, "BLOCK", block)
        assert preflight._first_change_of_line_end(path) == (first, other), block
        with pytest.raises(preflight.ExtractRejected, match=f"line {first[0]} ends in .* but line {other[0]} in"):
            preflight.inspect(path)


def test_a_crlf_split_across_two_blocks_is_one_line_end(tmp_path, monkeypatch):
    path = tmp_path / "crlf.csv"
    path.write_bytes((HEADER + "\r\n" + GOOD.format(1) + "\r\n").encode())
    monkeypatch.setattr(preflight, "BLOCK", len(HEADER) + 1)  # the first block ends between \r and \n
    facts = preflight.inspect(path)
    assert (facts.line_end, facts.records) == ("\r\n", 1)


def test_the_header_of_a_file_with_cr_line_ends_is_read(tmp_path):
    path = tmp_path / "mac.csv"
    path.write_bytes((HEADER + "\r" + GOOD.format(1) + "\r").encode())
    assert preflight.read_header(path) == list(gen.COLUMNS)
