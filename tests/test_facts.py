"""Only the facts we have: Contact describes a Slack channel only in the words of the facts file,
and no heading stands over a section that is still to be written, except the one the seed
page itself left unwritten."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

import drafts
from conftest import ROOT
from test_pages import BOOK_PAGES, SEED, own_text, soup, text_of

FACTS = ROOT / "tests" / "data" / "facts.md"
# A Slack name in the facts or on a page: a channel (`#name`) or the workspace (`mojdt`).
SLACK_NAME = re.compile(r"^(#[a-z][a-z0-9-]*|mojdt)$")
# Words that carry no claim about a channel: a description may use them freely.
FUNCTION_WORDS = set(
    "a an and are as at be by can for if in is it its of on or our so the their there these this those to"
    " us we what where which who with you your also ask find here".split()
)


def stem(word: str) -> str:
    """A word without its plural, past or possessive ending: "announced" and "announce" meet."""
    word = word.replace("’", "'").removesuffix("'s")
    for suffix in ("ing", "ed", "es", "s", "e", "d"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    """The words of a text that say something: no Slack names, no function words, stemmed."""
    text = re.sub(r"#[a-z][a-z0-9-]*|\bmojdt\b", " ", text.lower().replace("’", "'"))
    return {stem(w) for w in re.findall(r"[a-z][a-z0-9'-]*[a-z0-9]|[a-z]", text) if w not in FUNCTION_WORDS}


def fact_entries(facts: str) -> list[str]:
    """Each bullet of the facts file as one line of text (its continuation lines joined on)."""
    entries: list[str] = []
    in_bullet = False
    for line in facts.splitlines():
        bullet = re.match(r"^\s*- (.*)$", line)
        if bullet:
            entries.append(bullet.group(1))
            in_bullet = True
        elif in_bullet and line.startswith("  ") and line.strip():
            entries[-1] += " " + line.strip()
        else:
            in_bullet = False
    return entries


def slack_facts(facts: str) -> dict[str, set[str]]:
    """Each Slack name the facts give, and the content words of its facts line (empty: no description)."""
    found: dict[str, set[str]] = {}
    for entry in fact_entries(facts):
        names = [n for n in re.findall(r"`([^`]+)`", entry) if SLACK_NAME.match(n)]
        for name in names:
            found.setdefault(name, set()).update(content_words(re.sub(r"`[^`]+`", " ", entry)))
    return found


def slack_blocks(article) -> list[tuple[list[str], str]]:
    """Every table row, list item and paragraph of a page that names a Slack channel or workspace:
    the names, and the rest of its text (what the page says about them)."""
    blocks = []
    for block in article.find_all(["tr", "li", "p"]):
        if block.name == "tr" and block.find_parent("thead"):
            continue
        if block.name == "li" and block.find(["ul", "ol"]):
            continue  # the items inside it are blocks of their own
        if block.name == "p" and block.find_parent(["li", "td", "th"]):
            continue  # part of its list item or table row
        names = [c.get_text(strip=True) for c in block.find_all("code") if SLACK_NAME.match(c.get_text(strip=True))]
        if names:
            blocks.append((names, text_of(block)))
    return blocks


def undescribed(html: str, facts: str) -> list[str]:
    """What a page says about a Slack channel or workspace beyond the facts' words for it."""
    known = slack_facts(facts)
    article = BeautifulSoup(html, "html.parser").find("article")
    problems = []
    for names, text in slack_blocks(article):
        unknown = [n for n in names if n not in known]
        if unknown:
            problems.append(f"{', '.join(unknown)} is not in facts.md")
            continue
        allowed = set().union(*(known[n] for n in names))
        extra = sorted(content_words(text) - allowed)
        if extra:
            said = "no words" if not allowed else "other words"
            problems.append(f"“{text}”: facts.md gives {', '.join(names)} {said}; not in it: {extra}")
    return problems


def test_the_facts_name_the_channels_and_describe_only_some():
    known = slack_facts(FACTS.read_text(encoding="utf-8"))
    assert known["#dmet-de-reading-group"] == set() and known["#design-patterns"] == set()
    assert known["#dmet-collaboration-and-engagement"] == set()
    assert content_words("community channel, technical review") <= known["#data-and-analytics-engineering"]
    assert content_words("Slack workspace, digital and technology staff") <= known["mojdt"]


def test_contact_describes_each_channel_only_in_the_facts_words(built_book):
    html = built_book.page("book/contact").read_text(encoding="utf-8")
    facts = FACTS.read_text(encoding="utf-8")
    assert undescribed(html, facts) == []
    listed = {name for names, _ in slack_blocks(BeautifulSoup(html, "html.parser").find("article")) for name in names}
    missing = sorted(set(slack_facts(facts)) - listed)
    assert missing == [], f"Contact does not list {missing}"


@pytest.mark.parametrize(
    "planted",
    [
        "<table><tbody><tr><td><code>#design-patterns</code></td><td>Talking about design patterns.</td></tr>"
        "</tbody></table>",
        "<ul><li><code>#dmet-de-reading-group</code>: our data engineering reading group</li></ul>",
        "<p>If you work in the Ministry of Justice, you can find us in <code>mojdt</code>, the Slack "
        "workspace for the Ministry’s digital and technology staff.</p>",
        "<p>Ask anything in <code>#data-and-analytics-engineering</code>, our friendly community channel.</p>",
        "<p>Join <code>#made-up-channel</code>.</p>",
    ],
)
def test_words_the_facts_do_not_give_are_caught(planted):
    assert undescribed(f"<article>{planted}</article>", FACTS.read_text(encoding="utf-8")) != []


def unwritten_seed_sections() -> set[str]:
    """The headings the seed page left for someone else to write."""
    sections = re.split(r"^#+\s+(.+)$", SEED.read_text(encoding="utf-8"), flags=re.M)
    return {
        h.strip()
        for h, body in zip(sections[1::2], sections[2::2], strict=True)
        if body.strip().startswith("Leave for")
    }


def test_only_the_seeds_own_section_is_left_to_write():
    assert unwritten_seed_sections() == {"Our beginnings"}
    placeholders = [d for d in drafts.find_drafts(ROOT) if d.heading not in unwritten_seed_sections()]
    assert placeholders == [], (
        "only the seed's own unwritten section may say it is being written; write these or remove their "
        f"headings: {[str(d) for d in placeholders]}"
    )


@pytest.mark.parametrize("docname", BOOK_PAGES)
def test_no_heading_stands_over_a_section_still_to_write(built_book, docname):
    article = soup(built_book.page(docname)).find("article")
    allowed = unwritten_seed_sections() if docname == "book/about" else set()
    for section in article.find_all("section"):
        heading = text_of(section.find(["h1", "h2", "h3", "h4", "h5", "h6"]))
        if drafts.PATTERN.search(own_text(section)):
            assert heading in allowed, f"{docname}: “{heading}” is still to write: write it or remove its heading"
