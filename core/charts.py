"""Charts drawn with ReportLab graphics: one Drawing renders to SVG for pages
and goes unchanged into PDFs.

``line_chart(series, *, title, y_label, band=None, ...)`` draws values over time;
``drawing_to_svg(drawing)`` returns markup that is safe to embed (ReportLab
escapes every text node; ids are made unique per drawing).

Pages call ``line_chart_svg`` or ``cached_svg``: ReportLab's SVG renderer
builds a DOM and costs several milliseconds a chart, and a client's charted
history rarely changes between two openings of the chart. The SVG is a pure
function of the values drawn, so it is kept in a small per-process LRU keyed
by a digest of exactly those values: a key can only be formed by someone who
already holds the data, nothing is shared between processes or written to
disk, and a changed value is a different key.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, timedelta
from html import escape

from reportlab.graphics import renderSVG
from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors

PALETTE = ("#1f6feb", "#d9480f", "#2b8a3e", "#7048e8", "#c2255c", "#0b7285")
INK = colors.HexColor("#212529")
MUTED = colors.HexColor("#6c757d")
GRID = colors.HexColor("#e9ecef")
BAND_FILL = colors.HexColor("#fff3bf")
BAND_EDGE = colors.HexColor("#f0c419")
FONT = "Helvetica"
FONT_BOLD = "Helvetica-Bold"
# Type scale of every chart, in drawing units. A chart is never drawn smaller than its natural
# size on a page (it scrolls sideways instead), so 12 units is at least 12 CSS px on a tablet.
TEXT = 12
TITLE = 14
# Chart text is Helvetica; these widths (em per character, a little generous) lay out legends.
_EM_PER_CHAR = 0.56
# How much larger than its natural size a chart may grow to fill a wide column.
MAX_GROWTH = 1.3

_ids = itertools.count(1)


def _nice_step(span: float) -> float:
    raw = span / 5 if span > 0 else 1
    magnitude = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 0.1
    for mult in (1, 2, 2.5, 5, 10):
        if raw <= mult * magnitude:
            return mult * magnitude
    return 10 * magnitude


def _fmt_number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def line_chart(
    series,
    *,
    title: str,
    y_label: str,
    band=None,
    y_min: float | None = None,
    y_max: float | None = None,
    width: int = 500,
    height: int = 270,
) -> Drawing:
    """Values over time.

    ``series``: list of (label, [(date, value), ...]); ``band``: optional
    (low, high, label) drawn as a shaded band, e.g. an MCID/MDC band or a norm.
    """
    labels = [label for label, _ in series]
    legend_rows = _legend_rows(labels, width - 16)
    top = 56 if band is not None else 40
    left, right, bottom = 52, 34, 38 + 18 * max(1, len(legend_rows))
    plot_w, plot_h = width - left - right, height - top - bottom
    if plot_h < 120:
        height += 120 - plot_h
        plot_h = 120
    drawing = Drawing(width, height)
    drawing.__dict__["kc_title"] = title  # read by drawing_to_svg for the accessible name
    drawing.add(String(8, height - 18, title, fontName=FONT_BOLD, fontSize=TITLE, fillColor=INK))
    if band is not None:
        drawing.add(
            String(
                8, height - 36, band[2], fontName=FONT, fontSize=TEXT, fillColor=colors.HexColor("#7a5c00")
            )
        )

    points = [(d, float(v)) for _, pts in series for d, v in pts if v is not None]
    if not points:
        drawing.add(
            String(
                width / 2,
                height / 2,
                "No values recorded yet",
                fontName=FONT,
                fontSize=TEXT,
                fillColor=MUTED,
                textAnchor="middle",
            )
        )
        return drawing

    dates = [d for d, _ in points]
    values = [v for _, v in points]
    if band is not None:
        values += [float(band[0]), float(band[1])]
    lo = float(y_min) if y_min is not None else min(values)
    hi = float(y_max) if y_max is not None else max(values)
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    step = _nice_step(hi - lo)
    if y_min is None:
        lo = step * (lo // step)
    if y_max is None:
        hi = step * -(-hi // step)
    d0, d1 = min(dates), max(dates)
    if d0 == d1:
        d0, d1 = d0 - timedelta(days=7), d1 + timedelta(days=7)
    span_days = (d1 - d0).days

    def x_of(day: date) -> float:
        return left + (day - d0).days / span_days * plot_w

    def y_of(value: float) -> float:
        value = min(max(value, lo), hi)
        return bottom + (value - lo) / (hi - lo) * plot_h

    # Grid and y ticks.
    tick = lo
    while tick <= hi + 1e-9:
        y = y_of(tick)
        drawing.add(Line(left, y, left + plot_w, y, strokeColor=GRID, strokeWidth=0.8))
        drawing.add(
            String(
                left - 6,
                y - 4,
                _fmt_number(tick),
                fontName=FONT,
                fontSize=TEXT,
                fillColor=MUTED,
                textAnchor="end",
            )
        )
        tick += step
    drawing.add(
        String(
            width - 8, height - 18, y_label, fontName=FONT, fontSize=TEXT, fillColor=MUTED, textAnchor="end"
        )
    )
    if band is not None:
        b_lo, b_hi = sorted((float(band[0]), float(band[1])))
        y_lo, y_hi = y_of(b_lo), y_of(b_hi)
        drawing.add(
            Rect(
                left,
                y_lo,
                plot_w,
                max(y_hi - y_lo, 1),
                fillColor=BAND_FILL,
                strokeColor=None,
                fillOpacity=0.8,
            )
        )
        drawing.add(
            Line(
                left,
                y_hi,
                left + plot_w,
                y_hi,
                strokeColor=BAND_EDGE,
                strokeWidth=0.8,
                strokeDashArray=[3, 2],
            )
        )
        drawing.add(
            Line(
                left,
                y_lo,
                left + plot_w,
                y_lo,
                strokeColor=BAND_EDGE,
                strokeWidth=0.8,
                strokeDashArray=[3, 2],
            )
        )
    drawing.add(Line(left, bottom, left + plot_w, bottom, strokeColor=MUTED, strokeWidth=0.8))

    # X labels: every distinct date, thinned so they do not overlap.
    distinct = sorted(set(dates))
    every = -(-len(distinct) // max(1, int(plot_w // 78)))
    for day in distinct[::every]:
        drawing.add(
            String(
                x_of(day),
                bottom - 16,
                day.strftime("%d %b %y"),
                fontName=FONT,
                fontSize=TEXT,
                fillColor=MUTED,
                textAnchor="middle",
            )
        )

    legend_at: dict[str, tuple[float, float]] = {}
    for row_no, row in enumerate(legend_rows):
        for label, x in row:
            legend_at.setdefault(label, (x, 8 + 18 * (len(legend_rows) - 1 - row_no)))
    for index, (label, pts) in enumerate(series):
        color = colors.HexColor(PALETTE[index % len(PALETTE)])
        pts = sorted((d, float(v)) for d, v in pts if v is not None)
        coords = [(x_of(d), y_of(v)) for d, v in pts]
        if len(coords) > 1:
            drawing.add(PolyLine([c for xy in coords for c in xy], strokeColor=color, strokeWidth=2))
        for x, y in coords:
            drawing.add(Circle(x, y, 3.2, fillColor=colors.white, strokeColor=color, strokeWidth=1.8))
        if coords:
            last_x, last_y = coords[-1]
            drawing.add(
                String(
                    min(last_x + 6, width - 4),
                    last_y + 5,
                    _fmt_number(pts[-1][1]),
                    fontName=FONT_BOLD,
                    fontSize=TEXT,
                    fillColor=color,
                    textAnchor="end" if last_x + 34 > width else "start",
                )
            )
        legend_x, legend_y = legend_at[label]
        drawing.add(Rect(legend_x, legend_y + 3, 12, 4, fillColor=color, strokeColor=None))
        drawing.add(String(legend_x + 16, legend_y, label, fontName=FONT, fontSize=TEXT, fillColor=INK))
    return drawing


def _legend_rows(labels, room: float) -> list[list[tuple[str, float]]]:
    """The legend entries laid out left to right, wrapping onto a new row when one is full."""
    rows: list[list[tuple[str, float]]] = [[]]
    x = 8.0
    for label in labels:
        need = 16 + len(label) * TEXT * _EM_PER_CHAR + 14
        if rows[-1] and x + need > room:
            rows.append([])
            x = 8.0
        rows[-1].append((label, x))
        x += need
    return rows


SVG_CACHE_SIZE = 256
_UID_SLOT = "kc-uid-slot"  # stands for the ids in a cached SVG until it is handed out
_svg_cache: OrderedDict[str, str] = OrderedDict()
_svg_lock = threading.Lock()


def cached_svg(key_parts, build: Callable[[], Drawing]) -> str:
    """``drawing_to_svg(build())``, memoised on ``key_parts``: everything the
    drawing depends on (its kind, values, dates, labels and options). Each
    call gets ids of its own, so one chart shown twice on a page stays valid."""
    key = hashlib.sha256(repr(key_parts).encode()).hexdigest()
    with _svg_lock:
        svg = _svg_cache.get(key)
        if svg is not None:
            _svg_cache.move_to_end(key)
    if svg is None:
        svg = drawing_to_svg(build(), uid=_UID_SLOT)
        with _svg_lock:
            _svg_cache[key] = svg
            while len(_svg_cache) > SVG_CACHE_SIZE:
                _svg_cache.popitem(last=False)
    return svg.replace(_UID_SLOT, f"kc{next(_ids)}")


def line_chart_svg(series, **options) -> str:
    """The SVG of ``line_chart(series, **options)`` for a page."""
    frozen = tuple((label, tuple(points)) for label, points in series)
    return cached_svg(
        ("line_chart", frozen, tuple(sorted(options.items()))),
        lambda: line_chart(series, **options),
    )


_HEADER = re.compile(r"^.*?(<svg\b)", re.S)


def drawing_to_svg(drawing: Drawing, *, uid: str | None = None) -> str:
    """Markup safe to embed in a page with ``|safe``: ReportLab escapes every text
    node; the prolog is dropped, ids are unique and the SVG scales to its column."""
    svg = renderSVG.drawToString(drawing)
    svg = _HEADER.sub(r"\1", svg, count=1)
    uid = uid or f"kc{next(_ids)}"
    svg = svg.replace('id="clip"', f'id="{uid}-clip"').replace("url(#clip)", f"url(#{uid}-clip)")
    svg = svg.replace('id="group"', f'id="{uid}-group"')
    # Browsers do not know PDF font names; map them to the same face in CSS terms.
    svg = svg.replace(
        "font-family: Helvetica-Bold;", "font-family: Helvetica, Arial, sans-serif; font-weight: 700;"
    ).replace("font-family: Helvetica;", "font-family: Helvetica, Arial, sans-serif;")
    title = escape(getattr(drawing, "kc_title", "") or "Chart")
    svg = svg.replace("<title>...</title>", f"<title>{title}</title>", 1).replace("<desc>...</desc>", "", 1)
    # A chart with text is never drawn smaller than its natural size (its text would shrink under
    # 12 px): a column narrower than the chart scrolls it sideways (.kc-chart); a wider one lets it
    # grow a little. A drawing without text (an exercise illustration) simply fits its column.
    has_text = "<text" in svg

    def sized(match: re.Match) -> str:
        natural = float(match.group(1))
        limits = f"min-width:{natural:g}px;max-width:{natural * MAX_GROWTH:g}px" if has_text else ""
        return (
            f'<svg class="kc-svg" role="img" aria-label="{title}" width="100%" '
            f'style="{limits or f"max-width:{natural:g}px"};height:auto"'
        )

    svg = re.sub(r'<svg width="([\d.]+)" height="([\d.]+)"', sized, svg, count=1)
    return svg
