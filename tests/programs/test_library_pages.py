"""The exercise library: admins manage it, therapists read it and add their own."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from programs.models import Exercise

pytestmark = pytest.mark.django_db


def _data(**overrides):
    data = {
        "name": "Marble pick-up",
        "region": "foot",
        "target": "Toe flexors",
        "position": "Sitting",
        "equipment": "Marbles, a bowl",
        "steps": "Scatter marbles.\nPick each up with the toes.\nDrop it in the bowl.",
        "cues": "Slowly.",
        "mistakes": "",
        "sets": "2",
        "reps": "10",
        "hold_seconds": "",
        "tempo": "",
        "frequency": "Daily",
        "dosage_note": "",
        "citation": "Clinic default",
        "drawing": "",
        "video_url": "",
    }
    data.update(overrides)
    return data


def _png(size=(40, 30), *, exif: bool = False, fmt="PNG") -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if exif:
        meta = Image.Exif()
        meta[0x010F] = "SecretCam"  # Make
        meta[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS
        image.save(out, format="JPEG", exif=meta.tobytes())
    else:
        image.save(out, format=fmt)
    return out.getvalue()


def test_therapist_and_admin_read_the_library(as_treating, as_desk):
    for http in (as_treating, as_desk):
        html = http.get(reverse("programs:exercise_list")).content.decode()
        assert "Plantar-fascia stretch" in html and "<svg" in html


def test_library_search_filters_by_text_and_region(as_treating):
    html = as_treating.get(reverse("programs:exercise_list"), {"region": "hip"}).content.decode()
    assert "Clamshell" in html and "Plantar-fascia stretch" not in html
    html = as_treating.get(reverse("programs:exercise_list"), {"q": "towel"}).content.decode()
    assert "Towel scrunch" in html and "Clamshell" not in html


def test_manage_page_is_for_admins_only(as_desk, as_treating):
    assert as_desk.get(reverse("programs:library_manage")).status_code == 200
    assert as_treating.get(reverse("programs:library_manage")).status_code == 404


def test_admin_edits_a_library_exercise_and_therapist_cannot(as_desk, as_treating, library):
    exercise = library["Clamshell"]
    url = reverse("programs:exercise_edit", args=[exercise.pk])
    assert as_treating.get(url).status_code == 404
    assert as_treating.post(url, _data(name="Hacked")).status_code == 404
    response = as_desk.post(url, _data(name="Clamshell", region="hip", sets="3", reps="12"))
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.sets == 3


def test_therapist_adds_an_own_exercise_and_may_edit_it(as_treating, treating):
    response = as_treating.post(reverse("programs:exercise_create"), _data())
    exercise = Exercise.objects.get(name="Marble pick-up")
    assert response["Location"] == exercise.get_absolute_url()
    assert exercise.created_by == treating and exercise.step_list[1] == "Pick each up with the toes."
    edit = as_treating.post(reverse("programs:exercise_edit", args=[exercise.pk]), _data(reps="12"))
    assert edit.status_code == 302
    exercise.refresh_from_db()
    assert exercise.reps == 12


def test_a_colleague_cannot_edit_another_therapists_exercise(as_treating, as_colleague):
    as_treating.post(reverse("programs:exercise_create"), _data())
    exercise = Exercise.objects.get(name="Marble pick-up")
    assert as_colleague.get(reverse("programs:exercise_edit", args=[exercise.pk])).status_code == 404
    assert as_colleague.get(reverse("programs:exercise_detail", args=[exercise.pk])).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"sets": "0"}, "At least 1 set."),
        ({"reps": "500"}, "At most 50 reps per set."),
        ({"reps": "", "hold_seconds": "3600"}, "A hold lasts at most 180 seconds."),
        ({"reps": "", "hold_seconds": ""}, "Give reps, a hold time, or both."),
        ({"name": "clamshell"}, "already in the library"),
    ],
)
def test_bad_exercise_input_shows_a_message_and_saves_nothing(as_treating, overrides, message):
    before = Exercise.objects.count()
    response = as_treating.post(reverse("programs:exercise_create"), _data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Exercise.objects.count() == before


def test_uploaded_illustration_is_re_encoded_without_exif(as_treating):
    upload = SimpleUploadedFile("photo.jpg", _png((80, 60), exif=True), content_type="image/jpeg")
    response = as_treating.post(reverse("programs:exercise_create"), {**_data(), "illustration": upload})
    assert response.status_code == 302
    exercise = Exercise.objects.get(name="Marble pick-up")
    with exercise.illustration.open("rb") as handle:
        stored = handle.read()
    assert b"SecretCam" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (80, 60)
        assert not image.getexif()
    served = as_treating.get(reverse("programs:exercise_image", args=[exercise.pk]))
    assert served.status_code == 200 and served["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.png", b"this is not an image at all", "not an image"),
        (
            "evil.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "not an image",
        ),
        ("html.gif", b"GIF89a<script>alert(1)</script>", "not"),
        ("huge.png", None, "too many pixels"),
        ("big.png", b"\x89PNG" + b"0" * (4 * 1024 * 1024 + 10), "too large"),
    ],
)
def test_bad_uploads_are_refused_with_a_message_and_nothing_saved(
    as_treating, name, content, message, settings
):
    if content is None:
        content = _png((5000, 4000))  # 20 megapixels, small on disk
    before = Exercise.objects.count()
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    response = as_treating.post(reverse("programs:exercise_create"), {**_data(), "illustration": upload})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Exercise.objects.count() == before


def test_admin_maps_an_exercise_to_a_finding_and_therapist_cannot(as_desk, as_treating, library):
    exercise = library["Toe yoga"]
    url = reverse("programs:indication_add", args=[exercise.pk])
    data = {
        "measure_code": "gait_heel_eversion",
        "finding_kind": "any",
        "reason": "Foot control.",
        "priority": 5,
    }
    assert as_treating.post(url, data).status_code == 404
    as_desk.post(url, data)
    assert exercise.indications.filter(measure_code="gait_heel_eversion").exists()


def test_admin_retires_an_exercise_and_therapists_no_longer_see_it(as_desk, as_treating, library):
    exercise = library["Towel scrunch"]
    as_desk.post(reverse("programs:exercise_set_active", args=[exercise.pk]), {"active": "0"})
    assert "Towel scrunch" not in as_treating.get(reverse("programs:exercise_list")).content.decode()
    assert as_treating.get(reverse("programs:exercise_detail", args=[exercise.pk])).status_code == 404


def test_admin_sets_the_pain_monitoring_bands(as_desk):
    from programs.models import PainMonitoringRule

    as_desk.post(reverse("programs:library_manage"), {"green_max": "3", "amber_max": "5"})
    rule = PainMonitoringRule.load()
    assert (rule.green_max, rule.amber_max) == (3, 5)
    response = as_desk.post(reverse("programs:library_manage"), {"green_max": "6", "amber_max": "5"})
    assert "green limit must be below" in response.content.decode()
