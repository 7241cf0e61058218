"""Small Sphinx settings the book needs that _config.yml cannot express.

- Email addresses are written plainly (no docutils "cloaking").
- The book's theme (theme/moj_book): its stylesheet is compiled from GOV.UK
  Frontend's Sass in node_modules at build time, and each page gets the
  navigation, breadcrumbs and in-page contents the theme's layout shows.
- Each page loads only the CSS and JavaScript it needs: Jupyter Book's
  extensions add theirs to every page, and some would load from a CDN.
- Code blocks and tables scroll inside their own box, which keyboard users can
  focus; code blocks get an accessible "Copy code" button.
- Notebook charts (PNG) are stored as 256-colour images when that halves them.
- Notebook kernels get CurveZMQ keys, so their traffic is encrypted.
"""

from __future__ import annotations

import hashlib
import html
import re
import subprocess
from pathlib import Path

from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

THEME = "moj_book"
ACCESSIBILITY_DOC = "book/accessibility"
# Files Jupyter Book's extensions add to every page, and when a page may keep them.
# Anything else that is not ours (sphinx-book-theme, sphinx-thebe, basic.css,
# sphinx-copybutton: we have our own button) is dropped, and so is anything
# that would load from another host (MathJax, require.js, Thebe).
# myst-nb's 43 KB stylesheet is replaced by a few rules in the theme's own
# (theme/moj_book/scss/_book.scss). Sphinx's own scripts serve only the search
# page: its highlighting of search words looks for markup this theme has not.
KEEP_IF = {
    "pygments.css": lambda body: 'class="highlight"' in body,
    "togglebutton": lambda body: 'class="toggle' in body or "dropdown" in body,
    "sphinx-design": lambda body: " sd-" in body or '"sd-' in body,
    "design-tabs.js": lambda body: "sd-tab" in body,
}
SEARCH_ONLY = ("documentation_options.js", "doctools.js", "sphinx_highlight.js")


def _plain_email_addresses(app):
    # Docutils "cloaks" addresses as `%40` and `<span>` fragments. That stops no
    # spam robot, and it breaks copying and some screen readers: write them plainly.
    app.env.settings["cloak_email_addresses"] = False


def _encrypt_kernel_traffic(app, config):
    # Notebooks run in a kernel that talks to the build over TCP sockets on this
    # machine. ipykernel 7 warns (on every notebook) that this traffic is plain
    # text; jupyter_client 8.10 can give kernels that declare support for it
    # (ipykernel does) CurveZMQ keys, but only when asked. myst-nb creates the
    # kernel manager itself, so ask through the trait's default.
    from jupyter_client.manager import KernelManager

    KernelManager.class_traits()["transport_encryption"].default_value = "auto"


# --- The stylesheet ---------------------------------------------------------------


def _compile_stylesheet(app):
    """Compile theme/moj_book/scss into a static folder Sphinx copies to _static/."""
    if app.builder.format != "html" or app.config.html_theme != THEME:
        return
    root = Path(app.confdir)
    scss_dir = root / "theme" / THEME / "scss"
    sass = root / "node_modules" / ".bin" / "sass"
    govuk = root / "node_modules" / "govuk-frontend" / "package.json"
    if not sass.exists() or not govuk.exists():
        raise ExtensionError(
            f"{sass.relative_to(root)} or {govuk.relative_to(root)} is missing: the book's styles are "
            f"compiled from GOV.UK Frontend. Run `npm ci` in {root} (Node 20 or newer), or `make book`, "
            "which does it."
        )
    out_dir = Path(app.doctreedir).parent / "moj_book_static"
    target = out_dir / "moj-book.css"
    digest = hashlib.sha256(govuk.read_bytes())
    for path in sorted(scss_dir.glob("*.scss")):
        digest.update(path.name.encode() + path.read_bytes())
    stamp = out_dir.parent / "moj_book_static.sha256"
    if not (target.exists() and stamp.exists() and stamp.read_text() == digest.hexdigest()):
        out_dir.mkdir(parents=True, exist_ok=True)
        command = [
            str(sass),
            f"--load-path={root / 'node_modules'}",
            "--no-source-map",
            "--style=compressed",
            "--quiet-deps",
            str(scss_dir / "moj-book.scss"),
            str(target),
        ]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise ExtensionError(f"Sass could not compile {scss_dir / 'moj-book.scss'}:\n{result.stderr}")
        stamp.write_text(digest.hexdigest())
    app.config.html_static_path.append(str(out_dir))


# --- Per-page context ---------------------------------------------------------------

_CURRENT_LINK = re.compile(r'<a class="current reference internal" href="#">')
_CODE_BLOCK = re.compile(r'<div class="([^"]*\bhighlight-[^"]*)"><div class="highlight"><pre>')
# sphinx-thebe's settings and myst-nb's kernel name: scripts nothing on the page uses.
_UNUSED_SCRIPTS = re.compile(
    r'<script type="text/x-thebe-config">.*?</script>\s*|<script>kernelName = [^<]*</script>\s*', re.S
)
_TABLE = re.compile(r"<table\b.*?</table>", re.S)
_CAPTION = re.compile(r"<caption[^>]*>(.*?)</caption>", re.S)
_TAG = re.compile(r"<[^>]+>")


def _book_nav(context, pagename, root_doc) -> str:
    """The whole table of contents, with the current page marked for assistive technology."""
    toctree = context["toctree"](collapse=False, includehidden=True, titles_only=True, maxdepth=-1)
    toctree = _CURRENT_LINK.sub('<a class="current reference internal" href="#" aria-current="page">', toctree)
    home = context["pathto"](root_doc)
    current = ' aria-current="page"' if pagename == root_doc else ""
    # Sphinx's toctree leaves out the root page; readers expect Home first.
    home_item = f'<li class="toctree-l1"><a class="reference internal" href="{home}"{current}>Home</a></li>'
    if "<ul" in toctree:
        return re.sub(r"<ul[^>]*>", lambda m: m.group(0) + home_item, toctree, count=1)
    return f"<ul>{home_item}</ul>"


def _page_contents(toc: str) -> str:
    """The page's sections (without the page title itself), on pages with three or more."""
    inner = re.search(r"<ul>\s*<li>.*?(<ul>.*</ul>)\s*</li>\s*</ul>\s*$", toc or "", re.S)
    if not inner or inner.group(1).count("<a ") < 3:
        return ""
    return inner.group(1)


def _scrollable_boxes(body: str) -> str:
    """Make code blocks and tables scroll in their own box that the keyboard can reach."""
    counts = {"Code": 0, "Output": 0}

    def code(match):
        classes = match.group(1)
        kind = "Output" if "output" in classes else "Code"
        counts[kind] += 1
        copy = "" if kind == "Output" else " data-app-copy"
        label = f"{'Code example' if kind == 'Code' else 'Output'} {counts[kind]}"
        return (
            f'<div class="{classes}"{copy}><div class="highlight"><pre tabindex="0" role="region" aria-label="{label}">'
        )

    body = _CODE_BLOCK.sub(code, body)
    tables = 0

    def table(match):
        nonlocal tables
        tables += 1
        caption = _CAPTION.search(match.group(0))
        name = _TAG.sub("", caption.group(1)).strip() if caption else ""
        label = f"Table {tables}" + (f": {name}" if name else "")
        label = label.replace('"', "&quot;")
        return f'<div class="app-scroll" role="region" aria-label="{label}" tabindex="0">{match.group(0)}</div>'

    return _TABLE.sub(table, body)


def _keep(filename: str, body: str, pagename: str) -> bool:
    if "://" in filename or filename.startswith("//"):
        return False
    name = filename.rsplit("/", 1)[-1]
    if name.startswith(SEARCH_ONLY):
        return pagename == "search"
    for prefix, needed in KEEP_IF.items():
        if name.startswith(prefix) or prefix in name:
            return needed(body)
    return False


def _asset_name(asset) -> str:
    return getattr(asset, "filename", None) or str(asset)


def _page_context(app, pagename, templatename, context, doctree):
    if app.config.html_theme != THEME:
        return
    body = context.get("body", "")
    if body:
        body = _scrollable_boxes(_UNUSED_SCRIPTS.sub("", body))
        context["body"] = body
    context["css_files"] = [css for css in context.get("css_files", []) if _keep(_asset_name(css), body, pagename)]
    context["script_files"] = [js for js in context.get("script_files", []) if _keep(_asset_name(js), body, pagename)]
    root_doc = app.config.root_doc
    pathto = context["pathto"]
    context["app_book_nav"] = _book_nav(context, pagename, root_doc)
    crumbs = []
    if pagename != root_doc:
        crumbs = [{"link": pathto(root_doc), "title": "Home"}]
        crumbs += [p for p in context.get("parents", []) if p.get("link") != pathto(root_doc)]
    context["app_breadcrumbs"] = crumbs
    # Under the page's H1: a "Download this notebook" link, then the page's contents.
    after_h1 = ""
    if context.get("page_source_suffix") == ".ipynb" and context.get("sourcename"):
        href = pathto("_sources/" + context["sourcename"], 1)
        name = html.escape(context["sourcename"].rsplit("/", 1)[-1])
        after_h1 += (
            f'<p class="govuk-body app-download"><a class="govuk-link" href="{html.escape(href)}" download>'
            f'Download this notebook<span class="govuk-visually-hidden"> in Jupyter format</span> ({name})</a></p>'
        )
    contents = _page_contents(context.get("toc", "")) if doctree is not None else ""
    if contents:
        after_h1 += (
            '<nav class="app-contents" aria-labelledby="app-contents-heading">'
            '<h2 class="app-contents__heading" id="app-contents-heading">On this page</h2>'
            f"{contents}</nav>"
        )
    if after_h1 and "</h1>" in body:
        body = body.replace("</h1>", "</h1>" + after_h1, 1)
        context["body"] = body
    context["app_copy_buttons"] = "data-app-copy" in body
    context["app_accessibility_doc"] = ACCESSIBILITY_DOC


# --- Images -----------------------------------------------------------------------


def _smaller_pngs(app, exception):
    """Re-encode each PNG in the build as a 256-colour image when that halves its size or better.

    Notebook charts are drawn by matplotlib in a handful of colours plus
    anti-aliasing; a palette image looks the same and weighs a third. A page's
    whole weight must stay under 300 KiB, and two charts would use half of it.
    Photos or gradients that would lose detail keep their original encoding.
    """
    if exception is not None or app.builder.format != "html":
        return
    from PIL import Image

    for path in sorted(Path(app.outdir, "_images").glob("*.png")):
        with Image.open(path) as image:
            if image.mode == "P":
                continue
            rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, "white")
        flat = Image.alpha_composite(white, rgba).convert("RGB")
        palette = flat.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        target = path.with_suffix(".png.tmp")
        palette.save(target, "PNG", optimize=True)
        if target.stat().st_size * 2 <= path.stat().st_size:
            target.replace(path)
        else:
            target.unlink()


def setup(app):
    app.connect("config-inited", _encrypt_kernel_traffic)
    app.connect("builder-inited", _plain_email_addresses)
    app.connect("builder-inited", _compile_stylesheet)
    app.connect("html-page-context", _page_context)
    app.connect("build-finished", _smaller_pngs)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
