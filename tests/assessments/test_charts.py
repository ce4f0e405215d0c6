"""Progress charts and the chain diagram are pure functions of loaded rows."""

from __future__ import annotations

from datetime import date

from assessments import diagrams, pages
from assessments.selectors import chart_history
from core.charts import drawing_to_svg


def test_progress_charts_draw_scores_and_measures_with_their_bands(record, client_record):
    record(on=date(2026, 9, 1), stage=0, signed=True)
    record(on=date(2026, 10, 1), stage=0.5, signed=True)
    record(on=date(2026, 11, 1), stage=1)
    charts = {c["key"]: c["svg"] for c in pages.progress_charts(chart_history(client_record, recent=24))}
    assert set(charts) >= {"lefs", "psfs", "knee_to_wall", "heel_raise_reps", "nprs_first_step"}
    assert "MCID 9" in charts["lefs"]
    assert "MDC 1.9 cm" in charts["knee_to_wall"]
    assert "MDC 2/10" in charts["nprs_first_step"]
    assert "Left" in charts["knee_to_wall"] and "Right" in charts["knee_to_wall"]


def test_no_charts_without_scores(client_record):
    assert pages.progress_charts(chart_history(client_record, recent=24)) == []


def test_chain_diagram_colours_each_link_and_escapes_notes():
    drawing = diagrams.chain_drawing(
        {"foot": "impaired", "ankle": "ok", "calf": "not_tested", "hip": "ok", "glute": "ok", "gait": "ok"},
        {"foot": ["L <Windlass> positive", "a", "b", "c", "d"]},
    )
    svg = drawing_to_svg(drawing)
    for label in ("Foot", "Ankle", "Calf", "Hip", "Glute", "Gait", "Within norm", "Impaired", "Not tested"):
        assert label in svg
    assert "&lt;Windlass&gt;" in svg and "<Windlass>" not in svg
    assert "+2 more" in svg
    # Impaired links are red (#c92a2a), links within norm green (#2b8a3e).
    assert "rgb(78%,16%,16%)" in svg and "rgb(16%,54%,24%)" in svg
