"""The audit event model now belongs to the audit app (audit/migrations/0001_initial.py).
Only Django's record of the model leaves clinic: the table, its rows and its trigger stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0016_user_registration_number"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEvent")],
            database_operations=[],
        ),
    ]
