"""The sources the linkage reads, registered by name: one TOML file per source.

Each file in ``sources/`` registers one source under its file's name (``sources/prison.toml``
registers ``prison``). It says where the extract is, which column identifies a record, and
which of its columns holds each of the documented columns (``DOCUMENTED``) that the model
compares. ``prepare`` reads every registered source the same way, so a fourth source, or
another data set with the same kinds of fields, links with no code edit: add its file here.

    # sources/approved_premises.toml: residents of approved premises
    order = 4                          # where it comes among the sources (optional)
    file = "ap_residents.csv"          # the extract, in the folder load_extracts reads
    id = "resident_id"                 # one value per record, never blank
    first_word = false                 # true if first_name holds every forename

    [columns]                          # documented column = the extract's column
    first_name = "given_name"          # first_name and last_name are required;
    last_name = "family_name"          # dob, sex, postcode and pnc are optional:
    dob = "dob"                        # one left out is blank for every record,
    sex = "sex"                        # and compared as neither for nor against
    postcode = "postcode"
    pnc = "pnc"

    [dates]                            # every date column, as Python's strptime writes it
    dob = "%d.%m.%Y"

    [events]                           # optional: columns kept apart for questions,
    arrival_date = "date"              # never compared: date or text

    [synthetic]                        # optional, only for the synthetic data: the generator
    like = "probation"                 # makes this extract for a share of the people in
    share = 0.4                        # another source, with that source's errors

How values are cleaned is the same for every source (``sql/macros.sql``): names in lower
case, letters, spaces and hyphens; dates to ISO text from the source's format; sex as M or
F from M, F, Male or Female (anything else, such as NK or Not Known, is blank); postcodes
and PNC numbers in their standard forms.

The tests register extra sources without touching this folder: ``PEOPLE_LINKAGE_SOURCES``
names more folders of such files (separated by ``os.pathsep``), read after this one.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "sources"
EXTRA_FOLDERS = "PEOPLE_LINKAGE_SOURCES"  # the environment variable naming more folders
# The columns a source maps onto, which the model compares; the first two are required.
DOCUMENTED = ("first_name", "last_name", "dob", "sex", "postcode", "pnc")
REQUIRED = ("first_name", "last_name")
KEYS = {"order", "file", "id", "first_word", "columns", "dates", "events", "synthetic"}
EVENT_KINDS = ("date", "text")


class RegistryError(ValueError):
    """A source's registration that cannot be used: the message names the file and the fix."""

    def __init__(self, path: Path, problem: str, fix: str):
        super().__init__(f"{path}: {problem}. {fix}")


@dataclass(frozen=True)
class Source:
    """One registered source: its extract, its identifier and how its columns map onto ours."""

    name: str
    file: str
    id: str
    columns: dict[str, str]  # documented column -> the extract's column
    dates: dict[str, str] = field(default_factory=dict)  # the extract's date column -> strptime format
    events: dict[str, str] = field(default_factory=dict)  # the extract's column -> "date" or "text"
    first_word: bool = False
    synthetic: dict | None = None  # {"like": source, "share": 0..1}, for the generator
    order: float = 100
    path: Path | None = None  # the file that registered it
    description: str = ""  # its opening comment

    @property
    def needs(self) -> list[str]:
        """Every column the extract must have, each once, in the order this registration names them."""
        wanted = [self.id, *self.columns.values(), *self.dates, *self.events]
        return list(dict.fromkeys(wanted))


def _description(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("# ").rstrip())
    return " ".join(lines)


def read(path: Path) -> Source:
    """The source one TOML file registers (named for the file), checked."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    try:
        spec = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RegistryError(path, f"this is not valid TOML ({error})", "Compare it with sources/prison.toml.") from None
    unknown = sorted(set(spec) - KEYS)
    if unknown:
        raise RegistryError(path, f"unknown key {', '.join(unknown)}", f"The keys are: {', '.join(sorted(KEYS))}.")
    for key in ("file", "id", "columns"):
        if key not in spec:
            raise RegistryError(path, f"it has no {key}", "Every source needs file, id and [columns].")
    columns = dict(spec["columns"])
    odd = sorted(set(columns) - set(DOCUMENTED))
    if odd:
        raise RegistryError(
            path,
            f"[columns] maps {', '.join(odd)}, which the model does not compare",
            f"Map only the documented columns: {', '.join(DOCUMENTED)}.",
        )
    lacking = [c for c in REQUIRED if c not in columns]
    if lacking:
        raise RegistryError(path, f"[columns] has no {', '.join(lacking)}", "Every source needs both names.")
    dates = dict(spec.get("dates", {}))
    if "dob" in columns and columns["dob"] not in dates:
        raise RegistryError(
            path,
            f"the date of birth column {columns['dob']} has no format in [dates]",
            f'Add {columns["dob"]} = "%d/%m/%Y" (or however it is written) under [dates].',
        )
    events = dict(spec.get("events", {}))
    for column, kind in events.items():
        if kind not in EVENT_KINDS:
            raise RegistryError(path, f"[events] says {column} is {kind!r}", "Each event column is date or text.")
        if kind == "date" and column not in dates:
            raise RegistryError(path, f"the event date {column} has no format in [dates]", "Add it under [dates].")
    synthetic = spec.get("synthetic")
    if synthetic is not None and not (
        isinstance(synthetic.get("like"), str) and 0 < float(synthetic.get("share", 0)) <= 1
    ):
        raise RegistryError(
            path, f"[synthetic] is {synthetic}", 'It needs like = "<a source>" and a share between 0 and 1.'
        )
    return Source(
        name=path.stem,
        file=str(spec["file"]),
        id=str(spec["id"]),
        columns=columns,
        dates=dates,
        events=events,
        first_word=bool(spec.get("first_word", False)),
        synthetic=synthetic,
        order=float(spec.get("order", 100)),
        path=path,
        description=_description(text),
    )


def folders() -> list[Path]:
    """The folders of registrations: ``sources/``, then any that PEOPLE_LINKAGE_SOURCES names."""
    extra = [Path(p) for p in os.environ.get(EXTRA_FOLDERS, "").split(os.pathsep) if p.strip()]
    return [FOLDER, *extra]


def load(where: list[Path] | None = None) -> dict[str, Source]:
    """Every registered source, by name, in their order (``order``, then name)."""
    found: dict[str, Source] = {}
    for folder in folders() if where is None else where:
        if not Path(folder).is_dir():
            raise RegistryError(
                Path(folder), "there is no such folder of sources", f"Create it, or unset {EXTRA_FOLDERS}."
            )
        for path in sorted(Path(folder).glob("*.toml")):
            source = read(path)
            if source.name in found:
                raise RegistryError(
                    path, f"{source.name} is registered already, by {found[source.name].path}", "Rename one of them."
                )
            found[source.name] = source
    files = {}
    for source in found.values():
        if source.file in files:
            raise RegistryError(
                source.path, f"{files[source.file]} reads {source.file} too", "Each source needs its own file."
            )
        files[source.file] = source.name
    for source in found.values():
        if source.synthetic is not None and source.synthetic["like"] not in found:
            raise RegistryError(
                source.path, f"[synthetic] is like {source.synthetic['like']!r}, which is not registered",
                f"Use one of {', '.join(found)}.",
            )  # fmt: skip
    return dict(sorted(found.items(), key=lambda item: (item[1].order, item[0])))


def order(sources: dict[str, Source] | None = None) -> dict[str, int]:
    """Each source's place, for putting the two sides of a pair in one order."""
    return {name: i for i, name in enumerate(load() if sources is None else sources)}
