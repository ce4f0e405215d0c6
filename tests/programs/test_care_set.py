"""The heel-pain care set: library coverage, builder ranking and filtering, the
safety refusal and its written override, referral recommendations, and the
client's handout (stop box, pain rules, no "unconfirmed", no fascia claims)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEvent
from clinic.models import ClinicProfile
from programs import services
from programs.drawings import DRAWINGS
from programs.handout import STOP_THIS_WEEK, STOP_TODAY
from programs.models import (
    Exercise,
    ExerciseIndication,
    PainMonitoringRule,
    ProgramItem,
    ProgramVersion,
    ReferralOption,
    SafetyTag,
)
from programs.selectors import builder_signals, latest_findings, suggestions_for

pytestmark = pytest.mark.django_db

CARE_SET = [
    "What to change this week",
    "Footwear and heel cup",
    "Low-Dye self-taping",
    "Return-to-walk progression",
    "Return-to-run progression (walk-run)",
    "Heel raise, low-capacity start",
    "High-load heel raise with towel",
    "Plantar-fascia stretch",
    "Calf stretch, back knee straight",
    "Calf stretch, back knee bent",
]
AUTHOR_YEAR = re.compile(r"[A-Z][A-Za-z'-]+(?: & [A-Z][A-Za-z'-]+)? (?:19|20)\d\d")
REFERRALS = ["Custom foot orthoses", "Night splint (fitting)", "Shockwave therapy", "Dry needling"]


@pytest.fixture(autouse=True)
def _clinic_profile(db):
    ClinicProfile.load()


def _assessment(treating, client, **values):
    """An assessment through the real service: ``first_step=8, navicular_drop=14``."""
    from assessments import services as assessment_services
    from assessments.services import AssessmentData, MeasurementInput

    rows = []
    if "first_step" in values:
        rows.append(MeasurementInput("nprs_first_step", value=Decimal(values["first_step"])))
    if "navicular_drop" in values:
        rows += [
            MeasurementInput("navicular_drop", "L", value=Decimal(values["navicular_drop"])),
            MeasurementInput("navicular_drop", "R", value=Decimal(values["navicular_drop"])),
        ]
    rows += [
        MeasurementInput("heel_raise_reps", "L", value=Decimal("10")),
        MeasurementInput("heel_raise_reps", "R", value=Decimal("26")),
        MeasurementInput("windlass", "L", choice="pos", position="wb"),
    ]
    data = AssessmentData(assessed_on=date(2026, 9, 1), measurements=rows)
    return assessment_services.assessment_create(client=client, by=treating, data=data)


def _suggested(client):
    return [
        s.exercise.name for s in suggestions_for(latest_findings(client), signals=builder_signals(client))
    ]


# --- The library ------------------------------------------------------------------------


def test_the_library_covers_the_care_set_with_dosage_cautions_drawing_and_source(library):
    for name in CARE_SET:
        exercise = library[name]
        assert exercise.is_active, name
        assert exercise.sets >= 1 and exercise.frequency, name
        assert exercise.reps or exercise.hold_seconds or exercise.is_advice, name
        assert exercise.dosage_text, name
        assert exercise.caution_list, name
        assert exercise.drawing in DRAWINGS, name
        assert AUTHOR_YEAR.search(exercise.citation), (name, exercise.citation)
        assert exercise.step_list, name


def test_the_care_set_items_carry_their_sources_and_progressions(library):
    assert library["Low-Dye self-taping"].citation == "Radford 2006"
    assert "Caratun 2018" in library["Heel raise, low-capacity start"].citation
    assert library["Heel raise, low-capacity start"].low_capacity
    assert library["Heel raise, low-capacity start"].progression == library["High-load heel raise with towel"]
    assert "Riel 2023" in library["Footwear and heel cup"].citation
    walk, run = library["Return-to-walk progression"], library["Return-to-run progression (walk-run)"]
    assert walk.progression == run and run.regression == walk
    # Return-to-walk/run criteria are clinic defaults: unconfirmed on the therapist's side.
    for exercise in (walk, run):
        assert not exercise.dosage_confirmed
        assert "[unconfirmed]" in exercise.cautions
    assert "30 min" in run.cautions and "90%" in run.cautions and "30 s" in run.cautions


def test_safety_tags_use_the_shared_vocabulary(library):
    from notes.safety import MODALITY_LABELS

    assert set(SafetyTag.values) == set(MODALITY_LABELS)
    assert set(library["High-load heel raise with towel"].safety_tags) == {"loading", "heavy_loading"}
    assert library["Frozen-bottle roll"].safety_tags == ["ice"]
    for exercise in library.values():
        assert set(exercise.safety_tags) <= set(SafetyTag.values), exercise.name


def test_nothing_in_the_library_tells_a_client_it_strengthens_the_fascia(library):
    texts = [
        " ".join([e.name, e.target, e.steps, e.cues, e.mistakes, e.dosage_note]) for e in library.values()
    ]
    texts += list(ExerciseIndication.objects.values_list("reason", flat=True))
    for text in texts:
        assert not re.search(r"strengthen\w*\s+(?:the\s+)?(?:plantar\s+)?fascia", text, re.IGNORECASE), text


def _form_data(exercise, **changes):
    data = {
        "name": exercise.name,
        "kind": exercise.kind,
        "region": exercise.region,
        "target": exercise.target,
        "position": exercise.position,
        "equipment": exercise.equipment,
        "steps": exercise.steps,
        "sets": exercise.sets,
        "reps": exercise.reps or "",
        "hold_seconds": exercise.hold_seconds or "",
        "frequency": exercise.frequency,
        "citation": exercise.citation,
        "cautions": exercise.cautions,
        "safety_tags": exercise.safety_tags,
        "drawing": exercise.drawing,
    }
    data.update(changes)
    return data


def test_admin_edits_cautions_and_safety_tags_with_validation(as_desk, library):
    exercise = library["Plantar ball self-massage"]
    url = reverse("programs:exercise_edit", args=[exercise.pk])
    response = as_desk.post(url, _form_data(exercise, safety_tags=["ice", "snow"]))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    response = as_desk.post(url, _form_data(exercise, equipment="A frozen water bottle", safety_tags=[]))
    assert "This exercise uses ice or cold" in response.content.decode()
    exercise.refresh_from_db()
    assert exercise.safety_tags == [] and "frozen" not in exercise.equipment
    response = as_desk.post(
        url, _form_data(exercise, cautions="Not over a wound.", safety_tags=["heavy_loading", "cupping"])
    )
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.cautions == "Not over a wound."
    assert exercise.safety_tags == ["cupping", "loading", "heavy_loading"]  # heavy loading is loading too
    page = as_desk.get(exercise.get_absolute_url()).content.decode()
    assert "Not over a wound." in page and "Heavy loading" in page


def test_the_model_refuses_an_unknown_safety_tag(library):
    exercise = library["Clamshell"]
    exercise.safety_tags = ["loading", "magic"]
    with pytest.raises(ValidationError, match="Unknown safety tag: magic"):
        exercise.full_clean()


# --- Builder ranking and filtering --------------------------------------------------------


def test_high_first_step_pain_puts_low_capacity_work_first(treating, client_record):
    _assessment(treating, client_record, first_step=8)
    names = _suggested(client_record)
    assert names[0] == "Heel raise, low-capacity start"
    assert names.index("Heel raise, low-capacity start") < names.index("High-load heel raise with towel")
    signals = builder_signals(client_record)
    assert signals.high_pain and "red band" in signals.pain_text and "Silbernagel 2007" in signals.pain_text


def test_the_red_band_follows_the_clinics_configured_edges(treating, desk, client_record):
    _assessment(treating, client_record, first_step=6)
    assert builder_signals(client_record).high_pain  # default bands: over 5 is red
    services.pain_rule_update(by=desk, green_max=3, amber_max=6)
    assert not builder_signals(client_record).high_pain  # 6 is amber now
    names = _suggested(client_record)
    assert names[0] != "Heel raise, low-capacity start"


def test_low_first_step_pain_does_not_reorder(treating, client_record):
    _assessment(treating, client_record, first_step=2)
    signals = builder_signals(client_record)
    assert not signals.high_pain and "green band" in signals.pain_text
    names = _suggested(client_record)
    assert names[0] != "Heel raise, low-capacity start"


def test_short_foot_is_suggested_only_for_a_pronated_foot(treating, client_record, make_client):
    _assessment(treating, client_record, navicular_drop=14)
    signals = builder_signals(client_record)
    assert signals.pronated and "navicular drop left 14 mm" in signals.posture_text
    assert "Short foot (arch doming)" in _suggested(client_record)

    other = make_client(treating, first_name="Neutral", last_name="Foot")
    _assessment(treating, other, navicular_drop=6)
    assert not builder_signals(other).pronated
    assert "Short foot (arch doming)" not in _suggested(other)


def test_the_builder_page_shows_the_signals_cautions_and_referrals(as_treating, treating, client_record):
    _assessment(treating, client_record, first_step=8)
    page = as_treating.get(reverse("programs:builder", args=[client_record.pk])).content.decode()
    assert "First-step pain 8/10" in page and "Low-capacity work is listed first" in page
    first = page.index("data-kc-suggestion")
    assert "Heel raise, low-capacity start" in page[page.rindex("<strong>", 0, first) : first]
    assert "Cautions" in page and "Caratun 2018" in page
    assert "Refer / discuss with" in page
    for name in REFERRALS:
        assert name in page
    assert "A podiatrist" in page


# --- Safety refusal and override ---------------------------------------------------------


@pytest.fixture
def diabetic(screened, client_record):
    screened({"diabetes_neuropathy": "Type 2, numb toes"})
    return client_record


def test_an_exercise_the_safety_rules_forbid_is_refused_and_nothing_is_saved(diabetic, treating, library):
    bottle = library["Frozen-bottle roll"]
    before = AuditEvent.objects.count()
    for reason in ("", "   \n\t "):
        with pytest.raises(ValidationError) as exc:
            services.program_exercise_add(
                client=diabetic, exercise=bottle, by=treating, override_reason=reason
            )
        message = exc.value.message_dict["override_reason"][0]
        assert "Frozen-bottle roll was not added" in message and "no ice" in message.lower()
    assert not ProgramVersion.objects.filter(client=diabetic).exists()  # no empty draft either
    assert ProgramItem.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_an_override_with_a_written_reason_is_kept_shown_and_audited(
    diabetic, treating, library, as_treating
):
    bottle = library["Frozen-bottle roll"]
    item = services.program_exercise_add(
        client=diabetic, exercise=bottle, by=treating, override_reason="  GP cleared cold; skin checked.  "
    )
    assert item.override_reason == "GP cleared cold; skin checked."
    assert item.override_conflicts and "ice" in item.override_conflicts[0].lower()
    event = AuditEvent.objects.filter(action="safety_override").latest("id")
    assert event.client_id == diabetic.pk
    assert event.detail["exercise"] == "Frozen-bottle roll"
    assert event.detail["reason"] == "GP cleared cold; skin checked."
    page = as_treating.get(reverse("programs:builder", args=[diabetic.pk])).content.decode()
    assert "data-kc-override" in page and "GP cleared cold; skin checked." in page
    version = services.program_issue(version=item.version, by=treating)
    assert version.is_issued  # an answered override does not block issuing


def test_an_exercise_without_conflicting_tags_needs_no_reason(diabetic, treating, library):
    item = services.program_exercise_add(
        client=diabetic, exercise=library["Plantar-fascia stretch"], by=treating
    )
    assert item.override_reason == "" and item.override_conflicts == []


def test_the_view_refuses_without_a_reason_and_offers_the_reason_box(diabetic, as_treating, library):
    bottle = library["Frozen-bottle roll"]
    url = reverse("programs:builder_add", args=[diabetic.pk])
    for reason in ("", "    "):
        response = as_treating.post(
            url, {"exercise": bottle.pk, "override_reason": reason}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="refused"' in html and "Frozen-bottle roll was not added" in html
        assert "Add with this override" in html
    # Without JavaScript: the whole page, with the refusal, as a 400.
    response = as_treating.post(url, {"exercise": bottle.pk, "override_reason": " "})
    assert response.status_code == 400 and 'id="refused"' in response.content.decode()
    assert not ProgramVersion.objects.filter(client=diabetic).exists()
    assert not AuditEvent.objects.filter(action="safety_override").exists()

    response = as_treating.post(
        url,
        {"exercise": bottle.pk, "override_reason": "Client's own choice after advice."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    item = ProgramItem.objects.get(version__client=diabetic, exercise=bottle)
    assert item.override_reason == "Client's own choice after advice."
    assert AuditEvent.objects.filter(action="safety_override", client_id=diabetic.pk).count() == 1


def test_add_suggested_skips_what_the_rules_forbid(screened, client_record, treating, as_treating):
    _assessment(treating, client_record, first_step=8)
    screened({"dvt": "Left calf swollen since a flight"})
    response = as_treating.post(reverse("programs:builder_add_suggested", args=[client_record.pk]))
    assert response.status_code == 302
    names = set(
        ProgramItem.objects.filter(version__client=client_record).values_list("exercise__name", flat=True)
    )
    assert names and not names & {"Heel raise, low-capacity start", "High-load heel raise with towel"}


def test_a_rule_added_after_the_exercise_blocks_issuing_until_overridden(
    client_record, treating, library, screened, as_treating
):
    screened({})
    item = services.program_exercise_add(
        client=client_record, exercise=library["Frozen-bottle roll"], by=treating
    )
    screened({"diabetes_neuropathy": "New: reduced sensation"})
    with pytest.raises(ValidationError, match="Not issued"):
        services.program_issue(version=item.version, by=treating)
    page = as_treating.get(reverse("programs:builder", args=[client_record.pk])).content.decode()
    assert "data-kc-needs-override" in page
    url = reverse("programs:item_override", args=[item.pk])
    response = as_treating.post(url, {f"override{item.pk}-override_reason": "   "})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.override_reason == ""
    item.version.refresh_from_db()
    as_treating.post(
        url,
        {
            f"override{item.pk}-override_reason": "Checked skin; client wants it.",
            "revision": item.version.revision,
        },
    )
    item.refresh_from_db()
    assert item.override_reason == "Checked skin; client wants it."
    assert services.program_issue(version=item.version, by=treating).is_issued


# --- Referrals and the handout -------------------------------------------------------------


def test_referral_recommendations_are_seeded_with_who_why_and_source(db):
    rows = {r.name: r for r in ReferralOption.objects.active()}
    for name in [*REFERRALS, "Corticosteroid injection"]:
        assert rows[name].refer_to and rows[name].reason and AUTHOR_YEAR.search(rows[name].citation)
    assert "podiatrist" in rows["Custom foot orthoses"].refer_to.lower()


def _handout_text(client, as_http) -> str:
    response = as_http.get(reverse("programs:client_handout", args=[client.pk]))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages), response.content


def _plain(markup: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", markup).split())


CARE_HANDOUT = [
    "What to change this week",
    "Footwear and heel cup",
    "Low-Dye self-taping",
    "Heel raise, low-capacity start",
    "Short foot (arch doming)",
    "Return-to-walk progression",
]


def test_the_handout_has_the_stop_box_the_pain_rules_and_no_unconfirmed_label(
    issue, client_record, as_treating, tmp_path
):
    issue(client_record, CARE_HANDOUT)
    text, pdf = _handout_text(client_record, as_treating)
    assert "Stop and get help" in text
    assert "Stop your exercises and get help today if:" in text
    assert "Stop and book a doctor or physiotherapist this week if:" in text
    for line in [*STOP_TODAY, *STOP_THIS_WEEK]:
        assert _plain(line) in text, line
    assert "Week to week:" in text and "should not get worse from one week to the next" in text
    assert "Silbernagel 2007" in text
    assert "unconfirmed" not in text.lower()
    assert not re.search(r"strengthen\w*\s+(?:the\s+)?(?:plantar\s+)?fascia", text, re.IGNORECASE)
    for name in CARE_HANDOUT:
        assert name in text
    # Advice items print how often, not sets and reps.
    start = text.index("1. What to change this week")
    assert "Every day; check it each week" in text[start : start + 400]
    # Referral recommendations are never printed as exercises.
    for name in [*REFERRALS, "Corticosteroid injection", "Refer / discuss"]:
        assert name not in text
    (tmp_path / "handout.pdf").write_bytes(pdf)


def test_the_handouts_pain_bands_follow_the_clinics_rule(issue, client_record, as_treating, desk):
    services.pain_rule_update(by=desk, green_max=3, amber_max=6)
    issue(client_record, ["Plantar-fascia stretch"])
    text, _ = _handout_text(client_record, as_treating)
    assert "0 to 3" in text and "4 to 6" in text and "Over 6" in text
    assert "0 to 2" not in text and "Over 5" not in text
    # The tick sheet's key uses the same bands.
    sheet = text[text.index("Tick sheet") :]
    assert "0 to 3" in sheet and "4 to 6" in sheet and "Over 6" in sheet


def test_the_adherence_choices_follow_the_clinics_rule(issue, client_record, as_treating, desk):
    services.pain_rule_update(by=desk, green_max=3, amber_max=6)
    version = issue(client_record, ["Plantar-fascia stretch"])
    page = as_treating.get(reverse("programs:version_detail", args=[version.pk])).content.decode()
    assert "Green: 0–3, fine" in page and "Amber: 4–6" in page and "Red: over 6" in page
    assert PainMonitoringRule.load().amber_max == 6


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm is not installed")
def test_the_handout_renders_to_images(issue, client_record, as_treating, tmp_path):
    issue(client_record, CARE_HANDOUT)
    _, pdf = _handout_text(client_record, as_treating)
    path = tmp_path / "handout.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(PdfReader(io.BytesIO(pdf)).pages)
    assert all(p.stat().st_size > 2000 for p in pages)


def test_exercise_model_lists_the_care_set_in_the_library_page(as_treating):
    page = as_treating.get(reverse("programs:exercise_list")).content.decode()
    for name in CARE_SET:
        assert name in page
    assert 'id="referrals"' in page and "Shockwave therapy" in page
    assert Exercise.objects.filter(name__in=CARE_SET).count() == len(CARE_SET)


def test_the_audit_log_names_a_safety_override_in_plain_words(diabetic, treating, library, as_desk):
    from trust.audit_words import sentence

    services.program_exercise_add(
        client=diabetic, exercise=library["Frozen-bottle roll"], by=treating, override_reason="Cleared by GP."
    )
    event = AuditEvent.objects.get(action="safety_override")
    text = sentence(action=event.action, actor="Sam", object_type=event.object_type, client="Priya")
    assert text.startswith("Sam overrode the safety rules, giving a reason, in") and "Priya" in text
