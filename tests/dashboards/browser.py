"""Driving the dashboards in a real headless Chromium: start the app, open pages, screenshot.

Debian's `chromium` and `chromium-driver` (installed by .ci/run). When they are missing the
browser tests skip, unless TIDBOK_REQUIRE_BROWSER=1 (CI), where they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "dashboards" / "streamlit_app.py"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
REQUIRE_ENV = "TIDBOK_REQUIRE_BROWSER"
SCREENSHOTS = REPO / "artifacts" / "screenshots"
# (url path, Swedish title, English title): every page, the hidden drill-down included.
PAGES = (
    ("", "Nyttoöversikt", "Benefits overview"),  # the default page is the app's root
    ("anslutning", "Anslutning och täckning", "Connection and coverage"),
    ("kanalskifte", "Kanalskifte och telefon", "Channel shift and phone"),
    ("uteblivna-besok", "Uteblivna besök och återbud", "No-shows and late cancellations"),
    ("risker", "Risker", "Risks"),
    ("effekter", "Effekter", "Effects"),
    ("datakvalitet", "Datakvalitet", "Data quality"),
    ("om-matten", "Om måtten", "About the metrics"),
    ("matt?metric=no_show_rate", "Uteblivna besök", "No-show rate"),
)


def require_browser() -> None:
    """Skip (or, in CI, fail) when Chromium or its driver is not installed."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if not missing and shutil.which(str(CHROMIUM)):
        return
    message = (f"headless Chromium is not installed ({', '.join(missing)} missing); "
               "apt-get install chromium chromium-driver")
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but {message}")
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_app(home: Path, port: int | None = None, timeout: float = 120,
                env: dict[str, str] | None = None) -> Iterator[str]:
    """Serve the dashboards for `home` on a free port; yields the base URL."""
    port = port or free_port()
    log = home / f"streamlit-{port}.log"
    command = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1",
               "--browser.gatherUsageStats", "false"]
    environment = {**os.environ, "TIDBOK_HOME": str(home), **(env or {})}
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=REPO, env=environment, stdout=output,
                                   stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited: {log.read_text(errors='replace')[-2000:]}")
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start in {timeout:.0f} s")
            time.sleep(0.5)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def chromium(download_dir: Path | None = None) -> Iterator:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-background-networking", "--disable-component-update",
                     "--no-first-run", "--disable-dev-shm-usage", "--window-size=1400,1000",
                     "--lang=sv-SE"):
        options.add_argument(argument)
    options.binary_location = str(CHROMIUM)
    if download_dir is not None:
        options.add_experimental_option("prefs", {
            "download.default_directory": str(download_dir),
            "download.prompt_for_download": False,
        })
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for_page(driver, title: str, timeout: float = 120) -> None:
    """Until the page's title is shown, the script has stopped running and charts are drawn."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, timeout, poll_frequency=0.5)
    wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, "h1"), title))

    def settled(drv) -> bool:
        # Read in one script: elements re-rendered between two calls would be stale.
        return drv.execute_script(
            "const status = document.querySelector('[data-testid=\"stStatusWidget\"]');"
            "const running = status && /Running|Stop/.test(status.innerText);"
            "const skeletons = document.querySelectorAll('[data-testid=\"stSkeleton\"]');"
            "return !running && skeletons.length === 0;")

    wait.until(settled)
    time.sleep(1.5)  # let Vega finish drawing the charts
    wait.until(settled)


def errors_on_page(driver) -> list[str]:
    from selenium.webdriver.common.by import By

    found = driver.find_elements(
        By.CSS_SELECTOR, '[data-testid="stException"], [data-testid="stAlertContentError"]')
    return [element.text[:300] for element in found]


def full_page_screenshot(driver, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script(
        "const main = document.querySelector('[data-testid=\"stMain\"]')"
        " || document.querySelector('[data-testid=\"stAppViewContainer\"]');"
        "return Math.max(main ? main.scrollHeight : 0, document.body.scrollHeight);")
    driver.set_window_size(1400, min(max(int(height) + 120, 900), 12000))
    time.sleep(1.0)
    driver.save_screenshot(str(path))
    driver.set_window_size(1400, 1000)
