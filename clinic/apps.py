from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self):
        # Connects the sign-in hook that starts the session clocks (clinic.auth).
        from clinic import auth  # noqa: F401
        from clinic.records import ensure_append_only

        # After every migrate: put back an append-only trigger that a table
        # rebuild dropped (SQLite rebuilds a table to change its columns).
        post_migrate.connect(ensure_append_only, sender=self, dispatch_uid="clinic_append_only")
