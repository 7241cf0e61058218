"""Checks on a whole extract file before DuckDB reads any of it.

A file that cannot be loaded at all is refused here with ``ExtractRejected``,
which names the file, the problem and what to do. A file that passes gets its
``FileFacts``: its header, its SHA-256 fingerprint, its line end and the number
of records it holds, counted by this module's own reader, not by DuckDB's. The
pipeline checks DuckDB's reading of the file against that count, so a row the
CSV reader skipped without a word cannot go unnoticed.

How records are counted. A record is a CSV record after the header: a line,
or several lines when a quoted value holds a line break. Blank lines are not
records (DuckDB skips them too). A file with no double quote in it is counted
from its bytes alone: its line ends, less its blank lines. A file with quotes
goes through Python's ``csv`` module instead, which knows where a quoted value
ends. That is slower (about a second a million rows), and extracts rarely
have quotes.
"""

from __future__ import annotations

import csv
import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import contract

BLOCK = 1 << 22  # the file is read 4 MiB at a time, so a large file needs little memory
# Blocks at least this big are hashed on a thread of their own while the line ends are counted.
THREAD_BLOCK = 1 << 16
LINE_END_NAMES = {"\n": "LF (\\n)", "\r\n": "CRLF (\\r\\n)", "\r": "CR alone (\\r)"}
_LINE_END = re.compile(rb"\r\n|\r|\n")
# A blank line is a line end straight after another line end: (what to look for, the pattern that counts it).
_BLANK_LINE = {
    "\n": (b"\n\n", re.compile(rb"(?<=\n)\n")),
    "\r\n": (b"\n\r\n", re.compile(rb"(?<=\n)\r\n")),
    "\r": (b"\r\r", re.compile(rb"(?<=\r)\r")),
}


class ExtractRejected(ValueError):
    """A whole extract file was refused; nothing from it was loaded."""

    def __init__(self, path: Path | str, problem: str, action: str):
        self.path = Path(path)
        self.problem = problem
        self.action = action
        super().__init__(f"{self.path.name}: refused, {problem}. {action} Nothing from this file was loaded.")


@dataclass(frozen=True)
class FileFacts:
    """What the pipeline knows about a file before DuckDB reads it."""

    path: Path
    columns: tuple[str, ...]  # the header's column names, in the file's order
    sha256: str
    records: int  # CSV records after the header; blank lines are not records
    line_end: str  # "\n", "\r\n" or "\r"
    size: int  # bytes


def read_header(path: Path | str) -> list[str]:
    """Check that a file can be loaded at all and return its column names in file order.

    Raises ExtractRejected, naming the file, the problem and what to do, for an
    empty file, a header that is not UTF-8, the wrong delimiter, or columns
    missing, unexpected, repeated or renamed. A byte-order mark is fine, and so
    are lines that end in LF, CRLF or CR alone (old Mac files).
    """
    path = Path(path)
    if not path.is_file():
        raise ExtractRejected(path, "the file does not exist", "Check the path and the extract's delivery.")
    with path.open("rb") as handle:
        head = handle.read(65536)
    if not head.strip():
        raise ExtractRejected(
            path,
            "the file is empty (no header line)",
            "An extract always has a header, even on a day with no events: ask the source to re-run it.",
        )
    first_line = _LINE_END.split(head, maxsplit=1)[0]
    try:
        text = first_line.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractRejected(
            path, f"the header line is not UTF-8 ({exc.reason} at byte {exc.start})", "Ask for the file in UTF-8."
        ) from exc
    columns = [c.strip() for c in next(csv.reader([text]))]
    expected = list(contract.names())
    if len(columns) == 1 and any(sep in text for sep in (";", "\t", "|")):
        sep = next(s for s in (";", "\t", "|") if s in text)
        raise ExtractRejected(
            path,
            f"the header is separated by {sep!r}, not by commas",
            "The extracts must be comma-separated (CSV): ask the source to send them so.",
        )
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    missing = [c for c in expected if c not in columns]
    unexpected = [c for c in columns if c not in expected]
    if repeated or missing or unexpected:
        parts = []
        if missing:
            parts.append("missing column(s): " + ", ".join(missing))
        if unexpected:
            parts.append("unexpected column(s): " + ", ".join(repr(c) for c in unexpected))
        if repeated:
            parts.append("repeated column(s): " + ", ".join(repeated))
        hint = ""
        if len(missing) == len(unexpected) == 1:
            hint = f" Was {missing[0]} renamed to {unexpected[0]!r}?"
        raise ExtractRejected(
            path,
            "; ".join(parts),
            f"The extract must have exactly these columns: {', '.join(expected)}.{hint} "
            "Ask the source to fix the extract, or change the contract (court_cases_etl/contract.toml) "
            "if the change is agreed.",
        )
    return columns


def inspect(path: Path | str, method: str = "auto") -> FileFacts:
    """Check a whole file and return its facts; raise ExtractRejected if it cannot be loaded.

    ``method`` chooses how records are counted: "bytes" (line ends, for a file
    with no quotes), "csv" (Python's csv module) or "auto" (bytes unless the
    file has a double quote in it). Besides the header's checks, a file whose
    lines end in more than one way is refused: DuckDB's CSV reader stops on it
    with an error that names neither the file nor the line.
    """
    path = Path(path)
    columns = tuple(read_header(path))
    scan = _scan_bytes(path)
    if method not in ("auto", "bytes", "csv"):
        raise ValueError(f"method must be 'auto', 'bytes' or 'csv', not {method!r}")
    if method == "csv" or (method == "auto" and scan["quoted"]):
        records, ends = _count_with_csv(path)
    elif scan["quoted"]:
        raise ValueError(f"{path.name} has double quotes: its records can only be counted with method='csv'")
    else:
        records, ends = scan["records"], scan["ends"]
    if len(ends) > 1:
        first, other = _first_change_of_line_end(path)
        raise ExtractRejected(
            path,
            f"its lines end in more than one way: line {first[0]} ends in {LINE_END_NAMES[first[1]]} "
            f"but line {other[0]} in {LINE_END_NAMES[other[1]]}",
            "A file must use one kind of line end throughout. Ask the source to resend it, or convert its "
            "line ends (for example with dos2unix) and load it again.",
        )
    line_end = next(iter(ends), "\n")
    return FileFacts(path, columns, scan["sha256"], records, line_end, scan["size"])


def _scan_bytes(path: Path) -> dict:
    """One pass over the bytes: SHA-256, line ends of each kind, blank lines, and whether there are quotes.

    The fingerprint of each block is taken on another thread while this one counts its line
    ends (hashlib lets other threads run), and a block with no carriage return skips the
    searches that need one: most extracts end their lines in LF alone. Blocks smaller than
    THREAD_BLOCK (only the tests read in such small blocks) are hashed on this thread: for
    them, handing each block over costs more than hashing it.
    """
    digest = hashlib.sha256()
    lf = cr = crlf = size = 0
    blank = dict.fromkeys(_BLANK_LINE, 0)
    quoted = False
    carry = b""  # the end of the previous block, for patterns that span two blocks
    in_turn = BLOCK < THREAD_BLOCK
    with path.open("rb", buffering=0) as handle, ThreadPoolExecutor(max_workers=1) as hasher:
        hashed = None
        while block := handle.read(BLOCK):
            if in_turn:
                digest.update(block)
            else:
                if hashed is not None:
                    hashed.result()  # the blocks are hashed in order, one at a time
                hashed = hasher.submit(digest.update, block)
            size += len(block)
            lf += block.count(b"\n")
            has_cr = b"\r" in block or b"\r" in carry
            if has_cr:
                cr += block.count(b"\r")
                crlf += block.count(b"\r\n") + (carry[-1:] == b"\r" and block[:1] == b"\n")
            quoted = quoted or b'"' in block
            window = carry + block
            for end, (needle, pattern) in _BLANK_LINE.items():
                if (has_cr or "\r" not in end) and needle in window:
                    blank[end] += sum(1 for m in pattern.finditer(window) if m.end() > len(carry))
            carry = window[-2:]
        if hashed is not None:
            hashed.result()
    ends = {end for end, n in (("\r\n", crlf), ("\r", cr - crlf), ("\n", lf - crlf)) if n}
    records = 0
    if len(ends) == 1:
        end = next(iter(ends))
        lines = {"\r\n": crlf, "\r": cr - crlf, "\n": lf - crlf}[end] + (not carry.endswith(end.encode()))
        records = lines - blank[end] - 1  # less the header
    elif not ends:
        records = 0  # one line, the header, with no line end
    return {"sha256": digest.hexdigest(), "size": size, "ends": ends, "records": records, "quoted": quoted}


def _count_with_csv(path: Path) -> tuple[int, set[str]]:
    """Count records with Python's csv module; return the count and the line ends that end lines or records."""
    ends: set[str] = set()
    last_line = [""]

    def lines(text):
        for line in text:  # newline="" keeps each line's own end: \n, \r\n or \r
            last_line[0] = line
            yield line

    limit = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)  # an over-long value must be counted, not refused here
    try:
        with path.open("r", encoding="utf-8", errors="surrogateescape", newline="") as text:
            records = -1  # the header is not a record
            for record in csv.reader(lines(text)):
                line = last_line[0]
                end = "\r\n" if line.endswith("\r\n") else line[-1:] if line[-1:] in ("\r", "\n") else ""
                if end:
                    ends.add(end)
                if record:  # a blank line gives an empty record
                    records += 1
    finally:
        csv.field_size_limit(limit)
    return max(records, 0), ends


def _first_change_of_line_end(path: Path) -> tuple[tuple[int, str], tuple[int, str]]:
    """(line, end) of the first line end, and of the first line that ends another way."""
    first = None
    number = 0
    carry = b""
    with path.open("rb") as handle:
        while block := handle.read(BLOCK):
            window = carry + block
            # Leave a final \r for the next block: it may be the first half of \r\n.
            stop = len(window) - 1 if window.endswith(b"\r") else len(window)
            position = 0
            for match in _LINE_END.finditer(window, 0, stop):
                number += 1
                end = match.group().decode()
                position = match.end()
                if first is None:
                    first = (number, end)
                elif end != first[1]:
                    return first, (number, end)
            carry = window[position:]
    if carry.endswith(b"\r") and first is not None and first[1] != "\r":
        return first, (number + 1, "\r")
    raise ValueError(f"{path.name}: its line ends do not differ")  # not reached when called on a mixed file
