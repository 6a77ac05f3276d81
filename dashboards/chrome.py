"""The shared chrome around every page: language, filters kept in the URL, sign-in, "as of".

Widgets live in the router (streamlit_app.py) so they are rendered on every page, and are
kept in the URL's query parameters (`?lang=en&region=13&from=2025-01&to=2025-06
&care_service=VACCINATION&channel=eservice`), so a view can be shared as a link. Pages
read the chosen values through `language()`, `filters()` and `scope()`.

The URL is synchronised by hand (`take_from_url` before a widget, `keep_in_url` after it)
rather than with the widgets' own `bind="query-params"`, which in Streamlit 1.67 drops
the parameters of a page opened by its URL. A parameter that is present and new wins over
the session's value (a shared link, an edited address); one that is absent (the address
after a page switch) leaves the session's value, which is then written back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from dashboards import auth, queries
from dashboards.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    SUPPRESSED_MARK,
    code_label,
    format_month,
    format_timestamp,
    t,
)
from tidbok.codes import BOOKING_CHANNELS, CARE_SERVICES
from tidbok.serving import PUBLIC, PublishInfo, Region, Scope, ServingError, ServingNotPublished

LANGUAGE_KEY = "lang"
REGION_KEY = "region"
PERIOD_KEY = "period"  # widget key; in the URL as `from` and `to`
PERIOD_URL_KEYS = ("from", "to")
CARE_SERVICE_KEY = "care_service"
CHANNEL_KEY = "channel"
_WRITTEN = "_url_written"  # what this session last wrote to the URL, per parameter


# ---------------------------------------------------------------- the URL


def take_from_url(key: str, allowed: Sequence[Any] | None,
                  url_keys: Sequence[str] | None = None) -> None:
    """Before the widget `key` is drawn: adopt a new value from the URL, if it is allowed
    (allowed=None: any text).

    url_keys: several URL parameters that together make one value (a tuple), e.g. a range.
    """
    keys = tuple(url_keys or (key,))
    present = [st.query_params.get(k) for k in keys]
    written = st.session_state.setdefault(_WRITTEN, {})
    if any(v is None for v in present) or present == written.get(key):
        return
    value = tuple(present) if url_keys else present[0]
    values = value if url_keys else (value,)
    if allowed is None or all(v in allowed for v in values):
        st.session_state[key] = value
    written[key] = present


def keep_in_url(key: str, default: Any, url_keys: Sequence[str] | None = None) -> None:
    """After the widget `key` is drawn: put its value in the URL (or remove it at default)."""
    keys = tuple(url_keys or (key,))
    value = st.session_state.get(key, default)
    values = list(value) if url_keys and value is not None else [value]
    written = st.session_state.setdefault(_WRITTEN, {})
    if value is None or value == default:
        for k in keys:
            if k in st.query_params:
                del st.query_params[k]
        written[key] = [None] * len(keys)
        return
    for k, v in zip(keys, values, strict=True):
        if st.query_params.get(k) != str(v):
            st.query_params[k] = str(v)
    written[key] = [str(v) for v in values]


# ---------------------------------------------------------------- language


def language() -> str:
    lang = st.session_state.get(LANGUAGE_KEY, DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def render_language_switch() -> str:
    take_from_url(LANGUAGE_KEY, list(LANGUAGES))
    st.sidebar.radio(
        t("chrome.language", language()),
        options=list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key=LANGUAGE_KEY,
        horizontal=True,
    )
    keep_in_url(LANGUAGE_KEY, DEFAULT_LANGUAGE)
    return language()


# ---------------------------------------------------------------- filters


@dataclass(frozen=True)
class Filters:
    region: str | None = None  # two-digit county code; None = all of Sweden
    period_from: str | None = None  # 'YYYY-MM'
    period_to: str | None = None
    care_service: str | None = None
    channel: str | None = None

    def dimension_filters(self) -> dict[str, str]:
        """Chosen dimension values by the catalogue's dimension names."""
        chosen = {"care_service": self.care_service, "channel": self.channel}
        return {name: value for name, value in chosen.items() if value}


def filters() -> Filters:
    period = st.session_state.get(PERIOD_KEY)
    start, end = (period if isinstance(period, (tuple, list)) and len(period) == 2
                  else (None, None))
    return Filters(
        region=st.session_state.get(REGION_KEY),
        period_from=start,
        period_to=end,
        care_service=st.session_state.get(CARE_SERVICE_KEY),
        channel=st.session_state.get(CHANNEL_KEY),
    )


def render_filters(lang: str, regions: Sequence[Region], months: Sequence[str]) -> None:
    sidebar = st.sidebar
    sidebar.subheader(t("chrome.filters", lang))
    names = {region.code: region.name for region in regions}
    take_from_url(REGION_KEY, list(names))
    _drop_unknown(REGION_KEY, names)
    sidebar.selectbox(
        t("chrome.region", lang),
        options=[None, *names],
        format_func=lambda code: t("chrome.all_regions", lang) if code is None else names[code],
        key=REGION_KEY,
    )
    keep_in_url(REGION_KEY, None)
    if len(months) > 1:
        whole = (months[0], months[-1])
        take_from_url(PERIOD_KEY, months, PERIOD_URL_KEYS)
        chosen = st.session_state.get(PERIOD_KEY)
        if chosen is not None and not (isinstance(chosen, (tuple, list)) and len(chosen) == 2
                                       and all(m in months for m in chosen)
                                       and chosen[0] <= chosen[1]):
            del st.session_state[PERIOD_KEY]  # months the newest publish no longer has
        sidebar.select_slider(
            t("chrome.period", lang),
            options=list(months),
            value=whole,
            format_func=lambda month: format_month(month, lang),
            key=PERIOD_KEY,
        )
        keep_in_url(PERIOD_KEY, whole, PERIOD_URL_KEYS)
    services = _care_services()
    take_from_url(CARE_SERVICE_KEY, services)
    _drop_unknown(CARE_SERVICE_KEY, services)
    sidebar.selectbox(
        t("chrome.care_service", lang),
        options=[None, *services],
        format_func=lambda code: t("chrome.all", lang) if code is None
        else code_label("care_service", code, lang),
        key=CARE_SERVICE_KEY,
    )
    keep_in_url(CARE_SERVICE_KEY, None)
    take_from_url(CHANNEL_KEY, BOOKING_CHANNELS)
    _drop_unknown(CHANNEL_KEY, BOOKING_CHANNELS)
    sidebar.selectbox(
        t("chrome.channel", lang),
        options=[None, *BOOKING_CHANNELS],
        format_func=lambda code: t("chrome.all", lang) if code is None
        else code_label("channel", code, lang),
        key=CHANNEL_KEY,
    )
    keep_in_url(CHANNEL_KEY, None)
    sidebar.caption(t("chrome.share_hint", lang))


def _drop_unknown(key: str, allowed: Sequence[str] | Mapping[str, Any]) -> None:
    value = st.session_state.get(key)
    if value is not None and value not in allowed:
        del st.session_state[key]  # e.g. a region the newest publish no longer has


def _care_services() -> list[str]:
    from tidbok import catalogue

    try:
        for dimension in catalogue.dimensions():
            if dimension.name == "care_service" and dimension.values:
                return [v for v in dimension.values if v != "unknown"]
    except (catalogue.CatalogueError, OSError):
        pass
    return list(CARE_SERVICES)


# ---------------------------------------------------------------- who is looking


def viewer() -> auth.User | None:
    """The signed-in user, or None for the public."""
    oidc = _oidc_providers()
    if oidc is not None:
        if not getattr(st.user, "is_logged_in", False):
            return None
        claims = st.user.to_dict()
        name = str(claims.get("name") or claims.get("email") or claims.get("sub") or "")
        return auth.User(name, name, auth.scope_from_claims(claims))
    return st.session_state.get(auth.SESSION_KEY)


def scope() -> Scope:
    user = viewer()
    return user.scope if user else PUBLIC


def _oidc_providers() -> list[str] | None:
    try:
        return auth.oidc_providers(st.secrets.to_dict())
    except Exception:  # no secrets.toml at all: Streamlit raises its own not-found error
        return None


def render_sign_in(lang: str, regions: Sequence[Region]) -> None:
    """Who is looking, and the way to sign in or out (none when no login is configured)."""
    box = st.sidebar.container(border=True)
    user = viewer()
    if user is not None:
        box.caption(t("auth.signed_in", lang, name=user.name,
                      scope=scope_label(user.scope, lang, regions)))
    else:
        box.caption(t("auth.public", lang))
    oidc = _oidc_providers()
    if oidc is not None:
        if user is not None:
            box.button(t("auth.sign_out", lang), on_click=st.logout, key="oidc_sign_out")
        else:
            provider = oidc[0] if oidc else None
            box.button(t("auth.sign_in", lang), on_click=st.login, args=(provider,) if provider
                       else (), key="oidc_sign_in")
        return
    path = auth.users_file()
    if path is None:
        return
    if user is not None:
        if box.button(t("auth.sign_out", lang), key="local_sign_out"):
            del st.session_state[auth.SESSION_KEY]
            st.rerun()
        return
    users = _local_users(path)
    if users is None:
        box.warning(t("auth.users_unreadable", lang))
        return
    with box.expander(t("auth.sign_in", lang)), st.form("sign_in", border=False):
        username = st.text_input(t("auth.username", lang), key="sign_in_user")
        password = st.text_input(t("auth.password", lang), type="password", key="sign_in_password")
        if st.form_submit_button(t("auth.sign_in", lang)):
            signed_in = auth.authenticate(users, username, password)
            if signed_in is None:
                st.error(t("auth.failed", lang))
            else:
                st.session_state[auth.SESSION_KEY] = signed_in
                st.rerun()


@st.cache_resource(ttl=60, show_spinner=False)
def _local_users(path: Path) -> dict[str, auth.LocalUser] | None:
    try:
        return auth.load_users(path)
    except auth.UsersFileError:
        return None


def scope_label(scope_: Scope, lang: str, regions: Sequence[Region] = ()) -> str:
    if scope_.kind == "region":
        names = {region.code: region.name for region in regions}
        return t("scope.region", lang, region=names.get(scope_.region, scope_.region))
    return t(f"scope.{scope_.kind}", lang)


# ---------------------------------------------------------------- the page frame


def published_or_stop(lang: str) -> PublishInfo:
    """The version being shown; before the first publish, a friendly message and nothing else."""
    try:
        return queries.publication()
    except ServingNotPublished:
        st.info(t("not_published", lang))
    except ServingError:
        st.warning(t("serving_unreadable", lang))
    st.stop()
    raise AssertionError("st.stop() returned")  # unreachable; keeps the return type honest


def region_names(info: PublishInfo) -> dict[str, str]:
    return {region.code: region.name for region in queries.region_list(info.version)}


def page_header(title: str, intro: str, info: PublishInfo, lang: str,
                metric_ids: Sequence[str] = ()) -> None:
    """Title, what the page answers, the published version and how fresh its figures are."""
    st.title(title)
    st.caption(intro)
    as_of = t("as_of", lang, version=info.version,
              published=format_timestamp(info.published_at, lang))
    latest = latest_period(info, metric_ids)
    if metric_ids:
        as_of += " " + (t("freshness", lang, latest=format_month(latest, lang)) if latest
                        else t("freshness.none", lang))
    st.caption(as_of)


def latest_period(info: PublishInfo, metric_ids: Sequence[str]) -> str | None:
    """The newest period any of the metrics has published (as 'YYYY-MM')."""
    wanted = set(metric_ids)
    periods = [status["latest_period"][:7]
               for metric, status in queries.metric_status(info.version).items()
               if metric in wanted and status["latest_period"]]
    if not periods:
        return None
    # Marts dated by the appointment also hold months not yet due; the data reaches as far
    # as the period filter's last month (dashboard_views.period_range).
    months = queries.months(info.version)
    return min(max(periods), months[-1]) if months else max(periods)


def disclosure_note(lang: str, regions: Sequence[Region] = ()) -> None:
    viewer_scope = scope()
    if viewer_scope.kind == "national":
        st.caption(t("disclosure_note.national", lang))
    elif viewer_scope.kind == "region":
        names = {region.code: region.name for region in regions}
        st.caption(t("disclosure_note.scoped", lang, mark=SUPPRESSED_MARK,
                     region=names.get(viewer_scope.region, viewer_scope.region)))
    else:
        st.caption(t("disclosure_note", lang, mark=SUPPRESSED_MARK))


def not_published(what: str, lang: str) -> None:
    st.info(t("section.not_published", lang, what=what), icon=":material/schedule:")
