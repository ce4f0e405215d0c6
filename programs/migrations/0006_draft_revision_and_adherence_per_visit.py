from django.db import migrations, models

from core.records import LockSignedRows, UnlockSignedRows


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0005_heel_pain_care_set"),
    ]

    operations = [
        # SQLite rebuilds both tables for these changes; the lock triggers naming
        # them would block the rebuild, so they come off for the change and go back on.
        UnlockSignedRows("programs_programitem", parent_table="programs_programversion", fk_column="version_id"),
        UnlockSignedRows("programs_programversion"),
        UnlockSignedRows("programs_adherence", parent_table="notes_visitnote", fk_column="visit_id"),
        # Adherence rows belong to exactly one visit note (or, without a visit, to
        # one day): saving one note's rows never moves another note's.
        migrations.RemoveConstraint(
            model_name="adherence",
            name="adherence_once_per_day",
        ),
        migrations.AddConstraint(
            model_name="adherence",
            constraint=models.UniqueConstraint(
                condition=models.Q(("visit__isnull", False)),
                fields=("item", "visit"),
                name="adherence_once_per_visit",
            ),
        ),
        migrations.AddConstraint(
            model_name="adherence",
            constraint=models.UniqueConstraint(
                condition=models.Q(("visit__isnull", True)),
                fields=("item", "recorded_on"),
                name="adherence_once_per_day_unlinked",
            ),
        ),
        # Optimistic locking of a draft program.
        migrations.AddField(
            model_name="historicalprogramversion",
            name="revision",
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="programversion",
            name="revision",
            field=models.PositiveIntegerField(default=1),
        ),
        LockSignedRows("programs_programversion"),
        LockSignedRows("programs_programitem", parent_table="programs_programversion", fk_column="version_id"),
        LockSignedRows("programs_adherence", parent_table="notes_visitnote", fk_column="visit_id"),
    ]
