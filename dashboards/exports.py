"""The data behind a chart as files: CSV that Swedish Excel opens as it is, and an Excel workbook.

Swedish CSV: UTF-8 with a byte order mark (so Excel reads å, ä, ö), `;` between fields
and a decimal comma, as Excel in a Swedish locale expects. English CSV: `,` and a point.
The frames are the served figures (disclosure-controlled where the reader's scope says
so): a withheld figure is an empty cell, never a number.
"""

from __future__ import annotations

import io
import re

import pandas as pd

EXCEL_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_FILE_FORBIDDEN = re.compile(r"[^0-9A-Za-z_.-]+")


def csv_bytes(frame: pd.DataFrame, lang: str) -> bytes:
    separator, decimal = (";", ",") if lang == "sv" else (",", ".")
    text = frame.to_csv(sep=separator, decimal=decimal, index=False, lineterminator="\r\n")
    return text.encode("utf-8-sig")


def excel_bytes(frame: pd.DataFrame, sheet: str) -> bytes:
    buffer = io.BytesIO()
    name = _SHEET_FORBIDDEN.sub(" ", sheet)[:31] or "data"
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=name, index=False)
        columns = writer.sheets[name].column_dimensions
        for index, column in enumerate(frame.columns):
            width = max([len(str(column)), *(len(str(v)) for v in frame[column].head(200))])
            columns[_column_letter(index)].width = min(max(width + 2, 8), 60)
    return buffer.getvalue()


def file_stem(name: str) -> str:
    """A safe, readable file name stem: 'no_show_rate by channel' -> 'no_show_rate-by-channel'."""
    return _FILE_FORBIDDEN.sub("-", name).strip("-") or "data"


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
