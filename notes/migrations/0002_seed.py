"""Seed the technique and region catalogues, the note templates and clinic-wide snippets."""

from django.db import migrations

TECHNIQUES = (
    ("sports_massage", "Sports / deep-tissue massage", False),
    ("myofascial_release", "Myofascial release", False),
    ("active_release", "Active release", False),
    ("trigger_point", "Trigger-point therapy", False),
    ("iastm", "Instrument-assisted soft-tissue work", False),
    ("cupping", "Cupping", False),
    ("joint_mobilisation", "Joint mobilisation (grade I-IV)", True),
    ("static_stretching", "Static stretching", False),
    ("pnf", "PNF / contract-relax", False),
    ("met", "Muscle energy technique", False),
    ("kinesiology_taping", "Kinesiology taping", False),
    ("rigid_taping", "Rigid taping", False),
)

REGIONS = (
    ("plantar_fascia", "Plantar fascia", "Foot"),
    ("intrinsic_foot", "Intrinsic foot muscles", "Foot"),
    ("gastroc_medial", "Gastrocnemius (medial)", "Lower leg"),
    ("gastroc_lateral", "Gastrocnemius (lateral)", "Lower leg"),
    ("soleus", "Soleus", "Lower leg"),
    ("tibialis_posterior", "Tibialis posterior", "Lower leg"),
    ("peroneals", "Peroneals", "Lower leg"),
    ("achilles", "Achilles", "Lower leg"),
    ("hamstrings", "Hamstrings", "Thigh and hip"),
    ("quadriceps", "Quadriceps", "Thigh and hip"),
    ("tfl_itb", "TFL / ITB", "Thigh and hip"),
    ("glute_max", "Gluteus maximus", "Thigh and hip"),
    ("glute_med", "Gluteus medius", "Thigh and hip"),
    ("glute_min", "Gluteus minimus", "Thigh and hip"),
    ("piriformis", "Piriformis", "Thigh and hip"),
    ("hip_flexors", "Hip flexors", "Thigh and hip"),
    ("lumbar", "Lumbar", "Trunk"),
)

TEMPLATES = {
    "initial": (
        "Initial visit",
        {
            "chief_complaint": "Heel pain: location, onset, duration, aggravating and easing factors.",
            "subjective": (
                "History and previous treatment:\nActivity / work / footwear:\nSleep and stress:\n"
                "Medications:\nClient goals:"
            ),
            "objective": "Posture and gait:\nROM (WBLT, DF knee straight / bent):\nSpecial tests:\nStrength:",
            "analysis": (
                "Functional and tissue findings consistent with load-related plantar heel pain; "
                "contributing factors:"
            ),
            "plan_next": "Re-test first-step pain and WBLT; progress soft-tissue work to calf and foot.",
            "frequency": "Weekly for 4 weeks, then review",
            "goals": "First-step pain from _/10 to _/10 within 6 weeks;",
        },
    ),
    "follow_up": (
        "Follow-up",
        {
            "subjective": "Since last visit: ",
            "objective": "Re-test: ",
            "analysis": "Response to treatment: ",
            "plan_next": "Continue current plan; ",
        },
    ),
    "discharge": (
        "Discharge",
        {
            "subjective": "Client reports: ",
            "objective": "Final re-test: ",
            "analysis": "Goals met / partly met: ",
            "plan_next": "Discharged to independent home program. Return if symptoms recur.",
            "frequency": "As needed",
        },
    ),
}

SNIPPETS = (
    ("No change in health", "Client reports no change in health or medications since the last visit."),
    ("Pressure tolerated", "Pressure tolerated well throughout; no adverse response."),
    ("Post-treatment soreness", "Advised mild soreness for 24-48 h is expected; contact the clinic if it persists."),
    ("First-step pain eased", "First-step pain eased after treatment (re-tested standing)."),
    ("HEP reviewed", "Home program reviewed; technique corrected and dosage confirmed."),
    ("Refer to GP", "Advised to see the GP for medical review; not a medical diagnosis."),
)


def seed(apps, schema_editor):
    Technique = apps.get_model("notes", "Technique")
    BodyRegion = apps.get_model("notes", "BodyRegion")
    NoteTemplate = apps.get_model("notes", "NoteTemplate")
    Snippet = apps.get_model("notes", "Snippet")
    for order, (code, name, has_grade) in enumerate(TECHNIQUES, start=1):
        Technique.objects.update_or_create(
            code=code, defaults={"name": name, "has_grade": has_grade, "order": order}
        )
    for order, (code, name, group) in enumerate(REGIONS, start=1):
        BodyRegion.objects.update_or_create(code=code, defaults={"name": name, "group": group, "order": order})
    for kind, (name, content) in TEMPLATES.items():
        NoteTemplate.objects.update_or_create(kind=kind, defaults={"name": name, "content": content})
    for title, text in SNIPPETS:
        if not Snippet.objects.filter(owner__isnull=True, title=title).exists():
            Snippet.objects.create(title=title, text=text)


class Migration(migrations.Migration):
    dependencies = [
        ("notes", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
