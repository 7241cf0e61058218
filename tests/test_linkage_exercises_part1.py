"""The exercises of the linkage example's part 1 ("Your turn" in people_linkage.ipynb).

For each exercise: untouched, its check says "Not done yet"; with the solution the notebook
shows (read from its solution block and applied to a copy of the notebook, whose model
cells are then read as the tests, part 2 and Spark read them) it says "Done"; with a
typical wrong answer it says "Not right yet" and names the problem. The checks work on
the model's objects or on a small sample (exercises.sample()); nothing here trains at full size.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from splink import DuckDBAPI, Linker

from example_output.exercises import Status
from exercise_blocks import solution_code
from people_linkage import charts, exercises, linkage, model_definition

NOTEBOOK = model_definition.NOTEBOOK
TRAINING_SAMPLE = 300  # people: enough for every session of expectation maximisation to run


def solution(label: str) -> str:
    """The code block of the solution of exercise ``label``, as the reader sees it."""
    return solution_code(NOTEBOOK, f"people_linkage-{label}")


def changed(tmp_path: Path, edit) -> Path:
    """A copy of the notebook with ``edit(cells)`` applied to its cells; the repo's stays as it is."""
    copy = tmp_path / NOTEBOOK.name
    shutil.copy(NOTEBOOK, copy)
    notebook = json.loads(copy.read_text(encoding="utf-8"))
    edit(notebook["cells"])
    copy.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return copy


def insert_before(cells, holding: str, marker: str, text: str, last: bool = True) -> None:
    """Insert ``text`` before the (last) line that starts with ``marker`` in the cell holding ``holding``."""
    cell = next(c for c in cells if c["cell_type"] == "code" and holding in "".join(c["source"]))
    lines = "".join(cell["source"]).splitlines(keepends=True)
    at = [i for i, line in enumerate(lines) if line.strip().startswith(marker)]
    where = at[-1] if last else at[0]
    cell["source"] = lines[:where] + text.splitlines(keepends=True) + lines[where:]


def with_rule(rule: str):
    return lambda cells: insert_before(cells, "blocking_rules = [", "]", rule)


def with_dob_level(level: str, marker: str = "cll.ElseLevel()"):
    def edit(cells):
        cell = next(c for c in cells if "dob = cl.CustomComparison" in "".join(c["source"]))
        text = "".join(cell["source"])
        head, dob = text.split("dob = cl.CustomComparison", 1)
        before, after = dob.split(marker, 1)
        indent = before[before.rindex("\n") + 1 :]
        cell["source"] = (
            head + "dob = cl.CustomComparison" + before.rstrip(" ") + level + indent + marker + after
        ).splitlines(keepends=True)

    return edit


def with_training_cell(code: str):
    def edit(cells):
        at = next(i for i, c in enumerate(cells) if "pnc_session =" in "".join(c["source"]))
        new = {
            "cell_type": "code",
            "execution_count": None,
            "id": "cell-train-postcode-session",
            "metadata": {"tags": [model_definition.TRAINING_TAG]},
            "outputs": [],
            "source": code.splitlines(keepends=True),
        }
        cells.insert(at + 1, new)

    return edit


def with_every_solution(folder: Path) -> Path:
    """A copy of the notebook in ``folder`` with the three exercises' solutions applied, as a
    learner applies them (tests/test_other_seed.py runs it, and part 2 after it)."""
    folder.mkdir(parents=True, exist_ok=True)

    def edit(cells):
        with_rule(solution("blocking-rule"))(cells)
        with_dob_level(solution("comparison-level"))(cells)
        with_training_cell(solution("training-step"))(cells)

    return changed(folder, edit)


def trained_on_the_sample(model: model_definition.Model) -> Linker:
    """A linker trained by the model's expectation maximisation steps only, on the small sample:
    all the training check reads is which sessions estimated which comparison."""
    inputs = linkage.register(DuckDBAPI(), exercises.sample(TRAINING_SAMPLE), "exercise")
    linker = Linker(list(inputs.values()), model.settings)
    steps = tuple(step for step in model.training if "expectation_maximisation" in step)
    model_definition.train(linker, model.__class__(**{**model.__dict__, "training": steps}))
    return linker


# --- exercise 1: a blocking rule ---


def test_blocking_rule_untouched_is_not_done_yet():
    outcome = exercises.check_blocking_rule(model_definition.read().blocking_rules)
    assert outcome.status is Status.NOT_YET, outcome


def test_blocking_rule_solution_is_done(tmp_path):
    model = model_definition.read(changed(tmp_path, with_rule(solution("blocking-rule"))))
    outcome = exercises.check_blocking_rule(model.blocking_rules)
    assert outcome.status is Status.DONE, outcome
    assert "adds" in outcome.message and "comparisons" in outcome.message


def test_blocking_rule_too_loose_says_so(tmp_path):
    model = model_definition.read(changed(tmp_path, with_rule('    block_on("first_name"),\n')))
    outcome = exercises.check_blocking_rule(model.blocking_rules)
    assert outcome.status is Status.WRONG, outcome
    assert "too loose" in outcome.message and "first_name" in outcome.message


# --- exercise 2: a comparison level ---


def test_comparison_level_untouched_is_not_done_yet():
    outcome = exercises.check_comparison_level(model_definition.read().comparisons)
    assert outcome.status is Status.NOT_YET, outcome


def test_comparison_level_solution_is_done(tmp_path):
    model = model_definition.read(changed(tmp_path, with_dob_level(solution("comparison-level"))))
    outcome = exercises.check_comparison_level(model.comparisons)
    assert outcome.status is Status.DONE, outcome
    assert "Same year of birth" in outcome.message


def test_comparison_level_above_the_exact_match_says_so(tmp_path):
    level = solution("comparison-level")
    model = model_definition.read(changed(tmp_path, with_dob_level(level, 'cll.ExactMatchLevel("dob")')))
    outcome = exercises.check_comparison_level(model.comparisons)
    assert outcome.status is Status.WRONG, outcome
    assert "tried from the top" in outcome.message and "Same year of birth" in outcome.message


def test_comparison_level_on_the_wrong_condition_says_so(tmp_path):
    level = solution("comparison-level").replace(", 1, 4)", ", 1, 3)")  # the decade, not the year
    model = model_definition.read(changed(tmp_path, with_dob_level(level)))
    outcome = exercises.check_comparison_level(model.comparisons)
    assert outcome.status is Status.WRONG, outcome
    assert "compare the year" in outcome.message


# --- exercise 3: a training step ---


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> dict[str, Linker]:
    """The sample trained three ways: untouched, with the solution's session, with a wrong one."""
    folder = tmp_path_factory.mktemp("linkage_exercise_3")
    right = solution("training-step")
    wrong = right.replace('block_on("postcode")', 'block_on("first_name", "postcode")')
    assert wrong != right, "the solution no longer blocks on postcode"
    linkers = {"untouched": trained_on_the_sample(model_definition.read())}
    for name, code in (("solution", right), ("wrong", wrong)):
        (folder / name).mkdir()
        linkers[name] = trained_on_the_sample(model_definition.read(changed(folder / name, with_training_cell(code))))
    return linkers


def test_training_step_untouched_is_not_done_yet(trained):
    outcome = exercises.check_training_step(trained["untouched"])
    assert outcome.status is Status.NOT_YET, outcome


def test_training_step_solution_is_done(trained):
    outcome = exercises.check_training_step(trained["solution"])
    assert outcome.status is Status.DONE, outcome
    assert "one blocked on postcode" in outcome.message


def test_training_step_blocked_on_the_name_says_so(trained):
    outcome = exercises.check_training_step(trained["wrong"])
    assert outcome.status is Status.WRONG, outcome
    assert "cannot estimate first_name" in outcome.message and "postcode alone" in outcome.message


# --- the notebook's model cells are the model ---


def test_the_notebooks_model_cells_make_the_model():
    model = model_definition.read()
    assert len(model.blocking_rules) >= 5 and [
        c.get_comparison("duckdb").output_column_name for c in model.comparisons
    ][:3] == ["first_name", "last_name", "dob"]
    assert len(model.training) == 4 and sum("expectation_maximisation" in step for step in model.training) == 2


def test_a_change_to_a_model_cell_changes_the_models_fingerprint(tmp_path):
    before = model_definition.read()
    after = model_definition.read(changed(tmp_path, with_rule(solution("blocking-rule"))))
    assert len(after.blocking_rules) == len(before.blocking_rules) + 1
    assert after.fingerprint != before.fingerprint


def untag(cells):
    for cell in cells:
        cell.get("metadata", {}).pop("tags", None)


def break_cell(cells):
    cell = next(c for c in cells if "settings = SettingsCreator" in "".join(c["source"]))
    cell["source"] = ["settings = SettingsCreator(comparisons=comparisons_not_defined)\n"]


def drop_settings(cells):
    cell = next(c for c in cells if "settings = SettingsCreator" in "".join(c["source"]))
    cell["source"] = ["model = 1\n"]


@pytest.mark.parametrize(
    "edit, said",
    [
        (untag, "has no code cell tagged 'linkage-model'"),
        (break_cell, "model cell 3 fails outside the notebook: NameError"),
        (drop_settings, "missing or wrong: ['settings']"),
    ],
)
def test_a_broken_definition_names_the_notebook_the_cell_and_the_fix(tmp_path, edit, said):
    with pytest.raises(model_definition.DefinitionError) as error:
        model_definition.read(changed(tmp_path, edit))
    assert said in str(error.value) and NOTEBOOK.name in str(error.value)


def test_every_solution_applied_at_once_makes_one_model(tmp_path):
    model = model_definition.read(with_every_solution(tmp_path))
    assert exercises.check_blocking_rule(model.blocking_rules).status is Status.DONE
    assert exercises.check_comparison_level(model.comparisons).status is Status.DONE
    assert len(model.training) == len(model_definition.read().training) + 1


def test_reading_the_model_opens_the_notebook_and_nothing_else(monkeypatch):
    """The model reads no data, no truth: model_definition opens part 1's notebook only."""
    opened = []
    read_text = Path.read_text
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: opened.append(self) or read_text(self, *a, **k))
    monkeypatch.setattr("builtins.open", lambda *a, **k: pytest.fail(f"model_definition opened {a[0]}"))
    model_definition.read()
    assert opened and set(opened) == {NOTEBOOK}


def test_each_session_says_what_it_estimated_and_what_it_could_not():
    """charts.session_summary, under each EM step of part 1: the columns its rule fixes are not estimated."""
    model = model_definition.read()
    names_step = next(step for step in model.training if "names_session" in step)
    inputs = linkage.register(DuckDBAPI(), exercises.sample(TRAINING_SAMPLE), "summary")
    linker = Linker(list(inputs.values()), model.settings)
    (session,) = model_definition.train(linker, model.__class__(**{**model.__dict__, "training": (names_step,)}))
    said = charts.session_summary(session)
    assert said.startswith('Blocked on (l."first_name" = r."first_name") AND (l."last_name" = r."last_name"): ')
    assert "It estimated m for dob, sex, postcode, pnc; not for first_name, last_name" in said
