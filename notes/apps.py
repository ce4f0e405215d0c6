from django.apps import AppConfig

from core import composition


class NotesConfig(AppConfig):
    name = "notes"

    def ready(self):
        # Imported here, not at the top: an app's modules may use its models only once
        # every app is loaded, and ready() is when that is true.
        from audit.integrity import register_check  # noqa: PLC0415 - app modules load once the models are ready
        from notes import chart, demo, export, models  # noqa: PLC0415 - app modules load once the models are ready
        from notes.services import signed_notes_verify  # noqa: PLC0415 - app modules load once the models are ready

        composition.register(
            "notes",
            chart_section=chart.chart_section,
            home_section=chart.home_section,
            note_section=chart.note_section,
            export_records=export.export_client,
            restore_check=export.restore_check,
            text_limits=lambda: models.TEXT_LIMITS,
            demo_seed=demo.seed,
        )
        # The complete-record printout reads visits first, then assessments, then programs.
        composition.register("notes", order=10, export_pdf_part=export.pdf_part)
        register_check("signed notes", signed_notes_verify)
