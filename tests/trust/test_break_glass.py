"""Emergency ("break-glass") access (AC-7) and its audit trail (AUD-2).

Pre-provisioned and off by default (an admin ticks ``may_break_glass`` on a
therapist's account); opened with a reason and the password; time-boxed by
``KC_BREAK_GLASS_MINUTES``; every audit row meanwhile carries the grant's id;
admins are emailed and see it on their home page; the holder can end it early;
an admin reviews it afterwards.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from clinic import services
from clinic.models import Client, EmergencyAccess, User
from notes import services as note_services
from tests.clinic.helpers import BACKGROUND, SIGNED_IN_FLOOR, audit_queries
from tests.trust.conftest import PASSWORD

REASON = "Collapsed in the waiting room; their therapist is away today."


@pytest.fixture
def medic(db) -> User:
    """A therapist an admin has allowed to break the glass; on no client's care team."""
    return User.objects.create_user(
        username="medic",
        password=PASSWORD,
        first_name="Mina",
        last_name="Medic",
        is_therapist=True,
        may_break_glass=True,
    )


@pytest.fixture
def as_medic(medic) -> HttpClient:
    http = HttpClient()
    http.force_login(medic)
    return http


@pytest.fixture
def desk_with_email(desk) -> User:
    desk.email = "desk@clinic.example"
    desk.save(update_fields=["email"])
    return desk


@pytest.fixture
def make_note(treating, client_record):
    """A draft visit note by the treating therapist."""

    def build(**fields):
        note = note_services.note_create(
            client=client_record, by=treating, service_at=timezone.now() - timedelta(hours=2)
        )
        if fields:
            note = note_services.note_update(note=note, by=treating, data=fields, version=note.version)
        return note

    return build


@pytest.fixture
def later(monkeypatch):
    """``later(minutes)`` moves the application's clock forward."""
    real_now = timezone.now

    def move(minutes: float) -> None:
        monkeypatch.setattr("django.utils.timezone.now", lambda: real_now() + timedelta(minutes=minutes))

    return move


def _start_url(client) -> str:
    return reverse("emergency_access_start", args=[client.pk])


def _activate(http, client, *, reason=REASON, password=PASSWORD):
    return http.post(_start_url(client), {"reason": reason, "password": password})


def _chart(client) -> str:
    return reverse("client_detail", args=[client.pk])


def _notes(client) -> str:
    return reverse("client_notes", args=[client.pk])


@pytest.fixture
def grant(as_medic, client_record, medic) -> EmergencyAccess:
    response = _activate(as_medic, client_record)
    assert response.status_code == 302, response.content.decode()[:2000]
    return EmergencyAccess.objects.get(user=medic, client=client_record)


# --- who may open it --------------------------------------------------------------------


def test_the_permission_is_off_by_default(treating, colleague, desk):
    assert not any(u.may_break_glass for u in (treating, colleague, desk))


def test_a_therapist_without_the_permission_gets_404_everywhere(as_colleague, client_record):
    assert as_colleague.get(reverse("emergency_access")).status_code == 404
    assert as_colleague.get(_start_url(client_record)).status_code == 404
    assert _activate(as_colleague, client_record).status_code == 404
    assert not EmergencyAccess.objects.exists()
    assert as_colleague.get(_chart(client_record)).status_code == 404


def test_a_front_desk_admin_cannot_open_emergency_access(as_desk, client_record):
    assert as_desk.get(reverse("emergency_access")).status_code == 404
    assert _activate(as_desk, client_record).status_code == 404
    assert not EmergencyAccess.objects.exists()


def test_the_flagged_therapist_finds_any_active_client_by_name_and_date_of_birth(as_medic, client_record):
    url = reverse("emergency_access")
    response = as_medic.get(url, {"name": "Raman", "date_of_birth": "1985-05-17"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Raman, Priya" in html and "1985-05-17" in html
    assert _start_url(client_record) in html
    # Minimal identifying information only: no contact details.
    assert client_record.phone not in html and client_record.email not in html
    event = AuditEvent.objects.filter(action="query").latest("id")
    assert event.detail["clients"] == [client_record.pk]


def test_the_search_needs_both_the_name_and_the_date_of_birth(as_medic, client_record):
    response = as_medic.get(reverse("emergency_access"), {"name": "Raman"})
    assert response.status_code == 400
    assert "Enter the client&#x27;s date of birth." in response.content.decode()
    assert _start_url(client_record) not in response.content.decode()
    wrong_day = as_medic.get(reverse("emergency_access"), {"name": "Raman", "date_of_birth": "1985-05-18"})
    assert _start_url(client_record) not in wrong_day.content.decode()


def test_an_archived_client_cannot_be_opened(as_medic, client_record, desk):
    services.client_set_status(client=client_record, by=desk, status=Client.Status.ARCHIVED)
    assert as_medic.get(_start_url(client_record)).status_code == 404
    assert _activate(as_medic, client_record).status_code == 404


def test_a_care_team_member_needs_no_emergency_access(make_client, medic, as_medic):
    own = make_client(medic)
    response = _activate(as_medic, own)
    assert response.status_code == 400
    assert "care team already" in response.content.decode()
    assert not EmergencyAccess.objects.exists()


# --- what opening it needs ---------------------------------------------------------------


def test_an_empty_reason_is_refused_next_to_the_field(as_medic, client_record):
    response = _activate(as_medic, client_record, reason="   ")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give the reason for emergency access." in html and 'id="error_1_id_reason"' in html
    assert not EmergencyAccess.objects.exists()
    assert as_medic.get(_chart(client_record)).status_code == 404


def test_a_missing_password_is_refused(as_medic, client_record):
    response = _activate(as_medic, client_record, password="")
    assert response.status_code == 400
    assert "Enter your password to confirm it is you." in response.content.decode()
    assert not EmergencyAccess.objects.exists()


def test_a_wrong_password_is_refused_and_audited(as_medic, client_record, medic):
    response = _activate(as_medic, client_record, password="not-the-password")
    assert response.status_code == 403
    assert "That password is not right" in response.content.decode()
    assert not EmergencyAccess.objects.exists()
    assert as_medic.get(_chart(client_record)).status_code == 404
    failed = AuditEvent.objects.get(actor=medic, action="reauth_failed")
    assert failed.detail == {"purpose": "break_glass"} and failed.outcome == "denied"


def test_a_fresh_login_alone_is_not_enough_the_password_is_always_asked(as_medic, client_record):
    # The session is fresh (force_login counts as signing in), but the form still needs the password.
    response = as_medic.post(_start_url(client_record), {"reason": REASON})
    assert response.status_code == 400
    assert not EmergencyAccess.objects.exists()


# --- while it is open --------------------------------------------------------------------


def test_activation_opens_the_chart_and_notes_with_a_banner(grant, as_medic, client_record, make_note):
    note = make_note()
    local_until = timezone.localtime(grant.expires_at).strftime("%H:%M")
    chart = as_medic.get(_chart(client_record))
    assert chart.status_code == 200
    html = chart.content.decode()
    assert f"Emergency access until {local_until}" in html and f"reason: {REASON}" in html
    assert as_medic.get(_notes(client_record)).status_code == 200
    note_page = as_medic.get(reverse("note_detail", args=[note.pk]))
    assert note_page.status_code == 200
    assert f"Emergency access until {local_until}" in note_page.content.decode()


def test_the_grant_lasts_the_configured_minutes(grant, settings):
    assert settings.KC_BREAK_GLASS_MINUTES == 60
    assert grant.expires_at - grant.started_at == timedelta(minutes=60)
    assert grant.reason == REASON and grant.ended_at is None and grant.reviewed_at is None


def test_access_holds_until_the_time_runs_out_then_is_gone(grant, as_medic, client_record, later):
    later(59)
    assert as_medic.get(_chart(client_record)).status_code == 200
    later(61)
    assert as_medic.get(_chart(client_record)).status_code == 404
    assert as_medic.get(_notes(client_record)).status_code == 404
    assert not Client.objects.clinical_for(grant.user).filter(pk=client_record.pk).exists()


def test_a_shorter_setting_shortens_the_grant(settings, as_medic, client_record, later):
    settings.KC_BREAK_GLASS_MINUTES = 5
    assert _activate(as_medic, client_record).status_code == 302
    later(4)
    assert as_medic.get(_chart(client_record)).status_code == 200
    later(6)
    assert as_medic.get(_chart(client_record)).status_code == 404


def test_every_audit_row_in_the_window_is_flagged(grant, as_medic, medic, client_record, make_client, later):
    own = make_client(medic)  # a care-team client of the same therapist: not flagged
    as_medic.get(_chart(client_record))
    as_medic.get(_notes(client_record))
    as_medic.get(reverse("note_new", args=[client_record.pk]))
    response = as_medic.post(
        reverse("note_new", args=[client_record.pk]),
        {"service_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "duration_minutes": 30},
    )
    assert response.status_code == 302
    as_medic.get(_chart(own))
    window = AuditEvent.objects.filter(
        actor=medic, client_id=client_record.pk, id__gte=_start_event(grant).pk
    )
    actions = [e.action for e in window]
    assert {"break_glass_start", "view", "create"} <= set(actions) and len(actions) >= 5
    assert all(e.detail.get("break_glass") == grant.pk for e in window), actions
    own_rows = AuditEvent.objects.filter(actor=medic, client_id=own.pk, action="view")
    assert own_rows.exists() and not any("break_glass" in e.detail for e in own_rows)
    later(61)
    as_medic.get(_chart(client_record))  # 404 now
    after = AuditEvent.objects.filter(actor=medic, client_id=client_record.pk, action="view").latest("id")
    assert after.at < grant.expires_at  # nothing was viewed after expiry


def _start_event(grant) -> AuditEvent:
    return AuditEvent.objects.get(action="break_glass_start", object_id=str(grant.pk))


def test_the_start_is_audited_with_the_reason_and_expiry(grant, medic, client_record):
    event = _start_event(grant)
    assert event.actor_id == medic.pk and event.client_id == client_record.pk
    assert event.detail["break_glass"] == grant.pk and event.detail["reason"] == REASON
    assert event.detail["expires_at"] == grant.expires_at.isoformat()


def test_another_therapist_still_gets_404(grant, as_colleague, client_record, make_note):
    note = make_note()
    assert as_colleague.get(_chart(client_record)).status_code == 404
    assert as_colleague.get(reverse("note_detail", args=[note.pk])).status_code == 404
    assert as_colleague.post(reverse("emergency_access_end", args=[grant.pk])).status_code == 404
    assert EmergencyAccess.objects.get(pk=grant.pk).ended_at is None


def test_the_front_desk_admin_still_cannot_read_clinical_notes(grant, as_desk, client_record, make_note):
    note = make_note(**{"objective": "Calf tone increased on the left."})
    assert as_desk.get(reverse("note_detail", args=[note.pk])).status_code == 404
    assert as_desk.get(_notes(client_record)).status_code == 404
    chart = as_desk.get(_chart(client_record))
    assert chart.status_code == 200 and b"Calf tone increased" not in chart.content


def test_clinical_scope_lists_each_client_once(grant, medic, make_client, colleague, treating, client_record):
    services.client_update(
        client=client_record,
        by=User.objects.get(username="desk"),
        data={},
        version=Client.objects.get(pk=client_record.pk).version,
        care_team=[treating, colleague],
    )
    own = make_client(medic, care_team=[treating, colleague])
    ids = list(Client.objects.clinical_for(medic).values_list("pk", flat=True))
    assert sorted(ids) == sorted([client_record.pk, own.pk])
    assert list(
        Client.objects.visible_to(medic).filter(pk=client_record.pk).values_list("pk", flat=True)
    ) == [client_record.pk]


def test_opening_it_twice_for_the_same_client_is_refused(grant, as_medic, client_record):
    response = _activate(as_medic, client_record)
    assert response.status_code == 400
    assert "already have emergency access" in response.content.decode()
    assert EmergencyAccess.objects.count() == 1


# --- telling the admins --------------------------------------------------------------------


def test_admins_are_emailed_and_see_it_on_their_home_page(
    as_medic, client_record, desk_with_email, as_desk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert _activate(as_medic, client_record).status_code == 302
    grant = EmergencyAccess.objects.get()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["desk@clinic.example"]
    assert "emergency access" in message.subject.lower()
    assert "Mina Medic" in message.body and reverse("emergency_review", args=[grant.pk]) in message.body
    # The client's name and the reason stay inside the application.
    assert client_record.last_name not in message.body and REASON not in message.body
    home = as_desk.get(reverse("home")).content.decode()
    assert 'id="emergency-to-review"' in home and "1 to review" in home


def test_no_mail_leaves_when_the_transaction_does_not_commit(
    as_medic, client_record, desk_with_email, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _activate(as_medic, client_record, reason="")
    assert mail.outbox == []


# --- ending it ----------------------------------------------------------------------------


def test_the_holder_ends_it_early_and_access_is_gone(grant, as_medic, medic, client_record):
    response = as_medic.post(reverse("emergency_access_end", args=[grant.pk]))
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.ended_at is not None and grant.ended_by_id == medic.pk and grant.end_reason == "ended"
    assert as_medic.get(_chart(client_record)).status_code == 404
    event = AuditEvent.objects.get(action="break_glass_end")
    assert event.actor_id == medic.pk and event.detail["break_glass"] == grant.pk


def test_ending_needs_post(grant, as_medic):
    assert as_medic.get(reverse("emergency_access_end", args=[grant.pk])).status_code == 405


def test_an_admin_can_revoke_an_open_grant(grant, as_desk, desk, as_medic, client_record):
    response = as_desk.post(reverse("emergency_access_end", args=[grant.pk]))
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.end_reason == "revoked" and grant.ended_by_id == desk.pk
    assert as_medic.get(_chart(client_record)).status_code == 404


def test_expiry_is_recorded_once_when_first_noticed(grant, as_medic, as_desk, later):
    later(61)
    assert as_medic.get(reverse("emergency_access")).status_code == 200
    as_desk.get(reverse("emergency_review_list"))
    as_medic.get(reverse("emergency_access"))
    events = AuditEvent.objects.filter(action="break_glass_expired")
    assert events.count() == 1 and events.get().detail["break_glass"] == grant.pk
    grant.refresh_from_db()
    assert grant.end_reason == "expired" and grant.ended_at == grant.expires_at and grant.ended_by is None


def test_removing_the_permission_ends_open_grants(grant, as_desk, medic, as_medic, client_record):
    data = _user_form(medic, may_break_glass=False)
    assert as_desk.post(reverse("user_edit", args=[medic.pk]), data).status_code == 302
    grant.refresh_from_db()
    assert grant.end_reason == "revoked"
    assert as_medic.get(_chart(client_record)).status_code == 404
    assert as_medic.get(reverse("emergency_access")).status_code == 404


# --- the admin's review ----------------------------------------------------------------------


def test_admins_review_a_finished_grant_with_a_note(grant, as_medic, as_desk, desk):
    as_medic.post(reverse("emergency_access_end", args=[grant.pk]))
    url = reverse("emergency_review", args=[grant.pk])
    page = as_desk.get(url)
    assert page.status_code == 200 and REASON in page.content.decode()
    events = page.content.decode().split('id="emergency-events"')[1]
    assert "Opened emergency access to" in events  # what was done meanwhile, in plain words
    assert "break_glass_start" not in events and "clinic.client" not in events
    empty = as_desk.post(url, {"review_note": "  "})
    assert empty.status_code == 400 and "Write what you checked and concluded." in empty.content.decode()
    done = as_desk.post(url, {"review_note": "Called the client's therapist; justified."})
    assert done.status_code == 302
    grant.refresh_from_db()
    assert grant.reviewed_by_id == desk.pk and grant.review_note.startswith("Called")
    event = AuditEvent.objects.get(action="break_glass_review")
    assert event.actor_id == desk.pk and event.detail["break_glass"] == grant.pk
    assert "1 to review" not in as_desk.get(reverse("home")).content.decode()


def test_an_open_grant_cannot_be_reviewed_yet(grant, as_desk):
    response = as_desk.post(reverse("emergency_review", args=[grant.pk]), {"review_note": "Looks fine."})
    assert response.status_code == 400
    assert "End this emergency access before reviewing it." in response.content.decode()
    assert EmergencyAccess.objects.get(pk=grant.pk).reviewed_at is None


def test_nobody_reviews_their_own_emergency_access(owner, client_record):
    owner.may_break_glass = True
    owner.save(update_fields=["may_break_glass"])
    with pytest.raises(ValidationError, match="care team already"):
        services.emergency_access_start(user=owner, client=_client_of(owner), reason=REASON)
    grant = services.emergency_access_start(user=owner, client=client_record, reason=REASON)
    services.emergency_access_end(grant=grant, by=owner)
    http = HttpClient()
    http.force_login(owner)
    page = http.get(reverse("emergency_review", args=[grant.pk])).content.decode()
    assert 'id="emergency-review-form"' not in page
    response = http.post(reverse("emergency_review", args=[grant.pk]), {"review_note": "Fine by me."})
    assert response.status_code == 400 and "Someone else must review" in response.content.decode()


def _client_of(therapist) -> Client:
    return services.client_create(
        by=User.objects.get(username="desk"),
        data={
            "first_name": "Own",
            "last_name": "Client",
            "date_of_birth": date(1990, 1, 1),
            "primary_therapist": therapist,
        },
    )


def test_only_admins_reach_the_review_pages(grant, as_medic, as_colleague, as_treating):
    for http in (as_medic, as_colleague, as_treating):
        assert http.get(reverse("emergency_review_list")).status_code == 404
        assert http.get(reverse("emergency_review", args=[grant.pk])).status_code == 404
        assert (
            http.post(reverse("emergency_review", args=[grant.pk]), {"review_note": "x"}).status_code == 404
        )
    assert EmergencyAccess.objects.get(pk=grant.pk).reviewed_at is None


def test_the_review_list_shows_unreviewed_grants_first(make_client, medic, treating, desk, as_desk, later):
    clients = [make_client(treating, first_name=f"Case{n}") for n in range(3)]
    grants = []
    for index, client in enumerate(clients):
        later(index * 2)
        grant = services.emergency_access_start(user=medic, client=client, reason=f"Reason {index}")
        services.emergency_access_end(grant=grant, by=medic)
        grants.append(grant)
    services.emergency_access_review(grant=grants[2], by=desk, note="Checked.")  # the newest, reviewed
    later(10)
    html = as_desk.get(reverse("emergency_review_list")).content.decode()
    order = [html.index(reverse("emergency_review", args=[g.pk])) for g in grants]
    assert order[1] < order[0] < order[2]  # unreviewed newest first, then the reviewed one


# --- the permission itself ------------------------------------------------------------------


def _user_form(user, **changes) -> dict:
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "credentials": user.credentials,
        "is_therapist": user.is_therapist,
        "is_clinic_admin": user.is_clinic_admin,
        "may_break_glass": user.may_break_glass,
        "is_active": user.is_active,
        **changes,
    }
    return {k: ("on" if v is True else v) for k, v in data.items() if v is not False}


def test_an_admin_grants_the_permission_and_it_is_audited_as_a_role_change(as_desk, colleague, desk):
    page = as_desk.get(reverse("user_edit", args=[colleague.pk])).content.decode()
    assert 'name="may_break_glass"' in page
    response = as_desk.post(
        reverse("user_edit", args=[colleague.pk]), _user_form(colleague, may_break_glass=True)
    )
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.may_break_glass
    event = AuditEvent.objects.get(action="role_change", object_id=str(colleague.pk))
    assert event.actor_id == desk.pk and event.detail["changed"] == {"may_break_glass": [False, True]}


def test_the_permission_is_for_therapists_only(as_desk, desk, owner):
    other_admin = User.objects.create_user(username="admin2", password=PASSWORD, is_clinic_admin=True)
    response = as_desk.post(
        reverse("user_edit", args=[other_admin.pk]), _user_form(other_admin, may_break_glass=True)
    )
    assert response.status_code == 200
    assert "Emergency access is for therapists only." in response.content.decode()
    other_admin.refresh_from_db()
    assert not other_admin.may_break_glass


def test_therapists_cannot_give_themselves_the_permission(as_colleague, colleague):
    response = as_colleague.post(
        reverse("user_edit", args=[colleague.pk]), _user_form(colleague, may_break_glass=True)
    )
    assert response.status_code == 404
    colleague.refresh_from_db()
    assert not colleague.may_break_glass


# --- bounded pages ----------------------------------------------------------------------------


def test_the_emergency_page_runs_a_fixed_number_of_queries(
    as_medic, medic, make_client, treating, django_assert_num_queries
):
    for n in range(15):
        make_client(treating, first_name=f"Sam{n}", last_name="Doe")
    for client in Client.objects.filter(last_name="Doe")[:12]:
        grant = services.emergency_access_start(user=medic, client=client, reason="Cover")
        services.emergency_access_end(grant=grant, by=medic)
    as_medic.get("/ping")
    url = reverse("emergency_access") + "?name=Doe&date_of_birth=1985-05-17"
    # The floor, then: expired grants to close (none), the search, the audit row,
    # the user's grants with their clients, and the banner's open grants.
    with django_assert_num_queries(SIGNED_IN_FLOOR + 1 + 1 + audit_queries() + 1 + 1):
        response = as_medic.get(url, **BACKGROUND)
    assert response.status_code == 200
    assert response.content.decode().count("Open emergency access…") == 10  # bounded search
    assert len(response.context["grants"]) == 12


def test_the_review_list_runs_a_fixed_number_of_queries(
    as_desk, medic, make_client, treating, django_assert_num_queries
):
    for n in range(30):
        client = make_client(treating, first_name=f"Pat{n}")
        grant = services.emergency_access_start(user=medic, client=client, reason="Cover")
        services.emergency_access_end(grant=grant, by=medic)
    as_desk.get("/ping")
    # The floor, then: expired grants to close (none), the count, one page of grants
    # with therapist, client, ender and reviewer, and the audit row.
    with django_assert_num_queries(SIGNED_IN_FLOOR + 1 + 2 + audit_queries()):
        response = as_desk.get(reverse("emergency_review_list"), **BACKGROUND)
    assert response.status_code == 200
    assert len(response.context["grants"]) == 25


def test_the_review_page_runs_a_fixed_number_of_queries(
    grant, as_medic, as_desk, client_record, django_assert_num_queries
):
    for _ in range(5):
        as_medic.get(_chart(client_record))
    as_medic.post(reverse("emergency_access_end", args=[grant.pk]))
    as_desk.get("/ping")
    # The floor, then: the grant with its people and client, the audit row, the flagged events.
    with django_assert_num_queries(SIGNED_IN_FLOOR + 1 + audit_queries() + 1):
        response = as_desk.get(reverse("emergency_review", args=[grant.pk]), **BACKGROUND)
    assert response.status_code == 200
    assert len(response.context["events"]) >= 6


def test_a_note_written_under_emergency_access_keeps_its_author(grant, medic, client_record):
    note = note_services.note_create(client=client_record, by=medic, service_at=timezone.now())
    assert note.therapist_id == medic.pk
    event = AuditEvent.objects.filter(action="create", object_id=str(note.pk)).latest("id")
    assert event.detail["break_glass"] == grant.pk
