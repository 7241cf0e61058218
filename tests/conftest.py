"""Shared fixtures: the project root, and one build of the book per test run.

The book is built as `make book` builds it, into _build/html, with `make html`:
jupyter-book runs only if something changed since the last good build, and each
notebook runs only if it, or a file it reads, changed (the execution cache). So
one `make test` builds the book and runs each notebook at most once, and CI
publishes the very HTML the tests checked. Where the machine allows it, the
build runs in a network namespace with only loopback, so that a notebook or
extension that reaches for the internet fails the build.
"""

from __future__ import annotations

import fcntl
import io
import logging
import os
import pickle
import re
import shutil
import subprocess
import sys
import threading
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from local_spark.java import SHORT_RUN_OPTIONS
from local_spark.offline import offline_command

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BUILD_LOG = ROOT / "_build" / "book-build.log"
BUILD_LOCK = ROOT / "_build" / ".build.lock"

# The Spark runs the tests start last seconds: see SHORT_RUN_OPTIONS.
if SHORT_RUN_OPTIONS not in os.environ.get("JDK_JAVA_OPTIONS", ""):
    os.environ["JDK_JAVA_OPTIONS"] = f"{os.environ.get('JDK_JAVA_OPTIONS', '')} {SHORT_RUN_OPTIONS}".strip()


@dataclass
class Build:
    returncode: int
    log: str  # jupyter-book's output (of the last build that ran), or make's if it could not start
    html: Path
    offline: bool  # whether the build ran with networking off
    offline_reason: str = ""  # why not, if it did not

    def page(self, docname: str) -> Path:
        return self.html / f"{docname}.html"

    @property
    def executed(self) -> Path:
        """Where myst-nb writes each notebook as executed (with its outputs)."""
        return self.html.parent / "jupyter_execute"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def book_config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


def build_the_book() -> Build:
    """The book as `make html` builds it (offline where possible)."""
    prefix, reason = offline_command()
    env = {**os.environ, "DO_NOT_TRACK": "1", "NO_COLOR": "1", "MAKEFLAGS": ""}
    # One set-up and build at a time: where tests run in several processes (`make check` runs two
    # workers), the others wait for the first and then find nothing left to do.
    BUILD_LOCK.parent.mkdir(parents=True, exist_ok=True)
    with BUILD_LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # The packages first, with the network (nothing to do unless a lock changed since the last set-up).
        setup = subprocess.run(
            ["make", "--no-print-directory", "setup"], capture_output=True, text=True, env=env, cwd=ROOT
        )
        if setup.returncode != 0:
            return Build(
                setup.returncode, setup.stdout + setup.stderr, ROOT / "_build" / "html", False, "set-up failed"
            )
        result = subprocess.run(
            [*(prefix or []), "make", "--no-print-directory", "html"], capture_output=True, text=True, env=env, cwd=ROOT
        )
    log = BUILD_LOG.read_text(encoding="utf-8") if BUILD_LOG.exists() else ""
    if result.returncode != 0 and "jupyter-book build" not in result.stdout:
        log = result.stdout + result.stderr  # make stopped before jupyter-book ran
    return Build(result.returncode, log, ROOT / "_build" / "html", prefix is not None, reason)


# The browser fixtures (the served book, one Chromium) for the accessibility and budget tests, and
# the dbt project's data and builds (shared by its DuckDB and Spark tests, and started early below).
pytest_plugins = ["site_fixtures", "court_timeliness_fixtures"]


class Early:
    """Work started in a thread of its own and collected later: result() waits for it and
    returns its value, or raises what it raised."""

    def __init__(self, work: Callable[[], Any]):
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(work,), daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[], Any]) -> None:
        try:
            self._value = work()
        except BaseException as error:  # handed to the test that waits for it
            self._error = error

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


# Slow work that runs in processes of its own (Spark: minutes on 2 cores, mostly waiting on the
# JVM) is started before the first test, so that it overlaps the book build and the browser
# tests instead of following them. A test module registers a starter for the fixture that needs
# the work (`@start_early("spark_run")`); the fixture collects it with `collect_early`.
_STARTERS: dict[str, Callable[[pytest.FixtureRequest], Early]] = {}
_STARTED: dict[str, Early] = {}


def start_early(fixture: str):
    def register(starter: Callable[[pytest.FixtureRequest], Early]):
        _STARTERS[fixture] = starter
        return starter

    return register


def collect_early(request: pytest.FixtureRequest, fixture: str) -> Any:
    """The result of the work registered for `fixture`: started early if this run needs it, or now."""
    started = _STARTED.pop(fixture, None) or _STARTERS[fixture](request)
    return started.result()


@pytest.fixture(scope="session", autouse=True)
def _start_slow_work_early(request):
    needed = {name for item in request.session.items for name in item.fixturenames}
    for fixture, starter in _STARTERS.items():
        if fixture in needed and fixture not in _STARTED:
            try:
                _STARTED[fixture] = _once_per_run(request, fixture, starter)
            except Exception as error:  # reported by the tests that need it, not by every test
                _STARTED[fixture] = Early(lambda error=error: _raise(error))


def _once_per_run(
    request: pytest.FixtureRequest, fixture: str, starter: Callable[[pytest.FixtureRequest], Early]
) -> Early:
    """The early work for `fixture`, done by one process of the run.

    Where the tests run in several processes (pytest-xdist's workers), every worker collects
    every test, so each would start the same Spark runs. The first to take a lock on a file of
    this run's does the work and leaves its result (pickled) beside the lock; the others wait on
    the lock, if a test of theirs needs the result, and read it.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None:
        return starter(request)
    run = os.environ["PYTEST_XDIST_TESTRUNUID"]
    shared = request.getfixturevalue("tmp_path_factory").getbasetemp().parent / f"early-{run}"
    shared.mkdir(exist_ok=True)
    result, lock = shared / f"{fixture}.pickle", (shared / f"{fixture}.lock").open("w")

    def read() -> Any:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the worker doing the work holds it until its result is written
        fcntl.flock(lock, fcntl.LOCK_UN)
        if not result.exists():
            raise RuntimeError(f"the worker that ran {fixture} left no result in {result}: see its failure")
        outcome, value = pickle.loads(result.read_bytes())
        if outcome == "error":
            raise value
        return value

    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return Early(read)
    if result.exists():  # another worker did it already
        fcntl.flock(lock, fcntl.LOCK_UN)
        return Early(read)
    early = starter(request)

    def work() -> Any:
        try:
            value = early.result()
        except BaseException as error:
            try:
                result.write_bytes(pickle.dumps(("error", error)))
            except Exception:  # an error that cannot be pickled: its text then
                result.write_bytes(pickle.dumps(("error", RuntimeError(f"{fixture} failed: {error!r}"))))
            raise
        else:
            try:
                result.write_bytes(pickle.dumps(("ok", value)))
            except Exception as error:  # this worker still has it; the others are told why not
                reason = f"the result of {fixture} cannot pass between workers ({error}): keep it plain data"
                result.write_bytes(pickle.dumps(("error", RuntimeError(reason))))
            return value
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)

    return Early(work)


def _raise(error: BaseException):
    raise error


# The book's build is slow work too (every notebook runs on a cold cache), so it starts before
# the first test, in one worker, while the tests that do not need it run (pytest_collection_modifyitems
# puts them first); the tests that need it wait for it.
@start_early("built_book")
def _start_the_book_build(request: pytest.FixtureRequest) -> Early:
    return Early(build_the_book)


@pytest.fixture(scope="session")
def built_book(request) -> Build:
    """The book as `make html` builds it (offline where possible), once per test run."""
    return collect_early(request, "built_book")


# What some tests need from the machine, found by the fixtures they use; checked once, before any test runs.
BROWSER_FIXTURES = {"checker", "served_book", "page_report", "chromium"}
SPARK_FIXTURES = {"spark_run", "spark_linkage"}
NEEDS = {
    "Chromium": BROWSER_FIXTURES,
    "Java": {"vnu_report", *SPARK_FIXTURES},
}


def _missing(need: str) -> str | None:
    """Why a program the tests need is missing, with what to install; None if it is there."""
    from site_check import chromium_path
    from validate_html import java

    if need == "Java":
        try:
            java()
        except FileNotFoundError as exc:
            return str(exc)
    if need == "Chromium":
        try:
            chromium_path()
        except FileNotFoundError:
            where = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
            return (
                f"Chromium is needed for the browser tests and is not at {where}. Install it "
                "(Debian/Ubuntu: `sudo apt-get install chromium`; macOS: `brew install --cask chromium`), "
                "or point CHROMIUM at another Chromium or Chrome: `CHROMIUM=/path/to/chrome make test`."
            )
    return None


# The markers of the tests that a quick check (`make check`) leaves out, found by the fixtures
# they use; a module marks itself `slow` with `pytestmark`. pyproject.toml says what each means.
MARKED_BY_FIXTURE = {
    "browser": BROWSER_FIXTURES,
    "spark": SPARK_FIXTURES,
    "slow": {"mini_book"},
}


# How the tests share two workers (pytest-xdist, `--dist loadgroup`; tests/test_workers.py proves
# the groups hold): a module's tests stay together, so that its module fixtures are made once.
# A test of one page of the book (a `path` parameter and the `page_report` fixture) goes with the
# other tests of that page, whatever their module, so that each page is loaded and checked in
# Chromium once per run (page_report keeps its reports for the worker's session).
def _group(item: pytest.Item) -> str:
    callspec = getattr(item, "callspec", None)
    page = callspec.params.get("path") if callspec else None
    if page and "page_report" in item.fixturenames:
        return f"page {page}"
    # A module that reuses another's costly session fixtures names that module's group (WORKER_GROUP),
    # so that one worker computes them once for both.
    return getattr(getattr(item, "module", None), "WORKER_GROUP", item.path.name)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(session, config, items):
    """Mark the tests that need a browser or Spark, or build a book of their own, and group them
    for the workers; then stop once, with one line per missing program, rather than fail every
    test that needs it."""
    grouped = config.pluginmanager.hasplugin("xdist")
    # The modules that need no built book first, in their order: they run while it builds. The
    # modules that wait for other early work (Spark's runs, the notebooks at another seed) come
    # last, so that both workers have the browser tests to do while that work finishes rather
    # than wait for it side by side.
    # (By group: pytest-xdist hands a worker a group's tests together, where its first test is.)
    needs_book = {_group(item) for item in items if "built_book" in item.fixturenames}
    waits = {_group(item) for item in items if (set(_STARTERS) - {"built_book"}) & set(item.fixturenames)}
    items.sort(key=lambda item: (_group(item) in waits, _group(item) in needs_book))
    for item in items:
        for marker, fixtures in MARKED_BY_FIXTURE.items():
            if fixtures & set(item.fixturenames):
                item.add_marker(marker)
        if grouped and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(_group(item)))
    needed = {need for item in items for need, fixtures in NEEDS.items() if fixtures & set(item.fixturenames)}
    problems = [problem for need in sorted(needed) if (problem := _missing(need))]
    if problems and hasattr(config, "workerinput"):
        # In a worker of pytest-xdist (make test runs two), pytest.exit would reach the controller as
        # an internal error with the message lost. The worker runs nothing and asks the controller to
        # stop with the message instead (xdist then reports it, once, as why the run was interrupted).
        items[:] = []
        session.shouldstop = "\n".join(problems)
    elif problems:
        pytest.exit("\n".join(problems), returncode=4)


@dataclass
class MiniBuild:
    returncode: int
    log: str
    root: Path

    @property
    def html(self) -> Path:
        return self.root / "_build" / "html"


# The home page of a small book (mini_book), with its review date and interval to fill in.
MINI_HOME = """\
---
title: Home
description: The home page of a small book.
eleventyNavigation:
  key: Home
last_reviewed_on: {reviewed}
review_in: {review_in}
---

Text on the home page.
"""


@pytest.fixture
def mini_book(tmp_path):
    """Build a small book of the given pages with this book's configuration, theme and rules.

    ``mini_book({"book/index.md": text, ...})`` writes the pages, generates the
    navigation, builds with the book's flags and returns the result. For the
    checks that must fail a build without touching the real book.
    """
    return mini_book_in(tmp_path)


def mini_book_in(tmp_path: Path):
    """The builder of the mini_book fixture, in a folder of the caller's (for a module's fixture)."""
    quiet = {"capture_output": True, "text": True}

    def build(pages: dict[str, str]) -> MiniBuild:
        root = tmp_path / "book"
        for name in ("_config.yml",):
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / name, root / name)
        for name in ("theme", "tools", "node_modules"):
            if not (root / name).is_symlink():  # a second build in the same test
                (root / name).symlink_to(ROOT / name)
        for name, text in pages.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
        # As `make book`: the navigation first (it stops on bad front matter), then the build.
        toc = subprocess.run([sys.executable, str(ROOT / "tools" / "make_toc.py"), "--root", str(root)], **quiet)
        if toc.returncode != 0:
            return MiniBuild(toc.returncode, toc.stdout + toc.stderr, root)
        returncode, log = sphinx_build(root)
        return MiniBuild(returncode, log, root)

    return build


def make_variable(name: str) -> str:
    """The value the Makefile gives a variable of its own (``NAME := value``): what the tests run
    as make does, read from its one home."""
    found = re.search(rf"^{re.escape(name)}\s*:=\s*(.+)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    assert found, f"the Makefile defines no {name}"
    return found.group(1).strip()


def build_flags() -> dict[str, bool]:
    """The Makefile's BUILD_FLAGS (what `make book` passes to `jupyter-book build`) as Sphinx's arguments."""
    flags = make_variable("BUILD_FLAGS").split()
    known = {"-W": "warningiserror", "-n": "nitpicky", "--keep-going": "keep_going"}
    unknown = [flag for flag in flags if flag not in known]
    assert not unknown, f"BUILD_FLAGS has {unknown}: teach conftest.build_flags what they mean"
    return {name: flag in flags for flag, name in known.items()}


def sphinx_build(root: Path) -> tuple[int, str]:
    """Build the book at `root` into root/_build/html as `jupyter-book build <root> BUILD_FLAGS` does,
    but in this process (no start-up of a new Python and its imports): the same configuration, from
    _config.yml by tools/book_config.py, and the same Sphinx application. Returns
    its status (0 or 1) and its output and warnings. The global state a Sphinx build changes (the
    docutils registries, the translations, sys.path, the working folder) is put back afterwards, so
    that one build cannot change the next."""
    from myst_nb.ext.glue.crossref import read_glue_cache
    from sphinx.application import Sphinx
    from sphinx.locale import translators
    from sphinx.util.console import strip_colors
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    from book_config import sphinx_config

    flags = build_flags()
    status, warning = io.StringIO(), io.StringIO()
    saved_path, saved_cwd = sys.path[:], Path.cwd()
    # Sphinx points its logger at this build's streams, and stops it passing records on.
    logger = logging.getLogger("sphinx")
    saved_logger = (logger.handlers[:], logger.level, logger.propagate)
    try:
        os.chdir(root)  # as the subprocess ran, in case anything resolves a path against the working folder
        config = sphinx_config(root, nitpicky=flags["nitpicky"])
        # The subprocess showed no Python warnings (the default filters hide pending deprecations, such as
        # sphinx_jupyterbook_latex's Node.traverse()); nor does this build, in pytest's summary.
        with warnings.catch_warnings(), patch_docutils(root), docutils_namespace():
            warnings.simplefilter("ignore", PendingDeprecationWarning)
            app = Sphinx(
                srcdir=root,
                confdir=None,
                outdir=root / "_build" / "html",
                doctreedir=root / "_build" / ".doctrees",
                buildername="html",
                confoverrides=config,
                status=status,
                warning=warning,
                warningiserror=flags["warningiserror"],
                keep_going=flags["keep_going"],
            )
            app.build()
            returncode = app.statuscode
    except Exception:  # a warning that stopped the build (without --keep-going), or a crash
        warning.write(traceback.format_exc())
        returncode = 1
    finally:
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        translators.clear()
        # myst-nb keeps the glued figures it last read from each notebook's .glue.json, which a
        # later build of a rebuilt notebook must read again.
        read_glue_cache.cache_clear()
        logger.handlers[:], logger.level, logger.propagate = saved_logger
    return returncode, strip_colors(status.getvalue() + warning.getvalue())
