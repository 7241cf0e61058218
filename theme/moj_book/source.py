"""Where each page comes from: a "View source" link to its file in the repository, a "Report a
problem" link that opens a new issue pre-filled with the page's title and address, and when its
source last changed, from the last commit that touched it (not the build date).

The links are plain links: a page makes no request to another host. They come from
the theme options ``repository_url`` (a GitHub repository), ``repository_branch``
and ``path_to_book`` (the book's folder within the repository, if not its root).
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from urllib.parse import quote, urlencode

from .rebuild import changed_since_last_build
from .review import long_date


def last_commit_date(path: Path) -> dt.date | None:
    """The date of the last commit that changed ``path``, or None (not in git, or never committed)."""
    try:
        result = subprocess.run(
            ["git", "log", "-1", "--format=%cs", "--", path.name],
            cwd=path.parent,
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    text = result.stdout.strip()
    return dt.date.fromisoformat(text) if result.returncode == 0 and text else None


def _options(context: dict) -> tuple[str, str, str]:
    """The theme's repository options (theme.toml's defaults, or the book's values)."""
    url = (context.get("theme_repository_url") or "").rstrip("/")
    branch = context.get("theme_repository_branch") or "main"
    prefix = (context.get("theme_path_to_book") or "").strip("/")
    return url, branch, prefix


def page_address(app, pagename: str) -> str:
    """The page's published address (html_baseurl), or its path within the site if none is set."""
    uri = app.builder.get_target_uri(pagename)
    base = (app.config.html_baseurl or "").rstrip("/")
    return f"{base}/{uri}" if base else uri


def links(app, context: dict, pagename: str, title: str, source: str | None) -> dict:
    """The page's source and problem-report addresses."""
    url, branch, prefix = _options(context)
    if not url:
        return {}
    found = {}
    if source:
        path = f"{prefix}/{source}" if prefix else source
        found["source"] = f"{url}/blob/{quote(branch)}/{quote(path)}"
    address = page_address(app, pagename)
    body = f"Page: {title}\nAddress: {address}\n\nWhat is wrong, or what did you expect to find?\n"
    found["problem"] = f"{url}/issues/new?" + urlencode({"title": f"Problem with the page “{title}”", "body": body})
    return found


def page(page) -> None:
    context = page.context
    source = None
    if page.doctree is not None:
        source = Path(page.app.env.doc2path(page.name, False)).as_posix()
    title = page.body.find("h1").get_text(" ", strip=True) if page.body and page.body.find("h1") else ""
    title = title or context.get("title", "")
    context["app_links"] = links(page.app, context, page.name, title, source)
    updated = last_commit_date(Path(page.app.env.doc2path(page.name))) if source else None
    context["app_last_updated"] = long_date(updated) if updated else ""


def _outdated_by_a_commit(app, env, added, changed, removed):
    """A page whose source was committed since it was last written is written again, with its new date."""
    return changed_since_last_build(env, "moj_book_last_commit", lambda d: last_commit_date(Path(env.doc2path(d))))


def setup(app) -> None:
    app.connect("env-get-outdated", _outdated_by_a_commit)
