"""Headless Debian Chromium driven by Playwright, recording every request and console error."""

import contextlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Flags that keep Chromium from calling home (the machine has no network but loopback).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
]


def require_chromium() -> None:
    """Skip when Chromium is absent on a developer machine; CI sets E2E_REQUIRE_BROWSER=1 to fail instead."""
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    message = f"Chromium not found at {CHROMIUM} (install it: apt-get install chromium)"
    if os.environ.get("E2E_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class PageLog:
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def outside(self, allowed_host: str = "127.0.0.1") -> list[str]:
        """Requests to any host but `allowed_host` (data: and blob: URLs stay in the page)."""
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).hostname != allowed_host
        ]


@contextlib.contextmanager
def chromium_page() -> Iterator[tuple[object, PageLog]]:
    """A fresh browser page and the log of what it requested and complained about."""
    from playwright.sync_api import sync_playwright

    require_chromium()
    log = PageLog()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.set_default_timeout(20_000)
            page.on("request", lambda request: log.requests.append(request.url))
            page.on("console", lambda msg: msg.type == "error" and log.console_errors.append(msg.text))
            page.on("pageerror", lambda exc: log.console_errors.append(str(exc)))
            page.on("response", lambda r: r.status >= 400 and log.failed.append(f"{r.status} {r.url}"))
            yield page, log
        finally:
            browser.close()
