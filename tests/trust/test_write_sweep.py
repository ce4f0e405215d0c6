"""Who may write what, swept over every state-changing route.

The rule: reading a client's clinical record is shared by the care team;
writing a draft, signing it, marking it entered in error and amending it are
the author's. (The sweep runs with the clinic's named-supervisor setting off, its
default; ``test_named_supervisor.py`` covers it switched on.) Every route of
the URL conf is classified here, and a new one that is not fails
``test_every_route_is_classified_for_writing``. Each route that changes state
is then posted as the author, a colleague on the same care
team, a therapist off the care team and a front-desk admin, against a draft
and against a signed record, with a payload the author's own post proves
valid. A refusal must answer its status (403 for someone else's record the
caller may read, 404 outside their scope, 409 for a signed record) and leave
every table exactly as it was; an allowed write must change something.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.test import Client as HttpClient
from django.utils import timezone

from tests.notes.conftest import COMPLETE
from tests.trust.test_url_classification import ROUTES, _url

PASSWORD = "test-pass-1234!"
PERSONAS = ("author", "teammate", "outsider", "admin")
STATES = ("draft", "signed")

# Outcomes
CHANGED = "changed"  # a 2xx or 3xx answer, and the database changed
ALLOWED = "allowed"  # not refused (no 403/404/405/409, no 5xx); routes outside the authorship rule
UNCHANGED = "unchanged"  # a 2xx or 3xx answer that (rightly) writes nothing
REFUSALS = {"403": 403, "404": 404, "409": 409}

# Routes that act only on the signed-in user's own account (sign-in, password,
# second factor, re-authentication): no record of anyone else is reachable.
OWN_ACCOUNT = {
    "login",
    "logout",
    "admin_login",
    "admin_logout",
    "password_change",
    "otp_setup",
    "otp_verify",
    "reauth",
}
# Routes that never write, proven below by a 405 for POST.
READ_ONLY = {
    "healthz",
    "ping",
    "home",
    "client_list",
    "client_detail",
    "screen_detail",
    "clinic_logo",
    "client_notes",
    "note_pdf",
    "assessment_detail",
    "assessment_compare",
    "client_amendment_requests",
    "amendment_request_dashboard",
    "amendment_request_detail",
    "client_disclosures",
    "client_disclosures_pdf",
    "client_export_json",
    "client_export_pdf",
    "document_download",
    "audit_list",
    "audit_export_csv",
    "user_list",
    "emergency_review_list",
    "emergency_access",  # the search page for emergency access
    "programs:exercise_list",
    "programs:exercise_detail",
    "programs:exercise_image",
    "programs:builder",
    "programs:builder_library",
    "programs:client_handout",
    "programs:version_detail",
    "programs:version_handout",
    "programs:batch_handouts",
    "reports:detail",
    "reports:pdf",
    "reports:client_pdf",
    "previsit:questionnaire_detail",
    "previsit:intake_detail",
    "portal:home",
    "portal:program",
    "portal:week",
    "portal:picture",
    "portal:manifest",
    "portal:service_worker",
    "portal_staff:link_handout",  # a printout: the token comes in the form, nothing is written
}


# --- The world: one client, its care team, and records of each kind -----------------------


@dataclass
class World:
    client: object
    users: dict
    ids: dict


def _note(client, by, *, hours_ago: float, sign: bool):
    from notes import services
    from notes.models import BodyRegion, Technique

    note = services.note_create(
        client=client, by=by, service_at=timezone.now() - timedelta(hours=hours_ago), copy_forward=False
    )
    note = services.note_update(note=note, by=by, data=dict(COMPLETE), version=note.version)
    row = services.treatment_add(
        note=note,
        by=by,
        data={
            "technique": Technique.objects.filter(has_grade=False).order_by("id").first(),
            "region": BodyRegion.objects.order_by("id").first(),
            "side": "L",
            "minutes": 10,
            "pressure": 3,
            "response": "eased",
        },
    )
    palpation = services.palpation_add(
        note=note,
        by=by,
        data={"region": BodyRegion.objects.order_by("id").first(), "side": "L", "tenderness": 2},
    )
    if sign:
        note = services.note_sign(note=note, by=by)
    return note, row, palpation


def _assessment(client, by, *, sign: bool):
    from assessments import services
    from assessments.services import AssessmentData, MeasurementInput

    data = AssessmentData(
        assessed_on=timezone.localdate() - timedelta(days=1),
        findings={"foot": "Tender at the heel."},
        measurements=[
            MeasurementInput("knee_to_wall", "L", value=Decimal("7")),
            MeasurementInput("knee_to_wall", "R", value=Decimal("12")),
        ],
    )
    assessment = services.assessment_create(client=client, by=by, data=data)
    if sign:
        services.assessment_sign(assessment=assessment, by=by)
    return assessment


def _program(client, by, *, draft: bool):
    """Version 1 issued with two exercises; in the draft state, version 2 open as a draft."""
    from programs import services
    from programs.models import Exercise

    exercises = list(Exercise.objects.order_by("id")[:3])
    v1 = services.program_draft(client=client, by=by)
    for exercise in exercises[:2]:
        services.program_item_add(draft=v1, exercise=exercise, by=by)
    v1 = services.program_issue(version=v1, by=by, start_date=timezone.localdate())
    if not draft:
        return v1, None, exercises
    v2 = services.program_draft(client=client, by=by)
    return v1, v2, exercises


def _screen_with_consent(client, by):
    """Treating and signing need a health screen with consent on file."""
    from clinic.screening import QUESTIONS
    from clinic.services import health_screen_record

    return health_screen_record(
        client=client, by=by, answers={q.code: (False, "") for q in QUESTIONS}, consent_given=True
    )


def build_world(state: str, kind: str, users: dict, make_client) -> World:
    from notes import amendment_requests
    from notes import services as note_services

    author = users["author"]
    client = make_client(author, care_team=[users["teammate"]], last_name="Raman")
    ids: dict = {"client": client.pk, "screen": _screen_with_consent(client, author).pk}
    signed = state == "signed"
    if kind in ("note", "note_no_consent"):
        earlier, _, _ = _note(client, author, hours_ago=48, sign=True)
        note, row, palpation = (
            _note(client, author, hours_ago=2, sign=False) if not signed else (earlier, None, None)
        )
        if signed:
            row = note.treatments.order_by("id").first()
            palpation = note.palpation.order_by("id").first()
        ids.update(note=note.pk, row=row.pk, palpation=palpation.pk)
        ids["link_assessment"] = _assessment(client, author, sign=False).pk
        if kind == "note_no_consent":
            from clinic import services as clinic_services

            clinic_services.consent_withdraw(client=client, by=author, reason="Wants to think it over.")
    elif kind == "assessment":
        ids["assessment"] = _assessment(client, author, sign=signed).pk
    elif kind == "program":
        v1, v2, exercises = _program(client, author, draft=not signed)
        version = v2 or v1
        ids["items"] = list(version.items.order_by("position").values_list("pk", flat=True))
        ids["version"] = version.pk
        ids["revision"] = version.revision
        ids["exercise"] = exercises[2].pk
        ids["issued_items"] = list(v1.items.order_by("position").values_list("pk", flat=True))
    elif kind == "note_program":
        v1, _, _ = _program(client, author, draft=False)
        ids["issued_items"] = list(v1.items.order_by("position").values_list("pk", flat=True))
        note, _, _ = _note(client, author, hours_ago=2, sign=signed)
        ids["note"] = note.pk
    elif kind == "amendment_request":
        note, _, _ = _note(client, author, hours_ago=48, sign=True)
        request = amendment_requests.amendment_request_record(
            note=note, by=author, request_text="My pain score was lower than written."
        )
        if signed:
            amendment_requests.amendment_request_decide(
                amendment_request=request, by=author, decision="denied", reason="The note is accurate."
            )
        ids.update(note=note.pk, amendment_request=request.pk)
    elif kind == "report":
        from reports import services as report_services

        _note(client, author, hours_ago=48, sign=True)
        today = timezone.localdate()
        report = report_services.report_create(
            client=client,
            audience="referrer",
            period_start=today - timedelta(days=7),
            period_end=today,
            includes={},
            recipient_name="Dr Patel",
            recipient_address="2 Station Road",
            by=author,
        )
        if signed:
            report_services.report_sign(report=report, by=author, consent_to_share=True)
        ids["report"] = report.pk
    elif kind == "questionnaire":
        # Draft: answers sent by the client, waiting for review; signed: accepted into the record.
        from tests.trust.objects import _questionnaire

        ids["questionnaire"] = _questionnaire(client=client, therapist=author)
        if signed:
            from previsit import services as previsit_services
            from previsit.models import QuestionnaireRequest

            previsit_services.questionnaire_accept(
                qrequest=QuestionnaireRequest.objects.get(pk=ids["questionnaire"]), by=author
            )
    elif kind == "intake":
        # Draft: a form the client sent, waiting; signed: confirmed into the record.
        from tests.trust.objects import _intake

        ids["intake"] = _intake(client=client)
        if signed:
            from previsit import services as previsit_services
            from previsit.models import IntakeSubmission

            previsit_services.intake_confirm(intake=IntakeSubmission.objects.get(pk=ids["intake"]), by=author)
    elif kind == "document":
        from tests.trust.objects import _document

        ids["document"] = _document(client=client, therapist=author)
    elif kind == "snippet":
        ids["snippet"] = note_services.snippet_create(by=author, title="Mine", text="Calf work.").pk
    elif kind == "exercise":
        from programs import services
        from programs.models import Exercise

        exercise = Exercise.objects.order_by("id").first()
        ids["exercise"] = exercise.pk
        ids["indication"] = services.indication_add(
            exercise=exercise, by=users["admin"], measure_code="hip_er", finding_kind="any", reason="Hips."
        ).pk
    elif kind == "client_link":
        from portal import services as portal_services

        ids["client_link"] = portal_services.link_issue(client=client, by=author)[0].pk
    elif kind == "grant":
        from clinic import services as clinic_services

        users["author"].may_break_glass = True
        users["author"].save(update_fields=["may_break_glass"])
        grant = clinic_services.emergency_access_start(
            user=author,
            client=make_client(users["outsider"], last_name="Stranger"),
            reason="Client collapsed in the waiting room; need the health screen now.",
        )
        users["author"].may_break_glass = False
        users["author"].save(update_fields=["may_break_glass"])
        ids["grant"] = grant.pk
    return World(client=client, users=users, ids=ids)


# --- Payloads --------------------------------------------------------------------------------


def _note_form(world, **overrides):
    from notes.models import VisitNote

    note = VisitNote.objects.get(pk=world.ids["note"])
    data = {
        "version": note.version,
        "service_at": timezone.localtime(note.service_at).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": note.duration_minutes,
        "kind": note.kind,
        **COMPLETE,
        **overrides,
    }
    return {k: ("" if v is None else v) for k, v in data.items()}


def _treatment_form(world):
    from notes.models import BodyRegion, Technique

    return {
        "t-technique": Technique.objects.filter(has_grade=False, active=True).order_by("id").first().pk,
        "t-region": BodyRegion.objects.filter(active=True).order_by("id").last().pk,
        "t-side": "R",
        "t-minutes": 5,
        "t-pressure": 3,
        "t-response": "eased",
    }


def _palpation_form(world):
    from notes.models import BodyRegion

    return {
        "p-region": BodyRegion.objects.filter(active=True).order_by("id").last().pk,
        "p-side": "R",
        "p-tone": "increased",
        "p-tenderness": "1",
    }


def _assessment_form(world):
    from assessments.models import Assessment

    assessment = Assessment.objects.get(pk=world.ids["assessment"])
    return {
        "assessed_on": assessment.assessed_on.isoformat(),
        "version": assessment.version,
        "m_knee_to_wall_L": "8",
        "m_knee_to_wall_R": "12",
        "findings_foot": "Changed by the sweep.",
    }


def _item_form(world, index=0):
    pk = world.ids["items"][index]
    p = f"item{pk}"
    return {
        f"{p}-sets": "3",
        f"{p}-reps": "12",
        f"{p}-frequency": "daily",
        f"{p}-side": "L",
        f"{p}-reason": "Changed by the sweep.",
        "revision": world.ids["revision"],
    }


def _adherence(world):
    data = {}
    for pk in world.ids["issued_items"]:
        data[f"days_{pk}"] = "4"
        data[f"pain_{pk}"] = "green"
    return data


def _document_upload(world):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="PNG")
    return {"kind": "referral", "file": SimpleUploadedFile("letter.png", buffer.getvalue(), "image/png")}


# --- Expectations ------------------------------------------------------------------------------


def author_only(*, signed_status: str = "409", draft_author: str = CHANGED, signed_author: str | None = None):
    """The rule for a draft: the author writes it; a care-team colleague reads it but is
    refused (403); nobody changes a signed one (409); outsiders never reach it (404)."""

    def expect(persona: str, state: str) -> str:
        if persona in ("outsider", "admin"):
            return "404"
        if state == "signed":
            return signed_author if (signed_author and persona == "author") else signed_status
        return draft_author if persona == "author" else "403"

    return expect


def amend(persona: str, state: str) -> str:
    """Amending (and marking entered in error) is the author's, draft or signed."""
    if persona in ("outsider", "admin"):
        return "404"
    return CHANGED if persona == "author" else "403"


def care_team(outcome: str = CHANGED):
    def expect(persona: str, state: str) -> str:
        return outcome if persona in ("author", "teammate") else "404"

    return expect


def care_team_and_admin(persona: str, state: str) -> str:
    return "404" if persona == "outsider" else ALLOWED


def admins_only(persona: str, state: str) -> str:
    return ALLOWED if persona == "admin" else "404"


def exporters(persona: str, state: str) -> str:
    """The complete record is clinical: therapists (and records officers) export it,
    a plain front-desk admin does not."""
    return "404" if persona == "admin" else ALLOWED


def nobody(persona: str, state: str) -> str:
    return "404"


def therapists(persona: str, state: str) -> str:
    return "404" if persona == "admin" else CHANGED


def therapists_and_admins(persona: str, state: str) -> str:
    return ALLOWED


def care_team_decides(persona: str, state: str) -> str:
    """What a client sent before a visit is the clinic's to decide: any care-team therapist
    accepts, confirms or discards it once; a decided one answers 409."""
    if persona in ("outsider", "admin"):
        return "404"
    return "409" if state == "signed" else CHANGED


def _paper_intake(world):
    from clinic.screening import QUESTIONS

    return {**{f"q_{q.code}": "no" for q in QUESTIONS}, "consent_given": "on", "consented_by_role": "client"}


def snippet_owner(persona: str, state: str) -> str:
    return CHANGED if persona == "author" else "404"


def program_client_write(*, when_no_draft: str, author: str = CHANGED):
    """Builder actions on the client's open draft: the draft's author only. Without an
    open draft (the signed state: only issued versions), the care team may start one."""

    def expect(persona: str, state: str) -> str:
        if persona in ("outsider", "admin"):
            return "404"
        if state == "draft":
            return author if persona == "author" else "403"
        return when_no_draft

    return expect


def builder_start(persona: str, state: str) -> str:
    if persona in ("outsider", "admin"):
        return "404"
    if state == "draft":
        return UNCHANGED if persona == "author" else "403"  # the author's open draft is already there
    return CHANGED


@dataclass(frozen=True)
class Write:
    kind: str  # which world the route needs
    url: Callable  # world -> URL kwargs
    expect: Callable  # (persona, state) -> outcome
    payload: Callable = lambda world: {}  # noqa: E731
    htmx: bool = False


def _pk(key):
    return lambda world: {"pk": world.ids[key]}


def _client_import(world):
    """An uploaded client list waiting for its import (one ready row)."""
    from clinic.models import ClientImport

    upload = ClientImport.objects.create(
        uploaded_by=world.users["admin"],
        file_name="clients.csv",
        content=b"First name,Last name,Date of birth\r\nImported,Client,1980-01-01\r\n",
        primary_therapist=world.users["author"],
    )
    return {"pk": upload.pk}


WRITES: dict[str, Write] = {
    # --- visit notes: the author's draft
    "note_detail": Write("note", _pk("note"), author_only(), lambda w: _note_form(w, subjective="Sweep.")),
    "note_autosave": Write("note", _pk("note"), author_only(), lambda w: _note_form(w, subjective="Sweep.")),
    "note_sign": Write("note", _pk("note"), author_only(), lambda w: {**_note_form(w), "password": PASSWORD}),
    "note_apply_template": Write(
        "note", _pk("note"), author_only(), lambda w: {**_note_form(w, subjective=""), "kind": "follow_up"}
    ),
    "note_link_assessment": Write(
        "note", _pk("note"), author_only(), lambda w: {"assessment": w.ids["link_assessment"]}
    ),
    "treatment_add": Write("note", _pk("note"), author_only(), _treatment_form),
    # Consent withdrawn: the author may treat this visit with a reason, the re-check and the password.
    "note_override_consent": Write(
        "note_no_consent",
        _pk("note"),
        author_only(),
        lambda w: {
            "override_reason": "Consent taken on paper at the desk today.",
            "override_recheck": "on",
            "override_password": PASSWORD,
        },
    ),
    "treatments_repeat": Write("note", _pk("note"), author_only()),
    "treatment_remove": Write("note", lambda w: {"pk": w.ids["note"], "row": w.ids["row"]}, author_only()),
    "treatment_confirm": Write("note", lambda w: {"pk": w.ids["note"], "row": w.ids["row"]}, author_only()),
    "palpation_add": Write("note", _pk("note"), author_only(), _palpation_form),
    "palpation_remove": Write(
        "note", lambda w: {"pk": w.ids["note"], "row": w.ids["palpation"]}, author_only()
    ),
    "amendment_new": Write(
        "note",
        _pk("note"),
        amend,
        lambda w: {"kind": "entered_in_error", "reason": "Wrong client's chart.", "text": ""},
    ),
    "programs:note_adherence": Write("note_program", _pk("note"), author_only(), _adherence),
    # --- new records: anyone on the care team writes their own
    "note_new": Write(
        "client",
        _pk("client"),
        care_team(),
        lambda w: {
            "service_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 60,
            "template": "",
        },
    ),
    "assessment_new": Write(
        "client",
        _pk("client"),
        care_team(),
        lambda w: {"assessed_on": timezone.localdate().isoformat(), "m_knee_to_wall_L": "9"},
    ),
    "intake_edit": Write("client", _pk("client"), care_team(ALLOWED)),
    "consent_withdraw": Write(
        "client", _pk("client"), care_team(ALLOWED), lambda w: {"reason": "Moved away."}
    ),
    # --- assessments: the author's draft
    "assessment_edit": Write("assessment", _pk("assessment"), author_only(), _assessment_form),
    "assessment_autosave": Write("assessment", _pk("assessment"), author_only(), _assessment_form, htmx=True),
    "assessment_sign": Write(
        "assessment",
        _pk("assessment"),
        author_only(),
        lambda w: {"password": PASSWORD, "version": _assessment_form(w)["version"]},
    ),
    # --- home programs: the draft's author; issued versions never change
    "programs:item_update": Write("program", lambda w: {"pk": w.ids["items"][0]}, author_only(), _item_form),
    "programs:item_remove": Write(
        "program",
        lambda w: {"pk": w.ids["items"][0]},
        author_only(),
        lambda w: {"revision": w.ids["revision"]},
    ),
    "programs:item_move": Write(
        "program",
        lambda w: {"pk": w.ids["items"][0]},
        author_only(),
        lambda w: {"direction": "down", "revision": w.ids["revision"]},
    ),
    # Without a safety rule against the exercise there is nothing to override: the
    # author's post is answered and writes nothing; anyone else is refused first.
    "programs:item_override": Write(
        "program",
        lambda w: {"pk": w.ids["items"][0]},
        author_only(draft_author=UNCHANGED),
        lambda w: {f"override{w.ids['items'][0]}-override_reason": "Sweep.", "revision": w.ids["revision"]},
    ),
    "programs:builder_add": Write(
        "program",
        _pk("client"),
        program_client_write(when_no_draft=CHANGED),
        lambda w: {"exercise": w.ids["exercise"]},
    ),
    # Without flagged findings there is nothing to suggest: the author's post adds nothing.
    "programs:builder_add_suggested": Write(
        "program", _pk("client"), program_client_write(when_no_draft=CHANGED, author=UNCHANGED)
    ),
    "programs:builder_start": Write("program", _pk("client"), builder_start),
    "programs:builder_issue": Write(
        "program",
        _pk("client"),
        program_client_write(when_no_draft=UNCHANGED),
        lambda w: {
            "start_date": timezone.localdate().isoformat(),
            "review_date": (timezone.localdate() + timedelta(weeks=4)).isoformat(),
            "revision": w.ids["revision"],
        },
    ),
    "programs:builder_discard": Write(
        "program",
        _pk("client"),
        program_client_write(when_no_draft=UNCHANGED),
        lambda w: {"revision": w.ids["revision"]},
    ),
    "programs:adherence_record": Write("note_program", _pk("client"), care_team(), _adherence),
    # --- a client's amendment requests: the clinic's to decide, any care-team therapist
    "amendment_request_new": Write(
        "amendment_request",
        _pk("note"),
        care_team(),
        lambda w: {
            "received_on": timezone.localdate().isoformat(),
            "request_text": "Please correct the date.",
        },
    ),
    "amendment_request_extend": Write("amendment_request", _pk("amendment_request"), care_team(ALLOWED)),
    "amendment_request_decide": Write("amendment_request", _pk("amendment_request"), care_team(ALLOWED)),
    "amendment_request_disagreement": Write(
        "amendment_request", _pk("amendment_request"), care_team(ALLOWED)
    ),
    "amendment_request_rebuttal": Write("amendment_request", _pk("amendment_request"), care_team(ALLOWED)),
    # --- progress reports: the care team writes a draft of its own; the draft is its author's
    "reports:new": Write(
        "report",
        _pk("client"),
        care_team(),
        lambda w: {
            "period_start": (timezone.localdate() - timedelta(days=7)).isoformat(),
            "period_end": timezone.localdate().isoformat(),
            "audience": "client",
        },
    ),
    "reports:update": Write(
        "report",
        _pk("report"),
        author_only(),
        lambda w: {"summary": "Changed by the sweep.", "urgency": "routine"},
    ),
    # The report is a letter: signing it needs the client's consent to share, confirmed.
    "reports:sign": Write(
        "report", _pk("report"), author_only(), lambda w: {"password": PASSWORD, "consent_to_share": "on"}
    ),
    # --- before the visit: the care team asks, accepts, confirms or discards; the desk types in paper
    "previsit:request_new": Write("client", _pk("client"), care_team(), lambda w: {"measure": "nprs"}),
    "previsit:schedule_set": Write(
        "client",
        _pk("client"),
        care_team(),
        lambda w: {"measure": "lefs", "every_weeks": "4", "active": "on"},
    ),
    "previsit:paper_intake": Write("client", _pk("client"), admins_only, _paper_intake),
    "previsit:questionnaire_accept": Write(
        "questionnaire", _pk("questionnaire"), care_team_decides, lambda w: {"password": PASSWORD}
    ),
    "previsit:questionnaire_discard": Write(
        "questionnaire", _pk("questionnaire"), care_team_decides, lambda w: {"reason": "Wrong leg."}
    ),
    "previsit:intake_confirm": Write("intake", _pk("intake"), care_team_decides),
    "previsit:intake_discard": Write(
        "intake", _pk("intake"), care_team_decides, lambda w: {"reason": "Duplicate."}
    ),
    # --- documents on the client record: the care team attaches any kind, the front desk a
    # referral letter or consent form; marking one entered in error is for who attached it.
    "document_new": Write("client", _pk("client"), care_team_and_admin, _document_upload),
    "document_in_error": Write("document", _pk("document"), amend, lambda w: {"reason": "Wrong client."}),
    # --- snippets: the therapist's own
    "snippet_list": Write(
        "client", lambda w: {}, therapists, lambda w: {"title": "Sweep", "text": "Calf work."}
    ),
    "snippet_delete": Write("snippet", _pk("snippet"), snippet_owner),
    # --- demographics and clinic administration (no clinical authorship)
    "client_edit": Write("client", _pk("client"), care_team_and_admin),
    "client_archive": Write("client", _pk("client"), admins_only),
    "client_create": Write("client", lambda w: {}, admins_only),
    "client_import": Write("client", lambda w: {}, admins_only),
    "client_import_preview": Write("client", _client_import, admins_only),
    "disclosure_new": Write("client", _pk("client"), admins_only),
    "user_create": Write("client", lambda w: {}, admins_only),
    "user_edit": Write("client", lambda w: {"pk": w.users["author"].pk}, admins_only),
    "clinic_profile": Write("client", lambda w: {}, admins_only),
    "bulk_export_confirm": Write("client", lambda w: {}, exporters, lambda w: {"reason": "Transfer."}),
    "programs:library_manage": Write("client", lambda w: {}, admins_only),
    "programs:exercise_create": Write("client", lambda w: {}, therapists_and_admins),
    "programs:exercise_edit": Write("exercise", _pk("exercise"), admins_only),  # a seeded exercise: no author
    "programs:exercise_set_active": Write("exercise", _pk("exercise"), admins_only),
    "programs:indication_add": Write("exercise", _pk("exercise"), admins_only),
    "programs:indication_remove": Write("exercise", _pk("indication"), admins_only),
    # --- emergency access: only therapists an admin allowed (none of these personas)
    "emergency_access_start": Write("client", _pk("client"), nobody),
    "emergency_access_end": Write("grant", _pk("grant"), admins_only),
    "emergency_review": Write("grant", _pk("grant"), admins_only),
    # --- client links: any therapist on the care team issues and stops them; the desk sees status only
    "portal_staff:link_issue": Write("client", _pk("client"), care_team()),
    "portal_staff:link_revoke": Write("client_link", _pk("client_link"), care_team()),
    # --- the client's own view: a staff session opens nothing there (no token of theirs)
    "portal:confirm": Write(
        "client", lambda w: {"token": "Z" * 43}, nobody, lambda w: {"date_of_birth": "1985-05-17"}
    ),
    "previsit_client:questionnaire": Write(
        "questionnaire",
        lambda w: {"token": "Z" * 43, "pk": w.ids["questionnaire"]},
        nobody,
        lambda w: {"item_1": "2"},
    ),
    "previsit_client:questionnaire_save": Write(
        "questionnaire",
        lambda w: {"token": "Z" * 43, "pk": w.ids["questionnaire"]},
        nobody,
        lambda w: {"item_1": "2"},
    ),
    "previsit_client:intake": Write("client", lambda w: {"token": "Z" * 43}, nobody, _paper_intake),
    "previsit_client:intake_save": Write("client", lambda w: {"token": "Z" * 43}, nobody, _paper_intake),
    "portal:log": Write(
        "client", lambda w: {"token": "Z" * 43}, nobody, lambda w: {"kind": "pain", "pain": "3"}
    ),
}


def _route_for(name: str) -> str:
    return next(route for route, n in ROUTES if n == name)


def test_every_route_is_classified_for_writing():
    # The Django admin site's own routes are staff-only (tests/trust/test_two_factor.py).
    assert [route for route, name in ROUTES if not name and not route.startswith("admin/")] == []
    names = {name for route, name in ROUTES if name and not name.startswith("admin:")}
    classified = set(WRITES) | READ_ONLY | OWN_ACCOUNT
    assert sorted(names - classified) == [], "Classify these routes in tests/trust/test_write_sweep.py"
    assert sorted(classified - names) == []
    assert not (set(WRITES) & READ_ONLY) and not (set(WRITES) & OWN_ACCOUNT) and not (READ_ONLY & OWN_ACCOUNT)


# --- The snapshot --------------------------------------------------------------------------------

# Tables a refused request may rightly write: the audit trail (a refusal may be
# recorded as a security event), sessions, sign-in throttling and the count of
# refused client-link tries.
SKIP_APPS = ("sessions", "axes", "otp_", "admin")


def _skipped(model) -> bool:
    label = model._meta.label_lower
    return (
        model._meta.app_label.startswith(SKIP_APPS)
        or "audit" in label
        or "security" in label
        or label == "portal.linkthrottle"
    )


def snapshot() -> dict:
    return {
        m._meta.label_lower: list(m._base_manager.order_by("pk").values_list())
        for m in apps.get_models()
        if not _skipped(m)
    }


def _changed_tables(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after.get(label)]


# --- The sweep --------------------------------------------------------------------------------------


@pytest.fixture
def personas(treating, colleague, desk):
    from clinic.models import User

    teammate = User.objects.create_user(
        username="teammate",
        password=PASSWORD,
        first_name="Tess",
        last_name="Teammate",
        is_therapist=True,
    )
    return {"author": treating, "teammate": teammate, "outsider": colleague, "admin": desk}


CASES = [(name, persona, state) for name in sorted(WRITES) for persona in PERSONAS for state in STATES]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "persona", "state"), CASES)
def test_every_write_route_follows_the_authorship_rule(name, persona, state, personas, make_client):
    write = WRITES[name]
    world = build_world(state, write.kind, personas, make_client)
    expected = write.expect(persona, state)
    http = HttpClient()
    http.force_login(personas[persona])
    url = _url(_route_for(name), name, write.url(world))
    payload = write.payload(world)
    before = snapshot()
    extra = {"HTTP_HX_REQUEST": "true"} if write.htmx else {}
    response = http.post(url, payload, **extra)
    after = snapshot()
    status = response.status_code
    where = (name, persona, state, status)
    assert status < 500, where
    if expected in REFUSALS:
        assert status == REFUSALS[expected], where
        assert _changed_tables(before, after) == [], where
        assert world.client.last_name.encode() not in response.content or expected != "404", where
    elif expected == CHANGED:
        assert status < 400, where
        assert _changed_tables(before, after), where
    elif expected == UNCHANGED:
        assert status < 400, where
        assert _changed_tables(before, after) == [], where
    else:
        assert status not in (403, 404, 405, 409), where


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(READ_ONLY))
def test_read_only_routes_refuse_post(name, personas, owner, make_client):
    """POST is refused (405) for everyone who can reach the page, and changes nothing."""
    world = build_world("draft", "client", personas, make_client)
    route = _route_for(name)
    clients = []
    for user in (personas["author"], personas["admin"], owner):
        http = HttpClient()
        http.force_login(user)
        clients.append((user, http))
    before = snapshot()
    for user, http in clients:
        response = http.post(_url(route, name, {**world.ids, "pk": world.client.pk}))
        assert response.status_code in (404, 405), (name, user.username, response.status_code)
    assert _changed_tables(before, snapshot()) == []
