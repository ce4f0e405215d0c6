"""Reads for the note pages, the visit timeline, the home list and the PDF.

Each returns plain data in a fixed number of queries, so templates and the PDF
renderer never query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.paginator import Paginator
from django.db.models import Q
from django.urls import NoReverseMatch
from django.utils import timezone

from clinic.models import Client, ClinicProfile, User
from clinic.screening import Flag
from clinic.selectors import banner_flags
from core.pdf import Letterhead
from notes.discharge import DischargeSummary, headline, summary_for
from notes.models import (
    Amendment,
    AmendmentRequest,
    BodyRegion,
    NoteTemplate,
    PalpationFinding,
    SafetyOverride,
    Snippet,
    Technique,
    Treatment,
    VisitNote,
)
from notes.safety import Safety, safety_for_client

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


# --- The note page --------------------------------------------------------------------------


@dataclass
class AssessmentSummary:
    pk: int
    assessed_on: date
    therapist: str
    signed: bool
    measured: int
    findings: list[str] = field(default_factory=list)
    url: str = ""


def assessment_summary(note: VisitNote) -> AssessmentSummary | None:
    """The linked assessment in a few lines: date, who, how many measures, flagged findings."""
    if not note.assessment_id:
        return None
    from assessments.findings import age_on, findings_for
    from assessments.models import Assessment

    assessment = Assessment.objects.select_related("therapist").get(pk=note.assessment_id)
    measurements = list(assessment.measurements.all())
    try:
        findings = findings_for(
            measurements,
            sex=note.client.sex,
            involved_side=note.client.involved_side,
            age=age_on(note.client.date_of_birth, assessment.assessed_on),
        )
        texts = [f.text for f in findings]
    except Exception:  # a summary must never stop the note page or its printout
        texts = []
    return AssessmentSummary(
        pk=assessment.pk,
        assessed_on=assessment.assessed_on,
        therapist=assessment.therapist.display_name,
        signed=assessment.is_signed,
        measured=sum(1 for m in measurements if not m.not_tested),
        findings=texts,
        url=_safe_url(assessment),
    )


def _safe_url(obj) -> str:
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:
        return ""


@dataclass
class NotePage:
    note: VisitNote
    treatments: list[Treatment]
    palpation: list[PalpationFinding]
    amendments: list[Amendment]
    flags: list[Flag]
    assessment: AssessmentSummary | None
    treatment_minutes: int
    carried_rows: int
    status: str
    requests: list[RequestSummary] = field(default_factory=list)
    # False when a signed note's stored content no longer matches the hash
    # taken at signing: it was changed behind the application's back.
    content_matches: bool = True
    overrides: list[SafetyOverride] = field(default_factory=list)
    # A discharge note's reason and outcome table (notes.discharge); None otherwise.
    discharge: DischargeSummary | None = None


def signed_content_matches(note: VisitNote, treatments, palpation) -> bool:
    """Recompute a signed note's content hash from rows already loaded (no
    query); a draft has nothing to check. ``treatments`` in (order, id) order
    and ``palpation`` in id order, as the signature took them."""
    from notes.services import note_content_matches

    if not note.is_signed:
        return True
    return note_content_matches(note, treatments, palpation)


def note_page(note: VisitNote) -> NotePage:
    treatments = list(Treatment.objects.for_note(note))
    palpation = list(PalpationFinding.objects.for_note(note))
    return NotePage(
        overrides=list(SafetyOverride.objects.for_note(note)),
        note=note,
        treatments=treatments,
        palpation=palpation,
        amendments=list(note.amendments.select_related("signed_by").order_by("signed_at", "id")),
        flags=banner_flags(note.client),
        assessment=assessment_summary(note),
        treatment_minutes=sum(t.minutes for t in treatments),
        carried_rows=sum(1 for t in treatments if t.carried_forward),
        status=status_label(note),
        requests=note_amendment_requests(note),
        content_matches=signed_content_matches(note, treatments, palpation),
        discharge=summary_for(note),
    )


@dataclass
class DraftTools:
    """What the editor needs beyond the note itself: catalogues, snippets, templates."""

    techniques: list[Technique]
    regions: list[BodyRegion]
    snippets: list[Snippet]
    templates: list[NoteTemplate]
    previous: VisitNote | None
    assessment_choices: list[tuple[int, str]]
    suggested_assessment: int | None = None
    safety: Safety | None = None
    # This therapist's most used techniques and regions, most used first (chips).
    top_techniques: list[Technique] = field(default_factory=list)
    top_regions: list[BodyRegion] = field(default_factory=list)


TOP_CHIPS = 6


def ranked_by_recent_use(therapist: User, techniques, regions, *, top: int = TOP_CHIPS):
    """The techniques and regions this therapist logged most in their recent rows,
    most used first (ties: the most recently used first), at most ``top`` of each
    and only among those offered (``techniques``, ``regions``). One query."""
    recent = list(Treatment.objects.recent_by(therapist).values_list("technique_id", "region_id"))
    ranks: list[dict[int, tuple[int, int]]] = [{}, {}]
    for position, pair in enumerate(recent):
        for rank, pk in zip(ranks, pair, strict=True):
            count, first = rank.get(pk, (0, position))
            rank[pk] = (count + 1, first)

    def best(items, rank):
        known = [item for item in items if item.pk in rank]
        known.sort(key=lambda item: (-rank[item.pk][0], rank[item.pk][1]))
        return known[:top]

    return best(techniques, ranks[0]), best(regions, ranks[1])


def draft_tools(note: VisitNote, user: User) -> DraftTools:
    from assessments.models import Assessment

    linked_elsewhere = VisitNote.objects.filter(assessment__isnull=False).exclude(pk=note.pk)
    # Signing the note signs its linked assessment, so another therapist's draft
    # is not offered: only its author signs it.
    candidates = list(
        Assessment.objects.for_client(note.client)
        .exclude(pk__in=linked_elsewhere.values("assessment_id"))
        .filter(Q(signed_at__isnull=False) | Q(therapist=user))
        .order_by("-assessed_on", "-id")[:20]
    )
    choices = [(a.pk, f"{a.assessed_on:%Y-%m-%d}{' (signed)' if a.signed_at else ''}") for a in candidates]
    visit_day = timezone.localtime(note.service_at).date()
    suggested = next((a.pk for a in candidates if a.assessed_on == visit_day), None)
    techniques = list(Technique.objects.offered_to(user))
    regions = list(BodyRegion.objects.filter(active=True))
    top_techniques, top_regions = ranked_by_recent_use(user, techniques, regions)
    return DraftTools(
        techniques=techniques,
        regions=regions,
        top_techniques=top_techniques,
        top_regions=top_regions,
        snippets=list(Snippet.objects.available_to(user)),
        templates=list(NoteTemplate.objects.order_by("name")),
        previous=VisitNote.objects.previous_for(
            note.client, before=note.service_at, exclude_pk=note.pk
        ).first(),
        assessment_choices=choices,
        suggested_assessment=suggested,
        safety=safety_for_client(note.client),
    )


def previous_note(client: Client) -> VisitNote | None:
    return VisitNote.objects.previous_for(client).first()


# --- PDF data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PdfTreatment:
    technique: str
    region: str
    side: str
    minutes: int
    pressure: int
    response: str
    note: str


@dataclass(frozen=True)
class PdfAmendment:
    label: str
    author: str
    signed_at: datetime
    reason: str
    text: str


@dataclass(frozen=True)
class PdfOverride:
    what: str
    problems: list[str]
    reason: str
    by: str
    at: datetime


@dataclass(frozen=True)
class NotePdfData:
    letterhead: Letterhead
    client_name: str
    client_dob: date
    service_at: datetime
    duration_minutes: int
    therapist: str
    kind: str
    status: str
    in_error: bool
    error_reason: str
    sections: list[tuple[str, list[tuple[str, str]]]]
    treatments: list[PdfTreatment]
    palpation: list[tuple[str, str, str, str, str, str]]
    assessment: AssessmentSummary | None
    signed: bool
    signature_line: str
    signed_at: datetime | None
    late_entry: bool
    content_hash: str
    amendments: list[PdfAmendment]
    flags: list[str]
    requests: list[RequestSummary] = field(default_factory=list)
    content_matches: bool = True
    overrides: list[PdfOverride] = field(default_factory=list)
    discharge: DischargeSummary | None = None


def _local(value):
    return timezone.localtime(value) if value else value


def note_pdf_data(page: NotePage) -> NotePdfData:
    """Everything the PDF prints, gathered from the note page data (1 query: the profile)."""
    note = page.note
    fields = {
        "S · Subjective": [
            ("Chief complaint", note.chief_complaint),
            ("Today's focus", note.focus),
            (
                "Pain (NPRS 0-10)",
                pain_summary(note)
                if note.nprs_first_step is not None
                or note.nprs_rest is not None
                or note.nprs_worst_24h is not None
                else "",
            ),
            (
                "Change since last visit",
                note.get_change_since_last_display() if note.change_since_last else "",
            ),
            ("Home-program adherence", note.get_hep_adherence_display() if note.hep_adherence else ""),
            ("Response to home program", note.hep_response),
            ("Health screen re-check", note.get_screen_changed_display() if note.screen_changed else ""),
            ("What changed", note.screen_change_details),
            ("Notes", note.subjective),
        ],
        "O · Objective": [("Notes", note.objective)],
        "A · Assessment (functional and tissue; not a medical diagnosis)": [("", note.analysis)],
        "P · Plan": [
            ("Next visit", note.plan_next),
            ("Frequency", note.frequency),
            ("Measurable goals", note.goals),
            ("Referrals", note.referrals),
            ("Home program", note.get_hep_change_display() if note.hep_change else ""),
        ],
    }
    sections = [(title, [(label, value) for label, value in rows if value]) for title, rows in fields.items()]
    error = next((a for a in page.amendments if a.kind == Amendment.Kind.ENTERED_IN_ERROR), None)
    side_label = dict(Treatment._meta.get_field("side").choices)
    return NotePdfData(
        letterhead=Letterhead.from_profile(ClinicProfile.load()),
        client_name=note.client.full_name,
        client_dob=note.client.date_of_birth,
        service_at=_local(note.service_at),
        duration_minutes=note.duration_minutes,
        therapist=note.therapist.display_name,
        kind=note.get_kind_display(),
        status=page.status,
        in_error=error is not None,
        error_reason=error.reason if error else "",
        sections=sections,
        treatments=[
            PdfTreatment(
                technique=t.technique.name + (f" ({t.get_grade_display()})" if t.grade else ""),
                region=t.region.name,
                side=side_label.get(t.side, "") if t.side else "",
                minutes=t.minutes,
                pressure=t.pressure,
                response=t.get_response_display(),
                note=t.note_text,
            )
            for t in page.treatments
        ],
        palpation=[
            (
                p.region.name,
                side_label.get(p.side, "") if p.side else "",
                p.get_tone_display(),
                p.get_tenderness_display(),
                "yes" if p.trigger_points else "",
                p.note_text,
            )
            for p in page.palpation
        ],
        assessment=page.assessment,
        signed=note.is_signed,
        signature_line=note.signature_line,
        signed_at=_local(note.signed_at),
        late_entry=note.late_entry,
        content_hash=note.content_hash,
        content_matches=page.content_matches,
        amendments=[
            PdfAmendment(
                label=a.get_kind_display()
                + (
                    f" for date of service {_local(note.service_at):%Y-%m-%d}"
                    if a.kind == "late_entry"
                    else ""
                ),
                author=a.signature_line,
                signed_at=_local(a.signed_at),
                reason=a.reason,
                text=a.text,
            )
            for a in page.amendments
        ],
        flags=[
            f"{f.severity.upper()}: {f.question}" + (f" ({f.details})" if f.details else "")
            for f in page.flags
        ],
        requests=page.requests,
        overrides=[
            PdfOverride(
                what=o.label,
                problems=list(o.problems),
                reason=o.reason,
                by=o.by.display_name,
                at=_local(o.at),
            )
            for o in page.overrides
        ],
        discharge=page.discharge,
    )


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
