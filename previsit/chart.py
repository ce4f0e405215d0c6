"""What the previsit app adds to composed pages (core.composition):

- chart_section: the client's questionnaires and intake forms before a visit, with request,
  accept and discard, and the schedule rules;
- home_section: what the therapist's clients sent since yesterday;
- portal_home_section: on the client's own home page, what is waiting for them to fill in.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from core.composition import Section
from previsit.forms import RequestForm, ScheduleForm
from previsit.models import IntakeSubmission, QuestionnaireRequest, QuestionnaireSchedule, intake_state

CHART_ROWS = 10


def chart_section(*, client, user) -> Section | None:
    """Three queries: the questionnaires, the intake forms and the schedule rules."""
    questionnaires = list(QuestionnaireRequest.objects.for_chart(client)[:CHART_ROWS])
    intakes = list(
        IntakeSubmission.objects.for_client(client)
        .select_related("entered_by")
        .order_by("-submitted_at", "-id")[:CHART_ROWS]
    )
    schedules = list(QuestionnaireSchedule.objects.filter(client=client))
    waiting = sum(1 for q in questionnaires if q.status == QuestionnaireRequest.Status.SUBMITTED) + sum(
        1 for i in intakes if i.status == IntakeSubmission.Status.PENDING
    )
    return Section(
        template="previsit/_chart_section.html",
        tab=("Before the visit", "previsit-section", "clipboard-document-check"),
        context={
            "client": client,
            "questionnaires": questionnaires,
            "intakes": intakes,
            "schedules": schedules,
            "waiting": waiting,
            "can_write": user.is_therapist,
            "request_form": RequestForm(auto_id="id_qreq_%s"),
            "schedule_form": ScheduleForm(auto_id="id_qsched_%s"),
        },
        order=15,
        # What the section listed, on the chart's one audit row (nothing when it listed nothing).
        audit={
            **({"questionnaires before a visit": [q.pk for q in questionnaires]} if questionnaires else {}),
            **({"intake forms before a visit": [i.pk for i in intakes]} if intakes else {}),
        },
    )


def since_yesterday() -> datetime:
    yesterday = timezone.localdate() - timedelta(days=1)
    return timezone.make_aware(datetime.combine(yesterday, time.min))


def home_section(*, user) -> Section | None:
    """Two queries: answers and intake forms sent since the start of yesterday."""
    if not user.is_therapist:
        return None
    since = since_yesterday()
    questionnaires = list(QuestionnaireRequest.objects.submitted_since(since, user)[:20])
    intakes = list(IntakeSubmission.objects.submitted_since(since, user)[:20])
    return Section(
        template="previsit/_home_section.html",
        context={"questionnaires": questionnaires, "intakes": intakes},
        order=12,
    )


def portal_home_section(*, link) -> Section | None:
    """The questionnaires waiting for the link's client, and the intake form before the first
    visit while none is on file (two or three queries). Nothing waiting: no section."""
    waiting = list(
        QuestionnaireRequest.objects.for_client(link.client)
        .waiting_for_client()
        .order_by("requested_at", "id")
    )
    intake_open = intake_state(link.client) == "open"
    if not waiting and not intake_open:
        return None
    return Section(
        template="previsit/_portal_home_section.html",
        context={"questionnaires": waiting, "intake_open": intake_open},
        order=10,
    )


def chart_desk_section(*, client, user) -> Section | None:
    """The front desk's way to the paper intake form (no query, nothing clinical)."""
    if not user.is_clinic_admin:
        return None
    return Section(template="previsit/_chart_desk_section.html", context={"client": client}, order=70)
