"""Fixtures for the tests on the built HTML book.

The built book is looked up in ``$SOZIALANALYSE_HTML_DIR`` (default ``_build/html``
under the repository root; a directory that holds ``_build/html`` is accepted too, so
``--path-output /tmp/x`` builds can be tested with ``SOZIALANALYSE_HTML_DIR=/tmp/x``).
Tests are skipped with a message when no ``index.html`` is there: run ``make book``
(or ``jupyter-book build .``) first.
"""

from __future__ import annotations

import asyncio
import functools
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from browser_survey import TABS, Survey, Visit, survey

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")  # Debian's package
#: Fallbacks, e.g. on Ubuntu CI runners (chromium-browser, preinstalled Google Chrome).
#: ``$SOZIALANALYSE_CHROMIUM`` overrides all of them.
CHROMIUM_FALLBACKS = (Path("/usr/bin/chromium-browser"), Path("/usr/bin/google-chrome"))


def html_dir_path() -> Path:
    """Directory of the built HTML book (see module docstring)."""
    base = Path(os.environ.get("SOZIALANALYSE_HTML_DIR", REPO_ROOT / "_build" / "html"))
    if not (base / "index.html").exists() and (base / "_build" / "html").is_dir():
        base = base / "_build" / "html"
    return base


def artifact_dir_path() -> Path:
    """Where screenshots go: ``$SOZIALANALYSE_ARTIFACT_DIR`` or ``_build/test-artifacts``."""
    default = REPO_ROOT / "_build" / "test-artifacts"
    return Path(os.environ.get("SOZIALANALYSE_ARTIFACT_DIR", default))


@pytest.fixture(scope="session")
def artifact_dir() -> Path:
    path = artifact_dir_path()
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def html_dir() -> Path:
    path = html_dir_path()
    if not (path / "index.html").exists():
        pytest.skip(
            f"no built book at {path} (index.html missing): run `make book` first, or set "
            "SOZIALANALYSE_HTML_DIR to a jupyter-book output directory"
        )
    return path


@pytest.fixture(scope="session")
def html_pages(html_dir: Path) -> list[Path]:
    """Every built HTML page (not the copied sources or static assets)."""
    skip = {"_static", "_sources", "_images", "_sphinx_design_static", "_panels_static"}
    return sorted(
        p for p in html_dir.rglob("*.html") if not (set(p.relative_to(html_dir).parts) & skip)
    )


def toc_pages() -> list[str]:
    """HTML paths (relative to the book root) of every file in ``_toc.yml``."""
    import yaml

    toc = yaml.safe_load((REPO_ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key, []) or []:
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(toc)
    return [f"{Path(f).with_suffix('')}.html" for f in files]


@pytest.fixture(scope="session")
def toc_html_pages() -> list[str]:
    """HTML paths of the pages listed in ``_toc.yml``, start page first."""
    return toc_pages()


def find_chromium() -> Path | None:
    """The browser binary to use, or None."""
    env = os.environ.get("SOZIALANALYSE_CHROMIUM")
    if env:
        return Path(env) if Path(env).exists() else None
    for candidate in (CHROMIUM, *CHROMIUM_FALLBACKS):
        if candidate.exists():
            return candidate
    return None


def _install_chromium() -> str | None:
    """Install Debian's chromium if no browser is found; return a reason when impossible."""
    if find_chromium() is not None:
        return None
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "not root, cannot apt-get install chromium"
    if shutil.which("apt-get") is None:
        return "apt-get not available"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run(["apt-get", "update"], check=True, capture_output=True, env=env, timeout=600)
        subprocess.run(
            ["apt-get", "install", "-y", "chromium"],
            check=True,
            capture_output=True,
            env=env,
            timeout=900,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        return f"apt-get install chromium failed: {exc}"
    return None if find_chromium() else "chromium not found after apt-get install"


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    reason = _install_chromium()
    if reason:
        pytest.skip(f"headless Chromium unavailable ({reason}); browser tests not run")
    return str(find_chromium())


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="session")
def book_server(html_dir: Path) -> Iterator[str]:
    """Serve the built book on 127.0.0.1 at a free port; yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def survey_pages(chromium_executable: str, book_server: str) -> Callable[[list[Visit]], Survey]:
    """A function that opens the given visits in headless Chromium and returns the records.

    Each test module builds its list of ``Visit`` once (a module-scoped fixture) and asserts
    on the records, so a page is loaded once per viewport, not once per test.
    """
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:  # pragma: no cover - playwright is in the dev dependencies
        pytest.skip("python playwright is not installed")

    def run(visits: list[Visit]) -> Survey:
        return asyncio.run(survey(chromium_executable, book_server, visits, TABS))

    return run


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests with a ``toc_page`` argument run once per page of ``_toc.yml``."""
    if "toc_page" in metafunc.fixturenames:
        metafunc.parametrize("toc_page", toc_pages())
