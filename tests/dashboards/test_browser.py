"""The dashboards in a real headless Chromium, against the pipeline's own serving file.

Opens every page in both languages by its URL, checks that the app finished running with
no error element, and saves a full-page screenshot of each to artifacts/screenshots/ (kept
by CI as artifacts). Then follows what a newcomer does: opens a shared link, switches page
with the filters kept, and downloads the data behind a chart.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.dashboards.browser import (
    PAGES,
    SCREENSHOTS,
    chromium,
    errors_on_page,
    full_page_screenshot,
    require_browser,
    running_app,
    wait_for_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
CHART_PAGES = {"uteblivna-besok", "kanalskifte", "matt", "datakvalitet"}


def _screenshot_name(path: str, lang: str) -> str:
    return f"{path.split('?')[0] or 'nyttooversikt'}-{lang}.png"


def test_every_page_in_headless_chromium(real_serving_home: Path) -> None:
    require_browser()
    from selenium.webdriver.common.by import By

    failures = []
    with running_app(real_serving_home) as base, chromium() as driver:
        for path, swedish, english in PAGES:
            for lang, title in (("sv", swedish), ("en", english)):
                separator = "&" if "?" in path else "?"
                driver.get(f"{base}/{path}{separator}lang={lang}")
                wait_for_page(driver, title)
                name = _screenshot_name(path, lang)
                full_page_screenshot(driver, SCREENSHOTS / name)
                errors = errors_on_page(driver)
                if errors:
                    failures.append((name, errors))
                charts = driver.find_elements(By.CSS_SELECTOR,
                                              '[data-testid="stVegaLiteChart"]')
                if path.split("?")[0] in CHART_PAGES and not charts:
                    failures.append((name, ["no chart drawn"]))
    assert not failures
    assert len(list(SCREENSHOTS.glob("*.png"))) >= 2 * len(PAGES)


def test_a_shared_link_keeps_its_filters_and_its_data_downloads(
        real_serving_home: Path, tmp_path: Path) -> None:
    require_browser()
    from selenium.webdriver.common.by import By

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with running_app(real_serving_home) as base, chromium(downloads) as driver:
        driver.get(f"{base}/uteblivna-besok?lang=en&region=01")
        wait_for_page(driver, "No-shows and late cancellations")
        headings = " ".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, "h3"))
        assert "Region Stockholm" in headings  # the link's region, in English
        assert "region=01" in driver.current_url and "lang=en" in driver.current_url
        assert not driver.find_elements(By.XPATH, "//*[contains(., 'Page not found')]")

        driver.find_element(By.PARTIAL_LINK_TEXT, "Channel shift").click()
        wait_for_page(driver, "Channel shift and phone")
        assert "region=01" in driver.current_url and "lang=en" in driver.current_url

        button = driver.find_element(
            By.XPATH, "//*[@data-testid='stDownloadButton']//button[contains(., 'CSV')]")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
        button.click()
        deadline = time.monotonic() + 60
        while not [p for p in downloads.glob("*.csv")] and time.monotonic() < deadline:
            time.sleep(0.5)
        files = list(downloads.glob("*.csv"))
        assert files, "the CSV download did not arrive"
        data = files[0].read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        assert "Region Stockholm" in data.decode("utf-8-sig")


def test_a_region_user_signs_in_and_sees_its_units(real_serving_home: Path,
                                                   tmp_path: Path) -> None:
    require_browser()
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from dashboards.auth import USERS_ENV, hash_password

    users = tmp_path / "users.toml"
    users.write_text(
        '[users.stockholm]\nname = "Analytiker Stockholm"\nscope = "region:01"\n'
        f'password_hash = "{hash_password("stockholm-pw", iterations=1000)}"\n',
        encoding="utf-8")
    with running_app(real_serving_home, env={USERS_ENV: str(users)}) as base, \
            chromium() as driver:
        driver.get(f"{base}/anslutning?region=01")
        wait_for_page(driver, "Anslutning och täckning")
        assert "bara för inloggade" in driver.find_element(By.TAG_NAME, "body").text
        driver.find_element(By.XPATH, "//*[@data-testid='stExpander']//summary"
                                      "[contains(., 'Logga in')]").click()
        driver.find_element(By.CSS_SELECTOR, "input[aria-label='Användarnamn']").send_keys(
            "stockholm")
        password = driver.find_element(By.CSS_SELECTOR, "input[aria-label='Lösenord']")
        password.send_keys("stockholm-pw", Keys.ENTER)
        wait_for_page(driver, "Anslutning och täckning")
        deadline = time.monotonic() + 60
        while "Inloggad: Analytiker Stockholm" not in driver.find_element(
                By.TAG_NAME, "body").text and time.monotonic() < deadline:
            time.sleep(0.5)
        wait_for_page(driver, "Anslutning och täckning")
        body = driver.find_element(By.TAG_NAME, "body").text
        assert "Inloggad: Analytiker Stockholm" in body
        assert "bara för inloggade" not in body
        assert "Du ser Region Stockholm utan röjandeskydd" in body
        full_page_screenshot(driver, SCREENSHOTS / "anslutning-sv-region-01.png")
        assert not errors_on_page(driver)
