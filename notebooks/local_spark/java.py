"""Find the Java runtime that Spark (and the Nu HTML Checker) run on, and check its version.

``JAVA_HOME`` wins when it names a Java; otherwise ``java`` on ``PATH``. pyspark 4 needs
Java 17 or newer (``MINIMUM``), and so does everything else here that runs Java.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

MINIMUM = 17
# For Spark runs that last seconds on small data, as in the tests: compile with the quick JIT
# compiler (C1) only. The optimising one (C2) spends
# more CPU compiling than its faster code gives back in so short a run: the linkage on Spark at
# the tests' size took 67 s instead of 114 s (3 December 2026, 2 cores). Long runs, such as
# `make bench`, keep Java's default. The tests pass it in JDK_JAVA_OPTIONS (tests/conftest.py),
# which every `java` reads. (Not for the Nu HTML Checker: with C1 alone its schema check
# overflows Java's default thread stack.) And collect garbage with the serial collector, which
# runs no threads beside the program's as the default (G1) does: the tests' dbt plan on Spark
# took a median 36.9 core-seconds of the JVM's instead of 40.5 (three runs each, 4 December 2026).
SHORT_RUN_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
INSTALL = (
    "Install a Java runtime, {minimum} or newer (Debian/Ubuntu: `sudo apt-get install default-jre-headless`; "
    "macOS: `brew install openjdk`), or point JAVA_HOME at one."
)


class JavaNotFound(FileNotFoundError):
    """No Java, or one too old: the message says which and what to install."""


def find_java() -> Path | None:
    """The `java` of JAVA_HOME if it has one, else the `java` on PATH, else None."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return Path(java_home) / "bin" / "java"
    found = shutil.which("java")
    return Path(found) if found else None


@cache
def java_version(java: Path) -> int | None:
    """The major version of that Java (8 for "1.8.0_392", 17 for "17.0.15"), or None if it does not say."""
    try:
        done = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=60)
    except OSError:
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', done.stderr + done.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def java_problem(minimum: int = MINIMUM) -> str | None:
    """Why there is no usable Java here (none, or one older than `minimum`), with what to do; or None."""
    install = INSTALL.format(minimum=minimum)
    java = find_java()
    if java is None:
        return f"Spark and the Nu HTML Checker need Java, and there is no JAVA_HOME with bin/java and no `java` on PATH. {install}"
    version = java_version(java)
    if version is None:
        return f"{java} did not say its version (`{java} -version`): is it a Java runtime? {install}"
    if version < minimum:
        return f"{java} is Java {version}; Spark and the Nu HTML Checker need {minimum} or newer. {install}"
    return None


def require_java(minimum: int = MINIMUM) -> str:
    """The path of a Java runtime, `minimum` or newer; raises JavaNotFound, saying what to install, if there is none."""
    problem = java_problem(minimum)
    if problem:
        raise JavaNotFound(problem)
    return str(find_java())
