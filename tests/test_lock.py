"""requirements.txt is a full lock of requirements.in: every package pinned, with hashes."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from conftest import ROOT

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+?)\s*(\\)?$")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def direct_pins(path: Path) -> dict[str, str]:
    pins = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        assert sep and version, f"{path.name}:{number}: `{line}` is not pinned exactly; write NAME==VERSION"
        pins[normalise(name.split("[")[0])] = version
    return pins


def locked(path: Path) -> dict[str, tuple[str, int]]:
    """{package: (version, number of hashes)} from a pip-compile lock; fails on an unpinned line."""
    packages: dict[str, tuple[str, int]] = {}
    current = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if line.startswith(" "):
            assert current and stripped.startswith("--hash=sha256:"), f"{path.name}:{number}: unexpected `{stripped}`"
            version, hashes = packages[current]
            packages[current] = (version, hashes + 1)
            continue
        match = PIN.match(stripped)
        assert match, f"{path.name}:{number}: `{stripped}` is not an exact pin; run `make lock`"
        current = normalise(match.group(1))
        packages[current] = (match.group(2), 0)
    return packages


def test_every_locked_package_is_pinned_with_hashes():
    packages = locked(ROOT / "requirements.txt")
    assert len(packages) > 100, "requirements.txt should lock the transitive dependencies too"
    unhashed = [name for name, (_, hashes) in packages.items() if hashes == 0]
    assert unhashed == [], f"no hash for {unhashed}: run `make lock`"


def test_the_lock_matches_requirements_in():
    direct = direct_pins(ROOT / "requirements.in")
    packages = locked(ROOT / "requirements.txt")
    stale = {name: (version, packages.get(name, ("missing", 0))[0]) for name, version in direct.items()}
    stale = {name: pair for name, pair in stale.items() if pair[0] != pair[1]}
    assert stale == {}, f"requirements.txt is stale ({{name: (in, locked)}}: {stale}); run `make lock`"


def test_the_lock_check_notices_a_missing_hash_and_a_loose_pin(tmp_path):
    lock = tmp_path / "requirements.txt"
    lock.write_text("six==1.17.0 \\\n    --hash=sha256:aa\nidna==3.20\n", encoding="utf-8")
    assert locked(lock) == {"six": ("1.17.0", 1), "idna": ("3.20", 0)}
    lock.write_text("six>=1.0\n", encoding="utf-8")
    try:
        locked(lock)
    except AssertionError as exc:
        assert "requirements.txt:1: `six>=1.0` is not an exact pin" in str(exc)
    else:
        raise AssertionError("a loose pin was accepted")


def test_the_lock_has_uv_which_make_setup_installs_the_lock_with():
    assert "uv" in locked(ROOT / "requirements.txt"), "requirements.txt has no uv: make setup installs the lock with it"


def test_what_make_runs_caches_bytecode_even_where_the_environment_says_not_to():
    """make setup compiles no bytecode (uv's --compile-bytecode compiled all 11,000 modules, 14 s of
    a fresh clone's set-up, where a whole `make test` imports some 4,500): Python caches each
    module on its first import instead. Where the caller's environment sets
    PYTHONDONTWRITEBYTECODE, the Makefile must unexport it, or every process would compile every
    module it imports again (the heavy imports of one test took 8.9 s instead of 3.6 s)."""
    probe = "bytecode-probe:\n\t@$(BIN)/python -c 'import sys; print(sys.dont_write_bytecode)'\n"
    result = subprocess.run(
        ["make", "--no-print-directory", "-f", "Makefile", "-f", "-", "bytecode-probe"],
        input=probe, capture_output=True, text=True, cwd=ROOT,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False", (
        "a Python process that make starts may not write bytecode (PYTHONDONTWRITEBYTECODE reached it): "
        "put `unexport PYTHONDONTWRITEBYTECODE` back in the Makefile."
    )
