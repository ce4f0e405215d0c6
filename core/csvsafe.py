"""CSV that a spreadsheet opens as data, never as formulas (IO-3).

A cell whose text starts with = + - @ tab, carriage return or NUL is run as a
formula by Excel, LibreOffice and Google Sheets; prefixing a single quote
makes it literal text. Numbers the application itself produces are written as
numbers and left alone.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")


def csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_bytes(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> bytes:
    """RFC 4180 CSV (quoted where needed, CRLF line ends), UTF-8 with a BOM so
    spreadsheets read accented names correctly."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
