"""Reads for the note pages, the visit timeline, the home list and the PDF.

Each returns plain data in a fixed number of queries, so templates and the PDF
renderer never query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.paginator import Paginator
from django.utils import timezone

from clinic.models import Client, User
from notes.discharge import headline, summary_for
from notes.models import (
    AmendmentRequest,
    Treatment,
    VisitNote,
)

TIMELINE_LIMIT = 20
UNSIGNED_LIMIT = 50
OVERDUE_AFTER = timedelta(hours=24)


def pain_summary(note: VisitNote) -> str:
    parts = [
        f"{label} {value}"
        for label, value in (
            ("first step", note.nprs_first_step),
            ("rest", note.nprs_rest),
            ("worst 24 h", note.nprs_worst_24h),
        )
        if value is not None
    ]
    return "NPRS " + " · ".join(parts) if parts else "No pain scores"


def technique_summary(names) -> str:
    """The techniques of a visit in the order logged, each once."""
    unique = list(dict.fromkeys(names))
    return ", ".join(unique) if unique else "No treatments logged"


def status_label(note: VisitNote) -> str:
    if getattr(note, "in_error", False):
        return "Entered in error"
    if not note.is_signed:
        return "Draft"
    return "Signed · late entry" if note.late_entry else "Signed"


# --- Visit timeline (client chart) ----------------------------------------------------


@dataclass
class TimelineRow:
    note: VisitNote
    status: str
    pain: str
    techniques: str
    program: str
    in_error: bool
    draft: bool
    # "Discharged 3 Nov 2026: goals met" on a signed discharge note: the episode closed.
    discharged: str = ""


@dataclass
class Timeline:
    rows: list[TimelineRow]
    total: int
    shown: int

    @property
    def more(self) -> int:
        return self.total - self.shown


def _technique_names(notes) -> dict[int, list[str]]:
    """Technique names per note, in the order logged (1 query, plain values:
    model instances for every treatment row cost more than the SQL)."""
    names: dict[int, list[str]] = {n.pk: [] for n in notes}
    rows = (
        Treatment.objects.filter(note__in=list(names))
        .order_by("note_id", "order", "id")
        .values_list("note_id", "technique__name")
    )
    for note_id, name in rows:
        names[note_id].append(name)
    return names


def _timeline_rows(notes) -> list[TimelineRow]:
    techniques = _technique_names(notes) if notes else {}
    return [
        TimelineRow(
            note=n,
            status=status_label(n),
            pain=pain_summary(n),
            techniques=technique_summary(techniques[n.pk]),
            program=n.get_hep_change_display() if n.hep_change else "",
            in_error=bool(n.in_error),
            draft=not n.is_signed,
            discharged=headline(n) if n.is_discharge and n.is_signed and not n.in_error else "",
        )
        for n in notes
    ]


def visit_timeline(client: Client, *, limit: int = TIMELINE_LIMIT) -> Timeline:
    """Newest first, one line per visit, bounded (3 queries: count, notes, treatments)."""
    qs = VisitNote.objects.filter(client=client)
    total = qs.count()
    rows = _timeline_rows(list(qs.for_timeline()[:limit]))
    return Timeline(rows=rows, total=total, shown=len(rows))


def visit_timeline_page(client: Client, number, *, per_page: int = 25):
    """One page of the full visit list (3 queries) -> (page, rows)."""
    page = Paginator(VisitNote.objects.filter(client=client).for_timeline(), per_page).get_page(number)
    return page, _timeline_rows(list(page.object_list))


PAIN_CHART_VISITS = 26


def pain_series(client: Client) -> list[tuple[str, list[tuple[date, int]]]]:
    """NPRS over the latest signed, valid visits for the pain chart (1 query).

    Bounded to the most recent PAIN_CHART_VISITS so the chart's cost stays flat
    however long the history grows; the visit list holds the rest."""
    rows = list(
        VisitNote.objects.filter(client=client, signed_at__isnull=False)
        .with_error_flag()
        .filter(in_error=False)
        .order_by("-service_at", "-id")
        .values_list("service_at", "nprs_first_step", "nprs_rest", "nprs_worst_24h")[:PAIN_CHART_VISITS]
    )
    rows.reverse()
    series = []
    for index, label in ((1, "First step"), (2, "At rest"), (3, "Worst 24 h")):
        points = [(timezone.localtime(r[0]).date(), r[index]) for r in rows if r[index] is not None]
        if points:
            series.append((label, points))
    return series


# --- Unsigned notes (home page) -----------------------------------------------------------


@dataclass
class UnsignedRow:
    note: VisitNote
    overdue: bool
    age: str


def _age(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    if hours < 1:
        return "under an hour"
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} days"


def unsigned_notes(user: User, *, now: datetime | None = None) -> tuple[list[UnsignedRow], int]:
    """The therapist's drafts, oldest first; drafts over 24 h old are flagged (2 queries)."""
    now = now or timezone.now()
    qs = VisitNote.objects.unsigned_for(user)
    total = qs.count()
    rows = [
        UnsignedRow(note=n, overdue=now - n.service_at > OVERDUE_AFTER, age=_age(now - n.service_at))
        for n in qs[:UNSIGNED_LIMIT]
    ]
    return rows, total


def supervisee_drafts(user: User, *, now: datetime | None = None) -> list[UnsignedRow]:
    """Drafts a named supervisor may finish, oldest first (1 query; none while the clinic
    does not allow named supervisors)."""
    now = now or timezone.now()
    return [
        UnsignedRow(note=n, overdue=now - n.service_at > OVERDUE_AFTER, age=_age(now - n.service_at))
        for n in VisitNote.objects.unsigned_of_supervisees(user)[:UNSIGNED_LIMIT]
    ]


# --- Amendment requests from clients ----------------------------------------------------------


@dataclass(frozen=True)
class RequestSummary:
    """One amendment request as the note page, the lists and the printouts show it."""

    pk: int
    headline: str
    received_on: date
    due_on: date
    decision: str
    decision_label: str
    request_text: str
    other_records: str
    recorded_by: str
    reason: str
    extension: str
    amendment_pk: int | None
    amendment_label: str
    disagreement_line: str
    disagreement: str
    rebuttal_line: str
    rebuttal: str
    overdue: bool


def _local_day(value) -> date | None:
    return timezone.localtime(value).date() if value else None


def request_summary(obj: AmendmentRequest, *, today: date | None = None) -> RequestSummary:
    """Plain values for one request; expects recorded_by, decided_by, extended_by,
    disagreement_recorded_by, rebuttal_by and amendment loaded (no queries)."""
    today = today or timezone.localdate()
    head = f"Amendment requested {obj.received_on:%Y-%m-%d}"
    decided_on = _local_day(obj.decided_at)
    overdue = False
    if obj.decision == AmendmentRequest.Decision.PENDING:
        overdue = today > obj.due_on
        head += f" – {'OVERDUE, was due' if overdue else 'pending, decision due'} {obj.due_on:%Y-%m-%d}"
    elif obj.decision == AmendmentRequest.Decision.ACCEPTED:
        head += f" – accepted {decided_on:%Y-%m-%d}"
    else:
        head += f" – {obj.get_decision_display().lower()} {decided_on:%Y-%m-%d}: {obj.decision_reason}"
    extension = ""
    if obj.extended_on:
        extension = (
            f"Deadline extended once on {obj.extended_on:%Y-%m-%d} to {obj.due_on:%Y-%m-%d} "
            f"by {obj.extended_by.display_name if obj.extended_by else ''}: {obj.extension_reason}"
        )
    amendment_label = ""
    if obj.amendment_id and obj.amendment is not None:
        amendment_label = (
            f"{obj.amendment.get_kind_display()} by {obj.amendment.signature_line} "
            f"on {timezone.localtime(obj.amendment.signed_at):%Y-%m-%d %H:%M}"
        )
    disagreement_line = ""
    if obj.disagreement_received_on:
        disagreement_line = (
            f"Client's statement of disagreement, received {obj.disagreement_received_on:%Y-%m-%d}"
        )
    rebuttal_line = ""
    if obj.rebuttal_at:
        rebuttal_line = (
            f"Clinic's rebuttal by {obj.rebuttal_by.display_name if obj.rebuttal_by else ''} "
            f"on {_local_day(obj.rebuttal_at):%Y-%m-%d}"
        )
    return RequestSummary(
        pk=obj.pk,
        headline=head,
        received_on=obj.received_on,
        due_on=obj.due_on,
        decision=obj.decision,
        decision_label=obj.get_decision_display(),
        request_text=obj.request_text,
        other_records=obj.other_records,
        recorded_by=obj.recorded_by.display_name if obj.recorded_by_id else "",
        reason=obj.decision_reason,
        extension=extension,
        amendment_pk=obj.amendment_id,
        amendment_label=amendment_label,
        disagreement_line=disagreement_line,
        disagreement=obj.disagreement_text,
        rebuttal_line=rebuttal_line,
        rebuttal=obj.rebuttal_text,
        overdue=overdue,
    )


_REQUEST_PEOPLE = ("recorded_by", "extended_by", "decided_by", "disagreement_recorded_by", "rebuttal_by")


def note_amendment_requests(note: VisitNote) -> list[RequestSummary]:
    """The client's amendment requests about a signed note, oldest first (1 query;
    none for a draft, which cannot have any)."""
    if not note.is_signed:
        return []
    rows = AmendmentRequest.objects.filter(note=note).select_related(*_REQUEST_PEOPLE, "amendment")
    today = timezone.localdate()
    return [request_summary(r, today=today) for r in rows.order_by("received_on", "id")]


def note_amendment_requests_for(notes) -> dict[int, list[RequestSummary]]:
    """``note_amendment_requests`` of many signed notes, by note id (1 query)."""
    ids = [n.pk for n in notes if n.is_signed]
    if not ids:
        return {}
    rows = AmendmentRequest.objects.filter(note__in=ids).select_related(*_REQUEST_PEOPLE, "amendment")
    today = timezone.localdate()
    out: dict[int, list[RequestSummary]] = {}
    for r in rows.order_by("received_on", "id"):
        out.setdefault(r.note_id, []).append(request_summary(r, today=today))
    return out


@dataclass(frozen=True)
class RequestRow:
    summary: RequestSummary
    client_pk: int
    client_name: str
    note_pk: int
    note_date: date


def client_amendment_requests(client: Client) -> list[RequestRow]:
    """Every amendment request of one client, open ones first, then newest (1 query)."""
    rows = (
        AmendmentRequest.objects.filter(client=client)
        .select_related("note", *_REQUEST_PEOPLE, "amendment")
        .order_by("-received_on", "-id")
    )
    today = timezone.localdate()
    out = [
        RequestRow(
            summary=request_summary(r, today=today),
            client_pk=client.pk,
            client_name=client.display_name,
            note_pk=r.note_id,
            note_date=timezone.localtime(r.note.service_at).date(),
        )
        for r in rows
    ]
    out.sort(key=lambda row: row.summary.decision != AmendmentRequest.Decision.PENDING)
    return out


DASHBOARD_LIMIT = 200


def open_amendment_requests(user: User, *, limit: int = DASHBOARD_LIMIT) -> tuple[list[RequestRow], int]:
    """Open requests of the user's care-team clients, earliest due first, so the
    overdue ones lead (2 queries: count, rows)."""
    qs = AmendmentRequest.objects.for_user(user).for_dashboard()
    total = qs.count()
    today = timezone.localdate()
    rows = [
        RequestRow(
            summary=request_summary(r, today=today),
            client_pk=r.client_id,
            client_name=r.client.display_name,
            note_pk=r.note_id,
            note_date=timezone.localtime(r.note.service_at).date(),
        )
        for r in qs.select_related(*_REQUEST_PEOPLE)[:limit]
    ]
    return rows, total


def previous_note(client: Client) -> VisitNote | None:
    return VisitNote.objects.previous_for(client).first()


# --- Discharge (for other apps: the referrer letter) ------------------------------------


def latest_discharge(client: Client, *, start: date | None = None, end: date | None = None):
    """The client's latest signed discharge note in a period, as a
    ``notes.discharge.DischargeSummary``, or None (1 query; 3 more for a discharge
    note signed before the outcome table was stored with it).

    Contract for other apps (the progress report and referrer letter):

    - Only signed discharge notes not marked entered in error count; ``start``
      and ``end`` (clinic-local dates, both included, either may be None) limit
      the day of the discharge visit.
    - The summary carries ``note`` (the VisitNote), ``discharged_on`` (a date),
      ``reason`` (plain words, e.g. "Goals met"), ``detail`` (free text, may be
      ""), ``headline`` ("Discharged 3 Nov 2026: goals met") and ``rows``: the
      outcome table as signed, a list of ``notes.discharge.OutcomeRow`` (measure,
      scale, baseline and its date, value at discharge and its date, change,
      the meaningful change with author and year, and a plain-words verdict).
      The rows come from the snapshot stored at signing, so they never change.
    """
    qs = VisitNote.objects.filter(client=client).discharges().select_related("client", "therapist")
    if start is not None:
        qs = qs.filter(service_at__date__gte=start)
    if end is not None:
        qs = qs.filter(service_at__date__lte=end)
    note = qs.order_by("-service_at", "-id").first()
    return summary_for(note) if note is not None else None
