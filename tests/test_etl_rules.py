"""The ETL's validation rules are one table (court_cases_etl/rules.toml): a rule is one block in one
file, the SQL that runs is built from it in its order, and a rules file that cannot work is
refused with an error naming the file, the rule's line and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from court_cases_etl import pipeline, rules

RULES = rules.RULES_FILE.read_text(encoding="utf-8")
HEADER = "case_id,court_code,offence_category,received_date,completed_date,outcome,op,extraction_timestamp"
ROWS = [
    "CASE-000001,M201,theft,2024-01-02,,,I,2024-01-05T02:00:00Z",
    "CASE-000002,M201,theft,2022-06-02,,,I,2024-01-05T02:00:00Z",
    "CASE-000003,C101,drugs,2023-03-02,2023-09-01,withdrawn,I,2024-01-05T02:00:00Z",
]
NEW_RULE = """
[[rule]]
name = "received_before_2023"
condition = "clean_received_date < DATE '2023-01-01'"
reason = "received_date {received_date_text} is before 2023"
what_to_do = "Nothing."
"""


@pytest.fixture
def rules_file(tmp_path, monkeypatch):
    """A copy of rules.toml that the pipeline uses in its place; write to it to change the rules."""
    path = tmp_path / "rules.toml"
    path.write_text(RULES, encoding="utf-8")
    monkeypatch.setattr(rules, "RULES_FILE", path)
    return path


def load(tmp_path: Path, *rows: str):
    path = tmp_path / "court_cases_2024-01-05.csv"
    path.write_text("\n".join([HEADER, *(rows or ROWS)]) + "\n", encoding="utf-8")
    con = pipeline.connect()
    (result,) = pipeline.load_files(con, [path])
    return con, result


def test_the_table_holds_every_rule_in_order_of_precedence():
    table = rules.load()
    names = [rule.name for rule in table]
    assert names[:2] == ["field_too_long", "missing_required"]
    assert names[-4:] == ["conflicting_in_file", "duplicate_in_file", "duplicate_event", "conflicting_event"]
    assert len(names) == len(set(names)) == 18
    assert all(rule.condition and rule.reason and rule.what_to_do for rule in table)
    frame = rules.frame()
    assert list(frame.index) == names and list(frame.columns) == ["condition", "reason"]


def test_the_sql_that_runs_is_built_from_the_table_in_its_order():
    validate = pipeline.sql("validate")
    assert "{{" not in validate
    positions = [validate.index(f"THEN '{rule.name}'") for rule in rules.load()]
    assert positions == sorted(positions)
    assert "WHEN (clean_court_code NOT IN (SELECT court_code FROM courts)) THEN 'unknown_court'" in validate


def test_a_rule_is_one_block_in_one_file(rules_file, tmp_path):
    """The change that failed with `NOT NULL constraint failed: quarantine.reason` when a rule's
    reason lived 150 lines from its condition."""
    rules_file.write_text(RULES + NEW_RULE, encoding="utf-8")
    con, result = load(tmp_path)
    assert (result.rows_loaded, result.rows_quarantined) == (2, 1)
    assert con.execute("SELECT case_id, rule, reason FROM quarantine").fetchall() == [
        ("CASE-000002", "received_before_2023", "received_date 2022-06-02 is before 2023")
    ]


def test_order_is_precedence(rules_file, tmp_path):
    """A rule placed first takes a row from the rule that caught it before."""
    first = RULES.index("\n[[rule]]") + 1
    rules_file.write_text(RULES[:first] + NEW_RULE.strip() + "\n\n" + RULES[first:], encoding="utf-8")
    con, _ = load(tmp_path, "CASE-000002,X999,theft,2022-06-02,,,I,2024-01-05T02:00:00Z")
    assert con.execute("SELECT rule FROM quarantine").fetchall() == [("received_before_2023",)]
    rules_file.write_text(RULES + NEW_RULE, encoding="utf-8")
    con, _ = load(tmp_path, "CASE-000002,X999,theft,2022-06-02,,,I,2024-01-05T02:00:00Z")
    assert con.execute("SELECT rule FROM quarantine").fetchall() == [("unknown_court",)]


def test_a_reason_puts_in_values_and_keeps_its_quotes_and_braces():
    assert rules.reason_sql("plain text") == "'plain text'"
    assert rules.reason_sql("op '{clean_op}' is odd") == "format('op ''{}'' is odd', (clean_op))"
    assert rules.reason_sql("{coalesce(x, '{none}')} and {{braces}}") == (
        "format('{} and {{braces}}', (coalesce(x, '{none}')))"
    )
    assert rules.reason_sql("a {{literal}} brace") == "'a {literal} brace'"
    for bad, says in (("a {clean_op", "not closed"), ("a } b", "no { before it"), ("a {} b", "empty")):
        with pytest.raises(ValueError, match=says):
            rules.reason_sql(bad)


BLOCK = """
[[rule]]
name = "new_rule"
condition = "clean_outcome = 'withdrawn'"
reason = "withdrawn"
what_to_do = "Nothing."
"""


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda b: b.replace('reason = "withdrawn"\n', ""), "rule 'new_rule' has no reason. Fix: give every rule"),
        (lambda b: b.replace("what_to_do", "what_todo"), "unknown field(s) what_todo. Fix: use only"),
        (lambda b: b.replace("new_rule", "unknown_court"), "the rule unknown_court is there twice (also at line"),
        (lambda b: b.replace("new_rule", "New Rule"), "'New Rule' cannot be a rule's name"),
        (
            lambda b: b.replace("clean_outcome = 'withdrawn'", "clean_outcome = = 'withdrawn'"),
            "rule 'new_rule': DuckDB cannot use its condition: Parser Error",
        ),
        (
            lambda b: b.replace("clean_outcome = 'withdrawn'", "clean_outcom = 'withdrawn'"),
            "rule 'new_rule': DuckDB cannot use its condition: Binder Error: Referenced column \"clean_outcom\"",
        ),
        (lambda b: b.replace("clean_outcome = 'withdrawn'", "clean_outcome"), "its condition gives a VARCHAR"),
        (lambda b: b.replace('"withdrawn"', '"{clean_outcom}"'), "rule 'new_rule': its reason cannot be made"),
        (lambda b: b.replace('"withdrawn"', '"{clean_outcome"'), "a { that is not closed"),
        (lambda b: b.replace("judged", "judged").replace("name =", 'judged = "file"\nname ='), "judged = 'file'"),
        (lambda b: b.replace('reason = "withdrawn"', 'reason = "withdrawn'), "it is not valid TOML"),
    ],
)
def test_a_rules_file_that_cannot_work_is_named_with_its_line_and_fix(rules_file, change, says):
    rules_file.write_text(RULES + change(BLOCK), encoding="utf-8")
    with pytest.raises(rules.RulesError) as raised:
        pipeline.sql("validate")
    message = str(raised.value)
    assert says in message, message
    assert message.startswith("rules.toml") and "Fix:" in message and str(rules_file) in message
    if "TOML" not in says:
        line = RULES.count("\n") + 2  # the new block's [[rule]], after the blank line
        assert message.startswith(f"rules.toml, line {line}: "), message


def test_a_broken_rules_file_stops_the_load_before_anything_is_written(rules_file, tmp_path):
    path = tmp_path / "court_cases_2024-01-05.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    con = pipeline.connect()
    rules_file.write_text(RULES + BLOCK.replace("clean_outcome = 'withdrawn'", "clean_outcom = 'x'"), encoding="utf-8")
    with pytest.raises(rules.RulesError, match="clean_outcom"):
        pipeline.load_files(con, [path])
    assert pipeline.table_counts(con)["loads"] == 0
