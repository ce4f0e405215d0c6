"""The discharge summary: the episode a discharge note closes and its outcome table.

``outcome_rows(note)`` builds the "Outcome at discharge" rows once, for the note
page and the PDF alike: one row per outcome measure the client has in the
episode (first-step pain from the visit notes, and the outcome questionnaires
``assessments`` scored), with the baseline (first in the episode), the value at
discharge (latest on or before the discharge note), the change and whether it
reached the published meaningful change (``assessments.scoring.real_change``).

At signing, ``note_sign`` stores the rows on the note (``snapshot``), and a signed
note is printed from that snapshot (``rows_for``), so later measurements never
change what was signed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils import timezone

from assessments import scoring
from assessments.selectors import outcome_scores
from notes.models import VisitNote

# Measures in the order they print, with their plain name and scale.
MEASURES = {
    "nprs": ("First-step pain (NPRS)", "0–10, lower is better", "/10"),
    "lefs": ("Lower Extremity Functional Scale (LEFS)", "0–80, higher is better", ""),
    "faam_adl": ("Foot and Ankle Ability Measure, daily living (FAAM ADL)", "0–100%, higher is better", "%"),
    "faam_sports": ("Foot and Ankle Ability Measure, sports (FAAM Sports)", "0–100%, higher is better", "%"),
    "psfs": ("Patient-Specific Functional Scale (PSFS, mean)", "0–10, higher is better", "/10"),
    "ffi": ("Foot Function Index (FFI)", "0–100%, lower is better", "%"),
}
SIDE_WORDS = {"L": "left", "R": "right"}
NOT_ENOUGH = "Not enough measurements in this episode to judge a change."


@dataclass(frozen=True)
class OutcomeRow:
    """One line of the outcome table, already in plain words (what prints)."""

    measure: str  # "Lower Extremity Functional Scale (LEFS)", with the side if any
    scale: str  # "0–80, higher is better"
    baseline: str  # "52", or "" when there is none
    baseline_on: date | None
    latest: str  # the value at discharge, or "" when only the baseline exists
    latest_on: date | None
    change: str  # "+12" or "−3", "" when there is nothing to compare
    meaningful_change: str  # "9 points (Binkley 1999)", or why there is none
    verdict: str  # "Improved by at least the meaningful change (9 points; Binkley 1999)."
    reached: bool | None  # True: improved by a meaningful change; None: not judged

    def as_json(self) -> dict:
        data = asdict(self)
        data["baseline_on"] = self.baseline_on.isoformat() if self.baseline_on else None
        data["latest_on"] = self.latest_on.isoformat() if self.latest_on else None
        return data

    @classmethod
    def from_json(cls, data: dict) -> OutcomeRow:
        fields = dict(data)
        for name in ("baseline_on", "latest_on"):
            fields[name] = date.fromisoformat(fields[name]) if fields.get(name) else None
        values: dict[str, Any] = {name: fields.get(name) for name in cls.__dataclass_fields__}
        return cls(**values)


def _number(value) -> str:
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return f"{value.quantize(Decimal('0.1')).normalize():f}"


def _signed(value) -> str:
    if value == 0:
        return "0"
    return ("+" if value > 0 else "−") + _number(abs(value))


def _points(value) -> str:
    text = _number(value)
    return f"{text} point" if text == "1" else f"{text} points"


def _meaningful(key: str) -> str:
    """The published meaningful change with author and year, in plain words."""
    rule = scoring.CHANGE_RULES.get(key)
    if rule is None or rule.mcid is None:
        return "No published meaningful change for one client"
    text = f"{_points(rule.mcid)}"
    if rule.mcid_share is not None:
        text += f" or {int(rule.mcid_share * 100)}%"
    text += f" ({rule.mcid_source})"
    if rule.mdc is not None and rule.mdc > rule.mcid:
        text += f"; changes under {_points(rule.mdc)} can be measurement error ({rule.mdc_source})"
    return text


def _verdict(key: str, baseline, latest) -> tuple[str, bool | None]:
    rule = scoring.CHANGE_RULES.get(key)
    if rule is None:
        return "Change shown as measured; there is no published meaningful change to judge it by.", None
    change = scoring.real_change(key, baseline, latest)
    # Name the source of the figure that set the bar: the measurement error where
    # it is larger than the meaningful change (FAAM Sports, PSFS), else the MCID.
    source = rule.mdc_source if change.threshold == rule.mdc and rule.mdc != rule.mcid else rule.mcid_source
    needed = f"{_points(change.threshold)}; {source}"
    if change.verdict == "improved":
        return f"Improved by at least the meaningful change ({needed}).", True
    if change.verdict == "worse":
        return f"Worse by at least the meaningful change ({needed}).", False
    if change.verdict == "floor":
        return (
            f"Started at {_number(baseline)} or less, too low for a meaningful fall to show: "
            "judge by function.",
            None,
        )
    if change.verdict == "same":
        return "No change.", False
    return f"Changed by less than the meaningful change ({needed}).", False


def _row(key: str, side: str, series: list[tuple[date, Decimal | int]]) -> OutcomeRow:
    name, scale, unit = MEASURES[key]
    if side:
        name = f"{name}, {SIDE_WORDS.get(side, side)}"
    first_on, first = series[0]
    row = OutcomeRow(
        measure=name,
        scale=scale,
        baseline=_number(first),
        baseline_on=first_on,
        meaningful_change=_meaningful(key),
        latest="",
        latest_on=None,
        change="",
        verdict=NOT_ENOUGH,
        reached=None,
    )
    if len(series) < 2:
        return row
    last_on, last = series[-1]
    verdict, reached = _verdict(key, first, last)
    return replace(
        row,
        latest=_number(last),
        latest_on=last_on,
        change=_signed(Decimal(last) - Decimal(first)),
        verdict=verdict,
        reached=reached,
    )


def episode_bounds(note: VisitNote) -> tuple[date, date]:
    """(first day, last day) of the episode ``note`` closes, as clinic-local dates:
    from the first note of the episode (``VisitNote.objects.episode_of``) to the
    note itself (1 query)."""
    first = VisitNote.objects.episode_of(note).values_list("service_at", flat=True).first()
    end = timezone.localtime(note.service_at).date()
    start = timezone.localtime(first).date() if first else end
    return start, end


def measure_window(note: VisitNote) -> tuple[date | None, date]:
    """The days whose assessments count for ``note``'s episode (1 query): from the
    day after the previous signed discharge (None: from the client's first
    record) to the day of ``note``. An assessment taken before the episode's
    first visit note, at intake, is still the episode's baseline."""
    previous = VisitNote.objects.previous_discharge(note).values_list("service_at", flat=True).first()
    end = timezone.localtime(note.service_at).date()
    start = timezone.localtime(previous).date() + timedelta(days=1) if previous else None
    return start, end


def outcome_rows(note: VisitNote) -> list[OutcomeRow]:
    """The outcome table of ``note``'s episode, computed now (3 queries).

    Counted: the first-step pain of the episode's signed notes and of ``note``
    itself as it stands, and the scored outcome questionnaires of signed
    assessments (and ``note``'s own linked assessment) in ``measure_window``."""
    episode = list(
        VisitNote.objects.episode_of(note)
        .exclude(pk=note.pk)
        .signed()
        .filter(nprs_first_step__isnull=False)
        .values_list("service_at", "nprs_first_step")
    )
    start, end = measure_window(note)
    pain = [(timezone.localtime(at).date(), value) for at, value in episode]
    if note.nprs_first_step is not None:
        pain.append((end, note.nprs_first_step))
    rows = [_row("nprs", "", pain)] if pain else []
    series: dict[tuple[str, str], list] = {}
    for score in outcome_scores(
        note.client, start=start, end=end, include_assessment=getattr(note, "assessment_id", None)
    ):
        series.setdefault((score.instrument, score.side), []).append((score.assessed_on, score.score))
    order = list(MEASURES)
    for instrument, side in sorted(series, key=lambda k: (order.index(k[0]), k[1])):
        rows.append(_row(instrument, side, series[(instrument, side)]))
    return rows


def snapshot(rows: list[OutcomeRow]) -> list[dict]:
    return [row.as_json() for row in rows]


def rows_for(note: VisitNote) -> list[OutcomeRow]:
    """What the page and the PDF show for a discharge note: the signed snapshot
    once signed (no query), the live table while a draft."""
    if note.is_signed and note.discharge_outcome is not None:
        return [OutcomeRow.from_json(item) for item in note.discharge_outcome]
    return outcome_rows(note)


@dataclass(frozen=True)
class DischargeSummary:
    """A discharge note's summary for pages, printouts and other apps."""

    note: VisitNote
    discharged_on: date
    reason: str  # "Goals met", in plain words; "" if not recorded yet (a draft)
    detail: str
    rows: list[OutcomeRow]
    signed: bool

    @property
    def headline(self) -> str:
        """ "Discharged 3 Nov 2026: goals met"."""
        return headline(self.note)


def headline(note: VisitNote) -> str:
    """ "Discharged 3 Nov 2026: goals met" for a discharge note (no query)."""
    day = timezone.localtime(note.service_at).date()
    text = f"Discharged {day.day} {day:%b %Y}"
    reason = note.get_discharge_reason_display() if note.discharge_reason else ""
    return f"{text}: {reason[:1].lower()}{reason[1:]}" if reason else text


def summary_for(note: VisitNote) -> DischargeSummary | None:
    """The discharge summary of a discharge note, else None."""
    if not note.is_discharge:
        return None
    return DischargeSummary(
        note=note,
        discharged_on=timezone.localtime(note.service_at).date(),
        reason=note.get_discharge_reason_display() if note.discharge_reason else "",
        detail=(note.discharge_detail or "").strip(),
        rows=rows_for(note),
        signed=note.is_signed,
    )
