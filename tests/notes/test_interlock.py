"""The safety interlock at logging and at signing: refusals, overrides and consent,
through the services and through the pages."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from audit.models import AuditEvent
from clinic.screening import QUESTIONS
from clinic.services import health_screen_record
from core.records import RecordLocked
from notes import services
from notes.models import SafetyOverride, Treatment, VisitNote
from notes.services import InterlockRefused, OverrideRequest
from tests.notes.conftest import COMPLETE

PASSWORD = "test-pass-1234!"
GOOD = OverrideRequest("Cleared by GP today: scan negative, letter seen.", True, True)


@pytest.fixture
def flag(treating, client_record):
    """``flag(code=details, ..., since=date)``: a new screen with these yes-answers and consent."""

    def build(client=None, *, consent=True, taken_at=None, since=None, **yes):
        answers = {q.code: (q.code in yes, yes.get(q.code, ""), since) for q in QUESTIONS}
        return health_screen_record(
            client=client or client_record,
            by=treating,
            answers=answers,
            consent_given=consent,
            taken_at=taken_at,
        )

    return build


def _data(catalogue, technique="sports_massage", region="gastroc_medial", pressure=3, minutes=10, side="L"):
    return {
        "technique": catalogue["technique"][technique],
        "region": catalogue["region"][region],
        "side": side,
        "minutes": minutes,
        "pressure": pressure,
        "response": "eased",
    }


def _post(catalogue, technique="sports_massage", region="gastroc_medial", pressure=3, **override):
    data = {
        "t-technique": catalogue["technique"][technique].pk,
        "t-region": catalogue["region"][region].pk,
        "t-side": "L",
        "t-minutes": 10,
        "t-pressure": pressure,
        "t-response": "eased",
    }
    return data | {f"t-{name}": value for name, value in override.items()}


def _nothing_saved(note):
    return not Treatment.objects.filter(note=note).exists() and not SafetyOverride.objects.exists()


# --- Logging: block, cap, banned technique, caution ---------------------------------------


def test_suspected_dvt_refuses_a_calf_row_and_saves_nothing(flag, make_note, catalogue, treating):
    flag(dvt="Swollen warm left calf since a flight")
    note = make_note()
    with pytest.raises(InterlockRefused) as refused:
        services.treatment_add(note=note, by=treating, data=_data(catalogue, region="soleus"))
    [message] = refused.value.message_dict["region"]
    assert "Suspected blood clot (DVT): do not treat the whole lower limb" in message
    assert "same day" in message
    assert _nothing_saved(note)
    # The back is not the affected region.
    services.treatment_add(note=note, by=treating, data=_data(catalogue, region="lumbar"))


def test_anticoagulant_caps_pressure_at_three(flag, make_note, catalogue, treating):
    flag(anticoagulant="Apixaban")
    note = make_note()
    with pytest.raises(InterlockRefused) as refused:
        services.treatment_add(note=note, by=treating, data=_data(catalogue, pressure=4))
    [message] = refused.value.message_dict["pressure"]
    assert "Anticoagulant or antiplatelet medicine: pressure at most 3 of 5" in message
    assert "(Walton 2011)" in message
    assert _nothing_saved(note)
    row = services.treatment_add(note=note, by=treating, data=_data(catalogue, pressure=3))
    assert row.pressure == 3


def test_anticoagulant_bans_cupping_anywhere(flag, make_note, catalogue, treating):
    flag(bleeding_disorder="von Willebrand")
    note = make_note()
    with pytest.raises(InterlockRefused) as refused:
        services.treatment_add(
            note=note, by=treating, data=_data(catalogue, technique="cupping", region="lumbar", pressure=2)
        )
    assert "No cupping here" in refused.value.message_dict["technique"][0]
    assert _nothing_saved(note)


def test_the_lowest_cap_of_several_flags_applies(flag, make_note, catalogue, treating):
    flag(anticoagulant="Warfarin", lymphoedema="Left groin nodes removed 2019")
    note = make_note()
    with pytest.raises(InterlockRefused):
        services.treatment_add(note=note, by=treating, data=_data(catalogue, pressure=3))
    services.treatment_add(note=note, by=treating, data=_data(catalogue, pressure=2))


def test_a_caution_is_shown_but_does_not_refuse(flag, make_note, catalogue, treating, as_treating):
    flag(heel_soon="Night pain for two weeks")
    note = make_note()
    services.treatment_add(note=note, by=treating, data=_data(catalogue, region="plantar_fascia", pressure=5))
    page = as_treating.get(reverse("note_detail", args=[note.pk])).content.decode()
    assert 'id="safety-rules"' in page
    assert "Heel red flag (refer soon): caution on the feet" in page


@pytest.mark.parametrize(
    ("days", "refused"),
    [(5, True), (20, False), (50, False)],
)
def test_a_heel_injection_caps_the_heel_by_its_date(flag, make_note, catalogue, treating, days, refused):
    flag(steroid_injection="Left heel", since=timezone.localdate() - timedelta(days=days))
    note = make_note()
    data = _data(catalogue, technique="myofascial_release", region="plantar_fascia", pressure=3)
    if refused:
        with pytest.raises(InterlockRefused):
            services.treatment_add(note=note, by=treating, data=data)
        assert _nothing_saved(note)
    else:
        services.treatment_add(note=note, by=treating, data=data)


def test_an_undated_heel_injection_counts_as_recent(flag, make_note, catalogue, treating):
    flag(steroid_injection="Some weeks ago")
    note = make_note()
    with pytest.raises(InterlockRefused):
        services.treatment_add(
            note=note, by=treating, data=_data(catalogue, technique="trigger_point", region="plantar_fascia")
        )


# --- Overrides at logging -----------------------------------------------------------------


def test_an_override_saves_the_row_with_its_reason_and_audits_it(flag, make_note, catalogue, treating):
    flag(dvt="Calf swelling")
    note = make_note()
    row = services.treatment_add(
        note=note, by=treating, data=_data(catalogue, region="soleus", pressure=2), override=GOOD
    )
    override = SafetyOverride.objects.get(note=note)
    assert (override.technique_id, override.region_id, override.pressure) == (
        row.technique_id,
        row.region_id,
        2,
    )
    assert override.reason == GOOD.reason and override.recheck_confirmed and override.by == treating
    assert "Suspected blood clot" in override.problems[0]
    event = AuditEvent.objects.get(action="safety_override")
    assert event.client_id == note.client_id and event.detail["note"] == note.pk


@pytest.mark.parametrize(
    ("override", "field", "words"),
    [
        (OverrideRequest("", True, True), "override_reason", "Write why"),
        (OverrideRequest("   \n\t ", True, True), "override_reason", "Write why"),
        (OverrideRequest("GP cleared", False, True), "override_recheck", "re-checked the health screen"),
        (OverrideRequest("GP cleared", True, False), "override_password", "password"),
    ],
)
def test_an_incomplete_override_saves_nothing(flag, make_note, catalogue, treating, override, field, words):
    flag(dvt="Calf swelling")
    note = make_note()
    with pytest.raises(ValidationError) as refused:
        services.treatment_add(
            note=note, by=treating, data=_data(catalogue, region="soleus"), override=override
        )
    assert words in refused.value.message_dict[field][0]
    assert _nothing_saved(note)
    assert not AuditEvent.objects.filter(action="safety_override").exists()


def test_overrides_lock_with_the_note_at_every_layer(flag, make_note, catalogue, treating):
    flag(dvt="Calf swelling")
    note = make_note(**COMPLETE, referrals="GP today: suspected DVT, scan requested.")
    services.treatment_add(note=note, by=treating, data=_data(catalogue, region="soleus"), override=GOOD)
    services.note_sign(note=note, by=treating)
    override = SafetyOverride.objects.get(note=note)
    with pytest.raises(RecordLocked):
        override.reason = "changed"
        override.save()
    with pytest.raises(RecordLocked):
        override.delete()
    with pytest.raises(RecordLocked):
        SafetyOverride.objects.filter(note=note).update(reason="changed")
    for sql in (
        f"UPDATE notes_safetyoverride SET reason = 'x' WHERE id = {override.pk}",
        f"DELETE FROM notes_safetyoverride WHERE id = {override.pk}",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert SafetyOverride.objects.get(pk=override.pk).reason == GOOD.reason


def test_an_override_on_a_draft_cannot_be_edited_either(flag, make_note, catalogue, treating):
    flag(dvt="Calf swelling")
    note = make_note()
    services.treatment_add(note=note, by=treating, data=_data(catalogue, region="soleus"), override=GOOD)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE notes_safetyoverride SET reason = 'x'")


# --- Consent ------------------------------------------------------------------------------


def test_no_consent_refuses_every_row(make_client, treating, make_note, catalogue):
    client = make_client(treating, screened=False)
    note = make_note(client=client)
    with pytest.raises(InterlockRefused) as refused:
        services.treatment_add(note=note, by=treating, data=_data(catalogue, region="lumbar"))
    assert "No consent to treatment is on file" in refused.value.messages[0]
    assert _nothing_saved(note)


def test_consent_older_than_a_year_is_out_of_date(make_client, treating, make_note, catalogue, flag):
    client = make_client(treating, screened=False)
    flag(client, taken_at=timezone.now() - timedelta(days=400))
    note = make_note(client=client)
    with pytest.raises(InterlockRefused) as refused:
        services.treatment_add(note=note, by=treating, data=_data(catalogue, region="lumbar"))
    assert "more than 12 months old" in refused.value.messages[0]


def test_withdrawn_consent_refuses_treatment(client_record, treating, make_note, catalogue):
    from clinic.services import consent_withdraw

    consent_withdraw(client=client_record, by=treating, reason="Does not want treatment now.")
    note = make_note()
    with pytest.raises(InterlockRefused) as refused:
        services.treatment_add(note=note, by=treating, data=_data(catalogue, region="lumbar"))
    assert "withdrawn" in refused.value.messages[0]


def test_a_treatment_override_covers_missing_consent_at_signing(make_client, treating, make_note, catalogue):
    client = make_client(treating, screened=False)
    note = make_note(client=client, **COMPLETE)
    services.treatment_add(note=note, by=treating, data=_data(catalogue, region="lumbar"), override=GOOD)
    assert SafetyOverride.objects.get(note=note).covers_consent
    assert services.note_sign(note=note, by=treating).is_signed


def test_signing_without_consent_needs_an_override(make_client, treating, make_note):
    client = make_client(treating, screened=False)
    note = make_note(client=client, **COMPLETE)
    with pytest.raises(ValidationError) as refused:
        services.note_sign(note=note, by=treating)
    assert "No consent" in refused.value.message_dict["consent"][0]
    assert not VisitNote.objects.get(pk=note.pk).is_signed
    services.note_override_consent(note=note, by=treating, override=GOOD)
    assert services.note_sign(note=note, by=treating).is_signed


def test_a_consent_override_is_refused_when_consent_is_in_order(make_note, treating):
    note = make_note()
    with pytest.raises(ValidationError, match="nothing to override"):
        services.note_override_consent(note=note, by=treating, override=GOOD)


# --- Signing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("screen_changed", "details", "field"),
    [
        ("", "", "screen_changed"),
        ("yes", "", "screen_change_details"),
        ("yes", "   ", "screen_change_details"),
    ],
)
def test_signing_needs_the_health_screen_recheck_answered(
    make_note, treating, screen_changed, details, field
):
    note = make_note(**{**COMPLETE, "screen_changed": screen_changed, "screen_change_details": details})
    with pytest.raises(ValidationError) as refused:
        services.note_sign(note=note, by=treating)
    assert "Health screen re-check" in refused.value.message_dict[field][0]
    assert not VisitNote.objects.get(pk=note.pk).is_signed


def test_a_recheck_with_what_changed_signs(make_note, treating):
    note = make_note(**{**COMPLETE, "screen_changed": "yes", "screen_change_details": "Started aspirin."})
    assert services.note_sign(note=note, by=treating).is_signed


def test_a_row_that_breaks_a_rule_flagged_after_it_was_logged_stops_signing(
    flag, make_note, add_row, treating
):
    note = make_note(**COMPLETE)
    add_row(note, region="soleus")
    flag(dvt="New calf swelling reported mid-visit")
    with pytest.raises(ValidationError) as refused:
        services.note_sign(note=note, by=treating)
    errors = refused.value.message_dict
    assert "Sports / deep-tissue massage on Soleus at 3 of 5" in errors["treatments"][0]
    assert "write the referral" in errors["referrals"][0]
    assert not VisitNote.objects.get(pk=note.pk).is_signed


def test_a_block_needs_a_referral_before_signing(flag, make_note, treating):
    flag(dvt="Calf swelling")
    note = make_note(**COMPLETE)
    with pytest.raises(ValidationError) as refused:
        services.note_sign(note=note, by=treating)
    assert set(refused.value.message_dict) == {"referrals"}
    note = services.note_update(
        note=note, by=treating, data={"referrals": "GP same day: suspected DVT."}, version=note.version
    )
    assert services.note_sign(note=note, by=treating).is_signed


def test_an_overridden_row_signs(flag, make_note, catalogue, treating):
    flag(anticoagulant="Warfarin")
    note = make_note(**COMPLETE)
    services.treatment_add(note=note, by=treating, data=_data(catalogue, pressure=5), override=GOOD)
    assert services.note_sign(note=note, by=treating).is_signed


def test_copy_forward_leaves_out_rows_the_rules_now_refuse(flag, signed_note, make_note, treating):
    signed_note(rows=2, hours_ago=24 * 7)  # two calf rows at pressure 3
    flag(anticoagulant="Started warfarin")
    note = make_note(copy_forward=True)
    assert note.treatments.count() == 2  # pressure 3 is within the cap
    flag(dvt="Calf swelling")
    note2 = make_note(copy_forward=True, hours_ago=1)
    assert note2.treatments.count() == 0


# --- Through the pages ------------------------------------------------------------------------


def test_the_form_refuses_a_calf_row_and_offers_the_override(flag, make_note, catalogue, as_treating):
    flag(dvt="Calf swelling")
    note = make_note()
    response = as_treating.post(reverse("treatment_add", args=[note.pk]), _post(catalogue, region="soleus"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Not on this region: Suspected blood clot (DVT)" in html
    assert 'id="safety-override"' in html and 'name="t-override_password"' in html
    assert _nothing_saved(note)
    htmx = as_treating.post(
        reverse("treatment_add", args=[note.pk]), _post(catalogue, region="soleus"), HTTP_HX_REQUEST="true"
    )
    assert htmx.status_code == 400 and b"Suspected blood clot" in htmx.content
    assert _nothing_saved(note)


def test_the_form_refuses_pressure_above_the_cap(flag, make_note, catalogue, as_treating):
    flag(anticoagulant="Apixaban")
    note = make_note()
    response = as_treating.post(reverse("treatment_add", args=[note.pk]), _post(catalogue, pressure=5))
    assert response.status_code == 400
    assert "pressure at most 3 of 5" in response.content.decode()
    assert _nothing_saved(note)
    page = as_treating.get(reverse("note_detail", args=[note.pk])).content.decode()
    assert "Anticoagulant or antiplatelet medicine: pressure at most 3 of 5" in page


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"override_reason": "   ", "override_recheck": "on", "override_password": PASSWORD}, "Write why"),
        ({"override_reason": "GP cleared", "override_password": PASSWORD}, "re-checked the health screen"),
        ({"override_reason": "GP cleared", "override_recheck": "on"}, "Enter your password"),
        (
            {"override_reason": "GP cleared", "override_recheck": "on", "override_password": "wrong-one"},
            "That password is not right",
        ),
    ],
)
def test_bad_override_input_is_refused_at_the_field(
    flag, make_note, catalogue, as_treating, override, message
):
    flag(dvt="Calf swelling")
    note = make_note()
    response = as_treating.post(
        reverse("treatment_add", args=[note.pk]), _post(catalogue, region="soleus", **override)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _nothing_saved(note)


def test_an_override_through_the_form_shows_on_the_note_and_its_pdf(
    flag, make_note, catalogue, as_treating, treating
):
    flag(dvt="Calf swelling")
    note = make_note(**COMPLETE, referrals="GP same day: suspected DVT; client agreed.")
    response = as_treating.post(
        reverse("treatment_add", args=[note.pk]),
        _post(
            catalogue,
            region="soleus",
            pressure=1,
            override_reason="Scan negative this morning; GP letter seen.",
            override_recheck="on",
            override_password=PASSWORD,
        ),
    )
    assert response.status_code == 302
    assert Treatment.objects.filter(note=note).count() == 1
    assert AuditEvent.objects.filter(action="safety_override").count() == 1
    page = as_treating.get(reverse("note_detail", args=[note.pk])).content.decode()
    assert 'id="overrides"' in page and "Scan negative this morning; GP letter seen." in page
    assert "Sports / deep-tissue massage on Soleus (Left) at pressure 1 of 5" in page
    services.note_sign(note=note, by=treating)
    page = as_treating.get(reverse("note_detail", args=[note.pk])).content.decode()
    assert "Scan negative this morning; GP letter seen." in page
    pdf = as_treating.get(reverse("note_pdf", args=[note.pk])).content
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(text.split())
    assert "Safety overrides" in text
    assert "Scan negative this morning; GP letter seen." in text
    assert "Suspected blood clot (DVT)" in text


def test_the_sign_button_refuses_an_unanswered_recheck(make_note, as_treating):
    note = make_note(**COMPLETE)
    data = {
        "version": note.version,
        "service_at": note.service_at.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": note.duration_minutes,
        "kind": note.kind,
        **COMPLETE,
        "screen_changed": "",
        "password": PASSWORD,
    }
    response = as_treating.post(reverse("note_sign", args=[note.pk]), data)
    assert response.status_code == 400
    assert "Health screen re-check" in response.content.decode()
    assert not VisitNote.objects.get(pk=note.pk).is_signed


def test_the_consent_override_form(make_client, treating, make_note, as_treating):
    client = make_client(treating, screened=False)
    note = make_note(client=client)
    page = as_treating.get(reverse("note_detail", args=[note.pk])).content.decode()
    assert 'id="consent-override-form"' in page
    url = reverse("note_override_consent", args=[note.pk])
    response = as_treating.post(url, {"override_reason": " ", "override_recheck": "on"})
    assert response.status_code == 400 and "Write why" in response.content.decode()
    assert not SafetyOverride.objects.exists()
    response = as_treating.post(
        url,
        {
            "override_reason": "Consent given on paper today; scanned tonight.",
            "override_recheck": "on",
            "override_password": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert SafetyOverride.objects.get(note=note).kind == "consent"


def test_a_colleague_cannot_override(flag, make_note, as_colleague, catalogue):
    flag(dvt="Calf swelling")
    note = make_note()
    response = as_colleague.post(
        reverse("note_override_consent", args=[note.pk]),
        {"override_reason": "x", "override_recheck": "on", "override_password": PASSWORD},
    )
    assert response.status_code == 404
    assert not SafetyOverride.objects.exists()
