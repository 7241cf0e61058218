"""Pages that must be written again although their source did not change.

Sphinx writes again only the pages whose source changed. Some of what a page
shows depends on something else: the day (is its review overdue?) or git (when
did its source last change?). Each such concern names a value per page; a page
whose value differs from the last build's is read and written again.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable


def changed_since_last_build(env, name: str, value_of: Callable[[str], Hashable]) -> list[str]:
    """The pages whose ``value_of(docname)`` differs from the last build's (kept on the environment)."""
    seen = getattr(env, name, {})
    now = {docname: value_of(docname) for docname in env.found_docs}
    setattr(env, name, now)
    return [docname for docname, value in now.items() if docname in seen and seen[docname] != value]
