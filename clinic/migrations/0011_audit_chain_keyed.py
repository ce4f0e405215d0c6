# The audit chain is signed with the audit key from here on: each row names the key
# that signed it (key_id); rows written before keep a blank key_id and their plain
# SHA-256, which stays valid only before the first keyed row.

from django.db import migrations, models
from django.utils import timezone

import audit.log
import core.triggers


class DropAppendOnly(core.triggers.AppendOnly):
    """The reverse of AppendOnly: SQLite rebuilds a table to add a column with a
    default, and the rebuild would drop the triggers silently; they are dropped
    here and put back after the new column."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        super().database_backwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"Lift the append-only trigger of {self.table} while its columns change"


def sign_from_here_on(apps, schema_editor):
    """On a log that already has rows, one keyed row now, so that the newest row is
    keyed from the upgrade on (a log whose newest rows are unkeyed fails verification:
    keyed rows were deleted or rewritten). A new, empty log needs none."""
    AuditEvent = apps.get_model("clinic", "AuditEvent")
    newest = AuditEvent.objects.order_by("-id").first()
    if newest is None or newest.key_id:
        return
    event = AuditEvent(
        at=timezone.now(),
        actor_username="",
        action="audit_chain_keyed",
        outcome="allowed",
        detail={"unkeyed_events": AuditEvent.objects.count()},
    )
    audit.log.sign_event(event, newest.hash)
    event.save(force_insert=True)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0010_intake_questions_v2"),
    ]

    operations = [
        DropAppendOnly(table="clinic_auditevent"),
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=16),
        ),
        core.triggers.AppendOnly(table="clinic_auditevent"),
        migrations.RunPython(sign_from_here_on, migrations.RunPython.noop, elidable=False),
    ]
