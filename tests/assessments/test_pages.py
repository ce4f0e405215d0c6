"""What the detail, compare and client-chart pages show."""

from __future__ import annotations

from datetime import date

from core.charts import drawing_to_svg, line_chart


def test_detail_shows_chain_summary_findings_scores_and_body_chart(as_treating, record):
    assessment = record()
    html = as_treating.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "Kinetic chain, from the ground up" in html
    assert "Windlass test (left): positive." in html
    assert "LSI 46% (L involved)" in html or "LSI 46%" in html
    assert 'id="score-lefs"' in html and "<strong>40</strong>" in html
    assert "lefs-binkley1999-sum-v1" not in html  # no scoring-algorithm ids on screen
    assert "Pain 7/10" in html and "Left heel (plantar) (sole)" in html
    assert "Sign and lock" in html


def test_signed_detail_has_no_edit_or_sign_buttons(as_treating, record):
    assessment = record(signed=True)
    html = as_treating.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "Sign and lock" not in html and 'id="signed-badge"' in html


def test_compare_flags_changes_against_baseline_and_previous(as_treating, record):
    record(on=date(2026, 9, 1), stage=0, signed=True)
    record(on=date(2026, 10, 1), stage=0.5, signed=True)
    latest = record(on=date(2026, 11, 1), stage=1)
    html = as_treating.get(f"/assessments/{latest.pk}/compare/").content.decode()
    assert "vs baseline" in html and "vs previous" in html
    assert "+13 reps" in html  # heel raises 12 -> 25 against the baseline
    assert "Improved" in html
    assert "<strong>80</strong>" in html  # LEFS now


def test_client_chart_shows_chain_and_progress_charts(as_treating, record, client_record):
    record(on=date(2026, 9, 1), stage=0, signed=True)
    record(on=date(2026, 11, 1), stage=1)
    html = as_treating.get(f"/clients/{client_record.pk}/").content.decode()
    assert 'id="assessments"' in html and "Kinetic chain, from the ground up" in html
    assert 'data-chart="lefs"' in html and 'data-chart="knee_to_wall"' in html
    assert "MCID 9" in html
    assert 'id="body-trend"' in html and "Left heel (plantar) (sole)" in html


def test_charts_escape_text_and_give_unique_ids():
    drawing = line_chart(
        [("<script>x</script>", [(date(2026, 1, 1), 1), (date(2026, 2, 1), 3)])],
        title="A & B",
        y_label="cm",
        band=(1, 2, "MDC <1>"),
    )
    first, second = drawing_to_svg(drawing), drawing_to_svg(drawing)
    assert "<script>" not in first and "&lt;script&gt;" in first
    assert "A &amp; B" in first and "MDC &lt;1&gt;" in first
    assert not first.startswith("<?xml")
    assert 'id="kc' in first
    assert first.split('id="', 1)[1][:6] != second.split('id="', 1)[1][:6]


def test_chart_with_no_values_says_so():
    assert "No values recorded yet" in drawing_to_svg(line_chart([("x", [])], title="t", y_label="u"))


def test_ffi_items_are_numbered_never_worded(as_treating, client_record):
    html = as_treating.get(f"/clients/{client_record.pk}/assessments/new/").content.decode().lower()
    assert "pain item 1" in html and "activity limitation item 5" in html
    for licensed in ("first step", "barefoot", "with shoes"):
        assert licensed not in html.split('id="q-ffi"')[1].split("</details>")[0]


def test_front_desk_admin_sees_no_assessments_on_the_client_chart(as_desk, record, client_record):
    record()
    html = as_desk.get(f"/clients/{client_record.pk}/").content.decode()
    assert 'id="assessments"' not in html and "Kinetic chain" not in html
