"""More techniques and regions for the heel-pain care set, and findings language
in the initial-visit template (notes say "Findings:", never a diagnosis).

The codes are fixed: the clinic's safety rules name them."""

from django.db import migrations

TECHNIQUES = (
    ("effleurage", "Effleurage"),
    ("petrissage", "Petrissage"),
    ("cross_fibre_friction", "Cross-fibre friction"),
    ("soft_tissue_release", "Soft-tissue release"),
    ("compression", "Sustained compression"),
    ("percussion_device", "Percussion device"),
    ("heat", "Heat"),
    ("ice", "Ice or cold"),
    ("education", "Education and advice"),
    ("exercise_instruction", "Exercise instruction"),
    ("taping", "Taping"),
)

# (code, name, group, order): the order places each beside its neighbours in
# the grouped region picker (foot first, then lower leg, then thigh and hip).
REGIONS = (
    ("heel_fat_pad", "Heel fat pad", "Foot", 2),
    ("abductor_hallucis", "Abductor hallucis", "Foot", 2),
    ("first_mtp_toes", "First MTP joint and toes", "Foot", 2),
    ("ankle_subtalar", "Ankle and subtalar joints", "Foot", 2),
    ("long_toe_flexors", "Long toe flexors", "Lower leg", 8),
    ("deep_posterior_calf", "Deep posterior calf", "Lower leg", 8),
    ("tibialis_anterior", "Tibialis anterior", "Lower leg", 8),
    ("adductors", "Adductors", "Thigh and hip", 16),
)

INITIAL_ANALYSIS = (
    "Findings (tissue and function, with numbers and sides): \nContributing factors: \n"
    "Referred to … because …"
)
OLD_ANALYSIS_START = "Functional and tissue findings consistent with"


def seed(apps, schema_editor):
    Technique = apps.get_model("notes", "Technique")
    BodyRegion = apps.get_model("notes", "BodyRegion")
    NoteTemplate = apps.get_model("notes", "NoteTemplate")
    start = (Technique.objects.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    for order, (code, name) in enumerate(TECHNIQUES, start=start):
        Technique.objects.get_or_create(code=code, defaults={"name": name, "has_grade": False, "order": order})
    for code, name, group, order in REGIONS:
        BodyRegion.objects.get_or_create(code=code, defaults={"name": name, "group": group, "order": order})
    template = NoteTemplate.objects.filter(kind="initial").first()
    if template is not None and str(template.content.get("analysis", "")).startswith(OLD_ANALYSIS_START):
        template.content = {**template.content, "analysis": INITIAL_ANALYSIS}
        template.save(update_fields=["content"])


class Migration(migrations.Migration):
    dependencies = [("notes", "0005_history_append_only")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
