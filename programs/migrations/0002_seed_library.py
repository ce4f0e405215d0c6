"""Seed the exercise library and the finding-to-exercise map from the clinical
reference (§4), so every installation starts with the same evidence-based set.

Dosages marked [unconfirmed] or [secondary] in the reference are seeded with
dosage_confirmed=False and appear as "unconfirmed" in the app and on handouts.
"""

from django.db import migrations

EXERCISES = [
    {
        "key": "pf_stretch",
        "name": "Plantar-fascia stretch",
        "region": "foot",
        "target": "Plantar fascia",
        "position": "Sitting, the painful leg crossed over the other knee",
        "equipment": "A chair",
        "steps": (
            "Sit down and cross the painful leg over the other knee.\n"
            "Hold the foot with the hand on the same side and pull the toes back towards the shin "
            "until you feel a stretch in the arch.\n"
            "Run the thumb of your other hand across the arch: it should feel firm, like a guitar string.\n"
            "Hold for a count of 10, then let go.\n"
            "Repeat 10 times. That is one set."
        ),
        "cues": (
            "Do a set before your first step in the morning.\n"
            "Do a set before you stand up after sitting for a long time.\n"
            "You cannot do this stretch too often."
        ),
        "mistakes": "Pulling on the ankle instead of the toes.\nBouncing instead of holding.",
        "sets": 1,
        "reps": 10,
        "hold_seconds": 10,
        "tempo": "",
        "frequency": "At least 3 times a day",
        "dosage_note": "Before the first step in the morning and before standing after long sitting.",
        "citation": "DiGiovanni 2003",
        "dosage_confirmed": True,
        "drawing": "pf_stretch",
        "indications": [
            ("windlass", "positive", "Stretches the plantar fascia, which your windlass test showed is irritated.", 1),
            ("nprs_first_step", "high_pain", "Eases the sharp pain of your first steps in the morning.", 1),
            ("mct_tenderness", "any", "Stretches the tissue that is tender under your heel.", 2),
        ],
    },
    {
        "key": "gastroc_wall",
        "name": "Calf stretch, back knee straight",
        "region": "calf",
        "target": "Gastrocnemius (upper calf)",
        "position": "Standing facing a wall, one foot in front of the other",
        "equipment": "A wall",
        "steps": (
            "Stand facing a wall with both hands on it at shoulder height.\n"
            "Step the leg to be stretched back. Point both feet straight forward.\n"
            "Keep the back knee straight and the back heel on the floor.\n"
            "Bend the front knee and lean towards the wall until you feel a stretch in the upper calf.\n"
            "Hold for a count of 10, then ease off. Repeat 10 times."
        ),
        "cues": "Heel stays down the whole time.\nStretch to tightness, not to pain.",
        "mistakes": "Letting the back heel lift.\nTurning the back foot out.",
        "sets": 1,
        "reps": 10,
        "hold_seconds": 10,
        "tempo": "",
        "frequency": "At least 3 times a day",
        "dosage_note": "Alternative: 30-second holds, about 5 minutes a day in total, for at least 4 to 6 weeks.",
        "citation": "URMC Achilles protocol (DiGiovanni 2003 comparison group); ACSM 2021",
        "dosage_confirmed": True,
        "drawing": "gastroc_wall",
        "indications": [
            ("df_knee_straight", "any", "Your ankle bends less with the knee straight: this lengthens the upper calf.", 1),
            ("knee_to_wall", "any", "Your ankle bends less than it should: a looser calf takes strain off the heel.", 2),
            ("calf_tenderness", "any", "Eases the tight, tender calf that pulls on your heel.", 3),
        ],
    },
    {
        "key": "soleus_wall",
        "name": "Calf stretch, back knee bent",
        "region": "calf",
        "target": "Soleus (lower calf)",
        "position": "Standing facing a wall, one foot in front of the other",
        "equipment": "A wall",
        "steps": (
            "Stand facing a wall with both hands on it.\n"
            "Step the leg to be stretched back, heel on the floor.\n"
            "Bend the back knee and sink down until you feel a stretch low in the calf, near the heel.\n"
            "Hold, then ease off and repeat."
        ),
        "cues": "Keep the back heel down.\nA gentle pull, never sharp pain.",
        "mistakes": "Lifting the heel as the knee bends.",
        "sets": 1,
        "reps": 3,
        "hold_seconds": 20,
        "tempo": "",
        "frequency": "Daily",
        "dosage_note": "Hold 10 to 30 seconds (30 to 60 if you are older); about 60 seconds in total per stretch.",
        "citation": "ACSM 2021",
        "dosage_confirmed": True,
        "drawing": "soleus_wall",
        "indications": [
            ("df_knee_bent", "any", "Your ankle bends less with the knee bent: this lengthens the lower calf.", 1),
            ("knee_to_wall", "any", "Your ankle bends less than it should: this frees the lower calf.", 3),
        ],
    },
    {
        "key": "hl_heel_raise",
        "name": "High-load heel raise with towel",
        "region": "foot",
        "target": "Plantar fascia and calf (strength)",
        "position": "Standing on one leg on a step, a rolled towel under the toes",
        "equipment": "A step, a rolled towel, a backpack for extra load",
        "steps": (
            "Roll a towel and put it on the edge of a step.\n"
            "Stand on the painful leg with the toes on the towel and the heel over the edge. "
            "Hold the wall or a rail lightly for balance.\n"
            "Rise up onto your toes as high as you can, counting 3 seconds.\n"
            "Hold at the top for 2 seconds.\n"
            "Lower slowly for 3 seconds until the heel is below the step."
        ),
        "cues": (
            "Every rep takes 8 seconds: 3 up, 2 hold, 3 down.\n"
            "Rest 2 minutes between sets.\n"
            "The last reps of each set should feel hard."
        ),
        "mistakes": "Rushing the lowering.\nLeaning on the wall instead of just balancing.",
        "sets": 3,
        "reps": 12,
        "hold_seconds": None,
        "tempo": "3 s up, 2 s hold, 3 s down",
        "frequency": "Every second day",
        "dosage_note": (
            "Weeks 0 to 2: 3 sets of 12 (heaviest load you can lift 12 times). "
            "From week 2: 4 sets of 10, add a backpack with books. "
            "From week 4: 5 sets of 8. Keep adding load as you get stronger; 3-month program."
        ),
        "citation": "Rathleff 2015",
        "dosage_confirmed": True,
        "drawing": "heel_raise_towel",
        "indications": [
            ("windlass", "positive", "Strengthens the plantar fascia and calf so the heel copes with load.", 2),
            ("nprs_first_step", "high_pain", "Builds heel tolerance; in a trial it cut heel pain faster than stretching.", 2),
            ("heel_raise_reps", "any", "Your calf tired early on the heel-raise test: this builds its strength.", 1),
        ],
    },
    {
        "key": "lc_heel_raise",
        "name": "Heel raise, low-capacity start",
        "region": "foot",
        "target": "Plantar fascia and calf (strength)",
        "position": "Standing on a step, holding on for balance",
        "equipment": "A step; later a backpack",
        "steps": (
            "Stand on a step with the balls of both feet on the edge. Hold on for balance.\n"
            "Rise up on both feet for 5 seconds.\n"
            "Hold at the top for 3 seconds.\n"
            "Take the good foot off and lower on the painful leg for 5 seconds."
        ),
        "cues": "Slow and smooth.\nWhen one leg can rise on its own, do the whole rep on one leg.",
        "mistakes": "Dropping quickly at the end.",
        "sets": 1,
        "reps": 10,
        "hold_seconds": None,
        "tempo": "5 s up, 3 s hold, 5 s down",
        "frequency": "Daily",
        "dosage_note": "Weeks 1 to 4: body weight. Weeks 5 to 12: add load in a backpack.",
        "citation": "Caratun 2018",
        "dosage_confirmed": False,
        "drawing": "heel_raise_two_up",
        "indications": [
            ("heel_raise_reps", "any", "A gentler start to build calf strength for your heel.", 3),
            ("nprs_first_step", "high_pain", "A gentle way to start loading a painful heel.", 4),
        ],
    },
    {
        "key": "short_foot",
        "name": "Short foot (arch doming)",
        "region": "foot",
        "target": "Intrinsic foot muscles",
        "position": "Sitting, later standing",
        "equipment": "",
        "steps": (
            "Sit with the foot flat on the floor.\n"
            "Keep the big toe, the little toe and the heel on the floor.\n"
            "Draw the ball of the foot towards the heel so the arch lifts. Do not curl the toes.\n"
            "Hold for 5 seconds, then relax."
        ),
        "cues": "Toes stay long and relaxed.\nThink of making the foot shorter, not the toes curling.",
        "mistakes": "Curling or gripping with the toes.\nRolling the foot out.",
        "sets": 3,
        "reps": 10,
        "hold_seconds": 5,
        "tempo": "",
        "frequency": "Daily",
        "dosage_note": "Clinic default.",
        "citation": "Koc 2023 (CPG: foot strengthening)",
        "dosage_confirmed": False,
        "drawing": "short_foot",
        "indications": [
            ("fpi6_total", "out_of_norm", "Trains the small foot muscles that support your arch.", 1),
            ("navicular_drop", "out_of_norm", "Trains the arch muscles; your arch drops a lot when you stand.", 1),
        ],
    },
    {
        "key": "toe_yoga",
        "name": "Toe yoga",
        "region": "foot",
        "target": "Toe flexors and intrinsic foot muscles",
        "position": "Sitting, foot flat",
        "equipment": "",
        "steps": (
            "Sit with both feet flat on the floor.\n"
            "Lift the big toe while pressing the other toes down. Hold 2 to 3 seconds.\n"
            "Now press the big toe down and lift the other toes. Hold 2 to 3 seconds.\n"
            "That is one rep."
        ),
        "cues": "Move only the toes; the foot stays still.",
        "mistakes": "Lifting the whole foot.",
        "sets": 1,
        "reps": 10,
        "hold_seconds": 3,
        "tempo": "",
        "frequency": "Daily",
        "dosage_note": "",
        "citation": "Koc 2023 (CPG: toe-flexor strengthening)",
        "dosage_confirmed": False,
        "drawing": "toe_yoga",
        "indications": [
            ("fpi6_total", "out_of_norm", "Strengthens the toe muscles that help hold up your arch.", 2),
            ("navicular_drop", "out_of_norm", "Strengthens the toe muscles that help hold up your arch.", 2),
        ],
    },
    {
        "key": "towel_scrunch",
        "name": "Towel scrunch",
        "region": "foot",
        "target": "Toe flexors",
        "position": "Sitting, foot on a towel on a smooth floor",
        "equipment": "A towel",
        "steps": (
            "Sit with the foot on a towel on a smooth floor.\n"
            "Use your toes to gather the towel towards you.\n"
            "When it is all gathered, spread it out and start again."
        ),
        "cues": "Heel stays on the floor.",
        "mistakes": "Lifting the heel to help.",
        "sets": 2,
        "reps": 15,
        "hold_seconds": None,
        "tempo": "",
        "frequency": "3 days a week",
        "dosage_note": "Or 5 to 10 minutes, 3 days a week.",
        "citation": "Koc 2023 (CPG: toe-flexor strengthening)",
        "dosage_confirmed": False,
        "drawing": "towel_scrunch",
        "indications": [
            ("fpi6_total", "out_of_norm", "Strengthens the toe muscles that support your foot.", 3),
        ],
    },
    {
        "key": "side_lying_abduction",
        "name": "Side-lying hip abduction",
        "region": "hip",
        "target": "Gluteus medius",
        "position": "Lying on your side, bottom knee slightly bent",
        "equipment": "A mat; ankle weight to progress",
        "steps": (
            "Lie on your side with the working leg on top.\n"
            "Roll the hips slightly forward. Keep the top leg straight and in line with your body.\n"
            "Lift the top leg towards the ceiling, leading with the heel.\n"
            "Lower slowly."
        ),
        "cues": "Pelvis rolled slightly forward.\nToes point forward, not up.",
        "mistakes": "Rolling backwards.\nSwinging the leg forward.",
        "sets": 2,
        "reps": 12,
        "hold_seconds": None,
        "tempo": "2 s up, 2 s down",
        "frequency": "2 to 3 days a week",
        "dosage_note": "1 to 3 sets of 8 to 12. Add 2 to 10% load once you can do 1 or 2 reps more than the target.",
        "citation": "ACSM 2009 (novice resistance training)",
        "dosage_confirmed": True,
        "drawing": "side_lying_abduction",
        "indications": [
            ("mmt_glute_med", "out_of_norm", "Strengthens the side hip muscle that tested weak.", 1),
            ("trendelenburg", "positive", "Your pelvis dropped on one leg: this strengthens the muscle that holds it level.", 1),
            ("gait_pelvic_drop", "any", "Your pelvis drops as you run or walk: this builds the side hip muscle.", 2),
        ],
    },
    {
        "key": "clamshell",
        "name": "Clamshell",
        "region": "hip",
        "target": "Gluteus medius and hip rotators",
        "position": "Lying on your side, hips and knees bent, feet together",
        "equipment": "A mat; a loop band to progress",
        "steps": (
            "Lie on your side with the hips and knees bent and the feet together.\n"
            "Keep the feet touching and open the top knee like a clamshell.\n"
            "Lower slowly."
        ),
        "cues": "Do not let the pelvis roll back.",
        "mistakes": "Rolling the body back to open further.",
        "sets": 2,
        "reps": 12,
        "hold_seconds": None,
        "tempo": "2 s up, 2 s down",
        "frequency": "2 to 3 days a week",
        "dosage_note": "1 to 3 sets of 8 to 12; add a band once it feels easy.",
        "citation": "Macadam 2015; ACSM 2009",
        "dosage_confirmed": True,
        "drawing": "clamshell",
        "indications": [
            ("mmt_glute_med", "out_of_norm", "Strengthens the side hip muscles that tested weak.", 2),
            ("trendelenburg", "positive", "Builds the hip muscles that keep your pelvis level.", 2),
            ("sl_squat_quality", "any", "Helps the knee stay in line when you squat on one leg.", 2),
        ],
    },
    {
        "key": "glute_bridge",
        "name": "Glute bridge",
        "region": "hip",
        "target": "Gluteus maximus",
        "position": "Lying on your back, knees bent, feet flat",
        "equipment": "A mat",
        "steps": (
            "Lie on your back with the knees bent and the feet flat, hip-width apart.\n"
            "Squeeze your buttocks and lift the hips until the body is in a straight line "
            "from shoulders to knees.\n"
            "Pause, then lower slowly."
        ),
        "cues": "Push through the heels.\nRibs down; do not arch the back.",
        "mistakes": "Arching the lower back.",
        "sets": 2,
        "reps": 12,
        "hold_seconds": None,
        "tempo": "2 s up, 2 s down",
        "frequency": "2 to 3 days a week",
        "dosage_note": "",
        "citation": "ACSM 2009",
        "dosage_confirmed": False,
        "drawing": "glute_bridge",
        "indications": [
            ("mmt_glute_max", "out_of_norm", "Strengthens the buttock muscle that tested weak.", 1),
            ("sl_bridge_reps", "any", "A first step to build buttock strength before the one-leg bridge.", 2),
        ],
    },
    {
        "key": "sl_bridge",
        "name": "Single-leg bridge",
        "region": "hip",
        "target": "Gluteus maximus and hamstrings",
        "position": "Lying on your back, one knee bent, the other leg straight",
        "equipment": "A mat",
        "steps": (
            "Lie on your back with the working knee bent and that foot flat.\n"
            "Straighten the other leg in line with the bent thigh.\n"
            "Lift the hips until shoulders, hips and knee are in line.\n"
            "Lower slowly."
        ),
        "cues": "Keep the hips level.",
        "mistakes": "Hips twisting or dropping to one side.",
        "sets": 2,
        "reps": 8,
        "hold_seconds": None,
        "tempo": "2 s up, 2 s down",
        "frequency": "2 to 3 days a week",
        "dosage_note": "",
        "citation": "Freckleton 2014 (test protocol)",
        "dosage_confirmed": False,
        "drawing": "sl_bridge",
        "indications": [
            ("sl_bridge_reps", "any", "Your one-leg bridge tired early: this builds that strength.", 1),
            ("mmt_glute_max", "out_of_norm", "Builds buttock and hamstring strength on each leg.", 2),
        ],
    },
    {
        "key": "knee_to_wall",
        "name": "Knee-to-wall ankle mobilisation",
        "region": "calf",
        "target": "Ankle joint (dorsiflexion)",
        "position": "Standing facing a wall in a short lunge",
        "equipment": "A wall",
        "steps": (
            "Face a wall with the working foot a few centimetres from it.\n"
            "Keeping the heel down, bend the knee forward until it touches the wall.\n"
            "Straighten back slowly. That is one rep.\n"
            "As it gets easier, move the foot a little further back."
        ),
        "cues": "Heel stays on the floor.\nKnee points over the second toe.",
        "mistakes": "Heel lifting.\nKnee falling inwards.",
        "sets": 2,
        "reps": 10,
        "hold_seconds": None,
        "tempo": "Slow rocking",
        "frequency": "Daily",
        "dosage_note": "Re-test the knee-to-wall distance; a change of 1.6 to 1.9 cm is real (Powden 2015).",
        "citation": "Clinic default (2 to 3 sets of 10)",
        "dosage_confirmed": False,
        "drawing": "knee_to_wall",
        "indications": [
            ("knee_to_wall", "any", "Your ankle bends less than it should: this restores the movement.", 1),
            ("df_knee_bent", "any", "Improves how far your ankle bends with the knee bent.", 2),
        ],
    },
    {
        "key": "sl_balance",
        "name": "Single-leg balance",
        "region": "balance",
        "target": "Balance and foot control",
        "position": "Standing on one leg near a support",
        "equipment": "A chair or counter to hold if needed",
        "steps": (
            "Stand near a counter and lift one foot.\n"
            "Balance on the standing leg with the knee soft.\n"
            "Keep the pelvis level and the arch lifted.\n"
            "Hold, then swap legs."
        ),
        "cues": "Harder: close your eyes or stand on a cushion.",
        "mistakes": "Locking the knee.\nLetting the hip drop.",
        "sets": 3,
        "reps": None,
        "hold_seconds": 30,
        "tempo": "",
        "frequency": "Daily",
        "dosage_note": "Clinic default.",
        "citation": "Clinic default",
        "dosage_confirmed": False,
        "drawing": "sl_balance",
        "indications": [
            ("sl_squat_quality", "any", "Trains control of the knee and foot on one leg.", 1),
            ("trendelenburg", "positive", "Trains you to keep the pelvis level on one leg.", 3),
            ("gait_crossover", "any", "Trains control on one leg so your feet stop crossing.", 1),
        ],
    },
    {
        "key": "ball_massage",
        "name": "Plantar ball self-massage",
        "region": "foot",
        "target": "Plantar fascia and foot muscles",
        "position": "Sitting, foot on a ball",
        "equipment": "A tennis or massage ball, or a frozen water bottle",
        "steps": (
            "Sit with the foot on a ball.\n"
            "Roll the ball slowly from the heel to the ball of the foot and back.\n"
            "Press firmly enough to feel it, not enough to cause sharp pain."
        ),
        "cues": "Good before the first steps of the day.",
        "mistakes": "Pressing hard on a very sore spot.",
        "sets": 1,
        "reps": None,
        "hold_seconds": 60,
        "tempo": "Slow rolling",
        "frequency": "1 to 2 times a day",
        "dosage_note": "Roll for about a minute each time.",
        "citation": "Clinic default",
        "dosage_confirmed": False,
        "drawing": "ball_massage",
        "indications": [
            ("mct_tenderness", "any", "Eases the tender tissue under your heel.", 1),
            ("nprs_first_step", "high_pain", "Loosens the foot before your first steps.", 3),
        ],
    },
]

# (exercise, progression, regression)
LINKS = [
    ("lc_heel_raise", "hl_heel_raise", None),
    ("hl_heel_raise", None, "lc_heel_raise"),
    ("glute_bridge", "sl_bridge", None),
    ("sl_bridge", None, "glute_bridge"),
    ("clamshell", "side_lying_abduction", None),
    ("side_lying_abduction", None, "clamshell"),
    ("short_foot", None, "toe_yoga"),
    ("toe_yoga", "short_foot", None),
]


def seed(apps, schema_editor):
    apps.get_model("programs", "PainMonitoringRule").objects.get_or_create(pk=1)
    Exercise = apps.get_model("programs", "Exercise")
    Indication = apps.get_model("programs", "ExerciseIndication")
    by_key = {}
    for spec in EXERCISES:
        spec = dict(spec)
        key = spec.pop("key")
        indications = spec.pop("indications")
        exercise, _ = Exercise.objects.get_or_create(name=spec["name"], defaults=spec)
        by_key[key] = exercise
        for code, kind, reason, priority in indications:
            Indication.objects.get_or_create(
                exercise=exercise,
                measure_code=code,
                finding_kind=kind,
                defaults={"reason": reason, "priority": priority},
            )
    for key, progression, regression in LINKS:
        exercise = by_key[key]
        exercise.progression = by_key.get(progression)
        exercise.regression = by_key.get(regression)
        exercise.save(update_fields=["progression", "regression"])


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
