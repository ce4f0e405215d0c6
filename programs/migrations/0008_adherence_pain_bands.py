from django.conf import settings
from django.db import migrations, models

from core.records import LockSignedRows, UnlockSignedRows

RULE_TYPE = "programs.painmonitoringrule"


def bands_in_force(apps, schema_editor):
    """Give each existing row the pain bands in force when it was recorded.

    The clinic's bands change only through the band settings, and each change is
    an audit row with the new edges; before the first change the bands were the
    defaults (green 0-2, amber 3-5), which the new columns already hold. Rows of
    signed notes are updated while their lock is off for this migration."""
    try:  # the audit log moved to an app of its own later; the table is the same
        AuditEvent = apps.get_model("audit", "AuditEvent")
    except LookupError:
        AuditEvent = apps.get_model("clinic", "AuditEvent")
    Adherence = apps.get_model("programs", "Adherence")
    changes = AuditEvent.objects.filter(action="update", object_type=RULE_TYPE).order_by("at", "id")
    for change in changes.iterator():
        detail = change.detail or {}
        green, amber = detail.get("green_max"), detail.get("amber_max")
        if not (isinstance(green, int) and isinstance(amber, int) and 0 <= green < amber <= 9):
            continue
        Adherence.objects.filter(created_at__gte=change.at).update(green_max=green, amber_max=amber)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0014_named_supervisors"),
        ("notes", "0007_safety_override"),
        ("programs", "0007_referral_recommendations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # SQLite rebuilds the table to add the columns, and the old rows of signed
        # notes get their bands below: the lock comes off for both and goes back on.
        UnlockSignedRows("programs_adherence", parent_table="notes_visitnote", fk_column="visit_id"),
        migrations.AddField(
            model_name="adherence",
            name="amber_max",
            field=models.PositiveSmallIntegerField(default=5),
        ),
        migrations.AddField(
            model_name="adherence",
            name="green_max",
            field=models.PositiveSmallIntegerField(default=2),
        ),
        migrations.AddField(
            model_name="historicaladherence",
            name="amber_max",
            field=models.PositiveSmallIntegerField(default=5),
        ),
        migrations.AddField(
            model_name="historicaladherence",
            name="green_max",
            field=models.PositiveSmallIntegerField(default=2),
        ),
        migrations.AddConstraint(
            model_name="adherence",
            constraint=models.CheckConstraint(
                condition=models.Q(("amber_max__lte", 9), ("green_max__lt", models.F("amber_max"))),
                name="adherence_band_order",
            ),
        ),
        migrations.RunPython(bands_in_force, migrations.RunPython.noop),
        LockSignedRows("programs_adherence", parent_table="notes_visitnote", fk_column="visit_id"),
    ]
