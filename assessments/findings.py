"""Derived findings: pure functions over already-loaded measurement rows.

Nothing here queries the database; selectors and views load the rows
(``Assessment.objects.with_rows()``) and pass them in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from assessments import catalogue, scoring
from assessments.catalogue import HIGH_PAIN_AT, Measure, Region, ValueType

SIDE_NAMES = {"L": "left", "R": "right", "": ""}


@dataclass(frozen=True)
class Finding:
    code: str
    label: str
    region: str
    side: str
    kind: str  # "out_of_norm" | "asymmetry" | "positive" | "high_pain"
    text: str


@dataclass(frozen=True)
class Cell:
    """One measure on one side, ready to display."""

    measure: Measure
    side: str
    status: str  # "recorded" | "not_tested" | "blank"
    value: Decimal | None
    choice: str
    text: str
    flagged: bool


@dataclass(frozen=True)
class Change:
    measure_code: str
    label: str
    side: str
    before: str
    after: str
    delta: Decimal | None
    # "improved" | "worse" | "no_real_change" | "changed" | "same" | "floor" | "not_comparable" | ""
    verdict: str
    text: str


def age_on(date_of_birth, day) -> int | None:
    """Whole years on ``day`` (None when either date is missing)."""
    if date_of_birth is None or day is None:
        return None
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


class Row(Protocol):
    """What the derivations read from a recorded measurement (a ``Measurement``)."""

    @property
    def code(self) -> str: ...
    @property
    def side(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def value(self) -> Decimal | None: ...
    @property
    def choice(self) -> str: ...
    @property
    def position(self) -> str: ...
    @property
    def detail(self) -> str: ...


def rows_by_key(measurements: Iterable[Row]) -> dict[tuple[str, str], Row]:
    return {(m.code, m.side): m for m in measurements}


def _sex_low(measure: Measure, sex: str) -> Decimal | None:
    norm = measure.norm
    if norm is None:
        return None
    if norm.low_by_sex and sex in norm.low_by_sex:
        return norm.low_by_sex[sex]
    return norm.low


def sites_tested(row) -> int | None:
    """Monofilament: the number of sites tested, kept in the row's detail."""
    detail = (getattr(row, "detail", "") or "").strip()
    return int(detail) if detail.isdigit() else None


def is_out_of_norm(measure: Measure, row, *, sex: str = "", age: int | None = None) -> bool:
    if row is None or row.status != "recorded" or measure.norm is None or measure.region == Region.PAIN:
        return False
    if measure.value_type == ValueType.COUNT_OF:
        tested = sites_tested(row)
        return row.value is not None and tested is not None and row.value < tested
    norm = catalogue.norm_for(measure, sex=sex, age=age, position=getattr(row, "position", ""))
    if norm is None:
        return False
    if norm.expected is not None:
        return row.choice != norm.expected
    value = row.value
    if value is None:
        return False
    if norm.low is not None and value < norm.low:
        return True
    return norm.high is not None and value > norm.high


def _norm_words(norm: catalogue.ClientNorm) -> str:
    return f"{norm.text}; {norm.source}{'' if norm.confirmed else ', unconfirmed'}"


def findings_for(
    measurements, *, sex: str = "", involved_side: str = "", age: int | None = None
) -> list[Finding]:
    """Out-of-norm, positive, high-pain and asymmetry findings of one assessment.
    ``age`` (whole years on the assessment day) selects age-banded references;
    without it the heel-rise reference is not applied."""
    rows = rows_by_key(measurements)
    found: list[Finding] = []
    for measure in catalogue.MEASURES:
        for side in measure.sides:
            row = rows.get((measure.code, side))
            if row is None or row.status != "recorded":
                continue
            shown = display(measure, row, rows)
            if measure.region == Region.PAIN:
                if row.value is not None and row.value >= HIGH_PAIN_AT:
                    found.append(
                        Finding(
                            measure.code,
                            measure.label,
                            measure.region,
                            side,
                            "high_pain",
                            f"{measure.label} {shown} (high pain, {HIGH_PAIN_AT}/10 or more).",
                        )
                    )
                continue
            if not is_out_of_norm(measure, row, sex=sex, age=age):
                continue
            kind = (
                "positive"
                if measure.value_type == ValueType.POSNEG or measure.is_referral_screen
                else "out_of_norm"
            )
            where = f" ({SIDE_NAMES[side]})" if side else ""
            if kind == "positive":
                text = f"{measure.label}{where}: {shown[:1].lower()}{shown[1:]}."
                if measure.referral is not None:
                    text += f" {measure.referral.action}"
            else:
                norm = catalogue.norm_for(measure, sex=sex, age=age, position=row.position)
                assert norm is not None  # is_out_of_norm found this norm
                text = f"{measure.label}{where} {shown}: {norm.flag_text} ({_norm_words(norm)})."
            found.append(Finding(measure.code, measure.label, measure.region, side, kind, text))
        asym = asymmetry_for(measure, rows, involved_side=involved_side, sex=sex, age=age)
        if asym is not None:
            found.append(asym)
    return found


def lsi_for(measure: Measure, rows, *, involved_side: str) -> tuple[float | None, str]:
    """(LSI percent, involved side) for a capacity measure, or (None, "").

    Only capacity measures have an LSI (clinical reference R2.2.4); joint angles,
    lunge distance, navicular drop and FPI never do."""
    if not measure.has_lsi or not measure.is_numeric:
        return None, ""
    left, right = rows.get((measure.code, "L")), rows.get((measure.code, "R"))
    if not (left and right and left.value is not None and right.value is not None):
        return None, ""
    if left.status != "recorded" or right.status != "recorded":
        return None, ""
    if measure.positions and left.position != right.position:
        return None, ""
    less = measure.lsi == catalogue.Lsi.LESS
    # With no single involved side, compare the weaker side with the stronger.
    if less:
        weaker = "L" if left.value >= right.value else "R"
    else:
        weaker = "L" if left.value <= right.value else "R"
    involved = involved_side if involved_side in ("L", "R") else weaker
    inv = left if involved == "L" else right
    uninv = right if involved == "L" else left
    if inv.value < 0 or uninv.value < 0:
        return None, ""
    return scoring.capacity_lsi(inv.value, uninv.value, less_is_better=less), involved


def side_norm_texts(measure: Measure, rows, *, sex: str = "", age: int | None = None) -> list[str]:
    """Each side against its own norm, for showing beside an LSI (an LSI hides two weak legs)."""
    texts = []
    for side in ("L", "R"):
        row = rows.get((measure.code, side))
        if row is None or row.status != "recorded" or row.value is None:
            continue
        norm = catalogue.norm_for(measure, sex=sex, age=age, position=row.position)
        shown = display(measure, row, rows)
        if norm is None:
            texts.append(f"{side} {shown}: no norm")
        elif norm.low is not None or norm.high is not None:
            verdict = norm.flag_text if is_out_of_norm(measure, row, sex=sex, age=age) else "within reference"
            texts.append(f"{side} {shown}: {verdict}")
        elif norm.typical is not None:
            word = "below" if row.value < norm.typical else "at or above"
            texts.append(f"{side} {shown}: {word} the typical {catalogue._fmt(norm.typical)} {measure.unit}")
        else:
            texts.append(f"{side} {shown}: no norm to compare with")
    return texts


def asymmetry_for(
    measure: Measure, rows, *, involved_side: str, sex: str = "", age: int | None = None
) -> Finding | None:
    if not measure.per_side or not measure.is_numeric:
        return None
    left, right = rows.get((measure.code, "L")), rows.get((measure.code, "R"))
    if not (left and right and left.value is not None and right.value is not None):
        return None
    if left.status != "recorded" or right.status != "recorded":
        return None
    if measure.positions and left.position != right.position:
        return None  # compare like with like only
    diff = abs(left.value - right.value)
    lsi, involved = lsi_for(measure, rows, involved_side=involved_side)
    # "At or above": a difference of exactly the measurement error is beyond it (R2.2.3).
    flagged_diff = measure.asymmetry is not None and diff >= measure.asymmetry
    flagged_lsi = measure.lsi_floor is not None and lsi is not None and Decimal(str(lsi)) < measure.lsi_floor
    if not (flagged_diff or flagged_lsi):
        return None
    if measure.higher_is_better is False or measure.lsi == catalogue.Lsi.LESS:
        worse = "L" if left.value > right.value else "R"
    else:
        worse = "L" if left.value < right.value else "R"
    right_text = catalogue.with_unit(catalogue._fmt(right.value), measure.unit)
    parts = [f"L {catalogue._fmt(left.value)} vs R {right_text}"]
    if lsi is not None:
        parts.append(f"LSI {lsi:.0f}% ({SIDE_NAMES[involved]} involved)")
    if flagged_diff:
        limit = catalogue.with_unit(catalogue._fmt(measure.asymmetry), measure.unit)
        tail = "" if measure.asymmetry_confirmed else ", unconfirmed"
        parts.append(
            f"difference {catalogue.with_unit(catalogue._fmt(diff), measure.unit)}, at least {limit}: "
            f"{measure.asymmetry_source}{tail}"
        )
    if flagged_lsi:
        parts.append(
            f"LSI under {catalogue._fmt(measure.lsi_floor)}% (a consensus target, unconfirmed; "
            "85% was met by over 90% of healthy people on hop tests, Barber 1990)"
        )
        parts.extend(side_norm_texts(measure, rows, sex=sex, age=age))
    text = f"{measure.label} {measure.asymmetry_word}: " + "; ".join(parts) + "."
    return Finding(measure.code, measure.label, measure.region, worse, "asymmetry", text)


def display(measure: Measure, row, rows=None) -> str:
    """A recorded row as text, with what the row alone cannot say: the BMI band,
    force per body weight (from the same assessment's weight), sites felt of tested."""
    text = measure.display(value=row.value, choice=row.choice)
    if row.value is None:
        return text
    if measure.value_type == ValueType.COUNT_OF:
        tested = sites_tested(row)
        if tested is None:
            return f"{catalogue._fmt(row.value)} sites felt (number tested not recorded)"
        return f"{catalogue._fmt(row.value)} of {tested} sites felt"
    if measure.code == "bmi":
        return f"{text} ({catalogue.bmi_band(row.value)})"
    if measure.code == "hip_abd_hhd" and rows is not None:
        weight = rows.get(("weight_kg", ""))
        if weight is not None and weight.status == "recorded" and weight.value:
            per_kg, pct = scoring.hhd_normalise(row.value, weight.value)
            return f"{text} ({per_kg:.1f} N/kg, {pct:.0f}% body weight)"
    return text


def chain_status(measurements, findings: list[Finding]) -> dict[str, str]:
    """Status of each chain link: "impaired", "ok" (within norm) or "not_tested"."""
    recorded_regions = {catalogue.get(m.code).region for m in measurements if m.status == "recorded"}
    impaired = {f.region for f in findings if f.kind != "high_pain"}
    status = {}
    for region in Region.CHAIN:
        if region in impaired:
            status[region] = "impaired"
        elif region in recorded_regions:
            status[region] = "ok"
        else:
            status[region] = "not_tested"
    return status


def cells_for(measurements, *, sex: str = "", age: int | None = None) -> dict[str, list[Cell]]:
    """Every catalogue measure as display cells, by code (one per side)."""
    rows = rows_by_key(measurements)
    out: dict[str, list[Cell]] = {}
    for measure in catalogue.MEASURES:
        cells = []
        for side in measure.sides:
            row = rows.get((measure.code, side))
            if row is None:
                cells.append(Cell(measure, side, "blank", None, "", "", False))
            elif row.status != "recorded":
                cells.append(Cell(measure, side, "not_tested", None, "", "not tested", False))
            else:
                text = display(measure, row, rows)
                if row.detail and measure.value_type == ValueType.DOMAINS:
                    names = dict(measure.choices)
                    text += " (" + ", ".join(names.get(d, d) for d in row.detail.split(",") if d) + ")"
                cells.append(
                    Cell(
                        measure,
                        side,
                        "recorded",
                        row.value,
                        row.choice,
                        text,
                        is_out_of_norm(measure, row, sex=sex, age=age),
                    )
                )
        out[measure.code] = cells
    return out


def _position_name(measure: Measure, position: str) -> str:
    return dict(measure.positions).get(position, "position not recorded").lower()


def _verdict(measure: Measure, before, after) -> tuple[Decimal | None, str, str]:
    """(delta, verdict, text) for one measure on one side."""
    if measure.value_type == ValueType.COUNT_OF:
        was, now = is_out_of_norm(measure, before), is_out_of_norm(measure, after)
        if was and not now:
            return None, "improved", "now felt at every site tested"
        if now and not was:
            return None, "worse", "no longer felt at every site tested"
        same = before.value == after.value and sites_tested(before) == sites_tested(after)
        return None, ("same" if same else "changed"), VERDICT_TEXT["same" if same else "changed"]
    if measure.is_numeric or measure.value_type == ValueType.GRADE:
        if before.value is None or after.value is None:
            return None, "", ""
        delta = after.value - before.value
        if measure.positions and (before.position != after.position or not after.position):
            # Compare like with like: another (or an unknown) test position is not a change.
            return (
                delta,
                "not_comparable",
                f"not compared: {_position_name(measure, before.position)} then "
                f"{_position_name(measure, after.position)}",
            )
        if measure.change_rule:
            if measure.change_rule == "hhd" and before.value <= 0:
                return delta, "changed", VERDICT_TEXT["changed"]
            judged = scoring.real_change(measure.change_rule, before.value, after.value)
            return delta, judged.verdict, judged.text
        if delta == 0:
            return delta, "same", VERDICT_TEXT["same"]
        if measure.mdc is None or measure.higher_is_better is None:
            return delta, "changed", VERDICT_TEXT["changed"]
        if abs(delta) < measure.mdc:
            return delta, "no_real_change", VERDICT_TEXT["no_real_change"]
        better = delta > 0 if measure.higher_is_better else delta < 0
        verdict = "improved" if better else "worse"
        return delta, verdict, VERDICT_TEXT[verdict]
    if before.choice == after.choice:
        return None, "same", VERDICT_TEXT["same"]
    norm = measure.norm
    if norm is not None and norm.expected is not None:
        if after.choice == norm.expected:
            return None, "improved", "now " + (norm.text or "as expected")
        if before.choice == norm.expected:
            return None, "worse", "no longer " + (norm.text or "as expected")
    return None, "changed", VERDICT_TEXT["changed"]


JUDGED = ("improved", "worse", "no_real_change")
VERDICT_TEXT = {
    "improved": "improved beyond measurement error",
    "worse": "worse beyond measurement error",
    "no_real_change": "no real change (within measurement error)",
    "changed": "changed (no measurement error known)",
    "same": "unchanged",
    "floor": "floor: judge by function",
    "not_comparable": "not compared: different test position",
    "": "",
}


def changes_between(earlier, later) -> list[Change]:
    """Each measure recorded in both assessments, judged by its real-change rule:
    |change| >= max(MDC, MCID) (clinical reference R2.2.5). Measures with a test
    position are compared only when both were tested in the same position."""
    before_rows, after_rows = rows_by_key(earlier), rows_by_key(later)
    changes = []
    for measure in catalogue.MEASURES:
        for side in measure.sides:
            before, after = before_rows.get((measure.code, side)), after_rows.get((measure.code, side))
            if before is None or after is None or "not_tested" in (before.status, after.status):
                continue
            delta, verdict, text = _verdict(measure, before, after)
            changes.append(
                Change(
                    measure.code,
                    measure.label,
                    side,
                    display(measure, before, before_rows),
                    display(measure, after, after_rows),
                    delta,
                    verdict,
                    text,
                )
            )
    return changes


def response_change(instrument: str, before, after) -> tuple[float | None, str]:
    """(delta, verdict) for two questionnaire scores, judged by the real-change rule
    |change| >= max(MDC, MCID) (clinical reference R2.2.5)."""
    if before is None or after is None:
        return None, ""
    delta = float(after) - float(before)
    if instrument not in scoring.CHANGE_RULES:
        return delta, "changed" if delta else "same"
    return delta, scoring.real_change(instrument, before, after).verdict


def response_change_text(instrument: str, before, after) -> str:
    """The words behind ``response_change``: threshold, MDC and MCID with sources."""
    if before is None or after is None or instrument not in scoring.CHANGE_RULES:
        return ""
    return scoring.real_change(instrument, before, after).text


def referrals_for(measurements) -> list[dict]:
    """Positive referral screens of one assessment, in plain words with their urgency."""
    rows = rows_by_key(measurements)
    out = []
    for measure in catalogue.MEASURES:
        if measure.referral is None:
            continue
        for side in measure.sides:
            row = rows.get((measure.code, side))
            if row is None or not is_out_of_norm(measure, row):
                continue
            out.append(
                {
                    "code": measure.code,
                    "label": measure.label,
                    "side": side,
                    "side_name": SIDE_NAMES[side],
                    "result": display(measure, row, rows),
                    "reason": measure.referral.reason,
                    "action": measure.referral.action,
                    "urgency": measure.referral.urgency,
                }
            )
    return out
