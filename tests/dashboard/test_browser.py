"""The real thing: `estimator dashboard` on 127.0.0.1, every page loaded in headless Chromium
(Debian's, driven by playwright), key content asserted after it rendered, a what-if change
followed across pages, a report downloaded, screenshots saved to test-artifacts/dashboard/,
and nothing left running afterwards."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.dashboard.launch import cli_dashboard, leftovers
from tests.fixtures import fixture_store
from tests.promised import require_chromium

pytestmark = [pytest.mark.integration, pytest.mark.browser]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dashboard"
WAIT_MS = 45_000  # a loaded 2-core machine; pages render in about a second when idle


@pytest.fixture
def browser() -> Iterator[Browser]:
    chromium = require_chromium()
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        pids = [p.pid for p in psutil.Process().children(recursive=True) if "chrom" in p.name()]
        assert pids, "the browser runs as our child"
        try:
            yield b
        finally:
            b.close()
    assert leftovers(pids) == [], "chromium outlived the test"


def _rendered(page: Page, title: str) -> None:
    """The page's title is there and Streamlit finished running the script."""
    expect(page.locator("h1").filter(has_text=title)).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("[data-testid=stStatusWidget]")).to_have_count(0, timeout=WAIT_MS)
    expect(page.locator("[data-testid=stSkeleton]")).to_have_count(0, timeout=WAIT_MS)


def _charts_drawn(page: Page, count: int, visible: int | None = None) -> None:
    """`count` charts on the page, the first `visible` (default: all) drawn on screen (the
    others sit in closed tabs)."""
    charts = page.locator("[data-testid=stVegaLiteChart]")
    expect(charts).to_have_count(count, timeout=WAIT_MS)
    for i in range(count if visible is None else visible):
        expect(charts.nth(i).locator("svg, canvas").first).to_be_visible(timeout=WAIT_MS)


def _shot(page: Page, name: str) -> None:
    """After the script run ended (no 'Running…' status), so the picture is the whole page."""
    expect(page.locator("[data-testid=stStatusWidget]")).to_have_count(0, timeout=WAIT_MS)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _nav(page: Page, label: str, title: str) -> None:
    """Change page the way a user does (the session, and its what-if state, stays)."""
    page.locator("[data-testid=stSidebarNavLink]").filter(has_text=label).click()
    _rendered(page, title)


def test_every_page_in_a_real_browser(tmp_path: Path, browser: Browser) -> None:
    results = fixture_store(tmp_path / "results.sqlite")
    with cli_dashboard(results) as cli:
        servers = [p.pid for p in cli.streamlit()]
        page = browser.new_page(viewport={"width": 1400, "height": 2200})
        page.goto(cli.url)

        # Overview: the answer first
        _rendered(page, "Which configuration is cheapest?")
        _charts_drawn(page, 1)
        main = page.locator("[data-testid=stMain]")
        for text in ("fastapi", "flask", "Monthly cost", "Saving vs baseline", "peak 200 req/s"):
            expect(main).to_contain_text(text)
        costs = page.locator("[data-testid=stMetric]").filter(has_text="Monthly cost")
        expect(costs).to_have_count(2)
        before = costs.first.locator("[data-testid=stMetricValue]").inner_text()
        assert before.lstrip("≤ ").startswith("$")
        _shot(page, "1-overview")

        # a what-if change recomputes, and is kept across pages
        peak = page.get_by_role("spinbutton", name="Peak traffic (req/s)")
        peak.fill("3000")
        peak.press("Enter")
        expect(main).to_contain_text("peak 3,000 req/s", timeout=WAIT_MS)
        after = costs.first.locator("[data-testid=stMetricValue]").inner_text()
        assert after != before
        _shot(page, "2-overview-3000rps")

        _nav(page, "Compare", "Compare configurations")
        expect(page.get_by_role("spinbutton", name="Peak traffic (req/s)")).to_have_value("3000")
        expect(page.locator("[data-testid=stDataFrame]")).to_have_count(2, timeout=WAIT_MS)
        _charts_drawn(page, 4, visible=1)  # capacity, latency, memory, cost; one tab open
        expect(main).to_contain_text("peak 3,000 req/s")
        expect(main).to_contain_text("Do two configurations really differ?")
        _shot(page, "3-compare")

        _nav(page, "Run detail", "Run detail")
        _charts_drawn(page, 5)
        expect(main).to_contain_text("Capacity, req/s")
        expect(main).to_contain_text("Phases")
        expect(main).to_contain_text("Measured on")  # the page's last element
        _shot(page, "4-run-detail")

        _nav(page, "Pricing", "Pricing")
        expect(main).to_contain_text("EC2 on-demand:")
        expect(main).to_contain_text("Where these prices come from")
        expect(page.locator("[data-testid=stDataFrame]").first).to_be_visible()
        _shot(page, "5-pricing")

        _nav(page, "Export", "Export the report")
        buttons = page.locator("[data-testid=stDownloadButton]")
        expect(buttons).to_have_count(4, timeout=WAIT_MS)
        with page.expect_download(timeout=WAIT_MS) as download:
            buttons.filter(has_text="CSV").click()
        csv_path = tmp_path / download.value.suggested_filename
        download.value.save_as(csv_path)
        text = csv_path.read_text()
        assert csv_path.name.startswith("estimator-us-east-1-on-demand-3000rps-")
        assert "flask | cpython-3.11 | gunicorn-sync w1" in text
        _shot(page, "6-export")
        page.close()

        # Ctrl-C stops the server and its process group
        cli.proc.send_signal(signal.SIGINT)
        assert cli.proc.wait(timeout=30) == 0
        assert leftovers(servers) == []


def test_the_empty_store_page_in_a_real_browser(tmp_path: Path, browser: Browser) -> None:
    results = tmp_path / "results.sqlite"
    with cli_dashboard(results) as cli:
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        page.goto(cli.url)
        _rendered(page, "No results yet")
        expect(page.locator("[data-testid=stMain]")).to_contain_text(
            f"estimator run quick --results {results}"
        )
        _shot(page, "0-empty-store")
        page.close()
