"""The solution a notebook's "Your turn" shows for an exercise, read from the notebook itself, so
that the exercise tests apply exactly what a reader sees.

    text = solution_text(NOTEBOOK, "court-cases-etl-new-rule")   # the solution cell's Markdown
    code = solution_code(NOTEBOOK, "court-cases-etl-new-rule")   # its first code block
"""

from __future__ import annotations

import json
import re
from pathlib import Path

# A fenced code block: its language (may be empty) and its lines, the last with its newline.
FENCE = re.compile(r"^```([\w+-]*)\n(.*?)^```$", re.M | re.S)


def solution_text(notebook: Path, label: str) -> str:
    """The Markdown of the one cell that holds the solution directive of exercise ``label``."""
    opens = re.compile(rf"^:{{3,}}\{{solution\}} {re.escape(label)}$", re.M)
    found = [
        "".join(cell["source"])
        for cell in json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
        if cell["cell_type"] == "markdown" and opens.search("".join(cell["source"]))
    ]
    assert len(found) == 1, f"{Path(notebook).name} has {len(found)} solution blocks for {label}, not one"
    return found[0]


def code_blocks(text: str) -> list[tuple[str, str]]:
    """Each fenced code block in ``text``: (its language, its code), in order."""
    return [(match.group(1), match.group(2)) for match in FENCE.finditer(text)]


def solution_code(notebook: Path, label: str) -> str:
    """The code of the first code block of exercise ``label``'s solution."""
    blocks = code_blocks(solution_text(notebook, label))
    assert blocks, f"the solution to {label} in {Path(notebook).name} shows no code block"
    return blocks[0][1]
