"""The sign-in throttle model now belongs to the trust app (trust/migrations/0001_initial.py).
Only Django's record of the model leaves clinic: the table and its rows stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0017_audit_event_moves_to_audit"),
        ("trust", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SignInThrottle")],
            database_operations=[],
        ),
    ]
