"""Print the built HTML book into one PDF, offline (``make pdf``).

Every page of ``_toc.yml`` is opened in headless Chromium (the browser the HTML tests use:
``$SOZIALANALYSE_CHROMIUM``, else Debian's ``/usr/bin/chromium``, ``chromium-browser`` or
Google Chrome) through Playwright, printed with the theme's print style, and the pages are
merged in TOC order with pypdf into ``_build/html/sozialanalyse.pdf``, with one bookmark per
chapter. The start page links to that file. Nothing is fetched from the network: the book
serves its own fonts and MathJax.

When no browser is found and the script runs as root on Debian, it installs Debian's
``chromium`` with apt-get (as the browser test does). With ``--if-browser`` it only prints a
notice when no browser is available (``make book``); otherwise it fails (``make pdf``).

Usage: ``python tools/book_pdf.py [--if-browser] [HTML_DIR]`` (default ``_build/html``).
"""

from __future__ import annotations

import functools
import io
import os
import shutil
import subprocess
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PDF_NAME = "sozialanalyse.pdf"
NO_BROWSER = (
    "Kein Chromium/Chrome gefunden: `apt-get install chromium` (Debian) oder "
    "SOZIALANALYSE_CHROMIUM=/pfad/zu/chrome setzen."
)
BROWSERS = (
    Path("/usr/bin/chromium"),
    Path("/usr/bin/chromium-browser"),
    Path("/usr/bin/google-chrome"),
    Path("/usr/bin/google-chrome-stable"),
)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
# A4 with margins; the browser's own header/footer (date, file URL) is switched off.
PDF_OPTIONS = {
    "format": "A4",
    "print_background": True,
    "margin": {"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
}
# The PDF shows what a reader sees on screen (folded code stays folded); the navigation that
# makes no sense on paper (the page's table of contents, previous/next links) is hidden.
PRINT_CSS = """
@media print {
  .bd-sidebar-secondary, .bd-sidebar-primary, .prev-next-area, .header-article-items,
  .bd-header, .bd-header-article, #pst-back-to-top { display: none !important; }
}
"""
# Links to other pages of the book would point at the temporary local server in the PDF:
# they become plain text (links within a page and to other sites stay).
UNLINK_LOCAL = """
(base) => {
  for (const a of document.querySelectorAll("a[href]")) {
    if (!a.getAttribute("href").startsWith("#") && a.href.startsWith(base)) {
      a.removeAttribute("href");
    }
  }
}
"""
WAIT_FOR_MATHJAX = """
async () => {
  if (window.MathJax && window.MathJax.startup && window.MathJax.startup.promise) {
    await window.MathJax.startup.promise;
  }
  await document.fonts.ready;
}
"""


def find_browser() -> Path | None:
    """The Chromium/Chrome binary to print with, or None."""
    env = os.environ.get("SOZIALANALYSE_CHROMIUM")
    if env:
        return Path(env) if Path(env).exists() else None
    return next((b for b in BROWSERS if b.exists()), None)


def ensure_browser() -> Path | None:
    """Find the browser; as root on Debian, install ``chromium`` first if none is there."""
    found = find_browser()
    if found or os.environ.get("SOZIALANALYSE_CHROMIUM"):
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return None
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
        try:
            subprocess.run(cmd, check=True, capture_output=True, env=env, timeout=900)
        except (subprocess.SubprocessError, OSError) as exc:
            print(f"apt-get install chromium fehlgeschlagen: {exc}", file=sys.stderr)
            return None
    return find_browser()


def toc_entries(root: Path = ROOT) -> list[str]:
    """Paths (without suffix) of the files in ``_toc.yml``, in reading order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key) or []:
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(toc)
    return [str(Path(f).with_suffix("")) for f in files]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def build_pdf(html_dir: Path, out: Path | None = None) -> Path:
    """Print the TOC pages of ``html_dir`` and merge them into one PDF; return its path."""
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader, PdfWriter

    browser_path = ensure_browser()
    if browser_path is None:
        raise SystemExit(NO_BROWSER)
    out = out or html_dir / PDF_NAME
    pages = toc_entries()
    missing = [p for p in pages if not (html_dir / f"{p}.html").is_file()]
    if missing:
        raise SystemExit(f"Seiten fehlen in {html_dir}: {', '.join(missing)} (make book zuerst)")

    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    writer = PdfWriter()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(browser_path), headless=True,
                                         args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            # Offline: any request that leaves the local server is refused.
            page.route("**/*", lambda route: route.continue_()
                       if route.request.url.startswith(base) or route.request.url.startswith(
                           "data:") else route.abort())
            for name in pages:
                page.goto(base + f"{name}.html", wait_until="load")
                page.add_style_tag(content=PRINT_CSS)
                page.evaluate(UNLINK_LOCAL, base)
                page.evaluate(WAIT_FOR_MATHJAX)
                # "Chapter — Book title": keep the chapter.
                title = page.title().rsplit(" — ", 1)[0].strip() or name
                data = page.pdf(**PDF_OPTIONS)
                reader = PdfReader(io.BytesIO(data))
                first = len(writer.pages)
                for pdf_page in reader.pages:
                    writer.add_page(pdf_page)
                writer.add_outline_item(title=title, page_number=first)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    writer.add_metadata({
        "/Title": "Sozialraumorientierte Kinder- und Jugendhilfeplanung: "
                  "ein offenes Forschungskompendium",
        "/Author": "Beitragende des Projekts sozialanalyse",
        "/Subject": "Jupyter Book sozialanalyse, gedruckt aus der HTML-Fassung",
    })
    writer.page_mode = "/UseOutlines"
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as handle:
        writer.write(handle)
    return out


def main(argv: list[str]) -> int:
    optional = "--if-browser" in argv
    args = [a for a in argv if a != "--if-browser"]
    html_dir = Path(args[0]) if args else ROOT / "_build" / "html"
    if optional and ensure_browser() is None:
        print(f"PDF nicht erstellt. {NO_BROWSER}")
        return 0
    start = time.perf_counter()
    out = build_pdf(html_dir)
    print(f"PDF: {out} ({out.stat().st_size / 1e6:.1f} MB, {time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
