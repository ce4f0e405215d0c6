from django.db import migrations, models

from core.records import LockSignedRows, UnlockSignedRows

CHILDREN = ("assessments_measurement", "assessments_bodychartmark", "assessments_questionnaireresponse")


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0002_history_append_only"),
    ]

    operations = [
        # SQLite rebuilds the table to add the column; the lock triggers naming it
        # would block the rebuild, so they come off for the change and go back on.
        *[
            UnlockSignedRows(table, parent_table="assessments_assessment", fk_column="assessment_id")
            for table in CHILDREN
        ],
        UnlockSignedRows("assessments_assessment"),
        migrations.AddField(
            model_name="assessment",
            name="version",
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="historicalassessment",
            name="version",
            field=models.PositiveIntegerField(default=1),
        ),
        LockSignedRows("assessments_assessment"),
        *[
            LockSignedRows(table, parent_table="assessments_assessment", fk_column="assessment_id")
            for table in CHILDREN
        ],
    ]
