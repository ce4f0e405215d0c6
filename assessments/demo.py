"""Demo data for the assessments app, called by seed_demo.

Each demo client gets a baseline about twelve weeks ago and one or two
follow-ups that improve, so the progress charts show real trends. Idempotent:
a client who already has any assessment is skipped.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from assessments import services
from assessments.models import Assessment
from assessments.services import AssessmentData, MarkInput, MeasurementInput, ResponseInput

D = Decimal


def _lerp(start: float, end: float, t: float) -> float:
    return start + (end - start) * t


def _data(
    *, when, stage: float, rng: random.Random, involved: str, other: str, body: tuple[float, float]
) -> AssessmentData:
    """``stage`` runs from 0 (baseline) to 1 (much improved); ``body`` is (height cm, weight kg)."""
    height, weight = body

    def num(start, end, places=0, jitter=0.0):
        value = _lerp(start, end, stage) + rng.uniform(-jitter, jitter)
        return D(str(round(value, places))) if places else D(int(round(value)))

    m = [
        MeasurementInput("knee_to_wall", involved, value=num(6.5, 11.5, 1, 0.4)),
        MeasurementInput("knee_to_wall", other, value=num(12.0, 12.4, 1, 0.3)),
        MeasurementInput("df_knee_straight", involved, value=num(4, 11, 0, 1)),
        MeasurementInput("df_knee_straight", other, value=num(12, 12, 0, 1)),
        MeasurementInput("df_knee_bent", involved, value=num(9, 15, 0, 1)),
        MeasurementInput("df_knee_bent", other, value=num(15, 16, 0, 1)),
        MeasurementInput("heel_raise_reps", involved, value=num(12, 24, 0, 1)),
        MeasurementInput("heel_raise_reps", other, value=num(25, 27, 0, 1)),
        MeasurementInput("calf_tenderness", involved, choice="pos" if stage < 0.5 else "neg"),
        MeasurementInput("calf_tenderness", other, choice="neg"),
        MeasurementInput("windlass", involved, choice="pos" if stage < 0.9 else "neg", position="wb"),
        MeasurementInput("windlass", other, choice="neg", position="wb"),
        MeasurementInput("mct_tenderness", involved, choice="pos" if stage < 0.9 else "neg"),
        MeasurementInput("mct_tenderness", other, choice="neg"),
        MeasurementInput("navicular_drop", involved, value=num(11, 9, 0, 0.5)),
        MeasurementInput("navicular_drop", other, value=num(8, 8, 0, 0.5)),
        MeasurementInput("hip_ir", involved, value=num(28, 34, 0, 1), position="prone"),
        MeasurementInput("hip_ir", other, value=num(35, 36, 0, 1), position="prone"),
        MeasurementInput("hip_er", involved, value=num(40, 42, 0, 1), position="prone"),
        MeasurementInput("hip_er", other, value=num(42, 43, 0, 1), position="prone"),
        MeasurementInput("thomas_test", involved, choice="one_joint" if stage < 0.5 else "neg"),
        MeasurementInput("thomas_test", other, choice="neg"),
        MeasurementInput(
            "mmt_glute_med", involved, choice="4-" if stage < 0.5 else ("4+" if stage < 0.9 else "5")
        ),
        MeasurementInput("mmt_glute_med", other, choice="5"),
        MeasurementInput("mmt_glute_max", involved, choice="4+" if stage < 0.5 else "5"),
        MeasurementInput("mmt_glute_max", other, choice="5"),
        MeasurementInput("sl_bridge_reps", involved, value=num(14, 24, 0, 1)),
        MeasurementInput("sl_bridge_reps", other, value=num(24, 26, 0, 1)),
        MeasurementInput("trendelenburg", involved, choice="pos" if stage < 0.5 else "neg"),
        MeasurementInput("trendelenburg", other, choice="neg"),
        MeasurementInput(
            "sl_squat_quality",
            involved,
            value=D(2 if stage < 0.5 else 1 if stage < 0.9 else 0),
            detail="knee,pelvis" if stage < 0.5 else ("knee" if stage < 0.9 else ""),
        ),
        MeasurementInput("sl_squat_quality", other, value=D(0)),
        MeasurementInput("gait_mode", choice="walking"),
        MeasurementInput("gait_foot_strike", choice="rearfoot"),
        MeasurementInput("gait_cadence", value=num(102, 112, 0, 2)),
        MeasurementInput("gait_overstride", choice="neg"),
        MeasurementInput("gait_pelvic_drop", involved, choice="pos" if stage < 0.5 else "neg"),
        MeasurementInput("gait_pelvic_drop", other, choice="neg"),
        MeasurementInput("gait_crossover", choice="neg"),
        MeasurementInput("gait_heel_eversion", involved, status="not_tested"),
        MeasurementInput("gait_heel_eversion", other, status="not_tested"),
        MeasurementInput("gait_antalgic", choice="pos" if stage < 0.3 else "neg"),
        MeasurementInput("nprs_first_step", value=num(7, 2, 0, 0.4)),
        MeasurementInput("nprs_rest", value=num(2, 0, 0, 0.3)),
        MeasurementInput("nprs_worst_24h", value=num(8, 3, 0, 0.4)),
        MeasurementInput("nprs_activity", value=num(6, 2, 0, 0.4)),
    ]

    # The newer measures draw from their own generator, so the values above stay as they were.
    extra = random.Random(hash((height, weight, stage)))

    def more(start, end, places=0, jitter=0.0):
        value = _lerp(start, end, stage) + extra.uniform(-jitter, jitter)
        return D(str(round(value, places))) if places else D(int(round(value)))

    m += [
        MeasurementInput("height_cm", value=D(str(height))),
        MeasurementInput("weight_kg", value=more(weight, weight - 1.5, 1, 0.3)),
        MeasurementInput("wblt_angle", involved, value=more(28, 38, 1, 1)),
        MeasurementInput("wblt_angle", other, value=more(40, 41, 1, 1)),
        MeasurementInput("first_mtp_ext", involved, value=more(62, 68, 0, 1)),
        MeasurementInput("first_mtp_ext", other, value=more(70, 71, 0, 1)),
        MeasurementInput("jack_test", involved, choice="rises"),
        MeasurementInput("jack_test", other, choice="rises"),
        MeasurementInput("hip_abd_hhd", involved, value=more(150, 200, 0, 5), position="side_lying"),
        MeasurementInput("hip_abd_hhd", other, value=more(205, 210, 0, 5), position="side_lying"),
        MeasurementInput("sls_eyes_open", involved, value=more(18, 35, 1, 1)),
        MeasurementInput("sls_eyes_open", other, value=more(38, 40, 1, 1)),
        MeasurementInput("sls_eyes_closed", involved, value=more(5, 9, 1, 0.5)),
        MeasurementInput("sls_eyes_closed", other, value=more(10, 11, 1, 0.5)),
        MeasurementInput("calcaneal_squeeze", involved, choice="neg"),
        MeasurementInput("calcaneal_squeeze", other, choice="neg"),
        MeasurementInput("tarsal_tinel", involved, choice="neg"),
        MeasurementInput("tarsal_tinel", other, choice="neg"),
        MeasurementInput("monofilament", involved, value=D(3), detail="3"),
        MeasurementInput("monofilament", other, value=D(3), detail="3"),
    ]

    def items(count, start, end, low=0, high=4):
        return [
            max(low, min(high, int(round(_lerp(start, end, stage) + rng.uniform(-0.6, 0.6)))))
            for _ in range(count)
        ]

    responses = [
        ResponseInput("lefs", items(20, 2.0, 3.6)),
        ResponseInput("faam_adl", items(21, 2.2, 3.7)),
        ResponseInput("faam_sports", items(7, 1.2, 3.2) + ["NA"]),
        ResponseInput(
            "psfs",
            [
                {
                    "key": "walking-the-dog",
                    "label": "Walking the dog",
                    "rating": int(round(_lerp(3, 8, stage))),
                },
                {
                    "key": "first-steps-in-the-morning",
                    "label": "First steps in the morning",
                    "rating": int(round(_lerp(2, 8, stage))),
                },
                {"key": "running-5-km", "label": "Running 5 km", "rating": int(round(_lerp(1, 7, stage)))},
            ],
        ),
        ResponseInput("fpi6", [1, 1, 2, 1, 1, 1] if stage < 0.5 else [1, 1, 1, 1, 1, 1], side=involved),
        ResponseInput("fpi6", [1, 0, 1, 1, 0, 1], side=other),
    ]
    marks = [
        MarkInput("plantar", "plantar_heel", involved, "pain", int(round(_lerp(7, 2, stage)))),
        MarkInput("back", "calf", involved, "tightness", int(round(_lerp(6, 3, stage)))),
    ]
    if stage < 0.5:
        marks.append(MarkInput("plantar", "medial_arch", involved, "pain", 4))
    return AssessmentData(
        assessed_on=when,
        findings={
            "foot": "Heel pain on first steps, worse after rest; tender at the medial calcaneal tubercle."
            if stage < 0.5
            else "Heel pain easing; first steps much better.",
            "ankle": "Dorsiflexion restricted on the involved side, mostly knee straight (gastrocnemius).",
        },
        measurements=m,
        responses=responses,
        marks=marks,
    )


def seed(*, clients, therapists) -> None:
    """Idempotent: does nothing for a client that already has an assessment."""
    today = timezone.localdate()
    with_data = set(Assessment.objects.filter(client__in=clients).values_list("client_id", flat=True))
    # Each client's values come from its place in the demo list (its id on a fresh
    # database), never from its id: the same demo on any database, whatever ids it hands out.
    for number, client in enumerate(clients, start=1):
        if client.pk in with_data:
            continue
        therapist = client.primary_therapist
        if not therapist.is_therapist:
            therapist = therapists[0]
        rng = random.Random(number * 7919)
        # Body size stays put from visit to visit; its own generator leaves the other values as before.
        size = random.Random(number * 104729)
        body = (round(size.uniform(158, 188), 1), round(size.uniform(58, 95), 1))
        involved = client.involved_side if client.involved_side in ("L", "R") else "L"
        other = "R" if involved == "L" else "L"
        visits = [(84, 0.0), (42, 0.55)] + ([(7, 1.0)] if number % 3 != 0 else [])
        created = []
        for days_ago, stage in visits:
            data = _data(
                when=today - timedelta(days=days_ago + rng.randint(0, 3)),
                stage=stage,
                rng=rng,
                involved=involved,
                other=other,
                body=body,
            )
            created.append(services.assessment_create(client=client, by=therapist, data=data))
        # Earlier assessments are signed; the latest stays a draft the therapist can finish.
        for assessment in created[:-1]:
            services.assessment_sign(assessment=assessment, by=therapist)
