from django.db import migrations, models

from core.records import LockSignedRows, UnlockSignedRows


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0006_draft_revision_and_adherence_per_visit"),
    ]

    operations = [
        # SQLite rebuilds the table to add the column; the lock triggers naming it
        # would block the rebuild, so they come off for the change and go back on.
        UnlockSignedRows("programs_programitem", parent_table="programs_programversion", fk_column="version_id"),
        UnlockSignedRows("programs_programversion"),
        migrations.AddField(
            model_name="historicalprogramversion",
            name="referrals",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="programversion",
            name="referrals",
            field=models.JSONField(blank=True, default=list),
        ),
        LockSignedRows("programs_programversion"),
        LockSignedRows("programs_programitem", parent_table="programs_programversion", fk_column="version_id"),
    ]
