"""The validation rules, read from ``rules.toml`` beside this module, and the SQL built from them.

``rules.toml`` is a table of rules, one ``[[rule]]`` block each: its name, its condition (a DuckDB
SQL expression over the standardised ``clean_<name>`` and ``<name>_text`` columns, true when a row
breaks the rule), its reason (words a person can act on, with ``{...}`` for a value) and what to
do. The order of the blocks is precedence: a row is quarantined under the first rule it breaks.
Adding a rule is one block in one file; ``sql/validate.sql`` holds the rest of validation, with
``{{ row_rules }}``, ``{{ event_rules }}``, ``{{ row_reasons }}`` and ``{{ event_reasons }}``
where the rules go, and ``build_sql`` fills them in (``pipeline.sql("validate")`` is the SQL
that runs).

Why TOML and not CSV: a condition is SQL, full of commas and quotes, which a CSV cell would
need escaped; in TOML a string in '...' holds SQL as it is, a long one can span lines in
'''...''', comments explain the fields beside the rules, and Python reads it with no extra
package (``tomllib``). Each rule is still one row of the table the notebook shows (``frame()``).

A rules file that cannot work stops the pipeline before it loads anything, with a ``RulesError``
that names the file, the line of the rule, what is wrong and the fix: a missing or unknown field,
a name used twice, a condition or reason DuckDB cannot read (checked against the real columns).
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from . import contract

HERE = Path(__file__).resolve().parent
RULES_FILE = HERE / "rules.toml"
VALIDATE_SQL = HERE / "sql" / "validate.sql"

REQUIRED = ("name", "condition", "reason", "what_to_do")
FIELDS = (*REQUIRED, "judged")
JUDGED = ("row", "event")
NAME = re.compile(r"[a-z][a-z0-9_]*")
# The rule bronze.sql gives a line the CSV reader cannot split; no rule here may take its name.
MALFORMED = "malformed_line"
# The columns an event rule can use besides the row's own (validate.sql's `facts`).
EVENT_COLUMNS = {
    "first_row": "BIGINT",
    "conflicting": "BOOLEAN",
    "earlier_load_id": "INTEGER",
    "earlier_row": "BIGINT",
    "earlier_hash": "UBIGINT",
    "earlier_file": "VARCHAR",
}
MARKER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


class RulesError(ValueError):
    """The rules file cannot be used: the message names the file, the rule's line and the fix."""


@dataclass(frozen=True)
class Rule:
    name: str
    condition: str
    reason: str
    what_to_do: str
    judged: str = "row"
    line: int = 0  # where its block starts in the file


def _fail(path: Path, line: int, problem: str, fix: str) -> None:
    where = f"{path.name}, line {line}" if line else path.name
    raise RulesError(f"{where}: {problem}. Fix: {fix} ({path})")


def load(path: Path | str | None = None, contract_path: Path | str | None = None) -> tuple[Rule, ...]:
    """The rules in order of precedence (row rules, then event rules), checked: RulesError if not right."""
    path = Path(path) if path is not None else RULES_FILE
    columns = contract.load(contract_path)
    return _load(path, path.read_text(encoding="utf-8"), columns, VALIDATE_SQL.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=8)
def _load(path: Path, text: str, columns: tuple[contract.Column, ...], template: str) -> tuple[Rule, ...]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        _fail(
            path,
            0,
            f"it is not valid TOML ({error})",
            "correct the line it names: a string needs its closing quote, and SQL is easiest in '...'",
        )
    blocks = data.get("rule")
    if not isinstance(blocks, list) or not blocks:
        _fail(path, 0, "it holds no rule", "write each rule in a [[rule]] block")
    lines = contract.block_lines(text, "rule")
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for number, block in enumerate(blocks):
        line = lines[number] if number < len(lines) else 0
        rules.append(_rule(path, line, block, seen))
    ordered = tuple([r for r in rules if r.judged == "row"] + [r for r in rules if r.judged == "event"])
    _check_sql(path, ordered, columns, template)
    return ordered


def _rule(path: Path, line: int, block: dict, seen: dict[str, int]) -> Rule:
    name = block.get("name")
    label = f"rule {name!r}" if isinstance(name, str) else "this rule"
    unknown = sorted(set(block) - set(FIELDS))
    if unknown:
        _fail(path, line, f"{label} has unknown field(s) {', '.join(unknown)}", f"use only {', '.join(FIELDS)}")
    missing = [field for field in REQUIRED if not isinstance(block.get(field), str) or not block[field].strip()]
    if missing:
        _fail(
            path,
            line,
            f"{label} has no {' and no '.join(missing)}",
            "give every rule a name, a condition, a reason and what_to_do, each as text in quotes",
        )
    name = name.strip()
    if not NAME.fullmatch(name) or name == MALFORMED:
        _fail(
            path,
            line,
            f"{name!r} cannot be a rule's name",
            f"use lower case letters, digits and _, starting with a letter (and not {MALFORMED})",
        )
    if name in seen:
        _fail(path, line, f"the rule {name} is there twice (also at line {seen[name]})", "rename or remove one")
    seen[name] = line
    judged = block.get("judged", "row")
    if judged not in JUDGED:
        _fail(path, line, f"rule {name!r}: judged = {judged!r}", 'use judged = "row" (the default) or "event"')
    return Rule(name, block["condition"].strip(), block["reason"].strip(), block["what_to_do"].strip(), judged, line)


def reason_sql(template: str) -> str:
    """The SQL for a reason: its text, with the value of each ``{expression}`` put in (format()).
    ``{{`` and ``}}`` are braces in the text. Raises ValueError for a brace left open or unopened."""
    text, values, i = [], [], 0
    while i < len(template):
        char = template[i]
        if template.startswith("{{", i) or template.startswith("}}", i):
            text.append(char * 2)  # format()'s own escape for a brace
            i += 2
        elif char == "}":
            raise ValueError("a } with no { before it (write }} for a brace in the text)")
        elif char == "{":
            end = _closing(template, i)
            values.append(template[i + 1 : end].strip())
            if not values[-1]:
                raise ValueError("an empty {} (put a column or expression inside, or write {{}} for braces)")
            text.append("{}")
            i = end + 1
        else:
            text.append(char)
            i += 1
    literal = "'" + re.sub(r"\s+", " ", "".join(text)).replace("'", "''") + "'"
    if not values:
        return literal.replace("{{", "{").replace("}}", "}")
    return f"format({literal}, " + ", ".join(f"({value})" for value in values) + ")"


def _closing(template: str, start: int) -> int:
    """Where the ``{`` at ``start`` closes, skipping braces inside SQL strings ('...')."""
    depth, quoted = 0, False
    for i in range(start, len(template)):
        char = template[i]
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "{":
            depth += 1
        elif not quoted and char == "}":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError("a { that is not closed: end the value with }")


def _first_rule(rules, judged: str) -> str:
    cases = [f"WHEN {_wrapped(r.condition)} THEN '{r.name}'" for r in rules if r.judged == judged]
    if not cases:
        return "NULL::VARCHAR"
    return "CASE\n" + "\n".join(f"            {case}" for case in cases) + "\n        END"


def _reasons(rules, judged: str) -> str:
    """The reason of the rule a row broke (its name in `rule`), for the rules judged so."""
    cases = [f"WHEN '{r.name}' THEN {reason_sql(r.reason)}" for r in rules if r.judged == judged]
    if not cases:
        return "NULL::VARCHAR"
    return "CASE rule\n" + "\n".join(f"        {case}" for case in cases) + "\n    END"


def _wrapped(sql: str) -> str:
    """A condition in brackets, its lines kept (a -- comment ends at its line)."""
    lines = [line.strip() for line in sql.strip().splitlines()]
    return "(" + "\n                ".join(lines) + ")"


def fragments(rules: tuple[Rule, ...], columns: tuple[contract.Column, ...]) -> dict[str, str]:
    """What fills each {{ marker }} of the SQL files, from the rules and the contract."""
    indent = "\n        "
    return {
        "row_rules": _first_rule(rules, "row"),
        "event_rules": _first_rule(rules, "event"),
        "row_reasons": _reasons(rules, "row"),
        "event_reasons": _reasons(rules, "event"),
        "contract_columns": contract.standardised_sql(columns).replace("\n", indent),
        "contract_helpers": contract.helpers_sql(columns).replace("\n", indent).rstrip(","),
        "silver_columns": contract.silver_sql(columns),
    }


def fill(text: str, values: dict[str, str]) -> str:
    """A SQL file's text with each {{ marker }} replaced."""

    def value(match: re.Match) -> str:
        if match.group(1) not in values:
            raise KeyError(f"no value for {{{{ {match.group(1)} }}}} in the SQL")
        return values[match.group(1)]

    return MARKER.sub(value, text)


def build_sql(text: str, rules_path: Path | str | None = None, contract_path: Path | str | None = None) -> str:
    """A SQL file's text with the rules and the contract filled in."""
    if not MARKER.search(text):
        return text
    return fill(text, fragments(load(rules_path, contract_path), contract.load(contract_path)))


def _check_sql(path: Path, rules: tuple[Rule, ...], columns, template: str) -> None:
    """Bind each condition and reason against the real columns (an empty batch), one at a time,
    so that a mistake is named with its rule."""
    con = duckdb.connect()
    try:
        _stub_tables(con, columns, template)
        if _all_bind(con, rules):
            return
        for rule in rules:  # one at a time, to name the rule that does not
            relation = "facts_stub" if rule.judged == "event" else "standardised"
            try:
                kind = con.execute(f"DESCRIBE SELECT {_wrapped(rule.condition)} AS c FROM {relation}").fetchall()[0][1]
            except duckdb.Error as error:
                _fail(
                    path, rule.line, f"rule {rule.name!r}: DuckDB cannot use its condition: {_first_line(error)}", _HELP
                )
            if kind not in ("BOOLEAN", '"NULL"'):
                _fail(
                    path,
                    rule.line,
                    f"rule {rule.name!r}: its condition gives a {kind}, not true or false",
                    "write a comparison, e.g. clean_outcome = 'withdrawn' or clean_received_date < DATE '2000-01-01'",
                )
            try:
                con.execute(f"DESCRIBE SELECT {reason_sql(rule.reason)} AS r FROM {relation}")
            except (ValueError, duckdb.Error) as error:
                _fail(path, rule.line, f"rule {rule.name!r}: its reason cannot be made: {_first_line(error)}", _HELP)
    finally:
        con.close()


def _all_bind(con, rules: tuple[Rule, ...]) -> bool:
    """Whether every condition binds as a boolean and every reason binds, in two queries."""
    for judged, relation in (("row", "standardised"), ("event", "facts_stub")):
        chosen = [r for r in rules if r.judged == judged]
        if not chosen:
            continue
        try:
            select = ", ".join(
                f"{_wrapped(r.condition)} AS c{n}, {reason_sql(r.reason)} AS r{n}" for n, r in enumerate(chosen)
            )
            described = con.execute(f"DESCRIBE SELECT {select} FROM {relation}").fetchall()
        except (ValueError, duckdb.Error):
            return False
        if any(name.startswith("c") and kind not in ("BOOLEAN", '"NULL"') for name, kind, *_ in described):
            return False
    return True


_HELP = (
    "use the columns clean_<name> and <name>_text of each column in contract.toml, the helper columns "
    "longest_value, missing_columns, not_iso, not_valid, not_of_type and out_of_range, and SQL that DuckDB knows; "
    "put SQL in '...' so that its quotes need no escaping"
)


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]


def _stub_tables(con, columns, template: str) -> None:
    """Empty tables with the pipeline's columns, and the standardised view over them."""
    con.execute("CREATE TABLE courts (court_code VARCHAR)")
    con.execute("CREATE TABLE offence_categories (offence_category VARCHAR)")
    con.execute("CREATE TABLE outcomes (outcome VARCHAR)")
    text = ", ".join(f'"{c.name}" VARCHAR' for c in columns)
    con.execute(f"CREATE TABLE landed_rows (load_id INTEGER, row_number BIGINT, {text})")
    con.execute("SET VARIABLE extract_columns = ?", [[c.name for c in columns]])
    con.execute("SET VARIABLE earliest_date = DATE '1990-01-01'")
    con.execute("SET VARIABLE latest_date = DATE '2100-01-01'")
    filled = fill(template, fragments((), columns))
    statements = con.extract_statements(filled)
    for statement in statements[:2]:  # the two macros: trimmed() and standardise()
        con.execute(statement)
    con.execute("CREATE VIEW standardised AS FROM standardise('landed_rows')")
    extra = ", ".join(f"NULL::{kind} AS {name}" for name, kind in EVENT_COLUMNS.items())
    con.execute(f"CREATE VIEW facts_stub AS SELECT *, {extra} FROM standardised")


def frame(rules: tuple[Rule, ...] | None = None):
    """The rules as a table, in order of precedence, for the notebook: each rule's condition and
    reason (its what_to_do is in rules.toml)."""
    import pandas as pd

    rules = rules if rules is not None else load()
    return pd.DataFrame(
        {
            "condition": [" ".join(r.condition.split()) for r in rules],
            "reason": [" ".join(r.reason.split()) for r in rules],
        },
        index=pd.Index([r.name for r in rules], name="rule"),
    )
