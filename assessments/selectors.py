"""Reads shared by the assessment pages, the client chart and other apps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q

from assessments import findings as derive
from assessments.findings import Finding
from assessments.models import Assessment, BodyChartMark, Measurement, QuestionnaireResponse

__all__ = [
    "AssessmentHistory",
    "Finding",
    "assessment_history",
    "assessment_position",
    "chart_history",
    "comparison_history",
    "flagged_findings",
    "latest_assessment",
    "OutcomeScore",
    "outcome_scores",
    "referral_findings",
    "ReferralFinding",
]


def latest_assessment(client) -> Assessment | None:
    """The client's most recent assessment with its rows (2-4 queries)."""
    return Assessment.objects.for_client(client).with_rows().order_by("-assessed_on", "-id").first()


def flagged_findings(client) -> list[Finding]:
    """Findings of the client's latest assessment: out-of-norm, asymmetry, positive
    tests and high pain. Each Finding has .code, .label, .region, .side, .kind, .text."""
    latest = Assessment.objects.for_client(client).order_by("-assessed_on", "-id").first()
    if latest is None:
        return []
    return derive.findings_for(
        list(latest.measurements.all()),
        sex=client.sex,
        involved_side=client.involved_side,
        age=derive.age_on(client.date_of_birth, latest.assessed_on),
    )


@dataclass(frozen=True)
class ReferralFinding:
    """A positive referral screen, in plain words for the therapist and a referral letter."""

    code: str  # catalogue measure code, e.g. "calcaneal_squeeze"
    label: str  # "Calcaneal squeeze test"
    side: str  # "L", "R" or ""
    result: str  # what was recorded, e.g. "Positive" or "1 of 3 sites felt"
    reason: str  # why it matters, one plain sentence
    action: str  # what to do: "Stop loading exercises … Refer for imaging this week …"
    urgency: str  # "this week" | "routine"
    assessed_on: date
    assessment_id: int


def referral_findings(client) -> list[ReferralFinding]:
    """Positive referral screens of the client's latest *signed* assessment.

    Contract for other apps (the safety interlock, the referral letter):

    - Reads only the most recent signed assessment (a draft can still change);
      an empty list when there is none or none of its screens is positive.
    - Screens: calcaneal squeeze (positive: stop loading, refer for imaging this
      week), tarsal tunnel Tinel (positive: refer to a physiotherapist or GP this
      week, no deep work over the tunnel) and the 10 g monofilament (any site not
      felt: reduced sensation, refer to the GP or a podiatrist, routine).
    - Each item carries the measure ``code``, ``side``, the recorded ``result``,
      a plain-language ``reason`` and ``action`` and an ``urgency`` of
      "this week" or "routine", in catalogue order then left before right.
    - Two queries whatever the history.
    """
    latest = Assessment.objects.for_client(client).signed().order_by("-assessed_on", "-id").first()
    if latest is None:
        return []
    return [
        ReferralFinding(assessed_on=latest.assessed_on, assessment_id=latest.pk, **item)
        for item in _referral_items(list(latest.measurements.all()))
    ]


def _referral_items(measurements) -> list[dict]:
    keys = ("code", "label", "side", "result", "reason", "action", "urgency")
    return [{k: item[k] for k in keys} for item in derive.referrals_for(measurements)]


@dataclass
class AssessmentHistory:
    """All of a client's assessments in date order, each with its rows loaded."""

    assessments: list[Assessment]

    def index_of(self, assessment: Assessment) -> int:
        return next(i for i, a in enumerate(self.assessments) if a.pk == assessment.pk)

    @property
    def baseline(self) -> Assessment | None:
        return self.assessments[0] if self.assessments else None

    def previous_to(self, assessment: Assessment) -> Assessment | None:
        i = self.index_of(assessment)
        return self.assessments[i - 1] if i > 0 else None


def assessment_history(client, *, recent: int | None = None) -> AssessmentHistory:
    """A fixed number of queries whatever the number of assessments (1 + 3 prefetches).

    With ``recent``, only the baseline and the ``recent`` latest assessments are
    loaded (sliced subqueries, still one query), so the client chart's cost
    stays flat however long the history grows."""
    qs = Assessment.objects.for_client(client)
    if recent is not None:
        baseline = qs.chronological().values("id")[:1]
        latest = qs.order_by("-assessed_on", "-id").values("id")[:recent]
        qs = qs.filter(Q(id__in=baseline) | Q(id__in=latest))
    return AssessmentHistory(list(qs.with_rows().chronological()))


def _before(assessment: Assessment) -> Q:
    return Q(assessed_on__lt=assessment.assessed_on) | Q(
        assessed_on=assessment.assessed_on, id__lt=assessment.pk
    )


def assessment_position(assessment: Assessment) -> tuple[int, int]:
    """(number, total): "assessment 3 of 12" for the client (1 query)."""
    counts = Assessment.objects.for_client(assessment.client).aggregate(
        total=Count("id"), before=Count("id", filter=_before(assessment))
    )
    return counts["before"] + 1, counts["total"]


def comparison_history(assessment: Assessment) -> AssessmentHistory:
    """What a comparison page shows: the client's baseline, the assessment just
    before this one, and this one, with their rows (1 + 3 queries, at most three
    assessments however long the history)."""
    qs = Assessment.objects.for_client(assessment.client)
    baseline = qs.chronological().values("id")[:1]
    previous = qs.filter(_before(assessment)).order_by("-assessed_on", "-id").values("id")[:1]
    qs = qs.filter(Q(id__in=baseline) | Q(id__in=previous) | Q(pk=assessment.pk))
    return AssessmentHistory(list(qs.with_rows().chronological()))


@dataclass
class ChartHistory:
    """What the client chart draws, as plain values: the baseline and recent
    assessments (no rows loaded), the latest one's measurements, and the
    scores, measurements and body-chart marks behind the progress charts."""

    assessments: list[Assessment]
    latest_measurements: list[Measurement]
    responses: list[tuple]  # (assessment id, instrument, score)
    measurements: list[tuple]  # (assessment id, code, side, status, value)
    marks: list[tuple]  # (assessment id, view, region, side, intensity), the latest few only


def chart_history(client, *, recent: int, marks_last: int = 6) -> ChartHistory:
    """The client chart's assessments in 5 queries whatever the history, with
    the chart series read as values: model instances for every measurement of
    two dozen assessments cost several times the SQL."""
    qs = Assessment.objects.for_client(client)
    baseline = qs.chronological().values("id")[:1]
    latest = qs.order_by("-assessed_on", "-id").values("id")[:recent]
    assessments = list(qs.filter(Q(id__in=baseline) | Q(id__in=latest)).chronological())
    if not assessments:
        return ChartHistory([], [], [], [], [])
    ids = [a.pk for a in assessments]
    return ChartHistory(
        assessments=assessments,
        latest_measurements=list(assessments[-1].measurements.all()),
        responses=list(
            QuestionnaireResponse.objects.filter(assessment_id__in=ids).values_list(
                "assessment_id", "instrument", "score"
            )
        ),
        measurements=list(
            Measurement.objects.filter(assessment_id__in=ids).values_list(
                "assessment_id", "code", "side", "status", "value"
            )
        ),
        marks=list(
            BodyChartMark.objects.filter(assessment_id__in=ids[-marks_last:]).values_list(
                "assessment_id", "view", "region", "side", "intensity"
            )
        ),
    )


# Scored questionnaires that measure the outcome of care (FPI-6 describes the
# foot's posture, not how the client is doing, so it is left out).
OUTCOME_INSTRUMENTS = ("lefs", "faam_adl", "faam_sports", "psfs", "ffi")


@dataclass(frozen=True)
class OutcomeScore:
    """One scored outcome questionnaire: the score ``assessments.scoring`` stored."""

    instrument: str  # a QuestionnaireResponse.Instrument value, e.g. "lefs"
    side: str  # "L", "R" or ""
    score: Decimal
    assessed_on: date
    assessment_id: int


def outcome_scores(
    client, *, start: date | None, end: date, include_assessment: int | None = None
) -> list[OutcomeScore]:
    """The client's scored outcome questionnaires assessed from ``start`` (None: from
    the first) to ``end``, both included, oldest first (1 query).

    Only signed assessments count, so a score never changes once read; the one
    ``include_assessment`` (a visit's own linked assessment, signed with the
    visit) counts while still a draft. Unscored responses (too many missing
    answers) are left out."""
    signed = Q(assessment__signed_at__isnull=False)
    if include_assessment is not None:
        signed |= Q(assessment_id=include_assessment)
    rows = (
        QuestionnaireResponse.objects.filter(
            signed,
            assessment__client=client,
            assessment__assessed_on__lte=end,
            instrument__in=OUTCOME_INSTRUMENTS,
            score__isnull=False,
        )
        .filter(**({"assessment__assessed_on__gte": start} if start is not None else {}))
        .order_by("assessment__assessed_on", "assessment_id", "id")
        .values_list("instrument", "side", "score", "assessment__assessed_on", "assessment_id")
    )
    # score__isnull=False above: every row has a score.
    return [
        OutcomeScore(instrument, side, score, assessed_on, assessment_id)
        for instrument, side, score, assessed_on, assessment_id in rows
        if score is not None
    ]
