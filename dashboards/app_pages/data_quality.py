"""Datakvalitet: can the figures be trusted today? Freshness per feed and region, the ledger's
reconciliation (rows read = loaded + quarantined), quarantine by reason, and the results
of the Great Expectations checks at the gate and the dbt tests in the build."""

import altair as alt
import pandas as pd
import streamlit as st

from dashboards import chrome, components, figures, queries
from dashboards.i18n import format_bool, format_month, format_timestamp, t

lang = chrome.language()
info = chrome.published_or_stop(lang)
region_names = chrome.region_names(info)
chrome.page_header(t("quality.title", lang), t("quality.intro", lang), info, lang)
region = chrome.filters().region


def region_label(code: str) -> str:
    return region_names.get(code, code)


def finish(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return figures.finish(chart, lang)


# ---------------------------------------------------------------- freshness per feed
st.subheader(t("quality.freshness", lang))
feeds = queries.feed_freshness(info.version)
if feeds is None or feeds.empty:
    chrome.not_published(t("quality.freshness_what", lang), lang)
else:
    if region:
        feeds = feeds[feeds["region"] == region]
    feeds["latest_data_day"] = pd.to_datetime(feeds["latest_data_day"])
    newest = feeds["latest_data_day"].max()
    feeds["days_behind"] = (newest - feeds["latest_data_day"]).dt.days
    feeds["region_name"] = feeds["region"].map(region_label)
    feeds["day_label"] = feeds["latest_data_day"].dt.strftime("%Y-%m-%d")
    # A fixed step per row: Streamlit fits charts into their height, which would squeeze
    # the rows away under long axis labels.
    heat = alt.Chart(feeds, height=alt.Step(20)).mark_rect().encode(
        x=alt.X("feed:N", title=t("quality.feed", lang), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("region_name:N", title=t("column.region", lang)),
        color=alt.Color("days_behind:Q", title=t("unit.days", lang),
                        scale=alt.Scale(scheme="oranges")),
        tooltip=[alt.Tooltip("feed:N", title=t("quality.feed", lang)),
                 alt.Tooltip("region_name:N", title=t("column.region", lang)),
                 alt.Tooltip("day_label:N", title=t("quality.latest_data_day", lang)),
                 alt.Tooltip("days_behind:Q", title=t("unit.days", lang))],
    )
    table = pd.DataFrame({
        t("quality.feed", lang): feeds["feed"],
        t("column.region", lang): feeds["region_name"],
        t("quality.latest_data_day", lang): feeds["day_label"],
        t("quality.latest_received_at", lang): [
            format_timestamp(v, lang) if pd.notna(v) else "" for v in feeds["latest_received_at"]],
    })
    components.chart_with_data(finish(heat), table, "freshness", lang, "freshness")

# ---------------------------------------------------------------- freshness per metric
st.subheader(t("quality.metric_freshness", lang))
metrics = pd.DataFrame([{"metric": metric, **status} for metric, status
                        in queries.metric_status(info.version).items()])
metrics["name"] = [components.name_of(components.spec_of(m), lang) if components.spec_of(m)
                   else m for m in metrics["metric"]]
published = metrics[metrics["published"] & metrics["latest_period"].notna()].copy()
if not published.empty:
    published["month"] = pd.to_datetime(published["latest_period"].str.slice(0, 7) + "-01")
    published["period_label"] = [format_month(p[:7], lang) for p in published["latest_period"]]
    dots = alt.Chart(published, height=alt.Step(16)).mark_point(
        filled=True, size=80, color=figures.PALETTE[0]).encode(
        x=alt.X("yearmonth(month):T", title=t("quality.latest_period", lang),
                axis=alt.Axis(format="%b %Y")),
        y=alt.Y("name:N", title=t("quality.metric", lang), sort="-x",
                axis=alt.Axis(labelLimit=320)),
        tooltip=[alt.Tooltip("name:N", title=t("quality.metric", lang)),
                 alt.Tooltip("period_label:N", title=t("quality.latest_period", lang))])
    st.altair_chart(finish(dots), width="stretch")
table = pd.DataFrame({
    t("quality.metric", lang): metrics["name"],
    "id": metrics["metric"],
    t("quality.published", lang): [format_bool(v, lang) for v in metrics["published"]],
    t("quality.latest_period", lang): metrics["latest_period"].fillna(""),
})
with st.expander(t("table", lang)):
    st.dataframe(table, hide_index=True)
components.download_buttons(table, "metric-freshness", lang, "metric-freshness")

# ---------------------------------------------------------------- ledger
st.subheader(t("quality.ledger", lang))
ledger = queries.ledger_frame(info.version)
if ledger is None:
    chrome.not_published(t("quality.ledger_what", lang), lang)
elif ledger.empty:
    st.info(t("no_data", lang))
else:
    if region:
        ledger = ledger[ledger["region"] == region]
    broken = ledger[~ledger["reconciled"]]
    if broken.empty:
        st.success(t("quality.reconciled_all", lang, files=int(ledger["files"].sum())),
                   icon=":material/check_circle:")
    else:
        st.warning(t("quality.not_reconciled", lang, count=len(broken)))
    by_feed = ledger.groupby("feed", as_index=False)[["rows_loaded", "rows_quarantined"]].sum()
    long = by_feed.melt("feed", var_name="kind", value_name="rows")
    long["kind"] = long["kind"].map({"rows_loaded": t("quality.rows_loaded", lang),
                                     "rows_quarantined": t("quality.rows_quarantined", lang)})
    bars = alt.Chart(long, height=alt.Step(28)).mark_bar().encode(
        y=alt.Y("feed:N", title=t("quality.feed", lang)),
        x=alt.X("rows:Q", title=t("quality.rows_read", lang), axis=alt.Axis(format=",.0f")),
        color=alt.Color("kind:N", title="", legend=alt.Legend(orient="bottom")),
        tooltip=["feed:N", "kind:N", alt.Tooltip("rows:Q", format=",.0f")])
    table = pd.DataFrame({
        t("quality.feed", lang): ledger["feed"],
        t("column.region", lang): ledger["region"].map(region_label),
        t("quality.files", lang): ledger["files"],
        t("quality.files_rejected", lang): ledger["files_rejected"],
        t("quality.rows_read", lang): ledger["rows_read"],
        t("quality.rows_loaded", lang): ledger["rows_loaded"],
        t("quality.rows_quarantined", lang): ledger["rows_quarantined"],
        t("quality.reconciled", lang): [format_bool(v, lang) for v in ledger["reconciled"]],
    })
    components.chart_with_data(finish(bars), table, "ledger", lang, "ledger")

# ---------------------------------------------------------------- quarantine
st.subheader(t("quality.quarantine", lang))
quarantine = queries.quarantine_frame(info.version)
if quarantine is None:
    chrome.not_published(t("quality.quarantine_what", lang), lang)
else:
    if region:
        quarantine = quarantine[quarantine["region_code"] == region]
    if quarantine.empty:
        st.info(t("no_data", lang))
    else:
        reasons = quarantine.groupby(["feed", "reason"], as_index=False)["rows_quarantined"].sum()
        bars = alt.Chart(reasons, height=alt.Step(24)).mark_bar().encode(
            y=alt.Y("reason:N", title=t("quality.reason", lang), sort="-x",
                    axis=alt.Axis(labelLimit=360)),
            x=alt.X("rows_quarantined:Q", title=t("quality.rows_quarantined", lang)),
            color=alt.Color("feed:N", title=t("quality.feed", lang),
                            legend=alt.Legend(orient="bottom")),
            tooltip=["feed:N", "reason:N", "rows_quarantined:Q"])
        table = quarantine.rename(columns={
            "feed": t("quality.feed", lang), "region_code": t("column.region_code", lang),
            "reason": t("quality.reason", lang),
            "rows_quarantined": t("quality.rows_quarantined", lang)})
        components.chart_with_data(finish(bars), table, "quarantine", lang, "quarantine")

# ---------------------------------------------------------------- checks
st.subheader(t("quality.checks", lang))
checks = queries.checks_frame(info.version)
if checks is None:
    chrome.not_published(t("quality.checks_what", lang), lang)
elif checks.empty:
    st.info(t("no_data", lang))
else:
    failed = checks[~checks["status"].isin(["pass", "skipped"])]
    if failed.empty:
        st.success(t("quality.checks_passed", lang, total=len(checks)),
                   icon=":material/check_circle:")
    else:
        st.warning(t("quality.checks_failed", lang, failed=len(failed), total=len(checks)))
    counts = checks.groupby(["check_kind", "status"], as_index=False).size()
    bars = alt.Chart(counts, height=alt.Step(28)).mark_bar().encode(
        y=alt.Y("check_kind:N", title=t("quality.check_kind", lang)),
        x=alt.X("size:Q", title=t("quality.check_count", lang), axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("status:N", title=t("quality.status", lang),
                        scale=alt.Scale(domain=["pass", "warn", "fail", "error", "skipped"],
                                        range=[figures.PALETTE[2], figures.PALETTE[1],
                                               figures.PALETTE[5], figures.PALETTE[3],
                                               "#999999"]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=["check_kind:N", "status:N", "size:Q"])
    table = checks.rename(columns={
        "check_kind": t("quality.check_kind", lang), "check_name": t("quality.check_name", lang),
        "target": t("quality.target", lang), "status": t("quality.status", lang),
        "failures": t("quality.failures", lang), "checked_at": t("quality.checked_at", lang),
        "region_code": t("column.region_code", lang)})
    components.chart_with_data(finish(bars), table, "checks", lang, "checks")
