"""Screenshot an HTML report for the documentation, in headless Chromium.

    python docs/images/make_screenshot.py out/report.html docs/images/report.png

Needs only Playwright for Python and Debian's chromium (no browser download): the page is
opened from disk with every network request refused, at a laptop's width.
"""

from __future__ import annotations

import argparse
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1280, "height": 1000}


def screenshot(report: Path, png: Path, full_page: bool = False) -> None:
    """Write a PNG of the top of ``report`` (the whole page with ``full_page``)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport=VIEWPORT, device_scale_factor=1)
            page.route("**/*", lambda route: route.continue_()
                       if route.request.url.startswith("file:") else route.abort())
            page.goto(report.resolve().as_uri())
            page.screenshot(path=str(png), full_page=full_page)
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("png", type=Path)
    parser.add_argument("--full-page", action="store_true")
    args = parser.parse_args()
    screenshot(args.report, args.png, args.full_page)


if __name__ == "__main__":
    main()
