"""Every page on a serving file the real pipeline built from a simulated tiny Sweden."""

import pytest

from tests.dashboards.apptest import PAGES, charts, open_page

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_real_figures(real_home, page: str, lang: str) -> None:
    app = open_page(page, lang)
    assert app.title[0].value == PAGES[page][0 if lang == "sv" else 1]
    if page in ("no_shows", "channel_shift", "metric"):
        assert charts(app), f"{page} shows no chart on the pipeline's figures"
    if page == "benefits":
        values = [m.value for m in app.metric if m.value != "–"]
        assert len(values) >= 5, "the overview shows too few published tiles"
