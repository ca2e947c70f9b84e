"""Browser survey of the built book: open pages in headless Chromium, record, then assert.

Every page is visited once per viewport; the visits of a test module run concurrently in a
few tabs of one headless Chromium, and the tests assert on the records (HTTP status,
console errors, uncaught exceptions, failed local requests and the result of one
JavaScript function per page), so a page is not loaded again for every check.
"""

from __future__ import annotations

import asyncio
import os
import re
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


#: Console errors we ignore, each caused only by a blocked external request:
#: * "Failed to load resource: net::ERR_FAILED" / "net::ERR_BLOCKED_BY_CLIENT" for a
#:   resource on another host (CDN fonts, MathJax from jsdelivr, badges), identified by
#:   the message's source URL not being the local server;
#: * MathJax's own report that its CDN script could not be fetched.
IGNORED_CONSOLE = (
    re.compile(r"Failed to load resource: net::ERR_(FAILED|BLOCKED_BY_CLIENT)"),
    re.compile(r"mathjax", re.IGNORECASE),
)

#: Known defects of the pinned theme stack (jupyter-book 1.0.4.post1, sphinx-thebe 0.3.1,
#: pydata-sphinx-theme 0.17.1), harmless for readers. They are tolerated but reported
#: (pytest prints them as warnings); when the stack or _config.yml fixes them, delete
#: the entry and the test becomes stricter.
#: * sphinx-thebe adds its inline config script twice to every page (its
#:   ``env-before-read-docs`` hook runs twice), so the second ``const THEBE_JS_URL``
#:   raises a SyntaxError; thebe is disabled in _config.yml anyway.
#: * pydata-sphinx-theme logs "Got invalid theme mode: ." on a reader's first visit
#:   (empty localStorage, no default mode) and falls back to "auto".
KNOWN_UPSTREAM: tuple[re.Pattern[str], ...] = ()

#: Pages open at the same time in one browser (tabs); Chromium renders each tab in its
#: own process, so a few tabs keep both cores of a small CI machine busy.
TABS = int(os.environ.get("SOZIALANALYSE_BROWSER_TABS", "4"))
#: Milliseconds to wait after the ``load`` event, so that late scripts can report errors.
SETTLE_MS = 200


@dataclass
class Visit:
    """One page to open at one viewport, and what to record there.

    ``script`` is a JavaScript function evaluated once after the page has loaded and
    settled; its JSON result becomes ``PageRecord.data``. ``action`` is an optional
    coroutine function ``action(page) -> dict`` for work that needs Playwright itself
    (screenshots, waiting for the search results); its result becomes ``PageRecord.extra``.
    """

    path: str
    viewport: dict[str, int]
    script: str | None = None
    action: Callable[[Any], Awaitable[dict[str, Any]]] | None = None


@dataclass
class PageRecord:
    """What happened when one page was opened (see ``Visit``)."""

    path: str
    viewport: dict[str, int]
    status: int | None = None
    errors: list[str] = field(default_factory=list)
    data: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: Why the visit stopped early (navigation, script or action raised), else None.
    failure: str | None = None

    def load_problems(self) -> list[str]:
        """A non-200 HTTP status and every recorded error (console, page, failed request)."""
        problems = [f"HTTP {self.status}"] if self.status != 200 else []
        return problems + self.errors

    def measured(self) -> Any:
        """The script's result; a test that needs it fails here if the visit did not finish."""
        assert self.failure is None and self.data is not None, (
            f"{self.path} at {self.viewport['width']} px: nothing recorded ({self.failure})"
        )
        return self.data

    def done(self) -> dict[str, Any]:
        """The action's result; a test that needs it fails here if the visit did not finish."""
        assert self.failure is None, (
            f"{self.path} at {self.viewport['width']} px: {self.failure}"
        )
        return self.extra


@dataclass
class Survey:
    """Records of all visits (keyed by path and viewport width) and what was tolerated."""

    records: dict[tuple[str, int], PageRecord]
    blocked: set[str]
    upstream: set[str]

    def __getitem__(self, key: tuple[str, int]) -> PageRecord:
        return self.records[key]

    def report(self) -> None:
        """Report tolerated upstream errors and blocked external requests as warnings."""
        for text in sorted(self.upstream):
            warnings.warn(f"known upstream console error tolerated: {text}", stacklevel=2)
        for url in sorted(self.blocked):
            warnings.warn(f"external request blocked (offline test): {url}", stacklevel=2)


def is_local(url: str, base: str) -> bool:
    return urlsplit(url).netloc in ("", urlsplit(base).netloc)


async def survey(executable: str, base: str, visits: list[Visit], tabs: int) -> Survey:
    """Open every visit's page (``tabs`` at a time) in a fresh headless Chromium."""
    from playwright.async_api import async_playwright

    blocked: set[str] = set()
    upstream: set[str] = set()
    records: dict[tuple[str, int], PageRecord] = {}
    # Only requests to other hosts are intercepted (a regular expression is matched in
    # the browser); requests to the local server never make a round trip to Python.
    external = re.compile("^(?!" + re.escape(base) + "|data:)")

    async def block(route) -> None:
        blocked.add(route.request.url)
        await route.abort()

    async def visit(context, spec: Visit, slots: asyncio.Semaphore) -> None:
        record = PageRecord(spec.path, spec.viewport)
        records[(spec.path, spec.viewport["width"])] = record
        async with slots:
            page = await context.new_page()
            await page.set_viewport_size(spec.viewport)

            def on_console(msg) -> None:
                if msg.type != "error":
                    return
                source = (msg.location or {}).get("url", "")
                external_source = bool(source) and not is_local(source, base)
                known = blocked and any(p.search(msg.text) for p in IGNORED_CONSOLE)
                if external_source or known:
                    return
                if any(p.search(msg.text) for p in KNOWN_UPSTREAM):
                    upstream.add(msg.text)
                else:
                    record.errors.append(f"console: {msg.text} [{source}]")

            def on_pageerror(exc) -> None:
                if any(p.search(str(exc)) for p in KNOWN_UPSTREAM):
                    upstream.add(str(exc))
                else:
                    record.errors.append(f"uncaught exception: {exc}")

            def on_requestfailed(request) -> None:
                if is_local(request.url, base):
                    record.errors.append(f"request failed: {request.url} ({request.failure})")

            page.on("console", on_console)
            page.on("pageerror", on_pageerror)
            page.on("requestfailed", on_requestfailed)
            try:
                response = await page.goto(base + spec.path, wait_until="load")
                record.status = response.status if response else None
                await page.wait_for_timeout(SETTLE_MS)
                if spec.script:
                    record.data = await page.evaluate(spec.script)
                if spec.action:
                    record.extra = await spec.action(page)
            except Exception as exc:  # noqa: BLE001 - one page's failure fails its tests only
                record.failure = f"{type(exc).__name__}: {exc}".splitlines()[0]
                record.errors.append(f"browser: {record.failure}")
            finally:
                await page.close()

    async with async_playwright() as pw:
        # A browser that is installed but does not start is a failure, not a skip.
        browser = await pw.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = await browser.new_context(viewport={"width": 1280, "height": 900})
            await context.route(external, block)
            slots = asyncio.Semaphore(max(1, tabs))
            await asyncio.gather(*(visit(context, spec, slots) for spec in visits))
        finally:
            await browser.close()
    return Survey(records, blocked, upstream)


