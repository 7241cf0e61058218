"""What an exercise's check cell says: done, not done yet, or what is wrong.

Every notebook ends with "Your turn": exercises, each followed by a check cell that calls
a function of its example's ``exercises`` module. That function returns an ``Outcome``,
which the cell shows as one line::

    Done: the rule young_defendant quarantined 12 rows, each with its reason.
    Not done yet: rules.csv has no rule named young_defendant.
    Not right yet: young_defendant quarantined every row: its condition is true for ...

A check never raises on an exercise nobody has touched, so the book builds with every
exercise untouched, and each says "Not done yet".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Status(Enum):
    DONE = "Done"
    NOT_YET = "Not done yet"
    WRONG = "Not right yet"


@dataclass(frozen=True)
class Outcome:
    status: Status
    message: str

    def __str__(self) -> str:
        return f"{self.status.value}: {self.message}"

    # A check cell's last line shows the outcome as its one line of output.
    __repr__ = __str__


def done(message: str) -> Outcome:
    return Outcome(Status.DONE, message)


def not_yet(message: str) -> Outcome:
    return Outcome(Status.NOT_YET, message)


def wrong(message: str) -> Outcome:
    return Outcome(Status.WRONG, message)
