"""No built page shows where it was built: not the checkout's absolute path, nor the home folder
of whoever built it. A notebook that prints a file's path prints it relative to the notebook."""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT


def machine_paths_in(html: Path, paths: list[str]) -> list[str]:
    """Each built file that holds one of `paths`, with the first it holds."""
    found = []
    for page in sorted(html.rglob("*")):
        if page.suffix in {".html", ".js", ".json", ".txt", ".ipynb"} and page.is_file():
            text = page.read_text(encoding="utf-8", errors="replace")
            hits = [path for path in paths if path in text]
            if hits:
                found.append(f"{page.relative_to(html)}: {hits[0]}")
    return found


def the_machines_paths() -> list[str]:
    return [str(ROOT) + "/", str(Path.home()) + "/"]


def test_no_built_page_shows_the_checkout_or_the_home_folder(built_book):
    assert built_book.returncode == 0, built_book.log[-3000:]
    found = machine_paths_in(built_book.html, the_machines_paths())
    assert found == [], "print paths relative to the repository or the notebook, not absolute:\n" + "\n".join(found)


def test_the_check_finds_a_planted_path(tmp_path):
    (tmp_path / "page.html").write_text(f"<p>Saved to {ROOT}/notebooks/output/x.csv</p>", encoding="utf-8")
    (tmp_path / "clean.html").write_text("<p>Saved to ../output/x.csv</p>", encoding="utf-8")
    assert machine_paths_in(tmp_path, the_machines_paths()) == [f"page.html: {ROOT}/"]
