"""Page review, as in the GOV.UK Technical Documentation Template: each page says when it was
last reviewed, when its next review is due and who owns it; once the review is overdue, it says
plainly, at the top, that the page may be out of date.

A page's front matter (a notebook's metadata) carries::

    last_reviewed_on: 2026-12-02     # the date the page was last checked
    review_in: 6 months              # days, weeks, months or years
    owner_slack: "#a-channel"        # optional; default: the theme option review_default_owner

``review_by`` is ``last_reviewed_on`` plus ``review_in``. The build also writes
``api/pages.json`` in the template's shape (title, url, review_by, owner_slack),
which the Ministry's reminder bot reads.
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from sphinx.util import logging

from .rebuild import changed_since_last_build

logger = logging.getLogger(__name__)

UNITS = ("day", "week", "month", "year")
_INTERVAL = re.compile(r"^\s*(\d+)\s+(day|week|month|year)s?\s*$", re.I)


class ReviewError(ValueError):
    """A page's review fields are missing or malformed; the message names the file and the fix."""


@dataclass(frozen=True)
class Review:
    last_reviewed_on: dt.date
    review_in: str
    review_by: dt.date
    owner_slack: str | None

    def overdue(self, today: dt.date) -> bool:
        return today > self.review_by


def add_interval(start: dt.date, count: int, unit: str) -> dt.date:
    """``start`` plus a number of days, weeks, months or years (31 January + 1 month = 28 or 29 February)."""
    if unit == "day":
        return start + dt.timedelta(days=count)
    if unit == "week":
        return start + dt.timedelta(weeks=count)
    months = count * (12 if unit == "year" else 1)
    year, month = divmod(start.month - 1 + months, 12)
    year, month = start.year + year, month + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def parse_review(meta: dict, rel: Path | str, default_owner: str | None = None) -> Review:
    """Read a page's review fields; raise ReviewError, naming the file, if they are missing or malformed."""
    where = "the notebook's metadata" if str(rel).endswith(".ipynb") else "the front matter"
    reviewed = meta.get("last_reviewed_on")
    if reviewed is None:
        raise ReviewError(
            f"{rel}: no `last_reviewed_on` in {where}. Add the date you last checked the page, "
            "for example `last_reviewed_on: 2026-12-02`, and `review_in: 6 months`."
        )
    if isinstance(reviewed, dt.datetime):
        reviewed = reviewed.date()
    elif isinstance(reviewed, str):
        try:
            reviewed = dt.date.fromisoformat(reviewed.strip())
        except ValueError:
            reviewed = None
    if not isinstance(reviewed, dt.date):
        raise ReviewError(
            f"{rel}: `last_reviewed_on: {meta.get('last_reviewed_on')}` is not a date. "
            "Write it as year-month-day, for example `last_reviewed_on: 2026-12-02`."
        )
    interval = meta.get("review_in")
    match = _INTERVAL.match(interval) if isinstance(interval, str) else None
    if match is None:
        raise ReviewError(
            f"{rel}: `review_in: {interval}` is not a number of {', '.join(u + 's' for u in UNITS)}. "
            "Write, for example, `review_in: 6 months` or `review_in: 1 year`."
        )
    owner = meta.get("owner_slack", default_owner)
    if owner is not None and (not isinstance(owner, str) or not owner.strip()):
        raise ReviewError(f"{rel}: `owner_slack` must be a Slack channel or person, such as `#a-channel`.")
    review_by = add_interval(reviewed, int(match.group(1)), match.group(2).lower())
    return Review(reviewed, " ".join(interval.split()), review_by, owner)


def today() -> dt.date:
    """The day the build judges reviews by."""
    return dt.date.today()


def long_date(day: dt.date) -> str:
    """A date as GOV.UK writes it: 2 December 2026."""
    return f"{day.day} {day:%B %Y}"


# --- On the pages ----------------------------------------------------------------------


def has_review(meta: dict) -> bool:
    return "last_reviewed_on" in meta or "review_in" in meta


def page_review(page) -> Review | None:
    """The page's review, or None for pages without one (search, the 404 page) or with a broken one
    (which check_reviews reports)."""
    meta = page.context.get("meta") or {}
    if not has_review(meta):
        return None
    try:
        return parse_review(meta, page.name, page.context.get("theme_review_default_owner") or None)
    except ReviewError:
        return None


def check_reviews(app, env) -> None:
    """Report every page whose review fields are malformed, on every build (not only when it is read)."""
    for docname in sorted(env.found_docs):
        meta = env.metadata.get(docname, {})
        if has_review(meta):
            try:
                parse_review(meta, env.doc2path(docname, False))
            except ReviewError as exc:
                logger.warning(str(exc), type="moj_book", subtype="review", location=docname)


def notice(review: Review, today: dt.date) -> str:
    """The review line at the foot of the page; its warning at the top when the review is overdue."""
    owner = f" by the page owner <code>{html.escape(review.owner_slack)}</code>" if review.owner_slack else ""
    if review.overdue(today):
        return (
            f"This page was last reviewed on {long_date(review.last_reviewed_on)}. It was due to be reviewed "
            f"again on {long_date(review.review_by)}{owner}, so it may be out of date."
        )
    return (
        f"This page was last reviewed on {long_date(review.last_reviewed_on)}. It needs to be reviewed "
        f"again on {long_date(review.review_by)}{owner}."
    )


def page(page) -> None:
    review = page_review(page)
    page.context["app_review"] = None
    if review is None:
        return
    page.context["app_review"] = notice(review, today())
    if review.overdue(today()):
        page.before_content(
            '<div class="govuk-warning-text app-review-overdue">'
            '<span class="govuk-warning-text__icon" aria-hidden="true">!</span>'
            '<strong class="govuk-warning-text__text"><span class="govuk-visually-hidden">Warning</span>'
            f"This page may be out of date. Its review was due on {long_date(review.review_by)}.</strong></div>"
        )


# --- api/pages.json, for the reminder bot ---------------------------------------------


def pages_json(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    if not hasattr(app.builder, "globalcontext"):
        return  # Sphinx wrote nothing (no page was out of date): the last api/pages.json stands
    owner = app.builder.globalcontext.get("theme_review_default_owner") or None
    base = (app.config.html_baseurl or "").rstrip("/")
    pages = []
    for docname in sorted(app.env.found_docs):
        meta = app.env.metadata.get(docname, {})
        if not has_review(meta):
            continue
        try:
            review = parse_review(meta, app.env.doc2path(docname, False), owner)
        except ReviewError:
            continue  # reported by check_reviews
        url = f"{base}/{app.builder.get_target_uri(docname)}"
        title = app.env.titles[docname].astext() if docname in app.env.titles else docname
        pages.append(
            {"title": title, "url": url, "review_by": review.review_by.isoformat(), "owner_slack": review.owner_slack}
        )
    target = Path(app.outdir) / "api" / "pages.json"
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps(pages, indent=2) + "\n", encoding="utf-8")


def _overdue(env, docname: str) -> bool | None:
    meta = env.metadata.get(docname, {})
    if not has_review(meta):
        return None
    try:
        return parse_review(meta, docname).overdue(today())
    except ReviewError:
        return None  # reported by check_reviews


def _outdated_by_the_date(app, env, added, changed, removed):
    """A page whose review fell due since it was last written is written again, with its warning."""
    return changed_since_last_build(env, "moj_book_overdue", lambda docname: _overdue(env, docname))


FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


def review_date_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{review-date}`last_reviewed_on``` (or ``review_by``): the page's own review date in words,
    read from its front matter, so that what the page says and its review box cannot disagree
    (the accessibility statement says when it was last reviewed)."""
    import yaml
    from docutils import nodes

    env = inliner.document.settings.env
    source = Path(env.doc2path(env.docname))
    found = FRONT_MATTER.match(source.read_text(encoding="utf-8"))
    meta = (yaml.safe_load(found.group(1)) if found else None) or {}
    field = text.strip()
    try:
        review = parse_review(meta, env.doc2path(env.docname, False))
    except ReviewError as error:
        message = inliner.reporter.error(str(error), line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    if field not in ("last_reviewed_on", "review_by"):
        message = inliner.reporter.error(f"{{review-date}}`{field}`: write last_reviewed_on or review_by", line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    return [nodes.Text(long_date(getattr(review, field)))], []


def setup(app) -> None:
    app.add_role("review-date", review_date_role)
    app.connect("env-check-consistency", check_reviews)
    app.connect("env-get-outdated", _outdated_by_the_date)
    app.connect("build-finished", pages_json)
