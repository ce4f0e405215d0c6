from django.apps import AppConfig
from django.db.models.signals import post_migrate

from core import composition


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self):
        from clinic import document_pages, models, selectors  # noqa: PLC0415 - app modules load once the models are ready
        from clinic.append_only import ensure_append_only  # noqa: PLC0415 - app modules load once the models are ready
        from clinic.care_team_version import ensure_care_team_version  # noqa: PLC0415 - app modules load once the models are ready
        from clinic.record_version import ensure_record_version_triggers  # noqa: PLC0415 - app modules load once the models are ready

        # After every migrate: put back an append-only trigger that a table
        # rebuild dropped (SQLite rebuilds a table to change its columns).
        post_migrate.connect(ensure_append_only, sender=self, dispatch_uid="clinic_append_only")
        # After every migrate: the triggers that bump a client's record version on any
        # write to a table that belongs to the client (clinic.record_version).
        post_migrate.connect(
            ensure_record_version_triggers, sender=self, dispatch_uid="clinic_record_version"
        )
        # After every migrate: the triggers that bump the care-team version, which keys
        # the client list's cached total (clinic.care_team_version).
        post_migrate.connect(ensure_care_team_version, sender=self, dispatch_uid="clinic_care_team_version")
        # The Documents card on the chart (care team only, like every chart section).
        composition.register(
            "clinic",
            chart_section=document_pages.chart_section,
            text_limits=lambda: models.TEXT_LIMITS,
            # An audit row written under emergency access names the grant.
            audit_detail=selectors.break_glass_detail,
        )
