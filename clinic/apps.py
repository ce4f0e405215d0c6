from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self):
        # Connects the sign-in hook that starts the session clocks (clinic.auth).
        from clinic import auth, document_pages, models  # noqa: F401 (auth: connects its hook)
        from clinic.append_only import ensure_append_only
        from clinic.record_version import ensure_record_version_triggers
        from core import composition

        # After every migrate: put back an append-only trigger that a table
        # rebuild dropped (SQLite rebuilds a table to change its columns).
        post_migrate.connect(ensure_append_only, sender=self, dispatch_uid="clinic_append_only")
        # After every migrate: the triggers that bump a client's record version on any
        # write to a table that belongs to the client (clinic.record_version).
        post_migrate.connect(
            ensure_record_version_triggers, sender=self, dispatch_uid="clinic_record_version"
        )
        # The Documents card on the chart (care team only, like every chart section).
        composition.register(
            "clinic",
            chart_section=document_pages.chart_section,
            text_limits=lambda: models.TEXT_LIMITS,
        )
