"""Page data for assessments: pure functions that turn already-loaded rows into
what templates show (no queries here; callers load with ``with_rows()``)."""

from __future__ import annotations

from decimal import Decimal

from assessments import bodychart, catalogue, diagrams, scoring
from assessments import findings as derive
from assessments.catalogue import Region
from assessments.models import QuestionnaireResponse
from assessments.scoring import CHANGE_RULES, MCID, MDC
from core.charts import cached_svg, line_chart_svg

KIND_LABELS = {
    "out_of_norm": "Out of norm",
    "asymmetry": "Asymmetry",
    "positive": "Positive test",
    "high_pain": "High pain",
}
INSTRUMENT_ORDER = ["lefs", "faam_adl", "faam_sports", "psfs", "ffi", "fpi6"]
INSTRUMENT_INFO = {
    "lefs": ("LEFS", "0–80, higher is better", "Binkley 1999"),
    "faam_adl": ("FAAM ADL", "%, higher is better", "Martin 2005"),
    "faam_sports": ("FAAM Sports", "%, higher is better", "Martin 2005"),
    "psfs": ("PSFS", "mean 0–10, higher is better", "Stratford 1995"),
    "ffi": ("FFI", "%, higher is worse", "Budiman-Mak 1991"),
    "fpi6": ("FPI-6", "−12 to +12", "Redmond 2008"),
}


def _short(finding: derive.Finding, rows) -> str:
    """A few words for a chain-summary node, e.g. "L Knee-to-wall 7 cm"."""
    measure = catalogue.get(finding.code)
    side = f"{finding.side} " if finding.side else ""
    if finding.kind == "asymmetry":
        return f"{measure.short_label} L/R gap"
    row = rows.get((finding.code, finding.side))
    if finding.kind == "positive":
        word = "observed" if measure.region == Region.GAIT else "positive"
        return f"{side}{measure.short_label} {word}"
    shown = measure.display(value=row.value, choice=row.choice).split(" (")[0] if row is not None else ""
    return f"{side}{measure.short_label} {shown}".strip()


def chain_svg(measurements, found: list[derive.Finding]) -> str:
    status = derive.chain_status(measurements, found)
    notes: dict[str, list[str]] = {}
    rows = derive.rows_by_key(measurements)
    for finding in found:
        if finding.region in Region.CHAIN:
            notes.setdefault(finding.region, []).append(_short(finding, rows))
    for region in Region.CHAIN:
        if status[region] == "ok":
            count = sum(
                1 for m in measurements if m.status == "recorded" and catalogue.get(m.code).region == region
            )
            notes[region] = [f"{count} result{'s' if count != 1 else ''} in norm"]
    return cached_svg(
        ("chain", sorted(status.items()), sorted(notes.items())),
        lambda: diagrams.chain_drawing(status, notes),
    )


def response_rows(responses) -> list[dict]:
    order = {name: i for i, name in enumerate(INSTRUMENT_ORDER)}
    rows = []
    for response in sorted(responses, key=lambda r: (order.get(r.instrument, 99), r.side)):
        name, scale, source = INSTRUMENT_INFO[response.instrument]
        subscales = [
            (key.replace("_", " ").capitalize(), value) for key, value in (response.subscales or {}).items()
        ]
        rule = CHANGE_RULES.get(response.instrument)
        rows.append(
            {
                "response": response,
                "change_rule": f"Real change: {_fmt_rule(rule.threshold())} or more. {rule.describe()}."
                if rule
                else "",
                "name": f"{name}{' ' + response.side if response.side else ''}",
                "scale": scale,
                "source": source,
                "subscales": subscales,
                "psfs_items": response.items if response.instrument == "psfs" else [],
            }
        )
    return rows


def client_age(client, day) -> int | None:
    return derive.age_on(getattr(client, "date_of_birth", None), day)


def _position_of(measure, rows_by_key) -> tuple[str, str]:
    """(position code, words) of a measure's recorded rows; "position not recorded"
    for older rows of a measure that has test positions."""
    if not measure.positions:
        return "", ""
    recorded = [
        rows_by_key[(measure.code, s)]
        for s in measure.sides
        if (measure.code, s) in rows_by_key and rows_by_key[(measure.code, s)].status == "recorded"
    ]
    if not recorded:
        return "", ""
    codes = {r.position for r in recorded}
    if len(codes) > 1:
        names = ", ".join(
            f"{r.side} {dict(measure.positions).get(r.position, 'position not recorded').lower()}"
            for r in recorded
        )
        return "", f"sides in different positions: {names}; not compared"
    code = codes.pop()
    return code, dict(measure.positions).get(code, "") if code else "position not recorded"


def measure_sections(measurements, *, client, age: int | None = None) -> list[dict]:
    """Region sections of display rows: L, R (or single), LSI with each side against
    its norm, and the norm that applies to this client (age, sex, test position)."""
    cells = derive.cells_for(measurements, sex=client.sex, age=age)
    rows_by_key = derive.rows_by_key(measurements)
    sections = []
    for region, label, measures in catalogue.by_region():
        rows = []
        for measure in measures:
            measure_cells = cells[measure.code]
            if all(c.status == "blank" for c in measure_cells):
                continue
            lsi, involved = derive.lsi_for(measure, rows_by_key, involved_side=client.involved_side)
            position_code, position = _position_of(measure, rows_by_key)
            rows.append(
                {
                    "measure": measure,
                    "cells": measure_cells,
                    "lsi": lsi,
                    "involved": involved,
                    "position": position,
                    "norm": catalogue.norm_for(measure, sex=client.sex, age=age, position=position_code),
                    "side_norms": derive.side_norm_texts(measure, rows_by_key, sex=client.sex, age=age)
                    if lsi is not None
                    else [],
                }
            )
        if rows:
            sections.append({"region": region, "label": label, "rows": rows})
    return sections


def detail_context(assessment, history, *, number: int, total: int) -> dict:
    client = assessment.client
    measurements = list(assessment.measurements.all())
    age = client_age(client, assessment.assessed_on)
    found = derive.findings_for(measurements, sex=client.sex, involved_side=client.involved_side, age=age)
    previous = history.previous_to(assessment)
    baseline = history.baseline if history.baseline and history.baseline.pk != assessment.pk else None
    changes = []
    if previous is not None:
        changes = [
            {"change": c, "word": VERDICT_SHORT[c.verdict]}
            for c in derive.changes_between(list(previous.measurements.all()), measurements)
            if c.verdict in ("improved", "worse", "floor")
        ]
    return {
        "assessment": assessment,
        "client": client,
        "chain_svg": chain_svg(measurements, found),
        "found": [{"finding": f, "kind_label": KIND_LABELS[f.kind]} for f in found],
        "sections": measure_sections(measurements, client=client, age=age),
        "referrals": derive.referrals_for(measurements),
        "age": age,
        "responses": response_rows(assessment.responses.all()),
        "body_views": bodychart.views_with_marks(assessment.marks.all()),
        "marks": [
            {"mark": m, "where": bodychart.BY_KEY[f"{m.view}:{m.region}:{m.side}"].full_label}
            for m in assessment.marks.all()
        ],
        "region_findings": [
            (Region.LABELS[r], assessment.findings[r]) for r in Region.ORDER if assessment.findings.get(r)
        ],
        "previous": previous,
        "baseline": baseline,
        "changes": changes,
        "number": number,
        "total": total,
    }


def _score_map(assessment) -> dict[tuple[str, str], QuestionnaireResponse]:
    return {(r.instrument, r.side): r for r in assessment.responses.all()}


def compare_context(assessment, history) -> dict:
    measurements = list(assessment.measurements.all())
    previous = history.previous_to(assessment)
    baseline = history.baseline if history.baseline and history.baseline.pk != assessment.pk else None
    columns = [("Baseline", baseline), ("Previous", previous if previous != baseline else None)]
    rows = []
    before_maps = {label: derive.rows_by_key(list(a.measurements.all())) if a else {} for label, a in columns}
    this_map = derive.rows_by_key(measurements)
    judged = {
        label: {
            (c.measure_code, c.side): c
            for c in derive.changes_between(list(a.measurements.all()), measurements)
        }
        if a
        else {}
        for label, a in columns
    }
    for _region, region_label, measures in catalogue.by_region():
        region_rows = []
        for measure in measures:
            for side in measure.sides:
                key = (measure.code, side)
                values = [_cell_text(measure, before_maps[label].get(key)) for label, _ in columns]
                now = this_map.get(key)
                if now is None and not any(values):
                    continue
                region_rows.append(
                    {
                        "measure": measure,
                        "side": side,
                        "before": values,
                        "now": _cell_text(measure, now),
                        "changes": [_change_cell(measure, judged[label].get(key)) for label, _ in columns],
                    }
                )
        if region_rows:
            rows.append({"label": region_label, "rows": region_rows})
    score_rows = []
    this_scores = _score_map(assessment)
    before_scores = {label: _score_map(a) if a else {} for label, a in columns}
    for (instrument, side), response in sorted(
        this_scores.items(), key=lambda kv: (INSTRUMENT_ORDER.index(kv[0][0]), kv[0][1])
    ):
        name = INSTRUMENT_INFO[instrument][0]
        cells = []
        for label, _ in columns:
            earlier = before_scores[label].get((instrument, side))
            earlier_score = earlier.score if earlier else None
            delta, verdict = derive.response_change(instrument, earlier_score, response.score)
            title = derive.response_change_text(instrument, earlier_score, response.score)
            cells.append(
                {
                    "score": earlier_score,
                    "delta": delta,
                    "verdict": verdict,
                    "label": _verdict_label(verdict, title),
                    "title": title,
                }
            )
        rule = CHANGE_RULES.get(instrument)
        score_rows.append(
            {
                "name": f"{name}{' ' + side if side else ''}",
                "now": response.score,
                "reason": response.reason,
                "cells": cells,
                "mcid": MCID.get(instrument),
                "mdc": MDC.get(instrument),
                "rule": rule.describe() if rule else "no MDC or MCID known",
                "threshold": _fmt_rule(rule.threshold()) if rule else "",
            }
        )
    score_rows.extend(_psfs_activity_rows(this_scores, before_scores, columns))
    chains = []
    client = assessment.client
    for label, other in [("Baseline", baseline), ("This assessment", assessment)]:
        if other is None:
            continue
        rows_of = list(other.measurements.all())
        found = derive.findings_for(
            rows_of,
            sex=client.sex,
            involved_side=client.involved_side,
            age=client_age(client, other.assessed_on),
        )
        chains.append({"label": label, "date": other.assessed_on, "svg": chain_svg(rows_of, found)})
    return {
        "assessment": assessment,
        "client": assessment.client,
        "chains": chains,
        "columns": columns,
        "rows": rows,
        "score_rows": score_rows,
        "verdict_text": derive.VERDICT_TEXT,
    }


def _psfs_activity_rows(this_scores, before_scores, columns) -> list[dict]:
    """Each PSFS activity re-rated against the same activity (by its key) earlier,
    judged by the one-activity rule (MDC 3, no MCID published)."""
    now = this_scores.get(("psfs", ""))
    if now is None:
        return []
    rule = CHANGE_RULES["psfs_activity"]
    earlier_items = {
        label: {item.get("key"): item.get("rating") for item in (before.get(("psfs", "")).items or [])}
        if before.get(("psfs", ""))
        else {}
        for label, before in before_scores.items()
    }
    rows = []
    for item in now.items or []:
        rating = item.get("rating")
        cells = []
        for label, _ in columns:
            before = earlier_items[label].get(item.get("key"))
            if before is None or rating is None:
                cells.append({"score": before, "delta": None, "verdict": "", "label": "", "title": ""})
                continue
            judged = scoring.real_change("psfs_activity", before, rating)
            cells.append(
                {
                    "score": before,
                    "delta": float(judged.delta),
                    "verdict": judged.verdict,
                    "label": _verdict_label(judged.verdict, judged.text),
                    "title": judged.text,
                }
            )
        rows.append(
            {
                "name": f"PSFS activity: {item.get('label', '')}",
                "now": rating,
                "reason": "" if rating is not None else "not rated",
                "cells": cells,
                "mcid": None,
                "mdc": MDC["psfs_activity"],
                "rule": rule.describe(),
                "threshold": _fmt_rule(rule.threshold()),
            }
        )
    return rows


VERDICT_SHORT = {
    "improved": "Improved",
    "worse": "Worse",
    "no_real_change": "No real change",
    "changed": "Changed",
    "same": "Unchanged",
    "floor": "Floor: judge by function",
    "not_comparable": "Not compared",
}


def _verdict_label(verdict: str, text: str) -> str:
    """ "Improved (important)" where an MCID is passed too, "Improved (measurable)" where
    only an MDC exists (R2.2.5)."""
    label = VERDICT_SHORT.get(verdict, "")
    if verdict in ("improved", "worse"):
        if "measurable change" in text:
            return f"{label} (measurable)"
        if "important change" in text:
            return f"{label} (important)"
    return label


def _change_cell(measure, change) -> dict | None:
    if change is None or not change.verdict:
        return None
    delta = ""
    if change.delta is not None and change.verdict != "same" and measure.is_numeric:
        sign = "+" if change.delta > 0 else "−" if change.delta < 0 else ""
        delta = f"{sign}{measure.display(value=abs(change.delta), choice='').split(' (')[0]}"
    label = _verdict_label(change.verdict, change.text)
    return {
        "delta": delta,
        "verdict": change.verdict,
        "label": label,
        "title": change.text,
    }


def _cell_text(measure, row) -> str:
    if row is None:
        return ""
    if row.status != "recorded":
        return "not tested"
    return measure.display(value=row.value, choice=row.choice)


# --- Progress charts -----------------------------------------------------

CHARTED_SCORES = (
    ("lefs", "LEFS", "points", 0, 80),
    ("faam_adl", "FAAM ADL", "%", 0, 100),
    ("faam_sports", "FAAM Sports", "%", 0, 100),
    ("psfs", "PSFS (mean)", "0–10", 0, 10),
)


def _band_from_baseline(base_value, mcid: float, *, higher_is_better: bool, label: str):
    """The band a follow-up must leave to count as a clinically important change."""
    if base_value is None:
        return None
    base = float(base_value)
    return (base, base + mcid if higher_is_better else base - mcid, label)


def _fmt_rule(value) -> str:
    return catalogue._fmt(Decimal(value.numerator) / Decimal(value.denominator))


def _mdc_mcid_short(rule, unit: str = "") -> str:
    """ "MDC 1.9 cm (Powden 2015), no MCID" for a chart band."""
    mdc = (
        f"MDC {catalogue.with_unit(_fmt_rule(rule.mdc), unit or rule.unit.strip())} "
        f"({rule.mdc_source.split(', ')[-1]})"
    )
    if rule.mcid is None:
        return f"{mdc}, no MCID"
    return f"{mdc}, MCID {_fmt_rule(rule.mcid)} ({rule.mcid_source.split(', ')[-1]})"


def progress_charts(history, *, draw=line_chart_svg) -> list[dict]:
    """Outcome scores and charted measures over time, each with its MCID/MDC band
    drawn from the baseline value (change inside the band is not yet important).
    ``history`` is a ``selectors.ChartHistory``: plain values, oldest first.
    ``draw`` makes each chart: SVG for a page, ``core.charts.line_chart`` (a
    ReportLab drawing) for a printout."""
    charts = []
    order = {a.pk: i for i, a in enumerate(history.assessments)}
    dates = {a.pk: a.assessed_on for a in history.assessments}
    responses = sorted(history.responses, key=lambda r: order[r[0]])
    measurements = sorted(history.measurements, key=lambda m: order[m[0]])
    for instrument, title, unit, lo, hi in CHARTED_SCORES:
        points = [
            (dates[aid], score) for aid, code, score in responses if code == instrument and score is not None
        ]
        if not points:
            continue
        rule = CHANGE_RULES[instrument]
        threshold = float(rule.threshold(points[0][1]))
        band = _band_from_baseline(
            points[0][1],
            threshold,
            higher_is_better=True,
            label=f"real change {threshold:g}: {_mdc_mcid_short(rule)}",
        )
        svg = draw([(title, points)], title=title, y_label=unit, band=band, y_min=lo, y_max=hi)
        charts.append({"key": instrument, "svg": svg})
    for measure in [m for m in catalogue.MEASURES if m.charted]:
        series = []
        for side in measure.sides:
            points = [
                (dates[aid], value)
                for aid, code, m_side, status, value in measurements
                if code == measure.code and m_side == side and status == "recorded" and value is not None
            ]
            if points:
                series.append(({"L": "Left", "R": "Right", "": measure.label}[side], points))
        if not series:
            continue
        band = None
        first = series[0][1][0][1]
        measure_rule = CHANGE_RULES.get(measure.change_rule)
        if measure_rule is not None and not measure_rule.relative:
            threshold = float(measure_rule.threshold(first))
            band = _band_from_baseline(
                first,
                threshold,
                higher_is_better=bool(measure.higher_is_better),
                label=f"real change {catalogue.with_unit(f'{threshold:g}', measure.unit)}: "
                f"{_mdc_mcid_short(measure_rule, measure.unit)}",
            )
        elif measure_rule is not None and measure_rule.relative and first:
            threshold = float(first) * float(measure_rule.threshold()) / 100
            band = _band_from_baseline(
                first,
                threshold,
                higher_is_better=bool(measure.higher_is_better),
                label=f"real change {_fmt_rule(measure_rule.threshold())}% of baseline: "
                f"{_mdc_mcid_short(measure_rule)}",
            )
        y_min = y_max = None
        if measure.region == Region.PAIN:
            # Pain is charted on its full 0–10 scale; every pain measure sets both ends.
            assert measure.min_value is not None and measure.max_value is not None
            y_min, y_max = float(measure.min_value), float(measure.max_value)
        svg = draw(
            series,
            title=f"{measure.label} ({measure.unit})",
            y_label=measure.unit,
            band=band,
            y_min=y_min,
            y_max=y_max,
        )
        charts.append({"key": measure.code, "svg": svg})
    return charts


def body_chart_trend(history, *, last: int = 6) -> dict | None:
    """Worst intensity per body-chart region at each of the latest assessments
    (``history`` is a ``selectors.ChartHistory``)."""
    recent = history.assessments[-last:]
    index_of = {a.pk: i for i, a in enumerate(recent)}
    worst: dict[str, dict[int, int]] = {}
    for aid, view, region, side, intensity in history.marks:
        if aid not in index_of:
            continue
        cells = worst.setdefault(f"{view}:{region}:{side}", {})
        cells[index_of[aid]] = max(cells.get(index_of[aid], 0), intensity)
    if not worst:
        return None
    order = {spot.key: i for i, spot in enumerate(bodychart.SPOTS)}
    rows = [
        {"label": bodychart.BY_KEY[key].full_label, "cells": [cells.get(i) for i in range(len(recent))]}
        for key, cells in sorted(worst.items(), key=lambda kv: order.get(kv[0], 999))
    ]
    return {"dates": [a.assessed_on for a in recent], "rows": rows}


def saved_summary(assessment) -> dict:
    """What the saved version of a draft holds, shown beside a refused stale save
    so the therapist can compare it with what they typed."""
    cells = derive.cells_for(list(assessment.measurements.all()), sex=assessment.client.sex)
    measures = [
        f"{cell.measure.label}{' ' + cell.side if cell.side else ''}: {cell.text}"
        for measure_cells in cells.values()
        for cell in measure_cells
        if cell.status != "blank"
    ]
    return {
        "assessed_on": assessment.assessed_on,
        "findings": [
            (Region.LABELS[r], assessment.findings[r]) for r in Region.ORDER if assessment.findings.get(r)
        ],
        "measures": measures,
        "questionnaires": [row["name"] for row in response_rows(assessment.responses.all())],
        "url": assessment.get_absolute_url(),
    }
