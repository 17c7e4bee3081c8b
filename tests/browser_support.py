"""A real headless Chromium for the site tests: Debian's chromium driven by Playwright.

Playwright's own browser downloads are never used (./dev installs Debian's chromium). The flags are
the ones this machine needs: no sandbox as root, no GPU, and no background networking (the network
is closed, and Chromium would otherwise keep trying to reach Google's hosts).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
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


@contextmanager
def chromium() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"找不到 {CHROMIUM}：浏览器测试需要 Debian 的 chromium 软件包。"
            "运行 ./dev test（会自动安装），或 apt-get install chromium。"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def served(folder: Path) -> Iterator[str]:
    """A built site served on a free local port, as `govsite serve` serves it; yields its URL."""
    from govsite.site.serve import serve_in_background, url_of

    server, thread = serve_in_background(folder, "127.0.0.1", 0)
    try:
        yield url_of(server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
