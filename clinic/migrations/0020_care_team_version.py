"""The care-team version (clinic.care_team_version): one row, bumped by triggers on the
client, care-team and emergency-access tables, that keys the client list's cached total."""

from django.db import migrations, models

from clinic.care_team_version import drop_statements, ensure_care_team_version


def install(apps, schema_editor):
    ensure_care_team_version(using=schema_editor.connection.alias)


def uninstall(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor in ("sqlite", "postgresql"):
        with connection.cursor() as cursor:
            for sql in drop_statements(connection.vendor):
                cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0019_client_record_version"),
    ]

    operations = [
        migrations.CreateModel(
            name="CareTeamVersion",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("version", models.BigIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("id", 1)), name="careteamversion_one_row")
                ],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
