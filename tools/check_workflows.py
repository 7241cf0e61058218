"""Check the GitHub Actions workflows for the supply-chain rules this project keeps.

    python tools/check_workflows.py                  # every .github/workflows/*.yml
    python tools/check_workflows.py path/to/ci.yml   # some files

Rules (each problem is printed as ``file:line: what is wrong. What to do.``):

- every ``uses:`` names a full 40-character commit SHA, with a ``# vX.Y.Z``
  comment saying which release it is (Dependabot updates both). Local actions
  (``./...``) and Docker images pinned by digest (``docker://...@sha256:...``)
  are the only exceptions;
- the workflow sets ``permissions`` at the top, granting nothing or read only;
- a job may ask for a write permission only where the job needs it: ``pages``
  and ``id-token`` in the job that runs ``actions/deploy-pages``. Anything
  else (``write-all``, ``contents: write``, ...) is an error.

actionlint (tests/test_workflows.py runs it too) checks the rest: syntax,
expressions, unknown keys. This checker reads the YAML itself and needs nothing
but PyYAML.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SHA_PIN = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[^@\s]+)?@[0-9a-f]{40}$")
DOCKER_DIGEST = re.compile(r"^docker://[^@\s]+@sha256:[0-9a-f]{64}$")
VERSION_COMMENT = re.compile(r"#\s*v\d+(\.\d+)*\b")
# Write permissions a job may hold, and the action that needs them.
ALLOWED_WRITES = {
    "pages": "actions/deploy-pages",
    "id-token": "actions/deploy-pages",
}
READ_LEVELS = {"read", "none"}


def _mapping(node) -> dict:
    """A YAML mapping node as {key: (key_node, value_node)}, keys as plain strings."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: (k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def _line(node) -> int:
    return node.start_mark.line + 1


def _check_uses(path: Path, node, lines: list[str], problems: list[str]) -> None:
    value = node.value.strip() if isinstance(node, yaml.ScalarNode) else ""
    line = _line(node)
    if value.startswith("./"):
        return
    if value.startswith("docker://"):
        if not DOCKER_DIGEST.match(value):
            problems.append(
                f"{path}:{line}: `uses: {value}` is a Docker image by tag. Pin it by digest: docker://IMAGE@sha256:..."
            )
        return
    if not SHA_PIN.match(value):
        problems.append(
            f"{path}:{line}: `uses: {value}` is not pinned to a full commit SHA. Write "
            "`uses: OWNER/REPO@<40-character commit SHA> # vX.Y.Z` (the SHA the release tag points to)."
        )
        return
    if not VERSION_COMMENT.search(lines[line - 1]):
        problems.append(
            f"{path}:{line}: `uses: {value}` has no `# vX.Y.Z` comment. Add the release the SHA belongs to, "
            "so that readers and Dependabot know it."
        )


def _permissions(node) -> tuple[str | None, dict[str, str]]:
    """(a whole-token level such as 'read-all', or None; {scope: level})."""
    if isinstance(node, yaml.ScalarNode):
        return node.value, {}
    return None, {k: v.value for k, (_, v) in _mapping(node).items() if isinstance(v, yaml.ScalarNode)}


def _job_actions(job: dict) -> set[str]:
    """The actions a job's steps use, without their refs."""
    actions = set()
    steps = job.get("steps", (None, None))[1]
    if isinstance(steps, yaml.SequenceNode):
        for step in steps.value:
            uses = _mapping(step).get("uses")
            if uses and isinstance(uses[1], yaml.ScalarNode):
                actions.add(uses[1].value.split("@")[0])
    return actions


def check_file(path: Path) -> list[str]:
    """Every problem in one workflow file, as 'file:line: message'."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    try:
        document = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        return [f"{path}{line}: not valid YAML ({getattr(exc, 'problem', exc)}). Fix the syntax."]
    top = _mapping(document)
    if not top:
        return [f"{path}:1: not a workflow (expected a mapping with `on:` and `jobs:`)."]
    problems: list[str] = []
    for key in ("on", "jobs"):
        if key not in top:
            problems.append(f"{path}:1: no `{key}:` at the top level. A workflow needs `on:` and `jobs:`.")
    if "permissions" not in top:
        problems.append(
            f"{path}:1: no top-level `permissions:`. Add `permissions: {{}}` (or `contents: read`) under `on:`, "
            "then give each job only what it needs."
        )
    else:
        key_node, value = top["permissions"]
        whole, scopes = _permissions(value)
        wide = [f"{s}: {lvl}" for s, lvl in scopes.items() if lvl not in READ_LEVELS]
        if whole is not None and whole != "" or wide:
            granted = whole if whole is not None else ", ".join(wide)
            problems.append(
                f"{path}:{_line(key_node)}: the top-level `permissions` grant {granted}. Grant nothing or read "
                "only at the top (`permissions: {}`); give write permissions to the one job that needs them."
            )
    jobs = _mapping(top.get("jobs", (None, None))[1])
    for job_name, (_, job_node) in jobs.items():
        job = _mapping(job_node)
        if "uses" in job:  # a reusable workflow
            _check_uses(path, job["uses"][1], lines, problems)
        actions = _job_actions(job)
        for step in (job.get("steps", (None, None))[1] or yaml.SequenceNode("", [])).value:
            uses = _mapping(step).get("uses")
            if uses:
                _check_uses(path, uses[1], lines, problems)
        if "permissions" not in job:
            continue
        perm_key, perm_node = job["permissions"]
        whole, scopes = _permissions(perm_node)
        if whole is not None and whole != "":
            problems.append(
                f"{path}:{_line(perm_key)}: job `{job_name}` asks for `permissions: {whole}`. List only the "
                "scopes it needs, for example `contents: read`."
            )
        for scope, level in scopes.items():
            if level in READ_LEVELS:
                continue
            needed_by = ALLOWED_WRITES.get(scope)
            if needed_by is None or needed_by not in actions:
                why = f"only a job that runs {needed_by} needs it" if needed_by else "no job here needs it"
                problems.append(
                    f"{path}:{_line(perm_key)}: job `{job_name}` has `{scope}: {level}`, but {why}. "
                    f"Remove it or lower it to `{scope}: read`."
                )
    return problems


def workflow_files(root: Path = ROOT) -> list[Path]:
    folder = root / ".github" / "workflows"
    return sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")])


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    files = [Path(a) for a in args] or workflow_files()
    if not files:
        print("no workflow files found under .github/workflows", file=sys.stderr)
        return 1
    problems = [p for f in files for p in check_file(f)]
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in the workflows.", file=sys.stderr)
        return 1
    print(f"{len(files)} workflow file(s) keep the pinning and permission rules.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
