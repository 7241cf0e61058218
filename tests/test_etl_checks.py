"""The ETL notebook's checks (court_cases_etl.checks): each passes on the pipeline as it is, and
stops a broken run saying what it found and what to do, never with a bare assert."""

from __future__ import annotations

import pandas as pd
import pytest

from court_cases_etl import charts, checks, pipeline
from court_cases_etl import extracts as gen
from example_output import figures


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> gen.Manifest:
    return gen.generate_extracts(tmp_path_factory.mktemp("extracts"), cases=300, days=4)


@pytest.fixture
def loaded(manifest):
    con = pipeline.connect()
    results = pipeline.load_files(con, manifest.paths())
    yield con, results
    con.close()


def quarantined(con) -> dict[str, int]:
    return dict(con.sql("SELECT rule, count(*) FROM quarantine GROUP BY rule").fetchall())


def test_the_checks_pass_on_the_pipeline_as_it_is(loaded, manifest):
    con, results = loaded
    before, history = pipeline.table_counts(con), pipeline.curated_state(con)
    assert len(history) == 300 and before["quarantine"] > 0  # the checks below see real data
    again = pipeline.load_files(con, manifest.paths())
    checks.all_skipped(again)
    checks.nothing_changed(con, before, history, "loading every file again")
    reconciliation = con.sql("SELECT * FROM reconciliation").df()
    checks.every_row_accounted_for(reconciliation, manifest.rows)
    checks.rules_catch_the_injected_defects(quarantined(con), manifest.expected_quarantine())
    other = pipeline.connect()
    pipeline.load_files(other, list(reversed(manifest.paths())))
    checks.same_history(pipeline.curated_state(other), history, "newest first")


def test_a_load_that_changed_a_table_is_named_with_its_counts(loaded):
    con, _ = loaded
    before, history = pipeline.table_counts(con), pipeline.curated_state(con)
    con.execute("DELETE FROM quarantine WHERE row_number = (SELECT min(row_number) FROM quarantine)")
    after = pipeline.table_counts(con)["quarantine"]
    with pytest.raises(checks.PromiseBroken) as raised:
        checks.nothing_changed(con, before, history, "a load that failed half way through")
    message = str(raised.value)
    assert f"quarantine {before['quarantine']:,} -> {after:,} rows" in message, message
    assert "After a load that failed half way through" in message and "What to do:" in message


def test_a_changed_history_names_the_case(loaded):
    con, _ = loaded
    history = pipeline.curated_state(con)
    changed = history.copy()
    changed.loc[0, "court_code"] = "XXX"
    with pytest.raises(checks.PromiseBroken, match=rf"1 versions .* changed \(cases {history.case_id[0]} among"):
        checks.same_history(changed, history, "newest first")
    with pytest.raises(checks.PromiseBroken, match=f"from {len(history):,} to {len(history) - 1:,} versions"):
        checks.same_history(history.iloc[1:].reset_index(drop=True), history, "newest first")


def test_a_file_loaded_again_is_named():
    results = [
        pipeline.LoadResult("a.csv", 1, "already loaded"),
        pipeline.LoadResult("b.csv", 2, "loaded", rows_read=5, rows_loaded=5),
    ]
    with pytest.raises(checks.PromiseBroken, match="1 file\\(s\\) were not skipped as already loaded: b.csv"):
        checks.all_skipped(results)


def reconciliation(**row) -> pd.DataFrame:
    good = {"file_name": "a.csv", "rows_read": 10, "rows_landed": 10, "rows_loaded": 8, "rows_quarantined": 2}
    return pd.DataFrame([good, {**good, "file_name": "b.csv", **row}])


@pytest.mark.parametrize(
    ("row", "says"),
    [
        ({"rows_loaded": 7}, "rows read are not rows loaded plus rows quarantined: b.csv read 10, landed 10, loaded 7"),
        ({"rows_landed": 9}, "rows read and rows landed differ: b.csv read 10, landed 9"),
    ],
)
def test_a_row_not_accounted_for_names_its_file(row, says):
    with pytest.raises(checks.PromiseBroken, match=says):
        checks.every_row_accounted_for(reconciliation(**row), 20)


def test_rows_read_short_of_the_files_are_reported():
    checks.every_row_accounted_for(reconciliation(), 20)
    with pytest.raises(checks.PromiseBroken, match="The files hold 21 rows, and the pipeline read 20"):
        checks.every_row_accounted_for(reconciliation(), 21)


def test_a_new_rule_is_named_with_its_rows_and_what_to_do():
    expected = {"unknown_court": 5, "missing_required": 3}
    with pytest.raises(checks.PromiseBroken) as raised:
        checks.rules_catch_the_injected_defects({**expected, "offence_too_long": 718}, expected)
    message = str(raised.value)
    assert (
        "a new rule 'offence_too_long' quarantined 718 rows; the synthetic data's expected defects do not include it"
        in message
    )
    assert "extracts.DEFECT_RATES" in message


@pytest.mark.parametrize(
    ("found", "says"),
    [
        ({"unknown_court": 5}, "rule 'missing_required' quarantined no rows, but the generator spoiled 3"),
        (
            {"unknown_court": 9, "missing_required": 3},
            "rule 'unknown_court' quarantined 9 rows, but the generator spoiled 5",
        ),
    ],
)
def test_a_rule_that_catches_more_or_fewer_rows_is_named(found, says):
    with pytest.raises(checks.PromiseBroken, match=says):
        checks.rules_catch_the_injected_defects(found, {"unknown_court": 5, "missing_required": 3})


def versions(current: list[bool], starts: list[str], ends: list[str | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "mojap_start_datetime": pd.to_datetime(starts),
            "mojap_end_datetime": pd.to_datetime(ends),
            "mojap_current_record": current,
        }
    )


def test_the_history_of_one_case_is_checked():
    good = versions(
        [False, False, True], ["2024-01-01", "2024-01-02", "2024-01-05"], ["2024-01-02", "2024-01-05", None]
    )
    checks.versions_follow_each_other("C1", good)
    gap = versions([False, False, True], ["2024-01-01", "2024-01-03", "2024-01-05"], ["2024-01-02", "2024-01-05", None])
    with pytest.raises(checks.PromiseBroken, match="C1 .* a version does not start when the one before ends"):
        checks.versions_follow_each_other("C1", gap)
    two_current = versions(
        [False, True, True], ["2024-01-01", "2024-01-02", "2024-01-05"], ["2024-01-02", "2024-01-05", None]
    )
    with pytest.raises(checks.PromiseBroken, match="not only its last version is current"):
        checks.versions_follow_each_other("C1", two_current)


def test_a_deleted_case_must_keep_its_past_with_nothing_current():
    closed = versions([False, False], ["2024-01-01", "2024-01-02"], ["2024-01-02", "2024-01-03"])
    checks.deleted_case_keeps_its_past("C2", closed)
    with pytest.raises(checks.PromiseBroken, match="It has 2, 1 current"):
        checks.deleted_case_keeps_its_past(
            "C2", versions([False, True], ["2024-01-01", "2024-01-02"], ["2024-01-02", None])
        )
    with pytest.raises(checks.PromiseBroken, match="It has 0, 0 current"):
        checks.deleted_case_keeps_its_past("C2", closed.iloc[0:0])


def test_the_quarantine_chart_is_described_from_its_data():
    quality = pd.DataFrame({"rule": ["unknown_court", "missing_required"], "rows_quarantined": [1234, 56]})
    image = charts.quarantine_by_rule(quality, 40_000)
    alt = figures.description(image.data)
    assert alt == (
        "Horizontal bar chart of rows quarantined by rule, largest first: unknown court 1,234; "
        "missing required 56. In all, 1,290 of the 40,000 rows read were quarantined (3.2%)."
    )


# The notebook's data-quality check: a learner's new rule is explained, not stopped on.

PLANTED = {"unknown_court": 5, "duplicate_in_file": 3}


def test_the_quarantine_as_planted_is_said_to_be_so():
    finding = checks.quarantine_against_the_defects(dict(PLANTED), PLANTED)
    assert finding.ok and str(finding) == "Each rule quarantined exactly the rows the generator spoiled for it."


def test_a_new_rule_is_explained_with_its_rows_and_what_to_do():
    finding = checks.quarantine_against_the_defects({**PLANTED, "received_before_2023": 718}, PLANTED)
    assert not finding.ok
    assert str(finding).startswith(
        "The new rule 'received_before_2023' quarantined 718 rows that the generator did not plant as defects."
    )
    assert "What to do:" in str(finding) and "extracts.DEFECT_RATES" in str(finding) and "rules.toml" in str(finding)


def test_rows_a_new_rule_took_from_a_planted_rule_after_it_are_explained():
    found = {"unknown_court": 5, "duplicate_in_file": 1, "received_before_2023": 718}
    finding = checks.quarantine_against_the_defects(found, PLANTED)
    assert "It took 2 of the 3 rows planted for 'duplicate_in_file'" in str(finding), finding


@pytest.mark.parametrize(
    ("found", "says"),
    [
        ({"unknown_court": 6, "duplicate_in_file": 3, "new_rule": 9}, "rule 'unknown_court' quarantined 6 rows"),
        ({"unknown_court": 5}, "rule 'duplicate_in_file' quarantined no rows"),
        ({"unknown_court": 1, "duplicate_in_file": 3, "new_rule": 2}, "rule 'unknown_court' quarantined 1 rows"),
    ],
)
def test_a_planted_rule_that_caught_more_or_unexplained_fewer_still_stops(found, says):
    with pytest.raises(checks.PromiseBroken, match=says):
        checks.quarantine_against_the_defects(found, PLANTED)
