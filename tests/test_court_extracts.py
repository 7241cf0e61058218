"""The synthetic court extract generator: deterministic, the agreed value lists, documented defect shares."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from court_cases_etl import extracts as gen


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.glob("*.csv")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def read_rows(manifest: gen.Manifest) -> list[dict]:
    rows = []
    for path in manifest.paths():
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                rows.append({**row, "file": path.name})
    return rows


@pytest.fixture(scope="module")
def extracts(tmp_path_factory):
    folder = tmp_path_factory.mktemp("extracts")
    return gen.generate_extracts(folder, cases=3000, days=20)


def test_value_lists_are_the_contract():
    # The offence categories are defined once, in the generator; the dbt project's seed and
    # accepted values are checked against them (test_court_timeliness_dbt.py).
    assert len(set(gen.OFFENCE_CATEGORIES)) == len(gen.OFFENCE_CATEGORIES) == len(gen.OFFENCE_WEIGHTS) >= 2
    assert abs(sum(gen.OFFENCE_WEIGHTS) - 1) < 1e-9 and min(gen.OFFENCE_WEIGHTS) > 0
    assert gen.OUTCOMES == ("convicted", "acquitted", "dismissed", "withdrawn")
    courts = gen.courts_frame()
    assert list(courts.columns) == ["court_code", "court_name", "court_type", "region"]
    assert courts["court_code"].is_unique
    assert set(courts["court_type"]) == {"crown", "magistrates"}
    assert not set(gen.UNKNOWN_COURT_CODES) & set(gen.COURT_CODES)


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    a = gen.generate_extracts(tmp_path / "a", cases=300, days=6)
    b = gen.generate_extracts(tmp_path / "b", cases=300, days=6)
    gen.generate_extracts(tmp_path / "c", cases=300, days=6, seed=7)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a") != digest(tmp_path / "c")
    assert a.defects == b.defects and a.rows == b.rows


def test_regenerating_replaces_the_old_files(tmp_path):
    gen.generate_extracts(tmp_path, cases=100, days=8)
    manifest = gen.generate_extracts(tmp_path, cases=100, days=3)
    assert sorted(p.name for p in tmp_path.glob("*.csv")) == manifest.files
    assert len(manifest.files) == 3


def test_one_file_a_day_with_the_agreed_header(extracts):
    assert extracts.files == [gen.file_name(d) for d in range(20)]
    for path in extracts.paths():
        assert path.read_text(encoding="utf-8").split("\n", 1)[0] == ",".join(gen.COLUMNS)


def test_rows_carry_their_extract_time_except_the_resent_duplicates(extracts):
    rows = read_rows(extracts)
    assert len(rows) == extracts.rows
    stamp_of = {gen.file_name(d): gen.extract_time(d).strftime("%Y-%m-%dT%H:%M:%SZ") for d in range(20)}
    late = [r for r in rows if r["extraction_timestamp"] != stamp_of[r["file"]]]
    # Only the rows sent again in the next day's file carry an older time.
    assert len(late) == extracts.defects["duplicate_across_files"]
    assert all(r["extraction_timestamp"] < stamp_of[r["file"]] for r in late)


def test_later_extracts_update_and_delete_earlier_cases(extracts):
    rows = read_rows(extracts)
    first_file = {}
    ops = defaultdict(list)
    for r in rows:
        if r["op"] == "I":
            first_file.setdefault(r["case_id"], r["file"])
        ops[r["case_id"]].append(r["op"])
    counts = Counter(r["op"] for r in rows)
    assert counts["I"] > counts["U"] > counts["D"] > 0
    updated_later = sum(1 for r in rows if r["op"] == "U" and r["file"] > first_file.get(r["case_id"], "~"))
    deleted_later = sum(1 for r in rows if r["op"] == "D" and r["file"] > first_file.get(r["case_id"], "~"))
    # Cases take weeks to months to complete, so in 20 days about 1 case in 7 is updated.
    assert updated_later > 0.1 * extracts.cases
    assert deleted_later > 0.01 * extracts.cases


def test_defect_shares_are_as_documented(extracts):
    for kind, rate in gen.DEFECT_RATES.items():
        assert extracts.defects[kind] == round(rate * extracts.clean_events), kind
    injected = sum(extracts.defects.values())
    extra_rows = extracts.defects["duplicate_in_file"] + extracts.defects["duplicate_across_files"]
    assert extracts.rows == extracts.clean_events + extra_rows
    assert 0.03 < injected / extracts.clean_events < 0.05


def test_each_defect_looks_as_documented(extracts):
    rows = read_rows(extracts)
    unknown_court = [r for r in rows if r["court_code"] in gen.UNKNOWN_COURT_CODES]
    assert len(unknown_court) == extracts.defects["unknown_court"]
    impossible = {"2024-02-30", "2023-13-07", "2023-11-31", "2024-00-12"}
    assert sum(r["received_date"] in impossible for r in rows) == extracts.defects["impossible_date"]
    uk_or_tbc = [r for r in rows if "/" in r["received_date"] or r["received_date"] == "TBC"]
    assert len(uk_or_tbc) == extracts.defects["unparseable_date"]
    before = [
        r for r in rows if r["completed_date"] and r["received_date"][:4].isdigit() and "/" not in r["received_date"]
    ]
    backwards = [r for r in before if r["received_date"] not in impossible and r["completed_date"] < r["received_date"]]
    assert len(backwards) == extracts.defects["completed_before_received"]
    keys = Counter((r["file"], tuple(r[c] for c in gen.COLUMNS)) for r in rows)
    assert sum(n - 1 for n in keys.values()) == extracts.defects["duplicate_in_file"]
    messy = [
        r for r in rows if r["court_code"].startswith(" ") or r["offence_category"] != r["offence_category"].lower()
    ]
    assert len(messy) == extracts.messy_rows > 0


def test_needs_a_sensible_size(tmp_path):
    with pytest.raises(ValueError, match="at least 1 case and 2 days"):
        gen.generate_extracts(tmp_path, cases=0, days=5)
