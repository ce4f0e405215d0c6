"""Library pages name measures in words, never by their internal codes."""

from __future__ import annotations

from programs.models import MEASURE_CODES, ExerciseIndication


def test_exercise_suggestions_name_measures_in_words(as_treating):
    indication = ExerciseIndication.objects.select_related("exercise").first()
    assert indication is not None, "the seeded library maps exercises to findings"
    html = as_treating.get(f"/exercises/{indication.exercise_id}/").content.decode()
    assert dict(MEASURE_CODES)[indication.measure_code] in html
    assert f"<code>{indication.measure_code}</code>" not in html
    section = html.split("Suggested for these findings", 1)[1].split("</ul>", 1)[0]
    assert f"{indication.measure_code} (" not in section
