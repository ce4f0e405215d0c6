"""The seeded library carries the reference's exercises, dosages and finding map."""

from __future__ import annotations

import pytest

from programs.models import Exercise, ExerciseIndication

pytestmark = pytest.mark.django_db

REQUIRED = [
    "Plantar-fascia stretch",
    "Calf stretch, back knee straight",
    "Calf stretch, back knee bent",
    "High-load heel raise with towel",
    "Heel raise, low-capacity start",
    "Short foot (arch doming)",
    "Toe yoga",
    "Towel scrunch",
    "Side-lying hip abduction",
    "Clamshell",
    "Glute bridge",
    "Single-leg bridge",
    "Knee-to-wall ankle mobilisation",
    "Single-leg balance",
    "Plantar ball self-massage",
]


def test_library_seeds_at_least_fifteen_exercises_including_every_required_one(library):
    assert len(library) >= 15
    assert set(REQUIRED) <= set(library)


def test_every_seeded_exercise_has_steps_a_citation_and_a_drawing(library):
    for exercise in library.values():
        assert len(exercise.step_list) >= 3, exercise.name
        assert exercise.citation, exercise.name
        assert exercise.drawing, exercise.name


def test_plantar_fascia_stretch_uses_the_digiovanni_dosage(library):
    stretch = library["Plantar-fascia stretch"]
    assert (stretch.sets, stretch.reps, stretch.hold_seconds) == (1, 10, 10)
    assert "3 times a day" in stretch.frequency
    assert stretch.citation == "DiGiovanni 2003"
    assert stretch.dosage_confirmed


def test_high_load_heel_raise_has_rathleff_tempo_progression_and_low_capacity_regression(library):
    raise_ = library["High-load heel raise with towel"]
    assert raise_.tempo == "3 s up, 2 s hold, 3 s down"
    assert raise_.frequency == "Every second day"
    assert (raise_.sets, raise_.reps) == (3, 12)
    assert "4 sets of 10" in raise_.dosage_note and "5 sets of 8" in raise_.dosage_note
    assert raise_.citation == "Rathleff 2015"
    low = library["Heel raise, low-capacity start"]
    assert raise_.regression == low and low.progression == raise_
    assert low.tempo == "5 s up, 3 s hold, 5 s down"
    assert not low.dosage_confirmed  # secondary source in the reference


def test_unconfirmed_dosages_are_marked_unconfirmed(library):
    for name in ("Short foot (arch doming)", "Glute bridge", "Knee-to-wall ankle mobilisation"):
        assert not library[name].dosage_confirmed


def _serving(code, kind="any"):
    return set(
        ExerciseIndication.objects.filter(measure_code=code, finding_kind__in=[kind, "any"]).values_list(
            "exercise__name", flat=True
        )
    )


def test_finding_map_sends_limited_dorsiflexion_to_calf_stretches_and_knee_to_wall():
    serving = _serving("knee_to_wall", "out_of_norm")
    assert {"Calf stretch, back knee straight", "Calf stretch, back knee bent"} <= serving
    assert "Knee-to-wall ankle mobilisation" in serving


def test_finding_map_sends_weak_glute_med_and_trendelenburg_to_hip_abduction_and_clamshell():
    assert {"Side-lying hip abduction", "Clamshell"} <= _serving("mmt_glute_med", "out_of_norm")
    assert {"Side-lying hip abduction", "Clamshell"} <= _serving("trendelenburg", "positive")


def test_finding_map_sends_windlass_and_first_step_pain_to_fascia_stretch_and_heel_raise():
    for code, kind in (("windlass", "positive"), ("nprs_first_step", "high_pain")):
        assert {"Plantar-fascia stretch", "High-load heel raise with towel"} <= _serving(code, kind)


def test_library_names_are_unique_regardless_of_case(library, treating):
    from django.core.exceptions import ValidationError

    from programs import services

    data = {
        "name": "plantar-FASCIA stretch",
        "region": "foot",
        "target": "x",
        "position": "x",
        "steps": "a",
        "sets": 1,
        "reps": 5,
        "frequency": "daily",
    }
    with pytest.raises(ValidationError):
        services.exercise_create(by=treating, data=data)
    assert Exercise.objects.filter(name__iexact="plantar-fascia stretch").count() == 1
