"""Screenshots of the main pages at desktop (1280 px) and tablet (768 px) width for
docs/screenshots/, taken from the demo clinic. Opt-in, so the normal test run never rewrites them:

    KC_SCREENSHOTS=1 .venv/bin/pytest tests/browser/test_screenshots.py

PNGs are reduced to a 256-colour palette to keep the repository small. The home-program handout
is a PDF: its first page is drawn with pdftoppm (poppler-utils) when that is installed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image

from tests.browser.conftest import DEMO_PASSWORD, ROOT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        os.environ.get("KC_SCREENSHOTS", "") not in {"1", "true", "yes"},
        reason="opt-in: KC_SCREENSHOTS=1 rewrites docs/screenshots/",
    ),
]

SHOTS = ROOT / "docs" / "screenshots"
WIDTHS = {1280: 860, 768: 1024}


def _save(png: bytes, path: Path) -> None:
    with tempfile.NamedTemporaryFile(suffix=".png") as raw:
        raw.write(png)
        raw.flush()
        image = Image.open(raw.name).convert("RGB")
        image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def _sign_in(page, user: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url("**/")


@pytest.mark.parametrize("width", list(WIDTHS))
def test_screenshots_of_the_main_pages(browser, live_app, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        base_url=live_app,
        viewport={"width": width, "height": WIDTHS[width]},
        has_touch=width < 1000,
        device_scale_factor=1,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    taken = []
    try:
        _sign_in(page, "therapist")
        page.goto("/clients/?q=brooks")
        chart = page.locator("a:has-text('Brooks, Ethan')").first.get_attribute("href")
        client_id = re.search(r"/clients/(\d+)/", chart).group(1)
        page.goto(chart)
        assessment = page.locator("a[href^='/assessments/']").first.get_attribute("href")
        pages = {
            "home": "/",
            "clients": "/clients/",
            "chart": chart,
            "assessment-form": f"/clients/{client_id}/assessments/new/#region-foot",
            "assessment": assessment,
            "program-builder": f"/clients/{client_id}/program/",
        }
        for name, url in pages.items():
            page.goto(url)
            if "#" in url:
                page.wait_for_timeout(1000)  # the page scrolls smoothly to the anchor
            path = SHOTS / f"{name}-{width}.png"
            _save(page.screenshot(), path)
            taken.append(path)
        if width == 1280 and shutil.which("pdftoppm"):
            handout = page.request.get(f"/clients/{client_id}/program/handout.pdf")
            assert handout.ok
            with tempfile.TemporaryDirectory() as tmp:
                pdf = Path(tmp) / "handout.pdf"
                pdf.write_bytes(handout.body())
                subprocess.run(
                    ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", pdf, f"{tmp}/p"],
                    check=True,
                )
                _save((Path(tmp) / "p.png").read_bytes(), SHOTS / "handout-pdf.png")
                taken.append(SHOTS / "handout-pdf.png")
        _sign_in(page, "admin")
        page.goto("/audit/")
        _save(page.screenshot(), SHOTS / f"audit-{width}.png")
        taken.append(SHOTS / f"audit-{width}.png")
    finally:
        context.close()
    assert all(p.stat().st_size > 5_000 for p in taken)
