"""Program pages with every persona; bad input leaves nothing half-saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from programs import services
from programs.models import ProgramItem, ProgramVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(issue, client_record):
    return issue(client_record, ["Plantar-fascia stretch", "Clamshell"])


def _pages(client_record, version):
    return [
        reverse("programs:builder", args=[client_record.pk]),
        reverse("programs:builder_library", args=[client_record.pk]),
        reverse("programs:client_handout", args=[client_record.pk]),
        reverse("programs:version_detail", args=[version.pk]),
        reverse("programs:version_handout", args=[version.pk]),
    ]


def test_treating_therapist_opens_every_program_page(as_treating, client_record, version):
    for url in _pages(client_record, version):
        assert as_treating.get(url).status_code == 200, url


@pytest.mark.parametrize("persona", ["as_colleague", "as_desk"])
def test_colleague_off_the_care_team_and_desk_admin_get_404_on_client_programs(
    request, persona, client_record, version
):
    http = request.getfixturevalue(persona)
    for url in _pages(client_record, version):
        assert http.get(url).status_code == 404, url
    assert http.post(reverse("programs:builder_start", args=[client_record.pk])).status_code == 404
    assert http.post(reverse("programs:builder_issue", args=[client_record.pk])).status_code == 404


def test_owner_admin_therapist_not_on_the_care_team_gets_404(owner, client_record, version):
    from django.test import Client as HttpClient

    http = HttpClient()
    http.force_login(owner)
    assert http.get(reverse("programs:builder", args=[client_record.pk])).status_code == 404


def test_anonymous_visitor_is_sent_to_login(anon, client_record, version):
    for url in _pages(client_record, version):
        response = anon.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_colleague_cannot_edit_a_draft_item_by_id(as_colleague, client_record, treating, library):
    draft = services.program_draft(client=client_record, by=treating)
    item = services.program_item_add(draft=draft, exercise=library["Clamshell"], by=treating)
    for name in ("item_update", "item_remove", "item_move"):
        assert as_colleague.post(reverse(f"programs:{name}", args=[item.pk]), {"sets": 9}).status_code == 404
    item.refresh_from_db()
    assert item.sets == 2


def test_builder_shows_suggestions_from_flagged_findings(as_treating, client_record, flagged_assessment):
    flagged_assessment()
    html = as_treating.get(reverse("programs:builder", args=[client_record.pk])).content.decode()
    assert "Suggested from the latest assessment" in html
    assert "Plantar-fascia stretch" in html and "Stretches the tissue under your arch" in html


def test_adding_from_the_builder_with_htmx_returns_the_panel_with_the_item(
    as_treating, client_record, library
):
    url = reverse("programs:builder_add", args=[client_record.pk])
    response = as_treating.post(
        url, {"exercise": library["Toe yoga"].pk, "reason": "Arch support."}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "1. Toe yoga" in html and 'id="draft"' in html
    item = ProgramItem.objects.get(version__client=client_record)
    assert (item.exercise.name, item.reason, item.sets, item.reps) == ("Toe yoga", "Arch support.", 1, 10)


@pytest.mark.parametrize("value", ["999999", "abc", "", "-1", "99999999999999999999999"])
def test_unknown_exercise_id_gives_a_clear_message_and_saves_nothing(as_treating, client_record, value):
    url = reverse("programs:builder_add", args=[client_record.pk])
    response = as_treating.post(url, {"exercise": value}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Unknown exercise" in html or "This field is required" in html
    assert not ProgramVersion.objects.filter(client=client_record).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sets", "0", "At least 1 set."),
        ("reps", "500", "At most 50 reps per set."),
        ("hold_seconds", "3600", "A hold lasts at most 180 seconds."),
        ("sets", "-3", "At least 1 set."),
    ],
)
def test_absurd_dosage_in_the_builder_shows_the_message_and_saves_nothing(
    as_treating, client_record, treating, library, field, value, message
):
    draft = services.program_draft(client=client_record, by=treating)
    item = services.program_item_add(draft=draft, exercise=library["Clamshell"], by=treating)
    prefix = f"item{item.pk}"
    data = {
        f"{prefix}-sets": "2",
        f"{prefix}-reps": "12",
        f"{prefix}-frequency": "daily",
        f"{prefix}-tempo": "x",
    }
    data[f"{prefix}-{field}"] = value
    response = as_treating.post(reverse("programs:item_update", args=[item.pk]), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert message in response.content.decode()
    item.refresh_from_db()
    assert (item.sets, item.reps, item.hold_seconds, item.tempo) == (2, 12, None, "2 s up, 2 s down")


def test_a_valid_dosage_edit_is_saved(as_treating, client_record, treating, library):
    draft = services.program_draft(client=client_record, by=treating)
    item = services.program_item_add(draft=draft, exercise=library["Clamshell"], by=treating)
    p = f"item{item.pk}"
    as_treating.post(
        reverse("programs:item_update", args=[item.pk]),
        {
            f"{p}-sets": "3",
            f"{p}-reps": "15",
            f"{p}-frequency": "daily",
            f"{p}-side": "L",
            f"{p}-reason": "Hips.",
            "revision": draft.revision,
        },
    )
    item.refresh_from_db()
    assert (item.sets, item.reps, item.side, item.reason) == (3, 15, "L", "Hips.")


def test_issuing_from_the_builder_redirects_to_the_version(as_treating, client_record, treating, library):
    draft = services.program_draft(client=client_record, by=treating)
    services.program_item_add(draft=draft, exercise=library["Clamshell"], by=treating)
    response = as_treating.post(
        reverse("programs:builder_issue", args=[client_record.pk]),
        {"start_date": "2026-10-01", "review_date": "2026-10-29", "revision": draft.revision},
    )
    draft.refresh_from_db()
    assert draft.number == 1 and draft.is_issued
    assert response["Location"] == reverse("programs:version_detail", args=[draft.pk])


def test_review_before_start_is_refused(as_treating, client_record, treating, library):
    draft = services.program_draft(client=client_record, by=treating)
    services.program_item_add(draft=draft, exercise=library["Clamshell"], by=treating)
    response = as_treating.post(
        reverse("programs:builder_issue", args=[client_record.pk]),
        {"start_date": "2026-10-01", "review_date": "2026-09-01"},
        follow=True,
    )
    assert "The review date must be on or after the start date." in response.content.decode()
    draft.refresh_from_db()
    assert not draft.is_issued


def test_builder_warns_above_six_exercises(as_treating, client_record, treating, library):
    draft = services.program_draft(client=client_record, by=treating)
    names = sorted(library)[:7]
    for name in names[:6]:
        services.program_item_add(draft=draft, exercise=library[name], by=treating)
    url = reverse("programs:builder", args=[client_record.pk])
    assert 'id="too-many"' not in as_treating.get(url).content.decode()
    services.program_item_add(draft=draft, exercise=library[names[6]], by=treating)
    html = as_treating.get(url).content.decode()
    assert 'id="too-many"' in html and "adherence" in html


def test_version_page_shows_what_changed_since_the_last_handout(
    as_treating, issue, client_record, treating, library
):
    issue(client_record, ["Plantar-fascia stretch", "Clamshell"])
    draft = services.program_draft(client=client_record, by=treating)
    services.program_item_add(draft=draft, exercise=library["Glute bridge"], by=treating)
    v2 = services.program_issue(version=draft, by=treating)
    html = as_treating.get(reverse("programs:version_detail", args=[v2.pk])).content.decode()
    assert "Changed since the last handout (version 1)" in html
    assert "Glute bridge" in html and "added" in html


def test_printing_a_handout_writes_a_print_audit_row(as_treating, client_record, version, treating):
    response = as_treating.get(reverse("programs:client_handout", args=[client_record.pk]))
    assert response["Content-Type"] == "application/pdf"
    event = AuditEvent.objects.filter(action="print").latest("id")
    assert (event.client_id, event.object_id, event.actor_id) == (
        client_record.pk,
        str(version.pk),
        treating.pk,
    )


def test_a_draft_has_no_handout(as_treating, client_record, treating, library):
    draft = services.program_draft(client=client_record, by=treating)
    services.program_item_add(draft=draft, exercise=library["Clamshell"], by=treating)
    assert as_treating.get(reverse("programs:version_handout", args=[draft.pk])).status_code == 404
    assert as_treating.get(reverse("programs:client_handout", args=[client_record.pk])).status_code == 404


def test_batch_print_holds_only_todays_programs_the_user_may_read(
    as_treating, as_desk, as_colleague, issue, client_record, make_client, colleague
):
    issue(client_record, ["Clamshell"])
    other = make_client(colleague, first_name="Other", last_name="Person")
    issue(other, ["Toe yoga"], by=colleague)
    url = reverse("programs:batch_handouts")
    response = as_treating.get(url)
    assert response.status_code == 200
    from io import BytesIO

    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "Priya Raman" in text and "Other Person" not in text
    assert as_desk.get(url).status_code == 404
    colleague_text = "".join(
        p.extract_text() for p in PdfReader(BytesIO(as_colleague.get(url).content)).pages
    )
    assert "Other Person" in colleague_text and "Priya Raman" not in colleague_text


def test_adherence_recorded_on_the_program_page(as_treating, client_record, version):
    items = list(ProgramItem.objects.filter(version=version).order_by("position"))
    data = {
        f"days_{items[0].pk}": "5",
        f"pain_{items[0].pk}": "green",
        f"days_{items[1].pk}": "2",
        f"pain_{items[1].pk}": "red",
    }
    as_treating.post(reverse("programs:adherence_record", args=[client_record.pk]), data)
    rows = {r.item_id: (r.days_per_week, r.pain_response) for r in items[0].adherence.model.objects.all()}
    assert rows == {items[0].pk: (5, "green"), items[1].pk: (2, "red")}


def test_bad_adherence_input_saves_nothing(as_treating, client_record, version):
    from programs.models import Adherence

    items = list(ProgramItem.objects.filter(version=version).order_by("position"))
    data = {
        f"days_{items[0].pk}": "5",
        f"pain_{items[0].pk}": "green",
        f"days_{items[1].pk}": "9",
        f"pain_{items[1].pk}": "red",
    }
    response = as_treating.post(
        reverse("programs:adherence_record", args=[client_record.pk]), data, follow=True
    )
    assert "A week has 7 days." in response.content.decode()
    assert not Adherence.objects.exists()


def test_a_version_issued_at_a_visit_records_the_visit(as_treating, client_record, treating, library):
    from datetime import datetime

    from django.utils import timezone

    from notes import services as note_services

    note = note_services.note_create(
        client=client_record, by=treating, service_at=timezone.make_aware(datetime(2026, 10, 20, 10, 0))
    )
    draft = services.program_draft(client=client_record, by=treating)
    services.program_item_add(draft=draft, exercise=library["Clamshell"], by=treating)
    builder = as_treating.get(reverse("programs:builder", args=[client_record.pk]), {"visit": note.pk})
    assert f'<option value="{note.pk}" selected>' in builder.content.decode()
    as_treating.post(
        reverse("programs:builder_issue", args=[client_record.pk]),
        {
            "start_date": "2026-10-20",
            "review_date": "2026-11-17",
            "visit": note.pk,
            "revision": draft.revision,
        },
    )
    draft.refresh_from_db()
    assert draft.is_issued and draft.issued_at_visit == note


def test_a_visit_of_another_client_is_refused(as_treating, client_record, treating, library, make_client):
    from datetime import datetime

    from django.utils import timezone

    from notes import services as note_services

    other = make_client(treating, first_name="Second")
    note = note_services.note_create(
        client=other, by=treating, service_at=timezone.make_aware(datetime(2026, 10, 20, 10, 0))
    )
    draft = services.program_draft(client=client_record, by=treating)
    services.program_item_add(draft=draft, exercise=library["Clamshell"], by=treating)
    as_treating.post(
        reverse("programs:builder_issue", args=[client_record.pk]),
        {"start_date": "2026-10-20", "review_date": "2026-11-17", "visit": note.pk},
    )
    draft.refresh_from_db()
    assert not draft.is_issued


def test_unknown_exercise_via_htmx_shows_the_message_in_the_panel(as_treating, client_record):
    url = reverse("programs:builder_add", args=[client_record.pk])
    response = as_treating.post(url, {"exercise": "424242"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Unknown exercise: it is not in the library." in response.content.decode()
    assert not ProgramVersion.objects.filter(client=client_record).exists()


def test_add_top_suggestions_button(as_treating, as_colleague, client_record, flagged_assessment):
    flagged_assessment()
    url = reverse("programs:builder_add_suggested", args=[client_record.pk])
    assert as_colleague.post(url).status_code == 404
    response = as_treating.post(url, HTTP_HX_REQUEST="true")
    assert "Added 4 suggested exercises." in response.content.decode()
    assert ProgramItem.objects.filter(version__client=client_record).count() == 4
