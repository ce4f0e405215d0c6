"""The audit log becomes an app of its own. Nothing in the database changes: the model
keeps its table (clinic_auditevent), its indexes and its append-only trigger; only
Django's record of which app owns it moves from clinic to audit. The content type is
renamed too, so permissions and admin history that point at it still do."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def rename_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if ContentType.objects.using(db).filter(app_label="audit", model="auditevent").exists():
        return
    ContentType.objects.using(db).filter(app_label="clinic", model="auditevent").update(app_label="audit")


def restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if ContentType.objects.using(db).filter(app_label="clinic", model="auditevent").exists():
        return
    ContentType.objects.using(db).filter(app_label="audit", model="auditevent").update(app_label="clinic")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("clinic", "0016_user_registration_number"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("at", models.DateTimeField()),
                        ("actor_username", models.CharField(blank=True, max_length=150)),
                        ("client_id", models.BigIntegerField(blank=True, null=True)),
                        ("action", models.CharField(max_length=40)),
                        ("object_type", models.CharField(blank=True, max_length=60)),
                        ("object_id", models.CharField(blank=True, max_length=40)),
                        ("ip", models.GenericIPAddressField(blank=True, null=True)),
                        (
                            "outcome",
                            models.CharField(
                                choices=[("allowed", "Allowed"), ("denied", "Denied")], default="allowed", max_length=8
                            ),
                        ),
                        ("detail", models.JSONField(blank=True, default=dict)),
                        ("prev_hash", models.CharField(max_length=64)),
                        ("hash", models.CharField(max_length=64)),
                        ("key_id", models.CharField(blank=True, default="", max_length=16)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "clinic_auditevent",
                        "ordering": ["-id"],
                        "indexes": [
                            models.Index(fields=["client_id", "-id"], name="audit_by_client"),
                            models.Index(fields=["actor", "-id"], name="audit_by_actor"),
                            models.Index(fields=["action", "at"], name="audit_by_action"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_content_type, restore_content_type),
    ]
