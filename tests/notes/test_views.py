"""Note pages with every persona, wrong methods and bad input."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from notes import services
from notes.models import Amendment, Treatment, VisitNote
from tests.notes.conftest import COMPLETE


def _form_data(note, **overrides):
    data = {
        "version": note.version,
        "service_at": note.service_at.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": note.duration_minutes,
        "kind": note.kind,
        **{k: v for k, v in COMPLETE.items()},
        **overrides,
    }
    return {k: ("" if v is None else v) for k, v in data.items()}


def _note_urls(note):
    return {
        "detail": reverse("note_detail", args=[note.pk]),
        "pdf": reverse("note_pdf", args=[note.pk]),
        "addenda": reverse("amendment_new", args=[note.pk]),
    }


@pytest.mark.parametrize("name", ["detail", "pdf", "addenda"])
def test_colleague_off_the_care_team_gets_404(make_note, as_colleague, name):
    note = make_note()
    assert as_colleague.get(_note_urls(note)[name]).status_code == 404


@pytest.mark.parametrize("name", ["detail", "pdf", "addenda"])
def test_front_desk_admin_gets_404(make_note, as_desk, name):
    note = make_note()
    assert as_desk.get(_note_urls(note)[name]).status_code == 404


@pytest.mark.parametrize("name", ["detail", "pdf", "addenda"])
def test_anonymous_visitor_is_sent_to_login(make_note, anon, name):
    note = make_note()
    response = anon.get(_note_urls(note)[name])
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "url_name, args_kind",
    [
        ("note_sign", "note"),
        ("note_autosave", "note"),
        ("treatment_add", "note"),
        ("treatments_repeat", "note"),
        ("palpation_add", "note"),
        ("note_apply_template", "note"),
    ],
)
def test_post_only_endpoints_refuse_get(make_note, as_treating, url_name, args_kind):
    note = make_note()
    assert as_treating.get(reverse(url_name, args=[note.pk])).status_code == 405


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_the_note_page_refuses_other_methods(signed_note, as_treating, method):
    note = signed_note()
    assert getattr(as_treating, method)(reverse("note_detail", args=[note.pk])).status_code == 405
    assert VisitNote.objects.filter(pk=note.pk).exists()


def test_colleague_cannot_post_to_any_write_endpoint(make_note, as_colleague):
    note = make_note(**COMPLETE)
    for name in ("note_detail", "note_sign", "note_autosave", "treatment_add", "treatments_repeat"):
        assert as_colleague.post(reverse(name, args=[note.pk]), _form_data(note)).status_code == 404
    assert not VisitNote.objects.get(pk=note.pk).is_signed


def test_desk_admin_cannot_start_a_note(client_record, as_desk):
    assert as_desk.get(reverse("note_new", args=[client_record.pk])).status_code == 404
    assert as_desk.post(reverse("note_new", args=[client_record.pk]), {}).status_code == 404


def test_therapist_starts_a_note_from_the_follow_up_template(client_record, as_treating):
    response = as_treating.post(
        reverse("note_new", args=[client_record.pk]),
        {"service_at": "2026-01-05T09:30", "duration_minutes": 45, "template": "follow_up"},
    )
    note = VisitNote.objects.get(client=client_record)
    assert response.status_code == 302 and response["Location"] == note.get_absolute_url()
    assert note.kind == "follow_up" and note.duration_minutes == 45
    assert note.subjective.startswith("Since last visit")


def test_the_new_note_page_refuses_a_bad_duration(client_record, as_treating):
    response = as_treating.post(
        reverse("note_new", args=[client_record.pk]),
        {"service_at": "2026-01-05T09:30", "duration_minutes": 0, "template": ""},
    )
    assert response.status_code == 400
    assert b"greater than or equal to 5" in response.content
    assert not VisitNote.objects.exists()


def test_the_draft_page_shows_the_editor_flags_and_scope_reminder(make_note, as_treating, screened):
    screened(yes={"dvt": "Calf swelling"})
    note = make_note()
    response = as_treating.get(reverse("note_detail", args=[note.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="note-form"' in html and 'id="treatment-form"' in html
    assert 'id="flags-banner"' in html and "Calf swelling" in html
    assert "not a medical diagnosis" in html
    assert "X-KC-Background" in html
    assert 'src="/static/js/notes.js"' in html and "<script>" not in html
    assert AuditEvent.objects.filter(action="view", object_id=str(note.pk)).exists()


def test_a_colleague_on_the_care_team_reads_a_draft_but_gets_no_editor(
    make_note, make_client, treating, colleague
):
    from django.test import Client as HttpClient

    shared = make_client(treating, care_team=[colleague])
    note = make_note(client=shared, subjective="Draft text")
    http = HttpClient()
    http.force_login(colleague)
    response = http.get(reverse("note_detail", args=[note.pk]))
    assert response.status_code == 200 and b"Draft text" in response.content
    assert b'id="note-form"' not in response.content
    denied = http.post(reverse("note_detail", args=[note.pk]), _form_data(note, subjective="colleague"))
    assert denied.status_code == 403
    assert VisitNote.objects.get(pk=note.pk).subjective == "Draft text"


def test_saving_the_draft_form_saves_and_redirects(make_note, as_treating):
    note = make_note()
    response = as_treating.post(reverse("note_detail", args=[note.pk]), _form_data(note, subjective="Saved"))
    assert response.status_code == 302
    assert VisitNote.objects.get(pk=note.pk).subjective == "Saved"


def test_autosave_saves_and_returns_the_new_version(make_note, as_treating):
    note = make_note()
    response = as_treating.post(
        reverse("note_autosave", args=[note.pk]),
        _form_data(note, objective="typed"),
        HTTP_HX_REQUEST="true",
        HTTP_X_KC_BACKGROUND="1",
    )
    assert response.status_code == 200
    assert b"Draft saved" in response.content
    assert f'value="{note.version + 1}"'.encode() in response.content
    assert VisitNote.objects.get(pk=note.pk).objective == "typed"


def test_a_stale_autosave_from_another_tab_gets_409_and_saves_nothing(make_note, as_treating):
    note = make_note()
    stale = _form_data(note, objective="from the old tab")
    as_treating.post(reverse("note_autosave", args=[note.pk]), _form_data(note, objective="newer tab"))
    response = as_treating.post(reverse("note_autosave", args=[note.pk]), stale, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert b"another tab" in response.content
    assert VisitNote.objects.get(pk=note.pk).objective == "newer tab"


def test_autosave_with_bad_input_explains_and_saves_nothing(make_note, as_treating):
    note = make_note()
    response = as_treating.post(reverse("note_autosave", args=[note.pk]), _form_data(note, nprs_rest=12))
    assert response.status_code == 400
    assert b"less than or equal to 10" in response.content
    assert VisitNote.objects.get(pk=note.pk).version == note.version


def test_signing_with_empty_required_content_is_refused_with_reasons(make_note, as_treating):
    note = make_note()
    response = as_treating.post(
        reverse("note_sign", args=[note.pk]),
        _form_data(note, analysis="", objective="", plan_next="", goals=""),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "A is empty" in html and "O is empty" in html and "P is empty" in html
    assert not VisitNote.objects.get(pk=note.pk).is_signed


def test_signing_through_the_page_locks_the_note(make_note, as_treating):
    note = make_note()
    response = as_treating.post(reverse("note_sign", args=[note.pk]), _form_data(note))
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.is_signed and note.signature_line == "Treating Therapist, RMT"
    page = as_treating.get(reverse("note_detail", args=[note.pk])).content.decode()
    assert 'id="note-form"' not in page and "Signed by Treating Therapist, RMT" in page


def test_a_crafted_post_to_a_signed_note_is_refused_and_changes_nothing(signed_note, as_treating):
    note = signed_note()
    for name in ("note_detail", "note_sign", "note_autosave", "note_apply_template"):
        response = as_treating.post(reverse(name, args=[note.pk]), _form_data(note, analysis="tampered"))
        assert response.status_code == 409, name
    response = as_treating.post(
        reverse("treatment_add", args=[note.pk]),
        {"t-technique": 1, "t-region": 1, "t-minutes": 5, "t-pressure": 3, "t-response": "eased"},
        HTTP_HX_REQUEST="true",
    )
    assert b"signed and locked" in response.content
    row = note.treatments.first()
    as_treating.post(reverse("treatment_remove", args=[note.pk, row.pk]))
    fresh = VisitNote.objects.get(pk=note.pk)
    assert fresh.analysis == COMPLETE["analysis"] and fresh.treatments.count() == 2
    assert services.note_verify(fresh)


def test_quick_entry_adds_a_treatment_row_and_returns_the_log(make_note, as_treating, catalogue):
    note = make_note()
    response = as_treating.post(
        reverse("treatment_add", args=[note.pk]),
        {
            "t-technique": catalogue["technique"]["iastm"].pk,
            "t-region": catalogue["region"]["achilles"].pk,
            "t-side": "L",
            "t-minutes": 8,
            "t-pressure": 2,
            "t-response": "eased",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert b"Instrument-assisted soft-tissue work" in response.content
    assert b"8 of 60 min logged" in response.content


@pytest.mark.parametrize(
    "minutes, pressure, message",
    [
        (-3, 3, b"greater than or equal to 1"),
        (0, 3, b"greater than or equal to 1"),
        (61, 3, b"More than the visit length (60 minutes)"),
        (10, 6, b"Select a valid choice"),
        (10, 0, b"Select a valid choice"),
    ],
)
def test_quick_entry_refuses_bad_minutes_and_pressure_next_to_the_field(
    make_note, as_treating, catalogue, minutes, pressure, message
):
    note = make_note()
    response = as_treating.post(
        reverse("treatment_add", args=[note.pk]),
        {
            "t-technique": catalogue["technique"]["cupping"].pk,
            "t-region": catalogue["region"]["soleus"].pk,
            "t-minutes": minutes,
            "t-pressure": pressure,
            "t-response": "eased",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert message in response.content
    assert not Treatment.objects.filter(note=note).exists()


def test_repeat_last_visit_fills_the_log_in_one_click(signed_note, make_note, as_treating):
    signed_note(rows=3, hours_ago=24 * 7)
    note = make_note()
    response = as_treating.post(reverse("treatments_repeat", args=[note.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert note.treatments.count() == 3
    assert b"carried forward: review" in response.content


def test_the_addendum_page_signs_a_new_amendment_beneath_the_note(signed_note, as_treating):
    note = signed_note()
    url = reverse("amendment_new", args=[note.pk])
    assert as_treating.get(url).status_code == 200
    response = as_treating.post(url, {"kind": "addendum", "reason": "", "text": "Extra"})
    assert response.status_code == 400 and b"This field is required" in response.content
    response = as_treating.post(
        url, {"kind": "addendum", "reason": "Client phoned", "text": "Soreness settled."}
    )
    assert response.status_code == 302
    page = as_treating.get(reverse("note_detail", args=[note.pk])).content.decode()
    assert page.index(COMPLETE["analysis"]) < page.index("Soreness settled.")
    assert "Addendum</strong> by Treating Therapist, RMT" in page


def test_entered_in_error_shows_the_note_struck_through_with_its_reason(signed_note, as_treating):
    note = signed_note()
    as_treating.post(
        reverse("amendment_new", args=[note.pk]),
        {"kind": "entered_in_error", "reason": "Wrong client's chart"},
    )
    page = as_treating.get(reverse("note_detail", args=[note.pk])).content.decode()
    assert "Entered in error" in page and "Wrong client&#x27;s chart" in page
    assert 'class="kc-card kc-struck" id="note-content"' in page
    assert COMPLETE["analysis"] in page
    assert Amendment.objects.filter(note=note, kind="entered_in_error").count() == 1


def test_user_text_is_escaped_on_the_note_page(make_note, as_treating):
    note = make_note(**{**COMPLETE, "subjective": '<script>alert(1)</script><img src=x onerror="x()">'})
    services.note_sign(note=note, by=note.therapist)
    html = as_treating.get(reverse("note_detail", args=[note.pk])).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "<img src=x" not in html


def test_the_client_chart_shows_the_visit_timeline_newest_first(
    signed_note, make_note, as_treating, client_record
):
    signed_note(hours_ago=24 * 14, nprs_first_step=7)
    signed_note(hours_ago=24 * 7, nprs_first_step=4)
    make_note(hours_ago=1)
    html = as_treating.get(reverse("client_detail", args=[client_record.pk])).content.decode()
    assert 'id="visit-timeline"' in html
    assert html.index("first step 4") < html.index("first step 7")
    assert "Sports / deep-tissue massage" in html and "Draft" in html
    assert 'id="pain-chart"' in html


def test_the_desk_admin_sees_no_visits_on_the_client_chart(signed_note, as_desk, client_record):
    signed_note()
    html = as_desk.get(reverse("client_detail", args=[client_record.pk])).content.decode()
    assert 'id="visit-timeline"' not in html and COMPLETE["analysis"] not in html


def test_home_lists_unsigned_notes_oldest_first_and_highlights_old_drafts(make_note, as_treating):
    recent = make_note(hours_ago=2, subjective="recent")
    old = make_note(hours_ago=30)
    html = as_treating.get(reverse("home")).content.decode()
    assert 'id="unsigned-notes"' in html
    section = html[html.index('id="unsigned-notes"') :]
    assert section.index(f"/notes/{old.pk}/") < section.index(f"/notes/{recent.pk}/")
    assert section.count("kc-overdue") == 1 and "over 24 h" in section


def test_snippets_page_adds_a_personal_snippet(as_treating, treating):
    response = as_treating.post(reverse("snippet_list"), {"title": "Calf", "text": "Calf tight on the left."})
    assert response.status_code == 302
    page = as_treating.get(reverse("snippet_list")).content.decode()
    assert "Calf tight on the left." in page and "Mine" in page


def test_snippets_page_is_for_therapists_only(as_desk):
    assert as_desk.get(reverse("snippet_list")).status_code == 404


def test_a_changed_health_screen_links_to_a_new_screen(make_note, as_treating, client_record):
    note = make_note()
    html = as_treating.get(reverse("note_detail", args=[note.pk])).content.decode()
    assert 'data-show-when="yes" hidden>' in html
    note = make_note(screen_changed="yes", screen_change_details="New blood thinner")
    html = as_treating.get(reverse("note_detail", args=[note.pk])).content.decode()
    link = html[html.index('id="screen-recheck-link"') :][:400]
    assert "hidden" not in link.split(">")[0]
    assert f'href="/clients/{client_record.pk}/intake/"' in link


def test_the_chart_timeline_names_each_visits_techniques_once_in_logged_order(
    as_treating, client_record, make_note, add_row
):
    from notes import selectors

    logged = make_note(hours_ago=3)
    for technique in ("myofascial_release", "sports_massage", "myofascial_release"):
        add_row(logged, technique=technique)
    make_note(hours_ago=1)  # nothing logged yet
    rows = selectors.visit_timeline(client_record).rows
    assert [r.techniques for r in rows] == [
        "No treatments logged",
        "Myofascial release, Sports / deep-tissue massage",
    ]
    assert (
        b"Myofascial release, Sports / deep-tissue massage"
        in as_treating.get(f"/clients/{client_record.pk}/").content
    )
