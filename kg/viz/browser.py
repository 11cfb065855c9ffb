"""Headless Chromium for checking the page as a person would see it (tests and bench/bench_viz.py).

Drives the system's Chromium (Debian package ``chromium``) through Playwright's Python package
(the ``dev`` extra) with ``executable_path``, so no browser is downloaded. Every launch gets a fresh
profile and no network: any request that is not for a file:// URL is recorded and aborted.
"""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

CHROMIUM_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)


def chromium_path() -> str | None:
    """The Chromium executable on PATH, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class PageLog:
    """What a page did besides drawing: requests leaving file://, script errors, dialogs opened."""

    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@contextmanager
def open_page(path: Path, width: int = 1280, height: int = 800) -> Iterator[tuple[object, PageLog]]:
    """A Playwright page in headless Chromium that has loaded ``path`` from a file:// URL, and its log."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise RuntimeError("chromium is not installed (Debian package chromium)")
    log = PageLog()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.route("**/*", lambda route: _only_files(route, log))
            page.on("pageerror", lambda error: log.errors.append(str(error)))
            page.on("dialog", lambda dialog: (log.dialogs.append(dialog.message), dialog.dismiss()))
            page.goto(Path(path).resolve().as_uri())
            yield page, log
        finally:
            browser.close()


def _only_files(route, log: PageLog) -> None:
    """Let file:// requests through; record and abort every other one."""
    url = route.request.url
    if url.startswith("file://"):
        route.continue_()
    else:
        log.blocked.append(url)
        route.abort()


def wait_until_drawn(page, timeout_ms: float = 60_000) -> float:
    """Wait for the page's first complete drawing; the milliseconds from navigation start to it."""
    page.wait_for_function("window.kg && window.kg.ready === true", timeout=timeout_ms)
    return float(page.evaluate("window.kg.drawnAt"))
