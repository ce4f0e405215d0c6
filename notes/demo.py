"""Demo data for the notes app, called by seed_demo: several signed visits per
client with treatment logs, one addendum, one visit with a safety override, one
client discharged, and a few drafts for the therapists' unsigned lists.
Idempotent: a client that already has notes is skipped.

The demo therapists follow the safety interlock: a row its rules refuse is
left out, a pressure above a cap is lowered to it, and a red flag gets a
referral on every visit (a client with a suspected clot has no leg treatment)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from audit.log import run_alone
from notes import services
from notes.models import Amendment, BodyRegion, Technique, VisitNote
from notes.safety import safety_for_client

# (weeks ago, first-step, rest, worst, change, analysis, plan)
VISITS = (
    (
        9,
        7,
        3,
        8,
        "",
        "Tissue irritability moderate; calf and plantar fascia tone high, "
        "ankle dorsiflexion limited on the involved side.",
        "Soft-tissue work to calf and plantar fascia; start the stretching program.",
    ),
    (
        7,
        6,
        2,
        7,
        "better",
        "First-step pain easing; calf tone reduced after treatment.",
        "Continue calf work; add intrinsic foot strengthening.",
    ),
    (
        5,
        4,
        1,
        6,
        "better",
        "Good response; dorsiflexion improving, tolerating more load.",
        "Progress to high-load heel raises; review footwear.",
    ),
    (
        3,
        3,
        1,
        4,
        "much_better",
        "Clinically important improvement in first-step pain since the first visit.",
        "Reduce frequency to fortnightly; maintain the home program.",
    ),
)
ROWS = (
    ("sports_massage", "gastroc_medial", 15, 3, "eased"),
    ("myofascial_release", "plantar_fascia", 10, 2, "tender"),
    ("trigger_point", "soleus", 8, 4, "eased"),
    ("static_stretching", "hamstrings", 5, 2, "tolerated"),
)


def _side(client) -> str:
    return client.involved_side if client.involved_side in ("L", "R", "B") else ""


def _allowed_rows(safety, count: int):
    """The demo rows the interlock allows, pressures lowered to any cap."""
    rows = []
    for code, region, minutes, pressure, response in ROWS[:count]:
        verdict = safety.region(region)
        if verdict.blocked or code in verdict.banned_techniques:
            continue
        if verdict.cap is not None:
            pressure = min(pressure, verdict.cap)
        rows.append((code, region, minutes, pressure, response))
    return rows


def _visit(client, therapist, weeks, pain, change, analysis, plan, techniques, regions, index):
    service_at = (timezone.now() - timedelta(weeks=weeks)).replace(
        hour=9 + index % 7, minute=0, second=0, microsecond=0
    )
    note = services.note_create(
        client=client,
        by=therapist,
        service_at=service_at,
        duration_minutes=60,
        template="initial" if index == 0 else "follow_up",
        copy_forward=index > 0,
    )
    first, rest, worst = pain
    data = {
        "chief_complaint": "Left heel pain on the first steps in the morning and after sitting."
        if client.involved_side == "L"
        else "Heel pain on first steps in the morning, worse after long shifts.",
        "nprs_first_step": first,
        "nprs_rest": rest,
        "nprs_worst_24h": worst,
        "change_since_last": change,
        "hep_adherence": "none_issued" if index == 0 else "most",
        "screen_changed": "no",
        "subjective": "Sleeping well. No new injuries." if index else "Symptoms for 3 months; gradual onset.",
        "objective": "Calf tone increased on palpation; WBLT reduced on the involved side.",
        "analysis": analysis,
        "plan_next": plan,
        "frequency": "Weekly for 4 weeks" if index < 2 else "Fortnightly",
        "goals": "First-step pain 2/10 or less within 8 weeks; walk 60 minutes pain-free.",
        "hep_change": "issued" if index == 0 else ("progressed" if index == 2 else ""),
    }
    safety = safety_for_client(client)
    if safety.blocks:
        labels = "; ".join(dict.fromkeys(rule.label.lower() for rule in safety.blocks))
        data["referrals"] = (
            f"Red flag on the health screen ({labels}): no treatment of the affected area; "
            "advised to see the GP today. Client agreed."
        )
    note = services.note_update(
        note=note, by=therapist, data=data, version=note.version, reviewed=note.carried_fields
    )
    if not note.treatments.exists():
        for code, region, minutes, pressure, response in _allowed_rows(safety, 2 + index % 3):
            services.treatment_add(
                note=note,
                by=therapist,
                data={
                    "technique": techniques[code],
                    "region": regions[region],
                    "side": _side(client),
                    "minutes": minutes,
                    "pressure": pressure,
                    "response": response,
                },
            )
    if index == 0:
        services.palpation_add(
            note=note,
            by=therapist,
            data={
                "region": regions["plantar_fascia"],
                "side": _side(client),
                "tone": "increased",
                "tenderness": 2,
                "trigger_points": False,
                "note_text": "Medial calcaneal tubercle",
            },
        )
    return note


# One historical visit with a safety override, so a clinic trying the demo sees how an
# override shows on the note page, its PDF and the audit log. Fatima El-Sayed's
# varicose veins are in the right calf; the rule (avoid, pressure at most 2) covers
# the whole lower limb, so firm work on the left calf needs a written reason.
OVERRIDE_CLIENT = ("Fatima", "El-Sayed")
OVERRIDE_VISIT = 1
OVERRIDE_REASON = (
    "Re-checked the screen with the client today: the varicose veins are in the right calf only, "
    "unchanged. Firm (3/5) work on the left calf, well away from them; client agreed."
)


def _override_row(note, therapist, techniques, regions):
    services.treatment_add(
        note=note,
        by=therapist,
        data={
            "technique": techniques["sports_massage"],
            "region": regions["gastroc_medial"],
            "side": "L",
            "minutes": 10,
            "pressure": 3,
            "response": "eased",
            "note_text": "Left calf only; right calf (varicose veins) not treated.",
        },
        override=services.OverrideRequest(
            reason=OVERRIDE_REASON, recheck_confirmed=True, reauthenticated=True
        ),
        now=note.service_at + timedelta(minutes=20),
    )


# One client whose latest episode of care is closed: a signed discharge note a week
# after the last follow-up, with its reason and the outcome table (first-step pain
# from the visits, LEFS and FAAM from the signed assessments).
DISCHARGE_CLIENT = ("Grace", "Adeyemi")


def _discharge_visit(client, therapist, techniques, regions) -> VisitNote:
    service_at = (timezone.now() - timedelta(weeks=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    note = services.note_create(
        client=client, by=therapist, service_at=service_at, template="discharge", copy_forward=True
    )
    data = {
        "kind": VisitNote.Kind.DISCHARGE,
        "nprs_first_step": 1,
        "nprs_rest": 0,
        "nprs_worst_24h": 2,
        "change_since_last": "much_better",
        "hep_adherence": "most",
        "screen_changed": "no",
        "subjective": "Client reports: stands through a full shift without heel pain; "
        "first steps in the morning barely noticeable.",
        "objective": "Final re-test: calf tone normal; no tenderness at the medial calcaneal tubercle.",
        "analysis": "Goals met: first-step pain down from 7 to 1 of 10 and standing at work pain-free.",
        "plan_next": "Discharged to the independent home program. Return if symptoms recur.",
        "frequency": "As needed",
        "discharge_reason": VisitNote.DischargeReason.GOALS_MET,
        "discharge_detail": "Agreed with the client; keeps up the calf and plantar-fascia "
        "stretches twice a week.",
    }
    note = services.note_update(
        note=note, by=therapist, data=data, version=note.version, reviewed=note.carried_fields
    )
    if not note.treatments.exists():
        services.treatment_add(
            note=note,
            by=therapist,
            data={
                "technique": techniques["sports_massage"],
                "region": regions["gastroc_medial"],
                "side": _side(client),
                "minutes": 20,
                "pressure": 3,
                "response": "eased",
            },
        )
    return services.note_sign(note=note, by=therapist, now=service_at + timedelta(hours=1))


def seed(*, clients, therapists) -> None:
    techniques = {t.code: t for t in Technique.objects.all()}
    regions = {r.code: r for r in BodyRegion.objects.all()}
    drafts_for: set[int] = set()
    for position, client in enumerate(clients):
        if VisitNote.objects.filter(client=client).exists():
            continue
        therapist = client.primary_therapist
        # Seeding runs alone and composes many services in one transaction.
        with transaction.atomic(), run_alone():
            last = None
            for index, (weeks, first, rest, worst, change, analysis, plan) in enumerate(VISITS):
                note = _visit(
                    client,
                    therapist,
                    weeks,
                    (first, rest, worst),
                    change,
                    analysis,
                    plan,
                    techniques,
                    regions,
                    index,
                )
                if (client.first_name, client.last_name) == OVERRIDE_CLIENT and index == OVERRIDE_VISIT:
                    _override_row(note, therapist, techniques, regions)
                last = services.note_sign(note=note, by=therapist, now=note.service_at + timedelta(hours=1))
            if (client.first_name, client.last_name) == DISCHARGE_CLIENT:
                _discharge_visit(client, therapist, techniques, regions)
            if position == 0 and last is not None:
                assert last.signed_at is not None  # signed just above
                services.amendment_add(
                    note=last,
                    by=therapist,
                    kind=Amendment.Kind.ADDENDUM,
                    reason="Client phoned the next day with information not available at the visit.",
                    text="Reports mild calf soreness for 24 h after treatment, settled without intervention.",
                    now=last.signed_at + timedelta(days=1),
                )
            # One draft per therapist: yesterday's visit, left unsigned (shows as overdue).
            if therapist.pk not in drafts_for:
                drafts_for.add(therapist.pk)
                draft = services.note_create(
                    client=client,
                    by=therapist,
                    service_at=(timezone.now() - timedelta(days=2)).replace(second=0, microsecond=0),
                    template="follow_up",
                )
                services.note_update(
                    note=draft,
                    by=therapist,
                    data={"nprs_first_step": 3, "nprs_rest": 1, "nprs_worst_24h": 4},
                    version=draft.version,
                )
