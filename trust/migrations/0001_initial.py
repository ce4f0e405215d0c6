"""Sign-in's throttle table now belongs to the trust app. Nothing in the database changes:
the model keeps its table (clinic_signinthrottle) and its index; only Django's record of
which app owns it moves, and its content type is renamed so anything pointing at it still does."""

from django.db import migrations, models

MOVED = ("signinthrottle",)


def rename_content_types(apps, schema_editor, source="clinic", target="trust"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        if not ContentType.objects.using(db).filter(app_label=target, model=model).exists():
            ContentType.objects.using(db).filter(app_label=source, model=model).update(app_label=target)


def restore_content_types(apps, schema_editor):
    rename_content_types(apps, schema_editor, source="trust", target="clinic")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("clinic", "0017_audit_event_moves_to_audit"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SignInThrottle",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("username", models.CharField(max_length=150, unique=True)),
                        ("failures", models.PositiveIntegerField(default=0)),
                        ("device_failures", models.PositiveIntegerField(default=0)),
                        ("last_failure_at", models.DateTimeField(blank=True, null=True)),
                        ("next_attempt_at", models.DateTimeField(blank=True, null=True)),
                        ("unseen_failures", models.PositiveIntegerField(default=0)),
                        ("unseen_since", models.DateTimeField(blank=True, null=True)),
                        ("notified_at", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        "db_table": "clinic_signinthrottle",
                        "ordering": ["-last_failure_at", "id"],
                        "indexes": [models.Index(fields=["-last_failure_at"], name="signinthrottle_recent")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_content_types, restore_content_types),
    ]
