"""The linkage model's one definition: the cells of part 1's notebook that build it.

The model is taught where it is defined. Part 1 (``people_linkage.ipynb``) builds it step
by step, as Splink's tutorials do: the blocking rules, the comparisons, the settings that
join them, then each training step in a cell of its own. Those cells carry a tag in the
notebook's cell metadata:

- ``linkage-model``: cells that define the model. Run in order in a fresh namespace, they
  must leave ``blocking_rules``, ``comparisons`` and ``settings`` (a ``SettingsCreator``)
  in it. They import what they use and read nothing from the notebook's other cells.
- ``linkage-training``: each training step, a cell that calls ``linker.training...`` on
  the ``linker`` it is given, with Splink's ``block_on``, and nothing else of the notebook's.

Why read the notebook, rather than keep the model in a module that the notebook shows?
Because a learner changes the model where they read it: a blocking rule added in the
notebook must be the rule the tests, the bench, part 2 and the Spark run use, with no
second copy to forget. So everything that needs the model without running the notebook
calls ``read()``, which runs those cells' code, as it is saved in the notebook file, and
nothing else. Within the notebook, the very same cells run in the kernel. Splink's saved
model (``saved_model.save``: the settings and trained parameters as JSON) is the portable
form that carries one run's model to another engine: on Spark, ``linkage.link_people``
rebuilds the structure in Spark's SQL from ``read()`` and takes the numbers from that
JSON, refusing if the two models' comparisons differ.

Edits in a notebook reach this module when the notebook is saved (JupyterLab saves every
two minutes, and on Ctrl+S).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from splink import SettingsCreator, block_on

# Part 1's notebook; or a changed copy of it, named by LINKAGE_NOTEBOOK (the tests run part 1
# with a learner's changes applied, and part 2 must then read the model from that copy).
NOTEBOOK = Path(os.environ.get("LINKAGE_NOTEBOOK") or Path(__file__).with_name("people_linkage.ipynb"))
MODEL_TAG = "linkage-model"
TRAINING_TAG = "linkage-training"


class DefinitionError(ValueError):
    """The notebook's model cells are missing, fail, or do not define the model."""


@dataclass(frozen=True)
class Model:
    """The model as part 1's notebook defines it."""

    settings: SettingsCreator
    blocking_rules: list
    comparisons: list
    training: tuple[str, ...]  # the code of each training step, in order
    cells: tuple[str, ...]  # the code of every model and training cell, in order
    notebook: Path

    @property
    def fingerprint(self) -> str:
        """A fingerprint of the model's code: its cells, in order."""
        return hashlib.sha256("\0".join(self.cells).encode()).hexdigest()


def tagged_cells(notebook: Path, tag: str) -> list[str]:
    """The code of the notebook's code cells that carry ``tag``, in order."""
    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    return [
        "".join(cell["source"])
        for cell in cells
        if cell["cell_type"] == "code" and tag in cell.get("metadata", {}).get("tags", [])
    ]


def _run(code: str, namespace: dict, where: str) -> None:
    try:
        exec(compile(code, where, "exec"), namespace)
    except Exception as error:
        raise DefinitionError(
            f"{where} fails outside the notebook: {type(error).__name__}: {error}. A cell tagged "
            f"{MODEL_TAG!r} or {TRAINING_TAG!r} must run on its own: import what it uses, and use "
            "nothing from the notebook's other cells but `linker` and `block_on`."
        ) from error


def read(notebook: Path = NOTEBOOK) -> Model:
    """The model defined by ``notebook``'s cells tagged ``MODEL_TAG``, with its training steps.

    Raises DefinitionError, naming the notebook and the cell, if a cell fails or the cells
    leave no ``blocking_rules``, ``comparisons`` or ``settings``.
    """
    notebook = Path(notebook)
    model, training = tagged_cells(notebook, MODEL_TAG), tagged_cells(notebook, TRAINING_TAG)
    if not model or not training:
        raise DefinitionError(
            f"{notebook.name} has no code cell tagged {MODEL_TAG!r} or {TRAINING_TAG!r}: restore "
            "the tags of the cells that define and train the model (View > Cell metadata)."
        )
    namespace: dict = {}
    for number, code in enumerate(model, 1):
        _run(code, namespace, f"{notebook.name}, model cell {number}")
    missing = [name for name in ("blocking_rules", "comparisons", "settings") if name not in namespace]
    if missing or not isinstance(namespace["settings"], SettingsCreator):
        raise DefinitionError(
            f"the cells tagged {MODEL_TAG!r} in {notebook.name} must define blocking_rules, "
            f"comparisons and settings (a SettingsCreator); missing or wrong: {missing or ['settings']}."
        )
    return Model(
        namespace["settings"],
        list(namespace["blocking_rules"]),
        list(namespace["comparisons"]),
        tuple(training),
        tuple(model + training),
        notebook,
    )


def step_name(code: str) -> str:
    """What a training step does, as the ``linker.training`` method it calls names it
    (``estimate_u_using_random_sampling``), or ``training cell`` if it calls none."""
    found = re.search(r"linker\.training\.(\w+)", code)
    return found.group(1) if found else "training cell"


def train(linker, model: Model, seconds: dict[str, float] | None = None) -> list:
    """Run the model's training steps on ``linker``, in order; return what each step returned
    that is a session of expectation maximisation. With ``seconds``, add each step's seconds
    to it under the step's name (``step_name``), summed over steps of the same name."""
    sessions = []
    for number, code in enumerate(model.training, 1):
        namespace = {"linker": linker, "block_on": block_on}
        before = set(namespace)
        started = time.perf_counter()
        _run(code, namespace, f"{model.notebook.name}, training cell {number}")
        if seconds is not None:
            name = step_name(code)
            seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - started
        sessions += [
            value
            for name, value in namespace.items()
            if name not in before and type(value).__name__ == "EMTrainingSession"
        ]
    return sessions
