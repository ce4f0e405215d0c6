"""What a progress report shows, built once for the screen and the PDF.

``report_content(...)`` reads the client's signed records in the period and
returns plain, JSON-ready data (dates as ISO text): the same dict is shown on
the draft page, printed, and stored at signing (``ProgressReport.content``),
so a signed report prints exactly what was signed. ``content_for(report)``
picks the stored content of a signed report and builds it for a draft.

Every figure carries its source (author and year) and is worded for its
reader: plain words for a client, findings language within massage scope for
a referrer (clinical reference R2.2.5 and R2.7). Reads only signed visit notes
and signed assessments that are not marked entered in error: a draft can
still change.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, Min, Q
from django.utils import timezone

from assessments import catalogue, scoring
from assessments import findings as derive
from assessments.models import Assessment, Measurement, QuestionnaireResponse
from clinic.models import ClinicProfile, HealthScreen
from clinic.screening import AMBER, RED, flags_from_answers
from core.charts import line_chart_svg
from notes.models import Treatment, VisitNote
from programs.models import Adherence, ProgramItem, ProgramVersion

CLIENT = "client"
REFERRER = "referrer"

# key, name for a client, name for a referrer, unit, lowest, highest
SCORES = (
    ("lefs", "Everyday activities score", "LEFS (Lower Extremity Functional Scale)", "points", 0, 80),
    ("faam_adl", "Daily activities score", "FAAM ADL (Foot and Ankle Ability Measure)", "%", 0, 100),
    ("faam_sports", "Sport score", "FAAM Sports (Foot and Ankle Ability Measure)", "%", 0, 100),
    (
        "psfs",
        "Activities you chose (average)",
        "PSFS mean (Patient-Specific Functional Scale)",
        "0–10",
        0,
        10,
    ),
)
SCORE_SCALE_WORDS = {
    "lefs": "0 to 80, higher is better",
    "faam_adl": "0 to 100%, higher is better",
    "faam_sports": "0 to 100%, higher is better",
    "psfs": "0 to 10, higher is better",
}
# How a measured change reads, for each reader. Changes without a judgement are left out.
CHANGE_WORDS = {
    CLIENT: {
        "improved": "better, by more than the test's normal variation",
        "worse": "worse, by more than the test's normal variation",
        "no_real_change": "about the same (within the test's normal variation)",
        "same": "unchanged",
        "changed": "changed",
    },
    REFERRER: {
        "improved": "improved beyond measurement error",
        "worse": "worse beyond measurement error",
        "no_real_change": "no real change (within measurement error)",
        "same": "unchanged",
        "changed": "changed (no measurement error known)",
    },
}
SIDE_WORDS = {"L": "left", "R": "right", "": ""}
# How a health-screen flag reads in a letter.
FLAG_WORDS = {RED: "Red flag", AMBER: "Amber flag"}
FLAG_OTHER = "Local caution"
# Urgencies for which the client was also told to seek care now (printed on the letter).
SEEK_CARE_NOW = {"emergency", "same_day"}
URGENCY_WORDS = {
    "emergency": "Emergency",
    "same_day": "Same day",
    "within_week": "Within a week",
    "routine": "Routine",
}
CHAIN_LINES = 8


class EmptyPeriod(Exception):
    """No signed visit in the chosen period: there is nothing to report."""

    message = "There are no signed visits in this period. Choose dates that include at least one visit."


def _iso(value) -> str:
    return value.isoformat() if value else ""


def _period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), tz),
        timezone.make_aware(datetime.combine(end, time.max), tz),
    )


def period_notes(client, start: date, end: date) -> list[VisitNote]:
    """Signed, valid visits of the client in the period, oldest first (1 query)."""
    low, high = _period_bounds(start, end)
    return list(
        VisitNote.objects.filter(client=client, signed_at__isnull=False, service_at__range=(low, high))
        .with_error_flag()
        .filter(in_error=False)
        .order_by("service_at", "id")
    )


def default_period(client) -> tuple[date, date]:
    """First visit to today (1 query); today to today for a client with none."""
    today = timezone.localdate()
    first = VisitNote.objects.filter(client=client).aggregate(first=Min("service_at"))["first"]
    return (timezone.localdate(first) if first else today), today


def discharge_of(notes: list[VisitNote]) -> dict[str, str] | None:
    """The discharge, if the latest signed visit of the period was one: its date, the
    reason for discharge in plain words, the therapist's detail and the plan (no query:
    the period's notes are loaded already)."""
    if not notes or notes[-1].kind != VisitNote.Kind.DISCHARGE:
        return None
    last = notes[-1]
    return {
        "date": _iso(timezone.localdate(last.service_at)),
        "plan": last.plan_next.strip(),
        "reason": last.get_discharge_reason_display() if last.discharge_reason else "",
        "detail": (last.discharge_detail or "").strip(),
    }


def discharge_words(discharge: dict[str, str]) -> str:
    """ "Discharged from massage care on 27 November 2026: goals met. <detail>" """
    words = f"Discharged from massage care on {fmt_day(discharge['date'])}"
    reason = discharge.get("reason", "")
    words += f": {reason[:1].lower()}{reason[1:]}." if reason else "."
    detail = discharge.get("detail", "")
    return f"{words} {detail}".strip()


def _goals(client, notes: list[VisitNote]) -> list[str]:
    """The latest goals written in a visit note of the period, else the intake goals."""
    text = next((n.goals for n in reversed(notes) if n.goals.strip()), "") or client.goals
    return [line.strip(" -•\t") for line in text.splitlines() if line.strip(" -•\t")]


def _pain(notes: list[VisitNote], audience: str) -> dict[str, Any] | None:
    points = [
        (timezone.localdate(n.service_at), n.nprs_first_step) for n in notes if n.nprs_first_step is not None
    ]
    if not points:
        return None
    base, latest = points[0][1], points[-1][1]
    rule = scoring.CHANGE_RULES["nprs"]
    threshold = int(rule.threshold(base))
    judged = scoring.real_change("nprs", base, latest) if len(points) > 1 else None
    verdict = judged.verdict if judged else ""
    source = f"MCID {rule.mcid_source}; MDC {rule.mdc_source}"
    if audience == CLIENT:
        title = "Pain with your first steps in the morning"
        meaning = (
            f"0 means no pain and 10 the worst pain you can imagine. A fall of {threshold} points or more "
            f"from where you started is a real, meaningful improvement ({rule.mcid_source})."
        )
        if verdict == "improved":
            outcome = (
                f"Your first-step pain went from {base} to {latest} out of 10: a meaningful improvement."
            )
        elif verdict == "floor":
            outcome = (
                f"Your first-step pain started low ({base} out of 10) and is now {latest}: "
                "your everyday function tells us more than this number."
            )
        elif judged is None:
            outcome = f"Your first-step pain was {base} out of 10 at the one visit it was asked."
        else:
            outcome = f"Your first-step pain went from {base} to {latest} out of 10."
    else:
        title = "First-step pain (NPRS 0–10)"
        meaning = (
            f"Real change: a fall of at least {threshold} points from baseline, the larger of 2 points "
            f"and 30% ({source})."
        )
        verdict_words = {
            "improved": "clinically important improvement reached",
            "worse": "worse beyond measurement error",
            "no_real_change": "no real change yet",
            "floor": "baseline too low for a real fall to show: judged by function",
            "same": "unchanged",
        }.get(verdict, "one rating only")
        outcome = f"Baseline {base}/10 → latest {latest}/10: {verdict_words}."
    return {
        "title": title,
        "unit": "0–10",
        "points": [[_iso(d), v] for d, v in points],
        "baseline": base,
        "latest": latest,
        "threshold": threshold,
        "band": [base, max(base - threshold, 0)],
        "band_label": "shaded: less than a meaningful change from the start",
        "meaning": meaning,
        "outcome": outcome,
        "reached": verdict == "improved",
    }


def _scores(responses: list[tuple[date, str, Any]], audience: str) -> list[dict[str, Any]]:
    out = []
    for key, client_name, referrer_name, unit, lo, hi in SCORES:
        points = [
            (d, round(float(score), 1)) for d, code, score in responses if code == key and score is not None
        ]
        if not points:
            continue
        rule = scoring.CHANGE_RULES[key]
        base, latest = points[0][1], points[-1][1]
        threshold = float(rule.threshold(base))
        judged = scoring.real_change(key, base, latest) if len(points) > 1 else None
        reached = bool(judged and judged.verdict == "improved")
        mcid = f"{float(rule.mcid):g}" if rule.mcid is not None else ""
        mdc = f"{float(rule.mdc):g}" if rule.mdc is not None else ""
        if audience == CLIENT:
            name = client_name
            meaning = (
                f"Scored {SCORE_SCALE_WORDS[key]}. A rise of {threshold:g} or more is a real, meaningful "
                f"change ({rule.mcid_source or rule.mdc_source})."
            )
            what = name[:1].lower() + name[1:]
            if judged is None:
                outcome = f"Your {what} was {base:g} (one questionnaire so far)."
            elif reached:
                outcome = f"Your {what} went from {base:g} to {latest:g}: a meaningful improvement."
            else:
                outcome = f"Your {what} went from {base:g} to {latest:g}."
        else:
            name = referrer_name
            meaning = (
                f"Published MCID {mcid} ({rule.mcid_source}); MDC {mdc} ({rule.mdc_source}); "
                f"real change at ≥ {threshold:g}."
            )
            change = f"{latest - base:+g}" if judged else ""
            state = (
                "one score only"
                if judged is None
                else (
                    "important change reached" if reached else CHANGE_WORDS[REFERRER].get(judged.verdict, "")
                )
            )
            outcome = (
                f"Baseline {base:g} → latest {latest:g} ({change}): {state}."
                if judged
                else f"{base:g}: {state}."
            )
        out.append(
            {
                "key": key,
                "title": name,
                "unit": unit,
                "low": lo,
                "high": hi,
                "points": [[_iso(d), v] for d, v in points],
                "baseline": base,
                "latest": latest,
                "threshold": threshold,
                "mcid": mcid,
                "source": rule.mcid_source or rule.mdc_source,
                "band": [base, min(base + threshold, hi)],
                "band_label": "shaded: less than a meaningful change from the start",
                "meaning": meaning,
                "outcome": outcome,
                "reached": reached,
            }
        )
    return out


def _chain(
    first: Assessment | None, last: Assessment | None, rows: dict[int, list], audience: str
) -> list[str]:
    """What changed between the first and the latest assessment, in words: the
    measures with a known measurement error (real changes first, then those
    within it); a change that cannot be judged is left to the therapist's findings."""
    if first is None or last is None or first.pk == last.pk:
        return []
    words = CHANGE_WORDS[audience]
    # A client reads what really changed; a referrer also what did not.
    rank = (
        {"improved": 0, "worse": 1}
        if audience == CLIENT
        else {"improved": 0, "worse": 1, "no_real_change": 2}
    )
    lines = []
    for change in derive.changes_between(rows.get(first.pk, []), rows.get(last.pk, [])):
        if change.verdict not in rank:
            continue
        if audience == CLIENT and not catalogue.BY_CODE[change.measure_code].is_numeric:
            continue  # a named clinical test (Thomas, Trendelenburg) means little to a client
        side = SIDE_WORDS.get(change.side, "")
        label = f"{change.label}, {side}" if side else change.label
        text = f"{label}: {change.before} then {change.after}, {words[change.verdict]}."
        lines.append((rank[change.verdict], text))
    lines.sort(key=lambda item: item[0])  # stable: each group keeps the chain's order
    return [text for _, text in lines[:CHAIN_LINES]]


def _findings(last: Assessment | None, rows: dict[int, list], client) -> list[str]:
    if last is None:
        return []
    found = derive.findings_for(
        rows.get(last.pk, []),
        sex=client.sex,
        involved_side=client.involved_side,
        age=derive.age_on(client.date_of_birth, last.assessed_on),
    )
    return [_short_finding(f.text) for f in found][:12]


def _short_finding(text: str) -> str:
    """ "Knee-to-wall (WBLT) (left) 6.9 cm: outside the norm" without the norm's
    sources, which the therapist sees on the assessment page."""
    head, sep, tail = text.partition(": ")
    if not sep:
        return text
    result = re.split(r" \(|; ", tail, maxsplit=1)[0].rstrip(".")
    return f"{head}: {result}"


def _treatment_table(note_ids: list[int]) -> list[dict[str, Any]]:
    rows = (
        Treatment.objects.filter(note_id__in=note_ids)
        .values("technique__name", "region__name", "technique__order", "region__order")
        .annotate(visits=Count("note", distinct=True))
        .order_by("technique__order", "technique__name", "region__order", "region__name")
    )
    return [
        {"technique": r["technique__name"], "region": r["region__name"], "visits": r["visits"]} for r in rows
    ]


def _response(note_ids: list[int], notes: list[VisitNote], audience: str) -> list[str]:
    responses = Counter(Treatment.objects.filter(note_id__in=note_ids).values_list("response", flat=True))
    total = sum(responses.values())
    lines = []
    if total:
        labels = dict(Treatment.Response.choices)
        parts = [f"{labels.get(k, k).lower()} {n} of {total}" for k, n in responses.most_common() if k]
        if parts:
            lines.append("Response to treatment as logged: " + "; ".join(parts) + ".")
    latest_change = next((n for n in reversed(notes) if n.change_since_last), None)
    if latest_change is not None:
        lines.append(
            f"At the visit of {fmt_day(_iso(timezone.localdate(latest_change.service_at)))} "
            "the client reported feeling "
            f"{latest_change.get_change_since_last_display().lower()} since the visit before."
        )
    return lines


def _program(client, end: date, start: date) -> dict[str, Any] | None:
    low, high = _period_bounds(start, end)
    version = (
        ProgramVersion.objects.for_client(client)
        .issued()
        .filter(signed_at__lte=high)
        .order_by("-number")
        .first()
    )
    if version is None:
        return None
    items = list(ProgramItem.objects.filter(version=version).in_order())
    sides = {"L": "left", "R": "right", "B": "both sides", "": ""}
    adherence = list(
        Adherence.objects.filter(client=client, recorded_on__range=(start, end))
        .order_by("recorded_on", "id")
        .values_list("item__exercise__name", "days_per_week", "pain_response")
    )
    latest: dict[str, tuple[int, str]] = {}
    for name, days, pain in adherence:
        latest[name] = (days, pain)
    pain_words = {
        "green": "no more than mild discomfort",
        "amber": "some soreness, settled by next morning",
        "red": "too much pain",
    }
    average = round(sum(d for _, d, _ in adherence) / len(adherence), 1) if adherence else None
    return {
        "number": version.number,
        "issued": _iso(timezone.localdate(version.signed_at)),
        "items": [
            {
                "name": item.exercise.name,
                "dosage": item.dosage_text,
                "frequency": "" if item.exercise.is_advice else item.frequency,
                "side": sides.get(item.side, ""),
            }
            for item in items
        ],
        "adherence": [
            {"exercise": name, "days": days, "pain": pain_words.get(pain, "")}
            for name, (days, pain) in latest.items()
        ],
        "average_days": average,
        "referrals": [
            {"name": r.get("name", ""), "refer_to": r.get("refer_to", ""), "reason": r.get("reason", "")}
            for r in (version.referrals or [])
        ],
    }


def author_contact(user) -> dict[str, str]:
    """The signer's registration number and email, printed under a letter's signature."""
    return {"registration": user.registration_number.strip(), "email": user.email.strip()}


def _history(client, notes: list[VisitNote]) -> dict[str, Any]:
    """The history as recorded at the first signed visit of the period (no query: the
    period's notes are loaded). The product keeps onset, duration, aggravating and easing
    factors and what was tried in the visit's own words, not as separate fields."""
    first = notes[0]
    activity = "; ".join(
        part
        for part in (
            client.sports.strip(),
            client.weekly_volume.strip(),
            f"footwear: {client.footwear.strip()}" if client.footwear.strip() else "",
        )
        if part
    )
    return {
        "date": _iso(timezone.localdate(first.service_at)),
        "complaint": first.chief_complaint.strip(),
        "story": first.subjective.strip(),
        "first_step": first.nprs_first_step,
        "worst_24h": first.nprs_worst_24h,
        "activity": activity,
    }


def _screen(client) -> dict[str, Any]:
    """The latest health screen's flags in plain words, most severe first (2 queries)."""
    screen = HealthScreen.objects.latest_for(client)
    if screen is None:
        return {"date": "", "flags": []}
    flags = flags_from_answers(screen.answers.all(), screen.question_set)
    return {
        "date": _iso(timezone.localdate(screen.taken_at)),
        "flags": [
            {
                "level": FLAG_WORDS.get(f.severity, FLAG_OTHER),
                "question": f.question,
                "details": f.details.strip(),
                "action": f.action,
            }
            for f in flags
        ],
    }


def _letter(letter: dict[str, Any] | None) -> dict[str, Any]:
    letter = letter or {}
    urgency = letter.get("urgency") or "routine"
    return {
        "urgency": URGENCY_WORDS.get(urgency, URGENCY_WORDS["routine"]),
        "seek_care_now": urgency in SEEK_CARE_NOW,
        "question": (letter.get("question") or "").strip(),
        "consent": letter.get("consent"),
    }


def report_content(
    *,
    client,
    audience: str,
    start: date,
    end: date,
    includes: dict[str, bool],
    texts: dict[str, str],
    author,
    recipient_name: str = "",
    recipient_address: str = "",
    notes: list[VisitNote] | None = None,
    letter: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything the report shows, as plain JSON-ready data (about 10 queries; a
    letter 2 more for the health screen).

    ``letter`` holds a letter's urgency (a ``ProgressReport.Urgency`` value), its
    question for the recipient and the recorded consent to share (``{"by", "on"}``).
    Raises EmptyPeriod when the period holds no signed visit."""
    notes = period_notes(client, start, end) if notes is None else notes
    if not notes:
        raise EmptyPeriod()
    profile = ClinicProfile.load()
    note_ids = [n.pk for n in notes]
    # The period's signed assessments, with the latest one before it as the
    # baseline the period starts from (an intake assessment often comes first).
    signed = Assessment.objects.for_client(client).signed()
    before = signed.filter(assessed_on__lt=start).order_by("-assessed_on", "-id").values("id")[:1]
    assessments = list(
        signed.filter(Q(assessed_on__range=(start, end)) | Q(id__in=before)).order_by("assessed_on", "id")
    )
    first = assessments[0] if assessments else None
    last = assessments[-1] if assessments else None
    rows: dict[int, list] = {}
    if first is not None and last is not None:
        for m in Measurement.objects.filter(assessment_id__in={first.pk, last.pk}).order_by("id"):
            rows.setdefault(m.assessment_id, []).append(m)
    dates = {a.pk: a.assessed_on for a in assessments}
    responses = sorted(
        (
            (dates[aid], code, score)
            for aid, code, score in QuestionnaireResponse.objects.filter(
                assessment_id__in=list(dates)
            ).values_list("assessment_id", "instrument", "score")
        ),
        key=lambda r: r[0],
    )
    content: dict[str, Any] = {
        "audience": audience,
        "client": {"name": client.full_name, "dob": _iso(client.date_of_birth)},
        "clinic": {
            "name": profile.name,
            "address": profile.address,
            "phone": profile.phone,
            "email": profile.email,
            "website": profile.website,
            "paper_size": profile.paper_size,
        },
        "author": {"name": author.display_name, "line": author.signature_line},
        "period": {"start": _iso(start), "end": _iso(end)},
        "visits": {
            "count": len(notes),
            "first": _iso(timezone.localdate(notes[0].service_at)),
            "last": _iso(timezone.localdate(notes[-1].service_at)),
        },
        "recipient": {"name": recipient_name, "address": recipient_address},
        "goals": _goals(client, notes),
        "pain": _pain(notes, audience) if includes.get("pain", True) else None,
        "scores": _scores(responses, audience) if includes.get("scores", True) else [],
        "chain": _chain(first, last, rows, audience) if includes.get("chain", True) else [],
        "chain_dates": [_iso(first.assessed_on), _iso(last.assessed_on)]
        if first and last and first.pk != last.pk
        else [],
        "findings": _findings(last, rows, client),
        "program": _program(client, end, start) if includes.get("program", True) else None,
        "treatments": _treatment_table(note_ids) if includes.get("treatment", True) else [],
        "response": _response(note_ids, notes, audience) if audience == REFERRER else [],
        "discharge": discharge_of(notes),
        "texts": {k: texts.get(k, "") for k in ("summary", "findings", "next_steps", "reason")},
    }
    if audience == REFERRER:
        content["author"].update(author_contact(author))
        content["letter"] = _letter(letter)
        content["history"] = _history(client, notes)
        content["screen"] = _screen(client)
    return content


def prefilled_texts(content: dict[str, Any], *, notes: list[VisitNote]) -> dict[str, str]:
    """The editable parts of a new draft, written from the data; the therapist adjusts them."""
    visits = content["visits"]
    audience = content["audience"]
    pain = content["pain"]
    plural = "s" if visits["count"] != 1 else ""
    span = f"{visits['count']} visit{plural} between {fmt_day(visits['first'])} and {fmt_day(visits['last'])}"
    latest_plan = next((n for n in reversed(notes) if n.plan_next.strip() or n.frequency.strip()), None)
    plan = ""
    if latest_plan is not None:
        plan = latest_plan.plan_next.strip()
        if latest_plan.frequency.strip():
            plan = f"{plan}\nVisits: {latest_plan.frequency.strip()}.".strip()
    if audience == CLIENT:
        summary = f"You came for {span}."
        if pain:
            summary += " " + pain["outcome"]
        summary += " " + " ".join(s["outcome"] for s in content["scores"])
        return {"summary": summary.strip(), "findings": "", "next_steps": plan, "reason": ""}
    summary = f"I have seen this client for {span}."
    if pain:
        summary += f" First-step pain: {pain['outcome'][:1].lower()}{pain['outcome'][1:]}"
    findings = "\n".join(content["findings"])
    reasons = [
        f"{r['name']}: {r['refer_to']}. {r['reason']}"
        for r in (content["program"] or {}).get("referrals", [])
    ]
    discharge = content["discharge"]
    if discharge:
        reasons.insert(0, discharge_words(discharge))
    return {
        "summary": summary,
        "findings": findings,
        "next_steps": plan,
        "reason": "\n".join(reasons),
    }


def content_for(report) -> dict[str, Any]:
    """A signed report's stored content; a draft's, built now from the records."""
    if report.is_signed:
        return report.content
    return report_content(
        client=report.client,
        audience=report.audience,
        start=report.period_start,
        end=report.period_end,
        includes=includes_of(report),
        texts={
            "summary": report.summary,
            "findings": report.findings_text,
            "next_steps": report.next_steps,
            "reason": report.reason,
        },
        author=report.author,
        recipient_name=report.recipient_name,
        recipient_address=report.recipient_address,
        letter=letter_of(report) if report.is_letter else None,
    )


def letter_of(report) -> dict[str, Any]:
    """A letter's urgency, question and recorded consent to share (set at signing)."""
    consent = None
    if report.consent_to_share and report.consent_confirmed_at:
        by = report.consent_confirmed_by
        consent = {
            "by": by.display_name if by else "",
            "on": _iso(timezone.localdate(report.consent_confirmed_at)),
        }
    return {"urgency": report.urgency, "question": report.question, "consent": consent}


def includes_of(report) -> dict[str, bool]:
    return {
        "pain": report.include_pain,
        "scores": report.include_scores,
        "chain": report.include_chain,
        "program": report.include_program,
        "treatment": report.include_treatment,
    }


# --- For the screen -------------------------------------------------------------


@dataclass
class Chart:
    title: str
    svg: str
    meaning: str
    outcome: str


def _points(raw) -> list[tuple[date, float]]:
    return [(date.fromisoformat(d), v) for d, v in raw]


def charts_of(content: dict[str, Any], *, draw=line_chart_svg) -> list[Chart]:
    """The pain and score charts with their meaningful-change band shaded; ``draw``
    is ``line_chart_svg`` for a page and ``core.charts.line_chart`` for a PDF."""
    out = []
    pain = content.get("pain")
    if pain:
        out.append(
            Chart(
                pain["title"],
                draw(
                    [(pain["title"], _points(pain["points"]))],
                    title=pain["title"],
                    y_label="0–10",
                    band=(pain["band"][0], pain["band"][1], pain["band_label"]),
                    y_min=0,
                    y_max=10,
                ),
                pain["meaning"],
                pain["outcome"],
            )
        )
    for score in content.get("scores") or []:
        out.append(
            Chart(
                score["title"],
                draw(
                    [(score["title"], _points(score["points"]))],
                    title=score["title"],
                    y_label=score["unit"],
                    band=(score["band"][0], score["band"][1], score["band_label"]),
                    y_min=score["low"],
                    y_max=score["high"],
                ),
                score["meaning"],
                score["outcome"],
            )
        )
    return out


def fmt_day(iso: str) -> str:
    """ "4 December 2026" from "2026-12-04"."""
    if not iso:
        return ""
    day = date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"
