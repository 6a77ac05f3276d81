"""Every string the dashboards show, in Swedish (the default) and English, and their number format.

DESIGN.md decision 9: Swedish first, English one click away. Pages ask `t(key, lang)`
and the formatters below; they never hold display text of their own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tidbok.codes import CHANNEL_LABEL_EN, CHANNEL_LABEL_SV

LANGUAGES = {"sv": "Svenska", "en": "English"}
DEFAULT_LANGUAGE = "sv"
# Statistics Sweden's mark for a figure withheld to protect individuals.
SUPPRESSED_MARK = ".."
NBSP = "\u00a0"  # keeps "4,6 %" and "12 345" on one line

_STRINGS: dict[str, dict[str, str]] = {
    "app.title": {"sv": "Tidbok – nyttouppföljning", "en": "Tidbok – benefits tracking"},
    "chrome.language": {"sv": "Språk / Language", "en": "Språk / Language"},
    "chrome.region": {"sv": "Region", "en": "Region"},
    "chrome.all_regions": {"sv": "Alla regioner", "en": "All regions"},
    "not_published": {
        "sv": "Ingen statistik har publicerats ännu. Siffrorna visas här så snart "
        "pipelinen har publicerat sin första version.",
        "en": "No statistics have been published yet. Figures appear here as soon as "
        "the pipeline has published its first version.",
    },
    "serving_unreadable": {
        "sv": "Den publicerade statistiken kunde inte läsas just nu. Försök igen om en stund.",
        "en": "The published statistics could not be read right now. Please try again shortly.",
    },
    "as_of": {
        "sv": "Data per version {version}, publicerad {published}.",
        "en": "Data as of version {version}, published {published}.",
    },
    "disclosure_note": {
        "sv": "För att ingen ska kunna identifieras redovisas inte antal 1–9 ({mark}) och "
        "övriga antal är avrundade till närmaste 5. Andelar beräknas på de verkliga antalen.",
        "en": "So that no one can be identified, counts of 1–9 are withheld ({mark}) and "
        "other counts are rounded to the nearest 5. Rates use the true counts.",
    },
    "no_data": {
        "sv": "Det finns inga uppgifter för det här urvalet.",
        "en": "There are no figures for this selection.",
    },
    "no_shows.title": {"sv": "Uteblivna besök", "en": "Missed appointments"},
    "no_shows.intro": {
        "sv": "Andel bokade besök där patienten uteblev, av genomförda och uteblivna besök. "
        "Lägre är bättre.",
        "en": "Share of booked visits the patient missed, of attended and missed visits. "
        "Lower is better.",
    },
    "no_shows.trend_by_region": {
        "sv": "Andel uteblivna besök per region",
        "en": "No-show rate by region",
    },
    "no_shows.trend_by_channel": {
        "sv": "Andel uteblivna besök per bokningskanal, {region}",
        "en": "No-show rate by booking channel, {region}",
    },
    "no_shows.table": {"sv": "Tabell", "en": "Table"},
    "column.period": {"sv": "Månad", "en": "Month"},
    "column.region": {"sv": "Region", "en": "Region"},
    "column.channel": {"sv": "Bokningskanal", "en": "Booking channel"},
    "column.numerator": {"sv": "Uteblivna besök", "en": "Missed visits"},
    "column.denominator": {
        "sv": "Besök (genomförda + uteblivna)",
        "en": "Visits (attended + missed)",
    },
    "column.value": {"sv": "Andel uteblivna", "en": "No-show rate"},
}

_CHANNEL_LABELS = {"sv": CHANNEL_LABEL_SV, "en": CHANNEL_LABEL_EN}


def t(key: str, lang: str, **values: Any) -> str:
    """The text for `key` in `lang`, with {placeholders} filled from `values`."""
    text = _STRINGS[key].get(lang) or _STRINGS[key][DEFAULT_LANGUAGE]
    return text.format(**values) if values else text


def channel_label(code: str, lang: str) -> str:
    return _CHANNEL_LABELS.get(lang, CHANNEL_LABEL_SV).get(code, code)


def format_percent(rate: float | None, lang: str, decimals: int = 1) -> str:
    """0.046 -> '4,6 %' in Swedish, '4.6%' in English; withheld or undefined -> '..'."""
    if rate is None:
        return SUPPRESSED_MARK
    number = f"{rate * 100:.{decimals}f}"
    return f"{number.replace('.', ',')}{NBSP}%" if lang == "sv" else f"{number}%"


def format_count(count: int | None, lang: str) -> str:
    """12345 -> '12 345' in Swedish, '12,345' in English; withheld -> '..'."""
    if count is None:
        return SUPPRESSED_MARK
    grouped = f"{count:,}"
    return grouped.replace(",", NBSP) if lang == "sv" else grouped


def format_timestamp(moment: datetime, lang: str) -> str:
    # ISO date and 24-hour clock read naturally in both languages (and are the Swedish norm).
    return moment.strftime("%Y-%m-%d %H:%M")


# Vega-Lite locales, so the chart's axes follow the chosen language too.
_VEGA_LOCALE: dict[str, dict[str, Any]] = {
    "sv": {
        "number": {
            "decimal": ",",
            "thousands": NBSP,
            "grouping": [3],
            "currency": ["", f"{NBSP}kr"],
            "percent": f"{NBSP}%",
        },
        "time": {
            "dateTime": "%A %e %B %Y %X",
            "date": "%Y-%m-%d",
            "time": "%H:%M:%S",
            "periods": ["fm", "em"],
            "days": "söndag måndag tisdag onsdag torsdag fredag lördag".split(),
            "shortDays": "sön mån tis ons tor fre lör".split(),
            "months": (
                "januari februari mars april maj juni juli augusti september oktober "
                "november december"
            ).split(),
            "shortMonths": "jan feb mar apr maj jun jul aug sep okt nov dec".split(),
        },
    },
}


def vega_locale(lang: str) -> dict[str, Any] | None:
    """The chart locale for `lang`; None means Vega's built-in English."""
    return _VEGA_LOCALE.get(lang)
