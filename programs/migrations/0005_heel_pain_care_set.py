"""The full heel-pain care set of the clinical reference (Revision 2, the care-set
table): education and load management, footwear and heel cup, low-Dye
self-taping, return-to-walk and return-to-run progressions, the low-capacity
heel raise for irritable heels, with cautions and safety tags on every library
exercise, and the care outside massage scope as "refer / discuss with"
recommendations.

Figures the reference marks [unconfirmed] are seeded with dosage_confirmed=False:
the therapist's screens say so, the client's handout does not.
"""

from django.db import migrations

NEW_EXERCISES = [
    {
        "name": "What to change this week",
        "kind": "advice",
        "region": "foot",
        "target": "Load on the heel (education and load management)",
        "position": "Everyday life",
        "equipment": "",
        "steps": (
            "Keep moving. Change how much you do on your feet; do not stop altogether.\n"
            "Pick the one thing that flares your heel most (long standing, long walks, hills, "
            "bare feet on hard floors) and cut it back this week, for example by a third.\n"
            "Break long spells on your feet into shorter ones with sitting breaks.\n"
            "If cycling or swimming do not hurt, swap some walking or running for them.\n"
            "Score your first steps each morning from 0 to 10 and use the pain guide on this "
            "sheet to decide whether to do more or less next week."
        ),
        "cues": "Small changes you can keep up beat big ones you cannot.",
        "mistakes": "Resting completely.\nDoing a lot more on a good day.",
        "sets": 1,
        "reps": 1,
        "hold_seconds": None,
        "tempo": "",
        "frequency": "Every day; check it each week",
        "dosage_note": "Modify the load on the heel rather than stopping; adjust week to week by the pain guide.",
        "citation": "Koc 2023 (CPG: load advice, secondary summary); Morrissey 2021",
        "dosage_confirmed": True,
        "drawing": "load_week",
        "cautions": (
            "Speak in findings, never a diagnosis: say what you found and that a physio or doctor can confirm the cause.\n"
            "Weight loss and nutrition advice are outside massage scope: suggest a GP or dietitian.\n"
            "Two breaches of the pain rule in a row: review the plan or refer (unconfirmed default).\n"
            "No progress after about 4 to 6 weeks of core care: refer to a physiotherapist or podiatrist (unconfirmed)."
        ),
        "safety_tags": [],
        "indications": [
            ("nprs_first_step", "high_pain", "Lowers the load on your heel while it settles, without stopping you moving.", 1),
            ("nprs_activity", "high_pain", "Adjusts what you do so activity stops flaring your heel.", 1),
        ],
    },
    {
        "name": "Footwear and heel cup",
        "kind": "advice",
        "region": "foot",
        "target": "Load on the heel (footwear advice)",
        "position": "Everyday life",
        "equipment": "Cushioned, supportive shoes; a soft heel cup",
        "steps": (
            "Wear cushioned, supportive shoes, indoors too, including for your first steps in the morning.\n"
            "Avoid bare feet on hard floors and thin flat shoes while your heel is sore.\n"
            "A soft heel cup (from a pharmacy or sports shop) in your shoes can ease the heel.\n"
            "Replace shoes whose cushioning is worn out."
        ),
        "cues": "Keep a pair of shoes or sandals by the bed for your first steps.",
        "mistakes": "Going barefoot around the house.",
        "sets": 1,
        "reps": 1,
        "hold_seconds": None,
        "tempo": "",
        "frequency": "Every day",
        "dosage_note": "Wear them all day, from your first steps in the morning.",
        "citation": "Riel 2023 (advice and a heel cup)",
        "dosage_confirmed": False,
        "drawing": "shoe_heel_cup",
        "cautions": (
            "Advice and an off-the-shelf heel cup only: custom orthoses are outside massage scope (refer to a podiatrist).\n"
            "With diabetes or reduced sensation, check the skin under a heel cup or new shoes daily.\n"
            "Advice and a heel cup matched added heavy heel raises at 12 weeks (Riel 2023, secondary); "
            "\"cushioned supportive shoes\" is an unconfirmed default."
        ),
        "safety_tags": [],
        "indications": [
            ("mct_tenderness", "any", "Cushions the tender spot under your heel.", 3),
            ("nprs_first_step", "high_pain", "Cushions your heel from the first step of the day.", 2),
        ],
    },
    {
        "name": "Low-Dye self-taping",
        "kind": "advice",
        "region": "foot",
        "target": "Arch support (taping)",
        "position": "Sitting, the foot resting on the other knee or a stool",
        "equipment": "Rigid sports tape, 2.5 to 3.8 cm wide; scissors",
        "steps": (
            "Clean and dry the skin of the foot.\n"
            "Anchor: run one strip along the outside of the foot from the base of the little toe, "
            "round the back of the heel, to the base of the big toe.\n"
            "Hold the foot relaxed with the arch gently lifted and the toes loose.\n"
            "Lay 3 or 4 strips across the sole from the outside edge to the inside edge, each "
            "overlapping the last by half, lifting gently on the arch side.\n"
            "Finish with a short strip over each end of the anchor. Do not tape all the way round the foot.\n"
            "Take the tape off slowly after 1 to 3 days, or at once if the skin itches, burns or blisters."
        ),
        "cues": "Your therapist shows you the first time; bring the tape to your visit.",
        "mistakes": "Taping all the way round the foot.\nPulling the strips very tight.",
        "sets": 1,
        "reps": 1,
        "hold_seconds": None,
        "tempo": "",
        "frequency": "Re-apply when it loosens, for 1 to 6 weeks",
        "dosage_note": "Eases first-step pain in the short term while the exercises build up.",
        "citation": "Radford 2006",
        "dosage_confirmed": False,
        "drawing": "low_dye",
        "cautions": (
            "Teach and check the first application in clinic: taping needs training.\n"
            "Stop on itch, rash, blister or broken skin; the trial reported 13 mild adverse events (Radford 2006).\n"
            "Not over broken, fragile or infected skin; extra care with diabetes, reduced sensation or poor circulation.\n"
            "Benefit is short term: first-step pain -12.3 mm/100 vs sham at 1 week (Radford 2006); "
            "the 1 to 6 week re-application window is an unconfirmed default."
        ),
        "safety_tags": [],
        "indications": [
            ("nprs_first_step", "high_pain", "Supports the arch to ease your first steps while the exercises build up.", 2),
            ("windlass", "positive", "Supports the arch and eases the pull on your heel.", 3),
        ],
    },
    {
        "name": "Return-to-walk progression",
        "kind": "advice",
        "region": "foot",
        "target": "Walking tolerance",
        "position": "Walking, everyday",
        "equipment": "A phone or watch that counts steps",
        "steps": (
            "Count your steps each day for a week to find your usual amount.\n"
            "Each week, add about a tenth more steps a day, as long as your first-step pain has "
            "stayed at 3 or less out of 10 and is not rising.\n"
            "If your first-step pain goes higher, go back to last week's amount for a week.\n"
            "Spread the extra walking through the day rather than one long walk."
        ),
        "cues": "Flat, even ground first; hills and long walks later.",
        "mistakes": "Making up for a missed day with one long walk.",
        "sets": 1,
        "reps": 1,
        "hold_seconds": None,
        "tempo": "",
        "frequency": "Every day; step up once a week",
        "dosage_note": "About 10% more daily steps each week while first-step pain stays at 3/10 or less and is not rising.",
        "citation": "Clinic default criteria; pain rule after Silbernagel 2007",
        "dosage_confirmed": False,
        "drawing": "walking",
        "cautions": (
            "[unconfirmed] No validated return-to-walk criteria were found: +10% daily steps a week while "
            "first-step pain is 3/10 or less and not rising is an editable clinic default.\n"
            "Stop loading and refer for imaging on bony heel tenderness, a positive calcaneal squeeze, "
            "a painful hop or pain at rest (possible stress fracture)."
        ),
        "safety_tags": ["loading"],
        "indications": [
            ("gait_antalgic", "any", "Builds your walking back up step by step without flaring the heel.", 1),
        ],
    },
    {
        "name": "Return-to-run progression (walk-run)",
        "kind": "advice",
        "region": "foot",
        "target": "Running tolerance",
        "position": "Flat ground, good running shoes",
        "equipment": "Running shoes",
        "steps": (
            "Start only when your therapist has checked you are ready.\n"
            "Walk-run on flat ground every second day: short, easy runs inside a walk. Your therapist "
            "sets the first split.\n"
            "After each session that stays within the pain guide, run a little more and walk a little less.\n"
            "After two weeks of walk-run within the pain guide, run continuously, adding no more than a "
            "tenth more running each week."
        ),
        "cues": "Run slow enough to talk.\nThe next morning decides the next session.",
        "mistakes": "Adding speed and distance in the same week.\nRunning on a day after a flare.",
        "sets": 1,
        "reps": 1,
        "hold_seconds": None,
        "tempo": "",
        "frequency": "Every second day",
        "dosage_note": "Two weeks of walk-run within the pain guide, then continuous running, up about 10% a week.",
        "citation": "Clinic default criteria; Barber 1990 (limb symmetry); Silbernagel 2007 (pain rule)",
        "dosage_confirmed": False,
        "drawing": "walk_run",
        "cautions": (
            "[unconfirmed] No validated return-to-run criteria were found; editable clinic defaults. Start walk-run when: "
            "30 min walking without a next-morning flare; single-leg heel raises at the age-sex reference with "
            "limb symmetry 90% or more; 5 min jogging on the spot at 2/10 or less; single-leg stance 30 s or more.\n"
            "Full running after two walk-run weeks without breaking the pain rule, then +10% volume a week.\n"
            "A clinic checklist uses 30 heel raises, a 10 km walk and 1 min balance instead (secondary).\n"
            "Stop and refer on bony tenderness, a positive calcaneal squeeze or a painful hop."
        ),
        "safety_tags": ["loading", "heavy_loading"],
        "indications": [],
    },
    {
        "name": "Frozen-bottle roll",
        "kind": "exercise",
        "region": "foot",
        "target": "Plantar fascia (cold)",
        "position": "Sitting, foot on a frozen water bottle",
        "equipment": "A small plastic water bottle, frozen; a thin cloth",
        "steps": (
            "Freeze a small water bottle and wrap it in a thin cloth.\n"
            "Sit and roll the arch slowly over the bottle, from the heel to the ball of the foot and back.\n"
            "Stop when the skin feels numb, or after a few minutes."
        ),
        "cues": "Useful after a busy day on your feet.",
        "mistakes": "Rolling on bare ice for a long time.",
        "sets": 1,
        "reps": None,
        "hold_seconds": 120,
        "tempo": "Slow rolling",
        "frequency": "Once a day if it helps",
        "dosage_note": "",
        "citation": "Clinic default (no trial dose found)",
        "dosage_confirmed": False,
        "drawing": "bottle_roll",
        "cautions": (
            "No ice or frozen-bottle massage with diabetes, neuropathy, reduced sensation, Raynaud's or cold sensitivity.\n"
            "Check the skin after the first use."
        ),
        "safety_tags": ["ice"],
        "indications": [],
    },
]

# Existing library exercises: cautions for the therapist, safety tags, flags, and
# fixes to wording a client reads (no "strengthens the fascia").
UPDATES = {
    "Plantar-fascia stretch": {
        "cautions": (
            "Stretch to tightness, not pain.\n"
            "Tingling, burning or numbness in the foot during the stretch: stop and refer (possible nerve irritation)."
        ),
        "safety_tags": [],
    },
    "Calf stretch, back knee straight": {
        "cautions": (
            "Not on a calf with one-sided swelling, warmth or redness (possible clot): refer the same day.\n"
            "Poor balance: hold the wall firmly or stretch seated with a towel."
        ),
        "safety_tags": [],
    },
    "Calf stretch, back knee bent": {
        "cautions": (
            "Not on a calf with one-sided swelling, warmth or redness (possible clot): refer the same day.\n"
            "Older adults: hold 30 to 60 s (ACSM 2021)."
        ),
        "safety_tags": [],
    },
    "High-load heel raise with towel": {
        "target": "Calf and foot (strength), loading the plantar fascia",
        "cautions": (
            "Not the first step for an irritable heel (first-step pain in the red band): start with the "
            "low-capacity heel raise and progress.\n"
            "Stop loading and refer for imaging on bony heel tenderness, a positive calcaneal squeeze or pain at rest.\n"
            "After a corticosteroid heel injection: no new heavy loading in weeks 1 to 2 unless the injector's "
            "plan includes it (Sellman 1994; Riel 2019).\n"
            "Better than stretching at 3 months only; no difference at 1, 6 or 12 months (Rathleff 2015), and "
            "no better than advice with a heel cup at 12 weeks (Riel 2023)."
        ),
        "safety_tags": ["loading", "heavy_loading"],
    },
    "Heel raise, low-capacity start": {
        "citation": "Caratun 2018 (secondary summary)",
        "cautions": (
            "For an irritable heel: listed first when first-step pain is in the red band.\n"
            "Pain may rise during and on the day but must settle by the next morning (Caratun 2018); "
            "if not, drop a step.\n"
            "Stop and refer on bony heel tenderness, a positive calcaneal squeeze or pain at rest."
        ),
        "safety_tags": ["loading"],
        "low_capacity": True,
    },
    "Short foot (arch doming)": {
        "pronated_feet_only": True,
        "cautions": (
            "Suggested only for a pronated foot (FPI-6 above +5 or navicular drop over 10 mm).\n"
            "Added to stretching, foot strengthening gave no extra benefit in one trial (Kamonseki 2016); "
            "3 x 10 x 5 s is an unconfirmed clinic default."
        ),
        "safety_tags": [],
    },
    "Toe yoga": {
        "cautions": "Cramping in the arch: fewer reps, more rest.\nPain in the big-toe joint itself: refer.",
        "safety_tags": [],
    },
    "Towel scrunch": {
        "cautions": "Cramping in the arch: shorter bouts.\nDosage is a secondary-source default.",
        "safety_tags": [],
    },
    "Side-lying hip abduction": {
        "cautions": (
            "Give it for a measured hip deficit; no heel-pain benefit has been shown (Kamonseki 2016).\n"
            "Hip or back pain on lifting: smaller range or stop."
        ),
        "safety_tags": ["loading"],
    },
    "Clamshell": {
        "cautions": "Give it for a measured hip deficit; no heel-pain benefit has been shown (Kamonseki 2016).",
        "safety_tags": ["loading"],
    },
    "Glute bridge": {
        "cautions": "Back pain: smaller lift.\nGive it for a measured deficit (Kamonseki 2016).",
        "safety_tags": ["loading"],
    },
    "Single-leg bridge": {
        "cautions": "Progress from the two-leg bridge; hamstring cramp: lower the hips.",
        "safety_tags": ["loading"],
    },
    "Knee-to-wall ankle mobilisation": {
        "citation": "Powden 2015 (re-test error); clinic default dosage",
        "cautions": (
            "The client's own mobility exercise. Hands-on joint mobilisation is only for therapists whose "
            "profile puts it in their scope.\n"
            "Pain in the front of the ankle (pinching): smaller range."
        ),
        "safety_tags": [],
    },
    "Single-leg balance": {
        "citation": "Springer 2007 (stance norms); clinic default dosage",
        "cautions": "Near a support. Dizziness or recent falls: practise with you first.",
        "safety_tags": [],
    },
    "Plantar ball self-massage": {
        "equipment": "A tennis or massage ball",
        "cautions": (
            "Not over a wound, blister or infected skin.\n"
            "Reduced sensation: lighter pressure and check the skin after."
        ),
        "safety_tags": [],
    },
}

# Client-facing "why" texts that named the fascia as what gets stronger.
INDICATION_REASONS = {
    ("High-load heel raise with towel", "windlass", "positive"): (
        "Builds calf and foot strength so your heel copes with more load."
    ),
    ("Plantar-fascia stretch", "windlass", "positive"): (
        "Stretches the tissue under your arch; your windlass test brought on your heel pain."
    ),
}

LINKS = [
    # (exercise, progression, regression)
    ("Return-to-walk progression", "Return-to-run progression (walk-run)", None),
    ("Return-to-run progression (walk-run)", None, "Return-to-walk progression"),
]

REFERRALS = [
    (
        "Custom foot orthoses",
        "A podiatrist",
        "Outside massage scope. Worth discussing if taping, stretching, loading and advice have not helped "
        "after about 12 weeks; on their own they did little in the short term.",
        "Koc 2023 (CPG, secondary summary); Morrissey 2021",
    ),
    (
        "Night splint (fitting)",
        "A physiotherapist or podiatrist",
        "For first-step pain, worn for 1 to 3 months. You may suggest it; fitting is done by a "
        "physiotherapist or podiatrist.",
        "Koc 2023 (CPG, secondary summary)",
    ),
    (
        "Shockwave therapy",
        "A physiotherapist or sports-medicine doctor",
        "When core care (taping, stretching, education, loading) has not helped after about 4 weeks.",
        "Morrissey 2021",
    ),
    (
        "Dry needling",
        "A physiotherapist trained in dry needling",
        "Generally outside massage scope; it helped for up to 6 months in trials.",
        "Koc 2023 (CPG, secondary summary); AFP 2025",
    ),
    (
        "Corticosteroid injection",
        "The client's GP or a sports-medicine doctor",
        "Short-term relief only, with a risk of fascia rupture and heel fat-pad thinning: a doctor's decision.",
        "Sellman 1994",
    ),
]


def seed(apps, schema_editor):
    Exercise = apps.get_model("programs", "Exercise")
    Indication = apps.get_model("programs", "ExerciseIndication")
    ReferralOption = apps.get_model("programs", "ReferralOption")
    for spec in NEW_EXERCISES:
        spec = dict(spec)
        indications = spec.pop("indications")
        exercise, _ = Exercise.objects.get_or_create(name=spec["name"], defaults=spec)
        for code, kind, reason, priority in indications:
            Indication.objects.get_or_create(
                exercise=exercise,
                measure_code=code,
                finding_kind=kind,
                defaults={"reason": reason, "priority": priority},
            )
    for name, fields in UPDATES.items():
        Exercise.objects.filter(name=name).update(**fields)
    for (name, code, kind), reason in INDICATION_REASONS.items():
        Indication.objects.filter(exercise__name=name, measure_code=code, finding_kind=kind).update(reason=reason)
    by_name = {e.name: e for e in Exercise.objects.filter(name__in=[n for link in LINKS for n in link if n])}
    for name, progression, regression in LINKS:
        exercise = by_name.get(name)
        if exercise is None:
            continue
        exercise.progression = by_name.get(progression)
        exercise.regression = by_name.get(regression)
        exercise.save(update_fields=["progression", "regression"])
    for order, (name, refer_to, reason, citation) in enumerate(REFERRALS, start=1):
        ReferralOption.objects.update_or_create(
            name=name, defaults={"refer_to": refer_to, "reason": reason, "citation": citation, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("programs", "0004_exercise_cautions_safety_tags")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
