"""Derived findings: pure functions over already-loaded measurement rows.

Nothing here queries the database; selectors and views load the rows
(``Assessment.objects.with_rows()``) and pass them in.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

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
    verdict: str  # "improved" | "worse" | "no_real_change" | "changed" | "same" | ""
    text: str


def rows_by_key(measurements) -> dict[tuple[str, str], object]:
    return {(m.code, m.side): m for m in measurements}


def _sex_low(measure: Measure, sex: str) -> Decimal | None:
    norm = measure.norm
    if norm is None:
        return None
    if norm.low_by_sex and sex in norm.low_by_sex:
        return norm.low_by_sex[sex]
    return norm.low


def is_out_of_norm(measure: Measure, row, *, sex: str = "") -> bool:
    if row is None or row.status != "recorded" or measure.norm is None or measure.region == Region.PAIN:
        return False
    norm = measure.norm
    if norm.expected is not None:
        return row.choice != norm.expected
    value = row.value
    if value is None:
        return False
    low = _sex_low(measure, sex)
    if low is not None and value < low:
        return True
    return norm.high is not None and value > norm.high


def findings_for(measurements, *, sex: str = "", involved_side: str = "") -> list[Finding]:
    """Out-of-norm, positive, high-pain and asymmetry findings of one assessment."""
    rows = rows_by_key(measurements)
    found: list[Finding] = []
    for measure in catalogue.MEASURES:
        for side in measure.sides:
            row = rows.get((measure.code, side))
            if row is None or row.status != "recorded":
                continue
            shown = measure.display(value=row.value, choice=row.choice)
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
            if not is_out_of_norm(measure, row, sex=sex):
                continue
            kind = "positive" if measure.value_type == ValueType.POSNEG else "out_of_norm"
            norm = measure.norm
            where = f" ({SIDE_NAMES[side]})" if side else ""
            if kind == "positive":
                text = f"{measure.label}{where}: {shown.lower()}."
            else:
                text = (
                    f"{measure.label}{where} {shown}: outside the norm "
                    f"({norm.text}; {norm.source}{'' if norm.confirmed else ', unconfirmed'})."
                )
            found.append(Finding(measure.code, measure.label, measure.region, side, kind, text))
        asym = asymmetry_for(measure, rows, involved_side=involved_side)
        if asym is not None:
            found.append(asym)
    return found


def lsi_for(measure: Measure, rows, *, involved_side: str) -> tuple[float | None, str]:
    """(LSI percent, involved side) for a per-side numeric measure, or (None, "")."""
    if not measure.per_side or not measure.is_numeric or measure.higher_is_better is not True:
        return None, ""
    left, right = rows.get((measure.code, "L")), rows.get((measure.code, "R"))
    if not (left and right and left.value is not None and right.value is not None):
        return None, ""
    if left.status != "recorded" or right.status != "recorded":
        return None, ""
    # With no single involved side, compare the weaker side with the stronger.
    weaker = "L" if left.value <= right.value else "R"
    involved = involved_side if involved_side in ("L", "R") else weaker
    inv = left if involved == "L" else right
    uninv = right if involved == "L" else left
    if inv.value < 0 or uninv.value < 0:
        return None, ""
    return scoring.limb_symmetry_index(inv.value, uninv.value), involved


def asymmetry_for(measure: Measure, rows, *, involved_side: str) -> Finding | None:
    if not measure.per_side or not measure.is_numeric:
        return None
    left, right = rows.get((measure.code, "L")), rows.get((measure.code, "R"))
    if not (left and right and left.value is not None and right.value is not None):
        return None
    diff = abs(left.value - right.value)
    lsi, involved = lsi_for(measure, rows, involved_side=involved_side)
    flagged_diff = measure.asymmetry is not None and diff > measure.asymmetry
    flagged_lsi = measure.lsi_floor is not None and lsi is not None and Decimal(str(lsi)) < measure.lsi_floor
    if not (flagged_diff or flagged_lsi):
        return None
    if measure.higher_is_better is False:
        worse = "L" if left.value > right.value else "R"
    else:
        worse = "L" if left.value < right.value else "R"
    right_text = catalogue.with_unit(catalogue._fmt(right.value), measure.unit)
    parts = [f"L {catalogue._fmt(left.value)} vs R {right_text}"]
    if lsi is not None:
        parts.append(f"LSI {lsi:.0f}% ({SIDE_NAMES[involved]} involved)")
    if flagged_diff:
        parts.append(
            f"difference over {catalogue.with_unit(catalogue._fmt(measure.asymmetry), measure.unit)}"
        )
    if flagged_lsi:
        parts.append(f"LSI under {catalogue._fmt(measure.lsi_floor)}% (unconfirmed heuristic)")
    text = f"{measure.label} asymmetry: " + "; ".join(parts) + "."
    return Finding(measure.code, measure.label, measure.region, worse, "asymmetry", text)


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


def cells_for(measurements, *, sex: str = "") -> dict[str, list[Cell]]:
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
                text = measure.display(value=row.value, choice=row.choice)
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
                        is_out_of_norm(measure, row, sex=sex),
                    )
                )
        out[measure.code] = cells
    return out


def _verdict(measure: Measure, before, after) -> tuple[Decimal | None, str]:
    if measure.is_numeric or measure.value_type == ValueType.GRADE:
        if before.value is None or after.value is None:
            return None, ""
        delta = after.value - before.value
        if delta == 0:
            return delta, "same"
        if measure.mdc is None or measure.higher_is_better is None:
            return delta, "changed"
        if abs(delta) < measure.mdc:
            return delta, "no_real_change"
        better = delta > 0 if measure.higher_is_better else delta < 0
        return delta, "improved" if better else "worse"
    if before.choice == after.choice:
        return None, "same"
    expected = measure.norm.expected if measure.norm else None
    if expected is not None:
        if after.choice == expected:
            return None, "improved"
        if before.choice == expected:
            return None, "worse"
    return None, "changed"


JUDGED = ("improved", "worse", "no_real_change")
VERDICT_TEXT = {
    "improved": "improved beyond measurement error",
    "worse": "worse beyond measurement error",
    "no_real_change": "no real change (within MDC)",
    "changed": "changed (no MDC known)",
    "same": "unchanged",
    "": "",
}


def changes_between(earlier, later) -> list[Change]:
    """Each measure recorded in both assessments, judged against its MDC."""
    before_rows, after_rows = rows_by_key(earlier), rows_by_key(later)
    changes = []
    for measure in catalogue.MEASURES:
        for side in measure.sides:
            before, after = before_rows.get((measure.code, side)), after_rows.get((measure.code, side))
            if before is None or after is None or "not_tested" in (before.status, after.status):
                continue
            delta, verdict = _verdict(measure, before, after)
            mdc_value = catalogue.with_unit(catalogue._fmt(measure.mdc), measure.unit) if measure.mdc else ""
            mdc = f" (MDC {mdc_value}, {measure.mdc_source})" if measure.mdc else ""
            changes.append(
                Change(
                    measure.code,
                    measure.label,
                    side,
                    measure.display(value=before.value, choice=before.choice),
                    measure.display(value=after.value, choice=after.choice),
                    delta,
                    verdict,
                    VERDICT_TEXT[verdict]
                    + (mdc if verdict in ("improved", "worse", "no_real_change") else ""),
                )
            )
    return changes


def response_change(instrument: str, before, after) -> tuple[float | None, str]:
    """(delta, verdict) for two questionnaire scores, judged against the MCID."""
    if before is None or after is None:
        return None, ""
    delta = float(after) - float(before)
    if instrument not in scoring.MCID:
        return delta, "changed" if delta else "same"
    higher_better = scoring.HIGHER_IS_BETTER[instrument]
    if higher_better:
        if scoring.is_clinically_important_change(instrument, before, after):
            return delta, "improved"
        if scoring.is_clinically_important_change(instrument, after, before):
            return delta, "worse"
    return delta, "no_real_change" if delta else "same"
