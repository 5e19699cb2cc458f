"""The class report page (``grades-report.html``) in headless Chromium: every embedded image
decodes (``naturalWidth > 0``), and a learner's ``<script>`` in a file name, in feedback
and in code shows as text and never runs. A screenshot goes to ``build/report_browser.png``.

Needs the Debian packages ``chromium`` and ``chromium-driver`` and ``selenium``
(requirements-test.txt); runs only with ``pytest --browser``.
"""
import base64
import os
import shutil
from pathlib import Path

import pytest

from tests.grade.test_html_report import HOSTILE_FEEDBACK, HOSTILE_FILE, class_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

from assignment.paths import REPO_ROOT

ROOT = REPO_ROOT
SCREENSHOT = ROOT / "build" / "report_browser.png"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,900"]


@pytest.fixture
def chromium():
    browser = "/usr/lib/chromium/chromium" if os.path.isfile("/usr/lib/chromium/chromium") else shutil.which("chromium")
    driver_path = shutil.which("chromedriver")
    if not (browser and driver_path):
        pytest.fail("Chromium or chromedriver is missing: apt-get install -y chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def test_report_images_load_and_learner_script_stays_text(tmp_path, chromium):
    page = tmp_path / "grades-report.html"
    page.write_text(class_page(), encoding="utf-8")
    chromium.get(page.as_uri())
    chromium.execute_script("return document.readyState")
    images = chromium.execute_script(
        "return Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth, i.naturalHeight]);")
    assert [alt for alt, *_ in images] == ["score histogram", "results per exercise"]
    for alt, complete, width, height in images:
        assert complete and width > 0 and height > 0, (alt, width, height)
    # none of the learner's scripts ran (each would have set window.pwned or called a function)
    assert chromium.execute_script("return [typeof window.pwned, document.scripts.length];") == ["undefined", 0]
    text = chromium.execute_script("return document.body.innerText;")
    for shown in (HOSTILE_FEEDBACK, HOSTILE_FILE, "<script>advice()</script>", "<script>code()</script>"):
        assert shown in text, shown
    # a full-page screenshot for a person to look at
    shot = chromium.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    SCREENSHOT.parent.mkdir(exist_ok=True)
    SCREENSHOT.write_bytes(base64.b64decode(shot["data"]))
