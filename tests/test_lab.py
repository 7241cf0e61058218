"""`make lab` as a learner uses it: the ETL notebook opened in JupyterLab, in Chromium.

The notebooks' Markdown is MyST, so the lab must render it as the book does (jupyterlab-myst):
on the first screen, a ``{term}`raw <Raw>` `` role shows its word, "raw", never the role. And
the lab asks nothing of another host: every request the browser makes is routed, and any not for
127.0.0.1 is aborted and recorded.

A notebook picks up an edit to its package when a cell runs (IPython's autoreload, turned on in
its first code cells), as a learner who changes a helper module in the lab expects.

The browser test runs `make lab` itself, as a learner does (the Makefile is the one home of its
options), with a free port, a token and a Jupyter configuration of its own in a temporary
folder: nothing of the user's ~/.jupyter is read or written. Where the machine allows network
namespaces, the lab and Chromium run in one with only loopback (local_spark.offline), as the
book's build does, so the lab is seen to work offline. To run both in the same namespace, that
part (main) runs in a process of its own: it writes what the browser saw to a report, which the
test reads.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from site_check import CHROMIUM_ARGS, chromium_path, expected_pages, free_port, shared_playwright

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "court_cases_etl/court_cases_etl.ipynb"  # from notebooks/, where `make lab` starts
EXTENSION = "jupyterlab-myst"
WINDOW = {"width": 1280, "height": 900}
SECONDS = 60  # for the lab to start, and again for the notebook to show
INSTALL = (
    "requirements.txt pins it: `.venv/bin/python -m pip install --require-hashes -r requirements.txt` (as `make setup`)"
)

# The notebook's cells on the first screen, once every Markdown cell there is rendered (its editor,
# which shows the source, hidden; its text shown): each cell's index and the text it shows; null
# until then. A cell's index is its place in the notebook (JupyterLab's windowed list).
FIRST_SCREEN = """() => {
  const cells = [...document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell')].filter(cell => {
    const box = cell.getBoundingClientRect();
    return box.height > 0 && box.bottom > 0 && box.top < window.innerHeight;
  });
  const markdown = cells.filter(cell => cell.classList.contains('jp-MarkdownCell'));
  const rendered = cell => !cell.querySelector('.jp-InputArea-editor')?.checkVisibility()
    && cell.innerText.trim() !== '';
  if (!markdown.length || !markdown.every(rendered)) return null;
  return cells.map(cell => ({index: Number(cell.dataset.windowedListIndex),
                             markdown: cell.classList.contains('jp-MarkdownCell'), text: cell.innerText}));
}"""
# A MyST role as written in Markdown ({term}`word`, {term}`word <Target>`, {glue:text}`name`).
ROLE = re.compile(r"\{([\w:.-]+)\}`([^`]*)`")
# What is left of a role in the text of a cell that shows Markdown raw: its name in braces.
RAW_ROLE = re.compile(r"\{[\w:.-]+\}")


def port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def lab_environment(folder: Path, port: int, token: str) -> dict[str, str]:
    """`make lab`'s environment for a test: its port and token, and Jupyter's configuration, data,
    runtime files, lab settings and workspaces, and IPython's, all under `folder`."""
    config = folder / "jupyter-config"
    config.mkdir(parents=True, exist_ok=True)
    # No browser of the server's own; root may run it (a container's user often is root); and no
    # kernel for the notebook: what it shows is the test, and a kernel's start costs seconds.
    server = {"ServerApp": {"open_browser": False, "allow_root": True}, "LabApp": {"notebook_starts_kernel": False}}
    # The checkpoint the lab saves of an opened notebook goes here, not into the checkout: a new
    # folder beside the notebook would make the next `make html` build the book again.
    server["FileCheckpoints"] = {"checkpoint_dir": str(folder / "checkpoints")}
    (config / "jupyter_server_config.json").write_text(json.dumps(server), encoding="utf-8")
    # Nor the check that the lab's own build is current (seconds of CPU, beside the page's load).
    (config / "labconfig").mkdir(exist_ok=True)
    (config / "labconfig" / "page_config.json").write_text(json.dumps({"buildCheck": False}), encoding="utf-8")
    return {
        **os.environ,
        "JUPYTER_PORT": str(port),
        "JUPYTER_PORT_RETRIES": "0",  # this port or none
        "JUPYTER_TOKEN": token,
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTER_DATA_DIR": str(folder / "jupyter-data"),
        "JUPYTER_RUNTIME_DIR": str(folder / "jupyter-runtime"),
        "IPYTHONDIR": str(folder / "ipython"),
        "MAKEFLAGS": "",
        "NO_COLOR": "1",
    }


def checkpoints_in_the_checkout() -> dict[str, int]:
    """Each file of a `.ipynb_checkpoints` folder under notebooks/, with its time of change."""
    return {str(p): p.stat().st_mtime_ns for p in (ROOT / "notebooks").glob("**/.ipynb_checkpoints/*")}


def stop(server: subprocess.Popen, base: str, token: str, port: int) -> None:
    """Stop the lab as its Quit button does (its API), and once it no longer listens, end what is
    left of `make lab` by signals to its process group: after a shutdown, Jupyter's process waits
    about 10 s for an idle worker thread (anyio's) to time out before it exits."""
    request = urllib.request.Request(f"{base}api/shutdown", method="POST", headers={"Authorization": f"token {token}"})
    try:
        urllib.request.urlopen(request, timeout=5).close()
    except OSError:
        pass  # not serving: the signals alone
    deadline = time.monotonic() + 10
    while server.poll() is None and port_open(port) and time.monotonic() < deadline:
        time.sleep(0.1)
    for stopping in (signal.SIGTERM, signal.SIGKILL):
        if server.poll() is not None:
            return
        os.killpg(server.pid, stopping)
        try:
            server.wait(timeout=3)
        except subprocess.TimeoutExpired:
            continue


def wait_until_ready(base: str, token: str, server: subprocess.Popen) -> bool:
    deadline = time.monotonic() + SECONDS
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}api/status?token={token}", timeout=2):
                return True
        except OSError:
            time.sleep(0.25)
    return False


def look(folder: Path) -> dict:
    """Run `make lab`, open the notebook in Chromium, and say what its first screen shows,
    which extensions the lab loaded and what the browser asked of which host."""
    started = time.monotonic()
    port, token = free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}/"
    report: dict = {"blocked": [], "websockets": [], "cells": None, "extensions": None, "disabled": None}
    log = folder / "make-lab.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            ["make", "--no-print-directory", "lab"],
            cwd=ROOT,
            env=lab_environment(folder, port, token),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        if not wait_until_ready(base, token, server):
            report["problem"] = f"`make lab` did not serve {base} within {SECONDS} s"
            return report
        report["ready_s"] = round(time.monotonic() - started, 1)
        with shared_playwright() as playwright:  # beside the session checker's, if it runs
            browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(viewport=WINDOW, service_workers="block")

                def route(route):
                    if urlsplit(route.request.url).hostname == "127.0.0.1":
                        route.continue_()
                    else:
                        report["blocked"].append(route.request.url)
                        route.abort()

                context.route("**/*", route)
                page = context.new_page()
                page.on("websocket", lambda socket: report["websockets"].append(socket.url))
                page.goto(f"{base}lab/tree/{NOTEBOOK}?token={token}", wait_until="load")
                config = json.loads(page.text_content("#jupyter-config-data") or "{}")
                report["extensions"] = [ext.get("name") for ext in config.get("federated_extensions", [])]
                report["disabled"] = config.get("disabledExtensions", [])
                try:
                    page.wait_for_function(FIRST_SCREEN, timeout=SECONDS * 1000, polling=250)
                except Exception as error:  # Playwright's TimeoutError: said in the report
                    report["problem"] = f"the notebook's first screen did not show within {SECONDS} s: {error}"
                    return report
                # Then the same text twice running: a renderer may fill a cell in after it is shown.
                cells = page.evaluate(FIRST_SCREEN)
                for _ in range(20):
                    page.wait_for_timeout(250)
                    if cells == (cells := page.evaluate(FIRST_SCREEN)):
                        break
                report["cells"] = cells
                report["shown_s"] = round(time.monotonic() - started, 1)
            finally:
                browser.close()
    finally:
        stop(server, base, token, port)
        report["port_open_after"] = port_open(port)
        report["log"] = log.read_text(encoding="utf-8", errors="replace")[-4000:]
        report["seconds"] = round(time.monotonic() - started, 1)
    return report


def words(markdown: str) -> list[str]:
    """The words a Markdown cell's roles stand for: a {term}'s text (before any <Target>)."""
    return [text.split("<")[0].strip() for name, text in ROLE.findall(markdown) if name == "term"]


# What a learner does: import the package, edit a module of it, run a cell. In IPython, as in the
# lab's kernel, with the notebook's own lines for autoreload (argv[1]) run after one import of the
# module (as the ETL's parameters cell imports it) and before another of a function by name.
EDIT_AND_RUN = """
import json, os, sys
from pathlib import Path
from IPython.core.interactiveshell import InteractiveShell

shell = InteractiveShell.instance()
for cell in ["import helpers.steps as steps", sys.argv[1], "from helpers.steps import answer"]:
    shell.run_cell(cell).raise_error()
module = Path("helpers/steps.py")
module.write_text("def answer():\\n    return 'edited'\\n")
os.utime(module, (module.stat().st_atime, module.stat().st_mtime + 2))  # however coarse the clock
shell.run_cell("found = [steps.answer(), answer()]").raise_error()
print(json.dumps(shell.user_ns["found"]))
"""


@pytest.mark.parametrize(
    "docname",
    [name for name in (page.removesuffix(".html") for page in expected_pages() if page.startswith("notebooks/"))],
)
def test_a_notebook_picks_up_edits_to_its_package_when_a_cell_runs(docname, tmp_path):
    notebook = json.loads((ROOT / f"{docname}.ipynb").read_text(encoding="utf-8"))
    code = ["".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code"]
    lines = [line for source in code for line in source.splitlines() if re.match(r"%(load_ext )?autoreload\b", line)]
    assert lines, (
        f"{docname}.ipynb does not turn autoreload on, so an edit to its package reaches it only after a restart: "
        "add `%load_ext autoreload` and `%autoreload 2` at the top of its first code cell after the parameters"
    )
    (tmp_path / "helpers").mkdir()
    (tmp_path / "helpers" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "helpers" / "steps.py").write_text("def answer():\n    return 'as first written'\n", encoding="utf-8")
    ran = subprocess.run(
        [sys.executable, "-c", EDIT_AND_RUN, "\n".join(lines)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "IPYTHONDIR": str(tmp_path / "ipython"), "PYTHONPATH": str(tmp_path)},
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert json.loads(ran.stdout) == ["edited", "edited"], (
        f"with {docname}.ipynb's lines {lines}, a cell run after an edit used {ran.stdout.strip()}, not the edit"
    )


def test_jupyterlab_myst_suits_the_jupyterlab_it_is_pinned_with():
    """`jupyter labextension list`'s own check (it marks a mismatch X): each package the extension
    shares with JupyterLab as a singleton is in a version range JupyterLab has. It fails where the
    browser might not: jupyterlab-myst 2.7.0 still renders the first screen on JupyterLab 4.6."""
    from jupyter_core.paths import jupyter_path
    from jupyterlab.commands import _validate_compatibility, get_app_dir
    from jupyterlab_server.config import get_federated_extensions

    extension = get_federated_extensions(jupyter_path("labextensions")).get(EXTENSION)
    assert extension, f"{EXTENSION} is not installed: {INSTALL}"
    core = json.loads((Path(get_app_dir()) / "static" / "package.json").read_text(encoding="utf-8"))
    errors = _validate_compatibility(EXTENSION, extension["dependencies"], core)
    assert errors == [], (
        f"{EXTENSION} {extension['version']} does not suit JupyterLab {core['version']}: "
        + "; ".join(f"it needs {name} {needs}, JupyterLab has {has}" for name, has, needs in errors)
        + ". Pin a JupyterLab it supports in requirements.in (the comment there says which), or a release"
        f" of {EXTENSION} that supports this one; then `make lock`."
    )


def test_make_lab_renders_the_notebooks_myst_and_asks_no_other_host(chromium, tmp_path):
    from local_spark.offline import offline_command

    prefix, why_online = offline_command()
    checkout_before = checkpoints_in_the_checkout()
    command = [*(prefix or []), sys.executable, "-c", "import sys, test_lab; test_lab.main(sys.argv[1])", str(tmp_path)]
    path = os.pathsep.join([str(ROOT / "tests"), str(ROOT / "tools"), os.environ.get("PYTHONPATH", "")])
    driver = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "CHROMIUM": chromium, "PYTHONPATH": path},
        start_new_session=True,
    )
    try:
        said, _ = driver.communicate(timeout=3 * SECONDS)
    except subprocess.TimeoutExpired:
        # SIGTERM first: the check then stops the lab (main); SIGKILL if it cannot.
        for stopping in (signal.SIGTERM, signal.SIGKILL):
            os.killpg(driver.pid, stopping)
            try:
                said, _ = driver.communicate(timeout=30)
                break
            except subprocess.TimeoutExpired:
                continue
        raise AssertionError(f"the lab's check took over {3 * SECONDS} s:\n{said[-3000:]}") from None
    report_file = tmp_path / "report.json"
    assert report_file.exists(), f"the lab's check stopped before its report:\n{said[-3000:]}"
    report = json.loads(report_file.read_text(encoding="utf-8"))
    where = "offline" if prefix else f"online ({why_online})"
    print(f"make lab {where}: served after {report.get('ready_s')} s, notebook shown after {report.get('shown_s')} s")
    assert not report["port_open_after"], "the lab still listens on its port after it was stopped"
    assert "problem" not in report, f"{report['problem']}; `make lab` said:\n{report['log']}"
    assert checkpoints_in_the_checkout() == checkout_before, (
        "the lab saved a checkpoint into the checkout's notebooks/ (lab_environment's FileCheckpoints): "
        "the next `make html` would build the book again"
    )

    extensions, disabled = report["extensions"], report["disabled"]
    assert EXTENSION in extensions, (
        f"{EXTENSION} is not installed, so JupyterLab shows the notebooks' MyST raw (it loaded {extensions}): {INSTALL}"
    )
    assert not [name for name in disabled if name.split(":")[0] == EXTENSION], (
        f"{EXTENSION} is disabled ({disabled}): `.venv/bin/jupyter labextension enable {EXTENSION}`"
    )

    notebook = json.loads((ROOT / "notebooks" / NOTEBOOK).read_text(encoding="utf-8"))
    markdown = [cell for cell in report["cells"] if cell["markdown"]]
    raw = {cell["index"]: RAW_ROLE.findall(cell["text"]) for cell in markdown if RAW_ROLE.search(cell["text"])}
    if raw:
        listed = subprocess.run(
            [str(Path(sys.executable).parent / "jupyter"), "labextension", "list"], capture_output=True, text=True
        )
        raise AssertionError(
            f"{NOTEBOOK} shows MyST roles raw on its first screen ({{cell: roles}}: {raw}): {EXTENSION} is "
            "installed and enabled but did not render them. Is it compatible with this JupyterLab? "
            "`jupyter labextension list` marks an incompatible extension X:\n"
            + re.sub(r"\x1b\[[0-9;]*m", "", listed.stdout + listed.stderr)  # without its colours
        )
    expected = [word for cell in markdown for word in words("".join(notebook["cells"][cell["index"]]["source"]))]
    assert expected, f"no {{term}} role in the Markdown of {NOTEBOOK}'s first screen: choose another check"
    shown = " ".join(" ".join(cell["text"].split()) for cell in markdown)
    missing = [word for word in expected if not re.search(rf"\b{re.escape(word)}\b", shown)]
    assert missing == [], f"the first screen does not show the words {missing} its {{term}} roles stand for:\n{shown}"
    assert report["blocked"] == [], f"the lab asked another host for {sorted(set(report['blocked']))}"
    other = [url for url in report["websockets"] if urlsplit(url).hostname != "127.0.0.1"]
    assert other == [], f"the lab opened a websocket to another host: {other}"


def main(folder: str) -> None:
    """The lab's check, in the process the test starts (in a network namespace where it can):
    what look() saw, in FOLDER/report.json."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))  # so that look() stops the lab first
    report = look(Path(folder))
    (Path(folder) / "report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
