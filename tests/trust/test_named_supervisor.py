"""The optional named-supervisor rule.

Writing a draft, signing it, marking it entered in error and amending it are
the author's. A clinic may allow (off by default) a therapist's named
supervisor to do the same on that therapist's records; every such action is
recorded as done by the supervisor, as supervisor of the author.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from clinic import services as clinic_services
from clinic.authorship import is_named_supervisor
from clinic.models import ClinicProfile, User
from core.records import NotTheAuthor
from notes import services
from notes.models import Amendment, VisitNote
from tests.conftest import _http, _user
from tests.notes.conftest import COMPLETE


@pytest.fixture
def supervisor(db) -> User:
    return _user("supervisor", therapist=True, last_name="Senior", credentials="RMT, MSc")


@pytest.fixture
def teammate(db) -> User:
    """A care-team colleague who is nobody's named supervisor."""
    return _user("teammate", therapist=True, last_name="Peer")


@pytest.fixture
def make_client(make_client, treating):
    """Clients come screened, with consent on file, as before a first treatment."""
    from clinic.screening import QUESTIONS

    def build(therapist, **fields):
        client = make_client(therapist, **fields)
        clinic_services.health_screen_record(
            client=client, by=treating, answers={q.code: (False, "") for q in QUESTIONS}, consent_given=True
        )
        return client

    return build


@pytest.fixture
def team_client(make_client, treating, supervisor, teammate):
    return make_client(treating, care_team=(supervisor, teammate))


@pytest.fixture
def named(treating, supervisor, desk):
    """The supervisor named for the treating therapist, by an admin."""
    clinic_services.user_update(user=treating, by=desk, data={"supervisors": [supervisor]})


@pytest.fixture
def allowed(desk):
    clinic_services.clinic_profile_update(by=desk, data={"named_supervisors_allowed": True})


def _draft(client, by, **fields):
    note = services.note_create(
        client=client, by=by, service_at=timezone.now() - timedelta(hours=2), copy_forward=False
    )
    return services.note_update(note=note, by=by, data={**COMPLETE, **fields}, version=note.version)


# --- Off by default ----------------------------------------------------------------------


def test_the_setting_is_off_by_default(db):
    assert ClinicProfile.load().named_supervisors_allowed is False


def test_a_named_supervisor_may_not_write_while_the_setting_is_off(team_client, treating, supervisor, named):
    note = _draft(team_client, treating)
    assert not is_named_supervisor(author_id=treating.pk, by=supervisor)
    with pytest.raises(NotTheAuthor):
        services.note_update(note=note, by=supervisor, data={"objective": "x"}, version=note.version)
    with pytest.raises(NotTheAuthor):
        services.note_sign(note=note, by=supervisor)
    response = _http(supervisor).post(reverse("note_sign", args=[note.pk]), {"version": note.version})
    assert response.status_code == 403
    assert not VisitNote.objects.get(pk=note.pk).is_signed


def test_the_setting_alone_names_nobody(team_client, treating, supervisor, allowed):
    note = _draft(team_client, treating)
    with pytest.raises(NotTheAuthor):
        services.note_sign(note=note, by=supervisor)


# --- Setting on, supervisor named ------------------------------------------------------------


def test_a_named_supervisor_may_edit_and_sign_and_the_record_says_so(
    team_client, treating, supervisor, named, allowed
):
    note = _draft(team_client, treating)
    note = services.note_update(
        note=note, by=supervisor, data={"objective": "Checked by supervisor."}, version=note.version
    )
    signed = services.note_sign(note=note, by=supervisor)
    assert signed.is_signed and signed.signed_by == supervisor
    assert signed.therapist == treating  # the note stays the author's
    assert signed.signature_line == "Supervisor Senior, RMT, MSc, as supervisor of Treating Therapist"
    row = AuditEvent.objects.filter(action="sign", object_id=str(note.pk)).get()
    assert row.actor == supervisor
    assert row.detail["as_supervisor_of"] == "Treating Therapist"
    update = AuditEvent.objects.filter(action="update", object_id=str(note.pk), actor=supervisor).get()
    assert update.detail["as_supervisor_of"] == "Treating Therapist"


def test_the_author_own_actions_are_not_marked_as_supervised(team_client, treating, named, allowed):
    note = _draft(team_client, treating)
    signed = services.note_sign(note=note, by=treating)
    assert signed.signature_line == "Treating Therapist, RMT"
    row = AuditEvent.objects.filter(action="sign", object_id=str(note.pk)).get()
    assert "as_supervisor_of" not in row.detail


def test_a_colleague_who_is_not_named_still_may_not(team_client, treating, teammate, named, allowed):
    note = _draft(team_client, treating)
    with pytest.raises(NotTheAuthor):
        services.note_update(note=note, by=teammate, data={"objective": "x"}, version=note.version)
    with pytest.raises(NotTheAuthor):
        services.note_sign(note=note, by=teammate)
    http = _http(teammate)
    assert http.post(reverse("note_sign", args=[note.pk]), {"version": note.version}).status_code == 403
    page = http.get(reverse("note_detail", args=[note.pk])).content.decode()
    assert 'id="sign-note"' not in page
    signed = services.note_sign(note=note, by=treating)
    with pytest.raises(NotTheAuthor):
        services.amendment_add(note=signed, by=teammate, kind="addendum", reason="r", text="t")


def test_supervision_runs_one_way(team_client, treating, supervisor, named, allowed):
    note = _draft(team_client, supervisor)
    with pytest.raises(NotTheAuthor):
        services.note_sign(note=note, by=treating)


def test_a_supervisor_signs_through_the_page_and_the_page_and_pdf_say_as_supervisor(
    team_client, treating, supervisor, named, allowed
):
    note = _draft(team_client, treating)
    http = _http(supervisor)
    page = http.get(reverse("note_detail", args=[note.pk])).content.decode()
    assert 'id="sign-note"' in page
    assert (
        "Signs as <strong>Supervisor Senior, RMT, MSc, as supervisor of Treating Therapist</strong>" in page
    )
    data = {
        "version": note.version,
        "service_at": timezone.localtime(note.service_at).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": note.duration_minutes,
        "kind": note.kind,
        **COMPLETE,
    }
    response = http.post(reverse("note_sign", args=[note.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = http.get(reverse("note_detail", args=[note.pk])).content.decode()
    assert "Signed by Supervisor Senior, RMT, MSc, as supervisor of Treating Therapist" in page
    pdf = http.get(reverse("note_pdf", args=[note.pk]))
    assert pdf.status_code == 200
    from io import BytesIO

    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages)
    assert "as supervisor of Treating" in " ".join(text.split())
    audit = _http(_user("auditor", admin=True)).get(reverse("audit_list"))
    assert "as supervisor of: Treating Therapist" in audit.content.decode()


def test_a_named_supervisor_may_amend_and_mark_in_error(team_client, treating, supervisor, named, allowed):
    draft = _draft(team_client, treating)
    marked = services.amendment_add(note=draft, by=supervisor, kind="entered_in_error", reason="Wrong client")
    assert marked.signature_line.endswith("as supervisor of Treating Therapist")
    note = _draft(team_client, treating, chief_complaint="Second visit")
    signed = services.note_sign(note=note, by=treating)
    addendum = services.amendment_add(note=signed, by=supervisor, kind="addendum", reason="Review", text="OK")
    assert addendum.kind == Amendment.Kind.ADDENDUM
    assert addendum.signature_line.endswith("as supervisor of Treating Therapist")
    row = AuditEvent.objects.filter(action="addendum", actor=supervisor).order_by("-id").first()
    assert row.detail["as_supervisor_of"] == "Treating Therapist"
    assert _http(supervisor).get(reverse("amendment_new", args=[signed.pk])).status_code == 200


def test_a_supervisor_no_longer_named_may_not(team_client, treating, supervisor, desk, named, allowed):
    clinic_services.user_update(user=treating, by=desk, data={"supervisors": []})
    note = _draft(team_client, treating)
    with pytest.raises(NotTheAuthor):
        services.note_sign(note=note, by=supervisor)


def test_a_supervisor_off_the_care_team_still_cannot_reach_the_note(
    make_client, treating, supervisor, named, allowed
):
    client = make_client(treating)
    note = _draft(client, treating)
    assert _http(supervisor).get(reverse("note_detail", args=[note.pk])).status_code == 404


# --- Naming supervisors ----------------------------------------------------------------------


def test_an_admin_names_supervisors_on_the_user_page_and_it_is_audited(treating, supervisor, desk):
    http = _http(desk)
    page = http.get(reverse("user_edit", args=[treating.pk])).content.decode()
    assert "Named supervisors" in page
    data = {
        "first_name": treating.first_name,
        "last_name": treating.last_name,
        "email": "",
        "credentials": treating.credentials,
        "is_therapist": "on",
        "is_active": "on",
        "supervisors": [supervisor.pk],
    }
    response = http.post(reverse("user_edit", args=[treating.pk]), data)
    assert response.status_code == 302
    assert list(treating.supervisors.all()) == [supervisor]
    row = AuditEvent.objects.filter(action="role_change", object_id=str(treating.pk)).get()
    assert row.detail["changed"]["supervisors"] == [[], ["Supervisor Senior"]]


def test_a_therapist_cannot_be_their_own_supervisor(treating, desk):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        clinic_services.user_update(user=treating, by=desk, data={"supervisors": [treating]})
    assert not treating.supervisors.exists()


def test_the_clinic_profile_turns_the_setting_on_and_it_is_audited(desk):
    http = _http(desk)
    profile = ClinicProfile.load()
    response = http.post(
        reverse("clinic_profile"),
        {"name": profile.name, "paper_size": profile.paper_size, "named_supervisors_allowed": "on"},
    )
    assert response.status_code == 302
    assert ClinicProfile.load().named_supervisors_allowed is True
    row = AuditEvent.objects.filter(action="update", object_type="clinic.clinicprofile").latest("id")
    assert "named_supervisors_allowed" in row.detail["fields"]


# --- Assessments and programs share the rule -------------------------------------------------


def test_a_named_supervisor_may_sign_a_supervisee_assessment(
    team_client, treating, supervisor, named, allowed
):
    from assessments import services as assessment_services
    from assessments.models import Assessment

    assessment = assessment_services.assessment_create(
        client=team_client,
        by=treating,
        data=assessment_services.AssessmentData(assessed_on=timezone.localdate()),
    )
    assessment = Assessment.objects.select_related("therapist", "client").get(pk=assessment.pk)
    signed = assessment_services.assessment_sign(assessment=assessment, by=supervisor)
    assert signed.signature_line.endswith("as supervisor of Treating Therapist")
    row = AuditEvent.objects.filter(action="sign", object_type="assessments.assessment").get()
    assert row.detail["as_supervisor_of"] == "Treating Therapist"


def test_a_colleague_still_may_not_sign_an_assessment(team_client, treating, teammate, named, allowed):
    from assessments import services as assessment_services

    assessment = assessment_services.assessment_create(
        client=team_client,
        by=treating,
        data=assessment_services.AssessmentData(assessed_on=timezone.localdate()),
    )
    with pytest.raises(NotTheAuthor):
        assessment_services.assessment_sign(assessment=assessment, by=teammate)


def test_a_named_supervisor_may_work_on_and_issue_a_supervisee_program(
    team_client, treating, supervisor, teammate, named, allowed
):
    from programs import services as program_services
    from programs.models import Exercise

    exercise = Exercise.objects.filter(is_active=True, safety_tags=[]).order_by("id").first()
    draft = program_services.program_draft(client=team_client, by=treating)
    with pytest.raises(NotTheAuthor):
        program_services.program_item_add(draft=draft, exercise=exercise, by=teammate)
    program_services.program_item_add(draft=draft, exercise=exercise, by=supervisor)
    issued = program_services.program_issue(version=draft, by=supervisor)
    assert issued.signature_line.endswith("as supervisor of Treating Therapist")
    row = AuditEvent.objects.filter(action="issue", actor=supervisor).get()
    assert row.detail["as_supervisor_of"] == "Treating Therapist"


def test_a_named_supervisor_may_record_adherence_on_a_supervisee_note(
    team_client, treating, supervisor, teammate, named, allowed
):
    from programs import services as program_services
    from programs.models import Exercise

    exercise = Exercise.objects.filter(is_active=True, safety_tags=[]).order_by("id").first()
    draft = program_services.program_draft(client=team_client, by=treating)
    program_services.program_item_add(draft=draft, exercise=exercise, by=treating)
    version = program_services.program_issue(version=draft, by=treating)
    note = _draft(team_client, treating)
    rows = [{"item": version.items.get(), "days_per_week": 3, "pain_response": "green"}]
    with pytest.raises(NotTheAuthor):
        program_services.adherence_record(client=team_client, by=teammate, rows=rows, visit=note)
    program_services.adherence_record(client=team_client, by=supervisor, rows=rows, visit=note)
    row = AuditEvent.objects.filter(action="create", object_type="programs.adherence").get()
    assert row.actor == supervisor and row.detail["as_supervisor_of"] == "Treating Therapist"


# --- The supervisor's home page ------------------------------------------------------------


def _home_drafts(user) -> str:
    html = _http(user).get(reverse("home")).content.decode()
    start = html.find('id="supervisee-drafts"')
    return "" if start < 0 else html[start : html.index("</table>", start)]


def test_a_named_supervisor_sees_the_supervisees_drafts_on_the_home_page(
    team_client, treating, supervisor, teammate, named, allowed
):
    _draft(team_client, treating, chief_complaint="Heel pain on first steps")
    section = _home_drafts(supervisor)
    assert team_client.full_name in section
    assert treating.display_name in section
    assert _home_drafts(teammate) == ""  # a colleague who is not named sees nothing
    assert _home_drafts(treating) == ""  # the author's own drafts are in their own list


def test_the_supervisees_drafts_stay_off_the_home_page_while_the_setting_is_off(
    team_client, treating, supervisor, named
):
    _draft(team_client, treating)
    assert _home_drafts(supervisor) == ""
