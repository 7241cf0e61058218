"""The trained model in Splink's portable form: saved at the end of part 1, used by part 2.

Part 1 of the linkage example builds and trains the model cell by cell (the cells that
``model_definition.read`` reads) and ends with ``save``: Splink writes the model, its comparisons, blocking rules and trained parameters,
as JSON (``linker.misc.save_model_to_json``), a file any engine Splink runs on can load
(``python -m people_linkage.on_spark IN_DIR OUT_DIR --model model.json`` scores with it on
Spark). Beside it goes a record of what it was trained on (``TRAINED_ON``): the seed and
size of the data, a fingerprint of the prepared tables, a fingerprint of the model's code
(the notebook's model and training cells, ``linkage.py``) and Splink's version, and a fingerprint of the model file itself.

Part 2 calls ``trained_run``. It scores the pairs with the saved model only when that
record says the model was trained on the very tables part 2 has, by the same code, and the
file is the one the record describes; otherwise (part 2 run on its own, at another seed or
size, from a fresh clone, or after the book's execution cache served part 1 without running
it) it trains the model again with ``linkage.link_people``, which runs part 1's cells, and
says why.
Either way the scored pairs are the same: training is seeded, and the saved parameters are
exactly those training found.

    run, how = trained_run(DuckDBAPI(), prepared.people, people=PEOPLE, seed=SEED)
    print(how)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import splink
from splink import Linker

from . import linkage, model_definition
from .people import OUTPUT_DIR

MODEL = "model.json"  # the model, as Splink saves it
TRAINED_ON = "model_trained_on.json"  # what it was trained on, and the file's own fingerprint


def tables_fingerprint(tables: Mapping[str, Any]) -> str:
    """A fingerprint of the prepared tables (pandas DataFrames, by source): their sources,
    columns, rows and values, blanks apart from empty text."""
    digest = hashlib.sha256()
    for source in sorted(tables):
        digest.update(source.encode() + b"\0")
        digest.update(tables[source].to_json(orient="split", index=False).encode() + b"\0")
    return digest.hexdigest()


def code_fingerprint() -> str:
    """A fingerprint of what defines and trains the model: the notebook's model and training cells
    (``model_definition``), ``linkage.py`` and Splink's version."""
    cells = model_definition.read().fingerprint.encode()
    code = Path(linkage.__file__).read_bytes()
    return hashlib.sha256(cells + b"\0" + code + b"\0splink " + splink.__version__.encode()).hexdigest()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def trained_on(tables: Mapping[str, Any], *, people: int, seed: int) -> dict[str, Any]:
    """What a model trained on ``tables`` (made from ``people`` people at ``seed``) was trained on."""
    return {"people": people, "seed": seed, "tables": tables_fingerprint(tables), "code": code_fingerprint()}


def save(
    linker: Linker | linkage.LinkageRun,
    tables: Mapping[str, Any],
    *,
    people: int,
    seed: int,
    folder: Path = OUTPUT_DIR,
) -> Path:
    """Save the trained model of ``linker`` (or of a ``LinkageRun``) into ``folder`` (``MODEL``), with what it was trained on
    (``TRAINED_ON``); return the model's path. The record goes last, so a save cut short leaves
    no record that vouches for the file."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model, record = folder / MODEL, folder / TRAINED_ON
    record.unlink(missing_ok=True)
    linker = linker.linker if isinstance(linker, linkage.LinkageRun) else linker
    linker.misc.save_model_to_json(str(model), overwrite=True)
    facts = {**trained_on(tables, people=people, seed=seed), "model_file": _sha256(model.read_bytes())}
    record.write_text(json.dumps(facts, indent=2) + "\n", encoding="utf-8")
    return model


def load(
    tables: Mapping[str, Any], *, people: int, seed: int, folder: Path = OUTPUT_DIR
) -> tuple[dict[str, Any] | None, str]:
    """The model saved in ``folder`` if it was trained on ``tables`` (made from ``people`` people at
    ``seed``) by this model's code, else None; and, in a few words, why it is or is not used."""
    folder = Path(folder)
    model, record = folder / MODEL, folder / TRAINED_ON
    if not model.is_file() or not record.is_file():
        return None, "there is no saved model (run part 1 first)"
    try:
        said = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, f"{TRAINED_ON} cannot be read"
    wanted = trained_on(tables, people=people, seed=seed)
    if (said.get("people"), said.get("seed")) != (people, seed):
        size = said.get("people")
        size = f"{size:,}" if isinstance(size, int) else size
        return None, f"part 1's was trained on {size} people at seed {said.get('seed')}"
    if said.get("tables") != wanted["tables"]:
        return None, "part 1's was trained on other tables"
    if said.get("code") != wanted["code"]:
        return None, "part 1's was trained by other code"
    data = model.read_bytes()  # read once: what is checked is what is used
    if said.get("model_file") != _sha256(data):
        return None, f"{MODEL} has changed since part 1 saved it"
    saved = json.loads(data)
    differs = structure_differs(saved, model_definition.read())
    if differs:
        return None, f"part 1's model {differs} (were the notebook's last edits saved?)"
    return saved, "it was trained on these very tables"


def structure_differs(saved: Mapping[str, Any], definition: model_definition.Model) -> str | None:
    """How a saved model's blocking rules or comparisons differ from ``definition``'s, in a few
    words; None if they are the same. Part 1 may have run cells edited after the notebook was
    last saved, and the fingerprint of the code is taken from the saved file."""
    ours = definition.settings.create_settings_dict("duckdb")

    def rules(model: Mapping[str, Any]) -> list[str]:
        return [rule["blocking_rule"] for rule in model.get("blocking_rules_to_generate_predictions", [])]

    if rules(saved) != rules(ours):
        return "has other blocking rules than the notebook's cells"
    try:
        linkage.with_parameters(ours, saved)
    except ValueError:
        return "has other comparisons than the notebook's cells"
    return None


def trained_run(
    db_api, tables: Mapping[str, Any], *, people: int, seed: int, folder: Path = OUTPUT_DIR
) -> tuple[linkage.LinkageRun, str]:
    """The trained model's run on ``tables``: scored with the model part 1 saved in ``folder`` if it
    was trained on these tables (``load``), else trained here as part 1 trains it. Returns the run
    and one short line that says which, and why."""
    model, why = load(tables, people=people, seed=seed, folder=folder)
    if model is not None:
        run = linkage.link_people(db_api, tables, trained=model)
        return run, f"Scored with the model part 1 saved ({MODEL}): {why}."
    run = linkage.link_people(db_api, tables)
    return run, f"Trained the model here, as part 1 does: {why}."
