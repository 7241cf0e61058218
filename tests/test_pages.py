"""Checks on the built HTML: titles, navigation, headings and the About text."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml
from bs4 import BeautifulSoup

import drafts
from conftest import ROOT
from pages import split_front_matter

PAGES = {
    "book/index": "Data engineering and analytics engineering at the Ministry of Justice",
    "book/about": "About",
    "book/contact": "Contact us",
    "book/join": "Join us",
}
DATA = ROOT / "tests" / "data"
SHARED = ROOT.parent / "shared" / "content"
SEED = DATA / "about.seed.md"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def text_of(node) -> str:
    text = re.sub(r"\s+", " ", node.get_text(" ")).strip()
    return re.sub(r" ([.,;:!?)])", r"\1", text)


def markdown_to_text(paragraph: str) -> str:
    """Plain text of one Markdown paragraph: links keep their text, emphasis goes."""
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", paragraph)
    text = re.sub(r"(\*\*|\*|__|_)(\S.*?\S|\S)\1", r"\2", text)
    return re.sub(r"\s+", " ", text).strip()


def seed_paragraphs(seed_text: str) -> list[str]:
    body = "\n".join(seed_text.splitlines()[split_front_matter(seed_text)[1] - 1 :])
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
    return [markdown_to_text(p) for p in paragraphs if not p.startswith("#") and not p.startswith("Leave for Calum")]


@pytest.mark.parametrize("docname,title", PAGES.items())
def test_page_exists_with_its_title(built_book, book_config, docname, title):
    page = built_book.page(docname)
    assert page.exists(), f"{docname}.html was not built"
    html_title = text_of(soup(page).title)
    assert html_title == f"{title} — {book_config['title']}"


@pytest.mark.parametrize("docname", PAGES)
def test_page_has_exactly_one_h1_and_it_is_the_title(built_book, docname):
    h1s = soup(built_book.page(docname)).find_all("h1")
    assert len(h1s) == 1, f"{docname}: {len(h1s)} <h1> elements: {[text_of(h) for h in h1s]}"
    assert text_of(h1s[0]).rstrip("#").strip() == PAGES[docname]


def _main_nav(page: Path, page_docname: str):
    """The navigation element that links to the most pages of the book."""
    navs = soup(page).find_all("nav")
    return max(navs, key=lambda nav: len({_docname(a["href"], page_docname) for a in nav.find_all("a", href=True)}))


def _docname(href: str, page_docname: str) -> str:
    """The docname a link points to, from a page; a bare fragment is the page itself."""
    if href.startswith("#"):
        return page_docname
    base = Path(page_docname).parent
    target = (base / href.split("#")[0]).as_posix()
    parts = []
    for part in target.split("/"):
        if part == "..":
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts).removesuffix(".html")


def test_navigation_is_home_about_then_contact_and_join_under_about(built_book):
    nav = _main_nav(built_book.page("book/contact"), "book/contact")
    order = [_docname(a["href"], "book/contact") for a in nav.find_all("a", href=True)]
    order = [d for d in order if d in PAGES and d != "book/index"]
    assert order == ["book/about", "book/contact", "book/join"]
    about_link = next(a for a in nav.find_all("a", href=True) if _docname(a["href"], "book/contact") == "book/about")
    about_item = about_link.find_parent("li")
    nested = {_docname(a["href"], "book/contact") for a in about_item.find_all("a", href=True)}
    assert {"book/contact", "book/join"} <= nested, "Contact us and Join us must sit under About"


def test_home_links_to_every_section(built_book):
    links = {
        _docname(a["href"], "book/index")
        for a in soup(built_book.page("book/index")).select("article a[href]")
        if not a["href"].startswith(("http", "mailto", "#"))
    }
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    sections = [c["file"] for c in toc.get("chapters", [])]
    sections += [s["file"] for c in toc.get("chapters", []) for s in c.get("sections", [])]
    missing = [s for s in sections if s not in links]
    assert missing == [], f"the Home page does not link to {missing}"


def test_every_seed_paragraph_is_on_the_about_page(built_book):
    article = text_of(soup(built_book.page("book/about")).find("article"))
    paragraphs = seed_paragraphs(SEED.read_text(encoding="utf-8"))
    assert len(paragraphs) == 7, paragraphs
    missing = [p for p in paragraphs if p not in article]
    assert missing == [], f"seed paragraphs missing from the About page: {missing}"


def own_text(section) -> str:
    """A section's text without its heading and without the sections inside it."""
    copy = BeautifulSoup(str(section), "html.parser").find("section")
    for inner in copy.find_all("section"):
        inner.decompose()
    copy.find(["h1", "h2", "h3", "h4", "h5", "h6"]).decompose()
    return text_of(copy)


BOOK_PAGES = sorted(p.removesuffix(".md") for p in (str(p.relative_to(ROOT)) for p in ROOT.glob("book/*.md")))


@pytest.mark.parametrize("docname", BOOK_PAGES)
def test_each_section_is_written_or_says_it_is_being_written(built_book, docname):
    """A heading never stands over nothing: a section has prose, sections of its own, or says that
    it is being written in words that `make drafts` lists (which only the seed's own unwritten
    section may do: test_facts.py)."""
    article = soup(built_book.page(docname)).find("article")
    listed = {d.heading for d in drafts.find_drafts(ROOT) if d.path.with_suffix("").as_posix() == docname}
    for section in article.find_all("section"):
        heading = text_of(section.find(["h1", "h2", "h3", "h4", "h5", "h6"]))
        text = own_text(section)
        has_sections = section.find("section") is not None
        assert text or has_sections, f"{docname}: the section “{heading}” is empty. Write it or remove its heading."
        if drafts.PATTERN.search(text):
            assert heading in listed, f"{docname}: “{heading}” says it is being written, but make drafts misses it"
    assert listed <= {text_of(h) for h in article.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])}


def test_the_internal_instruction_is_nowhere(built_book, root):
    sources = [*root.glob("book/**/*.md")]
    built = [*built_book.html.rglob("*.html"), *built_book.html.rglob("*.txt")]
    offenders = [str(p) for p in sources + built if "leave for calum" in p.read_text(encoding="utf-8").lower()]
    assert offenders == []


@pytest.mark.parametrize("name", ["about.seed.md", "facts.md"])
def test_vendored_content_matches_shared(name):
    shared = SHARED / name
    if not shared.exists():
        pytest.skip(f"{shared} is not beside this checkout")
    assert (DATA / name).read_text(encoding="utf-8") == shared.read_text(encoding="utf-8"), (
        f"tests/data/{name} differs from shared/content/{name}: copy the shared one in"
    )


@pytest.mark.parametrize("docname", ["book/contact", "book/join"])
def test_every_address_and_link_comes_from_the_facts(built_book, docname):
    facts = (DATA / "facts.md").read_text(encoding="utf-8")
    article = soup(built_book.page(docname)).find("article")
    hrefs = [a["href"] for a in article.select("a[href]") if a["href"].startswith(("http", "mailto:"))]
    assert hrefs, f"{docname} has no links"
    invented = [h for h in hrefs if unquote(h.removeprefix("mailto:").split("?")[0]) not in facts]
    assert invented == [], f"{docname} links to things not in facts.md: {invented}"
    channels = set(re.findall(r"#[a-z][a-z0-9-]+", text_of(article)))
    assert channels <= set(re.findall(r"#[a-z][a-z0-9-]+", facts)), channels - set(
        re.findall(r"#[a-z][a-z0-9-]+", facts)
    )


def test_emails_are_mailto_links(built_book):
    for docname in ("book/contact", "book/join"):
        page = soup(built_book.page(docname))
        article = page.find("article")
        addresses = set(re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text_of(article)))
        assert addresses, f"{docname} shows no email address"
        linked = {
            unquote(a["href"].removeprefix("mailto:").split("?")[0]) for a in article.select('a[href^="mailto:"]')
        }
        assert addresses <= linked, f"{docname}: addresses without a mailto: link: {addresses - linked}"
