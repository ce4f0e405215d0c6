"""Page data for notes: what the note page, the note editor and the note PDF need,
gathered in a fixed number of queries so templates and the PDF renderer never query."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Q
from django.urls import NoReverseMatch
from django.utils import timezone

from assessments.findings import age_on, findings_for
from assessments.models import Assessment
from clinic.models import ClinicProfile, User
from clinic.screening import Flag
from clinic.selectors import banner_flags
from core.pdf import Letterhead
from notes.discharge import DischargeSummary, summary_for
from notes.models import (
    Amendment,
    BodyRegion,
    NoteTemplate,
    PalpationFinding,
    SafetyOverride,
    Side,
    Snippet,
    Technique,
    Treatment,
    VisitNote,
)
from notes.safety import Safety, safety_for_client
from notes.selectors import (
    RequestSummary,
    note_amendment_requests,
    note_amendment_requests_for,
    pain_summary,
    status_label,
)
from notes.services import note_content_matches

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

    return _summary(note, Assessment.objects.select_related("therapist").get(pk=note.assessment_id))


def assessment_summaries(notes: list[VisitNote]) -> dict[int, AssessmentSummary]:
    """``assessment_summary`` of each note that has a linked assessment, by note id
    (2 queries however many notes)."""
    linked: dict[int, int] = {n.pk: n.assessment_id for n in notes if n.assessment_id}
    by_pk = {n.pk: n for n in notes}
    if not linked:
        return {}
    assessments = {
        a.pk: a
        for a in Assessment.objects.select_related("therapist")
        .prefetch_related("measurements")
        .filter(pk__in=set(linked.values()))
    }
    out = {}
    for note_pk, assessment_pk in linked.items():
        assessment = assessments.get(assessment_pk)
        if assessment is not None:
            out[note_pk] = _summary(by_pk[note_pk], assessment)
    return out


def _summary(note: VisitNote, assessment: Assessment) -> AssessmentSummary:
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


def note_pages(notes: list[VisitNote]) -> list[NotePage]:
    """``note_page`` for many notes of one client at once (the complete-record
    printout): each kind of row is fetched in one query for all of them, so the
    number of queries does not grow with the number of visits (a discharge
    note still computes its outcome table, ``notes.discharge.summary_for``)."""
    if not notes:
        return []
    ids = [n.pk for n in notes]

    def by_note(rows) -> dict[int, list]:
        grouped: dict[int, list] = {pk: [] for pk in ids}
        for row in rows:
            grouped[row.note_id].append(row)
        return grouped

    treatments = by_note(Treatment.objects.for_notes(ids))
    palpation = by_note(PalpationFinding.objects.for_notes(ids))
    overrides = by_note(SafetyOverride.objects.for_notes(ids))
    amendments = by_note(
        Amendment.objects.filter(note__in=ids).select_related("signed_by").order_by("signed_at", "id")
    )
    requests = note_amendment_requests_for([n for n in notes if n.is_signed])
    summaries = assessment_summaries(notes)
    flags_by_client: dict[int, list[Flag]] = {}
    pages = []
    for note in notes:
        if note.client_id not in flags_by_client:
            flags_by_client[note.client_id] = banner_flags(note.client)
        rows = treatments[note.pk]
        found = palpation[note.pk]
        pages.append(
            NotePage(
                overrides=overrides[note.pk],
                note=note,
                treatments=rows,
                palpation=found,
                amendments=amendments[note.pk],
                flags=flags_by_client[note.client_id],
                assessment=summaries.get(note.pk),
                treatment_minutes=sum(t.minutes for t in rows),
                carried_rows=sum(1 for t in rows if t.carried_forward),
                status=status_label(note),
                requests=requests.get(note.pk, []),
                content_matches=signed_content_matches(note, rows, found),
                discharge=summary_for(note),
            )
        )
    return pages


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


def note_pdf_data(page: NotePage, *, letterhead: Letterhead | None = None) -> NotePdfData:
    """Everything the PDF prints, gathered from the note page data (1 query: the
    profile, unless ``letterhead`` is given)."""
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
    side_label = dict(Side.choices)
    return NotePdfData(
        letterhead=letterhead or Letterhead.from_profile(ClinicProfile.load()),
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
