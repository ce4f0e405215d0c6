"""Chart SVGs are memoised per process on the values drawn (core.charts)."""

from __future__ import annotations

import re
from datetime import date

from core import charts

SERIES = [("First step", [(date(2026, 1, 5), 7), (date(2026, 2, 2), 5), (date(2026, 3, 2), 3)])]
OPTIONS = {"title": "Pain (NPRS 0-10) by visit", "y_label": "NPRS", "y_min": 0, "y_max": 10}


def _ids(svg: str) -> set[str]:
    return set(re.findall(r'id="(kc\d+)-', svg))


def test_a_repeated_chart_is_served_from_the_cache_with_ids_of_its_own(monkeypatch):
    built = []
    real = charts.line_chart
    monkeypatch.setattr(charts, "line_chart", lambda *a, **k: built.append(1) or real(*a, **k))
    monkeypatch.setattr(charts, "_svg_cache", charts.OrderedDict())
    first = charts.line_chart_svg(SERIES, **OPTIONS)
    second = charts.line_chart_svg(SERIES, **OPTIONS)
    assert len(built) == 1  # drawn once
    assert _ids(first) and _ids(second) and _ids(first).isdisjoint(_ids(second))
    assert re.sub(r"kc\d+-", "", first) == re.sub(r"kc\d+-", "", second)
    assert charts._UID_SLOT not in first + second


def test_a_changed_value_or_option_draws_a_new_chart(monkeypatch):
    monkeypatch.setattr(charts, "_svg_cache", charts.OrderedDict())
    base = charts.line_chart_svg(SERIES, **OPTIONS)
    # The last value is labelled beside its point; the axis ticks are 0, 2, 4 ... 10.
    moved = [("First step", [*SERIES[0][1][:2], (date(2026, 3, 2), 5)])]
    assert ">3<" in base and ">5<" not in base
    assert ">5<" in charts.line_chart_svg(moved, **OPTIONS)
    retitled = charts.line_chart_svg(SERIES, **{**OPTIONS, "title": "Pain at rest"})
    assert "Pain at rest" in retitled and "Pain at rest" not in base
    assert len(charts._svg_cache) == 3


def test_the_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(charts, "_svg_cache", charts.OrderedDict())
    monkeypatch.setattr(charts, "SVG_CACHE_SIZE", 2)
    for value in (1, 2, 3):
        charts.line_chart_svg([("s", [(date(2026, 1, 1), value), (date(2026, 2, 1), value)])], **OPTIONS)
    assert len(charts._svg_cache) == 2
