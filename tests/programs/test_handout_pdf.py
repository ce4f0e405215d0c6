"""The handout PDF read back as text: names, dosage, the client on every page."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, LETTER

from clinic.models import ClinicProfile
from core.pdf import Letterhead
from programs import services
from programs.handout import HandoutData, HandoutExercise, HandoutProgram, render_handout
from programs.selectors import items_of

EIGHT = [
    "Plantar-fascia stretch",
    "Calf stretch, back knee straight",
    "Calf stretch, back knee bent",
    "High-load heel raise with towel",
    "Short foot (arch doming)",
    "Toe yoga",
    "Side-lying hip abduction",
    "Clamshell",
]


def _read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.django_db
def test_handout_lists_every_exercise_with_its_dosage_and_names_the_client_on_every_page(
    as_treating, issue, client_record
):
    issue(client_record, EIGHT, reasons={"Clamshell": "Your glute med tested weak."})
    response = as_treating.get(f"/clients/{client_record.pk}/program/handout.pdf")
    reader = _read(response.content)
    pages = [_flat(page.extract_text()) for page in reader.pages]
    text = " ".join(pages)
    for name in EIGHT:
        assert name in text
    assert "Your glute med tested weak." in text
    assert "3 s up, 2 s hold, 3 s down" in text and "Every second day" in text
    assert "At least 3 times a day" in text
    assert "Adapted from the tendinopathy pain-monitoring model (Silbernagel 2007)" in text
    assert "Tick sheet: 4 weeks" in text and "Week 4" in text
    # Short foot and toe yoga have unconfirmed dosages: that stays on the therapist's screens.
    assert "unconfirmed" not in text.lower()
    total = len(reader.pages)
    assert 4 <= total <= 9
    for number, page in enumerate(pages, start=1):
        assert "Priya Raman" in page, number
        assert f"Page {number} of {total}" in page


@pytest.mark.django_db
def test_handout_paper_size_follows_the_clinic_setting(as_treating, issue, client_record):
    issue(client_record, ["Clamshell"])
    url = f"/clients/{client_record.pk}/program/handout.pdf"
    box = _read(as_treating.get(url).content).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (round(A4[0]), round(A4[1]))
    profile = ClinicProfile.load()
    profile.paper_size = "LETTER"
    profile.save()
    box = _read(as_treating.get(url).content).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (round(LETTER[0]), round(LETTER[1]))


@pytest.mark.django_db
def test_any_version_prints_its_own_dosage(as_treating, issue, client_record, treating):
    v1 = issue(client_record, ["Clamshell"])
    draft = services.program_draft(client=client_record, by=treating)
    services.program_item_update(item=items_of(draft)[0], by=treating, data={"sets": 3, "reps": 15})
    services.program_issue(version=draft, by=treating)
    old = _flat(
        _read(as_treating.get(f"/programs/versions/{v1.pk}/handout.pdf").content).pages[1].extract_text()
    )
    assert "Program version 1" in _flat(
        _read(as_treating.get(f"/programs/versions/{v1.pk}/handout.pdf").content).pages[0].extract_text()
    )
    assert "Clamshell" in old and "15" not in old.split("Clamshell")[1][:60]


def _program(name="Ada <b>Lovelace</b> & Co", note="Use the <font size=40>blue</font> band & go"):
    return HandoutProgram(
        client_name=name,
        client_dob=date(1980, 1, 2),
        therapist="Sam <i>Okafor</i>",
        issued_on=date(2026, 11, 24),
        start_date=date(2026, 11, 24),
        review_date=date(2026, 12, 22),
        version_number=1,
        exercises=[
            HandoutExercise(
                name="Clamshell </para><para>",
                steps=["Lie on your side & <bend> the knees.", "Open the knee."],
                sets=2,
                reps=12,
                frequency="2 to 3 days a week",
                therapist_note=note,
                why="Weak hips <script>",
                video_url="https://example.org/clamshell",
            )
        ],
    )


def test_render_handout_escapes_user_text():
    pdf = render_handout(HandoutData(letterhead=Letterhead(name="Clinic <&>"), programs=[_program()]))
    text = _flat(" ".join(page.extract_text() for page in _read(pdf).pages))
    assert "Ada <b>Lovelace</b> & Co" in text
    assert "Use the <font size=40>blue</font> band & go" in text
    assert "Weak hips <script>" in text and "Clamshell </para><para>" in text


def test_batch_render_names_each_client_on_their_own_pages():
    first, second = _program(name="First Client", note=""), _program(name="Second Client", note="")
    reader = _read(
        render_handout(HandoutData(letterhead=Letterhead(name="Clinic"), programs=[first, second]))
    )
    pages = [_flat(page.extract_text()) for page in reader.pages]
    half = len(pages) // 2
    assert len(pages) % 2 == 0
    assert all("First Client · born" in p and "Second Client" not in p for p in pages[:half])
    assert all("Second Client · born" in p and "First Client" not in p for p in pages[half:])


def test_render_handout_runs_no_queries(django_assert_num_queries, db):
    with django_assert_num_queries(0):
        render_handout(HandoutData(letterhead=Letterhead(name="Clinic"), programs=[_program()]))


def test_a_long_unbroken_word_is_cut_to_fit_the_column():
    link = "https://example.org/" + "x" * 200
    program = _program(note=link)
    pdf = render_handout(HandoutData(letterhead=Letterhead(name="Clinic"), programs=[program]))
    text = "".join(_flat(page.extract_text()) for page in _read(pdf).pages).replace(" ", "")
    assert link in text


@pytest.mark.django_db
def test_an_uploaded_illustration_is_printed_in_the_handout(
    as_treating, issue, client_record, library, treating
):
    from django.core.files.base import ContentFile
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", (60, 40), (10, 120, 200)).save(buffer, format="PNG")
    exercise = library["Clamshell"]
    services.exercise_update(
        exercise=exercise,
        by=treating,
        data={},
        illustration=ContentFile(buffer.getvalue(), "c.png"),
    )
    issue(client_record, ["Clamshell"])
    reader = _read(as_treating.get(f"/clients/{client_record.pk}/program/handout.pdf").content)
    images = [img for page in reader.pages for img in page.images]
    assert any(img.image.size == (60, 40) for img in images)


def test_names_outside_latin_1_do_not_break_the_handout():
    program = _program(name="Zoë Łukasz 王芳", note="Ça va – “quoted” ≈ 5 s")
    pdf = render_handout(HandoutData(letterhead=Letterhead(name="Clinic"), programs=[program]))
    text = _flat(" ".join(page.extract_text() for page in _read(pdf).pages))
    assert "Zoë" in text and "Ça va" in text
